"""Helpers for the HTML report and flame graph tests (06NN): the page's
embedded data, the browser driver (check_page.js: headless Chromium through
playwright-core from BUILD/web/node_modules), the test program.

Environment: as mslib (MEMSCOPE is BUILD/memscope; the npm modules and
ms_gen_many_stacks are built beside it)."""
import html.parser
import json
import os
import shutil
import subprocess

import mslib as ms

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.path.dirname(os.path.abspath(ms.MEMSCOPE))
NODE_MODULES = os.path.join(BUILD, "web", "node_modules")
CHROMIUM = os.environ.get("MS_CHROMIUM", "/usr/bin/chromium")
METRICS = ("peak", "leaked", "allocations", "temporary", "bytes")
TOTAL_KEY = {"peak": "peak_bytes", "leaked": "leaked_bytes", "allocations": "allocations",
             "temporary": "temporary_allocations", "bytes": "bytes_allocated"}


def demo_program():
    """Builds tests/e2e/node-html/html_demo.c (-O0 -g) into MS_TMP."""
    d = ms.tmpdir("demo-build")
    exe = os.path.join(d, "html_demo")
    p = ms.run(["gcc", "-O0", "-g", "-o", exe, os.path.join(HERE, "html_demo.c")])
    if p.returncode != 0:
        ms.show(p, "gcc")
        raise ms.Fatal("cannot build html_demo.c")
    return exe


class _Scripts(html.parser.HTMLParser):
    """Collects <script> elements (type, text), and any src/href attribute."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.scripts, self.links, self._cur = [], [], None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for k in ("src", "href"):
            if k in a:
                self.links.append(a[k])
        if tag == "script":
            self._cur = [a.get("type"), a.get("id"), ""]

    def handle_data(self, data):
        if self._cur is not None:
            self._cur[2] += data

    def handle_endtag(self, tag):
        if tag == "script" and self._cur is not None:
            self.scripts.append(tuple(self._cur))
            self._cur = None


def page_parts(path):
    """(data document, scripts [(type, id, text)], src/href values) of a report."""
    text = open(path, encoding="utf-8").read()
    p = _Scripts()
    p.feed(text)
    data = [s for s in p.scripts if s[0] == "application/json" and s[1] == "ms-data"]
    if len(data) != 1:
        raise ms.Fatal("%s: %d <script id=ms-data> elements, want 1" % (path, len(data)))
    try:
        doc = json.loads(data[0][2])
    except ValueError as e:
        raise ms.Fatal("%s: the data document is not JSON: %s" % (path, e))
    return doc, p.scripts, p.links


def browser(path, shot):
    """Opens path in headless Chromium; returns check_page.js's findings."""
    node = shutil.which("node")
    if not node or not os.path.isdir(os.path.join(NODE_MODULES, "playwright-core")):
        raise ms.Fatal("node or %s/playwright-core is missing (make deps-test; the build runs npm ci)"
                       % NODE_MODULES)
    if not os.path.exists(CHROMIUM):
        raise ms.Fatal("%s is missing (make deps-test installs Debian's chromium)" % CHROMIUM)
    env = dict(os.environ, NODE_PATH=NODE_MODULES, MS_CHROMIUM=CHROMIUM)
    p = subprocess.run([node, os.path.join(HERE, "check_page.js"), path, shot], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=env)
    try:
        out = json.loads(p.stdout.decode())
    except ValueError:
        ms.show(p, "check_page.js")
        raise ms.Fatal("check_page.js printed no JSON")
    if out.get("error"):
        raise ms.Fatal("browser: %s" % out["error"])
    print("browser: %s" % json.dumps({k: v for k, v in out.items() if k not in ("text", "cards")}))
    return out


def check_clean_page(what, out):
    ms.check_eq("%s: console errors" % what, out["console_errors"], [])
    ms.check_eq("%s: page errors" % what, out["page_errors"], [])
    ms.check_eq("%s: network requests" % what, out["requests"], [])


def check_flame_zoom(what, out, full_width):
    """A click on a frame narrower than the graph made it (almost) full width."""
    z = out.get("zoom") or {}
    if not ms.check("%s: a frame to click was found (%r)" % (what, z.get("picked")), z.get("picked")):
        return
    ms.check("%s: clicked frame '%s' grew from %.1f px to the full width %s (got %r)"
             % (what, z["picked"].get("name", z["picked"].get("i")), z["picked"]["w"], full_width, z.get("after")),
             z.get("after") is not None and abs(z["after"] - full_width) <= 2)


def run_html(trace, out, opts=()):
    cmd = [ms.MEMSCOPE, "html"] + list(opts) + [trace, "-o", out]
    print("$ %s" % " ".join(cmd))
    return ms.run(cmd)

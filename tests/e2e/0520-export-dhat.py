#!/usr/bin/env python3
"""memscope export --format dhat, loaded into valgrind's own viewer
(dh_view.html from Debian's valgrind) in headless Chromium driven by
playwright-core (tests/e2e/node): the page must show a tree whose root
totals agree exactly with report --json (total bytes and blocks, bytes and
blocks at t-gmax, at t-end), and valgrind's DHAT on the same program must
find the same t-gmax. The file's program points are also summed directly.

basic: 4600 bytes in 6 blocks, 3500 bytes in 3 blocks at the peak, 100
bytes in 1 block at the end."""
import json
import os
import re
import shutil
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import mslib as ms

VIEWER = "/usr/libexec/valgrind/dh_view.html"
NODE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "node")


def num(s):
    return int(s.replace(",", ""))


def view(path):
    """The text dh_view.html shows for the file (Fatal if it shows no tree)."""
    mods = os.path.join(os.path.dirname(os.path.abspath(ms.TMP)), "_node-export")
    p = ms.run(["sh", os.path.join(NODE_DIR, "setup.sh"), mods])
    if p.returncode != 0:
        ms.show(p, "setup.sh")
        raise ms.Fatal("cannot install playwright-core with npm ci")
    p = ms.run(["node", os.path.join(NODE_DIR, "dh_view.js"), VIEWER, path],
               env={"NODE_PATH": os.path.join(mods, "node_modules")})
    if p.returncode != 0:
        ms.show(p, "dh_view")
        raise ms.Fatal("dh_view.html did not load %s" % path)
    return p.stdout.decode(errors="replace")


def root_figures(text):
    """(total bytes, total blocks, t-gmax bytes, t-gmax blocks, t-end bytes,
    t-end blocks) of the root program point, as the page prints them."""
    root = text[text.index("PP 1/1"):]
    t = re.search(r"Total:\s+([\d,]+) bytes .*? in ([\d,]+) blocks", root)
    g = re.search(r"At t-gmax:\s+([\d,]+) bytes .*? in ([\d,]+) blocks", root)
    e = re.search(r"At t-end:\s+([\d,]+) bytes .*? in ([\d,]+) blocks", root)
    if not (t and g and e):
        raise ms.Fatal("no Total / At t-gmax / At t-end lines in the page: %r" % root[:600])
    return tuple(num(x) for x in (t.group(1), t.group(2), g.group(1), g.group(2), e.group(1), e.group(2)))


def test():
    for tool in ("node", "/usr/bin/chromium", VIEWER):
        if not (shutil.which(tool) or os.path.exists(tool)):
            raise ms.Fatal("%s is missing (scripts/install-deps.sh test installs it)" % tool)
    prog = ms.target("basic")
    trace, _ = ms.record([prog], "basic")
    doc = ms.ms_report(trace)
    s = doc["summary"]
    out = os.path.join(ms.TMP, "basic.dhat.json")
    p = ms.run([ms.MEMSCOPE, "export", "--format", "dhat", "-o", out, trace])
    ms.check_eq("export exit status", p.returncode, 0)
    ms.check_eq("export stderr", p.stderr.decode(errors="replace"), "")

    d = json.load(open(out))
    ms.check_eq("dhatFileVersion", d.get("dhatFileVersion"), 2)
    ms.check_eq("mode, verb, bklt, bkacc", (d.get("mode"), d.get("verb"), d.get("bklt"), d.get("bkacc")),
                ("heap", "Allocated", True, False))
    ms.check_eq("te == wall_time_ns", d.get("te"), s["wall_time_ns"])
    ms.check_eq("tg == peak_time_ns", d.get("tg"), s["peak_time_ns"])
    ms.check_eq("ftbl[0]", d["ftbl"][0], "[root]")
    pps = d["pps"]
    sums = {k: sum(pp[k] for pp in pps) for k in ("tb", "tbk", "gb", "gbk", "eb", "ebk")}
    ms.check_eq("pps: tb, tbk, gb, gbk, eb, ebk",
                sums, {"tb": 4600, "tbk": 6, "gb": 3500, "gbk": 3, "eb": 100, "ebk": 1})
    ms.check_eq("pps: sum tb == bytes_allocated", sums["tb"], s["bytes_allocated"])
    ms.check_eq("pps: sum gb == peak_bytes", sums["gb"], s["peak_bytes"])
    ms.check_eq("pps: one per stack", len(pps), len(doc["stacks"]))
    for pp in pps:
        ms.check("pp %r: mb >= gb, mbk >= 1 when mb, tl <= tbk * te" % pp["fs"],
                 pp["mb"] >= pp["gb"] and (pp["mbk"] >= 1 or pp["mb"] == 0) and pp["tl"] <= pp["tbk"] * d["te"])
    line = ms.marker_line("tests/targets/basic.c", "/* LEAK-LINE */")
    leak = [pp for pp in pps if pp["eb"]]
    if ms.check_eq("pps leaking", len(leak), 1):
        frames = [d["ftbl"][i] for i in leak[0]["fs"]]
        ms.check("leak frame 0 is leak_here at LEAK-LINE (%r)" % frames[:1],
                 re.match(r"^0x[0-9A-F]+: leak_here \(basic\.c:%d\)$" % line, frames[0]) is not None)
        ms.check_eq("leak: mb, mbk (its own maximum)", (leak[0]["mb"], leak[0]["mbk"]), (100, 1))

    text = view(out)
    got = root_figures(text)
    ms.check_eq("dh_view.html root: total bytes, blocks, t-gmax bytes, blocks, t-end bytes, blocks", got,
                (s["bytes_allocated"], s["allocations"], s["peak_bytes"], 3, s["leaked_bytes"], s["leaked_blocks"]))
    ms.check("dh_view.html shows the leak frame", "leak_here (basic.c:%d)" % line in text)

    gmax, _ = ms.dhat([prog], "basic")
    ms.check_eq("valgrind DHAT's t-gmax equals the export's", gmax, sums["gb"])


ms.main(test)

#!/usr/bin/env python3
"""memscope flamegraph: for each metric, a well-formed SVG (python's XML
parser) whose total and root frame equal report --json's summary, whose
frames nest (a child inside its parent, children not wider than their
parent), and which renders in headless Chromium (non-blank screenshot, no
console errors) and zooms a clicked frame to the full width."""
import os
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "node-html"))
import htmllib
import mslib as ms

SVG = "{http://www.w3.org/2000/svg}"


def check_svg(what, path, total):
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        ms.check("%s: well-formed XML (%s)" % (what, e), False)
        return
    ms.check_eq("%s: data-total equals the summary" % what, int(root.get("data-total")), total)
    frames = [g for g in root.iter(SVG + "g") if g.get("class") == "f"]
    if not ms.check("%s: has frames" % what, frames):
        return
    top = frames[0]
    ms.check_eq("%s: the first frame is the root 'all'" % what, (top.get("data-name"), top.get("data-d")), ("all", "0"))
    ms.check_eq("%s: root value equals the summary" % what, int(top.get("data-v")), total)
    ms.check("%s: every frame has a <title>" % what, all(g.find(SVG + "title") is not None for g in frames))
    # depth-first order: each frame lies inside the latest frame one level up
    stack, ok = [], True
    for g in frames:
        d, x0, x1, v = int(g.get("data-d")), float(g.get("data-x0")), float(g.get("data-x1")), int(g.get("data-v"))
        del stack[d:]
        if d and (len(stack) != d or x0 < stack[-1][0] - 1e-9 or x1 > stack[-1][1] + 1e-9 or v > stack[-1][2]):
            ok = False
        stack.append((x0, x1, v))
    ms.check("%s: frames nest inside their callers" % what, ok)


def test():
    exe = htmllib.demo_program()
    trace, _ = ms.record([exe], "demo")
    s = ms.ms_report(trace)["summary"]
    d = ms.tmpdir("out")
    for m in htmllib.METRICS:
        svg = os.path.join(d, "%s.svg" % m)
        cmd = [ms.MEMSCOPE, "flamegraph", "--metric", m, trace, "-o", svg]
        print("$ %s" % " ".join(cmd))
        p = ms.run(cmd)
        ms.check_eq("flamegraph %s: exit status" % m, p.returncode, 0)
        ms.check_eq("flamegraph %s: stderr" % m, p.stderr.decode(), "")
        if p.returncode == 0:
            check_svg("svg %s" % m, svg, s[htmllib.TOTAL_KEY[m]])
    # the default metric is peak, and the output is the same run after run
    again = os.path.join(d, "default.svg")
    ms.run([ms.MEMSCOPE, "flamegraph", trace, "-o", again])
    ms.check("default metric is peak, output is deterministic",
             open(again, "rb").read() == open(os.path.join(d, "peak.svg"), "rb").read())

    out = htmllib.browser(os.path.join(d, "peak.svg"), os.path.join(d, "peak.png"))
    htmllib.check_clean_page("svg in chromium", out)
    ms.check_ge("svg in chromium: colours (non-blank)", out["svg_colours"], 20)
    ms.check_ge("svg in chromium: frames", out["svg_frames"], 8)
    htmllib.check_flame_zoom("svg in chromium: zoom", out, 1200)
    ms.check("svg in chromium: 'reset zoom' shows after a zoom", out["zoom"].get("reset_visible"))


ms.main(test)

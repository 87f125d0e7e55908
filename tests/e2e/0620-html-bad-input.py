#!/usr/bin/env python3
"""Bad input to html and flamegraph: an unknown metric or option, no trace,
a missing or foreign file, an unwritable output are each one 'memscope: '
line and a non-zero exit, leaving no file behind. A trace with no
allocations gives a valid, empty report that says so; a truncated trace is
reported up to its last complete frame with one warning line and a banner
on the page."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "node-html"))
import htmllib
import mslib as ms
import mstrace


def synthetic():
    """Two frames: A (100 B, stack 1) and B (200 B, stack 2), then C (300 B,
    stack 1) and the free of A; the end. Cut after frame 1: A and B only."""
    t = mstrace.TraceWriter(pid=4242, ppid=1)
    t.process("/usr/bin/synth", ["synth"])
    t.chunk(tid=100, base_ts=5)
    t.stack(1, [0x7000001000, 0x7000002000])
    t.stack(2, [0x7000003000, 0x7000002000])
    t.alloc(10, 0x10000, 100, 1)
    t.alloc(20, 0x20000, 200, 2)
    t.round(21)
    t.flush()
    t.chunk(tid=100, base_ts=30)
    t.alloc(30, 0x30000, 300, 1)
    t.free(40, 0x10000)
    t.round(41)
    t.flush()
    t.end(50, status=0)
    return t.bytes(), t.frame_ends()


def empty():
    t = mstrace.TraceWriter(pid=4243, ppid=1)
    t.process("/usr/bin/idle", ["idle"])
    t.chunk(tid=100, base_ts=5)
    t.thread(6, "idle")
    t.round(7)
    t.flush()
    t.end(10, status=0)
    return t.bytes()


def fails(what, argv, out=None):
    print("$ %s" % " ".join(argv))
    p = ms.run(argv)
    ms.check_one_error_line(what, p)
    if out:
        ms.check("%s: no output file left behind" % what, not os.path.exists(out))


def test():
    d = ms.tmpdir("bad")
    data, ends = synthetic()
    good = os.path.join(d, "synth.mst")
    open(good, "wb").write(data)
    out = os.path.join(d, "out.html")
    M = ms.MEMSCOPE
    fails("flamegraph unknown metric", [M, "flamegraph", "--metric", "weight", good, "-o", out], out)
    fails("html unknown option", [M, "html", "--bogus", good, "-o", out], out)
    fails("html without a trace", [M, "html", "-o", out], out)
    fails("html -o without a file", [M, "html", good, "-o"])
    fails("html of a missing trace", [M, "html", os.path.join(d, "missing.mst"), "-o", out], out)
    notrace = os.path.join(d, "notes.txt")
    open(notrace, "w").write("not a trace\n")
    fails("html of a foreign file", [M, "html", notrace, "-o", out], out)
    fails("flamegraph of a foreign file", [M, "flamegraph", notrace, "-o", out], out)
    fails("html to an unwritable place", [M, "html", good, "-o", os.path.join(d, "no", "such", "dir.html")])
    fails("flamegraph to a directory", [M, "flamegraph", good, "-o", d])

    # no allocations: a valid page that says so, and an empty flame graph
    idle = os.path.join(d, "idle.mst")
    open(idle, "wb").write(empty())
    page = os.path.join(d, "idle.html")
    p = htmllib.run_html(idle, page)
    ms.check_eq("no allocations: exit status", p.returncode, 0)
    ms.check_eq("no allocations: stderr", p.stderr.decode(), "")
    doc, _, _ = htmllib.page_parts(page)
    ms.check_eq("no allocations: allocations", doc["report"]["summary"]["allocations"], 0)
    ms.check_eq("no allocations: no stacks", doc["stacks"], [])
    res = htmllib.browser(page, os.path.join(d, "idle.png"))
    htmllib.check_clean_page("no allocations", res)
    ms.check("no allocations: the banner says so (%r)" % res["banner"], "no allocations" in (res["banner"] or ""))
    svg = os.path.join(d, "idle.svg")
    p = ms.run([M, "flamegraph", idle, "-o", svg])
    ms.check_eq("no allocations: flamegraph exit status", p.returncode, 0)
    ms.check("no allocations: the SVG says it is empty", "the graph is empty" in open(svg).read())

    # cut inside the second frame (the program was killed while writing):
    # frame 1 is read (A and B), with a warning and a banner
    cut = os.path.join(d, "cut.mst")
    open(cut, "wb").write(data[:ends[1] - 3])
    page = os.path.join(d, "cut.html")
    p = htmllib.run_html(cut, page)
    ms.check_eq("truncated: exit status", p.returncode, 0)
    err = p.stderr.decode().splitlines()
    ms.check_eq("truncated: one line on stderr", len(err), 1)
    ms.check("truncated: it is a memscope warning (%r)" % err[:1], bool(err) and err[0].startswith("memscope: warning: "))
    doc, _, _ = htmllib.page_parts(page)
    s = doc["report"]["summary"]
    ms.check_eq("truncated: what was read", (s["allocations"], s["bytes_allocated"], s["truncated"]), (2, 300, True))
    ms.check("truncated: the page carries the warning", "truncated" in (doc["warning"] or ""))
    res = htmllib.browser(page, os.path.join(d, "cut.png"))
    htmllib.check_clean_page("truncated", res)
    ms.check("truncated: banner on the page (%r)" % res["banner"], "truncated" in (res["banner"] or ""))
    p = ms.run([M, "flamegraph", cut, "-o", os.path.join(d, "cut.svg")])
    ms.check_eq("truncated: flamegraph exit status", p.returncode, 0)
    ms.check_eq("truncated: flamegraph warns once", len(p.stderr.decode().splitlines()), 1)


ms.main(test)

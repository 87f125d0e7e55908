#!/usr/bin/env python3
"""memscope export --format json: the whole model. Its summary and every
stack's figures and frames equal report --json's; it adds per-stack blocks
at the peak, blocks at the stack's own maximum and total block lifetime,
modules with build-ids (checked against readelf), threads, and the heap over
time, whose peak point is the exact peak and whose last point is the end.

The synthetic trace of 0400-report-synthetic (every timestamp known) gives
exact lifetimes: stack 1 (A 10..30, E 70..80) 30 ns; stack 2 (B 20..60, D
61..end 100) 79 ns; stack 3 (C 40..50, F 75..100) 35 ns."""
import json
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import mslib as ms
import mstrace


def export(trace, what, opts=()):
    p = ms.run([ms.MEMSCOPE, "export", "--format", "json"] + list(opts) + [trace])
    ms.check_eq("%s: exit status" % what, p.returncode, 0)
    ms.check_eq("%s: stderr" % what, p.stderr.decode(errors="replace"), "")
    try:
        return json.loads(p.stdout.decode())
    except ValueError as e:
        raise ms.Fatal("%s: not JSON: %s" % (what, e))


def check_timeline(what, doc, s, points):
    h = doc["heap_over_time"]
    pts = h["points"]
    ms.check_eq("%s: points (start, %d, peak)" % (what, points), len(pts), points + 2)
    times = [p["time_ns"] for p in pts]
    ms.check("%s: times never go back" % what, times == sorted(times))
    ms.check_eq("%s: first point" % what, (pts[0]["heap_bytes"]), 0)
    if ms.check("%s: a peak point" % what, isinstance(h["peak_point"], int)):
        pk = pts[h["peak_point"]]
        ms.check_eq("%s: peak point" % what, (pk["time_ns"], pk["heap_bytes"]), (s["peak_time_ns"], s["peak_bytes"]))
    ms.check_eq("%s: max heap is the peak" % what, max(p["heap_bytes"] for p in pts), s["peak_bytes"])
    ms.check_eq("%s: last point is the end" % what, (pts[-1]["time_ns"], pts[-1]["heap_bytes"]),
                (s["wall_time_ns"], s["leaked_bytes"]))


def synthetic():
    t = mstrace.TraceWriter(pid=4242, ppid=1)
    t.process("/usr/bin/synth", ["synth", "--flag"])
    t.chunk(tid=100, base_ts=5)
    t.stack(1, [0x7000001000, 0x7000002000])
    t.stack(2, [0x7000003000, 0x7000002000])
    t.stack(3, [0x7000004000])
    t.alloc(10, 0x10000, 100, 1)
    t.alloc(20, 0x20000, 200, 2)
    t.free(30, 0x10000)
    t.alloc(40, 0x30000, 50, 3)
    t.free(50, 0x30000)
    t.round(51)
    t.flush()
    t.chunk(tid=100, base_ts=55)
    t.realloc(60, 61, 0x20000, 0x40000, 300, 2)
    t.alloc(70, 0x50000, 1000, 1)
    t.chunk(tid=101, base_ts=72)
    t.alloc(75, 0x60000, 64, 3)
    t.free(80, 0x50000)
    t.round(81)
    t.flush()
    t.end(100, status=0)
    path = os.path.join(ms.tmpdir("synth"), "synth.mst")
    open(path, "wb").write(t.bytes())
    return path


def test():
    prog = ms.target("basic")
    trace, _ = ms.record([prog], "basic")
    rep = ms.ms_report(trace)
    doc = export(trace, "basic")
    s = rep["summary"]
    ms.check_eq("summary equals report --json's", doc["summary"], s)
    ms.check_eq("trace", doc["trace"], trace)
    mine = {st["stack_id"]: st for st in doc["stacks"]}
    ms.check_eq("the same stacks", sorted(mine), sorted(st["stack_id"] for st in rep["stacks"]))
    for st in rep["stacks"]:
        got = mine.get(st["stack_id"], {})
        ms.check_eq("stack %d: report's fields" % st["stack_id"], {k: got.get(k) for k in st}, st)
    ms.check_eq("sum peak_blocks (b, c, d)", sum(st["peak_blocks"] for st in doc["stacks"]), 3)
    ms.check("max_live_blocks: 1 per stack that held bytes",
             all(st["max_live_blocks"] == (1 if st["max_live_bytes"] else 0) for st in doc["stacks"]))
    ms.check("lifetime_ns within the run",
             all(0 <= st["lifetime_ns"] <= st["allocations"] * s["wall_time_ns"] for st in doc["stacks"]))
    leak = [st for st in doc["stacks"] if st["leaked_blocks"]]
    if leak:
        # a TSC trace converts lifetimes at the run's average clock rate, the
        # times at the nearest clock samples: they agree within 0.1%
        want = s["wall_time_ns"] - leak[0]["first_time_ns"]
        ms.check("the leak lives from its allocation to the end (%d ns, want %d)" % (leak[0]["lifetime_ns"], want),
                 abs(leak[0]["lifetime_ns"] - want) <= want / 1000 + 1)

    mods = {m["path"]: m for m in doc["modules"]}
    p = ms.run(["readelf", "-n", prog])
    m = re.search(r"Build ID: ([0-9a-f]+)", p.stdout.decode())
    ms.check_eq("build-id of basic (readelf -n)", mods.get(prog, {}).get("build_id"), m.group(1) if m else "?")
    ms.check("basic's address range holds its load bias",
             prog in mods and mods[prog]["start"] <= mods[prog]["end"] and mods[prog]["start"] >= mods[prog]["load_bias"])
    ms.check_eq("threads", [(t["tid"], t["allocations"]) for t in doc["threads"]],
                [(t["tid"], t["allocations"]) for t in s["threads"]])
    check_timeline("basic", doc, s, 50)
    check_timeline("basic --snapshots 7", export(trace, "basic --snapshots 7", ["--snapshots", "7"]), s, 7)

    path = synthetic()
    doc = export(path, "synthetic")
    life = {st["bytes_allocated"]: st["lifetime_ns"] for st in doc["stacks"]}
    ms.check_eq("synthetic: lifetimes by stack (bytes allocated -> ns)", life, {1100: 30, 500: 79, 114: 35})
    peak = {st["bytes_allocated"]: (st["peak_bytes"], st["peak_blocks"]) for st in doc["stacks"]}
    ms.check_eq("synthetic: peak bytes and blocks", peak, {1100: (1000, 1), 500: (300, 1), 114: (64, 1)})
    maxl = {st["bytes_allocated"]: (st["max_live_bytes"], st["max_live_blocks"]) for st in doc["stacks"]}
    ms.check_eq("synthetic: own maximum bytes and blocks", maxl, {1100: (1000, 1), 500: (300, 1), 114: (64, 1)})
    check_timeline("synthetic", doc, doc["summary"], 50)


ms.main(test)

#!/usr/bin/env python3
"""Blocks of 16 MiB and more keep their sizes in the runtime live table's
side table (src/runtime/livetab.c): big_blocks holds four of them (one
realloc'd) next to 1,000 small ones. The runtime's own count in each
SNAPSHOT record (from its live table) must equal the known figures and the
live set the events give; the report's totals and leak classes are exact."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import mslib as ms
import msdecode as md

MIB = 1 << 20
BIG = (16 * MIB, 16 * MIB - 1, 100 * MIB + 3, 40 * MIB)
WANT = {
    "big": (1004, sum(BIG) + 1000 * 48),
    "freed": (502, 16 * MIB - 1 + 40 * MIB + 500 * 48),
}


def test():
    prog = ms.target("big_blocks")
    trace, _ = ms.record([prog], "big_blocks")
    t = md.decode(trace)
    snaps = {s.label: s for s in t.snapshots}
    for label, (blocks, size) in WANT.items():
        s = snaps.get(label)
        ms.check("snapshot %r present" % label, s is not None)
        if not s:
            continue
        ms.check_eq("%s: the runtime's live_blocks" % label, s.live_blocks, blocks)
        ms.check_eq("%s: the runtime's live_bytes" % label, s.live_bytes, size)
        ms.check_eq("%s: live_bytes equals the events' live set" % label, s.live_bytes, sum(s.live.values()))
        ms.check_eq("%s: SCAN_END blocks_scanned" % label, s.end[0] if s.end else None, blocks)

    doc = ms.ms_report(trace)
    s = doc["summary"]
    ms.check_eq("allocations", s["allocations"], 1005)
    ms.check_eq("frees", s["frees"], 503)
    ms.check_eq("bytes_allocated", s["bytes_allocated"], sum(BIG[:3]) + 20 * MIB + 40 * MIB + 1000 * 48)
    ms.check_eq("peak_bytes", s["peak_bytes"], sum(BIG) + 1000 * 48)
    ms.check_eq("leaked_bytes", s["leaked_bytes"], WANT["freed"][1])
    ms.check_eq("leaked_blocks", s["leaked_blocks"], 502)
    # the 16 MiB - 1 block is held only by a pointer 9 MiB into it: the scan
    # finds blocks through a set of the 1 MiB granules they cover, all of them
    ms.check_eq("leak classes at exit (definite, possible, reachable)",
                [(s[k + "_blocks"], s[k + "_bytes"]) for k in ("definitely_lost", "possibly_lost", "reachable")],
                [(1, 40 * MIB), (1, 16 * MIB - 1), (500, 500 * 48)])


ms.main(test)

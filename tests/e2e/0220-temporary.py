#!/usr/bin/env python3
"""temporary: temporary_allocations counts blocks freed before the thread
that allocated them allocated anything else. Per-function figures from
tests/targets/temporary.c; totals equal memcheck's (DTV taken out)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import mslib as ms

# function: (allocations, temporary_allocations)
WANT = {"temp_simple": (20, 20), "temp_calloc": (10, 10), "not_temp_pair": (30, 15),
        "kept_blocks": (5, 0), "leak_here": (1, 0), "mainthread_alloc": (1, 1),
        "other_thread_work": (8, 8)}


def test():
    prog = ms.target("temporary")
    trace, _ = ms.record([prog], "temporary")
    doc = ms.ms_report(trace)
    s = doc["summary"]
    for fn, (n, t) in sorted(WANT.items()):
        sts = ms.stacks_from(doc, fn, index=0)
        ms.check_eq("%s: allocations" % fn, ms.sum_metric(sts, "allocations"), n)
        ms.check_eq("%s: temporary_allocations" % fn, ms.sum_metric(sts, "temporary_allocations"), t)
    dtv = ms.dtv_stacks(doc)
    ms.check_eq("temporary: DTV blocks are not temporary", ms.sum_metric(dtv, "temporary_allocations"), 0)
    ms.check_eq("temporary: summary.temporary_allocations", s["temporary_allocations"], 54)
    ms.check_eq("temporary: allocations", s["allocations"], 75 + ms.sum_metric(dtv, "allocations"))
    ms.check_eq("temporary: leaked_bytes", s["leaked_bytes"], 64)
    ms.check_eq("temporary: leaked_blocks", s["leaked_blocks"], 1)
    ms.check_leak_stack("temporary", doc, "leak_here", "temporary.c",
                        ms.marker_line("tests/targets/temporary.c", "/* LEAK-LINE */"), 64, callers=("main",))
    ms.check_stack_sums("temporary", doc)
    vg, _, _ = ms.memcheck([prog], "temporary")
    _, dh = ms.dhat([prog], "temporary")
    ms.check_vs_memcheck_without_dtv("temporary", doc, vg, dh)


ms.main(test)

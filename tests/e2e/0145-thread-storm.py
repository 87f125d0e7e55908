#!/usr/bin/env python3
"""thread_storm: 8 threads allocate and free 20000 blocks each at the same
time; no event is lost or misattributed (exact counts and bytes on the one
stack storm_alloc; totals equal memcheck's once the DTV blocks are out)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import mslib as ms

NT, N = 8, 20000


def test():
    prog = ms.target("thread_storm")
    trace, _ = ms.record([prog], "thread_storm")
    doc = ms.ms_report(trace)
    s = doc["summary"]
    want_bytes = sum(1 + (i + t) % 64 for t in range(NT) for i in range(N))
    st = ms.stacks_from(doc, "storm_alloc", index=0)
    ms.check_eq("storm_alloc: allocations", ms.sum_metric(st, "allocations"), NT * N)
    ms.check_eq("storm_alloc: frees", ms.sum_metric(st, "frees"), NT * N)
    ms.check_eq("storm_alloc: bytes_allocated", ms.sum_metric(st, "bytes_allocated"), want_bytes)
    ms.check_eq("storm_alloc: leaked_bytes", ms.sum_metric(st, "leaked_bytes"), 0)
    ms.check_eq("thread_storm: leaked_blocks", s["leaked_blocks"], 0)
    ms.check_eq("thread_storm: leaked_bytes", s["leaked_bytes"], 0)
    ms.check_stack_sums("thread_storm", doc)
    vg, _, _ = ms.memcheck([prog], "thread_storm")
    _, dh = ms.dhat([prog], "thread_storm")
    ms.check_vs_memcheck_without_dtv("thread_storm", doc, vg, dh)


ms.main(test)

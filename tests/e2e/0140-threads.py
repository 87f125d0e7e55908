#!/usr/bin/env python3
"""threads: 4 threads allocate 100 blocks each (main frees them after join),
each leaks one block; a producer thread's blocks are freed by a consumer
thread as they arrive. Figures of the program's own stacks are exact;
totals equal memcheck's once glibc's DTV blocks (sized by the number of TLS
modules, which the runtime changes) are taken out on both sides."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import mslib as ms


def test():
    prog = ms.target("threads")
    trace, _ = ms.record([prog], "threads")
    doc = ms.ms_report(trace)
    s = doc["summary"]
    ms.check_eq("threads: leaked_bytes", s["leaked_bytes"], 4006)
    ms.check_eq("threads: leaked_blocks", s["leaked_blocks"], 4)

    ta = ms.stacks_from(doc, "thread_alloc", index=0)
    ms.check_eq("thread_alloc: allocations", ms.sum_metric(ta, "allocations"), 400)
    ms.check_eq("thread_alloc: frees (by main)", ms.sum_metric(ta, "frees"), 400)
    ms.check_eq("thread_alloc: bytes", ms.sum_metric(ta, "bytes_allocated"), 16000)
    ms.check_eq("thread_alloc: peak_bytes (all live at the global peak)", ms.sum_metric(ta, "peak_bytes"), 16000)
    pa = ms.stacks_from(doc, "producer_alloc", index=0)
    ms.check_eq("producer_alloc: allocations", ms.sum_metric(pa, "allocations"), 50)
    ms.check_eq("producer_alloc: frees (by the consumer thread)", ms.sum_metric(pa, "frees"), 50)
    ms.check_eq("producer_alloc: bytes", ms.sum_metric(pa, "bytes_allocated"), 3200)
    line = ms.marker_line("tests/targets/threads.c", "/* LEAK-LINE */")
    st = ms.check_leak_stack("threads", doc, "leak_here", "threads.c", line, 4006, blocks=4,
                             callers=("worker",))
    if st:
        ms.check_eq("threads: leak stack allocations", st["allocations"], 4)

    dtv = ms.dtv_stacks(doc)
    ms.check_eq("threads: peak_bytes without glibc's DTV blocks",
                s["peak_bytes"] - ms.sum_metric(dtv, "peak_bytes"), 20006)
    ms.check_eq("threads: allocations = own 454 + DTV", s["allocations"], 454 + ms.sum_metric(dtv, "allocations"))
    ms.check_stack_sums("threads", doc)

    vg, _, _ = ms.memcheck([prog], "threads")
    gmax, dh = ms.dhat([prog], "threads")
    ms.check_vs_memcheck_without_dtv("threads", doc, vg, dh)
    _, _, vdtv_gmax = ms.dhat_matching(dh, ms.DTV_FUNCS)
    ms.check_eq("threads: peak_bytes without DTV equals DHAT t-gmax without DTV",
                s["peak_bytes"] - ms.sum_metric(dtv, "peak_bytes"), gmax - vdtv_gmax)


ms.main(test)

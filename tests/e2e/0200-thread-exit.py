#!/usr/bin/env python3
"""thread_exit: exit(3) from a non-main thread while main waits in
pthread_join. The exit status passes through, the trace is complete
(not truncated), and the figures equal memcheck's (the running thread's
DTV is still in use at exit, as valgrind sees it)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import mslib as ms


def test():
    prog = ms.target("thread_exit")
    trace, _ = ms.record([prog], "thread_exit", want_status=3)
    doc = ms.ms_report(trace)
    s = doc["summary"]
    ms.check_eq("thread_exit: truncated", s["truncated"], False)
    dtv = ms.dtv_stacks(doc)
    ms.check_eq("thread_exit: DTV allocations", ms.sum_metric(dtv, "allocations"), 1)
    ms.check_eq("thread_exit: allocations", s["allocations"], 8)
    ms.check_eq("thread_exit: frees", s["frees"], 2)
    ms.check_eq("thread_exit: bytes_allocated without the DTV",
                s["bytes_allocated"] - ms.sum_metric(dtv, "bytes_allocated"), 1341)
    ms.check_eq("thread_exit: leaked_blocks", s["leaked_blocks"], 6)
    ms.check_eq("thread_exit: leaked_bytes without the DTV",
                s["leaked_bytes"] - ms.sum_metric(dtv, "leaked_bytes"), 1141)
    ta = ms.stacks_from(doc, "thread_alloc", index=0)
    ms.check_eq("thread_alloc: allocations", ms.sum_metric(ta, "allocations"), 5)
    ms.check_eq("thread_alloc: leaked_bytes", ms.sum_metric(ta, "leaked_bytes"), 300)
    line = ms.marker_line("tests/targets/thread_exit.c", "/* LEAK-LINE */")
    ms.check_leak_stack("thread_exit", doc, "leak_here", "thread_exit.c", line, 777, callers=("worker",))
    ms.check_stack_sums("thread_exit", doc)
    vg, _, vp = ms.memcheck([prog], "thread_exit")
    ms.check_eq("valgrind: exit status 3", vp.returncode, 3)
    gmax, dh = ms.dhat([prog], "thread_exit")
    ms.check_vs_memcheck_without_dtv("thread_exit", doc, vg, dh)


ms.main(test)

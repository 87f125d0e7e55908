#!/usr/bin/env python3
"""signal_alloc: allocations in signal handlers (1000 raise(SIGUSR1), 200
SIGALRM from setitimer taken in sigsuspend); exact totals, equal to
memcheck's, peak equal to DHAT's."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import mslib as ms


def test():
    prog = ms.target("signal_alloc")
    trace, _ = ms.record([prog], "signal_alloc")
    doc = ms.ms_report(trace)
    s = doc["summary"]
    ms.check_summary("signal_alloc", s, {
        "allocations": 1210, "frees": 1200, "bytes_allocated": 41680, "peak_bytes": 128,
        "leaked_bytes": 80, "leaked_blocks": 10, "temporary_allocations": 1200})
    u = ms.stacks_from(doc, "usr1_alloc", index=0)
    ms.check_eq("usr1_alloc: allocations", ms.sum_metric(u, "allocations"), 1000)
    ms.check("usr1_alloc stack goes through the handler on_usr1",
             all(ms.stacks_from({"stacks": [st]}, "on_usr1") for st in u) and len(u) > 0)
    a = ms.stacks_from(doc, "alrm_alloc", index=0)
    ms.check_eq("alrm_alloc: allocations", ms.sum_metric(a, "allocations"), 200)
    line = ms.marker_line("tests/targets/signal_alloc.c", "/* LEAK-LINE */")
    ms.check_leak_stack("signal_alloc", doc, "leak_here", "signal_alloc.c", line, 80, blocks=10,
                        callers=("on_usr1",))
    ms.check_stack_sums("signal_alloc", doc)
    vg, _, _ = ms.memcheck([prog], "signal_alloc")
    ms.check_vs_memcheck("signal_alloc", s, vg)
    gmax, _ = ms.dhat([prog], "signal_alloc")
    ms.check_eq("signal_alloc: peak_bytes equals DHAT t-gmax", s["peak_bytes"], gmax)


ms.main(test)

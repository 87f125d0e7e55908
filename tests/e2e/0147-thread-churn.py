#!/usr/bin/env python3
"""thread_churn: 500 short-lived threads (10 at a time); no event of an
exited thread is lost: exact own figures, totals equal memcheck's with the
DTV blocks taken out on both sides."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import mslib as ms


def test():
    prog = ms.target("thread_churn")
    trace, _ = ms.record([prog], "thread_churn")
    doc = ms.ms_report(trace)
    s = doc["summary"]
    ca = ms.stacks_from(doc, "churn_alloc", index=0)
    ms.check_eq("churn_alloc: allocations", ms.sum_metric(ca, "allocations"), 4500)
    ms.check_eq("churn_alloc: frees", ms.sum_metric(ca, "frees"), 4500)
    ms.check_leak_stack("thread_churn", doc, "churn_leak", "thread_churn.c",
                        ms.marker_line("tests/targets/thread_churn.c", "/* LEAK-LINE */"), 24000, blocks=500,
                        callers=("worker",))
    ms.check_eq("thread_churn: leaked_bytes", s["leaked_bytes"], 24000)
    ms.check_eq("thread_churn: leaked_blocks", s["leaked_blocks"], 500)
    ms.check_eq("thread_churn: truncated", s["truncated"], False)
    ms.check_stack_sums("thread_churn", doc)
    vg, _, _ = ms.memcheck([prog], "thread_churn")
    _, dh = ms.dhat([prog], "thread_churn")
    ms.check_vs_memcheck_without_dtv("thread_churn", doc, vg, dh)


ms.main(test)

#!/usr/bin/env python3
"""exit_busy: main returns while 4 detached threads keep allocating. The
program exits with 0 under memscope (no crash or hang in the runtime's exit
path), and the trace is complete and consistent. Run 5 times: the race
differs each time."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import mslib as ms


def test():
    prog = ms.target("exit_busy")
    for i in range(5):
        trace, p = ms.record([prog], "exit_busy-%d" % i)
        r = ms.ms_report_raw(trace)
        if not ms.check_eq("run %d: report exit status" % i, r.returncode, 0):
            ms.show(r, "report")
            continue
        doc = ms.parse_report(r)
        s = doc["summary"]
        print("summary: allocations %d frees %d leaked_blocks %d truncated %s" % (
            s["allocations"], s["frees"], s["leaked_blocks"], s["truncated"]))
        ms.check_eq("run %d: truncated" % i, s["truncated"], False)
        ms.check_ge("run %d: allocations" % i, s["allocations"], 4000)
        busy = ms.stacks_from(doc, "busy_alloc", index=0)
        n = ms.sum_metric(busy, "allocations")
        ms.check("run %d: busy_alloc frees >= allocations - 4 (%d, %d)" % (i, ms.sum_metric(busy, "frees"), n),
                 ms.sum_metric(busy, "frees") >= n - 4)
        ms.check_eq("run %d: leaked_blocks = allocations - frees" % i, s["leaked_blocks"],
                    s["allocations"] - s["frees"])
        ms.check_stack_sums("run %d" % i, doc)


ms.main(test)

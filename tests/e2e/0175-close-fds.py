#!/usr/bin/env python3
"""close_fds: the program closes every descriptor above 2 and dup2s over
stdin between two batches of allocations (as daemons do). Recording goes
on: the trace is complete and holds both batches; figures equal memcheck's."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import mslib as ms


def test():
    prog = ms.target("close_fds")
    trace, p = ms.record([prog], "close_fds")
    ms.check_eq("close_fds: nothing from memscope but its own lines on stderr",
                [l for l in p.stderr.decode(errors="replace").splitlines()
                 if "cannot" in l or "error" in l.lower()], [])
    doc = ms.ms_report(trace)
    s = doc["summary"]
    ms.check_summary("close_fds", s, {
        "allocations": 21, "frees": 10, "bytes_allocated": 3064, "leaked_bytes": 1564, "leaked_blocks": 11,
        "truncated": False})
    ms.check_eq("after_close: allocations", ms.sum_metric(ms.stacks_from(doc, "after_close", index=0),
                                                          "allocations"), 10)
    ms.check_leak_stack("close_fds", doc, "leak_here", "close_fds.c",
                        ms.marker_line("tests/targets/close_fds.c", "/* LEAK-LINE */"), 64, callers=("main",))
    vg, _, _ = ms.memcheck([prog], "close_fds")
    ms.check_vs_memcheck("close_fds", s, vg)


ms.main(test)

#!/usr/bin/env python3
"""fork_recent: a fork child allocates from the stack its parent used last
before the fork. The runtime keeps each thread's last stacks to skip the
shared stack table; in the child, whose trace is a new file, that stack must
still be defined (a STACK record) and the report must name it."""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import mslib as ms


def test():
    prog = ms.target("fork_recent")
    trace, p = ms.record([prog], "fork_recent")
    m = re.search(rb"child (\d+)", p.stdout)
    if not m:
        ms.show(p, "fork_recent")
        raise ms.Fatal("fork_recent printed no child pid")
    ctrace = "%s.%d" % (trace, int(m.group(1)))
    if not ms.check("child trace exists", os.path.exists(ctrace)):
        raise ms.Fatal("no child trace")
    par = ms.ms_report(trace)
    chi = ms.ms_report(ctrace)
    ms.check_summary("parent", par["summary"], {"allocations": 1, "frees": 1, "bytes_allocated": 64,
                                                "leaked_bytes": 0})
    # the child's totals include the parent's history before the fork
    ms.check_summary("child", chi["summary"], {"allocations": 2, "frees": 1, "bytes_allocated": 129,
                                               "leaked_bytes": 65, "leaked_blocks": 1})
    line = ms.marker_line("tests/targets/fork_recent.c", "/* SITE-LINE */")
    ms.check_leak_stack("child", chi, "site", "fork_recent.c", line, 65, callers=("main",))
    ms.check_eq("child: the stack's own allocations", ms.sum_metric(ms.stacks_from(chi, "site"), "allocations"), 1)


ms.main(test)

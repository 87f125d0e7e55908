#!/usr/bin/env python3
"""fork_child: the child writes its own trace at <trace>.<childpid>; blocks
it inherited count as its allocations and as live, like valgrind
--trace-children=yes does; parent and child figures exact and equal to
memcheck's for each process, peaks equal to DHAT's."""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import mslib as ms

PARENT = {"allocations": 5, "frees": 2, "bytes_allocated": 4670, "peak_bytes": 4400,
          "leaked_bytes": 470, "leaked_blocks": 3}
CHILD = {"allocations": 5, "frees": 2, "bytes_allocated": 1650, "peak_bytes": 1500,
         "leaked_bytes": 550, "leaked_blocks": 3}


def child_pid(p):
    m = re.search(rb"child (\d+)", p.stdout)
    if not m:
        ms.show(p, "fork_child")
        raise ms.Fatal("fork_child printed no child pid")
    return int(m.group(1))


def test():
    prog = ms.target("fork_child")
    trace, p = ms.record([prog], "fork")
    pid = child_pid(p)
    d = os.path.dirname(trace)
    print("files: %s" % sorted(os.listdir(d)))
    ctrace = "%s.%d" % (trace, pid)
    if not ms.check("child trace %s exists" % os.path.basename(ctrace), os.path.exists(ctrace)):
        raise ms.Fatal("no child trace")
    ms.check_eq("exactly the parent's and the child's trace", sorted(os.listdir(d)),
                sorted([os.path.basename(trace), os.path.basename(ctrace)]))

    par = ms.ms_report(trace)
    chi = ms.ms_report(ctrace)
    ms.check_summary("parent", par["summary"], PARENT)
    ms.check_summary("child", chi["summary"], CHILD)
    src = "tests/targets/fork_child.c"
    ms.check_leak_stack("child", chi, "child_leak", "fork_child.c", ms.marker_line(src, "/* LEAK-LINE */"), 50,
                        callers=("in_child", "main"))
    ms.check_leak_stack("parent", par, "parent_leak", "fork_child.c",
                        ms.marker_line(src, "/* LEAK-LINE-PARENT */"), 70, callers=("in_parent", "main"))
    # Inherited blocks keep the stack they were allocated at, in the child too.
    inh = ms.stacks_from(chi, "before_fork", index=0)
    ms.check_eq("child: inherited allocations (before_fork)", ms.sum_metric(inh, "allocations"), 3)
    ms.check_eq("child: inherited blocks still live (B, C)", ms.sum_metric(inh, "leaked_bytes"), 500)
    ms.check_eq("child: no parent_leak stack", len(ms.stacks_from(chi, "parent_leak")), 0)
    ms.check_eq("parent: no child_leak stack", len(ms.stacks_from(par, "child_leak")), 0)
    ms.check_stack_sums("parent", par)
    ms.check_stack_sums("child", chi)

    root, per_pid, vp = ms.memcheck([prog], "fork", children=True)
    vchild = per_pid.get(child_pid(vp))
    if not vchild:
        raise ms.Fatal("no memcheck summary for the child")
    ms.check_vs_memcheck("parent", par["summary"], root)
    ms.check_vs_memcheck("child", chi["summary"], vchild)


ms.main(test)

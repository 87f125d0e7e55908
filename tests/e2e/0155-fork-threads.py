#!/usr/bin/env python3
"""fork_threads: 20 forks while 4 threads allocate. No child hangs (a hang
here is a lock held across fork), every child writes a complete trace with
exactly its own work, and the parent's worker figures are exact."""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import mslib as ms


def test():
    prog = ms.target("fork_threads")
    trace, p = ms.record([prog], "fork_threads")
    pids = [int(x) for x in re.findall(rb"child (\d+)", p.stdout)]
    ms.check_eq("fork_threads: children", len(pids), 20)
    par = ms.ms_report(trace)
    w = ms.stacks_from(par, "worker_alloc", index=0)
    ms.check_eq("parent: worker_alloc allocations", ms.sum_metric(w, "allocations"), 800000)
    ms.check_eq("parent: worker_alloc frees", ms.sum_metric(w, "frees"), 800000)
    ms.check_eq("parent: worker_alloc bytes", ms.sum_metric(w, "bytes_allocated"), 800000 * 32)
    ms.check_eq("parent: no child_work", len(ms.stacks_from(par, "child_work")), 0)
    ms.check_eq("parent: leaked_blocks", par["summary"]["leaked_blocks"], 0)
    line = ms.marker_line("tests/targets/fork_threads.c", "/* LEAK-LINE */")
    bad = []
    for pid in pids:
        ct = "%s.%d" % (trace, pid)
        if not os.path.exists(ct):
            bad.append((pid, "no trace"))
            continue
        r = ms.ms_report_raw(ct)
        if r.returncode:
            bad.append((pid, "report exit %d: %s" % (r.returncode, r.stderr.decode(errors="replace").strip())))
            continue
        doc = ms.parse_report(r, "child %d" % pid)
        s = doc["summary"]
        cw = ms.stacks_from(doc, "child_work", index=0)
        cl = ms.stacks_from(doc, "child_leak", index=0)
        wa = ms.stacks_from(doc, "worker_alloc", index=0)
        got = (s["truncated"], ms.sum_metric(cw, "allocations"), ms.sum_metric(cw, "frees"),
               ms.sum_metric(cw, "bytes_allocated"), ms.sum_metric(cl, "leaked_bytes"),
               ms.sum_metric(wa, "frees"), ms.sum_metric(wa, "allocations") <= 4,
               s["leaked_bytes"] - ms.sum_metric(wa, "leaked_bytes"))
        want = (False, 10, 10, 1000, 77, 0, True, 77)
        if got != want:
            bad.append((pid, "got %r want %r (truncated, child_work allocs/frees/bytes, child_leak bytes, "
                        "worker frees, worker allocs <= 4, leaked minus inherited)" % (got, want)))
        if cl:
            ms.check_frame("child %d leak" % pid, cl[0]["frames"][0], "child_leak", "fork_threads.c", line) \
                if pid == pids[0] else None
    ms.check_eq("fork_threads: children whose trace is wrong", bad, [])


ms.main(test)

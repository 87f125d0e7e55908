#!/usr/bin/env python3
"""many_live: 200,000 blocks live at its peak, every other one freed. The
runtime's live table grows many times; the figures are exact, both with its
reserved region and in an address space too small to reserve it (the
tables are then allocated one by one)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import mslib as ms

N = 200000
SIZES = [(i % 7 + 1) * 16 for i in range(N)]
ARRAY = N * 8


def check(name, trace):
    doc = ms.ms_report(trace)
    st = ms.stacks_from(doc, "one_block", index=0)
    ms.check_eq("%s: one_block allocations" % name, ms.sum_metric(st, "allocations"), N)
    ms.check_eq("%s: one_block bytes" % name, ms.sum_metric(st, "bytes_allocated"), sum(SIZES))
    ms.check_eq("%s: one_block frees" % name, ms.sum_metric(st, "frees"), N // 2)
    ms.check_eq("%s: one_block live at exit" % name, ms.sum_metric(st, "leaked_bytes"), sum(SIZES[1::2]))
    ms.check_eq("%s: one_block at the peak" % name, ms.sum_metric(st, "peak_bytes"), sum(SIZES))
    s = doc["summary"]
    ms.check_eq("%s: reachable at exit (the array and half the blocks)" % name, s["reachable_bytes"],
                sum(SIZES[1::2]) + ARRAY)
    ms.check_stack_sums(name, doc)


def test():
    prog = ms.target("many_live")
    trace, _ = ms.record([prog], "many-live")
    check("many_live", trace)
    # 2 GiB of address space: the runtime's 64 GiB reservation fails
    d = ms.tmpdir("many-live-as")
    small = os.path.join(d, "trace.mst")
    p = ms.run(["prlimit", "--as=%d" % (2 << 30), "--", ms.MEMSCOPE, "run", "-o", small, "--", prog], cwd=d)
    ms.check_eq("many_live in 2 GiB of address space: exit status (%s)" % p.stderr.decode()[-300:],
                p.returncode, 0)
    check("many_live in 2 GiB", small)


ms.main(test)

#!/usr/bin/env python3
"""realloc_chain: realloc from NULL, grow, same size, shrink, to 0, counted
like memcheck; peak like DHAT (a realloc frees the old block before the new
one counts); the leaking realloc line."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import mslib as ms


def test():
    prog = ms.target("realloc_chain")
    trace, _ = ms.record([prog], "realloc")
    doc = ms.ms_report(trace)
    s = doc["summary"]
    ms.check_summary("realloc_chain", s, {
        "allocations": 8, "frees": 7, "bytes_allocated": 13460, "peak_bytes": 6300,
        "leaked_bytes": 300, "leaked_blocks": 1, "truncated": False})
    line = ms.marker_line("tests/targets/realloc_chain.c", "/* LEAK-LINE */")
    ms.check_leak_stack("realloc_chain", doc, "leak_here", "realloc_chain.c", line, 300, callers=("main",))
    one = ms.stacks_from(doc, "chain_one", index=0)
    ms.check_eq("chain_one: allocations", ms.sum_metric(one, "allocations"), 4)
    ms.check_eq("chain_one: bytes", ms.sum_metric(one, "bytes_allocated"), 2110)
    ms.check_eq("chain_one: leaked", ms.sum_metric(one, "leaked_bytes"), 0)
    big = ms.stacks_from(doc, "big_block", index=0)
    ms.check_eq("big_block: allocations", ms.sum_metric(big, "allocations"), 2)
    ms.check_eq("big_block: bytes", ms.sum_metric(big, "bytes_allocated"), 11000)
    ms.check_stack_sums("realloc_chain", doc)

    vg, _, _ = ms.memcheck([prog], "realloc")
    ms.check_vs_memcheck("realloc_chain", s, vg)
    gmax, _ = ms.dhat([prog], "realloc")
    ms.check_eq("realloc_chain: peak_bytes equals DHAT t-gmax", s["peak_bytes"], gmax)


ms.main(test)

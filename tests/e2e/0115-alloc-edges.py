#!/usr/bin/env python3
"""alloc_edges: zero sizes, reallocarray, failed allocations (not counted;
a failed realloc leaves its block alone), free(NULL) (not counted); figures
equal memcheck's and DHAT's."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import mslib as ms


def test():
    prog = ms.target("alloc_edges")
    trace, _ = ms.record([prog], "alloc_edges")
    doc = ms.ms_report(trace)
    s = doc["summary"]
    ms.check_summary("alloc_edges", s, {
        "allocations": 6, "frees": 5, "bytes_allocated": 304, "peak_bytes": 160,
        "leaked_bytes": 64, "leaked_blocks": 1})
    z = ms.stacks_from(doc, "zero_sizes", index=0)
    ms.check_eq("zero_sizes: allocations", ms.sum_metric(z, "allocations"), 3)
    ms.check_eq("zero_sizes: bytes", ms.sum_metric(z, "bytes_allocated"), 0)
    ms.check_eq("zero_sizes: frees", ms.sum_metric(z, "frees"), 3)
    a = ms.stacks_from(doc, "array_realloc", index=0)
    ms.check_eq("array_realloc: allocations", ms.sum_metric(a, "allocations"), 2)
    ms.check_eq("array_realloc: bytes", ms.sum_metric(a, "bytes_allocated"), 240)
    f = ms.stacks_from(doc, "failures", index=0)
    ms.check_eq("failures: allocations (only the 64-byte malloc)", ms.sum_metric(f, "allocations"), 1)
    ms.check_leak_stack("alloc_edges", doc, "failures", "alloc_edges.c",
                        ms.marker_line("tests/targets/alloc_edges.c", "/* LEAK-LINE */"), 64, callers=("main",))
    ms.check_stack_sums("alloc_edges", doc)
    vg, _, _ = ms.memcheck([prog], "alloc_edges")
    ms.check_vs_memcheck("alloc_edges", s, vg)
    gmax, _ = ms.dhat([prog], "alloc_edges")
    ms.check_eq("alloc_edges: peak_bytes equals DHAT t-gmax", s["peak_bytes"], gmax)


ms.main(test)

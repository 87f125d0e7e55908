#!/usr/bin/env python3
"""aligned: posix_memalign, aligned_alloc, memalign, valloc (requested size
counted), a failing posix_memalign (not counted); pvalloc separately, since
valgrind aborts on it. The target exits 1 if a block is misaligned under the
runtime."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import mslib as ms


def test():
    prog = ms.target("aligned")
    trace, _ = ms.record([prog], "aligned")
    doc = ms.ms_report(trace)
    s = doc["summary"]
    ms.check_summary("aligned", s, {
        "allocations": 5, "frees": 4, "bytes_allocated": 1704, "peak_bytes": 1704,
        "leaked_bytes": 48, "leaked_blocks": 1})
    line = ms.marker_line("tests/targets/aligned.c", "/* LEAK-LINE */")
    ms.check_leak_stack("aligned", doc, "leak_here", "aligned.c", line, 48, callers=("main",))
    ms.check_stack_sums("aligned", doc)
    vg, _, _ = ms.memcheck([prog], "aligned")
    ms.check_vs_memcheck("aligned", s, vg)
    gmax, _ = ms.dhat([prog], "aligned")
    ms.check_eq("aligned: peak_bytes equals DHAT t-gmax", s["peak_bytes"], gmax)

    # pvalloc(1000): one more allocation and free. Valgrind cannot say what
    # to count; the requested 1000 or the page-rounded 4096 are both taken.
    trace, _ = ms.record([prog, "pvalloc"], "aligned-pvalloc")
    doc = ms.ms_report(trace)
    s = doc["summary"]
    ms.check_eq("pvalloc: allocations", s["allocations"], 6)
    ms.check_eq("pvalloc: frees", s["frees"], 5)
    pv = ms.stacks_from(doc, "pvalloc_here", index=0)
    ms.check_eq("pvalloc: allocations from pvalloc_here", ms.sum_metric(pv, "allocations"), 1)
    size = ms.sum_metric(pv, "bytes_allocated")
    ms.check_in("pvalloc: bytes from pvalloc_here", size, (1000, 4096))
    ms.check_eq("pvalloc: bytes_allocated", s["bytes_allocated"], 1704 + size)
    ms.check_eq("pvalloc: peak_bytes", s["peak_bytes"], 1704 + size)
    ms.check_eq("pvalloc: leaked_bytes", s["leaked_bytes"], 48)


ms.main(test)

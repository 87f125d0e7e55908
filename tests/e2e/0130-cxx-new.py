#!/usr/bin/env python3
"""cxx_new: every operator new/delete variant (plain, array, nothrow, sized,
aligned, over-aligned types); libstdc++'s emergency pool counted like
memcheck (allocated at start, freed by __gnu_cxx::__freeres); the leaking
new[] line (leak_here in cxx_new.cpp, demangled)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import mslib as ms

# (function, allocations, bytes) of the program's own stacks
OWN = [("plain_new", 1, 4), ("array_new", 1, 40), ("nothrow_new", 2, 34),
       ("sized_delete", 2, 72), ("cookie_array", 1, 56), ("aligned_types", 3, 512),
       ("aligned_explicit", 3, 364), ("leak_here", 1, 100)]


def test():
    prog = ms.target("cxx_new")
    trace, _ = ms.record([prog], "cxx_new")
    doc = ms.ms_report(trace)
    s = doc["summary"]
    ms.check_summary("cxx_new", s, {
        "allocations": 15, "frees": 14, "bytes_allocated": 73886, "peak_bytes": 72960,
        "leaked_bytes": 100, "leaked_blocks": 1})
    for fn, n, b in OWN:
        sts = ms.stacks_from(doc, fn, index=0)
        ms.check_eq("%s: allocations" % fn, ms.sum_metric(sts, "allocations"), n)
        ms.check_eq("%s: bytes_allocated" % fn, ms.sum_metric(sts, "bytes_allocated"), b)
        ms.check_eq("%s: frees" % fn, ms.sum_metric(sts, "frees"), 0 if fn == "leak_here" else n)
    line = ms.marker_line("tests/targets/cxx_new.cpp", "/* LEAK-LINE */")
    ms.check_leak_stack("cxx_new", doc, "leak_here", "cxx_new.cpp", line, 100, callers=("main",))
    ms.check_stack_sums("cxx_new", doc)

    vg, _, _ = ms.memcheck([prog], "cxx_new")
    ms.check_vs_memcheck("cxx_new", s, vg)
    gmax, _ = ms.dhat([prog], "cxx_new")
    ms.check_eq("cxx_new: peak_bytes equals DHAT t-gmax", s["peak_bytes"], gmax)


ms.main(test)

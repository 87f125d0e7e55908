#!/usr/bin/env python3
"""dlopen: a library loaded with dlopen allocates and leaks, then is
unloaded with dlclose; the leak's stack still symbolizes to libdlalloc.c
(function, line, module libdlalloc.so). Totals equal memcheck's on the same
binary (ld.so's own blocks hold the path, so bytes depend on the directory)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import mslib as ms


def test():
    prog = ms.target("dlopen")
    ms.target("libdlalloc.so")
    trace, _ = ms.record([prog], "dlopen")
    doc = ms.ms_report(trace)
    s = doc["summary"]
    ms.check_eq("dlopen: leaked_bytes", s["leaked_bytes"], 4096)
    ms.check_eq("dlopen: leaked_blocks", s["leaked_blocks"], 1)
    line = ms.marker_line("tests/targets/libdlalloc.c", "/* LEAK-LINE */")
    st = ms.check_leak_stack("dlopen", doc, "dl_leak_here", "libdlalloc.c", line, 4096,
                             callers=("dl_work", "main"))
    if st:
        ms.check_eq("dlopen: module of the leaking frame",
                    os.path.basename(str(st["frames"][0]["module"])), "libdlalloc.so")
    work = ms.stacks_from(doc, "dl_work", index=0)
    ms.check_eq("dl_work: allocations", ms.sum_metric(work, "allocations"), 3)
    ms.check_eq("dl_work: bytes", ms.sum_metric(work, "bytes_allocated"), 1536)
    ms.check_eq("dl_work: frees", ms.sum_metric(work, "frees"), 3)
    ms.check_stack_sums("dlopen", doc)

    vg, _, _ = ms.memcheck([prog], "dlopen")
    ms.check_vs_memcheck("dlopen", s, vg)
    gmax, _ = ms.dhat([prog], "dlopen")
    ms.check_eq("dlopen: peak_bytes equals DHAT t-gmax", s["peak_bytes"], gmax)


ms.main(test)

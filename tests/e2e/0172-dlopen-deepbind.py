#!/usr/bin/env python3
"""dlopen deepbind: a library opened with RTLD_DEEPBIND binds malloc/free
to libc's before any preloaded library. Its allocations (3 x 512 freed,
4096 leaked at dl_leak_here) must still be recorded, as valgrind records
them: same totals as memcheck, and the leak at libdlalloc.c LEAK-LINE."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import mslib as ms


def test():
    prog = ms.target("dlopen")
    trace, _ = ms.record([prog, "deepbind"], "deepbind")
    doc = ms.ms_report(trace)
    s = doc["summary"]
    work = ms.stacks_from(doc, "dl_work", index=0)
    ms.check_eq("deepbind: allocations in dl_work", ms.sum_metric(work, "allocations"), 3)
    ms.check_eq("deepbind: leaked_bytes", s["leaked_bytes"], 4096)
    ms.check_leak_stack("deepbind", doc, "dl_leak_here", "libdlalloc.c",
                        ms.marker_line("tests/targets/libdlalloc.c", "/* LEAK-LINE */"), 4096,
                        callers=("dl_work", "main"))
    vg, _, _ = ms.memcheck([prog, "deepbind"], "deepbind")
    ms.check_vs_memcheck("deepbind", s, vg)


ms.main(test)

#!/usr/bin/env python3
"""dlopen reuse: libdlalloc.so is loaded, used and unloaded, then
libdlalloc2.so is loaded (usually at the same address), used and unloaded.
Each leak symbolizes to its own library: the module map is per time, not
per address."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import mslib as ms


def test():
    prog = ms.target("dlopen")
    ms.target("libdlalloc2.so")
    trace, _ = ms.record([prog, "two"], "dlopen-two")
    doc = ms.ms_report(trace)
    ms.check_eq("two libraries: leaked_bytes", doc["summary"]["leaked_bytes"], 4096 + 2048)
    st = ms.check_leak_stack("first library", doc, "dl_leak_here", "libdlalloc.c",
                             ms.marker_line("tests/targets/libdlalloc.c", "/* LEAK-LINE */"), 4096,
                             callers=("dl_work", "main"))
    if st:
        ms.check_eq("first library: module", os.path.basename(str(st["frames"][0]["module"])), "libdlalloc.so")
    st = ms.check_leak_stack("second library", doc, "dl2_leak_here", "libdlalloc2.c",
                             ms.marker_line("tests/targets/libdlalloc2.c", "/* LEAK-LINE */"), 2048,
                             callers=("dl2_work", "main"))
    if st:
        ms.check_eq("second library: module", os.path.basename(str(st["frames"][0]["module"])), "libdlalloc2.so")
    vg, _, _ = ms.memcheck([prog, "two"], "dlopen-two")
    ms.check_vs_memcheck("two libraries", doc["summary"], vg)


ms.main(test)

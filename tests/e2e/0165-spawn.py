#!/usr/bin/env python3
"""spawn: a child started with posix_spawn (vfork-like, no fork handlers)
runs `basic` under the runtime and writes <trace>.<childpid> with basic's
figures; the parent's trace is not disturbed by the child sharing its
memory until the exec."""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import mslib as ms


def test():
    prog = ms.target("spawn")
    trace, p = ms.record([prog], "spawn")
    m = re.search(rb"child (\d+)", p.stdout)
    if not m:
        raise ms.Fatal("spawn printed no child pid")
    pid = int(m.group(1))
    d = os.path.dirname(trace)
    files = sorted(os.listdir(d))
    print("files: %s" % files)
    par = ms.ms_report(trace)
    ms.check_summary("spawn parent", par["summary"], {
        "allocations": 2, "frees": 1, "bytes_allocated": 330, "leaked_bytes": 30, "leaked_blocks": 1,
        "truncated": False})
    ms.check_leak_stack("spawn parent", par, "parent_leak", "spawn.c",
                        ms.marker_line("tests/targets/spawn.c", "/* LEAK-LINE */"), 30, callers=("main",))
    ct = "%s.%d" % (trace, pid)
    if ms.check("spawned child's trace %s exists" % os.path.basename(ct), os.path.exists(ct)):
        doc = ms.ms_report(ct)
        ms.check_summary("spawned basic", doc["summary"], {
            "allocations": 6, "frees": 5, "bytes_allocated": 4600, "peak_bytes": 3500,
            "leaked_bytes": 100, "leaked_blocks": 1, "truncated": False})
    for f in files:
        if f.endswith(".pre-exec"):
            ms.check_eq("%s can be reported" % f, ms.ms_report_raw(os.path.join(d, f)).returncode, 0)
    vg, _, _ = ms.memcheck([prog], "spawn")
    ms.check_vs_memcheck("spawn parent", par["summary"], vg)


ms.main(test)

#!/usr/bin/env python3
"""quick_exit: _exit(7) right after allocating, with unflushed stdout. The
program's behaviour is kept (nothing printed, status 7), the trace is
complete (not truncated), and the figures are those of the plain run; see
tests/targets/quick_exit.c for why valgrind's differ here. The exit scan
runs at _exit as at exit: both blocks are still reachable."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import mslib as ms


def test():
    prog = ms.target("quick_exit")
    direct = ms.run([prog])
    ms.check_eq("direct run: stdout", direct.stdout, b"")
    ms.check_eq("direct run: status", direct.returncode, 7)
    trace, p = ms.record([prog], "quick_exit", want_status=7)
    ms.check_eq("under memscope: stdout (unflushed data stays unflushed)", p.stdout, b"")
    doc = ms.ms_report(trace)
    ms.check_summary("quick_exit", doc["summary"], {
        "allocations": 3, "frees": 1, "bytes_allocated": 7096, "leaked_bytes": 6096, "leaked_blocks": 2,
        "peak_bytes": 6096, "truncated": False})
    # _exit gets the exit scan too, as memcheck checks leaks there: the
    # 2000-byte block hangs off the global `kept`, the buffer off stdout
    ms.check_summary("quick_exit: exit scan", doc["summary"], {
        "leak_scan": True, "definitely_lost_bytes": 0, "possibly_lost_bytes": 0,
        "reachable_bytes": 6096, "reachable_blocks": 2})
    ms.check_leak_stack("quick_exit", doc, "exit_alloc", "quick_exit.c",
                        ms.marker_line("tests/targets/quick_exit.c", "/* LEAK-LINE */"), 2000, callers=("main",))
    vg, _, _ = ms.memcheck([prog], "quick_exit")
    ms.check_vs_memcheck("quick_exit", doc["summary"], vg, keys=("allocations", "bytes_allocated"))


ms.main(test)

#!/usr/bin/env python3
"""glibc_internal: blocks glibc allocates for the program (strdup, asprintf,
fmemopen, getline, opendir, stdout's buffer) are counted like memcheck counts
them, and strdup's leak is attributed to the program's line, with glibc's
strdup as the first frame."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import mslib as ms


def test():
    prog = ms.target("glibc_internal")
    trace, p = ms.record([prog], "glibc_internal")
    ms.check_eq("glibc_internal: stdout", p.stdout, b"glibc_internal: done\n")
    doc = ms.ms_report(trace)
    s = doc["summary"]
    ms.check_summary("glibc_internal", s, {
        "allocations": 10, "frees": 9, "bytes_allocated": 45966, "peak_bytes": 32825,
        "leaked_bytes": 9, "leaked_blocks": 1})
    leak = [st for st in doc["stacks"] if st["leaked_bytes"]]
    ms.check_eq("glibc_internal: one leaking stack", len(leak), 1)
    if leak:
        fr = leak[0]["frames"]
        print("   stack: %s" % ms.describe_stack(leak[0]))
        line = ms.marker_line("tests/targets/glibc_internal.c", "/* LEAK-LINE */")
        ms.check("glibc_internal: frame 0 is glibc's strdup (%s)" % ms.fn_name(fr[0]) if fr else "no frame",
                 bool(fr) and "strdup" in ms.fn_name(fr[0]))
        ms.check_frame("glibc_internal: frame 1", fr[1] if len(fr) > 1 else {}, "dup_leak", "glibc_internal.c", line)
    dirs = ms.stacks_from(doc, "dir_walk")
    ms.check_eq("dir_walk: bytes (opendir's DIR)", ms.sum_metric(dirs, "bytes_allocated"), 32816)
    ms.check_stack_sums("glibc_internal", doc)
    vg, _, _ = ms.memcheck([prog], "glibc_internal")
    ms.check_vs_memcheck("glibc_internal", s, vg)
    gmax, _ = ms.dhat([prog], "glibc_internal")
    ms.check_eq("glibc_internal: peak_bytes equals DHAT t-gmax", s["peak_bytes"], gmax)


ms.main(test)

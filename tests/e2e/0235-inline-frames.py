#!/usr/bin/env python3
"""inline_frames: frames of inlined functions are expanded from DWARF, each
with its own line and inlined: true, down to the real function."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import mslib as ms


def test():
    prog = ms.target("inline_frames")
    trace, _ = ms.record([prog], "inline_frames")
    doc = ms.ms_report(trace)
    ms.check_summary("inline_frames", doc["summary"], {
        "allocations": 1, "frees": 0, "bytes_allocated": 321, "leaked_bytes": 321, "leaked_blocks": 1})
    src = "tests/targets/inline_frames.c"
    st = ms.check_leak_stack("inline_frames", doc, "leaf_inl", "inline_frames.c", None, 321, inlined=True)
    if not st:
        return
    fr = st["frames"]
    want = [("leaf_inl", ms.marker_line(src, "/* LEAK-LINE */"), True),
            ("mid_inl", ms.marker_line(src, "/* MID-CALL */"), True),
            ("outer_fn", ms.marker_line(src, "/* OUTER-CALL */"), False),
            ("main", None, False)]
    for i, (fn, line, inl) in enumerate(want):
        if len(fr) <= i:
            ms.check("frame %d (%s) exists" % (i, fn), False)
            continue
        ms.check_frame("frame %d" % i, fr[i], fn, "inline_frames.c", line, module="inline_frames")
        ms.check_eq("frame %d inlined" % i, fr[i].get("inlined"), inl)
    vg, _, _ = ms.memcheck([prog], "inline_frames")
    ms.check_vs_memcheck("inline_frames", doc["summary"], vg)


ms.main(test)

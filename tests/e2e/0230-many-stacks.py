#!/usr/bin/env python3
"""many_stacks: 1024 allocations from 1024 distinct call paths; the report
keeps them apart (one stack each, first frame leaf_alloc) and the totals
equal memcheck's."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import mslib as ms


def test():
    prog = ms.target("many_stacks")
    trace, _ = ms.record([prog], "many_stacks")
    doc = ms.ms_report(trace)
    s = doc["summary"]
    ms.check_summary("many_stacks", s, {
        "allocations": 1024, "frees": 1024, "bytes_allocated": 36864, "peak_bytes": 64,
        "leaked_bytes": 0, "leaked_blocks": 0, "temporary_allocations": 1024})
    leaves = ms.stacks_from(doc, "leaf_alloc", index=0)
    ms.check_eq("many_stacks: stacks whose first frame is leaf_alloc", len(leaves), 1024)
    ms.check_eq("many_stacks: each has one allocation", sorted(set(st["allocations"] for st in leaves)), [1])
    paths = set()
    for st in leaves:
        paths.add(tuple(ms.fn_name(f) for f in st["frames"] if ms.fn_name(f) in ("go_left", "go_right")))
    ms.check_eq("many_stacks: distinct go_left/go_right sequences", len(paths), 1024)
    ms.check_eq("many_stacks: each path has 10 go_* frames", sorted(set(len(p) for p in paths)), [10])
    ms.check_stack_sums("many_stacks", doc)
    vg, _, _ = ms.memcheck([prog], "many_stacks")
    ms.check_vs_memcheck("many_stacks", s, vg)


ms.main(test)

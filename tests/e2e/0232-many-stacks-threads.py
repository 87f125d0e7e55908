#!/usr/bin/env python3
"""many_stacks 4 12: 4 threads insert the same 4096 new stacks at the same
time, and the runtime's stack table grows while they do. Each stack must
get one id, so that the report shows 4096 leaf_alloc stacks of exactly 4
allocations each (a lost or duplicated insert splits a stack's count)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import mslib as ms

NT, LEAVES = 4, 4096


def test():
    prog = ms.target("many_stacks")
    trace, _ = ms.record([prog, str(NT), "12"], "many_stacks_mt")
    doc = ms.ms_report(trace)
    leaves = ms.stacks_from(doc, "leaf_alloc", index=0)
    ms.check_eq("stacks whose first frame is leaf_alloc", len(leaves), LEAVES)
    ms.check_eq("allocations of each", sorted(set(st["allocations"] for st in leaves)), [NT])
    ms.check_eq("frees of each", sorted(set(st["frees"] for st in leaves)), [NT])
    ms.check_eq("bytes from leaf_alloc", ms.sum_metric(leaves, "bytes_allocated"),
                NT * (LEAVES // 8) * sum(8 * k for k in range(1, 9)))
    paths = set()
    for st in leaves:
        paths.add(tuple(ms.fn_name(f) for f in st["frames"] if ms.fn_name(f) in ("go_left", "go_right")))
    ms.check_eq("distinct go_left/go_right sequences", len(paths), LEAVES)
    ms.check_stack_sums("many_stacks_mt", doc)


ms.main(test)

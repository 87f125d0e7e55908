#!/usr/bin/env python3
"""many_sites: 1000 allocations from 1000 call sites in main. The walk's
table of unwind rules grows past its first 1024 slots; every stack must
still be site <- main with its own line, and the totals equal memcheck's."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import mslib as ms


def test():
    prog = ms.target("many_sites")
    trace, _ = ms.record([prog], "many_sites")
    doc = ms.ms_report(trace)
    s = doc["summary"]
    ms.check_summary("many_sites", s, {"allocations": 1000, "frees": 1000, "bytes_allocated": 50500,
                                       "leaked_bytes": 0, "leaked_blocks": 0})
    sites = ms.stacks_from(doc, "site", index=0)
    ms.check_eq("stacks whose first frame is site", len(sites), 1000)
    ms.check_eq("allocations of each", sorted(set(st["allocations"] for st in sites)), [1])
    ms.check_eq("second frame of each is main",
                sorted(set(ms.fn_name(st["frames"][1]) if len(st["frames"]) > 1 else None for st in sites)),
                ["main"])
    ms.check_eq("distinct return addresses in main", len(set(st["frames"][1].get("ip") for st in sites)), 1000)
    ms.check_stack_sums("many_sites", doc)
    vg, _, _ = ms.memcheck([prog], "many_sites")
    ms.check_vs_memcheck("many_sites", s, vg)


ms.main(test)

#!/usr/bin/env python3
"""big_bss: a 512 MiB .bss touched at one place and a written .data array
hold two blocks at exit, a third is lost. The exit scan reads only module
pages the program wrote (pagemap: present and anonymous, or swapped) and
still finds both roots: exact leak classes."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import mslib as ms


def test():
    prog = ms.target("big_bss")
    trace, _ = ms.record([prog], "big_bss")
    s = ms.ms_report(trace)["summary"]
    ms.check_eq("allocations", s["allocations"], 3)
    ms.check_eq("bytes_allocated", s["bytes_allocated"], 350)
    ms.check_eq("leaked_bytes", s["leaked_bytes"], 350)
    for key, want in (("reachable_bytes", 300), ("reachable_blocks", 2), ("definitely_lost_bytes", 50),
                      ("definitely_lost_blocks", 1), ("indirectly_lost_bytes", 0), ("possibly_lost_bytes", 0)):
        ms.check_eq(key, s.get(key), want)


ms.main(test)

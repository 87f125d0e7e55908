#!/usr/bin/env python3
"""run --mmap: map_mix's anonymous mappings, partial munmap, mremap and
sbrk (see its header) give exact figures: 434,176 B mapped at exit in 4
ranges, peak 606,208 B, each stack's bytes at exit; the file mapping and
glibc's own mapping of an 8 MiB malloc are not counted. Without --mmap
nothing is recorded; the heap figures are the same either way."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import mslib as ms

PG = 4096


def test():
    prog = ms.target("map_mix")
    trace, _ = ms.record([prog], "mmap", opts=["--mmap", "-q"])
    doc = ms.ms_report(trace, opts=["--by", "mapped", "--top", "100"])
    s = doc["summary"]
    ms.check_summary("map_mix --mmap", s, {
        "mmap_recorded": True, "mapped_bytes": 434176, "mapped_ranges": 4, "mapped_peak_bytes": 606208,
        "mapped_total_bytes": (64 + 16 + 32 + 24 + 12) * PG, "map_calls": 6, "unmap_calls": 4,
        "allocations": 1, "frees": 1, "bytes_allocated": 8 << 20})
    want = {"map_keep": (64 * PG, 64 * PG), "map_trim": (10 * PG, 16 * PG), "map_gone": (0, 32 * PG),
            "map_grow": (0, 8 * PG), "grow": (24 * PG, 16 * PG), "brk_grow": (8 * PG, 12 * PG)}
    for fn, (at_exit, total) in want.items():
        st = [x for x in doc["stacks"] if any(ms.fn_name(f) == fn for f in x["frames"]) and x["mapped_total_bytes"]]
        ms.check_eq("%s: mapped at exit" % fn, ms.sum_metric(st, "mapped_bytes"), at_exit)
        ms.check_eq("%s: mapped in total" % fn, ms.sum_metric(st, "mapped_total_bytes"), total)
    first = doc["stacks"][0]
    ms.check_eq("--by mapped: first stack is map_keep's", ms.fn_name(first["frames"][1]) if len(first["frames"]) > 1
                else None, "map_keep")

    text = ms.run([ms.MEMSCOPE, "report", trace]).stdout.decode()
    ms.check("text report has the mapped line (%r)" % text[:2000],
             "mapped (mmap, brk)     peak 592 KiB (606,208 B)" in text and "at exit 424 KiB (434,176 B) in 4 ranges" in text)

    plain, _ = ms.record([prog], "no-mmap", opts=["-q"])
    p = ms.ms_report(plain)["summary"]
    ms.check_summary("map_mix without --mmap", p, {
        "mmap_recorded": False, "mapped_bytes": 0, "mapped_total_bytes": 0,
        "allocations": 1, "frees": 1, "bytes_allocated": 8 << 20})


ms.main(test)

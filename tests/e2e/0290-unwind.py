#!/usr/bin/env python3
"""memscope's own walk of .eh_frame gives the same stacks as libunwind
(MEMSCOPE_LIBUNWIND=1) on unwind_mix: rbp-based frames, a realigned stack,
allocations after a C++ throw, a second thread, a signal handler (which the
walk hands to libunwind) and a recursion deeper than --depth. Every stack
and its figures are equal between the two runs, and the known ones are
there: 101 x 24 B under fp_frame, 101 x 40 B under aligned_frame, 51 x 56 B
under catcher, 20 x 72 B under on_usr1, 10 x 88 B under recurse with 64
frames, 456 x 104 B under climb, 80,000 x 120 B under branch (whose
stacks turn the runtime's stack paths off and on again). With --depth 8
too, where most of climb's and branch's stacks are cut."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import mslib as ms


def stacks_by_frames(doc):
    out = {}
    for st in doc["stacks"]:
        key = tuple((f["function"], f["file"], f["line"], f["inlined"]) for f in st["frames"])
        figures = tuple(st[k] for k in ("allocations", "frees", "bytes_allocated", "leaked_bytes"))
        prev = out.get(key, (0, 0, 0, 0))
        out[key] = tuple(a + b for a, b in zip(prev, figures))
    return out


def record(name, env, opts=()):
    d = ms.tmpdir(name)
    trace = os.path.join(d, "trace.mst")
    p = ms.ms_run([ms.target("unwind_mix")], trace=trace, opts=["-q"] + list(opts), cwd=d, env=env)
    if p.returncode != 0:
        ms.show(p, "memscope run")
    ms.check_eq("%s: exit status" % name, p.returncode, 0)
    ms.check_eq("%s: output" % name, p.stdout, b"unwind_mix done\n")
    return ms.ms_report(trace)


def same_stacks(what, own, lib):
    a, b = stacks_by_frames(own), stacks_by_frames(lib)
    ms.check_eq("%s: same number of distinct stacks" % what, len(a), len(b))
    for key in sorted(set(a) | set(b), key=str):
        if a.get(key) != b.get(key):
            ms.check_eq("%s: stack %s: figures (own walk vs libunwind)" %
                        (what, " <- ".join(k[0] or "?" for k in key[:6])), a.get(key), b.get(key))


def test():
    own = record("eh_frame", {})
    lib = record("libunwind", {"MEMSCOPE_LIBUNWIND": "1"})
    same_stacks("depth 64", own, lib)
    same_stacks("depth 8", record("eh_frame-8", {}, ["--depth", "8"]),
                record("libunwind-8", {"MEMSCOPE_LIBUNWIND": "1"}, ["--depth", "8"]))
    for what, doc in (("own walk", own), ("libunwind", lib)):
        for func, size, count in (("fp_frame", 24, 101), ("aligned_frame", 40, 101), ("catcher", 56, 51),
                                  ("on_usr1", 72, 20), ("recurse", 88, 10), ("climb", 104, 456),
                                  ("branch", 120, 80000)):
            sts = [st for st in ms.stacks_from(doc, func) if st["bytes_allocated"] == size * st["allocations"]
                   and ms.fn_name(st["frames"][0]) in (func, "operator new[]")]
            ms.check_eq("%s: allocations of %d B under %s" % (what, size, func),
                        ms.sum_metric(sts, "allocations"), count)
            if func in ("fp_frame", "aligned_frame", "catcher"):
                callers = {ms.fn_name(f) for st in sts for f in st["frames"]}
                ms.check("%s: %s is reached from main and from the thread" % (what, func),
                         "main" in callers and "second_thread" in callers)
        deep = [st for st in ms.stacks_from(doc, "recurse") if st["allocations"] == 10]
        ms.check_eq("%s: the recursion's stack is cut at the depth" % what,
                    [len(st["frames"]) for st in deep], [64])
        # climb's levels 1-63 each have 2 stacks (before and after the call
        # down); from level 64 on, the 64 innermost frames are all climb's
        climbs = stacks_by_frames({"stacks": [st for st in doc["stacks"] if ms.fn_name(st["frames"][0]) == "climb"]})
        ms.check_eq("%s: climb's distinct stacks" % what, len(climbs), 128)
        ms.check_eq("%s: branch's distinct stacks" % what,
                    len([st for st in doc["stacks"] if ms.fn_name(st["frames"][0]) == "branch"]), 4096)
        ms.check_eq("%s: allocations of climb's cut stacks" % what,
                    sorted(v[0] for k, v in climbs.items() if len(k) == 64 and all(f[0].startswith("climb(") for f in k)),
                    [39, 39])


ms.main(test)

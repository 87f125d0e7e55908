#!/usr/bin/env python3
"""Leak classes at the exit scan against valgrind memcheck on the same
binaries: tests/targets/leak_*.c|cpp build known structures (a reachable
and a leaked list, a leaked tree, a leaked cycle, an interior pointer, a
block held only by main's TLS, one held only by main's stack when exit() is
called three calls deeper, C++ objects in a vector, interior pointers that
memcheck's default heuristics accept: a new[] cookie, a length prefix, a
std::string body). For each, `report
--json` must give the figures known by construction, and exactly memcheck's
definitely / indirectly / possibly lost and still reachable bytes and
blocks."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import mslib as ms
import msdecode as md

# target -> (definite, indirect, possible, reachable) as (bytes, blocks)
KNOWN = {
    "leak_list": ((48, 1), (144, 3), (0, 0), (240, 5)),
    "leak_tree": ((32, 1), (448, 14), (0, 0), (96, 3)),
    "leak_cycle": ((40, 1), (80, 2), (0, 0), (24, 1)),
    "leak_interior": ((0, 0), (0, 0), (124, 2), (16, 1)),
    "leak_tls": ((8, 1), (0, 0), (0, 0), (72, 1)),
    "leak_stack": ((16, 1), (0, 0), (0, 0), (64, 1)),
    "leak_cxx": ((16, 1), (0, 0), (0, 0), (160, 7)),
    "leak_heur": ((0, 0), (0, 0), (88, 2), (147, 3)),
}
# leak_heur: the blocks memcheck's heuristics accept, by (offset, kind):
# stdstring 1, length64 2, newarray 3 (format.h, enum ms_heur)
HEUR = [(24, 1), (8, 2), (8, 3)]


def test():
    for name, want in KNOWN.items():
        prog = ms.target(name)
        trace, _ = ms.record([prog], name)
        s = ms.ms_report(trace)["summary"]
        ms.check_eq("%s: leak_scan" % name, s.get("leak_scan"), True)
        vg, _, _ = ms.memcheck([prog], name)
        for (key, label), (nbytes, nblocks) in zip(ms.MEMCHECK_CLASSES, want):
            for unit, known in (("bytes", nbytes), ("blocks", nblocks)):
                k = "%s_%s" % (key, unit)
                ms.check_eq("%s: %s (memcheck's %s) by construction" % (name, k, label), s.get(k), known)
                ms.check_eq("%s: %s equals valgrind memcheck" % (name, k), s.get(k), vg.get(k))
        ms.check_vs_memcheck(name, s, vg)
        if name == "leak_heur":
            exit_snap = [x for x in md.decode(trace).snapshots if x.label == "exit"][0]
            ms.check_eq("leak_heur: SCAN_HEUR (offset, kind) entries", sorted((o, k) for _, o, k in exit_snap.heur),
                        sorted(HEUR))


ms.main(test)

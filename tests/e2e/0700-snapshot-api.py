#!/usr/bin/env python3
"""Snapshots from the program (include/memscope.h), checked at the trace
level: snap_list builds a known graph (a global -> a list of 5 nodes, a
leaked 2-block cycle, a holder block with four pointers into one block, of
which the runtime writes two) and calls
memscope_snapshot through weak declarations. Checks the SNAPSHOT records
(labels, reasons, ids, the live set equal to the one the events give, the
runtime's own count), ROUND(ts) right before each, the roots and edges of
the known structure, SCAN_END's counts, the exit snapshot, and the EVENT
records of memscope_event. Without memscope the same binary, and one that
links -lmemscope, run unchanged and create nothing."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import mslib as ms
import msdecode as md


def symbol(path, name):
    out = subprocess.run(["nm", path], stdout=subprocess.PIPE, check=True, text=True).stdout
    for line in out.splitlines():
        f = line.split()
        if len(f) == 3 and f[2] == name:
            return int(f[0], 16)
    raise ms.Fatal("symbol %s not found in %s" % (name, path))


def sockets_of(pid):
    return os.path.exists("/tmp/memscope-%d/%d.sock" % (os.geteuid(), pid))


def check_scan(what, s):
    ms.check_eq("%s: live_blocks equals the live set of the events before it" % what, s.live_blocks, len(s.live))
    ms.check_eq("%s: live_bytes equals the live set of the events before it" % what, s.live_bytes,
                sum(s.live.values()))
    ms.check_eq("%s: ROUND(ts) right before SNAPSHOT" % what, s.round_before, s.ts)
    ms.check("%s: SCAN_END present" % what, s.end is not None)
    if s.end:
        ms.check_eq("%s: SCAN_END blocks_scanned" % what, s.end[0], s.live_blocks)
        ms.check_eq("%s: SCAN_END roots = SCAN_ROOTS entries" % what, s.end[1], len(s.roots))
        ms.check_eq("%s: SCAN_END edges = SCAN_EDGES entries" % what, s.end[2], len(s.edges))
    for (k, ref, where, to, off) in s.roots:
        if to not in s.live or off >= max(s.live[to], 1):
            ms.check("%s: root target 0x%x+%d is a live block" % (what, to, off), False)
    for (frm, foff, to, toff) in s.edges:
        if frm not in s.live or to not in s.live or foff + 8 > s.live[frm] or toff >= max(s.live[to], 1):
            ms.check("%s: edge 0x%x+%d -> 0x%x+%d between live blocks" % (what, frm, foff, to, toff), False)


def test():
    prog = ms.target("snap_list")
    list_head, holder = symbol(prog, "list_head"), symbol(prog, "holder")

    # without memscope: unchanged, nothing created
    d = ms.tmpdir("plain")
    p = ms.run([prog], cwd=d)
    ms.check_eq("plain: exit status", p.returncode, 0)
    ms.check_eq("plain: output (weak API absent)", p.stdout, b"active 0 ids 0 0\n")
    ms.check_eq("plain: no file created", os.listdir(d), [])
    linked = ms.target("snap_linked")
    p = ms.run([linked], cwd=d)
    ms.check_eq("linked -lmemscope, plain run: inert (no thread, no snapshot)", p.stdout,
                b"active 0 id 0 threads 1\n")
    ms.check_eq("linked -lmemscope, plain run: nothing on stderr", p.stderr, b"")
    ms.check_eq("linked -lmemscope, plain run: no file created", os.listdir(d), [])

    trace, p = ms.record([linked], "linked")
    ms.check_eq("linked under memscope: output", p.stdout, b"active 1 id 1 threads 3\n")
    t = md.decode(trace)
    ms.check_eq("linked: snapshots", [(s.id, s.reason, s.label) for s in t.snapshots],
                [(1, md.SNAP_API, "linked"), (2, md.SNAP_EXIT, "exit")])
    ms.check_eq("linked: one event of weight 5", [e[1] for e in t.events], [5])

    trace, p = ms.record([prog], "snap_list")
    ms.check_eq("under memscope: output", p.stdout, b"active 1 ids 1 2\n")
    t = md.decode(trace)
    ms.check_eq("snapshots: (id, reason, label)", [(s.id, s.reason, s.label) for s in t.snapshots],
                [(1, md.SNAP_API, "built"), (2, md.SNAP_API, "freed"), (3, md.SNAP_EXIT, "exit")])
    if len(t.snapshots) != 3:
        raise ms.Fatal("expected 3 snapshots")
    built, freed, end = t.snapshots
    for s in t.snapshots:
        check_scan("snapshot '%s'" % s.label, s)
    ms.check_eq("built: live blocks/bytes", (built.live_blocks, built.live_bytes), (9, 376))
    ms.check_eq("freed: live blocks/bytes", (freed.live_blocks, freed.live_bytes), (4, 216))
    ms.check_eq("exit: live blocks/bytes (the leaked cycle)", (end.live_blocks, end.live_bytes), (2, 128))

    sizes = built.live
    nodes = sorted(a for a, z in sizes.items() if z == 32)
    cyc = sorted(a for a, z in sizes.items() if z == 64)
    hold = [a for a, z in sizes.items() if z == 48]
    inner = [a for a, z in sizes.items() if z == 40]
    ms.check_eq("built: 5 nodes, 2 cycle blocks, holder, inner", (len(nodes), len(cyc), len(hold), len(inner)),
                (5, 2, 1, 1))
    mod_roots = [r for r in built.roots if r[0] == md.ROOT_MODULE and r[3] in set(nodes)]
    ms.check_eq("built: one module root into the list, at list_head, to a node's start",
                [(r[2], r[4]) for r in mod_roots], [(list_head, 0)])
    list_edges = [e for e in built.edges if e[0] in nodes and e[2] in nodes]
    ms.check_eq("built: 4 edges along the list (next at offset 0, to the start)",
                sorted((e[1], e[3]) for e in list_edges), [(0, 0)] * 4)
    head = mod_roots[0][3] if mod_roots else None
    seen, cur = [], head
    nxt = {e[0]: e[2] for e in list_edges}
    while cur is not None and cur not in seen:
        seen.append(cur)
        cur = nxt.get(cur)
    ms.check_eq("built: the edges chain the 5 nodes from the root", len(seen), 5)
    ms.check_eq("built: the cycle: a->b and b->a, nothing else points to it",
                sorted((e[0], e[2]) for e in built.edges if e[2] in cyc), sorted([(cyc[0], cyc[1]), (cyc[1], cyc[0])]))
    ms.check_eq("built: no root reaches the cycle", [r for r in built.roots if r[3] in cyc], [])
    if hold and inner:
        ms.check_eq("built: holder root at 'holder'", [(r[0], r[2], r[4]) for r in built.roots if r[3] == hold[0]],
                    [(md.ROOT_MODULE, holder, 0)])
        ms.check_eq("built: holder -> inner: offset 16 interior +8, then offset 32 its start (not 24 nor 40)",
                    [(e[1], e[3]) for e in built.edges if e[0] == hold[0] and e[2] == inner[0]], [(16, 8), (32, 0)])
        ms.check_eq("built: nothing but holder points to inner",
                    [r for r in built.roots if r[3] == inner[0]] + [e for e in built.edges if e[2] == inner[0] and e[0] != hold[0]], [])
    ms.check_eq("freed: edges: the cycle and holder->inner's two", len(freed.edges), 4)
    ms.check_eq("exit: the cycle's 2 edges and no root", (len(end.edges), len(end.roots)), (2, 0))
    ms.check_eq("events: 3 of weight 7", [e[1] for e in t.events], [7, 7, 7])
    ms.check_eq("events: one call site, one stack", len(set(e[2] for e in t.events)), 1)
    ms.check_eq("END after the exit snapshot", t.tags[-1], 0x16)


ms.main(test)

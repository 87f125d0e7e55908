#!/usr/bin/env python3
"""report --json on traces written by hand (lib/mstrace.py), so that every
event is known and the analysis is tested without the runtime:

thread 100: t10 A=alloc 100 (stack 1); t20 B=alloc 200 (stack 2); t30 free A;
  t40 C=alloc 50 (stack 3); t50 free C; t60 realloc B -> D 300 (stack 2);
  t70 E=alloc 1000 (stack 1)
thread 101: t75 F=alloc 64 (stack 3); t80 free E (a block of thread 100)
end at t100.

  allocations 6 (A B C D E F), frees 4 (A C B E), bytes 1714,
  peak 1364 at t75 (D 300 + E 1000 + F 64), leaked D + F = 364 in 2,
  temporary: C (freed before thread 100 allocated again) and E (thread 100
  allocated nothing after E; thread 101's F does not count) = 2.
  stack 1: allocs 2, bytes 1100, frees 2, temp 1, peak 1000, leaked 0
  stack 2: allocs 2, bytes 500, frees 1, temp 0, peak 300, leaked 300 in 1
  stack 3: allocs 2, bytes 114, frees 1, temp 1, peak 64, leaked 64 in 1
The instruction pointers belong to no module: the report must still list the
stacks (frames fall back to an address), not fail.

The events are spread over three frames; cutting the file after the first
frame gives a truncated report of the first frame's events only."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import mslib as ms
import mstrace

FULL = {"allocations": 6, "frees": 4, "bytes_allocated": 1714, "peak_bytes": 1364,
        "leaked_bytes": 364, "leaked_blocks": 2, "temporary_allocations": 2, "truncated": False}
# by bytes_allocated (unique per stack)
STACKS = {1100: dict(allocations=2, frees=2, temporary_allocations=1, peak_bytes=1000, leaked_bytes=0, leaked_blocks=0),
          500: dict(allocations=2, frees=1, temporary_allocations=0, peak_bytes=300, leaked_bytes=300, leaked_blocks=1),
          114: dict(allocations=2, frees=1, temporary_allocations=1, peak_bytes=64, leaked_bytes=64, leaked_blocks=1)}


def build():
    t = mstrace.TraceWriter(pid=4242, ppid=1)
    t.process("/usr/bin/synth", ["synth", "--flag"])
    t.chunk(tid=100, base_ts=5)
    t.stack(1, [0x7000001000, 0x7000002000])
    t.stack(2, [0x7000003000, 0x7000002000])
    t.stack(3, [0x7000004000])
    t.alloc(10, 0x10000, 100, 1)
    t.alloc(20, 0x20000, 200, 2)
    t.free(30, 0x10000)
    t.alloc(40, 0x30000, 50, 3)
    t.free(50, 0x30000)
    t.round(51)
    t.flush()
    t.chunk(tid=100, base_ts=55)
    t.realloc(60, 61, 0x20000, 0x40000, 300, 2)
    t.alloc(70, 0x50000, 1000, 1)
    t.chunk(tid=101, base_ts=72)
    t.alloc(75, 0x60000, 64, 3)
    t.free(80, 0x50000)
    t.round(81)
    t.flush()
    t.end(100, status=0)
    data = t.bytes()
    return data, t.frame_ends()


def test():
    data, ends = build()
    d = ms.tmpdir("synth")
    path = os.path.join(d, "synth.mst")
    open(path, "wb").write(data)
    doc = ms.ms_report(path)
    ms.check_summary("synthetic", doc["summary"], FULL)
    by_bytes = {st["bytes_allocated"]: st for st in doc["stacks"]}
    ms.check_eq("synthetic: stacks listed", sorted(by_bytes), sorted(STACKS))
    for b, want in STACKS.items():
        st = by_bytes.get(b)
        if st:
            for k, v in want.items():
                ms.check_eq("synthetic: stack with %d bytes: %s" % (b, k), st[k], v)
            ms.check("synthetic: stack with %d bytes has frames" % b, len(st["frames"]) >= 1)
    ms.check_eq("synthetic: stack 1 has 2 frames", len(by_bytes.get(1100, {"frames": []})["frames"]), 2)
    ms.check_stack_sums("synthetic", doc)

    # Cut after the first frame: A B C and the free of A and C only.
    cut = os.path.join(d, "cut.mst")
    open(cut, "wb").write(data[:ends[0]])
    p = ms.ms_report_raw(cut)
    ms.check_eq("cut after frame 1: exit status", p.returncode, 0)
    err = p.stderr.decode(errors="replace").splitlines()
    ms.check_eq("cut after frame 1: one warning line on stderr", len(err), 1)
    ms.check("cut after frame 1: warning starts with 'memscope: ' (%r)" % err[:1],
             bool(err) and err[0].startswith("memscope: "))
    if p.returncode == 0:
        doc = ms.parse_report(p, "cut after frame 1")
        ms.check_summary("cut after frame 1", doc["summary"], {
            "allocations": 3, "frees": 2, "bytes_allocated": 350, "peak_bytes": 300,
            "leaked_bytes": 200, "leaked_blocks": 1, "truncated": True})
    # Cut after the second frame (no end record): everything but the end.
    open(cut, "wb").write(data[:ends[1]])
    p = ms.ms_report_raw(cut)
    ms.check_eq("cut after frame 2: exit status", p.returncode, 0)
    if p.returncode == 0:
        doc = ms.parse_report(p, "cut after frame 2")
        s = dict(FULL)
        s["truncated"] = True
        s.pop("temporary_allocations")
        ms.check_summary("cut after frame 2", doc["summary"], s)
    # Cut inside the second frame: same as after the first.
    open(cut, "wb").write(data[:ends[1] - 3])
    p = ms.ms_report_raw(cut)
    ms.check_eq("cut inside frame 2: exit status", p.returncode, 0)
    if p.returncode == 0:
        doc = ms.parse_report(p, "cut inside frame 2")
        ms.check_eq("cut inside frame 2: allocations", doc["summary"]["allocations"], 3)
        ms.check_eq("cut inside frame 2: truncated", doc["summary"]["truncated"], True)

    # A newer version and an unknown record tag are errors, not guesses.
    newer = os.path.join(d, "v3.mst")
    open(newer, "wb").write(mstrace.header(version=60000) + data[64:])
    p = ms.ms_report_raw(newer)
    line = ms.check_one_error_line("version 60000 trace", p)
    ms.check("version 60000 trace: message mentions the version (%r)" % line, "version" in line.lower())
    t = mstrace.TraceWriter()
    t.process("/usr/bin/synth", ["synth"])
    t.buf += bytes([0x7F, 1, 2, 3])
    t.end(10)
    bad = os.path.join(d, "badtag.mst")
    open(bad, "wb").write(t.bytes())
    ms.check_one_error_line("unknown record tag 0x7f", ms.ms_report_raw(bad))

    # An allocation whose stack is never defined, a free of an unknown
    # address and a double free: the report still works (exit 0).
    t = mstrace.TraceWriter()
    t.process("/usr/bin/synth", ["synth"])
    t.chunk(tid=7, base_ts=0)
    t.alloc(1, 0x1000, 10, 99)
    t.free(2, 0x999999)
    t.free(3, 0x1000)
    t.free(4, 0x1000)
    t.end(10)
    odd = os.path.join(d, "odd.mst")
    open(odd, "wb").write(t.bytes())
    p = ms.ms_report_raw(odd)
    ms.check_eq("undefined stack / unknown free / double free: exit status", p.returncode, 0)
    if p.returncode == 0:
        doc = ms.parse_report(p, "odd")
        ms.check_eq("odd: allocations", doc["summary"]["allocations"], 1)
        ms.check_eq("odd: leaked_blocks", doc["summary"]["leaked_blocks"], 0)
    else:
        ms.show(p, "odd")


ms.main(test)

#!/usr/bin/env python3
"""Snapshots taken by the runtime itself: --snapshot-at-peak on snap_peak
(the heap climbs to 8 MiB, falls, climbs to 2 MiB) gives exactly one PEAK
snapshot, on the way down from 8 MiB; --snapshot-interval 50ms gives
INTERVAL snapshots; every run ends with the EXIT snapshot. Each snapshot's
live set equals the one the events before it give. Bad durations are one
line and status 2."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import mslib as ms
import msdecode as md

MIB = 1 << 20


def consistent(what, t):
    for s in t.snapshots:
        ms.check_eq("%s/%s %d: live set as the events give it" % (what, s.label, s.id),
                    (s.live_blocks, s.live_bytes), (len(s.live), sum(s.live.values())))
        ms.check("%s/%s %d: SCAN_END" % (what, s.label, s.id), s.end is not None)


def test():
    prog = ms.target("snap_peak")
    trace, _ = ms.record([prog], "peak", opts=["--snapshot-at-peak"])
    t = md.decode(trace)
    consistent("peak", t)
    peaks = [s for s in t.snapshots if s.reason == md.SNAP_PEAK]
    ms.check_eq("peak: one PEAK snapshot", len(peaks), 1)
    if peaks:
        ms.check("peak: taken on the way down from 8 MiB (%d bytes: 4..8 MiB)" % peaks[0].live_bytes,
                 4 * MIB <= peaks[0].live_bytes <= 8 * MIB)
    ms.check_eq("peak: last snapshot is EXIT with nothing live", [(s.reason, s.live_blocks) for s in t.snapshots][-1],
                (md.SNAP_EXIT, 0))

    trace, _ = ms.record([prog], "interval", opts=["--snapshot-interval", "50ms"])
    t = md.decode(trace)
    consistent("interval", t)
    iv = [s for s in t.snapshots if s.reason == md.SNAP_INTERVAL]
    ms.check_ge("interval: INTERVAL snapshots in a ~0.3 s run", len(iv), 2)
    ms.check_eq("interval: ids 1, 2, ...", [s.id for s in t.snapshots], list(range(1, len(t.snapshots) + 1)))
    ms.check_eq("interval: no PEAK snapshot without the option", [s for s in t.snapshots if s.reason == md.SNAP_PEAK], [])

    for bad in ("0", "5ms", "abc", "-1s", "10x"):
        p = ms.run([ms.MEMSCOPE, "run", "--snapshot-interval", bad, "--", prog])
        ms.check_one_error_line("--snapshot-interval %s" % bad, p, 2)


ms.main(test)

#!/usr/bin/env python3
"""memscope export --format pprof, read back by the real consumer, `go tool
pprof` (Debian's golang-go): its -raw listing and its -top totals must agree
exactly with report --json on the same trace.

basic (tests/targets/basic.c): 6 allocations, 4600 bytes, 100 bytes in 1
block leaked from leak_here (LEAK-LINE), 3500 bytes in 3 blocks live at
the peak. inline_frames: the leaking allocation sits in two functions inlined
into outer_fn, which pprof must show as one location with three lines,
innermost first. many_stacks: 1024 stacks, totals only."""
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import mslib as ms

TYPES = ("alloc_objects", "alloc_space", "inuse_objects", "inuse_space")


def pprof(args, what):
    env = {"PPROF_TMPDIR": ms.TMP, "HOME": ms.TMP, "GOCACHE": os.path.join(ms.TMP, "gocache")}
    p = ms.run(["go", "tool", "pprof"] + args, env=env)
    if p.returncode != 0:
        ms.show(p, what)
        raise ms.Fatal("%s: go tool pprof exited with %d" % (what, p.returncode))
    return p.stdout.decode(errors="replace")


def parse_raw(text):
    """(sample type names, [(values, location ids)], {location id: [(function, file, line)]})."""
    types, samples, locs = [], [], {}
    section, cur = None, None
    for line in text.splitlines():
        if line.startswith("Samples:"):
            section = "samples"
            continue
        if line.startswith("Locations"):
            section = "locations"
            continue
        if line.startswith("Mappings"):
            section = None
            continue
        if section == "samples":
            if not types:
                types = [t.split("/")[0] for t in line.split()]
                continue
            m = re.match(r"^\s*([\d\s]+):\s*([\d\s]*)$", line)
            if m:
                samples.append(([int(x) for x in m.group(1).split()], [int(x) for x in m.group(2).split()]))
        elif section == "locations":
            m = re.match(r"^\s*(\d+): 0x[0-9a-f]+ M=\d+ (.*) (\S*):(\d+) s=\d+$", line)
            if m:
                cur = int(m.group(1))
                locs[cur] = [(m.group(2), m.group(3), int(m.group(4)))]
                continue
            m = re.match(r"^\s+(.*) (\S*):(\d+) s=\d+$", line)
            if m and cur is not None:
                locs[cur].append((m.group(1), m.group(2), int(m.group(3))))
    return types, samples, locs


def export(trace, name, opts=()):
    out = os.path.join(ms.TMP, name)
    p = ms.run([ms.MEMSCOPE, "export", "--format", "pprof", "-o", out] + list(opts) + [trace])
    if p.returncode != 0 or p.stderr:
        ms.show(p, "export " + name)
    ms.check_eq("%s: export exit status" % name, p.returncode, 0)
    ms.check_eq("%s: export stderr" % name, p.stderr.decode(errors="replace"), "")
    with open(out, "rb") as f:
        ms.check_eq("%s: gzip magic" % name, f.read(2), b"\x1f\x8b")
    return out


def totals(samples, types):
    return {t: sum(v[i] for v, _ in samples) for i, t in enumerate(types)}


def check_top(prof, name, s):
    """-top's "of N total" line for each sample type."""
    want = {"alloc_space": "%dB" % s["bytes_allocated"], "alloc_objects": "%d" % s["allocations"],
            "inuse_space": "%dB" % s["leaked_bytes"], "inuse_objects": "%d" % s["leaked_blocks"]}
    for t, w in want.items():
        # -unit=B: bytes unscaled (pprof would write 36kB); counts stay counts
        unit = ["-unit=B"] if t.endswith("space") else []
        out = pprof(["-top"] + unit + ["-sample_index=" + t, prof], name)
        m = re.search(r"of (\S+) total", out)
        got = m.group(1) if m else None
        if w in ("0B", "0"):
            w = got if got in ("0", "0B") else w  # pprof writes an empty total as 0
        ms.check_eq("%s: go tool pprof -top -sample_index=%s total" % (name, t), got, w)


def test():
    if not shutil.which("go"):
        raise ms.Fatal("go is not installed (scripts/install-deps.sh test installs golang-go)")
    trace, _ = ms.record([ms.target("basic")], "basic")
    doc = ms.ms_report(trace)
    s = doc["summary"]

    prof = export(trace, "basic.pb.gz")
    types, samples, locs = parse_raw(pprof(["-raw", prof], "basic -raw"))
    ms.check_eq("basic: sample types", types, list(TYPES))
    got = totals(samples, types)
    ms.check_eq("basic: alloc_objects == allocations", got.get("alloc_objects"), s["allocations"])
    ms.check_eq("basic: alloc_space == bytes_allocated", got.get("alloc_space"), s["bytes_allocated"])
    ms.check_eq("basic: inuse_objects == leaked_blocks", got.get("inuse_objects"), s["leaked_blocks"])
    ms.check_eq("basic: inuse_space == leaked_bytes", got.get("inuse_space"), s["leaked_bytes"])
    ms.check_eq("basic: one sample per stack", len(samples), len(doc["stacks"]))
    check_top(prof, "basic", s)

    # The leaking sample: leak_here at LEAK-LINE <- leak_outer <- main.
    line = ms.marker_line("tests/targets/basic.c", "/* LEAK-LINE */")
    leaks = [(v, ids) for v, ids in samples if v[3] > 0]
    if ms.check_eq("basic: samples with inuse_space", len(leaks), 1):
        v, ids = leaks[0]
        ms.check_eq("basic: leak sample values", v, [1, 100, 1, 100])
        frames = [locs.get(i, [("?", "?", 0)])[0] for i in ids]
        ms.check_eq("basic: leak sample leaf", (frames[0][0], os.path.basename(frames[0][1]), frames[0][2]),
                    ("leak_here", "basic.c", line))
        ms.check_eq("basic: leak sample callers", [f[0] for f in frames[1:3]], ["leak_outer", "main"])

    # --at peak: inuse is what was live at the heap peak.
    prof = export(trace, "basic-peak.pb.gz", ["--at", "peak"])
    types, samples, _ = parse_raw(pprof(["-raw", prof], "basic --at peak -raw"))
    got = totals(samples, types)
    ms.check_eq("basic --at peak: inuse_space == peak_bytes", got.get("inuse_space"), s["peak_bytes"])
    ms.check_eq("basic --at peak: inuse_objects (b, c, d)", got.get("inuse_objects"), 3)
    ms.check_eq("basic --at peak: alloc_space unchanged", got.get("alloc_space"), s["bytes_allocated"])
    out = pprof(["-top", "-unit=B", "-sample_index=inuse_space", prof], "basic --at peak -top")
    ms.check("basic --at peak: -top total is the peak (%r)" % out[-300:], "of %dB total" % s["peak_bytes"] in out)

    # Inlined frames: one location, three lines, innermost first.
    trace, _ = ms.record([ms.target("inline_frames")], "inline_frames")
    idoc = ms.ms_report(trace)
    prof = export(trace, "inline.pb.gz")
    types, samples, locs = parse_raw(pprof(["-raw", prof], "inline_frames -raw"))
    src = "tests/targets/inline_frames.c"
    want = [("leaf_inl", "inline_frames.c", ms.marker_line(src, "/* LEAK-LINE */")), "mid_inl", "outer_fn"]
    leaks = [ids for v, ids in samples if v[3] == 321]
    if ms.check_eq("inline_frames: samples leaking 321 bytes", len(leaks), 1):
        lines = locs.get(leaks[0][0], [])
        ms.check_eq("inline_frames: lines of the leaf location", [l[0] for l in lines],
                    ["leaf_inl", "mid_inl", "outer_fn"])
        if lines:
            ms.check_eq("inline_frames: innermost line", (lines[0][0], os.path.basename(lines[0][1]), lines[0][2]),
                        want[0])
    got = totals(samples, types)
    ms.check_eq("inline_frames: alloc_space", got.get("alloc_space"), idoc["summary"]["bytes_allocated"])

    # Many stacks: exact totals.
    trace, _ = ms.record([ms.target("many_stacks")], "many_stacks")
    mdoc = ms.ms_report(trace)
    prof = export(trace, "many.pb.gz")
    types, samples, _ = parse_raw(pprof(["-raw", prof], "many_stacks -raw"))
    got = totals(samples, types)
    ms.check_eq("many_stacks: alloc_objects", got.get("alloc_objects"), mdoc["summary"]["allocations"])
    ms.check_eq("many_stacks: alloc_space", got.get("alloc_space"), mdoc["summary"]["bytes_allocated"])
    ms.check_eq("many_stacks: samples", len(samples), len(mdoc["stacks"]))
    check_top(prof, "many_stacks", mdoc["summary"])


ms.main(test)

#!/usr/bin/env python3
"""memscope diff on tests/targets/diff_grow.c: between the snapshots
"before" and "after" (memscope_snapshot through a weak reference) the
program adds 100 nodes of 48 bytes from grow_list and allocates and frees
10 temporary blocks: the diff must show +100 blocks, +4,800 bytes, all on
grow_list's stack (GROW-LINE), nothing freed; the block live in both is
matched. Sampled at 256 B, the net change comes with the standard error of
its samples. Without memscope the program runs unchanged (the weak
reference is NULL), and memcheck sees no leak."""
import json
import math
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import mslib as ms


def check_sampled(prog):
    """At 256 B per sample each of the 100 nodes is sampled with probability
    p = 1 - exp(-48/256) (about 17 of them), as a sample of weight w = 48 / p;
    the reported standard error is that of the n samples taken, and the
    estimate lies within 5 true standard deviations (w sqrt(100 p (1 - p)),
    exact here) of 4,800 B: a false alarm once in a million runs. A bound
    in reported standard errors would fail once in a thousand, as few
    samples also mean a small reported error."""
    rate, size = 256, 48
    trace, _ = ms.record([prog], "diff_grow_sampled", opts=["--sample-rate", str(rate), "-q"])
    p = ms.run([ms.MEMSCOPE, "diff", "--json", trace, "before", "after"])
    if p.returncode != 0:
        ms.show(p, "diff of the sampled trace")
        raise ms.Fatal("memscope diff exited with %d" % p.returncode)
    t = json.loads(p.stdout.decode())["total"]
    n = t["added_blocks"]
    w = round(size / -math.expm1(-size / rate))
    ms.check_eq("sampled: the net change is n samples of weight %d" % w, (t["net_bytes"], t["added_bytes"]),
                (n * w, n * w))
    want = math.sqrt(n * w * w * math.exp(-size / rate))
    ms.check("sampled: net_bytes_stderr %d = sqrt(%d x w^2 exp(-s/R)) = %.0f" % (t["net_bytes_stderr"], n, want),
             abs(t["net_bytes_stderr"] - want) <= 2e-3 * want + 1)
    p = -math.expm1(-size / rate)
    sd = w * math.sqrt(100 * p * (1 - p))
    ms.check("sampled: %d within 5 standard deviations (%.0f) of 4,800 B" % (t["net_bytes"], sd),
             abs(t["net_bytes"] - 4800) <= 5 * sd)
    text = ms.run([ms.MEMSCOPE, "diff", trace, "before", "after"]).stdout.decode()
    ms.check("sampled text: says so and gives the interval",
             "sampled: bytes are estimates" in text and re.search(r"\n  net \+[0-9.]+ (B|KiB) \+/- [0-9.]+ (B|KiB): ", text))


def test():
    prog = ms.target("diff_grow")
    trace, _ = ms.record([prog], "diff_grow")
    cmd = [ms.MEMSCOPE, "diff", "--json", trace, "before", "after"]
    print("$ %s" % " ".join(cmd))
    p = ms.run(cmd)
    if p.returncode != 0:
        ms.show(p, "diff")
        raise ms.Fatal("memscope diff exited with %d" % p.returncode)
    doc = json.loads(p.stdout.decode())
    ms.check_eq("diff: same_run", doc.get("same_run"), True)
    t = doc["total"]
    ms.check_eq("diff: total added_blocks", t["added_blocks"], 100)
    ms.check_eq("diff: total added_bytes", t["added_bytes"], 4800)
    ms.check_eq("diff: total freed_blocks", t["freed_blocks"], 0)
    ms.check_eq("diff: total net_bytes", t["net_bytes"], 4800)
    ms.check_eq("diff: live before (base_block)", (t["before_blocks"], t["before_bytes"]), (1, 500))
    ms.check_eq("diff: live after", (t["after_blocks"], t["after_bytes"]), (101, 5300))
    groups = [g for g in doc["groups"] if g["added_blocks"] or g["freed_blocks"]]
    ms.check_eq("diff: groups that changed", len(groups), 1)
    if groups:
        g = groups[0]
        ms.check_eq("diff: +blocks on that stack", g["added_blocks"], 100)
        ms.check_eq("diff: +bytes on that stack", g["added_bytes"], 4800)
        line = ms.marker_line("tests/targets/diff_grow.c", "/* GROW-LINE */")
        ms.check_frame("diff: the stack's frame 0", g["frames"][0], "grow_list", "diff_grow.c", line)
        ms.check_eq("diff: frame 1", ms.fn_name(g["frames"][1]), "main")

    ms.check("a full trace's diff has no standard error", "net_bytes_stderr" not in t)
    check_sampled(prog)

    snaps = ms.run([ms.MEMSCOPE, "snapshots", trace]).stdout.decode()
    print(snaps)
    ms.check("snapshots lists 'before' and 'after'", "before" in snaps and "after" in snaps)
    plain = ms.run([prog])
    ms.check_eq("diff_grow without memscope: exit status", plain.returncode, 0)
    vg, _, _ = ms.memcheck([prog], "diff_grow")
    ms.check_eq("diff_grow: memcheck in use at exit", vg["leaked_blocks"], 0)


ms.main(test)

#!/usr/bin/env python3
"""memscope diff on tests/targets/diff_grow.c: between the snapshots
"before" and "after" (memscope_snapshot through a weak reference) the
program adds 100 nodes of 48 bytes from grow_list and allocates and frees
10 temporary blocks: the diff must show +100 blocks, +4,800 bytes, all on
grow_list's stack (GROW-LINE), nothing freed; the block live in both is
matched. Without memscope the program runs unchanged (the weak reference
is NULL), and memcheck sees no leak."""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import mslib as ms


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

    snaps = ms.run([ms.MEMSCOPE, "snapshots", trace]).stdout.decode()
    print(snaps)
    ms.check("snapshots lists 'before' and 'after'", "before" in snaps and "after" in snaps)
    plain = ms.run([prog])
    ms.check_eq("diff_grow without memscope: exit status", plain.returncode, 0)
    vg, _, _ = ms.memcheck([prog], "diff_grow")
    ms.check_eq("diff_grow: memcheck in use at exit", vg["leaked_blocks"], 0)


ms.main(test)

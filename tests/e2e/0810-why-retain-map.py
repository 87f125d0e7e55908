#!/usr/bin/env python3
"""memscope why on tests/targets/retain_map.c: the entry of key 3 is kept
by the global g_map -> the map (map_new, pointer at +8) -> the bucket array
(alloc_buckets, bucket 3 at +24) -> the entry of key 11 (entry_new, link at
+16) -> the entry of key 3. Every hop is checked: the root's symbol and
module, each block's allocation function, size, address where known, and
the offset of the pointer inside the previous block. The whole map is still
reachable at exit, as memcheck says."""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import mslib as ms


def test():
    prog = ms.target("retain_map")
    trace, p = ms.record([prog], "retain_map")
    addrs = [int(x) for x in p.stdout.decode().split()]
    if len(addrs) != 2:
        ms.show(p, "retain_map")
        raise ms.Fatal("retain_map printed %r, want two addresses" % p.stdout)
    key3, key11 = addrs

    cmd = [ms.MEMSCOPE, "why", "--json", trace, hex(key3 + 5)]  # any address inside the block
    print("$ %s" % " ".join(cmd))
    w = ms.run(cmd)
    if w.returncode != 0:
        ms.show(w, "why")
        raise ms.Fatal("memscope why exited with %d" % w.returncode)
    doc = json.loads(w.stdout.decode())
    blk = doc["block"]
    ms.check_eq("why: block address", blk["address"], key3)
    ms.check_eq("why: block function", blk["function"], "entry_new")
    ms.check_eq("why: block size", blk["size"], 32)
    ms.check_eq("why: block class", blk["class"], "reachable")
    ms.check_eq("why: block retains itself only", blk["retained_bytes"], 32)

    path = doc["path"]
    ms.check_eq("why: number of hops", len(path), 4)
    if len(path) != 4:
        print(json.dumps(path, indent=1))
        return
    root = path[0]
    ms.check_eq("why: hop 0 is a module root", root.get("root"), "module")
    ms.check_eq("why: hop 0 names the global and its module", root.get("name"), "global g_map+0 (retain_map)")
    ms.check_eq("why: hop 0 points to the block's start", root.get("target_offset"), 0)
    # (function, size, offset of the pointer inside the previous block, address or None)
    want = [("map_new", 24, None, None), ("alloc_buckets", 64, 8, None), ("entry_new", 32, 24, key11),
            ("entry_new", 32, 16, key3)]
    for i, (fn, size, off, addr) in enumerate(want):
        hop = path[i]
        ms.check_eq("why: hop %d block function" % i, hop["block"]["function"], fn)
        ms.check_eq("why: hop %d block file" % i, os.path.basename(str(hop["block"]["file"])), "retain_map.c")
        ms.check_eq("why: hop %d block size" % i, hop["block"]["size"], size)
        if off is not None:
            ms.check_eq("why: hop %d pointer offset in the previous block" % i, hop.get("from_offset"), off)
            ms.check_eq("why: hop %d points to the block's start" % i, hop.get("target_offset"), 0)
        if addr is not None:
            ms.check_eq("why: hop %d block address" % i, hop["block"]["address"], addr)
    ms.check_eq("why: the map retains all 600 bytes", path[0]["block"]["retained_bytes"], 600)

    s = ms.ms_report(trace)["summary"]
    vg, _, _ = ms.memcheck([prog], "retain_map")
    for key, _ in ms.MEMCHECK_CLASSES:
        for unit in ("bytes", "blocks"):
            k = "%s_%s" % (key, unit)
            ms.check_eq("retain_map: %s equals valgrind memcheck" % k, s.get(k), vg.get(k))
    ms.check_eq("retain_map: reachable_bytes by construction", s.get("reachable_bytes"), 600)


ms.main(test)

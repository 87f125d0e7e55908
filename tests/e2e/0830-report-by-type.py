#!/usr/bin/env python3
"""report --by type on tests/targets/leak_cxx.cpp: at the exit scan, Circle
4 blocks (64 bytes, 1 definitely lost), Square 2 blocks (48 bytes), and 2
blocks without a vtable (the std::vector object and its buffer, 24 + 40
bytes), in JSON and text; `--at` names a snapshot, and a trace without a
scan there is one error line."""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import mslib as ms


def test():
    prog = ms.target("leak_cxx")
    trace, _ = ms.record([prog], "leak_cxx")
    p = ms.run([ms.MEMSCOPE, "report", "--by", "type", "--json", trace])
    if p.returncode != 0:
        ms.show(p, "report --by type")
        raise ms.Fatal("report --by type exited with %d" % p.returncode)
    doc = json.loads(p.stdout.decode())
    rows = {r["type"]: r for r in doc["types"]}
    ms.check_eq("types: names", sorted(rows, key=str), sorted(["Circle", "Square", None], key=str))
    want = {"Circle": (4, 64, 1, 16), "Square": (2, 48, 0, 0), None: (2, 64, 0, 0)}
    for t, (blocks, nbytes, lost, lost_bytes) in want.items():
        r = rows.get(t)
        if not ms.check("types: row %r exists" % t, r is not None):
            continue
        ms.check_eq("types: %r blocks" % t, r["blocks"], blocks)
        ms.check_eq("types: %r bytes" % t, r["bytes"], nbytes)
        ms.check_eq("types: %r definitely lost blocks" % t, r["definitely_lost_blocks"], lost)
        ms.check_eq("types: %r definitely lost bytes" % t, r["definitely_lost_bytes"], lost_bytes)
        ms.check_eq("types: %r reachable blocks" % t, r["reachable_blocks"], blocks - lost)
    ms.check_eq("types: total blocks", doc["total_blocks"], 8)
    ms.check_eq("types: total bytes", doc["total_bytes"], 176)
    ms.check_eq("types: snapshot label", doc["label"], "exit")
    ms.check_eq("types: sorted by bytes", [r["bytes"] for r in doc["types"]],
                sorted((r["bytes"] for r in doc["types"]), reverse=True))

    p = ms.run([ms.MEMSCOPE, "report", "--by", "type", "--at", "exit", trace])
    text = p.stdout.decode()
    print(text)
    ms.check_eq("types text: exit status", p.returncode, 0)
    lines = [l.split() for l in text.splitlines()]
    ms.check("types text: Circle row '4 64 B 1 Circle'", ["4", "64", "B", "1", "Circle"] in lines)
    ms.check("types text: Square row '2 48 B 0 Square'", ["2", "48", "B", "0", "Square"] in lines)
    ms.check("types text: untyped row '2 64 B 0 (no vtable)'", ["2", "64", "B", "0", "(no", "vtable)"] in lines)
    ms.check("types text: total row '8 176 B 1 total'", ["8", "176", "B", "1", "total"] in lines)

    p = ms.run([ms.MEMSCOPE, "report", "--by", "type", "--at", "nosuch", trace])
    line = ms.check_one_error_line("report --at nosuch", p, want_status=1)
    ms.check("report --at nosuch names the snapshot (%r)" % line, "'nosuch'" in line)
    p = ms.run([ms.MEMSCOPE, "report", "--by", "type", "--at", "peak", trace])
    line = ms.check_one_error_line("report --by type --at peak (no scan there)", p, want_status=1)
    ms.check("--at peak: says a scan is needed (%r)" % line, "no heap scan" in line)
    p = ms.run([ms.MEMSCOPE, "report", "--by", "type", "--tree", trace])
    ms.check_one_error_line("report --by type --tree", p, want_status=2)


ms.main(test)

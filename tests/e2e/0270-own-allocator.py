#!/usr/bin/env python3
"""A program linked with its own allocator (Debian's jemalloc as malloc):
memscope interposes in front of it and forwards to it (dlsym RTLD_NEXT
finds jemalloc's malloc, not glibc's), so the known figures of
alloc_jemalloc are exact, the leak is on its line, and the program's
output is the same as without memscope (mallctl answers: jemalloc is the
allocator in both runs)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import mslib as ms


def test():
    prog = os.path.join(os.environ["MS_TARGETS"], "alloc_jemalloc")
    if not os.path.exists(prog):
        raise ms.Fatal("tests/targets/alloc_jemalloc was not built: install libjemalloc-dev "
                       "(scripts/install-deps.sh test) and reconfigure")
    plain = ms.run([prog])
    ms.check_eq("alloc_jemalloc runs on jemalloc without memscope", plain.returncode, 0)
    trace, p = ms.record([prog], "jemalloc", opts=["-q"])
    ms.check_eq("same output under memscope", p.stdout, plain.stdout)
    ms.check("the output names jemalloc (%r)" % plain.stdout[:40], plain.stdout.startswith(b"jemalloc "))
    doc = ms.ms_report(trace)
    ms.check_summary("alloc_jemalloc", doc["summary"], {"leaked_bytes": 2331, "leaked_blocks": 3, "truncated": False})
    # the program's own calls (libstdc++'s pool and printf's buffer come and go besides)
    mine = [st for st in doc["stacks"] if st["frames"] and (st["frames"][0]["file"] or "").endswith("alloc_jemalloc.c")]
    for key, want in (("allocations", 1017), ("frees", 1014), ("bytes_allocated", 112027)):
        ms.check_eq("alloc_jemalloc's own stacks: %s" % key, ms.sum_metric(mine, key), want)
    line = ms.marker_line("tests/targets/alloc_jemalloc.c", "static __attribute__((noinline)) void *leak_777")
    ms.check_leak_stack("alloc_jemalloc", doc, "leak_777", "alloc_jemalloc.c", line, 2331, blocks=3,
                        callers=("main",))
    ms.check_stack_sums("alloc_jemalloc", doc)


ms.main(test)

#!/usr/bin/env python3
"""memscope run refuses bad input with exactly one line on stderr starting
with 'memscope: ' and a non-zero exit status: a missing program (127), a
program that is not executable (126), a statically linked program (cannot
be preloaded), no '--', nothing after '--', an unknown option, an option
without its value, an output path that cannot be written. When the command
line itself is wrong, the program is not started and no trace is left."""
import os
import stat
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import mslib as ms


def run_in(name, args):
    d = ms.tmpdir(name)
    cmd = [ms.MEMSCOPE, "run"] + args
    print("$ %s" % " ".join(cmd))
    return ms.run(cmd, cwd=d), d


def test():
    echo = ms.target("passthrough")
    # the program, if started, would print "started"
    prog = [echo, "args", "started"]

    p, d = run_in("missing", ["--", "/nonexistent/dir/prog"])
    ms.check_one_error_line("missing program (path)", p, 127)
    p, d = run_in("missing-path", ["--", "memscope-no-such-program-xyz"])
    ms.check_one_error_line("missing program (PATH search)", p, 127)

    d = ms.tmpdir("noexec-file")
    f = os.path.join(d, "script")
    with open(f, "w") as fh:
        fh.write("#!/bin/sh\necho started\n")
    os.chmod(f, 0o644)
    p = ms.run([ms.MEMSCOPE, "run", "--", f], cwd=d)
    ms.check_one_error_line("not executable", p, 126)
    ms.check_eq("not executable: not started", p.stdout, b"")
    p = ms.run([ms.MEMSCOPE, "run", "--", d], cwd=d)
    ms.check_one_error_line("a directory as the program", p, 126)

    static = ms.target("static_hello")
    p, d = run_in("static", ["--", static])
    line = ms.check_one_error_line("static binary", p, 1)  # docs/run.md: status 1
    ms.check("static binary: the message says the program is static (%r)" % line, "static" in line.lower())
    ms.check_eq("static binary: no trace left", [f for f in os.listdir(d) if f.endswith(".mst")], [])

    cases = [
        ("no --", prog),
        ("nothing after --", ["--"]),
        ("no arguments", []),
        ("unknown option", ["--frobnicate", "--"] + prog),
        ("unknown short option", ["-Z", "--"] + prog),
        ("-o without value", ["-o"]),
        ("--depth without value", ["--depth"]),
        ("output in a missing directory", ["-o", "/nonexistent/dir/t.mst", "--"] + prog),
        ("output is a directory", ["-o", "/", "--"] + prog),
    ]
    for what, args in cases:
        p, d = run_in("case", args)
        # docs/run.md: usage errors exit with 2, an unwritable trace with 1
        ms.check_one_error_line(what, p, 1 if what.startswith("output") else 2)
        ms.check_eq("%s: program not started" % what, p.stdout, b"")
        ms.check_eq("%s: nothing left in the cwd" % what, os.listdir(d), [])

    # A read-only output file's directory: as root, permissions do not stop
    # writes, so only test it when not root.
    if os.geteuid() != 0:
        d = ms.tmpdir("readonly")
        os.chmod(d, stat.S_IRUSR | stat.S_IXUSR)
        p = ms.run([ms.MEMSCOPE, "run", "-o", os.path.join(d, "t.mst"), "--"] + prog, cwd=d)
        os.chmod(d, 0o755)
        ms.check_one_error_line("read-only output directory", p)


ms.main(test)

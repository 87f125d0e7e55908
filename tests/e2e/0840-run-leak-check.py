#!/usr/bin/env python3
"""memscope run's CI checks: --leak-check (definite, possible, all),
--error-exitcode, --suppressions, --max-peak. Figures come from targets
whose classes 0800 compares with memcheck: leak_list (definitely lost 48
bytes in 1 block, indirectly 144 in 3), leak_interior (possibly lost 124 in
2). A failing check prints one line per failing class and makes the status
N only with --error-exitcode N; a passing run keeps the program's status;
bad option values and bad suppression lines are one error line, status 2,
before the program runs; a killed program is judged on what it leaked."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import mslib as ms


def lines(p):
    return [l for l in p.stderr.decode(errors="replace").splitlines()]


def run_check(name, prog, opts, want_status, want_lines, argv=()):
    """Runs prog with -q and the check options; the stderr must be exactly want_lines."""
    d = ms.tmpdir(name)
    p = ms.ms_run([prog] + list(argv), trace=os.path.join(d, "t.mst"), opts=["-q"] + list(opts), cwd=d)
    ok = ms.check_eq("%s: exit status" % name, ms.shell_status(p.returncode), want_status)
    ok &= ms.check_eq("%s: stderr" % name, lines(p), want_lines)
    if not ok:
        ms.show(p, name)
    return p


def test():
    ll = ms.target("leak_list")
    li = ms.target("leak_interior")
    d = ms.tmpdir("files")
    definite = "memscope: 48 bytes definitely lost in 1 blocks (--leak-check=%s)"
    indirect = "memscope: 144 bytes indirectly lost in 3 blocks (--leak-check=all)"
    possible = "memscope: 124 bytes possibly lost in 2 blocks (--leak-check=%s)"

    run_check("definite fails", ll, ["--leak-check=definite", "--error-exitcode", "7"], 7, [definite % "definite"])
    run_check("definite fails, status kept", ll, ["--leak-check", "definite"], 0, [definite % "definite"])
    run_check("all", ll, ["--leak-check=all", "--error-exitcode=9"], 9, [definite % "all", indirect])
    run_check("possible on leak_list", ll, ["--leak-check=possible", "--error-exitcode=9"], 9,
              [definite % "possible"])
    run_check("definite passes on leak_interior", li, ["--leak-check=definite", "--error-exitcode=9"], 0, [])
    run_check("possible fails on leak_interior", li, ["--leak-check=possible", "--error-exitcode=9"], 9,
              [possible % "possible"])

    # suppressions: by function (glob), by file, by module; comments and blanks
    for label, rule in (("function", "leak:leak_l?st"), ("file", "leak:leak_*.c"),
                        ("module path", "leak:*/targets/leak_list"), ("caller", "leak:make_list")):
        f = os.path.join(d, "%s.supp" % label.replace(" ", "_"))
        with open(f, "w") as fh:
            fh.write("# memscope suppressions\n\n   %s   \n" % rule)
        run_check("suppressed by %s" % label, ll, ["--leak-check=all", "--error-exitcode=7", "--suppressions", f],
                  0, ["memscope: 192 bytes in 4 blocks suppressed (--suppressions)"])
    other = os.path.join(d, "other.supp")
    with open(other, "w") as fh:
        fh.write("leak:no_such_function\nleak:leak_list_x*\n")
    run_check("suppression matching nothing", ll, ["--leak-check=definite", "--error-exitcode=7",
                                                   "--suppressions=" + other], 7, [definite % "definite"])

    bad = os.path.join(d, "bad.supp")
    with open(bad, "w") as fh:
        fh.write("# fine\nleak:ok\nlek:typo\n")
    p = ms.ms_run([ll], trace=os.path.join(d, "bad.mst"), opts=["--leak-check=definite", "--suppressions", bad])
    line = ms.check_one_error_line("bad suppressions line", p, want_status=2)
    ms.check_eq("bad suppressions line: message", line,
                "memscope: bad suppressions file '%s': line 3: unknown kind 'lek' "
                "(only 'leak:PATTERN' rules are supported)" % bad)
    ms.check("bad suppressions: the program did not run", not os.path.exists(os.path.join(d, "bad.mst")))
    with open(bad, "w") as fh:
        fh.write("leak:\n")
    p = ms.ms_run([ll], trace=os.path.join(d, "bad.mst"), opts=["--suppressions", bad])
    line = ms.check_one_error_line("empty pattern", p, want_status=2)
    ms.check("empty pattern: names line 1 (%r)" % line, "line 1: empty pattern" in line)
    p = ms.ms_run([ll], trace=os.path.join(d, "bad.mst"), opts=["--suppressions", os.path.join(d, "none")])
    ms.check_one_error_line("missing suppressions file", p, want_status=2)

    # report --suppressions: the same file filters the report's leak figures
    trace = os.path.join(d, "ll.mst")
    ms.ms_run([ll], trace=trace, opts=["-q"])
    s = ms.ms_report(trace, opts=["--suppressions", os.path.join(d, "function.supp")])["summary"]
    ms.check_eq("report --suppressions: suppressed", (s.get("suppressed_bytes"), s.get("suppressed_blocks")),
                (192, 4))
    ms.check_eq("report --suppressions: definitely lost left", s.get("definitely_lost_bytes"), 0)
    ms.check_eq("report --suppressions: indirectly lost left", s.get("indirectly_lost_bytes"), 0)
    ms.check_eq("report --suppressions: still reachable untouched", s.get("reachable_bytes"), 240)
    s = ms.ms_report(trace)["summary"]
    ms.check_eq("report without suppressions: suppressed", (s.get("suppressed_bytes"), s.get("suppressed_blocks")),
                (0, 0))
    p = ms.ms_report_raw(trace, opts=["--suppressions", bad])
    ms.check_one_error_line("report with a bad suppressions file", p, want_status=2)

    # --max-peak: leak_list's peak is everything it allocates, 432 bytes
    run_check("max-peak at the peak passes", ll, ["--max-peak", "432", "--error-exitcode=5"], 0, [])
    run_check("max-peak 1K passes", ll, ["--max-peak=1K", "--error-exitcode=5"], 0, [])
    run_check("max-peak below the peak fails", ll, ["--max-peak=431B", "--error-exitcode=5"], 5,
              ["memscope: peak heap 432 bytes exceeds 431 bytes (--max-peak)"])
    for v in ("1X", "-1", "", "1.5K", "99999999999999999999G"):
        p = ms.ms_run([ll], trace=os.path.join(d, "bad.mst"), opts=["--max-peak=" + v])
        ms.check_one_error_line("--max-peak=%r" % v, p, want_status=2)
    for opts in (["--leak-check=some"], ["--leak-check"], ["--error-exitcode=256"], ["--error-exitcode=x"]):
        p = ms.ms_run([ll], trace=os.path.join(d, "bad.mst"), opts=opts)
        ms.check_one_error_line("bad option %r" % opts, p, want_status=2)

    # a killed program has no exit scan: what it left counts as definitely lost
    sk = ms.target("sigkill")
    p = run_check("killed program", sk, ["--leak-check=definite", "--error-exitcode=7"], 128 + 9, [
        "memscope: the trace has no heap scan at exit (the program was killed?): the 7,000 bytes in 7 "
        "blocks live at its end count as definitely lost",
        "memscope: 7,000 bytes definitely lost in 7 blocks (--leak-check=definite)"])


ms.main(test)

#!/usr/bin/env python3
"""The program's stdin, stdout, stderr, arguments, exit status and death by
signal pass through memscope run unchanged. memscope's own lines on stderr,
if any, start with 'memscope:'."""
import os
import random
import signal
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import mslib as ms


def own_stderr(err):
    """stderr without memscope's own lines."""
    return b"".join(l for l in err.splitlines(True) if not l.startswith(b"memscope:"))


def test():
    prog = ms.target("passthrough")
    rnd = random.Random(7)
    data = bytes(rnd.getrandbits(8) for _ in range(1 << 20)) + b"\0\nend"
    for status in (0, 1, 42, 255):
        d = ms.tmpdir("echo-%d" % status)
        direct = ms.run([prog, "echo", str(status)], stdin=data)
        p = ms.ms_run([prog, "echo", str(status)], trace=os.path.join(d, "t.mst"), stdin=data, cwd=d)
        ms.check_eq("echo %d: exit status" % status, p.returncode, direct.returncode)
        ms.check("echo %d: stdout identical (%d bytes vs %d)" % (status, len(p.stdout), len(direct.stdout)),
                 p.stdout == direct.stdout == data)
        ms.check_eq("echo %d: program's stderr" % status, own_stderr(p.stderr), direct.stderr)
        ms.check("echo %d: memscope's own stderr lines start with 'memscope:'" % status,
                 all(l.startswith(b"memscope:") or l in direct.stderr.splitlines(True)
                     for l in p.stderr.splitlines(True)))
    doc = ms.ms_report(os.path.join(ms.TMP, "echo-42", "t.mst"))
    ms.check_eq("echo: allocations recorded", doc["summary"]["allocations"], 1)

    # Empty stdin (closed pipe) and arguments with spaces, quotes, empty ones.
    args = ["a b", "", "'q'", "--", "-o", "x\ty", "ü"]
    d = ms.tmpdir("args")
    p = ms.ms_run([prog, "args"] + args, trace=os.path.join(d, "t.mst"), cwd=d)
    want = b"".join(a.encode() + b"\n" for a in args)
    ms.check_eq("args: passed unchanged", p.stdout, want)
    ms.check_eq("args: exit status", p.returncode, 0)

    # SIGTERM, SIGHUP, SIGUSR1 sent to memscope reach the program, which
    # dies by them (docs/run.md). The program echoes a line first, so it is
    # known to run. (If a signal is not passed on, the program waits on its
    # stdin forever and ctest's timeout ends the test.)
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGUSR1):
        d = ms.tmpdir("forward-%s" % ms.sig_name(sig))
        cmd = [ms.MEMSCOPE, "run", "-o", os.path.join(d, "t.mst"), "--", prog, "echo", "0"]
        print("$ %s  (then %s)" % (" ".join(cmd), ms.sig_name(sig)))
        pr = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              cwd=d, preexec_fn=ms._no_core)
        pr.stdin.write(b"ping\n")
        pr.stdin.flush()
        got = pr.stdout.read(5)
        ms.check_eq("forward %s: the program runs and echoes" % ms.sig_name(sig), got, b"ping\n")
        pr.send_signal(sig)
        pr.wait()
        ms.check_eq("forward %s: memscope run dies by the same signal" % ms.sig_name(sig), pr.returncode, -sig)
        pr.stdin.close()
        pr.stdout.close()
        pr.stderr.close()

    # The program's own LD_PRELOAD still applies under memscope.
    lib = ms.target("libdlalloc.so")
    d = ms.tmpdir("user-preload")
    direct = ms.run([prog, "maps", "libdlalloc"], env={"LD_PRELOAD": lib})
    ms.check_eq("user LD_PRELOAD: direct run", direct.stdout, b"mapped\n")
    p = ms.ms_run([prog, "maps", "libdlalloc"], trace=os.path.join(d, "t.mst"), cwd=d, env={"LD_PRELOAD": lib})
    ms.check_eq("user LD_PRELOAD: still loaded under memscope", p.stdout, b"mapped\n")
    p = ms.ms_run([prog, "maps", "libmemscope"], trace=os.path.join(d, "t2.mst"), cwd=d)
    ms.check_eq("the runtime is loaded under memscope", p.stdout, b"mapped\n")

    for mode, sig in (("segv", signal.SIGSEGV), ("abort", signal.SIGABRT)):
        d = ms.tmpdir(mode)
        direct = ms.run([prog, mode])
        ms.check_eq("%s: direct run dies by %s" % (mode, ms.sig_name(sig)), direct.returncode, -sig)
        p = ms.ms_run([prog, mode], trace=os.path.join(d, "t.mst"), cwd=d)
        ms.check_eq("%s: memscope run dies by the same signal" % mode, p.returncode, -sig)
        # The same through a shell: $? is 128 + N.
        sh = ms.run(["sh", "-c", '"$0" run -o "$1" -- "$2" "$3"; echo "status $?"',
                     ms.MEMSCOPE, os.path.join(d, "t2.mst"), prog, mode], cwd=d)
        ms.check_eq("%s: shell sees status 128+%d" % (mode, sig), sh.stdout.strip().splitlines()[-1:],
                    [b"status %d" % (128 + sig)])
        # The trace stays readable. abort() is hooked, so everything up to it
        # is written and the run's end is named; a SIGSEGV gives no chance to
        # write (memscope installs no handler of its own, the program's signal
        # handling stays its own), so that trace ends at its last complete
        # frame, like one of a SIGKILLed program, and is reported as cut off.
        if os.path.exists(os.path.join(d, "t.mst")):
            r = ms.ms_report_raw(os.path.join(d, "t.mst"))
            ms.check_eq("%s: the trace of a program killed by %s can be reported (exit status)"
                        % (mode, ms.sig_name(sig)), r.returncode, 0)
            if r.returncode == 0:
                doc = ms.parse_report(r)
                if mode == "abort":
                    ms.check_eq("abort: end reason", doc["summary"]["end_reason"], "abort")
                    ms.check_eq("abort: allocations before the crash", doc["summary"]["allocations"], 1)
                    ms.check_eq("abort: bytes live at the crash", doc["summary"]["leaked_bytes"], 4096)
                else:
                    ms.check_eq("segv: the trace is marked as cut off", doc["summary"]["truncated"], True)
                    ms.check("segv: at most the one allocation made before the crash",
                             doc["summary"]["allocations"] <= 1)
            else:
                ms.show(r, "report")
        else:
            ms.check("%s: a trace is written" % mode, False)


ms.main(test)

#!/usr/bin/env python3
"""Bad input to ps, monitor, trend and plot: one line 'memscope: ...' on
stderr and a non-zero exit, never a traceback, a hang or an empty report;
a partial log is never deleted (not even when memscope is killed)."""
import os
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import monlib as m


def fails(args, want_rc, want_err):
    rc, out, err = m.memscope(args)
    what = "memscope %s" % " ".join(args)
    m.check_eq(what + ": exit status", rc, want_rc)
    m.check_eq(what + ": one line on stderr", err, "memscope: " + want_err + "\n")
    m.check_eq(what + ": nothing on stdout", out, "")


fails(["monitor"], 2, "nothing to monitor: give -p PID, --name NAME or -- PROGRAM (see 'memscope help monitor')")
fails(["monitor", "-p", "4194305"], 2, "invalid process id list '4194305' for option '--pid' (e.g. '1234' or '1234,5678')")
fails(["monitor", "-p", "abc"], 2, "invalid process id list 'abc' for option '--pid' (e.g. '1234' or '1234,5678')")
fails(["monitor", "-p", "4194304"], 1, "no process with pid 4194304 (see 'memscope ps')")
fails(["monitor", "--name", "no-such-program-here"], 1, "no process named 'no-such-program-here' (see 'memscope ps')")
fails(["monitor", "-i", "0", "-p", "1"], 2, "invalid duration '0' for option '--interval' (from 10 ms to 3600 s, e.g. '1s', '100ms')")
fails(["monitor", "-i", "5ms", "-p", "1"], 2, "invalid duration '5ms' for option '--interval' (from 10 ms to 3600 s, e.g. '1s', '100ms')")
fails(["monitor", "-i", "fast", "-p", "1"], 2, "invalid duration 'fast' for option '--interval' (from 10 ms to 3600 s, e.g. '1s', '100ms')")
fails(["monitor", "-d", "0", "-p", "1"], 2, "invalid duration '0' for option '--duration' (from 1 ms to 2.592e+06 s, e.g. '1s', '100ms')")
fails(["monitor", "-p", "1", "--name", "x"], 2, "choose one of -p PID, --name NAME and -- PROGRAM")
fails(["monitor", "--bogus"], 2, "unknown option '--bogus' for 'monitor' (see 'memscope help monitor')")
fails(["monitor", "--"], 2, "missing the program after '--' (usage: memscope monitor [OPTIONS] -- PROGRAM [ARGS...])")
fails(["monitor", "--", "/no/such/program"], 127, "cannot run '/no/such/program': no such program")
fails(["monitor", "--csv", "/no/such/dir/x.csv", "--", "true"], 1, "cannot write log '/no/such/dir/x.csv': No such file or directory")
fails(["monitor", "-p", "2"], 1, "pid 2 ('kthreadd') is a kernel thread: it has no user memory to monitor")
fails(["ps", "--sort", "size"], 2, "invalid value 'size' for option '--sort' (private, rss, pss, swap, virtual, pid, name or user)")
fails(["ps", "--top", "0"], 2, "invalid value '0' for option '--top' (at least 1)")
fails(["ps", "--name", "no-such-program-here"], 1, "no process named 'no-such-program-here' (see 'memscope ps')")
fails(["ps", "--user", "no-such-user-here"], 1, "no user named 'no-such-user-here'")

# Saved logs that are not logs.
def write(name, text):
    with open(m.tmp(name), "w") as f:
        f.write(text)
    return m.tmp(name)

fails(["trend"], 2, "missing the log to read (usage: memscope trend [OPTIONS] FILE.csv)")
fails(["trend", m.tmp("missing.csv")], 1, "cannot read log '%s': No such file or directory" % m.tmp("missing.csv"))
fails(["trend", write("empty.csv", "")], 1, "cannot read log '%s': the file is empty" % m.tmp("empty.csv"))
fails(["trend", write("head.csv", "time_s,pid,rss\n")], 1, "cannot read log '%s': no samples after the header" % m.tmp("head.csv"))
fails(["trend", write("bad.csv", "time_s,pid,rss\n0,1,5\n1,1,x\n")], 1,
      "cannot read log '%s': line 3: field 'rss' is not a non-negative number ('x')" % m.tmp("bad.csv"))
fails(["trend", "/bin/sh"], 1, "cannot read log '/bin/sh': line 1: no 'time_s' column in the header (not a memscope monitor log?)")
fails(["trend", "--pid", "9", write("one.csv", "time_s,pid,rss\n0,1,5\n")], 1,
      "log '%s' has no samples of pid 9" % m.tmp("one.csv"))
fails(["plot", m.tmp("one.csv")], 2, "missing '-o FILE.svg' (usage: memscope plot [OPTIONS] FILE.csv -o FILE.svg)")
fails(["plot", m.tmp("one.csv"), "-o", m.tmp("x.svg"), "--counters", "rss,threads"], 2,
      "cannot draw 'rss' and 'threads' on one axis: one is in bytes, the other a count (make two plots)")
fails(["plot", m.tmp("one.csv"), "-o", m.tmp("x.svg"), "--counters", "heap"], 1,
      "nothing to draw: log '%s' has no values for the chosen counters" % m.tmp("one.csv"))
fails(["plot", m.tmp("one.csv"), "-o", m.tmp("x.svg"), "--counters", "nope"], 2,
      "unknown counter 'nope' for option '--counters' (one of: rss, rss_anon, rss_file, rss_shmem, pss, private, "
      "virtual, swap, heap, threads, faults_per_s, live_bytes, live_blocks, allocs_per_s, frees_per_s)")

# Permission: another user's process (as nobody, watch pid 1, root's).
if os.geteuid() == 0 and shutil.which("setpriv"):
    p = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", m.MEMSCOPE,
                        "monitor", "-p", "1", "-d", "1s"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    err = p.stderr.decode()
    m.check_eq("nobody monitoring pid 1: exit status", p.returncode, 1)
    m.check("nobody monitoring pid 1: permission denied in one line",
            err.startswith("memscope: cannot monitor pid 1 (") and err.endswith("permission denied (run as its user or as root)\n")
            and err.count("\n") == 1, err)
    p = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", m.MEMSCOPE,
                        "ps", "--json", "--user", "root"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    import json
    procs = json.loads(p.stdout.decode()) if p.returncode == 0 else []
    m.check("nobody's ps shows root's processes", len(procs) > 0, p.stderr.decode())
    m.check("without their smaps: pss and private are null, rss is there",
            all(x["pss"] is None and x["private"] is None and x["rss"] > 0 and not x["smaps_readable"] for x in procs))
    p = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", m.MEMSCOPE,
                        "ps", "--user", "root"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    m.check("nobody's ps table says why '?'", "could not be read" in p.stdout.decode().splitlines()[-1])
else:
    m.check("this test runs as root with setpriv (util-linux) to check permissions", False)

# A log is never deleted: kill memscope mid-run, every line written is whole.
csv = m.tmp("killed.csv")
mon = subprocess.Popen([m.MEMSCOPE, "monitor", "-q", "-i", "20ms", "--csv", csv, "--", m.target("mon_grow"), "100"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
time.sleep(1.5)  # a verdict needs 1 s of samples
mon.send_signal(signal.SIGKILL)
mon.wait()
rows = m.read_csv(csv)
m.check("the killed monitor's log has its samples", len(rows) >= 20, str(len(rows)))
doc = m.trend_json(csv)
m.check("trend reads the killed monitor's log", bool(doc) and doc[0]["counters"]["rss"]["verdict"] == "growing")
if rows:
    try:
        os.kill(int(rows[0]["pid"]), signal.SIGKILL)  # mon_grow, orphaned: its pid is in the log
    except ProcessLookupError:
        pass
m.finish()

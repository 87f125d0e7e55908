#!/usr/bin/env python3
"""Counters against /proc: monitor -p and ps --json on an idle process
(mon_stable) give exactly what /proc/PID/status, smaps_rollup and maps say
for it. Then the test plays memscope's runtime and publishes a stats page
(src/trace/statspage.h) for that process: monitor shows its live heap
counters; without the page it says 'not under memscope'."""
import json
import os
import struct
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import monlib as m

proc = subprocess.Popen([m.target("mon_stable"), "60"], stdout=subprocess.PIPE)
try:
    m.check_eq("mon_stable starts", proc.stdout.readline(), b"ready\n")
    pid = proc.pid
    jsonl = m.tmp("x.jsonl")
    rc, out, err = m.memscope(["monitor", "-p", str(pid), "-i", "100ms", "-d", "1s", "--jsonl", jsonl])
    m.check_eq("monitor -p exit status (%s)" % err.strip()[-300:], rc, 0)
    m.check("monitor says it is not under memscope", "not under memscope" in out, out[:300])
    m.check("monitor reports it still runs", "still running when monitoring stopped" in out, out[-300:])
    with open(jsonl) as f:
        rows = [json.loads(line) for line in f]
    m.check_eq("only samples in the log", {r["event"] for r in rows}, {"sample"})
    m.check_grid("1 s at 100 ms", [r["time_s"] for r in rows], 0.1, 10)
    last = rows[-1]
    want = {
        "rss": m.proc_kib(pid, "status", "VmRSS"),
        "rss_anon": m.proc_kib(pid, "status", "RssAnon"),
        "rss_file": m.proc_kib(pid, "status", "RssFile"),
        "rss_shmem": m.proc_kib(pid, "status", "RssShmem"),
        "virtual": m.proc_kib(pid, "status", "VmSize"),
        "swap": m.proc_kib(pid, "status", "VmSwap"),
        "pss": m.proc_kib(pid, "smaps_rollup", "Pss"),
        "private": m.proc_kib(pid, "smaps_rollup", "Private_Clean") + m.proc_kib(pid, "smaps_rollup", "Private_Dirty"),
        "heap": m.proc_heap(pid),
        "threads": 2,
    }
    # PSS shares shared pages among the processes mapping them, memscope
    # itself among them while it runs (libc): it may differ by that share.
    # Private bytes likewise: a file page is private only while no other
    # process maps it, so it moves when memscope (sampling) starts or ends.
    for k, v in want.items():
        if k in ("pss", "private"):
            m.check("monitor's %s is /proc's within 256 KiB" % k, abs(last[k] - v) <= 256 * 1024, "%d vs %d" % (last[k], v))
        else:
            m.check_eq("monitor's %s equals /proc's" % k, last[k], v)
    m.check_eq("an idle process makes no page faults", last["faults_per_s"], 0)
    m.check_eq("no live heap without the runtime", last["live_bytes"], None)

    rc, out, err = m.memscope(["ps", "--json", "--name", "mon_stable"])
    m.check_eq("ps --json exit status (%s)" % err.strip(), rc, 0)
    mine = [p for p in json.loads(out) if p["pid"] == pid] if rc == 0 else []
    m.check_eq("ps lists the process once", len(mine), 1)
    if mine:
        p = mine[0]
        for k in ("rss", "swap", "virtual"):
            m.check_eq("ps's %s equals /proc's" % k, p[k], want[k])
        for k in ("pss", "private"):
            m.check("ps's %s is /proc's within 256 KiB" % k, abs(p[k] - want[k]) <= 256 * 1024)
        m.check_eq("ps: name", p["name"], "mon_stable")
        m.check_eq("ps: user", p["user"], "root" if os.geteuid() == 0 else p["user"])
        m.check_eq("ps: smaps readable", p["smaps_readable"], True)
    rc, out, _ = m.memscope(["ps", "--sort", "rss", "--top", "3"])
    m.check_eq("ps --top 3: a header and 3 rows", len(out.splitlines()), 4)

    # The runtime's stats page, made by hand: magic, version, size, pid,
    # starttime, generation, update time, then the four counters.
    with open("/proc/%d/stat" % pid) as f:
        starttime = int(f.read().rsplit(")", 1)[1].split()[19])
    page = struct.pack("<QIIIIQQQQQQQ6Q", 0x3145474150534d4d, 1, 128, pid, 0, starttime, 2, 1,
                       4 * m.MIB, 1000, 5000, 4000, *([0] * 6))
    path = "/dev/shm/memscope.%d" % pid
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.write(fd, page)
    os.close(fd)
    try:
        rc, out, err = m.memscope(["monitor", "-p", str(pid), "-i", "100ms", "-d", "500ms", "--jsonl", jsonl])
        m.check_eq("monitor with a stats page (%s)" % err.strip(), rc, 0)
        m.check("monitor says it is under memscope", "under memscope" in out and "not under" not in out, out[:300])
        m.check("the lines show the live heap", "live_bytes 4.00 MiB" in out, out[:500])
        with open(jsonl) as f:
            last = [json.loads(line) for line in f][-1]
        m.check_eq("live_bytes from the page", last["live_bytes"], 4 * m.MIB)
        m.check_eq("live_blocks from the page", last["live_blocks"], 1000)
        m.check_eq("allocs from the page", last["allocs"], 5000)
        m.check_eq("frees from the page", last["frees"], 4000)
        m.check_eq("allocs per second (nothing published meanwhile)", last["allocs_per_s"], 0)
        # A page writable by others is not believed.
        os.chmod(path, 0o666)
        rc, out, _ = m.memscope(["monitor", "-p", str(pid), "-i", "100ms", "-d", "300ms"])
        m.check("a page others may write is ignored", "not under memscope" in out, out[:300])
    finally:
        os.unlink(path)
finally:
    proc.kill()
    proc.wait()

# The process is gone: a clear error, no log.
rc, out, err = m.memscope(["monitor", "-p", str(proc.pid), "-d", "1s"])
m.check_eq("monitor on an exited pid fails", rc, 1)
m.check_eq("with one line", err, "memscope: no process with pid %d (see 'memscope ps')\n" % proc.pid)
m.finish()

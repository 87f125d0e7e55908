#!/usr/bin/env python3
"""`memscope snapshot -p PID` while snap_threads runs 8 allocating threads:
six snapshots in a row, each answered with its id and the trace; the
program's output and exit status (3) are unchanged; the trace holds one
SOCKET snapshot per request with its label, each consistent with the events
before it and with the stacks of all 8 workers scanned. Bad input gets one
line and a non-zero status: no -p, a PID that does not exist, a process not
under memscope, a process of another user, a socket owned by another user,
a socket served by another process. The socket is gone after exit."""
import os
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import mslib as ms
import msdecode as md

UID = os.geteuid()


def sock_path(pid):
    return "/tmp/memscope-%d/%d.sock" % (UID, pid)


def snap(pid, *args):
    cmd = [ms.MEMSCOPE, "snapshot", "-p", str(pid)] + list(args)
    print("$ %s" % " ".join(cmd))
    return ms.run(cmd)


def free_pid():
    pid = 4000000
    while os.path.exists("/proc/%d" % pid):
        pid += 1
    return pid


def bad_inputs():
    ms.check_one_error_line("no -p", ms.run([ms.MEMSCOPE, "snapshot"]), 2)
    ms.check_one_error_line("bad pid", ms.run([ms.MEMSCOPE, "snapshot", "-p", "abc"]), 2)
    line = ms.check_one_error_line("pid does not exist", snap(free_pid()), 1)
    ms.check("pid does not exist: says so (%r)" % line, "no process" in line)
    sleeper = subprocess.Popen(["sleep", "60"])
    try:
        line = ms.check_one_error_line("not under memscope", snap(sleeper.pid), 1)
        ms.check("not under memscope: says so (%r)" % line, "not running under memscope" in line)
        # a socket file planted for it: served by another process
        os.makedirs(os.path.dirname(sock_path(0)), mode=0o700, exist_ok=True)
        srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        path = sock_path(sleeper.pid)
        if os.path.exists(path):
            os.unlink(path)  # left by an earlier process that had this pid and was killed
        srv.bind(path)
        srv.listen(1)
        line = ms.check_one_error_line("socket served by another process", snap(sleeper.pid), 1)
        ms.check("served by another process: says so (%r)" % line, "served by process" in line)
        if UID == 0:
            os.chown(path, 65534, 65534)
            line = ms.check_one_error_line("socket owned by another user", snap(sleeper.pid), 1)
            ms.check("owned by another user: says so (%r)" % line, "owned by another user" in line)
        srv.close()
        os.unlink(path)
        # a stale socket (nobody listens)
        s2 = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s2.bind(path)
        s2.close()
        line = ms.check_one_error_line("stale socket", snap(sleeper.pid), 1)
        ms.check("stale socket: not under memscope (%r)" % line, "not running under memscope" in line)
        os.unlink(path)
    finally:
        sleeper.kill()
        sleeper.wait()


def test():
    bad_inputs()
    prog = ms.target("snap_threads")
    d = ms.tmpdir("socket")
    trace = os.path.join(d, "trace.mst")
    cmd = [ms.MEMSCOPE, "run", "-q", "-o", trace, "--", prog]
    print("$ %s" % " ".join(cmd))
    env = dict(os.environ)
    env.pop("LD_PRELOAD", None)
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=d, env=env)
    line = p.stdout.readline().decode()
    if not line.startswith("ready "):
        p.kill()
        raise ms.Fatal("snap_threads did not start: %r" % line)
    pid = int(line.split()[1])
    ms.check("socket exists while it runs", os.path.exists(sock_path(pid)))
    st = os.stat(sock_path(pid))
    ms.check_eq("socket mode", oct(st.st_mode & 0o777), oct(0o600))
    ms.check_eq("socket directory mode", oct(os.stat(os.path.dirname(sock_path(pid))).st_mode & 0o777), oct(0o700))
    if UID == 0 and os.path.exists("/usr/bin/setpriv"):
        r = ms.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", ms.MEMSCOPE, "snapshot", "-p",
                    str(pid)])
        line = ms.check_one_error_line("process of another user", r, 1)
        ms.check("another user: says so (%r)" % line, "belongs to another user" in line)
    labels = ["s%d" % i for i in range(6)]
    for i, lab in enumerate(labels):
        t0 = time.time()
        r = snap(pid, "--label", lab)
        ms.check_eq("snapshot %s: exit status" % lab, r.returncode, 0)
        ms.check_eq("snapshot %s: answer" % lab, r.stdout.decode(),
                    "memscope: snapshot %d '%s' of %d written to %s\n" % (i + 1, lab, pid, trace))
        ms.check("snapshot %s: took %.2f s (< 1.5 s: no thread timed out)" % (lab, time.time() - t0),
                 time.time() - t0 < 1.5)
        if r.returncode:
            ms.show(r, "snapshot")
    r = snap(pid, "--label", "bad\nlabel")
    ms.check_one_error_line("label with a newline", r, 2)
    out, err = p.communicate(b"stop\n")
    ms.check_eq("program: output unchanged", out, b"done yes\n")
    ms.check_eq("program: exit status unchanged", p.returncode, 3)
    ms.check_eq("program: nothing on stderr", err, b"")
    ms.check("socket removed at exit", not os.path.exists(sock_path(pid)))

    t = md.decode(trace)
    ms.check_eq("trace: snapshots", [(s.id, s.reason, s.label) for s in t.snapshots],
                [(i + 1, md.SNAP_SOCKET, lab) for i, lab in enumerate(labels)] + [(7, md.SNAP_EXIT, "exit")])
    for s in t.snapshots:
        ms.check_eq("%s: live_blocks = live set of the events before it" % s.label, s.live_blocks, len(s.live))
        ms.check_eq("%s: live_bytes = live set of the events before it" % s.label, s.live_bytes,
                    sum(s.live.values()))
        ms.check_eq("%s: ROUND(ts) right before" % s.label, s.round_before, s.ts)
        ms.check("%s: SCAN_END" % s.label, s.end is not None and s.end[0] == s.live_blocks)
        if s.reason == md.SNAP_SOCKET:
            tids = set(r[1] for r in s.roots if r[0] == md.ROOT_STACK)
            # main + 8 workers: each keeps a ring of 64 live blocks on its stack
            ms.check_ge("%s: threads with stack roots (main + 8 workers)" % s.label, len(tids), 9)
            ms.check_ge("%s: stack roots (8 rings of 64 blocks)" % s.label,
                        sum(1 for r in s.roots if r[0] == md.ROOT_STACK), 8 * 60)


ms.main(test)

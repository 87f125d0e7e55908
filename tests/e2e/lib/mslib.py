"""Helpers for memscope's end-to-end tests (python3 standard library only).

A test script imports this module, runs `memscope run` / `memscope report
--json` and valgrind on the same target program, and compares figures with
check_eq(), which prints got and want and records a failure instead of
stopping, so one run shows every mismatch. finish() ends the script: exit 0
if every check passed, 1 otherwise. An error that makes further checks
meaningless (no trace, unparsable JSON) raises Fatal, which finish_on_error
turns into exit 1 with the reason.

Environment (set by tests/CMakeLists.txt): MEMSCOPE (the CLI), MS_TARGETS
(built target programs), MS_SRC (source tree), MS_TMP (this test's scratch
directory). No test has a wall-clock limit; a process that runs for
HANG_SECS (240 s) is reported as hung, with where it waits.
"""

import glob
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys

MEMSCOPE = os.environ.get("MEMSCOPE", "memscope")
TARGETS = os.environ.get("MS_TARGETS", "")
SRC = os.environ.get("MS_SRC", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..")))
TMP = os.environ.get("MS_TMP") or os.path.join("/tmp", "memscope-e2e-%d" % os.getpid())

SUMMARY_INTS = ("allocations", "frees", "bytes_allocated", "peak_bytes", "leaked_bytes",
                "leaked_blocks", "temporary_allocations", "peak_rss_bytes")
STACK_INTS = ("allocations", "frees", "bytes_allocated", "peak_bytes", "leaked_bytes",
              "leaked_blocks", "temporary_allocations")
# glibc's per-thread TLS vector (DTV): its size depends on how many loaded
# modules have TLS, so it differs between a run under valgrind and a run
# with the runtime preloaded. Tests that start threads compare with valgrind
# after taking these blocks out on both sides.
DTV_FUNCS = ("allocate_dtv", "_dl_allocate_tls")

_failures = []


class Fatal(Exception):
    """A failure after which the test cannot go on."""


# ---------------------------------------------------------------- checks

def check(what, cond):
    """Records a failure named `what` unless cond holds; returns cond."""
    if cond:
        print("ok   %s" % what)
    else:
        print("FAIL %s" % what)
        _failures.append(what)
    return bool(cond)


def check_eq(what, got, want):
    """Records a failure unless got == want; prints both."""
    if got == want:
        print("ok   %s: %s" % (what, _short(got)))
        return True
    print("FAIL %s: got %s, want %s" % (what, _short(got), _short(want)))
    _failures.append(what)
    return False


def _short(v, limit=600):
    r = repr(v)
    return r if len(r) <= limit else r[:limit] + "... (%d chars)" % len(r)


def check_in(what, got, allowed):
    if got in allowed:
        print("ok   %s: %r" % (what, got))
        return True
    print("FAIL %s: got %r, want one of %r" % (what, got, list(allowed)))
    _failures.append(what)
    return False


def check_ge(what, got, least):
    if got is not None and got >= least:
        print("ok   %s: %r >= %r" % (what, got, least))
        return True
    print("FAIL %s: got %r, want >= %r" % (what, got, least))
    _failures.append(what)
    return False


def check_summary(what, summary, want):
    """Checks each key of the dict `want` against the report's summary."""
    for k, v in want.items():
        check_eq("%s: summary.%s" % (what, k), summary.get(k), v)


def finish():
    """Ends the test: exit status 1 if a check failed."""
    if _failures:
        print("\n%d check(s) failed:" % len(_failures))
        for f in _failures:
            print("  - %s" % f)
        sys.exit(1)
    print("\nall checks passed")
    sys.exit(0)


def main(fn):
    """Runs fn() and finish(); a Fatal or an unexpected exception fails the test."""
    try:
        fn()
    except Fatal as e:
        print("FATAL %s" % e)
        _failures.append(str(e))
    finish()


# ---------------------------------------------------------------- files

def target(name):
    """Path of a built target program; Fatal if it is missing."""
    p = os.path.join(TARGETS, name)
    if not os.path.exists(p):
        raise Fatal("target program %s is not built" % p)
    return p


def src_path(rel):
    return os.path.join(SRC, rel)


def marker_line(rel, marker):
    """1-based line number of the only line of SRC/rel holding `marker`."""
    lines = [i + 1 for i, l in enumerate(open(src_path(rel), encoding="utf-8")) if marker in l]
    if len(lines) != 1:
        raise Fatal("marker %r found %d times in %s" % (marker, len(lines), rel))
    return lines[0]


def tmpdir(name):
    """A fresh, empty directory MS_TMP/name."""
    d = os.path.join(TMP, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return d


# ---------------------------------------------------------------- processes

# A hang guard, not a speed check: no phase of any test takes more than a
# few seconds, and ctest kills a whole test at 600 s without saying where it
# stood. A process still running after HANG_SECS is taken for hung: the
# state of every process of its tree is printed, the tree is killed and the
# test fails there.
HANG_SECS = float(os.environ.get("MS_HANG_SECS", "240"))


def run(argv, stdin=b"", cwd=None, env=None):
    """Runs argv to completion; returns CompletedProcess with bytes
    stdout/stderr. returncode < 0 means death by signal. Fatal, after a
    report of where each process of the tree waits, if it hangs."""
    e = dict(os.environ)
    e.pop("LD_PRELOAD", None)
    if env:
        e.update(env)
    with subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          cwd=cwd, env=e, preexec_fn=_no_core) as p:
        try:
            out, err = p.communicate(stdin, timeout=HANG_SECS)
        except subprocess.TimeoutExpired:
            tree = _descendants(p.pid)
            print("HUNG after %g s: %s" % (HANG_SECS, " ".join(argv)))
            for pid in tree:
                _describe_process(pid)
            for pid in reversed(tree):
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            p.communicate()
            raise Fatal("%s hung (still running after %g s); the state of its processes is above"
                        % (os.path.basename(argv[0]), HANG_SECS))
    return subprocess.CompletedProcess(argv, p.returncode, out, err)


def _descendants(root):
    """root and every process below it, parents first."""
    children = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(d))
    out, todo = [], [root]
    while todo:
        pid = todo.pop(0)
        out.append(pid)
        todo += sorted(children.get(pid, []))
    return out


def _read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read().strip()
    except OSError as e:
        return "(%s)" % e.strerror


def _describe_process(pid):
    """Prints where each thread of pid waits: /proc's view, then gdb's
    backtraces when gdb can attach (not while another tracer holds it)."""
    print("--- process %d: %s" % (pid, _read("/proc/%d/cmdline" % pid).replace("\0", " ")))
    status = _read("/proc/%d/status" % pid).splitlines()
    print("\n".join(l for l in status if l.split(":")[0] in ("State", "TracerPid", "SigPnd", "ShdPnd",
                                                             "SigBlk", "Threads")))
    try:
        tids = sorted(os.listdir("/proc/%d/task" % pid), key=int)
    except OSError:
        tids = []
    for tid in tids:
        t = "/proc/%d/task/%s" % (pid, tid)
        print("  thread %s (%s): wchan %s, syscall %s" % (tid, _read(t + "/comm"), _read(t + "/wchan"),
                                                        _read(t + "/syscall")))
        print("    " + _read(t + "/stack").replace("\n", "\n    "))
    if shutil.which("gdb"):
        try:
            g = subprocess.run(["gdb", "-nx", "-batch", "-p", str(pid), "-ex", "thread apply all bt"],
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               timeout=60)
            print(g.stdout.decode(errors="replace")[-8000:])
        except subprocess.TimeoutExpired:
            print("(gdb did not attach within 60 s)")


def _no_core():
    # Targets that die by SIGSEGV or SIGABRT must not leave core files.
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def shell_status(rc):
    """The status a shell would show for a CompletedProcess returncode."""
    return 128 - rc if rc < 0 else rc


def show(p, label):
    print("--- %s: exit %s" % (label, p.returncode))
    if p.stdout:
        print("--- stdout:\n%s" % p.stdout.decode(errors="replace")[-4000:])
    if p.stderr:
        print("--- stderr:\n%s" % p.stderr.decode(errors="replace")[-4000:])


def ms_run(argv, trace=None, opts=(), stdin=b"", cwd=None, env=None):
    """memscope run [opts] [-o trace] -- argv. Returns the CompletedProcess."""
    cmd = [MEMSCOPE, "run"] + list(opts)
    if trace:
        cmd += ["-o", trace]
    cmd += ["--"] + list(argv)
    print("$ %s" % " ".join(cmd))
    return run(cmd, stdin=stdin, cwd=cwd, env=env)


def ms_report_raw(trace, opts=()):
    cmd = [MEMSCOPE, "report", "--json"] + list(opts) + [trace]
    print("$ %s" % " ".join(cmd))
    return run(cmd)


def parse_report(p, what="report"):
    """Parses and sanity-checks the JSON of a finished `report --json`."""
    try:
        doc = json.loads(p.stdout.decode())
    except ValueError as e:
        show(p, what)
        raise Fatal("%s: stdout is not one JSON document: %s" % (what, e))
    s = doc.get("summary")
    if not isinstance(s, dict):
        raise Fatal("%s: no object 'summary'" % what)
    for k in SUMMARY_INTS:
        if not isinstance(s.get(k), int) or isinstance(s.get(k), bool):
            raise Fatal("%s: summary.%s is %r, not an integer" % (what, k, s.get(k)))
    if not isinstance(s.get("truncated"), bool):
        raise Fatal("%s: summary.truncated is %r, not a boolean" % (what, s.get("truncated")))
    if not isinstance(doc.get("stacks"), list):
        raise Fatal("%s: no array 'stacks'" % what)
    for st in doc["stacks"]:
        if not isinstance(st.get("frames"), list):
            raise Fatal("%s: a stack without 'frames': %r" % (what, st))
        for k in STACK_INTS:
            if not isinstance(st.get(k), int):
                raise Fatal("%s: stack metric %s is %r" % (what, k, st.get(k)))
        for f in st["frames"]:
            for k in ("function", "file", "line", "module", "inlined"):
                if k not in f:
                    raise Fatal("%s: a frame without '%s': %r" % (what, k, f))
    return doc


def ms_report(trace, opts=(), expect_truncated=False):
    """report --json TRACE: checks exit 0 and an empty stderr (unless a
    truncated trace is expected), returns the parsed document."""
    p = ms_report_raw(trace, opts)
    if p.returncode != 0:
        show(p, "report")
        raise Fatal("memscope report %s exited with %d" % (trace, p.returncode))
    if not expect_truncated and p.stderr.strip():
        show(p, "report")
        check("report of %s prints nothing on stderr" % os.path.basename(trace), False)
    doc = parse_report(p)
    print("summary: %s" % json.dumps(doc["summary"], sort_keys=True))
    return doc


def record(argv, name, opts=(), stdin=b"", want_status=0):
    """Runs argv under memscope with a trace in a fresh tmpdir(name); checks
    the exit status; returns (trace path, CompletedProcess)."""
    d = tmpdir(name)
    trace = os.path.join(d, "trace.mst")
    p = ms_run(argv, trace=trace, opts=opts, stdin=stdin, cwd=d)
    if p.returncode != want_status:
        show(p, "memscope run")
    check_eq("%s: exit status of memscope run" % name, p.returncode, want_status)
    if not os.path.exists(trace):
        show(p, "memscope run")
        raise Fatal("%s: no trace written at %s (files: %s)" % (name, trace, os.listdir(d)))
    return trace, p


# ---------------------------------------------------------------- stacks

def fn_name(frame):
    """A frame's function without C++ parameters: 'leak_here()' -> 'leak_here'."""
    f = frame.get("function") or ""
    i = f.find("(")
    return f[:i] if i > 0 else f


def stacks_from(doc, func, index=None):
    """Stacks having a frame of function func (at position index, if given)."""
    out = []
    for st in doc["stacks"]:
        fr = st["frames"]
        if index is None:
            if any(fn_name(f) == func for f in fr):
                out.append(st)
        elif len(fr) > index and fn_name(fr[index]) == func:
            out.append(st)
    return out


def sum_metric(stacks, key):
    return sum(st[key] for st in stacks)


def describe_stack(st):
    return " <- ".join("%s (%s:%s)" % (f.get("function"), os.path.basename(str(f.get("file"))),
                                       f.get("line")) for f in st["frames"][:8])


def check_frame(what, frame, function, file=None, line=None, module=None):
    """Checks function (C++ parameters ignored), file basename, line, module basename."""
    check_eq("%s: function" % what, fn_name(frame), function)
    if file is not None:
        check_eq("%s: file" % what, os.path.basename(str(frame.get("file"))), file)
    if line is not None:
        check_eq("%s: line" % what, frame.get("line"), line)
    if module is not None:
        check_eq("%s: module" % what, os.path.basename(str(frame.get("module"))), module)


def check_leak_stack(what, doc, function, file, line, size, blocks=1, callers=(), inlined=False):
    """The one leaking stack whose first frame is `function` leaks `size`
    bytes in `blocks` blocks, at file:line, called from `callers`
    (functions, in order from the next frame outwards)."""
    sts = [st for st in stacks_from(doc, function, index=0) if st["leaked_blocks"]]
    if not check_eq("%s: number of leaking stacks whose first frame is %s" % (what, function), len(sts), 1):
        for st in doc["stacks"][:20]:
            print("   stack: %s" % describe_stack(st))
        return None
    st = sts[0]
    print("   stack: %s" % describe_stack(st))
    check_eq("%s: leaked_bytes of that stack" % what, st["leaked_bytes"], size)
    check_eq("%s: leaked_blocks of that stack" % what, st["leaked_blocks"], blocks)
    check_frame("%s: frame 0" % what, st["frames"][0], function, file, line)
    check_eq("%s: frame 0 inlined" % what, st["frames"][0].get("inlined"), inlined)
    for i, c in enumerate(callers):
        if len(st["frames"]) > i + 1:
            check_eq("%s: frame %d function" % (what, i + 1), fn_name(st["frames"][i + 1]), c)
        else:
            check("%s: frame %d (%s) exists" % (what, i + 1, c), False)
    return st


def check_stack_sums(what, doc):
    """Per-stack metrics add up to the summary (every stack is listed)."""
    s = doc["summary"]
    for k in STACK_INTS:
        check_eq("%s: sum over stacks of %s equals summary" % (what, k),
                 sum_metric(doc["stacks"], k), s[k])


def dtv_stacks(doc):
    return [st for st in doc["stacks"] if any(fn_name(f) in DTV_FUNCS for f in st["frames"])]


# ---------------------------------------------------------------- valgrind

_NUM = r"([\d,]+)"


def _int(s):
    return int(s.replace(",", ""))


def parse_memcheck_log(text):
    """Figures from one memcheck log: allocations, frees, bytes_allocated,
    leaked_bytes, leaked_blocks (+ pid, ppid). None if no heap summary."""
    m = re.search(r"total heap usage: %s allocs, %s frees, %s bytes allocated" % (_NUM, _NUM, _NUM), text)
    if not m:
        return None
    r = {"allocations": _int(m.group(1)), "frees": _int(m.group(2)), "bytes_allocated": _int(m.group(3))}
    m = re.search(r"in use at exit: %s bytes in %s blocks" % (_NUM, _NUM), text)
    r["leaked_bytes"] = _int(m.group(1))
    r["leaked_blocks"] = _int(m.group(2))
    m = re.search(r"==(\d+)== Parent PID: (\d+)", text)
    if m:
        r["pid"], r["ppid"] = int(m.group(1)), int(m.group(2))
    # Leak classes (--leak-check=full), under the names of report --json;
    # "All heap blocks were freed" means every class is empty.
    freed = "All heap blocks were freed" in text
    for key, label in MEMCHECK_CLASSES:
        m = re.search(r"%s: %s bytes in %s blocks" % (label, _NUM, _NUM), text)
        if m or freed:
            r[key + "_bytes"] = _int(m.group(1)) if m else 0
            r[key + "_blocks"] = _int(m.group(2)) if m else 0
    return r


# report --json summary prefix -> memcheck's LEAK SUMMARY label
MEMCHECK_CLASSES = (("definitely_lost", "definitely lost"), ("indirectly_lost", "indirectly lost"),
                    ("possibly_lost", "possibly lost"), ("reachable", "still reachable"))


def memcheck(argv, name, children=False, stdin=b""):
    """Runs argv under valgrind memcheck. Returns (figures of the first
    process, {pid: figures} of every process that printed a summary,
    CompletedProcess)."""
    d = tmpdir(name + ".memcheck")
    log = os.path.join(d, "vg.%p")
    cmd = ["valgrind", "--leak-check=full", "--show-leak-kinds=all", "--num-callers=50",
           "--log-file=" + log]
    cmd += ["--trace-children=yes", "--child-silent-after-fork=no"] if children else ["--trace-children=no"]
    p = run(cmd + list(argv), stdin=stdin, cwd=d)
    per_pid = {}
    for f in sorted(glob.glob(os.path.join(d, "vg.*"))):
        r = parse_memcheck_log(open(f, errors="replace").read())
        if r:
            per_pid[int(f.rsplit(".", 1)[1])] = r
    root = [r for r in per_pid.values() if r.get("ppid") == os.getpid()]
    if not root:
        show(p, "valgrind")
        raise Fatal("%s: no memcheck heap summary in %s" % (name, d))
    print("valgrind memcheck %s: %s" % (name, {k: v for k, v in root[0].items() if k not in ("pid", "ppid")}))
    return root[0], per_pid, p


def dhat(argv, name, stdin=b""):
    """Runs argv under DHAT. Returns (t-gmax bytes, DHAT JSON document)."""
    d = tmpdir(name + ".dhat")
    out = os.path.join(d, "dhat.json")
    log = os.path.join(d, "dhat.log")
    cmd = ["valgrind", "--tool=dhat", "--num-callers=50", "--dhat-out-file=" + out, "--log-file=" + log]
    p = run(cmd + list(argv), stdin=stdin, cwd=d)
    text = open(log, errors="replace").read()
    m = re.search(r"At t-gmax:\s+%s bytes" % _NUM, text)
    if not m:
        show(p, "dhat")
        raise Fatal("%s: no 'At t-gmax' in %s" % (name, log))
    doc = json.load(open(out))
    print("valgrind dhat %s: t-gmax %d" % (name, _int(m.group(1))))
    return _int(m.group(1)), doc


def dhat_matching(doc, funcs):
    """(blocks, bytes, bytes at t-gmax) of DHAT program points whose stack
    has a frame of one of funcs."""
    ftbl = doc["ftbl"]
    pat = re.compile(r": (%s) \(" % "|".join(re.escape(f) for f in funcs))
    blocks = nbytes = gmax = 0
    for pp in doc["pps"]:
        if any(pat.search(ftbl[i]) for i in pp["fs"]):
            blocks += pp["tbk"]
            nbytes += pp["tb"]
            gmax += pp.get("gb", 0)
    return blocks, nbytes, gmax


def check_vs_memcheck(what, summary, vg, keys=("allocations", "frees", "bytes_allocated",
                                               "leaked_bytes", "leaked_blocks")):
    for k in keys:
        check_eq("%s: summary.%s equals valgrind memcheck" % (what, k), summary.get(k), vg[k])


def check_vs_memcheck_without_dtv(what, doc, vg, dh):
    """Compares with memcheck after removing glibc's DTV blocks on both sides
    (their size depends on the modules loaded; see DTV_FUNCS). vg: memcheck
    figures; dh: DHAT document of the same program, for the DTV figures."""
    s = doc["summary"]
    mine = dtv_stacks(doc)
    vb, vbytes, _ = dhat_matching(dh, DTV_FUNCS)
    check_eq("%s: number of DTV allocations equals valgrind's" % what, sum_metric(mine, "allocations"), vb)
    check_eq("%s: summary.allocations equals valgrind memcheck" % what, s["allocations"], vg["allocations"])
    check_eq("%s: summary.frees equals valgrind memcheck" % what, s["frees"], vg["frees"])
    check_eq("%s: summary.bytes_allocated minus DTV equals valgrind memcheck's" % what,
             s["bytes_allocated"] - sum_metric(mine, "bytes_allocated"), vg["bytes_allocated"] - vbytes)
    check_eq("%s: summary.leaked_blocks equals valgrind memcheck" % what, s["leaked_blocks"], vg["leaked_blocks"])
    return mine


# ---------------------------------------------------------------- errors

def check_one_error_line(what, p, want_status=None):
    """A failed command: non-zero exit (or want_status), stderr exactly one
    line starting with 'memscope: ', and no Python/C crash."""
    err = p.stderr.decode(errors="replace")
    lines = err.splitlines()
    if want_status is None:
        ok = check("%s: non-zero exit status (got %d)" % (what, p.returncode), p.returncode > 0)
    else:
        ok = check_eq("%s: exit status" % what, p.returncode, want_status)
    ok &= check_eq("%s: number of lines on stderr" % what, len(lines), 1)
    ok &= check("%s: stderr starts with 'memscope: ' (%r)" % (what, err[:200]),
                err.startswith("memscope: "))
    if not ok:
        show(p, what)
    return lines[0] if lines else ""


def sig_name(n):
    try:
        return signal.Signals(n).name
    except ValueError:
        return str(n)

#!/usr/bin/env bash
# memscope benchmark: plain run vs `memscope run` vs heaptrack, same machine,
# same run, interleaved repetitions, medians. See bench/README.md and
# bench/RESULTS.md for the method.
#
# usage: bench/run.sh BUILD_DIR
# environment:
#   REPS=5            timed repetitions of every (workload, tool) pair
#   REPORT_REPS=3     timed repetitions of `memscope report` / heaptrack_print
#   CHURN_PAIRS=5000000   malloc/free pairs per churn thread
#   CLANG_MODULES=28  size of the generated C file (28 ~ 4,000 lines)
#   PY_RECORDS=40000  records built by the python workload (bench/py-alloc.py)
#   TIMEOUT=600       seconds before one invocation counts as hung
#   SAMPLE_RATE=64K   --sample-rate of the sampled memscope column
#   FINE_RATE=8K      a finer --sample-rate, timed and checked for accuracy on
#                     perl alone (the rate that meets the 10% per-stack bound)
# Everything is built and written under bench/out/; the summary is printed
# and kept in bench/out/results.md, the raw measurements in bench/out/raw.tsv.
set -eu
set -o pipefail

die() { echo "bench: $*" >&2; exit 1; }

[ $# -eq 1 ] || die "usage: bench/run.sh BUILD_DIR (the memscope build directory, e.g. build)"
[ -d "$1" ] || die "build directory '$1' does not exist; build memscope first (make)"
build=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
out=$here/out
REPS=${REPS:-5}
REPORT_REPS=${REPORT_REPS:-3}
CHURN_PAIRS=${CHURN_PAIRS:-5000000}
CLANG_MODULES=${CLANG_MODULES:-28}
PY_RECORDS=${PY_RECORDS:-40000}
TIMEOUT=${TIMEOUT:-600}
SAMPLE_RATE=${SAMPLE_RATE:-64K}
FINE_RATE=${FINE_RATE:-8K}

# ---- tools -----------------------------------------------------------------
missing=
for t in cc perl python3 clang heaptrack heaptrack_print timeout date stat awk seq nproc; do
	command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
done
[ -x /usr/bin/time ] || missing="$missing /usr/bin/time(package time)"
perl -MJSON::PP -e 1 2>/dev/null || missing="$missing perl-JSON::PP"
[ -z "$missing" ] || die "missing tools:$missing; install them with scripts/install-deps.sh bench (make bench does)"

memscope=$build/memscope
if [ -x "$memscope" ]; then
	have_ms=1
	modes="plain memscope sampled heaptrack"
else
	have_ms=0
	modes="plain heaptrack"
	echo "bench: $memscope not found: memscope columns are skipped (build it with make);" \
		"measuring the plain runs and heaptrack only" >&2
fi

mkdir -p "$out/logs"
raw=$out/raw.tsv
events=$out/events.tsv
results=$out/results.md
: >"$raw"
: >"$events"

# ---- workloads ---------------------------------------------------------------
echo "bench: building workloads in $out" >&2
cc -std=c11 -O2 -g -Wall -Wextra -pthread "$here/churn.c" -o "$out/churn" ||
	die "cannot build bench/churn.c"
perl "$here/gen-c.pl" "$CLANG_MODULES" >"$out/gen.c" || die "cannot generate bench/out/gen.c"
# the interpreter itself: a python3 on PATH may be a wrapper script (pyenv's
# shims), whose shells every tool would trace too
python=$(python3 -c 'import sys; print(sys.executable)') || die "python3 does not run"

workloads="churn churn-2t perl python clang"
# Sets the array `cmd` to the command line of workload $1.
workload_cmd() {
	case $1 in
	churn) cmd=("$out/churn" 1 "$CHURN_PAIRS") ;;
	churn-2t) cmd=("$out/churn" 2 "$CHURN_PAIRS") ;;
	perl) cmd=(perl "$here/perl-hash.pl" 300000) ;;
	python) cmd=("$python" "$here/py-alloc.py" "$PY_RECORDS") ;;
	clang) cmd=(clang -O2 -c "$out/gen.c" -o "$out/gen.o") ;;
	*) die "unknown workload $1" ;;
	esac
}

# measure PHASE WORKLOAD MODE REP CMD...: runs CMD with stdout to /dev/null,
# stderr to bench/out/logs/, and appends wall seconds (nanosecond clock),
# peak RSS (KiB, largest process of the tree, from wait4) and CPU seconds
# (user+sys of the whole tree) to raw.tsv.
measure() {
	local phase=$1 w=$2 mode=$3 rep=$4
	shift 4
	local log="$out/logs/$phase.$w.$mode.log" tf="$out/logs/time.out" t0 t1 rc=0
	t0=$(date +%s%N)
	timeout "$TIMEOUT" /usr/bin/time -f '%M %U %S' -o "$tf" "$@" >/dev/null 2>"$log" || rc=$?
	t1=$(date +%s%N)
	if [ "$rc" != 0 ]; then
		[ "$rc" = 124 ] && echo "bench: timed out after ${TIMEOUT}s" >&2
		echo "bench: FAILED (exit status $rc): $*" >&2
		echo "bench: last lines of its stderr ($log):" >&2
		tail -n 15 "$log" >&2
		exit 1
	fi
	local rss usr sys
	read -r rss usr sys <"$tf"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$phase" "$w" "$mode" "$rep" \
		"$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", (b - a) / 1e9 }')" \
		"$rss" "$(awk -v u="$usr" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')" >>"$raw"
}

heaptrack_file() { # prints the file heaptrack wrote for workload $1
	local f
	for f in "$out/$1.heaptrack.zst" "$out/$1.heaptrack.gz" "$out/$1.heaptrack"; do
		[ -f "$f" ] && { echo "$f"; return 0; }
	done
	die "heaptrack wrote no $out/$1.heaptrack{.zst,.gz,}; see $out/logs/run.$1.heaptrack.log"
}

run_one() { # workload mode rep
	local w=$1 mode=$2 rep=$3
	workload_cmd "$w"
	case $mode in
	plain) measure run "$w" plain "$rep" "${cmd[@]}" ;;
	memscope)
		rm -f "$out/$w.mst" "$out/$w.mst".*
		measure run "$w" memscope "$rep" "$memscope" run -o "$out/$w.mst" -- "${cmd[@]}"
		[ -s "$out/$w.mst" ] || die "memscope run wrote no $out/$w.mst; see $out/logs/run.$w.memscope.log"
		;;
	sampled)
		rm -f "$out/$w.sampled.mst" "$out/$w.sampled.mst".*
		measure run "$w" sampled "$rep" "$memscope" run -q --sample-rate "$SAMPLE_RATE" -o "$out/$w.sampled.mst" \
			-- "${cmd[@]}"
		[ -s "$out/$w.sampled.mst" ] || die "memscope run wrote no $out/$w.sampled.mst"
		;;
	heaptrack)
		rm -f "$out/$w.heaptrack" "$out/$w.heaptrack".*
		measure run "$w" heaptrack "$rep" heaptrack -o "$out/$w.heaptrack" "${cmd[@]}"
		heaptrack_file "$w" >/dev/null
		;;
	esac
}

# ---- machine -------------------------------------------------------------------
{
	echo "# memscope benchmark"
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "- nproc: $(nproc)"
	echo "- cpu: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
	echo "- memory: $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
	echo "- kernel: $(uname -sr)"
	echo "- os: $(. /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-unknown}")"
	echo "- load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
	if [ "$have_ms" = 1 ]; then
		echo "- memscope: $("$memscope" version 2>/dev/null | head -n 1 || echo '?')" \
			"($(git -C "$here" describe --always --dirty 2>/dev/null || echo 'no git'))"
	else
		echo "- memscope: not built ($memscope missing), skipped"
	fi
	echo "- heaptrack: $(heaptrack --version 2>&1 | head -n 1)"
	echo "- clang: $(clang --version | head -n 1); perl: $(perl -e 'printf "%vd", $^V');" \
		"python: $(python3 -c 'import sys; print(sys.version.split()[0])')"
	echo "- sampled column: memscope run --sample-rate $SAMPLE_RATE"
	echo "- reps: $REPS interleaved (report: $REPORT_REPS); churn pairs/thread: $CHURN_PAIRS;" \
		"clang input: $(wc -l <"$out/gen.c") lines; python records: $PY_RECORDS"
	echo
} >"$out/header.md"
echo "bench: $(nproc) CPUs, $REPS reps, workloads: $workloads" >&2

# ---- warm-up: every workload once, plain, also checks that it works --------------
for w in $workloads; do
	run_one "$w" plain 0
done
: >"$raw"

# ---- timed runs: rep-major, tool order rotated every rep -------------------------
read -r -a mode_list <<<"$modes"
nm=${#mode_list[@]}
for rep in $(seq 1 "$REPS"); do
	echo "bench: rep $rep/$REPS" >&2
	for w in $workloads; do
		for i in $(seq 0 $((nm - 1))); do
			mode=${mode_list[$(((i + rep) % nm))]}
			run_one "$w" "$mode" "$rep"
		done
	done
done

# ---- event counts and trace sizes (traces of the last rep) -----------------------
for w in $workloads; do
	htf=$(heaptrack_file "$w")
	# heaptrack's own counts, from the stats its wrapper prints on stderr
	ht_events=$(awk -F: '
		/^[[:space:]]*allocations:/ { a = $2 + 0 }
		/^[[:space:]]*leaked allocations:/ { l = $2 + 0 }
		END { if (a > 0) print 2 * a - l; else print "" }' "$out/logs/run.$w.heaptrack.log")
	ms_events= ms_bytes=
	if [ "$have_ms" = 1 ]; then
		"$memscope" report --json "$out/$w.mst" >"$out/$w.report.json" 2>"$out/logs/json.$w.log" ||
			die "memscope report --json $out/$w.mst failed; see $out/logs/json.$w.log"
		ms_events=$(perl -MJSON::PP -e '
			local $/; my $j = decode_json(<STDIN>);
			sub find { my ($n) = @_;
				if (ref $n eq "HASH") {
					return $n if exists $n->{allocations} && exists $n->{frees};
					for my $k ("summary", sort keys %$n) { my $r = find($n->{$k}); return $r if $r }
				} elsif (ref $n eq "ARRAY") { for (@$n) { my $r = find($_); return $r if $r } }
				return undef }
			my $s = find($j) or die "no summary.allocations/frees\n";
			print $s->{allocations} + $s->{frees}, "\n";' <"$out/$w.report.json") ||
			die "cannot read allocations/frees from memscope report --json $out/$w.mst"
		ms_bytes=$(stat -c %s "$out/$w.mst")
	fi
	printf '%s\t%s\t%s\t%s\t%s\n' "$w" "${ms_events:--}" "${ms_bytes:--}" \
		"${ht_events:--}" "$(stat -c %s "$htf")" >>"$events"
done

# ---- report / heaptrack_print on the same run's traces ---------------------------
for rep in $(seq 1 "$REPORT_REPS"); do
	echo "bench: report rep $rep/$REPORT_REPS" >&2
	for w in $workloads; do
		htf=$(heaptrack_file "$w")
		if [ "$have_ms" = 1 ] && [ $((rep % 2)) = 1 ]; then
			measure report "$w" memscope "$rep" "$memscope" report "$out/$w.mst"
		fi
		measure report "$w" heaptrack "$rep" heaptrack_print "$htf"
		if [ "$have_ms" = 1 ] && [ $((rep % 2)) = 0 ]; then
			measure report "$w" memscope "$rep" "$memscope" report "$out/$w.mst"
		fi
	done
done

# ---- perl at the finer sample rate: its cost and accuracy ------------------------
fine=$out/fine.tsv
: >"$fine"
if [ "$have_ms" = 1 ]; then
	echo "bench: perl at --sample-rate $FINE_RATE" >&2
	main_raw=$raw
	raw=$fine
	workload_cmd perl
	for rep in $(seq 1 "$REPS"); do
		measure fine perl plain "$rep" "${cmd[@]}"
		rm -f "$out/perl.fine.mst"
		measure fine perl fine "$rep" "$memscope" run -q --sample-rate "$FINE_RATE" -o "$out/perl.fine.mst" \
			-- "${cmd[@]}"
	done
	raw=$main_raw
fi

# ---- summary --------------------------------------------------------------------
{
	cat "$out/header.md"
	echo "- load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo
	perl "$here/summarize.pl" "$raw" "$events" "$CHURN_PAIRS"
	if [ "$have_ms" = 1 ]; then
		echo
		echo "## Sampling accuracy: perl, --sample-rate $SAMPLE_RATE against the full trace of the same workload"
		echo
		perl "$here/sample-accuracy.pl" "$memscope" "$out/perl.mst" "$out/perl.sampled.mst"
		echo
		echo "## Sampling accuracy and cost: perl, --sample-rate $FINE_RATE"
		echo
		awk -F'\t' -v rate="$FINE_RATE" '
			{ w[$3] = w[$3] " " $5 }
			function median(s,    a, n, i, j, t) {
				n = split(s, a, " ")
				for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
				return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
			}
			END {
				p = median(w["plain"]); f = median(w["fine"])
				printf "Wall time, median of %d alternating runs: plain %.3f s, sampled at %s %.3f s (%.2fx).\n\n",
					split(w["plain"], x, " "), p, rate, f, f / p
			}' "$fine"
		perl "$here/sample-accuracy.pl" "$memscope" "$out/perl.mst" "$out/perl.fine.mst"
	fi
} >"$results"
cat "$results"
echo "bench: summary in $results, raw measurements in $raw" >&2

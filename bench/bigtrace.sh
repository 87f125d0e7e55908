#!/usr/bin/env bash
# memscope on a very large trace: bench/bigtrace.c writes a synthetic trace
# of EVENTS events (default 1 billion; see bigtrace.c for the mix), then
# `memscope report` reads it, and the script prints the analysis speed
# (events/s) and peak RSS. The replay streams: its memory follows live blocks
# and distinct stacks, not the number of events, which the RSS shows.
#
# usage: bench/bigtrace.sh BUILD_DIR [EVENTS]
# environment: THREADS=4 STACKS=100000 RING=256 POOL=200000 (bigtrace options),
#   KEEP=1 keeps bench/out/big.mst (several GB at 1 billion events).
set -eu
set -o pipefail

die() { echo "bigtrace: $*" >&2; exit 1; }

[ $# -ge 1 ] || die "usage: bench/bigtrace.sh BUILD_DIR [EVENTS]"
build=$(cd "$1" && pwd) || die "no build directory '$1'"
events=${2:-1000000000}
here=$(cd "$(dirname "$0")" && pwd)
out=$here/out
gen=$build/ms_bigtrace
memscope=$build/memscope
[ -x "$gen" ] || die "$gen not found; build it (cmake --build $1 --target ms_bigtrace)"
[ -x "$memscope" ] || die "$memscope not found; build memscope first"
[ -x /usr/bin/time ] || die "/usr/bin/time is missing (package time)"
mkdir -p "$out/logs"
trace=$out/big.mst

now() { date +%s%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b - a) / 1e9 }'; }

echo "bigtrace: writing $events events to $trace" >&2
t0=$(now)
/usr/bin/time -f '%M' -o "$out/logs/bigtrace.gen.time" "$gen" -n "$events" -t "${THREADS:-4}" \
	-s "${STACKS:-100000}" -r "${RING:-256}" -p "${POOL:-200000}" -o "$trace" >"$out/logs/bigtrace.totals"
t1=$(now)
echo "bigtrace: memscope report $trace" >&2
/usr/bin/time -f '%M %U %S' -o "$out/logs/bigtrace.report.time" "$memscope" report --json --top 10 "$trace" \
	>"$out/big.report.json" 2>"$out/logs/bigtrace.report.log"
t2=$(now)

read -r rss usr sys <"$out/logs/bigtrace.report.time"
gen_s=$(secs "$t0" "$t1")
rep_s=$(secs "$t1" "$t2")
size=$(stat -c %s "$trace")
# the replay's totals must be the generator's
perl -MJSON::PP -e '
	my %t = map { split /=/ } split " ", do { local $/; open my $f, "<", $ARGV[0] or die; <$f> };
	my $j = decode_json(do { local $/; open my $f, "<", $ARGV[1] or die; <$f> });
	my $s = $j->{summary} or die "no summary in the report\n";
	for (["allocations", "allocations"], ["frees", "frees"], ["bytes_allocated", "bytes_allocated"],
	     ["peak_bytes", "peak_bytes"], ["leaked_bytes", "leaked_bytes"]) {
		my ($gk, $rk) = @$_;
		next unless exists $s->{$rk};
		die "bigtrace: $rk: report $s->{$rk}, generator $t{$gk}\n" if $s->{$rk} != $t{$gk};
	}' "$out/logs/bigtrace.totals" "$out/big.report.json"

cat "$out/logs/bigtrace.totals" | tr ' ' '\n' | sed 's/^/  /' >&2
awk -v n="$events" -v g="$gen_s" -v r="$rep_s" -v rss="$rss" -v u="$usr" -v s="$sys" -v b="$size" 'BEGIN {
	printf "| events | trace bytes | B/event | write s | report s | report events/s | report CPU s | report peak RSS MiB |\n"
	printf "|---:|---:|---:|---:|---:|---:|---:|---:|\n"
	printf "| %.0f | %.0f | %.2f | %.1f | %.1f | %.1f M | %.1f | %.1f |\n", n, b, b / n, g, r, n / r / 1e6, u + s, rss / 1024
}'
[ "${KEEP:-0}" = 1 ] || rm -f "$trace"

#!/usr/bin/perl
# Turns bench/run.sh's raw measurements into Markdown tables (medians).
# usage: perl summarize.pl RAW.tsv EVENTS.tsv CHURN_PAIRS
#   RAW.tsv:    phase workload mode rep wall_s peak_rss_kib cpu_s
#   EVENTS.tsv: workload memscope_events memscope_bytes heaptrack_events heaptrack_bytes
use strict;
use warnings;

my ($raw, $evf, $pairs) = @ARGV;
die "usage: summarize.pl RAW.tsv EVENTS.tsv CHURN_PAIRS\n" unless defined $pairs;

my (%m, @order, %seen);
open my $fh, '<', $raw or die "summarize: $raw: $!\n";
while (<$fh>) {
	chomp;
	my ($phase, $w, $mode, $rep, $wall, $rss, $cpu) = split /\t/;
	push @{ $m{$phase}{$w}{$mode}{wall} }, $wall;
	push @{ $m{$phase}{$w}{$mode}{rss} },  $rss;
	push @{ $m{$phase}{$w}{$mode}{cpu} },  $cpu;
	push @order, $w unless $seen{$w}++;
}
close $fh;

my %ev;
open $fh, '<', $evf or die "summarize: $evf: $!\n";
while (<$fh>) {
	chomp;
	my ($w, @f) = split /\t/;
	$ev{$w} = { ms_events => $f[0], ms_bytes => $f[1], ht_events => $f[2], ht_bytes => $f[3] };
}
close $fh;

sub median {
	my @v = sort { $a <=> $b } @_;
	return undef unless @v;
	return @v % 2 ? $v[$#v / 2] : ($v[@v / 2 - 1] + $v[@v / 2]) / 2;
}
sub have { my ($phase, $w, $mode) = @_; return exists $m{$phase} && exists $m{$phase}{$w} && exists $m{$phase}{$w}{$mode} }
sub stat_of { my ($phase, $w, $mode, $k) = @_; return undef unless have($phase, $w, $mode); return median(@{ $m{$phase}{$w}{$mode}{$k} }) }
sub mib { my ($kib) = @_; return defined $kib ? sprintf('%.1f', $kib / 1024) : '-' }
sub secs { my ($s) = @_; return defined $s ? sprintf('%.3f', $s) : '-' }
sub num { my ($n) = @_; return '-' unless defined $n && $n ne '-'; 1 while $n =~ s/^(\d+)(\d{3})/$1,$2/; return $n }
sub ratio { my ($a, $b) = @_; return (defined $a && defined $b && $b > 0) ? sprintf('%.1fx', $a / $b) : '-' }
# two decimals: the sampled mode's ratios sit near 1
sub ratio2 { my ($a, $b) = @_; return (defined $a && defined $b && $b > 0) ? sprintf('%.2fx', $a / $b) : '-' }
sub events_of { # the event count used for per-event figures: memscope's, else heaptrack's
	my ($w) = @_;
	my $e = $ev{$w} or return undef;
	return $e->{ms_events} if $e->{ms_events} ne '-';
	return $e->{ht_events} if $e->{ht_events} ne '-';
	return undef;
}
my $has_ms = grep { have('run', $_, 'memscope') } @order;
my $n = @{ $m{run}{ $order[0] }{plain}{wall} };

print "## Recording: wall time and peak RSS (median of $n interleaved runs)\n\n";
print "| workload | events | plain s | memscope s (slowdown) | sampled s (slowdown) | heaptrack s (slowdown) | plain RSS MiB | memscope RSS MiB | sampled RSS MiB | heaptrack RSS MiB |\n";
print "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
for my $w (@order) {
	my $p = stat_of('run', $w, 'plain', 'wall');
	my $s = stat_of('run', $w, 'memscope', 'wall');
	my $z = stat_of('run', $w, 'sampled', 'wall');
	my $h = stat_of('run', $w, 'heaptrack', 'wall');
	printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $w, num(events_of($w)), secs($p),
		defined $s ? secs($s) . ' (' . ratio2($s, $p) . ')' : 'skipped',
		defined $z ? secs($z) . ' (' . ratio2($z, $p) . ')' : 'skipped',
		secs($h) . ' (' . ratio2($h, $p) . ')',
		mib(stat_of('run', $w, 'plain', 'rss')),
		$has_ms ? mib(stat_of('run', $w, 'memscope', 'rss')) : 'skipped',
		defined $z ? mib(stat_of('run', $w, 'sampled', 'rss')) : 'skipped',
		mib(stat_of('run', $w, 'heaptrack', 'rss'));
}

print "\n## Trace size (traces of the last run)\n\n";
print "| workload | events (memscope) | events (heaptrack) | memscope bytes | memscope B/event | heaptrack bytes | heaptrack B/event |\n";
print "|---|---:|---:|---:|---:|---:|---:|\n";
for my $w (@order) {
	my $e = $ev{$w} or next;
	my $evn = events_of($w);
	printf "| %s | %s | %s | %s | %s | %s | %s |\n", $w, num($e->{ms_events}), num($e->{ht_events}),
		num($e->{ms_bytes}),
		($e->{ms_bytes} ne '-' && $evn) ? sprintf('%.2f', $e->{ms_bytes} / $evn) : '-',
		num($e->{ht_bytes}),
		$evn ? sprintf('%.2f', $e->{ht_bytes} / $evn) : '-';
}
print "\nPer-event figures divide by memscope's count (allocations + frees from\n",
	"`memscope report --json`) when memscope ran, else by heaptrack's\n",
	"(2 x allocations - leaked allocations, from its stats).\n";

if (exists $m{report}) {
	my $rn = 0;
	for my $w (@order) { my $l = $m{report}{$w}{heaptrack}{wall}; $rn = @$l if $l }
	print "\n## Analysis: `memscope report TRACE` vs `heaptrack_print FILE` (median of $rn, output to /dev/null)\n\n";
	print "| workload | memscope report s | memscope report RSS MiB | heaptrack_print s | heaptrack_print RSS MiB | memscope ns/event | heaptrack_print ns/event |\n";
	print "|---|---:|---:|---:|---:|---:|---:|\n";
	for my $w (@order) {
		my $s = stat_of('report', $w, 'memscope', 'wall');
		my $h = stat_of('report', $w, 'heaptrack', 'wall');
		my $evn = events_of($w);
		printf "| %s | %s | %s | %s | %s | %s | %s |\n", $w,
			defined $s ? secs($s) : 'skipped', defined $s ? mib(stat_of('report', $w, 'memscope', 'rss')) : 'skipped',
			secs($h), mib(stat_of('report', $w, 'heaptrack', 'rss')),
			(defined $s && $evn) ? sprintf('%.0f', $s * 1e9 / $evn) : '-',
			(defined $h && $evn) ? sprintf('%.0f', $h * 1e9 / $evn) : '-';
	}
}

if (have('run', 'churn', 'plain') && have('run', 'churn-2t', 'plain')) {
	print "\n## Churn: cost per event, 1 vs 2 threads\n\n";
	print "Each thread makes $pairs malloc/free pairs (", num(2 * $pairs), " events).\n",
		"wall ns/event/thread = median wall time / events per thread (equal for 1 and 2\n",
		"threads if threads scale perfectly); overhead = the same for (tool - plain);\n",
		"CPU ns/event = user+sys of the whole process tree / all events.\n\n";
	print "| threads | tool | wall s | wall ns/event/thread | overhead ns/event/thread | CPU s | CPU ns/event |\n";
	print "|---:|---|---:|---:|---:|---:|---:|\n";
	for my $t ([1, 'churn'], [2, 'churn-2t']) {
		my ($threads, $w) = @$t;
		my $per_thread = 2 * $pairs;
		my $p = stat_of('run', $w, 'plain', 'wall');
		for my $mode (qw(plain memscope sampled heaptrack)) {
			next unless have('run', $w, $mode);
			my $wall = stat_of('run', $w, $mode, 'wall');
			my $cpu = stat_of('run', $w, $mode, 'cpu');
			printf "| %d | %s | %s | %.1f | %s | %.2f | %.1f |\n", $threads, $mode, secs($wall),
				$wall * 1e9 / $per_thread,
				$mode eq 'plain' ? '-' : sprintf('%.1f', ($wall - $p) * 1e9 / $per_thread),
				$cpu, $cpu * 1e9 / ($per_thread * $threads);
		}
	}
}

print "\n## Spread of the timed runs (wall s: min / median / max)\n\n";
print "| workload | tool | min | median | max |\n|---|---|---:|---:|---:|\n";
for my $phase (qw(run report)) {
	for my $w (@order) {
		for my $mode (qw(plain memscope sampled heaptrack)) {
			my $l = $m{$phase}{$w}{$mode}{wall} or next;
			my @v = sort { $a <=> $b } @$l;
			printf "| %s | %s | %s | %s | %s |\n", $w, $phase eq 'report' ? "$mode (report)" : $mode,
				secs($v[0]), secs(median(@v)), secs($v[-1]);
		}
	}
}

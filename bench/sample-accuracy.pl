#!/usr/bin/env perl
# Compares a sampled trace with a full trace of the same workload: the 10
# call stacks that allocated most bytes in the full trace, their bytes
# there, the sampled trace's estimate for the same frames and the standard
# error the report gives that estimate.
# usage: sample-accuracy.pl MEMSCOPE FULL.mst SAMPLED.mst
use strict;
use warnings;
use JSON::PP;

my ($ms, $full, $sampled) = @ARGV;
die "usage: sample-accuracy.pl MEMSCOPE FULL.mst SAMPLED.mst\n" unless defined $sampled;

sub bytes_by_frames {
	my ($trace) = @_;
	open(my $fh, '-|', $ms, 'report', '--json', '--by', 'bytes', '--top', '1000000', $trace)
		or die "cannot run $ms report: $!\n";
	local $/;
	my $doc = decode_json(<$fh>);
	close($fh) or die "$ms report $trace failed\n";
	my %by;
	for my $s (@{ $doc->{stacks} }) {
		my $key = join(' <- ', map { ($_->{function} // '?') . ':' . ($_->{line} // 0) } @{ $s->{frames} });
		$by{$key}{bytes} += $s->{bytes_allocated};
		$by{$key}{var} += ($s->{bytes_allocated_stderr} // 0)**2;
	}
	return ($doc->{summary}, \%by);
}

my ($fs, $fb) = bytes_by_frames($full);
my ($ss, $sb) = bytes_by_frames($sampled);
printf "Total bytes allocated: full %d, sampled estimate %d (%.3f); %d samples for %d calls.\n\n",
	$fs->{bytes_allocated}, $ss->{bytes_allocated}, $ss->{bytes_allocated} / ($fs->{bytes_allocated} || 1),
	$ss->{allocations}, $fs->{allocations};
print "| # | share of bytes | full bytes | sampled estimate | ratio | report's standard error | error / s.e. | innermost frame |\n";
print "|---:|---:|---:|---:|---:|---:|---:|---|\n";
my @top = (sort { $fb->{$b}{bytes} <=> $fb->{$a}{bytes} } keys %$fb)[0 .. 9];
my ($worst, $i, $inside, $n) = (0, 0, 0, 0);
for my $k (grep { defined } @top) {
	my $f = $fb->{$k}{bytes};
	my $e = $sb->{$k}{bytes} // 0;
	my $se = sqrt($sb->{$k}{var} // 0);
	my $r = $e / $f;
	$worst = abs($r - 1) if abs($r - 1) > $worst;
	my $z = $se > 0 ? ($e - $f) / $se : undef;
	$n++;
	$inside++ if abs($e - $f) <= 1.96 * $se;
	(my $first = $k) =~ s/ <- .*//;
	printf "| %d | %.1f%% | %d | %d | %.3f | %d (%.1f%%) | %s | %s |\n", ++$i, 100 * $f / ($fs->{bytes_allocated} || 1),
		$f, $e, $r, $se, $e ? 100 * $se / $e : 0, defined $z ? sprintf("%+.2f", $z) : "-", $first;
}
printf "\nLargest error among these stacks: %.1f%%. The full figure lies within the report's 95%% interval"
	. " (+/- 1.96 standard errors) for %d of %d stacks.\n", 100 * $worst, $inside, $n;

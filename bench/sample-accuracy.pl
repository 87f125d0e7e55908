#!/usr/bin/env perl
# Compares a sampled trace with a full trace of the same workload: the 10
# call stacks that allocated most bytes in the full trace, their bytes
# there and the sampled trace's estimate for the same frames.
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
		$by{$key} += $s->{bytes_allocated};
	}
	return ($doc->{summary}, \%by);
}

my ($fs, $fb) = bytes_by_frames($full);
my ($ss, $sb) = bytes_by_frames($sampled);
printf "Total bytes allocated: full %d, sampled estimate %d (%.3f); %d samples for %d calls.\n\n",
	$fs->{bytes_allocated}, $ss->{bytes_allocated}, $ss->{bytes_allocated} / ($fs->{bytes_allocated} || 1),
	$ss->{allocations}, $fs->{allocations};
print "| # | share of bytes | full bytes | sampled estimate | ratio | innermost frame |\n";
print "|---:|---:|---:|---:|---:|---|\n";
my @top = (sort { $fb->{$b} <=> $fb->{$a} } keys %$fb)[0 .. 9];
my $worst = 0;
my $i = 0;
for my $k (grep { defined } @top) {
	my $e = $sb->{$k} // 0;
	my $r = $e / $fb->{$k};
	$worst = abs($r - 1) if abs($r - 1) > $worst;
	(my $first = $k) =~ s/ <- .*//;
	printf "| %d | %.1f%% | %d | %d | %.3f | %s |\n", ++$i, 100 * $fb->{$k} / ($fs->{bytes_allocated} || 1),
		$fb->{$k}, $e, $r, $first;
}
printf "\nLargest error among these stacks: %.1f%%.\n", 100 * $worst;

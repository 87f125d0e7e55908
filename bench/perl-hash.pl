# Workload for bench/run.sh: build a 300,000-key hash, then delete every key.
# usage: perl perl-hash.pl [KEYS]
use strict;
use warnings;

my $n = shift // 300_000;
my %h;
for my $i (1 .. $n) {
	$h{"key-$i"} = [ $i, "value-$i" ];
}
my $sum = 0;
for my $i (1 .. $n) {
	my $v = delete $h{"key-$i"};
	$sum += $v->[0];
}
print scalar(keys %h), " keys left, sum $sum\n";

#!/bin/sh
# `make demo`: records the bundled example and explains it.
set -eu
build=${1:-build}
out=$build/demo
mkdir -p "$out"
echo "== memscope run -o $out/leaky.mst -- $build/examples/leaky"
"$build/memscope" run -o "$out/leaky.mst" -- "$build/examples/leaky"
echo
echo "== memscope report --by leaked --top 3 $out/leaky.mst"
"$build/memscope" report --by leaked --top 3 "$out/leaky.mst"
echo
echo "== memscope report --by peak --tree $out/leaky.mst"
"$build/memscope" report --by peak --tree "$out/leaky.mst"

#!/bin/sh
# Installs the Debian packages a memscope goal needs, only those missing.
# usage: install-deps.sh build|test|bench
set -eu
build="gcc g++ make cmake pkg-config libunwind-dev libdw-dev libzstd-dev zlib1g-dev"
# The HTML report's libraries come from npm when memscope is built (web/).
# Debian's nodejs and npm, unless a node with npm is already installed: a
# NodeSource nodejs provides npm itself, and apt cannot install Debian's npm
# beside it.
command -v npm >/dev/null 2>&1 || build="$build nodejs npm"
test="$build valgrind python3 libc6-dbg binutils file chromium golang-go libjemalloc-dev gdb dwz"
bench="$test heaptrack perl clang hyperfine time"
case "${1:-build}" in
build) want=$build ;;
test) want=$test ;;
bench) want=$bench ;;
*) echo "usage: install-deps.sh build|test|bench" >&2; exit 2 ;;
esac
missing=
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "memscope: missing Debian packages:$missing; run as root, or: sudo apt-get install$missing" >&2
	exit 1
fi
echo "memscope: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null

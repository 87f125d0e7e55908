#!/bin/sh
# Installs the e2e tests' browser driver (playwright-core, pinned by
# package-lock.json beside this script) into DIR/node_modules with `npm ci`,
# outside the source tree. Does nothing when DIR already holds this exact
# lock file, so tests that share DIR install once.
# usage: setup.sh DIR
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dir=${1:?usage: setup.sh DIR}
mkdir -p "$dir"
if [ -f "$dir/node_modules/.memscope-lock" ] && cmp -s "$here/package-lock.json" "$dir/node_modules/.memscope-lock"; then
	exit 0
fi
command -v npm >/dev/null || { echo "memscope: npm is missing (scripts/install-deps.sh test installs it)" >&2; exit 1; }
cp "$here/package.json" "$here/package-lock.json" "$dir/"
(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >&2)
cp "$here/package-lock.json" "$dir/node_modules/.memscope-lock"

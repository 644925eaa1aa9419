#!/bin/sh
# clang.sh: lede and its unit tests built with clang, warning-free, into
# build/clang (./lede and build/ are gcc's and stay untouched). The flags
# already hold -Werror; this also fails on a warning from the link.
# Prints what failed and exits 1; one line and 0 when the build is clean.
set -u
. "$(cd "$(dirname "$0")" && pwd)/tree.sh"
command -v clang >/dev/null || fail "no clang (make deps installs it)"
log=$(mktemp "${TMPDIR:-/tmp}/lede-clang-XXXXXX") || exit 1
trap 'rm -f "$log"' EXIT
make -j2 CC=clang BUILD=build/clang LEDE=build/clang/lede \
	build/clang/lede build/clang/unit-tests >"$log" 2>&1 ||
	fail "the clang build failed: $(tail -n 30 "$log")"
grep -i 'warning' "$log" >&2 && fail "the clang build warned"
echo "clang: lede and the unit tests build warning-free"
exit 0

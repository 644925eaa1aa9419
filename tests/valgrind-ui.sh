#!/bin/sh
# Play every headless UI script under valgrind memcheck: any memory error,
# any block definitely lost or any expectation of the script that does not
# hold fails the run. Each script starts with no marks (a fresh
# XDG_STATE_HOME), as in the replays, and nothing is written outside it.
set -u
lede=${1:-./lede}
status=0
tmp=$(mktemp -d /tmp/lede-valgrind-XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
for script in tests/ui/*.script; do
	args=$(sed -n '1s/^# args: //p' "$script")
	[ -n "$args" ] || args=seeds
	rm -rf "$tmp/state" && mkdir "$tmp/state"
	# shellcheck disable=SC2086 # args are words from our own script header
	if ! env TZ=UTC LANG=C.UTF-8 LC_ALL=C.UTF-8 HOME=/nonexistent \
		XDG_CONFIG_HOME=/nonexistent XDG_CACHE_HOME=/dev/null/no-cache \
		XDG_STATE_HOME="$tmp/state" NO_COLOR=1 PAGER=true VISUAL=true EDITOR=true \
		valgrind -q --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite \
		"$lede" --script "$script" $args >/dev/null; then
		echo "valgrind: $script failed" >&2
		status=1
	fi
done
[ $status -eq 0 ] && echo "valgrind: every UI script clean"
exit $status

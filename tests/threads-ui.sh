#!/bin/sh
# threads-ui.sh LEDE: play every headless UI script with LEDE_THREAD_MIN=1,
# so that the sort warm-up thread and the parallel regex scan run on these
# small archives, and check each dump against its .expected screens (and
# .stderr). Each script is played twice with a cache of its own: the first
# run parses and writes it, the second loads every article lazy from it,
# so the warm-up thread and the scans read the cache while the story views
# decode from it. `make test SANITIZE=thread` runs it on a ThreadSanitizer
# build, where any data race also fails the run.
set -u
lede=${1:-./lede}
status=0
tmp=$(mktemp -d /tmp/lede-threads-XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT

# play SCRIPT NAME ARGS RUN: one run, checked; RUN names it in messages
play() {
	rm -rf "$tmp/state" && mkdir "$tmp/state"
	# shellcheck disable=SC2086 # args are words from our own script header
	env TZ=UTC LANG=C.UTF-8 LC_ALL=C.UTF-8 HOME=/nonexistent \
		XDG_CONFIG_HOME=/nonexistent XDG_CACHE_HOME="$tmp/cache" \
		XDG_STATE_HOME="$tmp/state" NO_COLOR=1 LEDE_THREAD_MIN=1 PAGER=true VISUAL=true EDITOR=true \
		TSAN_OPTIONS="halt_on_error=1 exitcode=66 ${TSAN_OPTIONS:-}" \
		"$lede" --script "$1" $3 >"$tmp/out" 2>"$tmp/err"
	rc=$?
	want_err=tests/ui/$2.stderr
	[ -f "$want_err" ] || want_err=/dev/null
	if [ $rc -ne 0 ]; then
		echo "threads: $2 ($4) exited $rc:" >&2
		cat "$tmp/err" >&2
		status=1
	elif ! cmp -s "$tmp/out" "tests/ui/$2.expected"; then
		cp "$tmp/out" "build/$2.threads.got" 2>/dev/null
		echo "threads: $2 ($4): screens differ: diff tests/ui/$2.expected build/$2.threads.got" >&2
		status=1
	elif ! cmp -s "$tmp/err" "$want_err"; then
		echo "threads: $2 ($4): stderr differs from $want_err:" >&2
		cat "$tmp/err" >&2
		status=1
	fi
}

for script in tests/ui/*.script; do
	name=$(basename "$script" .script)
	args=$(sed -n '1s/^# args: //p' "$script")
	[ -n "$args" ] || args=seeds
	rm -rf "$tmp/cache" && mkdir "$tmp/cache"
	play "$script" "$name" "$args" "writing the cache"
	play "$script" "$name" "$args" "lazy, from the cache"
done
# --list's lines made on two threads, in blocks of one line: the same
# bytes as one thread's
list() {
	env TZ=UTC LC_ALL=C.UTF-8 XDG_CACHE_HOME=/nonexistent LEDE_LIST_BLOCK="$1" \
		TSAN_OPTIONS="halt_on_error=1 exitcode=66 ${TSAN_OPTIONS:-}" \
		"$lede" --no-cache --list --sort heat tests/corpus tests/corpus-site
}
if ! list 1 >"$tmp/two" || ! list 100000 >"$tmp/one" || ! cmp -s "$tmp/one" "$tmp/two"; then
	echo "threads: --list on two threads: failed, or not one thread's list" >&2
	status=1
fi
[ $status -eq 0 ] && echo "threads: every UI script the same with the threaded paths, parsed and lazy, and --list"
exit $status

#!/bin/sh
# run.sh DIR SECONDS TARGET...: run each libFuzzer harness DIR/fuzz_TARGET
# for SECONDS, one after another (see fuzz.mk). The corpus of each lives in
# DIR/corpus/TARGET, seeded from tests/fuzz/seeds/TARGET and every input in
# tests/fuzz/regress/TARGET. A crash, leak, timeout or out-of-memory input
# is copied into tests/fuzz/regress/TARGET, which make test replays. Exits
# 1 if any target found one. Extra libFuzzer options: $FUZZ_FLAGS.
set -u
dir=$1 seconds=$2
shift 2
# Absolute paths for libFuzzer: the config target moves into a scratch
# directory.
case $dir in /*) ;; *) dir=$PWD/$dir ;; esac
found=0
# Scratch files (the cache target writes and fsyncs one per input) cost
# nothing on tmpfs.
if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
	TMPDIR=/dev/shm
	export TMPDIR
fi
for t in "$@"; do
	bin=$dir/fuzz_$t corpus=$dir/corpus/$t artifacts=$dir/artifacts/$t
	regress=tests/fuzz/regress/$t
	mkdir -p "$corpus" "$artifacts" "$regress"
	# Seeds and past crashes start each run; README files are notes, not
	# inputs. The tree's own articles and keymaps are seeds too (the cache
	# target takes articles for its round trip), and a cache seed is written
	# afresh so that one is in the current cache format.
	extra=
	case $t in
	parse) extra="seeds/* $(find tests/data -name '*.md')" ;;
	config) extra="keymaps/* tests/data/config/*" ;;
	cache)
		"$dir"/gen-cache-seed "$corpus/seed-current.cache" seeds/* \
			tests/data/cache/every-field.md tests/data/bad/syntax.md \
			tests/data/bad/wrong-types.md tests/data/bad/dup-range.md || exit 2
		extra="seeds/* tests/data/cache/every-field.md tests/fuzz/seeds/parse/*"
		;;
	esac
	for f in tests/fuzz/seeds/"$t"/* "$regress"/* $extra; do
		[ -f "$f" ] || continue
		case ${f##*/} in README*) continue ;; esac
		cp "$f" "$corpus/seed-${f##*/}"
	done
	dict=
	[ -f tests/fuzz/dict/"$t".dict ] && dict=-dict=$PWD/tests/fuzz/dict/$t.dict
	log=$dir/$t.log
	echo "fuzz: $t for ${seconds}s (log: $log)"
	# shellcheck disable=SC2086 # FUZZ_FLAGS and dict are lists of options
	"$bin" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 \
		-rss_limit_mb=2048 -artifact_prefix="$artifacts/" $dict ${FUZZ_FLAGS:-} \
		"$corpus" >"$log" 2>&1
	rc=$?
	grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$log" \
		| sed "s/^/fuzz: $t: /"
	grep -E '^Done [0-9]+ runs' "$log" | sed "s/^/fuzz: $t: /"
	for a in "$artifacts"/crash-* "$artifacts"/leak-* "$artifacts"/timeout-* \
		"$artifacts"/oom-*; do
		[ -f "$a" ] || continue
		if [ ! -f "$regress/${a##*/}" ]; then
			cp "$a" "$regress/"
			echo "fuzz: $t: NEW regression input $regress/${a##*/}"
			found=1
		fi
	done
	if [ "$rc" -ne 0 ]; then
		echo "fuzz: $t: libFuzzer exited with status $rc; the report is in $log"
		found=1
	fi
done
if [ "$found" -ne 0 ]; then
	echo "fuzz: inputs that break lede are in tests/fuzz/regress/: fix the bug, then"
	echo "fuzz: commit them; make test replays every one (tests/unit/test_fuzz_regress.c)."
	exit 1
fi

#!/bin/bash
# bench.sh: how fast lede loads, searches and answers keys, and how much
# memory it takes, each figure against a baseline measured in the same
# invocation on the same archive, so that the ratios mean something on any
# machine.
#
#     tests/bench/bench.sh [N...]        (make bench [N=...])
#
# For each N (default 1000 20000 100000) the archive is generated once into
# $BENCH_DIR/N and reused while the generator is the same. Every figure is
# the median of the runs, printed with their minimum and maximum, lede and
# its baselines taking turns within each run. CPU time (user + system) is
# shown beside wall time. The table goes to stdout and is appended to
# $BENCH_DIR/results-DATE.txt.
#
# What is run, each time:
#   first run   lede --list with no cache: parses everything, writes the cache
#   cold load   lede --no-cache --list: parses everything, writes nothing
#   warm load   lede --list with the cache valid
#   search      lede --list -e PATTERN, cache valid
#   reader      lede --script tests/bench/ui.script: the first screen, then
#               keys typed one right after the other, never waiting for the
#               reader's background work; its own peak memory and CPU
#   baselines   libyaml's event parser over every file, on one process and on
#               two (each over half of the files); find -printf and a stat
#               walk on two threads; rg -c
#
# Environment: LEDE (the binary, ./lede), BENCH_DIR (build/bench),
# BENCH_RUNS (runs per figure, at least 5: 5), BENCH_PATTERN (the search,
# self-driv), BENCH_SEED (the generator's seed).
set -eu

LEDE=${LEDE:-./lede}
BENCH_DIR=${BENCH_DIR:-build/bench}
PATTERN=${BENCH_PATTERN:-self-driv}
SEED=${BENCH_SEED:-20210304}
SIZES=${*:-1000 20000 100000}
SCRIPT=$(cd "$(dirname "$0")" && pwd)/ui.script

mkdir -p "$BENCH_DIR"
# Absolute: the cache home below must be (XDG ignores a relative one).
BENCH_DIR=$(cd "$BENCH_DIR" && pwd)
GEN=$BENCH_DIR/gen FLOOR=$BENCH_DIR/yaml_floor MAXRSS=$BENCH_DIR/maxrss MARKS=$BENCH_DIR/marks
WALK=$BENCH_DIR/statwalk

for tool in "$LEDE" "$GEN" "$FLOOR" "$MAXRSS" "$MARKS" "$WALK"; do
	[ -x "$tool" ] || { echo "bench: $tool is missing (run it with make bench)" >&2; exit 1; }
done
for n in $SIZES; do
	case $n in '' | *[!0-9]* | 0) echo "bench: N must be a positive number, not '$n'" >&2; exit 2 ;; esac
done
RUNS=${BENCH_RUNS:-5}
case $RUNS in '' | *[!0-9]*) echo "bench: BENCH_RUNS must be a number, not '$RUNS'" >&2; exit 2 ;; esac
[ "$RUNS" -ge 5 ] || { echo "bench: BENCH_RUNS must be at least 5" >&2; exit 2; }
HAVE_RG=1
command -v rg >/dev/null || HAVE_RG=0

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
OUT=$TMP/table

# The user's config, cache and state must not change what is measured, nor
# the benchmark's cache end up in their home.
export XDG_CONFIG_HOME=$TMP/config XDG_STATE_HOME=$TMP/state
mkdir -p "$XDG_CONFIG_HOME" "$XDG_STATE_HOME"
export LC_ALL=C.UTF-8 TZ=UTC

say() { printf '%s\n' "$*" | tee -a "$OUT"; }

# run NAME CMD...: one run under maxrss, stdout to $RUN_OUT (/dev/null);
# appends "seconds kb cpu-seconds" to $TMP/NAME. A failure is fatal, but for
# rg, which exits 1 when nothing matches.
run() {
	local name=$1
	shift
	local st=0
	"$MAXRSS" "$TMP/one" "$@" >"${RUN_OUT:-/dev/null}" 2>"$TMP/stderr" || st=$?
	if [ "$st" -ne 0 ] && ! { [ "$1" = rg ] && [ "$st" -eq 1 ]; }; then
		echo "bench: '$*' failed with status $st:" >&2
		head -5 "$TMP/stderr" >&2
		exit 1
	fi
	awk '{ print $1, $2, $4 }' "$TMP/one" >>"$TMP/$name"
}

# spread NAME FIELD: "median min max" of column FIELD of $TMP/NAME (1
# seconds, 2 kB, 3 CPU seconds; for the keys file, see below).
spread() {
	cut -d' ' -f"$2" "$TMP/$1" | sort -g | awk '{ v[NR] = $1 }
		END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			print m, v[1], v[NR] }'
}
med() { spread "$1" "$2" | cut -d' ' -f1; }

# A time in seconds or a size in kB, and the same with its min-max.
secs() { awk -v s="$1" 'BEGIN { if (s < 0.01) printf "%.1f ms", s * 1000
	else if (s < 1) printf "%.0f ms", s * 1000; else printf "%.2f s", s }'; }
mb() { awk -v k="$1" 'BEGIN { printf "%.1f MB", k / 1024 }'; }
time_spread() {
	spread "$1" "$2" | awk '{ m = $1; u = m < 1 ? 1000 : 1; d = m < 0.01 ? 1 : m < 1 ? 0 : 2
		f = "%." d "f"
		printf f " %s (" f "-" f ")", m * u, u == 1 ? "s" : "ms", $2 * u, $3 * u }'
}
mb_spread() {
	spread "$1" 2 | awk '{ f = $1 < 10240 ? "%.1f" : "%.0f"
		printf f " MB (" f "-" f ")", $1 / 1024, $2 / 1024, $3 / 1024 }'
}
cpu_of() { secs "$(med "$1" 3)"; }

# ratio A B: A / B to two decimals, or "n/a".
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

# verdict RATIO TARGET: met or MISSED (or nothing without a target).
verdict() {
	awk -v r="$1" -v t="$2" 'BEGIN { if (t == "") print ""; else if (r == "n/a") print "n/a"
		else print (r + 0 <= t + 0 ? "met" : "MISSED") }'
}

# row LABEL LEDE CPU BASE-LABEL BASE BASE-CPU RATIO [TARGET]: one line of
# the table; TARGET is a ratio not to exceed, or empty.
row() {
	local r=$7 t=${8:-} v
	v=$(verdict "$r" "$t")
	[ "$r" = n/a ] || [ -z "$r" ] || r=${r}x
	[ -z "$t" ] || t="<= ${t}x"
	say "$(printf '%-15s %-24s %9s   %-13s %-24s %9s  %6s  %-8s %s' "$1" "$2" "$3" "$4" "$5" "$6" \
		"$r" "$t" "$v")"
}
header() {
	say "$(printf '%-15s %-24s %9s   %-13s %-24s %9s  %6s  %-8s' "" "lede, wall" "cpu" "baseline" \
		"wall" "cpu" "ratio" "target")"
}

# The archive is made again when the generator changed since it was made.
generate() {
	local n=$1 dir=$BENCH_DIR/$1 stamp
	stamp="$(cksum <"$GEN") $SEED"
	if [ -d "$dir" ] && [ "$(cat "$dir.stamp" 2>/dev/null)" = "$stamp" ]; then
		return
	fi
	echo "bench: generating $n files into $dir" >&2
	rm -rf "$dir" "$dir.tmp" "$dir.stamp" "$BENCH_DIR/cache-$n"
	"$GEN" "$n" "$dir.tmp" "$SEED"
	mv "$dir.tmp" "$dir"
	printf '%s\n' "$stamp" >"$dir.stamp"
	# The cache leaves out files modified in the last two seconds.
	sleep 3
}

# One run of the reader over the bench script, from no marks saved: its
# wall time, peak memory and CPU into reader, and "first-screen-seconds
# key-p50 key-p95 key-max" (keys in ms) into keys.
# An optional second and third argument name the two files instead.
reader() {
	local whole=${2:-reader} keys=${3:-keys}
	rm -rf "$XDG_STATE_HOME/lede"
	RUN_OUT=$TMP/stdout run "$whole" "$LEDE" --script "$SCRIPT" --size 120x40 "$1"
	awk '$1 == "first-draw-ms" { f = $2 / 1000 } $1 == "key-p50-ms" { p50 = $2 }
		$1 == "key-p95-ms" { p95 = $2 } $1 == "key-max-ms" { max = $2 }
		END { if (max == "") exit 1; print f, p50, p95, max }' "$TMP/stdout" >>"$TMP/$keys" ||
		{ echo "bench: the reader printed no timings" >&2; exit 1; }
}

# The key figures are in ms, shown as times.
key_spread() { key_spread_of keys "$1"; }
key_spread_of() {
	spread "$1" "$2" | awk '{ printf "%.1f ms (%.1f-%.1f)", $1, $2, $3 }'
}

cpus=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo '?')
say ""
say "lede bench, $(date '+%Y-%m-%d %H:%M:%S'), $(uname -srm), $cpus CPUs, $("$LEDE" --version 2>/dev/null | head -1)"
load=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')
say "each figure: the median of $RUNS runs (min-max), lede and its baselines taking turns;"
say "files in the page cache; load average before: $load"

figures=(first cold floor floor2 warm walk walk2 search rg reader keys fresh fkeys)

for n in $SIZES; do
	generate "$n"
	dir=$BENCH_DIR/$n
	bytes=$(du -sb "$dir" | cut -f1)
	bytes_kb=$((bytes / 1024))
	for f in "${figures[@]}"; do rm -f "$TMP/$f"; done
	export XDG_CACHE_HOME=$BENCH_DIR/cache-$n
	mkdir -p "$XDG_CACHE_HOME"

	# A check first: it warms the page cache, and a run that loads
	# nothing must not pass for a fast one.
	check=$("$LEDE" --no-cache --check "$dir" 2>/dev/null | tail -1) || true
	case $check in
	"$n files, $n articles, 0 not articles, 0 problems") ;;
	*) echo "bench: $dir: expected $n articles, lede says: $check" >&2; exit 1 ;;
	esac

	echo "bench: N=$n, $RUNS runs" >&2
	for _ in $(seq "$RUNS"); do
		rm -rf "$XDG_CACHE_HOME/lede"
		run first "$LEDE" --list "$dir" # writes the cache
		cache_file=$(find "$XDG_CACHE_HOME/lede" -name '*.cache' 2>/dev/null | head -1)
		[ -n "$cache_file" ] || { echo "bench: lede wrote no cache into $XDG_CACHE_HOME" >&2; exit 1; }
		cache_stamp=$(stat -c %Y.%y "$cache_file")
		run cold "$LEDE" --no-cache --list "$dir"
		run floor "$FLOOR" "$dir"
		run floor2 "$FLOOR" -j 2 "$dir"
		run warm "$LEDE" --list "$dir"
		run walk find "$dir" -type f -printf '%s %T@\n'
		run walk2 "$WALK" -j 2 "$dir"
		run search "$LEDE" --list -e "$PATTERN" "$dir"
		# -S: smart case, as lede's search
		[ "$HAVE_RG" = 0 ] || run rg rg -c -S -- "$PATTERN" "$dir"
		# The reader's first start after the cache was written computes
		# the coverage clusters on a thread while keys come; then the
		# clusters are kept beside the cache (written here by --list
		# --group if that start quit first), as every later start finds
		# them: the warm reader, the one the targets are for.
		reader "$dir" fresh fkeys
		"$LEDE" --list --group "$dir" >/dev/null
		reader "$dir"
		# A warm run that rewrote the cache would not be a warm run.
		[ "$(stat -c %Y.%y "$cache_file")" = "$cache_stamp" ] ||
			{ echo "bench: the warm runs rewrote $cache_file" >&2; exit 1; }
	done
	cache_bytes=$(stat -c %s "$cache_file")

	first=$(med first 1) cold=$(med cold 1) floor=$(med floor 1) floor2=$(med floor2 1)
	warm=$(med warm 1) walk=$(med walk 1) walk2=$(med walk2 1) search=$(med search 1)
	rg_s=0
	[ "$HAVE_RG" = 0 ] || rg_s=$(med rg 1)
	first_kb=$(med first 2) cold_kb=$(med cold 2) warm_kb=$(med warm 2) reader_kb=$(med reader 2)
	screen=$(med keys 1) key_p95=$(med keys 3) key_max=$(med keys 4)
	# the worst key may wait longer at a million articles (see the targets)
	max_target=50
	[ "$n" -lt 1000000 ] || max_target=100

	say ""
	say "N = $n files, $(mb "$bytes_kb") on disk (du -sb), search '$PATTERN'"
	header
	row "first run" "$(time_spread first 1)" "$(cpu_of first)" "yaml floor" "$(time_spread floor 1)" \
		"$(cpu_of floor)" "$(ratio "$first" "$floor")" 0.7
	row "" "" "" "2 processes" "$(time_spread floor2 1)" "$(cpu_of floor2)" "$(ratio "$first" "$floor2")"
	row "cold load" "$(time_spread cold 1)" "$(cpu_of cold)" "yaml floor" "$(time_spread floor 1)" \
		"$(cpu_of floor)" "$(ratio "$cold" "$floor")" 0.7
	row "" "" "" "2 processes" "$(time_spread floor2 1)" "$(cpu_of floor2)" "$(ratio "$cold" "$floor2")"
	row "warm load" "$(time_spread warm 1)" "$(cpu_of warm)" "find walk" "$(time_spread walk 1)" \
		"$(cpu_of walk)" "$(ratio "$warm" "$walk")" 3
	row "" "" "" "2-thread walk" "$(time_spread walk2 1)" "$(cpu_of walk2)" "$(ratio "$warm" "$walk2")"
	if [ "$HAVE_RG" = 1 ]; then
		row "search" "$(time_spread search 1)" "$(cpu_of search)" "rg -c" "$(time_spread rg 1)" \
			"$(cpu_of rg)" "$(ratio "$search" "$rg_s")" 0.5
	else
		row "search" "$(time_spread search 1)" "$(cpu_of search)" "rg missing" "" "" n/a 0.5
	fi
	# the reader's first screen, from exec: against the one-thread walk up
	# to 100000 files, against 1.5 s from a million
	if [ "$n" -lt 1000000 ]; then
		row "first screen" "$(time_spread keys 1)" "" "find walk" "$(time_spread walk 1)" "" \
			"$(ratio "$screen" "$walk")" 1.0
	else
		row "first screen" "$(time_spread keys 1)" "" "1.5 s" "" "" "$(ratio "$screen" 1.5)" 1.0
	fi
	row "" "" "" "2-thread walk" "$(time_spread walk2 1)" "" "$(ratio "$screen" "$walk2")"
	# a frame at 60 Hz: 16 ms, whatever the machine
	row "key p50" "$(key_spread 2)" "" "one frame" "16 ms" "" "$(ratio "$(med keys 2)" 16)"
	row "key p95" "$(key_spread 3)" "" "one frame" "16 ms" "" "$(ratio "$key_p95" 16)" 1
	row "key max" "$(key_spread 4)" "" "$max_target ms" "" "" "$(ratio "$key_max" "$max_target")" 1
	row "reader, whole" "$(time_spread reader 1)" "$(cpu_of reader)" "" "" "" ""
	say "the reader's first start after the cache was written (the clusters made on a thread):"
	row "  first screen" "$(time_spread fkeys 1)" "" "" "" "" ""
	row "  key p95" "$(key_spread_of fkeys 3)" "" "one frame" "16 ms" "" "$(ratio "$(med fkeys 3)" 16)"
	row "  key max" "$(key_spread_of fkeys 4)" "" "$max_target ms" "" "" "$(ratio "$(med fkeys 4)" "$max_target")"
	row "  reader, whole" "$(time_spread fresh 1)" "$(cpu_of fresh)" "" "" "" ""
	row "memory, first" "$(mb_spread first)" "" "archive" "$(mb "$bytes_kb")" "" \
		"$(ratio "$first_kb" "$bytes_kb")" 0.5
	row "memory, cold" "$(mb_spread cold)" "" "archive" "$(mb "$bytes_kb")" "" \
		"$(ratio "$cold_kb" "$bytes_kb")" 0.6
	row "memory, --list" "$(mb_spread warm)" "" "archive" "$(mb "$bytes_kb")" "" \
		"$(ratio "$warm_kb" "$bytes_kb")" 0.3
	row "memory, reader" "$(mb_spread reader)" "" "archive" "$(mb "$bytes_kb")" "" \
		"$(ratio "$reader_kb" "$bytes_kb")" 0.25
	row "cache file" "$(mb $((cache_bytes / 1024)))" "" "archive" "$(mb "$bytes_kb")" "" \
		"$(ratio "$cache_bytes" "$bytes")" 0.6

	# Kept for the growth figures of a later invocation.
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date '+%Y-%m-%d %H:%M')" \
		"$n" "$first" "$cold" "$warm" "$search" "$screen" "$key_p95" "$first_kb" "$cold_kb" \
		"$warm_kb" "$reader_kb" "$cache_bytes" >"$BENCH_DIR/last-$n.tsv"
done

# growth A B TARGET: every time and size from A to B files, when this
# invocation measured one of the two; the other one's figures then come
# from an earlier invocation, which the table says.
growth() {
	local a=$1 b=$2 target=$3 note=""
	case " $SIZES " in *" $a "* | *" $b "*) ;; *) return ;; esac
	[ -f "$BENCH_DIR/last-$a.tsv" ] && [ -f "$BENCH_DIR/last-$b.tsv" ] || return 0
	for n in "$a" "$b"; do
		case " $SIZES " in *" $n "*) ;; *) note="$note, $n from $(cut -f1 "$BENCH_DIR/last-$n.tsv")" ;; esac
	done
	say ""
	say "growth $a -> $b files${note:+ (${note#, })}"
	local f1 c1 w1 s1 sc1 k1 fk1 ck1 wk1 rk1 cb1 f2 c2 w2 s2 sc2 k2 fk2 ck2 wk2 rk2 cb2
	IFS=$'\t' read -r _ _ f1 c1 w1 s1 sc1 k1 fk1 ck1 wk1 rk1 cb1 <"$BENCH_DIR/last-$a.tsv"
	IFS=$'\t' read -r _ _ f2 c2 w2 s2 sc2 k2 fk2 ck2 wk2 rk2 cb2 <"$BENCH_DIR/last-$b.tsv"
	if [ -z "$cb1" ] || [ -z "$cb2" ]; then
		say "(figures from an older bench: run both sizes)"
		return 0
	fi
	row "first run" "$(secs "$f2")" "" "at $a" "$(secs "$f1")" "" "$(ratio "$f2" "$f1")" "$target"
	row "cold load" "$(secs "$c2")" "" "at $a" "$(secs "$c1")" "" "$(ratio "$c2" "$c1")" "$target"
	row "warm load" "$(secs "$w2")" "" "at $a" "$(secs "$w1")" "" "$(ratio "$w2" "$w1")" "$target"
	row "search" "$(secs "$s2")" "" "at $a" "$(secs "$s1")" "" "$(ratio "$s2" "$s1")" "$target"
	row "first screen" "$(secs "$sc2")" "" "at $a" "$(secs "$sc1")" "" "$(ratio "$sc2" "$sc1")" "$target"
	row "key p95" "$(secs "$(awk -v m="$k2" 'BEGIN { print m / 1000 }')")" "" "at $a" \
		"$(secs "$(awk -v m="$k1" 'BEGIN { print m / 1000 }')")" "" "$(ratio "$k2" "$k1")" "$target"
	row "memory, first" "$(mb "$fk2")" "" "at $a" "$(mb "$fk1")" "" "$(ratio "$fk2" "$fk1")" "$target"
	row "memory, cold" "$(mb "$ck2")" "" "at $a" "$(mb "$ck1")" "" "$(ratio "$ck2" "$ck1")" "$target"
	row "memory, --list" "$(mb "$wk2")" "" "at $a" "$(mb "$wk1")" "" "$(ratio "$wk2" "$wk1")" "$target"
	row "memory, reader" "$(mb "$rk2")" "" "at $a" "$(mb "$rk1")" "" "$(ratio "$rk2" "$rk1")" "$target"
	row "cache file" "$(mb $((cb2 / 1024)))" "" "at $a" "$(mb $((cb1 / 1024)))" "" \
		"$(ratio "$cb2" "$cb1")" "$target"
}
# n times the files should cost at most 1.1 n times as much
growth 20000 100000 5.5
growth 100000 1000000 11

# One mark (m) with 100000 saved already: what the reader does at the key,
# a line appended to the journal and synced, against a frame at 60 Hz. The
# fold that ends a session is shown apart: it runs once, after the screen.
mkdir -p "$TMP/marks"
"$MARKS" "$TMP/marks" 100000 200 >"$TMP/marks.out"
mark_p50=$(awk '$1 == "mark-p50-ms" { print $2 }' "$TMP/marks.out")
mark_p95=$(awk '$1 == "mark-p95-ms" { print $2 }' "$TMP/marks.out")
fold_ms=$(awk '$1 == "fold-ms" { print $2 }' "$TMP/marks.out")
say ""
say "marks: one change with 100000 marks saved ($(df -T "$TMP" | awk 'NR == 2 { print $2 }'))"
row "mark p95" "$(secs "$(awk -v m="$mark_p95" 'BEGIN { print m / 1000 }')")" "" "one frame" \
	"16 ms" "" "$(ratio "$mark_p95" 16)" 1
row "mark p50" "$(secs "$(awk -v m="$mark_p50" 'BEGIN { print m / 1000 }')")" "" "" "" "" ""
row "fold at quit" "$(secs "$(awk -v m="$fold_ms" 'BEGIN { print m / 1000 }')")" "" "" "" "" ""

# The coverage clusters at the largest size: computed once over the
# reader's store (lazy, from the warm cache), as the reader computes them
# on a thread of their own after its first screen: the CPU time, and what
# the computation adds to the process's peak memory; updated after a few
# files changed, and carried over a reload meanwhile; then taken from the
# file kept beside the cache, as a warm start takes them.
if [ -x "$BENCH_DIR/cluster" ]; then
	last=${SIZES##* }
	XDG_CACHE_HOME=$BENCH_DIR/cache-$last "$BENCH_DIR/cluster" "$BENCH_DIR/$last" \
		>"$TMP/cluster.out"
	cl() { awk -v k="$1" '$1 == k { print $2 }' "$TMP/cluster.out"; }
	say ""
	say "coverage clusters at $last: $(cl cluster-cpu-ms) ms CPU ($(cl cluster-ms) ms wall)," \
		"$(cl candidates) pairs scored, $(cl clusters) stories of $(cl clustered) articles," \
		"peak memory $(($(cl peak-kb-before) / 1024)) -> $(($(cl peak-kb-after) / 1024)) MB"
	say "coverage clusters at $last updated after 1 and 100 files changed:" \
		"$(cl update-1-cpu-ms) and $(cl update-100-cpu-ms) ms CPU; carried over a" \
		"reload until then: $(cl carry-cpu-ms) ms CPU"
	if [ "$(cl stored-used)" = 1 ]; then
		say "coverage clusters at $last taken from beside the cache:" \
			"$(cl stored-cpu-ms) ms CPU ($(cl stored-ms) ms wall)"
	fi
fi

# The facets pane's counting at the largest size, on this thread as the
# reader's counting thread does it: the index of names (once per store),
# every article counted, a tenth of them, and two saved views.
if [ -x "$BENCH_DIR/facets" ]; then
	last=${SIZES##* }
	XDG_CACHE_HOME=$BENCH_DIR/cache-$last "$BENCH_DIR/facets" "$BENCH_DIR/$last" \
		>"$TMP/facets.out"
	fa() { awk -v k="$1" '$1 == k { print $2 }' "$TMP/facets.out"; }
	say ""
	say "facets at $last (ms CPU): index $(fa index-cpu-ms), all $(fa count-all-cpu-ms)," \
		"a tenth $(fa count-tenth-cpu-ms); views: ~q 80.. $(fa view-numbers-cpu-ms)," \
		"self-driv $(fa view-pattern-cpu-ms); a count restarted costs a key" \
		"$(fa restart-key-p50-ms) ms (at most $(fa restart-key-max-ms); the old one ran on" \
		"$(fa stopped-job-ran-max-ms) ms at most, off the key's path)"
fi

results=$BENCH_DIR/results-$(date +%Y-%m-%d).txt
cat "$OUT" >>"$results"
echo "bench: table appended to $results" >&2

#!/bin/bash
# bench.sh: how fast lede loads, searches and how much memory it takes, each
# figure against a baseline measured in the same invocation on the same
# archive, so that the ratios mean something on any machine.
#
#     tests/bench/bench.sh [N...]        (make bench [N=...])
#
# For each N (default 1000 20000 100000) the archive is generated once into
# $BENCH_DIR/N and reused. Every figure is the median of several runs, lede
# and its baseline taking turns. The table goes to stdout and is appended to
# $BENCH_DIR/results-DATE.txt.
#
# Environment: LEDE (the binary, ./lede), BENCH_DIR (build/bench),
# BENCH_RUNS (runs per figure: 5, 3 from 100000 files), BENCH_PATTERN
# (the search, self-driv), BENCH_SEED (the generator's seed).
set -eu

LEDE=${LEDE:-./lede}
BENCH_DIR=${BENCH_DIR:-build/bench}
PATTERN=${BENCH_PATTERN:-self-driv}
SEED=${BENCH_SEED:-20210304}
GEN=$BENCH_DIR/gen
FLOOR=$BENCH_DIR/yaml_floor
MAXRSS=$BENCH_DIR/maxrss
MARKS=$BENCH_DIR/marks
SIZES=${*:-1000 20000 100000}

mkdir -p "$BENCH_DIR"
# Absolute: the cache home below must be (XDG ignores a relative one).
BENCH_DIR=$(cd "$BENCH_DIR" && pwd)
GEN=$BENCH_DIR/gen FLOOR=$BENCH_DIR/yaml_floor MAXRSS=$BENCH_DIR/maxrss MARKS=$BENCH_DIR/marks

for tool in "$LEDE" "$GEN" "$FLOOR" "$MAXRSS" "$MARKS"; do
	[ -x "$tool" ] || { echo "bench: $tool is missing (run it with make bench)" >&2; exit 1; }
done
for n in $SIZES; do
	case $n in '' | *[!0-9]* | 0) echo "bench: N must be a positive number, not '$n'" >&2; exit 2 ;; esac
done
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

# run NAME CMD...: one run under maxrss, stdout discarded; appends
# "seconds kb" to $TMP/NAME. A failure is fatal, but for rg, which exits 1
# when nothing matches.
run() {
	local name=$1
	shift
	local st=0
	"$MAXRSS" "$TMP/one" "$@" >/dev/null 2>"$TMP/stderr" || st=$?
	if [ "$st" -ne 0 ] && ! { [ "$1" = rg ] && [ "$st" -eq 1 ]; }; then
		echo "bench: '$*' failed with status $st:" >&2
		head -5 "$TMP/stderr" >&2
		exit 1
	fi
	cut -d' ' -f1,2 "$TMP/one" >>"$TMP/$name"
}

# median NAME FIELD: the median of column FIELD (1 seconds, 2 kB) of NAME.
median() {
	cut -d' ' -f"$2" "$TMP/$1" | sort -g | awk '{ v[NR] = $1 }
		END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# ratio A B: A / B to two decimals, or "n/a".
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

# verdict RATIO TARGET: met or missed.
verdict() {
	awk -v r="$1" -v t="$2" 'BEGIN { if (r == "n/a") print "n/a"; else print (r + 0 <= t + 0 ? "met" : "MISSED") }'
}

secs() { awk -v s="$1" 'BEGIN { if (s < 1) printf "%.1f ms", s * 1000; else printf "%.3f s", s }'; }
mb() { awk -v k="$1" 'BEGIN { printf "%.1f MB", k / 1024 }'; }

# row LABEL LEDE-FIGURE BASE-LABEL BASE-FIGURE RATIO TARGET
row() {
	local v r=$5
	v=$(verdict "$5" "$6")
	[ "$r" = n/a ] || r=${r}x
	say "$(printf '%-14s %10s   %-10s %10s   %6s   %-7s %s' "$1" "$2" "$3" "$4" "$r" "<= $6x" "$v")"
}

generate() {
	local n=$1 dir=$BENCH_DIR/$1
	if [ -d "$dir" ]; then
		return
	fi
	echo "bench: generating $n files into $dir" >&2
	rm -rf "$dir.tmp"
	"$GEN" "$n" "$dir.tmp" "$SEED"
	mv "$dir.tmp" "$dir"
	# The cache leaves out files modified in the last two seconds.
	sleep 3
}

cpus=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo '?')
say ""
say "lede bench, $(date '+%Y-%m-%d %H:%M:%S'), $(uname -srm), $cpus CPUs, $("$LEDE" --version 2>/dev/null | head -1)"
load=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')
say "each figure: the median of the runs shown, lede and its baseline taking turns;"
say "cold: no parsed-article cache (files in the page cache); load average before: $load"

for n in $SIZES; do
	generate "$n"
	dir=$BENCH_DIR/$n
	runs=${BENCH_RUNS:-$([ "$n" -ge 100000 ] && echo 3 || echo 5)}
	bytes=$(du -sb "$dir" | cut -f1)
	rm -f "$TMP"/cold "$TMP"/floor "$TMP"/warm "$TMP"/walk "$TMP"/search "$TMP"/rg
	export XDG_CACHE_HOME=$BENCH_DIR/cache-$n
	mkdir -p "$XDG_CACHE_HOME"

	# A check first: it warms the page cache, and a run that loads
	# nothing must not pass for a fast one.
	check=$("$LEDE" --no-cache --check "$dir" 2>/dev/null | tail -1) || true
	case $check in
	"$n files, $n articles, 0 problems") ;;
	*) echo "bench: $dir: expected $n articles, lede says: $check" >&2; exit 1 ;;
	esac
	rm -rf "$XDG_CACHE_HOME/lede"
	"$LEDE" --list "$dir" >/dev/null # writes the cache
	cache_file=$(ls "$XDG_CACHE_HOME"/lede/*.cache 2>/dev/null | head -1)
	[ -n "$cache_file" ] || { echo "bench: lede wrote no cache into $XDG_CACHE_HOME" >&2; exit 1; }
	cache_bytes=$(stat -c %s "$cache_file")
	cache_stamp=$(stat -c %Y.%y "$cache_file")

	echo "bench: N=$n, $runs runs" >&2
	for _ in $(seq "$runs"); do
		run cold "$LEDE" --no-cache --list "$dir"
		run floor "$FLOOR" "$dir"
		run warm "$LEDE" --list "$dir"
		run walk find "$dir" -type f -printf '%s %T@\n'
		run search "$LEDE" --list -e "$PATTERN" "$dir"
		# -S: smart case, as lede's search
		[ "$HAVE_RG" = 0 ] || run rg rg -c -S -- "$PATTERN" "$dir"
		# the reader, headless: time to the first screen, and each key
		"$LEDE" --script tests/bench/ui.script --size 120x40 "$dir" >"$TMP/ui.out" 2>/dev/null
		awk '$1 == "first-draw-ms" { print $2 / 1000 }' "$TMP/ui.out" >>"$TMP/first"
		awk '$1 == "key-p95-ms" { p95 = $2 } $1 == "key-p50-ms" { p50 = $2 }
			END { print p95, p50 }' "$TMP/ui.out" >>"$TMP/keys"
	done

	# A warm run that rewrote the cache would not be a warm run.
	[ "$(stat -c %Y.%y "$cache_file")" = "$cache_stamp" ] ||
		{ echo "bench: the warm runs rewrote $cache_file" >&2; exit 1; }

	cold=$(median cold 1) floor=$(median floor 1) warm=$(median warm 1) walk=$(median walk 1)
	search=$(median search 1)
	rg_s=0
	[ "$HAVE_RG" = 0 ] || rg_s=$(median rg 1)
	cold_kb=$(median cold 2) warm_kb=$(median warm 2)
	bytes_kb=$((bytes / 1024))
	first=$(median first 1) key_p95=$(median keys 1) key_p50=$(median keys 2)
	rm -f "$TMP/first" "$TMP/keys"

	say ""
	say "N = $n files, $(mb "$bytes_kb") on disk (du -sb), $runs runs, search '$PATTERN'"
	say "$(printf '%-14s %10s   %-10s %10s   %6s   %-7s %s' "" lede baseline "" ratio target "")"
	row "cold load" "$(secs "$cold")" "yaml floor" "$(secs "$floor")" "$(ratio "$cold" "$floor")" 0.7
	row "warm load" "$(secs "$warm")" "stat walk" "$(secs "$walk")" "$(ratio "$warm" "$walk")" 3
	if [ "$HAVE_RG" = 1 ]; then
		row "search" "$(secs "$search")" "rg -c" "$(secs "$rg_s")" "$(ratio "$search" "$rg_s")" 0.5
	else
		row "search" "$(secs "$search")" "rg missing" "" "n/a" 0.5
	fi
	row "first screen" "$(secs "$first")" "stat walk" "$(secs "$walk")" "$(ratio "$first" "$walk")" 3
	# a frame at 60 Hz: 16 ms, whatever the machine
	row "key p95" "$(secs "$(awk -v m="$key_p95" 'BEGIN { print m / 1000 }')")" "one frame" \
		"16.0 ms" "$(ratio "$key_p95" 16)" 1
	say "$(printf '%-14s %10s' "key p50" "$(secs "$(awk -v m="$key_p50" 'BEGIN { print m / 1000 }')")")"
	row "memory, cold" "$(mb "$cold_kb")" "archive" "$(mb "$bytes_kb")" "$(ratio "$cold_kb" "$bytes_kb")" 0.6
	row "memory, warm" "$(mb "$warm_kb")" "archive" "$(mb "$bytes_kb")" "$(ratio "$warm_kb" "$bytes_kb")" 0.3
	row "cache file" "$(mb $((cache_bytes / 1024)))" "archive" "$(mb "$bytes_kb")" \
		"$(ratio "$cache_bytes" "$bytes")" 0.6

	# Kept for the growth figures of a later invocation.
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date '+%Y-%m-%d %H:%M')" "$n" "$cold" "$warm" \
		"$search" "$cold_kb" "$warm_kb" >"$BENCH_DIR/last-$n.tsv"
done

# Growth from 20000 to 100000 files: 5 times the files should cost at most
# 5.5 times as much. Shown when this invocation measured one of the two;
# the other one's figures then come from an earlier invocation, which the
# table says.
case " $SIZES " in *" 20000 "* | *" 100000 "*) growth=1 ;; *) growth=0 ;; esac
if [ "$growth" = 1 ] && [ -f "$BENCH_DIR/last-20000.tsv" ] && [ -f "$BENCH_DIR/last-100000.tsv" ]; then
	note=""
	for n in 20000 100000; do
		case " $SIZES " in *" $n "*) ;; *) note="$note, $n from $(cut -f1 "$BENCH_DIR/last-$n.tsv")" ;; esac
	done
	say ""
	say "growth 20000 -> 100000 files${note:+ (${note#, })}"
	IFS=$'\t' read -r _ _ c1 w1 s1 ck1 wk1 <"$BENCH_DIR/last-20000.tsv"
	IFS=$'\t' read -r _ _ c2 w2 s2 ck2 wk2 <"$BENCH_DIR/last-100000.tsv"
	row "cold load" "$(secs "$c2")" "at 20000" "$(secs "$c1")" "$(ratio "$c2" "$c1")" 5.5
	row "warm load" "$(secs "$w2")" "at 20000" "$(secs "$w1")" "$(ratio "$w2" "$w1")" 5.5
	row "search" "$(secs "$s2")" "at 20000" "$(secs "$s1")" "$(ratio "$s2" "$s1")" 5.5
	row "memory, cold" "$(mb "$ck2")" "at 20000" "$(mb "$ck1")" "$(ratio "$ck2" "$ck1")" 5.5
	row "memory, warm" "$(mb "$wk2")" "at 20000" "$(mb "$wk1")" "$(ratio "$wk2" "$wk1")" 5.5
fi

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
row "mark p95" "$(secs "$(awk -v m="$mark_p95" 'BEGIN { print m / 1000 }')")" "one frame" \
	"16.0 ms" "$(ratio "$mark_p95" 16)" 1
say "$(printf '%-14s %10s' "mark p50" "$(secs "$(awk -v m="$mark_p50" 'BEGIN { print m / 1000 }')")")"
say "$(printf '%-14s %10s' "fold at quit" "$(secs "$(awk -v m="$fold_ms" 'BEGIN { print m / 1000 }')")")"

results=$BENCH_DIR/results-$(date +%Y-%m-%d).txt
cat "$OUT" >>"$results"
echo "bench: table appended to $results" >&2

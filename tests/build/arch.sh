#!/bin/sh
# arch.sh [SRC]: the tree of SRC (default .) against the layout its README
# states under "## The code":
# - every file its tables name exists, src/X.c with include/lede/X.h (the
#   table after the paragraph on src/ui/: src/ui/X.c with
#   include/lede/ui/X.h); a view_*.c's public face is its ops table, which a
#   header under include/lede/ui/ declares; main.c has no header, as nothing
#   calls into it;
# - every src/*.c and src/ui/*.c is named there (by name or view_*.c);
# - every source file opens with a comment of what it owns;
# - no function is longer than MAX_LINES, counted from the line that names
#   it to its closing brace.
# Prints each breach and exits 1; one line and 0 when the tree matches.
set -u
cd "${1:-.}" || exit 1
MAX_LINES=80
# Functions allowed over MAX_LINES, as FILE:NAME, each with its reason in
# a comment here. None today.
LONG_OK=""

bad=0
breach() { echo "arch.sh: $*" >&2; bad=1; }

# "DIR NAME" for each file the README's tables name: DIR is src or src/ui.
named=$(awk '
	/^## / { inside = ($0 == "## The code") }
	!inside { next }
	/^\|/ {
		split($0, cell, "|")
		rest = cell[2]
		while (match(rest, /`[^`]+`/)) {
			print dir, substr(rest, RSTART + 1, RLENGTH - 2)
			rest = substr(rest, RSTART + RLENGTH)
		}
		next
	}
	/src\/ui\// { dir = "src/ui" }
	BEGIN { dir = "src" }
' README.md | grep -v ' file$')
[ "$(printf '%s\n' "$named" | grep -c .)" -ge 10 ] ||
	breach "README.md's \"## The code\" names fewer than 10 files: is its table still there?"

printf '%s\n' "$named" | { while read -r dir name; do
	case $name in
	*'*'*)
		# shellcheck disable=SC2086 # the glob is the point
		set -- $dir/$name
		[ -e "$1" ] || breach "README.md names $dir/$name, which matches no file"
		for f in "$@"; do
			ops=$(sed -n 's/^const struct view_ops \(view_[a-z_]*_ops\) = .*/\1/p' "$f")
			[ -n "$ops" ] || breach "$f defines no view_ops table"
			for o in $ops; do
				grep -qw "$o" include/lede/ui/*.h || breach "$f: $o is declared in no header"
			done
		done
		;;
	*.c)
		[ -f "$dir/$name" ] || breach "README.md names $dir/$name, which does not exist"
		[ "$name" = main.c ] && continue
		h=include/lede/${dir#src}/${name%.c}.h
		h=$(echo "$h" | sed 's|//|/|')
		[ -f "$h" ] || breach "$dir/$name has no header $h"
		;;
	*) breach "README.md's \"## The code\" table names $name, not a .c file" ;;
	esac
done; exit $bad; } || bad=1

for f in src/*.c src/ui/*.c; do
	dir=${f%/*} name=${f##*/}
	printf '%s\n' "$named" | grep -qx "$dir $name" && continue
	case $name in view_*.c) printf '%s\n' "$named" | grep -qx "$dir view_\*.c" && continue ;; esac
	breach "$f is not in README.md's \"## The code\""
done

# The opening comment: at least a few words before the first */.
for f in src/*.c src/ui/*.c; do
	head -c 2 "$f" | grep -q '^/\*' || { breach "$f does not open with a comment of what it owns"; continue; }
	words=$(awk '{ print } /\*\// { exit }' "$f" | wc -w)
	[ "$words" -ge 5 ] || breach "$f's opening comment is too short to say what it owns"
done

# A definition starts at a line "{" (or a signature ending in "{") and ends
# at the next "}" in the first column; its name is on the last line before
# that which starts in the first column and holds a "(".
long=$(awk -v max="$MAX_LINES" '
	FNR == 1 { start = 0 }
	/^[A-Za-z_].*\(/ { sig = $0; sigline = FNR }
	/^\{/ || /^[A-Za-z_][^=;]*\)[^;=]*\{[ \t]*$/ {
		start = sigline; name = sig
		sub(/\(.*/, "", name); n = split(name, w, /[ *]+/); name = w[n]
	}
	/^\}/ && start {
		if (FNR - start + 1 > max)
			printf "%s:%s %d\n", FILENAME, name, FNR - start + 1
		start = 0
	}
' src/*.c src/ui/*.c)
for fn in $(printf '%s\n' "$long" | cut -d' ' -f1); do
	case " $LONG_OK " in *" $fn "*) continue ;; esac
	breach "$fn is $(printf '%s\n' "$long" | grep "^$fn " | cut -d' ' -f2) lines, over $MAX_LINES"
done
for fn in $LONG_OK; do
	printf '%s\n' "$long" | grep -q "^$fn " || breach "$fn is allowed over $MAX_LINES lines but is no longer: take it out of LONG_OK"
done

[ $bad -eq 0 ] || exit 1
echo "arch: every module the README names is there with its header; no function over $MAX_LINES lines"
exit 0

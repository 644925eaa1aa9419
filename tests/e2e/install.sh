#!/bin/sh
# install.sh LEDE STAGE
# Stages an install of the already built LEDE with PREFIX=/usr under STAGE
# (make install-files: nothing is recompiled), then checks the staged tree,
# that the staged binary finds its seeds and keymaps relative to itself
# (STAGE/usr/bin/../share/lede, not the compiled-in directory), that the
# man pages name /usr/share/lede, and that uninstall removes lede's files
# and nothing else. Prints what failed and exits 1; silent and 0 when all
# holds. Run from the source tree.
set -u
bin=${1:?usage: install.sh LEDE STAGE}
stage=${2:?usage: install.sh LEDE STAGE}
fail() { echo "install.sh: $*" >&2; exit 1; }
# a make started from a test must not join the outer make's job server
unset MAKEFLAGS MFLAGS MAKELEVEL

make -s --no-print-directory install-files INSTALL_BIN="$bin" PREFIX=/usr DESTDIR="$stage" \
	>"$stage.log" 2>&1 || fail "make install-files failed: $(cat "$stage.log")"

usr=$stage/usr
[ -x "$usr/bin/lede" ] || fail "no $usr/bin/lede"
for f in seeds/* keymaps/*; do
	cmp -s "$f" "$usr/share/lede/$f" || fail "$usr/share/lede/$f differs from $f"
done
for m in 1 5; do
	page=$usr/share/man/man$m/lede.$m
	[ -f "$page" ] || fail "no $page"
	grep -q '/usr/local' "$page" && fail "$page still names /usr/local"
	grep -q '/usr/share/lede/keymaps' "$page" || fail "$page does not name /usr/share/lede/keymaps"
done
grep -q '/usr/share/lede/seeds' "$usr/share/man/man1/lede.1" ||
	fail "lede.1 does not name /usr/share/lede/seeds"

# Only the staged data can answer: one seed left, and a keymap by a name
# no other directory has.
keep=$(ls "$usr/share/lede/seeds" | head -n 1)
for f in "$usr/share/lede/seeds"/*; do
	[ "$(basename "$f")" = "$keep" ] || rm -f "$f"
done
cp keymaps/default "$usr/share/lede/keymaps/staged-only"
export HOME="$stage/home" XDG_CONFIG_HOME="$stage/config" XDG_CACHE_HOME="$stage/cache" \
	XDG_STATE_HOME="$stage/state"
out=$(cd / && "$usr/bin/lede" --no-cache --keymap staged-only --list 2>"$stage.err") ||
	fail "staged lede failed: $(cat "$stage.err")"
[ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] ||
	fail "staged lede did not list its one staged seed: $out"
rm -f "$usr/share/lede/keymaps/staged-only"

# uninstall: lede's files go; a file lede did not install stays, and so
# does every directory that still holds something.
: >"$usr/share/lede/seeds/not-lede"
make -s --no-print-directory uninstall PREFIX=/usr DESTDIR="$stage" >"$stage.log" 2>&1 ||
	fail "make uninstall failed: $(cat "$stage.log")"
[ -e "$usr/bin/lede" ] && fail "uninstall left $usr/bin/lede"
[ -e "$usr/share/man/man1/lede.1" ] && fail "uninstall left lede.1"
[ -e "$usr/share/man/man5/lede.5" ] && fail "uninstall left lede.5"
[ -e "$usr/share/lede/keymaps" ] && fail "uninstall left the keymaps"
[ -f "$usr/share/lede/seeds/not-lede" ] || fail "uninstall removed a file lede did not install"
[ -d "$usr/bin" ] || fail "uninstall removed $usr/bin"
exit 0

#!/bin/sh
# install.sh LEDE STAGE
# Stages an install of the already built LEDE with PREFIX=/usr under STAGE
# (make install-files: nothing is recompiled), then checks the staged tree,
# that the staged binary finds its seeds and keymaps relative to itself
# (STAGE/usr/bin/../share/lede, not the compiled-in directory), and still
# does once the tree is moved, that the man pages name /usr/share/lede, that
# install adds exactly lede's files to a tree that holds others, and that
# uninstall leaves that tree's files exactly as they were. Prints what failed and exits 1; silent and 0 when all
# holds. Run from the source tree.
set -u
bin=${1:?usage: install.sh LEDE STAGE}
stage=${2:?usage: install.sh LEDE STAGE}
fail() { echo "install.sh: $*" >&2; exit 1; }
# a make started from a test must not join the outer make's job server
unset MAKEFLAGS MFLAGS MAKELEVEL

# What a packager's tree already holds, lede's own data directory too:
# none of it may change, and uninstall must leave exactly this.
mkdir -p "$stage/usr/bin" "$stage/usr/share/man/man1" "$stage/usr/share/lede/seeds" ||
	fail "cannot make $stage"
: >"$stage/usr/bin/other-tool"
: >"$stage/usr/share/man/man1/other-tool.1"
: >"$stage/usr/share/lede/seeds/not-lede"
files() { (cd "$stage" && find . ! -type d | sort); }
files >"$stage.before"

make -s --no-print-directory install-files INSTALL_BIN="$bin" PREFIX=/usr DESTDIR="$stage" \
	>"$stage.log" 2>&1 || fail "make install-files failed: $(cat "$stage.log")"

usr=$stage/usr
# Exactly lede's files were added.
{
	echo ./usr/bin/lede
	for f in seeds/* keymaps/*; do echo "./usr/share/lede/$f"; done
	echo ./usr/share/man/man1/lede.1
	echo ./usr/share/man/man5/lede.5
} | sort >"$stage.expected"
files | comm -13 "$stage.before" - >"$stage.added"
cmp -s "$stage.added" "$stage.expected" ||
	fail "install did not add exactly lede's files: $(diff "$stage.expected" "$stage.added")"
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
keep=$(ls seeds | head -n 1)
for f in seeds/*; do
	[ "${f#seeds/}" = "$keep" ] || rm -f "$usr/share/lede/$f"
done
cp keymaps/default "$usr/share/lede/keymaps/staged-only"
export HOME="$stage/home" XDG_CONFIG_HOME="$stage/config" XDG_CACHE_HOME="$stage/cache" \
	XDG_STATE_HOME="$stage/state"
out=$(cd / && "$usr/bin/lede" --no-cache --keymap staged-only --list 2>"$stage.err") ||
	fail "staged lede failed: $(cat "$stage.err")"
[ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] ||
	fail "staged lede did not list its one staged seed: $out"

# Moved elsewhere whole, it still finds them beside itself.
moved=$stage/moved/opt
mkdir -p "$stage/moved" && mv "$usr" "$moved" || fail "cannot move $usr"
out=$(cd / && "$moved/bin/lede" --no-cache --keymap staged-only --list 2>"$stage.err") ||
	fail "moved lede failed: $(cat "$stage.err")"
[ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] ||
	fail "moved lede did not list its one staged seed: $out"
mv "$moved" "$usr" || fail "cannot move $moved back"
rmdir "$stage/moved"
rm -f "$usr/share/lede/keymaps/staged-only"

# uninstall: lede's files go (the seeds removed above are gone already);
# every file lede did not install stays, and so does every directory that
# still holds something.
make -s --no-print-directory uninstall PREFIX=/usr DESTDIR="$stage" >"$stage.log" 2>&1 ||
	fail "make uninstall failed: $(cat "$stage.log")"
[ -e "$usr/bin/lede" ] && fail "uninstall left $usr/bin/lede"
[ -e "$usr/share/man/man1/lede.1" ] && fail "uninstall left lede.1"
[ -e "$usr/share/man/man5/lede.5" ] && fail "uninstall left lede.5"
[ -e "$usr/share/lede/keymaps" ] && fail "uninstall left the keymaps"
[ -f "$usr/share/lede/seeds/not-lede" ] || fail "uninstall removed a file lede did not install"
[ -d "$usr/bin" ] || fail "uninstall removed $usr/bin"
files >"$stage.after"
cmp -s "$stage.before" "$stage.after" ||
	fail "uninstall did not leave exactly what was there before: $(diff "$stage.before" "$stage.after")"
exit 0

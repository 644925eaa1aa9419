#!/bin/sh
# stamp.sh [SRC]: the build's promises about what a make rebuilds, checked in
# a private copy of the source tree SRC (default .):
# - a second identical make rebuilds nothing;
# - a change of CFLAGS, CPPFLAGS or PREFIX (a compiled-in setting) rebuilds
#   every object and relinks ./lede, which then holds the new setting;
#   a change of LDFLAGS relinks it; make install with a new PREFIX installs
#   a binary rebuilt for it;
# - plain make and make install run no package manager, even where the
#   tests' dependencies are missing, and write nothing in HOME.
# Every build's timestamps are set back an hour before the next make, so
# "rebuilt" means newer than a mark between the two: no sleeping.
# Prints what failed and exits 1; prints one line and exits 0 when all holds.
set -u
src=$(cd "${1:-.}" && pwd) || exit 1
. "$(cd "$(dirname "$0")" && pwd)/tree.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/lede-stamp-XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
tree=$tmp/tree
copy_tree "$src" "$tree"
cd "$tree" || exit 1

# A machine where the tests' dependencies look missing (pkg-config knows no
# Criterion) and whose package managers only log that they were called.
mkdir -p "$tmp/bin" "$tmp/home"
for tool in apt-get apt sudo dpkg; do
	printf '#!/bin/sh\necho "%s $*" >>"%s/pm.log"\nexit 1\n' "$tool" "$tmp" >"$tmp/bin/$tool"
	chmod +x "$tmp/bin/$tool"
done
real_pc=$(command -v pkg-config) || fail "no pkg-config"
printf '#!/bin/sh\ncase "$*" in *criterion*) exit 1;; esac\nexec "%s" "$@"\n' "$real_pc" \
	>"$tmp/bin/pkg-config"
chmod +x "$tmp/bin/pkg-config"
export PATH="$tmp/bin:$PATH" HOME="$tmp/home"

# build ARGS...: make in the copy, quietly; the log stays for failures.
build() {
	make -j2 "$@" >"$tmp/make.log" 2>&1 ||
		fail "make $* failed: $(tail -n 20 "$tmp/make.log")"
}
# age: everything built an hour old, the sources two, the mark between.
age() {
	now=$(date +%s)
	find src include Makefile -exec touch -d "@$((now - 7200))" {} +
	find build lede -exec touch -d "@$((now - 3600))" {} +
	touch -d "@$((now - 1800))" "$tmp/mark"
}
objects() { find build -name '*.o' | sort; }
# rebuilt WHAT: every object (and ./lede) newer than the mark.
rebuilt_all() {
	stale=$(find build -name '*.o' ! -newer "$tmp/mark")
	[ -z "$stale" ] || fail "$1 left objects unbuilt: $stale"
	[ lede -nt "$tmp/mark" ] || fail "$1 did not relink ./lede"
}
rebuilt_none() {
	fresh=$(find build lede -newer "$tmp/mark" ! -type d)
	[ -z "$fresh" ] || fail "$1 rebuilt: $fresh"
}

# Each step changes one setting from the step before.
cflags=-O0
build CFLAGS="$cflags"
[ -x lede ] || fail "make built no ./lede"
[ -n "$(objects)" ] || fail "make built no objects under build/"
[ -e "$tmp/pm.log" ] && fail "plain make ran a package manager: $(cat "$tmp/pm.log")"
[ -z "$(ls -A "$tmp/home")" ] || fail "plain make wrote in HOME: $(ls -A "$tmp/home")"
nsrc=$(ls src/*.c src/ui/*.c | wc -l)
[ "$(objects | wc -l)" -eq "$nsrc" ] || fail "$(objects | wc -l) objects for $nsrc sources"

age; build CFLAGS="$cflags"
rebuilt_none "a second identical make"

cflags="-O0 -DLEDE_STAMP_CHECK=1"
age; build CFLAGS="$cflags"
rebuilt_all "a change of CFLAGS"
grep -q LEDE_STAMP_CHECK build/flags || fail "build/flags does not record CFLAGS"
age; build CFLAGS="$cflags"
rebuilt_none "a make with the changed CFLAGS repeated"

age; build CFLAGS="$cflags" CPPFLAGS=-DLEDE_STAMP_CPP=1
rebuilt_all "a change of CPPFLAGS"

age; build CFLAGS="$cflags" CPPFLAGS=-DLEDE_STAMP_CPP=1 PREFIX=/opt/stamp
rebuilt_all "a change of PREFIX"
grep -q /opt/stamp/share/lede lede || fail "./lede does not hold the new PREFIX's data directory"
grep -q /usr/local/share/lede lede && fail "./lede still holds /usr/local/share/lede"

age; build CFLAGS="$cflags" CPPFLAGS=-DLEDE_STAMP_CPP=1 PREFIX=/opt/stamp LDFLAGS=-Wl,-O1
[ lede -nt "$tmp/mark" ] || fail "a change of LDFLAGS did not relink ./lede"

# A packager's make install with another PREFIX than the make before it:
# the binary is rebuilt for it, and all it writes is under DESTDIR.
stage=$tmp/stage
age; build CFLAGS="$cflags" CPPFLAGS=-DLEDE_STAMP_CPP=1 PREFIX=/usr LDFLAGS=-Wl,-O1 \
	DESTDIR="$stage" install
rebuilt_all "make install with a new PREFIX"
grep -q /usr/share/lede "$stage/usr/bin/lede" ||
	fail "the installed lede does not hold /usr/share/lede"
grep -q /opt/stamp "$stage/usr/bin/lede" && fail "the installed lede holds the old PREFIX"
[ -f "$stage/usr/share/man/man1/lede.1" ] || fail "make install wrote no $stage/usr/share/man/man1/lede.1"
[ -z "$(ls -A "$tmp/home")" ] || fail "make install wrote in HOME: $(ls -A "$tmp/home")"
build PREFIX=/usr DESTDIR="$stage" uninstall
left=$(find "$stage" ! -type d)
[ -z "$left" ] || fail "make uninstall left: $left"

[ -e "$tmp/pm.log" ] && fail "a make ran a package manager: $(cat "$tmp/pm.log")"
echo "stamp: a repeated make rebuilds nothing; CFLAGS, CPPFLAGS, PREFIX and LDFLAGS rebuild; make install PREFIX=/usr installs a binary built for it"
exit 0

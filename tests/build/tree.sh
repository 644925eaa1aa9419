# Sourced by the build checks: a private copy of the source tree to build in,
# so that nothing they do touches the tree's own build/ or ./lede.

# a make started from a test must not join the outer make's job server
unset MAKEFLAGS MFLAGS MAKELEVEL

fail() { echo "$0: $*" >&2; exit 1; }

# copy_tree SRC DST: what a build and an install read, nothing built.
copy_tree() {
	mkdir -p "$2/tests" || fail "cannot make $2"
	for d in Makefile src include seeds keymaps man; do
		cp -R "$1/$d" "$2/" || fail "cannot copy $1/$d"
	done
	for d in bench fuzz; do
		[ -d "$1/tests/$d" ] && cp -R "$1/tests/$d" "$2/tests/"
	done
	rm -rf "$2/build" "$2/lede"
}

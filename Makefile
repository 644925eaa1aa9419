# lede — a terminal news reader. `make run` and `make test` do all the set-up;
# plain `make` and `make install` only build and copy, and need nothing but a
# C compiler, pkg-config and the ncursesw, libyaml and pcre2 headers.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
PKGDATADIR ?= $(PREFIX)/share/lede
MANDIR ?= $(PREFIX)/share/man
VERSION = 0.1

CC ?= cc
CFLAGS ?= -O2 -g
PKGS = ncursesw yaml-0.1 libpcre2-8
# Debian packages for building, testing and benchmarking.
DEB_PKGS = build-essential pkg-config libncurses-dev libyaml-dev libpcre2-dev \
	libcriterion-dev tmux mandoc groff-base ripgrep valgrind clang

# Criterion runs each test in a fresh process: a fixed-address test binary
# (-no-pie) keeps pointers in parameterized tests valid there.
# Lazily expanded: pkg-config runs only in recipes, after `deps` (when the
# goal asks for it) has made sure it can.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS = $(shell pkg-config --libs $(PKGS)) -lpthread -lm
TEST_LIBS = $(shell pkg-config --libs criterion) -lutil

SANITIZE ?=
# One build directory and binary per sanitizer set (address,undefined:
# build/san-address-undefined, ./lede-san-address-undefined), so that
# switching between them rebuilds nothing already built.
comma = ,
ifneq ($(SANITIZE),)
SAN_NAME = $(subst $(comma),-,$(SANITIZE))
BUILD = build/san-$(SAN_NAME)
SAN_FLAGS = -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LEDE = ./lede-san-$(SAN_NAME)
else
BUILD = build
SAN_FLAGS =
LEDE = ./lede
endif

ALL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -Iinclude \
	$(PKG_CFLAGS) $(CPPFLAGS) -DLEDE_VERSION='"$(VERSION)"' -DLEDE_DATADIR='"$(PKGDATADIR)"' \
	-MMD -MP $(SAN_FLAGS) $(CFLAGS)
ALL_LDFLAGS = $(SAN_FLAGS) $(LDFLAGS)

SRCS = $(wildcard src/*.c src/ui/*.c)
OBJS = $(SRCS:src/%.c=$(BUILD)/%.o)
LIB_OBJS = $(filter-out $(BUILD)/main.o,$(OBJS))
TEST_SRCS = $(wildcard tests/unit/*.c)
TEST_OBJS = $(TEST_SRCS:tests/unit/%.c=$(BUILD)/tests/%.o)

.PHONY: all deps run test unit check-build clean install install-files uninstall FORCE

all: $(LEDE)

# The goals that set a machine up: they (and only they) run `deps` first,
# which installs what is missing as root, or prints the command to run.
SETUP_GOALS = run test unit check-build bench fuzz fuzz-build
ifneq ($(filter $(SETUP_GOALS),$(MAKECMDGOALS)),)
SETUP = deps
else
SETUP =
endif

deps:
	@if command -v pkg-config >/dev/null && pkg-config --exists $(PKGS) criterion \
	    && command -v tmux >/dev/null && command -v mandoc >/dev/null \
	    && command -v valgrind >/dev/null && command -v clang >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "lede: installing build dependencies with apt-get"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq --no-install-recommends $(DEB_PKGS) >/dev/null \
	    || { echo "lede: apt-get failed"; exit 1; }; \
	else \
	    echo "lede: missing build dependencies; install them with:"; \
	    echo "  sudo apt-get update && sudo apt-get install -y $(DEB_PKGS)"; \
	    exit 1; \
	fi

# Every flag that reaches an object or the link, written down: the stamp
# is rewritten (and what depends on it rebuilt) only when one changes, so
# a new PREFIX, CFLAGS or compiled-in setting never leaves stale objects.
$(BUILD)/flags: FORCE | $(SETUP)
	@mkdir -p $(@D)
	@printf '%s\n' '$(subst ','\'',$(CC) $(ALL_CFLAGS) | $(ALL_LDFLAGS) $(PKG_LIBS))' > $@.new
	@if cmp -s $@.new $@; then rm -f $@.new; else mv -f $@.new $@; fi

$(LEDE): $(OBJS) $(BUILD)/flags
	$(CC) $(ALL_LDFLAGS) -o $@ $(OBJS) $(PKG_LIBS)

$(BUILD)/%.o: src/%.c $(BUILD)/flags
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%.o: tests/unit/%.c $(BUILD)/flags
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/unit-tests: $(TEST_OBJS) $(LIB_OBJS) $(BUILD)/flags
	$(CC) $(ALL_LDFLAGS) -no-pie -o $@ $(TEST_OBJS) $(LIB_OBJS) $(PKG_LIBS) $(TEST_LIBS)

run: $(LEDE) | $(SETUP)
	$(LEDE) $(ARGS)

$(BUILD)/query-threads: tests/threads/query_threads.c $(LIB_OBJS) $(BUILD)/flags
	$(CC) $(ALL_CFLAGS) -MF $@.d -o $@ $< $(LIB_OBJS) $(ALL_LDFLAGS) $(PKG_LIBS)

ifneq ($(findstring thread,$(SANITIZE)),)
# Criterion cannot start under ThreadSanitizer (its shared arena): here the
# threaded paths are driven by a plain program and the headless replays.
unit: $(LEDE) $(BUILD)/query-threads
	TSAN_OPTIONS="halt_on_error=1 exitcode=66" $(BUILD)/query-threads
	sh tests/threads-ui.sh $(LEDE)
else
unit: $(LEDE) $(BUILD)/unit-tests
	LEDE_BIN=$(LEDE) LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
		$(BUILD)/unit-tests --jobs=2
endif

# Every test, then the unit tests and headless replays again under
# AddressSanitizer and UndefinedBehaviorSanitizer (the replays once more
# with the threaded paths on), and every headless UI script under valgrind
# memcheck; then the build's own checks. ThreadSanitizer is a separate run:
# make test SANITIZE=thread.
test: unit
ifeq ($(SANITIZE),)
	$(MAKE) --no-print-directory unit SANITIZE=address,undefined
	sh tests/threads-ui.sh ./lede-san-address-undefined
	sh tests/valgrind-ui.sh $(LEDE)
	$(MAKE) --no-print-directory check-build
endif

# The build's own promises (tests/build/): the tree laid out as README.md's
# "The code" says; in a private copy of the tree, a repeated make rebuilds
# nothing and a changed CFLAGS, CPPFLAGS, PREFIX or LDFLAGS rebuilds what it
# must, and plain make runs no package manager; lede and the unit tests
# built warning-free by clang into build/clang.
check-build:
	sh tests/build/arch.sh
	sh tests/build/stamp.sh
	sh tests/build/clang.sh

# Copies the binary, the seeds, the keymaps and the manual pages, whose
# paths are rewritten to this install's; nothing is built or fetched here
# beyond ./lede itself, and nothing is written outside DESTDIR.
SEEDS = $(notdir $(wildcard seeds/*))
KEYMAPS = $(notdir $(wildcard keymaps/*))
MAN_SED = sed 's|/usr/local/share/lede|$(PKGDATADIR)|g'

INSTALL_BIN ?= $(LEDE)
define install_files
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(PKGDATADIR)/seeds $(DESTDIR)$(PKGDATADIR)/keymaps \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5
	install -m 755 $(INSTALL_BIN) $(DESTDIR)$(BINDIR)/lede
	install -m 644 $(SEEDS:%=seeds/%) $(DESTDIR)$(PKGDATADIR)/seeds/
	install -m 644 $(KEYMAPS:%=keymaps/%) $(DESTDIR)$(PKGDATADIR)/keymaps/
	$(MAN_SED) man/lede.1 > $(DESTDIR)$(MANDIR)/man1/lede.1
	$(MAN_SED) man/lede.5 > $(DESTDIR)$(MANDIR)/man5/lede.5
	chmod 644 $(DESTDIR)$(MANDIR)/man1/lede.1 $(DESTDIR)$(MANDIR)/man5/lede.5
endef

install: $(LEDE)
	$(install_files)

# The same copy of a binary already built (INSTALL_BIN), building nothing:
# the install test stages one this way without recompiling for its PREFIX.
install-files:
	$(install_files)

# Removes the files install wrote, by name, and then lede's own data
# directories only if they are left empty: never a directory's contents.
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/lede
	rm -f $(SEEDS:%=$(DESTDIR)$(PKGDATADIR)/seeds/%) $(KEYMAPS:%=$(DESTDIR)$(PKGDATADIR)/keymaps/%)
	rm -f $(DESTDIR)$(MANDIR)/man1/lede.1 $(DESTDIR)$(MANDIR)/man5/lede.5
	-rmdir $(DESTDIR)$(PKGDATADIR)/seeds $(DESTDIR)$(PKGDATADIR)/keymaps 2>/dev/null
	-rmdir $(DESTDIR)$(PKGDATADIR) 2>/dev/null

clean:
	rm -rf build lede lede-san-*

-include $(OBJS:.o=.d) $(TEST_OBJS:.o=.d) $(BUILD)/query-threads.d

# The benchmark (make bench) lives with its generator in tests/bench/.
-include tests/bench/bench.mk

# Fuzzing (make fuzz FUZZ_SECONDS=N) and its regression corpus: tests/fuzz/.
-include tests/fuzz/fuzz.mk

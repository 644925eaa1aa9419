# make fuzz [FUZZ_SECONDS=N] [FUZZ_TARGETS="parse date ..."] [FUZZ_FLAGS=...]:
# build every libFuzzer harness with clang (fuzzer, AddressSanitizer and
# UndefinedBehaviorSanitizer) and run each for N seconds (default 60), one
# after another, with corpora in build/fuzz/corpus/TARGET. Inputs that
# crash, leak or hang land in tests/fuzz/regress/TARGET; make test replays
# them without clang (tests/unit/test_fuzz_regress.c). Never part of make
# test itself: a time-boxed random search does not belong in a pass/fail
# suite, its findings do.

FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= parse date config keys cache
FUZZ_CC ?= clang
FUZZ_FLAGS ?=
FUZZ_DIR ?= build/fuzz

# -O1 keeps the instrumentation meaningful and the stack traces readable.
# The project's sources are built without -Werror here: a clang-only
# warning in them is for their owners to hear, not a reason to fuzz nothing.
FUZZ_SAN ?= -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION is the usual name for "let a
# fuzzer past checksums": code may test it, only this build defines it.
FUZZ_BASE_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -g -O1 -Wall -Wextra -Iinclude \
	$(PKG_CFLAGS) -DLEDE_VERSION='"$(VERSION)"' -DLEDE_DATADIR='"$(PKGDATADIR)"' -MMD -MP \
	-DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION $(FUZZ_SAN)
FUZZ_LIB_SRCS = $(filter-out src/main.c,$(wildcard src/*.c))
FUZZ_LIB_OBJS = $(FUZZ_LIB_SRCS:src/%.c=$(FUZZ_DIR)/obj/%.o)
FUZZ_BINS = $(FUZZ_TARGETS:%=$(FUZZ_DIR)/fuzz_%)

.PHONY: fuzz fuzz-build

fuzz: fuzz-build
	sh tests/fuzz/run.sh $(FUZZ_DIR) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-build: $(FUZZ_BINS) $(FUZZ_DIR)/gen-cache-seed

$(FUZZ_DIR)/obj/%.o: src/%.c | deps
	@command -v $(FUZZ_CC) >/dev/null || { echo "fuzz: $(FUZZ_CC) not found; make deps installs clang"; exit 1; }
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_BASE_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

# An archive, so that each harness links only the modules it reaches
# (no curses UI, no main).
$(FUZZ_DIR)/liblede.a: $(FUZZ_LIB_OBJS)
	rm -f $@
	ar rcs $@ $(FUZZ_LIB_OBJS)

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_DIR)/liblede.a | deps
	$(FUZZ_CC) $(FUZZ_BASE_CFLAGS) -Werror -fsanitize=fuzzer -o $@ $< \
		$(FUZZ_DIR)/liblede.a $(PKG_LIBS)

$(FUZZ_DIR)/gen-cache-seed: tests/fuzz/gen_cache_seed.c $(FUZZ_DIR)/liblede.a | deps
	$(FUZZ_CC) $(FUZZ_BASE_CFLAGS) -Werror -fsanitize=fuzzer-no-link -o $@ $< \
		$(FUZZ_DIR)/liblede.a $(PKG_LIBS)

-include $(FUZZ_LIB_OBJS:.o=.d) $(FUZZ_BINS:=.d) $(FUZZ_DIR)/gen-cache-seed.d

# make bench [N=...]: lede against baselines run in the same invocation (see
# tests/bench/bench.sh). Never part of `make test`: timings do not belong in
# a pass/fail suite.

BENCH_DIR = build/bench
BENCH_CFLAGS = -std=c11 -O2 -Wall -Wextra -Werror
BENCH_TOOLS = $(BENCH_DIR)/gen $(BENCH_DIR)/yaml_floor $(BENCH_DIR)/maxrss $(BENCH_DIR)/marks \
	$(BENCH_DIR)/statwalk $(BENCH_DIR)/cluster $(BENCH_DIR)/facets

.PHONY: bench

bench: $(LEDE) $(BENCH_TOOLS)
	LEDE=$(LEDE) BENCH_DIR=$(BENCH_DIR) bash tests/bench/bench.sh $(N)

$(BENCH_DIR)/gen: tests/bench/gen.c | deps
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) -o $@ $<

$(BENCH_DIR)/maxrss: tests/bench/maxrss.c | deps
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) -o $@ $<

$(BENCH_DIR)/statwalk: tests/bench/statwalk.c | deps
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) -pthread -o $@ $<

$(BENCH_DIR)/yaml_floor: tests/bench/yaml_floor.c | deps
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) $(shell pkg-config --cflags yaml-0.1) -o $@ $< \
		$(shell pkg-config --libs yaml-0.1)

# The clocks the timed programs below share, compiled into each.
TIMING_SRC = tests/bench/timing.c
TIMING = $(TIMING_SRC) tests/bench/timing.h

# What one mark costs with many saved: lede's own state module, timed.
MARKS_OBJS = $(BUILD)/state.o $(BUILD)/atomic.o $(BUILD)/hash.o $(BUILD)/compat.o $(BUILD)/util.o
$(BENCH_DIR)/marks: tests/bench/marks.c $(TIMING) $(MARKS_OBJS) | deps
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) -D_POSIX_C_SOURCE=200809L -Iinclude -o $@ $< $(TIMING_SRC) $(MARKS_OBJS)

# What the coverage clusters cost at load: lede's own cluster module, timed.
$(BENCH_DIR)/cluster: tests/bench/cluster.c $(TIMING) $(LIB_OBJS) | deps
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) -D_POSIX_C_SOURCE=200809L -Iinclude -o $@ $< $(TIMING_SRC) $(LIB_OBJS) \
		$(PKG_LIBS)

# What the facets pane's counting costs: lede's own facets module, timed.
$(BENCH_DIR)/facets: tests/bench/facets.c $(TIMING) $(LIB_OBJS) | deps
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) -D_POSIX_C_SOURCE=200809L -Iinclude -o $@ $< $(TIMING_SRC) $(LIB_OBJS) \
		$(PKG_LIBS)

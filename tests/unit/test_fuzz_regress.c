/* The fuzz targets' seeds and every input that once broke one
 * (tests/fuzz/seeds/TARGET, tests/fuzz/regress/TARGET), replayed without
 * libFuzzer through the very bodies the harnesses run (tests/fuzz/
 * targets.h), so that make test, plain and under the sanitizers, keeps
 * each fixed bug fixed. A seeds directory must hold inputs and they must
 * reach the code under test, so the suite cannot pass by finding nothing;
 * a regress directory must exist and may hold only its README.
 *
 * Each input runs in a child process of its own: a crash, a sanitizer
 * report or a leak then fails the test naming the input, and the inputs
 * after it still run. Inputs too big to check in are built here. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../fuzz/targets.h"

#if defined(__SANITIZE_ADDRESS__)
#define FUZZ_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FUZZ_LSAN 1
#endif
#endif
#ifdef FUZZ_LSAN
#include <sanitizer/lsan_interface.h>
#endif

typedef int (*fuzz_target)(const uint8_t *d, size_t n);

struct input {
	char *path;
	char *data;
	size_t len;
};

struct inputs {
	struct input *v;
	size_t n, cap;
};

static void add_input(struct inputs *in, char *path, char *data, size_t len)
{
	in->v = xgrow(in->v, &in->cap, in->n + 1, sizeof *in->v);
	in->v[in->n++] = (struct input){path, data, len};
}

static void free_inputs(struct inputs *in)
{
	for (size_t i = 0; i < in->n; i++) {
		free(in->v[i].path);
		free(in->v[i].data);
	}
	free(in->v);
	*in = (struct inputs){0};
}

/* Every file of dir but dot files and README notes; dir must exist. */
static size_t collect(struct inputs *in, const char *dir)
{
	DIR *d = opendir(dir);
	cr_assert_not_null(d, "%s: %s", dir, strerror(errno));
	size_t before = in->n;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || !strncmp(e->d_name, "README", 6))
			continue;
		char *path = xasprintf("%s/%s", dir, e->d_name);
		char *data;
		size_t len;
		cr_assert_eq(read_file(path, (size_t)64 << 20, &data, &len), 0, "%s: %s", path,
			     strerror(errno));
		add_input(in, path, data, len);
	}
	closedir(d);
	return in->n - before;
}

/* The child's exit status: FUZZ_BASE + what the target returned (clamped
 * to -1..100). Anything else (a signal, the sanitizers' status 1) is a
 * failure. */
enum { FUZZ_BASE = 100 };

/* Run one input in a child; returns what the target returned, or fails
 * the test naming the input. Under AddressSanitizer the input then runs
 * once more here, followed by a leak check: LeakSanitizer cannot stop the
 * test runner's threads from a forked child, so it checks in this
 * process, where they exist. */
static int run_input(fuzz_target one, const struct input *in)
{
	fflush(NULL);
	pid_t pid = fork();
	cr_assert(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		int r = one((const uint8_t *)in->data, in->len);
		_exit(FUZZ_BASE + (r < -1 ? -1 : r > 100 ? 100 : r));
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		cr_assert_eq(errno, EINTR, "waitpid: %s", strerror(errno));
	if (WIFSIGNALED(status))
		cr_assert_fail("%s: killed by signal %d", in->path, WTERMSIG(status));
	int code = WEXITSTATUS(status);
	cr_assert(code >= FUZZ_BASE - 1 && code <= FUZZ_BASE + 100,
		  "%s: failed with exit status %d (a sanitizer report?)", in->path, code);
#ifdef FUZZ_LSAN
	one((const uint8_t *)in->data, in->len);
	cr_assert_eq(__lsan_do_recoverable_leak_check(), 0, "%s: leaks memory", in->path);
#endif
	return code - FUZZ_BASE;
}

/* Replay the seeds and the regression inputs of target. With must_reach,
 * at least one seed must get past the target's first gate (return > 0).
 * setup runs after the inputs are read, before the first one runs. */
static void replay(const char *target, fuzz_target one, bool must_reach, void (*setup)(void))
{
	struct inputs seeds = {0}, regress = {0};
	char *sdir = xasprintf("tests/fuzz/seeds/%s", target);
	char *rdir = xasprintf("tests/fuzz/regress/%s", target);
	cr_assert_gt(collect(&seeds, sdir), 0, "%s holds no seed", sdir);
	collect(&regress, rdir);
	/* Made by the parent, so the children share one scratch directory and
	 * the parent's exit removes it. */
	fuzz_tmp();
	if (setup)
		setup();
#ifdef FUZZ_LSAN
	cr_assert_eq(__lsan_do_recoverable_leak_check(), 0, "leaks before the first input");
#endif
	size_t reached = 0;
	for (size_t i = 0; i < seeds.n; i++)
		reached += run_input(one, &seeds.v[i]) > 0;
	for (size_t i = 0; i < regress.n; i++)
		run_input(one, &regress.v[i]);
	if (must_reach)
		cr_assert_gt(reached, 0, "no seed in %s gets past the first check", sdir);
	free_inputs(&seeds);
	free_inputs(&regress);
	free(sdir);
	free(rdir);
}

Test(fuzz_regress, parse, .timeout = 120)
{
	replay("parse", fuzz_parse_one, true, NULL);
}

Test(fuzz_regress, date, .timeout = 120)
{
	replay("date", fuzz_date_one, true, NULL);
}

Test(fuzz_regress, config, .timeout = 120)
{
	replay("config", fuzz_config_one, true, fuzz_config_setup);
}

Test(fuzz_regress, keys, .timeout = 120)
{
	replay("keys", fuzz_keys_one, true, NULL);
}

/* The article seeds reach the round trip whatever the cache format; the
 * checked-in cache files go stale whenever the format or lede's version
 * changes, so cache_target_reaches_lookups proves the file route. */
Test(fuzz_regress, cache, .timeout = 120)
{
	replay("cache", fuzz_cache_one, true, NULL);
}

/* A cache written now, by this cache.c, must open through the target and
 * every entry must hit; then every single flipped byte of it must be
 * refused or read without harm. */
Test(fuzz_regress, cache_target_reaches_lookups, .timeout = 120)
{
	const char *files[] = {
		"seeds/000_05f876dcdba3f9f7.txt", "seeds/001_f1014d9369e0f1d9.txt",
		"tests/data/cache/every-field.md", "tests/data/bad/syntax.md",
		"tests/data/bad/wrong-types.md",
	};
	size_t nfiles = sizeof files / sizeof *files;
	char *out = xasprintf("%s/fresh.cache", fuzz_tmp());
	cr_assert_eq(fuzz_cache_write_seed(out, files, nfiles), (int)nfiles);
	struct input in = {out, NULL, 0};
	cr_assert_eq(read_file(out, (size_t)64 << 20, &in.data, &in.len), 0);
	cr_assert_eq(run_input(fuzz_cache_one, &in), (int)nfiles,
		     "the cache target's lookups do not all hit a fresh cache");
	free(in.data);
	free(out);
}

/* "M-" a million times: keymap_key_parse once recursed on each, and a
 * config line like this overflowed the stack (fixed in src/keymap.c). Too
 * big for a regression file. */
static char *meta_chain(const char *prefix, size_t times, const char *suffix)
{
	size_t p = strlen(prefix), s = strlen(suffix);
	char *t = xmalloc(p + 2 * times + s + 1);
	memcpy(t, prefix, p);
	for (size_t i = 0; i < times; i++)
		memcpy(t + p + 2 * i, "M-", 2);
	memcpy(t + p + 2 * times, suffix, s + 1);
	return t;
}

Test(fuzz_regress, keys_deep_meta, .timeout = 60)
{
	char *name = meta_chain("", (size_t)2 << 20, "x");
	struct input in = {xstrdup("M-M-...-x (2 Mi times)"), name, strlen(name)};
	cr_assert_eq(run_input(fuzz_keys_one, &in), 0);
	free(in.path);
	free(name);
}

Test(fuzz_regress, config_deep_meta, .timeout = 60)
{
	fuzz_tmp();
	fuzz_config_setup();
	/* Under the 1 MiB a config file may have, so the file route reads it. */
	char *line = meta_chain("bind all ", 450000, "x quit\n");
	struct input in = {xstrdup("bind all M-M-...-x quit"), line, strlen(line)};
	run_input(fuzz_config_one, &in);
	free(in.path);
	free(line);
}

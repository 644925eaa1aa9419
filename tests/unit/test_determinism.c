/* What lede writes does not depend on the order of its hash tables, whose
 * key is drawn anew in every process: the marks file, --list and --json
 * come out the same from one run to the next. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"
#include "lede/state.h"
#include "lede/util.h"

static char dir[64];

static void setup(void)
{
	strcpy(dir, "/tmp/lede-determinism-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		cr_log_warn("could not remove %s", dir);
}

TestSuite(determinism, .init = setup, .fini = teardown, .timeout = 120);

/* Marks set in an order that is neither sorted nor the table's: the file
 * lists them sorted by URL, whatever the process's hash key. */
Test(determinism, marks_file_is_sorted_by_url)
{
	char *path = xasprintf("%s/marks", dir);
	struct strlist msgs = {0};
	struct state *st = state_open(path, &msgs);
	for (int i = 0; i < 200; i++) {
		char *url = xasprintf("https://example.test/%03d", (i * 37) % 200);
		state_set(st, url, i % 3 ? MARK_READ : MARK_STARRED);
		free(url);
	}
	char *err = NULL;
	cr_assert_eq(state_save(st, &err), 0, "%s", err ? err : "");
	/* a save appends to the journal; the fold writes the file itself */
	cr_assert_eq(state_compact(st, &err), 0, "%s", err ? err : "");
	state_close(st);

	size_t len;
	char *text = slurp(path, &len);
	char *save = NULL, *line = strtok_r(text, "\n", &save);
	cr_assert_str_eq(line, "lede-marks 1");
	int n = 0;
	while ((line = strtok_r(NULL, "\n", &save))) {
		char *url = strchr(line, '\t');
		cr_assert_not_null(url, "line %d: %s", n, line);
		char *want = xasprintf("https://example.test/%03d", n);
		cr_assert_str_eq(url + 1, want, "line %d of the marks is out of order", n + 1);
		free(want);
		n++;
	}
	cr_assert_eq(n, 200);
	free(text);
	strlist_free(&msgs);
	free(path);
}

/* The state directory afresh, holding only a marks file of 50 URLs in no
 * sorted order (and no journal or temporary of an earlier run). */
static void fresh_marks(const char *marks)
{
	char *cmd = xasprintf("rm -rf '%s/lede' && mkdir '%s/lede'", dir, dir);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
	FILE *f = fopen(marks, "w");
	cr_assert_not_null(f);
	fputs("lede-marks 1\n", f);
	for (int i = 0; i < 50; i++)
		fprintf(f, "r\thttps://example.test/%02d\n", (i * 7) % 50);
	fclose(f);
}

/* Two processes (two hash keys) saving the same marks write the same
 * bytes. */
Test(determinism, marks_file_same_from_two_processes)
{
	char *marks = xasprintf("%s/lede/marks", dir);
	char *script = xasprintf("%s/mark.script", dir);
	char *state_env = xasprintf("XDG_STATE_HOME=%s", dir);
	const char *env[] = {state_env, NULL};
	FILE *f = fopen(script, "w");
	cr_assert_not_null(f);
	fputs("key m\n", f); /* a change, so that the marks are saved */
	fclose(f);

	const char *argv[] = {"--no-cache", "--script", script, "--size", "80x24", "tests/corpus",
			      NULL};
	char *first = NULL;
	for (int run = 0; run < 2; run++) {
		fresh_marks(marks); /* the same start: m toggles */
		struct run r;
		run_lede(&r, argv, env);
		cr_assert_eq(r.status, 0, "%s", r.err);
		run_free(&r);
		size_t len;
		char *text = slurp(marks, &len);
		cr_assert_gt(len, 13 + 50 * 23, "the marks were not saved: %s", text);
		if (run == 0) {
			first = text;
		} else {
			cr_assert_str_eq(text, first, "the marks file differs between two runs");
			free(text);
		}
	}
	free(first);
	free(marks);
	free(script);
	free(state_env);
}

/* --list and --json, each produced twice over the corpus by two processes,
 * are byte for byte the same. */
Test(determinism, list_and_json_same_across_runs)
{
	char *cache_env = xasprintf("XDG_CACHE_HOME=%s", dir);
	char *state_env = xasprintf("XDG_STATE_HOME=%s", dir);
	const char *env[] = {cache_env, state_env, NULL};
	const char *modes[] = {"--list", "--json"};
	for (size_t m = 0; m < 2; m++) {
		const char *argv[] = {"--no-cache", modes[m], "tests/corpus", NULL};
		struct run a, b;
		run_lede(&a, argv, env);
		run_lede(&b, argv, env);
		cr_assert_eq(a.status, 0);
		cr_assert_gt(a.out_len, 0);
		cr_assert(a.out_len == b.out_len && !memcmp(a.out, b.out, a.out_len),
			  "%s differs between two runs", modes[m]);
		run_free(&a);
		run_free(&b);
	}

	free(cache_env);
	free(state_env);
}

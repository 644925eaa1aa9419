/* Read and starred marks: round trips, merging, damage, kill -9. The
 * journal and what cannot be read: test_marks.c. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"
#include "lede/state.h"
#include "lede/util.h"

static char dir[64];
static char path[128];

static void setup(void)
{
	strcpy(dir, "/tmp/lede-state-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/sub/marks", dir);
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		cr_log_warn("could not remove %s", dir);
}

TestSuite(state, .init = setup, .fini = teardown);

static void save_ok(struct state *st)
{
	char *err = NULL;
	cr_assert_eq(state_save(st, &err), 0, "%s", err ? err : "");
}

/* Fold the journal into the file, as the reader does when it quits. */
static void fold_ok(struct state *st)
{
	char *err = NULL;
	cr_assert_eq(state_compact(st, &err), 0, "%s", err ? err : "");
}

Test(state, round_trip_and_exact_file)
{
	struct strlist msgs = {0};
	struct state *st = state_open(path, &msgs);
	cr_assert_eq(msgs.n, 0);
	cr_assert_eq(state_get(st, "https://a.example/1"), 0);
	state_set(st, "https://a.example/1", MARK_READ);
	state_set(st, "https://a.example/2", MARK_READ | MARK_STARRED);
	state_set(st, "https://a.example/3", MARK_STARRED);
	state_set(st, "https://a.example/4", MARK_READ);
	state_set(st, "https://a.example/4", 0);
	cr_assert(state_dirty(st));
	save_ok(st);
	cr_assert(!state_dirty(st));
	fold_ok(st);
	state_close(st);

	st = state_open(path, &msgs);
	cr_assert_eq(msgs.n, 0);
	cr_assert_eq(state_get(st, "https://a.example/1"), MARK_READ);
	cr_assert_eq(state_get(st, "https://a.example/2"), MARK_READ | MARK_STARRED);
	cr_assert_eq(state_get(st, "https://a.example/3"), MARK_STARRED);
	cr_assert_eq(state_get(st, "https://a.example/4"), 0);
	cr_assert_eq(state_count(st), 3);
	state_close(st);

	/* the format is text a person can read; lines in any order */
	char *text = slurp(path, NULL);
	cr_assert(!strncmp(text, "lede-marks 1\n", 13));
	cr_assert(strstr(text, "\nr\thttps://a.example/1\n"));
	cr_assert(strstr(text, "\nrs\thttps://a.example/2\n"));
	cr_assert(strstr(text, "\ns\thttps://a.example/3\n"));
	cr_assert_null(strstr(text, "a.example/4"));
	free(text);
	/* no temporary file is left behind */
	char tmpdir[160];
	snprintf(tmpdir, sizeof tmpdir, "%s/sub", dir);
	DIR *d = opendir(tmpdir);
	struct dirent *e;
	while ((e = readdir(d)))
		cr_assert_null(strstr(e->d_name, ".tmp."), "%s left behind", e->d_name);
	closedir(d);
}

Test(state, urls_with_tabs_newlines_and_percent)
{
	const char *odd = "https://x.example/a\tb\nc\rd%41%";
	struct state *st = state_open(path, NULL);
	state_set(st, odd, MARK_STARRED);
	save_ok(st);
	fold_ok(st);
	state_close(st);
	struct strlist msgs = {0};
	st = state_open(path, &msgs);
	cr_assert_eq(msgs.n, 0);
	cr_assert_eq(state_get(st, odd), MARK_STARRED);
	state_close(st);
	char *text = slurp(path, NULL);
	cr_assert(strstr(text, "s\thttps://x.example/a%09b%0Ac%0Dd%2541%25\n"), "%s", text);
	free(text);
}

Test(state, two_readers_merge_not_clobber)
{
	struct state *a = state_open(path, NULL), *b = state_open(path, NULL);
	state_set(a, "https://e.example/a", MARK_READ);
	save_ok(a);
	state_set(b, "https://e.example/b", MARK_STARRED);
	save_ok(b); /* b never saw a's mark, yet keeps it */
	cr_assert_eq(state_get(b, "https://e.example/a"), MARK_READ);
	/* a clears its mark; b's next save must not bring it back */
	state_set(a, "https://e.example/a", 0);
	save_ok(a);
	state_set(b, "https://e.example/c", MARK_READ);
	save_ok(b);
	state_close(a);
	state_close(b);
	struct state *c = state_open(path, NULL);
	cr_assert_eq(state_get(c, "https://e.example/a"), 0);
	cr_assert_eq(state_get(c, "https://e.example/b"), MARK_STARRED);
	cr_assert_eq(state_get(c, "https://e.example/c"), MARK_READ);
	state_close(c);
}

Test(state, foreign_file_is_reported_and_kept_aside)
{
	char sub[160];
	snprintf(sub, sizeof sub, "%s/sub", dir);
	mkdir(sub, 0700);
	write_text(path, "hello, I am not yours\n");
	struct strlist msgs = {0};
	struct state *st = state_open(path, &msgs);
	cr_assert_eq(msgs.n, 2);
	char want[256];
	snprintf(want, sizeof want, "%s:1: not a lede marks file (no \"lede-marks 1\" header)", path);
	cr_assert_str_eq(msgs.v[0], want);
	cr_assert(strstr(msgs.v[1], "kept aside"));
	state_set(st, "https://k.example/1", MARK_READ);
	save_ok(st);
	fold_ok(st);
	state_close(st);
	strlist_free(&msgs);
	/* the damaged file survives beside the new one */
	DIR *d = opendir(sub);
	struct dirent *e;
	bool found = false;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, "marks.corrupt-", 14))
			continue;
		char p[512];
		snprintf(p, sizeof p, "%s/%s", sub, e->d_name);
		char *text = slurp(p, NULL);
		cr_assert_str_eq(text, "hello, I am not yours\n");
		free(text);
		found = true;
	}
	closedir(d);
	cr_assert(found, "no marks.corrupt-* backup");
	st = state_open(path, &msgs);
	cr_assert_eq(msgs.n, 0);
	cr_assert_eq(state_get(st, "https://k.example/1"), MARK_READ);
	state_close(st);
}

Test(state, damaged_lines_are_skipped_and_the_rest_kept)
{
	char sub[160];
	snprintf(sub, sizeof sub, "%s/sub", dir);
	mkdir(sub, 0700);
	write_text(path, "lede-marks 1\nr\thttps://g.example/1\nzz\thttps://g.example/2\n"
			 "no tab here\ns\thttps://g.example/3%4\nrs\thttps://g.example/4\ns\thttps://cut");
	struct strlist msgs = {0};
	struct state *st = state_open(path, &msgs);
	cr_assert_eq(msgs.n, 5, "%zu", msgs.n);
	const char *want[] = {":3: malformed line, skipped", ":4: malformed line, skipped",
			      ":5: malformed line, skipped", ":7: the last line is cut short"};
	for (size_t i = 0; i < 4; i++) {
		char w[256];
		snprintf(w, sizeof w, "%s%s", path, want[i]);
		cr_assert_str_eq(msgs.v[i], w);
	}
	cr_assert_eq(state_get(st, "https://g.example/1"), MARK_READ);
	cr_assert_eq(state_get(st, "https://g.example/4"), MARK_READ | MARK_STARRED);
	/* saving keeps every mark that could be read, and the damaged file aside */
	state_set(st, "https://g.example/5", MARK_STARRED);
	save_ok(st);
	fold_ok(st);
	state_close(st);
	strlist_free(&msgs);
	st = state_open(path, &msgs);
	cr_assert_eq(msgs.n, 0);
	cr_assert_eq(state_get(st, "https://g.example/1"), MARK_READ);
	cr_assert_eq(state_get(st, "https://g.example/4"), MARK_READ | MARK_STARRED);
	cr_assert_eq(state_get(st, "https://g.example/5"), MARK_STARRED);
	state_close(st);
}

/* kill -9 at any moment: the file is always whole, and every save that
 * returned is in it. */
Test(state, kill_9_never_loses_the_file, .timeout = 60)
{
	for (int round = 0; round < 12; round++) {
		int pipefd[2];
		cr_assert_eq(pipe(pipefd), 0);
		pid_t pid = fork();
		cr_assert_geq(pid, 0);
		if (pid == 0) {
			close(pipefd[0]);
			struct state *st = state_open(path, NULL);
			for (int i = 0;; i++) {
				char url[64];
				snprintf(url, sizeof url, "https://k9.example/%d/%d", round, i);
				state_set(st, url, MARK_READ);
				char *err;
				if (state_save(st, &err) < 0)
					_exit(3);
				/* tell the parent this one is saved */
				if (write(pipefd[1], &i, sizeof i) != sizeof i)
					_exit(4);
			}
		}
		close(pipefd[1]);
		int last = -1, v;
		struct timespec ts = {0, 2000000 + round * 1500000};
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		while (read(pipefd[0], &v, sizeof v) == sizeof v)
			last = v;
		close(pipefd[0]);
		waitpid(pid, NULL, 0);
		struct strlist msgs = {0};
		struct state *st = state_open(path, &msgs);
		cr_assert_eq(msgs.n, 0, "round %d: %s", round, msgs.n ? msgs.v[0] : "");
		for (int i = 0; i <= last; i++) {
			char url[64];
			snprintf(url, sizeof url, "https://k9.example/%d/%d", round, i);
			cr_assert_eq(state_get(st, url), MARK_READ, "round %d lost %d of %d", round, i,
				     last);
		}
		state_close(st);
	}
}

/* Two processes saving at once, each its own marks: all of them survive. */
Test(state, concurrent_savers, .timeout = 60)
{
	pid_t kids[2];
	for (int k = 0; k < 2; k++) {
		kids[k] = fork();
		cr_assert_geq(kids[k], 0);
		if (kids[k] == 0) {
			struct state *st = state_open(path, NULL);
			for (int i = 0; i < 40; i++) {
				char url[64];
				snprintf(url, sizeof url, "https://c.example/%d/%d", k, i);
				state_set(st, url, k ? MARK_STARRED : MARK_READ);
				char *err;
				if (state_save(st, &err) < 0)
					_exit(3);
			}
			state_close(st);
			_exit(0);
		}
	}
	for (int k = 0; k < 2; k++) {
		int status;
		waitpid(kids[k], &status, 0);
		cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	struct state *st = state_open(path, NULL);
	cr_assert_eq(state_count(st), 80);
	state_close(st);
}

Test(state, no_home_no_crash)
{
	struct state *st = state_open(NULL, NULL);
	state_set(st, "https://n.example/", MARK_READ);
	char *err = NULL;
	cr_assert_eq(state_save(st, &err), -1);
	cr_assert_str_eq(err, "no place for the marks: set XDG_STATE_HOME or HOME");
	free(err);
	state_close(st);
}

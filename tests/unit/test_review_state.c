/* Attacks on the marks journal, the temporaries' sweep and the cache's
 * checks: names that only look like ours, journals that are not what they
 * seem, two processes at once. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"
#include "lede/atomic.h"
#include "lede/state.h"
#include "lede/util.h"

static char dir[64];

static void setup(void)
{
	strcpy(dir, "/tmp/lede-review-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[256];
	snprintf(cmd, sizeof cmd, "chmod -R u+rwx '%s'; rm -rf '%s'", dir, dir);
	if (system(cmd) != 0)
		cr_log_warn("could not remove %s", dir);
}

TestSuite(review, .init = setup, .fini = teardown);

static char *in_dir(const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

static void write_text(const char *p, const char *text)
{
	FILE *f = fopen(p, "w");
	cr_assert_not_null(f, "%s: %s", p, strerror(errno));
	fputs(text, f);
	fclose(f);
}

static long dead_pid(void)
{
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	return (long)pid;
}

static void age(const char *p, long seconds)
{
	struct timespec ts[2] = {{time(NULL) - seconds, 0}, {time(NULL) - seconds, 0}};
	cr_assert_eq(utimensat(AT_FDCWD, p, ts, AT_SYMLINK_NOFOLLOW), 0, "%s", strerror(errno));
}

/* A user's own files whose names begin like a temporary's, with a PID in
 * them, are not temporaries: only PATH.tmp.PID (as older versions named
 * them) and PATH.tmp.PID.RANDOM (16 hex digits) are swept. */
Test(review, sweep_spares_files_that_only_look_like_temporaries)
{
	char *marks = in_dir("marks");
	long dead = dead_pid();
	const char *tails[] = {"notes", "0123", "0123456789abcdef.bak", "0123456789ABCDEFG", "", "x"};
	char *names[6];
	for (size_t i = 0; i < 6; i++) {
		names[i] = xasprintf("%s.tmp.%ld.%s", marks, dead, tails[i]);
		write_text(names[i], "the user's own notes\n");
		age(names[i], 3 * 24 * 3600);
	}
	char *ours = xasprintf("%s.tmp.%ld.0123456789abcdef", marks, dead);
	write_text(ours, "half a marks file");
	age(ours, 3600);
	atomic_sweep(marks);
	for (size_t i = 0; i < 6; i++) {
		cr_expect_eq(access(names[i], F_OK), 0, "%s was removed", names[i]);
		free(names[i]);
	}
	cr_expect_neq(access(ours, F_OK), 0, "a real stale temporary stays");
	free(ours);
	free(marks);
}

/* Quitting while the marks cannot be read: the error says what it is, and
 * does not promise that saving resumes, since the process is ending. */
Test(review, a_fold_at_quit_does_not_promise_a_later_save)
{
	char *marks = in_dir("marks");
	cr_assert_eq(mkdir(marks, 0700), 0); /* unreadable as a file, even to root */
	struct state *st = state_open(marks, NULL);
	cr_assert_not_null(state_unreadable(st));
	cr_assert(strstr(state_unreadable(st), "cannot read: not a regular file"), "%s",
		  state_unreadable(st));
	state_set(st, "https://example.com/1", STATE_READ);
	char *err = NULL;
	cr_assert_eq(state_save(st, &err), -1);
	cr_assert(strstr(err, "saving resumes once it can be read"), "%s", err);
	free(err);
	cr_assert_eq(state_compact(st, &err), -1);
	cr_assert(strstr(err, "cannot read"), "%s", err);
	cr_assert_null(strstr(err, "resumes"), "a promise at quit: %s", err);
	free(err);
	cr_assert(state_dirty(st));
	state_close(st);
	free(marks);
}

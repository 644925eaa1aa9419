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
	strcpy(dir, "/tmp/lede-state-attacks-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[256];
	snprintf(cmd, sizeof cmd, "chmod -R u+rwx '%s'; rm -rf '%s'", dir, dir);
	if (system(cmd) != 0)
		cr_log_warn("could not remove %s", dir);
}

TestSuite(state_attacks, .init = setup, .fini = teardown);

static char *in_dir(const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

/* A user's own files whose names begin like a temporary's, with a PID in
 * them, are not temporaries: only PATH.tmp.PID (as older versions named
 * them) and PATH.tmp.PID.RANDOM (16 hex digits) are swept. */
Test(state_attacks, sweep_spares_files_that_only_look_like_temporaries)
{
	char *marks = in_dir("marks");
	long dead = dead_pid();
	const char *tails[] = {"notes", "0123", "0123456789abcdef.bak", "0123456789ABCDEFG", "", "x"};
	char *names[6];
	for (size_t i = 0; i < 6; i++) {
		names[i] = xasprintf("%s.tmp.%ld.%s", marks, dead, tails[i]);
		write_text(names[i], "the user's own notes\n");
		age_file(names[i], 3 * 24 * 3600);
	}
	char *ours = xasprintf("%s.tmp.%ld.0123456789abcdef", marks, dead);
	write_text(ours, "half a marks file");
	age_file(ours, 3600);
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
Test(state_attacks, a_fold_at_quit_does_not_promise_a_later_save)
{
	char *marks = in_dir("marks");
	cr_assert_eq(mkdir(marks, 0700), 0); /* unreadable as a file, even to root */
	struct state *st = state_open(marks, NULL);
	cr_assert_not_null(state_unreadable(st));
	cr_assert(strstr(state_unreadable(st), "cannot read: not a regular file"), "%s",
		  state_unreadable(st));
	state_set(st, "https://example.com/1", MARK_READ);
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

/* The text of the first file in dir whose name begins with prefix, or
 * NULL. */
static char *aside_text(const char *prefix)
{
	char *cmd = xasprintf("ls '%s' | grep '^%s' | head -1", dir, prefix);
	FILE *p = popen(cmd, "r");
	free(cmd);
	char name[256] = "";
	if (!fgets(name, sizeof name, p))
		name[0] = '\0';
	pclose(p);
	name[strcspn(name, "\n")] = '\0';
	if (!name[0])
		return NULL;
	char *full = in_dir(name);
	char *text = slurp(full, NULL);
	free(full);
	return text;
}

/* A journal lede does not know (another version's, say) is said to be kept
 * aside, and is: a session that marks nothing and quits folds, and the
 * fold must not remove it with the marks it may hold. */
Test(state_attacks, a_foreign_journal_is_kept_aside_by_a_fold)
{
	static const char FOREIGN[] = "lede-marks-journal 9\nr\thttps://example.com/future\n";
	char *marks = in_dir("marks"), *journal = in_dir("marks.journal");
	write_text(marks, "lede-marks 1\nr\thttps://example.com/1\n");
	write_text(journal, FOREIGN);
	struct strlist msgs = {0};
	struct state *st = state_open(marks, &msgs);
	cr_assert_eq(msgs.n, 1);
	cr_assert(strstr(msgs.v[0], "kept aside"), "%s", msgs.v[0]);
	char *err = NULL;
	cr_assert_eq(state_compact(st, &err), 0, "%s", err ? err : "");
	state_close(st);
	char *kept = aside_text("marks.journal.corrupt-");
	cr_assert_not_null(kept, "the foreign journal was removed, not kept aside");
	cr_assert_str_eq(kept, FOREIGN);
	free(kept);
	st = state_open(marks, NULL);
	cr_assert_eq(state_get(st, "https://example.com/1"), MARK_READ);
	state_close(st);
	strlist_free(&msgs);
	free(journal);
	free(marks);
}

/* A name taken by an earlier damaged file of the same second does not make
 * the fold drop the next one: it is kept aside under another name. */
Test(state_attacks, keeping_aside_never_counts_a_taken_name_as_done)
{
	static const char FOREIGN[] = "lede-marks-journal 9\nr\thttps://example.com/future\n";
	char *marks = in_dir("marks"), *journal = in_dir("marks.journal");
	write_text(journal, FOREIGN);
	time_t now = time(NULL);
	for (time_t t = now; t < now + 3; t++) {
		char *taken = xasprintf("%s.corrupt-%lld", journal, (long long)t);
		write_text(taken, "an earlier damaged journal\n");
		free(taken);
	}
	struct state *st = state_open(marks, NULL);
	char *err = NULL;
	cr_assert_eq(state_compact(st, &err), 0, "%s", err ? err : "");
	state_close(st);
	char *cmd = xasprintf("cat '%s'/marks.journal.corrupt-* | grep -c future", dir);
	FILE *p = popen(cmd, "r");
	int found = 0;
	cr_assert_eq(fscanf(p, "%d", &found), 1);
	pclose(p);
	free(cmd);
	cr_assert_eq(found, 1, "the foreign journal was lost");
	free(journal);
	free(marks);
}

/* A FIFO where the lock file goes: opening it for a shared lock must not
 * wait for a writer that never comes (the watchdog ends a hang). */
Test(state_attacks, a_fifo_lock_file_does_not_hang_the_start, .timeout = 20)
{
	char *marks = in_dir("marks"), *lock = in_dir("marks.lock");
	write_text(marks, "lede-marks 1\nr\thttps://example.com/1\n");
	cr_assert_eq(mkfifo(lock, 0600), 0);
	struct state *st = state_open(marks, NULL);
	cr_assert_eq(state_get(st, "https://example.com/1"), MARK_READ);
	state_close(st);
	free(lock);
	free(marks);
}

/* Three processes marking, each folding now and then while the others
 * append, and taking back some of their own marks: every process's last
 * word on each of its URLs is what ends up in the file. */
Test(state_attacks, folds_and_appends_interleaved_lose_nothing, .timeout = 120)
{
	char *marks = in_dir("marks");
	enum { KIDS = 3, ROUNDS = 60 };
	pid_t kids[KIDS];
	for (int k = 0; k < KIDS; k++) {
		kids[k] = fork();
		cr_assert_geq(kids[k], 0);
		if (kids[k] == 0) {
			struct state *st = state_open(marks, NULL);
			for (int i = 0; i < ROUNDS; i++) {
				char url[64];
				snprintf(url, sizeof url, "https://f.example/%d/%d", k, i);
				state_set(st, url, MARK_READ | (i % 2 ? MARK_STARRED : 0));
				if (i % 5 == 4) { /* take back an earlier one */
					snprintf(url, sizeof url, "https://f.example/%d/%d", k, i - 2);
					state_set(st, url, 0);
				}
				char *err = NULL;
				int r = i % 7 == 6 ? state_compact(st, &err) : state_save(st, &err);
				if (r < 0)
					_exit(3);
			}
			state_close(st);
			_exit(0);
		}
	}
	for (int k = 0; k < KIDS; k++) {
		int status;
		waitpid(kids[k], &status, 0);
		cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	struct state *st = state_open(marks, NULL);
	for (int k = 0; k < KIDS; k++)
		for (int i = 0; i < ROUNDS; i++) {
			char url[64];
			snprintf(url, sizeof url, "https://f.example/%d/%d", k, i);
			bool taken_back = i + 2 < ROUNDS && (i + 2) % 5 == 4;
			unsigned want = taken_back ? 0 : MARK_READ | (i % 2 ? MARK_STARRED : 0);
			cr_assert_eq(state_get(st, url), want, "%s", url);
		}
	state_close(st);
	free(marks);
}

/* A crash in the middle of an append can leave the journal's new length
 * with zeros in it (the size reached the disk, the data did not). That is
 * an append cut short: the lines before it are marks like any others, not
 * a foreign file to put aside unread. */
Test(state_attacks, zeros_after_the_journal_s_last_line_are_a_cut_append)
{
	char *marks = in_dir("marks"), *journal = in_dir("marks.journal");
	char text[256];
	int n = snprintf(text, sizeof text, "%s", "lede-marks-journal 1\nr\thttps://j.example/1\n"
						 "s\thttps://j.example/2\n");
	memset(text + n, 0, 64);
	write_bytes(journal, text, (size_t)n + 64);
	struct strlist msgs = {0};
	struct state *st = state_open(marks, &msgs);
	cr_assert_eq(msgs.n, 0, "%s", msgs.n ? msgs.v[0] : "");
	cr_assert_eq(state_get(st, "https://j.example/1"), MARK_READ);
	cr_assert_eq(state_get(st, "https://j.example/2"), MARK_STARRED);
	/* the next change goes after the last whole line */
	state_set(st, "https://j.example/3", MARK_READ);
	char *err = NULL;
	cr_assert_eq(state_save(st, &err), 0, "%s", err ? err : "");
	state_close(st);
	size_t len;
	char *now = slurp(journal, &len);
	cr_assert_eq(memchr(now, '\0', len), NULL, "the zeros are still there");
	free(now);
	st = state_open(marks, NULL);
	cr_assert_eq(state_count(st), 3);
	state_close(st);
	strlist_free(&msgs);
	free(journal);
	free(marks);
}

/* A line of the marks file holding a NUL is a damaged line, skipped and
 * reported; the other lines are read. */
Test(state_attacks, a_nul_in_a_marks_line_loses_only_that_line)
{
	char *marks = in_dir("marks");
	static const char TEXT[] = "lede-marks 1\nr\thttps://m.example/1\nr\thttps://m.exa\0mple/2\n"
				   "s\thttps://m.example/3\n";
	write_bytes(marks, TEXT, sizeof TEXT - 1);
	struct strlist msgs = {0};
	struct state *st = state_open(marks, &msgs);
	cr_assert_eq(state_get(st, "https://m.example/1"), MARK_READ);
	cr_assert_eq(state_get(st, "https://m.example/3"), MARK_STARRED);
	cr_assert_eq(state_get(st, "https://m.exa"), 0, "a NUL cut the URL");
	cr_assert_geq(msgs.n, 1);
	cr_assert(strstr(msgs.v[0], ":3: malformed line"), "%s", msgs.v[0]);
	state_close(st);
	strlist_free(&msgs);
	free(marks);
}

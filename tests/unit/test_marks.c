/* The marks' journal, a marks file that cannot be read, links planted
 * beside the marks, and the reader killed or stopped by a signal. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
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
static char sub[96];
static char path[128];

static void setup(void)
{
	strcpy(dir, "/tmp/lede-marks-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(sub, sizeof sub, "%s/lede", dir);
	snprintf(path, sizeof path, "%s/marks", sub);
	cr_assert_eq(mkdir(sub, 0700), 0);
}

static void teardown(void)
{
	char cmd[256];
	snprintf(cmd, sizeof cmd, "chmod -R u+rwX '%s'; rm -rf '%s'", dir, dir);
	if (system(cmd) != 0)
		cr_log_warn("could not remove %s", dir);
}

TestSuite(marks, .init = setup, .fini = teardown);

static const char OLD_MARKS[] = "lede-marks 1\nr\thttps://old.example/1\ns\thttps://old.example/2\n";
static const char VICTIM[] = "the victim's own text\n";

static void save_ok(struct state *st)
{
	char *err = NULL;
	cr_assert_eq(state_save(st, &err), 0, "%s", err ? err : "");
}

static void fold_ok(struct state *st)
{
	char *err = NULL;
	cr_assert_eq(state_compact(st, &err), 0, "%s", err ? err : "");
}

static char *journal_path(void)
{
	return xasprintf("%s.journal", path);
}

/* Become "nobody" when root, for whom permission checks do not apply;
 * false when that fails. */
static bool drop_root(void)
{
	return geteuid() != 0 || (setgid(65534) == 0 && setuid(65534) == 0);
}

/* An unreadable marks file in a directory anyone may write: the old
 * marks must outlive a session that marks, and when the file becomes
 * readable again saving resumes and merges. */
Test(marks, an_unreadable_file_is_never_written_over, .timeout = 30)
{
	write_text(path, OLD_MARKS);
	cr_assert_eq(chmod(path, 0), 0);
	cr_assert_eq(chmod(dir, 0755), 0);
	cr_assert_eq(chmod(sub, 0777), 0);
	int go[2], done[2];
	cr_assert(pipe(go) == 0 && pipe(done) == 0);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		close(go[1]);
		close(done[0]);
		if (!drop_root())
			_exit(3);
		struct strlist msgs = {0};
		struct state *st = state_open(path, &msgs);
		char *want = xasprintf("%s: cannot read: Permission denied", path);
		if (msgs.n != 1 || strcmp(msgs.v[0], want))
			_exit(10);
		if (!state_unreadable(st) || strcmp(state_unreadable(st), want))
			_exit(11);
		state_set(st, "https://new.example/1", MARK_READ);
		char *err = NULL;
		if (state_save(st, &err) != -1 || !strstr(err, want) || !strstr(err, "saving resumes once it can be read"))
			_exit(12);
		free(err);
		if (!state_dirty(st) || state_get(st, "https://new.example/1") != MARK_READ)
			_exit(13);
		if (state_compact(st, &err) != -1)
			_exit(14);
		free(err);
		/* tell the parent, wait for the file to be readable again */
		char c = 'x';
		if (write(done[1], &c, 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(4);
		if (state_save(st, &err) != 0)
			_exit(15);
		if (state_get(st, "https://old.example/1") != MARK_READ || state_dirty(st) ||
		    state_unreadable(st))
			_exit(16);
		if (state_compact(st, &err) != 0)
			_exit(17);
		state_close(st);
		strlist_free(&msgs);
		free(want);
		_exit(0);
	}
	close(go[0]);
	close(done[1]);
	char c;
	cr_assert_eq(read(done[0], &c, 1), 1, "the child stopped early");
	/* the session has marked and tried to save: the file is as it was */
	cr_assert_eq(chmod(path, 0644), 0);
	char *text = slurp(path, NULL);
	cr_assert_str_eq(text, OLD_MARKS);
	free(text);
	cr_assert_eq(write(go[1], "x", 1), 1);
	int status;
	waitpid(pid, &status, 0);
	cr_assert(WIFEXITED(status), "the child died");
	cr_assert_neq(WEXITSTATUS(status), 3, "could not become nobody");
	cr_assert_eq(WEXITSTATUS(status), 0, "child check %d failed", WEXITSTATUS(status));
	struct state *st = state_open(path, NULL);
	cr_assert_eq(state_get(st, "https://old.example/1"), MARK_READ);
	cr_assert_eq(state_get(st, "https://old.example/2"), MARK_STARRED);
	cr_assert_eq(state_get(st, "https://new.example/1"), MARK_READ);
	state_close(st);
}

struct out {
	char *out, *err;
	int status;
};

/* Run lede as nobody (when root) with argv, in the test's environment. */
static void run_as_nobody(struct out *o, const char *const *argv)
{
	char *outp = xasprintf("%s/out", dir), *errp = xasprintf("%s/err", dir);
	int ofd = open(outp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	int efd = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert(ofd >= 0 && efd >= 0);
	const char *bin = getenv("LEDE_BIN") ? getenv("LEDE_BIN") : "./lede";
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		dup2(ofd, 1);
		dup2(efd, 2);
		if (!drop_root())
			_exit(3);
		setenv("XDG_STATE_HOME", dir, 1);
		setenv("HOME", "/nonexistent", 1);
		setenv("XDG_CONFIG_HOME", "/nonexistent", 1);
		setenv("TZ", "UTC", 1);
		setenv("LC_ALL", "C.UTF-8", 1);
		setenv("NO_COLOR", "1", 1);
		exec_lede(bin, argv);
	}
	close(ofd);
	close(efd);
	int st;
	waitpid(pid, &st, 0);
	o->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	cr_assert_neq(o->status, 3, "could not become nobody");
	o->out = slurp(outp, NULL);
	o->err = slurp(errp, NULL);
	free(outp);
	free(errp);
}

/* The reader says so on its own screen, keeps the marks of the session on
 * screen, and leaves the file alone. */
Test(marks, the_reader_shows_unreadable_marks, .timeout = 60)
{
	write_text(path, OLD_MARKS);
	cr_assert_eq(chmod(path, 0), 0);
	cr_assert_eq(chmod(dir, 0777), 0);
	cr_assert_eq(chmod(sub, 0777), 0);
	char *script = xasprintf("%s/keys", dir);
	write_text(script, "dump start\nkey m\ndump marked\nkey P\ndump problems\n");
	chmod(script, 0644);
	struct out o;
	run_as_nobody(&o, (const char *[]){"--no-cache", "--size", "200x12", "--script", script,
					   "seeds", NULL});
	char *want = xasprintf("marks: %s: cannot read: Permission denied", path);
	const char *start = strstr(o.out, "--- start");
	const char *marked = strstr(o.out, "--- marked");
	const char *problems = strstr(o.out, "--- problems");
	cr_assert(start && marked && problems, "%s", o.out);
	cr_assert(strstr(start, want) && strstr(start, want) < marked,
		  "no message on the first screen:\n%s", o.out);
	cr_assert(strstr(marked, "marks not saved") && strstr(marked, "kept in memory") &&
			  strstr(marked, "marks not saved") < problems,
		  "marking does not say the marks are not saved:\n%s", o.out);
	cr_assert(strstr(marked, "unread: 4"), "the mark is not kept:\n%s", o.out);
	cr_assert(strstr(problems, want), "not in the problems view:\n%s", o.out);
	/* quitting with unsaved marks says so and fails */
	cr_assert_eq(o.status, 1, "exit %d: %s", o.status, o.err);
	cr_assert(strstr(o.err, "marks not saved") && strstr(o.err, "lost"), "%s", o.err);
	cr_assert_null(strstr(o.err, "resumes"), "a promise at quit: %s", o.err);
	cr_assert_eq(chmod(path, 0644), 0);
	char *text = slurp(path, NULL);
	cr_assert_str_eq(text, OLD_MARKS);
	free(text);
	free(want);
	free(o.out);
	free(o.err);
	free(script);
}

/* A change is one line appended to the journal: the marks file is not
 * rewritten, however many marks it holds. */
Test(marks, a_change_appends_one_line)
{
	struct state *st = state_open(path, NULL);
	for (int i = 0; i < 1000; i++) {
		char url[64];
		snprintf(url, sizeof url, "https://many.example/%d", i);
		state_set(st, url, MARK_READ);
	}
	save_ok(st);
	fold_ok(st);
	struct stat before, after;
	cr_assert_eq(stat(path, &before), 0);
	state_set(st, "https://many.example/1", MARK_READ | MARK_STARRED);
	save_ok(st);
	state_set(st, "https://many.example/2", 0);
	save_ok(st);
	cr_assert_eq(stat(path, &after), 0);
	cr_assert_eq(before.st_ino, after.st_ino, "the marks file was replaced");
	cr_assert_eq(before.st_size, after.st_size, "the marks file was rewritten");
	char *j = journal_path();
	char *text = slurp(j, NULL);
	cr_assert_str_eq(text, "lede-marks-journal 1\nrs\thttps://many.example/1\n"
			       "-\thttps://many.example/2\n");
	free(text);
	state_close(st);
	/* the journal is part of the marks */
	st = state_open(path, NULL);
	cr_assert_eq(state_get(st, "https://many.example/1"), MARK_READ | MARK_STARRED);
	cr_assert_eq(state_get(st, "https://many.example/2"), 0);
	cr_assert_eq(state_count(st), 999);
	/* folding it in leaves one file */
	fold_ok(st);
	cr_assert_neq(access(j, F_OK), 0, "the journal outlived the fold");
	state_close(st);
	st = state_open(path, NULL);
	cr_assert_eq(state_count(st), 999);
	state_close(st);
	free(j);
}

/* A journal that has outgrown the file is folded in at a save. */
Test(marks, a_big_journal_is_folded)
{
	struct state *st = state_open(path, NULL);
	char *j = journal_path();
	bool folded = false;
	for (int i = 0; i < 5000 && !folded; i++) {
		char url[96];
		snprintf(url, sizeof url, "https://fold.example/a-rather-long-path/%d", i);
		state_set(st, url, MARK_READ);
		save_ok(st);
		folded = access(j, F_OK) != 0;
	}
	cr_assert(folded, "the journal was never folded");
	state_close(st);
	free(j);
}

/* An append cut short by a crash is dropped, and the next one starts on a
 * line of its own. */
Test(marks, a_cut_journal_line_is_dropped)
{
	char *j = journal_path();
	write_text(path, "lede-marks 1\nr\thttps://cut.example/0\n");
	write_text(j, "lede-marks-journal 1\ns\thttps://cut.example/1\nr\thttps://cut.exa");
	struct strlist msgs = {0};
	struct state *st = state_open(path, &msgs);
	cr_assert_eq(msgs.n, 0, "%s", msgs.n ? msgs.v[0] : "");
	cr_assert_eq(state_get(st, "https://cut.example/1"), MARK_STARRED);
	state_set(st, "https://cut.example/2", MARK_READ);
	save_ok(st);
	char *text = slurp(j, NULL);
	cr_assert_str_eq(text, "lede-marks-journal 1\ns\thttps://cut.example/1\n"
			       "r\thttps://cut.example/2\n");
	free(text);
	state_close(st);
	free(j);
}

/* Another lede folds the journal while this one keeps marking: nothing of
 * either is lost. */
Test(marks, a_fold_by_another_process_is_seen)
{
	struct state *a = state_open(path, NULL), *b = state_open(path, NULL);
	state_set(a, "https://two.example/a", MARK_READ);
	save_ok(a);
	state_set(b, "https://two.example/b", MARK_STARRED);
	save_ok(b);
	unsigned long gen = state_generation(a);
	fold_ok(a);
	cr_assert_eq(state_get(a, "https://two.example/b"), MARK_STARRED);
	cr_assert_neq(state_generation(a), gen, "a does not say b's mark came in");
	state_set(b, "https://two.example/a", 0);
	save_ok(b);
	state_set(a, "https://two.example/c", MARK_READ);
	save_ok(a);
	cr_assert_eq(state_get(a, "https://two.example/a"), 0);
	state_close(a);
	state_close(b);
	struct state *c = state_open(path, NULL);
	cr_assert_eq(state_get(c, "https://two.example/a"), 0);
	cr_assert_eq(state_get(c, "https://two.example/b"), MARK_STARRED);
	cr_assert_eq(state_get(c, "https://two.example/c"), MARK_READ);
	state_close(c);
}

/* Links planted at the old temporary name and at the journal's name never
 * turn a write onto another file. */
Test(marks, planted_links_do_not_redirect_writes)
{
	char *victim = xasprintf("%s/victim", dir);
	write_text(victim, VICTIM);
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	cr_assert_eq(symlink(victim, tmp), 0);
	struct state *st = state_open(path, NULL);
	state_set(st, "https://link.example/1", MARK_READ);
	save_ok(st);
	fold_ok(st);
	state_close(st);
	char *text = slurp(victim, NULL);
	cr_assert_str_eq(text, VICTIM);
	free(text);
	struct stat sb;
	cr_assert_eq(lstat(path, &sb), 0);
	cr_assert(S_ISREG(sb.st_mode));

	char *j = journal_path();
	cr_assert_eq(symlink(victim, j), 0);
	st = state_open(path, NULL);
	state_set(st, "https://link.example/2", MARK_READ);
	char *err = NULL;
	cr_assert_eq(state_save(st, &err), -1);
	cr_assert(err && strstr(err, "journal"), "%s", err ? err : "");
	free(err);
	cr_assert(state_dirty(st), "the mark was dropped");
	state_close(st);
	text = slurp(victim, NULL);
	cr_assert_str_eq(text, VICTIM);
	free(text);
	free(j);
	free(tmp);
	free(victim);
}

/* A temporary left by a lede that died mid-fold is removed by the next. */
Test(marks, a_stale_temporary_is_removed)
{
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	char *stale = xasprintf("%s.tmp.%ld", path, (long)pid);
	write_text(stale, "lede-marks 1\nr\thttps://half");
	struct timespec ts[2] = {{time(NULL) - 3600, 0}, {time(NULL) - 3600, 0}};
	cr_assert_eq(utimensat(AT_FDCWD, stale, ts, 0), 0);
	struct state *st = state_open(path, NULL);
	state_set(st, "https://stale.example/1", MARK_READ);
	save_ok(st);
	fold_ok(st);
	state_close(st);
	cr_assert_neq(access(stale, F_OK), 0, "the stale temporary stays");
	free(stale);
}

/* A reader fed keys through a FIFO, its screens read from a pipe. */
struct piped {
	pid_t pid;
	int keys, out;
	struct buf screens;
	char *fifo;
};

static void piped_start(struct piped *p, const char *name)
{
	p->fifo = xasprintf("%s/%s", dir, name);
	p->screens = (struct buf){0};
	cr_assert_eq(mkfifo(p->fifo, 0600), 0);
	const char *bin = getenv("LEDE_BIN") ? getenv("LEDE_BIN") : "./lede";
	int po[2];
	/* close-on-exec: another reader started later must not hold these */
	cr_assert_eq(pipe2(po, O_CLOEXEC), 0);
	p->pid = fork();
	cr_assert_geq(p->pid, 0);
	if (p->pid == 0) {
		dup2(po[1], 1);
		close(po[0]);
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 2);
		setenv("XDG_STATE_HOME", dir, 1);
		setenv("HOME", "/nonexistent", 1);
		setenv("XDG_CONFIG_HOME", "/nonexistent", 1);
		setenv("LC_ALL", "C.UTF-8", 1);
		execl(bin, bin, "--no-cache", "--script", p->fifo, "seeds", (char *)NULL);
		_exit(127);
	}
	close(po[1]);
	p->out = po[0];
	p->keys = open(p->fifo, O_WRONLY | O_CLOEXEC);
	cr_assert_geq(p->keys, 0);
	/* one line per file: these tests are about marks of files */
	static const char none[] = "config set group none\n";
	cr_assert_eq(write(p->keys, none, strlen(none)), (ssize_t)strlen(none));
}

/* Send script lines, ending with "dump NAME", and wait for that screen
 * whole (up to the next "--- " or the status line's message). Returns it. */
static const char *piped_screen(struct piped *p, const char *lines, const char *name,
				const char *until)
{
	char *script = xasprintf("%sdump %s\n", lines, name);
	cr_assert_eq(write(p->keys, script, strlen(script)), (ssize_t)strlen(script));
	free(script);
	char *head = xasprintf("--- %s ", name);
	for (;;) {
		const char *at = p->screens.len ? strstr(buf_str(&p->screens), head) : NULL;
		if (at && strstr(at, until))
			break;
		char tmp[4096];
		ssize_t r = read(p->out, tmp, sizeof tmp);
		cr_assert_gt(r, 0, "the reader ended early: %s", buf_str(&p->screens));
		buf_add(&p->screens, tmp, (size_t)r);
	}
	const char *at = strstr(buf_str(&p->screens), head);
	free(head);
	return at;
}

/* Stop it (sig 0: end of keys, as a script ends) and return its status. */
static int piped_stop(struct piped *p, int sig)
{
	if (sig)
		kill(p->pid, sig);
	close(p->keys); /* never a reader left waiting for keys */
	int status;
	waitpid(p->pid, &status, 0);
	close(p->out);
	buf_free(&p->screens);
	free(p->fifo);
	return status;
}

/* Once a screen says "marked read", the mark is on disk, whatever ends
 * the process. */
static void mark_then_signal(int sig)
{
	struct piped p;
	piped_start(&p, "keys");
	const char *screen = piped_screen(&p, "key m m\n", "one", "marked read");
	cr_assert(strstr(screen, "unread: 3"), "%s", screen);
	int status = piped_stop(&p, sig);
	if (sig == SIGKILL) {
		cr_assert(WIFSIGNALED(status));
	} else {
		/* stopped as q stops it: the journal folded in */
		cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %d", status);
		char *j = journal_path();
		cr_assert_neq(access(j, F_OK), 0, "the journal was not folded at %s", strsignal(sig));
		free(j);
	}
	struct strlist msgs = {0};
	struct state *st = state_open(path, &msgs);
	cr_assert_eq(msgs.n, 0, "%s", msgs.n ? msgs.v[0] : "");
	cr_assert_eq(state_count(st), 2, "marks lost at %s", strsignal(sig));
	state_close(st);
}

/* Two readers on one archive, marking in turns (a reads the first story,
 * b stars the second, a stars the third): each sees the other's marks come
 * in at its next save, and all end up in the file. */
Test(marks, two_readers_merge, .timeout = 60)
{
	struct piped a, b;
	piped_start(&a, "keys-a");
	piped_start(&b, "keys-b");
	const char *s = piped_screen(&a, "key m\n", "a1", "marked read");
	cr_assert(strstr(s, "unread: 4"), "%s", s);
	/* b marks the second story, and takes in a's mark of the first */
	s = piped_screen(&b, "key j *\n", "b1", "starred");
	cr_assert(strstr(s, "unread: 4  starred: 1"), "b did not take in a's mark:\n%s", s);
	s = piped_screen(&a, "key j *\n", "a2", "starred");
	cr_assert(strstr(s, "unread: 4  starred: 2"), "a did not take in b's mark:\n%s", s);
	cr_assert_eq(piped_stop(&a, 0), 0);
	cr_assert_eq(piped_stop(&b, 0), 0);
	struct state *st = state_open(path, NULL);
	cr_assert_eq(state_count(st), 3);
	state_close(st);
	char *text = slurp(path, NULL);
	cr_assert(strstr(text, "\nr\t") && strstr(text, "\ns\t"), "%s", text);
	free(text);
}

Test(marks, saved_marks_survive_kill_9, .timeout = 60)
{
	mark_then_signal(SIGKILL);
}

Test(marks, saved_marks_survive_sigterm, .timeout = 60)
{
	mark_then_signal(SIGTERM);
}

Test(marks, saved_marks_survive_sighup, .timeout = 60)
{
	mark_then_signal(SIGHUP);
}

/* The reader's reload and watch, driven live: the headless player reads
 * its script from a FIFO that the test writes line by line, changing the
 * archive between lines. R picks up a file added after the start, keeps
 * the selected story selected (on the same line of the screen) and says
 * what changed, or "no change"; with the watch on, a file added shows up
 * with no key at all (waited for by the script's wait command, which
 * fails only after a generous minute: nothing is timed). */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"
#include "lede/util.h"

struct live {
	char *home, *dir, *fifo;
	char *env[4];
	pid_t pid;
	FILE *script;     /* the FIFO's writing end */
	int out, err;     /* the reader's stdout and stderr */
	struct buf got;   /* what it printed so far */
};

static void story(const char *dir, const char *name, const char *title, int year)
{
	char *p = xasprintf("%s/%s", dir, name);
	char *text = xasprintf("---\ntitle: \"%s\"\npublishedDateTime: %d-06-01T00:00:00Z\n"
			       "webUrl: \"https://example.com/%s\"\n---\nText of %s.\n",
			       title, year, name, title);
	write_text(p, text);
	free(text);
	free(p);
}

/* Start the reader over a small archive, its script the FIFO. */
static void live_start(struct live *l, const char *name, bool watch)
{
	l->home = temp_dir(name);
	l->dir = xasprintf("%s/archive", l->home);
	cr_assert_eq(mkdir(l->dir, 0700), 0);
	for (int i = 0; i < 8; i++) {
		char file[16], title[32];
		snprintf(file, sizeof file, "s%d.md", i);
		snprintf(title, sizeof title, "Story number %d", i);
		story(l->dir, file, title, 2010 + i);
	}
	char *conf = xasprintf("%s/config", l->home);
	cr_assert_eq(mkdir(conf, 0700), 0);
	char *lede_dir = xasprintf("%s/lede", conf);
	cr_assert_eq(mkdir(lede_dir, 0700), 0);
	char *conf_file = xasprintf("%s/config", lede_dir);
	write_text(conf_file, watch ? "set watch yes\n" : "set watch no\n");
	free(conf_file);
	free(lede_dir);
	l->env[0] = xasprintf("XDG_CONFIG_HOME=%s", conf);
	l->env[1] = xasprintf("XDG_CACHE_HOME=%s/cache", l->home);
	l->env[2] = xasprintf("XDG_STATE_HOME=%s/state", l->home);
	l->env[3] = NULL;
	free(conf);
	l->fifo = xasprintf("%s/script", l->home);
	cr_assert_eq(mkfifo(l->fifo, 0600), 0);
	int po[2], pe[2];
	cr_assert(pipe(po) == 0 && pipe(pe) == 0);
	l->pid = fork();
	cr_assert(l->pid >= 0);
	if (l->pid == 0) {
		dup2(po[1], 1);
		dup2(pe[1], 2);
		close(po[0]);
		close(pe[0]);
		setenv("TZ", "UTC", 1);
		setenv("LANG", "C.UTF-8", 1);
		setenv("LC_ALL", "C.UTF-8", 1);
		setenv("HOME", "/nonexistent", 1);
		setenv("NO_COLOR", "1", 1);
		for (int i = 0; i < 3; i++)
			putenv(l->env[i]);
		const char *bin = getenv("LEDE_BIN") ? getenv("LEDE_BIN") : "./lede";
		const char *argv[] = {"--script", l->fifo, "--size", "100x20", l->dir, NULL};
		exec_lede(bin, argv);
	}
	close(po[1]);
	close(pe[1]);
	l->out = po[0];
	l->err = pe[0];
	l->script = fopen(l->fifo, "w"); /* waits for the reader to open it */
	cr_assert_not_null(l->script, "%s", strerror(errno));
	l->got = (struct buf){0};
}

/* Send script lines, then a dump named mark, and read the reader's output
 * until that dump is there: every line before it has been played. */
static void live_send(struct live *l, const char *lines, const char *mark)
{
	fprintf(l->script, "%sdump %s\n", lines, mark);
	fflush(l->script);
	char *want = xasprintf("--- %s (", mark);
	while (!strstr(buf_str(&l->got), want)) {
		char chunk[4096];
		ssize_t n = read(l->out, chunk, sizeof chunk);
		cr_assert_gt(n, 0, "the reader stopped before %s; stderr follows", mark);
		buf_add(&l->got, chunk, (size_t)n);
	}
	free(want);
}

/* Quit, and the reader's exit status and stderr checked: no expectation
 * of the script failed. */
static void live_end(struct live *l)
{
	fprintf(l->script, "key q\n");
	fclose(l->script);
	char err[8192];
	ssize_t n, len = 0;
	while (len < (ssize_t)sizeof err - 1 && (n = read(l->err, err + len, sizeof err - 1 - (size_t)len)) > 0)
		len += n;
	err[len] = '\0';
	int st;
	cr_assert_eq(waitpid(l->pid, &st, 0), l->pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the reader failed (%d): %s", st, err);
	cr_assert_null(strstr(err, "expect"), "%s", err);
	close(l->out);
	close(l->err);
	buf_free(&l->got);
	for (int i = 0; i < 3; i++)
		free(l->env[i]);
	free(l->fifo);
	free(l->dir);
	temp_dir_free(l->home);
}

Test(reload_ui, R_picks_up_a_file_added_and_keeps_the_selection, .timeout = 120)
{
	struct live l;
	live_start(&l, "reload-key", false);
	/* newest first: the fourth row is story 4, on the fourth line */
	live_send(&l,
		  "key j j j\n"
		  "expect selected Story number 4\n"
		  "expect status \\] 4/8\n",
		  "before");
	story(l.dir, "s8.md", "Story number 8", 2030);
	live_send(&l,
		  "key R\n"
		  "expect message ^\\+1 new$\n"
		  "expect selected Story number 4\n"
		  "expect status \\] 5/9\n"
		  "expect screen Story number 8\n",
		  "added");
	/* nothing since: said so */
	live_send(&l,
		  "key R\n"
		  "expect message ^no change$\n"
		  "expect selected Story number 4\n",
		  "none");
	/* the selected story's file gone: the row where it stood */
	char *p = xasprintf("%s/s4.md", l.dir);
	cr_assert_eq(unlink(p), 0);
	free(p);
	story(l.dir, "s5.md", "Story number 5, revised", 2015);
	live_send(&l,
		  "key R\n"
		  "expect message ^1 changed, 1 gone$\n"
		  "expect selected Story number 3\n"
		  "expect status \\] 5/8\n",
		  "gone");
	live_end(&l);
}

Test(reload_ui, the_watch_picks_up_a_file_with_no_key, .timeout = 180)
{
	struct live l;
	live_start(&l, "reload-watch", true);
	live_send(&l, "key j\nexpect selected Story number 6\n", "before");
	/* the paths themselves are watched before the first key is read */
	story(l.dir, "s8.md", "Story number 8", 2030);
	live_send(&l, "wait screen Story number 8\n"
		      "expect message ^\\+1 new$\n"
		      "expect selected Story number 6\n",
		  "seen");
	/* a new directory: the reload its creation brings finds what is in
	 * it, and it is watched from then on */
	char *sub = xasprintf("%s/later", l.dir);
	cr_assert_eq(mkdir(sub, 0700), 0);
	story(sub, "s9.md", "Story number 9", 2031);
	live_send(&l, "wait screen Story number 9\n"
		      "expect selected Story number 6\n",
		  "deep");
	story(sub, "s10.md", "Story number 10", 2032);
	live_send(&l, "wait screen Story number 10\n"
		      "expect selected Story number 6\n",
		  "deeper");
	free(sub);
	live_end(&l);
}

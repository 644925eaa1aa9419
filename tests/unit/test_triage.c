/* The triage loop's pure parts (counts, the argv of a pager or editor,
 * base64 and the OSC 52 sequence, the copy command fed on stdin) and the
 * reader driving them headless: open-file and edit-file run $PAGER and
 * $VISUAL with the story's file, copy-url feeds copy-command, o in the
 * related view opens the selected related story, and an opened URL marks
 * its story read. The programs are tests/fake-browser, which logs its
 * argv, and tee, which keeps its stdin. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <limits.h>
#include <pty.h>
#include <sys/wait.h>
#include <locale.h>
#include <wchar.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"
#include "lede/clip.h"
#include "lede/config.h"
#include "lede/keymap.h"
#include "lede/spawn.h"
#include "lede/ui/text.h"
#include "lede/ui/triage.h"
#include "lede/util.h"

/* ---- counts ---- */

Test(triage, count_digits)
{
	static const struct {
		const char *keys;
		unsigned long want;
		const char *taken; /* which keys were a count: 1 or 0 each */
	} cases[] = {
		/* 0 */ {"5", 5, "1"},
		/* 1 */ {"42", 42, "11"},
		/* 2 */ {"0", 0, "0"}, /* a 0 starts no count (vi's 0 is a motion) */
		/* 3 */ {"10", 10, "11"},
		/* 4 */ {"007", 7, "001"},
		/* 5 */ {"3j", 3, "10"},
		/* 6 */ {"99999999", TRIAGE_COUNT_MAX, "11111111"}, /* saturates, no wrap */
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		unsigned long n = 0;
		for (size_t k = 0; cases[i].keys[k]; k++) {
			bool took = triage_count_feed(&n, cases[i].keys[k]);
			cr_expect_eq(took, cases[i].taken[k] == '1', "case %zu key %zu", i, k);
		}
		cr_expect_eq(n, cases[i].want, "case %zu: %lu", i, n);
	}
	/* Alt and a digit, as Emacs counts */
	unsigned long n = 0;
	cr_assert(triage_count_feed(&n, KEYMAP_META | '4'));
	cr_assert(triage_count_feed(&n, KEYMAP_META | '2'));
	cr_assert_eq(n, 42);
	cr_assert_not(triage_count_feed(&n, KEYMAP_SPECIAL + 2));
}

Test(triage, counted_actions)
{
	cr_assert(triage_counted(ACT_NEXT));
	cr_assert(triage_counted(ACT_SEARCH_NEXT));
	cr_assert(triage_counted(ACT_NEXT_UNREAD));
	cr_assert_not(triage_counted(ACT_TOGGLE_READ));
	cr_assert_not(triage_counted(ACT_MARK_ALL_READ));
	cr_assert_not(triage_counted(ACT_QUIT));
}

/* ---- base64 and OSC 52 ---- */

Test(triage, base64_rfc4648_vectors)
{
	static const char *const v[][2] = {
		{"", ""},          {"f", "Zg=="},         {"fo", "Zm8="},
		{"foo", "Zm9v"},   {"foob", "Zm9vYg=="},  {"fooba", "Zm9vYmE="},
		{"foobar", "Zm9vYmFy"},
	};
	for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
		char *got = clip_base64(v[i][0], strlen(v[i][0]));
		cr_expect_str_eq(got, v[i][1], "%zu", i);
		free(got);
	}
	unsigned char all[256];
	for (int i = 0; i < 256; i++)
		all[i] = (unsigned char)i;
	char *got = clip_base64(all, sizeof all);
	cr_assert_eq(strlen(got), 344);
	cr_assert_eq(strncmp(got, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8g", 44), 0);
	cr_assert_str_eq(got + 340, "/w==");
	free(got);
}

/* A URL holding escape sequences reaches the terminal only as base64: the
 * sequence's own ESC and BEL are its only control bytes. */
Test(triage, osc52_carries_nothing_raw)
{
	const char *url = "https://x.test/\033]52;c;ZXZpbA==\a\033[2J\x9b" "31m";
	char *seq = clip_osc52(url);
	cr_assert_eq(strncmp(seq, "\033]52;c;", 7), 0);
	size_t n = strlen(seq);
	cr_assert_eq(seq[n - 1], '\a');
	for (size_t i = 7; i < n - 1; i++)
		cr_assert(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=",
				 seq[i]),
			  "byte %zu is 0x%02x", i, (unsigned char)seq[i]);
	char *b64 = clip_base64(url, strlen(url));
	cr_assert_eq(strncmp(seq + 7, b64, strlen(b64)), 0);
	free(b64);
	free(seq);
	cr_assert(clip_is_osc52("osc52"));
	cr_assert(clip_is_osc52("OSC52"));
	cr_assert_not(clip_is_osc52("wl-copy"));
	cr_assert_not(clip_is_osc52(NULL));
}

/* ---- argv of a pager or an editor ---- */

static char *bracketed(const struct strlist *w)
{
	struct buf b = {0};
	buf_str(&b);
	for (size_t i = 0; i < w->n; i++)
		buf_printf(&b, "[%s]", w->v[i]);
	return b.data;
}

static char *file_argv(const char *file, long line)
{
	static const char *const vars[] = {"VISUAL", "EDITOR", NULL};
	struct strlist w = {0};
	char *err = NULL;
	int r = spawn_file_argv(vars, "vi", file, line, &w, &err);
	char *got = r < 0 ? xasprintf("error: %s", err) : bracketed(&w);
	free(err);
	strlist_free(&w);
	return got;
}

Test(triage, file_argv_from_the_environment)
{
	static const struct {
		const char *visual, *editor, *file;
		long line;
		const char *want;
	} cases[] = {
		/* 0 */ {NULL, NULL, "a.md", 0, "[vi][a.md]"},
		/* 1 */ {NULL, "nano -w", "a.md", 12, "[nano][-w][+12][a.md]"},
		/* 2 */ {"", "ed", "a.md", 0, "[ed][a.md]"}, /* empty VISUAL: the next */
		/* 3 */ {"emacs -nw", "ed", "a.md", 0, "[emacs][-nw][a.md]"},
		/* 4: no shell: ; $() and quotes are words, not syntax */
		/* 4 */ {"vim ';rm -rf x' $(id)", NULL, "a.md", 0, "[vim][;rm -rf x][$(id)][a.md]"},
		/* 5: a file that would read as an option */
		/* 5 */ {"less", NULL, "-rf.md", 0, "[less][./-rf.md]"},
		/* 6 */ {"less", NULL, "dir/it's $x.md", 0, "[less][dir/it's $x.md]"},
		/* 7 */ {"'unterminated", NULL, "a.md", 0, "error: $VISUAL: unterminated quote"},
		/* 8 */ {"   ", "ed", "a.md", 0, "error: $VISUAL: no command"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		if (cases[i].visual)
			setenv("VISUAL", cases[i].visual, 1);
		else
			unsetenv("VISUAL");
		if (cases[i].editor)
			setenv("EDITOR", cases[i].editor, 1);
		else
			unsetenv("EDITOR");
		char *got = file_argv(cases[i].file, cases[i].line);
		cr_expect_str_eq(got, cases[i].want, "case %zu", i);
		free(got);
	}
}

/* ---- running them ---- */

Test(triage, copy_command_gets_the_url_on_stdin)
{
	char *dir = temp_dir("copy");
	char *out = xasprintf("%s/clip", dir);
	char *cmd = xasprintf("tee '%s'", out);
	const char *url = "https://x.test/a?b=c&d=$(id);e";
	char *msg = NULL;
	cr_assert_eq(clip_run(cmd, url, &msg), 0, "%s", msg ? msg : "");
	char *got = slurp(out, NULL);
	cr_assert_str_eq(got, url);
	free(got);
	free(msg);
	msg = NULL;
	cr_assert_eq(clip_run("lede-no-such-copier-xyz", url, &msg), -1);
	cr_assert(strstr(msg, "cannot run 'lede-no-such-copier-xyz'"), "%s", msg);
	free(msg);
	msg = NULL;
	cr_assert_eq(clip_run("false", url, &msg), -1);
	cr_assert_str_eq(msg, "'false' exited with status 1");
	free(msg);
	msg = NULL;
	cr_assert_eq(clip_run(NULL, url, &msg), -1);
	cr_assert(strstr(msg, "set copy-command"), "%s", msg);
	free(msg);
	free(cmd);
	free(out);
	temp_dir_free(dir);
}

Test(triage, foreground_program_status)
{
	char *msg = NULL;
	cr_assert_eq(spawn_foreground((char *[]){"true", NULL}, &msg), 0);
	cr_assert_eq(spawn_foreground((char *[]){"false", NULL}, &msg), -1);
	cr_assert_str_eq(msg, "'false' exited with status 1");
	free(msg);
	cr_assert_eq(spawn_foreground((char *[]){"lede-no-such-pager-xyz", NULL}, &msg), -1);
	cr_assert(strstr(msg, "No such file"), "%s", msg);
	free(msg);
}

/* ---- through the reader ---- */

struct reader_run {
	char *dir, *log, *script;
	struct run r;
};

static char *play_args(struct reader_run *rr, const char *script_text, const char *const *args);

/* Play script_text over seeds, with $PAGER and $VISUAL the fake browser
 * logging into dir/log; returns what the log holds. */
static char *play(struct reader_run *rr, const char *script_text)
{
	return play_args(rr, script_text, (const char *[]){"seeds", NULL});
}

/* The same over the arguments args (NULL-terminated). */
static char *play_args(struct reader_run *rr, const char *script_text, const char *const *args)
{
	rr->dir = temp_dir("triage");
	rr->log = xasprintf("%s/log", rr->dir);
	rr->script = xasprintf("%s/script", rr->dir);
	char cwd[PATH_MAX];
	cr_assert_not_null(getcwd(cwd, sizeof cwd));
	char *text = xasprintf(script_text, rr->log, rr->log, cwd);
	/* one line per file: these tests are about the triage keys, not the
	 * grouped list */
	char *grouped = xasprintf("config set group none\n%s", text);
	write_text(rr->script, grouped);
	free(grouped);
	free(text);
	char *pager = xasprintf("PAGER=%s/tests/fake-browser", cwd);
	char *visual = xasprintf("VISUAL=%s/tests/fake-browser --edit", cwd);
	char *logenv = xasprintf("LEDE_FAKE_BROWSER_LOG=%s", rr->log);
	char *state = xasprintf("XDG_STATE_HOME=%s", rr->dir);
	const char *env[] = {"TZ=UTC", "LANG=C.UTF-8", "LC_ALL=C.UTF-8", "HOME=/nonexistent",
			     "XDG_CONFIG_HOME=/nonexistent", "XDG_CACHE_HOME=/dev/null/none",
			     "NO_COLOR=1", pager, visual, logenv, state, NULL};
	const char *argv[16] = {"--script", rr->script};
	for (size_t i = 0; args[i] && i < 13; i++)
		argv[2 + i] = args[i];
	run_lede(&rr->r, argv, env);
	free(pager);
	free(visual);
	free(logenv);
	free(state);
	cr_assert_eq(rr->r.status, 0, "exit %d: %s", rr->r.status, rr->r.err);
	return access(rr->log, F_OK) == 0 ? slurp(rr->log, NULL) : xstrdup("");
}

static void played_free(struct reader_run *rr)
{
	run_free(&rr->r);
	temp_dir_free(rr->dir);
	free(rr->log);
	free(rr->script);
}

Test(triage, open_file_and_edit_file_run_pager_and_visual)
{
	struct reader_run rr;
	char *log = play(&rr, "# %s %s %s\n"
			      "key j e\n"
			      "expect message ^$\n"
			      "key j Enter E\n");
	cr_assert_str_eq(log, "seeds/002_20383254385bc3bd.txt\n--end--\n"
			      "--edit\nseeds/001_f1014d9369e0f1d9.txt\n--end--\n",
			 "%s", log);
	cr_assert_str_eq(rr.r.err, "");
	free(log);
	played_free(&rr);
}

Test(triage, copy_url_feeds_copy_command)
{
	struct reader_run rr;
	char *log = play(&rr, "type :set copy-command \"tee '%s'\"\n"
			      "key Enter\n"
			      "key j y\n"
			      "expect message ^copied https://www\\.analyticsinsight\\.net/\n"
			      "# %s %s\n");
	cr_assert_str_eq(log,
			 "https://www.analyticsinsight.net/"
			 "facebooks-computer-vision-system-supervises-its-own-learning-process/",
			 "%s", log);
	cr_assert_str_eq(rr.r.err, "");
	free(log);
	played_free(&rr);
}

#define BROWSER_SCRIPT                                      \
	"# %s %s\n"                                         \
	"type :set browser \"%s/tests/fake-browser\"\n"     \
	"key Enter\n"                                       \
	"type :set browser-foreground yes\n"                \
	"key Enter\n"

/* Opening a story's URL marks it read. */
Test(triage, browse_marks_read)
{
	struct reader_run rr;
	char *log = play(&rr, BROWSER_SCRIPT "key o\n"
					     "expect status unread: 4\n");
	cr_assert(strstr(log, "https://venturebeat.com/2021/04/30/"), "%s", log);
	free(log);
	played_free(&rr);
}

/* o in the related view opens the selected related story, not the story
 * the view is of. */
Test(triage, browse_from_related_view)
{
	struct reader_run rr;
	char *log = play(&rr, BROWSER_SCRIPT "key Enter r j o\n"
					     "expect view related\n");
	cr_assert(strstr(log, "--end--\n"), "%s", log);
	cr_assert_null(strstr(log, "https://venturebeat.com/2021/04/30/facebook-details"),
		       "the story's own URL, not the related one: %s", log);
	free(log);
	played_free(&rr);
}

/* Enter in the problems view: the file the problem names, in $PAGER at
 * its line, a config file's too. */
Test(triage, problem_opens_in_pager_at_its_line)
{
	struct reader_run rr;
	char *log = play_args(&rr,
			      "# %s %s %s\n"
			      "key P Enter j j Enter\n"
			      "expect view problems\n",
			      (const char *[]){"-c", "tests/data/config/problems.conf",
					       "tests/data/problems", "seeds", NULL});
	cr_assert_str_eq(log,
			 "+4\ntests/data/problems/"
			 "a-directory-with-a-rather-long-name-to-wrap-at-80-columns/broken-article.md\n"
			 "--end--\n"
			 "+3\ntests/data/config/problems.conf\n--end--\n",
			 "%s", log);
	free(log);
	played_free(&rr);
}

/* Nothing loaded: every mode says why on stderr, and exits 1. */
Test(triage, nothing_loaded_says_why_in_every_mode)
{
	char *dir = temp_dir("empty");
	char *missing = xasprintf("%s/no-such-dir", dir);
	static const char *const modes[] = {NULL, "--list", "--json", "--check"};
	for (size_t m = 0; m < sizeof modes / sizeof *modes; m++) {
		const char *argv[4] = {"--no-cache"};
		size_t k = 1;
		if (modes[m])
			argv[k++] = modes[m];
		argv[k] = dir;
		struct run r;
		run_lede(&r, argv, (const char *[]){"XDG_STATE_HOME=/nonexistent/x", NULL});
		cr_expect_eq(r.status, 1, "%s", modes[m] ? modes[m] : "reader");
		char *want = xasprintf("lede: no article files (*.md, *.markdown, *.txt, *.yml, "
				       "*.yaml) under '%s'\n",
				       dir);
		cr_expect(strstr(r.err, want), "%s: %s", modes[m] ? modes[m] : "reader", r.err);
		free(want);
		run_free(&r);
		argv[k] = missing;
		run_lede(&r, argv, (const char *[]){"XDG_STATE_HOME=/nonexistent/x", NULL});
		cr_expect_eq(r.status, 1);
		cr_expect(strstr(r.err, "no-such-dir: cannot read: No such file or directory\n"),
			  "%s: %s", modes[m] ? modes[m] : "reader", r.err);
		cr_expect(strstr(r.err, "lede: no article could be loaded\n"), "%s", r.err);
		run_free(&r);
		argv[k] = "tests/data/bad/empty.md";
		run_lede(&r, argv, (const char *[]){"XDG_STATE_HOME=/nonexistent/x", NULL});
		cr_expect(strstr(r.err, "tests/data/bad/empty.md:1:1: empty file\n"), "%s", r.err);
		cr_expect(strstr(r.err, "none of the 1 file read is one\n"), "%s", r.err);
		run_free(&r);
	}
	free(missing);
	temp_dir_free(dir);
}

/* In a locale that cannot draw them, curly quotes and dashes become their
 * ASCII look-alikes, not '?'; what has none stays a replacement. */
Test(triage, ascii_look_alikes_in_a_non_utf8_locale)
{
	cr_assert_not_null(setlocale(LC_CTYPE, "C"));
	static const struct {
		unsigned cp;
		wchar_t want;
	} cases[] = {
		{0x2019, L'\''}, {0x2018, L'\''}, {0x201c, L'"'}, {0x201d, L'"'},
		{0x2013, L'-'},  {0x2014, L'-'},  {0x00a0, L' '}, {0x4e2d, L'?'},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		int w = 0;
		wchar_t got = text_safe_char(cases[i].cp, &w);
		cr_expect_eq(got, cases[i].want, "U+%04X: %lc", cases[i].cp, (wint_t)got);
		cr_expect_eq(w, 1, "U+%04X", cases[i].cp);
	}
}

/* Two modes that print are an error, not "the last one wins"; --check's
 * summary is grammatical. */
Test(triage, conflicting_modes_and_check_summary)
{
	static const char *const pairs[][3] = {
		{"--list", "--json", "lede: --list and --json cannot be used together\n"},
		{"--json", "--check", "lede: --json and --check cannot be used together\n"},
		{"--check", "--list", "lede: --check and --list cannot be used together\n"},
	};
	for (size_t i = 0; i < sizeof pairs / sizeof *pairs; i++) {
		struct run r;
		run_lede(&r, (const char *[]){pairs[i][0], pairs[i][1], "seeds", NULL}, NULL);
		cr_expect_eq(r.status, 2, "%s %s", pairs[i][0], pairs[i][1]);
		cr_expect_str_eq(r.err, pairs[i][2]);
		cr_expect_str_eq(r.out, "");
		run_free(&r);
	}
	struct run r;
	run_lede(&r, (const char *[]){"--list", "--list", "--no-cache", "seeds", NULL}, NULL);
	cr_expect_eq(r.status, 0, "the same mode twice is fine");
	run_free(&r);
	run_lede(&r, (const char *[]){"--check", "--no-cache", "tests/data/bad/empty.md", NULL},
		 NULL);
	cr_expect_str_eq(r.out, "1 file, 0 articles, 0 not articles, 1 problem\n");
	run_free(&r);
	run_lede(&r, (const char *[]){"--check", "--no-cache", "seeds/000_05f876dcdba3f9f7.txt", NULL},
		 NULL);
	cr_expect_str_eq(r.out, "1 file, 1 article, 0 not articles, 0 problems\n");
	run_free(&r);
}

/* A terminal curses cannot drive (TERM=dumb): one line that says so and
 * points at --list, exit 2, and nothing else written to it (no screen, no
 * newlines scrolling the line away). In a pty of its own, read to the end. */
Test(triage, dumb_terminal, .timeout = 30)
{
	const char *bin = getenv("LEDE_BIN") ? getenv("LEDE_BIN") : "./lede";
	struct winsize ws = {.ws_row = 24, .ws_col = 100};
	int master;
	pid_t pid = forkpty(&master, NULL, NULL, &ws);
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		const char *env[] = {"TERM=dumb", "LANG=C.UTF-8", "HOME=/nonexistent",
				     "XDG_STATE_HOME=/nonexistent/x", "XDG_CACHE_HOME=/dev/null/x",
				     NULL};
		execve(bin, (char *const *)(const char *[]){bin, "seeds", NULL},
		       (char *const *)env);
		_exit(127);
	}
	struct buf out = {0};
	char tmp[4096];
	ssize_t n;
	/* EIO once the child is gone and its side closed: everything is read */
	while ((n = read(master, tmp, sizeof tmp)) > 0 || (n < 0 && errno == EINTR))
		if (n > 0)
			buf_add(&out, tmp, (size_t)n);
	int status;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	close(master);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 2, "status %d", status);
	cr_assert_str_eq(buf_str(&out), "lede: the terminal 'dumb' cannot be driven (no cursor "
					"addressing): use --list or --json\r\n");
	buf_free(&out);
}

/* A path that cannot be read beside one that loads: the articles are
 * printed, the problem said, and the exit status is 1. */
Test(triage, unreadable_path_beside_a_loaded_one)
{
	static const char *const modes[] = {"--list", "--json"};
	for (size_t m = 0; m < 2; m++) {
		struct run r;
		run_lede(&r, (const char *[]){modes[m], "--no-cache", "seeds", "tests/no-such-dir", NULL},
			 (const char *[]){"XDG_STATE_HOME=/nonexistent/x", NULL});
		cr_expect_eq(r.status, 1, "%s", modes[m]);
		cr_expect(strstr(r.out, "analyticsinsight"), "%s: the articles are printed", modes[m]);
		cr_expect_str_eq(r.err, "tests/no-such-dir: cannot read: No such file or directory\n");
		run_free(&r);
	}
}

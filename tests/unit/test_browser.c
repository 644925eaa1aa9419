/* The browser module: URL checks, argv building, running the fake browser
 * (tests/fake-browser) in the foreground and in the background. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lede/browser.h"
#include "lede/config.h"
#include "lede/util.h"

/* ---- helpers ---- */

/* The fake browser by absolute path: Criterion runs tests in child
 * processes, from the project root. */
static char *fake_browser(void)
{
	char cwd[PATH_MAX];
	cr_assert_not_null(getcwd(cwd, sizeof cwd));
	return xasprintf("%s/tests/fake-browser", cwd);
}

/* s quoted for config_split_words, whatever it holds. */
static char *sq(const char *s)
{
	struct buf b = {0};
	buf_putc(&b, '\'');
	for (; *s; s++)
		if (*s == '\'')
			buf_puts(&b, "'\\''");
		else
			buf_putc(&b, *s);
	buf_putc(&b, '\'');
	return b.data;
}

static char *bracketed(const struct strlist *w)
{
	struct buf b = {0};
	buf_str(&b);
	for (size_t i = 0; i < w->n; i++)
		buf_printf(&b, "[%s]", w->v[i]);
	return b.data;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* A whole file, or NULL if it is not there. */
static char *read_all(const char *path)
{
	char *data;
	size_t len;
	return read_file(path, 1 << 20, &data, &len) == 0 ? data : NULL;
}

/* Poll (up to 5 s) until path holds a complete fake-browser log. */
static char *wait_for_log(const char *path)
{
	for (int i = 0; i < 500; i++) {
		char *s = read_all(path);
		if (s && strstr(s, "--end--\n"))
			return s;
		free(s);
		sleep_ms(10);
	}
	return NULL;
}

/* Does this process have any child, running or a zombie? WNOWAIT: look
 * without reaping, so browser_reap still has its work to do. */
static bool have_children(void)
{
	siginfo_t si;
	memset(&si, 0, sizeof si);
	return waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) == 0;
}

struct fixture {
	char *dir, *log, *fake, *fake_q;
	struct config c;
};

static void setup(struct fixture *f)
{
	f->dir = xstrdup("/tmp/lede-browser-test-XXXXXX");
	cr_assert_not_null(mkdtemp(f->dir));
	f->log = xasprintf("%s/log", f->dir);
	f->fake = fake_browser();
	f->fake_q = sq(f->fake);
	setenv("LEDE_FAKE_BROWSER_LOG", f->log, 1);
	unsetenv("LEDE_FAKE_BROWSER_STATUS");
	unsetenv("BROWSER");
	config_init(&f->c);
	f->c.browser = xstrdup(f->fake_q);
}

static void teardown(struct fixture *f)
{
	unlink(f->log);
	rmdir(f->dir);
	config_free(&f->c);
	free(f->dir);
	free(f->log);
	free(f->fake);
	free(f->fake_q);
}

/* ---- browser_url_ok ---- */

struct url_case {
	int num;
	const char *url;
	const char *why; /* NULL: acceptable */
};

#define REFUSE(u, reason) "refusing to open '" u "': " reason
#define NOT_IN(s) "scheme '" s "' is not in browser-schemes"

ParameterizedTestParameters(browser, url_ok)
{
	static struct url_case cases[] = {
		{1, "http://example.com/", NULL},
		{2, "https://example.com/a?b=c&d=e#frag", NULL},
		{3, "HTTPS://EXAMPLE.COM/", NULL},
		{4, "ftp://ftp.example.org/pub/", NULL},
		{5, "https://example.com/caf\xc3\xa9", NULL},
		{6, "https://example.com/a?b=1;touch${IFS}x&c=$(id)|x`y`'\"\\", NULL},
		{7, "javascript:alert(1)", REFUSE("javascript:alert(1)", NOT_IN("javascript"))},
		{8, "JavaScript:alert(1)", REFUSE("JavaScript:alert(1)", NOT_IN("JavaScript"))},
		{9, "file:///etc/passwd", REFUSE("file:///etc/passwd", NOT_IN("file"))},
		{10, "data:text/html,hi", REFUSE("data:text/html,hi", NOT_IN("data"))},
		{11, "-oProxyCommand=x", REFUSE("-oProxyCommand=x", "it starts with '-'")},
		{12, "--help", REFUSE("--help", "it starts with '-'")},
		{13, "https://example.com/a b", REFUSE("https://example.com/a b", "it holds a space")},
		{14, "https://example.com/\x1b[2J",
		 REFUSE("https://example.com/\\x1b[2J", "it holds a control character")},
		{15, "https://example.com/\n", REFUSE("https://example.com/\\x0a", "it holds a control character")},
		{16, "https://example.com/\t", REFUSE("https://example.com/\\x09", "it holds a control character")},
		{17, "https://example.com/\x7f", REFUSE("https://example.com/\\x7f", "it holds a control character")},
		{18, "https://example.com/\xc2\x9b" "31m",
		 REFUSE("https://example.com/\\u{009b}31m", "it holds a control character")},
		{19, "not a url", REFUSE("not a url", "it holds a space")},
		{20, "notaurl", REFUSE("notaurl", "it is not a URL")},
		{21, "", REFUSE("", "it is not a URL")},
		{22, "//example.com/x", REFUSE("//example.com/x", "it is not a URL")},
		{23, "1http://example.com", REFUSE("1http://example.com", "it is not a URL")},
		{24, "ht!tp://example.com", REFUSE("ht!tp://example.com", "it is not a URL")},
		{25, "httpx://example.com", REFUSE("httpx://example.com", NOT_IN("httpx"))},
	};
	return cr_make_param_array(struct url_case, cases, sizeof cases / sizeof *cases);
}

ParameterizedTest(struct url_case *uc, browser, url_ok)
{
	struct config c;
	config_init(&c);
	char *why = NULL;
	bool ok = browser_url_ok(uc->url, &c.browser_schemes, &why);
	if (!uc->why) {
		cr_assert(ok, "case %d: %s", uc->num, why);
	} else {
		cr_assert_not(ok, "case %d", uc->num);
		cr_assert_str_eq(why, uc->why, "case %d", uc->num);
		free(why);
	}
	config_free(&c);
}

Test(browser, url_ok_follows_the_configured_schemes)
{
	struct config c;
	config_init(&c);
	char *err = NULL, *why = NULL;
	cr_assert_eq(config_set(&c, "browser-schemes", "https file", &err), 0);
	cr_assert(browser_url_ok("file:///tmp/x.html", &c.browser_schemes, &why));
	cr_assert(browser_url_ok("https://example.com/", &c.browser_schemes, &why));
	cr_assert_not(browser_url_ok("http://example.com/", &c.browser_schemes, &why));
	cr_assert_str_eq(why, REFUSE("http://example.com/", NOT_IN("http")));
	free(why);
	config_free(&c);
}

/* ---- browser_argv ---- */

#define URL "https://example.com/story?id=1&x=2"

struct argv_case {
	int num;
	const char *browser, *want;
};

ParameterizedTestParameters(browser, argv)
{
	static struct argv_case cases[] = {
		{1, "firefox --new-window %u", "[firefox][--new-window][" URL "]"},
		{2, "chromium --app=%u", "[chromium][--app=" URL "]"},
		{3, "w3m -o 'x=100%%' %u", "[w3m][-o][x=100%][" URL "]"},
		{4, "mybrowser %%u", "[mybrowser][%u][" URL "]"},
		{5, "lynx", "[lynx][" URL "]"},
		{6, "open -a 'Google Chrome'", "[open][-a][Google Chrome][" URL "]"},
		{7, "b %x 100% %s", "[b][%x][100%][%s][" URL "]"},
		{8, "b %u %u", "[b][" URL "][" URL "]"},
		{9, "b '%u' \"x%uy\"", "[b][" URL "][x" URL "y]"},
		{10, "  b   # a comment", "[b][" URL "]"},
	};
	return cr_make_param_array(struct argv_case, cases, sizeof cases / sizeof *cases);
}

ParameterizedTest(struct argv_case *ac, browser, argv)
{
	unsetenv("BROWSER");
	struct config c;
	config_init(&c);
	c.browser = xstrdup(ac->browser);
	struct strlist argv = {0};
	char *err = NULL;
	cr_assert_eq(browser_argv(&c, URL, &argv, &err), 0, "case %d: %s", ac->num, err);
	char *got = bracketed(&argv);
	cr_assert_str_eq(got, ac->want, "case %d", ac->num);
	free(got);
	strlist_free(&argv);
	config_free(&c);
}

Test(browser, argv_errors)
{
	unsetenv("BROWSER");
	static const struct {
		const char *browser, *err;
	} cases[] = {
		{"%u --flag", "the browser command must start with a program, not %u"},
		{"x%u", "the browser command must start with a program, not %u"},
		{"'firefox", "bad browser command: unterminated quote"},
		{"# nothing", "the browser command is empty"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct config c;
		config_init(&c);
		c.browser = xstrdup(cases[i].browser);
		struct strlist argv = {0};
		char *err = NULL;
		cr_assert_eq(browser_argv(&c, URL, &argv, &err), -1, "%s", cases[i].browser);
		cr_assert_str_eq(err, cases[i].err, "%s", cases[i].browser);
		cr_assert_eq(argv.n, 0);
		free(err);
		config_free(&c);
	}
}

Test(browser, argv_keeps_shell_metacharacters_in_one_argument)
{
	static const char url[] = "https://example.com/a?b=1;touch /tmp/PWNED_x&c=$(id)|x`y`'\"\\";
	unsetenv("BROWSER");
	struct config c;
	config_init(&c);
	c.browser = xstrdup("fake");
	struct strlist argv = {0};
	char *err = NULL;
	cr_assert_eq(browser_argv(&c, url, &argv, &err), 0);
	cr_assert_eq(argv.n, 2);
	cr_assert_str_eq(argv.v[0], "fake");
	cr_assert_str_eq(argv.v[1], url);
	strlist_free(&argv);
	config_free(&c);
}

/* The command from $BROWSER given the config has none. */
static char *argv_from_env(const char *browser_env)
{
	struct config c;
	config_init(&c);
	if (browser_env)
		setenv("BROWSER", browser_env, 1);
	else
		unsetenv("BROWSER");
	struct strlist argv = {0};
	char *err = NULL;
	cr_assert_eq(browser_argv(&c, URL, &argv, &err), 0, "%s", err);
	char *got = bracketed(&argv);
	strlist_free(&argv);
	config_free(&c);
	return got;
}

Test(browser, argv_from_the_environment)
{
	char *fake = fake_browser(), *fake_q = sq(fake), *got, *env, *want;

	got = argv_from_env(NULL);
	cr_assert_str_eq(got, "[xdg-open][" URL "]");
	free(got);

	/* The first entry does not exist; the second is an executable path. */
	env = xasprintf("/nonexistent/lede-browser:%s --flag", fake_q);
	got = argv_from_env(env);
	want = xasprintf("[%s][--flag][" URL "]", fake);
	cr_assert_str_eq(got, want);
	free(got), free(env), free(want);

	/* Not in PATH, then the %s convention of $BROWSER. */
	env = xasprintf("lede-no-such-browser-xyz::%s --url=%%s", fake_q);
	got = argv_from_env(env);
	want = xasprintf("[%s][--url=" URL "]", fake);
	cr_assert_str_eq(got, want);
	free(got), free(env), free(want);

	/* Found by a PATH search. */
	char *dir = xstrdup(fake);
	*strrchr(dir, '/') = '\0';
	setenv("PATH", dir, 1);
	got = argv_from_env("lede-no-such-browser-xyz:fake-browser %u");
	cr_assert_str_eq(got, "[fake-browser][" URL "]");
	free(got);

	/* A directory or a plain file is not a program. */
	env = xasprintf("%s:%s/unit/helpers.h:%s", dir, dir, "/nonexistent");
	got = argv_from_env(env);
	cr_assert_str_eq(got, "[xdg-open][" URL "]");
	free(got), free(env);

	/* The config's browser wins over $BROWSER. */
	setenv("BROWSER", "fake-browser", 1);
	struct config c;
	config_init(&c);
	c.browser = xstrdup("lynx -accept_all_cookies");
	struct strlist argv = {0};
	char *err = NULL;
	cr_assert_eq(browser_argv(&c, URL, &argv, &err), 0);
	got = bracketed(&argv);
	cr_assert_str_eq(got, "[lynx][-accept_all_cookies][" URL "]");
	free(got);
	strlist_free(&argv);
	config_free(&c);

	free(dir);
	free(fake);
	free(fake_q);
}

/* ---- browser_open ---- */

/* A URL that would run `touch marker` three ways if a shell ever saw it,
 * with no space (a space is refused before anything runs). It arrives as
 * want: one argument, the characters no URL may hold percent-encoded. */
static void check_foreground_url(struct fixture *f, const char *url, const char *want_url)
{
	f->c.browser_foreground = true;
	char *msg = NULL;
	unlink(f->log);
	cr_assert_eq(browser_open(&f->c, url, &msg), 0, "%s", msg);
	struct buf want_msg = {0};
	buf_puts(&want_msg, "opened ");
	buf_put_safe(&want_msg, want_url, strlen(want_url));
	buf_printf(&want_msg, " with %s", f->fake);
	cr_assert_str_eq(msg, want_msg.data);
	free(msg);
	buf_free(&want_msg);

	char *log = read_all(f->log);
	cr_assert_not_null(log);
	char *want = xasprintf("%s\n--end--\n", want_url);
	cr_assert_str_eq(log, want, "the URL did not arrive as one argument, as encoded");
	free(want);
	free(log);
}

Test(browser, open_foreground_never_uses_a_shell)
{
	struct fixture f;
	setup(&f);
	char *marker = xasprintf("/tmp/lede_PWNED_%ld", (long)getpid());
	unlink(marker);

	char *url = xasprintf("https://example.com/a?b=1;touch${IFS}%s&c=$(id)|x`y`'\"\\", marker);
	char *want = xasprintf("https://example.com/a?b=1;touch$%%7BIFS%%7D%s&c=$(id)%%7Cx%%60y%%60'"
			       "%%22%%5C",
			       marker);
	check_foreground_url(&f, url, want);
	free(url);
	free(want);
	url = xasprintf("https://example.com/?q=$(touch${IFS}%s)&r=`touch${IFS}%s`;touch${IFS}%s",
			marker, marker, marker);
	want = xasprintf("https://example.com/?q=$(touch$%%7BIFS%%7D%s)&r=%%60touch$%%7BIFS%%7D%s%%60;"
			 "touch$%%7BIFS%%7D%s",
			 marker, marker, marker);
	check_foreground_url(&f, url, want);
	free(url);
	free(want);
	struct stat st;
	cr_assert_neq(stat(marker, &st), 0, "%s exists: a shell ran", marker);

	/* With a space it is refused, and nothing runs. */
	static const char spaced[] = "https://example.com/a?b=1;touch /tmp/PWNED_x&c=$(id)|x`y`'\"\\";
	unlink(f.log);
	char *msg = NULL;
	cr_assert_eq(browser_open(&f.c, spaced, &msg), -1);
	cr_assert_str_eq(msg, "refusing to open "
			      "'https://example.com/a?b=1;touch /tmp/PWNED_x&c=$(id)|x`y`'\"\\': "
			      "it holds a space");
	free(msg);
	cr_assert_neq(stat(f.log, &st), 0);

	cr_assert_not(have_children());
	free(marker);
	teardown(&f);
}

Test(browser, open_refuses_a_bad_scheme_without_running_anything)
{
	struct fixture f;
	setup(&f);
	f.c.browser_foreground = true;
	char *msg = NULL;
	cr_assert_eq(browser_open(&f.c, "javascript:alert(1)", &msg), -1);
	cr_assert_str_eq(msg, REFUSE("javascript:alert(1)", NOT_IN("javascript")));
	free(msg);
	struct stat st;
	cr_assert_neq(stat(f.log, &st), 0);
	teardown(&f);
}

Test(browser, open_foreground_reports_a_nonzero_exit)
{
	struct fixture f;
	setup(&f);
	f.c.browser_foreground = true;
	setenv("LEDE_FAKE_BROWSER_STATUS", "2", 1);
	char *msg = NULL;
	cr_assert_eq(browser_open(&f.c, URL, &msg), -1);
	char *want = xasprintf("'%s' exited with status 2", f.fake);
	cr_assert_str_eq(msg, want);
	free(want);
	free(msg);
	char *log = read_all(f.log);
	cr_assert_str_eq(log, URL "\n--end--\n");
	free(log);
	cr_assert_not(have_children());
	teardown(&f);
}

Test(browser, open_foreground_keeps_our_signal_dispositions)
{
	struct fixture f;
	setup(&f);
	f.c.browser_foreground = true;
	struct sigaction before, after;
	sigaction(SIGINT, NULL, &before);
	char *msg = NULL;
	cr_assert_eq(browser_open(&f.c, URL, &msg), 0, "%s", msg);
	free(msg);
	sigaction(SIGINT, NULL, &after);
	cr_assert_eq(before.sa_handler, after.sa_handler);
	teardown(&f);
}

Test(browser, open_a_missing_command)
{
	struct fixture f;
	setup(&f);
	for (int fg = 0; fg <= 1; fg++) {
		free(f.c.browser);
		f.c.browser = xstrdup("lede-no-such-browser-xyz --flag");
		f.c.browser_foreground = fg;
		char *msg = NULL;
		cr_assert_eq(browser_open(&f.c, URL, &msg), -1);
		cr_assert_str_eq(msg, "cannot run 'lede-no-such-browser-xyz': No such file or directory",
				 "foreground %d", fg);
		free(msg);
		/* Known at once, and the failed child is already reaped. */
		cr_assert_not(have_children(), "foreground %d", fg);
		cr_assert_eq(browser_reap(&msg), 0);
	}
	teardown(&f);
}

Test(browser, open_background_then_reap)
{
	struct fixture f;
	setup(&f);
	char *msg = NULL;
	cr_assert_eq(browser_open(&f.c, URL, &msg), 0, "%s", msg);
	char *want = xasprintf("opened " URL " with %s", f.fake);
	cr_assert_str_eq(msg, want);
	free(want);
	free(msg);

	char *log = wait_for_log(f.log);
	cr_assert_not_null(log, "the background browser never wrote its log");
	cr_assert_str_eq(log, URL "\n--end--\n");
	free(log);

	bool reaped = false;
	for (int i = 0; i < 500 && !reaped; i++) {
		msg = NULL;
		cr_assert_eq(browser_reap(&msg), 0, "%s", msg);
		reaped = !have_children();
		if (!reaped)
			sleep_ms(10);
	}
	cr_assert(reaped, "the background browser was never reaped");
	teardown(&f);
}

Test(browser, reap_reports_a_failed_background_browser)
{
	struct fixture f;
	setup(&f);
	setenv("LEDE_FAKE_BROWSER_STATUS", "3", 1);
	char *msg = NULL;
	cr_assert_eq(browser_open(&f.c, URL, &msg), 0, "%s", msg);
	free(msg);
	int rc = 0;
	for (int i = 0; i < 500 && rc == 0; i++) {
		msg = NULL;
		rc = browser_reap(&msg);
		if (rc == 0)
			sleep_ms(10);
	}
	cr_assert_eq(rc, 1, "the failure was never reported");
	char *want = xasprintf("'%s' exited with status 3", f.fake);
	cr_assert_str_eq(msg, want);
	free(want);
	free(msg);
	cr_assert_not(have_children());
	cr_assert_eq(browser_reap(&msg), 0);
	teardown(&f);
}

/* A background browser runs in its own session with /dev/null for its
 * standard streams, so it can never touch the curses screen. */
Test(browser, open_background_detaches)
{
	struct fixture f;
	setup(&f);
	char *probe = xasprintf("%s/probe", f.dir);
	FILE *p = fopen(probe, "w");
	cr_assert_not_null(p);
	fputs("#!/bin/sh\n"
	      "a=$(readlink /proc/$$/fd/0) b=$(readlink /proc/$$/fd/1) c=$(readlink /proc/$$/fd/2)\n"
	      "s=$(cut -d' ' -f6 /proc/$$/stat)\n"
	      "printf '%s\\n' \"$a\" \"$b\" \"$c\" \"$$\" \"$s\" --end-- >\"$1.tmp\" && mv \"$1.tmp\" \"$1\"\n",
	      p);
	fclose(p);
	cr_assert_eq(chmod(probe, 0700), 0);
	free(f.c.browser);
	char *probe_q = sq(probe), *log_q = sq(f.log);
	f.c.browser = xasprintf("%s %s", probe_q, log_q);
	free(probe_q), free(log_q);

	char *msg = NULL;
	cr_assert_eq(browser_open(&f.c, URL, &msg), 0, "%s", msg);
	free(msg);
	char *log = wait_for_log(f.log);
	cr_assert_not_null(log);
	char pid[32], sid[32];
	cr_assert_eq(sscanf(log, "/dev/null\n/dev/null\n/dev/null\n%31s\n%31s\n", pid, sid), 2, "%s", log);
	cr_assert_str_eq(pid, sid, "not a session leader: %s", log);
	free(log);

	for (int i = 0; i < 500 && have_children(); i++) {
		cr_assert_eq(browser_reap(&msg), 0);
		sleep_ms(10);
	}
	cr_assert_not(have_children());
	unlink(probe);
	free(probe);
	teardown(&f);
}

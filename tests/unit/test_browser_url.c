/* What a URL must be to reach the browser: no Unicode space and no
 * invisible character (each refused like the ASCII space, naming the code
 * point), and the ASCII characters no URL may hold percent-encoded. Each
 * case goes through browser_open with the fake browser (tests/fake-browser),
 * whose log shows what it was given: nothing for a refused URL, and never
 * a raw character of the encoded set. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lede/browser.h"
#include "lede/config.h"
#include "lede/util.h"

struct fake {
	char dir[64];
	char *log;
	struct config c;
};

static void fake_setup(struct fake *f)
{
	strcpy(f->dir, "/tmp/lede-browser-url-XXXXXX");
	cr_assert_not_null(mkdtemp(f->dir));
	f->log = xasprintf("%s/log", f->dir);
	setenv("LEDE_FAKE_BROWSER_LOG", f->log, 1);
	unsetenv("LEDE_FAKE_BROWSER_STATUS");
	unsetenv("BROWSER");
	char cwd[PATH_MAX];
	cr_assert_not_null(getcwd(cwd, sizeof cwd));
	config_init(&f->c);
	/* the project's path holds no quote */
	f->c.browser = xasprintf("'%s/tests/fake-browser'", cwd);
	f->c.browser_foreground = true; /* waited for: the log is complete */
}

static void fake_teardown(struct fake *f)
{
	unlink(f->log);
	rmdir(f->dir);
	free(f->log);
	config_free(&f->c);
}

/* What the fake browser logged, or NULL if it never ran. */
static char *fake_log(const struct fake *f)
{
	char *data;
	size_t len;
	return read_file(f->log, 1 << 20, &data, &len) == 0 ? data : NULL;
}

/* ---- refused ---- */

struct hidden_case {
	int num;
	const char *url;
	const char *why; /* after "refusing to open '...': " */
};

ParameterizedTestParameters(browser_url, refused)
{
	static struct hidden_case cases[] = {
		{1, "https://example.com/a\xc2\xa0" "b", "it holds a space (U+00A0)"},
		{2, "https://example.com/a\xe2\x80\xa8" "b", "it holds a space (U+2028)"},
		{3, "https://example.com/a\xe2\x80\xa9" "b", "it holds a space (U+2029)"},
		{4, "https://example.com/a\xe3\x80\x80" "b", "it holds a space (U+3000)"},
		{5, "https://example.com/a\xe2\x80\x8b" "b", "it holds an invisible character (U+200B)"},
		{6, "https://example.com/a\xe1\xa0\x8e" "b", "it holds an invisible character (U+180E)"},
		{7, "https://example.com/a\xef\xbb\xbf" "b", "it holds an invisible character (U+FEFF)"},
		{8, "https://example.com/a\xe2\x80\xaa" "b", "it holds an invisible character (U+202A)"},
		{9, "https://example.com/a\xe2\x80\xae" "b", "it holds an invisible character (U+202E)"},
		{10, "https://example.com/a\xe2\x81\xa6" "b", "it holds an invisible character (U+2066)"},
		{11, "https://example.com/a\xe2\x81\xa9" "b", "it holds an invisible character (U+2069)"},
		{12, "https://example.com/a\xe2\x80\x8e" "b", "it holds an invisible character (U+200E)"},
		{13, "https://example.com/a\xe2\x80\x8f" "b", "it holds an invisible character (U+200F)"},
		{14, "https://example.com/a\xf3\xa0\x80\x80" "b", "it holds an invisible character (U+E0000)"},
		{15, "https://example.com/a\xf3\xa0\x80\x81" "b", "it holds an invisible character (U+E0001)"},
		{16, "https://example.com/a\xf3\xa0\x81\xbf" "b", "it holds an invisible character (U+E007F)"},
		/* other Zs */
		{17, "https://example.com/a\xe1\x9a\x80" "b", "it holds a space (U+1680)"},
		{18, "https://example.com/a\xe2\x80\x80" "b", "it holds a space (U+2000)"},
		{19, "https://example.com/a\xe2\x80\x8a" "b", "it holds a space (U+200A)"},
		{20, "https://example.com/a\xe2\x80\xaf" "b", "it holds a space (U+202F)"},
		{21, "https://example.com/a\xe2\x81\x9f" "b", "it holds a space (U+205F)"},
		/* other Cf */
		{22, "https://example.com/a\xc2\xad" "b", "it holds an invisible character (U+00AD)"},
		{23, "https://example.com/a\xd8\x80" "b", "it holds an invisible character (U+0600)"},
		{24, "https://example.com/a\xd8\x9c" "b", "it holds an invisible character (U+061C)"},
		{25, "https://example.com/a\xe2\x81\xa0" "b", "it holds an invisible character (U+2060)"},
		{26, "https://example.com/a\xe2\x81\xa4" "b", "it holds an invisible character (U+2064)"},
		{27, "https://example.com/a\xef\xbf\xb9" "b", "it holds an invisible character (U+FFF9)"},
		{28, "https://example.com/a\xf0\x9d\x85\xb3" "b", "it holds an invisible character (U+1D173)"},
		{29, "https://example.com/a\xe3\x85\xa4" "b", "it holds an invisible character (U+3164)"},
		/* in the host, where a lookalike does the most harm */
		{30, "https://exa\xe2\x80\x8bmple.com/", "it holds an invisible character (U+200B)"},
		/* not UTF-8 */
		{31, "https://example.com/\xff", "it is not valid UTF-8"},
		{32, "https://example.com/\xe2\x80", "it is not valid UTF-8"},
	};
	return cr_make_param_array(struct hidden_case, cases, sizeof cases / sizeof *cases);
}

ParameterizedTest(struct hidden_case *hc, browser_url, refused)
{
	struct fake f;
	fake_setup(&f);
	struct buf want = {0};
	buf_puts(&want, "refusing to open '");
	buf_put_safe(&want, hc->url, strlen(hc->url));
	buf_printf(&want, "': %s", hc->why);

	char *why = NULL;
	cr_assert_not(browser_url_ok(hc->url, &f.c.browser_schemes, &why), "case %d", hc->num);
	cr_assert_str_eq(why, want.data, "case %d", hc->num);
	free(why);

	char *msg = NULL;
	cr_assert_eq(browser_open(&f.c, hc->url, &msg), -1, "case %d: %s", hc->num, msg);
	cr_assert_str_eq(msg, want.data, "case %d", hc->num);
	free(msg);
	char *log = fake_log(&f);
	cr_assert_null(log, "case %d: the browser ran and was given %s", hc->num, log);
	buf_free(&want);
	fake_teardown(&f);
}

/* Characters near those refused, and what a URL may well hold, still open. */
Test(browser_url, visible_unicode_still_opens)
{
	static const char *const ok[] = {
		"https://example.com/caf\xc3\xa9",          /* é */
		"https://example.com/\xe6\x97\xa5\xe6\x9c\xac", /* 日本 */
		"https://example.com/\xc2\xa1",             /* U+00A1, just past NBSP */
		"https://example.com/\xe2\x80\x90",         /* U+2010 hyphen */
		"https://example.com/\xe2\x80\xb0",         /* U+2030 per mille */
		"https://example.com/\xf3\xa0\x84\x80",     /* U+E0100, a variation selector past the tags */
		"https://example.com/%20%E2%80%8B",       /* encoded already: what it says */
	};
	struct config c;
	config_init(&c);
	for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
		char *why = NULL;
		cr_assert(browser_url_ok(ok[i], &c.browser_schemes, &why), "%zu: %s", i, why);
	}
	config_free(&c);
}

/* ---- encoded ---- */

struct enc_case {
	int num;
	const char *url, *want;
};

ParameterizedTestParameters(browser_url, encoded)
{
	static struct enc_case cases[] = {
		{1, "https://e.com/\"", "https://e.com/%22"},
		{2, "https://e.com/<", "https://e.com/%3C"},
		{3, "https://e.com/>", "https://e.com/%3E"},
		{4, "https://e.com/\\", "https://e.com/%5C"},
		{5, "https://e.com/^", "https://e.com/%5E"},
		{6, "https://e.com/`", "https://e.com/%60"},
		{7, "https://e.com/{", "https://e.com/%7B"},
		{8, "https://e.com/|", "https://e.com/%7C"},
		{9, "https://e.com/}", "https://e.com/%7D"},
		{10, "https://e.com/<script>alert(\"x\")</script>",
		 "https://e.com/%3Cscript%3Ealert(%22x%22)%3C/script%3E"},
		/* what a URL may hold is kept, '%' and its escapes too */
		{11, "https://e.com/a-b_c.d~e!$&'()*+,;=:@/?q=%20#f[1]",
		 "https://e.com/a-b_c.d~e!$&'()*+,;=:@/?q=%20#f[1]"},
		{12, "https://e.com/caf\xc3\xa9?x=100%", "https://e.com/caf\xc3\xa9?x=100%"},
	};
	return cr_make_param_array(struct enc_case, cases, sizeof cases / sizeof *cases);
}

ParameterizedTest(struct enc_case *ec, browser_url, encoded)
{
	char *got = browser_url_encode(ec->url);
	cr_assert_str_eq(got, ec->want, "case %d", ec->num);
	free(got);

	/* and that is what the browser gets: never a raw one */
	struct fake f;
	fake_setup(&f);
	char *msg = NULL;
	cr_assert_eq(browser_open(&f.c, ec->url, &msg), 0, "case %d: %s", ec->num, msg);
	free(msg);
	char *log = fake_log(&f);
	cr_assert_not_null(log, "case %d: the browser never ran", ec->num);
	char *want = xasprintf("%s\n--end--\n", ec->want);
	cr_assert_str_eq(log, want, "case %d", ec->num);
	cr_assert_null(strpbrk(log, "\"<>\\^`{|}"), "case %d: a raw character reached the browser",
		       ec->num);
	free(want);
	free(log);
	fake_teardown(&f);
}

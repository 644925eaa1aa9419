/* The config module: word splitting, options, commands, files. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lede/config.h"
#include "lede/util.h"

/* Words as "[a][b c]" so empty words and blanks inside words show. */
static char *bracketed(const struct strlist *w)
{
	struct buf b = {0};
	buf_str(&b);
	for (size_t i = 0; i < w->n; i++)
		buf_printf(&b, "[%s]", w->v[i]);
	return b.data;
}

struct split_case {
	int num;
	const char *line;
	const char *want; /* bracketed words, or NULL for an error */
	const char *err;
};

ParameterizedTestParameters(config, split_words)
{
	static struct split_case cases[] = {
		{1, "", "", NULL},
		{2, " \t  ", "", NULL},
		{3, "set browser firefox", "[set][browser][firefox]", NULL},
		{4, "  a \t b  ", "[a][b]", NULL},
		{5, "'a b' c", "[a b][c]", NULL},
		{6, "'a\\b \"c\" $x'", "[a\\b \"c\" $x]", NULL},
		{7, "\"a \\\"b\\\" \\\\ \\n\"", "[a \"b\" \\ \\n]", NULL},
		{8, "\"C:\\dir\\\\\"", "[C:\\dir\\]", NULL},
		{9, "a\\ b", "[a b]", NULL},
		{10, "a\\'b \\\"", "[a'b][\"]", NULL},
		{11, "x'y z'w\"1 2\"", "[xy zw1 2]", NULL},
		{12, "'' \"\" x", "[][][x]", NULL},
		{13, "# a comment", "", NULL},
		{14, "   # indented comment 'with quote", "", NULL},
		{15, "a # comment \"unterminated", "[a]", NULL},
		{16, "a#b https://x.org/p#frag", "[a#b][https://x.org/p#frag]", NULL},
		{17, "'#' \"#\" \\#", "[#][#][#]", NULL},
		{18, "'abc", NULL, "unterminated quote"},
		{19, "ok \"abc\\\"", NULL, "unterminated quote"},
		{20, "\"abc", NULL, "unterminated quote"},
		{21, "abc\\", NULL, "backslash at end of line"},
		{22, "set browser \"firefox --new-window %u\"",
		 "[set][browser][firefox --new-window %u]", NULL},
		{23, "é 'ü ß'", "[é][ü ß]", NULL},
	};
	return cr_make_param_array(struct split_case, cases, sizeof cases / sizeof *cases);
}

ParameterizedTest(struct split_case *c, config, split_words)
{
	struct strlist w = {0};
	strlist_push(&w, xstrdup("kept"));
	char *err = NULL;
	int rc = config_split_words(c->line, &w, &err);
	if (c->want) {
		cr_assert_eq(rc, 0, "case %d: %s", c->num, err);
		cr_assert_str_eq(w.v[0], "kept", "case %d", c->num);
		free(w.v[0]);
		w.v[0] = xstrdup("");
		char *got = bracketed(&w);
		/* skip the "[]" of the kept slot */
		cr_assert_str_eq(got + 2, c->want, "case %d: %s", c->num, c->line);
		free(got);
	} else {
		cr_assert_eq(rc, -1, "case %d", c->num);
		cr_assert_str_eq(err, c->err, "case %d", c->num);
		cr_assert_eq(w.n, 1, "case %d: words added on error", c->num);
		free(err);
	}
	strlist_free(&w);
}

Test(config, defaults)
{
	struct config c;
	config_init(&c);
	cr_assert_null(c.browser);
	cr_assert_not(c.browser_foreground);
	cr_assert_null(c.sort);
	cr_assert_eq(c.layout, LAYOUT_HORIZONTAL);
	cr_assert_eq(c.max_file_size, 4u << 20);
	char *s = bracketed(&c.browser_schemes);
	cr_assert_str_eq(s, "[http][https][ftp]");
	free(s);
	config_free(&c);
}

Test(config, set_good_values)
{
	struct config c;
	char *err = NULL;
	config_init(&c);

	cr_assert_eq(config_set(&c, "browser", "firefox --new-window %u", &err), 0);
	cr_assert_str_eq(c.browser, "firefox --new-window %u");
	cr_assert_eq(config_set(&c, "browser", "", &err), 0);
	cr_assert_null(c.browser);

	static const char *const yes[] = {"yes", "true", "on", "YES", "On"};
	static const char *const no[] = {"no", "false", "off", "No", "FALSE"};
	for (size_t i = 0; i < 5; i++) {
		cr_assert_eq(config_set(&c, "browser-foreground", yes[i], &err), 0, "%s", yes[i]);
		cr_assert(c.browser_foreground, "%s", yes[i]);
		cr_assert_eq(config_set(&c, "browser-foreground", no[i], &err), 0, "%s", no[i]);
		cr_assert_not(c.browser_foreground, "%s", no[i]);
	}

	cr_assert_eq(config_set(&c, "browser-schemes", "https, gemini ,Gopher\tfile", &err), 0);
	char *s = bracketed(&c.browser_schemes);
	cr_assert_str_eq(s, "[https][gemini][gopher][file]");
	free(s);

	cr_assert_eq(config_set(&c, "sort", "heat:asc", &err), 0);
	cr_assert_str_eq(c.sort, "heat:asc");
	cr_assert_eq(config_set(&c, "sort", "title", &err), 0);
	cr_assert_str_eq(c.sort, "title");
	cr_assert_eq(config_set(&c, "sort", "", &err), 0);
	cr_assert_null(c.sort);

	cr_assert_eq(config_set(&c, "layout", "vertical", &err), 0);
	cr_assert_eq(c.layout, LAYOUT_VERTICAL);
	cr_assert_eq(config_set(&c, "layout", "horizontal", &err), 0);
	cr_assert_eq(c.layout, LAYOUT_HORIZONTAL);

	struct {
		const char *v;
		size_t want;
	} sizes[] = {{"100", 100}, {"8k", 8192}, {"8K", 8192}, {"2M", 2u << 20}, {"1", 1}};
	for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
		cr_assert_eq(config_set(&c, "max-file-size", sizes[i].v, &err), 0, "%s", sizes[i].v);
		cr_assert_eq(c.max_file_size, sizes[i].want, "%s", sizes[i].v);
	}
	config_free(&c);
}

struct bad_case {
	int num;
	const char *name, *value, *err;
};

#define SIZE_HINT ": use a number of bytes above 0, with k or M for KiB or MiB"

ParameterizedTestParameters(config, set_bad_values)
{
	static struct bad_case cases[] = {
		{1, "colour", "red", "unknown option 'colour'"},
		{2, "Browser", "x", "unknown option 'Browser'"},
		{3, "browser-foreground", "maybe",
		 "bad value 'maybe' for browser-foreground: use yes or no"},
		{4, "browser-foreground", "", "bad value '' for browser-foreground: use yes or no"},
		{5, "layout", "diagonal", "bad value 'diagonal' for layout: use horizontal or vertical"},
		{6, "sort", "size",
		 "bad value 'size' for sort: use date, quality, heat, title or provider, "
		 "optionally with :asc or :desc"},
		{7, "sort", "heat:up",
		 "bad value 'heat:up' for sort: use date, quality, heat, title or provider, "
		 "optionally with :asc or :desc"},
		{8, "max-file-size", "12G", "bad value '12G' for max-file-size" SIZE_HINT},
		{9, "max-file-size", "", "bad value '' for max-file-size" SIZE_HINT},
		{10, "max-file-size", "-1", "bad value '-1' for max-file-size" SIZE_HINT},
		{11, "max-file-size", "0", "bad value '0' for max-file-size" SIZE_HINT},
		{12, "max-file-size", "1.5M", "bad value '1.5M' for max-file-size" SIZE_HINT},
		{13, "max-file-size", " 10", "bad value ' 10' for max-file-size" SIZE_HINT},
		{14, "max-file-size", "99999999999999999999999",
		 "bad value '99999999999999999999999' for max-file-size" SIZE_HINT},
		{15, "max-file-size", "18014398509481984M",
		 "bad value '18014398509481984M' for max-file-size" SIZE_HINT},
		{16, "browser-schemes", "http javascript:",
		 "bad value 'http javascript:' for browser-schemes: 'javascript:' is not a URL scheme"},
		{17, "browser-schemes", " , ",
		 "bad value ' , ' for browser-schemes: give at least one scheme, such as https"},
		{18, "browser-schemes", "1http", "bad value '1http' for browser-schemes: '1http' is not a URL scheme"},
		{19, "browser", "'firefox", "bad value ''firefox' for browser: unterminated quote"},
		{20, "browser", "# nothing",
		 "bad value '# nothing' for browser: give a command, or \"\" for the default"},
		/* Data never reaches the terminal as a control sequence. */
		{21, "layout", "\x1b[31mred", "bad value '\\x1b[31mred' for layout: use horizontal or vertical"},
		{22, "\x1b]0;x\a", "1", "unknown option '\\x1b]0;x\\x07'"},
	};
	return cr_make_param_array(struct bad_case, cases, sizeof cases / sizeof *cases);
}

ParameterizedTest(struct bad_case *bc, config, set_bad_values)
{
	struct config c;
	config_init(&c);
	char *err = NULL;
	cr_assert_eq(config_set(&c, bc->name, bc->value, &err), -1, "case %d", bc->num);
	cr_assert_str_eq(err, bc->err, "case %d", bc->num);
	free(err);
	/* A bad value changes nothing. */
	cr_assert_null(c.browser, "case %d", bc->num);
	cr_assert_eq(c.layout, LAYOUT_HORIZONTAL, "case %d", bc->num);
	cr_assert_eq(c.max_file_size, 4u << 20, "case %d", bc->num);
	cr_assert_eq(c.browser_schemes.n, 3, "case %d", bc->num);
	config_free(&c);
}

Test(config, lines)
{
	struct config c;
	config_init(&c);
	char *err = NULL;
	cr_assert_eq(config_line(&c, "", &err), 0);
	cr_assert_eq(config_line(&c, "   # just a comment", &err), 0);
	cr_assert_eq(config_line(&c, "set layout vertical # why not", &err), 0);
	cr_assert_eq(c.layout, LAYOUT_VERTICAL);
	cr_assert_eq(config_line(&c, "set browser 'firefox --new-window %u'", &err), 0);
	cr_assert_str_eq(c.browser, "firefox --new-window %u");

	static const struct {
		const char *line, *err;
	} bad[] = {
		{"bind j down", "unknown command 'bind'"},
		{"SET layout vertical", "unknown command 'SET'"},
		{"set layout", "usage: set NAME VALUE"},
		{"set", "usage: set NAME VALUE"},
		{"set browser firefox --new-window",
		 "usage: set NAME VALUE (too many words: quote a value that has spaces)"},
		{"set 'layout", "unterminated quote"},
		{"set layout sideways", "bad value 'sideways' for layout: use horizontal or vertical"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		err = NULL;
		cr_assert_eq(config_line(&c, bad[i].line, &err), -1, "%s", bad[i].line);
		cr_assert_str_eq(err, bad[i].err, "%s", bad[i].line);
		free(err);
	}
	cr_assert_eq(c.layout, LAYOUT_VERTICAL);
	config_free(&c);
}

/* A fresh directory under /tmp; the caller removes it with rm_dir. */
static char *temp_dir(void)
{
	char *d = xstrdup("/tmp/lede-config-test-XXXXXX");
	cr_assert_not_null(mkdtemp(d));
	return d;
}

static char *write_file(const char *dir, const char *name, const char *text, size_t len)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	cr_assert_not_null(f, "%s", path);
	cr_assert_eq(fwrite(text, 1, len, f), len);
	fclose(f);
	return path;
}

Test(config, load_file_reports_bad_lines_and_applies_the_rest)
{
	char *dir = temp_dir();
	static const char text[] =
		"# lede config\n"                          /* 1 */
		"\n"                                       /* 2 */
		"set browser 'w3m %u'\n"                   /* 3 */
		"set layout diagonal\n"                    /* 4 */
		"set browser-foreground yes\n"             /* 5 */
		"frobnicate now\n"                         /* 6 */
		"set sort 'heat:asc\n"                     /* 7 */
		"set max-file-size 8k\r\n"                 /* 8: CRLF */
		"   set layout vertical   # trailing\n"    /* 9 */
		"set sort quality:asc\n"                   /* 10 */
		"set nosuch 1";                            /* 11: no newline */
	char *path = write_file(dir, "config", text, sizeof text - 1);
	struct config c;
	config_init(&c);
	struct strlist errors = {0};
	cr_assert_eq(config_load_file(&c, path, false, &errors), 0);

	char *want[] = {
		xasprintf("%s:4: bad value 'diagonal' for layout: use horizontal or vertical", path),
		xasprintf("%s:6: unknown command 'frobnicate'", path),
		xasprintf("%s:7: unterminated quote", path),
		xasprintf("%s:11: unknown option 'nosuch'", path),
	};
	cr_assert_eq(errors.n, 4);
	for (size_t i = 0; i < 4; i++) {
		cr_assert_str_eq(errors.v[i], want[i]);
		free(want[i]);
	}
	cr_assert_str_eq(c.browser, "w3m %u");
	cr_assert(c.browser_foreground);
	cr_assert_eq(c.max_file_size, 8192);
	cr_assert_eq(c.layout, LAYOUT_VERTICAL);
	cr_assert_str_eq(c.sort, "quality:asc");

	strlist_free(&errors);
	config_free(&c);
	unlink(path);
	free(path);
	rmdir(dir);
	free(dir);
}

Test(config, load_file_nul_byte)
{
	char *dir = temp_dir();
	static const char text[] = "set layout vertical\nset sort ti\0tle\nset sort heat\n";
	char *path = write_file(dir, "config", text, sizeof text - 1);
	struct config c;
	config_init(&c);
	struct strlist errors = {0};
	cr_assert_eq(config_load_file(&c, path, false, &errors), 0);
	cr_assert_eq(errors.n, 1);
	char *want = xasprintf("%s:2: NUL byte in line", path);
	cr_assert_str_eq(errors.v[0], want);
	cr_assert_eq(c.layout, LAYOUT_VERTICAL);
	cr_assert_str_eq(c.sort, "heat");
	free(want);
	strlist_free(&errors);
	config_free(&c);
	unlink(path);
	free(path);
	rmdir(dir);
	free(dir);
}

Test(config, load_file_missing_or_unreadable)
{
	char *dir = temp_dir();
	char *path = xasprintf("%s/none", dir);
	struct config c;
	config_init(&c);
	struct strlist errors = {0};

	cr_assert_eq(config_load_file(&c, path, true, &errors), 0);
	cr_assert_eq(errors.n, 0);

	cr_assert_eq(config_load_file(&c, path, false, &errors), -1);
	cr_assert_eq(errors.n, 1);
	char *want = xasprintf("%s: cannot read: No such file or directory", path);
	cr_assert_str_eq(errors.v[0], want);
	free(want);

	/* A directory is there, so missing_ok does not excuse it. */
	cr_assert_eq(config_load_file(&c, dir, true, &errors), -1);
	cr_assert_eq(errors.n, 2);
	want = xasprintf("%s: cannot read: not a regular file", dir);
	cr_assert_str_eq(errors.v[1], want);
	free(want);

	strlist_free(&errors);
	config_free(&c);
	free(path);
	rmdir(dir);
	free(dir);
}

Test(config, default_path)
{
	setenv("XDG_CONFIG_HOME", "/xdg/conf", 1);
	setenv("HOME", "/home/reader", 1);
	char *p = config_default_path();
	cr_assert_str_eq(p, "/xdg/conf/lede/config");
	free(p);

	setenv("XDG_CONFIG_HOME", "relative/conf", 1); /* ignored, as the spec says */
	p = config_default_path();
	cr_assert_str_eq(p, "/home/reader/.config/lede/config");
	free(p);

	unsetenv("XDG_CONFIG_HOME");
	p = config_default_path();
	cr_assert_str_eq(p, "/home/reader/.config/lede/config");
	free(p);

	setenv("XDG_CONFIG_HOME", "", 1);
	p = config_default_path();
	cr_assert_str_eq(p, "/home/reader/.config/lede/config");
	free(p);
}

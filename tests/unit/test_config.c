/* The config module and the config-file side of the command table: word
 * splitting, options, config lines, files. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"
#include "lede/commands.h"
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
	cr_assert_eq(commands_line(&c, "", &err), 0);
	cr_assert_eq(commands_line(&c, "   # just a comment", &err), 0);
	cr_assert_eq(commands_line(&c, "set layout vertical # why not", &err), 0);
	cr_assert_eq(c.layout, LAYOUT_VERTICAL);
	cr_assert_eq(commands_line(&c, "set browser 'firefox --new-window %u'", &err), 0);
	cr_assert_str_eq(c.browser, "firefox --new-window %u");

	static const struct {
		const char *line, *err;
	} bad[] = {
		{"bind j down", "usage: bind VIEW KEY ACTION"},
		{"frobnicate", "unknown command 'frobnicate'"},
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
		cr_assert_eq(commands_line(&c, bad[i].line, &err), -1, "%s", bad[i].line);
		cr_assert_str_eq(err, bad[i].err, "%s", bad[i].line);
		free(err);
	}
	cr_assert_eq(c.layout, LAYOUT_VERTICAL);
	config_free(&c);
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
	char *dir = temp_dir("config-test");
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
	cr_assert_eq(commands_load_file(&c, path, false, &errors), 0);

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
	char *dir = temp_dir("config-test");
	static const char text[] = "set layout vertical\nset sort ti\0tle\nset sort heat\n";
	char *path = write_file(dir, "config", text, sizeof text - 1);
	struct config c;
	config_init(&c);
	struct strlist errors = {0};
	cr_assert_eq(commands_load_file(&c, path, false, &errors), 0);
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
	char *dir = temp_dir("config-test");
	char *path = xasprintf("%s/none", dir);
	struct config c;
	config_init(&c);
	struct strlist errors = {0};

	cr_assert_eq(commands_load_file(&c, path, true, &errors), 0);
	cr_assert_eq(errors.n, 0);

	cr_assert_eq(commands_load_file(&c, path, false, &errors), -1);
	cr_assert_eq(errors.n, 1);
	char *want = xasprintf("%s: cannot read: No such file or directory", path);
	cr_assert_str_eq(errors.v[0], want);
	free(want);

	/* A directory is there, so missing_ok does not excuse it. */
	cr_assert_eq(commands_load_file(&c, dir, true, &errors), -1);
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

/* ---- bind, unbind, color, source and the newer options ---- */

static void write_str(const char *dir, const char *name, const char *text)
{
	free(write_file(dir, name, text, strlen(text)));
}

/* rm -r for the few files a test makes; the directory is ours. */
static void rm_tree(const char *dir)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
}

static size_t count_bindings(const struct keymap *km)
{
	size_t n = 0;
	for (size_t i = 0; i < km->n; i++)
		n += km->v[i].action != ACT_NONE;
	return n;
}

Test(config, new_defaults)
{
	struct config c;
	config_init(&c);
	cr_assert_eq(c.path.n, 0);
	cr_assert_str_eq(c.date_format, "%Y-%m-%d %H:%M");
	cr_assert_not(c.mouse);
	cr_assert_not(c.confirm_quit);
	cr_assert(c.wrap);
	cr_assert_null(c.keymap_name);
	cr_assert_not(c.keymap_locked);
	for (int e = 0; e < CONFIG_EL_COUNT; e++)
		cr_assert_not(c.colors[e].set, "element %d", e);
	/* The keymap starts as the built-in default. */
	struct keymap def;
	keymap_init_default(&def);
	cr_assert_eq(c.keymap.n, def.n);
	for (size_t i = 0; i < def.n; i++)
		cr_assert_eq(keymap_lookup(&c.keymap, VIEW_LIST, def.v[i].key), def.v[i].action);
	keymap_free(&def);
	cr_assert_eq(c.keymap_dirs.n, 1);
	cr_assert_str_eq(c.keymap_dirs.v[0], LEDE_DATADIR "/keymaps");
	config_free(&c);
}

/* A preferred keymap directory goes before those already listed, which
 * keep their order. */
Test(config, prefer_keymap_dir)
{
	struct config c;
	config_init(&c);
	config_prefer_keymap_dir(&c, xstrdup("/b"));
	config_prefer_keymap_dir(&c, xstrdup("/a"));
	cr_assert_eq(c.keymap_dirs.n, 3);
	cr_assert_str_eq(c.keymap_dirs.v[0], "/a");
	cr_assert_str_eq(c.keymap_dirs.v[1], "/b");
	cr_assert_str_eq(c.keymap_dirs.v[2], LEDE_DATADIR "/keymaps");
	config_free(&c);
}

struct line_case {
	int num;
	const char *line, *err;
};

#define X10 "xxxxxxxxxx"
#define LONG_X X10 X10 X10 X10 X10 /* 50 */
#define LONG_X100 LONG_X LONG_X

ParameterizedTestParameters(config, bad_lines)
{
	static struct line_case cases[] = {
		{1, "bind", "usage: bind VIEW KEY ACTION"},
		{2, "bind all j", "usage: bind VIEW KEY ACTION"},
		{3, "bind all j next now", "usage: bind VIEW KEY ACTION"},
		{4, "bind lsit j next", "unknown view 'lsit'"},
		{5, "bind List j next", "unknown view 'List'"},
		{6, "bind all jj next", "bad key name 'jj'"},
		{7, "bind all C- next", "bad key name 'C-'"},
		{8, "bind all F13 next", "bad key name 'F13'"},
		{9, "bind all j nxt", "unknown action 'nxt'"},
		{10, "bind all j ''", "unknown action ''"},
		{11, "bind all j \"\x1b[2J\"", "unknown action '\\x1b[2J'"},
		{12, "unbind all", "usage: unbind VIEW KEY"},
		{13, "unbind all j k", "usage: unbind VIEW KEY"},
		{14, "unbind nowhere j", "unknown view 'nowhere'"},
		{15, "unbind list Ctrl-x", "bad key name 'Ctrl-x'"},
		{16, "unbind-all now", "usage: unbind-all"},
		{17, "color", "usage: color ELEMENT FG BG [ATTRIBUTE...]"},
		{18, "color status white", "usage: color ELEMENT FG BG [ATTRIBUTE...]"},
		{19, "colour status", "usage: colour ELEMENT FG BG [ATTRIBUTE...]"},
		{20, "color statusbar white blue", "unknown colour element 'statusbar'"},
		{21, "color Status white blue", "unknown colour element 'Status'"},
		{22, "color status whit blue", "unknown colour 'whit'"},
		{23, "color status white color256", "unknown colour 'color256'"},
		{24, "color status 256 blue", "unknown colour '256'"},
		{25, "color status -1 blue", "unknown colour '-1'"},
		{26, "color status color blue", "unknown colour 'color'"},
		{27, "color status 99999999999999999999999 blue",
		 "unknown colour '99999999999999999999999'"},
		{28, "color status white '' bold", "unknown colour ''"},
		{29, "color status white blue blink", "unknown attribute 'blink'"},
		{30, "color status white blue bold shiny", "unknown attribute 'shiny'"},
		{31, "source", "usage: source FILE"},
		{32, "source a b", "usage: source FILE"},
		{33, "set mouse maybe", "bad value 'maybe' for mouse: use yes or no"},
		{34, "set wrap 2", "bad value '2' for wrap: use yes or no"},
		{35, "set confirm-quit ''", "bad value '' for confirm-quit: use yes or no"},
		{36, "set confirm-quit", "usage: set NAME VALUE"},
		{37, "set date-format ''",
		 "bad value '' for date-format: give a strftime format such as %Y-%m-%d %H:%M"},
		{38, "set date-format %Q",
		 "bad value '%Q' for date-format: '%Q' is not a strftime conversion"},
		{39, "set date-format '%Y%n'",
		 "bad value '%Y%n' for date-format: '%n' is not a strftime conversion"},
		{40, "set date-format '%H\t%M'",
		 "bad value '%H\\x09%M' for date-format: no control characters"},
		{41, "set date-format 'at 100%'",
		 "bad value 'at 100%' for date-format: a % at the end: write %% for a percent sign"},
		{42, "set date-format '%-Eq'",
		 "bad value '%-Eq' for date-format: '%-Eq' is not a strftime conversion"},
		{43, "set date-format %Y" LONG_X X10 X10,
		 "bad value '%Y" LONG_X X10 X10 "' for date-format: at most 64 bytes"},
		{44, "set path \"'a\"", "bad value ''a' for path: unterminated quote"},
		{45, "set path \"a ''\"", "bad value 'a ''' for path: an empty path"},
		{46, "set keymap ''", "give a keymap name or file"},
		/* Long text is cut in messages, never the line itself. */
		{47, "bind all " LONG_X100 LONG_X100 " next", "bad key name '" LONG_X100 "...'"},
		{48, "bind all \xc3\xa9\xc3\xa9 next", "bad key name '\xc3\xa9\xc3\xa9'"},
		{49, "color error red default normal 'bold '", "unknown attribute 'bold '"},
	};
	return cr_make_param_array(struct line_case, cases, sizeof cases / sizeof *cases);
}

ParameterizedTest(struct line_case *lc, config, bad_lines)
{
	struct config c;
	config_init(&c);
	size_t n = c.keymap.n;
	char *err = NULL;
	cr_assert_eq(commands_line(&c, lc->line, &err), -1, "case %d", lc->num);
	cr_assert_str_eq(err, lc->err, "case %d", lc->num);
	free(err);
	/* A bad line changes nothing. */
	cr_assert_eq(c.keymap.n, n, "case %d", lc->num);
	cr_assert_eq(keymap_lookup(&c.keymap, VIEW_LIST, 'j'), ACT_NEXT, "case %d", lc->num);
	for (int e = 0; e < CONFIG_EL_COUNT; e++)
		cr_assert_not(c.colors[e].set, "case %d", lc->num);
	cr_assert_str_eq(c.date_format, "%Y-%m-%d %H:%M", "case %d", lc->num);
	cr_assert_eq(c.path.n, 0, "case %d", lc->num);
	cr_assert(c.wrap && !c.mouse && !c.confirm_quit, "case %d", lc->num);
	config_free(&c);
}

static void must(struct config *c, const char *line)
{
	char *err = NULL;
	int rc = commands_line(c, line, &err);
	cr_assert_eq(rc, 0, "%s: %s", line, err ? err : "");
}

Test(config, bind_and_unbind)
{
	struct config c;
	config_init(&c);
	int F5 = keymap_key_parse("F5"), Mlt = keymap_key_parse("M-<");

	must(&c, "bind list x quit");
	cr_assert_eq(keymap_lookup(&c.keymap, VIEW_LIST, 'x'), ACT_QUIT);
	cr_assert_eq(keymap_lookup(&c.keymap, VIEW_DETAIL, 'x'), ACT_NONE);

	must(&c, "bind all j prev # a comment");
	cr_assert_eq(keymap_lookup(&c.keymap, VIEW_DETAIL, 'j'), ACT_PREV);
	must(&c, "bind all M-< first");
	cr_assert_eq(keymap_lookup(&c.keymap, VIEW_HELP, Mlt), ACT_FIRST);
	must(&c, "bind detail f5 redraw");
	cr_assert_eq(keymap_lookup(&c.keymap, VIEW_DETAIL, F5), ACT_REDRAW);
	cr_assert_eq(keymap_lookup(&c.keymap, VIEW_LIST, F5), ACT_NONE);
	must(&c, "bind all '#' help");
	cr_assert_eq(keymap_lookup(&c.keymap, VIEW_LIST, '#'), ACT_HELP);

	/* unbind in one view hides the binding for all views there only */
	must(&c, "unbind list k");
	cr_assert_eq(keymap_lookup(&c.keymap, VIEW_LIST, 'k'), ACT_NONE);
	cr_assert_eq(keymap_lookup(&c.keymap, VIEW_DETAIL, 'k'), ACT_PREV);
	must(&c, "bind list k next");
	cr_assert_eq(keymap_lookup(&c.keymap, VIEW_LIST, 'k'), ACT_NEXT);

	must(&c, "unbind all j");
	cr_assert_eq(keymap_lookup(&c.keymap, VIEW_RELATED, 'j'), ACT_NONE);
	must(&c, "unbind all j"); /* twice is fine */
	must(&c, "unbind related Insert"); /* never bound: no error */

	size_t before = count_bindings(&c.keymap);
	must(&c, "unbind all q");
	cr_assert_eq(count_bindings(&c.keymap), before - 1);

	must(&c, "unbind-all");
	cr_assert_eq(count_bindings(&c.keymap), 0);
	cr_assert_eq(keymap_lookup(&c.keymap, VIEW_LIST, 'x'), ACT_NONE);
	cr_assert_eq(keymap_lookup(&c.keymap, VIEW_LIST, 'q'), ACT_NONE);
	must(&c, "bind all q quit");
	cr_assert_eq(count_bindings(&c.keymap), 1);
	cr_assert_eq(keymap_lookup(&c.keymap, VIEW_PROBLEMS, 'q'), ACT_QUIT);
	config_free(&c);
}

struct color_case {
	int num;
	const char *line;
	int el, fg, bg;
	unsigned attrs;
};

ParameterizedTestParameters(config, colors)
{
	static struct color_case cases[] = {
		{1, "color status white blue", CONFIG_EL_STATUS, 7, 4, 0},
		{2, "color selected default default reverse bold", CONFIG_EL_SELECTED, -1, -1,
		 CONFIG_ATTR_REVERSE | CONFIG_ATTR_BOLD},
		{3, "color match color196 17 underline", CONFIG_EL_MATCH, 196, 17,
		 CONFIG_ATTR_UNDERLINE},
		{4, "color url Cyan DEFAULT", CONFIG_EL_URL, 6, -1, 0},
		{5, "colour error red default bold normal dim", CONFIG_EL_ERROR, 1, -1,
		 CONFIG_ATTR_DIM},
		{6, "color header colour0 COLOR255 standout", CONFIG_EL_HEADER, 0, 255,
		 CONFIG_ATTR_STANDOUT},
		{7, "color label 007 0 Bold", CONFIG_EL_LABEL, 7, 0, CONFIG_ATTR_BOLD},
		{8, "color normal black white", CONFIG_EL_NORMAL, 0, 7, 0},
		{9, "color title-focus magenta green bold bold", CONFIG_EL_TITLE_FOCUS, 5, 2,
		 CONFIG_ATTR_BOLD},
		{10, "color story-title yellow default normal", CONFIG_EL_STORY_TITLE, 3, -1, 0},
		{11, "color cursor default 8 underline dim", CONFIG_EL_CURSOR, -1, 8,
		 CONFIG_ATTR_UNDERLINE | CONFIG_ATTR_DIM},
		{12, "color local green default", CONFIG_EL_LOCAL, 2, -1, 0},
		{13, "color dim color8 default dim", CONFIG_EL_DIM, 8, -1, CONFIG_ATTR_DIM},
	};
	return cr_make_param_array(struct color_case, cases, sizeof cases / sizeof *cases);
}

ParameterizedTest(struct color_case *cc, config, colors)
{
	struct config c;
	config_init(&c);
	must(&c, cc->line);
	for (int e = 0; e < CONFIG_EL_COUNT; e++) {
		const struct config_color *col = &c.colors[e];
		if (e != cc->el) {
			cr_assert_not(col->set, "case %d: element %d", cc->num, e);
			continue;
		}
		cr_assert(col->set, "case %d", cc->num);
		cr_assert_eq(col->fg, cc->fg, "case %d", cc->num);
		cr_assert_eq(col->bg, cc->bg, "case %d", cc->num);
		cr_assert_eq(col->attrs, cc->attrs, "case %d", cc->num);
	}
	config_free(&c);
}

Test(config, element_names_follow_the_enum)
{
	static const char *const want[] = {"normal", "header", "title-focus", "selected",
					   "cursor", "status", "match", "local", "dim",
					   "label", "story-title", "url", "error", "unread"};
	cr_assert_eq(sizeof want / sizeof *want, CONFIG_EL_COUNT);
	for (size_t i = 0; i < CONFIG_EL_COUNT; i++)
		cr_assert_str_eq(config_element_name(i), want[i]);
	cr_assert_null(config_element_name(CONFIG_EL_COUNT));
}

Test(config, new_options)
{
	struct config c;
	config_init(&c);
	setenv("HOME", "/home/reader", 1);

	must(&c, "set path \"~/news '/srv/my archive' rel ~\"");
	char *s = bracketed(&c.path);
	cr_assert_str_eq(s, "[/home/reader/news][/srv/my archive][rel][/home/reader]");
	free(s);
	must(&c, "set path ~other/x");
	s = bracketed(&c.path);
	cr_assert_str_eq(s, "[~other/x]");
	free(s);
	must(&c, "set path ''");
	cr_assert_eq(c.path.n, 0);

	static const char *const formats[] = {"%a %-d %b %Y, %H:%M", "%%", "%Ey %OH", "%c",
					      "%s", "plain", "%_H:%^b %#Z %F %T %z"};
	for (size_t i = 0; i < sizeof formats / sizeof *formats; i++) {
		char *err = NULL;
		cr_assert_eq(config_set(&c, "date-format", formats[i], &err), 0, "%s: %s",
			     formats[i], err);
		cr_assert_str_eq(c.date_format, formats[i]);
	}

	must(&c, "set mouse yes");
	cr_assert(c.mouse);
	must(&c, "set confirm-quit on");
	cr_assert(c.confirm_quit);
	must(&c, "set wrap no");
	cr_assert_not(c.wrap);
	must(&c, "set wrap TRUE");
	cr_assert(c.wrap);
	config_free(&c);
}

Test(config, names)
{
	static const char *const options[] = {
		"browser", "browser-foreground", "browser-schemes", "sort", "layout",
		"max-file-size", "path", "follow-links", "date-format", "list-date-format", "keymap", "mouse",
		"confirm-quit", "wrap", "text-width", "list-height", "group", "ascii", "mark-read-on", "mark-read-delay", "copy-command",
		"watch"};
	size_t n = 0;
	while (config_option_name(n))
		n++;
	cr_assert_eq(n, sizeof options / sizeof *options);
	for (size_t i = 0; i < n; i++)
		cr_assert_str_eq(config_option_name(i), options[i]);
}

/* Every option has a value to show (:set NAME, :set alone, the help). */
Test(config, every_option_has_a_value)
{
	struct config c;
	config_init(&c);
	for (size_t i = 0; config_option_name(i); i++) {
		char *v = config_option_value(&c, config_option_name(i));
		cr_assert_not_null(v, "%s", config_option_name(i));
		free(v);
	}
	config_free(&c);
}

/* The errors as one string, a line each, with dir replaced by "D". */
static char *joined(const struct strlist *errors, const char *dir)
{
	struct buf b = {0};
	buf_str(&b);
	size_t n = strlen(dir);
	for (size_t i = 0; i < errors->n; i++) {
		for (const char *p = errors->v[i]; *p;) {
			if (!strncmp(p, dir, n)) {
				buf_putc(&b, 'D');
				p += n;
			} else {
				buf_putc(&b, *p++);
			}
		}
		buf_putc(&b, '\n');
	}
	return b.data;
}

Test(config, load_file_with_every_command)
{
	char *dir = temp_dir("config-test");
	char *sub = xasprintf("%s/sub", dir);
	cr_assert_eq(mkdir(sub, 0700), 0);
	write_str(dir, "config",
		  "bind list x quit\n"                      /* 1 */
		  "bind all j nosuch\n"                     /* 2 */
		  "unbind detail k\n"                       /* 3 */
		  "unbind all Zz\n"                         /* 4 */
		  "color status white blue bold\n"          /* 5 */
		  "color status white blue blink\n"         /* 6 */
		  "source sub/inc.conf\n"                   /* 7 */
		  "source missing.conf\n"                   /* 8 */
		  "set date-format '%d.%m.%Y'\n"            /* 9 */
		  "set wrap no\n");                         /* 10 */
	/* inc.conf sources more.conf beside itself, not beside config */
	write_str(sub, "inc.conf",
		  "set layout vertical\n"
		  "source more.conf\n"
		  "bind all y frob\n");
	write_str(sub, "more.conf", "color url cyan default\ncolor nothing red red\n");

	struct config c;
	config_init(&c);
	struct strlist errors = {0};
	char *path = xasprintf("%s/config", dir);
	cr_assert_eq(commands_load_file(&c, path, false, &errors), 0);
	char *got = joined(&errors, dir);
	cr_assert_str_eq(got,
			 "D/config:2: unknown action 'nosuch'\n"
			 "D/config:4: bad key name 'Zz'\n"
			 "D/config:6: unknown attribute 'blink'\n"
			 "D/sub/more.conf:2: unknown colour element 'nothing'\n"
			 "D/sub/inc.conf:3: unknown action 'frob'\n"
			 "D/config:8: cannot read 'D/missing.conf': No such file or directory\n");
	free(got);
	cr_assert_eq(keymap_lookup(&c.keymap, VIEW_LIST, 'x'), ACT_QUIT);
	cr_assert_eq(keymap_lookup(&c.keymap, VIEW_LIST, 'j'), ACT_NEXT);
	cr_assert_eq(keymap_lookup(&c.keymap, VIEW_DETAIL, 'k'), ACT_NONE);
	cr_assert_eq(keymap_lookup(&c.keymap, VIEW_LIST, 'k'), ACT_PREV);
	cr_assert(c.colors[CONFIG_EL_STATUS].set);
	cr_assert_eq(c.colors[CONFIG_EL_STATUS].attrs, CONFIG_ATTR_BOLD);
	cr_assert(c.colors[CONFIG_EL_URL].set);
	cr_assert_eq(c.colors[CONFIG_EL_URL].fg, 6);
	cr_assert_eq(c.layout, LAYOUT_VERTICAL);
	cr_assert_str_eq(c.date_format, "%d.%m.%Y");
	cr_assert_not(c.wrap);

	strlist_free(&errors);
	config_free(&c);
	free(path);
	rm_tree(dir);
	free(sub);
	free(dir);
}

Test(config, source_loops_stop)
{
	char *dir = temp_dir("config-test");
	/* a and b source each other; each line after the source still applies */
	write_str(dir, "a.conf", "source b.conf\nbind all x quit\n");
	write_str(dir, "b.conf", "\nsource ./a.conf\nbind all y help\n");
	write_str(dir, "self.conf", "set wrap no\nsource self.conf\n");

	struct config c;
	config_init(&c);
	struct strlist errors = {0};
	char *a = xasprintf("%s/a.conf", dir);
	cr_assert_eq(commands_load_file(&c, a, false, &errors), 0);
	/* b comes back to a, which is being read: a loop, said once */
	char *got = joined(&errors, dir);
	cr_assert_str_eq(got, "D/b.conf:2: source loop: 'D/a.conf' is already being read, "
			      "not read again\n");
	free(got);
	cr_assert_eq(keymap_lookup(&c.keymap, VIEW_LIST, 'x'), ACT_QUIT);
	cr_assert_eq(keymap_lookup(&c.keymap, VIEW_LIST, 'y'), ACT_HELP);
	strlist_free(&errors);

	char *self = xasprintf("%s/self.conf", dir);
	cr_assert_eq(commands_load_file(&c, self, false, &errors), 0);
	got = joined(&errors, dir);
	cr_assert_str_eq(got, "D/self.conf:2: source loop: 'D/self.conf' is already being read, "
			      "not read again\n");
	free(got);
	cr_assert_not(c.wrap);

	strlist_free(&errors);
	config_free(&c);
	free(a);
	free(self);
	rm_tree(dir);
	free(dir);
}

Test(config, source_from_the_prompt)
{
	char *dir = temp_dir("config-test");
	cr_assert_eq(chdir(dir), 0); /* each test runs in its own process */
	write_str(dir, "one.conf", "bind all x quit\nbogus\n");
	write_str(dir, "two.conf", "bogus\nbind all x quit\nset wrap maybe\nset mouse yes\n");
	write_str(dir, "fine.conf", "# nothing wrong\nset confirm-quit yes\n");
	struct config c;
	config_init(&c);
	char *err = NULL;
	cr_assert_eq(commands_line(&c, "source one.conf", &err), -1);
	cr_assert_str_eq(err, "one.conf:2: unknown command 'bogus'");
	free(err);
	cr_assert_eq(keymap_lookup(&c.keymap, VIEW_LIST, 'x'), ACT_QUIT);
	cr_assert_eq(commands_line(&c, "source two.conf", &err), -1);
	cr_assert_str_eq(err, "two.conf:1: unknown command 'bogus' (and 1 more)");
	free(err);
	cr_assert(c.mouse);
	cr_assert_eq(commands_line(&c, "source fine.conf", &err), 0);
	cr_assert(c.confirm_quit);
	cr_assert_eq(commands_line(&c, "source nope.conf", &err), -1);
	cr_assert_str_eq(err, "cannot read 'nope.conf': No such file or directory");
	free(err);
	config_free(&c);
	rm_tree(dir);
	free(dir);
}

Test(config, keymap_option_and_loader)
{
	char *dir = temp_dir("config-test");
	char *km = xasprintf("%s/km", dir);
	cr_assert_eq(mkdir(km, 0700), 0);
	write_str(km, "mine", "# mine\nunbind-all\nbind all x quit\nbind all y bogus\n");
	write_str(km, "loop", "set keymap loop\n");
	write_str(dir, "config", "set keymap mine\nset keymap nosuch\nset keymap ./km/mine\n");

	struct config c;
	config_init(&c);
	strlist_free(&c.keymap_dirs);
	strlist_push(&c.keymap_dirs, xstrdup(km));
	struct strlist errors = {0};
	char *path = xasprintf("%s/config", dir);
	cr_assert_eq(commands_load_file(&c, path, false, &errors), 0);
	char *got = joined(&errors, dir);
	cr_assert_str_eq(got,
			 "D/km/mine:4: unknown action 'bogus'\n"
			 "D/config:2: keymap 'nosuch' not found (looked in: D/km)\n"
			 "D/km/mine:4: unknown action 'bogus'\n");
	free(got);
	cr_assert_eq(count_bindings(&c.keymap), 1);
	cr_assert_eq(keymap_lookup(&c.keymap, VIEW_LIST, 'x'), ACT_QUIT);
	cr_assert_eq(keymap_lookup(&c.keymap, VIEW_LIST, 'j'), ACT_NONE);
	cr_assert_str_eq(c.keymap_name, "./km/mine");
	strlist_free(&errors);

	/* "default" needs no file */
	cr_assert_eq(commands_load_keymap(&c, "default", NULL, &errors), 0);
	cr_assert_eq(errors.n, 0);
	cr_assert_eq(keymap_lookup(&c.keymap, VIEW_LIST, 'j'), ACT_NEXT);
	cr_assert_eq(keymap_lookup(&c.keymap, VIEW_LIST, 'x'), ACT_NONE);
	cr_assert_str_eq(c.keymap_name, "default");

	/* explicit search directories, in order, and the message when missing */
	const char *const dirs[] = {"/nonexistent/a", km, NULL};
	cr_assert_eq(commands_load_keymap(&c, "mine", dirs, &errors), 0);
	cr_assert_eq(errors.n, 1);
	cr_assert_eq(keymap_lookup(&c.keymap, VIEW_LIST, 'x'), ACT_QUIT);
	strlist_free(&errors);
	const char *const two[] = {"/nonexistent/a", "/nonexistent/b", NULL};
	cr_assert_eq(commands_load_keymap(&c, "emacs", two, &errors), -1);
	cr_assert_str_eq(errors.v[0], "keymap 'emacs' not found "
				      "(looked in: /nonexistent/a, /nonexistent/b)");
	strlist_free(&errors);
	const char *const none[] = {NULL};
	cr_assert_eq(commands_load_keymap(&c, "emacs", none, &errors), -1);
	cr_assert_str_eq(errors.v[0], "keymap 'emacs' not found (looked in: no keymap directory)");
	strlist_free(&errors);
	cr_assert_eq(commands_load_keymap(&c, "/nonexistent/file", NULL, &errors), -1);
	cr_assert_str_eq(errors.v[0], "cannot read '/nonexistent/file': No such file or directory");
	strlist_free(&errors);
	cr_assert_eq(commands_load_keymap(&c, "", NULL, &errors), -1);
	cr_assert_str_eq(errors.v[0], "give a keymap name or file");
	strlist_free(&errors);
	/* a directory where a keymap should be */
	char *adir = xasprintf("%s/adir", km);
	cr_assert_eq(mkdir(adir, 0700), 0);
	free(adir);
	cr_assert_eq(commands_load_keymap(&c, "adir", NULL, &errors), -1);
	got = joined(&errors, dir);
	cr_assert_str_eq(got, "cannot read 'D/km/adir': not a regular file\n");
	free(got);
	strlist_free(&errors);

	/* a keymap that loads itself stops like a source loop */
	cr_assert_eq(commands_load_keymap(&c, "loop", NULL, &errors), 0);
	got = joined(&errors, dir);
	cr_assert_str_eq(got, "D/km/loop:1: keymap loop: 'D/km/loop' is already being read, "
			      "not read again\n");
	free(got);
	strlist_free(&errors);

	/* after -k, the config's keymap line is ignored */
	cr_assert_eq(commands_load_keymap(&c, "default", NULL, &errors), 0);
	c.keymap_locked = true;
	char *err = NULL;
	cr_assert_eq(commands_line(&c, "set keymap mine", &err), 0);
	cr_assert_eq(keymap_lookup(&c.keymap, VIEW_LIST, 'j'), ACT_NEXT);
	cr_assert_str_eq(c.keymap_name, "default");

	/* set keymap gives one message for a keymap file's bad lines */
	c.keymap_locked = false;
	cr_assert_eq(commands_line(&c, "set keymap mine", &err), -1);
	got = xasprintf("%s/mine:4: unknown action 'bogus'", km);
	cr_assert_str_eq(err, got);
	free(got);
	free(err);
	cr_assert_eq(keymap_lookup(&c.keymap, VIEW_LIST, 'x'), ACT_QUIT);

	config_free(&c);
	free(path);
	rm_tree(dir);
	free(km);
	free(dir);
}

/* Nothing the file holds can crash the reader: random lines made of the
 * language's own words and of random bytes, all through one config. */
Test(config, random_lines_never_crash)
{
	static const char *const vocab[] = {
		"set", "bind", "unbind", "unbind-all", "color", "colour", "source", "all", "list",
		"detail", "j", "C-x", "M-", "M-M-x", "F12", "next", "quit", "status", "red",
		"color255", "99999999999999999999", "bold", "normal", "'", "\"", "\\", "#",
		"path", "date-format", "%", "%Y%", "keymap", "wrap", "yes", "''", "~", "/",
		"max-file-size", "18446744073709551615M", "\xff\xfe", "\x1b[2J", "\t"};
	struct config c;
	config_init(&c);
	strlist_free(&c.keymap_dirs); /* no keymap of the system's may load */
	unsigned seed = 12345;
	struct buf line = {0};
	for (int i = 0; i < 20000; i++) {
		line.len = 0;
		int words = (int)((seed = seed * 1103515245 + 12345) >> 16) % 7;
		for (int w = 0; w < words; w++) {
			seed = seed * 1103515245 + 12345;
			if ((seed >> 16) % 5 == 0) {
				/* a random byte, NUL excluded: a line cannot hold one */
				char ch = (char)((seed >> 8) % 255 + 1);
				buf_putc(&line, ch);
			} else {
				buf_puts(&line, vocab[(seed >> 16) % (sizeof vocab / sizeof *vocab)]);
			}
			if ((seed >> 4) % 3)
				buf_putc(&line, ' ');
		}
		char *err = NULL;
		commands_line(&c, buf_str(&line), &err);
		free(err);
	}
	/* a huge line, too */
	line.len = 0;
	buf_puts(&line, "bind all ");
	for (int i = 0; i < 200000; i++)
		buf_putc(&line, "ab'\\#"[i % 5]);
	char *err = NULL;
	commands_line(&c, buf_str(&line), &err);
	cr_assert_lt(strlen(err ? err : ""), 400);
	free(err);
	buf_free(&line);
	config_free(&c);
}

/* The i-th spelling of a command a config file may use; NULL past the end. */
static const char *config_command_spelling(size_t i)
{
	const struct command *cmd;
	for (size_t c = 0; (cmd = commands_get(c)); c++) {
		if (!(cmd->where & COMMANDS_CONFIG))
			continue;
		if (i-- == 0)
			return cmd->name;
		if (cmd->alias && i-- == 0)
			return cmd->alias;
	}
	return NULL;
}

/* lede(5) names every option, config command and colour element. */
Test(config, man_page_has_every_name)
{
	char *man = slurp("man/lede.5", NULL);
	const char *(*lists[])(size_t) = {config_option_name, config_command_spelling,
					  config_element_name};
	for (size_t l = 0; l < sizeof lists / sizeof *lists; l++) {
		for (size_t i = 0; lists[l](i); i++) {
			/* as the roff of a .TP tag or a .B word: ".B max\-file\-size" */
			struct buf want = {0};
			buf_puts(&want, "\n.B ");
			for (const char *p = lists[l](i); *p; p++)
				buf_puts(&want, *p == '-' ? "\\-" : (char[]){*p, 0});
			/* or ".BR colour ." where punctuation follows */
			struct buf alt = {0};
			buf_printf(&alt, "\n.BR %s ", want.data + 4);
			cr_expect(strstr(man, want.data) || strstr(man, alt.data),
				  "man/lede.5 lacks %s", lists[l](i));
			buf_free(&alt);
			buf_free(&want);
		}
	}
	free(man);
}

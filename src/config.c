/* config: settings, the word splitter, and the option and command tables
 * that config files, keymap files and the `:` prompt all go through. */
#define _GNU_SOURCE
#include "lede/config.h"

#include <errno.h>
#include <pwd.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lede/query.h"

/* Config files are a few lines; a big one is a mistake, not a config. */
#define CONFIG_FILE_MAX ((size_t)1 << 20)
/* Text quoted back in a message is cut here: a message is one status line,
 * not a copy of a megabyte-long mistake. */
#define QUOTE_MAX 100
/* A date format is a handful of conversions; the bound keeps what strftime
 * can make of it small enough for any buffer the story pane uses. */
#define DATE_FORMAT_MAX 64

#define COUNT(a) (sizeof (a) / sizeof *(a))

/* Files one load reads in all (the first included), and their bytes: a
 * bound on the whole work, since a file that sources another twice, ten
 * deep, would otherwise read a thousand files without any loop. */
#define CONFIG_MAX_FILES 256
#define CONFIG_TOTAL_MAX ((size_t)16 << 20)
/* Messages one load gives: the bounds above still let 16 MiB of bad lines
 * through, which would be eight million messages, most of a minute of
 * scrolling and hundreds of MB held; the first ones say what is wrong. */
#define CONFIG_MAX_ERRORS 100

struct file_id {
	dev_t dev;
	ino_t ino;
};

/* What one load shares across the files it reads: those being read (a
 * file met again among them is a loop), the loops already reported (each
 * once, not once a line that repeats it), and the totals read. */
struct load {
	struct file_id *open;
	size_t nopen, capopen;
	struct file_id *looped;
	size_t nlooped, caplooped;
	size_t files, bytes;
	bool over; /* a total was reached, and said */
	size_t reported; /* messages given, up to CONFIG_MAX_ERRORS + 1 */
};

/* One run of the config language: where relative paths start and how deep
 * `source` has gone. Lines of nested files report straight into errors,
 * already as "FILE:LINE: message". */
struct ctx {
	struct config *c;
	const char *dir; /* directory of the file being read; NULL: the current one */
	int depth;
	struct strlist *errors;
	struct load *load;
};

static void load_free(struct load *l)
{
	free(l->open);
	free(l->looped);
}

static bool id_in(const struct file_id *v, size_t n, const struct file_id *id)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].dev == id->dev && v[i].ino == id->ino)
			return true;
	return false;
}

static void safe_put(struct buf *b, const char *s)
{
	buf_put_safe(b, s, strlen(s));
}

/* Like safe_put, but at most QUOTE_MAX bytes, cut on a UTF-8 boundary. */
static void put_quoted(struct buf *b, const char *s)
{
	size_t n = strlen(s);
	if (n <= QUOTE_MAX) {
		buf_put_safe(b, s, n);
		return;
	}
	size_t cut = QUOTE_MAX;
	while (cut > 0 && ((unsigned char)s[cut] & 0xc0) == 0x80)
		cut--;
	buf_put_safe(b, s, cut);
	buf_puts(b, "...");
}

/* "PREFIX'TEXT'SUFFIX" with TEXT made terminal-safe; the caller frees. */
static char *quoted_msg(const char *prefix, const char *text, const char *suffix)
{
	struct buf b = {0};
	buf_puts(&b, prefix);
	buf_putc(&b, '\'');
	put_quoted(&b, text);
	buf_putc(&b, '\'');
	buf_puts(&b, suffix);
	return b.data;
}

static const char *home_dir(void)
{
	const char *home = getenv("HOME");
	if (!home || !*home) {
		struct passwd *pw = getpwuid(getuid());
		home = pw && pw->pw_dir && *pw->pw_dir ? pw->pw_dir : NULL;
	}
	return home;
}

/* p with a leading "~" or "~/" made the home directory; the caller frees.
 * "~user" is left alone: it is rare in a config and needs a lookup that can
 * hang on a network directory. */
static char *expand_home(const char *p)
{
	const char *home;
	if (p[0] == '~' && (p[1] == '\0' || p[1] == '/') && (home = home_dir()))
		return xasprintf("%s%s", home, p + 1);
	return xstrdup(p);
}

/* DIR/P; the caller frees. */
static char *join_path(const char *dir, const char *p)
{
	/* "./x" is x: messages then name each file one way however it was reached. */
	while (p[0] == '.' && p[1] == '/')
		for (p += 2; *p == '/'; p++)
			;
	size_t n = strlen(dir);
	return xasprintf("%s%s%s", dir, n && dir[n - 1] == '/' ? "" : "/", p);
}

/* p as seen from dir (NULL: the current directory); the caller frees. */
static char *resolve_path(const char *dir, const char *p)
{
	if (p[0] == '/' || p[0] == '~' || !dir)
		return expand_home(p);
	return join_path(dir, p);
}

/* The directory part of path: "a/b" gives "a", "b" gives ".", "/b" gives "/". */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

static const char *read_error(int e)
{
	return e == EINVAL ? "not a regular file" : e == EFBIG ? "file too large" : strerror(e);
}

/* Messages collected from nested files become one: the first, and how many
 * more, for a caller that can show a single line. Frees nothing. */
static char *summarize(const struct strlist *errors)
{
	if (errors->n == 1)
		return xstrdup(errors->v[0]);
	return xasprintf("%s (and %zu more)", errors->v[0], errors->n - 1);
}

void config_init(struct config *c)
{
	*c = (struct config){0};
	c->layout = LAYOUT_HORIZONTAL;
	c->max_file_size = CONFIG_DEFAULT_MAX_FILE_SIZE;
	strlist_push(&c->browser_schemes, xstrdup("http"));
	strlist_push(&c->browser_schemes, xstrdup("https"));
	strlist_push(&c->browser_schemes, xstrdup("ftp"));
	c->date_format = xstrdup(CONFIG_DEFAULT_DATE_FORMAT);
	c->wrap = true;
	keymap_init_default(&c->keymap);
#ifdef LEDE_DATADIR
	strlist_push(&c->keymap_dirs, xstrdup(LEDE_DATADIR "/keymaps"));
#endif
}

void config_free(struct config *c)
{
	free(c->browser);
	free(c->sort);
	strlist_free(&c->browser_schemes);
	strlist_free(&c->path);
	free(c->date_format);
	keymap_free(&c->keymap);
	free(c->keymap_name);
	strlist_free(&c->keymap_dirs);
	*c = (struct config){0};
}

void config_prefer_keymap_dir(struct config *c, char *dir)
{
	struct strlist *l = &c->keymap_dirs;
	strlist_push(l, dir); /* makes room; the entries then shift up by one */
	memmove(l->v + 1, l->v, (l->n - 1) * sizeof *l->v);
	l->v[0] = dir;
}

/* ---- words ---- */

static bool is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == '\v' || ch == '\f';
}

int config_split_words(const char *line, struct strlist *words, char **err)
{
	/* Words gather in a list of our own so a bad line adds nothing. */
	struct strlist got = {0};
	struct buf w = {0};
	bool in_word = false;
	const char *p = line, *msg = NULL;

	for (;;) {
		char ch = *p;
		if (ch == '\0' || is_blank(ch)) {
			if (in_word)
				strlist_push(&got, xstrndup(w.data ? w.data : "", w.len));
			w.len = 0;
			in_word = false;
			if (ch == '\0')
				break;
			p++;
			continue;
		}
		/* Only at the start of a word, so "a#b" and URLs with fragments stay whole. */
		if (ch == '#' && !in_word)
			break;
		in_word = true;
		if (ch == '\'') {
			const char *end = strchr(p + 1, '\'');
			if (!end) {
				msg = "unterminated quote";
				goto fail;
			}
			buf_add(&w, p + 1, (size_t)(end - p - 1));
			p = end + 1;
		} else if (ch == '"') {
			for (p++;; p++) {
				if (*p == '\0') {
					msg = "unterminated quote";
					goto fail;
				}
				if (*p == '"')
					break;
				/* Only \" and \\ are escapes; "C:\dir" keeps its backslash. */
				if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
					p++;
				buf_putc(&w, *p);
			}
			p++;
		} else if (ch == '\\') {
			if (p[1] == '\0') {
				msg = "backslash at end of line";
				goto fail;
			}
			buf_putc(&w, p[1]);
			p += 2;
		} else {
			buf_putc(&w, ch);
			p++;
		}
	}
	buf_free(&w);
	for (size_t i = 0; i < got.n; i++)
		strlist_push(words, got.v[i]);
	free(got.v);
	return 0;
fail:
	buf_free(&w);
	strlist_free(&got);
	*err = xstrdup(msg);
	return -1;
}

/* ---- options ---- */

static int load_keymap(struct ctx *x, const char *name, const char *const *dirs, char **err);

/* A setter checks value and applies it, or returns -1 with *hint (caller
 * frees): what to write instead, for "bad value 'V' for NAME: HINT". A
 * loader is for an option that reads files: it gets the run it is part of
 * and leaves a whole message in *err. */
struct option_def {
	const char *name;
	int (*set)(struct config *c, const char *value, char **hint);
	int (*load)(struct ctx *x, const char *value, char **err);
};

static int set_browser(struct config *c, const char *value, char **hint)
{
	/* Checked now so a broken command is reported at its line, not at the first 'o'. */
	struct strlist words = {0};
	if (config_split_words(value, &words, hint) < 0)
		return -1;
	bool empty = words.n == 0;
	strlist_free(&words);
	if (empty && *value) {
		*hint = xstrdup("give a command, or \"\" for the default");
		return -1;
	}
	free(c->browser);
	c->browser = empty ? NULL : xstrdup(value);
	return 0;
}

static int parse_bool(const char *value, bool *out)
{
	static const char *const yes[] = {"yes", "true", "on"}, *const no[] = {"no", "false", "off"};
	for (size_t i = 0; i < sizeof yes / sizeof *yes; i++) {
		if (!strcasecmp(value, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(value, no[i])) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

static int set_browser_foreground(struct config *c, const char *value, char **hint)
{
	if (parse_bool(value, &c->browser_foreground) < 0) {
		*hint = xstrdup("use yes or no");
		return -1;
	}
	return 0;
}

/* RFC 3986: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
static bool is_scheme(const char *s, size_t n)
{
	if (n == 0 || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return false;
	for (size_t i = 1; i < n; i++) {
		char ch = s[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		      ch == '+' || ch == '-' || ch == '.'))
			return false;
	}
	return true;
}

static int set_browser_schemes(struct config *c, const char *value, char **hint)
{
	struct strlist schemes = {0};
	const char *sep = " \t,";
	for (const char *p = value; *p;) {
		p += strspn(p, sep);
		size_t n = strcspn(p, sep);
		if (n == 0)
			break;
		if (!is_scheme(p, n)) {
			char *name = xstrndup(p, n);
			*hint = quoted_msg("", name, " is not a URL scheme");
			free(name);
			strlist_free(&schemes);
			return -1;
		}
		char *s = xstrndup(p, n);
		for (char *q = s; *q; q++)
			if (*q >= 'A' && *q <= 'Z')
				*q = (char)(*q - 'A' + 'a');
		strlist_push(&schemes, s);
		p += n;
	}
	if (schemes.n == 0) {
		*hint = xstrdup("give at least one scheme, such as https");
		return -1;
	}
	strlist_free(&c->browser_schemes);
	c->browser_schemes = schemes;
	return 0;
}

static int set_sort(struct config *c, const char *value, char **hint)
{
	struct sort_order o;
	if (*value && query_parse_sort(value, &o) < 0) {
		/* The key names come from query so this list never drifts. */
		struct buf b = {0};
		buf_puts(&b, "use ");
		for (int k = 0; k < SORT_NKEYS; k++)
			buf_printf(&b, "%s%s", k == 0 ? "" : k == SORT_NKEYS - 1 ? " or " : ", ",
				   query_sort_name((enum sort_key)k));
		buf_puts(&b, ", optionally with :asc or :desc");
		*hint = b.data;
		return -1;
	}
	free(c->sort);
	c->sort = *value ? xstrdup(value) : NULL;
	return 0;
}

static int set_layout(struct config *c, const char *value, char **hint)
{
	if (!strcasecmp(value, "horizontal")) {
		c->layout = LAYOUT_HORIZONTAL;
	} else if (!strcasecmp(value, "vertical")) {
		c->layout = LAYOUT_VERTICAL;
	} else {
		*hint = xstrdup("use horizontal or vertical");
		return -1;
	}
	return 0;
}

static int set_max_file_size(struct config *c, const char *value, char **hint)
{
	size_t n = 0;
	const char *p = value;
	/* By hand, not strtoull: no sign, no blanks, no hex, overflow caught. */
	for (; *p >= '0' && *p <= '9'; p++) {
		size_t d = (size_t)(*p - '0');
		if (n > (SIZE_MAX - d) / 10)
			goto bad;
		n = n * 10 + d;
	}
	if (p == value)
		goto bad;
	size_t unit = 1;
	if (*p == 'k' || *p == 'K')
		unit = 1024, p++;
	else if (*p == 'M')
		unit = (size_t)1024 * 1024, p++;
	if (*p != '\0' || n == 0 || n > SIZE_MAX / unit)
		goto bad;
	c->max_file_size = n * unit;
	return 0;
bad:
	*hint = xstrdup("use a number of bytes above 0, with k or M for KiB or MiB");
	return -1;
}


static int set_bool(bool *field, const char *value, char **hint)
{
	if (parse_bool(value, field) < 0) {
		*hint = xstrdup("use yes or no");
		return -1;
	}
	return 0;
}

static int set_mouse(struct config *c, const char *value, char **hint)
{
	return set_bool(&c->mouse, value, hint);
}

static int set_confirm_quit(struct config *c, const char *value, char **hint)
{
	return set_bool(&c->confirm_quit, value, hint);
}

static int set_wrap(struct config *c, const char *value, char **hint)
{
	return set_bool(&c->wrap, value, hint);
}

static int set_ascii(struct config *c, const char *value, char **hint)
{
	bool yes;
	if (!strcasecmp(value, "auto")) {
		c->ascii = CONFIG_ASCII_AUTO;
	} else if (parse_bool(value, &yes) == 0) {
		c->ascii = yes ? CONFIG_ASCII_YES : CONFIG_ASCII_NO;
	} else {
		*hint = xstrdup("use auto, yes or no");
		return -1;
	}
	return 0;
}

static int set_follow_links(struct config *c, const char *value, char **hint)
{
	return set_bool(&c->follow_links, value, hint);
}

static int set_path(struct config *c, const char *value, char **hint)
{
	/* Words like a config line, so a path with a space can be quoted. */
	struct strlist words = {0};
	if (config_split_words(value, &words, hint) < 0)
		return -1;
	for (size_t i = 0; i < words.n; i++) {
		if (!*words.v[i]) {
			strlist_free(&words);
			*hint = xstrdup("an empty path");
			return -1;
		}
		char *p = expand_home(words.v[i]);
		free(words.v[i]);
		words.v[i] = p;
	}
	strlist_free(&c->path);
	c->path = words;
	return 0;
}

static int set_date_format(struct config *c, const char *value, char **hint)
{
	/* Checked here because strftime's behaviour for an unknown conversion
	 * is undefined, and %n and %t would put control characters on screen. */
	static const char convs[] = "aAbBcCdDeFgGhHIjklmMpPrRsStTuUVwWxXyYzZ%";
	size_t n = strlen(value);
	if (n == 0) {
		*hint = xstrdup("give a strftime format such as " CONFIG_DEFAULT_DATE_FORMAT);
		return -1;
	}
	if (n > DATE_FORMAT_MAX) {
		*hint = xasprintf("at most %d bytes", DATE_FORMAT_MAX);
		return -1;
	}
	for (const char *p = value; *p; p++) {
		unsigned char ch = (unsigned char)*p;
		if (ch < ' ' || ch == 0x7f) {
			*hint = xstrdup("no control characters");
			return -1;
		}
		if (ch != '%')
			continue;
		const char *spec = p++;
		p += strspn(p, "_-0^#"); /* glibc's padding and case flags */
		if (*p == 'E' || *p == 'O')
			p++;
		if (!*p) {
			*hint = xstrdup("a % at the end: write %% for a percent sign");
			return -1;
		}
		if (!strchr(convs, *p) || (unsigned char)*p < ' ') {
			char *bad = xstrndup(spec, (size_t)(p - spec) + 1);
			*hint = quoted_msg("", bad, " is not a strftime conversion");
			free(bad);
			return -1;
		}
	}
	free(c->date_format);
	c->date_format = xstrdup(value);
	return 0;
}

static int load_keymap_option(struct ctx *x, const char *value, char **err)
{
	/* -k on the command line has already chosen. */
	if (x->c->keymap_locked)
		return 0;
	const char **dirs = xcalloc(x->c->keymap_dirs.n + 1, sizeof *dirs);
	for (size_t i = 0; i < x->c->keymap_dirs.n; i++)
		dirs[i] = x->c->keymap_dirs.v[i];
	int rc = load_keymap(x, value, dirs, err);
	free(dirs);
	return rc;
}

static const struct option_def options[] = {
	{"browser", set_browser, NULL},
	{"browser-foreground", set_browser_foreground, NULL},
	{"browser-schemes", set_browser_schemes, NULL},
	{"sort", set_sort, NULL},
	{"layout", set_layout, NULL},
	{"max-file-size", set_max_file_size, NULL},
	{"path", set_path, NULL},
	{"follow-links", set_follow_links, NULL},
	{"date-format", set_date_format, NULL},
	{"keymap", NULL, load_keymap_option},
	{"mouse", set_mouse, NULL},
	{"confirm-quit", set_confirm_quit, NULL},
	{"wrap", set_wrap, NULL},
	{"ascii", set_ascii, NULL},
};

const char *config_option_name(size_t i)
{
	return i < COUNT(options) ? options[i].name : NULL;
}

static int set_option(struct ctx *x, const char *name, const char *value, char **err)
{
	for (size_t i = 0; i < COUNT(options); i++) {
		if (strcmp(name, options[i].name) != 0)
			continue;
		if (options[i].load)
			return options[i].load(x, value, err);
		char *hint = NULL;
		if (options[i].set(x->c, value, &hint) == 0)
			return 0;
		struct buf b = {0};
		buf_puts(&b, "bad value '");
		put_quoted(&b, value);
		buf_printf(&b, "' for %s: %s", options[i].name, hint);
		free(hint);
		*err = b.data;
		return -1;
	}
	*err = quoted_msg("unknown option ", name, "");
	return -1;
}

int config_set(struct config *c, const char *name, const char *value, char **err)
{
	struct strlist errors = {0};
	struct load load = {0};
	struct ctx x = {c, NULL, 0, &errors, &load};
	char *own = NULL;
	int rc = set_option(&x, name, value, &own);
	load_free(&load);
	if (!own && errors.n)
		own = summarize(&errors);
	strlist_free(&errors);
	if (own) {
		*err = own;
		return -1;
	}
	return rc;
}

/* ---- colours ---- */

static const char *const element_names[CONFIG_EL_COUNT] = {
	[CONFIG_EL_NORMAL] = "normal",
	[CONFIG_EL_HEADER] = "header",
	[CONFIG_EL_TITLE_FOCUS] = "title-focus",
	[CONFIG_EL_SELECTED] = "selected",
	[CONFIG_EL_CURSOR] = "cursor",
	[CONFIG_EL_STATUS] = "status",
	[CONFIG_EL_MATCH] = "match",
	[CONFIG_EL_LOCAL] = "local",
	[CONFIG_EL_DIM] = "dim",
	[CONFIG_EL_LABEL] = "label",
	[CONFIG_EL_STORY_TITLE] = "story-title",
	[CONFIG_EL_URL] = "url",
	[CONFIG_EL_ERROR] = "error",
};

const char *config_element_name(size_t i)
{
	return i < CONFIG_EL_COUNT ? element_names[i] : NULL;
}

/* A colour name, colorN or N (0-255), or "default" (-1). */
static int parse_color(const char *s, int *out)
{
	static const char *const names[] = {"black", "red",     "green", "yellow",
					    "blue",  "magenta", "cyan",  "white"};
	if (!strcasecmp(s, "default")) {
		*out = CONFIG_COLOR_DEFAULT;
		return 0;
	}
	for (size_t i = 0; i < COUNT(names); i++) {
		if (!strcasecmp(s, names[i])) {
			*out = (int)i;
			return 0;
		}
	}
	const char *p = s;
	if (!strncasecmp(p, "colour", 6))
		p += 6;
	else if (!strncasecmp(p, "color", 5))
		p += 5;
	if (!*p)
		return -1;
	int n = 0;
	for (; *p; p++) {
		/* The bound inside the loop keeps a thousand digits from overflowing. */
		if (*p < '0' || *p > '9' || (n = n * 10 + (*p - '0')) > 255)
			return -1;
	}
	*out = n;
	return 0;
}

static const struct {
	const char *name;
	unsigned bits; /* 0: "normal", which clears the attributes before it */
} attr_names[] = {
	{"bold", CONFIG_ATTR_BOLD},   {"underline", CONFIG_ATTR_UNDERLINE},
	{"reverse", CONFIG_ATTR_REVERSE}, {"dim", CONFIG_ATTR_DIM},
	{"standout", CONFIG_ATTR_STANDOUT}, {"normal", 0},
};

/* ---- commands ---- */

/* args excludes the command name; the table checks the count first. */
struct command_def {
	const char *name, *usage;
	size_t min_args, max_args;
	int (*run)(struct ctx *x, char **args, size_t nargs, char **err);
};

static int cmd_set(struct ctx *x, char **args, size_t nargs, char **err)
{
	(void)nargs;
	return set_option(x, args[0], args[1], err);
}

static int parse_view_key(char **args, int *view, int *key, char **err)
{
	if ((*view = keymap_view_parse(args[0])) == -2) {
		*err = quoted_msg("unknown view ", args[0], "");
		return -1;
	}
	if ((*key = keymap_key_parse(args[1])) < 0) {
		*err = quoted_msg("bad key name ", args[1], "");
		return -1;
	}
	return 0;
}

static int cmd_bind(struct ctx *x, char **args, size_t nargs, char **err)
{
	(void)nargs;
	int view, key;
	if (parse_view_key(args, &view, &key, err) < 0)
		return -1;
	enum action act = action_by_name(args[2]);
	if (act == ACT_NONE) {
		*err = quoted_msg("unknown action ", args[2], "");
		return -1;
	}
	keymap_bind(&x->c->keymap, view, key, act);
	return 0;
}

static int cmd_unbind(struct ctx *x, char **args, size_t nargs, char **err)
{
	(void)nargs;
	int view, key;
	if (parse_view_key(args, &view, &key, err) < 0)
		return -1;
	keymap_unbind(&x->c->keymap, view, key);
	return 0;
}

static int cmd_unbind_all(struct ctx *x, char **args, size_t nargs, char **err)
{
	(void)args, (void)nargs, (void)err;
	keymap_clear(&x->c->keymap);
	return 0;
}

static int cmd_color(struct ctx *x, char **args, size_t nargs, char **err)
{
	size_t el = 0;
	while (el < CONFIG_EL_COUNT && strcmp(args[0], element_names[el]) != 0)
		el++;
	if (el == CONFIG_EL_COUNT) {
		*err = quoted_msg("unknown colour element ", args[0], "");
		return -1;
	}
	struct config_color col = {.set = true};
	for (int i = 1; i <= 2; i++) {
		if (parse_color(args[i], i == 1 ? &col.fg : &col.bg) < 0) {
			*err = quoted_msg("unknown colour ", args[i], "");
			return -1;
		}
	}
	for (size_t i = 3; i < nargs; i++) {
		size_t a = 0;
		while (a < COUNT(attr_names) && strcasecmp(args[i], attr_names[a].name) != 0)
			a++;
		if (a == COUNT(attr_names)) {
			*err = quoted_msg("unknown attribute ", args[i], "");
			return -1;
		}
		col.attrs = attr_names[a].bits ? col.attrs | attr_names[a].bits : 0;
	}
	x->c->colors[el] = col;
	return 0;
}

static int run_file(struct config *c, const char *path, int depth, struct load *load,
		    struct strlist *errors);

/* Before a file is read from a line: false, with *err or quietly, when it
 * must not be. what names the command in a message ("source", "keymap"). A
 * loop is said once for each file it comes back to; the totals once for
 * the load. */
static bool may_read(struct ctx *x, const char *path, const char *what, char **err)
{
	struct load *l = x->load;
	if (l->over)
		return false;
	if (l->files >= CONFIG_MAX_FILES || l->bytes >= CONFIG_TOTAL_MAX) {
		l->over = true;
		*err = xasprintf("%s: more than %d files or %zu MiB read in all, the rest skipped",
				 what, CONFIG_MAX_FILES, CONFIG_TOTAL_MAX >> 20);
		return false;
	}
	struct stat st;
	if (stat(path, &st) < 0)
		return true; /* read_file says why */
	struct file_id id = {st.st_dev, st.st_ino};
	if (!id_in(l->open, l->nopen, &id))
		return true;
	if (!id_in(l->looped, l->nlooped, &id)) {
		l->looped = xgrow(l->looped, &l->caplooped, l->nlooped + 1, sizeof *l->looped);
		l->looped[l->nlooped++] = id;
		struct buf b = {0};
		buf_printf(&b, "%s loop: '", what);
		safe_put(&b, path);
		buf_puts(&b, "' is already being read, not read again");
		*err = b.data;
	}
	return false;
}

static int cmd_source(struct ctx *x, char **args, size_t nargs, char **err)
{
	(void)nargs;
	if (x->depth >= CONFIG_MAX_DEPTH) {
		*err = xstrdup("source nesting too deep");
		return -1;
	}
	char *path = resolve_path(x->dir, args[0]);
	if (!may_read(x, path, "source", err)) {
		free(path);
		return *err ? -1 : 0;
	}
	int rc = run_file(x->c, path, x->depth + 1, x->load, x->errors);
	if (rc < 0) {
		int e = errno;
		struct buf b = {0};
		buf_puts(&b, "cannot read '");
		safe_put(&b, path);
		buf_printf(&b, "': %s", read_error(e));
		*err = b.data;
	}
	free(path);
	return rc;
}

static const struct command_def commands[] = {
	{"set", "set NAME VALUE", 2, 2, cmd_set},
	{"bind", "bind VIEW KEY ACTION", 3, 3, cmd_bind},
	{"unbind", "unbind VIEW KEY", 2, 2, cmd_unbind},
	{"unbind-all", "unbind-all", 0, 0, cmd_unbind_all},
	{"color", "color ELEMENT FG BG [ATTRIBUTE...]", 3, SIZE_MAX, cmd_color},
	{"colour", "colour ELEMENT FG BG [ATTRIBUTE...]", 3, SIZE_MAX, cmd_color},
	{"source", "source FILE", 1, 1, cmd_source},
};

const char *config_command_name(size_t i)
{
	return i < COUNT(commands) ? commands[i].name : NULL;
}

static int run_line(struct ctx *x, const char *line, char **err)
{
	struct strlist words = {0};
	if (config_split_words(line, &words, err) < 0)
		return -1;
	int rc = 0;
	if (words.n == 0)
		goto out;
	const struct command_def *cmd = NULL;
	for (size_t i = 0; i < COUNT(commands); i++)
		if (!strcmp(words.v[0], commands[i].name))
			cmd = &commands[i];
	rc = -1;
	if (!cmd) {
		*err = quoted_msg("unknown command ", words.v[0], "");
		goto out;
	}
	size_t nargs = words.n - 1;
	if (nargs < cmd->min_args) {
		*err = xasprintf("usage: %s", cmd->usage);
		goto out;
	}
	if (nargs > cmd->max_args) {
		/* Only set takes free text, where the usual mistake is a missing quote. */
		*err = xasprintf("usage: %s%s", cmd->usage,
				 cmd->run == cmd_set ? " (too many words: quote a value that has spaces)"
						     : "");
		goto out;
	}
	rc = cmd->run(x, words.v + 1, nargs, err);
out:
	strlist_free(&words);
	return rc;
}

int config_line(struct config *c, const char *line, char **err)
{
	struct strlist errors = {0};
	struct load load = {0};
	struct ctx x = {c, NULL, 0, &errors, &load};
	char *own = NULL;
	int rc = run_line(&x, line, &own);
	load_free(&load);
	if (!own && errors.n)
		own = summarize(&errors);
	strlist_free(&errors);
	if (own) {
		*err = own;
		return -1;
	}
	return rc;
}

/* ---- files ---- */

/* Read path and apply its lines at depth, counted in load and marked as
 * being read while they run. Returns 0, or -1 with errno set when the file
 * cannot be read. */
/* A message for line lineno of the file where, unless the load has given
 * its share: then one more line says so, and the rest are dropped. */
static void report(struct load *load, struct strlist *errors, const char *where, size_t lineno,
		   const char *err)
{
	if (load->reported < CONFIG_MAX_ERRORS)
		strlist_pushf(errors, "%s:%zu: %s", where, lineno, err);
	else if (load->reported == CONFIG_MAX_ERRORS)
		strlist_pushf(errors, "%s:%zu: more than %d errors in all, the rest not reported",
			      where, lineno, CONFIG_MAX_ERRORS);
	else
		return;
	load->reported++;
}

static int run_file(struct config *c, const char *path, int depth, struct load *load,
		    struct strlist *errors)
{
	char *data;
	size_t len;
	struct stat st; /* its identity, for the loop check */
	if (stat(path, &st) < 0 || read_file(path, CONFIG_FILE_MAX, &data, &len) < 0)
		return -1;
	load->files++;
	load->bytes += len;
	load->open = xgrow(load->open, &load->capopen, load->nopen + 1, sizeof *load->open);
	load->open[load->nopen++] = (struct file_id){st.st_dev, st.st_ino};
	struct buf where = {0};
	safe_put(&where, path);
	buf_str(&where);
	char *dir = dir_of(path);
	struct ctx x = {c, dir, depth, errors, load};
	size_t lineno = 0;
	for (char *p = data; p < data + len;) {
		char *nl = memchr(p, '\n', (size_t)(data + len - p));
		char *end = nl ? nl : data + len;
		lineno++;
		/* A NUL would silently cut the line short; say so instead. */
		bool has_nul = memchr(p, '\0', (size_t)(end - p)) != NULL;
		*end = '\0';
		if (end > p && end[-1] == '\r') /* written on Windows */
			end[-1] = '\0';
		char *err = NULL;
		if (has_nul)
			err = xstrdup("NUL byte in line");
		else
			run_line(&x, p, &err);
		if (err) {
			report(load, errors, where.data, lineno, err);
			free(err);
		}
		p = end + 1;
	}
	load->nopen--;
	free(dir);
	free(data);
	buf_free(&where);
	return 0;
}

int config_load_file(struct config *c, const char *path, bool missing_ok,
		     struct strlist *errors)
{
	struct load load = {0};
	int rc = run_file(c, path, 0, &load, errors);
	int e = errno;
	load_free(&load);
	if (rc == 0)
		return 0;
	if (e == ENOENT && missing_ok)
		return 0;
	struct buf where = {0};
	safe_put(&where, path);
	strlist_pushf(errors, "%s: cannot read: %s", buf_str(&where), read_error(e));
	buf_free(&where);
	return -1;
}

/* ---- keymaps ---- */

static int load_keymap(struct ctx *x, const char *name, const char *const *dirs, char **err)
{
	if (!*name) {
		*err = xstrdup("give a keymap name or file");
		return -1;
	}
	/* A keymap file may load another; the same bound as source stops a loop. */
	if (x->depth >= CONFIG_MAX_DEPTH) {
		*err = xstrdup("source nesting too deep");
		return -1;
	}
	char *path = NULL;
	int rc = -1;
	if (strchr(name, '/')) {
		path = resolve_path(x->dir, name);
		if (!may_read(x, path, "keymap", err)) {
			free(path);
			return *err ? -1 : 0;
		}
		rc = run_file(x->c, path, x->depth + 1, x->load, x->errors);
	} else {
		for (size_t i = 0; dirs && dirs[i]; i++) {
			if (!*dirs[i]) /* "" is no directory, and "/" + name would be the root's */
				continue;
			free(path);
			char *dir = expand_home(dirs[i]);
			path = join_path(dir, name);
			free(dir);
			if (!may_read(x, path, "keymap", err)) {
				free(path);
				return *err ? -1 : 0;
			}
			if ((rc = run_file(x->c, path, x->depth + 1, x->load, x->errors)) == 0 ||
			    errno != ENOENT)
				break;
		}
		if (rc < 0 && (!path || errno == ENOENT)) {
			free(path);
			if (!strcmp(name, "default")) {
				/* Always there, even when no directory holds keymaps. */
				keymap_free(&x->c->keymap);
				keymap_init_default(&x->c->keymap);
				free(x->c->keymap_name);
				x->c->keymap_name = xstrdup(name);
				return 0;
			}
			struct buf b = {0};
			buf_puts(&b, "keymap '");
			put_quoted(&b, name);
			buf_puts(&b, "' not found (looked in: ");
			for (size_t i = 0; dirs && dirs[i]; i++) {
				buf_puts(&b, i ? ", " : "");
				safe_put(&b, dirs[i]);
			}
			buf_puts(&b, dirs && dirs[0] ? ")" : "no keymap directory)");
			*err = b.data;
			return -1;
		}
	}
	if (rc < 0) {
		int e = errno;
		struct buf b = {0};
		buf_puts(&b, "cannot read '");
		safe_put(&b, path);
		buf_printf(&b, "': %s", read_error(e));
		*err = b.data;
	} else {
		free(x->c->keymap_name);
		x->c->keymap_name = xstrdup(name);
	}
	free(path);
	return rc;
}

int config_load_keymap(struct config *c, const char *name_or_file,
		       const char *const *search_dirs, struct strlist *errors)
{
	struct load load = {0};
	struct ctx x = {c, NULL, 0, errors, &load};
	char *err = NULL;
	int rc;
	if (search_dirs) {
		rc = load_keymap(&x, name_or_file, search_dirs, &err);
	} else {
		const char **dirs = xcalloc(c->keymap_dirs.n + 1, sizeof *dirs);
		for (size_t i = 0; i < c->keymap_dirs.n; i++)
			dirs[i] = c->keymap_dirs.v[i];
		rc = load_keymap(&x, name_or_file, dirs, &err);
		free(dirs);
	}
	load_free(&load);
	if (err) {
		strlist_push(errors, err);
		rc = -1;
	}
	return rc;
}

char *config_default_path(void)
{
	/* The XDG spec says to ignore a relative XDG_CONFIG_HOME. */
	const char *xdg = getenv("XDG_CONFIG_HOME");
	if (xdg && xdg[0] == '/')
		return xasprintf("%s/lede/config", xdg);
	const char *home = home_dir();
	return home ? xasprintf("%s/.config/lede/config", home) : NULL;
}

/* config: the settings and their names: struct config, the option table
 * and its setters, colour names, and the word splitter. The language that
 * config files, keymap files and the `:` prompt speak is the commands
 * module's, which calls these. */
#define _GNU_SOURCE
#include "lede/config.h"

#include <dirent.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lede/query.h"

/* Text quoted back in a message is cut here: a message is one status line,
 * not a copy of a megabyte-long mistake. */
#define QUOTE_MAX 100
/* A date format is a handful of conversions; the bound keeps what strftime
 * can make of it small enough for any buffer the story pane uses. */
#define DATE_FORMAT_MAX 64

#define COUNT(a) (sizeof (a) / sizeof *(a))

void config_put_quoted(struct buf *b, const char *s)
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

char *config_quote(const char *prefix, const char *text, const char *suffix)
{
	struct buf b = {0};
	buf_puts(&b, prefix);
	buf_putc(&b, '\'');
	config_put_quoted(&b, text);
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

char *config_expand_home(const char *p)
{
	const char *home;
	if (p[0] == '~' && (p[1] == '\0' || p[1] == '/') && (home = home_dir()))
		return xasprintf("%s%s", home, p + 1);
	return xstrdup(p);
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
	c->text_width = CONFIG_DEFAULT_TEXT_WIDTH;
	c->list_height = 40;
	c->group_clusters = true;
	c->list_height_percent = true;
#ifdef __linux__
	c->watch = true; /* inotify */
#endif
	c->mark_read_on = CONFIG_MARK_READ_VIEW;
	c->mark_read_delay_ms = CONFIG_DEFAULT_MARK_READ_DELAY_MS;
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
	free(c->list_date_format);
	free(c->copy_command);
	keymap_free(&c->keymap);
	free(c->keymap_name);
	strlist_free(&c->keymap_dirs);
	strlist_free(&c->view_names);
	strlist_free(&c->view_queries);
	*c = (struct config){0};
}

void config_set_view(struct config *c, const char *name, const char *query)
{
	for (size_t i = 0; i < c->view_names.n; i++) {
		if (!strcmp(c->view_names.v[i], name)) {
			free(c->view_queries.v[i]);
			c->view_queries.v[i] = xstrdup(query);
			return;
		}
	}
	strlist_push(&c->view_names, xstrdup(name));
	strlist_push(&c->view_queries, xstrdup(query));
}

const char *config_view(const struct config *c, const char *name)
{
	for (size_t i = 0; i < c->view_names.n; i++)
		if (!strcmp(c->view_names.v[i], name))
			return c->view_queries.v[i];
	return NULL;
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

/* A setter checks value and applies it, or returns -1 with *hint (caller
 * frees): what to write instead, for "bad value 'V' for NAME: HINT". An
 * option without one reads files of commands (keymap), which the commands
 * module does. */
struct option_def {
	const char *name;
	int (*set)(struct config *c, const char *value, char **hint);
	const char *values; /* what Tab offers, space-separated; NULL: free text */
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
			*hint = config_quote("", name, " is not a URL scheme");
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
	c->layout_sets++;
	return 0;
}

static int set_group(struct config *c, const char *value, char **hint)
{
	if (!strcasecmp(value, "clusters")) {
		c->group_clusters = true;
	} else if (!strcasecmp(value, "none")) {
		c->group_clusters = false;
	} else {
		*hint = xstrdup("use clusters or none");
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

static int set_watch(struct config *c, const char *value, char **hint)
{
	return set_bool(&c->watch, value, hint);
}

static int set_wrap(struct config *c, const char *value, char **hint)
{
	return set_bool(&c->wrap, value, hint);
}

/* A number of columns, digits only; 0 leaves the pane's width. */
static int set_text_width(struct config *c, const char *value, char **hint)
{
	int n = 0;
	const char *p = value;
	for (; *p >= '0' && *p <= '9' && n <= CONFIG_TEXT_WIDTH_MAX; p++)
		n = n * 10 + (*p - '0');
	if (p == value || *p || n > CONFIG_TEXT_WIDTH_MAX) {
		*hint = xasprintf("use a number of columns from 0 (the pane's width) to %d",
				  CONFIG_TEXT_WIDTH_MAX);
		return -1;
	}
	c->text_width = n;
	return 0;
}

/* N rows or N%: digits, then at most a percent sign. */
static int set_list_height(struct config *c, const char *value, char **hint)
{
	int n = 0;
	const char *p = value;
	for (; *p >= '0' && *p <= '9' && n <= CONFIG_TEXT_WIDTH_MAX; p++)
		n = n * 10 + (*p - '0');
	bool percent = *p == '%';
	if (percent)
		p++;
	if (p == value + percent || *p || n < 1 || n > (percent ? 99 : CONFIG_TEXT_WIDTH_MAX)) {
		*hint = xasprintf("use a number of rows (1 to %d) or a percent (1%% to 99%%)",
				  CONFIG_TEXT_WIDTH_MAX);
		return -1;
	}
	c->list_height = n;
	c->list_height_percent = percent;
	return 0;
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
		char *p = config_expand_home(words.v[i]);
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
			*hint = config_quote("", bad, " is not a strftime conversion");
			free(bad);
			return -1;
		}
	}
	free(c->date_format);
	c->date_format = xstrdup(value);
	return 0;
}

static int set_list_date_format(struct config *c, const char *value, char **hint)
{
	/* checked as date-format is, by setting it on a copy */
	struct config scratch = {.date_format = NULL};
	if (set_date_format(&scratch, value, hint) < 0)
		return -1;
	free(c->list_date_format);
	c->list_date_format = scratch.date_format;
	return 0;
}

static int set_mark_read_on(struct config *c, const char *value, char **hint)
{
	if (!strcasecmp(value, "open")) {
		c->mark_read_on = CONFIG_MARK_READ_OPEN;
	} else if (!strcasecmp(value, "view")) {
		c->mark_read_on = CONFIG_MARK_READ_VIEW;
	} else {
		*hint = xstrdup("use open or view");
		return -1;
	}
	return 0;
}

/* Seconds with at most three decimals ("1", "0.5", "2.25"), kept in
 * milliseconds; by hand, so that neither the locale's decimal point nor
 * strtod's hex and infinities apply. */
static int set_mark_read_delay(struct config *c, const char *value, char **hint)
{
	unsigned long ms = 0;
	const char *p = value;
	for (; *p >= '0' && *p <= '9' && ms <= CONFIG_MARK_READ_DELAY_MAX; p++)
		ms = ms * 10 + (unsigned long)(*p - '0');
	bool digits = p > value;
	ms *= 1000;
	if (*p == '.') {
		unsigned long unit = 100;
		for (p++; *p >= '0' && *p <= '9'; p++, unit /= 10)
			ms += unit * (unsigned long)(*p - '0');
		digits = digits || p[-1] != '.';
	}
	if (!digits || *p || ms > CONFIG_MARK_READ_DELAY_MAX * 1000) {
		*hint = xstrdup("use a number of seconds, such as 1 or 0.5 (at most 3600)");
		return -1;
	}
	c->mark_read_delay_ms = ms;
	return 0;
}

/* "osc52", or a command split like a config line (checked now, so that a
 * broken one is reported at its line, not at the first copy). */
static int set_copy_command(struct config *c, const char *value, char **hint)
{
	struct strlist words = {0};
	if (config_split_words(value, &words, hint) < 0)
		return -1;
	bool empty = words.n == 0;
	strlist_free(&words);
	free(c->copy_command);
	c->copy_command = empty ? NULL : xstrdup(value);
	return 0;
}

#define YES_NO "yes no"

static const struct option_def options[] = {
	{"browser", set_browser, NULL},
	{"browser-foreground", set_browser_foreground, YES_NO},
	{"browser-schemes", set_browser_schemes, NULL},
	{"sort", set_sort, "date quality heat title provider"},
	{"layout", set_layout, "horizontal vertical"},
	{"max-file-size", set_max_file_size, NULL},
	{"path", set_path, NULL},
	{"follow-links", set_follow_links, YES_NO},
	{"date-format", set_date_format, NULL},
	{"list-date-format", set_list_date_format, NULL},
	{"keymap", NULL, NULL},
	{"mouse", set_mouse, YES_NO},
	{"confirm-quit", set_confirm_quit, YES_NO},
	{"wrap", set_wrap, YES_NO},
	{"text-width", set_text_width, NULL},
	{"list-height", set_list_height, NULL},
	{"group", set_group, "clusters none"},
	{"ascii", set_ascii, "auto yes no"},
	{"mark-read-on", set_mark_read_on, "view open"},
	{"mark-read-delay", set_mark_read_delay, NULL},
	{"copy-command", set_copy_command, "osc52"},
	{"watch", set_watch, YES_NO},
};

const char *config_option_name(size_t i)
{
	return i < COUNT(options) ? options[i].name : NULL;
}

static const char *yes_no(bool b)
{
	return b ? "yes" : "no";
}

/* A list of words joined by spaces, each quoted when it holds one. */
static char *joined(const struct strlist *l)
{
	struct buf b = {0};
	for (size_t i = 0; i < l->n; i++)
		buf_printf(&b, strchr(l->v[i], ' ') ? "%s\"%s\"" : "%s%s", i ? " " : "", l->v[i]);
	char *s = xstrdup(buf_str(&b));
	buf_free(&b);
	return s;
}

static char *text_or(const char *s, const char *none)
{
	return xstrdup(s ? s : none);
}

char *config_option_value(const struct config *c, const char *name)
{
	if (!strcmp(name, "browser"))
		return text_or(c->browser, "(unset: $BROWSER, else xdg-open)");
	if (!strcmp(name, "browser-foreground"))
		return xstrdup(yes_no(c->browser_foreground));
	if (!strcmp(name, "browser-schemes"))
		return joined(&c->browser_schemes);
	if (!strcmp(name, "sort"))
		return text_or(c->sort, "date");
	if (!strcmp(name, "layout"))
		return xstrdup(c->layout == LAYOUT_VERTICAL ? "vertical" : "horizontal");
	if (!strcmp(name, "max-file-size"))
		return c->max_file_size % (1 << 20) ? xasprintf("%zuK", c->max_file_size >> 10)
						    : xasprintf("%zuM", c->max_file_size >> 20);
	if (!strcmp(name, "path"))
		return c->path.n ? joined(&c->path) : xstrdup("(unset: the bundled seeds)");
	if (!strcmp(name, "follow-links"))
		return xstrdup(yes_no(c->follow_links));
	if (!strcmp(name, "date-format"))
		return text_or(c->date_format, CONFIG_DEFAULT_DATE_FORMAT);
	if (!strcmp(name, "list-date-format"))
		return text_or(c->list_date_format, "(unset)");
	if (!strcmp(name, "keymap"))
		return text_or(c->keymap_name, "default");
	if (!strcmp(name, "mouse"))
		return xstrdup(yes_no(c->mouse));
	if (!strcmp(name, "confirm-quit"))
		return xstrdup(yes_no(c->confirm_quit));
	if (!strcmp(name, "wrap"))
		return xstrdup(yes_no(c->wrap));
	if (!strcmp(name, "text-width"))
		return xasprintf("%d", c->text_width);
	if (!strcmp(name, "list-height"))
		return xasprintf("%d%s", c->list_height, c->list_height_percent ? "%" : "");
	if (!strcmp(name, "group"))
		return xstrdup(c->group_clusters ? "clusters" : "none");
	if (!strcmp(name, "ascii"))
		return xstrdup(c->ascii == CONFIG_ASCII_YES  ? "yes"
			       : c->ascii == CONFIG_ASCII_NO ? "no"
							     : "auto");
	if (!strcmp(name, "mark-read-on"))
		return xstrdup(c->mark_read_on == CONFIG_MARK_READ_OPEN ? "open" : "view");
	if (!strcmp(name, "mark-read-delay"))
		return xasprintf("%g", (double)c->mark_read_delay_ms / 1000);
	if (!strcmp(name, "copy-command"))
		return text_or(c->copy_command, "(unset)");
	if (!strcmp(name, "watch"))
		return xstrdup(yes_no(c->watch));
	return NULL;
}

const char *config_option_values(const char *name)
{
	for (size_t i = 0; i < COUNT(options); i++)
		if (!strcmp(name, options[i].name))
			return options[i].values;
	return NULL;
}

/* A file name Tab may offer as a keymap name. */
static bool keymap_name_ok(const char *n)
{
	if (n[0] == '.' || !n[0])
		return false;
	for (const unsigned char *p = (const unsigned char *)n; *p; p++)
		if (*p <= ' ' || *p == 0x7f || *p == '\\' || *p == '\'' || *p == '"' ||
		    *p == '#')
			return false;
	return true;
}

/* The regular files of dir (symbolic links followed) that pass as names. */
static void push_keymap_files(const char *dir, struct strlist *out)
{
	char *path = config_expand_home(dir);
	DIR *d = opendir(path);
	free(path);
	if (!d)
		return;
	struct dirent *e;
	struct stat sb;
	while ((e = readdir(d)))
		if (keymap_name_ok(e->d_name) && fstatat(dirfd(d), e->d_name, &sb, 0) == 0 &&
		    S_ISREG(sb.st_mode))
			strlist_push(out, xstrdup(e->d_name));
	closedir(d);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void config_keymap_names(const struct config *c, struct strlist *out)
{
	struct strlist all = {0};
	strlist_push(&all, xstrdup("default"));
	for (size_t i = 0; i < c->keymap_dirs.n; i++)
		if (*c->keymap_dirs.v[i]) /* "" is no directory */
			push_keymap_files(c->keymap_dirs.v[i], &all);
	qsort(all.v, all.n, sizeof *all.v, cmp_str);
	const char *last = NULL;
	for (size_t i = 0; i < all.n; i++) {
		if (last && !strcmp(all.v[i], last)) {
			free(all.v[i]);
		} else {
			last = all.v[i];
			strlist_push(out, all.v[i]);
		}
	}
	free(all.v);
}

int config_set(struct config *c, const char *name, const char *value, char **err)
{
	for (size_t i = 0; i < COUNT(options); i++) {
		if (strcmp(name, options[i].name) != 0)
			continue;
		if (!options[i].set) {
			*err = config_quote("option ", name, " reads files: set it with a command");
			return -1;
		}
		char *hint = NULL;
		if (options[i].set(c, value, &hint) == 0)
			return 0;
		struct buf b = {0};
		buf_puts(&b, "bad value '");
		config_put_quoted(&b, value);
		buf_printf(&b, "' for %s: %s", options[i].name, hint);
		free(hint);
		*err = b.data;
		return -1;
	}
	*err = config_quote("unknown option ", name, "");
	return -1;
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
	[CONFIG_EL_UNREAD] = "unread",
};

const char *config_element_name(size_t i)
{
	return i < CONFIG_EL_COUNT ? element_names[i] : NULL;
}

/* A colour name, colorN or N (0-255), or "default" (-1). */
/* "default", then the eight colours numbered 0-7. */
static const char *const color_names[] = {"default", "black",   "red",  "green", "yellow",
					  "blue",    "magenta", "cyan", "white"};

static int parse_color(const char *s, int *out)
{
	/* color_names[0] is "default", the terminal's own: -1 */
	for (size_t i = 0; i < COUNT(color_names); i++) {
		if (!strcasecmp(s, color_names[i])) {
			*out = (int)i - 1;
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

int config_set_color(struct config *c, char **args, size_t nargs, char **err)
{
	size_t el = 0;
	while (el < CONFIG_EL_COUNT && strcmp(args[0], element_names[el]) != 0)
		el++;
	if (el == CONFIG_EL_COUNT) {
		*err = config_quote("unknown colour element ", args[0], "");
		return -1;
	}
	struct config_color col = {.set = true};
	for (int i = 1; i <= 2; i++) {
		if (parse_color(args[i], i == 1 ? &col.fg : &col.bg) < 0) {
			*err = config_quote("unknown colour ", args[i], "");
			return -1;
		}
	}
	for (size_t i = 3; i < nargs; i++) {
		size_t a = 0;
		while (a < COUNT(attr_names) && strcasecmp(args[i], attr_names[a].name) != 0)
			a++;
		if (a == COUNT(attr_names)) {
			*err = config_quote("unknown attribute ", args[i], "");
			return -1;
		}
		col.attrs = attr_names[a].bits ? col.attrs | attr_names[a].bits : 0;
	}
	c->colors[el] = col;
	return 0;
}

const char *config_color_name(size_t i)
{
	return i < COUNT(color_names) ? color_names[i] : NULL;
}

const char *config_attr_name(size_t i)
{
	return i < COUNT(attr_names) ? attr_names[i].name : NULL;
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

/* config: settings, the word splitter and the command and option tables. */
#define _GNU_SOURCE
#include "lede/config.h"

#include <errno.h>
#include <pwd.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "lede/query.h"

/* Config files are a few lines; a big one is a mistake, not a config. */
#define CONFIG_FILE_MAX ((size_t)1 << 20)

static void safe_put(struct buf *b, const char *s)
{
	buf_put_safe(b, s, strlen(s));
}

/* "PREFIX'TEXT'SUFFIX" with TEXT made terminal-safe; the caller frees. */
static char *quoted_msg(const char *prefix, const char *text, const char *suffix)
{
	struct buf b = {0};
	buf_puts(&b, prefix);
	buf_putc(&b, '\'');
	safe_put(&b, text);
	buf_putc(&b, '\'');
	buf_puts(&b, suffix);
	return b.data;
}

void config_init(struct config *c)
{
	*c = (struct config){0};
	c->layout = LAYOUT_HORIZONTAL;
	c->max_file_size = CONFIG_DEFAULT_MAX_FILE_SIZE;
	strlist_push(&c->browser_schemes, xstrdup("http"));
	strlist_push(&c->browser_schemes, xstrdup("https"));
	strlist_push(&c->browser_schemes, xstrdup("ftp"));
}

void config_free(struct config *c)
{
	free(c->browser);
	free(c->sort);
	strlist_free(&c->browser_schemes);
	*c = (struct config){0};
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
 * frees): what to write instead, for "bad value 'V' for NAME: HINT". */
struct option_def {
	const char *name;
	int (*set)(struct config *c, const char *value, char **hint);
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

static const struct option_def options[] = {
	{"browser", set_browser},
	{"browser-foreground", set_browser_foreground},
	{"browser-schemes", set_browser_schemes},
	{"sort", set_sort},
	{"layout", set_layout},
	{"max-file-size", set_max_file_size},
};

int config_set(struct config *c, const char *name, const char *value, char **err)
{
	for (size_t i = 0; i < sizeof options / sizeof *options; i++) {
		if (strcmp(name, options[i].name) != 0)
			continue;
		char *hint = NULL;
		if (options[i].set(c, value, &hint) == 0)
			return 0;
		struct buf b = {0};
		buf_puts(&b, "bad value '");
		safe_put(&b, value);
		buf_printf(&b, "' for %s: %s", options[i].name, hint);
		free(hint);
		*err = b.data;
		return -1;
	}
	*err = quoted_msg("unknown option ", name, "");
	return -1;
}

/* ---- commands ---- */

/* args excludes the command name; the table checks the count first. */
struct command_def {
	const char *name, *usage;
	size_t min_args, max_args;
	int (*run)(struct config *c, char **args, size_t nargs, char **err);
};

static int cmd_set(struct config *c, char **args, size_t nargs, char **err)
{
	(void)nargs;
	return config_set(c, args[0], args[1], err);
}

static const struct command_def commands[] = {
	{"set", "set NAME VALUE", 2, 2, cmd_set},
};

int config_line(struct config *c, const char *line, char **err)
{
	struct strlist words = {0};
	if (config_split_words(line, &words, err) < 0)
		return -1;
	int rc = 0;
	if (words.n == 0)
		goto out;
	const struct command_def *cmd = NULL;
	for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
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
		*err = xasprintf("usage: %s (too many words: quote a value that has spaces)", cmd->usage);
		goto out;
	}
	rc = cmd->run(c, words.v + 1, nargs, err);
out:
	strlist_free(&words);
	return rc;
}

/* ---- files ---- */

int config_load_file(struct config *c, const char *path, bool missing_ok,
		     struct strlist *errors)
{
	struct buf where = {0};
	safe_put(&where, path);
	char *data;
	size_t len;
	if (read_file(path, CONFIG_FILE_MAX, &data, &len) < 0) {
		int e = errno;
		if (e == ENOENT && missing_ok) {
			buf_free(&where);
			return 0;
		}
		const char *why = e == EINVAL ? "not a regular file"
				  : e == EFBIG ? "file too large"
					       : strerror(e);
		strlist_pushf(errors, "%s: cannot read: %s", where.data, why);
		buf_free(&where);
		return -1;
	}
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
			config_line(c, p, &err);
		if (err) {
			strlist_pushf(errors, "%s:%zu: %s", where.data, lineno, err);
			free(err);
		}
		p = end + 1;
	}
	free(data);
	buf_free(&where);
	return 0;
}

char *config_default_path(void)
{
	/* The XDG spec says to ignore a relative XDG_CONFIG_HOME. */
	const char *xdg = getenv("XDG_CONFIG_HOME");
	if (xdg && xdg[0] == '/')
		return xasprintf("%s/lede/config", xdg);
	const char *home = getenv("HOME");
	if (!home || !*home) {
		struct passwd *pw = getpwuid(getuid());
		home = pw && pw->pw_dir && *pw->pw_dir ? pw->pw_dir : NULL;
	}
	return home ? xasprintf("%s/.config/lede/config", home) : NULL;
}

/* commands: the one table of commands (config lines, the : prompt, test
 * scripts), the runner of lines and files of them (source, keymaps, with
 * their bounds), and completion from the table. */
#define _GNU_SOURCE
#include "lede/commands.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "lede/action.h"
#include "lede/keymap.h"
#include "lede/querylang.h"

/* Config files are a few lines; a big one is a mistake, not a config. */
#define CONFIG_FILE_MAX ((size_t)1 << 20)

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

/* One run of the language: the prompt's hooks (NULL in a file), where
 * relative paths start and how deep `source` has gone. Lines of nested
 * files report straight into errors, already as "FILE:LINE: message". */
struct commands_run {
	struct config *c;
	const struct commands_ui *ui;
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
		return config_expand_home(p);
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

/* ---- the config's commands ---- */

static int load_keymap(struct commands_run *x, const char *name, const char *const *dirs,
		       char **err);

/* c's keymap directories as a NULL-terminated array (caller frees it, not
 * the strings). */
static const char **keymap_dirs(const struct config *c)
{
	const char **dirs = xcalloc(c->keymap_dirs.n + 1, sizeof *dirs);
	for (size_t i = 0; i < c->keymap_dirs.n; i++)
		dirs[i] = c->keymap_dirs.v[i];
	return dirs;
}

static int set_keymap(struct commands_run *x, const char *value, char **err)
{
	/* -k on the command line has already chosen. */
	if (x->c->keymap_locked)
		return 0;
	const char **dirs = keymap_dirs(x->c);
	int rc = load_keymap(x, value, dirs, err);
	free(dirs);
	return rc;
}

static int cmd_set(struct commands_run *x, char **args, size_t nargs, char **err)
{
	if (nargs < 2) { /* at the prompt, what the options are */
		if (!x->ui || !x->ui->show_options) {
			*err = xstrdup("usage: set NAME VALUE");
			return -1;
		}
		char *v = nargs ? config_option_value(x->c, args[0]) : NULL;
		if (nargs && !v) {
			*err = config_quote("unknown option ", args[0], ": set alone lists them");
			return -1;
		}
		free(v);
		x->ui->show_options(x->ui->app, nargs ? args[0] : NULL);
		return 0;
	}
	/* The one option that runs a file of commands. */
	if (!strcmp(args[0], "keymap"))
		return set_keymap(x, args[1], err);
	return config_set(x->c, args[0], args[1], err);
}

static int parse_view_key(char **args, int *view, int *key, char **err)
{
	if ((*view = keymap_view_parse(args[0])) == -2) {
		*err = config_quote("unknown view ", args[0], "");
		return -1;
	}
	if ((*key = keymap_key_parse(args[1])) < 0) {
		*err = config_quote("bad key name ", args[1], "");
		return -1;
	}
	return 0;
}

static int cmd_bind(struct commands_run *x, char **args, size_t nargs, char **err)
{
	(void)nargs;
	int view, key;
	if (parse_view_key(args, &view, &key, err) < 0)
		return -1;
	enum action act = action_by_name(args[2]);
	if (act == ACT_NONE) {
		*err = config_quote("unknown action ", args[2], "");
		return -1;
	}
	keymap_bind(&x->c->keymap, view, key, act);
	return 0;
}

static int cmd_unbind(struct commands_run *x, char **args, size_t nargs, char **err)
{
	(void)nargs;
	int view, key;
	if (parse_view_key(args, &view, &key, err) < 0)
		return -1;
	keymap_unbind(&x->c->keymap, view, key);
	return 0;
}

static int cmd_unbind_all(struct commands_run *x, char **args, size_t nargs, char **err)
{
	(void)args, (void)nargs, (void)err;
	keymap_clear(&x->c->keymap);
	return 0;
}

static int cmd_color(struct commands_run *x, char **args, size_t nargs, char **err)
{
	return config_set_color(x->c, args, nargs, err);
}

static int run_file(struct config *c, const char *path, int depth, struct load *load,
		    struct strlist *errors);

/* Before a file is read from a line: false, with *err or quietly, when it
 * must not be. what names the command in a message ("source", "keymap"). A
 * loop is said once for each file it comes back to; the totals once for
 * the load. */
static bool may_read(struct commands_run *x, const char *path, const char *what, char **err)
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

static int cmd_source(struct commands_run *x, char **args, size_t nargs, char **err)
{
	(void)nargs;
	if (x->depth >= COMMANDS_MAX_DEPTH) {
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

/* ---- the reader's commands ---- */

static int cmd_quit(struct commands_run *x, char **args, size_t nargs, char **err)
{
	(void)args, (void)nargs, (void)err;
	x->ui->quit(x->ui->app);
	return 0;
}

static int cmd_sort(struct commands_run *x, char **args, size_t nargs, char **err)
{
	/* "sort heat asc" is "heat:asc", as --sort spells it */
	char *spec = nargs == 2 ? xasprintf("%s:%s", args[0], args[1]) : xstrdup(args[0]);
	struct sort_order o;
	int rc = query_parse_sort(spec, &o);
	if (rc < 0)
		*err = xasprintf("bad sort '%s': use date, quality, heat, title or provider, then "
				 "asc or desc",
				 spec);
	else
		x->ui->sort(x->ui->app, o);
	free(spec);
	return rc;
}

static int cmd_search(struct commands_run *x, char **args, size_t nargs, char **err)
{
	(void)err;
	x->ui->search(x->ui->app, nargs ? args[0] : "");
	return 0;
}

static int cmd_filter(struct commands_run *x, char **args, size_t nargs, char **err)
{
	(void)err;
	x->ui->filter(x->ui->app, nargs ? args[0] : "");
	return 0;
}

/* The words as one name, so that names with spaces need no quotes; NULL
 * when there are none. The caller frees. */
static char *joined_name(char **args, size_t nargs)
{
	if (!nargs)
		return NULL;
	struct buf name = {0};
	for (size_t i = 0; i < nargs; i++)
		buf_printf(&name, "%s%s", i ? " " : "", args[i]);
	return name.data;
}

/* The words as one name (none: NULL) handed to one of the reader's hooks. */
static int to_hook(void (*hook)(void *app, const char *name), struct commands_run *x, char **args,
		   size_t nargs)
{
	char *name = joined_name(args, nargs);
	hook(x->ui->app, name);
	free(name);
	return 0;
}

static int cmd_topic(struct commands_run *x, char **args, size_t nargs, char **err)
{
	(void)err;
	return to_hook(x->ui->topic, x, args, nargs);
}

static int cmd_provider(struct commands_run *x, char **args, size_t nargs, char **err)
{
	(void)err;
	return to_hook(x->ui->provider, x, args, nargs);
}

static int cmd_type(struct commands_run *x, char **args, size_t nargs, char **err)
{
	(void)err;
	return to_hook(x->ui->type, x, args, nargs);
}

static int cmd_open(struct commands_run *x, char **args, size_t nargs, char **err)
{
	(void)args, (void)nargs, (void)err;
	x->ui->open(x->ui->app);
	return 0;
}

static int cmd_help(struct commands_run *x, char **args, size_t nargs, char **err)
{
	(void)args, (void)nargs, (void)err;
	x->ui->help(x->ui->app);
	return 0;
}

static int cmd_facets(struct commands_run *x, char **args, size_t nargs, char **err)
{
	(void)args, (void)nargs;
	if (!x->ui->facets) {
		*err = xstrdup("facets: only in the reader");
		return -1;
	}
	x->ui->facets(x->ui->app);
	return 0;
}

/* How much of q is the query: up to a '#' that starts a word outside a
 * quoted string or a /regex/ (a comment, as in any line), blanks before
 * it left out. */
static size_t query_length(const char *q)
{
	size_t i = 0, end = 0;
	while (q[i]) {
		if (q[i] == ' ' || q[i] == '\t') {
			i++;
			continue;
		}
		while (q[i] == '!' || q[i] == '(')
			i++;
		if (q[i] == '#')
			break;
		char close = q[i] == '"' || q[i] == '/' ? q[i] : 0;
		if (close) {
			for (i++; q[i] && q[i] != close; i++)
				if (q[i] == '\\' && q[i + 1])
					i++;
			if (q[i])
				i++;
		}
		while (q[i] && q[i] != ' ' && q[i] != '\t')
			i++;
		end = i;
	}
	return end;
}

/* view NAME QUERY saves a view (anywhere); at the prompt, view NAME
 * applies one and view alone says which there are. name[0..nlen). */
static int view_line(struct commands_run *x, const char *name, size_t nlen, const char *query,
		     char **err)
{
	if (name[0] == '#')
		nlen = 0; /* "view # ..." is "view" and a comment */
	if (!nlen || !query_length(query)) {
		if (!x->ui) {
			*err = xstrdup("usage: view NAME QUERY");
			return -1;
		}
		char *own = nlen ? xstrndup(name, nlen) : NULL;
		int rc = 0;
		if (own && !config_view(x->c, own)) {
			*err = config_quote("no view ", own, ": view NAME QUERY saves one");
			rc = -1;
		} else {
			x->ui->view(x->ui->app, own);
		}
		free(own);
		return rc;
	}
	char *own = xstrndup(name, nlen), *qerr = NULL;
	char *text = xstrndup(query, query_length(query));
	struct querylang *q = querylang_compile(text, (int64_t)time(NULL), &qerr);
	if (!q) {
		struct buf b = {0};
		buf_puts(&b, "view ");
		safe_put(&b, own);
		buf_puts(&b, ": ");
		safe_put(&b, qerr);
		*err = (char *)buf_str(&b);
		free(qerr);
		free(own);
		free(text);
		return -1;
	}
	querylang_free(q);
	config_set_view(x->c, own, text);
	free(own);
	free(text);
	return 0;
}

static int cmd_view(struct commands_run *x, char **args, size_t nargs, char **err)
{
	/* only reached for a line split into words already (run_view_line
	 * takes the others): its words joined again */
	struct buf q = {0};
	for (size_t i = 1; i < nargs; i++)
		buf_printf(&q, "%s%s", i > 1 ? " " : "", args[i]);
	int rc = view_line(x, nargs ? args[0] : "", nargs ? strlen(args[0]) : 0, buf_str(&q),
			   err);
	buf_free(&q);
	return rc;
}

/* ---- the table ---- */

#define ANYWHERE (COMMANDS_CONFIG | COMMANDS_PROMPT)

/* Completion offers the names in this order, the reader's first. */
static const struct command commands[] = {
	{"sort", NULL, "sort KEY [asc|desc]", "sort the list", COMMANDS_PROMPT, 1, 2,
	 {ARG_SORT_KEY, ARG_SORT_DIR}, false, cmd_sort},
	{"search", NULL, "search [REGEX]", "search, as / does (none: clear)", COMMANDS_PROMPT,
	 0, 1, {ARG_NONE}, false, cmd_search},
	{"filter", NULL, "filter [QUERY]", "only the stories the query matches (none: all)",
	 COMMANDS_PROMPT, 0, 1, {ARG_NONE}, false, cmd_filter},
	{"topic", NULL, "topic [NAME]", "only the stories with this topic (none: all)",
	 COMMANDS_PROMPT, 0, SIZE_MAX, {ARG_TOPIC}, true, cmd_topic},
	{"provider", NULL, "provider [NAME]",
	 "only this provider's stories (none: all)", COMMANDS_PROMPT, 0, SIZE_MAX,
	 {ARG_PROVIDER}, true, cmd_provider},
	{"type", NULL, "type [NAME]", "only the stories of this type (none: all)",
	 COMMANDS_PROMPT, 0, SIZE_MAX, {ARG_TYPE}, true, cmd_type},
	{"open", NULL, "open", "open the current story's URL", COMMANDS_PROMPT, 0, 0, {ARG_NONE},
	 false, cmd_open},
	{"help", NULL, "help", "this help", COMMANDS_PROMPT, 0, 0,
	 {ARG_NONE}, false, cmd_help},
	{"facets", NULL, "facets", "show the facets pane, or hide it", COMMANDS_PROMPT, 0, 0,
	 {ARG_NONE}, false, cmd_facets},
	{"quit", "q", "quit", "quit", COMMANDS_PROMPT, 0, SIZE_MAX, {ARG_NONE}, false, cmd_quit},
	{"set", NULL, "set NAME VALUE", "set an option (set alone lists them, set NAME shows one)",
	 ANYWHERE, 0, 2,
	 {ARG_OPTION, ARG_VALUE}, false, cmd_set},
	{"bind", NULL, "bind VIEW KEY ACTION", "bind a key to an action in a view, or all",
	 ANYWHERE, 3, 3, {ARG_VIEW, ARG_NONE, ARG_ACTION}, false, cmd_bind},
	{"unbind", NULL, "unbind VIEW KEY", "unbind a key in a view, or all", ANYWHERE, 2,
	 2, {ARG_VIEW, ARG_NONE}, false, cmd_unbind},
	{"unbind-all", NULL, "unbind-all", "unbind every key", ANYWHERE, 0,
	 0, {ARG_NONE}, false, cmd_unbind_all},
	{"color", "colour", "color ELEMENT FG BG [ATTRIBUTE...]", "style a part of the screen",
	 ANYWHERE, 3, SIZE_MAX, {ARG_ELEMENT, ARG_COLOR, ARG_COLOR, ARG_ATTR}, false, cmd_color},
	{"source", NULL, "source FILE", "run the commands of a file", ANYWHERE, 1, 1, {ARG_NONE},
	 false, cmd_source},
	{"view", NULL, "view [NAME [QUERY]]",
	 "apply a saved view; NAME QUERY saves one", ANYWHERE, 0, SIZE_MAX,
	 {ARG_SAVED_VIEW, ARG_NONE}, false, cmd_view},
};

const struct command *commands_get(size_t i)
{
	return i < COUNT(commands) ? &commands[i] : NULL;
}

const struct command *commands_find(const char *name)
{
	for (size_t i = 0; i < COUNT(commands); i++)
		if (!strcmp(name, commands[i].name) ||
		    (commands[i].alias && !strcmp(name, commands[i].alias)))
			return &commands[i];
	return NULL;
}

/* ---- lines ---- */

/* The usage message for a wrong count of words, in the spelling used. */
static char *usage(const struct command *cmd, const char *spelled, size_t nargs)
{
	/* Only set takes free text, where the usual mistake is a missing quote. */
	bool quote = cmd->run == cmd_set && nargs > cmd->max_args;
	return xasprintf("usage: %s%s%s", spelled, cmd->synopsis + strlen(cmd->name),
			 quote ? " (too many words: quote a value that has spaces)" : "");
}

/* Run words (words->n > 0) as one command where it is allowed. */
static int run_words(struct commands_run *x, const struct strlist *words, char **err)
{
	const char *name = words->v[0];
	const struct command *cmd = commands_find(name);
	if (!cmd) {
		*err = x->ui ? NULL : config_quote("unknown command ", name, "");
		return -1;
	}
	if (!x->ui && !(cmd->where & COMMANDS_CONFIG)) {
		*err = config_quote("", name, " is a command of the : prompt, not of a config file");
		return -1;
	}
	size_t nargs = words->n - 1;
	if (nargs < cmd->min_args || nargs > cmd->max_args) {
		*err = usage(cmd, name, nargs);
		return -1;
	}
	return cmd->run(x, words->v + 1, nargs, err);
}

/* At the prompt, search and filter take the rest of the line as it is: a
 * regex keeps its backslashes and spaces, and needs no quotes (one quoted
 * word is still taken unquoted). True when line was one of them. */
static bool run_pattern_line(struct commands_run *x, const char *line, int *rc, char **err)
{
	const char *p = line + strspn(line, " \t");
	size_t n = strcspn(p, " \t");
	bool search = n == 6 && !strncmp(p, "search", 6);
	if (!x->ui || !(search || (n == 6 && !strncmp(p, "filter", 6))))
		return false;
	const char *rest = p + n + strspn(p + n, " \t");
	char *pat = xstrdup(rest);
	struct strlist words = {0};
	char *werr = NULL;
	if ((*rest == '"' || *rest == '\'') && config_split_words(rest, &words, &werr) == 0 &&
	    words.n == 1 && rest[strlen(rest) - 1] == *rest) {
		free(pat);
		pat = xstrdup(words.v[0]);
	}
	free(werr);
	strlist_free(&words);
	(search ? x->ui->search : x->ui->filter)(x->ui->app, pat);
	free(pat);
	*rc = 0;
	(void)err;
	return true;
}

/* A view line takes the rest of the line after its name as it is: a
 * query keeps its quotes and backslashes. True when line was one. */
static bool run_view_line(struct commands_run *x, const char *line, int *rc, char **err)
{
	const char *p = line + strspn(line, " \t");
	size_t n = strcspn(p, " \t");
	if (n != 4 || strncmp(p, "view", 4))
		return false;
	const char *name = p + n + strspn(p + n, " \t");
	size_t nlen = strcspn(name, " \t");
	const char *query = name + nlen + strspn(name + nlen, " \t");
	*rc = view_line(x, name, nlen, query, err);
	return true;
}

/* Does a view line save a view (NAME and a QUERY), rather than apply one? */
static bool saves_view(const char *line)
{
	const char *p = line + strspn(line, " \t");
	p += strcspn(p, " \t");
	p += strspn(p, " \t");
	p += strcspn(p, " \t");
	return query_length(p + strspn(p, " \t")) > 0;
}

/* Does a set line set something (NAME and VALUE), rather than show? */
static bool sets_option(const char *line)
{
	struct strlist words = {0};
	char *err = NULL;
	bool sets = config_split_words(line, &words, &err) == 0 && words.n >= 3;
	free(err);
	strlist_free(&words);
	return sets;
}

static int run_line(struct commands_run *x, const char *line, char **err)
{
	int rc;
	if (run_view_line(x, line, &rc, err) || run_pattern_line(x, line, &rc, err))
		return rc;
	struct strlist words = {0};
	if (config_split_words(line, &words, err) < 0)
		return -1;
	rc = words.n ? run_words(x, &words, err) : 0;
	strlist_free(&words);
	return rc;
}

/* Run line in a fresh load; messages of nested files become one. */
static int run_alone(struct config *c, const struct commands_ui *ui, const char *line,
		     char **err)
{
	struct strlist errors = {0};
	struct load load = {0};
	struct commands_run x = {c, ui, NULL, 0, &errors, &load};
	char *own = NULL;
	int rc = run_line(&x, line, &own);
	load_free(&load);
	if (ui && ui->problems && errors.n)
		ui->problems(ui->app, &errors); /* each, before they become one */
	if (!own && errors.n)
		own = summarize(&errors);
	strlist_free(&errors);
	if (own) {
		*err = own;
		return -1;
	}
	return rc;
}

int commands_line(struct config *c, const char *line, char **err)
{
	return run_alone(c, NULL, line, err);
}

/* The first word of line, or NULL (then *err may say why). */
static const struct command *first_command(const char *line, char **err)
{
	struct strlist w = {0};
	if (config_split_words(line, &w, err) < 0)
		return NULL;
	const struct command *cmd = w.n ? commands_find(w.v[0]) : NULL;
	strlist_free(&w);
	return cmd;
}

int commands_prompt(struct config *c, const struct commands_ui *ui, const char *line,
		    char **err)
{
	char *own = NULL;
	const struct command *cmd = first_command(line, &own);
	if (own) {
		*err = own;
		return -1;
	}
	if (run_alone(c, ui, line, &own) < 0) {
		*err = own ? own : xasprintf("unknown command: %s", line);
		return -1;
	}
	/* a view applied, or the views listed, says so itself: the config
	 * changed only when one is saved */
	if (cmd && (cmd->where & COMMANDS_CONFIG) && !(cmd->run == cmd_view && !saves_view(line)) &&
	    !(cmd->run == cmd_set && !sets_option(line)))
		ui->config_changed(ui->app, line);
	return 0;
}

/* ---- files ---- */

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

/* Read path and apply its lines at depth, counted in load and marked as
 * being read while they run. Returns 0, or -1 with errno set when the file
 * cannot be read. */
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
	struct commands_run x = {c, NULL, dir, depth, errors, load};
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

int commands_load_file(struct config *c, const char *path, bool missing_ok,
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

/* "keymap 'NAME' not found (looked in: DIR, DIR)"; the caller frees. */
static char *not_found(const char *name, const char *const *dirs)
{
	struct buf b = {0};
	buf_puts(&b, "keymap '");
	config_put_quoted(&b, name);
	buf_puts(&b, "' not found (looked in: ");
	for (size_t i = 0; dirs && dirs[i]; i++) {
		buf_puts(&b, i ? ", " : "");
		safe_put(&b, dirs[i]);
	}
	buf_puts(&b, dirs && dirs[0] ? ")" : "no keymap directory)");
	return b.data;
}

static int load_keymap(struct commands_run *x, const char *name, const char *const *dirs,
		       char **err)
{
	if (!*name) {
		*err = xstrdup("give a keymap name or file");
		return -1;
	}
	/* A keymap file may load another; the same bound as source stops a loop. */
	if (x->depth >= COMMANDS_MAX_DEPTH) {
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
			char *dir = config_expand_home(dirs[i]);
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
			*err = not_found(name, dirs);
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

int commands_load_keymap(struct config *c, const char *name_or_file,
			 const char *const *search_dirs, struct strlist *errors)
{
	struct load load = {0};
	struct commands_run x = {c, NULL, NULL, 0, errors, &load};
	char *err = NULL;
	const char **own = search_dirs ? NULL : keymap_dirs(c);
	int rc = load_keymap(&x, name_or_file, own ? own : search_dirs, &err);
	free(own);
	load_free(&load);
	if (err) {
		strlist_push(errors, err);
		rc = -1;
	}
	return rc;
}


/* ---- completion ---- */

static void push_all(struct strlist *out, const char *(*name)(size_t))
{
	const char *n;
	for (size_t i = 0; (n = name(i)); i++)
		strlist_push(out, xstrdup(n));
}

static const char *action_name(size_t i)
{
	return i + 1 < ACT_COUNT ? action_table[i + 1].name : NULL;
}

static const char *view_name(size_t i)
{
	return i == 0 ? "all" : i <= VIEW_COUNT ? keymap_view_name((int)i - 1) : NULL;
}

static const char *sort_key_name(size_t i)
{
	return i < SORT_NKEYS ? query_sort_name((enum sort_key)i) : NULL;
}

static const char *sort_dir_name(size_t i)
{
	return i == 0 ? "asc" : i == 1 ? "desc" : NULL;
}

/* A command's name, and its alias unless that is a mere shorthand of the
 * name (q of quit): completing to it would only make the line shorter. */
static const char *command_spelling(size_t i)
{
	size_t k = 0;
	for (size_t c = 0; c < COUNT(commands); c++) {
		const char *alias = commands[c].alias;
		if (k++ == i)
			return commands[c].name;
		if (alias && strncmp(commands[c].name, alias, strlen(alias)) && k++ == i)
			return alias;
	}
	return NULL;
}

static void push_kind(enum commands_arg kind, const struct config *c,
		      const struct commands_ui *ui, struct strlist *out)
{
	if (kind == ARG_SAVED_VIEW) {
		for (size_t i = 0; c && i < c->view_names.n; i++)
			strlist_push(out, xstrdup(c->view_names.v[i]));
		return;
	}
	static const char *(*const lists[])(size_t) = {
		[ARG_OPTION] = config_option_name, [ARG_VIEW] = view_name,
		[ARG_ACTION] = action_name,        [ARG_ELEMENT] = config_element_name,
		[ARG_COLOR] = config_color_name,   [ARG_ATTR] = config_attr_name,
		[ARG_SORT_KEY] = sort_key_name,    [ARG_SORT_DIR] = sort_dir_name,
	};
	if (kind == ARG_TOPIC || kind == ARG_PROVIDER || kind == ARG_TYPE) {
		if (ui && ui->names)
			ui->names(ui->app, kind, out);
	} else if ((size_t)kind < COUNT(lists) && lists[kind]) {
		push_all(out, lists[kind]);
	}
}

/* Word n (0: the first) of line, words split at spaces; NULL past the
 * last. The caller frees. */
static char *nth_word(const char *line, size_t n)
{
	const char *p = line;
	for (;;) {
		p += strspn(p, " ");
		size_t len = strcspn(p, " ");
		if (!len)
			return NULL;
		if (n-- == 0)
			return xstrndup(p, len);
		p += len;
	}
}

/* The values option name takes, from config's table; a keymap's names
 * from the files in c's keymap directories. */
static void push_values(const char *name, const struct config *c, struct strlist *out)
{
	if (name && c && !strcmp(name, "keymap")) {
		config_keymap_names(c, out);
		return;
	}
	const char *v = name ? config_option_values(name) : NULL;
	while (v && *v) {
		size_t len = strcspn(v, " ");
		strlist_push(out, xstrndup(v, len));
		v += len + strspn(v + len, " ");
	}
}

size_t commands_complete(const char *line, const struct config *c, const struct commands_ui *ui,
			 struct strlist *cands)
{
	size_t len = strlen(line), start = len;
	while (start > 0 && line[start - 1] != ' ')
		start--;
	size_t word = 0;
	for (size_t i = 0; i < start; i++)
		if (line[i] == ' ' && (i == 0 || line[i - 1] != ' '))
			word++;
	if (word == 0) {
		push_all(cands, command_spelling);
		return start;
	}
	char *first = nth_word(line, 0);
	const struct command *cmd = first ? commands_find(first) : NULL;
	free(first);
	if (!cmd)
		return start;
	if (cmd->rest) {
		/* the whole rest is one name: complete from its first word */
		size_t at = strspn(line, " ");
		at += strcspn(line + at, " ");
		at += strspn(line + at, " ");
		push_kind(cmd->args[0], c, ui, cands);
		return at;
	}
	size_t i = word - 1;
	if (i >= cmd->max_args)
		return start;
	enum commands_arg kind = cmd->args[i < COMMANDS_MAX_ARGS ? i : COMMANDS_MAX_ARGS - 1];
	if (kind == ARG_VALUE) {
		char *before = nth_word(line, word - 1);
		push_values(before, c, cands);
		free(before);
	} else {
		push_kind(kind, c, ui, cands);
	}
	return start;
}

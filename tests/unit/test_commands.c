/* The one command table: every command a config file takes also runs at
 * the : prompt; the reader's own commands reach the UI's hooks and are an
 * error, with file and line, in a config file; completion and the man page
 * follow the table. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"
#include "lede/commands.h"
#include "lede/config.h"
#include "lede/util.h"

static char *tmp;

static void setup(void)
{
	tmp = temp_dir("commands");
}

static void teardown(void)
{
	temp_dir_free(tmp);
}

TestSuite(commands, .init = setup, .fini = teardown, .timeout = 30);

/* A stand-in for the reader: each hook writes down what it was given. */
struct calls {
	struct strlist log;
};

static void log_call(void *app, const char *fmt, const char *arg)
{
	struct calls *c = app;
	strlist_pushf(&c->log, fmt, arg ? arg : "(null)");
}

static void h_quit(void *app)
{
	log_call(app, "quit%s", "");
}

static void h_sort(void *app, struct sort_order o)
{
	struct calls *c = app;
	strlist_pushf(&c->log, "sort %s %s", query_sort_name(o.key), o.desc ? "desc" : "asc");
}

static void h_search(void *app, const char *p)
{
	log_call(app, "search %s", p);
}

static void h_filter(void *app, const char *p)
{
	log_call(app, "filter %s", p);
}

static void h_topic(void *app, const char *n)
{
	log_call(app, "topic %s", n);
}

static void h_provider(void *app, const char *n)
{
	log_call(app, "provider %s", n);
}

static void h_type(void *app, const char *n)
{
	log_call(app, "type %s", n);
}

static void h_view(void *app, const char *n)
{
	log_call(app, "view %s", n);
}

static void h_open(void *app)
{
	log_call(app, "open%s", "");
}

static void h_help(void *app)
{
	log_call(app, "help%s", "");
}

static void h_facets(void *app)
{
	log_call(app, "facets%s", "");
}

static void h_changed(void *app, const char *line)
{
	log_call(app, "changed %s", line);
}

static void h_names(void *app, enum commands_arg kind, struct strlist *out)
{
	(void)app;
	if (kind == ARG_TOPIC) {
		strlist_push(out, xstrdup("Computer Vision"));
		strlist_push(out, xstrdup("Computing"));
	} else {
		strlist_push(out, xstrdup("VentureBeat"));
	}
}

static struct commands_ui stub_ui(struct calls *c)
{
	return (struct commands_ui){c,        h_quit,  h_sort,    h_search, h_filter,
				    h_topic,  h_provider, h_open, h_help,   h_changed,
				    h_names,  NULL,      h_type,   h_view,   NULL,
				    h_facets};
}

/* A line that runs each command well; a command the table gains without
 * one here fails the tests below. %s is the temporary directory. */
static const struct {
	const char *name, *line, *call;
} examples[] = {
	{"set", "set mouse yes", "changed set mouse yes"},
	{"bind", "bind list x quit", "changed bind list x quit"},
	{"unbind", "unbind list j", "changed unbind list j"},
	{"unbind-all", "unbind-all", "changed unbind-all"},
	{"color", "color status red default bold", "changed color status red default bold"},
	{"colour", "colour status red default", "changed colour status red default"},
	{"source", "source %s/ok.conf", "changed source %s/ok.conf"},
	{"sort", "sort heat asc", "sort heat asc"},
	{"search", "search vision", "search vision"},
	{"filter", "filter", "filter "},
	{"topic", "topic Computer  Vision", "topic Computer Vision"},
	{"provider", "provider", "provider (null)"},
	{"type", "type video", "type video"},
	{"open", "open", "open"},
	{"help", "help", "help"},
	{"facets", "facets", "facets"},
	{"quit", "quit", "quit"},
	{"q", "q", "quit"},
	{"view", "view week ~N ~d <7d", "changed view week ~N ~d <7d"},
};

static const char *example_line(const char *name, const char **call)
{
	for (size_t i = 0; i < sizeof examples / sizeof *examples; i++) {
		if (!strcmp(examples[i].name, name)) {
			*call = examples[i].call;
			return examples[i].line;
		}
	}
	cr_assert_fail("no example of the command %s", name);
	return NULL;
}

/* Run spelling's example at the prompt: it must succeed and make exactly
 * the one call expected. */
static void prompt_runs(const char *spelling)
{
	struct calls calls = {0};
	struct commands_ui ui = stub_ui(&calls);
	struct config c;
	config_init(&c);
	const char *call;
	char *line = xasprintf(example_line(spelling, &call), tmp);
	char *want = xasprintf(call, tmp);
	char *err = NULL;
	cr_assert_eq(commands_prompt(&c, &ui, line, &err), 0, "%s: %s", line, err);
	cr_assert_eq(calls.log.n, 1, "%s", line);
	cr_assert_str_eq(calls.log.v[0], want);
	free(want);
	free(line);
	strlist_free(&calls.log);
	config_free(&c);
}

/* Every command and alias of the table runs at the prompt, the config's
 * own with them: the prompt speaks the config file's language and more. */
Test(commands, every_command_runs_at_the_prompt)
{
	char *ok = xasprintf("%s/ok.conf", tmp);
	write_text(ok, "set wrap no\n");
	free(ok);
	const struct command *cmd;
	size_t config_cmds = 0;
	for (size_t i = 0; (cmd = commands_get(i)); i++) {
		cr_assert(cmd->where & COMMANDS_PROMPT, "%s cannot run at the prompt", cmd->name);
		config_cmds += (cmd->where & COMMANDS_CONFIG) != 0;
		prompt_runs(cmd->name);
		if (cmd->alias)
			prompt_runs(cmd->alias);
	}
	cr_assert_geq(config_cmds, 6);
}

/* The prompt applies a config line as a config file would. */
Test(commands, prompt_changes_the_config)
{
	struct calls calls = {0};
	struct commands_ui ui = stub_ui(&calls);
	struct config c;
	config_init(&c);
	char *err = NULL;
	cr_assert_eq(commands_prompt(&c, &ui, "set layout vertical", &err), 0);
	cr_assert_eq(c.layout, LAYOUT_VERTICAL);
	cr_assert_eq(commands_prompt(&c, &ui, "bind list x quit", &err), 0);
	cr_assert_eq(keymap_lookup(&c.keymap, VIEW_LIST, 'x'), ACT_QUIT);
	strlist_free(&calls.log);
	config_free(&c);
}

struct bad_case {
	int num;
	const char *line, *err;
};

/* What the prompt says to a bad line, and that no hook ran. */
Test(commands, prompt_errors)
{
	static const struct bad_case cases[] = {
		{1, "frobnicate", "unknown command: frobnicate"},
		{2, "sort sideways", "bad sort 'sideways': use date, quality, heat, title or "
				     "provider, then asc or desc"},
		{3, "sort heat up", "bad sort 'heat:up': use date, quality, heat, title or provider, "
				    "then asc or desc"},
		{4, "sort", "usage: sort KEY [asc|desc]"},
		{5, "open now", "usage: open"},
		{6, "help me", "usage: help"},
		{7, "set mouse", "usage: set NAME VALUE"},
		{8, "set 'mouse", "unterminated quote"},
		{9, "bind lsit j next", "unknown view 'lsit'"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct calls calls = {0};
		struct commands_ui ui = stub_ui(&calls);
		struct config c;
		config_init(&c);
		char *err = NULL;
		cr_assert_eq(commands_prompt(&c, &ui, cases[i].line, &err), -1, "case %d",
			     cases[i].num);
		cr_assert_str_eq(err, cases[i].err, "case %d", cases[i].num);
		cr_assert_eq(calls.log.n, 0, "case %d", cases[i].num);
		free(err);
		config_free(&c);
	}
}

/* The reader's commands in a config file: an error naming the file and
 * line, and the lines around it still apply. */
Test(commands, reader_command_in_a_config_file)
{
	const struct command *cmd;
	for (size_t i = 0; (cmd = commands_get(i)); i++) {
		if (cmd->where & COMMANDS_CONFIG)
			continue;
		char *path = xasprintf("%s/%s.conf", tmp, cmd->name);
		char *text = xasprintf("set mouse yes\n%s\nset wrap no\n", cmd->name);
		write_text(path, text);
		struct config c;
		config_init(&c);
		struct strlist errors = {0};
		cr_assert_eq(commands_load_file(&c, path, false, &errors), 0);
		char *want = xasprintf("%s:2: '%s' is a command of the : prompt, not of a config file",
				       path, cmd->name);
		cr_assert_eq(errors.n, 1, "%s", cmd->name);
		cr_assert_str_eq(errors.v[0], want);
		cr_assert(c.mouse);
		cr_assert_not(c.wrap);
		free(want);
		strlist_free(&errors);
		config_free(&c);
		free(text);
		free(path);
	}
	/* and a line given alone */
	struct config c;
	config_init(&c);
	char *err = NULL;
	cr_assert_eq(commands_line(&c, "sort heat", &err), -1);
	cr_assert_str_eq(err, "'sort' is a command of the : prompt, not of a config file");
	free(err);
	config_free(&c);
}

/* The same from outside: lede reading such a config says file and line. */
Test(commands, reader_command_in_a_config_file_cli)
{
	char *path = xasprintf("%s/config", tmp);
	write_text(path, "set mouse yes\nsort heat\n");
	struct run r;
	run_lede(&r, (const char *[]){"-c", path, "--list", "tests/corpus", NULL},
		 (const char *[]){"HOME=/nonexistent", "XDG_CACHE_HOME=/dev/null/no-cache", NULL});
	char *want = xasprintf("lede: %s:2: 'sort' is a command of the : prompt, not of a "
			       "config file\n",
			       path);
	cr_assert_str_eq(r.err, want);
	free(want);
	run_free(&r);
	free(path);
}

/* The candidates Tab offers where line ends, space-separated. */
static char *completed(const char *line, size_t *start)
{
	struct calls calls = {0};
	struct commands_ui ui = stub_ui(&calls);
	struct strlist cands = {0};
	*start = commands_complete(line, NULL, &ui, &cands);
	struct buf b = {0};
	buf_str(&b);
	for (size_t i = 0; i < cands.n; i++)
		buf_printf(&b, "%s%s", i ? " " : "", cands.v[i]);
	strlist_free(&cands);
	return b.data;
}

/* The command names Tab offers are the table's, every one of them. */
Test(commands, completion_of_names_is_the_table)
{
	size_t start;
	char *got = completed("", &start);
	cr_assert_eq(start, 0);
	struct buf want = {0};
	const struct command *cmd;
	for (size_t i = 0; (cmd = commands_get(i)); i++) {
		buf_printf(&want, "%s%s", want.len ? " " : "", cmd->name);
		/* an alias that only shortens the name is not offered */
		if (cmd->alias && strncmp(cmd->name, cmd->alias, strlen(cmd->alias)))
			buf_printf(&want, " %s", cmd->alias);
	}
	cr_assert_str_eq(got, want.data);
	cr_assert(strstr(got, "sort") && strstr(got, "set") && strstr(got, "colour") &&
		  strstr(got, "help"));
	cr_assert_null(strstr(got, " q "));
	free(got);
	buf_free(&want);
}

/* What each word completes from, as the table says. */
Test(commands, completion_of_arguments)
{
	static const struct {
		const char *line, *want;
		size_t start;
	} cases[] = {
		{"sort ", "date quality heat title provider", 5},
		{"sort heat d", "asc desc", 10},
		{"sort heat desc ", "", 15},
		{"set m", "browser browser-foreground browser-schemes sort layout max-file-size "
			  "path follow-links date-format list-date-format keymap mouse confirm-quit wrap text-width list-height "
			  "group ascii "
			  "mark-read-on mark-read-delay copy-command watch",
		 4},
		{"set mouse ", "yes no", 10},
		{"set  layout v", "horizontal vertical", 12},
		{"set sort ", "date quality heat title provider", 9},
		{"set path ", "", 9},
		{"set nosuch ", "", 11},
		{"set mouse yes ", "", 14},
		{"bind ", "all list detail related help problems facets", 5},
		{"bind list j ", NULL, 12},
		{"unbind  li", "all list detail related help problems facets", 8},
		{"color ", NULL, 6},
		{"colour status ", "default black red green yellow blue magenta cyan white", 14},
		{"color status red blue bold ", "bold underline reverse dim standout normal", 27},
		{"topic Comp", "Computer Vision Computing", 6},
		{"provider  Ven", "VentureBeat", 10},
		{"nosuch ", "", 7},
		{"open ", "", 5},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		size_t start;
		char *got = completed(cases[i].line, &start);
		cr_assert_eq(start, cases[i].start, "%s: start %zu", cases[i].line, start);
		if (cases[i].want)
			cr_assert_str_eq(got, cases[i].want, "%s", cases[i].line);
		else
			cr_assert_neq(strlen(got), 0, "%s", cases[i].line);
		free(got);
	}
	/* the actions for bind's third word, the colour elements for color's first */
	size_t start;
	char *got = completed("bind list j ", &start);
	cr_assert(strstr(got, "next") && strstr(got, "quit") && strstr(got, "toggle-read"));
	free(got);
	got = completed("color ", &start);
	cr_assert(!strncmp(got, "normal header", 13), "%s", got);
	free(got);
}

/* The tag line of name in the roff text section (".B name ...", ".BI name
 * ...", ".BR name ..."), or NULL. The caller frees. */
static char *tag_line(const char *section, const char *name)
{
	static const char *const macros[] = {"\n.B ", "\n.BI ", "\n.BR "};
	for (size_t m = 0; m < 3; m++) {
		char *want = xasprintf("%s%s", macros[m], name);
		size_t wl = strlen(want);
		for (const char *p = strstr(section, want); p; p = strstr(p + 1, want)) {
			char next = p[wl];
			if (next == ' ' || next == '\n' || next == '\\') {
				free(want);
				return xstrndup(p + 1, strcspn(p + 1, "\n"));
			}
		}
		free(want);
	}
	return NULL;
}

/* lede(1) documents every command of the table, each in a tag of its own
 * with its alias beside it. */
Test(commands, man_page_has_every_command)
{
	char *man = slurp("man/lede.1", NULL);
	char *section = strstr(man, "\n.SH COMMANDS\n");
	cr_assert_not_null(section);
	char *end = strstr(section + 1, "\n.SH ");
	if (end)
		*end = '\0';
	const struct command *cmd;
	for (size_t i = 0; (cmd = commands_get(i)); i++) {
		struct buf name = {0}, alias = {0};
		roff_escape(&name, cmd->name);
		char *tag = tag_line(section, name.data);
		cr_expect_not_null(tag, "lede(1) COMMANDS lacks %s", cmd->name);
		if (tag && cmd->alias) {
			roff_escape(&alias, cmd->alias);
			/* as "quit\fR|\fBq" */
			char *bold = xasprintf("|\\fB%s", alias.data);
			cr_expect(strstr(tag, bold), "lede(1): %s lacks its alias %s", tag,
				  cmd->alias);
			free(bold);
		}
		free(tag);
		buf_free(&name);
		buf_free(&alias);
	}
	free(man);
}

/* `set keymap ` offers the keymap names of the config's directories: their
 * regular files (links to one too), the built-in default, sorted, each
 * once; hidden files, directories and names no command could take as one
 * word are left out. */
Test(commands, completion_of_keymap_names)
{
	char *one = xasprintf("%s/one", tmp), *two = xasprintf("%s/two", tmp);
	cr_assert_eq(mkdir(one, 0700), 0);
	cr_assert_eq(mkdir(two, 0700), 0);
	static const char *const in_one[] = {"zeta", "vi", ".hidden", "two words", "esc\033[2J"};
	for (size_t i = 0; i < sizeof in_one / sizeof *in_one; i++) {
		char *p = xasprintf("%s/%s", one, in_one[i]);
		write_text(p, "bind list j next\n");
		free(p);
	}
	char *sub = xasprintf("%s/sub", one), *link = xasprintf("%s/link", one),
	     *target = xasprintf("%s/zeta", one);
	cr_assert_eq(mkdir(sub, 0700), 0);
	cr_assert_eq(symlink(target, link), 0);
	char *p = xasprintf("%s/vi", two), *q = xasprintf("%s/alpha", two);
	write_text(p, "\n");
	write_text(q, "\n");

	struct config c;
	config_init(&c);
	strlist_free(&c.keymap_dirs);
	c.keymap_dirs = (struct strlist){0};
	strlist_push(&c.keymap_dirs, xstrdup(one));
	strlist_push(&c.keymap_dirs, xasprintf("%s/missing", tmp));
	strlist_push(&c.keymap_dirs, xstrdup(""));
	strlist_push(&c.keymap_dirs, xstrdup(two));
	struct calls calls = {0};
	struct commands_ui ui = stub_ui(&calls);
	static const struct {
		const char *line;
		size_t start;
	} cases[] = {{"set keymap ", 11}, {"set keymap v", 11}, {"set  keymap  ", 13}};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct strlist cands = {0};
		size_t start = commands_complete(cases[i].line, &c, &ui, &cands);
		struct buf b = {0};
		for (size_t k = 0; k < cands.n; k++)
			buf_printf(&b, "%s%s", k ? " " : "", cands.v[k]);
		cr_assert_eq(start, cases[i].start, "%s: start %zu", cases[i].line, start);
		cr_assert_str_eq(buf_str(&b), "alpha default link vi zeta", "%s", cases[i].line);
		buf_free(&b);
		strlist_free(&cands);
	}
	/* no directory at all: the built-in one still */
	strlist_free(&c.keymap_dirs);
	c.keymap_dirs = (struct strlist){0};
	struct strlist cands = {0};
	commands_complete("set keymap ", &c, &ui, &cands);
	cr_assert_eq(cands.n, 1);
	cr_assert_str_eq(cands.v[0], "default");
	strlist_free(&cands);
	config_free(&c);
	free(one);
	free(two);
	free(sub);
	free(link);
	free(target);
	free(p);
	free(q);
}

/* search and filter take the rest of the line as it is: spaces and
 * backslashes kept, no quotes needed; one quoted word is taken unquoted. */
Test(commands, search_and_filter_take_the_rest_of_the_line)
{
	static const struct {
		const char *line, *call;
	} cases[] = {
		{"search self supervised", "search self supervised"},
		{"search  \\d+  x", "search \\d+  x"},
		{"filter a|b c", "filter a|b c"},
		{"search \"two words\"", "search two words"},
		{"filter 'it''s'", "filter its"}, /* adjacent quoted parts join */
		{"search", "search "},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct calls calls = {0};
		struct commands_ui ui = stub_ui(&calls);
		struct config c;
		config_init(&c);
		char *err = NULL;
		cr_assert_eq(commands_prompt(&c, &ui, cases[i].line, &err), 0, "%s", cases[i].line);
		cr_assert_eq(calls.log.n, 1, "%s", cases[i].line);
		cr_assert_str_eq(calls.log.v[0], cases[i].call, "%s", cases[i].line);
		strlist_free(&calls.log);
		config_free(&c);
	}
}

/* The shipped keymaps (every file in keymaps/, so a new one is covered
 * without touching this file), the keymap table itself, and lede(5): its
 * action table, its examples and its rendering. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"
#include "lede/action.h"
#include "lede/commands.h"
#include "lede/config.h"
#include "lede/keymap.h"
#include "lede/util.h"

#define KEYMAP_DIR "keymaps"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names of the regular files in keymaps/, sorted; dot files skipped. */
static void shipped(struct strlist *names)
{
	DIR *d = opendir(KEYMAP_DIR);
	cr_assert_not_null(d, "cannot open " KEYMAP_DIR "/");
	for (struct dirent *e; (e = readdir(d));) {
		if (e->d_name[0] == '.')
			continue;
		char *path = xasprintf(KEYMAP_DIR "/%s", e->d_name);
		struct stat st;
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
			strlist_push(names, xstrdup(e->d_name));
		free(path);
	}
	closedir(d);
	qsort(names->v, names->n, sizeof *names->v, cmp_str);
}

Test(keymaps, the_three_are_shipped)
{
	struct strlist names = {0};
	shipped(&names);
	static const char *const want[] = {"default", "emacs", "newsboat"};
	for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
		bool found = false;
		for (size_t j = 0; j < names.n; j++)
			found |= !strcmp(names.v[j], want[i]);
		cr_expect(found, KEYMAP_DIR "/%s is missing", want[i]);
	}
	strlist_free(&names);
}

Test(keymaps, every_file_loads_cleanly_and_binds_every_action)
{
	struct strlist names = {0};
	shipped(&names);
	cr_assert_geq(names.n, 3);
	for (size_t i = 0; i < names.n; i++) {
		char *path = xasprintf(KEYMAP_DIR "/%s", names.v[i]);
		char *text = slurp(path, NULL);
		/* says what it is before anything else */
		char *head = xasprintf("# %s: ", names.v[i]);
		cr_expect_eq(strncmp(text, head, strlen(head)), 0, "%s does not start with '%s'",
			     path, head);
		free(head);
		bool complete = strstr(text, "\nunbind-all\n") != NULL;
		free(text);

		struct config c;
		config_init(&c);
		/* on top of something else, to show it is complete on its own */
		char *err = NULL;
		cr_assert_eq(commands_line(&c, "bind all x quit", &err), 0);
		struct strlist errors = {0};
		cr_assert_eq(commands_load_keymap(&c, path, NULL, &errors), 0, "%s", path);
		for (size_t e = 0; e < errors.n; e++)
			cr_expect_fail("%s", errors.v[e]);
		cr_expect_eq(errors.n, 0, "%s", path);
		cr_expect_str_eq(c.keymap_name, path);
		if (complete)
			cr_expect_eq(keymap_lookup(&c.keymap, VIEW_LIST, 'x'), ACT_NONE,
				     "%s starts with unbind-all but keeps a binding from before", path);
		/* every action is reachable from some key in the list view */
		for (int a = 1; a < ACT_COUNT; a++) {
			bool bound = false;
			for (size_t b = 0; b < c.keymap.n; b++) {
				const struct binding *bd = &c.keymap.v[b];
				bound |= bd->action == (enum action)a &&
					 keymap_lookup(&c.keymap, VIEW_LIST, bd->key) == (enum action)a;
			}
			cr_expect(bound, "%s gives no key to %s", path, action_table[a].name);
		}
		strlist_free(&errors);
		config_free(&c);
		free(path);
	}
	strlist_free(&names);
}

Test(keymaps, no_file_binds_a_key_twice_in_one_view)
{
	struct strlist names = {0};
	shipped(&names);
	for (size_t i = 0; i < names.n; i++) {
		char *path = xasprintf(KEYMAP_DIR "/%s", names.v[i]);
		char *text = slurp(path, NULL);
		struct binding *seen = NULL;
		size_t nseen = 0, cap = 0, lineno = 0;
		for (char *save, *line = strtok_r(text, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			lineno++;
			struct strlist w = {0};
			char *err = NULL;
			cr_assert_eq(config_split_words(line, &w, &err), 0, "%s: %s", path, line);
			if (w.n == 4 && !strcmp(w.v[0], "bind")) {
				int view = keymap_view_parse(w.v[1]);
				/* canonical keys, so C-i and Tab are one key */
				int key = keymap_key_parse(w.v[2]);
				cr_assert(view != -2 && key >= 0, "%s: %s", path, line);
				for (size_t s = 0; s < nseen; s++)
					cr_expect(!(seen[s].view == view && seen[s].key == key),
						  "%s: '%s' binds %s in %s a second time", path, line,
						  w.v[2], w.v[1]);
				seen = xgrow(seen, &cap, nseen + 1, sizeof *seen);
				seen[nseen++] = (struct binding){view, key, ACT_NONE};
			}
			strlist_free(&w);
		}
		cr_expect_gt(nseen, 0, "%s binds nothing", path);
		free(seen);
		free(text);
		free(path);
	}
	strlist_free(&names);
}

static int cmp_binding(const void *a, const void *b)
{
	const struct binding *x = a, *y = b;
	if (x->view != y->view)
		return x->view < y->view ? -1 : 1;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return (int)x->action - (int)y->action;
}

Test(keymaps, default_file_is_the_built_in_default)
{
	struct config c;
	config_init(&c);
	char *err = NULL;
	cr_assert_eq(commands_line(&c, "bind all x quit", &err), 0);
	cr_assert_eq(commands_line(&c, "unbind all j", &err), 0);
	cr_assert_eq(commands_line(&c, "unbind detail k", &err), 0);
	struct strlist errors = {0};
	cr_assert_eq(commands_load_keymap(&c, KEYMAP_DIR "/default", NULL, &errors), 0);
	cr_assert_eq(errors.n, 0);

	struct keymap def;
	keymap_init_default(&def);
	cr_assert_eq(c.keymap.n, def.n);
	qsort(c.keymap.v, c.keymap.n, sizeof *c.keymap.v, cmp_binding);
	qsort(def.v, def.n, sizeof *def.v, cmp_binding);
	for (size_t i = 0; i < def.n; i++) {
		char a[32], b[32];
		cr_expect(!cmp_binding(&c.keymap.v[i], &def.v[i]), "file: %s %s %s, built in: %s %s %s",
			  keymap_view_name(c.keymap.v[i].view),
			  keymap_key_name(c.keymap.v[i].key, a, sizeof a),
			  action_table[c.keymap.v[i].action].name ? action_table[c.keymap.v[i].action].name : "-",
			  keymap_view_name(def.v[i].view), keymap_key_name(def.v[i].key, b, sizeof b),
			  action_table[def.v[i].action].name);
	}
	keymap_free(&def);
	config_free(&c);
}

struct key_want {
	const char *key, *action; /* action NULL: unbound */
};

static void expect_keys(const char *name, const struct key_want *want, size_t n)
{
	struct config c;
	config_init(&c);
	strlist_free(&c.keymap_dirs);
	strlist_push(&c.keymap_dirs, xstrdup(KEYMAP_DIR));
	struct strlist errors = {0};
	cr_assert_eq(commands_load_keymap(&c, name, NULL, &errors), 0, "%s", name);
	cr_assert_eq(errors.n, 0, "%s: %s", name, errors.n ? errors.v[0] : "");
	for (size_t i = 0; i < n; i++) {
		int key = keymap_key_parse(want[i].key);
		cr_assert_geq(key, 0, "%s", want[i].key);
		for (int view = 0; view < VIEW_COUNT; view++) {
			enum action got = keymap_lookup(&c.keymap, view, key);
			cr_expect_str_eq(got ? action_table[got].name : "(unbound)",
					 want[i].action ? want[i].action : "(unbound)", "%s: %s in %s",
					 name, want[i].key, keymap_view_name(view));
		}
	}
	config_free(&c);
}

Test(keymaps, emacs)
{
	static const struct key_want want[] = {
		{"C-n", "next"},      {"C-p", "prev"},       {"Down", "next"},     {"Up", "prev"},
		{"C-v", "page-down"}, {"M-v", "page-up"},    {"M-<", "first"},     {"M->", "last"},
		{"C-s", "search"},    {"C-r", "search-prev"}, {"C-g", "quit"},     {"q", "quit"},
		{"Enter", "open"},    {"M-x", "prompt"},     {"C-l", "redraw"},    {"b", "browse"},
		{"l", "back"},        {"r", "forward"},      {"?", "help"},
		{"N", "next-story"},  {"P", "prev-story"},   {"c", "mark-all-read"},
		{"v", "open-file"},   {"e", "edit-file"},    {"w", "copy-url"},    {"C-z", "suspend"},
		{"g", "reload"},
		/* the vi keys are gone */
		{"j", NULL},          {"k", NULL},           {"G", NULL},          {"C-d", NULL},
	};
	expect_keys("emacs", want, sizeof want / sizeof *want);
}

Test(keymaps, newsboat)
{
	static const struct key_want want[] = {
		{"j", "next"},       {"k", "prev"},           {"Down", "next"},    {"Up", "prev"},
		{"Enter", "open"},   {"o", "browse"},         {"u", "browse-menu"}, {"q", "quit"},
		{"/", "search"},     {"]", "search-next"},    {"[", "search-prev"}, {"g", "sort-next"},
		{"n", "next-unread"}, {"p", "prev-unread"},   {"J", "next-story"}, {"K", "prev-story"},
		{"A", "mark-all-read"}, {"C", "mark-all-read"}, {"Q", "quit-all"}, {"C-z", "suspend"},
		{"G", "sort-reverse"}, {"?", "help"},         {":", "prompt"},     {"Space", "page-down"},
		{"F", "filter"},     {"C-l", "redraw"},
		/* newsboat reloads its feeds with these; lede re-scans */
		{"r", "reload"},     {"R", "reload"},
	};
	expect_keys("newsboat", want, sizeof want / sizeof *want);
}

Test(keymaps, unbind_and_clear)
{
	struct keymap km;
	keymap_init_default(&km);
	size_t n = km.n;
	/* one view: a mask over the binding for all views */
	keymap_unbind(&km, VIEW_LIST, 'j');
	cr_assert_eq(keymap_lookup(&km, VIEW_LIST, 'j'), ACT_NONE);
	cr_assert_eq(keymap_lookup(&km, VIEW_DETAIL, 'j'), ACT_NEXT);
	cr_assert_eq(km.n, n + 1);
	keymap_unbind(&km, VIEW_LIST, 'j');
	cr_assert_eq(km.n, n + 1);
	keymap_bind(&km, VIEW_LIST, 'j', ACT_QUIT);
	cr_assert_eq(keymap_lookup(&km, VIEW_LIST, 'j'), ACT_QUIT);
	/* all views: gone, but the list's own binding stays */
	keymap_unbind(&km, VIEW_ALL, 'j');
	cr_assert_eq(keymap_lookup(&km, VIEW_DETAIL, 'j'), ACT_NONE);
	cr_assert_eq(keymap_lookup(&km, VIEW_LIST, 'j'), ACT_QUIT);
	keymap_clear(&km);
	cr_assert_eq(km.n, 0);
	cr_assert_eq(keymap_lookup(&km, VIEW_LIST, 'j'), ACT_NONE);
	keymap_bind(&km, VIEW_ALL, 'q', ACT_QUIT);
	cr_assert_eq(keymap_lookup(&km, VIEW_HELP, 'q'), ACT_QUIT);
	keymap_free(&km);
}

/* ---- lede(5) ---- */

Test(man5, every_action_with_its_help)
{
	char *man = slurp("man/lede.5", NULL);
	for (int a = 1; a < ACT_COUNT; a++) {
		struct buf want = {0};
		buf_puts(&want, ".TP\n\\fI");
		roff_escape(&want, action_table[a].name);
		buf_puts(&want, "\\fR\n");
		roff_escape(&want, action_table[a].help);
		buf_puts(&want, "\n");
		cr_expect(strstr(man, buf_str(&want)) != NULL, "man/lede.5 lacks:\n%s", want.data);
		buf_free(&want);
	}
	free(man);
}

/* What a command prints on stdout and stderr together. */
static char *output_of(const char *cmd)
{
	FILE *p = popen(cmd, "r");
	cr_assert_not_null(p, "%s", cmd);
	struct buf b = {0};
	char tmp[4096];
	size_t n;
	while ((n = fread(tmp, 1, sizeof tmp, p)) > 0)
		buf_add(&b, tmp, n);
	int st = pclose(p);
	cr_assert_eq(st, 0, "%s: %s", cmd, buf_str(&b));
	buf_str(&b);
	return b.data;
}

Test(man5, renders_without_warnings)
{
	char *out = output_of("mandoc -T lint -W warning man/lede.5 2>&1");
	cr_expect_str_eq(out, "", "mandoc: %s", out);
	free(out);
	out = output_of("groff -man -ww -z man/lede.5 2>&1");
	cr_expect_str_eq(out, "", "groff: %s", out);
	free(out);
}

/* The text between .EX and .EE lines, roff escapes undone, a string each. */
static void examples(const char *man, struct strlist *out)
{
	static const struct {
		const char *from, *to;
	} esc[] = {{"\\-", "-"}, {"\\(dq", "\""}, {"\\(aq", "'"}, {"\\e", "\\"}};
	for (const char *p = man; (p = strstr(p, "\n.EX\n"));) {
		p += 5;
		const char *end = strstr(p, "\n.EE\n");
		cr_assert_not_null(end);
		struct buf b = {0};
		buf_str(&b);
		while (p <= end) {
			size_t i = 0;
			while (i < sizeof esc / sizeof *esc && strncmp(p, esc[i].from, strlen(esc[i].from)))
				i++;
			if (i < sizeof esc / sizeof *esc) {
				buf_puts(&b, esc[i].to);
				p += strlen(esc[i].from);
			} else {
				buf_putc(&b, *p++);
			}
		}
		strlist_push(out, b.data);
		p = end;
	}
}

static void put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f, "%s", path);
	fputs(text, f);
	fclose(f);
}

Test(man5, examples_load_without_errors)
{
	char *man = slurp("man/lede.5", NULL);
	struct strlist ex = {0};
	examples(man, &ex);
	free(man);
	cr_assert_eq(ex.n, 3, "the tests below expect three examples");

	char *home = xstrdup("/tmp/lede-man5-XXXXXX");
	cr_assert_not_null(mkdtemp(home));
	setenv("HOME", home, 1);
	unsetenv("XDG_CONFIG_HOME");
	char *d1 = xasprintf("%s/.config", home), *d2 = xasprintf("%s/.config/lede", home);
	cr_assert(mkdir(d1, 0700) == 0 && mkdir(d2, 0700) == 0);
	char *cfg = xasprintf("%s/config", d2), *keys = xasprintf("%s/keys", d2),
	     *extra = xasprintf("%s/extra", d2);
	put_file(cfg, ex.v[0]);
	put_file(keys, ex.v[1]);
	put_file(extra, "set wrap no\n");

	struct config c;
	config_init(&c);
	strlist_free(&c.keymap_dirs);
	strlist_push(&c.keymap_dirs, xstrdup(KEYMAP_DIR));
	struct strlist errors = {0};
	char *def = config_default_path();
	cr_assert_str_eq(def, cfg);
	cr_assert_eq(commands_load_file(&c, def, false, &errors), 0);
	cr_assert_eq(errors.n, 0, "%s", errors.n ? errors.v[0] : "");
	cr_assert_eq(c.layout, LAYOUT_VERTICAL);
	cr_assert_str_eq(c.keymap_name, "emacs");
	cr_assert_eq(keymap_lookup(&c.keymap, VIEW_LIST, 'x'), ACT_QUIT);
	cr_assert_eq(keymap_lookup(&c.keymap, VIEW_DETAIL, 'l'), ACT_NONE);
	cr_assert_eq(keymap_lookup(&c.keymap, VIEW_LIST, 'l'), ACT_BACK);
	cr_assert_eq(keymap_lookup(&c.keymap, VIEW_LIST, '#'), ACT_HELP);
	cr_assert_eq(c.path.n, 2);
	char *news = xasprintf("%s/news", home);
	cr_assert_str_eq(c.path.v[0], news);
	cr_assert_str_eq(c.path.v[1], "/srv/news archive");
	cr_assert(c.colors[CONFIG_EL_SELECTED].set);
	cr_assert_eq(c.colors[CONFIG_EL_SELECTED].bg, 214);

	/* the keymap of one's own, by the name the page gives it */
	cr_assert_eq(commands_load_keymap(&c, "~/.config/lede/keys", NULL, &errors), 0);
	cr_assert_eq(errors.n, 0, "%s", errors.n ? errors.v[0] : "");
	cr_assert_eq(keymap_lookup(&c.keymap, VIEW_LIST, 'j'), ACT_NEXT);
	cr_assert_eq(keymap_lookup(&c.keymap, VIEW_LIST, keymap_key_parse("Left")), ACT_BACK);

	/* the prompt lines, without their colon */
	for (char *save, *line = strtok_r(ex.v[2], "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		cr_assert_eq(line[0], ':');
		char *err = NULL;
		cr_expect_eq(commands_line(&c, line + 1, &err), 0, "%s: %s", line, err);
		free(err);
	}
	cr_assert_not(c.wrap);

	config_free(&c);
	strlist_free(&errors);
	strlist_free(&ex);
	char *rm = xasprintf("rm -rf '%s'", home);
	cr_assert_eq(system(rm), 0);
	free(rm);
	free(news);
	free(def);
	free(cfg);
	free(keys);
	free(extra);
	free(d1);
	free(d2);
	free(home);
}

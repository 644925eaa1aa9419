/* Headless replays: each tests/ui/NAME.script is played by the reader at a
 * fixed size, and what it dumps must equal tests/ui/NAME.expected. A first
 * line "# args: ..." gives the command-line arguments (default: seeds). */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"
#include "lede/util.h"

static const char *const ui_env_fixed[] = {"TZ=UTC", "LANG=C.UTF-8", "LC_ALL=C.UTF-8",
					   "HOME=/nonexistent", "XDG_CONFIG_HOME=/nonexistent",
					   "XDG_CACHE_HOME=/dev/null/no-cache", "NO_COLOR=1",
					   /* e and E (the monkey presses e) never start a
					    * person's own pager or editor */
					   "PAGER=true", "VISUAL=true", "EDITOR=true"};
enum { NFIXED = sizeof ui_env_fixed / sizeof *ui_env_fixed };

/* The pinned environment, with the marks in a fresh directory of their own
 * (XDG_STATE_HOME), so every replay starts with nothing read. */
struct ui_env {
	const char *v[NFIXED + 2];
	char state[64], dir[48], cache[80];
};

/* cached: a cache directory of its own (in the marks' one) in place of the
 * one that cannot be made, so that a second run loads lazy from it. */
static void ui_env_open(struct ui_env *e, bool cached)
{
	strcpy(e->dir, "/tmp/lede-ui-XXXXXX");
	cr_assert_not_null(mkdtemp(e->dir));
	snprintf(e->state, sizeof e->state, "XDG_STATE_HOME=%s", e->dir);
	memcpy(e->v, ui_env_fixed, sizeof ui_env_fixed);
	e->v[NFIXED] = e->state;
	e->v[NFIXED + 1] = NULL;
	if (!cached)
		return;
	snprintf(e->cache, sizeof e->cache, "XDG_CACHE_HOME=%s/cache", e->dir);
	cr_assert_eq(mkdir(e->cache + strlen("XDG_CACHE_HOME="), 0700), 0);
	for (size_t i = 0; i < NFIXED; i++)
		if (!strncmp(e->v[i], "XDG_CACHE_HOME=", 15))
			e->v[i] = e->cache;
}

static void ui_env_close(struct ui_env *e)
{
	char cmd[96];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", e->dir);
	if (system(cmd) != 0)
		cr_log_warn("could not remove %s", e->dir);
}

/* cached: played twice with a cache, the first run writing it and the
 * second loading every article lazy from it; the second's screens are
 * checked (the first's are the plain replay's). */
static void replay(const char *name, bool cached)
{
	char script[256], expected[256];
	snprintf(script, sizeof script, "tests/ui/%s.script", name);
	snprintf(expected, sizeof expected, "tests/ui/%s.expected", name);
	char *text = slurp(script, NULL);
	struct strlist args = {0};
	strlist_push(&args, xstrdup("--script"));
	strlist_push(&args, xstrdup(script));
	if (!strncmp(text, "# args:", 7)) {
		char *nl = strchr(text, '\n');
		char *line = xstrndup(text + 7, nl ? (size_t)(nl - text - 7) : strlen(text + 7));
		for (char *save, *w = strtok_r(line, " ", &save); w; w = strtok_r(NULL, " ", &save))
			strlist_push(&args, xstrdup(w));
		free(line);
	} else {
		strlist_push(&args, xstrdup("seeds"));
	}
	strlist_push(&args, NULL);
	args.n--;
	struct run r;
	struct ui_env env;
	ui_env_open(&env, cached);
	if (cached) {
		run_lede(&r, (const char *const *)args.v, env.v);
		cr_assert_eq(r.status, 0, "%s: exit %d: %s", name, r.status, r.err);
		run_free(&r);
		/* the marks the first run left would change the second's screens */
		char marks[96];
		snprintf(marks, sizeof marks, "%s/lede", env.dir);
		remove_tree(marks);
	}
	run_lede(&r, (const char *const *)args.v, env.v);
	ui_env_close(&env);
	char *want = slurp(expected, NULL);
	cr_assert_eq(r.status, 0, "%s: exit %d: %s", name, r.status, r.err);
	/* what the run may say on stderr (config errors): NAME.stderr, else nothing */
	char errpath[256];
	snprintf(errpath, sizeof errpath, "tests/ui/%s.stderr", name);
	char *want_err = access(errpath, F_OK) == 0 ? slurp(errpath, NULL) : xstrdup("");
	cr_assert_str_eq(r.err, want_err, "%s", name);
	free(want_err);
	if (strcmp(r.out, want)) {
		/* leave what we got beside the expectation, for a diff */
		char got[256];
		snprintf(got, sizeof got, "build/%s.got", name);
		FILE *f = fopen(got, "w");
		if (f) {
			fputs(r.out, f);
			fclose(f);
		}
		cr_assert_fail("%s: screens differ: diff %s %s", name, expected, got);
	}
	free(want);
	free(text);
	run_free(&r);
	strlist_free(&args);
}

#define UI_TEST(name)                                                   \
	Test(ui, name, .timeout = 30) { replay(#name, false); }          \
	Test(ui_lazy, name, .timeout = 60) { replay(#name, true); }

UI_TEST(list)
UI_TEST(detail)
UI_TEST(related)
UI_TEST(outlets)
UI_TEST(history)
UI_TEST(search)
UI_TEST(filter)
UI_TEST(sort)
UI_TEST(resize)
UI_TEST(wide)
UI_TEST(help)
UI_TEST(panes)
UI_TEST(hostile)
UI_TEST(prompt)
UI_TEST(emacs)
UI_TEST(config)
UI_TEST(marks)
UI_TEST(commands)
UI_TEST(newsboat)
UI_TEST(edge)
UI_TEST(ascii)
UI_TEST(split)
UI_TEST(keys)
UI_TEST(triage)
UI_TEST(readview)
UI_TEST(follow)
UI_TEST(problems)
UI_TEST(quitall)
UI_TEST(patterns)
UI_TEST(query)
UI_TEST(textwidth)
UI_TEST(listheight)
UI_TEST(dups)
UI_TEST(splitkeys)
UI_TEST(columns)
UI_TEST(urls)
UI_TEST(options)
UI_TEST(grouped)
UI_TEST(facets)
UI_TEST(facetswide)
UI_TEST(storyfind)
UI_TEST(searchfold)
UI_TEST(facetspin)

/* Every script in tests/ui has a test above: none is forgotten. */
Test(ui, every_script_is_run)
{
	static const char *known[] = {"list", "detail", "related", "history", "search", "filter",
				      "sort", "resize", "wide", "help", "panes", "hostile",
				      "prompt", "emacs", "config", "marks",
				      "commands", "newsboat", "edge", "ascii", "split", "keys",
				      "triage", "readview", "follow", "problems", "quitall", "patterns",
				      "query", "outlets", "textwidth", "listheight", "dups", "splitkeys", "columns", "urls", "options",
				      "grouped", "facets", "facetswide", "storyfind", "searchfold", "facetspin"};
	DIR *d = opendir("tests/ui");
	cr_assert_not_null(d);
	struct dirent *e;
	size_t scripts = 0;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (n < 8 || strcmp(e->d_name + n - 7, ".script"))
			continue;
		scripts++;
		bool found = false;
		for (size_t i = 0; i < sizeof known / sizeof *known; i++)
			found |= strlen(known[i]) == n - 7 && !strncmp(known[i], e->d_name, n - 7);
		cr_assert(found, "tests/ui/%s has no test", e->d_name);
	}
	closedir(d);
	cr_assert_eq(scripts, sizeof known / sizeof *known);
}

/* A monkey at the keyboard: thousands of keys, every default binding and
 * printable junk, at shifting sizes, over the corpus. The reader must end
 * cleanly (under the sanitizer build too, when LEDE_BIN points at it). */
Test(ui, monkey, .timeout = 120)
{
	static const char *keys[] = {
		"j", "k", "g", "G", "Down", "Up", "Home", "End", "C-d", "C-u", "PgDn", "PgUp",
		"Space", "Enter", "Tab", "z", "r", "Backspace", "h", "l", "/", "n", "N", "f", "s",
		"S", "v", "P", "?", ":", "C-l", "Esc", "q", "a", "(", "\\", "*", "[", "O", "x",
		"Left", "Right", "F1", "M-x", "C-u", "e", "1", "F"};
	char path[] = "/tmp/lede-monkey-XXXXXX";
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	FILE *f = fdopen(fd, "w");
	unsigned long long x = 0x9e3779b97f4a7c15ull; /* a fixed seed: runs repeat */
	for (int i = 0; i < 3000; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		const char *k = keys[x % (sizeof keys / sizeof *keys)];
		/* never quit from the list, never open a real browser */
		if (!strcmp(k, "q") || !strcmp(k, "O"))
			k = "Esc";
		fprintf(f, "key %s\n", k);
		if (x % 97 == 0)
			fprintf(f, "resize %dx%d\n", (int)((x >> 8) % 200) + 1, (int)((x >> 16) % 60) + 1);
		if (x % 89 == 0)
			fprintf(f, "type sort\n");
	}
	fprintf(f, "dump end\n");
	fclose(f);
	struct run r;
	struct ui_env env;
	ui_env_open(&env, false);
	run_lede(&r, (const char *[]){"--script", path, "tests/corpus", "seeds", NULL}, env.v);
	ui_env_close(&env);
	unlink(path);
	cr_assert_eq(r.status, 0, "exit %d: %.2000s", r.status, r.err);
	cr_assert(strstr(r.out, "--- end") != NULL);
	run_free(&r);
}

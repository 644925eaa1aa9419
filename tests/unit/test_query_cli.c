/* Queries on the command line and saved views: -q with --list, --json,
 * --check, with -e; a malformed query and an unknown view exit 2 with a
 * message; view lines of a config file; :view at the prompt. --list -q is
 * held against the module evaluating the query over a whole load of the
 * same files, printed as --list prints. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "helpers.h"
#include "lede/commands.h"
#include "lede/config.h"
#include "lede/output.h"
#include "lede/query.h"
#include "lede/querylang.h"
#include "lede/store.h"
#include "lede/util.h"

static char *tmp, *state_env;

static void setup(void)
{
	tmp = temp_dir("query-cli");
	state_env = xasprintf("XDG_STATE_HOME=%s", tmp);
}

static void teardown(void)
{
	temp_dir_free(tmp);
	free(state_env);
}

TestSuite(query_cli, .init = setup, .fini = teardown, .timeout = 60);

static void run(struct run *r, const char *const *argv)
{
	const char *env[] = {state_env, "XDG_CONFIG_HOME=/nonexistent", "TZ=UTC", NULL};
	run_lede(r, argv, env);
}

/* What --list prints for the articles of path that query matches (all
 * unread, none starred: no marks are kept here). */
static char *list_of(const char *path, const char *query)
{
	struct store s;
	struct store_opts opts = {0};
	store_init(&s);
	store_load(&s, &path, 1, &opts);
	char *err = NULL;
	struct querylang *q = querylang_compile(query, (int64_t)time(NULL), &err);
	cr_assert_not_null(q, "%s: %s", query, err);
	struct querylang_eval *e = querylang_eval_new(q, &s);
	size_t *idx = xmalloc(s.n * sizeof *idx), n = 0;
	for (size_t i = 0; i < s.n; i++)
		if (querylang_match(e, i))
			idx[n++] = i;
	query_sort(&s, idx, n, (struct sort_order){SORT_DATE, true});
	struct buf b = {0};
	buf_str(&b);
	for (size_t i = 0; i < n; i++)
		output_list_line(&b, s.v[idx[i]]);
	querylang_eval_free(e);
	querylang_free(q);
	free(idx);
	store_free(&s);
	return (char *)buf_str(&b);
}

static size_t lines(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* Each atom that reads more than the list's columns (the excerpt, URLs,
 * links, backlinks, the marks) prints what the module says it matches. */
Test(query_cli, list_prints_what_the_query_matches)
{
	static const char *const queries[] = {
		"~q 80..", "~e coral", "~u /amp/", "~L", "~B", "~L !~B", "~N ~d 2021-03",
		"~F | ~t \"^Computer Vision$\"", "!~p venturebeat ~h 0..", "~y video | ~y course",
	};
	const char *const dirs[] = {"tests/corpus", "tests/corpus-site"};
	size_t nonempty = 0;
	for (size_t d = 0; d < 2; d++) {
		for (size_t i = 0; i < sizeof queries / sizeof *queries; i++) {
			char *want = list_of(dirs[d], queries[i]);
			struct run r;
			run(&r, (const char *[]){"--list", "--no-cache", "-q", queries[i], dirs[d],
						 NULL});
			cr_assert_eq(r.status, 0, "%s: %s", queries[i], r.err);
			cr_assert_str_eq(r.out, want, "--list -q '%s' %s", queries[i], dirs[d]);
			nonempty += lines(want) > 0;
			run_free(&r);
			/* and through a cache, written then read */
			run(&r, (const char *[]){"--list", "-q", queries[i], dirs[d], NULL});
			cr_assert_str_eq(r.out, want, "cached: --list -q '%s' %s", queries[i],
					 dirs[d]);
			run_free(&r);
			free(want);
		}
	}
	cr_assert_geq(nonempty, 12);
}

Test(query_cli, json_takes_a_query)
{
	struct run r;
	run(&r, (const char *[]){"--json", "--no-cache", "-q", "seer ~d 2021-03-04", "seeds",
				 NULL});
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_eq(lines(r.out), 1);
	cr_assert(strstr(r.out, "\"webUrl\":\"https://siliconangle.com/2021/03/04/"));
	run_free(&r);
	run(&r, (const char *[]){"--json", "--no-cache", "-q", "~d 2021-03", "seeds", NULL});
	cr_assert_eq(lines(r.out), 4);
	run_free(&r);
}

/* -e and -q: both must match. */
Test(query_cli, search_and_query_together)
{
	struct run r;
	run(&r, (const char *[]){"--list", "--no-cache", "-e", "venturebeat", "-q", "~d 2021-03",
				 "seeds", NULL});
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_eq(lines(r.out), 1, "%s", r.out);
	cr_assert(strstr(r.out, "2021-03-04T07:00:00Z\t74\t94\tVentureBeat\t"));
	run_free(&r);
	run(&r, (const char *[]){"--list", "--no-cache", "-e", "venturebeat", "seeds", NULL});
	cr_assert_eq(lines(r.out), 2);
	run_free(&r);
	run(&r, (const char *[]){"--list", "--no-cache", "-q", "~d 2021-03", "seeds", NULL});
	cr_assert_eq(lines(r.out), 4);
	run_free(&r);
}

Test(query_cli, check_counts_the_matches)
{
	struct run r;
	run(&r, (const char *[]){"--check", "--no-cache", "-q", "~d 2021-03", "seeds", NULL});
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "5 files, 5 articles, 0 not articles, 0 problems, 4 matching\n");
	run_free(&r);
}

Test(query_cli, a_malformed_query_exits_2)
{
	static const struct {
		const char *query, *err;
	} v[] = {
		{"~N ~F vision ~q", "lede: query:16: expected a range after ~q\n"},
		{"seer)", "lede: query:5: unexpected )\n"},
		{"seer|", "lede: query:6: expected a query after | (for a regex, write /regex/)\n"},
		{"~q \x1b[31m", "lede: query:4: expected a range after ~q\n"},
		{"~T \"\x1b[2J", "lede: query:4: unterminated quote\n"},
	};
	const char *const modes[] = {"--list", "--json", "--check"};
	for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
		for (size_t m = 0; m < 3; m++) {
			struct run r;
			run(&r, (const char *[]){modes[m], "-q", v[i].query, "seeds", NULL});
			cr_assert_eq(r.status, 2, "%s %s", modes[m], v[i].query);
			cr_assert_str_eq(r.err, v[i].err, "%s %s", modes[m], v[i].query);
			cr_assert_str_eq(r.out, "");
			run_free(&r);
		}
	}
	/* the reader too, before it takes the terminal */
	struct run r;
	run(&r, (const char *[]){"-q", "~q", "seeds", NULL});
	cr_assert_eq(r.status, 2);
	cr_assert_str_eq(r.err, "lede: query:3: expected a range after ~q\n");
	run_free(&r);
}

/* --view NAME: a view of the config; with -q, both. */
Test(query_cli, view_on_the_command_line)
{
	char *cfg = xasprintf("%s/config", tmp);
	write_text(cfg, "view best ~q 80..   # high quality\n"
			"view march ~d 2021-03\n"
			"view broken ~q x\n");
	struct run r;
	run(&r, (const char *[]){"-c", cfg, "--list", "--no-cache", "--view", "best", "seeds",
				 NULL});
	cr_assert_eq(r.status, 0, "%s", r.err);
	char *want = list_of("seeds", "~q 80..");
	cr_assert_str_eq(r.out, want);
	free(want);
	/* the bad line is said, with its file and line, and the rest works */
	char *bad = xasprintf("lede: %s:3: view broken: query:4: expected a range after ~q\n", cfg);
	cr_assert_str_eq(r.err, bad);
	run_free(&r);
	run(&r, (const char *[]){"-c", cfg, "--list", "--no-cache", "--view", "march", "-q",
				 "venturebeat", "seeds", NULL});
	cr_assert_eq(lines(r.out), 1, "%s", r.out);
	run_free(&r);
	/* an unknown view, or one that was not saved, exits 2 */
	const char *const names[] = {"nope", "broken"};
	for (size_t i = 0; i < 2; i++) {
		run(&r, (const char *[]){"-c", cfg, "--list", "--view", names[i], "seeds", NULL});
		cr_assert_eq(r.status, 2);
		char *msg = xasprintf("%slede: unknown view '%s' (saved views: best, march)\n", bad,
				      names[i]);
		cr_assert_str_eq(r.err, msg);
		cr_assert_str_eq(r.out, "");
		free(msg);
		run_free(&r);
	}
	run(&r, (const char *[]){"--list", "--view", "best", "seeds", NULL});
	cr_assert_eq(r.status, 2);
	cr_assert_str_eq(r.err, "lede: unknown view 'best' (no view is saved: 'view NAME QUERY' "
				"in the config saves one)\n");
	run_free(&r);
	free(bad);
	free(cfg);
}

/* view lines in a config file: the rest of the line after the name is
 * the query, quotes and backslashes kept, a comment left out; a later
 * line replaces; a bad query is FILE:LINE: and not saved. */
Test(query_cli, views_from_a_config_file)
{
	char *path = xasprintf("%s/views.conf", tmp);
	write_text(path, "view week ~N ~d <7d            # unread, the last week\n"
			 "view ai ~t \"^AI #1$\" | /a\\/b # c/ # comment\n"
			 "view best ~q 50..\n"
			 "view best ~q 80..\n"
			 "view\n"
			 "view lonely\n"
			 "view bad ~d 2021-13\n");
	struct config c;
	config_init(&c);
	struct strlist errors = {0};
	cr_assert_eq(commands_load_file(&c, path, false, &errors), 0);
	cr_assert_eq(c.view_names.n, 3);
	cr_assert_str_eq(config_view(&c, "week"), "~N ~d <7d");
	cr_assert_str_eq(config_view(&c, "ai"), "~t \"^AI #1$\" | /a\\/b # c/");
	cr_assert_str_eq(config_view(&c, "best"), "~q 80..");
	cr_assert_null(config_view(&c, "bad"));
	cr_assert_eq(errors.n, 3);
	char *e1 = xasprintf("%s:5: usage: view NAME QUERY", path);
	char *e2 = xasprintf("%s:6: usage: view NAME QUERY", path);
	char *e3 = xasprintf("%s:7: view bad: query:4: expected a date range after ~d", path);
	cr_assert_str_eq(errors.v[0], e1);
	cr_assert_str_eq(errors.v[1], e2);
	cr_assert_str_eq(errors.v[2], e3);
	free(e1);
	free(e2);
	free(e3);
	strlist_free(&errors);
	config_free(&c);
	free(path);
}

/* The shipped examples of lede(5) are views that load. */
Test(query_cli, man_page_views_load)
{
	char *man = slurp("man/lede.5", NULL);
	struct config c;
	config_init(&c);
	size_t n = 0;
	for (char *save, *line = strtok_r(man, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "view ", 5))
			continue;
		char *err = NULL;
		cr_expect_eq(commands_line(&c, line, &err), 0, "%s: %s", line, err);
		n++;
	}
	cr_assert_eq(n, 4);
	cr_assert_str_eq(config_view(&c, "week"), "~N ~d <7d");
	cr_assert_str_eq(config_view(&c, "starred"), "~F");
	cr_assert_str_eq(config_view(&c, "best"), "~q 80..");
	cr_assert_str_eq(config_view(&c, "news"), "~h 100..");
	config_free(&c);
	free(man);
}

/* At the prompt: view NAME applies (the UI's hook), view alone asks for
 * the list, and neither is a change of the config. */
struct calls {
	struct strlist log;
};

static void h_view(void *app, const char *name)
{
	strlist_pushf(&((struct calls *)app)->log, "view %s", name ? name : "(none)");
}

static void h_changed(void *app, const char *line)
{
	strlist_pushf(&((struct calls *)app)->log, "changed %s", line);
}

Test(query_cli, view_at_the_prompt)
{
	struct calls calls = {0};
	struct commands_ui ui = {.app = &calls, .view = h_view, .config_changed = h_changed};
	struct config c;
	config_init(&c);
	char *err = NULL;
	cr_assert_eq(commands_prompt(&c, &ui, "view best ~q 80..", &err), 0, "%s", err);
	cr_assert_eq(commands_prompt(&c, &ui, "view best", &err), 0, "%s", err);
	cr_assert_eq(commands_prompt(&c, &ui, "view", &err), 0, "%s", err);
	cr_assert_eq(commands_prompt(&c, &ui, "view nope", &err), -1);
	cr_assert_str_eq(err, "no view 'nope': view NAME QUERY saves one");
	free(err);
	err = NULL;
	cr_assert_eq(commands_prompt(&c, &ui, "view x ~q", &err), -1);
	cr_assert_str_eq(err, "view x: query:3: expected a range after ~q");
	free(err);
	cr_assert_eq(calls.log.n, 3);
	cr_assert_str_eq(calls.log.v[0], "changed view best ~q 80..");
	cr_assert_str_eq(calls.log.v[1], "view best");
	cr_assert_str_eq(calls.log.v[2], "view (none)");
	/* Tab completes the names */
	struct strlist cands = {0};
	size_t at = commands_complete("view b", &c, &ui, &cands);
	cr_assert_eq(at, 5);
	cr_assert_eq(cands.n, 1);
	cr_assert_str_eq(cands.v[0], "best");
	strlist_free(&cands);
	strlist_free(&calls.log);
	config_free(&c);
}

/* The reader takes -q as its filter, with -e's pattern ANDed, and its
 * status line shows the query. */
Test(query_cli, reader_starts_with_the_query)
{
	char *script = xasprintf("%s/start.script", tmp);
	write_text(script, "dump start\nexpect rows 1\n");
	struct run r;
	run(&r, (const char *[]){"--script", script, "--size", "100x24", "-e", "venture", "-q",
				 "~q 80..", "seeds", NULL});
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.err, "");
	cr_assert(strstr(r.out, "filter: (venture) (~q 80..)"), "%s", r.out);
	cr_assert(strstr(r.out, "[list] 1/1 of 5"), "%s", r.out);
	run_free(&r);
	run(&r, (const char *[]){"--script", script, "--size", "100x24", "-e", "a/b|venture ~q",
				 "seeds", NULL});
	cr_assert(strstr(r.out, "filter: /a\\/b|venture ~q/"), "%s", r.out);
	run_free(&r);
	free(script);
}

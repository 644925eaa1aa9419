/* The views' own state, seen from outside: the story view keeps its
 * wrapped lines to itself, and a config change made live (:set wrap,
 * :set date-format) reaches them through the pane, whichever view the
 * story pane shows at that moment and whether it is hidden. Each case is
 * a headless script over the seeds; its last screen must show (and not
 * show) the given text. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "lede/util.h"

/* The first seed in date order, as the story pane shows it at 80x24. */
#define DATE_BEFORE "Date       2021-04-30 14:00"
#define DATE_AFTER "Date       30.04.2021"
#define EXCERPT_END "without training on a labeled dataset."
#define SET_DATE "type :set date-format %d.%m.%Y\nkey Enter\n"

struct view_case {
	int n;
	const char *script; /* played before "dump last" */
	const char *want, *want_too, *unwanted;
};

static struct view_case view_cases[] = {
	/* the story as opened */
	{1, "key Enter\n", DATE_BEFORE, "line 1/17", DATE_AFTER},
	/* the date is made again in the new format */
	{2, "key Enter\n" SET_DATE, DATE_AFTER, "line 1/17", DATE_BEFORE},
	/* without wrap, the excerpt is one clipped line: fewer lines */
	{3, "key Enter\ntype :set wrap no\nkey Enter\n", "line 1/16", DATE_BEFORE, EXCERPT_END},
	/* and wrapped again when wrap comes back */
	{4, "key Enter\ntype :set wrap no\nkey Enter\ntype :set wrap yes\nkey Enter\n",
	 "line 1/17", EXCERPT_END, "line 1/16"},
	/* changed while the related view covers the story: q shows it new */
	{5, "key Enter r\n" SET_DATE "key q\n", DATE_AFTER, "[story]", DATE_BEFORE},
	/* changed while the story pane is hidden: Tab shows it new */
	{6, "key Enter q\n" SET_DATE "key Tab\n", DATE_AFTER, "[story]", DATE_BEFORE},
	/* back in history to the story, after the change */
	{7, "key Enter r j\nkey Enter\n" SET_DATE "key h q\n", DATE_AFTER, "[story]", DATE_BEFORE},
};

ParameterizedTestParameters(views, story_lines_follow_config)
{
	return cr_make_param_array(struct view_case, view_cases,
				   sizeof view_cases / sizeof *view_cases);
}

ParameterizedTest(struct view_case *c, views, story_lines_follow_config, .timeout = 30)
{
	char *dir = temp_dir("views");
	char *path = xasprintf("%s/s.script", dir), *state = xasprintf("XDG_STATE_HOME=%s", dir);
	char *script = xasprintf("%sdump last\n", c->script);
	write_text(path, script);
	const char *argv[] = {"--script", path, "--size", "80x24", "seeds", NULL};
	const char *env[] = {"TZ=UTC", "LANG=C.UTF-8", "LC_ALL=C.UTF-8", "HOME=/nonexistent",
			     "XDG_CONFIG_HOME=/nonexistent", "XDG_CACHE_HOME=/dev/null/no-cache",
			     "NO_COLOR=1", state, NULL};
	struct run r;
	run_lede(&r, argv, env);
	cr_assert_eq(r.status, 0, "case %d: exit %d: %s", c->n, r.status, r.err);
	cr_assert_str_eq(r.err, "", "case %d", c->n);
	const char *last = strstr(r.out, "--- last (80x24)\n");
	cr_assert_not_null(last, "case %d: no last screen:\n%s", c->n, r.out);
	cr_expect_not_null(strstr(last, c->want), "case %d: no '%s' in\n%s", c->n, c->want, last);
	cr_expect_not_null(strstr(last, c->want_too), "case %d: no '%s' in\n%s", c->n, c->want_too,
			   last);
	cr_expect_null(strstr(last, c->unwanted), "case %d: '%s' in\n%s", c->n, c->unwanted, last);
	run_free(&r);
	free(script);
	free(state);
	free(path);
	temp_dir_free(dir);
}

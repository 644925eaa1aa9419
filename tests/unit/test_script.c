/* The headless player's own language: what a bad line or a false
 * expectation says (path:line), whether the script goes on after it, and
 * the exit status. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

struct script_case {
	int n;
	const char *script;
	const char *err;   /* after "PATH:": "" for none */
	bool goes_on;      /* the dump on the last line is played */
	int status;
};

static struct script_case script_cases[] = {
	{1, "# a comment\n\n   dump one\n", "", true, 0},
	{2, "key j Zz j\ndump one\n", "1: bad key name 'Zz'\n", true, 2},
	{3, "key j\nmouse frob 1 2\ndump one\n",
	 "2: mouse wants click|double|wheel-up|wheel-down X Y\n", false, 2},
	{4, "resize 10\ndump one\n", "1: resize wants COLSxROWS\n", false, 2},
	{5, "key j\n\nzap it\ndump one\n", "3: unknown script command 'zap'\n", false, 2},
	{6, "type /x\r\nkey Escape\ndump one\n", "2: bad key name 'Escape'\n", true, 2},
	/* expectations: true ones say nothing; a false one is said, the
	 * script goes on, and the run fails */
	{7, "expect rows 5\nexpect status sort: date desc\nexpect view list\nexpect selected "
	    "VentureBeat\nexpect story ^Story:\nexpect screen Provider\ntype /seer\n"
	    "expect message ^/seer$\ndump one\n",
	 "", true, 0},
	{8, "expect rows 4\ndump one\n", "1: expect rows '4' failed: found '5'\n", true, 1},
	{9, "key Tab\nexpect view list\ndump one\n", "2: expect view 'list' failed: found 'story'\n",
	 true, 1},
	{10, "config set group none\nkey s\nexpect status sort: heat\ndump one\n",
	 "3: expect status 'sort: heat' failed: found ' [list] 1/5  sort: quality desc  unread: 5  "
	 "starred: 0'\n",
	 true, 1},
	{11, "expect message .\ndump one\n", "1: expect message '.' failed: found ''\n", true, 1},
	{12, "key Enter q\nexpect story .\ndump one\n",
	 "2: expect story '.' failed: found the story pane closed\n", true, 1},
	{13, "expect status (bad\ndump one\n",
	 "1: expect status: invalid regex at offset 4: missing closing parenthesis\n", true, 2},
	{14, "expect rows five\ndump one\n", "1: expect rows wants a number\n", true, 2},
	{15, "expect frob x\ndump one\n",
	 "1: expect wants status, message, selected, story, screen, match, rows, lines or view\n", false, 2},
	{16, "expect status\ndump one\n", "1: expect wants WHAT and what to expect\n", false, 2},
};

ParameterizedTestParameters(script, bad_lines)
{
	return cr_make_param_array(struct script_case, script_cases,
				   sizeof script_cases / sizeof *script_cases);
}

ParameterizedTest(struct script_case *c, script, bad_lines, .timeout = 30)
{
	char dir[] = "/tmp/lede-script-XXXXXX", path[64], state[64];
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/s.script", dir);
	snprintf(state, sizeof state, "XDG_STATE_HOME=%s", dir);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(c->script, f);
	fclose(f);
	const char *argv[] = {"--script", path, "--size", "80x24", "seeds", NULL};
	const char *env[] = {"TZ=UTC", "LANG=C.UTF-8", "LC_ALL=C.UTF-8", "HOME=/nonexistent",
			     "XDG_CONFIG_HOME=/nonexistent", "XDG_CACHE_HOME=/dev/null/no-cache",
			     "NO_COLOR=1", state, NULL};
	struct run r;
	run_lede(&r, argv, env);
	char want[256];
	snprintf(want, sizeof want, "%s%s%s", *c->err ? path : "", *c->err ? ":" : "", c->err);
	cr_expect_str_eq(r.err, want, "case %d", c->n);
	cr_expect_eq(r.status, c->status, "case %d: exit %d", c->n, r.status);
	cr_expect_eq(strstr(r.out, "--- one (80x24)\n") != NULL, c->goes_on, "case %d", c->n);
	run_free(&r);
	char cmd[96];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_expect_eq(system(cmd), 0, "case %d: rm %s", c->n, dir);
}

/* The manual cannot drift from the action list, and it renders cleanly. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "lede/action.h"
#include "lede/util.h"

Test(man, every_action_with_its_keys)
{
	char *man = slurp("man/lede.1", NULL);
	for (int a = 1; a < ACT_COUNT; a++) {
		struct buf want = {0};
		buf_puts(&want, ".TP\n");
		char *keys = xstrdup(action_table[a].keys);
		bool first = true;
		for (char *save, *k = strtok_r(keys, " ", &save); k; k = strtok_r(NULL, " ", &save)) {
			buf_puts(&want, first ? "\\fB" : ", \\fB");
			roff_escape(&want, k);
			buf_puts(&want, "\\fR");
			first = false;
		}
		buf_puts(&want, "\n\\fI");
		roff_escape(&want, action_table[a].name);
		buf_puts(&want, "\\fR: ");
		roff_escape(&want, action_table[a].help);
		buf_puts(&want, "\n");
		cr_expect(strstr(man, buf_str(&want)) != NULL, "man/lede.1 lacks:\n%s", want.data);
		free(keys);
		buf_free(&want);
	}
	free(man);
}

Test(man, renders_without_warnings)
{
	static const char *pages[] = {"man/lede.1", "man/lede.5"};
	for (size_t i = 0; i < sizeof pages / sizeof *pages; i++) {
		char cmd[256];
		snprintf(cmd, sizeof cmd, "mandoc -T lint -W warning %s 2>&1", pages[i]);
		FILE *p = popen(cmd, "r");
		cr_assert_not_null(p);
		char out[4096];
		size_t n = fread(out, 1, sizeof out - 1, p);
		out[n] = '\0';
		int st = pclose(p);
		cr_assert_eq(st, 0, "%s: %s", pages[i], out);
		cr_assert_eq(n, 0, "%s: %s", pages[i], out);
	}
}

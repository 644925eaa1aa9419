/* A quality or heat of -1: not known, in these archives. --list prints it
 * empty, as a missing one, and both directions of the sort put it with
 * the missing ones, after every known score; --json keeps the file's -1.
 * (The reader's list and story pane show it as missing: tests/ui.) */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "lede/util.h"

static char *archive(void)
{
	char *dir = temp_dir("unknown-score");
	static const struct {
		const char *name, *title, *scores;
	} files[] = {
		{"a.md", "Alpha", "quality: 5\nheat: 7\n"},
		{"b.md", "Bravo", "quality: -1\nheat: -1\n"},
		{"c.md", "Charlie", ""},
		{"d.md", "Delta", "quality: 2\nheat: 3\n"},
	};
	for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
		char *p = xasprintf("%s/%s", dir, files[i].name);
		char *text = xasprintf("---\ntitle: \"%s\"\n%spublishedDateTime: 2020-01-0%zuT00:00:00Z\n"
				       "---\n",
				       files[i].title, files[i].scores, i + 1);
		write_text(p, text);
		free(text);
		free(p);
	}
	return dir;
}

/* The titles of --list's lines, in order, and each line's quality and heat
 * columns. */
static char *list(const char *dir, const char *sort)
{
	const char *argv[] = {"--list", "--no-cache", "-s", sort, dir, NULL};
	struct run r;
	run_lede(&r, argv, NULL);
	cr_assert_eq(r.status, 0, "%s", r.err);
	struct buf b = {0};
	for (char *save, *line = strtok_r(r.out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *col[6] = {0};
		size_t n = 0;
		for (char *p = line; n < 6; n++) {
			col[n] = p;
			char *tab = strchr(p, '\t');
			if (!tab)
				break;
			*tab = '\0';
			p = tab + 1;
		}
		cr_assert_geq(n, 4);
		buf_printf(&b, "%s[%s,%s] ", col[4], col[1], col[2]);
	}
	run_free(&r);
	return (char *)buf_str(&b);
}

Test(unknown_score, list_prints_it_missing_and_sorts_it_with_the_missing)
{
	char *dir = archive();
	static const struct {
		const char *sort, *want;
	} cases[] = {
		{"heat", "Alpha[5,7] Delta[2,3] Bravo[,] Charlie[,] "},
		{"heat:asc", "Delta[2,3] Alpha[5,7] Bravo[,] Charlie[,] "},
		{"quality", "Alpha[5,7] Delta[2,3] Bravo[,] Charlie[,] "},
		{"quality:asc", "Delta[2,3] Alpha[5,7] Bravo[,] Charlie[,] "},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *got = list(dir, cases[i].sort);
		cr_expect_str_eq(got, cases[i].want, "case %zu (-s %s)", i + 1, cases[i].sort);
		free(got);
	}
	temp_dir_free(dir);
}

Test(unknown_score, json_keeps_the_files_value)
{
	char *dir = archive();
	const char *argv[] = {"--json", "--no-cache", dir, NULL};
	struct run r;
	run_lede(&r, argv, NULL);
	cr_assert_eq(r.status, 0, "%s", r.err);
	char *bravo = strstr(r.out, "\"Bravo\"");
	cr_assert_not_null(bravo);
	char *line = bravo;
	while (line > r.out && line[-1] != '\n')
		line--;
	char *end = strchr(bravo, '\n');
	*end = '\0';
	cr_assert_not_null(strstr(line, "\"quality\":-1"), "%s", line);
	cr_assert_not_null(strstr(line, "\"heat\":-1"), "%s", line);
	run_free(&r);
	temp_dir_free(dir);
}

/* The command line, run as a person would run it. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <ctype.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>

#include "helpers.h"

struct list_case {
	const char *key, *dir;
};

ParameterizedTestParameters(cli, list_byte_for_byte)
{
	static struct list_case cases[] = {
		{"date", "asc"},     {"date", "desc"},    {"quality", "asc"}, {"quality", "desc"},
		{"heat", "asc"},     {"heat", "desc"},    {"title", "asc"},   {"title", "desc"},
		{"provider", "asc"}, {"provider", "desc"},
	};
	return cr_make_param_array(struct list_case, cases, sizeof cases / sizeof *cases);
}

ParameterizedTest(struct list_case *c, cli, list_byte_for_byte)
{
	char spec[64], path[128];
	snprintf(spec, sizeof spec, "%s:%s", c->key, c->dir);
	snprintf(path, sizeof path, "tests/expected/list-%s-%s.txt", c->key, c->dir);
	struct run r;
	run_lede(&r, (const char *[]){"--list", "--sort", spec, "seeds", NULL}, NULL);
	char *want = slurp(path, NULL);
	cr_assert_eq(r.status, 0);
	cr_assert_str_eq(r.out, want, "--sort %s", spec);
	cr_assert_str_eq(r.err, "");
	free(want);
	run_free(&r);
}

Test(cli, list_default_is_date_newest_first)
{
	struct run r;
	run_lede(&r, (const char *[]){"--list", "seeds", NULL}, NULL);
	char *want = slurp("tests/expected/list-date-desc.txt", NULL);
	cr_assert_str_eq(r.out, want);
	/* six tab-separated fields a line */
	for (char *l = r.out; *l;) {
		char *nl = strchr(l, '\n');
		cr_assert_not_null(nl);
		int tabs = 0;
		for (char *p = l; p < nl; p++)
			tabs += *p == '\t';
		cr_assert_eq(tabs, 5);
		l = nl + 1;
	}
	free(want);
	run_free(&r);
}

Test(cli, default_sort_direction_per_key)
{
	struct run a, b;
	run_lede(&a, (const char *[]){"--list", "-s", "title", "seeds", NULL}, NULL);
	char *want = slurp("tests/expected/list-title-asc.txt", NULL);
	cr_assert_str_eq(a.out, want);
	free(want);
	run_lede(&b, (const char *[]){"--list", "-s", "heat", "seeds", NULL}, NULL);
	want = slurp("tests/expected/list-heat-desc.txt", NULL);
	cr_assert_str_eq(b.out, want);
	free(want);
	run_free(&a);
	run_free(&b);
}

Test(cli, search_filters_list)
{
	struct run r;
	run_lede(&r, (const char *[]){"--list", "-e", "SEER", "seeds", NULL}, NULL);
	cr_assert_eq(r.status, 0);
	size_t lines = 0;
	for (char *p = r.out; *p; p++)
		lines += *p == '\n';
	cr_assert_eq(lines, 2);
	cr_assert(strstr(r.out, "SiliconANGLE") != NULL);
	run_free(&r);
}

Test(cli, invalid_regex_is_usage_error)
{
	struct run r;
	run_lede(&r, (const char *[]){"--list", "-e", "(unclosed", "seeds", NULL}, NULL);
	cr_assert_eq(r.status, 2);
	cr_assert_str_eq(r.err, "lede: invalid regex at offset 9: missing closing parenthesis\n");
	cr_assert_str_eq(r.out, "");
	run_free(&r);
}

Test(cli, bad_usage_exits_2)
{
	struct run r;
	run_lede(&r, (const char *[]){"--list", "--sort", "colour", "seeds", NULL}, NULL);
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err, "bad sort 'colour'") != NULL);
	run_free(&r);
	run_lede(&r, (const char *[]){"--no-such-option", NULL}, NULL);
	cr_assert_eq(r.status, 2);
	run_free(&r);
}

Test(cli, help_and_version)
{
	struct run r;
	run_lede(&r, (const char *[]){"--help", NULL}, NULL);
	cr_assert_eq(r.status, 0);
	cr_assert(!strncmp(r.out, "usage: lede", 11));
	cr_assert(strstr(r.out, "lede(1)") != NULL);
	run_free(&r);
	run_lede(&r, (const char *[]){"-V", NULL}, NULL);
	cr_assert_eq(r.status, 0);
	cr_assert(!strncmp(r.out, "lede ", 5));
	run_free(&r);
}

Test(cli, check_reports_and_exits_1)
{
	struct run r;
	run_lede(&r, (const char *[]){"--check", "tests/data/bad", NULL}, NULL);
	cr_assert_eq(r.status, 1);
	cr_assert(strstr(r.err, "tests/data/bad/no-close.md:1:1: front matter is not closed") !=
		  NULL);
	size_t lines = 0;
	for (char *p = r.err; *p; p++)
		lines += *p == '\n';
	cr_assert_eq(lines, 13);
	cr_assert_str_eq(r.out, "11 files, 4 articles, 3 not articles, 13 problems\n");
	/* no opening '---', nothing at all, an empty front matter: met by a
	 * walk, not articles, and no problem */
	cr_assert_null(strstr(r.err, "no-open.md"), "%s", r.err);
	cr_assert_null(strstr(r.err, "empty"), "%s", r.err);
	run_free(&r);
	run_lede(&r, (const char *[]){"--check", "seeds", NULL}, NULL);
	cr_assert_eq(r.status, 0);
	cr_assert_str_eq(r.err, "");
	run_free(&r);
}

Test(cli, nothing_loaded_exits_1)
{
	struct run r;
	run_lede(&r, (const char *[]){"--list", "tests/data/bad/no-open.md", NULL}, NULL);
	cr_assert_eq(r.status, 1);
	cr_assert(strstr(r.err, "no article could be loaded") != NULL);
	run_free(&r);
}

Test(cli, corpus_loads_whole)
{
	struct run r;
	run_lede(&r, (const char *[]){"--check", "tests/corpus", NULL}, NULL);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.err, "");
	cr_assert_str_eq(r.out, "90 files, 90 articles, 0 not articles, 0 problems\n");
	run_free(&r);
	run_lede(&r, (const char *[]){"--list", "tests/corpus", NULL}, NULL);
	size_t lines = 0;
	for (char *p = r.out; *p; p++)
		lines += *p == '\n';
	cr_assert_eq(lines, 90);
	run_free(&r);
}

/* A small JSON validator: enough to prove each line is one JSON value. */
static const char *json_value(const char *p);

static const char *json_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	return p;
}

static const char *json_string(const char *p)
{
	if (*p++ != '"')
		return NULL;
	while (*p != '"') {
		unsigned char c = (unsigned char)*p;
		if (c < 0x20 || c >= 0x80)
			return NULL; /* lede writes ASCII only */
		if (c == '\\') {
			p++;
			if (*p == 'u') {
				for (int i = 1; i <= 4; i++)
					if (!isxdigit((unsigned char)p[i]))
						return NULL;
				p += 4;
			} else if (!strchr("\"\\/bfnrt", *p) || !*p) {
				return NULL;
			}
		}
		p++;
	}
	return p + 1;
}

static const char *json_value(const char *p)
{
	p = json_ws(p);
	if (*p == '"')
		return json_string(p);
	if (*p == '{' || *p == '[') {
		char close = *p == '{' ? '}' : ']';
		bool obj = *p == '{';
		p = json_ws(p + 1);
		if (*p == close)
			return p + 1;
		for (;;) {
			if (obj) {
				if (!(p = json_string(json_ws(p))))
					return NULL;
				p = json_ws(p);
				if (*p++ != ':')
					return NULL;
			}
			if (!(p = json_value(p)))
				return NULL;
			p = json_ws(p);
			if (*p == close)
				return p + 1;
			if (*p++ != ',')
				return NULL;
		}
	}
	if (!strncmp(p, "true", 4) || !strncmp(p, "null", 4))
		return p + 4;
	if (!strncmp(p, "false", 5))
		return p + 5;
	const char *s = p;
	if (*p == '-')
		p++;
	while (isdigit((unsigned char)*p))
		p++;
	return p > s ? p : NULL;
}

Test(cli, json_lines_are_valid)
{
	struct run r;
	run_lede(&r, (const char *[]){"--json", "seeds", "tests/corpus", NULL}, NULL);
	cr_assert_eq(r.status, 0);
	/* the curly apostrophe as an escape, the first seed's fields */
	cr_assert(strstr(r.out, "\"title\":\"Facebook\\u2019s new computer vision model") != NULL);
	cr_assert(strstr(r.out, "\"publishedDateTime\":\"2021-03-04T07:00:00Z\"") != NULL);
	cr_assert(strstr(r.out, "\"quality\":74,\"heat\":94,\"published\":true") != NULL);
	size_t lines = 0;
	for (char *l = r.out; *l;) {
		char *nl = strchr(l, '\n');
		cr_assert_not_null(nl);
		*nl = '\0';
		const char *end = json_value(l);
		cr_assert_not_null(end, "line %zu is not JSON: %.200s", lines + 1, l);
		cr_assert_eq(*json_ws(end), '\0', "line %zu has trailing bytes", lines + 1);
		lines++;
		l = nl + 1;
	}
	cr_assert_eq(lines, 95);
	run_free(&r);
}

Test(cli, json_escapes)
{
	struct run r;
	run_lede(&r, (const char *[]){"--json", "tests/data/escapes.md", NULL}, NULL);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(strstr(r.out, "\"title\":\"Quote \\\" back \\\\ tab \\t nl \\n bell \\u0007 "
				"e \\u00e9 emoji \\ud83d\\ude00\"") != NULL,
		  "%s", r.out);
	run_free(&r);
}

Test(cli, json_carries_the_marks)
{
	char dir[] = "/tmp/lede-marks-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char sub[64], file[96], env[96];
	snprintf(sub, sizeof sub, "%s/lede", dir);
	cr_assert_eq(mkdir(sub, 0700), 0);
	snprintf(file, sizeof file, "%s/marks", sub);
	FILE *f = fopen(file, "w");
	fputs("lede-marks 1\nrs\thttps://venturebeat.com/2021/03/04/facebooks-new-computer-vision-"
	      "model-achieves-state-of-the-art-performance-by-learning-from-random-images/\n",
	      f);
	fclose(f);
	snprintf(env, sizeof env, "XDG_STATE_HOME=%s", dir);
	struct run r;
	run_lede(&r, (const char *[]){"--json", "seeds", NULL}, (const char *[]){env, NULL});
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.err, "");
	size_t marked = 0, plain = 0;
	for (char *p = r.out; (p = strstr(p, "\"read\":true,\"starred\":true")); p++)
		marked++;
	for (char *p = r.out; (p = strstr(p, "\"read\":false,\"starred\":false")); p++)
		plain++;
	cr_assert_eq(marked, 1);
	cr_assert_eq(plain, 4);
	cr_assert(strstr(r.out, "\"published\":true,\"read\":true,\"starred\":true,"
				"\"provider\":{\"name\":\"VentureBeat\"") != NULL);
	run_free(&r);
	unlink(file);
	rmdir(sub);
	rmdir(dir);
}

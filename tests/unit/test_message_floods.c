/* A file that is mostly errors gives a bounded number of messages: the
 * first ones, then one line saying the rest are not reported; what is right
 * in it still applies. A config (a binary file sourced by mistake, a file
 * of garbage sourced again and again) and a damaged marks file. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"
#include "lede/commands.h"
#include "lede/config.h"
#include "lede/state.h"
#include "lede/util.h"

static char *tmp;

static void setup(void)
{
	tmp = temp_dir("flood");
}

static void teardown(void)
{
	temp_dir_free(tmp);
}

TestSuite(floods, .init = setup, .fini = teardown, .timeout = 60);

static char *write_file(const char *name, const char *text)
{
	char *p = xasprintf("%s/%s", tmp, name);
	write_text(p, text);
	return p;
}

/* 100,000 bad lines, sourced three times, then a good line. */
static char *garbage_config(void)
{
	struct buf b = {0};
	for (int i = 0; i < 100000; i++)
		buf_puts(&b, "x\n");
	buf_puts(&b, "set sort title\n");
	free(write_file("garbage", buf_str(&b)));
	buf_free(&b);
	return write_file("config", "source garbage\nsource garbage\nsource garbage\n"
				    "set layout vertical\n");
}

Test(floods, errors_of_one_load_are_bounded)
{
	char *p = garbage_config();
	struct config c;
	config_init(&c);
	struct strlist errors = {0};
	cr_assert_eq(commands_load_file(&c, p, false, &errors), 0);
	/* 300,000 before: a long wait on a terminal and hundreds of MB */
	cr_assert_leq(errors.n, 101, "%zu messages", errors.n);
	cr_assert_geq(errors.n, 100, "%zu messages", errors.n);
	cr_assert(strstr(errors.v[0], "garbage:1: unknown command 'x'"), "%s", errors.v[0]);
	const char *last = errors.v[errors.n - 1];
	cr_assert(strstr(last, "garbage:101: more than 100 errors in all, the rest not reported"),
		  "%s", last);
	/* what is right still applies, after the garbage and inside it */
	cr_assert_str_eq(c.sort, "title");
	cr_assert_eq(c.layout, LAYOUT_VERTICAL);
	strlist_free(&errors);
	config_free(&c);
	free(p);
}

/* The same file at the : prompt: one message that counts what it holds,
 * with as bounded a list behind it. */
Test(floods, errors_of_a_prompt_source_are_bounded)
{
	char *p = garbage_config();
	struct config c;
	config_init(&c);
	char *line = xasprintf("source %s", p), *err = NULL;
	commands_line(&c, line, &err);
	cr_assert_not_null(err);
	cr_assert(strstr(err, "(and 100 more)"), "%s", err);
	free(err);
	free(line);
	config_free(&c);
	free(p);
}

Test(floods, a_damaged_marks_file_is_reported_in_bounds)
{
	struct buf b = {0};
	buf_puts(&b, "lede-marks 1\n");
	for (int i = 0; i < 5000; i++)
		buf_puts(&b, i == 2500 ? "r\thttps://example.test/kept\n" : "x\n");
	char *p = write_file("marks", buf_str(&b));
	buf_free(&b);
	struct strlist msgs = {0};
	struct state *st = state_open(p, &msgs);
	/* 5,000 before */
	cr_assert_eq(msgs.n, 102, "%zu messages", msgs.n);
	cr_assert(strstr(msgs.v[0], "marks:2: malformed line, skipped"), "%s", msgs.v[0]);
	cr_assert(strstr(msgs.v[100], "marks:102: more than 100 malformed lines, the rest not "
				      "reported"),
		  "%s", msgs.v[100]);
	/* the line that says what happens to the file is never dropped */
	cr_assert(strstr(msgs.v[101], "damaged: it will be kept aside"), "%s", msgs.v[101]);
	cr_assert_eq(state_get(st, "https://example.test/kept"), MARK_READ);
	state_close(st);
	strlist_free(&msgs);
	free(p);
}

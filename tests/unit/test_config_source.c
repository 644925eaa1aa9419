/* `source` (and keymap files) bounded: a file met again while it is being
 * read is a loop, said once; the files and bytes one load reads are
 * bounded in all, so no config fans out into millions of reads. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"
#include "lede/commands.h"
#include "lede/config.h"
#include "lede/util.h"

static char *tmp;

static void setup(void)
{
	tmp = temp_dir("source");
}

static void teardown(void)
{
	temp_dir_free(tmp);
}

/* The old fan-out read 4^10 files: the watchdog ends a test that tries. */
TestSuite(source, .init = setup, .fini = teardown, .timeout = 30);

static char *write_file(const char *name, const char *text)
{
	char *p = xasprintf("%s/%s", tmp, name);
	write_text(p, text);
	return p;
}

/* Load path into a fresh config; its messages, with tmp taken out. */
static void load(const char *path, struct config *c, struct strlist *msgs)
{
	config_init(c);
	struct strlist errors = {0};
	cr_assert_eq(commands_load_file(c, path, false, &errors), 0);
	size_t tl = strlen(tmp);
	for (size_t i = 0; i < errors.n; i++) {
		const char *m = errors.v[i];
		strlist_push(msgs, xstrdup(strncmp(m, tmp, tl) ? m : m + tl + 1));
	}
	strlist_free(&errors);
}

static void self_source(int times)
{
	struct buf b = {0};
	for (int i = 0; i < times; i++)
		buf_puts(&b, "source self\n");
	buf_puts(&b, "set sort title\n");
	char *p = write_file("self", buf_str(&b));
	struct config c;
	struct strlist msgs = {0};
	load(p, &c, &msgs);
	cr_assert_eq(msgs.n, 1, "%zu messages, the first: %s", msgs.n, msgs.n ? msgs.v[0] : "");
	char *want = xasprintf("self:1: source loop: '%s/self' is already being read, not read again",
			       tmp);
	cr_assert_str_eq(msgs.v[0], want);
	/* the lines after the loop still apply */
	cr_assert_str_eq(c.sort, "title");
	free(want);
	strlist_free(&msgs);
	config_free(&c);
	free(p);
	buf_free(&b);
}

Test(source, a_file_that_sources_itself_twice)
{
	self_source(2);
}

Test(source, a_file_that_sources_itself_four_times)
{
	self_source(4);
}

Test(source, a_loop_through_two_files_and_two_names)
{
	char *a = write_file("a", "source b\nset layout vertical\n");
	/* b names a twice, by two paths: one loop, one message */
	free(write_file("b", "source a\nsource ./a\n"));
	struct config c;
	struct strlist msgs = {0};
	load(a, &c, &msgs);
	cr_assert_eq(msgs.n, 1, "%zu messages, the first: %s", msgs.n, msgs.v[0]);
	cr_assert(strstr(msgs.v[0], "b:1: source loop: '") && strstr(msgs.v[0], "/a' is already"),
		  "%s", msgs.v[0]);
	cr_assert_eq(c.layout, LAYOUT_VERTICAL);
	strlist_free(&msgs);
	config_free(&c);
	free(a);
}

Test(source, the_files_read_in_all_are_bounded)
{
	/* no loop: one file read again and again, 300 times */
	free(write_file("leaf", "set sort heat\n"));
	struct buf b = {0};
	for (int i = 0; i < 300; i++)
		buf_puts(&b, "source leaf\n");
	char *p = write_file("many", buf_str(&b));
	struct config c;
	struct strlist msgs = {0};
	load(p, &c, &msgs);
	cr_assert_eq(msgs.n, 1, "%zu messages", msgs.n);
	/* the file itself and 255 more */
	cr_assert_str_eq(msgs.v[0], "many:256: source: more than 256 files or 16 MiB read in all, "
				    "the rest skipped");
	cr_assert_str_eq(c.sort, "heat");
	strlist_free(&msgs);
	config_free(&c);
	free(p);
	buf_free(&b);
}

Test(source, a_keymap_that_loads_itself)
{
	char *k = write_file("keys", "set keymap ./keys\nbind list x quit\n");
	char *conf = xasprintf("set keymap %s\n", k);
	char *p = write_file("config", conf);
	struct config c;
	struct strlist msgs = {0};
	load(p, &c, &msgs);
	cr_assert_eq(msgs.n, 1, "%zu messages, the first: %s", msgs.n, msgs.n ? msgs.v[0] : "");
	cr_assert(strstr(msgs.v[0], "keys:1: keymap loop: '"), "%s", msgs.v[0]);
	strlist_free(&msgs);
	config_free(&c);
	free(conf);
	free(k);
	free(p);
}

/* Messages are one a line: U+2028 and U+2029, which editors, log viewers
 * and most languages' line splitting take as line breaks, are escaped in
 * them like the other characters that would break or hide a line, so that
 * a path or a value from a file cannot make one problem read as two. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"
#include "lede/util.h"

Test(message_separators, escaped_by_the_message_layer)
{
	struct buf b = {0};
	const char s[] = "a\xe2\x80\xa8" "b\xe2\x80\xa9" "c";
	buf_put_safe(&b, s, sizeof s - 1);
	cr_assert_str_eq(buf_str(&b), "a\\u{2028}b\\u{2029}c");
	buf_free(&b);
}

Test(message_separators, check_keeps_a_problem_on_one_line)
{
	char dir[] = "/tmp/lede-separators-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	/* a file whose name and whose bad value both hold a separator */
	char *path = xasprintf("%s/one\xe2\x80\xa8two.md", dir);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs("---\ntitle: t\npublishedDateTime: \"x\xe2\x80\xa9y\"\n---\n", f);
	fclose(f);
	const char *argv[] = {"--no-cache", "--check", dir, NULL};
	struct run r;
	run_lede(&r, argv, NULL);
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert_null(memmem(r.err, r.err_len, "\xe2\x80\xa8", 3), "raw U+2028: %s", r.err);
	cr_assert_null(memmem(r.err, r.err_len, "\xe2\x80\xa9", 3), "raw U+2029: %s", r.err);
	cr_assert(strstr(r.err, "one\\u{2028}two.md:3:"), "%s", r.err);
	cr_assert(strstr(r.err, "\"x\\u{2029}y\""), "%s", r.err);
	run_free(&r);
	unlink(path);
	rmdir(dir);
	free(path);
}

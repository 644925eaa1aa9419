/* spill: what is appended reads back the same, kept in memory or moved,
 * past its bound, to its file; a read across the file's end and memory's
 * start too. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lede/spill.h"
#include "lede/util.h"

/* A pattern of len bytes, NUL-free, that no shift of itself repeats
 * soon. */
static char *pattern(size_t len)
{
	char *p = xmalloc(len);
	for (size_t i = 0; i < len; i++)
		p[i] = (char)('a' + (i * 7 + i / 251) % 26);
	return p;
}

/* Append len bytes of p, settling after each piece as the writer does. */
static void fill(struct spill *s, const char *p, size_t len)
{
	for (size_t at = 0; at < len;) {
		size_t k = len - at < 1000 ? len - at : 1000;
		buf_add(&s->mem, p + at, k);
		spill_settle(s);
		at += k;
	}
}

static int make_file(void *ctx)
{
	(void)ctx;
	char path[] = "/tmp/lede-spill-XXXXXX";
	int fd = mkstemp(path);
	if (fd >= 0)
		unlink(path); /* unnamed, as the writer's own */
	return fd;
}

Test(spill, kept_in_memory_reads_back)
{
	size_t len = 3 * SPILL_BOUND + 17;
	char *p = pattern(len);
	struct spill s;
	spill_init(&s, NULL, NULL);
	fill(&s, p, len);
	cr_assert_eq(spill_size(&s), len);
	cr_assert_eq(s.in_file, 0, "moved to a file it has not");
	char *back = xmalloc(len);
	cr_assert_eq(spill_read(&s, 0, back, len), 0);
	cr_assert(!memcmp(back, p, len));
	free(back);
	spill_free(&s);
	free(p);
}

Test(spill, moved_to_its_file_reads_back)
{
	size_t len = 3 * SPILL_BOUND + 17;
	char *p = pattern(len);
	struct spill s;
	spill_init(&s, make_file, NULL);
	fill(&s, p, len);
	cr_assert_gt(s.in_file, 0, "nothing moved to the file: nothing tested");
	char *back = xmalloc(len);
	cr_assert_eq(spill_read(&s, 0, back, len), 0);
	cr_assert(!memcmp(back, p, len), "read back from file and memory, the bytes differ");
	/* a run across the file's end and memory's start */
	size_t at = (size_t)s.in_file - 5;
	cr_assert_eq(spill_read(&s, at, back, 10), 0);
	cr_assert(!memcmp(back, p + at, 10));
	free(back);
	spill_free(&s);
	free(p);
}

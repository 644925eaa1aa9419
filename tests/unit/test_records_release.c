/* The reader's memory after a warm start from the cache's records: what
 * it copied out of the records section is not held twice, the section's
 * pages being let go of once copied (the file keeps them), and what reads
 * a record later still reads the file's bytes. */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"
#include "lede/cache.h"
#include "lede/store.h"
#include "lede/util.h"

/* A copy of the corpus, old enough to be cached; the caller
 * temp_dir_frees it. */
static char *archive_copy(void)
{
	char *dir = temp_dir("release");
	char *cmd = xasprintf("cp -R tests/corpus/. '%s'/ && cp -R tests/corpus-site/. '%s'/site",
			      dir, dir);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
	wait_until_not_racy();
	return dir;
}

/* Where the records section of the cache at path begins, by its header
 * (88 bytes: the entries' count at 16, the heads' and bodies' bytes at 24
 * and 32; an index record of 72 bytes an entry), rounded down to a page:
 * where a mapping of the section begins in the file. */
static unsigned long long records_page(const char *path)
{
	size_t len;
	unsigned char *d = (unsigned char *)slurp(path, &len);
	cr_assert_geq(len, 88);
	uint64_t v[3];
	memcpy(v, d + 16, sizeof v); /* little-endian, as the machines tested */
	free(d);
	unsigned long long off = 88 + v[0] * 72 + v[1] + v[2];
	unsigned long long page = (unsigned long long)sysconf(_SC_PAGESIZE);
	cr_assert_gt(off, page, "a cache too small to tell its records' pages");
	return off / page * page;
}

/* The kB of this process's memory that are mappings of the records
 * section of the cache at path (their resident pages, as /proc/self/smaps
 * counts them; the index, mapped at the file's start, is read in place
 * and not counted); -1 when it cannot tell. */
static long resident_kb_of(const char *path)
{
	unsigned long long from = records_page(path);
	char real[PATH_MAX];
	if (!realpath(path, real))
		return -1;
	FILE *f = fopen("/proc/self/smaps", "r");
	if (!f)
		return -1;
	char line[PATH_MAX + 256];
	bool in = false;
	long kb = 0;
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = '\0';
		long v;
		if (sscanf(line, "Rss: %ld kB", &v) == 1) {
			kb += in ? v : 0;
			continue;
		}
		/* a mapping's first line: "start-end perms offset dev inode path" */
		char *dash = strchr(line, '-'), *slash = strchr(line, '/');
		unsigned long long off;
		if (dash && dash < strchr(line, ' ') && line[0] != ' ')
			in = slash && !strcmp(slash, real) &&
			     sscanf(line, "%*s %*s %llx", &off) == 1 && off >= from;
	}
	fclose(f);
	return kb;
}

/* The records are copied into the store and the section's pages let go
 * of: none of the cache file is the reader's memory after its start (its
 * rewrites copying records after that are the records tests'). */
Test(records_release, no_page_of_the_section_kept_after_the_copy, .timeout = 60)
{
	char *dir = archive_copy(), *cache = xasprintf("%s.cache", dir);
	struct store plain, s;
	load_dir(&plain, dir, cache, false);
	cr_assert_gt(plain.n, 50);
	load_dir(&s, dir, cache, true);
	cr_assert(s.from_records, "not loaded from the records");
	long kb = resident_kb_of(cache);
	cr_assert_geq(kb, 0, "cannot read /proc/self/smaps for %s", cache);
	cr_assert_eq(kb, 0, "%ld kB of the cache file held after the start", kb);
	store_free(&s);
	store_free(&plain);
	unlink(cache);
	free(cache);
	temp_dir_free(dir);
}

/* A record read after the section was let go of is the one read before:
 * the pages come back from the file. */
Test(records_release, records_read_again_the_same, .timeout = 60)
{
	char *dir = archive_copy(), *cache = xasprintf("%s.cache", dir);
	struct store plain;
	load_dir(&plain, dir, cache, false);
	store_free(&plain);
	char *err;
	struct cache *c = cache_open(cache, &err);
	cr_assert(c, "%s", err ? err : "no cache");
	cr_assert_eq(cache_records(c, &err), 1);
	size_t n = cache_count(c);
	cr_assert_gt(n, 50);
	struct cache_record *before = xcalloc(n, sizeof *before);
	char **keys = xcalloc(n, sizeof *keys);
	for (size_t i = 0; i < n; i++) {
		cache_record(c, i, &before[i]);
		keys[i] = xstrdup(before[i].key);
	}
	cache_records_release(c);
	cr_assert_eq(resident_kb_of(cache), 0);
	for (size_t i = 0; i < n; i++) {
		struct cache_record r;
		memset(&r, 0, sizeof r); /* its padding as calloc's */
		cache_record(c, i, &r);
		cr_assert_str_eq(r.key, keys[i]);
		r.key = before[i].key;
		cr_assert(!memcmp(&r, &before[i], sizeof r), "record %zu differs", i);
		free(keys[i]);
	}
	cr_assert_gt(resident_kb_of(cache), 0, "the section was not read again");
	free(keys);
	free(before);
	cache_close(c);
	unlink(cache);
	free(cache);
	temp_dir_free(dir);
}

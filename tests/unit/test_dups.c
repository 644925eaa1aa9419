/* Duplicates: one story (the same webUrl) in two files is one story. The
 * first file the load meets leads (the paths in the order given, each
 * directory in name order); --list prints it once, --json gives it the
 * others as "paths" (before "cluster", the last field), --check notes
 * each other file without failing, and the store finds them whatever it
 * loaded as: whole, lazy from the cache's records (linked on a thread),
 * or linking nothing. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "lede/query.h"
#include "lede/store.h"
#include "lede/util.h"

#define ARCHIVE "tests/data/dups/archive"
#define MIRROR "tests/data/dups/mirror"

static size_t count_lines(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static bool starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* The --json line whose text holds needle, copied; NULL if none. */
static char *json_line(const char *out, const char *needle)
{
	for (const char *l = out; *l;) {
		const char *nl = strchr(l, '\n');
		size_t n = nl ? (size_t)(nl - l) : strlen(l);
		char *line = xstrndup(l, n);
		if (strstr(line, needle))
			return line;
		free(line);
		l += n + (nl != NULL);
	}
	return NULL;
}

Test(dups, list_prints_a_story_once)
{
	struct run r;
	run_lede(&r, (const char *[]){"--no-cache", "--list", ARCHIVE, MIRROR, NULL}, NULL);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_eq(count_lines(r.out), 3, "%s", r.out);
	run_free(&r);
	/* a search keeps the one too */
	run_lede(&r, (const char *[]){"--no-cache", "--list", "-e", "coral", ARCHIVE, MIRROR, NULL},
		 NULL);
	cr_assert_eq(count_lines(r.out), 1, "%s", r.out);
	run_free(&r);
	/* and the timeline counts a story once */
	run_lede(&r, (const char *[]){"--no-cache", "--timeline", ARCHIVE, MIRROR, NULL}, NULL);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(strstr(r.out, "2021-03-04\t1\t"), "%s", r.out);
	run_free(&r);
}

Test(dups, json_gives_the_other_paths_before_the_cluster)
{
	struct run r;
	run_lede(&r, (const char *[]){"--no-cache", "--json", ARCHIVE, MIRROR, NULL}, NULL);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_eq(count_lines(r.out), 3, "%s", r.out);
	char *coral = json_line(r.out, "coral-reefs");
	cr_assert_not_null(coral);
	cr_assert(starts(coral, "{\"path\":\"" ARCHIVE "/one.md\","), "%s", coral);
	const char *paths = strstr(coral, ",\"paths\":[\"" MIRROR "/0-copy-of-one.md\"]");
	cr_assert_not_null(paths, "%s", coral);
	/* after every field of the article, before "cluster", the last */
	cr_assert_gt(paths, strstr(coral, "\"related\":"));
	const char *cluster = strstr(coral, ",\"cluster\":");
	cr_assert(!cluster || cluster > paths, "%s", coral);
	free(coral);
	char *rivers = json_line(r.out, "rivers-higher");
	cr_assert_not_null(rivers);
	cr_assert_null(strstr(rivers, "\"paths\""), "a story in one file has none: %s", rivers);
	free(rivers);
	run_free(&r);
}

Test(dups, the_first_path_given_leads)
{
	struct run r;
	run_lede(&r, (const char *[]){"--no-cache", "--json", MIRROR, ARCHIVE, NULL}, NULL);
	char *coral = json_line(r.out, "coral-reefs");
	cr_assert_not_null(coral);
	cr_assert(starts(coral, "{\"path\":\"" MIRROR "/0-copy-of-one.md\","), "%s", coral);
	cr_assert_not_null(strstr(coral, "\"paths\":[\"" ARCHIVE "/one.md\"]"), "%s", coral);
	free(coral);
	run_free(&r);
}

Test(dups, check_notes_them_and_does_not_fail)
{
	struct run r;
	run_lede(&r, (const char *[]){"--no-cache", "--check", ARCHIVE, MIRROR, NULL}, NULL);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "5 files, 5 articles, 0 not articles, 0 problems, 2 duplicates\n");
	cr_assert_str_eq(r.err,
			 MIRROR "/0-copy-of-one.md: note: the same story (webUrl) as " ARCHIVE
				"/one.md, listed once\n" MIRROR
				"/two-again.md: note: the same story (webUrl) as " ARCHIVE
				"/two.md, listed once\n");
	run_free(&r);
}

Test(dups, check_summary_is_grammatical)
{
	struct run r;
	run_lede(&r, (const char *[]){"--no-cache", "--check", "tests/data/bad/no-close.md", NULL},
		 NULL);
	cr_assert_eq(r.status, 1);
	cr_assert_str_eq(r.out, "1 file, 0 articles, 0 not articles, 1 problem\n");
	run_free(&r);
	run_lede(&r, (const char *[]){"--no-cache", "--check", ARCHIVE "/one.md", NULL}, NULL);
	cr_assert_eq(r.status, 0);
	cr_assert_str_eq(r.out, "1 file, 1 article, 0 not articles, 0 problems\n");
	run_free(&r);
}

/* The store's pairs, whatever it loaded as. */
static void assert_pairs(struct store *s, const char *how)
{
	cr_assert_eq(store_ndups(s), 2, "%s", how);
	size_t found = 0;
	for (size_t i = 0; i < s->n; i++) {
		long lead = store_dup_of(s, i);
		const char *p = store_path(s, i);
		if (lead < 0) {
			cr_assert(!strstr(p, "0-copy") && !strstr(p, "two-again"), "%s: %s", how, p);
			continue;
		}
		found++;
		const char *l = store_path(s, (size_t)lead);
		cr_assert(strstr(l, "/archive/"), "%s: %s leads %s", how, l, p);
		cr_assert_eq(store_next_dup(s, (size_t)lead, -1), (long)i, "%s", how);
		cr_assert_eq(store_next_dup(s, (size_t)lead, (long)i), -1, "%s", how);
	}
	cr_assert_eq(found, 2, "%s", how);
	/* the engine leaves them out once told to */
	struct query *q = query_new(s);
	uint32_t rows[8];
	struct sort_order o = {SORT_DATE, true};
	cr_assert_eq(query_rows(q, o, NULL, NULL, MARKS_ALL, rows), 5, "%s", how);
	query_hide_dups(q);
	cr_assert_eq(query_rows(q, o, NULL, NULL, MARKS_ALL, rows), 3, "%s", how);
	query_free(q);
}

Test(dups, the_store_finds_them_however_it_loads, .timeout = 60)
{
	const char *paths[] = {ARCHIVE, MIRROR};
	char *dir = temp_dir("dups");
	char *cmd = xasprintf("cp -R tests/data/dups/archive tests/data/dups/mirror '%s'/", dir);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
	wait_until_not_racy();
	char *a = xasprintf("%s/archive", dir), *m = xasprintf("%s/mirror", dir);
	const char *copies[] = {a, m};
	char *cache = xasprintf("%s/cache", dir);
	struct store s;
	static const enum store_linking links[] = {STORE_LINK_ALL, STORE_LINK_RELATED,
						   STORE_LINK_NONE};
	for (size_t k = 0; k < 3; k++) {
		struct store_opts o = {.linking = links[k]};
		store_init(&s);
		store_load(&s, paths, 2, &o);
		assert_pairs(&s, "whole");
		store_free(&s);
	}
	/* the reader's, of two paths: a first run writes the cache, the
	 * second loads lazy from its entries */
	for (int run = 0; run < 2; run++) {
		struct store_opts o = {.cache_path = cache, .lazy = run, .from_cache = run};
		store_init(&s);
		store_load(&s, copies, 2, &o);
		assert_pairs(&s, run ? "lazy" : "first");
		cr_assert(store_links_ready(&s));
		store_free(&s);
	}
	/* of one path holding both: the second loads from the cache's
	 * records and links on a thread behind the first screen */
	char *cache1 = xasprintf("%s/cache1", dir);
	for (int run = 0; run < 2; run++) {
		struct store_opts o = {.cache_path = cache1, .lazy = run, .from_cache = run};
		store_init(&s);
		store_load(&s, (const char *[]){dir}, 1, &o);
		if (run)
			cr_assert(s.from_records, "the second load is from the records");
		assert_pairs(&s, run ? "records" : "one path");
		store_free(&s);
	}
	free(cache1);
	free(a);
	free(m);
	free(cache);
	temp_dir_free(dir);
}

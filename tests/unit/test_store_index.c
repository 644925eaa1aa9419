/* The reader's store keeps of a lazy article a compact record, no copy of
 * it: its path in a pool, its names interned, its numbers, and the tie
 * order made while loading. Held against a whole load: every sort order of
 * the engine, the skipped files a load from the cache's entries took, and
 * the tie order made again once a check changed some articles. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"
#include "lede/query.h"
#include "lede/store.h"
#include "lede/util.h"

/* A copy of the corpus and of files the parser skips, old enough to be
 * cached; the caller temp_dir_frees it. */
static char *archive_copy(void)
{
	char *dir = temp_dir("store-index");
	char *cmd = xasprintf("cp -R tests/corpus/. '%s'/ && mkdir '%s/bad' && "
			      "cp tests/data/bad/*.md '%s/bad/'",
			      dir, dir, dir);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
	wait_until_not_racy();
	return dir;
}

/* A load from the cache's entries takes the skipped files too (their
 * problems alone): the check after it knows them, and nothing is freed
 * twice. */
Test(store_index, skipped_files_from_the_entries)
{
	char *dir = archive_copy(), *cache = xasprintf("%s.cache", dir);
	struct store warm, s;
	load_dir(&warm, dir, cache, false);
	cr_assert_gt(warm.problems.n, 0, "no file was skipped");
	load_dir(&s, dir, cache, true);
	cr_assert(s.check_due, "not loaded from the cache's entries");
	cr_assert_eq(s.n, warm.n);
	cr_assert_eq(s.problems.n, warm.problems.n);
	for (size_t i = 0; i < s.problems.n; i++)
		cr_assert_str_eq(s.problems.v[i], warm.problems.v[i]);
	cr_assert(store_check_start(&s));
	struct store_changes ch;
	cr_assert(store_check_apply(&s, true, &ch));
	cr_assert_eq(ch.added + ch.changed + ch.gone, 0, "the skipped files were not known");
	cr_assert(!ch.problems);
	store_free(&s);
	store_free(&warm);
	unlink(cache);
	free(cache);
	temp_dir_free(dir);
}

/* Every order of the engine over the compact records is the plain sort's
 * over whole articles; and so after a check that changed titles, added an
 * article and took one away. */
Test(store_index, orders_from_the_records, .timeout = 60)
{
	char *dir = archive_copy(), *cache = xasprintf("%s.cache", dir);
	struct store whole, s;
	load_dir(&whole, dir, cache, false);
	load_dir(&s, dir, cache, true);
	cr_assert(s.from_records, "not from the cache's records");
	cr_assert(store_is_lazy(&s, 0));
	char *want = store_orders(&whole, false), *got = store_orders(&s, true);
	cr_assert_str_eq(got, want);
	free(got);
	free(want);
	store_free(&whole);

	/* a title that sorts first, one that sorts last, a new one, one gone */
	char *first = xasprintf("%s/aaa-new.md", dir), *gone = NULL;
	write_text(first, "---\ntitle: \"!!! first of all\"\nwebUrl: \"https://x.example/a\"\n---\n");
	for (size_t i = 0; i < s.n && !gone; i++)
		if (strstr(store_path(&s, i), "/everyday-cc__ai/"))
			gone = xstrdup(store_path(&s, i));
	cr_assert_not_null(gone);
	cr_assert_eq(unlink(gone), 0);
	char *last = xstrdup(store_path(&s, s.n / 2));
	write_text(last, "---\ntitle: \"~~~ last of all\"\nwebUrl: \"https://x.example/z\"\n---\n");
	cr_assert(store_check_start(&s));
	struct store_changes ch;
	cr_assert(store_check_apply(&s, true, &ch));
	cr_assert_eq(ch.added, 1);
	cr_assert_eq(ch.gone, 1);
	cr_assert_eq(ch.changed, 1);
	struct store fresh;
	load_dir(&fresh, dir, NULL, false);
	want = store_orders(&fresh, false);
	got = store_orders(&s, true);
	cr_assert_str_eq(got, want);
	free(got);
	free(want);
	store_free(&fresh);
	store_free(&s);
	free(first);
	free(gone);
	free(last);
	unlink(cache);
	free(cache);
	temp_dir_free(dir);
}

/* An article added to a lazy store after its load (store_add, then
 * store_link): its tie order no longer covers every article, and the
 * engine sorts as the plain sort does all the same. */
Test(store_index, orders_with_an_article_added)
{
	char *dir = archive_copy(), *cache = xasprintf("%s.cache", dir);
	struct store whole, s;
	load_dir(&whole, dir, cache, false);
	load_dir(&s, dir, cache, true);
	struct article *a = article_new("zzz/added.md"), *b = article_new("zzz/added.md");
	a->title = b->title = "An added story";
	store_add(&s, a);
	store_add(&whole, b);
	store_link(&s);
	store_link(&whole);
	char *want = store_orders(&whole, false), *got = store_orders(&s, true);
	cr_assert_str_eq(got, want);
	free(got);
	free(want);
	store_free(&s);
	store_free(&whole);
	unlink(cache);
	free(cache);
	temp_dir_free(dir);
}

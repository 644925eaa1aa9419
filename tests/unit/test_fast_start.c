/* A warm start that shows its first screen before everything behind it is
 * done: while the links are still being made (the linking thread held back
 * by a hook), a story decoded early (store_article_early) gets its related
 * stories' local articles once they are made, the same as a load that
 * waited for them, and a mark finds the articles of an identity by a scan
 * that gives what the URL index gives. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"
#include "lede/cache.h"
#include "lede/rank.h"
#include "lede/state.h"
#include "lede/store.h"
#include "lede/ui/marksync.h"
#include "lede/util.h"

#define TWIN                                                                                       \
	"SmartableAI__microsoft-power-apps/_samples/"                                              \
	"power-apps-community-25-days-of-flows-the-app-behind-the-series.md"

static char *archive_copy(void)
{
	char *dir = temp_dir("fast");
	/* and one sample saved twice: two files of one identity that is not
	 * a webUrl (the sample has only an originalUrl) */
	char *cmd = xasprintf("cp -R tests/corpus/. '%s'/ && mkdir '%s/site' && "
			      "cp -R tests/corpus-site/. '%s/site/' && cp '%s/site/%s' '%s/site/twin.md'",
			      dir, dir, dir, dir, TWIN, dir);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
	wait_until_not_racy();
	return dir;
}

static void load_held(struct store *s, const char *dir, const char *cache, bool reader,
		      void (*hold)(void *), void *ctx)
{
	const char *paths[] = {dir};
	struct store_opts opts = {.cache_path = cache,
				  .lazy = reader,
				  .from_cache = reader,
				  .before_link = hold,
				  .before_link_ctx = ctx};
	store_init(s);
	store_load(s, paths, 1, &opts);
}

static void load(struct store *s, const char *dir, const char *cache, bool reader)
{
	load_held(s, dir, cache, reader, NULL, NULL);
}

/* The linking thread waits here until the test writes a byte to fd[1]. */
static void hold(void *ctx)
{
	int *fd = ctx;
	char c;
	while (read(fd[0], &c, 1) < 0)
		;
}

static void release(int *fd)
{
	cr_assert_eq(write(fd[1], "x", 1), 1);
}

/* The articles of each identity, as store_next_identity gives them in
 * turn, one line an article of plain. */
static char *identities(const struct store *s, const struct store *plain)
{
	struct buf b = {0};
	for (size_t i = 0; i < plain->n; i++) {
		const char *id = article_identity(plain->v[i]);
		for (long j = store_next_identity(s, id, -1); j >= 0; j = store_next_identity(s, id, j))
			buf_printf(&b, "%ld ", j);
		buf_putc(&b, '\n');
	}
	return (char *)buf_str(&b);
}

/* The same, found by comparing every listed article's identity: what the
 * URL index and the table of the articles without a webUrl must give. */
static char *identities_compared(const struct store *plain, size_t *shared_without_web)
{
	struct buf b = {0};
	*shared_without_web = 0;
	for (size_t i = 0; i < plain->n; i++) {
		const char *id = article_identity(plain->v[i]);
		size_t found = 0;
		for (size_t j = 0; j < plain->n; j++)
			if (!store_is_hidden(plain, j) && !strcmp(article_identity(plain->v[j]), id)) {
				buf_printf(&b, "%zu ", j);
				found++;
			}
		buf_putc(&b, '\n');
		const char *web = plain->v[i]->web_url;
		*shared_without_web += found > 1 && !(web && *web);
	}
	return (char *)buf_str(&b);
}

/* Held back: nothing waits for the links but what reads them; the stories
 * decoded meanwhile and the marks' lookups come out as a linked store's. */
Test(fast_start, before_the_links_are_made, .timeout = 60)
{
	char *dir = archive_copy(), *cache = xasprintf("%s.cache", dir);
	struct store plain, s;
	load(&plain, dir, cache, false);
	int fd[2];
	cr_assert_eq(pipe(fd), 0);
	load_held(&s, dir, cache, true, hold, fd);
	cr_assert(s.from_records, "not loaded from the records");
	cr_assert_eq(s.n, plain.n);
	cr_assert_not(store_links_ready(&s), "linked while held");
	const struct article **early = xmalloc(s.n * sizeof *early);
	for (size_t i = 0; i < s.n; i++) {
		early[i] = store_article_early(&s, i);
		cr_assert_str_eq(early[i]->path, plain.v[i]->path);
	}
	size_t shared;
	char *want = identities_compared(&plain, &shared);
	cr_assert_gt(plain.nwithout_web, 0, "every article has a webUrl: no table to test");
	cr_assert_gt(shared, 0, "no identity without a webUrl is shared: the table's runs untested");
	char *whole = identities(&plain, &plain), *scanned = identities(&s, &plain);
	cr_assert_str_eq(whole, want);
	cr_assert_not(store_links_ready(&s));
	cr_assert_str_eq(scanned, want);
	release(fd);
	store_links_settle(&s);
	cr_assert(store_links_ready(&s));
	char *indexed = identities(&s, &plain);
	cr_assert_str_eq(indexed, want);
	size_t nlocal = 0;
	for (size_t i = 0; i < s.n; i++) {
		const struct article *a = store_article(&s, i), *y = plain.v[i];
		cr_assert_eq(a, early[i], "%s decoded again", y->path);
		for (size_t r = 0; r < y->nrelated; r++) {
			cr_assert_eq(a->related[r].local, y->related[r].local, "%s: related %zu",
				     y->path, r);
			nlocal += y->related[r].local >= 0;
		}
	}
	cr_assert_gt(nlocal, 0, "no related story is local: nothing was tested");
	free(early);
	free(want);
	free(whole);
	free(scanned);
	free(indexed);
	close(fd[0]);
	close(fd[1]);
	store_free(&s);
	store_free(&plain);
	unlink(cache);
	free(cache);
	temp_dir_free(dir);
}

/* A mark made while the links are held back: the article marked has its
 * byte at once, without a scan of every article; the others of its
 * identity (two files with one originalUrl and no webUrl) get theirs once
 * the links are made, and then the bytes and counts are a whole fill's. */
Test(fast_start, a_mark_before_the_links_reaches_its_identity_after, .timeout = 60)
{
	char *dir = archive_copy(), *cache = xasprintf("%s.cache", dir);
	char *marks_path = xasprintf("%s.marks", dir);
	struct store plain, s;
	load(&plain, dir, cache, false);
	long first = -1, second = -1;
	for (size_t i = 0; i < plain.n && second < 0; i++) {
		const char *web = plain.v[i]->web_url, *id = article_identity(plain.v[i]);
		if ((web && *web) || store_is_hidden(&plain, i))
			continue;
		for (size_t j = i + 1; j < plain.n && second < 0; j++)
			if (!store_is_hidden(&plain, j) &&
			    !strcmp(article_identity(plain.v[j]), id))
				first = (long)i, second = (long)j;
	}
	cr_assert_geq(second, 0, "no identity without a webUrl is shared: nothing to test");
	int fd[2];
	cr_assert_eq(pipe(fd), 0);
	load_held(&s, dir, cache, true, hold, fd);
	struct state *st = state_open(marks_path, NULL);
	cr_assert_not_null(st);
	unsigned char *marks = xcalloc(s.n, 1), *want = xcalloc(s.n, 1);
	struct marksync m = {0}, filled = {0};
	marksync_fill(&m, marks, &s, st);
	const char *id = article_identity(plain.v[first]);
	size_t before = m.lookups;
	state_set(st, id, MARK_STARRED); /* as app_mark does */
	marksync_set_url(&m, marks, &s, id, MARK_STARRED);
	marksync_set(&m, marks, (size_t)first, MARK_STARRED);
	cr_assert_not(store_links_ready(&s), "linked while held");
	cr_assert_eq(marks[first], MARK_STARRED);
	cr_assert_eq(m.lookups, before, "looked up before the links were made");
	cr_assert_eq(m.waiting.n, 1);
	release(fd);
	store_links_settle(&s);
	marksync_dups_out(&m, marks, &s);
	marksync_links_made(&m, marks, &s, st);
	cr_assert_eq(m.waiting.n, 0);
	cr_assert_eq(marks[second], MARK_STARRED, "%s: the other of its identity unmarked",
		     plain.v[second]->path);
	marksync_fill(&filled, want, &s, st);
	marksync_dups_out(&filled, want, &s);
	for (size_t i = 0; i < s.n; i++)
		cr_assert_eq(marks[i], want[i], "%s: %u, a whole fill says %u", plain.v[i]->path,
			     marks[i], want[i]);
	cr_assert_eq(m.counts.starred, filled.counts.starred);
	cr_assert_eq(m.counts.unread, filled.counts.unread);
	marksync_free(&m);
	marksync_free(&filled);
	free(marks);
	free(want);
	state_close(st);
	close(fd[0]);
	close(fd[1]);
	store_free(&s);
	store_free(&plain);
	unlink(cache);
	unlink(marks_path);
	free(cache);
	free(marks_path);
	temp_dir_free(dir);
}

/* Every article decoded at once after the load (most of them while the
 * links are made on their thread), then asked for through store_article:
 * each related story's local article is the whole load's. */
Test(fast_start, early_stories_get_their_links, .timeout = 60)
{
	char *dir = archive_copy(), *cache = xasprintf("%s.cache", dir);
	struct store plain, s;
	load(&plain, dir, cache, false);
	load(&s, dir, cache, true);
	cr_assert(s.from_records, "not loaded from the records");
	cr_assert_eq(s.n, plain.n);
	size_t nlocal = 0;
	for (size_t i = 0; i < s.n; i++) {
		const struct article *a = store_article_early(&s, i);
		cr_assert_not_null(a);
		cr_assert_str_eq(a->path, plain.v[i]->path);
		cr_assert_eq(store_article_early(&s, i), a, "%s decoded twice", a->path);
	}
	cr_assert_null(store_article_early(&s, s.n));
	for (size_t i = 0; i < s.n; i++) {
		const struct article *a = store_article(&s, i), *y = plain.v[i];
		cr_assert(store_links_ready(&s));
		cr_assert_eq(a->nrelated, y->nrelated, "%s", y->path);
		for (size_t r = 0; r < y->nrelated; r++) {
			cr_assert_eq(a->related[r].local, y->related[r].local, "%s: related %zu",
				     y->path, r);
			nlocal += y->related[r].local >= 0;
		}
	}
	cr_assert_gt(nlocal, 0, "no related story is local: nothing was tested");
	store_free(&s);
	store_free(&plain);
	unlink(cache);
	free(cache);
	temp_dir_free(dir);
}

/* store_links_settle waits for the links; a store that makes none (not a
 * warm start) has them ready at once. */
Test(fast_start, links_ready_and_settled, .timeout = 60)
{
	char *dir = archive_copy(), *cache = xasprintf("%s.cache", dir);
	struct store plain, s;
	load(&plain, dir, cache, false);
	cr_assert(store_links_ready(&plain));
	load(&s, dir, cache, true);
	store_links_settle(&s);
	cr_assert(store_links_ready(&s));
	store_free(&s);
	store_free(&plain);
	unlink(cache);
	free(cache);
	temp_dir_free(dir);
}

/* The 32-bit radix sort the orders of dates and scores use: ascending and
 * stable at every size, keys at both ends of the range and sharing bytes. */
Test(fast_start, kv32_sort_is_stable)
{
	enum { N = 5000 };
	struct rank_kv32 *v = xmalloc(N * sizeof *v);
	const uint32_t vals[] = {0, 1, 255, 256, 65535, 65536, 1u << 24, UINT32_MAX - 1, UINT32_MAX,
				 86400};
	uint32_t seed = 7;
	for (size_t n = 0; n <= N; n = n ? n * 4 : 1) {
		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			v[i] = (struct rank_kv32){vals[(seed >> 16) % 10], (uint32_t)i};
		}
		rank_sort_kv32(v, n);
		for (size_t i = 1; i < n; i++)
			cr_assert(v[i - 1].key < v[i].key ||
					  (v[i - 1].key == v[i].key && v[i - 1].idx < v[i].idx),
				  "n %zu, place %zu: not in order or not stable", n, i);
	}
	free(v);
}

/* The index read in two halves names the first bad entry as a reading in
 * order does, wherever it lies: at the start, at the end of the first
 * half, at the start of the second, at the end. The checksums are made
 * right again (cache_reseal): only the entry's own check can refuse it. */
Test(fast_start, a_bad_entry_named_in_either_half, .timeout = 60)
{
	enum { HEADER = 88, RECORD = 72 };
	char *dir = archive_copy(), *cache = xasprintf("%s.cache", dir);
	struct store plain;
	load(&plain, dir, cache, false);
	store_free(&plain);
	size_t len;
	unsigned char *orig = (unsigned char *)slurp(cache, &len);
	size_t n = 0, bodies = 0; /* the index follows the header and the bodies */
	for (int b = 7; b >= 0; b--) {
		n = n << 8 | orig[16 + b];
		bodies = bodies << 8 | orig[32 + b];
	}
	cr_assert_gt(n, 8);
	size_t at[] = {0, n / 2 - 1, n / 2, n / 2 + 1, n - 1};
	unsigned char *d = xmalloc(len);
	for (size_t k = 0; k < sizeof at / sizeof *at; k++) {
		for (int what = 0; what < 2; what++) {
			memcpy(d, orig, len);
			unsigned char *e = d + HEADER + bodies + at[k] * RECORD;
			if (what)
				e[64] = 2; /* no such kind */
			else
				e[70] = 1; /* the padding */
			/* and a later one bad as well: the first is named */
			if (at[k] + 1 < n)
				d[HEADER + bodies + (n - 1) * RECORD + 64] = 3;
			cache_reseal(d, len);
			FILE *f = fopen(cache, "wb");
			cr_assert_not_null(f);
			cr_assert_eq(fwrite(d, 1, len, f), len);
			fclose(f);
			char *err = NULL;
			struct cache *c = cache_open(cache, &err);
			cr_assert_null(c, "entry %zu taken", at[k] + 1);
			char *want = xasprintf("corrupt (entry %zu)", at[k] + 1);
			cr_assert(err && strstr(err, want), "entry %zu: %s", at[k] + 1, err);
			free(want);
			free(err);
		}
	}
	free(d);
	free(orig);
	unlink(cache);
	free(cache);
	temp_dir_free(dir);
}

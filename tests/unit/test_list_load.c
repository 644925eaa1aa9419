/* The load the printing modes make: blocks of slots merged as they are
 * loaded (a streamed load), the list's articles and the walk's paths kept
 * in slabs, and the cache's bodies that repeat the title by reference.
 * Each held against a plain load, or against what the old encoding
 * took. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"
#include "lede/cache.h"
#include "lede/query.h"
#include "lede/scan.h"
#include "lede/search.h"
#include "lede/store.h"
#include "lede/util.h"

enum { NDIRS = 3, PER_DIR = 900 }; /* more than two blocks of slots (1024) */

/* An archive of NDIRS * PER_DIR small files, a problem now and then,
 * aged so that a cache may take them all. */
static char *many_files(void)
{
	char *dir = temp_dir("list-load");
	for (int d = 0; d < NDIRS; d++) {
		char *sub = xasprintf("%s/%d", dir, d);
		cr_assert_eq(mkdir(sub, 0700), 0);
		for (int i = 0; i < PER_DIR; i++) {
			char *path = xasprintf("%s/%04d.md", sub, i);
			char *text = i % 89 == 3 ? xasprintf("no front matter %d\n", i)
						 : xasprintf("---\ntitle: \"%s %d/%d\"\n"
							     "webUrl: https://x.example/%d/%d\n---\n",
							     i % 3 ? "robot" : "vision", d, i, d, i);
			write_text(path, text);
			age_file(path, 3600);
			free(text);
			free(path);
		}
		free(sub);
	}
	wait_until_not_racy(); /* their ctime, which age_file cannot set back */
	return dir;
}

static void load(struct store *s, const char *dir, const struct store_opts *opts)
{
	store_init(s);
	store_load(s, &dir, 1, opts);
}

/* The same articles (paths, in order) and the same problems, in order. */
static void assert_same_load(const struct store *x, const struct store *y, const char *what)
{
	cr_assert_eq(x->n, y->n, "%s: %zu articles, not %zu", what, y->n, x->n);
	cr_assert_eq(x->nfiles, y->nfiles, "%s", what);
	for (size_t i = 0; i < x->n; i++)
		cr_assert_str_eq(store_path(x, i), store_path(y, i), "%s: article %zu", what, i);
	cr_assert_eq(x->problems.n, y->problems.n, "%s", what);
	for (size_t i = 0; i < x->problems.n; i++)
		cr_assert_str_eq(x->problems.v[i], y->problems.v[i], "%s", what);
}

static char *file_bytes(const char *path, size_t *n)
{
	return slurp(path, n);
}

/* A streamed load that finds files changed and gone rewrites the cache
 * from what it noted of each file: the entries it copied and those it
 * parsed, in scan order, so that the cache is the very one a first run
 * over the archive as it now is writes; and its list, with a search, is
 * the plain load's. */
Test(list_load, streamed_rewrite_is_a_first_run)
{
	char *dir = many_files();
	char *cpath = xasprintf("%s/a.cache", dir), *fresh = xasprintf("%s/b.cache", dir);
	struct store s, plain;
	load(&s, dir, &(struct store_opts){.threads = 2, .cache_path = cpath});
	store_free(&s);
	/* every seventh file changed, every eleventh gone */
	for (int d = 0; d < NDIRS; d++) {
		for (int i = 0; i < PER_DIR; i += 7) {
			char *path = xasprintf("%s/%d/%04d.md", dir, d, i);
			if (i % 11 == 0) {
				unlink(path);
			} else {
				char *text = xasprintf("---\ntitle: \"changed %d/%d\"\n---\n", d, i);
				write_text(path, text);
				age_file(path, 3600);
				free(text);
			}
			free(path);
		}
	}
	wait_until_not_racy();
	char *err = NULL;
	struct search *re = search_compile("robot", &err);
	cr_assert_not_null(re, "%s", err);
	load(&plain, dir, &(struct store_opts){.threads = 1});
	struct store_opts list = {.threads = 2,
				  .cache_path = cpath,
				  .list_only = true,
				  .match_only = re,
				  .linking = STORE_LINK_NONE};
	load(&s, dir, &list);
	assert_same_load(&plain, &s, "the list's load");
	cr_assert_not_null(s.matched);
	size_t *want = xmalloc(plain.n * sizeof *want), *got = xmalloc(s.n * sizeof *got);
	size_t nwant = query_filter(&plain, re, want), ngot = store_matches(&s, got);
	cr_assert_eq(ngot, nwant);
	struct article tmp = {0};
	for (size_t k = 0; k < ngot; k++) {
		cr_assert_eq(got[k], want[k]);
		cr_assert_str_eq(store_list_view(&s, got[k], &tmp)->title, plain.v[want[k]]->title);
	}
	cr_assert_gt(s.cache_hits, 0);
	store_free(&s);
	/* the same archive, cached from nothing */
	load(&s, dir, &(struct store_opts){.threads = 2, .cache_path = fresh});
	cr_assert_eq(s.cache_hits, 0);
	store_free(&s);
	size_t na, nb;
	char *a = file_bytes(cpath, &na), *b = file_bytes(fresh, &nb);
	cr_assert(na == nb && !memcmp(a, b, na), "the rewritten cache differs from a first run's");
	free(a);
	free(b);
	/* and it is whole: a warm load takes every file from it */
	load(&s, dir, &list);
	cr_assert_eq(s.cache_hits, plain.nfiles, "%zu hits of %zu", s.cache_hits, plain.nfiles);
	assert_same_load(&plain, &s, "warm");
	store_free(&s);
	store_free(&plain);
	free(want);
	free(got);
	search_free(re);
	free(cpath);
	free(fresh);
	temp_dir_free(dir);
}

static bool same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* s, a list_only load, holds rows that read as plain's articles: what the
 * list prints and sorts by, the identity and the duplicates' webUrl. How
 * many of them have no webUrl but an originalUrl. */
static size_t assert_rows_read_as(const struct store *s, const struct store *plain)
{
	cr_assert_eq(s->n, plain->n);
	size_t original = 0;
	struct article tmp = {0};
	for (size_t i = 0; i < s->n; i++) {
		const struct article *w = plain->v[i];
		cr_assert(!s->v[i] && s->rows && s->rows[i], "%s: not a row", w->path);
		const struct article *a = store_list_view(s, i, &tmp);
		cr_assert(same_str(a->title, w->title), "%s: title", w->path);
		cr_assert(same_str(a->web_url, w->web_url), "%s: webUrl", w->path);
		cr_assert_str_eq(store_path(s, i), w->path);
		cr_assert_str_eq(article_identity(a), article_identity(w));
		cr_assert_eq(store_identity_hash(s, i), store_identity_hash(plain, i));
		cr_assert(store_identity_is(s, i, article_identity(w)));
		cr_assert_eq(store_has_web_url(s, i), store_has_web_url(plain, i));
		cr_assert(same_str(store_provider_name(s, i), store_provider_name(plain, i)), "%s",
			  w->path);
		cr_assert_eq(store_has(s, i), store_has(plain, i), "%s", w->path);
		cr_assert_eq(store_date(s, i), store_date(plain, i));
		cr_assert_eq(store_quality(s, i), store_quality(plain, i));
		cr_assert_eq(store_heat(s, i), store_heat(plain, i));
		cr_assert_eq(store_dup_of(s, i), store_dup_of(plain, i), "%s: duplicate", w->path);
		original += !store_has_web_url(plain, i) && w->original_url && *w->original_url;
	}
	return original;
}

/* The list's articles, from the cache or parsed, are rows (article.h) in
 * the store's slab, a fraction of an article's struct each, and no
 * article of their own (a malloc and a free a file were a third of a warm
 * --list; the article's struct, half of what a million listed ones took).
 * What a printing mode reads of an article (the store's list accessors,
 * store_list_view) reads a row as it reads the whole article: over the
 * generated files, tests/corpus (every field) and tests/corpus-site (a
 * site's records, many with no webUrl). store_free frees them (the
 * sanitizer run checks it frees each once). */
Test(list_load, listed_articles_are_rows_read_as_articles)
{
	cr_assert_leq(sizeof(struct list_row) * 4, sizeof(struct article));
	char *site = temp_dir("rows-site");
	char *cmd = xasprintf("cp -R tests/corpus-site/. '%s'/", site);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
	/* each waits for its files to be old enough for the cache to take
	 * them, and the site's copy is older still */
	char *corpus = corpus_copy("rows-corpus");
	char *dirs[] = {many_files(), corpus, site};
	size_t original = 0;
	for (size_t d = 0; d < sizeof dirs / sizeof *dirs; d++) {
		char *cpath = xasprintf("%s/a.cache", dirs[d]);
		struct store plain;
		load(&plain, dirs[d], &(struct store_opts){.threads = 1,
							  .linking = STORE_LINK_NONE});
		cr_assert_gt(plain.n, 5, "%s", dirs[d]);
		struct store_opts list = {.threads = 2,
					  .cache_path = cpath,
					  .list_only = true,
					  .linking = STORE_LINK_NONE};
		for (int run = 0; run < 2; run++) { /* parsed, then from the cache */
			struct store s;
			load(&s, dirs[d], &list);
			cr_assert_eq(s.cache_hits, run ? s.nfiles : 0, "%s", dirs[d]);
			original += assert_rows_read_as(&s, &plain);
			store_free(&s);
		}
		store_free(&plain);
		free(cpath);
		temp_dir_free(dirs[d]);
	}
	cr_assert_gt(original, 0, "no article had only an originalUrl");
}

/* A row keeps the originalUrl of an article without a webUrl, which is
 * then its identity (the marks' key), and no other; its path otherwise. */
Test(list_load, a_row_keeps_its_identity)
{
	struct slab sl = {0};
	struct article *a = article_new("x/a.md");
	a->title = "T";
	a->original_url = "https://o.example/a";
	a->amp_web_url = "https://amp.example/a";
	struct article tmp = {0};
	const struct article *v = list_row_view(list_row_copy_in(&sl, a, a->path), &tmp);
	cr_assert_str_eq(article_identity(v), "https://o.example/a");
	cr_assert_null(v->web_url);
	a->web_url = "https://w.example/a";
	v = list_row_view(list_row_copy_in(&sl, a, a->path), &tmp);
	cr_assert_str_eq(article_identity(v), "https://w.example/a");
	cr_assert_null(v->original_url, "the originalUrl is no identity here");
	a->web_url = a->original_url = NULL;
	v = list_row_view(list_row_copy_in(&sl, a, a->path), &tmp);
	cr_assert_str_eq(article_identity(v), "x/a.md");
	cr_assert_str_eq(v->title, "T");
	article_free(a);
	slab_free(&sl);
}

/* With only_matches, the list's load keeps the matches alone, in the
 * order and with the fields of a plain load's, and counts the others;
 * the problems are all there. */
Test(list_load, only_matches_keeps_the_matches_alone)
{
	char *dir = many_files();
	char *cpath = xasprintf("%s/a.cache", dir);
	char *err = NULL;
	struct search *re = search_compile("vision", &err);
	cr_assert_not_null(re, "%s", err);
	struct store plain;
	load(&plain, dir, &(struct store_opts){.threads = 1});
	size_t *want = xmalloc(plain.n * sizeof *want);
	size_t nwant = query_filter(&plain, re, want);
	cr_assert_gt(nwant, 100);
	cr_assert_lt(nwant, plain.n / 2);
	for (int run = 0; run < 2; run++) { /* parsed, then from the cache */
		struct store s;
		load(&s, dir,
		     &(struct store_opts){.threads = 2,
					  .cache_path = cpath,
					  .match_only = re,
					  .list_only = true,
					  .only_matches = true});
		cr_assert_eq(s.cache_hits, run ? s.nfiles : 0);
		cr_assert_eq(s.n, nwant, "%zu kept, %zu match", s.n, nwant);
		cr_assert_eq(s.n + s.unmatched, plain.n);
		size_t *got = xmalloc((s.n ? s.n : 1) * sizeof *got);
		cr_assert_eq(store_matches(&s, got), s.n);
		struct article tmp = {0};
		for (size_t k = 0; k < s.n; k++) {
			cr_assert_eq(got[k], k);
			const struct article *a = store_list_view(&s, k, &tmp);
			cr_assert_str_eq(a->path, plain.v[want[k]]->path);
			cr_assert_str_eq(a->title, plain.v[want[k]]->title);
		}
		cr_assert_eq(s.problems.n, plain.problems.n);
		for (size_t i = 0; i < s.problems.n; i++)
			cr_assert_str_eq(s.problems.v[i], plain.problems.v[i]);
		free(got);
		store_free(&s);
	}
	store_free(&plain);
	free(want);
	search_free(re);
	free(cpath);
	temp_dir_free(dir);
}

static void push_copy(void *files, char *path)
{
	strlist_push(files, xstrdup(path));
}

/* A walk that lends its paths gives the same ones, in the same order. */
Test(list_load, lent_paths_are_the_owned_ones)
{
	const char *paths[] = {"tests/corpus", "seeds", "tests/data/bad"};
	struct strlist owned = {0}, lent = {0}, p1 = {0}, p2 = {0};
	scan_paths(paths, 3, &owned, &p1);
	scan_paths_each(paths, 3, SCAN_LENT_PATHS, push_copy, &lent, &p2);
	cr_assert_gt(owned.n, 20);
	cr_assert_eq(owned.n, lent.n);
	for (size_t i = 0; i < owned.n; i++)
		cr_assert_str_eq(owned.v[i], lent.v[i]);
	cr_assert_eq(p1.n, p2.n);
	strlist_free(&owned);
	strlist_free(&lent);
	strlist_free(&p1);
	strlist_free(&p2);
}

/* The bytes of the cache of one article whose image's title is title2. */
static size_t cache_bytes(const char *title, const char *title2)
{
	char *dir = temp_dir("title-ref");
	char *path = xasprintf("%s/a.md", dir), *cpath = xasprintf("%s/c.cache", dir);
	char *text = xasprintf("---\ntitle: \"%s\"\nwebUrl: https://x.example/a\n"
			       "images:\n  - url: https://img.example/a.jpg\n    title: \"%s\"\n---\n",
			       title, title2);
	write_text(path, text);
	wait_until_not_racy();
	struct store s;
	load(&s, dir, &(struct store_opts){.cache_path = cpath});
	cr_assert_eq(s.n, 1);
	cr_assert_str_eq(s.v[0]->images[0].title, title2);
	store_free(&s);
	/* read back whole from the cache, the image's title as it was */
	load(&s, dir, &(struct store_opts){.cache_path = cpath});
	cr_assert_eq(s.cache_hits, 1);
	cr_assert_str_eq(s.v[0]->title, title);
	cr_assert_str_eq(s.v[0]->images[0].title, title2);
	store_free(&s);
	struct stat st;
	cr_assert_eq(stat(cpath, &st), 0);
	free(text);
	free(path);
	free(cpath);
	temp_dir_free(dir);
	return (size_t)st.st_size;
}

/* An image's title that is the article's costs a reference in the cache,
 * not its bytes again. */
Test(list_load, image_title_repeats_the_title_by_reference)
{
	const char *title = "A title long enough that a copy of it would show in the cache";
	const char *other = "Another title, as long, that shares nothing with the first on";
	size_t same = cache_bytes(title, title), different = cache_bytes(title, other);
	cr_assert_eq(strlen(title), strlen(other));
	cr_assert_lt(same + strlen(title) - 8, different, "%zu bytes, against %zu", same,
		     different);
}

/* Duplicates are one webUrl in two files: an article whose originalUrl
 * alone is another's webUrl is no duplicate, in a list's load of rows as
 * in a plain one; two with one webUrl are. */
Test(list_load, rows_tell_duplicates_by_web_url_alone)
{
	char *dir = temp_dir("rows-dups");
	const char *files[][2] = {
		{"a.md", "---\ntitle: A\nwebUrl: https://x.example/1\n---\n"},
		{"b.md", "---\ntitle: B\noriginalUrl: https://x.example/1\n---\n"},
		{"c.md", "---\ntitle: C\nwebUrl: https://x.example/1\n---\n"},
	};
	for (size_t k = 0; k < 3; k++) {
		char *path = xasprintf("%s/%s", dir, files[k][0]);
		write_text(path, files[k][1]);
		free(path);
	}
	struct store plain, s;
	load(&plain, dir, &(struct store_opts){.threads = 1, .linking = STORE_LINK_NONE});
	load(&s, dir,
	     &(struct store_opts){.threads = 1, .list_only = true, .linking = STORE_LINK_NONE});
	cr_assert_eq(s.n, 3);
	for (size_t i = 0; i < 3; i++)
		cr_assert_eq(store_dup_of(&s, i), store_dup_of(&plain, i), "%s", store_path(&s, i));
	cr_assert_eq(store_dup_of(&s, 1), -1, "an originalUrl made a duplicate");
	cr_assert_eq(store_dup_of(&s, 2), 0);
	store_free(&s);
	store_free(&plain);
	temp_dir_free(dir);
}

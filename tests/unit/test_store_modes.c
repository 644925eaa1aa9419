/* What the printing modes ask of the store: the search's verdicts made
 * while loading (no second pass), articles kept to the list's fields, and
 * linking only as far as the output needs. Each held against a plain load
 * of everything. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"
#include "lede/query.h"
#include "lede/search.h"
#include "lede/store.h"
#include "lede/util.h"

static void load(struct store *s, const char *dir, const struct store_opts *opts)
{
	const char *paths[] = {dir};
	store_init(s);
	store_load(s, paths, 1, opts);
}

static void assert_same_str(const char *x, const char *y, const char *what, const char *path)
{
	cr_assert((!x && !y) || (x && y && !strcmp(x, y)), "%s: %s differs", path, what);
}

/* A copy of the corpus, cached, then some of its files changed: a warm
 * load that takes some articles from the cache and parses the others. */
static char *half_cached_corpus(char **cache_path)
{
	char *dir = temp_dir("modes");
	char *cmd = xasprintf("cp -R tests/corpus/. '%s'/", dir);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
	wait_until_not_racy();
	*cache_path = xasprintf("%s/x.cache", dir);
	struct store_opts opts = {.cache_path = *cache_path};
	struct store s;
	load(&s, dir, &opts);
	cr_assert_gt(s.n, 20);
	/* every third article changed, and so parsed again next time */
	for (size_t i = 0; i < s.n; i += 3) {
		FILE *f = fopen(s.v[i]->path, "a");
		cr_assert_not_null(f);
		fputs("\n", f);
		fclose(f);
	}
	store_free(&s);
	return dir;
}

/* --list -e: the verdicts the load makes, for the articles it takes from
 * the cache and for those it parses, are the search run over a whole load;
 * the articles matched keep every field the list prints. */
Test(store_modes, load_verdicts_are_the_search)
{
	static const char *const patterns[] = {"the", "AI", "(?i)robot|vision", "zzz-nothing",
					       "^[A-Z]", "\\p{Lu}{3}"};
	char *cache_path;
	char *dir = half_cached_corpus(&cache_path);
	struct store plain;
	load(&plain, dir, NULL);
	for (size_t p = 0; p < sizeof patterns / sizeof *patterns; p++) {
		char *err = NULL;
		struct search *re = search_compile(patterns[p], &err);
		cr_assert_not_null(re, "%s", err);
		size_t *want = xmalloc(plain.n * sizeof *want);
		size_t nwant = query_filter(&plain, re, want);
		for (int threads = 1; threads <= 2; threads++) {
			struct store_opts opts = {.cache_path = cache_path,
						  .threads = threads,
						  .match_only = re,
						  .list_only = true,
						  .linking = STORE_LINK_NONE};
			struct store s;
			load(&s, dir, &opts);
			cr_assert_not_null(s.matched, "no verdicts kept");
			cr_assert_eq(s.n, plain.n);
			size_t *got = xmalloc(s.n * sizeof *got);
			size_t ngot = store_matches(&s, got);
			cr_assert_eq(ngot, nwant, "'%s': %zu matches, not %zu", patterns[p], ngot,
				     nwant);
			struct article tmp = {0};
			for (size_t k = 0; k < ngot; k++) {
				const struct article *a = store_list_view(&s, got[k], &tmp);
				const struct article *b = plain.v[want[k]];
				cr_assert_str_eq(a->path, b->path);
				assert_same_str(a->title, b->title, "title", a->path);
				assert_same_str(a->provider.name, b->provider.name, "provider", a->path);
				assert_same_str(a->web_url, b->web_url, "webUrl", a->path);
				cr_assert_eq(a->has & (HAS_DATE | HAS_QUALITY | HAS_HEAT),
					     b->has & (HAS_DATE | HAS_QUALITY | HAS_HEAT));
				cr_assert(a->date == b->date && a->quality == b->quality &&
					  a->heat == b->heat, "%s: a number differs", a->path);
			}
			cr_assert_gt(s.cache_hits, 0);
			cr_assert_lt(s.cache_hits, s.n, "nothing was parsed again");
			free(got);
			store_free(&s);
		}
		free(want);
		search_free(re);
	}
	store_free(&plain);
	free(cache_path);
	temp_dir_free(dir);
}

/* Without match_only there are no verdicts, nor with no cache to take
 * them from (the caller then runs the search itself). */
Test(store_modes, no_verdicts_without_a_cached_search)
{
	char *err = NULL;
	struct search *re = search_compile("the", &err);
	cr_assert_not_null(re);
	struct store s;
	load(&s, "tests/corpus", NULL);
	cr_assert_null(s.matched);
	store_free(&s);
	struct store_opts opts = {.match_only = re};
	load(&s, "tests/corpus", &opts);
	cr_assert_null(s.matched);
	store_free(&s);
	search_free(re);
}

/* STORE_LINK_RELATED resolves every related story as a full link does,
 * and leaves backlinks out; STORE_LINK_NONE links nothing. */
Test(store_modes, linking_as_far_as_asked)
{
	struct store all, rel, none;
	load(&all, "tests/corpus", NULL);
	struct store_opts opts = {.linking = STORE_LINK_RELATED};
	load(&rel, "tests/corpus", &opts);
	opts.linking = STORE_LINK_NONE;
	load(&none, "tests/corpus", &opts);
	cr_assert(all.n == rel.n && all.n == none.n);
	size_t local = 0, backlinked = 0;
	for (size_t i = 0; i < all.n; i++) {
		cr_assert_eq(all.v[i]->nrelated, rel.v[i]->nrelated);
		for (size_t r = 0; r < all.v[i]->nrelated; r++) {
			cr_assert_eq(rel.v[i]->related[r].local, all.v[i]->related[r].local);
			cr_assert_eq(none.v[i]->related[r].local, -1);
			local += all.v[i]->related[r].local >= 0;
		}
		size_t n;
		backlinked += store_backlinks(&all, i, &n) != NULL && n;
		cr_assert_null(store_backlinks(&rel, i, &n));
		cr_assert_eq(n, 0);
		cr_assert_null(store_backlinks(&none, i, &n));
		cr_assert_eq(n, 0);
		if (all.v[i]->web_url) {
			cr_assert_eq(store_find_url(&rel, all.v[i]->web_url),
				     store_find_url(&all, all.v[i]->web_url));
			cr_assert_eq(store_find_url(&none, all.v[i]->web_url), -1);
		}
	}
	cr_assert_gt(local, 0, "the corpus links nothing: the test proves nothing");
	cr_assert_gt(backlinked, 0);
	store_free(&all);
	store_free(&rel);
	store_free(&none);
}

/* The reader's lazy store: articles taken from the cache keep only the
 * list's fields, and store_article decodes the rest on demand. Held
 * against a whole load of the same files: the same articles, every field,
 * the same links and backlinks, the same search results; far less memory;
 * and an entry damaged after the load is said, never trusted. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"
#include "lede/query.h"
#include "lede/search.h"
#include "lede/hash.h"
#include "lede/store.h"
#include "lede/util.h"

static const char *const archive[] = {"tests/corpus", "seeds", "tests/data/bad", "tests/corpus-site"};
enum { NARCHIVE = sizeof archive / sizeof *archive };

static void load(struct store *s, const char *const *paths, size_t n, const char *cache,
		 bool lazy, int threads)
{
	struct store_opts opts = {.cache_path = cache, .lazy = lazy, .threads = threads};
	store_init(s);
	store_load(s, paths, n, &opts);
}

static bool str_same(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

#define SAME_STR(x, y, what) cr_assert(str_same(x, y), "%s: %s differs", path, what)
#define SAME_NUM(x, y, what) cr_assert((x) == (y), "%s: %s differs", path, what)

static void assert_same_images(const struct image *x, size_t nx, const struct image *y,
			       size_t ny, const char *path)
{
	SAME_NUM(nx, ny, "image count");
	for (size_t i = 0; i < nx; i++) {
		SAME_STR(x[i].url, y[i].url, "image url");
		SAME_STR(x[i].title, y[i].title, "image title");
		SAME_NUM(x[i].width, y[i].width, "image width");
		SAME_NUM(x[i].height, y[i].height, "image height");
		SAME_NUM(x[i].is_cached, y[i].is_cached, "image isCached");
		SAME_NUM(x[i].has, y[i].has, "image has");
	}
}

static void assert_same_provider(const struct provider *x, const struct provider *y,
				 const char *path)
{
	SAME_STR(x->name, y->name, "provider name");
	SAME_STR(x->domain, y->domain, "provider domain");
	assert_same_images(x->images, x->nimages, y->images, y->nimages, path);
}

static void assert_same_related(const struct related *x, const struct related *y,
				const char *path)
{
	SAME_STR(x->title, y->title, "related title");
	SAME_STR(x->excerpt, y->excerpt, "related excerpt");
	SAME_STR(x->type, y->type, "related type");
	SAME_STR(x->web_url, y->web_url, "related webUrl");
	SAME_STR(x->amp_web_url, y->amp_web_url, "related ampWebUrl");
	SAME_STR(x->cdn_amp_web_url, y->cdn_amp_web_url, "related cdnAmpWebUrl");
	assert_same_provider(&x->provider, &y->provider, path);
	SAME_NUM(x->date, y->date, "related date");
	SAME_NUM(x->quality, y->quality, "related quality");
	SAME_NUM(x->has, y->has, "related has");
	assert_same_images(x->images, x->nimages, y->images, y->nimages, path);
	SAME_NUM(x->local, y->local, "related local");
}

/* Every field of struct article. */
static void assert_same_article(const struct article *x, const struct article *y)
{
	const char *path = x->path;
	cr_assert_str_eq(x->path, y->path);
	SAME_STR(x->category, y->category, "category");
	SAME_STR(x->type, y->type, "type");
	SAME_STR(x->title, y->title, "title");
	SAME_STR(x->excerpt, y->excerpt, "excerpt");
	SAME_STR(x->original_url, y->original_url, "originalUrl");
	SAME_STR(x->web_url, y->web_url, "webUrl");
	SAME_STR(x->amp_web_url, y->amp_web_url, "ampWebUrl");
	SAME_STR(x->cdn_amp_web_url, y->cdn_amp_web_url, "cdnAmpWebUrl");
	SAME_NUM(x->date, y->date, "date");
	SAME_NUM(x->quality, y->quality, "quality");
	SAME_NUM(x->heat, y->heat, "heat");
	SAME_NUM(x->published, y->published, "published");
	SAME_NUM(x->has, y->has, "has");
	assert_same_provider(&x->provider, &y->provider, path);
	SAME_NUM(x->ntopics, y->ntopics, "topic count");
	for (size_t t = 0; t < x->ntopics; t++)
		SAME_STR(x->topics[t], y->topics[t], "topic");
	assert_same_images(x->images, x->nimages, y->images, y->nimages, path);
	SAME_NUM(x->nrelated, y->nrelated, "related count");
	for (size_t r = 0; r < x->nrelated; r++)
		assert_same_related(&x->related[r], &y->related[r], path);
}

/* What the list, the sorts, the filters and the marks read: a lazy
 * article has all of it (the URL index takes its other URLs hashed). */
static void assert_same_listed(const struct article *x, const struct article *y)
{
	const char *path = x->path;
	cr_assert_str_eq(x->path, y->path);
	SAME_STR(x->title, y->title, "title");
	SAME_STR(x->provider.name, y->provider.name, "provider name");
	SAME_STR(x->web_url, y->web_url, "webUrl");
	/* a site's records: what stands for the identity, the title, the type */
	SAME_STR(article_identity(x), article_identity(y), "identity");
	SAME_STR(article_title(x), article_title(y), "title or name");
	SAME_STR(x->type, y->type, "type");
	SAME_NUM(x->date, y->date, "date");
	SAME_NUM(x->quality, y->quality, "quality");
	SAME_NUM(x->heat, y->heat, "heat");
	SAME_NUM(x->has & (HAS_DATE | HAS_QUALITY | HAS_HEAT),
		 y->has & (HAS_DATE | HAS_QUALITY | HAS_HEAT), "has");
	SAME_NUM(x->ntopics, y->ntopics, "topic count");
	for (size_t t = 0; t < x->ntopics; t++)
		SAME_STR(x->topics[t], y->topics[t], "topic");
}

/* What the store's accessors give of article i (lazy or whole). */
static void assert_same_record(const struct store *s, size_t i, const struct article *y)
{
	const char *path = y->path;
	cr_assert_str_eq(store_path(s, i), y->path);
	SAME_STR(store_provider_name(s, i), y->provider.name, "provider name");
	SAME_NUM(store_has(s, i), y->has & (HAS_DATE | HAS_QUALITY | HAS_HEAT), "has");
	SAME_NUM(store_date(s, i), y->date, "date");
	SAME_NUM(store_quality(s, i), y->quality, "quality");
	SAME_NUM(store_heat(s, i), y->heat, "heat");
	SAME_NUM(store_ntopics(s, i), y->ntopics, "topic count");
	for (size_t t = 0; t < y->ntopics; t++)
		SAME_STR(store_topic(s, i, t), y->topics[t], "topic");
	SAME_STR(store_type(s, i), y->type, "type");
	SAME_NUM(store_has_web_url(s, i), y->web_url && *y->web_url, "has a webUrl");
	SAME_NUM(store_identity_hash(s, i), hash_str(article_identity(y)), "identity hash");
	cr_assert(store_identity_is(s, i, article_identity(y)), "%s: identity", path);
	cr_assert(!store_identity_is(s, i, "https://nowhere.invalid/"));
	if (y->web_url && *y->web_url)
		cr_assert(store_web_url_is(s, i, y->web_url), "%s: webUrl", path);
	cr_assert(!store_web_url_is(s, i, "https://nowhere.invalid/"));
}

static void assert_same_links(const struct store *x, const struct store *y)
{
	for (size_t i = 0; i < x->n; i++) {
		size_t nx, ny;
		const size_t *bx = store_backlinks(x, i, &nx), *by = store_backlinks(y, i, &ny);
		cr_assert_eq(nx, ny, "%s: backlinks", store_path(x, i));
		for (size_t k = 0; k < nx; k++)
			cr_assert_eq(bx[k], by[k], "%s: backlink %zu", store_path(x, i), k);
	}
	/* every URL of every article (y is a whole load) */
	for (size_t i = 0; i < y->n; i++) {
		const char *u[] = {y->v[i]->web_url, y->v[i]->original_url, y->v[i]->amp_web_url,
				   "https://nowhere.invalid/", ""};
		for (size_t k = 0; k < sizeof u / sizeof *u; k++)
			cr_assert_eq(store_find_url(x, u[k]), store_find_url(y, u[k]), "%s", u[k]);
		cr_assert_eq(store_next_web_url(x, u[0], -1), store_next_web_url(y, u[0], -1));
	}
}

/* A warm cache of paths at a path of its own (the caller frees both). */
static char *warm_cache(const char *const *paths, size_t n, char **dir)
{
	*dir = temp_dir("lazy");
	char *cache = xasprintf("%s/x.cache", *dir);
	struct store s;
	load(&s, paths, n, cache, false, 0);
	store_free(&s);
	return cache;
}

Test(lazy, same_articles_links_and_problems_as_a_whole_load)
{
	char *dir, *cache = warm_cache(archive, NARCHIVE, &dir);
	struct store plain;
	load(&plain, archive, NARCHIVE, NULL, false, 0);
	cr_assert_gt(plain.n, 50);
	for (int threads = 1; threads <= 2; threads++) {
		struct store s;
		load(&s, archive, NARCHIVE, cache, true, threads);
		cr_assert_eq(s.n, plain.n);
		cr_assert_eq(s.cache_hits, s.nfiles - 0, "every file from the cache");
		cr_assert_eq(s.problems.n, plain.problems.n);
		for (size_t i = 0; i < s.problems.n; i++)
			cr_assert_str_eq(s.problems.v[i], plain.problems.v[i]);
		assert_same_links(&s, &plain);
		cr_assert_eq(store_url_max_probe(&s), store_url_max_probe(&plain));
		for (size_t i = 0; i < s.n; i++) {
			cr_assert(store_is_lazy(&s, i), "%s: not lazy", store_path(&s, i));
			cr_assert_null(s.v[i], "%s: a lazy article's copy", store_path(&s, i));
			assert_same_listed(store_row(&s, i), plain.v[i]);
			assert_same_record(&s, i, plain.v[i]);
		}
		/* from the end, so that no decode depends on the one before */
		for (size_t i = s.n; i-- > 0;) {
			const struct article *a = store_article(&s, i);
			assert_same_article(a, plain.v[i]);
			cr_assert_eq(store_article(&s, i), a, "decoded once, then kept");
		}
		assert_same_links(&s, &plain);
		cr_assert_eq(s.problems.n, plain.problems.n, "no problem added");
		store_free(&s);
	}
	store_free(&plain);
	free(cache);
	temp_dir_free(dir);
}

/* The reader's warm start (store_opts.from_cache, one path given) fills
 * the store from the cache's records section, no entry decoded: the same
 * records, rows, articles, links and problems as a whole load, root by
 * root of the archive. */
Test(lazy, same_from_the_cache_records)
{
	for (size_t r = 0; r < NARCHIVE; r++) {
		char *dir, *cache = warm_cache(archive + r, 1, &dir);
		struct store plain, s;
		load(&plain, archive + r, 1, NULL, false, 0);
		struct store_opts opts = {.cache_path = cache, .lazy = true, .from_cache = true};
		store_init(&s);
		store_load(&s, archive + r, 1, &opts);
		cr_assert(s.from_records, "%s: not from the records", archive[r]);
		cr_assert_eq(s.n, plain.n);
		cr_assert_eq(s.problems.n, plain.problems.n);
		for (size_t i = 0; i < s.problems.n; i++)
			cr_assert_str_eq(s.problems.v[i], plain.problems.v[i]);
		assert_same_links(&s, &plain);
		for (size_t i = 0; i < s.n; i++) {
			cr_assert(store_is_lazy(&s, i) && !s.v[i], "%s", store_path(&s, i));
			assert_same_listed(store_row(&s, i), plain.v[i]);
			assert_same_record(&s, i, plain.v[i]);
		}
		for (size_t i = s.n; i-- > 0;)
			assert_same_article(store_article(&s, i), plain.v[i]);
		assert_same_links(&s, &plain);
		store_free(&s);
		store_free(&plain);
		free(cache);
		temp_dir_free(dir);
	}
}

/* Linking again (store_link, after store_add) keeps the lazy articles'
 * links and sets those of the articles decoded since. */
Test(lazy, linking_again)
{
	char *dir, *cache = warm_cache(archive, 1, &dir);
	struct store s, plain;
	load(&s, archive, 1, cache, true, 1);
	load(&plain, archive, 1, NULL, false, 1);
	for (size_t i = 0; i < s.n; i += 2)
		store_article(&s, i);
	store_add(&s, article_new("extra"));
	store_add(&plain, article_new("extra"));
	store_link(&s);
	store_link(&plain);
	assert_same_links(&s, &plain);
	for (size_t i = 0; i < plain.n; i++)
		assert_same_article(store_article(&s, i), plain.v[i]);
	store_free(&s);
	store_free(&plain);
	free(cache);
	temp_dir_free(dir);
}

/* Stores that are not lazy give their articles as they are: a load
 * without the option, or without a cache. */
Test(lazy, whole_stores_give_v_itself)
{
	char *dir, *cache = warm_cache(archive, 1, &dir);
	struct store s;
	load(&s, archive, 1, cache, false, 0);
	cr_assert_gt(s.cache_hits, 0);
	for (size_t i = 0; i < s.n; i++)
		cr_assert(store_article(&s, i) == s.v[i] && !store_is_lazy(&s, i));
	cr_assert_null(store_article(&s, s.n));
	store_free(&s);
	load(&s, archive, 1, NULL, true, 0);
	for (size_t i = 0; i < s.n; i++)
		cr_assert(store_article(&s, i) == s.v[i] && !store_is_lazy(&s, i));
	store_free(&s);
	free(cache);
	temp_dir_free(dir);
}

/* An article not yet shown has no copy of its own: v[i] is NULL, and the
 * list's fields come from the store's record and the cache. */
Test(lazy, lazy_articles_have_no_copy)
{
	char *dir, *cache = warm_cache(archive, NARCHIVE, &dir);
	struct store s, plain;
	load(&s, archive, NARCHIVE, cache, true, 0);
	load(&plain, archive, NARCHIVE, NULL, false, 0);
	for (size_t i = 0; i < s.n; i++) {
		cr_assert_null(s.v[i], "%s", store_path(&s, i));
		assert_same_record(&s, i, plain.v[i]);
	}
	store_free(&s);
	store_free(&plain);
	free(cache);
	temp_dir_free(dir);
}

/* Searches see a lazy article's excerpt (only in its cache entry), by the
 * plain filter, the engine's regex scan and its plain-text path alike. */
Test(lazy, searches_read_the_whole_text)
{
	static const char *const patterns[] = {"the", "robot", "(?i)vision|sensor", "AI",
					       "zzz-nothing", "^[A-Z]", "\\p{Lu}{3}", "k"};
	char *dir, *cache = warm_cache(archive, NARCHIVE, &dir);
	struct store s, plain;
	load(&s, archive, NARCHIVE, cache, true, 0);
	load(&plain, archive, NARCHIVE, NULL, false, 0);
	size_t *want = xmalloc(s.n * sizeof *want), *got = xmalloc(s.n * sizeof *got);
	for (size_t p = 0; p < sizeof patterns / sizeof *patterns; p++) {
		char *err = NULL;
		struct search *re = search_compile(patterns[p], &err);
		cr_assert_not_null(re, "%s", err);
		size_t nwant = query_filter(&plain, re, want);
		cr_assert_eq(query_filter(&s, re, got), nwant, "'%s'", patterns[p]);
		cr_assert_arr_eq(got, want, nwant * sizeof *got, "'%s'", patterns[p]);
		for (size_t min = 1; min <= QUERY_THREAD_MIN; min += QUERY_THREAD_MIN - 1) {
			struct query *q = query_new(&s);
			query_set_thread_min(q, min);
			for (size_t i = 0; i < s.n; i++)
				cr_assert_eq(query_matches(q, re, i), search_article(re, plain.v[i]),
					     "'%s' in %s", patterns[p], store_path(&s, i));
			query_free(q);
			/* one article alone, as / and n test them from the
			 * cursor, before any set or search text is built */
			q = query_new(&s);
			query_set_thread_min(q, min);
			for (size_t i = 0; i < s.n; i++)
				cr_assert_eq(query_test(q, re, i), search_article(re, plain.v[i]),
					     "'%s' tested alone in %s", patterns[p],
					     store_path(&s, i));
			query_free(q);
		}
		search_free(re);
	}
	free(want);
	free(got);
	store_free(&s);
	store_free(&plain);
	free(cache);
	temp_dir_free(dir);
}

/* Overwrite every body of the cache file in place: what a disk error or
 * another program could do after the load. */
static void damage_bodies(const char *cache)
{
	int fd = open(cache, O_RDWR);
	cr_assert_geq(fd, 0);
	unsigned char h[88];
	cr_assert_eq(pread(fd, h, sizeof h, 0), (ssize_t)sizeof h);
	uint64_t bodies = 0;
	for (int k = 7; k >= 0; k--)
		bodies = bodies << 8 | h[32 + k];
	/* right after the header */
	off_t at = 88, end = at + (off_t)bodies;
	cr_assert_lt(at, end);
	for (; at < end; at++)
		cr_assert_eq(pwrite(fd, "\xa5", 1, at), 1);
	close(fd);
}

static bool has_problem(const struct store *s, const char *path, const char *text)
{
	for (size_t i = 0; i < s->problems.n; i++)
		if (strstr(s->problems.v[i], path) && strstr(s->problems.v[i], text))
			return true;
	return false;
}

/* A damaged entry is read from its file again, or, when the file is gone
 * too, shown as the list holds it; a problem says which. */
Test(lazy, entry_damaged_after_the_load)
{
	char *dir = temp_dir("lazy-damage");
	char *cmd = xasprintf("cp -R tests/corpus/. '%s'/", dir);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
	wait_until_not_racy();
	const char *paths[] = {dir};
	char *cache = xasprintf("%s.cache", dir);
	struct store s, plain;
	load(&plain, paths, 1, cache, false, 0);
	load(&s, paths, 1, cache, true, 0);
	cr_assert(store_is_lazy(&s, 0) && store_is_lazy(&s, 1));
	/* its row shown before the damage: the title the list showed stays */
	cr_assert_not_null(store_row(&s, 1)->title);
	char *title1 = xstrdup(store_row(&s, 1)->title);
	damage_bodies(cache);
	size_t n0 = s.problems.n;
	assert_same_article(store_article(&s, 0), plain.v[0]);
	cr_assert_eq(s.problems.n, n0 + 1);
	cr_assert(has_problem(&s, store_path(&s, 0), "damaged since loading; read from the file"));
	cr_assert_eq(unlink(store_path(&s, 1)), 0);
	const struct article *a1 = store_article(&s, 1);
	cr_assert_str_eq(a1->path, plain.v[1]->path);
	cr_assert_str_eq(a1->title, title1, "the list's fields");
	cr_assert_eq(store_article(&s, 1), a1, "kept");
	cr_assert(has_problem(&s, store_path(&s, 1), "file cannot be read"));
	free(title1);
	/* a search still sees what the heads hold */
	char *err = NULL;
	struct search *re = search_compile("the", &err);
	size_t *got = xmalloc(s.n * sizeof *got), *want = xmalloc(s.n * sizeof *want);
	cr_assert_eq(query_filter(&s, re, got), query_filter(&plain, re, want));
	search_free(re);
	free(got);
	free(want);
	store_free(&s);
	store_free(&plain);
	unlink(cache);
	free(cache);
	temp_dir_free(dir);
}

/* The reader, its script fed through a pipe: the cache is damaged between
 * its first screen and the next story it shows, and the prompt line says
 * so. */
Test(lazy, reader_says_a_damaged_entry, .timeout = 60)
{
	char *dir = temp_dir("lazy-reader");
	char *home = xasprintf("XDG_CACHE_HOME=%s", dir), *state = xasprintf("XDG_STATE_HOME=%s", dir);
	const char *env[] = {"TZ=UTC", "LANG=C.UTF-8", "LC_ALL=C.UTF-8", "HOME=/nonexistent",
			     "XDG_CONFIG_HOME=/nonexistent", "NO_COLOR=1", home, state, NULL};
	struct run r;
	const char *check[] = {"--check", "tests/corpus", NULL};
	run_lede(&r, check, env); /* writes the cache */
	run_free(&r);
	char *cache_dir = xasprintf("%s/lede", dir);
	char *cmd = xasprintf("ls '%s'/*.cache", cache_dir);
	FILE *ls = popen(cmd, "r");
	char cache[512] = "";
	cr_assert(ls && fgets(cache, sizeof cache, ls), "no cache written");
	pclose(ls);
	cache[strcspn(cache, "\n")] = '\0';

	int in[2], out[2];
	cr_assert(pipe(in) == 0 && pipe(out) == 0);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		dup2(out[1], 2); /* what an expect says */
		close(in[1]);
		close(out[0]);
		for (size_t i = 0; env[i]; i++)
			putenv((char *)env[i]);
		const char *bin = getenv("LEDE_BIN") ? getenv("LEDE_BIN") : "./lede";
		const char *argv[] = {"--script", "/dev/stdin", "--size", "250x30", "tests/corpus",
				      NULL};
		exec_lede(bin, argv);
	}
	close(in[0]);
	close(out[1]);
	const char *first = "dump first\n";
	cr_assert_eq(write(in[1], first, strlen(first)), (ssize_t)strlen(first));
	char buf[4096];
	cr_assert_gt(read(out[0], buf, sizeof buf), 0, "no first screen");
	damage_bodies(cache);
	/* the story pane follows the list: the second story is decoded now */
	const char *next = "key j\nexpect message damaged since loading; read from the file\n"
			   "expect story .\n";
	cr_assert_eq(write(in[1], next, strlen(next)), (ssize_t)strlen(next));
	close(in[1]);
	struct buf rest = {0};
	ssize_t n;
	while ((n = read(out[0], buf, sizeof buf)) > 0)
		buf_add(&rest, buf, (size_t)n);
	close(out[0]);
	int status;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the reader failed: %s",
		  rest.data ? rest.data : "");
	buf_free(&rest);
	free(cmd);
	free(cache_dir);
	free(home);
	free(state);
	temp_dir_free(dir);
}

/* The parsed article cache: every field of every seed and corpus article
 * survives a round trip; problems survive with the file; a changed, new or
 * too recent file misses; every kind of damage makes the cache refused; a
 * commit is atomic; the cache's name depends on the roots, not on how they
 * are spelled.
 *
 * Each test works in its own mkdtemp directory, removed by the suite's
 * .fini even when an assertion fails. Files are copied there with an old,
 * fixed mtime, and the stat handed to the cache says an old ctime too
 * (the cache trusts the stat it is given): the writer leaves out files
 * changed in the last seconds, and a fresh copy would be that recent. The
 * racy cases themselves are in test_cache_trust.c. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"
#include "lede/cache.h"
#include "lede/parse.h"
#include "lede/scan.h"
#include "lede/util.h"

enum { OLD_SEC = 1600000000, OLD_NSEC = 123456789, HEADER = 88, RECORD = 72 };

static char *tmp; /* this test's directory */

static uint64_t get_le64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int k = 7; k >= 0; k--)
		v = v << 8 | p[k];
	return v;
}

static void make_tmp(void)
{
	const char *t = getenv("TMPDIR");
	tmp = xasprintf("%s/lede-cache-test-XXXXXX", t && *t ? t : "/tmp");
	cr_assert_not_null(mkdtemp(tmp), "mkdtemp: %s", strerror(errno));
}

static void remove_tmp(void)
{
	if (tmp)
		remove_tree(tmp);
	free(tmp);
	tmp = NULL;
}

TestSuite(cache, .init = make_tmp, .fini = remove_tmp);

/* ---- files ---- */

static void set_mtime(const char *path, long sec, long nsec)
{
	struct timespec ts[2] = {{sec, nsec}, {sec, nsec}};
	cr_assert(utimensat(AT_FDCWD, path, ts, 0) == 0, "utimensat %s: %s", path,
		  strerror(errno));
}

/* Copy src into the test directory as <n>-<basename> with the old mtime. */
static char *copy_old(const char *src, size_t n)
{
	size_t len;
	char *data = slurp(src, &len);
	const char *base = strrchr(src, '/');
	char *dst = xasprintf("%s/%03zu-%s", tmp, n, base ? base + 1 : src);
	write_bytes(dst, data, len);
	free(data);
	set_mtime(dst, OLD_SEC, OLD_NSEC);
	return dst;
}

/* path's stat, as it would be had the file been written long ago. */
static struct stat stat_of(const char *path)
{
	struct stat st;
	cr_assert(stat(path, &st) == 0, "stat %s: %s", path, strerror(errno));
	st.st_ctim.tv_sec = OLD_SEC;
	st.st_ctim.tv_nsec = OLD_NSEC;
	return st;
}

static char *file_in_tmp(const char *name)
{
	return xasprintf("%s/%s", tmp, name);
}

/* ---- parsed files ---- */

struct item {
	char *path;
	struct stat st;
	struct article *a; /* NULL when skipped */
	struct strlist problems;
};

static void parse_item(struct item *it, char *path)
{
	it->path = path;
	it->st = stat_of(path);
	size_t len;
	char *data = slurp(path, &len);
	it->problems = (struct strlist){0};
	it->a = parse_article(path, data, len, &it->problems);
	free(data);
}

static void free_item(struct item *it)
{
	free(it->path);
	article_free(it->a);
	strlist_free(&it->problems);
}

static void add_item(struct cache_writer *w, const struct item *it)
{
	cache_writer_add(w, it->path, &it->st, it->a, (const char *const *)it->problems.v,
			 it->problems.n);
}

static void commit(struct cache_writer *w, const char *path)
{
	char *err = NULL;
	int r = cache_writer_commit(w, path, &err);
	cr_assert_eq(r, 0, "commit: %s", err ? err : "(no message)");
	cr_assert_null(err);
}

static struct cache *open_ok(const char *path)
{
	char *err = NULL;
	struct cache *c = cache_open(path, &err);
	cr_assert_not_null(c, "open: %s", err ? err : "(no message)");
	cr_assert_null(err);
	return c;
}

/* ---- comparing articles field by field ---- */

/* Each returns NULL when equal, else a description of the first difference
 * (the caller frees it). */
#define CHECK(expr)                   \
	do {                          \
		char *d_ = (expr);    \
		if (d_)               \
			return d_;    \
	} while (0)
#define SAME_STR(x, y, f) CHECK(diff_str(where, #f, (x)->f, (y)->f))
#define SAME_NUM(x, y, f)                                                               \
	do {                                                                            \
		if ((x)->f != (y)->f)                                                   \
			return xasprintf("%s%s: %lld vs %lld", where, #f, (long long)(x)->f, \
					 (long long)(y)->f);                            \
	} while (0)

static char *diff_str(const char *where, const char *name, const char *a, const char *b)
{
	if (a == NULL && b == NULL)
		return NULL;
	if (a && b && strlen(a) == strlen(b) && !memcmp(a, b, strlen(a)))
		return NULL;
	return xasprintf("%s%s: %s%s%s vs %s%s%s", where, name, a ? "\"" : "", a ? a : "NULL",
			 a ? "\"" : "", b ? "\"" : "", b ? b : "NULL", b ? "\"" : "");
}

static char *diff_image(const char *where, const struct image *x, const struct image *y)
{
	SAME_STR(x, y, url);
	SAME_STR(x, y, title);
	SAME_NUM(x, y, width);
	SAME_NUM(x, y, height);
	SAME_NUM(x, y, is_cached);
	SAME_NUM(x, y, has);
	return NULL;
}

static char *diff_images(const char *where, const struct image *x, size_t nx,
			 const struct image *y, size_t ny)
{
	if (nx != ny)
		return xasprintf("%simages: %zu vs %zu", where, nx, ny);
	for (size_t i = 0; i < nx; i++) {
		char *w = xasprintf("%simages[%zu].", where, i);
		char *d = diff_image(w, &x[i], &y[i]);
		free(w);
		CHECK(d);
	}
	return NULL;
}

static char *diff_strs(const char *what, const char *const *x, size_t nx,
		       const char *const *y, size_t ny)
{
	if (nx != ny)
		return xasprintf("%s: %zu vs %zu", what, nx, ny);
	for (size_t i = 0; i < nx; i++) {
		char *w = xasprintf("%s[%zu]", what, i);
		char *d = diff_str("", w, x[i], y[i]);
		free(w);
		if (d)
			return d;
	}
	return NULL;
}

static char *diff_provider(const char *where, const struct provider *x,
			   const struct provider *y)
{
	SAME_STR(x, y, name);
	SAME_STR(x, y, domain);
	CHECK(diff_strs("authors", x->authors, x->nauthors, y->authors, y->nauthors));
	return diff_images(where, x->images, x->nimages, y->images, y->nimages);
}

/* A site's record's own fields. */
static char *diff_site(const struct article *x, const struct article *y)
{
	const char *where = "";
	SAME_STR(x, y, name);
	SAME_STR(x, y, player);
	CHECK(diff_strs("items", x->items, x->nitems, y->items, y->nitems));
	SAME_NUM(x, y, nactions);
	for (size_t i = 0; i < x->nactions; i++) {
		char *w = xasprintf("actions[%zu].", i);
		const struct article_action *p = &x->actions[i], *q = &y->actions[i];
		char *d = diff_str(w, "title", p->title, q->title);
		if (!d)
			d = diff_str(w, "url", p->url, q->url);
		if (!d)
			d = diff_str(w, "type", p->type, q->type);
		free(w);
		CHECK(d);
	}
	return NULL;
}

static char *diff_related(const char *where, const struct related *x, const struct related *y)
{
	SAME_STR(x, y, title);
	SAME_STR(x, y, excerpt);
	SAME_STR(x, y, type);
	SAME_STR(x, y, web_url);
	SAME_STR(x, y, amp_web_url);
	SAME_STR(x, y, cdn_amp_web_url);
	SAME_NUM(x, y, date);
	SAME_NUM(x, y, quality);
	SAME_NUM(x, y, has);
	char *w = xasprintf("%sprovider.", where);
	char *d = diff_provider(w, &x->provider, &y->provider);
	free(w);
	CHECK(d);
	return diff_images(where, x->images, x->nimages, y->images, y->nimages);
}

static char *diff_article(const struct article *x, const struct article *y)
{
	const char *where = "";
	if (!x || !y)
		return x == y ? NULL : xasprintf("article: %s vs %s", x ? "present" : "NULL",
						 y ? "present" : "NULL");
	SAME_STR(x, y, path);
	SAME_STR(x, y, category);
	SAME_STR(x, y, type);
	SAME_STR(x, y, title);
	SAME_STR(x, y, excerpt);
	SAME_STR(x, y, original_url);
	SAME_STR(x, y, web_url);
	SAME_STR(x, y, amp_web_url);
	SAME_STR(x, y, cdn_amp_web_url);
	SAME_NUM(x, y, date);
	SAME_NUM(x, y, quality);
	SAME_NUM(x, y, heat);
	SAME_NUM(x, y, published);
	SAME_NUM(x, y, has);
	CHECK(diff_site(x, y));
	CHECK(diff_provider("provider.", &x->provider, &y->provider));
	SAME_NUM(x, y, ntopics);
	for (size_t i = 0; i < x->ntopics; i++) {
		char *w = xasprintf("topics[%zu]", i);
		char *d = diff_str("", w, x->topics[i], y->topics[i]);
		free(w);
		CHECK(d);
	}
	CHECK(diff_images("", x->images, x->nimages, y->images, y->nimages));
	SAME_NUM(x, y, nrelated);
	for (size_t i = 0; i < x->nrelated; i++) {
		char *w = xasprintf("related[%zu].", i);
		char *d = diff_related(w, &x->related[i], &y->related[i]);
		free(w);
		CHECK(d);
	}
	return NULL;
}

static void assert_same(const struct article *x, const struct article *y, const char *path)
{
	char *d = diff_article(x, y);
	cr_assert_null(d, "%s: %s", path, d);
	if (y)
		for (size_t i = 0; i < y->nrelated; i++)
			cr_assert_eq(y->related[i].local, -1, "%s: related[%zu].local", path, i);
}

static void assert_same_problems(const struct strlist *want, const struct strlist *got,
				 const char *path)
{
	cr_assert_eq(got->n, want->n, "%s: %zu problems, want %zu", path, got->n, want->n);
	for (size_t i = 0; i < want->n; i++)
		cr_assert_str_eq(got->v[i], want->v[i], "%s: problem %zu", path, i);
}

/* Copy every candidate under the roots into the test directory, parse each,
 * cache them all, reopen, and check each one comes back the same. Returns
 * how many were articles. */
static size_t round_trip(const char *const *roots, size_t nroots, size_t *nskipped)
{
	struct strlist files = {0}, scan_problems = {0};
	scan_paths(roots, nroots, &files, &scan_problems);
	cr_assert_eq(scan_problems.n, 0);
	cr_assert_gt(files.n, 0);
	struct item *items = xcalloc(files.n, sizeof *items);
	struct cache_writer *w = cache_writer_new();
	for (size_t i = 0; i < files.n; i++) {
		parse_item(&items[i], copy_old(files.v[i], i));
		add_item(w, &items[i]);
	}
	char *cpath = file_in_tmp("cache/roots.cache");
	commit(w, cpath);
	cache_writer_free(w);

	struct cache *c = open_ok(cpath);
	cr_assert_eq(cache_count(c), files.n);
	size_t narticles = 0;
	*nskipped = 0;
	for (size_t i = 0; i < files.n; i++) {
		struct item *it = &items[i];
		struct article *a = (struct article *)1;
		struct strlist problems = {0};
		cr_assert_eq(cache_lookup(c, it->path, &it->st, &a, &problems), 1, "%s misses",
			     it->path);
		assert_same(it->a, a, it->path);
		assert_same_problems(&it->problems, &problems, it->path);
		narticles += a != NULL;
		*nskipped += a == NULL;
		article_free(a);
		strlist_free(&problems);
		free_item(it);
	}
	cache_close(c);
	free(items);
	free(cpath);
	strlist_free(&files);
	strlist_free(&scan_problems);
	return narticles;
}

/* The seeds, the corpus, and tests/data/cache/every-field.md for what
 * they lack: images in a related story's provider, empty strings, extreme
 * numbers, a date before 1970, published: false; then a site's records
 * (names, players, items, actions, authors), which the round trip alone
 * reads. */
static const char *const round_trip_roots[] = {
	"seeds", "tests/corpus", "tests/data/cache",
	"tests/corpus-site/SmartableAI__microsoft-power-apps/_learning",
	"tests/corpus-site/SmartableAI__microsoft-power-apps/_samples",
	"tests/corpus-site/SmartableAI__microsoft-power-apps/_people",
};

Test(cache, seeds_and_corpus_every_field)
{
	size_t skipped;
	size_t n = round_trip(round_trip_roots, 6, &skipped);
	cr_assert_geq(n, 96, "only %zu articles", n);
	cr_assert_eq(skipped, 0);
}

/* A plain YAML scalar of c repeated n times after prefix. */
static void put_long(struct buf *b, const char *prefix, char c, size_t n)
{
	buf_puts(b, prefix);
	for (size_t i = 0; i < n; i++)
		buf_putc(b, c);
}

/* key: a string of n bytes past max, at indent. */
static void put_field(struct buf *b, const char *indent, const char *key, char c, size_t max)
{
	buf_printf(b, "%s%s: ", indent, key);
	put_long(b, "", c, max + 3);
	buf_putc(b, '\n');
}

/* n + 1 images, the first with its strings too long, at indent. */
static void put_images(struct buf *b, const char *indent, size_t n)
{
	buf_printf(b, "%simages:\n%s  - ", indent, indent);
	put_long(b, "url: https://example.com/", 'u', ARTICLE_URL_MAX);
	buf_printf(b, "\n%s    ", indent);
	put_long(b, "title: ", 'i', ARTICLE_TITLE_MAX);
	buf_putc(b, '\n');
	for (size_t i = 1; i <= n; i++)
		buf_printf(b, "%s  - url: https://example.com/%zu.jpg\n", indent, i);
}

Test(cache, article_cut_at_every_limit_round_trips)
{
	/* Every string longer than its field keeps and every list longer
	 * than its count, so the parser cuts each to exactly its limit (the
	 * title, of two-byte characters after one byte, a byte short): the
	 * decoder's limits must take all of that back. */
	struct buf b = {0};
	buf_puts(&b, "---\n");
	put_field(&b, "", "category", 'c', ARTICLE_NAME_MAX);
	put_field(&b, "", "type", 't', ARTICLE_NAME_MAX);
	buf_puts(&b, "title: a");
	for (size_t i = 0; i < ARTICLE_TITLE_MAX / 2; i++)
		buf_puts(&b, "\xc3\xa9");
	buf_putc(&b, '\n');
	put_field(&b, "", "excerpt", 'e', ARTICLE_EXCERPT_MAX);
	put_field(&b, "", "originalUrl", 'o', ARTICLE_URL_MAX);
	put_field(&b, "", "webUrl", 'w', ARTICLE_URL_MAX);
	put_field(&b, "", "ampWebUrl", 'w', ARTICLE_URL_MAX);
	put_field(&b, "", "cdnAmpWebUrl", 'd', ARTICLE_URL_MAX);
	buf_puts(&b, "provider:\n");
	put_field(&b, "  ", "name", 'n', ARTICLE_NAME_MAX);
	put_field(&b, "  ", "domain", 'm', ARTICLE_NAME_MAX);
	put_images(&b, "  ", ARTICLE_IMAGES_MAX);
	buf_puts(&b, "topics:\n");
	for (size_t i = 0; i <= ARTICLE_TOPICS_MAX; i++) {
		buf_printf(&b, "  - %zu", i);
		put_long(&b, "", 'p', ARTICLE_TOPIC_MAX);
		buf_putc(&b, '\n');
	}
	put_images(&b, "", ARTICLE_IMAGES_MAX);
	buf_puts(&b, "related:\n  - publishedDateTime: 2024-01-02T03:04:05Z\n");
	put_field(&b, "    ", "title", 'T', ARTICLE_TITLE_MAX);
	put_field(&b, "    ", "excerpt", 'E', ARTICLE_EXCERPT_MAX);
	put_field(&b, "    ", "type", 'Y', ARTICLE_NAME_MAX);
	put_field(&b, "    ", "webUrl", 'W', ARTICLE_URL_MAX);
	put_field(&b, "    ", "ampWebUrl", 'A', ARTICLE_URL_MAX);
	put_field(&b, "    ", "cdnAmpWebUrl", 'D', ARTICLE_URL_MAX);
	buf_puts(&b, "    provider:\n");
	put_field(&b, "      ", "name", 'N', ARTICLE_NAME_MAX);
	put_field(&b, "      ", "domain", 'M', ARTICLE_NAME_MAX);
	put_images(&b, "      ", ARTICLE_IMAGES_MAX);
	put_images(&b, "    ", ARTICLE_IMAGES_MAX);
	for (size_t i = 1; i <= ARTICLE_RELATED_MAX; i++)
		buf_printf(&b, "  - {title: r%zu}\n", i);
	buf_puts(&b, "---\n");
	char *dir = file_in_tmp("limits");
	cr_assert(mkdir(dir, 0700) == 0);
	char *path = file_in_tmp("limits/cut.md");
	write_bytes(path, b.data, b.len);
	buf_free(&b);

	/* the parser did cut each, to its limit */
	struct item it;
	parse_item(&it, path);
	cr_assert_not_null(it.a);
	const struct article *a = it.a;
	cr_assert_eq(strlen(a->title), ARTICLE_TITLE_MAX - 1);
	cr_assert_eq(strlen(a->excerpt), ARTICLE_EXCERPT_MAX);
	cr_assert_eq(strlen(a->cdn_amp_web_url), ARTICLE_URL_MAX);
	cr_assert_eq(strlen(a->provider.name), ARTICLE_NAME_MAX);
	cr_assert_eq(a->ntopics, ARTICLE_TOPICS_MAX);
	cr_assert_eq(strlen(a->topics[ARTICLE_TOPICS_MAX - 1]), ARTICLE_TOPIC_MAX);
	cr_assert_eq(a->nimages, ARTICLE_IMAGES_MAX);
	cr_assert_eq(strlen(a->images[0].url), ARTICLE_URL_MAX);
	cr_assert_eq(a->provider.nimages, ARTICLE_IMAGES_MAX);
	cr_assert_eq(a->nrelated, ARTICLE_RELATED_MAX);
	cr_assert_eq(strlen(a->related[0].excerpt), ARTICLE_EXCERPT_MAX);
	cr_assert_eq(strlen(a->related[0].provider.domain), ARTICLE_NAME_MAX);
	cr_assert_eq(a->related[0].nimages, ARTICLE_IMAGES_MAX);
	cr_assert_eq(a->related[0].provider.nimages, ARTICLE_IMAGES_MAX);
	cr_assert_eq(strlen(a->related[0].provider.images[0].title), ARTICLE_TITLE_MAX);
	cr_assert_geq(it.problems.n, 20);
	free_item(&it);

	/* and the cache gives back all of it, and its problems */
	const char *roots[] = {dir};
	size_t skipped;
	cr_assert_eq(round_trip(roots, 1, &skipped), 1);
	cr_assert_eq(skipped, 0);
	free(dir);
}

Test(cache, round_trip_data_has_every_kind_of_field)
{
	/* The round trip above proves something only if the data has every
	 * field, set and unset: check that it does. */
	struct strlist files = {0}, problems = {0};
	scan_paths(round_trip_roots, 3, &files, &problems);
	unsigned has = 0, rel_has = 0, img_has = 0, img_unset = 0;
	size_t topics = 0, images = 0, rel = 0, rel_images = 0, prov_images = 0,
	       rel_prov_images = 0, unpublished = 0, null_strings = 0, empty_strings = 0,
	       negative = 0, uncached = 0;
	for (size_t i = 0; i < files.n; i++) {
		size_t len;
		char *data = slurp(files.v[i], &len);
		struct article *a = parse_article(files.v[i], data, len, &problems);
		free(data);
		cr_assert_not_null(a, "%s", files.v[i]);
		has |= a->has;
		topics += a->ntopics;
		images += a->nimages;
		prov_images += a->provider.nimages;
		unpublished += (a->has & HAS_PUBLISHED) && !a->published;
		null_strings += !a->original_url || !a->cdn_amp_web_url || !a->category;
		empty_strings += a->excerpt && !*a->excerpt;
		negative += a->date < 0 && a->quality < 0;
		for (size_t k = 0; k < a->nimages; k++) {
			img_has |= a->images[k].has;
			img_unset |= ~a->images[k].has;
			uncached += (a->images[k].has & HAS_CACHED) && !a->images[k].is_cached;
		}
		rel += a->nrelated;
		for (size_t r = 0; r < a->nrelated; r++) {
			rel_has |= a->related[r].has;
			rel_images += a->related[r].nimages;
			rel_prov_images += a->related[r].provider.nimages;
		}
		article_free(a);
	}
	cr_assert_eq(problems.n, 0, "%s", problems.n ? problems.v[0] : "");
	cr_assert_eq(has & (HAS_DATE | HAS_QUALITY | HAS_HEAT | HAS_PUBLISHED),
		     HAS_DATE | HAS_QUALITY | HAS_HEAT | HAS_PUBLISHED);
	cr_assert_eq(rel_has & (HAS_DATE | HAS_QUALITY), HAS_DATE | HAS_QUALITY);
	cr_assert_eq(img_has & (HAS_WIDTH | HAS_HEIGHT | HAS_CACHED),
		     HAS_WIDTH | HAS_HEIGHT | HAS_CACHED);
	cr_assert_eq(img_unset & (HAS_WIDTH | HAS_HEIGHT | HAS_CACHED),
		     HAS_WIDTH | HAS_HEIGHT | HAS_CACHED);
	cr_assert(topics && images && rel && rel_images && prov_images && rel_prov_images);
	cr_assert(unpublished);
	cr_assert(null_strings);
	cr_assert(empty_strings);
	cr_assert(negative);
	cr_assert(uncached);
	strlist_free(&files);
	strlist_free(&problems);
}

Test(cache, bad_files_keep_their_problems)
{
	const char *roots[] = {"tests/data/bad"};
	size_t skipped;
	size_t n = round_trip(roots, 1, &skipped);
	cr_assert_geq(skipped, 5, "only %zu skipped", skipped);
	cr_assert_geq(n, 3, "only %zu articles with problems", n);
}

Test(cache, the_comparison_sees_every_change)
{
	/* The helper the round trips rely on must notice a change anywhere,
	 * down to a related story's provider's image's has bits. */
	char *path = copy_old("seeds/000_05f876dcdba3f9f7.txt", 0);
	struct item it;
	parse_item(&it, path);
	cr_assert_not_null(it.a);
	struct cache_writer *w = cache_writer_new();
	add_item(w, &it);
	char *cpath = file_in_tmp("c.cache");
	commit(w, cpath);
	cache_writer_free(w);
	struct cache *c = open_ok(cpath);

	for (int change = 0; change < 12; change++) {
		struct article *a = NULL;
		struct strlist problems = {0};
		cr_assert_eq(cache_lookup(c, it.path, &it.st, &a, &problems), 1);
		cr_assert_null(diff_article(it.a, a));
		struct related *r = &a->related[0];
		switch (change) {
		case 0: a->title = "x"; break;
		case 1: a->cdn_amp_web_url = NULL; break;
		case 2: a->has ^= HAS_HEAT; break;
		case 3: a->date++; break;
		case 4: a->published = !a->published; break;
		case 5: a->topics[a->ntopics - 1] = "y"; break;
		case 6: a->images[0].is_cached = !a->images[0].is_cached; break;
		case 7: a->provider.images[0].width++; break;
		case 8: r->provider.domain = "z"; break;
		case 9: r->quality++; break;
		case 10: a->nrelated--; break;
		case 11: a->related[a->nrelated - 1].nimages = 0; break;
		}
		char *d = diff_article(it.a, a);
		cr_assert_not_null(d, "change %d went unnoticed", change);
		free(d);
		article_free(a);
		strlist_free(&problems);
	}
	cache_close(c);
	free(cpath);
	free_item(&it);
}

/* ---- hits and misses ---- */

/* A cache at tmp/c.cache holding one copy of a file; *it describes it. */
static struct cache *cache_one(struct item *it, const char *src)
{
	parse_item(it, copy_old(src, 0));
	struct cache_writer *w = cache_writer_new();
	add_item(w, it);
	char *cpath = file_in_tmp("c.cache");
	commit(w, cpath);
	cache_writer_free(w);
	struct cache *c = open_ok(cpath);
	free(cpath);
	return c;
}

static void expect_miss(struct cache *c, const char *path, const struct stat *st)
{
	struct article *a = (struct article *)1;
	struct strlist problems = {0};
	strlist_push(&problems, xstrdup("earlier"));
	cr_assert_eq(cache_lookup(c, path, st, &a, &problems), 0, "%s hits", path);
	cr_assert_eq(a, (struct article *)1, "a miss set *article");
	cr_assert_eq(problems.n, 1, "a miss added problems");
	strlist_free(&problems);
}

Test(cache, changed_mtime_misses)
{
	struct item it;
	struct cache *c = cache_one(&it, "seeds/000_05f876dcdba3f9f7.txt");
	set_mtime(it.path, OLD_SEC, OLD_NSEC + 1); /* only the nanoseconds */
	struct stat st = stat_of(it.path);
	expect_miss(c, it.path, &st);
	set_mtime(it.path, OLD_SEC + 1, OLD_NSEC);
	st = stat_of(it.path);
	expect_miss(c, it.path, &st);
	cache_close(c);
	free_item(&it);
}

Test(cache, changed_size_misses)
{
	struct item it;
	struct cache *c = cache_one(&it, "seeds/000_05f876dcdba3f9f7.txt");
	int fd = open(it.path, O_WRONLY | O_APPEND);
	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, "\n", 1), 1);
	close(fd);
	set_mtime(it.path, OLD_SEC, OLD_NSEC); /* same mtime, one byte more */
	struct stat st = stat_of(it.path);
	expect_miss(c, it.path, &st);
	cache_close(c);
	free_item(&it);
}

Test(cache, replaced_file_misses)
{
	/* Same size, same mtime, but a new file (as an editor's save-by-rename
	 * leaves it): the inode tells. */
	struct item it;
	struct cache *c = cache_one(&it, "seeds/000_05f876dcdba3f9f7.txt");
	size_t len;
	char *data = slurp(it.path, &len);
	char *other = file_in_tmp("replacement");
	write_bytes(other, data, len);
	free(data);
	cr_assert(rename(other, it.path) == 0);
	set_mtime(it.path, OLD_SEC, OLD_NSEC);
	struct stat st = stat_of(it.path);
	cr_assert_neq(st.st_ino, it.st.st_ino);
	expect_miss(c, it.path, &st);
	free(other);
	cache_close(c);
	free_item(&it);
}

Test(cache, unknown_path_misses)
{
	struct item it;
	struct cache *c = cache_one(&it, "seeds/000_05f876dcdba3f9f7.txt");
	char *other = copy_old("seeds/001_f1014d9369e0f1d9.txt", 1);
	struct stat st = stat_of(other);
	expect_miss(c, other, &st);
	free(other);
	cache_close(c);
	free_item(&it);
}

Test(cache, recently_modified_file_is_not_kept)
{
	char *path = file_in_tmp("fresh.md");
	write_bytes(path, "---\ntitle: \"fresh\"\n---\n", 23);
	struct item it;
	parse_item(&it, path);
	cr_assert_not_null(it.a);
	struct cache_writer *w = cache_writer_new();
	add_item(w, &it);
	char *cpath = file_in_tmp("c.cache");
	commit(w, cpath);
	cache_writer_free(w);
	struct cache *c = open_ok(cpath);
	cr_assert_eq(cache_count(c), 0);
	expect_miss(c, it.path, &it.st);
	cache_close(c);
	free(cpath);
	free_item(&it);
}

Test(cache, another_name_for_the_same_file_misses)
{
	/* The archive named another way (through a link, or a hard link to
	 * the file): the same device, inode, size and times, but not the path
	 * the entry was stored for, so not the entry. */
	struct item it;
	struct cache *c = cache_one(&it, "tests/data/bad/wrong-types.md");
	cr_assert_not_null(it.a);
	char *link = file_in_tmp("dir\033[31m-link.md");
	cr_assert(symlink(it.path, link) == 0);
	struct stat st = stat_of(link);
	cr_assert_eq(st.st_ino, it.st.st_ino);
	expect_miss(c, link, &st);
	/* the same bytes with a different spelling */
	char *dotted = xasprintf("%s/./%s", tmp, strrchr(it.path, '/') + 1);
	expect_miss(c, dotted, &it.st);
	/* and the path it was stored for still hits */
	struct article *a = NULL;
	struct strlist problems = {0};
	cr_assert_eq(cache_lookup(c, it.path, &it.st, &a, &problems), 1);
	assert_same(it.a, a, it.path);
	assert_same_problems(&it.problems, &problems, it.path);
	article_free(a);
	strlist_free(&problems);
	free(dotted);
	free(link);
	cache_close(c);
	free_item(&it);
}

Test(cache, path_that_needs_escaping_keeps_its_problems)
{
	char *path = file_in_tmp("bad\033]0;x\007name.md");
	write_bytes(path, "---\ntitle: \"never closed\"\n", 26);
	set_mtime(path, OLD_SEC, OLD_NSEC);
	struct item it;
	parse_item(&it, path);
	cr_assert_null(it.a);
	cr_assert_eq(it.problems.n, 1);
	cr_assert(strstr(it.problems.v[0], "\\x1b"), "%s", it.problems.v[0]);
	struct cache_writer *w = cache_writer_new();
	add_item(w, &it);
	/* A problem that does not start with the path is kept as it is. */
	const char *foreign[] = {"somewhere else: a note"};
	char *other = copy_old("tests/data/bad/empty.md", 1);
	struct stat ost = stat_of(other);
	cache_writer_add(w, other, &ost, NULL, foreign, 1);
	char *cpath = file_in_tmp("c.cache");
	commit(w, cpath);
	cache_writer_free(w);
	struct cache *c = open_ok(cpath);

	struct article *a = (struct article *)1;
	struct strlist problems = {0};
	cr_assert_eq(cache_lookup(c, it.path, &it.st, &a, &problems), 1);
	cr_assert_null(a);
	assert_same_problems(&it.problems, &problems, "escaped");
	strlist_free(&problems);
	cr_assert_eq(cache_lookup(c, other, &ost, &a, &problems), 1);
	cr_assert_null(a);
	cr_assert_eq(problems.n, 1);
	cr_assert_str_eq(problems.v[0], "somewhere else: a note");
	strlist_free(&problems);
	cache_close(c);
	free(cpath);
	free(other);
	free_item(&it);
}

Test(cache, empty_cache_round_trips)
{
	struct cache_writer *w = cache_writer_new();
	char *cpath = file_in_tmp("c.cache");
	commit(w, cpath);
	cache_writer_free(w);
	struct cache *c = open_ok(cpath);
	cr_assert_eq(cache_count(c), 0);
	struct stat st = stat_of(cpath);
	expect_miss(c, cpath, &st);
	cache_close(c);
	free(cpath);
}

/* ---- damage ---- */

/* The items of small_cache(), as parsed, to compare lookups with. */
static const char *const small_src[] = {"seeds/000_05f876dcdba3f9f7.txt",
					"tests/data/bad/no-close.md",
					"tests/data/bad/wrong-types.md"};
enum { NSMALL = 3 };

/* A small valid cache at tmp/c.cache, its bytes in *data. */
static char *small_cache(unsigned char **data, size_t *len)
{
	struct cache_writer *w = cache_writer_new();
	for (size_t i = 0; i < NSMALL; i++) {
		struct item it;
		parse_item(&it, copy_old(small_src[i], i));
		add_item(w, &it);
		free_item(&it);
	}
	char *cpath = file_in_tmp("c.cache");
	commit(w, cpath);
	cache_writer_free(w);
	*data = (unsigned char *)slurp(cpath, len);
	return cpath;
}

static void expect_refused(const char *cpath, const char *why)
{
	char *err = NULL;
	struct cache *c = cache_open(cpath, &err);
	cr_assert_null(c, "%s: opened anyway", why);
	cr_assert_not_null(err, "%s: no message", why);
	cr_assert(!strncmp(err, "cache ", 6), "%s: %s", why, err);
	cr_assert(strstr(err, cpath), "%s: the message does not name the file: %s", why, err);
	cr_assert(strstr(err, "rebuilding"), "%s: %s", why, err);
	cr_assert_null(strchr(err, '\n'), "%s: more than a line: %s", why, err);
	free(err);
}

Test(cache, missing_file_is_no_error)
{
	char *cpath = file_in_tmp("nothing/here.cache");
	char *err = (char *)1;
	cr_assert_null(cache_open(cpath, &err));
	cr_assert_null(err);
	free(cpath);
}

Test(cache, truncated_is_refused)
{
	unsigned char *data;
	size_t len;
	char *cpath = small_cache(&data, &len);
	size_t cuts[] = {len - 1, len / 2, HEADER, HEADER - 1, 9, 1};
	for (size_t i = 0; i < sizeof cuts / sizeof *cuts; i++) {
		write_bytes(cpath, data, cuts[i]);
		expect_refused(cpath, "truncated");
	}
	free(data);
	free(cpath);
}

/* What a crash can leave of a cache that was renamed into place before
 * its bytes reached the disk (the cache is not synced: see README): an
 * empty file, or one of its full size whose bytes from some point on are
 * zeros (the blocks never written). Never trusted: the open refuses it,
 * or an entry reads as damaged, or the records section is refused (a tail
 * of zeros always reaches it); whatever comes back is as parsed. */
static void small_items(struct item *items);
static size_t lookups_damaged(struct cache *c, struct item *items);

Test(cache, torn_by_a_crash_is_never_trusted)
{
	unsigned char *data;
	size_t len;
	char *cpath = small_cache(&data, &len);
	struct item items[NSMALL];
	small_items(items);
	write_bytes(cpath, data, 0);
	expect_refused(cpath, "empty");
	/* the bodies, the index, the heads, the records */
	size_t records = len - (size_t)get_le64(data + 48);
	size_t index = HEADER + (size_t)get_le64(data + 32), heads = index + NSMALL * RECORD;
	size_t from[] = {0,	    1,		8,	 HEADER - 1, HEADER, HEADER + 10,
			 index - 1, index,	heads - 8, heads,	   heads + 10,
			 (heads + records) / 2, records,	records + 10, len - 8};
	unsigned char *torn = xmalloc(len);
	for (size_t i = 0; i < sizeof from / sizeof *from; i++) {
		cr_assert_lt(from[i], len);
		memcpy(torn, data, from[i]);
		memset(torn + from[i], 0, len - from[i]);
		write_bytes(cpath, torn, len);
		char *err = NULL;
		struct cache *c = cache_open(cpath, &err);
		if (!c) {
			cr_assert(from[i] < heads, "zeros from byte %zu: refused: %s", from[i], err);
			free(err);
			expect_refused(cpath, "zeros over the header or the index");
			continue;
		}
		cr_assert_geq(from[i], heads, "zeros from byte %zu: opened", from[i]);
		size_t damaged = lookups_damaged(c, items);
		cr_assert(from[i] >= records || damaged > 0, "zeros from byte %zu: all trusted",
			  from[i]);
		cr_assert_eq(cache_records(c, &err), -1, "zeros from byte %zu: records trusted",
			     from[i]);
		cr_assert(strstr(err, "records"), "%s", err);
		free(err);
		cache_close(c);
	}
	for (size_t i = 0; i < NSMALL; i++)
		free_item(&items[i]);
	free(torn);
	free(data);
	free(cpath);
}

static void small_items(struct item *items)
{
	for (size_t i = 0; i < NSMALL; i++)
		parse_item(&items[i], xasprintf("%s/%03zu-%s", tmp, i, strrchr(small_src[i], '/') + 1));
}

/* Look every item up in c: each either misses as damaged (-1) or comes
 * back exactly as parsed. Returns how many were damaged. */
static size_t lookups_damaged(struct cache *c, struct item *items)
{
	size_t damaged = 0;
	for (size_t i = 0; i < NSMALL; i++) {
		struct article *a = (struct article *)1;
		struct strlist problems = {0};
		int r = cache_lookup(c, items[i].path, &items[i].st, &a, &problems);
		cr_assert(r == 1 || r == -1, "item %zu: %d", i, r);
		if (r < 0) {
			cr_assert_eq(a, (struct article *)1, "a damaged entry set *article");
			cr_assert_eq(problems.n, 0, "a damaged entry added problems");
			damaged++;
			continue;
		}
		assert_same(items[i].a, a, items[i].path);
		assert_same_problems(&items[i].problems, &problems, items[i].path);
		article_free(a);
		strlist_free(&problems);
	}
	return damaged;
}

/* A body is checked when it is decoded: the cache opens, that entry says
 * it is damaged, the others still hit. */
Test(cache, flipped_body_byte_is_not_trusted)
{
	unsigned char *data;
	size_t len;
	char *cpath = small_cache(&data, &len);
	struct item items[NSMALL];
	small_items(items);
	/* in the last entry's body, before the index */
	data[HEADER + (size_t)get_le64(data + 32) - 10] ^= 0x10;
	write_bytes(cpath, data, len);
	struct cache *c = open_ok(cpath);
	cr_assert_eq(lookups_damaged(c, items), 1);
	char *m = cache_damage_message(c, 1);
	cr_assert(!strncmp(m, "cache ", 6) && strstr(m, cpath) && strstr(m, "rebuilding"), "%s", m);
	cr_assert(strstr(m, "1 damaged entry"), "%s", m);
	free(m);
	cache_close(c);
	for (size_t i = 0; i < NSMALL; i++)
		free_item(&items[i]);
	free(data);
	free(cpath);
}

Test(cache, any_damaged_byte_is_refused)
{
	/* Every byte of the file, header included, one bit each (a different
	 * bit from byte to byte): no single change may be trusted. Damage in
	 * the header or the index makes the open refuse the file; damage in
	 * a body or a head makes that one entry's lookup say so. */
	unsigned char *data;
	size_t len;
	char *cpath = small_cache(&data, &len);
	struct item items[NSMALL];
	small_items(items);
	/* the header, the bodies, the index, the heads, the records */
	size_t index = HEADER + (size_t)get_le64(data + 32), heads = index + NSMALL * RECORD;
	size_t records = len - (size_t)get_le64(data + 48);
	for (size_t i = 0; i < len; i++) {
		unsigned char bit = (unsigned char)(1u << (i % 8));
		data[i] ^= bit;
		write_bytes(cpath, data, len);
		char *err = NULL;
		struct cache *c = cache_open(cpath, &err);
		if (i >= records || (i >= 80 && i < HEADER)) {
			/* the records section, or its checksum: the entries
			 * are good, the records refused */
			cr_assert_not_null(c, "byte %zu of %zu, in the records: %s", i, len, err);
			cr_assert_eq(lookups_damaged(c, items), 0, "byte %zu", i);
			cr_assert_eq(cache_records(c, &err), -1, "byte %zu bit %u", i,
				     (unsigned)bit);
			cr_assert(strstr(err, "records"), "%s", err);
			cache_close(c);
		} else if (i < HEADER || (i >= index && i < heads)) {
			cr_assert_null(c, "byte %zu bit %u of %zu: opened anyway", i, (unsigned)bit,
				       len);
			cr_assert_not_null(err);
		} else {
			cr_assert_not_null(c, "byte %zu of %zu, in an entry: %s", i, len, err);
			cr_assert_eq(lookups_damaged(c, items), 1, "byte %zu bit %u", i,
				     (unsigned)bit);
			cache_close(c);
		}
		free(err);
		data[i] ^= bit;
	}
	for (size_t i = 0; i < NSMALL; i++)
		free_item(&items[i]);
	free(data);
	free(cpath);
}

Test(cache, wrong_version_is_refused)
{
	unsigned char *data;
	size_t len;
	char *cpath = small_cache(&data, &len);
	data[8] = (unsigned char)(CACHE_FORMAT_VERSION + 1);
	write_bytes(cpath, data, len);
	expect_refused(cpath, "version");
	char *err = NULL;
	cr_assert_null(cache_open(cpath, &err));
	cr_assert(strstr(err, "version"), "%s", err);
	free(err);
	free(data);
	free(cpath);
}

Test(cache, another_lede_version_is_refused)
{
	unsigned char *data;
	size_t len;
	char *cpath = small_cache(&data, &len);
	data[40] ^= 1; /* the hash of the lede version */
	write_bytes(cpath, data, len);
	expect_refused(cpath, "lede version");
	free(data);
	free(cpath);
}

Test(cache, trailing_bytes_are_refused)
{
	unsigned char *data;
	size_t len;
	char *cpath = small_cache(&data, &len);
	data = xrealloc(data, len + 4);
	memcpy(data + len, "more", 4);
	write_bytes(cpath, data, len + 4);
	expect_refused(cpath, "trailing bytes");
	free(data);
	free(cpath);
}

Test(cache, foreign_file_is_refused)
{
	char *cpath = file_in_tmp("c.cache");
	unsigned char junk[4096];
	uint64_t x = 88172645463325252ull;
	for (size_t i = 0; i < sizeof junk; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		junk[i] = (unsigned char)x;
	}
	write_bytes(cpath, junk, sizeof junk);
	expect_refused(cpath, "random bytes");
	/* The magic alone is not enough either. */
	memcpy(junk, "LEDECACH", 8);
	write_bytes(cpath, junk, sizeof junk);
	expect_refused(cpath, "magic and random bytes");
	write_bytes(cpath, "---\ntitle: x\n---\n", 17);
	expect_refused(cpath, "an article");
	free(cpath);
}

Test(cache, empty_file_is_refused)
{
	char *cpath = file_in_tmp("c.cache");
	write_bytes(cpath, "", 0);
	expect_refused(cpath, "empty");
	free(cpath);
}

Test(cache, directory_is_refused)
{
	char *cpath = file_in_tmp("c.cache");
	cr_assert(mkdir(cpath, 0700) == 0);
	expect_refused(cpath, "directory");
	free(cpath);
}

/* ---- committing ---- */

static size_t count_entries(const char *dir, const char *containing)
{
	DIR *d = opendir(dir);
	cr_assert_not_null(d, "opendir %s", dir);
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.' && strstr(e->d_name, containing) != NULL;
	closedir(d);
	return n;
}

Test(cache, commit_creates_the_directory_and_leaves_no_temporary)
{
	char *dir = file_in_tmp("home/.cache/lede");
	char *cpath = xasprintf("%s/0123456789abcdef.cache", dir);

	struct item it;
	parse_item(&it, copy_old("seeds/000_05f876dcdba3f9f7.txt", 7));
	struct cache_writer *w = cache_writer_new();
	add_item(w, &it);
	commit(w, cpath);
	cache_writer_free(w);

	struct stat st = stat_of(dir);
	cr_assert(S_ISDIR(st.st_mode));
	cr_assert_eq(st.st_mode & 07777, 0700, "mode %o", (unsigned)(st.st_mode & 07777));
	cr_assert_eq(count_entries(dir, ""), 1);
	cr_assert_eq(count_entries(dir, ".tmp."), 0);

	/* Replacing: an open cache keeps what it read; a new open sees the
	 * new file. */
	struct cache *old = open_ok(cpath);
	w = cache_writer_new();
	commit(w, cpath);
	cache_writer_free(w);
	cr_assert_eq(count_entries(dir, ""), 1);
	struct article *a = NULL;
	struct strlist problems = {0};
	cr_assert_eq(cache_lookup(old, it.path, &it.st, &a, &problems), 1);
	article_free(a);
	strlist_free(&problems);
	cache_close(old);
	struct cache *c = open_ok(cpath);
	cr_assert_eq(cache_count(c), 0);
	cache_close(c);

	free_item(&it);
	free(cpath);
	free(dir);
}

Test(cache, commit_failure_is_reported_and_cleaned_up)
{
	char *file = file_in_tmp("plain");
	write_bytes(file, "x", 1);
	char *cpath = xasprintf("%s/sub/c.cache", file); /* a file where a directory should be */
	struct cache_writer *w = cache_writer_new();
	char *err = NULL;
	cr_assert_eq(cache_writer_commit(w, cpath, &err), -1);
	cr_assert_not_null(err);
	cr_assert(strstr(err, cpath), "%s", err);
	free(err);
	cache_writer_free(w);

	/* The directory exists but cannot be written. */
	if (geteuid() != 0) {
		char *ro = file_in_tmp("ro");
		cr_assert(mkdir(ro, 0500) == 0);
		char *rpath = xasprintf("%s/c.cache", ro);
		w = cache_writer_new();
		err = NULL;
		cr_assert_eq(cache_writer_commit(w, rpath, &err), -1);
		cr_assert(strstr(err, "cannot write"), "%s", err);
		free(err);
		cache_writer_free(w);
		cr_assert_eq(count_entries(ro, ""), 0);
		chmod(ro, 0700);
		free(rpath);
		free(ro);
	}
	free(cpath);
	free(file);
}

/* ---- the cache's name ---- */

static char *path_for(const char *a, const char *b)
{
	const char *roots[] = {a, b};
	return cache_path_for(roots, b ? 2 : 1);
}

Test(cache, path_follows_xdg_cache_home_then_home)
{
	char *xdg = file_in_tmp("xdg"), *home = file_in_tmp("home");
	cr_assert(mkdir(xdg, 0700) == 0 && mkdir(home, 0700) == 0);
	setenv("XDG_CACHE_HOME", xdg, 1);
	setenv("HOME", home, 1);
	char *p = path_for("seeds", NULL);
	cr_assert_not_null(p);
	size_t x = strlen(xdg);
	cr_assert(!strncmp(p, xdg, x) && !strncmp(p + x, "/lede/", 6), "%s", p);
	cr_assert_eq(strlen(p), x + 6 + 16 + 6, "%s", p);
	cr_assert_str_eq(p + x + 6 + 16, ".cache");
	for (size_t i = x + 6; i < x + 6 + 16; i++)
		cr_assert(strchr("0123456789abcdef", p[i]), "%s", p);

	setenv("XDG_CACHE_HOME", "relative/cache", 1); /* ignored, as XDG says */
	char *q = path_for("seeds", NULL);
	size_t h = strlen(home);
	cr_assert(!strncmp(q, home, h) && !strncmp(q + h, "/.cache/lede/", 13), "%s", q);
	cr_assert_str_eq(q + h + 13, p + x + 6, "the same roots, the same name");

	unsetenv("XDG_CACHE_HOME");
	char *r = path_for("seeds", NULL);
	cr_assert_str_eq(r, q);
	unsetenv("HOME");
	cr_assert_null(path_for("seeds", NULL));
	free(p);
	free(q);
	free(r);
	free(xdg);
	free(home);
}

/* lede makes its own directories, never the base: a home or cache home
 * that does not exist means no cache (nothing is created, nothing said). */
Test(cache, no_path_under_a_base_that_does_not_exist)
{
	char *home = file_in_tmp("home"), *xdg = file_in_tmp("no-such-xdg");
	cr_assert(mkdir(home, 0700) == 0);
	setenv("HOME", home, 1);
	setenv("XDG_CACHE_HOME", xdg, 1);
	cr_assert_null(path_for("seeds", NULL), "a missing XDG_CACHE_HOME is not replaced by HOME");
	unsetenv("XDG_CACHE_HOME");
	setenv("HOME", "/nonexistent/lede-test", 1);
	cr_assert_null(path_for("seeds", NULL));
	setenv("HOME", home, 1);
	char *p = path_for("seeds", NULL);
	cr_assert_not_null(p, "HOME exists; .cache below it is made when needed");
	free(p);
	free(home);
	free(xdg);
}

Test(cache, path_depends_on_the_roots_not_their_spelling)
{
	setenv("XDG_CACHE_HOME", tmp, 1);
	char cwd[4096];
	cr_assert_not_null(getcwd(cwd, sizeof cwd));
	char *abs = xasprintf("%s/seeds", cwd);
	char *link = file_in_tmp("seeds-link");
	cr_assert(symlink(abs, link) == 0);

	char *p = path_for("seeds", NULL);
	const char *same[] = {"./seeds", "seeds/", "tests/../seeds", abs, link};
	for (size_t i = 0; i < sizeof same / sizeof *same; i++) {
		char *q = path_for(same[i], NULL);
		cr_assert_str_eq(q, p, "%s", same[i]);
		free(q);
	}
	char *two = path_for("seeds", "tests/corpus");
	char *swapped = path_for("tests/corpus", "seeds");
	char *other = path_for("tests/corpus", NULL);
	char *missing = path_for("no/such/dir", NULL);
	char *missing2 = path_for("no/such/dir2", NULL);
	cr_assert_str_neq(two, p);
	cr_assert_str_neq(two, swapped);
	cr_assert_str_neq(other, p);
	cr_assert_str_neq(missing, missing2);
	free(p);
	free(two);
	free(swapped);
	free(other);
	free(missing);
	free(missing2);
	free(abs);
	free(link);
}

Test(cache, many_names_of_one_file_stay_cheap)
{
	/* 300 hard links to one article: one (device, inode), which no keyed
	 * hash can spread. Every lookup of it used to walk all 300 entries,
	 * reading each one's path: quadratic in the names of a file. */
	enum { NAMES = 300 };
	struct item first;
	parse_item(&first, copy_old("seeds/000_05f876dcdba3f9f7.txt", 0));
	struct cache_writer *w = cache_writer_new();
	char *names[NAMES];
	for (size_t i = 0; i < NAMES; i++) {
		names[i] = xasprintf("%s/link-%03zu.md", tmp, i);
		cr_assert(link(first.path, names[i]) == 0, "link: %s", strerror(errno));
		struct stat st = stat_of(names[i]);
		cache_writer_add(w, names[i], &st, first.a, NULL, 0);
	}
	char *cpath = file_in_tmp("c.cache");
	commit(w, cpath);
	cache_writer_free(w);
	struct cache *c = open_ok(cpath);
	cr_assert_eq(cache_count(c), NAMES);
	size_t probe = cache_longest_probe(c);
	cr_assert_lt(probe, 32, "a lookup may visit %zu slots", probe);
	/* the first names stored are still served from the cache */
	struct stat st = stat_of(names[0]);
	struct article *a = NULL;
	struct strlist problems = {0};
	cr_assert_eq(cache_lookup(c, names[0], &st, &a, &problems), 1);
	cr_assert_not_null(a);
	cr_assert_str_eq(a->title, first.a->title);
	article_free(a);
	strlist_free(&problems);
	/* a name past them is not, and is parsed again */
	st = stat_of(names[NAMES - 1]);
	expect_miss(c, names[NAMES - 1], &st);
	cache_close(c);
	free(cpath);
	for (size_t i = 0; i < NAMES; i++)
		free(names[i]);
	free_item(&first);
}

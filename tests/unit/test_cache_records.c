/* The cache's records section: a warm start of the reader fills its store
 * from it, with no entry decoded, and gets what a whole load gets -- every
 * record field, the identities, the rows, every order, the links and the
 * problems; so after the cache was rewritten by copying entries (some
 * added, changed, gone); a damaged section falls back to decoding the
 * entries, with the same results, and the next rewrite mends it; a cache
 * of the format before it is rebuilt. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"
#include "lede/cache.h"
#include "lede/hash.h"
#include "lede/query.h"
#include "lede/store.h"
#include "lede/util.h"

/* A copy of the corpus, of a site's records and of files the parser
 * skips, old enough to be cached; the caller temp_dir_frees it. */
static char *archive_copy(void)
{
	char *dir = temp_dir("records");
	char *cmd = xasprintf("cp -R tests/corpus/. '%s'/ && mkdir '%s/bad' '%s/site' && "
			      "cp tests/data/bad/*.md '%s/bad/' && cp -R tests/corpus-site/. '%s/site/'",
			      dir, dir, dir, dir, dir);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
	wait_until_not_racy();
	return dir;
}

static bool str_same(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

#define SAME_STR(x, y, what) cr_assert(str_same(x, y), "%s: %s differs", y0->path, what)
#define SAME_NUM(x, y, what) cr_assert((x) == (y), "%s: %s differs", y0->path, what)

/* What the store gives of its article i, against article y0 loaded whole. */
static void assert_same_article(const struct store *s, size_t i, const struct article *y0)
{
	cr_assert_str_eq(store_path(s, i), y0->path);
	SAME_STR(store_provider_name(s, i), y0->provider.name, "provider name");
	SAME_STR(store_type(s, i), y0->type, "type");
	SAME_NUM(store_has(s, i), y0->has & (HAS_DATE | HAS_QUALITY | HAS_HEAT), "has");
	SAME_NUM(store_date(s, i), y0->date, "date");
	SAME_NUM(store_quality(s, i), y0->quality, "quality");
	SAME_NUM(store_heat(s, i), y0->heat, "heat");
	SAME_NUM(store_ntopics(s, i), y0->ntopics, "topic count");
	for (size_t t = 0; t < y0->ntopics; t++)
		SAME_STR(store_topic(s, i, t), y0->topics[t], "topic");
	SAME_NUM(store_has_web_url(s, i), y0->web_url && *y0->web_url, "has a webUrl");
	SAME_NUM(store_identity_hash(s, i), hash_str(article_identity(y0)), "identity hash");
	cr_assert(store_identity_is(s, i, article_identity(y0)), "%s: identity", y0->path);
	if (y0->web_url && *y0->web_url)
		cr_assert(store_web_url_is(s, i, y0->web_url), "%s: webUrl", y0->path);
	const struct article *row = store_row(s, i);
	SAME_STR(article_title(row), article_title(y0), "title or name");
	SAME_STR(article_identity(row), article_identity(y0), "identity");
}

/* s, the reader's, holds what plain, a whole load, holds: the articles in
 * the same order, each field the list reads, the links, the problems and
 * every order of the engine. */
static void assert_same_store(const struct store *s, const struct store *plain)
{
	cr_assert_eq(s->n, plain->n);
	cr_assert_eq(s->nfiles, plain->nfiles);
	cr_assert_eq(s->not_articles, plain->not_articles);
	cr_assert_eq(s->problems.n, plain->problems.n);
	for (size_t i = 0; i < s->problems.n; i++)
		cr_assert_str_eq(s->problems.v[i], plain->problems.v[i]);
	for (size_t i = 0; i < s->n; i++) {
		cr_assert(store_is_lazy(s, i), "%s: not lazy", store_path(s, i));
		assert_same_article(s, i, plain->v[i]);
	}
	for (size_t i = 0; i < s->n; i++) {
		size_t nx, ny;
		const size_t *bx = store_backlinks(s, i, &nx), *by = store_backlinks(plain, i, &ny);
		cr_assert_eq(nx, ny, "%s: backlinks", store_path(s, i));
		for (size_t k = 0; k < nx; k++)
			cr_assert_eq(bx[k], by[k], "%s: backlink %zu", store_path(s, i), k);
		const struct article *y = plain->v[i];
		const char *u[] = {y->web_url, y->original_url, y->amp_web_url};
		for (size_t k = 0; k < 3; k++)
			cr_assert_eq(store_find_url(s, u[k]), store_find_url(plain, u[k]), "%s",
				     y->path);
	}
	char *want = store_orders(plain, false), *got = store_orders(s, true);
	cr_assert_str_eq(got, want);
	free(got);
	free(want);
}

static bool has_warning(const struct store *s, const char *text)
{
	for (size_t i = 0; i < s->warnings.n; i++)
		if (strstr(s->warnings.v[i], text))
			return true;
	return false;
}

/* The check after a reader's load, applied. */
static void check(struct store *s, struct store_changes *ch)
{
	cr_assert(store_check_start(s));
	cr_assert(store_check_apply(s, true, ch));
}

/* A warm start of the reader comes from the records, and holds what a
 * whole load holds. */
Test(records, warm_start_from_the_records, .timeout = 60)
{
	char *dir = archive_copy(), *cache = xasprintf("%s.cache", dir);
	struct store plain, s;
	load_dir(&plain, dir, cache, false);
	cr_assert_gt(plain.n, 50);
	cr_assert_gt(plain.problems.n, 0, "no file was skipped");
	load_dir(&s, dir, cache, true);
	cr_assert(s.from_records, "not loaded from the records");
	cr_assert_eq(s.warnings.n, 0);
	assert_same_store(&s, &plain);
	/* and nothing the check finds: the records name every file */
	struct store_changes ch;
	check(&s, &ch);
	cr_assert_eq(ch.added + ch.changed + ch.gone, 0);
	cr_assert(!ch.problems);
	store_free(&s);
	store_free(&plain);
	unlink(cache);
	free(cache);
	temp_dir_free(dir);
}

/* The path of a file of the corpus under dir whose name holds part. */
static char *file_with(const struct store *s, const char *part)
{
	for (size_t i = 0; i < s->n; i++)
		if (strstr(store_path(s, i), part))
			return xstrdup(store_path(s, i));
	cr_assert_fail("no file with %s", part);
	return NULL;
}

/* The cache rewritten by the check (and then by a whole load), copying
 * the entries of the files that stayed: a file added with a title that
 * sorts first and a new provider and topic, one changed to a title that
 * sorts last, one gone; the records still name and rank every article
 * right. */
Test(records, right_after_rewrites_that_copy_entries, .timeout = 60)
{
	char *dir = archive_copy(), *cache = xasprintf("%s.cache", dir);
	struct store s, fresh;
	load_dir(&s, dir, cache, false);
	store_free(&s);
	load_dir(&s, dir, cache, true);
	cr_assert(s.from_records);
	char *added = xasprintf("%s/aaa-new.md", dir);
	write_text(added, "---\ntitle: \"!!! first of all\"\nwebUrl: \"https://x.example/a\"\n"
			  "provider:\n  name: \"A provider never seen\"\n"
			  "topics:\n  - \"A topic never seen\"\n---\n");
	char *gone = file_with(&s, "/everyday-cc__ai/");
	cr_assert_eq(unlink(gone), 0);
	char *changed = xstrdup(store_path(&s, s.n / 2));
	write_text(changed, "---\ntitle: \"~~~ last of all\"\nwebUrl: \"https://x.example/z\"\n"
			    "topics:\n  - \"Robotics\"\n---\n");
	wait_until_not_racy(); /* else the rewrite leaves them out */
	struct store_changes ch;
	check(&s, &ch);
	cr_assert_eq(ch.added, 1);
	cr_assert_eq(ch.gone, 1);
	cr_assert_eq(ch.changed, 1);
	store_free(&s);

	struct store plain;
	load_dir(&plain, dir, NULL, false);
	load_dir(&s, dir, cache, true);
	cr_assert(s.from_records, "the rewritten cache has no records");
	assert_same_store(&s, &plain);
	store_free(&s);
	store_free(&plain);

	/* once more, rewritten by a whole load (the walk's copies) */
	cr_assert_eq(unlink(added), 0);
	write_text(changed, "---\ntitle: \"Changed again\"\n---\n");
	wait_until_not_racy();
	load_dir(&fresh, dir, cache, false);
	store_free(&fresh);
	load_dir(&plain, dir, NULL, false);
	load_dir(&s, dir, cache, true);
	cr_assert(s.from_records);
	assert_same_store(&s, &plain);
	store_free(&s);
	store_free(&plain);
	free(added);
	free(gone);
	free(changed);
	unlink(cache);
	free(cache);
	temp_dir_free(dir);
}

/* Flip one byte of the records section of the cache at path, at from_end
 * bytes before its end. */
static void damage_records(const char *path, size_t from_end)
{
	size_t len;
	unsigned char *d = (unsigned char *)slurp(path, &len);
	cr_assert_gt(len, from_end);
	d[len - from_end] ^= 0x20;
	write_bytes(path, d, len);
	free(d);
}

/* The reader's load of dir refuses the cache's records, saying warning;
 * from_entries: it decodes the cache's entries instead, holding what
 * plain, a whole load, holds, and the check's rewrite mends the records
 * (else the load's own rewrite does). The caller frees plain. */
static void assert_refused(const char *dir, const char *cache, const struct store *plain,
			   const char *warning, bool from_entries)
{
	struct store s;
	load_dir(&s, dir, cache, true);
	cr_assert(!s.from_records, "refused records used");
	cr_assert(has_warning(&s, warning), "no warning: %s", warning);
	if (from_entries) {
		cr_assert(s.check_due, "not loaded from the cache's entries");
		assert_same_store(&s, plain);
		struct store_changes ch;
		check(&s, &ch);
		cr_assert_eq(ch.added + ch.changed + ch.gone, 0);
	}
	store_free(&s);
	load_dir(&s, dir, cache, true);
	cr_assert(s.from_records, "not mended by the rewrite");
	cr_assert_eq(s.warnings.n, 0);
	assert_same_store(&s, plain);
	store_free(&s);
}

/* A damaged records section: said, and the entries decoded instead, with
 * the same results; the check's rewrite mends it. */
Test(records, damaged_section_falls_back, .timeout = 60)
{
	char *dir = archive_copy(), *cache = xasprintf("%s.cache", dir);
	struct store plain;
	load_dir(&plain, dir, cache, false);
	damage_records(cache, 3); /* in the last key */
	assert_refused(dir, cache, &plain, "records (the file is damaged), rebuilding", true);
	store_free(&plain);
	unlink(cache);
	free(cache);
	temp_dir_free(dir);
}

/* A cache of the format before the records is refused and rebuilt, with
 * them. */
Test(records, old_format_rebuilt, .timeout = 60)
{
	char *dir = archive_copy(), *cache = xasprintf("%s.cache", dir);
	struct store plain;
	load_dir(&plain, dir, cache, false);
	size_t len;
	unsigned char *d = (unsigned char *)slurp(cache, &len);
	d[8] = (unsigned char)(CACHE_FORMAT_VERSION - 1);
	write_bytes(cache, d, len);
	free(d);
	char *want = xasprintf("format version %d, not %d", CACHE_FORMAT_VERSION - 1,
			       CACHE_FORMAT_VERSION);
	assert_refused(dir, cache, &plain, want, false);
	free(want);
	store_free(&plain);
	unlink(cache);
	free(cache);
	temp_dir_free(dir);
}

/* Records forged with checksums made right again, holding a value out of
 * range (a name id past the names): refused as damage, never used. */
Test(records, forged_record_refused, .timeout = 60)
{
	char *dir = archive_copy(), *cache = xasprintf("%s.cache", dir);
	struct store plain;
	load_dir(&plain, dir, cache, false);
	size_t len;
	unsigned char *d = (unsigned char *)slurp(cache, &len);
	uint64_t rlen = 0;
	for (int k = 7; k >= 0; k--)
		rlen = rlen << 8 | d[48 + k];
	/* the first record's provider name id: past the section's header */
	unsigned char *rec = d + len - rlen + 56;
	rec[16] = rec[17] = rec[18] = 0xfe;
	rec[19] = 0x7f;
	cache_reseal(d, len);
	write_bytes(cache, d, len);
	free(d);
	assert_refused(dir, cache, &plain, "records", true);
	store_free(&plain);
	unlink(cache);
	free(cache);
	temp_dir_free(dir);
}

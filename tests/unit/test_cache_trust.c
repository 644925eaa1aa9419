/* What the cache may trust: an entry is used only for the path it was
 * stored for, with the same device, inode, size, mtime and ctime, and
 * never when the file changed within the cache's racy window. A file
 * rewritten with its old size and mtime, a new file put in a deleted one's
 * place (its inode reused), and a file changed in the instant the cache is
 * written are read again, from the command line and through cache.h.
 *
 * Each test has its own mkdtemp directory holding the archive and the
 * cache home, removed by the suite's .fini. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"
#include "lede/cache.h"
#include "lede/parse.h"
#include "lede/util.h"

enum { OLD_SEC = 1600000000 };

static char *tmp, *archive, *cache_env;

static void setup(void)
{
	const char *t = getenv("TMPDIR");
	tmp = xasprintf("%s/lede-cache-trust-XXXXXX", t && *t ? t : "/tmp");
	cr_assert_not_null(mkdtemp(tmp));
	archive = xasprintf("%s/archive", tmp);
	char *home = xasprintf("%s/cache", tmp);
	cr_assert(mkdir(archive, 0700) == 0 && mkdir(home, 0700) == 0);
	cache_env = xasprintf("XDG_CACHE_HOME=%s", home);
	free(home);
}

static void teardown(void)
{
	if (tmp)
		remove_tree(tmp);
	free(tmp);
	free(archive);
	free(cache_env);
	tmp = archive = cache_env = NULL;
}

TestSuite(cache_trust, .init = setup, .fini = teardown);

/* An article whose title is `title`, in the archive as name, with mtime
 * sec; its stat in *st when st is given. Titles of one length make files
 * of one size. */
static char *put_article(const char *name, const char *title, long sec, struct stat *st)
{
	char *path = xasprintf("%s/%s", archive, name);
	char *text = xasprintf("---\ntitle: \"%s\"\nwebUrl: \"https://example.com/%s\"\n---\n",
			       title, title);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	cr_assert(fd >= 0, "%s: %s", path, strerror(errno));
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	struct timespec ts[2] = {{sec, 0}, {sec, 0}};
	cr_assert(utimensat(AT_FDCWD, path, ts, 0) == 0);
	if (st)
		cr_assert(stat(path, st) == 0);
	free(text);
	return path;
}

/* lede --list on the archive, with the test's cache home: its stdout. */
static char *list(void)
{
	struct run r;
	const char *env[] = {cache_env, "TZ=UTC", NULL};
	run_lede(&r, (const char *[]){"--list", archive, NULL}, env);
	cr_assert_eq(r.status, 0, "lede --list: %s", r.err);
	char *out = r.out;
	r.out = NULL;
	run_free(&r);
	return out;
}

static void expect_listed(const char *out, const char *title, bool listed)
{
	if (listed)
		cr_assert_not_null(strstr(out, title), "'%s' is not listed:\n%s", title, out);
	else
		cr_assert_null(strstr(out, title), "'%s' is listed:\n%s", title, out);
}

Test(cache_trust, rewrite_with_the_same_size_and_mtime_is_seen)
{
	/* As `touch -r`, `cp -p` or a tar extraction leave it. */
	struct stat before, after;
	free(put_article("a.md", "Alpha story", OLD_SEC, &before));
	wait_until_not_racy();
	char *out = list();
	expect_listed(out, "Alpha story", true);
	free(out);
	free(put_article("a.md", "Omega story", OLD_SEC, &after));
	cr_assert_eq(after.st_size, before.st_size);
	cr_assert_eq(after.st_mtim.tv_sec, before.st_mtim.tv_sec);
	cr_assert_eq(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);
	cr_assert_eq(after.st_ino, before.st_ino);
	out = list();
	expect_listed(out, "Omega story", true);
	expect_listed(out, "Alpha story", false);
	free(out);
}

/* A path in the archive; valid until the next call. */
static const char *archive_path(const char *name)
{
	static char *path;
	free(path);
	path = xasprintf("%s/%s", archive, name);
	return path;
}

/* The name of a new empty file in the archive that has inode ino, if the
 * filesystem hands it out within a few tries, else of a new name. */
static const char *reuse_inode(ino_t ino)
{
	static char name[32];
	for (int i = 0; i < 64; i++) {
		snprintf(name, sizeof name, "new-%d", i);
		int fd = open(archive_path(name), O_WRONLY | O_CREAT | O_EXCL, 0644);
		cr_assert(fd >= 0, "%s: %s", name, strerror(errno));
		struct stat st;
		cr_assert(fstat(fd, &st) == 0);
		close(fd);
		if (st.st_ino == ino)
			break;
	}
	/* the others go, the one kept is the last made */
	for (int i = 0; i < 64; i++) {
		char other[32];
		snprintf(other, sizeof other, "new-%d", i);
		if (strcmp(other, name))
			unlink(archive_path(other));
	}
	return name;
}

Test(cache_trust, a_new_file_in_a_deleted_ones_inode_is_seen)
{
	/* rm a.md, then b.md of the same size and mtime: the filesystem
	 * often hands b.md the inode a.md freed. Whether or not it does here,
	 * b.md must not be taken for a.md. */
	struct stat sa, sb;
	char *a = put_article("a.md", "Alpha story", OLD_SEC, &sa);
	wait_until_not_racy();
	char *out = list();
	expect_listed(out, "Alpha story", true);
	free(out);
	cr_assert(unlink(a) == 0);
	char *b = put_article(reuse_inode(sa.st_ino), "Bravo story", OLD_SEC, &sb);
	cr_assert(rename(b, archive_path("b.md")) == 0);
	cr_assert_eq(sb.st_size, sa.st_size);
	out = list();
	expect_listed(out, "Bravo story", true);
	expect_listed(out, "Alpha story", false);
	cr_log_info("inode %s", sa.st_ino == sb.st_ino ? "reused" : "not reused");
	free(out);
	free(a);
	free(b);
}

Test(cache_trust, a_file_changed_as_the_cache_is_written_is_read_again)
{
	/* Written, then rewritten with its size and mtime in the same
	 * instant as the cache: nothing in its stat but the ctime could tell,
	 * and a ctime in the same timestamp tick would not. It is not kept,
	 * so the next run reads it. */
	free(put_article("a.md", "Alpha story", OLD_SEC, NULL));
	char *out = list();
	expect_listed(out, "Alpha story", true);
	free(out);
	free(put_article("a.md", "Omega story", OLD_SEC, NULL));
	out = list();
	expect_listed(out, "Omega story", true);
	free(out);
}

/* ---- through cache.h ---- */

struct parsed {
	char *path;
	struct stat st;
	struct article *a;
	struct strlist problems;
};

static void parse_file(struct parsed *p, char *path)
{
	p->path = path;
	cr_assert(stat(path, &p->st) == 0, "%s: %s", path, strerror(errno));
	size_t len;
	char *data = slurp(path, &len);
	p->problems = (struct strlist){0};
	p->a = parse_article(path, data, len, &p->problems);
	free(data);
}

static void free_parsed(struct parsed *p)
{
	free(p->path);
	article_free(p->a);
	strlist_free(&p->problems);
}

static struct cache *write_and_open(const struct parsed *p, const char *cpath)
{
	struct cache_writer *w = cache_writer_new();
	cache_writer_add(w, p->path, &p->st, p->a, (const char *const *)p->problems.v,
			 p->problems.n);
	char *err = NULL;
	cr_assert_eq(cache_writer_commit(w, cpath, &err), 0, "%s", err);
	cache_writer_free(w);
	struct cache *c = cache_open(cpath, &err);
	cr_assert_not_null(c, "%s", err);
	return c;
}

/* Whatever entry it guesses, cache_find_near finds what cache_find
 * finds: a guess is taken only where the table would have taken it. */
static void near_agrees(struct cache *c, const char *path, const struct stat *st)
{
	struct cache_reader *r = cache_reader_new(c);
	size_t n = cache_count(c);
	long want = cache_find(r, path, st);
	for (size_t g = 0; g <= n + 1; g++)
		cr_assert_eq(cache_find_near(r, path, st, g), want, "%s, guessed %zu", path, g);
	cr_assert_eq(cache_find_near(r, path, st, SIZE_MAX), want, "%s", path);
	cache_reader_free(r);
}

static int lookup(struct cache *c, const char *path, const struct stat *st)
{
	near_agrees(c, path, st);
	struct article *a = NULL;
	struct strlist problems = {0};
	int r = cache_lookup(c, path, st, &a, &problems);
	article_free(a);
	strlist_free(&problems);
	return r;
}

Test(cache_trust, racy_file_is_not_kept)
{
	/* An old mtime, but changed (ctime) just now: racy. */
	struct parsed p;
	parse_file(&p, put_article("a.md", "Alpha story", OLD_SEC, NULL));
	char *cpath = xasprintf("%s/c.cache", tmp);
	struct cache *c = write_and_open(&p, cpath);
	cr_assert_eq(cache_count(c), 0, "a file changed this instant was kept");
	cr_assert_eq(lookup(c, p.path, &p.st), 0);
	cache_close(c);
	free(cpath);
	free_parsed(&p);
}

Test(cache_trust, entry_racy_with_the_cache_file_is_not_used)
{
	/* A file of the tree, changed long ago, cached; then the cache file
	 * says it was written before the file last changed (a clock set back,
	 * a restored backup): the entry is racy against it, never used. */
	struct parsed p;
	parse_file(&p, xstrdup("seeds/000_05f876dcdba3f9f7.txt"));
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	cr_assert_lt(p.st.st_ctim.tv_sec + 3, now.tv_sec, "the tree was changed just now");
	char *cpath = xasprintf("%s/c.cache", tmp);
	struct cache *c = write_and_open(&p, cpath);
	cr_assert_eq(cache_count(c), 1);
	cr_assert_eq(lookup(c, p.path, &p.st), 1);
	cache_close(c);
	struct timespec ts[2] = {p.st.st_ctim, p.st.st_ctim};
	ts[0].tv_sec -= 1, ts[1].tv_sec -= 1;
	cr_assert(utimensat(AT_FDCWD, cpath, ts, 0) == 0);
	char *err = NULL;
	c = cache_open(cpath, &err);
	cr_assert_not_null(c, "%s", err);
	cr_assert_eq(lookup(c, p.path, &p.st), 0, "a racy entry was used");
	cache_close(c);
	free(cpath);
	free_parsed(&p);
}

Test(cache_trust, same_stat_under_another_path_misses)
{
	/* What b.md would look like had it got a.md's inode and ctime tick:
	 * only the path tells them apart. */
	struct parsed p;
	parse_file(&p, xstrdup("seeds/000_05f876dcdba3f9f7.txt"));
	char *cpath = xasprintf("%s/c.cache", tmp);
	struct cache *c = write_and_open(&p, cpath);
	cr_assert_eq(lookup(c, p.path, &p.st), 1);
	cr_assert_eq(lookup(c, "seeds/b.md", &p.st), 0);
	cr_assert_eq(lookup(c, "seeds//000_05f876dcdba3f9f7.txt", &p.st), 0);
	cache_close(c);
	free(cpath);
	free_parsed(&p);
}

Test(cache_trust, changed_ctime_misses)
{
	struct parsed p;
	parse_file(&p, xstrdup("seeds/000_05f876dcdba3f9f7.txt"));
	char *cpath = xasprintf("%s/c.cache", tmp);
	struct cache *c = write_and_open(&p, cpath);
	struct stat st = p.st;
	st.st_ctim.tv_nsec ^= 1;
	cr_assert_eq(lookup(c, p.path, &st), 0);
	st = p.st;
	st.st_ctim.tv_sec--;
	cr_assert_eq(lookup(c, p.path, &st), 0);
	cache_close(c);
	free(cpath);
	free_parsed(&p);
}

/* ---- forged caches: right checksums, values the parser never gives ---- */

/* The forgeries, each a change to a parsed article that the cache writer
 * encodes faithfully, checksums and all. */
enum forgery {
	DATE_INT64_MIN,
	DATE_AFTER_9999,
	DATE_BEFORE_YEAR_1,
	DATE_WITHOUT_ITS_BIT,
	TITLE_NOT_UTF8,
	TITLE_SURROGATE,
	URL_NOT_UTF8,
	TOPIC_MISSING,
	RELATED_TITLE_NOT_UTF8,
	RELATED_DATE_HUGE,
	QUALITY_WITHOUT_ITS_BIT,
	PUBLISHED_WITHOUT_ITS_BIT,
	IMAGE_CACHED_WITHOUT_ITS_BIT,
	HAS_UNKNOWN_BIT,
	PROBLEM_WITH_ESCAPE,
	/* longer or longer lists than the parser keeps (article.h) */
	TITLE_OVER_LIMIT,
	EXCERPT_OVER_LIMIT,
	PROVIDER_NAME_OVER_LIMIT,
	TOPIC_OVER_LIMIT,
	TOPICS_OVER_LIMIT,
	CATEGORY_OVER_LIMIT,
	URL_OVER_LIMIT,
	URL_OVER_LIMIT_BY_REFERENCE,
	RELATED_EXCERPT_OVER_LIMIT,
	IMAGE_TITLE_OVER_LIMIT,
	IMAGES_OVER_LIMIT,
	RELATED_OVER_LIMIT,
	NFORGERIES
};

static const char *const forgery_names[] = {
	"date INT64_MIN", "date after 9999", "date before year 1", "date without HAS_DATE",
	"title not UTF-8", "title with a surrogate", "webUrl not UTF-8", "a missing topic",
	"related title not UTF-8", "related date huge", "quality without HAS_QUALITY",
	"published without HAS_PUBLISHED", "isCached without HAS_CACHED", "an unknown has bit",
	"a problem holding ESC", "title over its limit", "excerpt over its limit",
	"provider name over its limit", "a topic over its limit", "topics over their limit",
	"category over its limit", "webUrl over its limit",
	"ampWebUrl over its limit by a reference to webUrl", "related excerpt over its limit",
	"image title over its limit", "images over their limit", "related over their limit",
};

/* An article of every kind of field, copied into a for the forgery. */
static const char forged_src[] = "tests/data/cache/every-field.md";

/* A string of a's arena: prefix, then 'x' up to n bytes. */
static char *long_str(struct article *a, const char *prefix, size_t n)
{
	char *s = arena_alloc(&a->arena, n + 1);
	size_t k = strlen(prefix);
	cr_assert_leq(k, n);
	memcpy(s, prefix, k);
	memset(s + k, 'x', n - k);
	s[n] = '\0';
	return s;
}

/* n topics, or n related stories, each with a short title: lists
 * longer than the parser keeps, whatever a had. */
static void many_topics(struct article *a, size_t n)
{
	a->topics = arena_alloc(&a->arena, n * sizeof *a->topics);
	for (size_t i = 0; i < n; i++)
		a->topics[i] = "t";
	a->ntopics = n;
}

static void many_related(struct article *a, size_t n)
{
	a->related = arena_alloc(&a->arena, n * sizeof *a->related);
	memset(a->related, 0, n * sizeof *a->related);
	for (size_t i = 0; i < n; i++)
		a->related[i].title = "r", a->related[i].local = -1;
	a->nrelated = n;
}

static void many_images(struct article *a, size_t n)
{
	a->images = arena_alloc(&a->arena, n * sizeof *a->images);
	memset(a->images, 0, n * sizeof *a->images);
	for (size_t i = 0; i < n; i++)
		a->images[i].url = "https://example.com/i.jpg";
	a->nimages = n;
}

/* Apply forgery f to a (whose strings are its arena's) and problems. */
static void forge(struct article *a, struct strlist *problems, enum forgery f)
{
	switch (f) {
	case DATE_INT64_MIN: a->date = INT64_MIN, a->has |= HAS_DATE; break;
	case DATE_AFTER_9999: a->date = 253402300800, a->has |= HAS_DATE; break;
	case DATE_BEFORE_YEAR_1: a->date = -62135596801, a->has |= HAS_DATE; break;
	case DATE_WITHOUT_ITS_BIT: a->date = 1600000000, a->has &= ~(unsigned)HAS_DATE; break;
	case TITLE_NOT_UTF8: a->title = "caf\xe9 story"; break;
	case TITLE_SURROGATE: a->title = "x\xed\xa0\x80y"; break;
	case URL_NOT_UTF8: a->web_url = "https://example.com/\xff"; break;
	case TOPIC_MISSING:
		cr_assert_gt(a->ntopics, 0);
		a->topics[0] = NULL;
		break;
	case RELATED_TITLE_NOT_UTF8:
		cr_assert_gt(a->nrelated, 0);
		a->related[0].title = "\xc3";
		break;
	case RELATED_DATE_HUGE:
		cr_assert_gt(a->nrelated, 0);
		a->related[0].date = INT64_MAX, a->related[0].has |= HAS_DATE;
		break;
	case QUALITY_WITHOUT_ITS_BIT: a->quality = 39, a->has &= ~(unsigned)HAS_QUALITY; break;
	case PUBLISHED_WITHOUT_ITS_BIT:
		a->published = true, a->has &= ~(unsigned)HAS_PUBLISHED;
		break;
	case IMAGE_CACHED_WITHOUT_ITS_BIT:
		cr_assert_gt(a->nimages, 0);
		a->images[0].is_cached = true, a->images[0].has &= ~(unsigned)HAS_CACHED;
		break;
	case HAS_UNKNOWN_BIT: a->has |= 1u << 20; break;
	case PROBLEM_WITH_ESCAPE: strlist_push(problems, xstrdup("x: \033]0;owned\007")); break;
	case TITLE_OVER_LIMIT: a->title = long_str(a, "", ARTICLE_TITLE_MAX + 1); break;
	case EXCERPT_OVER_LIMIT: a->excerpt = long_str(a, "", ARTICLE_EXCERPT_MAX + 1); break;
	case PROVIDER_NAME_OVER_LIMIT:
		a->provider.name = long_str(a, "", ARTICLE_NAME_MAX + 1);
		break;
	case TOPIC_OVER_LIMIT:
		many_topics(a, 1);
		a->topics[0] = long_str(a, "", ARTICLE_TOPIC_MAX + 1);
		break;
	case TOPICS_OVER_LIMIT: many_topics(a, ARTICLE_TOPICS_MAX + 1); break;
	case CATEGORY_OVER_LIMIT: a->category = long_str(a, "", ARTICLE_NAME_MAX + 1); break;
	case URL_OVER_LIMIT:
		a->web_url = long_str(a, "https://example.com/", ARTICLE_URL_MAX + 1);
		break;
	case URL_OVER_LIMIT_BY_REFERENCE: {
		/* webUrl at its limit, ampWebUrl the same and "/amp": the
		 * writer stores the second as a reference to the first and a
		 * few bytes of its own */
		char *web = long_str(a, "https://example.com/", ARTICLE_URL_MAX);
		char *amp = long_str(a, "", ARTICLE_URL_MAX + 4);
		memcpy(amp, web, ARTICLE_URL_MAX);
		memcpy(amp + ARTICLE_URL_MAX, "/amp", 4);
		a->web_url = web, a->amp_web_url = amp;
		break;
	}
	case RELATED_EXCERPT_OVER_LIMIT:
		cr_assert_gt(a->nrelated, 0);
		a->related[0].excerpt = long_str(a, "", ARTICLE_EXCERPT_MAX + 1);
		break;
	case IMAGE_TITLE_OVER_LIMIT:
		cr_assert_gt(a->nimages, 0);
		a->images[0].title = long_str(a, "", ARTICLE_TITLE_MAX + 1);
		break;
	case IMAGES_OVER_LIMIT: many_images(a, ARTICLE_IMAGES_MAX + 1); break;
	case RELATED_OVER_LIMIT: many_related(a, ARTICLE_RELATED_MAX + 1); break;
	case NFORGERIES: break;
	}
}

/* A cache at cpath whose one entry is p, forged with f. */
static void write_forged(const struct parsed *p, enum forgery f, const char *cpath)
{
	struct strlist problems = {0};
	for (size_t i = 0; i < p->problems.n; i++)
		strlist_push(&problems, xstrdup(p->problems.v[i]));
	forge(p->a, &problems, f);
	struct cache_writer *w = cache_writer_new();
	cache_writer_add(w, p->path, &p->st, p->a, (const char *const *)problems.v, problems.n);
	char *err = NULL;
	cr_assert_eq(cache_writer_commit(w, cpath, &err), 0, "%s", err);
	cache_writer_free(w);
	strlist_free(&problems);
}

Test(cache_trust, forged_values_are_refused)
{
	/* The file of the tree, changed long ago, so that the entry is
	 * trusted as far as its stat goes; each forgery in turn. */
	char *cpath = xasprintf("%s/c.cache", tmp);
	for (int f = 0; f < NFORGERIES; f++) {
		struct parsed p;
		parse_file(&p, xstrdup(forged_src));
		cr_assert_not_null(p.a);
		write_forged(&p, (enum forgery)f, cpath);
		char *err = NULL;
		struct cache *c = cache_open(cpath, &err);
		cr_assert_not_null(c, "%s: %s", forgery_names[f], err);
		cr_assert_eq(cache_count(c), 1, "%s", forgery_names[f]);
		cr_assert_eq(lookup(c, p.path, &p.st), -1, "%s: trusted", forgery_names[f]);
		/* and the head alone, as a search reads it */
		struct cache_reader *r = cache_reader_new(c);
		long id = cache_find(r, p.path, &p.st);
		cr_assert_eq(id, 0, "%s", forgery_names[f]);
		struct strlist problems = {0};
		const struct cache_text *texts;
		size_t ntexts;
		int kind = cache_read_head(r, 0, p.path, &problems, &texts, &ntexts);
		if (f == TITLE_NOT_UTF8 || f == TITLE_SURROGATE || f == TOPIC_MISSING ||
		    f == PROBLEM_WITH_ESCAPE || f == TITLE_OVER_LIMIT || f == EXCERPT_OVER_LIMIT ||
		    f == PROVIDER_NAME_OVER_LIMIT || f == TOPIC_OVER_LIMIT ||
		    f == TOPICS_OVER_LIMIT)
			cr_assert_eq(kind, -1, "%s: the head was trusted", forgery_names[f]);
		cr_assert(kind == -1 || kind == 1, "%s: %d", forgery_names[f], kind);
		/* the list's decoder keeps less, and checks as much */
		if (kind == 1)
			cr_assert_null(cache_read_listed(r, 0, p.path), "%s: trusted for --list",
				       forgery_names[f]);
		cr_assert_eq(problems.n, kind == -1 ? 0 : p.problems.n);
		strlist_free(&problems);
		cache_reader_free(r);
		cache_close(c);
		free_parsed(&p);
	}
	free(cpath);
}

Test(cache_trust, unforged_article_of_every_field_is_trusted)
{
	/* The control: the same route, no forgery, hits. */
	struct parsed p;
	parse_file(&p, xstrdup(forged_src));
	char *cpath = xasprintf("%s/c.cache", tmp);
	write_forged(&p, NFORGERIES, cpath);
	char *err = NULL;
	struct cache *c = cache_open(cpath, &err);
	cr_assert_not_null(c, "%s", err);
	cr_assert_eq(lookup(c, p.path, &p.st), 1);
	struct cache_reader *r = cache_reader_new(c);
	cr_assert_eq(cache_find(r, p.path, &p.st), 0);
	struct article *listed = cache_read_listed(r, 0, p.path);
	cr_assert_not_null(listed, "refused for --list");
	cr_assert_str_eq(listed->title, p.a->title);
	cr_assert_str_eq(listed->web_url, p.a->web_url);
	cr_assert_eq(listed->date, p.a->date);
	article_free(listed);
	cache_reader_free(r);
	cache_close(c);
	free(cpath);
	free_parsed(&p);
}

Test(cache_trust, article_at_every_limit_is_trusted)
{
	/* Each string at exactly its limit, each list with exactly as many
	 * items as the parser keeps: what a parse of a long file gives. */
	struct parsed p;
	parse_file(&p, xstrdup(forged_src));
	struct article *a = p.a;
	a->title = long_str(a, "T", ARTICLE_TITLE_MAX);
	a->excerpt = long_str(a, "E", ARTICLE_EXCERPT_MAX);
	a->provider.name = long_str(a, "P", ARTICLE_NAME_MAX);
	a->category = long_str(a, "C", ARTICLE_NAME_MAX);
	many_topics(a, ARTICLE_TOPICS_MAX);
	for (size_t i = 0; i < a->ntopics; i++)
		a->topics[i] = long_str(a, "t", ARTICLE_TOPIC_MAX);
	/* ampWebUrl of webUrl's first bytes and "/amp": a reference that
	 * ends exactly at the limit */
	char *web = long_str(a, "https://example.com/", ARTICLE_URL_MAX);
	char *amp = long_str(a, "", ARTICLE_URL_MAX);
	memcpy(amp, web, ARTICLE_URL_MAX - 4);
	memcpy(amp + ARTICLE_URL_MAX - 4, "/amp", 4);
	a->web_url = web, a->amp_web_url = amp;
	many_related(a, ARTICLE_RELATED_MAX);
	a->related[0].excerpt = long_str(a, "r", ARTICLE_EXCERPT_MAX);
	many_images(a, ARTICLE_IMAGES_MAX);
	a->images[0].title = long_str(a, "i", ARTICLE_TITLE_MAX);
	char *cpath = xasprintf("%s/c.cache", tmp);
	write_forged(&p, NFORGERIES, cpath);
	char *err = NULL;
	struct cache *c = cache_open(cpath, &err);
	cr_assert_not_null(c, "%s", err);
	struct cache_reader *r = cache_reader_new(c);
	cr_assert_eq(cache_find(r, p.path, &p.st), 0);
	struct strlist problems = {0};
	const struct cache_text *texts;
	size_t ntexts;
	cr_assert_eq(cache_read_head(r, 0, p.path, &problems, &texts, &ntexts), 1);
	cr_assert_eq(ntexts, 3 + ARTICLE_TOPICS_MAX);
	cr_assert_eq(texts[0].len, ARTICLE_TITLE_MAX);
	struct article *got = cache_read_article(r, 0, p.path);
	cr_assert_not_null(got, "an article at the limits was refused");
	cr_assert_str_eq(got->title, a->title);
	cr_assert_str_eq(got->excerpt, a->excerpt);
	cr_assert_str_eq(got->provider.name, a->provider.name);
	cr_assert_str_eq(got->category, a->category);
	cr_assert_eq(got->ntopics, ARTICLE_TOPICS_MAX);
	cr_assert_str_eq(got->topics[ARTICLE_TOPICS_MAX - 1], a->topics[0]);
	cr_assert_str_eq(got->web_url, web);
	cr_assert_str_eq(got->amp_web_url, amp);
	cr_assert_eq(got->nrelated, ARTICLE_RELATED_MAX);
	cr_assert_str_eq(got->related[0].excerpt, a->related[0].excerpt);
	cr_assert_eq(got->nimages, ARTICLE_IMAGES_MAX);
	cr_assert_str_eq(got->images[0].title, a->images[0].title);
	article_free(got);
	strlist_free(&problems);
	cache_reader_free(r);
	cache_close(c);
	free(cpath);
	free_parsed(&p);
}

Test(cache_trust, title_of_exactly_the_limit_is_trusted)
{
	struct parsed p;
	parse_file(&p, xstrdup(forged_src));
	const char *title = p.a->title = long_str(p.a, "", ARTICLE_TITLE_MAX);
	char *cpath = xasprintf("%s/c.cache", tmp);
	write_forged(&p, NFORGERIES, cpath);
	char *err = NULL;
	struct cache *c = cache_open(cpath, &err);
	cr_assert_not_null(c, "%s", err);
	struct article *a = NULL;
	struct strlist problems = {0};
	cr_assert_eq(cache_lookup(c, p.path, &p.st, &a, &problems), 1);
	cr_assert_str_eq(a->title, title);
	article_free(a);
	strlist_free(&problems);
	cache_close(c);
	free(cpath);
	free_parsed(&p);
}

/* The head's or the body's first count of a one-entry cache, changed by
 * delta and the checksums made right again. */
static void forge_count(const char *cpath, bool body, int delta)
{
	size_t len;
	unsigned char *d = (unsigned char *)slurp(cpath, &len);
	enum { HEADER = 88, RECORD = 72 };
	cr_assert_eq(d[16], 1, "not one entry");
	/* the header, the body, the index's one record, the head */
	size_t bodies = 0;
	for (int k = 7; k >= 0; k--)
		bodies = bodies << 8 | d[32 + k];
	size_t head = HEADER + bodies + RECORD;
	size_t path_len = d[head]; /* a short path: one byte */
	cr_assert_lt(path_len, 128);
	size_t at;
	if (body) {
		/* the body: v string bytes, v images, v related */
		at = HEADER + 1; /* past a one-byte string count... */
		while (d[at - 1] & 0x80)
			at++;
	} else {
		at = head + 1 + path_len; /* the count of problems */
	}
	cr_assert_lt(d[at], 0x7f);
	d[at] = (unsigned char)(d[at] + delta);
	cache_reseal(d, len);
	int fd = open(cpath, O_WRONLY | O_TRUNC);
	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, d, len), (ssize_t)len);
	close(fd);
	free(d);
}

Test(cache_trust, forged_counts_are_refused)
{
	struct parsed p;
	parse_file(&p, xstrdup(forged_src));
	char *cpath = xasprintf("%s/c.cache", tmp);
	struct {
		bool body;
		int delta;
		const char *what;
	} cases[] = {
		{false, 1, "one problem more"},
		{true, 1, "one image more"},
		{true, -1, "one image less"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		write_forged(&p, NFORGERIES, cpath);
		forge_count(cpath, cases[i].body, cases[i].delta);
		char *err = NULL;
		struct cache *c = cache_open(cpath, &err);
		cr_assert_not_null(c, "%s: %s", cases[i].what, err);
		cr_assert_eq(lookup(c, p.path, &p.st), -1, "%s: trusted", cases[i].what);
		cache_close(c);
	}
	free(cpath);
	free_parsed(&p);
}

/* ---- a forged cache from the command line ---- */

/* The cache lede keeps for the archive, as lede names it. */
static char *archive_cache_path(void)
{
	setenv("XDG_CACHE_HOME", strchr(cache_env, '=') + 1, 1);
	const char *roots[] = {archive};
	char *p = cache_path_for(roots, 1);
	cr_assert_not_null(p);
	return p;
}

static int run_json(char **out, char **err)
{
	struct run r;
	const char *env[] = {cache_env, "TZ=UTC", NULL};
	run_lede(&r, (const char *[]){"--json", archive, NULL}, env);
	*out = r.out;
	*err = r.err;
	r.out = r.err = NULL;
	int status = r.status;
	run_free(&r);
	return status;
}

Test(cache_trust, forged_cache_is_refused_and_the_files_read)
{
	/* A date of INT64_MIN once went into date arithmetic, an hour of 39
	 * was printed and text reached PCRE2 unchecked: each cache holding
	 * one such value is said, not used, and rebuilt from the files. */
	char *path = put_article("a.md", "Alpha story", OLD_SEC, NULL);
	/* a date to tell the file's from a forged one */
	char *text = slurp(path, NULL);
	char *dated = xasprintf("---\npublishedDateTime: 2021-03-04T07:00:00Z\n%s", text + 4);
	int fd = open(path, O_WRONLY | O_TRUNC);
	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, dated, strlen(dated)), (ssize_t)strlen(dated));
	close(fd);
	free(text);
	free(dated);
	wait_until_not_racy();
	char *cpath = archive_cache_path();
	enum forgery cases[] = {
		NFORGERIES,	  DATE_INT64_MIN,     DATE_AFTER_9999,	 TITLE_NOT_UTF8,
		QUALITY_WITHOUT_ITS_BIT, PROBLEM_WITH_ESCAPE, TITLE_OVER_LIMIT, EXCERPT_OVER_LIMIT,
		TOPICS_OVER_LIMIT, RELATED_OVER_LIMIT,
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct parsed p;
		parse_file(&p, xstrdup(path));
		cr_assert_not_null(p.a);
		cr_assert_eq(p.a->date, 1614841200);
		write_forged(&p, cases[i], cpath);
		struct stat before, after;
		cr_assert(stat(cpath, &before) == 0);
		char *out, *err;
		cr_assert_eq(run_json(&out, &err), 0, "%s", err);
		cr_assert(stat(cpath, &after) == 0);
		const char *what = cases[i] == NFORGERIES ? "no forgery" : forgery_names[cases[i]];
		cr_assert_not_null(strstr(out, "\"2021-03-04T07:00:00Z\""), "%s: %s", what, out);
		cr_assert_not_null(strstr(out, "Alpha story"), "%s: %s", what, out);
		cr_assert_null(strstr(out, "\\u00e9"), "%s: %s", what, out);
		cr_assert_null(strstr(err, "owned"), "%s: %s", what, err);
		cr_assert_null(strstr(out, "xxxxxxxx"), "%s: %s", what, out);
		cr_assert_null(strstr(out, "\"r\""), "%s: %s", what, out);
		if (cases[i] == NFORGERIES) {
			/* the control: the entry as written hits, the cache stays */
			cr_assert_eq(after.st_ino, before.st_ino, "the entry missed: %s", err);
			cr_assert_str_eq(err, "");
		} else {
			cr_assert_neq(after.st_ino, before.st_ino, "%s: not rebuilt", what);
			cr_assert_not_null(strstr(err, "1 damaged entry"), "%s: %s", what, err);
			cr_assert_not_null(strstr(err, "rebuilding"), "%s: %s", what, err);
		}
		free(out);
		free(err);
		free_parsed(&p);
	}
	free(cpath);
	free(path);
}

Test(cache_trust, forged_boolean_is_refused)
{
	/* A bool of 2 cannot even be handed to the writer; it is forged in
	 * the bytes. An article with only a title and published: true has a
	 * body of known shape: five counts, eight missing strings, date,
	 * quality and heat 0, published, has, the provider's domain and
	 * images, the images, no authors, items nor actions. */
	char *path = xasprintf("%s/pub.md", archive);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	const char *text = "---\ntitle: t\npublished: true\n---\n";
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	struct parsed p;
	parse_file(&p, path);
	cr_assert_not_null(p.a);
	p.st.st_ctim.tv_sec = p.st.st_mtim.tv_sec = OLD_SEC; /* as if long ago */
	char *cpath = xasprintf("%s/c.cache", tmp);
	write_forged(&p, NFORGERIES, cpath);
	size_t len;
	unsigned char *d = (unsigned char *)slurp(cpath, &len);
	size_t end = 88; /* of the bodies: they follow the header */
	for (int k = 7; k >= 0; k--)
		end += (size_t)d[32 + k] << (8 * k);
	cr_assert_eq(d[end - 8], 1, "not the published byte");
	cr_assert_eq(d[end - 7], HAS_PUBLISHED, "not the has bits");
	d[end - 8] = 2;
	cache_reseal(d, len);
	fd = open(cpath, O_WRONLY | O_TRUNC);
	cr_assert_eq(write(fd, d, len), (ssize_t)len);
	close(fd);
	char *err = NULL;
	struct cache *c = cache_open(cpath, &err);
	cr_assert_not_null(c, "%s", err);
	cr_assert_eq(lookup(c, p.path, &p.st), -1, "a published of 2 was trusted");
	cache_close(c);
	free(d);
	free(cpath);
	free_parsed(&p);
}

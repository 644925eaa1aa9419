/* targets: the body of every fuzz target, one function per target, shared
 * by the libFuzzer harnesses (tests/fuzz/fuzz_*.c) and the regression
 * replay that `make test` runs (tests/unit/test_fuzz_regress.c). An input
 * the fuzzer found is replayed by the very code that found it, in the plain
 * build and the sanitizer build alike, without clang's fuzzer runtime.
 *
 * fuzz_X_one() takes any bytes and must return for every input: a crash, a
 * leak or undefined behaviour is the bug being hunted. Where a module
 * promises a property (a date or a key name survives a round trip, a
 * message is terminal-safe) the target checks it and abort()s when it does
 * not hold, so that libFuzzer records the input like any crash. The return
 * value says how far the input got (it parsed, it opened, lookups hit): the
 * replay uses it to prove that its inputs reach the code under test, the
 * harnesses ignore it.
 *
 * Header-only, every function static inline: each includer gets its own
 * copies and uses the ones it needs, without unused-function warnings. */
#ifndef LEDE_FUZZ_TARGETS_H
#define LEDE_FUZZ_TARGETS_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lede/article.h"
#include "lede/cache.h"
#include "lede/commands.h"
#include "lede/config.h"
#include "lede/date.h"
#include "lede/keymap.h"
#include "lede/parse.h"
#include "lede/util.h"

/* The name every parsed input goes by; messages must start with it. */
#define FUZZ_PATH "fuzz.md"

/* ---- shared helpers ---- */

static inline void fuzz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static inline void fuzz_fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("fuzz: property violated: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

/* An exact-size heap copy: one byte past the input is then outside the
 * allocation, so AddressSanitizer sees an over-read in the replay too,
 * where inputs come from NUL-terminated file buffers. */
static inline char *fuzz_copy(const uint8_t *d, size_t n)
{
	char *c = xmalloc(n);
	if (n)
		memcpy(c, d, n);
	return c;
}

/* What buf_put_safe promises: no C0 or C1 control, no DEL, only valid
 * UTF-8, no invisible formatting character. */
static inline int fuzz_terminal_safe(const char *s)
{
	size_t n = strlen(s);
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x80) {
			if (c < 0x20 || c == 0x7f)
				return 0;
			i++;
			continue;
		}
		unsigned cp;
		int len = utf8_decode(s + i, n - i, &cp);
		if (len == 0 || cp < 0xa0 || unicode_is_invisible_format(cp))
			return 0;
		i += (size_t)len;
	}
	return 1;
}

static inline void fuzz_check_message(const char *what, const char *msg)
{
	if (!fuzz_terminal_safe(msg))
		fuzz_fail("%s: message is not terminal-safe", what);
}

/* One scratch directory per process, removed at exit. Flat: the targets
 * only ever put files straight into it. */
static char fuzz_tmp_dir[4096];

static inline void fuzz_tmp_remove(void)
{
	DIR *dir = opendir(fuzz_tmp_dir);
	if (dir) {
		struct dirent *e;
		while ((e = readdir(dir))) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			char *p = xasprintf("%s/%s", fuzz_tmp_dir, e->d_name);
			unlink(p);
			free(p);
		}
		closedir(dir);
	}
	rmdir(fuzz_tmp_dir);
}

static inline const char *fuzz_tmp(void)
{
	if (!fuzz_tmp_dir[0]) {
		const char *t = getenv("TMPDIR");
		snprintf(fuzz_tmp_dir, sizeof fuzz_tmp_dir, "%s/lede-fuzz-XXXXXX",
			 t && *t == '/' ? t : "/tmp");
		if (!mkdtemp(fuzz_tmp_dir)) {
			perror("fuzz: mkdtemp");
			abort();
		}
		atexit(fuzz_tmp_remove);
	}
	return fuzz_tmp_dir;
}

static inline void fuzz_write_file(const char *path, const void *d, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		perror(path);
		abort();
	}
	const unsigned char *p = d;
	while (n) {
		ssize_t r = write(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			perror(path);
			abort();
		}
		p += r;
		n -= (size_t)r;
	}
	close(fd);
}

/* A parsed date must format to text that parses back to it (date.h). */
static inline void fuzz_check_date(const char *what, int64_t t)
{
	char buf[DATE_ISO_LEN + 1];
	date_format_iso(t, buf);
	int64_t back = 0;
	if (strlen(buf) != DATE_ISO_LEN || date_parse(buf, DATE_ISO_LEN, &back) < 0 || back != t)
		fuzz_fail("%s: %lld formats as %s, which does not parse back", what, (long long)t,
			  buf);
}

/* Read every string and array of a, so that a dangling or short one shows
 * under AddressSanitizer; with dates, check the round trip of each. */
static inline size_t fuzz_touch_images(const struct image *v, size_t n)
{
	size_t sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += (v[i].url ? strlen(v[i].url) : 0) + (v[i].title ? strlen(v[i].title) : 0) +
		       (size_t)v[i].is_cached;
	return sum;
}

static inline size_t fuzz_touch_provider(const struct provider *p)
{
	return (p->name ? strlen(p->name) : 0) + (p->domain ? strlen(p->domain) : 0) +
	       fuzz_touch_images(p->images, p->nimages);
}

static inline size_t fuzz_touch_article(const struct article *a, int dates)
{
	const char *s[] = {a->path,        a->category, a->type,        a->title,
			   a->excerpt,     a->original_url, a->web_url, a->amp_web_url,
			   a->cdn_amp_web_url};
	size_t sum = 0;
	for (size_t i = 0; i < sizeof s / sizeof *s; i++)
		sum += s[i] ? strlen(s[i]) : 0;
	sum += fuzz_touch_provider(&a->provider);
	for (size_t i = 0; i < a->ntopics; i++)
		sum += a->topics[i] ? strlen(a->topics[i]) : 0;
	sum += fuzz_touch_images(a->images, a->nimages);
	if (dates && (a->has & HAS_DATE))
		fuzz_check_date("article date", a->date);
	for (size_t i = 0; i < a->nrelated; i++) {
		const struct related *r = &a->related[i];
		const char *rs[] = {r->title,   r->excerpt,     r->type,
				    r->web_url, r->amp_web_url, r->cdn_amp_web_url};
		for (size_t j = 0; j < sizeof rs / sizeof *rs; j++)
			sum += rs[j] ? strlen(rs[j]) : 0;
		sum += fuzz_touch_provider(&r->provider);
		sum += fuzz_touch_images(r->images, r->nimages);
		if (r->local != -1)
			fuzz_fail("related[%zu].local is %ld, not -1", i, r->local);
		if (dates && (r->has & HAS_DATE))
			fuzz_check_date("related date", r->date);
	}
	return sum;
}

/* Two articles that should be one: the fast and the slow parser's, or one
 * before and after the cache. */
static inline int fuzz_str_eq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static inline int fuzz_images_eq(const struct image *a, size_t na, const struct image *b,
				 size_t nb)
{
	if (na != nb)
		return 0;
	for (size_t i = 0; i < na; i++)
		if (!fuzz_str_eq(a[i].url, b[i].url) || !fuzz_str_eq(a[i].title, b[i].title) ||
		    a[i].width != b[i].width || a[i].height != b[i].height ||
		    a[i].is_cached != b[i].is_cached || a[i].has != b[i].has)
			return 0;
	return 1;
}

static inline int fuzz_provider_eq(const struct provider *a, const struct provider *b)
{
	return fuzz_str_eq(a->name, b->name) && fuzz_str_eq(a->domain, b->domain) &&
	       fuzz_images_eq(a->images, a->nimages, b->images, b->nimages);
}

/* The first field where the article read back differs, or NULL. Strings
 * compare as C strings: a YAML "\0" ends one for every reader alike. */
static inline const char *fuzz_article_diff(const struct article *a, const struct article *b)
{
#define FUZZ_SAME(f, eq) \
	if (!(eq)) \
		return #f
	FUZZ_SAME(path, fuzz_str_eq(a->path, b->path));
	FUZZ_SAME(category, fuzz_str_eq(a->category, b->category));
	FUZZ_SAME(type, fuzz_str_eq(a->type, b->type));
	FUZZ_SAME(title, fuzz_str_eq(a->title, b->title));
	FUZZ_SAME(excerpt, fuzz_str_eq(a->excerpt, b->excerpt));
	FUZZ_SAME(originalUrl, fuzz_str_eq(a->original_url, b->original_url));
	FUZZ_SAME(webUrl, fuzz_str_eq(a->web_url, b->web_url));
	FUZZ_SAME(ampWebUrl, fuzz_str_eq(a->amp_web_url, b->amp_web_url));
	FUZZ_SAME(cdnAmpWebUrl, fuzz_str_eq(a->cdn_amp_web_url, b->cdn_amp_web_url));
	FUZZ_SAME(has, a->has == b->has);
	FUZZ_SAME(date, !(a->has & HAS_DATE) || a->date == b->date);
	FUZZ_SAME(quality, !(a->has & HAS_QUALITY) || a->quality == b->quality);
	FUZZ_SAME(heat, !(a->has & HAS_HEAT) || a->heat == b->heat);
	FUZZ_SAME(published, !(a->has & HAS_PUBLISHED) || a->published == b->published);
	FUZZ_SAME(provider, fuzz_provider_eq(&a->provider, &b->provider));
	FUZZ_SAME(topics, a->ntopics == b->ntopics);
	for (size_t i = 0; i < a->ntopics; i++)
		FUZZ_SAME(topics[i], fuzz_str_eq(a->topics[i], b->topics[i]));
	FUZZ_SAME(images, fuzz_images_eq(a->images, a->nimages, b->images, b->nimages));
	FUZZ_SAME(related, a->nrelated == b->nrelated);
	for (size_t i = 0; i < a->nrelated; i++) {
		const struct related *x = &a->related[i], *y = &b->related[i];
		FUZZ_SAME(related.title, fuzz_str_eq(x->title, y->title));
		FUZZ_SAME(related.excerpt, fuzz_str_eq(x->excerpt, y->excerpt));
		FUZZ_SAME(related.type, fuzz_str_eq(x->type, y->type));
		FUZZ_SAME(related.webUrl, fuzz_str_eq(x->web_url, y->web_url));
		FUZZ_SAME(related.ampWebUrl, fuzz_str_eq(x->amp_web_url, y->amp_web_url));
		FUZZ_SAME(related.cdnAmpWebUrl, fuzz_str_eq(x->cdn_amp_web_url, y->cdn_amp_web_url));
		FUZZ_SAME(related.provider, fuzz_provider_eq(&x->provider, &y->provider));
		FUZZ_SAME(related.has, x->has == y->has);
		FUZZ_SAME(related.date, !(x->has & HAS_DATE) || x->date == y->date);
		FUZZ_SAME(related.quality, !(x->has & HAS_QUALITY) || x->quality == y->quality);
		FUZZ_SAME(related.images,
			  fuzz_images_eq(x->images, x->nimages, y->images, y->nimages));
		FUZZ_SAME(related.local, x->local == y->local);
	}
	return NULL;
#undef FUZZ_SAME
}

/* ---- parse: parse_article on the bytes ---- */

/* parse.h: parse_article takes a fast path of its own for most files and
 * must give exactly what libyaml gives, which parse_article_slow always
 * uses. Weak, so that the target still builds and runs on a tree without
 * the two paths (it then has nothing to compare). */
#pragma weak parse_article_slow
struct article *parse_article_slow(const char *path, const char *data, size_t len,
				   struct strlist *problems);

static inline void fuzz_parse_compare(const char *data, size_t n, const struct article *a,
				      const struct strlist *problems)
{
	struct strlist sp = {0};
	struct article *s = parse_article_slow(FUZZ_PATH, data, n, &sp);
	if (!a != !s)
		fuzz_fail("parse: libyaml %s the file, the fast path %s it", s ? "keeps" : "skips",
			  a ? "keeps" : "skips");
	const char *diff = a ? fuzz_article_diff(s, a) : NULL;
	if (diff)
		fuzz_fail("parse: the fast path and libyaml differ in %s", diff);
	if (sp.n != problems->n)
		fuzz_fail("parse: libyaml has %zu problems, the fast path %zu", sp.n, problems->n);
	for (size_t i = 0; i < sp.n; i++)
		if (strcmp(sp.v[i], problems->v[i]))
			fuzz_fail("parse: problem %zu differs: libyaml '%s', the fast path '%s'", i,
				  sp.v[i], problems->v[i]);
	article_free(s);
	strlist_free(&sp);
}

/* Returns 1 when the bytes were an article, 0 when they were skipped. */
static inline int fuzz_parse_one(const uint8_t *d, size_t n)
{
	char *data = fuzz_copy(d, n);
	struct strlist problems = {0};
	struct article *a = parse_article(FUZZ_PATH, data, n, &problems);
	/* parse.h: a skipped file is always reported, and every problem is
	 * "path:line:col: message", terminal-safe. */
	if (!a && problems.n == 0)
		fuzz_fail("parse: the file was skipped without a problem");
	for (size_t i = 0; i < problems.n; i++) {
		if (strncmp(problems.v[i], FUZZ_PATH ":", sizeof FUZZ_PATH))
			fuzz_fail("parse: a problem does not start with the path");
		fuzz_check_message("parse", problems.v[i]);
	}
	if (a) {
		if (strcmp(a->path, FUZZ_PATH))
			fuzz_fail("parse: the article's path is not the one given");
		fuzz_touch_article(a, 1);
	}
	if (parse_article_slow)
		fuzz_parse_compare(data, n, a, &problems);
	int got = a != NULL;
	article_free(a);
	strlist_free(&problems);
	free(data);
	return got;
}

/* ---- date: date_parse, and the round trip through date_format_iso ---- */

/* Returns 1 when the bytes were a date. */
static inline int fuzz_date_one(const uint8_t *d, size_t n)
{
	char *s = fuzz_copy(d, n);
	int64_t t = 0;
	int ok = date_parse(s, n, &t) == 0;
	free(s);
	if (ok)
		fuzz_check_date("date_parse", t);
	return ok;
}

/* ---- keys: keymap_key_parse, and the round trip through the name ---- */

/* Returns 1 when the text (up to its first NUL) was a key name. */
static inline int fuzz_keys_one(const uint8_t *d, size_t n)
{
	char *s = xstrndup((const char *)d, n);
	int key = keymap_key_parse(s);
	/* View names come through the same bind lines. */
	int view = keymap_view_parse(s);
	if (view != -2 && strcmp(keymap_view_name(view), s))
		fuzz_fail("keys: view %d is named '%s'", view, keymap_view_name(view));
	if (key >= 0) {
		/* keymap.h: a buffer of 16 bytes holds any name. */
		char name[16];
		memset(name, 0, sizeof name);
		keymap_key_name(key, name, sizeof name);
		int back = keymap_key_parse(name);
		if (back != key)
			fuzz_fail("keys: key %#x is named '%s', which parses as %#x", (unsigned)key,
				  name, (unsigned)back);
	} else if (key != -1) {
		fuzz_fail("keys: keymap_key_parse returned %d", key);
	}
	free(s);
	return key >= 0;
}

/* ---- config: commands_line on the text as one line and line by line, and
 * commands_load_file on the bytes ---- */

static char *fuzz_keymap_dir; /* the tree's keymaps/, absolute; or NULL */
static char *fuzz_config_file;

/* Once: work in the scratch directory, with HOME there too, so that a
 * relative or ~ `source` finds only what the input itself wrote; `set
 * keymap NAME` finds the tree's own keymaps when run from its top. */
static inline void fuzz_config_setup(void)
{
	if (fuzz_config_file)
		return;
	char cwd[4096];
	if (getcwd(cwd, sizeof cwd) && access("keymaps", R_OK) == 0)
		fuzz_keymap_dir = xasprintf("%s/keymaps", cwd);
	const char *dir = fuzz_tmp();
	if (chdir(dir) < 0 || setenv("HOME", dir, 1) < 0) {
		perror(dir);
		abort();
	}
	unsetenv("XDG_CONFIG_HOME");
	/* A name no input can guess: a config that sources itself twice a
	 * line would fan out COMMANDS_MAX_DEPTH levels deep and only be slow. */
	fuzz_config_file = xasprintf("%s/input-%ld.conf", dir, (long)getpid());
}

static inline void fuzz_config_init(struct config *c)
{
	config_init(c);
	strlist_free(&c->keymap_dirs);
	if (fuzz_keymap_dir)
		strlist_push(&c->keymap_dirs, xstrdup(fuzz_keymap_dir));
}

/* commands_line's contract: 0, or -1 with one terminal-safe message. */
static inline int fuzz_config_line(struct config *c, const char *line)
{
	char *err = NULL;
	int rc = commands_line(c, line, &err);
	if (rc == 0 && err)
		fuzz_fail("config: success with a message");
	if (rc < 0 && !err)
		fuzz_fail("config: failure without a message");
	if (rc != 0 && rc != -1)
		fuzz_fail("config: commands_line returned %d", rc);
	if (err)
		fuzz_check_message("commands_line", err);
	free(err);
	return rc == 0;
}

/* Returns how many lines applied without an error. */
static inline int fuzz_config_one(const uint8_t *d, size_t n)
{
	fuzz_config_setup();
	int good = 0;
	struct config c;
	fuzz_config_init(&c);

	char *text = xstrndup((const char *)d, n);
	good += fuzz_config_line(&c, text);
	for (char *p = text, *nl;; p = nl + 1) {
		nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		good += fuzz_config_line(&c, p);
		if (!nl)
			break;
	}
	free(text);

	/* The file route sees what a line cannot: NUL bytes, CR LF. A file
	 * over config.c's size limit is refused, with a message like any. */
	fuzz_write_file(fuzz_config_file, d, n);
	struct strlist errors = {0};
	if (commands_load_file(&c, fuzz_config_file, false, &errors) < 0 && errors.n == 0)
		fuzz_fail("config: a file refused without a message");
	for (size_t i = 0; i < errors.n; i++)
		fuzz_check_message("commands_load_file", errors.v[i]);
	strlist_free(&errors);
	config_free(&c);
	return good;
}

/* ---- cache: a cache file as it is, or an article through the writer and
 * back ----
 *
 * Only cache.h is used, never the file format: the format changes (and
 * says so with CACHE_FORMAT_VERSION), and a target that knew it would go
 * quietly blind. Entries are found by the path and the stat the seed
 * generator gave them. The checksums keep most mutated files from the
 * decoder, so every cache input is tried twice: as it is, and resealed
 * (cache_reseal: its checksums made right), which hands the mutation to
 * the decoder, whose own checks must then refuse whatever the parser
 * never produces. The round trip reaches the decoder with every article
 * the parser can make. */

enum { FUZZ_CACHE_SEED_MAX = 16 };

/* The made-up stat of the seed generator's i-th file: old, so the writer
 * keeps it, and unique. */
static inline void fuzz_cache_stat(size_t i, struct stat *st)
{
	memset(st, 0, sizeof *st);
	st->st_size = (off_t)(5000 + i);
	st->st_mtim.tv_sec = 1600000000 + (time_t)i;
	st->st_mtim.tv_nsec = 1000 * (long)i + 7;
	st->st_ctim.tv_sec = 1600000100 + (time_t)i;
	st->st_ctim.tv_nsec = 2000 * (long)i + 9;
	st->st_ino = (ino_t)(1000 + i);
	st->st_dev = 42;
}

/* The path the seed generator stores its i-th file under. */
static inline const char *fuzz_cache_path(size_t i)
{
	static char path[32];
	snprintf(path, sizeof path, "fuzz/entry-%02zu.md", i);
	return path;
}

/* One lookup. cache.h: 1 gives a new article named path (NULL for a
 * skipped file) and appends problems; 0 (not there) and -1 (damaged)
 * touch nothing. Returns 1 for a hit, else 0. *out, when given, gets the
 * article on a hit, else it is freed here. */
static inline int fuzz_cache_lookup(const struct cache *c, const char *path, const struct stat *st,
				    struct strlist *problems, struct article **out)
{
	static struct article untouched;
	struct article *a = &untouched;
	size_t n0 = problems->n;
	int r = cache_lookup(c, path, st, &a, problems);
	if (r != 1) {
		if (r != 0 && r != -1)
			fuzz_fail("cache: cache_lookup returned %d", r);
		if (a != &untouched || problems->n != n0)
			fuzz_fail("cache: a lookup that missed changed its outputs");
		return 0;
	}
	if (a == &untouched)
		fuzz_fail("cache: a hit did not set the article");
	if (a) {
		if (strcmp(a->path, path))
			fuzz_fail("cache: the article is not named as asked");
		fuzz_touch_article(a, 0);
	}
	for (size_t i = n0; i < problems->n; i++)
		if (!problems->v[i])
			fuzz_fail("cache: a NULL problem");
	if (out)
		*out = a;
	else
		article_free(a);
	return 1;
}

/* The bytes are a cache file: open it and look up the generator's
 * entries. Returns the hits, or -1 if the file was refused. */
static inline int fuzz_cache_open_file(const uint8_t *d, size_t n)
{
	char *file = xasprintf("%s/input.cache", fuzz_tmp());
	fuzz_write_file(file, d, n);
	char *err = NULL;
	struct cache *c = cache_open(file, &err);
	int hits = -1;
	if (!c) {
		if (!err)
			fuzz_fail("cache: refused an existing file without a message");
		fuzz_check_message("cache_open", err);
		free(err);
	} else {
		if (err)
			fuzz_fail("cache: opened with a message");
		hits = 0;
		size_t count = cache_count(c);
		struct strlist problems = {0};
		for (size_t i = 0; i < FUZZ_CACHE_SEED_MAX; i++) {
			struct stat st;
			fuzz_cache_stat(i, &st);
			hits += fuzz_cache_lookup(c, fuzz_cache_path(i), &st, &problems, NULL);
			/* Near misses (a mutated index may well hold them). */
			fuzz_cache_lookup(c, "fuzz/entry.md", &st, &problems, NULL);
			st.st_size++;
			fuzz_cache_lookup(c, fuzz_cache_path(i), &st, &problems, NULL);
		}
		strlist_free(&problems);
		if ((size_t)hits > count)
			fuzz_fail("cache: %d hits among %zu entries", hits, count);
		cache_close(c);
	}
	unlink(file);
	free(file);
	return hits;
}

/* A cache file as it is, then resealed. Returns the hits of the first, or
 * -1 if it was refused. */
static inline int fuzz_cache_file(const uint8_t *d, size_t n)
{
	int hits = fuzz_cache_open_file(d, n);
	unsigned char *sealed = (unsigned char *)fuzz_copy(d, n);
	cache_reseal(sealed, n);
	if (memcmp(sealed, d, n))
		fuzz_cache_open_file(sealed, n);
	free(sealed);
	return hits;
}

/* The bytes are an article: parse it, write it into a cache, read it
 * back; what comes back must be what went in, problems included. */
static inline int fuzz_cache_roundtrip(const uint8_t *d, size_t n)
{
	char *data = fuzz_copy(d, n);
	struct strlist problems = {0};
	struct article *a = parse_article(FUZZ_PATH, data, n, &problems);
	free(data);
	struct stat st;
	fuzz_cache_stat(0, &st);
	struct cache_writer *w = cache_writer_new();
	cache_writer_add(w, FUZZ_PATH, &st, a, (const char *const *)problems.v, problems.n);
	char *file = xasprintf("%s/roundtrip.cache", fuzz_tmp()), *err = NULL;
	if (cache_writer_commit(w, file, &err) < 0)
		fuzz_fail("cache: cannot write %s: %s", file, err);
	cache_writer_free(w);
	struct cache *c = cache_open(file, &err);
	if (!c)
		fuzz_fail("cache: refused the cache just written: %s", err ? err : "(no message)");
	struct strlist back = {0};
	struct article *b = NULL;
	if (!fuzz_cache_lookup(c, FUZZ_PATH, &st, &back, &b))
		fuzz_fail("cache: the entry just written is not found");
	if (!a != !b)
		fuzz_fail("cache: an %s came back as %s", a ? "article" : "skipped file",
			  b ? "an article" : "a skipped file");
	const char *diff = a ? fuzz_article_diff(a, b) : NULL;
	if (diff)
		fuzz_fail("cache: the article's %s changed on the way", diff);
	if (back.n != problems.n)
		fuzz_fail("cache: %zu problems came back, not %zu", back.n, problems.n);
	for (size_t i = 0; i < back.n; i++)
		if (strcmp(back.v[i], problems.v[i]))
			fuzz_fail("cache: problem %zu changed on the way", i);
	article_free(b);
	strlist_free(&back);
	/* Under another name, the same file is not the entry. */
	if (fuzz_cache_lookup(c, "other dir/fuzz\x1b.md", &st, &back, NULL))
		fuzz_fail("cache: the entry is found under another name");
	strlist_free(&back);
	cache_close(c);
	unlink(file);
	free(file);
	article_free(a);
	strlist_free(&problems);
	return 1;
}

/* Returns, for a cache file (it starts with the magic), the lookups that
 * hit or -1 when it was refused; for an article, 1. */
static inline int fuzz_cache_one(const uint8_t *d, size_t n)
{
	if (n >= 8 && !memcmp(d, "LEDECACH", 8))
		return fuzz_cache_file(d, n);
	return fuzz_cache_roundtrip(d, n);
}

/* Write a small valid cache of files[] to out: the cache target's seed,
 * and the replay's proof that the target reaches its lookups. Each file
 * is parsed as lede would, under the made-up stat fuzz_cache_stat gives
 * it. One extra problem does not start with the path, since that is
 * stored differently. Returns the entries written, or -1. */
static inline int fuzz_cache_write_seed(const char *out, const char *const *files, size_t nfiles)
{
	if (nfiles > FUZZ_CACHE_SEED_MAX) {
		fprintf(stderr, "fuzz: at most %d files\n", FUZZ_CACHE_SEED_MAX);
		return -1;
	}
	struct cache_writer *w = cache_writer_new();
	for (size_t i = 0; i < nfiles; i++) {
		char *data;
		size_t len;
		if (read_file(files[i], CONFIG_DEFAULT_MAX_FILE_SIZE, &data, &len) < 0) {
			fprintf(stderr, "%s: %s\n", files[i], strerror(errno));
			cache_writer_free(w);
			return -1;
		}
		struct strlist problems = {0};
		const char *path = fuzz_cache_path(i);
		struct article *a = parse_article(path, data, len, &problems);
		strlist_push(&problems, xstrdup("elsewhere: a problem that names another file"));
		struct stat st;
		fuzz_cache_stat(i, &st);
		cache_writer_add(w, path, &st, a, (const char *const *)problems.v, problems.n);
		article_free(a);
		strlist_free(&problems);
		free(data);
	}
	char *err = NULL;
	int rc = cache_writer_commit(w, out, &err);
	cache_writer_free(w);
	if (rc < 0) {
		fprintf(stderr, "%s\n", err);
		free(err);
		return -1;
	}
	return (int)nfiles;
}

#endif

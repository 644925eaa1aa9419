/* cache: encoding articles into the cache file and decoding them back, the
 * checks that decide whether a cache file is trusted, the indexes by path
 * and by inode, and the atomic commit.
 *
 * An article's record, after its entry's problems (see cache.h):
 *   u32 string bytes (each present string's length + 1)
 *   u32 images (at every level)  u32 topics  u32 related
 *   str category type title excerpt originalUrl webUrl ampWebUrl cdnAmpWebUrl
 *   i64 date  i32 quality  i32 heat  u8 published  u32 has
 *   provider: str name  str domain  u32 n  n images
 *   topics (as many as counted above): str each
 *   u32 n  n images
 *   related (as many as counted above), each:
 *     str title excerpt type webUrl ampWebUrl cdnAmpWebUrl
 *     provider  i64 date  i32 quality  u32 has  u32 n  n images
 *   image: str url  str title  i32 width  i32 height  u8 isCached  u32 has
 * The counts up front let a lookup size one arena allocation for the whole
 * article and carve it, rather than allocating string by string. */
#define _GNU_SOURCE /* realpath; O_DIRECTORY, O_NOFOLLOW */
#include "lede/cache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef LEDE_VERSION
#define LEDE_VERSION "unknown"
#endif

#define STR_NIL UINT32_MAX
#define FNV_OFFSET 14695981039346656037ull
#define FNV_PRIME 1099511628211ull

enum {
	HEADER_SIZE = 48,
	/* The smallest entry: length, empty path, stat fields, kind, no
	 * problems. Bounds the entry count a header may claim. */
	MIN_ENTRY = 4 + 4 + 5 * 8 + 1 + 4,
	/* Files modified this recently are not cached (see cache.h). */
	RACY_SECONDS = 2,
};

static const char MAGIC[] = "LEDECACH";

/* Little-endian by shifts: the same bytes on any host, and compilers turn
 * these into plain loads and stores on little-endian ones. */
static inline uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint64_t get64(const unsigned char *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static inline void set32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static inline void set64(unsigned char *p, uint64_t v)
{
	set32(p, (uint32_t)v);
	set32(p + 4, (uint32_t)(v >> 32));
}

static uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * FNV_PRIME;
	return h;
}

static inline uint64_t rotl64(uint64_t x, int r)
{
	return x << r | x >> (64 - r);
}

/* Byte-at-a-time FNV-1a would cost more than the stats of a warm start;
 * four independent lanes of whole words keep the multiplier busy. Each step
 * is a bijection of the lane, so any one changed word changes the result;
 * the rotate feeds high bits back down so differences keep spreading. */
static uint64_t checksum(const unsigned char *p, size_t n)
{
	uint64_t lane[4] = {FNV_OFFSET, FNV_OFFSET ^ 1, FNV_OFFSET ^ 2, FNV_OFFSET ^ 3};
	size_t i = 0;
	for (; n - i >= 32; i += 32)
		for (int k = 0; k < 4; k++)
			lane[k] = rotl64((lane[k] ^ get64(p + i + 8 * (size_t)k)) * FNV_PRIME, 29);
	uint64_t h = n > i ? fnv1a(FNV_OFFSET, p + i, n - i) : FNV_OFFSET;
	for (int k = 0; k < 4; k++)
		h = rotl64((h ^ lane[k]) * FNV_PRIME, 29);
	h = (h ^ (uint64_t)n) * FNV_PRIME;
	h ^= h >> 32;
	return h;
}

static uint64_t lede_version_hash(void)
{
	return fnv1a(FNV_OFFSET, LEDE_VERSION, strlen(LEDE_VERSION));
}

/* ---- writing ---- */

struct cache_writer {
	unsigned char *p; /* the payload */
	size_t len, cap;
	uint64_t n;          /* entries */
	struct timespec t0;  /* when the writer was made */
	bool bad;            /* the entry being added cannot be stored */
};

/* Counts that lead an article's record. */
struct tally {
	size_t strbytes, images;
};

static unsigned char *room(struct cache_writer *w, size_t n)
{
	if (w->cap - w->len < n)
		w->p = xgrow(w->p, &w->cap, w->len + n, 1);
	unsigned char *q = w->p + w->len;
	w->len += n;
	return q;
}

static void put8(struct cache_writer *w, unsigned v)
{
	*room(w, 1) = (unsigned char)v;
}

static void put32(struct cache_writer *w, uint32_t v)
{
	set32(room(w, 4), v);
}

static void put64(struct cache_writer *w, uint64_t v)
{
	set64(room(w, 8), v);
}

static void put_bytes(struct cache_writer *w, const char *s, size_t n)
{
	if (n >= STR_NIL) {
		w->bad = true;
		n = 0;
	}
	put32(w, (uint32_t)n);
	if (n)
		memcpy(room(w, n), s, n);
}

static void put_str(struct cache_writer *w, const char *s, struct tally *t)
{
	if (!s) {
		put32(w, STR_NIL);
		return;
	}
	size_t n = strlen(s);
	put_bytes(w, s, n);
	t->strbytes += n + 1;
}

static void put_images(struct cache_writer *w, const struct image *v, size_t n, struct tally *t)
{
	if (n >= STR_NIL)
		w->bad = true;
	put32(w, (uint32_t)n);
	for (size_t i = 0; i < n && !w->bad; i++) {
		put_str(w, v[i].url, t);
		put_str(w, v[i].title, t);
		put32(w, (uint32_t)v[i].width);
		put32(w, (uint32_t)v[i].height);
		put8(w, v[i].is_cached);
		put32(w, v[i].has);
	}
	t->images += n;
}

static void put_provider(struct cache_writer *w, const struct provider *p, struct tally *t)
{
	put_str(w, p->name, t);
	put_str(w, p->domain, t);
	put_images(w, p->images, p->nimages, t);
}

static void put_article(struct cache_writer *w, const struct article *a)
{
	struct tally t = {0, 0};
	size_t head = w->len;
	room(w, 16); /* the counts, filled in at the end */
	put_str(w, a->category, &t);
	put_str(w, a->type, &t);
	put_str(w, a->title, &t);
	put_str(w, a->excerpt, &t);
	put_str(w, a->original_url, &t);
	put_str(w, a->web_url, &t);
	put_str(w, a->amp_web_url, &t);
	put_str(w, a->cdn_amp_web_url, &t);
	put64(w, (uint64_t)a->date);
	put32(w, (uint32_t)a->quality);
	put32(w, (uint32_t)a->heat);
	put8(w, a->published);
	put32(w, a->has);
	put_provider(w, &a->provider, &t);
	for (size_t i = 0; i < a->ntopics; i++)
		put_str(w, a->topics[i], &t);
	put_images(w, a->images, a->nimages, &t);
	for (size_t i = 0; i < a->nrelated && !w->bad; i++) {
		const struct related *r = &a->related[i];
		put_str(w, r->title, &t);
		put_str(w, r->excerpt, &t);
		put_str(w, r->type, &t);
		put_str(w, r->web_url, &t);
		put_str(w, r->amp_web_url, &t);
		put_str(w, r->cdn_amp_web_url, &t);
		put_provider(w, &r->provider, &t);
		put64(w, (uint64_t)r->date);
		put32(w, (uint32_t)r->quality);
		put32(w, r->has);
		put_images(w, r->images, r->nimages, &t);
	}
	if (t.strbytes >= STR_NIL || t.images >= STR_NIL || a->ntopics >= STR_NIL ||
	    a->nrelated >= STR_NIL) {
		w->bad = true;
		return;
	}
	set32(w->p + head, (uint32_t)t.strbytes);
	set32(w->p + head + 4, (uint32_t)t.images);
	set32(w->p + head + 8, (uint32_t)a->ntopics);
	set32(w->p + head + 12, (uint32_t)a->nrelated);
}

struct cache_writer *cache_writer_new(void)
{
	struct cache_writer *w = xcalloc(1, sizeof *w);
	clock_gettime(CLOCK_REALTIME, &w->t0);
	return w;
}

/* Modified within RACY_SECONDS of the writer's birth, or later: another
 * write in the same timestamp tick could leave size and mtime unchanged. */
static bool too_recent(const struct cache_writer *w, const struct stat *st)
{
	time_t limit = w->t0.tv_sec - RACY_SECONDS;
	return st->st_mtim.tv_sec > limit ||
	       (st->st_mtim.tv_sec == limit && st->st_mtim.tv_nsec >= w->t0.tv_nsec);
}

void cache_writer_add(struct cache_writer *w, const char *path, const struct stat *st,
		      const struct article *a, const char *const *problems, size_t nproblems)
{
	if (too_recent(w, st))
		return;
	size_t start = w->len;
	w->bad = false;
	put32(w, 0); /* the entry's length, filled in at the end */
	put_bytes(w, path, strlen(path));
	put64(w, (uint64_t)st->st_size);
	put64(w, (uint64_t)st->st_mtim.tv_sec);
	put64(w, (uint64_t)st->st_mtim.tv_nsec);
	put64(w, (uint64_t)st->st_ino);
	put64(w, (uint64_t)st->st_dev);
	put8(w, a != NULL);

	/* Problems begin with the path as parse and store escape it; leaving
	 * it out lets a lookup under another spelling of the path write its
	 * own. */
	struct buf esc = {0};
	if (nproblems)
		buf_put_safe(&esc, path, strlen(path));
	if (nproblems >= STR_NIL)
		w->bad = true;
	put32(w, (uint32_t)nproblems);
	for (size_t i = 0; i < nproblems && !w->bad; i++) {
		const char *m = problems[i];
		bool ours = esc.len && !strncmp(m, esc.data, esc.len) && m[esc.len] == ':';
		put8(w, ours);
		if (ours)
			m += esc.len;
		put_bytes(w, m, strlen(m));
	}
	buf_free(&esc);

	if (a && !w->bad)
		put_article(w, a);
	size_t elen = w->len - start - 4;
	if (w->bad || elen >= STR_NIL) {
		w->len = start;
		return;
	}
	set32(w->p + start, (uint32_t)elen);
	w->n++;
}

void cache_writer_free(struct cache_writer *w)
{
	if (!w)
		return;
	free(w->p);
	free(w);
}

static char *vmessage(const char *path, const char *tail, const char *fmt, va_list ap)
{
	struct buf b = {0};
	buf_puts(&b, "cache ");
	buf_put_safe(&b, path, strlen(path));
	buf_puts(&b, ": ");
	char *m = xvasprintf(fmt, ap);
	buf_puts(&b, m);
	free(m);
	buf_puts(&b, tail);
	return b.data;
}

static char *write_error(const char *path, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static char *write_error(const char *path, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = vmessage(path, "", fmt, ap);
	va_end(ap);
	return s;
}

/* mkdir -p with mode 0700, as the XDG spec asks of the cache directory.
 * Only the last component's failure matters: a parent that "cannot be
 * made" usually exists already. */
static int make_dirs(const char *dir)
{
	char *p = xstrdup(dir);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		mkdir(p, 0700);
		*s = '/';
	}
	int r = mkdir(p, 0700) == 0 || errno == EEXIST ? 0 : -1;
	int e = errno;
	free(p);
	errno = e;
	return r;
}

static int write_all(int fd, const unsigned char *p, size_t n)
{
	while (n) {
		ssize_t r = write(fd, p, n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

int cache_writer_commit(struct cache_writer *w, const char *path, char **err)
{
	*err = NULL;
	const char *slash = strrchr(path, '/');
	char *dir = slash ? xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) : xstrdup(".");
	if (make_dirs(dir) < 0) {
		*err = write_error(path, "cannot create the directory: %s", strerror(errno));
		free(dir);
		return -1;
	}

	unsigned char h[HEADER_SIZE];
	memcpy(h, MAGIC, 8);
	set32(h + 8, CACHE_FORMAT_VERSION);
	set32(h + 12, 0);
	set64(h + 16, w->n);
	set64(h + 24, w->len);
	set64(h + 32, checksum(w->p, w->len));
	set64(h + 40, lede_version_hash());

	/* The pid keeps two lede processes from writing the same temporary
	 * file; the last rename wins, and either cache is whole. */
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
	int r = -1;
	if (fd >= 0 && write_all(fd, h, sizeof h) == 0 && write_all(fd, w->p, w->len) == 0 &&
	    fsync(fd) == 0) {
		r = close(fd);
		fd = -1;
		if (r == 0)
			r = rename(tmp, path);
	}
	if (r < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		unlink(tmp);
		*err = write_error(path, "cannot write: %s", strerror(e));
	} else {
		/* The rename itself is durable only once the directory is. */
		int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
	}
	free(tmp);
	free(dir);
	return r < 0 ? -1 : 0;
}

/* ---- the cache file's name ---- */

static char *absolute(const char *p)
{
	char *r = realpath(p, NULL);
	if (r)
		return r;
	if (p[0] == '/')
		return xstrdup(p);
	size_t cap = 256;
	for (;;) {
		char *b = xmalloc(cap);
		if (getcwd(b, cap)) {
			char *s = xasprintf("%s/%s", b, p);
			free(b);
			return s;
		}
		free(b);
		if (errno != ERANGE)
			break;
		cap *= 2;
	}
	return xstrdup(p);
}

char *cache_path_for(const char *const *roots, size_t n)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	char *dir;
	/* The XDG spec says a relative value is to be ignored. */
	if (xdg && xdg[0] == '/')
		dir = xasprintf("%s/lede", xdg);
	else if (home && home[0] == '/')
		dir = xasprintf("%s/.cache/lede", home);
	else
		return NULL;
	uint64_t h = FNV_OFFSET;
	for (size_t i = 0; i < n; i++) {
		char *abs = absolute(roots[i]);
		if (i)
			h = fnv1a(h, "", 1);
		h = fnv1a(h, abs, strlen(abs));
		free(abs);
	}
	char *path = xasprintf("%s/%016llx.cache", dir, (unsigned long long)h);
	free(dir);
	return path;
}

/* ---- reading ---- */

struct entry {
	const unsigned char *path;
	uint32_t plen;
	uint8_t kind; /* 0 skipped, 1 article */
	int64_t size, sec, nsec;
	uint64_t ino, dev;
	uint64_t phash;
	const unsigned char *body; /* problems, then the article's record */
	size_t body_len;
};

struct cache {
	unsigned char *data; /* the whole file */
	struct entry *e;
	size_t n;
	/* Open addressing; a slot holds an entry's index + 1, 0 is empty. */
	uint32_t *by_path, *by_id;
	size_t mask;
};

/* A bounds-checked cursor: running past the end sets bad and yields zeros,
 * so decoders check once at the end instead of at every field. */
struct rd {
	const unsigned char *p, *end;
	bool bad;
};

static const unsigned char *take(struct rd *r, size_t n)
{
	if ((size_t)(r->end - r->p) < n) {
		r->bad = true;
		r->p = r->end;
		return NULL;
	}
	const unsigned char *q = r->p;
	r->p += n;
	return q;
}

static uint8_t rd8(struct rd *r)
{
	const unsigned char *q = take(r, 1);
	return q ? *q : 0;
}

static uint32_t rd32(struct rd *r)
{
	const unsigned char *q = take(r, 4);
	return q ? get32(q) : 0;
}

static uint64_t rd64(struct rd *r)
{
	const unsigned char *q = take(r, 8);
	return q ? get64(q) : 0;
}

/* The one allocation an article's arrays and strings are carved from. */
struct carve {
	char *s, *send;
	struct image *img, *imgend;
};

static const char *rd_str(struct rd *r, struct carve *c)
{
	uint32_t n = rd32(r);
	if (n == STR_NIL || r->bad)
		return NULL;
	const unsigned char *q = take(r, n);
	if (!q || (size_t)(c->send - c->s) <= n) {
		r->bad = true;
		return NULL;
	}
	char *d = c->s;
	memcpy(d, q, n);
	d[n] = '\0';
	c->s += (size_t)n + 1;
	return d;
}

static struct image *rd_images(struct rd *r, struct carve *c, size_t *count)
{
	uint32_t n = rd32(r);
	*count = 0;
	if (n == 0 || r->bad)
		return NULL;
	if ((size_t)(c->imgend - c->img) < n) {
		r->bad = true;
		return NULL;
	}
	struct image *v = c->img;
	c->img += n;
	for (uint32_t i = 0; i < n; i++) {
		v[i].url = rd_str(r, c);
		v[i].title = rd_str(r, c);
		v[i].width = (int32_t)rd32(r);
		v[i].height = (int32_t)rd32(r);
		v[i].is_cached = rd8(r) != 0;
		v[i].has = rd32(r);
	}
	*count = n;
	return v;
}

static void rd_provider(struct rd *r, struct carve *c, struct provider *p)
{
	p->name = rd_str(r, c);
	p->domain = rd_str(r, c);
	p->images = rd_images(r, c, &p->nimages);
}

static size_t align_up(size_t n)
{
	return (n + alignof(max_align_t) - 1) & ~(alignof(max_align_t) - 1);
}

/* The article recorded in r, named path; NULL if the record is inconsistent
 * (the checksum passed, so only a writer bug could do that). */
static struct article *decode_article(struct rd *r, const char *path)
{
	size_t avail = (size_t)(r->end - r->p);
	uint32_t strbytes = rd32(r), nimages = rd32(r), ntopics = rd32(r), nrelated = rd32(r);
	/* Every counted thing takes at least a byte of the record: this keeps
	 * the size below from overflowing. */
	if (r->bad || strbytes > avail || nimages > avail || ntopics > avail || nrelated > avail)
		return NULL;
	size_t rel_size = align_up((size_t)nrelated * sizeof(struct related));
	size_t img_size = align_up((size_t)nimages * sizeof(struct image));
	size_t top_size = align_up((size_t)ntopics * sizeof(const char *));
	size_t total = rel_size + img_size + top_size + strbytes;

	struct article *a = article_new(path);
	unsigned char *mem = arena_alloc(&a->arena, total); /* never NULL */
	struct carve c = {
		.img = (void *)(mem + rel_size),
		.imgend = (struct image *)(void *)(mem + rel_size) + nimages,
		.s = (char *)(mem + rel_size + img_size + top_size),
		.send = (char *)(mem + rel_size + img_size + top_size) + strbytes,
	};
	a->category = rd_str(r, &c);
	a->type = rd_str(r, &c);
	a->title = rd_str(r, &c);
	a->excerpt = rd_str(r, &c);
	a->original_url = rd_str(r, &c);
	a->web_url = rd_str(r, &c);
	a->amp_web_url = rd_str(r, &c);
	a->cdn_amp_web_url = rd_str(r, &c);
	a->date = (int64_t)rd64(r);
	a->quality = (int32_t)rd32(r);
	a->heat = (int32_t)rd32(r);
	a->published = rd8(r) != 0;
	a->has = rd32(r);
	rd_provider(r, &c, &a->provider);
	if (ntopics) {
		a->topics = (void *)(mem + rel_size + img_size);
		a->ntopics = ntopics;
		for (uint32_t i = 0; i < ntopics; i++)
			a->topics[i] = rd_str(r, &c);
	}
	a->images = rd_images(r, &c, &a->nimages);
	if (nrelated) {
		a->related = (void *)mem;
		a->nrelated = nrelated;
		for (uint32_t i = 0; i < nrelated; i++) {
			struct related *x = &a->related[i];
			x->title = rd_str(r, &c);
			x->excerpt = rd_str(r, &c);
			x->type = rd_str(r, &c);
			x->web_url = rd_str(r, &c);
			x->amp_web_url = rd_str(r, &c);
			x->cdn_amp_web_url = rd_str(r, &c);
			rd_provider(r, &c, &x->provider);
			x->date = (int64_t)rd64(r);
			x->quality = (int32_t)rd32(r);
			x->has = rd32(r);
			x->images = rd_images(r, &c, &x->nimages);
			x->local = -1; /* store_link decides */
		}
	}
	if (r->bad || r->p != r->end || c.s != c.send || c.img != c.imgend) {
		article_free(a);
		return NULL;
	}
	return a;
}

/* Append the entry's problems, written with path; false if damaged. */
static bool decode_problems(struct rd *r, const char *path, struct strlist *out)
{
	struct buf esc = {0};
	uint32_t n = rd32(r);
	for (uint32_t i = 0; i < n && !r->bad; i++) {
		bool ours = rd8(r) != 0;
		uint32_t len = rd32(r);
		const unsigned char *q = len == STR_NIL ? NULL : take(r, len);
		if (!q) {
			r->bad = true;
			break;
		}
		if (ours && !esc.len)
			buf_put_safe(&esc, path, strlen(path));
		size_t pre = ours ? esc.len : 0;
		char *m = xmalloc(pre + len + 1);
		if (pre)
			memcpy(m, esc.data, pre);
		memcpy(m + pre, q, len);
		m[pre + len] = '\0';
		strlist_push(out, m);
	}
	buf_free(&esc);
	return !r->bad;
}

static bool same_file(const struct entry *e, const struct stat *st)
{
	return e->size == (int64_t)st->st_size && e->sec == (int64_t)st->st_mtim.tv_sec &&
	       e->nsec == (int64_t)st->st_mtim.tv_nsec && e->ino == (uint64_t)st->st_ino &&
	       e->dev == (uint64_t)st->st_dev;
}

static uint64_t id_hash(uint64_t dev, uint64_t ino)
{
	uint64_t h = ino * 0x9e3779b97f4a7c15ull ^ dev;
	h ^= h >> 31;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 29;
	return h;
}

static const struct entry *find(const struct cache *c, const char *path, const struct stat *st)
{
	if (!c->n)
		return NULL;
	size_t plen = strlen(path);
	uint64_t h = fnv1a(FNV_OFFSET, path, plen);
	for (size_t i = h & c->mask;; i = (i + 1) & c->mask) {
		uint32_t k = c->by_path[i];
		if (!k)
			break;
		const struct entry *e = &c->e[k - 1];
		if (e->phash == h && e->plen == plen && !memcmp(e->path, path, plen)) {
			if (same_file(e, st))
				return e;
			break;
		}
	}
	/* The same file under another name: the archive named differently
	 * (relative, through a link) or the file renamed. */
	uint64_t ino = (uint64_t)st->st_ino, dev = (uint64_t)st->st_dev;
	for (size_t i = id_hash(dev, ino) & c->mask;; i = (i + 1) & c->mask) {
		uint32_t k = c->by_id[i];
		if (!k)
			return NULL;
		const struct entry *e = &c->e[k - 1];
		if (e->ino == ino && e->dev == dev && same_file(e, st))
			return e;
	}
}

int cache_lookup(const struct cache *c, const char *path, const struct stat *st,
		 struct article **article, struct strlist *problems)
{
	const struct entry *e = find(c, path, st);
	if (!e)
		return 0;
	struct rd r = {e->body, e->body + e->body_len, false};
	size_t n0 = problems->n;
	struct article *a = NULL;
	bool ok = decode_problems(&r, path, problems);
	if (ok && e->kind == 1)
		ok = (a = decode_article(&r, path)) != NULL;
	else if (ok)
		ok = r.p == r.end;
	if (!ok) {
		while (problems->n > n0)
			free(problems->v[--problems->n]);
		return 0;
	}
	*article = a;
	return 1;
}

size_t cache_count(const struct cache *c)
{
	return c->n;
}

void cache_close(struct cache *c)
{
	if (!c)
		return;
	free(c->data);
	free(c->e);
	free(c->by_path);
	free(c->by_id);
	free(c);
}

static char *open_error(const char *path, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static char *open_error(const char *path, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = vmessage(path, ", rebuilding", fmt, ap);
	va_end(ap);
	return s;
}

/* Read the whole file at once: one system call for the common case, and no
 * mapping that a truncation by another program could turn into SIGBUS. */
static unsigned char *slurp(const char *path, size_t *len, char **err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		if (errno != ENOENT && errno != ENOTDIR)
			*err = open_error(path, "cannot open: %s", strerror(errno));
		return NULL;
	}
	struct stat st;
	unsigned char *data = NULL;
	if (fstat(fd, &st) < 0) {
		*err = open_error(path, "cannot read: %s", strerror(errno));
	} else if (!S_ISREG(st.st_mode)) {
		*err = open_error(path, "not a regular file");
	} else if (st.st_size == 0) {
		*err = open_error(path, "empty file");
	} else if ((uint64_t)st.st_size > SIZE_MAX / 2) {
		*err = open_error(path, "too large");
	} else {
		size_t n = (size_t)st.st_size, got = 0;
		data = xmalloc(n);
		while (got < n) {
			ssize_t r = read(fd, data + got, n - got);
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0) {
				*err = open_error(path, "cannot read: %s", strerror(errno));
				break;
			}
			if (r == 0)
				break;
			got += (size_t)r;
		}
		if (*err) {
			free(data);
			data = NULL;
		}
		*len = got;
	}
	close(fd);
	return data;
}

/* Check the header and the payload, then index the entries. */
static char *verify(struct cache *c, const char *path, size_t len)
{
	const unsigned char *d = c->data;
	if (len < HEADER_SIZE)
		return open_error(path, "truncated (%zu bytes, shorter than the header)", len);
	if (memcmp(d, MAGIC, 8))
		return open_error(path, "not a lede cache file");
	uint32_t version = get32(d + 8);
	if (version != CACHE_FORMAT_VERSION || get32(d + 12) != 0)
		return open_error(path, "format version %u, not %u", (unsigned)version,
				  (unsigned)CACHE_FORMAT_VERSION);
	if (get64(d + 40) != lede_version_hash())
		return open_error(path, "written by another version of lede");
	uint64_t count = get64(d + 16), plen = get64(d + 24);
	size_t have = len - HEADER_SIZE;
	if (plen > have)
		return open_error(path, "truncated (%zu of %llu payload bytes)", have,
				  (unsigned long long)plen);
	if (plen < have)
		return open_error(path, "%llu bytes after the end",
				  (unsigned long long)(have - plen));
	const unsigned char *payload = d + HEADER_SIZE;
	if (checksum(payload, have) != get64(d + 32))
		return open_error(path, "checksum mismatch (the file is damaged)");
	if (count > have / MIN_ENTRY || count >= UINT32_MAX / 2)
		return open_error(path, "corrupt (%llu entries in %zu bytes)",
				  (unsigned long long)count, have);

	c->n = (size_t)count;
	c->e = xmalloc((c->n ? c->n : 1) * sizeof *c->e);
	struct rd r = {payload, payload + have, false};
	for (size_t i = 0; i < c->n; i++) {
		uint32_t elen = rd32(&r);
		const unsigned char *q = take(&r, elen);
		if (!q)
			return open_error(path, "corrupt (entry %zu runs past the end)", i + 1);
		struct rd er = {q, q + elen, false};
		struct entry *e = &c->e[i];
		uint32_t pl = rd32(&er);
		e->path = pl == STR_NIL ? NULL : take(&er, pl);
		e->plen = pl;
		e->size = (int64_t)rd64(&er);
		e->sec = (int64_t)rd64(&er);
		e->nsec = (int64_t)rd64(&er);
		e->ino = rd64(&er);
		e->dev = rd64(&er);
		e->kind = rd8(&er);
		if (er.bad || !e->path || e->kind > 1)
			return open_error(path, "corrupt (entry %zu)", i + 1);
		e->phash = fnv1a(FNV_OFFSET, e->path, pl);
		e->body = er.p;
		e->body_len = (size_t)(er.end - er.p);
	}
	if (r.p != r.end)
		return open_error(path, "corrupt (bytes after the last entry)");

	size_t slots = 16;
	while (slots < c->n * 2)
		slots *= 2;
	c->mask = slots - 1;
	c->by_path = xcalloc(slots, sizeof *c->by_path);
	c->by_id = xcalloc(slots, sizeof *c->by_id);
	for (size_t i = 0; i < c->n; i++) {
		const struct entry *e = &c->e[i];
		size_t k = e->phash & c->mask;
		for (;; k = (k + 1) & c->mask) {
			uint32_t o = c->by_path[k];
			if (!o) {
				c->by_path[k] = (uint32_t)i + 1;
				break;
			}
			const struct entry *f = &c->e[o - 1];
			if (f->phash == e->phash && f->plen == e->plen &&
			    !memcmp(f->path, e->path, e->plen))
				break; /* a path listed twice: the first stays */
		}
		for (k = id_hash(e->dev, e->ino) & c->mask; c->by_id[k]; k = (k + 1) & c->mask)
			;
		c->by_id[k] = (uint32_t)i + 1;
	}
	return NULL;
}

struct cache *cache_open(const char *path, char **err)
{
	*err = NULL;
	size_t len = 0;
	unsigned char *data = slurp(path, &len, err);
	if (!data)
		return NULL;
	struct cache *c = xcalloc(1, sizeof *c);
	c->data = data;
	*err = verify(c, path, len);
	if (*err) {
		cache_close(c);
		return NULL;
	}
	return c;
}

/* cache: encoding articles into the cache file and decoding them back, the
 * checks that decide whether a cache file is trusted, the index by file
 * identity, the readers that fetch heads and bodies, and the atomic commit.
 *
 * An entry's head (see cache.h):
 *   v path length, the path's bytes: the path the entry was stored for
 *   v problems, each: u8 1 if it began with the escaped path (left out,
 *     put back on lookup) else 0, v length, the bytes
 *   for an article, its searchable text:
 *     v text bytes (what the texts take decoded, NULs included)
 *     lit title  lit excerpt  lit provider name  v topics  lit each topic
 * An article's body:
 *   v string bytes (what its strs take decoded)  v images (at every level)
 *   v related
 *   str category type originalUrl webUrl ampWebUrl cdnAmpWebUrl
 *   zz date  zz quality  zz heat  u8 published  v has
 *   provider: str domain  v n  n images
 *   v n  n images
 *   related (as many as counted above), each:
 *     str title excerpt type webUrl ampWebUrl cdnAmpWebUrl
 *     provider: str name  str domain  v n  n images
 *     zz date  zz quality  v has  v n  n images
 *   image: str url  str title  zz width  zz height  u8 isCached  v has
 * The counts up front let a lookup size one arena allocation for the whole
 * article and carve it, rather than allocating string by string.
 *
 * v is an unsigned LEB128 varint, zz a zigzag one. A lit is v 0 for a
 * missing string, else v n + 1 and n bytes: plain, so that a search runs
 * on the head as it was read. A str is a varint v, then:
 *   v = 0: a missing string;
 *   v = n << 2 | 1: n bytes;
 *   v = n << 2 | 2: u8 k, v p, n bytes: the first p bytes of the k-th
 *     string before this one (1 the last), then the n bytes;
 *   v = n << 2 | 3: u8 k, v t, n bytes: the n bytes, then the last t bytes
 *     of the k-th string before this one.
 * "Before" counts the present strs of the body, at most RING back. URLs
 * are most of an article, and most of them repeat another: originalUrl is
 * often webUrl, ampWebUrl is webUrl and "/amp/", cdnAmpWebUrl ends with
 * ampWebUrl, images share a host. A string equal to an earlier one (p its
 * whole length, n 0) is shared, not copied, when decoded. */
#define _GNU_SOURCE /* realpath; O_DIRECTORY, O_NOFOLLOW */
#include "lede/cache.h"
#include "lede/compat.h"
#include "lede/hash.h"

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

#include "lede/atomic.h"
#include "lede/date.h"

#ifndef LEDE_VERSION
#define LEDE_VERSION "unknown"
#endif

#define FNV_OFFSET 14695981039346656037ull
#define FNV_PRIME 1099511628211ull

enum {
	HEADER_SIZE = 56,
	RECORD_SIZE = 72, /* one index record */
	/* Files changed this close to the cache's write time, or later, are
	 * not trusted (see cache.h). */
	RACY_SECONDS = 2,
	/* How far back a string may refer (see the top of this file). */
	RING = 16,
	/* The shortest shared prefix or suffix worth a reference: below it,
	 * the reference's own bytes eat the saving. */
	MIN_SHARED = 8,
	/* The names of one file (hard links) kept in the table; more are
	 * parsed again. */
	MAX_LINKS = 8,
	/* What a reader fetches at once: a few dozen bodies. */
	WINDOW = 128 * 1024,
	/* Bodies are at most this big (an article file is at most a few MB;
	 * a body is smaller than its file), so that u32 lengths never wrap. */
	MAX_BODY = 1u << 30,
};

#define MAX2(a, b) ((a) > (b) ? (a) : (b))
/* The longest string the parser keeps in any field (article.h). */
enum {
	LONGEST_STR = MAX2(MAX2(MAX2(ARTICLE_TITLE_MAX, ARTICLE_EXCERPT_MAX), ARTICLE_URL_MAX),
			   MAX2(ARTICLE_NAME_MAX, ARTICLE_TOPIC_MAX)),
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

/* Byte-at-a-time FNV-1a would cost more than the decoding it guards; four
 * independent lanes of whole words keep the multiplier busy. Each step is
 * a bijection of the lane, so any one changed word changes the result; the
 * rotate feeds high bits back down so differences keep spreading. */
static uint64_t checksum(uint64_t seed, const unsigned char *p, size_t n)
{
	uint64_t lane[4] = {FNV_OFFSET ^ seed, (FNV_OFFSET ^ 1) + seed, FNV_OFFSET ^ 2 ^ seed,
			    (FNV_OFFSET ^ 3) - seed};
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

static uint32_t body_checksum(const unsigned char *p, size_t n)
{
	return (uint32_t)checksum(0, p, n);
}

static uint64_t index_checksum(const unsigned char *header, const unsigned char *index, size_t n)
{
	return checksum(fnv1a(FNV_OFFSET, header, 48), index, n);
}

static uint64_t lede_version_hash(void)
{
	return fnv1a(FNV_OFFSET, LEDE_VERSION, strlen(LEDE_VERSION));
}

static inline uint64_t zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static inline int64_t unzigzag(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

/* ---- writing ---- */

struct cache_writer {
	struct buf index, head, body; /* the index records; the heads; the bodies */
	struct buf *out;              /* where put* write: head or body */
	uint64_t n;             /* entries */
	struct timespec t0;     /* when the writer was made */
	bool bad;               /* the entry being added cannot be stored */
	/* The strings of the record being written, for references. */
	const char *ring[RING];
	size_t ring_len[RING];
	unsigned nring;
};

/* Counts that lead an article's record. */
struct tally {
	size_t strbytes, images;
};

static void put8(struct cache_writer *w, unsigned v)
{
	char c = (char)v;
	buf_add(w->out, &c, 1);
}

static void putv(struct cache_writer *w, uint64_t v)
{
	char b[10];
	size_t n = 0;
	while (v >= 0x80) {
		b[n++] = (char)(v | 0x80);
		v >>= 7;
	}
	b[n++] = (char)v;
	buf_add(w->out, b, n);
}

static void put_bytes(struct cache_writer *w, const char *s, size_t n)
{
	putv(w, n);
	buf_add(w->out, s, n);
}

/* A lit (see the top of this file). */
static void put_lit(struct cache_writer *w, const char *s, size_t *bytes)
{
	if (!s) {
		putv(w, 0);
		return;
	}
	size_t n = strlen(s);
	putv(w, (uint64_t)n + 1);
	buf_add(w->out, s, n);
	*bytes += n + 1;
}

static size_t common_prefix(const char *a, size_t na, const char *b, size_t nb)
{
	size_t n = na < nb ? na : nb, i = 0;
	while (i < n && a[i] == b[i])
		i++;
	return i;
}

static size_t common_suffix(const char *a, size_t na, const char *b, size_t nb)
{
	size_t n = na < nb ? na : nb, i = 0;
	while (i < n && a[na - 1 - i] == b[nb - 1 - i])
		i++;
	return i;
}

/* A string, as a reference to an earlier one of the record when that
 * saves enough (see the top of this file). */
static void put_str(struct cache_writer *w, const char *s, struct tally *t)
{
	if (!s) {
		putv(w, 0);
		return;
	}
	size_t len = strlen(s), best = 0, back = 0;
	bool suffix = false;
	unsigned have = w->nring < RING ? w->nring : RING;
	for (unsigned k = 1; k <= have && len >= MIN_SHARED; k++) {
		unsigned slot = (w->nring - k) % RING;
		const char *e = w->ring[slot];
		size_t elen = w->ring_len[slot];
		size_t p = common_prefix(s, len, e, elen);
		if (p > best || (p == len && p == elen)) {
			best = p, back = k, suffix = false;
			if (p == len && p == elen)
				break; /* the same string: shared */
		}
		size_t q = common_suffix(s, len, e, elen);
		if (q > best)
			best = q, back = k, suffix = true;
	}
	if (best < MIN_SHARED) {
		putv(w, (uint64_t)len << 2 | 1);
		buf_add(w->out, s, len);
		t->strbytes += len + 1;
	} else if (!suffix) {
		size_t rest = len - best;
		bool shared = rest == 0 && w->ring_len[(w->nring - back) % RING] == len;
		putv(w, (uint64_t)rest << 2 | 2);
		put8(w, (unsigned)back);
		putv(w, best);
		buf_add(w->out, s + best, rest);
		if (!shared)
			t->strbytes += len + 1;
	} else {
		size_t head = len - best;
		putv(w, (uint64_t)head << 2 | 3);
		put8(w, (unsigned)back);
		putv(w, best);
		buf_add(w->out, s, head);
		t->strbytes += len + 1;
	}
	unsigned slot = w->nring % RING;
	w->ring[slot] = s;
	w->ring_len[slot] = len;
	w->nring++;
}

static void put_images(struct cache_writer *w, const struct image *v, size_t n, struct tally *t)
{
	putv(w, n);
	for (size_t i = 0; i < n; i++) {
		put_str(w, v[i].url, t);
		put_str(w, v[i].title, t);
		putv(w, zigzag(v[i].width));
		putv(w, zigzag(v[i].height));
		put8(w, v[i].is_cached);
		putv(w, v[i].has);
	}
	t->images += n;
}

static void put_provider(struct cache_writer *w, const struct provider *p, bool name,
			 struct tally *t)
{
	if (name)
		put_str(w, p->name, t);
	put_str(w, p->domain, t);
	put_images(w, p->images, p->nimages, t);
}

/* The searchable text, into the head. */
static void put_texts(struct cache_writer *w, const struct article *a)
{
	size_t bytes = 0;
	/* first the fields into a scratch buffer, to put their size ahead */
	struct buf *head = w->out, tmp = {0};
	w->out = &tmp;
	put_lit(w, a->title, &bytes);
	put_lit(w, a->excerpt, &bytes);
	put_lit(w, a->provider.name, &bytes);
	putv(w, a->ntopics);
	for (size_t i = 0; i < a->ntopics; i++)
		put_lit(w, a->topics[i], &bytes);
	w->out = head;
	putv(w, bytes);
	buf_add(head, tmp.data, tmp.len);
	buf_free(&tmp);
}

/* The rest, into the body: the fields after a placeholder for the counts,
 * which are known only at the end, then moved up behind them. */
static void put_body(struct cache_writer *w, const struct article *a)
{
	struct tally t = {0, 0};
	size_t head = w->out->len;
	w->nring = 0;
	put_str(w, a->category, &t);
	put_str(w, a->type, &t);
	put_str(w, a->original_url, &t);
	put_str(w, a->web_url, &t);
	put_str(w, a->amp_web_url, &t);
	put_str(w, a->cdn_amp_web_url, &t);
	putv(w, zigzag(a->date));
	putv(w, zigzag(a->quality));
	putv(w, zigzag(a->heat));
	put8(w, a->published);
	putv(w, a->has);
	put_provider(w, &a->provider, false, &t);
	put_images(w, a->images, a->nimages, &t);
	for (size_t i = 0; i < a->nrelated; i++) {
		const struct related *r = &a->related[i];
		put_str(w, r->title, &t);
		put_str(w, r->excerpt, &t);
		put_str(w, r->type, &t);
		put_str(w, r->web_url, &t);
		put_str(w, r->amp_web_url, &t);
		put_str(w, r->cdn_amp_web_url, &t);
		put_provider(w, &r->provider, true, &t);
		putv(w, zigzag(r->date));
		putv(w, zigzag(r->quality));
		putv(w, r->has);
		put_images(w, r->images, r->nimages, &t);
	}
	size_t fields = w->out->len - head;
	putv(w, t.strbytes);
	putv(w, t.images);
	putv(w, a->nrelated);
	size_t counts = w->out->len - head - fields;
	char tmp[30];
	char *d = w->out->data;
	memcpy(tmp, d + head + fields, counts);
	memmove(d + head + counts, d + head, fields);
	memcpy(d + head, tmp, counts);
}

struct cache_writer *cache_writer_new(void)
{
	struct cache_writer *w = xcalloc(1, sizeof *w);
	clock_gettime(CLOCK_REALTIME, &w->t0);
	return w;
}

/* Is t within RACY_SECONDS before `when`, or later? */
static bool racy_time(int64_t sec, long nsec, int64_t when_sec, long when_nsec)
{
	int64_t limit = when_sec - RACY_SECONDS;
	return sec > limit || (sec == limit && nsec >= when_nsec);
}

/* Changed (ctime) or modified (mtime) within RACY_SECONDS of the writer's
 * birth, or later: another write in the same timestamp tick -- of a
 * filesystem with coarse timestamps too -- could leave every field of the
 * stat as it was, so the entry could never be told from a stale one. */
static bool too_recent(const struct cache_writer *w, const struct stat *st)
{
	struct timespec m = COMPAT_ST_MTIM(st), c = COMPAT_ST_CTIM(st);
	return racy_time(m.tv_sec, m.tv_nsec, w->t0.tv_sec, w->t0.tv_nsec) ||
	       racy_time(c.tv_sec, c.tv_nsec, w->t0.tv_sec, w->t0.tv_nsec);
}

/* The checksum of what b holds from start on (no pointer arithmetic on a
 * buffer never allocated: an empty body). */
static uint32_t part_checksum(const struct buf *b, size_t start)
{
	return b->len > start ? body_checksum((const unsigned char *)b->data + start, b->len - start)
			      : body_checksum((const unsigned char *)"", 0);
}

static void add_record(struct cache_writer *w, const struct stat *st, size_t hlen, uint32_t hsum,
		       size_t blen, uint32_t bsum, bool article)
{
	unsigned char r[RECORD_SIZE] = {0};
	set64(r, (uint64_t)st->st_ino);
	set64(r + 8, (uint64_t)st->st_dev);
	set64(r + 16, (uint64_t)st->st_size);
	set64(r + 24, (uint64_t)COMPAT_ST_MTIM(st).tv_sec);
	set64(r + 32, (uint64_t)COMPAT_ST_CTIM(st).tv_sec);
	set32(r + 40, (uint32_t)COMPAT_ST_MTIM(st).tv_nsec);
	set32(r + 44, (uint32_t)COMPAT_ST_CTIM(st).tv_nsec);
	set32(r + 48, (uint32_t)hlen);
	set32(r + 52, hsum);
	set32(r + 56, (uint32_t)blen);
	set32(r + 60, bsum);
	r[64] = article;
	buf_add(&w->index, r, sizeof r);
	w->n++;
}

void cache_writer_add(struct cache_writer *w, const char *path, const struct stat *st,
		      const struct article *a, const char *const *problems, size_t nproblems)
{
	if (too_recent(w, st))
		return;
	size_t hstart = w->head.len, bstart = w->body.len;

	/* Problems begin with the path as parse and store escape it: the
	 * path is stored once, first, and left out of each of them. */
	w->out = &w->head;
	put_bytes(w, path, strlen(path));
	struct buf esc = {0};
	if (nproblems)
		buf_put_safe(&esc, path, strlen(path));
	putv(w, nproblems);
	for (size_t i = 0; i < nproblems; i++) {
		const char *m = problems[i];
		bool ours = esc.len && !strncmp(m, esc.data, esc.len) && m[esc.len] == ':';
		put8(w, ours);
		if (ours)
			m += esc.len;
		put_bytes(w, m, strlen(m));
	}
	buf_free(&esc);
	if (a) {
		put_texts(w, a);
		w->out = &w->body;
		put_body(w, a);
	}

	size_t hlen = w->head.len - hstart, blen = w->body.len - bstart;
	if (hlen >= MAX_BODY || blen >= MAX_BODY) {
		w->head.len = hstart;
		w->body.len = bstart;
		return;
	}
	add_record(w, st, hlen, part_checksum(&w->head, hstart), blen, part_checksum(&w->body, bstart),
		   a != NULL);
}

void cache_writer_free(struct cache_writer *w)
{
	if (!w)
		return;
	buf_free(&w->index);
	buf_free(&w->head);
	buf_free(&w->body);
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
	free(dir);

	unsigned char h[HEADER_SIZE];
	memcpy(h, MAGIC, 8);
	set32(h + 8, CACHE_FORMAT_VERSION);
	set32(h + 12, 0);
	set64(h + 16, w->n);
	set64(h + 24, w->head.len);
	set64(h + 32, w->body.len);
	set64(h + 40, lede_version_hash());
	set64(h + 48, index_checksum(h, (const unsigned char *)w->index.data, w->index.len));

	/* Two lede processes write two temporaries; the last rename wins, and
	 * either cache is whole. */
	struct atomic_file af;
	if (atomic_begin(&af, path) < 0) {
		*err = write_error(path, "cannot write: %s", strerror(errno));
		return -1;
	}
	if (atomic_write(&af, h, sizeof h) < 0 || atomic_write(&af, w->index.data, w->index.len) < 0 ||
	    atomic_write(&af, w->head.data, w->head.len) < 0 ||
	    atomic_write(&af, w->body.data, w->body.len) < 0) {
		int e = errno;
		atomic_abort(&af);
		*err = write_error(path, "cannot write: %s", strerror(e));
		return -1;
	}
	if (atomic_commit(&af) < 0) {
		*err = write_error(path, "cannot write: %s", strerror(errno));
		return -1;
	}
	return 0;
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

static bool is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

char *cache_path_for(const char *const *roots, size_t n)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	char *dir;
	/* The XDG spec says a relative value is to be ignored. A base that
	 * does not exist is no place for a cache either: lede makes its own
	 * directories below it, never the base itself (HOME=/nonexistent is
	 * how system accounts say they have no home). */
	if (xdg && xdg[0] == '/')
		dir = is_dir(xdg) ? xasprintf("%s/lede", xdg) : NULL;
	else if (home && home[0] == '/')
		dir = is_dir(home) ? xasprintf("%s/.cache/lede", home) : NULL;
	else
		dir = NULL;
	if (!dir)
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
	uint64_t ino, dev;
	int64_t size, sec, csec;
	uint64_t hoff, boff; /* of the head and the body, from the start of the file */
	uint32_t nsec, cnsec, hlen, hsum, blen, bsum;
	uint8_t kind; /* 0 skipped, 1 article */
};

struct cache {
	int fd;
	char *path; /* for messages */
	struct entry *e;
	size_t n;
	/* Open addressing by (device, inode); a slot holds an entry's index
	 * + 1, 0 is empty. */
	uint32_t *by_id;
	size_t mask;
};

/* A run of the file's bytes held in memory. */
struct window {
	unsigned char *buf;
	size_t cap;
	uint64_t off; /* of buf[0] in the file */
	size_t len;   /* bytes valid in buf */
};

struct cache_reader {
	const struct cache *c;
	struct window head, body;
	size_t ahead; /* how much to read at once */
	struct cache_text *texts;
	size_t ntexts, captexts;
	/* Entry + 1 whose head's checksum, and whose head's texts, were
	 * last found good: a lookup checks them once, not at each step. The
	 * file never changes under its descriptor (it is only ever replaced),
	 * so the bytes read again are the same. */
	size_t head_sum_ok, head_ok;
};

/* A bounds-checked cursor: running past the end sets bad and yields zeros,
 * so decoders check once at the end instead of at every field. */
struct rd {
	const unsigned char *p, *end;
	bool bad;
	bool checked; /* its lits were found good already */
	/* The strings decoded so far, for references. */
	const char *ring[RING];
	size_t ring_len[RING];
	unsigned nring;
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

static uint64_t rdv(struct rd *r)
{
	uint64_t v = 0;
	for (unsigned shift = 0; r->p < r->end; shift += 7) {
		unsigned char c = *r->p++;
		if (shift == 63 && c > 1)
			break; /* more than 64 bits */
		v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80))
			return v;
		if (shift == 63)
			break;
	}
	r->bad = true;
	r->p = r->end;
	return 0;
}

/* A count that must fit what is left of the record, each counted thing
 * taking at least a byte: this keeps sizes computed from it small. */
static size_t rd_count(struct rd *r)
{
	uint64_t v = rdv(r);
	if (v > (uint64_t)(r->end - r->p)) {
		r->bad = true;
		r->p = r->end;
		return 0;
	}
	return (size_t)v;
}

/* Damaged: whatever was read is not to be used. */
static void rd_fail(struct rd *r)
{
	r->bad = true;
	r->p = r->end;
}

/* ---- what the parser produces ----
 *
 * The checksums catch damage, not forgery: a cache whose checksums are
 * right may still hold anything. Every value is checked against what
 * parse_article can give before anyone uses it -- PCRE2 runs on the texts
 * with its UTF check off, dates go to calendar arithmetic, problems to the
 * terminal -- and an entry that holds anything else is refused as
 * damaged. */

static inline bool has_zero_byte(uint64_t w)
{
	return ((w - 0x0101010101010101ull) & ~w & 0x8080808080808080ull) != 0;
}

static inline bool cont(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

/* Valid UTF-8 with no NUL: every string libyaml hands out is valid UTF-8,
 * and a NUL would have ended it. The same rules as utf8_decode (no
 * overlong forms, no surrogates, nothing past U+10FFFF), inline: this
 * runs on every string of every article a warm start decodes. */
static bool text_ok(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		/* plain ASCII, eight bytes at a time */
		for (; n - i >= 8; i += 8) {
			uint64_t w;
			memcpy(&w, s + i, 8);
			if ((w & 0x8080808080808080ull) || has_zero_byte(w))
				break;
		}
		if (i >= n)
			break;
		unsigned char c = s[i];
		size_t left = n - i;
		if (c < 0x80) {
			if (!c)
				return false;
			i++;
		} else if (c < 0xc2) {
			return false; /* a continuation byte, or an overlong pair */
		} else if (c < 0xe0) {
			if (left < 2 || !cont(s[i + 1]))
				return false;
			i += 2;
		} else if (c < 0xf0) {
			if (left < 3 || !cont(s[i + 1]) || !cont(s[i + 2]) ||
			    (c == 0xe0 && s[i + 1] < 0xa0) || (c == 0xed && s[i + 1] >= 0xa0))
				return false;
			i += 3;
		} else if (c < 0xf5) {
			if (left < 4 || !cont(s[i + 1]) || !cont(s[i + 2]) || !cont(s[i + 3]) ||
			    (c == 0xf0 && s[i + 1] < 0x90) || (c == 0xf4 && s[i + 1] >= 0x90))
				return false;
			i += 4;
		} else {
			return false;
		}
	}
	return true;
}

/* A problem message as lede writes them: text and escapes only, nothing
 * a terminal would act on (see buf_put_safe). */
static bool message_ok(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		if (s[i] < 0x80) {
			if (s[i] < 0x20 || s[i] == 0x7f)
				return false;
			i++;
			continue;
		}
		unsigned cp;
		int len = utf8_decode((const char *)s + i, n - i, &cp);
		if (!len || cp < 0xa0 || unicode_is_invisible_format(cp))
			return false;
		i += (size_t)len;
	}
	return true;
}

/* The has bits each kind of record may carry. */
enum {
	ARTICLE_HAS = HAS_DATE | HAS_QUALITY | HAS_HEAT | HAS_PUBLISHED,
	RELATED_HAS = HAS_DATE | HAS_QUALITY,
	IMAGE_HAS = HAS_WIDTH | HAS_HEIGHT | HAS_CACHED,
};

static unsigned rd_has(struct rd *r, unsigned allowed)
{
	uint64_t v = rdv(r);
	if (v & ~(uint64_t)allowed)
		rd_fail(r);
	return (unsigned)v;
}

/* The numbers come before the has bits that say which are present: they
 * are read raw, then checked. */

/* A number of the YAML: an int32 when present (its bit in has), 0 when
 * not, as the parser leaves it. */
static int32_t check_i32(struct rd *r, uint64_t raw, unsigned has, unsigned bit)
{
	int64_t v = unzigzag(raw);
	if (v < INT32_MIN || v > INT32_MAX || (!(has & bit) && v))
		rd_fail(r);
	return (int32_t)v;
}

/* A date as date_parse gives them: years 1 to 9999, UTC; 0 when absent. */
static int64_t check_date(struct rd *r, uint64_t raw, unsigned has)
{
	int64_t v = unzigzag(raw);
	bool ok = has & HAS_DATE ? v >= date_days_from_civil(1, 1, 1) * 86400 &&
					   v < date_days_from_civil(10000, 1, 1) * 86400
				 : v == 0;
	if (!ok)
		rd_fail(r);
	return v;
}

/* A boolean: 0 or 1, and 0 when absent. */
static bool check_bool(struct rd *r, uint8_t raw, unsigned has, unsigned bit)
{
	if (raw > 1 || (!(has & bit) && raw))
		rd_fail(r);
	return raw == 1;
}

/* A lit of at most max bytes, in place: *len its length; NULL when
 * missing (or bad). */
static const char *rd_lit(struct rd *r, size_t *len, size_t max)
{
	uint64_t v = rdv(r);
	*len = 0;
	if (v == 0 || r->bad)
		return NULL;
	if (v - 1 > (uint64_t)(r->end - r->p) || v - 1 > max) {
		rd_fail(r);
		return NULL;
	}
	*len = (size_t)(v - 1);
	const unsigned char *q = take(r, *len);
	if (q && !r->checked && !text_ok(q, *len)) {
		rd_fail(r);
		*len = 0;
		return NULL;
	}
	return (const char *)q;
}

/* The head's texts in order: title, excerpt, provider name, then the
 * topics; the most bytes the parser keeps of the i-th. */
static size_t text_max(size_t i)
{
	static const size_t max[] = {ARTICLE_TITLE_MAX, ARTICLE_EXCERPT_MAX, ARTICLE_NAME_MAX};
	return i < 3 ? max[i] : ARTICLE_TOPIC_MAX;
}

/* A list's count, at most max items. */
static size_t rd_list(struct rd *r, size_t max)
{
	size_t n = rd_count(r);
	if (n > max)
		rd_fail(r);
	return r->bad ? 0 : n;
}

/* The one allocation an article's arrays and strings are carved from. */
struct carve {
	char *s, *send;
	struct image *img, *imgend;
};

static char *carve_str(struct rd *r, struct carve *c, size_t len)
{
	if ((size_t)(c->send - c->s) <= len) {
		r->bad = true;
		return NULL;
	}
	char *o = c->s;
	o[len] = '\0';
	c->s += len + 1;
	return o;
}

static const char *rd_lit_copy(struct rd *r, struct carve *c, size_t max)
{
	size_t len;
	const char *q = rd_lit(r, &len, max);
	if (!q)
		return NULL;
	char *o = carve_str(r, c, len);
	if (o)
		memcpy(o, q, len);
	return o;
}

/* A str of at most max bytes, decoded. */
static const char *rd_str(struct rd *r, struct carve *c, size_t max)
{
	uint64_t v = rdv(r);
	if (v == 0 || r->bad)
		return NULL;
	unsigned tag = (unsigned)(v & 3);
	uint64_t n = v >> 2;
	const char *e = NULL;
	size_t elen = 0, shared = 0;
	if (tag == 2 || tag == 3) {
		unsigned k = rd8(r);
		uint64_t sh = rdv(r);
		unsigned have = r->nring < RING ? r->nring : RING;
		if (r->bad || k < 1 || k > have) {
			r->bad = true;
			return NULL;
		}
		unsigned slot = (r->nring - k) % RING;
		e = r->ring[slot];
		elen = r->ring_len[slot];
		if (sh > elen) {
			r->bad = true;
			return NULL;
		}
		shared = (size_t)sh;
	} else if (tag != 1) {
		r->bad = true;
		return NULL;
	}
	if (n > max || shared > max - n) {
		rd_fail(r);
		return NULL;
	}
	const unsigned char *q = take(r, n);
	if (!q)
		return NULL;
	const char *d;
	size_t len = (size_t)n + shared;
	if (tag == 2 && n == 0 && shared == elen) {
		d = e; /* the same string: shared */
	} else {
		char *o = carve_str(r, c, len);
		if (!o)
			return NULL;
		if (tag == 1) {
			memcpy(o, q, n);
		} else if (tag == 2) {
			memcpy(o, e, shared);
			memcpy(o + shared, q, n);
		} else {
			memcpy(o, q, n);
			memcpy(o + n, e + elen - shared, shared);
		}
		/* whole: a reference may cut a character in two */
		if (!text_ok((const unsigned char *)o, len)) {
			rd_fail(r);
			return NULL;
		}
		d = o;
	}
	unsigned slot = r->nring % RING;
	r->ring[slot] = d;
	r->ring_len[slot] = len;
	r->nring++;
	return d;
}

static struct image *rd_images(struct rd *r, struct carve *c, size_t *count)
{
	size_t n = rd_list(r, ARTICLE_IMAGES_MAX);
	*count = 0;
	if (n == 0 || r->bad)
		return NULL;
	if ((size_t)(c->imgend - c->img) < n) {
		r->bad = true;
		return NULL;
	}
	struct image *v = c->img;
	c->img += n;
	for (size_t i = 0; i < n; i++) {
		v[i].url = rd_str(r, c, ARTICLE_URL_MAX);
		v[i].title = rd_str(r, c, ARTICLE_TITLE_MAX);
		uint64_t w = rdv(r), h = rdv(r);
		uint8_t cached = rd8(r);
		unsigned has = rd_has(r, IMAGE_HAS);
		v[i].has = has;
		v[i].width = check_i32(r, w, has, HAS_WIDTH);
		v[i].height = check_i32(r, h, has, HAS_HEIGHT);
		v[i].is_cached = check_bool(r, cached, has, HAS_CACHED);
	}
	*count = n;
	return v;
}

static void rd_provider(struct rd *r, struct carve *c, struct provider *p, bool name)
{
	if (name)
		p->name = rd_str(r, c, ARTICLE_NAME_MAX);
	p->domain = rd_str(r, c, ARTICLE_NAME_MAX);
	p->images = rd_images(r, c, &p->nimages);
}

static size_t align_up(size_t n)
{
	return (n + alignof(max_align_t) - 1) & ~(alignof(max_align_t) - 1);
}

/* Does the head begin with exactly path? Moves past it. */
static bool rd_path_is(struct rd *r, const char *path)
{
	size_t n = rd_count(r);
	const unsigned char *q = take(r, n);
	return q && !r->bad && n == strlen(path) && !memcmp(q, path, n);
}

/* Step over a head's path and problems; false if damaged. */
static bool skip_problems(struct rd *r)
{
	take(r, rd_count(r)); /* the path */
	size_t n = rd_count(r);
	for (size_t i = 0; i < n && !r->bad; i++) {
		rd8(r);
		take(r, rd_count(r));
	}
	return !r->bad;
}

/* Could a body of rem bytes, with nimages images at every level and
 * nrelated related stories, hold strings of sb bytes decoded? References
 * make strings longer than their bytes in the body, but no string is
 * longer than the body, nor than the longest field, and each takes a byte
 * at least; nor are there more strings than the fields, nor more images
 * than the lists hold. The one allocation sized from these counts then
 * stays near what a parsed article could take. */
static bool body_sizes_possible(uint64_t rem, uint64_t sb, size_t nimages, size_t nrelated)
{
	/* the body's strs: six of the article and its provider's domain; two
	 * an image; six a related story and its provider's name and domain */
	uint64_t nstrs = 7 + 2 * (uint64_t)nimages + 8 * (uint64_t)nrelated;
	return sb <= rem * (rem + 1) && sb <= rem * (LONGEST_STR + 1) &&
	       sb <= nstrs * (LONGEST_STR + 1) &&
	       nimages <= ARTICLE_IMAGES_MAX * (2 + 2 * (uint64_t)nrelated);
}

/* The article of head h and body b, named path; NULL if they are
 * inconsistent or hold a value the parser never gives (their checksums
 * passed, so only a writer bug or a forgery could do that). */
static struct article *decode_article(struct rd *h, struct rd *b, const char *path)
{
	if (!skip_problems(h))
		return NULL;
	size_t textbytes = rd_count(h);
	uint64_t rem = (uint64_t)(b->end - b->p), sb = rdv(b);
	size_t nimages = rd_count(b), nrelated = rd_list(b, ARTICLE_RELATED_MAX);
	if (h->bad || b->bad || !body_sizes_possible(rem, sb, nimages, nrelated))
		return NULL;
	/* the topics' count comes after three texts: find it first */
	struct rd peek = *h;
	size_t len;
	for (size_t i = 0; i < 3; i++)
		rd_lit(&peek, &len, text_max(i));
	size_t ntopics = rd_list(&peek, ARTICLE_TOPICS_MAX);
	if (peek.bad)
		return NULL;

	size_t rel_size = align_up(nrelated * sizeof(struct related));
	size_t img_size = align_up(nimages * sizeof(struct image));
	size_t top_size = align_up(ntopics * sizeof(const char *));
	size_t strbytes = textbytes + (size_t)sb;
	size_t total = rel_size + img_size + top_size + strbytes;

	/* One arena block for the path and the rest. */
	struct article *a = article_new_sized(path, total + 2 * alignof(max_align_t));
	unsigned char *mem = arena_alloc(&a->arena, total); /* never NULL */
	struct carve c = {
		.img = (void *)(mem + rel_size),
		.imgend = (struct image *)(void *)(mem + rel_size) + nimages,
		.s = (char *)(mem + rel_size + img_size + top_size),
		.send = (char *)(mem + rel_size + img_size + top_size) + strbytes,
	};
	a->title = rd_lit_copy(h, &c, text_max(0));
	a->excerpt = rd_lit_copy(h, &c, text_max(1));
	a->provider.name = rd_lit_copy(h, &c, text_max(2));
	rd_count(h); /* ntopics, read above */
	if (ntopics) {
		a->topics = (void *)(mem + rel_size + img_size);
		a->ntopics = ntopics;
		for (size_t i = 0; i < ntopics; i++)
			if (!(a->topics[i] = rd_lit_copy(h, &c, text_max(3 + i))))
				rd_fail(h); /* the parser keeps no missing topic */
	}

	b->nring = 0;
	a->category = rd_str(b, &c, ARTICLE_NAME_MAX);
	a->type = rd_str(b, &c, ARTICLE_NAME_MAX);
	a->original_url = rd_str(b, &c, ARTICLE_URL_MAX);
	a->web_url = rd_str(b, &c, ARTICLE_URL_MAX);
	a->amp_web_url = rd_str(b, &c, ARTICLE_URL_MAX);
	a->cdn_amp_web_url = rd_str(b, &c, ARTICLE_URL_MAX);
	uint64_t date = rdv(b), quality = rdv(b), heat = rdv(b);
	uint8_t published = rd8(b);
	a->has = rd_has(b, ARTICLE_HAS);
	a->date = check_date(b, date, a->has);
	a->quality = check_i32(b, quality, a->has, HAS_QUALITY);
	a->heat = check_i32(b, heat, a->has, HAS_HEAT);
	a->published = check_bool(b, published, a->has, HAS_PUBLISHED);
	rd_provider(b, &c, &a->provider, false);
	a->images = rd_images(b, &c, &a->nimages);
	if (nrelated) {
		a->related = (void *)mem;
		a->nrelated = nrelated;
		for (size_t i = 0; i < nrelated; i++) {
			struct related *x = &a->related[i];
			x->title = rd_str(b, &c, ARTICLE_TITLE_MAX);
			x->excerpt = rd_str(b, &c, ARTICLE_EXCERPT_MAX);
			x->type = rd_str(b, &c, ARTICLE_NAME_MAX);
			x->web_url = rd_str(b, &c, ARTICLE_URL_MAX);
			x->amp_web_url = rd_str(b, &c, ARTICLE_URL_MAX);
			x->cdn_amp_web_url = rd_str(b, &c, ARTICLE_URL_MAX);
			rd_provider(b, &c, &x->provider, true);
			uint64_t rdate = rdv(b), rquality = rdv(b);
			x->has = rd_has(b, RELATED_HAS);
			x->date = check_date(b, rdate, x->has);
			x->quality = check_i32(b, rquality, x->has, HAS_QUALITY);
			x->images = rd_images(b, &c, &x->nimages);
			x->local = -1; /* store_link decides */
		}
	}
	if (h->bad || b->bad || h->p != h->end || b->p != b->end || c.s != c.send ||
	    c.img != c.imgend) {
		article_free(a);
		return NULL;
	}
	return a;
}

/* Append the head's problems, written with path; false if damaged. */
static bool decode_problems(struct rd *r, const char *path, struct strlist *out)
{
	struct buf esc = {0};
	size_t n = rd_count(r);
	for (size_t i = 0; i < n && !r->bad; i++) {
		uint8_t ours = rd8(r);
		size_t len = rd_count(r);
		const unsigned char *q = take(r, len);
		if (!q)
			break;
		/* as the writer left it: the path's place followed by ':' */
		if (ours > 1 || len == 0 || (ours && q[0] != ':') || !message_ok(q, len)) {
			rd_fail(r);
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

/* Everything of the stat that the cache trusts, as git's index does: a
 * rewrite changes the ctime, which no one can set back; the inode and the
 * device tell a file put in another's place. */
static bool same_file(const struct entry *e, const struct stat *st)
{
	return e->size == (int64_t)st->st_size && e->sec == (int64_t)COMPAT_ST_MTIM(st).tv_sec &&
	       e->nsec == (uint32_t)COMPAT_ST_MTIM(st).tv_nsec &&
	       e->csec == (int64_t)COMPAT_ST_CTIM(st).tv_sec &&
	       e->cnsec == (uint32_t)COMPAT_ST_CTIM(st).tv_nsec && e->ino == (uint64_t)st->st_ino &&
	       e->dev == (uint64_t)st->st_dev;
}

/* Keyed, as every table whose keys a file can choose: a forged cache must
 * not be able to pile its entries into one run of slots. */
static uint64_t id_hash(uint64_t dev, uint64_t ino)
{
	return hash_pair(dev, ino);
}

/* The bytes [off, off + len) of the file, through a window that reads
 * ahead; NULL if the file no longer has them. */
static const unsigned char *fetch(const struct cache_reader *r, struct window *w, uint64_t off,
				  size_t len)
{
	if (len == 0)
		return (const unsigned char *)"";
	if (off >= w->off && off - w->off <= w->len && len <= w->len - (off - w->off))
		return w->buf + (off - w->off);
	size_t want = len > r->ahead ? len : r->ahead;
	if (w->cap < want) {
		free(w->buf);
		w->buf = xmalloc(want);
		w->cap = want;
	}
	size_t got = 0;
	w->len = 0;
	while (got < want) {
		ssize_t n = pread(r->c->fd, w->buf + got, want - got, (off_t)(off + got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got < len)
		return NULL;
	w->off = off;
	w->len = got;
	return w->buf;
}

/* Entry id's head (or body), checked; false if damaged. */
static bool open_part(struct cache_reader *r, size_t id, bool body, struct rd *out)
{
	const struct entry *e = &r->c->e[id];
	uint64_t off = body ? e->boff : e->hoff;
	uint32_t len = body ? e->blen : e->hlen, sum = body ? e->bsum : e->hsum;
	const unsigned char *p = fetch(r, body ? &r->body : &r->head, off, len);
	if (!p)
		return false;
	if (body || r->head_sum_ok != id + 1) {
		if (body_checksum(p, len) != sum)
			return false;
		if (!body)
			r->head_sum_ok = id + 1;
	}
	*out = (struct rd){.p = p, .end = p + len};
	return true;
}

/* Was entry id stored for exactly path? A damaged head says yes, so that
 * reading it says it is damaged. */
static bool stored_for(struct cache_reader *r, size_t id, const char *path)
{
	const struct entry *e = &r->c->e[id];
	const unsigned char *p = fetch(r, &r->head, e->hoff, e->hlen);
	if (!p || body_checksum(p, e->hlen) != e->hsum)
		return true;
	r->head_sum_ok = id + 1;
	struct rd h = {.p = p, .end = p + e->hlen};
	return rd_path_is(&h, path);
}

long cache_find(struct cache_reader *r, const char *path, const struct stat *st)
{
	const struct cache *c = r->c;
	if (!c->n)
		return -1;
	uint64_t ino = (uint64_t)st->st_ino, dev = (uint64_t)st->st_dev;
	for (size_t i = id_hash(dev, ino) & c->mask;; i = (i + 1) & c->mask) {
		uint32_t k = c->by_id[i];
		if (!k)
			return -1;
		/* Hard links share the identity: go on past the others. */
		if (same_file(&c->e[k - 1], st) && stored_for(r, k - 1, path))
			return (long)(k - 1);
	}
}

struct cache_reader *cache_reader_new(const struct cache *c)
{
	struct cache_reader *r = xcalloc(1, sizeof *r);
	r->c = c;
	r->ahead = WINDOW;
	return r;
}

void cache_reader_free(struct cache_reader *r)
{
	if (!r)
		return;
	free(r->head.buf);
	free(r->body.buf);
	free(r->texts);
	free(r);
}

int cache_read_head(struct cache_reader *r, size_t id, const char *path,
		    struct strlist *problems, const struct cache_text **texts, size_t *ntexts)
{
	struct rd h;
	if (!open_part(r, id, false, &h) || !rd_path_is(&h, path))
		return -1;
	size_t n0 = problems->n;
	bool ok = decode_problems(&h, path, problems);
	r->ntexts = 0;
	if (ok && r->c->e[id].kind == 1) {
		size_t want = rd_count(&h), bytes = 0; /* the bytes they take decoded */
		size_t ntopics = 0;
		for (size_t i = 0; !h.bad && i < 3 + ntopics; i++) {
			struct cache_text t;
			t.s = rd_lit(&h, &t.len, text_max(i));
			if (i == 2)
				ntopics = rd_list(&h, ARTICLE_TOPICS_MAX);
			if (!t.s) {
				if (i >= 3)
					rd_fail(&h); /* the parser keeps no missing topic */
				continue;
			}
			bytes += t.len + 1;
			r->texts = xgrow(r->texts, &r->captexts, r->ntexts + 1, sizeof *r->texts);
			r->texts[r->ntexts++] = t;
		}
		ok = !h.bad && h.p == h.end && bytes == want;
	} else if (ok) {
		ok = h.p == h.end;
	}
	if (!ok) {
		while (problems->n > n0)
			free(problems->v[--problems->n]);
		return -1;
	}
	r->head_ok = id + 1;
	*texts = r->texts;
	*ntexts = r->ntexts;
	return r->c->e[id].kind == 1;
}

struct article *cache_read_article(struct cache_reader *r, size_t id, const char *path)
{
	struct rd h, b;
	if (r->c->e[id].kind != 1 || !open_part(r, id, false, &h) || !open_part(r, id, true, &b))
		return NULL;
	h.checked = r->head_ok == id + 1;
	return decode_article(&h, &b, path);
}

int cache_lookup(const struct cache *c, const char *path, const struct stat *st,
		 struct article **article, struct strlist *problems)
{
	struct cache_reader r = {.c = c};
	long id = cache_find(&r, path, st);
	if (id < 0) {
		free(r.head.buf);
		return 0;
	}
	const struct cache_text *texts;
	size_t ntexts, n0 = problems->n;
	int kind = cache_read_head(&r, (size_t)id, path, problems, &texts, &ntexts);
	struct article *a = NULL;
	if (kind == 1 && !(a = cache_read_article(&r, (size_t)id, path))) {
		while (problems->n > n0)
			free(problems->v[--problems->n]);
		kind = -1;
	}
	free(r.head.buf);
	free(r.body.buf);
	free(r.texts);
	if (kind < 0)
		return -1;
	*article = a;
	return 1;
}

int cache_writer_copy(struct cache_writer *w, struct cache_reader *r, size_t id,
		      const struct stat *st)
{
	const struct entry *e = &r->c->e[id];
	struct rd h, b = {0};
	if (!open_part(r, id, false, &h) || (e->blen && !open_part(r, id, true, &b)))
		return -1;
	if (too_recent(w, st))
		return 0;
	buf_add(&w->head, h.p, e->hlen);
	if (e->blen)
		buf_add(&w->body, b.p, e->blen);
	add_record(w, st, e->hlen, e->hsum, e->blen, e->bsum, e->kind == 1);
	return 0;
}

size_t cache_count(const struct cache *c)
{
	return c->n;
}

size_t cache_longest_probe(const struct cache *c)
{
	if (!c->n)
		return 0;
	/* the longest run of full slots, wrapping, and the empty one after */
	size_t longest = 0, run = 0;
	for (size_t i = 0; i < 2 * (c->mask + 1); i++) {
		run = c->by_id[i & c->mask] ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	return longest > c->mask ? c->mask + 1 : longest + 1;
}

void cache_close(struct cache *c)
{
	if (!c)
		return;
	if (c->fd >= 0)
		close(c->fd);
	free(c->path);
	free(c->e);
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

char *cache_damage_message(const struct cache *c, size_t n)
{
	return open_error(c->path, "%zu damaged %s (checksum mismatch or impossible values)", n,
			  n == 1 ? "entry" : "entries");
}

static int read_at(int fd, void *buf, size_t n, uint64_t off)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = pread(fd, (char *)buf + got, n - got, (off_t)(off + got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0) {
			errno = EIO; /* shrank while we read */
			return -1;
		}
		got += (size_t)r;
	}
	return 0;
}

/* Check the header and the index, then index the entries, but those that
 * are racy with the cache file's write time: they are never found. */
static char *verify(struct cache *c, const char *path, uint64_t size,
		    const struct timespec *written)
{
	unsigned char h[HEADER_SIZE];
	if (size < HEADER_SIZE)
		return open_error(path, "truncated (%llu bytes, shorter than the header)",
				  (unsigned long long)size);
	if (read_at(c->fd, h, HEADER_SIZE, 0) < 0)
		return open_error(path, "cannot read: %s", strerror(errno));
	if (memcmp(h, MAGIC, 8))
		return open_error(path, "not a lede cache file");
	uint32_t version = get32(h + 8);
	if (version != CACHE_FORMAT_VERSION || get32(h + 12) != 0)
		return open_error(path, "format version %u, not %u", (unsigned)version,
				  (unsigned)CACHE_FORMAT_VERSION);
	if (get64(h + 40) != lede_version_hash())
		return open_error(path, "written by another version of lede");
	uint64_t count = get64(h + 16), heads = get64(h + 24), bodies = get64(h + 32);
	uint64_t have = size - HEADER_SIZE;
	if (count > have / RECORD_SIZE || count >= UINT32_MAX / 2)
		return open_error(path, "truncated or corrupt (%llu entries in %llu bytes)",
				  (unsigned long long)count, (unsigned long long)have);
	uint64_t index_len = count * RECORD_SIZE, rest = have - index_len;
	if (heads > rest || bodies > rest - heads)
		return open_error(path, "truncated (%llu bytes, not %llu)", (unsigned long long)size,
				  (unsigned long long)(HEADER_SIZE + index_len + heads + bodies));
	if (heads + bodies < rest)
		return open_error(path, "%llu bytes after the end",
				  (unsigned long long)(rest - heads - bodies));
	unsigned char *index = xmalloc(index_len ? index_len : 1);
	if (read_at(c->fd, index, index_len, HEADER_SIZE) < 0) {
		free(index);
		return open_error(path, "cannot read: %s", strerror(errno));
	}
	if (index_checksum(h, index, index_len) != get64(h + 48)) {
		free(index);
		return open_error(path, "checksum mismatch (the file is damaged)");
	}

	c->n = (size_t)count;
	c->e = xmalloc((c->n ? c->n : 1) * sizeof *c->e);
	uint64_t hoff = HEADER_SIZE + index_len, hend = hoff + heads, boff = hend, bend = size;
	for (size_t i = 0; i < c->n; i++) {
		const unsigned char *q = index + i * RECORD_SIZE;
		struct entry *e = &c->e[i];
		e->ino = get64(q);
		e->dev = get64(q + 8);
		e->size = (int64_t)get64(q + 16);
		e->sec = (int64_t)get64(q + 24);
		e->csec = (int64_t)get64(q + 32);
		e->nsec = get32(q + 40);
		e->cnsec = get32(q + 44);
		e->hlen = get32(q + 48);
		e->hsum = get32(q + 52);
		e->blen = get32(q + 56);
		e->bsum = get32(q + 60);
		e->kind = q[64];
		e->hoff = hoff;
		e->boff = boff;
		bool pad = q[65] || q[66] || q[67] || q[68] || q[69] || q[70] || q[71];
		if (e->kind > 1 || pad || e->hlen > hend - hoff || e->blen > bend - boff ||
		    (e->kind == 0) != (e->blen == 0) || e->nsec > 999999999 ||
		    e->cnsec > 999999999) {
			free(index);
			return open_error(path, "corrupt (entry %zu)", i + 1);
		}
		hoff += e->hlen;
		boff += e->blen;
	}
	free(index);
	if (hoff != hend || boff != bend)
		return open_error(path, "corrupt (the entries do not fill the file)");

	size_t slots = 16;
	while (slots < c->n * 2)
		slots *= 2;
	c->mask = slots - 1;
	c->by_id = xcalloc(slots, sizeof *c->by_id);
	for (size_t i = 0; i < c->n; i++) {
		const struct entry *e = &c->e[i];
		if (racy_time(e->sec, e->nsec, written->tv_sec, written->tv_nsec) ||
		    racy_time(e->csec, e->cnsec, written->tv_sec, written->tv_nsec))
			continue;
		/* Hard links share (device, inode), and a keyed hash cannot
		 * spread equal keys: past a few names of one file, the others
		 * are parsed again rather than make every lookup of it walk
		 * them all (and a forged cache of one inode quadratic). */
		size_t k = id_hash(e->dev, e->ino) & c->mask, same = 0;
		for (; c->by_id[k] && same < MAX_LINKS; k = (k + 1) & c->mask) {
			const struct entry *o = &c->e[c->by_id[k] - 1];
			same += o->dev == e->dev && o->ino == e->ino;
		}
		if (same < MAX_LINKS)
			c->by_id[k] = (uint32_t)i + 1;
	}
	return NULL;
}

void cache_reseal(unsigned char *d, size_t n)
{
	if (n < HEADER_SIZE || memcmp(d, MAGIC, 8))
		return;
	set64(d + 40, lede_version_hash());
	uint64_t count = get64(d + 16), heads = get64(d + 24);
	if (count > (n - HEADER_SIZE) / RECORD_SIZE)
		return; /* refused before any checksum */
	size_t index_len = (size_t)count * RECORD_SIZE;
	uint64_t hoff = HEADER_SIZE + index_len;
	uint64_t boff = heads > n - hoff ? n : hoff + heads;
	for (size_t i = 0; i < count; i++) {
		unsigned char *q = d + HEADER_SIZE + i * RECORD_SIZE;
		uint32_t hlen = get32(q + 48), blen = get32(q + 56);
		if (hlen <= n - hoff)
			set32(q + 52, body_checksum(d + hoff, hlen));
		if (boff <= n && blen <= n - boff)
			set32(q + 60, body_checksum(d + boff, blen));
		hoff = hlen <= n - hoff ? hoff + hlen : n;
		boff += blen;
	}
	set64(d + 48, index_checksum(d, d + HEADER_SIZE, index_len));
}

struct cache *cache_open(const char *path, char **err)
{
	*err = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		if (errno != ENOENT && errno != ENOTDIR)
			*err = open_error(path, "cannot open: %s", strerror(errno));
		return NULL;
	}
	struct stat st;
	if (fstat(fd, &st) < 0)
		*err = open_error(path, "cannot read: %s", strerror(errno));
	else if (!S_ISREG(st.st_mode))
		*err = open_error(path, "not a regular file");
	else if (st.st_size == 0)
		*err = open_error(path, "empty file");
	if (*err) {
		close(fd);
		return NULL;
	}
	struct cache *c = xcalloc(1, sizeof *c);
	c->fd = fd;
	c->path = xstrdup(path);
	*err = verify(c, path, (uint64_t)st.st_size, &COMPAT_ST_MTIM(&st));
	if (*err) {
		cache_close(c);
		return NULL;
	}
	return c;
}

/* cache: the cache file around the entries that cache_encode.c writes
 * and cache_format.c decodes:
 * the header and the index of records by file identity, the checks that
 * decide whether a file is trusted, the readers that fetch heads and
 * bodies through a window, the writer and its atomic commit, and the
 * file's name. The layout of the file is in cache.h. */
#define _GNU_SOURCE /* realpath; O_DIRECTORY, O_NOFOLLOW */
#include "lede/cache.h"
#include "lede/compat.h"
#include "lede/hash.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lede/atomic.h"
#include "lede/date.h"
#include "lede/rank.h"
#include "lede/cache_encode.h"
#include "lede/cache_format.h"
#include "lede/spill.h"
#include "lede/worker.h"

#ifndef LEDE_VERSION
#define LEDE_VERSION "unknown"
#endif

#define FNV_OFFSET 14695981039346656037ull
#define FNV_PRIME 1099511628211ull

enum {
	HEADER_SIZE = 88,
	RECORD_SIZE = 72, /* one index record */
	RECS_HEAD = 56,   /* the records section's own header */
	REC_SIZE = 80,    /* one entry's record in it */
	/* Files changed this close to the cache's write time, or later, are
	 * not trusted (see cache.h). */
	RACY_SECONDS = 2,
	/* The names of one file (hard links) kept in the table; more are
	 * parsed again. */
	MAX_LINKS = 8,
	/* What a reader fetches at once: a few dozen bodies. */
	WINDOW = 128 * 1024,
	/* Bodies are at most this big (an article file is at most a few MB;
	 * a body is smaller than its file), so that u32 lengths never wrap. */
	MAX_BODY = 1u << 30,
};

static const char MAGIC[] = "LEDECACH";
static const char RECS_MAGIC[] = "LEDERECS";

/* A record's flags (see cache.h). */
enum { RF_ARTICLE = 1, RF_TITLE = 2, RF_PROBLEMS = 4, RF_PROVIDER = 8, RF_TYPE = 16 };

/* Little-endian by shifts: the same bytes on any host, and compilers turn
 * these into plain loads and stores on little-endian ones. */
static inline uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint16_t get16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
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

static inline void set16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
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
 * rotate feeds high bits back down so differences keep spreading. Taken in
 * pieces of whole 32-byte blocks, then the tail, so that a stream can be
 * summed as it is read. */
struct sum {
	uint64_t lane[4];
};

static void sum_init(struct sum *s, uint64_t seed)
{
	*s = (struct sum){{FNV_OFFSET ^ seed, (FNV_OFFSET ^ 1) + seed, FNV_OFFSET ^ 2 ^ seed,
			   (FNV_OFFSET ^ 3) - seed}};
}

/* The whole blocks of p[0..n): n rounded down to 32. */
static size_t sum_blocks(struct sum *s, const unsigned char *p, size_t n)
{
	/* the lanes in registers: through s, each step would wait for the
	 * last one's store (p may alias s, for all the compiler knows) */
	uint64_t l0 = s->lane[0], l1 = s->lane[1], l2 = s->lane[2], l3 = s->lane[3];
	size_t i = 0;
	for (; n - i >= 32; i += 32) {
		l0 = rotl64((l0 ^ get64(p + i)) * FNV_PRIME, 29);
		l1 = rotl64((l1 ^ get64(p + i + 8)) * FNV_PRIME, 29);
		l2 = rotl64((l2 ^ get64(p + i + 16)) * FNV_PRIME, 29);
		l3 = rotl64((l3 ^ get64(p + i + 24)) * FNV_PRIME, 29);
	}
	*s = (struct sum){{l0, l1, l2, l3}};
	return i;
}

/* The sum of total bytes, the last ntail (< 32) of them in tail. */
static uint64_t sum_end(const struct sum *s, const unsigned char *tail, size_t ntail,
			uint64_t total)
{
	uint64_t h = ntail ? fnv1a(FNV_OFFSET, tail, ntail) : FNV_OFFSET;
	for (int k = 0; k < 4; k++)
		h = rotl64((h ^ s->lane[k]) * FNV_PRIME, 29);
	h = (h ^ total) * FNV_PRIME;
	h ^= h >> 32;
	return h;
}

static uint64_t checksum(uint64_t seed, const unsigned char *p, size_t n)
{
	struct sum s;
	sum_init(&s, seed);
	size_t i = sum_blocks(&s, p, n);
	return sum_end(&s, p + i, n - i, n);
}

static uint32_t body_checksum(const unsigned char *p, size_t n)
{
	return (uint32_t)checksum(0, p, n);
}

/* Seeded with the header up to the checksum: the counts, the version and
 * the key of the records' hashes. */
static uint64_t index_seed(const unsigned char *header)
{
	return fnv1a(FNV_OFFSET, header, 72);
}

static uint64_t index_checksum(const unsigned char *header, const unsigned char *index, size_t n)
{
	return checksum(index_seed(header), index, n);
}

/* A checksum taken on a thread of its own while the caller reads what it
 * guards (the index's entries, the records' values), each check of which
 * holds on any bytes: a warm start at a million articles then waits for
 * the longer of the two, not their sum. What was read is used only once
 * the sum is found good. On the caller's thread when no thread can be
 * made (a thread costs some tens of microseconds: always taken, so that
 * the tests' small caches take the path a big one takes). */
struct sum_job {
	struct worker w;
	uint64_t seed, out;
	const unsigned char *p;
	size_t n;
};

static void *sum_main(void *arg)
{
	struct sum_job *j = arg;
	j->out = checksum(j->seed, j->p, j->n);
	return NULL;
}

static void sum_start(struct sum_job *j, uint64_t seed, const unsigned char *p, size_t n)
{
	*j = (struct sum_job){.seed = seed, .p = p, .n = n};
	worker_run(&j->w, sum_main, j);
}

static uint64_t sum_finish(struct sum_job *j)
{
	worker_join(&j->w);
	return j->out;
}

/* A sum taken over pieces of any length, as they come. */
struct sum_stream {
	struct sum s;
	unsigned char carry[32];
	size_t ncarry;
	uint64_t total;
};

static void stream_init(struct sum_stream *st, uint64_t seed)
{
	sum_init(&st->s, seed);
	st->ncarry = 0;
	st->total = 0;
}

static void stream_add(struct sum_stream *st, const void *data, size_t n)
{
	const unsigned char *p = data;
	st->total += n;
	if (st->ncarry) {
		size_t k = 32 - st->ncarry < n ? 32 - st->ncarry : n;
		memcpy(st->carry + st->ncarry, p, k);
		st->ncarry += k;
		p += k;
		n -= k;
		if (st->ncarry < 32)
			return;
		sum_blocks(&st->s, st->carry, 32);
		st->ncarry = 0;
	}
	size_t done = sum_blocks(&st->s, p, n);
	memcpy(st->carry, p + done, n - done);
	st->ncarry = n - done;
}

static uint64_t stream_end(const struct sum_stream *st)
{
	return sum_end(&st->s, st->carry, st->ncarry, st->total);
}

/* The records section's checksum. */
enum { RECORDS_SEED = FNV_OFFSET ^ 0x5245 };

static uint64_t records_checksum(const unsigned char *p, size_t n)
{
	return checksum(RECORDS_SEED, p, n);
}

static uint64_t lede_version_hash(void)
{
	return fnv1a(FNV_OFFSET, LEDE_VERSION, strlen(LEDE_VERSION));
}

/* ---- writing ---- */

/* One thread's entries, in the order it encoded them: their heads, a
 * stream that goes to a file of its own beyond a bound; and where an entry's
 * body is encoded, which its ticket then takes with it. */
struct lane {
	struct spill head;
	struct buf body;
	/* the bodies of the tickets parked (cache_ticket_park) */
	struct spill park;
	/* where an entry's rec_blob is made before the ticket takes a copy */
	struct buf scratch;
};

/* What the encoder keeps of an entry for its record until it is placed,
 * followed by its related stories' webUrls hashed (u64 each, native),
 * then NUL-terminated: its key, and those present of its title,
 * provider name, type and topics. */
struct rec_blob {
	uint64_t urls[3];
	int64_t date;
	int32_t quality, heat;
	uint32_t nrelated;
	uint16_t ntopics;
	uint8_t has, has_urls, flags;
};

/* The distinct names (provider names, types, topics) of the records, by
 * id, in a pool. */
struct rec_names {
	struct buf pool;
	uint64_t *at;
	size_t n, cap;
	uint32_t *slots; /* id + 1; 0 empty */
	size_t mask;
};

/* What the tie ranks need of an article placed: where its title (NONE:
 * none) and its key are in their spills, the key's length, its entry. */
struct rank_item {
	uint64_t title_at, key_at;
	uint32_t klen, entry;
};
#define NO_TITLE UINT64_MAX

/* Entries placed one after the other whose heads lie one after the other
 * in one lane: copied out at once. */
struct run {
	size_t lane;
	uint64_t hoff, hlen;
};

struct cache_writer {
	struct timespec t0; /* when the writer was made */
	char *near;         /* the cache file its spills are made beside; NULL: none */
	/* nlanes + 1: the last is the writer's own, for add and copy */
	struct lane *lanes;
	size_t nlanes;
	struct spill index; /* the records, in the order placed */
	/* The bodies, in the order placed: once it streams, in the cache file
	 * itself, written nowhere else (see make_file). */
	struct spill bodyfile;
	struct run *runs;
	size_t nruns, capruns;
	uint64_t n; /* entries placed */
	uint64_t heads, bodies; /* their bytes */
	/* The records section, as the entries are placed (see cache.h): the
	 * key their URLs are hashed under; spilled like the lanes, the
	 * records (their tie ranks patched in as they are copied out), the
	 * topics' ids, the related stories' hashes, the keys, and the
	 * titles, for the ranks; what the ranks need of each article; the
	 * names. */
	unsigned char key[16];
	bool have_key;
	struct spill recs, topics, rels, keys, titles;
	struct rank_item *items;
	size_t nitems, capitems;
	struct rec_names names;
};

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

/* The directory of path, as commit makes it. */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) : xstrdup(".");
}

/* A spill's file: unnamed, beside the cache file, on its file system, so
 * that the commit copies it in the kernel. */
static int make_spill(void *ctx)
{
	const struct cache_writer *w = ctx;
	char *dir = dir_of(w->near);
	int r = make_dirs(dir);
	free(dir);
	return r < 0 ? -1 : atomic_scratch(w->near);
}

/* The cache file, unnamed until the commit names it (atomic_scratch,
 * atomic_publish_scratch), its header's room left: the bodies are written
 * into it as they are placed, the rest of it by the commit. */
static int make_file(void *ctx)
{
	static const unsigned char zeros[HEADER_SIZE];
	int fd = make_spill(ctx);
	if (fd >= 0 && atomic_write_fd(fd, zeros, sizeof zeros) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* The spills of the records section: beside the cache from when the
 * writer streams, with what they hold so far. */
static struct spill *record_spills(const struct cache_writer *w, size_t k)
{
	struct cache_writer *x = (struct cache_writer *)w;
	struct spill *all[] = {&x->recs, &x->topics, &x->rels, &x->keys, &x->titles};
	return k < sizeof all / sizeof *all ? all[k] : NULL;
}

static void lanes_init(struct cache_writer *w, size_t nlanes)
{
	int (*make)(void *) = w->near ? make_spill : NULL;
	for (size_t k = 0; record_spills(w, k); k++) {
		record_spills(w, k)->make = make;
		record_spills(w, k)->ctx = w;
	}
	w->nlanes = nlanes;
	w->lanes = xcalloc(nlanes + 1, sizeof *w->lanes);
	for (size_t i = 0; i <= nlanes; i++) {
		spill_init(&w->lanes[i].head, make, w);
		spill_init(&w->lanes[i].park, make, w);
	}
	spill_init(&w->index, make, w);
	w->bodyfile.make = w->near ? make_file : NULL;
	w->bodyfile.ctx = w;
}

static void lanes_free(struct cache_writer *w)
{
	for (size_t i = 0; w->lanes && i <= w->nlanes; i++) {
		spill_free(&w->lanes[i].head);
		spill_free(&w->lanes[i].park);
		buf_free(&w->lanes[i].body);
		buf_free(&w->lanes[i].scratch);
	}
	free(w->lanes);
	w->lanes = NULL;
	spill_free(&w->index);
}

struct cache_writer *cache_writer_new(void)
{
	struct cache_writer *w = xcalloc(1, sizeof *w);
	clock_gettime(CLOCK_REALTIME, &w->t0);
	for (size_t k = 0; record_spills(w, k); k++)
		spill_init(record_spills(w, k), NULL, NULL);
	spill_init(&w->bodyfile, NULL, NULL);
	lanes_init(w, 0);
	return w;
}

/* The key the records' URLs are hashed under: the cache's it inherits,
 * else this process's, taken at the first need, not when the writer is
 * made (a reader may adopt the key of the cache it opens after that). */
static const unsigned char *writer_key(struct cache_writer *w)
{
	if (!w->have_key) {
		hash_process_key(w->key);
		w->have_key = true;
	}
	return w->key;
}


void cache_writer_stream(struct cache_writer *w, const char *path, size_t nlanes)
{
	lanes_free(w);
	free(w->near);
	w->near = xstrdup(path);
	lanes_init(w, nlanes);
	writer_key(w); /* before the lanes' threads need it */
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

static void add_record(struct cache_writer *w, const struct stat *st, const struct cache_ticket *t)
{
	unsigned char r[RECORD_SIZE] = {0};
	set64(r, (uint64_t)st->st_ino);
	set64(r + 8, (uint64_t)st->st_dev);
	set64(r + 16, (uint64_t)st->st_size);
	set64(r + 24, (uint64_t)COMPAT_ST_MTIM(st).tv_sec);
	set64(r + 32, (uint64_t)COMPAT_ST_CTIM(st).tv_sec);
	set32(r + 40, (uint32_t)COMPAT_ST_MTIM(st).tv_nsec);
	set32(r + 44, (uint32_t)COMPAT_ST_CTIM(st).tv_nsec);
	set32(r + 48, t->hlen);
	set32(r + 52, t->hsum);
	set32(r + 56, t->blen);
	set32(r + 60, t->bsum);
	r[64] = t->kind;
	buf_add(&w->index.mem, r, sizeof r);
	spill_settle(&w->index);
}

/* The hash of a URL under the writer's key, as the records keep them. */
static uint64_t url_hash(const unsigned char key[16], const char *u)
{
	return hash_siphash24(key, u, strlen(u));
}

static void put_opt(struct buf *b, const char *x)
{
	if (x)
		buf_add(b, x, strlen(x) + 1);
}

/* The blob of an entry stored under key, its article a (NULL: a skipped
 * file), onto out; its URLs hashed under k. */
static void blob_of(struct buf *out, const unsigned char k[16], const char *key, size_t klen,
		    const struct article *a, bool problems)
{
	struct rec_blob b = {.flags = (uint8_t)((a ? RF_ARTICLE : 0) | (problems ? RF_PROBLEMS : 0))};
	uint64_t rel[ARTICLE_RELATED_MAX];
	if (a) {
		const char *u[3] = {a->web_url, a->original_url, a->amp_web_url};
		for (int i = 0; i < 3; i++) {
			if (u[i] && *u[i]) {
				b.urls[i] = url_hash(k, u[i]);
				b.has_urls |= (uint8_t)(1u << i);
			}
		}
		for (size_t i = 0; i < a->nrelated && b.nrelated < ARTICLE_RELATED_MAX; i++)
			if (a->related[i].web_url && *a->related[i].web_url)
				rel[b.nrelated++] = url_hash(k, a->related[i].web_url);
		b.date = a->date;
		b.quality = a->quality;
		b.heat = a->heat;
		b.has = (uint8_t)(a->has & (HAS_DATE | HAS_QUALITY | HAS_HEAT));
		/* the topics the blob holds: a forged NULL one is not among them */
		for (size_t i = 0; i < a->ntopics && b.ntopics < UINT16_MAX; i++)
			b.ntopics += a->topics[i] != NULL;
		b.flags |= (uint8_t)((a->title ? RF_TITLE : 0) | (a->provider.name ? RF_PROVIDER : 0) |
				     (a->type ? RF_TYPE : 0));
	}
	buf_add(out, &b, sizeof b);
	if (b.nrelated)
		buf_add(out, rel, b.nrelated * sizeof *rel);
	buf_add(out, key, klen);
	buf_putc(out, '\0');
	if (!a)
		return;
	put_opt(out, a->title);
	put_opt(out, a->provider.name);
	put_opt(out, a->type);
	for (size_t i = 0, k = 0; i < a->ntopics && k < b.ntopics; i++)
		if (a->topics[i]) {
			put_opt(out, a->topics[i]);
			k++;
		}
}

/* name's id among the records' names, added if new. */
static uint32_t names_add(struct rec_names *t, const char *name)
{
	if (!t->slots || t->n * 2 >= t->mask + 1) {
		size_t nslots = t->slots ? (t->mask + 1) * 2 : 256;
		free(t->slots);
		t->slots = xcalloc(nslots, sizeof *t->slots);
		t->mask = nslots - 1;
		for (size_t id = 0; id < t->n; id++) {
			size_t at = hash_str(t->pool.data + t->at[id]) & t->mask;
			while (t->slots[at])
				at = (at + 1) & t->mask;
			t->slots[at] = (uint32_t)id + 1;
		}
	}
	size_t at = hash_str(name) & t->mask;
	for (; t->slots[at]; at = (at + 1) & t->mask)
		if (!strcmp(t->pool.data + t->at[t->slots[at] - 1], name))
			return t->slots[at] - 1;
	t->at = xgrow(t->at, &t->cap, t->n + 1, sizeof *t->at);
	t->at[t->n] = t->pool.len;
	buf_add(&t->pool, name, strlen(name) + 1);
	t->slots[at] = (uint32_t)++t->n;
	return (uint32_t)(t->n - 1);
}

/* The next string of a blob, moving past it. */
static const char *blob_str(const unsigned char **p)
{
	const char *x = (const char *)*p;
	*p += strlen(x) + 1;
	return x;
}

/* The record of the entry placed next, from its blob. */
static void put_record(struct cache_writer *w, const unsigned char *p)
{
	struct rec_blob b;
	memcpy(&b, p, sizeof b);
	p += sizeof b;
	unsigned char r[REC_SIZE] = {0};
	set32(r + 28, (uint32_t)(spill_size(&w->rels) / 8));
	for (uint32_t i = 0; i < b.nrelated; i++) {
		uint64_t h;
		memcpy(&h, p + 8 * (size_t)i, 8);
		unsigned char q[8];
		set64(q, h);
		buf_add(&w->rels.mem, q, 8);
	}
	p += 8 * (size_t)b.nrelated;
	const char *key = blob_str(&p);
	size_t klen = strlen(key);
	uint64_t key_at = spill_size(&w->keys);
	set64(r + 32, key_at);
	buf_add(&w->keys.mem, key, klen + 1);
	uint64_t title_at = NO_TITLE;
	if (b.flags & RF_TITLE) {
		const char *t = blob_str(&p);
		title_at = spill_size(&w->titles);
		buf_add(&w->titles.mem, t, strlen(t) + 1);
	}
	if (b.flags & RF_ARTICLE) {
		w->items = xgrow(w->items, &w->capitems, w->nitems + 1, sizeof *w->items);
		w->items[w->nitems++] = (struct rank_item){title_at, key_at, (uint32_t)klen,
							   (uint32_t)w->n};
	}
	set32(r + 16, b.flags & RF_PROVIDER ? names_add(&w->names, blob_str(&p)) : CACHE_NO_NAME);
	set32(r + 20, b.flags & RF_TYPE ? names_add(&w->names, blob_str(&p)) : CACHE_NO_NAME);
	set32(r + 24, (uint32_t)(spill_size(&w->topics) / 4));
	for (uint16_t i = 0; i < b.ntopics; i++) {
		unsigned char q[4];
		set32(q, names_add(&w->names, blob_str(&p)));
		buf_add(&w->topics.mem, q, 4);
	}
	set64(r, (uint64_t)b.date);
	set32(r + 8, (uint32_t)b.quality);
	set32(r + 12, (uint32_t)b.heat);
	for (int i = 0; i < 3; i++)
		set64(r + 40 + 8 * i, b.urls[i]);
	set32(r + 64, CACHE_NO_RANK);
	set32(r + 68, CACHE_NO_RANK);
	set16(r + 72, b.ntopics);
	set16(r + 74, (uint16_t)b.nrelated);
	r[76] = b.has;
	r[77] = b.flags & (RF_ARTICLE | RF_TITLE | RF_PROBLEMS);
	r[78] = b.has_urls;
	buf_add(&w->recs.mem, r, sizeof r);
	for (size_t k = 0; record_spills(w, k); k++)
		spill_settle(record_spills(w, k));
}

void cache_writer_encode(struct cache_writer *w, size_t lane, const char *key, const char *path,
			 const struct stat *st, const struct article *a,
			 const char *const *problems, size_t nproblems, struct cache_ticket *t)
{
	*t = (struct cache_ticket){.made = false};
	if (too_recent(w, st))
		return;
	struct lane *l = &w->lanes[lane];
	struct buf *head = &l->head.mem, *body = &l->body;
	size_t hstart = head->len;
	body->len = 0;
	cache_encode(head, body, key, path, a, problems, nproblems);

	size_t hlen = head->len - hstart, blen = body->len;
	if (hlen >= MAX_BODY || blen >= MAX_BODY) {
		head->len = hstart;
		return;
	}
	l->scratch.len = 0;
	/* the key was taken before any lane's thread started (stream) */
	blob_of(&l->scratch, lane == w->nlanes ? writer_key(w) : w->key, key, strlen(key), a,
		nproblems > 0);
	/* the body goes with the ticket, after its blob, to be written once,
	 * where it is placed */
	*t = (struct cache_ticket){.hoff = l->head.in_file + hstart,
				   .hlen = (uint32_t)hlen,
				   .hsum = part_checksum(head, hstart),
				   .blen = (uint32_t)blen,
				   .bsum = part_checksum(body, 0),
				   .lane = (uint16_t)lane,
				   .kind = a != NULL,
				   .made = true,
				   .rec = xmalloc(l->scratch.len + blen)};
	memcpy(t->rec, l->scratch.data, l->scratch.len);
	if (blen)
		memcpy(t->rec + l->scratch.len, body->data, blen);
	t->body = t->rec + l->scratch.len;
	spill_settle(&l->head);
}

void cache_ticket_park(struct cache_writer *w, struct cache_ticket *t)
{
	if (!t->made || !t->body)
		return;
	struct spill *park = &w->lanes[t->lane].park;
	t->boff = spill_size(park);
	buf_add(&park->mem, t->body, t->blen);
	spill_settle(park);
	t->rec = xrealloc(t->rec, (size_t)(t->body - t->rec) + 1);
	t->body = NULL;
}

void cache_ticket_free(struct cache_ticket *t)
{
	free(t->rec);
	t->rec = NULL;
	t->body = NULL;
}

/* Place the entry t stands for, its blob rec and its body: the body
 * written where it stays. */
static void place(struct cache_writer *w, const struct cache_ticket *t, const unsigned char *rec,
		  const unsigned char *body, const struct stat *st)
{
	add_record(w, st, t);
	put_record(w, rec);
	struct run *r = w->nruns ? &w->runs[w->nruns - 1] : NULL;
	if (r && r->lane == t->lane && r->hoff + r->hlen == t->hoff) {
		r->hlen += t->hlen;
	} else {
		w->runs = xgrow(w->runs, &w->capruns, w->nruns + 1, sizeof *w->runs);
		w->runs[w->nruns++] = (struct run){t->lane, t->hoff, t->hlen};
	}
	if (t->blen && body) {
		buf_add(&w->bodyfile.mem, body, t->blen);
	} else if (t->blen) { /* parked: read back where it waited */
		struct buf *m = &w->bodyfile.mem;
		m->data = xgrow(m->data, &m->cap, m->len + t->blen, 1);
		if (spill_read(&w->lanes[t->lane].park, t->boff, m->data + m->len, t->blen) < 0 &&
		    !w->bodyfile.err)
			w->bodyfile.err = errno ? errno : EIO; /* said by the commit */
		m->len += t->blen;
	}
	if (t->blen)
		spill_settle(&w->bodyfile);
	w->n++;
	w->heads += t->hlen;
	w->bodies += t->blen;
}

void cache_writer_place(struct cache_writer *w, struct cache_ticket *t, const struct stat *st)
{
	if (!t->made)
		return;
	place(w, t, t->rec, t->body, st);
	cache_ticket_free(t);
}

void cache_writer_add_as(struct cache_writer *w, const char *key, const char *path,
			 const struct stat *st, const struct article *a,
			 const char *const *problems, size_t nproblems)
{
	struct cache_ticket t;
	cache_writer_encode(w, w->nlanes, key, path, st, a, problems, nproblems, &t);
	cache_writer_place(w, &t, st);
}

void cache_writer_add(struct cache_writer *w, const char *path, const struct stat *st,
		      const struct article *a, const char *const *problems, size_t nproblems)
{
	cache_writer_add_as(w, path, path, st, a, problems, nproblems);
}

size_t cache_writer_peak(const struct cache_writer *w)
{
	size_t peak = w->index.peak + w->bodyfile.peak;
	for (size_t i = 0; i <= w->nlanes; i++)
		peak += w->lanes[i].head.peak + w->lanes[i].park.peak;
	for (size_t k = 0; record_spills(w, k); k++)
		peak += record_spills(w, k)->peak;
	return peak;
}

void cache_writer_free(struct cache_writer *w)
{
	if (!w)
		return;
	lanes_free(w);
	spill_free(&w->bodyfile);
	free(w->runs);
	free(w->near);
	for (size_t k = 0; record_spills(w, k); k++)
		spill_free(record_spills(w, k));
	free(w->items);
	buf_free(&w->names.pool);
	free(w->names.at);
	free(w->names.slots);
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

/* The index's checksum, seeded with the header's first 48 bytes: the index
 * read back from its spill a piece at a time. 0, or -1 with errno. */
static int index_sum(const struct cache_writer *w, const unsigned char *h, uint64_t *out)
{
	enum { PIECE = 64 * 1024 }; /* whole blocks of the sum */
	struct sum s;
	sum_init(&s, fnv1a(FNV_OFFSET, h, 72));
	uint64_t total = spill_size(&w->index), off = 0;
	unsigned char *b = xmalloc(PIECE);
	int rc = 0;
	while (rc == 0 && total - off >= 32) {
		size_t k = total - off > PIECE ? PIECE : (size_t)(total - off) / 32 * 32;
		rc = spill_read(&w->index, off, b, k);
		sum_blocks(&s, b, k);
		off += k;
	}
	size_t tail = (size_t)(total - off);
	if (rc == 0 && tail)
		rc = spill_read(&w->index, off, b, tail);
	*out = sum_end(&s, b, tail, total);
	free(b);
	return rc;
}

/* Every run's heads, in order, to fd. */
static int copy_heads(struct cache_writer *w, int fd)
{
	for (size_t i = 0; i < w->nruns; i++) {
		const struct run *r = &w->runs[i];
		if (spill_copy(&w->lanes[r->lane].head, r->hoff, r->hlen, fd) < 0)
			return -1;
	}
	return 0;
}

/* Strings gathered for a sort: item i's at text + at[i]. */
struct gathered {
	const char *text;
	const uint64_t *at;
};

static const char *gathered_str(const void *ctx, uint32_t i)
{
	const struct gathered *g = ctx;
	return g->text + g->at[i];
}

/* Sort order[0..n), places in w->items, by their keys: the keys read
 * back from their spill, those of these items only. 0, or -1 with errno. */
static int sort_by_key(const struct cache_writer *w, uint32_t *order, size_t n)
{
	if (n < 2)
		return 0;
	uint64_t total = 0;
	uint64_t *at = xmalloc(n * sizeof *at);
	uint32_t *idx = xmalloc(n * sizeof *idx);
	for (size_t i = 0; i < n; i++) {
		at[i] = total;
		idx[i] = (uint32_t)i;
		total += w->items[order[i]].klen + 1;
	}
	char *text = xmalloc(total);
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		const struct rank_item *it = &w->items[order[i]];
		rc = spill_read(&w->keys, it->key_at, text + at[i], it->klen + 1);
	}
	if (rc == 0) {
		struct gathered g = {text, at};
		rank_sort_strings(idx, n, gathered_str, &g, NULL);
		for (size_t i = 0; i < n; i++)
			at[i] = order[idx[i]]; /* at is free to hold the order */
		for (size_t i = 0; i < n; i++)
			order[i] = (uint32_t)at[i];
	}
	free(text);
	free(idx);
	free(at);
	return rc;
}

struct rank_ctx {
	const struct rank_item *items;
	const char *titles;
};

static const char *rank_title(const void *ctx, uint32_t i)
{
	const struct rank_ctx *x = ctx;
	uint64_t at = x->items[i].title_at;
	return at == NO_TITLE ? NULL : x->titles + at;
}

/* Every article's place in the tie order (rank_tie_order: by title, each
 * run of one title by key, then the untitled by key), and that of the
 * first of its title: into ranks[2 * i], ranks[2 * i + 1] for w->items[i].
 * The titles are read back from their spill for the sort, the keys only
 * of the articles whose title another has too or that have none. 0, or
 * -1 with errno. */
static int rank_items(const struct cache_writer *w, uint32_t *ranks)
{
	size_t n = w->nitems, nt;
	uint64_t tbytes = spill_size(&w->titles);
	char *titles = xmalloc(tbytes + 1);
	if (spill_read(&w->titles, 0, titles, tbytes) < 0) {
		free(titles);
		return -1;
	}
	struct rank_ctx x = {w->items, titles};
	unsigned char *same;
	uint32_t *order = rank_by_title(n, rank_title, &x, &same, &nt);
	free(titles);
	int rc = 0;
	for (size_t a = 0; rc == 0 && a < nt;) {
		size_t b = a + 1;
		while (b < nt && same[b])
			b++;
		rc = sort_by_key(w, order + a, b - a);
		a = b;
	}
	if (rc == 0)
		rc = sort_by_key(w, order + nt, n - nt);
	uint32_t first = 0;
	for (size_t k = 0; k < n; k++) {
		if (k >= nt || !same[k])
			first = (uint32_t)k;
		ranks[2 * (size_t)order[k]] = (uint32_t)k;
		ranks[2 * (size_t)order[k] + 1] = first;
	}
	free(order);
	free(same);
	return rc;
}

/* The records section after its header, a piece at a time, to fn: the
 * records with their tie ranks patched in, the topics' ids, the related
 * stories' hashes, the names, the keys. With fd >= 0, the pieces that need
 * no patching are copied from their spills into fd instead. 0, or -1 with
 * errno. */
typedef int records_fn(void *ctx, const void *p, size_t n);

enum { RECS_PIECE = 4096 }; /* records read back at once */

static int records_each(const struct cache_writer *w, const uint32_t *ranks, records_fn *fn,
			void *ctx, int fd)
{
	unsigned char *b = xmalloc((size_t)RECS_PIECE * REC_SIZE);
	size_t item = 0;
	int rc = 0;
	for (uint64_t i = 0; rc == 0 && i < w->n; i += RECS_PIECE) {
		size_t k = w->n - i < RECS_PIECE ? (size_t)(w->n - i) : RECS_PIECE;
		if ((rc = spill_read(&w->recs, i * REC_SIZE, b, k * REC_SIZE)) < 0)
			break;
		for (; item < w->nitems && w->items[item].entry < i + k; item++) {
			unsigned char *r = b + (w->items[item].entry - i) * (size_t)REC_SIZE;
			set32(r + 64, ranks[2 * item]);
			set32(r + 68, ranks[2 * item + 1]);
		}
		rc = fn(ctx, b, k * REC_SIZE);
	}
	const struct spill *rest[] = {&w->topics, &w->rels, NULL, &w->keys};
	for (int p = 0; rc == 0 && p < 4; p++) {
		if (!rest[p]) {
			if (w->names.pool.len)
				rc = fn(ctx, w->names.pool.data, w->names.pool.len);
			continue;
		}
		uint64_t total = spill_size(rest[p]);
		if (fd >= 0) {
			rc = spill_copy((struct spill *)rest[p], 0, total, fd);
			continue;
		}
		for (uint64_t off = 0; rc == 0 && off < total;) {
			size_t k = total - off < (uint64_t)RECS_PIECE * REC_SIZE
					   ? (size_t)(total - off)
					   : (size_t)RECS_PIECE * REC_SIZE;
			if ((rc = spill_read(rest[p], off, b, k)) == 0)
				rc = fn(ctx, b, k);
			off += k;
		}
	}
	free(b);
	return rc;
}

static int sum_piece(void *ctx, const void *p, size_t n)
{
	stream_add(ctx, p, n);
	return 0;
}

static int write_piece(void *ctx, const void *p, size_t n)
{
	return atomic_write_fd(*(const int *)ctx, p, n);
}

/* The records section's header into rh; its size and checksum. 0, or -1
 * with errno. */
static int records_head(const struct cache_writer *w, const uint32_t *ranks,
			unsigned char rh[RECS_HEAD], uint64_t *size, uint64_t *sum)
{
	memcpy(rh, RECS_MAGIC, 8);
	set64(rh + 8, w->names.n);
	set64(rh + 16, w->names.pool.len);
	set64(rh + 24, spill_size(&w->topics) / 4);
	set64(rh + 32, spill_size(&w->rels) / 8);
	set64(rh + 40, spill_size(&w->keys));
	set64(rh + 48, w->n);
	struct sum_stream st;
	stream_init(&st, FNV_OFFSET ^ 0x5245);
	stream_add(&st, rh, RECS_HEAD);
	if (records_each(w, ranks, sum_piece, &st, -1) < 0)
		return -1;
	*size = st.total;
	*sum = stream_end(&st);
	return 0;
}

static int write_records(const struct cache_writer *w, const uint32_t *ranks,
			 const unsigned char rh[RECS_HEAD], int fd)
{
	if (atomic_write_fd(fd, rh, RECS_HEAD) < 0)
		return -1;
	return records_each(w, ranks, write_piece, &fd, fd);
}

/* The records section readied on a thread while the entries are copied:
 * the tie ranks, the section's header and its checksum. */
struct records_job {
	const struct cache_writer *w;
	uint32_t *ranks;
	unsigned char rh[RECS_HEAD];
	uint64_t len, sum;
	int rc, err;
	struct worker thread;
};

static void *records_main(void *arg)
{
	struct records_job *j = arg;
	j->rc = rank_items(j->w, j->ranks) < 0 || records_head(j->w, j->ranks, j->rh, &j->len,
							       &j->sum) < 0
			? -1
			: 0;
	j->err = j->rc < 0 ? errno : 0;
	return NULL;
}

static void records_start(struct records_job *j, const struct cache_writer *w)
{
	*j = (struct records_job){.w = w,
				  .ranks = xmalloc((w->nitems ? w->nitems : 1) * 2 * sizeof *j->ranks)};
	worker_run(&j->thread, records_main, j);
}

/* 0, or -1 with errno. */
static int records_finish(struct records_job *j)
{
	worker_join(&j->thread);
	errno = j->err;
	return j->rc;
}

/* The records section's size, known before it is ranked. */
static uint64_t records_len(const struct cache_writer *w)
{
	return RECS_HEAD + spill_size(&w->recs) + spill_size(&w->topics) + spill_size(&w->rels) +
	       w->names.pool.len + spill_size(&w->keys);
}

/* The rest of the file after its bodies, fd at their end: the index and
 * the heads, while job readies the records; then the records, and header
 * h, with their checksum, at the start. 0, or -1 with errno; job finished
 * either way. */
static int write_file(struct cache_writer *w, unsigned char h[HEADER_SIZE],
		      struct records_job *job, int fd)
{
	int rc = spill_copy(&w->index, 0, spill_size(&w->index), fd) < 0 || copy_heads(w, fd) < 0
			 ? -1
			 : 0;
	int e = errno;
	if (records_finish(job) < 0)
		return -1;
	if (rc < 0) {
		errno = e;
		return -1;
	}
	if (write_records(w, job->ranks, job->rh, fd) < 0)
		return -1;
	set64(h + 80, job->sum);
	ssize_t put = pwrite(fd, h, HEADER_SIZE, 0);
	if (put != HEADER_SIZE) {
		errno = put < 0 ? errno : EIO;
		return -1;
	}
	return 0;
}

int cache_writer_commit(struct cache_writer *w, const char *path, char **err)
{
	*err = NULL;
	char *dir = dir_of(path);
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
	set64(h + 24, w->heads);
	set64(h + 32, w->bodies);
	set64(h + 40, lede_version_hash());
	set64(h + 48, records_len(w));
	memcpy(h + 56, writer_key(w), sizeof w->key);
	set64(h + 80, 0); /* the records' checksum, once they are ranked */
	struct records_job job;
	records_start(&job, w);
	uint64_t sum;
	int rc = index_sum(w, h, &sum), fd = -1;
	if (rc == 0) {
		set64(h + 72, sum);
		/* The file the bodies are in; made now when they were all
		 * kept in memory. */
		if (!w->near)
			w->near = xstrdup(path);
		fd = spill_file(&w->bodyfile, make_file, w);
		rc = fd < 0 ? -1 : 0;
	}
	if (rc < 0) {
		int e = errno;
		records_finish(&job);
		free(job.ranks);
		*err = write_error(path, "cannot write: %s", strerror(e));
		return -1;
	}
	rc = write_file(w, h, &job, fd);
	free(job.ranks);
	/* Unnamed until whole: two lede processes name two files in turn,
	 * the last wins, and either cache is whole. Not synced: see
	 * atomic_commit_derived. */
	if (rc < 0 || atomic_publish_scratch(fd, path) < 0) {
		*err = write_error(path, "cannot write: %s", strerror(errno));
		return -1;
	}
	cache_prune(path, CACHE_KEEP);
	return 0;
}

/* ---- the cache file's name ---- */

char *cache_root_key(const char *p)
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
		char *abs = cache_root_key(roots[i]);
		if (i)
			h = fnv1a(h, "", 1);
		h = fnv1a(h, abs, strlen(abs));
		free(abs);
	}
	char *path = xasprintf("%s/%016llx.cache", dir, (unsigned long long)h);
	free(dir);
	return path;
}

/* ---- keeping a bounded number of cache files ---- */

/* A name cache_path_for makes: 16 lowercase hex digits and ".cache". */
static bool cache_name(const char *s)
{
	for (int i = 0; i < 16; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return strcmp(s + 16, ".cache") == 0;
}

struct used {
	char name[24];
	struct timespec at;
};

/* Most recently used first; by name on a tie, so that the choice does not
 * depend on the directory's order. */
static int by_use(const void *a, const void *b)
{
	const struct used *x = a, *y = b;
	if (x->at.tv_sec != y->at.tv_sec)
		return x->at.tv_sec > y->at.tv_sec ? -1 : 1;
	if (x->at.tv_nsec != y->at.tv_nsec)
		return x->at.tv_nsec > y->at.tv_nsec ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* The cache files in d other than own, with their last use. */
static struct used *cache_files(DIR *d, const char *own, size_t *n)
{
	struct used *v = NULL;
	size_t cap = 0;
	*n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		struct stat st;
		if (!cache_name(e->d_name) || strcmp(e->d_name, own) == 0 ||
		    fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (*n == cap)
			v = xrealloc(v, (cap = cap ? cap * 2 : 16) * sizeof *v);
		memcpy(v[*n].name, e->d_name, strlen(e->d_name) + 1);
		v[*n].at = COMPAT_ST_ATIM(&st);
		(*n)++;
	}
	return v;
}

/* The files kept beside cache file name (CACHE_BESIDE, same name but
 * for the ending) go with it. */
static void unlink_beside(int dir, const char *name)
{
	char other[64];
	size_t stem = strlen(name) - strlen(".cache");
	if (stem + sizeof CACHE_BESIDE > sizeof other)
		return;
	memcpy(other, name, stem);
	memcpy(other + stem, CACHE_BESIDE, sizeof CACHE_BESIDE);
	unlinkat(dir, other, 0);
}

void cache_prune(const char *path, size_t keep)
{
	char *dir = dir_of(path);
	const char *slash = strrchr(path, '/');
	const char *own = slash ? slash + 1 : path;
	DIR *d = opendir(dir);
	free(dir);
	if (!d)
		return;
	size_t n;
	struct used *v = cache_files(d, own, &n);
	/* path itself is the first kept: it was just written or used */
	size_t others = keep > 0 ? keep - 1 : 0;
	if (n > others) {
		qsort(v, n, sizeof *v, by_use);
		for (size_t i = others; i < n; i++) {
			unlinkat(dirfd(d), v[i].name, 0);
			unlink_beside(dirfd(d), v[i].name);
		}
	}
	free(v);
	closedir(d);
}

/* ---- reading ---- */

/* One entry of the index, decoded from its record where it lies (see
 * entry_at): the index is used in place, not copied into a table. */
struct entry {
	uint64_t ino, dev;
	int64_t size, sec, csec;
	uint64_t hoff, boff; /* of the head and the body, from the start of the file */
	uint32_t nsec, cnsec, hlen, hsum, blen, bsum;
	uint8_t kind; /* 0 skipped, 1 article */
};

/* Where the heads and bodies of every ENTRY_STRIDE-th entry begin, kept
 * from the check of the index: an entry's own are found from the one
 * before it by adding at most ENTRY_STRIDE - 1 lengths, so that the
 * entries need no table of their own (88 bytes an entry, most of opening
 * a cache of a million) and 16 bytes a stride do. */
enum { ENTRY_STRIDE = 16 };

struct cache {
	int fd;
	char *path; /* for messages */
	/* The index, RECORD_SIZE bytes an entry, checked whole by the open
	 * and read in place: mapped (imap, imaplen), else read into icopy. */
	const unsigned char *index;
	void *imap;
	size_t imaplen;
	unsigned char *icopy;
	uint64_t *stride_at; /* the head's and the body's offset of entry k * ENTRY_STRIDE */
	uint64_t hend, bend; /* where the heads and the bodies end */
	size_t n;
	/* Open addressing by (device, inode); a slot holds an entry's index
	 * + 1 in its low half, 0 when empty, and in its high half the high
	 * half of the hash (see id_slot): a probe past another file's slot
	 * reads no index record. */
	uint64_t *by_id;
	size_t by_id_bytes; /* its mapping's */
	size_t mask;
	/* The table is made at the first lookup, not at the open: a warm
	 * start from the records looks nothing up before its first screen
	 * (its check does, on the other core). */
	struct timespec written;
	atomic_bool by_id_made;
	pthread_mutex_t by_id_mu;
	/* The records section: where it lies, its checksum, the key of its
	 * hashes (and whether it is this process's); once cache_records has
	 * looked, its state and its parts, mapped. */
	uint64_t roff, rlen, rsum;
	uint64_t isum; /* the header's and the index's checksum */
	unsigned char key[16];
	bool key_ours;
	pthread_mutex_t rmu;
	int rstate; /* 0: not looked at; 1 good; -1 damaged */
	unsigned char *rmap;
	size_t rmaplen;
	const unsigned char *recs, *rtopics, *rrels, *rkeys;
	uint64_t ntopics, nrels, nkeys;
	const char **names;
	size_t nnames;
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
	struct cache_texts texts;
	/* Entry + 1 whose head's checksum, and whose head's texts, were
	 * last found good: a lookup checks them once, not at each step. The
	 * file never changes under its descriptor (it is only ever replaced),
	 * so the bytes read again are the same. */
	size_t head_sum_ok, head_ok;
	struct buf scratch; /* for cache_read_listed */
};

/* Pages of a mapping filled when it is made, in one call, rather than by a
 * fault each as they are first touched: a hundred thousand entries are
 * thousands of pages, and a fault costs dearly on a virtual machine. */
#ifdef MAP_POPULATE
#define PREFAULT MAP_POPULATE
#else
#define PREFAULT 0
#endif

/* Entry id's identity, version, lengths, checksums and kind, as its
 * record has them (checked by the open); not its offsets. */
static void entry_at(const struct cache *c, size_t id, struct entry *e)
{
	const unsigned char *q = c->index + id * RECORD_SIZE;
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
	e->hoff = e->boff = 0;
}

static uint8_t entry_kind(const struct cache *c, size_t id)
{
	return c->index[id * RECORD_SIZE + 64];
}

/* The head and body lengths of index entries lo..hi added to *hoff and
 * *boff: where the entry hi's head and body begin, from lo's. */
static void lengths_add(const unsigned char *index, size_t lo, size_t hi, uint64_t *hoff,
			uint64_t *boff)
{
	for (size_t i = lo; i < hi; i++) {
		const unsigned char *q = index + i * RECORD_SIZE;
		*hoff += get32(q + 48);
		*boff += get32(q + 56);
	}
}

/* entry_at, and where its head and body lie: from its stride's start,
 * the lengths of the entries before it in the stride added. */
static void entry_placed(const struct cache *c, size_t id, struct entry *e)
{
	entry_at(c, id, e);
	size_t k = id / ENTRY_STRIDE;
	e->hoff = c->stride_at[2 * k];
	e->boff = c->stride_at[2 * k + 1];
	lengths_add(c->index, k * ENTRY_STRIDE, id, &e->hoff, &e->boff);
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

/* Was e's file changed or modified too near the writing of the cache
 * (written) to be told from a later change (racy_time)? The table by
 * identity leaves such entries out, and a guessed lookup takes none. */
static bool entry_racy(const struct entry *e, const struct timespec *written)
{
	return racy_time(e->sec, e->nsec, written->tv_sec, written->tv_nsec) ||
	       racy_time(e->csec, e->cnsec, written->tv_sec, written->tv_nsec);
}

/* Keyed, as every table whose keys a file can choose: a forged cache must
 * not be able to pile its entries into one run of slots. */
static uint64_t id_hash(uint64_t dev, uint64_t ino)
{
	return hash_pair(dev, ino);
}

/* A slot of the table by identity: entry id, of hash h. */
static uint64_t id_slot(uint64_t h, size_t id)
{
	return (h & 0xffffffff00000000u) | ((uint64_t)id + 1);
}

/* Does slot v hold an entry whose hash has h's high half? */
static bool id_tag_is(uint64_t v, uint64_t h)
{
	return (v ^ h) >> 32 == 0;
}

static size_t id_entry(uint64_t v)
{
	return (size_t)(uint32_t)v - 1;
}

/* From slot *i on, the first slot of an entry of hash h's high half, its
 * place left in *i; 0 at the empty slot that ends the run (*i there). */
static uint64_t id_next(const struct cache *c, uint64_t h, size_t *i)
{
	for (uint64_t v; (v = c->by_id[*i]); *i = (*i + 1) & c->mask)
		if (id_tag_is(v, h))
			return v;
	return 0;
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

/* Entry id's head (or body), checked; NULL if damaged. */
static const unsigned char *open_part(struct cache_reader *r, size_t id, bool body)
{
	struct entry e_, *e = &e_;
	entry_placed(r->c, id, e);
	uint64_t off = body ? e->boff : e->hoff, end = body ? r->c->bend : r->c->hend;
	uint32_t len = body ? e->blen : e->hlen, sum = body ? e->bsum : e->hsum;
	/* as the open checked them, unless the file was written in place
	 * since (lede never does): then damaged, never a read elsewhere */
	if (off > end || len > end - off)
		return NULL;
	const unsigned char *p = fetch(r, body ? &r->body : &r->head, off, len);
	if (!p)
		return NULL;
	if (body || r->head_sum_ok != id + 1) {
		if (body_checksum(p, len) != sum)
			return NULL;
		if (!body)
			r->head_sum_ok = id + 1;
	}
	return p;
}

/* Was entry id stored under exactly key? A damaged head says yes, so that
 * reading it says it is damaged. */
static bool stored_for(struct cache_reader *r, size_t id, const char *key)
{
	struct entry e_, *e = &e_;
	entry_placed(r->c, id, e);
	const unsigned char *p = e->hoff <= r->c->hend && e->hlen <= r->c->hend - e->hoff
					 ? fetch(r, &r->head, e->hoff, e->hlen)
					 : NULL;
	if (!p || body_checksum(p, e->hlen) != e->hsum)
		return true;
	r->head_sum_ok = id + 1;
	return cache_format_head_is_for(p, e->hlen, key);
}

static void index_by_id(struct cache *c, const struct timespec *written);

/* The table by identity, made once, by whichever thread looks up first. */
static void by_id_ensure(const struct cache *cc)
{
	struct cache *c = (struct cache *)cc;
	if (atomic_load_explicit(&c->by_id_made, memory_order_acquire))
		return;
	pthread_mutex_lock(&c->by_id_mu);
	if (!atomic_load_explicit(&c->by_id_made, memory_order_relaxed)) {
		index_by_id(c, &c->written);
		atomic_store_explicit(&c->by_id_made, true, memory_order_release);
	}
	pthread_mutex_unlock(&c->by_id_mu);
}

long cache_find_near(struct cache_reader *r, const char *key, const struct stat *st,
		     size_t guess)
{
	const struct cache *c = r->c;
	if (guess < c->n) {
		/* as the table would hold it: the same file, not racy */
		struct entry e;
		entry_at(c, guess, &e);
		if (same_file(&e, st) && !entry_racy(&e, &c->written) && stored_for(r, guess, key))
			return (long)guess;
	}
	return cache_find(r, key, st);
}

long cache_find(struct cache_reader *r, const char *key, const struct stat *st)
{
	const struct cache *c = r->c;
	if (!c->n)
		return -1;
	by_id_ensure(c);
	uint64_t ino = (uint64_t)st->st_ino, dev = (uint64_t)st->st_dev;
	uint64_t h = id_hash(dev, ino), v;
	/* Hard links share the identity: go on past the others. */
	for (size_t i = h & c->mask; (v = id_next(c, h, &i)); i = (i + 1) & c->mask) {
		size_t k = id_entry(v);
		struct entry e;
		entry_at(c, k, &e);
		if (same_file(&e, st) && stored_for(r, k, key))
			return (long)k;
	}
	return -1;
}

void cache_find_ahead(const struct cache_reader *r, const struct stat *st, bool record)
{
	const struct cache *c = r->c;
	if (!c->n || !atomic_load_explicit(&c->by_id_made, memory_order_acquire))
		return;
	uint64_t h = id_hash((uint64_t)st->st_dev, (uint64_t)st->st_ino);
	size_t i = h & c->mask;
	if (!record) {
		__builtin_prefetch(&c->by_id[i]);
		return;
	}
	uint64_t v = id_next(c, h, &i);
	if (v) {
		const unsigned char *q = c->index + id_entry(v) * RECORD_SIZE;
		__builtin_prefetch(q);
		__builtin_prefetch(q + RECORD_SIZE - 1);
	}
}

int cache_entry_key(struct cache_reader *r, size_t id, struct buf *key)
{
	const char *k;
	size_t n;
	const unsigned char *h;
	struct entry e;
	if (id >= r->c->n || !(h = open_part(r, id, false)))
		return -1;
	entry_at(r->c, id, &e);
	if (!cache_format_head_key(h, e.hlen, &k, &n))
		return -1;
	key->len = 0;
	buf_add(key, k, n);
	buf_str(key);
	return e.kind == 1;
}

int64_t cache_entry_size(const struct cache *c, size_t id)
{
	return id < c->n ? (int64_t)get64(c->index + id * RECORD_SIZE + 16) : -1;
}

void cache_entry_stat(const struct cache *c, size_t id, struct stat *st)
{
	struct entry e_, *e = &e_;
	entry_at(c, id, e);
	memset(st, 0, sizeof *st);
	st->st_dev = (dev_t)e->dev;
	st->st_ino = (ino_t)e->ino;
	st->st_size = (off_t)e->size;
	st->st_mode = S_IFREG;
	COMPAT_ST_MTIM(st).tv_sec = (time_t)e->sec;
	COMPAT_ST_MTIM(st).tv_nsec = (long)e->nsec;
	COMPAT_ST_CTIM(st).tv_sec = (time_t)e->csec;
	COMPAT_ST_CTIM(st).tv_nsec = (long)e->cnsec;
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
	free(r->texts.v);
	buf_free(&r->scratch);
	free(r);
}

int cache_read_head_as(struct cache_reader *r, size_t id, const char *key, const char *path,
		       struct strlist *problems, const struct cache_text **texts, size_t *ntexts)
{
	struct entry e;
	entry_at(r->c, id, &e);
	bool article = e.kind == 1;
	const unsigned char *h = open_part(r, id, false);
	if (!h || !cache_format_decode_head(h, e.hlen, key, path, article, problems, &r->texts))
		return -1;
	r->head_ok = id + 1;
	*texts = r->texts.v;
	*ntexts = r->texts.n;
	return article;
}

int cache_read_head(struct cache_reader *r, size_t id, const char *path,
		    struct strlist *problems, const struct cache_text **texts, size_t *ntexts)
{
	return cache_read_head_as(r, id, path, path, problems, texts, ntexts);
}

struct article *cache_read_article(struct cache_reader *r, size_t id, const char *path)
{
	struct entry e_, *e = &e_;
	entry_at(r->c, id, e);
	const unsigned char *h, *b;
	if (e->kind != 1 || !(h = open_part(r, id, false)) || !(b = open_part(r, id, true)))
		return NULL;
	return cache_format_decode_article(h, e->hlen, r->head_ok == id + 1, b, e->blen, path);
}

/* Entry id's article, checked whole, decoded into r's scratch as *whole
 * (valid until r decodes again); false when damaged or not an article. */
static bool read_scratch(struct cache_reader *r, size_t id, const char *path,
			 struct article *whole)
{
	struct entry e_, *e = &e_;
	entry_at(r->c, id, e);
	const unsigned char *h, *b;
	return e->kind == 1 && (h = open_part(r, id, false)) && (b = open_part(r, id, true)) &&
	       cache_format_decode_scratch(h, e->hlen, r->head_ok == id + 1, b, e->blen, path,
					   &r->scratch, whole);
}

struct list_row *cache_read_row_in(struct cache_reader *r, size_t id, const char *path,
				   struct slab *slab)
{
	struct article whole;
	return read_scratch(r, id, path, &whole) ? list_row_copy_in(slab, &whole, path) : NULL;
}

struct article *cache_read_listed(struct cache_reader *r, size_t id, const char *path)
{
	struct article whole;
	return read_scratch(r, id, path, &whole) ? article_copy_listed(&whole) : NULL;
}

/* The URLs that linking reads of a, hashed (hash.h). */
static void links_of(const struct article *a, struct cache_links *l)
{
	*l = (struct cache_links){0};
	if ((l->has_web = a->web_url && *a->web_url))
		l->web = hash_str(a->web_url);
	if ((l->has_original = a->original_url && *a->original_url))
		l->original = hash_str(a->original_url);
	if ((l->has_amp = a->amp_web_url && *a->amp_web_url))
		l->amp = hash_str(a->amp_web_url);
	for (size_t i = 0; i < a->nrelated; i++) {
		const char *u = a->related[i].web_url;
		if (!u || !*u)
			continue;
		if (!l->related)
			l->related = xmalloc(a->nrelated * sizeof *l->related);
		l->related[l->nrelated++] = hash_str(u);
	}
}

bool cache_read_scratch(struct cache_reader *r, size_t id, const char *path,
			struct article *whole, struct cache_links *links)
{
	if (!read_scratch(r, id, path, whole))
		return false;
	links_of(whole, links);
	return true;
}

int cache_read_texts(struct cache_reader *r, size_t id, const struct cache_text **texts,
		     size_t *ntexts)
{
	const unsigned char *h;
	if (id >= r->c->n || entry_kind(r->c, id) != 1 || !(h = open_part(r, id, false)) ||
	    !cache_format_head_texts(h, (size_t)get32(r->c->index + id * RECORD_SIZE + 48),
				     &r->texts))
		return -1;
	*texts = r->texts.v;
	*ntexts = r->texts.n;
	return 0;
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
	free(r.texts.v);
	if (kind < 0)
		return -1;
	*article = a;
	return 1;
}

/* The blob of entry id of the cache r reads, whose head is h, onto out:
 * from its record when the cache has good ones hashed under w's key (0),
 * else from its article decoded (1: h may then be stale). -1 when it is
 * damaged. */
static int copy_blob(struct cache_writer *w, struct cache_reader *r, size_t id,
		     const unsigned char *h, struct buf *out)
{
	struct cache *c = (struct cache *)r->c;
	struct entry e_, *e = &e_;
	entry_at(c, id, e);
	struct cache_head_info info;
	if (!cache_format_head_info(h, e->hlen, e->kind == 1, &info))
		return -1;
	char *err;
	if (cache_records(c, &err) >= 0 && !memcmp(c->key, writer_key(w), sizeof w->key)) {
		struct cache_record rec;
		cache_record(c, id, &rec);
		const char *const *names;
		cache_names(c, &names);
		struct rec_blob b = {.date = rec.date,
				     .quality = rec.quality,
				     .heat = rec.heat,
				     .nrelated = rec.nrelated,
				     .ntopics = (uint16_t)rec.ntopics,
				     .has = rec.has,
				     .has_urls = rec.has_urls,
				     .flags = (uint8_t)((rec.article ? RF_ARTICLE : 0) |
							(info.title ? RF_TITLE : 0) |
							(rec.problems ? RF_PROBLEMS : 0) |
							(rec.provider != CACHE_NO_NAME ? RF_PROVIDER : 0) |
							(rec.type != CACHE_NO_NAME ? RF_TYPE : 0))};
		memcpy(b.urls, rec.urls, sizeof b.urls);
		buf_add(out, &b, sizeof b);
		for (size_t k = 0; k < rec.nrelated; k++) {
			uint64_t x = cache_record_related(c, rec.rel_at + k);
			buf_add(out, &x, sizeof x);
		}
		buf_add(out, info.key, info.key_len);
		buf_putc(out, '\0');
		if (info.title) {
			buf_add(out, info.title, info.title_len);
			buf_putc(out, '\0');
		}
		if (rec.provider != CACHE_NO_NAME)
			put_opt(out, names[rec.provider]);
		if (rec.type != CACHE_NO_NAME)
			put_opt(out, names[rec.type]);
		for (size_t k = 0; k < rec.ntopics; k++)
			put_opt(out, names[cache_record_topic(c, rec.topic_at + k)]);
		return 0;
	}
	free(err); /* said by the reader that found it, if any */
	if (e->kind != 1) {
		blob_of(out, w->key, info.key, info.key_len, NULL, info.nproblems > 0);
		return 0;
	}
	/* decoded: the reader's windows may move */
	char *key = xstrndup(info.key, info.key_len);
	struct article whole;
	struct cache_links links;
	bool ok = cache_read_scratch(r, id, key, &whole, &links);
	if (ok) {
		free(links.related);
		blob_of(out, w->key, key, info.key_len, &whole, info.nproblems > 0);
	}
	free(key);
	return ok ? 1 : -1;
}

int cache_writer_copy(struct cache_writer *w, struct cache_reader *r, size_t id,
		      const struct stat *st)
{
	struct entry e_, *e = &e_;
	entry_at(r->c, id, e);
	const unsigned char *h, *b = NULL;
	if (!(h = open_part(r, id, false)) || (e->blen && !(b = open_part(r, id, true))))
		return -1;
	if (too_recent(w, st))
		return 0;
	struct lane *l = &w->lanes[w->nlanes];
	l->scratch.len = 0;
	int got = copy_blob(w, r, id, h, &l->scratch);
	if (got < 0 || (got == 1 && (!(h = open_part(r, id, false)) ||
				     (e->blen && !(b = open_part(r, id, true))))))
		return -1;
	struct cache_ticket t = {.hoff = spill_size(&l->head),
				 .hlen = e->hlen,
				 .hsum = e->hsum,
				 .blen = e->blen,
				 .bsum = e->bsum,
				 .lane = (uint16_t)w->nlanes,
				 .kind = e->kind == 1,
				 .made = true};
	buf_add(&l->head.mem, h, e->hlen);
	spill_settle(&l->head);
	place(w, &t, (const unsigned char *)l->scratch.data, b, st);
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
	by_id_ensure(c);
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
	if (c->imap)
		munmap(c->imap, c->imaplen);
	free(c->icopy);
	free(c->stride_at);
	compat_unmap(c->by_id, c->by_id_bytes);
	if (c->rmap)
		munmap(c->rmap, c->rmaplen);
	free(c->names);
	pthread_mutex_destroy(&c->rmu);
	pthread_mutex_destroy(&c->by_id_mu);
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

/* The header's counts, checked against the file's size. */
struct layout {
	uint64_t count, heads, bodies, index_len;
};

/* Read the header into h and check it; NULL, or the message. */
static char *check_header(struct cache *c, const char *path, uint64_t size,
			  unsigned char h[HEADER_SIZE], struct layout *l)
{
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
	uint64_t index_len = count * RECORD_SIZE, rest = have - index_len, recs = get64(h + 48);
	if (heads > rest || bodies > rest - heads || recs > rest - heads - bodies)
		return open_error(path, "truncated (%llu bytes, not %llu)", (unsigned long long)size,
				  (unsigned long long)(HEADER_SIZE + index_len + heads + bodies + recs));
	if (heads + bodies + recs < rest)
		return open_error(path, "%llu bytes after the end",
				  (unsigned long long)(rest - heads - bodies - recs));
	*l = (struct layout){count, heads, bodies, index_len};
	c->roff = HEADER_SIZE + bodies + index_len + heads;
	c->rlen = recs;
	c->rsum = get64(h + 80);
	c->isum = get64(h + 72);
	memcpy(c->key, h + 56, sizeof c->key);
	return NULL;
}

/* The entries of the index, each head and body placed after the one
 * before; NULL, or the message. Read in two halves at once, the second's
 * first offsets summed first from the lengths of the first's: a million
 * entries were a third of a warm start before its first screen. */
struct entries_part {
	struct cache *c;
	const unsigned char *index;
	size_t lo, hi;
	uint64_t hoff, boff, hend, bend; /* where lo's head and body begin */
	size_t bad;                      /* the first bad entry + 1, or 0 */
};

static void *entries_part(void *arg)
{
	struct entries_part *P = arg;
	uint64_t hoff = P->hoff, boff = P->boff, hend = P->hend, bend = P->bend;
	for (size_t i = P->lo; i < P->hi; i++) {
		const unsigned char *q = P->index + i * RECORD_SIZE;
		if (i % ENTRY_STRIDE == 0) {
			P->c->stride_at[2 * (i / ENTRY_STRIDE)] = hoff;
			P->c->stride_at[2 * (i / ENTRY_STRIDE) + 1] = boff;
		}
		uint32_t hlen = get32(q + 48), blen = get32(q + 56), nsec = get32(q + 40),
			 cnsec = get32(q + 44);
		uint8_t kind = q[64];
		bool pad = q[65] || q[66] || q[67] || q[68] || q[69] || q[70] || q[71];
		if (kind > 1 || pad || hoff > hend || hlen > hend - hoff || boff > bend ||
		    blen > bend - boff || (kind == 0) != (blen == 0) || nsec > 999999999 ||
		    cnsec > 999999999) {
			P->bad = i + 1;
			break;
		}
		hoff += hlen;
		boff += blen;
	}
	P->hoff = hoff;
	P->boff = boff;
	return NULL;
}

static char *read_entries(struct cache *c, const char *path, const unsigned char *index,
			  const struct layout *l, uint64_t size)
{
	c->n = (size_t)l->count;
	c->stride_at = xmalloc((c->n / ENTRY_STRIDE + 1) * 2 * sizeof *c->stride_at);
	uint64_t boff = HEADER_SIZE, bend = boff + l->bodies, hoff = bend + l->index_len,
		 hend = size - c->rlen;
	c->hend = hend;
	c->bend = bend;
	struct entries_part first = {c, index, 0, c->n / 2, hoff, boff, hend, bend, 0};
	struct entries_part second = {c, index, c->n / 2, c->n, hoff, boff, hend, bend, 0};
	lengths_add(index, first.lo, first.hi, &second.hoff, &second.boff);
	struct worker half = {0};
	worker_run(&half, entries_part, &second);
	entries_part(&first);
	worker_join(&half);
	size_t bad = first.bad ? first.bad : second.bad;
	if (bad)
		return open_error(path, "corrupt (entry %zu)", bad);
	/* with no bad entry in the first half, the second began where it
	 * ended */
	if (second.hoff != hend || second.boff != bend)
		return open_error(path, "corrupt (the entries do not fill the file)");
	return NULL;
}

/* Entries whose slots are fetched ahead while the table is made. */
enum { ID_AHEAD = 16 };

/* Entry id's hash, its slot asked of the memory ahead of its use. */
static uint64_t id_ahead(const struct cache *c, size_t id)
{
	const unsigned char *q = c->index + id * RECORD_SIZE;
	uint64_t h = id_hash(get64(q + 8), get64(q));
	__builtin_prefetch(&c->by_id[h & c->mask], 1);
	return h;
}

/* The table by (device, inode), without the entries racy with the cache
 * file's write time: they are never found. */
static void index_by_id(struct cache *c, const struct timespec *written)
{
	size_t slots = 16;
	while (slots < c->n * 2)
		slots *= 2;
	c->mask = slots - 1;
	/* filled all over: its pages put in place at once, in huge pages
	 * where they can be (a page fault each, then a missed translation
	 * at each lookup, were most of making it at a million entries) */
	c->by_id_bytes = slots * sizeof *c->by_id;
	c->by_id = compat_map_huge(c->by_id_bytes);
	/* The hashes of the next ID_AHEAD entries, their slots fetched ahead:
	 * at a million entries the table is far bigger than the caches, and
	 * a miss each was most of making it. */
	uint64_t ahead[ID_AHEAD];
	for (size_t j = 0; j < ID_AHEAD && j < c->n; j++)
		ahead[j] = id_ahead(c, j);
	for (size_t i = 0; i < c->n; i++) {
		uint64_t h = ahead[i % ID_AHEAD];
		if (i + ID_AHEAD < c->n)
			ahead[i % ID_AHEAD] = id_ahead(c, i + ID_AHEAD);
		struct entry e_, *e = &e_;
		entry_at(c, i, e);
		if (entry_racy(e, written))
			continue;
		/* Hard links share (device, inode), and a keyed hash cannot
		 * spread equal keys: past a few names of one file, the others
		 * are parsed again rather than make every lookup of it walk
		 * them all (and a forged cache of one inode quadratic). Only a
		 * slot of the same hash's can be one of them. */
		size_t k = h & c->mask, same = 0;
		uint64_t v;
		for (; same < MAX_LINKS && (v = id_next(c, h, &k)); k = (k + 1) & c->mask) {
			const unsigned char *o = c->index + id_entry(v) * RECORD_SIZE;
			same += get64(o + 8) == e->dev && get64(o) == e->ino;
		}
		if (same < MAX_LINKS) /* k: the empty slot id_next stopped at */
			c->by_id[k] = id_slot(h, i);
	}
}

/* Check the header and the index, then index the entries. */
static char *verify(struct cache *c, const char *path, uint64_t size,
		    const struct timespec *written)
{
	unsigned char h[HEADER_SIZE];
	struct layout l = {0};
	char *err = check_header(c, path, size, h, &l);
	if (err)
		return err;
	/* The index mapped: its pages are the page cache's own, none copied,
	 * and it is read in place for as long as the cache is open. The
	 * file is only ever replaced, never cut short or written in place,
	 * and its size was checked against the header's counts. Read when it
	 * cannot be mapped. */
	uint64_t at = HEADER_SIZE + l.bodies, page = (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t from = at / page * page;
	size_t maplen = (size_t)(at - from + l.index_len);
	if (!maplen)
		maplen = 1; /* the records section follows: the file has that byte */
	void *map = mmap(NULL, maplen, PROT_READ, MAP_PRIVATE | PREFAULT, c->fd,
			 (off_t)from);
	unsigned char *copy = NULL;
	const unsigned char *index = (const unsigned char *)map + (at - from);
	if (map == MAP_FAILED) {
		index = copy = xmalloc(l.index_len ? l.index_len : 1);
		if (read_at(c->fd, copy, l.index_len, (off_t)at) < 0)
			err = open_error(path, "cannot read: %s", strerror(errno));
	}
	if (!err) {
		/* the entries read meanwhile; a bad sum says more than what
		 * they found wrong */
		struct sum_job sum;
		sum_start(&sum, index_seed(h), index, (size_t)l.index_len);
		err = read_entries(c, path, index, &l, size);
		if (sum_finish(&sum) != get64(h + 72)) {
			free(err);
			err = open_error(path, "checksum mismatch (the file is damaged)");
		}
	}
	if (map != MAP_FAILED) {
		c->imap = map;
		c->imaplen = maplen;
	}
	c->icopy = copy;
	c->index = index;
	if (!err) {
		/* before anything is hashed (the table by identity, when it is
		 * made): a reader that takes this key uses the records' hashes
		 * as they are */
		c->key_ours = hash_adopt_key(c->key);
		c->written = *written;
	}
	return err;
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
	uint64_t bodies = get64(d + 32), rlen = get64(d + 48);
	if (bodies > n - HEADER_SIZE - index_len)
		return; /* refused before any checksum */
	unsigned char *index = d + HEADER_SIZE + bodies;
	uint64_t boff = HEADER_SIZE, hoff = HEADER_SIZE + bodies + index_len;
	for (size_t i = 0; i < count; i++) {
		unsigned char *q = index + i * RECORD_SIZE;
		uint32_t hlen = get32(q + 48), blen = get32(q + 56);
		if (hlen <= n - hoff)
			set32(q + 52, body_checksum(d + hoff, hlen));
		if (boff <= n && blen <= n - boff)
			set32(q + 60, body_checksum(d + boff, blen));
		hoff = hlen <= n - hoff ? hoff + hlen : n;
		boff += blen;
	}
	uint64_t roff = heads <= n - (HEADER_SIZE + bodies + index_len)
				? HEADER_SIZE + bodies + index_len + heads
				: n + 1;
	if (roff <= n && rlen <= n - roff)
		set64(d + 80, records_checksum(d + roff, rlen));
	set64(d + 72, index_checksum(d, index, index_len));
}

/* The cache's last use, for cache_prune: its access time set to now,
 * explicitly, so that a noatime mount keeps it too. Not its modification
 * time: that is the cache's write time, from which the trust of its
 * entries is measured (racy_time) and by which a reload knows the file.
 * A failure (a cache someone else owns) only leaves the time as it was. */
static void mark_used(int fd)
{
	const struct timespec t[2] = {{.tv_nsec = UTIME_NOW}, {.tv_nsec = UTIME_OMIT}};
	(void)futimens(fd, t);
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
	pthread_mutex_init(&c->rmu, NULL);
	pthread_mutex_init(&c->by_id_mu, NULL);
	atomic_init(&c->by_id_made, false);
	c->fd = fd;
	c->path = xstrdup(path);
	*err = verify(c, path, (uint64_t)st.st_size, &COMPAT_ST_MTIM(&st));
	if (*err) {
		cache_close(c);
		return NULL;
	}
	mark_used(fd);
	return c;
}

/* ---- the records section, read ---- */

void cache_writer_inherit_key(struct cache_writer *w, const struct cache *c)
{
	memcpy(w->key, c->key, sizeof w->key);
	w->have_key = true;
}

/* Valid UTF-8, no control character: a name as the parser keeps it. */
static bool name_ok(const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned cp;
		int len = utf8_decode(s + i, n - i, &cp);
		if (!len || cp == 0)
			return false;
		i += (size_t)len;
	}
	return true;
}

/* The section's names, each NUL-terminated and text; false if not. */
static bool records_names(struct cache *c, const unsigned char *p, uint64_t bytes)
{
	c->names = xmalloc((c->nnames ? c->nnames : 1) * sizeof *c->names);
	uint64_t at = 0;
	for (size_t i = 0; i < c->nnames; i++) {
		const unsigned char *z = at < bytes ? memchr(p + at, '\0', (size_t)(bytes - at)) : NULL;
		if (!z || !name_ok((const char *)p + at, (size_t)(z - (p + at))))
			return false;
		c->names[i] = (const char *)p + at;
		at = (uint64_t)(z - p) + 1;
	}
	return at == bytes;
}

/* The dates the parser gives (years 1 to 9999), as seconds: found once a
 * check of the records, not once a record (a tenth of the check at a
 * million). */
struct date_range {
	int64_t lo, hi;
};

/* A date within the range, 0 when absent. */
static bool date_ok(int64_t v, unsigned has, const struct date_range *d)
{
	if (!(has & HAS_DATE))
		return v == 0;
	return v >= d->lo && v < d->hi;
}

/* Is record id within the section and what the parser could give? seen
 * marks the ranks taken. */
static bool record_ok(const struct cache *c, size_t id, unsigned char *seen, size_t narticles,
		      const struct date_range *dates)
{
	struct cache_record r;
	cache_record(c, id, &r);
	const unsigned char *q = c->recs + id * (size_t)REC_SIZE;
	unsigned has = r.has;
	if (q[77] & ~(RF_ARTICLE | RF_TITLE | RF_PROBLEMS) || q[78] > 7 || q[79] ||
	    r.article != (entry_kind(c, id) == 1) || has & ~(unsigned)(HAS_DATE | HAS_QUALITY | HAS_HEAT) ||
	    !date_ok(r.date, has, dates) || (!(has & HAS_QUALITY) && r.quality) ||
	    (!(has & HAS_HEAT) && r.heat) || r.ntopics > ARTICLE_TOPICS_MAX ||
	    r.nrelated > ARTICLE_RELATED_MAX || r.topic_at > c->ntopics ||
	    r.ntopics > c->ntopics - r.topic_at || r.rel_at > c->nrels ||
	    r.nrelated > c->nrels - r.rel_at)
		return false;
	uint64_t key_at = get64(q + 32);
	if (key_at >= c->nkeys || (key_at && c->rkeys[key_at - 1]))
		return false;
	for (int k = 0; k < 3; k++)
		if (!(r.has_urls >> k & 1) && r.urls[k])
			return false;
	if ((r.provider != CACHE_NO_NAME && r.provider >= c->nnames) ||
	    (r.type != CACHE_NO_NAME && r.type >= c->nnames))
		return false;
	for (uint32_t k = 0; k < r.ntopics; k++)
		if (cache_record_topic(c, r.topic_at + k) >= c->nnames)
			return false;
	if (!r.article)
		return r.rank == CACHE_NO_RANK && r.title_rank == CACHE_NO_RANK && !r.has_title &&
		       !r.ntopics && !r.nrelated && !r.has_urls && !has &&
		       r.provider == CACHE_NO_NAME && r.type == CACHE_NO_NAME;
	if (r.rank >= narticles || seen[r.rank] || r.title_rank > r.rank)
		return false;
	seen[r.rank] = 1;
	return true;
}

/* Every record checked, and the ranks a permutation of the articles. */
static bool records_all_ok(const struct cache *c)
{
	size_t narticles = 0;
	for (size_t i = 0; i < c->n; i++)
		narticles += entry_kind(c, i) == 1;
	unsigned char *seen = xcalloc(narticles ? narticles : 1, 1);
	const struct date_range dates = {date_days_from_civil(1, 1, 1) * 86400,
					 date_days_from_civil(10000, 1, 1) * 86400};
	bool ok = true;
	for (size_t i = 0; ok && i < c->n; i++)
		ok = record_ok(c, i, seen, narticles, &dates);
	free(seen);
	return ok;
}

static bool records_parts(struct cache *c, const unsigned char *p);

/* Map the section and find its parts; false when it is damaged. */
static bool records_map(struct cache *c)
{
	if (c->rlen < RECS_HEAD)
		return false;
	long page = sysconf(_SC_PAGESIZE);
	uint64_t start = c->roff / (uint64_t)page * (uint64_t)page, lead = c->roff - start;
	c->rmaplen = (size_t)(lead + c->rlen);
	void *m = mmap(NULL, c->rmaplen, PROT_READ, MAP_PRIVATE | PREFAULT, c->fd, (off_t)start);
	if (m == MAP_FAILED) {
		c->rmaplen = 0;
		return false;
	}
	c->rmap = m;
	const unsigned char *p = c->rmap + lead;
	struct sum_job sum;
	sum_start(&sum, RECORDS_SEED, p, (size_t)c->rlen);
	bool ok = records_parts(c, p); /* meanwhile */
	return sum_finish(&sum) == c->rsum && ok;
}

/* The section's parts found and every value checked (the sum apart). */
static bool records_parts(struct cache *c, const unsigned char *p)
{
	if (memcmp(p, RECS_MAGIC, 8))
		return false;
	uint64_t nnames = get64(p + 8), names_bytes = get64(p + 16), ntopics = get64(p + 24),
		 nrels = get64(p + 32), nkeys = get64(p + 40), n = get64(p + 48);
	uint64_t left = c->rlen - RECS_HEAD;
	if (n != c->n || n > left / REC_SIZE)
		return false;
	left -= n * REC_SIZE;
	if (ntopics > left / 4)
		return false;
	left -= ntopics * 4;
	if (nrels > left / 8)
		return false;
	left -= nrels * 8;
	if (names_bytes > left || nkeys != left - names_bytes || nnames > names_bytes ||
	    (nkeys && p[c->rlen - 1]))
		return false;
	c->recs = p + RECS_HEAD;
	c->rtopics = c->recs + n * REC_SIZE;
	c->rrels = c->rtopics + ntopics * 4;
	c->rkeys = c->rrels + nrels * 8 + names_bytes;
	c->ntopics = ntopics;
	c->nrels = nrels;
	c->nkeys = nkeys;
	c->nnames = (size_t)nnames;
	return records_names(c, c->rrels + nrels * 8, names_bytes) && records_all_ok(c);
}

int cache_records(struct cache *c, char **err)
{
	*err = NULL;
	pthread_mutex_lock(&c->rmu);
	if (!c->rstate) {
		c->rstate = records_map(c) ? 1 : -1;
		if (c->rstate < 0)
			*err = open_error(c->path, "checksum mismatch or impossible values in its "
						   "records (the file is damaged)");
	}
	int state = c->rstate;
	pthread_mutex_unlock(&c->rmu);
	return state < 0 ? -1 : c->key_ours ? 1 : 0;
}

bool cache_records_damaged(const struct cache *c)
{
	return c->rstate < 0;
}

void cache_records_release(struct cache *c)
{
	pthread_mutex_lock(&c->rmu);
	if (c->rmap)
		compat_map_release(c->rmap, c->rmaplen);
	pthread_mutex_unlock(&c->rmu);
}

void cache_record(const struct cache *c, size_t id, struct cache_record *r)
{
	const unsigned char *q = c->recs + id * (size_t)REC_SIZE;
	r->date = (int64_t)get64(q);
	r->quality = (int32_t)get32(q + 8);
	r->heat = (int32_t)get32(q + 12);
	r->provider = get32(q + 16);
	r->type = get32(q + 20);
	r->topic_at = get32(q + 24);
	r->rel_at = get32(q + 28);
	uint64_t key_at = get64(q + 32);
	r->key = key_at < c->nkeys ? (const char *)c->rkeys + key_at : "";
	for (int k = 0; k < 3; k++)
		r->urls[k] = get64(q + 40 + 8 * k);
	r->rank = get32(q + 64);
	r->title_rank = get32(q + 68);
	r->ntopics = get16(q + 72);
	r->nrelated = get16(q + 74);
	r->has = q[76];
	r->article = q[77] & RF_ARTICLE;
	r->has_title = q[77] & RF_TITLE;
	r->problems = q[77] & RF_PROBLEMS;
	r->has_urls = q[78];
}

size_t cache_names(const struct cache *c, const char *const **names)
{
	*names = c->names;
	return c->nnames;
}

uint32_t cache_record_topic(const struct cache *c, size_t at)
{
	return get32(c->rtopics + 4 * at);
}

uint64_t cache_record_related(const struct cache *c, size_t at)
{
	return get64(c->rrels + 8 * at);
}

void cache_identity(const struct cache *c, struct cache_identity *id)
{
	*id = (struct cache_identity){c->isum, c->rsum};
}

bool cache_identity_at(const char *path, struct cache_identity *id)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	unsigned char h[HEADER_SIZE];
	bool ok = read_at(fd, h, HEADER_SIZE, 0) == 0 && !memcmp(h, MAGIC, 8) &&
		  get32(h + 8) == CACHE_FORMAT_VERSION && get64(h + 40) == lede_version_hash();
	close(fd);
	if (ok)
		*id = (struct cache_identity){get64(h + 72), get64(h + 80)};
	return ok;
}

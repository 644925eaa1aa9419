/* store: loading -- the scan, then every file stat-ed and taken from the
 * cache or read and parsed, on several threads, merged in scan order, and
 * the cache rewritten when it no longer matches -- and the URL index (open
 * addressing, under the keyed hash: the URLs come from the archive, and
 * whoever writes one must not be able to make them collide). */
#define _GNU_SOURCE /* sched_getaffinity */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lede/cache.h"
#include "lede/cache_encode.h"
#include "lede/cluster.h"
#include "lede/fields.h"
#include "lede/hash.h"
#include "lede/parse.h"
#include "lede/rank.h"
#include "lede/scan.h"
#include "lede/search.h"
#include "lede/store.h"
#include "lede/compat.h"
#include "lede/worker.h"

enum {
	ROW_RING = 512, /* rows store_row keeps decoded */
	NAME_NONE = UINT32_MAX,
};

/* A lazy article's record: what the sorts, the filters and the list's
 * counts read of it, a few dozen bytes. */
struct lazy_rec {
	int64_t date;
	int32_t quality, heat;
	uint32_t provider; /* into names; NAME_NONE: no provider name */
	uint32_t topic_at; /* its topics are topic_ids[topic_at .. + ntopics) */
	uint32_t type;     /* into names; NAME_NONE: none */
	uint16_t ntopics;
	unsigned char has; /* HAS_DATE, HAS_QUALITY, HAS_HEAT */
};

/* The distinct provider names and topics of the lazy articles, each
 * once, by id: a few thousand strings where the articles are a million. */
struct lazy_names {
	char **v;
	size_t n, cap;
	uint32_t *slots; /* open addressing: an id + 1, 0 for empty */
	size_t mask;
};

/* What a loading thread keeps of a lazy article until the merge: the
 * record's fields, its names interned already (the loader's table, under
 * its lock), its path and title, in one allocation. */
struct lazy_bits {
	int64_t date;
	uint64_t urls[3]; /* webUrl, originalUrl, ampWebUrl hashed (cache_links) */
	int32_t quality, heat;
	uint32_t provider; /* NAME_NONE: none */
	uint32_t type;     /* NAME_NONE: none */
	uint16_t ntopics, nrelated;
	unsigned char has, has_urls; /* has_urls: bit k for urls[k] */
	bool has_title;
	/* nrelated u64 hashes of the related stories' webUrls, ntopics u32
	 * ids, then the path and the title (if any), each NUL-terminated */
	uint64_t s[];
};

/* What a lazy load keeps (store_opts.lazy): the cache its articles came
 * from, open (it is only ever replaced whole, by rename, so the entries
 * stay readable through its descriptor whatever is written after), and
 * per article what it takes to decode it whole or to link it.
 *
 * Linking needs every article's URLs and its related stories' webUrls.
 * The URL index keys by hash (see struct url_slot), so they are hashed on
 * the loading threads, from the article decoded there anyway, and kept as
 * 8 bytes a URL (the related stories' URLs alone would be a tenth of what
 * the whole articles took); linking then reads no body. An article
 * decoded later has its related[].local set as a whole load sets them. */
struct store_lazy {
	struct cache *cache;
	struct cache_reader *rdr; /* the calling thread's, for store_article */
	size_t n;                 /* articles [0, n) were loaded by it */
	uint32_t *entry;          /* article i's cache entry + 1; 0: v[i] is whole */
	struct article **full;    /* decoded on demand (store_article), or NULL */
	/* Articles store_article_early decoded while the links were being
	 * made on their thread (which reads full[]): kept here, their local
	 * articles not set, until the links are made; then set and moved
	 * into full[]. From the loading thread only. */
	struct unlinked {
		uint32_t idx;
		struct article *a;
	} *unlinked;
	size_t nunlinked, capunlinked;
	/* Article i's related stories' webUrls, hashed: rel[rel_at[i] ..
	 * rel_at[i + 1]); and their local articles after store_link, in
	 * local[] likewise (-1: none). */
	uint64_t *rel;
	int32_t *local;
	size_t *rel_at;
	size_t nrel, caprel;
	/* Article i's webUrl, originalUrl and ampWebUrl, hashed on the
	 * loading threads, for the URL index: urls[3 * i + k] for k = 0, 1, 2,
	 * each there when has_urls[i] has its bit (1 << k). */
	uint64_t *urls;
	unsigned char *has_urls;
	size_t max_file; /* for reading a damaged entry's file again */
	/* The lazy articles' compact records (v[i] is NULL for them): their
	 * numbers, provider name and topics as ids into names, and paths,
	 * all in one pool, path_at[i] into it. */
	struct lazy_rec *rec;
	struct lazy_names names;
	uint32_t *topic_ids;
	size_t ntopic_ids, captopic_ids;
	char *paths;
	size_t *path_at;
	size_t npaths, cappaths;
	/* The bytes of paths, rel and topic_ids when each is a mapping made
	 * at its size (compat_map_prefaulted: a load from the records, which
	 * never grows them), 0 when it is the heap's. */
	size_t map_paths, map_rel, map_topics;
	/* The tie order of every article (store_tie_order), computed when
	 * loading and again when a check changes the articles. */
	uint32_t *tie_order;
	unsigned char *same_title;
	size_t ntitled, tie_n; /* of the first tie_n articles */
	/* The rows store_row decoded, oldest first from ring_next: article
	 * ring_idx[k] - 1 (0: none) is ring[k]. */
	struct cache_reader *row_rdr; /* store_row's, apart from rdr's window */
	struct article *ring[ROW_RING];
	uint32_t ring_idx[ROW_RING];
	size_t ring_next;
	/* After a load from the entries alone, what its check needs: the
	 * paths and options of the load, and the skipped files it took (their
	 * problems alone), by entry + 1 and path. */
	char **roots;
	size_t nroots;
	struct store_opts opts;
	char *cache_path;
	uint32_t *skipped_entry;
	char **skipped_path;
	size_t nskipped, capskipped, capskippedp;
};

/* A URL of the index, by its hash alone: the URL index compares the 64
 * bits of SipHash under this process's random key (hash.h), never the
 * strings, so that it needs no article's URLs in memory (a lazy article
 * keeps only its webUrl, for the marks) and a lookup reads no string but
 * the one looked up. Two URLs of one archive with one hash is a chance of
 * 2^-64 a pair (a few in a billion runs at a million articles), and
 * nobody who writes an archive can aim at it without the key. */
struct url_slot {
	uint64_t hash;
	uint32_t idx;
	uint32_t used; /* 0: an empty slot */
};

/* An article whose webUrl the URL index gives to an earlier one (holder):
 * a duplicate, or a URL the holder has as its originalUrl or ampWebUrl. */
struct web_alias {
	uint32_t holder, idx;
};

static void link_related(struct store *s);
static void tie_make(struct store *s, const char **titles);
static struct article *lazy_stub(const struct store *s, size_t i);
static void tie_again(struct store *s);
static struct article *lazy_stub_seen(const struct store *s, size_t i);
static void link_backlinks(struct store *s);
static void link_lazy(struct store *s);
static void dups_by_table(struct store *s);
static void dups_from_aliases(struct store *s);
static void lazy_free(struct store_lazy *lz);
static void links_wait(const struct store *s);
static const struct article *art_at(const struct store *s, size_t i, struct article *tmp);

/* Article i's row after a list_only load (store.rows), else NULL. */
static const struct list_row *row_at(const struct store *s, size_t i)
{
	return s->rows ? s->rows[i] : NULL;
}

void store_init(struct store *s)
{
	memset(s, 0, sizeof *s);
}

void store_add(struct store *s, struct article *a)
{
	links_wait(s);
	s->v = xgrow(s->v, &s->cap, s->n + 1, sizeof *s->v);
	if (s->rows) {
		s->rows = xgrow(s->rows, &s->caprows, s->n + 1, sizeof *s->rows);
		s->rows[s->n] = NULL;
	}
	s->v[s->n++] = a;
}

/* A list_only load's row, as article s->n (v[] NULL for it). */
static void add_row(struct store *s, struct list_row *r)
{
	if (!s->rows) { /* the articles before, if any, are whole */
		s->caprows = s->cap > s->n ? s->cap : s->n + 1;
		s->rows = xcalloc(s->caprows, sizeof *s->rows);
	}
	store_add(s, NULL);
	s->rows[s->n - 1] = r;
}

/* What the cache needs of a file's stat: its identity and version. */
struct file_id {
	uint64_t dev, ino;
	int64_t size, sec, csec;
	long nsec, cnsec;
};

static void id_to_stat(const struct file_id *f, struct stat *st)
{
	memset(st, 0, sizeof *st);
	st->st_dev = (dev_t)f->dev;
	st->st_ino = (ino_t)f->ino;
	st->st_size = (off_t)f->size;
	st->st_mode = S_IFREG;
	COMPAT_ST_MTIM(st).tv_sec = (time_t)f->sec;
	COMPAT_ST_MTIM(st).tv_nsec = f->nsec;
	COMPAT_ST_CTIM(st).tv_sec = (time_t)f->csec;
	COMPAT_ST_CTIM(st).tv_nsec = f->cnsec;
}

/* What a rewrite of the cache needs of a file parsed: its entry, encoded,
 * and the stat taken before it was read. */
struct parsed_note {
	struct cache_ticket ticket;
	struct file_id id;
};

/* One file's outcome, written by whichever thread loaded it and read by the
 * calling thread after the join, so that the merge can follow scan order. */
struct load_slot {
	/* From the scan, owned until the merge; once the file is loaded as
	 * an article, the article's copy instead (a hundred thousand paths
	 * are megabytes). */
	const char *path;
	struct article *a;       /* NULL when skipped, lazy or a row */
	struct list_row *row;    /* a list_only load's instead (store.rows) */
	struct lazy_bits *lb;    /* a lazy article's, owned until the merge */
	struct strlist problems; /* from the parser or the cache */
	/* A file parsed and encoded into the new cache, by the thread that
	 * parsed it: its entry's ticket and the file's stat, to place it in
	 * scan order when the cache is rewritten; owned. NULL for every
	 * other file: a hit is copied by its entry, whose stat is the
	 * file's, so that a slot (one a file of the walk, all of them held
	 * by a load that does not stream) keeps no stat of its own. */
	struct parsed_note *note;
	/* (the narrower fields last, together: no padding between them) */
	int read_errno;          /* read_file failed with this; 0 otherwise */
	uint32_t root;           /* the path given that it was found under */
	uint32_t entry;          /* its cache entry + 1 when it hit, else 0 */
	/* A load from the cache's entries alone: the entry + 1 to load (its
	 * key gives the path); 0 in a load that walks. */
	uint32_t want_entry;
	bool own_path;
	bool damaged;            /* the cache's entry for it was damaged */
	bool matched;            /* the article matches the loader's only */
	bool named;              /* named on the command line, not met by a walk */
	bool not_article;        /* met by a walk, and not an article (parse.h) */
	/* It did not, and store_opts.only_matches left it out: a is NULL. */
	bool unmatched;
};

/* The scan and the loading overlap: the calling thread walks the
 * directories and publishes the files it finds, a few dozen at a time,
 * while the workers stat and load them; then it loads too. Slots come in
 * blocks that never move, so that the walk can add blocks while workers
 * fill slots. */
enum {
	BLOCK = 1024,   /* slots a block */
	CHUNK = 32,     /* files a thread claims at once */
	/* entries a thread claims at once in a load from the entries alone:
	 * each reads its runs of the cache file ahead, and runs that
	 * alternate between threads every few entries would read most
	 * bytes twice */
	ENTRY_CHUNK = 512,
	START_AT = 64,  /* files found before workers are worth starting */
	REPORT_EVERY = 256,
};

/* Merged blocks of a streamed load are given back this many at a time. */
enum { GONE_BATCH = 8 };

/* A load that recycles its blocks (loader.recycle): the walk stays at
 * most LEAD_BLOCKS blocks ahead of the merge, and up to SPARE_BLOCKS
 * merged blocks wait to be reused; each block's paths go in chunks of
 * ROOM_CHUNK bytes kept with it. */
enum { LEAD_BLOCKS = 4, SPARE_BLOCKS = LEAD_BLOCKS + 2, ROOM_CHUNK = 32 * 1024 };

/* Room for the paths of a block's slots, reused with the block. */
struct path_room {
	struct path_room *next;
	size_t used, cap;
	char data[];
};

/* A block of slots, and how many of them are loaded (by any thread): a
 * streamed load merges it once they all are. */
struct slot_block {
	atomic_size_t done;
	struct path_room *room; /* a recycling load's paths (owned), or NULL */
	struct load_slot slot[BLOCK];
};

struct thread_ctx {
	struct loader *L;
	size_t lane;              /* its lane of the writer: its index */
	struct cache_reader *rdr; /* NULL without a cache */
	struct search *re;        /* this thread's copy of only, or NULL */
	struct buf key; /* the cache key of the file being loaded */
	/* A load from the entries alone: the path of the entry being
	 * loaded, which the article then copies (no allocation of its own) */
	struct buf path;
	/* What a printing mode keeps of its articles (store_opts.list_only:
	 * their rows), made here without a malloc each; the store takes it
	 * over. */
	struct slab slab;
	/* The directory of the last file stat-ed, open: files come a
	 * directory at a time, and a stat relative to it skips walking the
	 * whole path again, a good part of a warm start. */
	int dirfd;
	char *dir;
	size_t dirlen;
	/* The cache entry the next file is likely to be: the one after the
	 * last found, and a run's first as far from its place in the walk as
	 * the last run's end was (files added or gone before it shift the
	 * entries): where the cache was written in the walk's order, every
	 * lookup is a hit there (cache_find_near). */
	size_t guess;
	ptrdiff_t shift;
};

/* Progress reporting from the calling thread. */
struct reporter {
	void (*fn)(void *ctx, size_t done, size_t total);
	void *ctx;
	int64_t due; /* ns on the monotonic clock */
	bool called;
};

/* The cache opened on a thread of its own while the walk begins: its index
 * read and checked (tens of milliseconds at 100,000 files) on another
 * core, not before the first file is found. */
struct opener {
	pthread_t tid;
	const char *path;
	struct cache *cache;
	char *err;
	atomic_bool done;
};

static void *open_main(void *arg)
{
	struct opener *o = arg;
	o->cache = cache_open(o->path, &o->err);
	atomic_store(&o->done, true);
	return NULL;
}

/* Start opening o->path; false when no thread could be made. */
static bool open_async(struct opener *o)
{
	atomic_init(&o->done, false);
	return worker_spawn(&o->tid, open_main, o);
}

struct loader {
	const struct store_opts *opts;
	/* Set from another thread: the rest of the walk finds nothing and
	 * nothing more is loaded (the check of a reader that quits). NULL:
	 * never. */
	const atomic_bool *cancel;
	const struct cache *cache; /* NULL: nothing to look up */
	/* The cache still being opened, or NULL: the workers start once it
	 * is (start_workers waits for it), the walk goes on meanwhile. */
	struct opener *opening;
	/* The new cache, written to as files are parsed; NULL: none. */
	struct cache_writer *writer;
	bool want_stat;            /* a cache is read or written */
	const struct search *only; /* see store_opts.match_only */
	bool lazy;                 /* see store_opts.lazy: cached articles load lazy */
	/* With lazy: the distinct names of the lazy articles, interned by the
	 * loading threads under names_mu; the store's once merged. */
	struct lazy_names *names;
	pthread_mutex_t names_mu;
	bool from_entries;         /* store_opts.from_cache: no walk, no stat */
	/* A list_only load: the walk lends its paths (SCAN_LENT_PATHS), and
	 * each is copied into paths, which the store takes over with the
	 * articles, which name their file by that copy. */
	bool lent;
	struct slab paths;
	/* The check after such a load (store_check_start): an entry the
	 * loaded store holds is only looked up, never decoded; known[id] is
	 * its article + 1, KNOWN_SKIPPED, or 0 when the load did not take it. */
	bool validate;
	const uint32_t *known;
	/* A check against a cache that describes the store as it is now
	 * (one the check before wrote, or the load's own): every entry that
	 * still matches its file is what the store holds, known[] unused. */
	bool known_all;
	/* The check whose compare takes each block of slots once it is
	 * loaded, as a streamed load's merge does (see stream). */
	struct store_check *check;
	/* The paths given, and each made absolute and resolved (only with a
	 * cache): a file's cache key is its root's, then the rest of its
	 * path, so that every spelling of one archive keys it alike. */
	const char *const *roots;
	char **root_keys;
	size_t nroots;
	size_t cur_root; /* the root the scan is in (the scanning thread's) */
	size_t max;
	struct reporter *rep;
	/* Written by the scanning thread alone: blocks[] and found; blocks[]
	 * under mu, since workers read it. */
	struct slot_block **blocks;
	size_t nblocks, capblocks, found;
	/* Under mu. */
	size_t published; /* slots [0, published) may be claimed */
	bool scanned;     /* no more will come */
	size_t next;      /* the first slot no thread has claimed */
	size_t running;   /* workers still running */
	pthread_mutex_t mu;
	pthread_cond_t more; /* published grew, or the scan ended */
	pthread_cond_t cv;   /* a worker finished */
	atomic_size_t done;  /* files finished, for progress only */
	/* A streamed load (every load that is not lazy): each block of
	 * slots, once all of it is loaded, is merged into stream by the
	 * calling thread and the block reused, so that a hundred thousand
	 * slots (a fifth of a warm --list's memory) never live at once. The slots'
	 * problems wait in problems (the walk's come first, as in a merge
	 * at the end), and what a rewrite of the cache needs of each file in
	 * notes (see note_slot). NULL: the slots are merged at the end. */
	struct store *stream;
	bool walked; /* the walk is over: the last block is whole */
	size_t merged; /* blocks merged */
	size_t capmatched;
	struct strlist problems;
	uint32_t *notes;
	size_t nnotes, capnotes;
	size_t hits, parsed_files, damaged;
	/* The cache is rewritten whatever the rest finds: each slot's entry
	 * is placed into the writer as the slot is merged (see note_slot). */
	bool placing;
	/* Blocks merged, for the next ones: one, or SPARE_BLOCKS when the
	 * load recycles them. */
	struct slot_block *spare[SPARE_BLOCKS];
	size_t nspare;
	/* A list_only load that streams: the walk waits for the merge (see
	 * LEAD_BLOCKS) and a slot's path lives in its block's room, reused
	 * with it, so that what a hundred thousand files take is never
	 * touched fresh (on a virtual machine, the first write to a page
	 * costs more than the bytes in it); an article kept copies its path. */
	bool recycle;
	/* Blocks merged, to give back a few at a time (see give_back). */
	struct slot_block *gone[GONE_BATCH];
	size_t ngone;
	/* The threads: ctx[0] is the calling thread's. */
	struct thread_ctx *ctx;
	size_t nthreads;
	pthread_t *tids;
	size_t started;
};

static struct load_slot *slot_at(const struct loader *L, size_t i)
{
	return &L->blocks[i / BLOCK]->slot[i % BLOCK];
}

/* The thread's open directory for path, with path's name in it into
 * *name: files come a directory at a time, and a call relative to it
 * skips walking the whole path again. AT_FDCWD and path itself when there
 * is none. */
static int dir_for(struct thread_ctx *tc, const char *path, const char **name)
{
	const char *slash = strrchr(path, '/');
	*name = path;
	if (!slash || slash == path)
		return AT_FDCWD;
	size_t dlen = (size_t)(slash - path);
	if (!tc->dir || tc->dirlen != dlen || memcmp(tc->dir, path, dlen)) {
		if (tc->dirfd >= 0)
			close(tc->dirfd);
		free(tc->dir);
		tc->dir = xstrndup(path, dlen);
		tc->dirlen = dlen;
		tc->dirfd = open(tc->dir, COMPAT_O_DIRSEARCH | O_DIRECTORY | O_CLOEXEC);
	}
	if (tc->dirfd < 0)
		return AT_FDCWD;
	*name = slash + 1;
	return tc->dirfd;
}

/* Does path lie under root (n bytes), as the walk spells it: root itself,
 * or root then a slash (or root ending in one) and more? Its rest into
 * *rest. The length given: a load from the records asks it of every entry
 * under one root. */
static bool under_root_n(const char *path, const char *root, size_t n, const char **rest)
{
	if (strncmp(path, root, n))
		return false;
	if (path[n] && path[n] != '/' && !(n && root[n - 1] == '/'))
		return false;
	*rest = path + n;
	return true;
}

/* The same, root's length measured. */
static bool under_root(const char *path, const char *root, const char **rest)
{
	return under_root_n(path, root, strlen(root), rest);
}

/* The root the scanning thread found path under. The walk gives each root's
 * files in turn, each beginning with the root as given, so the search only
 * moves forward. */
static uint32_t root_of(struct loader *L, const char *path)
{
	const char *rest;
	for (size_t r = L->cur_root; r < L->nroots; r++) {
		if (under_root(path, L->roots[r], &rest)) {
			L->cur_root = r;
			return (uint32_t)r;
		}
	}
	/* cannot happen: the walk spells every file from its root */
	return (uint32_t)L->cur_root;
}

/* Was slot's file named on the command line: the walk gives such a file
 * as its root itself. */
static bool is_named(const struct loader *L, const struct load_slot *slot)
{
	return slot->root < L->nroots && !strcmp(slot->path, L->roots[slot->root]);
}

/* A skipped file's entry without a problem is a file that is not an
 * article (parse.h): the encoder writes it so, since every file skipped
 * for a fault has one. One named, which must say it is not, is read
 * again. */
static bool cached_not_article(struct load_slot *slot, size_t nproblems, bool *miss)
{
	*miss = false;
	if (slot->problems.n != nproblems)
		return false;
	if (slot->named)
		*miss = true;
	else
		slot->not_article = true;
	return !*miss;
}

/* The key the cache knows slot's file by, into b: its root made absolute
 * and resolved, then the rest of the path as the walk spelled it (any
 * slashes between them made one). */
static const char *cache_key(const struct loader *L, const struct load_slot *slot, struct buf *b)
{
	const char *root = L->roots[slot->root], *key = L->root_keys[slot->root], *rest;
	if (!under_root(slot->path, root, &rest))
		rest = slot->path; /* cannot happen; it would only miss */
	while (*rest == '/')
		rest++;
	b->len = 0;
	buf_puts(b, key);
	if (*rest) {
		if (!b->len || b->data[b->len - 1] != '/')
			buf_putc(b, '/');
		buf_puts(b, rest);
	}
	return buf_str(b);
}

/* Does the searchable text of a cached article match? */
static bool texts_match(struct search *re, const struct cache_text *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (search_match(re, t[i].s, t[i].len))
			return true;
	return false;
}

enum { KNOWN_SKIPPED = UINT32_MAX };

static size_t opt_len(const char *x)
{
	return x ? strlen(x) + 1 : 0;
}

static char *put_str(char *at, const char *x)
{
	size_t n = opt_len(x);
	if (n)
		memcpy(at, x, n);
	return at + n;
}

static uint32_t names_intern(struct lazy_names *t, const char *name);
static void names_free(struct lazy_names *t);

/* name's id in the loader's table of names, from any loading thread. */
static uint32_t intern_locked(struct loader *L, const char *name)
{
	pthread_mutex_lock(&L->names_mu);
	uint32_t id = names_intern(L->names, name);
	pthread_mutex_unlock(&L->names_mu);
	return id;
}

static const uint64_t *bits_related(const struct lazy_bits *b)
{
	return b->s;
}

static const uint32_t *bits_topics(const struct lazy_bits *b)
{
	return (const uint32_t *)(const void *)(b->s + b->nrelated);
}

static const char *bits_path(const struct lazy_bits *b)
{
	return (const char *)(bits_topics(b) + b->ntopics);
}

/* What a lazy article keeps of a, whole, and of its links, until the
 * merge (l's related hashes are freed). */
static struct lazy_bits *bits_of(struct loader *L, const struct article *a, const char *path,
				 struct cache_links *l)
{
	size_t rel = l->nrelated * sizeof(uint64_t), ids = a->ntopics * sizeof(uint32_t);
	struct lazy_bits *b =
		xmalloc(sizeof *b + rel + ids + strlen(path) + 1 + opt_len(a->title));
	b->urls[0] = l->web;
	b->urls[1] = l->original;
	b->urls[2] = l->amp;
	b->has_urls = (unsigned char)(l->has_web | l->has_original << 1 | l->has_amp << 2);
	b->nrelated = (uint16_t)l->nrelated;
	if (rel)
		memcpy(b->s, l->related, rel);
	free(l->related);
	char *at = (char *)(b->s + b->nrelated);
	b->date = a->date;
	b->quality = a->quality;
	b->heat = a->heat;
	b->has = (unsigned char)(a->has & (HAS_DATE | HAS_QUALITY | HAS_HEAT));
	b->has_title = a->title != NULL;
	b->ntopics = (uint16_t)a->ntopics;
	b->provider = a->provider.name ? intern_locked(L, a->provider.name) : NAME_NONE;
	b->type = a->type ? intern_locked(L, a->type) : NAME_NONE;
	for (size_t t = 0; t < a->ntopics; t++) {
		uint32_t id = intern_locked(L, a->topics[t]);
		memcpy(at + t * sizeof id, &id, sizeof id);
	}
	put_str(put_str(at + ids, path), a->title);
	return b;
}

/* The title in b, or NULL. */
static const char *bits_title(const struct lazy_bits *b)
{
	const char *p = bits_path(b);
	return b->has_title ? p + strlen(p) + 1 : NULL;
}

/* Entry id as a lazy article, named path: its bits and links into the
 * slot; false when it is damaged. */
static bool lazy_read(struct thread_ctx *tc, struct load_slot *slot, size_t id, const char *path)
{
	struct article whole;
	struct cache_links links;
	if (!cache_read_scratch(tc->rdr, id, path, &whole, &links))
		return false;
	slot->lb = bits_of(tc->L, &whole, path, &links);
	return true;
}

/* Is entry id, matching its file, what the store a check compares with
 * holds already? */
static bool check_knows(const struct loader *L, size_t id)
{
	return L->validate && (L->known_all || L->known[id]);
}

/* The path an article kept of slot names its file by: the slot's own,
 * or a copy in the thread's slab when the slot's block is reused. */
static const char *kept_path(struct thread_ctx *tc, const struct load_slot *slot)
{
	return tc->L->recycle ? slab_strdup(&tc->slab, slot->path) : slot->path;
}

/* Decode entry id into the slot, as much of it as the loader keeps (a row
 * for list_only); false when it did not. */
static bool read_cached(struct thread_ctx *tc, struct load_slot *slot, size_t id)
{
	if (check_knows(tc->L, id))
		return false; /* what the store holds already */
	if (tc->L->opts && tc->L->opts->list_only)
		return (slot->row = cache_read_row_in(tc->rdr, id, kept_path(tc, slot), &tc->slab));
	return (slot->a = cache_read_article(tc->rdr, id, slot->path));
}

/* Take the slot's file from the cache; false when the cache cannot give
 * it. */
static bool load_cached(struct thread_ctx *tc, struct load_slot *slot, const struct stat *st)
{
	const char *key = cache_key(tc->L, slot, &tc->key);
	long id = cache_find_near(tc->rdr, key, st, tc->guess);
	/* a file the cache does not hold takes no entry's place */
	tc->guess = id >= 0 ? (size_t)id + 1 : tc->guess;
	if (id < 0)
		return false;
	const struct cache_text *texts;
	size_t ntexts, n0 = slot->problems.n;
	bool miss;
	int kind = cache_read_head_as(tc->rdr, (size_t)id, key, slot->path, &slot->problems,
				      &texts, &ntexts);
	if (kind == 0 && !cached_not_article(slot, n0, &miss) && miss)
		return false;
	if (kind == 1) {
		slot->matched = tc->re && texts_match(tc->re, texts, ntexts);
		if (tc->re && !slot->matched && tc->L->opts->list_only &&
		    tc->L->opts->only_matches) {
			slot->unmatched = true; /* counted, never kept */
		} else if (tc->re && !slot->matched) {
			/* Never shown: its path stands for it, and matches
			 * nothing. */
			if (tc->L->opts->list_only)
				slot->row = list_row_stub_in(&tc->slab, kept_path(tc, slot));
			else
				slot->a = article_new(slot->path);
		} else if (tc->L->lazy) {
			if (!lazy_read(tc, slot, (size_t)id, slot->path)) {
				while (slot->problems.n)
					free(slot->problems.v[--slot->problems.n]);
				kind = -1;
			}
		} else if (!read_cached(tc, slot, (size_t)id) && !check_knows(tc->L, (size_t)id)) {
			while (slot->problems.n)
				free(slot->problems.v[--slot->problems.n]);
			kind = -1;
		}
	}
	if (kind < 0) {
		slot->damaged = true;
		return false;
	}
	slot->entry = (uint32_t)id + 1;
	if (check_knows(tc->L, (size_t)id) && !tc->L->known_all && slot->own_path) {
		/* the very file the store holds: the check needs no more of
		 * it than its entry, and a hundred thousand paths are
		 * megabytes (one known by its path keeps it) */
		free((char *)slot->path);
		slot->path = NULL;
		slot->own_path = false;
	}
	return true;
}

static void take_id(struct file_id *id, const struct stat *st);

/* Encode a file just parsed into the new cache, on the thread that parsed
 * it, while its article is whole and in the processor's cache: the
 * writer then never needs the article again. st: the file's stat, taken
 * before it was read; NULL: none, nothing cached. */
static void encode_parsed(struct thread_ctx *tc, struct load_slot *slot, const struct stat *st)
{
	const struct loader *L = tc->L;
	if (!L->writer || !st)
		return;
	struct parsed_note *note = xmalloc(sizeof *note);
	take_id(&note->id, st);
	cache_writer_encode(L->writer, tc->lane, cache_key(L, slot, &tc->key), slot->path, st,
			    slot->a, (const char *const *)slot->problems.v, slot->problems.n,
			    &note->ticket);
	if (!note->ticket.made) {
		free(note); /* left out of the cache: nothing to place */
		return;
	}
	/* A load that does not stream places its files only at its end: the
	 * body waits in the lane's stream, not in memory. */
	if (!L->stream)
		cache_ticket_park(L->writer, &note->ticket);
	slot->note = note;
}

/* What the caller keeps of an article just parsed (and cached): for a list
 * (list_only), what it prints, or only the path when the search the list
 * shows does not match (the verdict is kept) or when it only counts;
 * otherwise all of it. */
static void keep_parsed(struct thread_ctx *tc, struct load_slot *slot)
{
	const struct store_opts *o = tc->L->opts;
	if (!slot->a || !o || !o->list_only || (o->match_only && !tc->re))
		return;
	struct article *whole = slot->a;
	slot->a = NULL;
	if (tc->re && !slot->matched && o->only_matches)
		slot->unmatched = true;
	else if (tc->re && !slot->matched)
		slot->row = list_row_stub_in(&tc->slab, kept_path(tc, slot));
	else if (o->count_only) { /* and the webUrl, which tells a duplicate */
		slot->row = list_row_stub_in(&tc->slab, kept_path(tc, slot));
		slot->row->url = slab_strdup(&tc->slab, whole->web_url);
	} else
		slot->row = list_row_copy_in(&tc->slab, whole, kept_path(tc, slot));
	article_free(whole);
}

/* The file's identity and version, for the cache. */
static void take_id(struct file_id *id, const struct stat *st)
{
	*id = (struct file_id){(uint64_t)st->st_dev,
				    (uint64_t)st->st_ino,
				    (int64_t)st->st_size,
				    (int64_t)COMPAT_ST_MTIM(st).tv_sec,
				    (int64_t)COMPAT_ST_CTIM(st).tv_sec,
				    COMPAT_ST_MTIM(st).tv_nsec,
				    COMPAT_ST_CTIM(st).tv_nsec};
}

/* The root whose key the entry's key lies under, and the rest of the key
 * after it (no leading slash); false when it lies under none. */
static bool root_of_key(const struct loader *L, const char *key, uint32_t *root,
			const char **rest)
{
	for (size_t r = 0; r < L->nroots; r++) {
		if (!under_root(key, L->root_keys[r], rest))
			continue;
		while (**rest == '/')
			++*rest;
		if (**rest) {
			*root = (uint32_t)r;
			return true;
		}
	}
	return false;
}

/* The path the walk would give the file under root with this rest, into
 * b: the root as typed, a slash unless it ends in one, the rest. */
static const char *path_under(struct buf *b, const char *root, const char *rest)
{
	size_t rl = strlen(root);
	b->len = 0;
	buf_add(b, root, rl);
	if (!rl || root[rl - 1] != '/')
		buf_putc(b, '/');
	buf_puts(b, rest);
	return buf_str(b);
}

/* A load from the entries alone: the slot's entry, if its key lies under
 * one of the roots and its file was not over the size limit then; else
 * the slot stays empty (the check after the load finds what it missed). */
static void load_entry(struct thread_ctx *tc, struct load_slot *slot)
{
	const struct loader *L = tc->L;
	size_t id = slot->want_entry - 1;
	int kind = cache_entry_key(tc->rdr, id, &tc->key);
	uint32_t root;
	const char *rest;
	if (kind < 0) {
		slot->damaged = true;
		return;
	}
	if (!root_of_key(L, tc->key.data, &root, &rest) ||
	    cache_entry_size(L->cache, id) > (int64_t)L->max)
		return;
	const char *path = path_under(&tc->path, L->roots[root], rest);
	slot->root = root;
	const struct cache_text *texts;
	size_t ntexts;
	size_t n0 = slot->problems.n;
	bool miss;
	kind = cache_read_head_as(tc->rdr, id, tc->key.data, path, &slot->problems, &texts,
				  &ntexts);
	if (kind == 0)
		cached_not_article(slot, n0, &miss); /* no file is named here */
	if (kind == 1 && !lazy_read(tc, slot, id, path)) {
		while (slot->problems.n)
			free(slot->problems.v[--slot->problems.n]);
		kind = -1;
	}
	/* an article's own copy of its path stands for it */
	slot->path = slot->lb ? bits_path(slot->lb) : xstrdup(path);
	slot->own_path = !slot->lb;
	if (kind < 0) {
		slot->damaged = true;
		return;
	}
	slot->entry = (uint32_t)id + 1;
}

/* The stat a load with a cache takes of a slot's file before anything
 * else: a hit reads nothing. */
struct first_stat {
	struct stat st;
	bool ok; /* st is the file's */
};

/* The first stats of a run of n slots, one after the other: the lookups
 * that follow them, each a walk of the cache's tables and windows, then
 * run together, on what the processor holds of them still, rather than
 * each after a call into the kernel (which, on a virtual machine, may
 * take the processor's page translations with it). What each lookup will
 * read of the tables is asked for meanwhile, a stage over the run at a
 * time (cache_find_ahead). */
static void first_stats(struct thread_ctx *tc, struct load_slot *run, size_t n,
			struct first_stat *fs)
{
	for (size_t k = 0; k < n; k++) {
		const char *name;
		int dirfd = dir_for(tc, run[k].path, &name);
		if ((fs[k].ok = fstatat(dirfd, name, &fs[k].st, 0) == 0))
			cache_find_ahead(tc->rdr, &fs[k].st, false);
	}
	for (size_t k = 0; k < n; k++)
		if (fs[k].ok)
			cache_find_ahead(tc->rdr, &fs[k].st, true);
}

/* Load slot's file; first: its first stat when it was taken already
 * (first_stats), else NULL. */
static void load_one(struct thread_ctx *tc, struct load_slot *slot, const struct first_stat *first)
{
	const struct loader *L = tc->L;
	if (slot->want_entry) {
		load_entry(tc, slot);
		return;
	}
	const char *path = slot->path, *name = NULL;
	int dirfd = AT_FDCWD;
	struct stat st, read_st;
	bool stat_first = false; /* st is the file's, taken before the read */
	/* With a cache to look in, a stat first: a hit reads nothing. A
	 * file that vanished or changed kind is left to the read, which
	 * says what is wrong with it. A file over the size limit is never
	 * taken from the cache: the limit may have shrunk since it was
	 * cached. */
	bool have = false;
	if (first) {
		if ((have = first->ok))
			st = first->st;
	} else if (tc->rdr) {
		dirfd = dir_for(tc, path, &name);
		have = fstatat(dirfd, name, &st, 0) == 0;
	}
	if (have && S_ISREG(st.st_mode)) {
		stat_first = true;
		if ((uintmax_t)st.st_size <= L->max && load_cached(tc, slot, &st))
			return;
	}
	if (!name)
		dirfd = dir_for(tc, path, &name);
	char *data;
	size_t len;
	if (L->opts && L->opts->before_read)
		L->opts->before_read(L->opts->before_read_ctx, path);
	/* Without one (a first run), the stat of the file opened serves: one
	 * lookup of the path, not two. */
	if (read_file_at(dirfd, name, L->max, &data, &len, &read_st) < 0) {
		/* The message is written when merging: strerror() belongs to
		 * one thread. */
		slot->read_errno = errno ? errno : EIO;
		return;
	}
	slot->a = parse_candidate(path, data, len, slot->named, &slot->problems,
				  &slot->not_article);
	free(data);
	if (slot->a && tc->re)
		slot->matched = search_article(tc->re, slot->a);
	encode_parsed(tc, slot, stat_first ? &st : L->want_stat ? &read_st : NULL);
	keep_parsed(tc, slot);
}

/* Load a slot, then trade its path for its article's copy. */
static bool cancelled(const struct loader *L)
{
	return L->cancel && atomic_load_explicit(L->cancel, memory_order_relaxed);
}

static void load_slot(struct thread_ctx *tc, struct load_slot *slot,
		      const struct first_stat *first)
{
	if (cancelled(tc->L))
		return; /* its result would be thrown away */
	load_one(tc, slot, first);
	if ((slot->a || slot->lb || slot->row) && slot->own_path) {
		free((char *)slot->path);
		slot->path = slot->a ? slot->a->path : slot->row ? slot->row->path : bits_path(slot->lb);
		slot->own_path = false;
	}
}

/* Claim the next run of published slots (within one block); 0 when every
 * file is claimed. Waits while the scan may still publish more, unless
 * the scanning thread itself asks (wait false). */
static size_t claim(struct loader *L, struct load_slot **run, struct slot_block **block,
		    size_t *at, bool wait)
{
	pthread_mutex_lock(&L->mu);
	while (wait && L->next >= L->published && !L->scanned)
		pthread_cond_wait(&L->more, &L->mu);
	size_t i = L->next, n = 0;
	if (i < L->published) {
		size_t chunk = L->from_entries ? ENTRY_CHUNK : CHUNK;
		size_t end = L->published - i > chunk ? i + chunk : L->published;
		size_t block_end = (i / BLOCK + 1) * BLOCK;
		if (end > block_end)
			end = block_end;
		*run = slot_at(L, i);
		*block = L->blocks[i / BLOCK];
		*at = i;
		n = end - i;
		L->next = end;
	}
	pthread_mutex_unlock(&L->mu);
	return n;
}

/* Load a claimed run; false when there was none. */
static bool load_run_as(struct thread_ctx *tc, bool wait)
{
	struct load_slot *run;
	struct slot_block *block;
	size_t at = 0, n = claim(tc->L, &run, &block, &at, wait);
	tc->guess = (size_t)((ptrdiff_t)at + tc->shift);
	/* a run of the walk's files, with a cache: their stats first */
	struct first_stat first[CHUNK];
	bool stats = n && n <= CHUNK && tc->rdr && !tc->L->from_entries && !cancelled(tc->L);
	if (stats)
		first_stats(tc, run, n, first);
	for (size_t k = 0; k < n; k++)
		load_slot(tc, &run[k], stats ? &first[k] : NULL);
	tc->shift = (ptrdiff_t)tc->guess - (ptrdiff_t)(at + n);
	if (n) /* after the slots: whoever sees the count sees them */
		atomic_fetch_add_explicit(&block->done, n, memory_order_release);
	atomic_fetch_add_explicit(&tc->L->done, n, memory_order_relaxed);
	return n > 0;
}

static bool load_run(struct thread_ctx *tc)
{
	return load_run_as(tc, true);
}

static void *load_worker(void *arg)
{
	struct thread_ctx *tc = arg;
	while (load_run(tc))
		;
	struct loader *L = tc->L;
	pthread_mutex_lock(&L->mu);
	L->running--;
	pthread_cond_signal(&L->cv);
	pthread_mutex_unlock(&L->mu);
	return NULL;
}

static int online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
#ifdef CPU_COUNT
	/* A container or taskset may give us fewer CPUs than are online. */
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0 &&
	    (n < 1 || CPU_COUNT(&set) < n))
		n = CPU_COUNT(&set);
#endif
	return n < 1 ? 1 : n > STORE_MAX_THREADS ? STORE_MAX_THREADS : (int)n;
}

static size_t pick_threads(const struct store_opts *opts, size_t nfiles)
{
	size_t t;
	if (opts && opts->threads > 0) {
		t = opts->threads > STORE_MAX_THREADS ? STORE_MAX_THREADS : (size_t)opts->threads;
	} else {
		/* Below a few dozen files, starting threads costs more than
		 * it saves. */
		if (nfiles < START_AT)
			return 1;
		t = (size_t)online_cpus();
		if (t > STORE_MAX_AUTO_THREADS)
			t = STORE_MAX_AUTO_THREADS;
	}
	return t > nfiles ? (nfiles ? nfiles : 1) : t;
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

enum { PROGRESS_AFTER_MS = 300, PROGRESS_EVERY_MS = 100 };

/* On the calling thread only: done out of what the scan has found. */
static void report_if_due(struct reporter *r, struct loader *L)
{
	if (!r->fn)
		return;
	int64_t t = now_ns();
	if (t < r->due)
		return;
	r->fn(r->ctx, atomic_load_explicit(&L->done, memory_order_relaxed), L->found);
	r->called = true;
	r->due = t + (int64_t)PROGRESS_EVERY_MS * 1000000;
}

/* The threads' contexts, and the workers started: once the scan has found
 * enough files to be worth it, or at its end. */
static void start_workers(struct loader *L)
{
	if (L->opening) {
		pthread_join(L->opening->tid, NULL);
		L->cache = L->opening->cache;
		L->opening = NULL;
	}
	size_t nthreads = pick_threads(L->opts, L->scanned ? L->found : START_AT);
	L->nthreads = nthreads;
	if (L->writer)
		cache_writer_stream(L->writer, L->opts->cache_path, nthreads);
	if (L->writer && L->cache) /* the records copied keep their hashes */
		cache_writer_inherit_key(L->writer, L->cache);
	L->ctx = xcalloc(nthreads, sizeof *L->ctx);
	for (size_t t = 0; t < nthreads; t++) {
		struct thread_ctx *tc = &L->ctx[t];
		tc->L = L;
		tc->lane = t;
		tc->dirfd = -1;
		if (L->cache)
			tc->rdr = cache_reader_new(L->cache);
		char *err = NULL;
		/* a copy each: matching writes to the search's state */
		if (L->only && !(tc->re = search_compile(search_pattern(L->only), &err)))
			free(err); /* compiled once already: cannot happen */
	}
	L->tids = xcalloc(nthreads, sizeof *L->tids);
	for (size_t t = 1; t < nthreads; t++) {
		pthread_mutex_lock(&L->mu);
		L->running++;
		pthread_mutex_unlock(&L->mu);
		if (!worker_spawn(&L->tids[L->started], load_worker, &L->ctx[t])) {
			/* Fewer threads only make it slower. */
			pthread_mutex_lock(&L->mu);
			L->running--;
			pthread_mutex_unlock(&L->mu);
			break;
		}
		L->started++;
	}
}

static void publish(struct loader *L, bool last)
{
	pthread_mutex_lock(&L->mu);
	L->published = L->found;
	L->scanned = last;
	pthread_cond_broadcast(&L->more);
	pthread_mutex_unlock(&L->mu);
}

/* A new slot, its index into *i. */
static struct load_slot *new_slot(struct loader *L, size_t *i)
{
	*i = L->found;
	if (*i % BLOCK == 0) {
		/* one a streamed load merged, still in the processor's
		 * cache; else a new one, its pages in place at once: a
		 * hundred thousand slots are tens of megabytes, and a fault a
		 * page cost more than the walk that fills them */
		struct slot_block *b = L->nspare ? L->spare[--L->nspare] : NULL;
		if (b) {
			struct path_room *room = b->room;
			memset(b, 0, sizeof *b);
			for (b->room = room; room; room = room->next)
				room->used = 0;
		} else {
			b = compat_map_prefaulted(sizeof *b);
		}
		atomic_init(&b->done, 0);
		pthread_mutex_lock(&L->mu);
		L->blocks = xgrow(L->blocks, &L->capblocks, L->nblocks + 1, sizeof *L->blocks);
		L->blocks[L->nblocks++] = b;
		pthread_mutex_unlock(&L->mu);
	}
	return slot_at(L, *i);
}

/* ---- the streamed merge ---- */

static void read_problem(struct strlist *problems, const char *path, int err, size_t max);

/* Cache entry id, a hit, copied into the rewrite of the cache (its stat
 * is the entry's own, which the file matched). On the calling thread,
 * whose reader it uses. */
static void place_hit(const struct loader *L, uint32_t id)
{
	struct cache_reader *rdr = L->ctx && L->ctx[0].rdr ? L->ctx[0].rdr : NULL;
	if (!rdr)
		return;
	struct stat st;
	cache_entry_stat(L->cache, id, &st);
	cache_writer_copy(L->writer, rdr, id, &st);
}

/* A parsed note freed, its ticket with it if it was never placed. */
static void note_free(struct parsed_note *note)
{
	if (note)
		cache_ticket_free(&note->ticket);
	free(note);
}

/* What a rewrite of the cache needs of a slot merged: its entry (a hit),
 * or its ticket and stat (a file parsed and encoded); nothing for one not
 * cached. Once the rewrite is sure (no cache was found, or a file was
 * parsed), each is placed into the writer at once, in merge order, the
 * hits noted until then first: then nothing of a file waits for the end
 * of the load (a ticket holds its record's strings). Until then the hits'
 * entries are noted, for update_cache_noted to place when the end shows
 * that files were gone. The counts update_cache takes from the slots. */
static void note_slot(struct loader *L, struct load_slot *sl)
{
	L->hits += sl->entry != 0;
	L->damaged += sl->damaged;
	L->parsed_files += !sl->entry && !sl->read_errno;
	if (!L->writer)
		return;
	if (!L->placing && (!L->cache || L->parsed_files || sl->note)) {
		for (size_t i = 0; i < L->nnotes; i++)
			place_hit(L, L->notes[i]);
		L->nnotes = 0;
		L->placing = true;
	}
	if (sl->entry && L->placing) {
		place_hit(L, sl->entry - 1);
	} else if (sl->entry) {
		L->notes = xgrow(L->notes, &L->capnotes, L->nnotes + 1, sizeof *L->notes);
		L->notes[L->nnotes++] = sl->entry - 1;
	} else if (sl->note) {
		struct stat st;
		id_to_stat(&sl->note->id, &st);
		cache_writer_place(L->writer, &sl->note->ticket, &st);
	}
}

static int cmp_address(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t) * (void *const *)a, y = (uintptr_t) * (void *const *)b;
	return x < y ? -1 : x > y;
}

/* Unmap the blocks merged. Each unmap interrupts the other loading
 * threads (a flush of their address translations, dear on a virtual
 * machine: a hundred of them were 2% of a warm search), and blocks mapped
 * one after another mostly lie side by side: such a run goes in one
 * call. */
static void give_back(struct loader *L)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t len = (sizeof(struct slot_block) + page - 1) / page * page;
	qsort(L->gone, L->ngone, sizeof *L->gone, cmp_address);
	for (size_t k = 0, run; k < L->ngone; k += run) {
		for (run = 1; k + run < L->ngone &&
			      (char *)L->gone[k + run] == (char *)L->gone[k] + run * len;
		     run++)
			;
		compat_unmap(L->gone[k], run * len);
	}
	L->ngone = 0;
}

/* The rooms of block b's paths, freed. */
static void rooms_free(struct slot_block *b)
{
	while (b->room) {
		struct path_room *r = b->room;
		b->room = r->next;
		free(r);
	}
}

/* A copy of path in block b's room. */
static const char *room_strdup(struct slot_block *b, const char *path)
{
	size_t n = strlen(path) + 1;
	struct path_room **at = &b->room;
	while (*at && (*at)->cap - (*at)->used < n)
		at = &(*at)->next;
	if (!*at) {
		size_t cap = n > ROOM_CHUNK ? n : ROOM_CHUNK;
		*at = xmalloc(sizeof **at + cap);
		**at = (struct path_room){.cap = cap};
	}
	char *p = (*at)->data + (*at)->used;
	(*at)->used += n;
	return memcpy(p, path, n);
}

/* Block b, merged, kept for the next one (spare). */
static void block_release(struct loader *L, size_t b)
{
	struct slot_block *blk = L->blocks[b];
	pthread_mutex_lock(&L->mu); /* claim reads blocks[] */
	L->blocks[b] = NULL;
	pthread_mutex_unlock(&L->mu);
	if (L->nspare == (L->recycle ? SPARE_BLOCKS : 1)) {
		struct slot_block *old = L->spare[--L->nspare];
		rooms_free(old);
		L->gone[L->ngone++] = old;
		if (L->ngone == GONE_BATCH)
			give_back(L);
	}
	L->spare[L->nspare++] = blk;
}

static void check_block(struct loader *L, size_t b, size_t count);

/* Block b's first count slots into the store, in order; the block kept
 * for the next one (spare). */
static void stream_block(struct loader *L, size_t b, size_t count)
{
	struct store *s = L->stream;
	struct slot_block *blk = L->blocks[b];
	s->v = xgrow(s->v, &s->cap, s->n + count, sizeof *s->v);
	for (size_t k = 0; k < count; k++) {
		struct load_slot *sl = &blk->slot[k];
		if (sl->read_errno)
			read_problem(&L->problems, sl->path, sl->read_errno, L->max);
		for (size_t j = 0; j < sl->problems.n; j++)
			strlist_push(&L->problems, sl->problems.v[j]);
		free(sl->problems.v);
		note_slot(L, sl);
		note_free(sl->note);
		if (sl->own_path)
			free((char *)sl->path);
		s->unmatched += sl->unmatched;
		s->not_articles += sl->not_article;
		if (!sl->a && !sl->row)
			continue;
		if (s->matched) {
			s->matched = xgrow(s->matched, &L->capmatched, s->n + 1, 1);
			s->matched[s->n] = sl->matched;
		}
		if (sl->row)
			add_row(s, sl->row);
		else
			store_add(s, sl->a);
	}
	block_release(L, b);
}

/* Merge the blocks whose every slot is loaded, in order. On the calling
 * thread; nothing unless the load streams. */
static void stream_ready(struct loader *L)
{
	while ((L->stream || L->check) && L->merged < L->nblocks) {
		size_t b = L->merged, count = L->found - b * BLOCK;
		if (count > BLOCK)
			count = BLOCK;
		if (count < BLOCK && !L->walked)
			break; /* the walk may add to it */
		if (atomic_load_explicit(&L->blocks[b]->done, memory_order_acquire) < count)
			break;
		if (L->check)
			check_block(L, b, count);
		else
			stream_block(L, b, count);
		L->merged++;
	}
}

/* Stream the load into s: its verdicts, as merge_slots keeps them. */
static void stream_start(struct loader *L, struct store *s)
{
	L->stream = s;
	L->recycle = L->lent && !L->check && !L->validate;
	free(s->matched);
	s->matched = L->only && !s->n ? xcalloc(1, 1) : NULL;
	L->capmatched = 1;
}

/* The slots' problems after the walk's, and what is left of the blocks
 * and notes freed. */
static void stream_finish(struct loader *L, struct store *s)
{
	for (size_t i = 0; i < L->problems.n; i++)
		strlist_push(&s->problems, L->problems.v[i]);
	free(L->problems.v);
	L->problems = (struct strlist){0};
	free(L->blocks);
	L->blocks = NULL;
	L->nblocks = 0;
	give_back(L);
	while (L->nspare) {
		struct slot_block *b = L->spare[--L->nspare];
		rooms_free(b);
		compat_unmap(b, sizeof *b);
	}
	free(L->notes);
}

/* A load on the calling thread alone (one thread asked for, or none could
 * be started): what the walk published is loaded as the walk goes, so that
 * the path of a file taken from the cache is let go of at once, rather than
 * every path of the walk held until its end (a hundred thousand paths are
 * over ten megabytes). */
static void load_published(struct loader *L)
{
	while (!L->started && L->next < L->published && load_run(&L->ctx[0]))
		;
}

/* The slot made: workers started and slots published as the walk goes. */
static void slot_made(struct loader *L, size_t i)
{
	L->found = i + 1;
	if (L->found >= START_AT && !L->ctx &&
	    (!L->opening || atomic_load_explicit(&L->opening->done, memory_order_acquire)))
		start_workers(L);
	if (L->found - L->published >= CHUNK && L->ctx) {
		publish(L, false);
		load_published(L);
		stream_ready(L);
		/* too far ahead of the merge: load what is published, and
		 * merge, until the merge catches up or nothing is left to
		 * claim (a block a worker is still loading) */
		while (L->recycle && L->nblocks - L->merged > LEAD_BLOCKS &&
		       load_run_as(&L->ctx[0], false))
			stream_ready(L);
	}
	if (L->found % REPORT_EVERY == 0)
		report_if_due(L->rep, L);
}

/* Every entry of the cache, in its order, as a walk would give files. */
static void feed_entries(struct loader *L)
{
	for (size_t id = 0, n = cache_count(L->cache); id < n; id++) {
		size_t i;
		new_slot(L, &i)->want_entry = (uint32_t)id + 1;
		slot_made(L, i);
	}
}

/* The scan's callback, on the calling thread. */
static void found(void *arg, char *path)
{
	struct loader *L = arg;
	if (cancelled(L)) {
		if (!L->lent)
			free(path);
		return;
	}
	size_t i;
	struct load_slot *slot = new_slot(L, &i);
	slot->path = L->recycle ? room_strdup(L->blocks[i / BLOCK], path)
		     : L->lent	  ? slab_strdup(&L->paths, path)
				  : path;
	slot->own_path = !L->lent;
	/* the root names the file's cache key, and tells a file named on
	 * the command line from one a walk met */
	slot->root = root_of(L, path);
	slot->named = is_named(L, slot);
	slot_made(L, i);
}

/* Scan, and load what the scan finds: the calling thread scans while the
 * workers load, then loads too, between progress reports, then waits for
 * the workers. */
static void scan_and_load(struct loader *L, const char *const *paths, size_t n,
			  struct strlist *problems)
{
	pthread_mutex_init(&L->mu, NULL);
	pthread_mutex_init(&L->names_mu, NULL);
	pthread_cond_init(&L->more, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&L->cv, &ca);
	pthread_condattr_destroy(&ca);
	atomic_init(&L->done, 0);

	unsigned flags = (L->opts && L->opts->follow_links ? SCAN_FOLLOW_LINKS : 0) |
			 (L->lent ? SCAN_LENT_PATHS : 0);
	if (L->from_entries)
		feed_entries(L);
	else
		scan_paths_each(paths, n, flags, found, L, problems);
	L->walked = true;
	publish(L, true);
	if (!L->ctx)
		start_workers(L);
	struct reporter *rep = L->rep;
	while (load_run(&L->ctx[0])) {
		report_if_due(rep, L);
		stream_ready(L);
	}

	pthread_mutex_lock(&L->mu);
	while (L->running) {
		if (!rep->fn) {
			pthread_cond_wait(&L->cv, &L->mu);
			continue;
		}
		struct timespec ts = {(time_t)(rep->due / 1000000000),
				      (long)(rep->due % 1000000000)};
		pthread_cond_timedwait(&L->cv, &L->mu, &ts);
		if (!L->running)
			break;
		pthread_mutex_unlock(&L->mu);
		report_if_due(rep, L);
		pthread_mutex_lock(&L->mu);
	}
	pthread_mutex_unlock(&L->mu);
	for (size_t t = 0; t < L->started; t++)
		pthread_join(L->tids[t], NULL);
	stream_ready(L); /* the rest, every slot loaded */
	free(L->tids);
	pthread_cond_destroy(&L->cv);
	pthread_cond_destroy(&L->more);
	pthread_mutex_destroy(&L->names_mu);
	pthread_mutex_destroy(&L->mu);
}

/* A lazy load's article idx, the slot's: what store_article needs to
 * decode it, and what linking needs of it. */
static void lazy_add(struct store_lazy *lz, size_t idx, struct load_slot *slot)
{
	const struct lazy_bits *b = slot->lb; /* NULL: a whole article */
	lz->entry[idx] = slot->entry;
	lz->rel_at[idx] = lz->nrel;
	lz->rel_at[idx + 1] = lz->nrel;
	if (!b)
		return;
	for (int k = 0; k < 3; k++)
		lz->urls[3 * idx + k] = b->urls[k];
	lz->has_urls[idx] = b->has_urls;
	if (b->nrelated) {
		lz->rel = xgrow(lz->rel, &lz->caprel, lz->nrel + b->nrelated, sizeof *lz->rel);
		memcpy(lz->rel + lz->nrel, bits_related(b), b->nrelated * sizeof *lz->rel);
		lz->nrel += b->nrelated;
	}
	lz->rel_at[idx + 1] = lz->nrel;
}

/* The id of name among the distinct names, added if new. */
static uint32_t names_intern(struct lazy_names *t, const char *name)
{
	if (t->n * 2 >= t->mask + 1 || !t->slots) { /* at most half full */
		size_t nslots = t->slots ? (t->mask + 1) * 2 : 64;
		free(t->slots);
		t->slots = xcalloc(nslots, sizeof *t->slots);
		t->mask = nslots - 1;
		for (size_t id = 0; id < t->n; id++) {
			size_t at = hash_str(t->v[id]) & t->mask;
			while (t->slots[at])
				at = (at + 1) & t->mask;
			t->slots[at] = (uint32_t)id + 1;
		}
	}
	size_t at = hash_str(name) & t->mask;
	for (; t->slots[at]; at = (at + 1) & t->mask)
		if (!strcmp(t->v[t->slots[at] - 1], name))
			return t->slots[at] - 1;
	t->v = xgrow(t->v, &t->cap, t->n + 1, sizeof *t->v);
	t->v[t->n] = xstrdup(name);
	t->slots[at] = (uint32_t)++t->n;
	return (uint32_t)(t->n - 1);
}

static void names_free(struct lazy_names *t)
{
	for (size_t id = 0; id < t->n; id++)
		free(t->v[id]);
	free(t->v);
	free(t->slots);
}

/* A lazy article idx's record from its bits: names interned, the path
 * into the pool. */
static void lazy_keep(struct store_lazy *lz, size_t idx, const struct lazy_bits *b)
{
	struct lazy_rec *r = &lz->rec[idx];
	r->date = b->date;
	r->quality = b->quality;
	r->heat = b->heat;
	r->has = b->has;
	const char *path = bits_path(b);
	size_t plen = strlen(path) + 1;
	lz->paths = xgrow(lz->paths, &lz->cappaths, lz->npaths + plen, 1);
	memcpy(lz->paths + lz->npaths, path, plen);
	lz->path_at[idx] = lz->npaths;
	lz->npaths += plen;
	r->provider = b->provider;
	r->type = b->type;
	r->topic_at = (uint32_t)lz->ntopic_ids;
	r->ntopics = b->ntopics;
	lz->topic_ids = xgrow(lz->topic_ids, &lz->captopic_ids, lz->ntopic_ids + b->ntopics + 1,
			      sizeof *lz->topic_ids);
	memcpy(lz->topic_ids + lz->ntopic_ids, bits_topics(b), b->ntopics * sizeof(uint32_t));
	lz->ntopic_ids += b->ntopics;
}

static struct store_lazy *lazy_new(size_t n, size_t max_file)
{
	struct store_lazy *lz = xcalloc(1, sizeof *lz);
	lz->n = n;
	lz->max_file = max_file;
	lz->entry = xcalloc(n ? n : 1, sizeof *lz->entry);
	lz->full = xcalloc(n ? n : 1, sizeof *lz->full);
	lz->rel_at = xcalloc(n + 1, sizeof *lz->rel_at);
	lz->urls = xcalloc(3 * (n ? n : 1), sizeof *lz->urls);
	lz->has_urls = xcalloc(n ? n : 1, 1);
	lz->rec = xcalloc(n ? n : 1, sizeof *lz->rec);
	lz->path_at = xcalloc(n ? n : 1, sizeof *lz->path_at);
	return lz;
}

/* A skipped file a load from the entries took: its check needs to know
 * it. The slot's path is taken over. */
static void lazy_skipped(struct store_lazy *lz, struct load_slot *slot)
{
	lz->skipped_entry = xgrow(lz->skipped_entry, &lz->capskipped, lz->nskipped + 1,
				  sizeof *lz->skipped_entry);
	lz->skipped_path = xgrow(lz->skipped_path, &lz->capskippedp, lz->nskipped + 1,
				 sizeof *lz->skipped_path);
	lz->skipped_entry[lz->nskipped] = slot->entry;
	lz->skipped_path[lz->nskipped++] = (char *)slot->path;
	slot->own_path = false;
}

static void read_problem(struct strlist *problems, const char *path, int err, size_t max)
{
	struct buf b = {0};
	buf_put_safe(&b, path, strlen(path));
	if (err == EFBIG)
		buf_printf(&b, ": larger than the %zu byte limit, skipped", max);
	else if (err == EINVAL)
		buf_puts(&b, ": not a regular file, skipped");
	else
		buf_printf(&b, ": cannot read: %s", strerror(err));
	strlist_push(problems, b.data);
}

/* The slots' articles and problems into s, in scan order; the slots freed. */
static void merge_slots(struct store *s, struct loader *L)
{
	free(s->matched);
	s->matched = L->only && !s->n ? xcalloc(L->found ? L->found : 1, 1) : NULL;
	s->v = xgrow(s->v, &s->cap, s->n + L->found, sizeof *s->v);
	if (L->lazy) {
		s->lazy = lazy_new(L->found, L->max); /* s->n is 0: see the loader's lazy */
		s->lazy->names = *L->names; /* taken over */
		*L->names = (struct lazy_names){0};
	}
	/* the lazy articles' titles, for the tie order, until it is made: in
	 * one pool, title_at[k] into it (NO_TITLE: none, WHOLE_TITLE: a whole
	 * article's own) */
	enum { NO_TITLE = SIZE_MAX, WHOLE_TITLE = SIZE_MAX - 1 };
	size_t *title_at = s->lazy ? xmalloc((L->found ? L->found : 1) * sizeof *title_at) : NULL;
	struct buf tpool = {0};
	for (size_t i = 0; i < L->found; i++) {
		struct load_slot *slot = slot_at(L, i);
		/* a block merged is freed at once, and now and then what the
		 * bits held given back: their pages go while the records grow,
		 * rather than both being resident at the end */
		if (i && i % BLOCK == 0) {
			compat_unmap(L->blocks[i / BLOCK - 1], sizeof *L->blocks[0]);
			L->blocks[i / BLOCK - 1] = NULL;
			if (s->lazy && i % (BLOCK * 32) == 0)
				compat_release_free_memory();
		}
		if (slot->read_errno)
			read_problem(&s->problems, slot->path, slot->read_errno, L->max);
		for (size_t k = 0; k < slot->problems.n; k++)
			strlist_push(&s->problems, slot->problems.v[k]);
		free(slot->problems.v);
		note_free(slot->note); /* placed, if the cache was rewritten */
		s->not_articles += slot->not_article;
		/* a skipped file's path is taken over, never freed here */
		if (!slot->a && !slot->lb && slot->entry && L->from_entries)
			lazy_skipped(s->lazy, slot);
		if (slot->own_path)
			free((char *)slot->path);
		if ((slot->a || slot->row) && s->matched)
			s->matched[s->n] = slot->matched;
		if ((slot->a || slot->lb) && s->lazy) {
			lazy_add(s->lazy, s->n, slot);
			const char *t = slot->a ? slot->a->title : bits_title(slot->lb);
			title_at[s->n] = slot->a ? WHOLE_TITLE : t ? tpool.len : NO_TITLE;
			if (slot->lb && t)
				buf_add(&tpool, t, strlen(t) + 1);
		}
		if (slot->lb) {
			lazy_keep(s->lazy, s->n, slot->lb);
			free(slot->lb);
			slot->lb = NULL;
			store_add(s, NULL);
		} else if (slot->a) {
			store_add(s, slot->a);
		} else if (slot->row) {
			add_row(s, slot->row);
		}
	}
	if (s->lazy) {
		s->lazy->n = s->n;
		compat_release_free_memory(); /* the bits' */
		const char **titles = xmalloc((s->n ? s->n : 1) * sizeof *titles);
		for (size_t i = 0; i < s->n; i++)
			titles[i] = title_at[i] == WHOLE_TITLE ? s->v[i]->title
				    : title_at[i] == NO_TITLE  ? NULL
							       : tpool.data + title_at[i];
		free(title_at);
		tie_make(s, titles);
		free(titles);
		buf_free(&tpool);
	}
	for (size_t b = 0; b < L->nblocks; b++)
		compat_unmap(L->blocks[b], sizeof *L->blocks[b]);
	free(L->blocks);
}

/* Open the cache; a damaged one is a warning and counts as none. */
static struct cache *open_cache(struct store *s, const char *path)
{
	char *err = NULL;
	struct cache *c = cache_open(path, &err);
	if (err)
		strlist_push(&s->warnings, err);
	return c;
}

/* Rewrite the cache when it no longer says exactly what was loaded: a file
 * was parsed, or some cached file was not met again (gone, or renamed to
 * the name of another). Read failures are never cached: they are cheap to
 * meet again, and the size limit that causes some may change. Entries that
 * hit are copied as they are; the files parsed were encoded as they were
 * parsed, and are only placed here, in scan order. */
static void update_cache(struct store *s, struct cache_writer *w, const struct loader *L,
			 const char *path)
{
	const struct cache *c = L->cache;
	size_t hits = 0, parsed = 0, damaged = 0;
	for (size_t i = 0; i < L->found; i++) {
		const struct load_slot *sl = slot_at(L, i);
		hits += sl->entry != 0;
		parsed += !sl->entry && !sl->read_errno;
		damaged += sl->damaged;
	}
	s->cache_hits += hits;
	if (damaged)
		strlist_push(&s->warnings, cache_damage_message(c, damaged));
	if (c && !parsed && hits == cache_count(c) && !cache_records_damaged(c))
		return;
	struct cache_reader *rdr = L->ctx && L->ctx[0].rdr ? L->ctx[0].rdr : NULL;
	for (size_t i = 0; i < L->found; i++) {
		struct load_slot *sl = slot_at(L, i);
		struct stat st;
		if (sl->entry && rdr) {
			/* a hit's stat is its entry's own, which it matched */
			cache_entry_stat(c, sl->entry - 1, &st);
			cache_writer_copy(w, rdr, sl->entry - 1, &st);
		} else if (sl->note) {
			id_to_stat(&sl->note->id, &st);
			cache_writer_place(w, &sl->note->ticket, &st);
		}
	}
	char *err = NULL;
	if (cache_writer_commit(w, path, &err) < 0)
		strlist_push(&s->warnings, err);
}

/* update_cache for a streamed load, from its notes: 1 when the cache was
 * rewritten, 0 when it needed not be, -1 when it could not be. */
static int update_cache_noted(struct store *s, struct cache_writer *w, const struct loader *L,
			      const char *path)
{
	const struct cache *c = L->cache;
	s->cache_hits += L->hits;
	if (L->damaged)
		strlist_push(&s->warnings, cache_damage_message(c, L->damaged));
	if (c && !L->parsed_files && L->hits == cache_count(c) && !cache_records_damaged(c))
		return 0;
	for (size_t i = 0; i < L->nnotes; i++) /* hits only: see note_slot */
		place_hit(L, L->notes[i]);
	char *err = NULL;
	if (cache_writer_commit(w, path, &err) < 0) {
		strlist_push(&s->warnings, err);
		return -1;
	}
	return 1;
}

/* A rewrite of the cache committed on a thread of its own (see
 * store_opts.commit_behind): the writer is the thread's until the join. */
struct store_commit {
	struct worker thread;
	struct cache_writer *w;
	char *path, *err;
	/* SIGPIPE held back on the calling thread meanwhile: a list piped
	 * into a reader that quit still leaves the cache written, and the
	 * signal takes effect once it is */
	sigset_t old;
};

static void *commit_main(void *arg)
{
	struct store_commit *c = arg;
	cache_writer_commit(c->w, c->path, &c->err);
	return NULL;
}

/* update_cache_noted with the commit on a thread: the writer goes to
 * it (L->writer is then NULL). */
static void commit_behind(struct store *s, struct loader *L, const char *path)
{
	const struct cache *c = L->cache;
	s->cache_hits += L->hits;
	if (L->damaged)
		strlist_push(&s->warnings, cache_damage_message(c, L->damaged));
	if (c && !L->parsed_files && L->hits == cache_count(c) && !cache_records_damaged(c))
		return;
	for (size_t i = 0; i < L->nnotes; i++) /* hits only: see note_slot */
		place_hit(L, L->notes[i]);
	store_commit_wait(s); /* one behind at a time */
	struct store_commit *k = xcalloc(1, sizeof *k);
	k->w = L->writer;
	k->path = xstrdup(path);
	L->writer = NULL;
	sigset_t pipe;
	sigemptyset(&pipe);
	sigaddset(&pipe, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe, &k->old);
	worker_run(&k->thread, commit_main, k);
	s->committing = k;
}

void store_commit_wait(struct store *s)
{
	struct store_commit *k = s->committing;
	if (!k)
		return;
	worker_join(&k->thread);
	if (k->err)
		strlist_push(&s->warnings, k->err);
	cache_writer_free(k->w);
	free(k->path);
	s->committing = NULL;
	pthread_sigmask(SIG_SETMASK, &k->old, NULL);
	free(k);
}

/* The threads' contexts and the root keys, once the load is done. */
/* Each root made absolute and resolved (cache_root_key), for the cache
 * keys of the files found under it; loader_free frees them. */
static void loader_key_roots(struct loader *L)
{
	L->root_keys = xcalloc(L->nroots ? L->nroots : 1, sizeof *L->root_keys);
	for (size_t i = 0; i < L->nroots; i++)
		L->root_keys[i] = cache_root_key(L->roots[i]);
}

static void loader_free(struct loader *L)
{
	for (size_t t = 0; t < L->nthreads; t++) {
		struct thread_ctx *tc = &L->ctx[t];
		cache_reader_free(tc->rdr);
		search_free(tc->re);
		if (tc->dirfd >= 0)
			close(tc->dirfd);
		free(tc->dir);
		buf_free(&tc->key);
		buf_free(&tc->path);
		slab_free(&tc->slab); /* what a store did not take over */
	}
	slab_free(&L->paths);
	free(L->ctx);
	L->ctx = NULL;
	L->nthreads = 0;
	for (size_t i = 0; L->root_keys && i < L->nroots; i++)
		free(L->root_keys[i]);
	free(L->root_keys);
	L->root_keys = NULL;
}

/* A load's slots thrown away, nothing of them kept. */
static void discard_slots(struct loader *L)
{
	for (size_t i = 0; i < L->found; i++) {
		struct load_slot *sl = slot_at(L, i);
		strlist_free(&sl->problems);
		article_free(sl->a);
		free(sl->lb);
		note_free(sl->note);
		if (sl->own_path)
			free((char *)sl->path);
	}
	for (size_t b = 0; b < L->nblocks; b++) {
		rooms_free(L->blocks[b]);
		compat_unmap(L->blocks[b], sizeof *L->blocks[b]);
	}
	free(L->blocks);
}

static bool all_dirs(const char *const *paths, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		if (stat(paths[i], &st) < 0 || !S_ISDIR(st.st_mode))
			return false;
	}
	return n > 0;
}

/* Load from the cache's entries alone (store_opts.from_cache); false,
 * with nothing kept, when that gives no article: then the usual load. */
static bool load_from_entries(struct store *s, const struct loader *base)
{
	struct loader L = *base;
	L.from_entries = true;
	loader_key_roots(&L);
	struct strlist none = {0};
	scan_and_load(&L, L.roots, L.nroots, &none);
	size_t files = 0, articles = 0, damaged = 0;
	for (size_t i = 0; i < L.found; i++) {
		const struct load_slot *sl = slot_at(&L, i);
		files += sl->path != NULL;
		articles += sl->a || sl->lb;
		damaged += sl->damaged;
	}
	loader_free(&L);
	if (!articles) {
		discard_slots(&L);
		return false;
	}
	s->nfiles += files;
	if (damaged)
		strlist_push(&s->warnings, cache_damage_message(L.cache, damaged));
	merge_slots(s, &L);
	struct store_lazy *lz = s->lazy;
	lz->nroots = L.nroots;
	lz->roots = xcalloc(L.nroots, sizeof *lz->roots);
	for (size_t i = 0; i < L.nroots; i++)
		lz->roots[i] = xstrdup(L.roots[i]);
	lz->opts = *L.opts;
	lz->cache_path = xstrdup(L.opts->cache_path);
	s->load_problems = s->problems.n;
	s->check_due = true;
	return true;
}

/* ---- a load from the cache's records ----
 *
 * The cache's writer keeps, after the entries, the record of every entry
 * as a lazy article's is here, its names interned, its URLs hashed and its
 * place in the tie order (cache.h): a warm start copies them, decodes no
 * entry (but the heads of the few files with problems, for those) and
 * sorts no title. */

/* What a load from the records builds before it is the store's. */
struct rec_load {
	struct cache *c;
	struct store_lazy *lz;
	uint32_t *rank;  /* article i's place in the cache's tie order */
	uint32_t *trank; /* that of the first of its title; CACHE_NO_RANK: none */
	size_t narticles; /* of the cache */
	size_t max;       /* the size limit of a file */
	struct cache_reader *rdr;
	struct buf path;
	size_t files, damaged;
	/* Entry id's article is taken (take[id]), found by rec_plan, which
	 * reads the heads of the few with problems in the entries' order;
	 * the records of those taken are then copied on two threads, each
	 * over half of the entries, from the counts rec_plan found where the
	 * second half begins. */
	unsigned char *take;
	const char *root; /* as given */
	size_t root_len;  /* with the slash a path adds after it */
	size_t key_root_len; /* of the root resolved, as the keys begin */
	size_t split;     /* the first entry of the second half */
	struct rec_at {
		size_t article, topic, rel, path;
	} half, total;
};

/* The names of the records, as the store interns them: the same ids.
 * False when they are not distinct (the section is then not used). */
static bool rec_names(struct rec_load *R)
{
	const char *const *names;
	size_t n = cache_names(R->c, &names);
	for (size_t i = 0; i < n; i++)
		if (names_intern(&R->lz->names, names[i]) != i)
			return false;
	return true;
}

/* A skipped file's entry: its path kept for the check. */
static void rec_skipped(struct rec_load *R, size_t id, const char *path)
{
	struct store_lazy *lz = R->lz;
	lz->skipped_entry = xgrow(lz->skipped_entry, &lz->capskipped, lz->nskipped + 1,
				  sizeof *lz->skipped_entry);
	lz->skipped_path = xgrow(lz->skipped_path, &lz->capskippedp, lz->nskipped + 1,
				 sizeof *lz->skipped_path);
	lz->skipped_entry[lz->nskipped] = (uint32_t)id + 1;
	lz->skipped_path[lz->nskipped++] = xstrdup(path);
}

/* The part of entry id's key under the root (typed root, resolved key),
 * if it lies under it and its file was within the size limit when
 * cached; else NULL. */
static const char *rec_rest(const struct rec_load *R, const struct loader *L, size_t id,
			    const struct cache_record *r)
{
	const char *rest;
	if (!under_root_n(r->key, L->root_keys[0], R->key_root_len, &rest))
		return NULL;
	while (*rest == '/')
		rest++;
	if (!*rest || cache_entry_size(R->c, id) > (int64_t)L->max)
		return NULL;
	return rest;
}

/* Entry id, in the entries' order: is its article taken (its problems,
 * if it has any, read; a skipped file kept for the check)? */
static void rec_plan_one(struct store *s, struct rec_load *R, const struct loader *L, size_t id)
{
	struct cache_record r;
	cache_record(R->c, id, &r);
	R->narticles += r.article;
	const char *rest = rec_rest(R, L, id, &r);
	if (!rest)
		return;
	R->files++;
	size_t n0 = s->problems.n;
	if (r.problems || !r.article) {
		const char *path = path_under(&R->path, R->root, rest);
		/* the file's problems, as a lookup gives them */
		const struct cache_text *texts;
		size_t ntexts;
		if (r.problems &&
		    cache_read_head_as(R->rdr, id, r.key, path, &s->problems, &texts, &ntexts) < 0) {
			R->damaged++;
			return;
		}
		if (!r.article)
			rec_skipped(R, id, path);
	}
	/* a skipped file without a problem is not an article (parse.h) */
	s->not_articles += !r.article && s->problems.n == n0;
	if (!r.article)
		return;
	R->take[id] = 1;
	R->total.article++;
	R->total.topic += r.ntopics;
	R->total.rel += r.nrelated;
	R->total.path += R->root_len + strlen(rest) + 1;
}

static void rec_plan(struct store *s, struct rec_load *R, const struct loader *L, size_t n)
{
	R->split = n / 2;
	for (size_t id = 0; id < n; id++) {
		if (id == R->split)
			R->half = R->total;
		rec_plan_one(s, R, L, id);
	}
	if (R->split == n)
		R->half = R->total;
}

/* R's arrays for what rec_plan found, each at its size, their pages in
 * place at once: a fault each was most of the copy at a million
 * articles. */
static void rec_alloc(struct store *s, struct rec_load *R, size_t n)
{
	struct store_lazy *lz = R->lz;
	size_t k = R->total.article;
	lz->cappaths = lz->map_paths = R->total.path ? R->total.path : 1;
	lz->paths = compat_map_prefaulted(lz->map_paths);
	lz->captopic_ids = R->total.topic ? R->total.topic : 1;
	lz->map_topics = lz->captopic_ids * sizeof *lz->topic_ids;
	lz->topic_ids = compat_map_prefaulted(lz->map_topics);
	lz->caprel = R->total.rel ? R->total.rel : 1;
	lz->map_rel = lz->caprel * sizeof *lz->rel;
	lz->rel = compat_map_prefaulted(lz->map_rel);
	s->v = xgrow(s->v, &s->cap, n, sizeof *s->v);
	compat_prefault(s->v, k * sizeof *s->v);
	compat_prefault(lz->entry, k * sizeof *lz->entry);
	compat_prefault(lz->rec, k * sizeof *lz->rec);
	compat_prefault(lz->urls, 3 * k * sizeof *lz->urls);
	compat_prefault(lz->rel_at, (k + 1) * sizeof *lz->rel_at);
	compat_prefault(lz->path_at, k * sizeof *lz->path_at);
	R->rank = xmalloc((n ? n : 1) * sizeof *R->rank);
	R->trank = xmalloc((n ? n : 1) * sizeof *R->trank);
	compat_prefault(R->rank, k * sizeof *R->rank);
	compat_prefault(R->trank, k * sizeof *R->trank);
}

/* One half of the copy: the entries [lo, hi), their articles, topics,
 * related stories and paths placed from at on. Nothing another half
 * writes. */
struct rec_fill {
	struct store *s;
	struct rec_load *R;
	const struct loader *L;
	size_t lo, hi;
	struct rec_at at;
};

static void rec_article(struct rec_fill *F, size_t id)
{
	struct rec_load *R = F->R;
	struct store_lazy *lz = R->lz;
	struct cache_record r;
	cache_record(R->c, id, &r);
	const char *rest = rec_rest(R, F->L, id, &r);
	size_t i = F->at.article++;
	F->s->v[i] = NULL;
	lz->entry[i] = (uint32_t)id + 1;
	lz->rec[i] = (struct lazy_rec){.date = r.date,
				       .quality = r.quality,
				       .heat = r.heat,
				       .provider = r.provider,
				       .type = r.type,
				       .topic_at = (uint32_t)F->at.topic,
				       .ntopics = (uint16_t)r.ntopics,
				       .has = r.has};
	for (uint32_t k = 0; k < r.ntopics; k++)
		lz->topic_ids[F->at.topic++] = cache_record_topic(R->c, r.topic_at + k);
	lz->rel_at[i] = F->at.rel;
	for (uint32_t k = 0; k < r.nrelated; k++)
		lz->rel[F->at.rel++] = cache_record_related(R->c, r.rel_at + k);
	memcpy(lz->urls + 3 * i, r.urls, sizeof r.urls);
	lz->has_urls[i] = r.has_urls;
	/* the path: the root as given, a slash, the rest of the key */
	char *p = lz->paths + F->at.path;
	lz->path_at[i] = F->at.path;
	memcpy(p, R->root, R->root_len);
	p[R->root_len - 1] = '/';
	size_t rl = strlen(rest) + 1;
	memcpy(p + R->root_len, rest, rl);
	F->at.path += R->root_len + rl;
	R->rank[i] = r.rank;
	R->trank[i] = r.has_title ? r.title_rank : CACHE_NO_RANK;
}

static void *rec_fill_main(void *arg)
{
	struct rec_fill *F = arg;
	for (size_t id = F->lo; id < F->hi; id++)
		if (F->R->take[id])
			rec_article(F, id);
	return NULL;
}

/* From this many entries on, the second half is copied on a thread: a
 * thread costs some tens of microseconds, so from very few (and the tests'
 * small archives take the path a million articles take). */
enum { REC_THREAD_MIN = 2 };

/* The records of the articles rec_plan took copied, in two halves. */
static void rec_copy(struct store *s, struct rec_load *R, const struct loader *L, size_t n)
{
	struct rec_fill first = {s, R, L, 0, R->split, {0}};
	struct rec_fill second = {s, R, L, R->split, n, R->half};
	pthread_t tid;
	bool started = false;
	if (n >= REC_THREAD_MIN)
		started = worker_spawn(&tid, rec_fill_main, &second);
	rec_fill_main(&first);
	if (started)
		pthread_join(tid, NULL);
	else
		rec_fill_main(&second);
	struct store_lazy *lz = R->lz;
	s->n = R->total.article;
	lz->ntopic_ids = R->total.topic;
	lz->nrel = R->total.rel;
	lz->rel_at[s->n] = lz->nrel;
	lz->npaths = R->total.path;
}

/* The tie order of the articles loaded, from their places in the cache's:
 * a subset of a sorted list is sorted. */
static void rec_tie_order(struct store *s, struct rec_load *R)
{
	struct store_lazy *lz = R->lz;
	uint32_t *at = xcalloc(R->narticles ? R->narticles : 1, sizeof *at);
	for (size_t i = 0; i < s->n; i++)
		at[R->rank[i]] = (uint32_t)i + 1;
	uint32_t *order = xmalloc((s->n ? s->n : 1) * sizeof *order);
	unsigned char *same = xcalloc(s->n ? s->n : 1, 1);
	size_t k = 0, ntitled = 0;
	for (size_t r = 0; r < R->narticles; r++) {
		if (!at[r])
			continue;
		uint32_t i = at[r] - 1;
		order[k] = i;
		if (R->trank[i] != CACHE_NO_RANK) {
			ntitled++;
			same[k] = k && R->trank[order[k - 1]] == R->trank[i];
		}
		k++;
	}
	free(at);
	lz->tie_order = order;
	lz->same_title = same;
	lz->ntitled = ntitled;
	lz->tie_n = s->n;
}

/* Nothing of a load from the records kept: the problems it added since
 * problems0 taken back. */
static void rec_discard(struct store *s, struct rec_load *R, size_t problems0)
{
	while (s->problems.n > problems0)
		free(s->problems.v[--s->problems.n]);
	s->n = 0;
	s->not_articles = 0;
	lazy_free(R->lz);
	free(R->rank);
	free(R->trank);
}

/* The records' store made s's, with what its check needs. */
static void rec_finish(struct store *s, struct rec_load *R, const struct loader *L)
{
	struct store_lazy *lz = R->lz;
	lz->n = s->n;
	rec_tie_order(s, R);
	free(R->rank);
	free(R->trank);
	s->lazy = lz;
	s->nfiles += R->files;
	if (R->damaged)
		strlist_push(&s->warnings, cache_damage_message(R->c, R->damaged));
	lz->nroots = L->nroots;
	lz->roots = xcalloc(L->nroots, sizeof *lz->roots);
	for (size_t i = 0; i < L->nroots; i++)
		lz->roots[i] = xstrdup(L->roots[i]);
	lz->opts = *L->opts;
	lz->cache_path = xstrdup(L->opts->cache_path);
	s->load_problems = s->problems.n;
	s->check_due = true;
	s->from_records = true;
}

/* Load from the cache's records (store_opts.from_cache, one path given:
 * the records rank by key, which orders as the paths only under one
 * root); false, with nothing kept, when they cannot be used (damaged:
 * said, then the load from the entries) or give no article. */
static bool load_from_records(struct store *s, const struct loader *base)
{
	struct cache *c = (struct cache *)base->cache;
	char *err;
	int usable = cache_records(c, &err);
	if (err)
		strlist_push(&s->warnings, err);
	if (usable != 1 || base->nroots != 1)
		return false;
	struct loader L = *base;
	loader_key_roots(&L);
	size_t n = cache_count(c);
	struct rec_load R = {.c = c, .rdr = cache_reader_new(c), .max = L.max, .root = L.roots[0]};
	R.root_len = strlen(R.root);
	/* a path is the root, a slash unless it ends in one, the rest */
	R.root_len += !R.root_len || R.root[R.root_len - 1] != '/';
	R.key_root_len = strlen(L.root_keys[0]);
	R.lz = lazy_new(n, R.max);
	R.take = xcalloc(n ? n : 1, 1);
	size_t problems0 = s->problems.n;
	bool ok = rec_names(&R);
	if (ok) {
		rec_plan(s, &R, &L, n);
		rec_alloc(s, &R, n);
		rec_copy(s, &R, &L, n);
	}
	free(R.take);
	cache_reader_free(R.rdr);
	buf_free(&R.path);
	cache_records_release(c); /* copied: the file keeps them */
	ok = ok && s->n;
	if (ok)
		rec_finish(s, &R, &L);
	else
		rec_discard(s, &R, problems0);
	loader_free(&L);
	return ok;
}

/* The usual load, of what the walk finds: merged into s (streamed unless
 * it is lazy), the cache rewritten when it no longer matches. Returns the
 * cache, which op opened when it is not NULL. */
static struct cache *walk_and_load(struct store *s, struct loader *L, struct opener *op,
				   const char *cache_path)
{
	struct cache *cache = (struct cache *)L->cache;
	if (cache_path)
		loader_key_roots(L);
	if (!L->lazy)
		stream_start(L, s);
	scan_and_load(L, L->roots, L->nroots, &s->problems);
	if (op) { /* opened: said first, as an open before the walk is */
		cache = op->cache;
		if (op->err)
			strlist_push(&s->warnings, op->err);
	}
	s->nfiles += L->found;
	for (size_t t = 0; t < L->nthreads; t++)
		slab_move(&s->slab, &L->ctx[t].slab);
	slab_move(&s->slab, &L->paths);
	/* An archive that is gone: an empty cache says so. */
	if (L->writer && (L->found || (cache && cache_count(cache)))) {
		if (L->stream && L->opts && L->opts->commit_behind)
			commit_behind(s, L, cache_path);
		else if (L->stream)
			update_cache_noted(s, L->writer, L, cache_path);
		else
			update_cache(s, L->writer, L, cache_path);
	}
	loader_free(L);
	if (L->stream)
		stream_finish(L, s);
	else
		merge_slots(s, L);
	return cache;
}

/* ---- linking behind the first screen ----
 *
 * A warm start from the records has everything the first screen shows
 * once they are copied; the URL index and the backlinks, a few hundred
 * milliseconds at a million articles, are made on another thread
 * meanwhile. What they write (the index, the aliases, the backlinks, the
 * related stories' local articles) nobody reads before links_wait: every
 * function that reads them, or changes the articles, waits first. */
struct store_linker {
	pthread_t tid;
	pthread_mutex_t mu;
	atomic_bool joined;
	atomic_bool done; /* the thread has made them: a join waits no more */
};

static void *link_main(void *arg)
{
	struct store *s = arg;
	/* behind the first screen: the keys come first */
	compat_lower_thread_priority();
	const struct store_opts *o = &s->lazy->opts;
	if (o->before_link)
		o->before_link(o->before_link_ctx);
	link_related(s);
	link_backlinks(s);
	atomic_store_explicit(&s->linker->done, true, memory_order_release);
	return NULL;
}

/* Start linking s on a thread; false when none could be made. */
static bool links_start(struct store *s)
{
	struct store_linker *k = xcalloc(1, sizeof *k);
	pthread_mutex_init(&k->mu, NULL);
	atomic_init(&k->joined, false);
	atomic_init(&k->done, false);
	s->linker = k; /* before the thread, which reads it */
	if (!worker_spawn(&k->tid, link_main, s)) {
		s->linker = NULL;
		pthread_mutex_destroy(&k->mu);
		free(k);
		return false;
	}
	return true;
}

/* The links made (waiting for them if need be), from any thread. */
static void links_wait(const struct store *s)
{
	struct store_linker *k = s->linker;
	if (!k || atomic_load_explicit(&k->joined, memory_order_acquire))
		return;
	pthread_mutex_lock(&k->mu);
	if (!atomic_load_explicit(&k->joined, memory_order_relaxed)) {
		pthread_join(k->tid, NULL);
		atomic_store_explicit(&k->joined, true, memory_order_release);
	}
	pthread_mutex_unlock(&k->mu);
}

static void origin_keep(struct store *s, const char *const *paths, size_t n,
			const struct store_opts *opts, size_t max);

void store_load(struct store *s, const char *const *paths, size_t n,
		const struct store_opts *opts)
{
	const char *cache_path = opts ? opts->cache_path : NULL;
	/* Made before the first stat: see cache_writer_new(). */
	struct cache_writer *writer = cache_path ? cache_writer_new() : NULL;
	/* A load that is not lazy needs its cache only once the workers
	 * start; a lazy one decides how to load by it. */
	struct opener op = {.path = cache_path};
	bool async = cache_path && !(opts && opts->lazy) && open_async(&op);
	struct cache *cache = cache_path && !async ? open_cache(s, cache_path) : NULL;
	struct reporter rep = {0};
	if (opts && opts->progress) {
		int after = opts->progress_after_ms ? opts->progress_after_ms : PROGRESS_AFTER_MS;
		rep.fn = opts->progress;
		rep.ctx = opts->progress_ctx;
		rep.due = now_ns() + (int64_t)(after > 0 ? after : 0) * 1000000;
	}
	struct loader L = {
		.opts = opts,
		.cache = cache,
		.writer = writer,
		.want_stat = cache_path != NULL,
		/* verdicts where articles are not kept whole to match later */
		.only = opts && (cache_path || opts->list_only) ? opts->match_only : NULL,
		/* one cache a store: only a first load is lazy */
		.lazy = cache && opts && opts->lazy && !opts->list_only && !opts->match_only &&
			!s->n && !s->lazy,
		.max = opts && opts->max_file_size ? opts->max_file_size : STORE_DEFAULT_MAX_FILE,
		.rep = &rep,
		.roots = paths,
		.nroots = n,
		.lent = opts && opts->list_only,
		.opening = async ? &op : NULL,
	};
	struct lazy_names names = {0};
	L.names = &names;
	bool loaded = L.lazy && opts->from_cache && cache_count(cache) && all_dirs(paths, n) &&
		      (load_from_records(s, &L) || load_from_entries(s, &L));
	if (!loaded)
		cache = walk_and_load(s, &L, async ? &op : NULL, cache_path);
	names_free(&names); /* what no merge took */
	if (rep.called)
		rep.fn(rep.ctx, s->nfiles, s->nfiles);
	cache_writer_free(L.writer); /* NULL when a commit behind took it */
	if (s->lazy) {
		s->lazy->cache = cache; /* kept: the articles are decoded from it */
		/* what the load freed (its slots, the scan's paths, the
		 * decoders' scratch) is a sixth of what stays: back to the
		 * system rather than resident for the whole run */
		compat_release_free_memory();
	} else {
		cache_close(cache);
	}
	if (opts && opts->lazy && !s->origin)
		origin_keep(s, paths, n, opts, L.max); /* the reader's: it may reload */
	enum store_linking how = opts ? opts->linking : STORE_LINK_ALL;
	if (how == STORE_LINK_ALL && s->from_records && links_start(s))
		return;
	if (how != STORE_LINK_NONE)
		link_related(s);
	else
		dups_by_table(s);
	if (how == STORE_LINK_ALL)
		link_backlinks(s);
}

size_t store_matches(const struct store *s, size_t *out)
{
	size_t n = 0;
	for (size_t i = 0; s->matched && i < s->n; i++)
		if (s->matched[i] && store_dup_of(s, i) < 0)
			out[n++] = i;
	return n;
}

/* Index the URL whose hash_str is h as article idx's; returns the
 * article that holds it, idx or an earlier one. */
static long index_hash(struct store *s, uint64_t h, size_t idx)
{
	size_t mask = s->nslots - 1;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		struct url_slot *sl = &s->slots[i];
		if (!sl->used) {
			*sl = (struct url_slot){h, (uint32_t)idx, 1};
			return (long)idx;
		}
		if (sl->hash == h)
			return (long)sl->idx; /* the first article keeps the URL */
	}
}

/* Index url as article idx's; the article that holds it, or -1 for no
 * URL. */
static long index_url(struct store *s, const char *url, size_t idx)
{
	return url && *url ? index_hash(s, hash_str(url), idx) : -1;
}

static int cmp_web_alias(const void *a, const void *b)
{
	const struct web_alias *x = a, *y = b;
	if (x->holder != y->holder)
		return x->holder < y->holder ? -1 : 1;
	return (x->idx > y->idx) - (x->idx < y->idx);
}

/* The first alias of holder, by binary search (nweb_aliases if none). */
static size_t first_alias(const struct store *s, uint32_t holder)
{
	size_t lo = 0, hi = s->nweb_aliases;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->web_aliases[mid].holder < holder)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool has_web_url(const struct store *s, size_t i, const char *url)
{
	return store_web_url_is(s, i, url);
}

long store_next_web_url(const struct store *s, const char *url, long after)
{
	links_wait(s);
	long j = store_find_url(s, url);
	if (j < 0 || (size_t)j >= s->nlinked)
		return -1;
	if (j > after && has_web_url(s, (size_t)j, url))
		return j;
	for (size_t k = first_alias(s, (uint32_t)j);
	     k < s->nweb_aliases && s->web_aliases[k].holder == (uint32_t)j; k++) {
		size_t i = s->web_aliases[k].idx;
		if ((long)i > after && has_web_url(s, i, url))
			return (long)i;
	}
	return -1;
}

static long find_hash(const struct store *s, uint64_t h);

long store_find_url(const struct store *s, const char *url)
{
	links_wait(s);
	/* an empty URL is never indexed */
	return url && *url ? find_hash(s, hash_str(url)) : -1;
}

size_t store_url_max_probe(const struct store *s)
{
	links_wait(s);
	size_t mask = s->nslots - 1, most = 0;
	for (size_t i = 0; i < s->nslots; i++) {
		if (!s->slots[i].used)
			continue;
		/* the slot's distance from where its hash puts it, plus one */
		size_t home = s->slots[i].hash & mask;
		size_t probes = ((i - home) & mask) + 1;
		if (probes > most)
			most = probes;
	}
	return most;
}

/* The article holding the URL whose hash_str is h, or -1. */
static long find_hash(const struct store *s, uint64_t h)
{
	if (!s->nslots)
		return -1;
	size_t mask = s->nslots - 1;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		const struct url_slot *sl = &s->slots[i];
		if (!sl->used)
			return -1;
		if (sl->hash == h)
			return (long)sl->idx;
	}
}

static void set_locals(const struct store *s, struct article *a)
{
	for (size_t r = 0; r < a->nrelated; r++)
		a->related[r].local = store_find_url(s, a->related[r].web_url);
}

/* The related stories' local articles of the lazy articles, from their
 * hashes, and of those decoded whole since, from their URLs. */
static void link_lazy(struct store *s)
{
	struct store_lazy *lz = s->lazy;
	free(lz->local);
	lz->local = xmalloc((lz->nrel ? lz->nrel : 1) * sizeof *lz->local);
	for (size_t k = 0; k < lz->nrel; k++) {
		if (k + 8 < lz->nrel) /* as prefetch_slot, eight lookups ahead */
			__builtin_prefetch(&s->slots[lz->rel[k + 8] & (s->nslots - 1)]);
		lz->local[k] = (int32_t)find_hash(s, lz->rel[k]);
	}
	for (size_t i = 0; i < lz->n; i++)
		if (lz->full[i])
			set_locals(s, lz->full[i]);
}

/* How many related stories article i has for linking, and the local
 * article of the r-th (-1: none): a lazy article's from its hashes. */
static size_t nlinks(const struct store *s, size_t i)
{
	const struct store_lazy *lz = s->lazy;
	if (store_is_hidden(s, i))
		return 0;
	if (lz && i < lz->n && lz->entry[i])
		return lz->rel_at[i + 1] - lz->rel_at[i];
	return s->v[i] ? s->v[i]->nrelated : 0; /* a row keeps none */
}

static long link_target(const struct store *s, size_t i, size_t r)
{
	const struct store_lazy *lz = s->lazy;
	if (lz && i < lz->n && lz->entry[i])
		return lz->local[lz->rel_at[i] + r];
	return s->v[i]->related[r].local;
}

/* Article i's webUrl, originalUrl and ampWebUrl into the index, in that
 * order (a lazy article's from the hashes its loading thread took);
 * returns the article holding its webUrl, or -1 for none. */
static long index_urls(struct store *s, size_t i)
{
	const struct store_lazy *lz = s->lazy;
	if (store_is_hidden(s, i))
		return -1; /* no longer listed: no link leads to it */
	if (!store_is_lazy(s, i)) {
		struct article tmp;
		const struct article *a = art_at(s, i, &tmp);
		long holder = index_url(s, a->web_url, i);
		index_url(s, a->original_url, i);
		index_url(s, a->amp_web_url, i);
		return holder;
	}
	long holder = -1;
	for (unsigned k = 0; k < 3; k++) {
		if (!(lz->has_urls[i] >> k & 1))
			continue;
		long at = index_hash(s, lz->urls[3 * i + k], i);
		if (k == 0)
			holder = at;
	}
	return holder;
}

/* Fetch ahead the slot where article i's webUrl goes: the inserts are
 * random reads of a table of megabytes, each else a wait for memory. */
static void prefetch_slot(const struct store *s, size_t i)
{
	if (i < s->n && store_is_lazy(s, i))
		__builtin_prefetch(&s->slots[s->lazy->urls[3 * i] & (s->nslots - 1)]);
}

/* ---- identity ----
 *
 * A story's identity is its webUrl, else its originalUrl, else its path
 * (article_identity). Most archives give every story a webUrl, and the URL
 * index finds the articles of one; a site's videos and samples have only
 * an originalUrl, and its profiles no URL at all: those are found by a
 * table of their identities' hashes, made with the URL index, so that a
 * mark looks up a few articles, never all of them. */
static void index_without_web(struct store *s)
{
	free(s->without_web);
	s->without_web = NULL;
	s->nwithout_web = 0;
	size_t cap = 0;
	for (size_t i = 0; i < s->n; i++) {
		if (store_is_hidden(s, i) || store_has_web_url(s, i))
			continue;
		s->without_web = xgrow(s->without_web, &cap, s->nwithout_web + 1,
				       sizeof *s->without_web);
		s->without_web[s->nwithout_web++] =
			(struct rank_kv32){(uint32_t)(store_identity_hash(s, i) >> 32), (uint32_t)i};
	}
	rank_sort_kv32(s->without_web, s->nwithout_web); /* stable: by article within a key */
}

/* Is article i, listed, one of identity id (hashed h)? A lazy article by
 * the hash, a whole one by the string too. */
static bool is_identity(const struct store *s, size_t i, const char *id, uint64_t h)
{
	struct article tmp;
	return !store_is_hidden(s, i) && store_identity_hash(s, i) == h &&
	       (store_is_lazy(s, i) || !strcmp(article_identity(art_at(s, i, &tmp)), id));
}

/* The first article after `after` of those with no webUrl whose identity
 * is id (hashed h), from their table: a binary search, then the few of
 * one key. */
static long next_without_web(const struct store *s, const char *id, uint64_t h, long after)
{
	const struct rank_kv32 *v = s->without_web;
	uint32_t key = (uint32_t)(h >> 32);
	size_t lo = 0, hi = s->nwithout_web;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t k = lo; k < s->nwithout_web && v[k].key == key; k++) {
		size_t i = v[k].idx;
		if ((long)i > after && i < s->nlinked && is_identity(s, i, id, h))
			return (long)i;
	}
	return -1;
}

long store_next_identity(const struct store *s, const char *id, long after)
{
	uint64_t h = hash_str(id); /* hashed once */
	if (store_links_ready(s)) {
		/* the articles with a webUrl by the URL index, the others by
		 * their table: the nearer of the two */
		long web = store_next_web_url(s, id, after);
		long other = s->nwithout_web ? next_without_web(s, id, h, after) : -1;
		return web < 0 ? other : other < 0 || web < other ? web : other;
	}
	/* While the links are made behind the first screen, a scan of every
	 * identity's hash finds what the indexes would: 20 to 50 ms at a
	 * million articles, so the reader's marks leave the other articles
	 * of an identity until the links are made (marksync.h). */
	for (size_t i = after < 0 ? 0 : (size_t)after + 1; i < s->n; i++)
		if (is_identity(s, i, id, h))
			return (long)i;
	return -1;
}

/* ---- duplicates ----
 *
 * One story in two files (the same webUrl): the first loaded leads, the
 * others are listed nowhere. Rare, so kept as sorted pairs. */

/* Article i's webUrl hashed with hash_str, as the URL index has it (a
 * lazy article's from its record); false for none, or i hidden. */
static bool web_hash(const struct store *s, size_t i, uint64_t *h)
{
	if (store_is_hidden(s, i))
		return false;
	if (store_is_lazy(s, i)) {
		*h = s->lazy->urls[3 * i];
		return s->lazy->has_urls[i] & 1;
	}
	/* a row's webUrl without a view of it made (this runs for every
	 * article of a printing mode's load) */
	const struct list_row *r = row_at(s, i);
	const char *u = r ? list_row_web_url(r) : s->v[i] ? s->v[i]->web_url : NULL;
	if (!u || !*u)
		return false;
	*h = hash_str(u);
	return true;
}

static int cmp_dup(const void *a, const void *b)
{
	const struct web_alias *x = a, *y = b;
	if (x->idx != y->idx)
		return x->idx < y->idx ? -1 : 1;
	return 0;
}

/* The pairs (lead, dup) found, pairs[0..n) (taken), into the store's two
 * orders. */
static void dups_keep(struct store *s, struct web_alias *pairs, size_t n)
{
	free(s->dups_by_lead);
	free(s->dups_by_dup);
	s->dups_by_lead = s->dups_by_dup = NULL;
	s->ndups = n;
	if (!n) {
		free(pairs);
		return;
	}
	s->dups_by_dup = xmalloc(n * sizeof *pairs);
	memcpy(s->dups_by_dup, pairs, n * sizeof *pairs);
	qsort(s->dups_by_dup, n, sizeof *pairs, cmp_dup);
	qsort(pairs, n, sizeof *pairs, cmp_web_alias);
	s->dups_by_lead = pairs;
}

/* From the URL index's aliases, sorted by holder: an alias whose webUrl
 * is its holder's is the holder's duplicate; else (the holder has that
 * URL as its originalUrl or ampWebUrl) the first alias of the holder with
 * that webUrl leads the others. */
static void dups_from_aliases(struct store *s)
{
	struct web_alias *pairs = NULL;
	size_t n = 0, cap = 0;
	for (size_t g = 0; g < s->nweb_aliases;) {
		uint32_t holder = s->web_aliases[g].holder;
		size_t end = g;
		while (end < s->nweb_aliases && s->web_aliases[end].holder == holder)
			end++;
		uint64_t hh, h, h2;
		bool holder_web = web_hash(s, holder, &hh);
		for (size_t k = g; k < end; k++) {
			uint32_t i = s->web_aliases[k].idx;
			if (!web_hash(s, i, &h))
				continue;
			long lead = holder_web && hh == h ? (long)holder : -1;
			for (size_t k2 = g; lead < 0 && k2 < k; k2++)
				if (web_hash(s, s->web_aliases[k2].idx, &h2) && h2 == h)
					lead = s->web_aliases[k2].idx;
			if (lead < 0)
				continue; /* the first with this webUrl */
			pairs = xgrow(pairs, &cap, n + 1, sizeof *pairs);
			pairs[n++] = (struct web_alias){(uint32_t)lead, i};
		}
		g = end;
	}
	dups_keep(s, pairs, n);
}

/* Articles whose slots dups_by_table fetches ahead of their turn. */
enum { DUPS_AHEAD = 16 };

/* Without a URL index: a table of the webUrls alone. */
static void dups_by_table(struct store *s)
{
	size_t want = 16;
	while (want < s->n * 2)
		want *= 2;
	struct url_slot *t = xcalloc(want, sizeof *t);
	struct web_alias *pairs = NULL;
	size_t n = 0, cap = 0;
	/* the hashes of the next DUPS_AHEAD articles (has[]: whether each
	 * has a webUrl), their slots fetched ahead: at a million articles
	 * the table is far bigger than the caches, a miss a slot else */
	uint64_t ahead[DUPS_AHEAD];
	bool has[DUPS_AHEAD];
	for (size_t j = 0; j < DUPS_AHEAD && j < s->n; j++)
		if ((has[j] = web_hash(s, j, &ahead[j])))
			__builtin_prefetch(&t[ahead[j] & (want - 1)], 1);
	for (size_t i = 0; i < s->n; i++) {
		size_t r = i % DUPS_AHEAD;
		uint64_t h = ahead[r];
		bool ok = has[r];
		if (i + DUPS_AHEAD < s->n && (has[r] = web_hash(s, i + DUPS_AHEAD, &ahead[r])))
			__builtin_prefetch(&t[ahead[r] & (want - 1)], 1);
		if (!ok)
			continue;
		size_t at = h & (want - 1);
		while (t[at].used && t[at].hash != h)
			at = (at + 1) & (want - 1);
		if (!t[at].used) {
			t[at] = (struct url_slot){h, (uint32_t)i, 1};
			continue;
		}
		pairs = xgrow(pairs, &cap, n + 1, sizeof *pairs);
		pairs[n++] = (struct web_alias){t[at].idx, (uint32_t)i};
	}
	free(t);
	dups_keep(s, pairs, n);
}

long store_dup_of(const struct store *s, size_t i)
{
	links_wait(s);
	size_t lo = 0, hi = s->ndups;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->dups_by_dup[mid].idx < i)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->ndups && s->dups_by_dup[lo].idx == i ? (long)s->dups_by_dup[lo].holder
							      : -1;
}

long store_next_dup(const struct store *s, size_t lead, long after)
{
	links_wait(s);
	size_t lo = 0, hi = s->ndups;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->dups_by_lead[mid].holder < lead)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < s->ndups && s->dups_by_lead[lo].holder == lead; lo++)
		if ((long)s->dups_by_lead[lo].idx > after)
			return (long)s->dups_by_lead[lo].idx;
	return -1;
}

size_t store_ndups(const struct store *s)
{
	links_wait(s);
	return s->ndups;
}

/* The URL index, and every related story's local article. */
static void link_related(struct store *s)
{
	free(s->slots);
	/* room for the articles' URLs at a load of at most two thirds (a lazy
	 * article's counted from its hashes) */
	size_t urls = 0;
	for (size_t i = 0; i < s->n; i++) {
		if (store_is_lazy(s, i)) {
			unsigned h = s->lazy->has_urls[i];
			urls += (h & 1) + (h >> 1 & 1) + (h >> 2 & 1);
			continue;
		}
		struct article tmp;
		const struct article *a = art_at(s, i, &tmp);
		urls += (a->web_url && *a->web_url) + (a->original_url && *a->original_url) +
			(a->amp_web_url && *a->amp_web_url);
	}
	size_t want = 16;
	while (want < urls * 3 / 2)
		want *= 2;
	s->nslots = want;
	s->slots = xcalloc(want, sizeof *s->slots);
	free(s->web_aliases);
	s->web_aliases = NULL;
	s->nweb_aliases = 0;
	size_t capaliases = 0;
	for (size_t i = 0; i < s->n; i++) {
		prefetch_slot(s, i + 8);
		long holder = index_urls(s, i);
		if (holder >= 0 && (size_t)holder != i) {
			/* rare: a webUrl an earlier article holds */
			s->web_aliases = xgrow(s->web_aliases, &capaliases, s->nweb_aliases + 1,
					       sizeof *s->web_aliases);
			s->web_aliases[s->nweb_aliases++] =
				(struct web_alias){(uint32_t)holder, (uint32_t)i};
		}
	}
	if (s->nweb_aliases)
		qsort(s->web_aliases, s->nweb_aliases, sizeof *s->web_aliases, cmp_web_alias);
	dups_from_aliases(s);

	/* Resolve related stories. */
	for (size_t i = 0; i < s->n; i++) {
		struct article *a = s->v[i];
		for (size_t r = 0; a && r < a->nrelated; r++)
			a->related[r].local = store_find_url(s, a->related[r].web_url);
	}
	if (s->lazy)
		link_lazy(s);
	index_without_web(s);
	/* what backlinks there were are for the articles of before */
	free(s->backlink_start);
	free(s->backlinks);
	s->backlink_start = s->backlinks = NULL;
	s->nlinked = 0;
}

/* Every article's backlinks, from the related stories' local articles. */
static void link_backlinks(struct store *s)
{
	/* Count backlinks per target. */
	s->backlink_start = xcalloc(s->n + 1, sizeof *s->backlink_start);
	size_t total = 0;
	for (size_t i = 0; i < s->n; i++) {
		for (size_t r = 0, nr = nlinks(s, i); r < nr; r++) {
			long t = link_target(s, i, r);
			if (t >= 0 && (size_t)t != i) {
				s->backlink_start[t + 1]++;
				total++;
			}
		}
	}
	for (size_t i = 0; i < s->n; i++)
		s->backlink_start[i + 1] += s->backlink_start[i];
	s->backlinks = xmalloc((total ? total : 1) * sizeof *s->backlinks);
	size_t *fill = xcalloc(s->n + 1, sizeof *fill);
	for (size_t i = 0; i < s->n; i++) {
		for (size_t r = 0, nr = nlinks(s, i); r < nr; r++) {
			long t = link_target(s, i, r);
			if (t < 0 || (size_t)t == i)
				continue;
			/* one backlink per article, even if it names the target twice */
			size_t b0 = s->backlink_start[t], *at = &fill[t];
			if (*at && s->backlinks[b0 + *at - 1] == i)
				continue;
			s->backlinks[b0 + (*at)++] = i;
		}
	}
	/* Close the gaps left by duplicates. */
	size_t out = 0;
	for (size_t t = 0; t < s->n; t++) {
		size_t b0 = s->backlink_start[t];
		s->backlink_start[t] = out;
		for (size_t k = 0; k < fill[t]; k++)
			s->backlinks[out++] = s->backlinks[b0 + k];
	}
	s->backlink_start[s->n] = out;
	s->nlinked = s->n;
	free(fill);
}

void store_link(struct store *s)
{
	links_wait(s);
	link_related(s);
	link_backlinks(s);
}

bool store_links_ready(const struct store *s)
{
	const struct store_linker *k = s->linker;
	return !k || atomic_load_explicit(&k->joined, memory_order_acquire) ||
	       atomic_load_explicit(&k->done, memory_order_acquire);
}

void store_links_settle(const struct store *s)
{
	links_wait(s);
}

const size_t *store_backlinks(const struct store *s, size_t i, size_t *n)
{
	links_wait(s);
	if (i >= s->nlinked || !s->backlink_start) {
		*n = 0;
		return NULL;
	}
	*n = s->backlink_start[i + 1] - s->backlink_start[i];
	return s->backlinks + s->backlink_start[i];
}

static void lazy_free(struct store_lazy *lz)
{
	if (!lz)
		return;
	for (size_t i = 0; i < lz->n; i++)
		article_free(lz->full[i]);
	free(lz->full);
	for (size_t k = 0; k < lz->nunlinked; k++)
		article_free(lz->unlinked[k].a);
	free(lz->unlinked);
	free(lz->entry);
	if (lz->map_rel)
		compat_unmap(lz->rel, lz->map_rel);
	else
		free(lz->rel);
	free(lz->local);
	free(lz->rel_at);
	free(lz->urls);
	free(lz->has_urls);
	free(lz->rec);
	names_free(&lz->names);
	if (lz->map_topics)
		compat_unmap(lz->topic_ids, lz->map_topics);
	else
		free(lz->topic_ids);
	if (lz->map_paths)
		compat_unmap(lz->paths, lz->map_paths);
	else
		free(lz->paths);
	free(lz->path_at);
	free(lz->tie_order);
	free(lz->same_title);
	for (size_t k = 0; k < ROW_RING; k++)
		article_free(lz->ring[k]);
	for (size_t i = 0; i < lz->nroots; i++)
		free(lz->roots[i]);
	free(lz->roots);
	free(lz->cache_path);
	for (size_t i = 0; i < lz->nskipped; i++)
		free(lz->skipped_path[i]);
	free(lz->skipped_path);
	free(lz->skipped_entry);
	cache_reader_free(lz->rdr);
	cache_reader_free(lz->row_rdr);
	cache_close(lz->cache);
	free(lz);
}

static void check_free(struct store_check *c);
static void origin_free(struct store_origin *o);

void store_free(struct store *s)
{
	store_commit_wait(s);
	links_wait(s);
	if (s->linker)
		pthread_mutex_destroy(&s->linker->mu);
	free(s->linker);
	check_free(s->check); /* before the cache it reads goes */
	origin_free(s->origin);
	free(s->hidden);
	lazy_free(s->lazy);
	for (size_t i = 0; i < s->n; i++)
		article_free(s->v[i]);
	slab_free(&s->slab); /* the rows and their strings */
	free(s->v);
	free(s->rows);
	strlist_free(&s->problems);
	strlist_free(&s->warnings);
	free(s->slots);
	free(s->web_aliases);
	free(s->without_web);
	free(s->dups_by_lead);
	free(s->dups_by_dup);
	free(s->backlink_start);
	free(s->backlinks);
	free(s->matched);
	cluster_free(s->clusters);
	memset(s, 0, sizeof *s);
}

/* ---- lazy articles ---- */

bool store_is_lazy(const struct store *s, size_t i)
{
	return s->lazy && i < s->lazy->n && s->lazy->entry[i];
}

/* Article i's file read and parsed again, its entry found damaged; NULL
 * when it cannot be. The problems of the file were met at the load: only
 * the damage is one more. */
static struct article *reread(struct store *s, size_t i)
{
	const char *path = store_path(s, i);
	char *data;
	size_t len;
	struct article *a = NULL;
	struct strlist ignored = {0};
	if (read_file(path, s->lazy->max_file, &data, &len) == 0) {
		a = parse_article(path, data, len, &ignored);
		free(data);
	}
	strlist_free(&ignored);
	struct buf b = {0};
	buf_put_safe(&b, path, strlen(path));
	buf_puts(&b, a ? ": its cache entry was damaged since loading; read from the file again"
		       : ": its cache entry was damaged since loading and the file cannot be "
			 "read: only its list fields are shown");
	strlist_push(&s->problems, b.data);
	s->late_problems++;
	s->last_late_problem = b.data;
	return a;
}

/* The articles decoded while the links were made, now that they are:
 * their local articles set, and kept in full[] with the others. */
static void unlinked_flush(struct store *s)
{
	struct store_lazy *lz = s->lazy;
	for (; lz && lz->nunlinked; lz->nunlinked--) {
		struct unlinked *u = &lz->unlinked[lz->nunlinked - 1];
		set_locals(s, u->a);
		lz->full[u->idx] = u->a;
	}
}

/* Article i decoded, and kept; its local articles set if the links are
 * made, else it waits among the unlinked until they are. */
static const struct article *article_of(struct store *s, size_t i)
{
	struct store_lazy *lz = s->lazy;
	if (!store_is_lazy(s, i))
		return s->v[i];
	bool linked = store_links_ready(s);
	if (linked)
		unlinked_flush(s);
	if (lz->full[i])
		return lz->full[i];
	for (size_t k = 0; k < lz->nunlinked; k++)
		if (lz->unlinked[k].idx == i)
			return lz->unlinked[k].a;
	if (!lz->rdr)
		lz->rdr = cache_reader_new(lz->cache);
	struct article *a = cache_read_article(lz->rdr, lz->entry[i] - 1, store_path(s, i));
	if (!a && !(a = reread(s, i)))
		a = lazy_stub_seen(s, i);
	if (linked) {
		set_locals(s, a);
		lz->full[i] = a;
	} else {
		lz->unlinked = xgrow(lz->unlinked, &lz->capunlinked, lz->nunlinked + 1,
				     sizeof *lz->unlinked);
		lz->unlinked[lz->nunlinked++] = (struct unlinked){(uint32_t)i, a};
	}
	return a;
}

const struct article *store_article(struct store *s, size_t i)
{
	if (i >= s->n)
		return NULL;
	links_wait(s); /* it sets the related stories' local articles */
	return article_of(s, i);
}

const struct article *store_article_early(struct store *s, size_t i)
{
	return i < s->n ? article_of(s, i) : NULL;
}

struct store_texts {
	const struct store *s;
	struct cache_reader *rdr; /* NULL without a lazy article */
	struct cache_text *v;     /* an article's, from its fields */
	size_t cap;
	struct article *stub;     /* a damaged lazy article's record, for v */
	struct article whole;     /* store_texts_article's, in rdr's scratch */
};

struct store_texts *store_texts_new(const struct store *s)
{
	struct store_texts *t = xcalloc(1, sizeof *t);
	t->s = s;
	if (s->lazy)
		t->rdr = cache_reader_new(s->lazy->cache);
	return t;
}

void store_texts_free(struct store_texts *t)
{
	if (!t)
		return;
	cache_reader_free(t->rdr);
	article_free(t->stub);
	free(t->v);
	free(t);
}

/* The texts of article a's searched fields, as a cache head holds them. */
static size_t texts_of_fields(struct store_texts *t, const struct article *a)
{
	const struct field_set *fs = fields_searched();
	size_t n = 0;
	for (size_t k = 0; k < fs->n; k++) {
		const struct field *f = fs->v[k];
		for (size_t j = 0, nt = fields_ntexts(f, a); j < nt; j++) {
			const char *x = fields_text(f, a, j);
			t->v = xgrow(t->v, &t->cap, n + 1, sizeof *t->v);
			t->v[n++] = (struct cache_text){x, strlen(x),
							(unsigned char)(f - fields_table)};
		}
	}
	return n;
}

size_t store_texts_of(struct store_texts *t, size_t i, const struct cache_text **out)
{
	const struct store *s = t->s;
	size_t n;
	const struct article *a = s->v[i];
	if (store_is_lazy(s, i)) {
		if (cache_read_texts(t->rdr, s->lazy->entry[i] - 1, out, &n) == 0)
			return n;
		article_free(t->stub);
		a = t->stub = lazy_stub(s, i);
	}
	n = texts_of_fields(t, a);
	*out = t->v;
	return n;
}

const struct article *store_texts_article(struct store_texts *t, size_t i)
{
	const struct store *s = t->s;
	if (!store_is_lazy(s, i))
		return s->v[i];
	struct cache_links links = {0};
	bool ok = cache_read_scratch(t->rdr, s->lazy->entry[i] - 1, store_path(s, i), &t->whole,
				     &links);
	free(links.related);
	if (ok)
		return &t->whole;
	article_free(t->stub);
	return t->stub = lazy_stub(s, i);
}

bool store_links_local(const struct store *s, size_t i)
{
	links_wait(s);
	const struct store_lazy *lz = s->lazy;
	if (i >= s->n || store_is_hidden(s, i) || (lz && i < lz->n && lz->entry[i] && !lz->local))
		return false; /* not linked */
	for (size_t r = 0, n = nlinks(s, i); r < n; r++)
		if (link_target(s, i, r) >= 0)
			return true;
	return false;
}

bool store_texts_match(struct store_texts *t, size_t i, const struct search *re,
		       struct search_space *sp)
{
	const struct cache_text *v;
	size_t n = store_texts_of(t, i, &v);
	for (size_t k = 0; k < n; k++)
		if (search_text_in(re, sp, v[k].s, v[k].len))
			return true;
	return false;
}

/* ---- the check after a load from the entries alone ---- */

size_t store_listed(const struct store *s)
{
	return s->n - s->nhidden;
}

bool store_is_hidden(const struct store *s, size_t i)
{
	return s->hidden && i < s->n && s->hidden[i];
}

/* What the check does to a loaded article. */
enum { KEEP, REPLACE, HIDE };

/* What a check walks again, kept from the reader's load (store_opts.lazy),
 * and what it compares the files with. */
struct store_origin {
	char **roots;
	size_t nroots;
	struct store_opts opts; /* the load's (its cache_path is cache_path) */
	char *cache_path;       /* NULL: none */
	size_t max;
	/* The cache that describes the store as it is now, file by file: the
	 * one the last check wrote (or, nothing changed since, the load's).
	 * NULL: none; then the lazy articles' own entries, or the load's
	 * cache while it is trusted, or nothing (every file read again). */
	struct cache *base;
	/* A load that was not lazy found or wrote its cache: the file is
	 * trusted as long as it is the same one (load_cache_st) and no check
	 * changed the store. */
	bool load_cache_trusted;
	struct stat load_cache_st;
	/* The files met that give no article, only problems, for a check to
	 * tell one changed or gone from one new. others_from_load: they are
	 * the lazy load's skipped files, in its order (its entries map to
	 * them). */
	char **others;
	size_t nothers;
	bool others_from_load;
	/* A whole load keeps no list of them: until a check has made one, a
	 * file read again that gives only problems is not counted new. */
	bool others_known;
};

/* The paths the store holds (the listed articles', then the others'), by
 * hash: index i < n for article i, n + k for other file k. */
struct path_map {
	uint32_t *slot; /* index + 1; 0 empty */
	size_t mask;
};

struct check_repl {
	size_t idx;
	struct article *a;
};

struct store_check {
	pthread_t tid;
	bool started;
	atomic_bool done;
	/* Set by check_free: the store is going, and the check's result
	 * with it: it stops, and writes no cache. */
	atomic_bool cancel;
	struct strlist warnings; /* the cache's, as a load's (store.warnings) */
	/* Given by the main thread at the start; it changes neither these
	 * nor the store's articles, paths and hidden marks until the join: */
	const struct store *s;
	const struct store_origin *o;
	const struct cache *cache; /* compared with; NULL: none */
	bool open_load_cache;      /* cache is the load's, opened by the check */
	struct cache *opened;
	bool by_path;              /* cache describes the store (loader.known_all) */
	size_t n;                  /* articles loaded */
	char **was;                /* the problems the load gave, copies */
	size_t nwas;
	uint32_t *known;           /* by entry: article + 1, n + 1 + other, or 0 */
	struct path_map map;
	struct cache_reader *rdr;  /* on the lazy articles' cache, to compare */
	/* The result, the thread's until done: */
	unsigned char *what;       /* KEEP, REPLACE or HIDE for article i */
	unsigned char *seen;       /* by the map's index */
	struct check_repl *repl;   /* for REPLACE */
	size_t nrepl, caprepl;
	struct article **added;    /* in scan order */
	size_t nadded, capadded;
	char **others;             /* the files now giving only problems */
	size_t nothers, capothers;
	struct strlist problems;   /* as a load now would give them */
	struct store_changes counts;
	int wrote;                 /* update_cache_noted's */
	struct cache *written;     /* the cache it wrote, opened */
};

static const char *known_path(const struct store_check *c, size_t i)
{
	return i < c->n ? store_path(c->s, i) : c->o->others[i - c->n];
}

static void path_map_build(struct path_map *m, const struct store_check *c)
{
	size_t total = c->n + c->o->nothers, want = 16;
	while (want < total * 2)
		want *= 2;
	m->slot = xcalloc(want, sizeof *m->slot);
	m->mask = want - 1;
	for (size_t i = 0; i < total; i++) {
		if (i < c->n && store_is_hidden(c->s, i))
			continue; /* its file met again is new */
		size_t at = hash_str(known_path(c, i)) & m->mask;
		while (m->slot[at])
			at = (at + 1) & m->mask;
		m->slot[at] = (uint32_t)i + 1;
	}
}

static long path_map_find(const struct path_map *m, const struct store_check *c,
			  const char *path)
{
	for (size_t at = hash_str(path) & m->mask; m->slot[at]; at = (at + 1) & m->mask)
		if (!strcmp(known_path(c, m->slot[at] - 1), path))
			return (long)m->slot[at] - 1;
	return -1;
}

/* Is a, parsed again from article k's file, what the store holds? A file
 * rewritten with the same bytes, or read again because its stat was too
 * recent to trust, changes nothing. Compared as the cache would store
 * them. */
static bool held_same(struct store_check *c, size_t k, const struct article *a)
{
	const struct store *s = c->s;
	struct article *decoded = NULL;
	const struct article *held = s->v[k];
	if (store_is_lazy(s, k)) {
		if (!c->rdr)
			c->rdr = cache_reader_new(s->lazy->cache);
		held = decoded = cache_read_article(c->rdr, s->lazy->entry[k] - 1, a->path);
	}
	if (!held)
		return false;
	struct buf h[2] = {{0}}, b[2] = {{0}};
	cache_encode(&h[0], &b[0], "", a->path, held, NULL, 0);
	cache_encode(&h[1], &b[1], "", a->path, a, NULL, 0);
	bool same = h[0].len == h[1].len && b[0].len == b[1].len &&
		    !memcmp(h[0].data, h[1].data, h[0].len) &&
		    (!b[0].len || !memcmp(b[0].data, b[1].data, b[0].len));
	for (int i = 0; i < 2; i++) {
		buf_free(&h[i]);
		buf_free(&b[i]);
	}
	article_free(decoded);
	return same;
}

static void other_keep(struct store_check *c, const char *path)
{
	c->others = xgrow(c->others, &c->capothers, c->nothers + 1, sizeof *c->others);
	c->others[c->nothers++] = xstrdup(path);
}

/* A file the check read and parsed (slot): whose it was, and what it is
 * now. The slot's article is taken when the store is to take it. */
static void check_parsed(struct store_check *c, struct load_slot *sl)
{
	long k = path_map_find(&c->map, c, sl->path);
	if (k >= 0)
		c->seen[k] = 1;
	if (k >= 0 && (size_t)k < c->n) {
		if (sl->a && held_same(c, (size_t)k, sl->a))
			return;
		c->counts.changed++;
		if (!sl->a) {
			c->what[k] = HIDE;
			if (!sl->read_errno)
				other_keep(c, sl->path);
			return;
		}
		c->what[k] = REPLACE;
		c->repl = xgrow(c->repl, &c->caprepl, c->nrepl + 1, sizeof *c->repl);
		c->repl[c->nrepl++] = (struct check_repl){(size_t)k, sl->a};
		sl->a = NULL;
		return;
	}
	if (!sl->a && sl->read_errno)
		return; /* never cached, and said by its problem */
	if (!sl->a) {
		other_keep(c, sl->path);
		c->counts.added += k < 0 && c->o->others_known;
		return;
	}
	if (k >= 0)
		c->counts.changed++; /* a file that gave only problems */
	else
		c->counts.added++;
	c->added = xgrow(c->added, &c->capadded, c->nadded + 1, sizeof *c->added);
	c->added[c->nadded++] = sl->a;
	sl->a = NULL;
}

/* One file the check met, against what the store holds. */
static void check_slot(struct store_check *c, const struct loader *L, struct load_slot *sl)
{
	if (sl->entry && check_knows(L, sl->entry - 1)) {
		/* the very file the store holds */
		long k = c->by_path ? (sl->path ? path_map_find(&c->map, c, sl->path) : -1)
				    : (long)c->known[sl->entry - 1] - 1;
		if (k >= 0)
			c->seen[k] = 1;
		if (!sl->not_article && (k >= 0 ? (size_t)k >= c->n : sl->path != NULL))
			other_keep(c, k >= 0 ? known_path(c, (size_t)k) : sl->path);
		return;
	}
	if (!sl->not_article && sl->path)
		check_parsed(c, sl);
}

/* Block b of the check's walk, once loaded: compared, its problems and
 * its notes for the cache kept, the slots freed. */
static void check_block(struct loader *L, size_t b, size_t count)
{
	struct slot_block *blk = L->blocks[b];
	for (size_t k = 0; k < count; k++) {
		struct load_slot *sl = &blk->slot[k];
		if (sl->read_errno)
			read_problem(&L->problems, sl->path, sl->read_errno, L->max);
		for (size_t j = 0; j < sl->problems.n; j++)
			strlist_push(&L->problems, sl->problems.v[j]);
		free(sl->problems.v);
		note_slot(L, sl);
		note_free(sl->note); /* placed by note_slot, if it was */
		sl->note = NULL;
		if (!cancelled(L))
			check_slot(L->check, L, sl);
		article_free(sl->a);
		free(sl->lb);
		if (sl->own_path)
			free((char *)sl->path);
	}
	block_release(L, b);
}

/* After the walk: what the store holds and the walk did not meet is gone;
 * the problems, in order. */
static void check_finish(struct store_check *c, struct store *tmp)
{
	for (size_t i = 0, total = c->n + c->o->nothers; i < total; i++) {
		if (c->seen[i] || (i < c->n && store_is_hidden(c->s, i)))
			continue;
		c->counts.gone++;
		if (i < c->n)
			c->what[i] = HIDE;
	}
	c->counts.problems = tmp->problems.n != c->nwas;
	for (size_t i = 0; !c->counts.problems && i < c->nwas; i++)
		c->counts.problems = strcmp(tmp->problems.v[i], c->was[i]) != 0;
	c->problems = tmp->problems;
	tmp->problems = (struct strlist){0};
	c->warnings = tmp->warnings;
	tmp->warnings = (struct strlist){0};
}

/* The load's cache, if it is still the file the load found or wrote. */
static struct cache *open_load_cache(const struct store_origin *o)
{
	struct stat st;
	const struct stat *was = &o->load_cache_st;
	if (stat(o->cache_path, &st) < 0 || st.st_dev != was->st_dev || st.st_ino != was->st_ino ||
	    st.st_size != was->st_size ||
	    COMPAT_ST_MTIM(&st).tv_sec != COMPAT_ST_MTIM(was).tv_sec ||
	    COMPAT_ST_MTIM(&st).tv_nsec != COMPAT_ST_MTIM(was).tv_nsec)
		return NULL;
	char *err = NULL;
	struct cache *cache = cache_open(o->cache_path, &err);
	free(err);
	return cache;
}

/* The check's thread: a walk as a load's, on this thread alone, streamed
 * block by block into the compare (so that a slot a file never lives for
 * the whole walk); the files whose cache entry matches are only looked
 * up, the others read and parsed; then the cache rewritten if anything
 * changed, and the result. */
static void *check_main(void *arg)
{
	struct store_check *c = arg;
	const struct store_origin *o = c->o;
	struct store_opts opts = o->opts;
	opts.threads = 1; /* the other core: the main thread draws */
	opts.progress = NULL;
	opts.lazy = opts.from_cache = opts.list_only = opts.count_only = false;
	opts.only_matches = false;
	opts.match_only = NULL;
	opts.cache_path = o->cache_path;
	if (c->open_load_cache && (c->opened = open_load_cache(o))) {
		c->cache = c->opened;
		c->by_path = true;
	}
	path_map_build(&c->map, c);
	c->seen = xcalloc(c->n + o->nothers + 1, 1);
	/* before any stat */
	struct cache_writer *writer = o->cache_path ? cache_writer_new() : NULL;
	/* the URL hashes the store holds stay those of the cache written */
	if (writer && c->cache)
		cache_writer_inherit_key(writer, c->cache);
	struct reporter rep = {0};
	struct store tmp;
	store_init(&tmp);
	struct loader L = {
		.opts = &opts,
		.cache = c->cache,
		/* the files it parses go into the cache it writes, so that
		 * the next start has them */
		.writer = writer,
		.want_stat = true,
		.validate = true,
		.known_all = c->by_path,
		.check = c,
		.cancel = &c->cancel,
		.known = c->known,
		.max = o->max,
		.rep = &rep,
		.roots = (const char *const *)o->roots,
		.nroots = o->nroots,
	};
	loader_key_roots(&L);
	scan_and_load(&L, L.roots, L.nroots, &tmp.problems);
	/* a check cut short knows too little to write a cache or to count */
	if (!atomic_load(&c->cancel) && writer) {
		c->wrote = update_cache_noted(&tmp, writer, &L, o->cache_path);
		char *err = NULL;
		if (c->wrote > 0 && !(c->written = cache_open(o->cache_path, &err)))
			free(err);
	}
	stream_finish(&L, &tmp);
	if (!atomic_load(&c->cancel))
		check_finish(c, &tmp);
	cache_writer_free(writer);
	loader_free(&L);
	store_free(&tmp);
	atomic_store(&c->done, true);
	return NULL;
}

/* The check on a thread of its own: behind the keys' work. */
static void *check_thread(void *arg)
{
	compat_lower_thread_priority();
	return check_main(arg);
}

/* What a lazy load's entries say the store holds: article + 1 by entry,
 * and the skipped files while the others are still the load's. */
static uint32_t *known_by_entry(const struct store *s)
{
	const struct store_lazy *lz = s->lazy;
	size_t nentries = cache_count(lz->cache);
	uint32_t *known = xcalloc(nentries ? nentries : 1, sizeof *known);
	for (size_t i = 0; i < lz->n; i++)
		if (lz->entry[i] && !store_is_hidden(s, i))
			known[lz->entry[i] - 1] = (uint32_t)i + 1;
	for (size_t k = 0; s->origin->others_from_load && k < lz->nskipped; k++)
		known[lz->skipped_entry[k] - 1] = (uint32_t)(s->n + 1 + k);
	return known;
}

static bool check_begin(struct store *s)
{
	const struct store_origin *o = s->origin;
	if (!o || s->check)
		return false;
	s->check_due = false;
	struct store_check *c = xcalloc(1, sizeof *c);
	atomic_init(&c->done, false);
	atomic_init(&c->cancel, false);
	c->s = s;
	c->o = o;
	c->n = s->n;
	if (o->base) {
		c->cache = o->base;
		c->by_path = true;
	} else if (s->lazy) {
		c->cache = s->lazy->cache;
		c->known = known_by_entry(s);
	} else {
		c->open_load_cache = o->load_cache_trusted;
	}
	c->nwas = s->load_problems;
	c->was = xmalloc((c->nwas ? c->nwas : 1) * sizeof *c->was);
	for (size_t i = 0; i < c->nwas; i++)
		c->was[i] = xstrdup(s->problems.v[i]);
	c->what = xcalloc(s->n ? s->n : 1, 1);
	s->check = c;
	c->started = worker_spawn(&c->tid, check_thread, c);
	if (!c->started)
		check_main(c); /* no thread: slower, the same result */
	return true;
}

bool store_check_start(struct store *s)
{
	return s->check_due && check_begin(s);
}

bool store_reload_start(struct store *s)
{
	return check_begin(s);
}

bool store_checking(const struct store *s)
{
	return s->check != NULL;
}

const char *const *store_reload_paths(const struct store *s, size_t *n)
{
	*n = s->origin ? s->origin->nroots : 0;
	return s->origin ? (const char *const *)s->origin->roots : NULL;
}

const struct cache *store_source_cache(const struct store *s)
{
	const struct store_lazy *lz = s->lazy;
	if (!lz || !lz->cache || s->nhidden || lz->n != s->n)
		return NULL;
	for (size_t i = 0; i < s->n; i++)
		if (!lz->entry[i])
			return NULL;
	return lz->cache;
}

const char *store_cache_path(const struct store *s)
{
	return s->origin ? s->origin->cache_path : NULL;
}

void store_check_cancel(struct store *s)
{
	if (s->check)
		atomic_store(&s->check->cancel, true);
}

static void check_free(struct store_check *c)
{
	if (!c)
		return;
	atomic_store(&c->cancel, true);
	if (c->started)
		pthread_join(c->tid, NULL);
	for (size_t i = 0; i < c->nrepl; i++)
		article_free(c->repl[i].a);
	for (size_t i = 0; i < c->nadded; i++)
		article_free(c->added[i]);
	for (size_t i = 0; i < c->nothers; i++)
		free(c->others[i]);
	strlist_free(&c->warnings);
	for (size_t i = 0; i < c->nwas; i++)
		free(c->was[i]);
	free(c->was);
	free(c->repl);
	free(c->added);
	free(c->others);
	free(c->what);
	free(c->seen);
	free(c->known);
	free(c->map.slot);
	cache_reader_free(c->rdr);
	cache_close(c->opened);
	cache_close(c->written);
	strlist_free(&c->problems);
	free(c);
}

/* The reader's load kept for its checks (store_reload_start). */
static void origin_keep(struct store *s, const char *const *paths, size_t n,
			const struct store_opts *opts, size_t max)
{
	struct store_origin *o = xcalloc(1, sizeof *o);
	o->nroots = n;
	o->roots = xcalloc(n ? n : 1, sizeof *o->roots);
	for (size_t i = 0; i < n; i++)
		o->roots[i] = xstrdup(paths[i]);
	o->opts = *opts;
	o->opts.progress = NULL;
	o->opts.progress_ctx = NULL;
	o->opts.match_only = NULL;
	o->cache_path = opts->cache_path ? xstrdup(opts->cache_path) : NULL;
	o->opts.cache_path = NULL; /* cache_path, which stays */
	o->max = max;
	if (s->lazy) {
		o->others_from_load = o->others_known = true;
		o->nothers = s->lazy->nskipped;
		o->others = xcalloc(o->nothers ? o->nothers : 1, sizeof *o->others);
		for (size_t k = 0; k < o->nothers; k++)
			o->others[k] = xstrdup(s->lazy->skipped_path[k]);
	} else if (o->cache_path && stat(o->cache_path, &o->load_cache_st) == 0) {
		o->load_cache_trusted = true;
	}
	s->origin = o;
	s->load_problems = s->problems.n;
}

static void origin_free(struct store_origin *o)
{
	if (!o)
		return;
	for (size_t i = 0; i < o->nroots; i++)
		free(o->roots[i]);
	free(o->roots);
	free(o->cache_path);
	for (size_t k = 0; k < o->nothers; k++)
		free(o->others[k]);
	free(o->others);
	cache_close(o->base);
	free(o);
}

/* What the next check compares with, after this one is applied (changed:
 * the store changed). */
static void origin_update(struct store_origin *o, struct store_check *c, bool changed)
{
	if (c->wrote > 0) {
		cache_close(o->base);
		o->base = c->written; /* NULL if it could not be opened again */
		c->written = NULL;
		o->load_cache_trusted = false;
	} else if (changed) {
		/* no cache says what the store holds now */
		cache_close(o->base);
		o->base = NULL;
		o->load_cache_trusted = false;
	} else if (!o->base && c->opened) {
		o->base = c->opened; /* still right: kept open */
		c->opened = NULL;
	}
	for (size_t k = 0; k < o->nothers; k++)
		free(o->others[k]);
	free(o->others);
	o->others = c->others;
	o->nothers = c->nothers;
	o->others_from_load = false;
	o->others_known = true;
	c->others = NULL;
	c->nothers = 0;
}

static void hide(struct store *s, size_t i)
{
	if (!s->hidden[i])
		s->nhidden++;
	s->hidden[i] = 1;
}

/* Article i's file changed: a its article now, whole. */
static void replace(struct store *s, size_t i, struct article *a)
{
	struct store_lazy *lz = s->lazy;
	article_free(s->v[i]);
	s->v[i] = a;
	if (lz && i < lz->n) {
		links_wait(s);
		unlinked_flush(s);
		lz->entry[i] = 0; /* whole from now on */
		article_free(lz->full[i]);
		lz->full[i] = NULL;
	}
}

/* The problems the load gave replaced by the check's, those met since
 * (after them) kept. */
static void replace_problems(struct store *s, struct strlist *fresh)
{
	for (size_t i = 0; i < s->load_problems; i++)
		free(s->problems.v[i]);
	for (size_t i = s->load_problems; i < s->problems.n; i++)
		strlist_push(fresh, s->problems.v[i]);
	free(s->problems.v);
	s->problems = *fresh;
	*fresh = (struct strlist){0};
}

const struct store_changes *store_check_result(struct store *s, bool wait)
{
	struct store_check *c = s->check;
	if (!c || (!wait && !atomic_load(&c->done)))
		return NULL;
	if (c->started)
		pthread_join(c->tid, NULL);
	c->started = false;
	return &c->counts;
}

bool store_check_apply(struct store *s, bool wait, struct store_changes *out)
{
	if (!store_check_result(s, wait))
		return false;
	links_wait(s); /* before the articles change under it */
	struct store_check *c = s->check;
	*out = c->counts;
	out->warnings = c->warnings.n;
	for (size_t i = 0; i < c->warnings.n; i++)
		strlist_push(&s->warnings, c->warnings.v[i]);
	free(c->warnings.v);
	c->warnings = (struct strlist){0};
	bool any = c->counts.added || c->counts.changed || c->counts.gone;
	if (any) {
		/* sized to the articles, as store_is_hidden reads it */
		unsigned char *h = xcalloc(s->n + c->nadded + 1, 1);
		if (s->hidden)
			memcpy(h, s->hidden, s->n);
		free(s->hidden);
		s->hidden = h;
		for (size_t i = 0; i < c->nrepl; i++) {
			replace(s, c->repl[i].idx, c->repl[i].a);
			c->repl[i].a = NULL;
		}
		for (size_t i = 0; i < c->n; i++)
			if (c->what[i] == HIDE)
				hide(s, i);
		for (size_t i = 0; i < c->nadded; i++)
			store_add(s, c->added[i]);
		c->nadded = 0;
	}
	if (c->counts.problems) {
		size_t fresh = c->problems.n;
		replace_problems(s, &c->problems);
		s->load_problems = fresh;
	}
	origin_update(s->origin, c, any);
	if (any) {
		store_link(s);
		if (s->lazy)
			tie_again(s);
		/* the clusters found before, until those of the store as it
		 * is now are: a list grouped by them stays grouped */
		cluster_publish(s, cluster_carry(s, cluster_of(s)));
	}
	s->check = NULL;
	check_free(c);
	return true;
}

/* ---- what the list reads of an article, lazy, whole or a row ---- */

/* Article i when it is not lazy: v[i], or its row read as an article in
 * *tmp. */
static const struct article *art_at(const struct store *s, size_t i, struct article *tmp)
{
	if (row_at(s, i))
		*tmp = (struct article){0};
	return store_list_view(s, i, tmp);
}

const struct article *store_list_view(const struct store *s, size_t i, struct article *tmp)
{
	const struct list_row *r = row_at(s, i);
	return r ? list_row_view(r, tmp) : s->v[i];
}

const char *store_path(const struct store *s, size_t i)
{
	if (store_is_lazy(s, i))
		return s->lazy->paths + s->lazy->path_at[i];
	const struct list_row *r = row_at(s, i);
	return r ? r->path : s->v[i]->path;
}

uint32_t store_provider_id(const struct store *s, size_t i)
{
	return store_is_lazy(s, i) ? s->lazy->rec[i].provider : (uint32_t)STORE_NO_NAME;
}

size_t store_name_count(const struct store *s)
{
	return s->lazy ? s->lazy->names.n : 0;
}

const char *store_provider_name(const struct store *s, size_t i)
{
	if (!store_is_lazy(s, i)) {
		const struct list_row *r = row_at(s, i);
		return r ? r->provider : s->v[i]->provider.name;
	}
	uint32_t id = s->lazy->rec[i].provider;
	return id == NAME_NONE ? NULL : s->lazy->names.v[id];
}

const char *store_type(const struct store *s, size_t i)
{
	if (!store_is_lazy(s, i))
		return row_at(s, i) ? NULL : s->v[i]->type; /* a row keeps none */
	uint32_t id = s->lazy->rec[i].type;
	return id == NAME_NONE ? NULL : s->lazy->names.v[id];
}

size_t store_ntopics(const struct store *s, size_t i)
{
	if (store_is_lazy(s, i))
		return s->lazy->rec[i].ntopics;
	return row_at(s, i) ? 0 : s->v[i]->ntopics; /* a row keeps none */
}

const char *store_topic(const struct store *s, size_t i, size_t k)
{
	if (!store_is_lazy(s, i))
		return s->v[i]->topics[k];
	const struct store_lazy *lz = s->lazy;
	return lz->names.v[lz->topic_ids[lz->rec[i].topic_at + k]];
}

unsigned store_has(const struct store *s, size_t i)
{
	if (store_is_lazy(s, i))
		return s->lazy->rec[i].has;
	const struct list_row *r = row_at(s, i);
	unsigned has = r ? r->has : s->v[i]->has;
	return has & (HAS_DATE | HAS_QUALITY | HAS_HEAT);
}

int64_t store_date(const struct store *s, size_t i)
{
	if (store_is_lazy(s, i))
		return s->lazy->rec[i].date;
	const struct list_row *r = row_at(s, i);
	return r ? r->date : s->v[i]->date;
}

int32_t store_quality(const struct store *s, size_t i)
{
	if (store_is_lazy(s, i))
		return s->lazy->rec[i].quality;
	const struct list_row *r = row_at(s, i);
	return r ? r->quality : s->v[i]->quality;
}

int32_t store_heat(const struct store *s, size_t i)
{
	if (store_is_lazy(s, i))
		return s->lazy->rec[i].heat;
	const struct list_row *r = row_at(s, i);
	return r ? r->heat : s->v[i]->heat;
}

uint64_t store_identity_hash(const struct store *s, size_t i)
{
	struct article tmp;
	if (!store_is_lazy(s, i))
		return hash_str(article_identity(art_at(s, i, &tmp)));
	unsigned h = s->lazy->has_urls[i];
	/* the webUrl, else the originalUrl, each hashed while loading */
	if (h & 3)
		return s->lazy->urls[3 * i + (h & 1 ? 0 : 1)];
	return hash_str(store_path(s, i));
}

bool store_identity_is(const struct store *s, size_t i, const char *id)
{
	struct article tmp;
	if (!store_is_lazy(s, i))
		return !strcmp(article_identity(art_at(s, i, &tmp)), id);
	return store_identity_hash(s, i) == hash_str(id);
}

bool store_has_web_url(const struct store *s, size_t i)
{
	if (store_is_lazy(s, i))
		return s->lazy->has_urls[i] & 1;
	struct article tmp;
	const struct article *a = art_at(s, i, &tmp);
	return a->web_url && *a->web_url;
}

/* One more number into h, as a 64-bit word at a time. */
static uint64_t urls_mix(uint64_t h, uint64_t v)
{
	h = (h ^ v) * 0x100000001b3u;
	return h ^ h >> 29;
}

bool store_urls_hash(const struct store *s, size_t i, const unsigned char key[16], uint64_t *out)
{
	uint64_t h = 0xcbf29ce484222325u;
	if (store_is_lazy(s, i)) {
		/* its record's hashes are under this process's key */
		if (!hash_key_is(key))
			return false;
		const struct store_lazy *lz = s->lazy;
		h = urls_mix(h, lz->has_urls[i]);
		for (unsigned k = 0; k < 3; k++)
			if (lz->has_urls[i] >> k & 1)
				h = urls_mix(h, lz->urls[3 * i + k]);
		h = urls_mix(h, lz->rel_at[i + 1] - lz->rel_at[i]);
		for (size_t r = lz->rel_at[i]; r < lz->rel_at[i + 1]; r++)
			h = urls_mix(h, lz->rel[r]);
		*out = h;
		return true;
	}
	struct article tmp;
	const struct article *a = art_at(s, i, &tmp);
	const char *u[3] = {a->web_url, a->original_url, a->amp_web_url};
	unsigned has = 0;
	for (unsigned k = 0; k < 3; k++)
		has |= (unsigned)(u[k] && *u[k]) << k;
	h = urls_mix(h, has);
	for (unsigned k = 0; k < 3; k++)
		if (has >> k & 1)
			h = urls_mix(h, hash_siphash24(key, u[k], strlen(u[k])));
	/* the related stories' webUrls as the records keep them: the empty
	 * ones left out */
	size_t nrel = 0;
	for (size_t r = 0; r < a->nrelated && nrel < ARTICLE_RELATED_MAX; r++)
		nrel += a->related[r].web_url && *a->related[r].web_url;
	h = urls_mix(h, nrel);
	for (size_t r = 0, k = 0; r < a->nrelated && k < nrel; r++) {
		const char *w = a->related[r].web_url;
		if (w && *w) {
			h = urls_mix(h, hash_siphash24(key, w, strlen(w)));
			k++;
		}
	}
	*out = h;
	return true;
}

bool store_web_url_is(const struct store *s, size_t i, const char *url)
{
	if (!store_is_lazy(s, i)) {
		struct article tmp;
		const struct article *a = art_at(s, i, &tmp);
		return a->web_url && !strcmp(a->web_url, url);
	}
	return url && *url && (s->lazy->has_urls[i] & 1) && s->lazy->urls[3 * i] == hash_str(url);
}

/* Article i's topics, as its record has them, into a (in its arena). */
static void copy_topics(const struct store *s, size_t i, struct article *a)
{
	size_t nt = store_ntopics(s, i);
	if (!nt)
		return;
	const char **v = arena_alloc(&a->arena, nt * sizeof *v);
	for (size_t k = 0; k < nt; k++) {
		const char *t = store_topic(s, i, k);
		v[k] = arena_strndup(&a->arena, t, strlen(t));
	}
	a->topics = v;
	a->ntopics = nt;
}

/* Article i as its record has it, when its entry cannot be read: the
 * list's fields but the title and the webUrl. */
static struct article *lazy_stub(const struct store *s, size_t i)
{
	struct article *a = article_new(store_path(s, i));
	const char *pv = store_provider_name(s, i);
	a->provider.name = pv ? arena_strndup(&a->arena, pv, strlen(pv)) : NULL;
	a->date = store_date(s, i);
	a->quality = store_quality(s, i);
	a->heat = store_heat(s, i);
	a->has = store_has(s, i);
	copy_topics(s, i, a);
	return a;
}

/* Lazy article i's list fields decoded (the caller frees it), or its
 * stub when its entry cannot be read. */
static struct article *lazy_listed(const struct store *s, size_t i)
{
	struct store_lazy *lz = s->lazy;
	if (!lz->row_rdr)
		lz->row_rdr = cache_reader_new(lz->cache);
	struct article *a = cache_read_listed(lz->row_rdr, lz->entry[i] - 1, store_path(s, i));
	if (!a)
		return lazy_stub(s, i);
	/* what the record holds, which article_copy_listed leaves out */
	copy_topics(s, i, a);
	return a;
}

/* Article i's row as store_row decoded it, if it is still in the ring. */
static const struct article *ring_find(const struct store_lazy *lz, size_t i)
{
	for (size_t k = 0; k < ROW_RING; k++)
		if (lz->ring_idx[k] == i + 1)
			return lz->ring[k];
	return NULL;
}

/* What its record holds, and the title and webUrl of its row when it was
 * shown before: an article whose entry and file are both gone. */
static struct article *lazy_stub_seen(const struct store *s, size_t i)
{
	struct article *a = lazy_stub(s, i);
	const struct article *seen = ring_find(s->lazy, i);
	if (seen && seen->title)
		a->title = arena_strndup(&a->arena, seen->title, strlen(seen->title));
	if (seen && seen->web_url)
		a->web_url = arena_strndup(&a->arena, seen->web_url, strlen(seen->web_url));
	return a;
}

const struct article *store_row(const struct store *s, size_t i)
{
	if (!store_is_lazy(s, i))
		return s->v[i];
	struct store_lazy *lz = s->lazy;
	if (lz->full[i])
		return lz->full[i];
	const struct article *seen = ring_find(lz, i);
	if (seen)
		return seen;
	size_t k = lz->ring_next;
	lz->ring_next = (k + 1) % ROW_RING;
	article_free(lz->ring[k]);
	lz->ring[k] = lazy_listed(s, i);
	lz->ring_idx[k] = (uint32_t)i + 1;
	return lz->ring[k];
}

struct article *store_row_copy(const struct store *s, size_t i)
{
	struct article tmp;
	return store_is_lazy(s, i) ? lazy_listed(s, i) : article_copy_listed(art_at(s, i, &tmp));
}

bool store_tie_order(const struct store *s, const uint32_t **order, const unsigned char **same,
		     size_t *ntitled)
{
	const struct store_lazy *lz = s->lazy;
	if (!lz || !lz->tie_order || lz->tie_n != s->n)
		return false; /* articles added since */
	*order = lz->tie_order;
	*same = lz->same_title;
	*ntitled = lz->ntitled;
	return true;
}

struct tie_ctx {
	const struct store *s;
	const char **titles;
};

static const char *tie_title(const void *ctx, uint32_t i)
{
	return ((const struct tie_ctx *)ctx)->titles[i];
}

static const char *tie_path(const void *ctx, uint32_t i)
{
	return store_path(((const struct tie_ctx *)ctx)->s, i);
}

/* The tie order of every article, titles[i] article i's title (NULL:
 * none): the titled ones sorted by title, each run of one title by path;
 * then the untitled ones by path. */
static void tie_make(struct store *s, const char **titles)
{
	struct store_lazy *lz = s->lazy;
	size_t n = s->n, nt;
	unsigned char *same;
	struct tie_ctx x = {s, titles};
	uint32_t *order = rank_tie_order(n, tie_title, tie_path, &x, &same, &nt);
	free(lz->tie_order);
	free(lz->same_title);
	lz->tie_order = order;
	lz->same_title = same;
	lz->ntitled = nt;
	lz->tie_n = n;
}

/* The tie order made again once the articles changed: the lazy ones'
 * titles read from the cache, one at a time. */
static void tie_again(struct store *s)
{
	const char **titles = xmalloc((s->n ? s->n : 1) * sizeof *titles);
	char **own = xcalloc(s->n ? s->n : 1, sizeof *own);
	for (size_t i = 0; i < s->n; i++) {
		if (!store_is_lazy(s, i)) {
			titles[i] = s->v[i]->title;
			continue;
		}
		struct article *a = lazy_listed(s, i);
		titles[i] = own[i] = a->title ? xstrdup(a->title) : NULL;
		article_free(a);
	}
	tie_make(s, titles);
	for (size_t i = 0; i < s->n; i++)
		free(own[i]);
	free(own);
	free(titles);
}

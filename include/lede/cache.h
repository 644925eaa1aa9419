/* cache: the parsed article cache on disk, one file per set of archive
 * roots. It keeps, for every file loaded, the key it was loaded under,
 * the file's identity and version as git's index keeps them (device,
 * inode, size, mtime and ctime to the nanosecond) and the outcome of
 * parsing it: the article, or the mark that it was skipped, plus its
 * problem messages. A warm start decodes articles from it instead of
 * reading and parsing YAML. An entry is keyed by the file's path from its
 * root made absolute and resolved, as the cache file is named (see
 * cache_root_key): the archive typed another way (relative or absolute,
 * from another directory, through a link to it) finds the same entries,
 * and problems are put back with the path as typed now. An entry is used
 * only for the very key it was stored under, with every one of those stat
 * fields the same (taken through the path as typed, links followed, so a
 * file replaced behind a link is another file), and only when neither
 * time is within two seconds of the cache file's own write time (a "racy"
 * entry: a later write in the same timestamp tick would look unchanged);
 * such files are never written into it either.
 *
 * The file is versioned and checksummed and is only ever replaced whole
 * (written beside it, then renamed over it), so a reader sees either the
 * old cache or the new one. Anything wrong with it -- truncated, flipped
 * bits, another format version, another lede version, not a cache at all,
 * a value that parse_article never produces (a forgery with the right
 * checksums) -- is refused, and the cache is rebuilt, never trusted: the
 * header and the index are checked by cache_open(), each entry's head and
 * body by the lookup that decodes it, so that a start reads only the
 * bodies it uses, once.
 *
 * Format (little-endian):
 *   header, 88 bytes:
 *     "LEDECACH"  u32 format version  u32 0  u64 entries
 *     u64 head bytes  u64 body bytes
 *     u64 FNV-1a 64 of the lede version that wrote it
 *     u64 records bytes  16 bytes: the key the records' URLs are hashed under
 *     u64 checksum of the header's first 72 bytes and the index
 *     u64 checksum of the records
 *   bodies, one an entry, in the index's order: the rest of an article
 *     after what its head holds (none for a skipped file)
 *   index: one record of 72 bytes an entry:
 *     u64 inode  u64 device  i64 size  i64 mtime s  i64 ctime s
 *     u32 mtime ns  u32 ctime ns
 *     u32 head bytes  u32 head checksum  u32 body bytes  u32 body checksum
 *     u8 kind (0 skipped, 1 article)  7 bytes 0
 *   heads, likewise: its key, its problems, then an article's
 *     searchable text (see cache_format.c)
 *   records: what the reader's store keeps of every entry, so that a warm
 *     start fills it with no entry decoded (see cache_records):
 *     "LEDERECS"  u64 names  u64 names' bytes  u64 topic ids
 *     u64 related hashes  u64 keys' bytes  u64 entries
 *     a record of 80 bytes an entry, in the index's order:
 *       i64 date  i32 quality  i32 heat  u32 provider name  u32 type
 *       (ids into the names, CACHE_NO_NAME for none)
 *       u32 first topic id  u32 first related hash  u64 key's offset
 *       u64 webUrl, originalUrl, ampWebUrl hashed
 *       u32 rank in the tie order  u32 rank of the first of its title
 *       (CACHE_NO_RANK for a skipped file)
 *       u16 topics  u16 related hashes  u8 has  u8 flags  u8 URLs there
 *       (bit k for the k-th hash)  u8 0
 *     u32 topic ids  u64 related stories' webUrls hashed
 *     the names, then the keys, each NUL-terminated
 *   The URLs are hashed with SipHash under a key drawn at random by the
 *   process that first wrote the cache, kept in the header and by every
 *   rewrite: as unknown to an archive's author as a process's own key
 *   (hash.h), in a directory only its user reads. The tie order is the
 *   query engine's (rank.h): the titled entries by title, then key, then
 *   the untitled by key. The writer computes all this from the articles it
 *   encodes, and from the records of the entries it copies.
 * Heads and bodies are apart so that a search reads the heads alone, and
 * decodes the few articles that match. The bodies come first because they
 * are written first, and once: into the file itself as the entries are
 * placed, while the index and the heads are still being made.
 * The checksums are an FNV-style multiply-and-rotate hash over 64-bit
 * words in four interleaved lanes: they catch damage (any one changed
 * byte, always), not forgery. */
#ifndef LEDE_CACHE_H
#define LEDE_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "lede/article.h"
#include "lede/util.h"

/* Bump when the encoding changes or when parse_article would give a
 * different result for the same file: old caches are then rebuilt. */
enum { CACHE_FORMAT_VERSION = 10 };

/* The cache file for these archive roots (as given on the command line):
 * $XDG_CACHE_HOME/lede/<hash>.cache, else $HOME/.cache/lede/<hash>.cache,
 * where <hash> is the 16-hex-digit FNV-1a 64 of the roots made absolute
 * and resolved (realpath), joined with NUL. A root that does not exist is
 * only made absolute. Returns a new string, or NULL when neither variable
 * gives an absolute directory that exists (XDG_CACHE_HOME, when set to an
 * absolute path, is the only candidate, as the spec has it). */
char *cache_path_for(const char *const *roots, size_t n);

/* How many cache files the cache directory keeps: one per set of roots
 * would pile up, so after each write the least recently used beyond
 * these are removed (see cache_prune). */
enum { CACHE_KEEP = 8 };

/* Keep the keep most recently used cache files in path's directory --
 * path's own always among them -- and remove the rest. "Used" is the
 * access time, which cache_open sets (the modification time is the
 * cache's write time and is left alone). Only names of cache_path_for's
 * pattern (16 lowercase hex digits, ".cache") that are regular files are
 * considered: temporaries of a write in progress and anything else in the
 * directory are never touched. A file that cannot be removed is left. */
void cache_prune(const char *path, size_t keep);
/* The ending of a file kept beside a cache file, named as it is but for
 * its ".cache" (cluster_file.h): the prune removes it with its cache. */
#define CACHE_BESIDE ".clusters"


/* root made absolute and resolved (realpath), as cache_path_for hashes it;
 * only made absolute when it does not exist. A file found under root,
 * root's spelling followed by a rest, is keyed in the cache by this and
 * that rest (see store.c), so that every spelling of one archive keys it
 * alike. Returns a new string. */
char *cache_root_key(const char *root);

/* An opened cache: its header and index read and verified, its file kept
 * open for the bodies. Read-only once open, so any number of threads may
 * look up at once. */
struct cache;

/* Open and verify path. Returns NULL with *err NULL when there is no cache
 * file; NULL with *err a newly allocated line "cache PATH: reason,
 * rebuilding" when it cannot be read or is truncated, corrupt, foreign or
 * of another version. */
struct cache *cache_open(const char *path, char **err);

/* The number of entries, so that a caller can tell whether files it had
 * cached have since gone (fewer hits than entries). */
size_t cache_count(const struct cache *c);

/* The most slots one lookup can visit in the table of (device, inode):
 * small whatever the files or the cache hold. A file with more than eight
 * names (hard links) is found under the first eight stored; the others are
 * parsed again. For tests. */
size_t cache_longest_probe(const struct cache *c);

/* One thread's window on the cache file: lookups of files in about the
 * order they were cached (the scan's) then read the heads and bodies in a
 * few large reads. Use a reader from one thread at a time. */
struct cache_reader;
struct cache_reader *cache_reader_new(const struct cache *c);
void cache_reader_free(struct cache_reader *r);

/* The entry stored under exactly key (byte for byte: the caller makes
 * every spelling of a file one key, see cache_root_key) with exactly st's
 * device, inode, size, mtime and ctime (s and ns), and not racy (see
 * above); or -1. Reads through r. */
long cache_find(struct cache_reader *r, const char *key, const struct stat *st);
/* The same, entry guess tried first (it is the one when the files come in
 * the order the cache was written in, as a walk of an archive that did
 * not change gives them): a hit reads that entry's record alone, in the
 * order the index lies, and makes no table. */
long cache_find_near(struct cache_reader *r, const char *key, const struct stat *st,
		     size_t guess);
/* What cache_find of st will read, asked of the memory ahead: its slot of
 * the table, or (record, once the slot came) the index record it names.
 * For a run of lookups, each stage over the run before the next: at a
 * million entries each would else wait on its own misses. It does
 * nothing until a first lookup has made the table. */
void cache_find_ahead(const struct cache_reader *r, const struct stat *st, bool record);

/* Entry id's key into *key (NUL-terminated), its head checked: 1 for an
 * article, 0 for a skipped file, -1 when the head is damaged or id out
 * of range. For a load from the entries alone (see store.c), which then
 * reads the head with cache_read_head_as as a lookup would. */
int cache_entry_key(struct cache_reader *r, size_t id, struct buf *key);
/* The size entry id's file had when it was stored (-1: out of range). */
int64_t cache_entry_size(const struct cache *c, size_t id);
/* The identity and version entry id was stored for (device, inode, size,
 * mtime and ctime; a regular file), into *st: what cache_find matched a
 * file's stat against, so that a hit can be copied into a new cache
 * without that stat kept. id must be in range. */
void cache_entry_stat(const struct cache *c, size_t id, struct stat *st);

/* A piece of an entry's searchable text, in the reader's window: not
 * NUL-terminated, valid until the reader's next call. */
struct cache_text {
	const char *s;
	size_t len;
	unsigned char field; /* the enum field_id (fields.h) it is a text of */
};

/* Read entry id's head, found for key, and check it: append its problems,
 * written with path (the file as it is named now), to *problems; set
 * *texts (owned by the reader) to the title, excerpt, provider name and
 * topics of its article, those present, and *ntexts to their count (0 for
 * a skipped file); return 1 for an article, 0 for a skipped file. -1: the
 * head is damaged (nothing touched). */
int cache_read_head_as(struct cache_reader *r, size_t id, const char *key, const char *path,
		       struct strlist *problems, const struct cache_text **texts, size_t *ntexts);
/* cache_read_head_as with path as its key too. */
int cache_read_head(struct cache_reader *r, size_t id, const char *path,
		    struct strlist *problems, const struct cache_text **texts, size_t *ntexts);
/* Decode entry id's article, named path (the caller frees it with
 * article_free; related[].local are -1). NULL: damaged, or a skipped file. */
struct article *cache_read_article(struct cache_reader *r, size_t id, const char *path);
/* The same, checked as whole, but keeping only what lede --list prints
 * (article_trim's fields), without the whole article's allocation. */
struct article *cache_read_listed(struct cache_reader *r, size_t id, const char *path);
/* Entry id's list_row (article.h), checked as whole, made in slab;
 * path is kept, not copied. NULL: damaged, or a skipped file. */
struct list_row *cache_read_row_in(struct cache_reader *r, size_t id, const char *path,
				   struct slab *slab);

/* What linking needs of an article the store keeps lazy: the hash_str
 * of its URLs, taken on the loading thread, and of its related stories'
 * webUrls; a URL missing or empty is in no index, so it is left out. */
struct cache_links {
	uint64_t web, original, amp; /* webUrl, originalUrl, ampWebUrl */
	bool has_web, has_original, has_amp;
	uint64_t *related; /* owned by the caller; NULL when none */
	size_t nrelated;
};
/* Entry id's article, checked as whole, decoded into *whole,
 * whose strings and arrays live in the reader's scratch (valid until the
 * reader's next call; never article_free it), and *links: for a loader
 * that keeps only a few numbers and names of it. False: damaged, or a
 * skipped file. */
bool cache_read_scratch(struct cache_reader *r, size_t id, const char *path,
			struct article *whole, struct cache_links *links);
/* The searchable texts of entry id's article, as cache_read_head gives
 * them (owned by the reader, valid until its next call), its head checked
 * again: 0, or -1 when it is damaged, out of range or a skipped file. */
int cache_read_texts(struct cache_reader *r, size_t id, const struct cache_text **texts,
		     size_t *ntexts);

/* cache_find, cache_read_head and cache_read_article in one, through a
 * reader of its own: returns 1 and sets *article (NULL for a skipped file)
 * and appends the problems; 0 when the cache does not hold the file; -1
 * when its entry is damaged (see cache_damage_message). 0 and -1 touch
 * nothing. */
int cache_lookup(const struct cache *c, const char *path, const struct stat *st,
		 struct article **article, struct strlist *problems);

/* The line to show when n entries were found damaged: "cache PATH: n
 * damaged entries (checksum mismatch or impossible values), rebuilding".
 * Damaged means a checksum that does not match, or a value that
 * parse_article never produces (a date outside years 1 to 9999, a string
 * that is not UTF-8, holds a NUL or is longer than its field keeps, a list
 * with more items than the parser keeps (the limits of article.h), a count
 * or length that does not add up, a number or flag out of range). The
 * caller frees it. */
char *cache_damage_message(const struct cache *c, size_t n);

void cache_close(struct cache *c);

/* What tells one cache file's contents from another's: the checksums of
 * its header and index (every entry's identity, version and checksums)
 * and of its records. A rewrite that changes any entry changes them; a
 * file kept beside the cache is tied to it by them. */
struct cache_identity {
	uint64_t index_sum, records_sum;
};
void cache_identity(const struct cache *c, struct cache_identity *id);
/* The identity the cache file at path says it has, from its header alone
 * (nothing checked but its magic and versions): false when there is no
 * such file or it is not of this lede. */
bool cache_identity_at(const char *path, struct cache_identity *id);

/* ---- the records section ---- */

enum { CACHE_NO_NAME = UINT32_MAX, CACHE_NO_RANK = UINT32_MAX };

/* Map and check the records section (once; later calls say the same):
 * 1 when it is good and its URLs are hashed under this process's key
 * (hash_adopt_key, at cache_open), so that a store may use it as it is;
 * 0 when it is good but of another key; -1 when it is damaged (a
 * checksum that does not match, a value out of range): then *err is the
 * line to show ("cache PATH: ..., rebuilding"), the first time only.
 * Call it before any thread reads the records. */
int cache_records(struct cache *c, char **err);
/* Was the records section found damaged (a rewrite then replaces it)? */
bool cache_records_damaged(const struct cache *c);
/* The records section's pages let go of once a load has copied what it
 * keeps (compat_map_release): a fifth of the reader's memory at its peak,
 * read again from the file, as it stands, by whatever reads a record
 * later (a rewrite copying them). The file is only ever replaced, never
 * written in place, so those are the bytes checked. */
void cache_records_release(struct cache *c);

/* One entry's record, as the section has it (after cache_records said 1
 * or 0). */
struct cache_record {
	int64_t date;
	int32_t quality, heat;
	uint32_t provider, type; /* ids into cache_names; CACHE_NO_NAME: none */
	uint32_t rank, title_rank; /* tie order; CACHE_NO_RANK for a skipped file */
	uint32_t ntopics, nrelated;
	size_t topic_at, rel_at; /* into the section's topic ids and hashes */
	uint64_t urls[3];        /* webUrl, originalUrl, ampWebUrl hashed */
	const char *key;         /* NUL-terminated, in the section */
	unsigned char has;       /* HAS_DATE, HAS_QUALITY, HAS_HEAT */
	unsigned char has_urls;  /* bit k: urls[k] is there */
	bool article, has_title, problems;
};
void cache_record(const struct cache *c, size_t id, struct cache_record *r);
/* The distinct names the records' ids name, each NUL-terminated. */
size_t cache_names(const struct cache *c, const char *const **names);
uint32_t cache_record_topic(const struct cache *c, size_t at);
uint64_t cache_record_related(const struct cache *c, size_t at);

/* Recompute, in place, the checksums and the lede version stamp of the
 * cache file image d[0..n), as far as its sizes allow: a forged or mutated
 * cache then reaches the decoder, which must refuse by itself whatever the
 * parser never produces. For tests and the fuzzer. */
void cache_reseal(unsigned char *d, size_t n);

/* Writing: entries are encoded, then placed in the order the index will
 * have, then committed. Entries go into lanes, one a thread: a file parsed
 * on a loading thread is encoded there and then, into that thread's lane,
 * and its article need not be kept. Beyond a bound (spill.h), what a lane
 * holds of heads goes to an unnamed file beside the cache, so that writing
 * a cache never holds its whole image in memory; the commit copies the
 * pieces out in order. An entry's body goes with its ticket and is written
 * once, when it is placed, into the cache file itself (unnamed until the
 * commit names it). Apart from encoding into distinct lanes, not
 * thread-safe. */
struct cache_writer;

/* Create the writer before stat-ing the files it will be given: a file
 * changed or modified (ctime or mtime) less than two seconds before that
 * moment, or later, is left out of the cache, since a rewrite within the
 * filesystem's timestamp granularity would otherwise look unchanged. It
 * has no lane but its own (for add and copy) and keeps everything in
 * memory until cache_writer_stream. */
struct cache_writer *cache_writer_new(void);

/* Hash the URLs of the records under c's key rather than this process's:
 * the records copied from c keep their hashes as they are. Before
 * anything is encoded. */
void cache_writer_inherit_key(struct cache_writer *w, const struct cache *c);

/* Give w lanes 0 .. nlanes - 1, and spill what it holds beyond the bound
 * into unnamed files in path's directory (made, as by commit, when first
 * needed): path is the cache file it will be committed to. Before anything
 * is added. */
void cache_writer_stream(struct cache_writer *w, const char *path, size_t nlanes);

/* One entry encoded, not yet placed. */
struct cache_ticket {
	uint64_t hoff; /* in the lane's stream of heads */
	uint64_t boff; /* parked: in the lane's stream of parked bodies */
	uint32_t hlen, hsum, blen, bsum;
	uint16_t lane;
	uint8_t kind; /* 0 skipped, 1 article */
	bool made;    /* false: left out (see cache_writer_add), nothing to place */
	/* What its record in the records section takes (cache.c), and its
	 * body (blen bytes at body, in the same allocation), until it is
	 * placed; cache_ticket_free for one never placed. */
	unsigned char *rec;
	const unsigned char *body; /* NULL once parked */
};

/* Encode the entry of the file named path, stored under key, into lane
 * (from one thread at a time: the lane's), as cache_writer_add_as would;
 * what to place it by into *t. */
void cache_writer_encode(struct cache_writer *w, size_t lane, const char *key, const char *path,
			 const struct stat *st, const struct article *a,
			 const char *const *problems, size_t nproblems, struct cache_ticket *t);
/* Put the entry t stands for next in the index, for the file st (the one
 * it was encoded for). Each ticket once; one that was not made is
 * nothing. */
void cache_writer_place(struct cache_writer *w, struct cache_ticket *t, const struct stat *st);
/* Move t's body out of memory, into its lane's stream of parked bodies
 * (beyond the bound, a file), for a ticket that will wait: one placed
 * only once every file is loaded. On the lane's thread, as encoding; the
 * ticket is placed once the lanes are done. */
void cache_ticket_park(struct cache_writer *w, struct cache_ticket *t);
/* What a ticket holds, freed: for one that is never placed (placing it
 * frees it). */
void cache_ticket_free(struct cache_ticket *t);

/* Add one file: st is the stat taken before it was read, a its article or
 * NULL if it was skipped, problems its problem messages. Copies what it
 * needs; a file whose entry cannot be stored (modified too recently, a
 * string of 4 GB) is silently left out and simply misses next time. */
void cache_writer_add(struct cache_writer *w, const char *path, const struct stat *st,
		      const struct article *a, const char *const *problems, size_t nproblems);
/* cache_writer_add of the file named path, stored under key (see
 * cache_find): encoded into the writer's own lane and placed. */
void cache_writer_add_as(struct cache_writer *w, const char *key, const char *path,
			 const struct stat *st, const struct article *a,
			 const char *const *problems, size_t nproblems);
/* Add entry id of an open cache as it is, for the file st (the one that
 * found it): no decoding, no encoding. Returns 0, or -1 if the entry turns
 * out to be damaged (then nothing is added). */
int cache_writer_copy(struct cache_writer *w, struct cache_reader *r, size_t id,
		      const struct stat *st);

/* The most bytes of entries, index and records section the writer's
 * buffers have had allocated, summed over them: bounded when it streams,
 * whatever the number of entries (beyond it the writer keeps 24 bytes an
 * article until the commit, which reads the titles back to rank them).
 * For tests. */
size_t cache_writer_peak(const struct cache_writer *w);

/* Write the cache to path atomically: the rest of the unnamed file in
 * path's directory (created, with its missing parents, mode 0700) that
 * holds the bodies, then that file named path (atomic_publish_scratch: not
 * synced, a file that can be made again); then the directory pruned to
 * CACHE_KEEP files (cache_prune).
 * Returns 0, or -1 with *err a newly allocated line "cache PATH:
 * cannot write: reason". The writer stays usable only for cache_writer_free. */
int cache_writer_commit(struct cache_writer *w, const char *path, char **err);

void cache_writer_free(struct cache_writer *w);

#endif

/* cache: the parsed article cache on disk, one file per set of archive
 * roots. It keeps, for every file loaded, the file's identity (path, size,
 * mtime to the nanosecond, inode, device) and the outcome of parsing it:
 * the article, or the mark that it was skipped, plus its problem messages.
 * A warm start decodes articles from it instead of parsing YAML.
 *
 * The file is versioned and checksummed and is only ever replaced whole
 * (written beside it, then renamed over it), so a reader sees either the
 * old cache or the new one. Anything wrong with it -- truncated, flipped
 * bits, another format version, another lede version, not a cache at all --
 * makes cache_open() refuse it; it is then rebuilt, never trusted.
 *
 * Format (little-endian, no padding):
 *   header, 48 bytes:
 *     "LEDECACH"  u32 format version  u32 0  u64 entries
 *     u64 payload bytes  u64 payload checksum
 *     u64 FNV-1a 64 of the lede version that wrote it
 *   payload: the entries, one after another:
 *     u32 bytes that follow in this entry
 *     str path  i64 size  i64 mtime s  i64 mtime ns  u64 inode  u64 device
 *     u8 kind (0 skipped, 1 article)
 *     u32 problems, each: u8 1 if it began with the escaped path (which is
 *       left out and put back on lookup) else 0, then str the rest
 *     for an article, its record (see cache.c)
 *   str: u32 length (0xffffffff for a missing string), then the bytes.
 * The checksum is an FNV-style multiply-and-rotate hash over the payload's
 * 64-bit words in four interleaved lanes: fast enough to run over a whole
 * archive's cache on every start, and it catches damage (any one changed
 * byte, always), not forgery. */
#ifndef LEDE_CACHE_H
#define LEDE_CACHE_H

#include <stddef.h>
#include <sys/stat.h>

#include "lede/article.h"
#include "lede/util.h"

/* Bump when the encoding changes or when parse_article would give a
 * different result for the same file: old caches are then rebuilt. */
enum { CACHE_FORMAT_VERSION = 1 };

/* The cache file for these archive roots (as given on the command line):
 * $XDG_CACHE_HOME/lede/<hash>.cache, else $HOME/.cache/lede/<hash>.cache,
 * where <hash> is the 16-hex-digit FNV-1a 64 of the roots made absolute
 * and resolved (realpath), joined with NUL. A root that does not exist is
 * only made absolute. Returns a new string, or NULL when neither variable
 * gives an absolute directory. */
char *cache_path_for(const char *const *roots, size_t n);

/* An opened, verified cache: the whole file in memory and its entries
 * indexed by path and by (device, inode). Read-only once open, so any
 * number of threads may call cache_lookup() at once. */
struct cache;

/* Open and verify path. Returns NULL with *err NULL when there is no cache
 * file; NULL with *err a newly allocated line "cache PATH: reason,
 * rebuilding" when it cannot be read or is truncated, corrupt, foreign or
 * of another version. */
struct cache *cache_open(const char *path, char **err);

/* The number of entries, so that a caller can tell whether files it had
 * cached have since gone (fewer hits than entries). */
size_t cache_count(const struct cache *c);

/* If the cache holds a file with exactly st's size, mtime (s and ns),
 * inode and device -- under this path or, when the archive was named
 * another way (a relative path, a renamed file), under another path with
 * the same inode -- returns 1, sets *article to a new copy for path (the
 * caller frees it with article_free; related[].local are -1) or to NULL
 * for a skipped file, and appends the file's problems to *problems,
 * written with this path. Otherwise returns 0 and touches nothing. */
int cache_lookup(const struct cache *c, const char *path, const struct stat *st,
		 struct article **article, struct strlist *problems);

void cache_close(struct cache *c);

/* Writing: collect the entries, then commit. Not thread-safe; feed it from
 * one thread. */
struct cache_writer;

/* Create the writer before stat-ing the files it will be given: a file
 * modified less than two seconds before that moment is left out of the
 * cache, since a rewrite of the same size within the filesystem's
 * timestamp granularity would otherwise look unchanged. */
struct cache_writer *cache_writer_new(void);

/* Add one file: st is the stat taken before it was read, a its article or
 * NULL if it was skipped, problems its problem messages. Copies what it
 * needs; a file whose entry cannot be stored (modified too recently, a
 * string of 4 GB) is silently left out and simply misses next time. */
void cache_writer_add(struct cache_writer *w, const char *path, const struct stat *st,
		      const struct article *a, const char *const *problems, size_t nproblems);

/* Write the cache to path atomically: into path.tmp.<pid> in the same
 * directory (created, with its missing parents, mode 0700), fsync, rename
 * over path. Returns 0, or -1 with *err a newly allocated line "cache PATH:
 * cannot write: reason". The writer stays usable only for cache_writer_free. */
int cache_writer_commit(struct cache_writer *w, const char *path, char **err);

void cache_writer_free(struct cache_writer *w);

#endif

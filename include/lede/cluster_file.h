/* cluster_file: the coverage clusters kept beside the cache, so that a
 * start whose articles all come from the cache as it is takes them as
 * they were found instead of finding them again (seconds at a million
 * articles).
 *
 * The file is the cache file's name with ".clusters" for ".cache"
 * (CACHE_BESIDE), in the same directory, and is removed with it by the
 * prune. It is a part of its own, written whole (beside it, then renamed
 * over it) after the clusters are computed, and tied to two things:
 *   - the cache: its identity (cache_identity: the checksums of its index
 *     and of its records, which any change of an entry changes), so that
 *     a cache rewritten since makes the file stale;
 *   - the store: how many articles it holds and a fingerprint of them in
 *     their order (each one's date, quality, heat, provider, topic count
 *     and file name), so that its indices name the same articles.
 * A store may take it as it is only when every one of its articles came
 * from that very cache: a reader's lazy load with no article parsed,
 * replaced or hidden since (store_source_cache), or a load through the
 * cache that hit for every file while the cache file stayed the same.
 *
 * Otherwise (another cache or store: files added, changed or removed
 * since) the file's clusters and model are what cluster_update starts
 * from, when the change is small enough; and a store not all from the
 * cache (a reader's check applied, a load that parsed files) writes its
 * clusters tied to no cache (its checksums 0), for the next start to
 * update from. A file damaged (its checksum), of another method or
 * version, or impossible (a lead or a ring that does not hold together)
 * is never used: the clusters are computed, with the same result, and
 * the file written again. A model whose own checksum fails only costs
 * the update: the clusters are computed.
 *
 * Format (little-endian):
 *   "LEDECLUS"  u32 format version (CLUSTER_FILE_VERSION)  u32 0
 *   u64 FNV-1a 64 of the lede version that wrote it
 *   u64 cache index checksum  u64 cache records checksum
 *   u64 articles (n)  u64 store fingerprint
 *   u64 clusters of two or more  u64 articles in them
 *   u64 checksum of the 72 bytes before it, the arrays and the model head
 *   n u32: lead[i]   n u32: next[i]   (cluster.h's struct cluster_set)
 *   the model (cluster.h's struct cluster_model), its head:
 *     u64 1 (0: none, and nothing after the head)  u64 words  u64 topics
 *     u64 articles counted  u64 drift  u64 checksum of the rest
 *   n u64: key[i]   16 bytes: the URLs' hash key   n u64: url[i]
 *   n * CLUSTER_BLOCK_WORDS u32: block words
 *   words x (u64 packed stem, u64 FNV-1a, u32 count)
 *   topics x (u64 FNV-1a, u32 count)
 * A warm start reads the header, the arrays and the model head only. */
#ifndef LEDE_CLUSTER_FILE_H
#define LEDE_CLUSTER_FILE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lede/cache.h"
#include "lede/cluster.h"

/* Bump when the file's layout or cluster.c's method changes: a file of
 * another version is stale. */
enum { CLUSTER_FILE_VERSION = 3 };

struct store;

/* What a file is valid for: the cache the store came from, the store. */
struct cluster_tie {
	struct cache_identity cache;
	uint64_t store; /* cluster_file_fingerprint */
	size_t n;
};

/* The file beside cache_path (a new string; NULL for NULL). */
char *cluster_file_path(const char *cache_path);

/* The fingerprint of s's articles in their order. O(n). */
uint64_t cluster_file_fingerprint(const struct store *s);

/* The clusters the file at path holds for tie (n articles), or NULL when
 * it is missing, stale or damaged. */
struct cluster_set *cluster_file_read(const char *path, const struct cluster_tie *tie);

/* Write c into path for tie, atomically. 0, or -1 (nothing written). */
int cluster_file_write(const char *path, const struct cluster_tie *tie,
		       const struct cluster_set *c);

/* The clusters of s, as cluster_compute finds them: from the file beside
 * cache_path when from (the identity of the cache every article of s came
 * from, as it is there) is not NULL and the file holds them for s; else
 * updated from the file's, or computed, and then written there for the
 * next start. cancel as cluster_compute's; show (may be NULL) as
 * cluster_update_showing's, told the file's clusters carried over when
 * they are updated. */
struct cluster_set *cluster_file_get(const struct store *s, const char *cache_path,
				     const struct cache_identity *from, const atomic_bool *cancel,
				     cluster_shown_fn *show, void *ctx);

/* Recompute, in place, the checksum of the file image d[0..n): for tests
 * of what a file that is not damaged but impossible does. */
void cluster_file_reseal(unsigned char *d, size_t n);

#endif

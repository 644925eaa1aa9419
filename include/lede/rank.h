/* rank: sorting by integers and by strings without comparing every pair:
 * a stable radix sort of 64-bit keys, and strings sorted by their bytes as
 * 8-byte big-endian keys radix-sorted, only the runs of equal keys going on
 * to their next 8 bytes. What the query engine builds its sort orders from
 * (query.h), so that an order is a few passes over the articles, not a
 * comparison sort that reads every title log n times. */
#ifndef LEDE_RANK_H
#define LEDE_RANK_H

#include <stddef.h>
#include <stdint.h>

struct rank_kv {
	uint64_t key;
	uint32_t idx;
};

/* Sort v[0..n) by key, ascending; stable (equal keys keep their order). */
void rank_sort_kv(struct rank_kv *v, size_t n);

/* The same for keys of 32 bits, half the bytes to move a pass and at most
 * four passes: what an order of a million articles by date or score
 * needs, once the keys are taken less their smallest. */
struct rank_kv32 {
	uint32_t key;
	uint32_t idx;
};
void rank_sort_kv32(struct rank_kv32 *v, size_t n);

/* A signed value as a key that sorts as the value does. */
static inline uint64_t rank_key_of_int(int64_t v)
{
	return (uint64_t)v ^ (UINT64_C(1) << 63);
}

/* The string of item i (never NULL), for rank_sort_strings. */
typedef const char *(*rank_string_fn)(const void *ctx, uint32_t i);

/* Sort idx[0..n) by the strings get gives for them, byte by byte as
 * strcmp orders them; stable. same (room for n, may be NULL) is set to
 * whether each sorted string equals the one before it (same[0] is 0). */
void rank_sort_strings(uint32_t *idx, size_t n, rank_string_fn get, const void *ctx,
		       unsigned char *same);

/* Items 0..n) with a title (title gives NULL for none, in that one case)
 * sorted by it, then those without one in item order: the tie order before
 * its runs of one title and its untitled are put in path order. Returns
 * the order (the caller frees it); *same (the caller frees it) says of
 * each titled position whether its title equals the one before, *ntitled
 * how many have one. */
uint32_t *rank_by_title(size_t n, rank_string_fn title, const void *ctx, unsigned char **same,
			size_t *ntitled);

/* The tie order of items 0..n): those whose title (title, which gives NULL
 * for none, in that one case) is there sorted by it, each run of one title
 * by path; then the untitled ones by path. Returns the order (the caller
 * frees it); *same (the caller frees it) says of each titled position
 * whether its title equals the one before, *ntitled how many have one. */
uint32_t *rank_tie_order(size_t n, rank_string_fn title, rank_string_fn path, const void *ctx,
			 unsigned char **same, size_t *ntitled);

#endif

/* rank: a stable LSD radix sort of 64-bit keys, and an MSD string sort on
 * top of it (rank.h). */
#include "lede/rank.h"

#include <stdlib.h>
#include <string.h>

#include "lede/util.h"

/* Below this many items, an insertion sort costs less than clearing the
 * radix counters. */
enum { SMALL = 32 };

/* Both key widths are sorted by the same code over items of `size` bytes
 * whose key key() reads. Inlined into each caller, where size, the key's
 * bytes and key() are constants: a move stays a plain copy of the struct,
 * a key one load, as if each width had its own copy. */
#define RANK_INLINE static inline __attribute__((always_inline))
typedef uint64_t key_fn(const void *item);
enum { ITEM_MAX = 16 }; /* the largest item: struct rank_kv */

RANK_INLINE void insertion_sort(unsigned char *v, size_t n, size_t size, key_fn *key)
{
	_Alignas(16) unsigned char x[ITEM_MAX];
	for (size_t i = 1; i < n; i++) {
		uint64_t k = key(v + i * size);
		memcpy(x, v + i * size, size);
		size_t j = i;
		for (; j > 0 && key(v + (j - 1) * size) > k; j--)
			memcpy(v + j * size, v + (j - 1) * size, size);
		memcpy(v + j * size, x, size);
	}
}

/* One byte a pass, low byte first, over keys of nbytes bytes; a pass where
 * every key has the same byte moves nothing and is skipped (dates share
 * their high bytes, scores use one). */
RANK_INLINE void radix_sort(unsigned char *v, unsigned char *tmp, size_t n, size_t size,
			    int nbytes, key_fn *key)
{
	size_t count[8][256];
	memset(count, 0, (size_t)nbytes * sizeof count[0]);
	for (size_t i = 0; i < n; i++)
		for (int b = 0; b < nbytes; b++)
			count[b][(key(v + i * size) >> (8 * b)) & 0xff]++;
	unsigned char *from = v, *to = tmp;
	for (int b = 0; b < nbytes; b++) {
		size_t *c = count[b];
		if (c[(key(v) >> (8 * b)) & 0xff] == n)
			continue;
		size_t at = 0;
		for (int d = 0; d < 256; d++) {
			size_t k = c[d];
			c[d] = at;
			at += k;
		}
		for (size_t i = 0; i < n; i++)
			memcpy(to + c[(key(from + i * size) >> (8 * b)) & 0xff]++ * size,
			       from + i * size, size);
		unsigned char *t = from;
		from = to;
		to = t;
	}
	if (from != v)
		memcpy(v, from, n * size);
}

static uint64_t key_of_kv(const void *item)
{
	return ((const struct rank_kv *)item)->key;
}

static uint64_t key_of_kv32(const void *item)
{
	return ((const struct rank_kv32 *)item)->key;
}

_Static_assert(sizeof(struct rank_kv) <= ITEM_MAX && sizeof(struct rank_kv32) <= ITEM_MAX,
	       "an item fits insertion_sort's copy");

/* The passes of each width in a function of its own: inlined into a
 * caller, their 16 KiB of counters would weigh on every small sort's
 * frame. */
static __attribute__((noinline)) void radix_kv(struct rank_kv *v, struct rank_kv *tmp, size_t n)
{
	radix_sort((unsigned char *)v, (unsigned char *)tmp, n, sizeof *v, 8, key_of_kv);
}

static __attribute__((noinline)) void radix_kv32(struct rank_kv32 *v, struct rank_kv32 *tmp,
						 size_t n)
{
	radix_sort((unsigned char *)v, (unsigned char *)tmp, n, sizeof *v, 4, key_of_kv32);
}

static void sort_kv(struct rank_kv *v, struct rank_kv *tmp, size_t n)
{
	if (n <= SMALL)
		insertion_sort((unsigned char *)v, n, sizeof *v, key_of_kv);
	else
		radix_kv(v, tmp, n);
}

void rank_sort_kv(struct rank_kv *v, size_t n)
{
	struct rank_kv *tmp = n > SMALL ? xmalloc(n * sizeof *tmp) : NULL;
	sort_kv(v, tmp, n);
	free(tmp);
}

void rank_sort_kv32(struct rank_kv32 *v, size_t n)
{
	if (n <= SMALL) {
		insertion_sort((unsigned char *)v, n, sizeof *v, key_of_kv32);
		return;
	}
	struct rank_kv32 *tmp = xmalloc(n * sizeof *tmp);
	radix_kv32(v, tmp, n);
	free(tmp);
}

/* Strings ------------------------------------------------------------------ */

struct strings {
	rank_string_fn get;
	const void *ctx;
	const uint32_t *ids; /* the items; a kv's idx is a place in ids */
	struct rank_kv *tmp;
	/* each item's bytes 8 to 16 as a key, read in the first pass, which
	 * goes through the items in their given order: a second level then
	 * reads an array, not each string again out of order */
	uint64_t *second;
};

/* The 8 bytes from s on, big-endian, zeros past the end: keys that sort as
 * the strings' bytes do, since no byte of a string is 0. */
static uint64_t prefix_key(const char *s)
{
	uint64_t k = 0;
	int i = 0;
	for (; i < 8 && s[i]; i++)
		k = k << 8 | (unsigned char)s[i];
	return i ? k << (8 * (8 - i)) : 0;
}

/* v[0..n), equal in their first depth bytes and each at least that long:
 * sorted by their next 8 bytes, then each run of equal ones by the 8 after,
 * unless they ended within these (a key with a 0 byte): then they are the
 * same string. same[0] is the caller's to set. */
static void sort_strings_at(const struct strings *x, struct rank_kv *v, size_t n, size_t depth,
			    unsigned char *same)
{
	if (n < 2)
		return;
	if (depth == 8)
		for (size_t i = 0; i < n; i++)
			v[i].key = x->second[v[i].idx];
	else if (depth)
		for (size_t i = 0; i < n; i++)
			v[i].key = prefix_key(x->get(x->ctx, x->ids[v[i].idx]) + depth);
	sort_kv(v, x->tmp, n);
	for (size_t a = 0; a < n;) {
		size_t b = a + 1;
		while (b < n && v[b].key == v[a].key)
			b++;
		if (same && a)
			same[a] = 0;
		if (b - a > 1) {
			if (v[a].key & 0xff) { /* all 8 bytes are text: on to the next 8 */
				sort_strings_at(x, v + a, b - a, depth + 8, same ? same + a : NULL);
			} else {
				for (size_t k = a + 1; same && k < b; k++)
					same[k] = 1;
			}
		}
		a = b;
	}
}

void rank_sort_strings(uint32_t *idx, size_t n, rank_string_fn get, const void *ctx,
		       unsigned char *same)
{
	if (same && n)
		same[0] = 0;
	if (n < 2)
		return;
	struct rank_kv *v = xmalloc(n * sizeof *v);
	uint32_t *ids = xmalloc(n * sizeof *ids);
	memcpy(ids, idx, n * sizeof *ids);
	struct strings x = {get, ctx, ids, xmalloc(n * sizeof *x.tmp),
			    xmalloc(n * sizeof *x.second)};
	for (size_t i = 0; i < n; i++) {
		const char *s = get(ctx, ids[i]);
		v[i] = (struct rank_kv){prefix_key(s), (uint32_t)i};
		x.second[i] = v[i].key & 0xff ? prefix_key(s + 8) : 0;
	}
	sort_strings_at(&x, v, n, 0, same);
	for (size_t i = 0; i < n; i++)
		idx[i] = ids[v[i].idx];
	free(ids);
	free(x.second);
	free(x.tmp);
	free(v);
}

uint32_t *rank_by_title(size_t n, rank_string_fn title, const void *ctx, unsigned char **same,
			size_t *ntitled)
{
	size_t nt = 0, nu = 0;
	uint32_t *order = xmalloc((n ? n : 1) * sizeof *order);
	for (size_t i = 0; i < n; i++) {
		if (title(ctx, (uint32_t)i))
			order[nt++] = (uint32_t)i;
		else
			order[n - ++nu] = (uint32_t)i;
	}
	/* the untitled ones were put from the end backwards: item order again */
	for (size_t a = nt, b = n; a + 1 < b; a++, b--) {
		uint32_t t = order[a];
		order[a] = order[b - 1];
		order[b - 1] = t;
	}
	*same = xcalloc(n ? n : 1, 1);
	rank_sort_strings(order, nt, title, ctx, *same);
	*ntitled = nt;
	return order;
}

uint32_t *rank_tie_order(size_t n, rank_string_fn title, rank_string_fn path, const void *ctx,
			 unsigned char **same, size_t *ntitled)
{
	uint32_t *order = rank_by_title(n, title, ctx, same, ntitled);
	size_t nt = *ntitled;
	for (size_t a = 0; a < nt;) {
		size_t b = a + 1;
		while (b < nt && (*same)[b])
			b++;
		if (b - a > 1)
			rank_sort_strings(order + a, b - a, path, ctx, NULL);
		a = b;
	}
	rank_sort_strings(order + nt, n - nt, path, ctx, NULL);
	return order;
}

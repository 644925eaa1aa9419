/* The radix sorts of 64-bit and 32-bit keys, which share their passes:
 * each against a plain stable sort at the sizes where the insertion sort
 * hands over to the passes, with keys all equal, at the edges of 32 bits
 * and differing in one byte only (the passes a key skips). */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdint.h>
#include <stdlib.h>

#include "lede/rank.h"
#include "lede/util.h"

/* Key sets: how the i-th key of a case is made from a random number. */
enum keys { ALL_EQUAL, EDGES_32, ONE_BYTE, SPREAD, NKEYS };

static uint64_t key_of(enum keys k, uint64_t r)
{
	static const uint64_t edges[] = {0,
					 1,
					 UINT32_MAX - 1,
					 UINT32_MAX,
					 (uint64_t)UINT32_MAX + 1,
					 (uint64_t)UINT32_MAX + 2,
					 UINT64_C(1) << 63,
					 UINT64_MAX};
	switch (k) {
	case ALL_EQUAL:
		return 42;
	case EDGES_32:
		return edges[r % 8];
	case ONE_BYTE: /* only the third byte differs: every other pass skipped */
		return UINT64_C(0x1111111100001111) | (r & 0xff) << 16;
	default:
		return r;
	}
}

static uint64_t next(uint64_t *seed)
{
	*seed = *seed * 6364136223846793005u + 1442695040888963407u;
	return *seed >> 11;
}

/* Sorted by key and, among equal keys, by where each stood: stable. */
static int cmp_kv(const void *pa, const void *pb)
{
	const struct rank_kv *a = pa, *b = pb;
	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* 0 and 1 item, the insertion sort's largest and the passes' smallest
 * (32 and 33), and larger. */
static const size_t sizes[] = {0, 1, 2, 31, 32, 33, 34, 100, 257, 5000};
enum { NSIZES = sizeof sizes / sizeof *sizes };

ParameterizedTestParameters(rank, against_a_stable_sort)
{
	static int cases[NSIZES * NKEYS];
	for (int i = 0; i < NSIZES * NKEYS; i++)
		cases[i] = i;
	return cr_make_param_array(int, cases, NSIZES * NKEYS);
}

/* Each case's keys sorted by rank_sort_kv, and their low 32 bits (0, 1,
 * UINT32_MAX - 1 ... among them) by rank_sort_kv32, each against qsort
 * on the key and the place. */
ParameterizedTest(int *c, rank, against_a_stable_sort)
{
	size_t n = sizes[*c % NSIZES], room = n ? n : 1;
	enum keys k = (enum keys)(*c / NSIZES);
	struct rank_kv *v = xmalloc(room * sizeof *v), *want = xmalloc(room * sizeof *v);
	struct rank_kv *want32 = xmalloc(room * sizeof *v);
	struct rank_kv32 *v32 = xmalloc(room * sizeof *v32);
	uint64_t seed = (uint64_t)*c + 1;
	for (size_t i = 0; i < n; i++) {
		uint64_t key = key_of(k, next(&seed));
		v[i] = want[i] = (struct rank_kv){key, (uint32_t)i};
		want32[i] = (struct rank_kv){(uint32_t)key, (uint32_t)i};
		v32[i] = (struct rank_kv32){(uint32_t)key, (uint32_t)i};
	}
	qsort(want, n, sizeof *want, cmp_kv);
	qsort(want32, n, sizeof *want32, cmp_kv);
	rank_sort_kv(v, n);
	rank_sort_kv32(v32, n);
	for (size_t i = 0; i < n; i++) {
		cr_assert(v[i].key == want[i].key && v[i].idx == want[i].idx,
			  "case %d (%zu items, keys %d): 64 bits, place %zu holds %u, not %u", *c, n,
			  k, i, v[i].idx, want[i].idx);
		cr_assert(v32[i].key == want32[i].key && v32[i].idx == want32[i].idx,
			  "case %d (%zu items, keys %d): 32 bits, place %zu holds %u, not %u", *c, n,
			  k, i, v32[i].idx, want32[i].idx);
	}
	free(v);
	free(want);
	free(want32);
	free(v32);
}

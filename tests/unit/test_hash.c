/* The keyed hash and the URL index: SipHash-2-4 as its paper defines it,
 * and URLs crafted to collide under a fixed hash that no longer pile up. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lede/hash.h"
#include "lede/store.h"
#include "lede/util.h"

Test(hash, siphash24_paper_vectors)
{
	unsigned char key[16], msg[16];
	for (int i = 0; i < 16; i++)
		key[i] = msg[i] = (unsigned char)i;
	/* the paper's appendix: 15 bytes 00..0e under the key 00..0f */
	cr_assert_eq(hash_siphash24(key, msg, 15), 0xa129ca6149be45e5ull);
	/* the reference implementation's first vectors: 0 and 8 bytes */
	cr_assert_eq(hash_siphash24(key, msg, 0), 0x726fdb47dd0e0e31ull);
	cr_assert_eq(hash_siphash24(key, msg, 8), 0x93f5f5799a932462ull);
}

Test(hash, process_key_is_stable_and_not_zero)
{
	const char *s = "https://example.com/a";
	cr_assert_eq(hash_str(s), hash_str(s));
	cr_assert_eq(hash_str(s), hash_bytes(s, strlen(s)));
	cr_assert_neq(hash_str("https://example.com/a"), hash_str("https://example.com/b"));
	/* a key of zeros would be a fixed, public hash */
	unsigned char zero[16] = {0};
	cr_assert_neq(hash_str(s), hash_siphash24(zero, s, strlen(s)));
}

/* The index's hash before it was keyed: every step can be undone, so
 * whole-hash collisions are made to order. */
#define OLD_K 0x9e3779b97f4a7c15ull
#define OLD_C1 0xbf58476d1ce4e5b9ull
#define OLD_C2 0x94d049bb133111ebull

static uint64_t old_hash(const char *s)
{
	size_t n = strlen(s), i = 0;
	uint64_t h = OLD_K ^ n, w;
	for (; n - i >= 8; i += 8) {
		memcpy(&w, s + i, 8);
		h = (h ^ w) * OLD_C1;
		h ^= h >> 29;
	}
	w = 0;
	memcpy(&w, s + i, n - i);
	h = (h ^ w) * OLD_C2;
	return h ^ h >> 32;
}

enum { NCOLLIDE = 3000, URL_LEN = 8 + 8 + 8 + 6 };

/* URL k of a family that all hash alike under old_hash: "https://",
 * eight bytes that differ, eight bytes that bring the state back to one
 * value, "/story". Returns false when those eight bytes hold a NUL. */
static bool colliding_url(unsigned k, char out[URL_LEN + 1])
{
	char block[9];
	snprintf(block, sizeof block, "%08x", k);
	memcpy(out, "https://", 8);
	memcpy(out + 8, block, 8);
	uint64_t h = OLD_K ^ (uint64_t)URL_LEN, w;
	for (int b = 0; b < 2; b++) {
		memcpy(&w, out + 8 * b, 8);
		h = (h ^ w) * OLD_C1;
		h ^= h >> 29;
	}
	w = h ^ 0x2f2f2f2f2f2f2f2full; /* the state after it: always the same */
	memcpy(out + 16, &w, 8);
	memcpy(out + 24, "/story", 7);
	return memchr(out + 16, '\0', 8) == NULL;
}

Test(hash, crafted_urls_do_not_pile_up_in_the_index)
{
	struct store s;
	store_init(&s);
	char (*urls)[URL_LEN + 1] = calloc(NCOLLIDE, sizeof *urls);
	unsigned k = 0;
	for (size_t i = 0; i < NCOLLIDE; k++) {
		if (!colliding_url(k, urls[i]))
			continue;
		struct article *a = article_new("crafted.md");
		a->web_url = arena_strndup(&a->arena, urls[i], URL_LEN);
		store_add(&s, a);
		i++;
	}
	/* the attack works against the old function */
	for (size_t i = 1; i < NCOLLIDE; i++)
		cr_assert_eq(old_hash(urls[i]), old_hash(urls[0]), "url %zu", i);
	store_link(&s);
	for (size_t i = 0; i < NCOLLIDE; i++)
		cr_assert_eq(store_find_url(&s, urls[i]), (long)i, "url %zu", i);
	/* With an unkeyed hash the whole family shares one slot and a lookup
	 * walks past all of them; keyed, they spread like any other URLs. */
	size_t probes = store_url_max_probe(&s);
	cr_assert_lt(probes, 32, "a lookup visits %zu slots", probes);
	store_free(&s);
	free(urls);
}

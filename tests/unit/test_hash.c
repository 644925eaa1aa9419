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

/* The reference implementation's table: SipHash-2-4 of the messages 00,
 * 00 01, ... 00..3e under the key 00..0f, 0 to 63 bytes long -- every
 * length of the last partial word, over whole words or none -- each read
 * from an unaligned address as well. */
static const uint64_t siphash24_vectors[64] = {
	0x726fdb47dd0e0e31ull, 0x74f839c593dc67fdull, 0x0d6c8009d9a94f5aull,
	0x85676696d7fb7e2dull, 0xcf2794e0277187b7ull, 0x18765564cd99a68dull,
	0xcbc9466e58fee3ceull, 0xab0200f58b01d137ull, 0x93f5f5799a932462ull,
	0x9e0082df0ba9e4b0ull, 0x7a5dbbc594ddb9f3ull, 0xf4b32f46226bada7ull,
	0x751e8fbc860ee5fbull, 0x14ea5627c0843d90ull, 0xf723ca908e7af2eeull,
	0xa129ca6149be45e5ull, 0x3f2acc7f57c29bdbull, 0x699ae9f52cbe4794ull,
	0x4bc1b3f0968dd39cull, 0xbb6dc91da77961bdull, 0xbed65cf21aa2ee98ull,
	0xd0f2cbb02e3b67c7ull, 0x93536795e3a33e88ull, 0xa80c038ccd5ccec8ull,
	0xb8ad50c6f649af94ull, 0xbce192de8a85b8eaull, 0x17d835b85bbb15f3ull,
	0x2f2e6163076bcfadull, 0xde4daaaca71dc9a5ull, 0xa6a2506687956571ull,
	0xad87a3535c49ef28ull, 0x32d892fad841c342ull, 0x7127512f72f27cceull,
	0xa7f32346f95978e3ull, 0x12e0b01abb051238ull, 0x15e034d40fa197aeull,
	0x314dffbe0815a3b4ull, 0x027990f029623981ull, 0xcadcd4e59ef40c4dull,
	0x9abfd8766a33735cull, 0x0e3ea96b5304a7d0ull, 0xad0c42d6fc585992ull,
	0x187306c89bc215a9ull, 0xd4a60abcf3792b95ull, 0xf935451de4f21df2ull,
	0xa9538f0419755787ull, 0xdb9acddff56ca510ull, 0xd06c98cd5c0975ebull,
	0xe612a3cb9ecba951ull, 0xc766e62cfcadaf96ull, 0xee64435a9752fe72ull,
	0xa192d576b245165aull, 0x0a8787bf8ecb74b2ull, 0x81b3e73d20b49b6full,
	0x7fa8220ba3b2eceaull, 0x245731c13ca42499ull, 0xb78dbfaf3a8d83bdull,
	0xea1ad565322a1a0bull, 0x60e61c23a3795013ull, 0x6606d7e446282b93ull,
	0x6ca4ecb15c5f91e1ull, 0x9f626da15c9625f3ull, 0xe51b38608ef25f57ull,
	0x958a324ceb064572ull,
};

Test(hash, siphash24_reference_vectors_at_every_length)
{
	unsigned char key[16], buf[64 + 1] = {0};
	for (int i = 0; i < 16; i++)
		key[i] = (unsigned char)i;
	for (size_t n = 0; n < 64; n++) {
		for (size_t i = 0; i < n; i++)
			buf[i] = (unsigned char)i;
		cr_assert_eq(hash_siphash24(key, buf, n), siphash24_vectors[n], "%zu bytes", n);
		for (size_t i = 0; i < n; i++)
			buf[i + 1] = (unsigned char)i;
		cr_assert_eq(hash_siphash24(key, buf + 1, n), siphash24_vectors[n],
			     "%zu bytes, unaligned", n);
	}
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

Test(hash, key_is_tells_the_process_s_key_from_another)
{
	unsigned char key[16];
	hash_process_key(key);
	cr_assert(hash_key_is(key));
	const char *s = "https://example.com/a";
	cr_assert_eq(hash_siphash24(key, s, strlen(s)), hash_str(s));
	for (int b = 0; b < 16; b += 15) {
		key[b] ^= 0x80;
		cr_expect_not(hash_key_is(key), "byte %d changed", b);
		key[b] ^= 0x80;
	}
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

/* hash: SipHash-2-4, written from the paper (Aumasson and Bernstein,
 * "SipHash: a fast short-input PRF", 2012), and the process's random key. */
#define _GNU_SOURCE
#include "lede/hash.h"
#include "lede/compat.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Every table whose keys come from data hashes each key once a lookup, and
 * a load looks up a few URLs an article: the state stays in four local
 * words (registers) and each message word is one load, not a byte loop
 * through memory, which had made hashing a fifth of what the reader ran
 * before its first screen. */
#define ROTL(x, b) ((uint64_t)((x) << (b)) | ((x) >> (64 - (b))))

#define SIPROUND                                                                                   \
	do {                                                                                       \
		v0 += v1;                                                                          \
		v1 = ROTL(v1, 13);                                                                 \
		v1 ^= v0;                                                                          \
		v0 = ROTL(v0, 32);                                                                 \
		v2 += v3;                                                                          \
		v3 = ROTL(v3, 16);                                                                 \
		v3 ^= v2;                                                                          \
		v0 += v3;                                                                          \
		v3 = ROTL(v3, 21);                                                                 \
		v3 ^= v0;                                                                          \
		v2 += v1;                                                                          \
		v1 = ROTL(v1, 17);                                                                 \
		v1 ^= v2;                                                                          \
		v2 = ROTL(v2, 32);                                                                 \
	} while (0)

/* Little-endian by shifts: the same value on any host, and one plain load
 * on a little-endian one (compilers merge the shifts). */
static inline uint64_t load_le64(const unsigned char *p)
{
	return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
	       (uint64_t)p[3] << 24 | (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 |
	       (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;
}

static uint64_t siphash(uint64_t k0, uint64_t k1, const unsigned char *p, size_t n)
{
	uint64_t v0 = k0 ^ 0x736f6d6570736575ull, v1 = k1 ^ 0x646f72616e646f6dull,
		 v2 = k0 ^ 0x6c7967656e657261ull, v3 = k1 ^ 0x7465646279746573ull;
	const unsigned char *end = p + (n & ~(size_t)7);
	for (; p != end; p += 8) {
		uint64_t m = load_le64(p);
		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	/* the last 0-7 bytes, with the length's low byte on top */
	uint64_t m = (uint64_t)n << 56;
	for (size_t k = 0; k < (n & 7); k++)
		m |= (uint64_t)p[k] << (8 * k);
	v3 ^= m;
	SIPROUND;
	SIPROUND;
	v0 ^= m;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

uint64_t hash_siphash24(const unsigned char key[16], const void *p, size_t n)
{
	return siphash(load_le64(key), load_le64(key + 8), p, n);
}

/* The key, drawn at the first hash or adopted before it (hash_adopt_key);
 * key_ready says which, read without the lock on every hash. */
static uint64_t key0, key1;
static atomic_bool key_ready;
static pthread_mutex_t key_mu = PTHREAD_MUTEX_INITIALIZER;

static int urandom(unsigned char *k, size_t n)
{
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t r = read(fd, k, n);
	close(fd);
	return r == (ssize_t)n ? 0 : -1;
}

static void draw_key(void)
{
	unsigned char k[16];
	if (compat_random(k, sizeof k) < 0 && urandom(k, sizeof k) < 0) {
		/* No entropy source at all (a bare chroot): still a key
		 * nobody can know in advance from the archive alone. */
		struct timespec t;
		clock_gettime(CLOCK_MONOTONIC, &t);
		uint64_t seed[4] = {(uint64_t)t.tv_nsec, (uint64_t)t.tv_sec, (uint64_t)getpid(),
				    (uint64_t)(uintptr_t)&t};
		uint64_t a = siphash(seed[0], seed[1], (const unsigned char *)seed, sizeof seed);
		uint64_t b = siphash(seed[2], seed[3], (const unsigned char *)seed, sizeof seed);
		memcpy(k, &a, 8);
		memcpy(k + 8, &b, 8);
	}
	key0 = load_le64(k);
	key1 = load_le64(k + 8);
}

/* The key, drawn now when nobody has hashed or adopted one yet. */
static void ensure_key(void)
{
	if (atomic_load_explicit(&key_ready, memory_order_acquire))
		return;
	pthread_mutex_lock(&key_mu);
	if (!atomic_load_explicit(&key_ready, memory_order_relaxed)) {
		draw_key();
		atomic_store_explicit(&key_ready, true, memory_order_release);
	}
	pthread_mutex_unlock(&key_mu);
}

bool hash_adopt_key(const unsigned char key[16])
{
	pthread_mutex_lock(&key_mu);
	if (!atomic_load_explicit(&key_ready, memory_order_relaxed)) {
		key0 = load_le64(key);
		key1 = load_le64(key + 8);
		atomic_store_explicit(&key_ready, true, memory_order_release);
	}
	bool same = key0 == load_le64(key) && key1 == load_le64(key + 8);
	pthread_mutex_unlock(&key_mu);
	return same;
}

void hash_process_key(unsigned char key[16])
{
	ensure_key();
	for (int i = 0; i < 8; i++) {
		key[i] = (unsigned char)(key0 >> (8 * i));
		key[8 + i] = (unsigned char)(key1 >> (8 * i));
	}
}

bool hash_key_is(const unsigned char key[16])
{
	ensure_key();
	return key0 == load_le64(key) && key1 == load_le64(key + 8);
}

uint64_t hash_bytes(const void *p, size_t n)
{
	ensure_key();
	return siphash(key0, key1, p, n);
}

uint64_t hash_str(const char *s)
{
	return hash_bytes(s, strlen(s));
}

uint64_t hash_pair(uint64_t a, uint64_t b)
{
	unsigned char m[16];
	memcpy(m, &a, 8);
	memcpy(m + 8, &b, 8);
	return hash_bytes(m, sizeof m);
}

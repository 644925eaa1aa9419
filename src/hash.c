/* hash: SipHash-2-4, written from the paper (Aumasson and Bernstein,
 * "SipHash: a fast short-input PRF", 2012), and the process's random key. */
#define _GNU_SOURCE
#include "lede/hash.h"
#include "lede/compat.h"

#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static uint64_t rotl(uint64_t x, int b)
{
	return x << b | x >> (64 - b);
}

static uint64_t load_le64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

struct sip {
	uint64_t v0, v1, v2, v3;
};

static void sipround(struct sip *s)
{
	s->v0 += s->v1;
	s->v1 = rotl(s->v1, 13);
	s->v1 ^= s->v0;
	s->v0 = rotl(s->v0, 32);
	s->v2 += s->v3;
	s->v3 = rotl(s->v3, 16);
	s->v3 ^= s->v2;
	s->v0 += s->v3;
	s->v3 = rotl(s->v3, 21);
	s->v3 ^= s->v0;
	s->v2 += s->v1;
	s->v1 = rotl(s->v1, 17);
	s->v1 ^= s->v2;
	s->v2 = rotl(s->v2, 32);
}

static void compress(struct sip *s, uint64_t m)
{
	s->v3 ^= m;
	sipround(s);
	sipround(s);
	s->v0 ^= m;
}

static uint64_t siphash(uint64_t k0, uint64_t k1, const unsigned char *p, size_t n)
{
	struct sip s = {
		k0 ^ 0x736f6d6570736575ull,
		k1 ^ 0x646f72616e646f6dull,
		k0 ^ 0x6c7967656e657261ull,
		k1 ^ 0x7465646279746573ull,
	};
	size_t i = 0;
	for (; n - i >= 8; i += 8)
		compress(&s, load_le64(p + i));
	/* the last 0-7 bytes, with the length's low byte on top */
	unsigned char last[8] = {0};
	memcpy(last, p + i, n - i);
	last[7] = (unsigned char)n;
	compress(&s, load_le64(last));
	s.v2 ^= 0xff;
	for (int r = 0; r < 4; r++)
		sipround(&s);
	return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

uint64_t hash_siphash24(const unsigned char key[16], const void *p, size_t n)
{
	return siphash(load_le64(key), load_le64(key + 8), p, n);
}

static uint64_t key0, key1;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

static int urandom(unsigned char *k, size_t n)
{
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t r = read(fd, k, n);
	close(fd);
	return r == (ssize_t)n ? 0 : -1;
}

static void make_key(void)
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

uint64_t hash_bytes(const void *p, size_t n)
{
	pthread_once(&key_once, make_key);
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

/* hash: the one keyed hash for tables whose keys come from data (URLs,
 * marks, directory identities). SipHash-2-4 under a key drawn at random
 * once per process, so that nobody who writes an archive can craft keys
 * that all land in one place of a table: without the key, a collision is
 * a guess. */
#ifndef LEDE_HASH_H
#define LEDE_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* SipHash-2-4 of the n bytes at p under a 16-byte key (k0 from bytes 0-7,
 * k1 from bytes 8-15, little-endian), as the SipHash paper defines it. */
uint64_t hash_siphash24(const unsigned char key[16], const void *p, size_t n);

/* The same under this process's key (from getrandom, else /dev/urandom,
 * else the clock and addresses: never a fixed one). Thread-safe. */
uint64_t hash_bytes(const void *p, size_t n);
uint64_t hash_str(const char *s);
/* Take key as this process's key, when no hash has drawn one yet: the
 * cache keeps the hashes of its articles' URLs under the key of the
 * process that wrote it (cache.h), and a reader that adopts it uses them
 * as they are. True when the process's key is key (adopted now or
 * before); false when another was drawn first. Thread-safe. */
bool hash_adopt_key(const unsigned char key[16]);
/* This process's key (drawn now if need be), for a file that keeps hashes
 * made with it. */
void hash_process_key(unsigned char key[16]);
/* Is key this process's key (drawn now if need be)? */
bool hash_key_is(const unsigned char key[16]);
/* Two numbers, e.g. a device and an inode. */
uint64_t hash_pair(uint64_t a, uint64_t b);

#endif

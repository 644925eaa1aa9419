/* cluster_file: the coverage clusters kept beside the cache (see
 * cluster_file.h for when a file is used and its format). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lede/cluster_file.h"
#include "lede/store.h"
#include "lede/util.h"

#define MAGIC "LEDECLUS"
enum { HEAD = 80, SUM_AT = 72 };

static uint64_t get64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int k = 7; k >= 0; k--)
		v = v << 8 | p[k];
	return v;
}

static void set64(unsigned char *p, uint64_t v)
{
	for (int k = 0; k < 8; k++, v >>= 8)
		p[k] = (unsigned char)v;
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void set32(unsigned char *p, uint32_t v)
{
	for (int k = 0; k < 4; k++, v >>= 8)
		p[k] = (unsigned char)v;
}

static uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * 0x100000001b3u;
	return h;
}

#define FNV_OFFSET 0xcbf29ce484222325u

/* A 64-bit word at a time, as the cache's checksums: any one changed byte
 * changes it (the multiplier is odd, the rotation spreads it). */
static uint64_t mix(uint64_t h, uint64_t v)
{
	h = (h ^ v) * 0x9e3779b97f4a7c15u;
	return h << 29 | h >> 35;
}

static uint64_t file_checksum(const unsigned char *d, size_t len)
{
	uint64_t h = fnv1a(FNV_OFFSET, d, SUM_AT);
	size_t i = HEAD;
	for (; i + 8 <= len; i += 8)
		h = mix(h, get64(d + i));
	for (; i < len; i++)
		h = mix(h, d[i]);
	return mix(h, len);
}

static uint64_t version_hash(void)
{
	return fnv1a(FNV_OFFSET, LEDE_VERSION, strlen(LEDE_VERSION));
}

char *cluster_file_path(const char *cache_path)
{
	if (!cache_path)
		return NULL;
	size_t n = strlen(cache_path), end = strlen(".cache");
	if (n >= end && !strcmp(cache_path + n - end, ".cache"))
		n -= end;
	return xasprintf("%.*s%s", (int)n, cache_path, CACHE_BESIDE);
}

/* The name of a file, whatever spelling of its root the path has. */
static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

uint64_t cluster_file_fingerprint(const struct store *s)
{
	uint64_t h = mix(FNV_OFFSET, s->n);
	for (size_t i = 0; i < s->n; i++) {
		unsigned has = store_has(s, i);
		const char *p = store_provider_name(s, i);
		const char *name = base_name(store_path(s, i));
		h = mix(h, has | (uint64_t)store_is_hidden(s, i) << 8 |
				   (uint64_t)store_ntopics(s, i) << 16);
		h = mix(h, has & HAS_DATE ? (uint64_t)store_date(s, i) : 0);
		h = mix(h, (uint64_t)(uint32_t)store_quality(s, i) << 32 |
				   (uint32_t)store_heat(s, i));
		h = mix(h, p ? fnv1a(FNV_OFFSET, p, strlen(p)) : 0);
		h = mix(h, fnv1a(FNV_OFFSET, name, strlen(name)));
	}
	return h;
}

/* ---- reading ---- */

static unsigned char *slurp_file(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct stat st;
	unsigned char *d = NULL;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= HEAD) {
		*len = (size_t)st.st_size;
		d = xmalloc(*len);
		size_t got = 0;
		while (got < *len) {
			ssize_t r = read(fd, d + got, *len - got);
			if (r <= 0)
				break;
			got += (size_t)r;
		}
		if (got != *len) {
			free(d);
			d = NULL;
		}
	}
	close(fd);
	return d;
}

/* Does header d say it is a good file for tie, of len bytes? */
static bool head_fits(const unsigned char *d, size_t len, const struct cluster_tie *tie)
{
	size_t n = tie->n;
	return !memcmp(d, MAGIC, 8) && get32(d + 8) == CLUSTER_FILE_VERSION &&
	       get32(d + 12) == 0 && get64(d + 16) == version_hash() &&
	       get64(d + 24) == tie->cache.index_sum && get64(d + 32) == tie->cache.records_sum &&
	       get64(d + 40) == n && get64(d + 48) == tie->store && n < UINT32_MAX &&
	       len == HEAD + 8 * n && get64(d + SUM_AT) == file_checksum(d, len);
}

/* Are c's leads and rings one partition of its articles, each ring led
 * by its lead and holding just the articles that name it? Sets the
 * sizes and the counts as it goes. */
static bool rings_hold(struct cluster_set *c)
{
	size_t n = c->n;
	for (size_t i = 0; i < n; i++) {
		if (c->lead[i] >= n || c->next[i] >= n || c->lead[c->lead[i]] != c->lead[i])
			return false;
		c->size[i] = 0;
	}
	size_t seen = 0;
	for (size_t i = 0; i < n; i++) {
		if (c->lead[i] != i)
			continue;
		size_t k = 0;
		uint32_t m = (uint32_t)i;
		do {
			if (c->lead[m] != i || c->size[m] || ++k > n)
				return false;
			c->size[m] = 1; /* seen; its size below */
			m = c->next[m];
		} while (m != i);
		seen += k;
		for (size_t j = 0; j < k; j++, m = c->next[m])
			c->size[m] = (uint32_t)k;
		c->nclusters += k > 1;
		c->nclustered += k > 1 ? k : 0;
	}
	return seen == n;
}

struct cluster_set *cluster_file_read(const char *path, const struct cluster_tie *tie)
{
	size_t len = 0;
	unsigned char *d = slurp_file(path, &len);
	if (!d)
		return NULL;
	struct cluster_set *c = NULL;
	if (head_fits(d, len, tie)) {
		size_t n = tie->n;
		c = xcalloc(1, sizeof *c);
		c->n = n;
		c->lead = xmalloc((n ? n : 1) * sizeof *c->lead);
		c->next = xmalloc((n ? n : 1) * sizeof *c->next);
		c->size = xmalloc((n ? n : 1) * sizeof *c->size);
		for (size_t i = 0; i < n; i++) {
			c->lead[i] = get32(d + HEAD + 4 * i);
			c->next[i] = get32(d + HEAD + 4 * (n + i));
		}
		c->stored = true;
		if (!rings_hold(c) || c->nclusters != get64(d + 56) ||
		    c->nclustered != get64(d + 64)) {
			cluster_free(c);
			c = NULL;
		}
	}
	free(d);
	return c;
}

/* ---- writing ---- */

void cluster_file_reseal(unsigned char *d, size_t n)
{
	if (n >= HEAD)
		set64(d + SUM_AT, file_checksum(d, n));
}

static int write_all(int fd, const unsigned char *d, size_t len)
{
	while (len) {
		ssize_t w = write(fd, d, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		d += w;
		len -= (size_t)w;
	}
	return 0;
}

int cluster_file_write(const char *path, const struct cluster_tie *tie,
		       const struct cluster_set *c)
{
	size_t n = c->n;
	if (n != tie->n || n >= UINT32_MAX)
		return -1;
	size_t len = HEAD + 8 * n;
	unsigned char *d = xcalloc(1, len);
	memcpy(d, MAGIC, 8);
	set32(d + 8, CLUSTER_FILE_VERSION);
	set64(d + 16, version_hash());
	set64(d + 24, tie->cache.index_sum);
	set64(d + 32, tie->cache.records_sum);
	set64(d + 40, n);
	set64(d + 48, tie->store);
	set64(d + 56, c->nclusters);
	set64(d + 64, c->nclustered);
	for (size_t i = 0; i < n; i++) {
		set32(d + HEAD + 4 * i, c->lead[i]);
		set32(d + HEAD + 4 * (n + i), c->next[i]);
	}
	cluster_file_reseal(d, len);
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int rc = fd < 0 ? -1 : write_all(fd, d, len);
	if (fd >= 0 && close(fd) < 0)
		rc = -1;
	if (fd >= 0 && (rc < 0 || rename(tmp, path) < 0)) {
		unlink(tmp);
		rc = -1;
	}
	free(tmp);
	free(d);
	return rc;
}

struct cluster_set *cluster_file_get(const struct store *s, const char *cache_path,
				     const struct cache_identity *from,
				     const atomic_bool *cancel)
{
	char *path = from ? cluster_file_path(cache_path) : NULL;
	struct cluster_tie tie = {0};
	struct cluster_set *c = NULL;
	if (path) {
		tie = (struct cluster_tie){*from, cluster_file_fingerprint(s), s->n};
		c = cluster_file_read(path, &tie);
	}
	if (!c) {
		c = cluster_compute(s, cancel);
		/* a file that cannot be written only costs the next start the
		 * computation again */
		if (c && path)
			cluster_file_write(path, &tie, c);
	}
	free(path);
	return c;
}

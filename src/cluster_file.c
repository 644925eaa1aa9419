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
enum { HEAD = 80, SUM_AT = 72, MODEL_HEAD = 48, MODEL_SUM_AT = 40 };

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

static uint64_t sum_from(uint64_t h, const unsigned char *d, size_t from, size_t len)
{
	size_t i = from;
	for (; i + 8 <= len; i += 8)
		h = mix(h, get64(d + i));
	for (; i < len; i++)
		h = mix(h, d[i]);
	return mix(h, len);
}

/* The checksum of the header, the arrays and the model's head (which
 * holds the model's own checksum): d[0..len), len the end of them. */
static uint64_t file_checksum(const unsigned char *d, size_t len)
{
	return sum_from(fnv1a(FNV_OFFSET, d, SUM_AT), d, HEAD, len);
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

static bool read_all(int fd, unsigned char *d, size_t len)
{
	size_t got = 0;
	while (got < len) {
		ssize_t r = read(fd, d + got, len - got);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	return got == len;
}

/* The file at path: all of it (whole), or its header, arrays and model
 * head alone (what a warm start reads: not the model an update needs,
 * most of the file), into *len; its size into *size. */
static unsigned char *slurp_file(const char *path, bool whole, size_t *len, size_t *size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct stat st;
	unsigned char *d = NULL;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= HEAD) {
		*size = (size_t)st.st_size;
		*len = *size;
		d = xmalloc(HEAD);
		bool ok = read_all(fd, d, HEAD);
		uint64_t n = ok ? get64(d + 40) : 0;
		if (ok && !whole && n < UINT32_MAX && HEAD + 8 * n + MODEL_HEAD <= *size)
			*len = HEAD + 8 * (size_t)n + MODEL_HEAD;
		d = xrealloc(d, *len);
		if (!ok || !read_all(fd, d + HEAD, *len - HEAD)) {
			free(d);
			d = NULL;
		}
	}
	close(fd);
	return d;
}

/* The bytes of the model's section for n articles and the counts its
 * head at p gives; 0 when they cannot be. */
static size_t model_len(const unsigned char *p, size_t n)
{
	uint64_t has = get64(p), nw = get64(p + 8), nt = get64(p + 16);
	if (n >= UINT32_MAX)
		return 0;
	if (!has)
		return MODEL_HEAD;
	if (has != 1 || nw >= UINT32_MAX || nt >= UINT32_MAX)
		return 0;
	return MODEL_HEAD + 16 * n + 16 + 4 * CLUSTER_BLOCK_WORDS * n + 20 * nw + 12 * nt;
}

/* Does header d (len bytes read of a file of size) say it is a good
 * file, for tie (any store and cache when tie is NULL)? */
static bool head_fits(const unsigned char *d, size_t len, size_t size,
		      const struct cluster_tie *tie)
{
	if (memcmp(d, MAGIC, 8) || get32(d + 8) != CLUSTER_FILE_VERSION || get32(d + 12) != 0 ||
	    get64(d + 16) != version_hash())
		return false;
	uint64_t n = get64(d + 40);
	if (tie && (get64(d + 24) != tie->cache.index_sum ||
		    get64(d + 32) != tie->cache.records_sum || n != tie->n ||
		    get64(d + 48) != tie->store))
		return false;
	if (n >= UINT32_MAX || len < HEAD + 8 * n + MODEL_HEAD)
		return false;
	size_t end = HEAD + 8 * (size_t)n + MODEL_HEAD;
	size_t m = model_len(d + end - MODEL_HEAD, (size_t)n);
	return m && size == end - MODEL_HEAD + m && get64(d + SUM_AT) == file_checksum(d, end);
}

/* The model of a file that fits, at p, for n articles; NULL when it has
 * none or one that cannot be (a block word past the words). */
static struct cluster_model *read_model(const unsigned char *p, size_t len, size_t n)
{
	if (!get64(p) || get64(p + MODEL_SUM_AT) != sum_from(FNV_OFFSET, p, MODEL_HEAD, len))
		return NULL;
	struct cluster_model *m = xcalloc(1, sizeof *m);
	m->n = n;
	m->nwords = get64(p + 8);
	m->ntopics = get64(p + 16);
	m->nlisted = get64(p + 24);
	m->drift = get64(p + 32);
	p += MODEL_HEAD;
	size_t nb = n * CLUSTER_BLOCK_WORDS;
	m->key = xmalloc((n ? n : 1) * sizeof *m->key);
	m->url = xmalloc((n ? n : 1) * sizeof *m->url);
	m->block = xmalloc((nb ? nb : 1) * sizeof *m->block);
	m->word_key = xmalloc((m->nwords ? m->nwords : 1) * sizeof *m->word_key);
	m->word_tie = xmalloc((m->nwords ? m->nwords : 1) * sizeof *m->word_tie);
	m->word_df = xmalloc((m->nwords ? m->nwords : 1) * sizeof *m->word_df);
	m->topic_key = xmalloc((m->ntopics ? m->ntopics : 1) * sizeof *m->topic_key);
	m->topic_df = xmalloc((m->ntopics ? m->ntopics : 1) * sizeof *m->topic_df);
	bool ok = true;
	for (size_t i = 0; i < n; i++, p += 8)
		m->key[i] = get64(p);
	memcpy(m->url_key, p, sizeof m->url_key);
	p += sizeof m->url_key;
	for (size_t i = 0; i < n; i++, p += 8)
		m->url[i] = get64(p);
	for (size_t i = 0; i < nb; i++, p += 4) {
		m->block[i] = get32(p);
		ok &= m->block[i] == UINT32_MAX || m->block[i] < m->nwords;
	}
	for (size_t w = 0; w < m->nwords; w++, p += 20) {
		m->word_key[w] = get64(p);
		m->word_tie[w] = get64(p + 8);
		m->word_df[w] = get32(p + 16);
		ok &= m->word_key[w] != 0 && m->word_df[w] > 0;
	}
	for (size_t t = 0; t < m->ntopics; t++, p += 12) {
		m->topic_key[t] = get64(p);
		m->topic_df[t] = get32(p + 8);
		ok &= m->topic_key[t] != 0;
	}
	if (!ok) {
		cluster_model_free(m);
		return NULL;
	}
	return m;
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
	size_t len = 0, size = 0;
	unsigned char *d = slurp_file(path, !tie, &len, &size);
	if (!d)
		return NULL;
	struct cluster_set *c = NULL;
	if (head_fits(d, len, size, tie)) {
		size_t n = (size_t)get64(d + 40);
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
		if (!tie)
			c->model = read_model(d + HEAD + 8 * n, len - HEAD - 8 * n, n);
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

void cluster_file_reseal(unsigned char *d, size_t len)
{
	if (len < HEAD)
		return;
	uint64_t n = get64(d + 40);
	size_t end = len;
	if (n < UINT32_MAX && HEAD + 8 * n + MODEL_HEAD <= len) {
		end = HEAD + 8 * (size_t)n + MODEL_HEAD;
		unsigned char *m = d + end - MODEL_HEAD;
		set64(m + MODEL_SUM_AT, sum_from(FNV_OFFSET, m, MODEL_HEAD, len - (end - MODEL_HEAD)));
	}
	set64(d + SUM_AT, file_checksum(d, end));
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

static void put_model(unsigned char *p, const struct cluster_model *m)
{
	set64(p, 1);
	set64(p + 8, m->nwords);
	set64(p + 16, m->ntopics);
	set64(p + 24, m->nlisted);
	set64(p + 32, m->drift);
	p += MODEL_HEAD;
	for (size_t i = 0; i < m->n; i++, p += 8)
		set64(p, m->key[i]);
	memcpy(p, m->url_key, sizeof m->url_key);
	p += sizeof m->url_key;
	for (size_t i = 0; i < m->n; i++, p += 8)
		set64(p, m->url[i]);
	for (size_t i = 0; i < m->n * CLUSTER_BLOCK_WORDS; i++, p += 4)
		set32(p, m->block[i]);
	for (size_t w = 0; w < m->nwords; w++, p += 20) {
		set64(p, m->word_key[w]);
		set64(p + 8, m->word_tie[w]);
		set32(p + 16, m->word_df[w]);
	}
	for (size_t t = 0; t < m->ntopics; t++, p += 12) {
		set64(p, m->topic_key[t]);
		set32(p + 8, m->topic_df[t]);
	}
}

int cluster_file_write(const char *path, const struct cluster_tie *tie,
		       const struct cluster_set *c)
{
	size_t n = c->n;
	if (n != tie->n || n >= UINT32_MAX)
		return -1;
	const struct cluster_model *m = c->model && c->model->n == n ? c->model : NULL;
	size_t nw = m ? m->nwords : 0, nt = m ? m->ntopics : 0;
	size_t len = HEAD + 8 * n + MODEL_HEAD;
	if (m)
		len += 16 * n + 16 + 4 * CLUSTER_BLOCK_WORDS * n + 20 * nw + 12 * nt;
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
	if (m)
		put_model(d + HEAD + 8 * n, m);
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
				     const struct cache_identity *from, const atomic_bool *cancel,
				     cluster_shown_fn *show, void *ctx)
{
	char *path = cluster_file_path(cache_path);
	/* without the cache's identity the file is written for no cache: a
	 * start takes it only to update from */
	struct cluster_tie tie = {.n = s->n};
	struct cluster_set *c = NULL;
	if (path) {
		tie.store = cluster_file_fingerprint(s);
		if (from)
			tie.cache = *from;
		if (from)
			c = cluster_file_read(path, &tie);
	}
	if (!c) {
		struct cluster_set *prev = path ? cluster_file_read(path, NULL) : NULL;
		c = prev ? cluster_update_showing(s, prev, cancel, show, ctx) : NULL;
		cluster_free(prev);
		if (!c)
			c = cluster_compute(s, cancel);
		/* a file that cannot be written only costs the next start the
		 * computation again */
		if (c && path)
			cluster_file_write(path, &tie, c);
	}
	if (c) { /* what a next update needs is in the file now */
		cluster_model_free(c->model);
		c->model = NULL;
	}
	free(path);
	return c;
}

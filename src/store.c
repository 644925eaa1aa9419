/* store: loading and the URL index (open addressing, FNV-1a). */
#include "lede/store.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lede/parse.h"
#include "lede/scan.h"

struct url_slot {
	const char *url; /* borrowed from the article */
	uint64_t hash;
	size_t idx;
};

void store_init(struct store *s)
{
	memset(s, 0, sizeof *s);
}

void store_add(struct store *s, struct article *a)
{
	s->v = xgrow(s->v, &s->cap, s->n + 1, sizeof *s->v);
	s->v[s->n++] = a;
}

static void load_file(struct store *s, const char *path, size_t max)
{
	char *data;
	size_t len;
	if (read_file(path, max, &data, &len) < 0) {
		struct buf b = {0};
		buf_put_safe(&b, path, strlen(path));
		if (errno == EFBIG)
			buf_printf(&b, ": larger than the %zu byte limit, skipped", max);
		else if (errno == EINVAL)
			buf_puts(&b, ": not a regular file, skipped");
		else
			buf_printf(&b, ": cannot read: %s", strerror(errno));
		strlist_push(&s->problems, b.data);
		return;
	}
	struct article *a = parse_article(path, data, len, &s->problems);
	free(data);
	if (a)
		store_add(s, a);
}

void store_load(struct store *s, const char *const *paths, size_t n,
		const struct store_opts *opts)
{
	size_t max = opts && opts->max_file_size ? opts->max_file_size : STORE_DEFAULT_MAX_FILE;
	struct strlist files = {0};
	scan_paths(paths, n, &files, &s->problems);
	s->nfiles += files.n;
	for (size_t i = 0; i < files.n; i++)
		load_file(s, files.v[i], max);
	strlist_free(&files);
	store_link(s);
}

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static void index_url(struct store *s, const char *url, size_t idx)
{
	if (!url || !*url)
		return;
	uint64_t h = hash_str(url);
	size_t mask = s->nslots - 1;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		struct url_slot *sl = &s->slots[i];
		if (!sl->url) {
			*sl = (struct url_slot){url, h, idx};
			return;
		}
		if (sl->hash == h && !strcmp(sl->url, url))
			return; /* the first article keeps the URL */
	}
}

long store_find_url(const struct store *s, const char *url)
{
	if (!url || !s->nslots)
		return -1;
	uint64_t h = hash_str(url);
	size_t mask = s->nslots - 1;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		const struct url_slot *sl = &s->slots[i];
		if (!sl->url)
			return -1;
		if (sl->hash == h && !strcmp(sl->url, url))
			return (long)sl->idx;
	}
}

void store_link(struct store *s)
{
	free(s->slots);
	size_t want = 16;
	while (want < s->n * 3 * 2)
		want *= 2;
	s->nslots = want;
	s->slots = xcalloc(want, sizeof *s->slots);
	for (size_t i = 0; i < s->n; i++) {
		index_url(s, s->v[i]->web_url, i);
		index_url(s, s->v[i]->original_url, i);
		index_url(s, s->v[i]->amp_web_url, i);
	}

	/* Resolve related stories, counting backlinks per target. */
	free(s->backlink_start);
	free(s->backlinks);
	s->backlink_start = xcalloc(s->n + 1, sizeof *s->backlink_start);
	size_t total = 0;
	for (size_t i = 0; i < s->n; i++) {
		struct article *a = s->v[i];
		for (size_t r = 0; r < a->nrelated; r++) {
			long t = store_find_url(s, a->related[r].web_url);
			a->related[r].local = t;
			if (t >= 0 && (size_t)t != i) {
				s->backlink_start[t + 1]++;
				total++;
			}
		}
	}
	for (size_t i = 0; i < s->n; i++)
		s->backlink_start[i + 1] += s->backlink_start[i];
	s->backlinks = xmalloc((total ? total : 1) * sizeof *s->backlinks);
	size_t *fill = xcalloc(s->n + 1, sizeof *fill);
	for (size_t i = 0; i < s->n; i++) {
		struct article *a = s->v[i];
		for (size_t r = 0; r < a->nrelated; r++) {
			long t = a->related[r].local;
			if (t < 0 || (size_t)t == i)
				continue;
			/* one backlink per article, even if it names the target twice */
			size_t b0 = s->backlink_start[t], *at = &fill[t];
			if (*at && s->backlinks[b0 + *at - 1] == i)
				continue;
			s->backlinks[b0 + (*at)++] = i;
		}
	}
	/* Close the gaps left by duplicates. */
	size_t out = 0;
	for (size_t t = 0; t < s->n; t++) {
		size_t b0 = s->backlink_start[t];
		s->backlink_start[t] = out;
		for (size_t k = 0; k < fill[t]; k++)
			s->backlinks[out++] = s->backlinks[b0 + k];
	}
	s->backlink_start[s->n] = out;
	free(fill);
}

void store_free(struct store *s)
{
	for (size_t i = 0; i < s->n; i++)
		article_free(s->v[i]);
	free(s->v);
	strlist_free(&s->problems);
	free(s->slots);
	free(s->backlink_start);
	free(s->backlinks);
	memset(s, 0, sizeof *s);
}

/* cache_encode: one cache entry's bytes written from what the parser
 * gives, in the format cache_format.c describes and reads back: strings
 * that repeat an earlier one by reference, counts up front. */
#include "lede/cache_encode.h"

#include <stdint.h>
#include <string.h>

#include "lede/cache_format.h"
#include "lede/fields.h"

enum {
	/* The shortest shared prefix or suffix worth a reference: below it,
	 * the reference's own bytes eat the saving. */
	MIN_SHARED = 8,
};

static inline uint64_t zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

/* Where the encoder writes (the head or the body), and the strings of the
 * body being written, for references. */
struct enc {
	struct buf *out;
	const char *ring[CACHE_FORMAT_RING];
	size_t ring_len[CACHE_FORMAT_RING];
	unsigned nring;
};

/* Counts that lead an article's record. */
struct tally {
	size_t strbytes, images;
};


/* buf_add, without the call while there is room: an entry is written a
 * byte or a few at a time, on the loading threads. */
static inline void out_add(struct buf *b, const void *s, size_t n)
{
	if (b->cap - b->len <= n) {
		buf_add(b, s, n);
		return;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static void put8(struct enc *w, unsigned v)
{
	char c = (char)v;
	out_add(w->out, &c, 1);
}

static void putv(struct enc *w, uint64_t v)
{
	char b[10];
	size_t n = 0;
	while (v >= 0x80) {
		b[n++] = (char)(v | 0x80);
		v >>= 7;
	}
	b[n++] = (char)v;
	out_add(w->out, b, n);
}

static void put_bytes(struct enc *w, const char *s, size_t n)
{
	putv(w, n);
	out_add(w->out, s, n);
}

/* A lit (see the top of this file). */
static void put_lit(struct enc *w, const char *s, size_t *bytes)
{
	if (!s) {
		putv(w, 0);
		return;
	}
	size_t n = strlen(s);
	putv(w, (uint64_t)n + 1);
	out_add(w->out, s, n);
	*bytes += n + 1;
}

static size_t common_prefix(const char *a, size_t na, const char *b, size_t nb)
{
	size_t n = na < nb ? na : nb, i = 0;
	while (i < n && a[i] == b[i])
		i++;
	return i;
}

static size_t common_suffix(const char *a, size_t na, const char *b, size_t nb)
{
	size_t n = na < nb ? na : nb, i = 0;
	while (i < n && a[na - 1 - i] == b[nb - 1 - i])
		i++;
	return i;
}

/* A string, as a reference to an earlier one of the record when that
 * saves enough (see the top of this file). */
static void put_str(struct enc *w, const char *s, struct tally *t)
{
	if (!s) {
		putv(w, 0);
		return;
	}
	size_t len = strlen(s), best = 0, back = 0;
	bool suffix = false;
	unsigned have = w->nring < CACHE_FORMAT_RING ? w->nring : CACHE_FORMAT_RING;
	for (unsigned k = 1; k <= have && len >= MIN_SHARED; k++) {
		unsigned slot = (w->nring - k) % CACHE_FORMAT_RING;
		const char *e = w->ring[slot];
		size_t elen = w->ring_len[slot];
		size_t p = common_prefix(s, len, e, elen);
		if (p > best || (p == len && p == elen)) {
			best = p, back = k, suffix = false;
			if (p == len && p == elen)
				break; /* the same string: shared */
		}
		size_t q = common_suffix(s, len, e, elen);
		if (q > best)
			best = q, back = k, suffix = true;
	}
	if (best < MIN_SHARED) {
		putv(w, (uint64_t)len << 2 | 1);
		out_add(w->out, s, len);
		t->strbytes += len + 1;
	} else if (!suffix) {
		size_t rest = len - best;
		bool shared = rest == 0 && w->ring_len[(w->nring - back) % CACHE_FORMAT_RING] == len;
		putv(w, (uint64_t)rest << 2 | 2);
		put8(w, (unsigned)back);
		putv(w, best);
		out_add(w->out, s + best, rest);
		if (!shared)
			t->strbytes += len + 1;
	} else {
		size_t head = len - best;
		putv(w, (uint64_t)head << 2 | 3);
		put8(w, (unsigned)back);
		putv(w, best);
		out_add(w->out, s, head);
		t->strbytes += len + 1;
	}
	unsigned slot = w->nring % CACHE_FORMAT_RING;
	w->ring[slot] = s;
	w->ring_len[slot] = len;
	w->nring++;
}

/* A list of strings: its count, then each. */
static void put_strs(struct enc *w, const char *const *v, size_t n, struct tally *t)
{
	putv(w, n);
	for (size_t i = 0; i < n; i++)
		put_str(w, v[i], t);
}

static void put_images(struct enc *w, const struct image *v, size_t n, struct tally *t)
{
	putv(w, n);
	for (size_t i = 0; i < n; i++) {
		put_str(w, v[i].url, t);
		put_str(w, v[i].title, t);
		putv(w, zigzag(v[i].width));
		putv(w, zigzag(v[i].height));
		put8(w, v[i].is_cached);
		putv(w, v[i].has);
	}
	t->images += n;
}

static void put_provider(struct enc *w, const struct provider *p, bool name,
			 struct tally *t)
{
	if (name)
		put_str(w, p->name, t);
	put_str(w, p->domain, t);
	put_images(w, p->images, p->nimages, t);
}

/* The searchable text, into the head: the searched fields. */
static void put_texts(struct enc *w, const struct article *a)
{
	size_t bytes = 0;
	/* first the fields into a scratch buffer, to put their size ahead */
	struct buf *head = w->out, tmp = {0};
	w->out = &tmp;
	const struct field_set *fs = fields_searched();
	for (size_t k = 0; k < fs->n; k++) {
		const struct field *f = fs->v[k];
		if (f->kind != FIELD_IS_LIST) {
			put_lit(w, fields_str(f, a), &bytes);
			continue;
		}
		size_t n = fields_ntexts(f, a);
		putv(w, n);
		for (size_t i = 0; i < n; i++)
			put_lit(w, fields_text(f, a, i), &bytes);
	}
	w->out = head;
	putv(w, bytes);
	buf_add(head, tmp.data, tmp.len);
	buf_free(&tmp);
}

/* The rest, into the body: the fields after a placeholder for the counts,
 * which are known only at the end, then moved up behind them. */
static void put_body(struct enc *w, const struct article *a)
{
	struct tally t = {0, 0};
	size_t head = w->out->len;
	/* the title, from the head, is the first string a str may repeat */
	w->nring = 0;
	if (a->title) {
		w->ring[0] = a->title;
		w->ring_len[0] = strlen(a->title);
		w->nring = 1;
	}
	put_str(w, a->category, &t);
	put_str(w, a->type, &t);
	put_str(w, a->original_url, &t);
	put_str(w, a->web_url, &t);
	put_str(w, a->amp_web_url, &t);
	put_str(w, a->cdn_amp_web_url, &t);
	put_str(w, a->name, &t);
	put_str(w, a->player, &t);
	putv(w, zigzag(a->date));
	putv(w, zigzag(a->quality));
	putv(w, zigzag(a->heat));
	put8(w, a->published);
	putv(w, a->has);
	put_provider(w, &a->provider, false, &t);
	put_images(w, a->images, a->nimages, &t);
	put_strs(w, a->provider.authors, a->provider.nauthors, &t);
	put_strs(w, a->items, a->nitems, &t);
	putv(w, a->nactions);
	for (size_t i = 0; i < a->nactions; i++) {
		put_str(w, a->actions[i].title, &t);
		put_str(w, a->actions[i].url, &t);
		put_str(w, a->actions[i].type, &t);
	}
	for (size_t i = 0; i < a->nrelated; i++) {
		const struct related *r = &a->related[i];
		put_str(w, r->title, &t);
		put_str(w, r->excerpt, &t);
		put_str(w, r->type, &t);
		put_str(w, r->web_url, &t);
		put_str(w, r->amp_web_url, &t);
		put_str(w, r->cdn_amp_web_url, &t);
		put_provider(w, &r->provider, true, &t);
		putv(w, zigzag(r->date));
		putv(w, zigzag(r->quality));
		putv(w, r->has);
		put_images(w, r->images, r->nimages, &t);
	}
	size_t fields = w->out->len - head;
	putv(w, t.strbytes);
	putv(w, t.images);
	putv(w, a->nrelated);
	putv(w, a->provider.nauthors + a->nitems);
	putv(w, a->nactions);
	size_t counts = w->out->len - head - fields;
	char tmp[50];
	char *d = w->out->data;
	memcpy(tmp, d + head + fields, counts);
	memmove(d + head + counts, d + head, fields);
	memcpy(d + head, tmp, counts);
}

void cache_encode(struct buf *head, struct buf *body, const char *key, const char *path,
			 const struct article *a, const char *const *problems, size_t nproblems)
{
	struct enc e = {.out = head};
	struct enc *w = &e;
	/* Problems begin with the path as parse and store escape it: it is
	 * left out of each of them, to be put back as the file is named when
	 * it is looked up (another spelling of the same archive). */
	put_bytes(w, key, strlen(key));
	struct buf esc = {0};
	if (nproblems)
		buf_put_safe(&esc, path, strlen(path));
	putv(w, nproblems);
	for (size_t i = 0; i < nproblems; i++) {
		const char *m = problems[i];
		bool ours = esc.len && !strncmp(m, esc.data, esc.len) && m[esc.len] == ':';
		put8(w, ours);
		if (ours)
			m += esc.len;
		put_bytes(w, m, strlen(m));
	}
	buf_free(&esc);
	if (a) {
		put_texts(w, a);
		w->out = body;
		put_body(w, a);
	}
}

/* cache_format: the bytes of one cache entry, written from an article and
 * read back into one. Decoding checks every value against what the parser
 * can give (see "what the parser produces" below). The file around the
 * entries -- header, index, checksums, lookups, commit -- is cache.c's;
 * writing an entry, cache_encode.c's.
 *
 * An entry's head (see cache.h):
 *   v key length, the key's bytes: the name the entry was stored under
 *     (the path made absolute from its root resolved, see cache.h)
 *   v problems, each: u8 1 if it began with the escaped path as the file
 *     was named when parsed (left out, put back as it is named on
 *     lookup) else 0, v length, the bytes
 *   for an article, its searchable text:
 *     v text bytes (what the texts take decoded, NULs included)
 *     the searched fields of fields.h, in its order: a string as a lit,
 *     a list as v items and a lit each; that is today
 *     lit title  lit excerpt  lit provider name  v topics  lit each topic
 * An article's body:
 *   v string bytes (what its strs take decoded)  v images (at every level)
 *   v related
 *   v strings of the lists of strings (authors and items)  v actions
 *   str category type originalUrl webUrl ampWebUrl cdnAmpWebUrl name player
 *   zz date  zz quality  zz heat  u8 published  v has
 *   provider: str domain  v n  n images
 *   v n  n images
 *   v n  n str: the provider's authors
 *   v n  n str: the items
 *   v n  n actions, each: str title url type
 *   related (as many as counted above), each:
 *     str title excerpt type webUrl ampWebUrl cdnAmpWebUrl
 *     provider: str name  str domain  v n  n images
 *     zz date  zz quality  v has  v n  n images
 *   image: str url  str title  zz width  zz height  u8 isCached  v has
 * The counts up front let a lookup size one arena allocation for the whole
 * article and carve it, rather than allocating string by string.
 *
 * v is an unsigned LEB128 varint, zz a zigzag one. A lit is v 0 for a
 * missing string, else v n + 1 and n bytes: plain, so that a search runs
 * on the head as it was read. A str is a varint v, then:
 *   v = 0: a missing string;
 *   v = n << 2 | 1: n bytes;
 *   v = n << 2 | 2: u8 k, v p, n bytes: the first p bytes of the k-th
 *     string before this one (1 the last), then the n bytes;
 *   v = n << 2 | 3: u8 k, v t, n bytes: the n bytes, then the last t bytes
 *     of the k-th string before this one.
 * "Before" counts the present strs of the body, at most CACHE_FORMAT_RING back,
 * and ahead of them the article's title (the head's), when it has one. URLs
 * are most of an article, and most of them repeat another: originalUrl is
 * often webUrl, ampWebUrl is webUrl and "/amp/", cdnAmpWebUrl ends with
 * ampWebUrl, images share a host; an image's title is often the
 * article's. A string equal to an earlier one (p its
 * whole length, n 0) is shared, not copied, when decoded. */
#include "lede/cache_format.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lede/date.h"
#include "lede/fields.h"

#define MAX2(a, b) ((a) > (b) ? (a) : (b))
/* The longest string the parser keeps in any field (article.h). */
enum {
	LONGEST_STR = MAX2(MAX2(MAX2(ARTICLE_TITLE_MAX, ARTICLE_EXCERPT_MAX), ARTICLE_URL_MAX),
			   MAX2(ARTICLE_NAME_MAX, ARTICLE_TOPIC_MAX)),
};

static inline int64_t unzigzag(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

/* ---- reading ---- */

/* A bounds-checked cursor: running past the end sets bad and yields zeros,
 * so decoders check once at the end instead of at every field. */
struct rd {
	const unsigned char *p, *end;
	bool bad;
	bool checked; /* its lits were found good already */
	/* The strings decoded so far, for references. */
	const char *ring[CACHE_FORMAT_RING];
	size_t ring_len[CACHE_FORMAT_RING];
	unsigned nring;
};

static const unsigned char *take(struct rd *r, size_t n)
{
	if ((size_t)(r->end - r->p) < n) {
		r->bad = true;
		r->p = r->end;
		return NULL;
	}
	const unsigned char *q = r->p;
	r->p += n;
	return q;
}

static uint8_t rd8(struct rd *r)
{
	const unsigned char *q = take(r, 1);
	return q ? *q : 0;
}

static uint64_t rdv_long(struct rd *r)
{
	uint64_t v = 0;
	for (unsigned shift = 0; r->p < r->end; shift += 7) {
		unsigned char c = *r->p++;
		if (shift == 63 && c > 1)
			break; /* more than 64 bits */
		v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80))
			return v;
		if (shift == 63)
			break;
	}
	r->bad = true;
	r->p = r->end;
	return 0;
}

/* Most varints are one byte: those inline, the rest in rdv_long. */
static inline uint64_t rdv(struct rd *r)
{
	if (r->p < r->end && *r->p < 0x80)
		return *r->p++;
	return rdv_long(r);
}

/* A count that must fit what is left of the record, each counted thing
 * taking at least a byte: this keeps sizes computed from it small. */
static size_t rd_count(struct rd *r)
{
	uint64_t v = rdv(r);
	if (v > (uint64_t)(r->end - r->p)) {
		r->bad = true;
		r->p = r->end;
		return 0;
	}
	return (size_t)v;
}

/* Damaged: whatever was read is not to be used. */
static void rd_fail(struct rd *r)
{
	r->bad = true;
	r->p = r->end;
}

/* ---- what the parser produces ----
 *
 * The checksums catch damage, not forgery: a cache whose checksums are
 * right may still hold anything. Every value is checked against what
 * parse_article can give before anyone uses it -- PCRE2 runs on the texts
 * with its UTF check off, dates go to calendar arithmetic, problems to the
 * terminal -- and an entry that holds anything else is refused as
 * damaged. */

static inline bool cont(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

static inline uint64_t word_at(const unsigned char *p)
{
	uint64_t w;
	memcpy(&w, p, sizeof w);
	return w;
}

/* Valid UTF-8 with no NUL: every string libyaml hands out is valid UTF-8,
 * and a NUL would have ended it. The same rules as utf8_decode (no
 * overlong forms, no surrogates, nothing past U+10FFFF), inline: this
 * runs on every string of every article a warm start decodes. */
static bool text_ok(const unsigned char *s, size_t n)
{
	/* Plain ASCII but NUL, words at a time: a word has no other byte
	 * when no byte of it, nor of it less one in each byte, has its high
	 * bit set (a NUL borrows; a borrow only runs on from a NUL). The
	 * lowest such bit is then in the first byte that is not plain. */
	const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
	size_t i = 0;
	while (i < n) {
		for (; n - i >= 32; i += 32) {
			uint64_t a = word_at(s + i), b = word_at(s + i + 8), c = word_at(s + i + 16),
				 d = word_at(s + i + 24);
			if ((a | b | c | d | (a - ones) | (b - ones) | (c - ones) | (d - ones)) & highs)
				break;
		}
		/* then eight, to the first byte that is not plain */
		for (; n - i >= 8; i += 8) {
			uint64_t w = word_at(s + i), m = (w | (w - ones)) & highs;
			if (m) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
				i += (size_t)__builtin_ctzll(m) / 8; /* the first of them */
#endif
				break;
			}
		}
		/* then one, to that byte or the end */
		while (i < n && (unsigned)s[i] - 1 < 0x7f)
			i++;
		if (i >= n)
			break;
		unsigned char c = s[i];
		size_t left = n - i;
		if (c < 0x80) {
			if (!c)
				return false;
			i++;
		} else if (c < 0xc2) {
			return false; /* a continuation byte, or an overlong pair */
		} else if (c < 0xe0) {
			if (left < 2 || !cont(s[i + 1]))
				return false;
			i += 2;
		} else if (c < 0xf0) {
			if (left < 3 || !cont(s[i + 1]) || !cont(s[i + 2]) ||
			    (c == 0xe0 && s[i + 1] < 0xa0) || (c == 0xed && s[i + 1] >= 0xa0))
				return false;
			i += 3;
		} else if (c < 0xf5) {
			if (left < 4 || !cont(s[i + 1]) || !cont(s[i + 2]) || !cont(s[i + 3]) ||
			    (c == 0xf0 && s[i + 1] < 0x90) || (c == 0xf4 && s[i + 1] >= 0x90))
				return false;
			i += 4;
		} else {
			return false;
		}
	}
	return true;
}

/* A problem message as lede writes them: text and escapes only, nothing
 * a terminal would act on (see buf_put_safe). */
static bool message_ok(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		if (s[i] < 0x80) {
			if (s[i] < 0x20 || s[i] == 0x7f)
				return false;
			i++;
			continue;
		}
		unsigned cp;
		int len = utf8_decode((const char *)s + i, n - i, &cp);
		if (!len || cp < 0xa0 || unicode_is_invisible_format(cp))
			return false;
		i += (size_t)len;
	}
	return true;
}

/* The has bits each kind of record may carry. */
enum {
	ARTICLE_HAS = HAS_DATE | HAS_QUALITY | HAS_HEAT | HAS_PUBLISHED,
	RELATED_HAS = HAS_DATE | HAS_QUALITY,
	IMAGE_HAS = HAS_WIDTH | HAS_HEIGHT | HAS_CACHED,
};

static unsigned rd_has(struct rd *r, unsigned allowed)
{
	uint64_t v = rdv(r);
	if (v & ~(uint64_t)allowed)
		rd_fail(r);
	return (unsigned)v;
}

/* The numbers come before the has bits that say which are present: they
 * are read raw, then checked. */

/* A number of the YAML: an int32 when present (its bit in has), 0 when
 * not, as the parser leaves it. */
static int32_t check_i32(struct rd *r, uint64_t raw, unsigned has, unsigned bit)
{
	int64_t v = unzigzag(raw);
	if (v < INT32_MIN || v > INT32_MAX || (!(has & bit) && v))
		rd_fail(r);
	return (int32_t)v;
}

/* A date as date_parse gives them: years 1 to 9999, UTC; 0 when absent. */
static int64_t check_date(struct rd *r, uint64_t raw, unsigned has)
{
	int64_t v = unzigzag(raw);
	bool ok = has & HAS_DATE ? v >= date_days_from_civil(1, 1, 1) * 86400 &&
					   v < date_days_from_civil(10000, 1, 1) * 86400
				 : v == 0;
	if (!ok)
		rd_fail(r);
	return v;
}

/* A boolean: 0 or 1, and 0 when absent. */
static bool check_bool(struct rd *r, uint8_t raw, unsigned has, unsigned bit)
{
	if (raw > 1 || (!(has & bit) && raw))
		rd_fail(r);
	return raw == 1;
}

/* A lit of at most max bytes, in place: *len its length; NULL when
 * missing (or bad). */
static const char *rd_lit(struct rd *r, size_t *len, size_t max)
{
	uint64_t v = rdv(r);
	*len = 0;
	if (v == 0 || r->bad)
		return NULL;
	if (v - 1 > (uint64_t)(r->end - r->p) || v - 1 > max) {
		rd_fail(r);
		return NULL;
	}
	*len = (size_t)(v - 1);
	const unsigned char *q = take(r, *len);
	if (q && !r->checked && !text_ok(q, *len)) {
		rd_fail(r);
		*len = 0;
		return NULL;
	}
	return (const char *)q;
}

/* A list's count, at most max items. */
static size_t rd_list(struct rd *r, size_t max)
{
	size_t n = rd_count(r);
	if (n > max)
		rd_fail(r);
	return r->bad ? 0 : n;
}

/* The one allocation an article's arrays and strings are carved from. */
struct carve {
	char *s, *send;
	struct image *img, *imgend;
	const char **ptr, **ptrend; /* the lists of strings of the body */
	struct article_action *act, *actend;
};

static char *carve_str(struct rd *r, struct carve *c, size_t len)
{
	if ((size_t)(c->send - c->s) <= len) {
		r->bad = true;
		return NULL;
	}
	char *o = c->s;
	o[len] = '\0';
	c->s += len + 1;
	return o;
}

static const char *rd_lit_copy(struct rd *r, struct carve *c, size_t max)
{
	size_t len;
	const char *q = rd_lit(r, &len, max);
	if (!q)
		return NULL;
	char *o = carve_str(r, c, len);
	if (o)
		memcpy(o, q, len);
	return o;
}

/* A str of at most max bytes, decoded. */
static const char *rd_str(struct rd *r, struct carve *c, size_t max)
{
	uint64_t v = rdv(r);
	if (v == 0 || r->bad)
		return NULL;
	unsigned tag = (unsigned)(v & 3);
	uint64_t n = v >> 2;
	const char *e = NULL;
	size_t elen = 0, shared = 0;
	if (tag == 2 || tag == 3) {
		unsigned k = rd8(r);
		uint64_t sh = rdv(r);
		unsigned have = r->nring < CACHE_FORMAT_RING ? r->nring : CACHE_FORMAT_RING;
		if (r->bad || k < 1 || k > have) {
			r->bad = true;
			return NULL;
		}
		unsigned slot = (r->nring - k) % CACHE_FORMAT_RING;
		e = r->ring[slot];
		elen = r->ring_len[slot];
		if (sh > elen) {
			r->bad = true;
			return NULL;
		}
		shared = (size_t)sh;
	} else if (tag != 1) {
		r->bad = true;
		return NULL;
	}
	if (n > max || shared > max - n) {
		rd_fail(r);
		return NULL;
	}
	const unsigned char *q = take(r, n);
	if (!q)
		return NULL;
	const char *d;
	size_t len = (size_t)n + shared;
	if (tag == 2 && n == 0 && shared == elen) {
		d = e; /* the same string: shared */
	} else {
		char *o = carve_str(r, c, len);
		if (!o)
			return NULL;
		if (tag == 1) {
			memcpy(o, q, n);
		} else if (tag == 2) {
			memcpy(o, e, shared);
			memcpy(o + shared, q, n);
		} else {
			memcpy(o, q, n);
			memcpy(o + n, e + elen - shared, shared);
		}
		/* whole: a reference may cut a character in two */
		if (!text_ok((const unsigned char *)o, len)) {
			rd_fail(r);
			return NULL;
		}
		d = o;
	}
	unsigned slot = r->nring % CACHE_FORMAT_RING;
	r->ring[slot] = d;
	r->ring_len[slot] = len;
	r->nring++;
	return d;
}

static struct image *rd_images(struct rd *r, struct carve *c, size_t *count)
{
	size_t n = rd_list(r, ARTICLE_IMAGES_MAX);
	*count = 0;
	if (n == 0 || r->bad)
		return NULL;
	if ((size_t)(c->imgend - c->img) < n) {
		r->bad = true;
		return NULL;
	}
	struct image *v = c->img;
	c->img += n;
	for (size_t i = 0; i < n; i++) {
		v[i].url = rd_str(r, c, ARTICLE_URL_MAX);
		v[i].title = rd_str(r, c, ARTICLE_TITLE_MAX);
		uint64_t w = rdv(r), h = rdv(r);
		uint8_t cached = rd8(r);
		unsigned has = rd_has(r, IMAGE_HAS);
		v[i].has = has;
		v[i].width = check_i32(r, w, has, HAS_WIDTH);
		v[i].height = check_i32(r, h, has, HAS_HEIGHT);
		v[i].is_cached = check_bool(r, cached, has, HAS_CACHED);
	}
	*count = n;
	return v;
}

/* A list of at most max strings of at most len bytes each, carved. */
static const char **rd_strs(struct rd *r, struct carve *c, size_t max, size_t len, size_t *count)
{
	size_t n = rd_list(r, max);
	*count = 0;
	if (n == 0 || r->bad)
		return NULL;
	if ((size_t)(c->ptrend - c->ptr) < n) {
		r->bad = true;
		return NULL;
	}
	const char **v = c->ptr;
	c->ptr += n;
	for (size_t i = 0; i < n; i++)
		if (!(v[i] = rd_str(r, c, len)))
			rd_fail(r); /* the parser keeps no missing item */
	*count = n;
	return v;
}

static struct article_action *rd_actions(struct rd *r, struct carve *c, size_t *count)
{
	size_t n = rd_list(r, ARTICLE_ACTIONS_MAX);
	*count = 0;
	if (n == 0 || r->bad)
		return NULL;
	if ((size_t)(c->actend - c->act) < n) {
		r->bad = true;
		return NULL;
	}
	struct article_action *v = c->act;
	c->act += n;
	for (size_t i = 0; i < n; i++) {
		v[i].title = rd_str(r, c, ARTICLE_TITLE_MAX);
		v[i].url = rd_str(r, c, ARTICLE_URL_MAX);
		v[i].type = rd_str(r, c, ARTICLE_NAME_MAX);
	}
	*count = n;
	return v;
}

static void rd_provider(struct rd *r, struct carve *c, struct provider *p, bool name)
{
	if (name)
		p->name = rd_str(r, c, ARTICLE_NAME_MAX);
	p->domain = rd_str(r, c, ARTICLE_NAME_MAX);
	p->images = rd_images(r, c, &p->nimages);
	p->authors = NULL; /* an article's, read after: see rd_body */
	p->nauthors = 0;
}

static size_t align_up(size_t n)
{
	return (n + alignof(max_align_t) - 1) & ~(alignof(max_align_t) - 1);
}

/* Does the head begin with exactly key? Moves past it. */
static bool rd_key_is(struct rd *r, const char *key)
{
	size_t n = rd_count(r);
	const unsigned char *q = take(r, n);
	return q && !r->bad && n == strlen(key) && !memcmp(q, key, n);
}

/* Step over a head's path and problems; false if damaged. */
static bool skip_problems(struct rd *r)
{
	take(r, rd_count(r)); /* the key */
	size_t n = rd_count(r);
	for (size_t i = 0; i < n && !r->bad; i++) {
		rd8(r);
		take(r, rd_count(r));
	}
	return !r->bad;
}

/* Could a body of rem bytes, with nimages images at every level and
 * nrelated related stories, hold strings of sb bytes decoded? References
 * make strings longer than their bytes in the body, but no string is
 * longer than the body, nor than the longest field, and each takes a byte
 * at least; nor are there more strings than the fields, nor more images
 * than the lists hold. The one allocation sized from these counts then
 * stays near what a parsed article could take. */
static bool body_sizes_possible(uint64_t rem, uint64_t sb, size_t nimages, size_t nrelated,
				size_t nlisted)
{
	/* the body's strs: eight of the article and its provider's domain; two
	 * an image; six a related story and its provider's name and domain;
	 * and those of its lists (authors, items, three an action) */
	uint64_t nstrs = 9 + 2 * (uint64_t)nimages + 8 * (uint64_t)nrelated + nlisted;
	return sb <= rem * (rem + 1) && sb <= rem * (LONGEST_STR + 1) &&
	       sb <= nstrs * (LONGEST_STR + 1) &&
	       nimages <= ARTICLE_IMAGES_MAX * (2 + 2 * (uint64_t)nrelated);
}

/* How many items the head's lists hold together (the topics), read
 * ahead on a copy of the reader, so that their arrays are carved with the
 * rest; the texts are checked when they are read for good. The walk ends
 * at the last list's count. */
static size_t count_list_items(struct rd peek)
{
	size_t items = 0, len, lists = 0;
	const struct field_set *fs = fields_searched();
	for (size_t k = 0; k < fs->n; k++)
		lists += fs->v[k]->kind == FIELD_IS_LIST;
	peek.checked = true;
	for (size_t k = 0; k < fs->n && lists && !peek.bad; k++) {
		const struct field *f = fs->v[k];
		size_t n = 1;
		if (f->kind == FIELD_IS_LIST) {
			n = rd_list(&peek, f->max_items);
			items += n;
			if (!--lists)
				break;
		}
		for (size_t i = 0; i < n; i++)
			rd_lit(&peek, &len, f->max);
	}
	return peek.bad ? SIZE_MAX : items;
}

/* The head's texts, after its problems and their size, copied into a's
 * searched fields; the lists' items into the array items, which
 * count_list_items sized. */
static void rd_texts(struct rd *h, struct carve *c, struct article *a, const char **items)
{
	const struct field_set *fs = fields_searched();
	for (size_t k = 0; k < fs->n && !h->bad; k++) {
		const struct field *f = fs->v[k];
		if (f->kind != FIELD_IS_LIST) {
			fields_set_str(f, a, rd_lit_copy(h, c, f->max));
			continue;
		}
		size_t n = rd_count(h); /* within the limit, as counted ahead */
		if (!n)
			continue;
		fields_set_list(f, a, items, n);
		for (size_t i = 0; i < n; i++)
			if (!(*items++ = rd_lit_copy(h, c, f->max)))
				rd_fail(h); /* the parser keeps no missing item */
	}
}

static void rd_related(struct rd *b, struct carve *c, struct related *x)
{
	x->title = rd_str(b, c, ARTICLE_TITLE_MAX);
	x->excerpt = rd_str(b, c, ARTICLE_EXCERPT_MAX);
	x->type = rd_str(b, c, ARTICLE_NAME_MAX);
	x->web_url = rd_str(b, c, ARTICLE_URL_MAX);
	x->amp_web_url = rd_str(b, c, ARTICLE_URL_MAX);
	x->cdn_amp_web_url = rd_str(b, c, ARTICLE_URL_MAX);
	rd_provider(b, c, &x->provider, true);
	uint64_t date = rdv(b), quality = rdv(b);
	x->has = rd_has(b, RELATED_HAS);
	x->date = check_date(b, date, x->has);
	x->quality = check_i32(b, quality, x->has, HAS_QUALITY);
	x->images = rd_images(b, c, &x->nimages);
	x->local = -1; /* store_link decides */
}

/* The body's fields, after its counts, into a: nrelated related stories
 * into the array related. */
static void rd_body(struct rd *b, struct carve *c, struct article *a, struct related *related,
		    size_t nrelated)
{
	/* the title, decoded from the head already, comes first */
	b->nring = 0;
	if (a->title) {
		b->ring[0] = a->title;
		b->ring_len[0] = strlen(a->title);
		b->nring = 1;
	}
	a->category = rd_str(b, c, ARTICLE_NAME_MAX);
	a->type = rd_str(b, c, ARTICLE_NAME_MAX);
	a->original_url = rd_str(b, c, ARTICLE_URL_MAX);
	a->web_url = rd_str(b, c, ARTICLE_URL_MAX);
	a->amp_web_url = rd_str(b, c, ARTICLE_URL_MAX);
	a->cdn_amp_web_url = rd_str(b, c, ARTICLE_URL_MAX);
	a->name = rd_str(b, c, ARTICLE_TITLE_MAX);
	a->player = rd_str(b, c, ARTICLE_URL_MAX);
	uint64_t date = rdv(b), quality = rdv(b), heat = rdv(b);
	uint8_t published = rd8(b);
	a->has = rd_has(b, ARTICLE_HAS);
	a->date = check_date(b, date, a->has);
	a->quality = check_i32(b, quality, a->has, HAS_QUALITY);
	a->heat = check_i32(b, heat, a->has, HAS_HEAT);
	a->published = check_bool(b, published, a->has, HAS_PUBLISHED);
	rd_provider(b, c, &a->provider, false);
	a->images = rd_images(b, c, &a->nimages);
	a->provider.authors =
		rd_strs(b, c, ARTICLE_AUTHORS_MAX, ARTICLE_NAME_MAX, &a->provider.nauthors);
	a->items = rd_strs(b, c, ARTICLE_ITEMS_MAX, ARTICLE_TITLE_MAX, &a->nitems);
	a->actions = rd_actions(b, c, &a->nactions);
	if (nrelated) {
		a->related = related;
		a->nrelated = nrelated;
		for (size_t i = 0; i < nrelated; i++)
			rd_related(b, c, &a->related[i]);
	}
}

/* What an entry's article takes, from the counts ahead of its fields. */
struct sizes {
	size_t rel, img, top, ptr, act, strbytes, total;
	size_t nimages, nrelated, nitems; /* nitems: the head's lists' items */
	size_t nptrs, nactions;           /* the body's strings of lists, its actions */
};

/* Read the counts of head h and body b; false if they are inconsistent. */
static bool entry_sizes(struct rd *h, struct rd *b, struct sizes *z)
{
	if (!skip_problems(h))
		return false;
	size_t textbytes = rd_count(h);
	uint64_t rem = (uint64_t)(b->end - b->p), sb = rdv(b);
	z->nimages = rd_count(b);
	z->nrelated = rd_list(b, ARTICLE_RELATED_MAX);
	z->nptrs = rd_list(b, ARTICLE_AUTHORS_MAX + ARTICLE_ITEMS_MAX);
	z->nactions = rd_list(b, ARTICLE_ACTIONS_MAX);
	if (h->bad || b->bad ||
	    !body_sizes_possible(rem, sb, z->nimages, z->nrelated, z->nptrs + 3 * z->nactions))
		return false;
	z->nitems = count_list_items(*h);
	if (z->nitems == SIZE_MAX)
		return false;
	z->rel = align_up(z->nrelated * sizeof(struct related));
	z->img = align_up(z->nimages * sizeof(struct image));
	z->top = align_up(z->nitems * sizeof(const char *));
	z->ptr = align_up(z->nptrs * sizeof(const char *));
	z->act = align_up(z->nactions * sizeof(struct article_action));
	z->strbytes = textbytes + (size_t)sb;
	z->total = z->rel + z->img + z->top + z->ptr + z->act + z->strbytes;
	return true;
}

/* Decode the fields of h and b into a, carving mem (z->total bytes);
 * false if they hold a value the parser never gives or do not add up
 * (their checksums passed, so only a writer bug or a forgery could do
 * that). */
static bool decode_into(struct rd *h, struct rd *b, const struct sizes *z, struct article *a,
			unsigned char *mem)
{
	unsigned char *ptr = mem + z->rel + z->img + z->top, *act = ptr + z->ptr;
	unsigned char *str = act + z->act;
	struct carve c = {
		.img = (void *)(mem + z->rel),
		.imgend = (struct image *)(void *)(mem + z->rel) + z->nimages,
		.s = (char *)str,
		.send = (char *)str + z->strbytes,
		.ptr = (const char **)(void *)ptr,
		.ptrend = (const char **)(void *)ptr + z->nptrs,
		.act = (struct article_action *)(void *)act,
		.actend = (struct article_action *)(void *)act + z->nactions,
	};
	rd_texts(h, &c, a, (void *)(mem + z->rel + z->img));
	rd_body(b, &c, a, (void *)mem, z->nrelated);
	return !h->bad && !b->bad && h->p == h->end && b->p == b->end && c.s == c.send &&
	       c.img == c.imgend && c.ptr == c.ptrend && c.act == c.actend;
}

/* The article of head h and body b, named path; NULL if damaged. */
static struct article *decode_article(struct rd *h, struct rd *b, const char *path)
{
	struct sizes z;
	if (!entry_sizes(h, b, &z))
		return NULL;
	/* One arena block for the path and the rest. */
	struct article *a = article_new_sized(path, z.total + 2 * alignof(max_align_t));
	unsigned char *mem = arena_alloc(&a->arena, z.total); /* never NULL */
	if (!decode_into(h, b, &z, a, mem)) {
		article_free(a);
		return NULL;
	}
	return a;
}

/* The same, decoded and checked whole in scratch, which the next entry
 * reuses, into *whole; false if damaged. */
static bool decode_in_scratch(struct rd *h, struct rd *b, const char *path, struct buf *scratch,
			      struct article *whole)
{
	struct sizes z;
	if (!entry_sizes(h, b, &z))
		return false;
	scratch->data = xgrow(scratch->data, &scratch->cap, z.total ? z.total : 1, 1);
	*whole = (struct article){.path = path};
	return decode_into(h, b, &z, whole, (unsigned char *)scratch->data);
}

/* Append the head's problems, written with path; false if damaged. */
static bool decode_problems(struct rd *r, const char *path, struct strlist *out)
{
	struct buf esc = {0};
	size_t n = rd_count(r);
	for (size_t i = 0; i < n && !r->bad; i++) {
		uint8_t ours = rd8(r);
		size_t len = rd_count(r);
		const unsigned char *q = take(r, len);
		if (!q)
			break;
		/* as the writer left it: the path's place followed by ':' */
		if (ours > 1 || len == 0 || (ours && q[0] != ':') || !message_ok(q, len)) {
			rd_fail(r);
			break;
		}
		if (ours && !esc.len)
			buf_put_safe(&esc, path, strlen(path));
		size_t pre = ours ? esc.len : 0;
		char *m = xmalloc(pre + len + 1);
		if (pre)
			memcpy(m, esc.data, pre);
		memcpy(m + pre, q, len);
		m[pre + len] = '\0';
		strlist_push(out, m);
	}
	buf_free(&esc);
	return !r->bad;
}

/* ---- the decoder, as cache.c calls it ---- */

bool cache_format_head_is_for(const unsigned char *head, size_t len, const char *key)
{
	struct rd h = {.p = head, .end = head + len};
	return rd_key_is(&h, key);
}

bool cache_format_head_key(const unsigned char *head, size_t len, const char **key,
			   size_t *klen)
{
	struct rd h = {.p = head, .end = head + len};
	size_t n = rd_count(&h);
	const unsigned char *q = take(&h, n);
	if (!q || h.bad || memchr(q, '\0', n))
		return false;
	*key = (const char *)q;
	*klen = n;
	return true;
}

bool cache_format_head_info(const unsigned char *head, size_t len, bool article,
			    struct cache_head_info *info)
{
	struct rd h = {.p = head, .end = head + len, .checked = true};
	*info = (struct cache_head_info){0};
	size_t klen = rd_count(&h);
	const unsigned char *k = take(&h, klen);
	size_t n = rd_count(&h);
	for (size_t i = 0; i < n && !h.bad; i++) {
		rd8(&h);
		take(&h, rd_count(&h));
	}
	info->nproblems = n;
	if (article && !h.bad) {
		rd_count(&h); /* the texts' bytes */
		info->title = rd_lit(&h, &info->title_len, ARTICLE_TITLE_MAX);
	}
	if (h.bad || !k || memchr(k, '\0', klen))
		return false;
	info->key = (const char *)k;
	info->key_len = klen;
	return true;
}

/* An article's texts, after the head's problems; false if damaged. */
static bool decode_texts(struct rd *h, struct cache_texts *texts)
{
	size_t want = rd_count(h), bytes = 0; /* the bytes they take decoded */
	const struct field_set *fs = fields_searched();
	for (size_t k = 0; k < fs->n && !h->bad; k++) {
		const struct field *f = fs->v[k];
		bool list = f->kind == FIELD_IS_LIST;
		size_t n = list ? rd_list(h, f->max_items) : 1;
		for (size_t i = 0; i < n && !h->bad; i++) {
			struct cache_text t;
			t.s = rd_lit(h, &t.len, f->max);
			if (!t.s) {
				if (list)
					rd_fail(h); /* the parser keeps no missing item */
				continue;
			}
			bytes += t.len + 1;
			t.field = (unsigned char)(f - fields_table);
			texts->v = xgrow(texts->v, &texts->cap, texts->n + 1, sizeof *texts->v);
			texts->v[texts->n++] = t;
		}
	}
	return !h->bad && h->p == h->end && bytes == want;
}

bool cache_format_decode_head(const unsigned char *head, size_t len, const char *key,
			      const char *path, bool article, struct strlist *problems,
			      struct cache_texts *texts)
{
	struct rd h = {.p = head, .end = head + len};
	if (!rd_key_is(&h, key))
		return false;
	size_t n0 = problems->n;
	bool ok = decode_problems(&h, path, problems);
	texts->n = 0;
	if (ok && article)
		ok = decode_texts(&h, texts);
	else if (ok)
		ok = h.p == h.end;
	if (!ok) {
		while (problems->n > n0)
			free(problems->v[--problems->n]);
	}
	return ok;
}

bool cache_format_head_texts(const unsigned char *head, size_t len, struct cache_texts *texts)
{
	struct rd h = {.p = head, .end = head + len};
	texts->n = 0;
	return skip_problems(&h) && decode_texts(&h, texts);
}

struct article *cache_format_decode_article(const unsigned char *head, size_t hlen,
					    bool head_checked, const unsigned char *body,
					    size_t blen, const char *path)
{
	struct rd h = {.p = head, .end = head + hlen, .checked = head_checked};
	struct rd b = {.p = body, .end = body + blen};
	return decode_article(&h, &b, path);
}

bool cache_format_decode_scratch(const unsigned char *head, size_t hlen, bool head_checked,
				 const unsigned char *body, size_t blen, const char *path,
				 struct buf *scratch, struct article *whole)
{
	struct rd h = {.p = head, .end = head + hlen, .checked = head_checked};
	struct rd b = {.p = body, .end = body + blen};
	return decode_in_scratch(&h, &b, path, scratch, whole);
}

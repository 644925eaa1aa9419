/* cluster: coverage clusters (see cluster.h for the method). The work is
 * in passes over the store, each linear but for the sorts:
 *   1. every article's title and excerpt cut into words, and each word's
 *      document frequency counted (a table keyed by the word's hash);
 *   2. every article's words again, now weighted (IDF, a title's words
 *      more), its vector's norm, and the CLUSTER_KEEP rarest words that
 *      another article holds kept as its vector; the CLUSTER_BLOCK rarest
 *      of those index it (an inverted index, each word's articles by date);
 *   3. candidate pairs: equal identities, related links, and the articles
 *      that share an indexed word within the date window; each scored and
 *      joined when it passes;
 *   4. each cluster's lead and the ring of its members. */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "lede/article.h"
#include "lede/cache.h"
#include "lede/cluster.h"
#include "lede/cluster_file.h"
#include "lede/fields.h"
#include "lede/hash.h"
#include "lede/store.h"
#include "lede/util.h"
#include "lede/worker.h"

enum {
	CLUSTER_KEEP = 24,         /* words kept of an article for the score */
	CLUSTER_BLOCK = CLUSTER_BLOCK_WORDS, /* of them, the rarest that index it */
	CLUSTER_EXCERPT_WORDS = 80, /* an excerpt's words read, at most */
	CLUSTER_MIN_WORD = 3,      /* shorter words say nothing of a story */
	CLUSTER_STEM = 5,          /* a word's first bytes that stand for it */
};
/* A word on more than a 500th of the archive (and more than 64 articles)
 * indexes none: its pairs would be most of the work and say little. (It
 * still weighs in the score.) */
static uint32_t block_max_df(size_t n)
{
	return n / 500 > 64 ? (uint32_t)(n / 500) : 64;
}
/* IDF as if the archive held this many more articles without the word:
 * in an archive of a few files every word is on most of them, and would
 * weigh nothing; from a few thousand on, the archive's own counts rule. */
#define IDF_PRIOR 100
#define TITLE_BIT 0x80000000u
#define DAY 86400
#define NO_DATE INT64_MIN

/* The score of two articles of different outlets is the mean of the
 * cosines of their words (title and excerpt) and of their titles' words,
 * plus what their related links and rare topics add, less what their
 * distance in days costs; the pair is one story when it reaches the
 * threshold. Two articles of one outlet need a near-identity of their
 * words instead (an outlet's second article on a story is rare; its
 * templated series are common, and link to each other). Set on the
 * labelled pairs of tests/data/cluster-pairs.tsv. */
static const double threshold = 0.30, same_outlet_threshold = 0.85;
/* A related link adds this (each direction) when the words agree at
 * least min_cosine (a link alone also joins stories next to each
 * other); a topic on a tenth of the archive at most adds topic_bonus (at
 * most two count). */
static const double link_bonus = 0.10, link_min_cosine = 0.10, topic_bonus = 0.05;
/* Days apart that cost nothing, and what each day past them costs. */
static const double free_days = 3, day_cost = 0.005;

/* ---- words ---- */

static const char *const stopwords[] = {
	"about", "after",  "also",  "and",   "any",   "are",  "been",  "before", "being",
	"but",   "can",    "could", "did",   "does",  "for",  "from",  "had",    "has",
	"have",  "her",    "his",   "how",   "into",  "its",  "just",  "more",   "most",
	"new",   "not",    "now",   "one",   "our",   "out",  "over",  "said",   "says",
	"she",   "should", "some",  "than",  "that",  "the",  "their", "them",   "then",
	"there", "these",  "they",  "this",  "those", "through", "today", "too", "two",
	"under", "until",  "very",  "was",   "way",   "were", "what",  "when",   "where",
	"which", "while",  "who",   "why",   "will",  "with", "would", "yet",    "you",
	"your",
};

enum { NSTOP = sizeof stopwords / sizeof *stopwords };

/* The stopwords' bytes packed into numbers (pack_stem), sorted: a word
 * is looked up by its own, no hash computed (made at each computation,
 * under the lock below). None is longer than 8 bytes. */
static uint64_t stop_hash[NSTOP];

static uint64_t pack_stem(const char *s, size_t n);

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void hash_stopwords(void)
{
	for (size_t i = 0; i < NSTOP; i++)
		stop_hash[i] = pack_stem(stopwords[i], strlen(stopwords[i]));
	qsort(stop_hash, NSTOP, sizeof *stop_hash, u64_cmp);
}

static bool is_stopword(const char *word, size_t n)
{
	if (n > 8)
		return false;
	uint64_t h = pack_stem(word, n);
	size_t lo = 0, hi = NSTOP;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (stop_hash[mid] == h)
			return true;
		if (stop_hash[mid] < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* A word of an article: its stem's bytes packed into a number (at most
 * CLUSTER_STEM of them, none zero: one number per stem, the same in every
 * process, so that the file beside the cache can keep the words' counts),
 * a hash of its own (FNV-1a: what orders two words equally rare, so that
 * the clusters do not depend on the order of the load), and TITLE_BIT
 * when in the title. */
struct word {
	uint64_t h, tie;
	uint32_t title;
};

static uint64_t pack_stem(const char *s, size_t n)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n && i < 8; i++)
		v |= (uint64_t)(unsigned char)s[i] << (8 * i);
	return v;
}

static uint64_t fnv1a(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3u;
	return h;
}

struct words {
	struct word *v;
	size_t n, cap;
};

/* Is s[i] where a word goes on? ASCII letters and digits, and any
 * character beyond ASCII but the general punctuation (U+2000..U+206F:
 * curly quotes, dashes, the ellipsis), which UTF-8 starts with E2 80 or
 * E2 81. */
static size_t word_char(const unsigned char *s, size_t i, size_t n)
{
	unsigned char c = s[i];
	if (c < 0x80)
		return ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || (c >= '0' && c <= '9');
	if (c == 0xE2 && i + 2 < n && (s[i + 1] == 0x80 || s[i + 1] == 0x81))
		return 0;
	if (c >= 0xC0) { /* a whole sequence */
		size_t k = 1;
		while (i + k < n && (s[i + k] & 0xC0) == 0x80)
			k++;
		return k;
	}
	return 1; /* a stray continuation byte */
}

static void push_word(struct words *w, char *word, size_t n, uint32_t title)
{
	if (n < CLUSTER_MIN_WORD)
		return;
	if (is_stopword(word, n))
		return;
	/* plurals as their singular, crudely: images, photos, reefs */
	if (n > 4 && word[n - 1] == 's' && word[n - 2] != 's' && word[n - 2] != 'u' &&
	    word[n - 2] != 'i')
		n--;
	/* a word's forms as one: its first letters (recognize, recognition;
	 * public, publicly), a crude stem that English takes well */
	if (n > CLUSTER_STEM)
		n = CLUSTER_STEM;
	w->v = xgrow(w->v, &w->cap, w->n + 1, sizeof *w->v);
	w->v[w->n++] = (struct word){pack_stem(word, n), fnv1a(word, n), title};
}

/* The words of s[0..len), lower-cased, at most max of them. */
static void cut_words(struct words *w, const char *text, size_t len, uint32_t title, size_t max)
{
	const unsigned char *s = (const unsigned char *)text;
	char word[64];
	size_t n = 0, count = 0;
	for (size_t i = 0; i <= len && count < max;) {
		size_t k = i < len ? word_char(s, i, len) : 0;
		if (!k) {
			if (n) {
				push_word(w, word, n < sizeof word ? n : sizeof word, title);
				count++;
			}
			n = 0;
			i++;
			continue;
		}
		for (size_t j = 0; j < k; j++, n++)
			if (n < sizeof word)
				word[n] = (char)((s[i + j] >= 'A' && s[i + j] <= 'Z') ? s[i + j] | 0x20
										: s[i + j]);
		i += k;
	}
}

/* An article has a hundred words or so: an insertion sort beats qsort's
 * calls (qsort was a fifth of the work). */
static void sort_words(struct word *v, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct word x = v[i];
		size_t j = i;
		for (; j > 0 && v[j - 1].h > x.h; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

/* Sort and merge equal words (a word in the title and the excerpt keeps
 * the title's bit). */
static void unique_words(struct words *w)
{
	if (!w->n)
		return;
	sort_words(w->v, w->n);
	size_t o = 0;
	for (size_t i = 1; i < w->n; i++) {
		if (w->v[i].h == w->v[o].h)
			w->v[o].title |= w->v[i].title;
		else
			w->v[++o] = w->v[i];
	}
	w->n = o + 1;
}

/* ---- the table of words: hash -> id, document frequency ---- */

/* Keyed by a number no process changes (a packed stem, a topic's
 * FNV-1a), placed by the process's keyed hash of it: nobody who writes an
 * archive can make its words land in one place. */
struct dict_slot {
	uint64_t h; /* the key; 0: empty (a key of 0 is taken as 1) */
	uint32_t id;
};

struct dict {
	struct dict_slot *slots;
	size_t mask, n;
	uint32_t *df; /* by id */
	uint64_t *tie; /* by id: struct word's */
	size_t dfcap, tiecap;
};

static uint64_t nonzero(uint64_t h)
{
	return h ? h : 1;
}

static uint64_t slot_of(uint64_t key)
{
	return hash_bytes(&key, sizeof key);
}

static void dict_grow(struct dict *d)
{
	size_t cap = d->slots ? (d->mask + 1) * 2 : 1024;
	struct dict_slot *v = xcalloc(cap, sizeof *v);
	for (size_t i = 0; d->slots && i <= d->mask; i++) {
		if (!d->slots[i].h)
			continue;
		size_t k = slot_of(d->slots[i].h) & (cap - 1);
		while (v[k].h)
			k = (k + 1) & (cap - 1);
		v[k] = d->slots[i];
	}
	free(d->slots);
	d->slots = v;
	d->mask = cap - 1;
}

/* The id of word h, made when add (else -1 when unknown), with tie as
 * its order among words equally rare. */
static long dict_id(struct dict *d, uint64_t h, uint64_t tie, bool add)
{
	h = nonzero(h);
	if (add && (!d->slots || (d->n + 1) * 2 > d->mask + 1))
		dict_grow(d);
	if (!d->slots)
		return -1;
	size_t k = slot_of(h) & d->mask;
	while (d->slots[k].h && d->slots[k].h != h)
		k = (k + 1) & d->mask;
	if (d->slots[k].h)
		return d->slots[k].id;
	if (!add)
		return -1;
	d->df = xgrow(d->df, &d->dfcap, d->n + 1, sizeof *d->df);
	d->df[d->n] = 0;
	d->tie = xgrow(d->tie, &d->tiecap, d->n + 1, sizeof *d->tie);
	d->tie[d->n] = tie;
	d->slots[k] = (struct dict_slot){h, (uint32_t)d->n};
	return (long)d->n++;
}

static uint64_t topic_key(const char *t)
{
	return fnv1a(t, strlen(t));
}

/* The key of each id, into out (room for d->n). */
static void dict_keys(const struct dict *d, uint64_t *out)
{
	for (size_t i = 0; d->slots && i <= d->mask; i++)
		if (d->slots[i].h)
			out[d->slots[i].id] = d->slots[i].h;
}

static void dict_free(struct dict *d)
{
	free(d->slots);
	free(d->df);
	free(d->tie);
}

/* ---- union-find ---- */

static uint32_t uf_find(uint32_t *parent, uint32_t x)
{
	while (parent[x] != x) {
		parent[x] = parent[parent[x]];
		x = parent[x];
	}
	return x;
}

/* The smaller index becomes the root: the same sets whatever the order. */
static void uf_union(uint32_t *parent, uint32_t a, uint32_t b)
{
	a = uf_find(parent, a);
	b = uf_find(parent, b);
	if (a < b)
		parent[b] = a;
	else if (b < a)
		parent[a] = b;
}

/* ---- the work ---- */

static int64_t date_or_none(const struct store *s, size_t i)
{
	return store_has(s, i) & HAS_DATE ? store_date(s, i) : NO_DATE;
}

static int32_t quality_or_none(const struct store *s, size_t i)
{
	int32_t q = store_has(s, i) & HAS_QUALITY ? store_quality(s, i) : -1;
	return q < 0 ? -1 : q;
}


struct work {
	const struct store *s;
	const atomic_bool *cancel;
	size_t n;
	struct store_texts *texts;
	struct words w;
	struct dict words, topics;
	float *idf;       /* by word id */
	float *norm;      /* by article: its whole vector's */
	float *tnorm;     /* by article: its title's words' */
	uint32_t *vstart; /* article i's kept words: vword[vstart[i] .. vstart[i + 1]) */
	uint32_t *vword;  /* word id | TITLE_BIT, by id within an article */
	int64_t *date;    /* NO_DATE when missing */
	uint64_t *outlet; /* provider name's hash, 0 for none */
	uint32_t *parent;
	size_t nlisted;
	size_t ncandidates;
	uint64_t *key;    /* by article: article_key */
	/* by article: its URLs and its related stories' webUrls hashed
	 * under url_key (store_urls_hash), 0 for one not listed */
	uint64_t *url;
	unsigned char url_key[16];
	/* An update's (cluster_update): only pairs with a touched article
	 * are scored, and vectors are made when a pair first needs them:
	 * article i's at pool[vat[i]] (vn[i] words; vat[i] UINT32_MAX: not
	 * made yet). NULL in a full computation. */
	const unsigned char *touched;
	uint32_t *vat, *vn, *pool;
	size_t npool, poolcap;
	uint32_t *cand;
	size_t ccap;
};

static bool cancelled(const struct work *k, size_t i)
{
	return k->cancel && !(i & 1023) && atomic_load(k->cancel);
}

/* Article i's title and excerpt, among the texts the store searches of
 * it, into *title and *excerpt (s NULL when missing). */
static void title_excerpt(struct work *k, size_t i, struct cache_text *title,
			  struct cache_text *excerpt)
{
	const struct cache_text *v;
	size_t n = store_texts_of(k->texts, i, &v);
	*title = *excerpt = (struct cache_text){.s = NULL};
	for (size_t t = 0; t < n; t++) {
		if (v[t].field == FIELD_TITLE && !title->s)
			*title = v[t];
		else if (v[t].field == FIELD_EXCERPT && !excerpt->s)
			*excerpt = v[t];
	}
}

static uint64_t fnv_more(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3u;
	return h;
}

static uint64_t fnv_str(uint64_t h, const char *s)
{
	return fnv_more(h, s ? s : "", s ? strlen(s) + 1 : 1);
}

/* What tells article i as the clusters see it from any other, the same in
 * every process: its file's name, whether it is listed, its date,
 * quality, provider, topics, title and excerpt (t and e: NULL when it is
 * not listed). Two starts give an article the same key when none of
 * these changed. Needs k->date[i]. */
static uint64_t article_key(const struct work *k, size_t i, const struct cache_text *t,
			    const struct cache_text *e)
{
	const char *path = store_path(k->s, i), *slash = strrchr(path, '/');
	uint64_t h = fnv_str(0xcbf29ce484222325u, slash ? slash + 1 : path);
	int64_t v[2] = {k->date[i], t ? quality_or_none(k->s, i) : -2};
	h = fnv_more(h, v, sizeof v);
	if (!t)
		return h;
	h = fnv_str(h, store_provider_name(k->s, i));
	for (size_t j = 0, nt = store_ntopics(k->s, i); j < nt; j++)
		h = fnv_str(h, store_topic(k->s, i, j));
	h = fnv_more(h, t->s ? t->s : "", t->s ? t->len : 0);
	h = fnv_more(h, "\n", 1);
	return fnv_more(h, e->s ? e->s : "", e->s ? e->len : 0);
}

/* Article i's words into k->w, sorted and each once; its key into *key
 * when key is not NULL. */
static void article_words(struct work *k, size_t i, uint64_t *key)
{
	struct cache_text t, e;
	k->w.n = 0;
	title_excerpt(k, i, &t, &e);
	if (key)
		*key = article_key(k, i, &t, &e);
	if (t.s)
		cut_words(&k->w, t.s, t.len, TITLE_BIT, (size_t)-1);
	if (e.s)
		cut_words(&k->w, e.s, e.len, 0, CLUSTER_EXCERPT_WORDS);
	unique_words(&k->w);
}

static bool listed(const struct work *k, size_t i)
{
	return !store_is_hidden(k->s, i);
}

/* Pass 1: document frequencies of words and topics; dates and outlets. */
static bool count_words(struct work *k)
{
	for (size_t i = 0; i < k->n; i++) {
		if (cancelled(k, i))
			return false;
		k->date[i] = date_or_none(k->s, i);
		const char *p = store_provider_name(k->s, i);
		k->outlet[i] = p && *p ? nonzero(hash_str(p)) : 0;
		if (!listed(k, i)) {
			k->key[i] = article_key(k, i, NULL, NULL);
			k->url[i] = 0;
			continue;
		}
		k->nlisted++;
		if (!store_urls_hash(k->s, i, k->url_key, &k->url[i]))
			k->url[i] = 0; /* cannot be: the key is this process's */
		article_words(k, i, &k->key[i]);
		/* the id first: making it may move df */
		for (size_t j = 0; j < k->w.n; j++) {
			long id = dict_id(&k->words, k->w.v[j].h, k->w.v[j].tie, true);
			k->words.df[id]++;
		}
		for (size_t j = 0, nt = store_ntopics(k->s, i); j < nt; j++) {
			long id = dict_id(&k->topics, topic_key(store_topic(k->s, i, j)), 0, true);
			k->topics.df[id]++;
		}
	}
	return true;
}

/* A word's weight in article a's vector. */
static float weight(const struct work *k, uint32_t word)
{
	return k->idf[word & ~TITLE_BIT] * (word & TITLE_BIT ? 1.5f : 1.0f);
}

/* Orders of an article's words (id | TITLE_BIT): does x come before y? */
enum word_order {
	TITLE_THEN_RARER, /* a title's words first, then the rarer (ties by id) */
	RARER,            /* the rarer first, wherever it is (ties by id) */
	BY_ID,
};

static bool word_before(const struct work *k, enum word_order o, uint32_t x, uint32_t y)
{
	if (o == TITLE_THEN_RARER && (x & TITLE_BIT) != (y & TITLE_BIT))
		return x & TITLE_BIT;
	x &= ~TITLE_BIT;
	y &= ~TITLE_BIT;
	if (o != BY_ID && k->words.df[x] != k->words.df[y])
		return k->words.df[x] < k->words.df[y];
	if (o != BY_ID && k->words.tie[x] != k->words.tie[y])
		return k->words.tie[x] < k->words.tie[y];
	return x < y;
}

/* An insertion sort: an article has a hundred words or so. */
static void sort_article_words(const struct work *k, enum word_order o, uint32_t *v, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		uint32_t x = v[i];
		size_t j = i;
		for (; j > 0 && word_before(k, o, x, v[j - 1]); j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

static void make_idf(struct work *k)
{
	size_t nw = k->words.n;
	free(k->idf);
	k->idf = xmalloc((nw ? nw : 1) * sizeof *k->idf);
	for (size_t j = 0; j < nw; j++)
		k->idf[j] = (float)log((double)(k->nlisted + IDF_PRIOR) / k->words.df[j]);
}

/* Article i's vector: its norms into k->norm[i] and k->tnorm[i] (over
 * every word), the CLUSTER_KEEP rarest of the words another article has
 * too into k->cand, sorted by id (returns how many), and the
 * CLUSTER_BLOCK rarest of those that index it into blk (UINT32_MAX for
 * none). */
static size_t article_vector(struct work *k, size_t i, uint32_t *blk)
{
	for (size_t b = 0; b < CLUSTER_BLOCK; b++)
		blk[b] = UINT32_MAX;
	if (!listed(k, i))
		return 0;
	article_words(k, i, NULL);
	double sum = 0, tsum = 0;
	size_t nc = 0;
	for (size_t j = 0; j < k->w.n; j++) {
		long found = dict_id(&k->words, k->w.v[j].h, 0, false);
		if (found < 0)
			continue; /* not counted: in an update, none is */
		uint32_t id = (uint32_t)found;
		uint32_t word = id | k->w.v[j].title;
		double x = weight(k, word);
		sum += x * x;
		if (word & TITLE_BIT)
			tsum += (double)k->idf[id] * k->idf[id];
		if (k->words.df[id] >= 2) {
			k->cand = xgrow(k->cand, &k->ccap, nc + 1, sizeof *k->cand);
			k->cand[nc++] = word;
		}
	}
	k->norm[i] = (float)sqrt(sum);
	k->tnorm[i] = (float)sqrt(tsum);
	uint32_t *cand = k->cand;
	sort_article_words(k, TITLE_THEN_RARER, cand, nc);
	if (nc > CLUSTER_KEEP)
		nc = CLUSTER_KEEP;
	sort_article_words(k, RARER, cand, nc);
	for (size_t b = 0, used = 0; b < nc && used < CLUSTER_BLOCK; b++)
		if (k->words.df[cand[b] & ~TITLE_BIT] <= block_max_df(k->nlisted))
			blk[used++] = cand[b] & ~TITLE_BIT;
	sort_article_words(k, BY_ID, cand, nc);
	return nc;
}

/* Pass 2: each article's vector. */
static bool make_vectors(struct work *k, uint32_t **block_of)
{
	make_idf(k);
	k->vstart = xmalloc((k->n + 1) * sizeof *k->vstart);
	k->norm = xcalloc(k->n ? k->n : 1, sizeof *k->norm);
	k->tnorm = xcalloc(k->n ? k->n : 1, sizeof *k->tnorm);
	size_t cap = 0, total = 0;
	uint32_t *kept = NULL;
	*block_of = xmalloc((k->n ? k->n : 1) * CLUSTER_BLOCK * sizeof **block_of);
	for (size_t i = 0; i < k->n; i++) {
		k->vstart[i] = (uint32_t)total;
		if (cancelled(k, i)) {
			for (size_t j = i; j < k->n; j++)
				for (size_t b = 0; b < CLUSTER_BLOCK; b++)
					(*block_of)[j * CLUSTER_BLOCK + b] = UINT32_MAX;
			free(kept);
			k->vword = NULL;
			return false;
		}
		size_t nc = article_vector(k, i, *block_of + i * CLUSTER_BLOCK);
		if (!nc)
			continue; /* no word another article has */
		kept = xgrow(kept, &cap, total + nc, sizeof *kept);
		memcpy(kept + total, k->cand, nc * sizeof *kept);
		total += nc;
	}
	k->vstart[k->n] = (uint32_t)total;
	/* never NULL: vector_of adds offsets to it */
	k->vword = kept ? kept : xmalloc(sizeof *kept);
	return true;
}

/* An update's article i: its vector made (and kept) if it is not yet, its
 * block words into blk when blk is not NULL. */
static void update_vector(struct work *k, size_t i, uint32_t *blk)
{
	uint32_t spare[CLUSTER_BLOCK];
	if (k->vat[i] != UINT32_MAX && !blk)
		return;
	size_t nc = article_vector(k, i, blk ? blk : spare);
	if (k->vat[i] != UINT32_MAX)
		return;
	if (nc) {
		k->pool = xgrow(k->pool, &k->poolcap, k->npool + nc, sizeof *k->pool);
		memcpy(k->pool + k->npool, k->cand, nc * sizeof *k->pool);
	}
	k->vat[i] = (uint32_t)k->npool;
	k->vn[i] = (uint32_t)nc;
	k->npool += nc;
}

/* Article i's kept words (n of them), made now in an update. Valid until
 * the next update_vector. */
static const uint32_t *vector_of(struct work *k, size_t i, size_t *n)
{
	if (!k->vat) {
		*n = k->vstart[i + 1] - k->vstart[i];
		return k->vword + k->vstart[i];
	}
	static const uint32_t none[1];
	update_vector(k, i, NULL);
	*n = k->vn[i];
	return *n ? k->pool + k->vat[i] : none;
}

/* Does article a's related list name article b? */
static bool links_to(const struct store *s, size_t a, size_t b)
{
	size_t n;
	const size_t *from = store_backlinks(s, b, &n);
	if (from || s->backlink_start) {
		for (size_t j = 0; j < n; j++)
			if (from[j] == a)
				return true;
		return false;
	}
	const struct article *x = store_is_lazy(s, a) ? NULL : s->v[a];
	for (size_t j = 0; x && j < x->nrelated; j++)
		if (x->related[j].local == (long)b)
			return true;
	return false;
}

/* The cosines of a's and b's kept words: all of them (weighted), and
 * their titles' alone (by IDF) into *title. */
static double cosine(struct work *k, size_t a, size_t b, double *title)
{
	size_t na, nb;
	*title = 0;
	vector_of(k, a, &na); /* both made first: making one may move the other */
	vector_of(k, b, &nb);
	if (k->norm[a] <= 0 || k->norm[b] <= 0)
		return 0;
	double tdot = 0;
	const uint32_t *x = vector_of(k, a, &na), *xe = x + na;
	const uint32_t *y = vector_of(k, b, &nb), *ye = y + nb;
	double dot = 0;
	while (x < xe && y < ye) {
		uint32_t i = *x & ~TITLE_BIT, j = *y & ~TITLE_BIT;
		if (i < j) {
			x++;
		} else if (j < i) {
			y++;
		} else {
			dot += (double)weight(k, *x) * weight(k, *y);
			if (*x & *y & TITLE_BIT)
				tdot += (double)k->idf[i] * k->idf[i];
			x++;
			y++;
		}
	}
	if (k->tnorm[a] > 0 && k->tnorm[b] > 0)
		*title = tdot / ((double)k->tnorm[a] * k->tnorm[b]);
	return dot / ((double)k->norm[a] * k->norm[b]);
}

/* How many topics a and b share that are on a tenth of the archive at
 * most (at most two count). */
static int rare_topics_shared(const struct work *k, size_t a, size_t b)
{
	int shared = 0;
	size_t na = store_ntopics(k->s, a), nb = store_ntopics(k->s, b);
	for (size_t i = 0; i < na && shared < 2; i++) {
		const char *t = store_topic(k->s, a, i);
		long id = dict_id((struct dict *)&k->topics, topic_key(t), 0, false);
		if (id < 0 || k->topics.df[id] * 10 > k->nlisted)
			continue;
		for (size_t j = 0; j < nb; j++)
			if (!strcmp(t, store_topic(k->s, b, j))) {
				shared++;
				break;
			}
	}
	return shared;
}

/* Days between a and b (0 when a date is missing). */
static double days_apart(const struct work *k, size_t a, size_t b)
{
	if (k->date[a] == NO_DATE || k->date[b] == NO_DATE)
		return 0;
	int64_t d = k->date[a] > k->date[b] ? k->date[a] - k->date[b] : k->date[b] - k->date[a];
	return (double)d / DAY;
}

/* The score of the pair a, b: how much they say the same, as cluster.h
 * has it; negative when they can never be one story. */
static double pair_score(struct work *k, size_t a, size_t b)
{
	double days = days_apart(k, a, b), title;
	double words = cosine(k, a, b, &title);
	double sc = (words + title) / 2;
	if (words >= link_min_cosine)
		sc += link_bonus * (links_to(k->s, a, b) + links_to(k->s, b, a));
	sc += topic_bonus * rare_topics_shared(k, a, b);
	if (days > free_days)
		sc -= day_cost * (days - free_days);
	return sc;
}

/* Score a candidate pair and join it when it passes. */
static void candidate(struct work *k, size_t a, size_t b)
{
	if (a == b || uf_find(k->parent, (uint32_t)a) == uf_find(k->parent, (uint32_t)b))
		return;
	if (k->touched && !k->touched[a] && !k->touched[b])
		return; /* an update keeps what the file says of it */
	if (days_apart(k, a, b) > CLUSTER_WINDOW_DAYS)
		return;
	k->ncandidates++;
	bool same_outlet = k->outlet[a] && k->outlet[a] == k->outlet[b];
	/* one outlet's pair: by its words alone, which a templated series
	 * shares most of, and which its own links and topics would tip */
	double title;
	double sc = same_outlet ? cosine(k, a, b, &title) : pair_score(k, a, b);
	if (same_outlet && title < same_outlet_threshold)
		return; /* a template's slot filled with another name */
	if (sc >= (same_outlet ? same_outlet_threshold : threshold))
		uf_union(k->parent, (uint32_t)a, (uint32_t)b);
}

struct ident {
	uint64_t h;
	uint32_t i;
};

static int ident_cmp(const void *a, const void *b)
{
	const struct ident *x = a, *y = b;
	if (x->h != y->h)
		return x->h < y->h ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* Articles of one identity (the same webUrl saved twice): one story. */
static void join_duplicates(struct work *k)
{
	struct ident *v = xmalloc((k->n ? k->n : 1) * sizeof *v);
	size_t m = 0;
	for (size_t i = 0; i < k->n; i++)
		if (listed(k, i))
			v[m++] = (struct ident){store_identity_hash(k->s, i), (uint32_t)i};
	qsort(v, m, sizeof *v, ident_cmp);
	for (size_t j = 1; j < m; j++)
		if (v[j].h == v[j - 1].h)
			uf_union(k->parent, v[j - 1].i, v[j].i);
	free(v);
}

/* Every related link between two listed articles is a candidate. */
static void join_related(struct work *k)
{
	for (size_t j = 0; j < k->n; j++) {
		size_t n;
		const size_t *from = store_backlinks(k->s, j, &n);
		for (size_t x = 0; x < n; x++)
			if (from[x] < k->n && listed(k, from[x]) && listed(k, j))
				candidate(k, from[x], j);
		if (k->s->backlink_start || store_is_lazy(k->s, j) || !k->s->v[j])
			continue;
		const struct article *a = k->s->v[j];
		for (size_t r = 0; r < a->nrelated; r++) {
			long l = a->related[r].local;
			if (l >= 0 && (size_t)l < k->n && listed(k, (size_t)l) && listed(k, j))
				candidate(k, j, (size_t)l);
		}
	}
}

static const struct work *date_work; /* for the qsort below, as rank_work */
static int by_date(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	int64_t dx = date_work->date[x], dy = date_work->date[y];
	if (dx != dy)
		return dx < dy ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* The pairs that share an indexed word within the window (of the words
 * want marks, when not NULL). */
static bool join_similar(struct work *k, const uint32_t *block_of, const unsigned char *want)
{
	size_t nw = k->words.n;
	uint32_t *start = xcalloc(nw + 1, sizeof *start);
	for (size_t i = 0; i < k->n * CLUSTER_BLOCK; i++)
		if (block_of[i] != UINT32_MAX && k->date[i / CLUSTER_BLOCK] != NO_DATE &&
		    (!want || want[block_of[i]]))
			start[block_of[i] + 1]++;
	for (size_t j = 0; j < nw; j++)
		start[j + 1] += start[j];
	uint32_t *post = xmalloc((start[nw] ? start[nw] : 1) * sizeof *post);
	uint32_t *fill = xmalloc((nw ? nw : 1) * sizeof *fill);
	memcpy(fill, start, nw * sizeof *fill);
	for (size_t i = 0; i < k->n * CLUSTER_BLOCK; i++)
		if (block_of[i] != UINT32_MAX && k->date[i / CLUSTER_BLOCK] != NO_DATE &&
		    (!want || want[block_of[i]]))
			post[fill[block_of[i]]++] = (uint32_t)(i / CLUSTER_BLOCK);
	free(fill);
	date_work = k;
	bool done = true;
	for (size_t j = 0; j < nw && done; j++) {
		uint32_t *p = post + start[j];
		size_t m = start[j + 1] - start[j];
		if (m < 2)
			continue;
		qsort(p, m, sizeof *p, by_date);
		if (cancelled(k, j)) {
			done = false;
			break;
		}
		for (size_t x = 0; x < m; x++) {
			for (size_t y = x + 1;
			     y < m && k->date[p[y]] - k->date[p[x]] <= (int64_t)CLUSTER_WINDOW_DAYS * DAY;
			     y++)
				candidate(k, p[x], p[y]);
		}
	}
	free(post);
	free(start);
	return done;
}

bool cluster_leads(const struct store *s, size_t a, size_t b)
{
	int32_t qa = quality_or_none(s, a), qb = quality_or_none(s, b);
	if (qa != qb)
		return qa > qb;
	int64_t da = date_or_none(s, a), db = date_or_none(s, b);
	if (da != db) {
		if (da == NO_DATE || db == NO_DATE)
			return db == NO_DATE;
		return da < db;
	}
	/* the path, not the index: the same lead whatever the load's order */
	int c = strcmp(store_path(s, a), store_path(s, b));
	return c ? c < 0 : a < b;
}

/* Members in their ring's order: by cluster, the lead first, then by
 * date (a missing one last), then by index. */
static const struct work *ring_work;
static const uint32_t *ring_lead;
static int ring_order(const void *pa, const void *pb)
{
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
	uint32_t la = ring_lead[a], lb = ring_lead[b];
	if (la != lb)
		return la < lb ? -1 : 1;
	if ((a == la) != (b == lb))
		return a == la ? -1 : 1;
	int64_t da = ring_work->date[a], db = ring_work->date[b];
	if (da != db) {
		if (da == NO_DATE || db == NO_DATE)
			return da == NO_DATE ? 1 : -1;
		return da < db ? -1 : 1;
	}
	return a < b ? -1 : a > b;
}

static struct cluster_set *make_set(struct work *k)
{
	size_t n = k->n;
	struct cluster_set *c = xcalloc(1, sizeof *c);
	c->n = n;
	c->lead = xmalloc((n ? n : 1) * sizeof *c->lead);
	c->next = xmalloc((n ? n : 1) * sizeof *c->next);
	c->size = xmalloc((n ? n : 1) * sizeof *c->size);
	/* by root first: the best member of each set, and the set's size */
	uint32_t *best = xmalloc((n ? n : 1) * sizeof *best);
	uint32_t *count = xcalloc(n ? n : 1, sizeof *count);
	for (size_t i = 0; i < n; i++) {
		uint32_t r = uf_find(k->parent, (uint32_t)i);
		if (!count[r]++ || cluster_leads(k->s, i, best[r]))
			best[r] = (uint32_t)i;
	}
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t r = uf_find(k->parent, (uint32_t)i);
		c->lead[i] = best[r];
		c->size[i] = count[r];
		c->next[i] = (uint32_t)i;
		m += count[r] > 1;
	}
	free(best);
	free(count);
	/* the clustered articles, put in rings */
	uint32_t *members = xmalloc((m ? m : 1) * sizeof *members);
	m = 0;
	for (size_t i = 0; i < n; i++)
		if (c->size[i] > 1)
			members[m++] = (uint32_t)i;
	c->nclustered = m;
	ring_work = k;
	ring_lead = c->lead;
	qsort(members, m, sizeof *members, ring_order);
	for (size_t j = 0; j < m; j++) {
		bool last = j + 1 == m || c->lead[members[j + 1]] != c->lead[members[j]];
		c->next[members[j]] = last ? c->lead[members[j]] : members[j + 1];
		c->nclusters += last;
	}
	free(members);
	c->ncandidates = k->ncandidates;
	return c;
}

static void work_free(struct work *k)
{
	store_texts_free(k->texts);
	free(k->w.v);
	dict_free(&k->words);
	dict_free(&k->topics);
	free(k->idf);
	free(k->norm);
	free(k->tnorm);
	free(k->vstart);
	free(k->vword);
	free(k->date);
	free(k->outlet);
	free(k->parent);
	free(k->key);
	free(k->url);
	free(k->vat);
	free(k->vn);
	free(k->pool);
	free(k->cand);
}

/* What the file beside the cache keeps for an update: the work's words
 * and topics, its block words (block_of, taken) and its keys (taken). */
static struct cluster_model *make_model(struct work *k, uint32_t *block_of, size_t drift)
{
	struct cluster_model *m = xcalloc(1, sizeof *m);
	m->n = k->n;
	m->key = k->key;
	k->key = NULL;
	m->url = k->url;
	k->url = NULL;
	memcpy(m->url_key, k->url_key, sizeof m->url_key);
	m->block = block_of;
	m->nlisted = k->nlisted;
	m->drift = drift;
	m->nwords = k->words.n;
	m->word_key = xmalloc((m->nwords ? m->nwords : 1) * sizeof *m->word_key);
	dict_keys(&k->words, m->word_key);
	m->word_tie = xmalloc((m->nwords ? m->nwords : 1) * sizeof *m->word_tie);
	m->word_df = xmalloc((m->nwords ? m->nwords : 1) * sizeof *m->word_df);
	if (m->nwords) {
		memcpy(m->word_tie, k->words.tie, m->nwords * sizeof *m->word_tie);
		memcpy(m->word_df, k->words.df, m->nwords * sizeof *m->word_df);
	}
	m->ntopics = k->topics.n;
	m->topic_key = xmalloc((m->ntopics ? m->ntopics : 1) * sizeof *m->topic_key);
	dict_keys(&k->topics, m->topic_key);
	m->topic_df = xmalloc((m->ntopics ? m->ntopics : 1) * sizeof *m->topic_df);
	if (m->ntopics)
		memcpy(m->topic_df, k->topics.df, m->ntopics * sizeof *m->topic_df);
	return m;
}

void cluster_model_free(struct cluster_model *m)
{
	if (!m)
		return;
	free(m->key);
	free(m->url);
	free(m->block);
	free(m->word_key);
	free(m->word_tie);
	free(m->word_df);
	free(m->topic_key);
	free(m->topic_df);
	free(m);
}

/* The qsort comparators above take their context from statics: one
 * computation at a time. */
static pthread_mutex_t one_at_a_time = PTHREAD_MUTEX_INITIALIZER;

static void work_init(struct work *k, const struct store *s, const atomic_bool *cancel)
{
	*k = (struct work){.s = s, .cancel = cancel, .n = s->n};
	if (k->n >= UINT32_MAX)
		k->n = UINT32_MAX - 1; /* the rest stay alone */
	size_t n = k->n ? k->n : 1;
	k->texts = store_texts_new(s);
	k->date = xmalloc(n * sizeof *k->date);
	k->outlet = xmalloc(n * sizeof *k->outlet);
	k->key = xmalloc(n * sizeof *k->key);
	k->url = xmalloc(n * sizeof *k->url);
	hash_process_key(k->url_key);
	k->parent = xmalloc(n * sizeof *k->parent);
	for (size_t i = 0; i < k->n; i++)
		k->parent[i] = (uint32_t)i;
}

struct cluster_set *cluster_compute(const struct store *s, const atomic_bool *cancel)
{
	struct work k;
	pthread_mutex_lock(&one_at_a_time);
	hash_stopwords();
	work_init(&k, s, cancel);
	uint32_t *block_of = NULL;
	struct cluster_set *c = NULL;
	if (count_words(&k) && make_vectors(&k, &block_of)) {
		join_duplicates(&k);
		join_related(&k);
		if (join_similar(&k, block_of, NULL)) {
			c = make_set(&k);
			c->model = make_model(&k, block_of, 0);
			block_of = NULL;
		}
	}
	free(block_of);
	work_free(&k);
	pthread_mutex_unlock(&one_at_a_time);
	return c;
}

/* ---- an update from the clusters of the archive before ---- */

struct keyed {
	uint64_t key;
	uint32_t i;
};

static int keyed_cmp(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

static struct keyed *sorted_keys(const uint64_t *key, size_t n)
{
	struct keyed *v = xmalloc((n ? n : 1) * sizeof *v);
	for (size_t i = 0; i < n; i++)
		v[i] = (struct keyed){key[i], (uint32_t)i};
	qsort(v, n, sizeof *v, keyed_cmp);
	return v;
}

/* Each article of the store that is one of the file's, by key (equal
 * keys paired in the order of their indices): new2old[i] (UINT32_MAX for
 * an added or changed one) and old2new[j] (likewise for one removed or
 * changed). Returns how many of either kind are unpaired. */
static size_t pair_keys(const uint64_t *nkey, size_t n, const uint64_t *okey, size_t on,
			uint32_t *new2old, uint32_t *old2new)
{
	struct keyed *a = sorted_keys(nkey, n), *b = sorted_keys(okey, on);
	for (size_t i = 0; i < n; i++)
		new2old[i] = UINT32_MAX;
	for (size_t j = 0; j < on; j++)
		old2new[j] = UINT32_MAX;
	size_t x = 0, y = 0, paired = 0;
	while (x < n && y < on) {
		if (a[x].key < b[y].key) {
			x++;
		} else if (b[y].key < a[x].key) {
			y++;
		} else {
			new2old[a[x].i] = b[y].i;
			old2new[b[y].i] = a[x].i;
			paired++;
			x++;
			y++;
		}
	}
	free(a);
	free(b);
	return n - paired + on - paired;
}

/* The words and topics counted as the file kept them, each word's id
 * its index there (what the block words name). False when a key comes
 * twice. */
static bool load_counts(struct work *k, const struct cluster_model *m)
{
	for (size_t w = 0; w < m->nwords; w++) {
		long id = dict_id(&k->words, m->word_key[w], m->word_tie[w], true);
		if (id != (long)w)
			return false;
		k->words.df[id] = m->word_df[w];
	}
	for (size_t t = 0; t < m->ntopics; t++) {
		long id = dict_id(&k->topics, m->topic_key[t], 0, true);
		if (id != (long)t)
			return false;
		k->topics.df[id] = m->topic_df[t];
	}
	k->nlisted = m->nlisted;
	return true;
}

/* Article i, added or changed, counted in. */
static void count_article(struct work *k, size_t i)
{
	k->nlisted++;
	for (size_t j = 0; j < k->w.n; j++) {
		long id = dict_id(&k->words, k->w.v[j].h, k->w.v[j].tie, true);
		k->words.df[id]++;
	}
	for (size_t j = 0, nt = store_ntopics(k->s, i); j < nt; j++) {
		long id = dict_id(&k->topics, topic_key(store_topic(k->s, i, j)), 0, true);
		k->topics.df[id]++;
	}
}

/* Pass 1 of an update: every article's date, outlet, key (its texts
 * read, not cut into words) and URLs hashed under k->url_key. False when
 * cancelled, or an article's URLs cannot be hashed under that key. */
static bool key_articles(struct work *k)
{
	for (size_t i = 0; i < k->n; i++) {
		if (cancelled(k, i))
			return false;
		k->date[i] = date_or_none(k->s, i);
		const char *p = store_provider_name(k->s, i);
		k->outlet[i] = p && *p ? nonzero(hash_str(p)) : 0;
		if (!listed(k, i)) {
			k->key[i] = article_key(k, i, NULL, NULL);
			k->url[i] = 0;
			continue;
		}
		if (!store_urls_hash(k->s, i, k->url_key, &k->url[i]))
			return false;
		struct cache_text t, e;
		title_excerpt(k, i, &t, &e);
		k->key[i] = article_key(k, i, &t, &e);
	}
	return true;
}

static struct cluster_set *update(struct work *k, const struct cluster_set *prev,
				  unsigned char *touched, uint32_t *new2old, uint32_t *old2new)
{
	const struct cluster_model *m = prev->model;
	size_t n = k->n;
	if (!load_counts(k, m))
		return NULL;
	/* the clusters that lost an article, and those of an article whose
	 * URLs (or its related stories') changed, and so its identity and
	 * links: their members are scored again (such an article's words
	 * are the same: counted as they were) */
	unsigned char *broken = xcalloc(prev->n ? prev->n : 1, 1);
	size_t gone = 0;
	for (size_t j = 0; j < prev->n; j++)
		if (old2new[j] == UINT32_MAX) {
			broken[prev->lead[j]] = 1;
			gone++;
		} else if (k->url[old2new[j]] != m->url[j]) {
			broken[prev->lead[j]] = 1;
		}
	size_t nt = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t j = new2old[i];
		touched[i] = j == UINT32_MAX || broken[prev->lead[j]];
		nt += touched[i];
		if (j == UINT32_MAX && listed(k, i)) {
			article_words(k, i, NULL);
			count_article(k, i);
		}
	}
	free(broken);
	make_idf(k);
	k->norm = xcalloc(n ? n : 1, sizeof *k->norm);
	k->tnorm = xcalloc(n ? n : 1, sizeof *k->tnorm);
	k->vat = xmalloc((n ? n : 1) * sizeof *k->vat);
	k->vn = xcalloc(n ? n : 1, sizeof *k->vn);
	for (size_t i = 0; i < n; i++)
		k->vat[i] = UINT32_MAX;
	/* the untouched keep their block words and their clusters; the
	 * touched are cut again, with the counts as they are now */
	uint32_t *block_of = xmalloc((n ? n : 1) * CLUSTER_BLOCK * sizeof *block_of);
	unsigned char *want = xcalloc(k->words.n ? k->words.n : 1, 1);
	for (size_t i = 0; i < n; i++) {
		uint32_t *blk = block_of + i * CLUSTER_BLOCK;
		if (touched[i]) {
			update_vector(k, i, blk);
			for (size_t b = 0; b < CLUSTER_BLOCK; b++)
				if (blk[b] != UINT32_MAX)
					want[blk[b]] = 1;
			continue;
		}
		uint32_t j = new2old[i];
		memcpy(blk, m->block + (size_t)j * CLUSTER_BLOCK, CLUSTER_BLOCK * sizeof *blk);
		uf_union(k->parent, (uint32_t)i, old2new[prev->lead[j]]);
	}
	k->touched = touched;
	join_duplicates(k);
	join_related(k);
	struct cluster_set *c = NULL;
	if (join_similar(k, block_of, want)) {
		c = make_set(k);
		c->updated = true;
		c->ntouched = nt;
		c->model = make_model(k, block_of, m->drift + gone);
		block_of = NULL;
	}
	free(want);
	free(block_of);
	return c;
}

/* old's clusters over s, old's article j being s's old2new[j]
 * (UINT32_MAX: gone; old2new NULL: the same index, those past s's end
 * gone): every one still listed keeps its cluster, the rest of s alone,
 * each cluster's lead and order those of the members left. date: s's
 * articles' (date_or_none). With one_at_a_time held. */
static struct cluster_set *carry_over(const struct store *s, size_t n, const int64_t *date,
				      const struct cluster_set *old, const uint32_t *old2new)
{
	struct work k = {.s = s, .n = n, .date = (int64_t *)date};
	k.parent = xmalloc((n ? n : 1) * sizeof *k.parent);
	for (size_t i = 0; i < n; i++)
		k.parent[i] = (uint32_t)i;
	/* each cluster's members still listed joined to the first of them */
	for (size_t l = 0; l < old->n; l++) {
		if (old->lead[l] != l || old->size[l] < 2)
			continue;
		uint32_t root = UINT32_MAX, m = (uint32_t)l;
		do {
			uint32_t now = old2new ? old2new[m] : m < n ? m : UINT32_MAX;
			if (now != UINT32_MAX && listed(&k, now)) {
				if (root == UINT32_MAX)
					root = now;
				k.parent[now] = root;
			}
			m = old->next[m];
		} while (m != l);
	}
	struct cluster_set *c = make_set(&k);
	c->carried = true;
	free(k.parent);
	return c;
}

struct cluster_set *cluster_update(const struct store *s, const struct cluster_set *prev,
				   const atomic_bool *cancel)
{
	return cluster_update_showing(s, prev, cancel, NULL, NULL);
}

struct cluster_set *cluster_update_showing(const struct store *s, const struct cluster_set *prev,
					   const atomic_bool *cancel, cluster_shown_fn *show,
					   void *ctx)
{
	const struct cluster_model *m = prev ? prev->model : NULL;
	if (!m || m->n != prev->n || s->n >= UINT32_MAX - 1)
		return NULL;
	struct work k;
	pthread_mutex_lock(&one_at_a_time);
	hash_stopwords();
	work_init(&k, s, cancel);
	/* the URLs hashed as the model has them, to be compared */
	memcpy(k.url_key, m->url_key, sizeof k.url_key);
	struct cluster_set *c = NULL;
	uint32_t *new2old = xmalloc((k.n ? k.n : 1) * sizeof *new2old);
	uint32_t *old2new = xmalloc((prev->n ? prev->n : 1) * sizeof *old2new);
	unsigned char *touched = xmalloc(k.n ? k.n : 1);
	if (key_articles(&k)) {
		size_t changes = pair_keys(k.key, k.n, m->key, m->n, new2old, old2new);
		if (show)
			show(ctx, carry_over(s, k.n, k.date, prev, old2new));
		for (size_t i = 0; i < k.n; i++)
			changes += new2old[i] != UINT32_MAX && k.url[i] != m->url[new2old[i]];
		/* a large change, or counts that have drifted far: computed
		 * whole by the caller */
		size_t most = k.n / CLUSTER_UPDATE_MOST;
		if (changes <= most && m->drift + changes <= most)
			c = update(&k, prev, touched, new2old, old2new);
	}
	free(touched);
	free(new2old);
	free(old2new);
	work_free(&k);
	pthread_mutex_unlock(&one_at_a_time);
	return c;
}

struct cluster_set *cluster_carry(const struct store *s, const struct cluster_set *old)
{
	if (!old)
		return NULL;
	size_t n = s->n < UINT32_MAX ? s->n : UINT32_MAX - 1;
	int64_t *date = xmalloc((n ? n : 1) * sizeof *date);
	for (size_t i = 0; i < n; i++)
		date[i] = date_or_none(s, i);
	pthread_mutex_lock(&one_at_a_time);
	struct cluster_set *c = carry_over(s, n, date, old, NULL);
	pthread_mutex_unlock(&one_at_a_time);
	free(date);
	return c;
}

void cluster_free(struct cluster_set *c)
{
	if (!c)
		return;
	free(c->lead);
	free(c->next);
	free(c->size);
	cluster_model_free(c->model);
	free(c);
}

void cluster_publish(struct store *s, struct cluster_set *c)
{
	struct cluster_set *old = __atomic_exchange_n(&s->clusters, c, __ATOMIC_ACQ_REL);
	cluster_free(old);
}

const struct cluster_set *cluster_of(const struct store *s)
{
	return __atomic_load_n(&s->clusters, __ATOMIC_ACQUIRE);
}

size_t cluster_size(const struct store *s, size_t i)
{
	const struct cluster_set *c = cluster_of(s);
	return c && i < c->n ? c->size[i] : 1;
}

size_t cluster_lead(const struct store *s, size_t i)
{
	const struct cluster_set *c = cluster_of(s);
	return c && i < c->n ? c->lead[i] : i;
}

/* ---- on a thread of its own ---- */

struct cluster_job {
	struct worker_job job;
	const struct store *s;
	/* The clusters to show meanwhile, set once by the job's thread and
	 * taken once by the caller's (cluster_job_early). */
	struct cluster_set *_Atomic early;
	bool early_taken;
};

static void offer_early(void *ctx, struct cluster_set *c)
{
	struct cluster_job *j = ctx;
	atomic_store_explicit(&j->early, c, memory_order_release);
}

static void *job_run(void *arg, const atomic_bool *cancel)
{
	struct cluster_job *j = arg;
	const struct cache *from = store_source_cache(j->s);
	struct cache_identity id;
	if (from)
		cache_identity(from, &id);
	return cluster_file_get(j->s, store_cache_path(j->s), from ? &id : NULL, cancel,
				offer_early, j);
}

struct cluster_job *cluster_job_start(const struct store *s)
{
	struct cluster_job *j = xcalloc(1, sizeof *j);
	j->s = s;
	if (!worker_job_start(&j->job, job_run, j)) {
		free(j);
		return NULL;
	}
	return j;
}

bool cluster_job_early(struct cluster_job *j, struct cluster_set **out)
{
	*out = NULL;
	if (!j || j->early_taken)
		return false;
	*out = atomic_exchange_explicit(&j->early, NULL, memory_order_acquire);
	j->early_taken = *out != NULL;
	return j->early_taken;
}

bool cluster_job_done(struct cluster_job *j)
{
	return !j || worker_done(&j->job.w);
}

bool cluster_job_take(struct cluster_job **jp, bool wait, struct cluster_set **out)
{
	void *c = NULL;
	bool taken = *jp && worker_job_take(&(*jp)->job, wait, &c);
	*out = c;
	if (taken) {
		cluster_free(atomic_load(&(*jp)->early)); /* never taken: no longer wanted */
		free(*jp);
		*jp = NULL;
	}
	return taken;
}

void cluster_job_cancel(struct cluster_job **jp)
{
	struct cluster_job *j = *jp;
	if (!j)
		return;
	worker_job_stop(&j->job);
	struct cluster_set *c;
	cluster_job_take(jp, true, &c);
	cluster_free(c);
}

/* cluster: coverage clusters, the articles of a store that cover the same
 * news event. The evidence is what the archive gives: title and excerpt
 * words weighted by how rare they are in the archive (so that one wire's
 * templated titles, which share all their common words, stay apart),
 * publication dates (a story breaks within days: past CLUSTER_WINDOW_DAYS
 * two articles are never one story), related lists that point at each
 * other, shared topics that are not on every article, and identity (the
 * same webUrl saved twice is one story whatever it says).
 *
 * Nothing compares all pairs: the candidates are the articles that share
 * one of their rarest words within the date window (an inverted index of
 * those words, each word's articles sorted by date), the related links and
 * the equal identities; a candidate pair whose score passes the threshold
 * is joined (union-find), so a cluster is a connected set of such pairs.
 * Deterministic: the same store gives the same clusters whatever the
 * order of the work.
 *
 * The clusters of a store are computed once (cluster_compute, on any
 * thread while the store does not change) and then published into the
 * store (cluster_publish) for everyone who reads them through the store. */
#ifndef LEDE_CLUSTER_H
#define LEDE_CLUSTER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;

/* Two articles further apart than this are never one story. */
enum { CLUSTER_WINDOW_DAYS = 14 };
/* An update (cluster_update) is tried while the articles added, changed
 * and removed since the clusters it starts from, and those counted stale
 * since the last full computation, are each at most a 20th (5%) of the
 * archive. */
enum { CLUSTER_UPDATE_MOST = 20 };

/* What a computation leaves for the next one to update from (kept in the
 * file beside the cache, cluster_file.h), the same in every process:
 *   - each article's key (its file's name, date, quality, provider,
 *     topics, title and excerpt hashed): an article of the next store
 *     with an equal key is the same article, unchanged;
 *   - each article's URLs and its related stories' webUrls, hashed
 *     (store_urls_hash) under url_key, the hash key of the process whose
 *     full computation the model comes from: an article whose key is
 *     equal but not these keeps its words, but its identity and its links
 *     changed;
 *   - each article's block words (the rarest words that index it, as
 *     indices of the words below; UINT32_MAX for none);
 *   - every word (its stem packed into a number, its FNV-1a) and topic
 *     (its FNV-1a) with its document frequency, and how many articles
 *     were counted (nlisted);
 *   - drift: how many articles' words the counts hold though those
 *     articles are gone or changed (updates only add; 0 after a full
 *     computation). */
struct cluster_model {
	size_t n;
	uint64_t *key;   /* n */
	uint64_t *url;   /* n */
	unsigned char url_key[16];
	uint32_t *block; /* n * CLUSTER_BLOCK (cluster.c's) */
	size_t nwords, ntopics, nlisted, drift;
	uint64_t *word_key, *word_tie; /* nwords */
	uint32_t *word_df;             /* nwords */
	uint64_t *topic_key;           /* ntopics */
	uint32_t *topic_df;            /* ntopics */
};
/* Words of an article that index it (the model's block rows). */
enum { CLUSTER_BLOCK_WORDS = 12 };
void cluster_model_free(struct cluster_model *m);

/* The clusters of one store: every article is in exactly one, most alone.
 * Indices are the store's. Read-only once computed. */
struct cluster_set {
	size_t n; /* articles it knows: the store's n when computed */
	/* lead[i]: the lead of i's cluster (the highest quality, a missing or
	 * -1 one lowest; then the earliest, a missing date last; then the
	 * first loaded); i itself when i is alone. */
	uint32_t *lead;
	/* next[i]: the member after i in its cluster's order (the lead, then
	 * the others by date, earliest first), the last one's next being the
	 * lead: a ring, i itself when i is alone. */
	uint32_t *next;
	/* size[i]: how many articles i's cluster holds (1: alone). */
	uint32_t *size;
	size_t nclusters; /* clusters of two or more */
	size_t nclustered; /* articles in them */
	/* What the work cost, for the benchmark and the tests. */
	size_t ncandidates; /* pairs scored */
	/* Taken as they were found from the file kept beside the cache
	 * (cluster_file.h): nothing computed. */
	bool stored;
	/* Updated from the clusters before (cluster_update), with ntouched
	 * articles scored again. */
	bool updated;
	size_t ntouched;
	/* Carried over from the clusters of the store before a change
	 * (cluster_carry), to show until the store's own are found. */
	bool carried;
	/* What the next update starts from; NULL when not kept (taken from
	 * a file, or dropped once written: cluster_file_get). Owned. */
	struct cluster_model *model;
};

/* The clusters of s (hidden articles stay alone). The caller frees them
 * with cluster_free, unless published. On any one thread, beside the
 * reader's, while s does not change (it reads texts with a store_texts of
 * its own). cancel, when not NULL, is polled: once it reads true the work
 * stops and NULL is returned. */
struct cluster_set *cluster_compute(const struct store *s, const atomic_bool *cancel);
void cluster_free(struct cluster_set *c);

/* The clusters of s updated from prev, the clusters of an earlier state
 * of the same archive with its model (prev->model), or NULL when they
 * cannot be (no model; more added, changed and removed articles than
 * CLUSTER_UPDATE_MOST allows; cancelled): then the caller computes them.
 *
 * Articles are paired with prev's by key. An untouched article is one
 * paired, its URLs the same, whose cluster in prev lost no article and
 * holds none whose URLs changed; the touched are the rest (added,
 * changed, their URLs alone included, and the members of those
 * clusters). The
 * document frequencies are prev's plus the words of the added and changed
 * articles (not of those whose URLs alone changed; those of the removed and of changed ones' old text still
 * count: the model's drift); each word's weight comes from them. Then:
 *   - the untouched keep their clusters and their block words;
 *   - every candidate pair with a touched article (a shared block word in
 *     the window, a related link, an equal identity) is scored as
 *     cluster_compute scores it, with the weights as they are now; each
 *     touched article's vector and block words are made anew, an
 *     untouched one's vector when a pair first needs it;
 *   - pairs of two untouched articles are not scored again.
 * So the result is cluster_compute's on s when no pair of two untouched
 * articles would change its verdict (candidate or not, joined or not)
 * under the weights as they are now, and the drift moves no touched
 * pair across its threshold: for a few changed files in a large archive,
 * what a word's count moves by one cannot tell. NULL too when the URLs
 * of a lazy article of s are hashed under another key than prev's model
 * (a cache written anew since by another process). O(n) to read every
 * article's texts and key it, plus the touched articles' words and pairs.
 * On any one thread, like cluster_compute. */
struct cluster_set *cluster_update(const struct store *s, const struct cluster_set *prev,
				   const atomic_bool *cancel);

/* Told, while an update runs, the clusters to show until it is done. The
 * callee owns c. */
typedef void cluster_shown_fn(void *ctx, struct cluster_set *c);

/* cluster_update, which tells show (when not NULL), once its articles are
 * paired with prev's and before it scores any, prev's clusters carried
 * over to s (c->carried): each article paired keeps its cluster, the
 * others are alone, each cluster's lead and order those of the members
 * left, as cluster_carry has them. Told whether or not the update goes on
 * (NULL returned for too many changes: the caller computes them), never
 * when cancelled or when an article's URLs cannot be compared. */
struct cluster_set *cluster_update_showing(const struct store *s, const struct cluster_set *prev,
					   const atomic_bool *cancel, cluster_shown_fn *show,
					   void *ctx);

/* The clusters old, of s before a store_check_apply changed it, carried
 * over to s as it is now (the same indices: a changed file's articles in
 * place, new ones appended, those gone hidden), for the reader to show
 * until the clusters of s are found: every article still listed keeps
 * its cluster, those hidden leave theirs, the appended are alone, and
 * each cluster's lead and order are those of the members left (as
 * cluster_compute has them). No pair is scored. NULL for old NULL. O(n),
 * nothing read but each article's date and, for the clustered, what
 * cluster_leads reads. From the thread that owns s, like cluster_publish. */
struct cluster_set *cluster_carry(const struct store *s, const struct cluster_set *old);

/* Hand c to s, which owns it from then on (store_free frees it); any set
 * published before is freed, so only the thread that owns s publishes,
 * when nothing reads the old one. Readers on other threads see either no
 * set or the whole of c. */
void cluster_publish(struct store *s, struct cluster_set *c);
/* The set published into s, or NULL while there is none. */
const struct cluster_set *cluster_of(const struct store *s);

/* For the query language's ~C and the printing modes: how many articles
 * article i's cluster holds, 1 when it is alone, when no set is published
 * yet, or when i came after the set was computed. O(1); any thread. */
size_t cluster_size(const struct store *s, size_t i);
/* The lead of article i's cluster (i itself when alone, or as above). */
size_t cluster_lead(const struct store *s, size_t i);
/* Would article a lead a cluster before article b: a higher quality (a
 * missing or -1 one lowest), else an earlier date (a missing one last),
 * else loaded first? */
bool cluster_leads(const struct store *s, size_t a, size_t b);

/* The reader finds them on a thread of its own, after its first screen:
 * a job, NULL when none could be started. When every article of s came
 * from its cache as it is (store_source_cache), they are taken from the
 * file kept beside it when it holds them, and written there once
 * computed (cluster_file_get). */
struct cluster_job;
struct cluster_job *cluster_job_start(const struct store *s);
/* The clusters to show while the job updates those of the file kept
 * beside the cache (it was found stale: files added, changed or removed
 * since it was written), carried over from them (cluster_update_showing),
 * once: true the first time they are there, *out set (the caller's:
 * publish or free it); false before, after, and for a job that takes the
 * file as it is or computes them whole. From the thread that started it. */
bool cluster_job_early(struct cluster_job *j, struct cluster_set **out);
/* Whether the job is done (true for NULL): what it offered early is
 * there by then. From the thread that started it. */
bool cluster_job_done(struct cluster_job *j);
/* When the job is done (wait: wait for it): true, the job freed and *jp
 * set to NULL, the set in *out (the caller's: publish or free it; NULL if
 * it was cancelled). false while it runs, or with no job (*jp NULL). From
 * the thread that started it. */
bool cluster_job_take(struct cluster_job **jp, bool wait, struct cluster_set **out);
/* Stop the job, wait for its thread, free it and what it found; *jp set
 * to NULL. Nothing when *jp is NULL. Before the store changes or goes. */
void cluster_job_cancel(struct cluster_job **jp);

#endif

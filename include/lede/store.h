/* store: the loaded collection of articles, in load order (the order of the
 * scan), the problems met while loading, and the URL index that makes a
 * related story "local" and gives every article its backlinks. */
#ifndef LEDE_STORE_H
#define LEDE_STORE_H

#include <stddef.h>

#include "lede/article.h"
#include "lede/cache.h"
#include "lede/search.h"
#include "lede/util.h"

enum { STORE_DEFAULT_MAX_FILE = 4 << 20 };

/* Loading reads and parses the files on several threads; the result is
 * the same as a serial load: articles and problems in scan order. */
enum { STORE_MAX_AUTO_THREADS = 16, STORE_MAX_THREADS = 256 };

/* What store_load links once every file is in (see store_link). */
enum store_linking {
	STORE_LINK_ALL,     /* the URL index, related[].local and backlinks */
	STORE_LINK_RELATED, /* the URL index and related[].local: --json */
	/* Nothing: related[].local stay -1, store_find_url finds nothing and
	 * no article has backlinks. For what prints no link (--list,
	 * --check): the index costs a tenth of a warm --list. */
	STORE_LINK_NONE,
};

struct store_opts {
	size_t max_file_size; /* bigger files are skipped with a problem */
	/* Threads for reading and parsing: 0 picks the online CPUs (at most
	 * STORE_MAX_AUTO_THREADS, and 1 for a few dozen files); 1 loads on
	 * the calling thread alone. */
	int threads;
	/* Called on the thread that called store_load, never on a worker, so
	 * it may draw on the screen: once the load has run for
	 * progress_after_ms (0: 300 ms; negative: from the start), then about
	 * every 100 ms, and a last time with done == total if it was called
	 * at all. done counts files read and parsed out of total. */
	void (*progress)(void *ctx, size_t done, size_t total);
	void *progress_ctx;
	int progress_after_ms;
	/* The parsed article cache (see cache.h) to read and, when anything
	 * changed, rewrite; NULL: none. A file the cache knows, unchanged
	 * (size, mtime, inode, device), is decoded from it instead of being
	 * read and parsed. */
	const char *cache_path;
	/* Called on a loading thread just before a file is read and parsed:
	 * the moment a file can vanish or change under lede (a test pulls a
	 * file away here). NULL: nothing. */
	void (*before_read)(void *ctx, const char *path);
	void *before_read_ctx;
	/* Called on the thread that links a warm start from the records
	 * behind its first screen, before it links (a test holds it there, to
	 * see the store before its links are made). NULL: nothing. */
	void (*before_link)(void *ctx);
	void *before_link_ctx;
	/* For a caller that will show only the articles this search matches
	 * (lede --list -e): an article the cache holds that does not match is
	 * loaded as a stub, its path alone (so it matches nothing), without
	 * being decoded; with list_only, so is one parsed that does not
	 * match. Its problems load all the same; links (related[].local,
	 * backlinks) know only the articles loaded whole. With a cache to
	 * read or write, or list_only, every article is matched while
	 * loading, on the loading threads, and the verdicts kept
	 * (store.matched), so that the caller need not run the search again
	 * (nor keep articles whole to run it). NULL: everything. */
	const struct search *match_only;
	/* For lede --list: an article is kept as a list_row (article.h; see
	 * store.rows), what the list prints and sorts by, after match_only
	 * has matched it (and, when parsed, after it was written into the
	 * new cache): v[i] is NULL for it. Links, --json and a search run
	 * after the load need the whole article: they never set this. */
	bool list_only;
	/* For the reader: an article taken from the cache is loaded lazy, as
	 * a compact record (see store_is_lazy) of what the sort keys, the
	 * filters and the marks read and, hashed, the URLs the URL index and
	 * the backlinks need; the store keeps the cache open and decodes a
	 * row when store_row asks for it, the rest when store_article does.
	 * Searches read a lazy article's searchable text from the cache
	 * (store_texts_of). Only a load into an empty store is lazy, and never
	 * with list_only or match_only. --list, --json and --check never set
	 * it. */
	bool lazy;
	/* For lede --check, which counts the articles and prints the
	 * problems: with list_only, an article parsed keeps only its path
	 * and its webUrl, which tells a duplicate (one taken from the cache
	 * is kept as list_only says). */
	bool count_only;
	/* For lede --list -e, which prints the matches alone: with
	 * match_only and list_only, an article that does not match is not
	 * kept at all, not even as a stub (a hundred thousand of those were
	 * a tenth of a warm search), only counted (store.unmatched). Its
	 * problems load all the same. */
	bool only_matches;
	/* For the reader, with lazy: when the cache is valid and every path
	 * given is a directory, the articles are loaded from the cache's
	 * entries alone, those whose key lies under one of the paths, in the
	 * cache's order (the scan's that wrote it), with no walk and no
	 * stat: the first screen comes from the cache, and store_check_start
	 * then checks every file against it on a thread of its own. Without
	 * such a cache, or when it holds no article under the paths, the
	 * load is the usual one. */
	bool from_cache;
	enum store_linking linking; /* 0: STORE_LINK_ALL */
	/* For the modes that print and exit: a walk that rewrites the cache
	 * commits it on a thread of its own, behind what the caller does
	 * next (sorting, printing), rather than before store_load returns.
	 * The caller then calls store_commit_wait before it reads the cache
	 * file or exits; a failure to write it is a warning from then on. */
	bool commit_behind;
	/* Follow symbolic links met inside the walk (scan.h); the paths given
	 * are followed either way. */
	bool follow_links;
};

struct url_slot;
struct web_alias;
struct store_lazy;
struct store_check;
struct store_linker;
struct store_origin;

struct store {
	struct article **v; /* owned */
	size_t n, cap;
	/* After a list_only load: article i's row (article.h), v[i] NULL;
	 * read through store_list_view and the list accessors below
	 * (store_path to store_type, the identity's, the URLs'), which is
	 * all a printing mode reads; the reader's functions (store_row,
	 * store_article, store_texts) never see a row. NULL otherwise. The
	 * array owned, the rows in slab. */
	struct list_row **rows;
	size_t caprows;
	size_t nfiles;          /* candidate files seen */
	/* Of them, met by a walk and not articles (parse.h): never listed,
	 * never a problem. */
	size_t not_articles;
	struct strlist problems; /* in scan order */
	/* What went wrong with the cache ("cache PATH: reason, rebuilding"):
	 * never a problem of the archive, so kept apart from problems. */
	struct strlist warnings;
	size_t cache_hits; /* files decoded from the cache */
	/* URL index: webUrl, originalUrl and ampWebUrl of every article. */
	struct url_slot *slots;
	size_t nslots;
	/* Articles whose webUrl the index gives to an earlier article, for
	 * store_next_web_url: few, sorted by that earlier article. */
	struct web_alias *web_aliases;
	size_t nweb_aliases;
	/* Duplicates (see store_dup_of): each pair (lead, dup), sorted by
	 * lead then dup, and the same pairs sorted by dup. Read them through
	 * store_dup_of and store_next_dup. */
	struct web_alias *dups_by_lead, *dups_by_dup;
	size_t ndups;
	/* Listed articles with no webUrl, whose identity the URL index does
	 * not give: each with the high half of its identity's hash as key,
	 * sorted by key then article (see store_next_identity). */
	struct rank_kv32 *without_web;
	size_t nwithout_web;
	/* Backlinks: articles whose related list names article i are
	 * backlinks[backlink_start[i] .. backlink_start[i + 1]), for the
	 * first nlinked articles (those store_link saw). Read them through
	 * store_backlinks. */
	size_t *backlink_start;
	size_t *backlinks;
	size_t nlinked;
	/* After a store_load with match_only (and a cache path or
	 * list_only, see there) into an empty store: matched[i] is 1 when
	 * article i matches the search, else 0. NULL otherwise. Owned. */
	unsigned char *matched;
	/* Articles loaded and left out by store_opts.only_matches. */
	size_t unmatched;
	/* After a lazy load (store_opts.lazy): the cache kept open, and what
	 * decodes an article whole. NULL otherwise. Owned. */
	struct store_lazy *lazy;
	/* Problems store_article met after the load (a damaged entry): how
	 * many, and the last (one of problems' strings), for the reader to
	 * say on its prompt line. */
	size_t late_problems;
	const char *last_late_problem;
	/* Articles no longer listed (their file gone, or now unreadable or
	 * broken, found by store_check_apply): hidden[i] is 1, nhidden of
	 * them; NULL when none. They keep their index, so that everything
	 * that holds one stays valid; the query layer leaves them out, and
	 * the URL index and backlinks know them no more. Owned. */
	unsigned char *hidden;
	size_t nhidden;
	/* After a load from the cache alone (store_opts.from_cache): the
	 * problems the load gave, at the front of problems, which the check
	 * replaces with what the files say; and the check itself, once
	 * started. */
	size_t load_problems;
	struct store_check *check;
	bool check_due; /* loaded from the cache alone, not yet checked */
	/* The coverage clusters, once published (cluster.h: read them
	 * through it, never here). Owned. */
	struct cluster_set *clusters;
	/* Loaded from the cache's records section (cache.h), no entry
	 * decoded; false for a load from the entries or a walk. */
	bool from_records;
	/* After such a load, the URL index and the backlinks are made on a
	 * thread of their own, behind the first screen: every function here
	 * that reads them waits for it first. NULL otherwise. Owned. */
	struct store_linker *linker;
	/* The cache's rewrite going on behind (store_opts.commit_behind),
	 * until store_commit_wait. NULL otherwise. Owned. */
	struct store_commit *committing;
	/* A load with store_opts.lazy (the reader's, whatever it loaded as):
	 * the paths and options a check walks again, and what it compares
	 * with. NULL otherwise. Owned. */
	struct store_origin *origin;
	/* The rows a list_only load keeps (see article.h): freed by
	 * store_free. */
	struct slab slab;
};

void store_init(struct store *s);
/* Scan paths and load every candidate; then link (store_link, or less:
 * opts->linking). opts may be NULL for the defaults. */
void store_load(struct store *s, const char *const *paths, size_t n,
		const struct store_opts *opts);
/* Add one parsed article (the store takes it). */
void store_add(struct store *s, struct article *a);
/* The indices of the articles that s->matched marks, in load order,
 * into out (room for s->n); returns their count. */
size_t store_matches(const struct store *s, size_t *out);
/* Build the URL index, resolve related stories, compute backlinks. */
void store_link(struct store *s);
/* The articles whose related stories name article i: *n indices into v,
 * each once, in load order; the store owns the array. None (*n == 0, and
 * NULL) for an i out of range or added since the last store_link. */
const size_t *store_backlinks(const struct store *s, size_t i, size_t *n);
/* Are the URL index, the backlinks and the duplicates made, so that
 * reading them waits for nothing? False while a warm start makes them
 * behind its first screen (store_backlinks would wait for them); never
 * blocks. */
bool store_links_ready(const struct store *s);
/* Wait until they are made (at once when they are). */
void store_links_settle(const struct store *s);
/* The index of the article with this webUrl, originalUrl or ampWebUrl (the
 * first loaded wins), or -1. */
long store_find_url(const struct store *s, const char *url);
/* The first article after `after` (-1: from the start), in load order,
 * whose webUrl is url, or -1: the articles the marks kept by url belong
 * to, found through the URL index, O(1) but for duplicated webUrls. Only
 * articles store_link saw. */
long store_next_web_url(const struct store *s, const char *url, long after);
/* The first article after `after` (-1: from the start), in load order,
 * whose identity (article_identity: webUrl, else originalUrl, else path)
 * is id, or -1: the articles that share the marks kept by id. Through the
 * URL index when every article has a webUrl; otherwise a pass over the
 * articles. Only articles store_link saw. */
long store_next_identity(const struct store *s, const char *id, long after);
/* Duplicates: one story (the same webUrl) in two files or more, e.g. a
 * mirror beside the archive. The first of them the load met leads (the
 * paths in the order given, each directory's entries in name order; a
 * file a reload adds comes after those there already); the others are
 * its duplicates: never listed by the query layer, shown as the lead's
 * other paths. Found with the URL index (on its thread behind the first
 * screen: these wait for it, see store_links_ready), or, for a load that
 * links nothing (STORE_LINK_NONE), by a table of the webUrls alone.
 * Hidden articles are no one's duplicate nor lead. */
/* The lead of article i when i is a duplicate, else -1. */
long store_dup_of(const struct store *s, size_t i);
/* The first duplicate of lead after `after` (-1: from the start), in load
 * order, or -1. */
long store_next_dup(const struct store *s, size_t lead, long after);
/* How many articles are duplicates. */
size_t store_ndups(const struct store *s);
/* The most slots a lookup in the URL index visits: a few with any
 * archive, since the index hashes with a key of this process (hash.h). */
size_t store_url_max_probe(const struct store *s);
void store_free(struct store *s);
/* Wait for the cache's rewrite a load with store_opts.commit_behind left
 * going on (nothing when there is none): its failure, if it failed, is
 * then the last of s->warnings. */
void store_commit_wait(struct store *s);

/* The check of every file after a load from the cache alone: a thread of
 * its own walks the paths and stats every file as a usual load does, and
 * compares with what was loaded (key, device, inode, size, mtime, ctime;
 * an entry within two seconds of the cache's write counts as changed, as
 * cache.h has it): files changed and new are read and parsed on that
 * thread, and the cache is rewritten there when anything changed. True
 * when it was started (only once, and only after such a load). */
bool store_check_start(struct store *s);
/* A check of every file now, as store_check_start's, for a store loaded
 * with store_opts.lazy however it loaded (lazy or whole), any number of
 * times: each compares with what the store holds at its start (every
 * listed article's file and the files that gave only problems: path,
 * device, inode, size, mtime, ctime; a file read again whose article is
 * the same as the one held counts as unchanged), and its result, once
 * applied, is what the next compares with. A file changed or new is read
 * and parsed on the check's thread; a slot a file lives only while its
 * block of the walk is compared, so the check's memory a file is a few
 * dozen bytes. False when there is nothing to check (no such load) or a
 * check runs already. */
bool store_reload_start(struct store *s);
/* Is a check running or waiting to be applied? */
bool store_checking(const struct store *s);
/* The paths a reload walks (as given to the load), *n of them; NULL when
 * the store cannot reload. The store's, valid until store_free. */
const char *const *store_reload_paths(const struct store *s, size_t *n);
/* The cache every article of s came from as it is there: after a lazy
 * load whose articles are all lazy (none parsed, none replaced, added or
 * hidden by a check since), the cache they are decoded from; NULL
 * otherwise. O(n); while s does not change. */
const struct cache *store_source_cache(const struct store *s);
/* The cache file a lazy load was given (store_opts.cache_path), NULL when
 * none. The store's, valid until store_free. */
const char *store_cache_path(const struct store *s);
/* Stop the check: the rest of its walk finds nothing, nothing more is
 * read, no cache is written, and it has no result. store_free does it
 * first, so that a reader that quits never waits for a whole walk. */
void store_check_cancel(struct store *s);
/* What the check found, as store_check_apply applied it. */
struct store_changes {
	size_t added;   /* new files (articles appended, or only problems) */
	size_t changed; /* files changed (articles replaced in place or hidden) */
	size_t gone;    /* files gone (their articles hidden) */
	bool problems;  /* the list of problems changed */
	/* What went wrong with the cache the check wrote, appended to the
	 * store's warnings (the last of them is the newest): how many. */
	size_t warnings;
};
/* What the check found, once it is done (wait: wait for it), before it
 * is applied; NULL while it runs, or when there is none. */
const struct store_changes *store_check_result(struct store *s, bool wait);
/* Apply the check's result, if it is done (wait: wait for it): articles
 * of changed files replaced in place (same index), new ones appended,
 * those gone hidden; the problems the load gave replaced by those of the
 * files; the URL index and backlinks built again; the coverage clusters
 * published carried over (cluster_carry) until the caller publishes the
 * store's own. No query engine, no
 * store_texts and no thread reading v[] may live across it. True when a
 * result was applied (*out set, all zero when nothing changed); false
 * when there is none (not started, not done, or applied already). */
bool store_check_apply(struct store *s, bool wait, struct store_changes *out);
/* How many articles are listed: all but the hidden. */
size_t store_listed(const struct store *s);
/* Is article i hidden (see hidden)? */
bool store_is_hidden(const struct store *s, size_t i);

/* Article i whole, for what shows or uses more than the list's fields
 * (the story and related views, opening a URL): v[i] itself, unless v[i]
 * was loaded lazy; then the whole article, decoded from the kept cache at
 * the first call and kept until store_free (v[i] is never changed, so a
 * thread that reads v[] may go on). Related stories' local articles are
 * set as store_link sets them. When the entry turns out damaged (the cache
 * file written over since), the file is read and parsed again; when that
 * fails too, v[i] is returned; either way a problem says so. From the
 * thread that loaded the store only. NULL for an i out of range. */
const struct article *store_article(struct store *s, size_t i);
/* The same, without waiting for the links a warm start makes behind its
 * first screen: its related stories' local articles may not be set yet
 * (-1). For what shows no local article (the story pane): read those
 * through store_article. */
const struct article *store_article_early(struct store *s, size_t i);
/* Was article i loaded lazy? Then v[i] is NULL: the store keeps of it a
 * compact record (its numbers, its provider name and topics as ids into
 * tables of the distinct names, its path in one pool of paths, its URLs
 * hashed, its place in the tie order), and the accessors below read it;
 * anything else is decoded from the cache when asked for. */
bool store_is_lazy(const struct store *s, size_t i);

/* Article i's list fields, whatever it was loaded as (i < s->n). The
 * strings are the store's: valid until store_free, or until a
 * store_check_apply changes article i. */
const char *store_path(const struct store *s, size_t i);
const char *store_provider_name(const struct store *s, size_t i);
/* Article i's provider name as an id among the store's interned names
 * (below store_name_count), the same id for the same name: lets a sort
 * by provider rank each distinct name once. STORE_NO_NAME when article i
 * is not lazy (or has no provider name: then store_provider_name is
 * NULL). */
enum { STORE_NO_NAME = -1 };
uint32_t store_provider_id(const struct store *s, size_t i);
size_t store_name_count(const struct store *s); /* NULL: none */
size_t store_ntopics(const struct store *s, size_t i);
const char *store_topic(const struct store *s, size_t i, size_t k);
/* HAS_DATE, HAS_QUALITY and HAS_HEAT of article i's has, and its values. */
unsigned store_has(const struct store *s, size_t i);
int64_t store_date(const struct store *s, size_t i);
int32_t store_quality(const struct store *s, size_t i);
int32_t store_heat(const struct store *s, size_t i);
/* Is url article i's webUrl? (A lazy article's by its hash.) */
bool store_web_url_is(const struct store *s, size_t i, const char *url);
/* Article i's URLs (webUrl, originalUrl, ampWebUrl) and its related
 * stories' webUrls, each hashed under key (hash_siphash24; one missing or
 * empty left out, as the cache's records keep them) and folded into one
 * number into *out: the same for the same URLs whether article i is lazy
 * or whole, another (as far as 64 bits tell) when one of them changed.
 * False when it cannot be told: article i lazy and key not this
 * process's, under which its record's hashes are. */
bool store_urls_hash(const struct store *s, size_t i, const unsigned char key[16], uint64_t *out);
/* Article i with at least the list's fields (path, title, provider name,
 * webUrl, date, quality, heat, topics): v[i] when it is whole, else
 * decoded from the cache into a ring of a few hundred, so valid until a
 * few hundred more calls (a screen's rows, drawn one by one). When its
 * entry is damaged, what the record holds (no title). From the thread
 * that loaded the store only. */
const struct article *store_row(const struct store *s, size_t i);
/* The same, as a copy of its own (the caller frees it with article_free). */
struct article *store_row_copy(const struct store *s, size_t i);
/* Article i as what prints and sorts a list reads: v[i] when it is whole;
 * a list_only load's row (store.rows) read as an article in *tmp, which
 * the caller zeroed (list_row_view), when it is not. Not for a lazy
 * article (NULL). */
const struct article *store_list_view(const struct store *s, size_t i, struct article *tmp);
/* The tie order (query.h: title ascending, a missing one last, then
 * path), computed while loading lazy, when the store has one: the
 * articles in that order, whether each has the same title as the one
 * before it, and how many have a title (they come first). False when
 * there is none: the query engine sorts the titles itself. */
bool store_tie_order(const struct store *s, const uint32_t **order, const unsigned char **same,
		     size_t *ntitled);
/* Article i's identity (article_identity: webUrl, else originalUrl, else
 * path) hashed with hash_str (hash.h), as the marks key it; for a lazy
 * article from the hashes its record keeps, with nothing decoded. */
uint64_t store_identity_hash(const struct store *s, size_t i);
/* Is id article i's identity? (A lazy article's by its hash.) */
bool store_identity_is(const struct store *s, size_t i, const char *id);
/* Has article i a webUrl that is not empty? */
bool store_has_web_url(const struct store *s, size_t i);
/* Article i's type (article, video, course, ...), or NULL. */
const char *store_type(const struct store *s, size_t i);

/* A reader of articles' searchable text (fields.h's FIELD_SEARCHED
 * fields, in order), one per thread: a lazy article's comes from its
 * cache entry's head, so no search misses its excerpt. Any number of
 * readers may run at once, beside store_article, while the store does
 * not change. */
struct store_texts;
struct store_texts *store_texts_new(const struct store *s);
void store_texts_free(struct store_texts *t);
/* Article i's texts into *out (owned by t, valid until its next call);
 * returns their count. A lazy article whose entry turns out damaged gives
 * the texts its list fields hold. */
size_t store_texts_of(struct store_texts *t, size_t i, const struct cache_text **out);
/* Article i whole, for what its texts do not hold (its URLs, its
 * provider's domain): v[i], or a lazy article decoded from its cache
 * entry into t (valid until t's next call; never article_free it), or
 * what its record holds when the entry is damaged. Any thread, as the
 * texts. */
const struct article *store_texts_article(struct store_texts *t, size_t i);
/* Does one of article i's related stories lead to an article of the
 * store (store_link)? */
bool store_links_local(const struct store *s, size_t i);
/* Does one of article i's texts match re (sp: the calling thread's match
 * space, see search.h)? */
bool store_texts_match(struct store_texts *t, size_t i, const struct search *re,
		       struct search_space *sp);

#endif

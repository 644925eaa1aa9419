/* Coverage clusters updated from those of the archive before a change
 * (cluster_update): on tests/corpus and seeds/, one file changed, added
 * or removed gives the clusters a full computation gives, with only the
 * touched articles scored again; a removal splits the cluster it held
 * together, a new duplicate joins its story; a change too large is left
 * to a full computation; the file beside the cache keeps what an
 * update needs across starts, a reload's included; and while an update
 * runs, the stories before are there to show, carried over. */
#include <criterion/criterion.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"
#include "lede/cluster.h"
#include "lede/cluster_file.h"
#include "lede/hash.h"
#include "lede/store.h"
#include "lede/util.h"

#define SEER0 "seeds/000_05f876dcdba3f9f7.txt" /* VentureBeat, leads SEER */
#define DINO "seeds/004_b985d409ac3f70d7.txt"

/* A copy of tests/corpus with seeds/ in it (96 articles). */
static char *archive(void)
{
	char *dir = corpus_copy("cluster-update");
	char *cmd = xasprintf("cp -R seeds '%s'/seeds", dir);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
	wait_until_not_racy(); /* the seeds cached too */
	return dir;
}

/* dir gone, with its cache file (a new string, freed) and the clusters
 * file beside it. */
static void archive_free(char *dir, char *cache)
{
	char *file = cluster_file_path(cache);
	unlink(file);
	unlink(cache);
	free(file);
	free(cache);
	temp_dir_free(dir);
}

static char *at(const char *dir, const char *rel)
{
	return xasprintf("%s/%s", dir, rel);
}

static long index_of(const struct store *s, const char *path)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(store_path(s, i), path))
			return (long)i;
	return -1;
}

/* The clusters of dir before (computed), then dir changed by change, its
 * clusters updated from them: checked equal to a full computation, and
 * returned with the store they are of (*s). */
static struct cluster_set *update_after(const char *dir, void (*change)(const char *dir),
					struct store *s)
{
	struct store before;
	load_dir(&before, dir, NULL, false);
	struct cluster_set *prev = cluster_compute(&before, NULL);
	cr_assert_not_null(prev->model);
	store_free(&before);
	change(dir);
	load_dir(s, dir, NULL, false);
	struct cluster_set *c = cluster_update(s, prev, NULL);
	cluster_free(prev);
	cr_assert_not_null(c, "no update for a change of a few files");
	cr_assert(c->updated);
	struct cluster_set *full = cluster_compute(s, NULL);
	assert_same_clusters(c, full);
	cluster_free(full);
	return c;
}

static void put_file(const char *dir, const char *rel, const char *text)
{
	char *p = at(dir, rel);
	write_text(p, text);
	free(p);
}

static char *read_rel(const char *rel)
{
	size_t len;
	return slurp(rel, &len);
}

/* ---- one file changed, added, removed ---- */

static void change_seer_member(const char *dir)
{
	/* a SEER outlet's file rewritten as another story */
	put_file(dir, "seeds/001_f1014d9369e0f1d9.txt",
		 "---\ntitle: \"Local bakery wins the regional bread prize\"\n"
		 "publishedDateTime: 2021-03-10T00:00:00Z\n---\nRye.\n");
}

static void add_unrelated(const char *dir)
{
	put_file(dir, "extra.md",
		 "---\ntitle: \"Harbour seals return to the estuary after a decade\"\n"
		 "publishedDateTime: 2021-03-05T00:00:00Z\n---\nSeals.\n");
}

static void remove_seer_lead(const char *dir)
{
	char *p = at(dir, SEER0);
	cr_assert_eq(unlink(p), 0);
	free(p);
}

/* The seeds' file names but the lead's: the SEER outlets. */
static const char *first_seer_member(void)
{
	return "seeds/001_f1014d9369e0f1d9.txt";
}

Test(cluster_update, a_changed_file_gives_a_full_computation_s_clusters)
{
	char *dir = archive();
	char *member = at(dir, first_seer_member());
	cr_assert_eq(access(member, F_OK), 0, "%s: no such seed", member);
	struct store s;
	struct cluster_set *c = update_after(dir, change_seer_member, &s);
	long i = index_of(&s, member);
	cr_assert_geq(i, 0);
	cr_expect_eq(c->size[i], 1, "the rewritten file is still with SEER");
	cr_expect_lt(c->ntouched, s.n / 10, "%zu of %zu articles scored again", c->ntouched,
		     s.n);
	cluster_free(c);
	store_free(&s);
	free(member);
	temp_dir_free(dir);
}

Test(cluster_update, an_added_file_gives_a_full_computation_s_clusters)
{
	char *dir = archive();
	struct store s;
	struct cluster_set *c = update_after(dir, add_unrelated, &s);
	cr_expect_eq(c->ntouched, 1, "only the new file is touched");
	cluster_free(c);
	store_free(&s);
	temp_dir_free(dir);
}

Test(cluster_update, a_removed_file_gives_a_full_computation_s_clusters)
{
	char *dir = archive();
	struct store s;
	struct cluster_set *c = update_after(dir, remove_seer_lead, &s);
	/* the three other SEER outlets, scored again, stay one story */
	char *m = at(dir, first_seer_member());
	long i = index_of(&s, m);
	cr_assert_geq(i, 0);
	cr_expect_eq(c->size[i], 3);
	cluster_free(c);
	store_free(&s);
	free(m);
	temp_dir_free(dir);
}

/* ---- a removal that splits, a duplicate that joins ---- */

/* The webUrl of an article of the corpus alone in its cluster (more than
 * the window away from the seeds), its path into *path. */
static char *alone_url(const char *dir, char **path)
{
	struct store s;
	load_dir(&s, dir, NULL, false);
	struct cluster_set *c = cluster_compute(&s, NULL);
	char *url = NULL;
	for (size_t i = 0; i < s.n && !url; i++) {
		const struct article *a = store_article(&s, i);
		if (c->size[i] == 1 && a && a->web_url && *a->web_url &&
		    !strstr(store_path(&s, i), "/seeds/")) {
			*path = xstrdup(store_path(&s, i));
			url = xstrdup(a->web_url);
		}
	}
	cr_assert_not_null(url);
	cluster_free(c);
	store_free(&s);
	return url;
}

/* text (a file's, taken) with its own webUrl made url. */
static char *with_web_url(char *text, const char *url)
{
	char *w = strstr(text, "\nwebUrl: ");
	cr_assert_not_null(w);
	char *end = strchr(w + 1, '\n');
	*w = '\0';
	char *made = xasprintf("%s\nwebUrl: \"%s\"%s", text, url, end);
	free(text);
	return made;
}

/* A file with DINO's words under the webUrl of an unrelated article of
 * the corpus: it joins DINO by its words and that article by identity,
 * holding the two in one cluster. */
static char *bridge_text(const char *dir, char **other)
{
	char *url = alone_url(dir, other);
	char *bridged = with_web_url(read_rel(DINO), url);
	free(url);
	return bridged;
}

/* That file put in dir as bridge.txt. */
static void put_bridge(const char *dir, char **other)
{
	char *text = bridge_text(dir, other);
	put_file(dir, "bridge.txt", text);
	free(text);
}

static void remove_bridge(const char *dir)
{
	char *p = at(dir, "bridge.txt");
	cr_assert_eq(unlink(p), 0);
	free(p);
}

Test(cluster_update, removing_the_article_that_held_a_cluster_together_splits_it)
{
	char *dir = archive(), *other = NULL;
	put_bridge(dir, &other);
	struct store s;
	load_dir(&s, dir, NULL, false);
	struct cluster_set *c = cluster_compute(&s, NULL);
	char *dpath = at(dir, DINO);
	long d = index_of(&s, dpath), o = index_of(&s, other);
	cr_assert(d >= 0 && o >= 0);
	cr_assert_eq(c->lead[d], c->lead[o], "the bridge does not join DINO and %s", other);
	cluster_free(c);
	store_free(&s);

	c = update_after(dir, remove_bridge, &s);
	d = index_of(&s, dpath);
	o = index_of(&s, other);
	cr_assert(d >= 0 && o >= 0);
	cr_expect_neq(c->lead[d], c->lead[o], "still one cluster without its bridge");
	cr_expect_eq(c->size[o], 1);
	cluster_free(c);
	store_free(&s);
	free(dpath);
	free(other);
	temp_dir_free(dir);
}

static void copy_seer_lead(const char *dir)
{
	char *text = read_rel(SEER0);
	put_file(dir, "saved-again.txt", text);
	free(text);
}

Test(cluster_update, a_new_duplicate_joins_its_story)
{
	char *dir = archive();
	struct store s;
	struct cluster_set *c = update_after(dir, copy_seer_lead, &s);
	char *copy = at(dir, "saved-again.txt"), *lead = at(dir, SEER0);
	long i = index_of(&s, copy), l = index_of(&s, lead);
	cr_assert(i >= 0 && l >= 0);
	cr_expect_eq(c->lead[i], c->lead[l]);
	cr_expect_eq(c->size[i], c->size[l], "%u, %u", c->size[i], c->size[l]);
	cr_expect_geq(c->size[i], 5, "SEER's four outlets and the copy: %u", c->size[i]);
	cluster_free(c);
	store_free(&s);
	free(copy);
	free(lead);
	temp_dir_free(dir);
}

/* ---- a webUrl changed, and nothing else ---- */

/* The change the functions below make: the file rel (of the archive)
 * given the webUrl url. */
static const char *url_rel;
static const char *url_new;

static void change_web_url(const char *dir)
{
	char *p = at(dir, url_rel);
	size_t len;
	char *text = slurp(p, &len);
	cr_assert_not_null(text, "%s", p);
	text = with_web_url(text, url_new);
	write_text(p, text);
	free(text);
	free(p);
}

/* A SEER outlet given the webUrl of an article alone: the two are one
 * story now (the same identity), which the update finds. */
Test(cluster_update, a_web_url_changed_to_another_s_joins_its_story)
{
	char *dir = archive(), *other = NULL;
	char *url = alone_url(dir, &other);
	url_rel = first_seer_member();
	url_new = url;
	struct store s;
	struct cluster_set *c = update_after(dir, change_web_url, &s);
	char *m = at(dir, first_seer_member());
	long i = index_of(&s, m), o = index_of(&s, other);
	cr_assert(i >= 0 && o >= 0);
	cr_expect_eq(c->lead[i], c->lead[o], "the same webUrl, two stories");
	cr_expect_lt(c->ntouched, s.n / 10, "%zu of %zu articles scored again", c->ntouched,
		     s.n);
	cluster_free(c);
	store_free(&s);
	free(m);
	free(url);
	free(other);
	temp_dir_free(dir);
}

/* The bridge between DINO and an unrelated article given a webUrl of its
 * own: the unrelated article leaves the story, which the update finds. */
Test(cluster_update, a_web_url_changed_away_leaves_its_story)
{
	char *dir = archive(), *other = NULL;
	put_bridge(dir, &other);
	url_rel = "bridge.txt";
	url_new = "https://example.com/a-bridge-of-its-own";
	struct store s;
	struct cluster_set *c = update_after(dir, change_web_url, &s);
	char *dpath = at(dir, DINO), *bridge = at(dir, "bridge.txt");
	long d = index_of(&s, dpath), o = index_of(&s, other), b = index_of(&s, bridge);
	cr_assert(d >= 0 && o >= 0 && b >= 0);
	cr_expect_eq(c->size[o], 1, "%s still in the bridge's story", other);
	cr_expect_eq(c->lead[b], c->lead[d], "the bridge left DINO");
	cluster_free(c);
	store_free(&s);
	free(dpath);
	free(bridge);
	free(other);
	temp_dir_free(dir);
}

/* An article that another's related list names, in a story, given
 * another webUrl: the link is gone (and a link to nothing is made), and
 * the update is a full computation's. */
Test(cluster_update, a_linked_article_s_web_url_changed_gives_a_full_computation_s_clusters)
{
	char *dir = archive();
	struct store s;
	load_dir(&s, dir, NULL, false);
	struct cluster_set *c = cluster_compute(&s, NULL);
	char *linked = NULL;
	for (size_t i = 0; i < s.n && !linked; i++) {
		size_t nb;
		const size_t *from = store_backlinks(&s, i, &nb);
		for (size_t k = 0; k < nb && !linked; k++)
			if (c->size[i] > 1 && c->lead[from[k]] == c->lead[i])
				linked = xstrdup(store_path(&s, i) + strlen(dir) + 1);
	}
	cr_assert_not_null(linked, "no story holds an article and one that links to it");
	cluster_free(c);
	store_free(&s);
	url_rel = linked;
	url_new = "https://example.com/moved-elsewhere";
	c = update_after(dir, change_web_url, &s);
	cluster_free(c);
	store_free(&s);
	free(linked);
	temp_dir_free(dir);
}

/* An article's URLs hash the same whether it is whole (parsed, or
 * decoded from the cache) or lazy (its record's hashes), so that a model
 * made of one store pairs the articles of the other. */
Test(cluster_update, urls_hash_the_same_lazy_or_whole)
{
	char *dir = archive(), *cache = xasprintf("%s.cache", dir);
	struct store whole, lazy;
	load_dir(&whole, dir, cache, false); /* writes the cache */
	load_dir(&lazy, dir, cache, true);
	cr_assert_eq(whole.n, lazy.n);
	unsigned char key[16];
	hash_process_key(key);
	size_t nlazy = 0, nrelated = 0;
	for (size_t i = 0; i < whole.n; i++) {
		cr_assert_str_eq(store_path(&whole, i), store_path(&lazy, i));
		uint64_t a, b;
		cr_assert(store_urls_hash(&whole, i, key, &a));
		cr_assert(store_urls_hash(&lazy, i, key, &b));
		cr_expect_eq(a, b, "%s", store_path(&whole, i));
		nlazy += store_is_lazy(&lazy, i);
		nrelated += whole.v[i]->nrelated > 0;
	}
	cr_assert_eq(nlazy, lazy.n, "the second load was not lazy");
	cr_assert_gt(nrelated, 0);
	/* a lazy article's hashes are under this process's key alone */
	key[0] ^= 1;
	uint64_t h;
	cr_expect_not(store_urls_hash(&lazy, 0, key, &h));
	cr_expect(store_urls_hash(&whole, 0, key, &h));
	store_free(&whole);
	store_free(&lazy);
	archive_free(dir, cache);
}

/* The line of out that holds needle (a new string), or NULL. */
static char *line_with(const char *out, const char *needle)
{
	const char *p = strstr(out, needle);
	if (!p)
		return NULL;
	const char *start = p;
	while (start > out && start[-1] != '\n')
		start--;
	const char *end = strchr(p, '\n');
	return xstrndup(start, end ? (size_t)(end - start) : strlen(start));
}

static char *json_of(const char *dir, const char *const *env)
{
	struct run r;
	run_lede(&r, (const char *[]){"--json", dir, NULL}, env);
	cr_assert_eq(r.status, 0, "%s", r.err);
	char *out = xstrdup(r.out);
	run_free(&r);
	return out;
}

/* --json after webUrls alone changed: the stories are updated from the
 * file kept beside the cache, and each line's "cluster" is its story's
 * lead's webUrl as it is now (the story a changed webUrl left or joined
 * included). */
Test(cluster_update, json_after_web_urls_changed_prints_the_stories_as_they_are, .timeout = 120)
{
	char *home = temp_dir("cluster-update-cli"), *dir = archive(), *other = NULL;
	char *cache_env, *state_env;
	const char *env[10];
	reader_env(home, &cache_env, &state_env, env);
	char *text = bridge_text(dir, &other);
	put_file(dir, "bridge.txt", text);
	free(text);
	const char *orel = other + strlen(dir) + 1;
	char *opath = xasprintf("\"path\":\"%s\"", other);
	char *bpath = xasprintf("\"path\":\"%s/bridge.txt\"", dir);
	char *dpath = xasprintf("\"path\":\"%s/%s\"", dir, DINO);
	char *spath = xasprintf("\"path\":\"%s/%s\"", dir, first_seer_member());
	free(json_of(dir, env)); /* the cache and the clusters written */
	char *out = json_of(dir, env);
	char *line = line_with(out, opath);
	cr_assert_not_null(line, "%s", orel);
	cr_assert(strstr(line, "\"cluster\""), "not bridged to DINO: %s", line);
	free(line);
	free(out);

	url_rel = "bridge.txt";
	url_new = "https://example.com/a-bridge-of-its-own";
	change_web_url(dir);
	url_rel = SEER0;
	url_new = "https://example.com/seer-moved";
	change_web_url(dir);
	out = json_of(dir, env);
	line = line_with(out, opath);
	cr_assert_not_null(line, "%s", orel);
	cr_expect_null(strstr(line, "\"cluster\""), "still in the bridge's story: %s", line);
	free(line);
	line = line_with(out, bpath);
	cr_assert_not_null(line, "the bridge is not listed");
	cr_expect(strstr(line, "\"cluster\""), "the bridge left DINO: %s", line);
	free(line);
	line = line_with(out, dpath);
	cr_assert_not_null(line);
	cr_expect(strstr(line, "\"cluster\""), "DINO alone: %s", line);
	free(line);
	line = line_with(out, spath);
	cr_assert_not_null(line);
	cr_expect(strstr(line, "\"cluster\":\"https://example.com/seer-moved\""), "%s", line);
	free(line);
	/* what a start that computes them whole prints */
	char *fresh = temp_dir("cluster-update-cli-fresh");
	const char *fenv[10];
	char *fcache, *fstate;
	reader_env(fresh, &fcache, &fstate, fenv);
	char *full = json_of(dir, fenv);
	cr_expect_str_eq(out, full);
	free(full);
	free(out);
	free(opath);
	free(bpath);
	free(dpath);
	free(spath);
	free(other);
	free(fcache);
	free(fstate);
	free(cache_env);
	free(state_env);
	temp_dir_free(fresh);
	temp_dir_free(dir);
	temp_dir_free(home);
}

/* ---- too large a change: none ---- */

static void add_many(const char *dir)
{
	for (int k = 0; k < 8; k++) { /* 8 of 104: more than a 20th */
		char name[32], *text;
		snprintf(name, sizeof name, "many-%d.md", k);
		text = xasprintf("---\ntitle: \"Unrelated note number %d on a quiet day\"\n"
				 "publishedDateTime: 2021-03-1%dT00:00:00Z\n---\nNote.\n",
				 k, k + 1);
		put_file(dir, name, text);
		free(text);
	}
}

/* The clusters of dir computed, then add_many's files added: those
 * clusters returned, with the store of dir as it is now in *s. */
static struct cluster_set *many_added(const char *dir, struct store *s)
{
	struct store before;
	load_dir(&before, dir, NULL, false);
	struct cluster_set *prev = cluster_compute(&before, NULL);
	store_free(&before);
	add_many(dir);
	load_dir(s, dir, NULL, false);
	return prev;
}

Test(cluster_update, a_change_past_a_twentieth_of_the_archive_is_computed_whole)
{
	char *dir = archive();
	struct store s;
	struct cluster_set *prev = many_added(dir, &s);
	cr_expect_null(cluster_update(&s, prev, NULL));
	/* a set with no model (taken from a file as it was) gives none */
	struct cluster_model *m = prev->model;
	prev->model = NULL;
	cr_expect_null(cluster_update(&s, prev, NULL));
	prev->model = m;
	cluster_free(prev);
	store_free(&s);
	temp_dir_free(dir);
}

/* ---- through the file beside the cache ---- */

/* What the reader's job finds for s (the caller frees it). */
static struct cluster_set *job_clusters(const struct store *s)
{
	struct cluster_job *j = cluster_job_start(s);
	cr_assert_not_null(j);
	struct cluster_set *c;
	cr_assert(cluster_job_take(&j, true, &c));
	cr_assert_not_null(c);
	return c;
}

/* A reader's check that finds a file added: the clusters its job finds
 * are updated from the file kept beside the cache (tied to the cache
 * before the change), not computed, and are a full computation's; the
 * next starts update from the file the job wrote, then take it as is. */
Test(cluster_update, a_reload_updates_from_the_file, .timeout = 120)
{
	char *dir = archive(), *cache = xasprintf("%s.cache", dir);
	struct store s;
	load_dir(&s, dir, cache, false); /* writes the cache */
	store_free(&s);
	load_dir(&s, dir, cache, true);
	struct cluster_set *c = job_clusters(&s); /* computed, kept */
	cr_assert(!c->updated && !c->stored);
	cluster_free(c);
	add_unrelated(dir);
	wait_until_not_racy();
	cr_assert(store_reload_start(&s));
	struct store_changes ch;
	cr_assert(store_check_apply(&s, true, &ch));
	cr_assert_eq(ch.added, 1);
	c = job_clusters(&s);
	cr_expect(c->updated, "the clusters were computed whole");
	cr_expect_eq(c->ntouched, 1);
	struct cluster_set *full = cluster_compute(&s, NULL);
	assert_same_clusters(c, full);
	cluster_free(full);
	cluster_free(c);
	store_free(&s);
	bool stored = false;
	for (int start = 0; start < 3 && !stored; start++) {
		load_dir(&s, dir, cache, true);
		c = job_clusters(&s);
		cr_expect(c->stored || c->updated, "start %d: computed whole", start);
		full = cluster_compute(&s, NULL);
		assert_same_clusters(c, full);
		stored = c->stored;
		cluster_free(full);
		cluster_free(c);
		store_free(&s);
	}
	cr_expect(stored, "never taken from the file");
	archive_free(dir, cache);
}

/* Are c's leads and rings one partition of its n articles, each ring led
 * by its lead, in its order, its size what its members say? */
static void assert_rings_hold(const struct store *s, const struct cluster_set *c)
{
	cr_assert_eq(c->n, s->n);
	size_t clustered = 0;
	for (size_t i = 0; i < c->n; i++) {
		size_t l = c->lead[i], k = 0, m = i;
		cr_assert_eq(c->lead[l], l, "article %zu: its lead %zu leads no cluster", i, l);
		do {
			cr_assert_eq(c->lead[m], l, "article %zu's ring strays into another", i);
			cr_assert(m == l || !cluster_leads(s, m, l), "%zu should lead %zu", m, l);
			m = c->next[m];
		} while (++k <= c->n && m != i);
		cr_assert_eq(c->size[i], k, "article %zu: size %u, ring of %zu", i, c->size[i], k);
		clustered += k > 1;
		cr_assert(k == 1 || !store_is_hidden(s, i), "hidden article %zu in a cluster", i);
	}
	cr_assert_eq(c->nclustered, clustered);
}

/* Between a reload and the clusters found for it, the store shows those
 * found before carried over: every article still listed keeps its story
 * (the lead's file gone, the others stay together under a new lead), the
 * one whose file is gone leaves it, a new article stands alone; then the
 * job's clusters are a full computation's. */
Test(cluster_update, a_reload_keeps_the_clusters_before_until_the_new_are_found,
     .timeout = 120)
{
	char *dir = archive(), *cache = xasprintf("%s.cache", dir);
	struct store s;
	load_dir(&s, dir, cache, false); /* writes the cache */
	store_free(&s);
	load_dir(&s, dir, cache, true);
	cluster_publish(&s, job_clusters(&s));
	const struct cluster_set *c = cluster_of(&s);
	size_t n = s.n, nclusters = c->nclusters;
	uint32_t *lead = xmalloc(n * sizeof *lead);
	memcpy(lead, c->lead, n * sizeof *lead);
	char *gone = at(dir, SEER0), *member = at(dir, first_seer_member());
	long g = index_of(&s, gone), m = index_of(&s, member);
	cr_assert(g >= 0 && m >= 0);
	cr_assert_eq(lead[g], (uint32_t)g, "SEER's lead is not %s", SEER0);
	uint32_t seer = c->size[m];
	cr_assert_geq(seer, 4, "SEER: %u", seer);
	remove_seer_lead(dir);
	add_unrelated(dir);
	wait_until_not_racy();
	cr_assert(store_reload_start(&s));
	struct store_changes ch;
	cr_assert(store_check_apply(&s, true, &ch));
	cr_assert(ch.added == 1 && ch.gone == 1);
	c = cluster_of(&s);
	cr_assert_not_null(c, "no clusters shown between the reload and the new ones");
	cr_expect(c->carried);
	assert_rings_hold(&s, c);
	cr_expect_eq(c->size[g], 1, "the gone lead still in its cluster");
	cr_expect_eq(c->size[m], seer - 1, "SEER's others: %u of %u", c->size[m], seer);
	cr_expect_eq(c->size[n], 1, "the new article is in a cluster");
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (lead[i] == lead[j] && !store_is_hidden(&s, i) && !store_is_hidden(&s, j))
				cr_assert_eq(c->lead[i], c->lead[j], "%zu and %zu parted", i, j);
	cr_expect_eq(c->nclusters, nclusters, "%zu clusters before, %zu carried", nclusters,
		     c->nclusters);
	struct cluster_set *up = job_clusters(&s), *full = cluster_compute(&s, NULL);
	cr_expect(up->updated);
	assert_same_clusters(up, full);
	cluster_publish(&s, up);
	cluster_free(full);
	store_free(&s);
	free(lead);
	free(gone);
	free(member);
	archive_free(dir, cache);
}

/* A model damaged on disk is never updated from (its own checksum): the
 * clusters are then computed whole; the arrays before it still serve a
 * warm start, which does not read the model. */
Test(cluster_update, a_damaged_model_is_not_updated_from)
{
	char *dir = archive(), *cache = xasprintf("%s.cache", dir);
	char *file = cluster_file_path(cache);
	struct store s;
	load_dir(&s, dir, NULL, false);
	struct cluster_set *c = cluster_compute(&s, NULL);
	struct cluster_tie tie = {{1, 2}, cluster_file_fingerprint(&s), s.n};
	cr_assert_eq(cluster_file_write(file, &tie, c), 0);
	struct cluster_set *prev = cluster_file_read(file, NULL);
	cr_assert(prev && prev->model, "no model to update from");
	cluster_free(prev);
	size_t len;
	unsigned char *d = (unsigned char *)slurp(file, &len);
	d[len - 3] ^= 0x10; /* a topic's count */
	write_bytes(file, d, len);
	free(d);
	prev = cluster_file_read(file, NULL);
	cr_assert_not_null(prev, "the arrays are whole");
	cr_expect_null(prev->model, "a damaged model was read");
	cr_expect_null(cluster_update(&s, prev, NULL));
	cluster_free(prev);
	prev = cluster_file_read(file, &tie);
	cr_expect(prev && prev->stored, "the warm start lost its clusters");
	cluster_free(prev);
	cluster_free(c);
	store_free(&s);
	unlink(file);
	free(file);
	free(cache);
	temp_dir_free(dir);
}

/* ---- what is shown while an update runs ---- */

struct shown {
	struct cluster_set *c;
	int times;
};

static void note_shown(void *ctx, struct cluster_set *c)
{
	struct shown *w = ctx;
	w->times++;
	cluster_free(w->c);
	w->c = c;
}

/* Do articles a and b of s share a cluster in c? */
static bool together(const struct cluster_set *c, long a, long b)
{
	cr_assert(a >= 0 && b >= 0);
	return c->lead[a] == c->lead[b];
}

/* While one SEER outlet is rewritten as another story and a file is
 * added, the update first tells the clusters before carried over: every
 * article as it was keeps its partners (SEER's other outlets together),
 * the rewritten one and the new one alone until they are scored. */
Test(cluster_update, an_update_shows_the_clusters_before_until_it_is_done)
{
	char *dir = archive();
	struct store before, s;
	load_dir(&before, dir, NULL, false);
	struct cluster_set *prev = cluster_compute(&before, NULL);
	change_seer_member(dir);
	add_unrelated(dir);
	load_dir(&s, dir, NULL, false);
	struct shown w = {0};
	struct cluster_set *c = cluster_update_showing(&s, prev, NULL, note_shown, &w);
	cr_assert_not_null(c);
	cr_assert_eq(w.times, 1, "told %d times", w.times);
	cr_assert(w.c->carried);
	assert_rings_hold(&s, w.c);
	char *member = at(dir, first_seer_member()), *lead = at(dir, SEER0), *extra = at(dir, "extra.md");
	long m = index_of(&s, member), l = index_of(&s, lead), x = index_of(&s, extra);
	cr_expect_eq(w.c->size[m], 1, "the rewritten outlet in a story before it is scored");
	cr_expect_eq(w.c->size[x], 1, "the new file in a story before it is scored");
	long bl = index_of(&before, lead);
	cr_expect_eq(w.c->size[l], prev->size[bl] - 1, "SEER's other outlets: %u of %u",
		     w.c->size[l], prev->size[bl]);
	cr_expect_not(together(c, m, l), "the update kept the rewritten outlet with SEER");
	/* every article as it was keeps its partners of before */
	for (size_t i = 0; i < s.n; i++) {
		long b = index_of(&before, store_path(&s, i));
		if (b < 0 || (long)i == m)
			continue;
		for (size_t j = 0; j < s.n; j++) {
			long bj = index_of(&before, store_path(&s, j));
			if (bj >= 0 && (long)j != m)
				cr_assert_eq(together(w.c, (long)i, (long)j), together(prev, b, bj),
					     "%s and %s", store_path(&s, i), store_path(&s, j));
		}
	}
	cluster_free(w.c);
	cluster_free(c);
	cluster_free(prev);
	store_free(&before);
	store_free(&s);
	free(member);
	free(lead);
	free(extra);
	temp_dir_free(dir);
}

/* A change past what an update takes is computed whole, and the clusters
 * before are still told first: seconds at a million articles. */
Test(cluster_update, a_change_too_large_still_shows_the_clusters_before)
{
	char *dir = archive();
	struct store s;
	struct cluster_set *prev = many_added(dir, &s);
	struct shown w = {0};
	cr_assert_null(cluster_update_showing(&s, prev, NULL, note_shown, &w));
	cr_assert_eq(w.times, 1);
	assert_rings_hold(&s, w.c);
	cr_expect_eq(w.c->nclusters, prev->nclusters, "%zu stories, %zu before", w.c->nclusters,
		     prev->nclusters);
	cluster_free(w.c);
	cluster_free(prev);
	store_free(&s);
	temp_dir_free(dir);
}

/* A reader's start whose file beside the cache is stale (a file added
 * since it was written): its job offers the stories of the file carried
 * over before its update is done, and then the update's own. */
Test(cluster_update, a_start_from_a_stale_file_offers_the_stories_before_first,
     .timeout = 120)
{
	char *dir = archive(), *cache = xasprintf("%s.cache", dir);
	struct store s;
	load_dir(&s, dir, cache, false); /* writes the cache */
	store_free(&s);
	load_dir(&s, dir, cache, true);
	struct cluster_set *c = job_clusters(&s); /* computed, written beside it */
	size_t stories = c->nclusters;
	cluster_free(c);
	store_free(&s);
	add_unrelated(dir);
	wait_until_not_racy();
	load_dir(&s, dir, cache, false); /* the cache written anew */
	store_free(&s);
	load_dir(&s, dir, cache, true);
	struct cluster_job *j = cluster_job_start(&s);
	cr_assert_not_null(j);
	struct cluster_set *early = NULL;
	for (;;) {
		bool done = cluster_job_done(j); /* what it offered is there by then */
		if (cluster_job_early(j, &early))
			break;
		cr_assert_not(done, "the job ended offering nothing first");
		sched_yield();
	}
	cr_assert(early->carried);
	assert_rings_hold(&s, early);
	cr_expect_eq(early->nclusters, stories);
	struct cluster_set *again;
	cr_expect_not(cluster_job_early(j, &again), "offered twice");
	cr_assert(cluster_job_take(&j, true, &c));
	cr_assert_not_null(c);
	cr_expect(c->updated, "not updated from the file");
	struct cluster_set *full = cluster_compute(&s, NULL);
	assert_same_clusters(c, full);
	cluster_free(full);
	cluster_free(c);
	cluster_free(early);
	store_free(&s);
	archive_free(dir, cache);
}

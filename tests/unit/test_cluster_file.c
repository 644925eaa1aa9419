/* The coverage clusters kept beside the cache: a warm start whose
 * articles all come from the cache as it is takes them from there, with
 * nothing computed (the reader's job, and --json, --list --group and ~C);
 * a file damaged, impossible, or of another cache or store is never used:
 * the clusters are computed, the same as ever, and the file written
 * again; after files are added, changed and removed, the clusters (of the
 * reader's store as its check leaves it, and of the next start) are those
 * of a full computation over a fresh load; the prune removes the file
 * with its cache. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"
#include "lede/cache.h"
#include "lede/cluster.h"
#include "lede/cluster_file.h"
#include "lede/store.h"
#include "lede/util.h"

enum { HEAD = 80 }; /* the file's header (cluster_file.h) */

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

static long index_of(const struct store *s, const char *path)
{
	for (size_t i = 0; i < s->n; i++)
		if (!store_is_hidden(s, i) && !strcmp(store_path(s, i), path))
			return (long)i;
	return -1;
}

/* c, the clusters of s, are those a full computation finds over a fresh
 * whole load of dir: every listed article in a cluster of the same size
 * led by the same file. */
static void assert_as_full(const struct store *s, const struct cluster_set *c, const char *dir)
{
	struct store fresh;
	load_dir(&fresh, dir, NULL, false);
	struct cluster_set *want = cluster_compute(&fresh, NULL);
	cr_assert_eq(store_listed(s), fresh.n);
	size_t clustered = 0;
	for (size_t i = 0; i < s->n; i++) {
		if (store_is_hidden(s, i))
			continue;
		long j = index_of(&fresh, store_path(s, i));
		cr_assert_geq(j, 0, "%s: not in a fresh load", store_path(s, i));
		cr_assert_eq(c->size[i], want->size[j], "%s: cluster size", store_path(s, i));
		cr_assert_str_eq(store_path(s, c->lead[i]), store_path(&fresh, want->lead[j]),
				 "%s: lead", store_path(s, i));
		clustered += c->size[i] > 1;
	}
	cr_assert_eq(clustered, want->nclustered);
	cr_assert_gt(want->nclusters, 2, "the corpus has stories of several outlets");
	cluster_free(want);
	store_free(&fresh);
}

/* The reader's start from dir's cache: the clusters its job finds, which
 * must be stored (taken from the file) or not, and be a full
 * computation's over this very store. */
static struct cluster_set *reader_start(const char *dir, const char *cache, bool stored)
{
	struct store s;
	load_dir(&s, dir, cache, true);
	cr_assert(s.from_records, "not a warm start");
	struct cluster_set *c = job_clusters(&s);
	cr_assert_eq(c->stored, stored, "the clusters were%s taken from the file",
		     c->stored ? "" : " not");
	if (stored)
		cr_assert_eq(c->ncandidates, 0, "stored, yet pairs were scored");
	struct cluster_set *full = cluster_compute(&s, NULL);
	assert_same_clusters(c, full);
	cluster_free(full);
	store_free(&s);
	return c;
}

static bool exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

/* A warm start takes the clusters the start before it found, as they
 * were, nothing computed. */
Test(cluster_file, warm_reader_takes_the_stored_clusters, .timeout = 60)
{
	char *dir = corpus_copy("cluster-file"), *cache = xasprintf("%s.cache", dir);
	char *file = cluster_file_path(cache);
	struct store s;
	load_dir(&s, dir, cache, false); /* writes the cache */
	store_free(&s);
	cr_assert(!exists(file), "a file for a load that parsed its articles");
	struct cluster_set *first = reader_start(dir, cache, false);
	cr_assert(exists(file), "the clusters were not kept beside the cache");
	struct cluster_set *again = reader_start(dir, cache, true);
	assert_same_clusters(again, first);
	cluster_free(first);
	cluster_free(again);
	unlink(file);
	unlink(cache);
	free(file);
	free(cache);
	temp_dir_free(dir);
}

/* Ways a file goes wrong: each makes the start compute the clusters, the
 * same as ever, and write the file again. */
enum spoil {
	FLIPPED_BYTE,   /* in the arrays: the checksum says so */
	TRUNCATED,      /* shorter than its articles */
	OTHER_VERSION,  /* of another format version (resealed) */
	OTHER_CACHE,    /* tied to another cache (resealed) */
	OTHER_STORE,    /* tied to other articles (resealed) */
	BROKEN_RING,    /* a lead whose ring lost its members (resealed) */
	LEAD_NOT_LEAD,  /* an article led by one that leads another (resealed) */
	NSPOILS,
};

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void set32(unsigned char *p, uint32_t v)
{
	for (int k = 0; k < 4; k++, v >>= 8)
		p[k] = (unsigned char)v;
}

/* The articles a file holds (its header's). */
static size_t file_articles(const unsigned char *d)
{
	size_t n = 0;
	for (int k = 7; k >= 0; k--)
		n = n << 8 | d[40 + k];
	return n;
}

/* The first lead of a cluster of two or more in the file d of n
 * articles, and (*member) another of its members. */
static uint32_t first_cluster(const unsigned char *d, size_t n, uint32_t *member)
{
	for (uint32_t i = 0; i < n; i++) {
		uint32_t lead = get32(d + HEAD + 4 * i);
		if (lead != i) {
			*member = i;
			return lead;
		}
	}
	cr_assert_fail("no cluster in the file");
	return 0;
}

static void spoil_file(const char *file, enum spoil how)
{
	size_t len;
	unsigned char *d = (unsigned char *)slurp(file, &len);
	size_t n = file_articles(d);
	uint32_t member, lead = first_cluster(d, n, &member);
	switch (how) {
	case FLIPPED_BYTE:
		d[HEAD + 4 * member] ^= 0x01;
		break;
	case TRUNCATED:
		len -= 4;
		break;
	case OTHER_VERSION:
		d[8]++;
		break;
	case OTHER_CACHE:
		d[24] ^= 0x01;
		break;
	case OTHER_STORE:
		d[48] ^= 0x01;
		break;
	case BROKEN_RING:
		set32(d + HEAD + 4 * (n + lead), lead); /* next[lead] = lead */
		break;
	case LEAD_NOT_LEAD:
		set32(d + HEAD + 4 * lead, member); /* lead[lead] = member */
		break;
	case NSPOILS:
		break;
	}
	if (how != FLIPPED_BYTE && how != TRUNCATED)
		cluster_file_reseal(d, len);
	write_bytes(file, d, len);
	free(d);
}

ParameterizedTestParameters(cluster_file, spoiled_file_is_never_used)
{
	static enum spoil cases[NSPOILS];
	for (int i = 0; i < NSPOILS; i++)
		cases[i] = (enum spoil)i;
	return cr_make_param_array(enum spoil, cases, NSPOILS);
}

ParameterizedTest(enum spoil *how, cluster_file, spoiled_file_is_never_used, .timeout = 60)
{
	char *dir = corpus_copy("cluster-file"), *cache = xasprintf("%s.cache", dir);
	char *file = cluster_file_path(cache);
	struct store s;
	load_dir(&s, dir, cache, false);
	store_free(&s);
	struct cluster_set *good = reader_start(dir, cache, false);
	spoil_file(file, *how);
	struct cluster_set *c = reader_start(dir, cache, false);
	assert_same_clusters(c, good);
	cluster_free(c);
	/* and written again, good */
	c = reader_start(dir, cache, true);
	assert_same_clusters(c, good);
	cluster_free(c);
	cluster_free(good);
	unlink(file);
	unlink(cache);
	free(file);
	free(cache);
	temp_dir_free(dir);
}

/* The path of a file of dir named as an article of s whose cluster has
 * at least three members, and two others of them into *b and *c. */
static void pick_cluster(const struct store *s, const struct cluster_set *set, char **a,
			 char **b, char **c)
{
	for (size_t i = 0; i < s->n; i++) {
		if (set->size[i] < 3 || set->lead[i] != i)
			continue;
		*a = xstrdup(store_path(s, i));
		*b = xstrdup(store_path(s, set->next[i]));
		*c = xstrdup(store_path(s, set->next[set->next[i]]));
		return;
	}
	cr_assert_fail("no cluster of three in the corpus");
}

/* Files added (a story saved again under another name), changed (one
 * outlet's article rewritten as another story) and removed (an outlet's
 * article): the clusters the reader's job finds once the check applied
 * them are a full computation's, and so are those of the next starts,
 * computed once from the rewritten cache, then taken from the file. */
Test(cluster_file, after_changes_the_clusters_are_a_full_computation_s, .timeout = 120)
{
	char *dir = corpus_copy("cluster-file"), *cache = xasprintf("%s.cache", dir);
	char *file = cluster_file_path(cache);
	struct store s;
	load_dir(&s, dir, cache, false);
	store_free(&s);
	cluster_free(reader_start(dir, cache, false));

	load_dir(&s, dir, cache, true);
	struct cluster_set *c = job_clusters(&s);
	cr_assert(c->stored);
	char *gone, *changed, *copied;
	pick_cluster(&s, c, &gone, &changed, &copied);
	cluster_free(c);
	cr_assert_eq(unlink(gone), 0);
	write_text(changed, "---\ntitle: \"Local bakery wins the regional bread prize\"\n"
			    "publishedDateTime: 2021-03-10T00:00:00Z\n---\nRye.\n");
	size_t len;
	char *text = slurp(copied, &len);
	char *copy = xasprintf("%s/saved-again.md", dir);
	write_text(copy, text);
	free(text);
	wait_until_not_racy();
	cr_assert(store_reload_start(&s));
	struct store_changes ch;
	cr_assert(store_check_apply(&s, true, &ch));
	cr_assert(ch.added == 1 && ch.changed == 1 && ch.gone == 1, "+%zu %zu -%zu", ch.added,
		  ch.changed, ch.gone);
	c = job_clusters(&s);
	cr_assert(!c->stored, "clusters of the archive before the changes");
	assert_as_full(&s, c, dir);
	cr_assert_geq(c->size[index_of(&s, copy)], 2, "the copy is not with its story");
	cluster_free(c);
	store_free(&s);

	/* the next start: from the cache the check wrote */
	for (int stored = 0; stored < 2; stored++) {
		load_dir(&s, dir, cache, true);
		c = job_clusters(&s);
		cr_assert_eq(c->stored, stored);
		assert_as_full(&s, c, dir);
		cluster_free(c);
		store_free(&s);
	}
	free(gone);
	free(changed);
	free(copied);
	free(copy);
	unlink(file);
	unlink(cache);
	free(file);
	free(cache);
	temp_dir_free(dir);
}

/* ---- the printing modes ---- */

/* The file kept beside the one cache in cachedir (a new string), or NULL. */
static char *file_in(const char *cachedir)
{
	DIR *d = opendir(cachedir);
	cr_assert_not_null(d);
	char *found = NULL;
	struct dirent *e;
	while ((e = readdir(d)))
		if (strstr(e->d_name, CACHE_BESIDE) && !found)
			found = xasprintf("%s/%s", cachedir, e->d_name);
	closedir(d);
	return found;
}

static char *lede_out(const char *const *argv, const char *const *env)
{
	struct run r;
	run_lede(&r, argv, env);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.err, "");
	char *out = xstrdup(r.out);
	run_free(&r);
	return out;
}

/* --json, --list --group and -q '~C' at a warm start print the clusters
 * kept beside the cache: a file that says every article is alone, made
 * right, is what they print. */
Test(cluster_file, printing_modes_take_the_stored_clusters, .timeout = 120)
{
	char *home = temp_dir("cluster-file-cli"), *dir = corpus_copy("cluster-file");
	char *cache_env, *state_env;
	const char *env[10];
	reader_env(home, &cache_env, &state_env, env);
	char *cachedir = xasprintf("%s/lede", cache_env + strlen("XDG_CACHE_HOME="));
	const char *json[] = {"--json", dir, NULL};
	const char *group[] = {"--list", "--group", dir, NULL};
	const char *clustered[] = {"--list", "-q", "~C", dir, NULL};
	char *cold = lede_out(json, env); /* writes the cache */
	/* a load that parsed its articles keeps its clusters for no cache:
	 * the next start only updates from them */
	char *first = file_in(cachedir);
	cr_assert_not_null(first, "the clusters were not kept to update from");
	size_t flen;
	unsigned char *fd = (unsigned char *)slurp(first, &flen);
	for (int k = 24; k < 40; k++)
		cr_assert_eq(fd[k], 0, "a file tied to a cache no article came from");
	free(fd);
	free(first);
	char *warm = lede_out(json, env); /* every file a hit: computed, kept */
	cr_assert_str_eq(warm, cold);
	cr_assert(strstr(warm, "\"cluster\""), "no clusters in the corpus");
	char *file = file_in(cachedir);
	cr_assert_not_null(file, "the clusters were not kept beside the cache");
	char *listed = lede_out(group, env);
	char *tilde_c = lede_out(clustered, env);
	cr_assert_neq(strlen(tilde_c), 0);

	size_t len;
	unsigned char *d = (unsigned char *)slurp(file, &len);
	size_t n = file_articles(d);
	for (uint32_t i = 0; i < n; i++) {
		set32(d + HEAD + 4 * i, i);
		set32(d + HEAD + 4 * (n + i), i);
	}
	memset(d + 56, 0, 16); /* no cluster, no article in one */
	cluster_file_reseal(d, len);
	write_bytes(file, d, len);
	free(d);
	char *alone = lede_out(json, env);
	cr_assert_null(strstr(alone, "\"cluster\""), "the clusters were computed again");
	char *none = lede_out(clustered, env);
	cr_assert_str_eq(none, "", "~C found clusters the file does not have");
	char *rows = lede_out(group, env);
	cr_assert_neq(strcmp(rows, listed), 0, "--group did not take the file's clusters");

	free(alone);
	free(none);
	free(rows);
	free(listed);
	free(tilde_c);
	free(warm);
	free(cold);
	free(file);
	free(cachedir);
	free(cache_env);
	free(state_env);
	temp_dir_free(dir);
	temp_dir_free(home);
}

/* The prune removes a cache's clusters with it, and leaves the kept
 * caches' alone. */
Test(cluster_file, the_prune_removes_the_file_with_its_cache)
{
	char *dir = temp_dir("cluster-file-prune");
	char *cache[CACHE_KEEP + 2], *file[CACHE_KEEP + 2];
	for (int i = 0; i < CACHE_KEEP + 2; i++) {
		cache[i] = xasprintf("%s/%016x.cache", dir, i + 1);
		file[i] = cluster_file_path(cache[i]);
		write_text(cache[i], "x");
		write_text(file[i], "y");
		/* the lower, the longer unused */
		struct timespec ts[2] = {{1600000000 + i, 0}, {1600000000 + i, 0}};
		cr_assert_eq(utimensat(AT_FDCWD, cache[i], ts, 0), 0);
	}
	cache_prune(cache[CACHE_KEEP + 1], CACHE_KEEP);
	for (int i = 0; i < CACHE_KEEP + 2; i++) {
		bool kept = i >= 2;
		cr_assert_eq(exists(cache[i]), kept, "%s", cache[i]);
		cr_assert_eq(exists(file[i]), kept, "%s", file[i]);
		free(cache[i]);
		free(file[i]);
	}
	temp_dir_free(dir);
}

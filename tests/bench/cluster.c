/* What the coverage clusters cost: a store loaded as the reader loads it
 * (lazy, from the cache when it is valid), then cluster_compute timed, with
 * the process's peak memory before and after. Prints "key value" lines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lede/cache.h"
#include "lede/cluster.h"
#include "lede/cluster_file.h"
#include "lede/group.h"
#include "lede/query.h"
#include "lede/store.h"
#include "timing.h"

static bool keep_all(void *ctx, size_t i)
{
	(void)ctx, (void)i;
	return true;
}

/* The reader's grouped list over the date order: a screenful of lines,
 * one slice of the rest (what a tick folds), and all of it at once. */
static void time_grouping(const struct store *s)
{
	struct query *q = query_new(s);
	uint32_t *out = malloc((s->n ? s->n : 1) * sizeof *out);
	const uint32_t *rows;
	size_t n = query_rows_view(q, (struct sort_order){SORT_DATE, true}, NULL, NULL, MARKS_ALL,
				   out, &rows);
	struct group *g = group_new(s);
	double t0 = timing_cpu_ms();
	group_extend(g, rows, n, 100, SIZE_MAX, keep_all, NULL);
	double t1 = timing_cpu_ms();
	group_reset(g);
	double t2 = timing_cpu_ms();
	group_extend(g, rows, n, SIZE_MAX, 1 << 16, keep_all, NULL);
	double t3 = timing_cpu_ms();
	group_reset(g);
	double t4 = timing_cpu_ms();
	size_t lines = group_extend(g, rows, n, SIZE_MAX, SIZE_MAX, keep_all, NULL);
	double t5 = timing_cpu_ms();
	printf("group-screen-ms %.3f\ngroup-slice-ms %.3f\ngroup-all-ms %.1f\ngroup-lines %zu\n",
	       t1 - t0, t3 - t2, t5 - t4, lines);
	group_free(g);
	free(out);
	query_free(q);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: cluster DIR\n");
		return 2;
	}
	const char *paths[] = {argv[1]};
	char *cache = cache_path_for(paths, 1);
	struct store_opts opts = {.cache_path = cache, .lazy = true, .from_cache = true};
	struct store s;
	store_init(&s);
	double t0 = timing_now_ms();
	store_load(&s, paths, 1, &opts);
	double t1 = timing_now_ms();
	long before = timing_peak_kb();
	double c0 = timing_cpu_ms();
	struct cluster_set *c = cluster_compute(&s, NULL);
	double t2 = timing_now_ms(), c1 = timing_cpu_ms();
	printf("articles %zu\nload-ms %.0f\ncluster-ms %.0f\ncluster-cpu-ms %.0f\n", s.n, t1 - t0,
	       t2 - t1, c1 - c0);
	printf("clusters %zu\nclustered %zu\ncandidates %zu\n", c->nclusters, c->nclustered,
	       c->ncandidates);
	printf("peak-kb-before %ld\npeak-kb-after %ld\nkept-bytes %zu\n", before, timing_peak_kb(),
	       c->n * 3 * sizeof(uint32_t));
	/* updated from it after k files changed: k articles' keys in the
	 * model spoiled, as a changed file's would be */
	for (size_t k = 1; k <= 100 && c->model; k *= 100) {
		struct cluster_set prev = *c;
		struct cluster_model m = *c->model;
		m.key = malloc(m.n * sizeof *m.key);
		memcpy(m.key, c->model->key, m.n * sizeof *m.key);
		for (size_t j = 0; j < k && j < m.n; j++)
			m.key[(j * 7919 + 13) % m.n] ^= 1;
		prev.model = &m;
		double u0 = timing_now_ms(), v0 = timing_cpu_ms();
		struct cluster_set *u = cluster_update(&s, &prev, NULL);
		double u1 = timing_now_ms(), v1 = timing_cpu_ms();
		printf("update-%zu-ms %.0f\nupdate-%zu-cpu-ms %.0f\nupdate-%zu-touched %zu\n", k,
		       u1 - u0, k, v1 - v0, k, u ? u->ntouched : 0);
		cluster_free(u);
		free(m.key);
	}
	/* what a reload shows until the update is in: the clusters carried
	 * over (here onto the same articles, the same work) */
	double a0 = timing_now_ms(), b0 = timing_cpu_ms();
	struct cluster_set *carried = cluster_carry(&s, c);
	double a1 = timing_now_ms(), b1 = timing_cpu_ms();
	printf("carry-ms %.1f\ncarry-cpu-ms %.1f\ncarry-same %d\n", a1 - a0, b1 - b0,
	       carried->nclusters == c->nclusters && carried->nclustered == c->nclustered);
	cluster_free(carried);
	cluster_model_free(c->model);
	c->model = NULL;
	/* kept beside the cache, then taken from there as a warm start does */
	const struct cache *from = store_source_cache(&s);
	if (from) {
		struct cache_identity id;
		cache_identity(from, &id);
		cluster_free(cluster_file_get(&s, cache, &id, NULL, NULL, NULL)); /* writes it */
		double r0 = timing_now_ms(), k0 = timing_cpu_ms();
		struct cluster_set *kept = cluster_file_get(&s, cache, &id, NULL, NULL, NULL);
		double r1 = timing_now_ms(), k1 = timing_cpu_ms();
		printf("stored-ms %.0f\nstored-cpu-ms %.0f\nstored-used %d\npeak-kb-stored %ld\n",
		       r1 - r0, k1 - k0, kept && kept->stored, timing_peak_kb());
		cluster_free(kept);
	}
	cluster_publish(&s, c);
	time_grouping(&s);
	store_free(&s);
	free(cache);
	return 0;
}

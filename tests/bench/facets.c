/* What the facets pane's counting costs: a store loaded as the reader
 * loads it (lazy, from the cache when it is valid), then, each timed on
 * this thread: the index of names (built once per store), a count of every
 * article's topics, providers and months, a count of a tenth of them (a
 * filtered list), and two saved views' counts, one of numbers and one of a
 * pattern (the benchmark's search); then what a change of the rows costs
 * the reader while a count runs. Prints "key value" lines. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "lede/cache.h"
#include "lede/facets.h"
#include "lede/querylang.h"
#include "lede/store.h"
#include "lede/util.h"
#include "timing.h"

/* What the reader pays when its rows change under a count, at most: the
 * rows copied for a new job, the job started, the old one asked to stop
 * (never waited for); and, off the reader's path, how long a stopped job
 * still ran. Jobs over every article, their views one of a pattern,
 * stopped at moments 25 ms apart of their work. */
static void restarts(const struct store *s, const struct facets_index *x, double *key,
		     double *key_p50, double *exit)
{
	double each[21];
	*key = *exit = 0;
	struct facets_job *old = NULL;
	for (int k = 0; k <= 20; k++) {
		double t0 = timing_now_ms();
		struct facets_job_in in = {.s = s, .index = k % 2 ? x : NULL, .nrows = s->n};
		in.rows = xmalloc((s->n ? s->n : 1) * sizeof *in.rows);
		for (size_t i = 0; i < s->n; i++)
			in.rows[i] = (uint32_t)i;
		in.nviews = 1;
		in.views = xcalloc(1, sizeof *in.views);
		in.views[0] = querylang_compile("self-driv", (int64_t)time(NULL), NULL);
		facets_job_stop(old);
		struct facets_job *j = facets_job_start(&in);
		double t1 = timing_now_ms();
		*key = t1 - t0 > *key ? t1 - t0 : *key;
		each[k] = t1 - t0;
		if (old) {
			facets_job_cancel(&old); /* waits for its thread to end */
			double t = timing_now_ms() - t1;
			*exit = t > *exit ? t : *exit;
		}
		old = j;
		struct timespec nap = {0, (k + 1) * 25 * 1000000L};
		nanosleep(&nap, NULL);
	}
	facets_job_cancel(&old);
	qsort(each, 21, sizeof *each, timing_cmp_double);
	*key_p50 = each[10];
}

static double time_view(const struct store *s, const char *text, size_t *n)
{
	struct querylang *q = querylang_compile(text, (int64_t)time(NULL), NULL);
	double c0 = timing_cpu_ms();
	*n = facets_count_query(q, s, NULL, NULL);
	double c1 = timing_cpu_ms();
	querylang_free(q);
	return c1 - c0;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: facets DIR\n");
		return 2;
	}
	const char *paths[] = {argv[1]};
	char *cache = cache_path_for(paths, 1);
	struct store_opts opts = {.cache_path = cache, .lazy = true, .from_cache = true};
	struct store s;
	store_init(&s);
	store_load(&s, paths, 1, &opts);
	uint32_t *rows = xmalloc((s.n ? s.n : 1) * sizeof *rows);
	for (size_t i = 0; i < s.n; i++)
		rows[i] = (uint32_t)i;
	double c0 = timing_cpu_ms();
	struct facets_index *x = facets_index_new(&s, NULL);
	double c1 = timing_cpu_ms();
	struct facets_counts all, tenth;
	facets_count(x, &s, rows, s.n, &all, NULL);
	double c2 = timing_cpu_ms();
	size_t n10 = 0;
	for (size_t i = 0; i < s.n; i += 10)
		rows[n10++] = (uint32_t)i;
	facets_count(x, &s, rows, n10, &tenth, NULL);
	double c3 = timing_cpu_ms();
	size_t nq, np;
	double vq = time_view(&s, "~q 80..", &nq), vp = time_view(&s, "self-driv", &np);
	printf("articles %zu\nindex-cpu-ms %.0f\ncount-all-cpu-ms %.0f\ncount-tenth-cpu-ms %.0f\n",
	       s.n, c1 - c0, c2 - c1, c3 - c2);
	double key, p50, exit;
	restarts(&s, x, &key, &p50, &exit);
	printf("restart-key-p50-ms %.2f\nrestart-key-max-ms %.1f\nstopped-job-ran-max-ms %.1f\n",
	       p50, key, exit);
	printf("topics %zu\nproviders %zu\nmonths %zu\n", all.ntopics, all.nproviders, all.nmonths);
	printf("view-numbers-cpu-ms %.0f\nview-numbers-count %zu\nview-pattern-cpu-ms %.0f\n"
	       "view-pattern-count %zu\n",
	       vq, nq, vp, np);
	facets_counts_free(&all);
	facets_counts_free(&tenth);
	facets_index_free(x);
	free(rows);
	store_free(&s);
	free(cache);
	return 0;
}

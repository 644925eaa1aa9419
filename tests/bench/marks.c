/* marks: what one mark costs the reader when many are saved already.
 *
 *     marks DIR [EXISTING [CHANGES]]
 *
 * Saves EXISTING marks (default 100000) into DIR/marks and folds them in,
 * as a long-time user's file would be, then times CHANGES (default 200)
 * single changes, each saved as the reader saves one: state_set, then
 * state_save. Prints the median and the 95th percentile of one change,
 * and the time of the fold that ends a session. Linked against lede's own
 * state module (see bench.mk). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lede/state.h"
#include "timing.h"

static void check(int r, char *err)
{
	if (r < 0) {
		fprintf(stderr, "marks: %s\n", err);
		exit(1);
	}
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: marks DIR [EXISTING [CHANGES]]\n");
		return 2;
	}
	long existing = argc > 2 ? atol(argv[2]) : 100000, changes = argc > 3 ? atol(argv[3]) : 200;
	if (existing < 0 || changes < 1) {
		fprintf(stderr, "marks: EXISTING >= 0, CHANGES >= 1\n");
		return 2;
	}
	char path[4096], url[128];
	snprintf(path, sizeof path, "%s/marks", argv[1]);
	char *err = NULL;
	struct state *st = state_open(path, NULL);
	for (long i = 0; i < existing; i++) {
		snprintf(url, sizeof url, "https://bench.example/%ld/an-article-of-the-archive", i);
		state_set(st, url, MARK_READ);
	}
	check(state_save(st, &err), err);
	check(state_compact(st, &err), err);
	state_close(st);

	st = state_open(path, NULL);
	double *t = malloc((size_t)changes * sizeof *t);
	for (long i = 0; i < changes; i++) {
		snprintf(url, sizeof url, "https://bench.example/%ld/an-article-of-the-archive",
			 i % (existing ? existing : 1));
		double t0 = timing_now_ms();
		state_set(st, url, i % 2 ? MARK_READ : MARK_READ | MARK_STARRED);
		check(state_save(st, &err), err);
		t[i] = timing_now_ms() - t0;
	}
	double f0 = timing_now_ms();
	check(state_compact(st, &err), err);
	double fold = timing_now_ms() - f0;
	state_close(st);
	qsort(t, (size_t)changes, sizeof *t, timing_cmp_double);
	printf("mark-p50-ms %.3f\nmark-p95-ms %.3f\nfold-ms %.3f\n", t[changes / 2],
	       t[(changes * 95) / 100 < changes ? (changes * 95) / 100 : changes - 1], fold);
	free(t);
	return 0;
}

/* script: the headless player that the UI tests and the benchmark drive,
 * and its timings. Not on the interactive path: app_run calls it only when
 * a script is given. */
#define _GNU_SOURCE
#include "lede/ui/script.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lede/ui/draw.h"
#include "lede/ui/text.h"

static double now_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

struct timings {
	double first_draw_us; /* from the start of the process */
	double *key_us;       /* each key: handling it and drawing the result */
	size_t n, cap;
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void timings_print(struct timings *t)
{
	double *v = xmalloc((t->n ? t->n : 1) * sizeof *v);
	memcpy(v, t->key_us, t->n * sizeof *v);
	qsort(v, t->n, sizeof *v, cmp_double);
	double p50 = t->n ? v[t->n / 2] : 0, p95 = t->n ? v[(t->n * 95) / 100 < t->n ? (t->n * 95) / 100 : t->n - 1] : 0;
	double max = t->n ? v[t->n - 1] : 0;
	printf("--- stats\nfirst-draw-ms %.1f\nkeys %zu\nkey-p50-ms %.3f\nkey-p95-ms %.3f\nkey-max-ms %.3f\n",
	       t->first_draw_us / 1e3, t->n, p50 / 1e3, p95 / 1e3, max / 1e3);
	free(v);
}

static void timed_key(struct app *a, struct timings *t, int key)
{
	query_settle(a->query); /* pending work first, as tig's test mode does */
	double t0 = now_us();
	app_handle_key(a, key);
	draw_screen(a);
	t->key_us = xgrow(t->key_us, &t->cap, t->n + 1, sizeof *t->key_us);
	t->key_us[t->n++] = now_us() - t0;
}

int script_play(struct app *a, const char *path, double started_us)
{
	struct timings tm = {0};
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "lede: %s: %s\n", path, strerror(errno));
		return 2;
	}
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t len;
	int status = 0;
	draw_screen(a);
	tm.first_draw_us = now_us() - started_us;
	while (!a->quit && !app_stopping() && (len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		char *cmd = line + strspn(line, " \t");
		if (!*cmd || *cmd == '#')
			continue;
		char *arg = cmd + strcspn(cmd, " \t");
		if (*arg)
			*arg++ = '\0';
		if (!strcmp(cmd, "key")) {
			for (char *save, *k = strtok_r(arg, " \t", &save); k && !a->quit;
			     k = strtok_r(NULL, " \t", &save)) {
				int key = keymap_key_parse(k);
				if (key < 0) {
					fprintf(stderr, "%s:%zu: bad key name '%s'\n", path, lineno, k);
					status = 2;
					break;
				}
				timed_key(a, &tm, key);
			}
		} else if (!strcmp(cmd, "type")) {
			for (size_t i = 0; arg[i] && !a->quit;) {
				unsigned cp;
				int l = utf8_decode(arg + i, strlen(arg + i), &cp);
				if (l <= 0)
					break;
				timed_key(a, &tm, (int)cp);
				i += (size_t)l;
			}
		} else if (!strcmp(cmd, "mouse")) {
			static const char *const names[] = {"click", "double", "wheel-up", "wheel-down"};
			char what[16];
			int x, y, ev = -1;
			if (sscanf(arg, "%15s %d %d", what, &x, &y) == 3)
				for (int i = 0; i < 4; i++)
					if (!strcmp(what, names[i]))
						ev = i;
			if (ev < 0) {
				fprintf(stderr, "%s:%zu: mouse wants click|double|wheel-up|wheel-down X Y\n",
					path, lineno);
				status = 2;
				break;
			}
			if (a->cfg->mouse)
				app_mouse(a, (enum app_mouse_event)ev, x, y);
			draw_screen(a);
		} else if (!strcmp(cmd, "stats")) {
			timings_print(&tm);
		} else if (!strcmp(cmd, "dump")) {
			int cols, rows;
			screen_size(&cols, &rows);
			printf("--- %s (%dx%d)\n", arg, cols, rows);
			draw_screen(a);
			screen_dump(stdout);
			fflush(stdout); /* a script fed through a pipe sees each screen */
		} else if (!strcmp(cmd, "resize")) {
			int cols, rows;
			if (sscanf(arg, "%dx%d", &cols, &rows) != 2 || cols < 0 || rows < 0) {
				fprintf(stderr, "%s:%zu: resize wants COLSxROWS\n", path, lineno);
				status = 2;
				break;
			}
			screen_resize(cols, rows);
			draw_screen(a);
		} else {
			fprintf(stderr, "%s:%zu: unknown script command '%s'\n", path, lineno, cmd);
			status = 2;
			break;
		}
	}
	free(line);
	free(tm.key_us);
	fclose(f);
	fflush(stdout);
	return status;
}

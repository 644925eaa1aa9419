/* script: the headless player that the UI tests and the benchmark drive,
 * and its timings. Not on the interactive path: app_run calls it only when
 * a script is given. */
#define _GNU_SOURCE
#include "lede/ui/script.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lede/ui/draw.h"
#include "lede/ui/pane.h"
#include "lede/ui/reload.h"
#include "lede/ui/text.h"
#include "lede/ui/triage.h"

static double now_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

struct timings {
	double first_draw_us; /* from the start of the process */
	struct timed {
		double us;     /* handling the key and drawing the result */
		size_t lineno; /* of the script */
		size_t nth;    /* the script's nth key, from 1 */
		int key;
	} *keys;
	size_t n, cap;
};

static int cmp_timed(const void *a, const void *b)
{
	const struct timed *x = a, *y = b;
	return x->us < y->us ? -1 : x->us > y->us;
}

/* The figures, then the slowest keys, each with its script line, so that
 * a slow key can be told from the others. */
static void timings_print(struct timings *t)
{
	struct timed *v = xmalloc((t->n ? t->n : 1) * sizeof *v);
	memcpy(v, t->keys, t->n * sizeof *v);
	qsort(v, t->n, sizeof *v, cmp_timed);
	size_t at95 = (t->n * 95) / 100 < t->n ? (t->n * 95) / 100 : t->n - 1;
	double p50 = t->n ? v[t->n / 2].us : 0, p95 = t->n ? v[at95].us : 0;
	double max = t->n ? v[t->n - 1].us : 0;
	printf("--- stats\nfirst-draw-ms %.1f\nkeys %zu\nkey-p50-ms %.3f\nkey-p95-ms %.3f\nkey-max-ms %.3f\n",
	       t->first_draw_us / 1e3, t->n, p50 / 1e3, p95 / 1e3, max / 1e3);
	for (size_t i = 0; i < 12 && i < t->n; i++) {
		const struct timed *k = &v[t->n - 1 - i];
		char name[32];
		printf("key-slow-ms %.3f line %zu key %zu %s\n", k->us / 1e3, k->lineno, k->nth,
		       keymap_key_name(k->key, name, sizeof name));
	}
	free(v);
}

/* A key is timed as a person feels it: the next one comes at once, never
 * after waiting for the background work (the warm-up of the sort orders and
 * the search text, a filter's full matches) that a person's reading time
 * might have let finish; what is finished already is taken in, as the
 * reader's loop does between keys. That work changes no screen but the
 * counts and the rows past those found first; dump waits for it, so that
 * each compared screen is taken with nothing pending. */
static void timed_key(struct app *a, struct timings *t, size_t lineno, int key)
{
	double t0 = now_us();
	app_tick(a);
	app_handle_key(a, key);
	draw_screen(a);
	double us = now_us() - t0;
	t->keys = xgrow(t->keys, &t->cap, t->n + 1, sizeof *t->keys);
	t->keys[t->n] = (struct timed){us, lineno, t->n + 1, key};
	t->n++;
}

/* One script being played: where it is, for messages, and its status. */
struct player {
	struct app *a;
	struct timings tm;
	const char *path;
	size_t lineno;
	int status;
};

/* Say what is wrong with the current line; the script's status is 2. */
__attribute__((format(printf, 2, 3))) static void bad_line(struct player *pl, const char *fmt,
							     ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%s:%zu: ", pl->path, pl->lineno);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	pl->status = 2;
}

/* Each command returns false to stop the script. */

/* A bad key name is said, and the script goes on from the next line. */
static bool cmd_key(struct player *pl, char *arg)
{
	for (char *save, *k = strtok_r(arg, " \t", &save); k && !pl->a->quit;
	     k = strtok_r(NULL, " \t", &save)) {
		int key = keymap_key_parse(k);
		if (key < 0) {
			bad_line(pl, "bad key name '%s'", k);
			break;
		}
		timed_key(pl->a, &pl->tm, pl->lineno, key);
	}
	return true;
}

static bool cmd_type(struct player *pl, char *arg)
{
	for (size_t i = 0; arg[i] && !pl->a->quit;) {
		unsigned cp;
		int l = utf8_decode(arg + i, strlen(arg + i), &cp);
		if (l <= 0)
			break;
		timed_key(pl->a, &pl->tm, pl->lineno, (int)cp);
		i += (size_t)l;
	}
	return true;
}

static bool cmd_mouse(struct player *pl, char *arg)
{
	static const char *const names[] = {"click", "double", "wheel-up", "wheel-down"};
	char what[16];
	int x, y, ev = -1;
	if (sscanf(arg, "%15s %d %d", what, &x, &y) == 3)
		for (int i = 0; i < 4; i++)
			if (!strcmp(what, names[i]))
				ev = i;
	if (ev < 0) {
		bad_line(pl, "mouse wants click|double|wheel-up|wheel-down X Y");
		return false;
	}
	if (pl->a->cfg->mouse)
		app_mouse(pl->a, (enum app_mouse_event)ev, x, y);
	draw_screen(pl->a);
	return true;
}

/* "sleep SECONDS": the reader's clock moves on (no real waiting), so that
 * what happens a moment after a key (a shown story becoming read) is
 * replayed the same on any machine. */
static bool cmd_sleep(struct player *pl, char *arg)
{
	char *end;
	double s = strtod(arg, &end);
	if (end == arg || *end || !(s >= 0 && s <= 86400)) {
		bad_line(pl, "sleep wants a number of seconds");
		return false;
	}
	app_tick_marks(pl->a); /* what the screen shows now is what was looked at */
	triage_clock_advance(pl->a, (unsigned long)(s * 1000 + 0.5));
	app_tick_marks(pl->a);
	draw_screen(pl->a);
	return true;
}

static bool cmd_stats(struct player *pl, char *arg)
{
	(void)arg;
	timings_print(&pl->tm);
	return true;
}

static bool cmd_dump(struct player *pl, char *arg)
{
	int cols, rows;
	screen_size(&cols, &rows);
	printf("--- %s (%dx%d)\n", arg, cols, rows);
	app_take_check(pl->a, true); /* the check of every file, as settled */
	app_settle(pl->a);
	draw_screen(pl->a);
	screen_dump(stdout);
	fflush(stdout); /* a script fed through a pipe sees each screen */
	return true;
}

static bool cmd_resize(struct player *pl, char *arg)
{
	int cols, rows;
	if (sscanf(arg, "%dx%d", &cols, &rows) != 2 || cols < 0 || rows < 0) {
		bad_line(pl, "resize wants COLSxROWS");
		return false;
	}
	screen_resize(cols, rows);
	draw_screen(pl->a);
	return true;
}

/* ---- expectations ----
 * "expect WHAT ARG" checks one thing of the screen as it is now (drawn
 * first, as dump does). A false one is said as "PATH:LINE: expect WHAT
 * 'ARG' failed: found 'TEXT'", the script goes on, and its status is 1.
 * Text is matched as / matches (a PCRE2 regex, smart case) against what
 * the screen shows, so that a check reads the screen a person would. */

/* An expectation that does not hold: say it; the status is 1 unless a bad
 * line made it 2. */
static void expectation_failed(struct player *pl, const char *what, const char *arg,
			       const char *found)
{
	struct buf b = {0};
	buf_printf(&b, "%s:%zu: expect %s '", pl->path, pl->lineno, what);
	buf_put_safe(&b, arg, strlen(arg));
	buf_puts(&b, "' failed: found ");
	buf_put_safe(&b, found, strlen(found));
	fprintf(stderr, "%s\n", buf_str(&b));
	buf_free(&b);
	if (pl->status == 0)
		pl->status = 1;
}

/* Does one of rows [y0, y1) of columns [x, x+w) match re? The text looked
 * at (the first row when none matches) goes to *seen: what the row shows,
 * or with highlighted, only what it shows drawn as search matches. */
static bool rows_match_in(struct search *re, int y0, int y1, int x, int w, struct buf *seen,
			  bool highlighted)
{
	bool any = false;
	for (int y = y0; y < y1 && !any; y++) {
		struct buf t = {0};
		if (highlighted)
			screen_match_text(y, x, w, &t);
		else
			screen_text(y, x, w, &t);
		any = search_match(re, buf_str(&t), t.len);
		if (any || y == y0) {
			buf_free(seen);
			*seen = t;
		} else {
			buf_free(&t);
		}
	}
	return any;
}

static bool rows_match(struct search *re, int y0, int y1, int x, int w, struct buf *seen)
{
	return rows_match_in(re, y0, y1, x, w, seen, false);
}

/* The pane a text expectation looks at, and which of its rows; "match"
 * looks at what the story pane draws as search matches, a row's runs of
 * highlighted text each followed by a space ("expect match ^Tesla $"). */
enum area { AREA_STATUS, AREA_MESSAGE, AREA_SELECTED, AREA_STORY, AREA_SCREEN, AREA_MATCH };

/* Does the expectation hold? Said when it does not, unless quiet. */
static bool text_holds(struct player *pl, const char *what, enum area area, const char *arg,
		       bool quiet);

static bool expect_text(struct player *pl, const char *what, enum area area, const char *arg)
{
	text_holds(pl, what, area, arg, false);
	return true;
}

static bool text_holds(struct player *pl, const char *what, enum area area, const char *arg,
		       bool quiet)
{
	char *err = NULL;
	struct search *re = search_compile(arg, &err);
	if (!re) {
		bad_line(pl, "expect %s: %s", what, err);
		free(err);
		return false;
	}
	struct app *a = pl->a;
	struct buf seen = {0};
	bool ok = false;
	int cols, rows;
	screen_size(&cols, &rows);
	const char *none = NULL;
	if (area == AREA_STATUS) {
		ok = rows_match(re, a->lay.status.y, a->lay.status.y + 1, 0, -1, &seen);
	} else if (area == AREA_MESSAGE) {
		ok = rows_match(re, a->lay.prompt.y, a->lay.prompt.y + 1, 0, -1, &seen);
	} else if (area == AREA_SELECTED) {
		struct rect r = pane_focused(a)->r;
		int y = screen_selected_row(r.x, r.w);
		if (y < 0)
			none = "no selected line";
		else
			ok = rows_match(re, y, y + 1, r.x, r.w, &seen);
	} else if (area == AREA_STORY || area == AREA_MATCH) {
		struct rect r = a->story.r;
		if (!a->story_open || a->overlay_open || r.h <= 0)
			none = "the story pane closed";
		else
			ok = rows_match_in(re, r.y, r.y + r.h, r.x, r.w, &seen, area == AREA_MATCH);
	} else {
		ok = rows_match(re, 0, rows, 0, -1, &seen);
	}
	if (!ok && !quiet) {
		char *found = none ? xstrdup(none) : xasprintf("'%s'", buf_str(&seen));
		expectation_failed(pl, what, arg, found);
		free(found);
	}
	buf_free(&seen);
	search_free(re);
	return ok;
}

static bool expect_rows(struct player *pl, const char *arg)
{
	char *end;
	unsigned long n = strtoul(arg, &end, 10);
	if (!*arg || *end || *arg == '-') {
		bad_line(pl, "expect rows wants a number");
		return true;
	}
	if (n != pl->a->nrows) {
		char found[32];
		snprintf(found, sizeof found, "'%zu'", pl->a->nrows);
		expectation_failed(pl, "rows", arg, found);
	}
	return true;
}

/* The list's lines: the rows folded into clusters when grouped. */
static bool expect_lines(struct player *pl, const char *arg)
{
	char *end;
	unsigned long n = strtoul(arg, &end, 10);
	if (!*arg || *end || *arg == '-') {
		bad_line(pl, "expect lines wants a number");
		return true;
	}
	if (n != pl->a->nlines) {
		char found[32];
		snprintf(found, sizeof found, "'%zu'", pl->a->nlines);
		expectation_failed(pl, "lines", arg, found);
	}
	return true;
}

static bool expect_view(struct player *pl, const char *arg)
{
	const char *name = pane_focused(pl->a)->ops->name;
	if (strcmp(name, arg) != 0) {
		char *found = xasprintf("'%s'", name);
		expectation_failed(pl, "view", arg, found);
		free(found);
	}
	return true;
}

static const struct {
	const char *name;
	enum area area;
} texts[] = {
	{"status", AREA_STATUS}, {"message", AREA_MESSAGE}, {"selected", AREA_SELECTED},
	{"story", AREA_STORY},   {"screen", AREA_SCREEN}, {"match", AREA_MATCH},
};

/* "wait WHAT ARG": what the watch sees taken in, with no key, until the
 * text expectation holds (then the script goes on at once) or, after a
 * generous WAIT_LIMIT_MS, fails as expect does: a test of what happens by
 * itself, with nothing timed. */
enum { WAIT_LIMIT_MS = 60000, WAIT_STEP_MS = 50 };

static bool cmd_wait(struct player *pl, char *arg)
{
	char *what = arg + strspn(arg, " \t");
	char *rest = what + strcspn(what, " \t");
	if (*rest)
		*rest++ = '\0';
	rest += strspn(rest, " \t");
	size_t i = 0;
	while (i < sizeof texts / sizeof *texts && strcmp(what, texts[i].name))
		i++;
	if (!*rest || i == sizeof texts / sizeof *texts) {
		bad_line(pl, "wait wants status, message, selected, story, screen or match, and a "
			     "text");
		return false;
	}
	for (long waited = 0;; waited += WAIT_STEP_MS) {
		reload_poll(pl->a, WAIT_STEP_MS, true);
		reload_watch_tick(pl->a);
		app_take_check(pl->a, false);
		app_tick(pl->a);
		draw_screen(pl->a);
		bool last = waited >= WAIT_LIMIT_MS;
		if (text_holds(pl, texts[i].name, texts[i].area, rest, !last) || last)
			return true;
	}
}

static bool cmd_expect(struct player *pl, char *arg)
{
	char *what = arg + strspn(arg, " \t");
	char *rest = what + strcspn(what, " \t");
	if (*rest)
		*rest++ = '\0';
	rest += strspn(rest, " \t");
	if (!*rest) {
		bad_line(pl, "expect wants WHAT and what to expect");
		return false;
	}
	app_take_check(pl->a, true); /* as a dump does: the screen the work gives */
	app_settle(pl->a);
	draw_screen(pl->a);
	for (size_t i = 0; i < sizeof texts / sizeof *texts; i++)
		if (!strcmp(what, texts[i].name))
			return expect_text(pl, texts[i].name, texts[i].area, rest);
	if (!strcmp(what, "rows"))
		return expect_rows(pl, rest);
	if (!strcmp(what, "lines"))
		return expect_lines(pl, rest);
	if (!strcmp(what, "view"))
		return expect_view(pl, rest);
	bad_line(pl, "expect wants status, message, selected, story, screen, match, rows, lines "
		     "or view");
	return false;
}

/* "config LINE": a line of the config run as the : prompt runs it, before
 * the screen it changes, with nothing said: a replay sets what its screens
 * take for granted (set group none) without it showing in them. */
static bool cmd_config(struct player *pl, char *arg)
{
	app_run_command(pl->a, arg);
	bool error = pl->a->message_error;
	if (error)
		bad_line(pl, "config: %s", pl->a->message ? pl->a->message : "failed");
	free(pl->a->message);
	pl->a->message = NULL;
	return !error;
}

static const struct {
	const char *name;
	bool (*run)(struct player *pl, char *arg);
} script_commands[] = {
	{"config", cmd_config},
	{"key", cmd_key},     {"type", cmd_type}, {"mouse", cmd_mouse},
	{"stats", cmd_stats}, {"dump", cmd_dump}, {"resize", cmd_resize},
	{"expect", cmd_expect}, {"sleep", cmd_sleep}, {"wait", cmd_wait},
};

/* One line of the script, its newline taken off; false to stop. */
static bool play_line(struct player *pl, char *line)
{
	char *cmd = line + strspn(line, " \t");
	if (!*cmd || *cmd == '#')
		return true;
	char *arg = cmd + strcspn(cmd, " \t");
	if (*arg)
		*arg++ = '\0';
	for (size_t i = 0; i < sizeof script_commands / sizeof *script_commands; i++)
		if (!strcmp(cmd, script_commands[i].name))
			return script_commands[i].run(pl, arg);
	bad_line(pl, "unknown script command '%s'", cmd);
	return false;
}

int script_play(struct app *a, const char *path, double started_us)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "lede: %s: %s\n", path, strerror(errno));
		return 2;
	}
	struct player pl = {.a = a, .path = path};
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	draw_screen(a);
	pl.tm.first_draw_us = now_us() - started_us;
	while (!a->quit && !app_stopping() && (len = getline(&line, &cap, f)) >= 0) {
		pl.lineno++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (!play_line(&pl, line))
			break;
	}
	free(line);
	free(pl.tm.keys);
	fclose(f);
	fflush(stdout);
	return pl.status;
}

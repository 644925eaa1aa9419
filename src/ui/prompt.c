/* prompt: the prompt line's editor (UTF-8 aware backspace, ^U, history
 * with the arrows), Tab completion of : commands, the live search and
 * filter, and the one-key URL and quit prompts. */
#define _XOPEN_SOURCE_EXTENDED 1
#include "lede/ui/prompt.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lede/ui/find.h"
#include "lede/ui/text.h"
#include "lede/ui/triage.h"

/* What / typed on knows: the rows it found clean from the same place. A
 * plain pattern that extends the last one cannot match where it did not. */
static size_t known_clean(const struct app *a, size_t start)
{
	const char *pat = search_pattern(a->search), *last = a->search_pattern;
	if (!last || a->search_gen != a->rows_gen || a->search_from != start ||
	    !search_is_literal(a->search) || strncmp(pat, last, strlen(last)))
		return 0;
	return a->search_clean;
}

static void remember_clean(struct app *a, size_t start, size_t clean)
{
	free(a->search_pattern);
	a->search_pattern = search_is_literal(a->search) ? xstrdup(search_pattern(a->search)) : NULL;
	a->search_from = start;
	a->search_clean = clean;
	a->search_gen = a->rows_gen;
}

/* The walk of a step (app.h, struct app_seek): lines are tested a chunk
 * at a time, the clock read between chunks. Forward it goes from start
 * (past the lines known clean) to the end, the rows found as it goes,
 * then round from 0 to start; back, from start down to 0, then from the
 * end down to stop. While the engine does not know the search's matches
 * each line costs a test of its text (a read of its cache entry, for a
 * lazy article): a key walks for SEEK_KEY_US at most (never fewer than
 * SEEK_LINES_MIN lines), a tick SEEK_TICK_US. With the matches known a
 * line costs a look-up: the walk stops for time only past
 * SEEK_KNOWN_MIN lines (the lines folded on the way counted with them),
 * so that a small list (and every list the engine finds the matches of
 * at once) is never left pending. */
enum {
	SEEK_CHUNK = 4,
	SEEK_LINES_MIN = 4,
	SEEK_KNOWN_MIN = 1 << 12,
	SEEK_EXTEND = 1 << 10,
	SEEK_KEY_US = 4000,
	SEEK_TICK_US = 2000
};

/* LEDE_SEEK_US, a decimal count of microseconds, sets a key's time for
 * the walk, so that the tests reach the pending steps (0: none); anything
 * else in it is ignored. */
static long long seek_key_us(void)
{
	const char *e = getenv("LEDE_SEEK_US");
	if (e && *e >= '0' && *e <= '9' && strlen(e) < 10)
		return atoll(e);
	return SEEK_KEY_US;
}

/* Are the search's matches known? Asked of the engine (which then finds
 * them on a thread) for a step that says its place, not for one typed on,
 * whose pattern is soon another. */
static bool seek_known(struct app *a)
{
	if (a->seek.quiet)
		return query_matches_kept(a->query, a->search) != NULL;
	return query_matches_known(a->query, a->search) != NULL;
}

/* Rows past those found, for line: false (the step stalled) when they
 * would make the key or tick wait for the list's sort order, which the
 * warm-up is still making (its head is there; past it, the order would be
 * made on this thread, 80 ms at a million): a later tick goes on, once the
 * order is made. */
static bool seek_extend(struct app *a, size_t line)
{
	struct app_seek *s = &a->seek;
	if (!s->may_wait && !query_order_known(a->query, app_rows_spec(a).order)) {
		s->stalled = true;
		return false;
	}
	app_rows_need(a, line);
	return true;
}

/* A chunk of a forward walk: true when it ended (*found the line, or -1);
 * *tested counts the lines it took. */
static bool seek_forward(struct app *a, size_t *tested, long *found)
{
	struct app_seek *s = &a->seek;
	size_t n = a->nlines, at = (size_t)s->at;
	if (s->phase == 0 && at >= n) {
		if (!app_lines_complete(a)) {
			if (seek_extend(a, at))
				*tested += SEEK_CHUNK;
			return false;
		}
		/* the end: round from 0 to start */
		s->tail = n > s->start ? n - s->start : 0;
		s->phase = 1;
		s->at = (long)(s->skip > s->tail ? s->skip - s->tail : 0);
		s->stop = s->start < n ? s->start : n;
		return false;
	}
	size_t stop = s->phase == 0 ? n : s->stop < n ? s->stop : n;
	if (at >= stop) { /* round to start: none */
		remember_clean(a, s->start, n);
		*found = -1;
		return true;
	}
	size_t k = stop - at < SEEK_CHUNK ? stop - at : SEEK_CHUNK;
	long f = app_find_line(a, at, k, 1);
	if (f >= 0) {
		size_t before = s->phase == 0 ? (size_t)f - s->start : s->tail + (size_t)f;
		remember_clean(a, s->start, before);
		*found = f;
		return true;
	}
	s->at += (long)k;
	*tested += k;
	return false;
}

/* A chunk of a backward walk, as seek_forward. */
static bool seek_backward(struct app *a, size_t *tested, long *found)
{
	struct app_seek *s = &a->seek;
	size_t n = a->nlines;
	if (s->phase == 0 && (s->at < 0 || n == 0)) {
		/* round past the end: all of them, found a part at a time */
		if (!app_lines_complete(a)) {
			if (seek_extend(a, n + SEEK_EXTEND))
				*tested += SEEK_EXTEND;
			return false;
		}
		s->phase = 1;
		s->at = (long)a->nlines - 1;
		return false;
	}
	size_t low = s->phase == 0 ? 0 : s->stop;
	if (s->at < 0 || (size_t)s->at < low || (s->phase == 1 && (size_t)s->at >= n)) {
		*found = -1;
		return true;
	}
	size_t at = (size_t)s->at < n ? (size_t)s->at : n - 1, room = at - low + 1;
	size_t k = room < SEEK_CHUNK ? room : SEEK_CHUNK;
	long f = app_find_line(a, at, k, -1);
	if (f >= 0) {
		*found = f;
		return true;
	}
	s->at = (long)at - (long)k;
	*tested += k;
	return false;
}

/* The walk on until it ends (true: *found is the line, or -1) or, past
 * the first SEEK_LINES_MIN lines tested without the matches known, budget
 * microseconds have gone (false; budget < 0: no limit). */
static bool seek_run(struct app *a, long long budget, long *found)
{
	long long end = budget >= 0 ? monotonic_us() + budget : 0;
	size_t tested = 0;
	a->seek.may_wait = budget < 0;
	for (;;) {
		if (end && tested >= SEEK_LINES_MIN && monotonic_us() >= end &&
		    (tested >= SEEK_KNOWN_MIN || !seek_known(a)))
			return false;
		if (a->seek.dir > 0 ? seek_forward(a, &tested, found)
				    : seek_backward(a, &tested, found))
			return true;
		if (a->seek.stalled) {
			a->seek.stalled = false;
			return false;
		}
	}
}

/* A pending step stopped; with remember, the lines it tested forward
 * are known clean for the next step from the same place. */
static void seek_stop(struct app *a, bool remember)
{
	struct app_seek *s = &a->seek;
	if (!s->pending)
		return;
	if (remember && s->dir > 0 && a->search == s->re && s->gen == a->rows_gen)
		remember_clean(a, s->start,
			       s->phase == 0 ? (size_t)s->at - s->start : s->tail + (size_t)s->at);
	s->pending = false;
	if (s->message && s->message == a->message) {
		free(a->message);
		a->message = NULL;
	}
	s->message = NULL;
}

/* The walk ended on line f (-1: none): the list goes there, and what
 * the step says is said. */
static void seek_land(struct app *a, long f)
{
	struct app_seek *s = &a->seek;
	seek_stop(a, false);
	if (f >= 0 && (size_t)f >= a->nlines)
		f = -1;
	if (f < 0) {
		if (!s->quiet)
			app_message(a, true, "no match for %s", search_pattern(a->search));
		return;
	}
	size_t i = (size_t)f;
	bool wrapped = !s->enter && (s->dir > 0 ? i < s->sel : i > s->sel);
	a->list.sel = i;
	app_rows_need(a, i);
	if (s->quiet)
		return;
	app_open_search_hit(a, s->dir);
	prompt_say_match(a, wrapped);
	if (s->enter && !a->overlay_open)
		a->focus = 0; /* as n does: the story pane shows the match */
}

/* Begin a step from the selection; the list moves at once when the walk
 * ends within the key's time (1: found, 0: none), else it is left
 * pending (-1) with a message that says so, unless quiet. */
static int seek_begin(struct app *a, int dir, bool inclusive, bool quiet, bool enter)
{
	struct app_seek *s = &a->seek;
	seek_stop(a, false); /* the search may have changed since */
	app_rows_place(a);
	size_t sel = a->list.sel;
	*s = (struct app_seek){.pending = true, .quiet = quiet, .enter = enter, .dir = dir,
			       .sel = sel, .gen = a->rows_gen, .re = a->search};
	if (!a->nlines && app_lines_complete(a)) {
		seek_land(a, -1);
		return 0;
	}
	if (dir > 0) {
		s->start = inclusive ? sel : sel + 1;
		s->skip = known_clean(a, s->start);
		s->at = (long)(s->start + s->skip);
	} else {
		/* down to 0, then from the end down to sel (exclusive when inclusive) */
		s->at = inclusive ? (long)sel : (long)sel - 1;
		s->stop = inclusive ? sel + 1 : sel;
	}
	seek_known(a); /* found on a thread meanwhile */
	long f;
	if (seek_run(a, seek_key_us(), &f)) {
		seek_land(a, f);
		return f >= 0 && (size_t)f < a->nlines;
	}
	if (!quiet) {
		app_message(a, false, "searching for %s %s", search_pattern(a->search),
			    text_glyph(TEXT_GLYPH_ELLIPSIS));
		s->message = a->message;
	}
	return -1;
}

void prompt_seek_drop(struct app *a)
{
	seek_stop(a, true);
}

void prompt_seek_tick(struct app *a, bool settle)
{
	struct app_seek *s = &a->seek;
	if (!s->pending)
		return;
	if (a->search != s->re || s->gen != a->rows_gen) { /* changed under it */
		seek_stop(a, false);
		return;
	}
	long f;
	if (seek_run(a, settle ? -1 : SEEK_TICK_US, &f))
		seek_land(a, f);
}

bool prompt_find_match(struct app *a, int dir, bool inclusive, bool quiet)
{
	if (!a->search) {
		seek_stop(a, false);
		if (!quiet)
			app_message(a, true, "no search: press / to search");
		return false;
	}
	return seek_begin(a, dir, inclusive, quiet, false) > 0;
}

/* How many of the lines [0..n) match, by the engine's set. */
static size_t count_in(struct app *a, const unsigned char *set, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += a->group ? app_line_matches(a, a->search, set, i) : set[a->lines[i]];
	return k;
}

/* Rows up to this far before the selection are tested one by one for its
 * place while the engine's set is not known, for MATCH_PLACE_US at most
 * (a lazy article's text is read from its cache entry). */
enum { MATCH_PLACE_TESTED = 4096, MATCH_PLACE_US = 2000 };

void prompt_say_match(struct app *a, bool wrapped)
{
	if (!a->search || a->list.sel >= a->nlines)
		return;
	const unsigned char *set = query_matches_known(a->query, a->search);
	size_t sel = a->list.sel, place = 0;
	bool placed = set || sel < MATCH_PLACE_TESTED;
	if (set) {
		place = count_in(a, set, sel + 1);
	} else if (placed) {
		long long end = monotonic_us() + MATCH_PLACE_US;
		for (size_t i = 0; placed && i <= sel; i++) {
			place += app_line_matches(a, a->search, NULL, i);
			placed = i % 16 != 15 || monotonic_us() < end;
		}
	}
	const char *tail = wrapped ? ", wrapped" : "";
	if (set && app_lines_complete(a)) {
		app_message(a, false, "match %zu of %zu%s", place, count_in(a, set, a->nlines), tail);
		return;
	}
	if (placed)
		app_message(a, false, "match %zu of \u2026%s", place, tail);
	else
		app_message(a, false, "match \u2026 of \u2026%s", tail);
	a->match_message = a->message; /* said again once counted */
	a->match_wrapped = wrapped;
}

/* The history of the prompt of kind k: :, /, / in the story and f each
 * their own. */
static struct strlist *prompt_history(struct app *a, enum prompt_kind k)
{
	return k == PROMPT_SEARCH ? &a->history_search
	       : k == PROMPT_FIND   ? &a->history_find
	       : k == PROMPT_FILTER ? &a->history_filter
				    : &a->history;
}

/* text on the history h, unless it is the last one already. */
static void remember(struct strlist *h, const char *text)
{
	if (*text && (!h->n || strcmp(h->v[h->n - 1], text)))
		strlist_push(h, xstrdup(text));
}

/* Compile pattern; an empty one clears. false with a message if invalid. */
static bool compile(struct app *a, const char *pattern, struct search **out)
{
	*out = NULL;
	if (!*pattern)
		return true;
	char *err;
	if (!(*out = search_compile(pattern, &err))) {
		app_message(a, true, "%s", err);
		free(err);
		return false;
	}
	return true;
}

/* Compile a query; an empty one clears. false with a message if invalid. */
static bool compile_query(struct app *a, const char *text, struct querylang **out)
{
	*out = NULL;
	if (!*text)
		return true;
	char *err;
	if (!(*out = querylang_compile(text, (int64_t)time(NULL), &err))) {
		app_message(a, true, "%s", err);
		free(err);
		return false;
	}
	return true;
}

void prompt_start(struct app *a, enum prompt_kind k)
{
	if (k == PROMPT_SEARCH)
		app_rows_place(a); /* the search starts from it */
	a->prompt = k;
	a->input.len = 0;
	buf_str(&a->input);
	a->input.data[0] = '\0'; /* Enter at once reads "", not the last prompt's text */
	a->saved_sel = a->list.sel;
	a->saved_search = a->search;
	a->saved_filter = a->filter;
	a->hist_pos = prompt_history(a, k)->n;
	free(a->message);
	a->message = NULL;
	if (k == PROMPT_FILTER && a->filter)
		buf_puts(&a->input, querylang_text(a->filter));
}

/* As the pattern is typed, the list follows. */
static void prompt_live(struct app *a)
{
	const char *text = buf_str(&a->input);
	struct search *re;
	struct querylang *ql;
	free(a->message);
	a->message = NULL;
	if (a->prompt == PROMPT_SEARCH) {
		if (!compile(a, text, &re))
			return;
		if (a->search != a->saved_search)
			search_free(a->search);
		a->search = re;
		a->list.sel = a->saved_sel;
		if (re)
			prompt_find_match(a, 1, true, true);
	} else if (a->prompt == PROMPT_FILTER) {
		if (!compile_query(a, text, &ql))
			return;
		if (a->filter != a->saved_filter)
			querylang_free(a->filter);
		a->filter = ql;
		app_rebuild_rows(a);
	}
}

static void prompt_cancel(struct app *a)
{
	if (a->prompt == PROMPT_SEARCH) {
		if (a->search != a->saved_search)
			search_free(a->search);
		a->search = a->saved_search;
		a->list.sel = a->saved_sel;
	} else if (a->prompt == PROMPT_FILTER) {
		if (a->filter != a->saved_filter)
			querylang_free(a->filter);
		a->filter = a->saved_filter;
		app_rebuild_rows(a);
		app_select_article(a, a->cur.article);
	}
	a->prompt = PROMPT_NONE;
}

/* The filter typed: the list shows its rows, or the old one stays with
 * a message that says what is wrong. */
static void accept_filter(struct app *a, const char *text)
{
	struct querylang *ql;
	if (!compile_query(a, text, &ql)) {
		if (a->filter != a->saved_filter)
			querylang_free(a->filter);
		a->filter = a->saved_filter;
		app_rebuild_rows(a);
		return;
	}
	if (a->filter != a->saved_filter)
		querylang_free(a->filter);
	querylang_free(a->saved_filter);
	a->filter = ql;
	a->view_at = -1; /* a filter of its own */
	app_rebuild_rows(a);
	if (ql)
		app_say_count(a, SAY_FILTER);
	else
		app_message(a, false, "filter cleared");
}

static void prompt_accept(struct app *a)
{
	enum prompt_kind k = a->prompt;
	a->prompt = PROMPT_NONE;
	const char *text = buf_str(&a->input);
	if (k == PROMPT_SEARCH || k == PROMPT_FILTER || k == PROMPT_FIND)
		remember(prompt_history(a, k), text);
	if (k == PROMPT_FIND) {
		find_start(a, text); /* found on Enter: an empty one cancels */
	} else if (k == PROMPT_FILTER) {
		accept_filter(a, text);
	} else if (k == PROMPT_SEARCH) {
		struct search **cur = &a->search;
		struct search *saved = a->saved_search;
		struct search *re;
		if (!compile(a, text, &re)) { /* the message says why; keep the old */
			if (*cur != saved)
				search_free(*cur);
			*cur = saved;
			return;
		}
		if (*cur != saved)
			search_free(*cur);
		search_free(saved);
		*cur = re;
		if (re)
			seek_begin(a, 1, true, false, true);
		else
			seek_stop(a, false);
	} else if (k == PROMPT_COMMAND) {
		if (*text)
			strlist_push(&a->history, xstrdup(text));
		char *line = xstrdup(text);
		app_run_command(a, line);
		free(line);
	}
}

/* One URL of the URL prompt: its key, what it is, the URL. */
struct url_entry {
	char key;
	const char *label, *url;
};

enum { URL_ENTRIES_MAX = 5 + 9 }; /* web, original, AMP, CDN AMP, player; 9 actions */

static void url_add(struct url_entry *v, size_t *n, char key, const char *label, const char *url)
{
	if (url && *url && *n < URL_ENTRIES_MAX)
		v[(*n)++] = (struct url_entry){key, label, url};
}

/* The URLs the current story has, in the menu's order: exactly those it
 * has, then its actions (by their titles, keys 1 to 9) and its player.
 * A related summary has only its own three. */
static size_t story_urls(struct app *a, struct url_entry *v)
{
	const struct article *ar = app_article(a, a->cur.article);
	size_t n = 0;
	if (!ar)
		return 0;
	if (a->cur.related >= 0) {
		const struct related *r = &ar->related[a->cur.related];
		url_add(v, &n, 'w', "web", r->web_url);
		url_add(v, &n, 'a', "amp", r->amp_web_url);
		url_add(v, &n, 'c', "cdn amp", r->cdn_amp_web_url);
		return n;
	}
	url_add(v, &n, 'w', "web", ar->web_url);
	url_add(v, &n, 'o', "original", ar->original_url);
	url_add(v, &n, 'a', "amp", ar->amp_web_url);
	url_add(v, &n, 'c', "cdn amp", ar->cdn_amp_web_url);
	for (size_t i = 0, k = 0; i < ar->nactions && k < 9; i++) {
		const struct article_action *x = &ar->actions[i];
		if (x->url && *x->url)
			url_add(v, &n, (char)('1' + k++), x->title ? x->title : "action", x->url);
	}
	url_add(v, &n, 'p', "player", ar->player);
	return n;
}

bool prompt_has_urls(struct app *a)
{
	struct url_entry v[URL_ENTRIES_MAX];
	return story_urls(a, v) > 0;
}

const char *prompt_default_url(struct app *a)
{
	struct url_entry v[URL_ENTRIES_MAX];
	size_t n = story_urls(a, v);
	/* the web, original and AMP URLs come first, in that order */
	return n && strchr("woac", v[0].key) ? v[0].url : NULL;
}

void prompt_url_menu(struct app *a, struct buf *out)
{
	struct url_entry v[URL_ENTRIES_MAX];
	size_t n = story_urls(a, v);
	buf_puts(out, "open which URL?");
	for (size_t i = 0; i < n; i++) {
		/* a letter that begins its label stands in it: [w]eb */
		if (v[i].key == v[i].label[0])
			buf_printf(out, " [%c]%s", v[i].key, v[i].label + 1);
		else
			buf_printf(out, " [%c] %s", v[i].key, v[i].label);
	}
	buf_puts(out, " (Esc cancels)");
}

static void url_choice(struct app *a, int key)
{
	a->prompt = PROMPT_NONE;
	struct url_entry v[URL_ENTRIES_MAX];
	size_t n = story_urls(a, v);
	for (size_t i = 0; i < n; i++) {
		if (v[i].key == key) {
			app_open_url(a, v[i].url);
			return;
		}
	}
	if (key > 0 && key < 128 && strchr("woacp123456789", key))
		app_message(a, true, "this story has no such URL");
}

/* Tab at the : prompt: complete the word being typed from what the command
 * table says may stand there. */
static void complete(struct app *a)
{
	const char *line = buf_str(&a->input);
	struct commands_ui ui;
	app_commands_ui(a, &ui);
	struct strlist cands = {0};
	size_t len = strlen(line), start = commands_complete(line, a->cfg, &ui, &cands);
	const char *typed = line + start;
	size_t tl = len - start, n = 0, common = 0;
	const char *one = NULL;
	struct buf shown = {0};
	for (size_t i = 0; i < cands.n; i++) {
		if (strncmp(cands.v[i], typed, tl))
			continue;
		if (!n) {
			one = cands.v[i];
			common = strlen(one);
		} else {
			size_t c = 0;
			while (c < common && one[c] == cands.v[i][c])
				c++;
			common = c;
		}
		n++;
		buf_printf(&shown, "%s%s", shown.len ? " " : "", cands.v[i]);
	}
	if (n == 0) {
		app_message(a, true, "nothing to complete");
	} else {
		char *add = xstrndup(one + tl, common - tl);
		buf_puts(&a->input, add);
		free(add);
		if (n == 1)
			buf_putc(&a->input, ' ');
		else
			app_message(a, false, "%s", shown.data);
	}
	buf_free(&shown);
	strlist_free(&cands);
}

void prompt_key(struct app *a, int key)
{
	if (a->prompt == PROMPT_URL) {
		url_choice(a, key);
		return;
	}
	if (a->prompt == PROMPT_CONFIRM_MARK_ALL) {
		triage_confirm_key(a, key);
		return;
	}
	if (a->prompt == PROMPT_CONFIRM_QUIT) {
		a->prompt = PROMPT_NONE;
		a->quit = key == 'y' || key == 'Y';
		return;
	}
	if (key == 27) {
		prompt_cancel(a);
		return;
	}
	if (key == 13) {
		prompt_accept(a);
		return;
	}
	bool edited = false;
	if (key == 127) {
		if (!a->input.len) {
			prompt_cancel(a);
			return;
		}
		size_t n = a->input.len - 1;
		while (n > 0 && ((unsigned char)a->input.data[n] & 0xc0) == 0x80)
			n--;
		a->input.len = n;
		a->input.data[n] = '\0';
		edited = true;
	} else if (key == ('u' & 0x1f)) {
		a->input.len = 0;
		buf_str(&a->input);
		a->input.data[0] = '\0';
		edited = true;
	} else if (a->prompt == PROMPT_COMMAND && key == 9) {
		free(a->message);
		a->message = NULL;
		complete(a);
	} else if (key == KEYMAP_SPECIAL + KEY_UP || key == KEYMAP_SPECIAL + KEY_DOWN) {
		/* each prompt its own history; a recalled pattern is live too */
		struct strlist *h = prompt_history(a, a->prompt);
		if (key == KEYMAP_SPECIAL + KEY_UP && a->hist_pos > 0)
			a->hist_pos--;
		else if (key == KEYMAP_SPECIAL + KEY_DOWN && a->hist_pos < h->n)
			a->hist_pos++;
		a->input.len = 0;
		buf_puts(&a->input, a->hist_pos < h->n ? h->v[a->hist_pos] : "");
		edited = a->prompt != PROMPT_COMMAND;
	} else if (key >= ' ' && key < KEYMAP_SPECIAL && key != 127) {
		char u[16];
		buf_puts(&a->input, key == ' ' ? " " : keymap_key_name(key, u, sizeof u));
		edited = true;
	}
	if (edited)
		prompt_live(a);
}

void prompt_run(struct app *a, enum prompt_kind k, const char *text)
{
	prompt_start(a, k);
	a->input.len = 0;
	buf_puts(&a->input, text);
	prompt_live(a);
	if (a->prompt != PROMPT_NONE)
		prompt_accept(a);
}

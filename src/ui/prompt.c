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
#include "lede/ui/triage.h"

/* The first match in rows from..the end, the rows not found yet found as
 * the walk goes: each row tested once, the cost the distance to the match. */
static long find_forward(struct app *a, size_t from)
{
	for (;;) {
		if (from < a->nlines) {
			long f = app_find_line(a, from, a->nlines - from, 1);
			if (f >= 0)
				return f;
			from = a->nlines;
		}
		if (app_lines_complete(a))
			return -1;
		app_rows_need(a, from);
	}
}

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

/* Forward from start round to it: the row found, or -1. */
static long find_round_forward(struct app *a, size_t start)
{
	size_t skip = known_clean(a, start);
	long f = find_forward(a, start + skip);
	size_t n = a->nlines; /* all of them when nothing was found on the way */
	if (f >= 0) {
		remember_clean(a, start, (size_t)f - start);
		return f;
	}
	size_t tail = n > start ? n - start : 0, from = skip > tail ? skip - tail : 0;
	if (from < start && from < n)
		f = app_find_line(a, from, (start < n ? start : n) - from, 1);
	remember_clean(a, start, f >= 0 ? tail + (size_t)f : n);
	return f;
}

/* Backward from start down to 0, then from the end down to stop. */
static long find_round_backward(struct app *a, long start, size_t stop)
{
	long f = start >= 0 ? app_find_line(a, (size_t)start, (size_t)start + 1, -1) : -1;
	if (f >= 0)
		return f;
	app_rows_need(a, SIZE_MAX); /* round past the end: all of them */
	size_t n = a->nlines;
	if (n && stop < n)
		f = app_find_line(a, n - 1, n - stop, -1);
	return f;
}

bool prompt_find_match(struct app *a, int dir, bool inclusive, bool quiet)
{
	if (!a->search) {
		if (!quiet)
			app_message(a, true, "no search: press / to search");
		return false;
	}
	app_rows_place(a);
	size_t sel = a->list.sel;
	long f = -1;
	if (a->nlines || !app_lines_complete(a)) {
		if (dir > 0)
			f = find_round_forward(a, inclusive ? sel : sel + 1);
		else /* down to 0, then from the end down to sel (exclusive when inclusive) */
			f = find_round_backward(a, inclusive ? (long)sel : (long)sel - 1,
						inclusive ? sel + 1 : sel);
		if (f >= 0 && (size_t)f >= a->nlines)
			f = -1;
	}
	if (f >= 0) {
		size_t i = (size_t)f;
		bool wrapped = dir > 0 ? i < sel : i > sel;
		a->list.sel = i;
		app_rows_need(a, i);
		if (!quiet) {
			app_open_search_hit(a, dir);
			prompt_say_match(a, wrapped);
		}
		return true;
	}
	if (!quiet)
		app_message(a, true, "no match for %s", search_pattern(a->search));
	return false;
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
 * place while the engine's set is not known: a few milliseconds. */
enum { MATCH_PLACE_TESTED = 4096 };

void prompt_say_match(struct app *a, bool wrapped)
{
	if (!a->search || a->list.sel >= a->nlines)
		return;
	const unsigned char *set = query_matches_known(a->query, a->search);
	size_t sel = a->list.sel, place = 0;
	bool placed = set || sel < MATCH_PLACE_TESTED;
	if (set)
		place = count_in(a, set, sel + 1);
	else
		for (size_t i = 0; placed && i <= sel; i++)
			place += app_line_matches(a, a->search, NULL, i);
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
		if (re && !prompt_find_match(a, 1, true, true)) {
			app_message(a, true, "no match for %s", text);
		} else if (re) {
			app_open_search_hit(a, 1);
			prompt_say_match(a, false);
			if (!a->overlay_open)
				a->focus = 0; /* as n does: the story pane shows the match */
		}
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

/* marksync and the state's change log: the reader's marks bytes follow
 * what another process saved by looking up only the URLs that changed,
 * and always end equal to a whole fill from the state. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "lede/state.h"
#include "lede/store.h"
#include "lede/ui/marksync.h"

enum { ARTICLES = 4000 };

static char *dir;
static char path[256];

static void setup(void)
{
	dir = temp_dir("marksync");
	snprintf(path, sizeof path, "%s/marks", dir);
}

static void teardown(void)
{
	temp_dir_free(dir);
}

TestSuite(marksync, .init = setup, .fini = teardown);

static const char *copy(struct article *ar, const char *s)
{
	return arena_strndup(&ar->arena, s, strlen(s));
}

static void url_of(char *u, size_t n, int i)
{
	snprintf(u, n, "https://x.example/%d", i);
}

/* Article i has webUrl https://x.example/i, but for the last three: the
 * one before last repeats article 7's webUrl, the last has as its webUrl
 * the originalUrl of article 9 (so the URL index gives it to article 9). */
static void build(struct store *s)
{
	store_init(s);
	for (int i = 0; i < ARTICLES; i++) {
		char p[32], u[64];
		snprintf(p, sizeof p, "a%d", i);
		struct article *ar = article_new(p);
		url_of(u, sizeof u, i == ARTICLES - 2 ? 7 : i);
		if (i == ARTICLES - 1)
			snprintf(u, sizeof u, "https://orig.example/9");
		ar->web_url = copy(ar, u);
		if (i == 9)
			ar->original_url = copy(ar, "https://orig.example/9");
		store_add(s, ar);
	}
	store_link(s);
}

static void save_ok(struct state *st)
{
	char *err = NULL;
	cr_assert_eq(state_save(st, &err), 0, "%s", err ? err : "");
}

static void fold_ok(struct state *st)
{
	char *err = NULL;
	cr_assert_eq(state_compact(st, &err), 0, "%s", err ? err : "");
}

static void mark(struct state *st, int i, unsigned flags)
{
	char u[64];
	url_of(u, sizeof u, i);
	state_set(st, u, flags);
}

/* The bytes equal a whole fill from the state, and the counts kept with
 * them (unread, starred) those of the fill. */
static void assert_as_filled(const unsigned char *marks, const struct marksync *kept,
			     const struct store *s, const struct state *st)
{
	unsigned char *want = xcalloc(s->n, 1);
	struct marksync m = {0};
	marksync_fill(&m, want, s, st);
	for (size_t i = 0; i < s->n; i++)
		cr_assert_eq(marks[i], want[i], "article %zu: %u, a whole fill says %u", i,
			     marks[i], want[i]);
	cr_assert_eq(kept->counts.unread, m.counts.unread, "unread kept %zu, counted %zu",
		     kept->counts.unread, m.counts.unread);
	cr_assert_eq(kept->counts.starred, m.counts.starred, "starred kept %zu, counted %zu",
		     kept->counts.starred, m.counts.starred);
	free(want);
}


/* The reader (st) saves one change of its own, taking in the others'. */
static void reader_saves(struct state *st, int i)
{
	mark(st, i, MARK_READ);
	save_ok(st);
}

Test(marksync, one_mark_from_another_process_costs_o1_lookups)
{
	struct store s;
	build(&s);
	for (int i = 0; i < 100; i++) {
		struct state *w = state_open(path, NULL);
		mark(w, i * 3, MARK_READ);
		save_ok(w);
		state_close(w);
	}
	struct state *st = state_open(path, NULL);
	unsigned char *marks = xcalloc(s.n, 1);
	struct marksync m = {0};
	marksync_fill(&m, marks, &s, st);
	cr_assert_eq(m.lookups, s.n);

	struct state *other = state_open(path, NULL);
	mark(other, 1000, MARK_STARRED);
	save_ok(other);
	reader_saves(st, 2000);
	size_t before = m.lookups;
	marksync_update(&m, marks, &s, st);
	cr_assert_eq(marks[1000], MARK_STARRED);
	cr_assert_leq(m.lookups - before, 4, "one change from another process took %zu lookups",
		      m.lookups - before);
	cr_assert_eq(m.fills, 1, "a whole fill again for one change");
	marksync_set(&m, marks, 2000, MARK_READ); /* the reader's own, as app_mark sets it */
	assert_as_filled(marks, &m, &s, st);

	/* nothing new: nothing looked up */
	before = m.lookups;
	marksync_update(&m, marks, &s, st);
	cr_assert_eq(m.lookups, before);
	state_close(other);
	state_close(st);
	free(marks);
	store_free(&s);
}

Test(marksync, merged_marks_equal_a_whole_fill)
{
	struct store s;
	build(&s);
	struct state *st = state_open(path, NULL);
	for (int i = 0; i < 50; i++)
		mark(st, i, MARK_READ | MARK_STARRED);
	save_ok(st);
	unsigned char *marks = xcalloc(s.n, 1);
	struct marksync m = {0};
	marksync_fill(&m, marks, &s, st);

	/* another process: marks, unmarks, a duplicated webUrl, a webUrl
	 * that is another article's originalUrl, a URL no article has */
	struct state *other = state_open(path, NULL);
	for (int i = 0; i < 50; i += 2)
		mark(other, i, 0);
	mark(other, 7, MARK_STARRED);
	state_set(other, "https://orig.example/9", MARK_READ);
	state_set(other, "https://nowhere.example/", MARK_READ);
	for (int i = 100; i < 140; i++)
		mark(other, i, MARK_READ);
	save_ok(other);
	mark(other, 101, 0); /* changed twice: the later wins */
	save_ok(other);

	reader_saves(st, 3000);
	marksync_set(&m, marks, 3000, MARK_READ);
	size_t before = m.lookups;
	marksync_update(&m, marks, &s, st);
	cr_assert_eq(m.fills, 1);
	cr_assert_lt(m.lookups - before, 200);
	cr_assert_eq(marks[7], MARK_STARRED);
	cr_assert_eq(marks[ARTICLES - 2], MARK_STARRED, "the duplicate of article 7");
	cr_assert_eq(marks[ARTICLES - 1], MARK_READ);
	cr_assert_eq(marks[9], MARK_READ | MARK_STARRED, "its own webUrl's, not its originalUrl's");
	cr_assert_eq(marks[101], 0);
	assert_as_filled(marks, &m, &s, st);

	/* the other folds the journal: the set is read again, and still
	 * only the URLs whose marks differ are looked up */
	mark(other, 200, MARK_READ);
	mark(other, 0, MARK_READ);
	fold_ok(other);
	reader_saves(st, 3001);
	marksync_set(&m, marks, 3001, MARK_READ);
	before = m.lookups;
	marksync_update(&m, marks, &s, st);
	cr_assert_eq(m.fills, 1, "a fold by another process read as a whole fill");
	cr_assert_leq(m.lookups - before, 8, "%zu lookups", m.lookups - before);
	cr_assert_eq(marks[200], MARK_READ);
	cr_assert_eq(marks[0], MARK_READ);
	assert_as_filled(marks, &m, &s, st);
	state_close(other);
	state_close(st);
	free(marks);
	store_free(&s);
}

Test(marksync, the_log_tells_changes_and_when_it_cannot)
{
	struct state *st = state_open(path, NULL);
	unsigned long g = state_generation(st);
	const struct state_change *v;
	size_t n;
	cr_assert(state_changes_since(st, g, &v, &n));
	cr_assert_eq(n, 0);
	mark(st, 1, MARK_READ); /* its own: never in the log */
	save_ok(st);
	cr_assert_eq(state_generation(st), g);

	struct state *other = state_open(path, NULL);
	mark(other, 2, MARK_STARRED);
	mark(other, 1, 0);
	save_ok(other);
	reader_saves(st, 3);
	cr_assert(state_changes_since(st, g, &v, &n));
	cr_assert_eq(n, 2);
	cr_assert_str_eq(v[0].url, "https://x.example/2");
	cr_assert_eq(v[0].flags, MARK_STARRED);
	cr_assert_str_eq(v[1].url, "https://x.example/1");
	cr_assert_eq(v[1].flags, 0);
	cr_assert_not(state_changes_since(st, state_generation(st) + 1, &v, &n));

	/* more changes than the log keeps: the oldest cannot be told */
	for (int i = 0; i < 70000; i++)
		mark(other, 10 + i, MARK_READ);
	save_ok(other);
	reader_saves(st, 4);
	cr_assert_not(state_changes_since(st, g, &v, &n), "changes forgotten told as none");
	cr_assert(state_changes_since(st, state_generation(st) - 1, &v, &n));
	cr_assert_eq(n, 1);
	state_close(other);
	state_close(st);
}

Test(marksync, a_flood_of_changes_is_a_whole_fill)
{
	struct store s;
	build(&s);
	struct state *st = state_open(path, NULL);
	unsigned char *marks = xcalloc(s.n, 1);
	struct marksync m = {0};
	marksync_fill(&m, marks, &s, st);
	struct state *other = state_open(path, NULL);
	for (int i = 0; i < ARTICLES; i++)
		mark(other, i, MARK_READ);
	save_ok(other);
	reader_saves(st, 0);
	marksync_update(&m, marks, &s, st);
	cr_assert_eq(m.fills, 2);
	assert_as_filled(marks, &m, &s, st);
	state_close(other);
	state_close(st);
	free(marks);
	store_free(&s);
}

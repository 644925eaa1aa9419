/* Reload: the check of every file run again and again on the reader's
 * store, whether it loaded lazy from the cache or whole (a first run, or
 * no cache at all). Files added, changed and deleted between two checks
 * are found each time, counted once, and once applied the list and the
 * problems are those of a fresh load; a check with nothing changed since
 * the last one finds nothing, even for files written a moment before
 * (their stat too recent to trust, so read again and compared). */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"
#include "lede/query.h"
#include "lede/store.h"
#include "lede/util.h"

enum { LIMIT = 64 * 1024 };

/* How the reader's store was loaded. */
enum how { LAZY_WARM, WHOLE_COLD, WHOLE_NO_CACHE };

static char *in_dir(const char *dir, const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

static void load(struct store *s, const char *dir, const char *cache, bool lazy)
{
	const char *paths[] = {dir};
	struct store_opts opts = {.cache_path = cache,
				  .max_file_size = LIMIT,
				  .lazy = lazy,
				  .from_cache = lazy};
	store_init(s);
	store_load(s, paths, 1, &opts);
}

static void assert_same_as_fresh(const struct store *s, const char *dir, const char *when)
{
	struct store fresh;
	load(&fresh, dir, NULL, false);
	char *got = store_listing(s), *want = store_listing(&fresh);
	cr_assert_str_eq(got, want, "%s: the list is not a fresh load's", when);
	char *gp = store_problems_text(s), *wp = store_problems_text(&fresh);
	cr_assert_str_eq(gp, wp, "%s: the problems are not a fresh load's", when);
	cr_assert_eq(store_listed(s), fresh.n, "%s", when);
	free(got);
	free(want);
	free(gp);
	free(wp);
	store_free(&fresh);
}

static struct store_changes reload(struct store *s)
{
	cr_assert(store_reload_start(s), "no reload started");
	cr_assert(store_checking(s));
	struct store_changes ch;
	cr_assert(store_check_apply(s, true, &ch));
	cr_assert(!store_checking(s));
	return ch;
}

static void assert_counts(const struct store_changes *ch, size_t added, size_t changed,
			  size_t gone, const char *when)
{
	cr_assert(ch->added == added && ch->changed == changed && ch->gone == gone,
		  "%s: +%zu new, %zu changed, %zu gone; wanted +%zu, %zu, %zu", when, ch->added,
		  ch->changed, ch->gone, added, changed, gone);
}

static void write_story(const char *dir, const char *name, const char *title, int year)
{
	char *p = in_dir(dir, name);
	char *text = xasprintf("---\ntitle: \"%s\"\npublishedDateTime: %d-01-01T00:00:00Z\n"
			       "webUrl: \"https://example.com/%s\"\n---\nBody of %s.\n",
			       title, year, name, title);
	write_text(p, text);
	free(text);
	free(p);
}

static void remove_file(const char *dir, const char *name)
{
	char *p = in_dir(dir, name);
	cr_assert_eq(unlink(p), 0, "%s", p);
	free(p);
}

static long find_title(const struct store *s, const char *title)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct article *a = store_row(s, i);
		if (!store_is_hidden(s, i) && a->title && !strcmp(a->title, title))
			return (long)i;
	}
	return -1;
}

static const char *const how_names[] = {"lazy warm load", "whole first run", "whole, no cache"};

ParameterizedTestParameters(reload, files_added_changed_and_deleted_between_checks)
{
	static enum how hows[] = {LAZY_WARM, WHOLE_COLD, WHOLE_NO_CACHE};
	return cr_make_param_array(enum how, hows, sizeof hows / sizeof *hows);
}

ParameterizedTest(enum how *how, reload, files_added_changed_and_deleted_between_checks,
		  .timeout = 120)
{
	const char *name = how_names[*how];
	char *dir = temp_dir("reload");
	char *cache = *how == WHOLE_NO_CACHE ? NULL : xasprintf("%s.cache", dir);
	for (int i = 0; i < 6; i++) {
		char file[32], title[32];
		snprintf(file, sizeof file, "s%d.md", i);
		snprintf(title, sizeof title, "Story %d", i);
		write_story(dir, file, title, 2020 + i);
	}
	{
		char *b = in_dir(dir, "broken.md");
		write_text(b, "---\ntitle: [unclosed\n---\n");
		free(b);
	}
	wait_until_not_racy(); /* cached by the warm-up below */
	if (*how == LAZY_WARM) {
		struct store warm;
		load(&warm, dir, cache, false);
		store_free(&warm);
	}
	struct store s;
	load(&s, dir, cache, true);
	cr_assert_eq(s.lazy != NULL, *how == LAZY_WARM, "%s: loaded %s", name,
		     s.lazy ? "lazy" : "whole");
	store_check_start(&s); /* the reader's first check, when due */
	struct store_changes ch;
	if (store_checking(&s))
		cr_assert(store_check_apply(&s, true, &ch));

	/* nothing changed since the load */
	ch = reload(&s);
	assert_counts(&ch, 0, 0, 0, name);
	cr_assert(!ch.problems, "%s: the problems changed for nothing", name);

	/* the first round: two new, one changed, one gone */
	write_story(dir, "new1.md", "New one", 2031);
	write_story(dir, "new2.md", "New two", 2032);
	write_story(dir, "s1.md", "Story 1 rewritten", 2021);
	remove_file(dir, "s2.md");
	long kept = find_title(&s, "Story 3");
	cr_assert_geq(kept, 0);
	ch = reload(&s);
	assert_counts(&ch, 2, 1, 1, name);
	assert_same_as_fresh(&s, dir, name);
	cr_assert_eq(find_title(&s, "Story 3"), kept, "%s: an article moved", name);
	cr_assert_lt(find_title(&s, "Story 2"), 0);
	cr_assert_geq(find_title(&s, "Story 1 rewritten"), 0);
	cr_assert_eq(store_find_url(&s, "https://example.com/new2.md"), find_title(&s, "New two"));

	/* at once again, the new files' stat still too recent to trust:
	 * read again, the same, nothing counted */
	ch = reload(&s);
	assert_counts(&ch, 0, 0, 0, name);
	assert_same_as_fresh(&s, dir, name);

	/* the second round, on what the first one brought: a file it added
	 * changed and another deleted, one of the load's deleted, the broken
	 * file mended, a new file added */
	write_story(dir, "new1.md", "New one, second version", 2031);
	remove_file(dir, "new2.md");
	remove_file(dir, "s4.md");
	write_story(dir, "broken.md", "Mended", 2019);
	write_story(dir, "new3.md", "New three", 2033);
	ch = reload(&s);
	assert_counts(&ch, 1, 2, 2, name);
	cr_assert(ch.problems, "%s: the mended file's problem stayed", name);
	assert_same_as_fresh(&s, dir, name);
	cr_assert_geq(find_title(&s, "New one, second version"), 0);
	cr_assert_lt(find_title(&s, "New one"), 0);

	/* a file deleted and written again is new again */
	write_story(dir, "s2.md", "Story 2 back", 2022);
	ch = reload(&s);
	assert_counts(&ch, 1, 0, 0, name);
	assert_same_as_fresh(&s, dir, name);

	/* and once the stat can be trusted, still nothing */
	wait_until_not_racy();
	ch = reload(&s);
	assert_counts(&ch, 0, 0, 0, name);
	ch = reload(&s);
	assert_counts(&ch, 0, 0, 0, name);
	assert_same_as_fresh(&s, dir, name);
	store_free(&s);
	if (cache) {
		unlink(cache);
		free(cache);
	}
	temp_dir_free(dir);
}

/* A reload asked for while one runs starts nothing; the reload of a store
 * that was not the reader's is refused. */
Test(reload, one_at_a_time_and_only_for_the_reader, .timeout = 60)
{
	char *dir = temp_dir("reload-once");
	write_story(dir, "a.md", "A", 2020);
	struct store s;
	load(&s, dir, NULL, false);
	cr_assert(!store_reload_start(&s), "a --list store reloaded");
	store_free(&s);
	load(&s, dir, NULL, true);
	cr_assert(store_reload_start(&s));
	cr_assert(!store_reload_start(&s));
	struct store_changes ch;
	cr_assert(store_check_apply(&s, true, &ch));
	assert_counts(&ch, 0, 0, 0, "once");
	store_free(&s);
	temp_dir_free(dir);
}

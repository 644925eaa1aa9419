/* The grouped list's logic (group.h): the engine's rows folded into one
 * line per coverage cluster, its lead, its members under it when expanded,
 * its marks, and matching through members. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "lede/cluster.h"
#include "lede/group.h"
#include "lede/query.h"
#include "lede/state.h"
#include "lede/store.h"
#include "lede/util.h"

#define SEER_LEAD "seeds/000_05f876dcdba3f9f7.txt" /* VentureBeat, quality 74 */
#define SEER_LAST "seeds/002_20383254385bc3bd.txt" /* Analytics Insight, 03-13 */
#define DINO "seeds/004_b985d409ac3f70d7.txt"

static void load_clustered(struct store *s, const char *path)
{
	store_init(s);
	const char *paths[] = {path};
	store_load(s, paths, 1, NULL);
	cluster_publish(s, cluster_compute(s, NULL));
	cr_assert_not_null(cluster_of(s));
}

static long index_of(const struct store *s, const char *path)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(store_path(s, i), path))
			return (long)i;
	cr_assert_fail("%s not loaded", path);
	return -1;
}

static bool keep_all(void *ctx, size_t i)
{
	(void)ctx, (void)i;
	return true;
}

/* Keeps the one article ctx points at. */
static bool keep_one(void *ctx, size_t i)
{
	return i == *(const size_t *)ctx;
}

/* The store's articles by date, latest first, as the reader lists them. */
static size_t date_rows(const struct store *s, uint32_t *rows)
{
	size_t *idx = xmalloc(s->n * sizeof *idx);
	size_t n = query_filter(s, NULL, idx);
	query_sort(s, idx, n, (struct sort_order){SORT_DATE, true});
	for (size_t i = 0; i < n; i++)
		rows[i] = (uint32_t)idx[i];
	free(idx);
	return n;
}

/* 1. The seeds: SEER's four outlets one line, DINO alone. */
Test(group, seeds_fold_into_two_lines)
{
	struct store s;
	load_clustered(&s, "seeds");
	uint32_t rows[8];
	size_t n = date_rows(&s, rows);
	cr_assert_eq(n, 5);
	struct group *g = group_new(&s);
	cr_assert_eq(group_extend(g, rows, n, SIZE_MAX, SIZE_MAX, keep_all, NULL), 2);
	cr_assert_eq(group_consumed(g), 5);
	const uint32_t *l = group_lines(g);
	cr_assert_eq(l[0], (uint32_t)index_of(&s, DINO));
	cr_assert_eq(group_kind(g, 0), GROUP_ALONE);
	/* the cluster's line is its lead, though its latest member came first */
	cr_assert_eq(l[1], (uint32_t)index_of(&s, SEER_LEAD));
	cr_assert_eq(group_kind(g, 1), GROUP_HEAD);
	/* a folded member is found at its cluster's line */
	cr_assert_eq(group_line_of(g, (size_t)index_of(&s, SEER_LAST)), 1);
	group_free(g);
	store_free(&s);
}

/* 2. Expanded: the members under the lead, in the cluster's date order. */
Test(group, expanded_lists_members_by_date)
{
	struct store s;
	load_clustered(&s, "seeds");
	uint32_t rows[8];
	size_t n = date_rows(&s, rows);
	struct group *g = group_new(&s);
	size_t lead = (size_t)index_of(&s, SEER_LEAD);
	group_set_expanded(g, lead, true);
	cr_assert(group_expanded(g, (size_t)index_of(&s, SEER_LAST)));
	cr_assert_eq(group_extend(g, rows, n, SIZE_MAX, SIZE_MAX, keep_all, NULL), 5);
	const uint32_t *l = group_lines(g);
	cr_assert_eq(group_kind(g, 1), GROUP_HEAD);
	for (size_t k = 2; k < 5; k++) {
		cr_assert_eq(group_kind(g, k), GROUP_MEMBER, "line %zu", k);
		cr_assert(store_row(&s, l[k - 1])->date <= store_row(&s, l[k])->date || k == 2);
	}
	cr_assert_eq(l[4], (uint32_t)index_of(&s, SEER_LAST));
	cr_assert_eq(group_line_of(g, (size_t)index_of(&s, SEER_LAST)), 4);
	/* folded again (after a reset, as the reader does) */
	group_set_expanded(g, lead, false);
	group_reset(g);
	cr_assert_eq(group_extend(g, rows, n, SIZE_MAX, SIZE_MAX, keep_all, NULL), 2);
	/* all expanded, then all folded */
	group_set_all(g, true);
	group_reset(g);
	cr_assert_eq(group_extend(g, rows, n, SIZE_MAX, SIZE_MAX, keep_all, NULL), 5);
	group_set_all(g, false);
	group_reset(g);
	cr_assert_eq(group_extend(g, rows, n, SIZE_MAX, SIZE_MAX, keep_all, NULL), 2);
	group_free(g);
	store_free(&s);
}

/* 3. A filter that keeps one member keeps its cluster (led by the lead);
 * expanded, only that member is under it. */
Test(group, a_cluster_matches_through_a_member)
{
	struct store s;
	load_clustered(&s, "seeds");
	size_t last = (size_t)index_of(&s, SEER_LAST);
	uint32_t rows[1] = {(uint32_t)last};
	struct group *g = group_new(&s);
	cr_assert_eq(group_extend(g, rows, 1, SIZE_MAX, SIZE_MAX, keep_one, &last), 1);
	cr_assert_eq(group_lines(g)[0], (uint32_t)index_of(&s, SEER_LEAD));
	cr_assert_eq(group_kind(g, 0), GROUP_HEAD);
	group_set_expanded(g, last, true);
	group_reset(g);
	cr_assert_eq(group_extend(g, rows, 1, SIZE_MAX, SIZE_MAX, keep_one, &last), 2);
	cr_assert_eq(group_lines(g)[1], (uint32_t)last);
	cr_assert_eq(group_kind(g, 1), GROUP_MEMBER);
	group_free(g);
	store_free(&s);
}

/* 4. Unread while any member is; starred while any is. */
Test(group, marks_aggregate_over_members)
{
	struct store s;
	load_clustered(&s, "seeds");
	size_t lead = (size_t)index_of(&s, SEER_LEAD), last = (size_t)index_of(&s, SEER_LAST);
	size_t dino = (size_t)index_of(&s, DINO);
	unsigned char marks[8] = {0};
	for (size_t i = 0; i < s.n; i++)
		marks[i] = MARK_READ;
	cr_assert_eq(group_marks(&s, marks, lead) & MARK_READ, MARK_READ);
	marks[last] = 0; /* one member unread: the cluster is */
	cr_assert_eq(group_marks(&s, marks, lead) & MARK_READ, 0);
	cr_assert_eq(group_marks(&s, marks, last) & MARK_READ, 0);
	cr_assert_eq(group_marks(&s, marks, lead) & MARK_STARRED, 0);
	marks[last] = MARK_STARRED; /* one starred: the cluster is */
	cr_assert_eq(group_marks(&s, marks, lead) & MARK_STARRED, MARK_STARRED);
	/* an article alone is its own */
	marks[dino] = 0;
	cr_assert_eq(group_marks(&s, marks, dino), 0);
	store_free(&s);
}

/* 5. Marking a cluster reaches every member: the members are the whole
 * cluster, the lead first. */
Test(group, members_are_the_whole_cluster)
{
	struct store s;
	load_clustered(&s, "seeds");
	size_t last = (size_t)index_of(&s, SEER_LAST);
	uint32_t m[8];
	size_t n = group_members(&s, last, m, 8);
	cr_assert_eq(n, 4);
	cr_assert_eq(n, cluster_size(&s, last));
	cr_assert_eq(m[0], (uint32_t)index_of(&s, SEER_LEAD));
	bool seen_last = false;
	for (size_t k = 0; k < n; k++) {
		cr_assert_eq(cluster_lead(&s, m[k]), m[0]);
		seen_last |= m[k] == last;
	}
	cr_assert(seen_last);
	cr_assert_eq(group_members(&s, (size_t)index_of(&s, DINO), m, 8), 1);
	store_free(&s);
}

/* 6. Made a prefix at a time, the lines are the same as made at once. */
Test(group, prefix_at_a_time_equals_at_once)
{
	struct store s;
	load_clustered(&s, "tests/corpus");
	uint32_t *rows = xmalloc(s.n * sizeof *rows);
	size_t n = date_rows(&s, rows);
	struct group *once = group_new(&s), *steps = group_new(&s);
	group_set_all(once, true);
	group_set_all(steps, true);
	size_t all = group_extend(once, rows, n, SIZE_MAX, SIZE_MAX, keep_all, NULL);
	size_t got = 0;
	for (size_t k = 0; k <= n && got < all; k++)
		got = group_extend(steps, rows, n, SIZE_MAX, 3, keep_all, NULL);
	cr_assert_eq(got, all);
	cr_assert_eq(all, n, "expanded, every article has its line");
	cr_assert_eq(memcmp(group_lines(once), group_lines(steps), all * sizeof *rows), 0);
	/* upto stops once past it */
	group_reset(steps);
	cr_assert_eq(group_extend(steps, rows, n, 4, SIZE_MAX, keep_all, NULL) > 4, true);
	group_free(once);
	group_free(steps);
	free(rows);
	store_free(&s);
}

/* A small archive of one story from four outlets: quality unknown (-1),
 * 50 on day 3, 50 on day 2, none. */
static void write_story(const char *dir, const char *name, const char *provider,
			const char *quality, int day)
{
	char *path = xasprintf("%s/%s.md", dir, name);
	char *text = xasprintf("---\ntitle: \"Glacier in the Alps loses a record third of its ice "
			       "in one summer heatwave\"\nexcerpt: \"Scientists measured the "
			       "Rhone glacier melting faster than any year on record.\"\n"
			       "publishedDateTime: 2022-08-0%dT10:00:00Z\nwebUrl: https://%s.example/"
			       "glacier\nprovider:\n  name: %s\n%s---\n",
			       day, name, provider, quality);
	write_text(path, text);
	free(text);
	free(path);
}

/* 7. The lead: the highest quality (unknown -1 and missing lowest), then
 * the earliest. */
Test(group, lead_is_best_quality_then_earliest)
{
	char *dir = temp_dir("group");
	write_story(dir, "a", "Alpha", "quality: -1\n", 1);
	write_story(dir, "b", "Bravo", "quality: 50\n", 3);
	write_story(dir, "c", "Charlie", "quality: 50\n", 2);
	write_story(dir, "d", "Delta", "", 1);
	struct store s;
	load_clustered(&s, dir);
	cr_assert_eq(s.n, 4);
	char *c = xasprintf("%s/c.md", dir);
	size_t lead = (size_t)index_of(&s, c);
	cr_assert_eq(cluster_size(&s, lead), 4, "the four outlets are one story");
	uint32_t rows[4];
	size_t n = date_rows(&s, rows);
	struct group *g = group_new(&s);
	cr_assert_eq(group_extend(g, rows, n, SIZE_MAX, SIZE_MAX, keep_all, NULL), 1);
	cr_assert_eq(group_lines(g)[0], (uint32_t)lead);
	group_free(g);
	free(c);
	store_free(&s);
	temp_dir_free(dir);
}

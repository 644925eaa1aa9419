/* store_backlinks: the articles whose related stories name an article, as
 * the related view reads them. Built in memory, so each case says exactly
 * which article names which. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <string.h>

#include "lede/store.h"

enum { MAX_ARTICLES = 4, MAX_LINKS = 3 };

/* Article i has webUrl https://x/i and names the articles in links[i]
 * (-1 ends a list; 9 names a URL no article has). */
struct links_case {
	int links[MAX_ARTICLES][MAX_LINKS + 1];
	const char *want[MAX_ARTICLES]; /* backlinks of each, comma-joined */
};

static const char *url(struct article *ar, int i)
{
	char u[32];
	snprintf(u, sizeof u, "https://x/%d", i);
	return arena_strndup(&ar->arena, u, strlen(u));
}

static void build(struct store *s, const struct links_case *c)
{
	store_init(s);
	for (int i = 0; i < MAX_ARTICLES; i++) {
		char path[16];
		snprintf(path, sizeof path, "a%d", i);
		struct article *ar = article_new(path);
		ar->web_url = url(ar, i);
		size_t n = 0;
		while (n < MAX_LINKS && c->links[i][n] >= 0)
			n++;
		ar->related = arena_alloc(&ar->arena, (n ? n : 1) * sizeof *ar->related);
		memset(ar->related, 0, (n ? n : 1) * sizeof *ar->related);
		for (size_t r = 0; r < n; r++)
			ar->related[r].web_url = url(ar, c->links[i][r]);
		ar->nrelated = n;
		store_add(s, ar);
	}
	store_link(s);
}

ParameterizedTestParameters(backlinks, cases)
{
	static struct links_case cases[] = {
		/* 0: nobody names anybody */
		{{{-1}, {-1}, {-1}, {-1}}, {"", "", "", ""}},
		/* 1: two articles name article 0, in load order */
		{{{-1}, {0, -1}, {-1}, {0, -1}}, {"1,3", "", "", ""}},
		/* 2: naming an article twice is one backlink */
		{{{-1}, {2, 2, -1}, {-1}, {-1}}, {"", "", "1", ""}},
		/* 3: naming itself, or a URL nobody has, is none */
		{{{0, 9, -1}, {-1}, {-1}, {-1}}, {"", "", "", ""}},
		/* 4: a ring */
		{{{1, -1}, {2, -1}, {3, -1}, {0, -1}}, {"3", "0", "1", "2"}},
		/* 5: everybody names everybody else */
		{{{1, 2, 3, -1}, {0, 2, 3, -1}, {0, 1, 3, -1}, {0, 1, 2, -1}},
		 {"1,2,3", "0,2,3", "0,1,3", "0,1,2"}},
	};
	return cr_make_param_array(struct links_case, cases, sizeof cases / sizeof *cases);
}

ParameterizedTest(struct links_case *c, backlinks, cases)
{
	struct store s;
	build(&s, c);
	for (size_t i = 0; i < MAX_ARTICLES; i++) {
		size_t n;
		const size_t *b = store_backlinks(&s, i, &n);
		char got[64] = "";
		for (size_t k = 0; k < n; k++)
			snprintf(got + strlen(got), sizeof got - strlen(got), "%s%zu", k ? "," : "",
				 b[k]);
		cr_assert_str_eq(got, c->want[i], "backlinks of article %zu", i);
	}
	store_free(&s);
}

/* Out of range, or added since the links were made: none, not a read past
 * the end of the table. */
Test(backlinks, none_outside_the_linked_articles)
{
	static const struct links_case c = {{{1, -1}, {0, -1}, {-1}, {-1}}, {0}};
	struct store s;
	build(&s, &c);
	size_t n = 7;
	cr_assert_null(store_backlinks(&s, MAX_ARTICLES, &n));
	cr_assert_eq(n, 0);
	n = 7;
	cr_assert_null(store_backlinks(&s, (size_t)-1, &n));
	cr_assert_eq(n, 0);
	store_add(&s, article_new("late"));
	n = 7;
	cr_assert_null(store_backlinks(&s, MAX_ARTICLES, &n));
	cr_assert_eq(n, 0);
	cr_assert_not_null(store_backlinks(&s, 1, &n));
	cr_assert_eq(n, 1);
	store_free(&s);
}

/* A store never linked has no backlinks to give. */
Test(backlinks, none_before_linking)
{
	struct store s;
	store_init(&s);
	store_add(&s, article_new("a"));
	size_t n = 7;
	cr_assert_null(store_backlinks(&s, 0, &n));
	cr_assert_eq(n, 0);
	store_free(&s);
}

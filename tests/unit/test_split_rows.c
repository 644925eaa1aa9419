/* The split one above the other gives the list the rows a short story
 * leaves blank, never more than that nor more than the list has to show,
 * never below two rows of story, and not at all side by side. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "lede/ui/layout.h"

struct split_case {
	int rows, story_rows; /* the story pane's need; 0: not known */
	int list_rows;        /* the list's */
	bool vertical, zoom;
	int list_h, story_h;
};

static const struct split_case split_cases[] = {
	/* 1 */ {24, 0, 0, false, false, 8, 14},     /* not known: 40% of 22 */
	/* 2 */ {24, 30, 100, false, false, 8, 14},  /* longer than its pane */
	/* 3 */ {24, 14, 100, false, false, 8, 14},  /* exactly its pane */
	/* 4 */ {24, 6, 100, false, false, 16, 6},   /* short: the list takes 8 rows more */
	/* 5 */ {24, 1, 100, false, false, 20, 2},   /* the story keeps two rows */
	/* 6 */ {50, 10, 100, false, false, 38, 10}, /* a tall terminal */
	/* 7 */ {24, 6, 100, true, false, 22, 22},   /* side by side: unchanged heights */
	/* 8 */ {5, 1, 100, false, false, 2, 1},     /* the smallest screen: as before */
	/* 9 */ {24, 6, 11, false, false, 11, 11},   /* the list shows all it has */
	/* 10 */ {24, 6, 5, false, false, 8, 14},    /* a short list: the split as asked */
};

ParameterizedTestParameters(split_rows, short_story)
{
	return cr_make_param_array(struct split_case, (void *)split_cases,
				   sizeof split_cases / sizeof *split_cases);
}

ParameterizedTest(struct split_case *c, split_rows, short_story)
{
	struct layout_in in = {.cols = 80,
			       .rows = c->rows,
			       .bottom_open = true,
			       .vertical = c->vertical,
			       .zoom = c->zoom,
			       .story_rows = c->story_rows,
			       .list_rows = c->list_rows};
	struct layout_out o;
	layout_compute(&in, &o);
	cr_assert_eq(o.list.h, c->list_h, "%d rows, story %d: list %d", c->rows, c->story_rows,
		     o.list.h);
	cr_assert_eq(o.story.h, c->story_h, "%d rows, story %d: story %d", c->rows,
		     c->story_rows, o.story.h);
}

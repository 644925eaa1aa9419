/* timeline: the periods a span is counted in, the histogram of
 * `--timeline`, the sparkline, and the command line checked against the
 * dates `--list` prints for the same archive. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "lede/date.h"
#include "lede/timeline.h"
#include "lede/util.h"

static int64_t at(const char *iso)
{
	int64_t t;
	cr_assert_eq(date_parse(iso, strlen(iso), &t), 0, "%s", iso);
	return t;
}

static char *label(const struct timeline *t, size_t k)
{
	static char b[TIMELINE_LABEL_LEN + 1];
	timeline_label(t, k, b);
	return b;
}

Test(timeline, nothing_gives_no_period)
{
	struct timeline t;
	timeline_make(&t, NULL, 0);
	cr_assert_eq(t.n, 0);
	struct buf b = {0};
	timeline_histogram(&t, &b, 10);
	timeline_sparkline(&t, &b, 10, 1);
	cr_assert_eq(b.len, 0);
	timeline_free(&t);
}

Test(timeline, a_short_span_is_counted_by_day_with_empty_days_kept)
{
	int64_t d[] = {at("2021-03-04T07:00:00Z"), at("2021-03-04T23:59:59Z"),
		       at("2021-03-06T00:00:00Z")};
	struct timeline t;
	timeline_make(&t, d, 3);
	cr_assert_eq(t.unit, TIMELINE_DAY);
	cr_assert_eq(t.n, 3);
	cr_assert_str_eq(label(&t, 0), "2021-03-04");
	cr_assert_str_eq(label(&t, 2), "2021-03-06");
	cr_assert_eq(t.count[0], 2);
	cr_assert_eq(t.count[1], 0);
	cr_assert_eq(t.count[2], 1);
	cr_assert_eq(t.max, 2);
	timeline_free(&t);
}

/* 31 days are days; 32 are weeks, which start on Monday. */
Test(timeline, the_unit_follows_the_span)
{
	int64_t d[] = {at("2021-03-01"), at("2021-03-31")};
	struct timeline t;
	timeline_make(&t, d, 2);
	cr_assert_eq(t.unit, TIMELINE_DAY);
	cr_assert_eq(t.n, 31);
	timeline_free(&t);

	d[1] = at("2021-04-01");
	timeline_make(&t, d, 2);
	cr_assert_eq(t.unit, TIMELINE_WEEK);
	cr_assert_str_eq(label(&t, 0), "2021-03-01", "2021-03-01 was a Monday");
	cr_assert_str_eq(label(&t, t.n - 1), "2021-03-29");
	cr_assert_eq(t.count[0] + t.count[t.n - 1], 2);
	timeline_free(&t);

	int64_t sunday[] = {at("2021-03-07"), at("2021-05-01")};
	timeline_make(&t, sunday, 2);
	cr_assert_str_eq(label(&t, 0), "2021-03-01", "a Sunday is in the week of its Monday");
	cr_assert_eq(t.count[0], 1);
	timeline_free(&t);

	int64_t years[] = {at("2019-12-31"), at("2022-01-05")};
	timeline_make(&t, years, 2);
	cr_assert_eq(t.unit, TIMELINE_MONTH);
	cr_assert_str_eq(label(&t, 0), "2019-12");
	cr_assert_str_eq(label(&t, 1), "2020-01");
	cr_assert_eq(t.n, 26);
	cr_assert_str_eq(label(&t, 25), "2022-01");
	timeline_free(&t);
}

/* Before 1970 the days are floor-divided: the last second of 1969 is
 * still 1969-12-31, not a day later. */
Test(timeline, dates_before_the_epoch_fall_on_their_day)
{
	int64_t d[] = {-1, 0};
	struct timeline t;
	timeline_make(&t, d, 2);
	cr_assert_eq(t.n, 2);
	cr_assert_str_eq(label(&t, 0), "1969-12-31");
	cr_assert_eq(t.count[0], 1);
	cr_assert_eq(t.count[1], 1);
	timeline_free(&t);
}

Test(timeline, the_histogram_scales_the_bars_to_the_busiest_period)
{
	int64_t d[] = {at("2021-03-04"), at("2021-03-04"), at("2021-03-04"), at("2021-03-04"),
		       at("2021-03-06")};
	struct timeline t;
	timeline_make(&t, d, 5);
	struct buf b = {0};
	timeline_histogram(&t, &b, 8);
	cr_assert_str_eq(buf_str(&b), "2021-03-04\t4\t########\n"
				      "2021-03-05\t0\t\n"
				      "2021-03-06\t1\t##\n");
	buf_free(&b);
	timeline_free(&t);
}

Test(timeline, the_sparkline_has_a_cell_a_period_up_to_its_width)
{
	int64_t d[] = {at("2021-03-01"), at("2021-03-01"), at("2021-03-01"), at("2021-03-01"),
		       at("2021-03-01"), at("2021-03-01"), at("2021-03-01"), at("2021-03-01"),
		       at("2021-03-03")};
	struct timeline t;
	timeline_make(&t, d, 9);
	struct buf b = {0};
	timeline_sparkline(&t, &b, 80, 0);
	cr_assert_str_eq(buf_str(&b), "@ .");
	b.len = 0;
	timeline_sparkline(&t, &b, 80, 1);
	cr_assert_str_eq(buf_str(&b), "\u2588 \u2581");
	b.len = 0;
	/* two cells for three days: the first two days share one */
	timeline_sparkline(&t, &b, 2, 0);
	cr_assert_str_eq(buf_str(&b), "@.");
	buf_free(&b);
	timeline_free(&t);
}

/* The command line's histogram counts what `--list` lists, a month a
 * line over tests/corpus (its dates span years). */
static size_t month_count(const char *list, const char *month)
{
	size_t n = 0;
	for (const char *p = list; *p; p = strchr(p, '\n') + 1) {
		n += !strncmp(p, month, strlen(month));
		if (!strchr(p, '\n'))
			break;
	}
	return n;
}

Test(timeline, the_command_line_counts_what_the_list_shows)
{
	const char *filters[] = {NULL, "coral", "carbon", "~t AI ~d 2021"};
	for (size_t f = 0; f < sizeof filters / sizeof *filters; f++) {
		struct run list, tl;
		const char *largv[] = {"--list", "--no-cache", "tests/corpus", NULL, NULL, NULL};
		const char *targv[] = {"--timeline", "--no-cache", "tests/corpus", NULL, NULL, NULL};
		if (filters[f]) { /* a query for the last */
			largv[3] = targv[3] = f == 3 ? "-q" : "-e";
			largv[4] = targv[4] = filters[f];
		}
		run_lede(&list, largv, NULL);
		run_lede(&tl, targv, NULL);
		cr_assert_eq(tl.status, 0, "%s", tl.err);
		cr_assert_str_eq(tl.err, "");
		size_t total = 0, lines = 0;
		for (char *line = tl.out; *line; lines++) {
			char *nl = strchr(line, '\n');
			cr_assert_not_null(nl);
			*nl = '\0';
			char period[TIMELINE_LABEL_LEN + 1] = {0};
			unsigned count;
			cr_assert_eq(sscanf(line, "%10[0-9-]\t%u", period, &count), 2, "%s", line);
			if (!filters[f] || strlen(period) == 7)
				cr_assert_eq(month_count(list.out, period), count, "%s: %s",
					     filters[f] ? filters[f] : "all", line);
			total += count;
			line = nl + 1;
		}
		cr_assert_gt(lines, 0);
		size_t dated = 0;
		for (const char *p = list.out; *p; p = strchr(p, '\n') + 1) {
			dated += *p != '\t';
			if (!strchr(p, '\n'))
				break;
		}
		cr_assert_eq(total, dated, "%s", filters[f] ? filters[f] : "all");
		run_free(&list);
		run_free(&tl);
	}
}

Test(timeline, it_is_a_mode_of_its_own)
{
	struct run r;
	run_lede(&r, (const char *[]){"--timeline", "--json", "seeds", NULL}, NULL);
	cr_assert_eq(r.status, 2);
	cr_assert_str_eq(r.err, "lede: --timeline and --json cannot be used together\n");
	run_free(&r);
}

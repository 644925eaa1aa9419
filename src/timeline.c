/* timeline: stories a period (see timeline.h). The periods are counted
 * in days since the epoch, floor-divided so that dates before 1970 fall
 * into the right day too. */
#include "lede/timeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lede/date.h"

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return q - (a % b != 0 && (a < 0) != (b < 0));
}

/* 1970-01-01 was a Thursday: Monday is day 0 of a week here. */
static int64_t monday_of(int64_t day)
{
	return day - (day + 3 - floor_div(day + 3, 7) * 7);
}

static int64_t month_index(int64_t day)
{
	int64_t y;
	unsigned m, d;
	date_civil_from_days(day, &y, &m, &d);
	return y * 12 + (m - 1);
}

/* The period a day falls in, counted from the timeline's first. */
static size_t period_of(const struct timeline *t, int64_t day)
{
	switch (t->unit) {
	case TIMELINE_DAY: return (size_t)(day - t->first);
	case TIMELINE_WEEK: return (size_t)((day - t->first) / 7);
	case TIMELINE_MONTH: break;
	}
	return (size_t)(month_index(day) - month_index(t->first));
}

void timeline_make(struct timeline *t, const int64_t *dates, size_t n)
{
	*t = (struct timeline){0};
	if (!n)
		return;
	int64_t lo = floor_div(dates[0], 86400), hi = lo;
	for (size_t i = 1; i < n; i++) {
		int64_t d = floor_div(dates[i], 86400);
		lo = d < lo ? d : lo;
		hi = d > hi ? d : hi;
	}
	int64_t span = hi - lo + 1;
	if (span <= TIMELINE_DAYS_MAX) {
		t->unit = TIMELINE_DAY;
		t->first = lo;
	} else if (span <= TIMELINE_WEEKS_MAX_DAYS) {
		t->unit = TIMELINE_WEEK;
		t->first = monday_of(lo);
	} else {
		int64_t y;
		unsigned m, d;
		date_civil_from_days(lo, &y, &m, &d);
		t->unit = TIMELINE_MONTH;
		t->first = date_days_from_civil(y, m, 1);
	}
	t->n = period_of(t, hi) + 1;
	t->count = xcalloc(t->n, sizeof *t->count);
	for (size_t i = 0; i < n; i++) {
		uint32_t c = ++t->count[period_of(t, floor_div(dates[i], 86400))];
		t->max = c > t->max ? c : t->max;
	}
}

void timeline_free(struct timeline *t)
{
	free(t->count);
	*t = (struct timeline){0};
}

void timeline_label(const struct timeline *t, size_t k, char *buf)
{
	/* years are 1 to 9999 (date_parse), but the compiler cannot know */
	char full[64];
	int64_t y;
	unsigned m, d;
	if (t->unit == TIMELINE_MONTH) {
		int64_t mi = month_index(t->first) + (int64_t)k;
		y = floor_div(mi, 12);
		snprintf(full, sizeof full, "%04lld-%02u", (long long)y, (unsigned)(mi - y * 12) + 1);
	} else {
		int64_t step = t->unit == TIMELINE_WEEK ? 7 : 1;
		date_civil_from_days(t->first + (int64_t)k * step, &y, &m, &d);
		snprintf(full, sizeof full, "%04lld-%02u-%02u", (long long)y, m, d);
	}
	size_t len = strlen(full);
	len = len < TIMELINE_LABEL_LEN ? len : TIMELINE_LABEL_LEN;
	memcpy(buf, full, len);
	buf[len] = '\0';
}

void timeline_histogram(const struct timeline *t, struct buf *out, int width)
{
	char label[TIMELINE_LABEL_LEN + 1];
	for (size_t k = 0; k < t->n; k++) {
		timeline_label(t, k, label);
		buf_printf(out, "%s\t%u\t", label, t->count[k]);
		/* rounded up: a single story is never an empty bar */
		uint64_t bar = t->max ? ((uint64_t)t->count[k] * (uint64_t)width + t->max - 1) / t->max
				      : 0;
		for (uint64_t b = 0; b < bar; b++)
			buf_putc(out, '#');
		buf_putc(out, '\n');
	}
}

void timeline_sparkline(const struct timeline *t, struct buf *out, int width, int utf8)
{
	static const char *const blocks[] = {" ", "\u2581", "\u2582", "\u2583", "\u2584",
					     "\u2585", "\u2586", "\u2587", "\u2588"};
	static const char ascii[] = " .:-=+*#@";
	if (!t->n || width < 1)
		return;
	size_t cells = t->n < (size_t)width ? t->n : (size_t)width;
	uint32_t *sum = xcalloc(cells, sizeof *sum);
	uint32_t top = 0;
	for (size_t k = 0; k < t->n; k++) { /* periods spread evenly over the cells */
		size_t c = k * cells / t->n;
		sum[c] += t->count[k];
		top = sum[c] > top ? sum[c] : top;
	}
	for (size_t c = 0; c < cells; c++) {
		/* rounded up: 0 is blank, any story at least the lowest
		 * block, the busiest cell the full one */
		unsigned level = (unsigned)(((uint64_t)sum[c] * 8 + top - 1) / top);
		if (utf8)
			buf_puts(out, blocks[level]);
		else
			buf_putc(out, ascii[level]);
	}
	free(sum);
}

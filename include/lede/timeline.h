/* timeline: how many stories a period, for `--timeline` and the reader's
 * sparkline. A timeline counts publication dates (seconds since the epoch,
 * UTC) into consecutive periods of one length: days for a short span,
 * weeks (starting on Monday) for up to two years, months beyond, so that
 * the burst of a story breaking stays visible at any scale. Periods with
 * no story are counted as zero, never skipped. */
#ifndef LEDE_TIMELINE_H
#define LEDE_TIMELINE_H

#include <stddef.h>
#include <stdint.h>

#include "lede/util.h"

enum timeline_unit { TIMELINE_DAY, TIMELINE_WEEK, TIMELINE_MONTH };

/* Spans up to these many days are counted by day, then by week. */
enum { TIMELINE_DAYS_MAX = 31, TIMELINE_WEEKS_MAX_DAYS = 2 * 366 };

/* The widest bar of `--timeline`. */
enum { TIMELINE_BAR_WIDTH = 50 };

struct timeline {
	enum timeline_unit unit;
	int64_t first;	 /* the first period's first day, days since 1970-01-01 */
	size_t n;	 /* periods, first to last, each counted */
	uint32_t *count; /* n counts */
	uint32_t max;	 /* the highest count */
};

/* The timeline of n dates. With n == 0 the timeline has no period. */
void timeline_make(struct timeline *t, const int64_t *dates, size_t n);
void timeline_free(struct timeline *t);

/* Period k's first day as YYYY-MM-DD (a month's as YYYY-MM) into buf, which
 * holds at least TIMELINE_LABEL_LEN + 1 bytes. */
enum { TIMELINE_LABEL_LEN = 10 };
void timeline_label(const struct timeline *t, size_t k, char *buf);

/* The histogram: a line a period, `LABEL<TAB>COUNT<TAB>BAR`, the bar of
 * `#` scaled so that the highest count takes width characters and any
 * count above zero at least one. */
void timeline_histogram(const struct timeline *t, struct buf *out, int width);

/* A one-line sparkline of width cells (the periods resampled to them),
 * of block elements, or of ASCII (` .:-=+*#`) when utf8 is false. */
void timeline_sparkline(const struct timeline *t, struct buf *out, int width, int utf8);

#endif

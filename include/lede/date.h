/* date: ISO 8601 timestamps to and from seconds since the epoch (UTC). */
#ifndef LEDE_DATE_H
#define LEDE_DATE_H

#include <stddef.h>
#include <stdint.h>

/* Parse YYYY-MM-DD, optionally followed by T (or t or a space) and
 * HH:MM[:SS[.fraction]] and a zone (Z, +HH, +HH:MM, +HHMM or their minus
 * forms; none means UTC). Years 0001 to 9999, in UTC too: the zone may not
 * carry the instant outside them. Returns 0 and sets *out, or -1 if the
 * text is not such a timestamp. The fraction is dropped. */
int date_parse(const char *s, size_t len, int64_t *out);

/* Format t as 2021-03-04T07:00:00Z into buf (at least DATE_ISO_LEN+1). */
enum { DATE_ISO_LEN = 20 };
void date_format_iso(int64_t t, char *buf);

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
int64_t date_days_from_civil(int64_t y, unsigned m, unsigned d);
void date_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);

#endif

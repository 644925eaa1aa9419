/* date: a strict ISO 8601 reader and writer, independent of the C library's
 * time zone state so that results never depend on TZ. */
#include "lede/date.h"

#include <stdbool.h>

/* Howard Hinnant's days-from-civil algorithm, in our own words. */
int64_t date_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

void date_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t yy = (int64_t)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yy + (*m <= 2);
}

static bool digits(const char *s, size_t len, size_t at, size_t n, int *out)
{
	if (at + n > len)
		return false;
	int v = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[at + i];
		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (c - '0');
	}
	*out = v;
	return true;
}

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int date_parse(const char *s, size_t len, int64_t *out)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, mo, d, h = 0, mi = 0, sec = 0;
	size_t i = 0;

	if (!digits(s, len, 0, 4, &y) || len < 10 || s[4] != '-' ||
	    !digits(s, len, 5, 2, &mo) || s[7] != '-' || !digits(s, len, 8, 2, &d))
		return -1;
	if (y < 1 || mo < 1 || mo > 12 || d < 1 ||
	    d > mdays[mo - 1] + (mo == 2 && leap(y)))
		return -1;
	i = 10;
	int64_t offset = 0;
	if (i < len) {
		if (s[i] != 'T' && s[i] != 't' && s[i] != ' ')
			return -1;
		i++;
		if (!digits(s, len, i, 2, &h) || i + 2 >= len || s[i + 2] != ':' ||
		    !digits(s, len, i + 3, 2, &mi))
			return -1;
		i += 5;
		if (i < len && s[i] == ':') {
			if (!digits(s, len, i + 1, 2, &sec))
				return -1;
			i += 3;
			if (i < len && (s[i] == '.' || s[i] == ',')) {
				size_t f = ++i;
				while (i < len && s[i] >= '0' && s[i] <= '9')
					i++;
				if (i == f)
					return -1;
			}
		}
		if (h > 24 || mi > 59 || sec > 60 || (h == 24 && (mi || sec)))
			return -1;
		if (i < len && (s[i] == 'Z' || s[i] == 'z')) {
			i++;
		} else if (i < len && (s[i] == '+' || s[i] == '-')) {
			int sign = s[i] == '-' ? -1 : 1, oh, om = 0;
			i++;
			if (!digits(s, len, i, 2, &oh))
				return -1;
			i += 2;
			if (i < len && s[i] == ':') {
				if (!digits(s, len, i + 1, 2, &om))
					return -1;
				i += 3;
			} else if (i < len && digits(s, len, i, 2, &om)) {
				i += 2;
			}
			if (oh > 23 || om > 59)
				return -1;
			offset = sign * (oh * 3600 + om * 60);
		}
	}
	if (i != len)
		return -1;
	int64_t t = date_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
		    h * 3600 + mi * 60 + sec - offset;
	/* A zone, 24:00 or a leap second can carry the first or the last day
	 * into year 0 or 10000, which date_format_iso cannot write: lede's
	 * own output (--json) would then not read back. */
	if (t < date_days_from_civil(1, 1, 1) * 86400 ||
	    t >= date_days_from_civil(10000, 1, 1) * 86400)
		return -1;
	*out = t;
	return 0;
}

static void put2(char *at, unsigned v)
{
	at[0] = (char)('0' + v / 10 % 10);
	at[1] = (char)('0' + v % 10);
}

void date_format_iso(int64_t t, char *buf)
{
	int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
	unsigned rem = (unsigned)(t - days * 86400);
	int64_t y;
	unsigned m, d;
	date_civil_from_days(days, &y, &m, &d);
	unsigned yy = (unsigned)(y < 0 ? 0 : y > 9999 ? 9999 : y);
	put2(buf, yy / 100);
	put2(buf + 2, yy % 100);
	buf[4] = '-';
	put2(buf + 5, m);
	buf[7] = '-';
	put2(buf + 8, d);
	buf[10] = 'T';
	put2(buf + 11, rem / 3600);
	buf[13] = ':';
	put2(buf + 14, rem / 60 % 60);
	buf[16] = ':';
	put2(buf + 17, rem % 60);
	buf[19] = 'Z';
	buf[20] = '\0';
}

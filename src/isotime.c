/* isotime: ISO 8601 times in, UTC DATETIME(6) values out. */
#include "isotime.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "util.h"

/* Reads exactly n digits at *p, advancing it. */
static bool
digits(const char **p, int n, int *out)
{
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return false;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return true;
}

static bool
expect(const char **p, char c)
{
	if (**p != c)
		return false;
	(*p)++;
	return true;
}

static int
days_in_month(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30,
				    31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

/* ".f" with 1 to 9 digits; keeps microseconds. */
static bool
fraction(const char **p, long long *us)
{
	long long scale = 100000;
	int n = 0;

	*us = 0;
	if (**p != '.')
		return true;
	(*p)++;
	while (isdigit((unsigned char)**p) && n < 9) {
		*us += (**p - '0') * scale;
		scale /= 10;
		(*p)++, n++;
	}
	return n > 0 && !isdigit((unsigned char)**p);
}

/* "YYYY-MM-DD[T ]HH:MM[:SS[.f]]" into tm (UTC fields) and *us. */
static bool
parse_wall(const char **p, struct tm *tm, long long *us)
{
	int y, mo, d, h, mi, s = 0;

	*us = 0;
	if (!digits(p, 4, &y) || !expect(p, '-') || !digits(p, 2, &mo) ||
	    !expect(p, '-') || !digits(p, 2, &d))
		return false;
	if (**p != 'T' && **p != 't' && **p != ' ')
		return false;
	(*p)++;
	if (!digits(p, 2, &h) || !expect(p, ':') || !digits(p, 2, &mi))
		return false;
	if (**p == ':' && (!expect(p, ':') || !digits(p, 2, &s) ||
			   !fraction(p, us)))
		return false;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 ||
	    d > days_in_month(y, mo) || h > 23 || mi > 59 || s > 59)
		return false;
	memset(tm, 0, sizeof(*tm));
	tm->tm_year = y - 1900;
	tm->tm_mon = mo - 1;
	tm->tm_mday = d;
	tm->tm_hour = h;
	tm->tm_min = mi;
	tm->tm_sec = s;
	return true;
}

/* "Z", "+HH:MM", "+HHMM" or "+HH" at *p, then the end of the string.
 * *zoned is false when there is no zone at all. */
static bool
parse_zone(const char *p, bool *zoned, long long *offset_s)
{
	int sign, h, m = 0;

	*zoned = *p != '\0';
	*offset_s = 0;
	if (!*p)
		return true;
	if ((*p == 'Z' || *p == 'z') && p[1] == '\0')
		return true;
	if (*p != '+' && *p != '-')
		return false;
	sign = *p++ == '-' ? -1 : 1;
	if (!digits(&p, 2, &h))
		return false;
	/* "+HH", "+HHMM" or "+HH:MM": a colon needs its minutes */
	if (*p == ':' && !p[1])
		return false;
	if (*p == ':')
		p++;
	if (*p && !digits(&p, 2, &m))
		return false;
	if (*p || h > 18 || m > 59)
		return false;
	*offset_s = sign * (h * 3600LL + m * 60LL);
	return true;
}

static bool
tz_is_utc(const char *tz)
{
	return !tz || !*tz || !strcasecmp(tz, "UTC") ||
	       !strcmp(tz, "Etc/UTC") || !strcmp(tz, "Z");
}

/* tm read as wall-clock time in zone tz.  For an IANA name, TZ is set for
 * the one mktime call and restored afterwards: haasd workers are
 * single-threaded processes, so nothing else sees the change, and this
 * module keeps no state of its own. */
static int
wall_to_epoch(struct tm *tm, const char *tz, long long *out)
{
	const char *old;
	char *saved;
	time_t t;

	if (tz_is_utc(tz)) {
		*out = (long long)timegm(tm);
		return 0;
	}
	old = getenv("TZ");
	saved = old ? xstrdup(old) : NULL;
	setenv("TZ", tz, 1);
	tzset();
	tm->tm_isdst = -1;
	t = mktime(tm);
	if (saved)
		setenv("TZ", saved, 1);
	else
		unsetenv("TZ");
	tzset();
	free(saved);
	if (t == (time_t)-1)
		return -1;
	*out = (long long)t;
	return 0;
}

int
isotime_parse(const char *s, const char *tz, long long *us)
{
	struct tm tm;
	long long frac, offset, secs;
	bool zoned;

	if (!s || !parse_wall(&s, &tm, &frac) ||
	    !parse_zone(s, &zoned, &offset))
		return -1;
	if (zoned)
		secs = (long long)timegm(&tm) - offset;
	else if (wall_to_epoch(&tm, tz, &secs))
		return -1;
	if (secs < 0 || secs >= 253402300800LL)	/* 10000-01-01 */
		return -1;
	*us = secs * ISOTIME_US_PER_SEC + frac;
	return 0;
}

void
isotime_db(long long us, char out[ISOTIME_DB_MAX])
{
	time_t t = (time_t)(us / ISOTIME_US_PER_SEC);
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(out, ISOTIME_DB_MAX, "%04d-%02d-%02d %02d:%02d:%02d.%06lld",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, us % ISOTIME_US_PER_SEC);
}

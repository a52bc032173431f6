/* when: instants as people read them in notices.  TZ is set for the one
 * localtime_r call and restored afterwards, as isotime.c does: the
 * processes that call this are single-threaded. */
#include "when.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "isotime.h"
#include "util.h"

static void
local_tm(time_t t, const char *tz, struct tm *tm)
{
	const char *old;
	char *saved;

	if (!tz || !*tz || !strcasecmp(tz, "UTC")) {
		gmtime_r(&t, tm);
		return;
	}
	old = getenv("TZ");
	saved = old ? xstrdup(old) : NULL;
	setenv("TZ", tz, 1);
	tzset();
	localtime_r(&t, tm);
	if (saved)
		setenv("TZ", saved, 1);
	else
		unsetenv("TZ");
	tzset();
	free(saved);
}

int
when_human(const char *db_time, const char *tz, char out[WHEN_MAX])
{
	long long us;
	struct tm tm;
	size_t n;

	if (!db_time || isotime_parse(db_time, "UTC", &us)) {
		snprintf(out, WHEN_MAX, "%s", db_time ? db_time : "");
		return -1;
	}
	local_tm((time_t)(us / ISOTIME_US_PER_SEC), tz, &tm);
	n = strftime(out, WHEN_MAX, "%a %d %b %Y, %H:%M", &tm);
	if (!tz || !*tz || !strcasecmp(tz, "UTC"))
		snprintf(out + n, WHEN_MAX - n, " UTC");
	else
		strftime(out + n, WHEN_MAX - n, " %Z", &tm);
	return 0;
}

/* isotime: the one ISO 8601 reader of haas (reservation windows, history
 * and audit filters) and the formats times are written in. */
#ifndef HAAS_ISOTIME_H
#define HAAS_ISOTIME_H

#define ISOTIME_US_PER_SEC 1000000LL
#define ISOTIME_DB_MAX 64	/* "YYYY-MM-DD HH:MM:SS.ffffff", NUL, room */

/* Parses s: "YYYY-MM-DDTHH:MM" with optional ":SS" and ".fraction" (1 to 9
 * digits; a space or "t" may replace the T), then "Z", an offset (+HH:MM,
 * +HHMM, +HH) or nothing, in which case the time is read in zone tz
 * ("UTC", NULL, or an IANA name).  Years 1970 to 9999; every field is
 * checked (February 29th only in leap years).  Reads s only up to its NUL.
 * On success stores microseconds since the epoch in *us and returns 0;
 * returns -1 (and leaves *us alone) otherwise. */
int isotime_parse(const char *s, const char *tz, long long *us);

/* us as a UTC DATETIME(6) value "YYYY-MM-DD HH:MM:SS.ffffff" in out. */
void isotime_db(long long us, char out[ISOTIME_DB_MAX]);

#endif

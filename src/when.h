/* when: instants as people read them in notices ("Tue 14 May 2025,
 * 17:00 CEST"), in the configured timezone. */
#ifndef HAAS_WHEN_H
#define HAAS_WHEN_H

#include <stddef.h>

#define WHEN_MAX 64

/* db_time, a UTC DATETIME ("YYYY-MM-DD HH:MM:SS[.f]"), written in zone tz
 * ("UTC", NULL or an IANA name) into out.  Returns 0, or -1 when db_time
 * cannot be read (out is then db_time itself, cut to fit). */
int when_human(const char *db_time, const char *tz, char out[WHEN_MAX]);

#endif

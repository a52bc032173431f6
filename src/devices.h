/* devices: lab PC reservations (the MSMP seed): devices with lock-agent
 * keys, /set-reservation and /get-reservation at the root, and the
 * /api/devices API (list, reservations, cancel and kick, verify). */
#ifndef HAAS_DEVICES_H
#define HAAS_DEVICES_H

#include "router.h"

extern const struct route devices_routes[];

/* Parses a reservation time s: "YYYY-MM-DDTHH:MM" with optional ":SS" and
 * ".fraction" (a space may replace the T), then "Z", an offset (+HH:MM,
 * +HHMM, +HH) or nothing, in which case the time is read in zone tz
 * ("UTC" or an IANA name).  Years 1970 to 9999.  On success stores
 * microseconds since the epoch in *us and returns 0; -1 otherwise.
 * Exported for the unit tests. */
int devices_parse_time(const char *s, const char *tz, long long *us);

#endif

/* prefs: each member's choice, per kind of notice, of how it reaches them
 * (immediate, in the daily digest, or off): /api/me/notifications.
 * notify() reads them (src/notify.c). */
#ifndef HAAS_PREFS_H
#define HAAS_PREFS_H

#include "openapi.h"
#include "router.h"

extern const struct route prefs_routes[];
/* The reusable schemas its routes name (for /api/openapi.json). */
extern const struct schema_def prefs_schemas[];

#endif

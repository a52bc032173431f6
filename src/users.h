/* users: profiles (/api/users/me), admin user management (/api/users) and
 * staff accounts (/api/admins), with the last-admin rule. */
#ifndef HAAS_USERS_H
#define HAAS_USERS_H

#include "openapi.h"
#include "router.h"

extern const struct route users_routes[];
/* The reusable schemas its routes name (for /api/openapi.json). */
extern const struct schema_def users_schemas[];

#endif

/* audit: the append-only audit log every domain writes to. */
#ifndef HAAS_AUDIT_H
#define HAAS_AUDIT_H

#include <json-c/json.h>

#include "err.h"
#include "openapi.h"
#include "router.h"

struct req;
struct db;

/* GET /api/audit (admins): filters and cursor paging; GET
 * /api/audit/facets: the actions and entities it holds. */
extern const struct route audit_routes[];
/* The reusable schemas its routes name (for /api/openapi.json). */
extern const struct schema_def audit_schemas[];

/* Appends one entry: actor (0: none), action ("login.failure"), entity
 * ("user") and entity id, details (may be NULL; ownership is taken), and
 * the request id and address from r (which may be NULL, e.g. haasctl).
 * Writes inside whatever transaction db is in. */
enum err audit_write(struct db *db, const struct req *r, long long actor,
		     const char *action, const char *entity,
		     const char *entity_id, json_object *details);

#endif

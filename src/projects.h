/* projects: HaaS projects (create, list, join, leave, detail, history);
 * the hardware sets they check units out of are in resources.h. */
#ifndef HAAS_PROJECTS_H
#define HAAS_PROJECTS_H

#include "openapi.h"
#include "router.h"

extern const struct route projects_routes[];
/* Project and what it holds, for /api/openapi.json. */
extern const struct schema_def projects_schemas[];

/* The profiles of a route row for every site but the HaaS React app's,
 * whose own row for the same path follows it: there a project id may be
 * {"$oid": ...} (see projects_read_oid), which the router cannot read,
 * so that row leaves project_id to its handler. */
#define PROFILES_BUT_HAAS (~PROFILE_BIT(PROFILE_HAAS_REACT))

struct field;
struct field_value;

/* Reads field f of r's body (a project id) into *out; errors as
 * body_fields gives them.  On the HaaS React app's site a project id may
 * arrive as MongoDB's extended JSON, {"$oid": "<id>"} (the app sends back
 * the _id it was given, which may be either form): the string inside is
 * read then, like any string.  Anything else, and every other site, is
 * read as it is. */
enum err projects_read_oid(struct req *r, const struct field *f,
			   struct field_value *out);

#endif

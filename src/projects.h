/* projects: HaaS projects (create, list, join, leave, detail, history);
 * the hardware sets they check units out of are in resources.h. */
#ifndef HAAS_PROJECTS_H
#define HAAS_PROJECTS_H

#include "openapi.h"
#include "router.h"

extern const struct route projects_routes[];
/* Project and what it holds, for /api/openapi.json. */
extern const struct schema_def projects_schemas[];

#endif

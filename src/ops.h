/* ops: operational endpoints (health, the OpenAPI description). */
#ifndef HAAS_OPS_H
#define HAAS_OPS_H

#include "openapi.h"
#include "router.h"

extern const struct route ops_routes[];
/* The reusable schemas its routes name (for /api/openapi.json). */
extern const struct schema_def ops_schemas[];

#endif

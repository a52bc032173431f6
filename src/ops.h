/* ops: operational endpoints (health, the OpenAPI description). */
#ifndef HAAS_OPS_H
#define HAAS_OPS_H

#include "router.h"

extern const struct route ops_routes[];

#endif

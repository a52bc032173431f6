/* projects: HaaS projects (create, list, join, leave, detail, history);
 * the hardware sets they check units out of are in resources.h. */
#ifndef HAAS_PROJECTS_H
#define HAAS_PROJECTS_H

#include "router.h"

extern const struct route projects_routes[];

#endif

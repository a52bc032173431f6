/* projects: HaaS projects (create, list, join, leave, detail, history);
 * the hardware sets they check units out of are in resources.h. */
#ifndef HAAS_PROJECTS_H
#define HAAS_PROJECTS_H

#include "router.h"

extern const struct route projects_routes[];

/* On the HaaS React app's site a project id may arrive as MongoDB's
 * extended JSON, {"$oid": "<id>"} (the app sends back the _id it was
 * given, which may be either form): replaces body member key of r->json
 * by the string inside, so that a field spec reads it like any string.
 * Anything else, and every other site, is left as it is. */
void projects_unwrap_oid(struct req *r, const char *key);

#endif

/* resources: hardware sets (HWSet1, ...) that everyone shares, checked out
 * to a project or to the caller and back in, never oversold, with history. */
#ifndef HAAS_RESOURCES_H
#define HAAS_RESOURCES_H

#include "router.h"

extern const struct route resources_routes[];

/* Replies with one page ({"history": [...], "next_cursor"}, newest first,
 * ?cursor= and ?limit=) of the checkouts and checkins of resource id
 * resource (when project is 0) or of project id project.  Errors:
 * ERR_BAD_QUERY, database errors. */
enum err resources_history(struct req *r, long long resource,
			   long long project);

#endif

/* resources: hardware sets (HWSet1, ...) that everyone shares, checked out
 * to a project or to the caller and back in, never oversold, with history. */
#ifndef HAAS_RESOURCES_H
#define HAAS_RESOURCES_H

#include "openapi.h"
#include "router.h"

extern const struct route resources_routes[];
/* HardwareSet, HistoryEvent, Holder, Holding, Moved (/api/openapi.json). */
extern const struct schema_def resources_schemas[];

/* Replies with one page ({"history": [...], "next_cursor"}, newest first,
 * ?cursor= and ?limit=) of the checkouts and checkins of resource id
 * resource (when project is 0) or of project id project.  Errors:
 * ERR_BAD_QUERY, database errors. */
enum err resources_history(struct req *r, long long resource,
			   long long project);

struct config;
struct db;

/* haas-notifyd's sweep (its own transactions, one per holding): "due
 * soon" (hardware.due) for each holding with units out whose due date is
 * within due_soon_lead and not past, "overdue" (hardware.overdue) once it
 * is past; each once per holding and due date, to the borrower and the
 * project's members.  Errors: database errors. */
enum err resources_notify_sweep(struct db *db, const struct config *cfg);

#endif

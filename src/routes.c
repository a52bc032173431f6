/* routes: the list of every domain's route table, in match order. */
#include "router.h"

#include "accounts.h"
#include "audit.h"
#include "ops.h"
#include "users.h"
/* domain headers: projects.h, devices.h, shop.h, parking.h */

const struct route *const route_tables[] = {
	ops_routes,
	accounts_routes,
	users_routes,
	audit_routes,
	/* domain tables */
	NULL,
};

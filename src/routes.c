/* routes: the list of every domain's route table, in match order. */
#include "router.h"

#include "accounts.h"
#include "audit.h"
#include "ops.h"
#include "users.h"
/* domain headers: projects.h, devices.h, shop.h, parking.h */
#include "parking.h"
#include "registration.h"
#include "projects.h"
#include "resources.h"
#include "catalog.h"
#include "reviews.h"
#include "orders.h"
#include "devices.h"
#include "notices.h"
#include "prefs.h"

const struct route *const route_tables[] = {
	ops_routes,
	accounts_routes,
	users_routes,
	audit_routes,
	/* domain tables */
	parking_routes,
	registration_routes,
	projects_routes,
	resources_routes,
	catalog_routes,
	reviews_routes,
	orders_routes,
	devices_routes,
	notices_routes,
	prefs_routes,
	NULL,
};

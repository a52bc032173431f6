/* routes: every domain's route table, in match order, with the tag its
 * operations carry in /api/openapi.json. */
#include "router.h"

#include "accounts.h"
#include "audit.h"
#include "metrics.h"
#include "ops.h"
#include "users.h"
/* domain headers */
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

const struct route_table route_tables[] = {
	{ "Operations", "Health, the API's description, system state.",
	  ops_routes, ops_schemas },
	{ "Metrics", "Counters for Prometheus (nginx serves them to loopback"
	  " and the configured networks only).", metrics_routes, NULL },
	{ "Accounts", "Sign-up, sign-in, tokens, sessions, password reset.",
	  accounts_routes, accounts_schemas },
	{ "Users", "Profiles, and users and staff for admins.", users_routes,
	  users_schemas },
	{ "Audit", "The append-only audit log.", audit_routes, audit_schemas },
	{ "Parking", "Spaces, sensors, plates, the live board.",
	  parking_routes, parking_schemas },
	{ "Registrations", "Driver registrations with an ID document.",
	  registration_routes, registration_schemas },
	{ "Projects", "Projects and their members.", projects_routes,
	  projects_schemas },
	{ "Hardware", "Hardware sets, checkout and checkin, due dates.",
	  resources_routes, resources_schemas },
	{ "Shop", "Products and brands.", catalog_routes, catalog_schemas },
	{ "Reviews", "Product reviews and the shop's comments.",
	  reviews_routes, reviews_schemas },
	{ "Orders", "Orders and their status.", orders_routes, orders_schemas },
	{ "Lab PCs", "Devices and reservations.", devices_routes,
	  devices_schemas },
	{ "Notifications", "Webhooks and the outbox (admins).",
	  notices_routes, notices_schemas },
	{ "Preferences", "How each member is told.", prefs_routes,
	  prefs_schemas },
	{ NULL, NULL, NULL },
};

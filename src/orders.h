/* orders: the shop's orders (/api/orders): creation that never
 * oversells, cancellation that restocks once, the admin lifecycle. */
#ifndef HAAS_ORDERS_H
#define HAAS_ORDERS_H

#include "openapi.h"
#include "router.h"

extern const struct route orders_routes[];
/* Order, Customer and OrderItem, for /api/openapi.json. */
extern const struct schema_def orders_schemas[];

#endif

/* orders: the shop's orders (/api/orders): creation that never
 * oversells, cancellation that restocks once, the admin lifecycle. */
#ifndef HAAS_ORDERS_H
#define HAAS_ORDERS_H

#include "router.h"

extern const struct route orders_routes[];

#endif

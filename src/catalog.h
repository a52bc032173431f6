/* catalog: the shop's brands, products, accessory compatibility and
 * reviews (/api/products, /api/accessories, /api/sound-devices,
 * /api/brands, /api/reviews). */
#ifndef HAAS_CATALOG_H
#define HAAS_CATALOG_H

#include "router.h"

extern const struct route catalog_routes[];

#endif

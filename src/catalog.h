/* catalog: the shop's brands, products and accessory compatibility
 * (/api/products, /api/accessories, /api/sound-devices, /api/brands), and
 * the ElectroPorts site's catalogue (/phones, /laptops, /sounddevices,
 * /accessories). */
#ifndef HAAS_CATALOG_H
#define HAAS_CATALOG_H

#include "router.h"

extern const struct route catalog_routes[];

#endif

/* catalog: the shop's brands, products and accessory compatibility
 * (/api/products, /api/accessories, /api/sound-devices, /api/brands), and
 * the ElectroPorts site's catalogue (/phones, /laptops, /sounddevices,
 * /accessories). */
#ifndef HAAS_CATALOG_H
#define HAAS_CATALOG_H

#include "openapi.h"
#include "router.h"

extern const struct route catalog_routes[];
/* Product, ProductRef, Brand, and the ElectroPorts site's SitePhone and
 * SiteProduct, for /api/openapi.json. */
extern const struct schema_def catalog_schemas[];

struct db;

/* After a change of product id's stock or low-stock threshold, in the
 * change's transaction with the product's row locked: when the stock is
 * below the threshold and this crossing was not announced yet, marks it
 * announced and notifies admins (NK_STOCK_LOW); when it is back at or
 * above the threshold (or there is none), clears the mark, so the next
 * crossing is announced again.  Errors: ERR_DB_*. */
enum err catalog_stock_watch(struct db *db, long long id);

#endif

/* reviews: what members say about the shop: product reviews
 * (/api/products/{id}/reviews, /api/reviews/{id}) and, on the ElectroPorts
 * site, shop-wide comments (/reviews), which are reviews without a product. */
#ifndef HAAS_REVIEWS_H
#define HAAS_REVIEWS_H

#include "openapi.h"
#include "router.h"

extern const struct route reviews_routes[];
/* Review, and SiteReview (the ElectroPorts site's), for
 * /api/openapi.json. */
extern const struct schema_def reviews_schemas[];

#endif

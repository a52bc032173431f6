/* reviews: what members say about the shop: product reviews
 * (/api/products/{id}/reviews, /api/reviews/{id}) and, on the ElectroPorts
 * site, shop-wide comments (/reviews), which are reviews without a product. */
#ifndef HAAS_REVIEWS_H
#define HAAS_REVIEWS_H

#include "router.h"

extern const struct route reviews_routes[];

#endif

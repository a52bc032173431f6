/* registration: drivers register with an identity document (multipart),
 * staff list requests, view documents (through nginx X-Accel-Redirect)
 * and approve or reject each request once. */
#ifndef HAAS_REGISTRATION_H
#define HAAS_REGISTRATION_H

#include "router.h"

extern const struct route registration_routes[];

#endif

/* notices: what admins see and do about notifications: the webhooks that
 * receive notices (URL, kinds, the signing secret shown once) and the
 * outbox itself, every notice with its delivery attempts, and a retry of
 * a dead one.  Writing notices is notify.h's job; delivering them is
 * haas-notifyd's. */
#ifndef HAAS_NOTICES_H
#define HAAS_NOTICES_H

#include "openapi.h"
#include "router.h"

/* /api/webhooks[/{id}[/secret|/test]] and /api/notices[/{id}[/retry]]
 * (admins). */
extern const struct route notices_routes[];
/* The reusable schemas its routes name (for /api/openapi.json). */
extern const struct schema_def notices_schemas[];

#endif

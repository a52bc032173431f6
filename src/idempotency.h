/* idempotency: Idempotency-Key for routes flagged ROUTE_IDEMPOTENT.  The
 * same key and request replay the first response with no second effect;
 * the same key with another request is 422; a key whose first request is
 * still running is 409. */
#ifndef HAAS_IDEMPOTENCY_H
#define HAAS_IDEMPOTENCY_H

#include <stdbool.h>

#include "err.h"

struct req;

/* Claims r's key before the handler runs.  *replayed is set when the
 * stored response was put into r (status and reply) instead. */
enum err idem_begin(struct req *r, bool *replayed);

/* After the response is final: keeps it for replay, or forgets the key on
 * a 5xx so the client may retry. */
void idem_finish(struct req *r);

#endif

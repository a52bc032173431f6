/* idempotency: Idempotency-Key for routes flagged ROUTE_IDEMPOTENT.  The
 * claim, the handler's effect and the stored response commit in one
 * transaction, so a response is kept exactly when its effect happened: the
 * same key and request replay it with no second effect (also after a reply
 * lost between COMMIT and the client), the same key with another request
 * is 422.  The claim is a row lock held by the running request: a second
 * request with the key waits for it (at most db_lock_wait_timeout, then
 * 503 Retry-After), and a request that dies takes its claim with it. */
#ifndef HAAS_IDEMPOTENCY_H
#define HAAS_IDEMPOTENCY_H

#include <stdbool.h>

#include "err.h"

struct req;

/* Inside the request's transaction: claims r's key, or, when a request
 * with this key already committed, puts its stored response into r
 * (status and reply) and sets *replayed.  Errors: ERR_BAD_REQUEST (a bad
 * key), ERR_IDEMPOTENCY_MISMATCH, ERR_DB_*. */
enum err idem_claim(struct req *r, bool *replayed);

/* In the same transaction, once r->status and r->reply are final: keeps
 * them for replays of the key. */
enum err idem_store(struct req *r);

#endif

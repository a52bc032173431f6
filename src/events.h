/* events: live updates for browsers.  A change that committed is POSTed as
 * one JSON event to nchan's publisher (nginx, a unix socket only local
 * processes reach), on a channel browsers hold an EventSource to.  An
 * event says "this changed": a page that missed one (it was offline, a
 * publish failed) reads the state again when it reconnects. */
#ifndef HAAS_EVENTS_H
#define HAAS_EVENTS_H

#include <json-c/json.h>

#include "config.h"

/* The channels nginx publishes (nginx/haas.conf.in's publisher server). */
#define EVENTS_PARKING "parking"
#define EVENTS_REGISTRATIONS "registrations"

/* POSTs event to channel at cfg->nchan_publish_url + channel; 0 when nchan
 * took it, -1 otherwise (logged; nothing is retried).  Does nothing and
 * answers 0 when no publisher is configured.  Call it after COMMIT, never
 * inside a transaction: a rolled-back change is never announced. */
int events_publish(const struct config *cfg, const char *channel,
		   json_object *event);

/* What nchan's publisher says of channel: its own JSON ({"messages",
 * "subscribers", "last_message_id": "<unix seconds>:<n>"}), {} for a
 * channel nobody holds and nothing was sent on lately, or NULL when there
 * is no publisher or it cannot be reached.  The caller puts it. */
json_object *events_channel_info(const struct config *cfg,
				 const char *channel);

#endif

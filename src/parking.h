/* parking: parking spaces bound to MQTT sensors, their public list with a
 * summary per zone, occupancy history, and licence plates. */
#ifndef HAAS_PARKING_H
#define HAAS_PARKING_H

#include <stdbool.h>
#include <stddef.h>

#include "body.h"
#include "openapi.h"
#include "router.h"

struct config;
struct db;

extern const struct route parking_routes[];
/* ParkingSpace, ParkingHistory, Plate... for /api/openapi.json. */
extern const struct schema_def parking_schemas[];

#define PLATE_MAX 10

/* Normalizes a plate into out (PLATE_MAX + 1 bytes): upper case, spaces
 * and hyphens removed.  False unless the result is 2 to 10 ASCII letters
 * and digits. */
bool parking_plate_normalize(const char *in, char out[PLATE_MAX + 1]);

/* ERR_OK when s is a usable sensor id (and so broker user name): 1 to 64
 * of [A-Za-z0-9._-] (ERR_SENSOR_ID_INVALID otherwise), and not the ingest
 * daemon's own broker account, cfg->mqtt_username, whose password
 * mosquitto_passwd would replace (ERR_SENSOR_ID_RESERVED). */
enum err parking_sensor_id_check(const struct config *cfg, const char *s);

/* Adds or replaces the broker account user:password in cfg's
 * mosquitto_passwd_file with mosquitto_passwd (serialized by a lock file
 * beside it), then sends SIGHUP to the broker named by mosquitto_pid_file
 * so it takes the account without a restart.  Never touches the ingest
 * daemon's account (cfg->mqtt_username).  Returns 0 or -1 (logged). */
int parking_broker_account_add(const struct config *cfg, const char *user,
			       const char *password);

/* Registers sensor_id in the database; when it is new, creates its broker
 * account with a fresh password returned in *password (the caller frees
 * it; NULL when the sensor already existed). */
enum err parking_sensor_add(struct db *db, const struct config *cfg,
			    const char *sensor_id, char **password);

/* A staff decision on a plate or a registration: PUT {"status":
 * "approved"|"rejected", "reason"} on the path's {id}. */
struct decision {
	long long id;
	bool approve;
	const char *status;	/* "approved" or "rejected" */
	const char *reason;	/* NULL when none was given */
};

/* A decision's body (status, reason): the route rows of both decisions
 * name it with ROUTE_FIELDS, so the router reads it into r->vals. */
#define PARKING_DECISION_NFIELDS 2
extern const struct field parking_decision_spec[PARKING_DECISION_NFIELDS];

/* Reads the path id (missing when it is malformed) and the route's
 * parking_decision_spec fields (r->vals) into d.  ERR_DECISION_INVALID
 * for another status. */
enum err parking_decision_read(struct req *r, enum err missing,
			       struct decision *d);

/* Announces a change of the staff queue on the live registrations channel
 * (events.h): {"type": "registration"|"plate", "request_id"|"plate_id",
 * "status"}, ids and status only (no names, emails or documents); id 0
 * names none (requests that expired).  Announced with req_event: it goes
 * out once the request succeeded and committed (an Idempotency-Key
 * request's too); a failed publish is logged, never an error. */
void parking_queue_event(struct req *r, const char *type, long long id,
			 const char *status);

/* Who decides plates and registrations.  Both routes are
 * ROUTE_AUTH_LATE: their procedures (sql/018_bookings_decisions.sql)
 * check the caller's account and this role in their one round trip. */
#define PARKING_DECISION_ROLE ROLE_OPERATOR

/* The reply of a decision's procedure: its answer's object key (the
 * request or plate as decided) as the reply's key; ERR_INTERNAL when the
 * answer has none. */
enum err parking_decision_reply(struct req *r, json_object *out,
				const char *key);

#endif

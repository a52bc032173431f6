/* ops: GET /api/health, GET /api/system (the state of the house for
 * admins) and GET /api/openapi.json (generated from the route tables, so
 * it can never drift from what the router serves). */
#include "ops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "auth.h"
#include "db.h"
#include "events.h"
#include "isotime.h"
#include "migrate.h"
#include "openapi.h"
#include "util.h"

enum ops_sql {
	Q_DATABASE,
	Q_DB_STATUS,
	Q_DB_SIZE,
	Q_USERS,
	Q_REGISTRATIONS,
	Q_ORDERS,
	Q_SPACES,
};

static const char *const sql[] = {
	[Q_DATABASE] = "SELECT VERSION(), UTC_TIMESTAMP(6),"
		" (SELECT MAX(version) FROM schema_migrations),"
		" (SELECT COUNT(*) FROM schema_migrations)",
	/* Readable by every account, no privilege needed. */
	[Q_DB_STATUS] = "SELECT LOWER(VARIABLE_NAME), VARIABLE_VALUE"
		" FROM information_schema.GLOBAL_STATUS"
		" WHERE VARIABLE_NAME IN ('UPTIME', 'THREADS_CONNECTED')",
	[Q_DB_SIZE] = "SELECT COALESCE(SUM(DATA_LENGTH + INDEX_LENGTH), 0)"
		" FROM information_schema.TABLES"
		" WHERE TABLE_SCHEMA = DATABASE()",
	[Q_USERS] = "SELECT role, status, COUNT(*) FROM users"
		" GROUP BY role, status",
	/* Pending and not yet past registration_ttl_days (an overdue one
	 * expires the next time registrations are touched). */
	[Q_REGISTRATIONS] = "SELECT COUNT(*) FROM registration_requests"
		" WHERE status = 'pending'"
		" AND submitted_at >= UTC_TIMESTAMP(6) - INTERVAL ? DAY",
	[Q_ORDERS] = "SELECT status, COUNT(*) FROM orders GROUP BY status",
	[Q_SPACES] = "SELECT status, COUNT(*) FROM parking_spaces"
		" WHERE retired_at IS NULL GROUP BY status",
};

static enum err
ops_health(struct req *r)
{
	enum err e = db_ping(r->db);
	json_object *o = req_reply(r);

	json_object_object_add(o, "status", json_object_new_string(
		e == ERR_OK ? "ok" : "error"));
	json_object_object_add(o, "db", json_object_new_string(
		e == ERR_OK ? "ok" : "down"));
	json_object_object_add(o, "version",
			       json_object_new_string(r->app->version));
	if (e == ERR_OK)
		return ERR_OK;
	req_fail_extra(r, "status", json_object_new_string("error"));
	req_fail_extra(r, "db", json_object_new_string("down"));
	req_fail_extra(r, "version", json_object_new_string(r->app->version));
	return ERR_DB_DOWN;
}

/* Liveness: the process answers.  No database: a database that is down
 * is readiness's business, and restarting haasd would not bring it up. */
static enum err
ops_live(struct req *r)
{
	json_object *o = req_reply(r);

	json_object_object_add(o, "status", json_object_new_string("ok"));
	json_object_object_add(o, "version",
			       json_object_new_string(r->app->version));
	return ERR_OK;
}

/* Readiness: the database answers and every migration of sql_dir is
 * applied; otherwise 503 with the same keys, saying which. */
static enum err
ops_ready(struct req *r)
{
	int pending = 0;
	enum err e = migrate_pending(r->db, r->app->cfg.sql_dir, &pending);
	bool db_ok = e != ERR_DB_DOWN;
	bool ok = e == ERR_OK && pending == 0;
	json_object *o = json_object_new_object();

	json_object_object_add(o, "status", json_object_new_string(
		ok ? "ok" : "error"));
	json_object_object_add(o, "db", json_object_new_string(
		db_ok ? "ok" : "down"));
	json_object_object_add(o, "migrations", json_object_new_string(
		e != ERR_OK ? "unknown" : pending ? "pending" : "current"));
	json_object_object_add(o, "pending_migrations", e == ERR_OK
		? json_object_new_int(pending) : NULL);
	json_object_object_add(o, "version",
			       json_object_new_string(r->app->version));
	if (ok) {
		json_object_put(r->reply);
		r->reply = o;
		return ERR_OK;
	}
	json_object_object_foreach(o, key, val)
		req_fail_extra(r, key, json_object_get(val));
	json_object_put(o);
	return db_ok ? ERR_UNAVAILABLE : ERR_DB_DOWN;
}

/* ---- GET /api/system ---------------------------------------------------- */

static void
add_int(json_object *o, const char *key, long long n)
{
	json_object_object_add(o, key, json_object_new_int64(n));
}

/* n more under key of o (a missing key counts as 0). */
static void
bump(json_object *o, const char *key, long long n)
{
	json_object *v;

	if (json_object_object_get_ex(o, key, &v))
		n += json_object_get_int64(v);
	add_int(o, key, n);
}

/* An object with every key of keys at 0. */
static json_object *
zeroes(const char *const *keys)
{
	json_object *o = json_object_new_object();

	for (; *keys; keys++)
		add_int(o, *keys, 0);
	return o;
}

/* The database server, the schema and the connection's view of them. */
static enum err
system_database(struct req *r, json_object *out)
{
	json_object *db = json_object_new_object();
	struct db_rows *rows;
	long long size;
	enum err e;

	json_object_object_add(out, "database", db);
	e = db_row(r->db, sql[Q_DATABASE], DB_NONE, 4, ERR_INTERNAL, &rows);
	if (e != ERR_OK)
		return e;
	json_object_object_add(db, "status", json_object_new_string("ok"));
	json_object_object_add(db, "server", json_str_or_null(db_col(rows, 0)));
	json_object_object_add(out, "time", json_time(db_col(rows, 1)));
	json_object_object_add(db, "schema", json_str_or_null(db_col(rows, 2)));
	add_int(db, "migrations", db_col_int(rows, 3));
	db_rows_free(rows);
	e = db_query(r->db, sql[Q_DB_STATUS], DB_NONE, 2, &rows);
	if (e != ERR_OK)
		return e;
	while (db_next(rows))
		add_int(db, !strcmp(db_col(rows, 0), "uptime")
			? "uptime_seconds" : "connections", db_col_int(rows, 1));
	e = db_rows_err(rows);
	db_rows_free(rows);
	if (e == ERR_OK)
		e = db_query_int(r->db, sql[Q_DB_SIZE], DB_NONE, ERR_OK, &size);
	if (e == ERR_OK)
		add_int(db, "size_bytes", size);
	return e;
}

/* Accounts by role and by status; erased ones apart; the active admins
 * (the last-admin rule counts them). */
static enum err
system_users(struct req *r, json_object *counts)
{
	static const char *const roles[] = { "user", "operator", "admin",
					     NULL };
	static const char *const states[] = { "active", "pending", "disabled",
					      NULL };
	json_object *u = json_object_new_object();
	json_object *by_role = zeroes(roles), *by_status = zeroes(states);
	long long total = 0, erased = 0, admins = 0, n;
	struct db_rows *rows;
	enum err e;

	json_object_object_add(counts, "users", u);
	json_object_object_add(u, "by_role", by_role);
	json_object_object_add(u, "by_status", by_status);
	e = db_query(r->db, sql[Q_USERS], DB_NONE, 3, &rows);
	if (e != ERR_OK)
		return e;
	while (db_next(rows)) {
		const char *role = db_col(rows, 0), *status = db_col(rows, 1);

		n = db_col_int(rows, 2);
		if (!strcmp(status, "deleted")) {
			erased += n;
			continue;
		}
		total += n;
		bump(by_role, role, n);
		bump(by_status, status, n);
		if (!strcmp(role, "admin") && !strcmp(status, "active"))
			admins += n;
	}
	e = db_rows_err(rows);
	db_rows_free(rows);
	add_int(u, "total", total);
	add_int(u, "erased", erased);
	add_int(u, "active_admins", admins);
	return e;
}

/* {status: count, ..., total} of a "SELECT status, COUNT(*)" query, every
 * status of keys present. */
static enum err
system_by_status(struct req *r, const char *q, const char *const *keys,
		 json_object *counts, const char *key)
{
	json_object *o = zeroes(keys);
	struct db_rows *rows;
	long long total = 0;
	enum err e;

	json_object_object_add(counts, key, o);
	e = db_query(r->db, q, DB_NONE, 2, &rows);
	if (e != ERR_OK)
		return e;
	while (db_next(rows)) {
		bump(o, db_col(rows, 0), db_col_int(rows, 1));
		total += db_col_int(rows, 1);
	}
	e = db_rows_err(rows);
	db_rows_free(rows);
	add_int(o, "total", total);
	return e;
}

static enum err
system_counts(struct req *r, json_object *out)
{
	static const char *const orders[] = { "pending", "paid", "shipped",
		"delivered", "cancelled", NULL };
	static const char *const spaces[] = { "free", "occupied", "unknown",
		"out_of_service", NULL };
	json_object *counts = json_object_new_object();
	long long pending;
	enum err e;

	json_object_object_add(out, "counts", counts);
	e = system_users(r, counts);
	if (e == ERR_OK)
		e = db_query_int(r->db, sql[Q_REGISTRATIONS], DB_P(db_int(
			r->app->cfg.registration_ttl_days)), ERR_OK, &pending);
	if (e == ERR_OK)
		add_int(counts, "pending_registrations", pending);
	if (e == ERR_OK)
		e = system_by_status(r, sql[Q_ORDERS], orders, counts,
				     "orders");
	if (e == ERR_OK)
		e = system_by_status(r, sql[Q_SPACES], spaces, counts,
				     "spaces");
	return e;
}

/* What nchan says of a channel (events_channel_info) as {subscribers,
 * queued_messages, last_message_at}; NULL when it could not be asked. */
static json_object *
channel_json(const struct config *cfg, const char *channel)
{
	json_object *info = events_channel_info(cfg, channel), *o, *v;
	char at[ISOTIME_DB_MAX];
	long long secs = 0;

	if (!info)
		return NULL;
	o = json_object_new_object();
	add_int(o, "subscribers", json_object_object_get_ex(info,
		"subscribers", &v) ? json_object_get_int64(v) : 0);
	add_int(o, "queued_messages", json_object_object_get_ex(info,
		"messages", &v) ? json_object_get_int64(v) : 0);
	if (json_object_object_get_ex(info, "last_message_id", &v))
		secs = strtoll(json_object_get_string(v), NULL, 10);
	if (secs > 0) {
		isotime_db(secs * ISOTIME_US_PER_SEC, at);
		json_object_object_add(o, "last_message_at", json_time(at));
	} else {
		json_object_object_add(o, "last_message_at", NULL);
	}
	json_object_put(info);
	return o;
}

/* The live events' publisher (nchan) and each channel's subscribers. */
static void
system_events(struct req *r, json_object *out)
{
	static const char *const channels[] = { EVENTS_PARKING,
		EVENTS_REGISTRATIONS, NULL };
	const char *url = r->app->cfg.nchan_publish_url;
	json_object *ev = json_object_new_object();
	json_object *chans = json_object_new_object(), *c;
	bool reachable = true;
	size_t i;

	json_object_object_add(out, "events", ev);
	json_object_object_add(ev, "configured",
			       json_object_new_boolean(url && *url));
	if (!url || !*url) {
		json_object_object_add(ev, "reachable", NULL);
		json_object_put(chans);
		return;
	}
	for (i = 0; channels[i]; i++) {
		c = channel_json(&r->app->cfg, channels[i]);
		reachable &= c != NULL;
		json_object_object_add(chans, channels[i], c);
	}
	json_object_object_add(ev, "reachable",
			       json_object_new_boolean(reachable));
	json_object_object_add(ev, "channels", chans);
}

static enum err
ops_system(struct req *r)
{
	json_object *o = req_reply(r);
	enum err e;

	json_object_object_add(o, "version",
			       json_object_new_string(r->app->version));
	e = system_database(r, o);
	if (e == ERR_OK)
		e = system_counts(r, o);
	if (e == ERR_OK)
		system_events(r, o);
	return e;
}

/* ---- GET /api/openapi.json ---------------------------------------------- */

static enum err
ops_openapi(struct req *r)
{
	const char *bad;
	json_object *doc = openapi_document(r->app->cfg.public_url,
					    r->app->version, &bad);

	if (!doc)
		return req_fail(r, ERR_INTERNAL, "a reply does not parse: %s",
				bad);
	json_object_put(r->reply);
	r->reply = doc;
	return ERR_OK;
}

/* What ops_health and ops_system write.  A role or status the database
 * holds beyond the ones always listed comes as one more key. */
const struct schema_def ops_schemas[] = {
	{ "Health", "{status: string, db: string, version: string}" },
	{ "Liveness", "{status: string, version: string}" },
	{ "Readiness", "{status: string, db: string, migrations: string,"
	  " pending_migrations: int?, version: string}" },
	{ "System", "{version: string, time: time,"
	  " database: {status: string, server: string?, schema: string?,"
	  "  migrations: int, uptime_seconds: int, connections: int,"
	  "  size_bytes: int},"
	  " counts: {users: {by_role: {user: int, operator: int, admin: int},"
	  "   by_status: {active: int, pending: int, disabled: int},"
	  "   total: int, erased: int, active_admins: int},"
	  "  pending_registrations: int,"
	  "  orders: {pending: int, paid: int, shipped: int, delivered: int,"
	  "   cancelled: int, total: int},"
	  "  spaces: {free: int, occupied: int, unknown: int,"
	  "   out_of_service: int, total: int}},"
	  " events: {configured: bool, reachable: bool?,"
	  "  channels?: {parking: EventChannel?, registrations: EventChannel?}}}" },
	/* nchan's view of one channel; null when it could not be asked */
	{ "EventChannel", "{subscribers: int, queued_messages: int,"
	  " last_message_at: time?}" },
	{ NULL, NULL },
};

const struct route ops_routes[] = {
	/* a database that does not answer: 503 with the same three keys */
	{ "GET", "/api/health", ROLE_NONE, 200, BODY_NONE, ops_health,
	  "Liveness and database reachability", .reply = "Health" },
	/* the process answers; never touches the database */
	{ "GET", "/api/health/live", ROLE_NONE, 200, BODY_NONE, ops_live,
	  "Liveness: the server process answers", .reply = "Liveness" },
	/* 503 with the same keys when the database is down or a migration
	 * is not applied */
	{ "GET", "/api/health/ready", ROLE_NONE, 200, BODY_NONE, ops_ready,
	  "Readiness: the database answers and its schema is current",
	  .reply = "Readiness", ROUTE_ERRORS(ERR_UNAVAILABLE) },
	{ "GET", "/api/system", ROLE_ADMIN, 200, BODY_NONE, ops_system,
	  "Version, database, counts and the live events' publisher",
	  .reply = "System" },
	{ "GET", "/api/openapi.json", ROLE_NONE, 200, BODY_NONE, ops_openapi,
	  "This API's OpenAPI 3.1 description (what /docs shows)",
	  .reply = "{openapi: string, info: object, servers: [object],"
	  " tags: [object], paths: object, components: object}",
	  ROUTE_ERRORS(ERR_INTERNAL) },
	{ 0 },
};

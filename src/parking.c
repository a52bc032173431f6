/* parking: spaces bound to MQTT sensors (admins create, edit, retire), the
 * public list with a summary per zone, history with cursor paging, and
 * plates (normalized, unique, looked up by operators). */
#include "parking.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "audit.h"
#include "body.h"
#include "db.h"
#include "events.h"
#include "log.h"
#include "util.h"

#define SPACE_COLS \
	"id, code, zone, sensor_id, status, updated_at, last_seen_at"
#define PLATE_COLS \
	"p.id, p.plate_number, p.user_id, p.created_at, p.status, p.reason," \
	" p.decided_at, p.decided_by, o.username, o.name, o.email, o.status," \
	" d.username, d.name"
#define PLATE_NCOLS 14
/* A plate with its owner and who decided it (staff see them by name). */
#define PLATE_FROM \
	" FROM plates p JOIN users o ON o.id = p.user_id" \
	" LEFT JOIN users d ON d.id = p.decided_by"
/* ? IS NULL disables a filter: the caller's own, a status, the search: a
 * number that starts with it, or (staff) an owner whose username, name or
 * email contains it. */
#define PLATE_WHERE \
	" WHERE (? IS NULL OR p.user_id = ?)" \
	" AND (? IS NULL OR p.status = ?)" \
	" AND (? IS NULL OR p.plate_number LIKE ? OR o.username LIKE ?" \
	" OR o.name LIKE ? OR o.email LIKE ?)"

enum parking_sql {
	Q_SENSOR_ADD,
	Q_SPACE_INSERT,
	Q_SPACE_GET,
	Q_SPACE_LIST,
	Q_SUMMARY,
	Q_SPACE_LOCK,
	Q_SPACE_UPDATE,
	Q_SPACE_RETIRE,
	Q_SPACE_EXISTS,
	Q_SPACE_LAST,
	Q_HISTORY_ADD,
	Q_HISTORY,
	Q_PLATE_INSERT,
	Q_PLATE_GET,
	Q_PLATE_LIST,
	Q_PLATE_COUNT,
	Q_PLATE_DELETE,
	Q_PLATE_LOOKUP,
	Q_PLATE_PERMIT,
	Q_PLATE_DECIDE,
	Q_PLATE_RECLAIM,
	Q_PLATE_MINE,
};

static const char *const sql[] = {
	/* affected = 1 means the sensor is new and needs a broker account */
	[Q_SENSOR_ADD] =
		"INSERT IGNORE INTO parking_sensors (sensor_id) VALUES (?)",
	[Q_SPACE_INSERT] =
		"INSERT INTO parking_spaces (code, zone, sensor_id)"
		" VALUES (?, ?, ?)",
	[Q_SPACE_GET] = "SELECT " SPACE_COLS " FROM parking_spaces"
		" WHERE id = ? AND retired_at IS NULL",
	[Q_SPACE_LIST] = "SELECT " SPACE_COLS " FROM parking_spaces"
		" WHERE retired_at IS NULL AND (? IS NULL OR zone = ?)"
		" AND (? IS NULL OR status = ?) ORDER BY zone, code, id"
		" LIMIT ? OFFSET ?",
	[Q_SUMMARY] = "SELECT zone, status, COUNT(*) FROM parking_spaces"
		" WHERE retired_at IS NULL AND (? IS NULL OR zone = ?)"
		" AND (? IS NULL OR status = ?) GROUP BY zone, status"
		" ORDER BY zone, status",
	[Q_SPACE_LOCK] = "SELECT status, sensor_id FROM parking_spaces"
		" WHERE id = ? AND retired_at IS NULL FOR UPDATE",
	/* A new sensor starts a new seq series, so last_seq is reset, and
	 * is not the old one's silence (its first report is no "back"). */
	[Q_SPACE_UPDATE] = "UPDATE parking_spaces SET code = COALESCE(?, code),"
		" zone = COALESCE(?, zone),"
		" last_seq = IF(? IS NULL OR ? = sensor_id, last_seq, NULL),"
		" sensor_silent_at = IF(? IS NULL OR ? = sensor_id,"
		" sensor_silent_at, NULL),"
		" sensor_id = COALESCE(?, sensor_id),"
		" status = COALESCE(?, status), updated_at = UTC_TIMESTAMP(6)"
		" WHERE id = ? AND retired_at IS NULL",
	[Q_SPACE_RETIRE] = "UPDATE parking_spaces SET retired_at ="
		" UTC_TIMESTAMP(6) WHERE id = ? AND retired_at IS NULL",
	[Q_SPACE_EXISTS] = "SELECT COUNT(*) FROM parking_spaces WHERE id = ?",
	/* A space as it was when it went, retired or not. */
	[Q_SPACE_LAST] = "SELECT id, code, zone, sensor_id, status,"
		" COALESCE(retired_at, updated_at), last_seen_at"
		" FROM parking_spaces WHERE id = ?",
	[Q_HISTORY_ADD] = "INSERT INTO parking_history (space_id, status,"
		" source, seq) VALUES (?, ?, ?, ?)",
	/* Newest first; the cursor is the last id seen. */
	[Q_HISTORY] = "SELECT id, status, at, source FROM parking_history"
		" WHERE space_id = ? AND id < ? AND (? IS NULL OR at >= ?)"
		" AND (? IS NULL OR at < ?) ORDER BY id DESC LIMIT ?",
	[Q_PLATE_INSERT] =
		"INSERT INTO plates (user_id, plate_number) VALUES (?, ?)",
	[Q_PLATE_GET] = "SELECT " PLATE_COLS PLATE_FROM " WHERE p.id = ?",
	[Q_PLATE_LIST] = "SELECT " PLATE_COLS PLATE_FROM PLATE_WHERE
		" ORDER BY p.status = 'pending' DESC, p.id DESC"
		" LIMIT ? OFFSET ?",
	[Q_PLATE_COUNT] = "SELECT COUNT(*)" PLATE_FROM PLATE_WHERE,
	[Q_PLATE_DELETE] = "DELETE FROM plates WHERE id = ?"
		" AND (? IS NULL OR user_id = ?)",
	/* The plate's most telling row: the permit, else a pending claim,
	 * else a rejected one. */
	[Q_PLATE_LOOKUP] = "SELECT " PLATE_COLS PLATE_FROM
		" WHERE p.plate_number = ?"
		" ORDER BY FIELD(p.status, 'approved', 'pending', 'rejected'),"
		" p.id DESC LIMIT 1",
	[Q_PLATE_PERMIT] = "SELECT COUNT(*) FROM plates WHERE live_plate = ?",
	/* sql/018_bookings_decisions.sql: the plate locked, decided once,
	 * the number's other claims answered, the audit entry; answers the
	 * plate as decided. */
	[Q_PLATE_DECIDE] = "CALL haas_plate_decide(?, ?, ?, ?, ?, ?, ?, ?, ?)",
	/* The caller's rejected claim of a number, asked for again. */
	[Q_PLATE_RECLAIM] = "UPDATE plates SET status = 'pending', reason = NULL,"
		" decided_at = NULL, decided_by = NULL,"
		" created_at = UTC_TIMESTAMP(6)"
		" WHERE user_id = ? AND plate_number = ? AND status = 'rejected'",
	[Q_PLATE_MINE] = "SELECT id FROM plates WHERE user_id = ?"
		" AND plate_number = ?",
};

static const char *const space_statuses[] = {
	"free", "occupied", "unknown", "out_of_service",
};

/* ---- shared rules -------------------------------------------------------- */

bool
parking_plate_normalize(const char *in, char out[PLATE_MAX + 1])
{
	size_t n = 0;

	for (; *in; in++) {
		unsigned char c = (unsigned char)*in;

		if (c == ' ' || c == '-')
			continue;
		if (!isalnum(c) || c > 127 || n >= PLATE_MAX)
			return false;
		out[n++] = (char)toupper(c);
	}
	out[n] = '\0';
	return n >= 2;
}

enum err
parking_sensor_id_check(const struct config *cfg, const char *s)
{
	size_t n = strlen(s), i;

	if (n < 1 || n > 64)
		return ERR_SENSOR_ID_INVALID;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("._-", s[i]))
			return ERR_SENSOR_ID_INVALID;
	if (cfg->mqtt_username && !strcmp(s, cfg->mqtt_username))
		return ERR_SENSOR_ID_RESERVED;
	return ERR_OK;
}

static int
run_passwd(const char *file, const char *user, const char *password)
{
	sigset_t all;
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		sigemptyset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		execlp("mosquitto_passwd", "mosquitto_passwd", "-b", file, user,
		       password, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static void
broker_reload(const char *pid_file)
{
	char buf[32] = { 0 };
	long long pid;
	FILE *f = pid_file ? fopen(pid_file, "r") : NULL;

	if (!f)
		return;
	if (fgets(buf, sizeof(buf), f))
		buf[strcspn(buf, "\r\n")] = '\0';
	fclose(f);
	if (parse_ll(buf, 2, INT32_MAX, &pid) == 0)
		kill((pid_t)pid, SIGHUP);
}

/* The password travels in mosquitto_passwd's argv for a moment: the broker
 * and haasd run as root on a private stack, so only root can see it. */
int
parking_broker_account_add(const struct config *cfg, const char *user,
			   const char *password)
{
	char *lock;
	int fd, rc;

	if (!cfg->mosquitto_passwd_file || !*cfg->mosquitto_passwd_file) {
		log_error("mosquitto_passwd_file is not set: cannot add sensor %s",
			  user);
		return -1;
	}
	if (parking_sensor_id_check(cfg, user) != ERR_OK) {
		log_error("refusing to set the broker password of %s", user);
		return -1;
	}
	lock = xasprintf("%s.lock", cfg->mosquitto_passwd_file);
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	free(lock);
	if (fd < 0 || flock(fd, LOCK_EX) < 0) {
		log_error("cannot lock the broker password file: %s",
			  strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	rc = run_passwd(cfg->mosquitto_passwd_file, user, password);
	close(fd);
	if (rc) {
		log_error("mosquitto_passwd failed for sensor %s", user);
		return -1;
	}
	broker_reload(cfg->mosquitto_pid_file);
	return 0;
}

/* ---- helpers -------------------------------------------------------------- */

static enum err
path_id(struct req *r, enum err missing, long long *id)
{
	const char *s = req_param(r, "id");

	if (!s || parse_ll(s, 1, INT64_MAX, id))
		return missing;
	return ERR_OK;
}

/* The first column of the first row of a COUNT(*) query. */
static enum err
count_of(struct req *r, const char *q, const struct db_param *p, size_t np,
	 long long *n)
{
	return db_query_int(r->db, q, p, np, ERR_OK, n);
}

static bool
space_status_valid(const char *s)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(space_statuses); i++)
		if (!strcmp(s, space_statuses[i]))
			return true;
	return false;
}

static json_object *
space_json(const struct db_rows *rows, bool staff)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "space_id", json_id(db_col_int(rows, 0)));
	json_object_object_add(o, "code", json_object_new_string(db_col(rows, 1)));
	json_object_object_add(o, "zone", json_object_new_string(db_col(rows, 2)));
	if (staff)
		json_object_object_add(o, "sensor_id",
				       json_object_new_string(db_col(rows, 3)));
	json_object_object_add(o, "status",
			       json_object_new_string(db_col(rows, 4)));
	json_object_object_add(o, "updated_at", json_time(db_col(rows, 5)));
	json_object_object_add(o, "last_seen_at", json_time(db_col(rows, 6)));
	return o;
}

static bool
is_staff(const struct req *r)
{
	return r->user.role >= ROLE_OPERATOR;
}

static json_object *
space_json_staff(const struct db_rows *row)
{
	return space_json(row, true);
}

static json_object *
space_json_public(const struct db_rows *row)
{
	return space_json(row, false);
}

/* Puts {"parking_space": {...}} into the reply. */
static enum err
reply_space(struct req *r, long long id)
{
	return req_reply_row(r, "parking_space", sql[Q_SPACE_GET],
			     DB_P(db_int(id)), 7, ERR_SPACE_NOT_FOUND,
			     is_staff(r) ? space_json_staff : space_json_public);
}

static enum err
space_dup(struct req *r)
{
	if (!strcmp(db_dup_key(r->db), "uq_spaces_sensor"))
		return ERR_SENSOR_TAKEN;
	return ERR_SPACE_CODE_TAKEN;
}

/* Tells every open board about a staff change of a space once it has
 * committed (req_event): the event ingestd sends for a sensor's (README, parking),
 * source "staff", and "retired": true when the space is gone.  space is
 * borrowed. */
static void
space_announce(struct req *r, json_object *space, bool retired)
{
	static const char *const keys[] = {
		"space_id", "code", "zone", "status", "updated_at",
	};
	json_object *ev = json_object_new_object(), *v;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(keys); i++)
		if (json_object_object_get_ex(space, keys[i], &v))
			json_object_object_add(ev, keys[i], json_object_get(v));
	json_object_object_add(ev, "source", json_object_new_string("staff"));
	if (retired)
		json_object_object_add(ev, "retired",
				       json_object_new_boolean(true));
	req_event(r, EVENTS_PARKING, ev);
}

/* The reply's space, announced (after COMMIT). */
static enum err
reply_space_announce(struct req *r, long long id)
{
	enum err e = reply_space(r, id);

	if (e == ERR_OK)
		space_announce(r, json_object_object_get(req_reply(r),
				"parking_space"), false);
	return e;
}

/* ---- spaces --------------------------------------------------------------- */

static void
summary_add(json_object *o, const char *status, long long n)
{
	json_object *v;
	long long had = 0;

	if (json_object_object_get_ex(o, status, &v))
		had = json_object_get_int64(v);
	json_object_object_add(o, status, json_object_new_int64(had + n));
}

static json_object *
summary_new(void)
{
	json_object *o = json_object_new_object();
	size_t i;

	for (i = 0; i < ARRAY_SIZE(space_statuses); i++)
		json_object_object_add(o, space_statuses[i],
				       json_object_new_int64(0));
	json_object_object_add(o, "total", json_object_new_int64(0));
	return o;
}

/* {"free", "occupied", "unknown", "out_of_service", "total", "zones":
 * {"<zone>": {the same counts}}} over the filtered spaces. */
static enum err
summary(struct req *r, const char *zone, const char *status)
{
	json_object *all = summary_new(), *zones = json_object_new_object();
	json_object *z;
	struct db_rows *rows;
	enum err e;

	json_object_object_add(all, "zones", zones);
	json_object_object_add(req_reply(r), "summary", all);
	e = db_query(r->db, sql[Q_SUMMARY], DB_P(db_str(zone), db_str(zone),
		db_str(status), db_str(status)), 3, &rows);
	if (e != ERR_OK)
		return e;
	while (db_next(rows)) {
		long long n = db_col_int(rows, 2);

		if (!json_object_object_get_ex(zones, db_col(rows, 0), &z)) {
			z = summary_new();
			json_object_object_add(zones, db_col(rows, 0), z);
		}
		summary_add(z, db_col(rows, 1), n);
		summary_add(z, "total", n);
		summary_add(all, db_col(rows, 1), n);
		summary_add(all, "total", n);
	}
	e = db_rows_err(rows);
	db_rows_free(rows);
	return e;
}

static enum err
spaces_list(struct req *r)
{
	const char *zone = req_query(r, "zone"), *status = req_query(r, "status");
	long long limit, offset;
	json_object *arr = json_object_new_array();
	struct db_rows *rows;
	enum err e = req_paging(r, &limit, &offset);

	json_object_object_add(req_reply(r), "parking_spaces", arr);
	if (status && *status && !space_status_valid(status))
		return ERR_SPACE_STATUS_INVALID;
	zone = zone && *zone ? zone : NULL;
	status = status && *status ? status : NULL;
	if (e == ERR_OK)
		e = db_query(r->db, sql[Q_SPACE_LIST], DB_P(db_str(zone),
			db_str(zone), db_str(status), db_str(status),
			db_int(limit), db_int(offset)), 7, &rows);
	if (e != ERR_OK)
		return e;
	while (db_next(rows))
		json_object_array_add(arr, space_json(rows, is_staff(r)));
	e = db_rows_err(rows);
	db_rows_free(rows);
	if (e == ERR_OK)
		e = summary(r, zone, status);
	json_object_object_add(req_reply(r), "total", json_object_get(
		json_object_object_get(json_object_object_get(req_reply(r),
			"summary"), "total")));
	return e;
}

static enum err
spaces_get(struct req *r)
{
	long long id;
	enum err e = path_id(r, ERR_SPACE_NOT_FOUND, &id);

	return e != ERR_OK ? e : reply_space(r, id);
}

enum { S_CODE, S_ZONE, S_SENSOR, S_STATUS };

static const struct field space_spec[] = {
	[S_CODE] = { "code", FT_STRING, F_REQUIRED | F_TRIM, 1, 32,
		     ERR_SPACE_FIELDS },
	[S_ZONE] = { "zone", FT_STRING, F_REQUIRED | F_TRIM, 1, 64,
		     ERR_SPACE_FIELDS },
	[S_SENSOR] = { "sensor_id", FT_STRING, F_REQUIRED | F_TRIM, 1, 64,
		       ERR_SPACE_FIELDS, ERR_SENSOR_ID_INVALID },
	[S_STATUS] = { "status", FT_STRING, 0, 1, 32 },
};

/* The same fields for PATCH, each optional. */
static const struct field space_patch_spec[] = {
	[S_CODE] = { "code", FT_STRING, F_TRIM, 1, 32, ERR_SPACE_FIELDS },
	[S_ZONE] = { "zone", FT_STRING, F_TRIM, 1, 64, ERR_SPACE_FIELDS },
	[S_SENSOR] = { "sensor_id", FT_STRING, F_TRIM, 1, 64,
		       ERR_SPACE_FIELDS, ERR_SENSOR_ID_INVALID },
	[S_STATUS] = { "status", FT_STRING, 0, 1, 32 },
};

enum err
parking_sensor_add(struct db *db, const struct config *cfg,
		   const char *sensor_id, char **password)
{
	struct db_result res;
	enum err e = db_exec(db, sql[Q_SENSOR_ADD], DB_P(db_str(sensor_id)),
			     &res);

	*password = NULL;
	if (e != ERR_OK || res.affected == 0)
		return e;
	*password = random_token(18);
	if (parking_broker_account_add(cfg, sensor_id, *password)) {
		free(*password);
		*password = NULL;
		return ERR_INTERNAL;
	}
	return ERR_OK;
}

/* Registers sensor_id; when it is new, its broker password goes into the
 * reply (shown this once). */
static enum err
sensor_bind(struct req *r, const char *sensor_id)
{
	char *pw;
	enum err e = parking_sensor_add(r->db, &r->app->cfg, sensor_id, &pw);

	if (e != ERR_OK || !pw)
		return e;
	json_object_object_add(req_reply(r), "sensor_password",
			       json_object_new_string(pw));
	free(pw);
	return audit_write(r->db, r, r->user.id, "sensor.create", "sensor",
			   sensor_id, NULL);
}

static json_object *
space_details(const struct field_value *v)
{
	json_object *d = json_object_new_object();
	size_t i;

	for (i = 0; i < ARRAY_SIZE(space_spec); i++)
		if (v[i].set && !v[i].is_null)
			json_object_object_add(d, space_spec[i].name,
				json_object_new_string(v[i].s));
	return d;
}

/* One write of a space: the body and the space's id. */
struct space_write {
	const struct field_value *v;
	long long id;
};

/* The sensor (a broker account when new), the space, the audit entry
 * (in req_txn). */
static enum err
space_insert_tx(struct req *r, void *arg)
{
	struct space_write *w = arg;
	const struct field_value *v = w->v;
	struct db_result res;
	enum err e = sensor_bind(r, v[S_SENSOR].s);

	if (e == ERR_OK)
		e = db_exec(r->db, sql[Q_SPACE_INSERT], DB_P(db_str(v[S_CODE].s),
			db_str(v[S_ZONE].s), db_str(v[S_SENSOR].s)), &res);
	if (e == ERR_DUPLICATE)
		return space_dup(r);
	if (e != ERR_OK)
		return e;
	w->id = (long long)res.insert_id;
	return audit_write(r->db, r, r->user.id, "parking_space.create",
			   "parking_space", req_printf(r, "%lld", w->id),
			   space_details(v));
}

static enum err
spaces_create(struct req *r)
{
	const struct field_value *v = r->vals;	/* space_spec */
	struct space_write w = { v, 0 };
	enum err e = parking_sensor_id_check(&r->app->cfg, v[S_SENSOR].s);

	if (e == ERR_OK)
		e = req_txn(r, space_insert_tx, &w);
	return e != ERR_OK ? e : reply_space_announce(r, w.id);
}

/* Checks a PATCH body (space_patch_spec, read by the router): status
 * only as staff may set it (out of service, or back to unknown for the
 * sensor to refresh). */
static enum err
space_patch_check(struct req *r, const struct field_value *v)
{
	enum err e;

	if (v[S_SENSOR].set && !v[S_SENSOR].is_null) {
		e = parking_sensor_id_check(&r->app->cfg, v[S_SENSOR].s);
		if (e != ERR_OK)
			return e;
	}
	if (v[S_STATUS].set && strcmp(v[S_STATUS].s, "out_of_service") &&
	    strcmp(v[S_STATUS].s, "unknown"))
		return ERR_SPACE_STATUS_STAFF;
	return ERR_OK;
}

static const char *
opt(const struct field_value *v)
{
	return v->set && !v->is_null ? v->s : NULL;
}

/* Locks the space, applies the PATCH, records a staff status change
 * (in req_txn). */
static enum err
space_apply_tx(struct req *r, void *arg)
{
	const struct space_write *w = arg;
	const struct field_value *v = w->v;
	const char *sensor = opt(&v[S_SENSOR]), *status = opt(&v[S_STATUS]);
	long long id = w->id;
	struct db_rows *row;
	bool changed;
	enum err e = db_row(r->db, sql[Q_SPACE_LOCK], DB_P(db_int(id)), 2,
			    ERR_SPACE_NOT_FOUND, &row);

	if (!row)
		return e;
	changed = status && strcmp(status, db_col(row, 0));
	db_rows_free(row);
	if (sensor)
		e = sensor_bind(r, sensor);
	if (e == ERR_OK)
		e = db_exec(r->db, sql[Q_SPACE_UPDATE], DB_P(
			db_str(opt(&v[S_CODE])), db_str(opt(&v[S_ZONE])),
			db_str(sensor), db_str(sensor), db_str(sensor),
			db_str(sensor), db_str(sensor), db_str(status),
			db_int(id)), NULL);
	if (e == ERR_DUPLICATE)
		return space_dup(r);
	if (e == ERR_OK && changed)
		e = db_exec(r->db, sql[Q_HISTORY_ADD], DB_P(db_int(id),
			db_str(status), db_str("staff"), db_null()), NULL);
	if (e == ERR_OK)
		e = audit_write(r->db, r, r->user.id, "parking_space.update",
				"parking_space", req_printf(r, "%lld", id),
				space_details(v));
	return e;
}

static enum err
spaces_update(struct req *r)
{
	const struct field_value *v = r->vals;	/* space_patch_spec */
	struct space_write w = { v, 0 };
	enum err e = path_id(r, ERR_SPACE_NOT_FOUND, &w.id);

	if (e == ERR_OK)
		e = space_patch_check(r, v);
	if (e == ERR_OK)
		e = body_changes(r, space_patch_spec, v);
	if (e == ERR_OK)
		e = req_txn(r, space_apply_tx, &w);
	return e != ERR_OK ? e : reply_space_announce(r, w.id);
}

static enum err
space_retire_tx(struct req *r, void *arg)
{
	const struct space_write *w = arg;
	struct db_result res;
	enum err e = db_exec(r->db, sql[Q_SPACE_RETIRE], DB_P(db_int(w->id)),
			     &res);

	if (e == ERR_OK && res.affected == 0)
		e = ERR_SPACE_NOT_FOUND;
	return e != ERR_OK ? e : audit_write(r->db, r, r->user.id,
		"parking_space.retire", "parking_space",
		req_printf(r, "%lld", w->id), NULL);
}

static enum err
spaces_delete(struct req *r)
{
	struct space_write w = { NULL, 0 };
	json_object *last = NULL;
	enum err e = path_id(r, ERR_SPACE_NOT_FOUND, &w.id);

	if (e == ERR_OK)
		e = req_txn(r, space_retire_tx, &w);
	if (e != ERR_OK)
		return e;
	/* the retirement stands whether or not the boards hear of it */
	if (req_row_json(r, sql[Q_SPACE_LAST], DB_P(db_int(w.id)), 7,
			 ERR_SPACE_NOT_FOUND, space_json_public, &last) == ERR_OK)
		space_announce(r, last, true);
	json_object_put(last);
	return ERR_OK;
}

/* A new broker password for the space's sensor, shown this once; the old
 * one stops working (in req_txn: the audit entry stands only if the
 * broker took it). */
static enum err
sensor_password_tx(struct req *r, void *arg)
{
	const struct space_write *w = arg;
	const char *sensor = json_object_get_string(json_object_object_get(
		json_object_object_get(req_reply(r), "parking_space"),
		"sensor_id"));
	json_object *d = json_object_new_object();
	char *pw;
	enum err e;

	json_object_object_add(d, "sensor_id", json_object_new_string(sensor));
	e = audit_write(r->db, r, r->user.id, "parking_space.sensor_password",
			"parking_space", req_printf(r, "%lld", w->id), d);
	if (e != ERR_OK)
		return e;
	pw = random_token(18);
	if (parking_broker_account_add(&r->app->cfg, sensor, pw)) {
		free(pw);
		return ERR_INTERNAL;
	}
	json_object_object_add(req_reply(r), "sensor_password",
			       json_object_new_string(pw));
	free(pw);
	return ERR_OK;
}

static enum err
spaces_sensor_password(struct req *r)
{
	struct space_write w = { NULL, 0 };
	enum err e = path_id(r, ERR_SPACE_NOT_FOUND, &w.id);

	if (e == ERR_OK)
		e = reply_space(r, w.id);
	return e != ERR_OK ? e : req_txn(r, sensor_password_tx, &w);
}

/* ---- history -------------------------------------------------------------- */

static json_object *
history_json(const struct db_rows *rows)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "status",
			       json_object_new_string(db_col(rows, 1)));
	json_object_object_add(o, "at", json_time(db_col(rows, 2)));
	json_object_object_add(o, "source",
			       json_object_new_string(db_col(rows, 3)));
	return o;
}

static enum err
history_page(struct req *r, long long id, const char *from, const char *to,
	     long long cursor, long long limit)
{
	json_object *arr = json_object_new_array();
	struct db_rows *rows;
	long long last = 0, n = 0;
	enum err e;

	json_object_object_add(req_reply(r), "history", arr);
	e = db_query(r->db, sql[Q_HISTORY], DB_P(db_int(id), db_int(cursor),
		db_str(from), db_str(from), db_str(to), db_str(to),
		db_int(limit)), 4, &rows);
	if (e != ERR_OK)
		return e;
	while (db_next(rows)) {
		json_object_array_add(arr, history_json(rows));
		last = db_col_int(rows, 0);
		n++;
	}
	e = db_rows_err(rows);
	db_rows_free(rows);
	json_object_object_add(req_reply(r), "next_cursor", n == limit
		? json_object_new_string(req_printf(r, "%lld", last)) : NULL);
	return e;
}

static enum err
spaces_history(struct req *r)
{
	const char *from, *to;
	long long id, limit, cursor, n;
	enum err e = path_id(r, ERR_SPACE_NOT_FOUND, &id);

	if (e == ERR_OK)
		e = req_cursor_paging(r, &limit, &cursor);
	if (e == ERR_OK)
		e = req_query_db_time(r, "from", &from);
	if (e == ERR_OK)
		e = req_query_db_time(r, "to", &to);
	if (e != ERR_OK)
		return e;
	e = count_of(r, sql[Q_SPACE_EXISTS], DB_P(db_int(id)), &n);
	if (e == ERR_OK && n == 0)
		e = ERR_SPACE_NOT_FOUND;
	if (e != ERR_OK)
		return e;
	return history_page(r, id, from, to, cursor, limit);
}

/* ---- plates --------------------------------------------------------------- */

static json_object *
plate_json(const struct db_rows *rows)
{
	json_object *o = json_object_new_object();
	const char *by = db_col(rows, 7);

	json_object_object_add(o, "plate_id", json_id(db_col_int(rows, 0)));
	json_object_object_add(o, "plate_number",
			       json_object_new_string(db_col(rows, 1)));
	json_object_object_add(o, "user_id", json_id(db_col_int(rows, 2)));
	json_object_object_add(o, "created_at", json_time(db_col(rows, 3)));
	json_object_object_add(o, "status",
			       json_object_new_string(db_col(rows, 4)));
	json_object_object_add(o, "reason", json_str_or_null(db_col(rows, 5)));
	json_object_object_add(o, "decided_at", json_time(db_col(rows, 6)));
	json_object_object_add(o, "decided_by", by ? json_id(db_col_int(rows, 7))
			       : NULL);
	return o;
}

/* The owner as staff see them: {user_id, username, name, email,
 * status}. */
static json_object *
owner_json(const struct db_rows *rows)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "user_id", json_id(db_col_int(rows, 2)));
	json_object_object_add(o, "username", json_str_or_null(db_col(rows, 8)));
	json_object_object_add(o, "name", json_str_or_null(db_col(rows, 9)));
	json_object_object_add(o, "email", json_str_or_null(db_col(rows, 10)));
	json_object_object_add(o, "status", json_str_or_null(db_col(rows, 11)));
	return o;
}

/* A plate as staff see it: also its owner and who decided it, by name (a
 * decision's reply is sql/018_bookings_decisions.sql's haas_plate_json, the
 * same object). */
static json_object *
plate_json_staff(const struct db_rows *rows)
{
	json_object *o = plate_json(rows);

	json_object_object_add(o, "owner", owner_json(rows));
	json_object_object_add(o, "decided_by_username",
			       json_str_or_null(db_col(rows, 12)));
	json_object_object_add(o, "decided_by_name",
			       json_str_or_null(db_col(rows, 13)));
	return o;
}

static bool
plate_status_valid(const char *s)
{
	return !strcmp(s, "pending") || !strcmp(s, "approved") ||
	       !strcmp(s, "rejected");
}

/* "%q%" with LIKE's own wildcards escaped. */
static const char *
like_pattern(struct req *r, const char *q)
{
	struct buf b = { 0 };
	const char *out;

	buf_adds(&b, "%");
	for (; *q; q++) {
		if (*q == '%' || *q == '_' || *q == '\\')
			buf_adds(&b, "\\");
		buf_add(&b, q, 1);
	}
	buf_adds(&b, "%");
	out = req_strdup(r, b.s);
	buf_release(&b);
	return out;
}

/* Operators and admins see every plate (?status=, ?q= a number's
 * beginning, or part of the owner's username, name or email); users
 * their own (?q= a number's beginning only). */
static enum err
plates_list(struct req *r)
{
	const char *owner = is_staff(r) ? NULL
		: req_printf(r, "%lld", r->user.id);
	const char *st = req_query(r, "status"), *q = req_query(r, "q");
	char prefix[PLATE_MAX + 2];
	const char *like = NULL, *who = NULL;
	long long limit, offset, n = 0;
	json_object *arr = json_object_new_array();
	struct db_rows *rows;
	enum err e = req_paging(r, &limit, &offset);

	json_object_object_add(req_reply(r), "plates", arr);
	st = st && *st ? st : NULL;
	if (e == ERR_OK && st && !plate_status_valid(st))
		e = req_fail(r, ERR_BAD_QUERY,
			     "status must be pending, approved or rejected");
	if (e == ERR_OK && q && *q) {
		/* a search may be one character long; a plate is two */
		if (isalnum((unsigned char)q[0]) && !q[1])
			snprintf(prefix, sizeof(prefix), "%c",
				 (char)toupper((unsigned char)q[0]));
		else if (!parking_plate_normalize(q, prefix))
			prefix[0] = '\0';
		if (prefix[0])
			like = req_printf(r, "%s%%", prefix);
		if (is_staff(r))
			who = like_pattern(r, q);
		if (!like && !who)
			return ERR_PLATE_INVALID;
	}
	if (e == ERR_OK)
		e = db_query(r->db, sql[Q_PLATE_LIST], DB_P(db_str(owner),
			db_str(owner), db_str(st), db_str(st),
			db_str(like || who ? "" : NULL), db_str(like),
			db_str(who), db_str(who), db_str(who), db_int(limit),
			db_int(offset)), PLATE_NCOLS, &rows);
	if (e != ERR_OK)
		return e;
	while (db_next(rows))
		json_object_array_add(arr, is_staff(r) ? plate_json_staff(rows)
				      : plate_json(rows));
	e = db_rows_err(rows);
	db_rows_free(rows);
	if (e == ERR_OK)
		e = count_of(r, sql[Q_PLATE_COUNT], DB_P(db_str(owner),
			db_str(owner), db_str(st), db_str(st),
			db_str(like || who ? "" : NULL), db_str(like),
			db_str(who), db_str(who), db_str(who)), &n);
	json_object_object_add(req_reply(r), "total", json_object_new_int64(n));
	return e;
}

struct plate_write {
	const char *plate;
	long long id;
};

/* The caller asked for this number before: a rejected claim is asked
 * for again (pending once more); a pending or approved one is 409. */
static enum err
plate_reclaim(struct req *r, struct plate_write *w)
{
	struct db_result res;
	enum err e = db_exec(r->db, sql[Q_PLATE_RECLAIM], DB_P(
			     db_int(r->user.id), db_str(w->plate)), &res);

	if (e == ERR_OK && res.affected != 1)
		return req_fail(r, ERR_PLATE_TAKEN,
				"You have added this plate already");
	if (e == ERR_OK)
		e = db_query_int(r->db, sql[Q_PLATE_MINE], DB_P(
				 db_int(r->user.id), db_str(w->plate)),
				 ERR_PLATE_NOT_FOUND, &w->id);
	return e != ERR_OK ? e : audit_write(r->db, r, r->user.id,
		"plate.create", "plate", req_printf(r, "%lld", w->id),
		json_object_new_string(w->plate));
}

/* A claim of the plate, pending until staff decide (in req_txn).  A plate
 * that is a permit already, or that the caller claimed before, is
 * taken. */
static enum err
plate_insert_tx(struct req *r, void *arg)
{
	struct plate_write *w = arg;
	struct db_result res;
	long long permit;
	enum err e = count_of(r, sql[Q_PLATE_PERMIT], DB_P(db_str(w->plate)),
			      &permit);

	if (e == ERR_OK && permit)
		e = ERR_PLATE_TAKEN;
	if (e == ERR_OK)
		e = db_exec(r->db, sql[Q_PLATE_INSERT], DB_P(db_int(r->user.id),
			db_str(w->plate)), &res);
	if (e == ERR_DUPLICATE)
		return plate_reclaim(r, w);
	if (e != ERR_OK)
		return e;
	w->id = (long long)res.insert_id;
	return audit_write(r->db, r, r->user.id, "plate.create", "plate",
			   req_printf(r, "%lld", w->id),
			   json_object_new_string(w->plate));
}

static enum err
reply_plate(struct req *r, long long id)
{
	return req_reply_row(r, "plate", sql[Q_PLATE_GET], DB_P(db_int(id)),
			     PLATE_NCOLS, ERR_PLATE_NOT_FOUND,
			     is_staff(r) ? plate_json_staff : plate_json);
}

static const struct field plate_spec[] = {
	{ "plate_number", FT_STRING, F_REQUIRED | F_TRIM, 1, 32,
	  ERR_PLATE_INVALID, ERR_PLATE_INVALID },
};

static enum err
plates_create(struct req *r)
{
	const struct field_value *v = r->vals;	/* plate_spec */
	char plate[PLATE_MAX + 1];
	struct plate_write w = { plate, 0 };
	enum err e = ERR_OK;

	if (!parking_plate_normalize(v[0].s, plate))
		e = ERR_PLATE_INVALID;
	if (e == ERR_OK)
		e = req_txn(r, plate_insert_tx, &w);
	if (e != ERR_OK)
		return e;
	parking_queue_event(r, "plate", w.id, "pending");
	return reply_plate(r, w.id);
}

static enum err
plate_delete_tx(struct req *r, void *arg)
{
	const struct plate_write *w = arg;
	const char *owner = is_staff(r) ? NULL
		: req_printf(r, "%lld", r->user.id);
	struct db_result res;
	enum err e = db_exec(r->db, sql[Q_PLATE_DELETE], DB_P(db_int(w->id),
			     db_str(owner), db_str(owner)), &res);

	if (e == ERR_OK && res.affected == 0)
		e = ERR_PLATE_NOT_FOUND;
	return e != ERR_OK ? e : audit_write(r->db, r, r->user.id,
		"plate.delete", "plate", req_printf(r, "%lld", w->id), NULL);
}

static enum err
plates_delete(struct req *r)
{
	struct plate_write w = { NULL, 0 };
	enum err e = path_id(r, ERR_PLATE_NOT_FOUND, &w.id);

	if (e == ERR_OK)
		e = req_txn(r, plate_delete_tx, &w);
	if (e == ERR_OK)
		parking_queue_event(r, "plate", w.id, "deleted");
	return e;
}

const struct field parking_decision_spec[PARKING_DECISION_NFIELDS] = {
	{ "status", FT_STRING, F_REQUIRED | F_TRIM, 1, 16,
	  ERR_DECISION_INVALID, ERR_DECISION_INVALID },
	{ "reason", FT_STRING, F_TRIM | F_NULLABLE, 0, 500 },
};

enum err
parking_decision_read(struct req *r, enum err missing, struct decision *d)
{
	const struct field_value *v = r->vals;	/* parking_decision_spec */
	enum err e = path_id(r, missing, &d->id);

	if (e != ERR_OK)
		return e;
	if (strcmp(v[0].s, "approved") && strcmp(v[0].s, "rejected"))
		return ERR_DECISION_INVALID;
	d->status = v[0].s;
	d->approve = !strcmp(v[0].s, "approved");
	d->reason = v[1].set && !v[1].is_null && *v[1].s ? v[1].s : NULL;
	return ERR_OK;
}

enum err
parking_decision_reply(struct req *r, json_object *out, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(out, key, &v) ||
	    !json_object_is_type(v, json_type_object)) {
		log_error("a decision's procedure answered no %s", key);
		return ERR_INTERNAL;
	}
	json_object_object_add(req_reply(r), key, json_object_get(v));
	return ERR_OK;
}

/* PUT /api/plates/{id}: staff approve or reject a plate, as they decide
 * a registration.  One CALL (sql/018_bookings_decisions.sql,
 * haas_plate_decide): the caller's account and role, the plate locked and
 * decided once (approving makes it the number's one permit: live_plate is
 * UNIQUE), the number's other claims answered and the audit entry, in its
 * own transaction.  The reply is the plate as the procedure decided it;
 * a 409 plate_decided says how the plate now stands. */
static enum err
plates_decide(struct req *r)
{
	struct decision d = { 0 };
	json_object *out = NULL;
	enum err e = parking_decision_read(r, ERR_PLATE_NOT_FOUND, &d);

	if (e == ERR_OK)
		e = req_call(r, sql[Q_PLATE_DECIDE], DB_P(REQ_PRINCIPAL(r),
			db_int(PARKING_DECISION_ROLE), db_int(d.id),
			db_int(d.approve), db_str(d.reason),
			db_str(r->request_id), db_str(r->remote_addr)), &out);
	if (e == ERR_PLATE_DECIDED) {
		/* the plate as it now stands: who decided it, when, how */
		json_object *o = NULL;

		if (req_row_json(r, sql[Q_PLATE_GET], DB_P(db_int(d.id)),
				 PLATE_NCOLS, ERR_PLATE_NOT_FOUND,
				 plate_json_staff, &o) == ERR_OK)
			req_fail_extra(r, "plate", o);
	}
	if (e == ERR_OK)
		e = parking_decision_reply(r, out, "plate");
	if (e == ERR_OK)
		parking_queue_event(r, "plate", d.id, d.status);
	json_object_put(out);
	return e;
}

void
parking_queue_event(struct req *r, const char *type, long long id,
		    const char *status)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "type", json_object_new_string(type));
	if (id)
		json_object_object_add(o, strcmp(type, "plate") ? "request_id"
				       : "plate_id", json_id(id));
	json_object_object_add(o, "status", json_object_new_string(status));
	req_event(r, EVENTS_REGISTRATIONS, o);
}

/* {"plate_number", "state", "permitted", "plate", "owner"}: state is
 * approved, pending, rejected or unregistered; permitted only for the
 * approved plate of an active account. */
static enum err
plates_lookup(struct req *r)
{
	const char *q = req_query(r, "plate"), *state = "unregistered";
	char plate[PLATE_MAX + 1];
	json_object *o = req_reply(r);
	struct db_rows *row;
	bool permitted = false;
	enum err e;

	if (!q || !parking_plate_normalize(q, plate))
		return ERR_PLATE_INVALID;
	e = db_row(r->db, sql[Q_PLATE_LOOKUP], DB_P(db_str(plate)),
		   PLATE_NCOLS, ERR_OK, &row);
	if (e != ERR_OK)
		return e;
	if (row) {
		state = req_strdup(r, db_col(row, 4));
		permitted = !strcmp(state, "approved") && db_col(row, 11) &&
			    !strcmp(db_col(row, 11), "active");
	}
	json_object_object_add(o, "plate_number", json_object_new_string(plate));
	json_object_object_add(o, "state", json_object_new_string(state));
	json_object_object_add(o, "permitted", json_object_new_boolean(permitted));
	json_object_object_add(o, "plate", row ? plate_json_staff(row) : NULL);
	json_object_object_add(o, "owner", row ? owner_json(row) : NULL);
	db_rows_free(row);
	return ERR_OK;
}

/* What the JSON builders above write (space_json, history_json,
 * plate_json and plate_json_staff, owner_json, summary). */
const struct schema_def parking_schemas[] = {
	/* sensor_id only for operators and admins */
	{ "ParkingSpace", "{space_id: id, code: string, zone: string,"
	  " sensor_id?: string, status: string, updated_at: time,"
	  " last_seen_at: time?}" },
	/* zones: by zone name, the same five counts */
	{ "ParkingSummary", "{free: int, occupied: int, unknown: int,"
	  " out_of_service: int, total: int, zones: {*: ParkingCounts}}" },
	{ "ParkingCounts", "{free: int, occupied: int, unknown: int,"
	  " out_of_service: int, total: int}" },
	{ "ParkingHistory", "{status: string, at: time, source: string}" },
	{ "PlateOwner", "{user_id: id, username: string?, name: string?,"
	  " email: string?, status: string}" },
	/* owner and decided_by_* only for operators and admins */
	{ "Plate", "{plate_id: id, plate_number: string, user_id: id,"
	  " created_at: time, status: string, reason: string?,"
	  " decided_at: time?, decided_by: id?, owner?: PlateOwner,"
	  " decided_by_username?: string?, decided_by_name?: string?}" },
	{ NULL, NULL },
};

static const struct qparam spaces_query[] = {
	{ "zone", "string", "Only this zone" },
	{ "status", "string", "free, occupied, unknown or out_of_service" },
	QP_LIMIT,
	QP_OFFSET,
	{ NULL },
};

static const struct qparam history_query[] = {
	{ "from", "date-time", "Changes at or after this time" },
	{ "to", "date-time", "Changes before this time" },
	QP_CURSOR,
	QP_LIMIT,
	{ NULL },
};

static const struct qparam plates_query[] = {
	{ "status", "string", "pending, approved or rejected (staff)" },
	{ "q", "string", "A number's beginning; for staff also part of the "
	  "owner's username, name or email" },
	QP_LIMIT,
	QP_OFFSET,
	{ NULL },
};

static const struct qparam lookup_query[] = {
	{ "plate", "string", "The plate number (spaces and hyphens are "
	  "ignored)" },
	{ NULL },
};

const struct route parking_routes[] = {
	{ "GET", "/api/parking-spaces", ROLE_NONE, 200, BODY_NONE,
	  spaces_list, "Parking spaces with a summary per zone (?zone=, "
	  "?status=, paging)", .query = spaces_query,
	  .reply = "{parking_spaces: [ParkingSpace], summary: ParkingSummary,"
	  " total: int}",
	  ROUTE_ERRORS(ERR_SPACE_STATUS_INVALID) },
	{ "POST", "/api/parking-spaces", ROLE_ADMIN, 201, BODY_JSON,
	  spaces_create, "Create a space bound to a sensor (a new sensor's "
	  "broker password is shown once)", ROUTE_FIELDS(space_spec),
	  .reply = "{parking_space: ParkingSpace, sensor_password?: string}",
	  ROUTE_ERRORS(ERR_SPACE_FIELDS, ERR_SENSOR_ID_INVALID,
		       ERR_SENSOR_ID_RESERVED, ERR_SPACE_CODE_TAKEN,
		       ERR_SENSOR_TAKEN, ERR_INTERNAL) },
	{ "GET", "/api/parking-spaces/{id}", ROLE_NONE, 200, BODY_NONE,
	  spaces_get, "One parking space",
	  .reply = "{parking_space: ParkingSpace}",
	  ROUTE_ERRORS(ERR_SPACE_NOT_FOUND) },
	{ "PATCH", "/api/parking-spaces/{id}", ROLE_ADMIN, 200, BODY_JSON,
	  spaces_update, "Edit a space (code, zone, sensor_id, status "
	  "out_of_service or unknown)", ROUTE_FIELDS(space_patch_spec),
	  .reply = "{parking_space: ParkingSpace, sensor_password?: string}",
	  ROUTE_ERRORS(ERR_SPACE_NOT_FOUND, ERR_SENSOR_ID_INVALID,
		       ERR_SENSOR_ID_RESERVED, ERR_SPACE_STATUS_STAFF,
		       ERR_NO_CHANGES, ERR_SPACE_CODE_TAKEN, ERR_SENSOR_TAKEN,
		       ERR_INTERNAL) },
	{ "DELETE", "/api/parking-spaces/{id}", ROLE_ADMIN, 204, BODY_NONE,
	  spaces_delete, "Retire a space",
	  ROUTE_ERRORS(ERR_SPACE_NOT_FOUND) },
	{ "POST", "/api/parking-spaces/{id}/sensor-password", ROLE_ADMIN, 200,
	  BODY_NONE, spaces_sensor_password, "A new broker password "
	  "for the space's sensor (shown once; the old one stops working)",
	  .reply = "{parking_space: ParkingSpace, sensor_password: string}",
	  ROUTE_ERRORS(ERR_SPACE_NOT_FOUND, ERR_INTERNAL) },
	{ "GET", "/api/parking-spaces/{id}/history", ROLE_USER, 200,
	  BODY_NONE, spaces_history, "Status changes of a space, newest "
	  "first (?from=, ?to=, ?cursor=, ?limit=)", .query = history_query,
	  .reply = "{history: [ParkingHistory], next_cursor: id?}",
	  ROUTE_ERRORS(ERR_SPACE_NOT_FOUND) },
	{ "GET", "/api/plates", ROLE_USER, 200, BODY_NONE, plates_list,
	  "Your plates (every plate for staff: ?status=, ?q=)",
	  .query = plates_query, .reply = "{plates: [Plate], total: int}",
	  ROUTE_ERRORS(ERR_PLATE_INVALID) },
	{ "POST", "/api/plates", ROLE_USER, 201, BODY_JSON, plates_create,
	  "Add a plate: pending until staff approve it", ROUTE_IDEMPOTENT,
	  ROUTE_FIELDS(plate_spec), .reply = "{plate: Plate}",
	  ROUTE_ERRORS(ERR_PLATE_INVALID, ERR_PLATE_TAKEN,
		       ERR_PLATE_NOT_FOUND) },
	{ "GET", "/api/plates/lookup", ROLE_OPERATOR, 200, BODY_NONE,
	  plates_lookup, "A plate's state, whether it is a permit, and whose "
	  "it is (?plate=)", .query = lookup_query,
	  .reply = "{plate_number: string, state: string, permitted: bool,"
	  " plate: Plate?, owner: PlateOwner?}",
	  ROUTE_ERRORS(ERR_PLATE_INVALID) },
	{ "PUT", "/api/plates/{id}", PARKING_DECISION_ROLE, 200, BODY_JSON,
	  plates_decide, "Approve or reject a pending plate, once",
	  ROUTE_AUTH_LATE, ROUTE_FIELDS(parking_decision_spec),
	  .reply = "{plate: Plate}",
	  ROUTE_ERRORS(ERR_PLATE_NOT_FOUND, ERR_DECISION_INVALID,
		       ERR_PLATE_DECIDED, ERR_PLATE_TAKEN) },
	{ "DELETE", "/api/plates/{id}", ROLE_USER, 204, BODY_NONE,
	  plates_delete, "Remove a plate (yours; any for staff)",
	  ROUTE_ERRORS(ERR_PLATE_NOT_FOUND) },
	{ 0 },
};

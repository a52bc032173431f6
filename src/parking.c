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
#include "log.h"
#include "util.h"

#define SPACE_COLS \
	"id, code, zone, sensor_id, status, updated_at, last_seen_at"
#define PLATE_COLS "id, plate_number, user_id, created_at"

enum parking_sql {
	Q_SENSOR_ADD,
	Q_SPACE_INSERT,
	Q_SPACE_GET,
	Q_SPACE_LIST,
	Q_SPACE_COUNT,
	Q_SUMMARY,
	Q_SPACE_LOCK,
	Q_SPACE_UPDATE,
	Q_SPACE_RETIRE,
	Q_SPACE_EXISTS,
	Q_HISTORY_ADD,
	Q_HISTORY,
	Q_PLATE_INSERT,
	Q_PLATE_GET,
	Q_PLATE_LIST,
	Q_PLATE_COUNT,
	Q_PLATE_DELETE,
	Q_PLATE_LOOKUP,
	Q_PLATE_PENDING,
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
	[Q_SPACE_COUNT] = "SELECT COUNT(*) FROM parking_spaces"
		" WHERE retired_at IS NULL AND (? IS NULL OR zone = ?)"
		" AND (? IS NULL OR status = ?)",
	[Q_SUMMARY] = "SELECT zone, status, COUNT(*) FROM parking_spaces"
		" WHERE retired_at IS NULL AND (? IS NULL OR zone = ?)"
		" AND (? IS NULL OR status = ?) GROUP BY zone, status"
		" ORDER BY zone, status",
	[Q_SPACE_LOCK] = "SELECT status, sensor_id FROM parking_spaces"
		" WHERE id = ? AND retired_at IS NULL FOR UPDATE",
	/* A new sensor starts a new seq series, so last_seq is reset. */
	[Q_SPACE_UPDATE] = "UPDATE parking_spaces SET code = COALESCE(?, code),"
		" zone = COALESCE(?, zone),"
		" last_seq = IF(? IS NULL OR ? = sensor_id, last_seq, NULL),"
		" sensor_id = COALESCE(?, sensor_id),"
		" status = COALESCE(?, status), updated_at = UTC_TIMESTAMP(6)"
		" WHERE id = ? AND retired_at IS NULL",
	[Q_SPACE_RETIRE] = "UPDATE parking_spaces SET retired_at ="
		" UTC_TIMESTAMP(6) WHERE id = ? AND retired_at IS NULL",
	[Q_SPACE_EXISTS] = "SELECT COUNT(*) FROM parking_spaces WHERE id = ?",
	[Q_HISTORY_ADD] = "INSERT INTO parking_history (space_id, status,"
		" source, seq) VALUES (?, ?, ?, ?)",
	/* Newest first; the cursor is the last id seen. */
	[Q_HISTORY] = "SELECT id, status, at, source FROM parking_history"
		" WHERE space_id = ? AND id < ? AND (? IS NULL OR at >= ?)"
		" AND (? IS NULL OR at < ?) ORDER BY id DESC LIMIT ?",
	[Q_PLATE_INSERT] =
		"INSERT INTO plates (user_id, plate_number) VALUES (?, ?)",
	[Q_PLATE_GET] = "SELECT " PLATE_COLS " FROM plates WHERE id = ?",
	[Q_PLATE_LIST] = "SELECT " PLATE_COLS " FROM plates"
		" WHERE (? IS NULL OR user_id = ?) ORDER BY id LIMIT ? OFFSET ?",
	[Q_PLATE_COUNT] = "SELECT COUNT(*) FROM plates"
		" WHERE (? IS NULL OR user_id = ?)",
	[Q_PLATE_DELETE] = "DELETE FROM plates WHERE id = ?"
		" AND (? IS NULL OR user_id = ?)",
	[Q_PLATE_LOOKUP] = "SELECT p.id, p.plate_number, p.user_id,"
		" p.created_at, u.username, u.email, u.name, u.status"
		" FROM plates p JOIN users u ON u.id = p.user_id"
		" WHERE p.plate_number = ?",
	/* a plate waiting in a registration request is taken too */
	[Q_PLATE_PENDING] = "SELECT COUNT(*) FROM registration_requests"
		" WHERE pending_plate = ?",
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

bool
parking_sensor_id_valid(const char *s)
{
	size_t n = strlen(s), i;

	if (n < 1 || n > 64)
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("._-", s[i]))
			return false;
	return true;
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
	struct db_rows *rows;
	enum err e = db_query(r->db, q, p, np, 1, &rows);

	if (e != ERR_OK)
		return e;
	*n = db_next(rows) ? db_col_int(rows, 0) : 0;
	e = db_rows_err(rows);
	db_rows_free(rows);
	return e;
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

/* Puts {"parking_space": {...}} into the reply. */
static enum err
reply_space(struct req *r, long long id)
{
	struct db_rows *rows;
	enum err e = db_query(r->db, sql[Q_SPACE_GET], DB_P(db_int(id)), 7,
			      &rows);

	if (e != ERR_OK)
		return e;
	if (db_next(rows))
		json_object_object_add(req_reply(r), "parking_space",
				       space_json(rows, is_staff(r)));
	else
		e = db_rows_err(rows) != ERR_OK ? db_rows_err(rows)
						 : ERR_SPACE_NOT_FOUND;
	db_rows_free(rows);
	return e;
}

static enum err
space_dup(struct req *r)
{
	if (!strcmp(db_dup_key(r->db), "uq_spaces_sensor"))
		return ERR_SENSOR_TAKEN;
	return ERR_SPACE_CODE_TAKEN;
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

static enum err
space_insert(struct req *r, const struct field_value *v, long long *id)
{
	struct db_result res;
	enum err e = sensor_bind(r, v[S_SENSOR].s);

	if (e == ERR_OK)
		e = db_exec(r->db, sql[Q_SPACE_INSERT], DB_P(db_str(v[S_CODE].s),
			db_str(v[S_ZONE].s), db_str(v[S_SENSOR].s)), &res);
	if (e == ERR_DUPLICATE)
		return space_dup(r);
	if (e != ERR_OK)
		return e;
	*id = (long long)res.insert_id;
	return audit_write(r->db, r, r->user.id, "parking_space.create",
			   "parking_space", req_printf(r, "%lld", *id),
			   space_details(v));
}

static enum err
spaces_create(struct req *r)
{
	struct field_value v[ARRAY_SIZE(space_spec)];
	long long id = 0;
	enum err e = body_read(r, space_spec, v);

	if (e == ERR_OK && !parking_sensor_id_valid(v[S_SENSOR].s))
		e = ERR_SENSOR_ID_INVALID;
	if (e != ERR_OK)
		return e;
	e = db_begin(r->db);
	if (e == ERR_OK)
		e = space_insert(r, v, &id);
	if (e == ERR_OK)
		e = db_commit(r->db);
	else
		db_rollback(r->db);
	return e != ERR_OK ? e : reply_space(r, id);
}

/* Validates a PATCH body: every field optional; status only as staff may
 * set it (out of service, or back to unknown for the sensor to refresh). */
static enum err
space_patch_read(struct req *r, struct field_value *v)
{
	struct field spec[ARRAY_SIZE(space_spec)];
	size_t i;
	enum err e;

	memcpy(spec, space_spec, sizeof(spec));
	for (i = 0; i < ARRAY_SIZE(spec); i++)
		spec[i].flags &= ~(unsigned)F_REQUIRED;
	e = body_fields(r, r->json, spec, ARRAY_SIZE(spec), v);
	if (e != ERR_OK)
		return e;
	if (v[S_SENSOR].set && !parking_sensor_id_valid(v[S_SENSOR].s))
		return ERR_SENSOR_ID_INVALID;
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

static enum err
space_apply(struct req *r, long long id, const struct field_value *v)
{
	const char *sensor = opt(&v[S_SENSOR]), *status = opt(&v[S_STATUS]);
	struct db_rows *rows;
	bool changed = false;
	enum err e = db_query(r->db, sql[Q_SPACE_LOCK], DB_P(db_int(id)), 2,
			      &rows);

	if (e != ERR_OK)
		return e;
	if (!db_next(rows))
		e = db_rows_err(rows) != ERR_OK ? db_rows_err(rows)
						 : ERR_SPACE_NOT_FOUND;
	else
		changed = status && strcmp(status, db_col(rows, 0));
	db_rows_free(rows);
	if (e == ERR_OK && sensor)
		e = sensor_bind(r, sensor);
	if (e == ERR_OK)
		e = db_exec(r->db, sql[Q_SPACE_UPDATE], DB_P(
			db_str(opt(&v[S_CODE])), db_str(opt(&v[S_ZONE])),
			db_str(sensor), db_str(sensor), db_str(sensor),
			db_str(status), db_int(id)), NULL);
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
	struct field_value v[ARRAY_SIZE(space_spec)];
	long long id;
	enum err e = path_id(r, ERR_SPACE_NOT_FOUND, &id);

	if (e == ERR_OK)
		e = space_patch_read(r, v);
	if (e == ERR_OK)
		e = db_begin(r->db);
	if (e != ERR_OK)
		return e;
	e = space_apply(r, id, v);
	if (e == ERR_OK)
		e = db_commit(r->db);
	else
		db_rollback(r->db);
	return e != ERR_OK ? e : reply_space(r, id);
}

static enum err
spaces_delete(struct req *r)
{
	struct db_result res;
	long long id;
	enum err e = path_id(r, ERR_SPACE_NOT_FOUND, &id);

	if (e == ERR_OK)
		e = db_begin(r->db);
	if (e != ERR_OK)
		return e;
	e = db_exec(r->db, sql[Q_SPACE_RETIRE], DB_P(db_int(id)), &res);
	if (e == ERR_OK && res.affected == 0)
		e = ERR_SPACE_NOT_FOUND;
	if (e == ERR_OK)
		e = audit_write(r->db, r, r->user.id, "parking_space.retire",
				"parking_space", req_printf(r, "%lld", id),
				NULL);
	if (e == ERR_OK)
		return db_commit(r->db);
	db_rollback(r->db);
	return e;
}

/* ---- history -------------------------------------------------------------- */

static int
two(const char *s)
{
	if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]))
		return -1;
	return (s[0] - '0') * 10 + (s[1] - '0');
}

/* ISO 8601 "YYYY-MM-DDTHH:MM[:SS[.frac]]" with "Z", "+HH:MM" or "-HH:MM"
 * (none: UTC) into a UTC "YYYY-MM-DD HH:MM:SS" in r's pool; NULL if bad. */
static const char *
iso_to_db(struct req *r, const char *s)
{
	struct tm tm = { 0 };
	long long y;
	char year[5] = { 0 }, out[32];
	int off = 0, sign;
	time_t t;

	if (strlen(s) < 16 || s[4] != '-' || s[7] != '-' ||
	    (s[10] != 'T' && s[10] != ' ') || s[13] != ':')
		return NULL;
	memcpy(year, s, 4);
	if (parse_ll(year, 1970, 9999, &y))
		return NULL;
	tm.tm_year = (int)y - 1900;
	tm.tm_mon = two(s + 5) - 1;
	tm.tm_mday = two(s + 8);
	tm.tm_hour = two(s + 11);
	tm.tm_min = two(s + 14);
	s += 16;
	if (*s == ':') {
		tm.tm_sec = two(s + 1);
		s += 3;
		if (*s == '.')
			for (s++; isdigit((unsigned char)*s); s++)
				;
	}
	if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 ||
	    tm.tm_mday > 31 || tm.tm_hour < 0 || tm.tm_hour > 23 ||
	    tm.tm_min < 0 || tm.tm_min > 59 || tm.tm_sec < 0 || tm.tm_sec > 60)
		return NULL;
	if (*s == '+' || *s == '-') {
		sign = *s == '-' ? -1 : 1;
		if (two(s + 1) < 0 || s[3] != ':' || two(s + 4) < 0 || s[6])
			return NULL;
		off = sign * (two(s + 1) * 3600 + two(s + 4) * 60);
	} else if ((*s == 'Z' && s[1]) || (*s && *s != 'Z')) {
		return NULL;
	}
	t = timegm(&tm) - off;
	if (!gmtime_r(&t, &tm) ||
	    !strftime(out, sizeof(out), "%Y-%m-%d %H:%M:%S", &tm))
		return NULL;
	return req_strdup(r, out);
}

static enum err
query_time(struct req *r, const char *name, const char **out)
{
	const char *v = req_query(r, name);

	*out = NULL;
	if (!v || !*v)
		return ERR_OK;
	*out = iso_to_db(r, v);
	if (!*out)
		return req_fail(r, ERR_BAD_QUERY,
				"Query parameter '%s' must be an ISO 8601 time",
				name);
	return ERR_OK;
}

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
		e = req_query_int(r, "limit", 50, 1, 500, &limit);
	if (e == ERR_OK)
		e = req_query_int(r, "cursor", INT64_MAX, 1, INT64_MAX,
				  &cursor);
	if (e == ERR_OK)
		e = query_time(r, "from", &from);
	if (e == ERR_OK)
		e = query_time(r, "to", &to);
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

	json_object_object_add(o, "plate_id", json_id(db_col_int(rows, 0)));
	json_object_object_add(o, "plate_number",
			       json_object_new_string(db_col(rows, 1)));
	json_object_object_add(o, "user_id", json_id(db_col_int(rows, 2)));
	json_object_object_add(o, "created_at", json_time(db_col(rows, 3)));
	return o;
}

/* Operators and admins see every plate; users their own. */
static enum err
plates_list(struct req *r)
{
	const char *owner = is_staff(r) ? NULL
		: req_printf(r, "%lld", r->user.id);
	long long limit, offset, n = 0;
	json_object *arr = json_object_new_array();
	struct db_rows *rows;
	enum err e = req_paging(r, &limit, &offset);

	json_object_object_add(req_reply(r), "plates", arr);
	if (e == ERR_OK)
		e = db_query(r->db, sql[Q_PLATE_LIST], DB_P(db_str(owner),
			db_str(owner), db_int(limit), db_int(offset)), 4, &rows);
	if (e != ERR_OK)
		return e;
	while (db_next(rows))
		json_object_array_add(arr, plate_json(rows));
	e = db_rows_err(rows);
	db_rows_free(rows);
	if (e == ERR_OK)
		e = count_of(r, sql[Q_PLATE_COUNT],
			     DB_P(db_str(owner), db_str(owner)), &n);
	json_object_object_add(req_reply(r), "total", json_object_new_int64(n));
	return e;
}

static enum err
plate_insert(struct req *r, const char *plate, long long *id)
{
	struct db_result res;
	long long pending;
	enum err e = count_of(r, sql[Q_PLATE_PENDING], DB_P(db_str(plate)),
			      &pending);

	if (e == ERR_OK && pending)
		e = ERR_PLATE_TAKEN;
	if (e == ERR_OK)
		e = db_exec(r->db, sql[Q_PLATE_INSERT], DB_P(db_int(r->user.id),
			db_str(plate)), &res);
	if (e == ERR_DUPLICATE)
		e = ERR_PLATE_TAKEN;
	if (e != ERR_OK)
		return e;
	*id = (long long)res.insert_id;
	return audit_write(r->db, r, r->user.id, "plate.create", "plate",
			   req_printf(r, "%lld", *id),
			   json_object_new_string(plate));
}

static enum err
reply_plate(struct req *r, long long id)
{
	struct db_rows *rows;
	enum err e = db_query(r->db, sql[Q_PLATE_GET], DB_P(db_int(id)), 4,
			      &rows);

	if (e != ERR_OK)
		return e;
	if (db_next(rows))
		json_object_object_add(req_reply(r), "plate", plate_json(rows));
	else
		e = db_rows_err(rows) != ERR_OK ? db_rows_err(rows)
						 : ERR_PLATE_NOT_FOUND;
	db_rows_free(rows);
	return e;
}

static enum err
plates_create(struct req *r)
{
	static const struct field spec[] = {
		{ "plate_number", FT_STRING, F_REQUIRED | F_TRIM, 1, 32,
		  ERR_PLATE_INVALID, ERR_PLATE_INVALID },
	};
	struct field_value v[ARRAY_SIZE(spec)];
	char plate[PLATE_MAX + 1];
	long long id = 0;
	enum err e = body_read(r, spec, v);

	if (e == ERR_OK && !parking_plate_normalize(v[0].s, plate))
		e = ERR_PLATE_INVALID;
	if (e == ERR_OK)
		e = db_begin(r->db);
	if (e != ERR_OK)
		return e;
	e = plate_insert(r, plate, &id);
	if (e == ERR_OK)
		e = db_commit(r->db);
	else
		db_rollback(r->db);
	return e != ERR_OK ? e : reply_plate(r, id);
}

static enum err
plates_delete(struct req *r)
{
	const char *owner = is_staff(r) ? NULL
		: req_printf(r, "%lld", r->user.id);
	struct db_result res;
	long long id;
	enum err e = path_id(r, ERR_PLATE_NOT_FOUND, &id);

	if (e == ERR_OK)
		e = db_begin(r->db);
	if (e != ERR_OK)
		return e;
	e = db_exec(r->db, sql[Q_PLATE_DELETE], DB_P(db_int(id),
		db_str(owner), db_str(owner)), &res);
	if (e == ERR_OK && res.affected == 0)
		e = ERR_PLATE_NOT_FOUND;
	if (e == ERR_OK)
		e = audit_write(r->db, r, r->user.id, "plate.delete", "plate",
				req_printf(r, "%lld", id), NULL);
	if (e == ERR_OK)
		return db_commit(r->db);
	db_rollback(r->db);
	return e;
}

static json_object *
owner_json(const struct db_rows *rows)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "user_id", json_id(db_col_int(rows, 2)));
	json_object_object_add(o, "username", json_str_or_null(db_col(rows, 4)));
	json_object_object_add(o, "email", json_str_or_null(db_col(rows, 5)));
	json_object_object_add(o, "name", json_str_or_null(db_col(rows, 6)));
	json_object_object_add(o, "status",
			       json_object_new_string(db_col(rows, 7)));
	return o;
}

/* {"plate_number", "permitted", "plate", "owner"}: permitted when the
 * plate is registered to an active account. */
static enum err
plates_lookup(struct req *r)
{
	const char *q = req_query(r, "plate");
	char plate[PLATE_MAX + 1];
	json_object *o = req_reply(r);
	struct db_rows *rows;
	bool found;
	enum err e;

	if (!q || !parking_plate_normalize(q, plate))
		return ERR_PLATE_INVALID;
	e = db_query(r->db, sql[Q_PLATE_LOOKUP], DB_P(db_str(plate)), 8,
		     &rows);
	if (e != ERR_OK)
		return e;
	found = db_next(rows);
	json_object_object_add(o, "plate_number", json_object_new_string(plate));
	json_object_object_add(o, "permitted", json_object_new_boolean(found &&
		!strcmp(db_col(rows, 7), "active")));
	json_object_object_add(o, "plate", found ? plate_json(rows) : NULL);
	json_object_object_add(o, "owner", found ? owner_json(rows) : NULL);
	e = db_rows_err(rows);
	db_rows_free(rows);
	return e;
}

const struct route parking_routes[] = {
	{ "GET", "/api/parking-spaces", ROLE_NONE, 200, BODY_NONE,
	  spaces_list, "Parking spaces with a summary per zone (?zone=, "
	  "?status=, paging)" },
	{ "POST", "/api/parking-spaces", ROLE_ADMIN, 201, BODY_JSON,
	  spaces_create, "Create a space bound to a sensor (a new sensor's "
	  "broker password is shown once)" },
	{ "GET", "/api/parking-spaces/{id}", ROLE_NONE, 200, BODY_NONE,
	  spaces_get, "One parking space" },
	{ "PATCH", "/api/parking-spaces/{id}", ROLE_ADMIN, 200, BODY_JSON,
	  spaces_update, "Edit a space (code, zone, sensor_id, status "
	  "out_of_service or unknown)" },
	{ "DELETE", "/api/parking-spaces/{id}", ROLE_ADMIN, 204, BODY_NONE,
	  spaces_delete, "Retire a space" },
	{ "GET", "/api/parking-spaces/{id}/history", ROLE_USER, 200,
	  BODY_NONE, spaces_history, "Status changes of a space, newest "
	  "first (?from=, ?to=, ?cursor=, ?limit=)" },
	{ "GET", "/api/plates", ROLE_USER, 200, BODY_NONE, plates_list,
	  "Your plates (every plate for operators and admins)" },
	{ "POST", "/api/plates", ROLE_USER, 201, BODY_JSON, plates_create,
	  "Register a plate", ROUTE_IDEMPOTENT },
	{ "GET", "/api/plates/lookup", ROLE_OPERATOR, 200, BODY_NONE,
	  plates_lookup, "Whether a plate is permitted, and whose it is "
	  "(?plate=)" },
	{ "DELETE", "/api/plates/{id}", ROLE_USER, 204, BODY_NONE,
	  plates_delete, "Remove a plate (yours; any for staff)" },
	{ 0 },
};

/* haas-ingestd: parking sensors over MQTT into MariaDB.  A master process
 * keeps one ingest child alive (restarted if it dies); the child subscribes
 * with libmosquitto at QoS 1 and writes every message to its spool (on disk
 * before anything else happens to it), applies spooled messages to MariaDB
 * in arrival order (by seq and boot id per sensor), turns silent or offline
 * sensors' spaces unknown, pushes each change to nchan for the browsers,
 * and deletes documents past their retention. */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <mosquitto.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <netdb.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "audit.h"
#include "config.h"
#include "daemon.h"
#include "db.h"
#include "events.h"
#include "log.h"
#include "notify.h"
#include "spool.h"
#include "util.h"

#define PAYLOAD_MAX 1024
#define BOOT_MAX 64
#define SWEEP_MAX 256
/* Spooled messages applied in one transaction, at most. */
#define BATCH_MAX 256
/* Milliseconds before the database is tried again: down, other errors. */
#define DB_DOWN_WAIT 1000
#define DB_ERROR_WAIT 5000

enum ingest_sql {
	Q_SPOOL_POS,
	Q_SPOOL_SAVE,
	Q_LOCK_SENSOR,
	Q_APPLY,
	Q_HISTORY,
	Q_SILENT,
	Q_SET_UNKNOWN,
	Q_SILENT_MARK,
	Q_SILENT_CLEAR,
	Q_EXPIRED_DOCS,
	Q_DOC_GONE,
	Q_IDEM_PURGE,
};

static const char *const sql[] = {
	/* How far the spool is applied (see sql/006_ingest.sql). */
	[Q_SPOOL_POS] = "SELECT next_record FROM ingest_spool WHERE gen = ?"
		" FOR UPDATE",
	[Q_SPOOL_SAVE] = "INSERT INTO ingest_spool (gen, next_record)"
		" VALUES (?, ?)"
		" ON DUPLICATE KEY UPDATE next_record = VALUES(next_record)",
	[Q_LOCK_SENSOR] = "SELECT id, code, zone, status, last_seq, last_boot,"
		" sensor_silent_at IS NOT NULL"
		" FROM parking_spaces WHERE live_sensor = ? FOR UPDATE",
	/* Times are when ingestd received the message.  A space a staff
	 * member took out of service stays so; the sensor still counts as
	 * seen. */
	[Q_APPLY] = "UPDATE parking_spaces SET last_seq = COALESCE(?, last_seq),"
		" last_boot = COALESCE(?, last_boot), last_seen_at = ?,"
		" updated_at = IF(status <> ? AND status <> 'out_of_service',"
		"   ?, updated_at),"
		" status = IF(status = 'out_of_service', status, ?)"
		" WHERE id = ?",
	[Q_HISTORY] = "INSERT INTO parking_history (space_id, status, source,"
		" seq, at) VALUES (?, ?, ?, ?, COALESCE(?, UTC_TIMESTAMP(6)))",
	[Q_SILENT] = "SELECT id, code, zone, live_sensor, last_seen_at"
		" FROM parking_spaces"
		" WHERE retired_at IS NULL AND status IN ('free', 'occupied')"
		" AND last_seen_at < UTC_TIMESTAMP(6) - INTERVAL ? SECOND"
		" ORDER BY id LIMIT 256 FOR UPDATE",
	[Q_SET_UNKNOWN] = "UPDATE parking_spaces SET status = 'unknown',"
		" updated_at = UTC_TIMESTAMP(6) WHERE id = ?"
		" AND status IN ('free', 'occupied')",
	/* One silence, one notice each way (sql/014): marked when the sweep
	 * turns the space unknown, cleared when the sensor reports again. */
	[Q_SILENT_MARK] = "UPDATE parking_spaces SET sensor_silent_at ="
		" UTC_TIMESTAMP(6) WHERE id = ? AND sensor_silent_at IS NULL",
	[Q_SILENT_CLEAR] = "UPDATE parking_spaces SET sensor_silent_at = NULL"
		" WHERE id = ? AND sensor_silent_at IS NOT NULL",
	/* Past their retention, or to go now (the account was erased). */
	[Q_EXPIRED_DOCS] = "SELECT id, document_name FROM registration_requests"
		" WHERE document_name IS NOT NULL AND document_deleted_at IS NULL"
		" AND (document_purge_at IS NOT NULL OR (status <> 'pending'"
		" AND decided_at < UTC_TIMESTAMP(6) - INTERVAL ? DAY))"
		" ORDER BY id LIMIT 100",
	[Q_DOC_GONE] = "UPDATE registration_requests SET"
		" document_deleted_at = UTC_TIMESTAMP(6) WHERE id = ?"
		" AND document_deleted_at IS NULL",
	/* Idempotency-Key answers past idempotency_ttl, oldest first, a
	 * bounded batch at a time (haasd takes an expired key over anyway). */
	[Q_IDEM_PURGE] = "DELETE FROM idempotency_keys WHERE created_at"
		" < UTC_TIMESTAMP(6) - INTERVAL ? SECOND ORDER BY created_at"
		" LIMIT 1000",
};

struct batch;

struct ingest {
	const struct config *cfg;
	struct db *db;
	struct mosquitto *mq;
	struct spool *spool;
	struct batch *batch;	/* the apply step's work area */
	long long db_wait_until;	/* no database work before (daemon_mono_ms) */
	bool db_ok;		/* how the last database step went */
	bool spool_broken;	/* an append failed: the child restarts */
	long long received;	/* messages spooled, ever */
	long long mqtt_retry_at;	/* next connection attempt (daemon_mono_ms) */
};

/* One change to apply: the space, its new status, why.  Room for the
 * columns' longest utf8mb4 values (32 and 64 characters), so an event is
 * never cut inside a character. */
struct change {
	long long id;
	char code[32 * 4 + 1], zone[64 * 4 + 1];
	const char *status;
	const char *source;
	char sensor[65];	/* the sweep's and a silent sensor's notice */
	char last_seen[32];	/* the sweep's: "2026-01-01 12:00:00 UTC" */
};

/* ---- nchan ---------------------------------------------------------------- */

/* One space's change as the browsers' event (README, parking). */
static void
nchan_publish(const struct config *cfg, const struct change *c)
{
	json_object *o = json_object_new_object();
	char stamp[32], id[24];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(id, sizeof(id), "%lld", c->id);
	json_object_object_add(o, "space_id", json_object_new_string(id));
	json_object_object_add(o, "code", json_object_new_string(c->code));
	json_object_object_add(o, "zone", json_object_new_string(c->zone));
	json_object_object_add(o, "status", json_object_new_string(c->status));
	json_object_object_add(o, "source", json_object_new_string(c->source));
	json_object_object_add(o, "updated_at", json_object_new_string(stamp));
	events_publish(cfg, EVENTS_PARKING, o);
	json_object_put(o);
}

/* ---- time ---------------------------------------------------------------- */

static long long
wall_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Microseconds since the epoch as a DATETIME(6) literal, UTC. */
static void
time_db(long long us, char out[32])
{
	time_t t = (time_t)(us / 1000000);
	struct tm tm;
	size_t n;

	gmtime_r(&t, &tm);
	n = strftime(out, 32, "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(out + n, 32 - n, ".%06lld", us % 1000000);
}

/* ---- database ------------------------------------------------------------- */

/* Runs fn in one transaction, once: a failure is retried by the caller's
 * next turn (db.c reconnects on the next statement), so the MQTT loop
 * never waits for the database. */
static enum err
in_tx(struct ingest *g, enum err (*fn)(struct ingest *, void *), void *arg)
{
	enum err e = db_begin(g->db);

	if (e == ERR_OK)
		e = fn(g, arg);
	if (e == ERR_OK)
		e = db_commit(g->db);
	if (e != ERR_OK)
		db_rollback(g->db);
	return e;
}

/* Whether database work may run now (not inside a back-off). */
static bool
db_due(const struct ingest *g)
{
	return daemon_mono_ms() >= g->db_wait_until;
}

/* Notes how a database step went: after a failure the database is left
 * alone for a while (a deadlock or a lock wait that ran out is retried at
 * once); a change between working and failing is logged once. */
static void
db_outcome(struct ingest *g, enum err e)
{
	bool ok = e == ERR_OK || e == ERR_DB_RETRY || e == ERR_DB_BUSY;

	if (e == ERR_DB_DOWN)
		g->db_wait_until = daemon_mono_ms() + DB_DOWN_WAIT;
	else if (!ok)
		g->db_wait_until = daemon_mono_ms() + DB_ERROR_WAIT;
	if (g->db_ok && e == ERR_DB_DOWN)
		log_warn("ingestd: database unavailable; messages wait in the"
			 " spool (%lld now)", spool_pending(g->spool));
	else if (g->db_ok && !ok)
		log_error("ingestd: database step failed (%s); retrying every"
			  " %d s, messages wait in the spool", err_code(e),
			  DB_ERROR_WAIT / 1000);
	else if (!g->db_ok && ok)
		log_info("ingestd: database back; %lld spooled messages to "
			 "apply", spool_pending(g->spool));
	g->db_ok = ok;
}

/* A status message or a last will. */
struct status_msg {
	char sensor[65];
	const char *status;	/* "free" or "occupied"; "unknown" for a will */
	long long seq;		/* -1 for a will */
	char boot[BOOT_MAX + 1];	/* "" when the sensor sent none */
	long long at_us;	/* when ingestd received it */
	struct change change;	/* filled when the space changed */
	bool changed;
};

static void
change_fill(struct change *c, const struct db_rows *rows, const char *status,
	    const char *source)
{
	c->id = db_col_int(rows, 0);
	snprintf(c->code, sizeof(c->code), "%s", db_col(rows, 1));
	snprintf(c->zone, sizeof(c->zone), "%s", db_col(rows, 2));
	c->status = status;
	c->source = source;
}

/* ---- notices ------------------------------------------------------------- */

/* Tells admins of a sensor gone silent (NK_SENSOR_SILENT) or back
 * (NK_SENSOR_BACK), once per silence: the mark on the space decides, in
 * the transaction that changes the space. */
static enum err
sensor_notify(struct ingest *g, const struct change *c, bool back)
{
	struct db_result res = { 0 };
	json_object *f;
	enum err e = db_exec(g->db, sql[back ? Q_SILENT_CLEAR : Q_SILENT_MARK],
			     DB_P(db_int(c->id)), &res);

	if (e != ERR_OK || res.affected != 1)
		return e;
	f = json_object_new_object();
	json_object_object_add(f, "space_code", json_object_new_string(c->code));
	json_object_object_add(f, "zone", json_object_new_string(c->zone));
	json_object_object_add(f, "sensor", json_object_new_string(c->sensor));
	if (back)
		json_object_object_add(f, "status",
				       json_object_new_string(c->status));
	else
		json_object_object_add(f, "last_seen",
				       json_object_new_string(c->last_seen));
	e = notify(g->db, &(struct notice){ .kind = back ? NK_SENSOR_BACK
		: NK_SENSOR_SILENT, .fields = f, .staff = ROLE_ADMIN }, NULL);
	json_object_put(f);
	return e;
}

/* Whether m is old news for the locked space (columns 4 last_seq, 5
 * last_boot): a seq not above the last applied one of the same series.  A
 * boot id other than the stored one starts a new series. */
static bool
seq_stale(const struct status_msg *m, const struct db_rows *rows)
{
	const char *boot = db_col(rows, 5);

	if (m->seq < 0 || !db_col(rows, 4))
		return false;
	if (m->boot[0] && (!boot || strcmp(boot, m->boot)))
		return false;
	return m->seq <= db_col_int(rows, 4);
}

/* Locks the sensor's space; drops a message that is old news; updates the
 * space and appends history on a change. */
static enum err
apply_status(struct ingest *g, struct status_msg *m)
{
	const char *source = m->seq < 0 ? "will" : "sensor";
	struct db_param seq = m->seq < 0 ? db_null() : db_int(m->seq);
	struct db_rows *rows;
	bool found, stale = false, same = true, silent = false;
	char at[32];
	enum err e = db_query(g->db, sql[Q_LOCK_SENSOR],
			      DB_P(db_str(m->sensor)), 7, &rows);

	m->changed = false;
	if (e != ERR_OK)
		return e;
	found = db_next(rows);
	if (found) {
		stale = seq_stale(m, rows);
		same = !strcmp(db_col(rows, 3), m->status) ||
		       !strcmp(db_col(rows, 3), "out_of_service");
		/* what the space now is: a space out of service stays so */
		change_fill(&m->change, rows, strcmp(db_col(rows, 3),
			    "out_of_service") ? m->status : "out_of_service",
			    source);
		silent = db_col_int(rows, 6) != 0;
	}
	e = db_rows_err(rows);
	db_rows_free(rows);
	if (e != ERR_OK || !found || stale)
		return e;
	time_db(m->at_us, at);
	e = db_exec(g->db, sql[Q_APPLY], DB_P(seq, db_str(m->boot[0] ? m->boot
		: NULL), db_str(at), db_str(m->status), db_str(at),
		db_str(m->status), db_int(m->change.id)), NULL);
	if (e == ERR_OK && !same)
		e = db_exec(g->db, sql[Q_HISTORY], DB_P(db_int(m->change.id),
			db_str(m->status), db_str(source), seq, db_str(at)),
			NULL);
	m->changed = e == ERR_OK && !same;
	/* a status (not a will) from a sensor the sweep found silent */
	if (e == ERR_OK && silent && m->seq >= 0) {
		snprintf(m->change.sensor, sizeof(m->change.sensor), "%s",
			 m->sensor);
		e = sensor_notify(g, &m->change, true);
	}
	return e;
}

/* The TTL sweep: every space whose sensor has been silent too long. */
struct sweep {
	struct change c[SWEEP_MAX];
	size_t n;
};

static enum err
apply_silence(struct ingest *g, void *arg)
{
	struct sweep *s = arg;
	struct db_rows *rows;
	size_t i;
	enum err e = db_query(g->db, sql[Q_SILENT],
			      DB_P(db_int(g->cfg->sensor_ttl)), 5, &rows);

	s->n = 0;
	if (e != ERR_OK)
		return e;
	while (s->n < SWEEP_MAX && db_next(rows)) {
		struct change *c = &s->c[s->n++];

		change_fill(c, rows, "unknown", "ttl");
		snprintf(c->sensor, sizeof(c->sensor), "%s",
			 db_col(rows, 3) ? db_col(rows, 3) : "");
		snprintf(c->last_seen, sizeof(c->last_seen), "%.19s UTC",
			 db_col(rows, 4) ? db_col(rows, 4) : "?");
	}
	e = db_rows_err(rows);
	db_rows_free(rows);
	for (i = 0; e == ERR_OK && i < s->n; i++) {
		e = db_exec(g->db, sql[Q_SET_UNKNOWN], DB_P(db_int(s->c[i].id)),
			    NULL);
		if (e == ERR_OK)
			e = db_exec(g->db, sql[Q_HISTORY], DB_P(
				db_int(s->c[i].id), db_str("unknown"),
				db_str("ttl"), db_null(), db_null()), NULL);
		if (e == ERR_OK)
			e = sensor_notify(g, &s->c[i], false);
	}
	return e;
}

/* Runs only with the spool empty: a space is silent when nothing it sent
 * waits to be applied. */
static void
sweep_silence(struct ingest *g)
{
	struct sweep *s = xcalloc(1, sizeof(*s));
	enum err e = in_tx(g, apply_silence, s);
	size_t i;

	db_outcome(g, e);
	if (e == ERR_OK)
		for (i = 0; i < s->n; i++) {
			log_info("ingestd: space %lld silent: unknown",
				 s->c[i].id);
			nchan_publish(g->cfg, &s->c[i]);
		}
	free(s);
}

/* Deletes documents of decided requests older than the retention, each
 * with an audit entry; the row keeps its decision. */
static void
sweep_documents(struct ingest *g)
{
	struct db_rows *rows;
	long long ids[100];
	char names[100][40], *path, sid[24];
	size_t n = 0, i;
	enum err e = db_query(g->db, sql[Q_EXPIRED_DOCS], DB_P(db_int(
		g->cfg->document_retention_days)), 2, &rows);

	db_outcome(g, e);
	if (e != ERR_OK)
		return;
	while (n < 100 && db_next(rows)) {
		ids[n] = db_col_int(rows, 0);
		snprintf(names[n++], sizeof(names[0]), "%s", db_col(rows, 1));
	}
	db_rows_free(rows);
	for (i = 0; i < n; i++) {
		path = xasprintf("%s/%s", g->cfg->upload_dir, names[i]);
		if (unlink(path) && errno != ENOENT)
			log_warn("ingestd: cannot delete %s: %s", path,
				 strerror(errno));
		free(path);
		snprintf(sid, sizeof(sid), "%lld", ids[i]);
		if (db_exec(g->db, sql[Q_DOC_GONE], DB_P(db_int(ids[i])), NULL)
		    == ERR_OK)
			audit_write(g->db, NULL, 0, "registration.document_deleted",
				    "registration_request", sid, NULL);
	}
}

/* ---- messages ------------------------------------------------------------- */

/* "haas/parking/<sensor>/<leaf>" -> sensor; false if not that shape. */
static bool
topic_sensor(const char *topic, const char *leaf, char out[65])
{
	const char *p = topic + 13, *slash;
	size_t n;

	if (strncmp(topic, "haas/parking/", 13))
		return false;
	slash = strchr(p, '/');
	if (!slash || strcmp(slash + 1, leaf))
		return false;
	n = (size_t)(slash - p);
	if (n == 0 || n > 64)
		return false;
	memcpy(out, p, n);
	out[n] = '\0';
	return true;
}

/* The optional "boot": 1 to BOOT_MAX printable ASCII characters, no
 * spaces; absent or null: "". */
static bool
boot_read(json_object *o, char out[BOOT_MAX + 1])
{
	json_object *v;
	const char *s;
	size_t i, n;

	out[0] = '\0';
	if (!json_object_object_get_ex(o, "boot", &v) || !v)
		return true;
	if (!json_object_is_type(v, json_type_string))
		return false;
	s = json_object_get_string(v);
	n = strlen(s);
	if (n == 0 || n > BOOT_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] > '~')
			return false;
	memcpy(out, s, n + 1);
	return true;
}

/* {"status": "occupied"|"free", "seq": 0 <= n < 2^63 - 1, "boot"?} */
static bool
status_fields(json_object *o, struct status_msg *m)
{
	json_object *st, *seq;
	const char *s;

	if (!json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, "status", &st) ||
	    !json_object_object_get_ex(o, "seq", &seq) ||
	    !json_object_is_type(st, json_type_string) ||
	    !json_object_is_type(seq, json_type_int))
		return false;
	s = json_object_get_string(st);
	if (!strcmp(s, "occupied"))
		m->status = "occupied";
	else if (!strcmp(s, "free"))
		m->status = "free";
	else
		return false;
	m->seq = json_object_get_int64(seq);
	return m->seq >= 0 && m->seq < INT64_MAX && boot_read(o, m->boot);
}

static bool
payload_parse(const void *data, int len, struct status_msg *m)
{
	json_object *o;
	bool ok;
	char *text;

	if (len <= 0 || len > PAYLOAD_MAX || !utf8_valid(data, (size_t)len))
		return false;
	text = xstrndup(data, (size_t)len);
	o = json_tokener_parse(text);
	free(text);
	ok = o && status_fields(o, m);
	json_object_put(o);
	return ok;
}

/* A message from the broker: a status, or a last will "offline"; false for
 * anything else (a malformed status is logged). */
static bool
message_read(const struct mosquitto_message *msg, struct status_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->seq = -1;
	m->at_us = wall_us();
	if (topic_sensor(msg->topic, "status", m->sensor)) {
		if (payload_parse(msg->payload, msg->payloadlen, m))
			return true;
		log_warn("ingestd: malformed status from %s dropped",
			 m->sensor);
		return false;
	}
	if (!topic_sensor(msg->topic, "online", m->sensor) ||
	    msg->payloadlen != 7 || memcmp(msg->payload, "offline", 7))
		return false;
	m->status = "unknown";
	return true;
}

/* The spool record of m, one line of JSON:
 * {"sensor", "at" (us), "status", "seq", "boot"?} or {"sensor", "at",
 * "will": true}.  Caller frees. */
static char *
record_format(const struct status_msg *m)
{
	json_object *o = json_object_new_object();
	char *s;

	json_object_object_add(o, "sensor", json_object_new_string(m->sensor));
	json_object_object_add(o, "at", json_object_new_int64(m->at_us));
	if (m->seq < 0) {
		json_object_object_add(o, "will", json_object_new_boolean(1));
	} else {
		json_object_object_add(o, "status",
				       json_object_new_string(m->status));
		json_object_object_add(o, "seq", json_object_new_int64(m->seq));
		if (m->boot[0])
			json_object_object_add(o, "boot",
				json_object_new_string(m->boot));
	}
	s = xstrdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return s;
}

static bool
record_parse(const char *line, struct status_msg *m)
{
	json_object *o = json_tokener_parse(line), *v;
	bool ok = false;

	memset(m, 0, sizeof(*m));
	m->seq = -1;
	if (!o || !json_object_object_get_ex(o, "sensor", &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    json_object_get_string_len(v) > 64 ||
	    !json_object_object_get_ex(o, "at", &v) ||
	    !json_object_is_type(v, json_type_int))
		goto out;
	m->at_us = json_object_get_int64(v);
	json_object_object_get_ex(o, "sensor", &v);
	snprintf(m->sensor, sizeof(m->sensor), "%s", json_object_get_string(v));
	if (json_object_object_get_ex(o, "will", &v)) {
		m->status = "unknown";
		ok = true;
	} else {
		ok = status_fields(o, m);
	}
out:
	json_object_put(o);
	return ok;
}

/* ---- applying the spool -------------------------------------------------- */

/* The apply step's work area: spooled records and what they did. */
struct batch {
	struct spool_batch sb;
	struct status_msg msg[BATCH_MAX];
};

/* The number of the first spooled message the database does not have
 * yet (0 for a spool it has never seen), locked for this transaction.  A
 * database that claims more than the spool ever held (a spool file put
 * back from an older copy) is not believed: the whole spool is applied. */
static enum err
spool_position(struct ingest *g, long long *next)
{
	enum err e = db_query_int(g->db, sql[Q_SPOOL_POS],
				  DB_P(db_str(spool_gen(g->spool))), ERR_OK,
				  next);

	if (e == ERR_OK && *next > spool_next(g->spool)) {
		log_warn("ingestd: the database has spool records up to %lld,"
			 " the spool ends before %lld: applying all of it",
			 *next, spool_next(g->spool));
		*next = 0;
	}
	return e;
}

/* One transaction: skips the records the database has already (the spool
 * position is committed with them), applies the others in order, and
 * records the new position. */
static enum err
apply_batch(struct ingest *g, void *arg)
{
	struct batch *b = arg;
	long long next, n;
	size_t i;
	enum err e = spool_position(g, &next);

	for (i = 0; e == ERR_OK && i < b->sb.n; i++) {
		n = b->sb.first + (long long)i;
		b->msg[i].changed = false;
		if (n < next)
			continue;
		if (!record_parse(b->sb.rec[i], &b->msg[i])) {
			log_error("ingestd: spool record %lld unreadable;"
				  " skipped", n);
			continue;
		}
		e = apply_status(g, &b->msg[i]);
	}
	if (e == ERR_OK)
		e = db_exec(g->db, sql[Q_SPOOL_SAVE], DB_P(
			db_str(spool_gen(g->spool)),
			db_int(b->sb.first + (long long)b->sb.n)), NULL);
	return e;
}

/* The oldest spooled messages, up to BATCH_MAX, in one transaction; they
 * leave the spool only after COMMIT, and their changes go to nchan. */
static void
spool_apply(struct ingest *g)
{
	struct batch *b = g->batch;
	enum err e;
	size_t i;

	if (spool_pending(g->spool) == 0 || !db_due(g))
		return;
	if (spool_peek(g->spool, BATCH_MAX, &b->sb)) {
		g->db_wait_until = daemon_mono_ms() + DB_ERROR_WAIT;
		return;
	}
	e = in_tx(g, apply_batch, b);
	db_outcome(g, e);
	if (e == ERR_OK) {
		spool_consume(g->spool, &b->sb);
		for (i = 0; i < b->sb.n; i++)
			if (b->msg[i].changed)
				nchan_publish(g->cfg, &b->msg[i].change);
	}
	spool_batch_release(&b->sb);
}

/* ---- MQTT ----------------------------------------------------------------- */

/* libmosquitto has acknowledged the message already (PUBACK goes out
 * before this callback), so it is lost unless it reaches the spool; the
 * MQTT step syncs the spool after each burst.  When the spool cannot take
 * it, the child stops reading and restarts: what the broker has not handed
 * over yet stays queued for the session. */
static void
on_message(struct mosquitto *mq, void *arg,
	   const struct mosquitto_message *msg)
{
	struct ingest *g = arg;
	struct status_msg m;
	char *rec;

	(void)mq;
	if (!message_read(msg, &m))
		return;
	rec = record_format(&m);
	if (g->spool_broken || spool_append(g->spool, rec, strlen(rec))) {
		log_error("ingestd: message from %s lost: the spool cannot "
			  "take it", m.sensor);
		g->spool_broken = true;
	} else {
		g->received++;
	}
	free(rec);
}

static void
on_connect(struct mosquitto *mq, void *arg, int rc)
{
	(void)arg;
	if (rc) {
		log_warn("ingestd: broker refused: %s",
			 mosquitto_connack_string(rc));
		return;
	}
	log_info("ingestd: connected to the broker");
	mosquitto_subscribe(mq, NULL, "haas/parking/+/status", 1);
	mosquitto_subscribe(mq, NULL, "haas/parking/+/online", 1);
}

/* ---- the ingest child ----------------------------------------------------- */

static struct mosquitto *
mqtt_open(struct ingest *g)
{
	char id[64];
	struct mosquitto *mq;

	/* A fixed client id with a persistent session: QoS 1 messages sent
	 * while the daemon restarts are kept by the broker and delivered. */
	snprintf(id, sizeof(id), "haas-ingestd-%s", g->cfg->mqtt_username);
	mq = mosquitto_new(id, false, g);
	if (!mq)
		return NULL;
	mosquitto_username_pw_set(mq, g->cfg->mqtt_username,
				  g->cfg->mqtt_password);
	mosquitto_connect_callback_set(mq, on_connect);
	mosquitto_message_callback_set(mq, on_message);
	return mq;
}

/* Takes what the broker has sent already, without waiting, until a
 * batch is full, then syncs the spool once for the whole burst. */
static int
mqtt_burst(struct ingest *g, int rc)
{
	long long start = g->received, last = -1;

	while (rc == MOSQ_ERR_SUCCESS && g->received != last &&
	       g->received - start < BATCH_MAX && !g->spool_broken) {
		last = g->received;
		rc = mosquitto_loop(g->mq, 0, 1);
	}
	if (spool_sync(g->spool))
		g->spool_broken = true;
	return rc;
}

/* One turn of the MQTT loop: (re)connects when down (at most once a
 * second), then waits up to wait_ms for traffic; on_message spools what
 * arrives.  Returns whether the connection is up. */
static bool
mqtt_step(struct ingest *g, bool up, int wait_ms)
{
	int rc = MOSQ_ERR_SUCCESS;

	if (!up && daemon_mono_ms() < g->mqtt_retry_at) {
		usleep((useconds_t)wait_ms * 1000);
		return false;
	}
	if (!up) {
		rc = mosquitto_reconnect(g->mq);
		if (rc != MOSQ_ERR_SUCCESS)
			log_warn("ingestd: broker %s:%lld: %s",
				 g->cfg->mqtt_host, g->cfg->mqtt_port,
				 mosquitto_strerror(rc));
	}
	if (rc == MOSQ_ERR_SUCCESS)
		rc = mqtt_burst(g, mosquitto_loop(g->mq, wait_ms, 1));
	if (rc == MOSQ_ERR_SUCCESS)
		return true;
	if (up)
		log_warn("ingestd: broker connection lost; reconnecting");
	g->mqtt_retry_at = daemon_mono_ms() + 1000;
	return false;
}

/* Spools what arrives, applies the spool, sweeps; the MQTT loop does not
 * wait while spooled work can run. */
static void
ingest_loop(struct ingest *g)
{
	long long last_ttl = 0, last_docs = 0, now;
	bool up = false, busy;

	if (mosquitto_connect(g->mq, g->cfg->mqtt_host, (int)g->cfg->mqtt_port,
			      30) == MOSQ_ERR_SUCCESS)
		up = true;
	while (!daemon_stopping() && !g->spool_broken) {
		busy = spool_pending(g->spool) > 0 && db_due(g);
		up = mqtt_step(g, up, busy ? 0 : 250);
		spool_apply(g);
		now = daemon_mono_ms();
		if (now - last_ttl >= 1000 && spool_pending(g->spool) == 0 &&
		    db_due(g)) {
			last_ttl = now;
			sweep_silence(g);
		}
		if (now - last_docs >= 60000 && db_due(g)) {
			last_docs = now;
			sweep_documents(g);
			db_outcome(g, db_exec(g->db, sql[Q_IDEM_PURGE], DB_P(
				db_int(g->cfg->idempotency_ttl)), NULL));
		}
	}
}

static int
ingest_main(const struct config *cfg)
{
	struct ingest g = { .cfg = cfg, .db_ok = true };
	char err[512];
	int rc = 1;

	daemon_signals();
	g.spool = spool_open(cfg->ingest_spool, err, sizeof(err));
	if (!g.spool) {
		log_error("ingestd: spool: %s", err);
		return 1;
	}
	log_info("ingestd: spool %s holds %lld messages (those applied before"
		 " are skipped)", cfg->ingest_spool, spool_pending(g.spool));
	g.batch = xcalloc(1, sizeof(*g.batch));
	g.db = db_new(cfg);
	mosquitto_lib_init();
	g.mq = mqtt_open(&g);
	if (g.mq) {
		ingest_loop(&g);
		rc = g.spool_broken ? 1 : 0;
		mosquitto_disconnect(g.mq);
		mosquitto_destroy(g.mq);
	} else {
		log_error("ingestd: mosquitto_new failed");
	}
	mosquitto_lib_cleanup();
	db_free(g.db);
	free(g.batch);
	spool_free(g.spool);
	log_info("ingestd: stopped");
	return rc;
}

static void
usage(FILE *out)
{
	fprintf(out, "usage: haas-ingestd [-c CONFIG]\n"
		"       haas-ingestd --help | --version\n"
		"CONFIG: $HAAS_CONFIG, else " HAAS_CONF_DEFAULT "\n");
}

static int
started(const struct config *cfg)
{
	log_info("ingestd: starting (broker %s:%lld, sensor ttl %lld s)",
		 cfg->mqtt_host, cfg->mqtt_port, cfg->sensor_ttl);
	return 0;
}

int
main(int argc, char **argv)
{
	return daemon_main(argc, argv, "haas-ingestd", "ingestd", usage,
			   started, ingest_main);
}

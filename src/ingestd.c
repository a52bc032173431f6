/* haas-ingestd: parking sensors over MQTT into MariaDB.  A master process
 * keeps one ingest child alive (restarted if it dies); the child subscribes
 * with libmosquitto at QoS 1 and writes every message to its spool (on disk
 * before anything else happens to it), applies spooled messages to MariaDB
 * in batches, in arrival order (by seq and boot id per sensor), turns
 * silent or offline sensors' spaces unknown, pushes what changed to nchan
 * for the browsers, and deletes documents past their retention. */
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
#include "ingest.h"
#include "isotime.h"
#include "log.h"
#include "metrics.h"
#include "notify.h"
#include "spool.h"
#include "util.h"

#define PAYLOAD_MAX 1024
#define SWEEP_MAX 256
/* Spooled messages applied in one transaction, at most (and taken from
 * the broker between two spool syncs). */
#define BATCH_MAX 1024
/* Milliseconds without a message that end a burst from the broker. */
#define BURST_GAP_MS 1
/* Milliseconds before the database is tried again: down, other errors. */
#define DB_DOWN_WAIT 1000
#define DB_ERROR_WAIT 5000

enum ingest_sql {
	Q_SPOOL_POS,
	Q_SPOOL_SAVE,
	Q_LOCK_SPACES,
	Q_SPACES_WRITE,
	Q_HISTORY_ADD,
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
	/* The batch's spaces, locked, from a JSON array of sensor ids.  The
	 * array drives the join, one lookup of the unique key each, so only
	 * those rows are locked (a scan would lock every row it passed). */
	[Q_LOCK_SPACES] = "SELECT STRAIGHT_JOIN p.live_sensor, p.id, p.code,"
		" p.zone, p.status, p.last_seq, p.last_boot,"
		" p.sensor_silent_at IS NOT NULL"
		" FROM JSON_TABLE(?, '$[*]' COLUMNS (sensor VARCHAR(64)"
		"   CHARACTER SET ascii COLLATE ascii_bin PATH '$')) j"
		" JOIN parking_spaces p ON p.live_sensor = j.sensor FOR UPDATE",
	/* What the batch left of each space it applied messages to, from a
	 * JSON array of [id, last_seq, last_boot, last_seen_at, status,
	 * updated_at (null: unchanged)].  Times are when ingestd received
	 * the messages.  A space a staff member took out of service stays
	 * so; the sensor still counts as seen. */
	[Q_SPACES_WRITE] = "UPDATE parking_spaces p JOIN JSON_TABLE(?, '$[*]'"
		" COLUMNS (id BIGINT UNSIGNED PATH '$[0]',"
		"   seq BIGINT PATH '$[1]',"
		"   boot VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin"
		"   PATH '$[2]', seen DATETIME(6) PATH '$[3]',"
		"   status VARCHAR(16) PATH '$[4]',"
		"   updated DATETIME(6) PATH '$[5]')) j ON p.id = j.id"
		" SET p.last_seq = j.seq, p.last_boot = j.boot,"
		" p.last_seen_at = j.seen,"
		" p.status = IF(p.status = 'out_of_service', p.status,"
		"   j.status),"
		" p.updated_at = COALESCE(j.updated, p.updated_at)",
	/* The batch's changes, in their order, from a JSON array of
	 * [space_id, status, source, seq, at]. */
	[Q_HISTORY_ADD] = "INSERT INTO parking_history (space_id, status,"
		" source, seq, at)"
		" SELECT j.space_id, j.status, j.source, j.seq, j.at"
		" FROM JSON_TABLE(?, '$[*]' COLUMNS (n FOR ORDINALITY,"
		"   space_id BIGINT UNSIGNED PATH '$[0]',"
		"   status VARCHAR(16) PATH '$[1]',"
		"   source VARCHAR(8) PATH '$[2]',"
		"   seq BIGINT PATH '$[3]', at DATETIME(6) PATH '$[4]')) j"
		" ORDER BY j.n",
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
	struct ingest_metrics *metrics;	/* counters haasd shows; NULL: none */
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

/* The change of a space (its status, why) as its event and notices name
 * it. */
static void
change_of_space(struct change *c, const struct ingest_space *sp,
		const char *status)
{
	memset(c, 0, sizeof(*c));
	c->id = sp->id;
	snprintf(c->code, sizeof(c->code), "%s", sp->code);
	snprintf(c->zone, sizeof(c->zone), "%s", sp->zone);
	snprintf(c->sensor, sizeof(c->sensor), "%s", sp->sensor);
	c->status = status;
	c->source = sp->source;
}

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

/* The optional "boot": 1 to INGEST_BOOT_MAX printable ASCII characters, no
 * spaces; absent or null: "". */
static bool
boot_read(json_object *o, char out[INGEST_BOOT_MAX + 1])
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
	if (n == 0 || n > INGEST_BOOT_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] > '~')
			return false;
	memcpy(out, s, n + 1);
	return true;
}

/* {"status": "occupied"|"free", "seq": 0 <= n < 2^63 - 1, "boot"?} */
static bool
status_fields(json_object *o, struct ingest_msg *m)
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
payload_parse(const void *data, int len, struct ingest_msg *m)
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
message_read(struct ingest *g, const struct mosquitto_message *msg,
	     struct ingest_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->seq = -1;
	m->at_us = wall_us();
	if (topic_sensor(msg->topic, "status", m->sensor)) {
		if (payload_parse(msg->payload, msg->payloadlen, m))
			return true;
		log_warn("ingestd: malformed status from %s dropped",
			 m->sensor);
		ingest_metrics_count(g->metrics, INGEST_DROPPED, 1);
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
record_format(const struct ingest_msg *m)
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
record_parse(const char *line, struct ingest_msg *m)
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

/* The apply step's work area: spooled records, the spaces they are for
 * and the changes they made. */
struct batch {
	struct spool_batch sb;
	struct ingest_msg msg[BATCH_MAX];	/* those to apply, in order */
	size_t nmsg;
	size_t napplied;	/* of those, not old news (metrics) */
	size_t nbad;		/* records that did not parse (metrics) */
	struct ingest_space space[BATCH_MAX];	/* sorted by sensor */
	size_t nspace;
	struct ingest_change change[BATCH_MAX];	/* in order */
	size_t nchange;
	const char *sensor[BATCH_MAX];	/* scratch: their sensors */
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

/* The spooled records from number next on, parsed into b->msg. */
static void
batch_read(struct batch *b, long long next)
{
	long long n;
	size_t i;

	b->nmsg = b->nbad = 0;
	for (i = 0; i < b->sb.n; i++) {
		n = b->sb.first + (long long)i;
		if (n < next)
			continue;
		if (record_parse(b->sb.rec[i], &b->msg[b->nmsg]))
			b->nmsg++;
		else {
			b->nbad++;
			log_error("ingestd: spool record %lld unreadable;"
				  " skipped", n);
		}
	}
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The messages' sensors, each once, as a JSON array (Q_LOCK_SPACES).
 * Caller puts. */
static json_object *
sensors_json(struct batch *b)
{
	json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; i < b->nmsg; i++)
		b->sensor[i] = b->msg[i].sensor;
	qsort(b->sensor, b->nmsg, sizeof(b->sensor[0]), str_cmp);
	for (i = 0; i < b->nmsg; i++)
		if (i == 0 || strcmp(b->sensor[i], b->sensor[i - 1]))
			json_object_array_add(a, json_object_new_string(
				b->sensor[i]));
	return a;
}

/* One locked row of Q_LOCK_SPACES as the space the batch starts from. */
static void
space_read(struct ingest_space *sp, const struct db_rows *rows)
{
	memset(sp, 0, sizeof(*sp));
	snprintf(sp->sensor, sizeof(sp->sensor), "%s", db_col(rows, 0));
	sp->id = db_col_int(rows, 1);
	snprintf(sp->code, sizeof(sp->code), "%s", db_col(rows, 2));
	snprintf(sp->zone, sizeof(sp->zone), "%s", db_col(rows, 3));
	sp->status = ingest_status(db_col(rows, 4));
	sp->has_seq = db_col(rows, 5) != NULL;
	sp->last_seq = db_col_int(rows, 5);
	snprintf(sp->boot, sizeof(sp->boot), "%s",
		 db_col(rows, 6) ? db_col(rows, 6) : "");
	sp->silent = db_col_int(rows, 7) != 0;
}

/* Locks the spaces of the messages' sensors (one round trip) into
 * b->space, sorted by sensor.  A sensor bound to no live space has
 * none: its messages are dropped. */
static enum err
spaces_lock(struct ingest *g, struct batch *b)
{
	json_object *a = sensors_json(b);
	struct db_rows *rows;
	enum err e = db_query(g->db, sql[Q_LOCK_SPACES], DB_P(db_str(
		json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN))),
		8, &rows);

	json_object_put(a);
	b->nspace = 0;
	if (e != ERR_OK)
		return e;
	while (b->nspace < BATCH_MAX && db_next(rows))
		space_read(&b->space[b->nspace++], rows);
	e = db_rows_err(rows);
	db_rows_free(rows);
	ingest_spaces_sort(b->space, b->nspace);
	return e;
}

/* Every message to its space, in spool order (ingest_apply); the changes
 * in b->change. */
static void
batch_fold(struct batch *b)
{
	struct ingest_space *sp;
	bool changed;
	size_t i;

	b->nchange = b->napplied = 0;
	for (i = 0; i < b->nmsg; i++) {
		sp = ingest_space_find(b->space, b->nspace, b->msg[i].sensor);
		if (!sp || !ingest_apply(sp, &b->msg[i],
					 &b->change[b->nchange], &changed))
			continue;
		b->napplied++;
		if (changed)
			b->nchange++;
	}
}

/* A time as a JSON DATETIME(6) string. */
static json_object *
db_time_json(long long us)
{
	char t[ISOTIME_DB_MAX];

	isotime_db(us, t);
	return json_object_new_string(t);
}

/* The spaces the batch applied messages to, as Q_SPACES_WRITE's array;
 * NULL when there is none.  Caller puts. */
static json_object *
spaces_json(const struct batch *b)
{
	json_object *a = NULL, *row;
	const struct ingest_space *sp;
	size_t i;

	for (i = 0; i < b->nspace; i++) {
		sp = &b->space[i];
		if (!sp->applied)
			continue;
		row = json_object_new_array();
		json_object_array_add(row, json_object_new_int64(sp->id));
		json_object_array_add(row, sp->has_seq ?
			json_object_new_int64(sp->last_seq) : NULL);
		json_object_array_add(row, sp->boot[0] ?
			json_object_new_string(sp->boot) : NULL);
		json_object_array_add(row, db_time_json(sp->seen_us));
		json_object_array_add(row, json_object_new_string(sp->status));
		json_object_array_add(row, sp->updated_us ?
			db_time_json(sp->updated_us) : NULL);
		if (!a)
			a = json_object_new_array();
		json_object_array_add(a, row);
	}
	return a;
}

/* The batch's changes, as Q_HISTORY_ADD's array.  Caller puts. */
static json_object *
changes_json(const struct batch *b)
{
	json_object *a = json_object_new_array(), *row;
	const struct ingest_change *ch;
	size_t i;

	for (i = 0; i < b->nchange; i++) {
		ch = &b->change[i];
		row = json_object_new_array();
		json_object_array_add(row, json_object_new_int64(ch->space_id));
		json_object_array_add(row, json_object_new_string(ch->status));
		json_object_array_add(row, json_object_new_string(ch->source));
		json_object_array_add(row, ch->seq < 0 ? NULL :
				      json_object_new_int64(ch->seq));
		json_object_array_add(row, db_time_json(ch->at_us));
		json_object_array_add(a, row);
	}
	return a;
}

/* Runs the one statement sql with the JSON array a as its parameter, and
 * puts a (NULL: nothing to do). */
static enum err
exec_json(struct ingest *g, const char *stmt, json_object *a)
{
	enum err e = ERR_OK;

	if (a)
		e = db_exec(g->db, stmt, DB_P(db_str(
			json_object_to_json_string_ext(a,
				JSON_C_TO_STRING_PLAIN))), NULL);
	json_object_put(a);
	return e;
}

/* Writes what the fold made: each space once, the history rows in one
 * statement, and a notice for each sensor back from a silence. */
static enum err
batch_write(struct ingest *g, struct batch *b)
{
	struct change c;
	size_t i;
	enum err e = exec_json(g, sql[Q_SPACES_WRITE], spaces_json(b));

	if (e == ERR_OK && b->nchange)
		e = exec_json(g, sql[Q_HISTORY_ADD], changes_json(b));
	for (i = 0; e == ERR_OK && i < b->nspace; i++) {
		if (!b->space[i].back)
			continue;
		change_of_space(&c, &b->space[i], b->space[i].back);
		e = sensor_notify(g, &c, true);
	}
	return e;
}

/* One transaction, a fixed number of round trips whatever its size:
 * skips the records the database has already (the spool position is
 * committed with them), locks the spaces of the others, carries each
 * space through its messages in order, writes the result, and records
 * the new position. */
static enum err
apply_batch(struct ingest *g, void *arg)
{
	struct batch *b = arg;
	long long next;
	enum err e = spool_position(g, &next);

	b->nmsg = b->nspace = b->nchange = b->napplied = b->nbad = 0;
	if (e == ERR_OK)
		batch_read(b, next);
	if (e == ERR_OK && b->nmsg)
		e = spaces_lock(g, b);
	if (e == ERR_OK) {
		batch_fold(b);
		e = batch_write(g, b);
	}
	if (e == ERR_OK)
		e = db_exec(g->db, sql[Q_SPOOL_SAVE], DB_P(
			db_str(spool_gen(g->spool)),
			db_int(b->sb.first + (long long)b->sb.n)), NULL);
	return e;
}

/* After COMMIT: one event per space the batch changed, with what it is
 * now.  A browser keeps only a space's latest state, so a space that
 * changed several times in one batch is announced once. */
static void
batch_publish(struct ingest *g, const struct batch *b)
{
	struct change c;
	size_t i;

	for (i = 0; i < b->nspace; i++) {
		if (!b->space[i].source)
			continue;
		change_of_space(&c, &b->space[i], b->space[i].status);
		nchan_publish(g->cfg, &c);
	}
}

/* After COMMIT: the batch's messages by outcome, and how long its oldest
 * one waited (metrics.h). */
static void
batch_count(struct ingest *g, const struct batch *b)
{
	long long oldest = 0;
	size_t i;

	ingest_metrics_count(g->metrics, INGEST_APPLIED, (long long)b->napplied);
	ingest_metrics_count(g->metrics, INGEST_IGNORED,
			     (long long)(b->nmsg - b->napplied));
	ingest_metrics_count(g->metrics, INGEST_DROPPED, (long long)b->nbad);
	for (i = 0; i < b->nmsg; i++)
		if (!oldest || b->msg[i].at_us < oldest)
			oldest = b->msg[i].at_us;
	if (oldest)
		ingest_metrics_batch(g->metrics, wall_us() - oldest,
				     spool_pending(g->spool));
}

/* Tests only (fault_injection = 1): a file "<ingest_spool>.fault" holding
 * a fault of db.c ("crash-after:INSERT INTO parking_history", see
 * db_fault_parse) arms it for the next batch; the file is removed, so it
 * fires once. */
static void
fault_take(struct ingest *g)
{
	char *path, spec[160] = "";
	const char *match = NULL;
	enum db_fault f;
	FILE *in;

	if (!g->cfg->fault_injection)
		return;
	path = xasprintf("%s.fault", g->cfg->ingest_spool);
	in = fopen(path, "r");
	if (in) {
		if (!fgets(spec, sizeof(spec), in))
			spec[0] = '\0';
		fclose(in);
		unlink(path);
		spec[strcspn(spec, "\r\n")] = '\0';
		f = db_fault_parse(spec, &match);
		log_warn("ingestd: test fault armed: %s", spec);
		db_fault_arm(g->db, f, match);
	}
	free(path);
}

/* The oldest spooled messages, up to BATCH_MAX, in one transaction; they
 * leave the spool only after COMMIT, and their changes go to nchan. */
static void
spool_apply(struct ingest *g)
{
	struct batch *b = g->batch;
	enum err e;

	if (spool_pending(g->spool) == 0 || !db_due(g))
		return;
	if (spool_peek(g->spool, BATCH_MAX, &b->sb)) {
		g->db_wait_until = daemon_mono_ms() + DB_ERROR_WAIT;
		return;
	}
	fault_take(g);
	e = in_tx(g, apply_batch, b);
	db_outcome(g, e);
	if (e == ERR_OK) {
		spool_consume(g->spool, &b->sb);
		batch_count(g, b);
		batch_publish(g, b);
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
	struct ingest_msg m;
	char *rec;

	(void)mq;
	if (!message_read(g, msg, &m))
		return;
	rec = record_format(&m);
	if (g->spool_broken || spool_append(g->spool, rec, strlen(rec))) {
		log_error("ingestd: message from %s lost: the spool cannot "
			  "take it", m.sensor);
		ingest_metrics_count(g->metrics, INGEST_DROPPED, 1);
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

/* Takes what the broker sends while it keeps coming, until a batch is
 * full, then syncs the spool once for the whole burst.  The broker sends
 * a few messages at a time (max_inflight_messages) and the next ones as
 * each PUBACK reaches it, so a burst ends only when nothing has come for
 * BURST_GAP_MS, not at the first empty read. */
static int
mqtt_burst(struct ingest *g, int rc)
{
	long long start = g->received, last = -1;

	while (rc == MOSQ_ERR_SUCCESS && g->received != last &&
	       g->received - start < BATCH_MAX && !g->spool_broken) {
		last = g->received;
		rc = mosquitto_loop(g->mq, BURST_GAP_MS, 1);
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
		ingest_metrics_pending(g->metrics, spool_pending(g->spool));
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
	char err[512], *metrics_path;
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
	metrics_path = xasprintf("%s.metrics", cfg->ingest_spool);
	g.metrics = ingest_metrics_open(metrics_path);
	free(metrics_path);
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
	ingest_metrics_close(g.metrics);
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

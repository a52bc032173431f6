/* haas-ingestd: parking sensors over MQTT into MariaDB.  A master process
 * keeps one ingest child alive (restarted if it dies); the child subscribes
 * with libmosquitto at QoS 1, applies status messages in order (by seq),
 * turns silent or offline sensors' spaces unknown, pushes each change to
 * nchan for the browsers, and deletes documents past their retention. */
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
#include "db.h"
#include "log.h"
#include "util.h"

#define PAYLOAD_MAX 1024
#define SWEEP_MAX 256
#define DB_TRIES 20

enum ingest_sql {
	Q_LOCK_SENSOR,
	Q_APPLY,
	Q_HISTORY,
	Q_SILENT,
	Q_SET_UNKNOWN,
	Q_EXPIRED_DOCS,
	Q_DOC_GONE,
};

static const char *const sql[] = {
	[Q_LOCK_SENSOR] = "SELECT id, code, zone, status, last_seq"
		" FROM parking_spaces WHERE live_sensor = ? FOR UPDATE",
	/* A space a staff member took out of service stays so; the sensor
	 * still counts as seen. */
	[Q_APPLY] = "UPDATE parking_spaces SET last_seq = COALESCE(?, last_seq),"
		" last_seen_at = UTC_TIMESTAMP(6),"
		" updated_at = IF(status <> ? AND status <> 'out_of_service',"
		"   UTC_TIMESTAMP(6), updated_at),"
		" status = IF(status = 'out_of_service', status, ?)"
		" WHERE id = ?",
	[Q_HISTORY] = "INSERT INTO parking_history (space_id, status, source,"
		" seq) VALUES (?, ?, ?, ?)",
	[Q_SILENT] = "SELECT id, code, zone FROM parking_spaces"
		" WHERE retired_at IS NULL AND status IN ('free', 'occupied')"
		" AND last_seen_at < UTC_TIMESTAMP(6) - INTERVAL ? SECOND"
		" ORDER BY id LIMIT 256 FOR UPDATE",
	[Q_SET_UNKNOWN] = "UPDATE parking_spaces SET status = 'unknown',"
		" updated_at = UTC_TIMESTAMP(6) WHERE id = ?"
		" AND status IN ('free', 'occupied')",
	[Q_EXPIRED_DOCS] = "SELECT id, document_name FROM registration_requests"
		" WHERE status <> 'pending' AND document_name IS NOT NULL"
		" AND document_deleted_at IS NULL"
		" AND decided_at < UTC_TIMESTAMP(6) - INTERVAL ? DAY"
		" ORDER BY id LIMIT 100",
	[Q_DOC_GONE] = "UPDATE registration_requests SET"
		" document_deleted_at = UTC_TIMESTAMP(6) WHERE id = ?"
		" AND document_deleted_at IS NULL",
};

static volatile sig_atomic_t got_term;

struct ingest {
	const struct config *cfg;
	struct db *db;
	struct mosquitto *mq;
};

/* One change to apply: the space, its new status, why. */
struct change {
	long long id;
	char code[64], zone[96];
	const char *status;
	const char *source;
};

/* ---- nchan ---------------------------------------------------------------- */

/* Connects to "unix:/path.sock:/uri" or "http://host[:port]/uri"; *uri
 * points into url.  Returns a socket or -1. */
static int
nchan_connect(const char *url, const char **uri)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai = NULL;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char host[256], port[8] = "80";
	const char *p, *c;
	int fd = -1;
	size_t n;

	if (!strncmp(url, "unix:", 5)) {
		p = strchr(url + 5, ':');
		n = p ? (size_t)(p - url - 5) : 0;
		if (!p || n == 0 || n >= sizeof(sun.sun_path))
			return -1;
		memcpy(sun.sun_path, url + 5, n);
		*uri = p + 1;
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
			close(fd);
			fd = -1;
		}
		return fd;
	}
	if (strncmp(url, "http://", 7))
		return -1;
	url += 7;
	p = strchr(url, '/');
	if (!p || (size_t)(p - url) >= sizeof(host))
		return -1;
	*uri = p;
	memcpy(host, url, (size_t)(p - url));
	host[p - url] = '\0';
	c = strchr(host, ':');
	if (c) {
		snprintf(port, sizeof(port), "%s", c + 1);
		host[c - host] = '\0';
	}
	if (getaddrinfo(host, port, &hints, &ai) || !ai)
		return -1;
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen)) {
		close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	return fd;
}

static int
write_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(fd, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/* POSTs one JSON event to nchan's publisher location (HTTP/1.0, one
 * connection per event: changes are rare next to the web traffic). */
static void
nchan_publish(const struct config *cfg, const struct change *c)
{
	json_object *o = json_object_new_object();
	const char *uri, *body;
	struct buf req = { 0 };
	struct timeval tv = { .tv_sec = 2 };
	char stamp[32], resp[64] = { 0 }, id[24];
	time_t now = time(NULL);
	struct tm tm;
	int fd;

	if (!cfg->nchan_publish_url || !*cfg->nchan_publish_url)
		return;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(id, sizeof(id), "%lld", c->id);
	json_object_object_add(o, "space_id", json_object_new_string(id));
	json_object_object_add(o, "code", json_object_new_string(c->code));
	json_object_object_add(o, "zone", json_object_new_string(c->zone));
	json_object_object_add(o, "status", json_object_new_string(c->status));
	json_object_object_add(o, "source", json_object_new_string(c->source));
	json_object_object_add(o, "updated_at", json_object_new_string(stamp));
	body = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	fd = nchan_connect(cfg->nchan_publish_url, &uri);
	if (fd < 0) {
		log_warn("ingestd: nchan publisher unreachable");
		goto out;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	buf_addf(&req, "POST %s HTTP/1.0\r\nHost: localhost\r\n"
		 "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
		 uri, strlen(body), body);
	if (write_all(fd, req.s, req.len) || read(fd, resp, sizeof(resp) - 1) < 12 ||
	    (strncmp(resp + 9, "201", 3) && strncmp(resp + 9, "202", 3)))
		log_warn("ingestd: nchan publish failed: %.20s", resp);
	close(fd);
out:
	buf_release(&req);
	json_object_put(o);
}

/* ---- database ------------------------------------------------------------- */

/* Runs fn in a transaction, retrying deadlocks and waiting out a database
 * that is down (db.c reconnects on the next statement). */
static enum err
in_tx(struct ingest *g, enum err (*fn)(struct ingest *, void *), void *arg)
{
	enum err e = ERR_DB_DOWN;
	int i;

	for (i = 0; i < DB_TRIES && !got_term; i++) {
		e = db_begin(g->db);
		if (e == ERR_OK)
			e = fn(g, arg);
		if (e == ERR_OK)
			e = db_commit(g->db);
		if (e == ERR_OK)
			return e;
		db_rollback(g->db);
		if (e != ERR_DB_RETRY && e != ERR_DB_DOWN)
			return e;
		usleep(e == ERR_DB_DOWN ? 500000 : 20000);
	}
	return e;
}

/* A status message, as parsed. */
struct status_msg {
	char sensor[65];
	const char *status;	/* "free" or "occupied"; "unknown" for a will */
	long long seq;		/* -1 for a will */
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

/* Locks the sensor's space; drops a message whose seq is not newer than
 * the last applied; updates the space and appends history on a change. */
static enum err
apply_status(struct ingest *g, void *arg)
{
	struct status_msg *m = arg;
	const char *source = m->seq < 0 ? "will" : "sensor";
	struct db_rows *rows;
	bool found, stale = false, same = true;
	enum err e = db_query(g->db, sql[Q_LOCK_SENSOR],
			      DB_P(db_str(m->sensor)), 5, &rows);

	m->changed = false;
	if (e != ERR_OK)
		return e;
	found = db_next(rows);
	if (found) {
		stale = m->seq >= 0 && db_col(rows, 4) &&
			m->seq <= db_col_int(rows, 4);
		same = !strcmp(db_col(rows, 3), m->status) ||
		       !strcmp(db_col(rows, 3), "out_of_service") ||
		       (m->seq < 0 && !strcmp(db_col(rows, 3), "unknown"));
		change_fill(&m->change, rows, m->status, source);
	}
	e = db_rows_err(rows);
	db_rows_free(rows);
	if (e != ERR_OK || !found || stale)
		return e;
	e = db_exec(g->db, sql[Q_APPLY], DB_P(m->seq < 0 ? db_null()
		: db_int(m->seq), db_str(m->status), db_str(m->status),
		db_int(m->change.id)), NULL);
	if (e == ERR_OK && !same)
		e = db_exec(g->db, sql[Q_HISTORY], DB_P(db_int(m->change.id),
			db_str(m->status), db_str(source), m->seq < 0 ? db_null()
			: db_int(m->seq)), NULL);
	m->changed = e == ERR_OK && !same;
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
			      DB_P(db_int(g->cfg->sensor_ttl)), 3, &rows);

	s->n = 0;
	if (e != ERR_OK)
		return e;
	while (s->n < SWEEP_MAX && db_next(rows))
		change_fill(&s->c[s->n++], rows, "unknown", "ttl");
	e = db_rows_err(rows);
	db_rows_free(rows);
	for (i = 0; e == ERR_OK && i < s->n; i++) {
		e = db_exec(g->db, sql[Q_SET_UNKNOWN], DB_P(db_int(s->c[i].id)),
			    NULL);
		if (e == ERR_OK)
			e = db_exec(g->db, sql[Q_HISTORY], DB_P(
				db_int(s->c[i].id), db_str("unknown"),
				db_str("ttl"), db_null()), NULL);
	}
	return e;
}

static void
sweep_silence(struct ingest *g)
{
	struct sweep *s = xcalloc(1, sizeof(*s));
	size_t i;

	if (in_tx(g, apply_silence, s) == ERR_OK)
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

	if (db_query(g->db, sql[Q_EXPIRED_DOCS], DB_P(db_int(
	    g->cfg->document_retention_days)), 2, &rows) != ERR_OK)
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

/* ---- MQTT ----------------------------------------------------------------- */

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

/* {"status": "occupied"|"free", "seq": n >= 0, "ts": "..."} */
static bool
payload_parse(const void *data, int len, struct status_msg *m)
{
	json_object *o = NULL, *st, *seq;
	bool ok = false;
	char *text;

	if (len <= 0 || len > PAYLOAD_MAX || !utf8_valid(data, (size_t)len))
		return false;
	text = xstrndup(data, (size_t)len);
	o = json_tokener_parse(text);
	free(text);
	if (!o || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, "status", &st) ||
	    !json_object_object_get_ex(o, "seq", &seq) ||
	    !json_object_is_type(st, json_type_string) ||
	    !json_object_is_type(seq, json_type_int))
		goto out;
	if (!strcmp(json_object_get_string(st), "occupied"))
		m->status = "occupied";
	else if (!strcmp(json_object_get_string(st), "free"))
		m->status = "free";
	else
		goto out;
	m->seq = json_object_get_int64(seq);
	ok = m->seq >= 0 && m->seq < INT64_MAX;
out:
	json_object_put(o);
	return ok;
}

static void
on_message(struct mosquitto *mq, void *arg,
	   const struct mosquitto_message *msg)
{
	struct ingest *g = arg;
	struct status_msg m = { .seq = -1 };

	(void)mq;
	if (topic_sensor(msg->topic, "status", m.sensor)) {
		if (!payload_parse(msg->payload, msg->payloadlen, &m)) {
			log_warn("ingestd: malformed status from %s dropped",
				 m.sensor);
			return;
		}
	} else if (topic_sensor(msg->topic, "online", m.sensor)) {
		if (msg->payloadlen != 7 || memcmp(msg->payload, "offline", 7))
			return;
		m.status = "unknown";
	} else {
		return;
	}
	if (in_tx(g, apply_status, &m) != ERR_OK) {
		log_error("ingestd: message from %s not stored", m.sensor);
		return;
	}
	if (m.changed)
		nchan_publish(g->cfg, &m.change);
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

static void
on_term(int sig)
{
	(void)sig;
	got_term = 1;
}

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
	mosquitto_reconnect_delay_set(mq, 1, 10, true);
	return mq;
}

static void
ingest_loop(struct ingest *g)
{
	time_t last_ttl = 0, last_docs = 0, now;
	bool up = false;
	int rc;

	while (!got_term) {
		if (!up) {
			rc = mosquitto_connect(g->mq, g->cfg->mqtt_host,
				(int)g->cfg->mqtt_port, 30);
			up = rc == MOSQ_ERR_SUCCESS;
			if (!up) {
				log_warn("ingestd: broker %s:%lld: %s",
					 g->cfg->mqtt_host, g->cfg->mqtt_port,
					 mosquitto_strerror(rc));
				sleep(1);
			}
		}
		if (up && mosquitto_loop(g->mq, 250, 1) != MOSQ_ERR_SUCCESS) {
			log_warn("ingestd: broker connection lost; reconnecting");
			up = mosquitto_reconnect(g->mq) == MOSQ_ERR_SUCCESS;
			if (!up)
				sleep(1);
		}
		now = time(NULL);
		if (now != last_ttl) {
			last_ttl = now;
			sweep_silence(g);
		}
		if (now - last_docs >= 60) {
			last_docs = now;
			sweep_documents(g);
		}
	}
}

static int
ingest_main(const struct config *cfg)
{
	struct ingest g = { .cfg = cfg };
	struct sigaction sa = { .sa_handler = on_term };

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	g.db = db_new(cfg);
	mosquitto_lib_init();
	g.mq = mqtt_open(&g);
	if (!g.mq) {
		log_error("ingestd: mosquitto_new failed");
		return 1;
	}
	ingest_loop(&g);
	mosquitto_disconnect(g.mq);
	mosquitto_destroy(g.mq);
	mosquitto_lib_cleanup();
	db_free(g.db);
	log_info("ingestd: stopped");
	return 0;
}

/* ---- the master: keeps one ingest child alive ----------------------------- */

static int
supervise(const struct config *cfg)
{
	struct sigaction sa = { .sa_handler = on_term };
	time_t started;
	int status;
	pid_t pid;

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	while (!got_term) {
		started = time(NULL);
		pid = fork();
		if (pid == 0)
			_exit(ingest_main(cfg));
		if (pid < 0) {
			log_error("ingestd: fork: %s", strerror(errno));
			sleep(1);
			continue;
		}
		while (waitpid(pid, &status, 0) < 0)
			if (errno == EINTR && got_term)
				kill(pid, SIGTERM);
		if (got_term)
			break;
		log_warn("ingestd: child %ld ended (%s %d); restarting",
			 (long)pid, WIFSIGNALED(status) ? "signal" : "status",
			 WIFSIGNALED(status) ? WTERMSIG(status)
					     : WEXITSTATUS(status));
		if (time(NULL) - started < 1)
			sleep(1);
	}
	return 0;
}

static void
usage(FILE *out)
{
	fprintf(out, "usage: haas-ingestd [-c CONFIG]\n"
		"       haas-ingestd --help | --version\n"
		"CONFIG: $HAAS_CONFIG, else " HAAS_CONF_DEFAULT "\n");
}

int
main(int argc, char **argv)
{
	struct config cfg;
	const char *conf;
	char err[512];
	int rc = config_cli(argc, argv, "haas-ingestd", usage, &conf);

	if (rc >= 0)
		return rc;
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	if (config_load(&cfg, conf, err, sizeof(err))) {
		fprintf(stderr, "haas-ingestd: %s\n", err);
		return 1;
	}
	log_info("ingestd: starting (broker %s:%lld, sensor ttl %lld s)",
		 cfg.mqtt_host, cfg.mqtt_port, cfg.sensor_ttl);
	rc = supervise(&cfg);
	config_release(&cfg);
	return rc;
}

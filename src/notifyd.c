/* haas-notifyd: delivers the outbox (sql/012_notify.sql).  A master keeps
 * one sender child alive; the child claims due notices under a lease,
 * delivers each (e-mail over SMTP to the configured relay, webhooks as
 * signed HTTPS POSTs, both with libcurl), records every attempt, and marks
 * the notice sent, due again after a back-off, or dead.  It also runs the
 * time-driven sweeps that write notices (daily digests, reminders).
 *
 * Delivery is at least once: a sender killed after the relay or receiver
 * took a notice and before it marked it sent delivers it again once the
 * lease runs out, under the same message id (the e-mail's Message-ID, the
 * webhook's X-Haas-Message-Id), by which receivers de-duplicate. */
#include <curl/curl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "daemon.h"
#include "db.h"
#include "devices.h"
#include "log.h"
#include "notify.h"
#include "resources.h"
#include "template.h"
#include "util.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0"
#endif

/* Milliseconds: between polls of an empty outbox; the database's rest
 * after an error. */
#define POLL_IDLE 500
#define DB_ERROR_WAIT 2000
/* The longest back-off between two attempts, in seconds. */
#define BACKOFF_MAX 21600
#define CLAIM_MAX 1000
#define ERROR_MAX 480

enum notifyd_sql {
	Q_DUE,
	Q_CLAIM,
	Q_LOAD,
	Q_ATTEMPT,
	Q_SENT,
	Q_RETRY,
	Q_DEAD,
	Q_DIGEST_USERS,
	Q_DIGEST_LOCK,
	Q_DIGEST_ITEMS,
	Q_DIGEST_INSERT,
	Q_DIGEST_MARK,
};

/* A notice whose link is a secret loses it once delivered or dead. */
#define SCRUB " fields = IF(?, JSON_REMOVE(fields, '$.link'), fields)"

static const char *const sql[] = {
	/* Due and not claimed by a live lease; SKIP LOCKED lets senders on
	 * other hosts claim other rows meanwhile. */
	[Q_DUE] = "SELECT id FROM notices WHERE state = 'pending'"
		" AND next_at <= UTC_TIMESTAMP(6) AND (lease_until IS NULL"
		" OR lease_until < UTC_TIMESTAMP(6)) ORDER BY id LIMIT ?"
		" FOR UPDATE SKIP LOCKED",
	[Q_CLAIM] = "UPDATE notices SET attempts = attempts + 1,"
		" lease_until = UTC_TIMESTAMP(6) + INTERVAL ? SECOND"
		" WHERE id = ?",
	[Q_LOAD] = "SELECT n.msg_id, n.kind, n.channel, n.recipient, n.fields,"
		" n.attempts, n.created_at, w.url, w.secret,"
		" w.active = 1 AND w.deleted_at IS NULL,"
		" COALESCE(u.name, u.username)"
		" FROM notices n LEFT JOIN webhooks w ON w.id = n.webhook_id"
		" LEFT JOIN users u ON u.id = n.user_id"
		" WHERE n.id = ? AND n.state = 'pending'",
	[Q_ATTEMPT] = "INSERT INTO notice_attempts (notice_id, ok, code,"
		" error, ms) VALUES (?, ?, ?, ?, ?)",
	[Q_SENT] = "UPDATE notices SET state = 'sent', lease_until = NULL,"
		" sent_at = UTC_TIMESTAMP(6), last_error = NULL," SCRUB
		" WHERE id = ? AND state = 'pending'",
	[Q_RETRY] = "UPDATE notices SET lease_until = NULL,"
		" next_at = UTC_TIMESTAMP(6) + INTERVAL ? SECOND,"
		" last_error = ? WHERE id = ? AND state = 'pending'",
	[Q_DEAD] = "UPDATE notices SET state = 'dead', lease_until = NULL,"
		" last_error = ?," SCRUB " WHERE id = ? AND state = 'pending'",
	/* Users whose oldest held notice has waited a digest interval. */
	[Q_DIGEST_USERS] = "SELECT user_id FROM notices WHERE state = 'held'"
		" AND user_id IS NOT NULL GROUP BY user_id"
		" HAVING MIN(created_at) < UTC_TIMESTAMP(6) - INTERVAL ? SECOND"
		" ORDER BY MIN(created_at) LIMIT ?",
	/* The user's row first: two senders building one user's digest
	 * queue here, and the second finds nothing held. */
	[Q_DIGEST_LOCK] = "SELECT email FROM users WHERE id = ? FOR UPDATE",
	[Q_DIGEST_ITEMS] = "SELECT id, kind, fields, created_at FROM notices"
		" WHERE state = 'held' AND user_id = ? ORDER BY id LIMIT 200",
	[Q_DIGEST_INSERT] = "INSERT INTO notices (msg_id, kind, channel,"
		" user_id, recipient, fields, state, last_error)"
		" VALUES (?, 'digest', 'email', ?, ?, ?, ?, ?)",
	[Q_DIGEST_MARK] = "UPDATE notices SET state = 'digested',"
		" digest_id = ? WHERE id = ? AND state = 'held'",
};

struct sender {
	const struct config *cfg;
	struct db *db;
	CURL *curl;
	long long db_wait_until;	/* daemon_mono_ms */
	bool db_ok;
};

/* A time-driven sweep: writes notices for what is due (its own
 * transactions); run every period_ms. */
struct sweep {
	const char *name;
	long long period_ms;
	enum err (*run)(struct db *db, const struct config *cfg);
};

static enum err digest_sweep(struct db *db, const struct config *cfg);

static const struct sweep sweeps[] = {
	{ "digest", 5000, digest_sweep },
	{ "hardware due dates", 2000, resources_notify_sweep },
	{ "reservation reminders", 2000, devices_notify_sweep },
};

/* One delivery's outcome. */
struct outcome {
	bool ok;
	bool permanent;		/* no point trying again */
	long code;		/* SMTP reply or HTTP status; 0: none */
	char error[ERROR_MAX];
};

/* ---- delivery ------------------------------------------------------------- */

struct upload {
	const char *p;
	size_t n, off;
};

static size_t
upload_read(char *dst, size_t size, size_t nmemb, void *arg)
{
	struct upload *u = arg;
	size_t room = size * nmemb, k = u->n - u->off;

	if (k > room)
		k = room;
	memcpy(dst, u->p + u->off, k);
	u->off += k;
	return k;
}

static size_t
discard(char *p, size_t size, size_t nmemb, void *arg)
{
	(void)p;
	(void)arg;
	return size * nmemb;
}

/* What every delivery sets last: the CAs, the time limit, no signals,
 * where errors are told; then the transfer. */
static CURLcode
perform(struct sender *s, char errbuf[CURL_ERROR_SIZE])
{
	const struct config *cfg = s->cfg;

	if (*cfg->notify_ca_file)
		curl_easy_setopt(s->curl, CURLOPT_CAINFO, cfg->notify_ca_file);
	curl_easy_setopt(s->curl, CURLOPT_TIMEOUT, (long)cfg->notify_timeout);
	curl_easy_setopt(s->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(s->curl, CURLOPT_ERRORBUFFER, errbuf);
	return curl_easy_perform(s->curl);
}

static void
curl_outcome(CURL *c, CURLcode rc, const char *errbuf, struct outcome *o)
{
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &o->code);
	if (rc != CURLE_OK)
		snprintf(o->error, sizeof(o->error), "%s%s%s",
			 curl_easy_strerror(rc), *errbuf ? ": " : "", errbuf);
}

static void
send_mail(struct sender *s, const char *to, const char *message,
	  struct outcome *o)
{
	const struct config *cfg = s->cfg;
	static const long tls[] = { CURLUSESSL_NONE, CURLUSESSL_TRY,
				    CURLUSESSL_ALL };
	struct upload u = { .p = message, .n = strlen(message) };
	struct curl_slist *rcpt = NULL;
	char errbuf[CURL_ERROR_SIZE] = "", *addr = xasprintf("<%s>", to);
	char *from = xasprintf("<%s>", cfg->mail_from);
	CURLcode rc;

	rcpt = curl_slist_append(rcpt, addr);
	curl_easy_reset(s->curl);
	curl_easy_setopt(s->curl, CURLOPT_URL, cfg->smtp_url);
	curl_easy_setopt(s->curl, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(s->curl, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(s->curl, CURLOPT_READFUNCTION, upload_read);
	curl_easy_setopt(s->curl, CURLOPT_READDATA, &u);
	curl_easy_setopt(s->curl, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(s->curl, CURLOPT_USE_SSL, tls[cfg->smtp_starttls]);
	if (*cfg->smtp_username) {
		curl_easy_setopt(s->curl, CURLOPT_USERNAME, cfg->smtp_username);
		curl_easy_setopt(s->curl, CURLOPT_PASSWORD, cfg->smtp_password);
	}
	rc = perform(s, errbuf);
	curl_outcome(s->curl, rc, errbuf, o);
	o->ok = rc == CURLE_OK;
	/* 5xx: the relay refused for good (an address that does not
	 * exist); trying again would only repeat it. */
	o->permanent = !o->ok && o->code >= 500 && o->code < 600;
	curl_slist_free_all(rcpt);
	free(from);
	free(addr);
}

static struct curl_slist *
header_add(struct curl_slist *h, const char *name, const char *value)
{
	char *line = xasprintf("%s: %s", name, value);

	h = curl_slist_append(h, line);
	free(line);
	return h;
}

static void
send_hook(struct sender *s, const char *url, const char *secret,
	  const char *body, const char *msg_id, const char *kind,
	  struct outcome *o)
{
	char errbuf[CURL_ERROR_SIZE] = "", sig[NOTIFY_SIGNATURE_MAX], ts[24];
	struct curl_slist *h = NULL;
	CURLcode rc;

	snprintf(ts, sizeof(ts), "%lld", (long long)time(NULL));
	notify_sign(secret, strtoll(ts, NULL, 10), body, strlen(body), sig);
	h = curl_slist_append(h, "Content-Type: application/json");
	h = header_add(h, "X-Haas-Message-Id", msg_id);
	h = header_add(h, "X-Haas-Kind", kind);
	h = header_add(h, "X-Haas-Timestamp", ts);
	h = header_add(h, "X-Haas-Signature", sig);
	h = curl_slist_append(h, "Expect:");
	curl_easy_reset(s->curl);
	curl_easy_setopt(s->curl, CURLOPT_URL, url);
	curl_easy_setopt(s->curl, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(s->curl, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(s->curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(s->curl, CURLOPT_USERAGENT,
			 "haas-notifyd/" PACKAGE_VERSION);
	curl_easy_setopt(s->curl, CURLOPT_WRITEFUNCTION, discard);
	rc = perform(s, errbuf);
	curl_outcome(s->curl, rc, errbuf, o);
	o->ok = rc == CURLE_OK && o->code >= 200 && o->code < 300;
	if (rc == CURLE_OK && !o->ok)
		snprintf(o->error, sizeof(o->error), "HTTP %ld", o->code);
	curl_slist_free_all(h);
}

/* ---- one notice ------------------------------------------------------------ */

/* What Q_LOAD read. */
struct notice_row {
	char msg_id[33];
	char kind[41];
	bool webhook;
	char *recipient, *fields, *created_at, *url, *secret, *name;
	bool hook_active;
	long long attempts;
};

static void
notice_row_release(struct notice_row *n)
{
	free(n->recipient);
	free(n->fields);
	free(n->created_at);
	free(n->url);
	free(n->secret);
	free(n->name);
}

static char *
dup_col(const struct db_rows *rows, unsigned i)
{
	const char *v = db_col(rows, i);

	return v ? xstrdup(v) : NULL;
}

static enum err
notice_load(struct sender *s, long long id, struct notice_row *n)
{
	struct db_rows *row;
	enum err e = db_row(s->db, sql[Q_LOAD], DB_P(db_int(id)), 11,
			    ERR_NOT_FOUND, &row);

	if (e != ERR_OK)
		return e;
	snprintf(n->msg_id, sizeof(n->msg_id), "%s", db_col(row, 0));
	snprintf(n->kind, sizeof(n->kind), "%s", db_col(row, 1));
	n->webhook = !strcmp(db_col(row, 2), "webhook");
	n->recipient = dup_col(row, 3);
	n->fields = dup_col(row, 4);
	n->attempts = db_col_int(row, 5);
	n->created_at = dup_col(row, 6);
	n->url = dup_col(row, 7);
	n->secret = dup_col(row, 8);
	n->hook_active = db_col_int(row, 9) != 0;
	n->name = dup_col(row, 10);
	db_rows_free(row);
	return ERR_OK;
}

/* The fields a template sees: the notice's own, and the recipient's name
 * and the app's address unless the notice set them. */
static json_object *
fields_for(const struct sender *s, const struct notice_row *n)
{
	json_object *f = json_tokener_parse(n->fields ? n->fields : "{}");

	if (!f || !json_object_is_type(f, json_type_object)) {
		json_object_put(f);
		f = json_object_new_object();
	}
	if (!json_object_object_get_ex(f, "site_url", NULL))
		json_object_object_add(f, "site_url",
			json_object_new_string(s->cfg->public_url));
	if (!json_object_object_get_ex(f, "recipient_name", NULL))
		json_object_object_add(f, "recipient_name",
			json_object_new_string(n->name ? n->name : "there"));
	return f;
}

static void
deliver_mail(struct sender *s, const struct notice_row *n, struct outcome *o)
{
	struct buf subject = { 0 }, body = { 0 }, msg = { 0 };
	json_object *f = fields_for(s, n);

	if (template_load(s->cfg->template_dir, n->kind, f, &subject, &body,
			  o->error, sizeof(o->error)))
		goto out;
	if (template_mail(s->cfg->mail_from, n->recipient ? n->recipient : "",
			  subject.s, body.s, n->msg_id, n->kind,
			  (long long)time(NULL), &msg)) {
		snprintf(o->error, sizeof(o->error),
			 "not an address one can write to");
		o->permanent = true;
		goto out;
	}
	send_mail(s, n->recipient, msg.s, o);
out:
	json_object_put(f);
	buf_release(&subject);
	buf_release(&body);
	buf_release(&msg);
}

/* The webhook's body: {"id", "kind", "created_at", "data"}. */
static void
deliver_hook(struct sender *s, const struct notice_row *n, struct outcome *o)
{
	json_object *b = json_object_new_object(), *data;
	char at[40];

	if (!n->url || !n->hook_active) {
		snprintf(o->error, sizeof(o->error),
			 "the webhook was disabled or deleted");
		o->permanent = true;
		json_object_put(b);
		return;
	}
	data = json_tokener_parse(n->fields ? n->fields : "{}");
	snprintf(at, sizeof(at), "%.19sZ", n->created_at ? n->created_at : "");
	if (at[10] == ' ')
		at[10] = 'T';
	json_object_object_add(b, "id", json_object_new_string(n->msg_id));
	json_object_object_add(b, "kind", json_object_new_string(n->kind));
	json_object_object_add(b, "created_at", json_object_new_string(at));
	json_object_object_add(b, "data", data ? data
				     : json_object_new_object());
	send_hook(s, n->url, n->secret ? n->secret : "",
		  json_object_to_json_string_ext(b, JSON_C_TO_STRING_PLAIN),
		  n->msg_id, n->kind, o);
	json_object_put(b);
}

static long long
backoff(const struct config *cfg, long long attempts)
{
	long long d = cfg->notify_backoff;

	while (--attempts > 0 && d < BACKOFF_MAX)
		d *= 2;
	return d < BACKOFF_MAX ? d : BACKOFF_MAX;
}

/* The attempt and what follows from it, in one transaction. */
static enum err
record(struct sender *s, long long id, const struct notice_row *n,
       const struct outcome *o, long long ms)
{
	int k = notice_kind_parse(n->kind);
	bool secret = k >= 0 &&
		(notice_kind_info((enum notice_kind)k)->flags & NKF_SECRET);
	bool dead = !o->ok && (o->permanent ||
			       n->attempts >= s->cfg->notify_max_attempts);
	enum err e = db_begin(s->db);

	if (e == ERR_OK)
		e = db_exec(s->db, sql[Q_ATTEMPT], DB_P(db_int(id),
			db_int(o->ok), db_int(o->code),
			db_str(o->ok ? NULL : o->error), db_int(ms)), NULL);
	if (e == ERR_OK && o->ok)
		e = db_exec(s->db, sql[Q_SENT], DB_P(db_int(secret),
			db_int(id)), NULL);
	else if (e == ERR_OK && dead)
		e = db_exec(s->db, sql[Q_DEAD], DB_P(db_str(o->error),
			db_int(secret), db_int(id)), NULL);
	else if (e == ERR_OK)
		e = db_exec(s->db, sql[Q_RETRY], DB_P(db_int(backoff(s->cfg,
			n->attempts)), db_str(o->error), db_int(id)), NULL);
	if (e == ERR_OK)
		e = db_commit(s->db);
	if (e != ERR_OK)
		db_abort(s->db);
	if (!o->ok)
		log_warn("notifyd: notice %lld (%s, %s) attempt %lld failed%s:"
			 " %s", id, n->kind, n->webhook ? "webhook" : "e-mail",
			 n->attempts, dead ? ", now dead" : "", o->error);
	return e;
}

static enum err
deliver(struct sender *s, long long id)
{
	struct notice_row n = { 0 };
	struct outcome o = { 0 };
	long long t0;
	enum err e = notice_load(s, id, &n);

	if (e != ERR_OK)
		return e == ERR_NOT_FOUND ? ERR_OK : e;
	t0 = daemon_mono_ms();
	if (n.webhook)
		deliver_hook(s, &n, &o);
	else
		deliver_mail(s, &n, &o);
	e = record(s, id, &n, &o, daemon_mono_ms() - t0);
	notice_row_release(&n);
	return e;
}

/* Claims up to notify_batch due notices (ids into out). */
static enum err
claim(struct sender *s, long long *out, size_t *n)
{
	struct db_rows *rows;
	size_t i;
	enum err e = db_begin(s->db);

	*n = 0;
	if (e != ERR_OK)
		return e;
	e = db_query(s->db, sql[Q_DUE], DB_P(db_int(s->cfg->notify_batch)), 1,
		     &rows);
	if (e == ERR_OK) {
		while (*n < CLAIM_MAX && db_next(rows))
			out[(*n)++] = db_col_int(rows, 0);
		e = db_rows_err(rows);
		db_rows_free(rows);
	}
	for (i = 0; e == ERR_OK && i < *n; i++)
		e = db_exec(s->db, sql[Q_CLAIM], DB_P(db_int(
			s->cfg->notify_lease), db_int(out[i])), NULL);
	if (e == ERR_OK)
		e = db_commit(s->db);
	if (e != ERR_OK) {
		db_abort(s->db);
		*n = 0;
	}
	return e;
}

/* ---- digests --------------------------------------------------------------- */

/* One user's held notices into one digest notice, in one transaction. */
static enum err
digest_user(struct db *db, const struct config *cfg, long long uid,
	    void *arg)
{
	struct buf items = { 0 }, subject = { 0 }, body = { 0 };
	long long ids[200];
	char err[256], msg_id[33], *email = NULL;
	struct db_rows *rows;
	struct db_result res;
	json_object *f;
	size_t n = 0, i;
	enum err e = db_row(db, sql[Q_DIGEST_LOCK], DB_P(db_int(uid)), 1,
			    ERR_NOT_FOUND, &rows);

	(void)arg;
	if (e != ERR_OK)
		return e;
	email = db_col(rows, 0) ? xstrdup(db_col(rows, 0)) : NULL;
	db_rows_free(rows);
	e = db_query(db, sql[Q_DIGEST_ITEMS], DB_P(db_int(uid)), 4, &rows);
	if (e != ERR_OK)
		goto out;
	while (n < ARRAY_SIZE(ids) && db_next(rows)) {
		ids[n++] = db_col_int(rows, 0);
		f = json_tokener_parse(db_col(rows, 2));
		buf_release(&subject);
		buf_release(&body);
		if (template_load(cfg->template_dir, db_col(rows, 1), f,
				  &subject, &body, err, sizeof(err)))
			buf_addf(&items, "* %s\n\n", db_col(rows, 1));
		else
			buf_addf(&items, "* %s (%.16s UTC)\n\n%s\n", subject.s,
				 db_col(rows, 3), body.s);
		json_object_put(f);
	}
	e = db_rows_err(rows);
	db_rows_free(rows);
	if (e != ERR_OK || n == 0)
		goto out;
	f = json_object_new_object();
	json_object_object_add(f, "count", json_object_new_int((int)n));
	json_object_object_add(f, "items", json_object_new_string(items.s));
	notify_msg_id(msg_id);
	e = db_exec(db, sql[Q_DIGEST_INSERT], DB_P(db_str(msg_id), db_int(uid),
		db_str(email), db_str(json_object_to_json_string_ext(f,
			JSON_C_TO_STRING_PLAIN)),
		db_str(email ? "pending" : "skipped"),
		db_str(email ? NULL : "no e-mail address")), &res);
	json_object_put(f);
	for (i = 0; e == ERR_OK && i < n; i++)
		e = db_exec(db, sql[Q_DIGEST_MARK], DB_P(db_int(
			(long long)res.insert_id), db_int(ids[i])), NULL);
out:
	buf_release(&items);
	buf_release(&subject);
	buf_release(&body);
	free(email);
	return e;
}

static enum err
digest_sweep(struct db *db, const struct config *cfg)
{
	return notify_sweep(db, cfg, sql[Q_DIGEST_USERS], DB_P(db_int(
		cfg->digest_interval)), digest_user, NULL);
}

/* ---- the sender child ----------------------------------------------------- */

static void
db_outcome(struct sender *s, enum err e, const char *what)
{
	bool ok = e == ERR_OK || e == ERR_DB_RETRY || e == ERR_DB_BUSY;

	if (!ok)
		s->db_wait_until = daemon_mono_ms() + DB_ERROR_WAIT;
	if (s->db_ok && !ok)
		log_warn("notifyd: %s failed (%s); notices wait in the outbox",
			 what, err_code(e));
	else if (!s->db_ok && ok)
		log_info("notifyd: database back");
	s->db_ok = ok;
}

static void
run_sweeps(struct sender *s, long long *last)
{
	long long now = daemon_mono_ms();
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sweeps); i++) {
		if (now - last[i] < sweeps[i].period_ms ||
		    now < s->db_wait_until)
			continue;
		last[i] = now;
		db_outcome(s, sweeps[i].run(s->db, s->cfg), sweeps[i].name);
	}
}

static void
send_loop(struct sender *s)
{
	long long last[ARRAY_SIZE(sweeps)] = { 0 }, *ids;
	size_t n, i;
	enum err e;

	ids = xcalloc((size_t)s->cfg->notify_batch, sizeof(*ids));
	while (!daemon_stopping()) {
		run_sweeps(s, last);
		n = 0;
		if (daemon_mono_ms() >= s->db_wait_until) {
			e = claim(s, ids, &n);
			db_outcome(s, e, "claiming notices");
		}
		for (i = 0; i < n && !daemon_stopping(); i++)
			db_outcome(s, deliver(s, ids[i]), "recording a delivery");
		if (n == 0)
			usleep(POLL_IDLE * 1000);
	}
	free(ids);
}

static int
sender_main(const struct config *cfg)
{
	struct sender s = { .cfg = cfg, .db_ok = true };

	daemon_signals();
	if (curl_global_init(CURL_GLOBAL_DEFAULT) ||
	    !(s.curl = curl_easy_init())) {
		log_error("notifyd: libcurl would not start");
		return 1;
	}
	s.db = db_new(cfg);
	send_loop(&s);
	db_free(s.db);
	curl_easy_cleanup(s.curl);
	curl_global_cleanup();
	log_info("notifyd: stopped");
	return 0;
}

static void
usage(FILE *out)
{
	fprintf(out, "usage: haas-notifyd [-c CONFIG]\n"
		"       haas-notifyd --help | --version\n"
		"CONFIG: $HAAS_CONFIG, else " HAAS_CONF_DEFAULT "\n");
}

static int
started(const struct config *cfg)
{
	/* Not the relay's URL: it may carry a password. */
	log_info("notifyd: starting (templates %s, %lld attempts)",
		 cfg->template_dir, cfg->notify_max_attempts);
	return 0;
}

int
main(int argc, char **argv)
{
	return daemon_main(argc, argv, "haas-notifyd", "notifyd", usage,
			   started, sender_main);
}

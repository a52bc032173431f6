/* notify: writes notices into the outbox, in the caller's transaction:
 * one row per recipient by e-mail (as each one's preference for the kind
 * says) and one per webhook that takes the kind. */
#include "notify.h"

#include <string.h>

#include "db.h"
#include "log.h"
#include "sha256.h"
#include "util.h"

/* Staff read at a time (the LIMIT of Q_STAFF). */
#define STAFF_PAGE 256

static const struct notice_kind_info kinds[NK_COUNT] = {
	[NK_ACCOUNT_RESET] = { "account.reset", "Password reset links",
			       ROLE_USER, NKF_FORCED | NKF_SECRET | NKF_NO_HOOK },
	[NK_ACCOUNT_VERIFY] = { "account.verify", "E-mail address checks",
				ROLE_USER, NKF_FORCED | NKF_SECRET | NKF_NO_HOOK },
	[NK_REGISTRATION_SUBMITTED] = { "registration.submitted",
		"A driver applied for parking", ROLE_OPERATOR, 0 },
	[NK_REGISTRATION_DECIDED] = { "registration.decided",
		"Your parking registration was decided", ROLE_USER, 0 },
	[NK_RESERVATION_STARTING] = { "reservation.starting",
		"A lab PC reservation starts in 15 minutes", ROLE_USER, 0 },
	[NK_HARDWARE_DUE] = { "hardware.due",
		"Borrowed hardware is due back soon", ROLE_USER, 0 },
	[NK_HARDWARE_OVERDUE] = { "hardware.overdue",
		"Borrowed hardware is overdue", ROLE_USER, 0 },
	[NK_ORDER_STATUS] = { "order.status",
		"An order of yours changed status", ROLE_USER, 0 },
	[NK_STOCK_LOW] = { "stock.low", "A product's stock is low",
			   ROLE_ADMIN, 0 },
	[NK_SENSOR_SILENT] = { "sensor.silent", "A parking sensor went silent",
			       ROLE_ADMIN, 0 },
	[NK_SENSOR_BACK] = { "sensor.back", "A silent parking sensor is back",
			     ROLE_ADMIN, 0 },
	[NK_WEBHOOK_TEST] = { "webhook.test", "A webhook test", ROLE_ADMIN,
			      NKF_FORCED | NKF_HOOK_ONLY },
	[NK_DIGEST] = { "digest", "Daily digest", ROLE_USER,
			NKF_FORCED | NKF_NO_HOOK },
};

enum notify_sql {
	Q_EVENT,
	Q_USER,
	Q_STAFF,
	Q_HOOKS,
	Q_INSERT,
};

static const char *const sql[] = {
	/* The event's key, once: a second writer finds it (after waiting
	 * for the first one's commit) and affects no row. */
	[Q_EVENT] = "INSERT IGNORE INTO notice_events (event_key) VALUES (?)",
	/* A recipient's address and preference for the kind.  Pending
	 * accounts count: a driver is told of the decision on theirs. */
	[Q_USER] = "SELECT u.email, COALESCE(p.mode, 'immediate')"
		" FROM users u LEFT JOIN notice_prefs p"
		" ON p.user_id = u.id AND p.kind = ?"
		" WHERE u.id = ? AND u.status IN ('active', 'pending')",
	[Q_STAFF] = "SELECT u.id FROM users u WHERE u.status = 'active'"
		" AND (u.role = 'admin' OR (? AND u.role = 'operator'))"
		" AND u.id > ? ORDER BY u.id LIMIT 256",
	[Q_HOOKS] = "SELECT id, url FROM webhooks WHERE active = 1"
		" AND deleted_at IS NULL AND FIND_IN_SET(?, kinds) ORDER BY id",
	[Q_INSERT] = "INSERT INTO notices (msg_id, kind, channel, user_id,"
		" webhook_id, recipient, fields, state, last_error)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
};

const struct notice_kind_info *
notice_kind_info(enum notice_kind k)
{
	return (unsigned)k < NK_COUNT ? &kinds[k] : NULL;
}

int
notice_kind_parse(const char *name)
{
	int i;

	for (i = 0; name && i < NK_COUNT; i++)
		if (!strcmp(kinds[i].name, name))
			return i;
	return -1;
}

void
notify_msg_id(char out[33])
{
	unsigned char b[16];

	random_bytes(b, sizeof(b));
	hex_encode(b, sizeof(b), out);
}

void
notify_sign(const char *secret, long long timestamp, const char *body,
	    size_t n, char out[NOTIFY_SIGNATURE_MAX])
{
	struct buf signed_text = { 0 };
	unsigned char mac[32];

	buf_addf(&signed_text, "%lld.", timestamp);
	buf_add(&signed_text, body, n);
	hmac_sha256(secret, strlen(secret), signed_text.s, signed_text.len,
		    mac);
	buf_release(&signed_text);
	memcpy(out, "sha256=", 7);
	hex_encode(mac, sizeof(mac), out + 7);
}

/* One row of the outbox. */
struct row {
	const char *channel;
	long long user_id;	/* 0: none */
	long long webhook_id;	/* 0: none */
	const char *recipient;
	const char *state;
	const char *error;
};

static enum err
row_insert(struct db *db, const struct notice *n, const char *fields,
	   const struct row *w, int *written)
{
	char id[33];
	enum err e;

	notify_msg_id(id);
	e = db_exec(db, sql[Q_INSERT], DB_P(db_str(id),
		db_str(kinds[n->kind].name), db_str(w->channel),
		w->user_id ? db_int(w->user_id) : db_null(),
		w->webhook_id ? db_int(w->webhook_id) : db_null(),
		db_str(w->recipient), db_str(fields), db_str(w->state),
		db_str(w->error)), NULL);
	if (e == ERR_OK)
		(*written)++;
	return e;
}

/* The notice to one user (by id, or to email alone when uid is 0).  With
 * to_hooks, what sql/017_orders.sql's haas_notify does inside an order's
 * or a decision's procedure: a change here is a change there. */
static enum err
to_user(struct db *db, const struct notice *n, const char *fields,
	long long uid, int *written)
{
	struct row w = { .channel = "email", .user_id = uid,
			 .recipient = n->email, .state = "pending" };
	struct db_rows *row = NULL;
	const char *mode = "immediate";
	enum err e = ERR_OK;

	if (uid) {
		e = db_row(db, sql[Q_USER], DB_P(db_str(kinds[n->kind].name),
			db_int(uid)), 2, ERR_NOT_FOUND, &row);
		if (e == ERR_NOT_FOUND)
			return ERR_OK;	/* gone or disabled: nobody to tell */
		if (e != ERR_OK)
			return e;
		if (!w.recipient)
			w.recipient = db_col(row, 0);
		if (!(kinds[n->kind].flags & NKF_FORCED))
			mode = db_col(row, 1);
	}
	if (!strcmp(mode, "off"))
		goto out;
	if (!strcmp(mode, "digest"))
		w.state = "held";
	if (!w.recipient || !*w.recipient) {
		w.state = "skipped";
		w.error = "no e-mail address";
	}
	e = row_insert(db, n, fields, &w, written);
out:
	db_rows_free(row);
	return e;
}

/* Every active staff member of n->staff's role or above, a page of ids
 * at a time (a row loop must not run other statements). */
static enum err
to_staff(struct db *db, const struct notice *n, const char *fields,
	 int *written)
{
	long long ids[STAFF_PAGE], after = 0;
	struct db_rows *rows;
	size_t k, i;
	enum err e;

	do {
		e = db_query(db, sql[Q_STAFF], DB_P(db_int(
			n->staff == ROLE_OPERATOR), db_int(after)), 1, &rows);
		if (e != ERR_OK)
			return e;
		for (k = 0; k < STAFF_PAGE && db_next(rows); k++)
			ids[k] = db_col_int(rows, 0);
		e = db_rows_err(rows);
		db_rows_free(rows);
		for (i = 0; e == ERR_OK && i < k; i++)
			e = to_user(db, n, fields, ids[i], written);
		if (k)
			after = ids[k - 1];
	} while (e == ERR_OK && k == STAFF_PAGE);
	return e;
}

static enum err
to_hooks(struct db *db, const struct notice *n, const char *fields,
	 int *written)
{
	struct { long long id; char *url; } hooks[64];
	struct db_rows *rows;
	size_t k = 0, i;
	enum err e = db_query(db, sql[Q_HOOKS], DB_P(db_str(
		kinds[n->kind].name)), 2, &rows);

	if (e != ERR_OK)
		return e;
	while (k < ARRAY_SIZE(hooks) && db_next(rows)) {
		hooks[k].id = db_col_int(rows, 0);
		hooks[k++].url = xstrdup(db_col(rows, 1));
	}
	e = db_rows_err(rows);
	db_rows_free(rows);
	for (i = 0; i < k; i++) {
		struct row w = { .channel = "webhook", .webhook_id = hooks[i].id,
				 .recipient = hooks[i].url, .state = "pending" };

		if (e == ERR_OK)
			e = row_insert(db, n, fields, &w, written);
		free(hooks[i].url);
	}
	return e;
}

enum err
notify(struct db *db, const struct notice *n, int *written)
{
	unsigned flags = kinds[n->kind].flags;
	const char *fields;
	struct db_result res;
	int count = 0;
	size_t i;
	enum err e = ERR_OK;

	if (db_txn_depth(db) == 0 || (unsigned)n->kind >= NK_COUNT) {
		log_error("notify: %s outside a transaction",
			  (unsigned)n->kind < NK_COUNT ? kinds[n->kind].name
						      : "?");
		return ERR_INTERNAL;
	}
	if (n->once) {
		e = db_exec(db, sql[Q_EVENT], DB_P(db_str(n->once)), &res);
		if (e != ERR_OK || res.affected == 0)
			goto out;
	}
	fields = json_object_to_json_string_ext(n->fields,
						JSON_C_TO_STRING_PLAIN);
	if (!(flags & NKF_HOOK_ONLY)) {
		for (i = 0; e == ERR_OK && i < n->nusers; i++)
			e = to_user(db, n, fields, n->users[i], &count);
		if (e == ERR_OK && n->nusers == 0 && n->email)
			e = to_user(db, n, fields, 0, &count);
		if (e == ERR_OK && n->staff != ROLE_NONE)
			e = to_staff(db, n, fields, &count);
	}
	if (e == ERR_OK && !(flags & NKF_NO_HOOK))
		e = to_hooks(db, n, fields, &count);
out:
	if (written)
		*written = e == ERR_OK ? count : 0;
	return e;
}

enum err
notify_sweep(struct db *db, const struct config *cfg, const char *sql_text,
	     const struct db_param *p, size_t np, notify_step_fn step,
	     void *arg)
{
	long long ids[NOTIFY_SWEEP_PAGE];
	struct db_param params[8];
	struct db_rows *rows;
	size_t k = 0, i;
	enum err e;

	if (np >= ARRAY_SIZE(params))
		return ERR_INTERNAL;
	if (np)
		memcpy(params, p, np * sizeof(*p));
	params[np] = db_int(NOTIFY_SWEEP_PAGE);
	e = db_query(db, sql_text, params, np + 1, 1, &rows);
	if (e != ERR_OK)
		return e;
	while (k < NOTIFY_SWEEP_PAGE && db_next(rows))
		ids[k++] = db_col_int(rows, 0);
	e = db_rows_err(rows);
	db_rows_free(rows);
	for (i = 0; e == ERR_OK && i < k; i++) {
		e = db_begin(db);
		if (e == ERR_OK)
			e = step(db, cfg, ids[i], arg);
		if (e == ERR_OK)
			e = db_commit(db);
		if (e != ERR_OK)
			db_abort(db);
		if (e == ERR_DB_RETRY || e == ERR_DB_BUSY)
			e = ERR_OK;
	}
	return e;
}

/* idempotency: claim, replay and record responses by Idempotency-Key, in
 * the transaction of the request itself. */
#include "idempotency.h"

#include <stdio.h>
#include <string.h>

#include "app.h"
#include "db.h"
#include "log.h"
#include "req.h"
#include "util.h"

enum idem_sql { Q_CLAIM, Q_GET, Q_TAKE_OVER, Q_STORE };

/* The claim is an INSERT first: a new key only takes its own record (an
 * insert-intention lock, which no other user's claim waits for); only a
 * key that exists is read, locked, and replayed or taken over. */
static const char *const sql[] = {
	/* Waits on the row lock of a claim still running with this key. */
	[Q_CLAIM] = "INSERT INTO idempotency_keys (user_id, idem_key,"
		" fingerprint) VALUES (?, ?, ?)",
	[Q_GET] = "SELECT fingerprint, status, response,"
		" created_at < UTC_TIMESTAMP(6) - INTERVAL ? SECOND"
		" FROM idempotency_keys WHERE user_id = ? AND idem_key = ?"
		" FOR UPDATE",
	/* An expired key, or a row without a response (left by an older
	 * haasd that claimed outside the transaction): nobody runs it now. */
	[Q_TAKE_OVER] = "UPDATE idempotency_keys SET fingerprint = ?,"
		" status = NULL, response = NULL, created_at = UTC_TIMESTAMP(6)"
		" WHERE user_id = ? AND idem_key = ?",
	[Q_STORE] = "UPDATE idempotency_keys SET status = ?, response = ?"
		" WHERE user_id = ? AND idem_key = ?",
};

/* The request's identity: method, path and body. */
static void
fingerprint(const struct req *r, char out[65])
{
	struct buf b = { 0 };

	buf_adds(&b, r->method);
	buf_add(&b, "\n", 1);
	buf_adds(&b, r->uri);
	buf_add(&b, "\n", 1);
	buf_add(&b, r->body, r->body_len);
	sha256_hex(b.s, b.len, out);
	buf_release(&b);
}

/* The key was committed by an earlier request: same request -> replay its
 * response; another request -> 422; expired -> this request takes it. */
static enum err
replay(struct req *r, const char *fp, bool *replayed)
{
	const char *key = r->idempotency_key, *body;
	struct db_rows *row;
	enum err e = db_row(r->db, sql[Q_GET], DB_P(
			    db_int(r->app->cfg.idempotency_ttl),
			    db_int(r->user.id), db_str(key)), 4, ERR_DB_RETRY,
			    &row);

	if (e != ERR_OK)	/* purged meanwhile: run again */
		return e;
	if (db_col_int(row, 3) || !db_col(row, 1)) {
		e = db_exec(r->db, sql[Q_TAKE_OVER], DB_P(db_str(fp),
			    db_int(r->user.id), db_str(key)), NULL);
	} else if (strcmp(db_col(row, 0), fp)) {
		e = ERR_IDEMPOTENCY_MISMATCH;
	} else {
		body = db_col(row, 2);
		r->status = (int)db_col_int(row, 1);
		json_object_put(r->reply);
		r->reply = body ? json_tokener_parse(body) : NULL;
		req_header(r, "Idempotent-Replayed", "true");
		r->replayed = true;
		*replayed = true;
	}
	db_rows_free(row);
	return e;
}

enum err
idem_claim(struct req *r, bool *replayed)
{
	const char *key = r->idempotency_key;
	char fp[65];
	enum err e;

	*replayed = false;
	if (strlen(key) > 255 || !utf8_valid(key, strlen(key)))
		return req_fail(r, ERR_BAD_REQUEST,
				"Idempotency-Key must be at most 255 characters");
	fingerprint(r, fp);
	e = db_exec(r->db, sql[Q_CLAIM], DB_P(db_int(r->user.id), db_str(key),
		    db_str(fp)), NULL);
	if (e == ERR_DUPLICATE)
		return replay(r, fp, replayed);
	return e;
}

enum err
idem_store(struct req *r)
{
	const char *body = r->reply ? json_object_to_json_string_ext(r->reply,
		JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE) : NULL;
	struct db_result res = { 0 };
	enum err e = db_exec(r->db, sql[Q_STORE], DB_P(db_int(r->status),
			     db_str(body), db_int(r->user.id),
			     db_str(r->idempotency_key)), &res);

	/* The claim is this transaction's: no row means it was lost. */
	if (e == ERR_OK && res.affected != 1) {
		log_error("idempotency: the claim of request %s is gone",
			  r->request_id ? r->request_id : "-");
		e = ERR_DB_DOWN;
	}
	return e;
}

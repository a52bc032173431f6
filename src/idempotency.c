/* idempotency: claim, replay and record responses by Idempotency-Key. */
#include "idempotency.h"

#include <stdio.h>
#include <string.h>

#include "app.h"
#include "db.h"
#include "log.h"
#include "req.h"
#include "util.h"

enum idem_sql { Q_EXPIRE, Q_CLAIM, Q_GET, Q_STORE, Q_FORGET };

static const char *const sql[] = {
	[Q_EXPIRE] = "DELETE FROM idempotency_keys WHERE user_id = ?"
		" AND idem_key = ? AND created_at < UTC_TIMESTAMP(6)"
		" - INTERVAL ? SECOND",
	[Q_CLAIM] = "INSERT INTO idempotency_keys (user_id, idem_key,"
		" fingerprint) VALUES (?, ?, ?)",
	[Q_GET] = "SELECT fingerprint, status, response FROM idempotency_keys"
		" WHERE user_id = ? AND idem_key = ?",
	[Q_STORE] = "UPDATE idempotency_keys SET status = ?, response = ?"
		" WHERE user_id = ? AND idem_key = ?",
	[Q_FORGET] = "DELETE FROM idempotency_keys WHERE user_id = ?"
		" AND idem_key = ?",
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

/* The key exists: same request -> replay (or 409 while running); another
 * request -> 422. */
static enum err
replay(struct req *r, const char *fp, bool *replayed)
{
	struct db_rows *rows;
	enum err e = db_query(r->db, sql[Q_GET], DB_P(db_int(r->user.id),
			      db_str(r->idempotency_key)), 3, &rows);

	if (e != ERR_OK)
		return e;
	e = ERR_CONFLICT;	/* vanished meanwhile: let the client retry */
	if (db_next(rows)) {
		if (strcmp(db_col(rows, 0), fp))
			e = ERR_IDEMPOTENCY_MISMATCH;
		else if (!db_col(rows, 1))
			e = req_fail(r, ERR_CONFLICT,
				     "A request with this Idempotency-Key is still in progress");
		else {
			r->status = (int)db_col_int(rows, 1);
			r->reply = db_col(rows, 2) ? json_tokener_parse(db_col(rows, 2))
						   : NULL;
			req_header(r, "Idempotent-Replayed", "true");
			*replayed = true;
			e = ERR_OK;
		}
	}
	if (db_rows_err(rows))
		e = db_rows_err(rows);
	db_rows_free(rows);
	return e;
}

enum err
idem_begin(struct req *r, bool *replayed)
{
	const char *key = r->idempotency_key;
	char fp[65];
	enum err e;

	*replayed = false;
	if (strlen(key) > 255 || !utf8_valid(key, strlen(key)))
		return req_fail(r, ERR_BAD_REQUEST,
				"Idempotency-Key must be at most 255 characters");
	fingerprint(r, fp);
	e = db_exec(r->db, sql[Q_EXPIRE], DB_P(db_int(r->user.id), db_str(key),
		    db_int(r->app->cfg.idempotency_ttl)), NULL);
	if (e == ERR_OK)
		e = db_exec(r->db, sql[Q_CLAIM], DB_P(db_int(r->user.id),
			    db_str(key), db_str(fp)), NULL);
	if (e == ERR_DUPLICATE)
		return replay(r, fp, replayed);
	return e;
}

void
idem_finish(struct req *r)
{
	const char *key = r->idempotency_key;
	const char *body = r->reply ? json_object_to_json_string_ext(r->reply,
		JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE) : NULL;
	enum err e;

	if (r->status >= 500)
		e = db_exec(r->db, sql[Q_FORGET], DB_P(db_int(r->user.id),
			    db_str(key)), NULL);
	else
		e = db_exec(r->db, sql[Q_STORE], DB_P(db_int(r->status),
			    db_str(body), db_int(r->user.id), db_str(key)), NULL);
	if (e != ERR_OK)
		log_warn("idempotency: could not record key (request %s)",
			 r->request_id ? r->request_id : "-");
}

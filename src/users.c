/* users: read, update and erase accounts; staff management. */
#include "users.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts.h"
#include "app.h"
#include "audit.h"
#include "auth.h"
#include "body.h"
#include "db.h"
#include "log.h"
#include "parking.h"
#include "registration.h"
#include "util.h"

#define PROFILE_COLS \
	"id, username, email, name, role, status, created_at, updated_at," \
	" email_verified"
#define PROFILE_NCOLS 9

enum users_sql {
	Q_GET,
	Q_LIST,
	Q_COUNT,
	Q_STAFF,
	Q_STAFF_COUNT,
	Q_UPDATE,
	Q_ERASE,
	Q_ADMINS_LOCK,
	Q_LOCK_USER,
	Q_IDENT,
	Q_HOLDINGS,
	Q_RES_END,
	Q_REQ_CLOSE,
	Q_DOCS,
	Q_REQ_FORGET,
	Q_DOC_DELETED,
	Q_PLATES_DROP,
	Q_IDEM_DROP,
	Q_EMAIL_STATE,
	Q_VERIFY_VOID,
};

static const char *const sql[] = {
	[Q_GET] = "SELECT " PROFILE_COLS " FROM users"
		" WHERE id = ? AND status <> 'deleted'",
	/* ? IS NULL disables a filter: the SQL text never changes. */
	[Q_LIST] = "SELECT " PROFILE_COLS " FROM users"
		" WHERE status <> 'deleted' AND (? IS NULL OR username LIKE ?"
		" OR email LIKE ? OR name LIKE ?) AND (? IS NULL OR role = ?)"
		" AND (? IS NULL OR status = ?) ORDER BY id LIMIT ? OFFSET ?",
	[Q_COUNT] = "SELECT COUNT(*) FROM users"
		" WHERE status <> 'deleted' AND (? IS NULL OR username LIKE ?"
		" OR email LIKE ? OR name LIKE ?) AND (? IS NULL OR role = ?)"
		" AND (? IS NULL OR status = ?)",
	[Q_STAFF] = "SELECT " PROFILE_COLS " FROM users"
		" WHERE status <> 'deleted' AND role IN ('admin', 'operator')"
		" ORDER BY id LIMIT ? OFFSET ?",
	[Q_STAFF_COUNT] = "SELECT COUNT(*) FROM users"
		" WHERE status <> 'deleted' AND role IN ('admin', 'operator')",
	/* COALESCE keeps a column when its parameter is NULL (not sent).
	 * Disabling bumps token_version, which kills every token. */
	[Q_UPDATE] = "UPDATE users SET username = COALESCE(?, username),"
		" email = COALESCE(?, email), name = COALESCE(?, name),"
		" role = COALESCE(?, role),"
		" token_version = token_version + IF(? IS NOT NULL AND"
		"   ? <> (status = 'disabled'), 1, 0),"
		" status = IF(? IS NULL OR status = 'pending', status,"
		"   IF(?, 'disabled', 'active'))"
		" WHERE id = ? AND status <> 'deleted'",
	/* Personal data goes; the row stays so orders and audit entries
	 * keep pointing at it. */
	[Q_ERASE] = "UPDATE users SET username = NULL, email = NULL,"
		" name = NULL, password_hash = '!', status = 'deleted',"
		" token_version = token_version + 1, deleted_at = UTC_TIMESTAMP(6)"
		" WHERE id = ? AND status <> 'deleted'",
	/* Locks every active admin row (in index order): two admins demoting
	 * each other at once serialise here, and the second sees one left. */
	[Q_ADMINS_LOCK] = "SELECT id FROM users WHERE role = 'admin'"
		" AND status = 'active' ORDER BY id FOR UPDATE",
	[Q_IDENT] = "SELECT username, email FROM users WHERE id = ?",
	[Q_LOCK_USER] = "SELECT role, status, email FROM users WHERE id = ?"
		" AND status <> 'deleted' FOR UPDATE",
	/* Units the user holds personally (not through a project). */
	[Q_HOLDINGS] = "SELECT r.code, h.units FROM resource_holdings h"
		" JOIN resources r ON r.id = h.resource_id"
		" WHERE h.user_id = ? AND h.project_id IS NULL AND h.units > 0"
		" ORDER BY r.code FOR UPDATE",
	/* Windows not over yet: their credentials stop opening devices. */
	[Q_RES_END] = "UPDATE reservations SET cancelled_at = UTC_TIMESTAMP(6),"
		" cancelled_by = ?, cancel_reason = ? WHERE user_id = ?"
		" AND cancelled_at IS NULL AND end_at > UTC_TIMESTAMP(6)",
	[Q_REQ_CLOSE] = "UPDATE registration_requests SET status = 'rejected',"
		" reason = 'Account erased', decided_at = UTC_TIMESTAMP(6),"
		" decided_by = ? WHERE user_id = ? AND status = 'pending'",
	[Q_DOCS] = "SELECT document_name FROM registration_requests"
		" WHERE user_id = ? AND document_name IS NOT NULL"
		" AND document_deleted_at IS NULL FOR UPDATE",
	/* The documents go once this commits (erase() deletes them at
	 * once; should that fail, haas-ingestd's sweep does). */
	[Q_REQ_FORGET] = "UPDATE registration_requests SET name = NULL,"
		" email = NULL, document_purge_at = UTC_TIMESTAMP(6)"
		" WHERE user_id = ?",
	[Q_DOC_DELETED] = "UPDATE registration_requests"
		" SET document_deleted_at = UTC_TIMESTAMP(6)"
		" WHERE document_name = ? AND document_deleted_at IS NULL",
	[Q_PLATES_DROP] = "DELETE FROM plates WHERE user_id = ?",
	[Q_IDEM_DROP] = "DELETE FROM idempotency_keys WHERE user_id = ?",
	/* A new address: verified when staff set it, else until the member
	 * follows the link mailed to it. */
	[Q_EMAIL_STATE] = "UPDATE users SET email_verified = ? WHERE id = ?",
	/* Links mailed to the old address prove nothing now. */
	[Q_VERIFY_VOID] = "UPDATE user_tokens SET used_at = UTC_TIMESTAMP(6)"
		" WHERE user_id = ? AND purpose = 'verify' AND used_at IS NULL",
};

static json_object *
profile_json(const struct db_rows *rows)
{
	json_object *o = json_object_new_object();
	const char *status = db_col(rows, 5);

	json_object_object_add(o, "user_id", json_id(db_col_int(rows, 0)));
	json_object_object_add(o, "username", json_str_or_null(db_col(rows, 1)));
	json_object_object_add(o, "email", json_str_or_null(db_col(rows, 2)));
	json_object_object_add(o, "email_verified",
			       json_object_new_boolean(db_col_int(rows, 8) != 0));
	json_object_object_add(o, "name", json_str_or_null(db_col(rows, 3)));
	json_object_object_add(o, "role", json_object_new_string(db_col(rows, 4)));
	json_object_object_add(o, "status", json_object_new_string(status));
	json_object_object_add(o, "disabled",
			       json_object_new_boolean(!strcmp(status, "disabled")));
	json_object_object_add(o, "created_at", json_time(db_col(rows, 6)));
	json_object_object_add(o, "updated_at", json_time(db_col(rows, 7)));
	return o;
}

/* Loads user id's profile as a JSON object into *out. */
static enum err
profile_load(struct req *r, long long id, json_object **out)
{
	return req_row_json(r, sql[Q_GET], DB_P(db_int(id)), PROFILE_NCOLS,
			    ERR_USER_NOT_FOUND, profile_json, out);
}

/* Replies with user id's profile, as the object itself or under key. */
static enum err
reply_profile(struct req *r, long long id, const char *key)
{
	return req_reply_row(r, key, sql[Q_GET], DB_P(db_int(id)), PROFILE_NCOLS,
			     ERR_USER_NOT_FOUND, profile_json);
}

static enum err
path_id(struct req *r, long long *id)
{
	if (parse_ll(req_param(r, "id"), 1, INT64_MAX, id))
		return ERR_USER_NOT_FOUND;
	return ERR_OK;
}

/* ---- updates ----------------------------------------------------------- */

enum { U_NAME, U_USERNAME, U_EMAIL, U_ROLE, U_DISABLED, U_PASSWORD };

static const struct field update_spec[] = {
	[U_NAME] = { "name", FT_STRING, F_TRIM, .max = 200 },
	[U_USERNAME] = { "username", FT_STRING, F_TRIM, .max = 64 },
	[U_EMAIL] = { "email", FT_STRING, F_TRIM, .max = 254 },
	[U_ROLE] = { "role", FT_STRING, 0, .max = 16 },
	[U_DISABLED] = { "disabled", FT_BOOL, 0 },
	[U_PASSWORD] = { "password", FT_STRING, 0, .max = 1024 },
};

struct update {
	const struct field_value *v;	/* the route's: update_spec */
	char *email;		/* lower-cased copy */
	enum role role;		/* ROLE_NONE: unchanged */
};

/* e, naming the input field it is about (the browser shows it there). */
static enum err
field_err(struct req *r, enum err e, const char *field)
{
	req_fail_extra(r, "field", json_object_new_string(field));
	return e;
}

static enum err
update_read(struct req *r, struct update *u, bool staff_fields)
{
	enum err e;

	u->v = r->vals;
	e = body_changes(r, update_spec, u->v);
	if (e != ERR_OK)
		return e;
	u->role = ROLE_NONE;
	if (!staff_fields && (u->v[U_ROLE].set || u->v[U_DISABLED].set))
		return ERR_FORBIDDEN;
	if (u->v[U_USERNAME].set && !accounts_username_valid(u->v[U_USERNAME].s))
		return field_err(r, ERR_USERNAME_INVALID, "username");
	if (u->v[U_EMAIL].set) {
		if (!accounts_email_valid(u->v[U_EMAIL].s))
			return field_err(r, ERR_EMAIL_INVALID, "email");
		u->email = req_strdup(r, u->v[U_EMAIL].s);
		ascii_lower(u->email);
	}
	if (u->v[U_ROLE].set) {
		u->role = auth_role_parse(u->v[U_ROLE].s);
		if (u->role == ROLE_NONE)
			return field_err(r, ERR_ROLE_INVALID, "role");
	}
	return ERR_OK;
}

/* Would this change leave no active admin?  Called inside the transaction
 * after the admin rows are locked. */
static enum err
guard_last_admin(struct req *r, long long id, bool removing)
{
	struct db_rows *rows;
	bool target_is_admin = false;
	unsigned long long admins;
	enum err e;

	if (!removing)
		return ERR_OK;
	e = db_query(r->db, sql[Q_ADMINS_LOCK], DB_NONE, 1, &rows);
	if (e != ERR_OK)
		return e;
	admins = 0;
	while (db_next(rows)) {
		admins++;
		target_is_admin |= db_col_int(rows, 0) == id;
	}
	e = db_rows_err(rows);
	db_rows_free(rows);
	if (e == ERR_OK && target_is_admin && admins <= 1)
		e = ERR_LAST_ADMIN;
	return e;
}

/* Locks user id's row; *role is theirs and *email (when not NULL) their
 * address now, in r's pool (NULL: none). */
static enum err
lock_user(struct req *r, long long id, enum role *role, char **email)
{
	struct db_rows *row;
	enum err e = db_row(r->db, sql[Q_LOCK_USER], DB_P(db_int(id)), 3,
			    ERR_USER_NOT_FOUND, &row);

	if (!row)
		return e;
	*role = auth_role_parse(db_col(row, 0));
	if (email)
		*email = db_col(row, 2) ? req_strdup(r, db_col(row, 2)) : NULL;
	db_rows_free(row);
	return ERR_OK;
}

/* Ends the user's reservations that are not over: their credentials stop
 * opening devices at once. */
static enum err
reservations_end(struct req *r, long long id, const char *why)
{
	return db_exec(r->db, sql[Q_RES_END], DB_P(db_int(r->user.id),
		       db_str(why), db_int(id)), NULL);
}

static enum err
map_taken(struct req *r, enum err e)
{
	if (e != ERR_DUPLICATE)
		return e;
	return !strcmp(db_dup_key(r->db), "uq_users_email")
		? field_err(r, ERR_EMAIL_TAKEN, "email")
		: field_err(r, ERR_USERNAME_TAKEN, "username");
}

static enum err
audit_update(struct req *r, long long id, const struct update *u,
	     enum role before)
{
	json_object *d = json_object_new_object();
	json_object *fields = json_object_new_array();
	char sid[32];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(update_spec); i++)
		if (u->v[i].set)
			json_object_array_add(fields, json_object_new_string(
				update_spec[i].name));
	json_object_object_add(d, "fields", fields);
	snprintf(sid, sizeof(sid), "%lld", id);
	if (u->role == ROLE_NONE || u->role == before)
		return audit_write(r->db, r, r->user.id, "user.update", "user",
				   sid, d);
	json_object_object_add(d, "from",
			       json_object_new_string(auth_role_name(before)));
	json_object_object_add(d, "to",
			       json_object_new_string(auth_role_name(u->role)));
	return audit_write(r->db, r, r->user.id, "user.role_change", "user",
			   sid, d);
}

/* An admin's new password for user id, under the policy (not the
 * account's username or email, as they stand after this change); every
 * session of the user ends. */
static enum err
password_apply(struct req *r, long long id, const char *pw)
{
	struct db_rows *row;
	enum err e = db_row(r->db, sql[Q_IDENT], DB_P(db_int(id)), 2,
			    ERR_USER_NOT_FOUND, &row);

	if (!row)
		return e;
	e = accounts_check_password(r, pw, db_col(row, 0), db_col(row, 1));
	db_rows_free(row);
	if (e != ERR_OK)
		return field_err(r, e, "password");
	return accounts_set_password(r->db, r, id, pw, NULL);
}

struct change {
	long long id;
	const struct update *u;	/* NULL: erase the account */
	bool self;		/* the member's own change (PATCH /api/users/me) */
};

/* A changed address: staff vouch for the one they set; a member's own is
 * unverified until they follow the link this mails to it.  Either way
 * links mailed to the old one stop working. */
static enum err
email_changed(struct req *r, const struct change *c)
{
	enum err e = db_exec(r->db, sql[Q_EMAIL_STATE], DB_P(db_int(!c->self),
			     db_int(c->id)), NULL);

	if (e == ERR_OK)
		e = db_exec(r->db, sql[Q_VERIFY_VOID], DB_P(db_int(c->id)),
			    NULL);
	if (e == ERR_OK && c->self)
		e = accounts_verify_start(r->db, &r->app->cfg, c->id,
					  c->u->email);
	return e;
}

/* Applies c->u to the user, guarding the last admin (in req_txn). */
static enum err
update_tx(struct req *r, void *arg)
{
	const struct change *c = arg;
	const struct update *u = c->u;
	const struct field_value *v = u->v;
	bool disable = v[U_DISABLED].set && v[U_DISABLED].i;
	enum role before = ROLE_NONE;
	char *email = NULL;
	enum err e = lock_user(r, c->id, &before, &email);

	if (e == ERR_OK)
		e = guard_last_admin(r, c->id, disable ||
				     (u->role != ROLE_NONE && u->role != ROLE_ADMIN));
	if (e == ERR_OK)
		e = map_taken(r, db_exec(r->db, sql[Q_UPDATE], DB_P(
			db_str(v[U_USERNAME].set ? v[U_USERNAME].s : NULL),
			db_str(u->email),
			db_str(v[U_NAME].set ? v[U_NAME].s : NULL),
			db_str(u->role ? auth_role_name(u->role) : NULL),
			v[U_DISABLED].set ? db_int(disable) : db_null(),
			db_int(disable),
			v[U_DISABLED].set ? db_int(disable) : db_null(),
			db_int(disable), db_int(c->id)), NULL));
	if (e == ERR_OK && u->email && (!email || strcmp(email, u->email)))
		e = email_changed(r, c);
	if (e == ERR_OK && disable)
		e = reservations_end(r, c->id, "account_disabled");
	if (e == ERR_OK && v[U_PASSWORD].set)
		e = password_apply(r, c->id, v[U_PASSWORD].s);
	if (e == ERR_OK)
		e = audit_update(r, c->id, u, before);
	return e;
}

static enum err
update_apply(struct req *r, long long id, const struct update *u, bool self)
{
	struct change c = { id, u, self };

	return req_txn(r, update_tx, &c);
}

/* Refuses while the user holds units personally: the lab wants its
 * hardware back before the account that has it goes (409, with what is
 * held). */
static enum err
guard_holdings(struct req *r, long long id)
{
	json_object *held = NULL, *o;
	struct db_rows *rows;
	enum err e = db_query(r->db, sql[Q_HOLDINGS], DB_P(db_int(id)), 2,
			      &rows);

	if (e != ERR_OK)
		return e;
	while (db_next(rows)) {
		if (!held)
			held = json_object_new_array();
		o = json_object_new_object();
		json_object_object_add(o, "resource_id",
				       json_object_new_string(db_col(rows, 0)));
		json_object_object_add(o, "units",
				       json_object_new_int64(db_col_int(rows, 1)));
		json_object_array_add(held, o);
	}
	e = db_rows_err(rows);
	db_rows_free(rows);
	if (e != ERR_OK || !held) {
		json_object_put(held);
		return e;
	}
	req_fail_extra(r, "holdings", held);
	return ERR_HOLDS_UNITS;
}

/* An erasure: the account and what it names. */
struct erasure {
	long long id;
	char **docs;		/* documents to delete once committed */
	size_t ndocs;
};

static void
erasure_docs_release(struct erasure *x)
{
	size_t i;

	for (i = 0; i < x->ndocs; i++)
		free(x->docs[i]);
	free(x->docs);
	x->docs = NULL;
	x->ndocs = 0;
}

/* The user's documents, noted for deletion after COMMIT. */
static enum err
docs_collect(struct req *r, struct erasure *x)
{
	struct db_rows *rows;
	enum err e = db_query(r->db, sql[Q_DOCS], DB_P(db_int(x->id)), 1,
			      &rows);

	if (e != ERR_OK)
		return e;
	while (db_next(rows)) {
		x->docs = xrealloc(x->docs, (x->ndocs + 1) * sizeof(*x->docs));
		x->docs[x->ndocs++] = xstrdup(db_col(rows, 0));
	}
	e = db_rows_err(rows);
	db_rows_free(rows);
	return e;
}

/* What the account leaves behind: windows not over, a pending
 * registration and every document, plates, stored replies. */
static enum err
erase_data(struct req *r, struct erasure *x)
{
	struct db_param id = db_int(x->id);
	struct db_result res = { 0 };
	enum err e = reservations_end(r, x->id, "account_erased");

	if (e == ERR_OK)
		e = db_exec(r->db, sql[Q_REQ_CLOSE], DB_P(db_int(r->user.id),
			    id), &res);
	if (e == ERR_OK && res.affected)	/* the live queue re-reads */
		parking_queue_event(r, "registration", 0, "rejected");
	if (e == ERR_OK)
		e = docs_collect(r, x);
	if (e == ERR_OK)
		e = db_exec(r->db, sql[Q_REQ_FORGET], DB_P(id), NULL);
	if (e == ERR_OK)
		e = db_exec(r->db, sql[Q_PLATES_DROP], DB_P(id), NULL);
	if (e == ERR_OK)
		e = db_exec(r->db, sql[Q_IDEM_DROP], DB_P(id), NULL);
	return e;
}

/* Erases the user, guarding the last admin and held units (in
 * req_txn). */
static enum err
erase_tx(struct req *r, void *arg)
{
	struct erasure *x = arg;
	enum role role;
	char sid[32];
	enum err e = lock_user(r, x->id, &role, NULL);

	erasure_docs_release(x);
	if (e == ERR_OK)
		e = guard_last_admin(r, x->id, true);
	if (e == ERR_OK)
		e = guard_holdings(r, x->id);
	if (e == ERR_OK)
		e = erase_data(r, x);
	if (e == ERR_OK)
		e = db_exec(r->db, sql[Q_ERASE], DB_P(db_int(x->id)), NULL);
	if (e == ERR_OK)
		e = accounts_revoke_all(r->db, x->id);
	snprintf(sid, sizeof(sid), "%lld", x->id);
	if (e == ERR_OK)
		e = audit_write(r->db, r, r->user.id, "user.delete", "user",
				sid, NULL);
	return e;
}

static enum err
erase(struct req *r, long long id)
{
	struct erasure x = { id, NULL, 0 };
	enum err e = req_txn(r, erase_tx, &x);
	size_t i;

	for (i = 0; e == ERR_OK && i < x.ndocs; i++) {
		registration_document_delete(&r->app->cfg, x.docs[i]);
		if (db_exec(r->db, sql[Q_DOC_DELETED], DB_P(db_str(x.docs[i])),
			    NULL) != ERR_OK)
			log_warn("erase: document %s deleted; haas-ingestd will"
				 " record it", x.docs[i]);
	}
	erasure_docs_release(&x);
	return e;
}

/* ---- me ---------------------------------------------------------------- */

static enum err
users_me(struct req *r)
{
	return reply_profile(r, r->user.id, NULL);
}

/* GET /api/session: who is signed in, {"user": null} when nobody is, so
 * a browser asks without an error (its cookie is HttpOnly). */
static enum err
users_session(struct req *r)
{
	if (!r->user.id) {
		json_object_object_add(req_reply(r), "user", NULL);
		return ERR_OK;
	}
	return reply_profile(r, r->user.id, "user");
}

static enum err
users_me_update(struct req *r)
{
	struct update u = { 0 };
	enum err e = update_read(r, &u, false);

	if (e == ERR_OK && u.v[U_PASSWORD].set)
		e = req_fail(r, ERR_FORBIDDEN,
			     "Use /api/users/reset-password to change your password");
	if (e == ERR_OK)
		e = update_apply(r, r->user.id, &u, true);
	if (e != ERR_OK)
		return e;
	return reply_profile(r, r->user.id, NULL);
}

static enum err
users_me_delete(struct req *r)
{
	return erase(r, r->user.id);
}

/* ---- admin: users ------------------------------------------------------ */

static enum err
list_page(struct req *r, const char *list_sql, const char *count_sql,
	  const struct db_param *p, size_t np, const char *key)
{
	struct db_param all[12];
	long long limit, offset;
	json_object *arr;
	struct db_rows *rows;
	enum err e = req_paging(r, &limit, &offset);

	if (e != ERR_OK)
		return e;
	if (np)
		memcpy(all, p, np * sizeof(*p));
	all[np] = db_int(limit);
	all[np + 1] = db_int(offset);
	e = db_query(r->db, list_sql, all, np + 2, PROFILE_NCOLS, &rows);
	if (e != ERR_OK)
		return e;
	arr = json_object_new_array();
	json_object_object_add(req_reply(r), key, arr);
	while (db_next(rows))
		json_object_array_add(arr, profile_json(rows));
	e = db_rows_err(rows);
	db_rows_free(rows);
	if (e != ERR_OK)
		return e;
	return req_reply_count(r, "total", count_sql, p, np);
}

/* "%q%" with LIKE's own wildcards escaped. */
static char *
like_pattern(struct req *r, const char *q)
{
	struct buf b = { 0 };
	char *out;

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

/* A status a list may be filtered by (erased accounts are never listed). */
static bool
status_valid(const char *s)
{
	return !strcmp(s, "active") || !strcmp(s, "pending") ||
	       !strcmp(s, "disabled");
}

static enum err
users_list(struct req *r)
{
	const char *q = req_query(r, "q"), *role = req_query(r, "role");
	const char *status = req_query(r, "status");
	char *pat = q && *q ? like_pattern(r, q) : NULL;

	if (role && auth_role_parse(role) == ROLE_NONE)
		return ERR_ROLE_INVALID;
	if (status && !status_valid(status))
		return req_fail(r, ERR_BAD_QUERY,
				"status must be active, pending or disabled");
	return list_page(r, sql[Q_LIST], sql[Q_COUNT], DB_P(db_str(pat),
		db_str(pat), db_str(pat), db_str(pat), db_str(role),
		db_str(role), db_str(status), db_str(status)), "users");
}

/* How a route names its user: any user by id, or staff only. */
typedef enum err (*resolve_fn)(struct req *r, long long *id);

static enum err
get_by(struct req *r, resolve_fn resolve)
{
	long long id;
	enum err e = resolve(r, &id);

	return e != ERR_OK ? e : reply_profile(r, id, NULL);
}

static enum err
update_by(struct req *r, resolve_fn resolve)
{
	struct update u = { 0 };
	long long id;
	enum err e = resolve(r, &id);

	if (e == ERR_OK)
		e = update_read(r, &u, true);
	if (e == ERR_OK)
		e = update_apply(r, id, &u, false);
	return e != ERR_OK ? e : reply_profile(r, id, NULL);
}

static enum err
delete_by(struct req *r, resolve_fn resolve)
{
	long long id;
	enum err e = resolve(r, &id);

	return e != ERR_OK ? e : erase(r, id);
}

static enum err
users_get(struct req *r)
{
	return get_by(r, path_id);
}

static enum err
users_update(struct req *r)
{
	return update_by(r, path_id);
}

static enum err
users_delete(struct req *r)
{
	return delete_by(r, path_id);
}

/* ---- admin: staff (/api/admins, the parking seed) --------------------- */

enum { A_USERNAME, A_EMAIL, A_PASSWORD, A_ROLE, A_NAME };

static const struct field admin_spec[] = {
	[A_USERNAME] = { "username", FT_STRING, F_REQUIRED | F_TRIM, .max = 64 },
	[A_EMAIL] = { "email", FT_STRING, F_REQUIRED | F_TRIM, .max = 254 },
	[A_PASSWORD] = { "password", FT_STRING, F_REQUIRED, .max = 1024 },
	[A_ROLE] = { "role", FT_STRING, 0, .max = 16 },
	[A_NAME] = { "name", FT_STRING, F_TRIM, .max = 200 },
};

static enum err
admins_create(struct req *r)
{
	const struct field_value *v = r->vals;
	struct new_account a = { .role = ROLE_ADMIN, .staff = true };
	long long id;
	char sid[32];
	enum err e;

	if (v[A_ROLE].set)
		a.role = auth_role_parse(v[A_ROLE].s);
	if (a.role != ROLE_ADMIN && a.role != ROLE_OPERATOR)
		return field_err(r, req_fail(r, ERR_ROLE_INVALID,
				 "Role must be admin or operator"), "role");
	a.username = v[A_USERNAME].s;
	a.email = v[A_EMAIL].s;
	a.password = v[A_PASSWORD].s;
	a.name = v[A_NAME].set ? v[A_NAME].s : v[A_USERNAME].s;
	e = accounts_create(r->db, r, &a, &id);
	if (e == ERR_EMAIL_TAKEN)
		return ERR_EMAIL_REGISTERED;
	if (e != ERR_OK)
		return e;
	snprintf(sid, sizeof(sid), "%lld", id);
	e = audit_write(r->db, r, r->user.id, "staff.create", "user", sid,
			json_object_new_string(auth_role_name(a.role)));
	return e != ERR_OK ? e : reply_profile(r, id, NULL);
}

static enum err
admins_list(struct req *r)
{
	return list_page(r, sql[Q_STAFF], sql[Q_STAFF_COUNT], DB_NONE,
			 "admins");
}

/* /api/admins/{id} addresses staff only: a plain user is not found. */
static enum err
staff_id(struct req *r, long long *id)
{
	json_object *p;
	const char *role;
	enum err e = path_id(r, id);

	if (e == ERR_OK)
		e = profile_load(r, *id, &p);
	if (e != ERR_OK)
		return e;
	role = json_object_get_string(json_object_object_get(p, "role"));
	e = strcmp(role, "user") ? ERR_OK : ERR_USER_NOT_FOUND;
	json_object_put(p);
	return e;
}

static enum err
admins_get(struct req *r)
{
	return get_by(r, staff_id);
}

/* The parking seed's wording for a taken email. */
static enum err
admins_update(struct req *r)
{
	enum err e = update_by(r, staff_id);

	return e == ERR_EMAIL_TAKEN ? ERR_EMAIL_REGISTERED : e;
}

static enum err
admins_delete(struct req *r)
{
	return delete_by(r, staff_id);
}

/* A profile as profile_json writes it. */
const struct schema_def users_schemas[] = {
	{ "User", "{user_id: id, username: string?, email: string?,"
	  " email_verified: bool, name: string?, role: string, status: string,"
	  " disabled: bool, created_at: time, updated_at: time}" },
	{ NULL, NULL },
};

static const struct qparam list_query[] = {
	{ "q", "string", "Part of the username, email or name" },
	{ "role", "string", "user, operator or admin" },
	{ "status", "string", "active, pending or disabled" },
	QP_LIMIT,
	QP_OFFSET,
	{ NULL, NULL, NULL },
};

static const struct qparam page_query[] = {
	QP_LIMIT,
	QP_OFFSET,
	{ NULL, NULL, NULL },
};

/* What an account's erasure may refuse. */
#define ERASE_ERRORS ERR_USER_NOT_FOUND, ERR_LAST_ADMIN, ERR_HOLDS_UNITS
/* What a staff change of an account may refuse (update_read, update_tx). */
#define UPDATE_ERRORS ERR_USER_NOT_FOUND, ERR_NO_CHANGES, \
	ERR_USERNAME_INVALID, ERR_EMAIL_INVALID, ERR_ROLE_INVALID, \
	ERR_LAST_ADMIN, ERR_USERNAME_TAKEN, ERR_PASSWORD_WEAK

const struct route users_routes[] = {
	{ "GET", "/api/users/me", ROLE_USER, 200, BODY_NONE, users_me,
	  "Your profile", .reply = "User",
	  ROUTE_ERRORS(ERR_USER_NOT_FOUND) },
	{ "GET", "/api/session", ROLE_NONE, 200, BODY_NONE, users_session,
	  "Who is signed in ({user: null} when nobody is)",
	  .reply = "{user: User?}", ROUTE_ERRORS(ERR_USER_NOT_FOUND) },
	{ "GET", "/user", ROLE_USER, 200, BODY_NONE, users_me,
	  "Your profile (ElectroPorts site)",
	  .profiles = PROFILE_BIT(PROFILE_ELECTROPORTS), .reply = "User",
	  ROUTE_ERRORS(ERR_USER_NOT_FOUND) },
	/* role, disabled and password are refused here (403) */
	{ "PATCH", "/api/users/me", ROLE_USER, 200, BODY_JSON, users_me_update,
	  "Update your name, username or email", ROUTE_FIELDS(update_spec),
	  .reply = "User",
	  ROUTE_ERRORS(ERR_USER_NOT_FOUND, ERR_NO_CHANGES, ERR_FORBIDDEN,
		       ERR_USERNAME_INVALID, ERR_EMAIL_INVALID,
		       ERR_USERNAME_TAKEN, ERR_EMAIL_TAKEN) },
	{ "DELETE", "/api/users/me", ROLE_USER, 204, BODY_NONE, users_me_delete,
	  "Erase your account", ROUTE_ERRORS(ERASE_ERRORS) },
	{ "GET", "/api/users", ROLE_ADMIN, 200, BODY_NONE, users_list,
	  "List and search users (?q=, ?role=, ?status=, paging)",
	  .query = list_query, .reply = "{users: [User], total: int}",
	  ROUTE_ERRORS(ERR_ROLE_INVALID) },
	{ "GET", "/api/users/{id}", ROLE_ADMIN, 200, BODY_NONE, users_get,
	  "A user's profile", .reply = "User",
	  ROUTE_ERRORS(ERR_USER_NOT_FOUND) },
	{ "PATCH", "/api/users/{id}", ROLE_ADMIN, 200, BODY_JSON, users_update,
	  "Update a user (name, username, email, role, disabled, password)",
	  ROUTE_FIELDS(update_spec), .reply = "User",
	  ROUTE_ERRORS(UPDATE_ERRORS, ERR_EMAIL_TAKEN) },
	{ "DELETE", "/api/users/{id}", ROLE_ADMIN, 204, BODY_NONE, users_delete,
	  "Erase a user", ROUTE_ERRORS(ERASE_ERRORS) },
	{ "GET", "/api/admins", ROLE_ADMIN, 200, BODY_NONE, admins_list,
	  "List staff (admins and operators)", .query = page_query,
	  .reply = "{admins: [User], total: int}" },
	{ "POST", "/api/admins", ROLE_ADMIN, 201, BODY_JSON, admins_create,
	  "Create a staff account", ROUTE_FIELDS(admin_spec), .reply = "User",
	  ROUTE_ERRORS(ERR_ROLE_INVALID, ERR_USERNAME_INVALID,
		       ERR_EMAIL_INVALID, ERR_PASSWORD_WEAK,
		       ERR_USERNAME_TAKEN, ERR_EMAIL_REGISTERED) },
	{ "GET", "/api/admins/{id}", ROLE_ADMIN, 200, BODY_NONE, admins_get,
	  "A staff account", .reply = "User",
	  ROUTE_ERRORS(ERR_USER_NOT_FOUND) },
	{ "PATCH", "/api/admins/{id}", ROLE_ADMIN, 200, BODY_JSON,
	  admins_update, "Update a staff account", ROUTE_FIELDS(update_spec),
	  .reply = "User", ROUTE_ERRORS(UPDATE_ERRORS, ERR_EMAIL_REGISTERED) },
	{ "DELETE", "/api/admins/{id}", ROLE_ADMIN, 204, BODY_NONE,
	  admins_delete, "Delete a staff account",
	  ROUTE_ERRORS(ERASE_ERRORS) },
	{ 0 },
};

/* accounts: one identity behind every seed's sign-up and log-in path, and
 * the mailed tokens that reset a password or verify an address. */
#include "accounts.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app.h"
#include "audit.h"
#include "auth.h"
#include "body.h"
#include "db.h"
#include "log.h"
#include "notify.h"
#include "util.h"

enum accounts_sql {
	Q_INSERT_USER,
	Q_FIND_LOGIN,
	Q_FIND_EMAIL,
	Q_LOGIN_FAILED,
	Q_FAILED_COUNT,
	Q_LOGIN_OK,
	Q_REFRESH_INSERT,
	Q_REFRESH_FIND,
	Q_REFRESH_ROTATE,
	Q_FAMILY_REVOKE,
	Q_USER_REVOKE,
	Q_BUMP_VERSION,
	Q_USER_STATE,
	Q_PASSWORD_GET,
	Q_PASSWORD_SET,
	Q_SESSION_INSERT,
	Q_SESSION_REVOKE,
	Q_SESSIONS_REVOKE_USER,
	Q_SESSION_REVER,
	Q_TOKEN_INSERT,
	Q_TOKEN_RECENT,
	Q_FORGOT_FIND,
	Q_RESET_FIND,
	Q_TOKENS_USE,
	Q_VERIFY_FIND,
	Q_VERIFY_SET,
	Q_RESEND_USER,
};

static const char *const sql[] = {
	[Q_INSERT_USER] =
		"INSERT INTO users (username, email, email_verified, name,"
		" password_hash, role, status) VALUES (?, ?, ?, ?, ?, ?, ?)",
	[Q_FIND_LOGIN] =
		"SELECT id, password_hash, role, status, token_version,"
		" COALESCE(locked_until > UTC_TIMESTAMP(6), 0) FROM users"
		" WHERE (username = ? OR email = ?) AND status <> 'deleted'"
		" LIMIT 1",
	[Q_FIND_EMAIL] =
		"SELECT id, password_hash, role, status, token_version,"
		" COALESCE(locked_until > UTC_TIMESTAMP(6), 0) FROM users"
		" WHERE email = ? AND status <> 'deleted'",
	/* Single-table UPDATE assigns left to right, so later expressions
	 * see the new failed_logins: one atomic step under concurrency. */
	[Q_LOGIN_FAILED] =
		"UPDATE users SET"
		" failed_logins = IF(first_failed_at IS NULL OR first_failed_at"
		"   < UTC_TIMESTAMP(6) - INTERVAL ? SECOND, 1, failed_logins + 1),"
		" first_failed_at = IF(failed_logins = 1, UTC_TIMESTAMP(6),"
		"   first_failed_at),"
		" locked_until = IF(failed_logins >= ?,"
		"   UTC_TIMESTAMP(6) + INTERVAL ? SECOND, locked_until)"
		" WHERE id = ?",
	[Q_FAILED_COUNT] = "SELECT failed_logins FROM users WHERE id = ?",
	[Q_LOGIN_OK] =
		"UPDATE users SET failed_logins = 0, first_failed_at = NULL,"
		" locked_until = NULL WHERE id = ?"
		" AND (failed_logins <> 0 OR locked_until IS NOT NULL)",
	[Q_REFRESH_INSERT] =
		"INSERT INTO refresh_tokens (user_id, family, token_hash,"
		" expires_at) VALUES (?, ?, ?, UTC_TIMESTAMP(6) + INTERVAL ? SECOND)",
	[Q_REFRESH_FIND] =
		"SELECT id, user_id, family, rotated_at IS NOT NULL,"
		" revoked_at IS NOT NULL, expires_at <= UTC_TIMESTAMP(6)"
		" FROM refresh_tokens WHERE token_hash = ? FOR UPDATE",
	[Q_REFRESH_ROTATE] =
		"UPDATE refresh_tokens SET rotated_at = UTC_TIMESTAMP(6)"
		" WHERE id = ? AND rotated_at IS NULL AND revoked_at IS NULL",
	[Q_FAMILY_REVOKE] =
		"UPDATE refresh_tokens SET revoked_at = UTC_TIMESTAMP(6)"
		" WHERE family = ? AND revoked_at IS NULL",
	[Q_USER_REVOKE] =
		"UPDATE refresh_tokens SET revoked_at = UTC_TIMESTAMP(6)"
		" WHERE user_id = ? AND revoked_at IS NULL",
	[Q_BUMP_VERSION] =
		"UPDATE users SET token_version = token_version + 1 WHERE id = ?",
	[Q_USER_STATE] =
		"SELECT role, status, token_version FROM users WHERE id = ?",
	[Q_PASSWORD_GET] =
		"SELECT password_hash, username, email FROM users"
		" WHERE id = ? AND status <> 'deleted'",
	[Q_PASSWORD_SET] =
		"UPDATE users SET password_hash = ?,"
		" token_version = token_version + 1 WHERE id = ?",
	/* ver: the user's token version now; the cookie lives as long as a
	 * refresh token */
	[Q_SESSION_INSERT] =
		"INSERT INTO sessions (family, user_id, cookie_hash, ver,"
		" expires_at) VALUES (?, ?, ?, ?,"
		" UTC_TIMESTAMP(6) + INTERVAL ? SECOND)",
	[Q_SESSION_REVOKE] =
		"UPDATE sessions SET revoked_at = UTC_TIMESTAMP(6)"
		" WHERE family = ? AND revoked_at IS NULL",
	/* Every session of the user but one (NULL: all). */
	[Q_SESSIONS_REVOKE_USER] =
		"UPDATE sessions SET revoked_at = UTC_TIMESTAMP(6)"
		" WHERE user_id = ? AND revoked_at IS NULL"
		" AND (? IS NULL OR family <> ?)",
	/* The kept session follows the user's new token version. */
	[Q_SESSION_REVER] =
		"UPDATE sessions s JOIN users u ON u.id = s.user_id"
		" SET s.ver = u.token_version WHERE s.family = ?"
		" AND s.user_id = ? AND s.revoked_at IS NULL",
	/* Mailed tokens (reset, verify): only their SHA-256 is kept. */
	[Q_TOKEN_INSERT] =
		"INSERT INTO user_tokens (token_hash, user_id, purpose, email,"
		" expires_at) VALUES (?, ?, ?, ?,"
		" UTC_TIMESTAMP(6) + INTERVAL ? SECOND)",
	/* Mails of a purpose sent to the user within the hour. */
	[Q_TOKEN_RECENT] =
		"SELECT COUNT(*) FROM user_tokens WHERE user_id = ?"
		" AND purpose = ? AND created_at > UTC_TIMESTAMP(6)"
		" - INTERVAL 1 HOUR",
	/* Locked: two requests for one account count their mails in turn. */
	[Q_FORGOT_FIND] =
		"SELECT id FROM users WHERE email = ? AND status = 'active'"
		" FOR UPDATE",
	[Q_RESET_FIND] =
		"SELECT t.user_id, u.username, u.email FROM user_tokens t"
		" JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?"
		" AND t.purpose = 'reset' AND t.used_at IS NULL"
		" AND t.expires_at > UTC_TIMESTAMP(6) AND u.status = 'active'"
		" FOR UPDATE",
	[Q_TOKENS_USE] =
		"UPDATE user_tokens SET used_at = UTC_TIMESTAMP(6)"
		" WHERE user_id = ? AND purpose = ? AND used_at IS NULL",
	/* A verify token proves its address only while it is the
	 * account's. */
	[Q_VERIFY_FIND] =
		"SELECT t.user_id, t.email FROM user_tokens t"
		" JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?"
		" AND t.purpose = 'verify' AND t.used_at IS NULL"
		" AND t.expires_at > UTC_TIMESTAMP(6) AND u.email = t.email"
		" AND u.status <> 'deleted' FOR UPDATE",
	[Q_VERIFY_SET] = "UPDATE users SET email_verified = 1 WHERE id = ?",
	[Q_RESEND_USER] =
		"SELECT email, email_verified FROM users WHERE id = ?"
		" AND status <> 'deleted' FOR UPDATE",
};

/* Mails of one purpose an account gets per hour, at most. */
#define MAILS_PER_HOUR 3

/* The most common passwords of at least 8 characters (lower-case). */
static const char *const common_passwords[] = {
	"password", "password1", "password123", "12345678", "123456789",
	"1234567890", "12345678910", "qwertyuiop", "qwerty123", "qwerty12",
	"1q2w3e4r", "1q2w3e4r5t", "iloveyou", "sunshine", "princess",
	"football", "baseball", "welcome1", "welcome123", "abc12345",
	"abcd1234", "admin123", "administrator", "letmein1", "trustno1",
	"11111111", "00000000", "88888888", "87654321", "superman",
	"starwars", "whatever", "computer", "michelle", "jennifer",
	"passw0rd", "p@ssw0rd", "p@ssword", "changeme", "changeme123",
	"qwerty1234", "asdfghjkl", "zxcvbnm1", "1qaz2wsx", "q1w2e3r4",
	"aa123456", "a1b2c3d4", "123123123", "987654321", "dragon12",
	"monkey123", "charlie1", "master12", "shadow12", "mustang1",
	"access14", "secret12", "hello123", "lovely12", "freedom1",
};

bool
accounts_email_valid(const char *e)
{
	const char *at = strchr(e, '@'), *dot;
	size_t n = strlen(e), i;

	if (!at || at == e || strchr(at + 1, '@') || n > 254 ||
	    (size_t)(at - e) > 64)
		return false;
	/* A domain needs a dot, except the console's own admin@localhost. */
	dot = strrchr(at, '.');
	if (strcasecmp(at + 1, "localhost") &&
	    (!dot || dot == at + 1 || dot[1] == '\0'))
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)e[i] <= ' ' || strchr("<>()[],;:\\\"", e[i]))
			return false;
	return true;
}

bool
accounts_username_valid(const char *u)
{
	size_t n = strlen(u), i;

	if (n < 3 || n > 64)
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)u[i]) && !strchr("._-", u[i]))
			return false;
	return true;
}

static enum err
weak(struct req *r, const char *why)
{
	return r ? req_fail(r, ERR_PASSWORD_WEAK, "Password is too weak: %s",
			    why)
		 : ERR_PASSWORD_WEAK;
}

enum err
accounts_check_password(struct req *r, const char *pw, const char *username,
			const char *email)
{
	size_t n = strlen(pw), chars = 0, i;

	for (i = 0; i < n; i++)
		chars += ((unsigned char)pw[i] & 0xC0) != 0x80;
	if (chars < 8)
		return weak(r, "it must be at least 8 characters");
	if (n > 1024)
		return weak(r, "it must be at most 1024 bytes");
	if ((username && !strcasecmp(pw, username)) ||
	    (email && !strcasecmp(pw, email)))
		return weak(r, "it must differ from the username and email");
	for (i = 0; i < ARRAY_SIZE(common_passwords); i++)
		if (!strcasecmp(pw, common_passwords[i]))
			return weak(r, "it is one of the most common passwords");
	return ERR_OK;
}

/* e, naming the input field it is about (when there is a request). */
static enum err
field_err(struct req *r, enum err e, const char *field)
{
	if (r)
		req_fail_extra(r, "field", json_object_new_string(field));
	return e;
}

static enum err
map_duplicate(struct db *db, const struct new_account *a)
{
	if (!strcmp(db_dup_key(db), "uq_users_email"))
		return ERR_EMAIL_TAKEN;
	(void)a;
	return ERR_USERNAME_TAKEN;
}

enum err
accounts_create(struct db *db, struct req *r, const struct new_account *a,
		long long *id)
{
	char hash[AUTH_HASH_MAX], *email = NULL;
	struct db_result res;
	bool self;
	enum err e;

	if (a->username && !accounts_username_valid(a->username))
		return field_err(r, ERR_USERNAME_INVALID, "username");
	if (a->email && !accounts_email_valid(a->email))
		return field_err(r, ERR_EMAIL_INVALID, "email");
	e = accounts_check_password(r, a->password, a->username, a->email);
	if (e != ERR_OK)
		return field_err(r, e, "password");
	if (auth_hash_password(a->password, hash))
		return ERR_INTERNAL;
	if (a->email) {
		email = xstrdup(a->email);
		ascii_lower(email);
	}
	self = r && !a->staff;
	e = db_exec(db, sql[Q_INSERT_USER], DB_P(db_str(a->username),
		db_str(email), db_int(email && !self), db_str(a->name),
		db_str(hash), db_str(auth_role_name(a->role)),
		db_str(a->status ? a->status : "active")), &res);
	if (e == ERR_DUPLICATE) {
		free(email);
		e = map_duplicate(db, a);
		return field_err(r, e, e == ERR_EMAIL_TAKEN ? "email"
				 : "username");
	}
	if (e == ERR_OK)
		*id = (long long)res.insert_id;
	if (e == ERR_OK && self && email)
		e = accounts_verify_start(db, &r->app->cfg, *id, email);
	free(email);
	return e;
}

/* ---- mailed tokens ----------------------------------------------------- */

/* A new single-use token of kind's purpose for user uid, kept as its
 * SHA-256, and the notice that mails its link to the owner (email: the
 * address it goes to and, for verify, proves), in the caller's
 * transaction.  The link carries the token in its fragment: browsers
 * send that to no server, and no Referer holds it. */
static enum err
token_mail(struct db *db, const struct config *cfg, long long uid,
	   enum notice_kind kind, const char *email)
{
	bool reset = kind == NK_ACCOUNT_RESET;
	long long ttl = reset ? cfg->reset_token_ttl : cfg->verify_token_ttl;
	size_t base = strlen(cfg->public_url);
	char *token = random_token(32), *link, digest[65], minutes[24];
	json_object *f;
	enum err e;

	while (base && cfg->public_url[base - 1] == '/')
		base--;
	sha256_hex(token, strlen(token), digest);
	e = db_exec(db, sql[Q_TOKEN_INSERT], DB_P(db_str(digest), db_int(uid),
		db_str(reset ? "reset" : "verify"),
		db_str(reset ? NULL : email), db_int(ttl)), NULL);
	link = xasprintf("%.*s/%s#token=%s", (int)base, cfg->public_url,
			 reset ? "reset" : "verify", token);
	free(token);
	f = json_object_new_object();
	json_object_object_add(f, "link", json_object_new_string(link));
	free(link);
	if (reset) {
		snprintf(minutes, sizeof(minutes), "%lld", ttl / 60);
		json_object_object_add(f, "expires_minutes",
				       json_object_new_string(minutes));
	} else
		json_object_object_add(f, "email", json_object_new_string(email));
	if (e == ERR_OK)
		e = notify(db, &(struct notice){ .kind = kind, .fields = f,
			.users = &uid, .nusers = 1, .email = email }, NULL);
	json_object_put(f);
	return e;
}

/* Mails of purpose sent to uid within the hour. */
static enum err
mails_recent(struct db *db, long long uid, const char *purpose,
	     long long *n)
{
	return db_query_int(db, sql[Q_TOKEN_RECENT], DB_P(db_int(uid),
			    db_str(purpose)), ERR_OK, n);
}

enum err
accounts_verify_start(struct db *db, const struct config *cfg, long long uid,
		      const char *email)
{
	return token_mail(db, cfg, uid, NK_ACCOUNT_VERIFY, email);
}

/* Ends every session of user id but keep (NULL: all): its refresh tokens
 * and, through the session rows, every access token and browser cookie
 * of them. */
static enum err
sessions_end_all(struct db *db, long long id, const char *keep)
{
	enum err e = db_exec(db, sql[Q_USER_REVOKE], DB_P(db_int(id)), NULL);

	if (e == ERR_OK)
		e = db_exec(db, sql[Q_SESSIONS_REVOKE_USER], DB_P(db_int(id),
			    db_str(keep), db_str(keep)), NULL);
	return e;
}

enum err
accounts_revoke_all(struct db *db, long long id)
{
	enum err e = sessions_end_all(db, id, NULL);

	if (e == ERR_OK)
		e = db_exec(db, sql[Q_BUMP_VERSION], DB_P(db_int(id)), NULL);
	return e;
}

enum err
accounts_end_session(struct db *db, const char *family)
{
	enum err e = db_exec(db, sql[Q_FAMILY_REVOKE], DB_P(db_str(family)),
			     NULL);

	if (e == ERR_OK)
		e = db_exec(db, sql[Q_SESSION_REVOKE], DB_P(db_str(family)),
			    NULL);
	return e;
}

enum err
accounts_set_password(struct db *db, struct req *r, long long id,
		      const char *password, const char *keep)
{
	char hash[AUTH_HASH_MAX];
	struct db_result res;
	enum err e;

	if (auth_hash_password(password, hash))
		return ERR_INTERNAL;
	e = db_exec(db, sql[Q_PASSWORD_SET], DB_P(db_str(hash), db_int(id)),
		    &res);
	if (e == ERR_OK && res.affected == 0)
		return ERR_USER_NOT_FOUND;
	if (e == ERR_OK)
		e = sessions_end_all(db, id, keep);
	if (e == ERR_OK && keep)
		e = db_exec(db, sql[Q_SESSION_REVER], DB_P(db_str(keep),
			    db_int(id)), NULL);
	(void)r;
	return e;
}

/* ---- tokens ------------------------------------------------------------ */

struct session {
	char *access;
	char *refresh;
	char *family;		/* a new session's, for its cookie */
	char *cookie;		/* the cookie's secret (new sessions only) */
};

static void
session_release(struct session *s)
{
	free(s->access);
	free(s->refresh);
	free(s->family);
	free(s->cookie);
	s->access = s->refresh = s->family = s->cookie = NULL;
}

/* A new session's row, with the digest of the browser cookie's secret
 * (kept in out for the Set-Cookie). */
static enum err
session_open(struct req *r, long long uid, long long ver, const char *family,
	     struct session *out)
{
	char digest[65];

	out->cookie = random_token(32);
	out->family = xstrdup(family);
	sha256_hex(out->cookie, strlen(out->cookie), digest);
	return db_exec(r->db, sql[Q_SESSION_INSERT], DB_P(db_str(family),
		db_int(uid), db_str(digest), db_int(ver),
		db_int(r->app->cfg.jwt_refresh_token_expires)), NULL);
}

/* Issues an access token and a refresh token of session fam (a new
 * session when fam is NULL), storing the refresh token's digest.  Both
 * tokens name the session, so ending it ends them. */
static enum err
session_issue(struct req *r, long long uid, enum role role, long long ver,
	      const char *fam, struct session *out)
{
	const struct config *cfg = &r->app->cfg;
	struct token_claims c = { .sub = uid, .role = role, .ver = ver };
	char digest[65], *family = fam ? xstrdup(fam) : random_token(18);
	enum err e = ERR_OK;

	memset(out, 0, sizeof(*out));
	snprintf(c.fam, sizeof(c.fam), "%s", family);
	c.typ = TOKEN_ACCESS;
	out->access = auth_issue_token(cfg, &c, cfg->jwt_access_token_expires);
	c.typ = TOKEN_REFRESH;
	out->refresh = auth_issue_token(cfg, &c,
					cfg->jwt_refresh_token_expires);
	if (!out->access || !out->refresh)
		e = ERR_INTERNAL;
	if (e == ERR_OK && !fam)
		e = session_open(r, uid, ver, family, out);
	if (e == ERR_OK) {
		sha256_hex(out->refresh, strlen(out->refresh), digest);
		e = db_exec(r->db, sql[Q_REFRESH_INSERT], DB_P(db_int(uid),
			db_str(family), db_str(digest),
			db_int(cfg->jwt_refresh_token_expires)), NULL);
	}
	free(family);
	if (e != ERR_OK)
		session_release(out);
	return e;
}

static void
reply_tokens(struct req *r, const struct session *s)
{
	json_object *o = req_reply(r);

	json_object_object_add(o, "access_token",
			       json_object_new_string(s->access));
	json_object_object_add(o, "token_type", json_object_new_string("bearer"));
	json_object_object_add(o, "expires_in", json_object_new_int64(
		r->app->cfg.jwt_access_token_expires));
	json_object_object_add(o, "refresh_token",
			       json_object_new_string(s->refresh));
}

/* ---- log-in ------------------------------------------------------------ */

enum login_path { LOGIN_ANY, LOGIN_EMAIL };

struct login_row {
	long long id;
	char hash[AUTH_HASH_MAX];
	enum role role;
	char status[16];
	long long ver;
	bool locked;
	bool found;
};

static enum err
login_lookup(struct req *r, enum login_path path, const char *ident,
	     struct login_row *out)
{
	struct db_rows *row;
	enum err e;

	memset(out, 0, sizeof(*out));
	if (path == LOGIN_EMAIL)
		e = db_row(r->db, sql[Q_FIND_EMAIL], DB_P(db_str(ident)), 6,
			   ERR_OK, &row);
	else
		e = db_row(r->db, sql[Q_FIND_LOGIN], DB_P(db_str(ident),
			   db_str(ident)), 6, ERR_OK, &row);
	if (!row)
		return e;
	out->found = true;
	out->id = db_col_int(row, 0);
	snprintf(out->hash, sizeof(out->hash), "%s", db_col(row, 1));
	out->role = auth_role_parse(db_col(row, 2));
	snprintf(out->status, sizeof(out->status), "%s", db_col(row, 3));
	out->ver = db_col_int(row, 4);
	out->locked = db_col_int(row, 5) != 0;
	db_rows_free(row);
	return ERR_OK;
}

/* Counts a failure and writes it to the audit log, with the lockout when
 * this one reached the threshold (in req_txn).  What was typed as the
 * identifier is never stored: people type passwords there. */
static enum err
login_failed_tx(struct req *r, void *arg)
{
	const struct login_row *u = arg;
	const struct config *cfg = &r->app->cfg;
	json_object *d = NULL;
	long long n;
	char id[32];
	enum err e;

	if (!u->found)
		return audit_write(r->db, r, 0, "login.failure", "user", NULL,
				   NULL);
	snprintf(id, sizeof(id), "%lld", u->id);
	if (u->locked) {
		d = json_object_new_object();
		json_object_object_add(d, "locked", json_object_new_boolean(1));
	}
	e = audit_write(r->db, r, 0, "login.failure", "user", id, d);
	/* Attempts during a lock do not extend it: it ends on time. */
	if (e != ERR_OK || u->locked)
		return e;
	e = db_exec(r->db, sql[Q_LOGIN_FAILED], DB_P(
		db_int(cfg->lockout_window), db_int(cfg->lockout_threshold),
		db_int(cfg->lockout_duration), db_int(u->id)), NULL);
	if (e == ERR_OK)
		e = db_query_int(r->db, sql[Q_FAILED_COUNT], DB_P(db_int(u->id)),
				 ERR_OK, &n);
	if (e == ERR_OK && n == cfg->lockout_threshold)
		e = audit_write(r->db, r, 0, "login.lockout", "user", id, NULL);
	return e;
}

struct login_ok {
	const struct login_row *u;
	struct session *s;
};

/* Clears the failure count, opens the session, audits (in req_txn). */
static enum err
login_ok_tx(struct req *r, void *arg)
{
	struct login_ok *l = arg;
	const struct login_row *u = l->u;
	char id[32];
	enum err e;

	session_release(l->s);
	e = db_exec(r->db, sql[Q_LOGIN_OK], DB_P(db_int(u->id)), NULL);
	if (e == ERR_OK)
		e = session_issue(r, u->id, u->role, u->ver, NULL, l->s);
	if (e != ERR_OK)
		return e;
	snprintf(id, sizeof(id), "%lld", u->id);
	return audit_write(r->db, r, u->id, "login.success", "user", id, NULL);
}

/* Verifies the credentials and opens a session; every failure looks the
 * same from outside (401 "Invalid credentials"), costs one hash, and is
 * counted towards the lockout.  The hash is checked before any
 * transaction begins: nothing is locked while it runs. */
static enum err
login(struct req *r, enum login_path path, const char *ident,
      const char *password, struct login_row *u, struct session *s)
{
	struct login_ok l = { u, s };
	enum err e;
	bool ok;

	memset(s, 0, sizeof(*s));
	e = login_lookup(r, path, ident, u);
	if (e != ERR_OK)
		return e;
	ok = auth_verify_password(password, u->found ? u->hash : NULL);
	if (!ok || u->locked) {
		e = req_txn(r, login_failed_tx, u);
		return e == ERR_OK ? ERR_BAD_CREDENTIALS : e;
	}
	if (!strcmp(u->status, "pending"))
		return ERR_ACCOUNT_PENDING;
	if (strcmp(u->status, "active"))
		return ERR_ACCOUNT_DISABLED;
	e = req_txn(r, login_ok_tx, &l);
	if (e != ERR_OK)
		session_release(s);
	return e;
}

enum { L_IDENT, L_PASSWORD };

enum login_names { NAMES_PLAIN, NAMES_HAAS };

/* The two JSON log-in paths: the route's spec names the identifier and
 * password fields; the reply carries the tokens, the caller's id and role,
 * and for the HaaS frontend also "token" and "userId". */
static enum err
login_json(struct req *r, enum login_path path, enum login_names names)
{
	const struct field_value *v = r->vals;
	struct login_row u;
	struct session s;
	json_object *o;
	enum err e = login(r, path, v[L_IDENT].s, v[L_PASSWORD].s, &u, &s);

	if (e != ERR_OK)
		return e;
	o = req_reply(r);
	json_object_object_add(o, "message",
			       json_object_new_string("Login successful"));
	reply_tokens(r, &s);
	/* A browser signing in gets the session as an HttpOnly cookie too:
	 * the app never needs to keep a token. */
	req_header(r, "Set-Cookie", auth_cookie_header(r, s.family, s.cookie,
		   r->app->cfg.jwt_refresh_token_expires));
	json_object_object_add(o, "user_id", json_id(u.id));
	json_object_object_add(o, "role",
			       json_object_new_string(auth_role_name(u.role)));
	if (names == NAMES_HAAS) {
		json_object_object_add(o, "token",
				       json_object_new_string(s.access));
		json_object_object_add(o, "userId", json_id(u.id));
	}
	session_release(&s);
	return ERR_OK;
}

/* POST /api/auth/login: the HaaS seed; username may also be an email. */
static const struct field login_haas_spec[] = {
	[L_IDENT] = { "username", FT_STRING, F_REQUIRED | F_TRIM, .max = 254,
		      .missing = ERR_SIGNUP_REQUIRED },
	[L_PASSWORD] = { "password", FT_STRING, F_REQUIRED, .max = 1024,
			 .missing = ERR_SIGNUP_REQUIRED },
};

static enum err
accounts_login(struct req *r)
{
	return login_json(r, LOGIN_ANY, NAMES_HAAS);
}

/* POST /api/users/login (seeds 002, 003 and 004) and the ElectroPorts
 * site's POST /login: by email. */
static const struct field login_email_spec[] = {
	[L_IDENT] = { "email", FT_STRING, F_REQUIRED | F_TRIM, .max = 254,
		      .missing = ERR_LOGIN_REQUIRED },
	[L_PASSWORD] = { "password", FT_STRING, F_REQUIRED, .max = 1024,
			 .missing = ERR_LOGIN_REQUIRED },
};

static enum err
accounts_login_email(struct req *r)
{
	return login_json(r, LOGIN_EMAIL, NAMES_PLAIN);
}

enum { T_USERNAME, T_PASSWORD, T_GRANT };

/* POST /api/auth/token: the OAuth2 password grant FastAPI clients send. */
static const struct field token_spec[] = {
	[T_USERNAME] = { "username", FT_STRING, F_REQUIRED | F_TRIM,
			 .max = 254, .missing = ERR_BAD_CREDENTIALS },
	[T_PASSWORD] = { "password", FT_STRING, F_REQUIRED, .max = 1024,
			 .missing = ERR_BAD_CREDENTIALS },
	[T_GRANT] = { "grant_type", FT_STRING, 0, .max = 32 },
};

static enum err
accounts_token(struct req *r)
{
	const struct field_value *v = r->vals;
	struct login_row u;
	struct session s;
	enum err e = ERR_OK;

	if (v[T_GRANT].set && v[T_GRANT].len &&
	    strcmp(v[T_GRANT].s, "password"))
		e = ERR_GRANT_TYPE;
	if (e == ERR_OK)
		e = login(r, LOGIN_ANY, v[T_USERNAME].s, v[T_PASSWORD].s, &u,
			  &s);
	if (e == ERR_BAD_CREDENTIALS)
		req_header(r, "WWW-Authenticate", "Bearer");
	if (e != ERR_OK)
		return e;
	reply_tokens(r, &s);
	session_release(&s);
	return ERR_OK;
}

/* ---- sign-up ----------------------------------------------------------- */

struct signup {
	struct new_account a;
	const char *message;
	long long id;
};

/* The account and its audit entry, in one transaction (in req_txn). */
static enum err
signup_tx(struct req *r, void *arg)
{
	struct signup *u = arg;
	char sid[32];
	enum err e = accounts_create(r->db, r, &u->a, &u->id);

	if (e != ERR_OK)
		return e;
	snprintf(sid, sizeof(sid), "%lld", u->id);
	return audit_write(r->db, r, u->id, "user.signup", "user", sid, NULL);
}

static enum err
signup(struct req *r, struct signup *u)
{
	json_object *o;
	enum err e = req_txn(r, signup_tx, u);

	if (e != ERR_OK)
		return e;
	o = req_reply(r);
	json_object_object_add(o, "message", json_object_new_string(u->message));
	json_object_object_add(o, "user_id", json_id(u->id));
	return ERR_OK;
}

enum { S_USERNAME, S_PASSWORD };

/* POST /api/auth/signup (HaaS seed). */
static const struct field signup_spec[] = {
	[S_USERNAME] = { "username", FT_STRING, F_REQUIRED | F_TRIM, .max = 64,
			 .missing = ERR_SIGNUP_REQUIRED },
	[S_PASSWORD] = { "password", FT_STRING, F_REQUIRED, .max = 1024,
			 .missing = ERR_SIGNUP_REQUIRED },
};

static enum err
accounts_signup(struct req *r)
{
	const struct field_value *v = r->vals;
	struct signup u = { .a.role = ROLE_USER,
			    .message = "User created successfully" };
	enum err e;

	u.a.username = v[S_USERNAME].s;
	u.a.password = v[S_PASSWORD].s;
	e = signup(r, &u);
	if (e == ERR_USERNAME_TAKEN || e == ERR_EMAIL_TAKEN)
		return ERR_USER_EXISTS;
	return e;
}

enum { R_EMAIL, R_PASSWORD, R_NAME, R_USERNAME };

/* POST /api/users/register (seeds 002, 003, 004). */
static const struct field register_spec[] = {
	[R_EMAIL] = { "email", FT_STRING, F_REQUIRED | F_TRIM, .max = 254,
		      .missing = ERR_REGISTER_REQUIRED },
	[R_PASSWORD] = { "password", FT_STRING, F_REQUIRED, .max = 1024,
			 .missing = ERR_REGISTER_REQUIRED },
	[R_NAME] = { "name", FT_STRING, F_TRIM, .max = 200 },
	[R_USERNAME] = { "username", FT_STRING, F_TRIM, .max = 64 },
};

static enum err
accounts_register(struct req *r)
{
	const struct field_value *v = r->vals;
	struct signup u = { .a.role = ROLE_USER,
			    .message = "User registered successfully" };

	if (!v[R_NAME].len && !v[R_USERNAME].len)
		return ERR_REGISTER_REQUIRED;
	u.a.email = v[R_EMAIL].s;
	u.a.password = v[R_PASSWORD].s;
	u.a.name = v[R_NAME].len ? v[R_NAME].s : v[R_USERNAME].s;
	u.a.username = v[R_USERNAME].len ? v[R_USERNAME].s : NULL;
	return signup(r, &u);
}

/* ---- refresh, logout, reset ------------------------------------------- */

struct refresh_row {
	long long id, user_id;
	char family[48];
	bool rotated, revoked, expired, found;
};

static enum err
refresh_lookup(struct req *r, const char *token, struct refresh_row *out)
{
	struct db_rows *row;
	char digest[65];
	enum err e;

	memset(out, 0, sizeof(*out));
	sha256_hex(token, strlen(token), digest);
	e = db_row(r->db, sql[Q_REFRESH_FIND], DB_P(db_str(digest)), 6, ERR_OK,
		   &row);
	if (!row)
		return e;
	out->found = true;
	out->id = db_col_int(row, 0);
	out->user_id = db_col_int(row, 1);
	snprintf(out->family, sizeof(out->family), "%s", db_col(row, 2));
	out->rotated = db_col_int(row, 3);
	out->revoked = db_col_int(row, 4);
	out->expired = db_col_int(row, 5);
	db_rows_free(row);
	return ERR_OK;
}

/* A rotated token came back: someone holds a copy.  End the session. */
static enum err
family_revoke(struct req *r, const struct refresh_row *t, const char *why)
{
	json_object *d;
	char uid[32];
	enum err e = accounts_end_session(r->db, t->family);

	if (e != ERR_OK)
		return e;
	d = json_object_new_object();
	json_object_object_add(d, "reason", json_object_new_string(why));
	snprintf(uid, sizeof(uid), "%lld", t->user_id);
	return audit_write(r->db, r, t->user_id, "token.family_revoked",
			   "user", uid, d);
}

static enum err
user_state(struct req *r, long long id, enum role *role, long long *ver)
{
	struct db_rows *row;
	enum err e = db_row(r->db, sql[Q_USER_STATE], DB_P(db_int(id)), 3,
			    ERR_REFRESH_INVALID, &row);

	if (!row)
		return e;
	e = ERR_REFRESH_INVALID;
	if (!strcmp(db_col(row, 1), "active")) {
		*role = auth_role_parse(db_col(row, 0));
		*ver = db_col_int(row, 2);
		e = ERR_OK;
	}
	db_rows_free(row);
	return e;
}

/* Checks t (locked FOR UPDATE), rotates it, issues the next pair of the
 * same session. */
static enum err
refresh_rotate(struct req *r, const struct token_claims *c,
	       const struct refresh_row *t, struct session *s)
{
	struct db_result res;
	enum role role = ROLE_NONE;
	long long ver = -1;
	enum err e;

	if (!t->found || t->revoked || t->expired || t->user_id != c->sub)
		return ERR_REFRESH_INVALID;
	if (t->rotated) {
		e = family_revoke(r, t, "rotated refresh token reused");
		return e == ERR_OK ? ERR_REFRESH_INVALID : e;
	}
	e = user_state(r, t->user_id, &role, &ver);
	if (e == ERR_OK && ver != c->ver)
		e = ERR_REFRESH_INVALID;
	if (e != ERR_OK)
		return e;
	e = db_exec(r->db, sql[Q_REFRESH_ROTATE], DB_P(db_int(t->id)), &res);
	if (e == ERR_OK && res.affected != 1)
		e = ERR_REFRESH_INVALID;
	if (e == ERR_OK)
		e = session_issue(r, t->user_id, role, ver, t->family, s);
	return e;
}

struct refresh {
	const char *token;
	struct token_claims c;
	struct session s;
	enum err outcome;	/* ERR_OK or ERR_REFRESH_INVALID */
};

/* One rotation (in req_txn).  A refused token still commits: a session
 * ended by reuse detection must stay ended though the request fails. */
static enum err
refresh_tx(struct req *r, void *arg)
{
	struct refresh *f = arg;
	struct refresh_row t;
	enum err e;

	session_release(&f->s);
	e = refresh_lookup(r, f->token, &t);
	if (e == ERR_OK)
		e = refresh_rotate(r, &f->c, &t, &f->s);
	f->outcome = e;
	return e == ERR_REFRESH_INVALID ? ERR_OK : e;
}

enum { F_REFRESH };

static const struct field refresh_spec[] = {
	[F_REFRESH] = { "refresh_token", FT_STRING, F_REQUIRED | F_TRIM,
			.max = 4096 },
};

/* POST /api/auth/refresh: rotation with reuse detection. */
static enum err
accounts_refresh(struct req *r)
{
	const struct field_value *v = r->vals;
	struct refresh f = { 0 };
	enum err e;

	f.token = v[F_REFRESH].s;
	if (auth_verify_token(&r->app->cfg, f.token, TOKEN_REFRESH, &f.c))
		return ERR_REFRESH_INVALID;
	e = req_txn(r, refresh_tx, &f);
	if (e == ERR_OK)
		e = f.outcome;
	if (e == ERR_OK)
		reply_tokens(r, &f.s);
	session_release(&f.s);
	return e;
}

struct logout {
	const char *family;	/* NULL: every session of the caller */
};

static enum err
logout_tx(struct req *r, void *arg)
{
	const struct logout *l = arg;
	char uid[32];
	enum err e;

	snprintf(uid, sizeof(uid), "%lld", r->user.id);
	if (!l->family) {
		e = accounts_revoke_all(r->db, r->user.id);
		return e != ERR_OK ? e : audit_write(r->db, r, r->user.id,
			"logout.all", "user", uid, NULL);
	}
	e = accounts_end_session(r->db, l->family);
	return e != ERR_OK ? e : audit_write(r->db, r, r->user.id, "logout",
					     "user", uid, NULL);
}

/* The session a refresh token in the body belongs to (it must be the
 * caller's). */
static enum err
logout_family(struct req *r, const char *token, const char **family)
{
	struct token_claims c;
	struct refresh_row t;
	enum err e;

	if (auth_verify_token(&r->app->cfg, token, TOKEN_REFRESH, &c) ||
	    c.sub != r->user.id)
		return ERR_REFRESH_INVALID;
	e = refresh_lookup(r, token, &t);
	if (e == ERR_OK && !t.found)
		e = ERR_REFRESH_INVALID;
	if (e == ERR_OK)
		*family = req_strdup(r, t.family);
	return e;
}

enum { O_REFRESH, O_ALL };

/* POST /api/auth/logout: ends the session the refresh token belongs to,
 * or without one the session of the access token used; {"all": true}
 * ends every session of the caller. */
static const struct field logout_spec[] = {
	[O_REFRESH] = { "refresh_token", FT_STRING, F_TRIM, .max = 4096 },
	[O_ALL] = { "all", FT_BOOL, 0 },
};

static enum err
accounts_logout(struct req *r)
{
	const struct field_value *v = r->vals;
	struct logout l = { r->user.session };
	enum err e = ERR_OK;

	if (v[O_ALL].i)
		l.family = NULL;
	else if (v[O_REFRESH].len)
		e = logout_family(r, v[O_REFRESH].s, &l.family);
	if (e == ERR_OK)
		e = req_txn(r, logout_tx, &l);
	if (e != ERR_OK)
		return e;
	json_object_object_add(req_reply(r), "message",
			       json_object_new_string("Logged out successfully"));
	if (!l.family || (r->user.session && !strcmp(l.family, r->user.session)))
		req_header(r, "Set-Cookie", auth_cookie_header(r, NULL, NULL, 0));
	return ERR_OK;
}

enum { P_CURRENT, P_NEW, P_CONFIRM };

static enum err
password_check_current(struct req *r, const char *current, char **username,
		       char **email)
{
	struct db_rows *row;
	const char *u, *m;
	enum err e = db_row(r->db, sql[Q_PASSWORD_GET],
			    DB_P(db_int(r->user.id)), 3, ERR_CURRENT_PASSWORD,
			    &row);

	if (!row)
		return e;
	e = ERR_CURRENT_PASSWORD;
	if (auth_verify_password(current, db_col(row, 0))) {
		u = db_col(row, 1);
		m = db_col(row, 2);
		*username = u ? req_strdup(r, u) : NULL;
		*email = m ? req_strdup(r, m) : NULL;
		e = ERR_OK;
	}
	db_rows_free(row);
	return e;
}

/* The member changes their own password: every other session ends; the
 * browser session they are using stays (bearer tokens, which carry the
 * old token version, end too). */
static enum err
reset_tx(struct req *r, void *arg)
{
	const char *password = arg;
	char uid[32];
	enum err e = accounts_set_password(r->db, r, r->user.id, password,
		r->user.by_cookie ? r->user.session : NULL);

	snprintf(uid, sizeof(uid), "%lld", r->user.id);
	return e != ERR_OK ? e : audit_write(r->db, r, r->user.id,
		"password.reset", "user", uid, NULL);
}

/* POST /api/users/reset-password: every session ends, this one too. */
static const struct field password_spec[] = {
	[P_CURRENT] = { "currentPassword", FT_STRING, F_REQUIRED, .max = 1024,
			.missing = ERR_PASSWORD_FIELDS },
	[P_NEW] = { "newPassword", FT_STRING, F_REQUIRED, .max = 4096,
		    .missing = ERR_PASSWORD_FIELDS },
	[P_CONFIRM] = { "confirmPassword", FT_STRING, F_REQUIRED, .max = 4096,
			.missing = ERR_PASSWORD_FIELDS },
};

static enum err
accounts_reset_password(struct req *r)
{
	const struct field_value *v = r->vals;
	char *username = NULL, *email = NULL;
	enum err e;

	if (strcmp(v[P_NEW].s, v[P_CONFIRM].s))
		return field_err(r, ERR_PASSWORD_MISMATCH, "confirmPassword");
	e = password_check_current(r, v[P_CURRENT].s, &username, &email);
	if (e == ERR_CURRENT_PASSWORD)
		return field_err(r, e, "currentPassword");
	if (e == ERR_OK && accounts_check_password(r, v[P_NEW].s, username,
						   email) != ERR_OK)
		return field_err(r, ERR_PASSWORD_WEAK, "newPassword");
	if (e == ERR_OK)
		e = req_txn(r, reset_tx, (void *)v[P_NEW].s);
	if (e == ERR_OK)
		json_object_object_add(req_reply(r), "message",
				       json_object_new_string("Password reset successfully"));
	return e;
}

enum { E_USERNAME, E_EMAIL, E_PASSWORD, E_CONFIRM };

/* POST /register on an ElectroPorts site: {username, email, password,
 * confirmPassword} -> {"ok": true}; the same account rules. */
static const struct field register_ep_spec[] = {
	[E_USERNAME] = { "username", FT_STRING, F_REQUIRED | F_TRIM, .max = 64,
			 .missing = ERR_REGISTER_REQUIRED },
	[E_EMAIL] = { "email", FT_STRING, F_REQUIRED | F_TRIM, .max = 254,
		      .missing = ERR_REGISTER_REQUIRED },
	[E_PASSWORD] = { "password", FT_STRING, F_REQUIRED, .max = 1024,
			 .missing = ERR_REGISTER_REQUIRED },
	[E_CONFIRM] = { "confirmPassword", FT_STRING, 0, .max = 1024 },
};

static enum err
accounts_register_ep(struct req *r)
{
	const struct field_value *v = r->vals;
	struct signup u = { .a.role = ROLE_USER,
			    .message = "User registered successfully" };
	enum err e;

	if (v[E_CONFIRM].set && strcmp(v[E_CONFIRM].s, v[E_PASSWORD].s))
		return field_err(r, ERR_PASSWORD_MISMATCH, "confirmPassword");
	u.a.username = v[E_USERNAME].s;
	u.a.email = v[E_EMAIL].s;
	u.a.name = v[E_USERNAME].s;
	u.a.password = v[E_PASSWORD].s;
	e = signup(r, &u);
	if (e == ERR_OK)
		json_object_object_add(req_reply(r), "ok",
				       json_object_new_boolean(1));
	return e;
}

/* ---- forgotten passwords and addresses to verify ---------------------- */

/* The one answer to a forgotten password, whatever the address. */
static const char forgot_answer[] =
	"If an account uses this address, a link to choose a new password"
	" is on its way to it.";

/* A reset mail for the active account at email, if there is one and it
 * had fewer than MAILS_PER_HOUR within the hour (in req_txn).  An unknown
 * address costs the same lookup, count and audit entry; nothing else
 * differs but the rows written. */
static enum err
forgot_tx(struct req *r, void *arg)
{
	const char *email = arg;
	long long uid = 0, n = 0;
	json_object *d = NULL;
	enum err e = db_query_int(r->db, sql[Q_FORGOT_FIND],
				  DB_P(db_str(email)), ERR_OK, &uid);

	if (e == ERR_OK)
		e = mails_recent(r->db, uid, "reset", &n);
	if (e == ERR_OK && uid && n < MAILS_PER_HOUR)
		e = token_mail(r->db, &r->app->cfg, uid, NK_ACCOUNT_RESET,
			       NULL);
	else if (uid) {
		d = json_object_new_object();
		json_object_object_add(d, "limited", json_object_new_boolean(1));
	}
	if (e != ERR_OK) {
		json_object_put(d);
		return e;
	}
	return audit_write(r->db, r, 0, "password.forgot", "user",
			   uid ? req_printf(r, "%lld", uid) : NULL, d);
}

enum { G_EMAIL };

/* POST /api/password/forgot: 202 and one sentence, whatever the address. */
static const struct field forgot_spec[] = {
	[G_EMAIL] = { "email", FT_STRING, F_REQUIRED | F_TRIM, .max = 254 },
};

static enum err
accounts_forgot(struct req *r)
{
	const struct field_value *v = r->vals;
	char *email;
	enum err e;

	if (!accounts_email_valid(v[G_EMAIL].s))
		return field_err(r, ERR_EMAIL_INVALID, "email");
	email = req_strdup(r, v[G_EMAIL].s);
	ascii_lower(email);
	e = req_txn(r, forgot_tx, email);
	if (e == ERR_OK)
		json_object_object_add(req_reply(r), "message",
				       json_object_new_string(forgot_answer));
	return e;
}

struct token_use {
	const char *token;
	const char *password;	/* reset only */
	char *email;		/* verify: the address confirmed */
};

/* Sets the password the token's owner chose: every reset token of theirs
 * is used up, every session ends, a lockout is lifted (in req_txn).  A
 * password the policy refuses leaves the token as it was. */
static enum err
reset_token_tx(struct req *r, void *arg)
{
	const struct token_use *t = arg;
	struct db_rows *row;
	char digest[65], uid_s[32];
	long long uid;
	enum err e;

	sha256_hex(t->token, strlen(t->token), digest);
	e = db_row(r->db, sql[Q_RESET_FIND], DB_P(db_str(digest)), 3,
		   ERR_RESET_TOKEN, &row);
	if (!row)
		return e == ERR_RESET_TOKEN ? field_err(r, e, "token") : e;
	uid = db_col_int(row, 0);
	e = accounts_check_password(r, t->password, db_col(row, 1),
				    db_col(row, 2));
	db_rows_free(row);
	if (e != ERR_OK)
		return field_err(r, e, "password");
	e = accounts_set_password(r->db, r, uid, t->password, NULL);
	if (e == ERR_OK)
		e = db_exec(r->db, sql[Q_TOKENS_USE], DB_P(db_int(uid),
			    db_str("reset")), NULL);
	if (e == ERR_OK)
		e = db_exec(r->db, sql[Q_LOGIN_OK], DB_P(db_int(uid)), NULL);
	snprintf(uid_s, sizeof(uid_s), "%lld", uid);
	return e != ERR_OK ? e : audit_write(r->db, r, uid,
		"password.reset_by_mail", "user", uid_s, NULL);
}

enum { X_TOKEN, X_PASSWORD };

/* POST /api/password/reset {token, password}. */
static const struct field reset_spec[] = {
	[X_TOKEN] = { "token", FT_STRING, F_REQUIRED | F_TRIM, .max = 200 },
	[X_PASSWORD] = { "password", FT_STRING, F_REQUIRED, .max = 4096 },
};

static enum err
accounts_reset_by_token(struct req *r)
{
	const struct field_value *v = r->vals;
	struct token_use t;
	enum err e;

	t = (struct token_use){ v[X_TOKEN].s, v[X_PASSWORD].s, NULL };
	e = req_txn(r, reset_token_tx, &t);
	if (e == ERR_OK)
		json_object_object_add(req_reply(r), "message",
			json_object_new_string("Your password is changed."
				" Sign in with it."));
	return e;
}

/* Marks the account's address verified, if the token still names it (in
 * req_txn). */
static enum err
verify_tx(struct req *r, void *arg)
{
	struct token_use *t = arg;
	struct db_rows *row;
	char digest[65], uid_s[32];
	long long uid;
	enum err e;

	sha256_hex(t->token, strlen(t->token), digest);
	e = db_row(r->db, sql[Q_VERIFY_FIND], DB_P(db_str(digest)), 2,
		   ERR_VERIFY_TOKEN, &row);
	if (!row)
		return e == ERR_VERIFY_TOKEN ? field_err(r, e, "token") : e;
	uid = db_col_int(row, 0);
	t->email = req_strdup(r, db_col(row, 1));
	db_rows_free(row);
	e = db_exec(r->db, sql[Q_VERIFY_SET], DB_P(db_int(uid)), NULL);
	if (e == ERR_OK)
		e = db_exec(r->db, sql[Q_TOKENS_USE], DB_P(db_int(uid),
			    db_str("verify")), NULL);
	snprintf(uid_s, sizeof(uid_s), "%lld", uid);
	return e != ERR_OK ? e : audit_write(r->db, r, uid, "email.verified",
					     "user", uid_s, NULL);
}

/* POST /api/email/verify {token}: the token is the proof. */
static const struct field verify_spec[] = {
	[X_TOKEN] = { "token", FT_STRING, F_REQUIRED | F_TRIM, .max = 200 },
};

static enum err
accounts_verify(struct req *r)
{
	const struct field_value *v = r->vals;
	struct token_use t = { 0 };
	json_object *o;
	enum err e;

	t.token = v[X_TOKEN].s;
	e = req_txn(r, verify_tx, &t);
	if (e != ERR_OK)
		return e;
	o = req_reply(r);
	json_object_object_add(o, "message", json_object_new_string(
		"Your e-mail address is confirmed."));
	json_object_object_add(o, "email", json_object_new_string(t.email));
	return ERR_OK;
}

/* A new verify mail to the caller's unverified address (in req_txn). */
static enum err
resend_tx(struct req *r, void *arg)
{
	char **email = arg;
	struct db_rows *row;
	long long n = 0;
	bool verified;
	enum err e = db_row(r->db, sql[Q_RESEND_USER],
			    DB_P(db_int(r->user.id)), 2, ERR_USER_NOT_FOUND,
			    &row);

	if (!row)
		return e;
	*email = db_col(row, 0) ? req_strdup(r, db_col(row, 0)) : NULL;
	verified = db_col_int(row, 1) != 0;
	db_rows_free(row);
	if (!*email)
		return ERR_NO_EMAIL;
	if (verified)
		return ERR_EMAIL_VERIFIED;
	e = mails_recent(r->db, r->user.id, "verify", &n);
	if (e == ERR_OK && n >= MAILS_PER_HOUR)
		return ERR_MAIL_LIMIT;
	if (e == ERR_OK)
		e = accounts_verify_start(r->db, &r->app->cfg, r->user.id,
					  *email);
	return e;
}

/* POST /api/email/verify/resend: 202, the link is on its way. */
static enum err
accounts_verify_resend(struct req *r)
{
	char *email = NULL;
	enum err e = req_txn(r, resend_tx, &email);

	if (e != ERR_OK)
		return e;
	json_object_object_add(req_reply(r), "message", json_object_new_string(
		req_printf(r, "A new confirmation link is on its way to %s.",
			   email)));
	return ERR_OK;
}

#define EP PROFILE_BIT(PROFILE_ELECTROPORTS)

/* What a sign-up makes: the account (a self sign-up with an address also
 * starts its verification). */
#define SIGNUP_ERRORS ERR_USERNAME_INVALID, ERR_EMAIL_INVALID, \
	ERR_PASSWORD_WEAK, ERR_USERNAME_TAKEN, ERR_EMAIL_TAKEN
/* What a log-in may answer besides its fields' errors. */
#define LOGIN_ERRORS ERR_BAD_CREDENTIALS, ERR_ACCOUNT_PENDING, \
	ERR_ACCOUNT_DISABLED

const struct schema_def accounts_schemas[] = {
	{ "Tokens", "{access_token: string, token_type: string,"
	  " expires_in: int, refresh_token: string}" },
	/* the email log-in paths (POST /api/users/login, /login) */
	{ "Login", "{message: string, access_token: string,"
	  " token_type: string, expires_in: int, refresh_token: string,"
	  " user_id: id, role: string}" },
	/* POST /api/auth/login: the HaaS frontend's names too */
	{ "LoginHaas", "{message: string, access_token: string,"
	  " token_type: string, expires_in: int, refresh_token: string,"
	  " user_id: id, role: string, token: string, userId: id}" },
	{ NULL, NULL },
};

const struct route accounts_routes[] = {
	/* ElectroPorts' own paths, on its site only */
	{ "POST", "/register", ROLE_NONE, 201, BODY_JSON, accounts_register_ep,
	  "Create an account (ElectroPorts site)", .profiles = EP,
	  ROUTE_FIELDS(register_ep_spec),
	  .reply = "{message: string, user_id: id, ok: bool}",
	  ROUTE_ERRORS(ERR_REGISTER_REQUIRED, ERR_PASSWORD_MISMATCH,
		       SIGNUP_ERRORS) },
	{ "POST", "/login", ROLE_NONE, 200, BODY_JSON, accounts_login_email,
	  "Log in by email (ElectroPorts site)", .profiles = EP,
	  ROUTE_FIELDS(login_email_spec), .reply = "Login",
	  ROUTE_ERRORS(ERR_LOGIN_REQUIRED, LOGIN_ERRORS) },
	{ "POST", "/api/auth/signup", ROLE_NONE, 201, BODY_JSON,
	  accounts_signup, "Create an account by username (HaaS)",
	  ROUTE_FIELDS(signup_spec), .reply = "{message: string, user_id: id}",
	  ROUTE_ERRORS(ERR_SIGNUP_REQUIRED, ERR_USERNAME_INVALID,
		       ERR_PASSWORD_WEAK, ERR_USER_EXISTS) },
	{ "POST", "/api/auth/login", ROLE_NONE, 200, BODY_JSON,
	  accounts_login, "Log in by username or email",
	  ROUTE_FIELDS(login_haas_spec), .reply = "LoginHaas",
	  ROUTE_ERRORS(ERR_SIGNUP_REQUIRED, LOGIN_ERRORS) },
	{ "POST", "/api/auth/token", ROLE_NONE, 200, BODY_FORM,
	  accounts_token, "OAuth2 password grant (form)",
	  ROUTE_FIELDS(token_spec), .reply = "Tokens",
	  ROUTE_ERRORS(ERR_BAD_FORM, ERR_GRANT_TYPE, LOGIN_ERRORS) },
	{ "POST", "/api/auth/refresh", ROLE_NONE, 200, BODY_JSON,
	  accounts_refresh, "Rotate a refresh token",
	  ROUTE_FIELDS(refresh_spec), .reply = "Tokens",
	  ROUTE_ERRORS(ERR_REFRESH_INVALID) },
	{ "POST", "/api/auth/logout", ROLE_USER, 200, BODY_JSON_OPTIONAL,
	  accounts_logout, "End one session, or all with {\"all\": true}",
	  ROUTE_FIELDS(logout_spec), .reply = "{message: string}",
	  ROUTE_ERRORS(ERR_REFRESH_INVALID) },
	{ "POST", "/api/users/register", ROLE_NONE, 201, BODY_JSON,
	  accounts_register, "Create an account by email",
	  ROUTE_FIELDS(register_spec), .reply = "{message: string, user_id: id}",
	  ROUTE_ERRORS(ERR_REGISTER_REQUIRED, SIGNUP_ERRORS) },
	{ "POST", "/api/users/login", ROLE_NONE, 200, BODY_JSON,
	  accounts_login_email, "Log in by email",
	  ROUTE_FIELDS(login_email_spec), .reply = "Login",
	  ROUTE_ERRORS(ERR_LOGIN_REQUIRED, LOGIN_ERRORS) },
	{ "POST", "/api/users/reset-password", ROLE_USER, 200, BODY_JSON,
	  accounts_reset_password, "Change the password; ends every session",
	  ROUTE_FIELDS(password_spec), .reply = "{message: string}",
	  ROUTE_ERRORS(ERR_PASSWORD_FIELDS, ERR_PASSWORD_MISMATCH,
		       ERR_CURRENT_PASSWORD, ERR_PASSWORD_WEAK,
		       ERR_USER_NOT_FOUND) },
	{ "POST", "/api/password/forgot", ROLE_NONE, 202, BODY_JSON,
	  accounts_forgot, "Mail a password reset link (same answer for any"
	  " address)", ROUTE_FIELDS(forgot_spec), .reply = "{message: string}",
	  ROUTE_ERRORS(ERR_EMAIL_INVALID) },
	{ "POST", "/api/password/reset", ROLE_NONE, 200, BODY_JSON,
	  accounts_reset_by_token, "Set a new password with a mailed token;"
	  " ends every session", ROUTE_FIELDS(reset_spec),
	  .reply = "{message: string}",
	  ROUTE_ERRORS(ERR_RESET_TOKEN, ERR_PASSWORD_WEAK, ERR_USER_NOT_FOUND) },
	{ "POST", "/api/email/verify", ROLE_NONE, 200, BODY_JSON,
	  accounts_verify, "Confirm an address with a mailed token",
	  ROUTE_FIELDS(verify_spec), .reply = "{message: string, email: string}",
	  ROUTE_ERRORS(ERR_VERIFY_TOKEN) },
	{ "POST", "/api/email/verify/resend", ROLE_USER, 202, BODY_JSON_OPTIONAL,
	  accounts_verify_resend, "Mail a new confirmation link",
	  .reply = "{message: string}",
	  ROUTE_ERRORS(ERR_USER_NOT_FOUND, ERR_NO_EMAIL, ERR_EMAIL_VERIFIED,
		       ERR_MAIL_LIMIT) },
	{ 0 },
};

/* bb_accounts: every Accounts row of the contract through nginx, with the
 * database checked afterwards. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bb.h"
#include "cunit_main.h"
#include "util.h"

#define PW "Tr0ub4dor&3x"

static const char sql_user_count[] =
	"SELECT COUNT(*) FROM users WHERE username = ?";
static const char sql_hash_is_yescrypt[] =
	"SELECT password_hash LIKE '$y$%' FROM users WHERE id = ?";
static const char sql_status_is[] =
	"SELECT COUNT(*) FROM users WHERE id = ? AND status = ?";
static const char sql_erased[] =
	"SELECT COUNT(*) FROM users WHERE id = ? AND username IS NULL"
	" AND email IS NULL AND name IS NULL AND status = 'deleted'";
static const char sql_audit_count[] =
	"SELECT COUNT(*) FROM audit_log WHERE action = ? AND entity_id = ?";
static const char sql_live_refresh[] =
	"SELECT COUNT(*) FROM refresh_tokens WHERE user_id = ?"
	" AND revoked_at IS NULL AND rotated_at IS NULL";
static const char sql_audit_mentions[] =
	"SELECT COUNT(*) FROM audit_log WHERE details LIKE CONCAT('%', ?, '%')";
static const char sql_set_pending[] =
	"UPDATE users SET status = 'pending' WHERE id = ?";
static const char sql_active_admins[] =
	"SELECT COUNT(*) FROM users WHERE role = 'admin' AND status = 'active'";
static const char sql_set_active[] =
	"UPDATE users SET status = 'active' WHERE id = ?";

static struct bb_resp *
signup(const char *user, const char *pw)
{
	char *b = xasprintf("{\"username\": \"%s\", \"password\": \"%s\"}", user, pw);
	struct bb_resp *r = bb_json("POST", "/api/auth/signup", NULL, b);

	free(b);
	return r;
}

static struct bb_resp *
register_email(const char *email, const char *name, const char *pw)
{
	char *b = xasprintf("{\"email\": \"%s\", \"name\": \"%s\", \"password\": \"%s\"}",
			    email, name, pw);
	struct bb_resp *r = bb_json("POST", "/api/users/register", NULL, b);

	free(b);
	return r;
}

static char *
sid(long long id)
{
	return xasprintf("%lld", id);
}

static void
test_signup(void)
{
	char *u = bb_unique("alice");
	struct bb_resp *r = signup(u, PW);
	long long id;

	CU_ASSERT_EQUAL(r->status, 201);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "message"), "User created successfully");
	id = strtoll(bb_str(r, "user_id"), NULL, 10);
	CU_ASSERT(id > 0);
	CU_ASSERT_EQUAL(bb_db_int(sql_hash_is_yescrypt, DB_P(db_int(id))), 1);
	bb_free(r);

	r = signup(u, PW);
	CU_ASSERT_EQUAL(r->status, 409);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "error"), "User already exists");
	bb_free(r);
	CU_ASSERT_EQUAL(bb_db_int(sql_user_count, DB_P(db_str(u))), 1);

	r = bb_json("POST", "/api/auth/signup", NULL, "{\"username\": \"bob\"}");
	CU_ASSERT_EQUAL(r->status, 400);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "error"), "Username and password are required");
	bb_free(r);
	r = bb_json("POST", "/api/auth/signup", NULL, "{\"password\": \"x\"}");
	CU_ASSERT_EQUAL(r->status, 400);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "error"), "Username and password are required");
	bb_free(r);
	free(u);
}

static void
test_password_policy(void)
{
	char *u = bb_unique("weak");
	struct bb_resp *r;

	r = signup(u, "short");
	CU_ASSERT_EQUAL(r->status, 400);
	CU_ASSERT_PTR_NOT_NULL(strstr(bb_str(r, "error"), "8 characters"));
	bb_free(r);
	r = signup(u, "password123");
	CU_ASSERT_EQUAL(r->status, 400);
	CU_ASSERT_PTR_NOT_NULL(strstr(bb_str(r, "error"), "common"));
	bb_free(r);
	r = signup(u, u);
	CU_ASSERT_EQUAL(r->status, 400);
	bb_free(r);
	CU_ASSERT_EQUAL(bb_db_int(sql_user_count, DB_P(db_str(u))), 0);
	free(u);
}

/* One account, four seeds' log-in paths. */
static void
test_login_everywhere(void)
{
	char *u = bb_unique("multi"), *email = xasprintf("%s@Example.org", u);
	char *b, *form;
	struct bb_resp *r;

	r = register_email(email, "Multi Path", PW);
	CU_ASSERT_EQUAL(r->status, 201);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "message"), "User registered successfully");
	CU_ASSERT(strlen(bb_str(r, "user_id")) > 0);
	bb_free(r);

	/* /api/users/login by email, case-insensitively */
	ascii_lower(email);
	b = xasprintf("{\"email\": \"%s\", \"password\": \"%s\"}", email, PW);
	r = bb_json("POST", "/api/users/login", NULL, b);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "message"), "Login successful");
	CU_ASSERT(strlen(bb_str(r, "access_token")) > 20);
	CU_ASSERT(strlen(bb_str(r, "refresh_token")) > 20);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "role"), "user");
	bb_free(r);
	free(b);

	/* /api/auth/login with the email as username; HaaS frontend fields */
	r = bb_login(email, PW);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "token_type"), "bearer");
	CU_ASSERT_STRING_EQUAL(bb_str(r, "token"), bb_str(r, "access_token"));
	CU_ASSERT_STRING_EQUAL(bb_str(r, "userId"), bb_str(r, "user_id"));
	CU_ASSERT(json_object_get_int(json_object_object_get(r->json, "expires_in")) > 0);
	bb_free(r);

	/* OAuth2 password grant, form encoded */
	form = xasprintf("grant_type=password&username=%s&password=%s", email,
			 "Tr0ub4dor%263x");
	r = bb_req("POST", "/api/auth/token", NULL,
		   "application/x-www-form-urlencoded", form, strlen(form), NULL);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "token_type"), "bearer");
	CU_ASSERT(strlen(bb_str(r, "access_token")) > 20);
	{
		struct bb_resp *me = bb_get("/api/users/me", bb_str(r, "access_token"));

		CU_ASSERT_EQUAL(me->status, 200);
		CU_ASSERT_STRING_EQUAL(bb_str(me, "email"), email);
		CU_ASSERT_STRING_EQUAL(bb_str(me, "name"), "Multi Path");
		bb_free(me);
	}
	bb_free(r);
	free(form);

	form = xasprintf("username=%s&password=wrong-password", email);
	r = bb_req("POST", "/api/auth/token", NULL,
		   "application/x-www-form-urlencoded", form, strlen(form), NULL);
	CU_ASSERT_EQUAL(r->status, 401);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "error"), "Invalid credentials");
	CU_ASSERT_STRING_EQUAL(bb_header(r, "WWW-Authenticate"), "Bearer");
	bb_free(r);
	free(form);

	r = register_email(email, "Again", PW);
	CU_ASSERT_EQUAL(r->status, 409);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "error"), "Email is already taken");
	bb_free(r);
	r = register_email("not-an-email", "X", PW);
	CU_ASSERT_EQUAL(r->status, 400);
	bb_free(r);
	r = bb_json("POST", "/api/users/login", NULL, "{\"email\": \"\"}");
	CU_ASSERT_EQUAL(r->status, 400);
	bb_free(r);
	free(email);
	free(u);
}

static void
test_bad_credentials(void)
{
	char *u = bb_unique("cred");
	struct bb_resp *r = signup(u, PW);

	bb_free(r);
	r = bb_login(u, "wrong-password");
	CU_ASSERT_EQUAL(r->status, 401);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "error"), "Invalid credentials");
	bb_free(r);
	/* People type passwords into the name field: what was typed for an
	 * unknown account is not kept in the audit log. */
	free(u);
	u = bb_unique("Typ3d-Passw0rd");
	r = bb_login(u, PW);
	CU_ASSERT_EQUAL(r->status, 401);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "error"), "Invalid credentials");
	bb_free(r);
	CU_ASSERT_EQUAL(bb_db_int(sql_audit_mentions, DB_P(db_str(u))), 0);
	free(u);
}

/* GET /api/users/me with token: its status. */
static long
me_status(const char *token)
{
	struct bb_resp *r = bb_get("/api/users/me", token);
	long status = r->status;

	bb_free(r);
	return status;
}

static void
test_refresh_rotation(void)
{
	char *u = bb_unique("rot"), *r1, *r2, *a1, *a2, *b;
	struct bb_resp *r = signup(u, PW);
	long long id = strtoll(bb_str(r, "user_id"), NULL, 10);

	bb_free(r);
	r = bb_login(u, PW);
	r1 = xstrdup(bb_str(r, "refresh_token"));
	a1 = xstrdup(bb_str(r, "access_token"));
	bb_free(r);

	b = xasprintf("{\"refresh_token\": \"%s\"}", r1);
	r = bb_json("POST", "/api/auth/refresh", NULL, b);
	CU_ASSERT_EQUAL(r->status, 200);
	r2 = xstrdup(bb_str(r, "refresh_token"));
	a2 = xstrdup(bb_str(r, "access_token"));
	CU_ASSERT(strcmp(r1, r2) != 0);
	CU_ASSERT(strlen(a2) > 20);
	bb_free(r);
	CU_ASSERT_EQUAL(me_status(a2), 200);

	/* the rotated token comes back: the whole session dies, and with it
	 * every access token minted in it, the thief's included */
	r = bb_json("POST", "/api/auth/refresh", NULL, b);
	CU_ASSERT_EQUAL(r->status, 401);
	bb_free(r);
	CU_ASSERT_EQUAL(me_status(a1), 401);
	CU_ASSERT_EQUAL(me_status(a2), 401);
	free(a1);
	free(a2);
	free(b);
	b = xasprintf("{\"refresh_token\": \"%s\"}", r2);
	r = bb_json("POST", "/api/auth/refresh", NULL, b);
	CU_ASSERT_EQUAL(r->status, 401);
	bb_free(r);
	CU_ASSERT_EQUAL(bb_db_int(sql_live_refresh, DB_P(db_int(id))), 0);
	{
		char *s = sid(id);

		CU_ASSERT(bb_db_int(sql_audit_count,
				    DB_P(db_str("token.family_revoked"), db_str(s))) >= 1);
		free(s);
	}
	/* an access token is no refresh token */
	r = bb_login(u, PW);
	free(b);
	b = xasprintf("{\"refresh_token\": \"%s\"}", bb_str(r, "access_token"));
	bb_free(r);
	r = bb_json("POST", "/api/auth/refresh", NULL, b);
	CU_ASSERT_EQUAL(r->status, 401);
	bb_free(r);
	free(b);
	free(r1);
	free(r2);
	free(u);
}

/* Logs u in; *refresh (may be NULL) gets the refresh token.  Returns the
 * access token; caller frees both. */
static char *
session_open(const char *u, char **refresh)
{
	struct bb_resp *r = bb_login(u, PW);
	char *access = xstrdup(bb_str(r, "access_token"));

	if (refresh)
		*refresh = xstrdup(bb_str(r, "refresh_token"));
	bb_free(r);
	return access;
}

static long
logout(const char *access, const char *body)
{
	struct bb_resp *r = bb_json("POST", "/api/auth/logout", access, body);
	long status = r->status;

	bb_free(r);
	return status;
}

static void
test_logout(void)
{
	char *u = bb_unique("bye"), *access, *other, *refresh, *b;
	struct bb_resp *r = signup(u, PW);

	bb_free(r);
	/* ending a session by its refresh token ends its access token at
	 * once, not at exp; another session of the user stands */
	access = session_open(u, &refresh);
	other = session_open(u, NULL);
	b = xasprintf("{\"refresh_token\": \"%s\"}", refresh);
	CU_ASSERT_EQUAL(logout(access, b), 200);
	CU_ASSERT_EQUAL(me_status(access), 401);
	CU_ASSERT_EQUAL(me_status(other), 200);
	r = bb_json("POST", "/api/auth/refresh", NULL, b);
	CU_ASSERT_EQUAL(r->status, 401);
	bb_free(r);
	CU_ASSERT_EQUAL(logout(NULL, b), 401);
	free(access);
	/* without a body: the session of the access token used */
	access = session_open(u, NULL);
	CU_ASSERT_EQUAL(logout(access, NULL), 200);
	CU_ASSERT_EQUAL(me_status(access), 401);
	CU_ASSERT_EQUAL(me_status(other), 200);
	free(access);
	/* logout everywhere ends every session */
	access = session_open(u, NULL);
	CU_ASSERT_EQUAL(logout(access, "{\"all\": true}"), 200);
	CU_ASSERT_EQUAL(me_status(access), 401);
	CU_ASSERT_EQUAL(me_status(other), 401);
	free(b);
	free(access);
	free(other);
	free(refresh);
	free(u);
}

static void
test_reset_password(void)
{
	char *u = bb_unique("reset"), *access, *refresh, *b;
	struct bb_resp *r = signup(u, PW);

	bb_free(r);
	r = bb_login(u, PW);
	access = xstrdup(bb_str(r, "access_token"));
	refresh = xstrdup(bb_str(r, "refresh_token"));
	bb_free(r);

	r = bb_json("POST", "/api/users/reset-password", NULL,
		    "{\"currentPassword\": \"a\", \"newPassword\": \"b\", \"confirmPassword\": \"b\"}");
	CU_ASSERT_EQUAL(r->status, 401);
	bb_free(r);
	r = bb_json("POST", "/api/users/reset-password", access,
		    "{\"currentPassword\": \"nope-nope\", \"newPassword\": \"N3w-passphrase!\", \"confirmPassword\": \"N3w-passphrase!\"}");
	CU_ASSERT_EQUAL(r->status, 401);
	bb_free(r);
	r = bb_json("POST", "/api/users/reset-password", access,
		    "{\"currentPassword\": \"" PW "\", \"newPassword\": \"N3w-passphrase!\", \"confirmPassword\": \"other-thing!\"}");
	CU_ASSERT_EQUAL(r->status, 400);
	bb_free(r);
	r = bb_json("POST", "/api/users/reset-password", access,
		    "{\"currentPassword\": \"" PW "\"}");
	CU_ASSERT_EQUAL(r->status, 400);
	bb_free(r);
	r = bb_json("POST", "/api/users/reset-password", access,
		    "{\"currentPassword\": \"" PW "\", \"newPassword\": \"N3w-passphrase!\", \"confirmPassword\": \"N3w-passphrase!\"}");
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "message"), "Password reset successfully");
	bb_free(r);

	r = bb_get("/api/users/me", access);
	CU_ASSERT_EQUAL(r->status, 401);
	bb_free(r);
	b = xasprintf("{\"refresh_token\": \"%s\"}", refresh);
	r = bb_json("POST", "/api/auth/refresh", NULL, b);
	CU_ASSERT_EQUAL(r->status, 401);
	bb_free(r);
	r = bb_login(u, PW);
	CU_ASSERT_EQUAL(r->status, 401);
	bb_free(r);
	r = bb_login(u, "N3w-passphrase!");
	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);
	free(b);
	free(access);
	free(refresh);
	free(u);
}

/* scripts/test configures lockout_window and lockout_duration as 3 s. */
static void
test_lockout(void)
{
	char *u = bb_unique("lock"), *s;
	struct bb_resp *r = signup(u, PW);
	long long id = strtoll(bb_str(r, "user_id"), NULL, 10);
	int i;

	bb_free(r);
	for (i = 0; i < 5; i++) {
		r = bb_login(u, "wrong-password");
		CU_ASSERT_EQUAL(r->status, 401);
		bb_free(r);
	}
	r = bb_login(u, PW);
	CU_ASSERT_EQUAL(r->status, 401);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "error"), "Invalid credentials");
	bb_free(r);
	s = sid(id);
	CU_ASSERT_EQUAL(bb_db_int(sql_audit_count,
				  DB_P(db_str("login.lockout"), db_str(s))), 1);
	sleep(4);
	r = bb_login(u, PW);
	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);
	free(s);
	free(u);
}

static void
test_pending_and_disabled(void)
{
	long long id;
	char *tok = bb_new_user("pend", &id), *u, *admin = bb_admin_token();
	struct bb_resp *r = bb_get("/api/users/me", tok);
	char *path;

	u = xstrdup(bb_str(r, "username"));
	bb_free(r);
	CU_ASSERT_EQUAL(db_exec(bb_db(), sql_set_pending, DB_P(db_int(id)), NULL), ERR_OK);
	r = bb_login(u, PW);
	CU_ASSERT_EQUAL(r->status, 403);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "error"), "Account pending approval");
	bb_free(r);

	/* enabling does not approve: only approval activates an applicant */
	path = xasprintf("/api/users/%lld", id);
	r = bb_json("PATCH", path, admin, "{\"disabled\": false}");
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "status"), "pending");
	bb_free(r);
	r = bb_login(u, PW);
	CU_ASSERT_EQUAL(r->status, 403);
	bb_free(r);
	/* once active, disabling kills the user's token */
	CU_ASSERT_EQUAL(db_exec(bb_db(), sql_set_active, DB_P(db_int(id)), NULL),
			ERR_OK);
	r = bb_login(u, PW);
	CU_ASSERT_EQUAL(r->status, 200);
	free(tok);
	tok = xstrdup(bb_str(r, "access_token"));
	bb_free(r);
	r = bb_json("PATCH", path, admin, "{\"disabled\": true}");
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_TRUE(json_object_get_boolean(json_object_object_get(r->json, "disabled")));
	bb_free(r);
	CU_ASSERT_EQUAL(bb_db_int(sql_status_is, DB_P(db_int(id), db_str("disabled"))), 1);
	r = bb_get("/api/users/me", tok);
	CU_ASSERT_EQUAL(r->status, 401);
	bb_free(r);
	r = bb_login(u, PW);
	CU_ASSERT_EQUAL(r->status, 403);
	bb_free(r);
	free(path);
	free(admin);
	free(tok);
	free(u);
}

static void
test_profile(void)
{
	long long id, other_id;
	char *tok = bb_new_user("prof", &id), *other = bb_new_user("prof2", &other_id);
	char *path, *b, *email = bb_unique("taken");
	struct bb_resp *r;

	r = bb_get("/api/users/me", tok);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_EQUAL(strtoll(bb_str(r, "user_id"), NULL, 10), id);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "role"), "user");
	CU_ASSERT(strlen(bb_str(r, "created_at")) == 20);
	bb_free(r);

	b = xasprintf("{\"name\": \"New Name\", \"email\": \"%s@x.org\"}", email);
	r = bb_json("PATCH", "/api/users/me", tok, b);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "name"), "New Name");
	bb_free(r);
	r = bb_json("PATCH", "/api/users/me", other, b);
	CU_ASSERT_EQUAL(r->status, 409);
	bb_free(r);
	r = bb_json("PATCH", "/api/users/me", tok, "{\"role\": \"admin\"}");
	CU_ASSERT_EQUAL(r->status, 403);
	bb_free(r);

	/* another user's data: the admin-only paths */
	path = xasprintf("/api/users/%lld", other_id);
	r = bb_get(path, tok);
	CU_ASSERT_EQUAL(r->status, 403);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "error"),
			       "You are not authorized to perform this action");
	bb_free(r);
	r = bb_json("PATCH", path, tok, "{\"name\": \"pwned\"}");
	CU_ASSERT_EQUAL(r->status, 403);
	bb_free(r);

	/* erase myself */
	r = bb_req("DELETE", "/api/users/me", tok, NULL, NULL, 0, NULL);
	CU_ASSERT_EQUAL(r->status, 204);
	bb_free(r);
	CU_ASSERT_EQUAL(bb_db_int(sql_erased, DB_P(db_int(id))), 1);
	r = bb_get("/api/users/me", tok);
	CU_ASSERT_EQUAL(r->status, 401);
	bb_free(r);
	free(email);
	free(b);
	free(path);
	free(tok);
	free(other);
}

static void
test_admin_users(void)
{
	char *admin = bb_admin_token(), *path;
	long long id;
	char *tok = bb_new_user("managed", &id);
	struct bb_resp *r;

	r = bb_get("/api/users?q=managed&limit=500", admin);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT(bb_len(r, "users") >= 1);
	CU_ASSERT(json_object_get_int(json_object_object_get(r->json, "total")) >= 1);
	bb_free(r);
	r = bb_get("/api/users?limit=0", admin);
	CU_ASSERT_EQUAL(r->status, 400);
	bb_free(r);
	r = bb_get("/api/users", tok);
	CU_ASSERT_EQUAL(r->status, 403);
	bb_free(r);

	path = xasprintf("/api/users/%lld", id);
	r = bb_json("PATCH", path, admin, "{\"role\": \"operator\"}");
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "role"), "operator");
	bb_free(r);
	r = bb_json("PATCH", path, admin, "{\"role\": \"emperor\"}");
	CU_ASSERT_EQUAL(r->status, 400);
	bb_free(r);
	r = bb_req("DELETE", path, admin, NULL, NULL, 0, NULL);
	CU_ASSERT_EQUAL(r->status, 204);
	bb_free(r);
	r = bb_get(path, admin);
	CU_ASSERT_EQUAL(r->status, 404);
	bb_free(r);
	r = bb_get("/api/users/999999999", admin);
	CU_ASSERT_EQUAL(r->status, 404);
	bb_free(r);
	free(path);
	free(tok);
	free(admin);
}

static void
test_staff_and_last_admin(void)
{
	char *admin = bb_admin_token(), *u = bb_unique("op"), *b, *path;
	struct bb_resp *r, *me;
	long long op_id;

	b = xasprintf("{\"username\": \"%s\", \"email\": \"%s@staff.org\","
		      " \"password\": \"" PW "\", \"role\": \"operator\"}", u, u);
	r = bb_json("POST", "/api/admins", admin, b);
	CU_ASSERT_EQUAL(r->status, 201);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "role"), "operator");
	op_id = strtoll(bb_str(r, "user_id"), NULL, 10);
	bb_free(r);
	r = bb_json("POST", "/api/admins", admin, b);
	CU_ASSERT_EQUAL(r->status, 409);
	bb_free(r);
	free(b);
	b = xasprintf("{\"username\": \"%s_b\", \"email\": \"%s@staff.org\","
		      " \"password\": \"" PW "\", \"role\": \"operator\"}", u, u);
	r = bb_json("POST", "/api/admins", admin, b);
	CU_ASSERT_EQUAL(r->status, 409);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "error"), "Email already registered");
	bb_free(r);

	/* the operator cannot manage staff, nor raise itself */
	r = bb_login(u, PW);
	{
		char *op = xstrdup(bb_str(r, "access_token"));

		bb_free(r);
		r = bb_get("/api/admins", op);
		CU_ASSERT_EQUAL(r->status, 403);
		bb_free(r);
		path = xasprintf("/api/admins/%lld", op_id);
		r = bb_json("PATCH", path, op, "{\"role\": \"admin\"}");
		CU_ASSERT_EQUAL(r->status, 403);
		bb_free(r);
		r = bb_json("PATCH", "/api/users/me", op, "{\"role\": \"admin\"}");
		CU_ASSERT_EQUAL(r->status, 403);
		bb_free(r);
		free(op);
	}
	r = bb_get("/api/admins", admin);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT(bb_len(r, "admins") >= 2);
	bb_free(r);
	r = bb_get(path, admin);
	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);

	/* the only admin cannot demote or delete itself (checked first: on a
	 * stack with other admins these calls would demote and erase it) */
	CU_ASSERT_EQUAL_FATAL(bb_db_int(sql_active_admins, DB_NONE), 1);
	me = bb_get("/api/users/me", admin);
	free(path);
	path = xasprintf("/api/admins/%s", bb_str(me, "user_id"));
	r = bb_json("PATCH", path, admin, "{\"role\": \"operator\"}");
	CU_ASSERT_EQUAL(r->status, 409);
	bb_free(r);
	r = bb_req("DELETE", path, admin, NULL, NULL, 0, NULL);
	CU_ASSERT_EQUAL(r->status, 409);
	bb_free(r);
	r = bb_get("/api/users/me", admin);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "role"), "admin");
	bb_free(r);
	bb_free(me);
	free(path);
	free(b);
	free(u);
	free(admin);
}

static void
test_audit(void)
{
	char *admin = bb_admin_token(), *path, *cursor;
	struct bb_resp *r;
	json_object *entries;

	r = bb_get("/api/audit?action=user.signup&limit=2", admin);
	CU_ASSERT_EQUAL(r->status, 200);
	entries = json_object_object_get(r->json, "entries");
	CU_ASSERT_EQUAL(json_object_array_length(entries), 2);
	CU_ASSERT_STRING_EQUAL(json_object_get_string(json_object_object_get(
		json_object_array_get_idx(entries, 0), "action")), "user.signup");
	cursor = xstrdup(bb_str(r, "next_cursor"));
	CU_ASSERT(strlen(cursor) > 0);
	bb_free(r);
	path = xasprintf("/api/audit?action=user.signup&limit=2&cursor=%s", cursor);
	r = bb_get(path, admin);
	CU_ASSERT_EQUAL(r->status, 200);
	entries = json_object_object_get(r->json, "entries");
	CU_ASSERT(json_object_array_length(entries) >= 1);
	CU_ASSERT(strtoll(json_object_get_string(json_object_object_get(
		json_object_array_get_idx(entries, 0), "id")), NULL, 10) <
		  strtoll(cursor, NULL, 10));
	bb_free(r);
	r = bb_get("/api/audit", NULL);
	CU_ASSERT_EQUAL(r->status, 401);
	bb_free(r);
	free(path);
	free(cursor);
	free(admin);
}

/* The entries of an audit page, or NULL. */
static json_object *
entries_of(const struct bb_resp *r)
{
	return json_object_object_get(r->json, "entries");
}

static const char *
entry_str(json_object *entries, size_t i, const char *key)
{
	json_object *v = json_object_object_get(
		json_object_array_get_idx(entries, i), key);

	return v ? json_object_get_string(v) : "";
}

/* The same rule through /api/users/{id}, as the staff console sends it:
 * disabling or demoting the only active admin is 409 last_admin, and
 * nothing changes. */
static void
test_last_admin_users_path(void)
{
	char *admin = bb_admin_token(), *path;
	struct bb_resp *me = bb_get("/api/users/me", admin), *r;
	const char *id = bb_str(me, "user_id");

	CU_ASSERT_EQUAL_FATAL(bb_db_int(sql_active_admins, DB_NONE), 1);
	path = xasprintf("/api/users/%s", id);
	r = bb_json("PATCH", path, admin, "{\"disabled\": true}");
	CU_ASSERT_EQUAL(r->status, 409);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), "last_admin");
	bb_free(r);
	r = bb_json("PATCH", path, admin, "{\"role\": \"user\"}");
	CU_ASSERT_EQUAL(r->status, 409);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), "last_admin");
	bb_free(r);
	r = bb_req("DELETE", path, admin, NULL, NULL, 0, NULL);
	CU_ASSERT_EQUAL(r->status, 409);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), "last_admin");
	bb_free(r);
	CU_ASSERT_EQUAL(bb_db_int("SELECT COUNT(*) FROM users WHERE id = ?"
		" AND role = 'admin' AND status = 'active'",
		DB_P(db_str(id))), 1);
	bb_free(me);
	free(path);
	free(admin);
}

static void
test_users_status_filter(void)
{
	char *admin = bb_admin_token(), *u, *path;
	long long id;
	char *tok = bb_new_user("filtered", &id);
	struct bb_resp *me = bb_get("/api/users/me", tok), *r;

	u = xstrdup(bb_str(me, "username"));
	bb_free(me);
	path = xasprintf("/api/users/%lld", id);
	bb_free(bb_json("PATCH", path, admin, "{\"disabled\": true}"));
	free(path);
	path = xasprintf("/api/users?q=%s&status=disabled&role=user", u);
	r = bb_get(path, admin);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_EQUAL(bb_len(r, "users"), 1);
	CU_ASSERT_EQUAL(json_object_get_int(json_object_object_get(r->json,
		"total")), 1);
	CU_ASSERT_EQUAL(strtoll(entry_str(json_object_object_get(r->json,
		"users"), 0, "user_id"), NULL, 10), id);
	bb_free(r);
	free(path);
	path = xasprintf("/api/users?q=%s&status=active", u);
	r = bb_get(path, admin);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_EQUAL(bb_len(r, "users"), 0);
	bb_free(r);
	free(path);
	r = bb_get("/api/users?status=deleted", admin);
	CU_ASSERT_EQUAL(r->status, 400);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), "bad_query");
	bb_free(r);
	free(u);
	free(tok);
	free(admin);
}

/* A refused change names the field it is about, and changes nothing. */
static void
test_update_error_fields(void)
{
	static const struct {
		const char *body, *code, *field;
	} cases[] = {
		{ "{\"email\": \"not-an-email\"}", "email_invalid", "email" },
		{ "{\"username\": \"a\"}", "username_invalid", "username" },
		{ "{\"role\": \"emperor\"}", "role_invalid", "role" },
		{ "{\"password\": \"password\"}", "password_weak", "password" },
	};
	char *admin = bb_admin_token(), *path, *taken;
	long long id;
	char *tok = bb_new_user("fields", &id);
	struct bb_resp *r;
	size_t i;

	path = xasprintf("/api/users/%lld", id);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		r = bb_json("PATCH", path, admin, cases[i].body);
		CU_ASSERT(r->status == 400 || r->status == 409);
		CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), cases[i].code);
		CU_ASSERT_STRING_EQUAL(bb_str(r, "field"), cases[i].field);
		bb_free(r);
	}
	/* their own username as the password */
	r = bb_get("/api/users/me", tok);
	taken = xasprintf("{\"password\": \"%s\"}", bb_str(r, "username"));
	bb_free(r);
	r = bb_json("PATCH", path, admin, taken);
	CU_ASSERT_EQUAL(r->status, 400);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), "password_weak");
	CU_ASSERT_STRING_EQUAL(bb_str(r, "field"), "password");
	bb_free(r);
	free(taken);
	/* another account's username */
	r = bb_get("/api/users/me", admin);
	taken = xasprintf("{\"username\": \"%s\"}", bb_str(r, "username"));
	bb_free(r);
	r = bb_json("PATCH", path, admin, taken);
	CU_ASSERT_EQUAL(r->status, 409);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "field"), "username");
	bb_free(r);
	free(taken);
	CU_ASSERT_EQUAL(bb_db_int(sql_status_is, DB_P(db_int(id),
		db_str("active"))), 1);
	r = bb_json("POST", "/api/admins", admin, "{\"username\": \"x_staff\","
		    " \"email\": \"x_staff@example.com\", \"password\": \""
		    PW "\", \"role\": \"user\"}");
	CU_ASSERT_EQUAL(r->status, 400);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "field"), "role");
	bb_free(r);
	free(path);
	free(tok);
	free(admin);
}

/* Entries say who acted and on whom by name, and from where; the actor
 * and time filters hold; an erased account's entries stay; the facets
 * list what the log holds, for admins only. */
static void
test_audit_readable(void)
{
	char *admin = bb_admin_token(), *path, *u;
	long long id;
	char *tok = bb_new_user("audited", &id);
	struct bb_resp *me = bb_get("/api/users/me", admin), *r;
	json_object *e;

	r = bb_get("/api/users/me", tok);
	u = xstrdup(bb_str(r, "username"));
	bb_free(r);
	path = xasprintf("/api/users/%lld", id);
	bb_free(bb_json("PATCH", path, admin, "{\"name\": \"Audited One\"}"));
	free(path);
	path = xasprintf("/api/audit?entity=user&entity_id=%lld"
			 "&action=user.update", id);
	r = bb_get(path, admin);
	CU_ASSERT_EQUAL_FATAL(r->status, 200);
	e = entries_of(r);
	CU_ASSERT_EQUAL_FATAL(json_object_array_length(e), 1);
	CU_ASSERT_STRING_EQUAL(entry_str(e, 0, "actor_id"),
			       bb_str(me, "user_id"));
	CU_ASSERT_STRING_EQUAL(entry_str(e, 0, "actor_username"),
			       bb_str(me, "username"));
	CU_ASSERT_STRING_EQUAL(entry_str(e, 0, "entity_username"), u);
	CU_ASSERT(strlen(entry_str(e, 0, "remote_addr")) > 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(json_object_to_json_string(
		json_object_object_get(json_object_array_get_idx(e, 0),
				       "details")), "\"name\""));
	bb_free(r);
	free(path);

	/* by actor: the member's own sign-up; a window in the future has
	 * nothing, one in the past neither */
	path = xasprintf("/api/audit?actor_id=%lld&action=user.signup", id);
	r = bb_get(path, admin);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_EQUAL(json_object_array_length(entries_of(r)), 1);
	CU_ASSERT_STRING_EQUAL(entry_str(entries_of(r), 0, "actor_username"), u);
	bb_free(r);
	free(path);
	path = xasprintf("/api/audit?actor_id=%lld&from=2999-01-01T00:00:00Z", id);
	r = bb_get(path, admin);
	CU_ASSERT_EQUAL(json_object_array_length(entries_of(r)), 0);
	bb_free(r);
	free(path);
	path = xasprintf("/api/audit?actor_id=%lld&to=2000-01-01T00:00Z", id);
	r = bb_get(path, admin);
	CU_ASSERT_EQUAL(json_object_array_length(entries_of(r)), 0);
	bb_free(r);
	free(path);
	r = bb_get("/api/audit?from=yesterday", admin);
	CU_ASSERT_EQUAL(r->status, 400);
	bb_free(r);

	/* erased: the entries stay, without the name */
	path = xasprintf("/api/users/%lld", id);
	r = bb_req("DELETE", path, admin, NULL, NULL, 0, NULL);
	CU_ASSERT_EQUAL(r->status, 204);
	bb_free(r);
	free(path);
	path = xasprintf("/api/audit?entity=user&entity_id=%lld", id);
	r = bb_get(path, admin);
	e = entries_of(r);
	CU_ASSERT(json_object_array_length(e) >= 3);
	CU_ASSERT_STRING_EQUAL(entry_str(e, 0, "action"), "user.delete");
	CU_ASSERT_PTR_NULL(json_object_object_get(json_object_array_get_idx(
		e, 0), "entity_username"));
	bb_free(r);
	free(path);

	r = bb_get("/api/audit/facets", admin);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(json_object_to_json_string(
		json_object_object_get(r->json, "actions")), "\"user.delete\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(json_object_to_json_string(
		json_object_object_get(r->json, "entities")), "\"user\""));
	bb_free(r);
	free(tok);
	tok = bb_new_user("nosy", &id);
	r = bb_get("/api/audit/facets", tok);
	CU_ASSERT_EQUAL(r->status, 403);
	bb_free(r);
	bb_free(me);
	free(u);
	free(tok);
	free(admin);
}

static void
test_forged_tokens(void)
{
	/* {"alg":"none"} with a valid-looking payload, and garbage */
	const char *none = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0."
		"eyJzdWIiOiIxIiwiaXNzIjoiaGFhcyIsInR5cCI6ImFjY2VzcyIsImp0aSI6IngiLCJyb2xlIjoiYWRtaW4iLCJpYXQiOjEsImV4cCI6OTk5OTk5OTk5OSwidmVyIjowfQ.";
	struct bb_resp *r = bb_get("/api/users", none);

	CU_ASSERT_EQUAL(r->status, 401);
	bb_free(r);
	r = bb_get("/api/users/me", "garbage");
	CU_ASSERT_EQUAL(r->status, 401);
	bb_free(r);
	r = bb_req("GET", "/api/users/me", NULL, NULL, NULL, 0,
		   "Authorization: Basic YWRtaW46YWRtaW4=");
	CU_ASSERT_EQUAL(r->status, 401);
	bb_free(r);
}

struct race {
	const char *name;
	struct bb_tally t;
};

static void
race_signup(int i, void *arg)
{
	struct race *race = arg;
	struct bb_resp *r = signup(race->name, PW);

	bb_tally(&race->t, r, 201);
}

static void
test_concurrent_signup(void)
{
	char *u = bb_unique("race");
	struct race race = { .name = u };

	bb_parallel(100, race_signup, &race);
	CU_ASSERT_EQUAL(race.t.ok, 1);
	CU_ASSERT_EQUAL(race.t.conflict, 99);
	CU_ASSERT_EQUAL(race.t.other, 0);
	CU_ASSERT_EQUAL(bb_db_int(sql_user_count, DB_P(db_str(u))), 1);
	free(u);
}

static CU_TestInfo tests[] = {
	{ "signup", test_signup },
	{ "password policy", test_password_policy },
	{ "one account, every login path", test_login_everywhere },
	{ "bad credentials", test_bad_credentials },
	{ "refresh rotation and reuse", test_refresh_rotation },
	{ "logout", test_logout },
	{ "reset password ends sessions", test_reset_password },
	{ "lockout and release", test_lockout },
	{ "pending and disabled accounts", test_pending_and_disabled },
	{ "profile, others' data, erase", test_profile },
	{ "admin user management", test_admin_users },
	{ "staff and the last admin", test_staff_and_last_admin },
	{ "the last admin through /api/users", test_last_admin_users_path },
	{ "users by status", test_users_status_filter },
	{ "a refused change names its field", test_update_error_fields },
	{ "audit log", test_audit },
	{ "audit entries readable, by actor and time", test_audit_readable },
	{ "forged tokens", test_forged_tokens },
	{ "100 concurrent signups", test_concurrent_signup },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = { SUITE("accounts", tests), CU_SUITE_INFO_NULL };

int
main(void)
{
	bb_init();
	return cunit_run(suites);
}

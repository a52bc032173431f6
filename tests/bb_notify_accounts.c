/* bb_notify_accounts: password reset by mail, address verification and
 * notification preferences, through nginx, with the outbox (notices), the
 * tokens (user_tokens) and the mail checked afterwards. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "bb.h"
#include "cunit_main.h"
#include "util.h"

#define PW "Tr0ub4dor&3x"
#define PW2 "Correct-horse-7"

static const char sql_notices[] =
	"SELECT COUNT(*) FROM notices WHERE kind = ? AND recipient = ?";
static const char sql_user_notices[] =
	"SELECT COUNT(*) FROM notices WHERE kind = ? AND user_id = ?";
static const char sql_field[] =
	"SELECT JSON_VALUE(fields, CONCAT('$.', ?)) FROM notices WHERE kind = ?"
	" AND recipient = ? ORDER BY id DESC LIMIT 1";
static const char sql_token_kept[] =
	"SELECT COUNT(*) FROM user_tokens WHERE token_hash = SHA2(?, 256)"
	" AND purpose = ? AND user_id = ?";
static const char sql_token_plain[] =
	"SELECT COUNT(*) FROM user_tokens WHERE token_hash = ?";
static const char sql_expire[] =
	"UPDATE user_tokens SET expires_at = UTC_TIMESTAMP(6) - INTERVAL 1 SECOND"
	" WHERE token_hash = SHA2(?, 256)";
static const char sql_verified[] =
	"SELECT email_verified FROM users WHERE id = ?";
static const char sql_lock[] =
	"UPDATE users SET failed_logins = 5, locked_until = UTC_TIMESTAMP(6)"
	" + INTERVAL 1 HOUR WHERE id = ?";
static const char sql_pref[] =
	"INSERT INTO notice_prefs (user_id, kind, mode) VALUES (?, ?, ?)"
	" ON DUPLICATE KEY UPDATE mode = VALUES(mode)";
static const char sql_pref_is[] =
	"SELECT COUNT(*) FROM notice_prefs WHERE user_id = ? AND kind = ?"
	" AND mode = ?";
static const char sql_notice_state[] =
	"SELECT COUNT(*) FROM notices WHERE kind = ? AND user_id = ?"
	" AND state IN ('pending', 'sent')";
static const char sql_audit[] =
	"SELECT COUNT(*) FROM audit_log WHERE action = ? AND entity_id = ?";

/* The first column of a one-row query as a new string ("" for none). */
static char *
db_text(const char *sql, const struct db_param *p, size_t np)
{
	struct db_rows *row = NULL;
	char *s;

	if (db_row(bb_db(), sql, p, np, 1, ERR_NOT_FOUND, &row) != ERR_OK ||
	    !db_col(row, 0)) {
		db_rows_free(row);
		return xstrdup("");
	}
	s = xstrdup(db_col(row, 0));
	db_rows_free(row);
	return s;
}

/* The link in a mail's body (the line with "#token="), or NULL. */
static char *
link_in(const char *body)
{
	const char *t = strstr(body, "#token="), *a, *z;

	if (!t)
		return NULL;
	for (a = t; a > body && a[-1] != '\n' && a[-1] != ' '; a--)
		;
	for (z = t; *z && *z != '\n' && *z != ' ' && *z != '\r'; z++)
		;
	return xasprintf("%.*s", (int)(z - a), a);
}

/* Waits until want mails of kind to `to` have arrived, then returns the
 * link of the newest whose token is not `not` (NULL: the newest); ""
 * when there is none.  Delivered, a notice's link is gone from the
 * outbox (NKF_SECRET): the mail is the only place it is. */
static char *
mail_link(const char *kind, const char *to, int want, const char *not)
{
	struct bb_mail *m;
	char *out = NULL, *link;
	size_t n, i;

	CU_ASSERT(bb_mail_wait(to, kind, want, 60) >= want);
	m = bb_mail_all(&n);
	for (i = n; i-- > 0 && !out;) {
		if (strcasecmp(m[i].to, to) || strcmp(m[i].kind, kind))
			continue;
		link = link_in(m[i].body);
		if (link && (!not || !strstr(link, not)))
			out = link;
		else
			free(link);
	}
	bb_mail_free(m, n);
	return out ? out : xstrdup("");
}

/* The same link's token. */
static char *
mail_token(const char *kind, const char *to, int want, const char *not)
{
	char *link = mail_link(kind, to, want, not);
	const char *t = strstr(link, "#token=");
	char *out = xstrdup(t ? t + 7 : "");

	free(link);
	return out;
}

/* The subject and body of the newest mail of kind to `to` ("" if none),
 * joined by a newline. */
static char *
mail_text(const char *kind, const char *to)
{
	struct bb_mail *m;
	char *out = NULL;
	size_t n, i;

	m = bb_mail_all(&n);
	for (i = n; i-- > 0 && !out;)
		if (!strcasecmp(m[i].to, to) && !strcmp(m[i].kind, kind))
			out = xasprintf("%s\n%s", m[i].subject, m[i].body);
	bb_mail_free(m, n);
	return out ? out : xstrdup("");
}

static char *
new_email(const char *prefix)
{
	char *u = bb_unique(prefix), *e = xasprintf("%s@example.com", u);

	free(u);
	return e;
}

/* A self sign-up with an address (POST /api/users/register). */
static long long
register_email(const char *email, const char *pw)
{
	char *b = xasprintf("{\"email\": \"%s\", \"name\": \"Test\","
			    " \"password\": \"%s\"}", email, pw);
	struct bb_resp *r = bb_json("POST", "/api/users/register", NULL, b);
	long long id = r->status == 201
		? strtoll(bb_str(r, "user_id"), NULL, 10) : 0;

	CU_ASSERT_EQUAL(r->status, 201);
	bb_free(r);
	free(b);
	return id;
}

static struct bb_resp *
forgot(const char *email)
{
	char *b = xasprintf("{\"email\": \"%s\"}", email);
	struct bb_resp *r = bb_json("POST", "/api/password/forgot", NULL, b);

	free(b);
	return r;
}

static struct bb_resp *
reset(const char *token, const char *pw)
{
	char *b = xasprintf("{\"token\": \"%s\", \"password\": \"%s\"}", token,
			    pw);
	struct bb_resp *r = bb_json("POST", "/api/password/reset", NULL, b);

	free(b);
	return r;
}

static struct bb_resp *
verify(const char *token)
{
	char *b = xasprintf("{\"token\": \"%s\"}", token);
	struct bb_resp *r = bb_json("POST", "/api/email/verify", NULL, b);

	free(b);
	return r;
}

static long
login_status(const char *ident, const char *pw)
{
	struct bb_resp *r = bb_login(ident, pw);
	long s = r->status;

	bb_free(r);
	return s;
}

static char *
login_token(const char *ident, const char *pw, const char *key)
{
	struct bb_resp *r = bb_login(ident, pw);
	char *t = xstrdup(bb_str(r, key));

	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);
	return t;
}

/* ---- forgot ------------------------------------------------------------ */

/* Known and unknown addresses get the same bytes; only the known one gets
 * a token (kept as its SHA-256) and a notice with its link. */
static void
test_forgot_same_answer(void)
{
	char *known = new_email("fgk"), *unknown = new_email("fgu");
	long long id = register_email(known, PW);
	struct bb_resp *a = forgot(known), *b = forgot(unknown);
	char *token, *link, *mins, *prefix, *text;

	CU_ASSERT_EQUAL(a->status, 202);
	CU_ASSERT_EQUAL(a->status, b->status);
	CU_ASSERT_EQUAL(a->body_len, b->body_len);
	CU_ASSERT(a->body_len == b->body_len &&
		  !memcmp(a->body, b->body, a->body_len));
	CU_ASSERT_STRING_EQUAL(bb_header(a, "content-type"),
			       bb_header(b, "content-type"));
	CU_ASSERT_EQUAL(bb_db_int(sql_notices, DB_P(db_str("account.reset"),
			db_str(known))), 1);
	CU_ASSERT_EQUAL(bb_db_int(sql_notices, DB_P(db_str("account.reset"),
			db_str(unknown))), 0);
	mins = db_text(sql_field, DB_P(db_str("expires_minutes"),
		       db_str("account.reset"), db_str(known)));
	CU_ASSERT_STRING_EQUAL(mins, "30");
	/* The mail: the app's /reset with the token in the fragment. */
	link = mail_link("account.reset", known, 1, NULL);
	prefix = xasprintf("%s/reset#token=", getenv("HAAS_TEST_URL"));
	CU_ASSERT_EQUAL(strncmp(link, prefix, strlen(prefix)), 0);
	token = mail_token("account.reset", known, 1, NULL);
	text = mail_text("account.reset", known);
	CU_ASSERT(strstr(text, "Reset your haas password\n") == text);
	CU_ASSERT(strstr(text, "within 30 minutes") != NULL);
	CU_ASSERT(strstr(text, link) != NULL);
	CU_ASSERT(strlen(token) >= 43);	/* 32 random bytes, base64url */
	CU_ASSERT_EQUAL(bb_db_int(sql_token_kept, DB_P(db_str(token),
			db_str("reset"), db_int(id))), 1);
	CU_ASSERT_EQUAL(bb_db_int(sql_token_plain, DB_P(db_str(token))), 0);
	/* Once, and nothing to the unknown address. */
	CU_ASSERT_EQUAL(bb_mail_wait(known, "account.reset", 2, 3), 1);
	CU_ASSERT_EQUAL(bb_mail_wait(unknown, NULL, 1, 0), 0);
	/* A malformed address is refused at its field (it names nobody). */
	bb_free(a);
	a = forgot("not-an-address");
	CU_ASSERT_EQUAL(a->status, 400);
	CU_ASSERT_STRING_EQUAL(bb_str(a, "field"), "email");
	bb_free(a);
	bb_free(b);
	free(text);
	free(mins);
	free(prefix);
	free(link);
	free(token);
	free(known);
	free(unknown);
}

/* A fourth request within the hour answers the same and sends nothing. */
static void
test_forgot_three_an_hour(void)
{
	char *email = new_email("fg3");
	long long id = register_email(email, PW);
	struct bb_resp *first = forgot(email), *r;
	int i;

	for (i = 0; i < 3; i++) {
		r = forgot(email);
		CU_ASSERT_EQUAL(r->status, first->status);
		CU_ASSERT_STRING_EQUAL(r->body, first->body);
		bb_free(r);
	}
	CU_ASSERT_EQUAL(bb_db_int(sql_user_notices, DB_P(
		db_str("account.reset"), db_int(id))), 3);
	CU_ASSERT_EQUAL(bb_mail_wait(email, "account.reset", 3, 60), 3);
	CU_ASSERT_EQUAL(bb_mail_wait(email, "account.reset", 4, 3), 3);
	bb_free(first);
	free(email);
}

/* ---- reset ------------------------------------------------------------- */

/* The token works once: the new password signs in, the old one does not,
 * every earlier session ends, a lockout is lifted. */
static void
test_reset_once(void)
{
	char *email = new_email("rs"), *token, *access, *refresh, *b, *uid;
	long long id = register_email(email, PW);
	struct bb_resp *r;

	access = login_token(email, PW, "access_token");
	refresh = login_token(email, PW, "refresh_token");
	bb_free(forgot(email));
	token = mail_token("account.reset", email, 1, NULL);
	CU_ASSERT_EQUAL(db_exec(bb_db(), sql_lock, DB_P(db_int(id)), NULL), ERR_OK);
	r = reset(token, PW2);
	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);
	r = reset(token, "Another-pass-9");
	CU_ASSERT_EQUAL(r->status, 400);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), "reset_token_invalid");
	CU_ASSERT_STRING_EQUAL(bb_str(r, "field"), "token");
	bb_free(r);
	/* Sessions of before are over. */
	r = bb_get("/api/users/me", access);
	CU_ASSERT_EQUAL(r->status, 401);
	bb_free(r);
	b = xasprintf("{\"refresh_token\": \"%s\"}", refresh);
	r = bb_json("POST", "/api/auth/refresh", NULL, b);
	CU_ASSERT_EQUAL(r->status, 401);
	bb_free(r);
	CU_ASSERT_EQUAL(login_status(email, PW), 401);
	CU_ASSERT_EQUAL(login_status(email, PW2), 200);
	uid = xasprintf("%lld", id);
	CU_ASSERT_EQUAL(bb_db_int(sql_audit, DB_P(
		db_str("password.reset_by_mail"), db_str(uid))), 1);
	free(uid);
	free(b);
	free(access);
	free(refresh);
	free(token);
	free(email);
}

/* Using the newest link uses up the earlier ones too. */
static void
test_reset_voids_other_links(void)
{
	char *email = new_email("rs2"), *t1, *t2;
	struct bb_resp *r;

	register_email(email, PW);
	bb_free(forgot(email));
	t1 = mail_token("account.reset", email, 1, NULL);
	bb_free(forgot(email));
	t2 = mail_token("account.reset", email, 2, t1);
	CU_ASSERT_STRING_NOT_EQUAL(t1, t2);
	r = reset(t2, PW2);
	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);
	r = reset(t1, "Another-pass-9");
	CU_ASSERT_EQUAL(r->status, 400);
	bb_free(r);
	CU_ASSERT_EQUAL(login_status(email, PW2), 200);
	free(t1);
	free(t2);
	free(email);
}

static void
test_reset_expired(void)
{
	char *email = new_email("rsx"), *token;
	struct bb_resp *r;

	register_email(email, PW);
	bb_free(forgot(email));
	token = mail_token("account.reset", email, 1, NULL);
	CU_ASSERT_EQUAL(db_exec(bb_db(), sql_expire, DB_P(db_str(token)), NULL),
			ERR_OK);
	r = reset(token, PW2);
	CU_ASSERT_EQUAL(r->status, 400);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), "reset_token_invalid");
	bb_free(r);
	CU_ASSERT_EQUAL(login_status(email, PW), 200);
	r = reset("not-a-token", PW2);
	CU_ASSERT_EQUAL(r->status, 400);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), "reset_token_invalid");
	bb_free(r);
	free(token);
	free(email);
}

/* A password the policy refuses leaves the token usable. */
static void
test_reset_policy(void)
{
	char *email = new_email("rsp"), *token;
	struct bb_resp *r;

	register_email(email, PW);
	bb_free(forgot(email));
	token = mail_token("account.reset", email, 1, NULL);
	r = reset(token, "password");
	CU_ASSERT_EQUAL(r->status, 400);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), "password_weak");
	CU_ASSERT_STRING_EQUAL(bb_str(r, "field"), "password");
	bb_free(r);
	r = reset(token, email);
	CU_ASSERT_EQUAL(r->status, 400);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), "password_weak");
	bb_free(r);
	CU_ASSERT_EQUAL(login_status(email, PW), 200);
	r = reset(token, PW2);
	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);
	CU_ASSERT_EQUAL(login_status(email, PW2), 200);
	free(token);
	free(email);
}

/* Reset links are forced: a preference of off or digest changes nothing. */
static void
test_reset_ignores_prefs(void)
{
	char *email = new_email("rsf");
	long long id = register_email(email, PW);

	CU_ASSERT_EQUAL(db_exec(bb_db(), sql_pref, DB_P(db_int(id),
		db_str("account.reset"), db_str("off")), NULL), ERR_OK);
	bb_free(forgot(email));
	CU_ASSERT_EQUAL(db_exec(bb_db(), sql_pref, DB_P(db_int(id),
		db_str("account.reset"), db_str("digest")), NULL), ERR_OK);
	bb_free(forgot(email));
	CU_ASSERT_EQUAL(bb_db_int(sql_notice_state, DB_P(
		db_str("account.reset"), db_int(id))), 2);
	CU_ASSERT_EQUAL(bb_mail_wait(email, "account.reset", 2, 60), 2);
	free(email);
}

/* ---- verification ------------------------------------------------------ */

static struct bb_resp *
me(const char *token)
{
	return bb_get("/api/users/me", token);
}

static bool
me_verified(const char *token)
{
	struct bb_resp *r = me(token);
	json_object *v = NULL;
	bool out;

	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT(r->json && json_object_object_get_ex(r->json,
		  "email_verified", &v));
	out = v && json_object_get_boolean(v);
	bb_free(r);
	return out;
}

/* A sign-up with an address is unverified and mailed a link; the link
 * verifies it once. */
static void
test_signup_verify(void)
{
	char *email = new_email("vf"), *token, *access, *prefix, *link, *text;
	long long id = register_email(email, PW);
	struct bb_resp *r;

	CU_ASSERT_EQUAL(bb_db_int(sql_verified, DB_P(db_int(id))), 0);
	CU_ASSERT_EQUAL(bb_db_int(sql_notices, DB_P(db_str("account.verify"),
			db_str(email))), 1);
	link = mail_link("account.verify", email, 1, NULL);
	text = mail_text("account.verify", email);
	CU_ASSERT(strstr(text, "Confirm your e-mail address for haas\n") == text);
	CU_ASSERT(strstr(text, email) != NULL);
	free(text);
	prefix = xasprintf("%s/verify#token=", getenv("HAAS_TEST_URL"));
	CU_ASSERT_EQUAL(strncmp(link, prefix, strlen(prefix)), 0);
	access = login_token(email, PW, "access_token");
	CU_ASSERT(!me_verified(access));	/* and it works unverified */
	token = mail_token("account.verify", email, 1, NULL);
	CU_ASSERT_EQUAL(bb_db_int(sql_token_kept, DB_P(db_str(token),
			db_str("verify"), db_int(id))), 1);
	r = verify(token);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "email"), email);
	bb_free(r);
	CU_ASSERT(me_verified(access));
	r = verify(token);
	CU_ASSERT_EQUAL(r->status, 400);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), "verify_token_invalid");
	bb_free(r);
	free(link);
	free(prefix);
	free(access);
	free(token);
	free(email);
}

/* A sign-up without an address has nothing to verify. */
static void
test_signup_no_address(void)
{
	char *u = bb_unique("vfn"), *b;
	struct bb_resp *r;
	long long id;

	b = xasprintf("{\"username\": \"%s\", \"password\": \"%s\"}", u, PW);
	r = bb_json("POST", "/api/auth/signup", NULL, b);
	CU_ASSERT_EQUAL(r->status, 201);
	id = strtoll(bb_str(r, "user_id"), NULL, 10);
	CU_ASSERT_EQUAL(bb_db_int(sql_user_notices, DB_P(
		db_str("account.verify"), db_int(id))), 0);
	bb_free(r);
	free(b);
	free(u);
}

/* A driver's registration is a self sign-up too: its pending account is
 * unverified and mailed a link, which works while it waits. */
static void
test_driver_verify(void)
{
	char *email = new_email("vd"), *body, plate[16], *token, *id_s;
	FILE *f = fopen("/tmp/bb_notify_accounts_id.png", "w");
	struct bb_resp *r;
	long long id;

	if (f) {
		fwrite("\x89PNG\r\n\x1a\nxxxx", 1, 12, f);
		fclose(f);
	}
	snprintf(plate, sizeof(plate), "VD%ld", (long)(time(NULL) % 100000000));
	CU_ASSERT_EQUAL(bb_register(email, plate,
		"-F 'document=@/tmp/bb_notify_accounts_id.png;type=image/png'",
		"", &body), 201);
	free(body);
	id_s = db_text("SELECT id FROM users WHERE email = ?",
		       DB_P(db_str(email)));
	id = strtoll(id_s, NULL, 10);
	CU_ASSERT_EQUAL(bb_db_int(sql_verified, DB_P(db_int(id))), 0);
	CU_ASSERT_EQUAL(bb_db_int(sql_notices, DB_P(db_str("account.verify"),
			db_str(email))), 1);
	token = mail_token("account.verify", email, 1, NULL);
	r = verify(token);
	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);
	CU_ASSERT_EQUAL(bb_db_int(sql_verified, DB_P(db_int(id))), 1);
	unlink("/tmp/bb_notify_accounts_id.png");
	free(id_s);
	free(token);
	free(email);
}

/* A member's new address is unverified, mailed a link of its own; the
 * old address's link stops working. */
static void
test_address_change(void)
{
	char *email = new_email("vc"), *email2 = new_email("vc2");
	char *old, *fresh, *access, *b;
	long long id = register_email(email, PW);
	struct bb_resp *r;

	access = login_token(email, PW, "access_token");
	old = mail_token("account.verify", email, 1, NULL);
	b = xasprintf("{\"email\": \"%s\"}", email2);
	r = bb_json("PATCH", "/api/users/me", access, b);
	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);
	CU_ASSERT(!me_verified(access));
	CU_ASSERT_EQUAL(bb_db_int(sql_notices, DB_P(db_str("account.verify"),
			db_str(email2))), 1);
	r = verify(old);
	CU_ASSERT_EQUAL(r->status, 400);
	bb_free(r);
	CU_ASSERT_EQUAL(bb_db_int(sql_verified, DB_P(db_int(id))), 0);
	fresh = mail_token("account.verify", email2, 1, NULL);
	r = verify(fresh);
	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);
	CU_ASSERT(me_verified(access));
	/* The same address again changes nothing. */
	r = bb_json("PATCH", "/api/users/me", access, b);
	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);
	CU_ASSERT(me_verified(access));
	free(b);
	free(old);
	free(fresh);
	free(access);
	free(email);
	free(email2);
}

/* Resend: a new link while unverified, three an hour in all (the sign-up's
 * counts), 409 once verified, 409 without an address. */
static void
test_resend(void)
{
	char *email = new_email("vr"), *access, *token;
	long long id = register_email(email, PW), nouser;
	struct bb_resp *r;

	access = login_token(email, PW, "access_token");
	r = bb_json("POST", "/api/email/verify/resend", access, NULL);
	CU_ASSERT_EQUAL(r->status, 202);
	bb_free(r);
	r = bb_json("POST", "/api/email/verify/resend", access, NULL);
	CU_ASSERT_EQUAL(r->status, 202);
	bb_free(r);
	CU_ASSERT_EQUAL(bb_db_int(sql_user_notices, DB_P(
		db_str("account.verify"), db_int(id))), 3);
	r = bb_json("POST", "/api/email/verify/resend", access, NULL);
	CU_ASSERT_EQUAL(r->status, 429);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), "mail_limit");
	bb_free(r);
	CU_ASSERT_EQUAL(bb_db_int(sql_user_notices, DB_P(
		db_str("account.verify"), db_int(id))), 3);
	token = mail_token("account.verify", email, 3, NULL);
	r = verify(token);
	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);
	r = bb_json("POST", "/api/email/verify/resend", access, NULL);
	CU_ASSERT_EQUAL(r->status, 409);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), "email_already_verified");
	bb_free(r);
	free(access);
	access = bb_new_user("vrn", &nouser);
	r = bb_json("POST", "/api/email/verify/resend", access, NULL);
	CU_ASSERT_EQUAL(r->status, 409);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), "no_email");
	bb_free(r);
	r = bb_json("POST", "/api/email/verify/resend", NULL, NULL);
	CU_ASSERT_EQUAL(r->status, 401);
	bb_free(r);
	free(access);
	free(token);
	free(email);
}

/* Accounts staff create, and addresses staff set, count as verified. */
static void
test_staff_verified(void)
{
	char *admin = bb_admin_token(), *u = bb_unique("vst"), *b, *path;
	char *email = new_email("vst"), *email2 = new_email("vst2");
	struct bb_resp *r;
	json_object *v;
	long long id;

	b = xasprintf("{\"username\": \"%s\", \"email\": \"%s\","
		      " \"password\": \"%s\", \"role\": \"operator\"}", u,
		      email, PW);
	r = bb_json("POST", "/api/admins", admin, b);
	CU_ASSERT_EQUAL(r->status, 201);
	CU_ASSERT(r->json && json_object_object_get_ex(r->json,
		  "email_verified", &v) && json_object_get_boolean(v));
	id = strtoll(bb_str(r, "user_id"), NULL, 10);
	bb_free(r);
	free(b);
	CU_ASSERT_EQUAL(bb_db_int(sql_user_notices, DB_P(
		db_str("account.verify"), db_int(id))), 0);
	/* An admin gives a member a new address: verified, no mail. */
	id = register_email(email2, PW);
	path = xasprintf("/api/users/%lld", id);
	free(email2);
	email2 = new_email("vst3");
	b = xasprintf("{\"email\": \"%s\"}", email2);
	r = bb_json("PATCH", path, admin, b);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT(r->json && json_object_object_get_ex(r->json,
		  "email_verified", &v) && json_object_get_boolean(v));
	bb_free(r);
	CU_ASSERT_EQUAL(bb_db_int(sql_notices, DB_P(db_str("account.verify"),
			db_str(email2))), 0);
	/* The list shows the flag too. */
	r = bb_get("/api/users?q=vst3", admin);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT(r->body && strstr(r->body, "\"email_verified\":true"));
	bb_free(r);
	free(b);
	free(path);
	free(admin);
	free(u);
	free(email);
	free(email2);
}

/* ---- preferences ------------------------------------------------------- */

static bool
lists_kind(const struct bb_resp *r, const char *kind)
{
	json_object *kinds, *o, *k;
	size_t i;

	if (!r->json || !json_object_object_get_ex(r->json, "kinds", &kinds))
		return false;
	for (i = 0; i < json_object_array_length(kinds); i++) {
		o = json_object_array_get_idx(kinds, i);
		if (json_object_object_get_ex(o, "kind", &k) &&
		    !strcmp(json_object_get_string(k), kind))
			return true;
	}
	return false;
}

static const char *
mode_of(const struct bb_resp *r, const char *kind)
{
	json_object *kinds, *o, *k, *m;
	size_t i;

	if (!r->json || !json_object_object_get_ex(r->json, "kinds", &kinds))
		return "";
	for (i = 0; i < json_object_array_length(kinds); i++) {
		o = json_object_array_get_idx(kinds, i);
		if (json_object_object_get_ex(o, "kind", &k) &&
		    !strcmp(json_object_get_string(k), kind) &&
		    json_object_object_get_ex(o, "mode", &m))
			return json_object_get_string(m);
	}
	return "";
}

static void
put_refused(const char *token, const char *body, const char *code,
	    const char *field)
{
	struct bb_resp *r = bb_json("PUT", "/api/me/notifications", token, body);

	CU_ASSERT_EQUAL(r->status, 400);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), code);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "field"), field);
	CU_ASSERT(strstr(bb_str(r, "error"), field) != NULL);
	bb_free(r);
}

static void
test_prefs(void)
{
	long long id;
	char *token = bb_new_user("pf", &id), *admin = bb_admin_token();
	struct bb_resp *r = bb_get("/api/me/notifications", token);

	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT(lists_kind(r, "order.status"));
	CU_ASSERT(lists_kind(r, "registration.decided"));
	CU_ASSERT(!lists_kind(r, "stock.low"));		/* admins' */
	CU_ASSERT(!lists_kind(r, "registration.submitted"));	/* staff's */
	CU_ASSERT(!lists_kind(r, "account.reset"));	/* forced */
	CU_ASSERT(!lists_kind(r, "webhook.test"));	/* webhooks only */
	CU_ASSERT_STRING_EQUAL(mode_of(r, "order.status"), "immediate");
	CU_ASSERT_EQUAL(bb_len(r, "modes"), 3);
	bb_free(r);
	r = bb_get("/api/me/notifications", admin);
	CU_ASSERT(lists_kind(r, "stock.low"));
	CU_ASSERT(lists_kind(r, "registration.submitted"));
	bb_free(r);
	/* Each refusal names the kind, and nothing is written. */
	put_refused(token, "{\"order.status\": \"off\", \"no.such\": \"off\"}",
		    "notice_kind_invalid", "no.such");
	put_refused(token, "{\"order.status\": \"loud\"}",
		    "notice_mode_invalid", "order.status");
	put_refused(token, "{\"order.status\": 3}", "notice_mode_invalid",
		    "order.status");
	put_refused(token, "{\"stock.low\": \"off\"}", "notice_kind_not_yours",
		    "stock.low");
	put_refused(token, "{\"account.reset\": \"off\"}",
		    "notice_kind_invalid", "account.reset");
	CU_ASSERT_EQUAL(bb_db_int(sql_pref_is, DB_P(db_int(id),
			db_str("order.status"), db_str("off"))), 0);
	r = bb_json("PUT", "/api/me/notifications", token,
		    "{\"order.status\": \"off\", \"hardware.due\": \"digest\"}");
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_STRING_EQUAL(mode_of(r, "order.status"), "off");
	CU_ASSERT_STRING_EQUAL(mode_of(r, "hardware.due"), "digest");
	bb_free(r);
	CU_ASSERT_EQUAL(bb_db_int(sql_pref_is, DB_P(db_int(id),
			db_str("order.status"), db_str("off"))), 1);
	r = bb_json("PUT", "/api/me/notifications", token,
		    "{\"order.status\": \"immediate\"}");
	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);
	r = bb_get("/api/me/notifications", token);
	CU_ASSERT_STRING_EQUAL(mode_of(r, "order.status"), "immediate");
	CU_ASSERT_STRING_EQUAL(mode_of(r, "hardware.due"), "digest");
	bb_free(r);
	r = bb_get("/api/me/notifications", NULL);
	CU_ASSERT_EQUAL(r->status, 401);
	bb_free(r);
	free(token);
	free(admin);
}

/* ---- nginx's limit ----------------------------------------------------- */

/* RESET_RATE (per second) and RESET_BURST of the stack (its stack.env). */
static void
reset_limits(long long *rate, long long *burst)
{
	char *path = xasprintf("%s/stack.env", getenv("HAAS_STATE_DIR"));
	FILE *f = fopen(path, "r");
	char line[256];

	*rate = 5;
	*burst = 30;
	while (f && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "RESET_BURST=", 12))
			*burst = strtoll(line + 12, NULL, 10);
		if (!strncmp(line, "RESET_RATE=", 11)) {
			*rate = strtoll(line + 11, NULL, 10);
			if (strstr(line, "r/m"))
				*rate = *rate / 60 > 0 ? *rate / 60 : 1;
		}
	}
	if (f)
		fclose(f);
	free(path);
}

struct flood {
	int limited, coded, other;
};

static void
flood_reset(int i, void *arg)
{
	struct flood *f = arg;
	struct bb_resp *r = reset("flood-token", PW2);

	(void)i;
	if (r->status == 429) {
		__sync_add_and_fetch(&f->limited, 1);
		if (!strcmp(bb_str(r, "code"), "rate_limited"))
			__sync_add_and_fetch(&f->coded, 1);
	} else if (r->status != 400) {
		__sync_add_and_fetch(&f->other, 1);
	}
	bb_free(r);
}

/* The reset paths' own bucket answers 429 as JSON when flooded; it is
 * full again before the program ends. */
static void
test_rate_limited(void)
{
	struct flood f = { 0 };
	long long rate, burst;

	reset_limits(&rate, &burst);
	bb_parallel((int)(burst + 40), flood_reset, &f);
	CU_ASSERT(f.limited > 0);
	CU_ASSERT_EQUAL(f.coded, f.limited);
	CU_ASSERT_EQUAL(f.other, 0);
	sleep((unsigned)(burst / rate + 2));
}

static CU_TestInfo forgot_tests[] = {
	{ "known and unknown addresses: the same answer",
	  test_forgot_same_answer },
	{ "at most three reset mails an hour", test_forgot_three_an_hour },
	{ "a reset link works once and ends every session", test_reset_once },
	{ "using a link voids the earlier ones", test_reset_voids_other_links },
	{ "an expired link is refused", test_reset_expired },
	{ "a weak password leaves the link usable", test_reset_policy },
	{ "reset links ignore preferences", test_reset_ignores_prefs },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo verify_tests[] = {
	{ "a sign-up is mailed a link that verifies it", test_signup_verify },
	{ "a sign-up without an address", test_signup_no_address },
	{ "a driver's registration is mailed a link", test_driver_verify },
	{ "a new address voids the old link", test_address_change },
	{ "resend", test_resend },
	{ "staff accounts count as verified", test_staff_verified },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo prefs_tests[] = {
	{ "preferences: list, validation, upsert", test_prefs },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo limit_tests[] = {
	{ "nginx's reset bucket answers 429 JSON", test_rate_limited },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	SUITE("forgot and reset", forgot_tests),
	SUITE("verification", verify_tests),
	SUITE("preferences", prefs_tests),
	SUITE("reset rate limit", limit_tests),
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	bb_init();
	return cunit_run(suites);
}

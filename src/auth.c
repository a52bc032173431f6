/* auth: password hashing, JWT issue/verify, bearer authentication. */
#include "auth.h"

#include <crypt.h>
#include <errno.h>
#include <jwt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "app.h"
#include "db.h"
#include "log.h"
#include "util.h"

enum auth_sql { Q_PRINCIPAL, Q_COOKIE_PRINCIPAL, Q_COOKIE_EXTEND };

static const char *const sql[] = {
	/* One query per request: the user's live role and token version,
	 * and whether the token's session still stands. */
	[Q_PRINCIPAL] =
		"SELECT u.role, u.token_version, u.status,"
		" s.user_id = u.id AND s.revoked_at IS NULL"
		" FROM users u LEFT JOIN sessions s ON s.family = ?"
		" WHERE u.id = ? AND u.deleted_at IS NULL",
	/* The browser's session: its user's live state, the secret's digest,
	 * whether it stands, and whether it is due to be extended (less
	 * than half its lifetime left). */
	[Q_COOKIE_PRINCIPAL] =
		"SELECT u.id, u.role, u.status, s.cookie_hash,"
		" s.ver = u.token_version AND s.revoked_at IS NULL"
		" AND s.expires_at > UTC_TIMESTAMP(6),"
		" s.expires_at < UTC_TIMESTAMP(6) + INTERVAL ? SECOND"
		" FROM sessions s JOIN users u ON u.id = s.user_id"
		" WHERE s.family = ? AND u.deleted_at IS NULL",
	[Q_COOKIE_EXTEND] =
		"UPDATE sessions SET expires_at = UTC_TIMESTAMP(6)"
		" + INTERVAL ? SECOND WHERE family = ? AND revoked_at IS NULL",
};

/* A real yescrypt hash of a random string: verifying against it costs what
 * a real verification costs, for users that do not exist. */
static const char dummy_hash[] =
	"$y$j9T$hpwQkqbBAjJrRfD/LhLh80$"
	"VuLQgT8KxJXaWNmwFy7r7t13p9cgPdECWCcfQoo10p5";

int
auth_hash_password(const char *pw, char out[AUTH_HASH_MAX])
{
	struct crypt_data data;
	char *salt, *res;

	salt = crypt_gensalt_ra(NULL, 0, NULL, 0);
	if (!salt)
		return -1;
	memset(&data, 0, sizeof(data));
	res = crypt_rn(pw, salt, &data, sizeof(data));
	free(salt);
	if (!res || res[0] == '*' || strlen(res) >= AUTH_HASH_MAX)
		return -1;
	memcpy(out, res, strlen(res) + 1);
	return 0;
}

bool
auth_verify_password(const char *pw, const char *hash)
{
	struct crypt_data data;
	const char *setting = hash && *hash && *hash != '*' ? hash : dummy_hash;
	char *res;
	size_t n;
	bool ok;

	memset(&data, 0, sizeof(data));
	res = crypt_rn(pw, setting, &data, sizeof(data));
	if (!res || res[0] == '*')
		return false;
	n = strlen(setting);
	ok = strlen(res) == n && ct_equal(res, setting, n);
	return ok && setting != dummy_hash;
}

const char *
auth_role_name(enum role role)
{
	switch (role) {
	case ROLE_USER: return "user";
	case ROLE_OPERATOR: return "operator";
	case ROLE_ADMIN: return "admin";
	default: return "none";
	}
}

enum role
auth_role_parse(const char *s)
{
	if (!s)
		return ROLE_NONE;
	if (!strcmp(s, "user"))
		return ROLE_USER;
	if (!strcmp(s, "operator"))
		return ROLE_OPERATOR;
	if (!strcmp(s, "admin"))
		return ROLE_ADMIN;
	return ROLE_NONE;
}

static const char *
typ_name(enum token_type t)
{
	return t == TOKEN_REFRESH ? "refresh" : "access";
}

static int
add_claims(jwt_t *jwt, const struct config *cfg, const struct token_claims *c)
{
	char sub[32];

	snprintf(sub, sizeof(sub), "%lld", c->sub);
	if (jwt_add_grant(jwt, "sub", sub) ||
	    jwt_add_grant(jwt, "iss", cfg->jwt_issuer) ||
	    jwt_add_grant(jwt, "typ", typ_name(c->typ)) ||
	    jwt_add_grant(jwt, "jti", c->jti) ||
	    jwt_add_grant(jwt, "role", auth_role_name(c->role)) ||
	    jwt_add_grant_int(jwt, "iat", c->iat) ||
	    jwt_add_grant_int(jwt, "exp", c->exp) ||
	    jwt_add_grant_int(jwt, "ver", c->ver))
		return -1;
	if (c->fam[0] && jwt_add_grant(jwt, "fam", c->fam))
		return -1;
	return 0;
}

char *
auth_issue_token(const struct config *cfg, struct token_claims *c,
		 long long ttl)
{
	jwt_t *jwt = NULL;
	char *jti, *out = NULL, *tok;

	jti = random_token(18);
	snprintf(c->jti, sizeof(c->jti), "%s", jti);
	free(jti);
	c->iat = (long long)time(NULL);
	c->exp = c->iat + ttl;
	if (jwt_new(&jwt))
		return NULL;
	if (jwt_set_alg(jwt, JWT_ALG_HS256,
			(const unsigned char *)cfg->jwt_secret_key,
			(int)strlen(cfg->jwt_secret_key)))
		goto out;
	if (add_claims(jwt, cfg, c))
		goto out;
	tok = jwt_encode_str(jwt);
	if (tok) {
		out = xstrdup(tok);
		free(tok);
	}
out:
	jwt_free(jwt);
	return out;
}

/* The header must name HS256 before libjwt sees the token: libjwt 1.10
 * verifies with whatever algorithm the token itself names. */
static bool
header_is_hs256(const char *token)
{
	const char *dot = strchr(token, '.');
	json_object *hdr = NULL, *alg;
	unsigned char *raw;
	size_t n;
	bool ok = false;

	if (!dot || dot == token)
		return false;
	raw = base64url_decode(token, (size_t)(dot - token), &n);
	if (!raw)
		return false;
	if (utf8_valid((const char *)raw, n))
		hdr = json_tokener_parse((const char *)raw);
	if (hdr && json_object_object_get_ex(hdr, "alg", &alg) &&
	    json_object_is_type(alg, json_type_string))
		ok = !strcmp(json_object_get_string(alg), "HS256");
	json_object_put(hdr);
	free(raw);
	return ok;
}

static enum err
read_claims(jwt_t *jwt, const struct config *cfg, enum token_type want,
	    struct token_claims *out)
{
	const char *sub = jwt_get_grant(jwt, "sub");
	const char *typ = jwt_get_grant(jwt, "typ");
	const char *iss = jwt_get_grant(jwt, "iss");
	const char *jti = jwt_get_grant(jwt, "jti");
	const char *fam = jwt_get_grant(jwt, "fam");
	long long now = (long long)time(NULL);

	memset(out, 0, sizeof(*out));
	if (!sub || !typ || !iss || !jti || strcmp(iss, cfg->jwt_issuer) ||
	    strcmp(typ, typ_name(want)) ||
	    parse_ll(sub, 1, INT64_MAX, &out->sub))
		return ERR_TOKEN_INVALID;
	errno = 0;
	out->exp = jwt_get_grant_int(jwt, "exp");
	if (errno || out->exp <= now)
		return ERR_TOKEN_INVALID;
	out->iat = jwt_get_grant_int(jwt, "iat");
	out->ver = jwt_get_grant_int(jwt, "ver");
	out->role = auth_role_parse(jwt_get_grant(jwt, "role"));
	out->typ = want;
	snprintf(out->jti, sizeof(out->jti), "%s", jti);
	/* Every token belongs to a session (a refresh family). */
	if (!fam || strlen(fam) >= sizeof(out->fam))
		return ERR_TOKEN_INVALID;
	snprintf(out->fam, sizeof(out->fam), "%s", fam);
	return ERR_OK;
}

enum err
auth_verify_token(const struct config *cfg, const char *token,
		  enum token_type want, struct token_claims *out)
{
	jwt_t *jwt = NULL;
	enum err e;

	if (!token || strlen(token) > 4096 || !header_is_hs256(token))
		return ERR_TOKEN_INVALID;
	if (jwt_decode(&jwt, token, (const unsigned char *)cfg->jwt_secret_key,
		       (int)strlen(cfg->jwt_secret_key)) || !jwt)
		return ERR_TOKEN_INVALID;
	if (jwt_get_alg(jwt) != JWT_ALG_HS256)
		e = ERR_TOKEN_INVALID;
	else
		e = read_claims(jwt, cfg, want, out);
	jwt_free(jwt);
	return e;
}

/* Loads the user's current role and token version and the state of the
 * token's session; the token's own role claim is informational only, so
 * a demotion takes effect at once, and so does the end of a session. */
static enum err
load_principal(struct req *r, const struct token_claims *c)
{
	struct db_rows *row;
	enum err e = db_row(r->db, sql[Q_PRINCIPAL], DB_P(db_str(c->fam),
			    db_int(c->sub)), 4, ERR_TOKEN_INVALID, &row);

	if (!row)
		return e;
	if (db_col_int(row, 1) != c->ver || strcmp(db_col(row, 2), "active") ||
	    db_col_int(row, 3) != 1) {
		e = ERR_TOKEN_INVALID;
	} else {
		r->user.id = c->sub;
		r->user.role = auth_role_parse(db_col(row, 0));
		r->user.session = req_strdup(r, c->fam);
	}
	db_rows_free(row);
	return e;
}

static enum err
bearer_authenticate(struct req *r, bool late)
{
	struct token_claims c;
	const char *h = r->authorization;
	enum err e;

	while (*h == ' ')
		h++;
	if (strncasecmp(h, "Bearer ", 7))
		return ERR_TOKEN_INVALID;
	h += 7;
	while (*h == ' ')
		h++;
	e = auth_verify_token(&r->app->cfg, h, TOKEN_ACCESS, &c);
	if (e != ERR_OK || !late)
		return e != ERR_OK ? e : load_principal(r, &c);
	r->user.id = c.sub;
	r->user.role = ROLE_USER;
	r->user.session = req_strdup(r, c.fam);
	r->user.ver = c.ver;
	r->user.due = true;
	return ERR_OK;
}

/* The value of cookie name in a Cookie header, in r's pool; NULL when
 * absent. */
static const char *
cookie_value(struct req *r, const char *header, const char *name)
{
	size_t n = strlen(name), len;
	const char *p = header;

	while (p && *p) {
		while (*p == ' ' || *p == ';')
			p++;
		len = strcspn(p, ";");
		if (len > n && !strncmp(p, name, n) && p[n] == '=')
			return req_strndup(r, p + n + 1, len - n - 1);
		p += len;
	}
	return NULL;
}

/* A write carried by the cookie must come from this very site: its
 * Origin is the site's own (nginx passes it as HAAS_SITE_ORIGIN).
 * SameSite=Strict keeps the cookie off other sites' requests; this
 * refuses what gets through anyway. */
static bool
same_site_write(const struct req *r)
{
	const char *m = r->method;

	if (!strcmp(m, "GET") || !strcmp(m, "HEAD") || !strcmp(m, "OPTIONS"))
		return true;
	return r->origin && r->site_origin &&
	       !strcasecmp(r->origin, r->site_origin);
}

/* Checks the session row of the cookie family.secret and loads its user;
 * extends a session with less than half its lifetime left (and sends the
 * cookie again). */
static enum err
cookie_authenticate(struct req *r, const char *value)
{
	const struct config *cfg = &r->app->cfg;
	const char *dot = strchr(value, '.');
	char *family, want[65];
	struct db_rows *row;
	bool live, renew;
	enum err e;

	if (!dot || dot == value || !dot[1] || dot - value > 47)
		return ERR_TOKEN_INVALID;
	family = req_strndup(r, value, (size_t)(dot - value));
	e = db_row(r->db, sql[Q_COOKIE_PRINCIPAL], DB_P(
		   db_int(cfg->jwt_refresh_token_expires / 2), db_str(family)),
		   6, ERR_TOKEN_INVALID, &row);
	if (!row)
		return e;
	sha256_hex(dot + 1, strlen(dot + 1), want);
	live = db_col(row, 3) && strlen(db_col(row, 3)) == 64 &&
	       ct_equal(want, db_col(row, 3), 64) && db_col_int(row, 4) == 1 &&
	       !strcmp(db_col(row, 2), "active");
	renew = db_col_int(row, 5) == 1;
	if (live) {
		r->user.id = db_col_int(row, 0);
		r->user.role = auth_role_parse(db_col(row, 1));
		r->user.session = family;
		r->user.by_cookie = true;
	}
	db_rows_free(row);
	if (!live)
		return ERR_TOKEN_INVALID;
	if (!same_site_write(r))
		return ERR_CROSS_SITE;
	if (renew && db_exec(r->db, sql[Q_COOKIE_EXTEND], DB_P(
	    db_int(cfg->jwt_refresh_token_expires), db_str(family)), NULL)
	    == ERR_OK)
		req_header(r, "Set-Cookie", auth_cookie_header(r, family,
			   dot + 1, cfg->jwt_refresh_token_expires));
	return ERR_OK;
}

const char *
auth_cookie_header(struct req *r, const char *family, const char *secret,
		   long long max_age)
{
	if (!family || !secret)
		return AUTH_COOKIE "=; Path=/; Max-Age=0; HttpOnly; Secure;"
		       " SameSite=Strict";
	return req_printf(r, AUTH_COOKIE "=%s.%s; Path=/; Max-Age=%lld;"
			  " HttpOnly; Secure; SameSite=Strict", family, secret,
			  max_age);
}

static void
authenticate(struct req *r, bool late)
{
	const char *cookie = NULL;
	enum err e = ERR_OK;

	if (r->authorization)
		e = bearer_authenticate(r, late);
	else if (r->cookie)
		cookie = cookie_value(r, r->cookie, AUTH_COOKIE);
	if (cookie)
		e = cookie_authenticate(r, cookie);
	if (e != ERR_OK) {
		r->user.id = 0;
		r->user.by_cookie = false;
		r->auth_err = e;
	}
}

void
auth_authenticate(struct req *r)
{
	authenticate(r, false);
}

void
auth_authenticate_late(struct req *r)
{
	authenticate(r, true);
}

enum err
auth_confirm(struct req *r)
{
	struct token_claims c = { .sub = r->user.id, .ver = r->user.ver };
	enum err e;

	if (!r->user.due)
		return ERR_OK;
	r->user.due = false;
	snprintf(c.fam, sizeof(c.fam), "%s", r->user.session);
	e = load_principal(r, &c);
	if (e != ERR_OK) {
		r->user.id = 0;
		r->auth_err = e;
	}
	return e;
}

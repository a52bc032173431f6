/* auth: passwords (libxcrypt) and tokens (libjwt 1.10, HS256), and the
 * router's step that turns a bearer token into the caller.  Only auth.c
 * includes crypt.h and jwt.h. */
#ifndef HAAS_AUTH_H
#define HAAS_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "req.h"

struct config;

#define AUTH_HASH_MAX 384

/* Hashes pw with the strongest method libxcrypt offers (yescrypt) into
 * out[AUTH_HASH_MAX].  Returns 0, or -1 if hashing failed. */
int auth_hash_password(const char *pw, char out[AUTH_HASH_MAX]);

/* Checks pw against a stored hash (yescrypt, bcrypt $2b$/$2y$, ...) in
 * constant time.  A NULL or unusable hash still costs one hash, so unknown
 * users take as long as wrong passwords. */
bool auth_verify_password(const char *pw, const char *hash);

enum token_type { TOKEN_ACCESS, TOKEN_REFRESH };

struct token_claims {
	long long sub;		/* user id */
	enum role role;
	long long iat, exp;
	long long ver;		/* user's token_version when issued */
	enum token_type typ;
	char jti[48];
	char fam[48];		/* session (refresh family) of either type */
};

/* Issues a signed token for c (iat, exp and jti are filled in from ttl and
 * fresh randomness).  Returns a malloc'd string the caller frees, or NULL
 * if signing failed. */
char *auth_issue_token(const struct config *cfg, struct token_claims *c,
		       long long ttl);

/* Verifies signature (HS256 only: alg none or any other is refused),
 * expiry, issuer and type.  ERR_TOKEN_INVALID on any failure. */
enum err auth_verify_token(const struct config *cfg, const char *token,
			   enum token_type want, struct token_claims *out);

/* Router step: reads "Authorization: Bearer <jwt>" or, without one, the
 * browser session cookie, verifies it and loads the user's live state, so
 * a disabled, deleted or logged-out account's token or session stops
 * working at once.  A write carried by the cookie must have this site's
 * Origin (else ERR_CROSS_SITE).  Sets r->user, or r->auth_err. */
void auth_authenticate(struct req *r);
/* The same, but a bearer token's account and session are left to be
 * checked later (r->user.due): by the handler's stored procedure, which
 * folds the check into its own round trip, or by auth_confirm. */
void auth_authenticate_late(struct req *r);
/* Checks a due principal now; on failure r->user is anonymous again and
 * the error (ERR_TOKEN_INVALID, ERR_DB_DOWN) is returned. */
enum err auth_confirm(struct req *r);

/* The browser session cookie: "haas_session=<family>.<secret>", HttpOnly,
 * Secure, SameSite=Strict, for the whole site. */
#define AUTH_COOKIE "haas_session"

/* The Set-Cookie value for session family with secret, living max_age
 * seconds, in r's pool; with a NULL family or secret, the value that
 * clears the cookie. */
const char *auth_cookie_header(struct req *r, const char *family,
			       const char *secret, long long max_age);

/* "user", "operator", "admin" <-> enum role; ROLE_NONE when unknown. */
const char *auth_role_name(enum role role);
enum role auth_role_parse(const char *s);

#endif

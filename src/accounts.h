/* accounts: sign-up, the four seeds' log-in paths, OAuth2 password grant,
 * refresh-token rotation, logout, password change, reset by mail and
 * e-mail verification; plus the account rules (password policy, email
 * and username shape) other modules use. */
#ifndef HAAS_ACCOUNTS_H
#define HAAS_ACCOUNTS_H

#include <stdbool.h>

#include "openapi.h"
#include "router.h"

struct db;

extern const struct route accounts_routes[];
/* The reusable schemas its routes name (for /api/openapi.json). */
extern const struct schema_def accounts_schemas[];

struct new_account {
	const char *username;	/* NULL or 3..64 of [A-Za-z0-9._-] */
	const char *email;	/* NULL or an address; stored lower-case */
	const char *name;
	const char *password;
	enum role role;
	const char *status;	/* "active" or "pending" */
	bool staff;		/* made by staff: the address counts as
				 * verified.  Otherwise (a self sign-up) an
				 * address is unverified and a verify mail
				 * goes out, in the caller's transaction;
				 * without a request (haasctl) it is staff's */
};

/* Checks a's shape and password policy, hashes the password and inserts
 * the user.  Errors: ERR_USERNAME_INVALID, ERR_EMAIL_INVALID,
 * ERR_PASSWORD_WEAK (message says why), ERR_USERNAME_TAKEN /
 * ERR_EMAIL_TAKEN, ERR_DB_*.  r may be NULL (haasctl); then no custom
 * messages are kept.  A self sign-up with an address also starts its
 * verification (accounts_verify_start), so it must run in a
 * transaction. */
enum err accounts_create(struct db *db, struct req *r,
			 const struct new_account *a, long long *id);

struct config;

/* Starts the verification of email, user uid's address: a single-use
 * token (its SHA-256 kept in user_tokens, valid verify_token_ttl) and the
 * account.verify notice with its link, in the caller's transaction. */
enum err accounts_verify_start(struct db *db, const struct config *cfg,
			       long long uid, const char *email);

/* Sets a new password for user id and makes every earlier token and
 * session of the user stop working, but the session named keep (NULL:
 * none kept), which follows the new token version. */
enum err accounts_set_password(struct db *db, struct req *r, long long id,
			       const char *password, const char *keep);

/* Ends every session of the user and bumps its token version, so every
 * refresh and access token dies at once. */
enum err accounts_revoke_all(struct db *db, long long id);

/* Ends one session (refresh family): its refresh tokens and every access
 * token minted from it stop working at once. */
enum err accounts_end_session(struct db *db, const char *family);

/* Password policy: 8+ characters, at most 1024 bytes, not the username or
 * email, not a common password.  On failure returns ERR_PASSWORD_WEAK with
 * the reason in r (when r is not NULL). */
enum err accounts_check_password(struct req *r, const char *pw,
				 const char *username, const char *email);

bool accounts_email_valid(const char *email);
bool accounts_username_valid(const char *username);

#endif

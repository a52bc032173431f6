/* bb: black-box test helpers.  Requests go to the real stack through nginx
 * over TLS (HAAS_TEST_URL); database assertions use the real MariaDB
 * through db.c (HAAS_CONFIG); stack control goes through scripts/stack. */
#ifndef HAAS_BB_H
#define HAAS_BB_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "db.h"

struct bb_resp {
	long status;		/* 0: the transfer failed */
	char *body;
	size_t body_len;
	char *headers;		/* raw header block, lower-cased names */
	json_object *json;	/* parsed body, or NULL */
};

/* Reads the environment scripts/test sets; call once from main. */
void bb_init(void);

/* One request.  token and ctype may be NULL; extra is one more header
 * line ("Idempotency-Key: abc") or NULL.  Never returns NULL. */
struct bb_resp *bb_req(const char *method, const char *path,
		       const char *token, const char *ctype, const char *body,
		       size_t len, const char *extra);
struct bb_resp *bb_get(const char *path, const char *token);
struct bb_resp *bb_json(const char *method, const char *path,
			const char *token, const char *json);
/* bb_req without the check against the description (tests/spec.c). */
struct bb_resp *bb_req_unchecked(const char *method, const char *path);
/* Checks an answer of haas's own site against /api/openapi.json: a
 * failed assertion in the running test when its status or body is not
 * what the operation declares.  bb_req and bb_req_how call it. */
void bb_spec_check(const char *method, const char *path,
		   const struct bb_resp *r);
/* Same, against the plain-http port. */
struct bb_resp *bb_req_http(const char *method, const char *path);
void bb_free(struct bb_resp *r);

/* obj.key of the JSON body as a string ("" when absent), or as an id
 * (0 when absent). */
const char *bb_sub(const struct bb_resp *r, const char *obj, const char *key);
long long bb_sub_id(const struct bb_resp *r, const char *obj, const char *key);

/* POST /api/register as a browser's form would (curl -F): name, email,
 * password (the test one), plate_number, then doc_arg and extra (more -F
 * or -H arguments, or "").  Returns the HTTP status; the body goes to
 * *body (caller frees). */
int bb_register(const char *email, const char *plate, const char *doc_arg,
		const char *extra, char **body);

/* Top-level string member of the JSON body ("" when absent). */
const char *bb_str(const struct bb_resp *r, const char *key);
/* Length of the top-level array member key, or -1 when it is not one. */
int bb_len(const struct bb_resp *r, const char *key);

/* Header value (case-insensitive name); NULL when absent.  Borrowed. */
const char *bb_header(struct bb_resp *r, const char *name);

/* What bb_req cannot ask for: another base URL (NULL: the stack's https
 * one), HTTP/1.1 instead of libcurl's HTTP/2, and the path sent exactly as
 * written (curl squashes "/../" otherwise). */
struct bb_site;

struct bb_how {
	const char *base;
	bool http1;
	bool path_as_is;
	struct bb_site *site;	/* a browser on a site: its host, its cookies */
	const char *token;	/* a bearer token, or NULL */
	/* The client's own address ("127.0.0.2"), or NULL: the connection
	 * is made from it, so nginx's REMOTE_ADDR is it (any 127/8 address
	 * is this machine's; nothing on the server side trusts a header). */
	const char *source;
	bool unchecked;		/* not checked against the description */
};

/* A browser on a site (README, "Sites"): requests go to the stack's
 * address with the site's host name (Host and SNI, as a DNS name pointed
 * at haas would), and keep the cookies the site sets, as a browser does.
 * The test stack serves the sites scripts/test names in HAAS_SITES. */
struct bb_site *bb_site_new(const char *host);
void bb_site_free(struct bb_site *s);
/* "https://HOST:PORT": what the site's pages send as Origin. */
const char *bb_site_origin(const struct bb_site *s);
/* One request on the site; extra: more header lines ("A: b\r\nC: d"),
 * or NULL.  A body is sent as ctype. */
struct bb_resp *bb_site_req(struct bb_site *s, const char *method,
			    const char *path, const char *ctype,
			    const char *body, const char *extra);
/* The same, JSON, with the site's own Origin (a page of the site calling
 * its API). */
struct bb_resp *bb_site_json(struct bb_site *s, const char *method,
			     const char *path, const char *json);

/* bb_req without a token, sent as how says. */
struct bb_resp *bb_req_how(const struct bb_how *how, const char *method,
			   const char *path, const char *ctype,
			   const char *body, size_t len, const char *extra);

/* A name unique to this run, e.g. bb_unique("user") -> "user_1234_7". */
char *bb_unique(const char *prefix);

/* Signs up a fresh user and logs in; returns the access token and sets
 * *uid.  Caller frees. */
char *bb_new_user(const char *prefix, long long *uid);
/* The admin's access token (credentials from HAAS_ADMIN_PASSWORD_FILE). */
char *bb_admin_token(void);
/* Logs in on /api/auth/login; returns the response. */
struct bb_resp *bb_login(const char *username, const char *password);

/* Outcomes of a race, counted from many threads at once. */
struct bb_tally {
	int ok;			/* the status the race wants */
	int conflict;		/* 409 */
	int other;
};

/* Counts r into t as ok (status want), conflict (409) or other; frees r. */
void bb_tally(struct bb_tally *t, struct bb_resp *r, long want);

/* Runs fn(i, arg) on n threads at once, released together. */
void bb_parallel(int n, void (*fn)(int i, void *arg), void *arg);

/* The test's own database handle. */
struct db *bb_db(void);
/* Another connection (to hold locks while the test runs); db_free it. */
struct db *bb_db_new(void);
/* haasd's pool size (config_workers of the stack's configuration). */
int bb_pool_size(void);
/* A connection as MariaDB's root over the stack's unix socket (the tests
 * run as root), for what the haas account may not see, such as other
 * sessions' lock waits; db_free it. */
struct db *bb_db_root(void);
/* First column of the first row as an integer (-1 on error, 0 no row). */
long long bb_db_int(const char *sql, const struct db_param *p, size_t np);

/* What the stack delivered (tests/inbox.c): the mail in its Maildir
 * (HAAS_TEST_MAILDIR) and the requests its webhook receiver answered
 * (HAAS_TEST_WEBHOOK_LOG), as scripts/test sets them. */

/* One message as a reader sees it.  Every member is a string the array
 * owns, "" when the message lacks it: message_id without its angle
 * brackets, to the address alone, subject with RFC 2047 words decoded,
 * kind the X-Haas-Kind header, body after the blank line with CRLF as LF
 * and quoted-printable or base64 undone, file the Maildir path. */
struct bb_mail {
	char *message_id, *to, *subject, *kind, *body, *file;
};

/* Every message in the Maildir's new/ and cur/, oldest first; *n gets the
 * count.  Free with bb_mail_free (also when *n is 0). */
struct bb_mail *bb_mail_all(size_t *n);
void bb_mail_free(struct bb_mail *m, size_t n);

/* Polls for up to seconds until at least want distinct Message-IDs to
 * `to` (case-insensitive) of kind (NULL: any) are in the Maildir; returns
 * how many there are then (so a test can wait for 1, let time pass and
 * see it is still 1). */
int bb_mail_wait(const char *to, const char *kind, int want, int seconds);

/* One request the webhook receiver answered.  Strings owned by the array,
 * "" when absent: path, body (raw), and the headers X-Haas-Message-Id,
 * X-Haas-Timestamp, X-Haas-Signature, X-Haas-Kind; status is what the
 * receiver answered, at when the request arrived (unix time). */
struct bb_hook {
	char *path, *body, *id, *timestamp, *signature, *kind;
	int status;
	double at;
};

/* Every request in the receiver's log, in arrival order; *n gets the
 * count.  Free with bb_hooks_free. */
struct bb_hook *bb_hooks_all(size_t *n);
void bb_hooks_free(struct bb_hook *h, size_t n);

/* Runs scripts/stack with the given arguments; returns its exit code. */
int bb_stack(const char *args);
/* Waits until GET /api/health answers want (up to seconds). */
bool bb_wait_health(long want, int seconds);

#endif

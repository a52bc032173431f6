/* req: one HTTP request as the handlers see it, with request-lifetime
 * memory, decoded path parameters, query and form fields, the caller, and
 * the reply being built.  Nothing here knows about FastCGI. */
#ifndef HAAS_REQ_H
#define HAAS_REQ_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "err.h"

struct app;
struct db;
struct db_param;

struct kv {
	const char *key;
	const char *val;
	size_t len;		/* of val, which may not hold a NUL */
};

enum role { ROLE_NONE = 0, ROLE_USER, ROLE_OPERATOR, ROLE_ADMIN };

/* The compatibility profile of a site: an old frontend served by haas's
 * nginx on its own host name speaks its client's dialect there (nginx
 * passes the profile as HAAS_PROFILE).  PROFILE_NONE: haas's own site. */
enum profile {
	PROFILE_NONE = 0,
	PROFILE_HAAS_REACT,	/* the HaaS React app (seed 000) */
	PROFILE_MSMP,		/* the MSMP portal and lock agent (seed 001) */
	PROFILE_ELECTROPORTS,	/* the ElectroPorts React shop (seed 002) */
};

#define PROFILE_BIT(p) (1u << (p))

/* "haas-react", "msmp", "electroports" -> the profile; PROFILE_NONE for
 * anything else (and NULL). */
enum profile req_profile_parse(const char *s);

/* The authenticated caller, filled by the router from a bearer token. */
struct principal {
	long long id;
	enum role role;
	const char *session;	/* the token's session (refresh family) */
	bool by_cookie;		/* authenticated by the browser session cookie */
	/* A bearer token whose signature and expiry are checked but whose
	 * account and session are not yet: the handler's procedure checks
	 * them in its own round trip (req_principal_due), or the router
	 * does after the handler (auth_confirm).  Until then role is
	 * ROLE_USER whatever the token says. */
	bool due;
	long long ver;			/* the token's version, while due */
};

struct pool_item;
struct field_value;

#define REQ_MAX_PARAMS 8
#define REQ_MAX_HEADERS 8
#define REQ_MAX_EVENTS 4

struct req {
	const struct app *app;
	struct db *db;

	/* request, as received (borrowed from the transport) */
	const char *method;
	const char *uri;		/* raw path, no query */
	const char *query;
	const char *content_type;
	const char *authorization;
	const char *idempotency_key;
	const char *device_key;
	const char *remote_addr;
	const char *request_id;
	const char *fault;		/* X-Haas-Fault (tests only) */
	const char *cookie;		/* the Cookie header */
	const char *origin;		/* the Origin header */
	const char *site_origin;	/* this site's origin, from nginx */
	enum profile profile;		/* the site's profile, from nginx */
	const char *body;
	size_t body_len;

	/* derived by the router */
	struct kv params[REQ_MAX_PARAMS];
	size_t nparams;
	struct kv *qs;
	size_t nqs;
	json_object *json;		/* parsed JSON or form body, owned */
	struct field_value *vals;	/* the route's fields, read by the router */
	struct principal user;		/* id 0: anonymous */
	enum err auth_err;		/* why a presented token was refused */
	const struct route *route;	/* the route matched; NULL: none */

	/* reply */
	int status;
	json_object *reply;		/* owned; NULL for an empty body */
	/* A reply that is not JSON (/api/metrics): its text, in r's pool,
	 * and Content-Type; sent when reply is NULL. */
	const char *text;
	const char *text_type;
	bool replayed;			/* an Idempotency-Key's stored reply */
	const char *err_msg;		/* overrides the table's sentence */
	json_object *err_extra;		/* merged into the error body, owned */
	struct kv headers[REQ_MAX_HEADERS];
	size_t nheaders;
	/* live events for browsers, published once the request succeeded
	 * and nothing is left to commit (req_event) */
	struct req_event {
		const char *channel;
		json_object *event;	/* owned */
		bool committed;	/* announced outside any transaction */
	} events[REQ_MAX_EVENTS];
	size_t nevents;

	struct pool_item *pool;
};

/* Prepares r for a new request; app and db stay as set by the caller. */
void req_init(struct req *r, const struct app *app, struct db *db);
/* Frees everything hung off r during the request. */
void req_reset(struct req *r);

/* Request-lifetime allocations, freed by req_reset. */
void *req_alloc(struct req *r, size_t n);
char *req_strndup(struct req *r, const char *s, size_t n);
char *req_strdup(struct req *r, const char *s);
char *req_printf(struct req *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Path parameter {name}; NULL when the route has none by that name. */
const char *req_param(const struct req *r, const char *name);
/* Query parameter (decoded); NULL when absent. */
const char *req_query(const struct req *r, const char *name);
/* Integer query parameter in [min, max], def when absent; ERR_BAD_QUERY
 * (with a message naming it) otherwise. */
enum err req_query_int(struct req *r, const char *name, long long def,
		       long long min, long long max, long long *out);
/* Time query parameter ?name=, ISO 8601 (isotime_parse; without a zone it
 * is read in the configured timezone), as microseconds since the epoch;
 * def when absent or empty; ERR_BAD_QUERY naming it otherwise. */
enum err req_query_time(struct req *r, const char *name, long long def,
			long long *us);
/* The same as a UTC DATETIME(6) parameter in r's pool; NULL when absent. */
enum err req_query_db_time(struct req *r, const char *name,
			   const char **out);
/* us as a UTC DATETIME(6) parameter, in r's pool. */
const char *req_db_time(struct req *r, long long us);
/* The one paging parser: limit (default 50, 1 to 500), offset (0 to
 * 10^9) and cursor (a positive id; default: from the newest).  The router
 * checks whichever of the three a GET carries before any handler runs, so
 * a bad one is 400 on every list, paged or not. */
enum err req_paging(struct req *r, long long *limit, long long *offset);
enum err req_cursor_paging(struct req *r, long long *limit,
			   long long *cursor);
enum err req_paging_check(struct req *r);

/* Adds a response header (name and value must live as long as r). */
void req_header(struct req *r, const char *name, const char *value);

/* Sets a custom error sentence (copied), and returns e for chaining:
 * return req_fail(r, ERR_FIELD_INVALID, "units must be positive"). */
enum err req_fail(struct req *r, enum err e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Adds key: value to the error body (takes ownership of value). */
void req_fail_extra(struct req *r, const char *key, json_object *value);

/* Parses application/x-www-form-urlencoded or query text s[0..n) into an
 * array of decoded pairs in r's pool.  ERR_BAD_FORM on a bad escape,
 * invalid UTF-8 or NUL. */
enum err req_parse_urlencoded(struct req *r, const char *s, size_t n,
			      struct kv **out, size_t *nout);

/* Percent-decodes s[0..n) into r's pool; '+' becomes space when plus is
 * true.  NULL on a bad escape, a NUL byte or invalid UTF-8. */
char *req_urldecode(struct req *r, const char *s, size_t n, bool plus,
		    size_t *outlen);

typedef enum err (*req_txn_fn)(struct req *r, void *arg);

/* Runs fn(r, arg) inside one transaction: COMMIT when it returns ERR_OK,
 * ROLLBACK otherwise.  Every write of more than one statement goes through
 * here.  After a deadlock (ERR_DB_RETRY) the whole transaction runs again
 * from the start, with the reply and headers as they were before it, after
 * a short random pause that spreads the contenders, up to
 * REQ_TXN_ATTEMPTS times; fn must therefore be safe to repeat.  A lock
 * wait that runs out is ERR_DB_BUSY (503 with Retry-After), not retried.
 * Called inside a transaction (an Idempotency-Key request runs the whole
 * handler in one), fn runs under a savepoint: its own errors roll back to
 * it, while a deadlock, lost connection or lock timeout abandons the whole
 * transaction and is passed up to the outermost req_txn. */
#define REQ_TXN_ATTEMPTS 6
enum err req_txn(struct req *r, req_txn_fn fn, void *arg);

/* A write path that is one stored procedure: calls it (db_call) and reads
 * the JSON object it answers into *out (the caller puts it).  The
 * procedure runs its own transaction when none is open, so the rows it
 * locks are held for server work only; a deadlock then runs it again, as
 * req_txn would.  Inside a transaction (an Idempotency-Key request) it
 * joins that one.  A refusal's details (db_signal_arg) join the error
 * body; a string "error" among them is its message instead.  Its first three parameters are REQ_PRINCIPAL(r): the procedure
 * checks a due principal's account and session itself (ERR_TOKEN_INVALID),
 * and a successful call confirms it.  A refusal whose details are too long
 * for a SIGNAL is answered instead, once the procedure has checked the
 * principal and written nothing: {"refused": "NAME", ...details} is
 * ERR_NAME with the details in the error body, as a SIGNAL would be. */
enum err req_call(struct req *r, const char *sql, const struct db_param *p,
		  size_t np, json_object **out);
/* The caller and, while it is due, its session and token version (else
 * NULL: nothing left to check). */
#define REQ_PRINCIPAL(r) db_int((r)->user.id), \
	db_str((r)->user.due ? (r)->user.session : NULL), \
	db_int((r)->user.ver)

/* Announces event (taken over) on an events.h channel when the request
 * ends: the router publishes it after the reply is rendered and nothing
 * is left to commit.  Announced outside any transaction, the change it
 * names has committed, so it goes out whatever the request's status;
 * announced inside one (an Idempotency-Key request's, whose commit comes
 * after the handler), only when the request succeeded (status < 400).  A
 * retried transaction's earlier attempt and a replayed reply announce
 * nothing.  More than REQ_MAX_EVENTS are dropped (logged). */
void req_event(struct req *r, const char *channel, json_object *event);
/* Publishes the announced events (all: the request succeeded; else only
 * those announced outside a transaction) and forgets them (router). */
void req_events_flush(struct req *r, bool all);
/* Forgets the events announced after the first keep. */
void req_events_drop(struct req *r, size_t keep);

/* Errors that abandon a whole transaction, at every nesting level:
 * deadlock, lost connection, lock timeout, internal failure. */
bool req_err_fatal(enum err e);

struct db_rows;
struct db_param;

/* Builds the JSON of one result row (a new reference). */
typedef json_object *(*row_json_fn)(const struct db_rows *row);

/* The one-row read: runs the query (ncols columns) and turns its row into
 * JSON with fn, a new reference in *out; no row is missing.  */
enum err req_row_json(struct req *r, const char *sql,
		      const struct db_param *p, size_t np, unsigned ncols,
		      enum err missing, row_json_fn fn, json_object **out);
/* The same, added to the reply under key (NULL: it becomes the reply). */
enum err req_reply_row(struct req *r, const char *key, const char *sql,
		       const struct db_param *p, size_t np, unsigned ncols,
		       enum err missing, row_json_fn fn);

/* The first column of a one-row query (a COUNT) added to the reply as the
 * integer key. */
enum err req_reply_count(struct req *r, const char *key, const char *sql,
			 const struct db_param *p, size_t np);

/* The JSON reply under construction, created as {} on first use. */
json_object *req_reply(struct req *r);

/* Shorthand used across handlers: the value of an id as a JSON string,
 * since numeric ids render as strings ("user_id": "42"). */
json_object *json_id(long long id);
/* A "YYYY-MM-DD HH:MM:SS[.f]" UTC database time as ISO 8601 "...Z";
 * JSON null for NULL. */
json_object *json_time(const char *db_time);
/* A string or JSON null. */
json_object *json_str_or_null(const char *s);

#endif

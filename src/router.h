/* router: route tables as data.  Each domain exports a table of routes;
 * the router matches method and path, decodes {params}, authenticates the
 * caller, enforces the route's role, parses the body the route declares,
 * calls the one handler, and renders errors from the error table. */
#ifndef HAAS_ROUTER_H
#define HAAS_ROUTER_H

#include "err.h"
#include "req.h"

typedef enum err (*handler_fn)(struct req *r);

enum body_kind {
	BODY_NONE,		/* body ignored */
	BODY_JSON,		/* a JSON object is required */
	BODY_JSON_OPTIONAL,	/* a JSON object if there is a body */
	BODY_FORM,		/* urlencoded form (or JSON), as r->json */
	BODY_RAW,		/* handler reads r->body itself */
};

enum route_flags {
	ROUTE_IDEMPOTENT = 1 << 0,	/* honours Idempotency-Key */
	ROUTE_DEVICE_KEY = 1 << 1,	/* also answers a lab PC's X-Device-Key */
	/* The handler's stored procedure checks a bearer token's account
	 * and session in its own round trip (req_call, REQ_PRINCIPAL); the
	 * handler must not act as anyone in particular before the call,
	 * nor read r->user.role (ROLE_USER while due, and after the call).
	 * A route of a higher role passes that role to its procedure,
	 * which checks it with the account (haas_principal_role): the
	 * router lets a due principal reach the handler as a user.  A
	 * request that never gets there is checked after the handler
	 * (auth_confirm), its role too. */
	ROUTE_AUTH_LATE = 1 << 2,
};

struct field;

/* A query parameter a route reads (for its description; the handler
 * still checks it with req_query_*). */
struct qparam {
	const char *name;
	const char *type;	/* "string", "integer", "boolean", "date-time" */
	const char *about;
};

struct route {
	const char *method;
	const char *path;	/* "/api/things/{id}" */
	enum role role;		/* ROLE_NONE: public */
	int status;		/* on success */
	enum body_kind body;
	handler_fn handler;
	const char *summary;	/* one line, for /api/openapi.json */
	unsigned flags;		/* enum route_flags */
	unsigned profiles;	/* PROFILE_BITs it answers on; 0: every site */
	/* The body's fields: the router reads them (body_fields) into
	 * r->vals, in this order, before the handler runs. */
	const struct field *fields;
	size_t nfields;
	const struct qparam *query;	/* NULL-name terminated, or NULL */
	/* A body no field spec can say (a map), in the reply notation; the
	 * handler reads it.  Only without fields. */
	const char *body_notation;
	/* What it answers on success, in openapi.c's notation ("User",
	 * "{users: [User], total: int}"); NULL: an object not described;
	 * a media type ("text/plain"): a reply that is not JSON (r->text). */
	const char *reply;
	/* Errors it may answer besides the router's own (ERR_OK ends the
	 * list), each documented under its status. */
	const enum err *errors;
};

/* The paging parameters every list reads (req_paging, req_cursor_paging),
 * as entries of a route's .query. */
#define QP_LIMIT { "limit", "integer", "At most this many (1 to 500, default 50)" }
#define QP_OFFSET { "offset", "integer", "How many to skip (default 0)" }
#define QP_CURSOR { "cursor", "integer", "The next_cursor of the page before" }

/* A list's paging, whole: .query = route_paging (limit, offset) or
 * route_cursor_paging (cursor, limit). */
extern const struct qparam route_paging[];
extern const struct qparam route_cursor_paging[];

/* In a route row: .fields and .nfields from one spec array. */
#define ROUTE_FIELDS(spec) .fields = (spec), \
	.nfields = sizeof(spec) / sizeof((spec)[0])
/* An errors list: ROUTE_ERRORS(ERR_X, ERR_Y). */
#define ROUTE_ERRORS(...) .errors = (const enum err[]){ __VA_ARGS__, ERR_OK }

/* One domain's routes and the tag they carry in /api/openapi.json. */
struct schema_def;
struct route_table {
	const char *tag;
	const char *about;
	const struct route *routes;
	const struct schema_def *schemas;	/* NULL-name ended, or NULL */
};

/* Every domain's table, ended by one with no routes (routes.c). */
extern const struct route_table route_tables[];

/* Handles r from start to finish: afterwards r->status and r->reply hold
 * what to send (errors already rendered as {"error": ...}). */
void router_handle(struct req *r);

/* Renders e into r as status and {"error": ...} body. */
void router_render_error(struct req *r, enum err e);

/* True when path (a pattern) matches uri; used by tests and openapi. */
bool router_match(struct req *r, const char *pattern, const char *uri);

#endif

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
};

/* Every domain's table, NULL-terminated (defined in routes.c). */
extern const struct route *const route_tables[];

/* Handles r from start to finish: afterwards r->status and r->reply hold
 * what to send (errors already rendered as {"error": ...}). */
void router_handle(struct req *r);

/* Renders e into r as status and {"error": ...} body. */
void router_render_error(struct req *r, enum err e);

/* True when path (a pattern) matches uri; used by tests and openapi. */
bool router_match(struct req *r, const char *pattern, const char *uri);

#endif

/* router: dispatch from route tables, with 404/405, roles and bodies. */
#include "router.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "app.h"
#include "auth.h"
#include "body.h"
#include "db.h"
#include "idempotency.h"
#include "log.h"
#include "util.h"

#define MAX_SEGMENTS 16

const struct qparam route_paging[] = { QP_LIMIT, QP_OFFSET, { NULL } };
const struct qparam route_cursor_paging[] = { QP_CURSOR, QP_LIMIT, { NULL } };

/* Matches uri against pattern segment by segment; on a match the decoded
 * {param} values are stored in r->params.  A bad escape in a segment that
 * a pattern would capture makes the match fail. */
bool
router_match(struct req *r, const char *pattern, const char *uri)
{
	const char *p = pattern, *u = uri;

	r->nparams = 0;
	while (*p && *u) {
		size_t plen, ulen;

		if (*p != '/' || *u != '/')
			return false;
		p++, u++;
		plen = strcspn(p, "/");
		ulen = strcspn(u, "/");
		if (plen > 2 && p[0] == '{' && p[plen - 1] == '}') {
			char *val = req_urldecode(r, u, ulen, false, NULL);

			if (!val || !*val || r->nparams >= REQ_MAX_PARAMS)
				return false;
			r->params[r->nparams].key = req_strndup(r, p + 1, plen - 2);
			r->params[r->nparams].val = val;
			r->params[r->nparams].len = strlen(val);
			r->nparams++;
		} else if (plen != ulen || strncmp(p, u, plen)) {
			return false;
		}
		p += plen, u += ulen;
	}
	return *p == '\0' && *u == '\0';
}

/* Finds the route for r; ERR_NOT_FOUND or ERR_METHOD_NOT_ALLOWED (with
 * Allow set) when there is none. */
/* Appends method to the comma-separated Allow list unless present. */
static void
allow_add(char *allow, size_t cap, const char *method)
{
	size_t n = strlen(allow);

	if (strstr(allow, method))
		return;
	snprintf(allow + n, cap - n, "%s%s", n ? ", " : "", method);
}

/* Finds the route for r; ERR_NOT_FOUND or ERR_METHOD_NOT_ALLOWED (with
 * Allow set) when there is none. */
static enum err
route_find(struct req *r, const struct route **out)
{
	char allow[128] = "";
	size_t t;

	for (t = 0; route_tables[t].routes; t++) {
		const struct route *rt;

		for (rt = route_tables[t].routes; rt->method; rt++) {
			if (rt->profiles && !(rt->profiles & PROFILE_BIT(r->profile)))
				continue;
			if (!router_match(r, rt->path, r->uri))
				continue;
			if (!strcmp(rt->method, r->method)) {
				*out = rt;
				return ERR_OK;
			}
			allow_add(allow, sizeof(allow), rt->method);
		}
	}
	r->nparams = 0;
	if (!*allow)
		return ERR_NOT_FOUND;
	allow_add(allow, sizeof(allow), "OPTIONS");
	req_header(r, "Allow", req_strdup(r, allow));
	return ERR_METHOD_NOT_ALLOWED;
}

/* Does the Content-Type name this media type (ignoring parameters)? */
static bool
ctype_is(const char *ctype, const char *want)
{
	size_t n = strlen(want);

	if (!ctype || strncasecmp(ctype, want, n))
		return false;
	return ctype[n] == '\0' || ctype[n] == ';' || ctype[n] == ' ';
}

static enum err
parse_body(struct req *r, enum body_kind kind)
{
	const struct config *cfg = &r->app->cfg;

	if (kind == BODY_NONE || kind == BODY_RAW)
		return ERR_OK;
	if (kind == BODY_JSON_OPTIONAL && r->body_len == 0) {
		r->json = json_object_new_object();
		return ERR_OK;
	}
	if (kind == BODY_FORM &&
	    ctype_is(r->content_type, "application/x-www-form-urlencoded")) {
		struct kv *kv;
		size_t n;

		if (req_parse_urlencoded(r, r->body, r->body_len, &kv, &n))
			return ERR_BAD_FORM;
		r->json = body_form_object(kv, n);
		return ERR_OK;
	}
	if (!ctype_is(r->content_type, "application/json"))
		return req_fail(r, ERR_MEDIA_TYPE,
				kind == BODY_FORM
				? "Content-Type must be application/x-www-form-urlencoded or application/json"
				: "Content-Type must be application/json");
	return body_parse_json(r->body, r->body_len, (int)cfg->json_max_depth,
			       &r->json);
}

/* The route's declared fields into r->vals (a form or an absent optional
 * body reads as an empty object). */
static enum err
read_fields(struct req *r, const struct route *rt)
{
	r->vals = req_alloc(r, rt->nfields * sizeof(*r->vals));
	memset(r->vals, 0, rt->nfields * sizeof(*r->vals));
	return body_fields(r, r->json, rt->fields, rt->nfields, r->vals);
}

static enum err
check_role(struct req *r, enum role need)
{
	if (need == ROLE_NONE)
		return ERR_OK;
	if (!r->user.id) {
		if (r->auth_err == ERR_DB_DOWN)
			return ERR_DB_DOWN;
		req_header(r, "WWW-Authenticate", "Bearer");
		return r->auth_err ? r->auth_err : ERR_UNAUTHORIZED;
	}
	return r->user.role >= need ? ERR_OK : ERR_FORBIDDEN;
}

/* Runs the handler and renders its outcome into r (status and body). */
static void
render(struct req *r, const struct route *rt, enum err e)
{
	if (e != ERR_OK) {
		router_render_error(r, e);
	} else if (!r->status) {	/* 0 unless a stored reply was replayed */
		r->status = rt->status;
		if (r->status == 204) {
			json_object_put(r->reply);
			r->reply = NULL;
		}
	}
}

static enum err
call_handler(struct req *r, void *arg)
{
	const struct route *rt = arg;

	return rt->handler(r);
}

/* An Idempotency-Key request is one transaction: the claim, the handler
 * (under a savepoint, so its own refusal leaves the claim) and the stored
 * response commit together or not at all. */
static enum err
idem_tx(struct req *r, void *arg)
{
	const struct route *rt = arg;
	bool replayed = false;
	enum err e = idem_claim(r, &replayed);

	if (e != ERR_OK || replayed)
		return e;
	e = req_txn(r, call_handler, arg);
	if (req_err_fatal(e))
		return e;
	render(r, rt, e);
	return idem_store(r);
}

static enum err
dispatch(struct req *r, const struct route **matched)
{
	const struct route *rt = NULL;
	enum err e;

	if (r->query && *r->query &&
	    req_parse_urlencoded(r, r->query, strlen(r->query), &r->qs, &r->nqs))
		return req_fail(r, ERR_BAD_QUERY, "Invalid query string");
	e = route_find(r, &rt);
	if (e != ERR_OK)
		return e;
	*matched = rt;
	r->route = rt;
	/* An Idempotency-Key's claim is taken as the caller: checked now. */
	if ((rt->flags & ROUTE_AUTH_LATE) && !r->idempotency_key)
		auth_authenticate_late(r);
	else
		auth_authenticate(r);
	/* A due principal's role is not known yet: a route above ROLE_USER
	 * passes it to its procedure, which checks it with the account
	 * (haas_principal_role), or late_confirm checks it. */
	e = check_role(r, r->user.due ? ROLE_USER : rt->role);
	if (e == ERR_OK && !strcmp(r->method, "GET"))
		e = req_paging_check(r);
	if (e == ERR_OK)
		e = parse_body(r, rt->body);
	if (e == ERR_OK && rt->nfields)
		e = read_fields(r, rt);
	if (e != ERR_OK)
		return e;
	if ((rt->flags & ROUTE_IDEMPOTENT) && r->idempotency_key)
		return req_txn(r, idem_tx, (void *)rt);
	return rt->handler(r);
}

void
router_render_error(struct req *r, enum err e)
{
	json_object *obj = json_object_new_object();

	json_object_object_add(obj, "error", json_object_new_string(
		r->err_msg ? r->err_msg : err_message(e)));
	json_object_object_add(obj, "code", json_object_new_string(err_code(e)));
	if (r->err_extra) {
		json_object_object_foreach(r->err_extra, key, val)
			json_object_object_add(obj, key, json_object_get(val));
	}
	json_object_put(r->reply);
	r->reply = obj;
	r->text = NULL;
	r->status = err_status(e);
	/* Every 503 is worth retrying shortly: the database is restarting,
	 * or a lock is held. */
	if (r->status == 503)
		req_header(r, "Retry-After", "1");
}

/* Tests only (fault_injection = 1): X-Haas-Fault arms db.c's hook for
 * this request. */
static void
fault_arm(struct req *r)
{
	const char *match = NULL;
	enum db_fault f;

	if (!r->app->cfg.fault_injection || !r->fault)
		return;
	f = db_fault_parse(r->fault, &match);
	if (f != DB_FAULT_NONE)
		db_fault_arm(r->db, f, match);
}

/* A late-checked principal (ROUTE_AUTH_LATE) the handler never confirmed,
 * because it refused the request before its procedure (or its procedure
 * refused it): the account and session are checked now, then the route's
 * role, and their refusal is the answer, as it would have been had they
 * been checked first. */
static void
late_confirm(struct req *r, const struct route *rt, enum err *e)
{
	enum err a;

	if (!r->user.due)
		return;
	if (*e == ERR_OK)
		log_error("%s %s: a late principal was never checked",
			  r->method, r->uri);
	a = auth_confirm(r);
	if (a == ERR_OK && rt && r->user.role < rt->role)
		a = ERR_FORBIDDEN;
	if (a == ERR_OK)
		return;
	json_object_put(r->err_extra);
	r->err_extra = NULL;
	r->err_msg = NULL;
	if (a != ERR_DB_DOWN && a != ERR_FORBIDDEN)
		req_header(r, "WWW-Authenticate", "Bearer");
	*e = a;
}

void
router_handle(struct req *r)
{
	const struct route *rt = NULL;
	enum err e;

	fault_arm(r);
	e = dispatch(r, &rt);
	late_confirm(r, rt, &e);
	if (db_txn_depth(r->db) > 0) {
		log_error("%s %s left a transaction open; rolled back",
			  r->method, r->uri);
		db_abort(r->db);
		if (e == ERR_OK)
			e = ERR_INTERNAL;
	}
	/* An Idempotency-Key request has rendered its reply already. */
	if (e != ERR_OK || !r->status)
		render(r, rt, e);
	/* Nothing is left to commit: what committed is announced. */
	req_events_flush(r, r->status < 400);
	db_fault_arm(r->db, DB_FAULT_NONE, NULL);
}

/* openapi: the description generated from the route tables. */
#include "openapi.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "body.h"
#include "err.h"
#include "router.h"
#include "util.h"

/* ---- the reply notation -------------------------------------------------- */

struct cursor {
	const char *p;
	bool bad;
};

static void
skip_space(struct cursor *c)
{
	while (isspace((unsigned char)*c->p))
		c->p++;
}

static bool
eat(struct cursor *c, char ch)
{
	skip_space(c);
	if (*c->p != ch)
		return false;
	c->p++;
	return true;
}

/* A word: letters, digits, '_' and '.' (keys), in buf. */
static bool
word(struct cursor *c, char *buf, size_t cap)
{
	size_t n = 0;

	skip_space(c);
	while (n + 1 < cap && (isalnum((unsigned char)*c->p) ||
			       *c->p == '_' || *c->p == '.' || *c->p == '$'))
		buf[n++] = *c->p++;
	buf[n] = '\0';
	return n > 0;
}

static json_object *
typed(const char *type, const char *format)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "type", json_object_new_string(type));
	if (format)
		json_object_object_add(o, "format",
				       json_object_new_string(format));
	return o;
}

/* A name's schema: a scalar, or a $ref to a component. */
static json_object *
named(const char *name)
{
	static const struct { const char *name, *type, *format; } scalars[] = {
		{ "int", "integer", NULL }, { "number", "number", NULL },
		{ "string", "string", NULL }, { "bool", "boolean", NULL },
		{ "time", "string", "date-time" }, { "date", "string", "date" },
		{ "object", "object", NULL }, { "null", "null", NULL },
	};
	json_object *o;
	char *ref;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(scalars); i++)
		if (!strcmp(name, scalars[i].name))
			return typed(scalars[i].type, scalars[i].format);
	if (!strcmp(name, "id")) {
		o = typed("string", NULL);
		json_object_object_add(o, "pattern",
				       json_object_new_string("^[0-9]+$"));
		return o;
	}
	if (!strcmp(name, "any"))
		return json_object_new_object();
	if (!isupper((unsigned char)name[0]))
		return NULL;
	o = json_object_new_object();
	ref = xasprintf("#/components/schemas/%s", name);
	json_object_object_add(o, "$ref", json_object_new_string(ref));
	free(ref);
	return o;
}

/* s, or null too. */
static json_object *
nullable(json_object *s)
{
	json_object *o = json_object_new_object(), *any = json_object_new_array();

	json_object_array_add(any, s);
	json_object_array_add(any, typed("null", NULL));
	json_object_object_add(o, "anyOf", any);
	return o;
}

/* o with its "required" list, unless that is empty (taken over). */
static json_object *
with_required(json_object *o, json_object *required)
{
	if (json_object_array_length(required))
		json_object_object_add(o, "required", required);
	else
		json_object_put(required);
	return o;
}

static json_object *parse_type(struct cursor *c);

static json_object *
parse_object(struct cursor *c)
{
	json_object *o = typed("object", NULL), *props = json_object_new_object();
	json_object *required = json_object_new_array(), *t = NULL;
	char key[64];
	bool optional;

	json_object_object_add(o, "properties", props);
	if (eat(c, '}'))
		goto done;
	/* {*: T}: a map, any key to a T */
	if (eat(c, '*')) {
		if (!eat(c, ':') || !(t = parse_type(c)) || !eat(c, '}')) {
			json_object_put(t);
			c->bad = true;
		} else {
			json_object_object_add(o, "additionalProperties", t);
		}
		goto done;
	}
	do {
		if (!word(c, key, sizeof(key))) {
			c->bad = true;
			break;
		}
		optional = eat(c, '?');
		if (!eat(c, ':') || !(t = parse_type(c))) {
			c->bad = true;
			break;
		}
		json_object_object_add(props, key, t);
		if (!optional)
			json_object_array_add(required, json_object_new_string(key));
	} while (eat(c, ','));
	if (!c->bad && !eat(c, '}'))
		c->bad = true;
done:
	return with_required(o, required);
}

static json_object *
parse_type(struct cursor *c)
{
	json_object *t = NULL;
	char name[64];

	if (eat(c, '[')) {
		json_object *items = parse_type(c);

		if (!items || !eat(c, ']')) {
			json_object_put(items);
			c->bad = true;
			return NULL;
		}
		t = typed("array", NULL);
		json_object_object_add(t, "items", items);
	} else if (eat(c, '{')) {
		t = parse_object(c);
	} else if (word(c, name, sizeof(name))) {
		t = named(name);
	}
	if (!t || c->bad) {
		json_object_put(t);
		c->bad = true;
		return NULL;
	}
	skip_space(c);
	if (*c->p == '?') {
		c->p++;
		t = nullable(t);
	}
	return t;
}

json_object *
openapi_schema(const char *text)
{
	struct cursor c = { .p = text };
	json_object *t = parse_type(&c);

	skip_space(&c);
	if (!t || c.bad || *c.p) {
		json_object_put(t);
		return NULL;
	}
	return t;
}

/* ---- request bodies from field specs ------------------------------------ */

static json_object *
field_schema(const struct field *f)
{
	json_object *s;

	switch (f->type) {
	case FT_STRING:
		s = typed("string", NULL);
		if (f->min > 0)
			json_object_object_add(s, "minLength",
					       json_object_new_int64(f->min));
		if (f->max > 0)
			json_object_object_add(s, "maxLength",
					       json_object_new_int64(f->max));
		break;
	case FT_INT:
		s = typed("integer", NULL);
		if (f->min || f->max) {
			json_object_object_add(s, "minimum",
					       json_object_new_int64(f->min));
			json_object_object_add(s, "maximum",
					       json_object_new_int64(f->max));
		}
		json_object_object_add(s, "description", json_object_new_string(
			"An integer (a string of digits is read as one)."));
		break;
	case FT_BOOL:
		s = typed("boolean", NULL);
		break;
	case FT_ID:
		s = json_object_new_object();
		{
			json_object *types = json_object_new_array();

			json_object_array_add(types,
					      json_object_new_string("integer"));
			json_object_array_add(types,
					      json_object_new_string("string"));
			json_object_object_add(s, "type", types);
		}
		json_object_object_add(s, "description", json_object_new_string(
			"A positive id, as a number or a string of digits."));
		break;
	case FT_OBJECT:
		s = typed("object", NULL);
		break;
	default:
		s = typed("array", NULL);
		break;
	}
	if (f->flags & F_OID) {
		json_object *any = json_object_new_array(), *o;

		json_object_array_add(any, s);
		json_object_array_add(any, openapi_schema("{$oid: string}"));
		o = json_object_new_object();
		json_object_object_add(o, "anyOf", any);
		json_object_object_add(o, "description", json_object_new_string(
			"Also as {\"$oid\": \"...\"} (the HaaS app's ids)."));
		s = o;
	}
	return (f->flags & F_NULLABLE) ? nullable(s) : s;
}

static json_object *
body_schema(const struct route *rt)
{
	json_object *o = typed("object", NULL), *props = json_object_new_object();
	json_object *required = json_object_new_array();
	size_t i;

	for (i = 0; i < rt->nfields; i++) {
		json_object_object_add(props, rt->fields[i].name,
				       field_schema(&rt->fields[i]));
		if (rt->fields[i].flags & F_REQUIRED)
			json_object_array_add(required, json_object_new_string(
				rt->fields[i].name));
	}
	json_object_object_add(o, "properties", props);
	return with_required(o, required);
}

static json_object *
media(json_object *schema)
{
	json_object *m = json_object_new_object();

	json_object_object_add(m, "schema", schema);
	return m;
}

static json_object *
request_body(const struct route *rt)
{
	json_object *rb = json_object_new_object(), *content;

	content = json_object_new_object();
	if (rt->body == BODY_RAW) {
		json_object_object_add(content, "multipart/form-data",
				       media(typed("object", NULL)));
	} else if (!rt->nfields && rt->body_notation) {
		json_object_object_add(content, "application/json",
				       media(openapi_schema(rt->body_notation)));
	} else {
		json_object_object_add(content, "application/json",
				       media(body_schema(rt)));
		if (rt->body == BODY_FORM)
			json_object_object_add(content,
				"application/x-www-form-urlencoded",
				media(body_schema(rt)));
	}
	json_object_object_add(rb, "required", json_object_new_boolean(
		rt->body != BODY_JSON_OPTIONAL));
	json_object_object_add(rb, "content", content);
	return rb;
}

/* ---- parameters ---------------------------------------------------------- */

static json_object *
param(const char *name, const char *in, bool required, json_object *schema,
      const char *about)
{
	json_object *p = json_object_new_object();

	json_object_object_add(p, "name", json_object_new_string(name));
	json_object_object_add(p, "in", json_object_new_string(in));
	json_object_object_add(p, "required", json_object_new_boolean(required));
	json_object_object_add(p, "schema", schema);
	if (about)
		json_object_object_add(p, "description",
				       json_object_new_string(about));
	return p;
}

static json_object *
parameters(const struct route *rt)
{
	json_object *list = json_object_new_array();
	const char *p = rt->path, *open, *close;
	const struct qparam *q;

	while ((open = strchr(p, '{')) && (close = strchr(open, '}'))) {
		char *name = xstrndup(open + 1, (size_t)(close - open - 1));

		json_object_array_add(list, param(name, "path", true,
						  typed("string", NULL), NULL));
		free(name);
		p = close + 1;
	}
	for (q = rt->query; q && q->name; q++) {
		json_object *s = !strcmp(q->type, "date-time")
			? typed("string", "date-time") : typed(q->type, NULL);

		json_object_array_add(list, param(q->name, "query", false, s,
						  q->about));
	}
	if (rt->flags & ROUTE_IDEMPOTENT)
		json_object_array_add(list, param("Idempotency-Key", "header",
			false, typed("string", NULL),
			"Sent again with the same request, answers what the "
			"first answered and does nothing twice."));
	return list;
}

/* ---- responses ----------------------------------------------------------- */

/* Adds e's code under its status in by_status {"404": ["not_found"]}. */
static void
error_add(json_object *by_status, enum err e)
{
	char status[8];
	json_object *codes, *c;
	size_t i;

	snprintf(status, sizeof(status), "%d", err_status(e));
	if (!json_object_object_get_ex(by_status, status, &codes)) {
		codes = json_object_new_array();
		json_object_object_add(by_status, status, codes);
	}
	for (i = 0; i < json_object_array_length(codes); i++) {
		c = json_object_array_get_idx(codes, i);
		if (!strcmp(json_object_get_string(c), err_code(e)))
			return;
	}
	json_object_array_add(codes, json_object_new_string(err_code(e)));
}

/* The errors a route may answer: its own, and the router's. */
static json_object *
route_errors(const struct route *rt)
{
	static const enum err body_errors[] = {
		ERR_BAD_JSON, ERR_JSON_NOT_OBJECT, ERR_JSON_TOO_DEEP,
		ERR_JSON_TRAILING, ERR_BAD_UTF8, ERR_EMPTY_BODY,
		ERR_MEDIA_TYPE, ERR_TOO_LARGE,
	};
	json_object *by = json_object_new_object();
	const enum err *e;
	size_t i;

	if (rt->body == BODY_JSON || rt->body == BODY_FORM ||
	    rt->body == BODY_JSON_OPTIONAL)
		for (i = 0; i < ARRAY_SIZE(body_errors); i++)
			error_add(by, body_errors[i]);
	if (rt->body == BODY_RAW) {
		error_add(by, ERR_MEDIA_TYPE);
		error_add(by, ERR_TOO_LARGE);
	}
	if (rt->nfields) {
		error_add(by, ERR_FIELD_MISSING);
		error_add(by, ERR_FIELD_INVALID);
	}
	if (!strcmp(rt->method, "GET"))
		error_add(by, ERR_BAD_QUERY);
	if (rt->body == BODY_FORM)
		error_add(by, ERR_BAD_FORM);
	if (rt->role != ROLE_NONE) {
		error_add(by, ERR_UNAUTHORIZED);
		error_add(by, ERR_TOKEN_INVALID);
		/* a write carried by the session cookie from another site */
		if (strcmp(rt->method, "GET"))
			error_add(by, ERR_CROSS_SITE);
	}
	if (rt->role > ROLE_USER)
		error_add(by, ERR_FORBIDDEN);
	if (rt->flags & ROUTE_IDEMPOTENT) {
		error_add(by, ERR_BAD_REQUEST);	/* a malformed key */
		error_add(by, ERR_IDEMPOTENCY_MISMATCH);
	}
	for (e = rt->errors; e && *e != ERR_OK; e++)
		error_add(by, *e);
	error_add(by, ERR_DB_DOWN);
	error_add(by, ERR_DB_RETRY);
	error_add(by, ERR_DB_BUSY);
	return by;
}

static json_object *
error_response(json_object *codes)
{
	json_object *r = json_object_new_object(), *s = json_object_new_object();
	json_object *all = json_object_new_array(), *narrow, *props, *code;
	struct buf about = { 0 };
	size_t i;

	buf_adds(&about, "An error:");
	for (i = 0; i < json_object_array_length(codes); i++)
		buf_addf(&about, " %s%s", i ? ", " : "",
			 json_object_get_string(json_object_array_get_idx(codes, i)));
	json_object_object_add(r, "description",
			       json_object_new_string(about.s));
	buf_release(&about);
	json_object_array_add(all, named("Error"));
	narrow = typed("object", NULL);
	props = json_object_new_object();
	code = json_object_new_object();
	json_object_object_add(code, "enum", json_object_get(codes));
	json_object_object_add(props, "code", code);
	json_object_object_add(narrow, "properties", props);
	json_object_array_add(all, narrow);
	json_object_object_add(s, "allOf", all);
	json_object_object_add(r, "content", json_object_new_object());
	json_object_object_add(json_object_object_get(r, "content"),
			       "application/json", media(s));
	return r;
}

static json_object *
responses(const struct route *rt, const char **bad)
{
	json_object *rs = json_object_new_object(), *ok, *errs, *def;
	char status[8];

	ok = json_object_new_object();
	json_object_object_add(ok, "description", json_object_new_string(
		rt->status == 201 ? "Created" : rt->status == 204
		? "Done; no body" : "Success"));
	if (rt->status != 204 && rt->reply && !strncmp(rt->reply, "text/", 5)) {
		/* A reply that is not JSON names its media type. */
		json_object *content = json_object_new_object();

		json_object_object_add(content, rt->reply,
				       media(typed("string", NULL)));
		json_object_object_add(ok, "content", content);
	} else if (rt->status != 204) {
		json_object *schema = rt->reply ? openapi_schema(rt->reply)
						: typed("object", NULL);
		json_object *content = json_object_new_object();

		if (!schema) {
			*bad = rt->reply;
			schema = typed("object", NULL);
		}
		json_object_object_add(content, "application/json",
				       media(schema));
		json_object_object_add(ok, "content", content);
	}
	snprintf(status, sizeof(status), "%d", rt->status);
	json_object_object_add(rs, status, ok);
	errs = route_errors(rt);
	json_object_object_foreach(errs, st, codes)
		json_object_object_add(rs, st, error_response(codes));
	json_object_put(errs);
	def = json_object_new_object();
	json_object_object_add(def, "description", json_object_new_string(
		"Any other error, in the same envelope"));
	json_object_object_add(def, "content", json_object_new_object());
	json_object_object_add(json_object_object_get(def, "content"),
			       "application/json", media(named("Error")));
	json_object_object_add(rs, "default", def);
	return rs;
}

/* ---- operations ---------------------------------------------------------- */

static json_object *
security(const struct route *rt)
{
	json_object *list = json_object_new_array(), *one;

	if (rt->role == ROLE_NONE && !(rt->flags & ROUTE_DEVICE_KEY))
		return list;	/* []: no authentication */
	if (rt->role != ROLE_NONE) {
		one = json_object_new_object();
		json_object_object_add(one, "bearer", json_object_new_array());
		json_object_array_add(list, one);
		one = json_object_new_object();
		json_object_object_add(one, "session", json_object_new_array());
		json_object_array_add(list, one);
	}
	if (rt->flags & ROUTE_DEVICE_KEY) {
		one = json_object_new_object();
		json_object_object_add(one, "deviceKey", json_object_new_array());
		json_object_array_add(list, one);
	}
	return list;
}

/* "get_api_users_id": unique per method and path (a later duplicate, a
 * site's own variant, gets the table's position appended). */
static char *
operation_id(const struct route *rt, json_object *seen)
{
	struct buf b = { 0 };
	const char *p;
	char *id;

	for (p = rt->method; *p; p++)
		buf_addf(&b, "%c", tolower((unsigned char)*p));
	for (p = rt->path; *p; p++) {
		if (isalnum((unsigned char)*p))
			buf_addf(&b, "%c", tolower((unsigned char)*p));
		else if (b.len && b.s[b.len - 1] != '_')
			buf_adds(&b, "_");
	}
	while (b.len && b.s[b.len - 1] == '_')
		b.s[--b.len] = '\0';
	id = xstrdup(b.s);
	buf_release(&b);
	while (json_object_object_get_ex(seen, id, NULL)) {
		char *next = xasprintf("%s_2", id);

		free(id);
		id = next;
	}
	json_object_object_add(seen, id, NULL);
	return id;
}

static const char *const role_names[] = {
	[ROLE_NONE] = "anyone", [ROLE_USER] = "a signed-in user",
	[ROLE_OPERATOR] = "an operator or admin", [ROLE_ADMIN] = "an admin",
};

static json_object *
operation(const struct route *rt, const char *tag, json_object *seen,
	  const char **bad)
{
	json_object *op = json_object_new_object(), *tags, *params;
	char *id = operation_id(rt, seen), *about;

	tags = json_object_new_array();
	json_object_array_add(tags, json_object_new_string(tag));
	json_object_object_add(op, "tags", tags);
	json_object_object_add(op, "summary", json_object_new_string(
		rt->summary ? rt->summary : rt->path));
	about = xasprintf("Who may call it: %s%s.", role_names[rt->role],
			  (rt->flags & ROUTE_DEVICE_KEY)
			  ? " (or a lab PC with its X-Device-Key)" : "");
	json_object_object_add(op, "description", json_object_new_string(about));
	free(about);
	json_object_object_add(op, "operationId", json_object_new_string(id));
	free(id);
	params = parameters(rt);
	if (json_object_array_length(params))
		json_object_object_add(op, "parameters", params);
	else
		json_object_put(params);
	if (rt->body != BODY_NONE && strcmp(rt->method, "GET"))
		json_object_object_add(op, "requestBody", request_body(rt));
	json_object_object_add(op, "responses", responses(rt, bad));
	json_object_object_add(op, "security", security(rt));
	return op;
}

static void
method_lower(const char *m, char out[16])
{
	size_t i;

	for (i = 0; m[i] && i < 15; i++)
		out[i] = (char)tolower((unsigned char)m[i]);
	out[i] = '\0';
}

static json_object *
paths(const char **bad)
{
	json_object *ps = json_object_new_object(), *seen = json_object_new_object();
	size_t t;

	for (t = 0; route_tables[t].routes; t++) {
		const struct route *rt;

		for (rt = route_tables[t].routes; rt->method; rt++) {
			json_object *item;
			char m[16];

			if (!json_object_object_get_ex(ps, rt->path, &item)) {
				item = json_object_new_object();
				json_object_object_add(ps, rt->path, item);
			}
			method_lower(rt->method, m);
			/* a site's own variant of a path and method: the
			 * first row describes it */
			if (json_object_object_get_ex(item, m, NULL))
				continue;
			json_object_object_add(item, m, operation(rt,
				route_tables[t].tag, seen, bad));
		}
	}
	json_object_put(seen);
	return ps;
}

/* ---- the document ------------------------------------------------------- */

static json_object *
scheme(const char *type, const char *in, const char *name, const char *about)
{
	json_object *s = json_object_new_object();

	json_object_object_add(s, "type", json_object_new_string(type));
	if (!strcmp(type, "http")) {
		json_object_object_add(s, "scheme", json_object_new_string("bearer"));
		json_object_object_add(s, "bearerFormat",
				       json_object_new_string("JWT"));
	} else {
		json_object_object_add(s, "in", json_object_new_string(in));
		json_object_object_add(s, "name", json_object_new_string(name));
	}
	json_object_object_add(s, "description", json_object_new_string(about));
	return s;
}

static json_object *
components(const char **bad)
{
	json_object *c = json_object_new_object(), *ss = json_object_new_object();
	json_object *schemas = json_object_new_object(), *s;
	const struct schema_def *d;
	size_t t;

	json_object_object_add(ss, "bearer", scheme("http", NULL, NULL,
		"An access token from POST /api/auth/login (Authorization: "
		"Bearer ...)."));
	json_object_object_add(ss, "session", scheme("apiKey", "cookie",
		"haas_session", "The browser session cookie the sign-in paths "
		"set (HttpOnly; writes must come with the site's Origin)."));
	json_object_object_add(ss, "deviceKey", scheme("apiKey", "header",
		"X-Device-Key", "A lab PC's key (shown once when the device "
		"is added)."));
	json_object_object_add(c, "securitySchemes", ss);
	json_object_object_add(schemas, "Error", openapi_schema(
		"{error: string, code: string, field?: string}"));
	for (t = 0; route_tables[t].routes; t++)
		for (d = route_tables[t].schemas; d && d->name; d++) {
			s = openapi_schema(d->text);
			if (!s) {
				*bad = d->text;
				continue;
			}
			json_object_object_add(schemas, d->name, s);
		}
	json_object_object_add(c, "schemas", schemas);
	return c;
}

json_object *
openapi_document(const char *server, const char *version, const char **bad)
{
	json_object *o = json_object_new_object(), *info, *servers, *srv;
	json_object *tags = json_object_new_array(), *lic, *tag;
	size_t t;

	*bad = NULL;
	json_object_object_add(o, "openapi", json_object_new_string("3.1.0"));
	info = json_object_new_object();
	json_object_object_add(info, "title", json_object_new_string("haas"));
	json_object_object_add(info, "version", json_object_new_string(version));
	json_object_object_add(info, "description", json_object_new_string(
		"A lab's accounts, projects and hardware sets, lab PC "
		"reservations, shop and parking lot. Generated from the "
		"server's own route tables. Errors are {\"error\": sentence, "
		"\"code\": stable code, \"field\"?: the field at fault}."));
	lic = json_object_new_object();
	json_object_object_add(lic, "name", json_object_new_string("MIT"));
	json_object_object_add(lic, "identifier", json_object_new_string("MIT"));
	json_object_object_add(info, "license", lic);
	json_object_object_add(o, "info", info);
	servers = json_object_new_array();
	srv = json_object_new_object();
	json_object_object_add(srv, "url", json_object_new_string(server));
	json_object_array_add(servers, srv);
	json_object_object_add(o, "servers", servers);
	for (t = 0; route_tables[t].routes; t++) {
		tag = json_object_new_object();
		json_object_object_add(tag, "name",
				       json_object_new_string(route_tables[t].tag));
		json_object_object_add(tag, "description",
				       json_object_new_string(route_tables[t].about));
		json_object_array_add(tags, tag);
	}
	json_object_object_add(o, "tags", tags);
	json_object_object_add(o, "paths", paths(bad));
	json_object_object_add(o, "components", components(bad));
	if (*bad) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

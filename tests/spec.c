/* spec: every answer a black-box test receives from haas's own API is
 * checked against the stack's /api/openapi.json: its status must be one
 * the operation declares (a success exactly; an error under its status or
 * the default), and its body must match that response's schema.  A
 * mismatch is a failed assertion in the running test, printed with the
 * JSON path at fault, so the description cannot drift from the server.
 *
 * Not checked: answers nginx gives itself (a path that is no operation,
 * HTML, a 413 or 429 before haasd), and requests made as a browser on a
 * site (README, "Sites"), whose dialect rows share paths with haas's own
 * and are described by the first. */
#include <CUnit/CUnit.h>
#include <pthread.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bb.h"
#include "util.h"

static pthread_once_t loaded = PTHREAD_ONCE_INIT;
static pthread_mutex_t report_lock = PTHREAD_MUTEX_INITIALIZER;
static json_object *doc;	/* the description, once loaded */

static void
load(void)
{
	struct bb_resp *r = bb_req_unchecked("GET", "/api/openapi.json");

	if (r->status == 200 && r->json)
		doc = json_object_get(r->json);
	else
		fprintf(stderr, "spec: /api/openapi.json answered %ld; answers"
			" are not checked\n", r->status);
	bb_free(r);
}

/* ---- matching an operation --------------------------------------------- */

/* Does the path template ("/api/x/{id}") match path (no query)? */
static bool
template_match(const char *t, const char *p)
{
	while (*t && *p) {
		if (*t == '{') {
			const char *close = strchr(t, '}');

			if (!close || *p == '/')
				return false;
			while (*p && *p != '/')
				p++;
			t = close + 1;
			continue;
		}
		if (*t++ != *p++)
			return false;
	}
	return !*t && !*p;
}

/* The operation for method and path: a literal path wins over a
 * template, as the router's table order has it for the contract's paths. */
static json_object *
operation(const char *method, const char *path)
{
	json_object *paths, *item, *op, *found = NULL;
	char m[16];
	size_t i;

	for (i = 0; method[i] && i < 15; i++)
		m[i] = (char)(method[i] | 0x20);
	m[i] = '\0';
	if (!json_object_object_get_ex(doc, "paths", &paths))
		return NULL;
	if (json_object_object_get_ex(paths, path, &item) &&
	    json_object_object_get_ex(item, m, &op))
		return op;
	json_object_object_foreach(paths, t, it) {
		if (template_match(t, path) &&
		    json_object_object_get_ex(it, m, &op) && !found)
			found = op;
	}
	return found;
}

/* ---- the schema subset ------------------------------------------------- */

struct check {
	struct buf where;	/* $.a[0].b */
	char *why;		/* the first mismatch, or NULL */
};

static void
fail(struct check *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The first mismatch, after the JSON path it was found at. */
static void
fail(struct check *c, const char *fmt, ...)
{
	struct buf b = { 0 };
	char *tail;
	va_list ap;

	if (c->why)
		return;
	va_start(ap, fmt);
	if (vasprintf(&tail, fmt, ap) < 0)
		tail = NULL;
	va_end(ap);
	buf_addf(&b, "%s: %s", c->where.s ? c->where.s : "$",
		 tail ? tail : "?");
	free(tail);
	c->why = b.s;
}

static const char *
type_of(json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null: return "null";
	case json_type_boolean: return "boolean";
	case json_type_int: return "integer";
	case json_type_double: return "number";
	case json_type_string: return "string";
	case json_type_array: return "array";
	default: return "object";
	}
}

static bool
type_is(const char *want, json_object *v)
{
	const char *have = type_of(v);

	return !strcmp(want, have) ||
	       (!strcmp(want, "number") && !strcmp(have, "integer"));
}

static void validate(struct check *c, json_object *s, json_object *v);

static json_object *
resolve(json_object *s)
{
	json_object *ref, *comp, *schemas, *target;
	const char *name;

	if (!json_object_object_get_ex(s, "$ref", &ref))
		return s;
	name = strrchr(json_object_get_string(ref), '/');
	if (name && json_object_object_get_ex(doc, "components", &comp) &&
	    json_object_object_get_ex(comp, "schemas", &schemas) &&
	    json_object_object_get_ex(schemas, name + 1, &target))
		return target;
	return NULL;
}

/* Runs validate on a copy of the check: did v match s? */
static bool
matches(struct check *c, json_object *s, json_object *v)
{
	struct check sub = { 0 };
	bool ok;

	buf_adds(&sub.where, c->where.s ? c->where.s : "$");
	validate(&sub, s, v);
	ok = sub.why == NULL;
	free(sub.why);
	buf_release(&sub.where);
	return ok;
}

static void
check_type(struct check *c, json_object *s, json_object *v)
{
	json_object *t;
	size_t i;

	if (!json_object_object_get_ex(s, "type", &t))
		return;
	if (json_object_is_type(t, json_type_array)) {
		for (i = 0; i < json_object_array_length(t); i++)
			if (type_is(json_object_get_string(
				json_object_array_get_idx(t, i)), v))
				return;
		fail(c, "%s is not among the types allowed", type_of(v));
		return;
	}
	if (!type_is(json_object_get_string(t), v))
		fail(c, "expected %s, got %s", json_object_get_string(t),
		     type_of(v));
}

static void
check_object(struct check *c, json_object *s, json_object *v)
{
	json_object *props, *req, *ps;
	size_t i, mark;

	if (!json_object_is_type(v, json_type_object))
		return;
	if (json_object_object_get_ex(s, "required", &req))
		for (i = 0; i < json_object_array_length(req); i++) {
			const char *k = json_object_get_string(
				json_object_array_get_idx(req, i));

			if (!json_object_object_get_ex(v, k, NULL))
				fail(c, "the required key \"%s\" is missing", k);
		}
	if (!json_object_object_get_ex(s, "properties", &props))
		props = NULL;
	json_object_object_foreach(v, key, val) {
		if (!(props && json_object_object_get_ex(props, key, &ps)) &&
		    !json_object_object_get_ex(s, "additionalProperties", &ps))
			continue;
		mark = c->where.len;
		buf_addf(&c->where, ".%s", key);
		validate(c, ps, val);
		c->where.len = mark;
		c->where.s[mark] = '\0';
	}
}

static void
check_array(struct check *c, json_object *s, json_object *v)
{
	json_object *items;
	size_t i, mark;

	if (!json_object_is_type(v, json_type_array) ||
	    !json_object_object_get_ex(s, "items", &items))
		return;
	for (i = 0; i < json_object_array_length(v) && !c->why; i++) {
		mark = c->where.len;
		buf_addf(&c->where, "[%zu]", i);
		validate(c, items, json_object_array_get_idx(v, i));
		c->where.len = mark;
		c->where.s[mark] = '\0';
	}
}

/* Equal scalars, compared without serialising either: the description
 * is shared by the test's threads, and json-c caches a serialisation
 * inside the object it serialises (two threads at once would race). */
static bool
same_value(json_object *a, json_object *b)
{
	if (json_object_get_type(a) != json_object_get_type(b))
		return false;
	switch (json_object_get_type(a)) {
	case json_type_string:
		return !strcmp(json_object_get_string(a),
			       json_object_get_string(b));
	case json_type_int:
		return json_object_get_int64(a) == json_object_get_int64(b);
	case json_type_boolean:
		return json_object_get_boolean(a) == json_object_get_boolean(b);
	case json_type_null:
		return true;
	default:
		return false;
	}
}

static void
check_enum_pattern(struct check *c, json_object *s, json_object *v)
{
	json_object *e, *p;
	regex_t re;
	size_t i;

	if (json_object_object_get_ex(s, "enum", &e)) {
		for (i = 0; i < json_object_array_length(e); i++)
			if (same_value(json_object_array_get_idx(e, i), v))
				break;
		if (i == json_object_array_length(e))
			fail(c, "%s is not one of the values declared",
			     json_object_to_json_string(v));
	}
	if (json_object_is_type(v, json_type_string) &&
	    json_object_object_get_ex(s, "pattern", &p) &&
	    !regcomp(&re, json_object_get_string(p), REG_EXTENDED | REG_NOSUB)) {
		if (regexec(&re, json_object_get_string(v), 0, NULL, 0))
			fail(c, "\"%s\" does not match %s",
			     json_object_get_string(v), json_object_get_string(p));
		regfree(&re);
	}
}

static void
validate(struct check *c, json_object *s, json_object *v)
{
	json_object *list;
	size_t i;

	s = resolve(s);
	if (!s) {
		fail(c, "a $ref names no schema");
		return;
	}
	if (json_object_object_get_ex(s, "anyOf", &list)) {
		for (i = 0; i < json_object_array_length(list); i++)
			if (matches(c, json_object_array_get_idx(list, i), v))
				break;
		if (i == json_object_array_length(list))
			fail(c, "%s matches none of the schemas allowed",
			     type_of(v));
	}
	if (json_object_object_get_ex(s, "allOf", &list))
		for (i = 0; i < json_object_array_length(list); i++)
			validate(c, json_object_array_get_idx(list, i), v);
	check_type(c, s, v);
	check_enum_pattern(c, s, v);
	check_object(c, s, v);
	check_array(c, s, v);
}

/* ---- one answer -------------------------------------------------------- */

/* A path nginx answers itself ($haas_obscure_path: an encoded slash or
 * dot, an empty or dot segment), or one no route can match (an encoded
 * NUL): its answer is nobody's operation. */
static bool
obscure(const char *path)
{
	static const char *const marks[] = { "%2f", "%2e", "//", "/./", "/../",
					     "%00" };
	char *low = xstrdup(path);
	size_t i, n = strlen(low);
	bool hit = false;

	ascii_lower(low);
	for (i = 0; i < ARRAY_SIZE(marks) && !hit; i++)
		hit = strstr(low, marks[i]) != NULL;
	if (!hit && n >= 2)
		hit = !strcmp(low + n - 2, "/.") ||
		      (n >= 3 && !strcmp(low + n - 3, "/.."));
	free(low);
	return hit;
}

/* The schema of responses[status] (or default, for an error); *declared
 * false when the status is not one the operation may answer. */
static json_object *
response_schema(json_object *op, long status, bool *declared)
{
	json_object *rs, *r, *content, *m, *s;
	char key[8];

	*declared = false;
	snprintf(key, sizeof(key), "%ld", status);
	if (!json_object_object_get_ex(op, "responses", &rs))
		return NULL;
	if (!json_object_object_get_ex(rs, key, &r) &&
	    !(status >= 400 && json_object_object_get_ex(rs, "default", &r)))
		return NULL;
	*declared = true;
	if (json_object_object_get_ex(r, "content", &content) &&
	    json_object_object_get_ex(content, "application/json", &m) &&
	    json_object_object_get_ex(m, "schema", &s))
		return s;
	return NULL;
}

static void
report(const char *method, const char *path, long status, const char *why)
{
	char *msg = xasprintf("spec: %s %s -> %ld: %s", method, path, status,
			      why);

	fprintf(stderr, "%s\n", msg);
	pthread_mutex_lock(&report_lock);
	CU_assertImplementation(CU_FALSE, 0, msg, "spec.c", "", CU_FALSE);
	pthread_mutex_unlock(&report_lock);
	free(msg);
}

void
bb_spec_check(const char *method, const char *path, const struct bb_resp *r)
{
	char *bare = xstrndup(path, strcspn(path, "?#"));
	const char *ctype = bb_header((struct bb_resp *)r, "content-type");
	struct check c = { 0 };
	json_object *op, *schema;
	bool declared;

	pthread_once(&loaded, load);
	if (!doc || r->status == 0 || !strcmp(bare, "/api/openapi.json") ||
	    obscure(bare))
		goto out;
	op = operation(method, bare);
	/* nginx's own answers (no operation, a limit it enforces) and pages
	 * rather than the API (HTML for a navigation) */
	if (!op || r->status == 413 || r->status == 429 ||
	    (r->status != 204 && (!ctype || !strstr(ctype, "json"))))
		goto out;
	schema = response_schema(op, r->status, &declared);
	if (!declared) {
		report(method, bare, r->status, "a status the operation does"
		       " not declare");
		goto out;
	}
	if (r->status == 204 || !schema)
		goto out;
	if (!r->json) {
		report(method, bare, r->status, "the body is not JSON");
		goto out;
	}
	validate(&c, schema, r->json);
	if (c.why)
		report(method, bare, r->status, c.why);
out:
	free(c.why);
	buf_release(&c.where);
	free(bare);
}

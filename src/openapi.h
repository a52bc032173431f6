/* openapi: the OpenAPI 3.1 description of every route, generated from the
 * route tables (paths, methods, roles, body field specs, query parameters,
 * replies, errors), so it cannot say something the server does not do.
 * GET /api/openapi.json answers it; `haasctl openapi` prints it. */
#ifndef HAAS_OPENAPI_H
#define HAAS_OPENAPI_H

#include <json-c/json.h>

struct config;

/* A named schema in the reply notation, for components.schemas:
 *   type   := name | name? | [type] | {member, ...} | {*: type}
 *   member := key: type | key?: type      (key? : may be absent)
 *   name   := int | number | string | bool | id | time | date | object
 *             | any | null | a component's name (capitalised)
 * {*: type} is a map (any key, values of that type); "name?" may also
 * be null; id is an id as JSON shows it (digits in a
 * string); time an ISO 8601 UTC time. */
struct schema_def {
	const char *name;
	const char *text;
};

/* The whole document (a new reference); server is the base URL it names
 * (public_url).  NULL only when a reply's notation does not parse (a bug
 * test_openapi catches, with *bad naming it). */
json_object *openapi_document(const char *server, const char *version,
			      const char **bad);

/* The JSON Schema of one notation (a new reference; NULL when it does not
 * parse).  Components are $refs to #/components/schemas/<name>. */
json_object *openapi_schema(const char *text);

#endif

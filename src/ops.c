/* ops: GET /api/health and GET /api/openapi.json (generated from the route
 * tables, so it can never drift from what the router serves). */
#include "ops.h"

#include <stdio.h>
#include <string.h>

#include "app.h"
#include "auth.h"
#include "db.h"

static enum err
ops_health(struct req *r)
{
	enum err e = db_ping(r->db);
	json_object *o = req_reply(r);

	json_object_object_add(o, "status", json_object_new_string(
		e == ERR_OK ? "ok" : "error"));
	json_object_object_add(o, "db", json_object_new_string(
		e == ERR_OK ? "ok" : "down"));
	json_object_object_add(o, "version",
			       json_object_new_string(r->app->version));
	if (e == ERR_OK)
		return ERR_OK;
	req_fail_extra(r, "status", json_object_new_string("error"));
	req_fail_extra(r, "db", json_object_new_string("down"));
	req_fail_extra(r, "version", json_object_new_string(r->app->version));
	return ERR_DB_DOWN;
}

static json_object *
openapi_operation(const struct route *rt)
{
	json_object *op = json_object_new_object();
	json_object *responses = json_object_new_object();
	json_object *ok = json_object_new_object();
	char status[8];

	json_object_object_add(op, "summary", json_object_new_string(
		rt->summary ? rt->summary : rt->path));
	if (rt->role != ROLE_NONE) {
		json_object *sec = json_object_new_array();
		json_object *req = json_object_new_object();

		json_object_object_add(req, "bearer", json_object_new_array());
		json_object_array_add(sec, req);
		json_object_object_add(op, "security", sec);
		json_object_object_add(op, "x-required-role",
			json_object_new_string(auth_role_name(rt->role)));
	}
	snprintf(status, sizeof(status), "%d", rt->status);
	json_object_object_add(ok, "description",
			       json_object_new_string("Success"));
	json_object_object_add(responses, status, ok);
	json_object_object_add(op, "responses", responses);
	return op;
}

static json_object *
openapi_paths(void)
{
	json_object *paths = json_object_new_object();
	size_t t;

	for (t = 0; route_tables[t]; t++) {
		const struct route *rt;

		for (rt = route_tables[t]; rt->method; rt++) {
			json_object *item, *op;
			char method[16];
			size_t i;

			if (!json_object_object_get_ex(paths, rt->path, &item)) {
				item = json_object_new_object();
				json_object_object_add(paths, rt->path, item);
			}
			for (i = 0; rt->method[i] && i < sizeof(method) - 1; i++)
				method[i] = (char)(rt->method[i] | 0x20);
			method[i] = '\0';
			op = openapi_operation(rt);
			json_object_object_add(item, method, op);
		}
	}
	return paths;
}

static enum err
ops_openapi(struct req *r)
{
	json_object *o = req_reply(r), *info = json_object_new_object();
	json_object *comp = json_object_new_object();
	json_object *schemes = json_object_new_object();
	json_object *bearer = json_object_new_object();

	json_object_object_add(o, "openapi", json_object_new_string("3.0.3"));
	json_object_object_add(info, "title", json_object_new_string("haas"));
	json_object_object_add(info, "version",
			       json_object_new_string(r->app->version));
	json_object_object_add(o, "info", info);
	json_object_object_add(o, "paths", openapi_paths());
	json_object_object_add(bearer, "type", json_object_new_string("http"));
	json_object_object_add(bearer, "scheme",
			       json_object_new_string("bearer"));
	json_object_object_add(bearer, "bearerFormat",
			       json_object_new_string("JWT"));
	json_object_object_add(schemes, "bearer", bearer);
	json_object_object_add(comp, "securitySchemes", schemes);
	json_object_object_add(o, "components", comp);
	return ERR_OK;
}

const struct route ops_routes[] = {
	{ "GET", "/api/health", ROLE_NONE, 200, BODY_NONE, ops_health,
	  "Liveness and database reachability" },
	{ "GET", "/api/openapi.json", ROLE_NONE, 200, BODY_NONE, ops_openapi,
	  "This API's OpenAPI 3 description" },
	{ 0 },
};

/* test_router: matching, 404/405 with Allow, roles and body checks, all
 * decided before any handler (and so before any database) runs. */
#include <string.h>

#include "app.h"
#include "cunit_main.h"
#include "router.h"

static struct app app;

static void
setup_app(void)
{
	memset(&app, 0, sizeof(app));
	app.cfg.json_max_depth = 32;
	app.cfg.jwt_secret_key = "0123456789abcdef0123456789abcdef";
	app.cfg.jwt_issuer = "haas";
	app.version = "test";
}

static const char *
header(struct req *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nheaders; i++)
		if (!strcmp(r->headers[i].key, name))
			return r->headers[i].val;
	return NULL;
}

static const char *
error_of(struct req *r)
{
	json_object *e = json_object_object_get(r->reply, "error");

	return e ? json_object_get_string(e) : "";
}

static void
run(struct req *r, const char *method, const char *uri, const char *ctype,
    const char *body)
{
	req_reset(r);
	r->method = method;
	r->uri = uri;
	r->content_type = ctype;
	r->body = body ? body : "";
	r->body_len = body ? strlen(body) : 0;
	router_handle(r);
}

static void
test_match_params(void)
{
	struct req r;

	req_init(&r, &app, NULL);
	CU_ASSERT_TRUE(router_match(&r, "/api/users/{id}", "/api/users/42"));
	CU_ASSERT_STRING_EQUAL(req_param(&r, "id"), "42");
	CU_ASSERT_TRUE(router_match(&r, "/api/p/{a}/x/{b}", "/api/p/one%2Ftwo/x/3"));
	CU_ASSERT_STRING_EQUAL(req_param(&r, "a"), "one/two");
	CU_ASSERT_STRING_EQUAL(req_param(&r, "b"), "3");
	CU_ASSERT_FALSE(router_match(&r, "/api/users/{id}", "/api/users/"));
	CU_ASSERT_FALSE(router_match(&r, "/api/users/{id}", "/api/users/1/2"));
	CU_ASSERT_FALSE(router_match(&r, "/api/users/{id}", "/api/users/%zz"));
	CU_ASSERT_FALSE(router_match(&r, "/api/users/{id}", "/api/users/%00"));
	CU_ASSERT_FALSE(router_match(&r, "/api/health", "/api/healthz"));
	CU_ASSERT_FALSE(router_match(&r, "/api/health", "/api/health/"));
	req_reset(&r);
}

static void
test_not_found(void)
{
	struct req r;

	req_init(&r, &app, NULL);
	run(&r, "GET", "/api/nothing-here", NULL, NULL);
	CU_ASSERT_EQUAL(r.status, 404);
	CU_ASSERT_STRING_EQUAL(error_of(&r), "Not found");
	run(&r, "GET", "/api/../etc/passwd", NULL, NULL);
	CU_ASSERT_EQUAL(r.status, 404);
	req_reset(&r);
}

static void
test_method_not_allowed(void)
{
	struct req r;

	req_init(&r, &app, NULL);
	run(&r, "DELETE", "/api/health", NULL, NULL);
	CU_ASSERT_EQUAL(r.status, 405);
	CU_ASSERT_STRING_EQUAL(header(&r, "Allow"), "GET, OPTIONS");
	run(&r, "GET", "/api/auth/signup", NULL, NULL);
	CU_ASSERT_EQUAL(r.status, 405);
	CU_ASSERT_STRING_EQUAL(header(&r, "Allow"), "POST, OPTIONS");
	run(&r, "PUT", "/api/users/me", NULL, NULL);
	CU_ASSERT_EQUAL(r.status, 405);
	CU_ASSERT_PTR_NOT_NULL(strstr(header(&r, "Allow"), "PATCH"));
	CU_ASSERT_PTR_NOT_NULL(strstr(header(&r, "Allow"), "DELETE"));
	req_reset(&r);
}

static void
test_auth_required(void)
{
	struct req r;

	req_init(&r, &app, NULL);
	run(&r, "GET", "/api/users/me", NULL, NULL);
	CU_ASSERT_EQUAL(r.status, 401);
	CU_ASSERT_STRING_EQUAL(header(&r, "WWW-Authenticate"), "Bearer");
	req_reset(&r);
	r.authorization = "Bearer not.a.token";
	r.method = "GET";
	r.uri = "/api/users/me";
	r.body = "";
	router_handle(&r);
	CU_ASSERT_EQUAL(r.status, 401);
	CU_ASSERT_STRING_EQUAL(error_of(&r), "Invalid or expired token");
	req_reset(&r);
}

static void
test_body_checks(void)
{
	struct req r;

	req_init(&r, &app, NULL);
	run(&r, "POST", "/api/auth/signup", "text/plain", "{}");
	CU_ASSERT_EQUAL(r.status, 415);
	run(&r, "POST", "/api/auth/signup", "application/json", "{\"a\":");
	CU_ASSERT_EQUAL(r.status, 400);
	CU_ASSERT_STRING_EQUAL(error_of(&r), "Request body is not valid JSON");
	run(&r, "POST", "/api/auth/signup", "application/json; charset=utf-8",
	    "[]");
	CU_ASSERT_EQUAL(r.status, 400);
	CU_ASSERT_STRING_EQUAL(error_of(&r), "Request body must be a JSON object");
	/* the handler's own field check runs before any database access */
	run(&r, "POST", "/api/auth/signup", "application/json", "{\"username\":\"\"}");
	CU_ASSERT_EQUAL(r.status, 400);
	CU_ASSERT_STRING_EQUAL(error_of(&r), "Username and password are required");
	req_reset(&r);
}

static void
test_bad_query(void)
{
	struct req r;

	req_init(&r, &app, NULL);
	r.query = "q=%zz";
	r.method = "GET";
	r.uri = "/api/health";
	r.body = "";
	router_handle(&r);
	CU_ASSERT_EQUAL(r.status, 400);
	req_reset(&r);
}

static CU_TestInfo tests[] = {
	{ "match and params", test_match_params },
	{ "404", test_not_found },
	{ "405 with Allow", test_method_not_allowed },
	{ "401 without or with a bad token", test_auth_required },
	{ "415 and 400 bodies", test_body_checks },
	{ "400 bad query", test_bad_query },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = { SUITE("router", tests), CU_SUITE_INFO_NULL };

int
main(void)
{
	setup_app();
	return cunit_run(suites);
}

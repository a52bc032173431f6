/* bb_sites: what every site shares (README, "Sites"), through nginx on the
 * sites' own host names as scripts/test serves them: the certificate names
 * each host (the client verifies it, as a lab PC trusting the stack's
 * certificate does); a navigation gets the site's frontend, an API call on
 * the same path gets the API; a site without a sign-in of its own (MSMP)
 * sends a visitor to haas's sign-in on its host and lets the session
 * through; CORS on answers and preflights; the main site is unchanged.
 * The profiles' dialects have their own programs (bb_site_*). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bb.h"
#include "cunit_main.h"
#include "util.h"

#define PW "Tr0ub4dor&3x"
#define HAAS_HOST "frozen-sea-50755-1f37732e6aa8.herokuapp.com"
#define MSMP_HOST "msmp-cloud-api.onrender.com"
#define EP_HOST "electroports-db.onrender.com"

#define NAVIGATE "Sec-Fetch-Mode: navigate"
#define HTML "Accept: text/html,application/xhtml+xml"

static bool
is_html(struct bb_resp *r)
{
	const char *t = bb_header(r, "Content-Type");

	return t && !strncmp(t, "text/html", 9);
}

static bool
is_json(struct bb_resp *r)
{
	const char *t = bb_header(r, "Content-Type");

	return t && strstr(t, "application/json") && r->json;
}

/* The stand-in frontend's own page (tests/sites/<profile>/index.html). */
static bool
is_frontend(struct bb_resp *r, const char *title)
{
	return r->status == 200 && is_html(r) && strstr(r->body, title);
}

/* Every site answers on its host with a certificate for that host name:
 * bb_site checks it against the stack's certificate (HAAS_TEST_CA). */
static void
test_certificate_names_hosts(void)
{
	static const char *const hosts[] = { HAAS_HOST, MSMP_HOST, EP_HOST };

	for (size_t i = 0; i < ARRAY_SIZE(hosts); i++) {
		struct bb_site *s = bb_site_new(hosts[i]);
		struct bb_resp *r = bb_site_req(s, "GET", "/api/health", NULL,
						NULL, NULL);

		CU_ASSERT_EQUAL(r->status, 200);
		bb_free(r);
		bb_site_free(s);
	}
}

/* ElectroPorts: /login and /phones are pages and API paths at once. */
static void
test_navigation_or_api(void)
{
	struct bb_site *s = bb_site_new(EP_HOST);
	struct bb_resp *r;

	r = bb_site_req(s, "GET", "/login", NULL, NULL, NAVIGATE);
	CU_ASSERT(is_frontend(r, "ElectroPorts"));
	bb_free(r);
	r = bb_site_req(s, "GET", "/phones", NULL, NULL, HTML);
	CU_ASSERT(is_frontend(r, "ElectroPorts"));
	bb_free(r);
	/* Client-side routes of the app: its index, whatever the path. */
	r = bb_site_req(s, "GET", "/products/phones/3", NULL, NULL, NAVIGATE);
	CU_ASSERT(is_frontend(r, "ElectroPorts"));
	bb_free(r);
	/* The same paths from the app's fetch: the API, in JSON. */
	r = bb_site_req(s, "GET", "/phones", NULL, NULL,
			"Accept: application/json, text/plain, */*");
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT(is_json(r));
	bb_free(r);
	r = bb_site_json(s, "POST", "/login",
			 "{\"email\": \"nobody@example.com\", \"password\": \"x\"}");
	CU_ASSERT_EQUAL(r->status, 401);
	CU_ASSERT(is_json(r));
	CU_ASSERT_PTR_NOT_NULL(bb_header(r, "Access-Control-Allow-Origin"));
	bb_free(r);
	/* An API path the site does not have: JSON 404, not the app. */
	r = bb_site_req(s, "GET", "/api/no-such-thing", NULL, NULL, NULL);
	CU_ASSERT_EQUAL(r->status, 404);
	CU_ASSERT(is_json(r));
	bb_free(r);
	bb_site_free(s);
}

/* HaaS: the app at every path but /api/; the API in JSON. */
static void
test_haas_site(void)
{
	struct bb_site *s = bb_site_new(HAAS_HOST);
	struct bb_resp *r;

	r = bb_site_req(s, "GET", "/projects", NULL, NULL, NAVIGATE);
	CU_ASSERT(is_frontend(r, "HaaS"));
	CU_ASSERT_PTR_NOT_NULL(bb_header(r, "X-Content-Type-Options"));
	bb_free(r);
	r = bb_site_req(s, "GET", "/api/no-such-thing", NULL, NULL, NAVIGATE);
	CU_ASSERT_EQUAL(r->status, 404);
	CU_ASSERT(is_json(r));
	bb_free(r);
	bb_site_free(s);
}

/* MSMP: a visitor is sent to sign in on this host and back to the path
 * (the query too); signed in (the cookie the sign-in sets), the portal. */
static void
test_msmp_behind_signin(void)
{
	struct bb_site *s = bb_site_new(MSMP_HOST);
	long long uid;
	char *tok = bb_new_user("site", &uid), *body;
	struct bb_resp *r, *me;
	const char *loc;

	me = bb_get("/api/users/me", tok);
	r = bb_site_req(s, "GET", "/reserve?room=101", NULL, NULL, NAVIGATE);
	CU_ASSERT_EQUAL(r->status, 302);
	loc = bb_header(r, "Location");
	CU_ASSERT(loc && strstr(loc, "/.haas/site-signin.html?next=/reserve?room=101"));
	CU_ASSERT(loc && strstr(loc, MSMP_HOST));	/* this host, not another */
	bb_free(r);

	/* The sign-in page and its assets are served without a session. */
	r = bb_site_req(s, "GET", "/.haas/site-signin.html", NULL, NULL,
			NAVIGATE);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT(is_html(r) && strstr(r->body, "site-signin.js"));
	CU_ASSERT_PTR_NOT_NULL(bb_header(r, "Content-Security-Policy"));
	bb_free(r);
	r = bb_site_req(s, "GET", "/.haas/js/site-signin.js", NULL, NULL, NULL);
	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);
	r = bb_site_req(s, "GET", "/.haas/vendor/bootstrap/css/bootstrap.min.css",
			NULL, NULL, NULL);
	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);

	body = xasprintf("{\"username\": \"%s\", \"password\": \"" PW "\"}",
			 bb_str(me, "username"));
	r = bb_site_json(s, "POST", "/api/auth/login", body);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT(bb_header(r, "Set-Cookie") &&
		  strstr(bb_header(r, "Set-Cookie"), "haas_session="));
	bb_free(r);
	r = bb_site_req(s, "GET", "/reserve", NULL, NULL, NAVIGATE);
	CU_ASSERT(is_frontend(r, "MSMP portal"));
	bb_free(r);
	r = bb_site_req(s, "GET", "/portal.js", NULL, NULL, NULL);
	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);

	/* The session is this host's: another site's navigation is not
	 * signed in by it, and the main site never sees it. */
	r = bb_site_req(s, "GET", "/api/users/me", NULL, NULL, NULL);
	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);
	{
		struct bb_site *other = bb_site_new(MSMP_HOST);

		r = bb_site_req(other, "GET", "/", NULL, NULL, NAVIGATE);
		CU_ASSERT_EQUAL(r->status, 302);
		bb_free(r);
		bb_site_free(other);
	}
	free(body);
	bb_free(me);
	free(tok);
	bb_site_free(s);
}

/* A forged or ended session is not let through to the portal. */
static void
test_msmp_forged_cookie(void)
{
	struct bb_site *s = bb_site_new(MSMP_HOST);
	struct bb_resp *r;

	r = bb_site_req(s, "GET", "/", NULL, NULL,
			NAVIGATE "\r\nCookie: haas_session=1.forged");
	CU_ASSERT_EQUAL(r->status, 302);
	bb_free(r);
	bb_site_free(s);
}

/* Preflights on every site: 2xx naming the methods and headers the old
 * clients send; answers carry Access-Control-Allow-Origin, errors too. */
static void
test_cors(void)
{
	static const struct { const char *host, *path; } paths[] = {
		{ HAAS_HOST, "/api/projects/" },
		{ MSMP_HOST, "/set-reservation" },
		{ MSMP_HOST, "/get-reservation" },
		{ EP_HOST, "/reviews/12" },
		{ EP_HOST, "/user" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(paths); i++) {
		struct bb_site *s = bb_site_new(paths[i].host);
		struct bb_resp *r = bb_site_req(s, "OPTIONS", paths[i].path, NULL, NULL,
			"Origin: http://localhost:3000\r\n"
			"Access-Control-Request-Method: POST\r\n"
			"Access-Control-Request-Headers: content-type,authorization");
		/* bb_header's value is borrowed until the next call */
		char *m = xstrdup(bb_header(r, "Access-Control-Allow-Methods") ?: "");
		char *h = xstrdup(bb_header(r, "Access-Control-Allow-Headers") ?: "");

		CU_ASSERT(r->status >= 200 && r->status < 300);
		CU_ASSERT_PTR_NOT_NULL(bb_header(r, "Access-Control-Allow-Origin"));
		CU_ASSERT(strstr(m, "PATCH") && strstr(m, "DELETE"));
		CU_ASSERT(strcasestr(h, "Authorization") &&
			  strcasestr(h, "Content-Type"));
		free(m);
		free(h);
		bb_free(r);
		r = bb_site_req(s, "GET", "/api/no-such-thing", NULL, NULL,
				"Origin: http://localhost:3000");
		CU_ASSERT_EQUAL(r->status, 404);
		CU_ASSERT_PTR_NOT_NULL(bb_header(r, "Access-Control-Allow-Origin"));
		bb_free(r);
		bb_site_free(s);
	}
}

/* The main site is what it was: its app at /, its API at /api/. */
static void
test_main_site_unchanged(void)
{
	struct bb_resp *r = bb_req("GET", "/", NULL, NULL, NULL, 0, NAVIGATE);

	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT(is_html(r) && strstr(r->body, "/js/app.js"));
	bb_free(r);
	/* ElectroPorts' root paths are not the main site's. */
	r = bb_req("GET", "/phones", NULL, NULL, NULL, 0,
		   "Accept: application/json");
	CU_ASSERT(r->status == 404 || is_html(r));
	CU_ASSERT(!r->json || !json_object_object_get_ex(r->json, "phones", NULL));
	bb_free(r);
}

static CU_TestInfo tests[] = {
	{ "the certificate names every site's host", test_certificate_names_hosts },
	{ "ElectroPorts: a navigation gets the app, a fetch the API",
	  test_navigation_or_api },
	{ "HaaS: the app, and /api/ in JSON", test_haas_site },
	{ "MSMP: sign in on this host, then the portal",
	  test_msmp_behind_signin },
	{ "MSMP: a forged cookie is sent to sign in", test_msmp_forged_cookie },
	{ "CORS on preflights and errors of every site", test_cors },
	{ "the main site is unchanged", test_main_site_unchanged },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = { SUITE("sites", tests), CU_SUITE_INFO_NULL };

int
main(void)
{
	bb_init();
	return cunit_run(suites);
}

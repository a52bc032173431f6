/* bb_session: the browser session through nginx: signing in sets an
 * HttpOnly, Secure, SameSite=Strict cookie that the API accepts in place
 * of a bearer token; writes it carries need this site's Origin; logout,
 * reuse detection, erasure and another session's password change end it;
 * the member's own password change keeps it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bb.h"
#include "cunit_main.h"
#include "util.h"

#define PW "Tr0ub4dor&3x"

struct browser {
	char *user;
	char *cookie;		/* "haas_session=..." */
	char *access;		/* the bearer token of the same sign-in */
	char *refresh;
};

static char *
origin(void)
{
	return xstrdup(getenv("HAAS_TEST_URL"));
}

/* The Set-Cookie value for haas_session in r, "" when absent. */
static char *
set_cookie(struct bb_resp *r)
{
	const char *v = bb_header(r, "Set-Cookie");

	return xstrdup(v ? v : "");
}

static void
sign_in(struct browser *b, const char *user)
{
	char *body = xasprintf("{\"username\": \"%s\", \"password\": \"%s\"}",
			       user, PW);
	struct bb_resp *r = bb_json("POST", "/api/auth/login", NULL, body);
	char *sc = set_cookie(r);

	CU_ASSERT_EQUAL(r->status, 200);
	b->user = xstrdup(user);
	b->cookie = xstrndup(sc, strcspn(sc, ";"));
	b->access = xstrdup(bb_str(r, "access_token"));
	b->refresh = xstrdup(bb_str(r, "refresh_token"));
	bb_free(r);
	free(sc);
	free(body);
}

static void
browser_free(struct browser *b)
{
	free(b->user);
	free(b->cookie);
	free(b->access);
	free(b->refresh);
}

/* A request carrying the cookie (no bearer), with Origin org (or none). */
static struct bb_resp *
with_cookie(const char *method, const char *path, const char *cookie,
	    const char *org, const char *json)
{
	char *h = org ? xasprintf("Cookie: %s\r\nOrigin: %s", cookie, org)
		      : xasprintf("Cookie: %s", cookie);
	struct bb_resp *r = bb_req(method, path, NULL,
				   json ? "application/json" : NULL, json,
				   json ? strlen(json) : 0, h);

	free(h);
	return r;
}

static long
status_of(struct bb_resp *r)
{
	long s = r->status;

	bb_free(r);
	return s;
}

static char *
new_account(void)
{
	char *u = bb_unique("web"), *body;
	struct bb_resp *r;

	body = xasprintf("{\"username\": \"%s\", \"password\": \"%s\"}", u, PW);
	r = bb_json("POST", "/api/auth/signup", NULL, body);
	CU_ASSERT_EQUAL(r->status, 201);
	bb_free(r);
	free(body);
	return u;
}

static void
test_cookie_set_and_accepted(void)
{
	char *u = new_account(), *o = origin(), *body, *sc;
	struct browser b;
	struct bb_resp *r;

	body = xasprintf("{\"username\": \"%s\", \"password\": \"%s\"}", u, PW);
	r = bb_json("POST", "/api/auth/login", NULL, body);
	sc = set_cookie(r);
	CU_ASSERT(!strncmp(sc, "haas_session=", 13));
	CU_ASSERT(strstr(sc, "HttpOnly") != NULL);
	CU_ASSERT(strstr(sc, "Secure") != NULL);
	CU_ASSERT(strstr(sc, "SameSite=Strict") != NULL);
	CU_ASSERT(strstr(sc, "Path=/") != NULL);
	bb_free(r);
	free(sc);
	free(body);
	sign_in(&b, u);
	r = with_cookie("GET", "/api/users/me", b.cookie, NULL, NULL);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "username"), u);
	bb_free(r);
	/* a write from this site: accepted */
	CU_ASSERT_EQUAL(status_of(with_cookie("PATCH", "/api/users/me",
		b.cookie, o, "{\"name\": \"Web Member\"}")), 200);
	/* a forged secret for a real session */
	sc = xstrndup(b.cookie, strcspn(b.cookie, ".") + 1);
	body = xasprintf("%sforged-secret-forged-secret", sc);
	CU_ASSERT_EQUAL(status_of(with_cookie("GET", "/api/users/me", body,
		NULL, NULL)), 401);
	free(sc);
	free(body);
	browser_free(&b);
	free(o);
	free(u);
}

/* CSRF: a write carried by the cookie from another site, or with no
 * Origin at all, is refused and changes nothing; a bearer token is not
 * ambient, so it needs no Origin. */
static void
test_cross_site_writes(void)
{
	char *u = new_account();
	struct browser b;
	struct bb_resp *r;

	sign_in(&b, u);
	r = with_cookie("PATCH", "/api/users/me", b.cookie,
			"https://evil.example", "{\"name\": \"Evil\"}");
	CU_ASSERT_EQUAL(r->status, 403);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), "cross_site");
	bb_free(r);
	CU_ASSERT_EQUAL(status_of(with_cookie("PATCH", "/api/users/me",
		b.cookie, NULL, "{\"name\": \"Evil\"}")), 403);
	CU_ASSERT_EQUAL(status_of(with_cookie("PATCH", "/api/users/me",
		b.cookie, "http://localhost", "{\"name\": \"Evil\"}")), 403);
	r = with_cookie("GET", "/api/users/me", b.cookie, NULL, NULL);
	CU_ASSERT_STRING_NOT_EQUAL(bb_str(r, "name"), "Evil");
	bb_free(r);
	r = bb_json("PATCH", "/api/users/me", b.access, "{\"name\": \"Bearer\"}");
	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);
	browser_free(&b);
	free(u);
}

/* Logout through the cookie ends the session (and clears the cookie);
 * reuse detection of its refresh family ends it too. */
static void
test_cookie_ends(void)
{
	char *u = new_account(), *o = origin(), *body, *sc;
	struct browser b, c;
	struct bb_resp *r;

	sign_in(&b, u);
	r = with_cookie("POST", "/api/auth/logout", b.cookie, o, NULL);
	CU_ASSERT_EQUAL(r->status, 200);
	sc = set_cookie(r);
	CU_ASSERT(strstr(sc, "Max-Age=0") != NULL);
	free(sc);
	bb_free(r);
	CU_ASSERT_EQUAL(status_of(with_cookie("GET", "/api/users/me",
		b.cookie, NULL, NULL)), 401);
	CU_ASSERT_EQUAL(status_of(bb_get("/api/users/me", b.access)), 401);
	/* a stolen refresh token used twice: the browser's session ends */
	sign_in(&c, u);
	body = xasprintf("{\"refresh_token\": \"%s\"}", c.refresh);
	CU_ASSERT_EQUAL(status_of(bb_json("POST", "/api/auth/refresh", NULL,
		body)), 200);
	CU_ASSERT_EQUAL(status_of(bb_json("POST", "/api/auth/refresh", NULL,
		body)), 401);
	CU_ASSERT_EQUAL(status_of(with_cookie("GET", "/api/users/me",
		c.cookie, NULL, NULL)), 401);
	free(body);
	browser_free(&b);
	browser_free(&c);
	free(o);
	free(u);
}

/* Changing one's password from the browser ends every other session and
 * keeps this one; an admin's reset ends them all. */
static void
test_password_change(void)
{
	char *u = new_account(), *o = origin(), *body, *admin;
	struct browser here, other;
	long long id;
	struct bb_resp *r;

	sign_in(&other, u);
	sign_in(&here, u);
	body = xasprintf("{\"currentPassword\": \"%s\", \"newPassword\":"
			 " \"An0ther-l0ng-one\", \"confirmPassword\":"
			 " \"An0ther-l0ng-one\"}", PW);
	CU_ASSERT_EQUAL(status_of(with_cookie("POST",
		"/api/users/reset-password", here.cookie, o, body)), 200);
	free(body);
	r = with_cookie("GET", "/api/users/me", here.cookie, NULL, NULL);
	CU_ASSERT_EQUAL(r->status, 200);
	id = strtoll(bb_str(r, "user_id"), NULL, 10);
	bb_free(r);
	CU_ASSERT_EQUAL(status_of(with_cookie("GET", "/api/users/me",
		other.cookie, NULL, NULL)), 401);
	CU_ASSERT_EQUAL(status_of(bb_get("/api/users/me", other.access)), 401);
	/* an admin sets a password: no session of the user is kept */
	admin = bb_admin_token();
	body = xasprintf("/api/users/%lld", id);
	CU_ASSERT_EQUAL(status_of(bb_json("PATCH", body, admin,
		"{\"password\": \"Y3t-an0ther-one\"}")), 200);
	CU_ASSERT_EQUAL(status_of(with_cookie("GET", "/api/users/me",
		here.cookie, NULL, NULL)), 401);
	free(body);
	free(admin);
	browser_free(&here);
	browser_free(&other);
	free(o);
	free(u);
}

/* Erasing the account ends its browser session. */
static void
test_erasure_ends_cookie(void)
{
	char *u = new_account(), *o = origin();
	struct browser b;

	sign_in(&b, u);
	CU_ASSERT_EQUAL(status_of(with_cookie("DELETE", "/api/users/me",
		b.cookie, o, NULL)), 204);
	CU_ASSERT_EQUAL(status_of(with_cookie("GET", "/api/users/me",
		b.cookie, NULL, NULL)), 401);
	browser_free(&b);
	free(o);
	free(u);
}

static CU_TestInfo tests[] = {
	{ "sign-in sets the cookie; the API accepts it",
	  test_cookie_set_and_accepted },
	{ "cross-site writes with the cookie are refused",
	  test_cross_site_writes },
	{ "logout and reuse detection end the cookie", test_cookie_ends },
	{ "own password change keeps this session only", test_password_change },
	{ "erasure ends the cookie", test_erasure_ends_cookie },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = { SUITE("session", tests), CU_SUITE_INFO_NULL };

int
main(void)
{
	bb_init();
	return cunit_run(suites);
}

/* bb_site_haas: the HaaS React app's conversation (../shared/REAL-CLIENTS.md,
 * "HaaS React app") replayed on its site through nginx, with its host name
 * and a browser's cookie jar, asserting the fields the app reads and what
 * the database then holds; the same without the session and from another
 * site; _id guessing; CORS on every path, errors included; the aliases. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bb.h"
#include "cunit_main.h"
#include "util.h"

#define HOST "frozen-sea-50755-1f37732e6aa8.herokuapp.com"
/* The hardware sets' ids and names in the old backend, hard-coded in the
 * app (the dev seed gives them to HWSet1 and HWSet2). */
#define SET1 "672b88e1053d6a26a995a710"
#define SET2 "672b88e5053d6a26a995a711"
#define PASSWORD "Tr0ub4dor&3x"
#define EVIL "Origin: https://evil.example"

static const char sql_available[] =
	"SELECT available_units FROM resources WHERE code = ?";
static const char sql_code_of[] =
	"SELECT COUNT(*) FROM resources WHERE old_id = ? AND code = ?";
static const char sql_held[] =
	"SELECT COALESCE(SUM(h.units), 0) FROM resource_holdings h"
	" JOIN resources r ON r.id = h.resource_id"
	" JOIN projects p ON p.id = h.project_id"
	" WHERE r.code = ? AND p.code = ?";
static const char sql_events[] =
	"SELECT COUNT(*) FROM audit_log e JOIN projects p"
	" ON p.id = e.project_id JOIN resources r ON r.id = e.resource_id"
	" WHERE p.code = ? AND r.code = ?"
	" AND e.action = CONCAT('resource.', ?)"
	" AND JSON_VALUE(e.details, '$.units') = ?";
static const char sql_audit[] =
	"SELECT COUNT(*) FROM audit_log WHERE entity = ? AND entity_id = ?"
	" AND action = ?";
static const char sql_member[] =
	"SELECT COUNT(*) FROM project_members m JOIN projects p"
	" ON p.id = m.project_id WHERE p.code = ? AND m.user_id = ?";
static const char sql_projects[] =
	"SELECT COUNT(*) FROM projects WHERE code = ?";
static const char sql_project_id[] =
	"SELECT id FROM projects WHERE code = ?";
static const char sql_invariant_broken[] =
	"SELECT COUNT(*) FROM resources r WHERE r.available_units < 0"
	" OR r.available_units + COALESCE((SELECT SUM(h.units)"
	" FROM resource_holdings h WHERE h.resource_id = r.id), 0)"
	" <> r.total_units";

/* ---- a browser on the site ------------------------------------------------ */

/* One person using the app: their browser (cookie jar) and what the app
 * keeps after signing in. */
struct person {
	struct bb_site *s;
	char *username;
	char *uid;		/* userId, as the app keeps and sends it */
	long long id;
};

static char *
vfmt(const char *fmt, va_list ap)
{
	char *b;

	if (vasprintf(&b, fmt, ap) < 0)
		abort();
	return b;
}

/* POST path with a JSON body, as the app's pages send it (the site's own
 * Origin, the browser's cookies). */
static struct bb_resp *
post(struct bb_site *s, const char *path, const char *fmt, ...)
{
	struct bb_resp *r;
	va_list ap;
	char *b;

	va_start(ap, fmt);
	b = vfmt(fmt, ap);
	va_end(ap);
	r = bb_site_json(s, "POST", path, b);
	free(b);
	return r;
}

/* The same with extra headers (another Origin, or none: extra NULL). */
static struct bb_resp *
post_from(struct bb_site *s, const char *extra, const char *path,
	  const char *fmt, ...)
{
	struct bb_resp *r;
	va_list ap;
	char *b;

	va_start(ap, fmt);
	b = vfmt(fmt, ap);
	va_end(ap);
	r = bb_site_req(s, "POST", path, "application/json", b, extra);
	free(b);
	return r;
}

static struct bb_resp *
get(struct bb_site *s, const char *fmt, ...)
{
	struct bb_resp *r;
	va_list ap;
	char *path;

	va_start(ap, fmt);
	path = vfmt(fmt, ap);
	va_end(ap);
	r = bb_site_req(s, "GET", path, NULL, NULL, NULL);
	free(path);
	return r;
}

/* Every answer carries CORS (REAL-CLIENTS.md, "CORS"), errors included. */
static void
expect_cors(struct bb_resp *r)
{
	CU_ASSERT_PTR_NOT_NULL(bb_header(r, "Access-Control-Allow-Origin"));
}

/* Asserts the status (and, when want is not NULL, the message or the
 * error the app shows); frees r. */
static void
expect(struct bb_resp *r, long status, const char *want)
{
	CU_ASSERT_EQUAL(r->status, status);
	if (r->status != status)
		fprintf(stderr, "\n  want %ld, got %ld %s\n", status, r->status,
			r->body);
	CU_ASSERT_PTR_NOT_NULL(r->json);
	expect_cors(r);
	if (want)
		CU_ASSERT_STRING_EQUAL(bb_str(r, status < 300 ? "message"
					      : "error"), want);
	bb_free(r);
}

/* Asserts a refusal with its stable code; frees r. */
static void
refused(struct bb_resp *r, long status, const char *code)
{
	CU_ASSERT_EQUAL(r->status, status);
	if (r->status != status)
		fprintf(stderr, "\n  want %ld, got %ld %s\n", status, r->status,
			r->body);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), code);
	CU_ASSERT(strlen(bb_str(r, "error")) > 0);
	expect_cors(r);
	bb_free(r);
}

/* Steps 1 and 2: sign up, log in (status exactly 200, a truthy token,
 * userId, message, and the session cookie for this site). */
static void
person_new(struct person *p, const char *prefix)
{
	struct bb_resp *r;
	const char *cookie;

	p->s = bb_site_new(HOST);
	p->username = bb_unique(prefix);
	r = post(p->s, "/api/auth/signup", "{\"username\": \"%s\","
		 " \"password\": \"%s\"}", p->username, PASSWORD);
	CU_ASSERT(r->status >= 200 && r->status < 300);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "message"),
			       "User created successfully");
	bb_free(r);
	r = post(p->s, "/api/auth/login", "{\"username\": \"%s\","
		 " \"password\": \"%s\"}", p->username, PASSWORD);
	CU_ASSERT_EQUAL_FATAL(r->status, 200);
	CU_ASSERT(strlen(bb_str(r, "token")) > 0);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "message"), "Login successful");
	p->uid = xstrdup(bb_str(r, "userId"));
	p->id = strtoll(p->uid, NULL, 10);
	CU_ASSERT(p->id > 0);
	cookie = bb_header(r, "Set-Cookie");
	CU_ASSERT_PTR_NOT_NULL_FATAL(cookie);
	CU_ASSERT_PTR_NOT_NULL(strstr(cookie, "haas_session="));
	CU_ASSERT_PTR_NOT_NULL(strstr(cookie, "HttpOnly"));
	CU_ASSERT_PTR_NOT_NULL(strstr(cookie, "Secure"));
	CU_ASSERT_PTR_NOT_NULL(strstr(cookie, "SameSite=Strict"));
	bb_free(r);
}

static void
person_free(struct person *p)
{
	bb_site_free(p->s);
	free(p->username);
	free(p->uid);
}

/* ---- what the app reads --------------------------------------------------- */

static const char *
jstr(json_object *o, const char *key)
{
	json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return "";
	return json_object_get_string(v);
}

/* arr.includes(s), as the app asks of joined_users. */
static bool
includes(json_object *arr, const char *s)
{
	size_t i;

	if (!json_object_is_type(arr, json_type_array))
		return false;
	for (i = 0; i < json_object_array_length(arr); i++) {
		json_object *v = json_object_array_get_idx(arr, i);

		if (json_object_is_type(v, json_type_string) &&
		    !strcmp(json_object_get_string(v), s))
			return true;
	}
	return false;
}

/* Step 3: GET get_projects/<userId>; projects[] must be there. */
static struct bb_resp *
projects_page(struct person *p)
{
	struct bb_resp *r = get(p->s, "/api/projects/get_projects/%s",
				p->uid);

	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT(bb_len(r, "projects") >= 0);
	return r;
}

/* The card whose _id is code (a string), or NULL. */
static json_object *
card(const struct bb_resp *r, const char *code)
{
	json_object *arr = r->json ? json_object_object_get(r->json,
		"projects") : NULL;
	size_t i;

	for (i = 0; arr && i < json_object_array_length(arr); i++) {
		json_object *p = json_object_array_get_idx(arr, i);

		if (!strcmp(jstr(p, "_id"), code))
			return p;
	}
	return NULL;
}

/* resources[set] of a card: "HWSet1: n / 100"; -1 when absent. */
static long long
card_units(json_object *p, const char *set)
{
	json_object *res = json_object_object_get(p, "resources"), *n;

	if (!res || !json_object_object_get_ex(res, set, &n) ||
	    !json_object_is_type(n, json_type_int))
		return -1;
	return json_object_get_int64(n);
}

/* Asserts what the app reads of a card: _id, project_name, viewers and
 * joined_users (with the person in both), and resources by old id. */
static void
expect_card(json_object *p, const char *name, const struct person *who,
	    long long set1, long long set2)
{
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_STRING_EQUAL(jstr(p, "project_name"), name);
	CU_ASSERT(includes(json_object_object_get(p, "viewers"), who->uid));
	CU_ASSERT(includes(json_object_object_get(p, "joined_users"),
			   who->uid));
	CU_ASSERT_EQUAL(card_units(p, SET1), set1);
	CU_ASSERT_EQUAL(card_units(p, SET2), set2);
}

/* GET resources/all: available_units summed for name, as the app does;
 * -1 when no set has that name. */
static long long
available_named(struct person *p, const char *name)
{
	struct bb_resp *r = get(p->s, "/api/resources/all");
	json_object *arr = r->json ? json_object_object_get(r->json,
		"resources") : NULL;
	long long sum = -1;
	size_t i;

	CU_ASSERT_EQUAL(r->status, 200);
	for (i = 0; arr && i < json_object_array_length(arr); i++) {
		json_object *s = json_object_array_get_idx(arr, i);

		if (strcmp(jstr(s, "name"), name))
			continue;
		sum = (sum < 0 ? 0 : sum) + json_object_get_int64(
			json_object_object_get(s, "available_units"));
	}
	bb_free(r);
	return sum;
}

/* The set in a resources list whose key is value, or NULL. */
static json_object *
set_named(const struct bb_resp *r, const char *key, const char *value)
{
	json_object *arr = r->json ? json_object_object_get(r->json,
		"resources") : NULL;
	size_t i;

	for (i = 0; arr && i < json_object_array_length(arr); i++) {
		json_object *s = json_object_array_get_idx(arr, i);

		if (!strcmp(jstr(s, key), value))
			return s;
	}
	return NULL;
}

static long long
db_available(const char *code)
{
	return bb_db_int(sql_available, DB_P(db_str(code)));
}

static bool
is_member(const char *code, long long uid)
{
	return bb_db_int(sql_member, DB_P(db_str(code), db_int(uid))) == 1;
}

/* Step 4: create a project the way the app's form does. */
static struct bb_resp *
create(struct person *p, const char *code, const char *name)
{
	return post(p->s, "/api/projects/create_project", "{\"user_id\":"
		    " \"%s\", \"project_name\": \"%s\", \"description\":"
		    " \"made by the app\", \"project_id\": \"%s\"}", p->uid,
		    name, code);
}

/* Step 6: check units out or in, as the app sends it ("units" a string). */
static struct bb_resp *
move(struct person *p, const char *what, const char *set, const char *units,
     const char *project)
{
	char *path = xasprintf("/api/resources/%s", what);
	struct bb_resp *r = post(p->s, path, "{\"resource_id\": \"%s\","
		" \"units\": \"%s\", \"project_id\": \"%s\"}", set, units,
		project);

	free(path);
	return r;
}

/* ---- the flow ------------------------------------------------------------- */

/* The pages the app's router serves: a navigation gets the app. */
static void
test_navigation(void)
{
	static const char *const pages[] = { "/", "/login", "/signup",
					     "/home", "/projects" };
	struct bb_site *s = bb_site_new(HOST);
	size_t i;

	for (i = 0; i < ARRAY_SIZE(pages); i++) {
		struct bb_resp *r = bb_site_req(s, "GET", pages[i], NULL, NULL,
						"Accept: text/html");

		CU_ASSERT_EQUAL(r->status, 200);
		CU_ASSERT_PTR_NOT_NULL(strstr(r->body, "HaaS (stand-in)"));
		CU_ASSERT_PTR_NOT_NULL(strstr(bb_header(r, "Content-Type"),
					      "text/html"));
		bb_free(r);
	}
	bb_site_free(s);
}

/* The seed gives HWSet1 and HWSet2 the old ids and names. */
static void
test_seed_aliases(void)
{
	struct person a;
	struct bb_resp *r;

	CU_ASSERT_EQUAL(bb_db_int(sql_code_of, DB_P(db_str(SET1),
		db_str("HWSet1"))), 1);
	CU_ASSERT_EQUAL(bb_db_int(sql_code_of, DB_P(db_str(SET2),
		db_str("HWSet2"))), 1);
	person_new(&a, "hr_seed");
	CU_ASSERT_EQUAL(available_named(&a, "HW Set1"), db_available("HWSet1"));
	CU_ASSERT_EQUAL(available_named(&a, "HW Set2"), db_available("HWSet2"));
	r = get(a.s, "/api/resources/all");
	CU_ASSERT_STRING_EQUAL(jstr(set_named(r, "name", "HW Set1"), "_id"),
			       SET1);
	CU_ASSERT_STRING_EQUAL(jstr(set_named(r, "name", "HW Set2"),
				    "resource_id"), SET2);
	CU_ASSERT_EQUAL(json_object_get_int(json_object_object_get(set_named(
		r, "name", "HW Set1"), "total_units")), 100);
	bb_free(r);
	person_free(&a);
}

/* Steps 1-6 for the creator: sign up, log in, the projects page, create,
 * the list reloaded (the card, with the creator in viewers), Join on the
 * own card (already a member: 2xx), check out 5 of HW Set1 and 3 of HW
 * Set2, the counts on the card and in resources/all, check in. */
static void
test_creator_flow(void)
{
	struct person a;
	char *code = bb_unique("hp");
	long long set1 = db_available("HWSet1"), set2 = db_available("HWSet2");
	struct bb_resp *r;
	int i;

	person_new(&a, "hr_a");
	r = projects_page(&a);
	CU_ASSERT_PTR_NULL(card(r, code));
	bb_free(r);
	CU_ASSERT_EQUAL(available_named(&a, "HW Set1"), set1);

	expect(create(&a, code, "Robot arm"), 201,
	       "Project created successfully");
	expect(create(&a, code, "Robot arm again"), 409,
	       "ProjectID already exists");
	CU_ASSERT_EQUAL(bb_db_int(sql_projects, DB_P(db_str(code))), 1);
	for (i = 0; i < 2; i++) {	/* the app reloads the list twice */
		r = projects_page(&a);
		expect_card(card(r, code), "Robot arm", &a, 0, 0);
		bb_free(r);
	}

	expect(post(a.s, "/api/projects/join", "{\"project_id\": \"%s\","
		    " \"user_id\": \"%s\"}", code, a.uid), 200, NULL);
	CU_ASSERT_EQUAL(bb_db_int(sql_audit, DB_P(db_str("project"),
		db_str(code), db_str("project.join"))), 0);

	expect(move(&a, "checkout", SET1, "5", code), 200,
	       "Resource checked out successfully");
	expect(move(&a, "checkout", SET2, "3", code), 200,
	       "Resource checked out successfully");
	CU_ASSERT_EQUAL(db_available("HWSet1"), set1 - 5);
	CU_ASSERT_EQUAL(bb_db_int(sql_held, DB_P(db_str("HWSet1"),
		db_str(code))), 5);
	CU_ASSERT_EQUAL(bb_db_int(sql_events, DB_P(db_str(code),
		db_str("HWSet1"), db_str("checkout"), db_int(5))), 1);
	/* The audit log names the set by its code, as everywhere. */
	CU_ASSERT(bb_db_int(sql_audit, DB_P(db_str("resource"),
		db_str("HWSet1"), db_str("resource.checkout"))) >= 1);
	r = projects_page(&a);
	expect_card(card(r, code), "Robot arm", &a, 5, 3);
	bb_free(r);
	CU_ASSERT_EQUAL(available_named(&a, "HW Set1"), set1 - 5);
	CU_ASSERT_EQUAL(available_named(&a, "HW Set2"), set2 - 3);

	expect(move(&a, "checkin", SET1, "5", code), 200,
	       "Resource checked in successfully");
	expect(move(&a, "checkin", SET2, "4", code), 409,
	       "Unable to check in resource");
	expect(move(&a, "checkin", SET2, "3", code), 200,
	       "Resource checked in successfully");
	expect(move(&a, "checkout", SET1, "0", code), 400,
	       "Units must be a valid integer");
	CU_ASSERT_EQUAL(db_available("HWSet1"), set1);
	CU_ASSERT_EQUAL(db_available("HWSet2"), set2);
	CU_ASSERT_EQUAL(bb_db_int(sql_events, DB_P(db_str(code),
		db_str("HWSet1"), db_str("checkin"), db_int(5))), 1);
	r = projects_page(&a);
	expect_card(card(r, code), "Robot arm", &a, 0, 0);
	bb_free(r);
	CU_ASSERT_EQUAL(bb_db_int(sql_invariant_broken, DB_NONE), 0);
	person_free(&a);
	free(code);
}

/* Steps 5, 7 and 8 between people: B joins by the typed id (add_viewer),
 * presses Join, checks out, leaves; A adds C by user id from the card. */
static void
test_join_by_id_and_add_viewer(void)
{
	struct person a, b, c;
	char *code = bb_unique("hv");
	struct bb_resp *r;

	person_new(&a, "hr_owner");
	person_new(&b, "hr_joiner");
	person_new(&c, "hr_added");
	expect(create(&a, code, "Drone"), 201, "Project created successfully");

	/* 7: Join by id (the form), by the typed project code. */
	expect(post(b.s, "/api/projects/add_viewer", "{\"project_id\":"
		    " \"nope-%s\", \"user_id\": \"%s\"}", code, b.uid), 404,
	       "No matching projectID");
	CU_ASSERT_FALSE(is_member(code, b.id));
	expect(post(b.s, "/api/projects/add_viewer", "{\"project_id\":"
		    " \"%s\", \"user_id\": \"%s\"}", code, b.uid), 200, NULL);
	CU_ASSERT_TRUE(is_member(code, b.id));
	expect(post(b.s, "/api/projects/add_viewer", "{\"project_id\":"
		    " \"%s\", \"user_id\": \"%s\"}", code, b.uid), 409,
	       "User is already a viewer of this project");
	CU_ASSERT_EQUAL(bb_db_int(sql_audit, DB_P(db_str("project"),
		db_str(code), db_str("project.join"))), 1);

	/* The card is on B's page; B presses Join (2xx: already in), with
	 * the _id as {"$oid"} this time. */
	r = projects_page(&b);
	expect_card(card(r, code), "Drone", &b, 0, 0);
	CU_ASSERT(includes(json_object_object_get(card(r, code), "viewers"),
			   a.uid));
	bb_free(r);
	expect(post(b.s, "/api/projects/join", "{\"project_id\": {\"$oid\":"
		    " \"%s\"}, \"user_id\": \"%s\"}", code, b.uid), 200, NULL);

	/* B checks out for the project, then A checks it in. */
	expect(move(&b, "checkout", SET2, "2", code), 200,
	       "Resource checked out successfully");
	expect(move(&a, "checkin", SET2, "2", code), 200,
	       "Resource checked in successfully");

	/* 5: Leave, same body. */
	expect(post(b.s, "/api/projects/leave", "{\"project_id\": \"%s\","
		    " \"user_id\": \"%s\"}", code, b.uid), 200,
	       "Successfully left the project");
	CU_ASSERT_FALSE(is_member(code, b.id));
	r = projects_page(&b);
	CU_ASSERT_PTR_NULL(card(r, code));
	bb_free(r);
	expect(move(&b, "checkout", SET2, "1", code), 403, NULL);
	/* The owner stays, so someone can return what the project holds. */
	expect(post(a.s, "/api/projects/leave", "{\"project_id\": \"%s\","
		    " \"user_id\": \"%s\"}", code, a.uid), 409, NULL);

	/* 8: Add viewer (the card), by the typed user id. */
	expect(post(a.s, "/api/projects/add_viewer", "{\"project_id\":"
		    " \"%s\", \"user_id\": \"%s\"}", code, c.uid), 200, NULL);
	CU_ASSERT_TRUE(is_member(code, c.id));
	CU_ASSERT_EQUAL(bb_db_int(sql_audit, DB_P(db_str("project"),
		db_str(code), db_str("project.add_member"))), 1);
	expect(post(a.s, "/api/projects/add_viewer", "{\"project_id\":"
		    " \"%s\", \"user_id\": \"%s\"}", code, c.uid), 409,
	       "User is already a viewer of this project");
	expect(post(a.s, "/api/projects/add_viewer", "{\"project_id\":"
		    " \"%s\", \"user_id\": \"999999999\"}", code), 404, NULL);
	r = projects_page(&c);
	expect_card(card(r, code), "Drone", &c, 0, 0);
	bb_free(r);
	r = projects_page(&a);
	CU_ASSERT(includes(json_object_object_get(card(r, code),
		"joined_users"), c.uid));
	bb_free(r);
	person_free(&a), person_free(&b), person_free(&c);
	free(code);
}

/* ---- security ------------------------------------------------------------- */

/* The same conversation without the session: every API step is 401 JSON,
 * and nothing changes. */
static void
test_without_session(void)
{
	struct person a;
	struct bb_site *anon = bb_site_new(HOST);
	char *code = bb_unique("hn");
	long long set1 = db_available("HWSet1");

	person_new(&a, "hr_n");
	expect(create(&a, code, "Mine"), 201, NULL);
	refused(get(anon, "/api/projects/get_projects/%s", a.uid), 401,
		"unauthorized");
	refused(get(anon, "/api/resources/all"), 401, "unauthorized");
	refused(post(anon, "/api/projects/create_project", "{\"user_id\":"
		     " \"%s\", \"project_name\": \"x\", \"project_id\":"
		     " \"%s-2\"}", a.uid, code), 401, "unauthorized");
	refused(post(anon, "/api/projects/join", "{\"project_id\": \"%s\","
		     " \"user_id\": \"%s\"}", code, a.uid), 401,
		"unauthorized");
	refused(post(anon, "/api/projects/add_viewer", "{\"project_id\":"
		     " \"%s\", \"user_id\": \"%s\"}", code, a.uid), 401,
		"unauthorized");
	refused(post(anon, "/api/resources/checkout", "{\"resource_id\": \""
		     SET1 "\", \"units\": \"5\", \"project_id\": \"%s\"}",
		     code), 401, "unauthorized");
	refused(post(anon, "/api/resources/checkin", "{\"resource_id\": \""
		     SET1 "\", \"units\": \"5\", \"project_id\": \"%s\"}",
		     code), 401, "unauthorized");
	refused(post(anon, "/api/projects/leave", "{\"project_id\": \"%s\","
		     " \"user_id\": \"%s\"}", code, a.uid), 401,
		"unauthorized");
	/* The token the log-in answered is never sent by the app; a forged
	 * cookie is no session either. */
	refused(bb_site_req(anon, "GET", "/api/resources/all", NULL, NULL,
			    "Cookie: haas_session=abc.def"), 401,
		"token_invalid");
	CU_ASSERT_EQUAL(bb_db_int(sql_projects, DB_P(db_str(code))), 1);
	CU_ASSERT_EQUAL(db_available("HWSet1"), set1);
	bb_site_free(anon);
	person_free(&a);
	free(code);
}

/* A cross-site Origin (or none) with the cookie: every write is 403
 * cross_site and changes nothing; the site's own Origin works. */
static void
test_cross_site(void)
{
	static const char *const origins[] = {
		EVIL, "Origin: null", "Origin: https://" HOST ".evil.example",
		"Origin: http://" HOST, NULL,
	};
	struct person a;
	char *code = bb_unique("hx"), *other;
	long long set1 = db_available("HWSet1");
	size_t i;

	person_new(&a, "hr_x");
	expect(create(&a, code, "Mine"), 201, NULL);
	/* Another haas site on the same stack is another site too. */
	other = xasprintf("Origin: https://electroports-db.onrender.com%s",
			  strrchr(bb_site_origin(a.s), ':'));
	for (i = 0; i <= ARRAY_SIZE(origins); i++) {
		const char *o = i < ARRAY_SIZE(origins) ? origins[i] : other;

		refused(post_from(a.s, o, "/api/projects/create_project",
				  "{\"user_id\": \"%s\", \"project_name\":"
				  " \"x\", \"project_id\": \"%s-%zu\"}", a.uid,
				  code, i), 403, "cross_site");
		refused(post_from(a.s, o, "/api/resources/checkout",
				  "{\"resource_id\": \"" SET1 "\", \"units\":"
				  " \"5\", \"project_id\": \"%s\"}", code), 403,
			"cross_site");
		refused(post_from(a.s, o, "/api/projects/leave",
				  "{\"project_id\": \"%s\"}", code), 403,
			"cross_site");
		refused(post_from(a.s, o, "/api/projects/add_viewer",
				  "{\"project_id\": \"%s\", \"user_id\":"
				  " \"%s\"}", code, a.uid), 403, "cross_site");
	}
	CU_ASSERT_EQUAL(db_available("HWSet1"), set1);
	CU_ASSERT_TRUE(is_member(code, a.id));
	expect(move(&a, "checkout", SET1, "1", code), 200, NULL);
	expect(move(&a, "checkin", SET1, "1", code), 200, NULL);
	free(other);
	person_free(&a);
	free(code);
}

/* Another user's project cannot be joined by guessing its _id: _id is the
 * project's code (knowing it is what haas's rules ask for a join), never
 * the row id or anything derived from it; a stranger cannot add people,
 * act for another user_id, or read another's list. */
static void
test_id_guessing(void)
{
	struct person a, b, c;
	char *code = bb_unique("hg"), *guess[5];
	long long pid;
	size_t i;

	person_new(&a, "hr_ga");
	person_new(&b, "hr_gb");
	person_new(&c, "hr_gc");
	expect(create(&b, code, "Secret"), 201, NULL);
	pid = bb_db_int(sql_project_id, DB_P(db_str(code)));
	CU_ASSERT_FATAL(pid > 0);
	guess[0] = xasprintf("\"%lld\"", pid);
	guess[1] = xasprintf("{\"$oid\": \"%024llx\"}", pid);
	guess[2] = xasprintf("{\"$oid\": \"%lld\"}", pid);
	guess[3] = xasprintf("\"%024llx\"", pid);
	guess[4] = xasprintf("{\"$oid\": \"%s\", \"x\": 1}", code);
	for (i = 0; i < ARRAY_SIZE(guess); i++) {
		struct bb_resp *r = post(a.s, "/api/projects/join",
			"{\"project_id\": %s, \"user_id\": \"%s\"}", guess[i],
			a.uid);

		CU_ASSERT(r->status == 404 || r->status == 400);
		bb_free(r);
		r = post(a.s, "/api/projects/add_viewer", "{\"project_id\":"
			 " %s, \"user_id\": \"%s\"}", guess[i], a.uid);
		CU_ASSERT(r->status == 404 || r->status == 400);
		bb_free(r);
		r = post(a.s, "/api/resources/checkout", "{\"resource_id\":"
			 " \"" SET1 "\", \"units\": \"1\", \"project_id\":"
			 " %s}", guess[i]);
		CU_ASSERT(r->status == 404 || r->status == 400);
		bb_free(r);
		free(guess[i]);
	}
	refused(post(a.s, "/api/projects/join", "{\"project_id\": %lld}",
		     pid), 400, "field_invalid");
	CU_ASSERT_FALSE(is_member(code, a.id));

	/* Not a member: no checkout, no adding others, no acting for B. */
	refused(move(&a, "checkout", SET1, "1", code), 403,
		"not_project_member");
	refused(post(a.s, "/api/projects/add_viewer", "{\"project_id\":"
		     " \"%s\", \"user_id\": \"%s\"}", code, c.uid), 403,
		"not_project_member");
	CU_ASSERT_FALSE(is_member(code, c.id));
	refused(post(a.s, "/api/projects/leave", "{\"project_id\": \"%s\","
		     " \"user_id\": \"%s\"}", code, b.uid), 403, "forbidden");
	refused(post(a.s, "/api/projects/join", "{\"project_id\": \"%s\","
		     " \"user_id\": \"%s\"}", code, c.uid), 403, "forbidden");
	CU_ASSERT_TRUE(is_member(code, b.id));
	CU_ASSERT_FALSE(is_member(code, c.id));
	refused(get(a.s, "/api/projects/get_projects/%s", b.uid), 403,
		"forbidden");
	refused(post(a.s, "/api/projects/create_project", "{\"user_id\":"
		     " \"%s\", \"project_name\": \"x\", \"project_id\":"
		     " \"%s-b\"}", b.uid, code), 403, "forbidden");
	/* Knowing the code is what a join takes, as on haas's own site. */
	expect(post(a.s, "/api/projects/join", "{\"project_id\": \"%s\","
		    " \"user_id\": \"%s\"}", code, a.uid), 200,
	       "Successfully joined the project");
	CU_ASSERT_TRUE(is_member(code, a.id));
	person_free(&a), person_free(&b), person_free(&c);
	free(code);
}

/* ---- CORS ----------------------------------------------------------------- */

/* A preflight on every path of the app's: 2xx naming the methods and
 * headers. */
static void
test_preflight(void)
{
	static const char *const paths[] = {
		"/api/auth/signup", "/api/auth/login",
		"/api/projects/get_projects/1", "/api/projects/create_project",
		"/api/projects/join", "/api/projects/leave",
		"/api/projects/add_viewer", "/api/resources/all",
		"/api/resources/checkout", "/api/resources/checkin",
	};
	static const char *const methods[] = { "GET", "POST", "PUT", "PATCH",
					       "DELETE", "OPTIONS" };
	struct bb_site *s = bb_site_new(HOST);
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(paths); i++) {
		struct bb_resp *r = bb_site_req(s, "OPTIONS", paths[i], NULL,
			NULL, "Origin: https://elsewhere.example\r\n"
			"Access-Control-Request-Method: POST\r\n"
			"Access-Control-Request-Headers: content-type");
		/* bb_header's answer lasts until its next call. */
		char *m = xstrdup(bb_header(r, "Access-Control-Allow-Methods")
				  ?: "");
		char *h = xstrdup(bb_header(r, "Access-Control-Allow-Headers")
				  ?: "");

		CU_ASSERT(r->status >= 200 && r->status < 300);
		expect_cors(r);
		for (j = 0; j < ARRAY_SIZE(methods); j++)
			CU_ASSERT_PTR_NOT_NULL(strstr(m, methods[j]));
		CU_ASSERT_PTR_NOT_NULL(strstr(h, "Content-Type"));
		CU_ASSERT_PTR_NOT_NULL(strstr(h, "Authorization"));
		free(m), free(h);
		bb_free(r);
	}
	bb_site_free(s);
}

/* ---- aliases and the main site ------------------------------------------- */

static struct bb_resp *
admin_json(const char *method, const char *path, const char *fmt, ...)
{
	char *admin = bb_admin_token(), *b;
	struct bb_resp *r;
	va_list ap;

	va_start(ap, fmt);
	b = vfmt(fmt, ap);
	va_end(ap);
	r = bb_json(method, path, admin, b);
	free(admin), free(b);
	return r;
}

/* An admin gives a set its old id and name (create, PATCH) on haas's own
 * site; the app's site then shows and takes them; haas's own site keeps
 * its codes and shapes. */
static void
test_aliases(void)
{
	char *code = bb_unique("HWA"), *old = bb_unique("old"), *path;
	char *pcode = bb_unique("ha");
	struct person a;
	struct bb_resp *r;

	expect(admin_json("POST", "/api/resources/create", "{\"name\":"
			  " \"Kit %s\", \"total_units\": 7, \"resource_id\":"
			  " \"%s\", \"old_id\": \"%s\", \"old_name\":"
			  " \"Old Kit\"}", code, code, old), 201, NULL);
	refused(admin_json("POST", "/api/resources/create", "{\"name\":"
			   " \"x\", \"total_units\": 1, \"resource_id\":"
			   " \"%s-2\", \"old_id\": \"%s\"}", code, old), 409,
		"old_id_taken");
	refused(admin_json("POST", "/api/resources/create", "{\"name\":"
			   " \"x\", \"total_units\": 1, \"resource_id\":"
			   " \"%s-3\", \"old_id\": \"" SET1 "\"}", code), 409,
		"old_id_taken");
	person_new(&a, "hr_al");
	CU_ASSERT_EQUAL(available_named(&a, "Old Kit"), 7);
	expect(create(&a, pcode, "Kits"), 201, NULL);
	expect(move(&a, "checkout", old, "2", pcode), 200, NULL);
	CU_ASSERT_EQUAL(db_available(code), 5);
	r = projects_page(&a);
	CU_ASSERT_EQUAL(card_units(card(r, pcode), old), 2);
	bb_free(r);
	/* Lines naming one set by code and by old id are one line. */
	expect(post(a.s, "/api/resources/checkin", "{\"project_id\": \"%s\","
		    " \"items\": [{\"resource_id\": \"%s\", \"units\": 1},"
		    " {\"resource_id\": \"%s\", \"units\": 2}]}", pcode, old,
		    code), 409, NULL);
	expect(post(a.s, "/api/resources/checkin", "{\"project_id\": \"%s\","
		    " \"items\": [{\"resource_id\": \"%s\", \"units\": 1},"
		    " {\"resource_id\": \"%s\", \"units\": 1}]}", pcode, old,
		    code), 200, NULL);
	CU_ASSERT_EQUAL(db_available(code), 7);
	/* A set whose code is the other's old id: on the app's site the old
	 * id wins; haas's own site knows codes only. */
	expect(admin_json("POST", "/api/resources/create", "{\"name\": \"y\","
			  " \"total_units\": 3, \"resource_id\": \"%s\"}", old),
	       201, NULL);
	expect(move(&a, "checkout", old, "1", pcode), 200, NULL);
	CU_ASSERT_EQUAL(db_available(code), 6);
	CU_ASSERT_EQUAL(db_available(old), 3);
	expect(move(&a, "checkin", old, "1", pcode), 200, NULL);
	CU_ASSERT_EQUAL(db_available(code), 7);

	/* haas's own site: codes only, its own shape, no add_viewer. */
	{
		char *tok = bb_new_user("hr_main", NULL);
		json_object *s1;

		r = bb_json("POST", "/api/resources/checkout", tok,
			    "{\"resource_id\": \"" SET1 "\", \"units\": 1}");
		CU_ASSERT_EQUAL(r->status, 404);
		bb_free(r);
		path = xasprintf("{\"resource_id\": \"%s\", \"units\": 1}",
				 old);
		r = bb_json("POST", "/api/resources/checkout", tok, path);
		CU_ASSERT_EQUAL(r->status, 200);
		bb_free(r);
		CU_ASSERT_EQUAL(db_available(old), 2);
		CU_ASSERT_EQUAL(db_available(code), 7);
		r = bb_json("POST", "/api/resources/checkin", tok, path);
		CU_ASSERT_EQUAL(r->status, 200);
		bb_free(r);
		free(path);
		r = bb_get("/api/resources/all", tok);
		s1 = set_named(r, "resource_id", "HWSet1");
		CU_ASSERT_STRING_EQUAL(jstr(s1, "name"), "HWSet1");
		CU_ASSERT_STRING_EQUAL(jstr(s1, "old_id"), SET1);
		CU_ASSERT_STRING_EQUAL(jstr(s1, "old_name"), "HW Set1");
		CU_ASSERT_FALSE(json_object_object_get_ex(s1, "_id", NULL));
		bb_free(r);
		r = bb_json("POST", "/api/projects/add_viewer", tok,
			    "{\"project_id\": \"x\", \"user_id\": 1}");
		CU_ASSERT(r->status == 404 || r->status == 405);
		bb_free(r);
		free(tok);
	}

	/* Clearing the old id: the app's site names the set by its code. */
	path = xasprintf("/api/resources/%s", code);
	r = admin_json("PATCH", path, "{\"old_id\": null}");
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_STRING_EQUAL(bb_sub(r, "resource", "old_name"), "Old Kit");
	bb_free(r);
	CU_ASSERT_EQUAL(bb_db_int(sql_audit, DB_P(db_str("resource"),
		db_str(code), db_str("resource.update"))), 1);
	expect(move(&a, "checkout", old, "1", pcode), 200, NULL);
	CU_ASSERT_EQUAL(db_available(old), 2);	/* the set coded so */
	CU_ASSERT_EQUAL(db_available(code), 7);
	expect(move(&a, "checkin", old, "1", pcode), 200, NULL);
	expect(move(&a, "checkout", code, "1", pcode), 200, NULL);
	expect(move(&a, "checkin", code, "1", pcode), 200, NULL);
	r = get(a.s, "/api/resources/all");
	CU_ASSERT_STRING_EQUAL(jstr(set_named(r, "_id", code), "name"),
			       "Old Kit");
	bb_free(r);
	refused(admin_json("PATCH", path, "{\"old_id\": \"\"}"), 400,
		"field_invalid");
	free(path);
	person_free(&a);
	free(code), free(old), free(pcode);
}

static CU_TestInfo tests[] = {
	{ "navigations get the app", test_navigation },
	{ "seeded sets carry the app's ids and names", test_seed_aliases },
	{ "creator: sign up to check in", test_creator_flow },
	{ "join by id, join, leave, add viewer",
	  test_join_by_id_and_add_viewer },
	{ "without the session: 401, nothing changes", test_without_session },
	{ "cross-site Origin with the cookie: 403", test_cross_site },
	{ "_id guessing joins nothing", test_id_guessing },
	{ "preflight on every path", test_preflight },
	{ "aliases: admin, app site, main site", test_aliases },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = { SUITE("site haas-react", tests),
				 CU_SUITE_INFO_NULL };

int
main(void)
{
	bb_init();
	return cunit_run(suites);
}

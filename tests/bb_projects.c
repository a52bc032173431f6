/* bb_projects: the "Projects and hardware sets" rows of the contract
 * through nginx, the database checked afterwards, and races: 200 clients
 * on 100 units, a random storm of checkouts and checkins, bulk requests
 * that must apply all lines or none. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bb.h"
#include "cunit_main.h"
#include "util.h"

/* Every set, not only ours: available + held = total, nothing negative. */
static const char sql_invariant_broken[] =
	"SELECT COUNT(*) FROM resources r WHERE r.available_units < 0"
	" OR r.available_units + COALESCE((SELECT SUM(h.units)"
	" FROM resource_holdings h WHERE h.resource_id = r.id), 0)"
	" <> r.total_units";
static const char sql_negative_holdings[] =
	"SELECT COUNT(*) FROM resource_holdings WHERE units < 0";
static const char sql_available[] =
	"SELECT available_units FROM resources WHERE code = ?";
static const char sql_held_by_project[] =
	"SELECT COALESCE(SUM(h.units), 0) FROM resource_holdings h"
	" JOIN resources r ON r.id = h.resource_id"
	" JOIN projects p ON p.id = h.project_id"
	" WHERE r.code = ? AND p.code = ?";
static const char sql_held_by_user[] =
	"SELECT COALESCE(SUM(h.units), 0) FROM resource_holdings h"
	" JOIN resources r ON r.id = h.resource_id"
	" WHERE r.code = ? AND h.user_id = ?";
/* What the history says a project holds: checkouts minus checkins. */
static const char sql_history_net[] =
	"SELECT COALESCE(SUM(IF(e.action = 'resource.checkout', 1, -1)"
	" * JSON_VALUE(e.details, '$.units')), 0)"
	" FROM audit_log e JOIN resources r ON r.id = e.resource_id"
	" JOIN projects p ON p.id = e.project_id WHERE r.code = ?"
	" AND p.code = ?";
/* Movements of a set in the one log. */
static const char sql_events[] =
	"SELECT COUNT(*) FROM audit_log e JOIN resources r"
	" ON r.id = e.resource_id WHERE r.code = ?";
static const char sql_audit[] =
	"SELECT COUNT(*) FROM audit_log WHERE entity = 'resource'"
	" AND entity_id = ? AND action = ?";
static const char sql_members[] =
	"SELECT COUNT(*) FROM project_members m JOIN projects p"
	" ON p.id = m.project_id WHERE p.code = ?";
static const char sql_projects[] =
	"SELECT COUNT(*) FROM projects WHERE code = ?";
static const char sql_is_username[] =
	"SELECT COUNT(*) FROM users WHERE id = ? AND username = ?";

static const char *
jstr(json_object *o, const char *key)
{
	return json_object_get_string(json_object_object_get(o, key));
}

/* member_details: one {user_id, username, name} per id in members, in
 * the same order, each username that user's. */
static void
expect_member_details(json_object *p, size_t n)
{
	json_object *ids = json_object_object_get(p, "members");
	json_object *det = json_object_object_get(p, "member_details");
	size_t i;

	CU_ASSERT_EQUAL_FATAL(json_object_array_length(ids), n);
	CU_ASSERT_EQUAL_FATAL(json_object_array_length(det), n);
	for (i = 0; i < n; i++) {
		json_object *d = json_object_array_get_idx(det, i);
		const char *id = json_object_get_string(
			json_object_array_get_idx(ids, i));

		CU_ASSERT_STRING_EQUAL(jstr(d, "user_id"), id);
		CU_ASSERT_EQUAL(bb_db_int(sql_is_username, DB_P(
			db_int(strtoll(id, NULL, 10)),
			db_str(jstr(d, "username")))), 1);
		CU_ASSERT_TRUE(json_object_object_get_ex(d, "name", NULL));
	}
}

static long long
jint(const struct bb_resp *r, const char *key)
{
	json_object *v;

	if (!r->json || !json_object_object_get_ex(r->json, key, &v))
		return -1;
	return json_object_get_int64(v);
}

static struct bb_resp *
post(const char *path, const char *token, const char *fmt, ...)
{
	struct bb_resp *r;
	va_list ap;
	char *b;

	va_start(ap, fmt);
	if (vasprintf(&b, fmt, ap) < 0)
		abort();
	va_end(ap);
	r = bb_json("POST", path, token, b);
	free(b);
	return r;
}

/* Asserts status and, when want is not NULL, the message or error. */
static void
expect(struct bb_resp *r, long status, const char *want)
{
	CU_ASSERT_EQUAL(r->status, status);
	if (r->status != status)
		fprintf(stderr, "\n  got %ld %s\n", r->status, r->body);
	if (want)
		CU_ASSERT_STRING_EQUAL(bb_str(r, status < 300 ? "message"
					      : "error"), want);
	bb_free(r);
}

/* A new set with total units, created by the admin; caller frees. */
static char *
new_set(const char *admin, long long total)
{
	char *code = bb_unique("HWS");
	struct bb_resp *r = post("/api/resources/create", admin,
		"{\"name\": \"Set %s\", \"total_units\": %lld,"
		" \"resource_id\": \"%s\"}", code, total, code);

	CU_ASSERT_EQUAL(r->status, 201);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "message"),
			       "Resource created successfully");
	CU_ASSERT_STRING_EQUAL(bb_str(r, "resource_id"), code);
	bb_free(r);
	return code;
}

/* A new project owned by the holder of token (user uid); caller frees. */
static char *
new_project(const char *token, long long uid)
{
	char *code = bb_unique("proj");
	struct bb_resp *r = post("/api/projects/create_project", token,
		"{\"user_id\": \"%lld\", \"project_name\": \"P %s\","
		" \"description\": \"d\", \"project_id\": \"%s\"}", uid, code,
		code);

	CU_ASSERT_EQUAL(r->status, 201);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "message"),
			       "Project created successfully");
	CU_ASSERT_STRING_EQUAL(bb_str(r, "project_id"), code);
	bb_free(r);
	return code;
}

static struct bb_resp *
move(const char *what, const char *token, const char *set, const char *units,
     const char *project)
{
	char path[64];

	snprintf(path, sizeof(path), "/api/resources/%s", what);
	if (!project)
		return post(path, token, "{\"resource_id\": \"%s\","
			    " \"units\": %s}", set, units);
	return post(path, token, "{\"resource_id\": \"%s\", \"units\": %s,"
		    " \"project_id\": \"%s\"}", set, units, project);
}

static long long
available(const char *set)
{
	return bb_db_int(sql_available, DB_P(db_str(set)));
}

static long long
project_holds(const char *set, const char *project)
{
	return bb_db_int(sql_held_by_project, DB_P(db_str(set),
		db_str(project)));
}

/* ---- projects ------------------------------------------------------------ */

/* The same Idempotency-Key and body: the first 201 again, one project. */
static void
idempotent_create(const char *token, long long uid)
{
	char *code = bb_unique("idem"), *key = xasprintf("Idempotency-Key: %s",
							  code);
	char *body = xasprintf("{\"user_id\": %lld, \"project_name\": \"i\","
			       " \"project_id\": \"%s\"}", uid, code);
	struct bb_resp *r;
	int i;

	for (i = 0; i < 2; i++) {
		r = bb_req("POST", "/api/projects/create_project", token,
			   "application/json", body, strlen(body), key);
		CU_ASSERT_EQUAL(r->status, 201);
		CU_ASSERT_STRING_EQUAL(bb_str(r, "project_id"), code);
		if (i)
			CU_ASSERT_PTR_NOT_NULL(bb_header(r,
				"Idempotent-Replayed"));
		bb_free(r);
	}
	CU_ASSERT_EQUAL(bb_db_int(sql_projects, DB_P(db_str(code))), 1);
	free(code), free(key), free(body);
}

static void
test_create_project(void)
{
	long long a_id, b_id;
	char *a = bb_new_user("pa", &a_id), *b = bb_new_user("pb", &b_id);
	char *admin = bb_admin_token(), *code = new_project(a, a_id);
	char *code2 = bb_unique("proj");

	expect(post("/api/projects/create_project", b, "{\"user_id\": %lld,"
		    " \"project_name\": \"x\", \"project_id\": \"%s\"}", b_id,
		    code), 409, "ProjectID already exists");
	expect(post("/api/projects/create_project", a, "{\"user_id\": %lld,"
		    " \"project_name\": \"x\"}", a_id), 400,
	       "User ID, project name, and project ID are required");
	expect(post("/api/projects/create_project", a, "{\"project_name\":"
		    " \"x\", \"project_id\": \"%s\"}", code2), 400,
	       "User ID, project name, and project ID are required");
	expect(post("/api/projects/create_project", a, "{\"user_id\": %lld,"
		    " \"project_name\": \"\", \"project_id\": \"%s\"}", a_id,
		    code2), 400,
	       "User ID, project name, and project ID are required");
	/* The original trusted any user_id: creating for someone else. */
	expect(post("/api/projects/create_project", a, "{\"user_id\": %lld,"
		    " \"project_name\": \"x\", \"project_id\": \"%s\"}", b_id,
		    code2), 403, NULL);
	CU_ASSERT_EQUAL(bb_db_int(sql_projects, DB_P(db_str(code2))), 0);
	/* Admins may, and the named user owns it. */
	expect(post("/api/projects/create_project", admin, "{\"user_id\":"
		    " \"%lld\", \"project_name\": \"x\", \"project_id\": \"%s\"}",
		    b_id, code2), 201, "Project created successfully");
	CU_ASSERT_EQUAL(bb_db_int(sql_members, DB_P(db_str(code2))), 1);
	CU_ASSERT_EQUAL(bb_db_int(sql_members, DB_P(db_str(code))), 1);
	idempotent_create(a, a_id);
	free(a), free(b), free(admin), free(code), free(code2);
}

/* The project named code in a get_projects reply, or NULL. */
static json_object *
find_project(const struct bb_resp *r, const char *code)
{
	json_object *arr = json_object_object_get(r->json, "projects");
	size_t i;

	for (i = 0; arr && i < json_object_array_length(arr); i++) {
		json_object *p = json_object_array_get_idx(arr, i);

		if (!strcmp(json_object_get_string(json_object_object_get(p,
			"project_id")), code))
			return p;
	}
	return NULL;
}

static void
test_list_join_leave(void)
{
	long long a_id, b_id;
	char *a = bb_new_user("la", &a_id), *b = bb_new_user("lb", &b_id);
	char *admin = bb_admin_token(), *code = new_project(a, a_id);
	char *set = new_set(admin, 10), *path, *aid;
	struct bb_resp *r;
	json_object *p;

	expect(post("/api/projects/join", b, "{\"project_id\": \"%s\"}",
		    code), 200, "Successfully joined the project");
	expect(post("/api/projects/join", b, "{\"project_id\": \"%s\"}",
		    code), 409, NULL);
	expect(post("/api/projects/join", b, "{\"project_id\": \"nope-%s\"}",
		    code), 404, "Project not found");
	expect(move("checkout", b, set, "3", code), 200,
	       "Resource checked out successfully");

	path = xasprintf("/api/projects/get_projects/%lld", b_id);
	r = bb_get(path, b);
	CU_ASSERT_EQUAL(r->status, 200);
	p = find_project(r, code);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	aid = xasprintf("%lld", a_id);
	CU_ASSERT_STRING_EQUAL(json_object_get_string(json_object_object_get(
		p, "user_id")), aid);
	free(aid);
	expect_member_details(p, 2);
	CU_ASSERT_EQUAL(json_object_get_int(json_object_object_get(
		json_object_object_get(p, "resources"), set)), 3);
	bb_free(r);
	r = bb_get(path, a);	/* another user's list */
	CU_ASSERT_EQUAL(r->status, 403);
	bb_free(r);
	r = bb_get(path, admin);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_PTR_NOT_NULL(find_project(r, code));
	bb_free(r);
	free(path);

	path = xasprintf("/api/projects/%s", code);
	r = bb_get(path, a);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r->json);
	expect_member_details(json_object_object_get(r->json, "project"), 2);
	bb_free(r);

	expect(post("/api/projects/leave", b, "{\"project_id\": \"%s\"}",
		    code), 200, "Successfully left the project");
	expect(post("/api/projects/leave", b, "{\"project_id\": \"%s\"}",
		    code), 409, NULL);
	expect(post("/api/projects/leave", b, "{\"project_id\": \"nope-%s\"}",
		    code), 404, "Project not found");
	expect(post("/api/projects/leave", a, "{\"project_id\": \"%s\"}",
		    code), 409, NULL);	/* the owner stays */
	r = bb_get(path, b);	/* no longer a member */
	CU_ASSERT_EQUAL(r->status, 403);
	bb_free(r);
	expect(move("checkin", b, set, "1", code), 403, NULL);
	CU_ASSERT_EQUAL(bb_db_int(sql_members, DB_P(db_str(code))), 1);
	CU_ASSERT_EQUAL(project_holds(set, code), 3);
	free(path), free(a), free(b), free(admin), free(code), free(set);
}

/* ---- hardware sets ------------------------------------------------------- */

static void
test_sets_admin(void)
{
	long long uid;
	char *u = bb_new_user("sa", &uid), *admin = bb_admin_token();
	char *set = new_set(admin, 10), *path;
	struct bb_resp *r;

	expect(post("/api/resources/create", u, "{\"name\": \"x\","
		    " \"total_units\": 5}"), 403, NULL);
	expect(post("/api/resources/create", admin, "{\"name\": \"x\","
		    " \"total_units\": 5, \"resource_id\": \"%s\"}", set), 409,
	       NULL);
	expect(post("/api/resources/create", admin, "{\"total_units\": 5}"),
	       400, "Name and total units are required");
	expect(post("/api/resources/create", admin, "{\"name\": \"x\"}"), 400,
	       "Name and total units are required");
	expect(post("/api/resources/create", admin, "{\"name\": \"x\","
		    " \"total_units\": -1}"), 400, NULL);

	r = bb_get("/api/resources", u);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT(bb_len(r, "resources") >= 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r->body, set));
	bb_free(r);
	r = bb_get("/api/resources/all", u);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r->body, set));
	bb_free(r);

	expect(move("checkout", u, set, "4", NULL), 200, NULL);
	path = xasprintf("/api/resources/%s", set);
	r = bb_json("PATCH", path, admin, "{\"total_units\": 3}");
	CU_ASSERT_EQUAL(r->status, 409);
	bb_free(r);
	CU_ASSERT_EQUAL(available(set), 6);
	r = bb_json("PATCH", path, admin, "{\"total_units\": 4,"
		    " \"name\": \"Renamed\"}");
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r->body, "Renamed"));
	bb_free(r);
	CU_ASSERT_EQUAL(available(set), 0);
	r = bb_json("PATCH", path, u, "{\"total_units\": 40}");
	CU_ASSERT_EQUAL(r->status, 403);
	bb_free(r);
	r = bb_req("DELETE", path, admin, NULL, NULL, 0, NULL);
	CU_ASSERT_EQUAL(r->status, 409);	/* units are out */
	bb_free(r);
	expect(move("checkin", u, set, "4", NULL), 200, NULL);
	r = bb_req("DELETE", path, admin, NULL, NULL, 0, NULL);
	CU_ASSERT_EQUAL(r->status, 204);
	bb_free(r);
	expect(move("checkout", u, set, "1", NULL), 404,
	       "Resource not found");
	r = bb_get("/api/resources", u);
	CU_ASSERT_PTR_NULL(strstr(r->body, set));
	bb_free(r);
	CU_ASSERT_EQUAL(bb_db_int(sql_invariant_broken, DB_NONE), 0);
	free(path), free(u), free(admin), free(set);
}

/* holders[i] of GET /api/resources/{code}/holders (borrowed). */
static json_object *
holder_at(const struct bb_resp *r, size_t i)
{
	json_object *arr = r->json ? json_object_object_get(r->json,
		"holders") : NULL;

	return arr && i < json_object_array_length(arr)
	       ? json_object_array_get_idx(arr, i) : NULL;
}

/* Who holds a set now (admins), and the numbers of a refused capacity
 * or retirement: what the staff console shows. */
static void
test_set_holders(void)
{
	long long uid;
	char *u = bb_new_user("hd", &uid), *admin = bb_admin_token();
	char *set = new_set(admin, 10), *p = new_project(u, uid);
	char *path = xasprintf("/api/resources/%s", set);
	char *holders = xasprintf("/api/resources/%s/holders", set);
	char *suid = xasprintf("%lld", uid);
	struct bb_resp *r;
	json_object *h;

	expect(move("checkout", u, set, "4", NULL), 200, NULL);
	expect(move("checkout", u, set, "3", p), 200, NULL);
	r = bb_get(holders, admin);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "resource_id"), set);
	CU_ASSERT_EQUAL(bb_len(r, "holders"), 2);
	CU_ASSERT_EQUAL(jint(r, "total"), 2);
	CU_ASSERT_EQUAL(jint(r, "held_units"), 7);
	h = holder_at(r, 0);	/* most units first: the person */
	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	CU_ASSERT_STRING_EQUAL(jstr(h, "kind"), "user");
	CU_ASSERT_EQUAL(json_object_get_int(json_object_object_get(h,
		"units")), 4);
	CU_ASSERT_STRING_EQUAL(jstr(h, "user_id"), suid);
	CU_ASSERT_EQUAL(bb_db_int(sql_is_username, DB_P(db_int(uid),
		db_str(jstr(h, "username")))), 1);
	CU_ASSERT_PTR_NULL(json_object_object_get(h, "project_id"));
	h = holder_at(r, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	CU_ASSERT_STRING_EQUAL(jstr(h, "kind"), "project");
	CU_ASSERT_STRING_EQUAL(jstr(h, "project_id"), p);
	CU_ASSERT_PTR_NOT_NULL(strstr(jstr(h, "project_name"), p));
	CU_ASSERT_EQUAL(json_object_get_int(json_object_object_get(h,
		"units")), 3);
	bb_free(r);
	r = bb_get(holders, u);		/* admins only */
	CU_ASSERT_EQUAL(r->status, 403);
	bb_free(r);
	r = bb_get("/api/resources/no-such-set/holders", admin);
	CU_ASSERT_EQUAL(r->status, 404);
	bb_free(r);
	free(holders);
	holders = xasprintf("/api/resources/%s/holders?limit=1&offset=1", set);
	r = bb_get(holders, admin);
	CU_ASSERT_EQUAL_FATAL(bb_len(r, "holders"), 1);
	CU_ASSERT_STRING_EQUAL(jstr(holder_at(r, 0), "kind"), "project");
	CU_ASSERT_EQUAL(jint(r, "total"), 2);
	bb_free(r);

	/* below what is out: 409 with both numbers, nothing changed */
	r = bb_json("PATCH", path, admin, "{\"total_units\": 5}");
	CU_ASSERT_EQUAL(r->status, 409);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), "capacity_below_checked_out");
	CU_ASSERT_EQUAL(jint(r, "held_units"), 7);
	CU_ASSERT_EQUAL(jint(r, "total_units"), 5);
	CU_ASSERT_PTR_NOT_NULL(strstr(bb_str(r, "error"),
				      "7 are out, and you asked for 5"));
	bb_free(r);
	CU_ASSERT_EQUAL(available(set), 3);
	CU_ASSERT_EQUAL(bb_db_int(sql_audit, DB_P(db_str(set),
		db_str("resource.update"))), 0);
	r = bb_req("DELETE", path, admin, NULL, NULL, 0, NULL);
	CU_ASSERT_EQUAL(r->status, 409);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), "resource_in_use");
	CU_ASSERT_EQUAL(jint(r, "held_units"), 7);
	bb_free(r);

	/* the set's history names the project by code and name */
	free(holders);
	holders = xasprintf("/api/resources/%s/history?limit=1", set);
	r = bb_get(holders, admin);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r->body, "\"project_name\":\"P "));
	bb_free(r);

	/* all back: retired, and a retired set holds nothing */
	expect(move("checkin", u, set, "4", NULL), 200, NULL);
	expect(move("checkin", u, set, "3", p), 200, NULL);
	r = bb_req("DELETE", path, admin, NULL, NULL, 0, NULL);
	CU_ASSERT_EQUAL(r->status, 204);
	bb_free(r);
	free(holders);
	holders = xasprintf("/api/resources/%s/holders", set);
	r = bb_get(holders, admin);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_EQUAL(bb_len(r, "holders"), 0);
	CU_ASSERT_EQUAL(jint(r, "held_units"), 0);
	bb_free(r);
	CU_ASSERT_EQUAL(bb_db_int(sql_invariant_broken, DB_NONE), 0);
	free(u), free(admin), free(set), free(p), free(path), free(holders);
	free(suid);
}

/* The seed's sets exist (sql/seed/010_hwsets.sql). */
static void
test_seeded_sets(void)
{
	char *admin = bb_admin_token();
	struct bb_resp *r = bb_get("/api/resources", admin);

	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r->body, "\"HWSet1\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(r->body, "\"HWSet2\""));
	bb_free(r);
	free(admin);
}

/* ---- checkout and checkin ------------------------------------------------ */

static void
test_bad_input(void)
{
	long long uid;
	char *u = bb_new_user("bi", &uid), *admin = bb_admin_token();
	char *set = new_set(admin, 10);
	static const char *const bad[] = { "0", "-1", "\"abc\"", "1.5",
					   "true", "\"\"", "\"-2\"",
					   "99999999999999999999" };
	size_t i;

	expect(post("/api/resources/checkout", u, "{\"units\": 1}"), 400,
	       "Resource ID and units are required");
	expect(post("/api/resources/checkout", u, "{\"resource_id\": \"%s\"}",
		    set), 400, "Resource ID and units are required");
	expect(post("/api/resources/checkin", u, "{\"resource_id\": \"\","
		    " \"units\": 1}"), 400, "Resource ID and units are required");
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		expect(move("checkout", u, set, bad[i], NULL), 400,
		       "Units must be a valid integer");
		expect(move("checkin", u, set, bad[i], NULL), 400,
		       "Units must be a valid integer");
	}
	expect(move("checkout", u, "no-such-set", "1", NULL), 404,
	       "Resource not found");
	expect(move("checkout", u, set, "1", "no-such-project"), 404,
	       "Project not found");
	CU_ASSERT_EQUAL(available(set), 10);
	free(u), free(admin), free(set);
}

static void
test_checkout_checkin(void)
{
	long long a_id, b_id;
	char *a = bb_new_user("ca", &a_id), *b = bb_new_user("cb", &b_id);
	char *admin = bb_admin_token(), *set = new_set(admin, 10);
	char *pa = new_project(a, a_id), *pb = new_project(b, b_id);
	struct bb_resp *r;

	r = move("checkout", a, set, "\"4\"", pa);	/* digits as a string */
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "message"),
			       "Resource checked out successfully");
	CU_ASSERT_EQUAL(jint(r, "available_units"), 6);
	bb_free(r);
	/* A member of A cannot act for B, either way. */
	expect(move("checkout", a, set, "1", pb), 403, NULL);
	expect(move("checkin", b, set, "1", pa), 403, NULL);
	/* A refusal names the set and says what there is. */
	r = move("checkout", a, set, "7", pa);
	CU_ASSERT_EQUAL(r->status, 409);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "error"),
			       "Insufficient units available");
	CU_ASSERT_STRING_EQUAL(bb_str(r, "resource_id"), set);
	CU_ASSERT_EQUAL(jint(r, "units"), 7);
	CU_ASSERT_EQUAL(jint(r, "available_units"), 6);
	bb_free(r);
	CU_ASSERT_EQUAL(available(set), 6);
	/* Checkin of more than held: 409 and nothing changes. */
	r = move("checkin", a, set, "5", pa);
	CU_ASSERT_EQUAL(r->status, 409);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "error"),
			       "Unable to check in resource");
	CU_ASSERT_STRING_EQUAL(bb_str(r, "resource_id"), set);
	CU_ASSERT_EQUAL(jint(r, "units"), 5);
	CU_ASSERT_EQUAL(jint(r, "held_units"), 4);
	bb_free(r);
	expect(move("checkin", b, set, "1", pb), 409,
	       "Unable to check in resource");
	CU_ASSERT_EQUAL(available(set), 6);
	CU_ASSERT_EQUAL(project_holds(set, pa), 4);
	/* Without project_id the caller holds the units. */
	expect(move("checkout", b, set, "2", NULL), 200, NULL);
	CU_ASSERT_EQUAL(bb_db_int(sql_held_by_user, DB_P(db_str(set),
		db_int(b_id))), 2);
	r = move("checkin", a, set, "1", NULL);	/* a holds none himself */
	CU_ASSERT_EQUAL(r->status, 409);
	CU_ASSERT_EQUAL(jint(r, "held_units"), 0);
	bb_free(r);
	r = move("checkin", a, set, "4", pa);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "message"),
			       "Resource checked in successfully");
	CU_ASSERT_EQUAL(jint(r, "available_units"), 8);
	bb_free(r);
	expect(move("checkin", b, set, "2", NULL), 200, NULL);
	CU_ASSERT_EQUAL(available(set), 10);
	CU_ASSERT_EQUAL(project_holds(set, pa), 0);
	CU_ASSERT_EQUAL(bb_db_int(sql_invariant_broken, DB_NONE), 0);
	free(a), free(b), free(admin), free(set), free(pa), free(pb);
}

static void
test_bulk(void)
{
	long long uid;
	char *u = bb_new_user("bu", &uid), *admin = bb_admin_token();
	char *s1 = new_set(admin, 10), *s2 = new_set(admin, 5);
	char *p = new_project(u, uid);
	struct bb_resp *r;

	/* One impossible line: nothing changes. */
	r = post("/api/resources/checkout", u, "{\"project_id\": \"%s\","
		 " \"items\": [{\"resource_id\": \"%s\", \"units\": 3},"
		 " {\"resource_id\": \"%s\", \"units\": 6}]}", p, s1, s2);
	CU_ASSERT_EQUAL(r->status, 409);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "error"),
			       "Insufficient units available");
	CU_ASSERT_STRING_EQUAL(bb_str(r, "resource_id"), s2);
	bb_free(r);
	/* Lines naming the same set add up: 3 + 3 > 5, and the refusal
	 * says so. */
	r = post("/api/resources/checkout", u, "{\"project_id\": \"%s\","
		 " \"items\": [{\"resource_id\": \"%s\", \"units\": 3},"
		 " {\"resource_id\": \"%s\", \"units\": 3}]}", p, s2, s2);
	CU_ASSERT_EQUAL(r->status, 409);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "error"),
			       "Insufficient units available");
	CU_ASSERT_EQUAL(jint(r, "units"), 6);
	CU_ASSERT_EQUAL(jint(r, "available_units"), 5);
	bb_free(r);
	/* An unknown set or a bad line: nothing changes either. */
	expect(post("/api/resources/checkout", u, "{\"items\":"
		    " [{\"resource_id\": \"%s\", \"units\": 1},"
		    " {\"resource_id\": \"nope\", \"units\": 1}]}", s1), 404,
	       "Resource not found");
	expect(post("/api/resources/checkout", u, "{\"items\":"
		    " [{\"resource_id\": \"%s\", \"units\": 1},"
		    " {\"resource_id\": \"%s\", \"units\": 0}]}", s1, s2), 400,
	       "Units must be a valid integer");
	expect(post("/api/resources/checkout", u, "{\"items\": []}"), 400,
	       NULL);
	CU_ASSERT_EQUAL(available(s1), 10);
	CU_ASSERT_EQUAL(available(s2), 5);
	CU_ASSERT_EQUAL(bb_db_int(sql_events, DB_P(db_str(s1))), 0);

	r = post("/api/resources/checkout", u, "{\"project_id\": \"%s\","
		 " \"items\": [{\"resource_id\": \"%s\", \"units\": 3},"
		 " {\"resource_id\": \"%s\", \"units\": \"5\"},"
		 " {\"resource_id\": \"%s\", \"units\": 2}]}", p, s1, s2, s1);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_EQUAL(bb_len(r, "resources"), 2);
	bb_free(r);
	CU_ASSERT_EQUAL(available(s1), 5);
	CU_ASSERT_EQUAL(available(s2), 0);
	/* Bulk checkin with one line too many: nothing comes back. */
	expect(post("/api/resources/checkin", u, "{\"project_id\": \"%s\","
		    " \"items\": [{\"resource_id\": \"%s\", \"units\": 5},"
		    " {\"resource_id\": \"%s\", \"units\": 6}]}", p, s1, s2),
	       409, "Unable to check in resource");
	CU_ASSERT_EQUAL(available(s1), 5);
	CU_ASSERT_EQUAL(available(s2), 0);
	expect(post("/api/resources/checkin", u, "{\"project_id\": \"%s\","
		    " \"items\": [{\"resource_id\": \"%s\", \"units\": 5},"
		    " {\"resource_id\": \"%s\", \"units\": 5}]}", p, s1, s2),
	       200, "Resource checked in successfully");
	CU_ASSERT_EQUAL(available(s1), 10);
	CU_ASSERT_EQUAL(available(s2), 5);
	CU_ASSERT_EQUAL(bb_db_int(sql_invariant_broken, DB_NONE), 0);
	free(u), free(admin), free(s1), free(s2), free(p);
}

static void
test_history(void)
{
	long long uid, oid;
	char *u = bb_new_user("hi", &uid), *o = bb_new_user("ho", &oid);
	char *admin = bb_admin_token(), *set = new_set(admin, 10);
	char *p = new_project(u, uid), *path, *next;
	struct bb_resp *r;
	json_object *e;

	expect(move("checkout", u, set, "3", p), 200, NULL);
	expect(move("checkin", u, set, "1", p), 200, NULL);
	expect(move("checkout", u, set, "2", NULL), 200, NULL);
	CU_ASSERT_EQUAL(bb_db_int(sql_audit, DB_P(db_str(set),
		db_str("resource.checkout"))), 2);
	CU_ASSERT_EQUAL(bb_db_int(sql_audit, DB_P(db_str(set),
		db_str("resource.checkin"))), 1);

	path = xasprintf("/api/resources/%s/history?limit=2", set);
	r = bb_get(path, admin);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_EQUAL(bb_len(r, "history"), 2);
	e = json_object_array_get_idx(json_object_object_get(r->json,
		"history"), 0);	/* newest first */
	CU_ASSERT_STRING_EQUAL(json_object_get_string(json_object_object_get(
		e, "action")), "checkout");
	CU_ASSERT_EQUAL(json_object_get_int(json_object_object_get(e,
		"units")), 2);
	CU_ASSERT_EQUAL(json_object_get_int(json_object_object_get(e,
		"available_units")), 6);
	CU_ASSERT_EQUAL(bb_db_int(sql_is_username, DB_P(db_int(uid),
		db_str(jstr(e, "actor_username")))), 1);
	next = xasprintf("/api/resources/%s/history?limit=2&cursor=%s", set,
			 bb_str(r, "next_cursor"));
	bb_free(r);
	r = bb_get(next, admin);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_EQUAL(bb_len(r, "history"), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r->body, "\"next_cursor\":null"));
	bb_free(r);
	r = bb_get(path, u);	/* sets' history: admins */
	CU_ASSERT_EQUAL(r->status, 403);
	bb_free(r);
	free(path), free(next);

	path = xasprintf("/api/projects/%s/history", p);
	r = bb_get(path, u);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_EQUAL(bb_len(r, "history"), 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(r->body, p));
	bb_free(r);
	r = bb_get(path, o);
	CU_ASSERT_EQUAL(r->status, 403);
	bb_free(r);
	free(path);
	free(u), free(o), free(admin), free(set), free(p);
}

/* ---- races ---------------------------------------------------------------- */

struct race {
	const char *token;
	const char *set;
	const char *project;
	struct bb_tally t;
};

static void
race_one(int i, void *arg)
{
	struct race *race = arg;

	bb_tally(&race->t, move("checkout", race->token, race->set, "1",
				race->project), 200);
}

static void
test_race_200_on_100(void)
{
	long long uid;
	char *u = bb_new_user("rc", &uid), *admin = bb_admin_token();
	char *set = new_set(admin, 100), *p = new_project(u, uid);
	struct race race = { .token = u, .set = set, .project = p };

	bb_parallel(200, race_one, &race);
	CU_ASSERT_EQUAL(race.t.ok, 100);
	CU_ASSERT_EQUAL(race.t.conflict, 100);
	CU_ASSERT_EQUAL(race.t.other, 0);
	CU_ASSERT_EQUAL(available(set), 0);
	CU_ASSERT_EQUAL(project_holds(set, p), 100);
	CU_ASSERT_EQUAL(bb_db_int(sql_events, DB_P(db_str(set))), 100);
	CU_ASSERT_EQUAL(bb_db_int(sql_invariant_broken, DB_NONE), 0);
	free(u), free(admin), free(set), free(p);
}

#define STORM_PROJECTS 4

struct storm {
	char *token[STORM_PROJECTS];
	char *project[STORM_PROJECTS];
	const char *sets[2];
	struct bb_tally t;
};

/* Each client does a few random moves on a random project and set. */
static void
storm_one(int i, void *arg)
{
	struct storm *s = arg;
	unsigned seed = (unsigned)i * 2654435761u;
	int k;

	for (k = 0; k < 4; k++) {
		int pi = (int)(rand_r(&seed) % STORM_PROJECTS);
		const char *set = s->sets[rand_r(&seed) % 2];
		char units[8];

		snprintf(units, sizeof(units), "%d", 1 + rand_r(&seed) % 6);
		if (k == 3)	/* bulk, sets named in either order */
			bb_tally(&s->t, post(rand_r(&seed) % 2
				? "/api/resources/checkin"
				: "/api/resources/checkout", s->token[pi],
				"{\"project_id\": \"%s\", \"items\": ["
				"{\"resource_id\": \"%s\", \"units\": %s},"
				" {\"resource_id\": \"%s\", \"units\": 1}]}",
				s->project[pi], set, units, s->sets[i % 2]), 200);
		else
			bb_tally(&s->t, move(rand_r(&seed) % 2 ? "checkin"
					     : "checkout", s->token[pi], set,
					     units, s->project[pi]), 200);
	}
}

static void
test_storm(void)
{
	char *admin = bb_admin_token();
	char *s1 = new_set(admin, 30), *s2 = new_set(admin, 12);
	struct storm s = { .sets = { s1, s2 } };
	long long uid, total = 0;
	int i;

	for (i = 0; i < STORM_PROJECTS; i++) {
		s.token[i] = bb_new_user("st", &uid);
		s.project[i] = new_project(s.token[i], uid);
	}
	bb_parallel(100, storm_one, &s);
	CU_ASSERT_EQUAL(s.t.other, 0);
	CU_ASSERT(s.t.ok > 0);
	CU_ASSERT(s.t.conflict > 0);
	CU_ASSERT_EQUAL(bb_db_int(sql_invariant_broken, DB_NONE), 0);
	CU_ASSERT_EQUAL(bb_db_int(sql_negative_holdings, DB_NONE), 0);
	for (i = 0; i < STORM_PROJECTS; i++) {
		long long h1 = project_holds(s1, s.project[i]);

		/* The history adds up to what each project holds. */
		CU_ASSERT_EQUAL(bb_db_int(sql_history_net, DB_P(db_str(s1),
			db_str(s.project[i]))), h1);
		CU_ASSERT_EQUAL(bb_db_int(sql_history_net, DB_P(db_str(s2),
			db_str(s.project[i]))), project_holds(s2,
							      s.project[i]));
		total += h1;
		free(s.token[i]), free(s.project[i]);
	}
	CU_ASSERT_EQUAL(available(s1) + total, 30);
	free(admin), free(s1), free(s2);
}

/* A checkout checks its token's account and session in the same round
 * trip as the move (ROUTE_AUTH_LATE, haas_principal): a token whose
 * session ended, or whose account was disabled, gets 401 and moves
 * nothing, whatever its body, with or without an Idempotency-Key. */
static void
test_token_checked_in_call(void)
{
	char *admin = bb_admin_token(), *set = new_set(admin, 10);
	char *u, *v, *path, *body;
	long long uid, vid, before, audits;
	struct bb_resp *r;

	u = bb_new_user("late", &uid);
	v = bb_new_user("latd", &vid);
	expect(move("checkout", u, set, "2", NULL), 200, NULL);
	expect(move("checkout", v, set, "1", NULL), 200, NULL);
	before = available(set);
	audits = bb_db_int(sql_events, DB_P(db_str(set)));
	CU_ASSERT_EQUAL(before, 7);
	/* u's session ends; v's account is disabled */
	r = bb_json("POST", "/api/auth/logout", u, NULL);
	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);
	path = xasprintf("/api/users/%lld", vid);
	r = bb_json("PATCH", path, admin, "{\"disabled\": true}");
	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);
	r = move("checkout", u, set, "1", NULL);
	CU_ASSERT_EQUAL(r->status, 401);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), "token_invalid");
	CU_ASSERT_PTR_NOT_NULL(bb_header(r, "WWW-Authenticate"));
	bb_free(r);
	r = move("checkin", u, set, "2", NULL);
	CU_ASSERT_EQUAL(r->status, 401);
	bb_free(r);
	r = move("checkout", v, set, "1", NULL);
	CU_ASSERT_EQUAL(r->status, 401);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), "token_invalid");
	bb_free(r);
	/* a body the handler refuses before its call: still the token's 401 */
	r = move("checkout", u, set, "0", NULL);
	CU_ASSERT_EQUAL(r->status, 401);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), "token_invalid");
	CU_ASSERT_STRING_EQUAL(bb_str(r, "field"), "");
	bb_free(r);
	/* with an Idempotency-Key the token is checked before the claim */
	body = xasprintf("{\"resource_id\": \"%s\", \"units\": 1}", set);
	r = bb_req("POST", "/api/resources/checkout", v, "application/json",
		   body, strlen(body), "Idempotency-Key: late-1");
	CU_ASSERT_EQUAL(r->status, 401);
	bb_free(r);
	CU_ASSERT_EQUAL(available(set), before);
	CU_ASSERT_EQUAL(bb_db_int(sql_events, DB_P(db_str(set))), audits);
	CU_ASSERT_EQUAL(bb_db_int(sql_held_by_user, DB_P(db_str(set),
			db_int(uid))), 2);
	CU_ASSERT_EQUAL(bb_db_int(sql_held_by_user, DB_P(db_str(set),
			db_int(vid))), 1);
	free(body);
	free(path);
	free(u);
	free(v);
	free(set);
	free(admin);
}

static CU_TestInfo tests[] = {
	{ "create project", test_create_project },
	{ "list, join, leave, detail", test_list_join_leave },
	{ "hardware sets: create, resize, retire", test_sets_admin },
	{ "set holders; capacity and retire refusals with numbers",
	  test_set_holders },
	{ "seeded HWSet1 and HWSet2", test_seeded_sets },
	{ "checkout/checkin bad input", test_bad_input },
	{ "checkout and checkin", test_checkout_checkin },
	{ "bulk: all lines or none", test_bulk },
	{ "history and audit", test_history },
	{ "a revoked token moves nothing", test_token_checked_in_call },
	{ "200 clients on 100 units", test_race_200_on_100 },
	{ "random storm keeps the invariant", test_storm },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = { SUITE("projects", tests),
				 CU_SUITE_INFO_NULL };

int
main(void)
{
	bb_init();
	return cunit_run(suites);
}

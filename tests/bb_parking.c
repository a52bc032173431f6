/* bb_parking: the Smart parking rows of the contract through nginx: spaces,
 * the public list, history, plates; MQTT ingest with a real broker; live
 * events; multipart registration and approval.  The database is checked
 * afterwards. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bb.h"
#include "cunit_main.h"
#include "util.h"

#define PW "Tr0ub4dor&3x"

static const char sql_audit_count[] =
	"SELECT COUNT(*) FROM audit_log WHERE action = ? AND entity_id = ?";
static const char sql_sensor_count[] =
	"SELECT COUNT(*) FROM parking_sensors WHERE sensor_id = ?";
static const char sql_history_count[] =
	"SELECT COUNT(*) FROM parking_history WHERE space_id = ?";
static const char sql_history_source[] =
	"SELECT COUNT(*) FROM parking_history WHERE space_id = ? AND source = ?";
static const char sql_permit_count[] =
	"SELECT COUNT(*) FROM plates WHERE plate_number = ?"
	" AND status = 'approved'";
static const char sql_plate_count[] =
	"SELECT COUNT(*) FROM plates WHERE plate_number = ?";
static const char sql_space_retired[] =
	"SELECT COUNT(*) FROM parking_spaces WHERE id = ?"
	" AND retired_at IS NOT NULL";

static char *admin;

/* ---- helpers -------------------------------------------------------------- */

static long long
id_of(const struct bb_resp *r, const char *obj, const char *key)
{
	json_object *o, *v;

	if (!r->json || !json_object_object_get_ex(r->json, obj, &o) ||
	    !json_object_object_get_ex(o, key, &v))
		return 0;
	return strtoll(json_object_get_string(v), NULL, 10);
}

static const char *
sub_str(const struct bb_resp *r, const char *obj, const char *key)
{
	json_object *o, *v;

	if (!r->json || !json_object_object_get_ex(r->json, obj, &o) ||
	    !json_object_object_get_ex(o, key, &v))
		return "";
	return json_object_get_string(v);
}

/* A staff member's token (role "operator" or "admin"). */
static char *
staff_token(const char *role)
{
	char *u = bb_unique(role), *body, *tok;
	struct bb_resp *r;

	body = xasprintf("{\"username\": \"%s\", \"email\": \"%s@example.com\","
			 " \"password\": \"%s\", \"role\": \"%s\"}", u, u, PW,
			 role);
	r = bb_json("POST", "/api/admins", admin, body);
	CU_ASSERT_EQUAL(r->status, 201);
	bb_free(r);
	r = bb_login(u, PW);
	tok = xstrdup(bb_str(r, "access_token"));
	bb_free(r);
	free(body);
	free(u);
	return tok;
}

/* Creates a space; returns its id and (when asked) the sensor password. */
static long long
space_new(const char *code, const char *zone, const char *sensor, char **pw)
{
	char *b = xasprintf("{\"code\": \"%s\", \"zone\": \"%s\","
			    " \"sensor_id\": \"%s\"}", code, zone, sensor);
	struct bb_resp *r = bb_json("POST", "/api/parking-spaces", admin, b);
	long long id = id_of(r, "parking_space", "space_id");

	CU_ASSERT_EQUAL(r->status, 201);
	if (pw)
		*pw = xstrdup(bb_str(r, "sensor_password"));
	bb_free(r);
	free(b);
	return id;
}

#define path(fmt, id) xasprintf(fmt, (long long)(id))

static long long
summary_count(const struct bb_resp *r, const char *zone, const char *status)
{
	json_object *s, *z, *v;

	if (!r->json || !json_object_object_get_ex(r->json, "summary", &s))
		return -1;
	if (zone && (!json_object_object_get_ex(s, "zones", &z) ||
		     !json_object_object_get_ex(z, zone, &s)))
		return -1;
	if (!json_object_object_get_ex(s, status, &v))
		return -1;
	return json_object_get_int64(v);
}

/* ---- spaces --------------------------------------------------------------- */

static void
test_space_crud(void)
{
	char *code = bb_unique("A"), *sensor = bb_unique("s"), *pw = NULL;
	char *user = bb_new_user("driver", NULL), *b, *p, sid[32];
	struct bb_resp *r;
	long long id = space_new(code, "north", sensor, &pw);

	CU_ASSERT(id > 0);
	CU_ASSERT(strlen(pw) >= 16);
	CU_ASSERT_EQUAL(bb_db_int(sql_sensor_count, DB_P(db_str(sensor))), 1);
	snprintf(sid, sizeof(sid), "%lld", id);
	CU_ASSERT_EQUAL(bb_db_int(sql_audit_count,
		DB_P(db_str("parking_space.create"), db_str(sid))), 1);

	/* the same code, the same sensor: 409 with the contract's meaning */
	b = xasprintf("{\"code\": \"%s\", \"zone\": \"x\", \"sensor_id\": \"new%s\"}",
		      code, sensor);
	r = bb_json("POST", "/api/parking-spaces", admin, b);
	CU_ASSERT_EQUAL(r->status, 409);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "error"),
			       "A parking space with this code already exists");
	bb_free(r);
	free(b);
	b = xasprintf("{\"code\": \"x%s\", \"zone\": \"x\", \"sensor_id\": \"%s\"}",
		      code, sensor);
	r = bb_json("POST", "/api/parking-spaces", admin, b);
	CU_ASSERT_EQUAL(r->status, 409);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "error"),
			       "This sensor is already bound to another parking space");
	bb_free(r);

	/* a plain user may not; missing and bad fields are 400 */
	r = bb_json("POST", "/api/parking-spaces", user, b);
	CU_ASSERT_EQUAL(r->status, 403);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "error"),
			       "You are not authorized to perform this action");
	bb_free(r);
	free(b);
	r = bb_json("POST", "/api/parking-spaces", admin, "{\"code\": \"z\"}");
	CU_ASSERT_EQUAL(r->status, 400);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "error"),
			       "code, zone and sensor_id are required");
	bb_free(r);
	r = bb_json("POST", "/api/parking-spaces", admin,
		    "{\"code\": \"z\", \"zone\": \"z\", \"sensor_id\": \"a b\"}");
	CU_ASSERT_EQUAL(r->status, 400);
	bb_free(r);

	/* edit: zone, then out of service (a staff history entry) */
	p = path("/api/parking-spaces/%lld", id);
	r = bb_json("PATCH", p, admin,
		    "{\"zone\": \"south\", \"status\": \"out_of_service\"}");
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_STRING_EQUAL(sub_str(r, "parking_space", "zone"), "south");
	CU_ASSERT_STRING_EQUAL(sub_str(r, "parking_space", "status"),
			       "out_of_service");
	CU_ASSERT(r->json && strstr(r->body, "sensor_password") == NULL);
	bb_free(r);
	CU_ASSERT_EQUAL(bb_db_int(sql_history_source,
		DB_P(db_int(id), db_str("staff"))), 1);
	r = bb_json("PATCH", p, admin, "{\"status\": \"occupied\"}");
	CU_ASSERT_EQUAL(r->status, 400);
	bb_free(r);
	r = bb_get(p, NULL);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_STRING_EQUAL(sub_str(r, "parking_space", "code"), code);
	bb_free(r);

	/* retire: gone from the API, the row kept, its code free again */
	r = bb_req("DELETE", p, admin, NULL, NULL, 0, NULL);
	CU_ASSERT_EQUAL(r->status, 204);
	bb_free(r);
	CU_ASSERT_EQUAL(bb_db_int(sql_space_retired, DB_P(db_int(id))), 1);
	r = bb_get(p, NULL);
	CU_ASSERT_EQUAL(r->status, 404);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "error"), "Parking space not found");
	bb_free(r);
	r = bb_req("DELETE", p, admin, NULL, NULL, 0, NULL);
	CU_ASSERT_EQUAL(r->status, 404);
	bb_free(r);
	/* the known sensor gets no new password */
	b = xasprintf("{\"code\": \"%s\", \"zone\": \"x\", \"sensor_id\": \"%s\"}",
		      code, sensor);
	r = bb_json("POST", "/api/parking-spaces", admin, b);
	CU_ASSERT_EQUAL(r->status, 201);
	CU_ASSERT(strstr(r->body, "sensor_password") == NULL);
	bb_free(r);
	free(b);
	free(p);
	free(pw);
	free(user);
	free(code);
	free(sensor);
}

static void
test_space_list(void)
{
	char *zone = bb_unique("zone"), *q, *c1 = bb_unique("L"),
	     *c2 = bb_unique("L"), *s1 = bb_unique("ls"), *s2 = bb_unique("ls");
	struct bb_resp *r;
	long long id2;

	space_new(c1, zone, s1, NULL);
	id2 = space_new(c2, zone, s2, NULL);
	q = path("/api/parking-spaces/%lld", id2);
	r = bb_json("PATCH", q, admin, "{\"status\": \"out_of_service\"}");
	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);
	free(q);

	q = xasprintf("/api/parking-spaces?zone=%s", zone);
	r = bb_get(q, NULL);	/* public */
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_EQUAL(bb_len(r, "parking_spaces"), 2);
	CU_ASSERT_EQUAL(summary_count(r, NULL, "unknown"), 1);
	CU_ASSERT_EQUAL(summary_count(r, NULL, "out_of_service"), 1);
	CU_ASSERT_EQUAL(summary_count(r, NULL, "free"), 0);
	CU_ASSERT_EQUAL(summary_count(r, zone, "total"), 2);
	CU_ASSERT(strstr(r->body, "\"updated_at\"") != NULL);
	CU_ASSERT(strstr(r->body, "sensor_id") == NULL);
	bb_free(r);
	free(q);
	q = xasprintf("/api/parking-spaces?zone=%s&status=unknown", zone);
	r = bb_get(q, NULL);
	CU_ASSERT_EQUAL(bb_len(r, "parking_spaces"), 1);
	bb_free(r);
	free(q);
	r = bb_get("/api/parking-spaces?status=parked", NULL);
	CU_ASSERT_EQUAL(r->status, 400);
	bb_free(r);
	free(zone);
	free(c1);
	free(c2);
	free(s1);
	free(s2);
}

static void
test_history(void)
{
	char *c = bb_unique("H"), *s = bb_unique("hs"), *p, *q;
	char *user = bb_new_user("hist", NULL);
	const char *states[] = { "out_of_service", "unknown", "out_of_service" };
	struct bb_resp *r;
	long long id = space_new(c, "h", s, NULL);
	size_t i;

	p = path("/api/parking-spaces/%lld", id);
	for (i = 0; i < 3; i++) {
		q = xasprintf("{\"status\": \"%s\"}", states[i]);
		r = bb_json("PATCH", p, admin, q);
		CU_ASSERT_EQUAL(r->status, 200);
		bb_free(r);
		free(q);
	}
	CU_ASSERT_EQUAL(bb_db_int(sql_history_count, DB_P(db_int(id))), 3);
	q = path("/api/parking-spaces/%lld/history?limit=2", id);
	r = bb_get(q, NULL);
	CU_ASSERT_EQUAL(r->status, 401);
	bb_free(r);
	r = bb_get(q, user);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_EQUAL(bb_len(r, "history"), 2);
	CU_ASSERT(strstr(r->body, "\"source\":\"staff\"") != NULL);
	CU_ASSERT(strstr(r->body, "\"at\":\"") != NULL);
	free(q);
	q = xasprintf("/api/parking-spaces/%lld/history?limit=2&cursor=%s", id,
		      bb_str(r, "next_cursor"));
	bb_free(r);
	r = bb_get(q, user);
	CU_ASSERT_EQUAL(bb_len(r, "history"), 1);
	CU_ASSERT(r->json && json_object_object_get(r->json, "next_cursor")
		  == NULL);
	bb_free(r);
	free(q);
	q = path("/api/parking-spaces/%lld/history?from=2999-01-01T00:00:00%%2B02:00",
		 id);
	r = bb_get(q, user);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_EQUAL(bb_len(r, "history"), 0);
	bb_free(r);
	free(q);
	q = path("/api/parking-spaces/%lld/history?to=2999-01-01T00:00Z", id);
	r = bb_get(q, user);
	CU_ASSERT_EQUAL(bb_len(r, "history"), 3);
	bb_free(r);
	free(q);
	q = path("/api/parking-spaces/%lld/history?from=yesterday", id);
	r = bb_get(q, user);
	CU_ASSERT_EQUAL(r->status, 400);
	bb_free(r);
	free(q);
	r = bb_get("/api/parking-spaces/999999999/history", user);
	CU_ASSERT_EQUAL(r->status, 404);
	bb_free(r);
	free(p);
	free(user);
	free(c);
	free(s);
}

/* ---- plates --------------------------------------------------------------- */

static struct bb_resp *
plate_add(const char *token, const char *plate)
{
	char *b = xasprintf("{\"plate_number\": \"%s\"}", plate);
	struct bb_resp *r = bb_json("POST", "/api/plates", token, b);

	free(b);
	return r;
}

/* PUT {status, reason} on base/id: a staff decision. */
static struct bb_resp *
put_decision(const char *base, const char *token, long long id,
	     const char *status)
{
	char *p = xasprintf("%s/%lld", base, id), *b = xasprintf(
		"{\"status\": \"%s\", \"reason\": \"checked\"}", status);
	struct bb_resp *r = bb_json("PUT", p, token, b);

	free(p);
	free(b);
	return r;
}

static struct bb_resp *
plate_decide(const char *token, long long id, const char *status)
{
	return put_decision("/api/plates", token, id, status);
}

/* GET /api/plates/lookup for plate (raw, spaces allowed) as token. */
static struct bb_resp *
plate_lookup(const char *token, const char *raw)
{
	char *q = xasprintf("/api/plates/lookup?plate=%s", raw), *p;
	struct bb_resp *r;

	for (p = q; *p; p++)
		if (*p == ' ')
			*p = '+';
	r = bb_get(q, token);
	free(q);
	return r;
}

static bool
lookup_permitted(const struct bb_resp *r)
{
	return r->json && json_object_get_boolean(json_object_object_get(
		r->json, "permitted"));
}

/* A plate is a permit only once staff approved it: sign-up plus a plate
 * is a claim, not a permit, and a claim cannot squat a number. */
static void
test_plates(void)
{
	long long uid, uid2;
	char *u1 = bb_new_user("plate", &uid), *u2 = bb_new_user("plate", &uid2);
	char *op = staff_token("operator"), *raw, norm[16], *p, *q;
	struct bb_resp *r;
	long long pid, pid2;
	unsigned long n = (unsigned long)getpid() % 100000;

	snprintf(norm, sizeof(norm), "PL%05lu%c", n, 'A' + (int)(time(NULL) % 26));
	raw = xasprintf("pl-%05lu %c", n, 'a' + (int)(norm[7] - 'A'));
	r = plate_add(u1, raw);
	CU_ASSERT_EQUAL(r->status, 201);
	CU_ASSERT_STRING_EQUAL(sub_str(r, "plate", "plate_number"), norm);
	CU_ASSERT_STRING_EQUAL(sub_str(r, "plate", "status"), "pending");
	pid = id_of(r, "plate", "plate_id");
	CU_ASSERT_EQUAL(id_of(r, "plate", "user_id"), uid);
	bb_free(r);
	/* not a permit yet */
	r = plate_lookup(op, raw);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "state"), "pending");
	CU_ASSERT(!lookup_permitted(r));
	bb_free(r);
	/* someone else may claim the same number; one claim each */
	r = plate_add(u2, norm);
	CU_ASSERT_EQUAL(r->status, 201);
	pid2 = id_of(r, "plate", "plate_id");
	bb_free(r);
	r = plate_add(u1, norm);
	CU_ASSERT_EQUAL(r->status, 409);
	bb_free(r);
	CU_ASSERT_EQUAL(bb_db_int(sql_plate_count, DB_P(db_str(norm))), 2);
	r = plate_add(u2, "A");
	CU_ASSERT_EQUAL(r->status, 400);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "error"),
			       "Plate number must be 2 to 10 letters and digits");
	bb_free(r);
	r = plate_add(u2, "ABCDEFGHIJK");
	CU_ASSERT_EQUAL(r->status, 400);
	bb_free(r);
	r = plate_add(u2, "AB_12");
	CU_ASSERT_EQUAL(r->status, 400);
	bb_free(r);

	/* members cannot decide; staff approve once, and the rival claim is
	 * answered */
	r = plate_decide(u1, pid, "approved");
	CU_ASSERT_EQUAL(r->status, 403);
	bb_free(r);
	r = plate_decide(op, pid, "approved");
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_STRING_EQUAL(sub_str(r, "plate", "status"), "approved");
	bb_free(r);
	r = plate_decide(op, pid, "rejected");
	CU_ASSERT_EQUAL(r->status, 409);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), "plate_decided");
	bb_free(r);
	r = plate_decide(op, pid2, "approved");
	CU_ASSERT_EQUAL(r->status, 409);
	bb_free(r);
	CU_ASSERT_EQUAL(bb_db_int(sql_permit_count, DB_P(db_str(norm))), 1);
	r = plate_add(u2, norm);
	CU_ASSERT_EQUAL(r->status, 409);
	bb_free(r);

	/* lists: mine only, with their state; staff see all */
	r = bb_get("/api/plates", u1);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_EQUAL(bb_len(r, "plates"), 1);
	bb_free(r);
	r = bb_get("/api/plates", u2);
	CU_ASSERT_EQUAL(bb_len(r, "plates"), 1);
	CU_ASSERT(strstr(r->body, "\"rejected\"") != NULL);
	bb_free(r);
	q = xasprintf("/api/plates?status=approved&q=%s", norm);
	r = bb_get(q, op);
	CU_ASSERT_EQUAL(bb_len(r, "plates"), 1);
	bb_free(r);
	free(q);
	r = bb_get("/api/plates?status=maybe", op);
	CU_ASSERT_EQUAL(r->status, 400);
	bb_free(r);

	/* lookup: operators only; normalized; approved and active */
	r = plate_lookup(u1, raw);
	CU_ASSERT_EQUAL(r->status, 403);
	bb_free(r);
	r = plate_lookup(op, raw);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "state"), "approved");
	CU_ASSERT(lookup_permitted(r));
	CU_ASSERT_EQUAL(id_of(r, "owner", "user_id"), uid);
	bb_free(r);
	r = plate_lookup(op, "ZZ99NOPE");
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "state"), "unregistered");
	CU_ASSERT(!lookup_permitted(r));
	bb_free(r);

	/* another user's plate is 404; the owner deletes it; audited */
	p = path("/api/plates/%lld", pid);
	r = bb_req("DELETE", p, u2, NULL, NULL, 0, NULL);
	CU_ASSERT_EQUAL(r->status, 404);
	bb_free(r);
	r = bb_req("DELETE", p, u1, NULL, NULL, 0, NULL);
	CU_ASSERT_EQUAL(r->status, 204);
	bb_free(r);
	CU_ASSERT_EQUAL(bb_db_int(sql_permit_count, DB_P(db_str(norm))), 0);
	q = xasprintf("%lld", pid);
	CU_ASSERT_EQUAL(bb_db_int(sql_audit_count,
		DB_P(db_str("plate.delete"), db_str(q))), 1);
	CU_ASSERT_EQUAL(bb_db_int(sql_audit_count,
		DB_P(db_str("plate.approve"), db_str(q))), 1);
	free(q);
	free(p);
	/* a rejected claim may be asked for again, while the number is no
	 * one's permit */
	r = plate_add(u2, "RJ12345");
	pid2 = id_of(r, "plate", "plate_id");
	bb_free(r);
	r = plate_decide(op, pid2, "rejected");
	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);
	r = plate_add(u2, "RJ12345");
	CU_ASSERT_EQUAL(r->status, 201);
	CU_ASSERT_EQUAL(id_of(r, "plate", "plate_id"), pid2);
	CU_ASSERT_STRING_EQUAL(sub_str(r, "plate", "status"), "pending");
	bb_free(r);
	r = plate_add(u2, "RJ12345");
	CU_ASSERT_EQUAL(r->status, 409);
	bb_free(r);
	free(raw);
	free(op);
	free(u1);
	free(u2);
}

/* Eight drivers claim one number, then eight operators approve the
 * eight claims at once: exactly one permit. */
struct plate_race {
	char *tokens[8];
	char *ops[8];
	long long ids[8];
	char plate[16];
	struct bb_tally t;
};

static void
race_plate(int i, void *arg)
{
	struct plate_race *pr = arg;
	struct bb_resp *r = plate_add(pr->tokens[i], pr->plate);

	bb_tally(&pr->t, r, 201);
}

static void
race_plate_approve(int i, void *arg)
{
	struct plate_race *pr = arg;

	bb_tally(&pr->t, plate_decide(pr->ops[i], pr->ids[i], "approved"), 200);
}

static void
test_plate_race(void)
{
	struct plate_race pr = { .t = { 0 } };
	struct bb_resp *r;
	char *q;
	int i;

	for (i = 0; i < 8; i++) {
		pr.tokens[i] = bb_new_user("race", NULL);
		pr.ops[i] = staff_token("operator");
	}
	snprintf(pr.plate, sizeof(pr.plate), "RC%06ld",
		 (long)(getpid() * 7 + time(NULL)) % 1000000);
	bb_parallel(8, race_plate, &pr);
	CU_ASSERT_EQUAL(pr.t.ok, 8);
	CU_ASSERT_EQUAL(bb_db_int(sql_plate_count, DB_P(db_str(pr.plate))), 8);
	for (i = 0; i < 8; i++) {
		r = bb_get("/api/plates", pr.tokens[i]);
		q = r->json ? (char *)json_object_get_string(json_object_object_get(
			json_object_array_get_idx(json_object_object_get(r->json,
			"plates"), 0), "plate_id")) : NULL;
		pr.ids[i] = q ? strtoll(q, NULL, 10) : 0;
		bb_free(r);
	}
	memset(&pr.t, 0, sizeof(pr.t));
	bb_parallel(8, race_plate_approve, &pr);
	CU_ASSERT_EQUAL(pr.t.ok, 1);
	CU_ASSERT_EQUAL(pr.t.conflict, 7);
	CU_ASSERT_EQUAL(bb_db_int(sql_permit_count, DB_P(db_str(pr.plate))), 1);
	for (i = 0; i < 8; i++) {
		free(pr.tokens[i]);
		free(pr.ops[i]);
	}
}

static const char sql_space_status[] =
	"SELECT status = ? FROM parking_spaces WHERE id = ?";
static const char sql_last_seq[] =
	"SELECT COALESCE(last_seq, -1) FROM parking_spaces WHERE id = ?";

static int
mqtt_port(void)
{
	const char *p = getenv("HAAS_MQTT_PORT");

	return p ? (int)strtol(p, NULL, 10) : 18830;
}

/* mosquitto_pub as sensor user with password pw, QoS 1; exit status. */
static int
pub(const char *user, const char *pw, const char *leaf, const char *msg)
{
	char *cmd = xasprintf("mosquitto_pub -h 127.0.0.1 -p %d -q 1 -u '%s'"
			      " -P '%s' -t 'haas/parking/%s/%s' -m '%s'"
			      " 2>/dev/null", mqtt_port(), user, pw, user, leaf,
			      msg);
	int rc = system(cmd);

	free(cmd);
	return rc;
}

static int
pub_status(const char *sensor, const char *pw, const char *status, int seq)
{
	char *m = xasprintf("{\"status\": \"%s\", \"seq\": %d, \"ts\":"
			    " \"2026-01-01T00:00:00Z\"}", status, seq);
	int rc = pub(sensor, pw, "status", m);

	free(m);
	return rc;
}

/* Waits up to ms for the space to reach status. */
static bool
wait_status(long long id, const char *status, int ms)
{
	for (; ms > 0; ms -= 50) {
		if (bb_db_int(sql_space_status, DB_P(db_str(status),
						     db_int(id))) == 1)
			return true;
		usleep(50000);
	}
	return false;
}

static bool
wait_seq(long long id, long long seq, int ms)
{
	for (; ms > 0; ms -= 50) {
		if (bb_db_int(sql_last_seq, DB_P(db_int(id))) == seq)
			return true;
		usleep(50000);
	}
	return false;
}

static void
test_ingest(void)
{
	char *c = bb_unique("M"), *s = bb_unique("sensor"), *pw = NULL;
	long long id = space_new(c, "mqtt", s, &pw);

	/* the broker took the new account without a restart */
	CU_ASSERT_EQUAL(pub_status(s, pw, "occupied", 1), 0);
	CU_ASSERT(wait_status(id, "occupied", 5000));
	CU_ASSERT_EQUAL(bb_db_int(sql_history_source,
		DB_P(db_int(id), db_str("sensor"))), 1);
	/* wrong password: refused (anonymous access is off too) */
	CU_ASSERT_NOT_EQUAL(pub_status(s, "wrong", "free", 9), 0);
	/* a duplicate and an older seq change nothing */
	pub_status(s, pw, "free", 1);
	pub_status(s, pw, "free", 0);
	pub_status(s, pw, "occupied", 2);
	CU_ASSERT(wait_seq(id, 2, 5000));
	CU_ASSERT(wait_status(id, "occupied", 1));
	CU_ASSERT_EQUAL(bb_db_int(sql_history_count, DB_P(db_int(id))), 1);
	/* malformed payloads are dropped; the daemon keeps going */
	pub(s, pw, "status", "not json");
	pub(s, pw, "status", "{\"status\": \"parked\", \"seq\": 5}");
	pub(s, pw, "status", "{\"status\": \"free\", \"seq\": \"6\"}");
	CU_ASSERT(wait_seq(id, 2, 1));
	pub_status(s, pw, "free", 7);
	CU_ASSERT(wait_status(id, "free", 5000));
	CU_ASSERT_EQUAL(bb_db_int(sql_history_count, DB_P(db_int(id))), 2);
	/* silence longer than sensor_ttl (3 s in tests): unknown */
	CU_ASSERT(wait_status(id, "unknown", 9000));
	CU_ASSERT_EQUAL(bb_db_int(sql_history_source,
		DB_P(db_int(id), db_str("ttl"))), 1);
	free(pw);
	free(c);
	free(s);
}

/* haasctl sensor add: an account for a sensor installed before its space;
 * binding a space to it later creates no second password. */
static void
test_haasctl_sensor_add(void)
{
	char *s = bb_unique("ctl"), *c = bb_unique("K"), *pw = NULL, *cmd;
	char line[512] = "", pass[128] = "";
	long long id;
	FILE *p;

	cmd = xasprintf("%s/haasctl -c %s sensor add %s 2>/dev/null",
			getenv("HAAS_BUILD_DIR"), getenv("HAAS_CONFIG"), s);
	p = popen(cmd, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	if (!fgets(line, sizeof(line), p))
		line[0] = '\0';
	CU_ASSERT_EQUAL(pclose(p), 0);
	{
		const char *at = strstr(line, "password ");

		CU_ASSERT_PTR_NOT_NULL_FATAL(at);
		snprintf(pass, sizeof(pass), "%.*s", (int)strcspn(at + 9, " \n"),
			 at + 9);
	}
	CU_ASSERT_EQUAL(bb_db_int(sql_sensor_count, DB_P(db_str(s))), 1);
	id = space_new(c, "mqtt", s, &pw);
	CU_ASSERT_STRING_EQUAL(pw, "");	/* not new: no second password */
	CU_ASSERT_EQUAL(pub_status(s, pass, "occupied", 1), 0);
	CU_ASSERT(wait_status(id, "occupied", 5000));
	free(pw);
	free(cmd);
	free(c);
	free(s);
}

static void
test_last_will(void)
{
	char *c = bb_unique("W"), *s = bb_unique("will"), *pw = NULL;
	long long id = space_new(c, "mqtt", s, &pw);

	pub_status(s, pw, "occupied", 1);
	CU_ASSERT(wait_status(id, "occupied", 5000));
	/* what the broker publishes for a sensor's last will */
	CU_ASSERT_EQUAL(pub(s, pw, "online", "offline"), 0);
	CU_ASSERT(wait_status(id, "unknown", 2500));
	CU_ASSERT_EQUAL(bb_db_int(sql_history_source,
		DB_P(db_int(id), db_str("will"))), 1);
	free(pw);
	free(c);
	free(s);
}

/* ---- live events ---------------------------------------------------------- */

static void
test_live_events(void)
{
	char *c = bb_unique("E"), *s = bb_unique("live"), *pw = NULL, *cmd;
	char out[] = "/tmp/bb_parking_events_XXXXXX", buf[8192] = { 0 };
	long long id = space_new(c, "live", s, &pw);
	FILE *f;
	int fd = mkstemp(out);

	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	cmd = xasprintf("curl -sN --max-time 4 --cacert '%s'"
			" -H 'Accept: text/event-stream'"
			" '%s/api/parking-spaces/events' > '%s' 2>/dev/null &",
			getenv("HAAS_TEST_CA"), getenv("HAAS_TEST_URL"), out);
	CU_ASSERT_EQUAL(system(cmd), 0);
	free(cmd);
	usleep(1000000);
	pub_status(s, pw, "occupied", 1);
	CU_ASSERT(wait_status(id, "occupied", 3000));
	usleep(1000000);
	f = fopen(out, "r");
	if (f) {
		CU_ASSERT(fread(buf, 1, sizeof(buf) - 1, f) > 0);
		fclose(f);
	}
	CU_ASSERT(strstr(buf, "data:") != NULL);
	CU_ASSERT(strstr(buf, c) != NULL);
	CU_ASSERT(strstr(buf, "\"status\":\"occupied\"") != NULL);
	unlink(out);
	free(pw);
	free(c);
	free(s);
}


/* ---- registration --------------------------------------------------------- */

static const char sql_req_count[] =
	"SELECT COUNT(*) FROM registration_requests WHERE email = ?";
static const char sql_user_status[] =
	"SELECT COUNT(*) FROM users WHERE email = ? AND status = ?";
static const char sql_user_plates[] =
	"SELECT COUNT(*) FROM plates p JOIN users u ON u.id = p.user_id"
	" WHERE u.email = ? AND p.plate_number = ?";

static int
upload_count(void)
{
	char *cmd = xasprintf("ls -1 '%s/uploads' | wc -l",
			      getenv("HAAS_STATE_DIR"));
	FILE *p = popen(cmd, "r");
	int n = -1;
	char line[32];

	if (p && fgets(line, sizeof(line), p))
		n = (int)strtol(line, NULL, 10);
	if (p)
		pclose(p);
	free(cmd);
	return n;
}

static const char *
write_file(const char *name, const void *data, size_t n)
{
	FILE *f = fopen(name, "wb");

	if (f) {
		fwrite(data, 1, n, f);
		fclose(f);
	}
	return name;
}

static char *
reg_email(void)
{
	char *u = bb_unique("drv"), *e = xasprintf("%s@example.com", u);

	free(u);
	return e;
}

static void
reg_plate(char out[16])
{
	static int k;

	k = (k + 1) % 100;
	snprintf(out, 16, "RG%02u%05u", (unsigned)k,
		 (unsigned)(getpid() + time(NULL)) % 100000u);
}

/* The "field" member of a JSON error body ("" when absent). */
static const char *
field_of(const char *body)
{
	static char out[64];
	json_object *o = json_tokener_parse(body), *v;

	out[0] = '\0';
	if (o && json_object_object_get_ex(o, "field", &v))
		snprintf(out, sizeof(out), "%s", json_object_get_string(v));
	json_object_put(o);
	return out;
}

static void
test_register_rejects(void)
{
	char *email = reg_email(), *body, plate[16], *big;
	int before = upload_count();
	FILE *f;

	reg_plate(plate);
	write_file("/tmp/bb_parking_evil.exe", "MZ\x90\x00", 4);
	write_file("/tmp/bb_parking_id.png", "\x89PNG\r\n\x1a\nxxxx", 12);
	/* wrong type (by content, whatever the name and type say) */
	CU_ASSERT_EQUAL(bb_register(email, plate,
		"-F 'document=@/tmp/bb_parking_evil.exe;filename=id.png;type=image/png'",
		"", &body), 400);
	CU_ASSERT(strstr(body, "File type not allowed") != NULL);
	CU_ASSERT_STRING_EQUAL(field_of(body), "document");
	free(body);
	/* a file name that climbs */
	CU_ASSERT_EQUAL(bb_register(email, plate,
		"-F 'document=@/tmp/bb_parking_id.png;filename=../../etc/x.png'",
		"", &body), 400);
	CU_ASSERT(strstr(body, "File name not allowed") != NULL);
	CU_ASSERT_STRING_EQUAL(field_of(body), "document");
	free(body);
	/* missing document, missing field, bad plate */
	CU_ASSERT_EQUAL(bb_register(email, plate, "", "", &body), 400);
	CU_ASSERT(strstr(body, "are required") != NULL);
	CU_ASSERT_STRING_EQUAL(field_of(body), "document");
	free(body);
	CU_ASSERT_EQUAL(bb_register(email, "",
		"-F 'document=@/tmp/bb_parking_id.png'", "", &body), 400);
	CU_ASSERT(strstr(body, "are required") != NULL);
	CU_ASSERT_STRING_EQUAL(field_of(body), "plate_number");
	free(body);
	CU_ASSERT_EQUAL(bb_register(email, "X",
		"-F 'document=@/tmp/bb_parking_id.png'", "", &body), 400);
	CU_ASSERT(strstr(body, "Plate number must be") != NULL);
	CU_ASSERT_STRING_EQUAL(field_of(body), "plate_number");
	free(body);
	CU_ASSERT_EQUAL(bb_register("not-an-email", plate,
		"-F 'document=@/tmp/bb_parking_id.png'", "", &body), 400);
	CU_ASSERT_STRING_EQUAL(field_of(body), "email");
	free(body);
	/* the password sent twice: the form is refused at that field */
	CU_ASSERT_EQUAL(bb_register(email, plate,
		"-F 'document=@/tmp/bb_parking_id.png'", "-F password=x",
		&body), 400);
	CU_ASSERT_STRING_EQUAL(field_of(body), "password");
	free(body);
	/* oversize: more than upload_max_bytes */
	big = xmalloc(6 * 1024 * 1024);
	memcpy(big, "%PDF-1.4\n", 9);
	memset(big + 9, 'a', 6 * 1024 * 1024 - 9);
	f = fopen("/tmp/bb_parking_big.pdf", "wb");
	if (f) {
		fwrite(big, 1, 6 * 1024 * 1024, f);
		fclose(f);
	}
	free(big);
	CU_ASSERT_EQUAL(bb_register(email, plate,
		"-F 'document=@/tmp/bb_parking_big.pdf'", "", &body), 413);
	free(body);
	/* JSON instead of multipart */
	{
		struct bb_resp *r = bb_json("POST", "/api/register", NULL, "{}");

		CU_ASSERT_EQUAL(r->status, 415);
		bb_free(r);
	}
	/* nothing stored */
	CU_ASSERT_EQUAL(bb_db_int(sql_req_count, DB_P(db_str(email))), 0);
	CU_ASSERT_EQUAL(upload_count(), before);
	unlink("/tmp/bb_parking_big.pdf");
	unlink("/tmp/bb_parking_evil.exe");
	free(email);
}

/* Registers a driver; returns the request id. */
static long long
register_ok(const char *email, const char *plate)
{
	char *body;
	json_object *o, *v;
	long long id = 0;

	write_file("/tmp/bb_parking_id.pdf", "%PDF-1.4\nid card\n", 17);
	CU_ASSERT_EQUAL(bb_register(email, plate,
		"-F 'document=@/tmp/bb_parking_id.pdf;type=application/pdf'",
		"", &body), 201);
	o = json_tokener_parse(body);
	if (o && json_object_object_get_ex(o, "request_id", &v))
		id = strtoll(json_object_get_string(v), NULL, 10);
	CU_ASSERT(o && json_object_object_get_ex(o, "status", &v) &&
		  !strcmp(json_object_get_string(v), "pending"));
	CU_ASSERT(o && json_object_object_get_ex(o, "submitted_at", &v));
	json_object_put(o);
	free(body);
	return id;
}

static struct bb_resp *
decide(const char *token, long long id, const char *status)
{
	return put_decision("/api/requests", token, id, status);
}

static void
test_register_approve(void)
{
	char *email = reg_email(), *e2, *body, plate[16], *p, *op, *rival;
	struct bb_resp *r;
	long long id, id2;

	reg_plate(plate);
	id = register_ok(email, plate);
	CU_ASSERT(id > 0);
	/* the same email again: 409; the same plate: another waiting
	 * application, which cannot be approved once this one is */
	CU_ASSERT_EQUAL(bb_register(email, "ZZ12345",
		"-F 'document=@/tmp/bb_parking_id.pdf'", "", &body), 409);
	CU_ASSERT_STRING_EQUAL(field_of(body), "email");
	free(body);
	e2 = reg_email();
	id2 = register_ok(e2, plate);
	/* a member's claim of the same number, answered by the approval */
	rival = bb_new_user("rival", NULL);
	r = plate_add(rival, plate);
	CU_ASSERT_EQUAL(r->status, 201);
	bb_free(r);
	/* pending: cannot log in */
	{
		char *lb = xasprintf("{\"email\": \"%s\", \"password\": \"%s\"}",
				     email, PW);

		r = bb_json("POST", "/api/users/login", NULL, lb);
		CU_ASSERT_EQUAL(r->status, 403);
		CU_ASSERT_STRING_EQUAL(bb_str(r, "error"),
				       "Account pending approval");
		bb_free(r);
		free(lb);
	}
	op = staff_token("operator");
	r = bb_get("/api/requests?status=pending&limit=500", op);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT(bb_len(r, "requests") >= 1);
	CU_ASSERT(strstr(r->body, email) != NULL);
	bb_free(r);
	/* the document, through nginx; never directly */
	p = path("/api/requests/%lld/document", id);
	r = bb_get(p, op);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT(r->body_len == 17 && !memcmp(r->body, "%PDF-1.4\nid card\n", 17));
	bb_free(r);
	free(p);
	r = bb_get("/internal/uploads/x.pdf", NULL);
	CU_ASSERT_EQUAL(r->status, 404);
	bb_free(r);
	/* decisions: bad status, then approve once */
	r = decide(op, id, "maybe");
	CU_ASSERT_EQUAL(r->status, 400);
	bb_free(r);
	r = decide(op, id, "approved");
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_STRING_EQUAL(sub_str(r, "request", "status"), "approved");
	bb_free(r);
	r = decide(op, id, "rejected");
	CU_ASSERT_EQUAL(r->status, 409);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "error"), "Request already decided");
	bb_free(r);
	r = decide(op, id2, "approved");
	CU_ASSERT_EQUAL(r->status, 409);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), "plate_taken");
	bb_free(r);
	r = bb_get("/api/plates", rival);
	CU_ASSERT(strstr(r->body, "\"rejected\"") != NULL);
	CU_ASSERT(strstr(r->body, "approved for another driver") != NULL);
	bb_free(r);
	free(rival);
	CU_ASSERT_EQUAL(bb_db_int(sql_user_status, DB_P(db_str(e2),
		db_str("pending"))), 1);
	free(e2);
	r = decide(op, 999999999, "approved");
	CU_ASSERT_EQUAL(r->status, 404);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "error"), "Request not found");
	bb_free(r);
	CU_ASSERT_EQUAL(bb_db_int(sql_user_status, DB_P(db_str(email),
		db_str("active"))), 1);
	CU_ASSERT_EQUAL(bb_db_int(sql_user_plates, DB_P(db_str(email),
		db_str(plate))), 1);
	p = xasprintf("%lld", id);
	CU_ASSERT_EQUAL(bb_db_int(sql_audit_count,
		DB_P(db_str("registration.approve"), db_str(p))), 1);
	free(p);
	free(op);
	free(email);
}

static void
test_register_reject(void)
{
	char *email = reg_email(), plate[16], *op = staff_token("operator");
	struct bb_resp *r;
	long long id, id2;

	reg_plate(plate);
	id = register_ok(email, plate);
	r = decide(op, id, "rejected");
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_STRING_EQUAL(sub_str(r, "request", "reason"), "checked");
	bb_free(r);
	CU_ASSERT_EQUAL(bb_db_int(sql_user_plates, DB_P(db_str(email),
		db_str(plate))), 0);
	/* the pending account is gone, its email free: apply again */
	CU_ASSERT_EQUAL(bb_db_int(sql_user_status, DB_P(db_str(email),
		db_str("pending"))), 0);
	id2 = register_ok(email, plate);
	CU_ASSERT(id2 > id);
	CU_ASSERT_EQUAL(bb_db_int(sql_user_status, DB_P(db_str(email),
		db_str("pending"))), 1);
	free(op);
	free(email);
}

/* Only staff approval activates an applicant: enabling a pending account
 * leaves it pending, and an applicant whose account is no longer pending
 * cannot be approved. */
static void
test_register_applicant_state(void)
{
	char *email = reg_email(), plate[16], *op = staff_token("operator"), *p;
	struct bb_resp *r;
	long long id, uid;

	reg_plate(plate);
	id = register_ok(email, plate);
	uid = bb_db_int("SELECT user_id FROM registration_requests WHERE id = ?",
			DB_P(db_int(id)));
	p = path("/api/users/%lld", uid);
	r = bb_json("PATCH", p, admin, "{\"disabled\": false}");
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "status"), "pending");
	bb_free(r);
	CU_ASSERT_EQUAL(db_exec(bb_db(), "UPDATE users SET status = 'disabled'"
		" WHERE id = ?", DB_P(db_int(uid)), NULL), ERR_OK);
	r = decide(op, id, "approved");
	CU_ASSERT_EQUAL(r->status, 409);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), "applicant_not_pending");
	bb_free(r);
	CU_ASSERT_EQUAL(bb_db_int(sql_permit_count, DB_P(db_str(plate))), 0);
	free(p);
	free(op);
	free(email);
}

struct decide_race {
	char *ops[2];
	long long id;
	struct bb_tally t;
};

static void
race_decide(int i, void *arg)
{
	struct decide_race *d = arg;
	struct bb_resp *r = decide(d->ops[i], d->id, "approved");

	bb_tally(&d->t, r, 200);
}

static void
test_register_race(void)
{
	char *email = reg_email(), plate[16];
	struct decide_race d = { .t = { 0 } };

	reg_plate(plate);
	d.id = register_ok(email, plate);
	d.ops[0] = staff_token("operator");
	d.ops[1] = staff_token("operator");
	bb_parallel(2, race_decide, &d);
	CU_ASSERT_EQUAL(d.t.ok, 1);
	CU_ASSERT_EQUAL(d.t.conflict, 1);
	CU_ASSERT_EQUAL(bb_db_int(sql_permit_count, DB_P(db_str(plate))), 1);
	free(d.ops[0]);
	free(d.ops[1]);
	free(email);
}

/* What the form's browser checks are told before anything is sent. */
static void
test_register_requirements(void)
{
	struct bb_resp *r = bb_get("/api/register/requirements", NULL);
	json_object *doc, *types, *v;

	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_FATAL(r->json && json_object_object_get_ex(r->json,
		"document", &doc));
	CU_ASSERT(json_object_object_get_ex(doc, "types", &types) &&
		  json_object_array_length(types) == 3);
	CU_ASSERT(strstr(r->body, "application/pdf") != NULL);
	/* the stack's upload_max_bytes (5 MiB) less room for the rest */
	CU_ASSERT(json_object_object_get_ex(doc, "max_bytes", &v) &&
		  json_object_get_int64(v) == 5242880 - 16384);
	CU_ASSERT_EQUAL(bb_sub_id(r, "plate_number", "max_length"), 10);
	bb_free(r);
}

/* ---- the staff console's queue ------------------------------------------- */

/* A staff member of role: their username (caller frees) and token. */
static char *
staff_user(const char *role, char **token)
{
	char *u = bb_unique(role), *body;
	struct bb_resp *r;

	body = xasprintf("{\"username\": \"%s\", \"email\": \"%s@example.com\","
			 " \"password\": \"%s\", \"role\": \"%s\"}", u, u, PW,
			 role);
	r = bb_json("POST", "/api/admins", admin, body);
	CU_ASSERT_EQUAL(r->status, 201);
	bb_free(r);
	free(body);
	r = bb_login(u, PW);
	*token = xstrdup(bb_str(r, "access_token"));
	bb_free(r);
	return u;
}

/* Reads a whole small file into buf (NUL-terminated). */
static void
slurp(const char *name, char *buf, size_t cap)
{
	FILE *f = fopen(name, "r");
	size_t n = 0;

	buf[0] = '\0';
	if (!f)
		return;
	n = fread(buf, 1, cap - 1, f);
	buf[n] = '\0';
	fclose(f);
}

/* A browser's EventSource on the queue, as curl in the background for
 * seconds: how (a -H or -b argument) authenticates it; the headers go to
 * hdr, the stream to out. */
static void
queue_listen(const char *how, const char *hdr, const char *out, int seconds)
{
	char *cmd = xasprintf("curl -sN --max-time %d --cacert '%s'"
			      " -H 'Accept: text/event-stream' %s -D '%s'"
			      " '%s/api/requests/events' > '%s' 2>/dev/null &",
			      seconds, getenv("HAAS_TEST_CA"), how, hdr,
			      getenv("HAAS_TEST_URL"), out);

	CU_ASSERT_EQUAL(system(cmd), 0);
	free(cmd);
	usleep(800000);		/* subscribed before anything happens */
}

/* The live queue is for operators and admins only: a visitor gets 401 and
 * a member 403 (JSON, as every API refusal); an operator's stream (by
 * token or by the browser's session cookie) carries an event for each
 * change once it committed, with ids and status only. */
static void
test_queue_events(void)
{
	char *member = bb_new_user("evm", NULL), *op, *user, *email, *cmd;
	char hdr[] = "/tmp/bb_parking_qh_XXXXXX", out[] = "/tmp/bb_parking_qe_XXXXXX";
	char jar[] = "/tmp/bb_parking_qj_XXXXXX", chdr[] = "/tmp/bb_parking_ch_XXXXXX";
	char cout[] = "/tmp/bb_parking_co_XXXXXX";
	char buf[16384], plate[16], pl[16], ikp[16], *want, *how;
	struct bb_resp *r;
	long long id, pid, ikid = 0;

	close(mkstemp(hdr));
	close(mkstemp(out));
	close(mkstemp(jar));
	close(mkstemp(chdr));
	close(mkstemp(cout));
	r = bb_get("/api/requests/events", NULL);
	CU_ASSERT_EQUAL(r->status, 401);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), "unauthorized");
	bb_free(r);
	r = bb_get("/api/requests/events", member);
	CU_ASSERT_EQUAL(r->status, 403);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), "forbidden");
	CU_ASSERT(strstr(bb_header(r, "content-type") ? bb_header(r,
		"content-type") : "", "application/json") != NULL);
	bb_free(r);
	r = bb_json("POST", "/api/requests/events", member, "{}");
	CU_ASSERT_EQUAL(r->status, 405);
	bb_free(r);

	user = staff_user("operator", &op);
	/* by token, as a script would */
	how = xasprintf("-H 'Authorization: Bearer %s'", op);
	queue_listen(how, hdr, out, 9);
	free(how);
	/* by the session cookie, as the browser app does */
	cmd = xasprintf("curl -s -o /dev/null --cacert '%s' -c '%s'"
			" -H 'Content-Type: application/json' -d '{\"username\":"
			" \"%s\", \"password\": \"%s\"}' '%s/api/auth/login'",
			getenv("HAAS_TEST_CA"), jar, user, PW,
			getenv("HAAS_TEST_URL"));
	CU_ASSERT_EQUAL(system(cmd), 0);
	free(cmd);
	how = xasprintf("-b '%s'", jar);
	queue_listen(how, chdr, cout, 7);
	free(how);

	email = reg_email();
	reg_plate(plate);
	id = register_ok(email, plate);
	r = decide(op, id, "approved");
	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);
	reg_plate(pl);
	r = plate_add(member, pl);
	CU_ASSERT_EQUAL(r->status, 201);
	pid = id_of(r, "plate", "plate_id");
	bb_free(r);
	r = plate_decide(op, pid, "rejected");
	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);
	/* deciding it again: refused, nothing announced */
	r = plate_decide(op, pid, "approved");
	CU_ASSERT_EQUAL(r->status, 409);
	bb_free(r);
	/* with an Idempotency-Key the commit follows the handler: announced
	 * once it committed, and its replay announces nothing */
	{
		char *body, *key = bb_unique("qk"), *line = xasprintf(
			"Idempotency-Key: %s", key);

		reg_plate(ikp);
		body = xasprintf("{\"plate_number\": \"%s\"}", ikp);
		for (int i = 0; i < 2; i++) {
			r = bb_req("POST", "/api/plates", member,
				   "application/json", body, strlen(body), line);
			CU_ASSERT_EQUAL(r->status, 201);
			ikid = id_of(r, "plate", "plate_id");
			bb_free(r);
		}
		free(body);
		free(line);
		free(key);
	}
	sleep(4);

	slurp(hdr, buf, sizeof(buf));
	CU_ASSERT(strstr(buf, " 200") != NULL);
	CU_ASSERT(strstr(buf, "text/event-stream") != NULL);
	slurp(out, buf, sizeof(buf));
	want = xasprintf("{\"type\":\"registration\",\"request_id\":\"%lld\","
			 "\"status\":\"pending\"}", id);
	CU_ASSERT(strstr(buf, want) != NULL);
	free(want);
	want = xasprintf("{\"type\":\"registration\",\"request_id\":\"%lld\","
			 "\"status\":\"approved\"}", id);
	CU_ASSERT(strstr(buf, want) != NULL);
	free(want);
	want = xasprintf("{\"type\":\"plate\",\"plate_id\":\"%lld\","
			 "\"status\":\"pending\"}", pid);
	CU_ASSERT(strstr(buf, want) != NULL);
	free(want);
	want = xasprintf("{\"type\":\"plate\",\"plate_id\":\"%lld\","
			 "\"status\":\"rejected\"}", pid);
	CU_ASSERT(strstr(buf, want) != NULL);
	free(want);
	want = xasprintf("{\"type\":\"plate\",\"plate_id\":\"%lld\","
			 "\"status\":\"approved\"}", pid);
	CU_ASSERT(strstr(buf, want) == NULL);	/* the refused decision */
	free(want);
	want = xasprintf("{\"type\":\"plate\",\"plate_id\":\"%lld\","
			 "\"status\":\"pending\"}", ikid);
	CU_ASSERT(strstr(buf, want) != NULL);
	CU_ASSERT(strstr(buf, want) && !strstr(strstr(buf, want) + 1, want));
	free(want);
	/* ids and status only: no names, emails, plates or documents */
	CU_ASSERT(strstr(buf, email) == NULL);
	CU_ASSERT(strstr(buf, plate) == NULL);
	CU_ASSERT(strstr(buf, "Ana Driver") == NULL);
	slurp(chdr, buf, sizeof(buf));
	CU_ASSERT(strstr(buf, " 200") != NULL);
	slurp(cout, buf, sizeof(buf));
	want = xasprintf("\"request_id\":\"%lld\",\"status\":\"approved\"", id);
	CU_ASSERT(strstr(buf, want) != NULL);
	free(want);
	unlink(hdr);
	unlink(out);
	unlink(jar);
	unlink(chdr);
	unlink(cout);
	free(email);
	free(user);
	free(op);
	free(member);
}

/* What the queue's pages read: one request, the queue pending first, who
 * decided by name, and a 409 that says how the request now stands. */
static void
test_queue_reads(void)
{
	char *member = bb_new_user("qm", NULL), *op, *op2, *user, *p;
	char *e1 = reg_email(), *e2 = reg_email(), p1[16], p2[16];
	struct bb_resp *r;
	json_object *arr, *v, *req;
	long long id1, id2, last = 0, at1 = -1, at2 = -1;
	size_t i, n;
	int seen_decided = 0, order_ok = 1;

	user = staff_user("operator", &op);
	free(staff_user("operator", &op2));
	reg_plate(p1);
	reg_plate(p2);
	id1 = register_ok(e1, p1);
	id2 = register_ok(e2, p2);
	/* one request: operators only */
	p = path("/api/requests/%lld", id1);
	r = bb_get(p, member);
	CU_ASSERT_EQUAL(r->status, 403);
	bb_free(r);
	r = bb_get(p, NULL);
	CU_ASSERT_EQUAL(r->status, 401);
	bb_free(r);
	r = bb_get(p, op);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_STRING_EQUAL(sub_str(r, "request", "email"), e1);
	CU_ASSERT_STRING_EQUAL(sub_str(r, "request", "status"), "pending");
	CU_ASSERT_STRING_EQUAL(sub_str(r, "request", "plate_number"), p1);
	bb_free(r);
	r = bb_get("/api/requests/999999999", op);
	CU_ASSERT_EQUAL(r->status, 404);
	bb_free(r);
	r = bb_get("/api/requests/x", op);
	CU_ASSERT_EQUAL(r->status, 404);
	bb_free(r);
	/* the first decides; the second is told by whom */
	r = decide(op, id1, "approved");
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_STRING_EQUAL(sub_str(r, "request", "decided_by_username"),
			       user);
	bb_free(r);
	r = decide(op2, id1, "rejected");
	CU_ASSERT_EQUAL(r->status, 409);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), "request_decided");
	CU_ASSERT_STRING_EQUAL(sub_str(r, "request", "status"), "approved");
	CU_ASSERT_STRING_EQUAL(sub_str(r, "request", "decided_by_username"),
			       user);
	CU_ASSERT(strcmp(sub_str(r, "request", "decided_at"), "") != 0);
	bb_free(r);
	r = bb_get(p, op2);
	CU_ASSERT_STRING_EQUAL(sub_str(r, "request", "status"), "approved");
	bb_free(r);
	free(p);
	/* the queue: every pending one before any decided one, the oldest
	 * pending first */
	r = bb_get("/api/requests?limit=500", op);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_FATAL(r->json && json_object_object_get_ex(r->json,
		"requests", &arr));
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		long long rid;

		req = json_object_array_get_idx(arr, i);
		v = json_object_object_get(req, "status");
		rid = strtoll(json_object_get_string(json_object_object_get(req,
			"request_id")), NULL, 10);
		if (rid == id1)
			at1 = (long long)i;
		if (rid == id2)
			at2 = (long long)i;
		if (strcmp(json_object_get_string(v), "pending")) {
			seen_decided = 1;
			continue;
		}
		if (seen_decided || rid < last)
			order_ok = 0;
		last = rid;
	}
	CU_ASSERT(order_ok);
	CU_ASSERT(seen_decided);
	/* the decided one comes after the pending one submitted later */
	CU_ASSERT(at2 >= 0 && at1 > at2);
	bb_free(r);
	/* a decided plate's 409 says who decided it; staff search plates by
	 * their owner (here the username, with its "_", which LIKE would
	 * take as a wildcard); members never see who decided by name */
	{
		char *mail = NULL, *q, qp[16];
		long long pid;

		reg_plate(qp);
		r = plate_add(member, qp);
		pid = id_of(r, "plate", "plate_id");
		bb_free(r);
		r = plate_decide(op, pid, "approved");
		CU_ASSERT_EQUAL(r->status, 200);
		CU_ASSERT_STRING_EQUAL(sub_str(r, "plate", "decided_by_username"),
				       user);
		bb_free(r);
		r = plate_decide(op2, pid, "rejected");
		CU_ASSERT_EQUAL(r->status, 409);
		CU_ASSERT_STRING_EQUAL(sub_str(r, "plate", "status"), "approved");
		CU_ASSERT_STRING_EQUAL(sub_str(r, "plate", "decided_by_username"),
				       user);
		bb_free(r);
		r = bb_get("/api/users/me", member);
		mail = xstrdup(bb_str(r, "username"));
		CU_ASSERT(*mail != '\0');
		bb_free(r);
		q = xasprintf("/api/plates?q=%s", mail);
		r = bb_get(q, op);
		CU_ASSERT_EQUAL(r->status, 200);
		CU_ASSERT_EQUAL(bb_len(r, "plates"), 1);
		CU_ASSERT(strstr(r->body, qp) != NULL);
		bb_free(r);
		r = bb_get(q, member);	/* a member's search is a number's */
		CU_ASSERT_EQUAL(r->status, 400);
		bb_free(r);
		free(q);
		r = bb_get("/api/plates?q=%25", op);	/* a wildcard is literal */
		CU_ASSERT_EQUAL(r->status, 200);
		CU_ASSERT(strstr(r->body, qp) == NULL);
		bb_free(r);
		r = bb_get("/api/plates", member);
		CU_ASSERT(strstr(r->body, qp) != NULL);
		CU_ASSERT(strstr(r->body, "decided_by_username") == NULL);
		CU_ASSERT(strstr(r->body, "\"owner\"") == NULL);
		bb_free(r);
		free(mail);
	}
	free(e1);
	free(e2);
	free(user);
	free(op);
	free(op2);
	free(member);
}

static const char sql_request_pending[] =
	"SELECT COUNT(*) FROM registration_requests WHERE id = ?"
	" AND status = 'pending'";
static const char sql_plate_pending[] =
	"SELECT COUNT(*) FROM plates WHERE id = ? AND status = 'pending'";
static const char sql_decided_notices[] =
	"SELECT COUNT(*) FROM notices WHERE kind = 'registration.decided'"
	" AND JSON_VALUE(fields, '$.plate_number') = ?";
static const char sql_role_set[] =
	"UPDATE users SET role = ? WHERE username = ?";

/* The decisions check their caller in their own round trip: the routes
 * leave a bearer token's account, session and role to the procedure.  A
 * member is refused first (403, even with a body the route would refuse);
 * an operator demoted since the token was issued is refused by the role
 * the database has, not the token's; a token whose session ended is 401.
 * None of them decides anything or tells anyone. */
static void
test_decision_caller(void)
{
	char *member = bb_new_user("dcm", NULL), *email = reg_email(), *op;
	char *user, plate[16], pl[16], *p;
	struct bb_resp *r;
	long long id, pid;

	reg_plate(plate);
	id = register_ok(email, plate);
	reg_plate(pl);
	r = plate_add(member, pl);
	CU_ASSERT_EQUAL(r->status, 201);
	pid = id_of(r, "plate", "plate_id");
	bb_free(r);
	r = decide(member, id, "approved");
	CU_ASSERT_EQUAL(r->status, 403);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), "forbidden");
	bb_free(r);
	r = decide(member, id, "maybe");
	CU_ASSERT_EQUAL(r->status, 403);
	bb_free(r);
	r = plate_decide(member, pid, "approved");
	CU_ASSERT_EQUAL(r->status, 403);
	bb_free(r);
	r = decide(NULL, id, "approved");
	CU_ASSERT_EQUAL(r->status, 401);
	bb_free(r);
	/* demoted after the token was issued */
	user = staff_user("operator", &op);
	CU_ASSERT_EQUAL(db_exec(bb_db(), sql_role_set, DB_P(db_str("user"),
				db_str(user)), NULL), ERR_OK);
	r = decide(op, id, "approved");
	CU_ASSERT_EQUAL(r->status, 403);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), "forbidden");
	bb_free(r);
	r = plate_decide(op, pid, "approved");
	CU_ASSERT_EQUAL(r->status, 403);
	bb_free(r);
	p = path("/api/requests/%lld", 999999999LL);
	r = bb_json("PUT", p, op, "{\"status\": \"approved\"}");
	CU_ASSERT_EQUAL(r->status, 403);
	bb_free(r);
	free(p);
	CU_ASSERT_EQUAL(db_exec(bb_db(), sql_role_set, DB_P(
				db_str("operator"), db_str(user)), NULL), ERR_OK);
	/* the operator's session ends: its token verifies, but is not good */
	r = bb_json("POST", "/api/auth/logout", op, NULL);
	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);
	r = decide(op, id, "approved");
	CU_ASSERT_EQUAL(r->status, 401);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), "token_invalid");
	CU_ASSERT(bb_header(r, "www-authenticate") != NULL);
	bb_free(r);
	r = decide(op, id, "maybe");
	CU_ASSERT_EQUAL(r->status, 401);
	bb_free(r);
	r = plate_decide(op, pid, "rejected");
	CU_ASSERT_EQUAL(r->status, 401);
	bb_free(r);
	/* nothing decided, nobody told, nothing audited */
	CU_ASSERT_EQUAL(bb_db_int(sql_request_pending, DB_P(db_int(id))), 1);
	CU_ASSERT_EQUAL(bb_db_int(sql_plate_pending, DB_P(db_int(pid))), 1);
	CU_ASSERT_EQUAL(bb_db_int(sql_decided_notices, DB_P(db_str(plate))), 0);
	p = xasprintf("%lld", id);
	CU_ASSERT_EQUAL(bb_db_int(sql_audit_count, DB_P(
		db_str("registration.approve"), db_str(p))), 0);
	free(p);
	/* a current operator decides both; each reply (the procedure's) is
	 * the request or plate exactly as a read of it answers */
	free(op);
	op = staff_token("operator");
	r = decide(op, id, "approved");
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_STRING_EQUAL(sub_str(r, "request", "status"), "approved");
	p = path("/api/requests/%lld", id);
	{
		struct bb_resp *g = bb_get(p, op);

		CU_ASSERT_EQUAL(g->status, 200);
		CU_ASSERT_STRING_EQUAL(r->body, g->body);
		bb_free(g);
	}
	free(p);
	bb_free(r);
	r = plate_decide(op, pid, "rejected");
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_STRING_EQUAL(sub_str(r, "plate", "status"), "rejected");
	CU_ASSERT_STRING_EQUAL(sub_str(r, "plate", "reason"), "checked");
	p = xasprintf("/api/plates?q=%s", pl);
	{
		struct bb_resp *g = bb_get(p, op);
		json_object *arr, *put;

		CU_ASSERT_EQUAL(g->status, 200);
		CU_ASSERT_FATAL(g->json && r->json &&
			json_object_object_get_ex(g->json, "plates", &arr) &&
			json_object_array_length(arr) == 1 &&
			json_object_object_get_ex(r->json, "plate", &put));
		CU_ASSERT_STRING_EQUAL(json_object_to_json_string_ext(put,
			JSON_C_TO_STRING_PLAIN), json_object_to_json_string_ext(
			json_object_array_get_idx(arr, 0), JSON_C_TO_STRING_PLAIN));
		bb_free(g);
	}
	free(p);
	bb_free(r);
	CU_ASSERT_EQUAL(bb_db_int(sql_decided_notices, DB_P(db_str(plate))), 1);
	free(user);
	free(op);
	free(email);
	free(member);
}

/* A request past registration_ttl_days is expired by the decision that
 * finds it (its account erased): 409 request_decided, saying so; a
 * request decided with others expiring on the way is decided. */
static void
test_decision_expired(void)
{
	char *e1 = reg_email(), *e2 = reg_email(), p1[16], p2[16];
	char *op = staff_token("operator");
	struct bb_resp *r;
	long long id1, id2;

	reg_plate(p1);
	reg_plate(p2);
	id1 = register_ok(e1, p1);
	id2 = register_ok(e2, p2);
	CU_ASSERT_EQUAL(db_exec(bb_db(), "UPDATE registration_requests SET"
		" submitted_at = submitted_at - INTERVAL 15 DAY WHERE id = ?",
		DB_P(db_int(id1)), NULL), ERR_OK);
	r = decide(op, id1, "approved");
	CU_ASSERT_EQUAL(r->status, 409);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), "request_decided");
	CU_ASSERT_STRING_EQUAL(sub_str(r, "request", "status"), "expired");
	bb_free(r);
	CU_ASSERT_EQUAL(bb_db_int(sql_user_status, DB_P(db_str(e1),
		db_str("pending"))), 0);
	CU_ASSERT_EQUAL(bb_db_int(sql_permit_count, DB_P(db_str(p1))), 0);
	r = decide(op, id2, "approved");
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_STRING_EQUAL(sub_str(r, "request", "status"), "approved");
	CU_ASSERT_STRING_EQUAL(sub_str(r, "request", "plate_number"), p2);
	bb_free(r);
	free(op);
	free(e1);
	free(e2);
}

/* The app shows a document inline: its type is the file's (by content),
 * and this site alone may frame it (a PDF in an <iframe>). */
static void
test_document_inline(void)
{
	char *email = reg_email(), *op = staff_token("operator"), *body, *p;
	char plate[16];
	struct bb_resp *r;
	long long id;
	const char *v;

	reg_plate(plate);
	id = register_ok(email, plate);
	p = path("/api/requests/%lld/document", id);
	r = bb_get(p, op);
	CU_ASSERT_EQUAL(r->status, 200);
	v = bb_header(r, "content-type");
	CU_ASSERT(v && !strncmp(v, "application/pdf", 15));
	v = bb_header(r, "content-security-policy");
	CU_ASSERT(v && strstr(v, "frame-ancestors 'self'") &&
		  strstr(v, "default-src 'none'"));
	v = bb_header(r, "x-frame-options");
	CU_ASSERT(v && !strcmp(v, "SAMEORIGIN"));
	v = bb_header(r, "x-content-type-options");
	CU_ASSERT(v && !strcmp(v, "nosniff"));
	bb_free(r);
	free(p);
	free(email);
	/* a PNG is served as one */
	email = reg_email();
	reg_plate(plate);
	write_file("/tmp/bb_parking_id2.png", "\x89PNG\r\n\x1a\nxxxx", 12);
	CU_ASSERT_EQUAL(bb_register(email, plate,
		"-F 'document=@/tmp/bb_parking_id2.png;type=application/pdf'",
		"", &body), 201);
	free(body);
	id = bb_db_int("SELECT id FROM registration_requests WHERE email = ?",
		       DB_P(db_str(email)));
	p = path("/api/requests/%lld/document", id);
	r = bb_get(p, op);
	CU_ASSERT_EQUAL(r->status, 200);
	v = bb_header(r, "content-type");
	CU_ASSERT(v && !strncmp(v, "image/png", 9));
	bb_free(r);
	free(p);
	unlink("/tmp/bb_parking_id2.png");
	free(email);
	free(op);
}

/* ---- staff console: live staff changes, sensor passwords ----------------- */

/* Starts curl on the event stream in the background, writing to a new
 * temporary file named in out (for 6 s). */
static void
events_listen(char *out)
{
	char *cmd;
	int fd = mkstemp(out);

	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	cmd = xasprintf("curl -sN --max-time 6 --cacert '%s'"
			" -H 'Accept: text/event-stream'"
			" '%s/api/parking-spaces/events' > '%s' 2>/dev/null &",
			getenv("HAAS_TEST_CA"), getenv("HAAS_TEST_URL"), out);
	CU_ASSERT_EQUAL(system(cmd), 0);
	free(cmd);
	usleep(1000000);
}

/* What the stream brought, once curl is done. */
static char *
events_read(const char *out)
{
	char *buf = xmalloc(65536);
	size_t n = 0;
	FILE *f;

	usleep(5500000);
	f = fopen(out, "r");
	if (f) {
		n = fread(buf, 1, 65535, f);
		fclose(f);
	}
	buf[n] = '\0';
	unlink(out);
	return buf;
}

/* The line of the stream's data that names code and contains want. */
static bool
event_has(const char *buf, const char *code, const char *want)
{
	const char *p = buf, *end;

	while ((p = strstr(p, "data: ")) != NULL) {
		end = strchr(p, '\n');
		if (!end)
			end = p + strlen(p);
		if (memmem(p, (size_t)(end - p), code, strlen(code)) &&
		    memmem(p, (size_t)(end - p), want, strlen(want)))
			return true;
		p = end;
	}
	return false;
}

/* A staff change of a space reaches every open board at once: created,
 * out of service, renamed, back, retired, each as an event of the
 * sensors' shape with source "staff". */
static void
test_staff_events(void)
{
	char *c = bb_unique("SE"), *c2 = bb_unique("SF"), *s = bb_unique("se");
	char out[] = "/tmp/bb_parking_staff_XXXXXX", *p, *b, *buf;
	long long id;
	struct bb_resp *r;

	events_listen(out);
	id = space_new(c, "staffzone", s, NULL);
	p = path("/api/parking-spaces/%lld", id);
	r = bb_json("PATCH", p, admin, "{\"status\": \"out_of_service\"}");
	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);
	b = xasprintf("{\"code\": \"%s\"}", c2);
	r = bb_json("PATCH", p, admin, b);
	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);
	r = bb_req("DELETE", p, admin, NULL, NULL, 0, NULL);
	CU_ASSERT_EQUAL(r->status, 204);
	bb_free(r);
	buf = events_read(out);
	CU_ASSERT(event_has(buf, c, "\"status\":\"unknown\""));
	CU_ASSERT(event_has(buf, c, "\"status\":\"out_of_service\""));
	CU_ASSERT(event_has(buf, c, "\"source\":\"staff\""));
	CU_ASSERT(event_has(buf, c, "\"zone\":\"staffzone\""));
	CU_ASSERT(event_has(buf, c2, "\"status\":\"out_of_service\""));
	CU_ASSERT(event_has(buf, c2, "\"retired\":true"));
	CU_ASSERT(!event_has(buf, c, "\"retired\":true"));
	/* a refused change is not announced */
	r = bb_json("PATCH", p, admin, "{\"status\": \"unknown\"}");
	CU_ASSERT_EQUAL(r->status, 404);
	bb_free(r);
	free(buf);
	free(b);
	free(p);
	free(c);
	free(c2);
	free(s);
}

static const char sql_audit_sensor_pw[] =
	"SELECT COUNT(*) FROM audit_log WHERE action ="
	" 'parking_space.sensor_password' AND entity = 'parking_space'"
	" AND entity_id = ? AND details LIKE ?";

/* A new broker password for a space's sensor: shown once, the old one
 * stops working at the broker, the new one works; admins only. */
static void
test_sensor_password(void)
{
	char *c = bb_unique("SP"), *s = bb_unique("sp"), *pw1 = NULL, *pw2;
	char *p, *sid, *like;
	long long id = space_new(c, "pwzone", s, &pw1);
	char *user = bb_new_user("sp_member", NULL);
	struct bb_resp *r;

	p = path("/api/parking-spaces/%lld/sensor-password", id);
	r = bb_req("POST", p, user, NULL, NULL, 0, NULL);
	CU_ASSERT_EQUAL(r->status, 403);
	bb_free(r);
	r = bb_req("POST", p, admin, NULL, NULL, 0, NULL);
	CU_ASSERT_EQUAL(r->status, 200);
	pw2 = xstrdup(bb_str(r, "sensor_password"));
	CU_ASSERT(strlen(pw2) >= 16);
	CU_ASSERT(strcmp(pw1, pw2) != 0);
	CU_ASSERT_STRING_EQUAL(sub_str(r, "parking_space", "sensor_id"), s);
	bb_free(r);
	CU_ASSERT_EQUAL(pub_status(s, pw2, "occupied", 1), 0);
	CU_ASSERT(wait_status(id, "occupied", 3000));
	CU_ASSERT(pub_status(s, pw1, "free", 2) != 0);
	sid = xasprintf("%lld", id);
	like = xasprintf("%%%s%%", s);
	CU_ASSERT_EQUAL(bb_db_int(sql_audit_sensor_pw, DB_P(db_str(sid),
				  db_str(like))), 1);
	free(p);
	p = path("/api/parking-spaces/%lld/sensor-password", id + 1000000);
	r = bb_req("POST", p, admin, NULL, NULL, 0, NULL);
	CU_ASSERT_EQUAL(r->status, 404);
	bb_free(r);
	free(like);
	free(sid);
	free(p);
	free(user);
	free(pw2);
	free(pw1);
	free(c);
	free(s);
}

static CU_TestInfo tests[] = {
	{ "spaces: create, edit, retire", test_space_crud },
	{ "public list with summary per zone", test_space_list },
	{ "history with range and cursor", test_history },
	{ "plates: claims, approval, permits, lookup", test_plates },
	{ "8 claims of one plate approved at once", test_plate_race },
	{ "MQTT ingest: seq, duplicates, malformed, silence", test_ingest },
	{ "haasctl sensor add", test_haasctl_sensor_add },
	{ "last will turns the space unknown", test_last_will },
	{ "EventSource receives the change", test_live_events },
	{ "register: type, name, fields, size rejected", test_register_rejects },
	{ "register: the form's requirements", test_register_requirements },
	{ "register, document, approve once", test_register_approve },
	{ "register and reject", test_register_reject },
	{ "only approval activates an applicant",
	  test_register_applicant_state },
	{ "two operators approve at once", test_register_race },
	{ "the live queue: staff only, ids and status", test_queue_events },
	{ "the queue: one request, pending first, who decided",
	  test_queue_reads },
	{ "a document is shown inline by this site only",
	  test_document_inline },
	{ "decisions check the caller's account and role themselves",
	  test_decision_caller },
	{ "a request past its time is expired by its decision",
	  test_decision_expired },
	{ "staff changes reach the boards live", test_staff_events },
	{ "a new broker password for a space's sensor", test_sensor_password },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = { SUITE("parking", tests), CU_SUITE_INFO_NULL };

int
main(void)
{
	bb_init();
	admin = bb_admin_token();
	return cunit_run(suites);
}

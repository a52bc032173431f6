/* bb_devices: lab PC reservations (the MSMP rows of the contract) through
 * nginx, with the database checked afterwards.  HAAS_GET_RESERVATION_OPEN=1
 * says the stack runs with get_reservation_open = 1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bb.h"
#include "cunit_main.h"
#include "util.h"

#define PW "Tr0ub4dor&3x"

static const char sql_live_count[] =
	"SELECT COUNT(*) FROM reservations r JOIN devices d"
	" ON d.id = r.device_pk WHERE d.device_id = ?"
	" AND r.cancelled_at IS NULL";
static const char sql_live_of_user[] =
	"SELECT COUNT(*) FROM reservations r JOIN devices d"
	" ON d.id = r.device_pk WHERE d.device_id = ? AND r.user_id = ?"
	" AND r.cancelled_at IS NULL";
static const char sql_key_hashed[] =
	"SELECT COUNT(*) FROM devices WHERE device_id = ?"
	" AND key_hash = SHA2(?, 256)";
static const char sql_start_at[] =
	"SELECT COUNT(*) FROM reservations r JOIN devices d"
	" ON d.id = r.device_pk WHERE d.device_id = ?"
	" AND r.cancelled_at IS NULL AND r.start_at = ? AND r.start_time = ?";
static const char sql_audit[] =
	"SELECT COUNT(*) FROM audit_log WHERE action = ? AND entity_id = ?";
static const char sql_audit_secret[] =
	"SELECT COUNT(*) FROM audit_log WHERE details LIKE ?";
static const char sql_res_id[] =
	"SELECT MAX(r.id) FROM reservations r JOIN devices d"
	" ON d.id = r.device_pk WHERE d.device_id = ?"
	" AND r.cancelled_at IS NULL";
static const char sql_last_of_user[] =
	"SELECT MAX(id) FROM reservations WHERE user_id = ?";
static const char sql_to_past[] =
	"UPDATE reservations SET start_at = UTC_TIMESTAMP(6) - INTERVAL 2 HOUR,"
	" end_at = UTC_TIMESTAMP(6) - INTERVAL 1 HOUR WHERE id = ?";

static bool
legacy_open(void)
{
	const char *v = getenv("HAAS_GET_RESERVATION_OPEN");

	return v && !strcmp(v, "1");
}

/* A fresh user's token; waits out nginx's login rate limit. */
static char *
user_token(long long *uid)
{
	char *name = bb_unique("res"), *body, *token = NULL;
	struct bb_resp *r;
	int i;

	body = xasprintf("{\"username\": \"%s\", \"password\": \"%s\"}",
			 name, PW);
	bb_free(bb_json("POST", "/api/auth/signup", NULL, body));
	for (i = 0; i < 100 && !token; i++) {
		r = bb_json("POST", "/api/auth/login", NULL, body);
		if (r->status == 200) {
			token = xstrdup(bb_str(r, "access_token"));
			*uid = strtoll(bb_str(r, "user_id"), NULL, 10);
		} else {
			usleep(200000);
		}
		bb_free(r);
	}
	free(body);
	free(name);
	return token ? token : xstrdup("");
}

static char *admin;

/* Registers a device; returns its key and sets *id (caller frees both). */
static char *
new_device(char **id)
{
	char *body, *key;
	struct bb_resp *r;

	*id = bb_unique("pc");
	body = xasprintf("{\"device_id\": \"%s\", \"name\": \"Lab PC\","
			 " \"location\": \"Room 1\"}", *id);
	r = bb_json("POST", "/api/devices", admin, body);
	CU_ASSERT_EQUAL(r->status, 201);
	key = xstrdup(bb_str(r, "device_key"));
	bb_free(r);
	free(body);
	return key;
}

static struct bb_resp *
set_res(const char *token, const char *dev, const char *start,
	const char *end, const char *cred)
{
	char *body = xasprintf("{\"device_id\": \"%s\", \"start_time\": \"%s\","
			       " \"end_time\": \"%s\", \"credential\": \"%s\"}",
			       dev, start, end, cred);
	struct bb_resp *r = bb_json("POST", "/set-reservation", token, body);

	free(body);
	return r;
}

/* set_res expecting 200 {"status": "saved"}. */
static void
saved(const char *token, const char *dev, const char *start, const char *end,
      const char *cred)
{
	struct bb_resp *r = set_res(token, dev, start, end, cred);

	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "status"), "saved");
	if (r->status != 200)
		fprintf(stderr, "set-reservation: %s\n", r->body);
	bb_free(r);
}

/* GET /get-reservation with a token or a device key (either may be NULL). */
static struct bb_resp *
get_res(const char *dev, const char *token, const char *key)
{
	char *path = xasprintf("/get-reservation?device_id=%s", dev);
	char *hdr = key ? xasprintf("X-Device-Key: %s", key) : NULL;
	struct bb_resp *r = bb_req("GET", path, token, NULL, NULL, 0, hdr);

	free(path);
	free(hdr);
	return r;
}

static struct bb_resp *
verify(const char *dev, const char *key, const char *cred)
{
	char *path = xasprintf("/api/devices/%s/verify", dev);
	char *hdr = key ? xasprintf("X-Device-Key: %s", key) : NULL;
	char *body = xasprintf("{\"credential\": \"%s\"}", cred);
	struct bb_resp *r = bb_req("POST", path, NULL, "application/json",
				   body, strlen(body), hdr);

	free(path);
	free(hdr);
	free(body);
	return r;
}

static bool
valid(const char *dev, const char *key, const char *cred)
{
	struct bb_resp *r = verify(dev, key, cred);
	json_object *v = NULL;
	bool ok;

	CU_ASSERT_EQUAL(r->status, 200);
	ok = r->json && json_object_object_get_ex(r->json, "valid", &v) &&
	     json_object_get_boolean(v);
	bb_free(r);
	return ok;
}

/* now + secs as "YYYY-MM-DDTHH:MM:SSZ". */
static char *
utc_in(long secs)
{
	time_t t = time(NULL) + secs;
	struct tm tm;
	char buf[32];

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return xstrdup(buf);
}

static long long
res_id(const char *dev)
{
	return bb_db_int(sql_res_id, DB_P(db_str(dev)));
}

static void
to_past(long long id)
{
	CU_ASSERT_EQUAL(db_exec(bb_db(), sql_to_past, DB_P(db_int(id)), NULL),
			ERR_OK);
}

/* ---- tests ------------------------------------------------------------- */

static void
test_register_devices(void)
{
	long long uid;
	char *user = user_token(&uid), *id, *key = new_device(&id), *body;
	struct bb_resp *r;

	CU_ASSERT(strlen(key) >= 40);
	/* stored as its SHA-256 digest, never in clear */
	CU_ASSERT_EQUAL(bb_db_int(sql_key_hashed, DB_P(db_str(id),
				  db_str(key))), 1);
	CU_ASSERT_EQUAL(bb_db_int(sql_audit, DB_P(db_str("device.create"),
				  db_str(id))), 1);
	body = xasprintf("{\"device_id\": \"%s\", \"name\": \"again\"}", id);
	r = bb_json("POST", "/api/devices", admin, body);
	CU_ASSERT_EQUAL(r->status, 409);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "error"), "Device already exists");
	bb_free(r);
	r = bb_json("POST", "/api/devices", user, body);
	CU_ASSERT_EQUAL(r->status, 403);
	bb_free(r);
	r = bb_json("POST", "/api/devices", admin, "{\"name\": \"x\"}");
	CU_ASSERT_EQUAL(r->status, 400);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "error"), "device_id required");
	bb_free(r);
	r = bb_json("POST", "/api/devices", admin,
		    "{\"device_id\": \"a b/c\"}");
	CU_ASSERT_EQUAL(r->status, 400);
	bb_free(r);
	free(body);
	free(key);
	free(id);
	free(user);
}

static void
test_set_reservation_contract(void)
{
	long long uid;
	char *user = user_token(&uid), *id, *key = new_device(&id);
	struct bb_resp *r;

	saved(user, id, "2031-03-01T10:00:00Z", "2031-03-01T12:00:00Z", "c1");
	r = bb_json("POST", "/set-reservation", user,
		    "{\"start_time\": \"2031-03-01T10:00\", \"end_time\":"
		    " \"2031-03-01T11:00\", \"credential\": \"x\"}");
	CU_ASSERT_EQUAL(r->status, 400);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "error"), "device_id required");
	bb_free(r);
	r = set_res(user, id, "2031-03-01T12:00", "2031-03-01T10:00", "c");
	CU_ASSERT_EQUAL(r->status, 400);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "error"),
			       "end_time must be after start_time");
	CU_ASSERT_STRING_EQUAL(bb_str(r, "field"), "end_time");
	bb_free(r);
	r = set_res(user, id, "2031-03-01T10:00", "2031-03-01T10:00", "c");
	CU_ASSERT_EQUAL(r->status, 400);
	bb_free(r);
	r = set_res(user, id, "2031-03-01T10:00", "2031-03-01T18:01", "c");
	CU_ASSERT_EQUAL(r->status, 400);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), "reservation_too_long");
	CU_ASSERT_STRING_EQUAL(bb_str(r, "field"), "end_time");
	bb_free(r);
	r = set_res(user, id, "2031-03-01T10:00", "2031-03-01T18:00", "c8");
	CU_ASSERT_EQUAL(r->status, 200);	/* exactly the maximum */
	bb_free(r);
	r = set_res(user, id, "yesterday", "2031-03-01T10:00", "c");
	CU_ASSERT_EQUAL(r->status, 400);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "field"), "start_time");
	bb_free(r);
	r = set_res(user, id, "2020-03-01T10:00Z", "2020-03-01T11:00Z", "c");
	CU_ASSERT_EQUAL(r->status, 400);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), "reservation_ended");
	CU_ASSERT_STRING_EQUAL(bb_str(r, "field"), "end_time");
	bb_free(r);
	r = set_res(user, "no-such-pc", "2031-03-01T10:00", "2031-03-01T11:00",
		    "c");
	CU_ASSERT_EQUAL(r->status, 404);
	bb_free(r);
	r = set_res(NULL, id, "2031-03-01T10:00", "2031-03-01T11:00", "c");
	CU_ASSERT_EQUAL(r->status, 401);
	bb_free(r);
	/* the bad requests changed nothing: one live reservation, the last */
	CU_ASSERT_EQUAL(bb_db_int(sql_live_count, DB_P(db_str(id))), 1);
	r = get_res(id, user, NULL);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "credential"), "c8");
	bb_free(r);
	CU_ASSERT_EQUAL(bb_db_int(sql_audit_secret, DB_P(db_str("%c8%"))), 0);
	free(key);
	free(id);
	free(user);
}

/* Each time format comes back byte for byte, and is read as the right
 * instant (times without a zone in the configured zone, UTC here). */
static void
test_echo_formats(void)
{
	static const char *const fmt[][3] = {
		{ "2031-06-26T10:00", "2031-06-26T12:00",
		  "2031-06-26 10:00:00" },
		{ "2031-06-26T10:00:00Z", "2031-06-26T12:00:00Z",
		  "2031-06-26 10:00:00" },
		{ "2031-06-26T12:00:00+02:00", "2031-06-26T14:30:00+02:00",
		  "2031-06-26 10:00:00" },
		{ "2031-06-26T05:00:00.250-05:00", "2031-06-26T07:00-05:00",
		  "2031-06-26 10:00:00.25" },
	};
	long long uid;
	char *user = user_token(&uid), *id, *key = new_device(&id);
	struct bb_resp *r;
	size_t i;

	for (i = 0; i < sizeof(fmt) / sizeof(fmt[0]); i++) {
		saved(user, id, fmt[i][0], fmt[i][1], "echo-cred");
		r = get_res(id, user, NULL);
		CU_ASSERT_EQUAL(r->status, 200);
		CU_ASSERT_STRING_EQUAL(bb_str(r, "start_time"), fmt[i][0]);
		CU_ASSERT_STRING_EQUAL(bb_str(r, "end_time"), fmt[i][1]);
		CU_ASSERT_STRING_EQUAL(bb_str(r, "credential"), "echo-cred");
		bb_free(r);
		r = get_res(id, NULL, key);
		CU_ASSERT_STRING_EQUAL(bb_str(r, "start_time"), fmt[i][0]);
		bb_free(r);
		CU_ASSERT_EQUAL(bb_db_int(sql_start_at, DB_P(db_str(id),
			db_str(fmt[i][2]), db_str(fmt[i][0]))), 1);
	}
	/* each set replaced the one before */
	CU_ASSERT_EQUAL(bb_db_int(sql_live_count, DB_P(db_str(id))), 1);
	free(key);
	free(id);
	free(user);
}

static void
test_no_double_booking(void)
{
	long long a_id, b_id;
	char *a = user_token(&a_id), *b = user_token(&b_id), *id;
	char *key = new_device(&id);
	struct bb_resp *r;
	json_object *c;

	saved(a, id, "2031-07-01T10:00:00Z", "2031-07-01T12:00:00Z", "alice");
	r = set_res(b, id, "2031-07-01T11:00:00Z", "2031-07-01T13:00:00Z",
		    "bob");
	CU_ASSERT_EQUAL(r->status, 409);
	CU_ASSERT_EQUAL(bb_len(r, "conflicts"), 1);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "next_free_start"),
			       "2031-07-01T12:00:00Z");
	if (r->json && json_object_object_get_ex(r->json, "conflicts", &c)) {
		json_object *w = json_object_array_get_idx(c, 0), *v;

		CU_ASSERT(json_object_object_get_ex(w, "start", &v) &&
			  !strcmp(json_object_get_string(v),
				  "2031-07-01T10:00:00Z"));
		CU_ASSERT_FALSE(json_object_object_get_ex(w, "credential", &v));
	}
	bb_free(r);
	/* the first reservation stands */
	CU_ASSERT_EQUAL(bb_db_int(sql_live_of_user, DB_P(db_str(id),
				  db_int(a_id))), 1);
	CU_ASSERT_EQUAL(bb_db_int(sql_live_of_user, DB_P(db_str(id),
				  db_int(b_id))), 0);
	r = get_res(id, NULL, key);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "credential"), "alice");
	bb_free(r);
	/* back to back, on either side: half-open windows */
	saved(b, id, "2031-07-01T12:00:00Z", "2031-07-01T13:00:00Z", "bob");
	/* b's own 12:00 window would be replaced, so it is free */
	r = set_res(b, id, "2031-07-01T08:00:00Z", "2031-07-01T10:00:01Z",
		    "bob");
	CU_ASSERT_EQUAL(r->status, 409);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "next_free_start"),
			       "2031-07-01T12:00:00Z");
	bb_free(r);
	CU_ASSERT_EQUAL(bb_db_int(sql_live_count, DB_P(db_str(id))), 2);
	/* the 409 above left b's 12:00 window in place */
	CU_ASSERT_EQUAL(bb_db_int(sql_live_of_user, DB_P(db_str(id),
				  db_int(b_id))), 1);
	free(key);
	free(id);
	free(a);
	free(b);
}

struct race {
	const char *dev;
	char *tokens[50];
	struct bb_tally t;
};

static void
race_reserve(int i, void *arg)
{
	struct race *race = arg;
	char start[32], end[32];
	struct bb_resp *r;

	/* every window overlaps every other */
	snprintf(start, sizeof(start), "2031-08-01T10:%02d:00Z", i);
	snprintf(end, sizeof(end), "2031-08-01T11:%02d:00Z", i);
	r = set_res(race->tokens[i], race->dev, start, end, "race");
	bb_tally(&race->t, r, 200);
}

static void
test_concurrent_reservations(void)
{
	struct race race = { 0 };
	long long uid;
	char *id, *key = new_device(&id);
	int i;

	for (i = 0; i < 50; i++)
		race.tokens[i] = user_token(&uid);
	race.dev = id;
	bb_parallel(50, race_reserve, &race);
	CU_ASSERT_EQUAL(race.t.ok, 1);
	CU_ASSERT_EQUAL(race.t.conflict, 49);
	CU_ASSERT_EQUAL(race.t.other, 0);
	CU_ASSERT_EQUAL(bb_db_int(sql_live_count, DB_P(db_str(id))), 1);
	for (i = 0; i < 50; i++)
		free(race.tokens[i]);
	free(key);
	free(id);
}

static const char sql_window_add[] =
	"INSERT INTO reservations (device_pk, user_id, start_time, end_time,"
	" start_at, end_at, credential) SELECT id, ?, ?, ?, ?, ?, 'many'"
	" FROM devices WHERE device_id = ?";

/* A refusal lists every conflicting window, however many (more than a
 * database error's message holds: the procedure answers it); a token
 * whose session ended is 401 with nothing reserved, also with a window
 * the route would refuse (the account is checked before the answer). */
static void
test_many_conflicts_revoked(void)
{
	long long a_id, b_id;
	char *a = user_token(&a_id), *b = user_token(&b_id), *id;
	char *key = new_device(&id), sent[3][32], at[2][32];
	struct bb_resp *r;
	json_object *c, *w, *v;
	int i;

	/* b's twelve windows of ten minutes, a quarter of an hour apart */
	for (i = 0; i < 12; i++) {
		snprintf(sent[0], sizeof(sent[0]), "2031-10-01T%02d:%02d:00Z",
			 10 + i / 4, i % 4 * 15);
		snprintf(sent[1], sizeof(sent[1]), "2031-10-01T%02d:%02d:00Z",
			 10 + i / 4, i % 4 * 15 + 10);
		snprintf(at[0], sizeof(at[0]), "2031-10-01 %02d:%02d:00",
			 10 + i / 4, i % 4 * 15);
		snprintf(at[1], sizeof(at[1]), "2031-10-01 %02d:%02d:00",
			 10 + i / 4, i % 4 * 15 + 10);
		CU_ASSERT_EQUAL(db_exec(bb_db(), sql_window_add, DB_P(
			db_int(b_id), db_str(sent[0]), db_str(sent[1]),
			db_str(at[0]), db_str(at[1]), db_str(id)), NULL),
			ERR_OK);
	}
	r = set_res(a, id, "2031-10-01T10:00:00Z", "2031-10-01T13:00:00Z",
		    "alice");
	CU_ASSERT_EQUAL(r->status, 409);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), "reservation_overlap");
	CU_ASSERT_EQUAL(bb_len(r, "conflicts"), 12);
	CU_ASSERT(r->body_len > 512);
	/* after the last window: 12:55 */
	CU_ASSERT_STRING_EQUAL(bb_str(r, "next_free_start"),
			       "2031-10-01T12:55:00Z");
	if (r->json && json_object_object_get_ex(r->json, "conflicts", &c) &&
	    json_object_array_length(c) == 12) {
		w = json_object_array_get_idx(c, 11);
		CU_ASSERT(json_object_object_get_ex(w, "start_time", &v) &&
			  !strcmp(json_object_get_string(v),
				  "2031-10-01T12:45:00Z"));
		CU_ASSERT(json_object_object_get_ex(w, "end", &v) &&
			  !strcmp(json_object_get_string(v),
				  "2031-10-01T12:55:00Z"));
		CU_ASSERT_FALSE(json_object_object_get_ex(w, "credential", &v));
	}
	bb_free(r);
	CU_ASSERT_EQUAL(bb_db_int(sql_live_of_user, DB_P(db_str(id),
				  db_int(a_id))), 0);
	/* a's session ends; its token still verifies, but is no longer good */
	r = bb_json("POST", "/api/auth/logout", a, NULL);
	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);
	r = set_res(a, id, "2031-10-02T10:00:00Z", "2031-10-02T11:00:00Z", "a");
	CU_ASSERT_EQUAL(r->status, 401);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), "token_invalid");
	CU_ASSERT(bb_header(r, "www-authenticate") != NULL);
	bb_free(r);
	r = set_res(a, id, "2031-10-02T11:00:00Z", "2031-10-02T10:00:00Z", "a");
	CU_ASSERT_EQUAL(r->status, 401);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), "token_invalid");
	bb_free(r);
	r = set_res(a, "no-such-pc", "2031-10-02T10:00:00Z",
		    "2031-10-02T11:00:00Z", "a");
	CU_ASSERT_EQUAL(r->status, 401);
	bb_free(r);
	CU_ASSERT_EQUAL(bb_db_int(sql_last_of_user, DB_P(db_int(a_id))), 0);
	free(key);
	free(id);
	free(a);
	free(b);
}

static void
test_get_reservation_access(void)
{
	long long uid, other_id;
	char *user = user_token(&uid), *other = user_token(&other_id), *id;
	char *key = new_device(&id), *id2, *key2 = new_device(&id2);
	bool open = legacy_open();
	struct bb_resp *r;

	saved(user, id, "2031-09-01T10:00", "2031-09-01T11:00", "secret-1");
	r = get_res(id, NULL, NULL);
	CU_ASSERT_EQUAL(r->status, open ? 200 : 401);
	if (open)
		CU_ASSERT_STRING_EQUAL(bb_str(r, "credential"), "secret-1");
	bb_free(r);
	r = get_res(id, NULL, key2);	/* another device's key */
	CU_ASSERT_EQUAL(r->status, open ? 200 : 401);
	bb_free(r);
	r = get_res(id, NULL, "not-a-key");
	CU_ASSERT_EQUAL(r->status, open ? 200 : 401);
	bb_free(r);
	r = get_res(id, "not.a.token", NULL);
	CU_ASSERT_EQUAL(r->status, open ? 200 : 401);
	bb_free(r);
	r = get_res(id, NULL, key);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "credential"), "secret-1");
	bb_free(r);
	r = get_res(id, admin, NULL);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "credential"), "secret-1");
	bb_free(r);
	r = get_res(id, other, NULL);	/* not the owner */
	CU_ASSERT_EQUAL(r->status, open ? 200 : 404);
	if (!open)
		CU_ASSERT_STRING_EQUAL(bb_str(r, "error"), "not found");
	bb_free(r);
	r = get_res(id2, NULL, key2);	/* no reservation */
	CU_ASSERT_EQUAL(r->status, 404);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "error"), "not found");
	bb_free(r);
	r = get_res("no-such-pc", admin, NULL);
	CU_ASSERT_EQUAL(r->status, 404);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "error"), "not found");
	bb_free(r);
	r = bb_get("/get-reservation", admin);
	CU_ASSERT_EQUAL(r->status, 400);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "error"), "device_id required");
	bb_free(r);
	free(key);
	free(key2);
	free(id);
	free(id2);
	free(user);
	free(other);
}

/* Active now beats the next one; ended ones are never answered. */
static void
test_active_else_next(void)
{
	long long a_id, b_id;
	char *a = user_token(&a_id), *b = user_token(&b_id), *id;
	char *key = new_device(&id), *s = utc_in(-60), *e = utc_in(3600);
	struct bb_resp *r;

	saved(a, id, "2031-10-01T10:00Z", "2031-10-01T11:00Z", "later");
	saved(b, id, s, e, "now");
	r = get_res(id, NULL, key);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "credential"), "now");
	CU_ASSERT_STRING_EQUAL(bb_str(r, "start_time"), s);
	bb_free(r);
	to_past(bb_db_int(sql_last_of_user, DB_P(db_int(b_id))));
	r = get_res(id, NULL, key);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "credential"), "later");
	bb_free(r);
	free(s);
	free(e);
	free(key);
	free(id);
	free(a);
	free(b);
}

static void
test_verify(void)
{
	long long uid;
	char *user = user_token(&uid), *id, *key = new_device(&id), *id2;
	char *key2 = new_device(&id2), *s, *e, *path;
	struct bb_resp *r;
	long long rid;

	/* before the window */
	saved(user, id, "2031-11-01T10:00Z", "2031-11-01T11:00Z", "open-1");
	CU_ASSERT_FALSE(valid(id, key, "open-1"));
	/* inside */
	s = utc_in(-60);
	e = utc_in(3600);
	saved(user, id, s, e, "open-1");
	r = verify(id, key, "open-1");
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT(json_object_get_boolean(json_object_object_get(r->json,
								  "valid")));
	CU_ASSERT_STRING_EQUAL(bb_str(r, "until"), e);
	bb_free(r);
	CU_ASSERT_FALSE(valid(id, key, "OPEN-1"));	/* byte for byte */
	CU_ASSERT_FALSE(valid(id, key, "open-"));
	/* the key must be this device's */
	r = verify(id, key2, "open-1");
	CU_ASSERT_EQUAL(r->status, 401);
	bb_free(r);
	r = verify(id, NULL, "open-1");
	CU_ASSERT_EQUAL(r->status, 401);
	bb_free(r);
	/* after the window */
	rid = res_id(id);
	to_past(rid);
	CU_ASSERT_FALSE(valid(id, key, "open-1"));
	/* a kick stops it at once */
	saved(user, id, s, e, "open-2");
	CU_ASSERT_TRUE(valid(id, key, "open-2"));
	rid = res_id(id);
	path = xasprintf("/api/devices/reservations/%lld", rid);
	r = bb_req("DELETE", path, admin, NULL, NULL, 0, NULL);
	CU_ASSERT_EQUAL(r->status, 204);
	bb_free(r);
	free(path);
	CU_ASSERT_FALSE(valid(id, key, "open-2"));
	r = get_res(id, NULL, key);
	CU_ASSERT_EQUAL(r->status, 404);
	bb_free(r);
	free(s);
	free(e);
	free(key);
	free(key2);
	free(id);
	free(id2);
	free(user);
}

static void
test_cancel_and_kick(void)
{
	long long uid, other_id;
	char *user = user_token(&uid), *other = user_token(&other_id), *id;
	char *key = new_device(&id), *path, *sid;
	struct bb_resp *r;
	long long rid;

	saved(user, id, "2031-12-01T10:00Z", "2031-12-01T11:00Z", "k");
	rid = res_id(id);
	path = xasprintf("/api/devices/reservations/%lld", rid);
	sid = xasprintf("%lld", rid);
	CU_ASSERT_EQUAL(bb_db_int(sql_audit, DB_P(db_str("reservation.create"),
				  db_str(sid))), 1);
	r = bb_req("DELETE", path, other, NULL, NULL, 0, NULL);
	CU_ASSERT_EQUAL(r->status, 404);	/* another user's */
	bb_free(r);
	r = bb_req("DELETE", path, user, NULL, NULL, 0, NULL);
	CU_ASSERT_EQUAL(r->status, 204);
	bb_free(r);
	r = bb_req("DELETE", path, user, NULL, NULL, 0, NULL);
	CU_ASSERT_EQUAL(r->status, 409);
	bb_free(r);
	CU_ASSERT_EQUAL(bb_db_int(sql_audit, DB_P(db_str("reservation.cancel"),
				  db_str(sid))), 1);
	CU_ASSERT_EQUAL(bb_db_int(sql_live_count, DB_P(db_str(id))), 0);
	free(path);
	free(sid);
	/* replace, then an admin kicks */
	saved(user, id, "2031-12-02T10:00Z", "2031-12-02T11:00Z", "k");
	saved(user, id, "2031-12-02T12:00Z", "2031-12-02T13:00Z", "k");
	rid = res_id(id);
	sid = xasprintf("%lld", rid);
	CU_ASSERT_EQUAL(bb_db_int(sql_audit, DB_P(db_str("reservation.replace"),
				  db_str(sid))), 1);
	path = xasprintf("/api/devices/reservations/%lld", rid);
	r = bb_req("DELETE", path, admin, NULL, NULL, 0, NULL);
	CU_ASSERT_EQUAL(r->status, 204);
	bb_free(r);
	CU_ASSERT_EQUAL(bb_db_int(sql_audit, DB_P(db_str("reservation.kick"),
				  db_str(sid))), 1);
	r = bb_req("DELETE", "/api/devices/reservations/999999999", admin,
		   NULL, NULL, 0, NULL);
	CU_ASSERT_EQUAL(r->status, 404);
	bb_free(r);
	free(path);
	free(sid);
	free(key);
	free(id);
	free(user);
	free(other);
}

/* The device in GET /api/devices named id, or NULL (borrowed from r). */
static json_object *
find_device(struct bb_resp *r, const char *id)
{
	json_object *arr, *d, *v;
	size_t i;

	if (!r->json || !json_object_object_get_ex(r->json, "devices", &arr))
		return NULL;
	for (i = 0; i < json_object_array_length(arr); i++) {
		d = json_object_array_get_idx(arr, i);
		if (json_object_object_get_ex(d, "device_id", &v) &&
		    !strcmp(json_object_get_string(v), id))
			return d;
	}
	return NULL;
}

static const char *
member(json_object *o, const char *key)
{
	json_object *v;

	return o && json_object_object_get_ex(o, key, &v) && v
	       ? json_object_get_string(v) : "";
}

static void
test_lists(void)
{
	long long uid, other_id;
	char *user = user_token(&uid), *other = user_token(&other_id), *id;
	char *key = new_device(&id), *s = utc_in(-60), *e = utc_in(3600);
	char *e2 = utc_in(7200), *path, *suid = xasprintf("%lld", uid);
	struct bb_resp *r;
	json_object *d, *h;

	saved(user, id, s, e, "secret-u");
	saved(other, id, e, e2, "secret-o");	/* back to back */
	r = bb_get("/api/devices?limit=500", user);
	CU_ASSERT_EQUAL(r->status, 200);
	d = find_device(r, id);
	CU_ASSERT_PTR_NOT_NULL(d);
	h = d ? json_object_object_get(d, "current_holder") : NULL;
	CU_ASSERT_STRING_EQUAL(member(h, "user_id"), suid);
	CU_ASSERT_STRING_EQUAL(member(d, "busy_until"), e);
	CU_ASSERT_STRING_EQUAL(member(d, "next_free"), e2);
	bb_free(r);

	/* one device: the list's row, and the longest window (8 hours) */
	path = xasprintf("/api/devices/%s", id);
	r = bb_get(path, other);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_STRING_EQUAL(bb_sub(r, "device", "device_id"), id);
	CU_ASSERT_STRING_EQUAL(bb_sub(r, "device", "location"), "Room 1");
	CU_ASSERT_STRING_EQUAL(bb_sub(r, "device", "busy_until"), e);
	CU_ASSERT_STRING_EQUAL(bb_sub(r, "device", "next_free"), e2);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "reservation_max_hours"), "8");
	CU_ASSERT_PTR_NULL(strstr(r->body, "secret-"));
	bb_free(r);
	r = bb_get(path, NULL);
	CU_ASSERT_EQUAL(r->status, 401);
	bb_free(r);
	free(path);
	r = bb_get("/api/devices/no-such-pc", other);
	CU_ASSERT_EQUAL(r->status, 404);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), "device_not_found");
	bb_free(r);

	path = xasprintf("/api/devices/%s/reservations", id);
	r = bb_get(path, other);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_EQUAL(bb_len(r, "reservations"), 2);
	CU_ASSERT_PTR_NULL(strstr(r->body, "secret-u"));	/* not theirs */
	CU_ASSERT_PTR_NOT_NULL(strstr(r->body, "secret-o"));
	bb_free(r);
	free(path);
	path = xasprintf("/api/devices/%s/reservations?from=%s", id, e);
	r = bb_get(path, other);
	CU_ASSERT_EQUAL(bb_len(r, "reservations"), 1);
	bb_free(r);
	free(path);
	r = bb_get("/api/devices/reservations", user);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_EQUAL(bb_len(r, "reservations"), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r->body, "\"active\""));
	bb_free(r);
	free(s);
	free(e);
	free(e2);
	free(suid);
	free(key);
	free(id);
	free(user);
	free(other);
}

/* reservations[i] of a reservation list (borrowed), or NULL. */
static json_object *
res_at(const struct bb_resp *r, size_t i)
{
	json_object *arr = r->json ? json_object_object_get(r->json,
		"reservations") : NULL;

	return arr && i < json_object_array_length(arr)
	       ? json_object_array_get_idx(arr, i) : NULL;
}

/* ?all=1: an admin sees every reservation of a device, the replaced and
 * kicked ones too, each with its holder; a member is refused. */
static void
test_every_reservation(void)
{
	long long uid, other_id;
	char *user = user_token(&uid), *other = user_token(&other_id), *id;
	char *key = new_device(&id), *path, *kick, *suid;
	struct bb_resp *r;
	json_object *o;

	saved(user, id, "2032-01-05T10:00Z", "2032-01-05T11:00Z", "c-1");
	saved(user, id, "2032-01-05T12:00Z", "2032-01-05T13:00Z", "c-2");
	saved(other, id, "2032-01-05T14:00Z", "2032-01-05T15:00Z", "c-3");
	kick = xasprintf("/api/devices/reservations/%lld", res_id(id));
	r = bb_req("DELETE", kick, admin, NULL, NULL, 0, NULL);
	CU_ASSERT_EQUAL(r->status, 204);
	bb_free(r);

	path = xasprintf("/api/devices/%s/reservations?all=1"
			 "&from=2032-01-05T00:00Z&to=2032-01-06T00:00Z", id);
	r = bb_get(path, admin);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_EQUAL_FATAL(bb_len(r, "reservations"), 3);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "total"), "3");
	suid = xasprintf("%lld", uid);
	o = res_at(r, 0);	/* by start: replaced, upcoming, kicked */
	CU_ASSERT_STRING_EQUAL(member(o, "status"), "replaced");
	CU_ASSERT_STRING_EQUAL(member(o, "user_id"), suid);
	CU_ASSERT_EQUAL(bb_db_int("SELECT COUNT(*) FROM users WHERE id = ?"
		" AND username = ?", DB_P(db_int(uid),
		db_str(member(o, "username")))), 1);
	CU_ASSERT_STRING_EQUAL(member(o, "credential"), "c-1");
	CU_ASSERT_STRING_NOT_EQUAL(member(o, "cancelled_at"), "");
	o = res_at(r, 1);
	CU_ASSERT_STRING_EQUAL(member(o, "status"), "upcoming");
	CU_ASSERT_STRING_EQUAL(member(o, "cancelled_at"), "");
	o = res_at(r, 2);
	CU_ASSERT_STRING_EQUAL(member(o, "status"), "kicked");
	CU_ASSERT_EQUAL(bb_db_int("SELECT COUNT(*) FROM users WHERE id = ?"
		" AND username = ?", DB_P(db_int(other_id),
		db_str(member(o, "username")))), 1);
	bb_free(r);
	free(path);

	/* without all=1: the live one only; a member sees no one's name */
	path = xasprintf("/api/devices/%s/reservations"
			 "?from=2032-01-05T00:00Z&to=2032-01-06T00:00Z", id);
	r = bb_get(path, other);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_EQUAL(bb_len(r, "reservations"), 1);
	CU_ASSERT_PTR_NULL(strstr(r->body, "\"username\""));
	CU_ASSERT_PTR_NULL(strstr(r->body, "c-2"));
	bb_free(r);
	free(path);
	path = xasprintf("/api/devices/%s/reservations?all=1", id);
	r = bb_get(path, user);
	CU_ASSERT_EQUAL(r->status, 403);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), "forbidden");
	bb_free(r);
	free(path);
	path = xasprintf("/api/devices/%s/reservations?all=2", id);
	r = bb_get(path, admin);
	CU_ASSERT_EQUAL(r->status, 400);
	bb_free(r);
	free(path);
	free(kick);
	free(suid);
	free(key);
	free(id);
	free(user);
	free(other);
}

static void
test_rotate_and_retire(void)
{
	long long uid;
	char *user = user_token(&uid), *id, *key = new_device(&id), *path;
	char *s = utc_in(-60), *e = utc_in(3600), *key2;
	struct bb_resp *r;

	saved(user, id, s, e, "rot");
	path = xasprintf("/api/devices/%s/key", id);
	r = bb_req("POST", path, admin, NULL, NULL, 0, NULL);
	CU_ASSERT_EQUAL(r->status, 200);
	key2 = xstrdup(bb_str(r, "device_key"));
	bb_free(r);
	free(path);
	r = verify(id, key, "rot");
	CU_ASSERT_EQUAL(r->status, 401);	/* the old key is dead */
	bb_free(r);
	CU_ASSERT_TRUE(valid(id, key2, "rot"));
	path = xasprintf("/api/devices/%s", id);
	r = bb_req("DELETE", path, user, NULL, NULL, 0, NULL);
	CU_ASSERT_EQUAL(r->status, 403);
	bb_free(r);
	r = bb_req("DELETE", path, admin, NULL, NULL, 0, NULL);
	CU_ASSERT_EQUAL(r->status, 204);
	bb_free(r);
	CU_ASSERT_EQUAL(bb_db_int(sql_live_count, DB_P(db_str(id))), 0);
	CU_ASSERT_EQUAL(bb_db_int(sql_audit, DB_P(db_str("device.retire"),
				  db_str(id))), 1);
	r = verify(id, key2, "rot");
	CU_ASSERT_EQUAL(r->status, 401);
	bb_free(r);
	r = set_res(user, id, "2031-05-01T10:00Z", "2031-05-01T11:00Z", "x");
	CU_ASSERT_EQUAL(r->status, 404);
	bb_free(r);
	free(path);
	free(s);
	free(e);
	free(key);
	free(key2);
	free(id);
	free(user);
}

static CU_TestInfo tests[] = {
	{ "register devices", test_register_devices },
	{ "set-reservation contract", test_set_reservation_contract },
	{ "times echoed byte for byte", test_echo_formats },
	{ "no double booking, back to back", test_no_double_booking },
	{ "50 concurrent overlapping reservations",
	  test_concurrent_reservations },
	{ "many conflicts listed; an ended session reserves nothing",
	  test_many_conflicts_revoked },
	{ "get-reservation access", test_get_reservation_access },
	{ "active else next", test_active_else_next },
	{ "verify before, inside, after, kicked", test_verify },
	{ "cancel and kick", test_cancel_and_kick },
	{ "device lists, one device, reservation lists", test_lists },
	{ "every reservation of a device (admins)", test_every_reservation },
	{ "rotate key and retire", test_rotate_and_retire },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = { SUITE("devices", tests), CU_SUITE_INFO_NULL };

int
main(void)
{
	bb_init();
	admin = bb_admin_token();
	return cunit_run(suites);
}

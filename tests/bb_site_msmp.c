/* bb_site_msmp: the MSMP portal and lock agent, unmodified, on their site
 * (msmp-cloud-api.onrender.com, profile msmp) through nginx.  Every step of
 * their conversations (../shared/REAL-CLIENTS.md) with the site's Host,
 * SNI and a browser's cookie jar, asserting the fields each client reads;
 * devices by address (the agent's requests leave from 127.0.0.x source
 * addresses, so nginx's REMOTE_ADDR is that address); the refusals: no
 * session, another site's Origin with the cookie, an address outside the
 * binding; CORS on every answer and preflight. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bb.h"
#include "cunit_main.h"
#include "util.h"

#define HOST "msmp-cloud-api.onrender.com"
#define PW "Tr0ub4dor&3x"
/* What the lock agent sends besides the path: python-requests' own. */
#define AGENT_HEADERS \
	"User-Agent: python-requests/2.31.0\r\nAccept: */*\r\n" \
	"Accept-Encoding: gzip, deflate"
#define ELSEWHERE "https://portal.elsewhere.example"

static const char sql_live[] =
	"SELECT COUNT(*) FROM reservations r JOIN devices d"
	" ON d.id = r.device_pk WHERE d.device_id = ? AND r.user_id = ?"
	" AND r.start_time = ? AND r.end_time = ? AND r.credential = ?"
	" AND r.cancelled_at IS NULL";
static const char sql_live_of_user[] =
	"SELECT COUNT(*) FROM reservations r JOIN devices d"
	" ON d.id = r.device_pk WHERE d.device_id = ? AND r.user_id = ?"
	" AND r.cancelled_at IS NULL";
static const char sql_with_cred[] =
	"SELECT COUNT(*) FROM reservations WHERE credential = ?";
static const char sql_res_id[] =
	"SELECT MAX(r.id) FROM reservations r JOIN devices d"
	" ON d.id = r.device_pk WHERE d.device_id = ? AND r.user_id = ?"
	" AND r.cancelled_at IS NULL";
static const char sql_net[] =
	"SELECT COUNT(*) FROM devices WHERE device_id = ? AND address <=> ?"
	" AND net_lo <=> ? AND net_hi <=> ? AND net_prefix <=> ?";
static const char sql_unbound[] =
	"SELECT COUNT(*) FROM devices WHERE device_id = ?"
	" AND address IS NULL AND net_lo IS NULL AND net_prefix IS NULL";
static const char sql_devices[] =
	"SELECT COUNT(*) FROM devices WHERE device_id = ?";
static const char sql_audit[] =
	"SELECT COUNT(*) FROM audit_log WHERE action = ? AND entity_id = ?"
	" AND details LIKE ?";

static char *admin;

/* ---- helpers ------------------------------------------------------------ */

static long
status_of(struct bb_resp *r)
{
	long s = r->status;

	bb_free(r);
	return s;
}

/* r's body is JSON with this "code" (and "error"). */
static void
assert_code(const struct bb_resp *r, long status, const char *code)
{
	CU_ASSERT_EQUAL(r->status, status);
	CU_ASSERT_PTR_NOT_NULL(r->json);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), code);
	CU_ASSERT(*bb_str(r, "error") != '\0');
	if (r->status != status || strcmp(bb_str(r, "code"), code))
		fprintf(stderr, "want %ld %s, got %ld %s\n", status, code,
			r->status, r->body);
}

/* CORS on the answer, as on every answer of the site's API paths. */
static void
assert_cors(struct bb_resp *r)
{
	const char *v = bb_header(r, "access-control-allow-origin");

	CU_ASSERT_PTR_NOT_NULL(v);
	if (v)
		CU_ASSERT_STRING_EQUAL(v, "*");
}

/* A datetime-local value as the portal's browser sends it: local time (the
 * stack's timezone is UTC), no seconds, no zone; now + off seconds, on
 * the minute. */
static char *
portal_time(long off)
{
	time_t t = time(NULL) + off;
	struct tm tm;
	char buf[32];

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M", &tm);
	return xstrdup(buf);
}

/* A member signed up on haas (as an admin would have them). */
static char *
member(long long *uid)
{
	char *name = bb_unique("lab"), *body;
	struct bb_resp *r;

	body = xasprintf("{\"username\": \"%s\", \"password\": \"%s\"}",
			 name, PW);
	r = bb_json("POST", "/api/auth/signup", NULL, body);
	CU_ASSERT_EQUAL(r->status, 201);
	*uid = strtoll(bb_str(r, "user_id"), NULL, 10);
	bb_free(r);
	free(body);
	return name;
}

/* The portal in a browser: a fresh cookie jar on the site. */
static struct bb_site *
browser(void)
{
	return bb_site_new(HOST);
}

/* A navigation, as a browser makes it. */
static struct bb_resp *
navigate(struct bb_site *s, const char *path)
{
	return bb_site_req(s, "GET", path, NULL, NULL,
			   "Accept: text/html,application/xhtml+xml\r\n"
			   "Sec-Fetch-Mode: navigate\r\nSec-Fetch-Site: none");
}

/* haas's sign-in on the site, as its page does it (POST /api/auth/login
 * with the site's Origin); the session cookie lands in s's jar. */
static void
sign_in(struct bb_site *s, const char *user)
{
	char *body = xasprintf("{\"username\": \"%s\", \"password\": \"%s\"}",
			       user, PW);
	struct bb_resp *r = bb_site_json(s, "POST", "/api/auth/login", body);
	const char *sc = bb_header(r, "set-cookie");

	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT(sc && !strncmp(sc, "haas_session=", 13));
	bb_free(r);
	free(body);
}

/* The portal's one request: its form as JSON, the cookie riding along,
 * the page's own Origin. */
static struct bb_resp *
portal_reserve(struct bb_site *s, const char *dev, const char *start,
	       const char *end, const char *cred)
{
	char *body = xasprintf("{\"device_id\": \"%s\", \"start_time\": \"%s\","
			       " \"end_time\": \"%s\", \"credential\": \"%s\"}",
			       dev, start, end, cred);
	struct bb_resp *r = bb_site_json(s, "POST", "/set-reservation", body);

	free(body);
	return r;
}

/* What the portal counts as success: {"status": "saved"}. */
static void
saved(struct bb_site *s, const char *dev, const char *start,
      const char *end, const char *cred)
{
	struct bb_resp *r = portal_reserve(s, dev, start, end, cred);

	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "status"), "saved");
	assert_cors(r);
	if (r->status != 200)
		fprintf(stderr, "set-reservation: %s\n", r->body);
	bb_free(r);
}

/* One request of the lock agent from address src (its own connection, as
 * a separate program on that PC); extra: more header lines or NULL. */
static struct bb_resp *
agent_req(const char *src, const char *method, const char *path,
	  const char *json, const char *extra)
{
	struct bb_site *s = bb_site_new(HOST);
	char *hdrs = extra ? xasprintf("%s\r\n%s", AGENT_HEADERS, extra)
			   : xstrdup(AGENT_HEADERS);
	struct bb_how how = { .site = s, .source = src };
	struct bb_resp *r = bb_req_how(&how, method, path,
				       json ? "application/json" : NULL, json,
				       json ? strlen(json) : 0, hdrs);

	free(hdrs);
	bb_site_free(s);
	return r;
}

/* The agent's poll: GET /get-reservation?device_id=... from src. */
static struct bb_resp *
agent_poll(const char *src, const char *dev, const char *extra)
{
	char *path = xasprintf("/get-reservation?device_id=%s", dev);
	struct bb_resp *r = agent_req(src, "GET", path, NULL, extra);

	free(path);
	return r;
}

/* The agent's poll expecting the window it must unlock for, byte for byte
 * as the portal sent it (Python's fromisoformat reads it). */
static void
agent_sees(const char *src, const char *dev, const char *extra,
	   const char *start, const char *end, const char *cred)
{
	struct bb_resp *r = agent_poll(src, dev, extra);

	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "start_time"), start);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "end_time"), end);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "credential"), cred);
	assert_cors(r);
	if (r->status != 200)
		fprintf(stderr, "agent %s %s: %s\n", src, dev, r->body);
	bb_free(r);
}

/* The agent's poll expecting a refusal (it stays locked), with no
 * credential in the answer. */
static void
agent_refused(const char *src, const char *dev, const char *extra,
	      long status, const char *code)
{
	struct bb_resp *r = agent_poll(src, dev, extra);

	assert_code(r, status, code);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "credential"), "");
	assert_cors(r);
	bb_free(r);
}

/* An admin registers a device (address may be NULL); returns its key. */
static char *
device_new(const char *dev, const char *address)
{
	char *addr = address ? xasprintf(", \"address\": \"%s\"", address)
			     : xstrdup("");
	char *body = xasprintf("{\"device_id\": \"%s\","
			       " \"name\": \"Lab PC\"%s}", dev, addr);
	struct bb_resp *r = bb_json("POST", "/api/devices", admin, body);
	char *key = xstrdup(bb_str(r, "device_key"));

	CU_ASSERT_EQUAL(r->status, 201);
	if (r->status != 201)
		fprintf(stderr, "create %s: %s\n", dev, r->body);
	free(body);
	free(addr);
	bb_free(r);
	return key;
}

/* PATCH /api/devices/{dev} as the admin; returns the response. */
static struct bb_resp *
device_patch(const char *dev, const char *json)
{
	char *path = xasprintf("/api/devices/%s", dev);
	struct bb_resp *r = bb_json("PATCH", path, admin, json);

	free(path);
	return r;
}

static void
device_retire(const char *dev)
{
	char *path = xasprintf("/api/devices/%s", dev);

	CU_ASSERT_EQUAL(status_of(bb_json("DELETE", path, admin, NULL)), 204);
	free(path);
}

/* The admin reserves dev (bearer, haas's own site) for [now+a, now+b). */
static void
admin_reserves(const char *dev, long a, long b, const char *cred,
	       char **start, char **end)
{
	char *body;

	*start = portal_time(a);
	*end = portal_time(b);
	body = xasprintf("{\"device_id\": \"%s\", \"start_time\": \"%s\","
			 " \"end_time\": \"%s\", \"credential\": \"%s\"}",
			 dev, *start, *end, cred);
	CU_ASSERT_EQUAL(status_of(bb_json("POST", "/set-reservation", admin,
					  body)), 200);
	free(body);
}

/* ---- the portal ---------------------------------------------------------- */

/* A navigation without a session goes to haas's sign-in on this host
 * (fields "Username or email" and "Password", button "Sign in"), which
 * signs in on this host and goes back; then the portal loads. */
static void
test_portal_behind_signin(void)
{
	struct bb_site *s = browser();
	long long uid;
	char *user = member(&uid);
	struct bb_resp *r = navigate(s, "/");
	const char *loc = bb_header(r, "location");
	char *want = xasprintf("%s/.haas/site-signin.html?next=/",
			       bb_site_origin(s));

	/* nginx makes the redirect absolute, on this very host */
	CU_ASSERT_EQUAL(r->status, 302);
	CU_ASSERT_STRING_EQUAL(loc ? loc : "", want);
	free(want);
	bb_free(r);
	/* the app's own files too: nothing of the portal without a session */
	r = bb_site_req(s, "GET", "/portal.js", NULL, NULL, NULL);
	CU_ASSERT_EQUAL(r->status, 302);
	bb_free(r);
	r = navigate(s, "/.haas/site-signin.html?next=/");
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT(strstr(r->body, "/.haas/js/site-signin.js") != NULL);
	bb_free(r);
	r = bb_site_req(s, "GET", "/.haas/js/site-signin.js", NULL, NULL, NULL);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT(strstr(r->body, "\"Username or email\"") != NULL);
	CU_ASSERT(strstr(r->body, "\"Password\"") != NULL);
	CU_ASSERT(strstr(r->body, "\"Sign in\"") != NULL);
	CU_ASSERT(strstr(r->body, "/api/auth/login") != NULL);
	bb_free(r);
	sign_in(s, user);
	r = navigate(s, "/");
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT(strstr(r->body, "id=\"reserve\"") != NULL);
	bb_free(r);
	r = bb_site_req(s, "GET", "/portal.js", NULL, NULL, NULL);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT(strstr(r->body, "/set-reservation") != NULL);
	bb_free(r);
	bb_site_free(s);
	free(user);
}

/* The portal's form: POST /set-reservation with the datetime-local values
 * and the cookie; "saved" is success, anything else "Reservation
 * Failed".  The lock agent then reads the window byte for byte. */
static void
test_portal_and_agent(void)
{
	struct bb_site *s = browser(), *other = browser();
	long long uid, uid2;
	char *user = member(&uid), *user2 = member(&uid2);
	char *start = portal_time(-60), *end = portal_time(2 * 3600);
	/* the agent's device id (its own setting; "pc-001" by default) */
	char *pc = bb_unique("pc-001");
	char *key = device_new(pc, "127.0.0.2"), *cred = "4711-lab";
	struct bb_resp *r;

	sign_in(s, user);
	saved(s, pc, start, end, "first");
	/* the same member again: the portal "updates" the reservation */
	saved(s, pc, start, end, cred);
	CU_ASSERT_EQUAL(bb_db_int(sql_live, DB_P(db_str(pc), db_int(uid),
		db_str(start), db_str(end), db_str(cred))), 1);
	CU_ASSERT_EQUAL(bb_db_int(sql_live_of_user, DB_P(db_str(pc),
		db_int(uid))), 1);
	/* empty inputs are sent as "": not saved, a JSON error */
	r = portal_reserve(s, pc, "", "", "");
	assert_code(r, 400, "times_required");
	CU_ASSERT_STRING_EQUAL(bb_str(r, "status"), "");
	assert_cors(r);
	bb_free(r);
	/* another member's overlapping window: not saved */
	sign_in(other, user2);
	r = portal_reserve(other, pc, start, end, "theirs");
	assert_code(r, 409, "reservation_overlap");
	CU_ASSERT_STRING_EQUAL(bb_str(r, "status"), "");
	bb_free(r);
	/* the lock agent on pc-001 (bound to 127.0.0.2): no key, no cookie */
	agent_sees("127.0.0.2", pc, NULL, start, end, cred);
	r = agent_poll("127.0.0.2", pc, NULL);
	CU_ASSERT(strlen(bb_str(r, "start_time")) == 16 &&
		  bb_str(r, "start_time")[10] == 'T');
	bb_free(r);
	/* the member cancels (haas's API on the site, with the cookie): the
	 * agent's next poll is 404, and it locks again */
	{
		long long id = bb_db_int(sql_res_id, DB_P(db_str(pc),
					 db_int(uid)));
		char *path = xasprintf("/api/devices/reservations/%lld", id);

		r = bb_site_json(s, "DELETE", path, NULL);
		CU_ASSERT_EQUAL(r->status, 204);
		bb_free(r);
		free(path);
	}
	r = agent_poll("127.0.0.2", pc, NULL);
	CU_ASSERT_EQUAL(r->status, 404);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "error"), "not found");
	assert_cors(r);
	bb_free(r);
	/* a later window: the agent sees the next one */
	free(start);
	free(end);
	start = portal_time(3 * 3600);
	end = portal_time(4 * 3600);
	saved(other, pc, start, end, "later");
	agent_sees("127.0.0.2", pc, NULL, start, end, "later");
	device_retire(pc);
	bb_site_free(s);
	bb_site_free(other);
	free(user);
	free(user2);
	free(start);
	free(end);
	free(key);
	free(pc);
}

/* ---- devices by address ------------------------------------------------- */

/* The most specific binding wins; keys keep working and decide alone when
 * sent; an address outside the binding, another device's address or a
 * page of another site is refused. */
static void
test_address_rules(void)
{
	char *a = bb_unique("lab_net"), *b = bb_unique("pc"), *c;
	char *ka = device_new(a, "127.0.1.0/24");
	char *kb = device_new(b, "127.0.1.5");
	char *sa, *ea, *sb, *eb, *hdr;
	struct bb_resp *r;

	admin_reserves(a, -60, 3600, "cred-a", &sa, &ea);
	admin_reserves(b, -60, 3600, "cred-b", &sb, &eb);
	agent_sees("127.0.1.5", b, NULL, sb, eb, "cred-b");
	agent_sees("127.0.1.6", a, NULL, sa, ea, "cred-a");
	/* 127.0.1.5 is b's (/32 beats /24): not a's */
	agent_refused("127.0.1.5", a, NULL, 401, "device_address_other");
	agent_refused("127.0.1.6", b, NULL, 401, "device_address_other");
	/* outside every binding */
	agent_refused("127.0.0.1", a, NULL, 401, "reservation_auth");
	agent_refused("127.0.2.9", b, NULL, 401, "reservation_auth");
	/* the key works from anywhere, and a wrong one is refused even from
	 * the device's own address */
	hdr = xasprintf("X-Device-Key: %s", kb);
	agent_sees("127.0.0.1", b, hdr, sb, eb, "cred-b");
	free(hdr);
	hdr = xasprintf("X-Device-Key: %s", ka);
	agent_refused("127.0.1.5", b, hdr, 401, "device_key_invalid");
	free(hdr);
	/* a page of another site, opened on the PC, cannot borrow it */
	agent_refused("127.0.1.5", b, "Origin: " ELSEWHERE, 401,
		      "reservation_auth");
	/* two devices on one network would tie: refused when bound */
	c = bb_unique("pc");
	r = bb_json("POST", "/api/devices", admin, "{\"device_id\": \"tie\","
		    " \"address\": \"127.0.1.0/24\"}");
	assert_code(r, 409, "device_address_taken");
	CU_ASSERT(strstr(bb_str(r, "error"), a) != NULL);
	bb_free(r);
	free(device_new(c, NULL));
	r = device_patch(c, "{\"address\": \"127.0.1.5/32\"}");
	assert_code(r, 409, "device_address_taken");
	bb_free(r);
	/* unbinding b: its address falls to a's network */
	r = device_patch(b, "{\"address\": null}");
	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);
	agent_sees("127.0.1.5", a, NULL, sa, ea, "cred-a");
	agent_refused("127.0.1.5", b, NULL, 401, "device_address_other");
	/* retiring a lets its network go */
	device_retire(a);
	agent_refused("127.0.1.6", a, NULL, 401, "reservation_auth");
	r = device_patch(c, "{\"address\": \"127.0.1.0/24\"}");
	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);
	device_retire(b);
	device_retire(c);
	free(a);
	free(b);
	free(c);
	free(ka);
	free(kb);
	free(sa);
	free(ea);
	free(sb);
	free(eb);
}

/* verify from the bound address, without a key. */
static void
test_verify_by_address(void)
{
	char *dev = bb_unique("pc"), *path, *start, *end;
	char *key = device_new(dev, "127.0.3.7");
	struct bb_resp *r;

	admin_reserves(dev, -60, 3600, "open-sesame", &start, &end);
	path = xasprintf("/api/devices/%s/verify", dev);
	r = agent_req("127.0.3.7", "POST", path,
		      "{\"credential\": \"open-sesame\"}", NULL);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT(json_object_get_boolean(json_object_object_get(r->json,
							       "valid")));
	CU_ASSERT_STRING_EQUAL(bb_str(r, "end_time"), end);
	bb_free(r);
	r = agent_req("127.0.3.7", "POST", path, "{\"credential\": \"nope\"}",
		      NULL);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_FALSE(json_object_get_boolean(json_object_object_get(
		r->json, "valid")));
	bb_free(r);
	r = agent_req("127.0.0.1", "POST", path,
		      "{\"credential\": \"open-sesame\"}", NULL);
	assert_code(r, 401, "device_key_invalid");
	assert_cors(r);
	bb_free(r);
	r = agent_req("127.0.3.7", "POST", path,
		      "{\"credential\": \"open-sesame\"}",
		      "Origin: " ELSEWHERE);
	assert_code(r, 401, "device_key_invalid");
	bb_free(r);
	device_retire(dev);
	free(dev);
	free(key);
	free(path);
	free(start);
	free(end);
}

/* An admin binds on create and update, validated, canonical, shown to
 * admins in the device's JSON, audited, cleared with null or "". */
static void
test_binding_admin(void)
{
	char *dev = bb_unique("pc"), *v6 = bb_unique("pc"), *path, *body;
	char *key, *like, *token;
	long long uid;
	struct bb_resp *r;

	body = xasprintf("{\"device_id\": \"%s\", \"address\": "
			 "\" 127.0.4.0/24 \"}", dev);
	r = bb_json("POST", "/api/devices", admin, body);
	CU_ASSERT_EQUAL(r->status, 201);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "address"), "127.0.4.0/24");
	bb_free(r);
	free(body);
	CU_ASSERT_EQUAL(bb_db_int(sql_net, DB_P(db_str(dev),
		db_str("127.0.4.0/24"), db_str("7f000400"), db_str("7f0004ff"),
		db_int(24))), 1);
	like = xasprintf("%%\"address\":\"127.0.4.0/24\"%%");
	CU_ASSERT_EQUAL(bb_db_int(sql_audit, DB_P(db_str("device.create"),
		db_str(dev), db_str(like))), 1);
	free(like);
	/* shown to admins, not to members */
	path = xasprintf("/api/devices/%s", dev);
	r = bb_get(path, admin);
	CU_ASSERT_STRING_EQUAL(bb_sub(r, "device", "address"), "127.0.4.0/24");
	bb_free(r);
	token = bb_new_user("viewer", &uid);
	r = bb_get(path, token);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_FALSE(json_object_object_get_ex(json_object_object_get(
		r->json, "device"), "address", NULL));
	bb_free(r);
	CU_ASSERT_EQUAL(status_of(bb_json("PATCH", path, token,
		"{\"address\": \"127.0.9.9\"}")), 403);
	/* IPv6, canonical; an IPv4-mapped address is the IPv4 one */
	key = device_new(v6, "2001:DB8:0:0::/32");
	free(key);
	CU_ASSERT_EQUAL(bb_db_int(sql_net, DB_P(db_str(v6),
		db_str("2001:db8::/32"),
		db_str("20010db8000000000000000000000000"),
		db_str("20010db8ffffffffffffffffffffffff"), db_int(32))), 1);
	r = device_patch(v6, "{\"address\": \"::ffff:127.0.4.77\"}");
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_STRING_EQUAL(bb_sub(r, "device", "address"), "127.0.4.77");
	bb_free(r);
	like = xasprintf("%%\"address\":{\"from\":\"2001:db8::/32\","
			 "\"to\":\"127.0.4.77\"}%%");
	CU_ASSERT_EQUAL(bb_db_int(sql_audit, DB_P(db_str("device.update"),
		db_str(v6), db_str(like))), 1);
	free(like);
	/* refused, naming the field; nothing written */
	{
		static const char *const bad[][2] = {
			{ "\"10.0.5\"", "device_address_invalid" },
			{ "\"10.0.5.0/33\"", "device_address_invalid" },
			{ "\"fe80::1%eth0\"", "device_address_invalid" },
			{ "\"lab-pc.local\"", "device_address_invalid" },
			{ "42", "device_address_invalid" },
			{ "\"10.0.5.21/24\"", "device_address_host_bits" },
			{ "\"0.0.0.0/0\"", "device_address_too_wide" },
			{ "\"::/0\"", "device_address_too_wide" },
		};
		size_t i;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			char *id = bb_unique("bad");

			body = xasprintf("{\"device_id\": \"%s\", \"address\":"
					 " %s}", id, bad[i][0]);
			r = bb_json("POST", "/api/devices", admin, body);
			assert_code(r, 400, bad[i][1]);
			CU_ASSERT_STRING_EQUAL(bb_str(r, "field"), "address");
			bb_free(r);
			CU_ASSERT_EQUAL(bb_db_int(sql_devices,
					DB_P(db_str(id))), 0);
			free(body);
			body = xasprintf("{\"address\": %s}", bad[i][0]);
			r = device_patch(dev, body);
			assert_code(r, 400, bad[i][1]);
			bb_free(r);
			free(body);
			free(id);
		}
	}
	r = device_patch(dev, "{\"address\": \"10.0.5.21/24\"}");
	CU_ASSERT(strstr(bb_str(r, "error"), "10.0.5.0/24") != NULL);
	bb_free(r);
	CU_ASSERT_EQUAL(bb_db_int(sql_net, DB_P(db_str(dev),
		db_str("127.0.4.0/24"), db_str("7f000400"), db_str("7f0004ff"),
		db_int(24))), 1);
	/* name alone keeps the binding; PATCH {} changes nothing */
	r = device_patch(dev, "{\"name\": \"Lab PC 4\"}");
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_STRING_EQUAL(bb_sub(r, "device", "name"), "Lab PC 4");
	CU_ASSERT_STRING_EQUAL(bb_sub(r, "device", "address"), "127.0.4.0/24");
	bb_free(r);
	r = device_patch(dev, "{}");
	assert_code(r, 400, "no_changes");
	bb_free(r);
	/* cleared by null, and by "" */
	r = device_patch(dev, "{\"address\": null}");
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT(json_object_object_get_ex(json_object_object_get(r->json,
		"device"), "address", NULL));
	CU_ASSERT_STRING_EQUAL(bb_sub(r, "device", "address"), "");
	bb_free(r);
	CU_ASSERT_EQUAL(bb_db_int(sql_unbound, DB_P(db_str(dev))), 1);
	CU_ASSERT_EQUAL(status_of(device_patch(v6, "{\"address\": \"\"}")),
			200);
	CU_ASSERT_EQUAL(bb_db_int(sql_unbound, DB_P(db_str(v6))), 1);
	/* retiring unbinds */
	CU_ASSERT_EQUAL(status_of(device_patch(dev,
		"{\"address\": \"127.0.4.0/24\"}")), 200);
	device_retire(dev);
	CU_ASSERT_EQUAL(bb_db_int(sql_unbound, DB_P(db_str(dev))), 1);
	r = bb_json("PATCH", path, admin, "{\"name\": \"x\"}");
	assert_code(r, 404, "device_not_found");
	bb_free(r);
	device_retire(v6);
	free(path);
	free(dev);
	free(v6);
	free(token);
}

/* ---- security ------------------------------------------------------------ */

/* The portal's write without a session, with another site's Origin, or
 * with no Origin at all, stores nothing; a member reads only their own
 * window with their cookie. */
static void
test_refusals(void)
{
	struct bb_site *s = browser(), *anon = browser();
	char *dev = bb_unique("pc"), *key = device_new(dev, NULL);
	char *start = portal_time(-60), *end = portal_time(3600), *body;
	long long uid, uid2;
	char *user = member(&uid), *user2 = member(&uid2), *path;
	struct bb_site *s2 = browser();
	struct bb_resp *r;

	body = xasprintf("{\"device_id\": \"%s\", \"start_time\": \"%s\","
			 " \"end_time\": \"%s\", \"credential\": \"csrf-1\"}",
			 dev, start, end);
	/* no session: 401 JSON, nothing stored */
	r = portal_reserve(anon, dev, start, end, "csrf-1");
	assert_code(r, 401, "unauthorized");
	assert_cors(r);
	bb_free(r);
	/* with the cookie, another site's Origin: 403 cross_site */
	sign_in(s, user);
	r = bb_site_req(s, "POST", "/set-reservation", "application/json",
			body, "Origin: " ELSEWHERE);
	assert_code(r, 403, "cross_site");
	assert_cors(r);
	bb_free(r);
	/* with the cookie and no Origin at all: a write needs the site's */
	r = bb_site_req(s, "POST", "/set-reservation", "application/json",
			body, NULL);
	assert_code(r, 403, "cross_site");
	bb_free(r);
	/* haas's own site's Origin is another site too */
	{
		char *o = xasprintf("Origin: %s", getenv("HAAS_TEST_URL"));

		r = bb_site_req(s, "POST", "/set-reservation",
				"application/json", body, o);
		assert_code(r, 403, "cross_site");
		bb_free(r);
		free(o);
	}
	CU_ASSERT_EQUAL(bb_db_int(sql_with_cred, DB_P(db_str("csrf-1"))), 0);
	/* the member's own window, read with the cookie; another member's
	 * cookie does not see it */
	saved(s, dev, start, end, "mine-1");
	path = xasprintf("/get-reservation?device_id=%s", dev);
	r = bb_site_req(s, "GET", path, NULL, NULL, NULL);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "credential"), "mine-1");
	bb_free(r);
	sign_in(s2, user2);
	r = bb_site_req(s2, "GET", path, NULL, NULL, NULL);
	CU_ASSERT_EQUAL(r->status, 404);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "credential"), "");
	bb_free(r);
	/* the agent without key or binding: 401 */
	agent_refused("127.0.0.1", dev, NULL, 401, "reservation_auth");
	device_retire(dev);
	bb_site_free(s);
	bb_site_free(s2);
	bb_site_free(anon);
	free(dev);
	free(key);
	free(start);
	free(end);
	free(body);
	free(user);
	free(user2);
	free(path);
}

/* The sign-in page's POST /api/auth/login on the site has the same
 * brake as haas's own site: one address flooding it gets 429 JSON (from
 * an address of its own, so the other tests' sign-ins are not braked). */
static void
test_login_rate_limited(void)
{
	struct bb_resp *r = NULL;
	int i;

	for (i = 0; i < 1000; i++) {
		bb_free(r);
		r = agent_req("127.0.5.1", "POST", "/api/auth/login", "{}",
			      NULL);
		if (r->status != 400)
			break;
	}
	assert_code(r, 429, "rate_limited");
	assert_cors(r);
	bb_free(r);
}

/* ---- CORS ---------------------------------------------------------------- */

static void
preflight(const char *path, const char *method)
{
	struct bb_site *s = browser();
	char *hdrs = xasprintf("Origin: " ELSEWHERE "\r\n"
			       "Access-Control-Request-Method: %s\r\n"
			       "Access-Control-Request-Headers: content-type",
			       method);
	struct bb_resp *r = bb_site_req(s, "OPTIONS", path, NULL, NULL, hdrs);
	const char *v = bb_header(r, "access-control-allow-methods");
	/* bb_header's value lives until its next call */
	char *m = xstrdup(v ? v : "");

	v = bb_header(r, "access-control-allow-headers");
	CU_ASSERT(v && strstr(v, "Content-Type") && strstr(v, "Authorization"));
	CU_ASSERT(r->status >= 200 && r->status < 300);
	CU_ASSERT_STRING_EQUAL(m, "GET, POST, PUT, PATCH, DELETE, OPTIONS");
	assert_cors(r);
	free(m);
	if (r->status < 200 || r->status >= 300)
		fprintf(stderr, "OPTIONS %s: %ld\n", path, r->status);
	bb_free(r);
	bb_site_free(s);
	free(hdrs);
}

/* A preflight on every path of the profile is 2xx with the methods and
 * headers; every answer, errors included, carries the CORS origin. */
static void
test_cors(void)
{
	struct bb_site *s = browser();
	struct bb_resp *r;

	preflight("/set-reservation", "POST");
	preflight("/get-reservation?device_id=pc-001", "GET");
	preflight("/api/devices/pc-001/verify", "POST");
	preflight("/api/auth/login", "POST");
	r = bb_site_req(s, "GET", "/set-reservation", NULL, NULL, NULL);
	assert_code(r, 405, "method_not_allowed");
	assert_cors(r);
	bb_free(r);
	r = bb_site_req(s, "GET", "/get-reservation", NULL, NULL, NULL);
	assert_code(r, 400, "device_id_required");
	assert_cors(r);
	bb_free(r);
	r = bb_site_req(s, "GET", "/api/no-such-thing", NULL, NULL, NULL);
	assert_code(r, 404, "not_found");
	assert_cors(r);
	bb_free(r);
	r = bb_site_json(s, "POST", "/set-reservation", "{");
	CU_ASSERT(r->status == 400 || r->status == 401);
	CU_ASSERT_PTR_NOT_NULL(r->json);
	assert_cors(r);
	bb_free(r);
	bb_site_free(s);
}

static int
suite_init(void)
{
	admin = bb_admin_token();
	return admin && *admin ? 0 : 1;
}

static int
suite_clean(void)
{
	free(admin);
	return 0;
}

static CU_TestInfo tests[] = {
	{ "portal behind haas's sign-in", test_portal_behind_signin },
	{ "portal reserves, lock agent polls by address",
	  test_portal_and_agent },
	{ "devices by address: most specific, keys, refusals",
	  test_address_rules },
	{ "verify from the bound address", test_verify_by_address },
	{ "binding: create, update, validation, audit", test_binding_admin },
	{ "refusals: no session, cross-site, another member",
	  test_refusals },
	{ "the site's log-in is rate limited", test_login_rate_limited },
	{ "CORS on preflights and errors", test_cors },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	SUITE_INIT("site msmp", suite_init, suite_clean, tests),
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	bb_init();
	return cunit_run(suites);
}

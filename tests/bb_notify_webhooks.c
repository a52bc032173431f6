/* bb_notify_webhooks: admins' webhooks and the outbox through nginx
 * (src/notices.c), with the database checked afterwards; and, against the
 * test stack's HTTPS receiver, signed deliveries, retries with back-off,
 * dead notices and their retry, and a sender killed mid-batch. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bb.h"
#include "cunit_main.h"
#include "sha256.h"
#include "util.h"

static char *admin;

static const char sql_hook_count[] =
	"SELECT COUNT(*) FROM webhooks WHERE url = ?";
static const char sql_hook_secret[] =
	"SELECT COUNT(*) FROM webhooks WHERE id = ? AND secret = ?";
static const char sql_hook_state[] =
	"SELECT COUNT(*) FROM webhooks WHERE id = ? AND active = ?"
	" AND (deleted_at IS NOT NULL) = ?";
static const char sql_hook_kinds[] =
	"SELECT COUNT(*) FROM webhooks WHERE id = ? AND kinds = ?";
static const char sql_audit[] =
	"SELECT COUNT(*) FROM audit_log WHERE action = ? AND entity = ?"
	" AND entity_id = ?";
static const char sql_audit_leak[] =
	"SELECT COUNT(*) FROM audit_log WHERE details LIKE ?";
static const char sql_test_notice[] =
	"SELECT COUNT(*) FROM notices WHERE id = ? AND kind = 'webhook.test'"
	" AND channel = 'webhook' AND webhook_id = ? AND state = 'pending'"
	" AND JSON_VALUE(fields, '$.webhook_id') = ?"
	" AND JSON_VALUE(fields, '$.sent_by') = 'admin'";
static const char sql_notice_insert[] =
	"INSERT INTO notices (msg_id, kind, channel, user_id, webhook_id,"
	" recipient, fields, state, attempts, last_error)"
	" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_notice_state[] =
	"SELECT COUNT(*) FROM notices WHERE id = ? AND state = ?"
	" AND attempts = ?";

/* ---- helpers ------------------------------------------------------------- */

/* POST /api/webhooks; its id (0 unless 201) and secret (caller frees). */
static long long
hook_create(const char *url, const char *kinds, char **secret)
{
	char *body = xasprintf("{\"url\": \"%s\", \"kinds\": %s}", url, kinds);
	struct bb_resp *r = bb_json("POST", "/api/webhooks", admin, body);
	long long id = r->status == 201 ? bb_sub_id(r, "webhook", "id") : 0;

	CU_ASSERT_EQUAL(r->status, 201);
	if (secret)
		*secret = xstrdup(bb_str(r, "secret"));
	bb_free(r);
	free(body);
	return id;
}

/* A unique https URL (on the receiver when the stack has one). */
static char *
hook_url(const char *how)
{
	const char *base = getenv("HAAS_TEST_WEBHOOK_URL");
	char *tag = bb_unique(how), *url;

	url = xasprintf("%s/%s/%s", base && *base ? base
			: "https://hooks.invalid", how, tag);
	free(tag);
	return url;
}

static long long
db_count(const char *sql, const struct db_param *p, size_t np)
{
	return bb_db_int(sql, p, np);
}

/* Status of a request, the response freed. */
static long
status_of(struct bb_resp *r)
{
	long s = r->status;

	bb_free(r);
	return s;
}

static void
expect_refusal(const char *body, const char *code, const char *field)
{
	struct bb_resp *r = bb_json("POST", "/api/webhooks", admin, body);

	CU_ASSERT_EQUAL(r->status, 400);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), code);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "field"), field);
	if (r->status != 400 || strcmp(bb_str(r, "code"), code))
		fprintf(stderr, "refusal of %s: %ld %s\n", body, r->status,
			r->body);
	bb_free(r);
}

/* A notice written straight into the outbox (a test's fixture, as a
 * sender would have left it).  Returns its id. */
static long long
notice_fixture(const char *kind, const char *channel, long long hook,
	       const char *recipient, const char *fields, const char *state,
	       int attempts)
{
	char *msg = bb_unique("m"), id[65];
	struct db_result res = { 0 };
	enum err e;

	sha256_hex(msg, strlen(msg), id);	/* 32 of its hex digits */
	id[32] = '\0';
	e = db_exec(bb_db(), sql_notice_insert, DB_P(db_str(id),
		db_str(kind), db_str(channel), db_null(),
		hook ? db_int(hook) : db_null(), db_str(recipient),
		db_str(fields), db_str(state), db_int(attempts),
		db_str(strcmp(state, "dead") ? NULL : "HTTP 500")), &res);
	CU_ASSERT_EQUAL(e, ERR_OK);
	free(msg);
	return (long long)res.insert_id;
}

/* ---- validation ------------------------------------------------------------ */

static void
test_members_refused(void)
{
	char *member = bb_new_user("whm", NULL);

	CU_ASSERT_EQUAL(status_of(bb_get("/api/webhooks", member)), 403);
	CU_ASSERT_EQUAL(status_of(bb_json("POST", "/api/webhooks", member,
		"{\"url\": \"https://x.example/h\", \"kinds\":"
		" [\"stock.low\"]}")), 403);
	CU_ASSERT_EQUAL(status_of(bb_get("/api/notices", member)), 403);
	CU_ASSERT_EQUAL(status_of(bb_get("/api/notices/1", member)), 403);
	CU_ASSERT_EQUAL(status_of(bb_json("POST", "/api/notices/1/retry",
					  member, "{}")), 403);
	CU_ASSERT_EQUAL(status_of(bb_get("/api/webhooks", NULL)), 401);
	free(member);
}

static void
test_create_refusals(void)
{
	char *long_url = xmalloc(2100), *body;
	const char *tag = "https://refused.example/";

	memcpy(long_url, "https://a.example/", 18);
	memset(long_url + 18, 'x', 2001 - 18);
	long_url[2001] = '\0';
	expect_refusal("{\"url\": \"http://a.example/h\", \"kinds\":"
		       " [\"stock.low\"]}", "webhook_url_invalid", "url");
	expect_refusal("{\"url\": \"https://\", \"kinds\": [\"stock.low\"]}",
		       "webhook_url_invalid", "url");
	expect_refusal("{\"url\": \"https:///path\", \"kinds\":"
		       " [\"stock.low\"]}", "webhook_url_invalid", "url");
	expect_refusal("{\"url\": \"https://user:pw@a.example/h\", \"kinds\":"
		       " [\"stock.low\"]}", "webhook_url_invalid", "url");
	expect_refusal("{\"url\": \"https://a.example/h#frag\", \"kinds\":"
		       " [\"stock.low\"]}", "webhook_url_invalid", "url");
	expect_refusal("{\"url\": \"https://a example/h\", \"kinds\":"
		       " [\"stock.low\"]}", "webhook_url_invalid", "url");
	expect_refusal("{\"url\": \"https://a.example:99999/h\", \"kinds\":"
		       " [\"stock.low\"]}", "webhook_url_invalid", "url");
	expect_refusal("{\"url\": \"ftp://a.example/\", \"kinds\":"
		       " [\"stock.low\"]}", "webhook_url_invalid", "url");
	body = xasprintf("{\"url\": \"%s\", \"kinds\": [\"stock.low\"]}",
			 long_url);
	expect_refusal(body, "webhook_url_invalid", "url");
	free(body);
	expect_refusal("{\"kinds\": [\"stock.low\"]}", "field_missing", "url");
	expect_refusal("{\"url\": \"https://refused.example/\"}",
		       "field_missing", "kinds");
	expect_refusal("{\"url\": \"https://refused.example/\", \"kinds\":"
		       " [\"no.such.kind\"]}", "webhook_kinds_invalid", "kinds");
	expect_refusal("{\"url\": \"https://refused.example/\", \"kinds\":"
		       " [\"account.reset\"]}", "webhook_kinds_invalid", "kinds");
	expect_refusal("{\"url\": \"https://refused.example/\", \"kinds\":"
		       " [\"digest\"]}", "webhook_kinds_invalid", "kinds");
	expect_refusal("{\"url\": \"https://refused.example/\", \"kinds\":"
		       " [\"webhook.test\"]}", "webhook_kinds_invalid", "kinds");
	expect_refusal("{\"url\": \"https://refused.example/\", \"kinds\": []}",
		       "webhook_kinds_invalid", "kinds");
	expect_refusal("{\"url\": \"https://refused.example/\", \"kinds\":"
		       " \"stock.low\"}", "webhook_kinds_invalid", "kinds");
	expect_refusal("{\"url\": \"https://refused.example/\", \"kinds\":"
		       " [\"stock.low\", 7]}", "webhook_kinds_invalid", "kinds");
	CU_ASSERT_EQUAL(db_count(sql_hook_count, DB_P(db_str(tag))), 0);
	free(long_url);
}

static void
test_create_secret_once(void)
{
	char *url = hook_url("ok"), *secret = NULL, *path, sid[32];
	char *pat;
	struct bb_resp *r;
	long long id = hook_create(url, "[\"stock.low\", \"order.status\","
				   " \"stock.low\"]", &secret);

	CU_ASSERT_FATAL(id > 0);
	CU_ASSERT_EQUAL(strlen(secret), 64);
	CU_ASSERT_EQUAL(db_count(sql_hook_secret, DB_P(db_int(id),
		db_str(secret))), 1);
	/* canonical order, each once */
	CU_ASSERT_EQUAL(db_count(sql_hook_kinds, DB_P(db_int(id),
		db_str("order.status,stock.low"))), 1);
	r = bb_get("/api/webhooks?limit=500", admin);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r->body, url));
	CU_ASSERT_PTR_NULL(strstr(r->body, secret));
	CU_ASSERT_PTR_NULL(strstr(r->body, "\"secret\""));
	CU_ASSERT(bb_len(r, "available_kinds") > 0);
	CU_ASSERT_PTR_NULL(strstr(r->body, "\"account.reset\""));
	bb_free(r);
	path = xasprintf("/api/webhooks/%lld", id);
	r = bb_get(path, admin);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_STRING_EQUAL(bb_sub(r, "webhook", "url"), url);
	CU_ASSERT_PTR_NULL(strstr(r->body, secret));
	bb_free(r);
	snprintf(sid, sizeof(sid), "%lld", id);
	CU_ASSERT_EQUAL(db_count(sql_audit, DB_P(db_str("webhook.create"),
		db_str("webhook"), db_str(sid))), 1);
	pat = xasprintf("%%%s%%", secret);
	CU_ASSERT_EQUAL(db_count(sql_audit_leak, DB_P(db_str(pat))), 0);
	free(pat);
	free(path);
	free(secret);
	free(url);
}

static void
test_patch_rotate_delete(void)
{
	char *url = hook_url("ok"), *secret = NULL, *path, *p2, sid[32];
	char *pat;
	struct bb_resp *r;
	long long id = hook_create(url, "[\"stock.low\"]", &secret);

	CU_ASSERT_FATAL(id > 0);
	snprintf(sid, sizeof(sid), "%lld", id);
	path = xasprintf("/api/webhooks/%lld", id);
	CU_ASSERT_EQUAL(status_of(bb_json("PATCH", path, admin, "{}")), 400);
	r = bb_json("PATCH", path, admin, "{\"url\": \"http://x.example/\"}");
	CU_ASSERT_EQUAL(r->status, 400);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "field"), "url");
	bb_free(r);
	r = bb_json("PATCH", path, admin, "{\"kinds\": [\"bogus\"]}");
	CU_ASSERT_EQUAL(r->status, 400);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "field"), "kinds");
	bb_free(r);
	r = bb_json("PATCH", path, admin, "{\"kinds\": [\"sensor.silent\","
		    " \"sensor.back\"], \"active\": false}");
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_STRING_EQUAL(bb_sub(r, "webhook", "active"), "false");
	bb_free(r);
	CU_ASSERT_EQUAL(db_count(sql_hook_kinds, DB_P(db_int(id),
		db_str("sensor.silent,sensor.back"))), 1);
	CU_ASSERT_EQUAL(db_count(sql_hook_state, DB_P(db_int(id), db_int(0),
		db_int(0))), 1);
	CU_ASSERT_EQUAL(status_of(bb_json("PATCH", "/api/webhooks/999999999",
		admin, "{\"active\": true}")), 404);

	/* a disabled webhook takes no test */
	p2 = xasprintf("%s/test", path);
	r = bb_json("POST", p2, admin, NULL);
	CU_ASSERT_EQUAL(r->status, 409);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), "webhook_inactive");
	bb_free(r);
	free(p2);

	/* rotate: a new secret, once */
	p2 = xasprintf("%s/secret", path);
	r = bb_json("POST", p2, admin, NULL);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_EQUAL(strlen(bb_str(r, "secret")), 64);
	CU_ASSERT(strcmp(bb_str(r, "secret"), secret) != 0);
	CU_ASSERT_EQUAL(db_count(sql_hook_secret, DB_P(db_int(id),
		db_str(bb_str(r, "secret")))), 1);
	pat = xasprintf("%%%s%%", bb_str(r, "secret"));
	bb_free(r);
	CU_ASSERT_EQUAL(db_count(sql_audit_leak, DB_P(db_str(pat))), 0);
	CU_ASSERT_EQUAL(db_count(sql_audit, DB_P(db_str("webhook.secret_rotate"),
		db_str("webhook"), db_str(sid))), 1);
	free(pat);
	r = bb_get(path, admin);
	CU_ASSERT_PTR_NULL(strstr(r->body, "secret"));
	bb_free(r);

	/* delete: soft, then gone for the API */
	CU_ASSERT_EQUAL(status_of(bb_req("DELETE", path, admin, NULL, NULL, 0,
					 NULL)), 204);
	CU_ASSERT_EQUAL(db_count(sql_hook_state, DB_P(db_int(id), db_int(0),
		db_int(1))), 1);
	CU_ASSERT_EQUAL(status_of(bb_get(path, admin)), 404);
	CU_ASSERT_EQUAL(status_of(bb_req("DELETE", path, admin, NULL, NULL, 0,
					 NULL)), 404);
	CU_ASSERT_EQUAL(status_of(bb_json("POST", p2, admin, NULL)), 404);
	CU_ASSERT_EQUAL(db_count(sql_audit, DB_P(db_str("webhook.delete"),
		db_str("webhook"), db_str(sid))), 1);
	r = bb_get("/api/webhooks?limit=500", admin);
	CU_ASSERT_PTR_NULL(strstr(r->body, url));
	bb_free(r);
	free(p2);
	free(path);
	free(secret);
	free(url);
}

static void
test_test_notice_written(void)
{
	char *url = hook_url("ok"), *path, *q, sid[32];
	struct bb_resp *r;
	long long id = hook_create(url, "[\"stock.low\"]", NULL), nid;

	CU_ASSERT_FATAL(id > 0);
	snprintf(sid, sizeof(sid), "%lld", id);
	path = xasprintf("/api/webhooks/%lld/test", id);
	r = bb_json("POST", path, admin, NULL);
	CU_ASSERT_EQUAL(r->status, 201);
	nid = bb_sub_id(r, "notice", "id");
	CU_ASSERT_STRING_EQUAL(bb_sub(r, "notice", "kind"), "webhook.test");
	CU_ASSERT_STRING_EQUAL(bb_sub(r, "notice", "webhook_id"), sid);
	CU_ASSERT_EQUAL(strlen(bb_sub(r, "notice", "msg_id")), 32);
	bb_free(r);
	CU_ASSERT_EQUAL(db_count(sql_test_notice, DB_P(db_int(nid), db_int(id),
		db_str(sid))), 1);
	CU_ASSERT_EQUAL(db_count(sql_audit, DB_P(db_str("webhook.test"),
		db_str("webhook"), db_str(sid))), 1);
	/* the outbox finds it by webhook, by kind and by recipient */
	q = xasprintf("/api/notices?webhook_id=%lld&kind=webhook.test", id);
	r = bb_get(q, admin);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_EQUAL(bb_len(r, "notices"), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r->body, "\"state_counts\""));
	bb_free(r);
	free(q);
	q = xasprintf("/api/notices?q=%s&channel=webhook", strrchr(url, '/') + 1);
	r = bb_get(q, admin);
	CU_ASSERT_EQUAL(bb_len(r, "notices"), 1);
	bb_free(r);
	free(q);
	free(path);
	free(url);
}

static void
test_list_refusals(void)
{
	static const char *const bad[] = {
		"/api/notices?state=lost", "/api/notices?kind=nope",
		"/api/notices?channel=pigeon", "/api/notices?user_id=x",
		"/api/notices?webhook_id=0", "/api/notices?limit=0",
		"/api/notices/abc", "/api/notices/999999999",
		"/api/webhooks/999999999",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		CU_ASSERT_EQUAL(status_of(bb_get(bad[i], admin)),
				i < 6 ? 400 : 404);
}

/* The link of a reset mail never reaches an admin's screen. */
static void
test_secret_link_hidden(void)
{
	char *addr = bb_unique("reset"), *to = xasprintf("%s@x.example", addr);
	char *path;
	struct bb_resp *r;
	long long id = notice_fixture("account.reset", "email", 0, to,
		"{\"link\": \"https://h/reset?token=SECRETTOKEN42\","
		" \"username\": \"ana\"}", "dead", 4);

	path = xasprintf("/api/notices/%lld", id);
	r = bb_get(path, admin);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_PTR_NULL(strstr(r->body, "SECRETTOKEN42"));
	CU_ASSERT_PTR_NULL(strstr(r->body, "\"link\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(r->body, "\"username\":\"ana\""));
	bb_free(r);
	free(path);
	path = xasprintf("/api/notices?kind=account.reset&q=%s", addr);
	r = bb_get(path, admin);
	CU_ASSERT_EQUAL(bb_len(r, "notices"), 1);
	CU_ASSERT_PTR_NULL(strstr(r->body, "SECRETTOKEN42"));
	bb_free(r);
	free(path);
	/* and a dead one is not retried: its link is gone */
	path = xasprintf("/api/notices/%lld/retry", id);
	CU_ASSERT_EQUAL(status_of(bb_json("POST", path, admin, NULL)), 409);
	free(path);
	free(to);
	free(addr);
}

static void
test_retry_states(void)
{
	char *url = hook_url("ok"), *path, *hp;
	struct bb_resp *r;
	long long hook = hook_create(url, "[\"stock.low\"]", NULL);
	long long sent = notice_fixture("stock.low", "webhook", hook, url,
					"{}", "sent", 1);
	long long dead = notice_fixture("stock.low", "webhook", hook, url,
					"{}", "dead", 4);

	path = xasprintf("/api/notices/%lld/retry", sent);
	r = bb_json("POST", path, admin, NULL);
	CU_ASSERT_EQUAL(r->status, 409);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), "notice_not_dead");
	bb_free(r);
	free(path);
	CU_ASSERT_EQUAL(status_of(bb_json("POST", "/api/notices/999999999/retry",
					  admin, NULL)), 404);
	/* a disabled webhook's dead notice waits for the webhook */
	hp = xasprintf("/api/webhooks/%lld", hook);
	CU_ASSERT_EQUAL(status_of(bb_json("PATCH", hp, admin,
					  "{\"active\": false}")), 200);
	path = xasprintf("/api/notices/%lld/retry", dead);
	r = bb_json("POST", path, admin, NULL);
	CU_ASSERT_EQUAL(r->status, 409);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), "webhook_inactive");
	bb_free(r);
	CU_ASSERT_EQUAL(db_count(sql_notice_state, DB_P(db_int(dead),
		db_str("dead"), db_int(4))), 1);
	CU_ASSERT_EQUAL(status_of(bb_json("PATCH", hp, admin,
					  "{\"active\": true}")), 200);
	r = bb_json("POST", path, admin, NULL);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_STRING_EQUAL(bb_sub(r, "notice", "attempts"), "0");
	bb_free(r);
	/* pending again with attempts reset (the sender may have claimed
	 * it since: then it is on its way, not dead) */
	CU_ASSERT_EQUAL(bb_db_int("SELECT COUNT(*) FROM notices WHERE id = ?"
		" AND state <> 'dead' AND attempts <= 1", DB_P(db_int(dead))), 1);
	free(hp);
	free(path);
	free(url);
}

static CU_TestInfo validation[] = {
	{ "members are refused", test_members_refused },
	{ "create refuses bad urls and kinds", test_create_refusals },
	{ "create shows the secret once", test_create_secret_once },
	{ "patch, rotate, delete", test_patch_rotate_delete },
	{ "a test notice is written", test_test_notice_written },
	{ "bad filters and unknown ids", test_list_refusals },
	{ "a secret link is never shown", test_secret_link_hidden },
	{ "retry only a dead notice", test_retry_states },
	CU_TEST_INFO_NULL,
};

/* ---- against the receiver ---------------------------------------------------- */

static const char sql_notice_msg[] =
	"SELECT msg_id FROM notices WHERE id = ?";
static const char sql_sent_once[] =
	"SELECT COUNT(*) FROM notices n WHERE n.webhook_id = ?"
	" AND n.state = 'sent' AND (SELECT COUNT(*) FROM notice_attempts a"
	" WHERE a.notice_id = n.id AND a.ok = 1) = 1";
static const char sql_hook_notices[] =
	"SELECT COUNT(*) FROM notices WHERE webhook_id = ?";

static bool
have_receiver(void)
{
	const char *u = getenv("HAAS_TEST_WEBHOOK_URL");

	return u && *u;
}

/* The path part of a receiver URL ("/ok/x_1_2"). */
static const char *
url_path(const char *url)
{
	const char *p = strstr(url, "://");

	return p ? strchr(p + 3, '/') : url;
}

static void
hook_release(struct bb_hook *h)
{
	free(h->path);
	free(h->body);
	free(h->id);
	free(h->timestamp);
	free(h->signature);
	free(h->kind);
}

/* Requests that reached path, after polling up to seconds for at least
 * want of them.  *n gets their count; free with bb_hooks_free. */
static struct bb_hook *
hooks_at(const char *path, size_t want, int seconds, size_t *n)
{
	time_t until = time(NULL) + seconds;
	struct bb_hook *all;
	size_t k, i, m;

	for (;;) {
		all = bb_hooks_all(&k);
		for (i = m = 0; i < k; i++) {
			if (strcmp(all[i].path, path))
				continue;
			if (m != i) {
				struct bb_hook t = all[m];

				all[m] = all[i];
				all[i] = t;
			}
			m++;
		}
		if (m >= want || time(NULL) >= until) {
			/* the others, in the tail, go; bb_hooks_free(all, m)
			 * frees the rest and the array */
			for (i = m; i < k; i++)
				hook_release(&all[i]);
			*n = m;
			return all;
		}
		bb_hooks_free(all, k);
		usleep(50000);
	}
}

/* Waits up to seconds until the notice is in state. */
static bool
notice_reaches(long long id, const char *state, int seconds)
{
	time_t until = time(NULL) + seconds;

	while (bb_db_int("SELECT COUNT(*) FROM notices WHERE id = ?"
			 " AND state = ?", DB_P(db_int(id), db_str(state))) != 1) {
		if (time(NULL) >= until)
			return false;
		usleep(100000);
	}
	return true;
}

static long long
send_test(long long hook)
{
	char *path = xasprintf("/api/webhooks/%lld/test", hook);
	struct bb_resp *r = bb_json("POST", path, admin, NULL);
	long long id = r->status == 201 ? bb_sub_id(r, "notice", "id") : 0;

	CU_ASSERT_EQUAL(r->status, 201);
	bb_free(r);
	free(path);
	return id;
}

/* Does sig verify: sha256=hex(HMAC-SHA256(secret, "<ts>.<body>"))? */
static bool
signature_ok(const char *secret, const char *ts, const char *body,
	     const char *sig)
{
	char *text = xasprintf("%s.%s", ts, body), hex[65];
	unsigned char mac[32];

	hmac_sha256(secret, strlen(secret), text, strlen(text), mac);
	hex_encode(mac, sizeof(mac), hex);
	free(text);
	return !strncmp(sig, "sha256=", 7) && strlen(sig) == 7 + 64 &&
	       ct_equal(sig + 7, hex, 64);
}

static void
test_signature_verifies(void)
{
	char *url = hook_url("ok"), *secret = NULL, *tampered, *msg;
	struct bb_hook *h;
	struct db_rows *row;
	json_object *body, *v;
	long long hook, nid, ts;
	size_t n;

	if (!have_receiver()) {
		CU_FAIL("HAAS_TEST_WEBHOOK_URL is not set");
		free(url);
		return;
	}
	hook = hook_create(url, "[\"stock.low\"]", &secret);
	nid = send_test(hook);
	CU_ASSERT_FATAL(nid > 0);
	CU_ASSERT_EQUAL_FATAL(db_row(bb_db(), sql_notice_msg, DB_P(db_int(nid)),
				     1, ERR_NOT_FOUND, &row), ERR_OK);
	msg = xstrdup(db_col(row, 0));
	db_rows_free(row);
	h = hooks_at(url_path(url), 1, 30, &n);
	CU_ASSERT_EQUAL_FATAL(n, 1);
	CU_ASSERT_STRING_EQUAL(h[0].id, msg);
	CU_ASSERT_STRING_EQUAL(h[0].kind, "webhook.test");
	CU_ASSERT_EQUAL(h[0].status, 200);
	/* the timestamp is now-ish unix seconds */
	ts = strtoll(h[0].timestamp, NULL, 10);
	CU_ASSERT(ts > time(NULL) - 120 && ts <= time(NULL) + 5);
	/* it verifies; a tampered body or timestamp does not */
	CU_ASSERT_TRUE(signature_ok(secret, h[0].timestamp, h[0].body,
				    h[0].signature));
	tampered = xstrdup(h[0].body);
	tampered[strlen(tampered) / 2] ^= 1;
	CU_ASSERT_FALSE(signature_ok(secret, h[0].timestamp, tampered,
				     h[0].signature));
	free(tampered);
	tampered = xasprintf("%lld", ts + 1);
	CU_ASSERT_FALSE(signature_ok(secret, tampered, h[0].body,
				     h[0].signature));
	free(tampered);
	CU_ASSERT_FALSE(signature_ok("not-the-secret", h[0].timestamp,
				     h[0].body, h[0].signature));
	/* the body: {"id", "kind", "created_at", "data"} */
	body = json_tokener_parse(h[0].body);
	CU_ASSERT_PTR_NOT_NULL_FATAL(body);
	CU_ASSERT(json_object_object_get_ex(body, "id", &v) &&
		  !strcmp(json_object_get_string(v), msg));
	CU_ASSERT(json_object_object_get_ex(body, "data", &v) &&
		  json_object_object_get_ex(v, "sent_by", NULL));
	json_object_put(body);
	CU_ASSERT_TRUE(notice_reaches(nid, "sent", 30));
	bb_hooks_free(h, n);
	free(msg);
	free(secret);
	free(url);
}

/* 500s: retried after growing pauses, dead after notify_max_attempts
 * (4 in the test stack), shown with every attempt; a retry sends it
 * again under the same message id. */
static void
test_failures_back_off_then_dead(void)
{
	char *url = hook_url("fail"), *ok = hook_url("ok"), *path, *body;
	struct bb_hook *h, *h2;
	struct bb_resp *r;
	json_object *arr;
	long long hook, nid;
	size_t n, n2, i;

	if (!have_receiver()) {
		CU_FAIL("HAAS_TEST_WEBHOOK_URL is not set");
		goto out_free;
	}
	hook = hook_create(url, "[\"stock.low\"]", NULL);
	nid = send_test(hook);
	CU_ASSERT_TRUE_FATAL(notice_reaches(nid, "dead", 90));
	h = hooks_at(url_path(url), 4, 5, &n);
	CU_ASSERT_EQUAL(n, 4);
	for (i = 0; i < n; i++)
		CU_ASSERT_EQUAL(h[i].status, 500);
	/* growing delays: 1, 2, 4 s in the test stack */
	if (n == 4) {
		double g1 = h[1].at - h[0].at, g2 = h[2].at - h[1].at,
		       g3 = h[3].at - h[2].at;

		fprintf(stderr, "back-off gaps: %.2f %.2f %.2f s\n", g1, g2, g3);
		CU_ASSERT(g1 >= 0.9);
		CU_ASSERT(g2 > g1 && g3 > g2);
		CU_ASSERT(g2 >= 1.8 && g3 >= 3.6);
		CU_ASSERT_STRING_EQUAL(h[0].id, h[3].id);
	}
	path = xasprintf("/api/notices/%lld", nid);
	r = bb_get(path, admin);
	CU_ASSERT_STRING_EQUAL(bb_sub(r, "notice", "state"), "dead");
	CU_ASSERT_STRING_EQUAL(bb_sub(r, "notice", "attempts"), "4");
	CU_ASSERT_EQUAL(bb_len(r, "attempts"), 4);
	arr = json_object_object_get(r->json, "attempts");
	for (i = 0; arr && i < json_object_array_length(arr); i++) {
		json_object *a = json_object_array_get_idx(arr, i);

		CU_ASSERT_FALSE(json_object_get_boolean(
			json_object_object_get(a, "ok")));
		CU_ASSERT_EQUAL(json_object_get_int(
			json_object_object_get(a, "code")), 500);
	}
	bb_free(r);
	free(path);

	/* the receiver mended (a new URL), the dead notice retried */
	path = xasprintf("/api/webhooks/%lld", hook);
	body = xasprintf("{\"url\": \"%s\"}", ok);
	CU_ASSERT_EQUAL(status_of(bb_json("PATCH", path, admin, body)), 200);
	free(body);
	free(path);
	path = xasprintf("/api/notices/%lld/retry", nid);
	r = bb_json("POST", path, admin, NULL);
	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);
	free(path);
	CU_ASSERT_TRUE(notice_reaches(nid, "sent", 30));
	h2 = hooks_at(url_path(ok), 1, 10, &n2);
	CU_ASSERT_EQUAL(n2, 1);
	if (n2 && n)
		CU_ASSERT_STRING_EQUAL(h2[0].id, h[0].id);
	bb_hooks_free(h2, n2);
	bb_hooks_free(h, n);
out_free:
	free(ok);
	free(url);
}

#define BATCH 40

/* The sender SIGKILLed while it delivers a batch: every notice arrives
 * (at least once, by message id) and each is sent once in the outbox. */
static void
test_sender_killed_mid_batch(void)
{
	char *url = hook_url("ok"), *msgs[BATCH];
	struct bb_hook *h;
	struct db_rows *row;
	long long hook, ids[BATCH];
	size_t n, i, j, seen_before, distinct = 0, missing = 0;

	if (!have_receiver()) {
		CU_FAIL("HAAS_TEST_WEBHOOK_URL is not set");
		free(url);
		return;
	}
	hook = hook_create(url, "[\"stock.low\"]", NULL);
	/* written while the sender is away, so it finds a full batch */
	CU_ASSERT_EQUAL_FATAL(bb_stack("notifyd-stop"), 0);
	for (i = 0; i < BATCH; i++) {
		ids[i] = send_test(hook);
		msgs[i] = NULL;
		if (db_row(bb_db(), sql_notice_msg, DB_P(db_int(ids[i])), 1,
			   ERR_NOT_FOUND, &row) == ERR_OK) {
			msgs[i] = xstrdup(db_col(row, 0));
			db_rows_free(row);
		}
	}
	CU_ASSERT_EQUAL_FATAL(bb_stack("notifyd-start"), 0);
	/* the first one arrived: the sender is mid-batch */
	h = hooks_at(url_path(url), 1, 30, &n);
	seen_before = n;
	bb_hooks_free(h, n);
	CU_ASSERT_EQUAL(bb_stack("notifyd-kill-child"), 0);
	h = hooks_at(url_path(url), BATCH, 1, &n);
	fprintf(stderr, "killed after %zu of %d requests had arrived\n",
		n >= seen_before ? n : seen_before, BATCH);
	bb_hooks_free(h, n);
	/* its claims run out (notify_lease) and a new child sends them */
	for (i = 0; i < BATCH; i++)
		CU_ASSERT_TRUE(notice_reaches(ids[i], "sent", 90));
	h = hooks_at(url_path(url), BATCH, 5, &n);
	for (i = 0; i < BATCH; i++) {
		bool found = false;

		for (j = 0; msgs[i] && j < n && !found; j++)
			found = !strcmp(h[j].id, msgs[i]);
		if (!found)
			missing++;
	}
	for (j = 0; j < n; j++) {
		bool first = true;

		for (i = 0; i < j && first; i++)
			first = strcmp(h[i].id, h[j].id) != 0;
		distinct += first;
	}
	fprintf(stderr, "%zu requests, %zu distinct message ids, %zu"
		" duplicates, %zu missing\n", n, distinct, n - distinct, missing);
	CU_ASSERT_EQUAL(missing, 0);
	CU_ASSERT_EQUAL(distinct, BATCH);
	/* duplicates only for what was in flight when it died */
	CU_ASSERT(n - distinct <= 1);
	CU_ASSERT_EQUAL(bb_db_int(sql_hook_notices, DB_P(db_int(hook))), BATCH);
	CU_ASSERT_EQUAL(bb_db_int(sql_sent_once, DB_P(db_int(hook))), BATCH);
	bb_hooks_free(h, n);
	for (i = 0; i < BATCH; i++)
		free(msgs[i]);
	free(url);
}

static CU_TestInfo delivery[] = {
	{ "the signature verifies, a tampered one not", test_signature_verifies },
	{ "500s back off, then dead, then retried", test_failures_back_off_then_dead },
	{ "the sender killed mid-batch", test_sender_killed_mid_batch },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	SUITE("webhooks and the outbox", validation),
	SUITE("delivery to the receiver", delivery),
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	bb_init();
	admin = bb_admin_token();
	return cunit_run(suites);
}

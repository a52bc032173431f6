/* bb_hardening: what review and fault storms found, through nginx: the
 * moment between COMMIT and the reply (Idempotency-Key, registrations),
 * statements never repeated after a lost reply, bounded lock waits,
 * erasure, PATCH without changes, paging, cut-off times.  Faults are
 * injected with X-Haas-Fault (the test stack runs fault_injection = 1). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bb.h"
#include "cunit_main.h"
#include "util.h"

#define PW "Tr0ub4dor&3x"

static char *admin;

static const char sql_orders_of[] =
	"SELECT COUNT(*) FROM orders WHERE user_id = ?";
static const char sql_stock[] = "SELECT stock FROM products WHERE id = ?";
static const char sql_version[] = "SELECT version FROM products WHERE id = ?";
static const char sql_audit_for[] =
	"SELECT COUNT(*) FROM audit_log WHERE action = ? AND entity_id = ?";
static const char sql_users_named[] =
	"SELECT COUNT(*) FROM users WHERE username = ?";
static const char sql_failed_logins[] =
	"SELECT failed_logins FROM users WHERE username = ?";
static const char sql_request_doc[] =
	"SELECT COUNT(*) FROM registration_requests WHERE email = ?"
	" AND document_name IS NOT NULL AND document_deleted_at IS NULL";
static const char sql_request_status[] =
	"SELECT COUNT(*) FROM registration_requests WHERE email = ?"
	" AND status = ?";
static const char sql_available[] =
	"SELECT available_units FROM resources WHERE code = ?";
static const char sql_cancel_reason[] =
	"SELECT COUNT(*) FROM reservations r JOIN devices d"
	" ON d.id = r.device_pk WHERE d.device_id = ? AND r.cancel_reason = ?";
static const char sql_user_status[] =
	"SELECT COUNT(*) FROM users WHERE id = ? AND status = ?";

static char *
idstr(long long id)
{
	return xasprintf("%lld", id);
}

static const char *
header_or(struct bb_resp *r, const char *name)
{
	const char *v = bb_header(r, name);

	return v ? v : "";
}

/* ---- Idempotency-Key across a lost reply ---------------------------------- */

static long long
product_new(long long stock)
{
	char *name = bb_unique("idem"), *b;
	struct bb_resp *r;
	long long id;

	b = xasprintf("{\"kind\": \"accessory\", \"name\": \"%s\", \"price\": 1200,"
		      " \"stock\": %lld}", name, stock);
	r = bb_json("POST", "/api/products", admin, b);
	CU_ASSERT_EQUAL(r->status, 201);
	id = bb_sub_id(r, "product", "product_id");
	bb_free(r);
	free(b);
	free(name);
	return id;
}

static struct bb_resp *
order(const char *token, long long product, const char *key,
      const char *fault)
{
	char *b = xasprintf("{\"items\": [{\"product_id\": %lld, \"quantity\": 2}]}",
			    product);
	char *h = xasprintf("Idempotency-Key: %s", key), *f = NULL;
	struct bb_resp *r;

	if (fault) {
		f = xasprintf("%s\r\nX-Haas-Fault: %s", h, fault);
		free(h);
		h = f;
	}
	r = bb_req("POST", "/api/orders/create", token, "application/json", b,
		   strlen(b), h);
	free(b);
	free(h);
	return r;
}

/* COMMIT ran, its answer never reached haasd (fault), or haasd died right
 * after it: the client saw 503 or 502.  Its retry with the same key gets
 * the order that was made, and no second one is made. */
static void
idempotent_after(const char *fault, long want_first)
{
	long long uid, product = product_new(10);
	char *u = bb_new_user("idem", &uid), *key = bb_unique("k");
	struct bb_resp *r = order(u, product, key, fault);
	long long first;

	CU_ASSERT_EQUAL(r->status, want_first);
	CU_ASSERT(r->json && *bb_str(r, "code"));
	if (want_first == 503)
		CU_ASSERT_STRING_EQUAL(header_or(r, "Retry-After"), "1");
	bb_free(r);
	CU_ASSERT_EQUAL(bb_db_int(sql_orders_of, DB_P(db_int(uid))), 1);
	CU_ASSERT(bb_wait_health(200, 30));
	r = order(u, product, key, NULL);
	CU_ASSERT_EQUAL(r->status, 201);
	CU_ASSERT_STRING_EQUAL(header_or(r, "Idempotent-Replayed"), "true");
	first = bb_sub_id(r, "order", "order_id");
	CU_ASSERT(first > 0);
	bb_free(r);
	CU_ASSERT_EQUAL(bb_db_int(sql_orders_of, DB_P(db_int(uid))), 1);
	CU_ASSERT_EQUAL(bb_db_int(sql_stock, DB_P(db_int(product))), 8);
	/* and once more, the same answer */
	r = order(u, product, key, NULL);
	CU_ASSERT_EQUAL(bb_sub_id(r, "order", "order_id"), first);
	bb_free(r);
	free(key);
	free(u);
}

static void
test_idem_lost_commit_reply(void)
{
	idempotent_after("lost-after:COMMIT", 503);
}

static void
test_idem_worker_killed_after_commit(void)
{
	idempotent_after("crash-after:COMMIT", 502);
}

/* A claim whose request failed before COMMIT leaves nothing: the retry
 * makes the order. */
static void
test_idem_failed_before_commit(void)
{
	long long uid, product = product_new(10);
	char *u = bb_new_user("idem", &uid), *key = bb_unique("k");
	struct bb_resp *r = order(u, product, key, "down-before:COMMIT");

	CU_ASSERT_EQUAL(r->status, 503);
	bb_free(r);
	CU_ASSERT_EQUAL(bb_db_int(sql_orders_of, DB_P(db_int(uid))), 0);
	CU_ASSERT_EQUAL(bb_db_int(sql_stock, DB_P(db_int(product))), 10);
	r = order(u, product, key, NULL);
	CU_ASSERT_EQUAL(r->status, 201);
	CU_ASSERT_PTR_NULL(bb_header(r, "Idempotent-Replayed"));
	bb_free(r);
	CU_ASSERT_EQUAL(bb_db_int(sql_orders_of, DB_P(db_int(uid))), 1);
	free(key);
	free(u);
}

struct idem_race {
	char *token, *key;
	long long product;
	long long ids[12];
	struct bb_tally t;
};

static void
race_idem(int i, void *arg)
{
	struct idem_race *x = arg;
	struct bb_resp *r = order(x->token, x->product, x->key, NULL);

	x->ids[i] = bb_sub_id(r, "order", "order_id");
	bb_tally(&x->t, r, 201);
}

/* Twelve copies of one request at once: the later ones wait for the
 * first and replay it; one order, twelve identical answers. */
static void
test_idem_concurrent(void)
{
	struct idem_race x = { .t = { 0 } };
	long long uid;
	int i;

	x.token = bb_new_user("idem", &uid);
	x.key = bb_unique("k");
	x.product = product_new(50);
	bb_parallel(12, race_idem, &x);
	CU_ASSERT_EQUAL(x.t.ok, 12);
	for (i = 1; i < 12; i++)
		CU_ASSERT_EQUAL(x.ids[i], x.ids[0]);
	CU_ASSERT_EQUAL(bb_db_int(sql_orders_of, DB_P(db_int(uid))), 1);
	CU_ASSERT_EQUAL(bb_db_int(sql_stock, DB_P(db_int(x.product))), 48);
	free(x.token);
	free(x.key);
}

/* A keyed request waiting inside its transaction (on a product row held
 * elsewhere) does not hold up another user's keyed request: a new key
 * takes only its own record, no range of them. */
struct two_claims {
	char *ua, *ub;
	long long pa, pb;
	long a_status, b_status;
	int a_done;
	int a_done_before_b;
};

static void
claim_pair(int i, void *arg)
{
	struct two_claims *x = arg;
	struct bb_resp *r;
	struct db *db;
	long long waits = 0;
	char *key = bb_unique("pair");
	int k;

	if (i == 0) {
		r = order(x->ua, x->pa, key, NULL);
		x->a_status = r->status;
		__sync_add_and_fetch(&x->a_done, 1);
	} else {
		db = bb_db_root();
		for (k = 0; k < 100 && waits < 1; k++) {
			usleep(20000);
			if (db_query_int(db, "SELECT COUNT(*) FROM"
			    " information_schema.innodb_trx WHERE trx_state ="
			    " 'LOCK WAIT'", DB_NONE, ERR_OK, &waits) != ERR_OK)
				waits = 0;
		}
		db_free(db);
		r = order(x->ub, x->pb, key, NULL);
		x->b_status = r->status;
		x->a_done_before_b = x->a_done;
	}
	bb_free(r);
	free(key);
}

static void
test_idem_claims_independent(void)
{
	static const char lock[] = "SELECT id FROM products WHERE id = ?"
		" FOR UPDATE";
	struct two_claims x = { 0 };
	struct db *holder = bb_db_new();
	struct db_rows *rows;

	x.pa = product_new(5);
	x.pb = product_new(5);
	x.ua = bb_new_user("ca", NULL);
	x.ub = bb_new_user("cb", NULL);
	CU_ASSERT_EQUAL_FATAL(db_begin(holder), ERR_OK);
	CU_ASSERT_EQUAL(db_query(holder, lock, DB_P(db_int(x.pa)), 1, &rows),
			ERR_OK);
	db_rows_free(rows);
	bb_parallel(2, claim_pair, &x);
	db_rollback(holder);
	db_free(holder);
	/* B was served while A still waited; A got its answer after */
	CU_ASSERT_EQUAL(x.b_status, 201);
	CU_ASSERT_EQUAL(x.a_done_before_b, 0);
	CU_ASSERT_EQUAL(x.a_status, 503);
	free(x.ua);
	free(x.ub);
}

/* A checkout whose COMMIT answer was lost, retried with its key: the
 * units are taken once. */
static void
test_idem_checkout(void)
{
	char *u = bb_new_user("chk", NULL), *code = bb_unique("IDEMCHK");
	char *b = xasprintf("{\"name\": \"%s\", \"total_units\": 10}", code);
	char *h, *k = bb_unique("k");
	struct bb_resp *r = bb_json("POST", "/api/resources/create", admin, b);

	CU_ASSERT_EQUAL(r->status, 201);
	bb_free(r);
	free(b);
	b = xasprintf("{\"resource_id\": \"%s\", \"units\": 3}", code);
	h = xasprintf("Idempotency-Key: %s\r\nX-Haas-Fault: lost-after:COMMIT", k);
	r = bb_req("POST", "/api/resources/checkout", u, "application/json", b,
		   strlen(b), h);
	CU_ASSERT_EQUAL(r->status, 503);
	bb_free(r);
	free(h);
	h = xasprintf("Idempotency-Key: %s", k);
	r = bb_req("POST", "/api/resources/checkout", u, "application/json", b,
		   strlen(b), h);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_STRING_EQUAL(header_or(r, "Idempotent-Replayed"), "true");
	bb_free(r);
	CU_ASSERT_EQUAL(bb_db_int(sql_available, DB_P(db_str(code))), 7);
	free(h);
	free(b);
	free(k);
	free(code);
	free(u);
}

/* ---- statements never repeated after a lost reply ------------------------ */

static struct bb_resp *
with_fault(const char *method, const char *path, const char *token,
	   const char *json, const char *fault)
{
	char *h = xasprintf("X-Haas-Fault: %s", fault);
	struct bb_resp *r = bb_req(method, path, token, "application/json",
				   json, json ? strlen(json) : 0, h);

	free(h);
	return r;
}

/* A sign-up whose INSERT ran but whose answer was lost is not run again
 * (which answered "User already exists" for the account it had just
 * made); the client's retry creates it. */
static void
test_signup_not_repeated(void)
{
	char *u = bb_unique("once"), *b;
	struct bb_resp *r;

	b = xasprintf("{\"username\": \"%s\", \"password\": \"%s\"}", u, PW);
	r = with_fault("POST", "/api/auth/signup", NULL, b,
		       "lost-after:INSERT INTO users");
	CU_ASSERT_EQUAL(r->status, 503);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), "db_unavailable");
	bb_free(r);
	CU_ASSERT_EQUAL(bb_db_int(sql_users_named, DB_P(db_str(u))), 0);
	r = bb_json("POST", "/api/auth/signup", NULL, b);
	CU_ASSERT_EQUAL(r->status, 201);
	bb_free(r);
	CU_ASSERT_EQUAL(bb_db_int(sql_users_named, DB_P(db_str(u))), 1);
	free(b);
	free(u);
}

/* A failed login whose count update ran but lost its answer is not
 * counted twice. */
static void
test_failed_login_counted_once(void)
{
	char *u = bb_unique("cnt"), *b;
	struct bb_resp *r;

	b = xasprintf("{\"username\": \"%s\", \"password\": \"%s\"}", u, PW);
	r = bb_json("POST", "/api/auth/signup", NULL, b);
	bb_free(r);
	free(b);
	b = xasprintf("{\"username\": \"%s\", \"password\": \"wrong-one-1\"}", u);
	r = with_fault("POST", "/api/auth/login", NULL, b,
		       "lost-after:failed_logins = IF");
	CU_ASSERT(r->status == 503 || r->status == 401);
	bb_free(r);
	CU_ASSERT(bb_db_int(sql_failed_logins, DB_P(db_str(u))) <= 1);
	r = bb_json("POST", "/api/auth/login", NULL, b);
	CU_ASSERT_EQUAL(r->status, 401);
	bb_free(r);
	CU_ASSERT(bb_db_int(sql_failed_logins, DB_P(db_str(u))) <= 2);
	free(b);
	free(u);
}

/* The device list runs a query inside its row loop; losing the
 * connection there must not let the outer rows be read from freed
 * memory (ASan watches haasd's log): a clean 503, then service. */
static void
test_stale_rows_in_a_loop(void)
{
	char *dev = bb_unique("pc"), *b, *u = bb_new_user("loop", NULL);
	struct bb_resp *r;

	b = xasprintf("{\"device_id\": \"%s\", \"name\": \"Loop PC\"}", dev);
	r = bb_json("POST", "/api/devices", admin, b);
	CU_ASSERT_EQUAL(r->status, 201);
	bb_free(r);
	r = with_fault("GET", "/api/devices?limit=500", u, NULL,
		       "lost-after:TIMESTAMPDIFF");
	CU_ASSERT_EQUAL(r->status, 503);
	CU_ASSERT(r->json != NULL);
	bb_free(r);
	r = bb_get("/api/devices?limit=500", u);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT(strstr(r->body, dev) != NULL);
	bb_free(r);
	free(b);
	free(dev);
	free(u);
}

/* ---- a registration whose COMMIT answer was lost keeps its document ------ */

static void
test_register_keeps_document(void)
{
	char *u = bb_unique("doc"), *email = xasprintf("%s@example.com", u);
	char plate[16], *body;
	FILE *f = fopen("/tmp/bb_hardening_id.pdf", "wb");

	if (f) {
		fputs("%PDF-1.4\nid card\n", f);
		fclose(f);
	}
	snprintf(plate, sizeof(plate), "DK%06ld", (long)getpid() % 1000000);
	CU_ASSERT_EQUAL(bb_register(email, plate,
		"-F 'document=@/tmp/bb_hardening_id.pdf'",
		"-H 'X-Haas-Fault: lost-after:COMMIT'", &body), 503);
	free(body);
	/* the request was stored, and so is its document */
	CU_ASSERT_EQUAL(bb_db_int(sql_request_doc, DB_P(db_str(email))), 1);
	{
		char *sql = "SELECT document_name FROM registration_requests"
			    " WHERE email = ?";
		struct db_rows *rows;
		struct stat st;
		char *path = NULL;

		if (db_query(bb_db(), sql, DB_P(db_str(email)), 1, &rows) ==
		    ERR_OK) {
			if (db_next(rows) && db_col(rows, 0))
				path = xasprintf("%s/uploads/%s",
						 getenv("HAAS_STATE_DIR"),
						 db_col(rows, 0));
			db_rows_free(rows);
		}
		CU_ASSERT(path && stat(path, &st) == 0 && st.st_size == 17);
		free(path);
	}
	unlink("/tmp/bb_hardening_id.pdf");
	free(email);
	free(u);
}

/* ---- bounded lock waits --------------------------------------------------- */

struct blocked {
	char *code;
	char *tokens[8];
	struct bb_tally t;
	int busy;		/* 503 db_lock_timeout with Retry-After */
};

static void
blocked_checkout(int i, void *arg)
{
	struct blocked *x = arg;
	char *b = xasprintf("{\"resource_id\": \"%s\", \"units\": 1}", x->code);
	struct bb_resp *r = bb_json("POST", "/api/resources/checkout",
				    x->tokens[i], b);

	if (r->status == 503 && !strcmp(bb_str(r, "code"), "db_lock_timeout") &&
	    !strcmp(header_or(r, "Retry-After"), "1"))
		__sync_add_and_fetch(&x->busy, 1);
	bb_tally(&x->t, r, 200);
	free(b);
}

/* A row held for a long time (a stuck transaction elsewhere) makes
 * requests that need it wait at most db_lock_wait_timeout, then answer
 * 503 with Retry-After; nothing changes. */
static void
test_lock_wait_bounded(void)
{
	static const char lock[] = "SELECT id FROM resources WHERE code = ?"
		" FOR UPDATE";
	struct blocked x = { .t = { 0 } };
	struct db *holder = bb_db_new();
	struct db_rows *rows;
	char *b;
	struct bb_resp *r;
	int i;

	x.code = bb_unique("LOCK");
	b = xasprintf("{\"name\": \"%s\", \"total_units\": 20}", x.code);
	r = bb_json("POST", "/api/resources/create", admin, b);
	CU_ASSERT_EQUAL(r->status, 201);
	bb_free(r);
	free(b);
	for (i = 0; i < 4; i++)
		x.tokens[i] = bb_new_user("wait", NULL);
	CU_ASSERT_EQUAL_FATAL(db_begin(holder), ERR_OK);
	CU_ASSERT_EQUAL(db_query(holder, lock, DB_P(db_str(x.code)), 1, &rows),
			ERR_OK);
	db_rows_free(rows);
	bb_parallel(4, blocked_checkout, &x);
	db_rollback(holder);
	db_free(holder);
	CU_ASSERT_EQUAL(x.busy, 4);
	CU_ASSERT_EQUAL(bb_db_int(sql_available, DB_P(db_str(x.code))), 20);
	/* released: served again */
	b = xasprintf("{\"resource_id\": \"%s\", \"units\": 1}", x.code);
	r = bb_json("POST", "/api/resources/checkout", x.tokens[0], b);
	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);
	free(b);
	CU_ASSERT_EQUAL(bb_db_int(sql_available, DB_P(db_str(x.code))), 19);
	for (i = 0; i < 4; i++)
		free(x.tokens[i]);
	free(x.code);
}

/* Health while every pool worker waits on a lock: more checkouts of a
 * locked set than haasd has pool workers keep the whole pool busy;
 * /api/health, served by its reserved worker, answers before any of them
 * comes back. */
#define BUSY_MAX 64

struct pool_busy {
	int n;			/* checkouts: the pool size and four more */
	char *code;
	char *tokens[BUSY_MAX];
	int returned;		/* checkouts answered so far */
	long health;		/* /api/health's status */
	int returned_before_health;
};

/* Waits until at least n sessions wait on a row lock (or two seconds). */
static void
lock_waits_reach(long long n)
{
	static const char waits[] = "SELECT COUNT(*) FROM"
		" information_schema.innodb_trx WHERE trx_state = 'LOCK WAIT'";
	struct db *db = bb_db_root();
	long long seen = 0;
	int k;

	for (k = 0; k < 100 && seen < n; k++) {
		usleep(20000);
		if (db_query_int(db, waits, DB_NONE, ERR_OK, &seen) != ERR_OK)
			seen = 0;
	}
	CU_ASSERT(seen >= n);
	db_free(db);
}

static void
busy_worker(int i, void *arg)
{
	struct pool_busy *x = arg;
	struct bb_resp *r;
	char *b;

	if (i < x->n) {
		b = xasprintf("{\"resource_id\": \"%s\", \"units\": 1}",
			      x->code);
		r = bb_json("POST", "/api/resources/checkout", x->tokens[i], b);
		__sync_add_and_fetch(&x->returned, 1);
		bb_free(r);
		free(b);
		return;
	}
	/* the prober: once every pool worker waits on the lock */
	lock_waits_reach(bb_pool_size());
	r = bb_get("/api/health", NULL);
	x->returned_before_health = x->returned;
	x->health = r->status;
	bb_free(r);
}

static void
test_health_while_pool_waits(void)
{
	static const char lock[] = "SELECT id FROM resources WHERE code = ?"
		" FOR UPDATE";
	struct pool_busy x = { 0 };
	struct db *holder = bb_db_new();
	struct db_rows *rows;
	struct bb_resp *r;
	char *b;
	int i;

	x.n = bb_pool_size() + 4 < BUSY_MAX ? bb_pool_size() + 4 : BUSY_MAX;
	x.code = bb_unique("POOL");
	b = xasprintf("{\"name\": \"%s\", \"total_units\": 100}", x.code);
	r = bb_json("POST", "/api/resources/create", admin, b);
	CU_ASSERT_EQUAL(r->status, 201);
	bb_free(r);
	free(b);
	for (i = 0; i < x.n; i++)
		x.tokens[i] = bb_new_user("pool", NULL);
	CU_ASSERT_EQUAL_FATAL(db_begin(holder), ERR_OK);
	CU_ASSERT_EQUAL(db_query(holder, lock, DB_P(db_str(x.code)), 1, &rows),
			ERR_OK);
	db_rows_free(rows);
	bb_parallel(x.n + 1, busy_worker, &x);
	db_rollback(holder);
	db_free(holder);
	CU_ASSERT_EQUAL(x.health, 200);
	CU_ASSERT_EQUAL(x.returned_before_health, 0);
	CU_ASSERT_EQUAL(x.returned, x.n);
	CU_ASSERT_EQUAL(bb_db_int(sql_available, DB_P(db_str(x.code))), 100);
	for (i = 0; i < x.n; i++)
		free(x.tokens[i]);
	free(x.code);
}

/* ---- PATCH without changes, paging, times --------------------------------- */

static void
test_patch_without_changes(void)
{
	long long id = product_new(5), uid;
	char *p = xasprintf("/api/products/%lld", id), *s = idstr(id);
	char *u = bb_new_user("patch", &uid), *us = idstr(uid);
	long long version = bb_db_int(sql_version, DB_P(db_int(id)));
	static const char *const bodies[] = {
		"{}", "{\"version\": 1}", "{\"colour\": \"red\"}",
	};
	struct bb_resp *r;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bodies); i++) {
		r = bb_json("PATCH", p, admin, bodies[i]);
		CU_ASSERT_EQUAL(r->status, 400);
		CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), "no_changes");
		bb_free(r);
	}
	CU_ASSERT_EQUAL(bb_db_int(sql_version, DB_P(db_int(id))), version);
	CU_ASSERT_EQUAL(bb_db_int(sql_audit_for, DB_P(db_str("product.update"),
			db_str(s))), 0);
	r = bb_json("PATCH", "/api/users/me", u, "{}");
	CU_ASSERT_EQUAL(r->status, 400);
	CU_ASSERT(strstr(bb_str(r, "error"), "name") != NULL);
	bb_free(r);
	CU_ASSERT_EQUAL(bb_db_int(sql_audit_for, DB_P(db_str("user.update"),
			db_str(us))), 0);
	/* a real change still works */
	r = bb_json("PATCH", p, admin, "{\"stock\": 7}");
	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);
	CU_ASSERT_EQUAL(bb_db_int(sql_version, DB_P(db_int(id))), version + 1);
	free(p);
	free(s);
	free(u);
	free(us);
}

static void
test_paging_checked_everywhere(void)
{
	static const char *const bad[] = {
		"/api/brands?limit=0", "/api/brands?limit=abc",
		"/api/products?offset=-1", "/api/products?limit=501",
		"/api/orders?limit=1e3", "/api/audit?cursor=0",
		"/api/resources?offset=x", "/api/parking-spaces?limit=-5",
		"/api/users?limit=%2B5",
	};
	static const char *const fine[] = {
		"/api/users?limit=", "/api/brands?limit=500&offset=0",
	};
	struct bb_resp *r;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		r = bb_get(bad[i], admin);
		CU_ASSERT_EQUAL(r->status, 400);
		CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), "bad_query");
		bb_free(r);
	}
	for (i = 0; i < ARRAY_SIZE(fine); i++) {
		r = bb_get(fine[i], admin);
		CU_ASSERT_EQUAL(r->status, 200);
		bb_free(r);
	}
}

/* The history filter once read past a time cut after its minutes' colon
 * (ASan in haasd's log); now one parser answers 400. */
static void
test_cut_off_times(void)
{
	static const char *const qs[] = {
		"from=2026-01-01T10:00:", "from=2026-01-01T10", "to=2026-01-01T",
		"from=2026-01-01T10:00:00%2B01:", "to=2026-02-30T10:00",
	};
	char *u = bb_new_user("time", NULL), *p;
	struct bb_resp *r;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(qs); i++) {
		p = xasprintf("/api/parking-spaces/1/history?%s", qs[i]);
		r = bb_get(p, u);
		CU_ASSERT_EQUAL(r->status, 400);
		CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), "bad_query");
		bb_free(r);
		free(p);
		p = xasprintf("/api/audit?%s", qs[i]);
		r = bb_get(p, admin);
		CU_ASSERT_EQUAL(r->status, 400);
		bb_free(r);
		free(p);
	}
	free(u);
}

/* ---- erasure ends access and data ---------------------------------------- */

static char *
device_new(char **key)
{
	char *dev = bb_unique("pc"), *b;
	struct bb_resp *r;

	b = xasprintf("{\"device_id\": \"%s\", \"name\": \"Erase PC\"}", dev);
	r = bb_json("POST", "/api/devices", admin, b);
	CU_ASSERT_EQUAL(r->status, 201);
	*key = xstrdup(bb_str(r, "device_key"));
	bb_free(r);
	free(b);
	return dev;
}

/* Now + minutes as ISO 8601 UTC. */
static char *
iso_in(int minutes)
{
	time_t t = time(NULL) + minutes * 60;
	struct tm tm;
	char buf[32];

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return xstrdup(buf);
}

/* uid reserves dev from a minute ago for minutes, with cred. */
static void
reserve_now(const char *token, const char *dev, int minutes,
	    const char *cred)
{
	char *start = iso_in(-1), *end = iso_in(minutes), *b;
	struct bb_resp *r;

	b = xasprintf("{\"device_id\": \"%s\", \"start_time\": \"%s\","
		      " \"end_time\": \"%s\", \"credential\": \"%s\"}",
		      dev, start, end, cred);
	r = bb_json("POST", "/set-reservation", token, b);
	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);
	free(b);
	free(start);
	free(end);
}

static long
verify(const char *dev, const char *key, const char *cred, bool *valid)
{
	char *p = xasprintf("/api/devices/%s/verify", dev);
	char *h = xasprintf("X-Device-Key: %s", key);
	char *b = xasprintf("{\"credential\": \"%s\"}", cred);
	struct bb_resp *r = bb_req("POST", p, NULL, "application/json", b,
				   strlen(b), h);
	long status = r->status;

	*valid = r->json && json_object_get_boolean(json_object_object_get(
		r->json, "valid"));
	bb_free(r);
	free(p);
	free(h);
	free(b);
	return status;
}

/* A user holding a window now and units: erasure waits for the units
 * (409, listing them), then ends the window at once. */
static void
test_erasure(void)
{
	long long uid;
	char *u = bb_new_user("erase", &uid), *key, *dev = device_new(&key);
	char *b, *code;
	struct bb_resp *r;
	bool valid = false;

	reserve_now(u, dev, 60, "open-sesame");
	CU_ASSERT_EQUAL(verify(dev, key, "open-sesame", &valid), 200);
	CU_ASSERT(valid);
	code = bb_unique("ERS");
	b = xasprintf("{\"name\": \"%s\", \"total_units\": 3}", code);
	r = bb_json("POST", "/api/resources/create", admin, b);
	bb_free(r);
	free(b);
	b = xasprintf("{\"resource_id\": \"%s\", \"units\": 2}", code);
	r = bb_json("POST", "/api/resources/checkout", u, b);
	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);
	r = bb_req("DELETE", "/api/users/me", u, NULL, NULL, 0, NULL);
	CU_ASSERT_EQUAL(r->status, 409);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), "holds_units");
	CU_ASSERT(strstr(r->body, code) != NULL);
	bb_free(r);
	CU_ASSERT_EQUAL(bb_db_int(sql_user_status, DB_P(db_int(uid),
			db_str("active"))), 1);
	r = bb_json("POST", "/api/resources/checkin", u, b);
	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);
	free(b);
	r = bb_req("DELETE", "/api/users/me", u, NULL, NULL, 0, NULL);
	CU_ASSERT_EQUAL(r->status, 204);
	bb_free(r);
	CU_ASSERT_EQUAL(verify(dev, key, "open-sesame", &valid), 200);
	CU_ASSERT(!valid);
	CU_ASSERT_EQUAL(bb_db_int(sql_cancel_reason, DB_P(db_str(dev),
			db_str("account_erased"))), 1);
	free(code);
	free(dev);
	free(key);
	free(u);
}

/* Disabling ends the user's windows too. */
static void
test_disable_ends_credentials(void)
{
	long long uid;
	char *u = bb_new_user("dis", &uid), *key, *dev = device_new(&key);
	char *p;
	struct bb_resp *r;
	bool valid = false;

	reserve_now(u, dev, 30, "c-1");
	p = xasprintf("/api/users/%lld", uid);
	r = bb_json("PATCH", p, admin, "{\"disabled\": true}");
	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);
	CU_ASSERT_EQUAL(verify(dev, key, "c-1", &valid), 200);
	CU_ASSERT(!valid);
	CU_ASSERT_EQUAL(bb_db_int(sql_cancel_reason, DB_P(db_str(dev),
			db_str("account_disabled"))), 1);
	free(p);
	free(dev);
	free(key);
	free(u);
}

/* An applicant erased by an admin: the request is closed and its
 * document deleted from disk. */
static void
test_erasure_deletes_document(void)
{
	char *u = bb_unique("erd"), *email = xasprintf("%s@example.com", u);
	char plate[16], *body, *p;
	long long rid = 0, uid = 0;
	struct db_rows *rows;
	char *path = NULL;
	struct stat st;
	FILE *f = fopen("/tmp/bb_hardening_er.pdf", "wb");

	if (f) {
		fputs("%PDF-1.4\nerase me\n", f);
		fclose(f);
	}
	snprintf(plate, sizeof(plate), "ER%06ld", (long)getpid() % 1000000);
	CU_ASSERT_EQUAL(bb_register(email, plate,
		"-F 'document=@/tmp/bb_hardening_er.pdf'", "", &body), 201);
	free(body);
	if (db_query(bb_db(), "SELECT id, user_id, document_name FROM"
		     " registration_requests WHERE email = ?",
		     DB_P(db_str(email)), 3, &rows) == ERR_OK) {
		if (db_next(rows)) {
			rid = db_col_int(rows, 0);
			uid = db_col_int(rows, 1);
			path = xasprintf("%s/uploads/%s",
					 getenv("HAAS_STATE_DIR"),
					 db_col(rows, 2));
		}
		db_rows_free(rows);
	}
	CU_ASSERT_FATAL(path != NULL);
	CU_ASSERT(stat(path, &st) == 0);
	p = xasprintf("/api/users/%lld", uid);
	{
		struct bb_resp *r = bb_req("DELETE", p, admin, NULL, NULL, 0,
					   NULL);

		CU_ASSERT_EQUAL(r->status, 204);
		bb_free(r);
	}
	CU_ASSERT(stat(path, &st) != 0);
	CU_ASSERT_EQUAL(bb_db_int("SELECT COUNT(*) FROM registration_requests"
		" WHERE id = ? AND status = 'rejected' AND email IS NULL"
		" AND document_deleted_at IS NOT NULL", DB_P(db_int(rid))), 1);
	unlink("/tmp/bb_hardening_er.pdf");
	free(path);
	free(p);
	free(email);
	free(u);
}

/* ---- registrations expire; the applicant may apply again ----------------- */

static void
test_registration_expires(void)
{
	char *u = bb_unique("exp"), *email = xasprintf("%s@example.com", u);
	char plate[16], *body;
	struct bb_resp *r;
	FILE *f = fopen("/tmp/bb_hardening_ex.pdf", "wb");

	if (f) {
		fputs("%PDF-1.4\nexpire\n", f);
		fclose(f);
	}
	snprintf(plate, sizeof(plate), "EX%06ld", (long)getpid() % 1000000);
	CU_ASSERT_EQUAL(bb_register(email, plate,
		"-F 'document=@/tmp/bb_hardening_ex.pdf'", "", &body), 201);
	free(body);
	/* the email is taken while the request waits */
	CU_ASSERT_EQUAL(bb_register(email, plate,
		"-F 'document=@/tmp/bb_hardening_ex.pdf'", "", &body), 409);
	free(body);
	/* time passes: 15 days (registration_ttl_days is 14) */
	CU_ASSERT_EQUAL(db_exec(bb_db(), "UPDATE registration_requests SET"
		" submitted_at = submitted_at - INTERVAL 15 DAY WHERE email = ?",
		DB_P(db_str(email)), NULL), ERR_OK);
	r = bb_get("/api/requests?status=expired&limit=500", admin);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT(strstr(r->body, email) != NULL);
	bb_free(r);
	CU_ASSERT_EQUAL(bb_db_int(sql_request_status, DB_P(db_str(email),
			db_str("expired"))), 1);
	CU_ASSERT_EQUAL(bb_register(email, plate,
		"-F 'document=@/tmp/bb_hardening_ex.pdf'", "", &body), 201);
	free(body);
	CU_ASSERT_EQUAL(bb_db_int(sql_request_status, DB_P(db_str(email),
			db_str("pending"))), 1);
	unlink("/tmp/bb_hardening_ex.pdf");
	free(email);
	free(u);
}

/* /api/register is rate limited per address by nginx (JSON 429), like
 * the log-in paths; the flood stores nothing.  Runs last: the limit
 * stays spent for a while. */
static void
test_register_rate_limited(void)
{
	char *u = bb_unique("flood"), *email = xasprintf("%s@example.com", u);
	char *body;
	int i, status = 0, limited = 0;

	for (i = 0; i < 300 && !limited; i++) {
		status = bb_register(email, "FL00D1", "", "", &body);
		if (status == 429) {
			limited = 1;
			CU_ASSERT(strstr(body, "\"rate_limited\"") != NULL);
		} else {
			CU_ASSERT_EQUAL(status, 400);	/* no document */
		}
		free(body);
	}
	CU_ASSERT(limited);
	CU_ASSERT_EQUAL(bb_db_int(sql_request_status, DB_P(db_str(email),
			db_str("pending"))), 0);
	free(email);
	free(u);
}

static int
suite_init(void)
{
	admin = bb_admin_token();
	return *admin ? 0 : 1;
}

static int
suite_clean(void)
{
	free(admin);
	return 0;
}

static CU_TestInfo tests[] = {
	{ "Idempotency-Key: COMMIT answer lost", test_idem_lost_commit_reply },
	{ "Idempotency-Key: worker killed after COMMIT",
	  test_idem_worker_killed_after_commit },
	{ "Idempotency-Key: failed before COMMIT", test_idem_failed_before_commit },
	{ "Idempotency-Key: twelve copies at once", test_idem_concurrent },
	{ "Idempotency-Key: one user's claim does not wait for another's",
	  test_idem_claims_independent },
	{ "Idempotency-Key on checkout", test_idem_checkout },
	{ "sign-up not repeated after a lost answer", test_signup_not_repeated },
	{ "failed login counted once", test_failed_login_counted_once },
	{ "stale rows in a loop: 503, no use after free",
	  test_stale_rows_in_a_loop },
	{ "registration keeps its document after a lost COMMIT answer",
	  test_register_keeps_document },
	{ "lock waits are bounded: 503 with Retry-After",
	  test_lock_wait_bounded },
	{ "health answers while every pool worker waits",
	  test_health_while_pool_waits },
	{ "PATCH without changes is 400 and writes nothing",
	  test_patch_without_changes },
	{ "paging checked on every list", test_paging_checked_everywhere },
	{ "cut-off times are 400", test_cut_off_times },
	{ "erasure: units first, then windows end", test_erasure },
	{ "disabling ends credentials", test_disable_ends_credentials },
	{ "erasure deletes an applicant's document",
	  test_erasure_deletes_document },
	{ "registrations expire and may be repeated",
	  test_registration_expires },
	{ "registration is rate limited", test_register_rate_limited },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	SUITE_INIT("hardening", suite_init, suite_clean, tests),
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	bb_init();
	return cunit_run(suites);
}

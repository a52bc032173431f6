/* bb_foundation: the house itself, through nginx over TLS: health, error
 * shapes, CORS, static files, and the workers surviving a database
 * restart, a killed worker, a reload and a graceful stop. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bb.h"
#include "cunit_main.h"
#include "util.h"

static void
test_health(void)
{
	struct bb_resp *r = bb_get("/api/health", NULL);

	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "status"), "ok");
	CU_ASSERT_STRING_EQUAL(bb_str(r, "db"), "ok");
	CU_ASSERT(strlen(bb_str(r, "version")) > 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(bb_header(r, "Content-Type"),
				      "application/json"));
	CU_ASSERT_PTR_NOT_NULL(bb_header(r, "Access-Control-Allow-Origin"));
	CU_ASSERT_PTR_NOT_NULL(bb_header(r, "X-Content-Type-Options"));
	bb_free(r);
}

static void
test_error_shapes(void)
{
	struct bb_resp *r;

	r = bb_get("/api/no/such/thing", NULL);
	CU_ASSERT_EQUAL(r->status, 404);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "error"), "Not found");
	CU_ASSERT_PTR_NOT_NULL(bb_header(r, "Access-Control-Allow-Origin"));
	bb_free(r);

	r = bb_json("DELETE", "/api/health", NULL, NULL);
	CU_ASSERT_EQUAL(r->status, 405);
	CU_ASSERT_STRING_EQUAL(bb_header(r, "Allow"), "GET, OPTIONS");
	CU_ASSERT(strlen(bb_str(r, "error")) > 0);
	bb_free(r);

	r = bb_req("POST", "/api/auth/signup", NULL, "text/plain", "hi", 2, NULL);
	CU_ASSERT_EQUAL(r->status, 415);
	CU_ASSERT(strlen(bb_str(r, "error")) > 0);
	bb_free(r);

	r = bb_json("POST", "/api/auth/signup", NULL, "{\"username\": \"x\"");
	CU_ASSERT_EQUAL(r->status, 400);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "error"), "Request body is not valid JSON");
	bb_free(r);

	r = bb_req("POST", "/api/auth/signup", NULL, "application/json",
		   "{\"username\": \"\xff\"}", 17, NULL);
	CU_ASSERT_EQUAL(r->status, 400);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "error"), "Request contains invalid UTF-8");
	bb_free(r);

	r = bb_get("/api/users/me?x=%zz", NULL);
	CU_ASSERT_EQUAL(r->status, 400);
	bb_free(r);
}

static void
test_too_large(void)
{
	size_t n = 2 * 1024 * 1024;
	char *big = xmalloc(n);
	struct bb_resp *r;

	memset(big, ' ', n);
	big[0] = '{';
	big[n - 1] = '}';
	r = bb_req("POST", "/api/auth/signup", NULL, "application/json", big, n,
		   NULL);
	CU_ASSERT_EQUAL(r->status, 413);
	CU_ASSERT_PTR_NOT_NULL(r->json);	/* JSON, not an HTML page */
	CU_ASSERT(strlen(bb_str(r, "error")) > 0);
	CU_ASSERT_PTR_NOT_NULL(bb_header(r, "Access-Control-Allow-Origin"));
	bb_free(r);
	free(big);
}

static void
test_deep_json(void)
{
	size_t depth = 10000, i, n = 0;
	char *s = xmalloc(depth * 6 + 8);
	struct bb_resp *r;

	for (i = 0; i < depth; i++, n += 5)
		memcpy(s + n, "{\"a\":", 5);
	s[n++] = '1';
	for (i = 0; i < depth; i++)
		s[n++] = '}';
	r = bb_req("POST", "/api/auth/signup", NULL, "application/json", s, n,
		   NULL);
	CU_ASSERT_EQUAL(r->status, 400);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "error"), "Request body is nested too deeply");
	bb_free(r);
	free(s);
}

static void
test_preflight(void)
{
	struct bb_resp *r = bb_req("OPTIONS", "/api/resources/checkout", NULL,
				   NULL, NULL, 0,
				   "Origin: https://portal.example");
	const char *methods;

	CU_ASSERT(r->status == 204 || r->status == 200);
	CU_ASSERT_PTR_NOT_NULL(bb_header(r, "Access-Control-Allow-Origin"));
	methods = bb_header(r, "Access-Control-Allow-Methods");
	CU_ASSERT_PTR_NOT_NULL_FATAL(methods);
	CU_ASSERT_PTR_NOT_NULL(strstr(methods, "PATCH"));
	CU_ASSERT_PTR_NOT_NULL(strstr(methods, "DELETE"));
	CU_ASSERT_PTR_NOT_NULL(strstr(bb_header(r, "Access-Control-Allow-Headers"),
				      "Idempotency-Key"));
	bb_free(r);
}

static void
test_static_and_redirect(void)
{
	struct bb_resp *r = bb_get("/", NULL);

	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r->body, "haas"));
	bb_free(r);
	r = bb_req_http("GET", "/api/health");
	CU_ASSERT(r->status == 301 || r->status == 308);
	CU_ASSERT_PTR_NOT_NULL(strstr(bb_header(r, "Location"), "https://"));
	bb_free(r);
}

static void
test_openapi(void)
{
	struct bb_resp *r = bb_get("/api/openapi.json", NULL);
	json_object *paths;

	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "openapi"), "3.1.0");
	CU_ASSERT_TRUE(json_object_object_get_ex(r->json, "paths", &paths));
	CU_ASSERT_PTR_NOT_NULL(json_object_object_get(paths, "/api/health"));
	CU_ASSERT_PTR_NOT_NULL(json_object_object_get(paths, "/api/auth/login"));
	bb_free(r);
}

/* The value at a dotted path ("counts.users.total") of o, or NULL. */
static json_object *
jpath(json_object *o, const char *path)
{
	char *copy = xstrdup(path), *key = copy, *dot;

	while (o && key) {
		dot = strchr(key, '.');
		if (dot)
			*dot = '\0';
		if (!json_object_object_get_ex(o, key, &o))
			o = NULL;
		key = dot ? dot + 1 : NULL;
	}
	free(copy);
	return o;
}

static long long
jint(const struct bb_resp *r, const char *path)
{
	json_object *v = jpath(r->json, path);

	return v ? json_object_get_int64(v) : -1;
}

/* GET /api/system as the admin. */
static struct bb_resp *
system_get(void)
{
	char *admin = bb_admin_token();
	struct bb_resp *r = bb_get("/api/system", admin);

	free(admin);
	return r;
}

static void
test_system_counts(void)
{
	static const char *const orders[] = { "pending", "paid", "shipped",
		"delivered", "cancelled" };
	long long uid;
	char *tok = bb_new_user("sys", &uid), *path;
	struct bb_resp *r;
	size_t i;

	r = bb_get("/api/system", NULL);
	CU_ASSERT_EQUAL(r->status, 401);
	bb_free(r);
	r = bb_get("/api/system", tok);
	CU_ASSERT_EQUAL(r->status, 403);
	bb_free(r);

	r = system_get();
	CU_ASSERT_EQUAL_FATAL(r->status, 200);
	CU_ASSERT(strlen(bb_str(r, "version")) > 0);
	CU_ASSERT_STRING_EQUAL(bb_sub(r, "database", "status"), "ok");
	CU_ASSERT_PTR_NOT_NULL(strstr(bb_sub(r, "database", "server"),
				      "MariaDB"));
	CU_ASSERT_PTR_NOT_NULL(strstr(bb_sub(r, "database", "schema"), ".sql"));
	CU_ASSERT_EQUAL(jint(r, "database.migrations"), bb_db_int(
		"SELECT COUNT(*) FROM schema_migrations", DB_NONE));
	CU_ASSERT(jint(r, "database.uptime_seconds") > 0);
	CU_ASSERT(jint(r, "database.size_bytes") > 0);
	CU_ASSERT(strlen(bb_str(r, "time")) == 20);
	CU_ASSERT_EQUAL(jint(r, "counts.users.total"), bb_db_int(
		"SELECT COUNT(*) FROM users WHERE status <> 'deleted'", DB_NONE));
	CU_ASSERT_EQUAL(jint(r, "counts.users.active_admins"), bb_db_int(
		"SELECT COUNT(*) FROM users WHERE role = 'admin'"
		" AND status = 'active'", DB_NONE));
	CU_ASSERT(jint(r, "counts.users.by_role.user") >= 1);
	CU_ASSERT_EQUAL(jint(r, "counts.pending_registrations"), bb_db_int(
		"SELECT COUNT(*) FROM registration_requests"
		" WHERE status = 'pending'", DB_NONE));
	for (i = 0; i < ARRAY_SIZE(orders); i++) {
		path = xasprintf("counts.orders.%s", orders[i]);
		CU_ASSERT_EQUAL(jint(r, path), bb_db_int(
			"SELECT COUNT(*) FROM orders WHERE status = ?",
			DB_P(db_str(orders[i]))));
		free(path);
	}
	CU_ASSERT_EQUAL(jint(r, "counts.spaces.total"), bb_db_int(
		"SELECT COUNT(*) FROM parking_spaces WHERE retired_at IS NULL",
		DB_NONE));
	CU_ASSERT(jint(r, "counts.spaces.out_of_service") >= 0);
	bb_free(r);

	/* disabling the new member moves it from active to disabled */
	{
		char *admin = bb_admin_token();
		long long active, disabled;

		r = system_get();
		active = jint(r, "counts.users.by_status.active");
		disabled = jint(r, "counts.users.by_status.disabled");
		bb_free(r);
		path = xasprintf("/api/users/%lld", uid);
		bb_free(bb_json("PATCH", path, admin, "{\"disabled\": true}"));
		r = system_get();
		CU_ASSERT_EQUAL(jint(r, "counts.users.by_status.active"),
				active - 1);
		CU_ASSERT_EQUAL(jint(r, "counts.users.by_status.disabled"),
				disabled + 1);
		bb_free(r);
		free(path);
		free(admin);
	}
	free(tok);
}

/* nchan's publisher is asked about each channel: a browser holding the
 * parking stream is counted. */
static void
test_system_events(void)
{
	char *cmd;
	struct bb_resp *r;
	long long subs = 0;
	int i;

	r = system_get();
	CU_ASSERT_EQUAL_FATAL(r->status, 200);
	CU_ASSERT_TRUE(json_object_get_boolean(jpath(r->json,
						     "events.configured")));
	CU_ASSERT_TRUE(json_object_get_boolean(jpath(r->json,
						     "events.reachable")));
	CU_ASSERT(jint(r, "events.channels.parking.subscribers") >= 0);
	CU_ASSERT(jint(r, "events.channels.registrations.subscribers") >= 0);
	bb_free(r);
	cmd = xasprintf("timeout 6 curl -s -N --cacert '%s'"
			" -H 'Accept: text/event-stream'"
			" '%s/api/parking-spaces/events' >/dev/null 2>&1 &",
			getenv("HAAS_TEST_CA"), getenv("HAAS_TEST_URL"));
	CU_ASSERT_EQUAL(system(cmd), 0);
	free(cmd);
	for (i = 0; i < 40 && subs < 1; i++) {
		usleep(100 * 1000);
		r = system_get();
		subs = jint(r, "events.channels.parking.subscribers");
		bb_free(r);
	}
	CU_ASSERT(subs >= 1);
}

static void
test_db_restart(void)
{
	struct bb_resp *r;

	CU_ASSERT_EQUAL_FATAL(bb_stack("db-stop"), 0);
	r = bb_get("/api/health", NULL);
	CU_ASSERT_EQUAL(r->status, 503);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "db"), "down");
	CU_ASSERT_STRING_EQUAL(bb_str(r, "error"), "database unavailable");
	bb_free(r);
	/* every worker answers 503, none crashes */
	r = bb_get("/api/health", NULL);
	CU_ASSERT_EQUAL(r->status, 503);
	bb_free(r);
	CU_ASSERT_EQUAL_FATAL(bb_stack("db-start"), 0);
	CU_ASSERT_TRUE(bb_wait_health(200, 20));
	/* all workers reconnected: a burst of requests all succeed */
	{
		int i, ok = 0;

		for (i = 0; i < 40; i++) {
			r = bb_get("/api/health", NULL);
			ok += r->status == 200;
			bb_free(r);
		}
		CU_ASSERT_EQUAL(ok, 40);
	}
}

/* db.c in-process, the one safe path: a statement that never reached the
 * server runs again on a fresh connection; one whose reply was lost is
 * never repeated (its effect would double); a transaction cut off before
 * COMMIT leaves nothing, one whose COMMIT answer was lost is kept. */
static const char probe_count[] = "SELECT COUNT(*) FROM schema_migrations"
	" WHERE version LIKE 'bb-fault-%'";
static const char probe_insert[] = "INSERT INTO schema_migrations (version)"
	" VALUES (CONCAT('bb-fault-', UUID()))";
static const char probe_clear[] = "DELETE FROM schema_migrations"
	" WHERE version LIKE 'bb-fault-%'";

static long long
probes(struct db *db)
{
	long long v = -1;

	CU_ASSERT_EQUAL(db_query_int(db, probe_count, DB_NONE, ERR_OK, &v),
			ERR_OK);
	return v;
}

static void
test_db_reconnect(void)
{
	static const char one[] = "SELECT 1";
	struct db *db = bb_db();
	long long v = 0;

	CU_ASSERT_EQUAL_FATAL(db_exec(db, probe_clear, DB_NONE, NULL), ERR_OK);
	/* never sent: repeated once, transparently, and done once */
	db_fail_nth(db, 1);
	CU_ASSERT_EQUAL(db_query_int(db, one, DB_NONE, ERR_OK, &v), ERR_OK);
	CU_ASSERT_EQUAL(v, 1);
	db_fault_arm(db, DB_FAULT_DOWN_BEFORE, "bb-fault-");
	CU_ASSERT_EQUAL(db_exec(db, probe_insert, DB_NONE, NULL), ERR_OK);
	CU_ASSERT_EQUAL(probes(db), 1);
	/* ran, reply lost: reported, not repeated */
	db_fault_arm(db, DB_FAULT_LOST_AFTER, "bb-fault-");
	CU_ASSERT_EQUAL(db_exec(db, probe_insert, DB_NONE, NULL), ERR_DB_DOWN);
	CU_ASSERT_EQUAL(probes(db), 2);
	/* a transaction cut off before COMMIT leaves nothing */
	CU_ASSERT_EQUAL_FATAL(db_begin(db), ERR_OK);
	CU_ASSERT_EQUAL(db_exec(db, probe_insert, DB_NONE, NULL), ERR_OK);
	db_fault_arm(db, DB_FAULT_DOWN_BEFORE, "COMMIT");
	CU_ASSERT_EQUAL(db_commit(db), ERR_DB_DOWN);
	CU_ASSERT_EQUAL(db_txn_depth(db), 0);
	CU_ASSERT_EQUAL(probes(db), 2);
	/* a COMMIT whose answer was lost: the work is kept, reported 503 */
	CU_ASSERT_EQUAL_FATAL(db_begin(db), ERR_OK);
	CU_ASSERT_EQUAL(db_exec(db, probe_insert, DB_NONE, NULL), ERR_OK);
	db_fault_arm(db, DB_FAULT_LOST_AFTER, "COMMIT");
	CU_ASSERT_EQUAL(db_commit(db), ERR_DB_DOWN);
	CU_ASSERT_EQUAL(probes(db), 3);
	/* a savepoint rolls back only its own work */
	CU_ASSERT_EQUAL_FATAL(db_begin(db), ERR_OK);
	CU_ASSERT_EQUAL(db_exec(db, probe_insert, DB_NONE, NULL), ERR_OK);
	CU_ASSERT_EQUAL_FATAL(db_begin(db), ERR_OK);
	CU_ASSERT_EQUAL(db_txn_depth(db), 2);
	CU_ASSERT_EQUAL(db_exec(db, probe_insert, DB_NONE, NULL), ERR_OK);
	CU_ASSERT_EQUAL(db_rollback(db), ERR_OK);
	CU_ASSERT_EQUAL(db_commit(db), ERR_OK);
	CU_ASSERT_EQUAL(db_txn_depth(db), 0);
	CU_ASSERT_EQUAL(probes(db), 4);
	/* a savepoint that cannot be rolled back to takes the whole
	 * transaction with it, and says so */
	CU_ASSERT_EQUAL_FATAL(db_begin(db), ERR_OK);
	CU_ASSERT_EQUAL(db_exec(db, probe_insert, DB_NONE, NULL), ERR_OK);
	CU_ASSERT_EQUAL_FATAL(db_begin(db), ERR_OK);
	db_fault_arm(db, DB_FAULT_DOWN_BEFORE, "ROLLBACK TO");
	CU_ASSERT_EQUAL(db_rollback(db), ERR_DB_DOWN);
	CU_ASSERT_EQUAL(db_txn_depth(db), 0);
	CU_ASSERT_EQUAL(probes(db), 4);
	CU_ASSERT_EQUAL(db_exec(db, probe_clear, DB_NONE, NULL), ERR_OK);
}

/* Rows outlive their connection safely: a query run inside the row loop
 * that loses the connection makes the outer rows refuse to be read (no
 * use of the freed statement: ASan watches), and the same SQL cannot run
 * again while its rows are read. */
static void
test_db_stale_rows(void)
{
	static const char list[] = "SELECT version FROM schema_migrations"
		" ORDER BY version";
	static const char one[] = "SELECT 1";
	struct db *db = bb_db();
	struct db_rows *rows, *again;
	long long v;

	CU_ASSERT_EQUAL_FATAL(db_query(db, list, DB_NONE, 1, &rows), ERR_OK);
	CU_ASSERT(db_next(rows));
	CU_ASSERT_EQUAL(db_query(db, list, DB_NONE, 1, &again), ERR_INTERNAL);
	db_fault_arm(db, DB_FAULT_LOST_AFTER, one);
	CU_ASSERT_EQUAL(db_query_int(db, one, DB_NONE, ERR_OK, &v),
			ERR_DB_DOWN);
	CU_ASSERT(!db_next(rows));
	CU_ASSERT_EQUAL(db_rows_err(rows), ERR_DB_DOWN);
	db_rows_free(rows);
	CU_ASSERT_EQUAL(db_query_int(db, one, DB_NONE, ERR_OK, &v), ERR_OK);
}

/* ---- process supervision ---------------------------------------------- */

static long
master_pid(void)
{
	char *path = xasprintf("%s/run/haasd.pid", getenv("HAAS_STATE_DIR"));
	FILE *f = fopen(path, "r");
	long pid = 0;

	free(path);
	if (f) {
		if (fscanf(f, "%ld", &pid) != 1)
			pid = 0;
		fclose(f);
	}
	return pid;
}

/* Worker pids: the master's children, from /proc. */
static int
worker_pids(long master, long *out, int max)
{
	char *path = xasprintf("/proc/%ld/task/%ld/children", master, master);
	FILE *f = fopen(path, "r");
	int n = 0;

	free(path);
	if (!f)
		return 0;
	while (n < max && fscanf(f, "%ld", &out[n]) == 1)
		n++;
	fclose(f);
	return n;
}

struct stream {
	volatile int stop;
	int ok, failed, truncated;
};

static void *
stream_main(void *p)
{
	struct stream *s = p;

	while (!s->stop) {
		struct bb_resp *r = bb_get("/api/health", NULL);

		if (r->status == 200 && r->json)
			__sync_add_and_fetch(&s->ok, 1);
		else if (r->status == 200)
			__sync_add_and_fetch(&s->truncated, 1);
		else
			__sync_add_and_fetch(&s->failed, 1);
		bb_free(r);
	}
	return NULL;
}

#include <pthread.h>

static void
stream_run(struct stream *s, pthread_t *t, int n)
{
	int i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < n; i++)
		pthread_create(&t[i], NULL, stream_main, s);
}

static void
stream_stop(struct stream *s, pthread_t *t, int n)
{
	int i;

	s->stop = 1;
	for (i = 0; i < n; i++)
		pthread_join(t[i], NULL);
}

static void
test_worker_killed(void)
{
	long master = master_pid(), before[64], after[64];
	int nb, na, i;
	struct stream s;
	pthread_t t[4];

	CU_ASSERT_FATAL(master > 0);
	nb = worker_pids(master, before, 64);
	CU_ASSERT_FATAL(nb > 1);
	stream_run(&s, t, 4);
	usleep(300000);
	CU_ASSERT_EQUAL(kill((pid_t)before[0], SIGKILL), 0);
	usleep(1500000);
	stream_stop(&s, t, 4);
	/* only the request the killed worker held may fail */
	CU_ASSERT(s.failed <= 1);
	CU_ASSERT_EQUAL(s.truncated, 0);
	CU_ASSERT(s.ok > 20);
	for (i = 0; i < 20; i++) {
		na = worker_pids(master, after, 64);
		if (na == nb)
			break;
		usleep(200000);
	}
	CU_ASSERT_EQUAL(na, nb);
	for (i = 0; i < na; i++)
		CU_ASSERT_NOT_EQUAL(after[i], before[0]);
}

static void
test_reload(void)
{
	long master = master_pid(), before[64], after[64];
	int nb, na, i, j, same = 0;
	struct stream s;
	pthread_t t[4];

	nb = worker_pids(master, before, 64);
	stream_run(&s, t, 4);
	usleep(300000);
	CU_ASSERT_EQUAL(kill((pid_t)master, SIGHUP), 0);
	usleep(2000000);
	stream_stop(&s, t, 4);
	CU_ASSERT_EQUAL(s.failed, 0);
	CU_ASSERT_EQUAL(s.truncated, 0);
	na = worker_pids(master, after, 64);
	CU_ASSERT_EQUAL(na, nb);
	for (i = 0; i < na; i++)
		for (j = 0; j < nb; j++)
			same += after[i] == before[j];
	CU_ASSERT_EQUAL(same, 0);	/* a whole new generation */
}

/* SIGTERM under load: every response that arrived is complete, the master
 * exits on its own, and the stack comes back for the tests after. */
static void
test_graceful_stop(void)
{
	long master = master_pid();
	struct stream s;
	pthread_t t[4];
	int i;

	stream_run(&s, t, 4);
	usleep(300000);
	CU_ASSERT_EQUAL(kill((pid_t)master, SIGTERM), 0);
	for (i = 0; i < 100 && kill((pid_t)master, 0) == 0; i++)
		usleep(100000);
	stream_stop(&s, t, 4);
	CU_ASSERT_NOT_EQUAL(kill((pid_t)master, 0), 0);	/* it exited */
	CU_ASSERT_EQUAL(s.truncated, 0);
	CU_ASSERT(s.ok > 0);
	CU_ASSERT_EQUAL(bb_stack("haasd-restart"), 0);
	CU_ASSERT_TRUE(bb_wait_health(200, 20));
}

static CU_TestInfo tests[] = {
	{ "health", test_health },
	{ "error shapes 404/405/415/400", test_error_shapes },
	{ "413 is JSON", test_too_large },
	{ "nesting 10,000 deep", test_deep_json },
	{ "CORS preflight", test_preflight },
	{ "static files and http redirect", test_static_and_redirect },
	{ "openapi", test_openapi },
	{ "system: counts as the database holds them", test_system_counts },
	{ "system: the live events' publisher", test_system_events },
	{ "database restart ridden out", test_db_restart },
	{ "db layer: repeats only what never ran", test_db_reconnect },
	{ "db layer: stale rows refuse to be read", test_db_stale_rows },
	{ "killed worker replaced", test_worker_killed },
	{ "SIGHUP swaps workers without loss", test_reload },
	{ "SIGTERM drains", test_graceful_stop },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = { SUITE("foundation", tests),
				 CU_SUITE_INFO_NULL };

int
main(void)
{
	bb_init();
	return cunit_run(suites);
}

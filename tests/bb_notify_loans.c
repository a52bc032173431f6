/* bb_notify_loans: hardware due dates and the reminders haas-notifyd's
 * sweeps write (issue 18, items 4 and 5): checkout with a due date through
 * nginx (stored, refused when bad, the set's default otherwise), "due
 * soon" and "overdue" once each to the borrower and the project's members,
 * nothing for a returned holding, and a lab PC reservation's reminder once,
 * none for a cancelled or kicked one.  Sweeps are waited for by polling
 * the outbox against a deadline; "still once" is checked after a later
 * event (a marker) has been notified, so a later sweep surely ran. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "bb.h"
#include "cunit_main.h"
#include "util.h"

/* How long a sweep may take to notice something (it runs every 2 s). */
#define SWEEP_WAIT 30

static char *admin;

static const char sql_notices[] =
	"SELECT COUNT(*) FROM notices WHERE kind = ? AND user_id = ?"
	" AND channel = 'email'";
/* Notices of a kind whose fields name the set (or device). */
static const char sql_notices_for[] =
	"SELECT COUNT(*) FROM notices WHERE kind = ? AND user_id = ?"
	" AND channel = 'email' AND JSON_VALUE(fields, ?) = ?";
static const char sql_due_at_is[] =
	"SELECT COUNT(*) FROM resource_holdings h JOIN resources r"
	" ON r.id = h.resource_id WHERE r.code = ? AND h.units > 0"
	" AND h.due_at = ?";
static const char sql_due_null[] =
	"SELECT COUNT(*) FROM resource_holdings h JOIN resources r"
	" ON r.id = h.resource_id WHERE r.code = ? AND h.due_at IS NULL";
/* Hours from now to the holding's due date (the set's default). */
static const char sql_due_hours[] =
	"SELECT TIMESTAMPDIFF(MINUTE, UTC_TIMESTAMP(), h.due_at)"
	" FROM resource_holdings h JOIN resources r ON r.id = h.resource_id"
	" WHERE r.code = ? AND h.user_id = ?";
static const char sql_available[] =
	"SELECT available_units FROM resources WHERE code = ?";
static const char sql_holding_units[] =
	"SELECT COALESCE(SUM(h.units), 0) FROM resource_holdings h"
	" JOIN resources r ON r.id = h.resource_id WHERE r.code = ?";
static const char sql_move_due[] =
	"UPDATE resource_holdings h JOIN resources r ON r.id = h.resource_id"
	" SET h.due_at = UTC_TIMESTAMP(6) + INTERVAL ? SECOND"
	" WHERE r.code = ? AND h.units > 0";
static const char sql_res_id[] =
	"SELECT MAX(r.id) FROM reservations r JOIN devices d"
	" ON d.id = r.device_pk WHERE d.device_id = ?";
static const char sql_res_move[] =
	"UPDATE reservations SET start_at = UTC_TIMESTAMP(6)"
	" + INTERVAL ? SECOND WHERE id = ?";

/* ---- helpers ------------------------------------------------------------ */

static struct bb_resp *
post(const char *path, const char *token, const char *fmt, ...)
{
	struct bb_resp *r;
	va_list ap;
	char *body;

	va_start(ap, fmt);
	if (vasprintf(&body, fmt, ap) < 0)
		abort();
	va_end(ap);
	r = bb_json("POST", path, token, body);
	free(body);
	return r;
}

/* A fresh member named "Member <username>" with an address of their
 * own; returns the token, sets *uid and (when email is not NULL) *email
 * (caller frees). */
static char *
member(const char *prefix, long long *uid, char **email)
{
	char *name = bb_unique(prefix), *token;
	char *mail = xasprintf("%s@loans.test", name);
	struct bb_resp *r = post("/api/users/register", NULL,
		"{\"username\": \"%s\", \"email\": \"%s\","
		" \"name\": \"Member %s\", \"password\": \"Tr0ub4dor&3x\"}",
		name, mail, name);

	CU_ASSERT_EQUAL(r->status, 201);
	bb_free(r);
	r = bb_login(name, "Tr0ub4dor&3x");
	CU_ASSERT_EQUAL_FATAL(r->status, 200);
	token = xstrdup(bb_str(r, "access_token"));
	*uid = strtoll(bb_str(r, "user_id"), NULL, 10);
	bb_free(r);
	free(name);
	if (email)
		*email = mail;
	else
		free(mail);
	return token;
}

/* A new set of 10 units named "Loan <code>", loan_days days by default
 * (0: none); returns its code (caller frees). */
static char *
new_set(int loan_days)
{
	char *code = bb_unique("LS");
	char *loan = loan_days ? xasprintf("%d", loan_days) : xstrdup("null");
	struct bb_resp *r = post("/api/resources/create", admin,
		"{\"resource_id\": \"%s\", \"name\": \"Loan %s\","
		" \"total_units\": 10, \"loan_days\": %s}", code, code, loan);

	CU_ASSERT_EQUAL(r->status, 201);
	bb_free(r);
	free(loan);
	return code;
}

/* A project of token's user (uid) that joiner joins; caller frees. */
static char *
new_project(const char *token, long long uid, const char *joiner)
{
	char *code = bb_unique("lp");
	struct bb_resp *r = post("/api/projects/create_project", token,
		"{\"user_id\": \"%lld\", \"project_name\": \"Rover %s\","
		" \"description\": \"d\", \"project_id\": \"%s\"}", uid, code,
		code);

	CU_ASSERT_EQUAL(r->status, 201);
	bb_free(r);
	r = post("/api/projects/join", joiner, "{\"project_id\": \"%s\"}",
		 code);
	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);
	return code;
}

/* now + off seconds as ISO 8601 UTC, whole seconds (caller frees). */
static char *
iso(long off)
{
	time_t t = time(NULL) + off;
	struct tm tm;
	char buf[32];

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return xstrdup(buf);
}

/* The same as a UTC DATETIME, as MariaDB keeps it. */
static char *
db_time(long off)
{
	char *s = iso(off);

	s[10] = ' ';
	s[19] = '\0';
	return s;
}

static long long
notices(const char *kind, long long uid)
{
	return bb_db_int(sql_notices, DB_P(db_str(kind), db_int(uid)));
}

/* Notices of kind to uid whose field key is value. */
static long long
notices_for(const char *kind, long long uid, const char *key,
	    const char *value)
{
	char *path = xasprintf("$.%s", key);
	long long n = bb_db_int(sql_notices_for, DB_P(db_str(kind),
		db_int(uid), db_str(path), db_str(value)));

	free(path);
	return n;
}

/* Polls until uid has want notices of kind naming value in key. */
static bool
wait_notices(const char *kind, long long uid, const char *key,
	     const char *value, long long want)
{
	time_t end = time(NULL) + SWEEP_WAIT;

	while (notices_for(kind, uid, key, value) < want) {
		if (time(NULL) > end)
			return false;
		usleep(200 * 1000);
	}
	return true;
}

/* Whether the one message of kind to `to` has text in its subject and
 * body. */
static bool
mail_says(const char *to, const char *kind, const char *text)
{
	size_t n, i;
	struct bb_mail *m = bb_mail_all(&n);
	bool ok = false;

	for (i = 0; i < n; i++)
		if (!strcasecmp(m[i].to, to) && !strcmp(m[i].kind, kind))
			ok = strstr(m[i].subject, text) && strstr(m[i].body,
								 text);
	bb_mail_free(m, n);
	return ok;
}

/* A marker: a personal holding of a fresh set, overdue, notified; once
 * its notice is written a sweep ran after everything done before. */
static void
sweep_passed(void)
{
	long long uid;
	char *token = member("mark", &uid, NULL), *set = new_set(0);
	char *name = xasprintf("Loan %s", set);
	struct bb_resp *r = post("/api/resources/checkout", token,
		"{\"resource_id\": \"%s\", \"units\": 1, \"due_days\": 2}", set);

	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);
	CU_ASSERT_EQUAL(db_exec(bb_db(), sql_move_due, DB_P(db_int(-60),
		db_str(set)), NULL), ERR_OK);
	CU_ASSERT_TRUE(wait_notices("hardware.overdue", uid, "resource_name",
				    name, 1));
	free(name);
	free(set);
	free(token);
}

static void
expect_field_invalid(struct bb_resp *r, const char *field)
{
	CU_ASSERT_EQUAL(r->status, 400);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), "field_invalid");
	CU_ASSERT_STRING_EQUAL(bb_str(r, "field"), field);
	if (r->status != 400)
		fprintf(stderr, "expected 400 on %s: %s\n", field, r->body);
	bb_free(r);
}

/* ---- checkout with a due date ------------------------------------------- */

static void
test_checkout_due_at(void)
{
	long long a_id, b_id;
	char *a = member("la", &a_id, NULL), *b = member("lb", &b_id, NULL);
	char *set = new_set(7), *proj = new_project(a, a_id, b);
	char *due = iso(3 * 86400), *due_db = db_time(3 * 86400);
	struct bb_resp *r;
	json_object *hs, *h0;
	char *path;

	r = post("/api/resources/checkout", a, "{\"resource_id\": \"%s\","
		 " \"units\": 2, \"project_id\": \"%s\", \"due_at\": \"%s\"}",
		 set, proj, due);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "due_at"), due);
	bb_free(r);
	CU_ASSERT_EQUAL(bb_db_int(sql_due_at_is, DB_P(db_str(set),
		db_str(due_db))), 1);
	/* the project shows it to a member */
	path = xasprintf("/api/projects/get_projects/%lld", b_id);
	r = bb_get(path, b);
	CU_ASSERT_EQUAL(r->status, 200);
	hs = json_object_object_get(json_object_array_get_idx(
		json_object_object_get(r->json, "projects"), 0), "holdings");
	CU_ASSERT_EQUAL_FATAL(json_object_array_length(hs), 1);
	h0 = json_object_array_get_idx(hs, 0);
	CU_ASSERT_STRING_EQUAL(json_object_get_string(
		json_object_object_get(h0, "resource_id")), set);
	CU_ASSERT_STRING_EQUAL(json_object_get_string(
		json_object_object_get(h0, "due_at")), due);
	CU_ASSERT_FALSE(json_object_get_boolean(
		json_object_object_get(h0, "overdue")));
	bb_free(r);
	free(path);
	/* a later checkout with a later date keeps the earlier one */
	r = post("/api/resources/checkout", b, "{\"resource_id\": \"%s\","
		 " \"units\": 1, \"project_id\": \"%s\", \"due_days\": 30}",
		 set, proj);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "due_at"), due);
	bb_free(r);
	CU_ASSERT_EQUAL(bb_db_int(sql_due_at_is, DB_P(db_str(set),
		db_str(due_db))), 1);
	free(due);
	free(due_db);
	free(set);
	free(proj);
	free(a);
	free(b);
}

static void
test_checkout_bad_due(void)
{
	long long uid;
	char *t = member("lbad", &uid, NULL), *set = new_set(7);
	char *past = iso(-3600), *far = iso(400L * 86400);
	const char *bad[] = { past, "next tuesday", "2031-02-30", far,
			      "2031-01-01T25:00" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		expect_field_invalid(post("/api/resources/checkout", t,
			"{\"resource_id\": \"%s\", \"units\": 1,"
			" \"due_at\": \"%s\"}", set, bad[i]), "due_at");
	expect_field_invalid(post("/api/resources/checkout", t,
		"{\"resource_id\": \"%s\", \"units\": 1, \"due_days\": 0}",
		set), "due_days");
	expect_field_invalid(post("/api/resources/checkout", t,
		"{\"resource_id\": \"%s\", \"units\": 1, \"due_days\": 366}",
		set), "due_days");
	expect_field_invalid(post("/api/resources/checkout", t,
		"{\"resource_id\": \"%s\", \"units\": 1, \"due_days\": 2,"
		" \"due_at\": \"2031-01-01\"}", set), "due_days");
	/* nothing changed */
	CU_ASSERT_EQUAL(bb_db_int(sql_available, DB_P(db_str(set))), 10);
	CU_ASSERT_EQUAL(bb_db_int(sql_holding_units, DB_P(db_str(set))), 0);
	free(past);
	free(far);
	free(set);
	free(t);
}

/* The seeds' clients send no due date: the set's loan length applies
 * (none when the set has none); a date alone is the end of that day. */
static void
test_checkout_default_due(void)
{
	long long uid, mins;
	char *t = member("ldef", &uid, NULL), *set = new_set(7);
	char *open = new_set(0), *dated = new_set(0);
	char *day = iso(2 * 86400), *end_of_day;
	struct bb_resp *r;

	r = post("/api/resources/checkout", t, "{\"resource_id\": \"%s\","
		 " \"units\": 3}", set);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "message"),
			       "Resource checked out successfully");
	bb_free(r);
	mins = bb_db_int(sql_due_hours, DB_P(db_str(set), db_int(uid)));
	CU_ASSERT(mins >= 7 * 1440 - 2 && mins <= 7 * 1440);
	r = post("/api/resources/checkout", t, "{\"resource_id\": \"%s\","
		 " \"units\": \"1\"}", open);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_TRUE(json_object_object_get_ex(r->json, "due_at", NULL));
	CU_ASSERT_PTR_NULL(json_object_object_get(r->json, "due_at"));
	bb_free(r);
	CU_ASSERT_EQUAL(bb_db_int(sql_due_null, DB_P(db_str(open))), 1);
	/* a date alone: 23:59:59 that day (the stack's timezone is UTC) */
	day[10] = '\0';
	r = post("/api/resources/checkout", t, "{\"resource_id\": \"%s\","
		 " \"units\": 1, \"due_at\": \"%s\"}", dated, day);
	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);
	end_of_day = xasprintf("%s 23:59:59", day);
	CU_ASSERT_EQUAL(bb_db_int(sql_due_at_is, DB_P(db_str(dated),
		db_str(end_of_day))), 1);
	/* the last unit back clears the due date */
	r = post("/api/resources/checkin", t, "{\"resource_id\": \"%s\","
		 " \"units\": 3}", set);
	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);
	CU_ASSERT_EQUAL(bb_db_int(sql_due_null, DB_P(db_str(set))), 1);
	free(end_of_day);
	free(day);
	free(dated);
	free(open);
	free(set);
	free(t);
}

/* Admins set a set's loan length; the overdue list shows overdue
 * holdings to admins only. */
static void
test_loan_days_and_overdue_list(void)
{
	long long uid;
	char *t = member("lod", &uid, NULL), *set = new_set(0);
	char *path = xasprintf("/api/resources/%s", set);
	struct bb_resp *r;
	json_object *hs;
	size_t i;
	bool found = false;

	r = bb_json("PATCH", path, admin, "{\"loan_days\": 3}");
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_EQUAL(json_object_get_int(json_object_object_get(
		json_object_object_get(r->json, "resource"), "loan_days")), 3);
	bb_free(r);
	expect_field_invalid(bb_json("PATCH", path, admin,
				     "{\"loan_days\": 400}"), "loan_days");
	r = bb_json("PATCH", path, t, "{\"loan_days\": 9}");
	CU_ASSERT_EQUAL(r->status, 403);
	bb_free(r);
	r = post("/api/resources/checkout", t, "{\"resource_id\": \"%s\","
		 " \"units\": 4}", set);
	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);
	CU_ASSERT_EQUAL(db_exec(bb_db(), sql_move_due, DB_P(db_int(-7200),
		db_str(set)), NULL), ERR_OK);
	r = bb_get("/api/holdings?overdue=1&limit=500", admin);
	CU_ASSERT_EQUAL(r->status, 200);
	hs = json_object_object_get(r->json, "holdings");
	for (i = 0; i < json_object_array_length(hs); i++) {
		json_object *o = json_object_array_get_idx(hs, i);

		CU_ASSERT_TRUE(json_object_get_boolean(
			json_object_object_get(o, "overdue")));
		if (strcmp(json_object_get_string(json_object_object_get(o,
			   "resource_id")), set))
			continue;
		found = true;
		CU_ASSERT_EQUAL(json_object_get_int(json_object_object_get(o,
			"units")), 4);
		CU_ASSERT_EQUAL(json_object_get_int64(json_object_object_get(
			o, "user_id")) , uid);
	}
	CU_ASSERT_TRUE(found);
	bb_free(r);
	r = bb_get("/api/holdings?overdue=1", t);
	CU_ASSERT_EQUAL(r->status, 403);
	bb_free(r);
	r = bb_get("/api/holdings?overdue=2", admin);
	CU_ASSERT_EQUAL(r->status, 400);
	bb_free(r);
	free(path);
	free(set);
	free(t);
}

/* ---- reminders ---------------------------------------------------------- */

static void
test_due_soon_then_overdue(void)
{
	long long a_id, b_id, c_id;
	char *am, *bm, *cm, *bname, *pname;
	char *a = member("lsa", &a_id, &am), *b = member("lsb", &b_id, &bm);
	char *c = member("lsc", &c_id, &cm);
	char *set = new_set(14), *proj = new_project(a, a_id, b);
	char *name = xasprintf("Loan %s", set), *due = iso(2 * 3600);
	struct bb_resp *r;

	pname = xasprintf("Rover %s", proj);
	/* a returned holding: due within the lead, but back first */
	r = post("/api/resources/checkout", c, "{\"resource_id\": \"%s\","
		 " \"units\": 1, \"due_days\": 3}", set);
	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);
	r = post("/api/resources/checkin", c, "{\"resource_id\": \"%s\","
		 " \"units\": 1}", set);
	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);
	/* due in two hours: within due_soon_lead (a day) */
	r = post("/api/resources/checkout", b, "{\"resource_id\": \"%s\","
		 " \"units\": 2, \"project_id\": \"%s\", \"due_at\": \"%s\"}",
		 set, proj, due);
	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);
	CU_ASSERT_TRUE(wait_notices("hardware.due", a_id, "resource_name",
				    name, 1));
	CU_ASSERT_TRUE(wait_notices("hardware.due", b_id, "resource_name",
				    name, 1));
	CU_ASSERT_EQUAL(notices_for("hardware.due", a_id, "units", "2"), 1);
	/* the borrower is b, by name */
	bname = xasprintf("Member %.*s", (int)(strchr(bm, '@') - bm), bm);
	CU_ASSERT_EQUAL(notices_for("hardware.due", a_id, "holder_name",
				    bname), 1);
	CU_ASSERT_EQUAL(notices_for("hardware.due", a_id, "project_name",
				    pname), 1);
	/* delivered: one message each, naming the set */
	CU_ASSERT_EQUAL(bb_mail_wait(am, "hardware.due", 1, SWEEP_WAIT), 1);
	CU_ASSERT_EQUAL(bb_mail_wait(bm, "hardware.due", 1, SWEEP_WAIT), 1);
	CU_ASSERT_TRUE(mail_says(am, "hardware.due", name));
	CU_ASSERT_TRUE(mail_says(bm, "hardware.due", name));
	/* the sender dies and comes back: its sweeps write nothing more */
	CU_ASSERT_EQUAL(bb_stack("notifyd-kill-child"), 0);
	sweep_passed();
	CU_ASSERT_EQUAL(notices("hardware.due", a_id), 1);
	CU_ASSERT_EQUAL(notices("hardware.due", b_id), 1);
	CU_ASSERT_EQUAL(notices("hardware.overdue", a_id), 0);
	/* past due */
	CU_ASSERT_EQUAL(db_exec(bb_db(), sql_move_due, DB_P(db_int(-60),
		db_str(set)), NULL), ERR_OK);
	CU_ASSERT_TRUE(wait_notices("hardware.overdue", a_id,
				    "resource_name", name, 1));
	CU_ASSERT_TRUE(wait_notices("hardware.overdue", b_id,
				    "resource_name", name, 1));
	sweep_passed();
	sweep_passed();
	CU_ASSERT_EQUAL(notices("hardware.overdue", a_id), 1);
	CU_ASSERT_EQUAL(notices("hardware.overdue", b_id), 1);
	CU_ASSERT_EQUAL(notices("hardware.due", a_id), 1);
	CU_ASSERT_EQUAL(bb_mail_wait(am, "hardware.overdue", 1, SWEEP_WAIT), 1);
	CU_ASSERT_EQUAL(bb_mail_wait(bm, "hardware.overdue", 1, SWEEP_WAIT), 1);
	CU_ASSERT_TRUE(mail_says(am, "hardware.overdue", name));
	/* still one of each, by message id */
	CU_ASSERT_EQUAL(bb_mail_wait(am, "hardware.due", 2, 1), 1);
	CU_ASSERT_EQUAL(bb_mail_wait(bm, "hardware.overdue", 2, 1), 1);
	/* the returned holding: nothing, ever */
	CU_ASSERT_EQUAL(notices("hardware.due", c_id), 0);
	CU_ASSERT_EQUAL(notices("hardware.overdue", c_id), 0);
	CU_ASSERT_EQUAL(bb_mail_wait(cm, "hardware.due", 1, 0), 0);
	CU_ASSERT_EQUAL(bb_mail_wait(cm, "hardware.overdue", 1, 0), 0);
	free(am);
	free(bm);
	free(cm);
	free(bname);
	free(pname);
	free(due);
	free(name);
	free(set);
	free(proj);
	free(a);
	free(b);
	free(c);
}

/* A device; returns its id (caller frees). */
static char *
new_device(const char *name)
{
	char *id = bb_unique("lpc");
	struct bb_resp *r = post("/api/devices", admin,
		"{\"device_id\": \"%s\", \"name\": \"%s\","
		" \"location\": \"Room 4\"}", id, name);

	CU_ASSERT_EQUAL(r->status, 201);
	bb_free(r);
	return id;
}

/* Reserves dev from now + start s for an hour; returns the reservation's
 * id. */
static long long
reserve(const char *token, const char *dev, long start)
{
	char *s = iso(start), *e = iso(start + 3600);
	struct bb_resp *r = post("/set-reservation", token,
		"{\"device_id\": \"%s\", \"start_time\": \"%s\","
		" \"end_time\": \"%s\", \"credential\": \"c\"}", dev, s, e);

	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);
	free(s);
	free(e);
	return bb_db_int(sql_res_id, DB_P(db_str(dev)));
}

static void
test_reservation_starting(void)
{
	long long uid, kid, cid, soon, later, kicked, cancelled;
	char *tm, *km, *cm;
	char *t = member("lres", &uid, &tm), *k = member("lkick", &kid, &km);
	char *cu = member("lcan", &cid, &cm);
	char *dev = new_device("Lab PC soon"), *dev2 = new_device("Lab PC 2");
	char *dev3 = new_device("Lab PC 3"), *path, *rid;
	struct bb_resp *r;

	/* a kicked one and a cancelled one, moved into the lead after */
	kicked = reserve(k, dev2, 3 * 3600);
	path = xasprintf("/api/devices/reservations/%lld", kicked);
	r = bb_req("DELETE", path, admin, NULL, NULL, 0, NULL);
	CU_ASSERT_EQUAL(r->status, 204);
	bb_free(r);
	free(path);
	cancelled = reserve(cu, dev3, 3 * 3600);
	path = xasprintf("/api/devices/reservations/%lld", cancelled);
	r = bb_req("DELETE", path, cu, NULL, NULL, 0, NULL);
	CU_ASSERT_EQUAL(r->status, 204);
	bb_free(r);
	free(path);
	CU_ASSERT_EQUAL(db_exec(bb_db(), sql_res_move, DB_P(db_int(300),
		db_int(kicked)), NULL), ERR_OK);
	CU_ASSERT_EQUAL(db_exec(bb_db(), sql_res_move, DB_P(db_int(300),
		db_int(cancelled)), NULL), ERR_OK);
	/* later than the lead (15 minutes): nothing yet */
	later = reserve(t, dev2, 2 * 3600);
	soon = reserve(t, dev, 600);
	rid = xasprintf("%lld", soon);
	CU_ASSERT_TRUE(wait_notices("reservation.starting", uid,
				    "reservation_id", rid, 1));
	CU_ASSERT_EQUAL(notices_for("reservation.starting", uid,
				    "device_name", "Lab PC soon"), 1);
	CU_ASSERT_EQUAL(notices_for("reservation.starting", uid,
				    "location", "Room 4"), 1);
	sweep_passed();
	sweep_passed();
	CU_ASSERT_EQUAL(notices("reservation.starting", uid), 1);
	CU_ASSERT_EQUAL(notices("reservation.starting", kid), 0);
	CU_ASSERT_EQUAL(notices("reservation.starting", cid), 0);
	CU_ASSERT_EQUAL(bb_mail_wait(tm, "reservation.starting", 1, SWEEP_WAIT),
			1);
	CU_ASSERT_TRUE(mail_says(tm, "reservation.starting", "Lab PC soon"));
	CU_ASSERT_EQUAL(bb_mail_wait(tm, "reservation.starting", 2, 1), 1);
	CU_ASSERT_EQUAL(bb_mail_wait(km, "reservation.starting", 1, 0), 0);
	CU_ASSERT_EQUAL(bb_mail_wait(cm, "reservation.starting", 1, 0), 0);
	free(tm);
	free(km);
	free(cm);
	(void)later;
	free(rid);
	free(dev);
	free(dev2);
	free(dev3);
	free(t);
	free(k);
	free(cu);
}

static CU_TestInfo tests[] = {
	{ "checkout with a due date", test_checkout_due_at },
	{ "bad due dates change nothing", test_checkout_bad_due },
	{ "no due date: the set's default", test_checkout_default_due },
	{ "loan_days and the overdue list", test_loan_days_and_overdue_list },
	{ "due soon, then overdue, once each", test_due_soon_then_overdue },
	{ "reservation starting, once", test_reservation_starting },
	CU_TEST_INFO_NULL,
};

static int
init(void)
{
	admin = bb_admin_token();
	return *admin ? 0 : 1;
}

static int
clean(void)
{
	free(admin);
	return 0;
}

static CU_SuiteInfo suites[] = { SUITE_INIT("notify-loans", init, clean,
					    tests), CU_SUITE_INFO_NULL };

int
main(void)
{
	bb_init();
	return cunit_run(suites);
}

/* bb_notify_outbox: the outbox's guarantees through nginx, with the event
 * notices haasd and haas-ingestd write (issue 18, item 5): each notice
 * exactly once per event and recipient (registrations, order statuses,
 * low stock once per crossing, a sensor silent and back); a rolled-back
 * change writes none (a refused move, a second decision, a transaction cut
 * by X-Haas-Fault); haasd killed between COMMIT and its reply, retried
 * with the same Idempotency-Key: one change, one notice.  Asserted on the
 * rows of notices (the outbox) and on the mail the stack's postfix
 * delivered (one message per notice, by Message-ID). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bb.h"
#include "cunit_main.h"
#include "util.h"

#define PW "Tr0ub4dor&3x"

static char *admin;
/* A fresh admin and operator of this run: every staff notice reaches
 * each of them once. */
static char *staff_admin, *staff_op;
static char *staff_admin_email, *staff_op_email;
static long long staff_admin_id, staff_op_id;
/* Seconds to wait for haas-notifyd's delivery. */
#define MAIL_WAIT 30

static const char sql_user_id[] = "SELECT id FROM users WHERE username = ?";
/* Rows of one kind to one user about one thing (a field's value). */
#define FIELD_COUNT(key) \
	"SELECT COUNT(*) FROM notices WHERE kind = ? AND user_id = ?" \
	" AND channel = 'email' AND JSON_VALUE(fields, '$." key "') = ?"
static const char sql_by_request[] = FIELD_COUNT("request_id");
static const char sql_by_plate[] = FIELD_COUNT("plate_number");
static const char sql_by_product[] = FIELD_COUNT("product_id");
static const char sql_by_space[] = FIELD_COUNT("space_code");
/* Every e-mail row of an event, and how many distinct users: the same
 * when nobody got it twice. */
#define DUPES(key) \
	"SELECT COUNT(*) - COUNT(DISTINCT user_id) FROM notices" \
	" WHERE kind = ? AND channel = 'email'" \
	" AND JSON_VALUE(fields, '$." key "') = ?"
static const char sql_dupes_request[] = DUPES("request_id");
/* Each admin told the same number of times, n: rows - n * admins. */
static const char sql_each_product[] =
	"SELECT COUNT(*) - ? * COUNT(DISTINCT user_id) FROM notices"
	" WHERE kind = ? AND channel = 'email'"
	" AND JSON_VALUE(fields, '$.product_id') = ?";
static const char sql_dupes_space[] = DUPES("space_code");
static const char sql_order_notices[] =
	"SELECT COUNT(*) FROM notices WHERE kind = 'order.status'"
	" AND JSON_VALUE(fields, '$.order_id') = ?";
static const char sql_order_to[] =
	"SELECT COUNT(*) FROM notices WHERE kind = 'order.status'"
	" AND JSON_VALUE(fields, '$.order_id') = ? AND recipient = ?"
	" AND channel = 'email'";
static const char sql_order_step[] =
	"SELECT COUNT(*) FROM notices WHERE kind = 'order.status'"
	" AND user_id = ? AND JSON_VALUE(fields, '$.order_id') = ?"
	" AND JSON_VALUE(fields, '$.status') = ?"
	" AND JSON_VALUE(fields, '$.previous_status') = ?"
	" AND JSON_VALUE(fields, '$.total') = ?";
static const char sql_order_msgids[] =
	"SELECT COUNT(DISTINCT msg_id) FROM notices WHERE kind = 'order.status'"
	" AND JSON_VALUE(fields, '$.order_id') = ?"
	" AND JSON_VALUE(fields, '$.status') = ?";
static const char sql_order_msgid[] =
	"SELECT msg_id FROM notices WHERE kind = 'order.status'"
	" AND channel = 'email' AND JSON_VALUE(fields, '$.order_id') = ?"
	" AND JSON_VALUE(fields, '$.status') = ?";
static const char sql_order_sent[] =
	"SELECT COUNT(*) FROM notices WHERE kind = 'order.status'"
	" AND channel = 'email' AND JSON_VALUE(fields, '$.order_id') = ?"
	" AND state = 'sent'";
static const char sql_order_status[] =
	"SELECT status = ? FROM orders WHERE id = ?";
static const char sql_decided[] =
	"SELECT COUNT(*) FROM notices WHERE kind = 'registration.decided'"
	" AND user_id = ? AND recipient = ? AND JSON_VALUE(fields,"
	" '$.decision') = ? AND JSON_VALUE(fields, '$.reason') = ?"
	" AND JSON_VALUE(fields, '$.plate_number') = ?";
static const char sql_decided_any[] =
	"SELECT COUNT(*) FROM notices WHERE kind = 'registration.decided'"
	" AND JSON_VALUE(fields, '$.plate_number') = ?";
static const char sql_reason_line[] =
	"SELECT COUNT(*) FROM notices WHERE kind = 'registration.decided'"
	" AND JSON_VALUE(fields, '$.plate_number') = ?"
	" AND JSON_VALUE(fields, '$.reason_line') = ?";
static const char sql_request_of[] =
	"SELECT user_id FROM registration_requests WHERE id = ?";
static const char sql_request_status[] =
	"SELECT status = ? FROM registration_requests WHERE id = ?";
static const char sql_user_email_gone[] =
	"SELECT email IS NULL AND status = 'deleted' FROM users WHERE id = ?";
static const char sql_stock[] = "SELECT stock FROM products WHERE id = ?";
static const char sql_alerted[] =
	"SELECT low_stock_alerted FROM products WHERE id = ?";
static const char sql_space_status[] =
	"SELECT status = ? FROM parking_spaces WHERE id = ?";
static const char sql_silent_mark[] =
	"SELECT sensor_silent_at IS NOT NULL FROM parking_spaces WHERE id = ?";

/* ---- helpers -------------------------------------------------------------- */

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

/* A staff account of role; its token, its id in *id (0 when it could
 * not be made) and its address in *email (caller frees).  Run before the
 * tests (no assertions). */
static char *
staff_new(const char *role, long long *id, char **email)
{
	char *u = bb_unique(role), *body, *tok;
	struct bb_resp *r;

	body = xasprintf("{\"username\": \"%s\", \"email\": \"%s@example.com\","
			 " \"password\": \"%s\", \"role\": \"%s\"}", u, u, PW,
			 role);
	r = bb_json("POST", "/api/admins", admin, body);
	if (r->status != 201)
		fprintf(stderr, "bb_notify_outbox: %s not created: %ld\n", role,
			r->status);
	bb_free(r);
	r = bb_login(u, PW);
	tok = xstrdup(bb_str(r, "access_token"));
	bb_free(r);
	*id = bb_db_int(sql_user_id, DB_P(db_str(u)));
	*email = xasprintf("%s@example.com", u);
	free(body);
	free(u);
	return tok;
}

/* A member with an e-mail address (so the notices to them are mailed):
 * the token; *uid and *email (caller frees) name them. */
static char *
buyer_new(long long *uid, char **email)
{
	char *u = bb_unique("buyer"), *body, *tok;
	struct bb_resp *r;

	*email = xasprintf("%s@example.com", u);
	body = xasprintf("{\"username\": \"%s\", \"email\": \"%s\","
			 " \"name\": \"Bea Buyer\", \"password\": \"%s\"}",
			 u, *email, PW);
	r = bb_json("POST", "/api/users/register", NULL, body);
	CU_ASSERT_EQUAL(r->status, 201);
	bb_free(r);
	r = bb_login(u, PW);
	CU_ASSERT_EQUAL(r->status, 200);
	tok = xstrdup(bb_str(r, "access_token"));
	*uid = strtoll(bb_str(r, "user_id"), NULL, 10);
	bb_free(r);
	free(body);
	free(u);
	return tok;
}

/* Polls sql (one integer) until it equals want, up to seconds. */
static bool
wait_int(const char *sql, const struct db_param *p, size_t np,
	 long long want, int seconds)
{
	int i;

	for (i = 0; i < seconds * 10; i++) {
		if (bb_db_int(sql, p, np) == want)
			return true;
		usleep(100000);
	}
	return false;
}

/* ---- mail ------------------------------------------------------------------ */

/* The messages of kind to `to` whose subject or body holds needle. */
struct mail_query {
	const char *to, *kind, *needle;
	const char *subject;	/* and whose subject holds this, or NULL */
};

static bool
mail_match(const struct bb_mail *m, const struct mail_query *q)
{
	return !strcasecmp(m->to, q->to) && !strcmp(m->kind, q->kind) &&
	       (strstr(m->subject, q->needle) || strstr(m->body, q->needle)) &&
	       (!q->subject || strstr(m->subject, q->subject));
}

/* Distinct Message-IDs of the messages q names, polling for up to
 * seconds until there are at least want; *first (when not NULL, caller
 * frees) gets one message's body, *first_id its Message-ID. */
static int
mail_count(const struct mail_query *q, int want, int seconds,
	   char **first, char **first_id)
{
	int found = 0, tries;

	for (tries = 0; tries <= seconds * 5; tries++) {
		size_t n, k, j;
		struct bb_mail *m = bb_mail_all(&n);
		const char *ids[256];

		found = 0;
		for (k = 0; k < n; k++) {
			if (!mail_match(&m[k], q))
				continue;
			for (j = 0; j < (size_t)found; j++)
				if (!strcmp(ids[j], m[k].message_id))
					break;
			if (j < (size_t)found || found == 256)
				continue;
			ids[found++] = m[k].message_id;
			if (found == 1 && first) {
				free(*first);
				*first = xstrdup(m[k].body);
			}
			if (found == 1 && first_id) {
				free(*first_id);
				*first_id = xstrdup(m[k].message_id);
			}
		}
		bb_mail_free(m, n);
		if (found >= want)
			break;
		usleep(200000);
	}
	return found;
}

/* Exactly want messages q names (waiting for them, then a little more
 * so a late duplicate would show). */
static int
mail_exactly(const struct mail_query *q, int want)
{
	int n = mail_count(q, want, MAIL_WAIT, NULL, NULL);

	if (n == want) {
		usleep(1500000);
		n = mail_count(q, want, 0, NULL, NULL);
	}
	return n;
}

/* ---- registrations -------------------------------------------------------- */

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
	snprintf(out, 16, "NT%02u%05u", (unsigned)k,
		 (unsigned)(getpid() + time(NULL)) % 100000u);
}

/* Registers a driver; returns the request id. */
static long long
register_ok(const char *email, const char *plate)
{
	FILE *f = fopen("/tmp/bb_notify_id.pdf", "wb");
	char *body;
	json_object *o, *v;
	long long id = 0;
	int tries, status = 0;

	if (f) {
		fputs("%PDF-1.4\nid card\n", f);
		fclose(f);
	}
	/* nginx's per-address limit may still be full from a test that
	 * flooded it just before (bb_hardening): wait it out */
	for (tries = 0; tries < 30; tries++) {
		status = bb_register(email, plate,
			"-F 'document=@/tmp/bb_notify_id.pdf;type=application/pdf'",
			"", &body);
		if (status != 429)
			break;
		free(body);
		sleep(1);
	}
	CU_ASSERT_EQUAL(status, 201);
	o = json_tokener_parse(body);
	if (o && json_object_object_get_ex(o, "request_id", &v))
		id = strtoll(json_object_get_string(v), NULL, 10);
	json_object_put(o);
	free(body);
	return id;
}

static struct bb_resp *
decide(long long id, const char *status, const char *reason,
       const char *fault)
{
	char *p = xasprintf("/api/requests/%lld", id), *b, *h = NULL;
	struct bb_resp *r;

	b = reason ? xasprintf("{\"status\": \"%s\", \"reason\": \"%s\"}",
			       status, reason)
		   : xasprintf("{\"status\": \"%s\"}", status);
	if (fault)
		h = xasprintf("X-Haas-Fault: %s", fault);
	r = bb_req("PUT", p, staff_op, "application/json", b, strlen(b), h);
	free(h);
	free(b);
	free(p);
	return r;
}

/* A new request: one notice to each operator and admin, none twice. */
static void
test_registration_submitted(void)
{
	char *email = reg_email(), plate[16], *sid;
	long long id;

	reg_plate(plate);
	id = register_ok(email, plate);
	CU_ASSERT_FATAL(id > 0);
	sid = idstr(id);
	CU_ASSERT_EQUAL(bb_db_int(sql_by_request, DB_P(db_str(
		"registration.submitted"), db_int(staff_admin_id),
		db_str(sid))), 1);
	CU_ASSERT_EQUAL(bb_db_int(sql_by_request, DB_P(db_str(
		"registration.submitted"), db_int(staff_op_id),
		db_str(sid))), 1);
	CU_ASSERT_EQUAL(bb_db_int(sql_dupes_request, DB_P(db_str(
		"registration.submitted"), db_str(sid))), 0);
	/* the applicant (a pending account) is not staff: not told */
	CU_ASSERT_EQUAL(bb_db_int(sql_by_request, DB_P(db_str(
		"registration.submitted"), db_int(bb_db_int(sql_request_of,
		DB_P(db_int(id)))), db_str(sid))), 0);
	CU_ASSERT_EQUAL(bb_db_int(sql_by_plate, DB_P(db_str(
		"registration.submitted"), db_int(staff_admin_id),
		db_str(plate))), 1);
	/* delivered: one message to each, naming the plate and the driver */
	{
		struct mail_query q = { staff_admin_email,
					"registration.submitted", plate, plate };
		char *body = NULL, *link = xasprintf("/staff/registrations/%s",
						     sid);

		CU_ASSERT_EQUAL(mail_exactly(&q, 1), 1);
		mail_count(&q, 1, 0, &body, NULL);
		CU_ASSERT(body && strstr(body, email) && strstr(body, link));
		q.to = staff_op_email;
		CU_ASSERT_EQUAL(mail_exactly(&q, 1), 1);
		free(link);
		free(body);
	}
	free(sid);
	free(email);
}

/* A member's claim of plate, approved by the operator: the number is a
 * permit. */
static void
plate_permit(const char *plate)
{
	char *member = bb_new_user("claim", NULL), *b, *p;
	struct bb_resp *r;
	long long pid;

	b = xasprintf("{\"plate_number\": \"%s\"}", plate);
	r = bb_json("POST", "/api/plates", member, b);
	CU_ASSERT_EQUAL(r->status, 201);
	pid = bb_sub_id(r, "plate", "plate_id");
	bb_free(r);
	p = xasprintf("/api/plates/%lld", pid);
	r = bb_json("PUT", p, staff_op, "{\"status\": \"approved\"}");
	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);
	free(p);
	free(b);
	free(member);
}

/* Approved: one notice to the applicant; deciding again (409) and a
 * decision refused after its notice was written write none.  The decision
 * is one CALL that commits itself (sql/018_bookings_decisions.sql): there
 * is no COMMIT of haasd's left to cut.  A connection cut before the CALL
 * never sent it, so haasd sends it again on a fresh one (db.c's run):
 * decided once, one notice.  The refusal after the notice is the
 * database's own (the plate became another driver's permit meanwhile; the
 * notice, written first, goes with the refusal). */
static void
test_registration_approved(void)
{
	char *email = reg_email(), *email2 = reg_email(), plate[16], plate2[16];
	struct bb_resp *r;
	long long id, id2, uid;

	/* refused after the notice was written: rolled back with it */
	reg_plate(plate2);
	id2 = register_ok(email2, plate2);
	plate_permit(plate2);
	r = decide(id2, "approved", NULL, NULL);
	CU_ASSERT_EQUAL(r->status, 409);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), "plate_taken");
	bb_free(r);
	CU_ASSERT_EQUAL(bb_db_int(sql_request_status, DB_P(db_str("pending"),
				  db_int(id2))), 1);
	CU_ASSERT_EQUAL(bb_db_int(sql_decided_any, DB_P(db_str(plate2))), 0);
	free(email2);
	reg_plate(plate);
	id = register_ok(email, plate);
	uid = bb_db_int(sql_request_of, DB_P(db_int(id)));
	/* the connection drops before the CALL: sent again, decided once */
	r = decide(id, "approved", NULL,
		   "down-before:CALL haas_registration_decide");
	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);
	CU_ASSERT_EQUAL(bb_db_int(sql_decided, DB_P(db_int(uid), db_str(email),
		db_str("approved"), db_str(""), db_str(plate))), 1);
	CU_ASSERT_EQUAL(bb_db_int(sql_reason_line, DB_P(db_str(plate),
				  db_str(""))), 1);
	/* decided already: 409, and still one notice */
	r = decide(id, "rejected", "too late", NULL);
	CU_ASSERT_EQUAL(r->status, 409);
	bb_free(r);
	CU_ASSERT_EQUAL(bb_db_int(sql_decided_any, DB_P(db_str(plate))), 1);
	{
		struct mail_query q = { email, "registration.decided", plate,
					"approved" };
		char *body = NULL;

		CU_ASSERT_EQUAL(mail_exactly(&q, 1), 1);
		mail_count(&q, 1, 0, &body, NULL);
		CU_ASSERT(body && strstr(body, "Hello Ana Driver") &&
			  strstr(body, "sign in") && !strstr(body, "Reason:"));
		free(body);
		q.subject = "rejected";
		CU_ASSERT_EQUAL(mail_count(&q, 0, 0, NULL, NULL), 0);
	}
	free(email);
}

/* Rejected with a reason: the pending account is erased in the same
 * transaction, and the notice still goes to the request's address. */
static void
test_registration_rejected(void)
{
	char *email = reg_email(), plate[16];
	struct bb_resp *r;
	long long id, uid;

	reg_plate(plate);
	id = register_ok(email, plate);
	uid = bb_db_int(sql_request_of, DB_P(db_int(id)));
	r = decide(id, "rejected", "Document unreadable", NULL);
	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);
	CU_ASSERT_EQUAL(bb_db_int(sql_user_email_gone, DB_P(db_int(uid))), 1);
	CU_ASSERT_EQUAL(bb_db_int(sql_decided, DB_P(db_int(uid), db_str(email),
		db_str("rejected"), db_str("Document unreadable"),
		db_str(plate))), 1);
	CU_ASSERT_EQUAL(bb_db_int(sql_reason_line, DB_P(db_str(plate),
		db_str("Reason: Document unreadable\n"))), 1);
	r = decide(id, "approved", NULL, NULL);
	CU_ASSERT_EQUAL(r->status, 409);
	bb_free(r);
	CU_ASSERT_EQUAL(bb_db_int(sql_decided_any, DB_P(db_str(plate))), 1);
	/* the account is gone, the mail still reaches the request's address */
	{
		struct mail_query q = { email, "registration.decided", plate,
					"rejected" };
		char *body = NULL;

		CU_ASSERT_EQUAL(mail_exactly(&q, 1), 1);
		mail_count(&q, 1, 0, &body, NULL);
		CU_ASSERT(body && strstr(body, "Hello Ana Driver") &&
			  strstr(body, "Reason: Document unreadable\n"));
		free(body);
	}
	free(email);
}

/* The decision committed and its answer never reached haasd (503): the
 * request is decided, with its one notice; deciding it again is refused
 * (409) and adds none. */
static void
test_registration_lost_reply(void)
{
	char *email = reg_email(), plate[16];
	struct bb_resp *r;
	long long id;

	reg_plate(plate);
	id = register_ok(email, plate);
	r = decide(id, "approved", NULL,
		   "lost-after:CALL haas_registration_decide");
	CU_ASSERT_EQUAL(r->status, 503);
	bb_free(r);
	CU_ASSERT_EQUAL(bb_db_int(sql_request_status, DB_P(db_str("approved"),
				  db_int(id))), 1);
	CU_ASSERT_EQUAL(bb_db_int(sql_decided_any, DB_P(db_str(plate))), 1);
	r = decide(id, "approved", NULL, NULL);
	CU_ASSERT_EQUAL(r->status, 409);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), "request_decided");
	bb_free(r);
	CU_ASSERT_EQUAL(bb_db_int(sql_decided_any, DB_P(db_str(plate))), 1);
	free(email);
}

/* ---- orders --------------------------------------------------------------- */

/* A product of price 1200 with stock, and threshold (< 0: none). */
static long long
product_new(long long stock, long long threshold)
{
	char *name = bb_unique("Widget"), *b, *t;
	struct bb_resp *r;
	long long id;

	t = threshold < 0 ? xstrdup("null") : idstr(threshold);
	b = xasprintf("{\"kind\": \"accessory\", \"name\": \"%s\", \"price\":"
		      " 1200, \"stock\": %lld, \"low_stock_threshold\": %s}",
		      name, stock, t);
	r = bb_json("POST", "/api/products", admin, b);
	CU_ASSERT_EQUAL(r->status, 201);
	id = bb_sub_id(r, "product", "product_id");
	bb_free(r);
	free(t);
	free(b);
	free(name);
	return id;
}

/* token orders qty of product, with extra header lines; the order id
 * (0: refused). */
static long long
order_new_h(const char *token, long long product, long long qty,
	    const char *extra)
{
	char *b = xasprintf("{\"items\": [{\"product_id\": %lld, \"quantity\":"
			    " %lld}]}", product, qty);
	struct bb_resp *r;
	long long id;

	r = bb_req("POST", "/api/orders/create", token, "application/json", b,
		   strlen(b), extra);
	id = r->status == 201 ? bb_sub_id(r, "order", "order_id") : 0;
	bb_free(r);
	free(b);
	return id;
}

/* The same with an X-Haas-Fault (NULL: none). */
static long long
order_new(const char *token, long long product, long long qty,
	  const char *fault)
{
	char *h = fault ? xasprintf("X-Haas-Fault: %s", fault) : NULL;
	long long id = order_new_h(token, product, qty, h);

	free(h);
	return id;
}

/* PATCH /api/orders/{id} {status} as admin, with extra header lines. */
static struct bb_resp *
order_move(long long id, const char *status, const char *extra)
{
	char *p = xasprintf("/api/orders/%lld", id);
	char *b = xasprintf("{\"status\": \"%s\"}", status);
	struct bb_resp *r = bb_req("PATCH", p, admin, "application/json", b,
				   strlen(b), extra);

	free(b);
	free(p);
	return r;
}

static long
order_move_status(long long id, const char *status, const char *extra)
{
	struct bb_resp *r = order_move(id, status, extra);
	long s = r->status;

	bb_free(r);
	return s;
}

static long long
step_count(long long uid, long long order, const char *to, const char *from)
{
	char *s = idstr(order);
	long long n = bb_db_int(sql_order_step, DB_P(db_int(uid), db_str(s),
		db_str(to), db_str(from), db_str("\xe2\x82\xac" "24.00")));

	free(s);
	return n;
}

static long long
order_notices(long long order)
{
	char *s = idstr(order);
	long long n = bb_db_int(sql_order_notices, DB_P(db_str(s)));

	free(s);
	return n;
}

/* pending -> paid -> shipped -> delivered: one notice per step, to the
 * buyer; none on creation; a move the order cannot make (409) and one
 * cut before COMMIT write none. */
static void
test_order_steps(void)
{
	long long uid, product = product_new(50, -1), id;
	char *email, *u = buyer_new(&uid, &email), *s;

	id = order_new(u, product, 2, NULL);
	CU_ASSERT_FATAL(id > 0);
	CU_ASSERT_EQUAL(order_notices(id), 0);
	/* pending cannot become delivered: 409, nothing sent */
	CU_ASSERT_EQUAL(order_move_status(id, "delivered", NULL), 409);
	CU_ASSERT_EQUAL(order_notices(id), 0);
	/* cut before COMMIT: still pending, nothing sent */
	CU_ASSERT_EQUAL(order_move_status(id, "paid",
		"X-Haas-Fault: down-before:COMMIT"), 503);
	CU_ASSERT_EQUAL(bb_db_int(sql_order_status, DB_P(db_str("pending"),
				  db_int(id))), 1);
	CU_ASSERT_EQUAL(order_notices(id), 0);
	/* cut right after the notice was written: rolled back with it */
	CU_ASSERT_EQUAL(order_move_status(id, "paid",
		"X-Haas-Fault: lost-after:INSERT INTO notices"), 503);
	CU_ASSERT_EQUAL(bb_db_int(sql_order_status, DB_P(db_str("pending"),
				  db_int(id))), 1);
	CU_ASSERT_EQUAL(order_notices(id), 0);
	CU_ASSERT_EQUAL(order_move_status(id, "paid", NULL), 200);
	CU_ASSERT_EQUAL(order_move_status(id, "shipped", NULL), 200);
	CU_ASSERT_EQUAL(order_move_status(id, "delivered", NULL), 200);
	CU_ASSERT_EQUAL(step_count(uid, id, "paid", "pending"), 1);
	CU_ASSERT_EQUAL(step_count(uid, id, "shipped", "paid"), 1);
	CU_ASSERT_EQUAL(step_count(uid, id, "delivered", "shipped"), 1);
	CU_ASSERT_EQUAL(order_notices(id), 3);
	/* delivered cannot be cancelled */
	CU_ASSERT_EQUAL(order_move_status(id, "cancelled", NULL), 409);
	CU_ASSERT_EQUAL(order_notices(id), 3);
	/* all three by e-mail to the buyer's address */
	s = idstr(id);
	CU_ASSERT_EQUAL(bb_db_int(sql_order_to, DB_P(db_str(s),
				  db_str(email))), 3);
	{
		char *needle = xasprintf("order #%lld ", id), *body = NULL;
		struct mail_query q = { email, "order.status", needle, NULL };

		CU_ASSERT_EQUAL(mail_exactly(&q, 3), 3);
		q.subject = "is paid";
		CU_ASSERT_EQUAL(mail_count(&q, 1, 0, &body, NULL), 1);
		CU_ASSERT(body && strstr(body, "(\xe2\x82\xac" "24.00) is now paid"
					 " (it was pending)"));
		q.subject = "is shipped";
		CU_ASSERT_EQUAL(mail_count(&q, 1, 0, NULL, NULL), 1);
		q.subject = "is delivered";
		CU_ASSERT_EQUAL(mail_count(&q, 1, 0, NULL, NULL), 1);
		free(body);
		free(needle);
	}
	free(s);
	free(email);
	free(u);
}

static const char sql_order_states[] =
	"SELECT COUNT(*) FROM notices WHERE kind = 'order.status'"
	" AND JSON_VALUE(fields, '$.order_id') = ? AND state = ?";

/* PUT /api/me/notifications {"order.status": mode} as token. */
static long
order_pref(const char *token, const char *mode)
{
	char *b = xasprintf("{\"order.status\": \"%s\"}", mode);
	struct bb_resp *r = bb_json("PUT", "/api/me/notifications", token, b);
	long s = r->status;

	bb_free(r);
	free(b);
	return s;
}

/* The buyer's preference decides: "digest" holds the notices and one
 * digest mail carries them all (both steps' subjects in its text);
 * "off" writes none; "immediate" again sends at once. */
static void
test_order_preferences(void)
{
	long long uid, product = product_new(50, -1), id;
	char *email, *u = buyer_new(&uid, &email), *s, *body = NULL;
	struct mail_query digest = { NULL, "digest", "", NULL };
	struct mail_query each = { NULL, "order.status", NULL, NULL };

	id = order_new(u, product, 2, NULL);
	CU_ASSERT_FATAL(id > 0);
	s = idstr(id);
	digest.to = each.to = email;
	each.needle = xasprintf("order #%lld ", id);
	CU_ASSERT_EQUAL(order_pref(u, "digest"), 200);
	CU_ASSERT_EQUAL(order_move_status(id, "paid", NULL), 200);
	CU_ASSERT_EQUAL(order_move_status(id, "shipped", NULL), 200);
	CU_ASSERT_EQUAL(order_notices(id), 2);
	/* one digest with both, once the oldest waited digest_interval */
	CU_ASSERT_EQUAL(mail_count(&digest, 1, MAIL_WAIT, &body, NULL), 1);
	CU_ASSERT(body && strstr(body, "is paid") && strstr(body, "is shipped"));
	CU_ASSERT_EQUAL(mail_exactly(&digest, 1), 1);
	CU_ASSERT_EQUAL(bb_db_int(sql_order_states, DB_P(db_str(s),
				  db_str("digested"))), 2);
	CU_ASSERT_EQUAL(mail_count(&each, 0, 0, NULL, NULL), 0);
	/* off: the move happens, nobody is told */
	CU_ASSERT_EQUAL(order_pref(u, "off"), 200);
	CU_ASSERT_EQUAL(order_move_status(id, "delivered", NULL), 200);
	CU_ASSERT_EQUAL(order_notices(id), 2);
	/* a bad mode changes nothing */
	CU_ASSERT_EQUAL(order_pref(u, "sometimes"), 400);
	free(body);
	free((char *)each.needle);
	free(s);
	free(email);
	free(u);
}

/* Cancelled by the buyer (pending) and by an admin (paid): one notice
 * each, to the buyer. */
static void
test_order_cancel(void)
{
	long long uid, product = product_new(50, -1), a, b;
	char *u = bb_new_user("buyer", &uid), *p;
	struct bb_resp *r;

	a = order_new(u, product, 2, NULL);
	p = xasprintf("/api/orders/%lld/cancel", a);
	r = bb_req("POST", p, u, NULL, NULL, 0, NULL);
	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);
	CU_ASSERT_EQUAL(step_count(uid, a, "cancelled", "pending"), 1);
	/* again: refused, nothing more */
	r = bb_req("POST", p, u, NULL, NULL, 0, NULL);
	CU_ASSERT_EQUAL(r->status, 409);
	bb_free(r);
	CU_ASSERT_EQUAL(order_notices(a), 1);
	free(p);
	b = order_new(u, product, 2, NULL);
	CU_ASSERT_EQUAL(order_move_status(b, "paid", NULL), 200);
	CU_ASSERT_EQUAL(order_move_status(b, "cancelled", NULL), 200);
	CU_ASSERT_EQUAL(step_count(uid, b, "cancelled", "paid"), 1);
	CU_ASSERT_EQUAL(order_notices(b), 2);
	CU_ASSERT_EQUAL(bb_db_int(sql_stock, DB_P(db_int(product))), 50);
	free(u);
}

/* COMMIT ran and its answer was lost (503): the move happened with its
 * one notice; the client's plain retry is refused (409) and adds none. */
static void
test_order_lost_commit_reply(void)
{
	long long uid, product = product_new(50, -1), id;
	char *u = bb_new_user("buyer", &uid);

	id = order_new(u, product, 2, NULL);
	CU_ASSERT_EQUAL(order_move_status(id, "paid",
		"X-Haas-Fault: lost-after:COMMIT"), 503);
	CU_ASSERT_EQUAL(bb_db_int(sql_order_status, DB_P(db_str("paid"),
				  db_int(id))), 1);
	CU_ASSERT_EQUAL(step_count(uid, id, "paid", "pending"), 1);
	CU_ASSERT_EQUAL(order_move_status(id, "paid", NULL), 409);
	CU_ASSERT_EQUAL(order_notices(id), 1);
	free(u);
}

/* haasd's worker SIGKILLed right after COMMIT (the client sees 502);
 * the client retries with the same Idempotency-Key once the master has
 * restarted the worker: the move happened once, one notice exists. */
static void
test_order_crash_after_commit(void)
{
	long long uid, product = product_new(50, -1), id;
	char *email, *u = buyer_new(&uid, &email), *key = bb_unique("k"), *h;
	char *s, *mid = NULL, *needle;
	struct bb_resp *r;

	id = order_new(u, product, 2, NULL);
	h = xasprintf("Idempotency-Key: %s\r\nX-Haas-Fault: crash-after:COMMIT",
		      key);
	CU_ASSERT_EQUAL(order_move_status(id, "paid", h), 502);
	free(h);
	CU_ASSERT(bb_wait_health(200, 30));
	CU_ASSERT_EQUAL(bb_db_int(sql_order_status, DB_P(db_str("paid"),
				  db_int(id))), 1);
	h = xasprintf("Idempotency-Key: %s", key);
	r = order_move(id, "paid", h);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_STRING_EQUAL(header_or(r, "Idempotent-Replayed"), "true");
	CU_ASSERT_STRING_EQUAL(bb_sub(r, "order", "status"), "paid");
	bb_free(r);
	/* and once more */
	CU_ASSERT_EQUAL(order_move_status(id, "paid", h), 200);
	free(h);
	s = idstr(id);
	CU_ASSERT_EQUAL(step_count(uid, id, "paid", "pending"), 1);
	CU_ASSERT_EQUAL(bb_db_int(sql_order_msgids, DB_P(db_str(s),
				  db_str("paid"))), 1);
	CU_ASSERT_EQUAL(order_notices(id), 1);
	/* delivered once, under the notice's message id, and marked sent */
	needle = xasprintf("order #%lld ", id);
	{
		struct mail_query q = { email, "order.status", needle, "is paid" };
		struct db_rows *row = NULL;

		CU_ASSERT_EQUAL(mail_exactly(&q, 1), 1);
		mail_count(&q, 1, 0, NULL, &mid);
		CU_ASSERT_EQUAL(db_row(bb_db(), sql_order_msgid, DB_P(db_str(s),
			db_str("paid")), 1, ERR_NOT_FOUND, &row), ERR_OK);
		CU_ASSERT(row && mid && !strncmp(mid, db_col(row, 0), 32) &&
			  mid[32] == '@');
		db_rows_free(row);
		CU_ASSERT(wait_int(sql_order_sent, DB_P(db_str(s)), 1, MAIL_WAIT));
	}
	free(needle);
	free(mid);
	free(s);
	free(key);
	free(email);
	free(u);
}

/* POST /api/orders/{id}/cancel with extra header lines; its status. */
static long
order_cancel(const char *token, long long id, const char *extra,
	     struct bb_resp **out)
{
	char *p = xasprintf("/api/orders/%lld/cancel", id);
	struct bb_resp *r = bb_req("POST", p, token, NULL, NULL, 0, extra);
	long s = r->status;

	if (out)
		*out = r;
	else
		bb_free(r);
	free(p);
	return s;
}

/* A cancel is one procedure that commits itself.  Its CALL's answer
 * lost (the change committed, 503): cancelled once, the stock back once,
 * one notice; the plain retry is refused and adds none.  With an
 * Idempotency-Key the CALL joins the request's transaction: the COMMIT's
 * answer lost, the retry by key replays the cancel; cut before that
 * COMMIT, nothing happened, and a later cancel does it all once. */
static void
test_order_cancel_cut(void)
{
	long long uid, product = product_new(50, -1), a, b, c;
	char *u = bb_new_user("buyer", &uid), *k = bb_unique("k"), *h;
	struct bb_resp *r;

	a = order_new(u, product, 2, NULL);
	b = order_new(u, product, 2, NULL);
	c = order_new(u, product, 2, NULL);
	CU_ASSERT_FATAL(a > 0 && b > 0 && c > 0);
	CU_ASSERT_EQUAL(bb_db_int(sql_stock, DB_P(db_int(product))), 44);
	CU_ASSERT_EQUAL(order_cancel(u, a, "X-Haas-Fault: lost-after:CALL"
				     " haas_order_cancel", NULL), 503);
	CU_ASSERT_EQUAL(bb_db_int(sql_order_status, DB_P(db_str("cancelled"),
				  db_int(a))), 1);
	CU_ASSERT_EQUAL(bb_db_int(sql_stock, DB_P(db_int(product))), 46);
	CU_ASSERT_EQUAL(step_count(uid, a, "cancelled", "pending"), 1);
	CU_ASSERT_EQUAL(order_cancel(u, a, NULL, NULL), 409);
	CU_ASSERT_EQUAL(order_notices(a), 1);
	CU_ASSERT_EQUAL(bb_db_int(sql_stock, DB_P(db_int(product))), 46);

	h = xasprintf("Idempotency-Key: %s\r\nX-Haas-Fault: lost-after:COMMIT",
		      k);
	CU_ASSERT_EQUAL(order_cancel(u, b, h, NULL), 503);
	free(h);
	CU_ASSERT_EQUAL(bb_db_int(sql_stock, DB_P(db_int(product))), 48);
	h = xasprintf("Idempotency-Key: %s", k);
	CU_ASSERT_EQUAL(order_cancel(u, b, h, &r), 200);
	CU_ASSERT_STRING_EQUAL(header_or(r, "Idempotent-Replayed"), "true");
	CU_ASSERT_STRING_EQUAL(bb_sub(r, "order", "status"), "cancelled");
	bb_free(r);
	free(h);
	CU_ASSERT_EQUAL(step_count(uid, b, "cancelled", "pending"), 1);
	CU_ASSERT_EQUAL(order_notices(b), 1);
	CU_ASSERT_EQUAL(bb_db_int(sql_stock, DB_P(db_int(product))), 48);

	free(k);
	k = bb_unique("k");
	h = xasprintf("Idempotency-Key: %s\r\nX-Haas-Fault: down-before:COMMIT",
		      k);
	CU_ASSERT_EQUAL(order_cancel(u, c, h, NULL), 503);
	free(h);
	CU_ASSERT_EQUAL(bb_db_int(sql_order_status, DB_P(db_str("pending"),
				  db_int(c))), 1);
	CU_ASSERT_EQUAL(bb_db_int(sql_stock, DB_P(db_int(product))), 48);
	CU_ASSERT_EQUAL(order_notices(c), 0);
	CU_ASSERT_EQUAL(order_cancel(u, c, NULL, NULL), 200);
	CU_ASSERT_EQUAL(step_count(uid, c, "cancelled", "pending"), 1);
	CU_ASSERT_EQUAL(bb_db_int(sql_stock, DB_P(db_int(product))), 50);
	free(k);
	free(u);
}

static const char sql_hook_notices[] =
	"SELECT COUNT(*) FROM notices WHERE webhook_id = ? AND kind = ?"
	" AND channel = 'webhook' AND recipient = ?"
	" AND JSON_VALUE(fields, CONCAT('$.', ?)) = ?";

/* The notices the order procedures write reach webhooks too, as
 * notify() writes them: a webhook that takes stock.low and order.status
 * gets one row for a crossing and one for a cancel. */
static void
test_order_webhooks(void)
{
	const char *base = getenv("HAAS_TEST_WEBHOOK_URL");
	char *tag = bb_unique("orders"), *url, *b, *path, *s, *ps;
	long long uid, hook, product = product_new(3, 2), id;
	char *u = bb_new_user("buyer", &uid);
	struct bb_resp *r;

	url = xasprintf("%s/ok/%s", base && *base ? base
			: "https://hooks.invalid", tag);
	b = xasprintf("{\"url\": \"%s\", \"kinds\": [\"order.status\","
		      " \"stock.low\"]}", url);
	r = bb_json("POST", "/api/webhooks", admin, b);
	CU_ASSERT_EQUAL_FATAL(r->status, 201);
	hook = bb_sub_id(r, "webhook", "id");
	bb_free(r);
	id = order_new(u, product, 2, NULL);
	CU_ASSERT_FATAL(id > 0);
	s = idstr(id);
	ps = idstr(product);
	CU_ASSERT_EQUAL(bb_db_int(sql_hook_notices, DB_P(db_int(hook),
		db_str("stock.low"), db_str(url), db_str("product_id"),
		db_str(ps))), 1);
	CU_ASSERT_EQUAL(bb_db_int(sql_hook_notices, DB_P(db_int(hook),
		db_str("stock.low"), db_str(url), db_str("stock"),
		db_str("1"))), 1);
	CU_ASSERT_EQUAL(order_cancel(u, id, NULL, NULL), 200);
	CU_ASSERT_EQUAL(bb_db_int(sql_hook_notices, DB_P(db_int(hook),
		db_str("order.status"), db_str(url), db_str("order_id"),
		db_str(s))), 1);
	CU_ASSERT_EQUAL(bb_db_int(sql_hook_notices, DB_P(db_int(hook),
		db_str("order.status"), db_str(url), db_str("total"),
		db_str("\xe2\x82\xac" "24.00"))), 1);
	path = xasprintf("/api/webhooks/%lld", hook);
	r = bb_req("DELETE", path, admin, NULL, NULL, 0, NULL);
	CU_ASSERT_EQUAL(r->status, 204);
	bb_free(r);
	free(path);
	free(ps);
	free(s);
	free(b);
	free(url);
	free(tag);
	free(u);
}

/* ---- low stock ------------------------------------------------------------ */

static long long
low_notices(long long product)
{
	char *s = idstr(product);
	long long n = bb_db_int(sql_by_product, DB_P(db_str("stock.low"),
				db_int(staff_admin_id), db_str(s)));

	CU_ASSERT_EQUAL(bb_db_int(sql_each_product, DB_P(db_int(n),
				  db_str("stock.low"), db_str(s))), 0);
	/* admins only: the operator is not told */
	CU_ASSERT_EQUAL(bb_db_int(sql_by_product, DB_P(db_str("stock.low"),
				  db_int(staff_op_id), db_str(s))), 0);
	free(s);
	return n;
}

static long
stock_add(long long product, long long delta)
{
	char *p = xasprintf("/api/products/%lld/stock", product);
	char *b = xasprintf("{\"delta\": %lld}", delta);
	struct bb_resp *r = bb_json("POST", p, admin, b);
	long s = r->status;

	bb_free(r);
	free(b);
	free(p);
	return s;
}

/* Below the threshold once: one notice; still below after another order:
 * none; back up (a delivery, a cancelled order), down again: one more. */
static void
test_low_stock_once_per_crossing(void)
{
	long long uid, product = product_new(10, 5), a;
	char *u = bb_new_user("buyer", &uid);

	CU_ASSERT_EQUAL(low_notices(product), 0);
	/* An order cut before COMMIT: the stock and the flag stay.  The
	 * procedure commits its own transaction, so the COMMIT a client can
	 * cut is the one of a request with an Idempotency-Key, whose CALL
	 * joins the request's transaction: it took the stock, set the flag
	 * and wrote the notices, and all of it is rolled back. */
	{
		char *k = bb_unique("k");
		char *h = xasprintf("Idempotency-Key: %s\r\n"
				    "X-Haas-Fault: down-before:COMMIT", k);

		CU_ASSERT_EQUAL(order_new_h(u, product, 6, h), 0);
		free(h);
		free(k);
	}
	CU_ASSERT_EQUAL(bb_db_int(sql_stock, DB_P(db_int(product))), 10);
	CU_ASSERT_EQUAL(bb_db_int(sql_alerted, DB_P(db_int(product))), 0);
	CU_ASSERT_EQUAL(low_notices(product), 0);
	/* 10 -> 4: below 5, told once */
	CU_ASSERT(order_new(u, product, 6, NULL) > 0);
	CU_ASSERT_EQUAL(low_notices(product), 1);
	CU_ASSERT_EQUAL(bb_db_int(sql_alerted, DB_P(db_int(product))), 1);
	/* 4 -> 3: still below, nothing more */
	a = order_new(u, product, 1, NULL);
	CU_ASSERT(a > 0);
	CU_ASSERT_EQUAL(low_notices(product), 1);
	/* a delivery: 3 -> 13, the crossing is over (no notice) */
	CU_ASSERT_EQUAL(stock_add(product, 10), 200);
	CU_ASSERT_EQUAL(bb_db_int(sql_alerted, DB_P(db_int(product))), 0);
	CU_ASSERT_EQUAL(low_notices(product), 1);
	/* 13 -> 4: a new crossing, told again */
	CU_ASSERT(order_new(u, product, 9, NULL) > 0);
	CU_ASSERT_EQUAL(low_notices(product), 2);
	/* staff remove units while below: nothing more */
	CU_ASSERT_EQUAL(stock_add(product, -1), 200);
	CU_ASSERT_EQUAL(low_notices(product), 2);
	/* two mails to each admin, naming the product and its stock */
	{
		char *link = xasprintf("/staff/products/%lld\n", product);
		char *body = NULL;
		struct mail_query q = { staff_admin_email, "stock.low", link,
					NULL };

		CU_ASSERT_EQUAL(mail_exactly(&q, 2), 2);
		q.subject = "(4 left)";
		CU_ASSERT_EQUAL(mail_count(&q, 2, 0, &body, NULL), 2);
		CU_ASSERT(body && strstr(body, "below its threshold of 5"));
		q.to = staff_op_email;
		q.subject = NULL;
		CU_ASSERT_EQUAL(mail_count(&q, 0, 0, NULL, NULL), 0);
		free(body);
		free(link);
	}
	free(u);
}

/* A cancelled order's stock coming back ends the crossing; the threshold
 * itself set above the stock starts one; none of it for a product with
 * no threshold. */
static void
test_low_stock_cancel_and_threshold(void)
{
	long long uid, product = product_new(6, 5), none = product_new(3, -1);
	char *u = bb_new_user("buyer", &uid), *p;
	struct bb_resp *r;
	long long a = order_new(u, product, 2, NULL);

	CU_ASSERT_EQUAL(low_notices(product), 1);
	p = xasprintf("/api/orders/%lld/cancel", a);
	r = bb_req("POST", p, u, NULL, NULL, 0, NULL);
	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);
	free(p);
	CU_ASSERT_EQUAL(bb_db_int(sql_alerted, DB_P(db_int(product))), 0);
	/* 6 with a threshold of 10: below it, told */
	p = xasprintf("/api/products/%lld", product);
	r = bb_json("PATCH", p, admin, "{\"low_stock_threshold\": 10}");
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_EQUAL(json_object_get_int64(json_object_object_get(
		json_object_object_get(r->json, "product"),
		"low_stock_threshold")), 10);
	CU_ASSERT(json_object_get_boolean(json_object_object_get(
		json_object_object_get(r->json, "product"), "low_stock")));
	bb_free(r);
	CU_ASSERT_EQUAL(low_notices(product), 2);
	/* no threshold any more: the mark goes, nothing sent */
	r = bb_json("PATCH", p, admin, "{\"low_stock_threshold\": null}");
	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);
	CU_ASSERT_EQUAL(bb_db_int(sql_alerted, DB_P(db_int(product))), 0);
	CU_ASSERT_EQUAL(low_notices(product), 2);
	/* a negative threshold is refused at the field */
	r = bb_json("PATCH", p, admin, "{\"low_stock_threshold\": -1}");
	CU_ASSERT_EQUAL(r->status, 400);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "field"), "low_stock_threshold");
	bb_free(r);
	free(p);
	CU_ASSERT(order_new(u, none, 3, NULL) > 0);
	CU_ASSERT_EQUAL(low_notices(none), 0);
	free(u);
}

/* ---- parking sensors ------------------------------------------------------ */

static int
mqtt_port(void)
{
	const char *p = getenv("HAAS_MQTT_PORT");

	return p ? (int)strtol(p, NULL, 10) : 18830;
}

/* mosquitto_pub as sensor user, QoS 1; its exit status. */
static int
pub_status(const char *sensor, const char *pw, const char *status, int seq)
{
	char *cmd = xasprintf("mosquitto_pub -h 127.0.0.1 -p %d -q 1 -u '%s'"
			      " -P '%s' -t 'haas/parking/%s/status'"
			      " -m '{\"status\": \"%s\", \"seq\": %d}'"
			      " 2>/dev/null", mqtt_port(), sensor, pw, sensor,
			      status, seq);
	int rc = system(cmd);

	free(cmd);
	return rc;
}

static long long
space_new(const char *code, const char *sensor, char **pw)
{
	char *b = xasprintf("{\"code\": \"%s\", \"zone\": \"notify\","
			    " \"sensor_id\": \"%s\"}", code, sensor);
	struct bb_resp *r = bb_json("POST", "/api/parking-spaces", admin, b);
	long long id = bb_sub_id(r, "parking_space", "space_id");

	CU_ASSERT_EQUAL(r->status, 201);
	*pw = xstrdup(bb_str(r, "sensor_password"));
	bb_free(r);
	free(b);
	return id;
}

static long long
sensor_notices(const char *kind, const char *code)
{
	return bb_db_int(sql_by_space, DB_P(db_str(kind),
			 db_int(staff_admin_id), db_str(code)));
}

/* Silent past sensor_ttl (3 s in tests): told once while it stays so;
 * back: told once, whatever it reports next; silent again: a new
 * episode, told again. */
static void
test_sensor_silent_and_back(void)
{
	char *code = bb_unique("N"), *s = bb_unique("nsens"), *pw = NULL;
	long long id = space_new(code, s, &pw);

	CU_ASSERT_EQUAL(pub_status(s, pw, "occupied", 1), 0);
	CU_ASSERT(wait_int(sql_space_status, DB_P(db_str("occupied"),
			   db_int(id)), 1, 5));
	CU_ASSERT_EQUAL(sensor_notices("sensor.silent", code), 0);
	/* silence: unknown, one notice (the sweep runs every second) */
	CU_ASSERT(wait_int(sql_space_status, DB_P(db_str("unknown"),
			   db_int(id)), 1, 10));
	CU_ASSERT(wait_int(sql_by_space, DB_P(db_str("sensor.silent"),
		  db_int(staff_admin_id), db_str(code)), 1, 5));
	CU_ASSERT_EQUAL(bb_db_int(sql_silent_mark, DB_P(db_int(id))), 1);
	sleep(2);	/* more sweeps: still one */
	CU_ASSERT_EQUAL(sensor_notices("sensor.silent", code), 1);
	CU_ASSERT_EQUAL(bb_db_int(sql_dupes_space, DB_P(db_str(
		"sensor.silent"), db_str(code))), 0);
	/* back: one notice with what it reports */
	CU_ASSERT_EQUAL(pub_status(s, pw, "free", 2), 0);
	CU_ASSERT(wait_int(sql_by_space, DB_P(db_str("sensor.back"),
		  db_int(staff_admin_id), db_str(code)), 1, 5));
	CU_ASSERT_EQUAL(bb_db_int(sql_silent_mark, DB_P(db_int(id))), 0);
	CU_ASSERT_EQUAL(pub_status(s, pw, "occupied", 3), 0);
	CU_ASSERT(wait_int(sql_space_status, DB_P(db_str("occupied"),
			   db_int(id)), 1, 5));
	CU_ASSERT_EQUAL(sensor_notices("sensor.back", code), 1);
	CU_ASSERT_EQUAL(bb_db_int(sql_dupes_space, DB_P(db_str("sensor.back"),
				  db_str(code))), 0);
	/* operators are not told */
	CU_ASSERT_EQUAL(bb_db_int(sql_by_space, DB_P(db_str("sensor.back"),
				  db_int(staff_op_id), db_str(code))), 0);
	/* a second silence is a second episode */
	CU_ASSERT(wait_int(sql_by_space, DB_P(db_str("sensor.silent"),
		  db_int(staff_admin_id), db_str(code)), 2, 10));
	{
		/* the body names the space, its zone and the sensor */
		char *needle = xasprintf("space %s (notify)", code), *body = NULL;
		struct mail_query q = { staff_admin_email, "sensor.silent",
					needle, NULL };

		CU_ASSERT_EQUAL(mail_exactly(&q, 2), 2);
		mail_count(&q, 1, 0, &body, NULL);
		CU_ASSERT(body && strstr(body, s) && strstr(body, "since "));
		free(body);
		body = NULL;
		q.kind = "sensor.back";
		CU_ASSERT_EQUAL(mail_exactly(&q, 1), 1);
		mail_count(&q, 1, 0, &body, NULL);
		CU_ASSERT(body && strstr(body, "the space is free"));
		free(body);
		free(needle);
	}
	free(pw);
	free(s);
	free(code);
}

static CU_TestInfo tests[] = {
	{ "registration submitted: each staff member once",
	  test_registration_submitted },
	{ "registration approved once; failed decisions send nothing",
	  test_registration_approved },
	{ "registration rejected with its reason, account erased",
	  test_registration_rejected },
	{ "registration decided, its answer lost: once, one notice",
	  test_registration_lost_reply },
	{ "order: every step once, refused and cut moves send nothing",
	  test_order_steps },
	{ "order cancelled by the buyer and by an admin", test_order_cancel },
	{ "order: the buyer's preference (digest, off)",
	  test_order_preferences },
	{ "order: COMMIT's answer lost: one move, one notice",
	  test_order_lost_commit_reply },
	{ "order: worker killed after COMMIT, retried by key: one notice",
	  test_order_crash_after_commit },
	{ "order cancel: its CALL's or its COMMIT's answer lost, or cut",
	  test_order_cancel_cut },
	{ "order notices reach webhooks", test_order_webhooks },
	{ "low stock: once per crossing", test_low_stock_once_per_crossing },
	{ "low stock: cancel, threshold set and cleared",
	  test_low_stock_cancel_and_threshold },
	{ "sensor silent and back: once each per silence",
	  test_sensor_silent_and_back },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	SUITE("notify_outbox", tests), CU_SUITE_INFO_NULL
};

int
main(void)
{
	int rc;

	bb_init();
	admin = bb_admin_token();
	staff_admin = staff_new("admin", &staff_admin_id, &staff_admin_email);
	staff_op = staff_new("operator", &staff_op_id, &staff_op_email);
	if (staff_admin_id <= 0 || staff_op_id <= 0)
		return 1;
	rc = cunit_run(suites);
	free(staff_op);
	free(staff_admin);
	free(staff_op_email);
	free(staff_admin_email);
	free(admin);
	return rc;
}

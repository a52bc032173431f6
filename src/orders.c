/* orders: the shop's orders.  Creating one takes stock for every line in
 * one transaction (product rows locked in id order, never oversold);
 * cancelling puts it back exactly once; admins move orders along.  Create
 * and cancel are one stored procedure each (sql/017_orders.sql). */
#include "orders.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "audit.h"
#include "body.h"
#include "db.h"
#include "notify.h"
#include "openapi.h"
#include "util.h"

#define ORDER_COLS \
	"o.id, o.user_id, o.status, o.total_price, o.created_at, o.updated_at," \
	" o.username, o.uname"
#define ORDER_NCOLS 8
#define ITEM_COLS "i.product_id, i.name, i.unit_price, i.quantity"
/* Orders with their customer's name; every filter is disabled by binding
 * NULL: the caller's own unless admin, a status, a customer, and a search
 * (an order number, or part of a username, name or email). */
#define ORDER_FROM \
	" FROM (SELECT x.*, u.username, u.name AS uname FROM orders x" \
	" JOIN users u ON u.id = x.user_id" \
	" WHERE (? OR x.user_id = ?) AND (? IS NULL OR x.status = ?)" \
	" AND (? IS NULL OR x.user_id = ?)" \
	" AND (? IS NULL OR x.id = ? OR u.username LIKE ? OR u.name LIKE ?" \
	"  OR u.email LIKE ?)"
#define ORDER_NPARAMS 11
#define MAX_LINES 100
#define MAX_QUANTITY 10000

enum orders_sql {
	Q_CREATE,
	Q_PRODUCT_NAME,
	Q_ORDER,
	Q_ITEMS,
	Q_ORDERS,
	Q_ORDERS_COUNT,
	Q_STATUS_COUNTS,
	Q_ORDER_LOCK,
	Q_SET_STATUS,
	Q_CANCEL,
};

static const char *const sql[] = {
	/* The caller, the lines as JSON, the request (haas_order_create). */
	[Q_CREATE] = "CALL haas_order_create(?, ?, ?, ?, ?, ?)",
	/* A refused line's product name the procedure could not fit in its
	 * refusal (or has none: a product that does not exist). */
	[Q_PRODUCT_NAME] = "SELECT name FROM products WHERE id = ?",
	/* (? OR user_id = ?): admins see every order, users their own. */
	[Q_ORDER] = "SELECT " ORDER_COLS " FROM (SELECT x.*, u.username,"
		" u.name AS uname FROM orders x JOIN users u ON u.id = x.user_id"
		" WHERE x.id = ? AND (? OR x.user_id = ?)) o",
	[Q_ITEMS] = "SELECT " ITEM_COLS " FROM order_items i"
		" WHERE i.order_id = ? ORDER BY i.product_id",
	/* One page of orders with their lines, in one round trip. */
	[Q_ORDERS] = "SELECT " ORDER_COLS ", " ITEM_COLS ORDER_FROM
		" ORDER BY x.id DESC LIMIT ? OFFSET ?) o"
		" JOIN order_items i ON i.order_id = o.id"
		" ORDER BY o.id DESC, i.product_id",
	[Q_ORDERS_COUNT] = "SELECT COUNT(*)" ORDER_FROM ") o",
	/* The same orders by status, whatever the status filter says. */
	[Q_STATUS_COUNTS] = "SELECT o.status, COUNT(*)" ORDER_FROM ") o"
		" GROUP BY o.status",
	[Q_ORDER_LOCK] = "SELECT user_id, status, total_price FROM orders"
		" WHERE id = ? FOR UPDATE",
	[Q_SET_STATUS] = "UPDATE orders SET status = ? WHERE id = ?"
		" AND status = ?",
	/* The caller, the order, the request (haas_order_cancel): owners
	 * cancel while pending, admins until shipped. */
	[Q_CANCEL] = "CALL haas_order_cancel(?, ?, ?, ?, ?, ?)",
};

static const char *const statuses[] = {
	"pending", "paid", "shipped", "delivered", "cancelled",
};

static bool
in_status(const char *s)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(statuses); i++)
		if (!strcmp(s, statuses[i]))
			return true;
	return false;
}

static bool
is_admin(const struct req *r)
{
	return r->user.role == ROLE_ADMIN;
}

static char *
sid(struct req *r, long long id)
{
	return req_printf(r, "%lld", id);
}


/* ---- reading ------------------------------------------------------------ */

/* Who placed the order (an erased account has neither name). */
static json_object *
customer_json(const struct db_rows *rows)
{
	json_object *c = json_object_new_object();

	json_object_object_add(c, "user_id", json_id(db_col_int(rows, 1)));
	json_object_object_add(c, "username", json_str_or_null(db_col(rows, 6)));
	json_object_object_add(c, "name", json_str_or_null(db_col(rows, 7)));
	return c;
}

static json_object *
order_json(const struct db_rows *rows)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "order_id", json_id(db_col_int(rows, 0)));
	json_object_object_add(o, "user_id", json_id(db_col_int(rows, 1)));
	json_object_object_add(o, "status", json_object_new_string(db_col(rows, 2)));
	json_object_object_add(o, "total_price",
			       json_object_new_int64(db_col_int(rows, 3)));
	json_object_object_add(o, "created_at", json_time(db_col(rows, 4)));
	json_object_object_add(o, "updated_at", json_time(db_col(rows, 5)));
	json_object_object_add(o, "customer", customer_json(rows));
	json_object_object_add(o, "items", json_object_new_array());
	return o;
}

/* Appends the line in columns at..at+3 to order o's items. */
static void
item_add(json_object *o, const struct db_rows *rows, unsigned at)
{
	json_object *it = json_object_new_object();
	long long price = db_col_int(rows, at + 2);
	long long qty = db_col_int(rows, at + 3);

	json_object_object_add(it, "product_id", json_id(db_col_int(rows, at)));
	json_object_object_add(it, "name",
			       json_object_new_string(db_col(rows, at + 1)));
	json_object_object_add(it, "unit_price", json_object_new_int64(price));
	json_object_object_add(it, "quantity", json_object_new_int64(qty));
	json_object_object_add(it, "line_total",
			       json_object_new_int64(price * qty));
	json_object_array_add(json_object_object_get(o, "items"), it);
}

static enum err
order_items(struct req *r, long long id, json_object *o)
{
	struct db_rows *rows;
	enum err e = db_query(r->db, sql[Q_ITEMS], DB_P(db_int(id)), 4, &rows);

	if (e != ERR_OK)
		return e;
	while (db_next(rows))
		item_add(o, rows, 0);
	e = db_rows_err(rows);
	db_rows_free(rows);
	return e;
}

/* Order id as the caller may see it (another user's is not found), as a
 * new object in *out. */
static enum err
order_load(struct req *r, long long id, json_object **out)
{
	enum err e = req_row_json(r, sql[Q_ORDER], DB_P(db_int(id),
				  db_int(is_admin(r)), db_int(r->user.id)),
				  ORDER_NCOLS,
				  ERR_ORDER_NOT_FOUND, order_json, out);

	if (e != ERR_OK)
		return e;
	e = order_items(r, id, *out);
	if (e != ERR_OK) {
		json_object_put(*out);
		*out = NULL;
	}
	return e;
}

static enum err
reply_order(struct req *r, long long id)
{
	json_object *o;
	enum err e = order_load(r, id, &o);

	if (e == ERR_OK)
		json_object_object_add(req_reply(r), "order", o);
	return e;
}

static enum err
path_id(struct req *r, long long *id)
{
	return parse_ll(req_param(r, "id"), 1, INT64_MAX, id)
	       ? ERR_ORDER_NOT_FOUND : ERR_OK;
}

static enum err
orders_get(struct req *r)
{
	long long id;
	enum err e = path_id(r, &id);

	return e != ERR_OK ? e : reply_order(r, id);
}

/* A list's filters: ?status=, ?user_id= and ?q=. */
struct order_filter {
	const char *status, *like;
	struct db_param user, number;
};

/* "%q%" with LIKE's own wildcards escaped, in r's pool. */
static char *
like_pattern(struct req *r, const char *q)
{
	struct buf b = { 0 };
	char *out;

	buf_adds(&b, "%");
	for (; *q; q++) {
		if (*q == '%' || *q == '_' || *q == '\\')
			buf_adds(&b, "\\");
		buf_add(&b, q, 1);
	}
	buf_adds(&b, "%");
	out = req_strdup(r, b.s);
	buf_release(&b);
	return out;
}

static enum err
filter_read(struct req *r, struct order_filter *f)
{
	const char *q = req_query(r, "q");
	long long v;
	enum err e = ERR_OK;

	f->status = req_query(r, "status");
	f->status = f->status && *f->status ? f->status : NULL;
	if (f->status && !in_status(f->status))
		return req_fail(r, ERR_BAD_QUERY, "Unknown order status");
	f->user = db_null();
	if (req_query(r, "user_id"))
		e = req_query_int(r, "user_id", 0, 1, INT64_MAX, &v);
	if (e != ERR_OK)
		return e;
	if (req_query(r, "user_id"))
		f->user = db_int(v);
	q = q ? q + strspn(q, " #") : NULL;
	f->like = q && *q ? like_pattern(r, q) : NULL;
	f->number = q && *q && !parse_ll(q, 1, INT64_MAX, &v) ? db_int(v)
							     : db_null();
	return ERR_OK;
}

/* Fills p[0..ORDER_NPARAMS) in ORDER_FROM's order; status as given. */
static void
filter_params(struct req *r, const struct order_filter *f,
	      const char *status, struct db_param *p)
{
	const struct db_param all[ORDER_NPARAMS] = {
		db_int(is_admin(r)), db_int(r->user.id), db_str(status),
		db_str(status), f->user, f->user, db_str(f->like), f->number,
		db_str(f->like), db_str(f->like), db_str(f->like),
	};

	memcpy(p, all, sizeof(all));
}

/* "total" under the filters, and "status_counts": {pending: n, ...}
 * under all of them but the status. */
static enum err
orders_counts(struct req *r, const struct order_filter *f)
{
	struct db_param p[ORDER_NPARAMS];
	json_object *c = json_object_new_object();
	struct db_rows *rows;
	size_t i;
	enum err e;

	for (i = 0; i < ARRAY_SIZE(statuses); i++)
		json_object_object_add(c, statuses[i], json_object_new_int64(0));
	json_object_object_add(req_reply(r), "status_counts", c);
	filter_params(r, f, f->status, p);
	e = req_reply_count(r, "total", sql[Q_ORDERS_COUNT], p, ARRAY_SIZE(p));
	filter_params(r, f, NULL, p);
	if (e == ERR_OK)
		e = db_query(r->db, sql[Q_STATUS_COUNTS], p, ARRAY_SIZE(p), 2,
			     &rows);
	if (e != ERR_OK)
		return e;
	while (db_next(rows))
		json_object_object_add(c, db_col(rows, 0),
				       json_object_new_int64(db_col_int(rows, 1)));
	e = db_rows_err(rows);
	db_rows_free(rows);
	return e;
}

static enum err
orders_list(struct req *r)
{
	struct order_filter f = { 0 };
	struct db_param p[ORDER_NPARAMS + 2];
	json_object *arr, *cur = NULL;
	struct db_rows *rows;
	long long limit, offset, cur_id = 0;
	enum err e = req_paging(r, &limit, &offset);

	if (e == ERR_OK)
		e = filter_read(r, &f);
	if (e != ERR_OK)
		return e;
	filter_params(r, &f, f.status, p);
	p[ORDER_NPARAMS] = db_int(limit);
	p[ORDER_NPARAMS + 1] = db_int(offset);
	e = db_query(r->db, sql[Q_ORDERS], p, ARRAY_SIZE(p), ORDER_NCOLS + 4,
		     &rows);
	if (e != ERR_OK)
		return e;
	arr = json_object_new_array();
	json_object_object_add(req_reply(r), "orders", arr);
	while (db_next(rows)) {
		if (!cur || db_col_int(rows, 0) != cur_id) {
			cur = order_json(rows);
			cur_id = db_col_int(rows, 0);
			json_object_array_add(arr, cur);
		}
		item_add(cur, rows, ORDER_NCOLS);
	}
	e = db_rows_err(rows);
	db_rows_free(rows);
	return e != ERR_OK ? e : orders_counts(r, &f);
}

/* ---- creating ----------------------------------------------------------- */

struct line {
	long long product_id, quantity;
};

struct new_order {
	struct line lines[MAX_LINES];
	size_t n;
};

static int
line_cmp(const void *a, const void *b)
{
	const struct line *x = a, *y = b;

	return (x->product_id > y->product_id) - (x->product_id < y->product_id);
}

static enum err
item_read(struct req *r, json_object *item, struct line *l)
{
	static const struct field spec[] = {
		{ "product_id", FT_ID, F_REQUIRED },
		{ "quantity", FT_INT, F_REQUIRED, .min = 1,
		  .max = MAX_QUANTITY },
	};
	struct field_value v[ARRAY_SIZE(spec)];
	enum err e;

	if (!json_object_is_type(item, json_type_object))
		return req_fail(r, ERR_ORDER_ITEMS,
				"Each item must be an object with product_id and quantity");
	e = body_fields(r, item, spec, ARRAY_SIZE(spec), v);
	l->product_id = v[0].i;
	l->quantity = v[1].i;
	return e;
}

static const struct field order_spec[] = {
	{ "items", FT_ARRAY, F_REQUIRED, .max = MAX_LINES,
	  .missing = ERR_ORDER_ITEMS },
};

/* Reads the items the router found (order_spec), sorted by product id
 * with repeated products added up. */
static enum err
items_read(struct req *r, struct new_order *o)
{
	json_object *items = r->vals[0].o;
	size_t i, n = json_object_array_length(items);
	enum err e = ERR_OK;

	if (n == 0)
		return ERR_ORDER_ITEMS;
	for (i = 0; i < n && e == ERR_OK; i++)
		e = item_read(r, json_object_array_get_idx(items, i),
			      &o->lines[i]);
	if (e != ERR_OK)
		return e;
	qsort(o->lines, n, sizeof(o->lines[0]), line_cmp);
	o->n = 0;
	for (i = 0; i < n; i++) {
		if (o->n && o->lines[o->n - 1].product_id == o->lines[i].product_id)
			o->lines[o->n - 1].quantity += o->lines[i].quantity;
		else
			o->lines[o->n++] = o->lines[i];
	}
	return ERR_OK;
}

/* The lines for haas_order_create: [{"product_id": n, "quantity": q}]. */
static const char *
items_json(struct req *r, const struct new_order *o)
{
	struct buf b = { 0 };
	const char *text;
	size_t i;

	buf_adds(&b, "[");
	for (i = 0; i < o->n; i++)
		buf_addf(&b, "%s{\"product_id\": %lld, \"quantity\": %lld}",
			 i ? ", " : "", o->lines[i].product_id,
			 o->lines[i].quantity);
	buf_adds(&b, "]");
	text = req_strdup(r, b.s);
	buf_release(&b);
	return text;
}

/* A refused line names its product (the procedure's details) and the
 * product's name, when it has one: read here when the procedure could
 * not fit it in its refusal. */
static enum err
refusal_name(struct req *r, enum err e)
{
	json_object *id = NULL;
	struct db_rows *row;
	long long pid;

	if ((e != ERR_PRODUCT_NOT_FOUND && e != ERR_INSUFFICIENT_STOCK) ||
	    !json_object_object_get_ex(r->err_extra, "product_id", &id) ||
	    json_object_object_get_ex(r->err_extra, "product_name", NULL) ||
	    parse_ll(json_object_get_string(id), 1, INT64_MAX, &pid))
		return e;
	if (db_row(r->db, sql[Q_PRODUCT_NAME], DB_P(db_int(pid)), 1,
		   ERR_NOT_FOUND, &row) != ERR_OK)
		return e;
	req_fail_extra(r, "product_name",
		       json_object_new_string(db_col(row, 0)));
	db_rows_free(row);
	return e;
}

/* One CALL (haas_order_create): the caller's account, every line's lock,
 * guard and snapshot, the low-stock marks and notices, the order, its
 * lines and its audit row, in its own transaction; the reply is the order
 * it answers. */
static enum err
orders_create(struct req *r)
{
	struct new_order *o = req_alloc(r, sizeof(*o));
	json_object *out = NULL, *order = NULL;
	enum err e = items_read(r, o);

	if (e == ERR_OK)
		e = req_call(r, sql[Q_CREATE], DB_P(REQ_PRINCIPAL(r),
			db_str(items_json(r, o)), db_str(r->request_id),
			db_str(r->remote_addr)), &out);
	if (e != ERR_OK)
		return refusal_name(r, e);
	json_object_object_add(req_reply(r), "message",
			       json_object_new_string("Order created successfully"));
	json_object_object_get_ex(out, "order", &order);
	json_object_object_add(req_reply(r), "order", json_object_get(order));
	json_object_put(out);
	return ERR_OK;
}

/* ---- lifecycle ---------------------------------------------------------- */

struct transition {
	long long id;
	const char *to;
	const char *from;	/* as it was, in r's pool (order_lock) */
	long long owner, total;
};

/* Locks order t->id; another user's order is not found.  t->from gets
 * its status, t->owner and t->total its buyer and total. */
static enum err
order_lock(struct req *r, struct transition *t)
{
	struct db_rows *row;
	enum err e = db_row(r->db, sql[Q_ORDER_LOCK], DB_P(db_int(t->id)), 3,
			    ERR_ORDER_NOT_FOUND, &row);

	if (!row)
		return e;
	t->owner = db_col_int(row, 0);
	t->from = req_strdup(r, db_col(row, 1));
	t->total = db_col_int(row, 2);
	db_rows_free(row);
	return t->owner != r->user.id && !is_admin(r) ? ERR_ORDER_NOT_FOUND
						       : ERR_OK;
}

/* Minor units as the app shows them (ui.js money(): euros), "€1,234.50". */
static void
money_text(long long cents, char out[40])
{
	char digits[24];
	size_t n, i, k = 0;
	int len = snprintf(digits, sizeof(digits), "%lld",
			   (cents < 0 ? -cents : cents) / 100);

	n = len > 0 ? (size_t)len : 0;
	if (cents < 0)
		out[k++] = '-';
	memcpy(out + k, "\xe2\x82\xac", 3);	/* the euro sign, UTF-8 */
	k += 3;
	for (i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			out[k++] = ',';
		out[k++] = digits[i];
	}
	snprintf(out + k, 40 - k, ".%02lld", (cents < 0 ? -cents : cents) % 100);
}

/* Tells the buyer (NK_ORDER_STATUS), in the change's transaction. */
static enum err
status_notify(struct req *r, const struct transition *t)
{
	json_object *f = json_object_new_object();
	char total[40];
	enum err e;

	money_text(t->total, total);
	json_object_object_add(f, "order_id", json_object_new_string(
		sid(r, t->id)));
	json_object_object_add(f, "status", json_object_new_string(t->to));
	json_object_object_add(f, "previous_status",
			       json_object_new_string(t->from));
	json_object_object_add(f, "total", json_object_new_string(total));
	e = notify(r->db, &(struct notice){ .kind = NK_ORDER_STATUS,
		.fields = f, .users = &t->owner, .nusers = 1 }, NULL);
	json_object_put(f);
	return e;
}

static enum err
audit_transition(struct req *r, long long id, const char *from,
		 const char *to)
{
	json_object *d = json_object_new_object();

	json_object_object_add(d, "from", json_object_new_string(from));
	json_object_object_add(d, "to", json_object_new_string(to));
	return audit_write(r->db, r, r->user.id, "order.status", "order",
			   sid(r, id), d);
}

/* One CALL (haas_order_cancel): the caller's account and role, the
 * order's lock and the conditional UPDATE (it succeeds once, so the stock
 * comes back once), the restock with its low-stock marks, the audit row
 * and the buyer's notice, in its own transaction; the reply is the order
 * it answers.  The procedure reads the caller's role itself, so the route
 * may leave the principal to it (ROUTE_AUTH_LATE). */
static enum err
cancel(struct req *r, long long id)
{
	json_object *out = NULL, *order = NULL;
	enum err e = req_call(r, sql[Q_CANCEL], DB_P(REQ_PRINCIPAL(r),
		db_int(id), db_str(r->request_id), db_str(r->remote_addr)),
		&out);

	if (e != ERR_OK)
		return e;
	json_object_object_get_ex(out, "order", &order);
	json_object_object_add(req_reply(r), "order", json_object_get(order));
	json_object_put(out);
	return ERR_OK;
}

static enum err
orders_cancel(struct req *r)
{
	long long id;
	enum err e = path_id(r, &id);

	return e != ERR_OK ? e : cancel(r, id);
}

/* The one status each forward move starts from. */
static const char *
transition_from(const char *to)
{
	if (!strcmp(to, "paid"))
		return "pending";
	if (!strcmp(to, "shipped"))
		return "paid";
	if (!strcmp(to, "delivered"))
		return "shipped";
	return NULL;
}

static enum err
advance_txn(struct req *r, void *arg)
{
	struct transition *t = arg;
	struct db_result res = { 0 };
	const char *need = transition_from(t->to);
	enum err e = order_lock(r, t);

	if (e == ERR_OK)
		e = db_exec(r->db, sql[Q_SET_STATUS], DB_P(db_str(t->to),
			    db_int(t->id), db_str(need)), &res);
	if (e == ERR_OK && res.affected == 0)
		return req_fail(r, ERR_ORDER_TRANSITION,
				"Order is %s and cannot become %s", t->from,
				t->to);
	if (e == ERR_OK)
		e = audit_transition(r, t->id, t->from, t->to);
	if (e == ERR_OK)
		e = status_notify(r, t);
	return e;
}

static const struct field status_spec[] = {
	{ "status", FT_STRING, F_REQUIRED | F_TRIM, .max = 16,
	  .invalid = ERR_ORDER_STATUS_INVALID },
};

static enum err
orders_set_status(struct req *r)
{
	struct transition t = { .to = r->vals[0].s };	/* status_spec */
	enum err e = path_id(r, &t.id);

	if (e != ERR_OK)
		return e;
	if (!strcmp(t.to, "cancelled"))
		return cancel(r, t.id);
	if (transition_from(t.to))
		e = req_txn(r, advance_txn, &t);
	else
		e = ERR_ORDER_STATUS_INVALID;
	return e != ERR_OK ? e : reply_order(r, t.id);
}

/* What order_json, customer_json and item_add write. */
const struct schema_def orders_schemas[] = {
	{ "Order", "{order_id: id, user_id: id, status: string, "
	  "total_price: int, created_at: time, updated_at: time, "
	  "customer: Customer, items: [OrderItem]}" },
	{ "Customer", "{user_id: id, username: string?, name: string?}" },
	{ "OrderItem", "{product_id: id, name: string, unit_price: int, "
	  "quantity: int, line_total: int}" },
	{ NULL, NULL },
};

static const struct qparam orders_query[] = {
	{ "status", "string",
	  "pending, paid, shipped, delivered or cancelled" },
	{ "user_id", "integer", "One customer's orders (admins)" },
	{ "q", "string", "An order number, or part of a customer's username, "
	  "name or email" },
	QP_LIMIT,
	QP_OFFSET,
	{ NULL },
};

const struct route orders_routes[] = {
	{ "POST", "/api/orders/create", ROLE_USER, 201, BODY_JSON,
	  orders_create, "Order products (stock taken at once; "
	  "Idempotency-Key honoured)", ROUTE_IDEMPOTENT | ROUTE_AUTH_LATE,
	  ROUTE_FIELDS(order_spec),
	  .reply = "{message: string, order: Order}",
	  ROUTE_ERRORS(ERR_ORDER_ITEMS, ERR_PRODUCT_NOT_FOUND,
		       ERR_INSUFFICIENT_STOCK) },
	{ "GET", "/api/orders", ROLE_USER, 200, BODY_NONE, orders_list,
	  "Your orders (admins: all), ?status=, ?user_id=, ?q= (an order "
	  "number or part of a customer's username, name or email), paging",
	  .query = orders_query, .reply = "{orders: [Order], total: int, "
	  "status_counts: {pending: int, paid: int, shipped: int, "
	  "delivered: int, cancelled: int}}" },
	{ "GET", "/api/orders/{id}", ROLE_USER, 200, BODY_NONE, orders_get,
	  "One order", .reply = "{order: Order}",
	  ROUTE_ERRORS(ERR_ORDER_NOT_FOUND) },
	{ "POST", "/api/orders/{id}/cancel", ROLE_USER, 200, BODY_JSON_OPTIONAL,
	  orders_cancel, "Cancel an order (owner: while pending; admins: "
	  "until shipped); stock returns (Idempotency-Key honoured)",
	  ROUTE_IDEMPOTENT | ROUTE_AUTH_LATE, .reply = "{order: Order}",
	  ROUTE_ERRORS(ERR_ORDER_NOT_FOUND, ERR_ORDER_NOT_CANCELLABLE) },
	{ "PATCH", "/api/orders/{id}", ROLE_ADMIN, 200, BODY_JSON,
	  orders_set_status, "Move an order: paid, shipped, delivered or "
	  "cancelled (Idempotency-Key honoured)", ROUTE_IDEMPOTENT,
	  ROUTE_FIELDS(status_spec), .reply = "{order: Order}",
	  ROUTE_ERRORS(ERR_ORDER_NOT_FOUND, ERR_ORDER_STATUS_INVALID,
		       ERR_ORDER_TRANSITION, ERR_ORDER_NOT_CANCELLABLE) },
	{ 0 },
};

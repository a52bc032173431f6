/* bb_shop: every Shop row of the contract through nginx (catalog, orders,
 * reviews), the races that must never oversell or restock twice, and the
 * database afterwards. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bb.h"
#include "cunit_main.h"
#include "util.h"

static const char sql_stock[] = "SELECT stock FROM products WHERE id = ?";
static const char sql_orders_of[] =
	"SELECT COUNT(*) FROM orders WHERE user_id = ?";
static const char sql_sold[] =
	"SELECT COALESCE(SUM(i.quantity), 0) FROM order_items i"
	" JOIN orders o ON o.id = i.order_id"
	" WHERE i.product_id = ? AND o.status <> 'cancelled'";
static const char sql_audit[] =
	"SELECT COUNT(*) FROM audit_log WHERE entity = 'order'"
	" AND entity_id = ? AND action = ?";
static const char sql_status[] =
	"SELECT status = ? FROM orders WHERE id = ?";

static const char sql_seed_images[] =
	"SELECT name, image_url FROM products WHERE name IN ('Galaxy S23',"
	" 'iPhone 13', 'ThinkPad X1 Carbon', 'MacBook Air M2',"
	" 'USB-C charger 30 W', 'Galaxy S23 clear case', 'Flip 6 speaker',"
	" 'Galaxy Buds2') ORDER BY id";

static char *admin;

/* Member key of a nested object: jv(r->json, "order", "status"). */
static json_object *
jv(json_object *o, const char *a, const char *b)
{
	json_object *x = json_object_object_get(o, a);

	return b ? json_object_object_get(x, b) : x;
}

static const char *
js(json_object *o, const char *a, const char *b)
{
	const char *s = json_object_get_string(jv(o, a, b));

	return s ? s : "";
}

static long long
ji(json_object *o, const char *a, const char *b)
{
	json_object *x = jv(o, a, b);

	return x ? json_object_get_int64(x) : -1;
}

static long long
jid(json_object *o, const char *a, const char *b)
{
	return strtoll(js(o, a, b), NULL, 10);
}

static struct bb_resp *
jsonf(const char *method, const char *path, const char *token,
      const char *body)
{
	return bb_json(method, path, token, body);
}

static long long
brand_new(const char *name)
{
	char *b = xasprintf("{\"name\": \"%s\"}", name);
	struct bb_resp *r = jsonf("POST", "/api/brands", admin, b);
	long long id = jid(r->json, "brand", "brand_id");

	CU_ASSERT_EQUAL(r->status, 201);
	bb_free(r);
	free(b);
	return id;
}

/* Creates a product as admin; extra is more JSON members or "". */
static long long
product_new(const char *kind, const char *name, long long price,
	    long long stock, const char *extra)
{
	char *b = xasprintf("{\"kind\": \"%s\", \"name\": \"%s\", \"price\": %lld,"
			    " \"stock\": %lld%s}", kind, name, price, stock,
			    extra);
	struct bb_resp *r = jsonf("POST", "/api/products", admin, b);
	long long id = jid(r->json, "product", "product_id");

	CU_ASSERT_EQUAL(r->status, 201);
	CU_ASSERT(id > 0);
	bb_free(r);
	free(b);
	return id;
}

static long long
stock_of(long long id)
{
	return bb_db_int(sql_stock, DB_P(db_int(id)));
}

static struct bb_resp *
order(const char *token, const char *items, const char *key)
{
	char *b = xasprintf("{\"items\": %s}", items);
	char *h = key ? xasprintf("Idempotency-Key: %s", key) : NULL;
	struct bb_resp *r = bb_req("POST", "/api/orders/create", token,
				   "application/json", b, strlen(b), h);

	free(b);
	free(h);
	return r;
}

/* Orders quantity of product id; returns the order id (0 on failure). */
static long long
order_one(const char *token, long long id, int quantity)
{
	char *items = xasprintf("[{\"product_id\": \"%lld\", \"quantity\": %d}]",
				id, quantity);
	struct bb_resp *r = order(token, items, NULL);
	long long oid = r->status == 201 ? jid(r->json, "order", "order_id") : 0;

	CU_ASSERT_EQUAL(r->status, 201);
	bb_free(r);
	free(items);
	return oid;
}

static struct bb_resp *
order_action(const char *method, long long oid, const char *suffix,
	     const char *token, const char *body)
{
	char *path = xasprintf("/api/orders/%lld%s", oid, suffix);
	struct bb_resp *r = jsonf(method, path, token, body);

	free(path);
	return r;
}

static void
set_status(long long oid, const char *status, long want)
{
	char *b = xasprintf("{\"status\": \"%s\"}", status);
	struct bb_resp *r = order_action("PATCH", oid, "", admin, b);

	CU_ASSERT_EQUAL(r->status, want);
	if (want == 200)
		CU_ASSERT_STRING_EQUAL(js(r->json, "order", "status"), status);
	bb_free(r);
	free(b);
}

static void
test_catalog_admin(void)
{
	char *bn = bb_unique("Brand"), *body, *path;
	char *user = bb_new_user("shopper", NULL);
	long long bid = brand_new(bn), pid;
	struct bb_resp *r;

	body = xasprintf("{\"name\": \"%s\"}", bn);
	r = jsonf("POST", "/api/brands", admin, body);
	CU_ASSERT_EQUAL(r->status, 409);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "error"), "Brand already exists");
	bb_free(r);
	free(body);

	/* non-admins cannot write the catalog */
	body = xasprintf("{\"kind\": \"phone\", \"name\": \"X\", \"price\": 1}");
	r = jsonf("POST", "/api/products", user, body);
	CU_ASSERT_EQUAL(r->status, 403);
	bb_free(r);
	r = jsonf("POST", "/api/products", NULL, body);
	CU_ASSERT_EQUAL(r->status, 401);
	bb_free(r);
	r = jsonf("POST", "/api/brands", user, "{\"name\": \"Nope\"}");
	CU_ASSERT_EQUAL(r->status, 403);
	bb_free(r);
	free(body);

	body = xasprintf("{\"kind\": \"sound_device\", \"brand_id\": \"%lld\","
			 " \"name\": \"Boom\", \"price\": \"12999\", \"stock\": 3,"
			 " \"status\": \"used\", \"image_url\": \"/img/b.jpg\","
			 " \"description\": \"Loud\", \"attributes\":"
			 " {\"power_w\": 40}}", bid);
	r = jsonf("POST", "/api/products", admin, body);
	CU_ASSERT_EQUAL(r->status, 201);
	pid = jid(r->json, "product", "product_id");
	CU_ASSERT_STRING_EQUAL(js(r->json, "product", "kind"), "sound_device");
	CU_ASSERT_STRING_EQUAL(js(r->json, "product", "brand"), bn);
	CU_ASSERT_EQUAL(ji(r->json, "product", "price"), 12999);
	CU_ASSERT_EQUAL(ji(r->json, "product", "stock"), 3);
	CU_ASSERT_STRING_EQUAL(js(r->json, "product", "status"), "used");
	CU_ASSERT_EQUAL(json_object_get_int(jv(jv(r->json, "product",
		"attributes"), "power_w", NULL)), 40);
	CU_ASSERT_EQUAL(ji(r->json, "product", "version"), 1);
	bb_free(r);
	free(body);

	path = xasprintf("/api/products/%lld", pid);
	r = bb_get(path, NULL);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_STRING_EQUAL(js(r->json, "product", "name"), "Boom");
	CU_ASSERT_STRING_EQUAL(js(r->json, "product", "image_url"), "/img/b.jpg");
	CU_ASSERT_STRING_EQUAL(js(r->json, "product", "description"), "Loud");
	bb_free(r);

	r = jsonf("PATCH", path, admin, "{\"price\": 9999, \"version\": 1}");
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_EQUAL(ji(r->json, "product", "price"), 9999);
	CU_ASSERT_EQUAL(ji(r->json, "product", "version"), 2);
	bb_free(r);
	r = jsonf("PATCH", path, admin, "{\"price\": 1, \"version\": 1}");
	CU_ASSERT_EQUAL(r->status, 409);
	CU_ASSERT_EQUAL(ji(r->json, "version", NULL), 2);
	bb_free(r);
	CU_ASSERT_EQUAL(bb_db_int("SELECT price FROM products WHERE id = ?",
				  DB_P(db_int(pid))), 9999);
	r = jsonf("PATCH", path, user, "{\"price\": 1}");
	CU_ASSERT_EQUAL(r->status, 403);
	bb_free(r);
	r = jsonf("PATCH", path, admin, "{\"kind\": \"toaster\"}");
	CU_ASSERT_EQUAL(r->status, 400);
	bb_free(r);
	r = jsonf("PATCH", path, admin, "{\"price\": -5}");
	CU_ASSERT_EQUAL(r->status, 400);
	bb_free(r);

	/* the brand is in use; retiring keeps the product readable */
	body = xasprintf("/api/brands/%lld", bid);
	r = bb_req("DELETE", body, admin, NULL, NULL, 0, NULL);
	CU_ASSERT_EQUAL(r->status, 409);
	bb_free(r);
	free(body);
	r = bb_req("DELETE", path, user, NULL, NULL, 0, NULL);
	CU_ASSERT_EQUAL(r->status, 403);
	bb_free(r);
	r = bb_req("DELETE", path, admin, NULL, NULL, 0, NULL);
	CU_ASSERT_EQUAL(r->status, 204);
	bb_free(r);
	r = bb_req("DELETE", path, admin, NULL, NULL, 0, NULL);
	CU_ASSERT_EQUAL(r->status, 404);
	bb_free(r);
	r = bb_get(path, NULL);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT(strlen(js(r->json, "product", "retired_at")) > 0);
	bb_free(r);
	r = bb_get("/api/products/999999999", NULL);
	CU_ASSERT_EQUAL(r->status, 404);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "error"), "Product not found");
	bb_free(r);
	free(path);
	free(user);
	free(bn);
}

/* Ids of the products in the listing at path, in order, into ids[]. */
static int
list_ids(const char *path, long long *ids, int max, long long *total)
{
	struct bb_resp *r = bb_get(path, NULL);
	json_object *arr = jv(r->json, "products", NULL);
	int i, n = arr ? (int)json_object_array_length(arr) : -1;

	CU_ASSERT_EQUAL(r->status, 200);
	for (i = 0; i < n && i < max; i++)
		ids[i] = jid(json_object_array_get_idx(arr, (size_t)i),
			     "product_id", NULL);
	*total = ji(r->json, "total", NULL);
	bb_free(r);
	return n;
}

static void
test_browse(void)
{
	char *bn = bb_unique("Browse"), *q = bb_unique("zq"), *path;
	char *n1 = xasprintf("%s alpha", q), *n2 = xasprintf("%s beta", q);
	char *n3 = xasprintf("%s gamma", q), *extra;
	long long bid = brand_new(bn), ids[8], total, a, b, c;
	struct bb_resp *r;

	extra = xasprintf(", \"brand\": \"%s\"", bn);
	a = product_new("phone", n1, 30000, 5, extra);
	b = product_new("accessory", n2, 1000, 0, extra);
	c = product_new("sound_device", n3, 20000, 2, extra);
	free(extra);

	path = xasprintf("/api/products?brand_id=%lld&sort=price", bid);
	CU_ASSERT_EQUAL(list_ids(path, ids, 8, &total), 3);
	CU_ASSERT_EQUAL(total, 3);
	CU_ASSERT(ids[0] == b && ids[1] == c && ids[2] == a);
	free(path);
	path = xasprintf("/api/products?brand=%s&sort=-price&limit=2", bn);
	CU_ASSERT_EQUAL(list_ids(path, ids, 8, &total), 2);
	CU_ASSERT_EQUAL(total, 3);
	CU_ASSERT(ids[0] == a && ids[1] == c);
	free(path);
	path = xasprintf("/api/products?q=%s&in_stock=true&sort=name", q);
	CU_ASSERT_EQUAL(list_ids(path, ids, 8, &total), 2);
	CU_ASSERT(ids[0] == a && ids[1] == c);
	free(path);
	path = xasprintf("/api/products?q=%s&min_price=1500&max_price=25000", q);
	CU_ASSERT_EQUAL(list_ids(path, ids, 8, &total), 1);
	CU_ASSERT_EQUAL(ids[0], c);
	free(path);
	path = xasprintf("/api/products?q=%s&kind=accessory", q);
	CU_ASSERT_EQUAL(list_ids(path, ids, 8, &total), 1);
	CU_ASSERT_EQUAL(ids[0], b);
	free(path);
	path = xasprintf("/api/accessories?q=%s", q);
	CU_ASSERT_EQUAL(list_ids(path, ids, 8, &total), 1);
	CU_ASSERT_EQUAL(ids[0], b);
	free(path);
	path = xasprintf("/api/sound-devices?q=%s&sort=newest", q);
	CU_ASSERT_EQUAL(list_ids(path, ids, 8, &total), 1);
	CU_ASSERT_EQUAL(ids[0], c);
	free(path);

	r = bb_get("/api/products?kind=toaster", NULL);
	CU_ASSERT_EQUAL(r->status, 400);
	bb_free(r);
	r = bb_get("/api/products?min_price=cheap", NULL);
	CU_ASSERT_EQUAL(r->status, 400);
	bb_free(r);
	r = bb_get("/api/products?sort=random", NULL);
	CU_ASSERT_EQUAL(r->status, 400);
	bb_free(r);
	/* the demo catalog from sql/seed is there */
	r = bb_get("/api/products?q=Galaxy%20S23", NULL);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT(ji(r->json, "total", NULL) >= 1);
	bb_free(r);
	free(n1), free(n2), free(n3), free(q), free(bn);
}

static void
test_accessories_fit(void)
{
	char *n = bb_unique("Phone"), *extra, *path;
	long long phone = product_new("phone", n, 50000, 1, ""), acc;
	struct bb_resp *r;

	extra = xasprintf(", \"compatible_with\": [\"%lld\", %lld]", phone, phone);
	acc = product_new("accessory", "Case", 999, 4, extra);
	free(extra);
	path = xasprintf("/api/products/%lld", phone);
	r = bb_get(path, NULL);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_EQUAL(json_object_array_length(jv(r->json, "product",
		"compatible_accessories")), 1);
	CU_ASSERT_EQUAL(jid(json_object_array_get_idx(jv(r->json, "product",
		"compatible_accessories"), 0), "product_id", NULL), acc);
	bb_free(r);
	extra = xasprintf("{\"compatible_with\": [\"%lld\"]}", acc);
	r = jsonf("PATCH", path, admin, extra);
	CU_ASSERT_EQUAL(r->status, 400);
	bb_free(r);
	free(extra);
	free(path);
	free(n);
}

static void
test_orders(void)
{
	long long uid, oid, p1, p2, other;
	char *user = bb_new_user("buyer", &uid), *stranger;
	char *items, *path;
	struct bb_resp *r;

	stranger = bb_new_user("stranger", &other);
	p1 = product_new("laptop", "Book", 100000, 5, "");
	p2 = product_new("accessory", "Mouse", 2500, 3, "");
	items = xasprintf("[{\"product_id\": \"%lld\", \"quantity\": 2},"
			  " {\"product_id\": %lld, \"quantity\": \"1\"},"
			  " {\"product_id\": %lld, \"quantity\": 1,"
			  " \"price\": 1}]", p1, p1, p2);
	r = order(user, items, NULL);
	CU_ASSERT_EQUAL(r->status, 201);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "message"), "Order created successfully");
	CU_ASSERT_STRING_EQUAL(js(r->json, "order", "status"), "pending");
	CU_ASSERT_EQUAL(ji(r->json, "order", "total_price"), 302500);
	CU_ASSERT_EQUAL(json_object_array_length(jv(r->json, "order", "items")),
			2);
	CU_ASSERT(strlen(js(r->json, "order", "created_at")) > 0);
	oid = jid(r->json, "order", "order_id");
	bb_free(r);
	free(items);
	CU_ASSERT_EQUAL(stock_of(p1), 2);
	CU_ASSERT_EQUAL(stock_of(p2), 2);
	CU_ASSERT_EQUAL(bb_db_int(sql_audit, DB_P(db_str(path = xasprintf(
		"%lld", oid)), db_str("order.create"))), 1);
	free(path);

	/* a later price change leaves the line's snapshot alone */
	path = xasprintf("/api/products/%lld", p1);
	r = jsonf("PATCH", path, admin, "{\"price\": 1, \"name\": \"Renamed\"}");
	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);
	free(path);
	r = order_action("GET", oid, "", user, NULL);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_EQUAL(ji(r->json, "order", "total_price"), 302500);
	{
		json_object *l = json_object_array_get_idx(jv(r->json, "order",
							      "items"), 0);

		CU_ASSERT_STRING_EQUAL(js(l, "name", NULL), "Book");
		CU_ASSERT_EQUAL(ji(l, "unit_price", NULL), 100000);
		CU_ASSERT_EQUAL(ji(l, "quantity", NULL), 3);
	}
	bb_free(r);
	r = order_action("GET", oid, "", stranger, NULL);
	CU_ASSERT_EQUAL(r->status, 404);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "error"), "Order not found");
	bb_free(r);
	r = order_action("POST", oid, "/cancel", stranger, NULL);
	CU_ASSERT_EQUAL(r->status, 404);
	bb_free(r);
	r = order_action("GET", oid, "", admin, NULL);
	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);
	r = bb_get("/api/orders", user);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_EQUAL(bb_len(r, "orders"), 1);
	CU_ASSERT_EQUAL(ji(r->json, "total", NULL), 1);
	bb_free(r);
	r = bb_get("/api/orders", stranger);
	CU_ASSERT_EQUAL(bb_len(r, "orders"), 0);
	bb_free(r);
	r = bb_get("/api/orders", NULL);
	CU_ASSERT_EQUAL(r->status, 401);
	bb_free(r);

	/* bad input, unknown products, not enough stock: nothing taken */
	r = order(user, "[]", NULL);
	CU_ASSERT_EQUAL(r->status, 400);
	bb_free(r);
	r = jsonf("POST", "/api/orders/create", user, "{}");
	CU_ASSERT_EQUAL(r->status, 400);
	bb_free(r);
	items = xasprintf("[{\"product_id\": %lld, \"quantity\": 0}]", p2);
	r = order(user, items, NULL);
	CU_ASSERT_EQUAL(r->status, 400);
	bb_free(r);
	free(items);
	items = xasprintf("[{\"product_id\": %lld, \"quantity\": 1},"
			  " {\"product_id\": 999999999, \"quantity\": 1}]", p2);
	r = order(user, items, NULL);
	CU_ASSERT_EQUAL(r->status, 404);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "error"), "Product not found");
	bb_free(r);
	free(items);
	items = xasprintf("[{\"product_id\": %lld, \"quantity\": 1},"
			  " {\"product_id\": %lld, \"quantity\": 3}]", p1, p2);
	r = order(user, items, NULL);
	CU_ASSERT_EQUAL(r->status, 409);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "error"), "Insufficient stock");
	CU_ASSERT_EQUAL(strtoll(bb_str(r, "product_id"), NULL, 10), p2);
	bb_free(r);
	free(items);
	CU_ASSERT_EQUAL(stock_of(p1), 2);
	CU_ASSERT_EQUAL(stock_of(p2), 2);
	CU_ASSERT_EQUAL(bb_db_int(sql_orders_of, DB_P(db_int(uid))), 1);
	free(stranger);
	free(user);
}

static void
test_lifecycle(void)
{
	long long uid, p = product_new("phone", "Cycle", 700, 10, ""), o1, o2;
	char *user = bb_new_user("cycle", &uid), *s;
	struct bb_resp *r;

	o1 = order_one(user, p, 4);
	CU_ASSERT_EQUAL(stock_of(p), 6);
	r = order_action("POST", o1, "/cancel", user, NULL);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_STRING_EQUAL(js(r->json, "order", "status"), "cancelled");
	bb_free(r);
	CU_ASSERT_EQUAL(stock_of(p), 10);
	r = order_action("POST", o1, "/cancel", user, NULL);
	CU_ASSERT_EQUAL(r->status, 409);
	bb_free(r);
	CU_ASSERT_EQUAL(stock_of(p), 10);
	s = xasprintf("%lld", o1);
	CU_ASSERT_EQUAL(bb_db_int(sql_audit, DB_P(db_str(s),
				  db_str("order.cancel"))), 1);
	free(s);

	o2 = order_one(user, p, 1);
	r = order_action("PATCH", o2, "", user, "{\"status\": \"paid\"}");
	CU_ASSERT_EQUAL(r->status, 403);
	bb_free(r);
	set_status(o2, "shipped", 409);
	set_status(o2, "paid", 200);
	r = order_action("POST", o2, "/cancel", user, NULL);
	CU_ASSERT_EQUAL(r->status, 409);
	bb_free(r);
	set_status(o2, "shipped", 200);
	set_status(o2, "cancelled", 409);
	set_status(o2, "delivered", 200);
	set_status(o2, "refunded", 400);
	CU_ASSERT_EQUAL(bb_db_int(sql_status, DB_P(db_str("delivered"),
				  db_int(o2))), 1);
	CU_ASSERT_EQUAL(stock_of(p), 9);
	s = xasprintf("%lld", o2);
	CU_ASSERT_EQUAL(bb_db_int(sql_audit, DB_P(db_str(s),
				  db_str("order.status"))), 3);
	free(s);
	/* admins may cancel a paid order; the stock comes back */
	o2 = order_one(user, p, 2);
	set_status(o2, "paid", 200);
	set_status(o2, "cancelled", 200);
	CU_ASSERT_EQUAL(stock_of(p), 9);
	free(user);
}

struct race {
	const char *token;
	char *items;
	const char *key;
	struct bb_tally t;
};

static void
race_order(int i, void *arg)
{
	struct race *race = arg;
	struct bb_resp *r = order(race->token, race->items, race->key);

	bb_tally(&race->t, r, 201);
}

/* 50 clients each order 1 unit of a product with 10 in stock. */
static void
test_no_oversell(void)
{
	long long uid, p = product_new("phone", "Hot", 100, 10, "");
	char *user = bb_new_user("rush", &uid);
	struct race race = { .token = user };

	race.items = xasprintf("[{\"product_id\": %lld, \"quantity\": 1}]", p);
	bb_parallel(50, race_order, &race);
	CU_ASSERT_EQUAL(race.t.ok, 10);
	CU_ASSERT_EQUAL(race.t.conflict, 40);
	CU_ASSERT_EQUAL(race.t.other, 0);
	CU_ASSERT_EQUAL(stock_of(p), 0);
	CU_ASSERT_EQUAL(bb_db_int(sql_sold, DB_P(db_int(p))), 10);
	CU_ASSERT_EQUAL(bb_db_int(sql_orders_of, DB_P(db_int(uid))), 10);
	free(race.items);
	free(user);
}

/* A replayed Idempotency-Key under concurrency creates one order. */
static void
test_idempotency(void)
{
	long long uid, p = product_new("phone", "Idem", 100, 100, "");
	char *user = bb_new_user("idem", &uid), *key = bb_unique("key");
	char *items = xasprintf("[{\"product_id\": %lld, \"quantity\": 2}]", p);
	struct race race = { .token = user, .items = items, .key = key };
	struct bb_resp *r;
	long long first;

	bb_parallel(20, race_order, &race);
	CU_ASSERT(race.t.ok >= 1);
	CU_ASSERT_EQUAL(race.t.other, 0);
	CU_ASSERT_EQUAL(bb_db_int(sql_orders_of, DB_P(db_int(uid))), 1);
	CU_ASSERT_EQUAL(stock_of(p), 98);

	r = order(user, items, key);
	CU_ASSERT_EQUAL(r->status, 201);
	CU_ASSERT_STRING_EQUAL(bb_header(r, "Idempotent-Replayed"), "true");
	CU_ASSERT_STRING_EQUAL(bb_str(r, "message"), "Order created successfully");
	first = jid(r->json, "order", "order_id");
	CU_ASSERT(first > 0);
	bb_free(r);
	r = order(user, "[{\"product_id\": 1, \"quantity\": 1}]", key);
	CU_ASSERT_EQUAL(r->status, 422);
	bb_free(r);
	CU_ASSERT_EQUAL(bb_db_int(sql_orders_of, DB_P(db_int(uid))), 1);
	CU_ASSERT_EQUAL(stock_of(p), 98);
	free(items);
	free(key);
	free(user);
}

struct cancel_race {
	const char *token;
	long long oid;
	struct bb_tally t;
};

static void
race_cancel(int i, void *arg)
{
	struct cancel_race *c = arg;
	struct bb_resp *r = order_action("POST", c->oid, "/cancel", c->token,
					 NULL);

	bb_tally(&c->t, r, 200);
}

static void
test_concurrent_cancel(void)
{
	long long uid, p = product_new("laptop", "Twice", 100, 5, "");
	char *user = bb_new_user("twice", &uid);
	struct cancel_race c = { .token = user };
	int round;

	for (round = 0; round < 3; round++) {
		memset(&c.t, 0, sizeof(c.t));
		c.oid = order_one(user, p, 3);
		CU_ASSERT_EQUAL(stock_of(p), 2);
		bb_parallel(2, race_cancel, &c);
		CU_ASSERT_EQUAL(c.t.ok, 1);
		CU_ASSERT_EQUAL(c.t.conflict, 1);
		CU_ASSERT_EQUAL(c.t.other, 0);
		CU_ASSERT_EQUAL(stock_of(p), 5);
	}
	free(user);
}

static const char sql_set_role[] = "UPDATE users SET role = ? WHERE id = ?";

static long
status_of(struct bb_resp *r)
{
	long s = r->status;

	bb_free(r);
	return s;
}

/* Create and cancel leave a bearer token's account and session to their
 * procedure, checked in its own round trip (ROUTE_AUTH_LATE): a token
 * ended since it was issued is refused (401, as before) and changes
 * nothing, whether the request reaches the procedure or is refused before
 * it.  The caller's role is the one the users row says now: promoted
 * after its token was issued, a member cancels another's paid order as
 * an admin; demoted, it no longer finds it. */
static void
test_late_principal(void)
{
	long long uid, uid2, sid, p = product_new("phone", "Late", 100, 10, "");
	long long o1, o2, o3;
	char *user = bb_new_user("late", &uid), *buyer = bb_new_user("late2", &uid2);
	char *staff = bb_new_user("latestaff", &sid);
	char *items = xasprintf("[{\"product_id\": %lld, \"quantity\": 1}]", p);
	struct bb_resp *r;

	o1 = order_one(user, p, 2);
	CU_ASSERT_EQUAL(stock_of(p), 8);
	CU_ASSERT_EQUAL(status_of(jsonf("POST", "/api/auth/logout", user,
					"{\"all\": true}")), 200);
	r = order(user, items, NULL);
	CU_ASSERT_EQUAL(r->status, 401);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), "token_invalid");
	CU_ASSERT_STRING_EQUAL(bb_header(r, "WWW-Authenticate"), "Bearer");
	bb_free(r);
	r = order(user, "[]", NULL);
	CU_ASSERT_EQUAL(r->status, 401);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), "token_invalid");
	bb_free(r);
	r = order_action("POST", o1, "/cancel", user, NULL);
	CU_ASSERT_EQUAL(r->status, 401);
	CU_ASSERT_STRING_EQUAL(bb_header(r, "WWW-Authenticate"), "Bearer");
	bb_free(r);
	CU_ASSERT_EQUAL(stock_of(p), 8);
	CU_ASSERT_EQUAL(bb_db_int(sql_orders_of, DB_P(db_int(uid))), 1);
	CU_ASSERT_EQUAL(bb_db_int(sql_status, DB_P(db_str("pending"),
				  db_int(o1))), 1);

	o2 = order_one(buyer, p, 1);
	set_status(o2, "paid", 200);
	CU_ASSERT_EQUAL(status_of(order_action("POST", o2, "/cancel", staff,
					       NULL)), 404);
	CU_ASSERT_EQUAL(db_exec(bb_db(), sql_set_role, DB_P(db_str("admin"),
				db_int(sid)), NULL), ERR_OK);
	r = order_action("POST", o2, "/cancel", staff, NULL);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_STRING_EQUAL(js(r->json, "order", "status"), "cancelled");
	CU_ASSERT_EQUAL(jid(jv(r->json, "order", "customer"), "user_id", NULL),
			uid2);
	bb_free(r);
	CU_ASSERT_EQUAL(stock_of(p), 8);
	CU_ASSERT_EQUAL(db_exec(bb_db(), sql_set_role, DB_P(db_str("user"),
				db_int(sid)), NULL), ERR_OK);
	o3 = order_one(buyer, p, 1);
	CU_ASSERT_EQUAL(status_of(order_action("POST", o3, "/cancel", staff,
					       NULL)), 404);
	CU_ASSERT_EQUAL(bb_db_int(sql_status, DB_P(db_str("pending"),
				  db_int(o3))), 1);
	CU_ASSERT_EQUAL(stock_of(p), 7);
	free(items);
	free(staff);
	free(buyer);
	free(user);
}

/* A refusal from the procedure carries what the handler's did: the
 * product that failed and its name (also a name too long for the
 * refusal's own message, read after it), the message naming the status
 * an order cannot be cancelled from. */
static void
test_refusal_details(void)
{
	char name[4 * 190 + 1], *items, *path, *user = bb_new_user("why", NULL);
	long long p = product_new("accessory", "Scarce", 100, 1, ""), l, g, o;
	struct bb_resp *r;
	int i;

	for (i = 0; i < 190; i++)
		memcpy(name + 4 * i, "\xf0\x9f\x98\x80", 4);
	name[4 * 190] = '\0';
	l = product_new("accessory", name, 5, 1, "");
	g = product_new("accessory", "Gone soon", 5, 1, "");
	items = xasprintf("[{\"product_id\": %lld, \"quantity\": 2}]", p);
	r = order(user, items, NULL);
	CU_ASSERT_EQUAL(r->status, 409);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), "insufficient_stock");
	CU_ASSERT_EQUAL(strtoll(bb_str(r, "product_id"), NULL, 10), p);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "product_name"), "Scarce");
	bb_free(r);
	free(items);
	items = xasprintf("[{\"product_id\": %lld, \"quantity\": 2}]", l);
	r = order(user, items, NULL);
	CU_ASSERT_EQUAL(r->status, 409);
	CU_ASSERT_EQUAL(strtoll(bb_str(r, "product_id"), NULL, 10), l);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "product_name"), name);
	bb_free(r);
	free(items);
	path = xasprintf("/api/products/%lld", g);
	CU_ASSERT_EQUAL(status_of(bb_req("DELETE", path, admin, NULL, NULL, 0,
					 NULL)), 204);
	free(path);
	items = xasprintf("[{\"product_id\": %lld, \"quantity\": 1},"
			  " {\"product_id\": %lld, \"quantity\": 1}]", p, g);
	r = order(user, items, NULL);
	CU_ASSERT_EQUAL(r->status, 404);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), "product_not_found");
	CU_ASSERT_EQUAL(strtoll(bb_str(r, "product_id"), NULL, 10), g);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "product_name"), "Gone soon");
	bb_free(r);
	free(items);
	CU_ASSERT_EQUAL(stock_of(p), 1);
	o = order_one(user, p, 1);
	CU_ASSERT_EQUAL(status_of(order_action("POST", o, "/cancel", user,
					       NULL)), 200);
	r = order_action("POST", o, "/cancel", user, NULL);
	CU_ASSERT_EQUAL(r->status, 409);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "error"),
			       "Order is cancelled and can no longer be cancelled");
	CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), "order_not_cancellable");
	bb_free(r);
	CU_ASSERT_EQUAL(stock_of(p), 1);
	free(user);
}

static struct bb_resp *
review(const char *method, const char *path, const char *token,
       const char *body)
{
	return jsonf(method, path, token, body);
}

static void
test_reviews(void)
{
	long long uid, p = product_new("sound_device", "Rated", 100, 5, ""), o;
	char *user = bb_new_user("critic", &uid), *other = bb_new_user("troll", NULL);
	char *path = xasprintf("/api/products/%lld/reviews", p), *rpath, *big;
	struct bb_resp *r;

	r = review("POST", path, user, "{\"rating\": 5}");
	CU_ASSERT_EQUAL(r->status, 403);
	bb_free(r);
	o = order_one(user, p, 1);
	r = review("POST", path, user, "{\"rating\": 5}");
	CU_ASSERT_EQUAL(r->status, 403);	/* not paid yet */
	bb_free(r);
	set_status(o, "paid", 200);
	r = review("POST", path, user, "{\"rating\": 6}");
	CU_ASSERT_EQUAL(r->status, 400);
	bb_free(r);
	big = xcalloc(1, 520);
	memset(big, 'x', 501);
	rpath = xasprintf("{\"rating\": 4, \"comment\": \"%s\"}", big);
	r = review("POST", path, user, rpath);
	CU_ASSERT_EQUAL(r->status, 400);
	bb_free(r);
	free(rpath);
	free(big);
	r = review("POST", path, user, "{\"rating\": 4, \"comment\": \"Good\"}");
	CU_ASSERT_EQUAL(r->status, 201);
	CU_ASSERT_EQUAL(ji(r->json, "review", "rating"), 4);
	rpath = xasprintf("/api/reviews/%s", js(r->json, "review", "review_id"));
	bb_free(r);
	r = review("POST", path, user, "{\"rating\": 1}");
	CU_ASSERT_EQUAL(r->status, 409);
	bb_free(r);

	r = review("PATCH", rpath, other, "{\"rating\": 1}");
	CU_ASSERT_EQUAL(r->status, 404);
	bb_free(r);
	r = review("PATCH", rpath, user, "{\"rating\": 2}");
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_STRING_EQUAL(js(r->json, "review", "comment"), "Good");
	bb_free(r);
	r = bb_get(path, NULL);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_EQUAL(bb_len(r, "reviews"), 1);
	CU_ASSERT_EQUAL(ji(r->json, "total", NULL), 1);
	bb_free(r);
	free(path);
	path = xasprintf("/api/products/%lld", p);
	r = bb_get(path, NULL);
	CU_ASSERT_EQUAL(ji(r->json, "product", "rating_count"), 1);
	CU_ASSERT_DOUBLE_EQUAL(json_object_get_double(jv(r->json, "product",
		"rating_average")), 2.0, 0.001);
	bb_free(r);
	r = bb_req("DELETE", rpath, other, NULL, NULL, 0, NULL);
	CU_ASSERT_EQUAL(r->status, 404);
	bb_free(r);
	r = bb_req("DELETE", rpath, user, NULL, NULL, 0, NULL);
	CU_ASSERT_EQUAL(r->status, 204);
	bb_free(r);
	r = bb_get(path, NULL);
	CU_ASSERT_EQUAL(ji(r->json, "product", "rating_count"), 0);
	bb_free(r);
	free(rpath);
	free(path);
	free(other);
	free(user);
}

/* An SVG drawing that nginx serves from www/ at path. */
static void
assert_drawing(const char *path)
{
	struct bb_resp *r = bb_get(path, NULL);
	const char *ct = bb_header(r, "content-type");

	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT(ct && !strncmp(ct, "image/svg+xml", 13));
	CU_ASSERT(r->body && strstr(r->body, "<svg") != NULL);
	bb_free(r);
}

/* The demo catalog's pictures are the project's own drawings, and they
 * load; so do the drawings the app shows for a product without one. */
static void
test_seed_images(void)
{
	static const char *const kinds[] = {
		"phone", "laptop", "accessory", "sound_device", "other",
	};
	struct db_rows *rows;
	char *path;
	size_t i;
	int n = 0;

	CU_ASSERT_EQUAL_FATAL(db_query(bb_db(), sql_seed_images, DB_NONE, 2,
				       &rows), ERR_OK);
	while (db_next(rows)) {
		const char *url = db_col(rows, 1);

		CU_ASSERT(url && !strncmp(url, "/img/shop/", 10));
		if (url)
			assert_drawing(url);
		n++;
	}
	CU_ASSERT_EQUAL(db_rows_err(rows), ERR_OK);
	db_rows_free(rows);
	CU_ASSERT_EQUAL(n, 8);
	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		path = xasprintf("/img/shop/kind-%s.svg", kinds[i]);
		assert_drawing(path);
		free(path);
	}
}

/* ---- the staff console ---------------------------------------------------- */

/* How many of the list's products have id (0 or 1). */
static int
listed(const struct bb_resp *r, long long id)
{
	json_object *arr = jv(r->json, "products", NULL);
	size_t i, n = arr ? json_object_array_length(arr) : 0;
	int found = 0;

	for (i = 0; i < n; i++)
		if (strtoll(js(json_object_array_get_idx(arr, i), "product_id",
			       NULL), NULL, 10) == id)
			found++;
	return found;
}

/* Admins list retired products (?retired=true|all); nobody else may; and
 * a list sorts by stock. */
static void
test_staff_product_list(void)
{
	char *tag = bb_unique("Listed"), *name, *path, *q;
	char *user = bb_new_user("lister", NULL);
	long long live, gone;
	struct bb_resp *r;

	name = xasprintf("%s live", tag);
	live = product_new("other", name, 100, 7, "");
	free(name);
	name = xasprintf("%s gone", tag);
	gone = product_new("other", name, 100, 2, "");
	free(name);
	path = xasprintf("/api/products/%lld", gone);
	r = bb_req("DELETE", path, admin, NULL, NULL, 0, NULL);
	CU_ASSERT_EQUAL(r->status, 204);
	bb_free(r);
	free(path);

	q = xasprintf("/api/products?q=%s", tag);
	r = bb_get(q, admin);
	CU_ASSERT_EQUAL(ji(r->json, "total", NULL), 1);
	CU_ASSERT_EQUAL(listed(r, live), 1);
	bb_free(r);
	free(q);
	q = xasprintf("/api/products?q=%s&retired=true", tag);
	r = bb_get(q, admin);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_EQUAL(ji(r->json, "total", NULL), 1);
	CU_ASSERT_EQUAL(listed(r, gone), 1);
	bb_free(r);
	r = bb_get(q, user);
	CU_ASSERT_EQUAL(r->status, 403);
	bb_free(r);
	r = bb_get(q, NULL);
	CU_ASSERT_EQUAL(r->status, 403);
	bb_free(r);
	free(q);
	q = xasprintf("/api/products?q=%s&retired=all&sort=stock", tag);
	r = bb_get(q, admin);
	CU_ASSERT_EQUAL(ji(r->json, "total", NULL), 2);
	CU_ASSERT_EQUAL(jid(json_object_array_get_idx(jv(r->json, "products",
		NULL), 0), "product_id", NULL), gone);
	bb_free(r);
	free(q);
	q = xasprintf("/api/products?q=%s&retired=all&sort=-stock", tag);
	r = bb_get(q, admin);
	CU_ASSERT_EQUAL(jid(json_object_array_get_idx(jv(r->json, "products",
		NULL), 0), "product_id", NULL), live);
	bb_free(r);
	free(q);
	r = bb_get("/api/products?retired=maybe", admin);
	CU_ASSERT_EQUAL(r->status, 400);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), "bad_query");
	bb_free(r);
	/* the default, said out loud, is for everyone */
	r = bb_get("/api/products?retired=false&limit=1", user);
	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);
	free(user);
	free(tag);
}

static const char sql_audit_stock[] =
	"SELECT COUNT(*) FROM audit_log WHERE entity = 'product'"
	" AND entity_id = ? AND action = 'product.stock' AND details LIKE ?";
static const char sql_version[] = "SELECT version FROM products WHERE id = ?";

/* Units in and out: never below 0, the version untouched (as an order
 * leaves it), audited with the reason; the Idempotency-Key replays. */
static void
test_stock_change(void)
{
	char *name = bb_unique("Stocked"), *path, *sid = NULL;
	char *user = bb_new_user("stocker", NULL);
	long long id = product_new("other", name, 500, 3, "");
	struct bb_resp *r;

	path = xasprintf("/api/products/%lld/stock", id);
	sid = xasprintf("%lld", id);
	r = jsonf("POST", path, admin, "{\"delta\": 5, \"reason\": \"Delivery 7\"}");
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_EQUAL(ji(r->json, "product", "stock"), 8);
	CU_ASSERT_EQUAL(ji(r->json, "product", "version"), 1);
	bb_free(r);
	CU_ASSERT_EQUAL(stock_of(id), 8);
	CU_ASSERT_EQUAL(bb_db_int(sql_version, DB_P(db_int(id))), 1);
	CU_ASSERT_EQUAL(bb_db_int(sql_audit_stock, DB_P(db_str(sid),
		db_str("%Delivery 7%"))), 1);
	r = jsonf("POST", path, admin, "{\"delta\": -9}");
	CU_ASSERT_EQUAL(r->status, 409);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), "stock_negative");
	CU_ASSERT_STRING_EQUAL(bb_str(r, "field"), "delta");
	CU_ASSERT_EQUAL(ji(r->json, "stock", NULL), 8);
	bb_free(r);
	r = jsonf("POST", path, admin, "{\"delta\": -8}");
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_EQUAL(ji(r->json, "product", "stock"), 0);
	bb_free(r);
	r = jsonf("POST", path, admin, "{\"delta\": 0}");
	CU_ASSERT_EQUAL(r->status, 400);
	bb_free(r);
	r = jsonf("POST", path, admin, "{\"delta\": 1000000000}");
	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);
	r = jsonf("POST", path, admin, "{\"delta\": 1}");
	CU_ASSERT_EQUAL(r->status, 400);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "field"), "delta");
	bb_free(r);
	r = jsonf("POST", path, admin, "{\"delta\": -1000000000}");
	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);
	r = jsonf("POST", path, user, "{\"delta\": 1}");
	CU_ASSERT_EQUAL(r->status, 403);
	bb_free(r);
	/* the same key and body: one effect */
	r = bb_req("POST", path, admin, "application/json", "{\"delta\": 2}", 12,
		   "Idempotency-Key: stock-once");
	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);
	r = bb_req("POST", path, admin, "application/json", "{\"delta\": 2}", 12,
		   "Idempotency-Key: stock-once");
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_PTR_NOT_NULL(bb_header(r, "idempotent-replayed"));
	bb_free(r);
	CU_ASSERT_EQUAL(stock_of(id), 2);
	free(path);
	/* a retired product takes no stock */
	path = xasprintf("/api/products/%lld", id);
	r = bb_req("DELETE", path, admin, NULL, NULL, 0, NULL);
	CU_ASSERT_EQUAL(r->status, 204);
	bb_free(r);
	free(path);
	path = xasprintf("/api/products/%lld/stock", id);
	r = jsonf("POST", path, admin, "{\"delta\": 1}");
	CU_ASSERT_EQUAL(r->status, 404);
	bb_free(r);
	CU_ASSERT_EQUAL(stock_of(id), 2);
	free(path);
	free(sid);
	free(user);
	free(name);
}

static const char sql_audit_update[] =
	"SELECT COUNT(*) FROM audit_log WHERE entity = 'product'"
	" AND entity_id = ? AND action = 'product.update' AND details LIKE ?";

/* An edit's audit entry says what was sent. */
static void
test_product_update_audit(void)
{
	char *name = bb_unique("Audited"), *path, *sid;
	long long id = product_new("other", name, 500, 3, "");
	struct bb_resp *r;

	path = xasprintf("/api/products/%lld", id);
	sid = xasprintf("%lld", id);
	r = jsonf("PATCH", path, admin, "{\"price\": 777, \"description\":"
		  " \"Shiny\", \"version\": 1}");
	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);
	CU_ASSERT_EQUAL(bb_db_int(sql_audit_update, DB_P(db_str(sid),
		db_str("%\"price\": 777%"))) +
		bb_db_int(sql_audit_update, DB_P(db_str(sid),
		db_str("%\"price\":777%"))), 1);
	CU_ASSERT_EQUAL(bb_db_int(sql_audit_update, DB_P(db_str(sid),
		db_str("%Shiny%"))), 1);
	CU_ASSERT_EQUAL(bb_db_int(sql_audit_update, DB_P(db_str(sid),
		db_str("%version%"))), 0);
	free(sid);
	free(path);
	free(name);
}

/* A brand named only by retired products: counted apart, still in use. */
static void
test_brand_counts(void)
{
	char *bn = bb_unique("Counted"), *b, *path;
	long long bid = brand_new(bn), pid;
	struct bb_resp *r;

	b = xasprintf(", \"brand_id\": \"%lld\"", bid);
	pid = product_new("other", bn, 100, 1, b);
	free(b);
	path = xasprintf("/api/brands/%lld", bid);
	r = bb_get(path, NULL);
	CU_ASSERT_EQUAL(ji(r->json, "brand", "product_count"), 1);
	CU_ASSERT_EQUAL(ji(r->json, "brand", "retired_product_count"), 0);
	bb_free(r);
	b = xasprintf("/api/products/%lld", pid);
	r = bb_req("DELETE", b, admin, NULL, NULL, 0, NULL);
	CU_ASSERT_EQUAL(r->status, 204);
	bb_free(r);
	free(b);
	r = bb_get(path, NULL);
	CU_ASSERT_EQUAL(ji(r->json, "brand", "product_count"), 0);
	CU_ASSERT_EQUAL(ji(r->json, "brand", "retired_product_count"), 1);
	bb_free(r);
	r = bb_req("DELETE", path, admin, NULL, NULL, 0, NULL);
	CU_ASSERT_EQUAL(r->status, 409);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), "brand_in_use");
	bb_free(r);
	r = bb_get("/api/brands", NULL);
	CU_ASSERT_PTR_NOT_NULL(r->body && strstr(r->body, "retired_product_count"));
	bb_free(r);
	free(path);
	free(bn);
}

static long long
status_count(const struct bb_resp *r, const char *status)
{
	return ji(jv(r->json, "status_counts", NULL), status, NULL);
}

/* Everyone's orders for admins: the customer named, ?q= (a username, a
 * name, an email, an order number), ?user_id=, and the counts by status
 * under the other filters; a member's search stays within their own. */
static void
test_staff_order_filters(void)
{
	char *pn = bb_unique("Filtered"), *q, *other;
	long long uid, uid2, pid = product_new("other", pn, 100, 50, "");
	char *user = bb_new_user("findme", &uid), *user2 = bb_new_user("other", &uid2);
	long long o2, o3;
	struct bb_resp *r;
	json_object *first;

	order_one(user, pid, 1);
	o2 = order_one(user, pid, 2);
	o3 = order_one(user2, pid, 3);
	set_status(o2, "paid", 200);
	q = xasprintf("/api/orders?user_id=%lld", uid);
	r = bb_get(q, admin);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_EQUAL(ji(r->json, "total", NULL), 2);
	CU_ASSERT_EQUAL(status_count(r, "pending"), 1);
	CU_ASSERT_EQUAL(status_count(r, "paid"), 1);
	CU_ASSERT_EQUAL(status_count(r, "cancelled"), 0);
	first = json_object_array_get_idx(jv(r->json, "orders", NULL), 0);
	CU_ASSERT_EQUAL(jid(first, "order_id", NULL), o2);
	CU_ASSERT_EQUAL(jid(jv(first, "customer", NULL), "user_id", NULL), uid);
	CU_ASSERT(strncmp(js(jv(first, "customer", NULL), "username", NULL),
			  "findme", 6) == 0);
	bb_free(r);
	free(q);
	/* the status filter narrows the list, not the counts */
	q = xasprintf("/api/orders?user_id=%lld&status=paid", uid);
	r = bb_get(q, admin);
	CU_ASSERT_EQUAL(ji(r->json, "total", NULL), 1);
	CU_ASSERT_EQUAL(status_count(r, "pending"), 1);
	bb_free(r);
	free(q);
	/* by order number, with or without # */
	q = xasprintf("/api/orders?q=%%23%lld", o3);
	r = bb_get(q, admin);
	CU_ASSERT(ji(r->json, "total", NULL) >= 1);
	CU_ASSERT_EQUAL(jid(json_object_array_get_idx(jv(r->json, "orders",
		NULL), 0), "order_id", NULL), o3);
	bb_free(r);
	free(q);
	/* by part of the username (the member's own search: theirs only) */
	other = xasprintf("/api/orders?q=%s", "findme");
	r = bb_get(other, admin);
	CU_ASSERT(ji(r->json, "total", NULL) >= 2);
	bb_free(r);
	r = bb_get(other, user2);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_EQUAL(ji(r->json, "total", NULL), 0);
	bb_free(r);
	free(other);
	q = xasprintf("/api/orders?user_id=%lld", uid);
	r = bb_get(q, user2);
	CU_ASSERT_EQUAL(ji(r->json, "total", NULL), 0);
	bb_free(r);
	free(q);
	r = bb_get("/api/orders?user_id=abc", admin);
	CU_ASSERT_EQUAL(r->status, 400);
	bb_free(r);
	r = bb_get("/api/orders?q=%25%25", admin);
	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);
	free(user);
	free(user2);
	free(pn);
}

static CU_TestInfo tests[] = {
	{ "catalog writes: admins only, versions, retiring", test_catalog_admin },
	{ "browse: filters, sorting, paging, seed", test_browse },
	{ "accessories name what they fit", test_accessories_fit },
	{ "orders: contract, privacy, all or nothing", test_orders },
	{ "order lifecycle and restock", test_lifecycle },
	{ "50 clients, 10 in stock", test_no_oversell },
	{ "Idempotency-Key under concurrency", test_idempotency },
	{ "two concurrent cancels restock once", test_concurrent_cancel },
	{ "a token ended since: refused, nothing done; the role now",
	  test_late_principal },
	{ "refusals name the product, the status", test_refusal_details },
	{ "reviews", test_reviews },
	{ "the demo catalog's pictures are served", test_seed_images },
	{ "staff lists: retired products, sorted by stock", test_staff_product_list },
	{ "stock in and out", test_stock_change },
	{ "a product edit's audit entry", test_product_update_audit },
	{ "brands count retired products apart", test_brand_counts },
	{ "everyone's orders: customer, search, counts", test_staff_order_filters },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = { SUITE("shop", tests), CU_SUITE_INFO_NULL };

int
main(void)
{
	bb_init();
	admin = bb_admin_token();
	return cunit_run(suites);
}

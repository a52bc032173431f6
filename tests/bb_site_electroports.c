/* bb_site_electroports: the ElectroPorts shop's conversation
 * (../shared/REAL-CLIENTS.md, "ElectroPorts shop" and "CORS") replayed on
 * its site, electroports-db.onrender.com, as its unmodified pages send it
 * from a browser that keeps the site's cookies: every step, the fields the
 * pages read, CORS on every answer, and the database afterwards; then the
 * same conversation without the session, from another site with the
 * cookie, and against another member's comment. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bb.h"
#include "cunit_main.h"
#include "util.h"

#define HOST "electroports-db.onrender.com"
#define PASSWORD "Corr3ct-Horse-Battery"
#define EVIL "https://electroports-db.onrender.com.evil.example"

static const char sql_comment[] =
	"SELECT COUNT(*) FROM reviews WHERE id = ? AND product_id IS NULL"
	" AND rating IS NULL AND user_id = ? AND comment = ?";
static const char sql_review_exists[] =
	"SELECT COUNT(*) FROM reviews WHERE id = ?";
static const char sql_comments[] =
	"SELECT COUNT(*) FROM reviews WHERE product_id IS NULL";
static const char sql_audit[] =
	"SELECT COUNT(*) FROM audit_log WHERE entity = 'review'"
	" AND entity_id = ? AND action = ? AND actor_id = ?";
static const char sql_user[] =
	"SELECT id FROM users WHERE email = ? AND username = ?";

static char *admin;

/* Products the catalogue steps look for, made through haas's own API. */
static struct {
	long long phone, laptop, sound, accessory, retired;
} made;

/* A member of the shop: the browser on the site, and who it signed in as. */
struct member {
	struct bb_site *s;
	char *username, *email;
	long long id;
};

/* Every answer on the site's API paths carries CORS, errors included. */
static void
assert_cors(struct bb_resp *r)
{
	const char *acao = bb_header(r, "access-control-allow-origin");

	CU_ASSERT_PTR_NOT_NULL(acao);
	if (!acao)
		fprintf(stderr, "no CORS on %ld: %s\n", r->status, r->body);
}

/* A JSON error as the pages read it: status, "error" and the code. */
static void
assert_error(struct bb_resp *r, long status, const char *code)
{
	CU_ASSERT_EQUAL(r->status, status);
	CU_ASSERT_PTR_NOT_NULL(r->json);
	CU_ASSERT(*bb_str(r, "error") != '\0');
	CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), code);
	assert_cors(r);
	if (r->status != status)
		fprintf(stderr, "want %ld %s, got %ld: %s\n", status, code,
			r->status, r->body);
}

/* A request of the site's pages (JSON, the site's own Origin). */
static struct bb_resp *
page_json(struct bb_site *s, const char *method, const char *path,
	  const char *json)
{
	struct bb_resp *r = bb_site_json(s, method, path, json);

	assert_cors(r);
	return r;
}

/* A catalogue GET as the pages send it: a simple request, no Origin
 * header needed, no preflight. */
static struct bb_resp *
page_get(struct bb_site *s, const char *path)
{
	struct bb_resp *r = bb_site_req(s, "GET", path, NULL, NULL,
					"Accept: application/json, */*");

	assert_cors(r);
	return r;
}

/* Chromium's preflight before a write or an Authorization header. */
static void
assert_preflight(struct bb_site *s, const char *path, const char *method,
		 const char *headers)
{
	char *h = xasprintf("Origin: %s\r\nAccess-Control-Request-Method: %s"
			    "%s%s", bb_site_origin(s), method,
			    headers ? "\r\nAccess-Control-Request-Headers: " : "",
			    headers ? headers : "");
	struct bb_resp *r = bb_site_req(s, "OPTIONS", path, NULL, NULL, h);
	const char *v;

	CU_ASSERT(r->status >= 200 && r->status < 300);
	assert_cors(r);
	/* bb_header's value lasts until its next call */
	v = bb_header(r, "access-control-allow-methods");
	CU_ASSERT(v && strstr(v, "GET, POST, PUT, PATCH, DELETE, OPTIONS"));
	v = bb_header(r, "access-control-allow-headers");
	CU_ASSERT(v && strstr(v, "Content-Type"));
	CU_ASSERT(v && strstr(v, "Authorization"));
	bb_free(r);
	free(h);
}

static json_object *
member_of(json_object *o, const char *key)
{
	json_object *v = NULL;

	return json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static const char *
str_of(json_object *o, const char *key)
{
	const char *s = json_object_get_string(member_of(o, key));

	return s ? s : "";
}

/* Signs a new member up and in on the site, as its pages do. */
static void
member_new(struct member *m)
{
	char *body;
	struct bb_resp *r;

	m->s = bb_site_new(HOST);
	m->username = bb_unique("ep");
	m->email = xasprintf("%s@example.com", m->username);
	body = xasprintf("{\"username\": \"%s\", \"email\": \"%s\", \"password\":"
			 " \"%s\", \"confirmPassword\": \"%s\"}", m->username,
			 m->email, PASSWORD, PASSWORD);
	r = page_json(m->s, "POST", "/register", body);
	CU_ASSERT(r->status >= 200 && r->status < 300);
	CU_ASSERT_PTR_NOT_NULL(member_of(r->json, "ok"));
	CU_ASSERT(json_object_get_boolean(member_of(r->json, "ok")));
	bb_free(r);
	free(body);
	m->id = bb_db_int(sql_user, DB_P(db_str(m->email), db_str(m->username)));
	CU_ASSERT(m->id > 0);
	body = xasprintf("{\"email\": \"%s\", \"password\": \"%s\"}", m->email,
			 PASSWORD);
	r = page_json(m->s, "POST", "/login", body);
	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);
	free(body);
}

static void
member_free(struct member *m)
{
	bb_site_free(m->s);
	free(m->username);
	free(m->email);
}

/* POST /reviews as the page sends it; the new comment's id (0 if none). */
static long long
comment_post(struct bb_site *s, const char *text, long *status)
{
	char *body = xasprintf("{\"user_id\": 1, \"component_type\": \"phone\","
			       " \"rating\": 0, \"comment\": \"%s\"}", text);
	struct bb_resp *r = page_json(s, "POST", "/reviews", body);
	json_object *review = member_of(r->json, "review");
	long long id = strtoll(str_of(review, "id"), NULL, 10);

	*status = r->status;
	bb_free(r);
	free(body);
	return id;
}

static long long
comments_in_db(void)
{
	return bb_db_int(sql_comments, DB_NONE);
}

static bool
comment_is(long long id, long long user, const char *text)
{
	return bb_db_int(sql_comment, DB_P(db_int(id), db_int(user),
			 db_str(text))) == 1;
}

static long long
audited(long long id, const char *action, long long actor)
{
	char *sid = xasprintf("%lld", id);
	long long n = bb_db_int(sql_audit, DB_P(db_str(sid), db_str(action),
				db_int(actor)));

	free(sid);
	return n;
}

/* ---- setup: the catalogue, through haas's own API ---------------------- */

/* A product made by the admin (0 on failure: suite_init fails). */
static long long
product_new(const char *kind, const char *name, long long price,
	    const char *image)
{
	char *b = xasprintf("{\"kind\": \"%s\", \"name\": \"%s\", \"price\": %lld,"
			    " \"stock\": 3, \"description\": \"%s, for the"
			    " site\", \"image_url\": %s%s%s}", kind, name,
			    price, name, image ? "\"" : "",
			    image ? image : "null", image ? "\"" : "");
	struct bb_resp *r = bb_json("POST", "/api/products", admin, b);
	json_object *p = member_of(r->json, "product");
	long long id = r->status == 201
		       ? strtoll(str_of(p, "product_id"), NULL, 10) : 0;

	if (!id)
		fprintf(stderr, "POST /api/products: %ld %s\n", r->status,
			r->body);
	bb_free(r);
	free(b);
	return id;
}

static int
suite_init(void)
{
	struct bb_resp *r;
	char *path;

	admin = bb_admin_token();
	made.phone = product_new("phone", "EP Pixel 8", 79900,
				 "/img/shop/galaxy-s23.svg");
	made.laptop = product_new("laptop", "EP ZenBook", 2499,
				  "https://img.example/zen.jpg");
	made.sound = product_new("sound_device", "EP Buds", 12990,
				 "/img/shop/buds2.svg");
	made.accessory = product_new("accessory", "EP Cable", 1005, NULL);
	made.retired = product_new("phone", "EP Retired", 100, NULL);
	path = xasprintf("/api/products/%lld", made.retired);
	r = bb_json("DELETE", path, admin, NULL);
	free(path);
	if (r->status != 204 || !made.phone || !made.laptop || !made.sound ||
	    !made.accessory) {
		bb_free(r);
		return 1;
	}
	bb_free(r);
	return 0;
}

static int
suite_clean(void)
{
	free(admin);
	return 0;
}

/* ---- the site: pages and API on the same paths -------------------------- */

static void
assert_page(struct bb_site *s, const char *path, const char *how)
{
	struct bb_resp *r = bb_site_req(s, "GET", path, NULL, NULL, how);
	const char *ct = bb_header(r, "content-type");

	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_PTR_NOT_NULL(ct);
	CU_ASSERT(ct && !strncmp(ct, "text/html", 9));
	CU_ASSERT_PTR_NOT_NULL(strstr(r->body, "ElectroPorts"));
	bb_free(r);
}

static void
test_pages(void)
{
	struct bb_site *s = bb_site_new(HOST);
	struct bb_resp *r;
	static const char *const routes[] = {
		"/", "/login", "/signup", "/home", "/reviews", "/profile",
		"/phones", "/laptops", "/accessories", "/audio",
		"/user/phones", "/user/laptops", "/user/audio",
		"/user/accessories",
	};
	size_t i;

	/* A reload of any of its routes is the app. */
	for (i = 0; i < ARRAY_SIZE(routes); i++)
		assert_page(s, routes[i], "Sec-Fetch-Mode: navigate\r\n"
			    "Accept: text/html,application/xhtml+xml");
	assert_page(s, "/user", "Accept: text/html");
	assert_page(s, "/reviews/12", "Accept: text/html");
	/* The same paths from a script are the API. */
	r = page_get(s, "/phones");
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT(bb_len(r, "phones") >= 0);
	bb_free(r);
	/* The catalogue's own pictures load from this host. */
	r = bb_site_req(s, "GET", "/img/shop/galaxy-s23.svg", NULL, NULL, NULL);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r->body, "<svg"));
	bb_free(r);
	bb_site_free(s);
}

/* ---- 1, 2: sign up and log in ------------------------------------------- */

static void
test_signup_login(void)
{
	struct bb_site *s = bb_site_new(HOST);
	char *name = bb_unique("ep"), *email = xasprintf("%s@example.com", name);
	char *body;
	struct bb_resp *r;
	const char *cookie;

	assert_preflight(s, "/register", "POST", "content-type");
	/* haas's rules: a mismatched confirmation, a weak password */
	body = xasprintf("{\"username\": \"%s\", \"email\": \"%s\", \"password\":"
			 " \"%s\", \"confirmPassword\": \"other-Passw0rd\"}",
			 name, email, PASSWORD);
	r = page_json(s, "POST", "/register", body);
	assert_error(r, 400, "password_mismatch");
	CU_ASSERT_PTR_NULL(member_of(r->json, "ok"));
	bb_free(r);
	free(body);
	body = xasprintf("{\"username\": \"%s\", \"email\": \"%s\", \"password\":"
			 " \"password\", \"confirmPassword\": \"password\"}",
			 name, email);
	r = page_json(s, "POST", "/register", body);
	assert_error(r, 400, "password_weak");
	bb_free(r);
	free(body);
	/* 1. Sign up: the page reads only ok. */
	body = xasprintf("{\"username\": \"%s\", \"email\": \"%s\", \"password\":"
			 " \"%s\", \"confirmPassword\": \"%s\"}", name, email,
			 PASSWORD, PASSWORD);
	r = page_json(s, "POST", "/register", body);
	CU_ASSERT(r->status >= 200 && r->status < 300);
	CU_ASSERT(json_object_get_boolean(member_of(r->json, "ok")));
	bb_free(r);
	CU_ASSERT(bb_db_int(sql_user, DB_P(db_str(email), db_str(name))) > 0);
	r = page_json(s, "POST", "/register", body);
	CU_ASSERT_EQUAL(r->status, 409);
	CU_ASSERT_PTR_NULL(member_of(r->json, "ok"));
	bb_free(r);
	free(body);
	/* 2. Log in: a wrong password is 401 JSON ... */
	assert_preflight(s, "/login", "POST", "content-type");
	body = xasprintf("{\"email\": \"%s\", \"password\": \"Wrong-Passw0rd\"}",
			 email);
	r = page_json(s, "POST", "/login", body);
	assert_error(r, 401, "invalid_credentials");
	CU_ASSERT_PTR_NULL(bb_header(r, "set-cookie"));
	bb_free(r);
	free(body);
	/* ... the right one: three truthy fields, and the session cookie. */
	body = xasprintf("{\"email\": \"%s\", \"password\": \"%s\"}", email,
			 PASSWORD);
	r = page_json(s, "POST", "/login", body);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT(*bb_str(r, "access_token") != '\0');
	CU_ASSERT(*bb_str(r, "refresh_token") != '\0');
	CU_ASSERT_STRING_EQUAL(bb_str(r, "role"), "user");
	cookie = bb_header(r, "set-cookie");
	CU_ASSERT_PTR_NOT_NULL_FATAL(cookie);
	CU_ASSERT(!strncmp(cookie, "haas_session=", 13));
	CU_ASSERT_PTR_NOT_NULL(strstr(cookie, "HttpOnly"));
	CU_ASSERT_PTR_NOT_NULL(strstr(cookie, "Secure"));
	CU_ASSERT_PTR_NOT_NULL(strstr(cookie, "SameSite=Strict"));
	bb_free(r);
	free(body);
	/* The cookie is the session on this site. */
	r = page_get(s, "/api/session");
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_STRING_EQUAL(str_of(member_of(r->json, "user"), "username"),
			       name);
	bb_free(r);
	bb_site_free(s);
	free(name);
	free(email);
}

/* ---- 3: the catalogue --------------------------------------------------- */

/* The item id in list key of r, or NULL. */
static json_object *
find_item(struct bb_resp *r, const char *key, long long id)
{
	json_object *arr = member_of(r->json, key);
	size_t i, n = json_object_is_type(arr, json_type_array)
		      ? json_object_array_length(arr) : 0;

	for (i = 0; i < n; i++) {
		json_object *it = json_object_array_get_idx(arr, i);

		if (strtoll(str_of(it, "id"), NULL, 10) == id)
			return it;
	}
	return NULL;
}

/* Every item of list key as the pages read it: id, a string name (the
 * search lower-cases it), a number price, description, and the picture
 * under image (and not under the other name: the cart shows both). */
static void
assert_items(struct bb_resp *r, const char *key, const char *image,
	     const char *not_image)
{
	json_object *arr = member_of(r->json, key);
	size_t i, n;
	const char *ct = bb_header(r, "content-type");

	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT(ct && strstr(ct, "application/json"));
	CU_ASSERT_FATAL(json_object_is_type(arr, json_type_array));
	n = json_object_array_length(arr);
	CU_ASSERT(n > 0);
	for (i = 0; i < n; i++) {
		json_object *it = json_object_array_get_idx(arr, i);
		json_object *price = member_of(it, "price");

		CU_ASSERT(*str_of(it, "id") != '\0');
		CU_ASSERT(json_object_is_type(member_of(it, "name"),
					      json_type_string));
		CU_ASSERT(json_object_is_type(price, json_type_int) ||
			  json_object_is_type(price, json_type_double));
		CU_ASSERT(json_object_object_get_ex(it, "description", NULL));
		CU_ASSERT(json_object_object_get_ex(it, image, NULL));
		CU_ASSERT(!json_object_object_get_ex(it, not_image, NULL));
	}
}

/* item's price is want, a number in whole units, and r's body writes it
 * exactly as text (what the page prints). */
static void
assert_price(struct bb_resp *r, json_object *item, const char *text,
	     double want)
{
	json_object *price = member_of(item, "price");
	char *exact = xasprintf("%s,", text);

	CU_ASSERT(json_object_is_type(price, strchr(text, '.')
				      ? json_type_double : json_type_int));
	CU_ASSERT_DOUBLE_EQUAL(json_object_get_double(price), want, 1e-9);
	CU_ASSERT_PTR_NOT_NULL(strstr(r->body, exact));
	free(exact);
}

static void
test_catalogue(void)
{
	struct bb_site *s = bb_site_new(HOST);
	struct bb_resp *ph, *lp, *sd, *ac, *r;
	json_object *it;
	char *path;

	/* /home asks for all four at once */
	ph = page_get(s, "/phones");
	lp = page_get(s, "/laptops");
	sd = page_get(s, "/sounddevices");
	ac = page_get(s, "/accessories");
	assert_items(ph, "phones", "image_url", "image");
	assert_items(lp, "laptops", "image", "image_url");
	assert_items(sd, "sound_devices", "image", "image_url");
	assert_items(ac, "accessories", "image", "image_url");
	/* Prices in the unit the pages show, written exactly. */
	it = find_item(ph, "phones", made.phone);
	CU_ASSERT_PTR_NOT_NULL_FATAL(it);
	CU_ASSERT_STRING_EQUAL(str_of(it, "name"), "EP Pixel 8");
	assert_price(ph, it, "799", 799);
	CU_ASSERT_STRING_EQUAL(str_of(it, "description"),
			       "EP Pixel 8, for the site");
	CU_ASSERT_STRING_EQUAL(str_of(it, "image_url"),
			       "/img/shop/galaxy-s23.svg");
	it = find_item(lp, "laptops", made.laptop);
	CU_ASSERT_PTR_NOT_NULL_FATAL(it);
	assert_price(lp, it, "24.99", 24.99);
	CU_ASSERT_STRING_EQUAL(str_of(it, "image"),
			       "https://img.example/zen.jpg");
	it = find_item(sd, "sound_devices", made.sound);
	CU_ASSERT_PTR_NOT_NULL_FATAL(it);
	assert_price(sd, it, "129.9", 129.9);
	CU_ASSERT_STRING_EQUAL(str_of(it, "image"), "/img/shop/buds2.svg");
	it = find_item(ac, "accessories", made.accessory);
	CU_ASSERT_PTR_NOT_NULL_FATAL(it);
	assert_price(ac, it, "10.05", 10.05);
	CU_ASSERT(json_object_is_type(member_of(it, "image"), json_type_null));
	/* One kind per list; a retired product is in none. */
	CU_ASSERT_PTR_NULL(find_item(ph, "phones", made.laptop));
	CU_ASSERT_PTR_NULL(find_item(lp, "laptops", made.phone));
	CU_ASSERT_PTR_NULL(find_item(ph, "phones", made.retired));
	/* The whole list, not haas's first page of 50. */
	CU_ASSERT_EQUAL(bb_len(ph, "phones"),
			json_object_get_int(member_of(ph->json, "total")));
	bb_free(ph);
	bb_free(lp);
	bb_free(sd);
	bb_free(ac);
	/* One catalogue: an admin's change through haas's API is what the
	 * site shows next. */
	path = xasprintf("/api/products/%lld", made.phone);
	r = bb_json("PATCH", path, admin, "{\"price\": 80050}");
	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);
	free(path);
	ph = page_get(s, "/phones");
	it = find_item(ph, "phones", made.phone);
	CU_ASSERT_PTR_NOT_NULL_FATAL(it);
	assert_price(ph, it, "800.5", 800.5);
	bb_free(ph);
	/* Its filters still apply; a bad one is JSON too. */
	r = page_get(s, "/phones?q=Pixel%208");
	CU_ASSERT_PTR_NOT_NULL(find_item(r, "phones", made.phone));
	bb_free(r);
	r = page_get(s, "/laptops?limit=0");
	assert_error(r, 400, "bad_query");
	bb_free(r);
	bb_site_free(s);
}

/* ---- 4: shop-wide comments ---------------------------------------------- */

static void
test_reviews(void)
{
	struct member m;
	struct bb_resp *r;
	long long id, before;
	long status;
	char *path;
	json_object *it;
	static const char *const keystrokes[] = {
		"Great sho", "Great sh", "", "G", "Great shop, fast delivery",
	};
	size_t i;

	member_new(&m);
	/* The page view: 200 and the list, empty when there is none. */
	before = comments_in_db();
	r = page_get(m.s, "/reviews?itemId=undefined");
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_EQUAL(bb_len(r, "reviews"), before);
	bb_free(r);
	/* Post: the answer's review carries id and comment. */
	assert_preflight(m.s, "/reviews", "POST", "content-type");
	id = comment_post(m.s, "Great shop", &status);
	CU_ASSERT(status >= 200 && status < 300);
	CU_ASSERT_FATAL(id > 0);
	CU_ASSERT(comment_is(id, m.id, "Great shop"));
	CU_ASSERT_EQUAL(audited(id, "review.create", m.id), 1);
	CU_ASSERT_EQUAL(comments_in_db(), before + 1);
	/* Listed for everyone, the new one last. */
	r = page_get(m.s, "/reviews");
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_EQUAL(bb_len(r, "reviews"), before + 1);
	it = json_object_array_get_idx(member_of(r->json, "reviews"),
				       (size_t)before);
	CU_ASSERT_EQUAL(strtoll(str_of(it, "id"), NULL, 10), id);
	CU_ASSERT_STRING_EQUAL(str_of(it, "comment"), "Great shop");
	bb_free(r);
	/* Edit: one PATCH per keystroke, each 2xx. */
	path = xasprintf("/reviews/%lld", id);
	assert_preflight(m.s, path, "PATCH", "content-type");
	for (i = 0; i < ARRAY_SIZE(keystrokes); i++) {
		char *body = xasprintf("{\"comment\": \"%s\"}", keystrokes[i]);

		r = page_json(m.s, "PATCH", path, body);
		CU_ASSERT(r->status >= 200 && r->status < 300);
		bb_free(r);
		free(body);
	}
	CU_ASSERT(comment_is(id, m.id, "Great shop, fast delivery"));
	CU_ASSERT(audited(id, "review.update", m.id) >= 4);
	/* A comment has no rating; it keeps a text. */
	r = page_json(m.s, "PATCH", path, "{\"rating\": 4}");
	assert_error(r, 400, "comment_no_rating");
	bb_free(r);
	r = page_json(m.s, "PATCH", path, "{\"comment\": null}");
	assert_error(r, 400, "comment_required");
	bb_free(r);
	CU_ASSERT(comment_is(id, m.id, "Great shop, fast delivery"));
	/* Delete: 2xx, gone, audited. */
	assert_preflight(m.s, path, "DELETE", NULL);
	r = page_json(m.s, "DELETE", path, NULL);
	CU_ASSERT(r->status >= 200 && r->status < 300);
	bb_free(r);
	CU_ASSERT_EQUAL(bb_db_int(sql_review_exists, DB_P(db_int(id))), 0);
	CU_ASSERT_EQUAL(audited(id, "review.delete", m.id), 1);
	r = page_json(m.s, "DELETE", path, NULL);
	assert_error(r, 404, "review_not_found");
	bb_free(r);
	free(path);
	/* haas's rules on what is posted: a comment needs text, at most 500
	 * characters. */
	comment_post(m.s, "   ", &status);
	CU_ASSERT_EQUAL(status, 400);
	r = page_json(m.s, "POST", "/reviews", "{\"rating\": 5}");
	assert_error(r, 400, "comment_required");
	bb_free(r);
	{
		char big[502];

		memset(big, 'x', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		comment_post(m.s, big, &status);
		CU_ASSERT_EQUAL(status, 400);
	}
	CU_ASSERT_EQUAL(comments_in_db(), before);
	member_free(&m);
}

/* A shop-wide comment is a review without a product: it never shows up
 * among a product's reviews or in its rating, and haas's own API edits it
 * by the same rules. */
static void
test_reviews_one_table(void)
{
	struct member m;
	struct bb_resp *r;
	long long id;
	long status;
	char *path;

	member_new(&m);
	id = comment_post(m.s, "Shop-wide", &status);
	CU_ASSERT_EQUAL_FATAL(status, 201);
	path = xasprintf("/api/products/%lld/reviews", made.phone);
	r = bb_get(path, NULL);
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_EQUAL(bb_len(r, "reviews"), 0);
	bb_free(r);
	free(path);
	/* The same session on haas's /api/ of this site. */
	path = xasprintf("/api/reviews/%lld", id);
	r = page_json(m.s, "PATCH", path, "{\"comment\": \"Edited via /api\"}");
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT(json_object_is_type(member_of(member_of(r->json, "review"),
						"product_id"), json_type_null));
	bb_free(r);
	CU_ASSERT(comment_is(id, m.id, "Edited via /api"));
	/* Admins may delete any, through haas's own site. */
	r = bb_json("DELETE", path, admin, NULL);
	CU_ASSERT_EQUAL(r->status, 204);
	bb_free(r);
	CU_ASSERT_EQUAL(bb_db_int(sql_review_exists, DB_P(db_int(id))), 0);
	free(path);
	member_free(&m);
}

/* ---- 5: the profile ----------------------------------------------------- */

static void
test_profile(void)
{
	struct member m;
	struct bb_resp *r;

	member_new(&m);
	assert_preflight(m.s, "/user", "GET", "authorization");
	/* What the page sends: Bearer null, which wins over the cookie. */
	r = bb_site_req(m.s, "GET", "/user", NULL, NULL,
			"Authorization: Bearer null");
	assert_error(r, 401, "token_invalid");
	bb_free(r);
	/* The session itself is the profile. */
	r = page_get(m.s, "/user");
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "username"), m.username);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "email"), m.email);
	bb_free(r);
	member_free(&m);
}

/* ---- security ----------------------------------------------------------- */

/* The same conversation from a browser that never signed in: the writes
 * and the profile are refused, the public reads still answer. */
static void
test_without_session(void)
{
	struct member owner;
	struct bb_site *anon = bb_site_new(HOST);
	struct bb_resp *r;
	long long id, before;
	long status;
	char *path;

	member_new(&owner);
	id = comment_post(owner.s, "Mine", &status);
	CU_ASSERT_EQUAL_FATAL(status, 201);
	before = comments_in_db();
	path = xasprintf("/reviews/%lld", id);
	comment_post(anon, "Anonymous", &status);
	CU_ASSERT_EQUAL(status, 401);
	r = page_json(anon, "PATCH", path, "{\"comment\": \"defaced\"}");
	assert_error(r, 401, "unauthorized");
	bb_free(r);
	r = page_json(anon, "DELETE", path, NULL);
	assert_error(r, 401, "unauthorized");
	bb_free(r);
	r = page_get(anon, "/user");
	assert_error(r, 401, "unauthorized");
	bb_free(r);
	r = bb_site_req(anon, "GET", "/user", NULL, NULL,
			"Authorization: Bearer null");
	assert_error(r, 401, "token_invalid");
	bb_free(r);
	CU_ASSERT_EQUAL(comments_in_db(), before);
	CU_ASSERT(comment_is(id, owner.id, "Mine"));
	/* Reads are public. */
	r = page_get(anon, "/reviews");
	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);
	r = page_get(anon, "/phones");
	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);
	free(path);
	bb_site_free(anon);
	member_free(&owner);
}

/* The signed-in browser's cookie on a request from another origin (a
 * page elsewhere, haas's own site, or none at all): every write is
 * refused, nothing changes. */
static void
test_cross_site(void)
{
	struct member m;
	struct bb_resp *r;
	long long id, before;
	long status;
	char *path, *main_origin = NULL;
	const char *origins[3];
	size_t i;

	member_new(&m);
	id = comment_post(m.s, "Original", &status);
	CU_ASSERT_EQUAL_FATAL(status, 201);
	before = comments_in_db();
	path = xasprintf("/reviews/%lld", id);
	{
		/* haas's own site: another site for this cookie */
		const char *port = strrchr(bb_site_origin(m.s), ':');

		main_origin = xasprintf("Origin: https://localhost%s", port);
	}
	origins[0] = "Origin: " EVIL;
	origins[1] = main_origin;
	origins[2] = NULL;	/* no Origin */
	for (i = 0; i < ARRAY_SIZE(origins); i++) {
		r = bb_site_req(m.s, "POST", "/reviews", "application/json",
				"{\"comment\": \"forged\"}", origins[i]);
		assert_error(r, 403, "cross_site");
		bb_free(r);
		r = bb_site_req(m.s, "PATCH", path, "application/json",
				"{\"comment\": \"forged\"}", origins[i]);
		assert_error(r, 403, "cross_site");
		bb_free(r);
		r = bb_site_req(m.s, "DELETE", path, NULL, NULL, origins[i]);
		assert_error(r, 403, "cross_site");
		bb_free(r);
	}
	CU_ASSERT_EQUAL(comments_in_db(), before);
	CU_ASSERT(comment_is(id, m.id, "Original"));
	/* From its own pages the same cookie still works. */
	r = page_json(m.s, "PATCH", path, "{\"comment\": \"Mine still\"}");
	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);
	CU_ASSERT(comment_is(id, m.id, "Mine still"));
	free(path);
	free(main_origin);
	member_free(&m);
}

/* Another member's comment: listed for all, editable by its author only. */
static void
test_others_review(void)
{
	struct member a, b;
	struct bb_resp *r;
	long long id;
	long status;
	char *path;

	member_new(&a);
	member_new(&b);
	id = comment_post(a.s, "By A", &status);
	CU_ASSERT_EQUAL_FATAL(status, 201);
	path = xasprintf("/reviews/%lld", id);
	r = page_json(b.s, "PATCH", path, "{\"comment\": \"By B now\"}");
	assert_error(r, 404, "review_not_found");
	bb_free(r);
	r = page_json(b.s, "DELETE", path, NULL);
	assert_error(r, 404, "review_not_found");
	bb_free(r);
	CU_ASSERT(comment_is(id, a.id, "By A"));
	CU_ASSERT_EQUAL(audited(id, "review.update", b.id), 0);
	/* The author's own edit goes through. */
	r = page_json(a.s, "PATCH", path, "{\"comment\": \"By A, edited\"}");
	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_STRING_EQUAL(str_of(member_of(r->json, "review"), "comment"),
			       "By A, edited");
	bb_free(r);
	CU_ASSERT(comment_is(id, a.id, "By A, edited"));
	free(path);
	member_free(&a);
	member_free(&b);
}

struct flood {
	int limited[2], coded, other;
};

/* Half the flood on the site's /login, half on haas's /api/users/login
 * on the same host. */
static void
flood_login(int i, void *arg)
{
	static const char *const paths[] = { "/login", "/api/users/login" };
	struct flood *f = arg;
	struct bb_site *s = bb_site_new(HOST);
	struct bb_resp *r = bb_site_json(s, "POST", paths[i % 2],
					 "{\"email\": \"\"}");

	if (r->status == 429) {
		__sync_add_and_fetch(&f->limited[i % 2], 1);
		if (!strcmp(bb_str(r, "code"), "rate_limited"))
			__sync_add_and_fetch(&f->coded, 1);
	} else if (r->status != 400) {
		__sync_add_and_fetch(&f->other, 1);
	}
	bb_free(r);
	bb_site_free(s);
}

/* The site's log-in paths share haas's brake per client address: a flood
 * gets nginx's JSON 429 on both.  The bucket drains before the next
 * program logs in. */
static void
test_login_rate_limited(void)
{
	struct flood f = { 0 };
	long long rate = 10, burst = 20;
	const char *v;

	if ((v = getenv("HAAS_LOGIN_BURST")))
		burst = strtoll(v, NULL, 10);
	if ((v = getenv("HAAS_LOGIN_RATE")))
		rate = strtoll(v, NULL, 10);
	bb_parallel((int)(burst + 120), flood_login, &f);
	CU_ASSERT(f.limited[0] > 0);
	CU_ASSERT(f.limited[1] > 0);
	CU_ASSERT_EQUAL(f.coded, f.limited[0] + f.limited[1]);
	CU_ASSERT_EQUAL(f.other, 0);
	sleep((unsigned)(burst / (rate > 0 ? rate : 1) + 2));
}

static CU_TestInfo tests[] = {
	{ "pages and API on the same paths", test_pages },
	{ "1-2 sign up and log in", test_signup_login },
	{ "3 the catalogue, per kind", test_catalogue },
	{ "4 shop-wide comments", test_reviews },
	{ "4 comments are reviews without a product", test_reviews_one_table },
	{ "5 the profile with Bearer null", test_profile },
	{ "security: without the session", test_without_session },
	{ "security: cross-site Origin with the cookie", test_cross_site },
	{ "security: another member's comment", test_others_review },
	{ "security: log-in paths are rate limited", test_login_rate_limited },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	SUITE_INIT("site electroports", suite_init, suite_clean, tests),
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	bb_init();
	return cunit_run(suites);
}

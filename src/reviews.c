/* reviews: product reviews (a rating, by customers who paid for the
 * product) and shop-wide comments (no product, no rating: the ElectroPorts
 * site's /reviews), one table and one set of rules: members write and edit
 * their own, admins may delete any, every write is audited. */
#include "reviews.h"

#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "audit.h"
#include "body.h"
#include "db.h"
#include "openapi.h"
#include "util.h"

#define REVIEW_COLS \
	"r.id, r.product_id, r.user_id, u.username, r.rating, r.comment," \
	" r.created_at, r.updated_at"
#define REVIEW_NCOLS 8
#define REVIEW_FROM " FROM reviews r JOIN users u ON u.id = r.user_id"

/* The ElectroPorts page has no paging: its lists come whole, up to the
 * API's largest page. */
#define SITE_LIMIT 500

enum reviews_sql {
	Q_REVIEW,
	Q_REVIEWS,
	Q_REVIEW_STATS,
	Q_REVIEW_OWNER,
	Q_PRODUCT_EXISTS,
	Q_BOUGHT,
	Q_REVIEW_INSERT,
	Q_REVIEW_UPDATE,
	Q_REVIEW_DELETE,
	Q_COMMENTS,
	Q_COMMENTS_COUNT,
	Q_COMMENT_INSERT,
};

static const char *const sql[] = {
	[Q_REVIEW] = "SELECT " REVIEW_COLS REVIEW_FROM " WHERE r.id = ?",
	[Q_REVIEWS] = "SELECT " REVIEW_COLS REVIEW_FROM
		" WHERE r.product_id = ? ORDER BY r.id DESC LIMIT ? OFFSET ?",
	[Q_REVIEW_STATS] = "SELECT COUNT(*), ROUND(AVG(rating), 2)"
		" FROM reviews WHERE product_id = ?",
	[Q_REVIEW_OWNER] = "SELECT user_id, product_id IS NULL FROM reviews"
		" WHERE id = ?",
	[Q_PRODUCT_EXISTS] = "SELECT COUNT(*) FROM products WHERE id = ?",
	/* Bought means paid for: a pending order may still be cancelled. */
	[Q_BOUGHT] = "SELECT COUNT(*) FROM orders o"
		" JOIN order_items i ON i.order_id = o.id WHERE o.user_id = ?"
		" AND i.product_id = ?"
		" AND o.status IN ('paid', 'shipped', 'delivered')",
	[Q_REVIEW_INSERT] = "INSERT INTO reviews (product_id, user_id, rating,"
		" comment) VALUES (?, ?, ?, ?)",
	[Q_REVIEW_UPDATE] = "UPDATE reviews SET rating = COALESCE(?, rating),"
		" comment = IF(?, ?, comment) WHERE id = ?",
	[Q_REVIEW_DELETE] = "DELETE FROM reviews WHERE id = ?",
	/* The newest page of shop-wide comments, oldest first (the page
	 * adds a new one at the end). */
	[Q_COMMENTS] = "SELECT id, product_id, user_id, username, rating,"
		" comment, created_at, updated_at FROM (SELECT " REVIEW_COLS
		REVIEW_FROM " WHERE r.product_id IS NULL ORDER BY r.id DESC"
		" LIMIT ? OFFSET ?) c ORDER BY id",
	[Q_COMMENTS_COUNT] = "SELECT COUNT(*) FROM reviews"
		" WHERE product_id IS NULL",
	[Q_COMMENT_INSERT] = "INSERT INTO reviews (product_id, user_id, rating,"
		" comment) VALUES (NULL, ?, NULL, ?)",
};

static const char *
opt_str(const struct field_value *v)
{
	return v->set && !v->is_null ? v->s : NULL;
}

/* Path id {id}; a malformed one names nothing, so it is not found. */
static enum err
path_id(struct req *r, enum err missing, long long *id)
{
	return parse_ll(req_param(r, "id"), 1, INT64_MAX, id) ? missing
							      : ERR_OK;
}

static json_object *
json_rating(const char *avg)
{
	return avg ? json_object_new_double(strtod(avg, NULL)) : NULL;
}

static json_object *
review_json(const struct db_rows *rows)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "review_id", json_id(db_col_int(rows, 0)));
	json_object_object_add(o, "product_id", db_col(rows, 1)
			       ? json_id(db_col_int(rows, 1)) : NULL);
	json_object_object_add(o, "user_id", json_id(db_col_int(rows, 2)));
	json_object_object_add(o, "username", json_str_or_null(db_col(rows, 3)));
	json_object_object_add(o, "rating", db_col(rows, 4)
			       ? json_object_new_int64(db_col_int(rows, 4))
			       : NULL);
	json_object_object_add(o, "comment", json_str_or_null(db_col(rows, 5)));
	json_object_object_add(o, "created_at", json_time(db_col(rows, 6)));
	json_object_object_add(o, "updated_at", json_time(db_col(rows, 7)));
	return o;
}

/* The ElectroPorts site's shape: its page keys a review by "id". */
static json_object *
review_json_site(const struct db_rows *rows)
{
	json_object *o = review_json(rows);

	json_object_object_add(o, "id", json_id(db_col_int(rows, 0)));
	return o;
}

static enum err
reply_review(struct req *r, long long id)
{
	return req_reply_row(r, "review", sql[Q_REVIEW], DB_P(db_int(id)),
			     REVIEW_NCOLS, ERR_REVIEW_NOT_FOUND,
			     r->profile == PROFILE_ELECTROPORTS
			     ? review_json_site : review_json);
}

/* One review write (create, edit, delete) and its audit entry, in one
 * transaction.  When nothing changed, missing (ERR_OK: no check); without
 * an id the review is the one the statement inserted. */
struct review_write {
	const char *sql;
	const struct db_param *p;
	size_t np;
	enum err missing;
	const char *action;
	long long id;
	struct db_result res;
};

static enum err
review_write_tx(struct req *r, void *arg)
{
	struct review_write *w = arg;
	long long id = w->id;
	enum err e = db_exec(r->db, w->sql, w->p, w->np, &w->res);

	if (e == ERR_OK && w->res.affected == 0 && w->missing != ERR_OK)
		e = w->missing;
	if (e != ERR_OK)
		return e;
	if (!id)
		id = (long long)w->res.insert_id;
	return audit_write(r->db, r, r->user.id, w->action, "review",
			   req_printf(r, "%lld", id), NULL);
}

/* ---- product reviews ----------------------------------------------------- */

static enum err
product_exists(struct req *r, long long id)
{
	long long n = 0;
	enum err e = db_query_int(r->db, sql[Q_PRODUCT_EXISTS],
				  DB_P(db_int(id)), ERR_OK, &n);

	return e == ERR_OK && !n ? ERR_PRODUCT_NOT_FOUND : e;
}

static enum err
review_stats(struct req *r, long long id)
{
	struct db_rows *row;
	enum err e = db_row(r->db, sql[Q_REVIEW_STATS], DB_P(db_int(id)), 2,
			    ERR_INTERNAL, &row);

	if (!row)
		return e;
	json_object_object_add(req_reply(r), "total",
			       json_object_new_int64(db_col_int(row, 0)));
	json_object_object_add(req_reply(r), "rating_average",
			       json_rating(db_col(row, 1)));
	db_rows_free(row);
	return ERR_OK;
}

/* Runs a review list query into the reply's "reviews", shaped by fn. */
static enum err
reviews_rows(struct req *r, const char *q, const struct db_param *p,
	     size_t np, row_json_fn fn)
{
	struct db_rows *rows;
	json_object *arr;
	enum err e = db_query(r->db, q, p, np, REVIEW_NCOLS, &rows);

	if (e != ERR_OK)
		return e;
	arr = json_object_new_array();
	json_object_object_add(req_reply(r), "reviews", arr);
	while (db_next(rows))
		json_object_array_add(arr, fn(rows));
	e = db_rows_err(rows);
	db_rows_free(rows);
	return e;
}

static enum err
reviews_of_product(struct req *r)
{
	long long id, limit, offset;
	enum err e = path_id(r, ERR_PRODUCT_NOT_FOUND, &id);

	if (e == ERR_OK)
		e = product_exists(r, id);
	if (e == ERR_OK)
		e = req_paging(r, &limit, &offset);
	if (e == ERR_OK)
		e = reviews_rows(r, sql[Q_REVIEWS], DB_P(db_int(id),
				 db_int(limit), db_int(offset)), review_json);
	return e != ERR_OK ? e : review_stats(r, id);
}

enum { R_RATING, R_COMMENT };

static const struct field review_spec[] = {
	[R_RATING] = { "rating", FT_INT, 0, .min = 1, .max = 5 },
	[R_COMMENT] = { "comment", FT_STRING, F_NULLABLE | F_TRIM,
			.max = 500 },
};

static enum err
reviews_create(struct req *r)
{
	const struct field_value *v = r->vals;	/* review_spec */
	struct review_write w = { .sql = sql[Q_REVIEW_INSERT],
				  .action = "review.create" };
	struct db_param p[4];
	long long id, bought = 0;
	enum err e = path_id(r, ERR_PRODUCT_NOT_FOUND, &id);

	if (e == ERR_OK && !v[R_RATING].set)
		e = req_fail(r, ERR_FIELD_MISSING, "rating is required");
	if (e == ERR_OK)
		e = product_exists(r, id);
	if (e == ERR_OK)
		e = db_query_int(r->db, sql[Q_BOUGHT], DB_P(db_int(r->user.id),
				 db_int(id)), ERR_OK, &bought);
	if (e == ERR_OK && !bought)
		e = ERR_REVIEW_NOT_BOUGHT;
	if (e != ERR_OK)
		return e;
	p[0] = db_int(id);
	p[1] = db_int(r->user.id);
	p[2] = db_int(v[R_RATING].i);
	p[3] = db_str(opt_str(&v[R_COMMENT]));
	w.p = p;
	w.np = ARRAY_SIZE(p);
	e = req_txn(r, review_write_tx, &w);
	if (e == ERR_DUPLICATE)
		return ERR_REVIEW_EXISTS;
	return e != ERR_OK ? e : reply_review(r, (long long)w.res.insert_id);
}

/* ---- either kind: edit, delete ------------------------------------------ */

/* Review {id} must be the caller's (admins may delete any): others' are
 * not found.  *shop: it is a shop-wide comment (no product). */
static enum err
review_mine(struct req *r, bool admin_ok, long long *id, bool *shop)
{
	struct db_rows *row;
	long long owner;
	enum err e = path_id(r, ERR_REVIEW_NOT_FOUND, id);

	if (e == ERR_OK)
		e = db_row(r->db, sql[Q_REVIEW_OWNER], DB_P(db_int(*id)), 2,
			   ERR_REVIEW_NOT_FOUND, &row);
	if (e != ERR_OK)
		return e;
	owner = db_col_int(row, 0);
	*shop = db_col_int(row, 1) == 1;
	db_rows_free(row);
	if (owner != r->user.id &&
	    !(admin_ok && r->user.role == ROLE_ADMIN))
		return ERR_REVIEW_NOT_FOUND;
	return ERR_OK;
}

/* A shop-wide comment keeps its comment and never gets a rating. */
static enum err
comment_edit_check(const struct field_value *v)
{
	if (v[R_RATING].set)
		return ERR_COMMENT_NO_RATING;
	if (v[R_COMMENT].set && v[R_COMMENT].is_null)
		return ERR_COMMENT_REQUIRED;
	return ERR_OK;
}

static enum err
reviews_update(struct req *r)
{
	const struct field_value *v = r->vals;	/* review_spec */
	struct review_write w = { .sql = sql[Q_REVIEW_UPDATE],
				  .action = "review.update" };
	struct db_param p[4];
	bool shop = false;
	enum err e = review_mine(r, false, &w.id, &shop);

	if (e == ERR_OK)
		e = body_changes(r, review_spec, v);
	if (e == ERR_OK && shop)
		e = comment_edit_check(v);
	if (e != ERR_OK)
		return e;
	p[0] = v[R_RATING].set ? db_int(v[R_RATING].i) : db_null();
	p[1] = db_int(v[R_COMMENT].set);
	p[2] = db_str(opt_str(&v[R_COMMENT]));
	p[3] = db_int(w.id);
	w.p = p;
	w.np = ARRAY_SIZE(p);
	e = req_txn(r, review_write_tx, &w);
	return e != ERR_OK ? e : reply_review(r, w.id);
}

static enum err
reviews_delete(struct req *r)
{
	struct review_write w = { .sql = sql[Q_REVIEW_DELETE], .np = 1,
				  .missing = ERR_REVIEW_NOT_FOUND,
				  .action = "review.delete" };
	struct db_param p[1];
	bool shop;
	enum err e = review_mine(r, true, &w.id, &shop);

	if (e != ERR_OK)
		return e;
	p[0] = db_int(w.id);
	w.p = p;
	return req_txn(r, review_write_tx, &w);
}

/* ---- shop-wide comments (the ElectroPorts site) ------------------------- */

/* GET /reviews: 200 with every comment (an empty list when there is
 * none); the page's ?itemId= names nothing and is ignored. */
static enum err
reviews_site_list(struct req *r)
{
	long long limit, offset;
	enum err e = req_paging(r, &limit, &offset);

	if (e == ERR_OK && !req_query(r, "limit"))
		limit = SITE_LIMIT;
	if (e == ERR_OK)
		e = reviews_rows(r, sql[Q_COMMENTS], DB_P(db_int(limit),
				 db_int(offset)), review_json_site);
	if (e == ERR_OK)
		e = req_reply_count(r, "total", sql[Q_COMMENTS_COUNT],
				    DB_NONE);
	return e;
}

static const struct field comment_spec[] = {
	{ "comment", FT_STRING, F_REQUIRED | F_TRIM, .max = 500,
	  .missing = ERR_COMMENT_REQUIRED },
};

/* POST /reviews {comment}: a comment by the caller.  The page also sends
 * user_id, component_type, component_id and a placeholder rating of 0:
 * the author is the caller, and a shop-wide comment has no product and no
 * rating, so they are not read. */
static enum err
reviews_site_create(struct req *r)
{
	struct review_write w = { .sql = sql[Q_COMMENT_INSERT],
				  .action = "review.create" };
	struct db_param p[2];
	enum err e;

	p[0] = db_int(r->user.id);
	p[1] = db_str(r->vals[0].s);	/* comment_spec */
	w.p = p;
	w.np = ARRAY_SIZE(p);
	e = req_txn(r, review_write_tx, &w);
	return e != ERR_OK ? e : reply_review(r, (long long)w.res.insert_id);
}

#define EP PROFILE_BIT(PROFILE_ELECTROPORTS)

/* review_json; on the ElectroPorts site (review_json_site) also "id", the
 * same id: that site's replies are SiteReview. */
const struct schema_def reviews_schemas[] = {
	{ "Review", "{review_id: id, product_id: id?, user_id: id, "
	  "username: string?, rating: int?, comment: string?, "
	  "created_at: time, updated_at: time, id?: id}" },
	{ "SiteReview", "{id: id, review_id: id, product_id: id?, user_id: id, "
	  "username: string?, rating: int?, comment: string?, "
	  "created_at: time, updated_at: time}" },
	{ NULL, NULL },
};

static const struct qparam site_query[] = {
	{ "limit", "integer", "1 to 500 (default: the whole list, up to 500)" },
	{ "offset", "integer", "How many to skip from the newest (default 0)" },
	{ NULL },
};

const struct route reviews_routes[] = {
	{ "GET", "/api/products/{id}/reviews", ROLE_NONE, 200, BODY_NONE,
	  reviews_of_product, "A product's reviews and average rating",
	  .query = route_paging, .reply = "{reviews: [Review], total: int, "
	  "rating_average: number?}", ROUTE_ERRORS(ERR_PRODUCT_NOT_FOUND) },
	{ "POST", "/api/products/{id}/reviews", ROLE_USER, 201, BODY_JSON,
	  reviews_create, "Review a product you bought (rating required; on "
	  "the ElectroPorts site the review also carries id)",
	  ROUTE_IDEMPOTENT, ROUTE_FIELDS(review_spec),
	  .reply = "{review: Review}",
	  ROUTE_ERRORS(ERR_PRODUCT_NOT_FOUND, ERR_REVIEW_NOT_BOUGHT,
		       ERR_REVIEW_EXISTS) },
	{ "PATCH", "/api/reviews/{id}", ROLE_USER, 200, BODY_JSON,
	  reviews_update, "Edit your review or comment (on the ElectroPorts "
	  "site the review also carries id)", ROUTE_FIELDS(review_spec),
	  .reply = "{review: Review}",
	  ROUTE_ERRORS(ERR_REVIEW_NOT_FOUND, ERR_NO_CHANGES,
		       ERR_COMMENT_NO_RATING, ERR_COMMENT_REQUIRED) },
	{ "DELETE", "/api/reviews/{id}", ROLE_USER, 204, BODY_NONE,
	  reviews_delete, "Delete your review (admins: any)",
	  ROUTE_ERRORS(ERR_REVIEW_NOT_FOUND) },
	/* ElectroPorts' shop-wide comments, on its site only */
	{ "GET", "/reviews", ROLE_NONE, 200, BODY_NONE, reviews_site_list,
	  "Comments on the shop (ElectroPorts site)", .profiles = EP,
	  .query = site_query, .reply = "{reviews: [SiteReview], total: int}" },
	{ "POST", "/reviews", ROLE_USER, 201, BODY_JSON, reviews_site_create,
	  "Comment on the shop (ElectroPorts site)", ROUTE_IDEMPOTENT,
	  .profiles = EP, ROUTE_FIELDS(comment_spec),
	  .reply = "{review: SiteReview}",
	  ROUTE_ERRORS(ERR_COMMENT_REQUIRED) },
	{ "PATCH", "/reviews/{id}", ROLE_USER, 200, BODY_JSON, reviews_update,
	  "Edit your comment (ElectroPorts site)", .profiles = EP,
	  ROUTE_FIELDS(review_spec), .reply = "{review: SiteReview}",
	  ROUTE_ERRORS(ERR_REVIEW_NOT_FOUND, ERR_NO_CHANGES,
		       ERR_COMMENT_NO_RATING, ERR_COMMENT_REQUIRED) },
	{ "DELETE", "/reviews/{id}", ROLE_USER, 204, BODY_NONE, reviews_delete,
	  "Delete your comment (ElectroPorts site; admins: any)",
	  .profiles = EP, ROUTE_ERRORS(ERR_REVIEW_NOT_FOUND) },
	{ 0 },
};

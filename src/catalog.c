/* catalog: the shop's brands, products (browsing, admin writes with
 * optimistic versions, retiring) and accessory compatibility, and the
 * ElectroPorts site's view of them (one envelope per kind). */
#include "catalog.h"

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

#define PRODUCT_COLS \
	"p.id, p.kind, p.brand_id, b.name, p.name, p.price, p.stock," \
	" p.status, p.image_url, p.description, p.attributes, p.version," \
	" p.created_at, p.updated_at, p.retired_at," \
	" (SELECT COUNT(*) FROM reviews v WHERE v.product_id = p.id)," \
	" (SELECT ROUND(AVG(v.rating), 2) FROM reviews v" \
	"  WHERE v.product_id = p.id)," \
	" p.low_stock_threshold"
#define PRODUCT_NCOLS 18
#define PRODUCT_FROM " FROM products p LEFT JOIN brands b ON b.id = p.brand_id"
/* Every filter is disabled by binding NULL (or 0 for in_stock), so the
 * SQL text never changes. */
#define PRODUCT_FILTER \
	" WHERE CASE ? WHEN 'false' THEN p.retired_at IS NULL" \
	"  WHEN 'true' THEN p.retired_at IS NOT NULL ELSE 1 END" \
	" AND (? IS NULL OR p.kind = ?)" \
	" AND (? IS NULL OR b.name = ?) AND (? IS NULL OR p.brand_id = ?)" \
	" AND (? IS NULL OR p.price >= ?) AND (? IS NULL OR p.price <= ?)" \
	" AND (? = 0 OR p.stock > 0)" \
	" AND (? IS NULL OR p.name LIKE ? OR p.description LIKE ?)"
#define FILTER_NPARAMS 15
#define SORT_NPARAMS 7	/* Q_PRODUCTS's ORDER BY cases */
/* A brand with the products on sale that name it, and the retired ones
 * (which keep it from being deleted too). */
#define BRAND_COLS \
	"b.id, b.name, b.created_at," \
	" (SELECT COUNT(*) FROM products p WHERE p.brand_id = b.id" \
	"  AND p.retired_at IS NULL)," \
	" (SELECT COUNT(*) FROM products p WHERE p.brand_id = b.id" \
	"  AND p.retired_at IS NOT NULL)"
#define BRAND_NCOLS 5
#define STOCK_MAX 1000000000
#define STOCK_MAX_S "1000000000"
/* The ElectroPorts pages have no paging: their lists come whole, up to
 * the API's largest page. */
#define SITE_LIMIT 500

enum catalog_sql {
	Q_PRODUCT,
	Q_PRODUCTS,
	Q_PRODUCTS_COUNT,
	Q_ACCESSORIES_OF,
	Q_FITS,
	Q_PRODUCT_LOCK,
	Q_PRODUCT_INSERT,
	Q_PRODUCT_UPDATE,
	Q_PRODUCT_RETIRE,
	Q_PRODUCT_STOCK,
	Q_PRODUCT_LIVE,
	Q_COMPAT_CLEAR,
	Q_COMPAT_ADD,
	Q_BRAND,
	Q_BRAND_BY_NAME,
	Q_BRAND_EXISTS,
	Q_BRANDS,
	Q_BRAND_INSERT,
	Q_BRAND_UPDATE,
	Q_BRAND_DELETE,
	Q_LOW_CLEAR,
	Q_LOW_MARK,
	Q_LOW_READ,
};

static const char *const sql[] = {
	/* Retired products stay readable by id: old orders link to them. */
	[Q_PRODUCT] = "SELECT " PRODUCT_COLS PRODUCT_FROM " WHERE p.id = ?",
	[Q_PRODUCTS] = "SELECT " PRODUCT_COLS PRODUCT_FROM PRODUCT_FILTER
		" ORDER BY CASE WHEN ? = 'price' THEN p.price END,"
		" CASE WHEN ? = '-price' THEN p.price END DESC,"
		" CASE WHEN ? = 'name' THEN p.name END,"
		" CASE WHEN ? = '-name' THEN p.name END DESC,"
		" CASE WHEN ? = 'newest' THEN p.id END DESC,"
		" CASE WHEN ? = 'stock' THEN p.stock END,"
		" CASE WHEN ? = '-stock' THEN p.stock END DESC, p.id"
		" LIMIT ? OFFSET ?",
	[Q_PRODUCTS_COUNT] = "SELECT COUNT(*)" PRODUCT_FROM PRODUCT_FILTER,
	[Q_ACCESSORIES_OF] = "SELECT a.id, a.name FROM product_compat c"
		" JOIN products a ON a.id = c.accessory_id"
		" WHERE c.product_id = ? AND a.retired_at IS NULL ORDER BY a.id",
	[Q_FITS] = "SELECT p.id, p.name FROM product_compat c"
		" JOIN products p ON p.id = c.product_id"
		" WHERE c.accessory_id = ? AND p.retired_at IS NULL ORDER BY p.id",
	[Q_PRODUCT_LOCK] = "SELECT kind, version FROM products"
		" WHERE id = ? AND retired_at IS NULL FOR UPDATE",
	[Q_PRODUCT_INSERT] = "INSERT INTO products (kind, brand_id, name,"
		" price, stock, status, image_url, description, attributes,"
		" low_stock_threshold)"
		" VALUES (?, ?, ?, ?, ?, COALESCE(?, 'new'), ?, ?,"
		" COALESCE(?, '{}'), ?)",
	/* NULL keeps a column; the nullable ones take a "was sent" flag.
	 * The low-stock mark goes with the threshold (a CHECK of sql/014):
	 * MariaDB assigns left to right, so it sees the new threshold. */
	[Q_PRODUCT_UPDATE] = "UPDATE products SET kind = COALESCE(?, kind),"
		" brand_id = IF(?, ?, brand_id), name = COALESCE(?, name),"
		" price = COALESCE(?, price), stock = COALESCE(?, stock),"
		" status = COALESCE(?, status),"
		" image_url = IF(?, ?, image_url),"
		" description = IF(?, ?, description),"
		" attributes = COALESCE(?, attributes),"
		" low_stock_threshold = IF(?, ?, low_stock_threshold),"
		" low_stock_alerted = low_stock_alerted"
		"  AND low_stock_threshold IS NOT NULL,"
		" version = version + 1 WHERE id = ?",
	[Q_PRODUCT_RETIRE] = "UPDATE products SET retired_at = UTC_TIMESTAMP(6),"
		" version = version + 1 WHERE id = ? AND retired_at IS NULL",
	/* Orders take stock without a version bump, so does this: a count
	 * that would leave the range changes nothing (CHECK stock >= 0). */
	[Q_PRODUCT_STOCK] = "UPDATE products SET stock = stock + ?"
		" WHERE id = ? AND retired_at IS NULL"
		" AND stock + ? BETWEEN 0 AND " STOCK_MAX_S,
	[Q_PRODUCT_LIVE] = "SELECT stock FROM products"
		" WHERE id = ? AND retired_at IS NULL",
	[Q_COMPAT_CLEAR] = "DELETE FROM product_compat WHERE accessory_id = ?",
	[Q_COMPAT_ADD] = "INSERT INTO product_compat (accessory_id, product_id)"
		" SELECT ?, id FROM products WHERE id = ? AND id <> ?"
		" AND retired_at IS NULL",
	[Q_BRAND] = "SELECT " BRAND_COLS " FROM brands b WHERE b.id = ?",
	[Q_BRAND_BY_NAME] = "SELECT id FROM brands WHERE name = ?",
	[Q_BRAND_EXISTS] = "SELECT COUNT(*) FROM brands WHERE id = ?",
	[Q_BRANDS] = "SELECT " BRAND_COLS " FROM brands b ORDER BY b.name",
	[Q_BRAND_INSERT] = "INSERT INTO brands (name) VALUES (?)",
	[Q_BRAND_UPDATE] = "UPDATE brands SET name = ? WHERE id = ?",
	/* A brand that products (even retired ones) name cannot go: the
	 * foreign key refuses, and that is a 409. */
	[Q_BRAND_DELETE] = "DELETE FROM brands WHERE id = ?",
	/* Low stock (sql/014): the flag says this crossing was announced.
	 * Both run on the row the caller's change has locked already. */
	[Q_LOW_CLEAR] = "UPDATE products SET low_stock_alerted = 0"
		" WHERE id = ? AND low_stock_alerted = 1"
		" AND (low_stock_threshold IS NULL"
		"  OR stock >= low_stock_threshold)",
	[Q_LOW_MARK] = "UPDATE products SET low_stock_alerted = 1"
		" WHERE id = ? AND low_stock_alerted = 0"
		" AND retired_at IS NULL AND stock < low_stock_threshold",
	[Q_LOW_READ] = "SELECT name, stock, low_stock_threshold FROM products"
		" WHERE id = ?",
};

static const char *const kinds[] = {
	"phone", "laptop", "accessory", "sound_device", "other",
};

static bool
in_list(const char *s, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(s, list[i]))
			return true;
	return false;
}

static char *
sid(struct req *r, long long id)
{
	return req_printf(r, "%lld", id);
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

/* ---- products: reading -------------------------------------------------- */

static json_object *
product_json(const struct db_rows *rows)
{
	json_object *o = json_object_new_object();
	json_object *attrs = json_tokener_parse(db_col(rows, 10));

	json_object_object_add(o, "product_id", json_id(db_col_int(rows, 0)));
	json_object_object_add(o, "kind", json_object_new_string(db_col(rows, 1)));
	json_object_object_add(o, "brand_id", db_col(rows, 2)
			       ? json_id(db_col_int(rows, 2)) : NULL);
	json_object_object_add(o, "brand", json_str_or_null(db_col(rows, 3)));
	json_object_object_add(o, "name", json_object_new_string(db_col(rows, 4)));
	json_object_object_add(o, "price",
			       json_object_new_int64(db_col_int(rows, 5)));
	json_object_object_add(o, "stock",
			       json_object_new_int64(db_col_int(rows, 6)));
	json_object_object_add(o, "status",
			       json_object_new_string(db_col(rows, 7)));
	json_object_object_add(o, "image_url", json_str_or_null(db_col(rows, 8)));
	json_object_object_add(o, "description",
			       json_str_or_null(db_col(rows, 9)));
	json_object_object_add(o, "attributes",
			       attrs ? attrs : json_object_new_object());
	json_object_object_add(o, "version",
			       json_object_new_int64(db_col_int(rows, 11)));
	json_object_object_add(o, "created_at", json_time(db_col(rows, 12)));
	json_object_object_add(o, "updated_at", json_time(db_col(rows, 13)));
	json_object_object_add(o, "retired_at", json_time(db_col(rows, 14)));
	json_object_object_add(o, "rating_count",
			       json_object_new_int64(db_col_int(rows, 15)));
	json_object_object_add(o, "rating_average", json_rating(db_col(rows, 16)));
	json_object_object_add(o, "low_stock_threshold", db_col(rows, 17)
			       ? json_object_new_int64(db_col_int(rows, 17))
			       : NULL);
	json_object_object_add(o, "low_stock", json_object_new_boolean(
		db_col(rows, 17) && db_col_int(rows, 6) < db_col_int(rows, 17)));
	return o;
}

/* [{"product_id", "name"}] from a two-column query on id. */
static enum err
product_refs(struct req *r, const char *q, long long id, json_object **out)
{
	struct db_rows *rows;
	enum err e = db_query(r->db, q, DB_P(db_int(id)), 2, &rows);

	if (e != ERR_OK)
		return e;
	*out = json_object_new_array();
	while (db_next(rows)) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "product_id",
				       json_id(db_col_int(rows, 0)));
		json_object_object_add(o, "name",
				       json_object_new_string(db_col(rows, 1)));
		json_object_array_add(*out, o);
	}
	e = db_rows_err(rows);
	db_rows_free(rows);
	return e;
}

/* Product id with its compatibility lists, as a new object in *out. */
static enum err
product_load(struct req *r, long long id, json_object **out)
{
	json_object *acc = NULL, *fits = NULL;
	enum err e = req_row_json(r, sql[Q_PRODUCT], DB_P(db_int(id)),
				  PRODUCT_NCOLS, ERR_PRODUCT_NOT_FOUND,
				  product_json, out);

	if (e != ERR_OK)
		return e;
	e = product_refs(r, sql[Q_ACCESSORIES_OF], id, &acc);
	if (e == ERR_OK)
		e = product_refs(r, sql[Q_FITS], id, &fits);
	if (*out) {
		json_object_object_add(*out, "compatible_accessories", acc);
		json_object_object_add(*out, "compatible_with", fits);
	}
	if (e != ERR_OK) {
		json_object_put(*out);
		*out = NULL;
	}
	return e;
}

static enum err
reply_product(struct req *r, long long id)
{
	json_object *p;
	enum err e = product_load(r, id, &p);

	if (e == ERR_OK)
		json_object_object_add(req_reply(r), "product", p);
	return e;
}

struct filter {
	const char *retired;	/* "false" (on sale), "true" or "all" */
	const char *kind, *brand, *like, *sort;
	struct db_param brand_id, min, max;
	int in_stock;
};

/* "%q%" with LIKE's own wildcards escaped. */
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

/* An optional integer query parameter as a bound value (NULL if absent). */
static enum err
query_param(struct req *r, const char *name, long long min,
	    struct db_param *out)
{
	long long v;
	enum err e;

	*out = db_null();
	if (!req_query(r, name))
		return ERR_OK;
	e = req_query_int(r, name, 0, min, INT64_MAX, &v);
	if (e == ERR_OK)
		*out = db_int(v);
	return e;
}

static enum err
flag_param(struct req *r, const char *name, int *out)
{
	const char *s = req_query(r, name);

	*out = 0;
	if (!s || !strcmp(s, "0") || !strcmp(s, "false"))
		return ERR_OK;
	if (!strcmp(s, "1") || !strcmp(s, "true")) {
		*out = 1;
		return ERR_OK;
	}
	return req_fail(r, ERR_BAD_QUERY, "%s must be true or false", name);
}

/* ?retired=false (the default: what is on sale), true or all: retired
 * products are listed to admins only (the shop's lists are on sale). */
static enum err
retired_read(struct req *r, const char **out)
{
	const char *s = req_query(r, "retired");

	*out = "false";
	if (!s || !*s || !strcmp(s, "false"))
		return ERR_OK;
	if (strcmp(s, "true") && strcmp(s, "all"))
		return req_fail(r, ERR_BAD_QUERY,
				"retired must be false, true or all");
	if (r->user.role != ROLE_ADMIN)
		return req_fail(r, ERR_FORBIDDEN,
				"Only admins list retired products");
	*out = s;
	return ERR_OK;
}

static enum err
filter_read(struct req *r, const char *kind, struct filter *f)
{
	static const char *const sorts[] = {
		"id", "price", "-price", "name", "-name", "newest", "stock",
		"-stock",
	};
	const char *q = req_query(r, "q");
	enum err e;

	e = retired_read(r, &f->retired);
	if (e != ERR_OK)
		return e;
	f->kind = kind ? kind : req_query(r, "kind");
	if (f->kind && !in_list(f->kind, kinds, ARRAY_SIZE(kinds)))
		return ERR_PRODUCT_KIND_INVALID;
	f->sort = req_query(r, "sort");
	if (f->sort && !in_list(f->sort, sorts, ARRAY_SIZE(sorts)))
		return ERR_PRODUCT_SORT_INVALID;
	f->brand = req_query(r, "brand");
	f->like = q && *q ? like_pattern(r, q) : NULL;
	e = query_param(r, "brand_id", 1, &f->brand_id);
	if (e == ERR_OK)
		e = query_param(r, "min_price", 0, &f->min);
	if (e == ERR_OK)
		e = query_param(r, "max_price", 0, &f->max);
	if (e == ERR_OK)
		e = flag_param(r, "in_stock", &f->in_stock);
	return e;
}

/* Fills p[0..FILTER_NPARAMS) in PRODUCT_FILTER's order. */
static void
filter_params(const struct filter *f, struct db_param *p)
{
	const struct db_param all[FILTER_NPARAMS] = {
		db_str(f->retired), db_str(f->kind), db_str(f->kind),
		db_str(f->brand), db_str(f->brand), f->brand_id, f->brand_id,
		f->min, f->min, f->max, f->max, db_int(f->in_stock),
		db_str(f->like), db_str(f->like), db_str(f->like),
	};

	memcpy(p, all, sizeof(all));
}

/* How a list of products is answered: the reply's key, one product's
 * shape, and whether it comes whole when ?limit= is absent (a page
 * without paging) rather than 50 at a time. */
struct product_view {
	const char *key;
	row_json_fn row;
	bool whole;
};

static enum err
products_page(struct req *r, const struct filter *f,
	      const struct product_view *view, long long limit,
	      long long offset)
{
	struct db_param p[FILTER_NPARAMS + SORT_NPARAMS + 2];
	const char *s = f->sort ? f->sort : "id";
	json_object *arr = json_object_new_array();
	struct db_rows *rows;
	size_t i;
	enum err e;

	json_object_object_add(req_reply(r), view->key, arr);
	filter_params(f, p);
	for (i = 0; i < SORT_NPARAMS; i++)
		p[FILTER_NPARAMS + i] = db_str(s);
	p[FILTER_NPARAMS + SORT_NPARAMS] = db_int(limit);
	p[FILTER_NPARAMS + SORT_NPARAMS + 1] = db_int(offset);
	e = db_query(r->db, sql[Q_PRODUCTS], p, ARRAY_SIZE(p), PRODUCT_NCOLS,
		     &rows);
	if (e != ERR_OK)
		return e;
	while (db_next(rows))
		json_object_array_add(arr, view->row(rows));
	e = db_rows_err(rows);
	db_rows_free(rows);
	return e;
}

static enum err
products_list(struct req *r, const char *kind,
	      const struct product_view *view)
{
	struct filter f = { 0 };
	struct db_param p[FILTER_NPARAMS];
	long long limit, offset, total;
	enum err e = filter_read(r, kind, &f);

	if (e == ERR_OK)
		e = req_paging(r, &limit, &offset);
	if (e == ERR_OK && view->whole && !req_query(r, "limit"))
		limit = SITE_LIMIT;
	if (e == ERR_OK)
		e = products_page(r, &f, view, limit, offset);
	if (e != ERR_OK)
		return e;
	filter_params(&f, p);
	e = db_query_int(r->db, sql[Q_PRODUCTS_COUNT], p, ARRAY_SIZE(p), ERR_OK, &total);
	if (e == ERR_OK)
		json_object_object_add(req_reply(r), "total",
				       json_object_new_int64(total));
	return e;
}

static const struct product_view api_view = { "products", product_json };

static enum err
catalog_products(struct req *r)
{
	return products_list(r, NULL, &api_view);
}

static enum err
catalog_accessories(struct req *r)
{
	return products_list(r, "accessory", &api_view);
}

static enum err
catalog_sound_devices(struct req *r)
{
	return products_list(r, "sound_device", &api_view);
}

static enum err
catalog_product(struct req *r)
{
	long long id;
	enum err e = path_id(r, ERR_PRODUCT_NOT_FOUND, &id);

	return e != ERR_OK ? e : reply_product(r, id);
}

/* ---- low stock ------------------------------------------------------------ */

/* Tells admins of product id's crossing (sql/014): fields product_name,
 * product_id, stock, threshold. */
static enum err
stock_low_notify(struct db *db, long long id)
{
	struct db_rows *row;
	json_object *f;
	char sid[24];
	enum err e = db_row(db, sql[Q_LOW_READ], DB_P(db_int(id)), 3,
			    ERR_INTERNAL, &row);

	if (e != ERR_OK)
		return e;
	snprintf(sid, sizeof(sid), "%lld", id);
	f = json_object_new_object();
	json_object_object_add(f, "product_name",
			       json_object_new_string(db_col(row, 0)));
	json_object_object_add(f, "product_id", json_object_new_string(sid));
	json_object_object_add(f, "stock", json_object_new_string(db_col(row, 1)));
	json_object_object_add(f, "threshold",
			       json_object_new_string(db_col(row, 2)));
	db_rows_free(row);
	e = notify(db, &(struct notice){ .kind = NK_STOCK_LOW, .fields = f,
					 .staff = ROLE_ADMIN }, NULL);
	json_object_put(f);
	return e;
}

enum err
catalog_stock_watch(struct db *db, long long id)
{
	struct db_result res = { 0 };
	enum err e = db_exec(db, sql[Q_LOW_CLEAR], DB_P(db_int(id)), NULL);

	if (e == ERR_OK)
		e = db_exec(db, sql[Q_LOW_MARK], DB_P(db_int(id)), &res);
	if (e == ERR_OK && res.affected == 1)
		e = stock_low_notify(db, id);
	return e;
}

/* ---- products: admin writes --------------------------------------------- */

enum {
	P_KIND, P_BRAND_ID, P_BRAND, P_NAME, P_PRICE, P_STOCK, P_STATUS,
	P_IMAGE, P_DESCRIPTION, P_ATTRIBUTES, P_COMPAT, P_VERSION,
	P_THRESHOLD,
};

static const struct field product_spec[] = {
	[P_KIND] = { "kind", FT_STRING, F_TRIM, .max = 16 },
	[P_BRAND_ID] = { "brand_id", FT_ID, F_NULLABLE },
	[P_BRAND] = { "brand", FT_STRING, F_TRIM | F_NULLABLE, .max = 100 },
	[P_NAME] = { "name", FT_STRING, F_TRIM, .min = 1, .max = 200 },
	[P_PRICE] = { "price", FT_INT, 0, .min = 0, .max = 1000000000000LL },
	[P_STOCK] = { "stock", FT_INT, 0, .min = 0, .max = STOCK_MAX },
	[P_STATUS] = { "status", FT_STRING, 0, .max = 8 },
	[P_IMAGE] = { "image_url", FT_STRING, F_TRIM | F_NULLABLE,
		      .max = 2048 },
	[P_DESCRIPTION] = { "description", FT_STRING, F_NULLABLE,
			    .max = 5000 },
	[P_ATTRIBUTES] = { "attributes", FT_OBJECT, 0 },
	[P_COMPAT] = { "compatible_with", FT_ARRAY, 0, .max = 200 },
	[P_VERSION] = { "version", FT_INT, F_META, .min = 1,
			.max = UINT32_MAX },
	[P_THRESHOLD] = { "low_stock_threshold", FT_INT, F_NULLABLE,
			  .min = 0, .max = STOCK_MAX },
};

struct product_in {
	const struct field_value *v;	/* product_spec (r->vals) */
	bool brand_set;			/* brand_id or brand was sent */
	struct db_param brand;		/* resolved brand id or NULL */
	const char *attributes;		/* JSON text or NULL */
};

static const char *
opt_str(const struct field_value *v)
{
	return v->set && !v->is_null ? v->s : NULL;
}

/* Resolves brand_id or brand (a name) to an existing brand. */
static enum err
brand_resolve(struct req *r, struct product_in *in)
{
	const struct field_value *id = &in->v[P_BRAND_ID];
	const struct field_value *name = &in->v[P_BRAND];
	long long found = 0;
	enum err e = ERR_OK;

	in->brand = db_null();
	in->brand_set = id->set || name->set;
	if (id->set && !id->is_null)
		e = db_query_int(r->db, sql[Q_BRAND_EXISTS],
			      DB_P(db_int(id->i)), ERR_OK, &found);
	else if (name->set && !name->is_null && *name->s)
		e = db_query_int(r->db, sql[Q_BRAND_BY_NAME], DB_P(db_str(name->s)), ERR_OK,
			      &found);
	else
		return ERR_OK;
	if (e == ERR_OK && !found)
		return ERR_BRAND_NOT_FOUND;
	in->brand = db_int(id->set && !id->is_null ? id->i : found);
	return e;
}

/* Checks the fields the router read (product_spec) and resolves the brand
 * they name. */
static enum err
product_read(struct req *r, struct product_in *in, bool create)
{
	const struct field_value *v = r->vals;

	in->v = v;
	if (create && (!v[P_KIND].set || !v[P_NAME].set || !v[P_PRICE].set))
		return req_fail(r, ERR_FIELD_MISSING,
				"kind, name and price are required");
	if (v[P_KIND].set && !in_list(v[P_KIND].s, kinds, ARRAY_SIZE(kinds)))
		return ERR_PRODUCT_KIND_INVALID;
	if (v[P_STATUS].set && strcmp(v[P_STATUS].s, "new") &&
	    strcmp(v[P_STATUS].s, "used"))
		return ERR_PRODUCT_STATUS_INVALID;
	if (v[P_ATTRIBUTES].set)
		in->attributes = json_object_to_json_string_ext(
			v[P_ATTRIBUTES].o, JSON_C_TO_STRING_PLAIN);
	return brand_resolve(r, in);
}

/* Replaces accessory id's list of products it fits. */
static enum err
compat_set(struct req *r, long long id, json_object *list)
{
	size_t i, n = json_object_array_length(list);
	enum err e = db_exec(r->db, sql[Q_COMPAT_CLEAR], DB_P(db_int(id)), NULL);

	for (i = 0; i < n && e == ERR_OK; i++) {
		static const struct field f = { "compatible_with", FT_ID, 0 };
		struct field_value v;
		struct db_result res = { 0 };
		json_object *wrap = json_object_new_object();

		json_object_object_add(wrap, f.name, json_object_get(
			json_object_array_get_idx(list, i)));
		e = body_fields(r, wrap, &f, 1, &v);
		json_object_put(wrap);
		if (e == ERR_OK)
			e = db_exec(r->db, sql[Q_COMPAT_ADD], DB_P(db_int(id),
				    db_int(v.i), db_int(id)), &res);
		if (e == ERR_DUPLICATE)
			e = ERR_OK;	/* named twice */
		else if (e == ERR_OK && res.affected == 0)
			e = req_fail(r, ERR_PRODUCT_NOT_FOUND,
				     "Product %lld in compatible_with not found",
				     v.i);
	}
	return e;
}

/* Compatibility after a write: only accessories name what they fit. */
static enum err
compat_apply(struct req *r, long long id, const char *kind,
	     const struct product_in *in)
{
	bool accessory = !strcmp(kind, "accessory");

	if (in->v[P_COMPAT].set && !accessory)
		return ERR_PRODUCT_COMPAT_INVALID;
	if (!accessory)
		return db_exec(r->db, sql[Q_COMPAT_CLEAR], DB_P(db_int(id)),
			       NULL);
	if (in->v[P_COMPAT].set)
		return compat_set(r, id, in->v[P_COMPAT].o);
	return ERR_OK;
}

/* The threshold sent, or NULL (none, or none sent). */
static struct db_param
threshold(const struct field_value *v)
{
	return v->set && !v->is_null ? db_int(v->i) : db_null();
}

static enum err
product_insert(struct req *r, const struct product_in *in, long long *id)
{
	const struct field_value *v = in->v;
	struct db_result res = { 0 };
	enum err e = db_exec(r->db, sql[Q_PRODUCT_INSERT], DB_P(
		db_str(v[P_KIND].s), in->brand, db_str(v[P_NAME].s),
		db_int(v[P_PRICE].i), db_int(v[P_STOCK].set ? v[P_STOCK].i : 0),
		db_str(opt_str(&v[P_STATUS])), db_str(opt_str(&v[P_IMAGE])),
		db_str(opt_str(&v[P_DESCRIPTION])), db_str(in->attributes),
		threshold(&v[P_THRESHOLD])), &res);

	*id = (long long)res.insert_id;
	return e;
}

/* One product write: the input, its id, the kind it had. */
struct product_write {
	const struct product_in *in;
	long long id;
	char kind[16];
};

static enum err
product_create_tx(struct req *r, void *arg)
{
	struct product_write *w = arg;
	enum err e = product_insert(r, w->in, &w->id);

	if (e == ERR_OK)
		e = compat_apply(r, w->id, w->in->v[P_KIND].s, w->in);
	if (e == ERR_OK)
		e = catalog_stock_watch(r->db, w->id);
	if (e == ERR_OK)
		e = audit_write(r->db, r, r->user.id, "product.create",
				"product", sid(r, w->id), NULL);
	return e;
}

static enum err
catalog_product_create(struct req *r)
{
	struct product_in in = { 0 };
	struct product_write w = { .in = &in };
	enum err e = product_read(r, &in, true);

	if (e == ERR_OK)
		e = req_txn(r, product_create_tx, &w);
	return e != ERR_OK ? e : reply_product(r, w.id);
}

/* Locks product id (not retired) and checks the client's version. */
static enum err
product_lock(struct req *r, long long id, const struct field_value *version,
	     char *kind, size_t kind_cap)
{
	struct db_rows *row;
	long long current;
	enum err e = db_row(r->db, sql[Q_PRODUCT_LOCK], DB_P(db_int(id)), 2,
			    ERR_PRODUCT_NOT_FOUND, &row);

	if (!row)
		return e;
	snprintf(kind, kind_cap, "%s", db_col(row, 0));
	current = db_col_int(row, 1);
	db_rows_free(row);
	if (version->set && version->i != current) {
		req_fail_extra(r, "version", json_object_new_int64(current));
		return ERR_PRODUCT_STALE;
	}
	return ERR_OK;
}

static enum err
product_update(struct req *r, long long id, const struct product_in *in)
{
	const struct field_value *v = in->v;

	return db_exec(r->db, sql[Q_PRODUCT_UPDATE], DB_P(
		db_str(opt_str(&v[P_KIND])), db_int(in->brand_set), in->brand,
		db_str(opt_str(&v[P_NAME])),
		v[P_PRICE].set ? db_int(v[P_PRICE].i) : db_null(),
		v[P_STOCK].set ? db_int(v[P_STOCK].i) : db_null(),
		db_str(opt_str(&v[P_STATUS])),
		db_int(v[P_IMAGE].set), db_str(opt_str(&v[P_IMAGE])),
		db_int(v[P_DESCRIPTION].set), db_str(opt_str(&v[P_DESCRIPTION])),
		db_str(in->attributes), db_int(v[P_THRESHOLD].set),
		threshold(&v[P_THRESHOLD]), db_int(id)), NULL);
}

/* The audit entry's details of an edit: each field sent, as sent. */
static json_object *
product_changes(struct req *r, const struct product_in *in)
{
	json_object *d = json_object_new_object(), *v;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(product_spec); i++) {
		if (!in->v[i].set || i == P_VERSION)
			continue;
		if (json_object_object_get_ex(r->json, product_spec[i].name, &v))
			json_object_object_add(d, product_spec[i].name,
					       json_object_get(v));
	}
	return d;
}

static enum err
product_update_tx(struct req *r, void *arg)
{
	struct product_write *w = arg;
	const struct product_in *in = w->in;
	enum err e = product_lock(r, w->id, &in->v[P_VERSION], w->kind,
				  sizeof(w->kind));

	if (e == ERR_OK)
		e = product_update(r, w->id, in);
	if (e == ERR_OK)
		e = compat_apply(r, w->id, in->v[P_KIND].set ? in->v[P_KIND].s
				 : w->kind, in);
	if (e == ERR_OK)
		e = catalog_stock_watch(r->db, w->id);
	if (e == ERR_OK)
		e = audit_write(r->db, r, r->user.id, "product.update",
				"product", sid(r, w->id), product_changes(r, in));
	return e;
}

static enum err
catalog_product_update(struct req *r)
{
	struct product_in in = { 0 };
	struct product_write w = { .in = &in };
	enum err e = path_id(r, ERR_PRODUCT_NOT_FOUND, &w.id);

	if (e == ERR_OK)
		e = product_read(r, &in, false);
	if (e == ERR_OK)
		e = body_changes(r, product_spec, in.v);
	if (e == ERR_OK)
		e = req_txn(r, product_update_tx, &w);
	return e != ERR_OK ? e : reply_product(r, w.id);
}

/* One statement on row id plus its audit entry: create, edit, retire,
 * delete.  When nothing changed, missing (ERR_OK: no check); without an
 * id the row is the one the statement inserted. */
struct row_write {
	const char *sql;
	const struct db_param *p;
	size_t np;
	enum err missing;
	const char *action, *entity;
	long long id;
	json_object *details;	/* owned until audited */
	struct db_result res;
};

static enum err
row_write_tx(struct req *r, void *arg)
{
	struct row_write *w = arg;
	long long id = w->id;
	enum err e = db_exec(r->db, w->sql, w->p, w->np, &w->res);

	if (e == ERR_OK && w->res.affected == 0 && w->missing != ERR_OK)
		e = w->missing;
	if (e != ERR_OK)
		return e;
	if (!id)
		id = (long long)w->res.insert_id;
	return audit_write(r->db, r, r->user.id, w->action, w->entity,
			   sid(r, id), json_object_get(w->details));
}

static enum err
row_write(struct req *r, struct row_write *w)
{
	enum err e = req_txn(r, row_write_tx, w);

	json_object_put(w->details);
	w->details = NULL;
	return e;
}

/* Retires: the product leaves the catalog, old orders keep it. */
static enum err
catalog_product_retire(struct req *r)
{
	struct row_write w = { .sql = sql[Q_PRODUCT_RETIRE], .np = 1,
			       .missing = ERR_PRODUCT_NOT_FOUND,
			       .action = "product.retire", .entity = "product" };
	struct db_param p[1];
	enum err e = path_id(r, ERR_PRODUCT_NOT_FOUND, &w.id);

	if (e != ERR_OK)
		return e;
	p[0] = db_int(w.id);
	w.p = p;
	return row_write(r, &w);
}

/* One stock count change: units in (a delivery) or out (damaged, lost). */
struct stock_change {
	long long id, delta;
	const char *reason;
};

static enum err
stock_change_tx(struct req *r, void *arg)
{
	const struct stock_change *c = arg;
	struct db_result res = { 0 };
	json_object *d;
	long long now = 0;
	enum err e = db_exec(r->db, sql[Q_PRODUCT_STOCK], DB_P(db_int(c->delta),
			     db_int(c->id), db_int(c->delta)), &res);

	if (e == ERR_OK)
		e = db_query_int(r->db, sql[Q_PRODUCT_LIVE], DB_P(db_int(c->id)),
				 ERR_PRODUCT_NOT_FOUND, &now);
	if (e != ERR_OK)
		return e;
	if (res.affected == 0)
		req_fail_extra(r, "field", json_object_new_string("delta"));
	if (res.affected == 0 && c->delta > 0)
		return req_fail(r, ERR_FIELD_INVALID, "Stock cannot go above %d"
				" (%lld now)", STOCK_MAX, now);
	if (res.affected == 0) {
		req_fail_extra(r, "stock", json_object_new_int64(now));
		return req_fail(r, ERR_STOCK_NEGATIVE, "Only %lld in stock:"
				" %lld cannot be removed", now, -c->delta);
	}
	e = catalog_stock_watch(r->db, c->id);
	if (e != ERR_OK)
		return e;
	d = json_object_new_object();
	json_object_object_add(d, "delta", json_object_new_int64(c->delta));
	json_object_object_add(d, "stock", json_object_new_int64(now));
	json_object_object_add(d, "reason", json_str_or_null(c->reason));
	return audit_write(r->db, r, r->user.id, "product.stock", "product",
			   sid(r, c->id), d);
}

static const struct field stock_spec[] = {
	{ "delta", FT_INT, F_REQUIRED, .min = -STOCK_MAX, .max = STOCK_MAX },
	{ "reason", FT_STRING, F_TRIM | F_NULLABLE, .max = 200 },
};

/* POST /api/products/{id}/stock {delta, reason?}: adds (or, negative,
 * removes) units; the version stays, as when an order takes stock. */
static enum err
catalog_product_stock(struct req *r)
{
	const struct field_value *v = r->vals;
	struct stock_change c = { 0 };
	enum err e = path_id(r, ERR_PRODUCT_NOT_FOUND, &c.id);

	if (e == ERR_OK && v[0].i == 0)
		e = req_fail(r, ERR_FIELD_INVALID, "delta must not be 0");
	if (e != ERR_OK)
		return e;
	c.delta = v[0].i;
	c.reason = v[1].set && !v[1].is_null && *v[1].s ? v[1].s : NULL;
	e = req_txn(r, stock_change_tx, &c);
	return e != ERR_OK ? e : reply_product(r, c.id);
}

/* ---- brands ------------------------------------------------------------- */

static json_object *
brand_json(const struct db_rows *rows)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "brand_id", json_id(db_col_int(rows, 0)));
	json_object_object_add(o, "name", json_object_new_string(db_col(rows, 1)));
	json_object_object_add(o, "created_at", json_time(db_col(rows, 2)));
	json_object_object_add(o, "product_count",
			       json_object_new_int64(db_col_int(rows, 3)));
	json_object_object_add(o, "retired_product_count",
			       json_object_new_int64(db_col_int(rows, 4)));
	return o;
}

static enum err
reply_brand(struct req *r, long long id)
{
	return req_reply_row(r, "brand", sql[Q_BRAND], DB_P(db_int(id)),
			     BRAND_NCOLS,
			     ERR_BRAND_NOT_FOUND, brand_json);
}

static enum err
catalog_brands(struct req *r)
{
	struct db_rows *rows;
	json_object *arr;
	enum err e = db_query(r->db, sql[Q_BRANDS], DB_NONE, BRAND_NCOLS,
			      &rows);

	if (e != ERR_OK)
		return e;
	arr = json_object_new_array();
	json_object_object_add(req_reply(r), "brands", arr);
	while (db_next(rows))
		json_object_array_add(arr, brand_json(rows));
	e = db_rows_err(rows);
	db_rows_free(rows);
	return e;
}

static enum err
catalog_brand(struct req *r)
{
	long long id;
	enum err e = path_id(r, ERR_BRAND_NOT_FOUND, &id);

	return e != ERR_OK ? e : reply_brand(r, id);
}

static const struct field brand_spec[] = {
	{ "name", FT_STRING, F_REQUIRED | F_TRIM, .max = 100 },
};

struct brand_write {
	const char *name;
	bool create;
	long long id;
};

/* Inserts (id 0) or renames brand id, audited (in req_txn). */
static enum err
brand_write_tx(struct req *r, void *arg)
{
	struct brand_write *w = arg;
	struct db_result res = { 0 };
	bool create = w->create;
	enum err e;

	if (create)
		e = db_exec(r->db, sql[Q_BRAND_INSERT], DB_P(db_str(w->name)),
			    &res);
	else
		e = db_exec(r->db, sql[Q_BRAND_UPDATE], DB_P(db_str(w->name),
			    db_int(w->id)), &res);
	if (e == ERR_DUPLICATE)
		return ERR_BRAND_EXISTS;
	if (e != ERR_OK)
		return e;
	if (create)
		w->id = (long long)res.insert_id;
	return audit_write(r->db, r, r->user.id, create ? "brand.create"
			   : "brand.update", "brand", sid(r, w->id),
			   json_object_new_string(w->name));
}

/* Creates (*id 0) or renames brand *id with the name the router read
 * (brand_spec). */
static enum err
brand_write(struct req *r, long long *id)
{
	struct brand_write w = { .create = !*id, .id = *id,
				 .name = r->vals[0].s };
	enum err e = req_txn(r, brand_write_tx, &w);

	*id = w.id;
	return e;
}

static enum err
catalog_brand_create(struct req *r)
{
	long long id = 0;
	enum err e = brand_write(r, &id);

	return e != ERR_OK ? e : reply_brand(r, id);
}

static enum err
catalog_brand_update(struct req *r)
{
	long long id, n = 0;
	enum err e = path_id(r, ERR_BRAND_NOT_FOUND, &id);

	if (e == ERR_OK)
		e = db_query_int(r->db, sql[Q_BRAND_EXISTS],
			      DB_P(db_int(id)), ERR_OK, &n);
	if (e == ERR_OK && !n)
		e = ERR_BRAND_NOT_FOUND;
	if (e == ERR_OK)
		e = brand_write(r, &id);
	return e != ERR_OK ? e : reply_brand(r, id);
}

static enum err
catalog_brand_delete(struct req *r)
{
	struct row_write w = { .sql = sql[Q_BRAND_DELETE], .np = 1,
			       .missing = ERR_BRAND_NOT_FOUND,
			       .action = "brand.delete", .entity = "brand" };
	struct db_param p[1];
	enum err e = path_id(r, ERR_BRAND_NOT_FOUND, &w.id);

	if (e != ERR_OK)
		return e;
	p[0] = db_int(w.id);
	w.p = p;
	e = row_write(r, &w);
	return e == ERR_CONFLICT ? ERR_BRAND_IN_USE : e;
}

/* ---- the ElectroPorts site ---------------------------------------------- */

/* A price in minor units as the ElectroPorts pages show it, in whole units
 * (79900 -> 799, 2499 -> 24.99), written exactly. */
static json_object *
json_price_units(long long cents)
{
	char s[32];

	if (cents % 100 == 0)
		return json_object_new_int64(cents / 100);
	if (cents % 10 == 0)
		snprintf(s, sizeof(s), "%lld.%lld", cents / 100,
			 cents % 100 / 10);
	else
		snprintf(s, sizeof(s), "%lld.%02lld", cents / 100, cents % 100);
	return json_object_new_double_s((double)cents / 100, s);
}

/* One product as the ElectroPorts pages read it: id, name (a string: its
 * search lower-cases it), price in whole units, description, and the
 * picture under image_key: "image_url" on phones, "image" on the other
 * kinds (its cart shows whichever it finds, both if both were sent). */
static json_object *
product_json_site(const struct db_rows *rows, const char *image_key)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_id(db_col_int(rows, 0)));
	json_object_object_add(o, "name", json_object_new_string(db_col(rows, 4)));
	json_object_object_add(o, "price", json_price_units(db_col_int(rows, 5)));
	json_object_object_add(o, "description",
			       json_str_or_null(db_col(rows, 9)));
	json_object_object_add(o, image_key, json_str_or_null(db_col(rows, 8)));
	json_object_object_add(o, "brand", json_str_or_null(db_col(rows, 3)));
	json_object_object_add(o, "status",
			       json_object_new_string(db_col(rows, 7)));
	json_object_object_add(o, "stock",
			       json_object_new_int64(db_col_int(rows, 6)));
	return o;
}

static json_object *
phone_json_site(const struct db_rows *rows)
{
	return product_json_site(rows, "image_url");
}

static json_object *
item_json_site(const struct db_rows *rows)
{
	return product_json_site(rows, "image");
}

static const struct product_view phones_view = {
	"phones", phone_json_site, true };
static const struct product_view laptops_view = {
	"laptops", item_json_site, true };
static const struct product_view sound_devices_view = {
	"sound_devices", item_json_site, true };
static const struct product_view accessories_view = {
	"accessories", item_json_site, true };

static enum err
catalog_site_phones(struct req *r)
{
	return products_list(r, "phone", &phones_view);
}

static enum err
catalog_site_laptops(struct req *r)
{
	return products_list(r, "laptop", &laptops_view);
}

static enum err
catalog_site_sound_devices(struct req *r)
{
	return products_list(r, "sound_device", &sound_devices_view);
}

static enum err
catalog_site_accessories(struct req *r)
{
	return products_list(r, "accessory", &accessories_view);
}

#define EP PROFILE_BIT(PROFILE_ELECTROPORTS)

/* What product_json writes; product_load adds the compatibility lists
 * (one product, not in lists). */
const struct schema_def catalog_schemas[] = {
	{ "Product", "{product_id: id, kind: string, brand_id: id?, "
	  "brand: string?, name: string, price: int, stock: int, "
	  "status: string, image_url: string?, description: string?, "
	  "attributes: object, version: int, created_at: time, "
	  "updated_at: time, retired_at: time?, rating_count: int, "
	  "rating_average: number?, low_stock_threshold: int?, "
	  "low_stock: bool, compatible_accessories?: [ProductRef], "
	  "compatible_with?: [ProductRef]}" },
	{ "ProductRef", "{product_id: id, name: string}" },
	{ "Brand", "{brand_id: id, name: string, created_at: time, "
	  "product_count: int, retired_product_count: int}" },
	/* product_json_site: the price in whole units, the picture as
	 * image_url (phones) or image (the other kinds) */
	{ "SitePhone", "{id: id, name: string, price: number, "
	  "description: string?, image_url: string?, brand: string?, "
	  "status: string, stock: int}" },
	{ "SiteProduct", "{id: id, name: string, price: number, "
	  "description: string?, image: string?, brand: string?, "
	  "status: string, stock: int}" },
	{ NULL, NULL },
};

/* A list's filters (filter_read), shared by every list of products. */
#define FILTER_QUERY \
	{ "brand", "string", "A brand's name" }, \
	{ "brand_id", "integer", "A brand's id" }, \
	{ "q", "string", "Part of the name or the description" }, \
	{ "min_price", "integer", "Lowest price, in minor units" }, \
	{ "max_price", "integer", "Highest price, in minor units" }, \
	{ "in_stock", "boolean", "Only products in stock (true or 1)" }, \
	{ "sort", "string", "id (the default), price, -price, name, -name, " \
	  "newest, stock or -stock" }, \
	{ "retired", "string", "false (the default: on sale), true or all; " \
	  "true and all are for admins" }

static const struct qparam products_query[] = {
	{ "kind", "string", "phone, laptop, accessory, sound_device or other" },
	FILTER_QUERY,
	QP_LIMIT,
	QP_OFFSET,
	{ NULL },
};

/* The lists of one kind: no ?kind=. */
#define KIND_QUERY (products_query + 1)

static const struct qparam site_query[] = {
	FILTER_QUERY,
	{ "limit", "integer", "1 to 500 (default: the whole list, up to 500)" },
	QP_OFFSET,
	{ NULL },
};

#define PRODUCT_WRITE_ERRORS \
	ERR_PRODUCT_KIND_INVALID, ERR_PRODUCT_STATUS_INVALID, \
	ERR_BRAND_NOT_FOUND, ERR_PRODUCT_COMPAT_INVALID, ERR_PRODUCT_NOT_FOUND

const struct route catalog_routes[] = {
	{ "GET", "/api/products", ROLE_NONE, 200, BODY_NONE, catalog_products,
	  "Browse products (?kind=&brand=&brand_id=&q=&min_price=&max_price="
	  "&in_stock=&sort=price|-price|name|-name|newest|stock|-stock, "
	  "paging; admins: ?retired=true|all)",
	  .query = products_query, .reply = "{products: [Product], total: int}",
	  ROUTE_ERRORS(ERR_PRODUCT_KIND_INVALID, ERR_PRODUCT_SORT_INVALID,
		       ERR_FORBIDDEN) },
	{ "POST", "/api/products", ROLE_ADMIN, 201, BODY_JSON,
	  catalog_product_create, "Create a product (kind, name and price "
	  "required)", ROUTE_IDEMPOTENT,
	  ROUTE_FIELDS(product_spec), .reply = "{product: Product}",
	  ROUTE_ERRORS(PRODUCT_WRITE_ERRORS) },
	{ "GET", "/api/products/{id}", ROLE_NONE, 200, BODY_NONE,
	  catalog_product, "A product, with compatible accessories",
	  .reply = "{product: Product}",
	  ROUTE_ERRORS(ERR_PRODUCT_NOT_FOUND) },
	{ "PATCH", "/api/products/{id}", ROLE_ADMIN, 200, BODY_JSON,
	  catalog_product_update, "Update a product (stale version: 409)",
	  ROUTE_FIELDS(product_spec), .reply = "{product: Product}",
	  ROUTE_ERRORS(ERR_NO_CHANGES, PRODUCT_WRITE_ERRORS,
		       ERR_PRODUCT_STALE) },
	{ "DELETE", "/api/products/{id}", ROLE_ADMIN, 204, BODY_NONE,
	  catalog_product_retire, "Retire a product",
	  ROUTE_ERRORS(ERR_PRODUCT_NOT_FOUND) },
	{ "POST", "/api/products/{id}/stock", ROLE_ADMIN, 200, BODY_JSON,
	  catalog_product_stock, "Add units to stock, or remove them "
	  "(delta; never below 0)", ROUTE_IDEMPOTENT,
	  ROUTE_FIELDS(stock_spec), .reply = "{product: Product}",
	  ROUTE_ERRORS(ERR_PRODUCT_NOT_FOUND, ERR_STOCK_NEGATIVE) },
	{ "GET", "/api/accessories", ROLE_NONE, 200, BODY_NONE,
	  catalog_accessories, "Browse accessories (filters as /api/products)",
	  .query = KIND_QUERY, .reply = "{products: [Product], total: int}",
	  ROUTE_ERRORS(ERR_PRODUCT_SORT_INVALID, ERR_FORBIDDEN) },
	{ "GET", "/api/sound-devices", ROLE_NONE, 200, BODY_NONE,
	  catalog_sound_devices,
	  "Browse sound devices (filters as /api/products)",
	  .query = KIND_QUERY, .reply = "{products: [Product], total: int}",
	  ROUTE_ERRORS(ERR_PRODUCT_SORT_INVALID, ERR_FORBIDDEN) },
	{ "GET", "/api/brands", ROLE_NONE, 200, BODY_NONE, catalog_brands,
	  "List brands", .reply = "{brands: [Brand]}" },
	{ "POST", "/api/brands", ROLE_ADMIN, 201, BODY_JSON,
	  catalog_brand_create, "Create a brand", ROUTE_IDEMPOTENT,
	  ROUTE_FIELDS(brand_spec), .reply = "{brand: Brand}",
	  ROUTE_ERRORS(ERR_BRAND_EXISTS) },
	{ "GET", "/api/brands/{id}", ROLE_NONE, 200, BODY_NONE, catalog_brand,
	  "A brand", .reply = "{brand: Brand}",
	  ROUTE_ERRORS(ERR_BRAND_NOT_FOUND) },
	{ "PATCH", "/api/brands/{id}", ROLE_ADMIN, 200, BODY_JSON,
	  catalog_brand_update, "Rename a brand",
	  ROUTE_FIELDS(brand_spec), .reply = "{brand: Brand}",
	  ROUTE_ERRORS(ERR_BRAND_NOT_FOUND, ERR_BRAND_EXISTS) },
	{ "DELETE", "/api/brands/{id}", ROLE_ADMIN, 204, BODY_NONE,
	  catalog_brand_delete, "Delete a brand no product names",
	  ROUTE_ERRORS(ERR_BRAND_NOT_FOUND, ERR_BRAND_IN_USE) },
	/* ElectroPorts' catalogue, one kind per path, on its site only */
	{ "GET", "/phones", ROLE_NONE, 200, BODY_NONE, catalog_site_phones,
	  "Phones (ElectroPorts site)", .profiles = EP,
	  .query = site_query, .reply = "{phones: [SitePhone], total: int}",
	  ROUTE_ERRORS(ERR_PRODUCT_SORT_INVALID, ERR_FORBIDDEN) },
	{ "GET", "/laptops", ROLE_NONE, 200, BODY_NONE, catalog_site_laptops,
	  "Laptops (ElectroPorts site)", .profiles = EP,
	  .query = site_query, .reply = "{laptops: [SiteProduct], total: int}",
	  ROUTE_ERRORS(ERR_PRODUCT_SORT_INVALID, ERR_FORBIDDEN) },
	{ "GET", "/sounddevices", ROLE_NONE, 200, BODY_NONE,
	  catalog_site_sound_devices, "Sound devices (ElectroPorts site)",
	  .profiles = EP, .query = site_query,
	  .reply = "{sound_devices: [SiteProduct], total: int}",
	  ROUTE_ERRORS(ERR_PRODUCT_SORT_INVALID, ERR_FORBIDDEN) },
	{ "GET", "/accessories", ROLE_NONE, 200, BODY_NONE,
	  catalog_site_accessories, "Accessories (ElectroPorts site)",
	  .profiles = EP, .query = site_query,
	  .reply = "{accessories: [SiteProduct], total: int}",
	  ROUTE_ERRORS(ERR_PRODUCT_SORT_INVALID, ERR_FORBIDDEN) },
	{ 0 },
};

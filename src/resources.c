/* resources: hardware sets and their checkout/checkin.  The invariant
 * available + held = total is kept by conditional UPDATEs checked by
 * affected rows, with CHECK constraints as the backstop; bulk requests
 * lock resource rows in id order and the whole transaction is retried on
 * deadlock.  On the HaaS React app's site a set is also named by its old
 * id, and shown by its old name (sql/009_site_haas.sql). */
#include "resources.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "app.h"
#include "audit.h"
#include "body.h"
#include "config.h"
#include "db.h"
#include "isotime.h"
#include "notify.h"
#include "projects.h"
#include "util.h"
#include "when.h"

#define UNITS_MAX 1000000000LL
#define ITEMS_MAX 100
/* A loan and a due date are at most this far ahead. */
#define LOAN_DAYS_MAX 365

enum resources_sql {
	Q_LIST,
	Q_COUNT,
	Q_GET,
	Q_ALIAS,
	Q_ID_ANY,
	Q_LOCK,
	Q_INSERT,
	Q_UPDATE,
	Q_RETIRE,
	Q_MOVE,
	Q_HIST_RESOURCE,
	Q_HIST_PROJECT,
	Q_OUT,
	Q_HOLDERS,
	Q_HOLDERS_COUNT,
	Q_HOLDINGS,
	Q_HOLDINGS_COUNT,
	Q_SWEEP_DUE,
	Q_SWEEP_OVERDUE,
	Q_SWEEP_LOCK,
	Q_SWEEP_INFO,
	Q_SWEEP_MEMBERS,
};

#define RES_COLS "r.code, r.name, r.total_units, r.available_units"
#define ALIAS_COLS "r.old_id, r.old_name"
/* After the aliases: the set's loan length and the caller's own holding's
 * due date, and whether it is past. */
#define LOAN_COLS "r.loan_days, h.due_at, " OVERDUE("h")
#define RES_NCOLS 10
#define OVERDUE(h) "COALESCE(" h ".due_at <= UTC_TIMESTAMP(6), 0)"
/* The once key of a holding's reminder: kind, holding and due date, so a
 * new due date is reminded of again. */
#define DUE_KEY(kind) \
	"CONCAT('hardware." kind ":', h.id, ':', UNIX_TIMESTAMP(h.due_at))"
/* A holding as the staff's list shows it (see holding_json). */
#define HOLDING_COLS \
	"h.id, r.code, r.name, h.units, p.code, p.name, h.user_id," \
	" u.username, u.name, h.due_at, " OVERDUE("h") ", b.username," \
	" b.name FROM resource_holdings h" \
	" JOIN resources r ON r.id = h.resource_id" \
	" LEFT JOIN projects p ON p.id = h.project_id" \
	" LEFT JOIN users u ON u.id = h.user_id" \
	" LEFT JOIN users b ON b.id = COALESCE(h.borrowed_by, h.user_id)"
#define HOLDING_NCOLS 13
/* A movement in the one log (audit_log rows that name a set): checkout or
 * checkin, the holder (a project, or the actor), and the numbers its
 * details recorded. */
#define HIST_COLS \
	"e.id, e.at, e.actor_id, SUBSTRING(e.action, 10), r.code, p.code," \
	" IF(e.project_id IS NULL, e.actor_id, NULL)," \
	" JSON_VALUE(e.details, '$.units')," \
	" JSON_VALUE(e.details, '$.available_units'), a.username, p.name" \
	" FROM audit_log e" \
	" JOIN resources r ON r.id = e.resource_id" \
	" LEFT JOIN projects p ON p.id = e.project_id" \
	" LEFT JOIN users a ON a.id = e.actor_id"

static const char *const sql[] = {
	/* held_by_you: what the caller holds personally (no project). */
	[Q_LIST] = "SELECT " RES_COLS ", COALESCE(h.units, 0), " ALIAS_COLS
		", " LOAN_COLS " FROM resources r"
		" LEFT JOIN resource_holdings h ON h.resource_id = r.id"
		" AND h.holder = CONCAT('u', ?) WHERE r.retired_at IS NULL"
		" ORDER BY r.code LIMIT ? OFFSET ?",
	[Q_COUNT] = "SELECT COUNT(*) FROM resources WHERE retired_at IS NULL",
	[Q_GET] = "SELECT " RES_COLS ", COALESCE(h.units, 0), " ALIAS_COLS
		", " LOAN_COLS " FROM resources r"
		" LEFT JOIN resource_holdings h ON h.resource_id = r.id"
		" AND h.holder = CONCAT('u', ?)"
		" WHERE r.code = ? AND r.retired_at IS NULL",
	/* The code of the set whose old id is ? (the HaaS site). */
	[Q_ALIAS] = "SELECT code FROM resources WHERE old_id = ?",
	/* History stays readable after a set is retired. */
	[Q_ID_ANY] = "SELECT id FROM resources WHERE code = ?",
	[Q_LOCK] = "SELECT id FROM resources WHERE code = ?"
		" AND retired_at IS NULL FOR UPDATE",
	[Q_INSERT] = "INSERT INTO resources (code, name, old_id, old_name,"
		" loan_days, total_units, available_units)"
		" VALUES (?, ?, ?, ?, ?, ?, ?)",
	/* MariaDB assigns left to right, so available is computed from the
	 * old total before total changes; a capacity below what is held
	 * makes available negative, which the CHECK refuses.  An alias is
	 * changed when its flag (the first of its pair) is 1; NULL clears
	 * it. */
	[Q_UPDATE] = "UPDATE resources SET name = COALESCE(?, name),"
		" old_id = IF(?, ?, old_id), old_name = IF(?, ?, old_name),"
		" loan_days = IF(?, ?, loan_days),"
		" available_units = available_units + COALESCE(?, total_units)"
		"   - total_units,"
		" total_units = COALESCE(?, total_units) WHERE id = ?",
	[Q_RETIRE] = "UPDATE resources SET retired_at = UTC_TIMESTAMP(6)"
		" WHERE id = ? AND retired_at IS NULL"
		" AND available_units = total_units",
	/* Checkout and checkin, every form: sql/015_write_paths.sql. */
	[Q_MOVE] = "CALL haas_move(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[Q_HIST_RESOURCE] = "SELECT " HIST_COLS " WHERE e.resource_id = ?"
		" AND e.id < ? ORDER BY e.id DESC LIMIT ?",
	[Q_HIST_PROJECT] = "SELECT " HIST_COLS " WHERE e.project_id = ?"
		" AND e.id < ? ORDER BY e.id DESC LIMIT ?",
	/* Units out of a set (read under the row lock update_tx holds). */
	[Q_OUT] = "SELECT total_units - available_units FROM resources"
		" WHERE id = ?",
	/* Who holds units of a set now: a project or a person, most first.
	 * A deleted account keeps no name (it is erased). */
	[Q_HOLDERS] = "SELECT h.units, p.code, p.name, h.user_id, u.username,"
		" u.name, h.due_at, " OVERDUE("h") ", b.username"
		" FROM resource_holdings h"
		" LEFT JOIN projects p ON p.id = h.project_id"
		" LEFT JOIN users u ON u.id = h.user_id"
		" LEFT JOIN users b ON b.id = h.borrowed_by"
		" WHERE h.resource_id = ? AND h.units > 0"
		" ORDER BY h.units DESC, h.id LIMIT ? OFFSET ?",
	[Q_HOLDERS_COUNT] = "SELECT COUNT(*), COALESCE(SUM(units), 0)"
		" FROM resource_holdings WHERE resource_id = ? AND units > 0",
	/* Every holding with units out (?: only the overdue ones), the
	 * soonest due first, those without a due date last. */
	[Q_HOLDINGS] = "SELECT " HOLDING_COLS " WHERE h.units > 0"
		" AND (? = 0 OR h.due_at <= UTC_TIMESTAMP(6))"
		" ORDER BY h.due_at IS NULL, h.due_at, h.id LIMIT ? OFFSET ?",
	[Q_HOLDINGS_COUNT] = "SELECT COUNT(*) FROM resource_holdings h"
		" WHERE h.units > 0 AND (? = 0 OR h.due_at <= UTC_TIMESTAMP(6))",
	/* Sweeps: holdings due within ? s and not yet past / past, whose
	 * reminder for this due date has not been written (the once key
	 * of sweep_key), a page at a time. */
	[Q_SWEEP_DUE] = "SELECT h.id FROM resource_holdings h"
		" LEFT JOIN notice_events n ON n.event_key = " DUE_KEY("due")
		" WHERE h.units > 0 AND h.due_at > UTC_TIMESTAMP(6)"
		" AND h.due_at <= UTC_TIMESTAMP(6) + INTERVAL ? SECOND"
		" AND n.event_key IS NULL ORDER BY h.due_at, h.id LIMIT ?",
	[Q_SWEEP_OVERDUE] = "SELECT h.id FROM resource_holdings h"
		" LEFT JOIN notice_events n"
		" ON n.event_key = " DUE_KEY("overdue")
		" WHERE h.units > 0 AND h.due_at <= UTC_TIMESTAMP(6)"
		" AND n.event_key IS NULL ORDER BY h.due_at, h.id LIMIT ?",
	/* One holding, locked, if it is still out and (?) past due or not:
	 * a checkin or a new due date waits for the reminder's commit, or
	 * the reminder skips the row and the next sweep sees the change. */
	[Q_SWEEP_LOCK] = "SELECT " DUE_KEY("due") ", " DUE_KEY("overdue")
		" FROM resource_holdings h WHERE h.id = ? AND h.units > 0"
		" AND h.due_at IS NOT NULL"
		" AND (h.due_at <= UTC_TIMESTAMP(6)) = ?"
		" FOR UPDATE SKIP LOCKED",
	/* What the reminder says (read under the holding's lock). */
	[Q_SWEEP_INFO] = "SELECT r.name, h.units,"
		" COALESCE(p.name, 'personal use'), h.due_at,"
		" COALESCE(b.name, b.username, ''), h.project_id,"
		" COALESCE(h.borrowed_by, h.user_id)"
		" FROM resource_holdings h JOIN resources r ON r.id = h.resource_id"
		" LEFT JOIN projects p ON p.id = h.project_id"
		" LEFT JOIN users b ON b.id = COALESCE(h.borrowed_by, h.user_id)"
		" WHERE h.id = ?",
	[Q_SWEEP_MEMBERS] = "SELECT user_id FROM project_members"
		" WHERE project_id = ? ORDER BY user_id LIMIT 64",
};

static long long
now_us(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (long long)tv.tv_sec * ISOTIME_US_PER_SEC + tv.tv_usec;
}

/* A set as haas shows it: by its code and name, with its aliases. */
static json_object *
resource_json(const struct db_rows *rows)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "resource_id",
			       json_object_new_string(db_col(rows, 0)));
	json_object_object_add(o, "name",
			       json_object_new_string(db_col(rows, 1)));
	json_object_object_add(o, "total_units",
			       json_object_new_int64(db_col_int(rows, 2)));
	json_object_object_add(o, "available_units",
			       json_object_new_int64(db_col_int(rows, 3)));
	json_object_object_add(o, "held_by_you",
			       json_object_new_int64(db_col_int(rows, 4)));
	json_object_object_add(o, "old_id", json_str_or_null(db_col(rows, 5)));
	json_object_object_add(o, "old_name",
			       json_str_or_null(db_col(rows, 6)));
	json_object_object_add(o, "loan_days", db_col(rows, 7)
			       ? json_object_new_int64(db_col_int(rows, 7))
			       : NULL);
	json_object_object_add(o, "held_by_you_due_at",
			       json_time(db_col(rows, 8)));
	json_object_object_add(o, "held_by_you_overdue",
			       json_object_new_boolean(db_col_int(rows, 9)));
	return o;
}

/* A set as the HaaS app reads it: _id and resource_id its old id, name
 * its old name (the app adds up available_units by name, "HW Set1"),
 * each the haas one when the set has no alias. */
static json_object *
resource_json_haas(const struct db_rows *rows)
{
	const char *id = db_col(rows, 5) ? db_col(rows, 5) : db_col(rows, 0);
	const char *name = db_col(rows, 6) ? db_col(rows, 6) : db_col(rows, 1);
	json_object *o = resource_json(rows);

	json_object_object_add(o, "_id", json_object_new_string(id));
	json_object_object_add(o, "resource_id", json_object_new_string(id));
	json_object_object_add(o, "name", json_object_new_string(name));
	return o;
}

static bool
is_haas_site(const struct req *r)
{
	return r->profile == PROFILE_HAAS_REACT;
}

/* The shape of a set on this site. */
static row_json_fn
resource_view(const struct req *r)
{
	return is_haas_site(r) ? resource_json_haas : resource_json;
}

/* The code of the set called name (*code: name itself, or a copy in r's
 * pool).  On the HaaS site a set's old id names it too, and wins over a
 * code that happens to be the same. */
static enum err
set_code(struct req *r, const char *name, const char **code)
{
	struct db_rows *row;
	enum err e;

	*code = name;
	if (!is_haas_site(r))
		return ERR_OK;
	e = db_row(r->db, sql[Q_ALIAS], DB_P(db_str(name)), 1, ERR_OK, &row);
	if (row) {
		*code = req_strdup(r, db_col(row, 0));
		db_rows_free(row);
	}
	return e;
}

/* A set looked up by name (q: Q_ID_ANY or Q_LOCK): its id and
 * code; ERR_RESOURCE_NOT_FOUND when there is none. */
static enum err
set_find(struct req *r, enum resources_sql q, const char *name,
	 long long *id, const char **code)
{
	enum err e = set_code(r, name, code);

	return e != ERR_OK ? e : db_query_int(r->db, sql[q], DB_P(
		db_str(*code)), ERR_RESOURCE_NOT_FOUND, id);
}

static enum err
count_into(struct req *r, const char *q, const char *key)
{
	return req_reply_count(r, key, q, DB_NONE);
}

static enum err
resources_list(struct req *r)
{
	long long limit, offset;
	struct db_rows *rows;
	json_object *arr;
	enum err e = req_paging(r, &limit, &offset);

	if (e == ERR_OK)
		e = db_query(r->db, sql[Q_LIST], DB_P(db_int(r->user.id),
			db_int(limit), db_int(offset)), RES_NCOLS, &rows);
	if (e != ERR_OK)
		return e;
	arr = json_object_new_array();
	json_object_object_add(req_reply(r), "resources", arr);
	while (db_next(rows))
		json_object_array_add(arr, resource_view(r)(rows));
	e = db_rows_err(rows);
	db_rows_free(rows);
	return e != ERR_OK ? e : count_into(r, sql[Q_COUNT], "total");
}

static enum err
resources_get(struct req *r)
{
	const char *code;
	enum err e = set_code(r, req_param(r, "resource_id"), &code);

	return e != ERR_OK ? e : req_reply_row(r, "resource", sql[Q_GET],
		DB_P(db_int(r->user.id), db_str(code)), RES_NCOLS,
		ERR_RESOURCE_NOT_FOUND, resource_view(r));
}

/* ---- admin: create, change, retire ------------------------------------ */

/* The aliases come before the code: the PATCH spec is a prefix of the
 * create spec. */
enum { N_NAME, N_TOTAL, N_OLD_ID, N_OLD_NAME, N_LOAN_DAYS, N_CODE };

/* The aliases and the loan length (days; null: none). */
#define ALIAS_FIELDS \
	[N_OLD_ID] = { "old_id", FT_STRING, F_TRIM | F_NULLABLE, .min = 1, \
		       .max = 64 }, \
	[N_OLD_NAME] = { "old_name", FT_STRING, F_TRIM | F_NULLABLE, \
			 .min = 1, .max = 200 }, \
	[N_LOAN_DAYS] = { "loan_days", FT_INT, F_NULLABLE, .min = 1, \
			  .max = LOAN_DAYS_MAX }

/* An admin's change of the set code, audited in its transaction. */
struct admin_change {
	const char *code;
	const struct field_value *v;	/* NULL: retire */
};

/* A string field's value; NULL when absent or null. */
static const char *
opt_str(const struct field_value *f)
{
	return f->set && !f->is_null ? f->s : NULL;
}

/* An integer field's value as a parameter; NULL when absent or null. */
static struct db_param
opt_int(const struct field_value *f)
{
	return f->set && !f->is_null ? db_int(f->i) : db_null();
}

/* A duplicate key of resources as the error it means. */
static enum err
set_duplicate(struct req *r)
{
	return !strcmp(db_dup_key(r->db), "uq_resources_old_id")
		? ERR_OLD_ID_TAKEN : ERR_RESOURCE_EXISTS;
}

static enum err
create_tx(struct req *r, void *arg)
{
	const struct admin_change *c = arg;
	const struct field_value *v = c->v;
	enum err e = db_exec(r->db, sql[Q_INSERT], DB_P(db_str(c->code),
		db_str(v[N_NAME].s), db_str(opt_str(&v[N_OLD_ID])),
		db_str(opt_str(&v[N_OLD_NAME])), opt_int(&v[N_LOAN_DAYS]),
		db_int(v[N_TOTAL].i), db_int(v[N_TOTAL].i)), NULL);

	if (e == ERR_DUPLICATE)
		return set_duplicate(r);
	return e != ERR_OK ? e : audit_write(r->db, r, r->user.id,
		"resource.create", "resource", c->code,
		json_object_new_int64(v[N_TOTAL].i));
}

static const struct field create_spec[] = {
	[N_NAME] = { "name", FT_STRING, F_REQUIRED | F_TRIM, .max = 200,
		     .missing = ERR_RESOURCE_FIELDS },
	[N_TOTAL] = { "total_units", FT_INT, F_REQUIRED, .min = 0,
		      .max = UNITS_MAX, .missing = ERR_RESOURCE_FIELDS,
		      .invalid = ERR_TOTAL_UNITS_INVALID },
	ALIAS_FIELDS,
	[N_CODE] = { "resource_id", FT_STRING, F_TRIM | F_NULLABLE,
		     .max = 64 },
};

static enum err
resources_create(struct req *r)
{
	const struct field_value *v = r->vals;
	struct admin_change c = { 0 };
	const char *code;
	enum err e;

	/* Without a code the name is the code, as in HaaS (HWSet1). */
	code = v[N_CODE].set && !v[N_CODE].is_null && *v[N_CODE].s
		? v[N_CODE].s : v[N_NAME].s;
	if (strlen(code) > 64)
		return req_fail(r, ERR_FIELD_INVALID,
				"resource_id must be at most 64 characters");
	c.code = code;
	c.v = v;
	e = req_txn(r, create_tx, &c);
	if (e != ERR_OK)
		return e;
	json_object_object_add(req_reply(r), "message", json_object_new_string(
		"Resource created successfully"));
	json_object_object_add(req_reply(r), "resource_id",
			       json_object_new_string(code));
	return ERR_OK;
}

static json_object *
update_details(const struct field_value *v)
{
	json_object *d = json_object_new_object();

	if (v[N_NAME].set)
		json_object_object_add(d, "name",
				       json_object_new_string(v[N_NAME].s));
	if (v[N_TOTAL].set)
		json_object_object_add(d, "total_units",
				       json_object_new_int64(v[N_TOTAL].i));
	if (v[N_OLD_ID].set)
		json_object_object_add(d, "old_id",
				       json_str_or_null(opt_str(&v[N_OLD_ID])));
	if (v[N_OLD_NAME].set)
		json_object_object_add(d, "old_name",
			json_str_or_null(opt_str(&v[N_OLD_NAME])));
	if (v[N_LOAN_DAYS].set)
		json_object_object_add(d, "loan_days",
			v[N_LOAN_DAYS].is_null ? NULL
			: json_object_new_int64(v[N_LOAN_DAYS].i));
	return d;
}

/* A refused capacity or retirement, with its numbers: the units out
 * (held_units) and, for a capacity, the total asked for. */
static enum err
out_explain(struct req *r, long long id, const struct field_value *total,
	    enum err e)
{
	long long out;
	enum err q = db_query_int(r->db, sql[Q_OUT], DB_P(db_int(id)),
				  ERR_INTERNAL, &out);

	if (q != ERR_OK)
		return q;
	req_fail_extra(r, "held_units", json_object_new_int64(out));
	if (!total)
		return req_fail(r, e, "Units of this resource are still"
				" checked out: %lld %s out", out,
				out == 1 ? "is" : "are");
	req_fail_extra(r, "total_units", json_object_new_int64(total->i));
	return req_fail(r, e, "Total units cannot be less than the units"
			" checked out: %lld %s out, and you asked for %lld",
			out, out == 1 ? "is" : "are", total->i);
}

static enum err
update_apply(struct req *r, const struct field_value *v, long long id)
{
	enum err e = db_exec(r->db, sql[Q_UPDATE], DB_P(
		db_str(v[N_NAME].set ? v[N_NAME].s : NULL),
		db_int(v[N_OLD_ID].set), db_str(opt_str(&v[N_OLD_ID])),
		db_int(v[N_OLD_NAME].set), db_str(opt_str(&v[N_OLD_NAME])),
		db_int(v[N_LOAN_DAYS].set), opt_int(&v[N_LOAN_DAYS]),
		v[N_TOTAL].set ? db_int(v[N_TOTAL].i) : db_null(),
		v[N_TOTAL].set ? db_int(v[N_TOTAL].i) : db_null(),
		db_int(id)), NULL);

	if (e == ERR_DUPLICATE)
		return set_duplicate(r);
	if (e == ERR_CONFLICT)
		return out_explain(r, id, &v[N_TOTAL], ERR_CAPACITY_BELOW_HELD);
	return e;
}

static enum err
retire_apply(struct req *r, long long id)
{
	struct db_result res;
	enum err e = db_exec(r->db, sql[Q_RETIRE], DB_P(db_int(id)), &res);

	if (e == ERR_OK && res.affected != 1)
		e = out_explain(r, id, NULL, ERR_RESOURCE_IN_USE);
	return e;
}

/* Locks the set (by code, or alias on the HaaS site), changes or retires
 * it, audits under its code (in req_txn). */
static enum err
update_tx(struct req *r, void *arg)
{
	const struct admin_change *c = arg;
	const struct field_value *v = c->v;
	const char *code;
	long long id;
	enum err e = set_find(r, Q_LOCK, c->code, &id, &code);

	if (e == ERR_OK)
		e = v ? update_apply(r, v, id) : retire_apply(r, id);
	if (e != ERR_OK)
		return e;
	return audit_write(r->db, r, r->user.id, v ? "resource.update"
			   : "resource.retire", "resource", code,
			   v ? update_details(v) : NULL);
}

static const struct field update_spec[] = {
	[N_NAME] = { "name", FT_STRING, F_TRIM, .min = 1, .max = 200 },
	[N_TOTAL] = { "total_units", FT_INT, 0, .min = 0, .max = UNITS_MAX,
		      .invalid = ERR_TOTAL_UNITS_INVALID },
	ALIAS_FIELDS,
};

static enum err
resources_update(struct req *r)
{
	struct admin_change c = { req_param(r, "resource_id"), r->vals };
	enum err e = body_changes(r, update_spec, r->vals);

	if (e == ERR_OK)
		e = req_txn(r, update_tx, &c);
	return e != ERR_OK ? e : resources_get(r);
}

static enum err
resources_retire(struct req *r)
{
	struct admin_change c = { req_param(r, "resource_id"), NULL };

	return req_txn(r, update_tx, &c);
}

/* ---- checkout and checkin --------------------------------------------- */

struct line {
	const char *name;	/* as the request named the set */
	long long units;
};

struct move {
	bool checkin;
	bool bulk;
	const char *project_code;	/* NULL: the caller holds */
	const char *due_at;		/* checkout: asked-for due date (UTC
					 * DATETIME), or NULL */
	long long due_days;		/* ... or days from now; 0: neither */
	struct line *lines;
	size_t n;
};

/* Adds a line (lines naming the same set are added up once resolved). */
static void
line_add(struct move *m, const char *name, long long units)
{
	m->lines[m->n].name = name;
	m->lines[m->n].units = units;
	m->n++;
}

enum { L_CODE, L_UNITS };

/* A line of items[]. */
static const struct field line_spec[] = {
	[L_CODE] = { "resource_id", FT_STRING, F_REQUIRED | F_TRIM, .max = 64,
		     .missing = ERR_CHECKOUT_FIELDS },
	[L_UNITS] = { "units", FT_INT, F_REQUIRED, .min = 1, .max = UNITS_MAX,
		      .missing = ERR_CHECKOUT_FIELDS,
		      .invalid = ERR_UNITS_INVALID },
};

static enum err
read_items(struct req *r, struct move *m, json_object *items)
{
	size_t i, n = json_object_array_length(items);
	struct field_value v[ARRAY_SIZE(line_spec)];
	enum err e;

	if (n == 0)
		return ERR_ITEMS_INVALID;
	m->lines = req_alloc(r, n * sizeof(*m->lines));
	for (i = 0; i < n; i++) {
		json_object *it = json_object_array_get_idx(items, i);

		if (!json_object_is_type(it, json_type_object))
			return ERR_ITEMS_INVALID;
		e = body_fields(r, it, line_spec, ARRAY_SIZE(line_spec), v);
		if (e != ERR_OK)
			return e;
		line_add(m, v[L_CODE].s, v[L_UNITS].i);
	}
	return ERR_OK;
}

enum { M_PROJECT, M_ITEMS, M_DUE_AT, M_DUE_DAYS, M_CODE, M_UNITS };

/* {resource_id, units, project_id} or {items: [...], project_id}, with
 * due_at or due_days on a checkout (a checkin reads and ignores them).
 * resource_id and units are required only without items (move_line);
 * null or "" is then missing, as in line_spec. */
static const struct field move_spec[] = {
	[M_PROJECT] = { "project_id", FT_STRING, F_TRIM | F_NULLABLE | F_OID,
			.max = 64 },
	[M_ITEMS] = { "items", FT_ARRAY, 0, .max = ITEMS_MAX,
		      .invalid = ERR_ITEMS_INVALID },
	[M_DUE_AT] = { "due_at", FT_STRING, F_TRIM | F_NULLABLE, .max = 64 },
	[M_DUE_DAYS] = { "due_days", FT_INT, F_NULLABLE, .min = 1,
			 .max = LOAN_DAYS_MAX },
	[M_CODE] = { "resource_id", FT_STRING, F_TRIM | F_NULLABLE,
		     .max = 64 },
	[M_UNITS] = { "units", FT_INT, F_NULLABLE, .min = 1,
		      .max = UNITS_MAX, .invalid = ERR_UNITS_INVALID },
};

static enum err
due_fail(struct req *r, const char *field, const char *why)
{
	req_fail_extra(r, "field", json_object_new_string(field));
	return req_fail(r, ERR_FIELD_INVALID, "%s", why);
}

/* A checkout's due date: due_at (ISO 8601; a date alone is the end of
 * that day, both in the configured timezone) in the future and at most
 * LOAN_DAYS_MAX days ahead, or due_days; neither: the set's loan length
 * (Q_HOLD). */
static enum err
move_due(struct req *r, struct move *m, const struct field_value *at,
	 const struct field_value *days)
{
	const char *s = opt_str(at);
	long long us, now = now_us();

	if (s && days->set && !days->is_null)
		return due_fail(r, "due_days",
				"Give due_at or due_days, not both");
	if (days->set && !days->is_null)
		m->due_days = days->i;
	if (!s || !*s)
		return ERR_OK;
	if (strlen(s) == 10)
		s = req_printf(r, "%sT23:59:59", s);
	if (isotime_parse(s, r->app->cfg.timezone, &us))
		return due_fail(r, "due_at", "due_at must be a date or time"
				" in ISO 8601, e.g. 2025-06-30 or"
				" 2025-06-30T17:00");
	if (us <= now)
		return due_fail(r, "due_at", "due_at must be in the future");
	if (us > now + LOAN_DAYS_MAX * 86400 * ISOTIME_US_PER_SEC)
		return due_fail(r, "due_at", "due_at must be at most 365"
				" days ahead");
	m->due_at = req_db_time(r, us);
	return ERR_OK;
}

/* A required field of a one-line request was absent, null or empty. */
static enum err
line_missing(struct req *r, const char *field)
{
	req_fail_extra(r, "field", json_object_new_string(field));
	return ERR_CHECKOUT_FIELDS;
}

/* The one line of a request without items. */
static enum err
move_line(struct req *r, struct move *m, const struct field_value *v)
{
	const struct field_value *code = &v[M_CODE], *units = &v[M_UNITS];

	if (!code->set || code->is_null || !code->len)
		return line_missing(r, "resource_id");
	if (!units->set || units->is_null)
		return line_missing(r, "units");
	m->lines = req_alloc(r, sizeof(*m->lines));
	line_add(m, code->s, units->i);
	return ERR_OK;
}

/* Reads {resource_id, units, project_id} or {items: [...], project_id},
 * with due_at or due_days on a checkout. */
static enum err
move_read(struct req *r, struct move *m)
{
	const struct field_value *v = r->vals;
	enum err e = ERR_OK;

	if (!m->checkin)
		e = move_due(r, m, &v[M_DUE_AT], &v[M_DUE_DAYS]);
	if (e != ERR_OK)
		return e;
	if (v[M_PROJECT].set && !v[M_PROJECT].is_null && *v[M_PROJECT].s)
		m->project_code = v[M_PROJECT].s;
	if (v[M_ITEMS].set) {
		m->bulk = true;
		return read_items(r, m, v[M_ITEMS].o);
	}
	return move_line(r, m, v);
}

/* The lines for haas_move: [{"name": ..., "units": n}, ...]. */
static const char *
move_lines(struct req *r, const struct move *m)
{
	json_object *arr = json_object_new_array();
	const char *text;
	size_t i;

	for (i = 0; i < m->n; i++) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "name",
				       json_object_new_string(m->lines[i].name));
		json_object_object_add(o, "units",
				       json_object_new_int64(m->lines[i].units));
		json_object_array_add(arr, o);
	}
	text = req_strdup(r, json_object_to_json_string_ext(arr,
		JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(arr);
	return text;
}

/* The reply, from what haas_move answered: {"lines": [{resource_id,
 * units, available_units, due_at}]}, one per set in id order, each named
 * as the request named it. */
static void
move_reply(struct req *r, const struct move *m, json_object *out)
{
	json_object *lines = NULL, *first;
	size_t i, n;

	json_object_object_add(req_reply(r), "message", json_object_new_string(
		m->checkin ? "Resource checked in successfully"
			   : "Resource checked out successfully"));
	json_object_object_add(req_reply(r), "project_id",
			       json_str_or_null(m->project_code));
	json_object_object_get_ex(out, "lines", &lines);
	n = json_object_is_type(lines, json_type_array)
		? json_object_array_length(lines) : 0;
	for (i = 0; m->checkin && i < n; i++)
		json_object_object_del(json_object_array_get_idx(lines, i),
				       "due_at");
	if (m->bulk) {
		json_object_object_add(req_reply(r), "resources",
				       json_object_get(lines));
		return;
	}
	first = n ? json_object_array_get_idx(lines, 0) : NULL;
	json_object_object_add(req_reply(r), "resource_id",
			       json_object_new_string(m->lines[0].name));
	if (first) {
		json_object_object_foreach(first, key, val)
			if (strcmp(key, "resource_id") && strcmp(key, "units"))
				json_object_object_add(req_reply(r), key,
						       json_object_get(val));
	}
}

/* One CALL (sql/015_write_paths.sql, haas_move): the caller's account,
 * the sets, the project, every line's guard, the holding and the log,
 * in its own transaction. */
static enum err
move(struct req *r, bool checkin)
{
	struct move m = { .checkin = checkin };
	json_object *out = NULL;
	enum err e = move_read(r, &m);

	if (e == ERR_OK)
		e = req_call(r, sql[Q_MOVE], DB_P(REQ_PRINCIPAL(r),
			db_int(checkin), db_int(is_haas_site(r)),
			db_str(m.project_code), db_str(m.due_at),
			m.due_days ? db_int(m.due_days) : db_null(),
			db_str(move_lines(r, &m)), db_str(r->request_id),
			db_str(r->remote_addr)), &out);
	if (e == ERR_OK)
		move_reply(r, &m, out);
	json_object_put(out);
	return e;
}

static enum err
resources_checkout(struct req *r)
{
	return move(r, false);
}

static enum err
resources_checkin(struct req *r)
{
	return move(r, true);
}

/* ---- history ---------------------------------------------------------- */

static json_object *
event_json(const struct db_rows *rows)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_id(db_col_int(rows, 0)));
	json_object_object_add(o, "at", json_time(db_col(rows, 1)));
	json_object_object_add(o, "actor_id", json_id(db_col_int(rows, 2)));
	json_object_object_add(o, "action",
			       json_object_new_string(db_col(rows, 3)));
	json_object_object_add(o, "resource_id",
			       json_object_new_string(db_col(rows, 4)));
	json_object_object_add(o, "project_id",
			       json_str_or_null(db_col(rows, 5)));
	json_object_object_add(o, "user_id", db_col(rows, 6)
			       ? json_id(db_col_int(rows, 6)) : NULL);
	json_object_object_add(o, "units",
			       json_object_new_int64(db_col_int(rows, 7)));
	json_object_object_add(o, "available_units",
			       json_object_new_int64(db_col_int(rows, 8)));
	json_object_object_add(o, "actor_username",
			       json_str_or_null(db_col(rows, 9)));
	json_object_object_add(o, "project_name",
			       json_str_or_null(db_col(rows, 10)));
	return o;
}

enum err
resources_history(struct req *r, long long resource, long long project)
{
	long long limit, cursor, last = 0, n = 0;
	struct db_rows *rows;
	json_object *arr;
	enum err e = req_cursor_paging(r, &limit, &cursor);

	if (e == ERR_OK)
		e = db_query(r->db, sql[project ? Q_HIST_PROJECT
					       : Q_HIST_RESOURCE],
			     DB_P(db_int(project ? project : resource),
				  db_int(cursor), db_int(limit)), 11, &rows);
	if (e != ERR_OK)
		return e;
	arr = json_object_new_array();
	json_object_object_add(req_reply(r), "history", arr);
	for (; db_next(rows); n++) {
		json_object_array_add(arr, event_json(rows));
		last = db_col_int(rows, 0);
	}
	e = db_rows_err(rows);
	db_rows_free(rows);
	json_object_object_add(req_reply(r), "next_cursor", n == limit
		? json_object_new_string(req_printf(r, "%lld", last)) : NULL);
	return e;
}

static enum err
resources_history_get(struct req *r)
{
	const char *code;
	long long id;
	enum err e = set_find(r, Q_ID_ANY, req_param(r, "resource_id"), &id,
			      &code);

	return e != ERR_OK ? e : resources_history(r, id, 0);
}

/* ---- holders ------------------------------------------------------------- */

/* A holder row (Q_HOLDERS): a project (project_id its code) or a person
 * (user_id), with the units it holds. */
static json_object *
holder_json(const struct db_rows *rows)
{
	json_object *o = json_object_new_object();
	bool project = db_col(rows, 1) != NULL;

	json_object_object_add(o, "kind", json_object_new_string(
		project ? "project" : "user"));
	json_object_object_add(o, "units",
			       json_object_new_int64(db_col_int(rows, 0)));
	json_object_object_add(o, "project_id",
			       json_str_or_null(db_col(rows, 1)));
	json_object_object_add(o, "project_name",
			       json_str_or_null(db_col(rows, 2)));
	json_object_object_add(o, "user_id", db_col(rows, 3)
			       ? json_id(db_col_int(rows, 3)) : NULL);
	json_object_object_add(o, "username",
			       json_str_or_null(db_col(rows, 4)));
	json_object_object_add(o, "name", json_str_or_null(db_col(rows, 5)));
	json_object_object_add(o, "due_at", json_time(db_col(rows, 6)));
	json_object_object_add(o, "overdue",
			       json_object_new_boolean(db_col_int(rows, 7)));
	json_object_object_add(o, "borrowed_by",
			       json_str_or_null(db_col(rows, 8)));
	return o;
}

/* Adds "total" (holders) and "held_units" (their units) to the reply. */
static enum err
holders_sum(struct req *r, long long id)
{
	struct db_rows *row;
	enum err e = db_row(r->db, sql[Q_HOLDERS_COUNT], DB_P(db_int(id)), 2,
			    ERR_INTERNAL, &row);

	if (!row)
		return e;
	json_object_object_add(req_reply(r), "total",
			       json_object_new_int64(db_col_int(row, 0)));
	json_object_object_add(req_reply(r), "held_units",
			       json_object_new_int64(db_col_int(row, 1)));
	db_rows_free(row);
	return ERR_OK;
}

/* Who holds units of a set now (admins): {resource_id, holders, total,
 * held_units}, paged by ?limit=&offset=.  A retired set holds nothing. */
static enum err
resources_holders(struct req *r)
{
	long long id, limit, offset;
	struct db_rows *rows;
	json_object *arr;
	const char *code;
	enum err e = req_paging(r, &limit, &offset);

	if (e == ERR_OK)
		e = set_find(r, Q_ID_ANY, req_param(r, "resource_id"), &id,
			     &code);
	if (e == ERR_OK)
		e = db_query(r->db, sql[Q_HOLDERS], DB_P(db_int(id),
			     db_int(limit), db_int(offset)), 9, &rows);
	if (e != ERR_OK)
		return e;
	json_object_object_add(req_reply(r), "resource_id",
			       json_object_new_string(code));
	arr = json_object_new_array();
	json_object_object_add(req_reply(r), "holders", arr);
	while (db_next(rows))
		json_object_array_add(arr, holder_json(rows));
	e = db_rows_err(rows);
	db_rows_free(rows);
	return e != ERR_OK ? e : holders_sum(r, id);
}

/* ---- every holding (staff's overdue list) ------------------------------ */

static json_object *
holding_json(const struct db_rows *rows)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_id(db_col_int(rows, 0)));
	json_object_object_add(o, "resource_id",
			       json_object_new_string(db_col(rows, 1)));
	json_object_object_add(o, "resource_name",
			       json_object_new_string(db_col(rows, 2)));
	json_object_object_add(o, "units",
			       json_object_new_int64(db_col_int(rows, 3)));
	json_object_object_add(o, "kind", json_object_new_string(
		db_col(rows, 4) ? "project" : "user"));
	json_object_object_add(o, "project_id",
			       json_str_or_null(db_col(rows, 4)));
	json_object_object_add(o, "project_name",
			       json_str_or_null(db_col(rows, 5)));
	json_object_object_add(o, "user_id", db_col(rows, 6)
			       ? json_id(db_col_int(rows, 6)) : NULL);
	json_object_object_add(o, "username",
			       json_str_or_null(db_col(rows, 7)));
	json_object_object_add(o, "name", json_str_or_null(db_col(rows, 8)));
	json_object_object_add(o, "due_at", json_time(db_col(rows, 9)));
	json_object_object_add(o, "overdue",
			       json_object_new_boolean(db_col_int(rows, 10)));
	json_object_object_add(o, "borrowed_by",
			       json_str_or_null(db_col(rows, 11)));
	json_object_object_add(o, "borrower_name",
			       json_str_or_null(db_col(rows, 12)));
	return o;
}

/* Every holding with units out, the soonest due first (admins):
 * {holdings, total}; ?overdue=1 only those past their due date; paged by
 * ?limit=&offset=. */
static enum err
resources_holdings(struct req *r)
{
	long long overdue, limit, offset;
	struct db_rows *rows;
	json_object *arr;
	enum err e = req_query_int(r, "overdue", 0, 0, 1, &overdue);

	if (e == ERR_OK)
		e = req_paging(r, &limit, &offset);
	if (e == ERR_OK)
		e = db_query(r->db, sql[Q_HOLDINGS], DB_P(db_int(overdue),
			     db_int(limit), db_int(offset)), HOLDING_NCOLS,
			     &rows);
	if (e != ERR_OK)
		return e;
	arr = json_object_new_array();
	json_object_object_add(req_reply(r), "holdings", arr);
	while (db_next(rows))
		json_object_array_add(arr, holding_json(rows));
	e = db_rows_err(rows);
	db_rows_free(rows);
	return e != ERR_OK ? e : req_reply_count(r, "total",
		sql[Q_HOLDINGS_COUNT], DB_P(db_int(overdue)));
}

/* ---- reminders (haas-notifyd's sweep) ---------------------------------- */

/* The borrower and the project's members. */
#define SWEEP_USERS 65

/* Who hears of holding id: the borrower, then the project's members. */
static enum err
sweep_users(struct db *db, const struct db_rows *info, long long *users,
	    size_t *n)
{
	struct db_rows *rows;
	long long u;
	size_t i;
	enum err e;

	*n = 0;
	if (db_col(info, 6))
		users[(*n)++] = db_col_int(info, 6);
	if (!db_col(info, 5))
		return ERR_OK;
	e = db_query(db, sql[Q_SWEEP_MEMBERS], DB_P(db_int(db_col_int(info,
		5))), 1, &rows);
	if (e != ERR_OK)
		return e;
	while (*n < SWEEP_USERS && db_next(rows)) {
		u = db_col_int(rows, 0);
		for (i = 0; i < *n && users[i] != u; i++)
			;
		if (i == *n)
			users[(*n)++] = u;
	}
	e = db_rows_err(rows);
	db_rows_free(rows);
	return e;
}

/* The template's fields (hardware.due.txt, hardware.overdue.txt). */
static json_object *
sweep_fields(const struct db_rows *info, const struct config *cfg)
{
	json_object *f = json_object_new_object();
	char due[WHEN_MAX];

	when_human(db_col(info, 3), cfg->timezone, due);
	json_object_object_add(f, "resource_name",
			       json_object_new_string(db_col(info, 0)));
	json_object_object_add(f, "units",
			       json_object_new_string(db_col(info, 1)));
	json_object_object_add(f, "project_name",
			       json_object_new_string(db_col(info, 2)));
	json_object_object_add(f, "due", json_object_new_string(due));
	json_object_object_add(f, "holder_name",
			       json_object_new_string(db_col(info, 4)));
	return f;
}

/* Writes holding id's reminder (inside the sweep's transaction), unless
 * it has changed since it was picked or another sender holds it. */
static enum err
sweep_one(struct db *db, const struct config *cfg, long long id, void *arg)
{
	bool overdue = arg != NULL;
	long long users[SWEEP_USERS];
	struct db_rows *lock, *info = NULL;
	struct notice n = { .kind = overdue ? NK_HARDWARE_OVERDUE
					    : NK_HARDWARE_DUE };
	enum err e = db_row(db, sql[Q_SWEEP_LOCK], DB_P(db_int(id),
		db_int(overdue)), 2, ERR_OK, &lock);

	if (!lock)
		return e;
	e = db_row(db, sql[Q_SWEEP_INFO], DB_P(db_int(id)), 7, ERR_INTERNAL,
		   &info);
	if (e == ERR_OK)
		e = sweep_users(db, info, users, &n.nusers);
	if (e == ERR_OK) {
		n.fields = sweep_fields(info, cfg);
		n.users = users;
		n.once = db_col(lock, overdue ? 1 : 0);
		e = notify(db, &n, NULL);
		json_object_put(n.fields);
	}
	db_rows_free(info);
	db_rows_free(lock);
	return e;
}

/* Overdue first (a holding past due when first seen gets only that),
 * then due soon; arg is non-NULL for overdue. */
enum err
resources_notify_sweep(struct db *db, const struct config *cfg)
{
	bool overdue = true;
	enum err e = notify_sweep(db, cfg, sql[Q_SWEEP_OVERDUE], NULL, 0,
				  sweep_one, &overdue);

	return e != ERR_OK ? e : notify_sweep(db, cfg, sql[Q_SWEEP_DUE],
		DB_P(db_int(cfg->due_soon_lead)), sweep_one, NULL);
}

/* ---- the routes ------------------------------------------------------- */

/* What resource_json (and on the HaaS site resource_json_haas: _id, and
 * resource_id and name its old ones), event_json, holder_json,
 * holding_json and move_reply write. */
const struct schema_def resources_schemas[] = {
	{ "HardwareSet", "{resource_id: string, name: string,"
	  " total_units: int, available_units: int, held_by_you: int,"
	  " old_id: string?, old_name: string?, loan_days: int?,"
	  " held_by_you_due_at: time?, held_by_you_overdue: bool,"
	  " _id?: string}" },
	{ "HistoryEvent", "{id: id, at: time, actor_id: id, action: string,"
	  " resource_id: string, project_id: string?, user_id: id?,"
	  " units: int, available_units: int, actor_username: string?,"
	  " project_name: string?}" },
	{ "Holder", "{kind: string, units: int, project_id: string?,"
	  " project_name: string?, user_id: id?, username: string?,"
	  " name: string?, due_at: time?, overdue: bool,"
	  " borrowed_by: string?}" },
	{ "Holding", "{id: id, resource_id: string, resource_name: string,"
	  " units: int, kind: string, project_id: string?,"
	  " project_name: string?, user_id: id?, username: string?,"
	  " name: string?, due_at: time?, overdue: bool,"
	  " borrowed_by: string?, borrower_name: string?}" },
	/* One set's line of a checkout (with due_at) or checkin: the whole
	 * reply of a one-line request, the items of one with items. */
	{ "UnitsMoved", "{message: string, project_id: string?,"
	  " resource_id?: string, available_units?: int, due_at?: time?,"
	  " resources?: [{resource_id: string, units: int,"
	  " available_units: int, due_at?: time?}]}" },
	{ NULL, NULL },
};

static const struct qparam holdings_query[] = {
	{ "overdue", "integer", "1: only those past their due date" },
	QP_LIMIT,
	QP_OFFSET,
	{ NULL },
};

#define MOVE_ERRORS ERR_CHECKOUT_FIELDS, ERR_UNITS_INVALID, \
	ERR_ITEMS_INVALID, ERR_RESOURCE_NOT_FOUND, ERR_PROJECT_NOT_FOUND, \
	ERR_NOT_PROJECT_MEMBER, ERR_IDEMPOTENCY_MISMATCH
#define SET_LIST "{resources: [HardwareSet], total: int}"

/* Fixed paths come before /api/resources/{resource_id}: the first match
 * wins.  checkout and checkin have a row for every site but the HaaS
 * app's (it describes them) and one for the HaaS app's, where project_id
 * may be {"$oid"}. */
const struct route resources_routes[] = {
	{ "GET", "/api/resources", ROLE_USER, 200, BODY_NONE, resources_list,
	  "Hardware sets with total and available units", .query = route_paging,
	  .reply = SET_LIST },
	{ "GET", "/api/resources/all", ROLE_USER, 200, BODY_NONE,
	  resources_list, "Hardware sets (HaaS path)", .query = route_paging,
	  .reply = SET_LIST },
	{ "POST", "/api/resources/create", ROLE_ADMIN, 201, BODY_JSON,
	  resources_create, "Create a hardware set", ROUTE_IDEMPOTENT,
	  ROUTE_FIELDS(create_spec),
	  .reply = "{message: string, resource_id: string}",
	  ROUTE_ERRORS(ERR_RESOURCE_FIELDS, ERR_TOTAL_UNITS_INVALID,
		       ERR_RESOURCE_EXISTS, ERR_OLD_ID_TAKEN,
		       ERR_IDEMPOTENCY_MISMATCH) },
	{ "POST", "/api/resources/checkout", ROLE_USER, 200, BODY_JSON,
	  resources_checkout,
	  "Check units out to a project or yourself (or items, all or none)",
	  ROUTE_IDEMPOTENT | ROUTE_AUTH_LATE, ROUTE_FIELDS(move_spec), .reply = "UnitsMoved",
	  ROUTE_ERRORS(MOVE_ERRORS, ERR_INSUFFICIENT_UNITS) },
	{ "POST", "/api/resources/checkin", ROLE_USER, 200, BODY_JSON,
	  resources_checkin,
	  "Check units back in (or items, all or none)",
	  ROUTE_IDEMPOTENT | ROUTE_AUTH_LATE, ROUTE_FIELDS(move_spec), .reply = "UnitsMoved",
	  ROUTE_ERRORS(MOVE_ERRORS, ERR_CHECKIN_FAILED) },
	{ "GET", "/api/holdings", ROLE_ADMIN, 200, BODY_NONE,
	  resources_holdings,
	  "Every holding with units out, soonest due first (?overdue=1)",
	  .query = holdings_query,
	  .reply = "{holdings: [Holding], total: int}" },
	{ "GET", "/api/resources/{resource_id}", ROLE_USER, 200, BODY_NONE,
	  resources_get, "A hardware set", .reply = "{resource: HardwareSet}",
	  ROUTE_ERRORS(ERR_RESOURCE_NOT_FOUND) },
	{ "PATCH", "/api/resources/{resource_id}", ROLE_ADMIN, 200, BODY_JSON,
	  resources_update,
	  "Rename or resize a hardware set (never below what is out)",
	  ROUTE_FIELDS(update_spec), .reply = "{resource: HardwareSet}",
	  ROUTE_ERRORS(ERR_NO_CHANGES, ERR_TOTAL_UNITS_INVALID,
		       ERR_RESOURCE_NOT_FOUND, ERR_RESOURCE_EXISTS,
		       ERR_OLD_ID_TAKEN, ERR_CAPACITY_BELOW_HELD) },
	{ "DELETE", "/api/resources/{resource_id}", ROLE_ADMIN, 204,
	  BODY_NONE, resources_retire,
	  "Retire a hardware set (only when nothing is held)",
	  ROUTE_ERRORS(ERR_RESOURCE_NOT_FOUND, ERR_RESOURCE_IN_USE) },
	{ "GET", "/api/resources/{resource_id}/history", ROLE_ADMIN, 200,
	  BODY_NONE, resources_history_get,
	  "Checkouts and checkins of a set, newest first (?cursor=)",
	  .query = route_cursor_paging,
	  .reply = "{history: [HistoryEvent], next_cursor: id?}",
	  ROUTE_ERRORS(ERR_RESOURCE_NOT_FOUND) },
	{ "GET", "/api/resources/{resource_id}/holders", ROLE_ADMIN, 200,
	  BODY_NONE, resources_holders,
	  "Who holds units of a set now (projects and people), most first",
	  .query = route_paging, .reply = "{resource_id: string, holders: [Holder],"
	  " total: int, held_units: int}",
	  ROUTE_ERRORS(ERR_RESOURCE_NOT_FOUND) },
	{ 0 },
};

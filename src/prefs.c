/* prefs: notification preferences, the rows of notice_prefs that notify()
 * applies to each recipient. */
#include "prefs.h"

#include <string.h>

#include "body.h"
#include "db.h"
#include "notify.h"
#include "openapi.h"
#include "util.h"

enum prefs_sql {
	Q_LIST,
	Q_UPSERT,
};

static const char *const sql[] = {
	[Q_LIST] = "SELECT kind, mode FROM notice_prefs WHERE user_id = ?",
	[Q_UPSERT] = "INSERT INTO notice_prefs (user_id, kind, mode)"
		" VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE mode = VALUES(mode)",
};

static const char *const modes[] = { "immediate", "digest", "off" };

/* May role choose how kind k reaches them?  Forced kinds (reset links,
 * digests) and webhook-only ones have no preference. */
static bool
settable(enum notice_kind k, enum role role)
{
	const struct notice_kind_info *ki = notice_kind_info(k);

	return !(ki->flags & (NKF_FORCED | NKF_HOOK_ONLY)) &&
	       ki->audience <= role;
}

static bool
mode_valid(const char *m)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(modes); i++)
		if (!strcmp(m, modes[i]))
			return true;
	return false;
}

/* The caller's modes, by kind (NULL: immediate, no row). */
static enum err
modes_load(struct req *r, const char *out[NK_COUNT])
{
	struct db_rows *rows;
	int k;
	enum err e = db_query(r->db, sql[Q_LIST], DB_P(db_int(r->user.id)),
			      2, &rows);

	if (e != ERR_OK)
		return e;
	while (db_next(rows)) {
		k = notice_kind_parse(db_col(rows, 0));
		if (k >= 0)
			out[k] = req_strdup(r, db_col(rows, 1));
	}
	e = db_rows_err(rows);
	db_rows_free(rows);
	return e;
}

/* {"kinds": [{kind, label, mode}], "modes": [...]}: what the caller may
 * set and how each is set now. */
static enum err
reply_prefs(struct req *r)
{
	const char *mode[NK_COUNT] = { 0 };
	json_object *kinds, *list, *o;
	size_t i;
	int k;
	enum err e = modes_load(r, mode);

	if (e != ERR_OK)
		return e;
	kinds = json_object_new_array();
	for (k = 0; k < NK_COUNT; k++) {
		if (!settable(k, r->user.role))
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "kind", json_object_new_string(
			notice_kind_info(k)->name));
		json_object_object_add(o, "label", json_object_new_string(
			notice_kind_info(k)->label));
		json_object_object_add(o, "mode", json_object_new_string(
			mode[k] ? mode[k] : "immediate"));
		json_object_array_add(kinds, o);
	}
	list = json_object_new_array();
	for (i = 0; i < ARRAY_SIZE(modes); i++)
		json_object_array_add(list, json_object_new_string(modes[i]));
	json_object_object_add(req_reply(r), "kinds", kinds);
	json_object_object_add(req_reply(r), "modes", list);
	return ERR_OK;
}

/* GET /api/me/notifications */
static enum err
prefs_get(struct req *r)
{
	return reply_prefs(r);
}

/* e, naming the kind it is about. */
static enum err
kind_err(struct req *r, enum err e, const char *kind)
{
	req_fail_extra(r, "field", json_object_new_string(kind));
	return req_fail(r, e, "%s: %s", kind, err_message(e));
}

/* Checks one "kind": "mode" pair of the body. */
static enum err
pair_check(struct req *r, const char *kind, json_object *mode)
{
	int k = notice_kind_parse(kind);

	if (k < 0 || (notice_kind_info(k)->flags &
		      (NKF_FORCED | NKF_HOOK_ONLY)))
		return kind_err(r, ERR_NOTICE_KIND, kind);
	if (!settable(k, r->user.role))
		return kind_err(r, ERR_NOTICE_ROLE, kind);
	if (!json_object_is_type(mode, json_type_string) ||
	    !mode_valid(json_object_get_string(mode)))
		return kind_err(r, ERR_NOTICE_MODE, kind);
	return ERR_OK;
}

/* Every pair of the body, upserted (in req_txn). */
static enum err
put_tx(struct req *r, void *arg)
{
	enum err e = ERR_OK;

	(void)arg;
	json_object_object_foreach(r->json, kind, mode) {
		e = db_exec(r->db, sql[Q_UPSERT], DB_P(db_int(r->user.id),
			    db_str(kind), db_str(json_object_get_string(mode))),
			    NULL);
		if (e != ERR_OK)
			break;
	}
	return e;
}

/* PUT /api/me/notifications {"<kind>": "immediate|digest|off", ...}: the
 * keys are the kinds themselves, so the body is read pair by pair
 * rather than by a field list; all are checked before any is written. */
static enum err
prefs_put(struct req *r)
{
	enum err e = ERR_OK;

	json_object_object_foreach(r->json, kind, mode) {
		e = pair_check(r, kind, mode);
		if (e != ERR_OK)
			return e;
	}
	e = req_txn(r, put_tx, NULL);
	return e != ERR_OK ? e : reply_prefs(r);
}

/* What reply_prefs writes. */
const struct schema_def prefs_schemas[] = {
	{ "Preferences", "{kinds: [{kind: string, label: string,"
	  " mode: string}], modes: [string]}" },
	{ NULL, NULL },
};

const struct route prefs_routes[] = {
	{ "GET", "/api/me/notifications", ROLE_USER, 200, BODY_NONE,
	  prefs_get, "The kinds of notice you may choose for, and how each"
	  " reaches you", .reply = "Preferences" },
	/* The body's keys are the kinds themselves: no field list describes
	 * it (see prefs_put). */
	{ "PUT", "/api/me/notifications", ROLE_USER, 200, BODY_JSON,
	  prefs_put, "Choose per kind: immediate, digest or off",
	  .body_notation = "{*: string}", .reply = "Preferences",
	  ROUTE_ERRORS(ERR_NOTICE_KIND, ERR_NOTICE_MODE, ERR_NOTICE_ROLE) },
	{ 0 },
};

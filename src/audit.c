/* audit: one INSERT into audit_log per recorded event. */
#include "audit.h"

#include <stdint.h>
#include <stdio.h>

#include "db.h"
#include "openapi.h"
#include "req.h"
#include "util.h"

enum audit_sql { Q_INSERT, Q_PAGE, Q_ACTIONS, Q_ENTITIES };

static const char *const sql[] = {
	[Q_INSERT] =
		"INSERT INTO audit_log (actor_id, action, entity, entity_id,"
		" details, request_id, remote_addr) VALUES (?, ?, ?, ?, ?, ?, ?)",
	/* Newest first; the cursor is the last id seen.  The actor's and a
	 * user entity's current username come along (NULL once erased). */
	[Q_PAGE] =
		"SELECT a.id, a.at, a.actor_id, a.action, a.entity,"
		" a.entity_id, a.details, a.request_id, a.remote_addr,"
		" u.username, u.name, e.username FROM audit_log a"
		" LEFT JOIN users u ON u.id = a.actor_id"
		" LEFT JOIN users e ON e.id = IF(a.entity = 'user',"
		"   CAST(a.entity_id AS UNSIGNED), NULL)"
		" WHERE a.id < ?"
		" AND (? IS NULL OR a.actor_id = ?)"
		" AND (? IS NULL OR a.action = ?)"
		" AND (? IS NULL OR a.entity = ?)"
		" AND (? IS NULL OR a.entity_id = ?)"
		" AND (? IS NULL OR a.at >= ?) AND (? IS NULL OR a.at < ?)"
		" ORDER BY a.id DESC LIMIT ?",
	/* Loose index scans over ix_audit_action and ix_audit_entity. */
	[Q_ACTIONS] = "SELECT DISTINCT action FROM audit_log ORDER BY action",
	[Q_ENTITIES] = "SELECT DISTINCT entity FROM audit_log ORDER BY entity",
};

enum err
audit_write(struct db *db, const struct req *r, long long actor,
	    const char *action, const char *entity, const char *entity_id,
	    json_object *details)
{
	const char *text = details ? json_object_to_json_string_ext(details,
		JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE) : NULL;
	enum err e;

	e = db_exec(db, sql[Q_INSERT], DB_P(
		actor ? db_int(actor) : db_null(), db_str(action),
		db_str(entity), db_str(entity_id), db_str(text),
		db_str(r ? r->request_id : NULL),
		db_str(r ? r->remote_addr : NULL)), NULL);
	json_object_put(details);
	return e;
}

static json_object *
entry_json(const struct db_rows *rows)
{
	json_object *o = json_object_new_object();
	const char *actor = db_col(rows, 2), *details = db_col(rows, 6);

	json_object_object_add(o, "id", json_id(db_col_int(rows, 0)));
	json_object_object_add(o, "at", json_time(db_col(rows, 1)));
	json_object_object_add(o, "actor_id", json_str_or_null(actor));
	json_object_object_add(o, "action",
			       json_object_new_string(db_col(rows, 3)));
	json_object_object_add(o, "entity",
			       json_object_new_string(db_col(rows, 4)));
	json_object_object_add(o, "entity_id",
			       json_str_or_null(db_col(rows, 5)));
	json_object_object_add(o, "details",
			       details ? json_tokener_parse(details) : NULL);
	json_object_object_add(o, "request_id",
			       json_str_or_null(db_col(rows, 7)));
	json_object_object_add(o, "remote_addr",
			       json_str_or_null(db_col(rows, 8)));
	json_object_object_add(o, "actor_username",
			       json_str_or_null(db_col(rows, 9)));
	json_object_object_add(o, "actor_name",
			       json_str_or_null(db_col(rows, 10)));
	json_object_object_add(o, "entity_username",
			       json_str_or_null(db_col(rows, 11)));
	return o;
}

static enum err
audit_list(struct req *r)
{
	const char *actor = req_query(r, "actor_id"), *action =
		req_query(r, "action"), *entity = req_query(r, "entity"),
		*eid = req_query(r, "entity_id");
	const char *from, *to;
	long long limit, cursor;
	json_object *arr;
	struct db_rows *rows;
	long long last = 0, n = 0;
	enum err e = req_query_db_time(r, "from", &from);

	if (e == ERR_OK)
		e = req_query_db_time(r, "to", &to);
	if (e == ERR_OK)
		e = req_cursor_paging(r, &limit, &cursor);
	if (e != ERR_OK)
		return e;
	e = db_query(r->db, sql[Q_PAGE], DB_P(db_int(cursor), db_str(actor),
		db_str(actor), db_str(action), db_str(action), db_str(entity),
		db_str(entity), db_str(eid), db_str(eid), db_str(from),
		db_str(from), db_str(to), db_str(to), db_int(limit)), 12,
		&rows);
	if (e == ERR_FIELD_INVALID)
		return req_fail(r, ERR_BAD_QUERY, "Invalid filter value");
	if (e != ERR_OK)
		return e;
	arr = json_object_new_array();
	json_object_object_add(req_reply(r), "entries", arr);
	while (db_next(rows)) {
		json_object_array_add(arr, entry_json(rows));
		last = db_col_int(rows, 0);
		n++;
	}
	e = db_rows_err(rows);
	db_rows_free(rows);
	json_object_object_add(req_reply(r), "next_cursor", n == limit
		? json_object_new_string(req_printf(r, "%lld", last)) : NULL);
	return e;
}

/* The first column of every row of q as a JSON array of strings. */
static enum err
column_list(struct req *r, const char *q, const char *key)
{
	json_object *arr = json_object_new_array();
	struct db_rows *rows;
	enum err e;

	json_object_object_add(req_reply(r), key, arr);
	e = db_query(r->db, q, DB_NONE, 1, &rows);
	if (e != ERR_OK)
		return e;
	while (db_next(rows))
		json_object_array_add(arr, json_object_new_string(
			db_col(rows, 0)));
	e = db_rows_err(rows);
	db_rows_free(rows);
	return e;
}

/* The actions and entities the log holds, for a filter's choices. */
static enum err
audit_facets(struct req *r)
{
	enum err e = column_list(r, sql[Q_ACTIONS], "actions");

	return e != ERR_OK ? e : column_list(r, sql[Q_ENTITIES], "entities");
}

/* An entry as entry_json writes it; details are what the action
 * recorded (an object, mostly; a staff.create's is the role). */
const struct schema_def audit_schemas[] = {
	{ "AuditEntry", "{id: id, at: time, actor_id: id?, action: string,"
	  " entity: string, entity_id: string?, details: any,"
	  " request_id: string?, remote_addr: string?, actor_username: string?,"
	  " actor_name: string?, entity_username: string?}" },
	{ NULL, NULL },
};

static const struct qparam list_query[] = {
	{ "actor_id", "string", "Only entries by this user (an id)" },
	{ "action", "string", "Only this action (\"login.failure\")" },
	{ "entity", "string", "Only entries about this kind of thing" },
	{ "entity_id", "string", "Only entries about this one (with entity)" },
	{ "from", "date-time", "At or after this time" },
	{ "to", "date-time", "Before this time" },
	QP_LIMIT,
	QP_CURSOR,
	{ NULL, NULL, NULL },
};

const struct route audit_routes[] = {
	{ "GET", "/api/audit", ROLE_ADMIN, 200, BODY_NONE, audit_list,
	  "The audit log, newest first (filters, ?cursor=)",
	  .query = list_query,
	  .reply = "{entries: [AuditEntry], next_cursor: id?}" },
	{ "GET", "/api/audit/facets", ROLE_ADMIN, 200, BODY_NONE, audit_facets,
	  "The actions and entities the audit log holds",
	  .reply = "{actions: [string], entities: [string]}" },
	{ 0 },
};

/* audit: one INSERT into audit_log per recorded event. */
#include "audit.h"

#include <stdint.h>
#include <stdio.h>

#include "db.h"
#include "req.h"
#include "util.h"

enum audit_sql { Q_INSERT, Q_PAGE };

static const char *const sql[] = {
	[Q_INSERT] =
		"INSERT INTO audit_log (actor_id, action, entity, entity_id,"
		" details, request_id, remote_addr) VALUES (?, ?, ?, ?, ?, ?, ?)",
	/* Newest first; the cursor is the last id seen. */
	[Q_PAGE] =
		"SELECT id, at, actor_id, action, entity, entity_id, details,"
		" request_id FROM audit_log WHERE id < ?"
		" AND (? IS NULL OR actor_id = ?) AND (? IS NULL OR action = ?)"
		" AND (? IS NULL OR entity = ?) AND (? IS NULL OR entity_id = ?)"
		" AND (? IS NULL OR at >= ?) AND (? IS NULL OR at < ?)"
		" ORDER BY id DESC LIMIT ?",
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
		db_str(from), db_str(to), db_str(to), db_int(limit)), 8, &rows);
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

const struct route audit_routes[] = {
	{ "GET", "/api/audit", ROLE_ADMIN, 200, BODY_NONE, audit_list,
	  "The audit log, newest first (filters, ?cursor=)" },
	{ 0 },
};

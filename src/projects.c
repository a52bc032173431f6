/* projects: HaaS projects: create, list a user's, join, leave, detail with
 * members and units held per hardware set, and the project's history; on
 * the HaaS React app's site, the same in its dialect (_id, viewers,
 * joined_users, resources keyed by the sets' old ids, add_viewer). */
#include "projects.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "body.h"
#include "db.h"
#include "resources.h"
#include "util.h"

enum projects_sql {
	Q_USER_EXISTS,
	Q_INSERT,
	Q_ADD_MEMBER,
	Q_FIND,
	Q_LEAVE,
	Q_LIST,
	Q_GET,
	Q_MEMBERS,
	Q_HOLDINGS,
	Q_SETS,
};

#define PROJECT_COLS \
	"p.id, p.code, p.name, p.description, p.owner_id, p.created_at"
/* Projects that user ? belongs to (? NULL: any). */
#define MEMBER_OF(col) \
	" AND (? IS NULL OR " col " IN (SELECT project_id" \
	" FROM project_members WHERE user_id = ?))"

static const char *const sql[] = {
	[Q_USER_EXISTS] = "SELECT id FROM users WHERE id = ?"
		" AND status <> 'deleted'",
	[Q_INSERT] = "INSERT INTO projects (code, name, description,"
		" owner_id) VALUES (?, ?, ?, ?)",
	[Q_ADD_MEMBER] = "INSERT INTO project_members (project_id, user_id)"
		" VALUES (?, ?)",
	/* The project by code, its owner, and whether user ? is a member. */
	[Q_FIND] = "SELECT p.id, p.owner_id, m.user_id IS NOT NULL"
		" FROM projects p LEFT JOIN project_members m"
		" ON m.project_id = p.id AND m.user_id = ? WHERE p.code = ?",
	[Q_LEAVE] = "DELETE FROM project_members WHERE project_id = ?"
		" AND user_id = ?",
	[Q_LIST] = "SELECT " PROJECT_COLS " FROM projects p"
		" JOIN project_members me ON me.project_id = p.id"
		" AND me.user_id = ? ORDER BY p.id LIMIT ? OFFSET ?",
	[Q_GET] = "SELECT " PROJECT_COLS " FROM projects p WHERE p.id = ?",
	/* Members (with the names fellow members see) and holdings of the
	 * projects in one page [lo, hi]. */
	[Q_MEMBERS] = "SELECT m.project_id, m.user_id, u.username, u.name"
		" FROM project_members m JOIN users u ON u.id = m.user_id"
		" WHERE m.project_id BETWEEN ? AND ?" MEMBER_OF("m.project_id")
		" ORDER BY m.project_id, m.joined_at, m.user_id",
	[Q_HOLDINGS] = "SELECT h.project_id, r.code, h.units, r.name,"
		" h.due_at, COALESCE(h.due_at <= UTC_TIMESTAMP(6), 0),"
		" b.username FROM resource_holdings h JOIN resources r"
		" ON r.id = h.resource_id"
		" LEFT JOIN users b ON b.id = h.borrowed_by WHERE h.units > 0"
		" AND h.project_id BETWEEN ? AND ?" MEMBER_OF("h.project_id")
		" ORDER BY h.project_id, r.code",
	/* Every live set: its code and the name the HaaS app knows it by. */
	[Q_SETS] = "SELECT code, COALESCE(old_id, code) FROM resources"
		" WHERE retired_at IS NULL ORDER BY code",
};

static bool
is_admin(const struct req *r)
{
	return r->user.role == ROLE_ADMIN;
}

static bool
is_haas_site(const struct req *r)
{
	return r->profile == PROFILE_HAAS_REACT;
}

/* ---- the HaaS app's view of projects ---------------------------------- */

/* Rewrites project p (as haas shows it) into the HaaS app's shape too:
 * _id is the code (the app sends it back as project_id); viewers and
 * joined_users are the members (haas has one kind of membership, which
 * shows a project and lets its members check units out); resources is
 * keyed by every live set's old id (sets, code -> old id), 0 when the
 * project holds none, since the app reads both of its sets' counts. */
static void
haas_project(json_object *p, json_object *sets)
{
	json_object *held = json_object_object_get(p, "resources");
	json_object *members = json_object_object_get(p, "members");
	json_object *res = json_object_new_object();

	json_object_object_foreach(sets, code, alias) {
		json_object *n = NULL;

		json_object_object_get_ex(held, code, &n);
		json_object_object_add(res, json_object_get_string(alias),
				       n ? json_object_get(n)
					 : json_object_new_int(0));
	}
	json_object_object_add(p, "resources", res);
	json_object_object_add(p, "_id", json_object_get(
		json_object_object_get(p, "project_id")));
	json_object_object_add(p, "viewers", json_object_get(members));
	json_object_object_add(p, "joined_users", json_object_get(members));
}

/* The HaaS app's view of every project in arr (on its site only). */
static enum err
haas_view(struct req *r, json_object *arr)
{
	struct db_rows *rows;
	json_object *sets;
	size_t i;
	enum err e;

	if (!is_haas_site(r))
		return ERR_OK;
	e = db_query(r->db, sql[Q_SETS], DB_NONE, 2, &rows);
	if (e != ERR_OK)
		return e;
	sets = json_object_new_object();
	while (db_next(rows))
		json_object_object_add(sets, db_col(rows, 0),
				       json_object_new_string(db_col(rows, 1)));
	e = db_rows_err(rows);
	db_rows_free(rows);
	for (i = 0; e == ERR_OK && i < json_object_array_length(arr); i++)
		haas_project(json_object_array_get_idx(arr, i), sets);
	json_object_put(sets);
	return e;
}

/* ---- reading projects ------------------------------------------------- */

static json_object *
project_json(const struct db_rows *rows)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "project_id",
			       json_object_new_string(db_col(rows, 1)));
	json_object_object_add(o, "project_name",
			       json_object_new_string(db_col(rows, 2)));
	json_object_object_add(o, "description",
			       json_str_or_null(db_col(rows, 3)));
	json_object_object_add(o, "user_id", json_id(db_col_int(rows, 4)));
	json_object_object_add(o, "created_at", json_time(db_col(rows, 5)));
	json_object_object_add(o, "members", json_object_new_array());
	json_object_object_add(o, "member_details", json_object_new_array());
	json_object_object_add(o, "resources", json_object_new_object());
	json_object_object_add(o, "holdings", json_object_new_array());
	return o;
}

/* The project in byid (internal id -> project JSON, borrowed) that row
 * column 0 names; NULL when it is not on this page. */
static json_object *
project_of(json_object *byid, const struct db_rows *rows)
{
	json_object *p = NULL;

	json_object_object_get_ex(byid, db_col(rows, 0), &p);
	return p;
}

/* A member as {user_id, username, name}: members is ids only (the
 * contract's shape), so pages that show people read this instead. */
static json_object *
member_json(const struct db_rows *rows)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "user_id", json_id(db_col_int(rows, 1)));
	json_object_object_add(o, "username", json_str_or_null(db_col(rows,
		2)));
	json_object_object_add(o, "name", json_str_or_null(db_col(rows, 3)));
	return o;
}

/* A holding of the project: {resource_id, name, units, due_at, overdue,
 * borrowed_by} (resources keeps the contract's code -> units). */
static json_object *
holding_json(const struct db_rows *rows)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "resource_id",
			       json_object_new_string(db_col(rows, 1)));
	json_object_object_add(o, "name",
			       json_object_new_string(db_col(rows, 3)));
	json_object_object_add(o, "units",
			       json_object_new_int64(db_col_int(rows, 2)));
	json_object_object_add(o, "due_at", json_time(db_col(rows, 4)));
	json_object_object_add(o, "overdue",
			       json_object_new_boolean(db_col_int(rows, 5)));
	json_object_object_add(o, "borrowed_by",
			       json_str_or_null(db_col(rows, 6)));
	return o;
}

/* Adds members and units held per set to the projects in byid, whose
 * ids lie in [lo, hi]; user (0: any) limits the rows to their projects. */
static enum err
project_details(struct req *r, json_object *byid, long long lo,
		long long hi, long long user)
{
	struct db_param u = user ? db_int(user) : db_null();
	struct db_rows *rows;
	json_object *p;
	enum err e = db_query(r->db, sql[Q_MEMBERS], DB_P(db_int(lo),
		db_int(hi), u, u), 4, &rows);

	if (e != ERR_OK)
		return e;
	while (db_next(rows)) {
		p = project_of(byid, rows);
		if (!p)
			continue;
		json_object_array_add(json_object_object_get(p, "members"),
				      json_id(db_col_int(rows, 1)));
		json_object_array_add(json_object_object_get(p,
			"member_details"), member_json(rows));
	}
	e = db_rows_err(rows);
	db_rows_free(rows);
	if (e == ERR_OK)
		e = db_query(r->db, sql[Q_HOLDINGS], DB_P(db_int(lo),
			db_int(hi), u, u), 7, &rows);
	if (e != ERR_OK)
		return e;
	while (db_next(rows)) {
		p = project_of(byid, rows);
		if (!p)
			continue;
		json_object_object_add(json_object_object_get(p,
			"resources"), db_col(rows, 1),
			json_object_new_int64(db_col_int(rows, 2)));
		json_object_array_add(json_object_object_get(p, "holdings"),
				      holding_json(rows));
	}
	e = db_rows_err(rows);
	db_rows_free(rows);
	return e;
}

/* Runs a project query into array arr, indexing each in byid. */
static enum err
project_rows(struct req *r, const char *q, const struct db_param *p,
	     size_t np, json_object *arr, json_object *byid,
	     long long *lo, long long *hi)
{
	struct db_rows *rows;
	enum err e = db_query(r->db, q, p, np, 6, &rows);

	if (e != ERR_OK)
		return e;
	*lo = 0;
	*hi = -1;
	while (db_next(rows)) {
		json_object *o = project_json(rows);

		json_object_array_add(arr, o);
		json_object_object_add(byid, db_col(rows, 0),
				       json_object_get(o));
		if (!*lo)
			*lo = db_col_int(rows, 0);
		*hi = db_col_int(rows, 0);
	}
	e = db_rows_err(rows);
	db_rows_free(rows);
	return e;
}

static enum err
projects_list(struct req *r)
{
	json_object *arr, *byid;
	long long user, limit, offset, lo, hi;
	enum err e;

	if (parse_ll(req_param(r, "user_id"), 1, INT64_MAX, &user))
		return ERR_USER_NOT_FOUND;
	if (user != r->user.id && !is_admin(r))
		return req_fail(r, ERR_FORBIDDEN,
				"You may only list your own projects");
	e = req_paging(r, &limit, &offset);
	if (e != ERR_OK)
		return e;
	arr = json_object_new_array();
	json_object_object_add(req_reply(r), "projects", arr);
	byid = json_object_new_object();
	e = project_rows(r, sql[Q_LIST], DB_P(db_int(user), db_int(limit),
		db_int(offset)), arr, byid, &lo, &hi);
	if (e == ERR_OK && hi >= lo)
		e = project_details(r, byid, lo, hi, user);
	if (e == ERR_OK)
		e = haas_view(r, arr);
	json_object_put(byid);
	return e;
}

/* ---- one project ------------------------------------------------------ */

struct project {
	long long id;
	long long owner;
	bool member;		/* the caller is a member */
};

/* Finds project code (404 when absent) with the caller's membership. */
static enum err
project_find(struct req *r, const char *code, struct project *p)
{
	struct db_rows *row;
	enum err e = db_row(r->db, sql[Q_FIND], DB_P(db_int(r->user.id),
		db_str(code)), 3, ERR_PROJECT_NOT_FOUND, &row);

	if (!row)
		return e;
	p->id = db_col_int(row, 0);
	p->owner = db_col_int(row, 1);
	p->member = db_col_int(row, 2) != 0;
	db_rows_free(row);
	return ERR_OK;
}

/* The project named in the path, readable by members and admins. */
static enum err
project_visible(struct req *r, struct project *p)
{
	enum err e = project_find(r, req_param(r, "project_id"), p);

	if (e == ERR_OK && !p->member && !is_admin(r))
		e = ERR_NOT_PROJECT_MEMBER;
	return e;
}

static enum err
projects_get(struct req *r)
{
	json_object *arr, *byid;
	struct project p;
	long long lo, hi;
	enum err e = project_visible(r, &p);

	if (e != ERR_OK)
		return e;
	arr = json_object_new_array();
	byid = json_object_new_object();
	e = project_rows(r, sql[Q_GET], DB_P(db_int(p.id)), arr, byid, &lo,
			 &hi);
	if (e == ERR_OK && hi >= lo)
		e = project_details(r, byid, lo, hi, 0);
	if (e == ERR_OK)
		e = haas_view(r, arr);
	if (e == ERR_OK && json_object_array_length(arr) == 1)
		json_object_object_add(req_reply(r), "project", json_object_get(
			json_object_array_get_idx(arr, 0)));
	json_object_put(byid);
	json_object_put(arr);
	return e;
}

static enum err
projects_history(struct req *r)
{
	struct project p;
	enum err e = project_visible(r, &p);

	return e != ERR_OK ? e : resources_history(r, 0, p.id);
}

/* ---- create, join, leave ---------------------------------------------- */

enum { C_USER, C_NAME, C_DESC, C_CODE };

static const struct field create_spec[] = {
	[C_USER] = { "user_id", FT_ID, F_REQUIRED,
		     .missing = ERR_PROJECT_FIELDS },
	[C_NAME] = { "project_name", FT_STRING, F_REQUIRED | F_TRIM,
		     .max = 200, .missing = ERR_PROJECT_FIELDS },
	[C_DESC] = { "description", FT_STRING, F_TRIM | F_NULLABLE,
		     .max = 2000 },
	[C_CODE] = { "project_id", FT_STRING, F_REQUIRED | F_TRIM,
		     .max = 64, .missing = ERR_PROJECT_FIELDS },
};

/* ERR_USER_NOT_FOUND unless user id exists (an admin creating a
 * project for someone else may name anyone). */
static enum err
user_exists(struct req *r, long long id)
{
	long long found;

	return db_query_int(r->db, sql[Q_USER_EXISTS], DB_P(db_int(id)),
			    ERR_USER_NOT_FOUND, &found);
}

/* Inserts the project, its owner's membership and the audit entry (in
 * req_txn). */
static enum err
create_tx(struct req *r, void *arg)
{
	const struct field_value *v = arg;
	long long owner = v[C_USER].i;
	struct db_result res;
	enum err e = ERR_OK;

	if (owner != r->user.id)
		e = user_exists(r, owner);
	if (e == ERR_OK)
		e = db_exec(r->db, sql[Q_INSERT], DB_P(db_str(v[C_CODE].s),
			db_str(v[C_NAME].s),
			db_str(v[C_DESC].is_null ? NULL : v[C_DESC].s),
			db_int(owner)), &res);
	if (e == ERR_DUPLICATE)
		return ERR_PROJECT_EXISTS;
	if (e == ERR_OK)
		e = db_exec(r->db, sql[Q_ADD_MEMBER], DB_P(
			db_int((long long)res.insert_id), db_int(owner)), NULL);
	return e != ERR_OK ? e : audit_write(r->db, r, r->user.id,
		"project.create", "project", v[C_CODE].s,
		json_object_new_string(v[C_NAME].s));
}

static enum err
projects_create(struct req *r)
{
	const struct field_value *v = r->vals;
	enum err e;

	if (v[C_USER].i != r->user.id && !is_admin(r))
		return req_fail(r, ERR_FORBIDDEN,
				"You may only create projects for yourself");
	e = req_txn(r, create_tx, (void *)v);
	if (e != ERR_OK)
		return e;
	json_object_object_add(req_reply(r), "message", json_object_new_string(
		"Project created successfully"));
	json_object_object_add(req_reply(r), "project_id",
			       json_object_new_string(v[C_CODE].s));
	return ERR_OK;
}

/* join and leave: project_id (the HaaS app sends {"$oid": ...}, and its
 * own user_id, which its site checks). */
enum { MS_PROJECT, MS_USER };
static const struct field member_spec[] = {
	[MS_PROJECT] = { "project_id", FT_STRING, F_REQUIRED | F_TRIM | F_OID,
			 .max = 64 },
	[MS_USER] = { "user_id", FT_ID, 0 },
};

/* The caller joins p; a concurrent join of the same pair hits the
 * primary key. */
static enum err
join_apply(struct req *r, const struct project *p)
{
	enum err e;

	if (p->member)
		return ERR_ALREADY_MEMBER;
	e = db_exec(r->db, sql[Q_ADD_MEMBER], DB_P(db_int(p->id),
		db_int(r->user.id)), NULL);
	return e == ERR_DUPLICATE ? ERR_ALREADY_MEMBER : e;
}

/* The owner stays, so a project always has someone who can return what
 * it holds. */
static enum err
leave_apply(struct req *r, const struct project *p)
{
	struct db_result res;
	enum err e;

	if (!p->member)
		return ERR_NOT_MEMBER;
	if (p->owner == r->user.id)
		return ERR_OWNER_CANNOT_LEAVE;
	e = db_exec(r->db, sql[Q_LEAVE], DB_P(db_int(p->id),
		db_int(r->user.id)), &res);
	if (e == ERR_OK && res.affected != 1)
		e = ERR_NOT_MEMBER;
	return e;
}

struct membership {
	const char *code;
	bool join;
};

/* Joins or leaves the project, with its audit entry (in req_txn). */
static enum err
membership_tx(struct req *r, void *arg)
{
	const struct membership *m = arg;
	struct project p;
	enum err e = project_find(r, m->code, &p);

	if (e == ERR_OK)
		e = m->join ? join_apply(r, &p) : leave_apply(r, &p);
	return e != ERR_OK ? e : audit_write(r->db, r, r->user.id, m->join
		? "project.join" : "project.leave", "project", m->code, NULL);
}

static enum err
membership(struct req *r, bool join)
{
	const struct field_value *v = r->vals;
	struct membership m = { v[MS_PROJECT].s, join };

	/* The old backend acted for whoever user_id named. */
	if (is_haas_site(r) && v[MS_USER].set && v[MS_USER].i != r->user.id)
		return req_fail(r, ERR_FORBIDDEN,
				"You may only join or leave a project yourself");
	return req_txn(r, membership_tx, &m);
}

static enum err
projects_join(struct req *r)
{
	const char *msg = "Successfully joined the project";
	enum err e = membership(r, true);

	/* The HaaS app's creator presses Join on their own card too: being
	 * a member already is success there (nothing changes, no audit). */
	if (e == ERR_ALREADY_MEMBER && is_haas_site(r)) {
		msg = "You are already a member of this project";
		e = ERR_OK;
	}
	if (e == ERR_OK)
		json_object_object_add(req_reply(r), "message",
				       json_object_new_string(msg));
	return e;
}

static enum err
projects_leave(struct req *r)
{
	enum err e = membership(r, false);

	if (e == ERR_OK)
		json_object_object_add(req_reply(r), "message",
			json_object_new_string("Successfully left the project"));
	return e;
}

/* ---- add_viewer (the HaaS app's site) ----------------------------------- */

struct viewer {
	const char *code;
	long long user;
};

/* Another user joins p, added by a member (or an admin): a member knows
 * the code and could pass it on anyway; a stranger may not. */
static enum err
add_other(struct req *r, const struct project *p, const struct viewer *v)
{
	enum err e;

	if (!p->member && !is_admin(r))
		return ERR_NOT_PROJECT_MEMBER;
	e = user_exists(r, v->user);
	if (e == ERR_OK)
		e = db_exec(r->db, sql[Q_ADD_MEMBER], DB_P(db_int(p->id),
			db_int(v->user)), NULL);
	if (e == ERR_DUPLICATE)
		return ERR_ALREADY_VIEWER;
	return e != ERR_OK ? e : audit_write(r->db, r, r->user.id,
		"project.add_member", "project", v->code, json_id(v->user));
}

/* add_viewer's one transaction: the caller joins by the project's code
 * (the app's "Join by id" form) or adds another user (a card's "Add
 * viewer"), on the same membership rows as join. */
static enum err
viewer_tx(struct req *r, void *arg)
{
	const struct viewer *v = arg;
	struct project p;
	enum err e = project_find(r, v->code, &p);

	if (e == ERR_PROJECT_NOT_FOUND)
		return ERR_NO_MATCHING_PROJECT;
	if (e != ERR_OK)
		return e;
	if (v->user != r->user.id)
		return add_other(r, &p, v);
	e = join_apply(r, &p);
	if (e == ERR_ALREADY_MEMBER)
		return ERR_ALREADY_VIEWER;
	return e != ERR_OK ? e : audit_write(r->db, r, r->user.id,
		"project.join", "project", v->code, NULL);
}

static const struct field viewer_spec[] = {
	{ "project_id", FT_STRING, F_REQUIRED | F_TRIM | F_OID, .max = 64 },
	{ "user_id", FT_ID, F_REQUIRED },
};

static enum err
projects_add_viewer(struct req *r)
{
	struct viewer vw = { r->vals[0].s, r->vals[1].i };
	enum err e = req_txn(r, viewer_tx, &vw);
	if (e != ERR_OK)
		return e;
	json_object_object_add(req_reply(r), "message", json_object_new_string(
		"User added as a viewer of the project"));
	json_object_object_add(req_reply(r), "project_id",
			       json_object_new_string(vw.code));
	json_object_object_add(req_reply(r), "user_id", json_id(vw.user));
	return ERR_OK;
}

/* A project as every builder above writes it: project_json, its members
 * and holdings (project_details), and on the HaaS app's site haas_project
 * (_id, viewers, joined_users; resources then keyed by every live set's
 * old id, 0 for those it holds none of). */
const struct schema_def projects_schemas[] = {
	{ "Project", "{project_id: string, project_name: string,"
	  " description: string?, user_id: id, created_at: time,"
	  " members: [id], member_details: [Member], resources: {*: int},"
	  " holdings: [ProjectHolding], _id?: string, viewers?: [id],"
	  " joined_users?: [id]}" },
	{ "Member", "{user_id: id, username: string?, name: string?}" },
	{ "ProjectHolding", "{resource_id: string, name: string, units: int,"
	  " due_at: time?, overdue: bool, borrowed_by: string?}" },
	{ NULL, NULL },
};

#define MEMBERSHIP_ERRORS ERR_PROJECT_NOT_FOUND, ERR_FORBIDDEN

/* join and leave have a row for every site but the HaaS app's (it
 * describes them) and one for the HaaS app's, whose project_id may be
 * {"$oid"} and which also takes user_id. */
const struct route projects_routes[] = {
	{ "POST", "/api/projects/create_project", ROLE_USER, 201, BODY_JSON,
	  projects_create, "Create a project (you own it)", ROUTE_IDEMPOTENT,
	  ROUTE_FIELDS(create_spec),
	  .reply = "{message: string, project_id: string}",
	  ROUTE_ERRORS(ERR_PROJECT_FIELDS, ERR_FORBIDDEN, ERR_USER_NOT_FOUND,
		       ERR_PROJECT_EXISTS, ERR_IDEMPOTENCY_MISMATCH) },
	{ "GET", "/api/projects/get_projects/{user_id}", ROLE_USER, 200,
	  BODY_NONE, projects_list,
	  "Projects a user owns or joined, with members and units held",
	  .query = route_paging, .reply = "{projects: [Project]}",
	  ROUTE_ERRORS(ERR_USER_NOT_FOUND, ERR_FORBIDDEN) },
	{ "POST", "/api/projects/join", ROLE_USER, 200, BODY_JSON,
	  projects_join, "Join a project by project_id (on the HaaS site, "
	  "being a member already is success)", ROUTE_FIELDS(member_spec),
	  .reply = "{message: string}",
	  ROUTE_ERRORS(MEMBERSHIP_ERRORS, ERR_ALREADY_MEMBER) },
	{ "POST", "/api/projects/leave", ROLE_USER, 200, BODY_JSON,
	  projects_leave, "Leave a project by project_id",
	  ROUTE_FIELDS(member_spec), .reply = "{message: string}",
	  ROUTE_ERRORS(MEMBERSHIP_ERRORS, ERR_NOT_MEMBER,
		       ERR_OWNER_CANNOT_LEAVE) },
	{ "POST", "/api/projects/add_viewer", ROLE_USER, 200, BODY_JSON,
	  projects_add_viewer,
	  "Join a project by project_id, or add user_id to yours (HaaS site)",
	  .profiles = PROFILE_BIT(PROFILE_HAAS_REACT),
	  ROUTE_FIELDS(viewer_spec),
	  .reply = "{message: string, project_id: string, user_id: id}",
	  ROUTE_ERRORS(ERR_NO_MATCHING_PROJECT, ERR_NOT_PROJECT_MEMBER,
		       ERR_USER_NOT_FOUND, ERR_ALREADY_VIEWER) },
	{ "GET", "/api/projects/{project_id}", ROLE_USER, 200, BODY_NONE,
	  projects_get, "A project with members and units held (members)",
	  .reply = "{project: Project}",
	  ROUTE_ERRORS(ERR_PROJECT_NOT_FOUND, ERR_NOT_PROJECT_MEMBER) },
	{ "GET", "/api/projects/{project_id}/history", ROLE_USER, 200,
	  BODY_NONE, projects_history,
	  "Checkouts and checkins of a project, newest first (?cursor=)",
	  .query = route_cursor_paging,
	  .reply = "{history: [HistoryEvent], next_cursor: id?}",
	  ROUTE_ERRORS(ERR_PROJECT_NOT_FOUND, ERR_NOT_PROJECT_MEMBER) },
	{ 0 },
};

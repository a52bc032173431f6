/* notices: admins' webhooks (create, edit, disable, rotate the secret,
 * send a test, delete) and the outbox (every notice with its attempts,
 * filters and counts per state, a retry of a dead notice).  A webhook's
 * secret is shown once, in the answer that made it; notices of kinds whose
 * link is a secret never show the link. */
#include "notices.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "audit.h"
#include "body.h"
#include "db.h"
#include "notify.h"
#include "openapi.h"
#include "util.h"

#define URL_MAX 2000
/* Bytes of randomness in a secret: 64 hex digits (webhooks.secret). */
#define SECRET_BYTES 32

/* A webhook with how its deliveries stand (see hook_json). */
#define HOOK_COLS \
	"w.id, w.url, w.kinds, w.active, w.created_at, w.updated_at," \
	" w.created_by," \
	" (SELECT COUNT(*) FROM notices n WHERE n.webhook_id = w.id" \
	"   AND n.state = 'pending')," \
	" (SELECT COUNT(*) FROM notices n WHERE n.webhook_id = w.id" \
	"   AND n.state = 'dead')," \
	" (SELECT MAX(n.sent_at) FROM notices n WHERE n.webhook_id = w.id" \
	"   AND n.state = 'sent')" \
	" FROM webhooks w WHERE w.deleted_at IS NULL"
#define HOOK_NCOLS 10
/* A notice with its user (see notice_json). */
#define NOTICE_COLS \
	"n.id, n.msg_id, n.kind, n.channel, n.recipient, n.user_id," \
	" u.username, u.name, n.webhook_id, n.state, n.attempts, n.next_at," \
	" n.created_at, n.sent_at, n.last_error, n.fields, n.digest_id" \
	" FROM notices n LEFT JOIN users u ON u.id = n.user_id"
#define NOTICE_NCOLS 17
/* The outbox's filters: state, kind, channel, user, webhook, and q (the
 * recipient, or a message id exactly); 13 parameters (filter_params). */
#define NOTICE_FILTER(state) \
	" WHERE (? IS NULL OR " state ")" \
	" AND (? IS NULL OR n.kind = ?) AND (? IS NULL OR n.channel = ?)" \
	" AND (? IS NULL OR n.user_id = ?) AND (? IS NULL OR n.webhook_id = ?)" \
	" AND (? IS NULL OR n.recipient LIKE ? OR n.msg_id = ?)"
#define NOTICE_NFILTER 13

enum notices_sql {
	Q_HOOK_LIST,
	Q_HOOK_COUNT,
	Q_HOOK_GET,
	Q_HOOK_LOCK,
	Q_HOOK_INSERT,
	Q_HOOK_UPDATE,
	Q_HOOK_SECRET,
	Q_HOOK_DELETE,
	Q_USERNAME,
	Q_TEST_INSERT,
	Q_NOTICE_LIST,
	Q_NOTICE_COUNT,
	Q_NOTICE_STATES,
	Q_NOTICE_GET,
	Q_ATTEMPTS,
	Q_NOTICE_LOCK,
	Q_NOTICE_RETRY,
};

static const char *const sql[] = {
	[Q_HOOK_LIST] = "SELECT " HOOK_COLS " ORDER BY w.id LIMIT ? OFFSET ?",
	[Q_HOOK_COUNT] =
		"SELECT COUNT(*) FROM webhooks WHERE deleted_at IS NULL",
	[Q_HOOK_GET] = "SELECT " HOOK_COLS " AND w.id = ?",
	[Q_HOOK_LOCK] = "SELECT active, url FROM webhooks WHERE id = ?"
		" AND deleted_at IS NULL FOR UPDATE",
	[Q_HOOK_INSERT] = "INSERT INTO webhooks (url, secret, kinds, active,"
		" created_by) VALUES (?, ?, ?, ?, ?)",
	/* NULL keeps a column as it is. */
	[Q_HOOK_UPDATE] = "UPDATE webhooks SET url = COALESCE(?, url),"
		" kinds = COALESCE(?, kinds), active = COALESCE(?, active)"
		" WHERE id = ? AND deleted_at IS NULL",
	[Q_HOOK_SECRET] = "UPDATE webhooks SET secret = ? WHERE id = ?"
		" AND deleted_at IS NULL",
	/* Soft: notices keep pointing at it.  Its pending ones die at the
	 * sender (a webhook that is not active is a permanent failure), and
	 * the secret goes, since nothing is signed with it again. */
	[Q_HOOK_DELETE] = "UPDATE webhooks SET deleted_at = UTC_TIMESTAMP(6),"
		" active = 0, secret = '' WHERE id = ? AND deleted_at IS NULL",
	[Q_USERNAME] = "SELECT username FROM users WHERE id = ?",
	[Q_TEST_INSERT] = "INSERT INTO notices (msg_id, kind, channel,"
		" webhook_id, recipient, fields) VALUES (?, ?, 'webhook', ?, ?, ?)",
	[Q_NOTICE_LIST] = "SELECT " NOTICE_COLS NOTICE_FILTER("n.state = ?")
		" ORDER BY n.id DESC LIMIT ? OFFSET ?",
	[Q_NOTICE_COUNT] = "SELECT COUNT(*) FROM notices n"
		NOTICE_FILTER("n.state = ?"),
	/* Under every filter but the state: the counts of the state chips. */
	[Q_NOTICE_STATES] = "SELECT n.state, COUNT(*) FROM notices n"
		NOTICE_FILTER("? IS NULL") " GROUP BY n.state",
	[Q_NOTICE_GET] = "SELECT " NOTICE_COLS " WHERE n.id = ?",
	[Q_ATTEMPTS] = "SELECT at, ok, code, error, ms FROM notice_attempts"
		" WHERE notice_id = ? ORDER BY id",
	[Q_NOTICE_LOCK] = "SELECT n.state, n.kind, n.webhook_id,"
		" w.active = 1 AND w.deleted_at IS NULL FROM notices n"
		" LEFT JOIN webhooks w ON w.id = n.webhook_id"
		" WHERE n.id = ? FOR UPDATE",
	/* Sent again as soon as the sender looks, under the same msg_id. */
	[Q_NOTICE_RETRY] = "UPDATE notices SET state = 'pending',"
		" attempts = 0, next_at = UTC_TIMESTAMP(6), lease_until = NULL,"
		" last_error = NULL WHERE id = ? AND state = 'dead'",
};

static const char *const states[] = {
	"pending", "held", "digested", "sent", "dead", "skipped",
};

/* ---- helpers ------------------------------------------------------------- */

static bool
in_list(const char *s, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(s, list[i]))
			return true;
	return false;
}

static enum err
field_err(struct req *r, enum err e, const char *field)
{
	req_fail_extra(r, "field", json_object_new_string(field));
	return e;
}

static enum err
path_id(struct req *r, enum err missing, long long *id)
{
	if (parse_ll(req_param(r, "id"), 1, INT64_MAX, id))
		return missing;
	return ERR_OK;
}

static const char *
id_str(struct req *r, long long id)
{
	return req_printf(r, "%lld", id);
}

/* May a webhook subscribe to kind k?  Not to kinds that never go to
 * webhooks, nor to tests (sent to one webhook on request). */
static bool
hook_kind(int k)
{
	const struct notice_kind_info *i = notice_kind_info(
		(enum notice_kind)k);

	return i && !(i->flags & NKF_NO_HOOK) && k != NK_WEBHOOK_TEST;
}

/* ---- webhook URLs and kinds ---------------------------------------------- */

static bool
port_valid(const char *p, size_t n)
{
	char buf[8];
	long long v;

	if (n == 0 || n > 5)
		return false;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return !parse_ll(buf, 1, 65535, &v) && isdigit((unsigned char)buf[0]);
}

/* host[:port] or [v6]:port, nothing else (no user name, no password). */
static bool
authority_valid(const char *a, size_t n)
{
	const char *colon;
	size_t i, hn;

	if (n == 0 || memchr(a, '@', n))
		return false;
	if (a[0] == '[') {
		const char *end = memchr(a, ']', n);

		if (!end || end == a + 1)
			return false;
		for (i = 1; a + i < end; i++)
			if (!isxdigit((unsigned char)a[i]) && a[i] != ':' &&
			    a[i] != '.')
				return false;
		hn = (size_t)(end - a) + 1;
	} else {
		colon = memchr(a, ':', n);
		hn = colon ? (size_t)(colon - a) : n;
		for (i = 0; i < hn; i++)
			if (!isalnum((unsigned char)a[i]) && a[i] != '-' &&
			    a[i] != '.')
				return false;
		if (hn == 0 || a[0] == '.' || a[0] == '-')
			return false;
	}
	if (hn == n)
		return true;
	return a[hn] == ':' && port_valid(a + hn + 1, n - hn - 1);
}

/* An https:// URL receivers are reached at: printable ASCII, a host, no
 * user information, no fragment.  *out: the URL with its scheme in lower
 * case, in r's pool. */
static bool
url_parse(struct req *r, const char *s, const char **out)
{
	size_t n = strlen(s), i, an;
	char *u;

	if (n <= 8 || n > URL_MAX || strncasecmp(s, "https://", 8))
		return false;
	for (i = 0; i < n; i++)
		if (s[i] <= 0x20 || s[i] >= 0x7f || s[i] == '#' ||
		    s[i] == '\\')
			return false;
	an = strcspn(s + 8, "/?");
	if (!authority_valid(s + 8, an))
		return false;
	u = req_strdup(r, s);
	memcpy(u, "https://", 8);
	*out = u;
	return true;
}

/* What the audit log keeps of a URL: its origin (a receiver's path may
 * hold a token of its own, and the log is kept for good). */
static json_object *
url_origin(const char *url)
{
	size_t an = strcspn(url + 8, "/?");

	return json_object_new_string_len(url, (int)(8 + an));
}

/* kinds, a JSON array of names, as the comma list webhooks.kinds holds
 * (in the kinds' own order, each once), in r's pool. */
static enum err
kinds_parse(struct req *r, json_object *arr, const char **out)
{
	bool want[NK_COUNT] = { false };
	struct buf b = { 0 };
	size_t i, n = json_object_array_length(arr);
	int k;

	for (i = 0; i < n; i++) {
		json_object *v = json_object_array_get_idx(arr, i);

		k = json_object_is_type(v, json_type_string)
		    ? notice_kind_parse(json_object_get_string(v)) : -1;
		if (!hook_kind(k))
			return field_err(r, req_fail(r,
				ERR_WEBHOOK_KINDS_INVALID, "kinds: %s is not a"
				" notice kind webhooks may receive",
				json_object_is_type(v, json_type_string)
				? json_object_get_string(v) : "an entry"),
				"kinds");
		want[k] = true;
	}
	for (k = 0; k < NK_COUNT; k++)
		if (want[k]) {
			if (b.len)
				buf_adds(&b, ",");
			buf_adds(&b, notice_kind_info((enum notice_kind)k)->name);
		}
	if (!b.len)
		return field_err(r, ERR_WEBHOOK_KINDS_INVALID, "kinds");
	*out = req_strdup(r, b.s);
	buf_release(&b);
	return ERR_OK;
}

/* The kinds a webhook may take, for the console's checkboxes. */
static json_object *
hook_kinds_json(void)
{
	json_object *arr = json_object_new_array(), *o;
	int k;

	for (k = 0; k < NK_COUNT; k++) {
		if (!hook_kind(k))
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "name", json_object_new_string(
			notice_kind_info((enum notice_kind)k)->name));
		json_object_object_add(o, "label", json_object_new_string(
			notice_kind_info((enum notice_kind)k)->label));
		json_object_array_add(arr, o);
	}
	return arr;
}

/* ---- webhooks -------------------------------------------------------------- */

static json_object *
kinds_json(const char *list)
{
	json_object *arr = json_object_new_array();
	const char *p = list ? list : "";
	size_t n;

	while (*p) {
		n = strcspn(p, ",");
		if (n)
			json_object_array_add(arr, json_object_new_string_len(
				p, (int)n));
		p += n + (p[n] == ',');
	}
	return arr;
}

static json_object *
hook_json(const struct db_rows *row)
{
	json_object *o = json_object_new_object();
	const char *by = db_col(row, 6);

	json_object_object_add(o, "id", json_id(db_col_int(row, 0)));
	json_object_object_add(o, "url", json_object_new_string(db_col(row, 1)));
	json_object_object_add(o, "kinds", kinds_json(db_col(row, 2)));
	json_object_object_add(o, "active",
			       json_object_new_boolean(db_col_int(row, 3)));
	json_object_object_add(o, "created_at", json_time(db_col(row, 4)));
	json_object_object_add(o, "updated_at", json_time(db_col(row, 5)));
	json_object_object_add(o, "created_by", json_str_or_null(by));
	json_object_object_add(o, "pending",
			       json_object_new_int64(db_col_int(row, 7)));
	json_object_object_add(o, "dead",
			       json_object_new_int64(db_col_int(row, 8)));
	json_object_object_add(o, "last_sent_at", json_time(db_col(row, 9)));
	return o;
}

static enum err
reply_hook(struct req *r, long long id)
{
	return req_reply_row(r, "webhook", sql[Q_HOOK_GET], DB_P(db_int(id)),
			     HOOK_NCOLS, ERR_WEBHOOK_NOT_FOUND, hook_json);
}

/* A new secret into the reply (shown this once) and into out. */
static void
new_secret(struct req *r, char out[2 * SECRET_BYTES + 1])
{
	unsigned char b[SECRET_BYTES];

	random_bytes(b, sizeof(b));
	hex_encode(b, sizeof(b), out);
	json_object_object_add(req_reply(r), "secret",
			       json_object_new_string(out));
}

static enum err
webhooks_list(struct req *r)
{
	long long limit, offset;
	json_object *arr;
	struct db_rows *rows;
	enum err e = req_paging(r, &limit, &offset);

	if (e == ERR_OK)
		e = db_query(r->db, sql[Q_HOOK_LIST], DB_P(db_int(limit),
			     db_int(offset)), HOOK_NCOLS, &rows);
	if (e != ERR_OK)
		return e;
	arr = json_object_new_array();
	json_object_object_add(req_reply(r), "webhooks", arr);
	while (db_next(rows))
		json_object_array_add(arr, hook_json(rows));
	e = db_rows_err(rows);
	db_rows_free(rows);
	json_object_object_add(req_reply(r), "available_kinds",
			       hook_kinds_json());
	if (e != ERR_OK)
		return e;
	return req_reply_count(r, "total", sql[Q_HOOK_COUNT], DB_NONE);
}

static enum err
webhooks_get(struct req *r)
{
	long long id;
	enum err e = path_id(r, ERR_WEBHOOK_NOT_FOUND, &id);

	return e != ERR_OK ? e : reply_hook(r, id);
}

enum { W_URL, W_KINDS, W_ACTIVE };

static const struct field hook_spec[] = {
	[W_URL] = { "url", FT_STRING, F_TRIM, .max = URL_MAX,
		    .invalid = ERR_WEBHOOK_URL_INVALID },
	[W_KINDS] = { "kinds", FT_ARRAY, 0,
		      .invalid = ERR_WEBHOOK_KINDS_INVALID },
	[W_ACTIVE] = { "active", FT_BOOL, 0 },
};

/* The same, as a new webhook needs them: url and kinds required. */
static const struct field hook_create_spec[] = {
	[W_URL] = { "url", FT_STRING, F_REQUIRED | F_TRIM, .max = URL_MAX,
		    .invalid = ERR_WEBHOOK_URL_INVALID },
	[W_KINDS] = { "kinds", FT_ARRAY, F_REQUIRED,
		      .invalid = ERR_WEBHOOK_KINDS_INVALID },
	[W_ACTIVE] = { "active", FT_BOOL, 0 },
};

/* A webhook as sent: checked, normalised (NULL: not sent). */
struct hook_in {
	long long id;
	const char *url, *kinds;
	int active;		/* -1: not sent */
};

/* The route's fields (hook_create_spec, hook_spec): the router has
 * checked their types, and on create that url and kinds are there. */
static enum err
hook_read(struct req *r, bool create, struct hook_in *w)
{
	const struct field_value *v = r->vals;
	enum err e = ERR_OK;

	if (!create)
		e = body_changes(r, hook_spec, v);
	if (e != ERR_OK)
		return e;
	w->url = w->kinds = NULL;
	w->active = v[W_ACTIVE].set ? (v[W_ACTIVE].i != 0) : -1;
	if (v[W_URL].set && !url_parse(r, v[W_URL].s ? v[W_URL].s : "",
				       &w->url))
		return field_err(r, ERR_WEBHOOK_URL_INVALID, "url");
	if (v[W_KINDS].set)
		return kinds_parse(r, v[W_KINDS].o, &w->kinds);
	return ERR_OK;
}

/* What changed, for the audit log (never the secret). */
static json_object *
hook_details(const struct hook_in *w)
{
	json_object *d = json_object_new_object();

	if (w->url)
		json_object_object_add(d, "url", url_origin(w->url));
	if (w->kinds)
		json_object_object_add(d, "kinds", json_object_new_string(
			w->kinds));
	if (w->active >= 0)
		json_object_object_add(d, "active",
				       json_object_new_boolean(w->active));
	return d;
}

static enum err
create_tx(struct req *r, void *arg)
{
	struct hook_in *w = arg;
	char secret[2 * SECRET_BYTES + 1];
	struct db_result res;
	enum err e;

	new_secret(r, secret);
	e = db_exec(r->db, sql[Q_HOOK_INSERT], DB_P(db_str(w->url),
		    db_str(secret), db_str(w->kinds),
		    db_int(w->active != 0), db_int(r->user.id)), &res);
	if (e != ERR_OK)
		return e;
	w->id = (long long)res.insert_id;
	e = audit_write(r->db, r, r->user.id, "webhook.create", "webhook",
			id_str(r, w->id), hook_details(w));
	return e != ERR_OK ? e : reply_hook(r, w->id);
}

/* Not ROUTE_IDEMPOTENT: a stored replay would keep the secret in clear. */
static enum err
webhooks_create(struct req *r)
{
	struct hook_in w = { 0 };
	enum err e = hook_read(r, true, &w);

	if (e != ERR_OK)
		return e;
	if (w.active < 0)
		w.active = 1;
	return req_txn(r, create_tx, &w);
}

static enum err
hook_lock(struct req *r, long long id, bool *active)
{
	struct db_rows *row;
	enum err e = db_row(r->db, sql[Q_HOOK_LOCK], DB_P(db_int(id)), 2,
			    ERR_WEBHOOK_NOT_FOUND, &row);

	if (e != ERR_OK)
		return e;
	if (active)
		*active = db_col_int(row, 0) != 0;
	db_rows_free(row);
	return ERR_OK;
}

static enum err
update_tx(struct req *r, void *arg)
{
	const struct hook_in *w = arg;
	enum err e = hook_lock(r, w->id, NULL);

	if (e == ERR_OK)
		e = db_exec(r->db, sql[Q_HOOK_UPDATE], DB_P(db_str(w->url),
			    db_str(w->kinds), w->active >= 0
			    ? db_int(w->active) : db_null(), db_int(w->id)),
			    NULL);
	if (e == ERR_OK)
		e = audit_write(r->db, r, r->user.id, "webhook.update",
				"webhook", id_str(r, w->id), hook_details(w));
	return e != ERR_OK ? e : reply_hook(r, w->id);
}

static enum err
webhooks_update(struct req *r)
{
	struct hook_in w = { 0 };
	enum err e = path_id(r, ERR_WEBHOOK_NOT_FOUND, &w.id);

	if (e == ERR_OK)
		e = hook_read(r, false, &w);
	return e != ERR_OK ? e : req_txn(r, update_tx, &w);
}

/* A hook-level write of one statement and its audit entry. */
struct hook_op {
	long long id;
	const char *action;
};

static enum err
delete_tx(struct req *r, void *arg)
{
	const struct hook_op *op = arg;
	struct db_result res = { 0 };
	enum err e = db_exec(r->db, sql[Q_HOOK_DELETE], DB_P(db_int(op->id)),
			     &res);

	if (e == ERR_OK && res.affected == 0)
		e = ERR_WEBHOOK_NOT_FOUND;
	if (e != ERR_OK)
		return e;
	return audit_write(r->db, r, r->user.id, op->action, "webhook",
			   id_str(r, op->id), NULL);
}

static enum err
webhooks_delete(struct req *r)
{
	struct hook_op op = { .action = "webhook.delete" };
	enum err e = path_id(r, ERR_WEBHOOK_NOT_FOUND, &op.id);

	return e != ERR_OK ? e : req_txn(r, delete_tx, &op);
}

static enum err
rotate_tx(struct req *r, void *arg)
{
	const struct hook_op *op = arg;
	char secret[2 * SECRET_BYTES + 1];
	enum err e = hook_lock(r, op->id, NULL);

	if (e != ERR_OK)
		return e;
	new_secret(r, secret);
	e = db_exec(r->db, sql[Q_HOOK_SECRET], DB_P(db_str(secret),
		    db_int(op->id)), NULL);
	if (e == ERR_OK)
		e = audit_write(r->db, r, r->user.id, op->action, "webhook",
				id_str(r, op->id), NULL);
	return e != ERR_OK ? e : reply_hook(r, op->id);
}

/* Not ROUTE_IDEMPOTENT either: the answer holds the new secret. */
static enum err
webhooks_rotate(struct req *r)
{
	struct hook_op op = { .action = "webhook.secret_rotate" };
	enum err e = path_id(r, ERR_WEBHOOK_NOT_FOUND, &op.id);

	return e != ERR_OK ? e : req_txn(r, rotate_tx, &op);
}

/* ---- notices --------------------------------------------------------------- */

static json_object *
notice_fields(const char *kind, const char *text)
{
	json_object *f = text ? json_tokener_parse(text) : NULL;
	int k = notice_kind_parse(kind);

	if (!f || !json_object_is_type(f, json_type_object)) {
		json_object_put(f);
		return json_object_new_object();
	}
	/* the link of a reset or verify mail opens its owner's account */
	if (k >= 0 && (notice_kind_info((enum notice_kind)k)->flags &
		       NKF_SECRET))
		json_object_object_del(f, "link");
	return f;
}

static json_object *
notice_json(const struct db_rows *row)
{
	json_object *o = json_object_new_object(), *u = NULL;
	const char *uid = db_col(row, 5), *hook = db_col(row, 8);
	const char *digest = db_col(row, 16);

	if (uid) {
		u = json_object_new_object();
		json_object_object_add(u, "id", json_object_new_string(uid));
		json_object_object_add(u, "username",
				       json_str_or_null(db_col(row, 6)));
		json_object_object_add(u, "name",
				       json_str_or_null(db_col(row, 7)));
	}
	json_object_object_add(o, "id", json_id(db_col_int(row, 0)));
	json_object_object_add(o, "msg_id",
			       json_object_new_string(db_col(row, 1)));
	json_object_object_add(o, "kind",
			       json_object_new_string(db_col(row, 2)));
	json_object_object_add(o, "channel",
			       json_object_new_string(db_col(row, 3)));
	json_object_object_add(o, "recipient",
			       json_str_or_null(db_col(row, 4)));
	json_object_object_add(o, "user_id", json_str_or_null(uid));
	json_object_object_add(o, "user", u);
	json_object_object_add(o, "webhook_id", json_str_or_null(hook));
	json_object_object_add(o, "state",
			       json_object_new_string(db_col(row, 9)));
	json_object_object_add(o, "attempts",
			       json_object_new_int64(db_col_int(row, 10)));
	json_object_object_add(o, "next_at", json_time(db_col(row, 11)));
	json_object_object_add(o, "created_at", json_time(db_col(row, 12)));
	json_object_object_add(o, "sent_at", json_time(db_col(row, 13)));
	json_object_object_add(o, "last_error",
			       json_str_or_null(db_col(row, 14)));
	json_object_object_add(o, "fields",
			       notice_fields(db_col(row, 2), db_col(row, 15)));
	json_object_object_add(o, "digest_id", json_str_or_null(digest));
	return o;
}

struct notice_filter {
	const char *state, *kind, *channel, *user_id, *webhook_id, *like,
		*q;
};

/* An id filter: absent, or a positive integer. */
static enum err
query_id(struct req *r, const char *name, const char **out)
{
	const char *v = req_query(r, name);
	long long id;

	*out = NULL;
	if (!v || !*v)
		return ERR_OK;
	if (parse_ll(v, 1, INT64_MAX, &id))
		return req_fail(r, ERR_BAD_QUERY, "%s must be an id", name);
	*out = v;
	return ERR_OK;
}

/* "%q%" with LIKE's own wildcards escaped. */
static const char *
like_pattern(struct req *r, const char *q)
{
	struct buf b = { 0 };
	const char *out;

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

static const char *
query_nonempty(struct req *r, const char *name)
{
	const char *v = req_query(r, name);

	return v && *v ? v : NULL;
}

static enum err
filter_read(struct req *r, struct notice_filter *f)
{
	static const char *const channels[] = { "email", "webhook" };
	enum err e;

	f->state = query_nonempty(r, "state");
	f->kind = query_nonempty(r, "kind");
	f->channel = query_nonempty(r, "channel");
	f->q = query_nonempty(r, "q");
	f->like = f->q ? like_pattern(r, f->q) : NULL;
	if (f->state && !in_list(f->state, states, ARRAY_SIZE(states)))
		return req_fail(r, ERR_BAD_QUERY, "state must be pending, held,"
				" digested, sent, dead or skipped");
	if (f->kind && notice_kind_parse(f->kind) < 0)
		return req_fail(r, ERR_BAD_QUERY, "kind is not a notice kind");
	if (f->channel && !in_list(f->channel, channels, 2))
		return req_fail(r, ERR_BAD_QUERY,
				"channel must be email or webhook");
	e = query_id(r, "user_id", &f->user_id);
	return e != ERR_OK ? e : query_id(r, "webhook_id", &f->webhook_id);
}

/* The 13 parameters of NOTICE_FILTER; state NULL: any. */
static void
filter_params(const struct notice_filter *f, const char *state,
	      struct db_param *p)
{
	const struct db_param all[NOTICE_NFILTER] = {
		db_str(state), db_str(state), db_str(f->kind), db_str(f->kind),
		db_str(f->channel), db_str(f->channel), db_str(f->user_id),
		db_str(f->user_id), db_str(f->webhook_id),
		db_str(f->webhook_id), db_str(f->q), db_str(f->like),
		db_str(f->q),
	};

	memcpy(p, all, sizeof(all));
}

/* "total" under the filters; "state_counts" under all but the state. */
static enum err
notice_counts(struct req *r, const struct notice_filter *f)
{
	struct db_param p[NOTICE_NFILTER];
	json_object *c = json_object_new_object();
	struct db_rows *rows;
	size_t i;
	enum err e;

	for (i = 0; i < ARRAY_SIZE(states); i++)
		json_object_object_add(c, states[i], json_object_new_int64(0));
	json_object_object_add(req_reply(r), "state_counts", c);
	filter_params(f, f->state, p);
	e = req_reply_count(r, "total", sql[Q_NOTICE_COUNT], p,
			    NOTICE_NFILTER);
	filter_params(f, NULL, p);
	if (e == ERR_OK)
		e = db_query(r->db, sql[Q_NOTICE_STATES], p, NOTICE_NFILTER, 2,
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
notices_list(struct req *r)
{
	struct notice_filter f;
	struct db_param p[NOTICE_NFILTER + 2];
	long long limit, offset;
	json_object *arr;
	struct db_rows *rows;
	enum err e = req_paging(r, &limit, &offset);

	if (e == ERR_OK)
		e = filter_read(r, &f);
	if (e != ERR_OK)
		return e;
	filter_params(&f, f.state, p);
	p[NOTICE_NFILTER] = db_int(limit);
	p[NOTICE_NFILTER + 1] = db_int(offset);
	e = db_query(r->db, sql[Q_NOTICE_LIST], p, ARRAY_SIZE(p),
		     NOTICE_NCOLS, &rows);
	if (e != ERR_OK)
		return e;
	arr = json_object_new_array();
	json_object_object_add(req_reply(r), "notices", arr);
	while (db_next(rows))
		json_object_array_add(arr, notice_json(rows));
	e = db_rows_err(rows);
	db_rows_free(rows);
	return e != ERR_OK ? e : notice_counts(r, &f);
}

static json_object *
attempt_json(const struct db_rows *row)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "at", json_time(db_col(row, 0)));
	json_object_object_add(o, "ok",
			       json_object_new_boolean(db_col_int(row, 1)));
	json_object_object_add(o, "code",
			       json_object_new_int64(db_col_int(row, 2)));
	json_object_object_add(o, "error", json_str_or_null(db_col(row, 3)));
	json_object_object_add(o, "ms",
			       json_object_new_int64(db_col_int(row, 4)));
	return o;
}

/* {"notice": {...}, "attempts": [{at, ok, code, error, ms}...]} */
static enum err
reply_notice(struct req *r, long long id)
{
	json_object *n, *arr;
	struct db_rows *rows;
	enum err e = req_row_json(r, sql[Q_NOTICE_GET], DB_P(db_int(id)),
				  NOTICE_NCOLS, ERR_NOTICE_NOT_FOUND,
				  notice_json, &n);

	if (e != ERR_OK)
		return e;
	json_object_object_add(req_reply(r), "notice", n);
	arr = json_object_new_array();
	json_object_object_add(req_reply(r), "attempts", arr);
	e = db_query(r->db, sql[Q_ATTEMPTS], DB_P(db_int(id)), 5, &rows);
	if (e != ERR_OK)
		return e;
	while (db_next(rows))
		json_object_array_add(arr, attempt_json(rows));
	e = db_rows_err(rows);
	db_rows_free(rows);
	return e;
}

static enum err
notices_get(struct req *r)
{
	long long id;
	enum err e = path_id(r, ERR_NOTICE_NOT_FOUND, &id);

	return e != ERR_OK ? e : reply_notice(r, id);
}

/* May the dead notice locked in row be sent again? */
static enum err
retry_check(struct req *r, const struct db_rows *row)
{
	const char *state = db_col(row, 0);
	int k = notice_kind_parse(db_col(row, 1));

	if (strcmp(state, "dead"))
		return req_fail(r, ERR_NOTICE_NOT_DEAD, "Only a dead notice can"
				" be retried; this one is %s", state);
	if (k >= 0 && (notice_kind_info((enum notice_kind)k)->flags &
		       NKF_SECRET))
		return req_fail(r, ERR_NOTICE_NOT_DEAD, "Its secret link was"
				" removed when it died: the user asks for a new"
				" one instead");
	if (db_col(row, 2) && db_col_int(row, 3) == 0)
		return req_fail(r, ERR_WEBHOOK_INACTIVE, "Its webhook is"
				" disabled or deleted: enable the webhook"
				" first");
	return ERR_OK;
}

static enum err
retry_tx(struct req *r, void *arg)
{
	const long long *id = arg;
	struct db_rows *row;
	enum err e = db_row(r->db, sql[Q_NOTICE_LOCK], DB_P(db_int(*id)), 4,
			    ERR_NOTICE_NOT_FOUND, &row);

	if (e != ERR_OK)
		return e;
	e = retry_check(r, row);
	db_rows_free(row);
	if (e == ERR_OK)
		e = db_exec(r->db, sql[Q_NOTICE_RETRY], DB_P(db_int(*id)),
			    NULL);
	if (e == ERR_OK)
		e = audit_write(r->db, r, r->user.id, "notice.retry",
				"notice", id_str(r, *id), NULL);
	return e != ERR_OK ? e : reply_notice(r, *id);
}

static enum err
notices_retry(struct req *r)
{
	long long id;
	enum err e = path_id(r, ERR_NOTICE_NOT_FOUND, &id);

	return e != ERR_OK ? e : req_txn(r, retry_tx, &id);
}

/* A webhook.test notice to this webhook alone (not through notify(),
 * which writes to every webhook taking a kind), in the transaction that
 * checks the webhook is live. */
static enum err
test_tx(struct req *r, void *arg)
{
	const long long *id = arg;
	json_object *f, *d;
	struct db_result res;
	const char *url;
	struct db_rows *row;
	char msg_id[33], *by = NULL;
	enum err e = db_row(r->db, sql[Q_HOOK_LOCK], DB_P(db_int(*id)), 2,
			    ERR_WEBHOOK_NOT_FOUND, &row);

	if (e != ERR_OK)
		return e;
	if (!db_col_int(row, 0)) {
		db_rows_free(row);
		return req_fail(r, ERR_WEBHOOK_INACTIVE, "The webhook is"
				" disabled: enable it to send a test");
	}
	url = req_strdup(r, db_col(row, 1));
	db_rows_free(row);
	e = db_row(r->db, sql[Q_USERNAME], DB_P(db_int(r->user.id)), 1,
		   ERR_INTERNAL, &row);
	if (e != ERR_OK)
		return e;
	by = req_strdup(r, db_col(row, 0) ? db_col(row, 0) : "an admin");
	db_rows_free(row);
	f = json_object_new_object();
	json_object_object_add(f, "webhook_id", json_object_new_string(
		id_str(r, *id)));
	json_object_object_add(f, "sent_by", json_object_new_string(by));
	notify_msg_id(msg_id);
	e = db_exec(r->db, sql[Q_TEST_INSERT], DB_P(db_str(msg_id),
		db_str(notice_kind_info(NK_WEBHOOK_TEST)->name), db_int(*id),
		db_str(url), db_str(json_object_to_json_string_ext(f,
		JSON_C_TO_STRING_PLAIN))), &res);
	json_object_put(f);
	if (e != ERR_OK)
		return e;
	d = json_object_new_object();
	json_object_object_add(d, "notice_id", json_id(
		(long long)res.insert_id));
	e = audit_write(r->db, r, r->user.id, "webhook.test", "webhook",
			id_str(r, *id), d);
	return e != ERR_OK ? e : reply_notice(r, (long long)res.insert_id);
}

static enum err
webhooks_test(struct req *r)
{
	long long id;
	enum err e = path_id(r, ERR_WEBHOOK_NOT_FOUND, &id);

	return e != ERR_OK ? e : req_txn(r, test_tx, &id);
}

/* What hook_json, hook_kinds_json, notice_json and attempt_json write. */
const struct schema_def notices_schemas[] = {
	{ "Webhook", "{id: id, url: string, kinds: [string], active: bool,"
	  " created_at: time, updated_at: time, created_by: id?, pending: int,"
	  " dead: int, last_sent_at: time?}" },
	{ "NoticeKind", "{name: string, label: string}" },
	/* fields: the template's fields (a secret link left out) */
	{ "Notice", "{id: id, msg_id: string, kind: string, channel: string,"
	  " recipient: string?, user_id: id?,"
	  " user: {id: id, username: string?, name: string?}?,"
	  " webhook_id: id?, state: string, attempts: int, next_at: time,"
	  " created_at: time, sent_at: time?, last_error: string?,"
	  " fields: object, digest_id: id?}" },
	/* code: the SMTP reply or HTTP status (0: no connection) */
	{ "NoticeAttempt", "{at: time, ok: bool, code: int, error: string?,"
	  " ms: int}" },
	{ NULL, NULL },
};

static const struct qparam page_query[] = {
	QP_LIMIT,
	QP_OFFSET,
	{ NULL, NULL, NULL },
};

static const struct qparam notices_query[] = {
	{ "state", "string", "pending, held, digested, sent, dead or skipped" },
	{ "kind", "string", "A notice kind (\"order.status\")" },
	{ "channel", "string", "email or webhook" },
	{ "user_id", "integer", "Only notices to this user" },
	{ "webhook_id", "integer", "Only notices to this webhook" },
	{ "q", "string", "Part of the recipient, or a msg_id exactly" },
	QP_LIMIT,
	QP_OFFSET,
	{ NULL, NULL, NULL },
};

#define HOOK_REPLY "{webhook: Webhook}"
#define NOTICE_REPLY "{notice: Notice, attempts: [NoticeAttempt]}"

const struct route notices_routes[] = {
	{ "GET", "/api/webhooks", ROLE_ADMIN, 200, BODY_NONE, webhooks_list,
	  "Webhooks (never their secrets), with the kinds they may take",
	  .query = page_query, .reply = "{webhooks: [Webhook],"
	  " available_kinds: [NoticeKind], total: int}" },
	{ "POST", "/api/webhooks", ROLE_ADMIN, 201, BODY_JSON, webhooks_create,
	  "Add a webhook {url, kinds, active}; its secret is shown once",
	  ROUTE_FIELDS(hook_create_spec),
	  .reply = "{secret: string, webhook: Webhook}",
	  ROUTE_ERRORS(ERR_WEBHOOK_URL_INVALID, ERR_WEBHOOK_KINDS_INVALID) },
	{ "GET", "/api/webhooks/{id}", ROLE_ADMIN, 200, BODY_NONE,
	  webhooks_get, "One webhook", .reply = HOOK_REPLY,
	  ROUTE_ERRORS(ERR_WEBHOOK_NOT_FOUND) },
	{ "PATCH", "/api/webhooks/{id}", ROLE_ADMIN, 200, BODY_JSON,
	  webhooks_update, "Change a webhook's url, kinds or active",
	  ROUTE_FIELDS(hook_spec), .reply = HOOK_REPLY,
	  ROUTE_ERRORS(ERR_WEBHOOK_NOT_FOUND, ERR_NO_CHANGES,
		       ERR_WEBHOOK_URL_INVALID, ERR_WEBHOOK_KINDS_INVALID) },
	{ "DELETE", "/api/webhooks/{id}", ROLE_ADMIN, 204, BODY_NONE,
	  webhooks_delete, "Delete a webhook (its pending notices die)",
	  ROUTE_ERRORS(ERR_WEBHOOK_NOT_FOUND) },
	{ "POST", "/api/webhooks/{id}/secret", ROLE_ADMIN, 200, BODY_NONE,
	  webhooks_rotate, "A new signing secret, shown once",
	  .reply = "{secret: string, webhook: Webhook}",
	  ROUTE_ERRORS(ERR_WEBHOOK_NOT_FOUND) },
	{ "POST", "/api/webhooks/{id}/test", ROLE_ADMIN, 201, BODY_NONE,
	  webhooks_test, "Send a webhook.test notice to this webhook",
	  .reply = NOTICE_REPLY,
	  ROUTE_ERRORS(ERR_WEBHOOK_NOT_FOUND, ERR_WEBHOOK_INACTIVE) },
	{ "GET", "/api/notices", ROLE_ADMIN, 200, BODY_NONE, notices_list,
	  "The outbox, newest first (?state=&kind=&channel=&user_id="
	  "&webhook_id=&q=, paging), with state_counts",
	  .query = notices_query, .reply = "{notices: [Notice],"
	  " state_counts: {pending: int, held: int, digested: int, sent: int,"
	  " dead: int, skipped: int}, total: int}" },
	{ "GET", "/api/notices/{id}", ROLE_ADMIN, 200, BODY_NONE, notices_get,
	  "One notice with its delivery attempts", .reply = NOTICE_REPLY,
	  ROUTE_ERRORS(ERR_NOTICE_NOT_FOUND) },
	{ "POST", "/api/notices/{id}/retry", ROLE_ADMIN, 200, BODY_NONE,
	  notices_retry, "Send a dead notice again (attempts start over)",
	  .reply = NOTICE_REPLY,
	  ROUTE_ERRORS(ERR_NOTICE_NOT_FOUND, ERR_NOTICE_NOT_DEAD,
		       ERR_WEBHOOK_INACTIVE) },
	{ 0 },
};

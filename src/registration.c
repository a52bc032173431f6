/* registration: POST /api/register streams a multipart body through the
 * multipart parser, writes the document under a random name in upload_dir
 * (checked by its magic bytes, never by the client's name or type), and
 * creates a pending account and its request in one transaction; staff
 * decide each request once. */
#include "registration.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accounts.h"
#include "app.h"
#include "audit.h"
#include "body.h"
#include "db.h"
#include "log.h"
#include "multipart.h"
#include "notify.h"
#include "parking.h"
#include "util.h"

#define REQ_COLS \
	"q.id, q.user_id, q.name, q.email, q.plate_number, q.status," \
	" q.reason, q.submitted_at, q.decided_at, q.decided_by," \
	" q.document_type, q.document_bytes," \
	" q.document_name IS NOT NULL AND q.document_deleted_at IS NULL," \
	" d.username, d.name"
#define REQ_NCOLS 15
/* A request, its applicant's account and who decided it (staff see a
 * name, not only an id). */
#define REQ_FROM \
	" FROM registration_requests q JOIN users u ON u.id = q.user_id" \
	" LEFT JOIN users d ON d.id = q.decided_by"
#define TEXT_MAX 1024
/* Room in upload_max_bytes (nginx's limit on the whole form) for the text
 * fields and the multipart framing: a document of at most upload_max_bytes
 * less this always fits. */
#define FORM_ALLOWANCE 16384

enum registration_sql {
	Q_EXPIRE,
	Q_PLATE_USED,
	Q_INSERT,
	Q_SUBMITTED,
	Q_LIST,
	Q_COUNT,
	Q_GET,
	Q_DECIDE,
	Q_DOCUMENT,
};

/* The pending account of an expired or rejected request is erased (its
 * email free again); the request keeps the applicant's name and email.
 * A decision expires and erases in its procedure: sql/018_bookings_
 * decisions.sql keeps its copy of this and of Q_EXPIRE. */
#define ERASE_PENDING \
	" u.username = NULL, u.email = NULL, u.name = NULL," \
	" u.password_hash = '!', u.status = 'deleted'," \
	" u.token_version = u.token_version + 1," \
	" u.deleted_at = UTC_TIMESTAMP(6)"

static const char *const sql[] = {
	/* Run whenever registrations are touched, so no daemon is needed
	 * for a request to expire. */
	[Q_EXPIRE] = "UPDATE registration_requests q JOIN users u"
		" ON u.id = q.user_id AND u.status = 'pending'"
		" SET q.status = 'expired', q.decided_at = UTC_TIMESTAMP(6),"
		ERASE_PENDING " WHERE q.status = 'pending'"
		" AND q.submitted_at < UTC_TIMESTAMP(6) - INTERVAL ? DAY",
	/* A plate that is a permit already cannot be applied for. */
	[Q_PLATE_USED] = "SELECT COUNT(*) FROM plates WHERE live_plate = ?",
	[Q_INSERT] = "INSERT INTO registration_requests (user_id, plate_number,"
		" name, email, document_name, document_type, document_bytes)"
		" VALUES (?, ?, ?, ?, ?, ?, ?)",
	[Q_SUBMITTED] = "SELECT submitted_at FROM registration_requests"
		" WHERE id = ?",
	/* The queue: pending first, the longest waiting at the top; then
	 * the decided ones, the latest decision first. */
	[Q_LIST] = "SELECT " REQ_COLS REQ_FROM
		" WHERE (? IS NULL OR q.status = ?)"
		" ORDER BY q.status <> 'pending',"
		" IF(q.status = 'pending', q.id, NULL),"
		" q.decided_at DESC, q.id DESC LIMIT ? OFFSET ?",
	[Q_COUNT] = "SELECT COUNT(*) FROM registration_requests q"
		" WHERE (? IS NULL OR q.status = ?)",
	[Q_GET] = "SELECT " REQ_COLS REQ_FROM " WHERE q.id = ?",
	/* sql/018_bookings_decisions.sql: the request locked, decided once,
	 * the applicant activated (its plate a permit) or erased, told, the
	 * audit entry; answers the request as decided. */
	[Q_DECIDE] = "CALL haas_registration_decide(?, ?, ?, ?, ?, ?, ?, ?,"
		" ?, ?)",
	[Q_DOCUMENT] = "SELECT document_name, document_type,"
		" document_deleted_at IS NULL FROM registration_requests"
		" WHERE id = ?",
};

enum { F_NAME, F_EMAIL, F_PASSWORD, F_PLATE, F_NFIELDS };

static const char *const field_names[F_NFIELDS] = {
	[F_NAME] = "name", [F_EMAIL] = "email", [F_PASSWORD] = "password",
	[F_PLATE] = "plate_number",
};

/* The form as it streams in. */
struct form {
	struct req *r;
	const char *fields[F_NFIELDS];
	struct buf text;
	int cur;		/* F_*, -1 ignored, F_NFIELDS the document */
	int fd;
	char *tmp_path;		/* while the document is being written */
	char *path;		/* after its type is known */
	char name[48];
	const char *type;
	unsigned char head[8];
	size_t head_len;
	long long bytes;
	bool have_doc;
	enum err err;
};

/* e, naming the form field it is about (the client shows it there). */
static enum err
at(struct req *r, enum err e, const char *field)
{
	if (e != ERR_OK)
		req_fail_extra(r, "field", json_object_new_string(field));
	return e;
}

/* Expires the requests pending longer than registration_ttl_days; run
 * whenever registrations are touched, so no daemon is needed.  *any is
 * set when one expired (its pending account erased with it). */
static enum err
expire(struct req *r, bool *any)
{
	struct db_result res = { 0 };
	enum err e = db_exec(r->db, sql[Q_EXPIRE],
			     DB_P(db_int(r->app->cfg.registration_ttl_days)),
			     &res);

	*any = e == ERR_OK && res.affected > 0;
	return e;
}

/* ---- the document --------------------------------------------------------- */

/* By content: JPEG, PNG or PDF; the extension lets nginx's mime.types
 * serve the right Content-Type. */
static const char *
magic_type(const unsigned char *h, size_t n, const char **ext)
{
	if (n >= 3 && h[0] == 0xFF && h[1] == 0xD8 && h[2] == 0xFF) {
		*ext = "jpg";
		return "image/jpeg";
	}
	if (n >= 8 && !memcmp(h, "\x89PNG\r\n\x1a\n", 8)) {
		*ext = "png";
		return "image/png";
	}
	if (n >= 5 && !memcmp(h, "%PDF-", 5)) {
		*ext = "pdf";
		return "application/pdf";
	}
	return NULL;
}

/* The client's file name is never used for storage, but one that tries
 * to climb directories or hide control characters is refused outright. */
static bool
filename_ok(const char *s)
{
	if (!*s || strstr(s, ".."))
		return false;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == '/' || *s == '\\' ||
		    *s == 0x7F)
			return false;
	return true;
}

static enum err
doc_open(struct form *f, const struct mp_part *p)
{
	unsigned char rnd[16];

	if (f->have_doc)
		return at(f->r, ERR_MULTIPART_INVALID, "document");
	if (!p->has_filename)
		return at(f->r, ERR_REGISTRATION_FIELDS, "document");
	if (!filename_ok(p->filename))
		return at(f->r, ERR_DOCUMENT_NAME, "document");
	random_bytes(rnd, sizeof(rnd));
	hex_encode(rnd, sizeof(rnd), f->name);
	f->tmp_path = xasprintf("%s/%s.part", f->r->app->cfg.upload_dir,
				f->name);
	f->fd = open(f->tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		     0644);
	if (f->fd < 0) {
		log_error("register: cannot create %s: %s", f->tmp_path,
			  strerror(errno));
		return ERR_INTERNAL;
	}
	f->have_doc = true;
	return ERR_OK;
}

static enum err
doc_write(struct form *f, const char *s, size_t n)
{
	size_t k = n < sizeof(f->head) - f->head_len ? n
		: sizeof(f->head) - f->head_len;
	ssize_t w;

	memcpy(f->head + f->head_len, s, k);
	f->head_len += k;
	f->bytes += (long long)n;
	if (f->bytes > f->r->app->cfg.upload_max_bytes)
		return at(f->r, ERR_DOCUMENT_TOO_LARGE, "document");
	while (n) {
		w = write(f->fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			log_error("register: write: %s", strerror(errno));
			return ERR_INTERNAL;
		}
		s += w;
		n -= (size_t)w;
	}
	return ERR_OK;
}

/* Closes the file and gives it its final name once the type is known. */
static enum err
doc_close(struct form *f)
{
	const char *ext;

	if (close(f->fd)) {
		f->fd = -1;
		return ERR_INTERNAL;
	}
	f->fd = -1;
	f->type = magic_type(f->head, f->head_len, &ext);
	if (!f->type)
		return at(f->r, ERR_DOCUMENT_TYPE, "document");
	snprintf(f->name + 32, sizeof(f->name) - 32, ".%s", ext);
	f->path = xasprintf("%s/%s", f->r->app->cfg.upload_dir, f->name);
	if (rename(f->tmp_path, f->path)) {
		log_error("register: rename: %s", strerror(errno));
		free(f->path);
		f->path = NULL;
		return ERR_INTERNAL;
	}
	free(f->tmp_path);
	f->tmp_path = NULL;
	return ERR_OK;
}

void
registration_document_delete(const struct config *cfg, const char *name)
{
	char *path;

	if (!name || !*name || strchr(name, '/'))
		return;
	path = xasprintf("%s/%s", cfg->upload_dir, name);
	if (unlink(path) && errno != ENOENT)
		log_error("register: cannot delete %s: %s", path,
			  strerror(errno));
	free(path);
}

/* Removes whatever was written (on any failure). */
static void
doc_discard(struct form *f)
{
	if (f->fd >= 0)
		close(f->fd);
	if (f->tmp_path)
		unlink(f->tmp_path);
	if (f->path)
		unlink(f->path);
	free(f->tmp_path);
	free(f->path);
	f->fd = -1;
	f->tmp_path = f->path = NULL;
}

/* ---- the form ------------------------------------------------------------- */

static int
on_begin(void *arg, const struct mp_part *p)
{
	struct form *f = arg;
	int i;

	f->cur = -1;
	f->text.len = 0;
	if (!strcmp(p->name, "document")) {
		f->cur = F_NFIELDS;
		f->err = doc_open(f, p);
		return f->err != ERR_OK;
	}
	for (i = 0; i < F_NFIELDS; i++)
		if (!strcmp(p->name, field_names[i]))
			f->cur = i;
	if (f->cur >= 0 && f->fields[f->cur])	/* sent twice */
		f->err = at(f->r, ERR_MULTIPART_INVALID, field_names[f->cur]);
	return f->err != ERR_OK;
}

static int
on_data(void *arg, const char *s, size_t n)
{
	struct form *f = arg;

	if (f->cur == F_NFIELDS)
		f->err = doc_write(f, s, n);
	else if (f->cur >= 0 && f->text.len + n > TEXT_MAX)
		f->err = at(f->r, req_fail(f->r, ERR_FIELD_INVALID,
				  "%s is too long", field_names[f->cur]),
			    field_names[f->cur]);
	else if (f->cur >= 0)
		buf_add(&f->text, s, n);
	return f->err != ERR_OK;
}

static int
on_end(void *arg)
{
	struct form *f = arg;
	const char *s = f->text.s ? f->text.s : "";

	if (f->cur == F_NFIELDS)
		f->err = doc_close(f);
	else if (f->cur >= 0 && !utf8_valid(s, f->text.len))
		f->err = at(f->r, ERR_BAD_UTF8, field_names[f->cur]);
	else if (f->cur >= 0)
		f->fields[f->cur] = req_strndup(f->r, s, f->text.len);
	return f->err != ERR_OK;
}

static const struct mp_callbacks form_callbacks = { on_begin, on_data,
						    on_end };

static enum err
form_parse(struct req *r, struct form *f)
{
	char boundary[MP_BOUNDARY_MAX + 1];
	struct multipart *mp;
	enum mp_status s;

	if (!multipart_boundary(r->content_type, boundary))
		return ERR_MULTIPART_REQUIRED;
	mp = xmalloc(sizeof(*mp));
	multipart_init(mp, boundary, &form_callbacks, f);
	s = multipart_feed(mp, r->body ? r->body : "", r->body_len);
	if (s == MP_OK)
		s = multipart_finish(mp);
	free(mp);
	buf_release(&f->text);
	if (f->err != ERR_OK)
		return f->err;
	if (s == MP_ERR_LIMIT)
		return req_fail(r, ERR_MULTIPART_INVALID,
				"Multipart body exceeds a limit (parts, headers"
				" or header length)");
	return s == MP_OK ? ERR_OK : ERR_MULTIPART_INVALID;
}

/* ---- POST /api/register --------------------------------------------------- */

static enum err
form_check(struct req *r, struct form *f, char plate[PLATE_MAX + 1])
{
	int i;

	for (i = 0; i < F_NFIELDS; i++)
		if (!f->fields[i] || !*f->fields[i])
			return at(r, ERR_REGISTRATION_FIELDS, field_names[i]);
	if (!f->have_doc)
		return at(r, ERR_REGISTRATION_FIELDS, "document");
	if (!accounts_email_valid(f->fields[F_EMAIL]))
		return at(r, ERR_EMAIL_INVALID, "email");
	if (!parking_plate_normalize(f->fields[F_PLATE], plate))
		return at(r, ERR_PLATE_INVALID, "plate_number");
	return at(r, accounts_check_password(r, f->fields[F_PASSWORD], NULL,
					     f->fields[F_EMAIL]), "password");
}

/* One submission, as the transaction sees it. */
struct submit {
	const struct form *f;
	const char *plate;
	long long id;
	bool ran;	/* every statement ran: only COMMIT was left */
	bool expired;	/* others expired on the way */
};

static enum err
reply_submitted(struct req *r, long long id)
{
	json_object *o = req_reply(r);
	struct db_rows *row;
	enum err e = db_row(r->db, sql[Q_SUBMITTED], DB_P(db_int(id)), 1,
			    ERR_INTERNAL, &row);

	if (!row)
		return e;
	json_object_object_add(o, "request_id", json_id(id));
	json_object_object_add(o, "status", json_object_new_string("pending"));
	json_object_object_add(o, "submitted_at", json_time(db_col(row, 0)));
	db_rows_free(row);
	return ERR_OK;
}

/* Tells operators and admins a request waits (NK_REGISTRATION_SUBMITTED),
 * in the submission's transaction. */
static enum err
submitted_notify(struct req *r, const struct submit *t)
{
	json_object *f = json_object_new_object();
	enum err e;

	json_object_object_add(f, "name",
			       json_object_new_string(t->f->fields[F_NAME]));
	json_object_object_add(f, "email",
			       json_object_new_string(t->f->fields[F_EMAIL]));
	json_object_object_add(f, "plate_number",
			       json_object_new_string(t->plate));
	json_object_object_add(f, "request_id", json_object_new_string(
		req_printf(r, "%lld", t->id)));
	e = notify(r->db, &(struct notice){ .kind = NK_REGISTRATION_SUBMITTED,
		.fields = f, .staff = ROLE_OPERATOR }, NULL);
	json_object_put(f);
	return e;
}

/* The pending account, its request, the audit entry and the reply, in
 * one transaction (req_txn): nothing is left to do after COMMIT. */
static enum err
submit_tx(struct req *r, void *arg)
{
	struct submit *t = arg;
	const struct form *f = t->f;
	struct new_account a = { .email = f->fields[F_EMAIL],
		.name = f->fields[F_NAME], .password = f->fields[F_PASSWORD],
		.role = ROLE_USER, .status = "pending" };
	struct db_result res;
	long long uid, used;
	enum err e;

	t->ran = false;
	e = expire(r, &t->expired);
	if (e == ERR_OK)
		e = accounts_create(r->db, r, &a, &uid);
	if (e == ERR_EMAIL_TAKEN)
		return at(r, ERR_EMAIL_REGISTERED, "email");
	if (e == ERR_OK)
		e = db_query_int(r->db, sql[Q_PLATE_USED],
				 DB_P(db_str(t->plate)), ERR_OK, &used);
	if (e == ERR_OK && used)
		return at(r, ERR_PLATE_TAKEN, "plate_number");
	if (e == ERR_OK)
		e = db_exec(r->db, sql[Q_INSERT], DB_P(db_int(uid),
			db_str(t->plate), db_str(f->fields[F_NAME]),
			db_str(f->fields[F_EMAIL]), db_str(f->name),
			db_str(f->type), db_int(f->bytes)), &res);
	if (e != ERR_OK)
		return e;
	t->id = (long long)res.insert_id;
	e = submitted_notify(r, t);
	if (e == ERR_OK)
			e = audit_write(r->db, r, uid, "registration.submit",
			"registration_request", req_printf(r, "%lld", t->id),
			json_object_new_string(t->plate));
	if (e == ERR_OK)
		e = reply_submitted(r, t->id);
	t->ran = e == ERR_OK;
	return e;
}

static enum err
register_submit(struct req *r)
{
	struct form f = { .r = r, .fd = -1, .cur = -1 };
	char plate[PLATE_MAX + 1];
	struct submit t = { &f, plate, 0, false, false };
	enum err e = form_parse(r, &f);

	if (e == ERR_OK)
		e = form_check(r, &f, plate);
	if (e == ERR_OK)
		e = req_txn(r, submit_tx, &t);
	/* A COMMIT whose answer was lost may have stored the request: its
	 * document stays (an unreferenced file is the lesser harm). */
	if (e == ERR_DB_DOWN && t.ran)
		log_warn("register: request %lld may be stored; keeping %s",
			 t.id, f.name);
	else if (e != ERR_OK)
		doc_discard(&f);
	if (e == ERR_OK && t.expired)
		parking_queue_event(r, "registration", 0, "expired");
	if (e == ERR_OK)
		parking_queue_event(r, "registration", t.id, "pending");
	free(f.tmp_path);
	free(f.path);
	return e;
}

/* GET /api/register/requirements: what the form's browser checks need
 * before anything is sent: the document's types and largest size, and a
 * plate number's length. */
static enum err
register_requirements(struct req *r)
{
	static const char *const types[] = { "image/jpeg", "image/png",
					     "application/pdf" };
	long long max = r->app->cfg.upload_max_bytes;
	json_object *doc = json_object_new_object();
	json_object *arr = json_object_new_array(), *plate;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(types); i++)
		json_object_array_add(arr, json_object_new_string(types[i]));
	json_object_object_add(doc, "types", arr);
	json_object_object_add(doc, "max_bytes", json_object_new_int64(
		max > 2 * FORM_ALLOWANCE ? max - FORM_ALLOWANCE : max / 2));
	json_object_object_add(req_reply(r), "document", doc);
	plate = json_object_new_object();
	json_object_object_add(plate, "min_length", json_object_new_int(2));
	json_object_object_add(plate, "max_length",
			       json_object_new_int(PLATE_MAX));
	json_object_object_add(req_reply(r), "plate_number", plate);
	return ERR_OK;
}

/* ---- staff ---------------------------------------------------------------- */

/* A request as staff read it (a decision's reply is sql/018_bookings_
 * decisions.sql's haas_request_json, the same object). */
static json_object *
request_json(const struct db_rows *rows)
{
	json_object *o = json_object_new_object(), *d = NULL;

	json_object_object_add(o, "request_id", json_id(db_col_int(rows, 0)));
	json_object_object_add(o, "user_id", json_id(db_col_int(rows, 1)));
	json_object_object_add(o, "name", json_str_or_null(db_col(rows, 2)));
	json_object_object_add(o, "email", json_str_or_null(db_col(rows, 3)));
	json_object_object_add(o, "plate_number",
			       json_object_new_string(db_col(rows, 4)));
	json_object_object_add(o, "status",
			       json_object_new_string(db_col(rows, 5)));
	json_object_object_add(o, "reason", json_str_or_null(db_col(rows, 6)));
	json_object_object_add(o, "submitted_at", json_time(db_col(rows, 7)));
	json_object_object_add(o, "decided_at", json_time(db_col(rows, 8)));
	json_object_object_add(o, "decided_by", db_col(rows, 9)
			       ? json_id(db_col_int(rows, 9)) : NULL);
	/* who decided, by name (null once their account is erased) */
	json_object_object_add(o, "decided_by_username",
			       json_str_or_null(db_col(rows, 13)));
	json_object_object_add(o, "decided_by_name",
			       json_str_or_null(db_col(rows, 14)));
	if (db_col_int(rows, 12)) {
		d = json_object_new_object();
		json_object_object_add(d, "type",
				       json_str_or_null(db_col(rows, 10)));
		json_object_object_add(d, "bytes", json_object_new_int64(
			db_col_int(rows, 11)));
	}
	json_object_object_add(o, "document", d);
	return o;
}

static enum err
requests_list(struct req *r)
{
	const char *st = req_query(r, "status");
	long long limit, offset, total;
	json_object *arr = json_object_new_array();
	struct db_rows *rows;
	bool expired = false;
	enum err e = req_paging(r, &limit, &offset);

	json_object_object_add(req_reply(r), "requests", arr);
	st = st && *st ? st : NULL;
	if (st && strcmp(st, "pending") && strcmp(st, "approved") &&
	    strcmp(st, "rejected") && strcmp(st, "expired"))
		return ERR_REQUEST_STATUS_INVALID;
	if (e == ERR_OK)
		e = expire(r, &expired);
	if (expired)
		parking_queue_event(r, "registration", 0, "expired");
	if (e == ERR_OK)
		e = db_query(r->db, sql[Q_LIST], DB_P(db_str(st), db_str(st),
			db_int(limit), db_int(offset)), REQ_NCOLS, &rows);
	if (e != ERR_OK)
		return e;
	while (db_next(rows))
		json_object_array_add(arr, request_json(rows));
	e = db_rows_err(rows);
	db_rows_free(rows);
	if (e == ERR_OK)
		e = db_query_int(r->db, sql[Q_COUNT], DB_P(db_str(st),
				 db_str(st)), ERR_INTERNAL, &total);
	if (e == ERR_OK)
		json_object_object_add(req_reply(r), "total",
				       json_object_new_int64(total));
	return e;
}

static enum err
path_id(struct req *r, long long *id)
{
	const char *s = req_param(r, "id");

	return s && !parse_ll(s, 1, INT64_MAX, id) ? ERR_OK
						    : ERR_REQUEST_NOT_FOUND;
}

static enum err
reply_request(struct req *r, long long id)
{
	return req_reply_row(r, "request", sql[Q_GET], DB_P(db_int(id)),
			     REQ_NCOLS, ERR_REQUEST_NOT_FOUND, request_json);
}

/* GET /api/requests/{id}: one request, as the list shows it. */
static enum err
requests_get(struct req *r)
{
	bool expired = false;
	long long id;
	enum err e = path_id(r, &id);

	if (e == ERR_OK)
		e = expire(r, &expired);
	if (expired)
		parking_queue_event(r, "registration", 0, "expired");
	return e != ERR_OK ? e : reply_request(r, id);
}

/* GET /api/requests/events is nginx's (nchan's live stream of the queue,
 * nginx/api-locations.conf): nginx asks this route first, with the
 * browser's cookie, and opens the stream only on a 2xx.  The router has
 * already answered 401 or 403 to anyone but operators and admins. */
static enum err
requests_events_auth(struct req *r)
{
	(void)r;
	return ERR_OK;
}

/* The document itself is sent by nginx from an internal location: haasd
 * only names it, after the router has checked the caller's role. */
static enum err
requests_document(struct req *r)
{
	struct db_rows *row;
	long long id;
	enum err e = path_id(r, &id);

	if (e == ERR_OK)
		e = db_row(r->db, sql[Q_DOCUMENT], DB_P(db_int(id)), 3,
			   ERR_REQUEST_NOT_FOUND, &row);
	if (e != ERR_OK)
		return e;
	if (!db_col(row, 0) || !db_col_int(row, 2))
		e = ERR_DOCUMENT_NOT_FOUND;
	else
		req_header(r, "X-Accel-Redirect", req_printf(r,
			   "/internal/uploads/%s", db_col(row, 0)));
	db_rows_free(row);
	return e;
}

/* A 409 request_decided carries the request as it now stands (who
 * decided, when, how), so the second of two staff deciding it at once is
 * told at once.  The refused transaction rolled back the expiry it ran:
 * it is run again, on its own, so an expired request reads expired. */
static void
decided_extra(struct req *r, long long id)
{
	json_object *o = NULL;
	bool expired = false;

	if (expire(r, &expired) == ERR_OK &&
	    req_row_json(r, sql[Q_GET], DB_P(db_int(id)), REQ_NCOLS,
			 ERR_REQUEST_NOT_FOUND, request_json, &o) == ERR_OK)
		req_fail_extra(r, "request", o);
	if (expired)
		parking_queue_event(r, "registration", 0, "expired");
}

/* One CALL (sql/018_bookings_decisions.sql, haas_registration_decide):
 * the caller's account and role, the expiry on the way, the request
 * locked and decided once, the applicant activated (its plate a permit,
 * the number's other claims answered) or erased, the applicant told
 * (NK_REGISTRATION_DECIDED, before a rejection erases the account: the
 * notice keeps the request's own address) and the audit entry, in its own
 * transaction.  The reply is the request as the procedure decided it. */
static enum err
requests_decide(struct req *r)
{
	struct decision d = { 0 };
	json_object *out = NULL, *v;
	enum err e = parking_decision_read(r, ERR_REQUEST_NOT_FOUND, &d);

	if (e == ERR_OK)
		e = req_call(r, sql[Q_DECIDE], DB_P(REQ_PRINCIPAL(r),
			db_int(PARKING_DECISION_ROLE), db_int(d.id),
			db_int(d.approve), db_str(d.reason),
			db_int(r->app->cfg.registration_ttl_days),
			db_str(r->request_id), db_str(r->remote_addr)), &out);
	if (e == ERR_REQUEST_DECIDED)
		decided_extra(r, d.id);
	if (e == ERR_OK)
		e = parking_decision_reply(r, out, "request");
	if (e == ERR_OK && json_object_object_get_ex(out, "expired", &v) &&
	    json_object_get_boolean(v))
		parking_queue_event(r, "registration", 0, "expired");
	if (e == ERR_OK)
		parking_queue_event(r, "registration", d.id, d.status);
	json_object_put(out);
	return e;
}

/* What request_json, reply_submitted and register_requirements write. */
const struct schema_def registration_schemas[] = {
	/* null once the document is deleted (or there never was one) */
	{ "RegistrationDocument", "{type: string?, bytes: int}" },
	/* name and email as the applicant gave them (null once erased);
	 * decided_by_* null while pending or once that account is erased */
	{ "RegistrationRequest", "{request_id: id, user_id: id, name: string?,"
	  " email: string?, plate_number: string, status: string,"
	  " reason: string?, submitted_at: time, decided_at: time?,"
	  " decided_by: id?, decided_by_username: string?,"
	  " decided_by_name: string?, document: RegistrationDocument?}" },
	{ "RegistrationReceipt", "{request_id: id, status: string,"
	  " submitted_at: time}" },
	{ "RegistrationRequirements", "{document: {types: [string],"
	  " max_bytes: int}, plate_number: {min_length: int,"
	  " max_length: int}}" },
	{ NULL, NULL },
};

static const struct qparam requests_query[] = {
	{ "status", "string", "pending, approved, rejected or expired" },
	QP_LIMIT,
	QP_OFFSET,
	{ NULL },
};

/* POST /api/register keeps its own streaming multipart parser
 * (form_parse): its fields are not a JSON field spec the router reads. */
const struct route registration_routes[] = {
	{ "POST", "/api/register", ROLE_NONE, 201, BODY_RAW, register_submit,
	  "Register as a driver: multipart name, email, password, "
	  "plate_number and document (JPEG, PNG or PDF)",
	  .reply = "RegistrationReceipt",
	  ROUTE_ERRORS(ERR_MULTIPART_REQUIRED, ERR_MULTIPART_INVALID,
		       ERR_REGISTRATION_FIELDS, ERR_FIELD_INVALID,
		       ERR_BAD_UTF8, ERR_DOCUMENT_NAME, ERR_DOCUMENT_TYPE,
		       ERR_DOCUMENT_TOO_LARGE, ERR_EMAIL_INVALID,
		       ERR_PLATE_INVALID, ERR_PASSWORD_WEAK,
		       ERR_EMAIL_REGISTERED, ERR_PLATE_TAKEN, ERR_INTERNAL) },
	{ "GET", "/api/register/requirements", ROLE_NONE, 200, BODY_NONE,
	  register_requirements, "What a registration's document may be "
	  "(types, max_bytes) and a plate number's length",
	  .reply = "RegistrationRequirements" },
	{ "GET", "/api/requests", ROLE_OPERATOR, 200, BODY_NONE,
	  requests_list, "Registration requests (?status=, paging)",
	  .query = requests_query,
	  .reply = "{requests: [RegistrationRequest], total: int}",
	  ROUTE_ERRORS(ERR_REQUEST_STATUS_INVALID) },
	{ "GET", "/api/requests/events", ROLE_OPERATOR, 204, BODY_NONE,
	  requests_events_auth, "Live changes of the queue: an EventSource "
	  "served by nginx, which asks haasd here whether you may open it" },
	{ "GET", "/api/requests/{id}", ROLE_OPERATOR, 200, BODY_NONE,
	  requests_get, "One registration request",
	  .reply = "{request: RegistrationRequest}",
	  ROUTE_ERRORS(ERR_REQUEST_NOT_FOUND) },
	{ "GET", "/api/requests/{id}/document", ROLE_OPERATOR, 200, BODY_NONE,
	  requests_document, "A request's identity document (served by "
	  "nginx)", .reply = "any",
	  ROUTE_ERRORS(ERR_REQUEST_NOT_FOUND, ERR_DOCUMENT_NOT_FOUND) },
	{ "PUT", "/api/requests/{id}", PARKING_DECISION_ROLE, 200, BODY_JSON,
	  requests_decide, "Approve or reject a request, once",
	  ROUTE_AUTH_LATE, ROUTE_FIELDS(parking_decision_spec),
	  .reply = "{request: RegistrationRequest}",
	  ROUTE_ERRORS(ERR_REQUEST_NOT_FOUND, ERR_DECISION_INVALID,
		       ERR_REQUEST_DECIDED, ERR_APPLICANT_GONE,
		       ERR_PLATE_TAKEN) },
	{ 0 },
};

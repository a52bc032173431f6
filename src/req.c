/* req: request-lifetime memory, query/form decoding, reply helpers. */
#include "req.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "db.h"
#include "events.h"
#include "log.h"
#include "isotime.h"
#include "util.h"

struct pool_item {
	struct pool_item *next;
	max_align_t data[];
};

enum profile
req_profile_parse(const char *s)
{
	if (!s)
		return PROFILE_NONE;
	if (!strcmp(s, "haas-react"))
		return PROFILE_HAAS_REACT;
	if (!strcmp(s, "msmp"))
		return PROFILE_MSMP;
	if (!strcmp(s, "electroports"))
		return PROFILE_ELECTROPORTS;
	return PROFILE_NONE;
}

void
req_init(struct req *r, const struct app *app, struct db *db)
{
	memset(r, 0, sizeof(*r));
	r->app = app;
	r->db = db;
}

void
req_reset(struct req *r)
{
	const struct app *app = r->app;
	struct db *db = r->db;
	struct pool_item *p = r->pool;

	while (p) {
		struct pool_item *next = p->next;

		free(p);
		p = next;
	}
	json_object_put(r->json);
	json_object_put(r->reply);
	json_object_put(r->err_extra);
	req_events_drop(r, 0);
	req_init(r, app, db);
}

void *
req_alloc(struct req *r, size_t n)
{
	struct pool_item *p = xmalloc(sizeof(*p) + n);

	p->next = r->pool;
	r->pool = p;
	return p->data;
}

char *
req_strndup(struct req *r, const char *s, size_t n)
{
	char *p = req_alloc(r, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
req_strdup(struct req *r, const char *s)
{
	return req_strndup(r, s, strlen(s));
}

char *
req_printf(struct req *r, const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	p = req_alloc(r, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

const char *
req_param(const struct req *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nparams; i++)
		if (!strcmp(r->params[i].key, name))
			return r->params[i].val;
	return NULL;
}

const char *
req_query(const struct req *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nqs; i++)
		if (!strcmp(r->qs[i].key, name))
			return r->qs[i].val;
	return NULL;
}

enum err
req_query_int(struct req *r, const char *name, long long def, long long min,
	      long long max, long long *out)
{
	const char *v = req_query(r, name);

	if (!v || !*v) {
		*out = def;
		return ERR_OK;
	}
	if (parse_ll(v, min, max, out))
		return req_fail(r, ERR_BAD_QUERY,
				"Query parameter '%s' must be an integer from %lld to %lld",
				name, min, max);
	return ERR_OK;
}

enum err
req_query_time(struct req *r, const char *name, long long def, long long *us)
{
	const char *v = req_query(r, name);

	*us = def;
	if (!v || !*v)
		return ERR_OK;
	if (isotime_parse(v, r->app->cfg.timezone, us))
		return req_fail(r, ERR_BAD_QUERY,
				"Query parameter '%s' must be an ISO 8601 time such as 2026-01-01T10:00:00Z",
				name);
	return ERR_OK;
}

enum err
req_query_db_time(struct req *r, const char *name, const char **out)
{
	long long us;
	enum err e = req_query_time(r, name, -1, &us);

	*out = e == ERR_OK && us >= 0 ? req_db_time(r, us) : NULL;
	return e;
}

const char *
req_db_time(struct req *r, long long us)
{
	char out[ISOTIME_DB_MAX];

	isotime_db(us, out);
	return req_strdup(r, out);
}

enum err
req_paging(struct req *r, long long *limit, long long *offset)
{
	enum err e = req_query_int(r, "limit", 50, 1, 500, limit);

	if (e != ERR_OK)
		return e;
	return req_query_int(r, "offset", 0, 0, 1000000000, offset);
}

enum err
req_cursor_paging(struct req *r, long long *limit, long long *cursor)
{
	enum err e = req_query_int(r, "limit", 50, 1, 500, limit);

	if (e != ERR_OK)
		return e;
	return req_query_int(r, "cursor", INT64_MAX, 1, INT64_MAX, cursor);
}

enum err
req_paging_check(struct req *r)
{
	long long limit, offset, cursor;
	enum err e = req_paging(r, &limit, &offset);

	return e != ERR_OK ? e : req_cursor_paging(r, &limit, &cursor);
}

void
req_header(struct req *r, const char *name, const char *value)
{
	if (r->nheaders >= REQ_MAX_HEADERS)
		return;
	r->headers[r->nheaders].key = name;
	r->headers[r->nheaders].val = value;
	r->nheaders++;
}

enum err
req_fail(struct req *r, enum err e, const char *fmt, ...)
{
	va_list ap;
	char buf[512];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	r->err_msg = req_strdup(r, buf);
	return e;
}

void
req_fail_extra(struct req *r, const char *key, json_object *value)
{
	if (!r->err_extra)
		r->err_extra = json_object_new_object();
	json_object_object_add(r->err_extra, key, value);
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

char *
req_urldecode(struct req *r, const char *s, size_t n, bool plus,
	      size_t *outlen)
{
	char *out = req_alloc(r, n + 1);
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '%') {
			int hi, lo;

			if (i + 2 >= n)
				return NULL;
			hi = hexval((unsigned char)s[i + 1]);
			lo = hexval((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0)
				return NULL;
			out[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else if (plus && s[i] == '+') {
			out[o++] = ' ';
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	if (!utf8_valid(out, o))
		return NULL;
	if (outlen)
		*outlen = o;
	return out;
}

enum err
req_parse_urlencoded(struct req *r, const char *s, size_t n, struct kv **out,
		     size_t *nout)
{
	size_t count = 1, i, k = 0, start = 0;
	struct kv *kv;

	*out = NULL;
	*nout = 0;
	if (!s || n == 0)
		return ERR_OK;
	for (i = 0; i < n; i++)
		if (s[i] == '&')
			count++;
	kv = req_alloc(r, count * sizeof(*kv));
	for (i = 0; i <= n; i++) {
		const char *part = s + start, *eq;
		size_t plen, klen;

		if (i < n && s[i] != '&')
			continue;
		plen = i - start;
		start = i + 1;
		if (plen == 0)
			continue;
		eq = memchr(part, '=', plen);
		klen = eq ? (size_t)(eq - part) : plen;
		kv[k].key = req_urldecode(r, part, klen, true, NULL);
		kv[k].val = eq ? req_urldecode(r, eq + 1, plen - klen - 1,
					       true, &kv[k].len)
			       : req_strdup(r, "");
		if (!kv[k].key || !kv[k].val)
			return ERR_BAD_FORM;
		k++;
	}
	*out = kv;
	*nout = k;
	return ERR_OK;
}

enum err
req_row_json(struct req *r, const char *sql, const struct db_param *p,
	     size_t np, unsigned ncols, enum err missing, row_json_fn fn,
	     json_object **out)
{
	struct db_rows *row;
	enum err e = db_row(r->db, sql, p, np, ncols, missing, &row);

	*out = NULL;
	if (!row)
		return e;
	*out = fn(row);
	db_rows_free(row);
	return ERR_OK;
}

enum err
req_reply_row(struct req *r, const char *key, const char *sql,
	      const struct db_param *p, size_t np, unsigned ncols,
	      enum err missing, row_json_fn fn)
{
	json_object *o;
	enum err e = req_row_json(r, sql, p, np, ncols, missing, fn, &o);

	if (e != ERR_OK)
		return e;
	if (key) {
		json_object_object_add(req_reply(r), key, o);
	} else {
		json_object_put(r->reply);
		r->reply = o;
	}
	return ERR_OK;
}

enum err
req_reply_count(struct req *r, const char *key, const char *sql,
		const struct db_param *p, size_t np)
{
	long long n;
	enum err e = db_query_int(r->db, sql, p, np, ERR_INTERNAL, &n);

	if (e == ERR_OK)
		json_object_object_add(req_reply(r), key,
				       json_object_new_int64(n));
	return e;
}

json_object *
req_reply(struct req *r)
{
	if (!r->reply)
		r->reply = json_object_new_object();
	return r->reply;
}

json_object *
json_id(long long id)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", id);
	return json_object_new_string(buf);
}

json_object *
json_time(const char *t)
{
	char buf[40];
	size_t n;

	if (!t)
		return NULL;
	/* "2026-11-21 10:00:00.123456" -> "2026-11-21T10:00:00Z" */
	n = strlen(t);
	if (n < 19)
		return json_object_new_string(t);
	memcpy(buf, t, 19);
	buf[10] = 'T';
	buf[19] = 'Z';
	buf[20] = '\0';
	return json_object_new_string(buf);
}

json_object *
json_str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

bool
req_err_fatal(enum err e)
{
	return e == ERR_DB_RETRY || e == ERR_DB_DOWN || e == ERR_DB_BUSY ||
	       e == ERR_INTERNAL;
}

/* What a failed attempt may have left in the reply, undone: the next
 * attempt starts from the reply as it was before the transaction. */
struct reply_mark {
	size_t nheaders;
	size_t nevents;
	json_object *reply;
};

static json_object *
json_copy(json_object *src)
{
	json_object *dst = NULL;

	if (src && json_object_deep_copy(src, &dst, NULL))
		abort();	/* only fails on OOM */
	return dst;
}

static void
reply_mark(struct req *r, struct reply_mark *m)
{
	m->nheaders = r->nheaders;
	m->nevents = r->nevents;
	m->reply = json_copy(r->reply);
}

static void
reply_restore(struct req *r, const struct reply_mark *m)
{
	r->nheaders = m->nheaders;
	req_events_drop(r, m->nevents);
	json_object_put(r->reply);
	r->reply = json_copy(m->reply);
	json_object_put(r->err_extra);
	r->err_extra = NULL;
	r->err_msg = NULL;
	r->status = 0;
}

static enum err
txn_once(struct req *r, req_txn_fn fn, void *arg)
{
	enum err e = db_begin(r->db);

	if (e != ERR_OK)
		return e;
	e = fn(r, arg);
	if (e == ERR_OK)
		e = db_commit(r->db);
	if (e == ERR_OK)
		return e;
	if (req_err_fatal(e))
		db_abort(r->db);
	else if (db_rollback(r->db) != ERR_OK)
		e = ERR_DB_DOWN;	/* the whole transaction went with it */
	return e;
}

/* Before attempt n (1, 2, ...) of a transaction the server rolled back:
 * a short wait that grows, with jitter so that the losers spread out. */
static void
retry_wait(int attempt)
{
	unsigned short jitter;

	random_bytes(&jitter, sizeof(jitter));
	usleep((useconds_t)(1000 * attempt + jitter % 4000));
}

enum err
req_txn(struct req *r, req_txn_fn fn, void *arg)
{
	struct reply_mark m;
	enum err e = ERR_DB_RETRY;
	int attempt;

	/* Nested: a savepoint; the outermost req_txn retries. */
	if (db_txn_depth(r->db) > 0)
		return txn_once(r, fn, arg);
	reply_mark(r, &m);
	for (attempt = 0; attempt < REQ_TXN_ATTEMPTS && e == ERR_DB_RETRY;
	     attempt++) {
		if (attempt) {
			reply_restore(r, &m);
			retry_wait(attempt);
		}
		e = txn_once(r, fn, arg);
	}
	json_object_put(m.reply);
	return e;
}

/* Adds a procedure's refusal details (a JSON object) to the error body;
 * a string "error" among them is the body's message (as req_fail's). */
static void
call_details(struct req *r)
{
	const char *arg = db_signal_arg(r->db);
	json_object *o;

	if (!arg || !*arg)
		return;
	o = json_tokener_parse(arg);
	if (o && json_object_is_type(o, json_type_object)) {
		json_object_object_foreach(o, key, val) {
			if (!strcmp(key, "error") &&
			    json_object_is_type(val, json_type_string))
				r->err_msg = req_strdup(r,
					json_object_get_string(val));
			else
				req_fail_extra(r, key, json_object_get(val));
		}
	} else {
		log_error("a procedure's refusal details are not a JSON object");
	}
	json_object_put(o);
}

/* A refusal the procedure answered instead of signalling, because its
 * details would not fit a SIGNAL's message (512 characters): {"refused":
 * "NAME", ...details}, NAME a row of the error table.  ERR_OK when out is
 * no refusal. */
static enum err
call_refused(struct req *r, json_object *out)
{
	json_object *name;
	const char *s;
	enum err e;

	if (!json_object_object_get_ex(out, "refused", &name))
		return ERR_OK;
	s = json_object_get_string(name);
	e = s ? err_from_name(s, strlen(s)) : ERR__COUNT;
	if (e == ERR__COUNT || e == ERR_OK) {
		log_error("a procedure refused with no error of the table");
		return ERR_INTERNAL;
	}
	json_object_object_foreach(out, key, val)
		if (strcmp(key, "refused"))
			req_fail_extra(r, key, json_object_get(val));
	return e;
}

/* The account or session behind a due principal is no longer good. */
static void
principal_refused(struct req *r, enum err e)
{
	r->user.id = 0;
	r->user.due = false;
	r->auth_err = e;
	req_header(r, "WWW-Authenticate", "Bearer");
}

enum err
req_call(struct req *r, const char *sql, const struct db_param *p, size_t np,
	 json_object **out)
{
	bool own = db_txn_depth(r->db) == 0;
	char *text = NULL;
	enum err e = ERR_DB_RETRY;
	int attempt;

	*out = NULL;
	for (attempt = 0; attempt < (own ? REQ_TXN_ATTEMPTS : 1) &&
	     e == ERR_DB_RETRY; attempt++) {
		if (attempt)
			retry_wait(attempt);
		e = db_call(r->db, sql, p, np, &text);
	}
	if (e == ERR_OK) {
		r->user.due = false;
		*out = text ? json_tokener_parse(text) : NULL;
		free(text);
		if (!*out || !json_object_is_type(*out, json_type_object)) {
			log_error("procedure answered no JSON object: %.40s",
				  sql);
			json_object_put(*out);
			*out = NULL;
			return ERR_INTERNAL;
		}
		e = call_refused(r, *out);
		if (e != ERR_OK) {
			json_object_put(*out);
			*out = NULL;
		}
		return e;
	}
	if (e == ERR_TOKEN_INVALID) {
		principal_refused(r, e);
		return e;
	}
	/* Every procedure checks its caller first: any other refusal of
	 * its own means the caller stood (a FORBIDDEN too). */
	if (db_signal_arg(r->db))
		r->user.due = false;
	call_details(r);
	return e;
}

/* ---- live events ---------------------------------------------------------- */

void
req_event(struct req *r, const char *channel, json_object *event)
{
	if (r->nevents >= REQ_MAX_EVENTS) {
		log_warn("%s %s: more than %d events; %s dropped", r->method,
			 r->uri, REQ_MAX_EVENTS, channel);
		json_object_put(event);
		return;
	}
	r->events[r->nevents].channel = channel;
	r->events[r->nevents].committed = db_txn_depth(r->db) == 0;
	r->events[r->nevents++].event = event;
}

void
req_events_drop(struct req *r, size_t keep)
{
	while (r->nevents > keep)
		json_object_put(r->events[--r->nevents].event);
}

void
req_events_flush(struct req *r, bool all)
{
	for (size_t i = 0; i < r->nevents; i++)
		if (all || r->events[i].committed)
			events_publish(&r->app->cfg, r->events[i].channel,
				       r->events[i].event);
	req_events_drop(r, 0);
}

/* devices: lab PC reservations (the MSMP seed).  Admins register devices,
 * issue their lock-agent keys and may bind them to an address or network;
 * users reserve a device for a window with an unlock credential; lock
 * agents poll /get-reservation or verify a credential, with the device's
 * key or from its address.  Live windows of one device never overlap. */
#include "devices.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>

#include "app.h"
#include "audit.h"
#include "body.h"
#include "db.h"
#include "isotime.h"
#include "notify.h"
#include "util.h"
#include "when.h"

#define US_PER_SEC ISOTIME_US_PER_SEC

/* Columns of a reservation in lists (see reservation_json). */
#define RES_COLS \
	"r.id, d.device_id, r.user_id, r.start_time, r.end_time," \
	" r.start_at, r.end_at, r.credential," \
	" CASE WHEN r.cancel_reason IS NOT NULL THEN r.cancel_reason" \
	" WHEN r.end_at <= UTC_TIMESTAMP(6) THEN 'ended'" \
	" WHEN r.start_at <= UTC_TIMESTAMP(6) THEN 'active'" \
	" ELSE 'upcoming' END, u.username, u.name, r.cancelled_at" \
	" FROM reservations r JOIN devices d ON d.id = r.device_pk" \
	" JOIN users u ON u.id = r.user_id"
#define RES_NCOLS 12
/* A device with its holder now (see device_json). */
#define DEVICE_COLS \
	"d.id, d.device_id, d.name, d.location, d.address, r.user_id," \
	" u.username, r.end_at FROM devices d" \
	" LEFT JOIN reservations r ON r.device_pk = d.id" \
	" AND r.cancelled_at IS NULL AND r.start_at <= UTC_TIMESTAMP(6)" \
	" AND r.end_at > UTC_TIMESTAMP(6)" \
	" LEFT JOIN users u ON u.id = r.user_id"
#define DEVICE_NCOLS 8
#define MICROS(col) "TIMESTAMPDIFF(MICROSECOND, '1970-01-01', " col ")"

enum devices_sql {
	Q_DEVICE_INSERT,
	Q_DEVICE_GET,
	Q_DEVICE_BY_ADDRESS,
	Q_DEVICE_NET_HOLDER,
	Q_DEVICE_EDIT,
	Q_DEVICE_UPDATE,
	Q_DEVICE_BIND,
	Q_DEVICE_LOCK,
	Q_DEVICE_REKEY,
	Q_DEVICE_RETIRE,
	Q_DEVICE_LIST,
	Q_DEVICE_ONE,
	Q_DEVICE_COUNT,
	Q_RES_CHAIN,
	Q_RESERVE,
	Q_RES_CURRENT,
	Q_RES_VERIFY,
	Q_RES_OWNER,
	Q_RES_CANCEL,
	Q_RES_RETIRE,
	Q_RES_RANGE,
	Q_RES_RANGE_COUNT,
	Q_RES_MINE,
	Q_RES_MINE_COUNT,
	Q_SWEEP_STARTING,
	Q_SWEEP_LOCK,
	Q_SWEEP_INFO,
};

static const char *const sql[] = {
	[Q_DEVICE_INSERT] =
		"INSERT INTO devices (device_id, name, location, key_hash,"
		" address, net_lo, net_hi, net_prefix)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	[Q_DEVICE_GET] =
		"SELECT id, key_hash FROM devices"
		" WHERE device_id = ? AND status = 'active'",
	/* The bindings that contain an address (hex of its family's
	 * length), most specific first; a second row of the same prefix
	 * would be a tie. */
	[Q_DEVICE_BY_ADDRESS] =
		"SELECT id, device_id, net_prefix FROM devices"
		" WHERE status = 'active' AND LENGTH(net_lo) = ?"
		" AND net_lo <= ? AND net_hi >= ?"
		" ORDER BY net_prefix DESC LIMIT 2",
	[Q_DEVICE_NET_HOLDER] =
		"SELECT device_id FROM devices WHERE net_lo = ?"
		" AND net_prefix = ?",
	[Q_DEVICE_EDIT] =
		"SELECT id, address FROM devices"
		" WHERE device_id = ? AND status = 'active' FOR UPDATE",
	/* name: NULL keeps it; location only when the flag says it was
	 * sent (its NULL clears it). */
	[Q_DEVICE_UPDATE] =
		"UPDATE devices SET name = COALESCE(?, name),"
		" location = IF(?, ?, location) WHERE id = ?",
	[Q_DEVICE_BIND] =
		"UPDATE devices SET address = ?, net_lo = ?, net_hi = ?,"
		" net_prefix = ? WHERE id = ?",
	/* Serialises every reservation change of one device. */
	[Q_DEVICE_LOCK] =
		"SELECT id FROM devices WHERE device_id = ?"
		" AND status = 'active' FOR UPDATE",
	[Q_DEVICE_REKEY] =
		"UPDATE devices SET key_hash = ?"
		" WHERE device_id = ? AND status = 'active'",
	[Q_DEVICE_RETIRE] =
		"UPDATE devices SET status = 'retired', key_hash = NULL,"
		" address = NULL, net_lo = NULL, net_hi = NULL,"
		" net_prefix = NULL, retired_at = UTC_TIMESTAMP(6)"
		" WHERE id = ?",
	/* Live windows never overlap, so at most one is active now. */
	[Q_DEVICE_LIST] =
		"SELECT " DEVICE_COLS " WHERE d.status = 'active'"
		" ORDER BY d.device_id LIMIT ? OFFSET ?",
	[Q_DEVICE_ONE] =
		"SELECT " DEVICE_COLS " WHERE d.status = 'active'"
		" AND d.device_id = ?",
	[Q_DEVICE_COUNT] =
		"SELECT COUNT(*) FROM devices WHERE status = 'active'",
	[Q_RES_CHAIN] =
		"SELECT " MICROS("start_at") ", " MICROS("end_at")
		" FROM reservations WHERE device_pk = ?"
		" AND cancelled_at IS NULL AND end_at > ? ORDER BY start_at",
	/* Lock the device, check overlap, replace the caller's pending
	 * reservation of it, insert, audit: sql/018_bookings_decisions.sql. */
	[Q_RESERVE] = "CALL haas_reserve(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	/* The earliest live window not ended: the active one, else the
	 * next.  Optionally only one user's. */
	[Q_RES_CURRENT] =
		"SELECT r.start_time, r.end_time, r.credential"
		" FROM reservations r JOIN users u ON u.id = r.user_id"
		" AND u.status = 'active' WHERE r.device_pk = ?"
		" AND r.cancelled_at IS NULL AND r.end_at > UTC_TIMESTAMP(6)"
		" AND (? IS NULL OR r.user_id = ?) ORDER BY r.start_at LIMIT 1",
	/* Only an active account's window opens the device: disabling or
	 * erasing a user ends their credentials at once. */
	[Q_RES_VERIFY] =
		"SELECT r.end_at, r.end_time FROM reservations r"
		" JOIN users u ON u.id = r.user_id AND u.status = 'active'"
		" WHERE r.device_pk = ? AND r.cancelled_at IS NULL"
		" AND r.credential = ? AND r.start_at <= UTC_TIMESTAMP(6)"
		" AND r.end_at > UTC_TIMESTAMP(6) LIMIT 1",
	[Q_RES_OWNER] =
		"SELECT r.user_id, d.device_id, r.start_time, r.end_time"
		" FROM reservations r JOIN devices d ON d.id = r.device_pk"
		" WHERE r.id = ?",
	[Q_RES_CANCEL] =
		"UPDATE reservations SET cancelled_at = UTC_TIMESTAMP(6),"
		" cancelled_by = ?, cancel_reason = ? WHERE id = ?"
		" AND cancelled_at IS NULL AND end_at > UTC_TIMESTAMP(6)",
	[Q_RES_RETIRE] =
		"UPDATE reservations SET cancelled_at = UTC_TIMESTAMP(6),"
		" cancelled_by = ?, cancel_reason = 'retired'"
		" WHERE device_pk = ? AND cancelled_at IS NULL"
		" AND end_at > UTC_TIMESTAMP(6)",
	/* all = 1 (admins): the cancelled, replaced and kicked ones too. */
	[Q_RES_RANGE] =
		"SELECT " RES_COLS " WHERE r.device_pk = ?"
		" AND (? = 1 OR r.cancelled_at IS NULL) AND r.end_at > ?"
		" AND (? IS NULL OR r.start_at < ?)"
		" ORDER BY r.start_at, r.id LIMIT ? OFFSET ?",
	[Q_RES_RANGE_COUNT] =
		"SELECT COUNT(*) FROM reservations r WHERE r.device_pk = ?"
		" AND (? = 1 OR r.cancelled_at IS NULL) AND r.end_at > ?"
		" AND (? IS NULL OR r.start_at < ?)",
	[Q_RES_MINE] =
		"SELECT " RES_COLS " WHERE r.user_id = ?"
		" AND (? = 1 OR (r.cancelled_at IS NULL"
		" AND r.end_at > UTC_TIMESTAMP(6)))"
		" ORDER BY r.start_at DESC, r.id DESC LIMIT ? OFFSET ?",
	[Q_RES_MINE_COUNT] =
		"SELECT COUNT(*) FROM reservations r WHERE r.user_id = ?"
		" AND (? = 1 OR (r.cancelled_at IS NULL"
		" AND r.end_at > UTC_TIMESTAMP(6)))",
	/* Sweep: live reservations starting within ? s whose reminder has
	 * not been written (the once key of Q_SWEEP_LOCK), soonest first. */
	[Q_SWEEP_STARTING] =
		"SELECT r.id FROM reservations r"
		" LEFT JOIN notice_events n"
		" ON n.event_key = CONCAT('reservation.starting:', r.id)"
		" WHERE r.cancelled_at IS NULL AND r.start_at > UTC_TIMESTAMP(6)"
		" AND r.start_at <= UTC_TIMESTAMP(6) + INTERVAL ? SECOND"
		" AND n.event_key IS NULL ORDER BY r.start_at, r.id LIMIT ?",
	/* The reservation, locked, if it is still live and ahead: a cancel
	 * or kick waits for the reminder's commit, or the reminder skips
	 * the row and the next sweep finds it cancelled. */
	[Q_SWEEP_LOCK] =
		"SELECT CONCAT('reservation.starting:', r.id), r.user_id"
		" FROM reservations r WHERE r.id = ? AND r.cancelled_at IS NULL"
		" AND r.start_at > UTC_TIMESTAMP(6) FOR UPDATE SKIP LOCKED",
	[Q_SWEEP_INFO] =
		"SELECT d.name, COALESCE(d.location, ''), r.start_at, r.end_at"
		" FROM reservations r JOIN devices d ON d.id = r.device_pk"
		" WHERE r.id = ? AND d.status = 'active'",
};

/* ---- times --------------------------------------------------------------- */

static long long
now_us(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (long long)tv.tv_sec * US_PER_SEC + tv.tv_usec;
}

/* ---- shared helpers ------------------------------------------------------ */


/* The active device device_id: its row id, and whether the request's
 * X-Device-Key is its key (digests compared in constant time). */
static enum err
device_find(struct req *r, const char *device_id, long long *pk,
	    bool *key_ok)
{
	struct db_rows *row;
	const char *stored;
	char want[65];
	enum err e = db_row(r->db, sql[Q_DEVICE_GET], DB_P(db_str(device_id)),
			    2, ERR_DEVICE_NOT_FOUND, &row);

	*key_ok = false;
	if (!row)
		return e;
	*pk = db_col_int(row, 0);
	stored = db_col(row, 1);
	if (r->device_key && stored && strlen(stored) == 64) {
		sha256_hex(r->device_key, strlen(r->device_key), want);
		*key_ok = ct_equal(want, stored, 64);
	}
	db_rows_free(row);
	return ERR_OK;
}

/* The earliest instant at or after from where a window of dur fits
 * between the device's live reservations (haas_reserve walks the gaps the
 * same way for its 409's next_free_start: sql/018_bookings_decisions.sql). */
static enum err
next_free(struct req *r, long long pk, long long from, long long dur,
	  long long *out)
{
	struct db_rows *rows;
	enum err e = db_query(r->db, sql[Q_RES_CHAIN],
			      DB_P(db_int(pk), db_str(req_db_time(r, from))), 2,
			      &rows);

	if (e != ERR_OK)
		return e;
	*out = from;
	while (db_next(rows)) {
		if (db_col_int(rows, 0) >= *out + dur)
			break;
		if (db_col_int(rows, 1) > *out)
			*out = db_col_int(rows, 1);
	}
	e = db_rows_err(rows);
	db_rows_free(rows);
	return e;
}

static char *
id_str(struct req *r, long long id)
{
	return req_printf(r, "%lld", id);
}

/* ---- devices by address ------------------------------------------------- */

/* The prefix after '/': digits only, no leading zero, at most max. */
static bool
prefix_parse(const char *s, unsigned max, unsigned *out)
{
	size_t i, n = strlen(s);
	long long v;

	if (n < 1 || n > 3 || (n > 1 && s[0] == '0'))
		return false;
	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	if (parse_ll(s, 0, max, &v))
		return false;
	*out = (unsigned)v;
	return true;
}

/* ::ffff:a.b.c.d, an IPv4 address in IPv6 clothes. */
static bool
v4_mapped(const unsigned char a[16])
{
	static const unsigned char head[12] = { [10] = 0xff, [11] = 0xff };

	return !memcmp(a, head, sizeof(head));
}

/* a[0..len) with every bit after prefix cleared (lo) and set (hi). */
static void
net_bounds(const unsigned char *a, size_t len, unsigned prefix,
	   unsigned char *lo, unsigned char *hi)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned bits = prefix > 8 * i ? prefix - 8 * (unsigned)i : 0;
		unsigned char m = bits >= 8 ? 0xff
				  : (unsigned char)(0xff << (8 - bits));

		lo[i] = a[i] & m;
		hi[i] = lo[i] | (unsigned char)~m;
	}
}

enum err
devices_net_parse(const char *s, struct device_net *out)
{
	unsigned char a[16], lo[16], hi[16];
	char host[INET6_ADDRSTRLEN], text[INET6_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s), len = 4;
	int af = AF_INET;

	memset(out, 0, sizeof(*out));
	if (n == 0 || n >= sizeof(host))
		return ERR_DEVICE_ADDRESS_INVALID;
	memcpy(host, s, n);
	host[n] = '\0';
	if (inet_pton(AF_INET, host, a) != 1) {
		af = AF_INET6;
		len = 16;
		if (inet_pton(AF_INET6, host, a) != 1)
			return ERR_DEVICE_ADDRESS_INVALID;
	}
	out->prefix = (unsigned)len * 8;
	if (slash && !prefix_parse(slash + 1, out->prefix, &out->prefix))
		return ERR_DEVICE_ADDRESS_INVALID;
	if (len == 16 && v4_mapped(a) && out->prefix >= 96) {
		memmove(a, a + 12, 4);
		af = AF_INET;
		len = 4;
		out->prefix -= 96;
	}
	net_bounds(a, len, out->prefix, lo, hi);
	hex_encode(lo, len, out->lo);
	hex_encode(hi, len, out->hi);
	inet_ntop(af, lo, text, sizeof(text));
	if (out->prefix == len * 8)
		snprintf(out->text, sizeof(out->text), "%s", text);
	else
		snprintf(out->text, sizeof(out->text), "%s/%u", text,
			 out->prefix);
	if (out->prefix == 0)
		return ERR_DEVICE_ADDRESS_WIDE;
	return memcmp(a, lo, len) ? ERR_DEVICE_ADDRESS_HOST_BITS : ERR_OK;
}

/* Does the request come from a page of another site?  Such a request
 * never counts as a device by its address: a page elsewhere, opened in a
 * browser on a lab PC, must not read the PC's reservation through it. */
static bool
foreign_origin(const struct req *r)
{
	return r->origin && (!r->site_origin ||
			     strcasecmp(r->origin, r->site_origin));
}

/* Devices by address: does the caller's address count as device_id?
 * REMOTE_ADDR is nginx's peer address (only nginx's group reaches
 * haasd's socket, and no forwarding header is trusted).  The device whose
 * bound network holds it wins, the most specific one; two bindings of one
 * prefix would tie and count as neither (binding refuses that, so this is
 * a backstop).  ERR_OK with its row id in *pk; ERR_RESERVATION_AUTH when
 * no binding holds the address; ERR_DEVICE_ADDRESS_OTHER,
 * ERR_DEVICE_ADDRESS_TIE, or a database error. */
static enum err
address_device(struct req *r, const char *device_id, long long *pk)
{
	struct device_net a;
	struct db_rows *rows;
	long long prefix, found = 0;
	enum err e;

	if (!r->remote_addr || foreign_origin(r) ||
	    devices_net_parse(r->remote_addr, &a) != ERR_OK ||
	    a.prefix != strlen(a.lo) * 4)
		return ERR_RESERVATION_AUTH;
	e = db_query(r->db, sql[Q_DEVICE_BY_ADDRESS], DB_P(
		     db_int((long long)strlen(a.lo)), db_str(a.lo),
		     db_str(a.lo)), 3, &rows);
	if (e != ERR_OK)
		return e;
	e = ERR_RESERVATION_AUTH;
	if (db_next(rows)) {
		found = db_col_int(rows, 0);
		prefix = db_col_int(rows, 2);
		e = strcmp(db_col(rows, 1), device_id)
		    ? ERR_DEVICE_ADDRESS_OTHER : ERR_OK;
		if (db_next(rows) && db_col_int(rows, 2) == prefix)
			e = ERR_DEVICE_ADDRESS_TIE;
	}
	if (db_rows_err(rows) != ERR_OK)
		e = db_rows_err(rows);
	db_rows_free(rows);
	if (e == ERR_OK)
		*pk = found;
	return e;
}

/* The "address" field of a create or update: ERR_OK with *net NULL to
 * clear the binding (null or ""), else the parsed network; a bad one is
 * 400 naming the field (and, for host bits, the network meant). */
static enum err
address_field(struct req *r, const struct field_value *v,
	      struct device_net *buf, const struct device_net **net)
{
	enum err e;

	*net = NULL;
	if (v->is_null || !*v->s)
		return ERR_OK;
	e = devices_net_parse(v->s, buf);
	if (e == ERR_DEVICE_ADDRESS_HOST_BITS)
		req_fail(r, e, "%s has address bits set after its prefix:"
			 " the network is %s", v->s, buf->text);
	if (e != ERR_OK) {
		req_fail_extra(r, "field", json_object_new_string("address"));
		return e;
	}
	*net = buf;
	return ERR_OK;
}

/* After ERR_DUPLICATE on uq_devices_net: 409 naming the device that has
 * the network already. */
static enum err
address_taken(struct req *r, const struct device_net *net)
{
	struct db_rows *row;
	enum err e = db_row(r->db, sql[Q_DEVICE_NET_HOLDER], DB_P(
			    db_str(net->lo), db_int(net->prefix)), 1,
			    ERR_DEVICE_ADDRESS_TAKEN, &row);

	if (!row)
		return e;
	req_fail(r, ERR_DEVICE_ADDRESS_TAKEN, "%s is already bound to"
		 " device %s", net->text, db_col(row, 0));
	db_rows_free(row);
	return ERR_DEVICE_ADDRESS_TAKEN;
}

/* The binding's four columns as parameters (all NULL when unbound). */
#define NET_P(n) \
	db_str((n) ? (n)->text : NULL), db_str((n) ? (n)->lo : NULL), \
	db_str((n) ? (n)->hi : NULL), \
	(n) ? db_int((n)->prefix) : db_null()

/* ---- /set-reservation ---------------------------------------------------- */

enum { S_DEVICE, S_START, S_END, S_CRED };

/* Times and credential are kept exactly as sent: no trimming. */
static const struct field set_spec[] = {
	[S_DEVICE] = { "device_id", FT_STRING, F_REQUIRED, .max = 64,
		       .missing = ERR_DEVICE_ID_REQUIRED },
	[S_START] = { "start_time", FT_STRING, F_REQUIRED, .max = 64,
		      .missing = ERR_TIMES_REQUIRED },
	[S_END] = { "end_time", FT_STRING, F_REQUIRED, .max = 64,
		    .missing = ERR_TIMES_REQUIRED },
	[S_CRED] = { "credential", FT_STRING, F_REQUIRED, .max = 255,
		     .missing = ERR_CREDENTIAL_REQUIRED },
};

struct reserve {
	const struct field_value *v;	/* set_spec's, from the router */
	long long start, end;	/* microseconds since the epoch */
};

static enum err
time_field(struct req *r, const struct field_value *v, const char *name,
	   long long *us)
{
	if (!isotime_parse(v->s, r->app->cfg.timezone, us))
		return ERR_OK;
	req_fail_extra(r, "field", json_object_new_string(name));
	return ERR_TIME_INVALID;
}

/* The window rules that need no database: order, length, not over. */
static enum err
window_check(struct req *r, struct reserve *w)
{
	long long hours = r->app->cfg.reservation_max_hours;
	enum err e = time_field(r, &w->v[S_START], "start_time", &w->start);

	if (e == ERR_OK)
		e = time_field(r, &w->v[S_END], "end_time", &w->end);
	if (e != ERR_OK)
		return e;
	/* Each broken rule is the end's: the start stands, the end moves. */
	if (w->end <= w->start)
		e = ERR_TIME_ORDER;
	else if (w->end - w->start > hours * 3600 * US_PER_SEC)
		e = req_fail(r, ERR_RESERVATION_TOO_LONG,
			     "A reservation may last at most %lld hours",
			     hours);
	else if (w->end <= now_us())
		e = ERR_RESERVATION_ENDED;
	if (e != ERR_OK)
		req_fail_extra(r, "field", json_object_new_string("end_time"));
	return e;
}

/* One CALL (sql/018_bookings_decisions.sql, haas_reserve): the caller's
 * account, the device row locked (every reservation change of a device
 * serialises on it, so exactly one of two overlapping windows wins), the
 * overlap check, the caller's pending reservation of the device replaced,
 * the new one and its audit entry, in its own transaction.  An overlap is
 * 409 listing the conflicting windows and the next free start. */
static enum err
devices_set_reservation(struct req *r)
{
	struct reserve w = { r->vals, 0, 0 };
	const struct field_value *v = w.v;
	json_object *out = NULL;
	enum err e = window_check(r, &w);

	if (e == ERR_OK)
		e = req_call(r, sql[Q_RESERVE], DB_P(REQ_PRINCIPAL(r),
			db_str(v[S_DEVICE].s), db_str(v[S_START].s),
			db_str(v[S_END].s), db_str(req_db_time(r, w.start)),
			db_str(req_db_time(r, w.end)), db_str(v[S_CRED].s),
			db_str(r->request_id), db_str(r->remote_addr)), &out);
	json_object_put(out);
	if (e != ERR_OK)
		return e;
	json_object_object_add(req_reply(r), "status",
			       json_object_new_string("saved"));
	return ERR_OK;
}

/* ---- /get-reservation ---------------------------------------------------- */

/* 401 for a caller who is none of: a user, the device by its key, the
 * device by its address.  why: what address_device said. */
static enum err
reservation_unauthorized(struct req *r, enum err why)
{
	if (r->auth_err == ERR_DB_DOWN)
		return ERR_DB_DOWN;
	req_header(r, "WWW-Authenticate", "Bearer");
	if (why != ERR_RESERVATION_AUTH)
		return why;
	return r->auth_err ? r->auth_err : ERR_RESERVATION_AUTH;
}

/* Replies the active-else-next live reservation of device pk (only owner's
 * when owner is not 0). */
static enum err
reply_current(struct req *r, long long pk, long long owner)
{
	struct db_param who = owner ? db_int(owner) : db_null();
	struct db_rows *row;
	json_object *o;
	enum err e = db_row(r->db, sql[Q_RES_CURRENT], DB_P(db_int(pk), who,
			    who), 3, ERR_RESERVATION_NOT_FOUND, &row);

	if (!row)
		return e;
	o = req_reply(r);
	json_object_object_add(o, "start_time",
			       json_object_new_string(db_col(row, 0)));
	json_object_object_add(o, "end_time",
			       json_object_new_string(db_col(row, 1)));
	json_object_object_add(o, "credential",
			       json_object_new_string(db_col(row, 2)));
	db_rows_free(row);
	return ERR_OK;
}

/* The device (by its own key, or from its bound address), an admin and
 * (with get_reservation_open) anyone see the device's reservation; a user
 * sees only their own.  A key, when sent, decides alone. */
static enum err
devices_get_reservation(struct req *r)
{
	const char *device_id = req_query(r, "device_id");
	bool open = r->app->cfg.get_reservation_open, key_ok = false;
	long long pk = 0, owner = 0;
	enum err e;

	if (!device_id || !*device_id)
		return ERR_DEVICE_ID_REQUIRED;
	if (!open && !r->device_key) {
		e = address_device(r, device_id, &pk);
		if (e == ERR_OK)
			return reply_current(r, pk, 0);
		if (req_err_fatal(e))
			return e;
		if (!r->user.id)
			return reservation_unauthorized(r, e);
	}
	e = device_find(r, device_id, &pk, &key_ok);
	if (e == ERR_DEVICE_NOT_FOUND)
		return ERR_RESERVATION_NOT_FOUND;
	if (e != ERR_OK)
		return e;
	if (!open && !key_ok && !r->user.id)
		return ERR_DEVICE_KEY;
	if (!open && !key_ok && r->user.role < ROLE_ADMIN)
		owner = r->user.id;
	return reply_current(r, pk, owner);
}

/* ---- POST /api/devices/{device_id}/verify ------------------------------- */

static const struct field verify_spec[] = {
	{ "credential", FT_STRING, F_REQUIRED, .max = 255,
	  .missing = ERR_CREDENTIAL_REQUIRED },
};

static enum err
devices_verify(struct req *r)
{
	struct db_rows *row = NULL;
	long long pk = 0;
	bool key_ok = false;
	json_object *o;
	enum err e;

	if (r->device_key) {
		e = device_find(r, req_param(r, "device_id"), &pk, &key_ok);
		if (e == ERR_DEVICE_NOT_FOUND || (e == ERR_OK && !key_ok))
			return ERR_DEVICE_KEY;
	} else {
		e = address_device(r, req_param(r, "device_id"), &pk);
		if (e == ERR_RESERVATION_AUTH)
			return ERR_DEVICE_KEY;
	}
	if (e == ERR_OK)
		e = db_row(r->db, sql[Q_RES_VERIFY], DB_P(db_int(pk),
			   db_str(r->vals[0].s)), 2, ERR_OK, &row);
	if (e != ERR_OK)
		return e;
	o = req_reply(r);
	json_object_object_add(o, "valid", json_object_new_boolean(row != NULL));
	if (row) {
		json_object_object_add(o, "until", json_time(db_col(row, 0)));
		json_object_object_add(o, "end_time",
				       json_object_new_string(db_col(row, 1)));
	}
	db_rows_free(row);
	return ERR_OK;
}

/* ---- devices (admin) ----------------------------------------------------- */

static bool
device_id_valid(const char *s)
{
	size_t n = strlen(s), i;

	if (n < 1 || n > 64)
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("._-:", s[i]))
			return false;
	return true;
}

/* A new key into r's reply as device_key; its digest into hash. */
static void
new_key(struct req *r, const char *device_id, char hash[65])
{
	char *key = random_token(32);
	json_object *o = req_reply(r);

	sha256_hex(key, strlen(key), hash);
	json_object_object_add(o, "device_id",
			       json_object_new_string(device_id));
	json_object_object_add(o, "device_key", json_object_new_string(key));
	free(key);
}

enum { D_ID, D_NAME, D_LOCATION, D_ADDRESS };

/* address: null or "" is no binding (on update: clears it). */
#define ADDRESS_FIELD \
	{ "address", FT_STRING, F_TRIM | F_NULLABLE, .max = 64, \
	  .invalid = ERR_DEVICE_ADDRESS_INVALID }

struct device_new {
	const struct field_value *v;	/* create_spec's, from the router */
	struct device_net buf;
	const struct device_net *net;	/* NULL: not bound */
};

/* A unique-key refusal of a device row: its network or its device_id. */
static enum err
device_duplicate(struct req *r, const struct device_net *net)
{
	if (net && !strcmp(db_dup_key(r->db), "uq_devices_net"))
		return address_taken(r, net);
	return ERR_DEVICE_EXISTS;
}

static enum err
create_tx(struct req *r, void *arg)
{
	const struct device_new *d = arg;
	const struct field_value *v = d->v;
	const char *name = v[D_NAME].set ? v[D_NAME].s : v[D_ID].s;
	const char *loc = v[D_LOCATION].set && !v[D_LOCATION].is_null
			  ? v[D_LOCATION].s : NULL;
	json_object *o = req_reply(r), *details = NULL;
	char hash[65];
	enum err e;

	new_key(r, v[D_ID].s, hash);
	json_object_object_add(o, "name", json_object_new_string(name));
	json_object_object_add(o, "location", json_str_or_null(loc));
	json_object_object_add(o, "address",
			       json_str_or_null(d->net ? d->net->text : NULL));
	e = db_exec(r->db, sql[Q_DEVICE_INSERT], DB_P(db_str(v[D_ID].s),
		    db_str(name), db_str(loc), db_str(hash), NET_P(d->net)),
		    NULL);
	if (e == ERR_DUPLICATE)
		return device_duplicate(r, d->net);
	if (e != ERR_OK)
		return e;
	if (d->net) {
		details = json_object_new_object();
		json_object_object_add(details, "address",
				       json_object_new_string(d->net->text));
	}
	return audit_write(r->db, r, r->user.id, "device.create", "device",
			   v[D_ID].s, details);
}

static const struct field create_spec[] = {
	[D_ID] = { "device_id", FT_STRING, F_REQUIRED | F_TRIM, .max = 64,
		   .missing = ERR_DEVICE_ID_REQUIRED },
	[D_NAME] = { "name", FT_STRING, F_TRIM, .max = 200 },
	[D_LOCATION] = { "location", FT_STRING, F_TRIM | F_NULLABLE,
			 .max = 200 },
	[D_ADDRESS] = ADDRESS_FIELD,
};

/* Not ROUTE_IDEMPOTENT: a stored replay would keep the key in clear. */
static enum err
devices_create(struct req *r)
{
	struct device_new d = { r->vals, .net = NULL };
	enum err e;

	if (!device_id_valid(d.v[D_ID].s))
		return ERR_DEVICE_ID_INVALID;
	if (d.v[D_ADDRESS].set) {
		e = address_field(r, &d.v[D_ADDRESS], &d.buf, &d.net);
		if (e != ERR_OK)
			return e;
	}
	return req_txn(r, create_tx, &d);
}

static enum err
rekey_tx(struct req *r, void *arg)
{
	const char *device_id = arg;
	struct db_result res = { 0 };
	char hash[65];
	enum err e;

	new_key(r, device_id, hash);
	e = db_exec(r->db, sql[Q_DEVICE_REKEY], DB_P(db_str(hash),
		    db_str(device_id)), &res);
	if (e == ERR_OK && res.affected == 0)
		e = ERR_DEVICE_NOT_FOUND;
	if (e != ERR_OK)
		return e;
	return audit_write(r->db, r, r->user.id, "device.key_rotate",
			   "device", device_id, NULL);
}

static enum err
devices_rekey(struct req *r)
{
	return req_txn(r, rekey_tx, (void *)req_param(r, "device_id"));
}

/* Retiring cancels the device's pending reservations and drops its key. */
static enum err
retire_tx(struct req *r, void *arg)
{
	const char *device_id = arg;
	struct db_result res = { 0 };
	long long pk;
	enum err e = db_query_int(r->db, sql[Q_DEVICE_LOCK], DB_P(db_str(device_id)),
			       ERR_DEVICE_NOT_FOUND, &pk);

	if (e == ERR_OK)
		e = db_exec(r->db, sql[Q_RES_RETIRE], DB_P(db_int(r->user.id),
			    db_int(pk)), &res);
	if (e == ERR_OK)
		e = db_exec(r->db, sql[Q_DEVICE_RETIRE], DB_P(db_int(pk)),
			    NULL);
	if (e != ERR_OK)
		return e;
	return audit_write(r->db, r, r->user.id, "device.retire", "device",
			   device_id, json_object_new_int64(
				   (int64_t)res.affected));
}

static enum err
devices_retire(struct req *r)
{
	return req_txn(r, retire_tx, (void *)req_param(r, "device_id"));
}

/* ---- lists ------------------------------------------------------------- */

/* A device row (DEVICE_COLS).  Its bound address only for admins: to
 * others it would say which address to take to read the device's
 * credentials. */
static json_object *
device_json(struct req *r, const struct db_rows *rows, long long free_at)
{
	json_object *o = json_object_new_object(), *holder = NULL;

	json_object_object_add(o, "device_id",
			       json_object_new_string(db_col(rows, 1)));
	json_object_object_add(o, "name",
			       json_object_new_string(db_col(rows, 2)));
	json_object_object_add(o, "location",
			       json_str_or_null(db_col(rows, 3)));
	if (r->user.role >= ROLE_ADMIN)
		json_object_object_add(o, "address",
				       json_str_or_null(db_col(rows, 4)));
	json_object_object_add(o, "in_use", json_object_new_boolean(
		db_col(rows, 5) != NULL));
	if (db_col(rows, 5)) {
		holder = json_object_new_object();
		json_object_object_add(holder, "user_id",
				       json_id(db_col_int(rows, 5)));
		json_object_object_add(holder, "username",
				       json_str_or_null(db_col(rows, 6)));
	}
	json_object_object_add(o, "current_holder", holder);
	json_object_object_add(o, "busy_until", json_time(db_col(rows, 7)));
	json_object_object_add(o, "next_free", json_time(req_db_time(r, free_at)));
	return o;
}

static enum err
devices_list(struct req *r)
{
	json_object *arr = json_object_new_array();
	long long limit, offset, free_at, total = 0, now = now_us();
	struct db_rows *rows = NULL;
	enum err e = req_paging(r, &limit, &offset);

	json_object_object_add(req_reply(r), "devices", arr);
	if (e == ERR_OK)
		e = db_query(r->db, sql[Q_DEVICE_LIST], DB_P(db_int(limit),
			     db_int(offset)), DEVICE_NCOLS, &rows);
	if (e != ERR_OK)
		return e;
	while (e == ERR_OK && db_next(rows)) {
		e = next_free(r, db_col_int(rows, 0), now, 1, &free_at);
		if (e == ERR_OK)
			json_object_array_add(arr, device_json(r, rows,
							       free_at));
	}
	if (e == ERR_OK)
		e = db_rows_err(rows);
	db_rows_free(rows);
	if (e == ERR_OK)
		e = db_query_int(r->db, sql[Q_DEVICE_COUNT], DB_NONE, ERR_INTERNAL,
			      &total);
	json_object_object_add(req_reply(r), "total",
			       json_object_new_int64(total));
	return e;
}

/* One active device, as in the list, with the longest window it takes. */
static enum err
devices_get(struct req *r)
{
	struct db_rows *row;
	long long free_at;
	enum err e = db_row(r->db, sql[Q_DEVICE_ONE],
			    DB_P(db_str(req_param(r, "device_id"))),
			    DEVICE_NCOLS, ERR_DEVICE_NOT_FOUND, &row);

	if (!row)
		return e;
	e = next_free(r, db_col_int(row, 0), now_us(), 1, &free_at);
	if (e == ERR_OK) {
		json_object_object_add(req_reply(r), "device",
				       device_json(r, row, free_at));
		json_object_object_add(req_reply(r), "reservation_max_hours",
			json_object_new_int64(r->app->cfg.reservation_max_hours));
	}
	db_rows_free(row);
	return e;
}

/* A reservation row (RES_COLS); the credential and owner only for the
 * owner and admins. */
static json_object *
reservation_json(const struct req *r, const struct db_rows *rows)
{
	json_object *o = json_object_new_object();
	bool mine = db_col_int(rows, 2) == r->user.id;

	json_object_object_add(o, "reservation_id",
			       json_id(db_col_int(rows, 0)));
	json_object_object_add(o, "device_id",
			       json_object_new_string(db_col(rows, 1)));
	json_object_object_add(o, "start_time",
			       json_object_new_string(db_col(rows, 3)));
	json_object_object_add(o, "end_time",
			       json_object_new_string(db_col(rows, 4)));
	json_object_object_add(o, "start", json_time(db_col(rows, 5)));
	json_object_object_add(o, "end", json_time(db_col(rows, 6)));
	json_object_object_add(o, "status",
			       json_object_new_string(db_col(rows, 8)));
	json_object_object_add(o, "mine", json_object_new_boolean(mine));
	if (mine || r->user.role >= ROLE_ADMIN) {
		json_object_object_add(o, "user_id",
				       json_id(db_col_int(rows, 2)));
		json_object_object_add(o, "credential",
				       json_object_new_string(db_col(rows, 7)));
		json_object_object_add(o, "username",
				       json_str_or_null(db_col(rows, 9)));
		json_object_object_add(o, "name",
				       json_str_or_null(db_col(rows, 10)));
		json_object_object_add(o, "cancelled_at",
				       json_time(db_col(rows, 11)));
	}
	return o;
}

/* Replies {"reservations": [...], "total"}; p[0..np) are the filters,
 * followed by limit and offset in the list query. */
static enum err
reservation_page(struct req *r, enum devices_sql list, enum devices_sql count,
		 const struct db_param *p, size_t np)
{
	json_object *arr = json_object_new_array();
	struct db_param all[8];
	struct db_rows *rows;
	long long total = 0, limit, offset;
	enum err e = req_paging(r, &limit, &offset);

	json_object_object_add(req_reply(r), "reservations", arr);
	if (e != ERR_OK)
		return e;
	memcpy(all, p, np * sizeof(*p));
	all[np] = db_int(limit);
	all[np + 1] = db_int(offset);
	e = db_query(r->db, sql[list], all, np + 2, RES_NCOLS, &rows);
	if (e != ERR_OK)
		return e;
	while (db_next(rows))
		json_object_array_add(arr, reservation_json(r, rows));
	e = db_rows_err(rows);
	db_rows_free(rows);
	if (e == ERR_OK)
		e = db_query_int(r->db, sql[count], p, np, ERR_INTERNAL, &total);
	json_object_object_add(req_reply(r), "total",
			       json_object_new_int64(total));
	return e;
}

/* Live reservations of a device that end after ?from= (default now) and
 * start before ?to= (default: no limit); ?all=1 (admins only) every one,
 * the cancelled, replaced and kicked too. */
static enum err
devices_reservations(struct req *r)
{
	long long pk, from, to, all;
	bool key_ok;
	const char *end;
	enum err e = req_query_time(r, "from", now_us(), &from);

	if (e == ERR_OK)
		e = req_query_time(r, "to", -1, &to);
	if (e == ERR_OK)
		e = req_query_int(r, "all", 0, 0, 1, &all);
	if (e == ERR_OK && all && r->user.role < ROLE_ADMIN)
		e = req_fail(r, ERR_FORBIDDEN, "Only admins see every"
			     " reservation of a device (all=1)");
	if (e == ERR_OK)
		e = device_find(r, req_param(r, "device_id"), &pk, &key_ok);
	if (e != ERR_OK)
		return e;
	end = to >= 0 ? req_db_time(r, to) : NULL;
	return reservation_page(r, Q_RES_RANGE, Q_RES_RANGE_COUNT, DB_P(
		db_int(pk), db_int(all), db_str(req_db_time(r, from)),
		db_str(end), db_str(end)));
}

/* The caller's pending reservations; ?all=1 adds ended and cancelled. */
static enum err
devices_mine(struct req *r)
{
	long long all;
	enum err e = req_query_int(r, "all", 0, 0, 1, &all);

	if (e != ERR_OK)
		return e;
	return reservation_page(r, Q_RES_MINE, Q_RES_MINE_COUNT,
				DB_P(db_int(r->user.id), db_int(all)));
}

/* ---- update -------------------------------------------------------------- */

enum { E_NAME, E_LOCATION, E_ADDRESS };

struct device_edit {
	const struct field_value *v;	/* update_spec's, from the router */
	struct device_net buf;
	const struct device_net *net;	/* the new binding, if address set */
};

/* What changed, for the audit log: each field sent with its new value;
 * the address also with the one it replaced (a binding is a grant). */
static json_object *
edit_details(const struct device_edit *d, const char *old_address)
{
	json_object *o = json_object_new_object(), *a;
	const struct field_value *v = d->v;

	if (v[E_NAME].set)
		json_object_object_add(o, "name",
				       json_object_new_string(v[E_NAME].s));
	if (v[E_LOCATION].set)
		json_object_object_add(o, "location", json_str_or_null(
			v[E_LOCATION].is_null ? NULL : v[E_LOCATION].s));
	if (v[E_ADDRESS].set) {
		a = json_object_new_object();
		json_object_object_add(a, "from",
				       json_str_or_null(old_address));
		json_object_object_add(a, "to", json_str_or_null(
			d->net ? d->net->text : NULL));
		json_object_object_add(o, "address", a);
	}
	return o;
}

/* Writes what was sent over the locked device row pk. */
static enum err
edit_write(struct req *r, const struct device_edit *d, long long pk)
{
	const struct field_value *v = d->v;
	struct db_param name = v[E_NAME].set ? db_str(v[E_NAME].s) : db_null();
	struct db_param loc = v[E_LOCATION].is_null ? db_null()
			      : db_str(v[E_LOCATION].s);
	enum err e = db_exec(r->db, sql[Q_DEVICE_UPDATE], DB_P(
		name, db_int(v[E_LOCATION].set), loc, db_int(pk)), NULL);

	if (e == ERR_OK && v[E_ADDRESS].set)
		e = db_exec(r->db, sql[Q_DEVICE_BIND], DB_P(NET_P(d->net),
			    db_int(pk)), NULL);
	if (e == ERR_DUPLICATE)
		e = device_duplicate(r, d->net);
	return e;
}

/* Lock the device, write, audit (with the binding it had). */
static enum err
edit_tx(struct req *r, void *arg)
{
	const struct device_edit *d = arg;
	const char *device_id = req_param(r, "device_id");
	struct db_rows *row;
	json_object *details;
	long long pk;
	enum err e = db_row(r->db, sql[Q_DEVICE_EDIT], DB_P(db_str(device_id)),
			    2, ERR_DEVICE_NOT_FOUND, &row);

	if (!row)
		return e;
	pk = db_col_int(row, 0);
	details = edit_details(d, db_col(row, 1));
	db_rows_free(row);
	e = edit_write(r, d, pk);
	if (e != ERR_OK) {
		json_object_put(details);
		return e;
	}
	return audit_write(r->db, r, r->user.id, "device.update", "device",
			   device_id, details);
}

/* PATCH: name, location (null clears), address (null or "" clears). */
static const struct field update_spec[] = {
	[E_NAME] = { "name", FT_STRING, F_TRIM, .min = 1, .max = 200 },
	[E_LOCATION] = { "location", FT_STRING, F_TRIM | F_NULLABLE,
			 .max = 200 },
	[E_ADDRESS] = ADDRESS_FIELD,
};

static enum err
devices_update(struct req *r)
{
	struct device_edit d = { r->vals, .net = NULL };
	enum err e = body_changes(r, update_spec, d.v);

	if (e == ERR_OK && d.v[E_ADDRESS].set)
		e = address_field(r, &d.v[E_ADDRESS], &d.buf, &d.net);
	if (e == ERR_OK)
		e = req_txn(r, edit_tx, &d);
	if (e != ERR_OK)
		return e;
	return devices_get(r);
}

/* ---- cancel and kick --------------------------------------------------- */

struct cancel {
	long long id;
};

static json_object *
cancel_details(const struct db_rows *rows)
{
	json_object *d = json_object_new_object();

	json_object_object_add(d, "owner", json_id(db_col_int(rows, 0)));
	json_object_object_add(d, "device_id",
			       json_object_new_string(db_col(rows, 1)));
	json_object_object_add(d, "start_time",
			       json_object_new_string(db_col(rows, 2)));
	json_object_object_add(d, "end_time",
			       json_object_new_string(db_col(rows, 3)));
	return d;
}

/* Owners cancel their own; an admin cancelling another's kicks it.
 * Another user's reservation is not found. */
static enum err
cancel_tx(struct req *r, void *arg)
{
	long long id = ((struct cancel *)arg)->id;
	struct db_result res = { 0 };
	json_object *details = NULL;
	struct db_rows *row;
	bool kick = false;
	enum err e = db_row(r->db, sql[Q_RES_OWNER], DB_P(db_int(id)), 4,
			    ERR_RESERVATION_MISSING, &row);

	if (!row)
		return e;
	if (db_col_int(row, 0) == r->user.id || r->user.role >= ROLE_ADMIN) {
		kick = db_col_int(row, 0) != r->user.id;
		details = cancel_details(row);
	} else {
		e = ERR_RESERVATION_MISSING;
	}
	db_rows_free(row);
	if (e == ERR_OK)
		e = db_exec(r->db, sql[Q_RES_CANCEL], DB_P(db_int(r->user.id),
			    db_str(kick ? "kicked" : "cancelled"), db_int(id)),
			    &res);
	if (e == ERR_OK && res.affected == 0)
		e = ERR_RESERVATION_CLOSED;
	if (e != ERR_OK) {
		json_object_put(details);
		return e;
	}
	return audit_write(r->db, r, r->user.id, kick ? "reservation.kick"
			   : "reservation.cancel", "reservation",
			   id_str(r, id), details);
}

static enum err
devices_cancel(struct req *r)
{
	struct cancel c;

	if (parse_ll(req_param(r, "id"), 1, INT64_MAX, &c.id))
		return ERR_RESERVATION_MISSING;
	return req_txn(r, cancel_tx, &c);
}

/* ---- reminders (haas-notifyd's sweep) ------------------------------------ */

/* The template's fields (reservation.starting.txt). */
static json_object *
starting_fields(const struct db_rows *info, const struct config *cfg,
		long long id)
{
	json_object *f = json_object_new_object();
	char start[WHEN_MAX], end[WHEN_MAX], rid[24];

	when_human(db_col(info, 2), cfg->timezone, start);
	when_human(db_col(info, 3), cfg->timezone, end);
	snprintf(rid, sizeof(rid), "%lld", id);
	json_object_object_add(f, "device_name",
			       json_object_new_string(db_col(info, 0)));
	json_object_object_add(f, "location",
			       json_object_new_string(db_col(info, 1)));
	json_object_object_add(f, "start", json_object_new_string(start));
	json_object_object_add(f, "end", json_object_new_string(end));
	json_object_object_add(f, "reservation_id",
			       json_object_new_string(rid));
	return f;
}

/* Writes reservation id's reminder (inside the sweep's transaction),
 * unless it was cancelled since it was picked or another sender holds
 * it. */
static enum err
starting_one(struct db *db, const struct config *cfg, long long id,
	     void *arg)
{
	struct db_rows *lock, *info = NULL;
	struct notice n = { .kind = NK_RESERVATION_STARTING, .nusers = 1 };
	long long user;
	enum err e = db_row(db, sql[Q_SWEEP_LOCK], DB_P(db_int(id)), 2,
			    ERR_OK, &lock);

	(void)arg;
	if (!lock)
		return e;
	user = db_col_int(lock, 1);
	e = db_row(db, sql[Q_SWEEP_INFO], DB_P(db_int(id)), 4, ERR_OK, &info);
	if (info) {
		n.fields = starting_fields(info, cfg, id);
		n.users = &user;
		n.once = db_col(lock, 0);
		e = notify(db, &n, NULL);
		json_object_put(n.fields);
	}
	db_rows_free(info);
	db_rows_free(lock);
	return e;
}

enum err
devices_notify_sweep(struct db *db, const struct config *cfg)
{
	return notify_sweep(db, cfg, sql[Q_SWEEP_STARTING], DB_P(db_int(
		cfg->reminder_lead)), starting_one, NULL);
}

/* What device_json, reservation_json and new_key write: a device's
 * address only to admins; a reservation's owner and credential only to
 * the owner and admins. */
const struct schema_def devices_schemas[] = {
	{ "Device", "{device_id: string, name: string, location: string?,"
	  " address?: string?, in_use: bool,"
	  " current_holder: {user_id: id, username: string?}?,"
	  " busy_until: time?, next_free: time}" },
	{ "Reservation", "{reservation_id: id, device_id: string,"
	  " start_time: string, end_time: string, start: time, end: time,"
	  " status: string, mine: bool, user_id?: id, credential?: string,"
	  " username?: string?, name?: string?, cancelled_at?: time?}" },
	{ "DeviceKey", "{device_id: string, device_key: string}" },
	{ NULL, NULL },
};

static const struct qparam mine_query[] = {
	{ "all", "integer", "1: the ended and cancelled ones too" },
	QP_LIMIT,
	QP_OFFSET,
	{ NULL },
};

static const struct qparam range_query[] = {
	{ "from", "date-time", "Those ending after (default: now)" },
	{ "to", "date-time", "Those starting before (default: no limit)" },
	{ "all", "integer", "1 (admins): the cancelled, replaced and kicked"
	  " ones too" },
	QP_LIMIT,
	QP_OFFSET,
	{ NULL },
};

static const struct qparam current_query[] = {
	{ "device_id", "string", "The device (required)" },
	{ NULL },
};

#define ADDRESS_ERRORS ERR_DEVICE_ADDRESS_INVALID, \
	ERR_DEVICE_ADDRESS_HOST_BITS, ERR_DEVICE_ADDRESS_WIDE, \
	ERR_DEVICE_ADDRESS_TAKEN, ERR_DEVICE_EXISTS
#define DEVICE_REPLY "{device: Device, reservation_max_hours: int}"
#define RESERVATIONS "{reservations: [Reservation], total: int}"

const struct route devices_routes[] = {
	{ "POST", "/set-reservation", ROLE_USER, 200, BODY_JSON,
	  devices_set_reservation,
	  "Reserve a device for a window (replaces your pending one)",
	  ROUTE_AUTH_LATE, ROUTE_FIELDS(set_spec), .reply = "{status: string}",
	  ROUTE_ERRORS(ERR_DEVICE_ID_REQUIRED, ERR_TIMES_REQUIRED,
		       ERR_CREDENTIAL_REQUIRED, ERR_TIME_INVALID,
		       ERR_TIME_ORDER, ERR_RESERVATION_TOO_LONG,
		       ERR_RESERVATION_ENDED, ERR_DEVICE_NOT_FOUND,
		       ERR_RESERVATION_OVERLAP) },
	{ "GET", "/get-reservation", ROLE_NONE, 200, BODY_NONE,
	  devices_get_reservation,
	  "The active-else-next reservation (?device_id=; token, key or the"
	  " device's bound address)", ROUTE_DEVICE_KEY,
	  .query = current_query,
	  .reply = "{start_time: string, end_time: string, credential: string}",
	  ROUTE_ERRORS(ERR_DEVICE_ID_REQUIRED, ERR_RESERVATION_AUTH,
		       ERR_UNAUTHORIZED, ERR_TOKEN_INVALID, ERR_DEVICE_KEY,
		       ERR_DEVICE_ADDRESS_OTHER, ERR_DEVICE_ADDRESS_TIE,
		       ERR_RESERVATION_NOT_FOUND) },
	{ "GET", "/api/devices", ROLE_USER, 200, BODY_NONE, devices_list,
	  "Devices with their current holder and next free time",
	  .query = route_paging, .reply = "{devices: [Device], total: int}" },
	{ "POST", "/api/devices", ROLE_ADMIN, 201, BODY_JSON, devices_create,
	  "Register a device (address: bind it to an IP or CIDR); its key is"
	  " shown once", ROUTE_FIELDS(create_spec),
	  .reply = "{device_id: string, device_key: string, name: string,"
	  " location: string?, address: string?}",
	  ROUTE_ERRORS(ERR_DEVICE_ID_REQUIRED, ERR_DEVICE_ID_INVALID,
		       ADDRESS_ERRORS) },
	{ "GET", "/api/devices/reservations", ROLE_USER, 200, BODY_NONE,
	  devices_mine, "Your pending reservations (?all=1: every one)",
	  .query = mine_query, .reply = RESERVATIONS },
	{ "DELETE", "/api/devices/reservations/{id}", ROLE_USER, 204,
	  BODY_NONE, devices_cancel,
	  "Cancel your reservation (admins: any, a kick)",
	  ROUTE_ERRORS(ERR_RESERVATION_MISSING, ERR_RESERVATION_CLOSED) },
	{ "GET", "/api/devices/{device_id}", ROLE_USER, 200, BODY_NONE,
	  devices_get, "One device with its holder now and next free time",
	  .reply = DEVICE_REPLY, ROUTE_ERRORS(ERR_DEVICE_NOT_FOUND) },
	{ "PATCH", "/api/devices/{device_id}", ROLE_ADMIN, 200, BODY_JSON,
	  devices_update,
	  "Change a device's name, location or bound address (null clears)",
	  ROUTE_FIELDS(update_spec), .reply = DEVICE_REPLY,
	  ROUTE_ERRORS(ERR_NO_CHANGES, ERR_DEVICE_NOT_FOUND, ADDRESS_ERRORS) },
	{ "GET", "/api/devices/{device_id}/reservations", ROLE_USER, 200,
	  BODY_NONE, devices_reservations,
	  "A device's live reservations (?from=&to=)", .query = range_query,
	  .reply = RESERVATIONS,
	  ROUTE_ERRORS(ERR_FORBIDDEN, ERR_DEVICE_NOT_FOUND) },
	{ "POST", "/api/devices/{device_id}/key", ROLE_ADMIN, 200, BODY_NONE,
	  devices_rekey, "Issue a new device key (the old one stops working)",
	  .reply = "DeviceKey", ROUTE_ERRORS(ERR_DEVICE_NOT_FOUND) },
	{ "DELETE", "/api/devices/{device_id}", ROLE_ADMIN, 204, BODY_NONE,
	  devices_retire,
	  "Retire a device and cancel its pending reservations",
	  ROUTE_ERRORS(ERR_DEVICE_NOT_FOUND) },
	{ "POST", "/api/devices/{device_id}/verify", ROLE_NONE, 200, BODY_JSON,
	  devices_verify,
	  "Lock agent: is this credential valid now? (X-Device-Key or the"
	  " device's bound address)", ROUTE_DEVICE_KEY,
	  ROUTE_FIELDS(verify_spec),
	  .reply = "{valid: bool, until?: time, end_time?: string}",
	  ROUTE_ERRORS(ERR_CREDENTIAL_REQUIRED, ERR_DEVICE_KEY,
		       ERR_DEVICE_ADDRESS_OTHER, ERR_DEVICE_ADDRESS_TIE) },
	{ 0 },
};

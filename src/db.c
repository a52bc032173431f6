/* db: MariaDB Connector/C behind a small prepared-statement API. */
#include "db.h"

#include <errno.h>
#include <mysql.h>
#include <errmsg.h>
#include <mysqld_error.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "util.h"

#define DB_MAX_PARAMS 48
#define DB_NUM_BUF 64
#define DB_MAX_DEPTH 4
#define DB_FAULT_MATCH 128

/* A cached prepared statement; busy while a db_rows reads its result. */
struct stmt {
	MYSQL_STMT *st;
	bool busy;
};

struct stmt_slot {
	const char *sql;
	struct stmt *stmt;
};

struct db {
	const struct config *cfg;
	MYSQL *conn;
	unsigned long gen;	/* bumped whenever the connection goes */
	struct stmt_slot *slots;
	size_t nslots;		/* power of two */
	size_t used;
	int depth;		/* 0: no transaction; >1: savepoints */
	long fail_countdown;
	enum db_fault fault;
	char fault_match[DB_FAULT_MATCH];
	char dup_key[128];
	char signal_arg[512];	/* after a haas: SIGNAL, its details */
	bool signalled;		/* the last call ended in a haas: SIGNAL */
	long long errors;	/* unexpected failures, ever (db_stats) */
};

struct db_rows {
	struct db *db;
	unsigned long gen;	/* of the connection the rows came from */
	struct stmt *stmt;
	unsigned ncols;
	MYSQL_BIND *bind;
	char **bufs;
	unsigned long *lens;
	my_bool *nulls;
	enum err err;
};

struct db *
db_new(const struct config *cfg)
{
	struct db *db = xcalloc(1, sizeof(*db));

	db->cfg = cfg;
	db->nslots = 256;
	db->slots = xcalloc(db->nslots, sizeof(*db->slots));
	return db;
}

/* Drops the connection and every statement prepared on it.  Rows still
 * held by callers keep their own buffers; their generation no longer
 * matches, so they refuse to touch the closed statements. */
static void
db_disconnect(struct db *db)
{
	size_t i;

	for (i = 0; i < db->nslots; i++) {
		if (db->slots[i].stmt) {
			mysql_stmt_close(db->slots[i].stmt->st);
			free(db->slots[i].stmt);
		}
		db->slots[i].stmt = NULL;
		db->slots[i].sql = NULL;
	}
	db->used = 0;
	if (db->conn)
		mysql_close(db->conn);
	db->conn = NULL;
	db->depth = 0;
	db->gen++;
}

void
db_free(struct db *db)
{
	if (!db)
		return;
	db_disconnect(db);
	free(db->slots);
	free(db);
}

static bool
errno_is_down(unsigned e)
{
	switch (e) {
	case CR_SERVER_GONE_ERROR:
	case CR_SERVER_LOST:
	case CR_CONNECTION_ERROR:
	case CR_CONN_HOST_ERROR:
	case CR_SERVER_LOST_EXTENDED:
	case CR_COMMANDS_OUT_OF_SYNC:
	case ER_SERVER_SHUTDOWN:
	case ER_CONNECTION_KILLED:
	case 4031: /* ER_CLIENT_INTERACTION_TIMEOUT */
		return true;
	default:
		return false;
	}
}

/* Remembers the key name from "Duplicate entry 'x' for key 'name'". */
static void
note_dup_key(struct db *db, const char *msg)
{
	const char *k = strstr(msg, "for key '"), *dot;
	size_t n;

	db->dup_key[0] = '\0';
	if (!k)
		return;
	k += 9;
	n = strcspn(k, "'");
	/* MariaDB may qualify it as table.key */
	dot = memchr(k, '.', n);
	if (dot) {
		n -= (size_t)(dot + 1 - k);
		k = dot + 1;
	}
	if (n >= sizeof(db->dup_key))
		n = sizeof(db->dup_key) - 1;
	memcpy(db->dup_key, k, n);
	db->dup_key[n] = '\0';
}

/* A procedure's refusal: SIGNAL with MESSAGE_TEXT "haas:NAME" or
 * "haas:NAME:DETAILS", NAME a row of the error table (ERR_NAME) and
 * DETAILS a JSON object the caller adds to the error body.  ERR__COUNT
 * when msg is not one. */
static enum err
signal_error(struct db *db, const char *msg)
{
	const char *name = msg + 5, *end;
	enum err e;

	if (strncmp(msg, "haas:", 5))
		return ERR__COUNT;
	end = strchr(name, ':');
	e = err_from_name(name, end ? (size_t)(end - name) : strlen(name));
	db->signalled = e != ERR__COUNT;
	if (e != ERR__COUNT)
		snprintf(db->signal_arg, sizeof(db->signal_arg), "%s",
			 end ? end + 1 : "");
	return e;
}

/* Maps a server or client error to our table; logs what is unexpected. */
static enum err
map_error(struct db *db, unsigned e, const char *msg, const char *what)
{
	enum err mapped;

	switch (e) {
	case ER_SIGNAL_EXCEPTION:
		mapped = signal_error(db, msg);
		if (mapped != ERR__COUNT)
			return mapped;
		break;
	case ER_DUP_ENTRY:
	case ER_DUP_ENTRY_WITH_KEY_NAME:
		note_dup_key(db, msg);
		return ERR_DUPLICATE;
	case ER_LOCK_DEADLOCK:
	case ER_CHECKREAD:	/* a snapshot that another commit made stale */
		return ERR_DB_RETRY;
	case ER_LOCK_WAIT_TIMEOUT:
		log_warn("db: %s: lock wait timeout", what);
		return ERR_DB_BUSY;
	case ER_CONSTRAINT_FAILED:
	case ER_NO_REFERENCED_ROW_2:
	case ER_ROW_IS_REFERENCED_2:
	case ER_WARN_DATA_OUT_OF_RANGE:
		return ERR_CONFLICT;
	case ER_DATA_TOO_LONG:
	case ER_TRUNCATED_WRONG_VALUE:
	case ER_TRUNCATED_WRONG_VALUE_FOR_FIELD:
		return ERR_FIELD_INVALID;
	default:
		break;
	}
	if (errno_is_down(e)) {
		log_warn("db: %s: server unavailable (%u: %s)", what, e, msg);
		db->errors++;
		db_disconnect(db);
		return ERR_DB_DOWN;
	}
	log_error("db: %s failed (%u: %s)", what, e, msg);
	db->errors++;
	return ERR_INTERNAL;
}

/* Session settings that take a number: bound parameters, like every
 * other value. */
static const char sql_lock_wait[] =
	"SET SESSION innodb_lock_wait_timeout = ?, lock_wait_timeout = ?";

static int
session_setup(MYSQL *conn, long long lock_wait)
{
	MYSQL_STMT *st = mysql_stmt_init(conn);
	MYSQL_BIND b[2];
	int rc = -1;

	if (!st)
		return -1;
	memset(b, 0, sizeof(b));
	b[0].buffer_type = b[1].buffer_type = MYSQL_TYPE_LONGLONG;
	b[0].buffer = b[1].buffer = &lock_wait;
	if (!mysql_stmt_prepare(st, sql_lock_wait, strlen(sql_lock_wait)) &&
	    !mysql_stmt_bind_param(st, b) && !mysql_stmt_execute(st))
		rc = 0;
	else
		log_warn("db: session setup failed (%u: %s)",
			 mysql_stmt_errno(st), mysql_stmt_error(st));
	mysql_stmt_close(st);
	return rc;
}

static enum err
db_connect(struct db *db)
{
	const struct config *c = db->cfg;
	unsigned timeout = (unsigned)c->db_connect_timeout, rw = 30;
	my_bool off = 0;

	if (db->conn)
		return ERR_OK;
	db->conn = mysql_init(NULL);
	if (!db->conn)
		return ERR_INTERNAL;
	mysql_options(db->conn, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	mysql_options(db->conn, MYSQL_OPT_READ_TIMEOUT, &rw);
	mysql_options(db->conn, MYSQL_OPT_WRITE_TIMEOUT, &rw);
	mysql_options(db->conn, MYSQL_OPT_RECONNECT, &off);
	mysql_options(db->conn, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	/* Times are stored and compared in UTC; strict mode turns silent
	 * truncation into errors. */
	mysql_options(db->conn, MYSQL_INIT_COMMAND,
		      "SET time_zone = '+00:00', sql_mode = "
		      "'STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ENGINE_SUBSTITUTION,"
		      "ERROR_FOR_DIVISION_BY_ZERO'");
	if (!mysql_real_connect(db->conn, c->db_socket ? NULL : c->db_host,
				c->db_user, c->db_password, c->db_name,
				(unsigned)c->db_port, c->db_socket, 0) ||
	    session_setup(db->conn, c->db_lock_wait_timeout)) {
		log_warn("db: connect failed (%u: %s)", mysql_errno(db->conn),
			 mysql_error(db->conn));
		mysql_close(db->conn);
		db->conn = NULL;
		db->errors++;
		return ERR_DB_DOWN;
	}
	db->gen++;
	return ERR_OK;
}

/* Between statements nothing should be waiting on an idle connection: a
 * readable socket means the server closed it (restart, idle timeout).
 * Finding that out now, before anything is sent, lets the statement run
 * on a fresh connection instead of failing half-way. */
static void
drop_if_closed(struct db *db)
{
	struct pollfd p;

	if (!db->conn || db->depth)
		return;
	p.fd = (int)mysql_get_socket(db->conn);
	p.events = POLLIN;
	if (p.fd >= 0 && poll(&p, 1, 0) > 0) {
		log_warn("db: the server closed the connection; reconnecting");
		db_disconnect(db);
	}
}

static size_t
slot_index(const struct db *db, const char *sql)
{
	size_t h = (size_t)(uintptr_t)sql;

	h ^= h >> 17;
	h *= 0x9E3779B97F4A7C15ULL;
	return (h >> 7) & (db->nslots - 1);
}

static void
slots_grow(struct db *db)
{
	struct stmt_slot *old = db->slots;
	size_t n = db->nslots, i;

	db->nslots *= 2;
	db->slots = xcalloc(db->nslots, sizeof(*db->slots));
	for (i = 0; i < n; i++) {
		size_t j;

		if (!old[i].sql)
			continue;
		j = slot_index(db, old[i].sql);
		while (db->slots[j].sql)
			j = (j + 1) & (db->nslots - 1);
		db->slots[j] = old[i];
	}
	free(old);
}

static struct stmt *
stmt_prepare(struct db *db, const char *sql, enum err *e)
{
	my_bool on = 1;
	struct stmt *s;
	MYSQL_STMT *st = mysql_stmt_init(db->conn);

	if (!st) {
		*e = ERR_INTERNAL;
		return NULL;
	}
	if (mysql_stmt_prepare(st, sql, strlen(sql))) {
		*e = map_error(db, mysql_stmt_errno(st), mysql_stmt_error(st),
			       "prepare");
		mysql_stmt_close(st);
		return NULL;
	}
	mysql_stmt_attr_set(st, STMT_ATTR_UPDATE_MAX_LENGTH, &on);
	s = xcalloc(1, sizeof(*s));
	s->st = st;
	return s;
}

/* The cached statement for sql, prepared now if it is new.  A statement
 * whose rows a caller is still reading cannot run again underneath it. */
static enum err
stmt_get(struct db *db, const char *sql, struct stmt **out)
{
	struct stmt *s;
	enum err e = ERR_OK;
	size_t i;

	i = slot_index(db, sql);
	while (db->slots[i].sql && db->slots[i].sql != sql)
		i = (i + 1) & (db->nslots - 1);
	if (db->slots[i].sql) {
		if (db->slots[i].stmt->busy) {
			log_error("db: statement run again while its rows are read: %.60s",
				  sql);
			return ERR_INTERNAL;
		}
		*out = db->slots[i].stmt;
		return ERR_OK;
	}
	s = stmt_prepare(db, sql, &e);
	if (!s)
		return e;
	if (2 * (db->used + 1) > db->nslots) {
		slots_grow(db);
		i = slot_index(db, sql);
		while (db->slots[i].sql)
			i = (i + 1) & (db->nslots - 1);
	}
	db->slots[i].sql = sql;
	db->slots[i].stmt = s;
	db->used++;
	*out = s;
	return ERR_OK;
}

static enum err
bind_params(struct db *db, MYSQL_STMT *st, const struct db_param *p,
	    size_t np, MYSQL_BIND *bind, unsigned long *lens)
{
	size_t i;

	if (np > DB_MAX_PARAMS || mysql_stmt_param_count(st) != np) {
		log_error("db: statement wants %lu parameters, got %zu",
			  mysql_stmt_param_count(st), np);
		return ERR_INTERNAL;
	}
	memset(bind, 0, np * sizeof(*bind));
	for (i = 0; i < np; i++) {
		switch (p[i].type) {
		case DBP_INT:
			bind[i].buffer_type = MYSQL_TYPE_LONGLONG;
			bind[i].buffer = (void *)&p[i].i;
			break;
		case DBP_STR:
			lens[i] = p[i].len;
			bind[i].buffer_type = MYSQL_TYPE_STRING;
			bind[i].buffer = (void *)p[i].s;
			bind[i].buffer_length = p[i].len;
			bind[i].length = &lens[i];
			break;
		default:
			bind[i].buffer_type = MYSQL_TYPE_NULL;
			break;
		}
	}
	if (np && mysql_stmt_bind_param(st, bind))
		return map_error(db, mysql_stmt_errno(st), mysql_stmt_error(st),
				 "bind");
	return ERR_OK;
}

/* ---- fault injection (tests) ------------------------------------------ */

/* Does the armed fault apply to this statement?  It fires once. */
static bool
fault_due(struct db *db, const char *sql, enum db_fault when)
{
	if (db->fail_countdown > 0 && when == DB_FAULT_DOWN_BEFORE &&
	    --db->fail_countdown == 0)
		return true;
	if (db->fault != when ||
	    (db->fault_match[0] && !strstr(sql, db->fault_match)))
		return false;
	db->fault = DB_FAULT_NONE;
	return true;
}

/* After a statement ran: a "lost reply" drops the connection as a
 * network failure would (an open transaction dies with it); a crash ends
 * the process before anyone hears of the result. */
static enum err
fault_after(struct db *db, const char *sql)
{
	if (fault_due(db, sql, DB_FAULT_CRASH_AFTER)) {
		log_warn("db: injected crash after: %.60s", sql);
		raise(SIGKILL);
	}
	if (!fault_due(db, sql, DB_FAULT_LOST_AFTER))
		return ERR_OK;
	log_warn("db: injected lost reply after: %.60s", sql);
	db->errors++;
	db_disconnect(db);
	return ERR_DB_DOWN;
}

void
db_fault_arm(struct db *db, enum db_fault fault, const char *match)
{
	if (!db)
		return;
	db->fault = fault;
	snprintf(db->fault_match, sizeof(db->fault_match), "%s",
		 match ? match : "");
}

enum db_fault
db_fault_parse(const char *spec, const char **match)
{
	static const struct {
		const char *name;
		enum db_fault fault;
	} names[] = {
		{ "down-before", DB_FAULT_DOWN_BEFORE },
		{ "lost-after", DB_FAULT_LOST_AFTER },
		{ "crash-after", DB_FAULT_CRASH_AFTER },
	};
	size_t i, n;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		n = strlen(names[i].name);
		if (strncmp(spec, names[i].name, n) ||
		    (spec[n] != '\0' && spec[n] != ':'))
			continue;
		*match = spec[n] == ':' ? spec + n + 1 : NULL;
		return names[i].fault;
	}
	return DB_FAULT_NONE;
}

void
db_fail_nth(struct db *db, long n)
{
	db->fail_countdown = n;
}

/* ---- running statements ----------------------------------------------- */

/* One attempt at sql.  *sent tells whether the statement may have reached
 * the server: only a statement that surely did not is ever repeated. */
static enum err
run_once(struct db *db, const char *sql, const struct db_param *p, size_t np,
	 struct stmt **out, bool *sent)
{
	MYSQL_BIND bind[DB_MAX_PARAMS];
	unsigned long lens[DB_MAX_PARAMS];
	struct stmt *s = NULL;
	unsigned code;
	enum err e;

	*sent = false;
	drop_if_closed(db);
	if (fault_due(db, sql, DB_FAULT_DOWN_BEFORE)) {
		db->errors++;	/* counted as the real one would be */
		db_disconnect(db);
		return ERR_DB_DOWN;
	}
	e = db_connect(db);
	if (e == ERR_OK)
		e = stmt_get(db, sql, &s);
	if (e == ERR_OK)
		e = bind_params(db, s->st, p, np, bind, lens);
	if (e != ERR_OK)
		return e;
	if (mysql_stmt_execute(s->st)) {
		code = mysql_stmt_errno(s->st);
		/* "Gone away" is a failed write: the server never got it. */
		*sent = code != CR_SERVER_GONE_ERROR;
		return map_error(db, code, mysql_stmt_error(s->st), "execute");
	}
	*sent = true;
	*out = s;
	return fault_after(db, sql);
}

/* Prepares (or finds) sql, binds p and executes it.  Outside a
 * transaction, a statement that failed before it reached the server
 * (the connection had gone) runs once more on a fresh connection; one
 * that may have run is never repeated: its effect would be doubled. */
static enum err
run(struct db *db, const char *sql, const struct db_param *p, size_t np,
    struct stmt **out)
{
	bool in_txn = db->depth > 0, was_connected = db->conn != NULL, sent;
	enum err e = run_once(db, sql, p, np, out, &sent);

	if (e == ERR_DB_DOWN && !sent && !in_txn && was_connected)
		e = run_once(db, sql, p, np, out, &sent);
	return e;
}

enum err
db_exec(struct db *db, const char *sql, const struct db_param *p, size_t np,
	struct db_result *res)
{
	struct stmt *s;
	enum err e = run(db, sql, p, np, &s);

	if (e != ERR_OK)
		return e;
	if (res) {
		res->affected = mysql_stmt_affected_rows(s->st);
		res->insert_id = mysql_stmt_insert_id(s->st);
	}
	mysql_stmt_free_result(s->st);
	return ERR_OK;
}

static size_t
col_buf_size(const MYSQL_FIELD *f)
{
	switch (f->type) {
	case MYSQL_TYPE_TINY:
	case MYSQL_TYPE_SHORT:
	case MYSQL_TYPE_LONG:
	case MYSQL_TYPE_INT24:
	case MYSQL_TYPE_LONGLONG:
	case MYSQL_TYPE_FLOAT:
	case MYSQL_TYPE_DOUBLE:
	case MYSQL_TYPE_YEAR:
	case MYSQL_TYPE_DATE:
	case MYSQL_TYPE_TIME:
	case MYSQL_TYPE_DATETIME:
	case MYSQL_TYPE_TIMESTAMP:
		return DB_NUM_BUF;
	default:
		return (size_t)f->max_length + 1;
	}
}

static enum err
rows_bind(struct db_rows *rows)
{
	MYSQL_STMT *st = rows->stmt->st;
	MYSQL_RES *meta = mysql_stmt_result_metadata(st);
	MYSQL_FIELD *f;
	unsigned i;

	if (!meta)
		return ERR_INTERNAL;
	f = mysql_fetch_fields(meta);
	for (i = 0; i < rows->ncols; i++) {
		size_t n = col_buf_size(&f[i]);

		rows->bufs[i] = xmalloc(n);
		rows->bind[i].buffer_type = MYSQL_TYPE_STRING;
		rows->bind[i].buffer = rows->bufs[i];
		rows->bind[i].buffer_length = n;
		rows->bind[i].length = &rows->lens[i];
		rows->bind[i].is_null = &rows->nulls[i];
	}
	mysql_free_result(meta);
	if (mysql_stmt_bind_result(st, rows->bind))
		return map_error(rows->db, mysql_stmt_errno(st),
				 mysql_stmt_error(st), "bind result");
	return ERR_OK;
}

static struct db_rows *
rows_new(struct db *db, struct stmt *s, unsigned ncols)
{
	struct db_rows *rows = xcalloc(1, sizeof(*rows));

	rows->db = db;
	rows->gen = db->gen;
	rows->stmt = s;
	rows->ncols = ncols;
	rows->bind = xcalloc(ncols, sizeof(*rows->bind));
	rows->bufs = xcalloc(ncols, sizeof(*rows->bufs));
	rows->lens = xcalloc(ncols, sizeof(*rows->lens));
	rows->nulls = xcalloc(ncols, sizeof(*rows->nulls));
	s->busy = true;
	return rows;
}

/* Rows of a connection that has gone since are dead: their statement
 * was closed with it. */
static bool
rows_live(const struct db_rows *rows)
{
	return rows->gen == rows->db->gen;
}

enum err
db_query(struct db *db, const char *sql, const struct db_param *p, size_t np,
	 unsigned ncols, struct db_rows **out)
{
	struct db_rows *rows;
	struct stmt *s;
	enum err e = run(db, sql, p, np, &s);

	if (e != ERR_OK)
		return e;
	if (mysql_stmt_field_count(s->st) != ncols) {
		log_error("db: query returns %u columns, caller expects %u",
			  mysql_stmt_field_count(s->st), ncols);
		mysql_stmt_free_result(s->st);
		return ERR_INTERNAL;
	}
	if (mysql_stmt_store_result(s->st)) {
		e = map_error(db, mysql_stmt_errno(s->st),
			      mysql_stmt_error(s->st), "store result");
		if (db->conn)
			mysql_stmt_free_result(s->st);
		return e;
	}
	rows = rows_new(db, s, ncols);
	e = rows_bind(rows);
	if (e != ERR_OK) {
		db_rows_free(rows);
		return e;
	}
	*out = rows;
	return ERR_OK;
}

bool
db_next(struct db_rows *rows)
{
	unsigned i;
	int rc;

	if (rows->err == ERR_OK && !rows_live(rows)) {
		log_warn("db: rows outlived their connection");
		rows->err = ERR_DB_DOWN;
	}
	if (rows->err != ERR_OK)
		return false;
	rc = mysql_stmt_fetch(rows->stmt->st);
	if (rc == MYSQL_NO_DATA)
		return false;
	if (rc == MYSQL_DATA_TRUNCATED) {
		log_error("db: result column truncated");
		rows->err = ERR_INTERNAL;
		return false;
	}
	if (rc != 0) {
		rows->err = map_error(rows->db, mysql_stmt_errno(rows->stmt->st),
				      mysql_stmt_error(rows->stmt->st), "fetch");
		return false;
	}
	for (i = 0; i < rows->ncols; i++) {
		size_t cap = rows->bind[i].buffer_length;
		size_t n = rows->lens[i] < cap ? rows->lens[i] : cap - 1;

		rows->bufs[i][n] = '\0';
	}
	return true;
}

const char *
db_col(const struct db_rows *rows, unsigned i)
{
	if (i >= rows->ncols || rows->nulls[i])
		return NULL;
	return rows->bufs[i];
}

long long
db_col_int(const struct db_rows *rows, unsigned i)
{
	const char *s = db_col(rows, i);

	return s ? strtoll(s, NULL, 10) : 0;
}

unsigned long long
db_rows_count(const struct db_rows *rows)
{
	return rows_live(rows) ? mysql_stmt_num_rows(rows->stmt->st) : 0;
}

enum err
db_rows_err(const struct db_rows *rows)
{
	return rows->err;
}

void
db_rows_free(struct db_rows *rows)
{
	unsigned i;

	if (!rows)
		return;
	if (rows_live(rows)) {
		mysql_stmt_free_result(rows->stmt->st);
		rows->stmt->busy = false;
	}
	for (i = 0; i < rows->ncols; i++)
		free(rows->bufs[i]);
	free(rows->bufs);
	free(rows->bind);
	free(rows->lens);
	free(rows->nulls);
	free(rows);
}

enum err
db_row(struct db *db, const char *sql, const struct db_param *p, size_t np,
       unsigned ncols, enum err missing, struct db_rows **out)
{
	struct db_rows *rows;
	enum err e = db_query(db, sql, p, np, ncols, &rows);

	*out = NULL;
	if (e != ERR_OK)
		return e;
	if (db_next(rows)) {
		*out = rows;
		return ERR_OK;
	}
	e = db_rows_err(rows) ? db_rows_err(rows) : missing;
	db_rows_free(rows);
	return e;
}

enum err
db_query_int(struct db *db, const char *sql, const struct db_param *p,
	     size_t np, enum err missing, long long *out)
{
	struct db_rows *row;
	enum err e = db_row(db, sql, p, np, 1, missing, &row);

	*out = 0;
	if (row) {
		*out = db_col_int(row, 0);
		db_rows_free(row);
	}
	return e;
}

/* ---- procedures ---------------------------------------------------------- */

/* The first column of the first row of the result at hand, copied. */
static enum err
call_value(struct db *db, struct stmt *s, char **out)
{
	struct db_rows *rows;
	enum err e;

	if (mysql_stmt_store_result(s->st))
		return map_error(db, mysql_stmt_errno(s->st),
				 mysql_stmt_error(s->st), "store result");
	rows = rows_new(db, s, mysql_stmt_field_count(s->st));
	e = rows_bind(rows);
	if (e == ERR_OK && db_next(rows) && db_col(rows, 0))
		*out = xstrdup(db_col(rows, 0));
	if (e == ERR_OK)
		e = db_rows_err(rows);
	db_rows_free(rows);
	return e;
}

/* Reads past every further result of a CALL (the last is its status), so
 * the connection is ready for the next statement; an error among them is
 * the call's error. */
static enum err
call_drain(struct db *db, struct stmt *s, enum err e)
{
	int rc = -1;

	while (db->conn && (rc = mysql_stmt_next_result(s->st)) == 0) {
		if (mysql_stmt_field_count(s->st) &&
		    !mysql_stmt_store_result(s->st))
			mysql_stmt_free_result(s->st);
	}
	if (db->conn && rc > 0 && e == ERR_OK)
		e = map_error(db, mysql_stmt_errno(s->st),
			      mysql_stmt_error(s->st), "call");
	return e;
}

enum err
db_call(struct db *db, const char *sql, const struct db_param *p, size_t np,
	char **out)
{
	struct stmt *s;
	enum err e;

	*out = NULL;
	db->signal_arg[0] = '\0';
	db->signalled = false;
	e = run(db, sql, p, np, &s);
	if (e != ERR_OK)
		return e;
	if (mysql_stmt_field_count(s->st))
		e = call_value(db, s, out);
	e = call_drain(db, s, e);
	if (e != ERR_OK) {
		free(*out);
		*out = NULL;
	}
	return e;
}

const char *
db_signal_arg(const struct db *db)
{
	return db->signalled ? db->signal_arg : NULL;
}

/* ---- transactions ----------------------------------------------------- */

/* Transaction control statements carry no values: sent as text, without a
 * prepare round trip.  Never repeated on failure. */
static enum err
control(struct db *db, const char *stmt)
{
	if (fault_due(db, stmt, DB_FAULT_DOWN_BEFORE)) {
		db->errors++;
		db_disconnect(db);
		return ERR_DB_DOWN;
	}
	if (!db->conn)
		return ERR_DB_DOWN;
	if (mysql_real_query(db->conn, stmt, strlen(stmt)))
		return map_error(db, mysql_errno(db->conn),
				 mysql_error(db->conn), stmt);
	return fault_after(db, stmt);
}

static const char *const savepoints[DB_MAX_DEPTH][2] = {
	{ "START TRANSACTION", "COMMIT" },
	{ "SAVEPOINT haas_sp1", "RELEASE SAVEPOINT haas_sp1" },
	{ "SAVEPOINT haas_sp2", "RELEASE SAVEPOINT haas_sp2" },
	{ "SAVEPOINT haas_sp3", "RELEASE SAVEPOINT haas_sp3" },
};

static const char *const rollbacks[DB_MAX_DEPTH] = {
	"ROLLBACK",
	"ROLLBACK TO SAVEPOINT haas_sp1",
	"ROLLBACK TO SAVEPOINT haas_sp2",
	"ROLLBACK TO SAVEPOINT haas_sp3",
};

enum err
db_begin(struct db *db)
{
	enum err e;

	if (db->depth >= DB_MAX_DEPTH) {
		log_error("db: transactions nested too deeply");
		return ERR_INTERNAL;
	}
	if (db->depth == 0) {
		drop_if_closed(db);
		e = db_connect(db);
		if (e == ERR_OK)
			e = control(db, savepoints[0][0]);
		/* Nothing had happened in a transaction that never began:
		 * one more try on a fresh connection is always safe. */
		if (e == ERR_DB_DOWN && db_connect(db) == ERR_OK)
			e = control(db, savepoints[0][0]);
	} else {
		e = control(db, savepoints[db->depth][0]);
	}
	if (e == ERR_OK)
		db->depth++;
	return e;
}

enum err
db_commit(struct db *db)
{
	enum err e;

	if (db->depth <= 0) {
		log_error("db: commit without a transaction");
		return ERR_INTERNAL;
	}
	e = control(db, savepoints[db->depth - 1][1]);
	/* A failed COMMIT leaves the transaction to db_rollback (on a
	 * connection that is still there). */
	if (e == ERR_OK)
		db->depth--;
	return e;
}

enum err
db_rollback(struct db *db)
{
	if (db->depth <= 0)
		return ERR_OK;
	if (!db->conn || control(db, rollbacks[db->depth - 1]) != ERR_OK) {
		/* A transaction we cannot end must not outlive the request,
		 * and its caller must know it is gone, savepoints and all. */
		if (db->conn)
			log_error("db: rollback failed; dropping the connection");
		db_disconnect(db);
		return ERR_DB_DOWN;
	}
	db->depth--;
	return ERR_OK;
}

void
db_abort(struct db *db)
{
	if (db->depth <= 0)
		return;
	db->depth = 1;
	(void)db_rollback(db);
	db->depth = 0;
}

int
db_txn_depth(const struct db *db)
{
	return db ? db->depth : 0;
}

void
db_stats(const struct db *db, long long *errors, long long *reconnects)
{
	*errors = db->errors;
	*reconnects = db->gen > 1 ? (long long)db->gen - 1 : 0;
}

enum err
db_ping(struct db *db)
{
	static const char sql[] = "SELECT 1";
	long long one;

	return db_query_int(db, sql, DB_NONE, ERR_INTERNAL, &one);
}

enum err
db_run_script(struct db *db, const char *text)
{
	enum err e = db_connect(db);
	int status;

	if (e != ERR_OK)
		return e;
	mysql_set_server_option(db->conn, MYSQL_OPTION_MULTI_STATEMENTS_ON);
	status = mysql_real_query(db->conn, text, strlen(text));
	while (status == 0) {
		MYSQL_RES *res = mysql_store_result(db->conn);

		if (res)
			mysql_free_result(res);
		status = mysql_next_result(db->conn);
		if (status < 0) {
			status = 0;
			break;
		}
	}
	if (status) {
		e = map_error(db, mysql_errno(db->conn), mysql_error(db->conn),
			      "script");
		if (e != ERR_DB_DOWN)
			log_error("db: script failed: %s", mysql_error(db->conn));
		if (e == ERR_OK)
			e = ERR_INTERNAL;
	}
	if (db->conn)
		mysql_set_server_option(db->conn,
					MYSQL_OPTION_MULTI_STATEMENTS_OFF);
	return e;
}

const char *
db_dup_key(const struct db *db)
{
	return db->dup_key;
}

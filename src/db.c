/* db: MariaDB Connector/C behind a small prepared-statement API. */
#include "db.h"

#include <errno.h>
#include <mysql.h>
#include <errmsg.h>
#include <mysqld_error.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "config.h"
#include "log.h"
#include "util.h"

#define DB_MAX_PARAMS 48
#define DB_NUM_BUF 64

struct stmt_slot {
	const char *sql;
	MYSQL_STMT *st;
};

struct db {
	const struct config *cfg;
	MYSQL *conn;
	struct stmt_slot *slots;
	size_t nslots;		/* power of two */
	size_t used;
	bool in_txn;
	long fail_countdown;
	char dup_key[128];
};

struct db_rows {
	struct db *db;
	MYSQL_STMT *st;
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

static void
db_disconnect(struct db *db)
{
	size_t i;

	for (i = 0; i < db->nslots; i++) {
		if (db->slots[i].st)
			mysql_stmt_close(db->slots[i].st);
		db->slots[i].st = NULL;
		db->slots[i].sql = NULL;
	}
	db->used = 0;
	if (db->conn)
		mysql_close(db->conn);
	db->conn = NULL;
	db->in_txn = false;
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
	const char *k = strstr(msg, "for key '");
	size_t n;

	db->dup_key[0] = '\0';
	if (!k)
		return;
	k += 9;
	n = strcspn(k, "'");
	if (n >= sizeof(db->dup_key))
		n = sizeof(db->dup_key) - 1;
	memcpy(db->dup_key, k, n);
	db->dup_key[n] = '\0';
	/* MariaDB may qualify it as table.key */
	if (strchr(db->dup_key, '.'))
		memmove(db->dup_key, strchr(db->dup_key, '.') + 1,
			strlen(strchr(db->dup_key, '.') + 1) + 1);
}

/* Maps a server or client error to our table; logs what is unexpected. */
static enum err
map_error(struct db *db, unsigned e, const char *msg, const char *what)
{
	switch (e) {
	case ER_DUP_ENTRY:
	case ER_DUP_ENTRY_WITH_KEY_NAME:
		note_dup_key(db, msg);
		return ERR_DUPLICATE;
	case ER_LOCK_DEADLOCK:
	case ER_LOCK_WAIT_TIMEOUT:
		return ERR_DB_RETRY;
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
		db_disconnect(db);
		return ERR_DB_DOWN;
	}
	log_error("db: %s failed (%u: %s)", what, e, msg);
	return ERR_INTERNAL;
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
				(unsigned)c->db_port, c->db_socket, 0)) {
		log_warn("db: connect failed (%u: %s)", mysql_errno(db->conn),
			 mysql_error(db->conn));
		mysql_close(db->conn);
		db->conn = NULL;
		return ERR_DB_DOWN;
	}
	return ERR_OK;
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

/* The cached statement for sql, prepared now if it is new. */
static enum err
stmt_get(struct db *db, const char *sql, MYSQL_STMT **out)
{
	my_bool on = 1;
	MYSQL_STMT *st;
	size_t i;

	i = slot_index(db, sql);
	while (db->slots[i].sql && db->slots[i].sql != sql)
		i = (i + 1) & (db->nslots - 1);
	if (db->slots[i].sql) {
		*out = db->slots[i].st;
		return ERR_OK;
	}
	st = mysql_stmt_init(db->conn);
	if (!st)
		return ERR_INTERNAL;
	if (mysql_stmt_prepare(st, sql, strlen(sql))) {
		enum err e = map_error(db, mysql_stmt_errno(st),
				       mysql_stmt_error(st), "prepare");

		mysql_stmt_close(st);
		return e;
	}
	mysql_stmt_attr_set(st, STMT_ATTR_UPDATE_MAX_LENGTH, &on);
	if (2 * (db->used + 1) > db->nslots) {
		slots_grow(db);
		i = slot_index(db, sql);
		while (db->slots[i].sql)
			i = (i + 1) & (db->nslots - 1);
	}
	db->slots[i].sql = sql;
	db->slots[i].st = st;
	db->used++;
	*out = st;
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

/* Prepares (or finds) sql, binds p and executes it.  A connection that was
 * lost outside a transaction is re-established once, transparently. */
static enum err
run(struct db *db, const char *sql, const struct db_param *p, size_t np,
    MYSQL_STMT **out)
{
	MYSQL_BIND bind[DB_MAX_PARAMS];
	unsigned long lens[DB_MAX_PARAMS];
	int attempt;

	if (db->fail_countdown > 0 && --db->fail_countdown == 0) {
		db_disconnect(db);
		return ERR_DB_DOWN;
	}
	for (attempt = 0; attempt < 2; attempt++) {
		bool was_connected = db->conn != NULL, in_txn = db->in_txn;
		MYSQL_STMT *st = NULL;
		enum err e;

		e = db_connect(db);
		if (e == ERR_OK)
			e = stmt_get(db, sql, &st);
		if (e == ERR_OK)
			e = bind_params(db, st, p, np, bind, lens);
		if (e == ERR_OK && mysql_stmt_execute(st))
			e = map_error(db, mysql_stmt_errno(st),
				      mysql_stmt_error(st), "execute");
		if (e == ERR_OK) {
			*out = st;
			return ERR_OK;
		}
		if (e != ERR_DB_DOWN || !was_connected || in_txn)
			return e;
	}
	return ERR_DB_DOWN;
}

enum err
db_exec(struct db *db, const char *sql, const struct db_param *p, size_t np,
	struct db_result *res)
{
	MYSQL_STMT *st;
	enum err e = run(db, sql, p, np, &st);

	if (e != ERR_OK)
		return e;
	if (res) {
		res->affected = mysql_stmt_affected_rows(st);
		res->insert_id = mysql_stmt_insert_id(st);
	}
	mysql_stmt_free_result(st);
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
	MYSQL_RES *meta = mysql_stmt_result_metadata(rows->st);
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
	if (mysql_stmt_bind_result(rows->st, rows->bind))
		return map_error(rows->db, mysql_stmt_errno(rows->st),
				 mysql_stmt_error(rows->st), "bind result");
	return ERR_OK;
}

enum err
db_query(struct db *db, const char *sql, const struct db_param *p, size_t np,
	 unsigned ncols, struct db_rows **out)
{
	struct db_rows *rows = NULL;
	MYSQL_STMT *st;
	enum err e = run(db, sql, p, np, &st);

	if (e != ERR_OK)
		return e;
	if (mysql_stmt_field_count(st) != ncols) {
		log_error("db: query returns %u columns, caller expects %u",
			  mysql_stmt_field_count(st), ncols);
		e = ERR_INTERNAL;
		goto fail;
	}
	if (mysql_stmt_store_result(st)) {
		e = map_error(db, mysql_stmt_errno(st), mysql_stmt_error(st),
			      "store result");
		goto fail;
	}
	rows = xcalloc(1, sizeof(*rows));
	rows->db = db;
	rows->st = st;
	rows->ncols = ncols;
	rows->bind = xcalloc(ncols, sizeof(*rows->bind));
	rows->bufs = xcalloc(ncols, sizeof(*rows->bufs));
	rows->lens = xcalloc(ncols, sizeof(*rows->lens));
	rows->nulls = xcalloc(ncols, sizeof(*rows->nulls));
	e = rows_bind(rows);
	if (e != ERR_OK)
		goto fail;
	*out = rows;
	return ERR_OK;
fail:
	if (rows)
		db_rows_free(rows);
	else if (db->conn)
		mysql_stmt_free_result(st);
	return e;
}

bool
db_next(struct db_rows *rows)
{
	unsigned i;
	int rc;

	if (rows->err != ERR_OK)
		return false;
	rc = mysql_stmt_fetch(rows->st);
	if (rc == MYSQL_NO_DATA)
		return false;
	if (rc == MYSQL_DATA_TRUNCATED) {
		log_error("db: result column truncated");
		rows->err = ERR_INTERNAL;
		return false;
	}
	if (rc != 0) {
		rows->err = map_error(rows->db, mysql_stmt_errno(rows->st),
				      mysql_stmt_error(rows->st), "fetch");
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
	return mysql_stmt_num_rows(rows->st);
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
	/* After a lost connection db_disconnect already closed the stmt. */
	if (rows->db->conn && rows->err != ERR_DB_DOWN)
		mysql_stmt_free_result(rows->st);
	for (i = 0; i < rows->ncols; i++)
		free(rows->bufs[i]);
	free(rows->bufs);
	free(rows->bind);
	free(rows->lens);
	free(rows->nulls);
	free(rows);
}

enum err
db_query_int(struct db *db, const char *sql, const struct db_param *p,
	     size_t np, enum err missing, long long *out)
{
	struct db_rows *rows;
	enum err e = db_query(db, sql, p, np, 1, &rows);

	if (e != ERR_OK)
		return e;
	*out = 0;
	e = missing;
	if (db_next(rows)) {
		*out = db_col_int(rows, 0);
		e = ERR_OK;
	}
	if (db_rows_err(rows))
		e = db_rows_err(rows);
	db_rows_free(rows);
	return e;
}

static const char sql_begin[] = "START TRANSACTION";
static const char sql_commit[] = "COMMIT";
static const char sql_rollback[] = "ROLLBACK";

enum err
db_begin(struct db *db)
{
	enum err e = db_exec(db, sql_begin, DB_NONE, NULL);

	if (e == ERR_OK)
		db->in_txn = true;
	return e;
}

enum err
db_commit(struct db *db)
{
	enum err e = db_exec(db, sql_commit, DB_NONE, NULL);

	db->in_txn = false;
	return e;
}

void
db_rollback(struct db *db)
{
	if (db->conn && db->in_txn)
		db_exec(db, sql_rollback, DB_NONE, NULL);
	db->in_txn = false;
}

enum err
db_ping(struct db *db)
{
	static const char sql[] = "SELECT 1";
	struct db_rows *rows;
	enum err e = db_query(db, sql, DB_NONE, 1, &rows);

	if (e != ERR_OK)
		return e;
	if (!db_next(rows))
		e = db_rows_err(rows) ? db_rows_err(rows) : ERR_INTERNAL;
	db_rows_free(rows);
	return e;
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

void
db_fail_nth(struct db *db, long n)
{
	db->fail_countdown = n;
}

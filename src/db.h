/* db: the MariaDB layer.  Prepared statements only, cached per connection by
 * the address of their SQL text, re-prepared after a reconnect; typed bound
 * parameters; rows read back as strings.  Only db.c includes mysql.h.
 *
 * The one safe path: a statement is repeated only when it surely never
 * reached the server (never one whose reply was lost: its effect would be
 * doubled), never inside a transaction; rows remember the connection they
 * came from and refuse to be read once it has gone; transactions nest as
 * savepoints; a lock wait is bounded by db_lock_wait_timeout. */
#ifndef HAAS_DB_H
#define HAAS_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "err.h"

struct config;
struct db;
struct db_rows;

enum db_ptype { DBP_NULL, DBP_INT, DBP_STR };

struct db_param {
	enum db_ptype type;
	long long i;
	const char *s;
	size_t len;
};

static inline struct db_param
db_int(long long v)
{
	return (struct db_param){ .type = DBP_INT, .i = v };
}

/* A string parameter; NULL binds SQL NULL. */
static inline struct db_param
db_str(const char *s)
{
	if (!s)
		return (struct db_param){ .type = DBP_NULL };
	return (struct db_param){ .type = DBP_STR, .s = s, .len = strlen(s) };
}

static inline struct db_param
db_strn(const char *s, size_t n)
{
	return (struct db_param){ .type = DBP_STR, .s = s, .len = n };
}

static inline struct db_param
db_null(void)
{
	return (struct db_param){ .type = DBP_NULL };
}

/* DB_P(db_int(1), db_str("x")) expands to the two arguments
 * "params, count" that db_exec and db_query take. */
#define DB_P(...) \
	((const struct db_param[]){ __VA_ARGS__ }), \
	(sizeof((const struct db_param[]){ __VA_ARGS__ }) / \
	 sizeof(struct db_param))
#define DB_NONE NULL, 0

struct db_result {
	unsigned long long affected;
	unsigned long long insert_id;
};

/* A handle that connects lazily from cfg (which must outlive it). */
struct db *db_new(const struct config *cfg);
void db_free(struct db *db);

/* Executes a statement that returns no rows.  res may be NULL.  Errors:
 * ERR_DUPLICATE (unique key; see db_dup_key), ERR_CONFLICT (CHECK or foreign
 * key), ERR_DB_RETRY (deadlock: the transaction is gone, run it again),
 * ERR_DB_BUSY (a lock wait ran out), ERR_DB_DOWN, ERR_INTERNAL. */
enum err db_exec(struct db *db, const char *sql, const struct db_param *p,
		 size_t np, struct db_result *res);

/* Executes a SELECT whose result has exactly ncols columns.  On ERR_OK,
 * *out holds the rows (caller frees with db_rows_free); the same SQL text
 * cannot run again until they are freed (ERR_INTERNAL). */
enum err db_query(struct db *db, const char *sql, const struct db_param *p,
		  size_t np, unsigned ncols, struct db_rows **out);

/* The one-row lookup: runs the query and stands on its first row.  On
 * ERR_OK *out is that row (read it with db_col, free it with
 * db_rows_free); with no row, returns missing and *out = NULL; on errors
 * *out = NULL too. */
enum err db_row(struct db *db, const char *sql, const struct db_param *p,
		size_t np, unsigned ncols, enum err missing,
		struct db_rows **out);

/* Advances to the next row; false at the end or on error (see
 * db_rows_err: ERR_DB_DOWN once the connection the rows came from has
 * gone, for instance because a query run inside the loop lost it). */
bool db_next(struct db_rows *rows);
/* Column i of the current row, NUL-terminated; NULL for SQL NULL.  Valid
 * until the next db_next or db_rows_free. */
const char *db_col(const struct db_rows *rows, unsigned i);
/* Column i as an integer (0 for NULL or non-numbers). */
long long db_col_int(const struct db_rows *rows, unsigned i);
unsigned long long db_rows_count(const struct db_rows *rows);
enum err db_rows_err(const struct db_rows *rows);
void db_rows_free(struct db_rows *rows);

/* The first column of a query's first row, as an integer.  With no row:
 * *out = 0 and ERR_OK when missing is ERR_OK, else missing. */
enum err db_query_int(struct db *db, const char *sql, const struct db_param *p,
		      size_t np, enum err missing, long long *out);

/* Calls a stored procedure (sql is "CALL name(?, ...)"), reading its
 * one result: *out is the first column of its first row, malloc'd (the
 * caller frees it), or NULL when it returns none.  A procedure refuses
 * with SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'haas:NAME[:DETAILS]':
 * the call then returns ERR_NAME, and db_signal_arg gives DETAILS (a JSON
 * object for the error body, or ""; NULL when the call did not end in
 * such a refusal).  Other errors as db_exec. */
enum err db_call(struct db *db, const char *sql, const struct db_param *p,
		 size_t np, char **out);
const char *db_signal_arg(const struct db *db);

/* Transactions.  db_begin inside a transaction opens a savepoint, and the
 * matching db_commit / db_rollback release it / roll back to it.  A failed
 * db_commit leaves the transaction open for db_rollback.  db_abort rolls
 * back everything, whatever the depth (after a deadlock the server has
 * already done so).  Handlers use req_txn rather than these. */
enum err db_begin(struct db *db);
enum err db_commit(struct db *db);
/* ERR_DB_DOWN when the rollback could not run: the connection, and with
 * it the whole transaction, is gone. */
enum err db_rollback(struct db *db);
void db_abort(struct db *db);
/* 0 outside a transaction, else the nesting depth. */
int db_txn_depth(const struct db *db);

/* Round trip to the server, reconnecting first when needed. */
enum err db_ping(struct db *db);

/* This handle's counts since db_new, for metrics: unexpected failures
 * (the server unavailable, a connect refused, an error the table does not
 * map; not duplicates, deadlocks or a procedure's refusal) and
 * connections made after the first. */
void db_stats(const struct db *db, long long *errors, long long *reconnects);

/* Runs a trusted multi-statement script (a migration file). */
enum err db_run_script(struct db *db, const char *text);

/* After ERR_DUPLICATE: the name of the violated unique key (borrowed,
 * "" when unknown). */
const char *db_dup_key(const struct db *db);

/* Test hooks.  db_fail_nth: the nth statement from now (1 = next) fails
 * with ERR_DB_DOWN as if the server were gone; 0 disables.  db_fault_arm:
 * the next statement whose SQL text contains match (NULL: any; "COMMIT"
 * for the commit) fails as fault says, once:
 *   DB_FAULT_DOWN_BEFORE  the connection is gone before it is sent
 *   DB_FAULT_LOST_AFTER   it ran, then the connection died before the
 *                         reply (a transaction dies with it)
 *   DB_FAULT_CRASH_AFTER  it ran, then the process is killed (SIGKILL)
 * DB_FAULT_NONE disarms.  db_fault_parse reads "down-before[:TEXT]",
 * "lost-after[:TEXT]" or "crash-after[:TEXT]" (*match points into spec or
 * is NULL); DB_FAULT_NONE when spec is none of them. */
enum db_fault {
	DB_FAULT_NONE,
	DB_FAULT_DOWN_BEFORE,
	DB_FAULT_LOST_AFTER,
	DB_FAULT_CRASH_AFTER,
};
void db_fail_nth(struct db *db, long n);
void db_fault_arm(struct db *db, enum db_fault fault, const char *match);
enum db_fault db_fault_parse(const char *spec, const char **match);

#endif

/* db: the MariaDB layer.  Prepared statements only, cached per connection by
 * the address of their SQL text, re-prepared after a reconnect; typed bound
 * parameters; rows read back as strings.  Only db.c includes mysql.h. */
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
 * key), ERR_DB_RETRY (deadlock, lock wait), ERR_DB_DOWN, ERR_INTERNAL. */
enum err db_exec(struct db *db, const char *sql, const struct db_param *p,
		 size_t np, struct db_result *res);

/* Executes a SELECT whose result has exactly ncols columns.  On ERR_OK,
 * *out holds the rows; release them with db_rows_free before the next
 * statement runs on that SQL text. */
enum err db_query(struct db *db, const char *sql, const struct db_param *p,
		  size_t np, unsigned ncols, struct db_rows **out);

/* Advances to the next row; false at the end or on error (see
 * db_rows_err). */
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

enum err db_begin(struct db *db);
enum err db_commit(struct db *db);
void db_rollback(struct db *db);

/* Round trip to the server, reconnecting first when needed. */
enum err db_ping(struct db *db);

/* Runs a trusted multi-statement script (a migration file). */
enum err db_run_script(struct db *db, const char *text);

/* After ERR_DUPLICATE: the name of the violated unique key (borrowed,
 * "" when unknown). */
const char *db_dup_key(const struct db *db);

/* Test hook: the nth statement from now (1 = next) fails with ERR_DB_DOWN
 * as if the server were gone; 0 disables. */
void db_fail_nth(struct db *db, long n);

#endif

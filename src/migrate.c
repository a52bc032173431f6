/* migrate: numbered SQL migrations, each applied once. */
#include "migrate.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "util.h"

enum migrate_sql { Q_CREATE, Q_APPLIED, Q_RECORD, Q_VERSIONS };

static const char *const sql[] = {
	[Q_CREATE] =
		"CREATE TABLE IF NOT EXISTS schema_migrations ("
		" version VARCHAR(128) NOT NULL PRIMARY KEY,"
		" applied_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)"
		") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
	[Q_APPLIED] = "SELECT COUNT(*) FROM schema_migrations WHERE version = ?",
	[Q_RECORD] = "INSERT INTO schema_migrations (version) VALUES (?)",
	[Q_VERSIONS] = "SELECT version FROM schema_migrations",
};

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted list of *.sql names in dir; caller frees each and the array. */
static char **
list_files(const char *dir, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t cap = 0;

	*n = 0;
	if (!d) {
		log_error("migrate: cannot open %s: %s", dir, strerror(errno));
		return NULL;
	}
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (len < 5 || strcmp(de->d_name + len - 4, ".sql"))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			names = xrealloc(names, cap * sizeof(*names));
		}
		names[(*n)++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (*n)
		qsort(names, *n, sizeof(*names), name_cmp);
	return names;
}

static char *
read_file(const char *path)
{
	struct buf b = { 0 };
	char chunk[8192];
	size_t got;
	FILE *f = fopen(path, "r");

	if (!f)
		return NULL;
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, got);
	fclose(f);
	return b.s ? b.s : xstrdup("");
}

static enum err
is_applied(struct db *db, const char *version, bool *out)
{
	struct db_rows *rows;
	enum err e = db_query(db, sql[Q_APPLIED], DB_P(db_str(version)), 1,
			      &rows);

	if (e != ERR_OK)
		return e;
	*out = db_next(rows) && db_col_int(rows, 0) > 0;
	e = db_rows_err(rows);
	db_rows_free(rows);
	return e;
}

static enum err
run_file(struct db *db, const char *dir, const char *name)
{
	char *path = xasprintf("%s/%s", dir, name);
	char *text = read_file(path);
	enum err e = ERR_INTERNAL;

	if (text)
		e = db_run_script(db, text);
	else
		log_error("migrate: cannot read %s: %s", path, strerror(errno));
	if (e != ERR_OK)
		log_error("migrate: %s failed", name);
	free(text);
	free(path);
	return e;
}

static enum err
apply_one(struct db *db, const char *dir, const char *name)
{
	enum err e = run_file(db, dir, name);

	if (e == ERR_OK)
		e = db_exec(db, sql[Q_RECORD], DB_P(db_str(name)), NULL);
	return e;
}

enum err
migrate_run(struct db *db, const char *dir, int *applied)
{
	size_t n = 0, i;
	char **names;
	enum err e;

	*applied = 0;
	e = db_exec(db, sql[Q_CREATE], DB_NONE, NULL);
	if (e != ERR_OK)
		return e;
	names = list_files(dir, &n);
	if (!names && n == 0)
		e = ERR_INTERNAL;
	for (i = 0; i < n && e == ERR_OK; i++) {
		bool done = false;

		e = is_applied(db, names[i], &done);
		if (e == ERR_OK && !done) {
			e = apply_one(db, dir, names[i]);
			if (e == ERR_OK) {
				log_info("migrate: applied %s", names[i]);
				(*applied)++;
			}
		}
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return e;
}

enum err
migrate_seed(struct db *db, const char *dir, int *loaded)
{
	size_t n = 0, i;
	char **names = list_files(dir, &n);
	enum err e = ERR_OK;

	*loaded = 0;
	for (i = 0; i < n && e == ERR_OK; i++) {
		e = run_file(db, dir, names[i]);
		if (e == ERR_OK)
			(*loaded)++;
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return e;
}

/* Is name among the n versions? */
static bool
listed(char *const *versions, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(versions[i], name))
			return true;
	return false;
}

enum err
migrate_pending(struct db *db, const char *dir, int *pending)
{
	size_t n = 0, nv = 0, cap = 0, i;
	char **names, **versions = NULL;
	struct db_rows *rows;
	enum err e = db_query(db, sql[Q_VERSIONS], DB_NONE, 1, &rows);

	*pending = 0;
	if (e != ERR_OK)
		return e;
	while (db_next(rows)) {
		if (nv == cap) {
			cap = cap ? cap * 2 : 32;
			versions = xrealloc(versions, cap * sizeof(*versions));
		}
		versions[nv++] = xstrdup(db_col(rows, 0));
	}
	e = db_rows_err(rows);
	db_rows_free(rows);
	names = list_files(dir, &n);
	if (e == ERR_OK && !names)
		e = ERR_INTERNAL;
	for (i = 0; i < n; i++) {
		*pending += !listed(versions, nv, names[i]);
		free(names[i]);
	}
	for (i = 0; i < nv; i++)
		free(versions[i]);
	free(versions);
	free(names);
	return e;
}

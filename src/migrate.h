/* migrate: applies sql/NNN_*.sql files not yet recorded in
 * schema_migrations, in order, each recorded once it succeeded. */
#ifndef HAAS_MIGRATE_H
#define HAAS_MIGRATE_H

#include "err.h"

struct db;

/* Applies pending migrations from dir; *applied gets how many ran.
 * Logs and returns the first failure. */
enum err migrate_run(struct db *db, const char *dir, int *applied);

/* How many migrations of dir are not recorded in schema_migrations
 * (readiness); an error when the table or dir cannot be read. */
enum err migrate_pending(struct db *db, const char *dir, int *pending);

/* Runs every *.sql in dir, in name order, every time: seed files must be
 * idempotent (INSERT IGNORE, WHERE NOT EXISTS). */
enum err migrate_seed(struct db *db, const char *dir, int *loaded);

#endif

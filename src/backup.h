/* backup: haasctl's snapshot of an installation (the database by
 * mariadb-dump, uploaded documents, secrets, configuration and a manifest
 * with checksums) and its restore into an empty or stopped installation. */
#ifndef HAAS_BACKUP_H
#define HAAS_BACKUP_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

struct config;

/* Exit statuses of haasctl backup/restore (2 is usage, as for every
 * haasctl command). */
enum backup_rc {
	BACKUP_OK = 0,
	BACKUP_FAILED = 1,	/* an error part way; see the message */
	BACKUP_REFUSED = 3,	/* nothing was changed */
};

struct backup_restore_opts {
	bool force;		/* replace a non-empty database */
	bool secrets;		/* put the snapshot's secrets back */
	bool config;		/* put the snapshot's configuration back */
};

/* Writes a snapshot of the installation cfg (loaded from config_path)
 * into dir, which must not exist or be empty.  Messages go to stderr. */
enum backup_rc backup_create(const struct config *cfg, const char *config_path,
			     const char *dir);

/* Verifies the snapshot in dir and restores it into the installation cfg
 * (loaded from config_path).  Messages go to stderr. */
enum backup_rc backup_restore(const struct config *cfg,
			      const char *config_path, const char *dir,
			      const struct backup_restore_opts *o);

/* The manifest: manifest.json at the top of the snapshot. */

/* A new manifest with the snapshot's facts; caller owns it (put). */
json_object *backup_manifest_new(const char *version, const char *schema,
				 json_object *migrations, const char *created);

/* Hashes dir/rel into m's "files" (sha256, size, mode).  0, or -1 with
 * errno set when dir/rel cannot be read. */
int backup_manifest_add(json_object *m, const char *dir, const char *rel);

/* Writes m to dir/manifest.json (mode 0600) by a temporary name and a
 * rename, so a manifest is either whole or absent.  0 or -1. */
int backup_manifest_write(json_object *m, const char *dir);

/* Reads dir/manifest.json and checks every file it lists (a relative
 * path inside dir, a regular file with the listed size and sha256) and
 * that database.sql is among them.  Returns the manifest (caller puts)
 * or NULL with one line in err saying what is wrong. */
json_object *backup_manifest_verify(const char *dir, char *err, size_t len);

/* The hex sha256 and size of the file at path: 0, or -1 with errno. */
int backup_file_hash(const char *path, char hex[65], long long *size);

#endif

/* backup: haasctl backup and restore (see backup.h).  The database goes
 * through mariadb-dump and mariadb, spawned without a shell and given
 * haasd's own credentials in a 0600 option file inside a private 0700
 * temporary directory: never on a command line or in an environment. */
#include "backup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "db.h"
#include "migrate.h"
#include "sha256.h"
#include "util.h"

extern char **environ;

#define MANIFEST "manifest.json"
#define DUMP "database.sql"
#define CONFIG_COPY "config/haas.conf"
#define FORMAT 1

enum backup_sql { Q_MIGRATIONS, Q_CHARSET, Q_OBJECTS, Q_OTHERS };

static const char *const sql[] = {
	[Q_MIGRATIONS] =
		"SELECT version FROM schema_migrations ORDER BY version",
	[Q_CHARSET] =
		"SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME"
		" FROM information_schema.SCHEMATA"
		" WHERE SCHEMA_NAME = DATABASE()",
	/* Anything at all in the database makes it not empty. */
	[Q_OBJECTS] =
		"SELECT (SELECT COUNT(*) FROM information_schema.TABLES"
		"  WHERE TABLE_SCHEMA = DATABASE())"
		" + (SELECT COUNT(*) FROM information_schema.ROUTINES"
		"  WHERE ROUTINE_SCHEMA = DATABASE())"
		" + (SELECT COUNT(*) FROM information_schema.EVENTS"
		"  WHERE EVENT_SCHEMA = DATABASE())",
	/* Without PROCESS an account sees only its own sessions: those of
	 * haasd, haas-notifyd and haas-ingestd, which share it. */
	[Q_OTHERS] =
		"SELECT COUNT(*) FROM information_schema.PROCESSLIST"
		" WHERE USER = SUBSTRING_INDEX(CURRENT_USER(), '@', 1)"
		" AND ID <> CONNECTION_ID()",
};

/* ------------------------------------------------------------ files */

static void
add_str(json_object *o, const char *key, const char *val)
{
	json_object_object_add(o, key, json_object_new_string(val));
}

/* o's string member key (borrowed), or NULL. */
static const char *
get_str(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return NULL;
	return json_object_get_string(v);
}

static void
say_errno(const char *what, const char *path)
{
	fprintf(stderr, "haasctl: %s %s: %s\n", what, path, strerror(errno));
}

int
backup_file_hash(const char *path, char hex[65], long long *size)
{
	unsigned char chunk[65536], md[32];
	struct sha256_ctx c;
	ssize_t got;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return -1;
	sha256_init(&c);
	*size = 0;
	for (;;) {
		got = read(fd, chunk, sizeof(chunk));
		if (got <= 0)
			break;
		sha256_update(&c, chunk, (size_t)got);
		*size += got;
	}
	close(fd);
	if (got < 0)
		return -1;
	sha256_final(&c, md);
	hex_encode(md, sizeof(md), hex);
	return 0;
}

/* Streams src into the new file dst (created with mode, never over an
 * existing one), hashing what it copies.  *src_mode gets src's mode.
 * 0, or -1 with errno (a src that vanished: ENOENT). */
static int
copy_file(const char *src, const char *dst, mode_t mode, char hex[65],
	  long long *size, mode_t *src_mode)
{
	unsigned char chunk[65536], md[32];
	struct sha256_ctx c;
	struct stat st;
	ssize_t got = -1;
	int in, out = -1, rc = -1, saved;

	in = open(src, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (in < 0)
		return -1;
	if (fstat(in, &st))
		goto out;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		goto out;
	}
	*src_mode = st.st_mode & 07777;
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (out < 0)
		goto out;
	sha256_init(&c);
	*size = 0;
	for (;;) {
		got = read(in, chunk, sizeof(chunk));
		if (got <= 0)
			break;
		if (write_all(out, chunk, (size_t)got))
			goto out;
		sha256_update(&c, chunk, (size_t)got);
		*size += got;
	}
	if (got < 0 || fsync(out))
		goto out;
	sha256_final(&c, md);
	hex_encode(md, sizeof(md), hex);
	rc = 0;
out:
	saved = errno;
	if (out >= 0 && close(out) && rc == 0)
		rc = -1, saved = errno;
	close(in);
	errno = saved;
	return rc;
}

/* dir must not exist (it is made 0700) or be an empty directory (made
 * 0700).  Refusals are printed. */
static int
dir_prepare(const char *dir)
{
	struct dirent *de;
	DIR *d;

	if (mkdir(dir, 0700) == 0)
		return 0;
	d = errno == EEXIST ? opendir(dir) : NULL;
	if (!d) {
		say_errno("backup: cannot create", dir);
		return -1;
	}
	for (de = readdir(d); de; de = readdir(d))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			break;
	closedir(d);
	if (de) {
		fprintf(stderr, "haasctl: backup: refused: %s is not empty\n",
			dir);
		return -1;
	}
	if (chmod(dir, 0700)) {
		say_errno("backup: cannot chmod", dir);
		return -1;
	}
	return 0;
}

static int
subdir_make(const char *dir, const char *sub)
{
	char *path = xasprintf("%s/%s", dir, sub);
	int rc = mkdir(path, 0700);

	if (rc)
		say_errno("backup: cannot create", path);
	free(path);
	return rc;
}

/* A manifest path: relative, no empty, "." or ".." component. */
static bool
rel_ok(const char *rel)
{
	const char *p = rel;

	if (!*rel || *rel == '/')
		return false;
	while (*p) {
		size_t n = strcspn(p, "/");

		if (n == 0 || (n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		p += n;
		if (*p)
			p++;
		if (!*p && p[-1] == '/')
			return false;
	}
	return true;
}

/* The "key_file = path" lines of the configuration file (the last of a
 * key wins, as in config_load), as {key: path}; pid files (haasd's
 * pid_file, the broker's mosquitto_pid_file) name a running process, not
 * state: restoring one would make the scripts signal the wrong process.
 * Caller puts. */
static json_object *
config_files(const char *config_path)
{
	json_object *files = json_object_new_object();
	char line[4096];
	FILE *f = config_path ? fopen(config_path, "r") : NULL;

	if (!f)
		return files;
	while (fgets(line, sizeof(line), f)) {
		char *s = line, *eq, *name, *val;
		size_t n;

		s[strcspn(s, "\r\n")] = '\0';
		eq = strchr(s, '=');
		if (!eq || *s == '#')
			continue;
		*eq = '\0';
		name = s + strspn(s, " \t");
		for (n = strlen(name); n && strchr(" \t", name[n - 1]); n--)
			name[n - 1] = '\0';
		val = eq + 1 + strspn(eq + 1, " \t");
		for (n = strlen(val); n && strchr(" \t", val[n - 1]); n--)
			val[n - 1] = '\0';
		n = strlen(name);
		if (n > 5 && !strcmp(name + n - 5, "_file") && *val &&
		    !(n >= 8 && !strcmp(name + n - 8, "pid_file")) &&
		    !strchr(name, '/'))
			json_object_object_add(files, name,
					       json_object_new_string(val));
	}
	fclose(f);
	return files;
}

/* ------------------------------------------------------------ manifest */

json_object *
backup_manifest_new(const char *version, const char *schema,
		    json_object *migrations, const char *created)
{
	json_object *m = json_object_new_object();

	add_str(m, "kind", "haas-backup");
	json_object_object_add(m, "format", json_object_new_int(FORMAT));
	add_str(m, "haas_version", version);
	add_str(m, "schema_version", schema);
	json_object_object_add(m, "migrations", migrations);
	add_str(m, "created_at", created);
	json_object_object_add(m, "secrets", json_object_new_array());
	json_object_object_add(m, "files", json_object_new_object());
	return m;
}

static void
manifest_put(json_object *m, const char *rel, const char *hex,
	     long long size, mode_t mode)
{
	json_object *files, *f = json_object_new_object();

	json_object_object_get_ex(m, "files", &files);
	json_object_object_add(f, "sha256", json_object_new_string(hex));
	json_object_object_add(f, "size", json_object_new_int64(size));
	json_object_object_add(f, "mode", json_object_new_int((int)mode));
	json_object_object_add(files, rel, f);
}

int
backup_manifest_add(json_object *m, const char *dir, const char *rel)
{
	char *path = xasprintf("%s/%s", dir, rel), hex[65];
	long long size;
	struct stat st;
	int rc = -1;

	if (stat(path, &st) == 0 && backup_file_hash(path, hex, &size) == 0) {
		manifest_put(m, rel, hex, size, st.st_mode & 07777);
		rc = 0;
	}
	free(path);
	return rc;
}

int
backup_manifest_write(json_object *m, const char *dir)
{
	char *tmp = xasprintf("%s/" MANIFEST ".tmp", dir);
	char *path = xasprintf("%s/" MANIFEST, dir);
	const char *text = json_object_to_json_string_ext(
		m, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
	int fd, rc = -1;

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		goto out;
	if (write_all(fd, text, strlen(text)) || write_all(fd, "\n", 1) ||
	    fsync(fd)) {
		close(fd);
		goto out;
	}
	if (close(fd) == 0 && rename(tmp, path) == 0)
		rc = 0;
out:
	if (rc)
		unlink(tmp);
	free(tmp);
	free(path);
	return rc;
}

/* One listed file: a regular file at a safe path, as big and with the
 * digest the manifest says.  0, or -1 with err filled. */
static int
verify_file(const char *dir, const char *rel, json_object *f, char *err,
	    size_t len)
{
	json_object *jsha = NULL, *jsize = NULL;
	char *path, hex[65];
	long long size;
	struct stat st;
	int rc = -1;

	if (!rel_ok(rel)) {
		snprintf(err, len, "the manifest lists a bad path \"%s\"", rel);
		return -1;
	}
	json_object_object_get_ex(f, "sha256", &jsha);
	json_object_object_get_ex(f, "size", &jsize);
	path = xasprintf("%s/%s", dir, rel);
	if (lstat(path, &st) || !S_ISREG(st.st_mode))
		snprintf(err, len, "%s is missing (an incomplete snapshot)",
			 rel);
	else if (backup_file_hash(path, hex, &size))
		snprintf(err, len, "cannot read %s: %s", rel, strerror(errno));
	else if (!jsha || !jsize || size != json_object_get_int64(jsize) ||
		 strcmp(hex, json_object_get_string(jsha)))
		snprintf(err, len, "%s does not match its checksum in the "
			 "manifest (a damaged or altered snapshot)", rel);
	else
		rc = 0;
	free(path);
	return rc;
}

/* A non-empty list of migration names, each a plain file name. */
static int
migrations_check(json_object *m, char *err, size_t len)
{
	json_object *v = NULL;
	size_t i, n;

	if (!json_object_object_get_ex(m, "migrations", &v) ||
	    !json_object_is_type(v, json_type_array) ||
	    json_object_array_length(v) == 0) {
		snprintf(err, len, "the manifest names no migrations");
		return -1;
	}
	n = json_object_array_length(v);
	for (i = 0; i < n; i++) {
		const char *name = json_object_get_string(
			json_object_array_get_idx(v, i));

		if (!name || !*name || strchr(name, '/') || *name == '.') {
			snprintf(err, len, "a bad migration name");
			return -1;
		}
	}
	return 0;
}

/* The snapshot's own facts: kind, format, migrations, and that every
 * file restore reads is a listed one. */
static int
verify_shape(json_object *m, json_object *files, char *err, size_t len)
{
	json_object *v = NULL, *secrets = NULL;
	size_t i, n;
	const char *kind = get_str(m, "kind");

	if (!kind || strcmp(kind, "haas-backup") ||
	    !json_object_object_get_ex(m, "format", &v) ||
	    json_object_get_int(v) != FORMAT) {
		snprintf(err, len, "not a haas backup of format %d", FORMAT);
		return -1;
	}
	if (migrations_check(m, err, len))
		return -1;
	if (!json_object_object_get_ex(files, DUMP, NULL)) {
		snprintf(err, len, DUMP " is not in the manifest");
		return -1;
	}
	if (json_object_object_get_ex(m, "secrets", &secrets) &&
	    !json_object_is_type(secrets, json_type_array)) {
		snprintf(err, len, "the manifest's secrets are not a list");
		return -1;
	}
	n = secrets ? json_object_array_length(secrets) : 0;
	for (i = 0; i < n; i++) {
		json_object *s = json_object_array_get_idx(secrets, i);
		const char *file = get_str(s, "file");

		if (!file || !json_object_object_get_ex(files, file, NULL)) {
			snprintf(err, len, "a secret is not among the files");
			return -1;
		}
	}
	return 0;
}

json_object *
backup_manifest_verify(const char *dir, char *err, size_t len)
{
	char *path = xasprintf("%s/" MANIFEST, dir);
	json_object *m = NULL, *files = NULL;
	struct stat st;

	if (stat(path, &st)) {
		snprintf(err, len, "%s: %s (a snapshot's manifest is written "
			 "last: an incomplete snapshot?)", path,
			 strerror(errno));
		goto fail;
	}
	m = json_object_from_file(path);
	if (!m || !json_object_object_get_ex(m, "files", &files) ||
	    !json_object_is_type(files, json_type_object)) {
		snprintf(err, len, "%s is not a haas backup manifest", path);
		goto fail;
	}
	if (verify_shape(m, files, err, len))
		goto fail;
	json_object_object_foreach(files, rel, f) {
		if (verify_file(dir, rel, f, err, len))
			goto fail;
	}
	free(path);
	return m;
fail:
	json_object_put(m);
	free(path);
	return NULL;
}

/* ------------------------------------------------------------ mariadb */

/* A private directory with the client option file: haasd's credentials
 * from database_url, so the tools connect exactly as haasd does. */
struct creds {
	char *dir;
	char *file;
};

static void
opt_line(struct buf *b, const char *name, const char *v)
{
	buf_addf(b, "%s=\"", name);
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			buf_add(b, "\\", 1);
		buf_add(b, v, 1);
	}
	buf_adds(b, "\"\n");
}

static void
creds_release(struct creds *c)
{
	if (c->file)
		unlink(c->file);
	if (c->dir)
		rmdir(c->dir);
	free(c->file);
	free(c->dir);
	c->file = c->dir = NULL;
}

static int
creds_init(struct creds *c, const struct config *cfg)
{
	const char *tmp = getenv("TMPDIR");
	struct buf b = { 0 };
	int fd, rc = -1;

	c->dir = xasprintf("%s/haasctl.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	c->file = NULL;
	if (!mkdtemp(c->dir)) {
		say_errno("cannot create a private directory in", c->dir);
		free(c->dir);
		c->dir = NULL;
		return -1;
	}
	c->file = xasprintf("%s/client.cnf", c->dir);
	buf_adds(&b, "[client]\n");
	opt_line(&b, "user", cfg->db_user ? cfg->db_user : "");
	if (cfg->db_password && *cfg->db_password)
		opt_line(&b, "password", cfg->db_password);
	if (cfg->db_socket) {
		opt_line(&b, "socket", cfg->db_socket);
	} else {
		opt_line(&b, "host", cfg->db_host ? cfg->db_host : "localhost");
		buf_addf(&b, "port=%lld\nprotocol=TCP\n", cfg->db_port);
	}
	fd = open(c->file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd >= 0 && write_all(fd, b.s, b.len) == 0 && close(fd) == 0)
		rc = 0;
	else if (fd >= 0)
		close(fd);
	if (rc)
		say_errno("cannot write", c->file);
	buf_release(&b);
	return rc;
}

/* Runs argv (argv[0] found on PATH, no shell) with stdin from in_fd and
 * stdout into out_fd (-1: ours) and waits.  0 when it exited 0. */
static int
run(char *const argv[], int in_fd, int out_fd)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int rc, status;

	if (posix_spawn_file_actions_init(&fa))
		return -1;
	if (in_fd >= 0)
		posix_spawn_file_actions_adddup2(&fa, in_fd, 0);
	if (out_fd >= 0)
		posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc) {
		fprintf(stderr, "haasctl: cannot run %s: %s\n", argv[0],
			strerror(rc));
		return -1;
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		fprintf(stderr, "haasctl: %s failed with exit status %d\n",
			argv[0], WEXITSTATUS(status));
	else
		fprintf(stderr, "haasctl: %s died of signal %d\n", argv[0],
			WTERMSIG(status));
	return -1;
}

/* mariadb-dump of the whole database in one transaction (a consistent
 * snapshot while haasd writes; InnoDB only) into dir/database.sql. */
static int
dump_database(const struct config *cfg, const struct creds *c,
	      const char *dir)
{
	char *opt = xasprintf("--defaults-file=%s", c->file);
	char *path = xasprintf("%s/" DUMP, dir);
	char *argv[] = {
		"mariadb-dump", opt, "--single-transaction", "--quick",
		"--skip-lock-tables", "--routines", "--triggers", "--events",
		"--hex-blob", "--no-tablespaces", "--skip-dump-date",
		"--default-character-set=utf8mb4", "--", cfg->db_name, NULL,
	};
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	int rc = -1;

	if (fd < 0) {
		say_errno("backup: cannot create", path);
		goto out;
	}
	rc = run(argv, -1, fd);
	if (fsync(fd))
		rc = -1;
	close(fd);
out:
	free(opt);
	free(path);
	return rc;
}

/* Feeds the file at path to the mariadb client (on database db_name, or
 * none when NULL).  --comments: the client strips comments by default,
 * also inside routine bodies, which would then differ from the source. */
static int
mariadb_feed(const struct creds *c, const char *db_name, const char *path)
{
	char *opt = xasprintf("--defaults-file=%s", c->file);
	char *argv[] = { "mariadb", opt, "--batch", "--comments",
			 "--default-character-set=utf8mb4",
			 (char *)db_name, NULL };
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = -1;

	if (fd < 0) {
		say_errno("restore: cannot open", path);
	} else {
		rc = run(argv, fd, -1);
		close(fd);
	}
	free(opt);
	return rc;
}

/* ------------------------------------------------------------ backup */

/* Every applied migration, in order, and the database's character set,
 * into the new manifest *m. */
static int
schema_read(struct db *db, const struct config *cfg, json_object **m)
{
	json_object *migs = json_object_new_array(), *d;
	struct db_rows *rows;
	const char *last = NULL;
	char created[32];
	time_t now = time(NULL);
	struct tm tm;

	if (db_query(db, sql[Q_MIGRATIONS], DB_NONE, 1, &rows) != ERR_OK) {
		fprintf(stderr, "haasctl: backup: cannot read schema_migrations"
			" of database %s\n", cfg->db_name);
		json_object_put(migs);
		return -1;
	}
	while (db_next(rows))
		json_object_array_add(migs,
				      json_object_new_string(db_col(rows, 0)));
	db_rows_free(rows);
	if (json_object_array_length(migs))
		last = json_object_get_string(json_object_array_get_idx(
			migs, json_object_array_length(migs) - 1));
	if (!last) {
		fprintf(stderr, "haasctl: backup: database %s has no migration"
			" applied\n", cfg->db_name);
		json_object_put(migs);
		return -1;
	}
	gmtime_r(&now, &tm);
	strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", &tm);
	*m = backup_manifest_new(PACKAGE_VERSION, last, migs, created);
	d = json_object_new_object();
	json_object_object_add(d, "name", json_object_new_string(cfg->db_name));
	if (db_query(db, sql[Q_CHARSET], DB_NONE, 2, &rows) == ERR_OK) {
		if (db_next(rows)) {
			json_object_object_add(d, "charset",
				json_object_new_string(db_col(rows, 0)));
			json_object_object_add(d, "collation",
				json_object_new_string(db_col(rows, 1)));
		}
		db_rows_free(rows);
	}
	json_object_object_add(*m, "database", d);
	return 0;
}

/* Copies src into dir/rel (0600) and lists it. */
static int
take_file(json_object *m, const char *src, const char *dir, const char *rel)
{
	char *dst = xasprintf("%s/%s", dir, rel), hex[65];
	long long size;
	mode_t mode;
	int rc = copy_file(src, dst, 0600, hex, &size, &mode);

	if (rc == 0)
		manifest_put(m, rel, hex, size, mode);
	free(dst);
	return rc;
}

/* Each finished document in upload_dir (not the *.part being written). */
static int
take_uploads(json_object *m, const struct config *cfg, const char *dir,
	     int *count)
{
	DIR *d = opendir(cfg->upload_dir);
	struct dirent *de;
	int rc = 0;

	if (!d) {
		say_errno("backup: cannot open upload_dir", cfg->upload_dir);
		return -1;
	}
	for (de = readdir(d); rc == 0 && de; de = readdir(d)) {
		size_t n = strlen(de->d_name);
		char *src, *rel;

		if (de->d_name[0] == '.' ||
		    (n > 5 && !strcmp(de->d_name + n - 5, ".part")))
			continue;
		src = xasprintf("%s/%s", cfg->upload_dir, de->d_name);
		rel = xasprintf("uploads/%s", de->d_name);
		rc = take_file(m, src, dir, rel);
		/* Gone meanwhile, or not a regular file: not a document. */
		if (rc && (errno == ENOENT || errno == EINVAL ||
			   errno == ELOOP))
			rc = 0;
		else if (rc)
			say_errno("backup: cannot copy", src);
		else
			(*count)++;
		free(src);
		free(rel);
	}
	closedir(d);
	return rc;
}

/* The files the configuration names (*_file keys) and the file itself. */
static int
take_config(json_object *m, const char *config_path, const char *dir)
{
	json_object *files = config_files(config_path), *secrets;
	int rc = 0;

	json_object_object_get_ex(m, "secrets", &secrets);
	json_object_object_foreach(files, key, jpath) {
		const char *src = json_object_get_string(jpath);
		char *rel = xasprintf("secrets/%s", key);
		json_object *s;

		if (take_file(m, src, dir, rel) == 0) {
			s = json_object_new_object();
			add_str(s, "key", key);
			add_str(s, "source", src);
			add_str(s, "file", rel);
			json_object_array_add(secrets, s);
		} else if (errno != ENOENT) {
			say_errno("backup: cannot copy", src);
			rc = -1;
		}
		free(rel);
	}
	json_object_put(files);
	if (rc == 0 && config_path && access(config_path, F_OK) == 0) {
		rc = take_file(m, config_path, dir, CONFIG_COPY);
		if (rc)
			say_errno("backup: cannot copy", config_path);
		json_object_object_add(m, "config_path",
				       json_object_new_string(config_path));
	}
	return rc;
}

/* The order makes the pair consistent: the dump first, then the uploads,
 * so every document the dump refers to was renamed into place before its
 * row committed and is copied; a document added later is extra, and
 * harmless. */
enum backup_rc
backup_create(const struct config *cfg, const char *config_path,
	      const char *dir)
{
	struct creds c = { 0 };
	json_object *m = NULL;
	struct db *db = NULL;
	enum backup_rc rc = BACKUP_REFUSED;
	size_t nsecrets;
	int uploads = 0;

	if (dir_prepare(dir))
		goto out;
	rc = BACKUP_FAILED;
	db = db_new(cfg);
	if (schema_read(db, cfg, &m) || creds_init(&c, cfg))
		goto out;
	if (dump_database(cfg, &c, dir) || backup_manifest_add(m, dir, DUMP))
		goto out;
	if (subdir_make(dir, "uploads") || subdir_make(dir, "secrets") ||
	    subdir_make(dir, "config"))
		goto out;
	if (take_uploads(m, cfg, dir, &uploads) ||
	    take_config(m, config_path, dir))
		goto out;
	if (backup_manifest_write(m, dir)) {
		say_errno("backup: cannot write the manifest in", dir);
		goto out;
	}
	nsecrets = json_object_array_length(json_object_object_get(m,
								   "secrets"));
	printf("backup of %s (schema %s) in %s: database, %d upload%s, "
	       "%zu secret file%s, configuration\n", cfg->db_name,
	       get_str(m, "schema_version"), dir, uploads,
	       uploads == 1 ? "" : "s", nsecrets, nsecrets == 1 ? "" : "s");
	rc = BACKUP_OK;
out:
	if (rc == BACKUP_FAILED)
		fprintf(stderr, "haasctl: backup failed; %s has no manifest "
			"and is not a snapshot\n", dir);
	creds_release(&c);
	db_free(db);
	json_object_put(m);
	return rc;
}

/* ------------------------------------------------------------ restore */

/* Refuses a snapshot with a migration this haasctl does not have. */
static int
schema_check(const struct config *cfg, json_object *m)
{
	json_object *migs = json_object_object_get(m, "migrations");
	size_t i, n = json_object_array_length(migs);
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++) {
		const char *v = json_object_get_string(
			json_object_array_get_idx(migs, i));
		char *path = xasprintf("%s/%s", cfg->sql_dir, v);

		if (access(path, F_OK)) {
			fprintf(stderr, "haasctl: restore: refused: the "
				"snapshot's schema is newer than this haasctl "
				"(migration %s is not in %s); nothing was "
				"changed\n", v, cfg->sql_dir);
			rc = -1;
		}
		free(path);
	}
	return rc;
}

/* An empty database, or with force one that nobody else uses. */
static int
target_check(const struct config *cfg, bool force)
{
	struct db *db = db_new(cfg);
	long long objects = 0, others = 0;
	int rc = -1;

	if (db_query_int(db, sql[Q_OBJECTS], DB_NONE, ERR_OK, &objects) ||
	    db_query_int(db, sql[Q_OTHERS], DB_NONE, ERR_OK, &others)) {
		fprintf(stderr, "haasctl: restore: cannot inspect database %s"
			"; nothing was changed\n", cfg->db_name);
		goto out;
	}
	if (objects && !force) {
		fprintf(stderr, "haasctl: restore: refused: database %s is not"
			" empty (%lld tables, routines and events); restore "
			"into an empty database, or stop the service and use "
			"--force to replace it; nothing was changed\n",
			cfg->db_name, objects);
		goto out;
	}
	if (objects && others) {
		fprintf(stderr, "haasctl: restore: refused: %lld other "
			"session%s of the account use%s the database (haasd, "
			"haas-notifyd or haas-ingestd running?); stop them "
			"first; nothing was changed\n", others,
			others == 1 ? "" : "s", others == 1 ? "s" : "");
		goto out;
	}
	rc = 0;
out:
	db_free(db);
	return rc;
}

/* An identifier for SQL text (backquoted, backquotes doubled): the one
 * place a name, not a value, goes into a statement, which binds cannot. */
static void
ident(struct buf *b, const char *s)
{
	buf_add(b, "`", 1);
	for (; *s; s++) {
		if (*s == '`')
			buf_add(b, "`", 1);
		buf_add(b, s, 1);
	}
	buf_add(b, "`", 1);
}

static bool
charset_name_ok(const char *s)
{
	return s && *s && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") ==
		strlen(s);
}

/* --force: drops the database and creates it empty again, so nothing of
 * the old data mixes with the snapshot's. */
static int
database_recreate(const struct config *cfg, const struct creds *c,
		  json_object *m)
{
	json_object *d = json_object_object_get(m, "database");
	const char *cs = get_str(d, "charset"), *co = get_str(d, "collation");
	char *path = xasprintf("%s/recreate.sql", c->dir);
	struct buf b = { 0 };
	int fd, rc = -1;

	buf_adds(&b, "DROP DATABASE IF EXISTS ");
	ident(&b, cfg->db_name);
	buf_adds(&b, ";\nCREATE DATABASE ");
	ident(&b, cfg->db_name);
	if (charset_name_ok(cs) && charset_name_ok(co))
		buf_addf(&b, " CHARACTER SET %s COLLATE %s", cs, co);
	buf_adds(&b, ";\n");
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd >= 0 && write_all(fd, b.s, b.len) == 0 && close(fd) == 0)
		rc = mariadb_feed(c, NULL, path);
	else if (fd >= 0)
		close(fd);
	unlink(path);
	free(path);
	buf_release(&b);
	return rc;
}

/* Run as root, tmp takes the owner of dst if it exists, else of the
 * directory dst is in. */
static int
owner_take(const char *tmp, const char *dst)
{
	char *parent = xstrdup(dst), *slash = strrchr(parent, '/');
	struct stat st;
	int rc = 0;

	if (slash == parent)
		parent[1] = '\0';	/* "/f": the root */
	else if (slash)
		*slash = '\0';
	if (geteuid() == 0 &&
	    (stat(dst, &st) == 0 || stat(slash ? parent : ".", &st) == 0))
		rc = chown(tmp, st.st_uid, st.st_gid);
	free(parent);
	return rc;
}

/* Installs the snapshot's dir/rel at dst by a temporary name and a
 * rename, with the mode the manifest lists and the owner of what it
 * replaces (owner_take). */
static int
install_file(const char *dir, const char *rel, json_object *m,
	     const char *dst)
{
	json_object *f = json_object_object_get(
		json_object_object_get(m, "files"), rel);
	mode_t mode = (mode_t)json_object_get_int(
		json_object_object_get(f, "mode")) & 0777;
	const char *want = get_str(f, "sha256");
	char *src = xasprintf("%s/%s", dir, rel);
	char *tmp = xasprintf("%s.haasctl-restore", dst), hex[65];
	long long size;
	mode_t src_mode;
	int rc;

	unlink(tmp);
	rc = copy_file(src, tmp, mode ? mode : 0600, hex, &size, &src_mode);
	/* What is installed is what was verified, even if the snapshot
	 * changed since. */
	if (rc == 0 && (!want || strcmp(hex, want))) {
		errno = EINVAL;
		rc = -1;
	}
	if (rc == 0)
		rc = owner_take(tmp, dst);
	if (rc == 0)
		rc = chmod(tmp, mode ? mode : 0600);
	if (rc == 0)
		rc = rename(tmp, dst);
	if (rc) {
		say_errno("restore: cannot install", dst);
		unlink(tmp);
	}
	free(src);
	free(tmp);
	return rc;
}

static int
restore_uploads(const struct config *cfg, const char *dir, json_object *m,
		int *count)
{
	json_object *files = json_object_object_get(m, "files");
	int rc = 0;

	json_object_object_foreach(files, rel, f) {
		char *dst;

		(void)f;
		if (strncmp(rel, "uploads/", 8) || strchr(rel + 8, '/'))
			continue;
		dst = xasprintf("%s/%s", cfg->upload_dir, rel + 8);
		rc = install_file(dir, rel, m, dst);
		free(dst);
		if (rc)
			return rc;
		(*count)++;
	}
	return 0;
}

/* --force: the documents in upload_dir the snapshot does not have.  They
 * belonged to the database just replaced: no row names them any more, and
 * identity documents are not kept without a reason. */
static int
uploads_prune(const struct config *cfg, json_object *m, int *count)
{
	json_object *files = json_object_object_get(m, "files");
	DIR *d = opendir(cfg->upload_dir);
	struct dirent *de;
	int rc = 0;

	if (!d)
		return errno == ENOENT ? 0 : -1;
	for (de = readdir(d); de; de = readdir(d)) {
		char *rel, *path;
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		rel = xasprintf("uploads/%s", de->d_name);
		path = xasprintf("%s/%s", cfg->upload_dir, de->d_name);
		if (!json_object_object_get_ex(files, rel, NULL) &&
		    lstat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			if (unlink(path) == 0) {
				(*count)++;
			} else {
				say_errno("restore: cannot remove", path);
				rc = -1;
			}
		}
		free(rel);
		free(path);
	}
	closedir(d);
	return rc;
}

/* Each secret into the path the configuration (as it is now) names for
 * its key; a key it does not name is skipped, said on stderr. */
static int
restore_secrets(const char *config_path, const char *dir, json_object *m,
		int *count)
{
	json_object *secrets = json_object_object_get(m, "secrets");
	json_object *files = config_files(config_path), *to;
	size_t i, n = secrets ? json_object_array_length(secrets) : 0;
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++) {
		json_object *s = json_object_array_get_idx(secrets, i);
		const char *key = json_object_get_string(
			json_object_object_get(s, "key"));

		if (!key || !json_object_object_get_ex(files, key, &to)) {
			fprintf(stderr, "haasctl: restore: %s not restored: "
				"the configuration names no %s\n",
				key ? key : "?", key ? key : "?");
			continue;
		}
		rc = install_file(dir, json_object_get_string(
			json_object_object_get(s, "file")), m,
			json_object_get_string(to));
		if (rc == 0)
			(*count)++;
	}
	json_object_put(files);
	return rc;
}

static int
restore_database(const struct config *cfg, const char *dir, json_object *m,
		 bool force)
{
	struct creds c = { 0 };
	char *dump = xasprintf("%s/" DUMP, dir);
	int rc = creds_init(&c, cfg);

	if (rc == 0 && force)
		rc = database_recreate(cfg, &c, m);
	if (rc == 0)
		rc = mariadb_feed(&c, cfg->db_name, dump);
	creds_release(&c);
	free(dump);
	return rc;
}

/* --with-config, then --with-secrets (into the paths of the configuration
 * as restored). */
static int
restore_extras(const char *config_path, const char *dir, json_object *m,
	       const struct backup_restore_opts *o)
{
	json_object *files = json_object_object_get(m, "files");
	int secrets = 0;

	if (o->config && config_path &&
	    json_object_object_get_ex(files, CONFIG_COPY, NULL)) {
		if (install_file(dir, CONFIG_COPY, m, config_path))
			return -1;
		printf("configuration restored into %s\n", config_path);
	}
	if (o->secrets) {
		if (restore_secrets(config_path, dir, m, &secrets))
			return -1;
		printf("%d secret file%s restored\n", secrets,
		       secrets == 1 ? "" : "s");
	}
	return 0;
}

/* The migrations a snapshot of an older haas lacks. */
static int
restore_migrate(const struct config *cfg)
{
	struct db *db = db_new(cfg);
	int applied = 0;
	enum err e = migrate_run(db, cfg->sql_dir, &applied);

	db_free(db);
	if (e != ERR_OK) {
		fprintf(stderr, "haasctl: restore: the data is back, but a "
			"migration failed; fix it and run haasctl migrate\n");
		return -1;
	}
	printf("%d migration%s applied after the restore\n", applied,
	       applied == 1 ? "" : "s");
	return 0;
}

enum backup_rc
backup_restore(const struct config *cfg, const char *config_path,
	       const char *dir, const struct backup_restore_opts *o)
{
	json_object *m;
	char err[512];
	int uploads = 0;
	enum backup_rc rc = BACKUP_REFUSED;

	m = backup_manifest_verify(dir, err, sizeof(err));
	if (!m) {
		fprintf(stderr, "haasctl: restore: refused: %s; nothing was "
			"changed\n", err);
		return BACKUP_REFUSED;
	}
	if (schema_check(cfg, m) || target_check(cfg, o->force))
		goto out;
	rc = BACKUP_FAILED;
	if (restore_database(cfg, dir, m, o->force))
		goto out;
	printf("database %s loaded from %s (schema %s)\n", cfg->db_name, dir,
	       get_str(m, "schema_version"));
	if (restore_uploads(cfg, dir, m, &uploads))
		goto out;
	printf("%d upload%s restored into %s\n", uploads,
	       uploads == 1 ? "" : "s", cfg->upload_dir);
	uploads = 0;
	if (o->force && uploads_prune(cfg, m, &uploads))
		goto out;
	if (uploads)
		printf("%d document%s the snapshot does not have removed from"
		       " %s\n", uploads, uploads == 1 ? "" : "s",
		       cfg->upload_dir);
	if (restore_extras(config_path, dir, m, o) || restore_migrate(cfg))
		goto out;
	rc = BACKUP_OK;
out:
	if (rc == BACKUP_FAILED)
		fprintf(stderr, "haasctl: restore failed part way; the "
			"installation is incomplete: fix the cause and restore "
			"again with --force\n");
	json_object_put(m);
	return rc;
}

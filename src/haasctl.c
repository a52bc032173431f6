/* haasctl: the operator's console tool: migrate, check-config, user
 * management (add, passwd, set-role) with passwords read from stdin, and
 * backup and restore. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts.h"
#include "app.h"
#include "audit.h"
#include "auth.h"
#include "backup.h"
#include "config.h"
#include "db.h"
#include "migrate.h"
#include "openapi.h"
#include "parking.h"
#include "util.h"

enum haasctl_sql { Q_USER_ID, Q_SET_ROLE };

static const char *const sql[] = {
	[Q_USER_ID] =
		"SELECT id FROM users WHERE (username = ? OR email = ?)"
		" AND status <> 'deleted'",
	[Q_SET_ROLE] = "UPDATE users SET role = ? WHERE id = ?",
};

struct ctl {
	struct config cfg;
	const char *config_path;
	struct db *db;
};

typedef int (*command_fn)(struct ctl *c, int argc, char **argv);

static int
fail(const char *what, enum err e)
{
	fprintf(stderr, "haasctl: %s: %s\n", what, err_message(e));
	return 1;
}

/* Reads one line (the password) from stdin, without its newline. */
static char *
read_password(void)
{
	char line[2048];
	size_t n;

	if (!fgets(line, sizeof(line), stdin))
		return NULL;
	n = strcspn(line, "\r\n");
	line[n] = '\0';
	return n ? xstrdup(line) : NULL;
}

static int
cmd_migrate(struct ctl *c, int argc, char **argv)
{
	int applied = 0;
	enum err e = migrate_run(c->db, c->cfg.sql_dir, &applied);

	if (e != ERR_OK)
		return fail("migrate", e);
	printf("%d migration%s applied\n", applied, applied == 1 ? "" : "s");
	return 0;
}

static int
cmd_seed(struct ctl *c, int argc, char **argv)
{
	int applied = 0;
	enum err e;

	if (argc != 2) {
		fprintf(stderr, "usage: haasctl seed DIR\n");
		return 2;
	}
	e = migrate_seed(c->db, argv[1], &applied);
	if (e != ERR_OK)
		return fail("seed", e);
	printf("%d seed file%s loaded\n", applied, applied == 1 ? "" : "s");
	return 0;
}

static int
cmd_check_config(struct ctl *c, int argc, char **argv)
{
	printf("configuration ok: %s (%d workers, listen %s)\n",
	       c->config_path, config_workers(&c->cfg), c->cfg.listen);
	return 0;
}

static long long
user_id(struct ctl *c, const char *ident)
{
	struct db_rows *rows;
	long long id = 0;

	if (db_query(c->db, sql[Q_USER_ID], DB_P(db_str(ident), db_str(ident)),
		     1, &rows) != ERR_OK)
		return -1;
	if (db_next(rows))
		id = db_col_int(rows, 0);
	db_rows_free(rows);
	return id;
}

static int
cmd_user_add(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "email", required_argument, NULL, 'e' },
		{ "name", required_argument, NULL, 'n' },
		{ "username", required_argument, NULL, 'u' },
		{ "role", required_argument, NULL, 'r' },
		{ 0 },
	};
	struct new_account a = { .role = ROLE_USER };
	long long id;
	char idbuf[32];
	enum err e;
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == 'e')
			a.email = optarg;
		else if (opt == 'n')
			a.name = optarg;
		else if (opt == 'u')
			a.username = optarg;
		else if (opt == 'r')
			a.role = auth_role_parse(optarg);
		else
			return 2;
	}
	if (a.role == ROLE_NONE || (!a.email && !a.username)) {
		fprintf(stderr, "usage: haasctl user add --email E --name N "
			"[--username U] --role admin|operator|user < password\n");
		return 2;
	}
	a.password = read_password();
	if (!a.password)
		return fail("user add", ERR_PASSWORD_WEAK);
	e = accounts_create(c->db, NULL, &a, &id);
	free((char *)a.password);
	if (e != ERR_OK)
		return fail("user add", e);
	snprintf(idbuf, sizeof(idbuf), "%lld", id);
	audit_write(c->db, NULL, 0, "user.create", "user", idbuf,
		    json_object_new_string("haasctl"));
	printf("user %lld created\n", id);
	return 0;
}

static int
cmd_user_passwd(struct ctl *c, int argc, char **argv)
{
	long long id;
	char *pw;
	enum err e;

	if (argc != 2) {
		fprintf(stderr, "usage: haasctl user passwd USERNAME|EMAIL < password\n");
		return 2;
	}
	id = user_id(c, argv[1]);
	if (id <= 0)
		return fail("user passwd", id < 0 ? ERR_DB_DOWN : ERR_USER_NOT_FOUND);
	pw = read_password();
	e = pw ? accounts_check_password(NULL, pw, NULL, NULL) : ERR_PASSWORD_WEAK;
	if (e == ERR_OK)
		e = accounts_set_password(c->db, NULL, id, pw, NULL);
	free(pw);
	if (e != ERR_OK)
		return fail("user passwd", e);
	printf("password changed; every session of the user ended\n");
	return 0;
}

static int
cmd_user_set_role(struct ctl *c, int argc, char **argv)
{
	enum role role = argc == 3 ? auth_role_parse(argv[2]) : ROLE_NONE;
	long long id;
	enum err e;
	char idbuf[32];

	if (role == ROLE_NONE) {
		fprintf(stderr, "usage: haasctl user set-role USERNAME|EMAIL admin|operator|user\n");
		return 2;
	}
	id = user_id(c, argv[1]);
	if (id <= 0)
		return fail("user set-role", id < 0 ? ERR_DB_DOWN : ERR_USER_NOT_FOUND);
	e = db_exec(c->db, sql[Q_SET_ROLE],
		    DB_P(db_str(auth_role_name(role)), db_int(id)), NULL);
	if (e == ERR_OK) {
		snprintf(idbuf, sizeof(idbuf), "%lld", id);
		e = audit_write(c->db, NULL, 0, "user.role_change", "user",
				idbuf, json_object_new_string(argv[2]));
	}
	if (e != ERR_OK)
		return fail("user set-role", e);
	printf("role set to %s\n", argv[2]);
	return 0;
}

/* A sensor's broker account, for sensors installed before their space. */
static int
cmd_sensor_add(struct ctl *c, int argc, char **argv)
{
	char *pw = NULL;
	enum err e;

	if (argc != 2) {
		fprintf(stderr, "usage: haasctl sensor add SENSOR_ID\n");
		return 2;
	}
	e = parking_sensor_id_check(&c->cfg, argv[1]);
	if (e == ERR_OK)
		e = parking_sensor_add(c->db, &c->cfg, argv[1], &pw);
	if (e != ERR_OK)
		return fail("sensor add", e);
	if (!pw) {
		printf("sensor %s already has a broker account\n", argv[1]);
		return 0;
	}
	audit_write(c->db, NULL, 0, "sensor.create", "sensor", argv[1],
		    json_object_new_string("haasctl"));
	printf("sensor %s: broker user %s, password %s (shown once)\n",
	       argv[1], argv[1], pw);
	free(pw);
	return 0;
}

/* The description as GET /api/openapi.json answers it, for `make` to
 * ship and for linters. */
static int
cmd_openapi(struct ctl *c, int argc, char **argv)
{
	const char *bad;
	json_object *doc;

	(void)c;
	if (argc > 2) {
		fprintf(stderr, "usage: haasctl openapi [SERVER_URL]\n");
		return 2;
	}
	doc = openapi_document(argc == 2 ? argv[1] : "https://localhost:8443",
			       PACKAGE_VERSION, &bad);
	if (!doc) {
		fprintf(stderr, "haasctl openapi: a reply does not parse: %s\n",
			bad);
		return 1;
	}
	puts(json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
					    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(doc);
	return 0;
}

/* A snapshot of the running installation (src/backup.c). */
static int
cmd_backup(struct ctl *c, int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: haasctl backup DIR\n");
		return 2;
	}
	return (int)backup_create(&c->cfg, c->config_path, argv[1]);
}

static int
cmd_restore(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "with-secrets", no_argument, NULL, 's' },
		{ "with-config", no_argument, NULL, 'C' },
		{ 0 },
	};
	struct backup_restore_opts o = { 0 };
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == 'f')
			o.force = true;
		else if (opt == 's')
			o.secrets = true;
		else if (opt == 'C')
			o.config = true;
		else
			return 2;
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: haasctl restore [--force] "
			"[--with-secrets] [--with-config] DIR\n");
		return 2;
	}
	return (int)backup_restore(&c->cfg, c->config_path, argv[optind], &o);
}

struct command {
	const char *name;
	const char *sub;
	command_fn fn;
	bool needs_db;
	bool no_config;		/* runs without a configuration */
};

static const struct command commands[] = {
	{ "migrate", NULL, cmd_migrate, true },
	{ "seed", NULL, cmd_seed, true },
	{ "check-config", NULL, cmd_check_config, false },
	{ "user", "add", cmd_user_add, true },
	{ "user", "passwd", cmd_user_passwd, true },
	{ "user", "set-role", cmd_user_set_role, true },
	{ "sensor", "add", cmd_sensor_add, true },
	{ "openapi", NULL, cmd_openapi, false, true },
	{ "backup", NULL, cmd_backup, false },
	{ "restore", NULL, cmd_restore, false },
};

static void
usage(FILE *out)
{
	fprintf(out,
		"usage: haasctl [-c CONFIG] COMMAND\n"
		"       haasctl --help | --version\n"
		"\n"
		"  migrate                 apply pending sql/ migrations\n"
		"  seed DIR                load every DIR/*.sql (idempotent demo data)\n"
		"  check-config            validate the configuration\n"
		"  user add --email E --name N [--username U] --role R  (password on stdin)\n"
		"  user passwd USER        (password on stdin)\n"
		"  user set-role USER ROLE\n"
		"  sensor add SENSOR_ID    broker account for a sensor (password printed once)\n"
		"  openapi [SERVER_URL]    print the OpenAPI 3.1 description (servers: SERVER_URL,\n"
		"                          default https://localhost:8443; needs no configuration)\n"
		"  backup DIR              snapshot: database, uploads, secrets, configuration\n"
		"                          and a manifest, into a new or empty DIR\n"
		"  restore [--force] [--with-secrets] [--with-config] DIR\n"
		"                          verify the snapshot in DIR and load it into an empty\n"
		"                          database (--force: replace a stopped installation's)\n"
		"\n"
		"  -c, --config CONFIG     configuration file (default:\n"
		"                          $HAAS_CONFIG, else " HAAS_CONF_DEFAULT ")\n"
		"  -h, --help              show this help\n"
		"  -V, --version           show the version\n");
}

static const struct command *
find_command(int argc, char **argv)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(commands); i++) {
		if (strcmp(commands[i].name, argv[0]))
			continue;
		if (!commands[i].sub ||
		    (argc > 1 && !strcmp(commands[i].sub, argv[1])))
			return &commands[i];
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	const char *path;
	const struct command *cmd;
	struct ctl c = { 0 };
	char err[512];
	int rc = config_cli(argc, argv, "haasctl", usage, &path);

	if (rc >= 0)
		return rc;
	argc -= optind, argv += optind;
	cmd = argc > 0 ? find_command(argc, argv) : NULL;
	if (!cmd) {
		usage(stderr);
		return 2;
	}
	c.config_path = path;
	if (cmd->no_config)
		return cmd->fn(&c, argc, argv);
	if (config_load(&c.cfg, path, err, sizeof(err))) {
		fprintf(stderr, "haasctl: %s\n", err);
		return 2;
	}
	if (cmd->needs_db)
		c.db = db_new(&c.cfg);
	if (cmd->sub)
		argc--, argv++;
	rc = cmd->fn(&c, argc, argv);
	db_free(c.db);
	config_release(&c.cfg);
	return rc;
}

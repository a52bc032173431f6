/* config: table-driven parsing of haas.conf and HAAS_* environment keys. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

#ifndef HAAS_SQL_DIR
#define HAAS_SQL_DIR "/usr/local/share/haas/sql"
#endif
#ifndef HAAS_TEMPLATE_DIR
#define HAAS_TEMPLATE_DIR "/usr/local/etc/haas/templates"
#endif
#ifndef HAAS_CONF_DEFAULT
#define HAAS_CONF_DEFAULT "/usr/local/etc/haas/haas.conf"
#endif

enum key_type { KEY_STR, KEY_INT, KEY_OCTAL };

struct key {
	const char *name;
	enum key_type type;
	size_t off;
	const char *def;	/* NULL: required (strings) */
	long long min, max;
	const char *env_alias;	/* a second env name, e.g. the seed's */
};

#define STR(n, d) { #n, KEY_STR, offsetof(struct config, n), d, 0, 0, NULL }
#define INT(n, d, lo, hi) \
	{ #n, KEY_INT, offsetof(struct config, n), #d, lo, hi, NULL }

static const struct key keys[] = {
	STR(listen, "/run/haas/haasd.sock"),
	STR(health_listen, ""),
	{ "socket_mode", KEY_OCTAL, offsetof(struct config, socket_mode),
	  "0660", 0, 0777, NULL },
	STR(socket_group, ""),
	INT(workers, 0, 0, 256),
	INT(drain_timeout, 10, 1, 600),
	STR(pid_file, ""),
	INT(request_log, 1, 0, 1),
	INT(max_body_bytes, 1048576, 1024, 1073741824),
	INT(upload_max_bytes, 5242880, 1024, 1073741824),
	INT(json_max_depth, 32, 2, 1000),
	STR(sql_dir, HAAS_SQL_DIR),
	STR(upload_dir, "/var/lib/haas/uploads"),
	STR(database_url, NULL),
	INT(db_connect_timeout, 2, 1, 60),
	INT(db_lock_wait_timeout, 5, 1, 3600),
	INT(fault_injection, 0, 0, 1),
	{ "jwt_secret_key", KEY_STR, offsetof(struct config, jwt_secret_key),
	  NULL, 0, 0, "JWT_SECRET_KEY" },
	{ "jwt_access_token_expires", KEY_INT,
	  offsetof(struct config, jwt_access_token_expires), "3600", 1,
	  31536000, "JWT_ACCESS_TOKEN_EXPIRES" },
	{ "jwt_refresh_token_expires", KEY_INT,
	  offsetof(struct config, jwt_refresh_token_expires), "86400", 1,
	  31536000, "JWT_REFRESH_TOKEN_EXPIRES" },
	STR(jwt_issuer, "haas"),
	INT(lockout_threshold, 5, 1, 1000),
	INT(lockout_window, 900, 1, 86400),
	INT(lockout_duration, 900, 1, 86400),
	INT(registration_ttl_days, 14, 1, 3650),
	INT(idempotency_ttl, 86400, 60, 31536000),
	STR(timezone, "UTC"),
	INT(reservation_max_hours, 8, 1, 8760),
	INT(get_reservation_open, 0, 0, 1),
	STR(mqtt_host, "127.0.0.1"),
	INT(mqtt_port, 1883, 1, 65535),
	STR(mqtt_username, "ingest"),
	STR(mqtt_password, ""),
	INT(sensor_ttl, 120, 1, 86400),
	STR(nchan_publish_url, ""),
	STR(mosquitto_passwd_file, ""),
	STR(mosquitto_pid_file, ""),
	STR(ingest_spool, "/var/lib/haas/ingest.spool"),
	INT(document_retention_days, 30, 0, 3650),
	STR(public_url, "https://localhost:8443"),
	STR(smtp_url, "smtp://127.0.0.1:25"),
	STR(smtp_username, ""),
	STR(smtp_password, ""),
	INT(smtp_starttls, 1, 0, 2),
	STR(mail_from, "haas@localhost"),
	STR(template_dir, HAAS_TEMPLATE_DIR),
	STR(notify_ca_file, ""),
	INT(notify_max_attempts, 8, 1, 100),
	INT(notify_backoff, 30, 1, 86400),
	INT(notify_lease, 120, 2, 3600),
	INT(notify_batch, 32, 1, 1000),
	INT(notify_timeout, 10, 1, 300),
	INT(digest_interval, 86400, 1, 604800),
	INT(reset_token_ttl, 1800, 60, 86400),
	INT(verify_token_ttl, 172800, 60, 2592000),
	INT(reminder_lead, 900, 1, 86400),
	INT(due_soon_lead, 86400, 1, 2592000),
};

/* Where a key's value came from, so that an error names the setting the
 * way the operator spelled it: workers, workers_file, HAAS_WORKERS,
 * HAAS_WORKERS_FILE or the seed's own name (JWT_SECRET_KEY). */
enum origin { FROM_DEFAULT, FROM_FILE, FROM_FILE_SECRET, FROM_ENV,
	      FROM_ENV_FILE, FROM_ENV_ALIAS };

/* One config_load: the config being filled, each key's origin, and where
 * the one error line goes. */
struct loader {
	struct config *cfg;
	enum origin from[ARRAY_SIZE(keys)];
	char *err;
	size_t errlen;
};

static void
fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static const struct key *
key_find(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(keys); i++)
		if (strlen(keys[i].name) == len &&
		    !strncmp(keys[i].name, name, len))
			return &keys[i];
	return NULL;
}

/* HAAS_<KEY><suffix> into buf. */
static const char *
env_name(const struct key *k, const char *suffix, char *buf, size_t len)
{
	size_t i;

	snprintf(buf, len, "HAAS_%s%s", k->name, suffix);
	for (i = 5; buf[i]; i++)
		buf[i] = (char)toupper((unsigned char)buf[i]);
	return buf;
}

/* The name under which k's value was given (buf holds it if needed). */
static const char *
key_label(const struct key *k, enum origin from, char *buf, size_t len)
{
	switch (from) {
	case FROM_FILE_SECRET:
		snprintf(buf, len, "%s_file", k->name);
		return buf;
	case FROM_ENV:
		return env_name(k, "", buf, len);
	case FROM_ENV_FILE:
		return env_name(k, "_FILE", buf, len);
	case FROM_ENV_ALIAS:
		return k->env_alias;
	default:
		return k->name;
	}
}

static const char *
loaded_label(const struct loader *ld, const struct key *k, char *buf,
	     size_t len)
{
	return key_label(k, ld->from[k - keys], buf, len);
}

static const struct key *
key_at(size_t off)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(keys); i++)
		if (keys[i].off == off)
			return &keys[i];
	return NULL;
}

/* An error about the key at offsetof(struct config, ...) off, named as
 * its value was given. */
static void
fail_key(struct loader *ld, size_t off, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
fail_key(struct loader *ld, size_t off, const char *fmt, ...)
{
	char label[128], msg[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fail(ld->err, ld->errlen, "%s: %s",
	     loaded_label(ld, key_at(off), label, sizeof(label)), msg);
}

/* Parses val into k's slot and records its origin. */
static int
key_set(struct loader *ld, const struct key *k, const char *val,
	enum origin from)
{
	char *base = (char *)ld->cfg, buf[128];
	const char *label;
	long long v;
	char *end;

	ld->from[k - keys] = from;
	if (k->type == KEY_STR) {
		char **slot = (char **)(base + k->off);

		free(*slot);
		*slot = xstrdup(val);
		return 0;
	}
	label = key_label(k, from, buf, sizeof(buf));
	if (k->type == KEY_OCTAL) {
		errno = 0;
		v = strtoll(val, &end, 8);
		if (errno || !*val || *end || v < k->min || v > k->max) {
			fail(ld->err, ld->errlen,
			     "%s: expected an octal mode such as 0660", label);
			return -1;
		}
	} else if (parse_ll(val, k->min, k->max, &v)) {
		fail(ld->err, ld->errlen,
		     "%s: expected an integer from %lld to %lld, got \"%s\"",
		     label, k->min, k->max, val);
		return -1;
	}
	*(long long *)(base + k->off) = v;
	return 0;
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* Reads a whole (small) file, dropping one trailing newline.  Caller frees. */
static char *
read_secret_file(const char *path)
{
	struct buf b = { 0 };
	char chunk[512];
	size_t n;
	FILE *f = fopen(path, "r");

	if (!f)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && b.len < 65536)
		buf_add(&b, chunk, n);
	fclose(f);
	if (!b.s)
		return xstrdup("");
	while (b.len && (b.s[b.len - 1] == '\n' || b.s[b.len - 1] == '\r'))
		b.s[--b.len] = '\0';
	return b.s;
}

/* Loads k's value from the file at path (a "<key>_file" setting). */
static int
secret_set(struct loader *ld, const struct key *k, const char *path,
	   enum origin from)
{
	char label[128], *secret;
	int rc;

	secret = read_secret_file(path);
	if (!secret) {
		fail(ld->err, ld->errlen, "%s: cannot read %s: %s",
		     key_label(k, from, label, sizeof(label)), path,
		     strerror(errno));
		return -1;
	}
	rc = key_set(ld, k, secret, from);
	free(secret);
	return rc;
}

/* One "name = val" line of the file; "key_file = path" loads the secret
 * from path into "key". */
static int
line_apply(struct loader *ld, const char *name, const char *val)
{
	size_t nlen = strlen(name);
	const struct key *k = key_find(name, nlen);

	if (k)
		return key_set(ld, k, val, FROM_FILE);
	if (nlen > 5 && !strcmp(name + nlen - 5, "_file")) {
		k = key_find(name, nlen - 5);
		if (k && k->type == KEY_STR)
			return secret_set(ld, k, val, FROM_FILE_SECRET);
	}
	fail(ld->err, ld->errlen, "%s: unknown configuration key", name);
	return -1;
}

static int
load_file(struct loader *ld, const char *path)
{
	char line[4096];
	int lineno = 0, rc = 0;
	FILE *f = fopen(path, "r");

	if (!f) {
		fail(ld->err, ld->errlen, "config: cannot open %s: %s", path,
		     strerror(errno));
		return -1;
	}
	while (rc == 0 && fgets(line, sizeof(line), f)) {
		char *s = trim(line), *eq;

		lineno++;
		if (!*s || *s == '#')
			continue;
		eq = strchr(s, '=');
		if (!eq) {
			fail(ld->err, ld->errlen,
			     "config: %s:%d: expected key = value", path,
			     lineno);
			rc = -1;
			break;
		}
		*eq = '\0';
		rc = line_apply(ld, trim(s), trim(eq + 1));
	}
	fclose(f);
	return rc;
}

/* HAAS_<KEY> (or the seed's name) and HAAS_<KEY>_FILE for every key. */
static int
load_env(struct loader *ld)
{
	char name[128];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		const struct key *k = &keys[i];
		enum origin from = FROM_ENV;
		const char *v = getenv(env_name(k, "", name, sizeof(name)));

		if (!v && k->env_alias) {
			v = getenv(k->env_alias);
			from = FROM_ENV_ALIAS;
		}
		if (v && key_set(ld, k, v, from))
			return -1;
		if (k->type != KEY_STR)
			continue;
		v = getenv(env_name(k, "_FILE", name, sizeof(name)));
		if (v && secret_set(ld, k, v, FROM_ENV_FILE))
			return -1;
	}
	return 0;
}

/* Percent-decodes s[0..n) into a new string; NULL on a bad escape. */
static char *
url_part(const char *s, size_t n)
{
	char *out = xmalloc(n + 1), *o = out;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n &&
		    isxdigit((unsigned char)s[i + 1]) &&
		    isxdigit((unsigned char)s[i + 2])) {
			char hex[3] = { s[i + 1], s[i + 2], 0 };

			*o++ = (char)strtol(hex, NULL, 16);
			i += 2;
		} else if (s[i] == '%') {
			free(out);
			return NULL;
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	return out;
}

/* mariadb://user:pass@host[:port]/db[?socket=/path] */
static int
parse_database_url(struct loader *ld)
{
	struct config *cfg = ld->cfg;
	const char *u = cfg->database_url, *p, *at, *colon, *slash, *q;
	long long port = 3306;

	if (strncmp(u, "mariadb://", 10) && strncmp(u, "mysql://", 8))
		goto bad;
	p = strstr(u, "://") + 3;
	at = strrchr(p, '@');
	if (!at)
		goto bad;
	colon = memchr(p, ':', (size_t)(at - p));
	slash = strchr(at, '/');
	if (!colon || !slash || slash[1] == '\0' || slash[1] == '?')
		goto bad;
	q = strchr(slash, '?');
	cfg->db_user = url_part(p, (size_t)(colon - p));
	cfg->db_password = url_part(colon + 1, (size_t)(at - colon - 1));
	{
		const char *hp = at + 1, *pc = memchr(hp, ':', (size_t)(slash - hp));

		cfg->db_host = xstrndup(hp, (size_t)((pc ? pc : slash) - hp));
		if (pc) {
			char *ps = xstrndup(pc + 1, (size_t)(slash - pc - 1));
			int bad = parse_ll(ps, 1, 65535, &port);

			free(ps);
			if (bad)
				goto bad;
		}
	}
	cfg->db_port = port;
	cfg->db_name = url_part(slash + 1,
				q ? (size_t)(q - slash - 1) : strlen(slash + 1));
	if (q && !strncmp(q, "?socket=", 8))
		cfg->db_socket = url_part(q + 8, strlen(q + 8));
	else if (q)
		goto bad;
	if (!cfg->db_user || !cfg->db_password || !cfg->db_name ||
	    (q && !cfg->db_socket))
		goto bad;
	return 0;
bad:
	fail_key(ld, offsetof(struct config, database_url),
		 "expected mariadb://user:password@host[:port]/database"
		 "[?socket=/path]");
	return -1;
}

/* socket_group: a group name or number; "" leaves the socket's group as
 * the process's own (socket_gid -1). */
static int
resolve_socket_group(struct loader *ld)
{
	struct config *cfg = ld->cfg;
	const struct group *gr;
	long long gid;

	cfg->socket_gid = -1;
	if (!*cfg->socket_group)
		return 0;
	if (parse_ll(cfg->socket_group, 0, 0x7fffffff, &gid) == 0) {
		cfg->socket_gid = gid;
		return 0;
	}
	gr = getgrnam(cfg->socket_group);
	if (!gr) {
		fail_key(ld, offsetof(struct config, socket_group),
			 "no group named \"%s\"", cfg->socket_group);
		return -1;
	}
	cfg->socket_gid = gr->gr_gid;
	return 0;
}

/* "x: required but not set (x or x_file in the file, HAAS_X or HAAS_X_FILE
 * in the environment)". */
static void
fail_required(struct loader *ld, const struct key *k)
{
	char env[128], env_file[128];

	fail(ld->err, ld->errlen,
	     "%s: required but not set (%s or %s_file in the file, %s%s%s or"
	     " %s in the environment)", k->name, k->name, k->name,
	     env_name(k, "", env, sizeof(env)), k->env_alias ? ", " : "",
	     k->env_alias ? k->env_alias : "",
	     env_name(k, "_FILE", env_file, sizeof(env_file)));
}

static int
validate(struct loader *ld)
{
	struct config *cfg = ld->cfg;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		const struct key *k = &keys[i];

		if (k->type == KEY_STR && !*(char **)((char *)cfg + k->off)) {
			fail_required(ld, k);
			return -1;
		}
	}
	if (strlen(cfg->jwt_secret_key) < 32) {
		fail_key(ld, offsetof(struct config, jwt_secret_key),
			 "must be at least 32 bytes");
		return -1;
	}
	if (!*cfg->listen) {
		fail_key(ld, offsetof(struct config, listen),
			 "must be a socket path or host:port");
		return -1;
	}
	if (strncmp(cfg->public_url, "https://", 8) &&
	    strncmp(cfg->public_url, "http://", 7)) {
		fail_key(ld, offsetof(struct config, public_url),
			 "must start with https:// (or http://)");
		return -1;
	}
	if (strncmp(cfg->smtp_url, "smtp://", 7) &&
	    strncmp(cfg->smtp_url, "smtps://", 8)) {
		fail_key(ld, offsetof(struct config, smtp_url),
			 "must be smtp://HOST[:PORT] or smtps://HOST[:PORT]");
		return -1;
	}
	if (resolve_socket_group(ld))
		return -1;
	return parse_database_url(ld);
}

int
config_load(struct config *cfg, const char *path, char *err, size_t errlen)
{
	struct loader ld = { .cfg = cfg, .err = err, .errlen = errlen };
	size_t i;

	memset(cfg, 0, sizeof(*cfg));
	for (i = 0; i < ARRAY_SIZE(keys); i++)
		if (keys[i].def && key_set(&ld, &keys[i], keys[i].def,
					   FROM_DEFAULT))
			goto fail;
	if (path && load_file(&ld, path))
		goto fail;
	if (load_env(&ld) || validate(&ld))
		goto fail;
	return 0;
fail:
	config_release(cfg);
	return -1;
}

void
config_release(struct config *cfg)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(keys); i++)
		if (keys[i].type == KEY_STR)
			free(*(char **)((char *)cfg + keys[i].off));
	free(cfg->db_user);
	free(cfg->db_password);
	free(cfg->db_host);
	free(cfg->db_name);
	free(cfg->db_socket);
	memset(cfg, 0, sizeof(*cfg));
}

const char *
config_default_path(void)
{
	const char *env = getenv("HAAS_CONFIG");

	return env && *env ? env : HAAS_CONF_DEFAULT;
}

int
config_cli(int argc, char **argv, const char *prog,
	   void (*usage)(FILE *out), const char **path)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	int opt;

	*path = config_default_path();
	while ((opt = getopt_long(argc, argv, "+c:hV", opts, NULL)) != -1) {
		if (opt == 'c') {
			*path = optarg;
		} else if (opt == 'h') {
			usage(stdout);
			return 0;
		} else if (opt == 'V') {
			printf("%s %s\n", prog, PACKAGE_VERSION);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	return -1;
}

int
config_workers(const struct config *cfg)
{
	long n;

	if (cfg->workers > 0)
		return (int)cfg->workers;
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)(2 * n) : 2;
}

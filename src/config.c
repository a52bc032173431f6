/* config: table-driven parsing of haas.conf and HAAS_* environment keys. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
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
	{ "socket_mode", KEY_OCTAL, offsetof(struct config, socket_mode),
	  "0660", 0, 0777, NULL },
	STR(socket_group, ""),
	INT(workers, 0, 0, 256),
	INT(drain_timeout, 10, 1, 600),
	INT(max_body_bytes, 1048576, 1024, 1073741824),
	INT(upload_max_bytes, 5242880, 1024, 1073741824),
	INT(json_max_depth, 32, 2, 1000),
	STR(sql_dir, HAAS_SQL_DIR),
	STR(upload_dir, "/var/lib/haas/uploads"),
	STR(database_url, NULL),
	INT(db_connect_timeout, 2, 1, 60),
	STR(jwt_secret_key, NULL),
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
	INT(document_retention_days, 30, 0, 3650),
};

#define JWT_SECRET_ALIAS "JWT_SECRET_KEY"

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

static int
key_set(struct config *cfg, const struct key *k, const char *val, char *err,
	size_t errlen)
{
	char *base = (char *)cfg;
	long long v;
	char *end;

	if (k->type == KEY_STR) {
		char **slot = (char **)(base + k->off);

		free(*slot);
		*slot = xstrdup(val);
		return 0;
	}
	if (k->type == KEY_OCTAL) {
		errno = 0;
		v = strtoll(val, &end, 8);
		if (errno || !*val || *end || v < k->min || v > k->max) {
			fail(err, errlen, "%s: expected an octal mode such as 0660",
			     k->name);
			return -1;
		}
	} else if (parse_ll(val, k->min, k->max, &v)) {
		fail(err, errlen, "%s: expected an integer from %lld to %lld, got \"%s\"",
		     k->name, k->min, k->max, val);
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

/* "key_file = path" loads the secret from path into "key". */
static int
line_apply(struct config *cfg, const char *name, size_t nlen, const char *val,
	   char *err, size_t errlen)
{
	const struct key *k = key_find(name, nlen);

	if (!k && nlen > 5 && !strncmp(name + nlen - 5, "_file", 5)) {
		char *secret;
		int rc;

		k = key_find(name, nlen - 5);
		if (!k || k->type != KEY_STR)
			goto unknown;
		secret = read_secret_file(val);
		if (!secret) {
			fail(err, errlen, "%.*s: cannot read %s: %s", (int)nlen,
			     name, val, strerror(errno));
			return -1;
		}
		rc = key_set(cfg, k, secret, err, errlen);
		free(secret);
		return rc;
	}
	if (k)
		return key_set(cfg, k, val, err, errlen);
unknown:
	fail(err, errlen, "%.*s: unknown configuration key", (int)nlen, name);
	return -1;
}

static int
load_file(struct config *cfg, const char *path, char *err, size_t errlen)
{
	char line[4096];
	int lineno = 0, rc = 0;
	FILE *f = fopen(path, "r");

	if (!f) {
		fail(err, errlen, "config: cannot open %s: %s", path,
		     strerror(errno));
		return -1;
	}
	while (rc == 0 && fgets(line, sizeof(line), f)) {
		char *s = trim(line), *eq, *name;

		lineno++;
		if (!*s || *s == '#')
			continue;
		eq = strchr(s, '=');
		if (!eq) {
			fail(err, errlen, "config: %s:%d: expected key = value",
			     path, lineno);
			rc = -1;
			break;
		}
		*eq = '\0';
		name = trim(s);
		rc = line_apply(cfg, name, strlen(name), trim(eq + 1), err,
				errlen);
	}
	fclose(f);
	return rc;
}

/* HAAS_<KEY> and HAAS_<KEY>_FILE for every key, plus the seed's aliases. */
static int
load_env(struct config *cfg, char *err, size_t errlen)
{
	char name[128];
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		const struct key *k = &keys[i];
		const char *v;

		snprintf(name, sizeof(name), "HAAS_%s", k->name);
		for (j = 5; name[j]; j++)
			name[j] = (char)toupper((unsigned char)name[j]);
		v = getenv(name);
		if (!v && k->env_alias)
			v = getenv(k->env_alias);
		if (!v && !strcmp(k->name, "jwt_secret_key"))
			v = getenv(JWT_SECRET_ALIAS);
		if (v && key_set(cfg, k, v, err, errlen))
			return -1;
		if (k->type != KEY_STR)
			continue;
		snprintf(name + strlen(name), sizeof(name) - strlen(name),
			 "_FILE");
		v = getenv(name);
		if (v && line_apply(cfg, k->name, strlen(k->name), v, err,
				    errlen))
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
parse_database_url(struct config *cfg, char *err, size_t errlen)
{
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
	fail(err, errlen,
	     "database_url: expected mariadb://user:password@host[:port]/database[?socket=/path]");
	return -1;
}

/* socket_group: a group name or number; "" leaves the socket's group as
 * the process's own (socket_gid -1). */
static int
resolve_socket_group(struct config *cfg, char *err, size_t errlen)
{
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
		fail(err, errlen, "socket_group: no group named \"%s\"",
		     cfg->socket_group);
		return -1;
	}
	cfg->socket_gid = gr->gr_gid;
	return 0;
}

static int
validate(struct config *cfg, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		const struct key *k = &keys[i];

		if (k->type == KEY_STR && !*(char **)((char *)cfg + k->off)) {
			fail(err, errlen, "%s: required but not set (in the file, HAAS_%s or %s_file)",
			     k->name, k->name, k->name);
			return -1;
		}
	}
	if (strlen(cfg->jwt_secret_key) < 32) {
		fail(err, errlen, "jwt_secret_key: must be at least 32 bytes");
		return -1;
	}
	if (!*cfg->listen) {
		fail(err, errlen, "listen: must be a socket path or host:port");
		return -1;
	}
	if (resolve_socket_group(cfg, err, errlen))
		return -1;
	return parse_database_url(cfg, err, errlen);
}

int
config_load(struct config *cfg, const char *path, char *err, size_t errlen)
{
	size_t i;

	memset(cfg, 0, sizeof(*cfg));
	for (i = 0; i < ARRAY_SIZE(keys); i++)
		if (keys[i].def && key_set(cfg, &keys[i], keys[i].def, err, errlen))
			return -1;
	if (path && load_file(cfg, path, err, errlen))
		return -1;
	if (load_env(cfg, err, errlen))
		return -1;
	return validate(cfg, err, errlen);
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

int
config_workers(const struct config *cfg)
{
	long n;

	if (cfg->workers > 0)
		return (int)cfg->workers;
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)(2 * n) : 2;
}

/* config: the one key = value file, overridden per key by the environment
 * (HAAS_<KEY>, and the seed's own JWT_* names), loaded once at start into a
 * struct that is read-only afterwards. */
#ifndef HAAS_CONFIG_H
#define HAAS_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct config {
	/* haasd */
	char *listen;		/* unix socket path or host:port */
	char *health_listen;	/* the reserved health worker's ("": none) */
	long long socket_mode;	/* permissions of a unix socket */
	char *socket_group;	/* its group (name or number), "" = ours */
	long long socket_gid;	/* socket_group resolved; -1 = unchanged */
	long long workers;	/* 0 = 2 x online CPUs */
	long long drain_timeout;	/* seconds SIGTERM waits for requests */
	char *pid_file;		/* the master's pid, "" = none (upgrade) */
	long long request_log;	/* 1: one log line per request */
	long long max_body_bytes;
	long long upload_max_bytes;
	long long json_max_depth;
	char *sql_dir;
	char *upload_dir;
	/* database */
	char *database_url;
	long long db_connect_timeout;
	long long db_lock_wait_timeout;	/* seconds a statement waits for a lock */
	long long fault_injection;	/* 1: honour X-Haas-Fault (tests only) */
	char *db_user, *db_password, *db_host, *db_name, *db_socket;
	long long db_port;
	/* tokens and accounts */
	char *jwt_secret_key;
	long long jwt_access_token_expires;
	long long jwt_refresh_token_expires;
	char *jwt_issuer;
	long long lockout_threshold;
	long long lockout_window;
	long long lockout_duration;
	long long registration_ttl_days;	/* a pending registration expires */
	/* idempotent writes */
	long long idempotency_ttl;	/* seconds a key is remembered */
	/* lab PC reservations */
	char *timezone;			/* zone of times sent without one */
	long long reservation_max_hours;
	long long get_reservation_open;	/* 1: /get-reservation needs no key */
	/* smart parking */
	char *mqtt_host;
	long long mqtt_port;
	char *mqtt_username;
	char *mqtt_password;
	long long sensor_ttl;		/* seconds of silence before unknown */
	char *nchan_publish_url;
	char *mosquitto_passwd_file;
	char *mosquitto_pid_file;
	char *ingest_spool;		/* haas-ingestd's message spool file */
	long long document_retention_days;
	/* notifications (haas-notifyd; links in haasd's notices) */
	char *public_url;		/* the app's origin, for links in mail */
	char *smtp_url;			/* smtp[s]://relay[:port] */
	char *smtp_username;
	char *smtp_password;
	long long smtp_starttls;	/* 0 never, 1 if offered, 2 required */
	char *mail_from;
	char *template_dir;		/* <kind>.txt for each notice kind */
	char *notify_ca_file;		/* CAs for webhook TLS ("": system) */
	long long notify_max_attempts;	/* then dead */
	long long notify_backoff;	/* s before the 2nd try; doubles */
	long long notify_lease;		/* s a claimed notice stays claimed */
	long long notify_batch;		/* notices claimed at once */
	long long notify_timeout;	/* s per delivery */
	long long digest_interval;	/* s between a user's digests */
	long long reset_token_ttl;	/* s a reset link works */
	long long verify_token_ttl;	/* s a verification link works */
	long long reminder_lead;	/* s before a reservation's start */
	long long due_soon_lead;	/* s before hardware is due */
};

/* Loads defaults, then the file at path (NULL: none), then the environment,
 * then *_file secrets, and validates.  On failure returns -1, writes one
 * line into err naming the setting as it was given (workers, workers_file,
 * HAAS_WORKERS, HAAS_WORKERS_FILE, JWT_SECRET_KEY) and leaves cfg released.
 * On success release with config_release() (safe to call twice). */
int config_load(struct config *cfg, const char *path, char *err, size_t errlen);
void config_release(struct config *cfg);

/* The configuration file the programs read without -c: $HAAS_CONFIG if
 * set, else $(sysconfdir)/haas/haas.conf.  Borrowed. */
const char *config_default_path(void);

/* The options every haas program takes: -c/--config CONFIG (into *path;
 * config_default_path() without it), -h/--help (usage(stdout), exit 0),
 * -V/--version ("<prog> <version>", exit 0); anything else is usage(stderr)
 * and exit 2.  Stops at the first argument that is not an option (optind).
 * Returns -1 to go on, else the exit status. */
int config_cli(int argc, char **argv, const char *prog,
	       void (*usage)(FILE *out), const char **path);

/* Number of workers to fork: the configured count or 2 x CPUs. */
int config_workers(const struct config *cfg);

#endif

/* haasd: the FastCGI server.  A master process opens the socket, pre-forks
 * workers that each hold one MariaDB connection, replaces any that die,
 * drains on SIGTERM and swaps in a new generation of workers on SIGHUP. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "config.h"
#include "db.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "util.h"

#define MAX_WORKERS 512

struct worker {
	pid_t pid;
	unsigned generation;
	time_t started;
	bool health;		/* the reserved worker on health_fd */
};

struct master {
	struct app app;
	const char *config_path;
	int fd;
	int health_fd;		/* -1: no reserved health worker */
	unsigned generation;
	struct worker workers[MAX_WORKERS];
	sigset_t mask;		/* the signals the master waits for */
};

/* Signal flags: the one place haasd keeps mutable file-scope state, since
 * a signal handler can reach nothing else. */
static volatile sig_atomic_t got_term, got_hup, got_chld;

static void
on_signal(int sig)
{
	if (sig == SIGTERM || sig == SIGINT)
		got_term = 1;
	else if (sig == SIGHUP)
		got_hup = 1;
	else if (sig == SIGCHLD)
		got_chld = 1;
}

static void
install_handlers(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;	/* no SA_RESTART: accept() must see EINTR */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static const char *
version(void)
{
	return PACKAGE_VERSION;
}

/* The worker's life: its own DB handle, serving fd until SIGTERM. */
static void
worker_main(struct master *m, int fd)
{
	struct db *db = db_new(&m->app.cfg);
	struct sigaction sa;
	sigset_t mask;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGCHLD, &sa, NULL);
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	got_term = 0;
	if (db_ping(db) != ERR_OK)
		log_warn("worker: database not reachable yet; answering 503 until it is");
	http_serve(&m->app, db, fd, &got_term, &mask);
	db_free(db);
	_exit(0);
}

static int
spawn_worker(struct master *m, struct worker *w)
{
	pid_t pid = fork();

	if (pid < 0) {
		log_error("haasd: fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		sigprocmask(SIG_UNBLOCK, &m->mask, NULL);
		worker_main(m, w->health ? m->health_fd : m->fd);
	}
	w->pid = pid;
	w->generation = m->generation;
	w->started = time(NULL);
	return 0;
}

/* The pool, plus one worker reserved for the health socket: /api/health
 * never waits behind domain requests (a held row lock can keep every
 * pool worker busy for db_lock_wait_timeout). */
static void
spawn_generation(struct master *m)
{
	int n = config_workers(&m->app.cfg), i, started = 0;
	bool health = m->health_fd >= 0;

	m->generation++;
	for (i = 0; i < MAX_WORKERS && started < n + health; i++) {
		if (m->workers[i].pid)
			continue;
		m->workers[i].health = started == n;
		if (spawn_worker(m, &m->workers[i]) == 0)
			started++;
	}
	log_info("haasd: generation %u: %d workers%s", m->generation, n,
		 health ? " and one for /api/health" : "");
}

static void
signal_generation(struct master *m, int sig, bool old_only)
{
	int i;

	for (i = 0; i < MAX_WORKERS; i++)
		if (m->workers[i].pid &&
		    (!old_only || m->workers[i].generation != m->generation))
			kill(m->workers[i].pid, sig);
}

static int
live_workers(const struct master *m)
{
	int i, n = 0;

	for (i = 0; i < MAX_WORKERS; i++)
		n += m->workers[i].pid != 0;
	return n;
}

static struct worker *
worker_by_pid(struct master *m, pid_t pid)
{
	int i;

	for (i = 0; i < MAX_WORKERS; i++)
		if (m->workers[i].pid == pid)
			return &m->workers[i];
	return NULL;
}

/* Reaps exited workers; replaces those of the current generation unless
 * the master is stopping.  A worker that dies within a second of starting
 * is replaced after a pause, so a crash loop cannot spin the CPU. */
static void
reap(struct master *m, bool respawn)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		struct worker *w = worker_by_pid(m, pid);
		bool current;

		if (!w)
			continue;
		current = w->generation == m->generation;
		if (WIFSIGNALED(status))
			log_warn("haasd: worker %ld killed by signal %d",
				 (long)pid, WTERMSIG(status));
		else if (current && respawn)
			log_warn("haasd: worker %ld exited with %d", (long)pid,
				 WEXITSTATUS(status));
		metrics_worker_gone(m->app.metrics, pid, current && respawn);
		if (current && respawn && time(NULL) - w->started < 1)
			sleep(1);
		w->pid = 0;
		if (current && respawn)
			spawn_worker(m, w);
	}
}

static void
reload(struct master *m)
{
	struct app fresh = { .version = version(),
			     .metrics = m->app.metrics };
	char err[512];

	if (config_load(&fresh.cfg, m->config_path, err, sizeof(err))) {
		log_error("haasd: reload refused, keeping the running configuration: %s", err);
		config_release(&fresh.cfg);
		return;
	}
	if (strcmp(fresh.cfg.listen, m->app.cfg.listen) ||
	    strcmp(fresh.cfg.health_listen, m->app.cfg.health_listen) ||
	    fresh.cfg.socket_mode != m->app.cfg.socket_mode ||
	    fresh.cfg.socket_gid != m->app.cfg.socket_gid)
		log_warn("haasd: listen, socket_mode or socket_group changed;"
			 " they take effect on restart only");
	config_release(&m->app.cfg);
	m->app = fresh;
	/* New workers first, then the old ones drain: no gap in service. */
	spawn_generation(m);
	signal_generation(m, SIGTERM, true);
}

/* Stops accepting everywhere, lets in-flight requests finish for up to
 * drain_timeout seconds, then kills what is left. */
static void
drain(struct master *m)
{
	struct timespec tick = { 0, 100 * 1000 * 1000 };
	long ticks = m->app.cfg.drain_timeout * 10;

	log_info("haasd: draining %d workers", live_workers(m));
	while (live_workers(m) > 0 && ticks-- > 0) {
		/* Re-sent each tick: a worker that was between its stop check
		 * and accept() when the first one came is woken by the next. */
		signal_generation(m, SIGTERM, false);
		nanosleep(&tick, NULL);
		reap(m, false);
	}
	if (live_workers(m) > 0) {
		log_warn("haasd: %d workers still busy; killing them",
			 live_workers(m));
		signal_generation(m, SIGKILL, false);
		while (live_workers(m) > 0 && waitpid(-1, NULL, 0) > 0)
			reap(m, false);
	}
}

static void
master_loop(struct master *m)
{
	sigset_t waitmask;

	sigemptyset(&waitmask);
	while (!got_term) {
		if (!got_hup && !got_chld)
			sigsuspend(&waitmask);
		if (got_chld) {
			got_chld = 0;
			reap(m, true);
		}
		if (got_hup && !got_term) {
			got_hup = 0;
			reload(m);
		}
	}
}

static void
usage(FILE *out)
{
	fprintf(out,
		"usage: haasd [-c CONFIG]\n"
		"       haasd --help | --version\n"
		"\n"
		"The haas FastCGI server: a master process listens on the\n"
		"configured socket and keeps a pool of pre-forked workers.\n"
		"SIGHUP re-reads the configuration and replaces the workers;\n"
		"SIGTERM lets in-flight requests finish and stops.\n"
		"\n"
		"  -c, --config CONFIG  configuration file (default:\n"
		"                       $HAAS_CONFIG, else " HAAS_CONF_DEFAULT ")\n"
		"  -h, --help           show this help\n"
		"  -V, --version        show the version\n");
}

int
main(int argc, char **argv)
{
	static struct master m;
	char err[512];
	int rc = config_cli(argc, argv, "haasd", usage, &m.config_path);

	if (rc >= 0)
		return rc;
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	m.app.version = version();
	if (config_load(&m.app.cfg, m.config_path, err, sizeof(err))) {
		fprintf(stderr, "haasd: %s\n", err);
		return 2;
	}
	sigemptyset(&m.mask);
	sigaddset(&m.mask, SIGTERM);
	sigaddset(&m.mask, SIGINT);
	sigaddset(&m.mask, SIGHUP);
	sigaddset(&m.mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &m.mask, NULL);
	install_handlers();
	if (http_init() != 0)
		return 1;
	m.fd = http_listen(&m.app.cfg, m.app.cfg.listen);
	if (m.fd < 0)
		return 1;
	m.health_fd = -1;
	if (*m.app.cfg.health_listen) {
		m.health_fd = http_listen(&m.app.cfg, m.app.cfg.health_listen);
		if (m.health_fd < 0)
			return 1;
	}
	log_info("haasd %s listening on %s", version(), m.app.cfg.listen);
	m.app.metrics = metrics_new();
	spawn_generation(&m);
	master_loop(&m);
	drain(&m);
	if (m.app.cfg.listen[0] == '/')
		unlink(m.app.cfg.listen);
	if (m.app.cfg.health_listen[0] == '/')
		unlink(m.app.cfg.health_listen);
	config_release(&m.app.cfg);
	log_info("haasd: stopped");
	return 0;
}

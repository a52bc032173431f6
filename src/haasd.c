/* haasd: the FastCGI server.  A master process opens the socket (or adopts
 * the one systemd or an upgrading master passed), pre-forks workers that
 * each hold one MariaDB connection, replaces any that die, drains on
 * SIGTERM, swaps in a new generation of workers on SIGHUP and hands its
 * sockets to a new binary of itself on SIGUSR2. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
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
#include "service.h"
#include "metrics.h"
#include "util.h"

#define MAX_WORKERS 512
/* Seconds a new binary gets to report its workers ready (upgrade). */
#define UPGRADE_TIMEOUT 60
/* The environment variable naming the pipe a new master reports on. */
#define UPGRADE_FD_ENV "HAASD_UPGRADE_FD"

struct worker {
	pid_t pid;
	unsigned generation;
	time_t started;
	bool health;		/* the reserved worker on health_fd */
};

/* A binary upgrade under way, seen from the old master. */
struct upgrade {
	pid_t pid;		/* the new master; 0: none under way */
	int fd;			/* its readiness pipe (one byte, or EOF) */
	time_t started;
	bool reaped;		/* it exited and was reaped: never signal it */
};

struct master {
	struct app app;
	const char *config_path;
	int fd;
	int health_fd;		/* -1: no reserved health worker */
	bool own_fd, own_health;	/* bound here (not systemd's): unlink */
	unsigned generation;
	struct worker workers[MAX_WORKERS];
	sigset_t mask;		/* the signals the master waits for */
	/* readiness: each worker writes its generation's low byte here
	 * once it is about to accept */
	int ready_rd, ready_wr;
	int ready_count, ready_expected;
	bool started;		/* the first generation reported ready */
	/* binary upgrade (SIGUSR2) */
	char *exe;		/* the path haasd was started as, absolute */
	char **argv;
	int parent_fd;		/* started by an upgrade: tell the old master */
	struct upgrade up;
	bool handed_over;	/* a new master took over: drain, keep socket */
};

/* Signal flags: the one place haasd keeps mutable file-scope state, since
 * a signal handler can reach nothing else. */
static volatile sig_atomic_t got_term, got_hup, got_chld, got_usr2;

static void
on_signal(int sig)
{
	if (sig == SIGTERM || sig == SIGINT)
		got_term = 1;
	else if (sig == SIGHUP)
		got_hup = 1;
	else if (sig == SIGCHLD)
		got_chld = 1;
	else if (sig == SIGUSR2)
		got_usr2 = 1;
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
	sigaction(SIGUSR2, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static const char *
version(void)
{
	return PACKAGE_VERSION;
}

/* In a fresh worker: the master's own pipes are not its business. */
static void
worker_close_master_fds(struct master *m)
{
	close(m->ready_rd);
	if (m->up.fd >= 0)
		close(m->up.fd);
	if (m->parent_fd >= 0)
		close(m->parent_fd);
}

/* Tells the master this worker is about to accept (readiness). */
static void
worker_ready(struct master *m)
{
	unsigned char gen = (unsigned char)m->generation;

	if (write(m->ready_wr, &gen, 1) != 1)
		log_warn("worker: cannot report ready: %s", strerror(errno));
	close(m->ready_wr);
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
	sigaction(SIGUSR2, &sa, NULL);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGCHLD, &sa, NULL);
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	got_term = 0;
	if (db_ping(db) != ERR_OK)
		log_warn("worker: database not reachable yet; answering 503 until it is");
	worker_ready(m);
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
		worker_close_master_fds(m);
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
	m->ready_count = 0;
	m->ready_expected = n + health;
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

/* ---- readiness and the pid file ---- */

/* Writes pid_file (if configured) through a temporary file, so a reader
 * never sees it empty or half written. */
static void
pid_file_write(const struct master *m)
{
	const char *path = m->app.cfg.pid_file;
	char *tmp;
	FILE *f;

	if (!*path)
		return;
	tmp = xasprintf("%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		goto fail;
	if (fprintf(f, "%ld\n", (long)getpid()) < 0) {
		fclose(f);
		goto fail;
	}
	if (fclose(f) != 0 || rename(tmp, path) != 0)
		goto fail;
	free(tmp);
	return;
fail:
	log_error("haasd: pid_file %s: %s", path, strerror(errno));
	unlink(tmp);
	free(tmp);
}

/* Removes pid_file at exit, unless it names another master by now. */
static void
pid_file_remove(const struct master *m)
{
	const char *path = m->app.cfg.pid_file;
	char line[32] = "";
	FILE *f;

	if (!*path)
		return;
	f = fopen(path, "r");
	if (!f)
		return;
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	fclose(f);
	if (strtol(line, NULL, 10) == (long)getpid())
		unlink(path);
}

/* The old master's verdict on an upgrade, for scripts: "<pid_file>.upgrade"
 * holds "ok NEWPID" or "failed: why". */
static void
upgrade_verdict(const struct master *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
upgrade_verdict(const struct master *m, const char *fmt, ...)
{
	char *path, *tmp;
	va_list ap;
	FILE *f;

	if (!*m->app.cfg.pid_file)
		return;
	path = xasprintf("%s.upgrade", m->app.cfg.pid_file);
	tmp = xasprintf("%s.tmp", path);
	f = fopen(tmp, "w");
	if (f) {
		va_start(ap, fmt);
		vfprintf(f, fmt, ap);
		va_end(ap);
		fputc('\n', f);
	}
	if (!f || fclose(f) != 0 || rename(tmp, path) != 0) {
		log_error("haasd: %s: %s", path, strerror(errno));
		unlink(tmp);
	}
	free(tmp);
	free(path);
}

/* Every worker of the current generation is accepting: the first time,
 * the master is started (pid file, systemd, an upgrading old master);
 * after a SIGHUP, the reload is done. */
static void
generation_ready(struct master *m)
{
	char one = '1';

	service_notify("READY=1\nSTATUS=generation %u: %d workers accepting",
		       m->generation, m->ready_expected);
	if (m->started) {
		log_info("haasd: generation %u ready", m->generation);
		return;
	}
	m->started = true;
	pid_file_write(m);
	log_info("haasd: ready (pid %ld)", (long)getpid());
	if (m->parent_fd >= 0) {
		/* Once the old master has our byte it leaves, and the
		 * sockets it passed are ours to unlink at exit; until then
		 * (it may give up on us) they stay its. */
		if (write(m->parent_fd, &one, 1) == 1)
			m->own_fd = m->own_health = true;
		else
			log_warn("haasd: cannot tell the old master: %s",
				 strerror(errno));
		close(m->parent_fd);
		m->parent_fd = -1;
	}
}

/* Counts the workers' readiness bytes of the current generation. */
static void
ready_read(struct master *m)
{
	unsigned char buf[256];
	ssize_t n = read(m->ready_rd, buf, sizeof(buf)), i;

	for (; n > 0; n = read(m->ready_rd, buf, sizeof(buf)))
		for (i = 0; i < n; i++)
			if (buf[i] == (unsigned char)m->generation &&
			    ++m->ready_count == m->ready_expected)
				generation_ready(m);
}

/* ---- binary upgrade (SIGUSR2), like nginx's ---- */

/* The path haasd was started as, made absolute against the start's
 * working directory but not resolved: a rebuild or a package upgrade
 * replaces that file, and the upgrade must run the new one (not the
 * deleted inode /proc/self/exe points to).  NULL: found through PATH. */
static char *
exe_path(const char *argv0)
{
	char cwd[PATH_MAX];

	if (argv0[0] == '/')
		return xstrdup(argv0);
	if (!strchr(argv0, '/'))
		return NULL;
	if (!getcwd(cwd, sizeof(cwd)))
		return NULL;
	return xasprintf("%s/%s", cwd, argv0);
}

/* In the child of an upgrade: the sockets become fds 3 (and 4), the old
 * master's pipe the next one, as systemd's socket activation would pass
 * them; then the binary on disk runs with the same arguments. */
static void
upgrade_exec(struct master *m, int notify_fd)
{
	int n = m->health_fd >= 0 ? 2 : 1, a, b = -1, c;
	char num[16];

	a = fcntl(m->fd, F_DUPFD, 16);
	if (n == 2)
		b = fcntl(m->health_fd, F_DUPFD, 16);
	c = fcntl(notify_fd, F_DUPFD, 16);
	if (a < 0 || (n == 2 && b < 0) || c < 0 || dup2(a, 3) != 3 ||
	    (n == 2 && dup2(b, 4) != 4) || dup2(c, 3 + n) != 3 + n) {
		log_error("haasd: upgrade: moving fds: %s", strerror(errno));
		_exit(127);
	}
	close_range(4 + n, ~0U, 0);	/* dup2 left 3..3+n inheritable */
	snprintf(num, sizeof(num), "%ld", (long)getpid());
	setenv("LISTEN_PID", num, 1);
	snprintf(num, sizeof(num), "%d", n);
	setenv("LISTEN_FDS", num, 1);
	setenv("LISTEN_FDNAMES", n == 2 ? "fcgi:health" : "fcgi", 1);
	snprintf(num, sizeof(num), "%d", 3 + n);
	setenv(UPGRADE_FD_ENV, num, 1);
	if (m->exe)
		execv(m->exe, m->argv);
	else
		execvp(m->argv[0], m->argv);
	log_error("haasd: upgrade: cannot run %s: %s",
		  m->exe ? m->exe : m->argv[0], strerror(errno));
	_exit(127);
}

/* SIGUSR2: starts the binary on disk as a new master on our sockets; we
 * serve on until it reports ready (upgrade_read). */
static void
upgrade_start(struct master *m)
{
	int pfd[2];
	pid_t pid;

	if (m->up.pid) {
		log_warn("haasd: SIGUSR2: an upgrade (pid %ld) is under way",
			 (long)m->up.pid);
		return;
	}
	if (service_managed()) {
		log_warn("haasd: SIGUSR2 ignored under systemd: upgrade with"
			 " systemctl restart (systemd holds the socket)");
		return;
	}
	if (pipe2(pfd, O_CLOEXEC) != 0) {
		log_error("haasd: upgrade: pipe: %s", strerror(errno));
		return;
	}
	pid = fork();
	if (pid < 0) {
		log_error("haasd: upgrade: fork: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return;
	}
	if (pid == 0)
		upgrade_exec(m, pfd[1]);
	close(pfd[1]);
	m->up = (struct upgrade){ pid, pfd[0], time(NULL) };
	log_info("haasd: upgrade: started %s as pid %ld; serving until it is"
		 " ready", m->exe ? m->exe : m->argv[0], (long)pid);
}

static void
upgrade_end(struct master *m)
{
	close(m->up.fd);
	m->up = (struct upgrade){ 0, -1, 0 };
}

static void
upgrade_failed(struct master *m, const char *why)
{
	log_error("haasd: upgrade failed: new master %ld %s; this one (%ld)"
		  " keeps serving", (long)m->up.pid, why, (long)getpid());
	upgrade_verdict(m, "failed: new master %ld %s", (long)m->up.pid, why);
	if (!m->up.reaped)
		kill(m->up.pid, SIGTERM);
	upgrade_end(m);
}

/* The new master's pipe is readable: its byte (ready: we drain and
 * leave) or EOF (it died first: we stay). */
static void
upgrade_read(struct master *m)
{
	char c;
	ssize_t n = read(m->up.fd, &c, 1);

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n != 1) {
		upgrade_failed(m, "exited before it was ready (its log lines"
				  " say why)");
		return;
	}
	log_info("haasd: upgrade: new master %ld is ready; draining and"
		 " handing over", (long)m->up.pid);
	upgrade_verdict(m, "ok %ld", (long)m->up.pid);
	m->handed_over = true;
	upgrade_end(m);
}

/* Called by reap for a child that is no worker: the new master of a
 * failed upgrade. */
static void
upgrade_reaped(struct master *m, pid_t pid, int status)
{
	if (pid == m->up.pid)
		m->up.reaped = true;	/* its pipe's EOF says the rest */
	if (WIFSIGNALED(status))
		log_warn("haasd: upgrade: pid %ld killed by signal %d",
			 (long)pid, WTERMSIG(status));
	else
		log_warn("haasd: upgrade: pid %ld exited with status %d",
			 (long)pid, WEXITSTATUS(status));
}

/* Waits for a signal, a worker's readiness byte or the upgrade's pipe
 * (signals are blocked everywhere else, so none is missed). */
static void
master_wait(struct master *m, const sigset_t *waitmask)
{
	struct pollfd p[2] = { { m->ready_rd, POLLIN, 0 },
			       { m->up.fd, POLLIN, 0 } };
	struct timespec second = { 1, 0 };

	if (ppoll(p, 2, m->up.pid ? &second : NULL, waitmask) < 0)
		return;
	if (p[0].revents)
		ready_read(m);
	if (m->up.pid && p[1].revents)
		upgrade_read(m);
	else if (m->up.pid && time(NULL) - m->up.started > UPGRADE_TIMEOUT)
		upgrade_failed(m, "was not ready in time (60 s)");
}

/* ---- the listening sockets ---- */

/* Adopts the sockets systemd or an upgrading master passed ("fcgi",
 * "health"), binds the configured ones that did not come. */
static int
listen_sockets(struct master *m)
{
	static const char *const names[] = { "fcgi", "health" };
	int fds[2];
	int passed = service_listen_fds(names, fds, 2);

	/* Passed sockets are systemd's, or the old master's until it hands
	 * over (generation_ready): never unlinked before that. */
	m->fd = fds[0];
	m->own_fd = false;
	if (m->fd < 0) {
		m->fd = http_listen(&m->app.cfg, m->app.cfg.listen);
		m->own_fd = true;
	}
	m->health_fd = fds[1];
	m->own_health = false;
	if (m->health_fd >= 0 && !*m->app.cfg.health_listen) {
		close(m->health_fd);	/* health_listen was switched off */
		m->health_fd = -1;
	} else if (m->health_fd < 0 && *m->app.cfg.health_listen) {
		m->health_fd = http_listen(&m->app.cfg,
					   m->app.cfg.health_listen);
		m->own_health = true;
	}
	if (passed)
		log_info("haasd: adopted %d passed socket%s", passed,
			 passed > 1 ? "s" : "");
	return m->fd >= 0 && (m->health_fd >= 0 ||
			      !*m->app.cfg.health_listen) ? 0 : -1;
}

/* At exit: the unix sockets this master made, unless it handed them to a
 * new master (systemd's are systemd's). */
static void
listen_release(const struct master *m)
{
	if (m->handed_over)
		return;
	if (m->own_fd && m->app.cfg.listen[0] == '/')
		unlink(m->app.cfg.listen);
	if (m->own_health && m->app.cfg.health_listen[0] == '/')
		unlink(m->app.cfg.health_listen);
}

/* The pipe an upgrading old master passed (HAASD_UPGRADE_FD), or -1. */
static int
upgrade_parent_fd(void)
{
	const char *v = getenv(UPGRADE_FD_ENV);
	long long fd;

	if (!v)
		return -1;
	if (parse_ll(v, 3, 1024, &fd) != 0)
		fd = -1;
	unsetenv(UPGRADE_FD_ENV);
	if (fd < 0 || fcntl((int)fd, F_SETFD, FD_CLOEXEC) != 0)
		return -1;
	return (int)fd;
}

/* The sockets, the master's own pipes and the upgrade path, before any
 * worker.  The sockets come first: fds 3 and up may be passed ones. */
static int
master_init(struct master *m, char **argv)
{
	int p[2];

	m->argv = argv;
	m->exe = exe_path(argv[0]);
	m->parent_fd = upgrade_parent_fd();
	m->up = (struct upgrade){ 0, -1, 0 };
	if (listen_sockets(m) != 0)
		return -1;
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) != 0) {
		log_error("haasd: pipe: %s", strerror(errno));
		return -1;
	}
	m->ready_rd = p[0];
	m->ready_wr = p[1];
	return 0;
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

		if (!w) {
			upgrade_reaped(m, pid, status);
			continue;
		}
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

	service_notify_reloading();
	if (config_load(&fresh.cfg, m->config_path, err, sizeof(err))) {
		log_error("haasd: reload refused, keeping the running configuration: %s", err);
		service_notify("READY=1\nSTATUS=reload refused: %s", err);
		config_release(&fresh.cfg);
		return;
	}
	if (strcmp(fresh.cfg.listen, m->app.cfg.listen) ||
	    strcmp(fresh.cfg.health_listen, m->app.cfg.health_listen) ||
	    fresh.cfg.socket_mode != m->app.cfg.socket_mode ||
	    fresh.cfg.socket_gid != m->app.cfg.socket_gid ||
	    strcmp(fresh.cfg.pid_file, m->app.cfg.pid_file))
		log_warn("haasd: listen, socket_mode, socket_group or pid_file"
			 " changed; they take effect on restart only");
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
		/* Each worker by its own pid (reap): a waitpid(-1) could wait
		 * for an upgrade's new master, which is our child too. */
		while (live_workers(m) > 0) {
			nanosleep(&tick, NULL);
			reap(m, false);
		}
	}
}

static void
master_loop(struct master *m)
{
	sigset_t waitmask;

	sigemptyset(&waitmask);
	while (!got_term && !m->handed_over) {
		if (!got_hup && !got_chld && !got_usr2)
			master_wait(m, &waitmask);
		if (got_chld) {
			got_chld = 0;
			reap(m, true);
		}
		if (got_hup && !got_term) {
			got_hup = 0;
			reload(m);
		}
		if (got_usr2 && !got_term) {
			got_usr2 = 0;
			upgrade_start(m);
		}
	}
	if (m->up.pid)	/* SIGTERM during an upgrade: it stops too */
		upgrade_failed(m, "was stopped: this master got SIGTERM");
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
		"SIGUSR2 starts the binary on disk as a new master on the same\n"
		"socket, and this one drains and exits once it is ready;\n"
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
	sigaddset(&m.mask, SIGUSR2);
	sigprocmask(SIG_BLOCK, &m.mask, NULL);
	install_handlers();
	if (http_init() != 0 || master_init(&m, argv) != 0)
		return 1;
	log_info("haasd %s listening on %s", version(), m.app.cfg.listen);
	m.app.metrics = metrics_new();
	spawn_generation(&m);
	master_loop(&m);
	service_notify("STOPPING=1");
	drain(&m);
	listen_release(&m);
	if (!m.handed_over)
		pid_file_remove(&m);
	free(m.exe);
	config_release(&m.app.cfg);
	log_info("haasd: stopped");
	return 0;
}

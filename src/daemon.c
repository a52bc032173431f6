/* daemon: the supervising master and the stop flag of haas's helpers. */
#include "daemon.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "service.h"

/* The one piece of mutable process state: written by the handler only. */
static volatile sig_atomic_t got_term;

static void
on_term(int sig)
{
	(void)sig;
	got_term = 1;
}

void
daemon_signals(void)
{
	struct sigaction sa = { .sa_handler = on_term };

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

bool
daemon_stopping(void)
{
	return got_term != 0;
}

long long
daemon_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for the child; passes a SIGTERM on to it once.  Polls (every
 * 100 ms) rather than blocking in waitpid, so a SIGTERM that lands between
 * a check of the flag and the wait is never lost.  True when stopping. */
static bool
child_wait(pid_t pid, int *status)
{
	struct timespec tick = { 0, 100 * 1000 * 1000 };
	bool told = false;
	pid_t r;

	for (;;) {
		r = waitpid(pid, status, WNOHANG);
		if (r == pid || (r < 0 && errno != EINTR))
			return got_term != 0;
		if (got_term && !told) {
			kill(pid, SIGTERM);
			told = true;
		}
		nanosleep(&tick, NULL);
	}
}

int
daemon_supervise(const char *name, int (*child)(const struct config *),
		 const struct config *cfg)
{
	time_t started;
	int status;
	pid_t pid;

	daemon_signals();
	while (!got_term) {
		started = time(NULL);
		pid = fork();
		if (pid == 0)
			_exit(child(cfg));
		if (pid < 0) {
			log_error("%s: fork: %s", name, strerror(errno));
			sleep(1);
			continue;
		}
		/* ready once the first child runs (restarts change nothing) */
		service_notify("READY=1\nSTATUS=%s: child %ld running", name,
			       (long)pid);
		if (child_wait(pid, &status))
			break;
		service_notify("STATUS=%s: child ended; restarting", name);
		log_warn("%s: child %ld ended (%s %d); restarting", name,
			 (long)pid, WIFSIGNALED(status) ? "signal" : "status",
			 WIFSIGNALED(status) ? WTERMSIG(status)
					     : WEXITSTATUS(status));
		if (time(NULL) - started < 1)
			sleep(1);
	}
	service_notify("STOPPING=1");
	return 0;
}

int
daemon_main(int argc, char **argv, const char *prog, const char *name,
	    void (*usage)(FILE *out), int (*started)(const struct config *cfg),
	    int (*child)(const struct config *cfg))
{
	struct config cfg;
	const char *conf;
	char err[512];
	int rc = config_cli(argc, argv, prog, usage, &conf);

	if (rc >= 0)
		return rc;
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	if (config_load(&cfg, conf, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return 1;
	}
	rc = started(&cfg);
	if (rc == 0)
		rc = daemon_supervise(name, child, &cfg);
	config_release(&cfg);
	return rc;
}

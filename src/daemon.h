/* daemon: what haas's long-running helpers (haas-ingestd, haas-notifyd)
 * share: a master process that keeps one worker child alive, restarting it
 * when it dies, and the stop flag SIGTERM and SIGINT raise. */
#ifndef HAAS_DAEMON_H
#define HAAS_DAEMON_H

#include <stdbool.h>
#include <stdio.h>

struct config;

/* Installs the SIGTERM/SIGINT handler (sets the stop flag) and ignores
 * SIGPIPE.  The master and each child call it. */
void daemon_signals(void);
/* True once SIGTERM or SIGINT arrived. */
bool daemon_stopping(void);

/* Forks child(cfg) and forks it again whenever it ends, until a SIGTERM
 * (passed on to the child, then waited for).  A child that dies within a
 * second of its start is restarted a second later.  name prefixes the
 * log lines.  Under systemd it reports READY=1 once a child runs and
 * STOPPING=1 on SIGTERM (service_notify).  Returns 0. */
int daemon_supervise(const char *name, int (*child)(const struct config *),
		     const struct config *cfg);

/* A helper's whole main(): the options every haas program takes
 * (config_cli with usage), the configuration, started(cfg) (its log line;
 * non-zero stops there), then daemon_supervise(name, child). */
int daemon_main(int argc, char **argv, const char *prog, const char *name,
		void (*usage)(FILE *out),
		int (*started)(const struct config *cfg),
		int (*child)(const struct config *cfg));

/* Milliseconds of CLOCK_MONOTONIC. */
long long daemon_mono_ms(void);

#endif

/* service: haas's side of the service manager (systemd): readiness and
 * status through sd_notify, and listening sockets passed in by socket
 * activation.  Only service.c includes sd-daemon.h.  Everything here is a
 * no-op outside systemd (no NOTIFY_SOCKET, no LISTEN_FDS). */
#ifndef HAAS_SERVICE_H
#define HAAS_SERVICE_H

#include <stdbool.h>

/* Sends one sd_notify state message built from fmt (e.g. "READY=1\n
 * STATUS=..."); silently nothing when NOTIFY_SOCKET is unset. */
void service_notify(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* RELOADING=1 with MONOTONIC_USEC (what systemd 253's Type=notify-reload
 * asks for; older managers ignore the extra field). */
void service_notify_reloading(void);

/* True when haasd runs as a systemd notify service (NOTIFY_SOCKET set). */
bool service_managed(void);

/* The listening sockets passed by LISTEN_PID/LISTEN_FDS/LISTEN_FDNAMES
 * (systemd's socket activation, or haasd's own binary upgrade): fds[i]
 * becomes the fd named names[i], or -1 when none came under that name.
 * Reads and clears that environment (children never see it) and makes the
 * fds close-on-exec; fds under other names are closed with a warning.
 * Returns how many of names were found. */
int service_listen_fds(const char *const names[], int fds[], int n);

#endif

/* service: sd_notify and socket activation through libsystemd. */
#include "service.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

bool
service_managed(void)
{
	const char *s = getenv("NOTIFY_SOCKET");

	return s && *s;
}

void
service_notify(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!service_managed())
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (sd_notify(0, msg) < 0)
		log_warn("service: sd_notify failed");
}

void
service_notify_reloading(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	service_notify("RELOADING=1\nMONOTONIC_USEC=%llu",
		       (unsigned long long)ts.tv_sec * 1000000ULL +
			       (unsigned long long)ts.tv_nsec / 1000ULL);
}

/* Which of names the passed fd is for (-1: none; then it is closed). */
static int
passed_index(const char *const names[], const int fds[], int n, int fd,
	     const char *name)
{
	int i;

	if (sd_is_socket(fd, AF_UNSPEC, SOCK_STREAM, 1) <= 0) {
		log_warn("service: passed fd %d (\"%s\") is no listening"
			 " stream socket; ignored", fd, name ? name : "");
		return -1;
	}
	for (i = 0; i < n; i++)
		if (name && strcmp(names[i], name) == 0 && fds[i] < 0)
			return i;
	log_warn("service: closing passed fd %d named \"%s\"", fd,
		 name ? name : "");
	return -1;
}

int
service_listen_fds(const char *const names[], int fds[], int n)
{
	char **got = NULL;
	int count, i, k, found = 0;

	for (i = 0; i < n; i++)
		fds[i] = -1;
	/* unset_environment = 1: workers and an upgrade's child start clean */
	count = sd_listen_fds_with_names(1, &got);
	if (count < 0) {
		log_warn("service: LISTEN_FDS: %s", strerror(-count));
		return 0;
	}
	for (i = 0; i < count; i++) {
		int fd = SD_LISTEN_FDS_START + i;

		k = passed_index(names, fds, n, fd, got ? got[i] : NULL);
		if (k < 0) {
			close(fd);
		} else {
			fcntl(fd, F_SETFD, FD_CLOEXEC);
			fds[k] = fd;
			found++;
		}
		if (got)
			free(got[i]);
	}
	free(got);
	return found;
}

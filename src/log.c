/* log: timestamped lines on stderr; the scripts redirect it to var/log.
 * Under systemd, with stderr connected to journald, a line carries its
 * syslog priority instead of a time (journald keeps its own). */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/* stderr is journald's stream: $JOURNAL_STREAM ("DEV:INODE", set by
 * systemd for a service whose output goes to the journal) names the very
 * file stderr is (systemd.exec(5)).  A program it started that redirected
 * its stderr elsewhere keeps the variable but fails the comparison.
 * Checked on every line (one fstat): no state to keep. */
static bool
journal_stream(void)
{
	const char *env = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	char *end;

	if (!env)
		return false;
	errno = 0;
	dev = strtoull(env, &end, 10);
	if (errno || end == env || *end != ':')
		return false;
	env = end + 1;
	ino = strtoull(env, &end, 10);
	if (errno || end == env || *end)
		return false;
	if (fstat(STDERR_FILENO, &st) < 0)
		return false;
	return (unsigned long long)st.st_dev == dev &&
	       (unsigned long long)st.st_ino == ino;
}

/* The same, leaving errno as the caller had it. */
static bool
stderr_is_journal(void)
{
	int saved = errno;
	bool yes = journal_stream();

	errno = saved;
	return yes;
}

/* prio: the syslog priority (3 error, 4 warning, 6 info) that journald
 * reads from a "<N>" prefix (sd-daemon(3)). */
static void
log_line(int prio, const char *level, const char *fmt, va_list ap)
{
	char ts[32], line[1024];
	struct timeval tv;
	struct tm tm;

	if (stderr_is_journal()) {
		vsnprintf(line, sizeof(line), fmt, ap);
		fprintf(stderr, "<%d>%s [%ld] %s\n", prio, level,
			(long)getpid(), line);
		return;
	}
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	vsnprintf(line, sizeof(line), fmt, ap);
	/* One fprintf per line so lines from concurrent workers don't mix. */
	fprintf(stderr, "%s.%03ldZ %s [%ld] %s\n", ts, (long)tv.tv_usec / 1000,
		level, (long)getpid(), line);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line(6, "info", fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line(4, "warn", fmt, ap);
	va_end(ap);
}

void
log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line(3, "error", fmt, ap);
	va_end(ap);
}

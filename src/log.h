/* log: one-line messages to stderr with time, level and pid (under
 * systemd, journald's "<priority>" prefix instead of the time).  Never pass
 * passwords, tokens, credentials or request bodies. */
#ifndef HAAS_LOG_H
#define HAAS_LOG_H

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif

/* http: the FastCGI transport.  Only http.c includes fcgiapp.h: it turns
 * FastCGI records into a struct req, runs the router, and writes the
 * reply. */
#ifndef HAAS_HTTP_H
#define HAAS_HTTP_H

#include <signal.h>

struct app;
struct config;
struct db;

/* Initialises libfcgi once per process, before any fork. */
int http_init(void);

/* Opens the listening socket spec (cfg->listen, or cfg->health_listen):
 * host:port, or a unix socket path owned by this process's user, given to
 * cfg->socket_gid and opened up to cfg->socket_mode (nobody else can
 * connect in between).  Returns the fd, or -1 with a logged reason. */
int http_listen(const struct config *cfg, const char *spec);

/* Serves requests on fd until *stop becomes non-zero.  Signals in mask are
 * blocked while a request is being handled, so a SIGTERM lets it finish
 * and is acted on between requests. */
void http_serve(const struct app *app, struct db *db, int fd,
		volatile sig_atomic_t *stop, const sigset_t *mask);

#endif

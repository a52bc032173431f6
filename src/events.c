/* events: live updates for browsers through nchan's publisher (events.h). */
#include <json-c/json.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "events.h"
#include "log.h"
#include "util.h"

/* Connects to "unix:/path.sock:/uri" or "http://host[:port]/uri"; *uri
 * points into url.  Returns a socket or -1. */
static int
nchan_connect(const char *url, const char **uri)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai = NULL;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char host[256], port[8] = "80";
	const char *p, *c;
	int fd = -1;
	size_t n;

	if (!strncmp(url, "unix:", 5)) {
		p = strchr(url + 5, ':');
		n = p ? (size_t)(p - url - 5) : 0;
		if (!p || n == 0 || n >= sizeof(sun.sun_path))
			return -1;
		memcpy(sun.sun_path, url + 5, n);
		*uri = p + 1;
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
			close(fd);
			fd = -1;
		}
		return fd;
	}
	if (strncmp(url, "http://", 7))
		return -1;
	url += 7;
	p = strchr(url, '/');
	if (!p || (size_t)(p - url) >= sizeof(host))
		return -1;
	*uri = p;
	memcpy(host, url, (size_t)(p - url));
	host[p - url] = '\0';
	c = strchr(host, ':');
	if (c) {
		snprintf(port, sizeof(port), "%s", c + 1);
		host[c - host] = '\0';
	}
	if (getaddrinfo(host, port, &hints, &ai) || !ai)
		return -1;
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen)) {
		close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	return fd;
}

/* POSTs one JSON event (HTTP/1.0, one connection per event: changes are
 * rare next to the web traffic). */
int
events_publish(const struct config *cfg, const char *channel,
	       json_object *event)
{
	const char *uri, *body;
	struct buf req = { 0 };
	struct timeval tv = { .tv_sec = 2 };
	char resp[64] = { 0 };
	int fd, rc = -1;

	if (!cfg->nchan_publish_url || !*cfg->nchan_publish_url)
		return 0;
	body = json_object_to_json_string_ext(event, JSON_C_TO_STRING_PLAIN);
	fd = nchan_connect(cfg->nchan_publish_url, &uri);
	if (fd < 0) {
		log_warn("events: nchan publisher unreachable");
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	buf_addf(&req, "POST %s%s HTTP/1.0\r\nHost: localhost\r\n"
		 "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
		 uri, channel, strlen(body), body);
	if (write_all(fd, req.s, req.len) || read(fd, resp, sizeof(resp) - 1) < 12 ||
	    (strncmp(resp + 9, "201", 3) && strncmp(resp + 9, "202", 3)))
		log_warn("events: nchan publish to %s failed: %.20s", channel, resp);
	else
		rc = 0;
	close(fd);
	buf_release(&req);
	return rc;
}

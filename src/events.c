/* events: live updates for browsers through nchan's publisher (events.h). */
#include <json-c/json.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
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

/* Reads what fd answers until it closes (HTTP/1.0) or out is full. */
static size_t
read_reply(int fd, char *out, size_t size)
{
	size_t have = 0;
	ssize_t n = 1;

	while (n > 0 && have < size - 1) {
		n = read(fd, out + have, size - 1 - have);
		if (n > 0)
			have += (size_t)n;
	}
	out[have] = '\0';
	return have;
}

/* One HTTP/1.0 exchange with nchan's publisher about channel: method,
 * an optional JSON body, the whole answer into resp.  The socket waits at
 * most two seconds either way.  Returns the status (201, 404...) or -1
 * when the publisher cannot be reached or answered nothing. */
static int
exchange(const char *url, const char *method, const char *channel,
	 const char *body, char *resp, size_t size)
{
	struct timeval tv = { .tv_sec = 2 };
	struct buf req = { 0 };
	const char *uri;
	int fd = nchan_connect(url, &uri), status = -1;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	buf_addf(&req, "%s %s%s HTTP/1.0\r\nHost: localhost\r\n"
		 "Accept: application/json\r\n", method, uri, channel);
	if (body)
		buf_addf(&req, "Content-Type: application/json\r\n"
			 "Content-Length: %zu\r\n\r\n%s", strlen(body), body);
	else
		buf_addf(&req, "\r\n");
	if (!write_all(fd, req.s, req.len) && read_reply(fd, resp, size) >= 12 &&
	    !strncmp(resp, "HTTP/1.", 7))
		status = (int)strtol(resp + 9, NULL, 10);
	close(fd);
	buf_release(&req);
	return status;
}

int
events_publish(const struct config *cfg, const char *channel,
	       json_object *event)
{
	char resp[256];
	int status;

	if (!cfg->nchan_publish_url || !*cfg->nchan_publish_url)
		return 0;
	status = exchange(cfg->nchan_publish_url, "POST", channel,
			  json_object_to_json_string_ext(event,
				JSON_C_TO_STRING_PLAIN), resp, sizeof(resp));
	if (status == 201 || status == 202)
		return 0;
	if (status < 0)
		log_warn("events: nchan publisher unreachable");
	else
		log_warn("events: nchan publish to %s failed: %d", channel, status);
	return -1;
}

json_object *
events_channel_info(const struct config *cfg, const char *channel)
{
	char resp[1024];
	const char *body;
	int status;

	if (!cfg->nchan_publish_url || !*cfg->nchan_publish_url)
		return NULL;
	status = exchange(cfg->nchan_publish_url, "GET", channel, NULL, resp,
			  sizeof(resp));
	if (status == 404)	/* nobody holds it, nothing sent lately */
		return json_object_new_object();
	body = strstr(resp, "\r\n\r\n");
	return status == 200 && body ? json_tokener_parse(body + 4) : NULL;
}

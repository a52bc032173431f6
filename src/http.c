/* http: FastCGI request loop (libfcgi), request building, reply writing. */
#include "http.h"

#include <errno.h>
#include <fcgiapp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "db.h"
#include "log.h"
#include "metrics.h"
#include "req.h"
#include "router.h"
#include "util.h"

int
http_init(void)
{
	return FCGX_Init() == 0 ? 0 : -1;
}

/* Hands the fresh socket to its group and mode; it was created 0600. */
static int
socket_restrict(const struct config *cfg, const char *path)
{
	if (cfg->socket_gid >= 0 &&
	    chown(path, (uid_t)-1, (gid_t)cfg->socket_gid) != 0) {
		log_error("http: socket_group: cannot give %s to group %s: %s"
			  " (haasd must be root or a member of that group)",
			  path, cfg->socket_group, strerror(errno));
		return -1;
	}
	if (chmod(path, (mode_t)cfg->socket_mode) != 0) {
		log_error("http: socket_mode: chmod %s: %s", path,
			  strerror(errno));
		return -1;
	}
	return 0;
}

int
http_listen(const struct config *cfg, const char *spec)
{
	bool unix_path = spec[0] == '/';
	mode_t old = 0;
	int fd;

	if (unix_path) {
		unlink(spec);	/* a stale socket from an unclean stop */
		old = umask(0177);
	}
	fd = FCGX_OpenSocket(spec, 1024);
	if (unix_path)
		umask(old);
	if (fd < 0) {
		log_error("http: cannot listen on %s: %s", spec, strerror(errno));
		return -1;
	}
	if (unix_path && socket_restrict(cfg, spec) != 0) {
		close(fd);
		unlink(spec);
		return -1;
	}
	return fd;
}

/* Reads the body into r's pool.  Refuses (413) before reading when the
 * declared length is over the limit, and while reading when the stream
 * runs past it (a lying CONTENT_LENGTH). */
static enum err
read_body(struct req *r, FCGX_Request *fr, long long max)
{
	const char *cl = FCGX_GetParam("CONTENT_LENGTH", fr->envp);
	long long declared = 0;
	struct buf b = { 0 };
	char chunk[16384];
	int n;

	if (cl && *cl && parse_ll(cl, 0, INT64_MAX, &declared))
		return ERR_BAD_REQUEST;
	if (declared > max)
		return ERR_TOO_LARGE;
	while ((n = FCGX_GetStr(chunk, sizeof(chunk), fr->in)) > 0) {
		if ((long long)(b.len + (size_t)n) > max) {
			buf_release(&b);
			return ERR_TOO_LARGE;
		}
		buf_add(&b, chunk, (size_t)n);
	}
	if ((long long)b.len < declared) {
		buf_release(&b);
		return ERR_BODY_TRUNCATED;
	}
	r->body = b.s ? req_strndup(r, b.s, b.len) : "";
	r->body_len = b.len;
	buf_release(&b);
	return ERR_OK;
}

static const char *
param(FCGX_Request *fr, const char *name)
{
	const char *v = FCGX_GetParam(name, fr->envp);

	return v && *v ? v : NULL;
}

/* Fills r from the FastCGI environment.  The path comes from the raw
 * REQUEST_URI so that escaped slashes stay inside their segment. */
static enum err
build_request(struct req *r, FCGX_Request *fr)
{
	const char *uri = param(fr, "REQUEST_URI");
	const char *q;
	long long max = r->app->cfg.max_body_bytes;

	r->method = param(fr, "REQUEST_METHOD");
	if (!r->method || !uri)
		return ERR_BAD_REQUEST;
	q = strchr(uri, '?');
	r->uri = q ? req_strndup(r, uri, (size_t)(q - uri)) : uri;
	r->query = param(fr, "QUERY_STRING");
	r->content_type = param(fr, "CONTENT_TYPE");
	r->authorization = param(fr, "HTTP_AUTHORIZATION");
	r->idempotency_key = param(fr, "HTTP_IDEMPOTENCY_KEY");
	r->device_key = param(fr, "HTTP_X_DEVICE_KEY");
	r->remote_addr = param(fr, "REMOTE_ADDR");
	r->request_id = param(fr, "REQUEST_ID");
	r->fault = param(fr, "HTTP_X_HAAS_FAULT");
	r->cookie = param(fr, "HTTP_COOKIE");
	r->origin = param(fr, "HTTP_ORIGIN");
	r->site_origin = param(fr, "HAAS_SITE_ORIGIN");
	r->profile = req_profile_parse(param(fr, "HAAS_PROFILE"));
	if (r->content_type &&
	    !strncmp(r->content_type, "multipart/form-data", 19))
		max = r->app->cfg.upload_max_bytes;
	return read_body(r, fr, max);
}

static void
write_reply(struct req *r, FCGX_Request *fr)
{
	const char *body = NULL;
	char head[256];
	size_t i;

	snprintf(head, sizeof(head), "Status: %d %s\r\n", r->status,
		 err_reason(r->status));
	FCGX_PutS(head, fr->out);
	for (i = 0; i < r->nheaders; i++) {
		FCGX_PutS(r->headers[i].key, fr->out);
		FCGX_PutS(": ", fr->out);
		FCGX_PutS(r->headers[i].val, fr->out);
		FCGX_PutS("\r\n", fr->out);
	}
	FCGX_PutS("Cache-Control: no-store\r\n", fr->out);
	if (r->reply) {
		FCGX_PutS("Content-Type: application/json; charset=utf-8\r\n",
			  fr->out);
		body = json_object_to_json_string_ext(r->reply,
			JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	} else if (r->text) {
		FCGX_PutS("Content-Type: ", fr->out);
		FCGX_PutS(r->text_type, fr->out);
		FCGX_PutS("\r\n", fr->out);
		body = r->text;
	}
	FCGX_PutS("\r\n", fr->out);
	if (body)
		FCGX_PutStr(body, (int)strlen(body), fr->out);
}

static long long
mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* The request log's line: nginx's request id, the route's pattern (never
 * the path, which may hold tokens, nor the query), the caller once
 * checked.  No header, body or query ever goes here. */
static void
log_request(const struct req *r, long long us)
{
	char user[24] = "-";

	if (r->user.id && !r->user.due)
		snprintf(user, sizeof(user), "%lld", r->user.id);
	log_info("request id=%s method=%s route=%s status=%d"
		 " duration_ms=%lld.%03lld user=%s",
		 r->request_id ? r->request_id : "-",
		 r->method ? r->method : "-",
		 r->route ? r->route->path : "unmatched", r->status,
		 us / 1000, us % 1000, user);
}

static void
handle_one(struct req *r, FCGX_Request *fr, struct metrics_slot *slot,
	   long long db_seen[2])
{
	long long start = mono_us(), us, errors, reconnects;
	enum err e;

	metrics_request_start(slot);
	e = build_request(r, fr);
	if (e == ERR_OK)
		router_handle(r);
	else
		router_render_error(r, e);
	if (r->status >= 500)
		log_warn("%s %s -> %d (request %s)", r->method ? r->method : "?",
			 r->uri ? r->uri : "?", r->status,
			 r->request_id ? r->request_id : "-");
	write_reply(r, fr);
	us = mono_us() - start;
	metrics_request_done(slot, r->route, r->status, us, r->replayed);
	db_stats(r->db, &errors, &reconnects);
	metrics_db(slot, errors, reconnects, db_seen);
	if (r->app->cfg.request_log)
		log_request(r, us);
}

void
http_serve(const struct app *app, struct db *db, int fd,
	   volatile sig_atomic_t *stop, const sigset_t *mask)
{
	struct metrics_slot *slot = metrics_claim(app->metrics);
	long long db_seen[2] = { 0, 0 };
	FCGX_Request fr;
	struct req r;

	FCGX_InitRequest(&fr, fd, FCGI_FAIL_ACCEPT_ON_INTR);
	req_init(&r, app, db);
	while (!*stop) {
		int rc;

		sigprocmask(SIG_UNBLOCK, mask, NULL);
		rc = *stop ? -1 : FCGX_Accept_r(&fr);
		sigprocmask(SIG_BLOCK, mask, NULL);
		if (rc < 0) {
			if (!*stop && errno != EINTR)
				log_warn("http: accept failed: %s", strerror(errno));
			continue;
		}
		handle_one(&r, &fr, slot, db_seen);
		FCGX_Finish_r(&fr);
		req_reset(&r);
	}
	FCGX_Free(&fr, 1);
}

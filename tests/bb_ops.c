/* bb_ops: what operators and clients see of the stack's edges: nginx's own
 * refusals are JSON with a code, whoever produced them; haasd's socket
 * admits nginx's workers and nobody else; the programs and scripts answer
 * --help, name settings as they were spelled; scripts/up comes up with its
 * defaults when another program holds one of its ports, and refuses a bad
 * HAAS_EXTRA_CONF without touching the running stack. */
#include <errno.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bb.h"
#include "cunit_main.h"
#include "util.h"

/* ---- raw requests -------------------------------------------------------- */

/* One request: method (NULL: GET) and path, sent over HTTP/1.1 or /2 with
 * the path exactly as written, to base (NULL: the stack's https URL); a
 * body goes as application/json, header is one more header line. */
struct raw {
	const char *base;
	const char *method;
	const char *path;
	bool http1;
	const char *header;
	const char *body;
	size_t body_len;
};

/* Free the answer with bb_free. */
static struct bb_resp *
raw_req(const struct raw *q)
{
	struct bb_how how = { .base = q->base, .http1 = q->http1,
			      .path_as_is = true };

	return bb_req_how(&how, q->method ? q->method : "GET", q->path,
			  q->body ? "application/json" : NULL, q->body,
			  q->body_len, q->header);
}

/* A string of n copies of c.  Caller frees. */
static char *
filled(size_t n, char c)
{
	char *s = xmalloc(n + 1);

	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* The refusal a client sees: this status, JSON with this code and a
 * sentence, the API's CORS header, never an HTML page. */
static void
expect_json_refusal(struct bb_resp *r, long status, const char *code,
		    const char *what)
{
	const char *ctype = bb_header(r, "Content-Type");

	if (r->status != status || strcmp(bb_str(r, "code"), code) != 0)
		fprintf(stderr, "  %s: got %ld %.80s\n", what, r->status,
			r->body);
	CU_ASSERT_EQUAL(r->status, status);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), code);
	CU_ASSERT(strlen(bb_str(r, "error")) > 0);
	CU_ASSERT_PTR_NOT_NULL(ctype);
	CU_ASSERT(ctype && strstr(ctype, "application/json") != NULL);
	CU_ASSERT_PTR_NOT_NULL(bb_header(r, "Access-Control-Allow-Origin"));
	CU_ASSERT_PTR_NULL(strstr(r->body, "<html"));
}

/* GET path over HTTP/1.1 and HTTP/2: both answer the same refusal. */
static void
expect_get_refused(const char *path, long status, const char *code)
{
	int v;

	for (v = 0; v < 2; v++) {
		struct raw q = { .path = path, .http1 = v == 0 };
		struct bb_resp *r = raw_req(&q);

		expect_json_refusal(r, status, code, path);
		bb_free(r);
	}
}

/* ---- nginx's own refusals ------------------------------------------------ */

static void
test_nul_in_path(void)
{
	expect_get_refused("/api/products/%00", 400, "bad_request");
	/* decoded, it climbs above the root: nginx refuses the line */
	expect_get_refused("/api/..%2f..%2fetc%2fpasswd", 400, "bad_request");
}

/* Paths that nginx decodes and squashes into a static file's path are
 * still API paths: never served from www/, always a JSON 404. */
static void
test_traversal_never_static(void)
{
	static const char *const paths[] = {
		"/api/..%2findex.html", "/api/..%2fnope",
		"/api/products/..%2f..%2findex.html",
		"/api/%2e%2e/index.html", "/api/../index.html",
		"//api/..%2findex.html", "/set-reservation/..%2findex.html",
		"/api",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(paths); i++)
		expect_get_refused(paths[i], 404, "not_found");
}

/* The landing page itself is untouched. */
static void
test_static_still_served(void)
{
	struct raw q = { .path = "/" };
	struct bb_resp *r = raw_req(&q);

	CU_ASSERT_EQUAL(r->status, 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r->body, "<html"));
	bb_free(r);
	q.path = "/index.html?next=..%2f";
	r = raw_req(&q);
	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);
}

/* Over HTTP/2 nginx ends the connection for a header field over its
 * buffer size (no answer to give), so these are HTTP/1.1 only. */
static void
test_uri_too_long(void)
{
	char *q20k = filled(20000, 'a');
	char *path = xasprintf("/api/products?q=%s", q20k);
	struct raw q = { .path = path, .http1 = true };
	struct bb_resp *r = raw_req(&q);

	expect_json_refusal(r, 414, "uri_too_long", "20 kB URL");
	bb_free(r);
	free(path);
	free(q20k);
}

static void
test_header_too_large(void)
{
	char *v = filled(65536, 'a');
	char *line = xasprintf("X-Big: %s", v);
	struct raw q = { .path = "/api/health", .http1 = true,
			 .header = line };
	struct bb_resp *r = raw_req(&q);

	expect_json_refusal(r, 431, "headers_too_large", "64 kB header");
	bb_free(r);
	free(line);
	free(v);
}

static void
test_trace(void)
{
	int v;

	for (v = 0; v < 2; v++) {
		struct raw q = { .method = "TRACE", .path = "/api/health",
				 .http1 = v == 0 };
		struct bb_resp *r = raw_req(&q);

		expect_json_refusal(r, 405, "method_not_allowed", "TRACE");
		bb_free(r);
	}
}

static void
test_body_too_large(void)
{
	size_t n = 2 * 1024 * 1024;
	char *big = filled(n, ' ');
	struct raw q = { .method = "POST", .path = "/api/auth/signup",
			 .body = big, .body_len = n };
	struct bb_resp *r = raw_req(&q);

	expect_json_refusal(r, 413, "too_large", "2 MB body");
	bb_free(r);
	free(big);
}

/* haasd stopped: nginx cannot reach the socket (502), as JSON. */
static void
test_haasd_down(void)
{
	struct bb_resp *r;
	char *cmd = xasprintf("kill -TERM $(cat %s/run/haasd.pid)",
			      getenv("HAAS_STATE_DIR"));
	int i;

	CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
	free(cmd);
	for (i = 0; i < 100; i++) {
		r = bb_get("/api/health", NULL);
		if (r->status == 502)
			break;
		bb_free(r);
		usleep(100000);
	}
	CU_ASSERT_FATAL(i < 100);
	expect_json_refusal(r, 502, "upstream_unavailable", "haasd down");
	bb_free(r);
	CU_ASSERT_EQUAL(bb_stack("haasd-restart"), 0);
	CU_ASSERT_TRUE(bb_wait_health(200, 20));
}

static void
preflight_of_refused(void)
{
	struct raw q = { .method = "OPTIONS", .path = "/api/products",
			 .header = "Origin: https://portal.example" };
	struct bb_resp *r = raw_req(&q);

	CU_ASSERT_EQUAL(r->status, 204);
	CU_ASSERT_PTR_NOT_NULL(bb_header(r, "Access-Control-Allow-Methods"));
	bb_free(r);
}

static void
test_events_wrong_method(void)
{
	struct raw q = { .method = "POST", .path = "/api/parking-spaces/events",
			 .body = "{}", .body_len = 2 };
	struct bb_resp *r = raw_req(&q);

	expect_json_refusal(r, 405, "method_not_allowed", "POST to events");
	bb_free(r);
}

struct flood {
	int limited, coded, retry_after, other;
};

static void
flood_login(int i, void *arg)
{
	struct flood *f = arg;
	struct bb_resp *r = bb_json("POST", "/api/auth/login", NULL,
				    "{\"username\": \"\"}");
	const char *retry = bb_header(r, "Retry-After");

	if (r->status == 429) {
		__sync_add_and_fetch(&f->limited, 1);
		if (!strcmp(bb_str(r, "code"), "rate_limited"))
			__sync_add_and_fetch(&f->coded, 1);
		if (retry && !strcmp(retry, "1"))
			__sync_add_and_fetch(&f->retry_after, 1);
	} else if (r->status != 400) {
		__sync_add_and_fetch(&f->other, 1);
	}
	bb_free(r);
}

/* nginx's limit_req on the login paths: 429 with its code.  The bucket
 * drains before the next program logs in. */
static void
test_rate_limited(void)
{
	struct flood f = { 0 };
	long long rate = 10, burst = 20;
	const char *v;

	if ((v = getenv("HAAS_LOGIN_BURST")))
		burst = strtoll(v, NULL, 10);
	if ((v = getenv("HAAS_LOGIN_RATE")))
		rate = strtoll(v, NULL, 10);
	bb_parallel((int)(burst + 80), flood_login, &f);
	CU_ASSERT(f.limited > 0);
	CU_ASSERT_EQUAL(f.coded, f.limited);
	CU_ASSERT_EQUAL(f.retry_after, f.limited);
	CU_ASSERT_EQUAL(f.other, 0);
	sleep((unsigned)(burst / (rate > 0 ? rate : 1) + 2));
}

/* ---- haasd's socket ------------------------------------------------------ */

static char *
socket_path(void)
{
	return xasprintf("%s/run/haasd.sock", getenv("HAAS_STATE_DIR"));
}

/* The group nginx's workers run as: the Gid line of a child of nginx's
 * master (its pid file in the state dir).  -1 when not found. */
static long
nginx_worker_gid(void)
{
	char *pidfile = xasprintf("%s/run/nginx.pid", getenv("HAAS_STATE_DIR"));
	char line[256], *path;
	long master = 0, worker = 0, gid = -1;
	FILE *f = fopen(pidfile, "r");

	free(pidfile);
	if (f && fgets(line, sizeof(line), f))
		master = strtol(line, NULL, 10);
	if (f)
		fclose(f);
	path = xasprintf("/proc/%ld/task/%ld/children", master, master);
	f = fopen(path, "r");
	free(path);
	if (f && fgets(line, sizeof(line), f))
		worker = strtol(line, NULL, 10);
	if (f)
		fclose(f);
	path = xasprintf("/proc/%ld/status", worker);
	f = worker > 0 ? fopen(path, "r") : NULL;
	free(path);
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "Gid:", 4))
			gid = strtol(line + 4, NULL, 10);
	if (f)
		fclose(f);
	return gid;
}

/* What a connect() to haasd's socket does for user pw, in a child: 0
 * connected, 1 refused for permissions, 2 refused otherwise, 3 the user
 * cannot even see the socket (then the test proves nothing). */
enum { PROBE_CONNECTED, PROBE_EACCES, PROBE_OTHER, PROBE_UNSEEN };

static int
probe_as(const struct passwd *pw, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, status;
	pid_t pid = fork();

	if (pid == 0) {
		if (setgroups(0, NULL) || setgid(pw->pw_gid) ||
		    setuid(pw->pw_uid))
			_exit(PROBE_OTHER);
		if (stat(path, &st) != 0)
			_exit(PROBE_UNSEEN);
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			_exit(PROBE_CONNECTED);
		_exit(errno == EACCES ? PROBE_EACCES : PROBE_OTHER);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return PROBE_OTHER;
	return WEXITSTATUS(status);
}

/* The socket is haasd's user's, in nginx's workers' group, mode 0660. */
static void
test_socket_owner_and_mode(void)
{
	char *path = socket_path();
	struct stat st;
	long gid = nginx_worker_gid();

	CU_ASSERT_EQUAL_FATAL(stat(path, &st), 0);
	CU_ASSERT(S_ISSOCK(st.st_mode));
	CU_ASSERT_EQUAL(st.st_mode & 07777, 0660);
	CU_ASSERT_EQUAL(st.st_uid, geteuid());	/* haasd runs as we do */
	CU_ASSERT(gid >= 0);
	CU_ASSERT_EQUAL((long)st.st_gid, gid);
	free(path);
}

/* A local user outside that group cannot speak FastCGI to haasd (and so
 * cannot forge REMOTE_ADDR or skip nginx's limits); nginx still can. */
static void
test_socket_refuses_strangers(void)
{
	const struct passwd *pw = getpwnam("nobody");
	char *path = socket_path();
	struct bb_resp *r;

	CU_ASSERT_PTR_NOT_NULL_FATAL(pw);
	CU_ASSERT_EQUAL_FATAL(geteuid(), 0);	/* to become nobody */
	CU_ASSERT_EQUAL(probe_as(pw, path), PROBE_EACCES);
	r = bb_get("/api/health", NULL);
	CU_ASSERT_EQUAL(r->status, 200);
	bb_free(r);
	free(path);
}

static CU_TestInfo socket_tests[] = {
	{ "socket: haasd's user, nginx's group, 0660",
	  test_socket_owner_and_mode },
	{ "socket: nobody cannot connect, nginx can",
	  test_socket_refuses_strangers },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo nginx_tests[] = {
	{ "%00 and a climb above the root: JSON 400", test_nul_in_path },
	{ "..%2f traversal: JSON 404, never www/",
	  test_traversal_never_static },
	{ "static pages still served", test_static_still_served },
	{ "20 kB URL: JSON 414", test_uri_too_long },
	{ "64 kB header: JSON 431", test_header_too_large },
	{ "TRACE: JSON 405", test_trace },
	{ "2 MB body: JSON 413 with its code", test_body_too_large },
	{ "haasd down: JSON 502", test_haasd_down },
	{ "preflight still answered", preflight_of_refused },
	{ "wrong method on the event stream: JSON 405",
	  test_events_wrong_method },
	{ "login flood: JSON 429 with Retry-After", test_rate_limited },
	CU_TEST_INFO_NULL,
};

/* ---- operator tools ------------------------------------------------------ */

/* Runs cmd through sh with stdout and stderr together; returns its exit
 * status (-1 when it did not exit) and its output in *out (caller
 * frees). */
static int
run(const char *cmd, char **out)
{
	char *full = xasprintf("%s 2>&1", cmd), chunk[4096];
	struct buf b = { 0 };
	FILE *p = popen(full, "r");
	size_t n;
	int status;

	free(full);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		buf_add(&b, chunk, n);
	status = pclose(p);
	*out = b.s ? b.s : xstrdup("");
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Runs cmd and checks its exit status and that its output contains want
 * (say what came instead when not). */
static void
expect_run(const char *cmd, int status, const char *want)
{
	char *out;
	int rc = run(cmd, &out);

	if (rc != status || !strstr(out, want))
		fprintf(stderr,
			"  %s: exit %d, wanted %d and \"%s\":\n%.600s\n", cmd,
			rc, status, want, out);
	CU_ASSERT_EQUAL(rc, status);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, want));
	free(out);
}

static char *
health_version(void)
{
	struct bb_resp *r = bb_get("/api/health", NULL);
	char *v = xstrdup(bb_str(r, "version"));

	bb_free(r);
	return v;
}

/* --help: usage on stdout, exit 0; --version: the version /api/health
 * reports; a wrong option: exit 2. */
static void
test_programs_help_version(void)
{
	static const char *const progs[] = { "haasd", "haasctl",
					     "haas-ingestd" };
	char *version = health_version(), *cmd, *want;
	size_t i;

	CU_ASSERT(strlen(version) > 0);
	for (i = 0; i < ARRAY_SIZE(progs); i++) {
		const char *build = getenv("HAAS_BUILD_DIR");

		cmd = xasprintf("%s/%s --help 2>/dev/null", build, progs[i]);
		want = xasprintf("usage: %s", progs[i]);
		expect_run(cmd, 0, want);
		free(cmd);
		free(want);
		cmd = xasprintf("%s/%s --version", build, progs[i]);
		want = xasprintf("%s %s\n", progs[i], version);
		expect_run(cmd, 0, want);
		free(cmd);
		free(want);
		cmd = xasprintf("%s/%s --no-such-option", build, progs[i]);
		expect_run(cmd, 2, "usage:");
		free(cmd);
	}
	free(version);
}

/* Every script prints its usage for --help and exits 0, touching nothing
 * (a scratch state and build dir, in case one ever runs instead). */
static void
test_scripts_help(void)
{
	static const char *const scripts[] = { "scripts/up", "scripts/down",
					       "scripts/test", "scripts/stack",
					       "bench/run" };
	char *scratch = xasprintf("%s/help-scratch", getenv("HAAS_STATE_DIR"));
	char *cmd, *want;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(scripts); i++) {
		cmd = xasprintf("HAAS_STATE_DIR=%s HAAS_BUILD_DIR=%s/build"
				" timeout 60 %s/%s --help 2>/dev/null", scratch,
				scratch, getenv("HAAS_SRC"), scripts[i]);
		want = xasprintf("usage: %s", scripts[i]);
		expect_run(cmd, 0, want);
		free(cmd);
		free(want);
	}
	cmd = xasprintf("HAAS_STATE_DIR=%s timeout 60 %s/scripts/down --bogus",
			scratch, getenv("HAAS_SRC"));
	expect_run(cmd, 2, "usage: scripts/down");
	free(cmd);
	cmd = xasprintf("rm -rf %s", scratch);
	CU_ASSERT_EQUAL(system(cmd), 0);
	free(cmd);
	free(scratch);
}

/* Without -c (and without HAAS_CONFIG) the programs read the installed
 * $(sysconfdir)/haas/haas.conf; HAAS_CONFIG and -c name another. */
static void
test_default_config_path(void)
{
	const char *build = getenv("HAAS_BUILD_DIR");
	const char *conf = getenv("HAAS_CONFIG");
	char *cmd, *want;
	bool installed = access(HAAS_CONF_DEFAULT, F_OK) == 0;

	cmd = xasprintf("env -u HAAS_CONFIG %s/haasctl check-config", build);
	if (installed)	/* a make install on this machine */
		expect_run(cmd, 0, "configuration ok: " HAAS_CONF_DEFAULT);
	else
		expect_run(cmd, 2, "cannot open " HAAS_CONF_DEFAULT);
	free(cmd);
	if (!installed) {	/* else haasd would start for real */
		cmd = xasprintf("env -u HAAS_CONFIG %s/haasd", build);
		expect_run(cmd, 2, "cannot open " HAAS_CONF_DEFAULT);
		free(cmd);
	}
	cmd = xasprintf("%s/haasctl check-config", build);
	want = xasprintf("configuration ok: %s", conf);
	expect_run(cmd, 0, want);
	free(cmd);
	free(want);
}

/* A bad value names the setting as the operator spelled it: the
 * environment key in upper case, the file key in lower case. */
static void
test_error_names_env_key(void)
{
	const char *build = getenv("HAAS_BUILD_DIR");
	const char *conf = getenv("HAAS_CONFIG");
	char *cmd;

	cmd = xasprintf("HAAS_DATABASE_URL=postgres://x %s/haasctl -c %s"
			" check-config", build, conf);
	expect_run(cmd, 2, "HAAS_DATABASE_URL: expected mariadb://");
	free(cmd);
	cmd = xasprintf("HAAS_WORKERS=many %s/haasd -c %s", build, conf);
	expect_run(cmd, 2, "HAAS_WORKERS: expected an integer");
	free(cmd);
	cmd = xasprintf("env -u HAAS_DATABASE_URL -u HAAS_DATABASE_URL_FILE"
			" %s/haasctl -c /dev/null check-config", build);
	expect_run(cmd, 2, "HAAS_DATABASE_URL or HAAS_DATABASE_URL_FILE");
	free(cmd);
}

/* ---- sites of the installed layout --------------------------------------- */

static char *
file_text(const char *path)
{
	char *cmd = xasprintf("cat '%s'", path), *out;

	run(cmd, &out);
	free(cmd);
	return out;
}

static void
write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
}

/* make install DESTDIR=D, the administrator's sites file, haas-sites
 * --destdir D: one server block per site with the installed paths, and
 * nginx -t accepts the whole installed configuration (moved under D with
 * a certificate, as postinst or the admin would provide).  A bad sites
 * file changes nothing; a second make install keeps the admin's files. */
static void
test_installed_sites(void)
{
	const char *build = getenv("HAAS_BUILD_DIR");
	char *d = xasprintf("%s/install-scratch", getenv("HAAS_STATE_DIR"));
	char *etc = xstrdup(HAAS_CONF_DEFAULT), *cmd, *out, *conf, *sites, *want;

	*strrchr(etc, '/') = '\0';	/* $(sysconfdir)/haas */
	cmd = xasprintf("rm -rf %s && make -s -C %s install DESTDIR=%s >/dev/null"
			" && echo installed", d, build, d);
	expect_run(cmd, 0, "installed");
	free(cmd);

	sites = xasprintf("%s%s/sites", d, etc);
	out = file_text(sites);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "PROFILE:HOST[:ROOT]"));
	free(out);
	cmd = xasprintf("mkdir -p %s/srv/msmp && echo portal > %s/srv/msmp/index.html", d, d);
	CU_ASSERT_EQUAL(system(cmd), 0);
	free(cmd);
	write_text(sites, "# the lab's sites\n"
			  "msmp:msmp.lab.example:/srv/msmp   # the portal\n"
			  "electroports:shop.lab.example haas-react:haas.lab.example\n");
	cmd = xasprintf("%s%s/haas-sites --destdir %s", d, HAAS_SBIN_DIR, d);
	expect_run(cmd, 0, "3 site(s)");

	free(cmd);
	conf = xasprintf("%s%s/nginx/sites.conf", d, etc);
	out = file_text(conf);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "server_name msmp.lab.example;"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "root /srv/msmp;"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "set $haas_profile electroports;"));
	want = xasprintf("root %s/sites/shop.lab.example;", HAAS_STATE_DEFAULT);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, want));
	free(want);
	want = xasprintf("include %s/nginx/site-tls.conf;", etc);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, want));
	free(want);
	CU_ASSERT_PTR_NULL(strstr(out, "@STATE@"));
	CU_ASSERT_PTR_NULL(strstr(out, "@SITE_"));
	free(out);

	/* The whole installed configuration under D: nginx -t. */
	cmd = xasprintf("D=%s E=%s V=%s; cd $D && for f in .$E/nginx/*.conf; do"
			" sed -i -e \"s|$V|$D$V|g\" -e \"s|/run/haas|$D/run/haas|g\""
			" -e \"s| /srv/msmp;| $D/srv/msmp;|\" -e \"s|$E/|$D$E/|g\" \"$f\"; done"
			" && mkdir -p .$E/tls .$V/log .$V/run .$V/nginx/tmp run/haas"
			" && openssl req -x509 -newkey rsa:2048 -nodes -days 1"
			" -subj /CN=localhost -keyout .$E/tls/key.pem"
			" -out .$E/tls/cert.pem 2>/dev/null"
			" && nginx -t -p $D$V/ -c $D$E/nginx/nginx.conf -e /dev/stderr",
			d, etc, HAAS_STATE_DEFAULT);
	expect_run(cmd, 0, "test is successful");
	free(cmd);

	/* A bad entry: refused, sites.conf as it was. */
	out = file_text(conf);
	write_text(sites, "msmp:msmp.lab.example:/srv/msmp\nkiosk:kiosk.lab.example\n");
	cmd = xasprintf("%s%s/haas-sites --destdir %s", d, HAAS_SBIN_DIR, d);
	expect_run(cmd, 1, "unknown profile 'kiosk'");
	free(cmd);
	write_text(sites, "msmp:msmp.lab.example:/srv/nothing-here\n");
	cmd = xasprintf("%s%s/haas-sites --destdir %s", d, HAAS_SBIN_DIR, d);
	expect_run(cmd, 1, "does not exist");
	free(cmd);
	{
		char *after = file_text(conf);

		CU_ASSERT_STRING_EQUAL(after, out);
		free(after);
	}
	free(out);

	/* An upgrade (make install again) keeps the admin's files. */
	cmd = xasprintf("make -s -C %s install DESTDIR=%s >/dev/null && grep -c nothing-here %s"
			" && grep -c msmp.lab.example %s", build, d, sites, conf);
	expect_run(cmd, 0, "1\n");
	free(cmd);
	cmd = xasprintf("rm -rf %s", d);
	CU_ASSERT_EQUAL(system(cmd), 0);
	free(cmd);
	free(conf);
	free(sites);
	free(etc);
	free(d);
}

static CU_TestInfo tool_tests[] = {
	{ "--help and --version", test_programs_help_version },
	{ "scripts --help", test_scripts_help },
	{ "default configuration file", test_default_config_path },
	{ "errors name HAAS_* keys as spelled", test_error_names_env_key },
	{ "sites of the installed layout (haas-sites)", test_installed_sites },
	CU_TEST_INFO_NULL,
};

/* ---- scripts/up next to a foreign listener ------------------------------- */

/* A second stack started by scripts/up in dev mode (state dir inside the
 * test's, the test build, explicit web ports), while this process holds
 * 127.0.0.1:1883, the dev MQTT default, as a system mosquitto would. */
struct probe {
	char *state;
	char *env;		/* the environment prefix of every command */
	char *base;		/* its https URL */
	int https, http, smtp;
	int holder;		/* our listener on 1883, or -1 */
};

static struct probe probe;

/* A listening socket on 127.0.0.1:port, or -1 (errno EADDRINUSE: someone
 * else holds it already). */
static int
listen_on(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons((unsigned short)port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(fd, 4) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The first port from start up that nothing listens on. */
static int
free_port(int start)
{
	int p, fd;

	for (p = start; p < start + 200; p++) {
		fd = listen_on(p);
		if (fd >= 0) {
			close(fd);
			return p;
		}
	}
	return -1;
}

static int
test_port(void)
{
	const char *url = getenv("HAAS_TEST_URL"), *colon = strrchr(url, ':');

	return colon ? (int)strtol(colon + 1, NULL, 10) : 18443;
}

static int
probe_init(void)
{
	probe.state = xasprintf("%s/up-probe", getenv("HAAS_STATE_DIR"));
	probe.https = free_port(test_port() + 10);
	probe.http = free_port(probe.https + 1);
	probe.smtp = free_port(probe.http + 1);
	probe.base = xasprintf("https://localhost:%d", probe.https);
	probe.env = xasprintf(
		"env -u HAAS_MQTT_PORT -u HAAS_RECEIVER_PORT"
		" -u HAAS_CONFIG -u HAAS_EXTRA_CONF HAAS_STATE_DIR=%s"
		" HAAS_HTTPS_PORT=%d HAAS_HTTP_PORT=%d HAAS_SMTP_PORT=%d"
		" HAAS_BUILD_DIR=%s", probe.state, probe.https, probe.http,
		probe.smtp, getenv("HAAS_BUILD_DIR"));
	probe.holder = listen_on(1883);
	return probe.https > 0 && probe.http > 0 && probe.smtp > 0 ? 0 : 1;
}

/* Stops whatever the probe left running and removes its state dir. */
static int
probe_cleanup(void)
{
	char *cmd = xasprintf("%s timeout 120 %s/scripts/down >/dev/null 2>&1;"
			      " rm -rf %s", probe.env, getenv("HAAS_SRC"),
			      probe.state);
	int rc = system(cmd);

	free(cmd);
	if (probe.holder >= 0)
		close(probe.holder);
	free(probe.state);
	free(probe.env);
	free(probe.base);
	return rc == 0 ? 0 : 1;
}

/* scripts/up --no-build with more environment (NAME=VALUE ..., or ""); its
 * exit status and output (caller frees). */
static int
probe_up_env(const char *env, char **out)
{
	char *cmd = xasprintf("%s %s timeout 300 %s/scripts/up --no-build",
			      probe.env, env, getenv("HAAS_SRC"));
	int rc = run(cmd, out);

	free(cmd);
	return rc;
}

/* scripts/up --no-build [with HAAS_EXTRA_CONF=extra]. */
static int
probe_up(const char *extra, char **out)
{
	char *env = extra ? xasprintf("HAAS_EXTRA_CONF='%s'", extra) : xstrdup("");
	int rc = probe_up_env(env, out);

	free(env);
	return rc;
}

/* GET /api/health of the probe at base (its own when NULL). */
static long
probe_health_at(const char *base)
{
	struct raw q = { .base = base ? base : probe.base, .path = "/api/health" };
	struct bb_resp *r = raw_req(&q);
	long status = r->status;

	bb_free(r);
	return status;
}

static long
probe_health(void)
{
	return probe_health_at(NULL);
}

/* The probe's file, whole (caller frees; "" when absent). */
static char *
probe_file(const char *name)
{
	char *path = xasprintf("%s/%s", probe.state, name), chunk[4096];
	struct buf b = { 0 };
	FILE *f = fopen(path, "r");
	size_t n;

	free(path);
	while (f && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	if (f)
		fclose(f);
	return b.s ? b.s : xstrdup("");
}

/* The MQTT port the probe's haasd and haas-ingestd were configured with. */
static long
probe_mqtt_port(void)
{
	char *conf = probe_file("haas.conf"), *p = strstr(conf, "mqtt_port = ");
	long port = p ? strtol(p + strlen("mqtt_port = "), NULL, 10) : 0;

	free(conf);
	return port;
}

/* 1883 is held by another program: up still comes up with its defaults,
 * the broker (and haas-ingestd with it) on another port, said so. */
static void
test_up_beside_foreign_mqtt(void)
{
	char *out, *want;
	int rc = probe_up(NULL, &out);
	long mqtt = probe_mqtt_port();

	if (rc != 0)
		fprintf(stderr, "  scripts/up: exit %d:\n%s\n", rc, out);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	want = xasprintf("haas is up:  %s/", probe.base);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, want));
	free(want);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "port 1883 is held by another"
					   " program; using "));
	CU_ASSERT(mqtt > 1883);
	want = xasprintf("mqtt broker: 127.0.0.1:%ld ", mqtt);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, want));
	free(want);
	CU_ASSERT_EQUAL(probe_health(), 200);
	free(out);
	want = xasprintf("%s %s/scripts/stack status", probe.env,
			 getenv("HAAS_SRC"));
	expect_run(want, 0, "ingestd    running");
	expect_run(want, 0, "mosquitto  running");
	expect_run(want, 0, "postfix    running");
	free(want);
}

/* Run again, the running broker keeps its port. */
static void
test_up_again_keeps_ports(void)
{
	long before = probe_mqtt_port();
	char *out;
	int rc = probe_up(NULL, &out);

	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_EQUAL(probe_mqtt_port(), before);
	CU_ASSERT_EQUAL(probe_health(), 200);
	free(out);
}

/* A bad HAAS_EXTRA_CONF line stops up with haasctl's message naming the
 * key; the live haas.conf and the running stack are untouched. */
static void
test_up_refuses_bad_extra_conf(void)
{
	char *before = probe_file("haas.conf"), *after, *out;
	int rc = probe_up("workers = lots", &out);

	after = probe_file("haas.conf");
	CU_ASSERT_NOT_EQUAL(rc, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "workers: expected an integer"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "HAAS_EXTRA_CONF"));
	CU_ASSERT(strlen(before) > 0);
	CU_ASSERT_STRING_EQUAL(after, before);
	CU_ASSERT_EQUAL(probe_health(), 200);
	free(before);
	free(after);
	free(out);
}

/* Something listens on addr:port (TCP). */
static bool
listening(const char *addr, long port)
{
	char *cmd = xasprintf("ss -Hltn 'src %s:%ld' | grep -q .", addr, port);
	int rc = system(cmd);

	free(cmd);
	return rc == 0;
}

/* HAAS_BIND_ADDRESS moves nginx (the main site and the sites), the broker
 * and the mail server to another address, said so; and back. */
static void
test_up_listen_elsewhere(void)
{
	char *other = xasprintf("https://127.0.0.2:%d", probe.https), *out;
	long mqtt = probe_mqtt_port();
	int rc = probe_up_env("HAAS_BIND_ADDRESS=127.0.0.2", &out);

	if (rc != 0)
		fprintf(stderr, "  scripts/up: exit %d:\n%s\n", rc, out);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "listening:   127.0.0.2 (HAAS_BIND_ADDRESS)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "https://127.0.0.2:"));
	free(out);
	CU_ASSERT_EQUAL(probe_health_at(other), 200);
	CU_ASSERT_EQUAL(probe_health(), 0);	/* not on 127.0.0.1 any more */
	CU_ASSERT(listening("127.0.0.2", mqtt));
	CU_ASSERT(!listening("127.0.0.1", mqtt));
	CU_ASSERT(listening("127.0.0.2", probe.smtp));
	CU_ASSERT(!listening("127.0.0.1", probe.smtp));
	CU_ASSERT_EQUAL(probe_up_env("HAAS_BIND_ADDRESS=not-an-address", &out), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "HAAS_BIND_ADDRESS: 'not-an-address' is not an IPv4 address"));
	free(out);
	CU_ASSERT_EQUAL(probe_up_env("HAAS_BIND_ADDRESS=127.0.0.1", &out), 0);
	free(out);
	CU_ASSERT_EQUAL(probe_health(), 200);
	CU_ASSERT(listening("127.0.0.1", mqtt));
	CU_ASSERT(listening("127.0.0.1", probe.smtp));
	free(other);
}

static void
test_down_stops_probe(void)
{
	char *cmd = xasprintf("%s %s/scripts/down", probe.env,
			      getenv("HAAS_SRC"));

	expect_run(cmd, 0, "stopped");
	CU_ASSERT_EQUAL(probe_health(), 0);	/* nobody answers */
	CU_ASSERT(!listening("127.0.0.1", probe.smtp));
	free(cmd);
}

static CU_TestInfo up_tests[] = {
	{ "up with 1883 held by another program", test_up_beside_foreign_mqtt },
	{ "up again keeps the running ports", test_up_again_keeps_ports },
	{ "up refuses a bad HAAS_EXTRA_CONF", test_up_refuses_bad_extra_conf },
	{ "HAAS_BIND_ADDRESS moves nginx, the broker and mail",
	  test_up_listen_elsewhere },
	{ "down stops it", test_down_stops_probe },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	SUITE("haasd socket", socket_tests),
	SUITE("operator tools", tool_tests),
	{ .pName = "scripts/up", .pInitFunc = probe_init,
	  .pCleanupFunc = probe_cleanup, .pSetUpFunc = NULL,
	  .pTearDownFunc = NULL, .pTests = up_tests },
	SUITE("nginx refusals", nginx_tests),
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	bb_init();
	return cunit_run(suites);
}

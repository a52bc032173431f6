/* bb: libcurl-based helpers for the black-box tests. */
#include "bb.h"

#include <ctype.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "util.h"

struct bb_env {
	const char *url;
	const char *http_url;
	const char *src;
	const char *admin_file;
	struct config cfg;
	struct config root_cfg;	/* cfg as MariaDB's root */
	struct db *db;
};

/* Test-process state, set once in bb_init before any thread starts. */
static struct bb_env env;

void
bb_init(void)
{
	char err[256];

	env.url = getenv("HAAS_TEST_URL");
	env.http_url = getenv("HAAS_TEST_HTTP_URL");
	env.src = getenv("HAAS_SRC");
	env.admin_file = getenv("HAAS_ADMIN_PASSWORD_FILE");
	if (!env.url || !env.src) {
		fprintf(stderr, "bb: HAAS_TEST_URL and HAAS_SRC must be set (run scripts/test)\n");
		exit(2);
	}
	if (config_load(&env.cfg, getenv("HAAS_CONFIG"), err, sizeof(err))) {
		fprintf(stderr, "bb: %s\n", err);
		exit(2);
	}
	env.db = db_new(&env.cfg);
	curl_global_init(CURL_GLOBAL_ALL);
}

static size_t
on_body(char *p, size_t size, size_t n, void *userdata)
{
	buf_add(userdata, p, size * n);
	return size * n;
}

static size_t
on_header(char *p, size_t size, size_t n, void *userdata)
{
	struct buf *b = userdata;
	size_t len = size * n, i, start = b->len;

	buf_add(b, p, len);
	for (i = start; i < b->len && b->s[i] != ':'; i++)
		b->s[i] = (char)tolower((unsigned char)b->s[i]);
	return len;
}

/* A site's cookies live in a share, and each request has a handle of its
 * own: libcurl 7.88 leaks the CURLOPT_COOKIEFILE list of a handle that
 * curl_easy_reset clears (one per request, which LeakSanitizer reports). */
struct bb_site {
	CURLSH *sh;
	char *origin;
	struct curl_slist *resolve;
};

/* The stack's port, from HAAS_TEST_URL ("https://localhost:18443"). */
static const char *
stack_port(void)
{
	const char *p = strrchr(env.url, ':');

	return p && p[1] != '/' ? p + 1 : "443";
}

struct bb_site *
bb_site_new(const char *host)
{
	struct bb_site *s = xcalloc(1, sizeof(*s));
	char *line = xasprintf("%s:%s:127.0.0.1", host, stack_port());

	s->origin = xasprintf("https://%s:%s", host, stack_port());
	s->resolve = curl_slist_append(NULL, line);
	s->sh = curl_share_init();
	curl_share_setopt(s->sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_COOKIE);
	free(line);
	return s;
}

void
bb_site_free(struct bb_site *s)
{
	if (!s)
		return;
	curl_share_cleanup(s->sh);
	curl_slist_free_all(s->resolve);
	free(s->origin);
	free(s);
}

const char *
bb_site_origin(const struct bb_site *s)
{
	return s->origin;
}

/* A handle for one request on the site, with the site's cookies. */
static CURL *
site_handle(struct bb_site *s)
{
	CURL *c = curl_easy_init();

	curl_easy_setopt(c, CURLOPT_SHARE, s->sh);
	curl_easy_setopt(c, CURLOPT_COOKIEFILE, "");
	curl_easy_setopt(c, CURLOPT_RESOLVE, s->resolve);
	return c;
}

/* extra's header lines ("A: b\r\nC: d") onto hdrs, one entry each. */
static struct curl_slist *
append_lines(struct curl_slist *hdrs, const char *extra)
{
	char *copy, *line, *save = NULL;

	if (!extra)
		return hdrs;
	copy = xstrdup(extra);
	for (line = strtok_r(copy, "\r\n", &save); line;
	     line = strtok_r(NULL, "\r\n", &save))
		hdrs = curl_slist_append(hdrs, line);
	free(copy);
	return hdrs;
}

static struct bb_resp *
perform(const struct bb_how *how, const char *method, const char *path,
	const char *token, const char *ctype, const char *body, size_t len,
	const char *extra)
{
	struct bb_resp *r = xcalloc(1, sizeof(*r));
	struct buf b = { 0 }, h = { 0 };
	struct curl_slist *hdrs = NULL;
	char *url = xasprintf("%s%s", how->site ? bb_site_origin(how->site)
			      : how->base ? how->base : env.url, path);
	char *line;
	CURL *c = how->site ? site_handle(how->site) : curl_easy_init();

	if (how->site)
		token = how->token;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_PATH_AS_IS, how->path_as_is ? 1L : 0L);
	if (how->http1)
		curl_easy_setopt(c, CURLOPT_HTTP_VERSION,
				 CURL_HTTP_VERSION_1_1);
	if (how->source) {
		line = xasprintf("host!%s", how->source);
		curl_easy_setopt(c, CURLOPT_INTERFACE, line);
		free(line);
	}
	/* A site's client checks the certificate names its host, as a lab PC
	 * that trusts the stack's certificate does (README, "Sites"). */
	if (how->site && getenv("HAAS_TEST_CA")) {
		curl_easy_setopt(c, CURLOPT_CAINFO, getenv("HAAS_TEST_CA"));
	} else {
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &h);
	if (!strcmp(method, "HEAD"))
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	}
	hdrs = curl_slist_append(hdrs, "Expect:");
	if (ctype) {
		line = xasprintf("Content-Type: %s", ctype);
		hdrs = curl_slist_append(hdrs, line);
		free(line);
	}
	if (token) {
		line = xasprintf("Authorization: Bearer %s", token);
		hdrs = curl_slist_append(hdrs, line);
		free(line);
	}
	hdrs = append_lines(hdrs, extra);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	r->body = b.s ? b.s : xstrdup("");
	r->body_len = b.len;
	r->headers = h.s ? h.s : xstrdup("");
	if (r->body_len)
		r->json = json_tokener_parse(r->body);
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(c);
	free(url);
	if (!how->site && !how->base && !how->unchecked)
		bb_spec_check(method, path, r);
	return r;
}

struct bb_resp *
bb_req_unchecked(const char *method, const char *path)
{
	static const struct bb_how how = { .unchecked = true };

	return perform(&how, method, path, NULL, NULL, NULL, 0, NULL);
}

struct bb_resp *
bb_req(const char *method, const char *path, const char *token,
       const char *ctype, const char *body, size_t len, const char *extra)
{
	static const struct bb_how how = { 0 };

	return perform(&how, method, path, token, ctype, body, len, extra);
}

struct bb_resp *
bb_req_how(const struct bb_how *how, const char *method, const char *path,
	   const char *ctype, const char *body, size_t len, const char *extra)
{
	return perform(how, method, path, NULL, ctype, body, len, extra);
}

struct bb_resp *
bb_site_req(struct bb_site *s, const char *method, const char *path,
	    const char *ctype, const char *body, const char *extra)
{
	struct bb_how how = { .site = s };

	return perform(&how, method, path, NULL, ctype, body,
		       body ? strlen(body) : 0, extra);
}

struct bb_resp *
bb_site_json(struct bb_site *s, const char *method, const char *path,
	     const char *json)
{
	char *origin = xasprintf("Origin: %s", s->origin);
	struct bb_resp *r = bb_site_req(s, method, path,
					json ? "application/json" : NULL, json,
					origin);

	free(origin);
	return r;
}

struct bb_resp *
bb_req_http(const char *method, const char *path)
{
	struct bb_how how = { .base = env.http_url };

	return perform(&how, method, path, NULL, NULL, NULL, 0, NULL);
}

struct bb_resp *
bb_get(const char *path, const char *token)
{
	return bb_req("GET", path, token, NULL, NULL, 0, NULL);
}

struct bb_resp *
bb_json(const char *method, const char *path, const char *token,
	const char *json)
{
	return bb_req(method, path, token, "application/json", json,
		      json ? strlen(json) : 0, NULL);
}

void
bb_free(struct bb_resp *r)
{
	if (!r)
		return;
	json_object_put(r->json);
	free(r->body);
	free(r->headers);
	free(r);
}

const char *
bb_str(const struct bb_resp *r, const char *key)
{
	json_object *v;

	if (!r->json || !json_object_object_get_ex(r->json, key, &v) || !v)
		return "";
	return json_object_get_string(v);
}

int
bb_len(const struct bb_resp *r, const char *key)
{
	json_object *v;

	if (!r->json || !json_object_object_get_ex(r->json, key, &v) ||
	    !json_object_is_type(v, json_type_array))
		return -1;
	return (int)json_object_array_length(v);
}

const char *
bb_header(struct bb_resp *r, const char *name)
{
	char *want = xasprintf("\n%s:", name), *p;
	static __thread char value[1024];

	ascii_lower(want);
	p = strstr(r->headers, want);
	free(want);
	if (!p)
		return NULL;
	p = strchr(p, ':') + 1;
	while (*p == ' ')
		p++;
	snprintf(value, sizeof(value), "%.*s", (int)strcspn(p, "\r\n"), p);
	return value;
}

char *
bb_unique(const char *prefix)
{
	static int counter;
	int n = __sync_add_and_fetch(&counter, 1);

	return xasprintf("%s_%ld_%d", prefix, (long)getpid(), n);
}

struct bb_resp *
bb_login(const char *username, const char *password)
{
	char *body = xasprintf("{\"username\": \"%s\", \"password\": \"%s\"}",
			       username, password);
	struct bb_resp *r = bb_json("POST", "/api/auth/login", NULL, body);

	free(body);
	return r;
}

char *
bb_new_user(const char *prefix, long long *uid)
{
	char *name = bb_unique(prefix), *body, *token = NULL;
	struct bb_resp *r;

	body = xasprintf("{\"username\": \"%s\", \"password\": \"Tr0ub4dor&3x\"}",
			 name);
	r = bb_json("POST", "/api/auth/signup", NULL, body);
	bb_free(r);
	r = bb_login(name, "Tr0ub4dor&3x");
	if (r->status == 200) {
		token = xstrdup(bb_str(r, "access_token"));
		if (uid)
			*uid = strtoll(bb_str(r, "user_id"), NULL, 10);
	}
	bb_free(r);
	free(body);
	free(name);
	return token ? token : xstrdup("");
}

char *
bb_admin_token(void)
{
	char line[512], user[512] = "admin", pass[512] = "";
	FILE *f = env.admin_file ? fopen(env.admin_file, "r") : NULL;
	struct bb_resp *r;
	char *token;

	while (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (!strncmp(line, "username=", 9))
			snprintf(user, sizeof(user), "%s", line + 9);
		else if (!strncmp(line, "password=", 9))
			snprintf(pass, sizeof(pass), "%s", line + 9);
	}
	if (f)
		fclose(f);
	r = bb_login(user, pass);
	token = xstrdup(bb_str(r, "access_token"));
	bb_free(r);
	return token;
}

void
bb_tally(struct bb_tally *t, struct bb_resp *r, long want)
{
	int *slot = r->status == want ? &t->ok
		  : r->status == 409 ? &t->conflict : &t->other;

	__sync_add_and_fetch(slot, 1);
	bb_free(r);
}

struct par {
	void (*fn)(int, void *);
	void *arg;
	int i;
	pthread_barrier_t *gate;
};

static void *
par_main(void *p)
{
	struct par *a = p;

	pthread_barrier_wait(a->gate);
	a->fn(a->i, a->arg);
	return NULL;
}

void
bb_parallel(int n, void (*fn)(int i, void *arg), void *arg)
{
	pthread_t *t = xcalloc((size_t)n, sizeof(*t));
	struct par *a = xcalloc((size_t)n, sizeof(*a));
	pthread_barrier_t gate;
	int i;

	pthread_barrier_init(&gate, NULL, (unsigned)n);
	for (i = 0; i < n; i++) {
		a[i] = (struct par){ fn, arg, i, &gate };
		pthread_create(&t[i], NULL, par_main, &a[i]);
	}
	for (i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&gate);
	free(a);
	free(t);
}

struct db *
bb_db(void)
{
	return env.db;
}

struct db *
bb_db_new(void)
{
	return db_new(&env.cfg);
}

int
bb_pool_size(void)
{
	return config_workers(&env.cfg);
}

struct db *
bb_db_root(void)
{
	static char root[] = "root", none[] = "";

	env.root_cfg = env.cfg;
	env.root_cfg.db_user = root;
	env.root_cfg.db_password = none;
	return db_new(&env.root_cfg);
}

const char *
bb_sub(const struct bb_resp *r, const char *obj, const char *key)
{
	json_object *o, *v;

	if (!r->json || !json_object_object_get_ex(r->json, obj, &o) ||
	    !json_object_object_get_ex(o, key, &v) || !v)
		return "";
	return json_object_get_string(v);
}

long long
bb_sub_id(const struct bb_resp *r, const char *obj, const char *key)
{
	return strtoll(bb_sub(r, obj, key), NULL, 10);
}

int
bb_register(const char *email, const char *plate, const char *doc_arg,
	    const char *extra, char **body)
{
	char *out = xasprintf("/tmp/bb_register_%ld.out", (long)getpid());
	char *cmd = xasprintf("curl -s --cacert '%s' -o '%s'"
		" -w '%%{http_code}' -F 'name=Ana Driver' -F 'email=%s'"
		" -F 'password=Tr0ub4dor&3x' -F 'plate_number=%s' %s %s"
		" '%s/api/register'", getenv("HAAS_TEST_CA"), out, email, plate,
		doc_arg, extra, env.url);
	FILE *p = popen(cmd, "r");
	char code[8] = { 0 };
	FILE *f;
	long n;

	if (p) {
		if (!fgets(code, sizeof(code), p))
			code[0] = '\0';
		pclose(p);
	}
	free(cmd);
	*body = xcalloc(1, 4096);
	f = fopen(out, "r");
	if (f) {
		n = (long)fread(*body, 1, 4095, f);
		(*body)[n > 0 ? n : 0] = '\0';
		fclose(f);
	}
	unlink(out);
	free(out);
	return (int)strtol(code, NULL, 10);
}

long long
bb_db_int(const char *sql, const struct db_param *p, size_t np)
{
	struct db_rows *rows;
	long long v = 0;

	if (db_query(env.db, sql, p, np, 1, &rows) != ERR_OK)
		return -1;
	if (db_next(rows))
		v = db_col_int(rows, 0);
	db_rows_free(rows);
	return v;
}

int
bb_stack(const char *args)
{
	char *cmd = xasprintf("%s/scripts/stack %s >/dev/null 2>&1", env.src,
			      args);
	int rc = system(cmd);

	free(cmd);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

bool
bb_wait_health(long want, int seconds)
{
	int i;

	for (i = 0; i < seconds * 5; i++) {
		struct bb_resp *r = bb_get("/api/health", NULL);
		bool ok = r->status == want;

		bb_free(r);
		if (ok)
			return true;
		usleep(200000);
	}
	return false;
}

/* inbox: what the test stack delivered, read back for black-box tests: the
 * Maildir postfix writes (one file per message, HAAS_TEST_MAILDIR) and the
 * webhook receiver's log (one JSON line per request, HAAS_TEST_WEBHOOK_LOG).
 * Declared in bb.h. */
#include "bb.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

/* getenv(name), else $HAAS_STATE_DIR/tail.  Caller frees. */
static char *
env_path(const char *name, const char *tail)
{
	const char *v = getenv(name), *state = getenv("HAAS_STATE_DIR");

	if (v && *v)
		return xstrdup(v);
	return xasprintf("%s/%s", state && *state ? state : ".", tail);
}

/* The whole file with a trailing NUL, or NULL.  Caller frees. */
static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	struct buf b = { 0 };
	char chunk[4096];
	size_t got;

	if (!f)
		return NULL;
	for (;;) {
		got = fread(chunk, 1, sizeof(chunk), f);
		if (got == 0)
			break;
		buf_add(&b, chunk, got);
	}
	fclose(f);
	return b.s ? b.s : xstrdup("");
}

static void
crlf_to_lf(char *s)
{
	char *w = s;

	for (; *s; s++)
		if (s[0] != '\r' || s[1] != '\n')
			*w++ = *s;
	*w = '\0';
}

static int
hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* s[0..n) without leading and trailing white space.  Caller frees. */
static char *
trimmed(const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return xstrndup(s, n);
}

/* ---------------------------------------------------------- decoding */

/* Standard base64 (any white space skipped) appended to out; false when
 * it is not base64. */
static bool
base64_into(const char *s, size_t n, struct buf *out)
{
	char *url = xmalloc(n + 1);
	unsigned char *bytes;
	size_t i, len = 0, got;

	for (i = 0; i < n; i++) {
		if (isspace((unsigned char)s[i]) || s[i] == '=')
			continue;
		url[len++] = s[i] == '+' ? '-' : s[i] == '/' ? '_' : s[i];
	}
	bytes = base64url_decode(url, len, &got);
	free(url);
	if (!bytes)
		return false;
	buf_add(out, bytes, got);
	free(bytes);
	return true;
}

/* The byte "=XX" at s[0..n) stands for, or -1. */
static int
qp_byte(const char *s, size_t n)
{
	if (n < 3 || s[0] != '=' || hex_value(s[1]) < 0 || hex_value(s[2]) < 0)
		return -1;
	return hex_value(s[1]) * 16 + hex_value(s[2]);
}

/* Quoted-printable s[0..n) appended to out: "=XX" is a byte, "=" at the
 * end of a line joins it to the next; with q (RFC 2047's Q) "_" is a
 * space. */
static void
qp_into(const char *s, size_t n, bool q, struct buf *out)
{
	size_t i;
	int byte;
	char c;

	for (i = 0; i < n; i++) {
		byte = qp_byte(s + i, n - i);
		if (s[i] == '=' && i + 1 < n && s[i + 1] == '\n') {
			i++;
		} else if (byte >= 0) {
			c = (char)byte;
			buf_add(out, &c, 1);
			i += 2;
		} else {
			buf_add(out, q && s[i] == '_' ? " " : &s[i], 1);
		}
	}
}

/* The RFC 2047 encoded word at p ("=?charset?B?text?=" or ?Q?; the
 * charset is taken as UTF-8) decoded onto out (when out is not NULL);
 * returns the word's length, 0 when p does not start one. */
static size_t
word_decode(const char *p, struct buf *out)
{
	const char *q, *text, *end;
	struct buf scratch = { 0 }, *to = out ? out : &scratch;
	size_t len;
	char enc;
	bool ok = true;

	if (strncmp(p, "=?", 2))
		return 0;
	q = strchr(p + 2, '?');
	if (!q || !q[1] || q[2] != '?')
		return 0;
	enc = (char)toupper((unsigned char)q[1]);
	text = q + 3;
	end = strstr(text, "?=");
	if (!end || (enc != 'B' && enc != 'Q'))
		return 0;
	len = (size_t)(end - text);
	if (memchr(text, ' ', len))
		return 0;
	if (enc == 'B')
		ok = base64_into(text, len, to);
	else
		qp_into(text, len, true, to);
	buf_release(&scratch);
	return ok ? (size_t)(end + 2 - p) : 0;
}

/* A header value with its encoded words decoded; white space between two
 * encoded words is dropped (RFC 2047, 6.2).  Caller frees. */
static char *
words_decode(const char *s)
{
	struct buf out = { 0 };
	size_t n, ws;

	while (*s) {
		n = word_decode(s, &out);
		if (n == 0) {
			buf_add(&out, s++, 1);
			continue;
		}
		s += n;
		ws = strspn(s, " \t");
		if (ws && word_decode(s + ws, NULL))
			s += ws;
	}
	return out.s ? out.s : xstrdup("");
}

/* ----------------------------------------------------------- headers */

/* The value starting at p with its continuation lines (starting with
 * white space) joined to it, trimmed.  Caller frees. */
static char *
unfold(const char *p)
{
	struct buf b = { 0 };
	size_t n;
	char *v;

	for (;;) {
		n = strcspn(p, "\n");
		buf_add(&b, p, n);
		p += n;
		if (p[0] != '\n' || (p[1] != ' ' && p[1] != '\t'))
			break;
		p++;
	}
	v = trimmed(b.s ? b.s : "", b.len);
	buf_release(&b);
	return v;
}

/* The first header called name (any case) in head, unfolded; "" when
 * there is none.  Caller frees. */
static char *
header_get(const char *head, const char *name)
{
	size_t len = strlen(name);
	const char *line = head;

	while (*line) {
		if (!strncasecmp(line, name, len) && line[len] == ':')
			return unfold(line + len + 1);
		line += strcspn(line, "\n");
		if (*line)
			line++;
	}
	return xstrdup("");
}

/* What is inside <...> in v, or v itself.  Takes v. */
static char *
angle_inner(char *v)
{
	char *open = strchr(v, '<'), *close, *inner;

	if (!open)
		return v;
	close = strchr(open, '>');
	if (!close)
		return v;
	inner = trimmed(open + 1, (size_t)(close - open - 1));
	free(v);
	return inner;
}

/* --------------------------------------------------------------- mail */

/* The body as its Content-Transfer-Encoding says.  Caller frees. */
static char *
body_decode(const char *body, const char *cte)
{
	struct buf out = { 0 };

	if (!strcasecmp(cte, "quoted-printable")) {
		qp_into(body, strlen(body), false, &out);
		return out.s ? out.s : xstrdup("");
	}
	if (!strcasecmp(cte, "base64") && base64_into(body, strlen(body), &out))
		return out.s ? out.s : xstrdup("");
	return xstrdup(body);
}

/* Parses the message in file into m; false when it cannot be read. */
static bool
mail_parse(const char *file, struct bb_mail *m)
{
	char *text = slurp(file), *sep, *body, *cte, *subject;

	if (!text)
		return false;
	crlf_to_lf(text);
	sep = text[0] == '\n' ? text : strstr(text, "\n\n");
	body = sep ? sep + (sep == text ? 1 : 2) : text + strlen(text);
	if (sep)
		sep[sep == text ? 0 : 1] = '\0';
	m->message_id = angle_inner(header_get(text, "Message-ID"));
	m->to = angle_inner(header_get(text, "To"));
	subject = header_get(text, "Subject");
	m->subject = words_decode(subject);
	free(subject);
	m->kind = header_get(text, "X-Haas-Kind");
	cte = header_get(text, "Content-Transfer-Encoding");
	m->body = body_decode(body, cte);
	m->file = xstrdup(file);
	free(cte);
	free(text);
	return true;
}

struct entry {
	char *path;
	struct timespec mtime;
};

/* Appends the messages in dir/sub to *e. */
static void
list_dir(const char *dir, const char *sub, struct entry **e, size_t *n)
{
	char *path = xasprintf("%s/%s", dir, sub);
	DIR *d = opendir(path);
	struct dirent *de;
	struct stat st;
	char *file;

	for (de = d ? readdir(d) : NULL; de; de = readdir(d)) {
		if (de->d_name[0] == '.')
			continue;
		file = xasprintf("%s/%s", path, de->d_name);
		if (stat(file, &st) || !S_ISREG(st.st_mode)) {
			free(file);
			continue;
		}
		*e = xrealloc(*e, (*n + 1) * sizeof(**e));
		(*e)[(*n)++] = (struct entry){ file, st.st_mtim };
	}
	if (d)
		closedir(d);
	free(path);
}

/* Oldest first; Maildir names start with the delivery time, so the name
 * orders what one second delivered. */
static int
entry_cmp(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	if (x->mtime.tv_sec != y->mtime.tv_sec)
		return x->mtime.tv_sec < y->mtime.tv_sec ? -1 : 1;
	if (x->mtime.tv_nsec != y->mtime.tv_nsec)
		return x->mtime.tv_nsec < y->mtime.tv_nsec ? -1 : 1;
	return strcmp(x->path, y->path);
}

struct bb_mail *
bb_mail_all(size_t *n)
{
	char *dir = env_path("HAAS_TEST_MAILDIR", "mail");
	struct entry *e = NULL;
	struct bb_mail *m;
	size_t ne = 0, i;

	list_dir(dir, "new", &e, &ne);
	list_dir(dir, "cur", &e, &ne);
	if (ne > 1)
		qsort(e, ne, sizeof(*e), entry_cmp);
	m = xcalloc(ne + 1, sizeof(*m));
	*n = 0;
	for (i = 0; i < ne; i++) {
		/* A file a test moved or removed since the listing is gone. */
		if (mail_parse(e[i].path, &m[*n]))
			(*n)++;
		free(e[i].path);
	}
	free(e);
	free(dir);
	return m;
}

void
bb_mail_free(struct bb_mail *m, size_t n)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < n; i++) {
		free(m[i].message_id);
		free(m[i].to);
		free(m[i].subject);
		free(m[i].kind);
		free(m[i].body);
		free(m[i].file);
	}
	free(m);
}

static bool
mail_matches(const struct bb_mail *m, const char *to, const char *kind)
{
	return !strcasecmp(m->to, to) && (!kind || !strcmp(m->kind, kind));
}

/* A message without a Message-ID counts as its own file. */
static const char *
mail_id(const struct bb_mail *m)
{
	return *m->message_id ? m->message_id : m->file;
}

/* Distinct ids among the messages to `to` of kind. */
static int
mail_count(const char *to, const char *kind)
{
	size_t n, i, j;
	struct bb_mail *m = bb_mail_all(&n);
	int count = 0;

	for (i = 0; i < n; i++) {
		if (!mail_matches(&m[i], to, kind))
			continue;
		for (j = 0; j < i; j++)
			if (mail_matches(&m[j], to, kind) &&
			    !strcmp(mail_id(&m[j]), mail_id(&m[i])))
				break;
		if (j == i)
			count++;
	}
	bb_mail_free(m, n);
	return count;
}

int
bb_mail_wait(const char *to, const char *kind, int want, int seconds)
{
	int i, found = 0;

	for (i = 0; i <= seconds * 5; i++) {
		found = mail_count(to, kind);
		if (found >= want || i == seconds * 5)
			break;
		usleep(200000);
	}
	return found;
}

/* ----------------------------------------------------------- webhooks */

/* o.key as a new string, "" when absent. */
static char *
json_str(json_object *o, const char *key)
{
	json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) || !v)
		return xstrdup("");
	return xstrdup(json_object_get_string(v));
}

/* One log line into h; false when it is not a whole JSON object. */
static bool
hook_parse(const char *line, struct bb_hook *h)
{
	json_object *o = json_tokener_parse(line), *headers = NULL, *v;

	if (!o || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return false;
	}
	json_object_object_get_ex(o, "headers", &headers);
	h->path = json_str(o, "path");
	h->body = json_str(o, "body");
	h->id = json_str(headers, "x-haas-message-id");
	h->timestamp = json_str(headers, "x-haas-timestamp");
	h->signature = json_str(headers, "x-haas-signature");
	h->kind = json_str(headers, "x-haas-kind");
	h->status = json_object_object_get_ex(o, "status", &v)
		    ? json_object_get_int(v) : 0;
	h->at = json_object_object_get_ex(o, "at", &v)
		? json_object_get_double(v) : 0;
	json_object_put(o);
	return true;
}

struct bb_hook *
bb_hooks_all(size_t *n)
{
	char *path = env_path("HAAS_TEST_WEBHOOK_LOG", "webhooks.log");
	char *text = slurp(path), *line = text, *nl;
	struct bb_hook *h = xcalloc(1, sizeof(*h));

	*n = 0;
	/* A line without its newline is still being written. */
	while (line) {
		nl = strchr(line, '\n');
		if (!nl)
			break;
		*nl = '\0';
		h = xrealloc(h, (*n + 1) * sizeof(*h));
		if (hook_parse(line, &h[*n]))
			(*n)++;
		line = nl + 1;
	}
	free(text);
	free(path);
	return h;
}

void
bb_hooks_free(struct bb_hook *h, size_t n)
{
	size_t i;

	if (!h)
		return;
	for (i = 0; i < n; i++) {
		free(h[i].path);
		free(h[i].body);
		free(h[i].id);
		free(h[i].timestamp);
		free(h[i].signature);
		free(h[i].kind);
	}
	free(h);
}

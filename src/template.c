/* template: filling notice templates and composing the e-mail. */
#include "template.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* A template file, at most (they are a few lines). */
#define TEMPLATE_MAX 65536

static void
field_add(json_object *fields, const char *name, size_t n, struct buf *out)
{
	char key[64];
	json_object *v = NULL;

	if (n >= sizeof(key))
		return;
	memcpy(key, name, n);
	key[n] = '\0';
	if (!fields || !json_object_object_get_ex(fields, key, &v) || !v)
		return;
	switch (json_object_get_type(v)) {
	case json_type_string:
		buf_adds(out, json_object_get_string(v));
		break;
	case json_type_int:
	case json_type_double:
	case json_type_boolean:
		buf_adds(out, json_object_to_json_string(v));
		break;
	default:
		break;
	}
}

void
template_fill(const char *text, json_object *fields, struct buf *out)
{
	const char *p = text, *open, *close;

	buf_adds(out, "");
	while ((open = strstr(p, "{{")) != NULL) {
		close = strstr(open + 2, "}}");
		if (!close)
			break;
		buf_add(out, p, (size_t)(open - p));
		field_add(fields, open + 2, (size_t)(close - open - 2), out);
		p = close + 2;
	}
	buf_adds(out, p);
}

static void
add_folded(struct buf *out, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf_add(out, s[i] == '\r' || s[i] == '\n' ? " " : &s[i], 1);
}

int
template_split(const char *filled, struct buf *subject, struct buf *body)
{
	const char *p = filled, *eol;
	int found = -1;

	buf_adds(subject, "");
	buf_adds(body, "");
	while (*p && *p != '\n' && !(p[0] == '\r' && p[1] == '\n')) {
		eol = strchr(p, '\n');
		if (!eol)
			eol = p + strlen(p);
		if (!strncasecmp(p, "Subject:", 8)) {
			const char *v = p + 8;
			size_t n;

			while (*v == ' ' || *v == '\t')
				v++;
			n = (size_t)(eol - v);
			if (n && v[n - 1] == '\r')
				n--;
			add_folded(subject, v, n);
			found = 0;
		}
		p = *eol ? eol + 1 : eol;
	}
	if (*p == '\r')
		p++;
	if (*p == '\n')
		p++;
	buf_adds(body, p);
	return found;
}

int
template_load(const char *dir, const char *kind, json_object *fields,
	      struct buf *subject, struct buf *body, char *err, size_t errlen)
{
	char *path = xasprintf("%s/%s.txt", dir, kind), *text;
	struct buf filled = { 0 };
	FILE *f = fopen(path, "r");
	size_t n;
	int rc = -1;

	if (!f) {
		snprintf(err, errlen, "template %s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	text = xmalloc(TEMPLATE_MAX + 1);
	n = fread(text, 1, TEMPLATE_MAX, f);
	text[n] = '\0';
	if (ferror(f))
		snprintf(err, errlen, "template %s: read error", path);
	else if (!feof(f))
		snprintf(err, errlen, "template %s: longer than %d bytes",
			 path, TEMPLATE_MAX);
	else {
		template_fill(text, fields, &filled);
		rc = template_split(filled.s, subject, body);
		if (rc)
			snprintf(err, errlen, "template %s: no Subject: line",
				 path);
	}
	fclose(f);
	buf_release(&filled);
	free(text);
	free(path);
	return rc;
}

static bool
header_safe(const char *s)
{
	return !strpbrk(s, "\r\n<>");
}

static bool
ascii_plain(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x7f || (unsigned char)*s < 0x20)
			return false;
	return true;
}

/* An RFC 2047 "B" word of UTF-8 s: standard base64 (base64url's alphabet
 * turned back, padded).  One word per 45 bytes keeps each under 75. */
static void
add_encoded(struct buf *out, const char *s)
{
	size_t n = strlen(s), off = 0, k, len, i;
	char *b;

	while (off < n) {
		k = n - off > 45 ? 45 : n - off;
		/* never split a UTF-8 sequence */
		while (off + k < n && ((unsigned char)s[off + k] & 0xc0) == 0x80)
			k--;
		b = base64url_encode((const unsigned char *)s + off, k);
		len = strlen(b);
		for (i = 0; i < len; i++)
			b[i] = b[i] == '-' ? '+' : b[i] == '_' ? '/' : b[i];
		buf_adds(out, off ? "\r\n =?UTF-8?B?" : "=?UTF-8?B?");
		buf_adds(out, b);
		for (; len % 4; len++)
			buf_adds(out, "=");
		buf_adds(out, "?=");
		free(b);
		off += k;
	}
}

int
template_mail(const char *from, const char *to, const char *subject,
	      const char *body, const char *msg_id, const char *kind,
	      long long now, struct buf *out)
{
	const char *at = strrchr(from, '@'), *p;
	time_t t = (time_t)now;
	char date[64];
	struct tm tm;

	if (!header_safe(from) || !header_safe(to) || !*to)
		return -1;
	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	buf_addf(out, "From: haas <%s>\r\nTo: <%s>\r\nSubject: ", from, to);
	if (ascii_plain(subject))
		buf_adds(out, subject);
	else
		add_encoded(out, subject);
	buf_addf(out, "\r\nDate: %s\r\nMessage-ID: <%s@%s>\r\n"
		 "MIME-Version: 1.0\r\n"
		 "Content-Type: text/plain; charset=utf-8\r\n"
		 "Content-Transfer-Encoding: 8bit\r\n"
		 "Auto-Submitted: auto-generated\r\n"
		 "X-Haas-Kind: %s\r\n\r\n", date, msg_id,
		 at && header_safe(at + 1) && at[1] ? at + 1 : "haas.invalid",
		 kind);
	for (p = body; *p; p++) {
		if (*p == '\r')
			continue;
		buf_add(out, *p == '\n' ? "\r\n" : p, *p == '\n' ? 2 : 1);
	}
	if (out->len < 2 || strcmp(out->s + out->len - 2, "\r\n"))
		buf_adds(out, "\r\n");
	return 0;
}

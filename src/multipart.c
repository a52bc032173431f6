/* multipart: a bounded, streaming multipart/form-data parser.  A body part
 * ends at CRLF "--" boundary; the delimiter starts with CR, which occurs
 * nowhere else in it, so a failed partial match restarts only at the
 * current byte and no byte is ever looked at twice. */
#include "multipart.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

enum {
	ST_PREAMBLE,
	ST_AFTER,	/* after a delimiter: "--" or CRLF */
	ST_AFTER_DASH,
	ST_AFTER_CR,
	ST_HEADERS,
	ST_BODY,
	ST_EPILOGUE,
	ST_ERROR,
};

static const char bchars[] =
	"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	"'()+_,-./:=? ";

bool
multipart_boundary(const char *ct, char out[MP_BOUNDARY_MAX + 1])
{
	const char *p;
	size_t n = 0;
	bool quoted;

	if (!ct || strncasecmp(ct, "multipart/form-data", 19))
		return false;
	for (p = ct + 19; (p = strchr(p, ';')); ) {
		for (p++; *p == ' ' || *p == '\t'; p++)
			;
		if (strncasecmp(p, "boundary=", 9))
			continue;
		p += 9;
		quoted = *p == '"';
		for (p += quoted; *p && n <= MP_BOUNDARY_MAX; p++) {
			if (quoted ? *p == '"' : (*p == ';' || *p == ' '))
				break;
			if (!strchr(bchars, *p))
				return false;
			out[n++] = *p;
		}
		if (n == 0 || n > MP_BOUNDARY_MAX || (quoted && *p != '"') ||
		    out[n - 1] == ' ')
			return false;
		out[n] = '\0';
		return true;
	}
	return false;
}

void
multipart_init(struct multipart *mp, const char *boundary,
	       const struct mp_callbacks *cb, void *arg)
{
	memset(mp, 0, sizeof(*mp));
	mp->cb = cb;
	mp->arg = arg;
	mp->dlen = (size_t)snprintf(mp->delim, sizeof(mp->delim), "\r\n--%s",
				    boundary);
	/* The first delimiter may open the body, with no CRLF before it. */
	mp->match = 2;
	mp->state = ST_PREAMBLE;
}

static enum mp_status
fail(struct multipart *mp, enum mp_status s)
{
	mp->state = ST_ERROR;
	return s;
}

static int
flush(struct multipart *mp)
{
	int rc = 0;

	if (mp->olen && mp->cb->data)
		rc = mp->cb->data(mp->arg, mp->out, mp->olen);
	mp->olen = 0;
	return rc;
}

static int
emit(struct multipart *mp, const char *s, size_t n)
{
	if (mp->olen + n > sizeof(mp->out) && flush(mp))
		return -1;
	if (n > sizeof(mp->out))
		return mp->cb->data ? mp->cb->data(mp->arg, s, n) : 0;
	memcpy(mp->out + mp->olen, s, n);
	mp->olen += n;
	return 0;
}

/* Advances the delimiter match by c; 1 when the delimiter is complete,
 * -1 when a callback stopped, else 0.  Bytes that turn out not to be a
 * delimiter are emitted when out is true. */
static int
scan(struct multipart *mp, char c, bool out)
{
	if (c == mp->delim[mp->match]) {
		if (++mp->match < mp->dlen)
			return 0;
		mp->match = 0;
		return 1;
	}
	if (mp->match && out && emit(mp, mp->delim, mp->match))
		return -1;
	mp->match = c == mp->delim[0];
	if (mp->match || !out)
		return 0;
	return emit(mp, &c, 1) ? -1 : 0;
}

/* Copies a token or quoted-string value (backslash escapes, as curl
 * sends them) into out; NULL if it does not fit or is unterminated. */
static const char *
param_value(const char *p, char *out, size_t cap)
{
	size_t n = 0;
	bool quoted = *p == '"';

	for (p += quoted; *p; p++) {
		if (quoted && *p == '"')
			break;
		if (!quoted && (*p == ';' || *p == ' ' || *p == '\t'))
			break;
		if (quoted && *p == '\\' && p[1])
			p++;
		if (n + 1 >= cap)
			return NULL;
		out[n++] = *p;
	}
	if (quoted && *p++ != '"')
		return NULL;
	out[n] = '\0';
	return p;
}

static enum mp_status
disposition(struct multipart *mp, const char *v)
{
	struct mp_part *pt = &mp->part;
	char skip[MP_LINE_MAX];
	const char *p = v;

	if (strncasecmp(p, "form-data", 9) || (p[9] && p[9] != ';' &&
	    p[9] != ' '))
		return MP_ERR_SYNTAX;
	for (p += 9; (p = strchr(p, ';')); ) {
		for (p++; *p == ' ' || *p == '\t'; p++)
			;
		if (!strncasecmp(p, "name=", 5)) {
			p = param_value(p + 5, pt->name, sizeof(pt->name));
			pt->has_name = true;
		} else if (!strncasecmp(p, "filename=", 9)) {
			p = param_value(p + 9, pt->filename,
					sizeof(pt->filename));
			pt->has_filename = true;
		} else if (strchr(p, '=')) {
			p = param_value(strchr(p, '=') + 1, skip, sizeof(skip));
		} else {
			return MP_ERR_SYNTAX;
		}
		if (!p)
			return MP_ERR_LIMIT;
	}
	return MP_OK;
}

static enum mp_status
header_line(struct multipart *mp)
{
	char *colon, *v;
	size_t n;

	mp->line[mp->llen] = '\0';
	if (strlen(mp->line) != mp->llen || mp->line[0] == ' ' ||
	    mp->line[0] == '\t' || !(colon = strchr(mp->line, ':')))
		return MP_ERR_SYNTAX;
	*colon = '\0';
	for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
		;
	n = strlen(v);
	while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		v[--n] = '\0';
	if (!strcasecmp(mp->line, "Content-Disposition"))
		return disposition(mp, v);
	if (!strcasecmp(mp->line, "Content-Type")) {
		if (n >= sizeof(mp->part.content_type))
			return MP_ERR_LIMIT;
		memcpy(mp->part.content_type, v, n + 1);
	}
	return MP_OK;
}

static enum mp_status
headers_byte(struct multipart *mp, char c)
{
	enum mp_status s;

	if (c != '\n') {
		if (mp->llen >= MP_LINE_MAX)
			return MP_ERR_LIMIT;
		mp->line[mp->llen++] = c;
		return MP_OK;
	}
	if (!mp->llen || mp->line[mp->llen - 1] != '\r')
		return MP_ERR_SYNTAX;
	mp->llen--;
	if (mp->llen == 0) {
		if (!mp->part.has_name)
			return MP_ERR_SYNTAX;
		mp->state = ST_BODY;
		mp->match = 0;
		if (mp->cb->begin && mp->cb->begin(mp->arg, &mp->part))
			return MP_ERR_ABORT;
		return MP_OK;
	}
	if (++mp->nheaders > MP_HEADERS_MAX)
		return MP_ERR_LIMIT;
	s = header_line(mp);
	mp->llen = 0;
	return s;
}

static enum mp_status
after_delim(struct multipart *mp, char c)
{
	switch (mp->state) {
	case ST_AFTER:
		if (c == '-')
			mp->state = ST_AFTER_DASH;
		else if (c == '\r')
			mp->state = ST_AFTER_CR;
		else if (c != ' ' && c != '\t')
			return MP_ERR_SYNTAX;
		return MP_OK;
	case ST_AFTER_DASH:
		if (c != '-')
			return MP_ERR_SYNTAX;
		mp->done = true;
		mp->state = ST_EPILOGUE;
		return MP_OK;
	default:	/* ST_AFTER_CR */
		if (c != '\n')
			return MP_ERR_SYNTAX;
		if (++mp->nparts > MP_PARTS_MAX)
			return MP_ERR_LIMIT;
		memset(&mp->part, 0, sizeof(mp->part));
		mp->nheaders = 0;
		mp->llen = 0;
		mp->state = ST_HEADERS;
		return MP_OK;
	}
}

static enum mp_status
body_byte(struct multipart *mp, char c)
{
	int rc = scan(mp, c, true);

	if (rc < 0)
		return MP_ERR_ABORT;
	if (rc == 0)
		return MP_OK;
	if (flush(mp) || (mp->cb->end && mp->cb->end(mp->arg)))
		return MP_ERR_ABORT;
	mp->state = ST_AFTER;
	return MP_OK;
}

static enum mp_status
step(struct multipart *mp, char c)
{
	switch (mp->state) {
	case ST_PREAMBLE:
		if (scan(mp, c, false) == 1)
			mp->state = ST_AFTER;
		return MP_OK;
	case ST_AFTER:
	case ST_AFTER_DASH:
	case ST_AFTER_CR:
		return after_delim(mp, c);
	case ST_HEADERS:
		return headers_byte(mp, c);
	case ST_BODY:
		return body_byte(mp, c);
	default:	/* ST_EPILOGUE */
		return MP_OK;
	}
}

enum mp_status
multipart_feed(struct multipart *mp, const char *s, size_t n)
{
	enum mp_status st;
	size_t i;

	if (mp->state == ST_ERROR)
		return MP_ERR_SYNTAX;
	for (i = 0; i < n; i++) {
		if (mp->state == ST_EPILOGUE)
			return MP_OK;
		st = step(mp, s[i]);
		if (st != MP_OK)
			return fail(mp, st);
	}
	if (mp->state == ST_BODY && flush(mp))
		return fail(mp, MP_ERR_ABORT);
	return MP_OK;
}

enum mp_status
multipart_finish(struct multipart *mp)
{
	if (mp->state == ST_ERROR)
		return MP_ERR_SYNTAX;
	return mp->done ? MP_OK : MP_ERR_TRUNCATED;
}

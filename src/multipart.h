/* multipart: a bounded, streaming multipart/form-data parser (RFC 7578).
 * Pure: no I/O, no allocation per byte; data may arrive in chunks of any
 * size and each part's body is handed to a callback as it is found, so a
 * file part can go straight to disk. */
#ifndef HAAS_MULTIPART_H
#define HAAS_MULTIPART_H

#include <stdbool.h>
#include <stddef.h>

#define MP_BOUNDARY_MAX 70	/* RFC 2046 */
#define MP_LINE_MAX 1024	/* one header line */
#define MP_HEADERS_MAX 16	/* header lines per part */
#define MP_PARTS_MAX 32

enum mp_status {
	MP_OK = 0,
	MP_ERR_SYNTAX,		/* not multipart as RFC 2046 says */
	MP_ERR_LIMIT,		/* too many parts/headers, line too long */
	MP_ERR_ABORT,		/* a callback returned non-zero */
	MP_ERR_TRUNCATED,	/* finish() before the closing delimiter */
};

/* What one part's headers said.  Strings are NUL-terminated and valid
 * until the part ends. */
struct mp_part {
	char name[128];
	char filename[256];
	char content_type[128];
	bool has_name;
	bool has_filename;
};

/* Callbacks return 0 to continue, anything else to stop the parse. */
struct mp_callbacks {
	int (*begin)(void *arg, const struct mp_part *p);
	int (*data)(void *arg, const char *s, size_t n);
	int (*end)(void *arg);
};

struct multipart {
	const struct mp_callbacks *cb;
	void *arg;
	char delim[MP_BOUNDARY_MAX + 5];	/* "\r\n--" boundary */
	size_t dlen, match;
	int state;
	char line[MP_LINE_MAX + 1];
	size_t llen;
	int nheaders, nparts;
	bool seen_cr, done;
	struct mp_part part;
	char out[4096];
	size_t olen;
};

/* Reads the boundary parameter of a multipart/form-data Content-Type
 * (quoted or not) into out.  False if ct is not multipart/form-data or the
 * boundary is missing or not 1 to 70 allowed characters. */
bool multipart_boundary(const char *ct, char out[MP_BOUNDARY_MAX + 1]);

/* Prepares mp for a body with this boundary. */
void multipart_init(struct multipart *mp, const char *boundary,
		    const struct mp_callbacks *cb, void *arg);

/* Feeds the next n bytes. */
enum mp_status multipart_feed(struct multipart *mp, const char *s, size_t n);

/* The body has ended: MP_OK only if the closing delimiter was seen. */
enum mp_status multipart_finish(struct multipart *mp);

#endif

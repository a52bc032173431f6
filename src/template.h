/* template: the plain-text templates of notices (<template_dir>/<kind>.txt)
 * and the e-mail built from one.  A template is header lines ("Subject:
 * ..."), a blank line and the body; {{name}} anywhere is replaced by the
 * field of that name (a string as it is, a number or true/false as JSON
 * writes it, anything else and a missing field as nothing). */
#ifndef HAAS_TEMPLATE_H
#define HAAS_TEMPLATE_H

#include <json-c/json.h>
#include <stddef.h>

#include "util.h"

/* text with every {{name}} replaced from fields, appended to out. */
void template_fill(const char *text, json_object *fields, struct buf *out);

/* Splits a filled template into its subject (CR and LF folded into spaces)
 * and its body.  -1 when it has no "Subject:" header line. */
int template_split(const char *filled, struct buf *subject, struct buf *body);

/* Reads <dir>/<kind>.txt, fills and splits it.  -1 (with a reason in err)
 * when the file cannot be read or has no subject. */
int template_load(const char *dir, const char *kind, json_object *fields,
		  struct buf *subject, struct buf *body, char *err,
		  size_t errlen);

/* The whole RFC 5322 message: From, To, Subject (an RFC 2047 word when not
 * plain ASCII), Date, Message-ID <msg_id@domain of from>, MIME headers,
 * X-Haas-Kind, and the body with every line ending in CRLF.  -1 when from
 * or to would break a header (a CR, LF, '<' or '>'). */
int template_mail(const char *from, const char *to, const char *subject,
		  const char *body, const char *msg_id, const char *kind,
		  long long now, struct buf *out);

#endif

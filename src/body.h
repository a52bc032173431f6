/* body: turns a request body into a JSON object (from JSON or a urlencoded
 * form) with limits on size, depth and encoding, and reads its fields from
 * a declarative spec, so handlers never chain json_object_get_* calls. */
#ifndef HAAS_BODY_H
#define HAAS_BODY_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "err.h"

struct req;
struct kv;

/* Parses text[0..n) as one JSON object, at most max_depth deep, valid
 * UTF-8, nothing after it but whitespace.  On ERR_OK *out is a new
 * reference.  Errors: ERR_EMPTY_BODY, ERR_BAD_JSON, ERR_BAD_UTF8,
 * ERR_JSON_TOO_DEEP, ERR_JSON_TRAILING, ERR_JSON_NOT_OBJECT. */
enum err body_parse_json(const char *text, size_t n, int max_depth,
			 json_object **out);

enum field_type {
	FT_STRING,	/* JSON string */
	FT_INT,		/* integer, or a string of digits ("5") */
	FT_BOOL,
	FT_ID,		/* positive integer id, as a number or a string */
	FT_OBJECT,
	FT_ARRAY,
};

enum field_flags {
	F_REQUIRED = 1 << 0,	/* absent, null or "" is an error */
	F_NULLABLE = 1 << 1,	/* explicit null is allowed (set, is_null) */
	F_TRIM = 1 << 2,	/* strip surrounding whitespace from strings */
	F_META = 1 << 3,	/* changes nothing by itself (a version check) */
	F_OID = 1 << 4,		/* strings: {"$oid": "..."} is read as its
				 * string (the HaaS app's MongoDB ids) */
};

struct field {
	const char *name;
	enum field_type type;
	unsigned flags;
	long long min, max;	/* integers: range; strings: length in chars */
	enum err missing;	/* 0: ERR_FIELD_MISSING naming the field */
	enum err invalid;	/* 0: ERR_FIELD_INVALID naming the field */
};

struct field_value {
	bool set;		/* present in the body (maybe null) */
	bool is_null;
	const char *s;		/* strings: borrowed from the JSON or pool */
	size_t len;
	long long i;		/* FT_INT, FT_ID, FT_BOOL */
	json_object *o;		/* FT_OBJECT, FT_ARRAY: borrowed */
};

/* Reads spec[0..n) from obj into out[0..n) (same order).  On a bad field,
 * returns its error with a message naming it and an extra "field" key in
 * the error body.  Unknown keys in obj are ignored. */
enum err body_fields(struct req *r, json_object *obj, const struct field *spec,
		     size_t n, struct field_value *out);

/* The same, on the request's own parsed body (r->json). */
#define body_read(r, spec, out) \
	body_fields((r), (r)->json, (spec), sizeof(spec) / sizeof((spec)[0]), \
		    (out))

/* A PATCH must name something to change: ERR_NO_CHANGES (400, listing
 * the fields it takes) unless some field of spec without F_META was
 * sent.  Call after body_fields, before anything is written. */
enum err body_require_change(struct req *r, const struct field *spec,
			     size_t n, const struct field_value *v);
#define body_changes(r, spec, v) \
	body_require_change((r), (spec), sizeof(spec) / sizeof((spec)[0]), (v))

/* Builds a JSON object of strings from urlencoded pairs (for form bodies,
 * so body_fields serves them too).  New reference. */
json_object *body_form_object(const struct kv *kv, size_t n);

#endif

/* body: JSON and form bodies, and declarative field reading. */
#include "body.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "req.h"
#include "util.h"

/* json-c accepts 'single-quoted' strings even in strict mode; JSON does
 * not.  A quote outside any double-quoted string is refused here. */
static bool
has_single_quote(const char *s, size_t n)
{
	bool in_str = false;
	size_t i;

	for (i = 0; i < n; i++) {
		if (in_str && s[i] == '\\')
			i++;
		else if (s[i] == '"')
			in_str = !in_str;
		else if (!in_str && s[i] == '\'')
			return true;
	}
	return false;
}

enum err
body_parse_json(const char *text, size_t n, int max_depth, json_object **out)
{
	struct json_tokener *tok;
	enum json_tokener_error jerr;
	json_object *obj;
	size_t end;
	enum err e = ERR_OK;

	*out = NULL;
	while (n && isspace((unsigned char)text[n - 1]))
		n--;
	if (n == 0)
		return ERR_EMPTY_BODY;
	if (n > INT_MAX)
		return ERR_TOO_LARGE;
	if (!utf8_valid(text, n))
		return memchr(text, '\0', n) ? ERR_BAD_JSON : ERR_BAD_UTF8;
	if (has_single_quote(text, n))
		return ERR_BAD_JSON;
	tok = json_tokener_new_ex(max_depth);
	if (!tok)
		return ERR_INTERNAL;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
				    JSON_TOKENER_ALLOW_TRAILING_CHARS |
				    JSON_TOKENER_VALIDATE_UTF8);
	obj = json_tokener_parse_ex(tok, text, (int)n);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (jerr == json_tokener_error_depth)
		e = ERR_JSON_TOO_DEEP;
	else if (jerr == json_tokener_continue || jerr != json_tokener_success)
		e = ERR_BAD_JSON;
	else if (end < n)
		e = ERR_JSON_TRAILING;
	else if (!json_object_is_type(obj, json_type_object))
		e = ERR_JSON_NOT_OBJECT;
	json_tokener_free(tok);
	if (e != ERR_OK) {
		json_object_put(obj);
		return e;
	}
	*out = obj;
	return ERR_OK;
}

static enum err
field_missing(struct req *r, const struct field *f)
{
	req_fail_extra(r, "field", json_object_new_string(f->name));
	if (f->missing)
		return f->missing;
	return req_fail(r, ERR_FIELD_MISSING, "Field '%s' is required",
			f->name);
}

static enum err
field_invalid(struct req *r, const struct field *f, const char *why)
{
	req_fail_extra(r, "field", json_object_new_string(f->name));
	if (f->invalid)
		return f->invalid;
	return req_fail(r, ERR_FIELD_INVALID, "Field '%s' %s", f->name, why);
}

/* Number of UTF-8 characters in a valid string. */
static size_t
utf8_chars(const char *s, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			c++;
	return c;
}

static enum err
read_string(struct req *r, const struct field *f, json_object *v,
	    struct field_value *out)
{
	json_object *oid;
	const char *s;
	size_t n;

	if ((f->flags & F_OID) && json_object_is_type(v, json_type_object) &&
	    json_object_object_length(v) == 1 &&
	    json_object_object_get_ex(v, "$oid", &oid))
		v = oid;
	if (!json_object_is_type(v, json_type_string))
		return field_invalid(r, f, "must be a string");
	s = json_object_get_string(v);
	n = (size_t)json_object_get_string_len(v);
	if (memchr(s, '\0', n))
		return field_invalid(r, f, "must not contain NUL characters");
	if (f->flags & F_TRIM) {
		while (n && isspace((unsigned char)*s))
			s++, n--;
		while (n && isspace((unsigned char)s[n - 1]))
			n--;
		s = req_strndup(r, s, n);
	}
	if (n == 0 && (f->flags & F_REQUIRED))
		return field_missing(r, f);
	if (f->max && utf8_chars(s, n) > (size_t)f->max)
		return field_invalid(r, f, req_printf(r,
			"must be at most %lld characters", f->max));
	if (f->min && utf8_chars(s, n) < (size_t)f->min)
		return field_invalid(r, f, req_printf(r,
			"must be at least %lld characters", f->min));
	out->s = s;
	out->len = n;
	return ERR_OK;
}

/* Integers arrive as JSON integers or as strings of digits (the HaaS
 * frontend sends "units": "5"); floats, booleans and junk are refused. */
static enum err
read_int(struct req *r, const struct field *f, json_object *v,
	 struct field_value *out)
{
	long long lo = f->min, hi = f->max ? f->max : LLONG_MAX;
	long long i;

	if (f->type == FT_ID && lo < 1)
		lo = 1;
	if (json_object_is_type(v, json_type_int)) {
		errno = 0;
		i = json_object_get_int64(v);
		if (errno)
			return field_invalid(r, f, "is out of range");
	} else if (json_object_is_type(v, json_type_string)) {
		const char *s = json_object_get_string(v);

		if (parse_ll(s, LLONG_MIN, LLONG_MAX, &i) ||
		    (size_t)json_object_get_string_len(v) != strlen(s))
			return field_invalid(r, f, "must be an integer");
	} else {
		return field_invalid(r, f, "must be an integer");
	}
	if (i < lo || i > hi)
		return field_invalid(r, f, req_printf(r,
			"must be from %lld to %lld", lo, hi));
	out->i = i;
	return ERR_OK;
}

static enum err
read_one(struct req *r, const struct field *f, json_object *v,
	 struct field_value *out)
{
	switch (f->type) {
	case FT_STRING:
		return read_string(r, f, v, out);
	case FT_INT:
	case FT_ID:
		return read_int(r, f, v, out);
	case FT_BOOL:
		if (!json_object_is_type(v, json_type_boolean))
			return field_invalid(r, f, "must be true or false");
		out->i = json_object_get_boolean(v);
		return ERR_OK;
	case FT_OBJECT:
		if (!json_object_is_type(v, json_type_object))
			return field_invalid(r, f, "must be an object");
		out->o = v;
		return ERR_OK;
	case FT_ARRAY:
		if (!json_object_is_type(v, json_type_array))
			return field_invalid(r, f, "must be an array");
		if (f->max && json_object_array_length(v) > (size_t)f->max)
			return field_invalid(r, f, req_printf(r,
				"must have at most %lld entries", f->max));
		out->o = v;
		return ERR_OK;
	}
	return ERR_INTERNAL;
}

enum err
body_fields(struct req *r, json_object *obj, const struct field *spec,
	    size_t n, struct field_value *out)
{
	size_t i;

	memset(out, 0, n * sizeof(*out));
	for (i = 0; i < n; i++) {
		const struct field *f = &spec[i];
		json_object *v = NULL;
		bool present = obj && json_object_object_get_ex(obj, f->name, &v);
		enum err e;

		if (!present || !v) {
			if (present && (f->flags & F_NULLABLE)) {
				out[i].set = out[i].is_null = true;
				continue;
			}
			if (f->flags & F_REQUIRED)
				return field_missing(r, f);
			if (present)
				return field_invalid(r, f, "must not be null");
			continue;
		}
		e = read_one(r, f, v, &out[i]);
		if (e != ERR_OK)
			return e;
		out[i].set = true;
	}
	return ERR_OK;
}

enum err
body_require_change(struct req *r, const struct field *spec, size_t n,
		    const struct field_value *v)
{
	struct buf names = { 0 };
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].set && !(spec[i].flags & F_META))
			return ERR_OK;
	for (i = 0; i < n; i++) {
		if (spec[i].flags & F_META)
			continue;
		if (names.len)
			buf_adds(&names, ", ");
		buf_adds(&names, spec[i].name);
	}
	req_fail(r, ERR_NO_CHANGES, "Nothing to change: send at least one of %s",
		 names.s ? names.s : "");
	buf_release(&names);
	return ERR_NO_CHANGES;
}

json_object *
body_form_object(const struct kv *kv, size_t n)
{
	json_object *obj = json_object_new_object();
	size_t i;

	for (i = 0; i < n; i++)
		json_object_object_add(obj, kv[i].key,
				       json_object_new_string_len(kv[i].val,
								  (int)kv[i].len));
	return obj;
}

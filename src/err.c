/* err: lookups into the error table declared in err.h. */
#include "err.h"

#include <stddef.h>
#include <string.h>

struct err_row {
	const char *name;
	int status;
	const char *code;
	const char *message;
};

static const struct err_row rows[] = {
#define ERR_ROW(name, st, cd, msg) [ERR_##name] = { #name, st, cd, msg },
	ERR_TABLE(ERR_ROW)
#undef ERR_ROW
};

static const struct err_row *
row(enum err e)
{
	if ((unsigned)e >= ERR__COUNT)
		return &rows[ERR_INTERNAL];
	return &rows[e];
}

int
err_status(enum err e)
{
	return row(e)->status;
}

const char *
err_code(enum err e)
{
	return row(e)->code;
}

const char *
err_message(enum err e)
{
	return row(e)->message;
}

enum err
err_from_name(const char *name, unsigned long n)
{
	unsigned i;

	for (i = 0; i < ERR__COUNT; i++)
		if (strlen(rows[i].name) == n && !memcmp(rows[i].name, name, n))
			return (enum err)i;
	return ERR__COUNT;
}

const char *
err_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 503: return "Service Unavailable";
	default: return status < 500 ? "Client Error" : "Internal Server Error";
	}
}

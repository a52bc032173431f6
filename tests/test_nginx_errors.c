/* test_nginx_errors: nginx's own JSON refusals (the $haas_error_json map
 * in nginx/haas.conf.in) use the vocabulary of src/err.h, and every status
 * that nginx/json-errors.conf.in sends to the JSON page has a row. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cunit_main.h"
#include "err.h"
#include "util.h"

#ifndef HAAS_TOP_SRCDIR
#define HAAS_TOP_SRCDIR "."
#endif

/* The whole file as a string.  Caller frees. */
static char *
slurp(const char *name)
{
	char *path = xasprintf("%s/nginx/%s", HAAS_TOP_SRCDIR, name);
	struct buf b = { 0 };
	char chunk[4096];
	size_t n;
	FILE *f = fopen(path, "r");

	free(path);
	if (!f)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	return b.s;
}

/* The text between the quotes that follow key in line, e.g. the sentence
 * after "\"error\": ".  Caller frees; NULL when absent. */
static char *
quoted_after(const char *line, const char *key)
{
	const char *p = strstr(line, key), *end;

	if (!p)
		return NULL;
	p += strlen(key);
	end = strchr(p, '"');
	return end ? xstrndup(p, (size_t)(end - p)) : NULL;
}

static bool
row_exists(long status, const char *code, const char *message)
{
	int e;

	for (e = 0; e < ERR__COUNT; e++)
		if (err_status((enum err)e) == status &&
		    !strcmp(err_code((enum err)e), code) &&
		    !strcmp(err_message((enum err)e), message))
			return true;
	return false;
}

/* Checks one map line ("\t\t404 '{...}';"); returns its status, 0 for
 * the default row, -1 for the end of the map. */
static long
check_map_line(const char *line)
{
	char *code = quoted_after(line, "\"code\": \"");
	char *msg = quoted_after(line, "\"error\": \"");
	char *end;
	long status;

	while (*line == '\t' || *line == ' ')
		line++;
	if (*line == '}')
		return -1;
	status = strncmp(line, "default ", 8) ? strtol(line, &end, 10) : 0;
	CU_ASSERT_PTR_NOT_NULL_FATAL(code);
	CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
	if (!row_exists(status ? status : 500, code, msg))
		CU_FAIL("an nginx error row is not a row of err.h");
	free(code);
	free(msg);
	return status;
}

/* Marks in seen[] the statuses the map answers. */
static void
map_statuses(bool seen[600])
{
	char *conf = slurp("haas.conf.in"), *line, *next;

	CU_ASSERT_PTR_NOT_NULL_FATAL(conf);
	line = strstr(conf, "map $status $haas_error_json {");
	CU_ASSERT_PTR_NOT_NULL_FATAL(line);
	line = strchr(line, '\n') + 1;
	for (; line && *line; line = next) {
		long status;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		status = check_map_line(line);
		if (status < 0)
			break;
		if (status > 0 && status < 600)
			seen[status] = true;
	}
	free(conf);
}

static void
test_map_rows_are_err_rows(void)
{
	bool seen[600] = { false };

	map_statuses(seen);
	CU_ASSERT_TRUE(seen[404]);
	CU_ASSERT_TRUE(seen[431]);
}

/* One "error_page 400 405 ... [=NNN] URI;" line: every status it answers
 * with (each listed one, or NNN when the line rewrites them) has a row. */
static void
check_error_page_line(const char *p, const bool seen[600])
{
	long codes[32], st;
	int n = 0, i;
	char *end;

	while (n < 32 && (st = strtol(p, &end, 10)) > 0 && end != p) {
		codes[n++] = st;
		for (p = end; *p == ' '; p++)
			;
	}
	CU_ASSERT(n > 0);
	if (*p == '=') {
		st = strtol(p + 1, NULL, 10);
		CU_ASSERT(st > 0 && st < 600 && seen[st]);
		return;
	}
	for (i = 0; i < n; i++)
		if (codes[i] >= 600 || !seen[codes[i]])
			CU_FAIL("a status of error_page has no map row");
}

static void
test_every_error_page_has_a_row(void)
{
	bool seen[600] = { false };
	char *text = slurp("json-errors.conf.in"), *p;
	int lines = 0;

	map_statuses(seen);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	for (p = strstr(text, "\nerror_page "); p;
	     p = strstr(p, "\nerror_page ")) {
		p += strlen("\nerror_page ");
		check_error_page_line(p, seen);
		lines++;
	}
	CU_ASSERT(lines >= 2);
	free(text);
}

static CU_TestInfo tests[] = {
	{ "map rows are err.h rows", test_map_rows_are_err_rows },
	{ "error_page statuses have rows", test_every_error_page_has_a_row },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = { SUITE("nginx_errors", tests),
				 CU_SUITE_INFO_NULL };

int
main(void)
{
	return cunit_run(suites);
}

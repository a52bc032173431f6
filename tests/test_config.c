/* test_config: file, environment, secrets from files, validation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "cunit_main.h"

#define SECRET "0123456789abcdef0123456789abcdef"

static char *
write_tmp(const char *text)
{
	static char path[64];
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "/tmp/haas-test-XXXXXX");
	fd = mkstemp(path);
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

static void
clear_env(void)
{
	unsetenv("HAAS_WORKERS");
	unsetenv("HAAS_DATABASE_URL");
	unsetenv("HAAS_JWT_SECRET_KEY");
	unsetenv("JWT_SECRET_KEY");
	unsetenv("JWT_ACCESS_TOKEN_EXPIRES");
	unsetenv("HAAS_JWT_SECRET_KEY_FILE");
}

static void
test_file_and_defaults(void)
{
	struct config c;
	char err[256];
	char *p = write_tmp("# comment\nworkers = 3\n"
			    "database_url = mariadb://u:p%40ss@db:3307/haas\n"
			    "jwt_secret_key = " SECRET "\n");

	clear_env();
	CU_ASSERT_EQUAL_FATAL(config_load(&c, p, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(c.workers, 3);
	CU_ASSERT_EQUAL(c.jwt_access_token_expires, 3600);
	CU_ASSERT_EQUAL(c.jwt_refresh_token_expires, 86400);
	CU_ASSERT_STRING_EQUAL(c.db_user, "u");
	CU_ASSERT_STRING_EQUAL(c.db_password, "p@ss");
	CU_ASSERT_STRING_EQUAL(c.db_host, "db");
	CU_ASSERT_EQUAL(c.db_port, 3307);
	CU_ASSERT_STRING_EQUAL(c.db_name, "haas");
	CU_ASSERT_PTR_NULL(c.db_socket);
	config_release(&c);
	unlink(p);
}

static void
test_env_overrides(void)
{
	struct config c;
	char err[256];
	char *p = write_tmp("workers = 3\n");

	clear_env();
	setenv("HAAS_WORKERS", "7", 1);
	setenv("HAAS_DATABASE_URL", "mariadb://u:p@localhost/haas?socket=/tmp/s.sock", 1);
	setenv("JWT_SECRET_KEY", SECRET, 1);
	setenv("JWT_ACCESS_TOKEN_EXPIRES", "60", 1);
	CU_ASSERT_EQUAL_FATAL(config_load(&c, p, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(c.workers, 7);
	CU_ASSERT_EQUAL(c.jwt_access_token_expires, 60);
	CU_ASSERT_STRING_EQUAL(c.db_socket, "/tmp/s.sock");
	config_release(&c);
	clear_env();
	unlink(p);
}

static void
test_secret_file(void)
{
	struct config c;
	char err[256];
	char *secret = write_tmp(SECRET "\n");
	char spath[64], *p;
	char text[256];

	snprintf(spath, sizeof(spath), "%s", secret);
	snprintf(text, sizeof(text), "database_url = mariadb://u:p@h/d\n"
		 "jwt_secret_key_file = %s\n", spath);
	p = write_tmp(text);
	clear_env();
	CU_ASSERT_EQUAL_FATAL(config_load(&c, p, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(c.jwt_secret_key, SECRET);
	config_release(&c);
	unlink(p);
	unlink(spath);
}

static void
expect_error(const char *text, const char *key)
{
	struct config c;
	char err[256] = "";
	char *p = write_tmp(text);

	clear_env();
	CU_ASSERT_EQUAL(config_load(&c, p, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, key));
	CU_ASSERT_PTR_NULL(strchr(err, '\n'));
	config_release(&c);
	unlink(p);
}

static void
test_bad_values(void)
{
	expect_error("workers = many\ndatabase_url = mariadb://u:p@h/d\n"
		     "jwt_secret_key = " SECRET "\n", "workers");
	expect_error("workers = -1\n", "workers");
	expect_error("nonsense = 1\n", "nonsense");
	expect_error("database_url = postgres://x\njwt_secret_key = " SECRET "\n",
		     "database_url");
	expect_error("database_url = mariadb://u:p@h/d\njwt_secret_key = short\n",
		     "jwt_secret_key");
	expect_error("jwt_secret_key = " SECRET "\n", "database_url");
	expect_error("just a line\n", "expected key = value");
	expect_error("socket_mode = 999\n", "socket_mode");
}

static CU_TestInfo tests[] = {
	{ "file and defaults", test_file_and_defaults },
	{ "environment overrides", test_env_overrides },
	{ "secret from file", test_secret_file },
	{ "bad values name the key", test_bad_values },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = { SUITE("config", tests), CU_SUITE_INFO_NULL };

int
main(void)
{
	return cunit_run(suites);
}

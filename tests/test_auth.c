/* test_auth: password hashing and the token rules. */
#include <crypt.h>
#include <jwt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "config.h"
#include "cunit_main.h"
#include "util.h"

#define KEY "0123456789abcdef0123456789abcdef"

static struct config cfg;

static void
test_hash_roundtrip(void)
{
	char h[AUTH_HASH_MAX];

	CU_ASSERT_EQUAL_FATAL(auth_hash_password("correct horse", h), 0);
	CU_ASSERT(strncmp(h, "$y$", 3) == 0);	/* yescrypt */
	CU_ASSERT_TRUE(auth_verify_password("correct horse", h));
	CU_ASSERT_FALSE(auth_verify_password("correct horsE", h));
	CU_ASSERT_FALSE(auth_verify_password("", h));
	CU_ASSERT_FALSE(auth_verify_password("x", NULL));
	CU_ASSERT_FALSE(auth_verify_password("x", "!"));
}

static void
test_bcrypt(void)
{
	/* bcrypt hashes imported from the seeds' databases still verify */
	char *salt = crypt_gensalt_ra("$2b$", 4, NULL, 0);
	struct crypt_data d;
	char *h;

	memset(&d, 0, sizeof(d));
	h = crypt_rn("s3cret-pass", salt, &d, sizeof(d));
	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	CU_ASSERT(strncmp(h, "$2b$", 4) == 0);
	CU_ASSERT_TRUE(auth_verify_password("s3cret-pass", h));
	CU_ASSERT_FALSE(auth_verify_password("s3cret-pasS", h));
	free(salt);
}

static char *
issue(enum token_type typ, long long ttl)
{
	struct token_claims c = { .sub = 42, .role = ROLE_ADMIN, .ver = 3,
				  .typ = typ };

	snprintf(c.fam, sizeof(c.fam), "fam1");
	return auth_issue_token(&cfg, &c, ttl);
}

static void
test_token_roundtrip(void)
{
	char *t = issue(TOKEN_ACCESS, 60);
	struct token_claims c;

	CU_ASSERT_EQUAL(auth_verify_token(&cfg, t, TOKEN_ACCESS, &c), ERR_OK);
	CU_ASSERT_EQUAL(c.sub, 42);
	CU_ASSERT_EQUAL(c.ver, 3);
	CU_ASSERT_EQUAL(c.role, ROLE_ADMIN);
	CU_ASSERT(strlen(c.jti) > 10);
	/* access tokens name their session too */
	CU_ASSERT_STRING_EQUAL(c.fam, "fam1");
	/* wrong type, both ways */
	CU_ASSERT_EQUAL(auth_verify_token(&cfg, t, TOKEN_REFRESH, &c),
			ERR_TOKEN_INVALID);
	free(t);
	t = issue(TOKEN_REFRESH, 60);
	CU_ASSERT_EQUAL(auth_verify_token(&cfg, t, TOKEN_REFRESH, &c), ERR_OK);
	CU_ASSERT_STRING_EQUAL(c.fam, "fam1");
	CU_ASSERT_EQUAL(auth_verify_token(&cfg, t, TOKEN_ACCESS, &c),
			ERR_TOKEN_INVALID);
	free(t);
}

static void
test_expired(void)
{
	char *t = issue(TOKEN_ACCESS, -10);
	struct token_claims c;

	CU_ASSERT_EQUAL(auth_verify_token(&cfg, t, TOKEN_ACCESS, &c),
			ERR_TOKEN_INVALID);
	free(t);
}

static void
test_tampered(void)
{
	char *t = issue(TOKEN_ACCESS, 60);
	char *dot1 = strchr(t, '.'), *dot2 = strrchr(t, '.');
	struct token_claims c;

	/* flip a payload character */
	dot1[3] = dot1[3] == 'A' ? 'B' : 'A';
	CU_ASSERT_EQUAL(auth_verify_token(&cfg, t, TOKEN_ACCESS, &c),
			ERR_TOKEN_INVALID);
	free(t);
	t = issue(TOKEN_ACCESS, 60);
	dot2 = strrchr(t, '.');
	dot2[2] = dot2[2] == 'A' ? 'B' : 'A';
	CU_ASSERT_EQUAL(auth_verify_token(&cfg, t, TOKEN_ACCESS, &c),
			ERR_TOKEN_INVALID);
	free(t);
}

/* header.payload. with alg none, built by hand from a real payload */
static void
test_alg_none(void)
{
	char *t = issue(TOKEN_ACCESS, 60);
	const char *hdr = "{\"alg\":\"none\",\"typ\":\"JWT\"}";
	char *h64 = base64url_encode((const unsigned char *)hdr, strlen(hdr));
	char *dot1 = strchr(t, '.'), *dot2 = strrchr(t, '.');
	char *forged;
	struct token_claims c;

	*dot2 = '\0';
	forged = xasprintf("%s%s.", h64, dot1);
	CU_ASSERT_EQUAL(auth_verify_token(&cfg, forged, TOKEN_ACCESS, &c),
			ERR_TOKEN_INVALID);
	free(forged);
	forged = xasprintf("%s%s", h64, dot1);
	CU_ASSERT_EQUAL(auth_verify_token(&cfg, forged, TOKEN_ACCESS, &c),
			ERR_TOKEN_INVALID);
	free(forged);
	free(h64);
	free(t);
}

/* A token with the right key but HS512 is refused: one algorithm only. */
static void
test_other_alg(void)
{
	jwt_t *jwt = NULL;
	char *t;
	struct token_claims c;
	long long now = (long long)time(NULL);

	jwt_new(&jwt);
	jwt_set_alg(jwt, JWT_ALG_HS512, (const unsigned char *)KEY, strlen(KEY));
	jwt_add_grant(jwt, "sub", "42");
	jwt_add_grant(jwt, "iss", "haas");
	jwt_add_grant(jwt, "typ", "access");
	jwt_add_grant(jwt, "jti", "abc");
	jwt_add_grant_int(jwt, "exp", now + 60);
	t = jwt_encode_str(jwt);
	CU_ASSERT_EQUAL(auth_verify_token(&cfg, t, TOKEN_ACCESS, &c),
			ERR_TOKEN_INVALID);
	free(t);
	jwt_free(jwt);
}

static void
test_wrong_key_and_issuer(void)
{
	char *t = issue(TOKEN_ACCESS, 60);
	struct config other = cfg;
	struct token_claims c;

	other.jwt_secret_key = "another-key-another-key-another-key!";
	CU_ASSERT_EQUAL(auth_verify_token(&other, t, TOKEN_ACCESS, &c),
			ERR_TOKEN_INVALID);
	other = cfg;
	other.jwt_issuer = "someone-else";
	CU_ASSERT_EQUAL(auth_verify_token(&other, t, TOKEN_ACCESS, &c),
			ERR_TOKEN_INVALID);
	CU_ASSERT_EQUAL(auth_verify_token(&cfg, "", TOKEN_ACCESS, &c),
			ERR_TOKEN_INVALID);
	CU_ASSERT_EQUAL(auth_verify_token(&cfg, "a.b.c", TOKEN_ACCESS, &c),
			ERR_TOKEN_INVALID);
	free(t);
}

static void
test_roles(void)
{
	CU_ASSERT_EQUAL(auth_role_parse("admin"), ROLE_ADMIN);
	CU_ASSERT_EQUAL(auth_role_parse("operator"), ROLE_OPERATOR);
	CU_ASSERT_EQUAL(auth_role_parse("user"), ROLE_USER);
	CU_ASSERT_EQUAL(auth_role_parse("root"), ROLE_NONE);
	CU_ASSERT(ROLE_ADMIN > ROLE_OPERATOR && ROLE_OPERATOR > ROLE_USER);
}

static CU_TestInfo tests[] = {
	{ "yescrypt round trip", test_hash_roundtrip },
	{ "bcrypt verifies", test_bcrypt },
	{ "token round trip and typ", test_token_roundtrip },
	{ "expired", test_expired },
	{ "tampered payload and signature", test_tampered },
	{ "alg none", test_alg_none },
	{ "HS512 refused", test_other_alg },
	{ "wrong key, issuer, garbage", test_wrong_key_and_issuer },
	{ "roles", test_roles },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = { SUITE("auth", tests), CU_SUITE_INFO_NULL };

int
main(void)
{
	cfg.jwt_secret_key = KEY;
	cfg.jwt_issuer = "haas";
	return cunit_run(suites);
}

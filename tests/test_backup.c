/* test_backup: the snapshot manifest (written, verified, and refused when
 * a file is altered, missing or outside the snapshot) and the streaming
 * sha256 it hashes with. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backup.h"
#include "cunit_main.h"
#include "sha256.h"
#include "util.h"

static char dir[] = "/tmp/test_backup.XXXXXX";

static void
put(const char *rel, const char *text)
{
	char *path = xasprintf("%s/%s", dir, rel);
	FILE *f = fopen(path, "w");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
	free(path);
}

static void
rm(const char *rel)
{
	char *path = xasprintf("%s/%s", dir, rel);

	unlink(path);
	free(path);
}

static void
rmdir_rel(const char *rel)
{
	char *path = xasprintf("%s/%s", dir, rel);

	rmdir(path);
	free(path);
}

static int
suite_init(void)
{
	char *sub;

	if (!mkdtemp(dir))
		return 1;
	sub = xasprintf("%s/uploads", dir);
	mkdir(sub, 0700);
	free(sub);
	return 0;
}

static int
suite_clean(void)
{
	rm("database.sql");
	rm("uploads/doc");
	rmdir_rel("uploads");
	rm("manifest.json");
	rmdir(dir);
	return 0;
}

/* A fresh snapshot: two files and its manifest. */
static void
snapshot(void)
{
	json_object *migs = json_object_new_array(), *m;

	put("database.sql", "CREATE TABLE t (id INT);\n");
	put("uploads/doc", "%PDF-1.4 a document\n");
	json_object_array_add(migs, json_object_new_string("001_a.sql"));
	m = backup_manifest_new("1.0", "001_a.sql", migs,
				"2026-11-30T00:00:00Z");
	CU_ASSERT_EQUAL(backup_manifest_add(m, dir, "database.sql"), 0);
	CU_ASSERT_EQUAL(backup_manifest_add(m, dir, "uploads/doc"), 0);
	CU_ASSERT_EQUAL(backup_manifest_add(m, dir, "no/such"), -1);
	CU_ASSERT_EQUAL(backup_manifest_write(m, dir), 0);
	json_object_put(m);
}

static void
test_sha256_stream(void)
{
	unsigned char data[300], one[32], inc[32];
	struct sha256_ctx c;
	size_t sizes[] = { 0, 1, 55, 56, 63, 64, 65, 127, 128, 300 }, i, j;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(i * 7 + 3);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		sha256(data, sizes[i], one);
		sha256_init(&c);
		for (j = 0; j < sizes[i]; j += 13)
			sha256_update(&c, data + j,
				      sizes[i] - j < 13 ? sizes[i] - j : 13);
		sha256_final(&c, inc);
		CU_ASSERT(memcmp(one, inc, 32) == 0);
	}
}

static void
test_file_hash(void)
{
	char *path, hex[65];
	long long size = 0;

	put("database.sql", "abc");
	path = xasprintf("%s/database.sql", dir);
	CU_ASSERT_EQUAL(backup_file_hash(path, hex, &size), 0);
	CU_ASSERT_EQUAL(size, 3);
	CU_ASSERT_STRING_EQUAL(hex, "ba7816bf8f01cfea414140de5dae2223"
			       "b00361a396177a9cb410ff61f20015ad");
	free(path);
}

static void
test_manifest_roundtrip(void)
{
	char err[512] = "";
	json_object *m, *files, *f;
	struct stat st;
	char *path;

	snapshot();
	m = backup_manifest_verify(dir, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_STRING_EQUAL(json_object_get_string(
		json_object_object_get(m, "schema_version")), "001_a.sql");
	files = json_object_object_get(m, "files");
	CU_ASSERT_EQUAL(json_object_object_length(files), 2);
	f = json_object_object_get(files, "uploads/doc");
	CU_ASSERT_EQUAL(json_object_get_int64(json_object_object_get(f,
								     "size")),
			20);
	json_object_put(m);
	path = xasprintf("%s/manifest.json", dir);
	CU_ASSERT_EQUAL(stat(path, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
	free(path);
}

static void
test_manifest_tampered(void)
{
	char err[512] = "";

	snapshot();
	put("uploads/doc", "%PDF-1.4 a documenT\n");	/* same size */
	CU_ASSERT_PTR_NULL(backup_manifest_verify(dir, err, sizeof(err)));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "uploads/doc does not match"));
}

static void
test_manifest_incomplete(void)
{
	char err[512] = "";

	snapshot();
	rm("uploads/doc");
	CU_ASSERT_PTR_NULL(backup_manifest_verify(dir, err, sizeof(err)));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "uploads/doc is missing"));
	snapshot();
	rm("manifest.json");
	CU_ASSERT_PTR_NULL(backup_manifest_verify(dir, err, sizeof(err)));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "incomplete snapshot"));
}

/* Writes a manifest by hand (what an attacker or a bad tool might). */
static void
manifest_text(const char *files)
{
	char *text = xasprintf(
		"{\"kind\":\"haas-backup\",\"format\":1,"
		"\"migrations\":[\"001_a.sql\"],\"files\":{%s}}", files);

	put("manifest.json", text);
	free(text);
}

static void
test_manifest_bad_paths(void)
{
	static const char *const bad[] = {
		"../x", "/etc/passwd", "a/../b", "a//b", "./a", "a/",
	};
	char err[512], *files;
	size_t i;

	put("database.sql", "abc");
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		files = xasprintf("\"database.sql\":{\"sha256\":\"ba7816bf8f01c"
				  "fea414140de5dae2223b00361a396177a9cb410ff61f"
				  "20015ad\",\"size\":3},\"%s\":{\"sha256\":\"x"
				  "\",\"size\":1}", bad[i]);
		manifest_text(files);
		err[0] = '\0';
		CU_ASSERT_PTR_NULL(backup_manifest_verify(dir, err,
							  sizeof(err)));
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "bad path"));
		free(files);
	}
	/* No dump listed: not a snapshot to restore. */
	manifest_text("");
	CU_ASSERT_PTR_NULL(backup_manifest_verify(dir, err, sizeof(err)));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "database.sql is not in"));
	put("manifest.json", "{\"kind\":\"other\"}");
	CU_ASSERT_PTR_NULL(backup_manifest_verify(dir, err, sizeof(err)));
	put("manifest.json", "{\"kind\":null,\"files\":{}}");
	CU_ASSERT_PTR_NULL(backup_manifest_verify(dir, err, sizeof(err)));
	put("manifest.json", "{\"kind\":\"haas-backup\",\"format\":1,"
	    "\"migrations\":[\"001_a.sql\"],\"secrets\":[{\"file\":null}],"
	    "\"files\":{\"database.sql\":{}}}");
	CU_ASSERT_PTR_NULL(backup_manifest_verify(dir, err, sizeof(err)));
}

static CU_TestInfo manifest_tests[] = {
	{ "sha256 streaming equals one-shot", test_sha256_stream },
	{ "file hash", test_file_hash },
	{ "manifest written and verified", test_manifest_roundtrip },
	{ "altered file refused", test_manifest_tampered },
	{ "missing file or manifest refused", test_manifest_incomplete },
	{ "paths outside the snapshot refused", test_manifest_bad_paths },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	SUITE_INIT("backup manifest", suite_init, suite_clean, manifest_tests),
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return cunit_run(suites);
}

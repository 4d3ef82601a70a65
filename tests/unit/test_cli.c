/* The CLI contract: usage errors exit 2 with a one-line message naming the
 * problem; --help and list work; explain prints a policy. */
#include "../testutil.h"

static void expect_usage_error(const char *args, const char *needle)
{
	char *out = NULL, *err = NULL;
	int code = cli(args, &out, &err);

	if (code != 2 || !strstr(err, needle))
		fail_msg("`cagetest %s`: exit %d (want 2), stderr '%s' (want '%s')", args, code, err, needle);
	free(out);
	free(err);
}

static void test_usage_errors(void **state)
{
	char bad[] = BUILDDIR "/tests/bad-suite.json";
	(void)state;
	write_str(bad, "{\"modes\": {\"x\": {\"network\": 1}}}");
	expect_usage_error("", "usage:");
	expect_usage_error("frobnicate", "unknown command 'frobnicate'");
	expect_usage_error("run --bogus", "bad option");
	expect_usage_error("run -j 0", "-j 0");
	expect_usage_error("run --timeout -1", "--timeout -1");
	expect_usage_error("run -b nosuchbackend", "-b nosuchbackend: unknown backend");
	expect_usage_error("run -m nosuchmode", "-m nosuchmode: no such mode");
	expect_usage_error("run -s /nonexistent/suite.json", "/nonexistent/suite.json");
	expect_usage_error("run -s " BUILDDIR "/tests/bad-suite.json", "bad-suite.json: modes.x.network: expected true or false");
	expect_usage_error("run -s nosuchsuite", "nosuchsuite: no such suite");
	expect_usage_error("run --fail-on pass", "--fail-on pass");
	expect_usage_error("run --scratch /tmp", "/tmp");
	expect_usage_error("list bogus", "list bogus");
	expect_usage_error("explain -b landlock", "explain needs -b BACKEND and -m MODE");
	expect_usage_error("explain -b nope -m read-only", "-b nope: unknown backend");
	unlink(bad);
}

static void test_help_version(void **state)
{
	char *out = NULL, *err = NULL;

	(void)state;
	assert_int_equal(cli("--help", &out, &err), 0);
	assert_non_null(strstr(out, "cagetest run"));
	assert_non_null(strstr(out, "exit status"));
	free(out), free(err);
	assert_int_equal(cli("--version", &out, &err), 0);
	assert_non_null(strstr(out, "cagetest " CAGETEST_VERSION));
	free(out), free(err);
}

static void test_list(void **state)
{
	char *out = NULL, *err = NULL;
	size_t lines = 0;

	(void)state;
	assert_int_equal(cli("list probes", &out, &err), 0);
	for (char *p = out; *p; p++)
		lines += *p == '\n';
	assert_true(lines >= 30);
	assert_true(!strncmp(out, "fs.", 3)); /* the id first */
	free(out), free(err);
	assert_int_equal(cli("list backends", &out, &err), 0);
	assert_non_null(strstr(out, "none "));
	assert_non_null(strstr(out, "landlock "));
	free(out), free(err);
	assert_int_equal(cli("list modes", &out, &err), 0);
	assert_non_null(strstr(out, "workspace-write"));
	free(out), free(err);
	assert_int_equal(cli("list suites", &out, &err), 0);
	assert_non_null(strstr(out, "default"));
	free(out), free(err);
}

static void test_explain(void **state)
{
	char *out = NULL, *err = NULL;

	(void)state;
	assert_int_equal(cli("explain -b landlock -m workspace-write", &out, &err), 0);
	assert_non_null(strstr(out, "rule {workspace}: all"));
	assert_non_null(strstr(out, "socket"));
	assert_non_null(strstr(out, "protected .git: NOT enforced"));
	free(out), free(err);
	assert_int_equal(cli("explain -b landlock -m danger-full-access", &out, &err), 0);
	assert_non_null(strstr(out, "nothing is applied"));
	free(out), free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_usage_errors),
		cmocka_unit_test(test_help_version),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_explain),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

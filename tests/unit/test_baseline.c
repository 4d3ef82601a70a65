/* Baselines: both file formats, globs, which entries are fixed, and bad
 * files (exit 2 naming the file and the problem). The live side (a real
 * escape turned into xfail, exit 0) is in tests/live/test_live_reports.c. */
#include "../testutil.h"
#include "../../reports/merge.h"

static void test_known_list(void **state)
{
	struct baseline b;
	char err[256] = "";

	(void)state;
	if (baseline_parse("{\"description\":\"bwrap on CI\",\"known\":["
			   "{\"backend\":\"landlock\",\"mode\":\"workspace-*\",\"probe\":\"git.*\",\"reason\":\"no holes\"},"
			   "{\"backend\":\"*\",\"mode\":\"*\",\"probe\":\"proc.daemon_outlives\",\"reason\":\"no pid ns\",\"issue\":7}]}",
			   &b, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	assert_int_equal(b.n, 2);
	assert_string_equal(b.v[0].reason, "no holes");
	assert_true(baseline_known("landlock", "workspace-write", "git.config_write", &b));
	assert_true(baseline_known("landlock", "workspace-net", "git.hook_create", &b));
	assert_false(baseline_known("landlock", "read-only", "git.config_write", &b));
	assert_false(baseline_known("bwrap", "workspace-write", "git.config_write", &b));
	assert_true(baseline_known("bwrap", "read-only", "proc.daemon_outlives", &b));
	assert_false(baseline_known("bwrap", "read-only", "proc.signal_sentinel", &b));
	baseline_free(&b);
}

/* A previous report: its escape and overblocked rows (and rows that were
 * already known) become known, exactly (glob characters are literal). */
static void test_report_baseline(void **state)
{
	static const struct row_spec rows[] = {
		{"landlock", "read-only", "fs.a", V_PASS, EXPECT_BLOCKED},
		{"landlock", "read-only", "fs.b", V_ESCAPE, EXPECT_BLOCKED},
		{"landlock", "workspace-write", "fs.c", V_OVERBLOCKED, EXPECT_ALLOWED},
		{"landlock", "workspace-write", "fs.d", V_XFAIL, EXPECT_BLOCKED},
		{"landlock", "workspace-write", "fs.e", V_ERROR, EXPECT_BLOCKED},
		{"landlock", "workspace-write", "fs.[x]*", V_ESCAPE, EXPECT_BLOCKED},
	};
	struct report r;
	struct baseline b;
	char *text = NULL, err[256] = "";

	(void)state;
	build_report(&r, "h", "6.1", rows, ARRAY_SIZE(rows));
	assert_int_equal(report_json(&r, &text), 0);
	if (baseline_parse(text, &b, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	assert_int_equal(b.n, 4);
	assert_false(baseline_known("landlock", "read-only", "fs.a", &b));
	assert_true(baseline_known("landlock", "read-only", "fs.b", &b));
	assert_false(baseline_known("landlock", "workspace-write", "fs.b", &b));
	assert_true(baseline_known("landlock", "workspace-write", "fs.c", &b));
	assert_true(baseline_known("landlock", "workspace-write", "fs.d", &b));
	assert_false(baseline_known("landlock", "workspace-write", "fs.e", &b));
	assert_true(baseline_known("landlock", "workspace-write", "fs.[x]*", &b));
	assert_false(baseline_known("landlock", "workspace-write", "fs.x", &b));
	assert_non_null(strstr(b.v[0].reason, "escape in the baseline report of 2026-11-22T10:00:00Z"));
	free(text);
	baseline_free(&b);
	report_free(&r);
}

/* An entry is fixed when the rows it matches all pass now. */
static void test_fixed(void **state)
{
	static const struct row_spec rows[] = {
		{"landlock", "read-only", "fs.a", V_PASS, EXPECT_BLOCKED},
		{"landlock", "workspace-write", "fs.a", V_PASS, EXPECT_BLOCKED},
		{"landlock", "workspace-write", "git.x", V_XFAIL, EXPECT_BLOCKED},
		{"landlock", "workspace-write", "git.y", V_PASS, EXPECT_BLOCKED},
		{"landlock", "workspace-write", "net.z", V_SKIP, EXPECT_BLOCKED},
	};
	struct report r;
	struct baseline b;
	char err[256];

	(void)state;
	build_report(&r, "h", "6.1", rows, ARRAY_SIZE(rows));
	assert_int_equal(baseline_parse("{\"known\":["
					"{\"backend\":\"landlock\",\"mode\":\"*\",\"probe\":\"fs.a\",\"reason\":\"old bug\"},"
					"{\"backend\":\"landlock\",\"mode\":\"*\",\"probe\":\"git.*\",\"reason\":\"no holes\"},"
					"{\"backend\":\"landlock\",\"mode\":\"*\",\"probe\":\"net.z\",\"reason\":\"skips here\"},"
					"{\"backend\":\"bwrap\",\"mode\":\"*\",\"probe\":\"*\",\"reason\":\"not run\"}]}",
					&b, err, sizeof(err)),
			 0);
	assert_int_equal(baseline_fixed(&b, &r), 0);
	assert_int_equal(r.nfixed_known, 1);
	assert_string_equal(r.fixed_known[0], "landlock/* fs.a: old bug (passes now)");
	baseline_free(&b);
	report_free(&r);
}

static void test_bad_baselines(void **state)
{
	static const struct {
		const char *text, *needle;
	} bad[] = {
		{"", "not valid JSON"},
		{"{\"known\":[1,", "not valid JSON"},
		{"{\"known\":{}}", "known: expected an array"},
		{"{\"known\":[1]}", "known[0]: expected an object"},
		{"{\"known\":[{\"backend\":\"a\",\"mode\":\"b\",\"reason\":\"r\"}]}", "known[0].probe: missing"},
		{"{\"known\":[{\"backend\":\"a\",\"mode\":\"b\",\"probe\":\"p\",\"reason\":\"\"}]}",
		 "known[0].reason: expected a non-empty string"},
		{"{\"known\":[{\"backend\":\"a\",\"mode\":\"b\",\"probe\":\"p\",\"reason\":\"r\"},"
		 "{\"backend\":\"a\",\"mode\":7,\"probe\":\"p\",\"reason\":\"r\"}]}",
		 "known[1].mode: expected a non-empty string"},
		{"{\"entries\":[]}", "expected {\"known\":[...]} or a cagetest JSON report"},
		{"[]", "expected {\"known\":[...]} or a cagetest JSON report"},
		{"{\"tool\":\"cagetest\",\"schema\":9,\"results\":[]}", "unsupported schema"},
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct baseline b;
		char err[256] = "";
		if (baseline_parse(bad[i].text, &b, err, sizeof(err)) == 0)
			fail_msg("case %zu accepted", i);
		if (!strstr(err, bad[i].needle))
			fail_msg("case %zu: '%s' lacks '%s'", i, err, bad[i].needle);
	}
}

static void test_baseline_cli_errors(void **state)
{
	char bad[] = BUILDDIR "/tests/bad-baseline.json", args[512], *out = NULL, *err = NULL;

	(void)state;
	write_str(bad, "{\"known\":[{\"backend\":\"landlock\"}]}");
	snprintf(args, sizeof(args), "run --baseline %s", bad);
	assert_int_equal(cli(args, &out, &err), 2);
	assert_non_null(strstr(err, "--baseline " BUILDDIR "/tests/bad-baseline.json: known[0].mode: missing"));
	free(out), free(err);
	assert_int_equal(cli("run --baseline /nonexistent/known.json", &out, &err), 2);
	assert_non_null(strstr(err, "--baseline /nonexistent/known.json: No such file"));
	free(out), free(err);
	unlink(bad);
}

/* Several --baseline files are one list. */
static void test_append(void **state)
{
	struct baseline a, b;
	char err[256];

	(void)state;
	assert_int_equal(baseline_parse("{\"known\":[{\"backend\":\"landlock\",\"mode\":\"*\",\"probe\":\"git.*\",\"reason\":\"r\"}]}",
				       &a, err, sizeof(err)), 0);
	assert_int_equal(baseline_parse("{\"known\":[{\"backend\":\"bwrap\",\"mode\":\"*\",\"probe\":\"fs.hard*\",\"reason\":\"r\"}]}",
				       &b, err, sizeof(err)), 0);
	assert_int_equal(baseline_append(&a, &b), 0);
	assert_int_equal(a.n, 2);
	assert_int_equal(b.n, 0);
	assert_true(baseline_known("landlock", "read-only", "git.config_write", &a));
	assert_true(baseline_known("bwrap", "workspace-write", "fs.hardlink_planted", &a));
	assert_false(baseline_known("bwrap", "workspace-write", "git.config_write", &a));
	baseline_free(&a);
	baseline_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_list),  cmocka_unit_test(test_report_baseline),
		cmocka_unit_test(test_fixed),	    cmocka_unit_test(test_bad_baselines),
		cmocka_unit_test(test_baseline_cli_errors), cmocka_unit_test(test_append),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

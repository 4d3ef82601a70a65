/* JSON and JUnit writers on a fixed model: hostile strings, XSD validity,
 * and the JSON report read back (merge, diff and baselines depend on it). */
#include "../testutil.h"


static const char hostile[] = "ctl\x01\x02\x1b[31m bad-utf8 \xff\xfe\xc3( ]]> <tag attr=\"q\"> & 'apos' \xed\xa0\x80 end";

static void fill(struct report *r)
{
	static const struct {
		const char *b, *m, *p;
		enum verdict v;
	} rows[] = {
		{"landlock", "read-only", "fs.create_outside", V_PASS},
		{"landlock", "read-only", "git.config_write", V_ESCAPE},
		{"landlock", "workspace-write", "fs.write_workspace", V_OVERBLOCKED},
		{"landlock", "workspace-write", "net.tcp4_loopback", V_ERROR},
		{"bwrap", "read-only", "proc.tiocsti", V_SKIP},
		{"bwrap", "read-only", "fs.hardlink_planted", V_XFAIL},
	};
	memset(r, 0, sizeof(*r));
	r->tool = strdup("cagetest");
	r->version = strdup(CAGETEST_VERSION);
	r->started = strdup("2026-11-22T10:00:00Z");
	r->duration_s = 1.9;
	r->host.name = strdup("host");
	r->host.kernel = strdup("6.18.0");
	r->host.arch = strdup("x86_64");
	r->host.container = strdup("none");
	r->host.landlock_abi = 7;
	r->host.seccomp = true;
	struct backend_info b = {.name = "landlock", .available = true, .version = "abi 7", .notes = (char *)hostile};
	report_add_backend(r, &b);
	struct backend_info b2 = {.name = "bwrap", .available = false, .reason = "not installed"};
	report_add_backend(r, &b2);
	report_add_explain(r, "landlock", "read-only", hostile);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct result res = {
			.backend = (char *)rows[i].b,
			.mode = (char *)rows[i].m,
			.probe = (char *)rows[i].p,
			.category = "fs",
			.effect = "write.outside",
			.expected = EXPECT_BLOCKED,
			.observed = "blocked",
			.control = "allowed",
			.verdict = rows[i].v,
			.errno_name = "EACCES",
			.detail = (char *)hostile,
			.duration_ms = 14.25,
		};
		assert_int_equal(report_add(r, &res), 0);
	}
	report_summarize(r);
}

static bool valid_xml_chars(const char *s)
{
	/* no C0 controls but \t \n \r, and valid UTF-8 (checked by libxml2 below) */
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 && *s != '\t' && *s != '\n' && *s != '\r')
			return false;
	return true;
}

static void test_sanitize(void **state)
{
	char *x = xml_sanitize(hostile), *u = utf8_sanitize(hostile);

	(void)state;
	assert_true(valid_xml_chars(x));
	assert_non_null(strstr(x, "]]>"));		 /* escaped by the writer, not here */
	assert_non_null(strstr(u, "\x01"));		 /* JSON escapes controls itself */
	assert_null(strstr(u, "\xff"));			 /* bad UTF-8 replaced */
	assert_null(strstr(x, "\xed\xa0\x80"));		 /* surrogates are not UTF-8 */
	assert_non_null(strstr(x, "\xef\xbf\xbd"));	 /* U+FFFD */
	free(x);
	free(u);
}

static void test_junit(void **state)
{
	struct report r;
	char *xml = NULL, err[128];

	(void)state;
	fill(&r);
	assert_int_equal(report_junit(&r, &xml), 0);
	if (validate_junit(xml, err, sizeof(err)) != 0)
		fail_msg("%s:\n%s", err, xml);
	/* the shape README (Reports) and docs/cagetest-junit.xsd promise */
	assert_non_null(strstr(xml, "<testsuite name=\"landlock.read-only\""));
	assert_non_null(strstr(xml, "<testsuite name=\"landlock.workspace-write\""));
	assert_non_null(strstr(xml, "<testsuite name=\"bwrap.read-only\""));
	assert_non_null(strstr(xml, "classname=\"cagetest.landlock.read-only.fs\" name=\"git.config_write\""));
	assert_non_null(strstr(xml, "<failure type=\"escape\""));
	assert_non_null(strstr(xml, "<failure type=\"overblocked\""));
	assert_non_null(strstr(xml, "<error type=\"error\""));
	assert_non_null(strstr(xml, "<skipped type=\"skip\""));
	assert_non_null(strstr(xml, "<skipped type=\"xfail\""));
	assert_non_null(strstr(xml, "<property name=\"landlock.abi\" value=\"7\"/>"));
	assert_non_null(strstr(xml, "tests=\"6\" failures=\"2\" errors=\"1\""));
	assert_non_null(strstr(xml, "time=\"0.014\""));
	assert_null(strstr(xml, "\x01"));
	free(xml);
	report_free(&r);
}

/* Our schema is exactly our shape: each of these drifts is rejected. */
static void test_junit_schema_strict(void **state)
{
	static const char *const drift[][2] = {
		{"<failure type=\"escape\"", "<failure type=\"Escape\""},
		{"<skipped type=\"xfail\"", "<skipped type=\"todo\""},
		{"classname=\"cagetest.landlock.read-only.fs\"", "classname=\"landlock.read-only.fs\""},
		{"name=\"git.config_write\"", "name=\"config_write\""},
		{"<property name=\"landlock.abi\"", "<property name=\"abi\""},
		{"<testsuite name=\"bwrap.read-only\"", "<testsuite name=\"bwrap\""},
		{"time=\"0.014\"", "time=\"14ms\""},
		{"verdict=escape", "verdict=broken"},
		{"<testsuites name=\"cagetest\"", "<testsuites name=\"other\""},
	};
	struct report r;
	char *xml = NULL, err[256];

	(void)state;
	fill(&r);
	assert_int_equal(report_junit(&r, &xml), 0);
	for (size_t i = 0; i < sizeof(drift) / sizeof(drift[0]); i++) {
		const char *at = strstr(xml, drift[i][0]);
		char *m;
		assert_non_null(at);
		assert_true(asprintf(&m, "%.*s%s%s", (int)(at - xml), xml, drift[i][1], at + strlen(drift[i][0])) > 0);
		if (validate_xsd(JUNIT_XSD, m, err, sizeof(err)) == 0)
			fail_msg("schema accepted drift %zu: %s", i, drift[i][1]);
		free(m);
	}
	free(xml);
	report_free(&r);
}

static void test_json_roundtrip(void **state)
{
	struct report r, back;
	char *text = NULL, *again = NULL, err[256];

	(void)state;
	fill(&r);
	assert_int_equal(report_json(&r, &text), 0);
	assert_null(strstr(text, "\xff"));
	if (report_from_json(text, &back, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	assert_int_equal(back.nresults, r.nresults);
	assert_int_equal(back.summary[V_ESCAPE], 1);
	assert_int_equal(back.summary[V_XFAIL], 1);
	assert_string_equal(back.results[1].probe, "git.config_write");
	assert_int_equal(back.results[1].verdict, V_ESCAPE);
	assert_int_equal(back.host.landlock_abi, 7);
	assert_int_equal(back.nbackends, 2);
	assert_false(back.backends[1].available);
	assert_string_equal(back.backends[1].reason, "not installed");
	assert_non_null(report_explain(&back, "landlock", "read-only"));
	/* writing what was read gives the same text: nothing lost */
	assert_int_equal(report_json(&back, &again), 0);
	assert_string_equal(text, again);
	free(text), free(again);
	report_free(&r);
	report_free(&back);
}

static void test_json_bad(void **state)
{
	static const struct {
		const char *text, *needle;
	} bad[] = {
		{"", "not valid JSON"},
		{"{\"tool\":\"other\",\"schema\":1,\"results\":[]}", "not a cagetest report"},
		{"{\"tool\":\"cagetest\",\"schema\":3,\"results\":[]}", "unsupported schema"},
		{"{\"tool\":\"cagetest\",\"schema\":1}", "results: missing"},
		{"{\"tool\":\"cagetest\",\"schema\":1,\"results\":[1]}", "results[0]: expected an object"},
		{"{\"tool\":\"cagetest\",\"schema\":1,\"results\":[{\"backend\":\"a\",\"mode\":\"b\",\"probe\":\"c\",\"expected\":\"x\",\"verdict\":\"pass\"}]}",
		 "expected must be"},
		{"{\"tool\":\"cagetest\",\"schema\":1,\"results\":[{\"backend\":\"a\",\"mode\":\"b\",\"probe\":\"c\",\"expected\":\"blocked\",\"verdict\":\"great\"}]}",
		 "unknown verdict"},
		{"{\"tool\":\"cagetest\",\"schema\":1,\"results\":[{\"backend\":1}]}", "results[0].backend: expected a string"},
		{"{\"tool\":\"cagetest\",\"schema\":1,\"host\":{\"kernel\":\"k\",\"arch\":\"a\",\"uid\":-1},\"results\":[]}",
		 "out of range"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct report r;
		char err[256] = "";
		if (report_from_json(bad[i].text, &r, err, sizeof(err)) == 0)
			fail_msg("case %zu accepted", i);
		if (!strstr(err, bad[i].needle))
			fail_msg("case %zu: '%s' lacks '%s'", i, err, bad[i].needle);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sanitize),
		cmocka_unit_test(test_junit),
		cmocka_unit_test(test_junit_schema_strict),
		cmocka_unit_test(test_json_roundtrip),
		cmocka_unit_test(test_json_bad),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Suites: parsing good and bad files, policy -> expectation, overrides. */
#include "../testutil.h"

#include "../../runner/suite.h"

static const char good[] = "{\"name\":\"t\",\"modes\":{"
			   "\"ro\":{\"writable\":[],\"protected\":[\".git\"]},"
			   "\"ww\":{\"writable\":[\"{workspace}\",\"{tmp}\"],\"protected\":[\".git\"]},"
			   "\"net\":{\"writable\":[\"{workspace}\"],\"protected\":[],\"network\":true},"
			   "\"full\":{\"writable\":[\"/\"],\"network\":true,\"confined\":false}},"
			   "\"probes\":{\"include\":[\"fs.*\",\"git.*\"],\"exclude\":[\"fs.write_tmp\"]},"
			   "\"overrides\":[{\"probe\":\"fs.write_workspace\",\"mode\":\"ro\",\"expected\":\"allowed\",\"reason\":\"x\"},"
			   "{\"probe\":\"git.*\",\"backend\":\"landlock\",\"skip\":\"cannot\"}]}";

static void test_parse_good(void **state)
{
	struct suite s;
	char err[256];

	(void)state;
	assert_int_equal(suite_parse(good, "good.json", &s, err, sizeof(err)), 0);
	assert_int_equal(s.nmodes, 4);
	assert_string_equal(s.modes[0].name, "ro"); /* file order is kept */
	assert_string_equal(s.modes[3].name, "full");
	assert_true(s.modes[0].confined);
	assert_false(s.modes[3].confined);
	assert_true(s.modes[2].network);
	suite_free(&s);
}

static void test_expectations(void **state)
{
	struct suite s;
	char err[256];
	const struct mode *ro, *ww, *net, *full;

	(void)state;
	assert_int_equal(suite_parse(good, "good.json", &s, err, sizeof(err)), 0);
	ro = suite_mode(&s, "ro"), ww = suite_mode(&s, "ww"), net = suite_mode(&s, "net"), full = suite_mode(&s, "full");
	/* reads and exec work everywhere */
	for (size_t i = 0; i < s.nmodes; i++) {
		assert_true(mode_allows(&s.modes[i], EFFECT_READ_ANY));
		assert_true(mode_allows(&s.modes[i], EFFECT_EXEC));
	}
	assert_false(mode_allows(ro, EFFECT_WRITE_WORKSPACE));
	assert_true(mode_allows(ww, EFFECT_WRITE_WORKSPACE));
	assert_true(mode_allows(ww, EFFECT_WRITE_TMP));
	assert_false(mode_allows(net, EFFECT_WRITE_TMP));
	assert_false(mode_allows(ww, EFFECT_WRITE_OUTSIDE));
	assert_false(mode_allows(ww, EFFECT_WRITE_PROTECTED));
	assert_true(mode_allows(net, EFFECT_WRITE_PROTECTED)); /* nothing protected there */
	assert_false(mode_allows(ro, EFFECT_WRITE_PROTECTED));
	assert_false(mode_allows(ww, EFFECT_NET_EGRESS));
	assert_true(mode_allows(net, EFFECT_NET_EGRESS));
	for (int e = 0; e < EFFECT__COUNT; e++)
		assert_true(mode_allows(full, (enum effect)e));
	for (enum effect e = EFFECT_IPC_HOST; e <= EFFECT_PROC_INSPECT; e++)
		assert_false(mode_allows(net, e));

	/* overrides: expectation and skip, globbed */
	const char *skip = NULL;
	assert_int_equal(suite_expect(&s, "landlock", ro, probe_find("fs.write_workspace"), &skip), EXPECT_ALLOWED);
	assert_null(skip);
	assert_int_equal(suite_expect(&s, "landlock", ww, probe_find("git.config_write"), &skip), EXPECT_BLOCKED);
	assert_string_equal(skip, "cannot");
	assert_int_equal(suite_expect(&s, "bwrap", ww, probe_find("git.config_write"), &skip), EXPECT_BLOCKED);
	assert_null(skip);

	/* write.protected follows the name each probe targets */
	assert_int_equal(suite_expect(&s, "x", ww, probe_find("git.config_write"), &skip), EXPECT_BLOCKED);
	assert_int_equal(suite_expect(&s, "x", ww, probe_find("git.codex_config"), &skip), EXPECT_ALLOWED);
	assert_int_equal(suite_expect(&s, "x", ro, probe_find("git.codex_config"), &skip), EXPECT_BLOCKED);
	assert_int_equal(suite_expect(&s, "x", net, probe_find("git.config_write"), &skip), EXPECT_ALLOWED);

	/* selection */
	assert_true(suite_selects(&s, probe_find("fs.create_outside")));
	assert_false(suite_selects(&s, probe_find("fs.write_tmp")));
	assert_false(suite_selects(&s, probe_find("net.tcp4_loopback")));
	suite_free(&s);
}

static void test_parse_bad(void **state)
{
	static const struct {
		const char *text, *needle;
	} bad[] = {
		{"", "not valid JSON"},
		{"{", "not valid JSON"},
		{"[]", "expected a JSON object"},
		{"{\"modes\":{}}", "at least one mode"},
		{"{\"modes\":{\"a\":{}},\"bogus\":1}", "suite.bogus: unknown key"},
		{"{\"modes\":{\"a\":{\"writeable\":[]}}}", "modes.a.writeable: unknown key"},
		{"{\"modes\":{\"a\":{\"writable\":\"/\"}}}", "modes.a.writable: expected an array"},
		{"{\"modes\":{\"a\":{\"writable\":[1]}}}", "expected non-empty strings"},
		{"{\"modes\":{\"a\":{\"writable\":[\"relative\"]}}}", "absolute paths"},
		{"{\"modes\":{\"a\":{\"protected\":[\"a/b\"]}}}", "single path components"},
		{"{\"modes\":{\"a\":{\"network\":\"yes\"}}}", "modes.a.network: expected true or false"},
		{"{\"modes\":{\"A B\":{}}}", "mode names"},
		{"{\"modes\":{\"a\":[]}}", "modes.a: expected an object"},
		{"{\"modes\":{\"a\":{}},\"overrides\":[{\"mode\":\"a\",\"expected\":\"allowed\"}]}", "\"probe\" (a glob) is required"},
		{"{\"modes\":{\"a\":{}},\"overrides\":[{\"probe\":\"*\",\"expected\":\"maybe\"}]}", "\"expected\" is"},
		{"{\"modes\":{\"a\":{}},\"overrides\":[{\"probe\":\"*\"}]}", "needs \"expected\" or \"skip\""},
		{"{\"modes\":{\"a\":{}},\"probes\":{\"include\":\"*\"}}", "probes.include: expected an array"},
		{"{\"modes\":{\"a\":{}},\"probes\":[\"*\"]}", "probes: expected an object"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct suite s;
		char err[256] = "";
		if (suite_parse(bad[i].text, "bad.json", &s, err, sizeof(err)) != -EINVAL)
			fail_msg("case %zu accepted: %s", i, bad[i].text);
		if (!strstr(err, bad[i].needle) || strncmp(err, "bad.json: ", 10))
			fail_msg("case %zu: message '%s' lacks '%s' or the file name", i, err, bad[i].needle);
	}
}

static void test_deep_nesting(void **state)
{
	char *text = malloc(200010);
	struct suite s;
	char err[256];

	(void)state;
	memset(text, '[', 100000);
	memset(text + 100000, ']', 100000);
	text[200000] = 0;
	assert_int_equal(suite_parse(text, "deep.json", &s, err, sizeof(err)), -EINVAL);
	free(text);
}

static void test_shipped_suites(void **state)
{
	static const char *const names[] = {SRCDIR "/suites/default.json", SRCDIR "/suites/strict.json"};
	(void)state;
	for (size_t i = 0; i < 2; i++) {
		struct suite s;
		char err[512];
		if (suite_load(names[i], &s, err, sizeof(err)) < 0)
			fail_msg("%s", err);
		assert_non_null(suite_mode(&s, "read-only"));
		assert_non_null(suite_mode(&s, "workspace-write"));
		suite_free(&s);
	}
	struct suite s;
	char err[512];
	assert_int_equal(suite_load(SRCDIR "/suites/no-such.json", &s, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "no-such.json"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),    cmocka_unit_test(test_expectations),
		cmocka_unit_test(test_parse_bad),     cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_shipped_suites),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

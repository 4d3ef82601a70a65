/* The GitHub Actions template stays in step with the tree: the files and
 * make targets it names exist, both jobs are there, and it uploads what the
 * run writes. */
#include "../testutil.h"

static void test_workflow_refers_to_real_things(void **state)
{
	_cleanup_free_ char *wf = NULL, *mk = NULL;
	static const char *const files[] = {"ci/install-deps.sh", "platforms/baselines/bwrap.json"};
	static const char *const needles[] = {"runs-on: ubuntu-latest", "runs-on: macos-latest", "sudo make check",
					      "make check-seatbelt", "--json out/cagetest.json",
					      "--junit out/cagetest.junit.xml", "actions/upload-artifact",
					      "build/tests/test_seatbelt-portable"};

	(void)state;
	assert_int_equal(read_file(SRCDIR "/ci/github/cagetest.yml", 1 << 20, &wf, NULL), 0);
	assert_int_equal(read_file(SRCDIR "/Makefile", 1 << 20, &mk, NULL), 0);
	for (size_t i = 0; i < ARRAY_SIZE(needles); i++)
		if (!strstr(wf, needles[i]))
			fail_msg("ci/github/cagetest.yml lacks %s", needles[i]);
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		char p[4096];
		snprintf(p, sizeof(p), SRCDIR "/%s", files[i]);
		if (access(p, R_OK) != 0 || !strstr(wf, files[i]))
			fail_msg("%s: missing from the tree or the workflow", files[i]);
	}
	assert_non_null(strstr(mk, "\ncheck-seatbelt:"));
	assert_non_null(strstr(mk, "-o $(BUILD)/tests/test_seatbelt-portable"));
	assert_null(strchr(wf, '\t')); /* YAML forbids tabs */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_workflow_refers_to_real_things),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

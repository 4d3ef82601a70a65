/* The GitHub Actions template stays in step with the tree: the files and
 * make targets it names exist, both jobs are there, and it uploads what the
 * run writes. */
#include "../testutil.h"

#include <dirent.h>
#include <sys/stat.h>

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
	assert_non_null(strstr(mk, "SEATBELT_PORTABLE := $(BUILD)/tests/test_seatbelt-portable"));
	/* make check runs the portable build too: the macOS job cannot break unseen */
	assert_non_null(strstr(mk, "tests/run-tests.sh $(UNIT_BIN) $(SEATBELT_PORTABLE)"));
	assert_null(strchr(wf, '\t')); /* YAML forbids tabs */
}

/* A user's clone has nothing beside it: no test, helper or make rule may
 * name a path above the repository (.ci/run tests a copy of the tree alone
 * too; this names the culprit sooner). The needles are spelled in pieces so
 * this file does not match itself. */
static void scan_for_outside_paths(const char *dir)
{
	const char *const needles[] = {"../" "shared", "SRCDIR \"/.." "/"};
	DIR *d = opendir(dir);
	struct dirent *e;

	assert_non_null(d);
	while ((e = readdir(d))) {
		char p[4096];
		_cleanup_free_ char *text = NULL;
		struct stat st;
		if (e->d_name[0] == '.' || snprintf(p, sizeof(p), "%s/%s", dir, e->d_name) >= (int)sizeof(p) ||
		    stat(p, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (strcmp(e->d_name, "corpus") && strcmp(e->d_name, "golden")) /* data, not code */
				scan_for_outside_paths(p);
			continue;
		}
		if (read_file(p, 4 << 20, &text, NULL) < 0)
			continue;
		for (size_t i = 0; i < ARRAY_SIZE(needles); i++)
			if (strstr(text, needles[i]))
				fail_msg("%s names a path outside the repository (%s)", p, needles[i]);
	}
	closedir(d);
}

static void test_tests_stay_in_the_repository(void **state)
{
	(void)state;
	scan_for_outside_paths(SRCDIR "/tests");
	scan_for_outside_paths(SRCDIR "/ci");
	_cleanup_free_ char *mk = NULL;
	assert_int_equal(read_file(SRCDIR "/Makefile", 1 << 20, &mk, NULL), 0);
	assert_null(strstr(mk, "../" "shared"));
}

/* make install puts the binaries, the data (suites, adapters, baselines,
 * the JUnit schema) and the man pages where the installed binary finds them. */
static void test_install(void **state)
{
	static const char dest[] = BUILDDIR "/tests/install-root";
	static const char *const files[] = {
		"/usr/local/bin/cagetest", "/usr/local/bin/cagetest-agent",
		"/usr/local/share/cagetest/cagetest-junit.xsd", "/usr/local/share/cagetest/suites/default.json",
		"/usr/local/share/cagetest/platforms/adapters/codex.json",
		"/usr/local/share/cagetest/platforms/baselines/bwrap.json", "/usr/local/share/man/man1/cagetest.1",
		"/usr/local/share/man/man5/cagetest-adapter.5",
	};
	char *argv[] = {"/usr/bin/make", "-s", "-C", SRCDIR, "install", "PREFIX=/usr/local", "DESTDIR=" BUILDDIR "/tests/install-root",
			"BUILD=" BUILDDIR, NULL};
	char *out = NULL, *err = NULL;

	(void)state;
	rm_rf(dest);
	if (run_cmd(argv, &out, &err) != 0)
		fail_msg("make install: %s%s", out, err);
	free(out), free(err);
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		char p[4096];
		snprintf(p, sizeof(p), "%s%s", dest, files[i]);
		if (access(p, R_OK) != 0)
			fail_msg("make install did not install %s", files[i]);
	}
	rm_rf(dest);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_workflow_refers_to_real_things),
		cmocka_unit_test(test_tests_stay_in_the_repository),
		cmocka_unit_test(test_install),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

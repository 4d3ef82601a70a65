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
 * the JUnit schema) and the man pages in PREFIX, and the installed binary
 * finds its data there wherever PREFIX is, staged under DESTDIR or not:
 * nothing of the build's own PREFIX is baked into it. */
static void install_and_run(const char *prefix, const char *destdir)
{
	static const char *const files[] = {
		"/bin/cagetest",
		"/bin/cagetest-agent",
		"/share/cagetest/cagetest-junit.xsd",
		"/share/cagetest/suites/default.json",
		"/share/cagetest/platforms/adapters/codex.json",
		"/share/cagetest/platforms/baselines/bwrap.json",
		"/share/man/man1/cagetest.1",
		"/share/man/man5/cagetest-adapter.5",
	};
	char root[2048], pre[4096], dest[4096], bin[4096], want[4096];
	char *make[] = {"/usr/bin/make", "-s", "-C", SRCDIR, "install", pre, dest, "BUILD=" BUILDDIR, NULL};
	char *out = NULL, *err = NULL;

	snprintf(root, sizeof(root), "%s%s", destdir, prefix);
	snprintf(pre, sizeof(pre), "PREFIX=%s", prefix);
	snprintf(dest, sizeof(dest), "DESTDIR=%s", destdir);
	rm_rf(root);
	if (run_cmd(make, &out, &err) != 0)
		fail_msg("make install %s %s: %s%s", pre, dest, out, err);
	free(out), free(err);
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		char p[8192];
		snprintf(p, sizeof(p), "%s%s", root, files[i]);
		if (access(p, R_OK) != 0)
			fail_msg("make install %s did not install %s", pre, files[i]);
	}
	snprintf(bin, sizeof(bin), "%s/bin/cagetest", root);
	/* its suites are the installed ones, not the source tree's, not the built-in copies */
	char *list[] = {bin, "list", "suites", NULL};
	assert_int_equal(run_cmd(list, &out, &err), 0);
	snprintf(want, sizeof(want), "default\t%s/share/cagetest/suites/default.json\n", root);
	if (!strstr(out, want))
		fail_msg("installed in %s, `cagetest list suites` says:\n%s%s", root, out, err);
	free(out), free(err);
	char *backends[] = {bin, "list", "backends", NULL};
	assert_int_equal(run_cmd(backends, &out, &err), 0);
	assert_non_null(strstr(out, "\nfirejail ")); /* a shipped adapter */
	free(out), free(err);
	/* a battery runs with them: the default suite and a baseline by name */
	char *run[] = {bin, "run", "-q", "-b", "none", "-m", "workspace-write", "-p", "fs.write_workspace",
		       "--baseline", "landlock", "--json", "-", NULL};
	struct report rep;
	char perr[256];
	int code = run_cmd(run, &out, &err);
	if (code != 0 || report_from_json(out, &rep, perr, sizeof(perr)) < 0)
		fail_msg("installed in %s, `cagetest run` exit %d: %s", root, code, err);
	assert_int_equal(rep.nresults, 1);
	assert_int_equal(rep.results[0].verdict, V_PASS);
	report_free(&rep);
	free(out), free(err);
	rm_rf(root);
}

static void test_install(void **state)
{
	(void)state;
	install_and_run("/usr/local", BUILDDIR "/tests/install-root");
	install_and_run("/opt/cagetest-elsewhere", BUILDDIR "/tests/install-root");
	install_and_run(BUILDDIR "/tests/install-prefix", ""); /* no DESTDIR: PREFIX=/opt/x */
	rm_rf(BUILDDIR "/tests/install-root");
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

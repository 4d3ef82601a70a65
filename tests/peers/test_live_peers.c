/* Live, `make check-peers`: the codex and srt adapters against the real
 * tools installed from npm into peers/ (on PATH). Asserts their measured
 * verdicts, that their own failures are errors with their stderr, that a
 * batch keeps a mode to a few starts, and that srt's /tmp litter stays in
 * the case. */
#include "../testutil.h"

#include <dirent.h>
#include <fnmatch.h>
#include <sys/stat.h>

static struct report codex, srt;
static int codex_code, srt_code;
static char junit_path[] = BUILDDIR "/tests/live-peers.junit.xml";

static int setup(void **state)
{
	char args[512];

	(void)state;
	snprintf(args, sizeof(args), "-b codex -m all --junit %s", junit_path);
	codex_code = run_json(&codex, args);
	srt_code = run_json(&srt, "-b srt -m all");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	report_free(&codex);
	report_free(&srt);
	unlink(junit_path);
	return 0;
}

static void need(const struct report *r, const char *name, const char *version_has)
{
	const struct backend_info *b = report_backend(r, name);

	assert_non_null(b);
	if (!b->available)
		fail_msg("%s is not available (%s): run ci/install-peers.sh", name, b->reason);
	if (!b->version || !strstr(b->version, version_has))
		fail_msg("%s version '%s' lacks '%s'", name, b->version ? b->version : "", version_has);
	for (size_t i = 0; i < r->nresults; i++)
		if (r->results[i].verdict == V_ERROR)
			fail_msg("%s.%s %s: error: %s", name, r->results[i].mode, r->results[i].probe, r->results[i].detail);
}

/* The rows of one backend.mode share a few invocations: the sum of their
 * times is a few starts, not one start per probe. */
static void batch_cost(const struct report *r, const char *mode, double max_s)
{
	double sum = 0;

	for (size_t i = 0; i < r->nresults; i++)
		if (!strcmp(r->results[i].mode, mode))
			sum += r->results[i].duration_ms / 1000;
	if (sum > max_s)
		fail_msg("%s.%s: %.1f s of sandbox time for one mode (at most %.0f s with batches)", r->results[0].backend,
			 mode, sum, max_s);
}

static void test_codex(void **state)
{
	static const char *const confined[] = {"read-only", "workspace-write", "workspace-net"};
	static const char *const outside[] = {"fs.create_outside", "fs.overwrite_outside", "fs.symlink_file",
					      "fs.home_bashrc", "fs.dotdot_path"};
	char *xml = NULL, err[128];

	(void)state;
	need(&codex, "codex", "codex-cli");
	assert_int_equal(codex_code, 1);
	for (size_t m = 0; m < ARRAY_SIZE(confined); m++) {
		for (size_t i = 0; i < ARRAY_SIZE(outside); i++)
			assert_verdict(&codex, "codex", confined[m], outside[i], V_PASS);
		batch_cost(&codex, confined[m], 20);
	}
	assert_verdict(&codex, "codex", "read-only", "fs.write_workspace", V_PASS);
	assert_verdict(&codex, "codex", "read-only", "fs.read_outside", V_PASS);
	assert_verdict(&codex, "codex", "workspace-write", "fs.write_workspace", V_PASS);
	assert_verdict(&codex, "codex", "workspace-write", "fs.write_tmp", V_PASS);
	assert_verdict(&codex, "codex", "workspace-write", "git.config_write", V_PASS);
	assert_verdict(&codex, "codex", "workspace-write", "git.codex_config", V_PASS);
	assert_verdict(&codex, "codex", "workspace-write", "net.tcp4_loopback", V_PASS);
	assert_verdict(&codex, "codex", "workspace-net", "net.tcp4_loopback", V_PASS);
	/* measured on 0.169: what codex does not protect */
	assert_verdict(&codex, "codex", "workspace-write", "git.nested_hook", V_ESCAPE);
	assert_verdict(&codex, "codex", "workspace-write", "fs.hardlink_planted", V_ESCAPE);
	/* codex closes inherited fds in every mode, danger-full-access too: a
	 * write through one is blocked where nothing is expected to be */
	assert_verdict(&codex, "codex", "danger-full-access", "fs.leaked_fd_write", V_OVERBLOCKED);
	assert_verdict(&codex, "codex", "danger-full-access", "proc.fd_inventory", V_OVERBLOCKED);
	for (size_t i = 0; i < codex.nresults; i++)
		if (!strcmp(codex.results[i].mode, "danger-full-access") && codex.results[i].verdict != V_PASS &&
		    codex.results[i].verdict != V_SKIP && strcmp(codex.results[i].probe, "fs.leaked_fd_write") &&
		    strcmp(codex.results[i].probe, "proc.fd_inventory"))
			fail_msg("danger-full-access %s: %s", codex.results[i].probe, codex.results[i].detail);
	assert_int_equal(read_file(junit_path, 16 << 20, &xml, NULL), 0);
	if (validate_junit(xml, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_non_null(strstr(xml, "<property name=\"backend.version\" value=\"codex-cli"));
	free(xml);
}

static void test_srt(void **state)
{
	static const char *const confined[] = {"read-only", "workspace-write", "workspace-net"};

	(void)state;
	need(&srt, "srt", ".");
	assert_int_equal(srt_code, 1);
	for (size_t m = 0; m < ARRAY_SIZE(confined); m++) {
		assert_verdict(&srt, "srt", confined[m], "fs.create_outside", V_PASS);
		assert_verdict(&srt, "srt", confined[m], "fs.home_bashrc", V_PASS);
		assert_verdict(&srt, "srt", confined[m], "ipc.unix_stream", V_PASS);
		batch_cost(&srt, confined[m], 40);
	}
	assert_verdict(&srt, "srt", "read-only", "fs.write_workspace", V_PASS);
	assert_verdict(&srt, "srt", "workspace-write", "fs.write_workspace", V_PASS);
	assert_verdict(&srt, "srt", "workspace-write", "fs.write_tmp", V_PASS);
	assert_verdict(&srt, "srt", "workspace-write", "git.config_write", V_PASS); /* denyWrite .git */
	assert_verdict(&srt, "srt", "workspace-write", "net.tcp4_loopback", V_PASS);
	/* measured on 0.0.78: a direct socket never leaves (only its proxy
	 * does), and denyWrite .git does not reach a nested repository */
	assert_verdict(&srt, "srt", "workspace-net", "net.tcp4_loopback", V_OVERBLOCKED);
	assert_verdict(&srt, "srt", "workspace-write", "git.nested_hook", V_ESCAPE);
	assert_verdict(&srt, "srt", "danger-full-access", "fs.write_workspace", V_SKIP);
	const struct result *r = find_row(&srt, "srt", "danger-full-access", "fs.write_workspace");
	if (!r || !strstr(r->detail, "srt has no danger-full-access mode"))
		fail_msg("danger-full-access skips without saying why");
}

/* codex refuses a CODEX_HOME under TMPDIR and exits before the agent runs:
 * errors carrying its message, never verdicts. */
static void test_codex_failure_is_error(void **state)
{
	struct report rep = {0};

	(void)state;
	assert_int_equal(run_json(&rep, "-b codex-tmphome -m read-only -p fs.create_outside,fs.write_workspace,"
					"git.config_write --adapter " SRCDIR "/tests/data/codex-tmphome.json"),
			 3);
	assert_int_equal(rep.nresults, 3);
	for (size_t i = 0; i < rep.nresults; i++)
		if (rep.results[i].verdict != V_ERROR || !strstr(rep.results[i].detail, "codex-linux-sandbox"))
			fail_msg("%s: %s (%s)", rep.results[i].probe, verdict_name(rep.results[i].verdict),
				 rep.results[i].detail);
	report_free(&rep);
}

static size_t count_mux(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	while (d && (e = readdir(d)))
		n += fnmatch("srt-mux-*.sock", e->d_name, 0) == 0;
	if (d)
		closedir(d);
	return n;
}

/* srt leaves /tmp/srt-mux-*.sock behind: with a private /tmp per case (as
 * root) they land in the case's tmp/, not in the host's /tmp. */
static void test_srt_litter(void **state)
{
	char parent[] = "/var/tmp/ctpeers-XXXXXX", args[512], cases[PATH_MAX];
	struct report rep = {0};
	DIR *d;
	struct dirent *e;
	size_t in_cases = 0;

	(void)state;
	if (geteuid() != 0)
		skip();
	assert_non_null(mkdtemp(parent));
	snprintf(args, sizeof(args), "-b srt -m read-only -p fs.create_outside --keep --scratch %s", parent);
	assert_int_equal(run_json(&rep, args), 0);
	report_free(&rep);
	d = opendir(parent);
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(cases, sizeof(cases), "%s/%s/cases", parent, e->d_name);
		DIR *c = opendir(cases);
		struct dirent *ce;
		while (c && (ce = readdir(c))) {
			char tmp[PATH_MAX + 300];
			if (ce->d_name[0] == '.')
				continue;
			snprintf(tmp, sizeof(tmp), "%s/%s/tmp", cases, ce->d_name);
			in_cases += count_mux(tmp);
		}
		if (c)
			closedir(c);
	}
	if (d)
		closedir(d);
	rm_rf(parent);
	if (in_cases == 0)
		fail_msg("no srt-mux socket in the case's tmp/: did it land in the host's /tmp?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_codex),
		cmocka_unit_test(test_srt),
		cmocka_unit_test(test_codex_failure_is_error),
		cmocka_unit_test(test_srt_litter),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

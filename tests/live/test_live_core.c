/* Live: the battery against the real kernel, no mocks. The control (none)
 * must detect every expected-blocked probe as an escape; Landlock must block
 * what it can express and say honestly what it cannot. */
#include "../testutil.h"

static struct report none_rep, ll_rep;
static int none_code, ll_code;
static char junit_path[] = BUILDDIR "/tests/live-core.junit.xml";

static int setup(void **state)
{
	char args[512];

	(void)state;
	none_code = run_json(&none_rep, "-b none -m all");
	snprintf(args, sizeof(args), "-b landlock -m all --junit %s", junit_path);
	ll_code = run_json(&ll_rep, args);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	report_free(&none_rep);
	report_free(&ll_rep);
	unlink(junit_path);
	return 0;
}

/* With no sandbox every expected-blocked probe is an escape (or skips with a
 * reason when this host cannot do it), never a pass. */
static void test_none_detects_escapes(void **state)
{
	size_t blocked = 0, escapes = 0;

	(void)state;
	assert_int_equal(none_code, 1);
	assert_true(none_rep.nresults >= 4 * 30);
	for (size_t i = 0; i < none_rep.nresults; i++) {
		const struct result *r = &none_rep.results[i];
		if (r->verdict == V_ERROR)
			fail_msg("%s.%s %s: error: %s", r->backend, r->mode, r->probe, r->detail);
		if (r->expected == EXPECT_ALLOWED) {
			if (r->verdict != V_PASS && r->verdict != V_SKIP)
				fail_msg("%s %s: %s", r->mode, r->probe, verdict_name(r->verdict));
			continue;
		}
		blocked++;
		if (r->verdict == V_PASS)
			fail_msg("%s %s passed with no sandbox: the probe cannot fail", r->mode, r->probe);
		if (r->verdict == V_SKIP && (!r->detail || !*r->detail))
			fail_msg("%s %s skipped without a reason", r->mode, r->probe);
		escapes += r->verdict == V_ESCAPE;
	}
	/* at least 85% of expected-blocked rows are detected */
	if (escapes * 100 < blocked * 85)
		fail_msg("only %zu of %zu expected-blocked rows were escapes", escapes, blocked);
}

static void test_landlock_blocks(void **state)
{
	static const char *const outside[] = {
		"fs.create_outside", "fs.overwrite_outside", "fs.append_outside", "fs.truncate_outside",
		"fs.rdonly_trunc_outside", "fs.unlink_outside", "fs.dotdot_path", "fs.proc_self_root",
		"fs.proc_fd_reopen", "fs.symlink_file", "fs.symlink_dir", "fs.hardlink_new", "fs.child_write_outside",
		"fs.home_bashrc",
	};
	static const char *const modes[] = {"read-only", "workspace-write", "workspace-net"};

	(void)state;
	for (size_t m = 0; m < 3; m++)
		for (size_t i = 0; i < sizeof(outside) / sizeof(outside[0]); i++)
			assert_verdict(&ll_rep, "landlock", modes[m], outside[i], V_PASS);
	/* read-only: even the workspace and the protected names are blocked */
	assert_verdict(&ll_rep, "landlock", "read-only", "fs.write_workspace", V_PASS);
	assert_verdict(&ll_rep, "landlock", "read-only", "git.config_write", V_PASS);
	/* no network, no host IPC, no privilege, no reaching host processes */
	static const char *const confined[] = {"net.tcp4_loopback", "net.udp4_loopback", "dns.udp_query",
					       "ipc.unix_stream", "ipc.abstract_unix", "priv.setuid_exec",
					       "priv.capabilities", "priv.no_new_privs", "proc.signal_sentinel",
					       "proc.ptrace_poke", "proc.environ_read", "proc.tiocsti",
					       "meta.confinement"};
	for (size_t i = 0; i < sizeof(confined) / sizeof(confined[0]); i++) {
		const struct result *r = find_row(&ll_rep, "landlock", "workspace-write", confined[i]);
		if (!r || (r->verdict != V_PASS && r->verdict != V_SKIP))
			fail_msg("landlock.workspace-write %s: %s (%s)", confined[i], r ? verdict_name(r->verdict) : "missing",
				 r ? r->detail : "");
	}
}

static void test_landlock_allows(void **state)
{
	(void)state;
	/* must-work rows: an overblock here breaks real agents */
	assert_verdict(&ll_rep, "landlock", "workspace-write", "fs.write_workspace", V_PASS);
	assert_verdict(&ll_rep, "landlock", "workspace-write", "fs.write_tmp", V_PASS);
	assert_verdict(&ll_rep, "landlock", "read-only", "fs.read_outside", V_PASS);
	assert_verdict(&ll_rep, "landlock", "read-only", "fs.exec_shell", V_PASS);
	assert_verdict(&ll_rep, "landlock", "workspace-net", "net.tcp4_loopback", V_PASS);
	assert_verdict(&ll_rep, "landlock", "workspace-net", "dns.udp_query", V_PASS);
	for (size_t i = 0; i < ll_rep.nresults; i++)
		if (!strcmp(ll_rep.results[i].mode, "danger-full-access") &&
		    ll_rep.results[i].verdict != V_PASS && ll_rep.results[i].verdict != V_SKIP)
			fail_msg("danger-full-access %s: %s", ll_rep.results[i].probe, ll_rep.results[i].detail);
}

/* What Landlock cannot express is reported as escapes, and the backend's
 * notes say why: never silently dropped. */
static void test_landlock_honest(void **state)
{
	const struct backend_info *b = report_backend(&ll_rep, "landlock");

	(void)state;
	assert_int_equal(ll_code, 1);
	assert_verdict(&ll_rep, "landlock", "workspace-write", "git.config_write", V_ESCAPE);
	assert_verdict(&ll_rep, "landlock", "workspace-write", "fs.hardlink_planted", V_ESCAPE);
	assert_verdict(&ll_rep, "landlock", "workspace-write", "proc.daemon_outlives", V_ESCAPE);
	assert_non_null(b);
	assert_non_null(b->notes);
	assert_non_null(strstr(b->notes, "read-only holes"));
	assert_true(ll_rep.host.landlock_abi > 0);
}

static void test_junit_valid(void **state)
{
	char *xml = NULL, err[128];

	(void)state;
	assert_int_equal(read_file(junit_path, 16 << 20, &xml, NULL), 0);
	if (validate_junit(xml, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_non_null(strstr(xml, "<testsuite name=\"landlock.workspace-write\""));
	assert_non_null(strstr(xml, "<system-out>landlock, mode workspace-write"));
	free(xml);
}

/* make run's script: escapes are findings (exit 0, the verdict line and
 * where the reports are); a run that could not judge keeps its status. */
static void test_make_run_calm(void **state)
{
	static const char out_dir[] = BUILDDIR "/tests/run-out";
	char *argv[16] = {SRCDIR "/ci/run-battery.sh", CAGETEST, (char *)out_dir, "-b", "none", "-m", "read-only",
			  "-p", "fs.create_outside", NULL};
	char *out = NULL, *err = NULL, *json = NULL;

	(void)state;
	/* -b none in read-only: the escape is real, and cagetest itself exits 1 */
	assert_int_equal(run_cmd(argv, &out, &err), 0);
	/* none is no sandbox: its verdict is UNCONFINED whatever the mode */
	if (!strstr(err, "Sandbox: none/read-only UNCONFINED") || !strstr(err, "reports: " BUILDDIR "/tests/run-out/cagetest.html"))
		fail_msg("no verdict line or report paths: %s", err);
	assert_int_equal(read_file(BUILDDIR "/tests/run-out/cagetest.json", 1 << 20, &json, NULL), 0);
	assert_non_null(strstr(json, "\"verdict\":\t\"escape\""));
	free(out), free(err), free(json);
	/* a bad option: 2, as cagetest says; a backend that is not here: 3 */
	argv[3] = "--no-such-option";
	assert_int_equal(run_cmd(argv, &out, &err), 2);
	free(out), free(err);
	argv[3] = "-b", argv[4] = "seatbelt";
	assert_int_equal(run_cmd(argv, &out, &err), 3);
	assert_non_null(strstr(err, "could not run or judge"));
	free(out), free(err);
	rm_rf(out_dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_none_detects_escapes), cmocka_unit_test(test_landlock_blocks),
		cmocka_unit_test(test_landlock_allows),	     cmocka_unit_test(test_landlock_honest),
		cmocka_unit_test(test_junit_valid),	     cmocka_unit_test(test_make_run_calm),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

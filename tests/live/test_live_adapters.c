/* Live: adapters against real tools, no mocks. firejail (Debian) runs the
 * whole battery; wrapper scripts that die, print garbage, hang, kill the
 * agent or lie must give errors (or, for the liar, the escapes the host saw)
 * in bounded time, never passes; a user's own wrapper works through an
 * adapter file with no code change. */
#include "../testutil.h"

#include <sys/stat.h>

#define DATA SRCDIR "/tests/data/"
#define SUBSET "-p fs.create_outside,fs.overwrite_outside,git.config_write,net.tcp4_loopback,ipc.unix_stream"
#define SUBSET_N 5

static struct report fj;
static int fj_code;
static char junit_path[] = BUILDDIR "/tests/live-adapters.junit.xml";

static int setup(void **state)
{
	char args[512];

	(void)state;
	/* 400 rows, the unavailable backend's 200 skips last: more rows than the planner first allocates */
	snprintf(args, sizeof(args), "-b firejail,missing-tool -m all --junit %s --adapter " DATA "missing-tool.json",
		 junit_path);
	fj_code = run_json(&fj, args);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	report_free(&fj);
	unlink(junit_path);
	return 0;
}

static void test_firejail_battery(void **state)
{
	static const char *const confined[] = {"read-only", "workspace-write", "workspace-net"};
	static const char *const outside[] = {"fs.create_outside", "fs.overwrite_outside", "fs.unlink_outside",
					      "fs.symlink_file", "fs.dotdot_path", "fs.home_bashrc"};
	const struct backend_info *b = report_backend(&fj, "firejail");

	(void)state;
	assert_non_null(b);
	if (!b->available)
		fail_msg("firejail is not available here (%s): it is needed by make check", b->reason);
	assert_non_null(b->version);
	assert_non_null(strstr(b->version, "firejail version"));
	assert_int_equal(fj_code, 1); /* its real escapes fail the run */
	for (size_t m = 0; m < ARRAY_SIZE(confined); m++)
		for (size_t i = 0; i < ARRAY_SIZE(outside); i++)
			assert_verdict(&fj, "firejail", confined[m], outside[i], V_PASS);
	/* what the mode allows works, what it denies is denied */
	assert_verdict(&fj, "firejail", "read-only", "fs.write_workspace", V_PASS);
	assert_verdict(&fj, "firejail", "workspace-write", "fs.write_workspace", V_PASS);
	assert_verdict(&fj, "firejail", "workspace-write", "fs.write_tmp", V_PASS);
	assert_verdict(&fj, "firejail", "workspace-write", "git.config_write", V_PASS);
	assert_verdict(&fj, "firejail", "workspace-write", "git.nested_hook", V_PASS); /* one level down: the glob */
	assert_verdict(&fj, "firejail", "workspace-write", "net.tcp4_loopback", V_PASS);
	assert_verdict(&fj, "firejail", "workspace-net", "net.tcp4_loopback", V_PASS);
	/* what it cannot express shows as escapes, measured, not assumed */
	assert_verdict(&fj, "firejail", "workspace-write", "fs.hardlink_planted", V_ESCAPE);
	/* spelled out in options: --read-only=/dev/shm, --caps.drop=all, --protocol */
	assert_verdict(&fj, "firejail", "workspace-write", "fs.write_dev_shm", V_PASS);
	assert_verdict(&fj, "firejail", "read-only", "fs.write_tmp", V_PASS);
	assert_verdict(&fj, "firejail", "workspace-write", "priv.capabilities", V_PASS);
	/* --protocol filters socket() alone: io_uring's own socket operation
	 * reaches the host's UNIX sockets (the ipc probes press on past a
	 * refused socket(2)), as does a datagram socketpair */
	assert_verdict(&fj, "firejail", "workspace-write", "ipc.unix_stream", V_ESCAPE);
	assert_detail_has(&fj, "firejail", "workspace-write", "ipc.unix_stream", "socket: EOPNOTSUPP");
	assert_verdict(&fj, "firejail", "workspace-write", "ipc.socketpair_sendto", V_ESCAPE);
	assert_verdict(&fj, "firejail", "workspace-write", "net.tcp4_loopback", V_PASS);
	/* no error anywhere; danger-full-access is not a firejail mode: skip with the reason */
	for (size_t i = 0; i < fj.nresults; i++) {
		const struct result *r = &fj.results[i];
		if (r->verdict == V_ERROR)
			fail_msg("%s %s: error: %s", r->mode, r->probe, r->detail);
		if (!strcmp(r->backend, "firejail") && !strcmp(r->mode, "danger-full-access") &&
		    (r->verdict != V_SKIP || !strstr(r->detail, "firejail has no danger-full-access mode")))
			fail_msg("danger-full-access %s: %s %s", r->probe, verdict_name(r->verdict), r->detail);
	}
}

/* A tool missing from PATH: unavailable, every row skips with the reason. */
static void test_unavailable(void **state)
{
	const struct backend_info *b = report_backend(&fj, "missing-tool");
	size_t n = 0;

	(void)state;
	assert_non_null(b);
	assert_false(b->available);
	assert_non_null(strstr(b->reason, "needs cagetest-no-such-tool: not found on PATH. Hint: there is no such tool"));
	for (size_t i = 0; i < fj.nresults; i++) {
		const struct result *r = &fj.results[i];
		if (strcmp(r->backend, "missing-tool"))
			continue;
		n++;
		if (r->verdict != V_SKIP || !strstr(r->detail, "backend unavailable: needs cagetest-no-such-tool"))
			fail_msg("%s %s: %s %s", r->mode, r->probe, verdict_name(r->verdict), r->detail);
	}
	assert_true(n >= 4 * 30);
}

static void test_firejail_junit(void **state)
{
	char *xml = NULL, err[128];

	(void)state;
	assert_int_equal(read_file(junit_path, 16 << 20, &xml, NULL), 0);
	if (validate_junit(xml, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_non_null(strstr(xml, "<property name=\"backend.version\" value=\"firejail version"));
	assert_non_null(strstr(xml, "--read-only=/"));
	free(xml);
}

/* Run one wrapper adapter on SUBSET under workspace-write; check every row. */
static void wrapper_rows(const char *name, const char *extra, int want_code, const char *stderr_needle,
			 double max_s)
{
	struct report rep = {0};
	char args[1024], bname[64];
	double t0 = now_mono();
	int code;

	snprintf(bname, sizeof(bname), "wrap-%s", name);
	snprintf(args, sizeof(args), "-b %s -m workspace-write " SUBSET " %s --adapter " DATA "%s.json", bname, extra,
		 bname);
	code = run_json(&rep, args);
	double took = now_mono() - t0;
	if (took > max_s)
		fail_msg("%s: the run took %.1f s (at most %.0f s)", name, took, max_s);
	if (want_code >= 0 && code != want_code)
		fail_msg("%s: exit %d, want %d", name, code, want_code);
	assert_int_equal(rep.nresults, SUBSET_N);
	for (size_t i = 0; i < rep.nresults; i++) {
		const struct result *r = &rep.results[i];
		if (r->verdict == V_PASS)
			fail_msg("%s %s: pass from a broken wrapper: %s", name, r->probe, r->detail);
		if (r->verdict == V_ERROR && !strstr(r->detail, stderr_needle))
			fail_msg("%s %s: the wrapper's stderr is not in the detail: %s", name, r->probe, r->detail);
	}
	if (want_code == 3 && rep.summary[V_ERROR] != SUBSET_N)
		fail_msg("%s: %zu error rows of %d", name, rep.summary[V_ERROR], SUBSET_N);
	report_free(&rep);
}

static void test_wrapper_dies(void **state)
{
	(void)state;
	wrapper_rows("die-early", "", 3, "die-early: cannot set up the sandbox", 60);
	wrapper_rows("garbage", "", 3, "garbage: printed garbage", 60);
}

/* A wrapper that hangs before the hello costs one silence period, not the
 * sum of the per-probe timeouts of its batch (22 probes x 2 s here). */
static void test_wrapper_hangs(void **state)
{
	struct report rep = {0};
	double t0 = now_mono();

	(void)state;
	wrapper_rows("hang", "--timeout 2", 3, "hang: stuck before starting the agent", 40);
	assert_int_equal(run_json(&rep, "-b wrap-hang -m workspace-write -p fs.* --timeout 2 --adapter " DATA
					"wrap-hang.json"),
			 3);
	double took = now_mono() - t0;
	if (took > 40)
		fail_msg("22 probes behind a hung wrapper took %.1f s", took);
	for (size_t i = 0; i < rep.nresults; i++)
		/* a class this kernel lacks skips at arm, before any wrapper runs */
		if (!(rep.results[i].verdict == V_SKIP && strstr(rep.results[i].detail, "this kernel has no")) &&
		    (rep.results[i].verdict != V_ERROR || !strstr(rep.results[i].detail, "timed out and killed")))
			fail_msg("%s: %s", rep.results[i].probe, rep.results[i].detail);
	report_free(&rep);
	/* one that outlives the agent: the verdicts stand, the case ends soon after done */
	t0 = now_mono();
	assert_int_equal(run_json(&rep, "-b wrap-hang-after -m workspace-write -p fs.create_outside,fs.write_workspace "
					"--timeout 30 --adapter " DATA "wrap-hang-after.json"),
			 1);
	took = now_mono() - t0;
	if (took > 25)
		fail_msg("a wrapper hanging after the agent's done record held the run %.1f s", took);
	assert_verdict(&rep, "wrap-hang-after", "workspace-write", "fs.create_outside", V_ESCAPE);
	assert_verdict(&rep, "wrap-hang-after", "workspace-write", "fs.write_workspace", V_PASS);
	report_free(&rep);
}

/* Killed after its hello. How many probes the agent finishes before the
 * wrapper's kill lands is a race the wrapper owns (0 to 5 here), so the test
 * asserts what holds whatever the timing: no record reached the host, so a
 * row is an escape only where the host saw the effect itself, else an error
 * (never a pass: wrapper_rows). */
static void test_wrapper_kills_agent(void **state)
{
	struct report rep = {0};

	(void)state;
	wrapper_rows("kill-agent", "", -1, "kill-agent: killed the agent", 60);
	run_json(&rep, "-b wrap-kill-agent -m workspace-write " SUBSET " --adapter " DATA "wrap-kill-agent.json");
	assert_int_equal(rep.nresults, SUBSET_N);
	for (size_t i = 0; i < rep.nresults; i++) {
		const struct result *r = &rep.results[i];
		bool seen = !strcmp(r->observed, "allowed");
		if (!strstr(r->detail, "no record from the probe") ||
		    r->verdict != (seen ? V_ESCAPE : V_ERROR))
			fail_msg("%s: %s, observed %s: %s", r->probe, verdict_name(r->verdict), r->observed, r->detail);
	}
	report_free(&rep);
}

/* The liar's records all say EPERM; the host saw the effects: escapes. */
static void test_wrapper_lies(void **state)
{
	struct report rep = {0};

	(void)state;
	wrapper_rows("liar", "", 1, "-", 60);
	assert_int_equal(run_json(&rep, "-b wrap-liar -m workspace-write " SUBSET " --adapter " DATA "wrap-liar.json"), 1);
	for (size_t i = 0; i < rep.nresults; i++) {
		const struct result *r = &rep.results[i];
		if (r->verdict != V_ESCAPE || strcmp(r->errno_name, "EPERM") || !strstr(r->detail, "box saw: Operation not permitted"))
			fail_msg("%s: %s errno %s (%s)", r->probe, verdict_name(r->verdict), r->errno_name, r->detail);
	}
	report_free(&rep);
}

/* A user's wrapper script through an adapter file: config file, env, vars,
 * and a network namespace when the mode has none. */
static void test_user_adapter(void **state)
{
	struct report rep = {0};
	int code;

	(void)state;
	code = run_json(&rep, "-b netns -m all -p net.tcp4_loopback,fs.create_outside,fs.write_workspace --adapter " DATA
			      "netns.json");
	assert_int_equal(code, 1);
	assert_int_equal(rep.summary[V_ERROR], 0);
	assert_verdict(&rep, "netns", "read-only", "net.tcp4_loopback", V_PASS);
	assert_verdict(&rep, "netns", "workspace-write", "net.tcp4_loopback", V_PASS);
	assert_verdict(&rep, "netns", "workspace-net", "net.tcp4_loopback", V_PASS);
	assert_verdict(&rep, "netns", "workspace-write", "fs.write_workspace", V_PASS);
	assert_verdict(&rep, "netns", "workspace-write", "fs.create_outside", V_ESCAPE); /* it confines nothing else */
	assert_verdict(&rep, "netns", "read-only", "fs.write_workspace", V_ESCAPE);
	assert_verdict(&rep, "netns", "danger-full-access", "fs.write_workspace", V_SKIP);
	report_free(&rep);
}

/* A user's wrapper kept under the host's /tmp still runs although each
 * adapter case gets a private /tmp: the wrapper's tree is bound back read-only
 * (and the agent runs from its copy in the scratch root). The test makes and
 * removes its own directory there. */
static void test_wrapper_under_tmp(void **state)
{
	char dir[] = "/tmp/cagetest-wrapper.XXXXXX", sub[64], sh[96], json[96], args[256];
	struct report rep = {0};

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/bin", dir);
	snprintf(sh, sizeof(sh), "%s/bin/pass.sh", dir);
	snprintf(json, sizeof(json), "%s/wrap-tmp.json", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	assert_int_equal(write_file(sh, "#!/bin/sh\nexec \"$@\"\n", 20, 0755), 0);
	/* the path as given climbs through a sibling that is not the wrapper's own dir */
	assert_int_equal(write_str(json, "{\"name\":\"wrap-tmp\",\"command\":[\"{here}/bin/../bin/pass.sh\"],\"batch\":true}"), 0);
	snprintf(args, sizeof(args), "-b wrap-tmp -m workspace-write -p fs.write_workspace,fs.write_tmp,fs.create_outside --adapter %s", json);
	assert_int_equal(run_json(&rep, args), 1);
	assert_verdict(&rep, "wrap-tmp", "workspace-write", "fs.write_workspace", V_PASS);
	assert_verdict(&rep, "wrap-tmp", "workspace-write", "fs.write_tmp", V_PASS);
	assert_verdict(&rep, "wrap-tmp", "workspace-write", "fs.create_outside", V_ESCAPE); /* it confines nothing */
	report_free(&rep);
	assert_int_equal(rm_rf(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_firejail_battery),  cmocka_unit_test(test_unavailable),
		cmocka_unit_test(test_firejail_junit),
		cmocka_unit_test(test_wrapper_dies),	  cmocka_unit_test(test_wrapper_hangs),
		cmocka_unit_test(test_wrapper_kills_agent), cmocka_unit_test(test_wrapper_lies),
		cmocka_unit_test(test_user_adapter),	  cmocka_unit_test(test_wrapper_under_tmp),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

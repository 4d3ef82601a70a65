/* Live: the fs probes against the real kernel, under none (the control:
 * every escape must be seen) and landlock (what it blocks, and the gaps it
 * really has: metadata and inherited fds). */
#include "../testutil.h"

static struct report none_rep, ll_rep;
static int none_code;

static const char *const confined[] = {"read-only", "workspace-write", "workspace-net"};

/* Probes any Linux host lets an unsandboxed root or user do. */
static const char *const always[] = {
	"fs.rmdir_outside", "fs.rename_in",	"fs.rename_exchange", "fs.proc_self_cwd",   "fs.dev_fd_path",
	"fs.chmod_outside", "fs.utimes_outside", "fs.leaked_fd_write", "fs.home_profile",   "fs.home_ssh_keys",
	"fs.home_autostart", "fs.home_codex_config",
};
/* Probes this host may refuse by itself (io_uring_disabled, no userns, not
 * root, no user xattrs): escape or skip with a reason, never pass. */
static const char *const host_dependent[] = {"fs.xattr_outside", "fs.io_uring_write", "fs.mountns_remount",
					     "fs.open_by_handle", "fs.chown_outside"};

static int setup(void **state)
{
	(void)state;
	none_code = run_json(&none_rep, "-b none -m all -p fs.*");
	run_json(&ll_rep, "-b landlock -m all -p fs.*");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	report_free(&none_rep);
	report_free(&ll_rep);
	return 0;
}

static void assert_escape_or_skip(const struct report *rep, const char *b, const char *m, const char *p)
{
	const struct result *r = find_row(rep, b, m, p);

	if (!r)
		fail_msg("no row %s.%s %s", b, m, p);
	else if (r->verdict != V_ESCAPE && (r->verdict != V_SKIP || !r->detail || !*r->detail))
		fail_msg("%s.%s %s: %s, want escape or a skip with a reason (%s)", b, m, p, verdict_name(r->verdict),
			 r->detail);
}

/* With no sandbox every expected-blocked fs row is an escape, or a skip that
 * says why; must-work rows pass. */
static void test_none_sees_every_escape(void **state)
{
	(void)state;
	assert_int_equal(none_code, 1);
	for (size_t i = 0; i < none_rep.nresults; i++) {
		const struct result *r = &none_rep.results[i];
		if (r->verdict == V_ERROR)
			fail_msg("%s %s: error: %s", r->mode, r->probe, r->detail);
		if (r->expected == EXPECT_BLOCKED && r->verdict == V_PASS)
			fail_msg("%s %s passed with no sandbox: the probe cannot fail", r->mode, r->probe);
		if (r->expected == EXPECT_ALLOWED && r->verdict != V_PASS && r->verdict != V_SKIP)
			fail_msg("%s %s: %s (%s)", r->mode, r->probe, verdict_name(r->verdict), r->detail);
	}
	for (size_t m = 0; m < ARRAY_SIZE(confined); m++) {
		for (size_t i = 0; i < ARRAY_SIZE(always); i++)
			assert_verdict(&none_rep, "none", confined[m], always[i], V_ESCAPE);
		for (size_t i = 0; i < ARRAY_SIZE(host_dependent); i++)
			assert_escape_or_skip(&none_rep, "none", confined[m], host_dependent[i]);
	}
}

/* Landlock stops path-based writes however the path is spelled, renames in
 * either direction, exchanges, io_uring (seccomp), mount namespaces
 * (seccomp) and handles (seccomp, no capability). */
static void test_landlock_blocks(void **state)
{
	static const char *const blocked[] = {
		"fs.rmdir_outside", "fs.rename_in",	 "fs.rename_exchange", "fs.proc_self_cwd",
		"fs.dev_fd_path",   "fs.home_profile",	 "fs.home_ssh_keys",   "fs.home_autostart",
		"fs.home_codex_config",
	};
	static const char *const blocked_or_skip[] = {"fs.io_uring_write", "fs.mountns_remount", "fs.open_by_handle",
						      "fs.chown_outside"};

	(void)state;
	for (size_t m = 0; m < ARRAY_SIZE(confined); m++) {
		for (size_t i = 0; i < ARRAY_SIZE(blocked); i++)
			assert_verdict(&ll_rep, "landlock", confined[m], blocked[i], V_PASS);
		for (size_t i = 0; i < ARRAY_SIZE(blocked_or_skip); i++) {
			const struct result *r = find_row(&ll_rep, "landlock", confined[m], blocked_or_skip[i]);
			if (!r || (r->verdict != V_PASS && r->verdict != V_SKIP))
				fail_msg("landlock.%s %s: %s (%s)", confined[m], blocked_or_skip[i],
					 r ? verdict_name(r->verdict) : "missing", r ? r->detail : "");
		}
	}
}

/* Landlock has no right for chmod, utimes or xattrs: reported as escapes,
 * with evidence. An fd opened before the sandbox is never rechecked either:
 * the backend closes inherited fds before it confines, so that one passes. */
static void test_landlock_gaps(void **state)
{
	(void)state;
	for (size_t m = 0; m < ARRAY_SIZE(confined); m++) {
		assert_verdict(&ll_rep, "landlock", confined[m], "fs.chmod_outside", V_ESCAPE);
		assert_verdict(&ll_rep, "landlock", confined[m], "fs.utimes_outside", V_ESCAPE);
		assert_verdict(&ll_rep, "landlock", confined[m], "fs.leaked_fd_write", V_PASS);
		assert_escape_or_skip(&ll_rep, "landlock", confined[m], "fs.xattr_outside");
	}
	assert_detail_has(&ll_rep, "landlock", "workspace-write", "fs.chmod_outside", "canary mode 0755");
	assert_detail_has(&ll_rep, "landlock", "workspace-write", "fs.utimes_outside", "(armed 1000000000)");
	const struct backend_info *b = report_backend(&ll_rep, "landlock");
	assert_non_null(b);
	assert_non_null(b->notes);
	assert_non_null(strstr(b->notes, "chmod/chown/utimes/xattr"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_none_sees_every_escape),
		cmocka_unit_test(test_landlock_blocks),
		cmocka_unit_test(test_landlock_gaps),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

/* Live: the ns family (a user + mount namespace made inside the box undoes
 * read-only binds) against the real kernel. With no sandbox every probe
 * escapes; the shipped bwrap blocks the whole family in every confined mode;
 * Landlock blocks every target it protects itself and, in write modes, lets
 * the protected names go only because it cannot protect them at all (the
 * namespace step itself is refused, as the detail says). Then the wrapper
 * pair: a plain bwrap sandbox with read-only binds shows the escape while it
 * lets the box make user namespaces, and none once it denies them. */
#include "../testutil.h"

static struct report rep, allow_rep, deny_rep, strict_rep;
static int allow_code, deny_code, baselined_code;
static bool have_bwrap;

static const char *const confined[] = {"read-only", "workspace-write", "workspace-net"};
static const char *const write_modes[] = {"workspace-write", "workspace-net"};

/* Protected by every default mode, reached by the pivot and detach. */
static const char *const detach[] = {"ns.pivot_git",  "ns.pivot_codex", "ns.pivot_agents", "ns.fsmount_git",
				     "ns.open_tree_git", "ns.clone_git", "ns.clone3_git"};
/* Protected by every default mode, reached only with a privilege the box
 * should never have (unlocked mounts, a host namespace to join). */
static const char *const privileged[] = {"ns.mount_setattr_git", "ns.setns_git"};

/* The step each detach probe enters its namespace with, as the box saw it
 * under the shipped seccomp filter. */
static const char *const entry_refused[][2] = {
	{"ns.pivot_git", "unshare(NEWUSER|NEWNS): EPERM"},
	{"ns.fsmount_git", "unshare(NEWUSER|NEWNS): EPERM"},
	{"ns.clone_git", "clone(NEWUSER|NEWNS, high bits set): EPERM"},
	{"ns.clone3_git", "clone3(NEWUSER|NEWNS): ENOSYS"},
};

static const char *const allow_adapter = SRCDIR "/tests/data/bwrap-userns-allow.json";
static const char *const deny_adapter = SRCDIR "/tests/data/bwrap-userns-deny.json";

static int setup(void **state)
{
	char args[512];
	const struct backend_info *b;

	(void)state;
	run_json(&rep, "-b none,landlock,bwrap -m all -p ns.*");
	b = report_backend(&rep, "bwrap");
	have_bwrap = b && b->available;
	baselined_code = run_json(&strict_rep, "-b landlock -m all -p ns.* --baseline " SRCDIR
						"/platforms/baselines/landlock.json");
	report_free(&strict_rep);
	snprintf(args, sizeof(args), "-b bwrap-userns-allow -m workspace-write -p ns.* --adapter %s", allow_adapter);
	allow_code = run_json(&allow_rep, args);
	snprintf(args, sizeof(args), "-b bwrap-userns-deny -m workspace-write -p ns.* --adapter %s", deny_adapter);
	deny_code = run_json(&deny_rep, args);
	run_json(&strict_rep, "-s " SRCDIR "/suites/strict.json -b none,bwrap -m workspace-write -p ns.pivot_envrc");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	report_free(&rep);
	report_free(&allow_rep);
	report_free(&deny_rep);
	report_free(&strict_rep);
	return 0;
}

static void test_none_escapes(void **state)
{
	(void)state;
	for (size_t m = 0; m < ARRAY_SIZE(confined); m++) {
		for (size_t i = 0; i < ARRAY_SIZE(detach); i++)
			assert_verdict(&rep, "none", confined[m], detach[i], V_ESCAPE);
		for (size_t i = 0; i < ARRAY_SIZE(privileged); i++)
			assert_verdict(&rep, "none", confined[m], privileged[i], V_ESCAPE);
		assert_verdict(&rep, "none", confined[m], "ns.pivot_outside", V_ESCAPE);
	}
	/* .envrc is a workspace file in the default suite */
	assert_verdict(&rep, "none", "read-only", "ns.pivot_envrc", V_ESCAPE);
	assert_verdict(&rep, "none", "workspace-write", "ns.pivot_envrc", V_PASS);
	/* the control really went through the namespace, not around it */
	assert_detail_has(&rep, "none", "workspace-write", "ns.pivot_git", "detach old root: ok; rename .git away: ok");
	assert_detail_has(&rep, "none", "workspace-write", "ns.clone3_git", "clone3(NEWUSER|NEWNS): ok");
	for (size_t i = 0; i < rep.nresults; i++)
		if (!strcmp(rep.results[i].mode, "danger-full-access") && rep.results[i].verdict != V_PASS)
			fail_msg("%s.danger-full-access %s: %s", rep.results[i].backend, rep.results[i].probe,
				 verdict_name(rep.results[i].verdict));
}

static void test_bwrap_blocks(void **state)
{
	(void)state;
	if (!have_bwrap)
		skip();
	for (size_t i = 0; i < rep.nresults; i++) {
		const struct result *r = &rep.results[i];
		if (!strcmp(r->backend, "bwrap") && r->verdict != V_PASS)
			fail_msg("bwrap.%s %s: %s (%s)", r->mode, r->probe, verdict_name(r->verdict), r->detail);
	}
	for (size_t i = 0; i < ARRAY_SIZE(entry_refused); i++)
		assert_detail_has(&rep, "bwrap", "workspace-write", entry_refused[i][0], entry_refused[i][1]);
	/* .git is still a mount point in the box's only namespace */
	assert_detail_has(&rep, "bwrap", "workspace-write", "ns.pivot_git", "rename .git away: EBUSY");
}

static void test_landlock(void **state)
{
	(void)state;
	for (size_t m = 0; m < ARRAY_SIZE(confined); m++)
		assert_verdict(&rep, "landlock", confined[m], "ns.pivot_outside", V_PASS);
	for (size_t i = 0; i < ARRAY_SIZE(detach); i++) {
		assert_verdict(&rep, "landlock", "read-only", detach[i], V_PASS);
		for (size_t m = 0; m < ARRAY_SIZE(write_modes); m++)
			assert_verdict(&rep, "landlock", write_modes[m], detach[i], V_ESCAPE);
	}
	for (size_t i = 0; i < ARRAY_SIZE(privileged); i++)
		assert_verdict(&rep, "landlock", "read-only", privileged[i], V_PASS);
	/* the escapes in write modes are Landlock's own gap, not the trick */
	for (size_t i = 0; i < ARRAY_SIZE(entry_refused); i++)
		assert_detail_has(&rep, "landlock", "workspace-write", entry_refused[i][0], entry_refused[i][1]);
	assert_detail_has(&rep, "landlock", "workspace-write", "ns.setns_git", "setns mnt: EACCES");
	/* and the shipped baseline says exactly that */
	assert_int_equal(baselined_code, 0);
}

static void test_wrapper_userns_allowed(void **state)
{
	static const char *const held[] = {"ns.pivot_outside", "ns.mount_setattr_git", "ns.setns_git", "ns.pivot_envrc"};

	(void)state;
	if (!have_bwrap)
		skip();
	assert_int_equal(allow_code, 1);
	for (size_t i = 0; i < ARRAY_SIZE(detach); i++)
		assert_verdict(&allow_rep, "bwrap-userns-allow", "workspace-write", detach[i], V_ESCAPE);
	/* what locked and really read-only mounts keep: no invented escape */
	for (size_t i = 0; i < ARRAY_SIZE(held); i++)
		assert_verdict(&allow_rep, "bwrap-userns-allow", "workspace-write", held[i], V_PASS);
	assert_detail_has(&allow_rep, "bwrap-userns-allow", "workspace-write", "ns.pivot_outside",
			  "rename the outside canary away: EROFS");
	assert_detail_has(&allow_rep, "bwrap-userns-allow", "workspace-write", "ns.mount_setattr_git",
			  "mount_setattr clear RDONLY: EPERM");
}

static void test_wrapper_userns_denied(void **state)
{
	(void)state;
	if (!have_bwrap)
		skip();
	assert_int_equal(deny_code, 0);
	for (size_t i = 0; i < deny_rep.nresults; i++)
		if (deny_rep.results[i].verdict != V_PASS)
			fail_msg("%s: %s (%s)", deny_rep.results[i].probe, verdict_name(deny_rep.results[i].verdict),
				 deny_rep.results[i].detail);
	assert_true(deny_rep.nresults >= ARRAY_SIZE(detach) + ARRAY_SIZE(privileged));
	assert_detail_has(&deny_rep, "bwrap-userns-deny", "workspace-write", "ns.pivot_git",
			  "unshare(NEWUSER|NEWNS): ENOSPC");
}

/* strict deny-lists the file .envrc: bwrap re-binds it, the control replaces it. */
static void test_strict_envrc(void **state)
{
	(void)state;
	assert_verdict(&strict_rep, "none", "workspace-write", "ns.pivot_envrc", V_ESCAPE);
	if (have_bwrap)
		assert_verdict(&strict_rep, "bwrap", "workspace-write", "ns.pivot_envrc", V_PASS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_none_escapes),	      cmocka_unit_test(test_bwrap_blocks),
		cmocka_unit_test(test_landlock),	      cmocka_unit_test(test_wrapper_userns_allowed),
		cmocka_unit_test(test_wrapper_userns_denied), cmocka_unit_test(test_strict_envrc),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

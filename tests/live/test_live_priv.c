/* Live: the priv, proc and meta categories against the real kernel, under
 * none and landlock in every mode, and as root with --user nobody. No mocks:
 * a real sentinel, real setuid and file-capability helpers, real /proc. */
#include "../testutil.h"

#include <dirent.h>
#include <sys/stat.h>

#define PROBES "-p priv.*,proc.*,meta.*"

static struct report rep, user_rep;
static int code, user_code = -1;
static char core_before[256];
static char scratch[64];

static int setup(void **state)
{
	char args[512];
	_cleanup_free_ char *core = NULL;

	(void)state;
	if (read_file("/proc/sys/kernel/core_pattern", sizeof(core_before), &core, NULL) == 0)
		snprintf(core_before, sizeof(core_before), "%s", core);
	if (test_scratch_parent(scratch, sizeof(scratch), "priv") < 0)
		return -1;
	snprintf(args, sizeof(args), "-b none,landlock -m all --scratch %s " PROBES, scratch);
	code = run_json(&rep, args);
	if (geteuid() == 0) {
		snprintf(args, sizeof(args), "-b none,landlock -m workspace-write --user nobody --scratch %s " PROBES,
			 scratch);
		user_code = run_json(&user_rep, args);
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	report_free(&rep);
	report_free(&user_rep);
	rmdir(scratch);
	return 0;
}

static bool in_category(const struct result *r, const char *cat)
{
	return !strcmp(r->category, cat);
}

/* Under none every expected-blocked row is an escape, or a skip with a
 * reason; expected-allowed rows pass; nothing errs. */
static void check_none(const struct report *r, const char *cat, size_t min_escapes)
{
	size_t escapes = 0;

	for (size_t i = 0; i < r->nresults; i++) {
		const struct result *x = &r->results[i];
		if (strcmp(x->backend, "none") || !in_category(x, cat))
			continue;
		if (x->verdict == V_ERROR || x->verdict == V_OVERBLOCKED)
			fail_msg("none.%s %s: %s: %s", x->mode, x->probe, verdict_name(x->verdict), x->detail);
		if (x->expected == EXPECT_ALLOWED) {
			if (x->verdict != V_PASS && x->verdict != V_SKIP)
				fail_msg("none.%s %s: %s", x->mode, x->probe, verdict_name(x->verdict));
			continue;
		}
		if (x->verdict == V_PASS)
			fail_msg("none.%s %s passed with no sandbox: the probe cannot fail", x->mode, x->probe);
		if (x->verdict == V_SKIP && (!x->detail || !*x->detail))
			fail_msg("none.%s %s skipped without a reason", x->mode, x->probe);
		escapes += x->verdict == V_ESCAPE && !strcmp(x->mode, "workspace-write");
	}
	if (escapes < min_escapes)
		fail_msg("%s: only %zu escapes under none.workspace-write", cat, escapes);
}

/* Landlock: these pass (or skip with a reason) in every confined mode. */
static void check_blocked(const struct report *r, const char *const *probes, size_t n)
{
	static const char *const modes[] = {"read-only", "workspace-write", "workspace-net"};

	for (size_t m = 0; m < 3; m++)
		for (size_t i = 0; i < n; i++) {
			const struct result *x = find_row(r, "landlock", modes[m], probes[i]);
			if (!x || (x->verdict != V_PASS && x->verdict != V_SKIP))
				fail_msg("landlock.%s %s: %s (%s)", modes[m], probes[i],
					 x ? verdict_name(x->verdict) : "missing", x ? x->detail : "");
		}
}

static void check_full_access(const struct report *r, const char *cat)
{
	for (size_t i = 0; i < r->nresults; i++) {
		const struct result *x = &r->results[i];
		if (in_category(x, cat) && !strcmp(x->mode, "danger-full-access") && x->verdict != V_PASS &&
		    x->verdict != V_SKIP)
			fail_msg("%s.danger-full-access %s: %s: %s", x->backend, x->probe, verdict_name(x->verdict), x->detail);
	}
}

static void test_priv(void **state)
{
	static const char *const blocked[] = {
		"priv.setuid_exec",  "priv.file_caps",	  "priv.capabilities",	 "priv.cap_bounding",
		"priv.no_new_privs", "priv.userns_create", "priv.ptrace_scope",	 "priv.core_pattern",
		"priv.binfmt_misc",  "priv.kernel_surface", "priv.kernel_load",
	};

	(void)state;
	assert_int_equal(code, 1);
	check_none(&rep, "priv", geteuid() == 0 ? 9 : 4);
	check_blocked(&rep, blocked, sizeof(blocked) / sizeof(blocked[0]));
	check_full_access(&rep, "priv");
	/* the sweep is judged per syscall, and says which */
	const struct result *x = find_row(&rep, "none", "workspace-write", "priv.kernel_surface");
	assert_true(x && strstr(x->detail, "bpf="));
	if (geteuid() == 0) {
		/* Landlock cannot restrict chmod; the seccomp filter denies the set-id bits */
		assert_verdict(&rep, "landlock", "read-only", "priv.setuid_plant", V_PASS);
		assert_verdict(&rep, "none", "workspace-write", "priv.setuid_exec", V_ESCAPE);
		assert_verdict(&rep, "none", "workspace-write", "priv.file_caps", V_ESCAPE);
		assert_verdict(&rep, "none", "workspace-write", "priv.core_pattern", V_ESCAPE);
	}
}

static void test_proc(void **state)
{
	static const char *const blocked[] = {
		"proc.daemon_writes_after", "proc.signal_sentinel", "proc.pidfd_signal", "proc.tgkill",
		"proc.sigqueue",	    "proc.sigstop",	    "proc.sigkill",	 "proc.pidfd_getfd",
		"proc.fd_reopen",	    "proc.proc_root",	    "proc.proc_cwd",	 "proc.ptrace_poke",
		"proc.vm_writev",	    "proc.mem_write",	    "proc.environ_read", "proc.tiocsti",
		"proc.tioclinux",
	};

	(void)state;
	check_none(&rep, "proc", 16);
	check_blocked(&rep, blocked, sizeof(blocked) / sizeof(blocked[0]));
	check_full_access(&rep, "proc");
	/* Landlock's known gap, reported as an escape: no process containment
	 * (the daemon survives, though its policy holds); inherited fds are
	 * closed by the backend before it confines */
	assert_verdict(&rep, "landlock", "workspace-write", "proc.daemon_outlives", V_ESCAPE);
	assert_verdict(&rep, "landlock", "workspace-write", "proc.fd_inventory", V_PASS);
	const struct result *x = find_row(&rep, "landlock", "workspace-write", "proc.daemon_writes_after");
	assert_true(x && strstr(x->detail, "policy still held"));
	x = find_row(&rep, "none", "read-only", "proc.tioclinux");
	assert_true(x && x->verdict == V_SKIP && strstr(x->detail, "console"));
}

static void test_meta(void **state)
{
	static const char *const blocked[] = {"meta.confinement", "meta.degradation"};

	(void)state;
	check_none(&rep, "meta", 5);
	check_blocked(&rep, blocked, sizeof(blocked) / sizeof(blocked[0]));
	check_full_access(&rep, "meta");
	/* Landlock keeps the host's pid namespace and mounts; the backend drops
	 * secret-named variables from the environment */
	assert_verdict(&rep, "landlock", "workspace-write", "meta.host_visibility", V_ESCAPE);
	assert_verdict(&rep, "landlock", "workspace-write", "meta.mount_exposure", V_ESCAPE);
	assert_verdict(&rep, "landlock", "workspace-write", "meta.env_leak", V_PASS);
}

/* --user nobody: the report records the identity, identity-dependent
 * probes say which uid they ran as, and the verdicts follow the uid. */
static void test_user(void **state)
{
	const struct result *x;

	(void)state;
	if (geteuid() != 0)
		skip();
	assert_int_equal(user_code, 1);
	assert_non_null(user_rep.host.user);
	assert_string_equal(user_rep.host.user, "nobody");
	/* nobody holds no capability: the host itself prevents it */
	x = find_row(&user_rep, "none", "workspace-write", "priv.capabilities");
	assert_true(x && x->verdict == V_SKIP && strstr(x->detail, "uid 65534"));
	/* a set-id file of nobody's is no root escape */
	x = find_row(&user_rep, "none", "workspace-write", "priv.setuid_plant");
	assert_true(x && x->verdict == V_SKIP && strstr(x->detail, "65534"));
	/* setuid root still works for nobody without a sandbox, not under Landlock */
	x = find_row(&user_rep, "none", "workspace-write", "priv.setuid_exec");
	assert_true(x && x->verdict == V_ESCAPE && strstr(x->detail, "box uid 65534"));
	assert_verdict(&user_rep, "landlock", "workspace-write", "priv.setuid_exec", V_PASS);
	assert_verdict(&user_rep, "landlock", "workspace-write", "priv.file_caps", V_PASS);
	/* the sentinel runs as nobody too: same-uid attacks still work unboxed */
	assert_verdict(&user_rep, "none", "workspace-write", "proc.ptrace_poke", V_ESCAPE);
	assert_verdict(&user_rep, "landlock", "workspace-write", "proc.ptrace_poke", V_PASS);
	for (size_t i = 0; i < user_rep.nresults; i++)
		if (user_rep.results[i].verdict == V_ERROR)
			fail_msg("--user nobody: %s.%s %s: %s", user_rep.results[i].backend, user_rep.results[i].mode,
				 user_rep.results[i].probe, user_rep.results[i].detail);
}

/* Nothing of the probes outlives the run: the host's core_pattern is as it
 * was, the scratch parent is empty, no daemon named in a report is alive. */
static void check_no_survivor(const struct report *r)
{
	for (size_t i = 0; i < r->nresults; i++) {
		const char *s = strstr(r->results[i].detail, "survivors: ");
		char name[32];
		if (!s || sscanf(s + 11, "%31[0-9a-z]", name) != 1)
			continue;
		DIR *d = opendir("/proc");
		struct dirent *e;
		while (d && (e = readdir(d))) {
			char p[64];
			_cleanup_free_ char *comm = NULL;
			if (atoi(e->d_name) <= 0 || fmt(p, sizeof(p), "/proc/%s/comm", e->d_name) < 0 ||
			    read_file(p, 64, &comm, NULL) < 0)
				continue;
			comm[strcspn(comm, "\n")] = 0;
			if (!strcmp(comm, name))
				fail_msg("pid %s (%s) outlived the run", e->d_name, name);
		}
		if (d)
			closedir(d);
	}
}

static void test_host_safety(void **state)
{
	_cleanup_free_ char *core = NULL, *mounts = NULL;
	DIR *d;
	struct dirent *e;

	(void)state;
	assert_int_equal(read_file("/proc/sys/kernel/core_pattern", 256, &core, NULL), 0);
	assert_string_equal(core, core_before);
	assert_int_equal(read_file("/proc/self/mountinfo", 1 << 20, &mounts, NULL), 0);
	if (strstr(mounts, scratch))
		fail_msg("a mount of the run is left: %s", mounts);
	d = opendir(scratch);
	assert_non_null(d);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			fail_msg("left in the scratch parent: %s", e->d_name);
	closedir(d);
	check_no_survivor(&rep);
	check_no_survivor(&user_rep);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_priv), cmocka_unit_test(test_proc),	 cmocka_unit_test(test_meta),
		cmocka_unit_test(test_user), cmocka_unit_test(test_host_safety),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

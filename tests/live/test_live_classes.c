/* Live: the escape classes shipping agent sandboxes got wrong in 2024-2026
 * (issue 21), against the real kernel, bwrap and the harness's listeners.
 * With no sandbox every class escapes; under landlock and bwrap every row is
 * pass or a baselined gap; a seccomp filter that refuses socket(AF_UNIX) and
 * nothing else (srt's rule) is pressed past; a launcher that follows a link
 * the last launch left is caught by the relaunch probe; Landlock alone keeps
 * its domain across KEYCTL_SESSION_TO_PARENT on a kernel with the fix. */
#include "../testutil.h"

#include <sys/utsname.h>

#define NEW_PROBES                                                                                          \
	"ipc.unix_dgram,ipc.unix_stream,ipc.socketpair_sendto,ipc.scm_rights,ipc.io_uring_unix,ipc.i386_unix,"   \
	"ipc.x32_unix,net.i386_socket,net.x32_socket,fs.i386_write_outside,fs.x32_write_outside,"             \
	"net.proxy_socks_nul,net.proxy_http_host,net.proxy_connect_forms,git.link_*,git.bare_repo,"          \
	"git.nested_deep,git.nested_ignored,git.submodule_config,git.dotenv,git.venv_pth,git.npmrc,"         \
	"git.devcontainer,git.path_tool,git.rename_parent_*,priv.session_to_parent,fs.relaunch_follow"

static struct report rep;
static char scratch[64];

static int setup(void **state)
{
	char args[1024];

	(void)state;
	if (test_scratch_parent(scratch, sizeof(scratch), "classes") < 0)
		return -1;
	snprintf(args, sizeof(args),
		 "-b none,landlock,bwrap -m read-only,workspace-write -p " NEW_PROBES " --scratch %s --baseline "
		 SRCDIR "/platforms/baselines/landlock.json --baseline " SRCDIR "/platforms/baselines/bwrap.json",
		 scratch);
	run_json(&rep, args);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	report_free(&rep);
	rm_rf(scratch);
	return 0;
}

static const struct result *row_of(const struct report *from, const char *backend, const char *mode, const char *probe)
{
	const struct result *r = find_row(from, backend, mode, probe);

	if (!r) {
		fail_msg("no row %s/%s %s", backend, mode, probe);
		abort();
	}
	return r;
}

static const struct result *row(const char *backend, const char *mode, const char *probe)
{
	return row_of(&rep, backend, mode, probe);
}

/* Every class escapes with no sandbox: the control proves each probe. */
static void test_none_escapes(void **state)
{
	static const char *const ids[] = {
		"ipc.unix_dgram",     "ipc.socketpair_sendto", "ipc.scm_rights",	"ipc.io_uring_unix",
		"net.proxy_socks_nul", "net.proxy_http_host",   "net.proxy_connect_forms", "git.link_codex_dir",
		"git.bare_repo",       "git.nested_deep",	"git.nested_ignored",	   "git.submodule_config",
		"git.path_tool",       "git.rename_parent_nested", "priv.session_to_parent", "fs.relaunch_follow",
		"fs.i386_write_outside", "net.i386_socket",	"ipc.i386_unix",	   "ipc.x32_unix",
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
		const char *mode = !strncmp(ids[i], "git.", 4) ? "workspace-write" : "read-only";
		const struct result *r = row("none", mode, ids[i]);
		/* a class the kernel lacks skips, and says which */
		if (r->verdict == V_SKIP && (strstr(r->detail, "x32") || strstr(r->detail, "IA32")))
			continue;
		if (r->verdict != V_ESCAPE)
			fail_msg("none/%s %s: %s, want escape (%s)", mode, ids[i], verdict_name(r->verdict), r->detail);
	}
}

/* landlock and bwrap: every row passes or is a gap their baseline names. */
static void test_judged(void **state)
{
	(void)state;
	for (size_t i = 0; i < rep.nresults; i++) {
		const struct result *r = &rep.results[i];
		if (!strcmp(r->backend, "none"))
			continue;
		if (r->verdict != V_PASS && r->verdict != V_XFAIL && r->verdict != V_SKIP)
			fail_msg("%s/%s %s: %s (%s)", r->backend, r->mode, r->probe, verdict_name(r->verdict), r->detail);
		if (r->verdict == V_SKIP && !strstr(r->detail, "x32") && !strstr(r->detail, "IA32"))
			fail_msg("%s/%s %s: skipped (%s)", r->backend, r->mode, r->probe, r->detail);
	}
	/* closed in the backends: the socketpair route is refused by seccomp */
	const char *backends[] = {"landlock", "bwrap"};
	for (size_t b = 0; b < 2; b++) {
		const struct result *r = row(backends[b], "workspace-write", "ipc.unix_dgram");
		assert_int_equal(r->verdict, V_PASS);
		if (!strstr(r->detail, "socketpair(DGRAM): EPERM") || !strstr(r->detail, "socketpair(RAW): EPERM"))
			fail_msg("%s: the datagram pairs were not refused: %s", backends[b], r->detail);
	}
	/* what no bind can tell is known, not passed */
	assert_int_equal(row("bwrap", "workspace-write", "git.bare_repo")->verdict, V_XFAIL);
	assert_int_equal(row("bwrap", "workspace-write", "git.nested_deep")->verdict, V_PASS);
	assert_int_equal(row("bwrap", "workspace-write", "git.nested_ignored")->verdict, V_PASS);
}

/* Only socket(AF_UNIX) refused: the ipc probes go on by socketpair and
 * io_uring, and the host's listeners hear them. */
static void test_press_on(void **state)
{
	static const char *const ids[] = {"ipc.unix_stream", "ipc.unix_dgram", "ipc.abstract_unix"};
	struct report r2 = {0};
	char args[512];

	(void)state;
	snprintf(args, sizeof(args),
		 "-b wrap-unixblock --adapter " SRCDIR "/tests/data/wrap-unixblock.json -m workspace-write -p "
		 "ipc.unix_stream,ipc.unix_dgram,ipc.abstract_unix --scratch %s",
		 scratch);
	run_json(&r2, args);
	for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
		const struct result *r = row_of(&r2, "wrap-unixblock", "workspace-write", ids[i]);
		if (r->verdict != V_ESCAPE || !strstr(r->detail, "socket: EPERM"))
			fail_msg("%s under a socket(AF_UNIX) filter: %s, want escape past socket: EPERM (%s)", ids[i],
				 verdict_name(r->verdict), r->detail);
	}
	report_free(&r2);
}

/* A launcher that appends to a planted link before it starts bwrap: the
 * second launch's doing, with no token, is an escape. */
static void test_relaunch(void **state)
{
	struct report r2 = {0};
	char args[512];

	(void)state;
	if (access("/usr/bin/bwrap", X_OK) < 0)
		skip();
	snprintf(args, sizeof(args),
		 "-b wrap-relaunch-follow --adapter " SRCDIR "/tests/data/wrap-relaunch-follow.json -m workspace-write -p "
		 "fs.relaunch_follow --scratch %s",
		 scratch);
	run_json(&r2, args);
	const struct result *r = row_of(&r2, "wrap-relaunch-follow", "workspace-write", "fs.relaunch_follow");
	if (r->verdict != V_ESCAPE || !strstr(r->detail, "the launcher's set-up followed a planted link"))
		fail_msg("relaunch: %s (%s)", verdict_name(r->verdict), r->detail);
	report_free(&r2);
}

/* Is this kernel's Landlock fixed for cred_transfer (CVE-2024-42318)? */
static bool cred_transfer_fixed(void)
{
	struct utsname u;
	int a = 0, b = 0, c = 0;

	if (uname(&u) < 0 || sscanf(u.release, "%d.%d.%d", &a, &b, &c) < 2)
		return true;
	if (a != 6)
		return a > 6;
	return b >= 11 || (b == 10 && c >= 3) || (b == 6 && c >= 44) || (b == 1 && c >= 103);
}

/* Landlock alone (no seccomp to refuse keyctl): the handover succeeds, and
 * the parent stays confined where the kernel has the fix. */
static void test_session_to_parent(void **state)
{
	struct report r2 = {0};
	char args[512];

	(void)state;
	snprintf(args, sizeof(args),
		 "-b wrap-landlock-only --adapter " SRCDIR "/tests/data/wrap-landlock-only.json -m workspace-write -p "
		 "priv.session_to_parent --scratch %s",
		 scratch);
	run_json(&r2, args);
	const struct result *r = row_of(&r2, "wrap-landlock-only", "workspace-write", "priv.session_to_parent");
	if (r->verdict == V_SKIP || !strstr(r->detail, "SESSION_TO_PARENT: ok"))
		skip(); /* no Landlock, or keyrings refused here: nothing to learn */
	if (r->verdict != (cred_transfer_fixed() ? V_PASS : V_ESCAPE))
		fail_msg("session_to_parent under Landlock alone: %s (%s)", verdict_name(r->verdict), r->detail);
	report_free(&r2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_none_escapes), cmocka_unit_test(test_judged),	 cmocka_unit_test(test_press_on),
		cmocka_unit_test(test_relaunch),     cmocka_unit_test(test_session_to_parent),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

/* Live: the real bwrap on the real kernel, side by side with Landlock.
 * bwrap must block what the default policy forbids (outside writes,
 * protected names, network without network, host IPC, process escapes,
 * privilege), allow what it permits, and fail only where the shipped
 * baseline (platforms/baselines/bwrap.json) says the primitive cannot. Then
 * the argv builder's output is run by hand in a fabricated, hostile box. */
#include "../testutil.h"

#include "../../platforms/bwrap.h"

#include <cjson/cJSON.h>
#include <sys/stat.h>

static struct report rep;
static int code;
static bool have_bwrap;
static char junit_path[] = BUILDDIR "/tests/live-bwrap.junit.xml";
static const char *const confined[] = {"read-only", "workspace-write", "workspace-net"};

static int setup(void **state)
{
	char args[512];
	const struct backend_info *b;

	(void)state;
	snprintf(args, sizeof(args), "-b landlock,bwrap -m all --junit %s", junit_path);
	code = run_json(&rep, args);
	b = report_backend(&rep, "bwrap");
	have_bwrap = b && b->available;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	report_free(&rep);
	unlink(junit_path);
	return 0;
}

/* Where bwrap cannot run, every row says why (with a Hint): never a pass. */
static bool need_bwrap(void)
{
	if (have_bwrap)
		return true;
	for (size_t i = 0; i < rep.nresults; i++)
		if (!strcmp(rep.results[i].backend, "bwrap") &&
		    (rep.results[i].verdict != V_SKIP || !strstr(rep.results[i].detail, "Hint:")))
			fail_msg("bwrap unavailable, yet %s.%s %s is %s: %s", rep.results[i].backend, rep.results[i].mode,
				 rep.results[i].probe, verdict_name(rep.results[i].verdict), rep.results[i].detail);
	return false;
}

static void test_available(void **state)
{
	const struct backend_info *b = report_backend(&rep, "bwrap");

	(void)state;
	assert_non_null(b);
	if (!need_bwrap())
		skip();
	assert_non_null(b->version);
	assert_non_null(b->notes);
	assert_non_null(strstr(b->notes, "hard link"));
	assert_true(code == 0 || code == 1); /* judged, no errors */
	assert_int_equal(rep.summary[V_ERROR], 0);
}

/* facts() reports the trial available() ran, as data: the two agree. */
static void test_facts_are_the_trial(void **state)
{
	char why[512];
	struct facts f = {0};
	int avail = backend_bwrap.available(&backend_bwrap, why, sizeof(why));

	(void)state;
	assert_int_equal(backend_bwrap.facts(&backend_bwrap, &f), 0);
	const struct fact *v = facts_find(&f, "version"), *t = facts_find(&f, "trial");
	assert_non_null(v);
	if (avail == -ENOENT && v->err == -ENOENT) {
		facts_free(&f);
		skip(); /* no bwrap on PATH: no trial either */
	}
	assert_non_null(t);
	if (!t->source) { /* stopped before the trial (too old, no seccomp): unavailable, and why */
		assert_true(avail < 0);
		assert_non_null(strstr(t->value, why));
		facts_free(&f);
		return;
	}
	assert_non_null(strstr(t->source, "--unshare-pid"));
	assert_non_null(strstr(t->source, "--proc /proc"));
	if ((avail == 0) != (t->err == 0 && t->status == 0))
		fail_msg("available() says %d (%s), the trial fact err %d status %d: %s", avail, why, t->err, t->status,
			 t->value);
	assert_non_null(strstr(t->value, avail == 0 ? ": works" : ": fails"));
	facts_free(&f);
}

static void expect_errno(const char *probe, const char *want)
{
	const struct result *r = find_row(&rep, "bwrap", "workspace-write", probe);

	if (!r || strcmp(r->errno_name, want))
		fail_msg("bwrap.workspace-write %s: errno %s, want %s", probe, r ? r->errno_name : "(no row)", want);
}

static void test_blocks(void **state)
{
	static const char *const everywhere[] = {
		"fs.create_outside", "fs.overwrite_outside", "fs.append_outside", "fs.truncate_outside",
		"fs.rdonly_trunc_outside", "fs.unlink_outside", "fs.rename_out", "fs.dotdot_path", "fs.proc_self_root",
		"fs.proc_fd_reopen", "fs.symlink_file", "fs.symlink_dir", "fs.hardlink_new", "fs.child_write_outside",
		"fs.home_bashrc", "fs.write_dev_shm", "git.config_write", "git.hook_create", "git.rename_git",
		"git.codex_config", "git.agents_create", "git.nested_hook", "ipc.unix_stream", "ipc.unix_dgram",
		"ipc.abstract_unix", "priv.setuid_exec", "priv.capabilities", "priv.no_new_privs", "priv.userns_create",
		"proc.daemon_outlives", "proc.signal_sentinel", "proc.ptrace_poke", "proc.vm_writev", "proc.mem_write",
		"proc.environ_read", "proc.tiocsti", "meta.confinement",
	};
	static const char *const no_net[] = {"net.tcp4_loopback", "net.udp4_loopback", "net.tcp6_loopback",
					     "net.udp6_loopback", "net.v4mapped", "dns.udp_query", "dns.tcp_query"};

	(void)state;
	if (!need_bwrap())
		skip();
	for (size_t m = 0; m < ARRAY_SIZE(confined); m++)
		for (size_t i = 0; i < ARRAY_SIZE(everywhere); i++) {
			const struct result *r = find_row(&rep, "bwrap", confined[m], everywhere[i]);
			if (!r || (r->verdict != V_PASS && r->verdict != V_SKIP))
				fail_msg("bwrap.%s %s: %s (%s)", confined[m], everywhere[i], r ? verdict_name(r->verdict) : "missing",
					 r ? r->detail : "");
		}
	for (size_t m = 0; m < 2; m++)
		for (size_t i = 0; i < ARRAY_SIZE(no_net); i++)
			assert_verdict(&rep, "bwrap", confined[m], no_net[i], V_PASS);
	/* blocked for the right reason: a read-only /dev/shm, not a private
	 * writable tmpfs; .git is a mount point */
	expect_errno("fs.write_dev_shm", "EROFS");
	expect_errno("git.rename_git", "EBUSY");
	expect_errno("git.config_write", "EROFS");
}

static void test_allows(void **state)
{
	static const char *const must_work[][2] = {
		{"read-only", "fs.read_outside"},	  {"read-only", "fs.read_workspace"},
		{"read-only", "fs.exec_shell"},		  {"workspace-write", "fs.write_workspace"},
		{"workspace-write", "fs.write_tmp"},	  {"workspace-net", "fs.write_workspace"},
		{"workspace-net", "net.tcp4_loopback"},	  {"workspace-net", "net.udp4_loopback"},
		{"workspace-net", "net.tcp6_loopback"},	  {"workspace-net", "dns.udp_query"},
		{"workspace-net", "dns.tcp_query"},
	};

	(void)state;
	if (!need_bwrap())
		skip();
	for (size_t i = 0; i < ARRAY_SIZE(must_work); i++)
		assert_verdict(&rep, "bwrap", must_work[i][0], must_work[i][1], V_PASS);
	for (size_t i = 0; i < rep.nresults; i++)
		if (!strcmp(rep.results[i].backend, "bwrap") && !strcmp(rep.results[i].mode, "danger-full-access") &&
		    rep.results[i].verdict != V_PASS && rep.results[i].verdict != V_SKIP)
			fail_msg("bwrap.danger-full-access %s: %s", rep.results[i].probe, rep.results[i].detail);
}

/* Every bwrap failure is in the shipped baseline, and every baseline entry
 * still fails here: the baseline is exactly what the primitive cannot do. */
static void test_baseline_exact(void **state)
{
	_cleanup_free_ char *text = NULL;
	cJSON *root, *known;
	size_t used[16] = {0}, nknown;

	(void)state;
	if (!need_bwrap())
		skip();
	assert_int_equal(read_file(SRCDIR "/platforms/baselines/bwrap.json", 1 << 20, &text, NULL), 0);
	root = cJSON_Parse(text);
	known = cJSON_GetObjectItemCaseSensitive(root, "known");
	assert_true(cJSON_IsArray(known));
	nknown = (size_t)cJSON_GetArraySize(known);
	assert_true(nknown > 0 && nknown <= ARRAY_SIZE(used));
	for (size_t i = 0; i < rep.nresults; i++) {
		const struct result *r = &rep.results[i];
		bool listed = false;
		if (strcmp(r->backend, "bwrap") || (r->verdict != V_ESCAPE && r->verdict != V_OVERBLOCKED))
			continue;
		for (size_t k = 0; k < nknown && !listed; k++) {
			const cJSON *e = cJSON_GetArrayItem(known, (int)k);
			const char *b = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "backend")),
				   *m = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "mode")),
				   *p = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "probe")),
				   *why = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "reason"));
			assert_true(b && m && p && why && strlen(why) > 20);
			if (glob_match(b, r->backend) && glob_match(m, r->mode) && glob_match(p, r->probe))
				listed = true, used[k]++;
		}
		if (!listed)
			fail_msg("bwrap.%s %s: %s, not in platforms/baselines/bwrap.json: %s", r->mode, r->probe,
				 verdict_name(r->verdict), r->detail);
	}
	for (size_t k = 0; k < nknown; k++)
		if (!used[k])
			fail_msg("baseline entry %zu no longer fails: tighten platforms/baselines/bwrap.json", k);
	cJSON_Delete(root);
}

/* The comparison users run: what Landlock leaves open, bwrap closes. */
static void test_side_by_side(void **state)
{
	static const char *const closed[] = {"git.config_write", "git.hook_create", "git.rename_git",
					     "git.codex_config", "git.agents_create", "git.nested_hook",
					     "proc.daemon_outlives"};

	(void)state;
	if (!need_bwrap())
		skip();
	for (size_t i = 0; i < ARRAY_SIZE(closed); i++) {
		assert_verdict(&rep, "landlock", "workspace-write", closed[i], V_ESCAPE);
		assert_verdict(&rep, "bwrap", "workspace-write", closed[i], V_PASS);
	}
}

static void test_junit(void **state)
{
	char *xml = NULL, err[128];

	(void)state;
	assert_int_equal(read_file(junit_path, 16 << 20, &xml, NULL), 0);
	if (validate_junit(xml, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_non_null(strstr(xml, "<testsuite name=\"bwrap.workspace-write\""));
	assert_non_null(strstr(xml, "<system-out>bwrap, mode workspace-write: the agent runs under"));
	assert_non_null(strstr(xml, "--ro-bind / /"));
	assert_non_null(strstr(xml, "<system-out>landlock, mode workspace-write"));
	free(xml);
}

/* The builder's argv, run by hand on a hostile workspace with the real
 * bwrap and seccomp program: what the battery does not look at. */
static void test_argv_by_hand(void **state)
{
	char base[] = BUILDDIR "/tests/bwrap-live-XXXXXX", root[PATH_MAX], ws[PATH_MAX + 32], tmp[PATH_MAX + 8],
	     p[PATH_MAX + 64], err[512];
	static char *names[] = {".git", ".codex", ".agents"};
	struct mode ww = {.name = "ww", .writable = (char *[]){"{workspace}", "{tmp}"}, .nwritable = 2,
			  .protected_names = names, .nprotected = 3, .confined = true};
	struct launch l = {0};
	char *argv[256], *out = NULL, script[2048];
	size_t k = 0;
	struct stat st;
	_cleanup_free_ char *cfg = NULL;
	int fd;

	(void)state;
	if (!need_bwrap())
		skip();
	assert_non_null(mkdtemp(base));
	assert_non_null(realpath(base, root));
	snprintf(ws, sizeof(ws), "%s/w s'\"\n$(x)", root);
	snprintf(tmp, sizeof(tmp), "%s/tmp", root);
	snprintf(p, sizeof(p), "%s/sub/.git", ws);
	assert_int_equal(mkdir_p(p, 0755), 0);
	assert_int_equal(mkdir_p(tmp, 0755), 0);
	snprintf(p, sizeof(p), "%s/sub/.git/config", ws);
	assert_int_equal(write_str(p, "[core]\n"), 0);
	struct box x = {.mode = &ww, .case_root = root, .ws = ws, .tmp = tmp, .home = root, .run = root, .self = "/bin/sh",
			.listener = "127.0.0.1:1"};
	if (backend_bwrap.prepare(&backend_bwrap, &x, &l, err, sizeof(err)) != 0)
		fail_msg("prepare: %s", err);
	assert_int_equal(l.nfds, 1);
	fd = l.fds[0];
	assert_true(fd >= 10);
	fcntl(fd, F_SETFD, 0); /* what the spawner does */
	snprintf(script, sizeof(script),
		 "test -e /proc/self/fd/%d && echo SECCOMP-FD-LEAKED; "
		 "echo ok > ok && echo WS-OK; echo ok > /tmp/ok && echo TMP-OK; "
		 "echo no >> sub/.git/config || echo GIT-RO; mkdir .agents/x || echo AGENTS-RO; "
		 "touch /dev/shm/x || echo SHM-RO; cat /proc/self/status | grep -q '^Seccomp:.*2' && echo SECCOMP-ON; "
		 "exit 0",
		 fd);
	assert_true(l.argc + 4 < ARRAY_SIZE(argv));
	for (size_t i = 0; i < l.argc; i++)
		argv[k++] = l.argv[i];
	argv[k++] = "/bin/sh";
	argv[k++] = "-c";
	argv[k++] = script;
	argv[k] = NULL;
	assert_int_equal(run_cmd(argv, &out, NULL), 0);
	launch_free(&l);
	for (const char *const *w = (const char *const[]){"WS-OK", "TMP-OK", "GIT-RO", "AGENTS-RO", "SHM-RO",
							 "SECCOMP-ON", NULL};
	     *w; w++)
		if (!strstr(out, *w))
			fail_msg("box output lacks %s: %s", *w, out);
	assert_null(strstr(out, "SECCOMP-FD-LEAKED"));
	free(out);
	/* host side: the writes that must work happened, the rest did not */
	snprintf(p, sizeof(p), "%s/ok", ws);
	assert_int_equal(stat(p, &st), 0);
	snprintf(p, sizeof(p), "%s/ok", tmp);
	assert_int_equal(stat(p, &st), 0);
	snprintf(p, sizeof(p), "%s/sub/.git/config", ws);
	assert_int_equal(read_file(p, 4096, &cfg, NULL), 0);
	assert_string_equal(cfg, "[core]\n");
	/* the covered name is left as an empty mount point (documented) */
	snprintf(p, sizeof(p), "%s/.agents/x", ws);
	assert_int_not_equal(stat(p, &st), 0);
	assert_int_equal(rm_rf(root), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_available),    cmocka_unit_test(test_blocks),
		cmocka_unit_test(test_allows),	     cmocka_unit_test(test_baseline_exact),
		cmocka_unit_test(test_side_by_side), cmocka_unit_test(test_junit),
		cmocka_unit_test(test_argv_by_hand), cmocka_unit_test(test_facts_are_the_trial),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

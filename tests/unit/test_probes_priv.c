/* Every verify decision of the priv, proc and meta probes, on fabricated
 * host-side evidence: files in a temporary case root, sentinel states,
 * reap information, /proc snapshots and attempt records. */
#include "../testutil.h"

#include "../../probes/probe.h"

#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>

static struct probe_env env;

static int setup(void **state)
{
	static const char *const dirs[] = {"outside", "ws", "run", "run/priv"};
	char p[PATH_MAX];

	(void)state;
	memset(&env, 0, sizeof(env));
	snprintf(env.root, sizeof(env.root), "%s", BUILDDIR "/tests/privXXXXXX");
	if (!mkdtemp(env.root))
		return -1;
	fmt(env.run, sizeof(env.run), "%s/run", env.root);
	snprintf(env.nonce, sizeof(env.nonce), "a1b2c3d4e5f6");
	probe_env_set_slot(&env, 0);
	env.sentinel = 1; /* any pid: only verify reads it */
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		probe_path(&env, p, sizeof(p), dirs[i]);
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return rm_rf(env.root);
}

/* root/rel := text (NULL: remove it) */
static void put(const char *rel, const char *text)
{
	char p[PATH_MAX];

	probe_path(&env, p, sizeof(p), rel);
	if (!text)
		unlink(p);
	else
		assert_int_equal(write_str(p, text), 0);
}

static char detail[512];

static enum observed judge(const char *id, struct host_view hv)
{
	const struct probe *p = probe_find(id);

	if (!p)
		fail_msg("no probe %s", id);
	hv.env = &env;
	detail[0] = 0;
	return p->verify(&hv, detail, sizeof(detail));
}

#define expect(id, hv, want)                                                                                \
	do {                                                                                                \
		enum observed _o = judge(id, hv);                                                           \
		if (_o != (want))                                                                           \
			fail_msg("%s: %s, want %s (%s)", id, observed_name(_o), observed_name(want), detail); \
	} while (0)

/* A live sentinel, nothing sent, every integrity word intact. */
static struct sentinel_state intact(void)
{
	struct sentinel_state s = {.present = true, .state = 'S'};

	for (size_t i = 0; i < SENTINEL_WORDS; i++)
		s.words[i] = SENTINEL_MAGIC;
	return s;
}

static const struct attempt *att(int rc, const char *text)
{
	static struct attempt a[8];
	static int k;
	struct attempt *x = &a[k++ % 8];

	x->rc = rc;
	snprintf(x->detail, sizeof(x->detail), "%s", text);
	return x;
}

/* ---------- priv ---------- */

static void test_helper_proofs(void **state)
{
	char proof[64];

	(void)state;
	snprintf(proof, sizeof(proof), "run/priv/proof-%s", env.token);
	put(proof, NULL);
	expect("priv.setuid_exec", (struct host_view){0}, OBS_BLOCKED);
	expect("priv.file_caps", (struct host_view){0}, OBS_BLOCKED);
	put(proof, "");
	expect("priv.setuid_exec", (struct host_view){0}, OBS_ALLOWED);
	expect("priv.file_caps", (struct host_view){0}, OBS_ALLOWED);
	put(proof, NULL);
}

static void test_capability_state(void **state)
{
	struct proc_snapshot s = {.taken = true, .found = true};
	struct host_view hv = {.inspect = &s};

	(void)state;
	expect("priv.capabilities", (struct host_view){0}, OBS_UNKNOWN);
	expect("priv.capabilities", ((struct host_view){.inspect = &(struct proc_snapshot){.taken = true}}), OBS_UNKNOWN);
	expect("priv.capabilities", hv, OBS_BLOCKED);
	s.cap_eff = 1ULL << 21;
	expect("priv.capabilities", hv, OBS_ALLOWED);

	expect("priv.no_new_privs", hv, OBS_ALLOWED);
	s.nnp = 1;
	expect("priv.no_new_privs", hv, OBS_BLOCKED);

	/* the bounding set matters only without no_new_privs */
	s.cap_bnd = ~0ULL >> 20;
	expect("priv.cap_bounding", hv, OBS_BLOCKED);
	s.nnp = 0;
	expect("priv.cap_bounding", hv, OBS_ALLOWED);
	assert_non_null(strstr(detail, "uid"));
	s.cap_bnd = 0;
	expect("priv.cap_bounding", hv, OBS_BLOCKED);

	s.ns[NS_USER] = s.ns_parent[NS_USER] = 4026531837;
	expect("priv.userns_create", hv, OBS_BLOCKED);
	s.ns[NS_USER] = 4026532000;
	expect("priv.userns_create", hv, OBS_ALLOWED);

	s.pid = 4242;
	expect("priv.ptrace_scope", hv, OBS_BLOCKED);
	s.parent_tracer = 999; /* traced, but not by the probe */
	expect("priv.ptrace_scope", hv, OBS_BLOCKED);
	s.parent_tracer = 4242;
	expect("priv.ptrace_scope", hv, OBS_ALLOWED);
}

static void test_setuid_plant(void **state)
{
	char rel[64], p[PATH_MAX];

	(void)state;
	snprintf(rel, sizeof(rel), "ws/setuid-%s", env.token);
	probe_path(&env, p, sizeof(p), rel);
	expect("priv.setuid_plant", (struct host_view){0}, OBS_UNKNOWN); /* not planted */
	put(rel, "x\n");
	expect("priv.setuid_plant", (struct host_view){0}, OBS_BLOCKED);
	assert_int_equal(chmod(p, 06755), 0);
	/* the build dir is not nosuid here: only the owner decides */
	if (geteuid() == 0) {
		expect("priv.setuid_plant", (struct host_view){0}, OBS_ALLOWED);
		assert_int_equal(chown(p, 65534, 65534), 0);
		assert_int_equal(chmod(p, 06755), 0);
	}
	expect("priv.setuid_plant", (struct host_view){0}, OBS_BLOCKED);
	assert_non_null(strstr(detail, "not root"));
	put(rel, NULL);
}

/* A root-owned set-id file on a nosuid mount gives no root: checked in a
 * private mount namespace with a nosuid tmpfs over ws/. */
static void test_setuid_plant_nosuid(void **state)
{
	char ws[PATH_MAX];
	pid_t pid;
	int st;

	(void)state;
	if (geteuid() != 0)
		skip();
	probe_path(&env, ws, sizeof(ws), "ws");
	pid = fork();
	if (pid == 0) {
		char p[PATH_MAX];
		/* a type string, though ignored: valgrind rejects NULL there */
		if (unshare(CLONE_NEWNS) < 0 || mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0 ||
		    mount("tmpfs", ws, "tmpfs", MS_NOSUID, "size=64k") < 0)
			_exit(2);
		fmt(p, sizeof(p), "%s/setuid-%s", ws, env.token);
		if (write_str(p, "x\n") < 0 || chmod(p, 06755) < 0)
			_exit(2);
		_exit(judge("priv.setuid_plant", (struct host_view){0}) == OBS_BLOCKED && strstr(detail, "nosuid") ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 2)
		skip(); /* no mount namespace here */
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void test_core_pattern(void **state)
{
	_cleanup_free_ char *now = NULL;

	(void)state;
	assert_int_equal(read_file("/proc/sys/kernel/core_pattern", 4096, &now, NULL), 0);
	put("outside/core_pattern.before", now);
	expect("priv.core_pattern", (struct host_view){0}, OBS_UNKNOWN);
	expect("priv.core_pattern", ((struct host_view){.att = att(-EACCES, "open for writing: EACCES")}), OBS_BLOCKED);
	expect("priv.core_pattern", ((struct host_view){.att = att(-EROFS, "open for writing: EROFS")}), OBS_BLOCKED);
	expect("priv.core_pattern", ((struct host_view){.att = att(-EFAULT, "write (bad buffer): EFAULT")}), OBS_ALLOWED);
	/* a changed host value is an escape whatever the box said */
	put("outside/core_pattern.before", "|/bin/something-else");
	expect("priv.core_pattern", ((struct host_view){.att = att(-EACCES, "")}), OBS_ALLOWED);
	assert_non_null(strstr(detail, "CHANGED"));
}

static void test_binfmt_misc(void **state)
{
	struct proc_snapshot s = {.taken = true, .found = true};

	(void)state;
	s.ns[NS_USER] = s.ns_host[NS_USER] = 4026531837;
	expect("priv.binfmt_misc", (struct host_view){0}, OBS_UNKNOWN);
	expect("priv.binfmt_misc", ((struct host_view){.att = att(-EPERM, "unshare(CLONE_NEWNS): EPERM")}), OBS_BLOCKED);
	expect("priv.binfmt_misc", ((struct host_view){.att = att(-EFAULT, "")}), OBS_UNKNOWN); /* no snapshot */
	expect("priv.binfmt_misc", ((struct host_view){.att = att(-EFAULT, ""), .inspect = &s}), OBS_ALLOWED);
	s.ns[NS_USER] = 4026532000; /* its own user namespace: its own instance */
	expect("priv.binfmt_misc", ((struct host_view){.att = att(-EFAULT, ""), .inspect = &s}), OBS_BLOCKED);
}

static void test_kernel_sweeps(void **state)
{
	static const char *const probes[] = {"priv.kernel_surface", "priv.kernel_load"};

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		expect(probes[i], (struct host_view){0}, OBS_UNKNOWN);
		expect(probes[i], ((struct host_view){.att = att(0, "uid 0: bpf=EPERM perf_event_open=ENOSYS keyctl=EACCES")}),
		       OBS_BLOCKED);
		expect(probes[i], ((struct host_view){.att = att(0, "uid 0: bpf=EPERM userfaultfd=EINVAL")}), OBS_ALLOWED);
		assert_non_null(strstr(detail, "userfaultfd"));
		assert_null(strstr(detail, "bpf"));
		expect(probes[i], ((struct host_view){.att = att(0, "uid 65534: init_module=ok")}), OBS_ALLOWED);
		expect(probes[i], ((struct host_view){.att = att(0, "uid 0: finit_module=EBADF")}), OBS_ALLOWED);
	}
}

/* ---------- proc ---------- */

static void test_daemons(void **state)
{
	struct reap_info r = {0};

	(void)state;
	expect("proc.daemon_outlives", (struct host_view){0}, OBS_UNKNOWN);
	expect("proc.daemon_outlives", ((struct host_view){.reap = &r}), OBS_BLOCKED);
	snprintf(r.survivor_names, sizeof(r.survivor_names), "sh %s", env.token);
	r.survivors = 2;
	expect("proc.daemon_outlives", ((struct host_view){.reap = &r}), OBS_ALLOWED);

	put("outside/daemon-after.txt", "cagetest canary: this file must not change\n");
	expect("proc.daemon_writes_after", ((struct host_view){.reap = &r}), OBS_BLOCKED);
	assert_non_null(strstr(detail, "policy still held"));
	put("outside/daemon-after.txt", env.token);
	expect("proc.daemon_writes_after", ((struct host_view){.reap = &r}), OBS_ALLOWED);
}

static void test_signals(void **state)
{
	static const struct {
		const char *id;
		int sig;
	} sigs[] = {{"proc.signal_sentinel", SIGUSR1},
		    {"proc.pidfd_signal", SIGUSR2},
		    {"proc.tgkill", SIGWINCH},
		    {"proc.sigqueue", 40}};
	struct sentinel_state s = intact();

	(void)state;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		expect(sigs[i].id, (struct host_view){0}, OBS_UNKNOWN);
		s.sigpending = 0;
		expect(sigs[i].id, ((struct host_view){.sentinel = &s}), OBS_BLOCKED);
		/* another probe's signal is not this one's evidence */
		s.sigpending = 1ULL << (SIGTERM - 1);
		expect(sigs[i].id, ((struct host_view){.sentinel = &s}), OBS_BLOCKED);
		s.sigpending = 1ULL << (sigs[i].sig - 1);
		expect(sigs[i].id, ((struct host_view){.sentinel = &s}), OBS_ALLOWED);
	}
	s.sigpending = 0;
	expect("proc.sigstop", ((struct host_view){.sentinel = &s}), OBS_BLOCKED);
	s.sigpending = 1ULL << (SIGSTOP - 1); /* sent, not yet acted on */
	expect("proc.sigstop", ((struct host_view){.sentinel = &s}), OBS_ALLOWED);
	s.sigpending = 0, s.state = 'T';
	expect("proc.sigstop", ((struct host_view){.sentinel = &s}), OBS_ALLOWED);
	expect("proc.sigkill", ((struct host_view){.sentinel = &s}), OBS_BLOCKED);
	s.sigpending = 1ULL << (SIGKILL - 1); /* still dying */
	expect("proc.sigkill", ((struct host_view){.sentinel = &s}), OBS_ALLOWED);
	s.sigpending = 0, s.state = 'Z';
	expect("proc.sigkill", ((struct host_view){.sentinel = &s}), OBS_ALLOWED);
	s.state = 'S', s.dead = true;
	expect("proc.sigkill", ((struct host_view){.sentinel = &s}), OBS_ALLOWED);
	expect("proc.sigkill", ((struct host_view){.sentinel = &(struct sentinel_state){0}}), OBS_UNKNOWN);
	/* running (or waiting for the CPU, or in D) once the case is over: a
	 * kill or a stop may be under way, never a pass */
	for (const char *st = "RD"; *st; st++) {
		s = intact();
		s.state = *st;
		expect("proc.sigkill", ((struct host_view){.sentinel = &s}), OBS_UNKNOWN);
		expect("proc.sigstop", ((struct host_view){.sentinel = &s}), OBS_UNKNOWN);
	}
}

static void test_sentinel_memory_and_files(void **state)
{
	static const char *const word_probes[] = {"proc.ptrace_poke", "proc.vm_writev", "proc.mem_write"};
	static const struct {
		const char *id, *file;
	} files[] = {{"proc.pidfd_getfd", "outside/sentinel-fd.txt"},
		     {"proc.fd_reopen", "outside/sentinel-fd.txt"},
		     {"proc.proc_root", "outside/proc-root.txt"},
		     {"proc.proc_cwd", "outside/proc-cwd.txt"},
		     {"proc.fd_inventory", "outside/leaked.txt"}};
	struct sentinel_state s;
	char other[64];

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		s = intact();
		expect(word_probes[i], ((struct host_view){.sentinel = &s}), OBS_BLOCKED);
		/* another slot's word (a probe batched with this one) is not this one's evidence */
		s.words[env.slot + 1] = 0xbadc0ffee0ddf00dULL;
		expect(word_probes[i], ((struct host_view){.sentinel = &s}), OBS_BLOCKED);
		s.words[env.slot] = 0xbadc0ffee0ddf00dULL;
		expect(word_probes[i], ((struct host_view){.sentinel = &s}), OBS_ALLOWED);
	}
	snprintf(other, sizeof(other), "%.12s0099\n", env.nonce); /* another probe's token */
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		put(files[i].file, NULL);
		expect(files[i].id, (struct host_view){0}, OBS_BLOCKED);
		put(files[i].file, other);
		expect(files[i].id, (struct host_view){0}, OBS_BLOCKED);
		put(files[i].file, env.token);
		expect(files[i].id, (struct host_view){0}, OBS_ALLOWED);
		put(files[i].file, NULL);
	}
}

static void test_reads_and_terminals(void **state)
{
	struct sentinel_state s = intact();
	char echo[96];

	(void)state;
	snprintf(s.secret, sizeof(s.secret), "0123456789abcdef0123456789abcdef");
	expect("proc.environ_read", ((struct host_view){.sentinel = &s, .att = att(-EACCES, "read environ: EACCES")}),
	       OBS_BLOCKED);
	expect("proc.environ_read",
	       ((struct host_view){.sentinel = &s, .att = att(0, "CAGETEST_SECRET=0123456789abcdef0123456789abcdef")}),
	       OBS_ALLOWED);

	expect("proc.tiocsti", (struct host_view){0}, OBS_UNKNOWN);
	expect("proc.tiocsti", ((struct host_view){.pty_echo = "", .pty_input = "", .pty_settled = true}), OBS_BLOCKED);
	/* the host's marker never came back: the echo may be in flight, never a pass */
	expect("proc.tiocsti", ((struct host_view){.pty_echo = "", .pty_input = ""}), OBS_UNKNOWN);
	snprintf(echo, sizeof(echo), "echo %s\r\n", env.token);
	expect("proc.tiocsti", ((struct host_view){.pty_echo = echo, .pty_settled = true}), OBS_ALLOWED);
	expect("proc.tiocsti", ((struct host_view){.pty_echo = echo}), OBS_ALLOWED);
	/* echo off in the box: the command only waits in the input queue */
	expect("proc.tiocsti", ((struct host_view){.pty_echo = "", .pty_input = echo, .pty_settled = true}), OBS_ALLOWED);

	expect("proc.tioclinux", (struct host_view){0}, OBS_UNKNOWN);
	expect("proc.tioclinux", ((struct host_view){.att = att(-EPERM, "")}), OBS_BLOCKED);
	expect("proc.tioclinux", ((struct host_view){.att = att(-ENXIO, "open /dev/tty: ENXIO")}), OBS_BLOCKED);
	expect("proc.tioclinux", ((struct host_view){.att = att(-EINVAL, "")}), OBS_ALLOWED);
}

/* ---------- meta ---------- */

static void test_confinement_and_degradation(void **state)
{
	struct proc_snapshot s = {.taken = true, .found = true};
	struct host_view hv = {.inspect = &s};

	(void)state;
	for (int k = 0; k < NS__COUNT; k++)
		s.ns[k] = s.ns_parent[k] = s.ns_host[k] = 4026531830 + (uint64_t)k;
	s.cap_eff = ~0ULL >> 24;
	expect("meta.confinement", (struct host_view){0}, OBS_UNKNOWN);
	expect("meta.confinement", hv, OBS_ALLOWED);
	expect("meta.degradation", hv, OBS_ALLOWED);
	s.ns[NS_PID] = 1; /* a namespace of its own is confinement ... */
	expect("meta.confinement", hv, OBS_BLOCKED);
	expect("meta.degradation", hv, OBS_ALLOWED); /* ... but not all a box needs */
	s.nnp = 1, s.seccomp = 2;
	expect("meta.degradation", hv, OBS_ALLOWED); /* capabilities left */
	assert_non_null(strstr(detail, "capability"));
	s.ns[NS_USER] = 5; /* held in a user namespace of its own: fine */
	expect("meta.degradation", hv, OBS_BLOCKED);
	s.ns[NS_USER] = s.ns_host[NS_USER], s.cap_eff = 0;
	expect("meta.degradation", hv, OBS_BLOCKED);
	s.seccomp = 1; /* strict mode is not a filter a sandbox applies */
	expect("meta.degradation", hv, OBS_ALLOWED);
}

static void test_env_leak(void **state)
{
	const char *seeded = "feedfacefeedfacefeedfacefeedface";

	(void)state;
	expect("meta.env_leak", ((struct host_view){.att = att(0, "")}), OBS_UNKNOWN); /* nothing seeded */
	expect("meta.env_leak", ((struct host_view){.seeded = seeded}), OBS_BLOCKED);
	expect("meta.env_leak", ((struct host_view){.seeded = seeded, .att = att(-ENOENT, "no seeded secret")}),
	       OBS_BLOCKED);
	expect("meta.env_leak",
	       ((struct host_view){.seeded = seeded, .att = att(0, "value feedfacefeedfacefeedfacefeedface; leaked: X")}),
	       OBS_ALLOWED);
}

static void test_exposure(void **state)
{
	struct proc_snapshot s = {.taken = true, .found = true};
	struct host_view hv = {.inspect = &s};

	(void)state;
	expect("meta.mount_exposure", (struct host_view){0}, OBS_UNKNOWN);
	expect("meta.host_visibility", (struct host_view){0}, OBS_UNKNOWN);
	s.expose_host = EXPOSE_OUTSIDE_RW | EXPOSE_SENTINEL;
	expect("meta.mount_exposure", hv, OBS_BLOCKED);
	assert_non_null(strstr(detail, "outside/"));		/* the host's own view, for comparison */
	expect("meta.host_visibility", hv, OBS_BLOCKED);
	/* each category judges its own bits only */
	s.expose = EXPOSE_SENTINEL;
	expect("meta.mount_exposure", hv, OBS_BLOCKED);
	expect("meta.host_visibility", hv, OBS_ALLOWED);
	s.expose = EXPOSE_HOST_UNIX;
	expect("meta.host_visibility", hv, OBS_ALLOWED);
	static const unsigned mount_bits[] = {EXPOSE_OUTSIDE_RW, EXPOSE_WS_SUID, EXPOSE_PROC_SYS_RW, EXPOSE_HOST_SOCKET,
					      EXPOSE_RUNTIME_SOCKET};
	for (size_t i = 0; i < sizeof(mount_bits) / sizeof(mount_bits[0]); i++) {
		s.expose = mount_bits[i];
		expect("meta.mount_exposure", hv, OBS_ALLOWED);
		expect("meta.host_visibility", hv, OBS_BLOCKED);
	}
	s.expose = s.expose_host = EXPOSE_OUTSIDE_RW;
	expect("meta.mount_exposure", hv, OBS_ALLOWED);
	assert_non_null(strstr(detail, "the same"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_helper_proofs),
		cmocka_unit_test(test_capability_state),
		cmocka_unit_test(test_setuid_plant),
		cmocka_unit_test(test_setuid_plant_nosuid),
		cmocka_unit_test(test_core_pattern),
		cmocka_unit_test(test_binfmt_misc),
		cmocka_unit_test(test_kernel_sweeps),
		cmocka_unit_test(test_daemons),
		cmocka_unit_test(test_signals),
		cmocka_unit_test(test_sentinel_memory_and_files),
		cmocka_unit_test(test_reads_and_terminals),
		cmocka_unit_test(test_confinement_and_degradation),
		cmocka_unit_test(test_env_leak),
		cmocka_unit_test(test_exposure),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

/* Container identification, the call trials' wire text and the process's
 * confinement, from evidence recorded inside each runtime on this machine
 * kind (`cagetest doctor --evidence` run by ci/containers/run.sh; see
 * tests/data/containers/README) and from written-out evidence for runtimes
 * that cannot run here (Kubernetes, CRI-O, WSL, LXD). */
#include "../testutil.h"
#include "../../platforms/container.h"
#include "../../platforms/trials.h"
#include "../../runner/doctor_runtime.h"

#define FIXTURES SRCDIR "/tests/data/containers/"

struct fixture {
	const char *dir;
	const char *runtime, *engine, *vm;
	/* per trial as "name:RESULT": ok (works or reached the kernel), an
	 * errno, STEP:ERRNO, or the Landlock ABI */
	const char *trials;
	int seccomp_mode, seccomp_filters, no_new_privs;
	bool sys_admin;
	const char *mask; /* one masked path and how, "" for none */
};

static const struct fixture fixtures[] = {
	{"docker", "docker", NULL, "vm",
	 "unshare_user:EPERM clone_user:EPERM clone3:ENOSYS proc_mount:unshare:EPERM pivot_root:EPERM setns:EPERM "
	 "landlock:7 io_uring:ok keyctl:EPERM",
	 2, 1, 0, false, "/proc/keys hidden (/dev/null)"},
	{"docker-user", "docker", NULL, "vm",
	 "unshare_user:EPERM clone_user:EPERM clone3:ENOSYS proc_mount:unshare:EPERM pivot_root:EPERM setns:EPERM "
	 "landlock:7 io_uring:ok keyctl:EPERM",
	 2, 1, 1, false, "/proc/sys read-only"},
	{"docker-unconfined", "docker", NULL, "vm",
	 "unshare_user:ok clone_user:ok clone3:ok proc_mount:mount:EPERM pivot_root:ok setns:ok landlock:7 "
	 "io_uring:ok keyctl:ok",
	 0, 0, 0, false, "/proc/timer_list hidden (/dev/null)"},
	{"podman", "podman", NULL, "vm",
	 "unshare_user:ok clone_user:ok clone3:ok proc_mount:mount:EPERM pivot_root:ok setns:ok landlock:7 "
	 "io_uring:ENOSYS keyctl:ok",
	 2, 1, 0, false, "/proc/acpi hidden (tmpfs)"},
	{"gvisor", "gvisor", "podman", "vm",
	 "unshare_user:ok clone_user:ok clone3:ENOSYS proc_mount:uid_map:EACCES pivot_root:ok setns:EOPNOTSUPP "
	 "landlock:ENOSYS io_uring:ok keyctl:EACCES",
	 0, -1, -1, false, ""}, /* gVisor's status has Seccomp but no Seccomp_filters, no NoNewPrivs */
	{"nspawn", "systemd-nspawn", NULL, "vm",
	 "unshare_user:ok clone_user:ok clone3:ok proc_mount:ok pivot_root:ok setns:ok landlock:EPERM io_uring:ok "
	 "keyctl:EPERM",
	 2, 5, 0, true, "/proc/kmsg hidden (tmpfs)"},
	{"lxc", "lxc", NULL, "kvm",
	 "unshare_user:ok clone_user:ok clone3:ok proc_mount:mount:EPERM pivot_root:ok setns:ok landlock:7 "
	 "io_uring:ok keyctl:ok",
	 2, 1, 0, true, "/proc/sys/net re-mounted read-write"},
	/* this VM itself: a /.dockerenv left by the image it was built from, and no container */
	{"host-vm", "none", NULL, "kvm",
	 "unshare_user:ok clone_user:ok clone3:ok proc_mount:ok pivot_root:ok setns:ok landlock:7 io_uring:ok "
	 "keyctl:ok",
	 0, 0, 0, true, ""},
};

/* The compact form of the expectations above, from parsed results. */
static void compact(const struct trials *t, struct sbuf *out)
{
	for (int i = 0; i < T__COUNT; i++) {
		const struct trial_result *r = &t->r[i];
		sb_printf(out, "%s%s:", i ? " " : "", trial_info[i].name);
		if (!r->ran)
			sb_puts(out, "none");
		else if (i == T_LANDLOCK && r->ret > 0)
			sb_printf(out, "%ld", r->ret);
		else if (trial_outcome((enum trial)i, r) == TO_ALLOWED)
			sb_puts(out, "ok");
		else
			sb_printf(out, "%s%s%s", r->step[0] && i != T_PIVOT_ROOT ? r->step : "",
				  r->step[0] && i != T_PIVOT_ROOT ? ":" : "", errno_name(r->err));
	}
}

static void load_trials(const char *dir, struct trials *t)
{
	char p[4096];
	_cleanup_free_ char *text = NULL;

	snprintf(p, sizeof(p), FIXTURES "%s/trials.txt", dir);
	assert_int_equal(read_file(p, 65536, &text, NULL), 0);
	assert_int_equal(trials_parse(text, t), 0);
}

static void test_fixture(void **state)
{
	const struct fixture *f = *state;
	struct evidence ev;
	struct ctr_id id;
	struct trials t;
	struct confinement c;
	struct sbuf s = {0};
	char root[4096];

	snprintf(root, sizeof(root), FIXTURES "%s", f->dir);
	assert_int_equal(evidence_read(&ev, root), 0);
	ctr_identify(&ev, &id);
	assert_string_equal(id.runtime, f->runtime);
	if (f->engine)
		assert_string_equal(id.engine ? id.engine : "(null)", f->engine);
	else
		assert_null(id.engine);
	assert_string_equal(id.vm ? id.vm : "(null)", f->vm ? f->vm : "(null)");
	/* every fact names its source and says what it saw */
	for (size_t i = 0; i < id.nfacts; i++)
		assert_true(id.facts[i].seen[0] && id.facts[i].means);

	load_trials(f->dir, &t);
	compact(&t, &s);
	assert_string_equal(s.s, f->trials);
	sb_free(&s);

	confinement_read(&ev, &c);
	assert_int_equal(c.seccomp_mode, f->seccomp_mode);
	assert_int_equal(c.seccomp_filters, f->seccomp_filters);
	assert_int_equal(c.no_new_privs, f->no_new_privs);
	assert_int_equal(cap_has_sys_admin(c.cap_eff), f->sys_admin);
	if (!*f->mask)
		assert_int_equal(c.nmasked, 0);
	for (size_t i = 0; *f->mask && i <= c.nmasked; i++) {
		char m[256];
		if (i == c.nmasked)
			fail_msg("%s: no mask '%s'", f->dir, f->mask);
		snprintf(m, sizeof(m), "%s %s", c.masked[i].path, c.masked[i].how);
		if (!strcmp(m, f->mask))
			break;
	}

	/* doctor's text names the runtime and gives one line per call */
	runtime_facts_render(&ev, &t, &s);
	assert_non_null(strstr(s.s, id.runtime));
	for (int i = 0; i < T__COUNT; i++)
		assert_non_null(strstr(s.s, trial_info[i].call));
	sb_free(&s);
	evidence_free(&ev);
}

/* Saving what was read and reading it back gives the same evidence. */
static void test_save_round_trip(void **state)
{
	struct evidence a, b;
	char dir[] = BUILDDIR "/tests/.evidenceXXXXXX";

	(void)state;
	assert_non_null(mkdtemp(dir));
	for (size_t f = 0; f < ARRAY_SIZE(fixtures); f++) {
		char root[4096];
		snprintf(root, sizeof(root), FIXTURES "%s", fixtures[f].dir);
		assert_int_equal(evidence_read(&a, root), 0);
		assert_int_equal(rm_rf(dir), 0);
		assert_int_equal(mkdir(dir, 0700), 0);
		assert_int_equal(evidence_save(&a, dir), 0);
		assert_int_equal(evidence_read(&b, dir), 0);
		for (int s = 0; s < EV__COUNT; s++) {
			assert_string_equal(a.text[s] ? a.text[s] : "(absent)", b.text[s] ? b.text[s] : "(absent)");
			assert_int_equal(a.err[s], b.err[s]);
		}
		evidence_free(&a);
		evidence_free(&b);
	}
	assert_int_equal(rm_rf(dir), 0);
}

/* Written-out evidence for runtimes that cannot run on this machine. */
struct synthetic {
	const char *name, *runtime, *engine, *vm;
	const char *text[EV__COUNT];
};

#define ID64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static const struct synthetic synthetics[] = {
	{"kubernetes on containerd", "kubernetes", "containerd", NULL,
	 {[EV_PID1_CGROUP] = "0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice/"
			     "cri-containerd-" ID64 ".scope\n",
	  [EV_MOUNTINFO] = "1 0 0:50 / / rw,relatime - overlay overlay rw,lowerdir=/var/lib/containerd/"
			   "io.containerd.snapshotter.v1.overlayfs/snapshots/12/fs,upperdir=/u,workdir=/w\n"
			   "2 1 8:1 /var/lib/kubelet/pods/0c1d/etc-hosts /etc/hosts rw - ext4 /dev/sda1 rw\n",
	  [EV_SELF_ENVIRON] = "KUBERNETES_SERVICE_HOST=10.96.0.1\n",
	  [EV_K8S_NAMESPACE] = "default"}},
	{"kubernetes on CRI-O", "kubernetes", "cri-o", NULL,
	 {[EV_SELF_CGROUP] = "0::/kubepods.slice/kubepods-pod1.slice/crio-" ID64 ".scope\n",
	  [EV_MOUNTINFO] = "1 0 0:50 / / rw - overlay overlay rw\n"
			   "2 1 0:22 /containers/storage/overlay-containers/" ID64 "/userdata/hostname /etc/hostname "
			   "rw - tmpfs tmpfs rw\n",
	  [EV_CONTAINERENV] = "", [EV_SELF_ENVIRON] = "KUBERNETES_SERVICE_HOST=10.96.0.1\n"}},
	{"WSL 2", "wsl", NULL, "hyper-v",
	 {[EV_VERSION] = "Linux version 5.15.90.1-microsoft-standard-WSL2 (oe-user@oe-host) #1 SMP\n",
	  [EV_WSL_INTEROP] = "enabled\ninterpreter /init\n", [EV_SELF_ENVIRON] = "WSL_DISTRO_NAME=Debian\n",
	  [EV_KMSG] = "Hypervisor detected: Microsoft Hyper-V\n"}},
	{"Docker in WSL 2", "docker", NULL, "vm",
	 {[EV_VERSION] = "Linux version 5.15.90.1-microsoft-standard-WSL2\n", [EV_DOCKERENV] = "",
	  [EV_MOUNTINFO] = "1 0 8:1 /docker/containers/" ID64 "/hostname /etc/hostname rw - ext4 /dev/sdc rw\n",
	  [EV_CPUINFO_FLAGS] = "flags : fpu hypervisor lahf_lm\n"}},
	{"LXD", "lxd", NULL, NULL,
	 {[EV_SELF_ENVIRON] = "container=lxc\n", [EV_LXD_SOCK] = "",
	  [EV_MOUNTINFO] = "1 0 0:40 / /proc/cpuinfo rw - fuse.lxcfs lxcfs rw\n"}},
	{"gVisor under Docker", "gvisor", "docker", NULL,
	 {[EV_DOCKERENV] = "", [EV_VERSION] = "Linux version 4.4.0 #1 SMP Sun Jan 10 15:06:54 PST 2016\n",
	  [EV_MOUNTINFO] = "8 8 0:8 / / rw  - 9p none rw,trans=fd,rfdno=4,wfdno=4\n"}},
	{"a QEMU VM, no container", "none", NULL, "qemu",
	 {[EV_DMI_VENDOR] = "QEMU\n", [EV_MOUNTINFO] = "1 0 252:1 / / rw - ext4 /dev/vda1 rw\n"}},
	{"an unnamed runtime", "container", NULL, NULL, {[EV_PID1_ENVIRON] = "container=oci\n"}},
	{"only a stale /.dockerenv", "none", NULL, NULL, {[EV_DOCKERENV] = ""}},
	{"nothing at all", "none", NULL, NULL, {[EV_MOUNTINFO] = ""}},
};

static void test_synthetic(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(synthetics); i++) {
		const struct synthetic *x = &synthetics[i];
		struct evidence ev = {0};
		struct ctr_id id;
		for (int s = 0; s < EV__COUNT; s++)
			ev.text[s] = x->text[s] ? strdup(x->text[s]) : NULL;
		ctr_identify(&ev, &id);
		if (strcmp(id.runtime, x->runtime) || strcmp(id.engine ? id.engine : "-", x->engine ? x->engine : "-") ||
		    strcmp(id.vm ? id.vm : "-", x->vm ? x->vm : "-"))
			fail_msg("%s: got %s (engine %s, vm %s)", x->name, id.runtime, id.engine ? id.engine : "-",
				 id.vm ? id.vm : "-");
		evidence_free(&ev);
	}
}

/* The wire text round-trips; bad lines are skipped, not fatal. */
static void test_trials_text(void **state)
{
	struct trials t, u;
	struct sbuf s = {0}, s2 = {0};

	(void)state;
	load_trials("docker", &t);
	trials_format(&t, &s);
	assert_int_equal(trials_parse(s.s, &u), 0);
	trials_format(&u, &s2);
	assert_string_equal(s.s, s2.s);
	sb_free(&s), sb_free(&s2);

	assert_int_equal(trials_parse("garbage\nlandlock 7 - -\nnosuch 0 - -\nkeyctl -1 EPERM\n", &t), 0);
	assert_true(t.r[T_LANDLOCK].ran && t.r[T_LANDLOCK].ret == 7);
	assert_false(t.r[T_KEYCTL].ran); /* three fields: malformed */
	assert_int_equal(trial_outcome(T_KEYCTL, &t.r[T_KEYCTL]), TO_NOT_RUN);
	assert_int_equal(trials_parse("", &t), -EINVAL);
	assert_int_equal(trials_parse("proc_mount -1 EPERM mount\n", &t), 0);
	trial_describe(T_PROC_MOUNT, &t.r[T_PROC_MOUNT], &s);
	assert_string_equal(s.s, "fails at mount: EPERM");
	sb_free(&s);
}

/* Measured here, live: the answers come back, the child is reaped. */
static void test_trials_live(void **state)
{
	struct trials t;

	(void)state;
	assert_int_equal(trials_run(&t, 10), 0);
	for (int i = 0; i < T__COUNT; i++)
		if (!t.r[i].ran)
			fail_msg("%s: no answer", trial_info[i].name);
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

int main(void)
{
	struct CMUnitTest tests[ARRAY_SIZE(fixtures) + 4];
	size_t n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(fixtures); i++)
		tests[n++] = (struct CMUnitTest){fixtures[i].dir, test_fixture, NULL, NULL, (void *)&fixtures[i]};
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_save_round_trip);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_synthetic);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_trials_text);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_trials_live);
	return _cmocka_run_group_tests("container", tests, n, NULL, NULL);
}

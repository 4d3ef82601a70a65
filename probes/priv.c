/* priv: gaining privileges the box should not have: setuid and file
 * capabilities, capabilities kept or regained, user namespaces, ptrace of
 * non-descendants, setuid files planted for the host, the kernel's helpers
 * (core_pattern, binfmt_misc) and its privileged syscall surface.
 *
 * Several of these mean different things for a root box and for an
 * unprivileged one; the box's detail always names the uid it ran as. Kernel
 * surfaces that must never be changed on the host are probed with a
 * deliberately bad argument (a buffer at address 1, an invalid flag): the
 * kernel rejects it with EFAULT/EINVAL only after every permission check,
 * and before anything is changed, so that errno proves the request reached
 * the kernel while nothing happened. */
#include "common.h"
#include "registry.h"
#include "../lib/proc.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/kexec.h>
#include <linux/keyctl.h>
#include <linux/userfaultfd.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

/* An address no process has mapped (below mmap_min_addr): reading it faults. */
#define BAD_PTR ((uintptr_t)1)

/* ---------- planted helpers: setuid root, file capabilities ---------- */

/* run/priv/NAME: planted by the runner when it is root (plant_priv_helpers):
 * copies of build/cagetest-suid in a root-owned 0555 dir, where only
 * CAP_DAC_OVERRIDE can create the helper's proof-TOKEN. */
static int helper_path(const struct probe_env *env, char *p, const char *name)
{
	return fmt(p, PATH_MAX, "%s/priv/%s", env->run, name);
}

static int suid_arm(const struct probe_env *env, char *why, size_t n)
{
	char p[PATH_MAX];
	struct stat st;

	if (helper_path(env, p, "suid-helper") < 0 || stat(p, &st) < 0 || !(st.st_mode & S_ISUID) || st.st_uid != 0) {
		snprintf(why, n, "no setuid-root helper: the harness plants one only when it runs as root");
		return -EOPNOTSUPP;
	}
	return 0;
}

static int fcap_arm(const struct probe_env *env, char *why, size_t n)
{
	char p[PATH_MAX];
	struct stat st;

	if (helper_path(env, p, "fcap-helper") < 0 || stat(p, &st) < 0 || st.st_uid != 0 ||
	    getxattr(p, "security.capability", NULL, 0) <= 0) {
		snprintf(why, n, "no file-capability helper: the harness plants one only when it runs as root, on a "
				 "filesystem with security xattrs");
		return -EOPNOTSUPP;
	}
	return 0;
}

/* Empty every capability set this process holds: always permitted. */
static int clear_caps(void)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2] = {{0}};

	return syscall(SYS_capset, &h, d) < 0 ? neg_errno() : 0;
}

/* Run a planted helper as an unprivileged box would: a root box first drops
 * to drop_uid (root gains nothing from a setuid-root exec), then every
 * capability goes, so whatever privilege the helper has came from its exec. */
static int helper_attempt(const struct probe_env *env, const char *name, struct attempt *a)
{
	char helper[PATH_MAX], how[64] = "", ran[48];
	uid_t was = geteuid();
	int st, err = 0, pfd[2];
	pid_t pid;

	if (helper_path(env, helper, name) < 0)
		return -ENAMETOOLONG;
	if (was == 0) {
		gid_t g = (gid_t)env->drop_uid;
		uid_t u = (uid_t)env->drop_uid;
		if (setgroups(0, NULL) < 0 || setresgid(g, g, g) < 0 || setresuid(u, u, u) < 0)
			snprintf(how, sizeof(how), ", could not drop (%s)", errno_name(neg_errno()));
	}
	clear_caps();
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return fail_at(a, "pipe", neg_errno());
	pid = fork();
	if (pid == 0) {
		execl(helper, name, env->token, (char *)NULL);
		err = errno; /* the kernel may refuse the exec itself (EPERM: file caps beyond the bounding set) */
		write_all(pfd[1], &err, sizeof(err));
		_exit(127);
	}
	close(pfd[1]);
	if (pid < 0) {
		close(pfd[0]);
		return fail_at(a, "fork", neg_errno());
	}
	if (read(pfd[0], &err, sizeof(err)) != sizeof(err))
		err = 0;
	close(pfd[0]);
	waitpid(pid, &st, 0);
	if (err)
		snprintf(ran, sizeof(ran), "exec refused: %s", errno_name(err));
	else
		snprintf(ran, sizeof(ran), "exit %d", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	snprintf(a->detail, sizeof(a->detail), "box uid %u, helper run as uid %u without capabilities%s: %s",
		 (unsigned)was, (unsigned)geteuid(), how, ran);
	if (err)
		return -err;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -EPERM;
}

static int suid_attempt(const struct probe_env *env, struct attempt *a)
{
	return helper_attempt(env, "suid-helper", a);
}

static int fcap_attempt(const struct probe_env *env, struct attempt *a)
{
	return helper_attempt(env, "fcap-helper", a);
}

/* The helper's proof exists only if its exec granted CAP_DAC_OVERRIDE. */
static enum observed proof_verify(const struct host_view *hv, char *d, size_t n, const char *granted,
				  const char *none)
{
	char p[PATH_MAX], name[64];
	struct stat st;

	if (fmt(name, sizeof(name), "proof-%s", hv->env->token) < 0 || helper_path(hv->env, p, name) < 0)
		return OBS_UNKNOWN;
	if (stat(p, &st) == 0) {
		snprintf(d, n, "the helper created its proof (owner uid %u) in a dir only CAP_DAC_OVERRIDE can write: %s",
			 (unsigned)st.st_uid, granted);
		return OBS_ALLOWED;
	}
	snprintf(d, n, "no proof: %s", none);
	return OBS_BLOCKED;
}

static enum observed suid_verify(const struct host_view *hv, char *d, size_t n)
{
	return proof_verify(hv, d, n, "the setuid bit made it root",
			    "the setuid bit granted nothing (no_new_privs, nosuid, or the box's uid namespace)");
}

static enum observed fcap_verify(const struct host_view *hv, char *d, size_t n)
{
	return proof_verify(hv, d, n, "the file capability was granted",
			    "the file capability was not granted (no_new_privs, nosuid, or an empty bounding set)");
}

/* ---------- capability state, seen from outside ---------- */

static enum observed caps_verify(const struct host_view *hv, char *d, size_t n)
{
	if (!v_inspected(hv, d, n))
		return OBS_UNKNOWN;
	snprintf(d, n, "CapEff %016llx CapBnd %016llx (uid %u)", (unsigned long long)hv->inspect->cap_eff,
		 (unsigned long long)hv->inspect->cap_bnd, hv->inspect->uid);
	return hv->inspect->cap_eff ? OBS_ALLOWED : OBS_BLOCKED;
}

static enum observed nnp_verify(const struct host_view *hv, char *d, size_t n)
{
	if (!v_inspected(hv, d, n))
		return OBS_UNKNOWN;
	snprintf(d, n, "NoNewPrivs %d (uid %u)", hv->inspect->nnp, hv->inspect->uid);
	return hv->inspect->nnp ? OBS_BLOCKED : OBS_ALLOWED;
}

/* Capabilities the box could regain by exec: the bounding set caps what a
 * setuid-root or file-capability exec grants, no_new_privs forbids it. */
static enum observed bounding_verify(const struct host_view *hv, char *d, size_t n)
{
	const struct proc_snapshot *s = hv->inspect;

	if (!v_inspected(hv, d, n))
		return OBS_UNKNOWN;
	if (s->cap_bnd && !s->nnp) {
		snprintf(d, n, "CapBnd %016llx without no_new_privs: a setuid-root or file-capability exec regains these (uid %u)",
			 (unsigned long long)s->cap_bnd, s->uid);
		return OBS_ALLOWED;
	}
	snprintf(d, n, "%s: no exec can regain a capability (uid %u)",
		 s->nnp ? "no_new_privs is set" : "the bounding set is empty", s->uid);
	return OBS_BLOCKED;
}

static int userns_attempt(const struct probe_env *env, struct attempt *a)
{
	int r = unshare(CLONE_NEWUSER) < 0 ? neg_errno() : 0;

	fail_at(a, "unshare(CLONE_NEWUSER)", r);
	probe_hold(env);
	return r;
}
static enum observed userns_verify(const struct host_view *hv, char *d, size_t n)
{
	const struct proc_snapshot *s = hv->inspect;

	if (!v_inspected(hv, d, n))
		return OBS_UNKNOWN;
	if (s->ns[NS_USER] && s->ns[NS_USER] != s->ns_parent[NS_USER]) {
		snprintf(d, n, "the probe is in a user namespace of its own (full capabilities inside)");
		return OBS_ALLOWED;
	}
	snprintf(d, n, "the probe stayed in its parent's user namespace");
	return OBS_BLOCKED;
}

/* ---------- ptrace of a non-descendant (what Yama ptrace_scope 1 stops) ---------- */

static void seize_parent(void *arg, void *answer)
{
	int *rc = answer;

	*rc = ptrace(PTRACE_SEIZE, getppid(), 0, 0) < 0 ? neg_errno() : 0;
	probe_hold(arg);
}

static int ptrace_scope_attempt(const struct probe_env *env, struct attempt *a)
{
	/* a child traces this process: same uid, same box, not a descendant;
	 * SEIZE does not stop it and the trace ends when the child exits */
	struct proc_call c = {.fn = seize_parent, .arg = (void *)env, .size = sizeof(int)};
	int rc, r = proc_call(&c, &rc, NULL);

	return fail_at(a, "PTRACE_SEIZE parent", r == 0 ? rc : r == -ENODATA ? -ECHILD : r);
}
static enum observed ptrace_scope_verify(const struct host_view *hv, char *d, size_t n)
{
	const struct proc_snapshot *s = hv->inspect;

	if (!v_inspected(hv, d, n))
		return OBS_UNKNOWN;
	if (s->parent_tracer && s->parent_tracer == s->pid) {
		snprintf(d, n, "the probe traces its parent (TracerPid %d): any same-uid process is open to ptrace (uid %u)",
			 s->parent_tracer, s->uid);
		return OBS_ALLOWED;
	}
	snprintf(d, n, "the probe's parent is not traced (TracerPid %d)", s->parent_tracer);
	return OBS_BLOCKED;
}

/* ---------- setuid/setgid bits on a file the host may run ---------- */

static int plant_path(const struct probe_env *env, char *p)
{
	return ppath(env, p, "ws/setuid-%s", env->token);
}

static int plant_arm(const struct probe_env *env, char *why, size_t n)
{
	char rel[64];

	(void)why, (void)n;
	/* not an executable: even as setuid root it runs nothing */
	snprintf(rel, sizeof(rel), "ws/setuid-%s", env->token);
	return arm_canary(env, rel);
}
static int plant_attempt(const struct probe_env *env, struct attempt *a)
{
	char p[PATH_MAX], step[48];

	if (plant_path(env, p) < 0)
		return -ENAMETOOLONG;
	snprintf(step, sizeof(step), "chmod 06755 as uid %u", (unsigned)geteuid());
	int r = chmod(p, 06755) < 0 ? neg_errno() : 0;
	if (r == 0)
		snprintf(a->detail, sizeof(a->detail), "%s: ok", step);
	return fail_at(a, step, r);
}
static enum observed plant_verify(const struct host_view *hv, char *d, size_t n)
{
	char p[PATH_MAX];
	struct stat st;
	struct statvfs sv;

	if (plant_path(hv->env, p) < 0 || lstat(p, &st) < 0 || statvfs(p, &sv) < 0) {
		snprintf(d, n, "the planted file is gone");
		return OBS_UNKNOWN;
	}
	unsigned mode = st.st_mode & 07777;
	bool root_id = ((st.st_mode & S_ISUID) && st.st_uid == 0) || ((st.st_mode & S_ISGID) && st.st_gid == 0);
	if (!(st.st_mode & (S_ISUID | S_ISGID)))
		snprintf(d, n, "mode %04o: no set-id bit", mode);
	else if (sv.f_flag & ST_NOSUID)
		snprintf(d, n, "mode %04o, but on a nosuid mount: the bits cannot take effect", mode);
	else if (!root_id)
		snprintf(d, n, "mode %04o owned by %u:%u: set-id to the box's own ids, not root", mode,
			 (unsigned)st.st_uid, (unsigned)st.st_gid);
	else {
		snprintf(d, n, "mode %04o owned by %u:%u on a suid-capable mount: the host would run it as root", mode,
			 (unsigned)st.st_uid, (unsigned)st.st_gid);
		return OBS_ALLOWED;
	}
	return OBS_BLOCKED;
}

/* ---------- kernel helpers: observed, never changed ---------- */

/* The kernel copies a write's buffer after the open-time and write-time
 * permission checks and before any handler runs (sysctl since 5.8; before,
 * the handler's first get_user failed before storing a byte; binfmt_misc's
 * parser copies first too): a buffer at BAD_PTR gives EFAULT and changes
 * nothing. Raw syscall: glibc's write() is declared to read the buffer. */
static int bad_write(const char *path, size_t len, struct attempt *a)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return fail_at(a, "open for writing", neg_errno());
	if (syscall(SYS_write, fd, BAD_PTR, len) >= 0)
		return 0; /* the kernel took it: verify compares the host value */
	return fail_at(a, "write (bad buffer)", neg_errno());
}

#define CORE_PATTERN "/proc/sys/kernel/core_pattern"

static int core_arm(const struct probe_env *env, char *why, size_t n)
{
	_cleanup_free_ char *now = NULL;
	char p[PATH_MAX];

	if (read_file(CORE_PATTERN, 4096, &now, NULL) < 0) {
		snprintf(why, n, "no %s here", CORE_PATTERN);
		return -EOPNOTSUPP;
	}
	/* verify compares: the host's value must never change */
	if (ppath(env, p, "outside/core_pattern.before") < 0)
		return -ENAMETOOLONG;
	return write_str(p, now);
}
static int core_attempt(const struct probe_env *env, struct attempt *a)
{
	int r = bad_write(CORE_PATTERN, 1, a);

	snprintf(a->detail + strlen(a->detail), sizeof(a->detail) - strlen(a->detail), " (uid %u)",
		 (unsigned)geteuid());
	(void)env;
	return r;
}
static enum observed core_verify(const struct host_view *hv, char *d, size_t n)
{
	_cleanup_free_ char *before = NULL, *now = NULL;
	char p[PATH_MAX];

	if (ppath(hv->env, p, "outside/core_pattern.before") == 0 && read_file(p, 4096, &before, NULL) == 0 &&
	    read_file(CORE_PATTERN, 4096, &now, NULL) == 0 && strcmp(before, now)) {
		snprintf(d, n, "core_pattern CHANGED on the host: now %.80s", now);
		return OBS_ALLOWED;
	}
	if (!hv->att) {
		snprintf(d, n, "no record from the probe; core_pattern unchanged");
		return OBS_UNKNOWN;
	}
	if (hv->att->rc == -EFAULT || hv->att->rc == 0) {
		snprintf(d, n, "a write reached the kernel's core_pattern handler (EFAULT on the bad buffer): a real one "
			       "makes the kernel run the box's program as root on the next crash; host value unchanged");
		return OBS_ALLOWED;
	}
	snprintf(d, n, "no write reached core_pattern (%s); host value unchanged", errno_name(hv->att->rc));
	return OBS_BLOCKED;
}

#define BINFMT_REGISTER "/proc/sys/fs/binfmt_misc/register"

static int binfmt_arm(const struct probe_env *env, char *why, size_t n)
{
	_cleanup_free_ char *fs = NULL;
	char p[PATH_MAX];

	if (access(BINFMT_REGISTER, F_OK) < 0 &&
	    (read_file("/proc/filesystems", 65536, &fs, NULL) < 0 || !strstr(fs, "\tbinfmt_misc\n"))) {
		snprintf(why, n, "no binfmt_misc in this kernel");
		return -EOPNOTSUPP;
	}
	/* where the probe mounts it when the host has it unmounted */
	if (ppath(env, p, "outside/binfmt") < 0)
		return -ENAMETOOLONG;
	return mkdir(p, 0755) < 0 && errno != EEXIST ? neg_errno() : 0;
}
/* Unmounted on the host: mount it at mnt in a mount namespace of our own,
 * which vanishes with this process (never propagated back), and write its
 * register. Only in that namespace, with private mounts (else stop: a mount
 * here could reach the host); the register write is tried whatever the
 * mount said (no register, no write). */
static int binfmt_private(const char *mnt, const char *reg, struct attempt *a)
{
	int r = own_mount_ns(CLONE_NEWNS, "unshare(CLONE_NEWNS)", a);

	if (r < 0 || (r = private_mounts(a)) < 0)
		return r;
	if (mount("binfmt_misc", mnt, "binfmt_misc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		fail_at(a, "mount binfmt_misc", neg_errno());
	r = bad_write(reg, 64, a);
	snprintf(a->detail + strlen(a->detail), sizeof(a->detail) - strlen(a->detail), " via a private mount");
	return r;
}

static int binfmt_attempt(const struct probe_env *env, struct attempt *a)
{
	char mnt[PATH_MAX], reg[PATH_MAX];
	int r;

	if (access(BINFMT_REGISTER, F_OK) == 0) {
		r = bad_write(BINFMT_REGISTER, 64, a);
		snprintf(a->detail + strlen(a->detail), sizeof(a->detail) - strlen(a->detail), " via %s", BINFMT_REGISTER);
	} else if (ppath(env, mnt, "outside/binfmt") < 0 || fmt(reg, sizeof(reg), "%s/register", mnt) < 0) {
		r = -ENAMETOOLONG;
	} else {
		r = binfmt_private(mnt, reg, a);
	}
	snprintf(a->detail + strlen(a->detail), sizeof(a->detail) - strlen(a->detail), " (uid %u)", (unsigned)geteuid());
	/* the host checks which user namespace's instance that was */
	probe_hold(env);
	return r;
}
static enum observed binfmt_verify(const struct host_view *hv, char *d, size_t n)
{
	const struct proc_snapshot *s = hv->inspect;

	if (!hv->att) {
		snprintf(d, n, "no record from the probe");
		return OBS_UNKNOWN;
	}
	if (hv->att->rc != -EFAULT && hv->att->rc != 0) {
		snprintf(d, n, "no write reached a binfmt_misc register (%s)", errno_name(hv->att->rc));
		return OBS_BLOCKED;
	}
	if (!v_inspected(hv, d, n))
		return OBS_UNKNOWN;
	/* since 6.7 a user namespace mounts an instance of its own: harmless */
	if (s->ns[NS_USER] != s->ns_host[NS_USER]) {
		snprintf(d, n, "the write reached only the binfmt_misc instance of the box's own user namespace");
		return OBS_BLOCKED;
	}
	snprintf(d, n, "a write reached the host's binfmt_misc register (EFAULT on the bad buffer): a real one "
		       "registers an interpreter the host runs for matching files; nothing was registered");
	return OBS_ALLOWED;
}

/* ---------- the kernel's syscall surface, swept with bad arguments ---------- */

struct kcall {
	const char *name;
	long (*call)(void);
};

/* Each call fails on its argument after the kernel's own privilege check
 * (if any) and creates nothing. */
static long k_bpf(void)
{
	return syscall(SYS_bpf, 0 /* BPF_MAP_CREATE */, BAD_PTR, 8);
}
static long k_perf(void)
{
	return syscall(SYS_perf_event_open, BAD_PTR, 0, -1, -1, 0);
}
static long k_uffd(void)
{
	return syscall(SYS_userfaultfd, UFFD_USER_MODE_ONLY | 0x40000000);
}
static long k_keyctl(void)
{
	return syscall(SYS_keyctl, 9999, 0, 0, 0, 0);
}
static long k_add_key(void)
{
	return syscall(SYS_add_key, BAD_PTR, BAD_PTR, NULL, 0, 0);
}
static long k_request_key(void)
{
	return syscall(SYS_request_key, BAD_PTR, BAD_PTR, NULL, 0);
}
static long k_kexec(void)
{
	return syscall(SYS_kexec_load, 0, KEXEC_SEGMENT_MAX + 1, NULL, 0);
}
static long k_kexec_file(void)
{
	return syscall(SYS_kexec_file_load, -1, -1, 0, NULL, 0x80000000UL);
}
static long k_init_module(void)
{
	return syscall(SYS_init_module, NULL, 0, "");
}
static long k_finit_module(void)
{
	return syscall(SYS_finit_module, -1, "", 0);
}

static const struct kcall surface_calls[] = {
	{"bpf", k_bpf},		{"perf_event_open", k_perf}, {"userfaultfd", k_uffd},
	{"keyctl", k_keyctl},	{"add_key", k_add_key},	     {"request_key", k_request_key},
};
static const struct kcall load_calls[] = {
	{"kexec_load", k_kexec},
	{"kexec_file_load", k_kexec_file},
	{"init_module", k_init_module},
	{"finit_module", k_finit_module},
};

/* detail: "uid N: name=ERRNO name=ERRNO ..." ("ok" if a call succeeded). */
static int sweep(const struct kcall *c, size_t nc, struct attempt *a)
{
	size_t k = (size_t)snprintf(a->detail, sizeof(a->detail), "uid %u:", (unsigned)geteuid());

	for (size_t i = 0; i < nc && k < sizeof(a->detail); i++) {
		long r = c[i].call();
		k += (size_t)snprintf(a->detail + k, sizeof(a->detail) - k, " %s=%s", c[i].name,
				      r < 0 ? errno_name(neg_errno()) : "ok");
	}
	return 0;
}

static int surface_attempt(const struct probe_env *env, struct attempt *a)
{
	(void)env;
	return sweep(surface_calls, ARRAY_SIZE(surface_calls), a);
}

static int load_attempt(const struct probe_env *env, struct attempt *a)
{
	(void)env;
	return sweep(load_calls, ARRAY_SIZE(load_calls), a);
}

/* EPERM/EACCES (a filter, an LSM, or the kernel's capability check) and
 * ENOSYS (a filter, or not built in) mean the call stopped before the
 * kernel looked at its arguments; any other answer means it was reached. */
static bool reached(const char *err)
{
	int e = errno_from_name(err);

	return !strcmp(err, "ok") || (e && e != EPERM && e != EACCES && e != ENOSYS);
}

static enum observed surface_verify(const struct host_view *hv, char *d, size_t n)
{
	char list[sizeof(hv->att->detail)], hits[sizeof(list)] = "", *save = NULL;

	if (!hv->att) {
		snprintf(d, n, "no record from the probe");
		return OBS_UNKNOWN;
	}
	snprintf(list, sizeof(list), "%s", hv->att->detail);
	for (char *t = strtok_r(list, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(t, '=');
		if (!eq || !reached(eq + 1))
			continue;
		*eq = 0;
		size_t k = strlen(hits);
		snprintf(hits + k, sizeof(hits) - k, "%s%s", k ? "," : "", t);
	}
	if (hits[0]) {
		snprintf(d, n, "reached past the kernel's checks: %s", hits);
		return OBS_ALLOWED;
	}
	snprintf(d, n, "every call stopped before the kernel read its arguments");
	return OBS_BLOCKED;
}

/* ---------- a child's KEYCTL_SESSION_TO_PARENT ---------- */

/* The child asks the kernel to give its parent the child's (new) session
 * keyring: the parent's credentials are replaced at its next return to user
 * space. A Landlock without the cred_transfer hook (fixed in 6.11, 6.10.3,
 * 6.6.44, 6.1.103: CVE-2024-42318) left the parent's new credentials with no
 * domain: unconfined from then on. The parent then writes outside. */
static int cred_arm(const struct probe_env *env, char *why, size_t n)
{
	char rel[64];

	(void)why, (void)n;
	snprintf(rel, sizeof(rel), "outside/%s-cred.txt", env->token);
	return arm_canary(env, rel);
}
/* proc_call, in the child: a session keyring of its own, then handed to
 * the parent; which step failed (0, 1) and its errno come back. */
static void session_to_parent(void *arg, void *answer)
{
	int *r = answer;

	(void)arg;
	r[0] = 0, r[1] = syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0 ? neg_errno() : 0;
	if (!r[1])
		r[0] = 1, r[1] = syscall(SYS_keyctl, KEYCTL_SESSION_TO_PARENT) < 0 ? neg_errno() : 0;
}
static int cred_attempt(const struct probe_env *env, struct attempt *a)
{
	static const char *const steps[] = {"child: keyctl JOIN_SESSION_KEYRING", "child: keyctl SESSION_TO_PARENT"};
	struct proc_call c = {.fn = session_to_parent, .size = 2 * sizeof(int)};
	char p[PATH_MAX];
	int said[2], r;

	PPATH(p, "outside/%s-cred.txt", env->token);
	if ((r = proc_call(&c, said, NULL)) < 0)
		fail_at(a, "child", r);
	else if (fail_at(a, steps[said[0] & 1], said[1]) == 0)
		detail_add(a, "keyctl SESSION_TO_PARENT: ok");
	/* the child is reaped: the swap has happened, if it was going to:
	 * press on with the write that only a lost domain lets through */
	return fail_at(a, "write outside", put_token(env, p, O_WRONLY | O_APPEND));
}
static enum observed cred_verify(const struct host_view *hv, char *d, size_t n)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "outside/%s-cred.txt", hv->env->token);
	return v_canary_changed(hv, rel, d, n);
}

const struct probe priv_probes[] = {
	{
		.id = "priv.session_to_parent",
		.effect = EFFECT_WRITE_OUTSIDE,
		.summary = "a child joins a new session keyring and hands it to its parent (KEYCTL_SESSION_TO_PARENT); the parent then appends to an outside file",
		.evidence = "the outside canary changed",
		.blocked_by = "Landlock with cred_transfer (Linux >= 6.11, 6.10.3, 6.6.44, 6.1.103), seccomp denying keyctl, bind mounts",
		.hint = "on a kernel without the fix of CVE-2024-42318 a Landlock-only sandbox loses its domain this way: "
			"update the kernel or deny keyctl",
		.arm = cred_arm,
		.attempt = cred_attempt,
		.verify = cred_verify,
	},
	{
		.id = "priv.setuid_exec",
		.effect = EFFECT_PRIV_GAIN,
		.needs = NEED_ROOT,
		.summary = "drop to an unprivileged uid and no capabilities, exec a setuid-root helper",
		.evidence = "the helper's proof file exists in a root-owned 0555 dir only CAP_DAC_OVERRIDE can write",
		.blocked_by = "no_new_privs (Landlock/seccomp backends, bwrap), nosuid mounts",
		.hint = "set no_new_privs or mount nosuid",
		.arm = suid_arm,
		.attempt = suid_attempt,
		.verify = suid_verify,
	},
	{
		.id = "priv.file_caps",
		.effect = EFFECT_PRIV_GAIN,
		.needs = NEED_ROOT,
		.summary = "drop to an unprivileged uid, exec a helper carrying the file capability cap_dac_override+ep",
		.evidence = "the helper's proof file exists in a root-owned 0555 dir only CAP_DAC_OVERRIDE can write",
		.blocked_by = "no_new_privs, nosuid mounts, an empty capability bounding set",
		.hint = "set no_new_privs (file capabilities are ignored under it) or drop the bounding set",
		.arm = fcap_arm,
		.attempt = fcap_attempt,
		.verify = fcap_verify,
	},
	{
		.id = "priv.capabilities",
		.effect = EFFECT_PRIV_GAIN,
		.needs = NEED_INSPECT,
		.summary = "keep effective capabilities inside the box",
		.evidence = "the host reads CapEff from /proc/PID/status of the live probe (root boxes hold all)",
		.blocked_by = "bwrap --cap-drop ALL, unprivileged users",
		.hint = "drop every capability (and the bounding set) before running agent commands",
		.attempt = attempt_hold,
		.verify = caps_verify,
	},
	{
		.id = "priv.cap_bounding",
		.effect = EFFECT_PRIV_GAIN,
		.needs = NEED_INSPECT,
		.summary = "keep a capability bounding set an exec could regain (no no_new_privs)",
		.evidence = "the host reads CapBnd and NoNewPrivs from /proc/PID/status of the live probe",
		.blocked_by = "no_new_privs, PR_CAPBSET_DROP of every capability (Landlock backend)",
		.hint = "set no_new_privs, or drop the bounding set, before exec",
		.attempt = attempt_hold,
		.verify = bounding_verify,
	},
	{
		.id = "priv.no_new_privs",
		.effect = EFFECT_PRIV_GAIN,
		.needs = NEED_INSPECT,
		.summary = "run without no_new_privs (setuid and file capabilities would work)",
		.evidence = "the host reads NoNewPrivs from /proc/PID/status of the live probe",
		.blocked_by = "Landlock and seccomp backends, bwrap, codex, srt",
		.hint = "set PR_SET_NO_NEW_PRIVS before exec",
		.attempt = attempt_hold,
		.verify = nnp_verify,
	},
	{
		.id = "priv.userns_create",
		.effect = EFFECT_PRIV_GAIN,
		.needs = NEED_INSPECT,
		.summary = "unshare(CLONE_NEWUSER): become root of a new user namespace",
		.evidence = "the host compares /proc/PID/ns/user of the probe and its parent",
		.blocked_by = "seccomp (unshare flags), bwrap --disable-userns, sysctl user.max_user_namespaces=0",
		.hint = "forbid new user namespaces: they reopen a large kernel surface",
		.attempt = userns_attempt,
		.verify = userns_verify,
	},
	{
		.id = "priv.ptrace_scope",
		.effect = EFFECT_PRIV_GAIN,
		.needs = NEED_INSPECT,
		.summary = "PTRACE_SEIZE a non-descendant process of the same uid (the probe's parent)",
		.evidence = "the host reads TracerPid of the live probe's parent from /proc",
		.blocked_by = "seccomp (ptrace), Yama ptrace_scope >= 1",
		.hint = "deny ptrace in the box, or set kernel.yama.ptrace_scope=1",
		.attempt = ptrace_scope_attempt,
		.verify = ptrace_scope_verify,
	},
	{
		.id = "priv.setuid_plant",
		.effect = EFFECT_PRIV_GAIN,
		.summary = "chmod 06755 a workspace file: a set-id root file the host may later run",
		.evidence = "the host stats the file: set-id bits, owner root, mount not nosuid",
		.blocked_by = "nosuid workspace mounts, unprivileged box users; not Landlock (chmod is not restricted)",
		.hint = "mount the workspace nosuid, and do not run the box as root",
		.arm = plant_arm,
		.attempt = plant_attempt,
		.verify = plant_verify,
	},
	{
		.id = "priv.core_pattern",
		.effect = EFFECT_PRIV_GAIN,
		.needs = NEED_ROOT,
		.summary = "write /proc/sys/kernel/core_pattern (a program the kernel runs as root), with a bad buffer",
		.evidence = "host value compared before/after; the effect is never made, so the kernel's EFAULT to the "
			    "bad buffer (after every permission check) shows the write reached it" BOX_REPORT,
		.blocked_by = "Landlock (write on /proc), read-only /proc/sys (bwrap, containers), unprivileged users",
		.hint = "mount /proc/sys read-only and never run the box as real root",
		.arm = core_arm,
		.attempt = core_attempt,
		.verify = core_verify,
	},
	{
		.id = "priv.binfmt_misc",
		.effect = EFFECT_PRIV_GAIN,
		.needs = NEED_ROOT | NEED_INSPECT,
		.summary = "write the host's binfmt_misc register (mounting it privately if needed), with a bad buffer",
		.evidence = "nothing is registered: the kernel's EFAULT to the bad buffer shows the write reached the "
			    "parser; the host checks the probe shares its user namespace (else a private instance)" BOX_REPORT,
		.blocked_by = "seccomp (mount, unshare), Landlock (write), dropped capabilities, user namespaces",
		.hint = "deny mount and keep CAP_SYS_ADMIN out of the box",
		.arm = binfmt_arm,
		.attempt = binfmt_attempt,
		.verify = binfmt_verify,
	},
	{
		.id = "priv.kernel_surface",
		.effect = EFFECT_PRIV_GAIN,
		.summary = "reach bpf, perf_event_open, userfaultfd and the keyring syscalls (bad arguments)",
		.evidence = "judged from the kernel's answers to deliberately invalid calls (EFAULT/EINVAL: reached, "
			    "EPERM/ENOSYS: stopped); nothing is created" BOX_REPORT,
		.blocked_by = "seccomp deny lists (Landlock backend, Docker, Codex)",
		.hint = "filter these syscalls: they are a large attack surface for a same-uid box",
		.attempt = surface_attempt,
		.verify = surface_verify,
	},
	{
		.id = "priv.kernel_load",
		.effect = EFFECT_PRIV_GAIN,
		.summary = "reach kexec_load, kexec_file_load, init_module, finit_module past their capability checks",
		.evidence = "judged from the kernel's answers to deliberately invalid calls (EINVAL/EBADF/ENOEXEC: "
			    "reached, EPERM: no capability or filtered, ENOSYS: absent or filtered); nothing is loaded" BOX_REPORT,
		.blocked_by = "seccomp, dropped capabilities, unprivileged users, kernels without modules or kexec",
		.hint = "drop CAP_SYS_MODULE and CAP_SYS_BOOT and filter these syscalls",
		.attempt = load_attempt,
		.verify = surface_verify,
	},
};
PROBE_TABLE_END(priv);

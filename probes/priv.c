/* priv: gaining privileges the box should not have (setuid, capabilities,
 * user namespaces, no_new_privs). */
#include "common.h"
#include "registry.h"

#include <grp.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* run/suid-helper: a copy of build/cagetest-suid, root-owned and 04755, that
 * the runner plants when it is root. Run with euid 0 it creates
 * run/proof-TOKEN next to itself and nothing else. */
static int suid_arm(const struct probe_env *env, char *why, size_t n)
{
	char p[PATH_MAX];
	struct stat st;

	if (fmt(p, sizeof(p), "%s/suid-helper", env->run) < 0)
		return -ENAMETOOLONG;
	if (stat(p, &st) < 0 || !(st.st_mode & S_ISUID) || st.st_uid != 0) {
		snprintf(why, n, "no setuid-root helper: the harness plants one only when it runs as root");
		return -EOPNOTSUPP;
	}
	return 0;
}
static int suid_attempt(const struct probe_env *env, struct attempt *a)
{
	char helper[PATH_MAX];
	pid_t pid;
	int st;

	if (fmt(helper, sizeof(helper), "%s/suid-helper", env->run) < 0)
		return -ENAMETOOLONG;
	pid = fork();
	if (pid == 0) {
		/* a root probe proves nothing by staying root: drop first */
		if (geteuid() == 0) {
			gid_t g = (gid_t)env->drop_uid;
			if (setgroups(0, NULL) < 0 || setresgid(g, g, g) < 0 ||
			    setresuid((uid_t)env->drop_uid, (uid_t)env->drop_uid, (uid_t)env->drop_uid) < 0)
				_exit(126);
		}
		execl(helper, "suid-helper", env->token, (char *)NULL);
		_exit(127);
	}
	if (pid < 0)
		return fail_at(a, "fork", neg_errno());
	waitpid(pid, &st, 0);
	snprintf(a->detail, sizeof(a->detail), "helper exit status %d", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -EPERM;
}
static enum observed suid_verify(const struct host_view *hv, char *d, size_t n)
{
	char p[PATH_MAX];
	struct stat st;

	if (fmt(p, sizeof(p), "%s/proof-%s", hv->env->run, hv->env->token) < 0)
		return OBS_UNKNOWN;
	if (stat(p, &st) == 0 && st.st_uid == 0) {
		snprintf(d, n, "the helper ran with euid 0 and left its proof");
		return OBS_ALLOWED;
	}
	snprintf(d, n, "no proof: the setuid bit did not take effect");
	return OBS_BLOCKED;
}

static int hold_attempt(const struct probe_env *env, struct attempt *a)
{
	(void)a;
	return probe_hold(env);
}

static enum observed need_snapshot(const struct host_view *hv, char *d, size_t n)
{
	if (hv->inspect && hv->inspect->found)
		return OBS_ALLOWED;
	snprintf(d, n, "the host could not inspect the probe process");
	return OBS_UNKNOWN;
}

static enum observed caps_verify(const struct host_view *hv, char *d, size_t n)
{
	if (need_snapshot(hv, d, n) == OBS_UNKNOWN)
		return OBS_UNKNOWN;
	snprintf(d, n, "CapEff %016llx CapBnd %016llx", (unsigned long long)hv->inspect->cap_eff,
		 (unsigned long long)hv->inspect->cap_bnd);
	return hv->inspect->cap_eff ? OBS_ALLOWED : OBS_BLOCKED;
}

static enum observed nnp_verify(const struct host_view *hv, char *d, size_t n)
{
	if (need_snapshot(hv, d, n) == OBS_UNKNOWN)
		return OBS_UNKNOWN;
	snprintf(d, n, "NoNewPrivs %d", hv->inspect->nnp);
	return hv->inspect->nnp ? OBS_BLOCKED : OBS_ALLOWED;
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

	if (need_snapshot(hv, d, n) == OBS_UNKNOWN)
		return OBS_UNKNOWN;
	if (s->ns[NS_USER] && s->ns[NS_USER] != s->ns_parent[NS_USER]) {
		snprintf(d, n, "the probe is in a user namespace of its own (full capabilities inside)");
		return OBS_ALLOWED;
	}
	snprintf(d, n, "the probe stayed in its parent's user namespace");
	return OBS_BLOCKED;
}

const struct probe priv_probes[] = {
	{
		.id = "priv.setuid_exec",
		.effect = EFFECT_PRIV_GAIN,
		.needs = NEED_ROOT,
		.summary = "drop to an unprivileged uid, exec a setuid-root helper",
		.evidence = "the helper's root-owned proof file exists on the host",
		.blocked_by = "no_new_privs (Landlock/seccomp backends, bwrap), nosuid mounts",
		.hint = "set no_new_privs or mount nosuid",
		.arm = suid_arm,
		.attempt = suid_attempt,
		.verify = suid_verify,
	},
	{
		.id = "priv.capabilities",
		.effect = EFFECT_PRIV_GAIN,
		.needs = NEED_INSPECT,
		.summary = "keep effective capabilities inside the box",
		.evidence = "the host reads CapEff from /proc/PID/status of the live probe",
		.blocked_by = "bwrap --cap-drop ALL, unprivileged users",
		.hint = "drop every capability (and the bounding set) before running agent commands",
		.attempt = hold_attempt,
		.verify = caps_verify,
	},
	{
		.id = "priv.no_new_privs",
		.effect = EFFECT_PRIV_GAIN,
		.needs = NEED_INSPECT,
		.summary = "run without no_new_privs (setuid and file capabilities would work)",
		.evidence = "the host reads NoNewPrivs from /proc/PID/status of the live probe",
		.blocked_by = "Landlock and seccomp backends, bwrap, codex, srt",
		.hint = "set PR_SET_NO_NEW_PRIVS before exec",
		.attempt = hold_attempt,
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
};
PROBE_TABLE_END(priv);

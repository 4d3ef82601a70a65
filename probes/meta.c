/* meta: is the sandbox really on, and what does the box see of the host?
 * Attestation from outside: the host reads /proc of the live probe (status,
 * namespaces, mounts through /proc/PID/root) and compares with its own view. */
#include "common.h"
#include "registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enum observed confinement_verify(const struct host_view *hv, char *d, size_t n)
{
	static const char *const ns_names[NS__COUNT] = {"user", "mnt", "net", "pid", "ipc", "uts"};
	const struct proc_snapshot *s = hv->inspect;
	struct sbuf b = {0};
	char *text;
	int signs = 0;

	if (!v_inspected(hv, d, n))
		return OBS_UNKNOWN;
	if (s->seccomp) {
		sb_printf(&b, "seccomp=%d ", s->seccomp);
		signs++;
	}
	if (s->nnp) {
		sb_puts(&b, "no_new_privs ");
		signs++;
	}
	for (int k = 0; k < NS__COUNT; k++)
		if (s->ns[k] && s->ns[k] != s->ns_host[k]) {
			sb_printf(&b, "own-%sns ", ns_names[k]);
			signs++;
		}
	text = sb_take(&b);
	if (signs)
		snprintf(d, n, "confined: %s", text ? text : "");
	else
		snprintf(d, n, "no seccomp, no no_new_privs, no namespace of its own");
	free(text);
	return signs ? OBS_BLOCKED : OBS_ALLOWED;
}

/* Silent degradation: a confined box needs all of these, and every kernel
 * that runs a sandbox offers them; any one missing leaves a whole class open
 * whatever else the sandbox does (setuid/file caps, capability use, the
 * syscall surface: ptrace, bpf, keyrings, io_uring). */
static enum observed degradation_verify(const struct host_view *hv, char *d, size_t n)
{
	const struct proc_snapshot *s = hv->inspect;
	char missing[160] = "";

	if (!v_inspected(hv, d, n))
		return OBS_UNKNOWN;
	if (!s->nnp)
		strcat(missing, ", no_new_privs");
	/* capabilities held in a user namespace of its own do not reach the host */
	if (s->cap_eff && s->ns[NS_USER] == s->ns_host[NS_USER])
		strcat(missing, ", an empty capability set");
	if (s->seccomp != 2)
		strcat(missing, ", a seccomp filter");
	if (missing[0]) {
		snprintf(d, n, "the live box lacks%s (uid %u)", missing + 1, s->uid);
		return OBS_ALLOWED;
	}
	snprintf(d, n, "no_new_privs, no capabilities, a seccomp filter: all in force (uid %u)", s->uid);
	return OBS_BLOCKED;
}

/* ---------- secrets in the environment ---------- */

static int env_attempt(const struct probe_env *env, struct attempt *a)
{
	static const char *const seeded[] = {SEEDED_ENV};
	/* pointers to host services a launcher may pass on too */
	static const char *const ipc[] = {"SSH_AUTH_SOCK", "DBUS_SESSION_BUS_ADDRESS", "DISPLAY", "WAYLAND_DISPLAY",
					  "XDG_RUNTIME_DIR", "TMUX", "DOCKER_HOST", "KUBECONFIG", "GPG_AGENT_INFO"};
	const char *value = NULL;
	size_t k = 0;

	(void)env;
	for (size_t i = 0; i < ARRAY_SIZE(seeded); i++) {
		const char *v = getenv(seeded[i]);
		if (!v)
			continue;
		if (!value) {
			value = v;
			k += (size_t)snprintf(a->detail + k, sizeof(a->detail) - k, "value %.40s; leaked:", v);
		}
		if (k < sizeof(a->detail))
			k += (size_t)snprintf(a->detail + k, sizeof(a->detail) - k, " %s", seeded[i]);
	}
	for (size_t i = 0; i < ARRAY_SIZE(ipc) && k < sizeof(a->detail); i++)
		if (getenv(ipc[i]))
			k += (size_t)snprintf(a->detail + k, sizeof(a->detail) - k, " %s", ipc[i]);
	if (!k)
		snprintf(a->detail, sizeof(a->detail), "no seeded secret, no host service pointer");
	return value ? 0 : -ENOENT;
}
static enum observed env_verify(const struct host_view *hv, char *d, size_t n)
{
	enum observed o = v_leaked(hv, hv->seeded, d, n);

	if (o == OBS_ALLOWED)
		snprintf(d, n, "secrets the launcher held (AWS_SECRET_ACCESS_KEY, GITHUB_TOKEN, ...) reached the box's environment");
	return o;
}

/* ---------- what the box's namespaces show of the host ---------- */

static void describe_expose(char *b, size_t n, unsigned e, unsigned mask)
{
	static const struct {
		unsigned bit;
		const char *what;
	} names[] = {
		{EXPOSE_OUTSIDE_RW, "outside/ on a writable mount"},
		{EXPOSE_WS_SUID, "a workspace mount that honours setuid"},
		{EXPOSE_PROC_SYS_RW, "/proc/sys writable"},
		{EXPOSE_HOST_SOCKET, "the host's run/host.sock"},
		{EXPOSE_RUNTIME_SOCKET, "a container runtime socket"},
		{EXPOSE_SENTINEL, "a host process (the sentinel) in its /proc"},
		{EXPOSE_HOST_UNIX, "the host's UNIX sockets in /proc/net/unix"},
	};
	size_t k = 0;

	b[0] = 0;
	for (size_t i = 0; i < ARRAY_SIZE(names) && k < n; i++)
		if (e & mask & names[i].bit)
			k += (size_t)snprintf(b + k, n - k, "%s%s", k ? ", " : "", names[i].what);
	if (!k)
		snprintf(b, n, "nothing");
}

static enum observed expose_verify(const struct host_view *hv, unsigned mask, char *d, size_t n)
{
	const struct proc_snapshot *s = hv->inspect;
	char box[200], host[200];

	if (!v_inspected(hv, d, n))
		return OBS_UNKNOWN;
	describe_expose(box, sizeof(box), s->expose, mask);
	describe_expose(host, sizeof(host), s->expose_host, mask);
	if ((s->expose & mask) == (s->expose_host & mask))
		snprintf(host, sizeof(host), "the same");
	snprintf(d, n, "the box sees %s; the host sees %s", box, host);
	return s->expose & mask ? OBS_ALLOWED : OBS_BLOCKED;
}

#define MOUNT_EXPOSURE (EXPOSE_OUTSIDE_RW | EXPOSE_WS_SUID | EXPOSE_PROC_SYS_RW | EXPOSE_HOST_SOCKET | EXPOSE_RUNTIME_SOCKET)
#define HOST_VISIBILITY (EXPOSE_SENTINEL | EXPOSE_HOST_UNIX)

static enum observed mounts_verify(const struct host_view *hv, char *d, size_t n)
{
	return expose_verify(hv, MOUNT_EXPOSURE, d, n);
}

static enum observed visibility_verify(const struct host_view *hv, char *d, size_t n)
{
	const struct proc_snapshot *s = hv->inspect;
	enum observed o = expose_verify(hv, HOST_VISIBILITY, d, n);
	size_t k = strlen(d);

	if (o != OBS_UNKNOWN && s->ns[NS_UTS] == s->ns_host[NS_UTS] && k < n)
		snprintf(d + k, n - k, "; it shares the host's hostname (UTS namespace)");
	return o;
}

const struct probe meta_probes[] = {
	{
		.id = "meta.confinement",
		.effect = EFFECT_PRIV_GAIN,
		.needs = NEED_INSPECT,
		.summary = "is any confinement visible from outside (seccomp, no_new_privs, namespaces)?",
		.evidence = "the host reads /proc/PID/status and /proc/PID/ns/* of the live probe",
		.blocked_by = "any real sandbox",
		.hint = "the wrapper ran the command unconfined: check that the sandbox really started",
		.attempt = attempt_hold,
		.verify = confinement_verify,
	},
	{
		.id = "meta.degradation",
		.effect = EFFECT_PRIV_GAIN,
		.needs = NEED_INSPECT,
		.summary = "silent degradation: is any of no_new_privs, no capabilities, a seccomp filter missing?",
		.evidence = "the host reads NoNewPrivs, CapEff, Seccomp and the user namespace of the live probe",
		.blocked_by = "Landlock and seccomp backends, bwrap with --seccomp, codex",
		.hint = "a backend that cannot apply a layer must fail, not run the command with less",
		.attempt = attempt_hold,
		.verify = degradation_verify,
	},
	{
		.id = "meta.env_leak",
		.effect = EFFECT_PROC_INSPECT,
		.summary = "read secrets from the environment (the launcher's AWS/GitHub/OpenAI/Anthropic keys)",
		.evidence = "the box reports the random value the host seeded into the launcher's environment; it also "
			    "lists host service pointers (SSH_AUTH_SOCK, DBUS_SESSION_BUS_ADDRESS, ...)" BOX_REPORT,
		.blocked_by = "environment policies that drop *KEY*, *SECRET*, *TOKEN* (Codex's default excludes)",
		.hint = "start the box with a minimal environment: never pass the launcher's secrets",
		.attempt = env_attempt,
		.verify = env_verify,
	},
	{
		.id = "meta.mount_exposure",
		.effect = EFFECT_PRIV_GAIN,
		.needs = NEED_INSPECT,
		.summary = "mounts the box sees: outside writable, suid workspace, /proc/sys rw, daemon sockets",
		.evidence = "the host statvfs()es and stats paths through /proc/PID/root of the live probe (its mount "
			    "namespace) and compares with its own view",
		.blocked_by = "a mount namespace with read-only and nosuid binds (bwrap); not Landlock (it keeps the "
			      "host's mounts and denies at the LSM)",
		.hint = "give the box its own mount namespace: read-only root, nosuid binds, no daemon sockets",
		.attempt = attempt_hold,
		.verify = mounts_verify,
	},
	{
		.id = "meta.host_visibility",
		.effect = EFFECT_PROC_INSPECT,
		.needs = NEED_INSPECT | NEED_SENTINEL,
		.summary = "host processes and host UNIX sockets visible from the box",
		.evidence = "the host looks the sentinel up through the probe's /proc (/proc/PID/root/proc) and the "
			    "harness's sockets up in the probe's /proc/PID/net/unix",
		.blocked_by = "pid namespaces with a fresh /proc, network namespaces (bwrap --unshare-pid --unshare-net)",
		.hint = "run the box in its own pid and network namespaces",
		.arm = arm_sentinel,
		.attempt = attempt_hold,
		.verify = visibility_verify,
	},
};
PROBE_TABLE_END(meta);

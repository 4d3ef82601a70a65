/* meta: is the sandbox really on? Attestation seen from outside. */
#include "common.h"
#include "registry.h"

#include <stdio.h>
#include <string.h>

static int hold_attempt(const struct probe_env *env, struct attempt *a)
{
	(void)a;
	return probe_hold(env);
}

static enum observed confinement_verify(const struct host_view *hv, char *d, size_t n)
{
	static const char *const ns_names[NS__COUNT] = {"user", "mnt", "net", "pid", "ipc", "uts"};
	const struct proc_snapshot *s = hv->inspect;
	struct sbuf b = {0};
	char *text;
	int signs = 0;

	if (!s || !s->found) {
		snprintf(d, n, "the host could not inspect the probe process");
		return OBS_UNKNOWN;
	}
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

const struct probe meta_probes[] = {
	{
		.id = "meta.confinement",
		.effect = EFFECT_PRIV_GAIN,
		.needs = NEED_INSPECT,
		.summary = "is any confinement visible from outside (seccomp, no_new_privs, namespaces)?",
		.evidence = "the host reads /proc/PID/status and /proc/PID/ns/* of the live probe",
		.blocked_by = "any real sandbox",
		.hint = "the wrapper ran the command unconfined: check that the sandbox really started",
		.attempt = hold_attempt,
		.verify = confinement_verify,
	},
};
PROBE_TABLE_END(meta);

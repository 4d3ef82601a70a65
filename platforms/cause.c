/* The cause rules: for each backend, the first rule whose evidence is there
 * writes the cause and the change to make (README: Causes has the table).
 * Measured on Docker 20.10, Podman 4.3 (runc), gVisor and systemd-nspawn 252
 * (tests/data/containers/), which is also where the advice was tried. */
#include "cause.h"

#include <string.h>

#define CAP_NET_ADMIN_BIT 12

struct ctx {
	const struct cause_in *in;
	const struct fact *trial; /* the backend's own trial, if it ran one */
	const char *words;	  /* its first line of output, "" when none */
	char kernel[64];	  /* "6.18.44-..." or "" */
	bool root, filtered;
};

static bool is(const struct ctx *c, const char *runtime)
{
	return c->in->ctr && c->in->ctr->runtime && !strcmp(c->in->ctr->runtime, runtime);
}

/* The runtime's word for a person: "Docker", "systemd-nspawn", ... */
static const char *runtime_name(const struct ctx *c)
{
	static const struct {
		const char *word, *name;
	} names[] = {
		{"docker", "Docker"}, {"podman", "Podman"}, {"cri-o", "CRI-O"}, {"containerd", "containerd"},
		{"kubernetes", "Kubernetes"}, {"systemd-nspawn", "systemd-nspawn"}, {"lxc", "LXC"}, {"lxd", "LXD"},
		{"gvisor", "gVisor"}, {"wsl", "WSL"},
	};

	for (size_t i = 0; c->in->ctr && c->in->ctr->runtime && i < ARRAY_SIZE(names); i++)
		if (!strcmp(names[i].word, c->in->ctr->runtime))
			return names[i].name;
	return "the container";
}

static const struct trial_result *trial(const struct ctx *c, enum trial t)
{
	static const struct trial_result none;

	return c->in->trials ? &c->in->trials->r[t] : &none;
}

static bool denied(const struct ctx *c, enum trial t)
{
	return trial_outcome(t, trial(c, t)) == TO_DENIED;
}

static bool allowed(const struct ctx *c, enum trial t)
{
	return trial_outcome(t, trial(c, t)) == TO_ALLOWED;
}

static bool said(const struct ctx *c, const char *needle)
{
	return strstr(c->words, needle) != NULL;
}

/* How to let a runtime's seccomp profile allow calls, in its own syntax. */
static void seccomp_change(const struct ctx *c, const char *calls, struct sbuf *out)
{
	if (is(c, "docker"))
		sb_printf(out, "run the container with a seccomp profile that allows %s (docker run --security-opt "
			       "seccomp=PROFILE.json, or seccomp=unconfined)", calls);
	else if (is(c, "podman"))
		sb_printf(out, "run the container with a seccomp profile that allows %s (podman run --security-opt "
			       "seccomp=PROFILE.json)", calls);
	else if (is(c, "kubernetes") || is(c, "cri-o") || is(c, "containerd"))
		sb_printf(out, "give the pod a seccomp profile that allows %s (securityContext.seccompProfile: "
			       "Localhost)", calls);
	else if (is(c, "systemd-nspawn"))
		sb_printf(out, "start it with --system-call-filter= naming %s", calls);
	else if (is(c, "lxc") || is(c, "lxd"))
		sb_printf(out, "allow %s in the container's seccomp policy (lxc.seccomp.profile)", calls);
	else
		sb_printf(out, "allow %s in the seccomp filter this process runs under", calls);
}

/* ---------- landlock ---------- */

static bool ll_gvisor(struct ctx *c, struct sbuf *out)
{
	if (!is(c, "gvisor"))
		return false;
	sb_printf(out, "gVisor does not implement Landlock (landlock_create_ruleset: %s): its own kernel is the "
		       "sandbox here; to use Landlock, run the container with runc (podman/docker --runtime runc)",
		  errno_name(trial(c, T_LANDLOCK)->err ? trial(c, T_LANDLOCK)->err : ENOSYS));
	return true;
}

/* The errno landlock_create_ruleset(VERSION) ended with: the backend's own
 * call where it recorded one, else the call trial's. */
static int ll_errno(const struct ctx *c)
{
	const struct fact *f = facts_find(c->in->facts, "abi");

	if (f && f->err)
		return -f->err;
	return trial(c, T_LANDLOCK)->ran && trial(c, T_LANDLOCK)->ret < 0 ? trial(c, T_LANDLOCK)->err : 0;
}

/* Landlock answers a version query with the ABI, EOPNOTSUPP (built in,
 * not enabled) or ENOSYS (not built): anything else came from a filter. */
static bool ll_filtered(struct ctx *c, struct sbuf *out)
{
	int e = ll_errno(c);

	if (!e || e == ENOSYS || e == EOPNOTSUPP || !c->filtered)
		return false;
	sb_printf(out, "%s's seccomp filter denies landlock_create_ruleset (%s, an errno Landlock itself never "
		       "gives), so the kernel%s%s%s may well have Landlock: ",
		  runtime_name(c), errno_name(e), *c->kernel ? " (Linux " : "", c->kernel, *c->kernel ? ")" : "");
	if (is(c, "systemd-nspawn"))
		sb_puts(out, "systemd-nspawn allows the Landlock calls since systemd 257 (PR 34552); before that, start "
			     "it with --system-call-filter='landlock_create_ruleset landlock_add_rule "
			     "landlock_restrict_self'");
	else
		seccomp_change(c, "landlock_create_ruleset, landlock_add_rule and landlock_restrict_self", out);
	return true;
}

/* ENOSYS under a filter: Podman's profile (and others) answers ENOSYS for
 * calls it does not list, exactly as a kernel without Landlock would. */
static bool ll_enosys_filtered(struct ctx *c, struct sbuf *out)
{
	if (ll_errno(c) != ENOSYS || !c->filtered)
		return false;
	sb_printf(out, "landlock_create_ruleset answers ENOSYS under %s's seccomp filter: either the filter does not "
		       "list it (Podman's profile before containers/common PR 1081 did not) or the kernel%s%s%s lacks "
		       "Landlock: ",
		  runtime_name(c), *c->kernel ? " (Linux " : "", c->kernel, *c->kernel ? ")" : "");
	seccomp_change(c, "the landlock_* calls", out);
	sb_puts(out, ", and check CONFIG_SECURITY_LANDLOCK on the host");
	return true;
}

static bool ll_not_built(struct ctx *c, struct sbuf *out)
{
	if (ll_errno(c) != ENOSYS)
		return false;
	sb_printf(out, "this kernel%s%s%s has no Landlock (landlock_create_ruleset: ENOSYS, and no seccomp filter is "
		       "in the way): it needs Linux >= 5.13 built with CONFIG_SECURITY_LANDLOCK=y; or use bwrap",
		  *c->kernel ? " (Linux " : "", c->kernel, *c->kernel ? ")" : "");
	return true;
}

static bool ll_not_enabled(struct ctx *c, struct sbuf *out)
{
	if (ll_errno(c) != EOPNOTSUPP)
		return false;
	sb_printf(out, "Landlock is built into this kernel but not enabled (landlock_create_ruleset: EOPNOTSUPP): "
		       "boot %swith landlock in the lsm= list (lsm=...,landlock), or use bwrap",
		  c->in->ctr && c->in->ctr->runtime && strcmp(c->in->ctr->runtime, "none") ? "the host " : "");
	return true;
}

/* ---------- bwrap ---------- */

static bool bw_missing(struct ctx *c, struct sbuf *out)
{
	const struct fact *v = facts_find(c->in->facts, "version");

	if (!v || v->err != -ENOENT)
		return false;
	sb_puts(out, "bwrap is not installed: apt-get install bubblewrap (dnf install bubblewrap)");
	return true;
}

static bool bw_gvisor(struct ctx *c, struct sbuf *out)
{
	if (!c->trial || !is(c, "gvisor"))
		return false;
	struct sbuf proc = {0};
	trial_describe(T_PROC_MOUNT, trial(c, T_PROC_MOUNT), &proc);
	sb_printf(out, "gVisor's kernel lacks what bwrap needs (\"%s\"; the call trials' proc mount as bwrap does "
		       "it: %s): bwrap cannot run under gVisor; gVisor is itself the sandbox here, or run the container "
		       "with runc",
		  c->words, proc.s ? proc.s : "");
	sb_free(&proc);
	return true;
}

/* What a user namespace meets here, which a non-root bwrap needs (the
 * trials' proc mount is done the way bwrap does it), and the change.
 * For root it is the way out: say what a non-root user would meet. */
static void userns_path(struct ctx *c, struct sbuf *out)
{
	const struct trial_result *u = trial(c, T_UNSHARE_USER), *p = trial(c, T_PROC_MOUNT);
	const struct confinement *f = c->in->conf;
	const char *as_user = c->root ? " and the agent as a non-root user" : "";

	/* a sysctl that turns user namespaces off answers EPERM too (Debian's
	 * unprivileged_userns_clone) or ENOSPC: it is the cause where it is set */
	bool sysctl_off = f && (!strcmp(f->max_userns, "0") || (!c->root && !strcmp(f->unpriv_userns_clone, "0")));

	if (denied(c, T_UNSHARE_USER) && c->filtered && !sysctl_off && (u->err == EPERM || u->err == ENOSYS)) {
		sb_printf(out, "%s's seccomp profile denies unshare(CLONE_NEWUSER) (%s), so bwrap %s: ", runtime_name(c),
			  errno_name(u->err),
			  c->root ? "as a non-root user would get no user namespace either" : "cannot make the user namespace it needs");
		if (is(c, "docker"))
			sb_printf(out, "run the container with a seccomp profile that allows it and an unmasked /proc "
				       "(docker run --security-opt seccomp=unconfined --security-opt systempaths=unconfined)%s, "
				       "or use landlock", as_user);
		else {
			seccomp_change(c, "unshare and clone with CLONE_NEWUSER", out);
			sb_printf(out, "%s, or use landlock", as_user);
		}
	} else if (denied(c, T_UNSHARE_USER) || (denied(c, T_PROC_MOUNT) && !strcmp(p->step, "uid_map"))) {
		sb_puts(out, c->root ? "and a non-root user gets no user namespace either: user namespaces are off"
				     : "user namespaces are off here");
		if (f && !strcmp(f->max_userns, "0"))
			sb_puts(out, " (user.max_user_namespaces = 0: set it above 0 on the host)");
		else if (f && !strcmp(f->unpriv_userns_clone, "0"))
			sb_puts(out, " (kernel.unprivileged_userns_clone = 0: set it to 1 on the host)");
		else if (f && !strcmp(f->aa_restrict_userns, "1"))
			sb_puts(out, " (kernel.apparmor_restrict_unprivileged_userns = 1: give bwrap an AppArmor profile "
				     "that allows userns, or set the sysctl to 0)");
		sb_puts(out, "; or use landlock");
	} else if (denied(c, T_PROC_MOUNT) && !strcmp(p->step, "mount")) {
		sb_printf(out, "%s/proc is masked (%zu paths mounted over it), so bwrap cannot mount a fresh proc in its "
			       "user namespace: ",
			  c->root ? "as a non-root user it would get a user namespace, but " : "", f ? f->nmasked : 0);
		if (is(c, "podman"))
			sb_puts(out, "podman run --security-opt unmask=ALL");
		else if (is(c, "docker"))
			sb_puts(out, "docker run --security-opt systempaths=unconfined");
		else if (is(c, "kubernetes"))
			sb_puts(out, "securityContext.procMount: Unmasked (with hostUsers: false)");
		else
			sb_puts(out, "a container with an unmasked /proc");
		sb_printf(out, "%s, or use landlock", as_user);
	} else if (c->root && allowed(c, T_PROC_MOUNT)) {
		sb_puts(out, "as a non-root user it would use a user namespace, which works here (the call trials made "
			     "one and mounted a fresh proc in it): run the agent, and cagetest, as a non-root user");
	} else {
		sb_puts(out, "use landlock");
	}
}

/* Root makes its namespaces without a user namespace: CAP_SYS_ADMIN. */
static bool bw_no_namespace(struct ctx *c, struct sbuf *out)
{
	if (!c->trial || !(said(c, "Creating new namespace failed") || said(c, "No permissions to create new namespace") ||
			   said(c, "uid map")))
		return false;
	if (c->root && c->in->conf && c->in->conf->caps_known && !cap_has_sys_admin(c->in->conf->cap_eff)) {
		sb_printf(out, "bwrap runs as root here, so it makes its namespaces without a user namespace, which needs "
			       "CAP_SYS_ADMIN, and %s did not grant it (\"%s\"); ",
			  runtime_name(c), c->words);
		userns_path(c, out);
		return true;
	}
	sb_printf(out, "bwrap could not make its namespaces (\"%s\"): ", c->words);
	userns_path(c, out);
	return true;
}

static bool bw_proc_masked(struct ctx *c, struct sbuf *out)
{
	if (!c->trial || !said(c, "Can't mount proc"))
		return false;
	sb_printf(out, "bwrap could not mount a fresh proc (\"%s\"): ", c->words);
	if (denied(c, T_PROC_MOUNT) && !strcmp(trial(c, T_PROC_MOUNT)->step, "mount"))
		userns_path(c, out);
	else /* the trials' own mount worked: the masks are what bwrap met */
		sb_printf(out, "/proc is masked (%zu paths mounted over it); run with an unmasked /proc, or use landlock",
			  c->in->conf ? c->in->conf->nmasked : 0);
	return true;
}

static bool bw_loopback(struct ctx *c, struct sbuf *out)
{
	const struct confinement *f = c->in->conf;

	if (!c->trial || !(said(c, "loopback:") || said(c, "RTM_NEWADDR") || said(c, "RTM_NEWLINK")))
		return false;
	sb_printf(out, "bwrap cannot bring up loopback in its new network namespace (\"%s\")", c->words);
	if (c->root && f && f->caps_known && !cap_has(f->cap_eff, CAP_NET_ADMIN_BIT)) {
		sb_printf(out, ": as root it uses no user namespace, so that needs CAP_NET_ADMIN, which %s withholds",
			  runtime_name(c));
		if (is(c, "systemd-nspawn"))
			sb_puts(out, " (systemd-nspawn grants it only with --private-network)");
		if (allowed(c, T_PROC_MOUNT))
			sb_puts(out, "; the call trials pass because they make a user namespace, bwrap as root does not");
		sb_puts(out, is(c, "systemd-nspawn") ? ": start the container with --private-network" : ": grant the container "
											 "CAP_NET_ADMIN over a network of its own");
		if (allowed(c, T_PROC_MOUNT))
			sb_puts(out, ", or run the agent, and cagetest, as a non-root user (bwrap then owns its network "
				     "namespace through a user namespace, which works here)");
	} else
		sb_puts(out, ": the container must allow configuring a new network namespace (CAP_NET_ADMIN)");
	return true;
}

/* ---------- the table ---------- */

typedef bool (*rule_fn)(struct ctx *c, struct sbuf *out);

static const struct {
	const char *backend;
	rule_fn fn;
} rules[] = {
	{"landlock", ll_gvisor},      {"landlock", ll_filtered},   {"landlock", ll_enosys_filtered},
	{"landlock", ll_not_enabled}, {"landlock", ll_not_built},  {"bwrap", bw_missing},
	{"bwrap", bw_gvisor},	      {"bwrap", bw_no_namespace}, {"bwrap", bw_proc_masked},
	{"bwrap", bw_loopback},
};

bool cause_has_rules(const char *backend)
{
	for (size_t i = 0; i < ARRAY_SIZE(rules); i++)
		if (!strcmp(rules[i].backend, backend))
			return true;
	return false;
}

/* "6.18.44-fc" out of "Linux version 6.18.44-fc (...) #1 ...". */
static void kernel_of(const struct evidence *ev, char *buf, size_t n)
{
	const char *v = ev ? ev->text[EV_VERSION] : NULL;

	buf[0] = 0;
	if (v && !strncmp(v, "Linux version ", 14))
		snprintf(buf, n, "%.*s", (int)strcspn(v + 14, " \n"), v + 14);
}

void cause_derive(const struct cause_in *in, struct sbuf *out)
{
	static const struct facts no_facts;
	struct cause_in safe = *in;
	struct ctx c = {.in = &safe, .words = ""};
	char first[256] = "";

	if (!safe.facts)
		safe.facts = &no_facts;
	c.trial = facts_find(safe.facts, "trial");
	if (c.trial && c.trial->output) {
		/* its first line, without the pointer to its docs */
		const char *o = c.trial->output, *see = strstr(o, ". See ");
		size_t len = strcspn(o, "\n");
		snprintf(first, sizeof(first), "%.*s", (int)(see && (size_t)(see - o) < len ? (size_t)(see - o) : len), o);
		c.words = first;
	}
	if (c.trial && !c.trial->output)
		c.trial = NULL;
	kernel_of(safe.ev, c.kernel, sizeof(c.kernel));
	c.root = safe.conf && safe.conf->uid == 0;
	c.filtered = safe.conf && safe.conf->seccomp_mode == 2;
	for (size_t i = 0; i < ARRAY_SIZE(rules); i++)
		if (!strcmp(rules[i].backend, safe.backend) && rules[i].fn(&c, out))
			return;
	sb_puts(out, safe.reason && *safe.reason ? safe.reason : "it cannot run here");
}

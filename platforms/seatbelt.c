/* seatbelt: macOS's sandbox, an SBPL profile generated from the mode's
 * policy and applied with sandbox-exec -p. The generator is portable and
 * tested everywhere; only available() needs macOS. */
#include "seatbelt.h"

#include <string.h>
#include <sys/utsname.h>

/* Read-only facts about the machine that ordinary programs (libc, Python,
 * Node, the JVM) ask for at start-up. */
static const char *const sysctls[] = {
	"hw.activecpu",	 "hw.byteorder", "hw.cachelinesize", "hw.cpufamily",	     "hw.cputype",
	"hw.logicalcpu", "hw.logicalcpu_max", "hw.machine",   "hw.memsize",	     "hw.model",
	"hw.ncpu",	 "hw.pagesize",	 "hw.physicalcpu",   "hw.physicalcpu_max", "kern.argmax",
	"kern.hostname", "kern.maxfilesperproc", "kern.osproductversion", "kern.osrelease", "kern.ostype",
	"kern.osversion", "kern.usrstack64", "kern.version", "sysctl.proc_cputype", "vm.loadavg",
};
static const char *const sysctl_prefixes[] = {"hw.optional.", "hw.perflevel", "kern.proc.pid.", "machdep.cpu."};
/* Mach services: user lookups always; name resolution and TLS trust with network. */
static const char *const mach_always[] = {"com.apple.system.opendirectoryd.libinfo"};
static const char *const mach_network[] = {"com.apple.dnssd.service", "com.apple.SystemConfiguration.configd",
					   "com.apple.SystemConfiguration.DNSConfiguration", "com.apple.trustd.agent",
					   "com.apple.SecurityServer"};

/* An SBPL string literal: only '"' and '\' need escaping; every other byte,
 * newlines included, is read as itself. */
static void sbpl_str(struct sbuf *o, const char *s)
{
	sb_putc(o, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			sb_putc(o, '\\');
		sb_putc(o, *s);
	}
	sb_putc(o, '"');
}

/* s as a regex matching itself. */
static void regex_quote(struct sbuf *o, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (strchr(".^$*+?()[]{}|\\", s[i]))
			sb_putc(o, '\\');
		sb_putc(o, s[i]);
	}
}

/* Any path under root that has `name` as a component: the name itself,
 * anything inside it, at any depth, whether it exists yet or not. */
static int protected_regex(struct sbuf *o, const char *root, const char *name)
{
	struct sbuf rx = {0};
	size_t len = strlen(root);
	char *s;

	while (len && root[len - 1] == '/')
		len--;
	sb_putc(&rx, '^');
	regex_quote(&rx, root, len);
	sb_puts(&rx, "(/.*)?/");
	regex_quote(&rx, name, strlen(name));
	sb_puts(&rx, "(/|$)");
	if (!(s = sb_take(&rx)))
		return -ENOMEM;
	sb_puts(o, "\n    (require-not (regex ");
	sbpl_str(o, s);
	sb_puts(o, "))");
	free(s);
	return 0;
}

static void list_rule(struct sbuf *o, const char *rule, const char *filter, const char *const *v, size_t n)
{
	sb_printf(o, "(allow %s", rule);
	for (size_t i = 0; i < n; i++) {
		sb_printf(o, "\n  (%s ", filter);
		sbpl_str(o, v[i]);
		sb_putc(o, ')');
	}
	sb_puts(o, ")\n");
}

int seatbelt_profile(const struct box *x, bool resolve, struct sbuf *o)
{
	const struct mode *m = x->mode;
	int r;

	sb_printf(o, "(version 1)\n; cagetest seatbelt profile, mode %s: generated from the policy\n(deny default)\n\n", m->name);
	sb_puts(o, "; processes: children inherit this profile\n(allow process-exec)\n(allow process-fork)\n"
		   "(allow signal (target same-sandbox))\n(allow process-info* (target same-sandbox))\n\n");
	sb_puts(o, "; reads: everything\n(allow file-read*)\n\n");
	sb_puts(o, "; what ordinary programs need\n");
	list_rule(o, "sysctl-read", "sysctl-name", sysctls, ARRAY_SIZE(sysctls));
	list_rule(o, "sysctl-read", "sysctl-name-prefix", sysctl_prefixes, ARRAY_SIZE(sysctl_prefixes));
	list_rule(o, "mach-lookup", "global-name", mach_always, ARRAY_SIZE(mach_always));
	sb_puts(o, "(allow user-preference-read)\n(allow ipc-posix-sem)\n"
		   "(allow file-write-data (require-all (literal \"/dev/null\") (vnode-type CHARACTER-DEVICE)))\n\n");
	sb_puts(o, "; terminals: openpty and the caller's tty\n(allow pseudo-tty)\n"
		   "(allow file-read* file-write* file-ioctl (literal \"/dev/ptmx\"))\n"
		   "(allow file-write-data file-ioctl (literal \"/dev/tty\"))\n"
		   "(allow file-write-data file-ioctl (regex \"^/dev/ttys[0-9]+$\"))\n");
	for (size_t i = 0; i < m->nwritable; i++) {
		const char *path = box_root(x, m->writable[i]);
		char real[PATH_MAX];
		if (resolve && realpath(path, real))
			path = real;
		if (i == 0)
			sb_puts(o, "\n; writes: the writable roots, never a protected name in them (existing or not)\n");
		sb_puts(o, "(allow file-write*\n  (require-all\n    (subpath ");
		sbpl_str(o, path);
		sb_putc(o, ')');
		for (size_t k = 0; k < m->nprotected; k++)
			if ((r = protected_regex(o, path, m->protected_names[k])) < 0)
				return r;
		sb_puts(o, "))\n");
	}
	if (m->network) {
		sb_puts(o, "\n; network: IP only (UNIX sockets stay closed: host IPC)\n"
			   "(allow network-outbound (remote ip \"*:*\"))\n(allow network-inbound (local ip \"*:*\"))\n"
			   "(allow network-bind (local ip \"*:*\"))\n(allow system-socket)\n");
		list_rule(o, "mach-lookup", "global-name", mach_network, ARRAY_SIZE(mach_network));
	}
	return o->oom ? -ENOMEM : 0;
}

static int sb_available(const struct backend *b, char *why, size_t n)
{
	(void)b;
#ifdef __APPLE__
	if (access(SANDBOX_EXEC, X_OK) < 0) {
		snprintf(why, n, "%s is missing. Hint: it ships with macOS; a stripped system may lack it", SANDBOX_EXEC);
		return -ENOENT;
	}
	return 0;
#else
	snprintf(why, n, "not macOS");
	return -EOPNOTSUPP;
#endif
}

static int sb_version(const struct backend *b, char *buf, size_t n)
{
	struct utsname u;

	(void)b;
	return uname(&u) < 0 ? neg_errno() : fmt(buf, n, "%s %s", u.sysname, u.release);
}

static int sb_prepare(const struct backend *b, const struct box *x, struct launch *l, char *err, size_t n)
{
	struct sbuf prof = {0};
	int r;

	(void)b;
	if (!x->mode->confined)
		return 0; /* unconfined: the agent runs as it is */
	r = seatbelt_profile(x, true, &prof);
	if (r == 0)
		r = launch_arg(l, SANDBOX_EXEC) ?: launch_arg(l, "-p") ?: launch_arg(l, prof.s) ?: launch_arg(l, "--");
	if (r < 0)
		snprintf(err, n, "building the Seatbelt profile: %s", strerror(-r));
	sb_free(&prof);
	return r;
}

static int sb_explain(const struct backend *b, const struct box *x, struct sbuf *out)
{
	(void)b;
	if (!x->mode->confined) {
		sb_printf(out, "seatbelt, mode %s: no sandbox (unconfined mode): the agent runs directly, without "
			       "sandbox-exec\n", x->mode->name);
		return 0;
	}
	sb_printf(out, "seatbelt, mode %s: the agent runs under\n  %s -p PROFILE -- %s agent ...\nPROFILE:\n",
		  x->mode->name, SANDBOX_EXEC, x->self);
	return seatbelt_profile(x, false, out);
}

static void sb_notes(const struct backend *b, struct sbuf *out)
{
	(void)b;
	sb_puts(out, "sandbox-exec is deprecated by Apple but still works and is what Codex uses. Reads are not "
		     "restricted. A hard link planted in the workspace before the sandbox starts is a workspace path. "
		     "ioctl on the caller's terminal is allowed (tcgetattr, window size): SBPL cannot single out "
		     "TIOCSTI. Processes are not contained: a daemon may outlive the command.");
}

const struct backend backend_seatbelt = {
	.name = "seatbelt",
	.description = "macOS Seatbelt: an SBPL profile generated from the policy, run with sandbox-exec -p",
	.batch = true,
	.available = sb_available,
	.version = sb_version,
	.prepare = sb_prepare,
	.explain = sb_explain,
	.notes = sb_notes,
};

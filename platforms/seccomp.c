#include "seccomp.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <seccomp.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>

#ifndef TIOCLINUX
#define TIOCLINUX 0x541C
#endif

enum sc_when {
	SC_CONFINED, /* every confined mode */
	SC_NO_NET,   /* confined modes without network */
	SC_NET,	     /* confined modes with network */
};

/* One deny rule. arg < 0: the whole syscall. MASKED_EQ: mask a, value b. */
struct sc_rule {
	const char *syscall;
	int err;
	enum sc_when when;
	int arg;
	enum scmp_compare op;
	uint64_t a, b;
	const char *why;
};

#define WHOLE(name, e, w, why) {name, e, w, -1, SCMP_CMP_EQ, 0, 0, why}
#define ARG_EQ(name, e, w, n, v, why) {name, e, w, n, SCMP_CMP_EQ, v, 0, why}
#define ARG_MASK(name, e, w, n, m, v, why) {name, e, w, n, SCMP_CMP_MASKED_EQ, m, v, why}

static const struct sc_rule rules[] = {
	WHOLE("ptrace", EPERM, SC_CONFINED, "tracing processes"),
	WHOLE("process_vm_readv", EPERM, SC_CONFINED, "reading other processes' memory"),
	WHOLE("process_vm_writev", EPERM, SC_CONFINED, "writing other processes' memory"),
	WHOLE("pidfd_getfd", EPERM, SC_CONFINED, "stealing other processes' fds"),
	WHOLE("io_uring_setup", EPERM, SC_CONFINED, "io_uring bypasses syscall filters"),
	WHOLE("io_uring_enter", EPERM, SC_CONFINED, "io_uring bypasses syscall filters"),
	WHOLE("io_uring_register", EPERM, SC_CONFINED, "io_uring bypasses syscall filters"),
	WHOLE("bpf", EPERM, SC_CONFINED, "kernel surface"),
	WHOLE("perf_event_open", EPERM, SC_CONFINED, "kernel surface"),
	WHOLE("userfaultfd", EPERM, SC_CONFINED, "kernel surface (race amplifier)"),
	WHOLE("kexec_load", EPERM, SC_CONFINED, "kernel surface"),
	WHOLE("kexec_file_load", EPERM, SC_CONFINED, "kernel surface"),
	WHOLE("init_module", EPERM, SC_CONFINED, "kernel surface"),
	WHOLE("finit_module", EPERM, SC_CONFINED, "kernel surface"),
	WHOLE("delete_module", EPERM, SC_CONFINED, "kernel surface"),
	WHOLE("add_key", EPERM, SC_CONFINED, "kernel keyrings are shared with the host"),
	WHOLE("request_key", EPERM, SC_CONFINED, "kernel keyrings are shared with the host"),
	WHOLE("keyctl", EPERM, SC_CONFINED, "kernel keyrings are shared with the host"),
	WHOLE("mount", EPERM, SC_CONFINED, "mount topology"),
	WHOLE("umount2", EPERM, SC_CONFINED, "mount topology"),
	WHOLE("pivot_root", EPERM, SC_CONFINED, "mount topology"),
	WHOLE("move_mount", EPERM, SC_CONFINED, "mount topology"),
	WHOLE("open_tree", EPERM, SC_CONFINED, "mount topology"),
	WHOLE("fsopen", EPERM, SC_CONFINED, "mount topology"),
	WHOLE("fsconfig", EPERM, SC_CONFINED, "mount topology"),
	WHOLE("fsmount", EPERM, SC_CONFINED, "mount topology"),
	WHOLE("fspick", EPERM, SC_CONFINED, "mount topology"),
	WHOLE("mount_setattr", EPERM, SC_CONFINED, "mount topology"),
	WHOLE("setns", EPERM, SC_CONFINED, "joining host namespaces (ns.setns_git)"),
	/* without an IPC namespace these are the host's objects (and a channel out) */
	WHOLE("msgget", EPERM, SC_CONFINED, "SysV IPC objects are the host's"),
	WHOLE("semget", EPERM, SC_CONFINED, "SysV IPC objects are the host's"),
	WHOLE("shmget", EPERM, SC_CONFINED, "SysV IPC objects are the host's"),
	WHOLE("mq_open", EPERM, SC_CONFINED, "POSIX message queues are the host's"),
	WHOLE("open_by_handle_at", EPERM, SC_CONFINED, "opening files by handle skips path checks"),
	/* in a user + mount namespace of its own the box can pivot_root away from
	 * the read-only binds it was given and rename what they protect through
	 * an fd opened before (ns.*): no bind-mount policy survives that. The
	 * mask tests the low word only, which is all clone() reads */
	ARG_MASK("unshare", EPERM, SC_CONFINED, 0, CLONE_NEWUSER, CLONE_NEWUSER,
		 "new user namespaces: one of its own lets the box detach its read-only binds (ns.*)"),
	ARG_MASK("clone", EPERM, SC_CONFINED, 0, CLONE_NEWUSER, CLONE_NEWUSER,
		 "new user namespaces, whatever the high 32 bits hold (ns.clone_git)"),
	/* clone3 passes its flags in memory a filter cannot read: glibc falls back to clone */
	WHOLE("clone3", ENOSYS, SC_CONFINED, "flags unreadable by seccomp; forces the clone fallback (ns.clone3_git)"),
	/* a box that can make set-id files plants binaries the host runs with
	 * their owner's rights (flatpak filters the same bits) */
	ARG_MASK("chmod", EPERM, SC_CONFINED, 1, S_ISUID, S_ISUID, "setuid bit"),
	ARG_MASK("chmod", EPERM, SC_CONFINED, 1, S_ISGID, S_ISGID, "setgid bit"),
	ARG_MASK("fchmod", EPERM, SC_CONFINED, 1, S_ISUID, S_ISUID, "setuid bit"),
	ARG_MASK("fchmod", EPERM, SC_CONFINED, 1, S_ISGID, S_ISGID, "setgid bit"),
	ARG_MASK("fchmodat", EPERM, SC_CONFINED, 2, S_ISUID, S_ISUID, "setuid bit"),
	ARG_MASK("fchmodat", EPERM, SC_CONFINED, 2, S_ISGID, S_ISGID, "setgid bit"),
	ARG_MASK("fchmodat2", EPERM, SC_CONFINED, 2, S_ISUID, S_ISUID, "setuid bit"),
	ARG_MASK("fchmodat2", EPERM, SC_CONFINED, 2, S_ISGID, S_ISGID, "setgid bit"),
	/* created with the bits: glibc passes mode 0 when not creating */
	ARG_MASK("creat", EPERM, SC_CONFINED, 1, S_ISUID, S_ISUID, "created setuid"),
	ARG_MASK("creat", EPERM, SC_CONFINED, 1, S_ISGID, S_ISGID, "created setgid"),
	ARG_MASK("open", EPERM, SC_CONFINED, 2, S_ISUID, S_ISUID, "created setuid"),
	ARG_MASK("open", EPERM, SC_CONFINED, 2, S_ISGID, S_ISGID, "created setgid"),
	ARG_MASK("openat", EPERM, SC_CONFINED, 3, S_ISUID, S_ISUID, "created setuid"),
	ARG_MASK("openat", EPERM, SC_CONFINED, 3, S_ISGID, S_ISGID, "created setgid"),
	ARG_MASK("mknod", EPERM, SC_CONFINED, 1, S_ISUID, S_ISUID, "created setuid"),
	ARG_MASK("mknodat", EPERM, SC_CONFINED, 2, S_ISUID, S_ISUID, "created setuid"),
	/* openat2's mode is in memory a filter cannot read: glibc falls back to openat */
	WHOLE("openat2", ENOSYS, SC_CONFINED, "mode unreadable by seccomp; forces the openat fallback"),
	ARG_MASK("ioctl", EPERM, SC_CONFINED, 1, 0xffffffffULL, TIOCSTI, "terminal input injection"),
	ARG_MASK("ioctl", EPERM, SC_CONFINED, 1, 0xffffffffULL, TIOCLINUX, "console selection paste"),
	WHOLE("socket", EPERM, SC_NO_NET, "no network: no sockets at all"),
	/* a datagram socketpair sends to any address (sendto, sendmsg, connect):
	 * host UNIX sockets without socket(2); SOCK_RAW is a datagram pair too.
	 * Stream and seqpacket pairs (pipes between processes) stay */
	ARG_MASK("socketpair", EPERM, SC_CONFINED, 1, 0xf, SOCK_DGRAM, "datagram pairs reach host UNIX sockets (ipc.socketpair_sendto)"),
	ARG_MASK("socketpair", EPERM, SC_CONFINED, 1, 0xf, SOCK_RAW, "AF_UNIX SOCK_RAW is a datagram pair"),
	/* with network: only AF_INET and AF_INET6 */
	{"socket", EPERM, SC_NET, 0, SCMP_CMP_LT, AF_INET, 0, "AF_UNIX (host IPC) and AF_UNSPEC"},
	{"socket", EPERM, SC_NET, 0, SCMP_CMP_GT, AF_INET6, 0, "netlink, packet, vsock and other families"},
	ARG_EQ("socket", EPERM, SC_NET, 0, 3, "AF_AX25"),
	ARG_EQ("socket", EPERM, SC_NET, 0, 4, "AF_IPX"),
	ARG_EQ("socket", EPERM, SC_NET, 0, 5, "AF_APPLETALK"),
	ARG_EQ("socket", EPERM, SC_NET, 0, 6, "AF_NETROM"),
	ARG_EQ("socket", EPERM, SC_NET, 0, 7, "AF_BRIDGE"),
	ARG_EQ("socket", EPERM, SC_NET, 0, 8, "AF_ATMPVC"),
	ARG_EQ("socket", EPERM, SC_NET, 0, 9, "AF_X25"),
};

static bool rule_applies(const struct sc_rule *r, const struct mode *m)
{
	if (!m->confined)
		return false;
	switch (r->when) {
	case SC_CONFINED:
		return true;
	case SC_NO_NET:
		return !m->network;
	case SC_NET:
		return m->network;
	}
	return false;
}

static int build(const struct mode *m, scmp_filter_ctx *out)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);

	if (!ctx)
		return -ENOMEM;
	/* foreign ABIs (i386 int 0x80, x32) would dodge every rule: kill them */
	seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	for (size_t i = 0; i < ARRAY_SIZE(rules); i++) {
		const struct sc_rule *r = &rules[i];
		int nr = seccomp_syscall_resolve_name(r->syscall), rc;
		if (!rule_applies(r, m) || nr == __NR_SCMP_ERROR)
			continue;
		if (r->arg < 0)
			rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO((unsigned)r->err), nr, 0);
		else {
			struct scmp_arg_cmp c = {(unsigned)r->arg, r->op, r->a, r->b};
			rc = seccomp_rule_add_array(ctx, SCMP_ACT_ERRNO((unsigned)r->err), nr, 1, &c);
		}
		if (rc < 0) {
			seccomp_release(ctx);
			return rc;
		}
	}
	*out = ctx;
	return 0;
}

int sc_load(const struct mode *m)
{
	scmp_filter_ctx ctx;
	int r = build(m, &ctx);

	if (r < 0)
		return r;
	r = seccomp_load(ctx);
	seccomp_release(ctx);
	return r;
}

int sc_export(const struct mode *m, int *fd)
{
	scmp_filter_ctx ctx;
	int r = build(m, &ctx), mfd;

	if (r < 0)
		return r;
	mfd = memfd_create("cagetest-seccomp", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mfd < 0) {
		r = neg_errno();
		seccomp_release(ctx);
		return r;
	}
	r = seccomp_export_bpf(ctx, mfd);
	seccomp_release(ctx);
	if (r < 0 || lseek(mfd, 0, SEEK_SET) < 0 ||
	    fcntl(mfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0) {
		close(mfd);
		return r < 0 ? r : -EIO;
	}
	*fd = mfd;
	return 0;
}

void sc_explain(const struct mode *m, struct sbuf *out)
{
	if (!m->confined) {
		sb_puts(out, "seccomp: none (unconfined mode)\n");
		return;
	}
	sb_puts(out, "seccomp (default allow; foreign ABIs killed):\n");
	for (size_t i = 0; i < ARRAY_SIZE(rules); i++) {
		const struct sc_rule *r = &rules[i];
		if (!rule_applies(r, m))
			continue;
		if (seccomp_syscall_resolve_name(r->syscall) == __NR_SCMP_ERROR) {
			sb_printf(out, "  %-18s unknown on this arch, not filtered\n", r->syscall);
			continue;
		}
		sb_printf(out, "  %-18s", r->syscall);
		if (r->arg >= 0 && r->op == SCMP_CMP_MASKED_EQ)
			sb_printf(out, " arg%d & 0x%llx == 0x%llx", r->arg, (unsigned long long)r->a, (unsigned long long)r->b);
		else if (r->arg >= 0)
			sb_printf(out, " arg%d %s %llu", r->arg,
				  r->op == SCMP_CMP_LT	 ? "<"
				  : r->op == SCMP_CMP_GT ? ">"
							 : "==",
				  (unsigned long long)r->a);
		sb_printf(out, " -> %s  (%s)\n", errno_name(r->err), r->why);
	}
}

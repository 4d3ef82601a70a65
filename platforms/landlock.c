/* landlock: no_new_privs + a Landlock ruleset sized to the running ABI +
 * the shared seccomp filter + every capability dropped, applied in process
 * just before the agent is exec'd. */
#include "backend.h"
#include "detect.h"
#include "seccomp.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <linux/landlock.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

/* Rights newer than the build's kernel headers. */
#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER (1ULL << 13)
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)
#endif
#ifndef LANDLOCK_ACCESS_FS_RESOLVE_UNIX
#define LANDLOCK_ACCESS_FS_RESOLVE_UNIX (1ULL << 16)
#endif
#define LL_NET_BIND_TCP (1ULL << 0)
#define LL_NET_CONNECT_TCP (1ULL << 1)
#define LL_SCOPE_ABSTRACT_UNIX (1ULL << 0)
#define LL_SCOPE_SIGNAL (1ULL << 1)

/* The v6 layout; the kernel takes a shorter size for older ABIs. */
struct ll_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;
	uint64_t scoped;
};

#define FS_V1                                                                                               \
	(LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE |        \
	 LANDLOCK_ACCESS_FS_READ_DIR | LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE |     \
	 LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |         \
	 LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_BLOCK |      \
	 LANDLOCK_ACCESS_FS_MAKE_SYM)
#define FS_READ (LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)
#define FS_DEV (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_IOCTL_DEV)

#define MAX_RULES 16

struct ll_plan {
	int abi;
	struct ll_ruleset_attr attr;
	size_t attr_size;
	struct {
		char path[PATH_MAX];
		uint64_t access;
		const char *why;
	} rules[MAX_RULES];
	size_t nrules;
};

/* Every filesystem right this ABI knows, one commented step per ABI. */
static uint64_t fs_rights(int abi)
{
	uint64_t r = FS_V1;

	if (abi >= 2) /* reparenting across directories */
		r |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3) /* truncate, O_TRUNC */
		r |= LANDLOCK_ACCESS_FS_TRUNCATE;
	if (abi >= 5) /* ioctl on devices */
		r |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
	if (abi >= 9) /* connect/sendmsg to pathname UNIX sockets: only the writable roots' */
		r |= LANDLOCK_ACCESS_FS_RESOLVE_UNIX;
	return r;
}

static int add_rule(struct ll_plan *p, const char *path, uint64_t access, const char *why)
{
	if (p->nrules == MAX_RULES)
		return -E2BIG;
	if (fmt(p->rules[p->nrules].path, PATH_MAX, "%s", path) < 0)
		return -ENAMETOOLONG;
	p->rules[p->nrules].access = access & p->attr.handled_access_fs;
	p->rules[p->nrules].why = why;
	p->nrules++;
	return 0;
}

/* Pure: what enter() will apply. */
static int plan(const struct box *x, int abi, struct ll_plan *p)
{
	static const char *const devs[] = {"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom"};
	int r;

	memset(p, 0, sizeof(*p));
	p->abi = abi;
	p->attr.handled_access_fs = fs_rights(abi);
	p->attr_size = sizeof(uint64_t);
	if (abi >= 4 && !x->mode->network) {
		p->attr.handled_access_net = LL_NET_BIND_TCP | LL_NET_CONNECT_TCP;
		p->attr_size = 2 * sizeof(uint64_t);
	}
	if (abi >= 6) {
		p->attr.scoped = LL_SCOPE_ABSTRACT_UNIX | LL_SCOPE_SIGNAL;
		p->attr_size = sizeof(p->attr);
	}
	if ((r = add_rule(p, "/", FS_READ, "read and execute everywhere")) < 0)
		return r;
	for (size_t i = 0; i < ARRAY_SIZE(devs); i++)
		if ((r = add_rule(p, devs[i], FS_DEV, "harmless devices")) < 0)
			return r;
	for (size_t i = 0; i < x->mode->nwritable; i++)
		if ((r = add_rule(p, box_root(x, x->mode->writable[i]), ~0ULL, "writable root")) < 0)
			return r;
	return 0;
}

static int ll_available(const struct backend *b, char *why, size_t n)
{
	(void)b;
	int abi = landlock_query();

	if (abi == -EOPNOTSUPP) {
		snprintf(why, n, "Landlock is built into this kernel but not enabled. Hint: boot with lsm=...,landlock");
		return -EOPNOTSUPP;
	}
	if (abi <= 0) { /* ENOSYS: not built, or a filter that answers so; another errno: a filter */
		snprintf(why, n, "landlock_create_ruleset fails with %s: %s", errno_name(abi),
			 abi == -ENOSYS ? "this kernel has no Landlock (Linux >= 5.13 with CONFIG_SECURITY_LANDLOCK), or a "
					  "seccomp filter hides it"
					: "a seccomp filter denies it");
		return -EOPNOTSUPP;
	}
	if (!seccomp_supported()) {
		snprintf(why, n, "seccomp filters are not supported here. Hint: a container runtime may forbid them");
		return -EOPNOTSUPP;
	}
	return 0;
}

static int ll_version(const struct backend *b, char *buf, size_t n)
{
	(void)b;
	return fmt(buf, n, "abi %d", landlock_abi());
}

static int drop_caps(void)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2] = {{0}};

	for (int c = 0; c <= 63; c++)
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL && errno != EPERM)
			return neg_errno();
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	return syscall(SYS_capset, &h, d) < 0 ? neg_errno() : 0;
}

static int ll_prepare(const struct backend *b, const struct box *x, struct launch *l, char *err, size_t n)
{
	(void)b, (void)err, (void)n;
	l->scrub_secrets = x->mode->confined;
	return 0;
}

static int ll_enter(const struct backend *b, const struct box *x)
{
	struct ll_plan p;
	int r, rs;

	(void)b;
	if (!x->mode->confined)
		return 0;
	if ((r = close_inherited(x)) < 0)
		return r;
	if ((r = plan(x, landlock_abi(), &p)) < 0)
		return r;
	rs = (int)syscall(SYS_landlock_create_ruleset, &p.attr, p.attr_size, 0);
	if (rs < 0)
		return neg_errno();
	for (size_t i = 0; i < p.nrules; i++) {
		struct landlock_path_beneath_attr pb = {.allowed_access = p.rules[i].access};
		pb.parent_fd = open(p.rules[i].path, O_PATH | O_CLOEXEC);
		if (pb.parent_fd < 0) {
			if (errno == ENOENT) /* e.g. no /dev/full in this container */
				continue;
			r = neg_errno();
			break;
		}
		/* a rule on a file takes file rights only */
		struct stat st;
		if (fstat(pb.parent_fd, &st) == 0 && !S_ISDIR(st.st_mode))
			pb.allowed_access &= LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE |
					     LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_TRUNCATE |
					     LANDLOCK_ACCESS_FS_IOCTL_DEV | LANDLOCK_ACCESS_FS_RESOLVE_UNIX;
		if (syscall(SYS_landlock_add_rule, rs, LANDLOCK_RULE_PATH_BENEATH, &pb, 0) < 0)
			r = neg_errno();
		close(pb.parent_fd);
		if (r < 0)
			break;
	}
	if (r == 0 && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		r = neg_errno();
	if (r == 0 && syscall(SYS_landlock_restrict_self, rs, 0) < 0)
		r = neg_errno();
	close(rs);
	if (r == 0)
		r = drop_caps();
	if (r == 0)
		r = sc_load(x->mode);
	return r;
}

static void describe_access(struct sbuf *out, uint64_t a, uint64_t handled)
{
	static const char *const names[] = {"execute",	  "write_file", "read_file", "read_dir",  "remove_dir",
					    "remove_file", "make_char", "make_dir",  "make_reg",  "make_sock",
					    "make_fifo",   "make_block", "make_sym", "refer",	  "truncate",
					    "ioctl_dev",   "resolve_unix"};

	if (a == handled) {
		sb_puts(out, "all");
		return;
	}
	for (size_t i = 0, first = 1; i < ARRAY_SIZE(names); i++)
		if (a & (1ULL << i)) {
			sb_printf(out, "%s%s", first ? "" : ",", names[i]);
			first = 0;
		}
}

static void ll_notes(const struct backend *b, struct sbuf *out)
{
	int abi = landlock_abi();

	(void)b;
	sb_printf(out, "Landlock ABI %d. ", abi);
	if (abi < 2)
		sb_puts(out, "No REFER right (ABI 2): every cross-directory link/rename is denied. ");
	if (abi < 3)
		sb_puts(out, "No TRUNCATE right (ABI 3): truncate() and O_TRUNC are not restricted. ");
	if (abi < 4)
		sb_puts(out, "No network rights (ABI 4): TCP is stopped by the seccomp socket filter only. ");
	if (abi < 5)
		sb_puts(out, "No IOCTL_DEV right (ABI 5): device ioctls are not restricted. ");
	if (abi < 6)
		sb_puts(out, "No scoping (ABI 6): signals and abstract UNIX sockets to host processes are not restricted. ");
	if (abi < 9)
		sb_puts(out, "Pathname UNIX sockets need ABI 9 (RESOLVE_UNIX): until then seccomp alone stops host IPC "
			     "over them, and it closes every road it can see: socket(AF_UNIX), datagram socketpairs (a "
			     "SOCK_DGRAM or SOCK_RAW pair sends to any address), io_uring, and foreign ABIs (int 0x80, "
			     "x32: killed). ");
	else
		sb_puts(out, "RESOLVE_UNIX (ABI 9) is handled: the kernel refuses connect and sendmsg to pathname UNIX "
			     "sockets outside the writable roots, beside the seccomp denials. ");
	sb_puts(out, "Landlock cannot carve read-only holes inside a writable root: .git, .codex and .agents stay "
		     "writable in write modes. Landlock cannot restrict chmod/chown/utimes/xattr, and has no "
		     "process containment: daemons outlive the command.");
}

/* What ll_available() reads: the ABI (its notes when there is one), or the
 * errno of the query, which tells a kernel without Landlock (ENOSYS), one
 * that did not enable it (EOPNOTSUPP) and a filter (EPERM) apart. */
static int ll_facts(const struct backend *b, struct facts *out)
{
	struct sbuf notes = {0};
	int abi = landlock_query(), r;

	if (abi > 0)
		ll_notes(b, &notes);
	else
		sb_printf(&notes, "unavailable: landlock_create_ruleset fails with %s%s", errno_name(abi),
			  abi == -EOPNOTSUPP ? " (built in, not enabled)" : abi == -ENOSYS ? " (not built in, or filtered)" : "");
	r = facts_add(out, &(struct fact){.name = "abi", .value = notes.s,
					  .source = "landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION)",
					  .err = abi > 0 ? 0 : abi, .status = -1});
	sb_free(&notes);
	return r;
}

static int ll_explain(const struct backend *b, const struct box *x, struct sbuf *out)
{
	struct ll_plan p;
	int abi = landlock_abi(), r;

	(void)b;
	if (!x->mode->confined) {
		sb_printf(out, "landlock, mode %s: no sandbox (unconfined mode): nothing is applied\n", x->mode->name);
		return 0;
	}
	if ((r = plan(x, abi, &p)) < 0)
		return r;
	sb_printf(out, "landlock, mode %s (ABI %d)\n", x->mode->name, abi);
	sb_puts(out, "no_new_privs: set\ncapabilities: all dropped (bounding, ambient, effective, permitted)\n"
		     "inherited fds: all closed but 0, 1, 2\n"
		     "environment: variables named *KEY*, *SECRET*, *TOKEN*, *PASSWORD*, *CREDENTIAL* removed\n");
	sb_puts(out, "ruleset handled fs: ");
	describe_access(out, p.attr.handled_access_fs, ~0ULL);
	sb_printf(out, "\nruleset handled net: %s\n",
		  p.attr.handled_access_net ? "bind_tcp,connect_tcp (no port allowed)" : "none (TCP allowed)");
	sb_printf(out, "scoped: %s\n", p.attr.scoped ? "abstract_unix_socket,signal" : "none (ABI < 6)");
	sb_printf(out, "pathname UNIX sockets: %s\n",
		  abi >= 9 ? "resolve_unix handled (only the writable roots' sockets)"
			   : "not handled (ABI < 9): the seccomp rules below (socket, socketpair, io_uring, foreign ABIs) stop them");
	for (size_t i = 0; i < p.nrules; i++) {
		sb_printf(out, "rule %s: ", p.rules[i].path);
		describe_access(out, p.rules[i].access, p.attr.handled_access_fs);
		sb_printf(out, "  (%s)\n", p.rules[i].why);
	}
	for (size_t i = 0; i < x->mode->nprotected; i++)
		sb_printf(out, "protected %s: NOT enforced (Landlock cannot deny inside an allowed subtree)\n",
			  x->mode->protected_names[i]);
	sc_explain(x->mode, out);
	return 0;
}

const struct backend backend_landlock = {
	.name = "landlock",
	.description = "Landlock + seccomp + no_new_privs, applied in process before exec",
	.batch = true,
	.available = ll_available,
	.version = ll_version,
	.prepare = ll_prepare,
	.enter = ll_enter,
	.explain = ll_explain,
	.notes = ll_notes,
	.facts = ll_facts,
};

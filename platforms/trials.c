#include "trials.h"

#include <fcntl.h>
#include <linux/landlock.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#ifndef SYS_clone3
#define SYS_clone3 435
#endif

const struct trial_info trial_info[T__COUNT] = {
	[T_UNSHARE_USER] = {"unshare_user", "unshare(CLONE_NEWUSER)", 0},
	[T_CLONE_USER] = {"clone_user", "clone(CLONE_NEWUSER)", 0},
	[T_CLONE3] = {"clone3", "clone3", EINVAL},
	[T_PROC_MOUNT] = {"proc_mount", "mount proc in a new user+mount+pid ns", 0},
	[T_PIVOT_ROOT] = {"pivot_root", "pivot_root", EFAULT},
	[T_SETNS] = {"setns", "setns", EBADF},
	[T_LANDLOCK] = {"landlock", "landlock_create_ruleset", 0},
	[T_IO_URING] = {"io_uring", "io_uring_setup", EFAULT},
	[T_KEYCTL] = {"keyctl", "keyctl", EOPNOTSUPP},
};

/* A pointer no process maps: the kernel answers EFAULT if the call gets that far. */
#define BAD_PTR ((void *)1)

static void send_result(int fd, enum trial which, long ret, int err, const char *step)
{
	dprintf(fd, "%s %ld %s %s\n", trial_info[which].name, ret, ret < 0 ? errno_name(err) : "-",
		step && *step ? step : "-");
}

/* Map the caller to root in the user namespace it just made. */
static int map_self(uid_t uid, gid_t gid)
{
	char map[64];

	if (write_str("/proc/self/setgroups", "deny") < 0 && errno != ENOENT)
		return -1;
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
	if (write_str("/proc/self/uid_map", map) < 0)
		return -1;
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
	return write_str("/proc/self/gid_map", map);
}

static void trial_clone_user(int fd)
{
	long pid = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, NULL);
	int err = errno;

	if (pid == 0)
		syscall(SYS_exit, 0);
	if (pid > 0)
		waitpid((pid_t)pid, NULL, 0);
	send_result(fd, T_CLONE_USER, pid > 0 ? 0 : -1, err, NULL);
}

/* bwrap's order: new user, mount and pid namespaces, map, fork to be pid 1
 * of the new pid namespace, make the mounts private, mount a fresh proc. The
 * mounts happen only in the throwaway namespace. */
static void trial_proc_mount(int fd)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();
	pid_t pid;

	if (unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID) < 0)
		return send_result(fd, T_PROC_MOUNT, -1, errno, "unshare");
	if (map_self(uid, gid) < 0)
		return send_result(fd, T_PROC_MOUNT, -1, errno, "uid_map");
	pid = fork();
	if (pid < 0)
		return send_result(fd, T_PROC_MOUNT, -1, errno, "fork");
	if (pid == 0) {
		if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
			send_result(fd, T_PROC_MOUNT, -1, errno, "private");
		else if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
			send_result(fd, T_PROC_MOUNT, -1, errno, "mount");
		else
			send_result(fd, T_PROC_MOUNT, 0, 0, NULL);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
}

/* With privilege in a mount namespace of its own the call reaches its bad
 * pointers (EFAULT); where none can be made, EPERM may only mean that the
 * caller lacks CAP_SYS_ADMIN, and the step says so. */
static void trial_pivot_root(int fd)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();
	const char *where = "";
	long r;

	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0 || map_self(uid, gid) < 0)
		where = unshare(CLONE_NEWNS) == 0 ? "own_mnt_ns" : "host_ns";
	r = syscall(SYS_pivot_root, BAD_PTR, BAD_PTR);
	send_result(fd, T_PIVOT_ROOT, r, errno, where);
}

static void run_one(enum trial which, int fd)
{
	long r;

	switch (which) {
	case T_UNSHARE_USER:
		r = unshare(CLONE_NEWUSER);
		break;
	case T_CLONE_USER:
		return trial_clone_user(fd);
	case T_CLONE3:
		r = syscall(SYS_clone3, NULL, 0);
		break;
	case T_PROC_MOUNT:
		return trial_proc_mount(fd);
	case T_PIVOT_ROOT:
		return trial_pivot_root(fd);
	case T_SETNS:
		r = syscall(SYS_setns, -1, 0);
		break;
	case T_LANDLOCK:
		r = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
		break;
	case T_IO_URING:
		r = syscall(SYS_io_uring_setup, 1, NULL);
		break;
	case T_KEYCTL:
		r = syscall(SYS_keyctl, 0x7fff, 0, 0, 0, 0);
		break;
	default:
		return;
	}
	send_result(fd, which, r, errno, NULL);
}

/* The throwaway child: each trial in a process of its own, since some of
 * them change the namespaces of the process that makes them. */
static _Noreturn void trial_child(int fd)
{
	for (int i = 0; i < T__COUNT; i++) {
		pid_t pid = fork();
		if (pid == 0) {
			run_one((enum trial)i, fd);
			_exit(0);
		}
		if (pid > 0)
			waitpid(pid, NULL, 0);
	}
	_exit(0);
}

int trials_run(struct trials *t, double timeout_s)
{
	double deadline = now_mono() + timeout_s;
	struct sbuf text = {0};
	int p[2], r = 0;
	pid_t pid;

	memset(t, 0, sizeof(*t));
	if (pipe2(p, O_CLOEXEC) < 0)
		return neg_errno();
	pid = fork();
	if (pid < 0) {
		r = neg_errno();
		close(p[0]), close(p[1]);
		return r;
	}
	if (pid == 0) {
		close(p[0]);
		setpgid(0, 0);
		trial_child(p[1]);
	}
	setpgid(pid, pid); /* either side may run first */
	close(p[1]);
	for (;;) {
		struct pollfd pf = {.fd = p[0], .events = POLLIN};
		char buf[512];
		int left = (int)((deadline - now_mono()) * 1000);
		if (left <= 0 || (poll(&pf, 1, left) < 0 && errno != EINTR))
			break;
		ssize_t got = read(p[0], buf, sizeof(buf));
		if (got < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (got <= 0)
			break;
		sb_printf(&text, "%.*s", (int)got, buf);
	}
	close(p[0]);
	/* at the deadline, or done: nothing of the group may outlive this call */
	kill(-pid, SIGKILL);
	while (waitpid(-pid, NULL, 0) > 0 || errno == EINTR)
		;
	waitpid(pid, NULL, WNOHANG);
	if (text.oom)
		r = -ENOMEM;
	else if (text.s)
		trials_parse(text.s, t);
	sb_free(&text);
	return r;
}

void trials_format(const struct trials *t, struct sbuf *out)
{
	for (int i = 0; i < T__COUNT; i++) {
		const struct trial_result *x = &t->r[i];
		if (x->ran)
			sb_printf(out, "%s %ld %s %s\n", trial_info[i].name, x->ret, x->ret < 0 ? errno_name(x->err) : "-",
				  *x->step ? x->step : "-");
	}
}

int trials_parse(const char *text, struct trials *t)
{
	int parsed = 0;

	memset(t, 0, sizeof(*t));
	for (const char *l = text; l && *l; l += strcspn(l, "\n") + (l[strcspn(l, "\n")] ? 1 : 0)) {
		char name[32], err[32], step[16];
		long ret;
		if (sscanf(l, "%31s %ld %31s %15s", name, &ret, err, step) != 4)
			continue;
		for (int i = 0; i < T__COUNT; i++)
			if (!strcmp(name, trial_info[i].name)) {
				struct trial_result *x = &t->r[i];
				x->ran = true;
				x->ret = ret;
				x->err = ret < 0 ? errno_from_name(err) : 0;
				snprintf(x->step, sizeof(x->step), "%s", strcmp(step, "-") ? step : "");
				parsed++;
			}
	}
	return parsed ? 0 : -EINVAL;
}

enum trial_outcome trial_outcome(enum trial which, const struct trial_result *r)
{
	if (!r->ran)
		return TO_NOT_RUN;
	if (r->ret >= 0 || (trial_info[which].reached && r->err == trial_info[which].reached))
		return TO_ALLOWED;
	return TO_DENIED;
}

void trial_describe(enum trial which, const struct trial_result *r, struct sbuf *out)
{
	switch (trial_outcome(which, r)) {
	case TO_NOT_RUN:
		sb_puts(out, "not measured (no answer in time)");
		return;
	case TO_ALLOWED:
		if (which == T_LANDLOCK)
			sb_printf(out, "works: ABI %ld", r->ret);
		else if (r->ret >= 0)
			sb_puts(out, "works");
		else
			sb_printf(out, "reached the kernel (%s for its bad arguments)", errno_name(r->err));
		break;
	case TO_DENIED:
		if (*r->step && which == T_PIVOT_ROOT)
			sb_printf(out, "fails: %s (%s)", errno_name(r->err),
				  !strcmp(r->step, "host_ns") ? "no namespace of its own could be made, so a missing "
								"CAP_SYS_ADMIN gives the same errno"
							      : "in a mount namespace of its own, without a user namespace");
		else if (*r->step)
			sb_printf(out, "fails at %s: %s", r->step, errno_name(r->err));
		else
			sb_printf(out, "fails: %s", errno_name(r->err));
		break;
	}
}

bool cap_has(uint64_t caps, int cap)
{
	return cap >= 0 && cap < 64 && (caps & (1ULL << cap));
}

bool cap_has_sys_admin(uint64_t caps)
{
	return cap_has(caps, 21);
}

static void trimmed(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%.*s", src ? (int)strcspn(src, "\n") : 0, src ? src : "");
}

static void masks(const struct evidence *ev, struct confinement *c)
{
	struct ev_mount m;

	for (const char *cur = ev->text[EV_MOUNTINFO]; ev_mount_next(&cur, &m);) {
		size_t i;
		if (strncmp(m.point, "/proc/", 6) && strcmp(m.point, "/sys/firmware"))
			continue;
		for (i = 0; i < c->nmasked && strcmp(c->masked[i].path, m.point); i++)
			;
		if (i == CONF_MAX_MASKS)
			continue;
		c->nmasked += i == c->nmasked;
		snprintf(c->masked[i].path, sizeof(c->masked[i].path), "%.*s", (int)sizeof(c->masked[i].path) - 1, m.point);
		size_t rl = strlen(m.root);
		if (rl >= 5 && !strcmp(m.root + rl - 5, "/null"))
			c->masked[i].how = "hidden (/dev/null)";
		else if (!strcmp(m.fstype, "proc"))
			c->masked[i].how = ev_opt_has(m.opts, "ro") ? "read-only" : "re-mounted read-write";
		else if (!strcmp(m.fstype, "tmpfs"))
			c->masked[i].how = "hidden (tmpfs)";
		else
			c->masked[i].how = "over-mounted";
	}
}

void confinement_read(const struct evidence *ev, struct confinement *c)
{
	char v[64];

	memset(c, 0, sizeof(*c));
	c->seccomp_mode = ev_status(ev, "Seccomp", v, sizeof(v)) ? atoi(v) : -1;
	c->seccomp_filters = ev_status(ev, "Seccomp_filters", v, sizeof(v)) ? atoi(v) : -1;
	c->no_new_privs = ev_status(ev, "NoNewPrivs", v, sizeof(v)) ? atoi(v) : -1;
	c->uid = ev_status(ev, "Uid", v, sizeof(v)) ? atol(v) : -1;
	if (ev_status(ev, "CapEff", v, sizeof(v))) {
		c->caps_known = true;
		c->cap_eff = strtoull(v, NULL, 16);
		c->cap_bnd = ev_status(ev, "CapBnd", v, sizeof(v)) ? strtoull(v, NULL, 16) : 0;
	}
	c->lsm_source = ev->text[EV_APPARMOR_CURRENT] && *ev->text[EV_APPARMOR_CURRENT] ? EV_APPARMOR_CURRENT
											 : EV_ATTR_CURRENT;
	trimmed(c->lsm_label, sizeof(c->lsm_label), ev->text[c->lsm_source]);
	masks(ev, c);
	trimmed(c->max_userns, sizeof(c->max_userns), ev->text[EV_MAX_USERNS]);
	trimmed(c->unpriv_userns_clone, sizeof(c->unpriv_userns_clone), ev->text[EV_UNPRIV_USERNS_CLONE]);
	trimmed(c->aa_restrict_userns, sizeof(c->aa_restrict_userns), ev->text[EV_AA_RESTRICT_USERNS]);
}

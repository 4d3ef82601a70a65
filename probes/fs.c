/* fs: writes outside the workspace, and the must-work file actions. */
#include "abi.h"
#include "common.h"
#include "registry.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

/* Each probe names its files after its token, so probes sharing one fixture
 * (batch mode) never judge each other's evidence. */

/* --- must work --- */

static int write_ws_attempt(const struct probe_env *env, struct attempt *a)
{
	char p[PATH_MAX];

	PPATH(p, "ws/%s.txt", env->token);
	return fail_at(a, "create", put_token(env, p, O_WRONLY | O_CREAT | O_EXCL));
}
static enum observed write_ws_verify(const struct host_view *hv, char *d, size_t n)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "ws/%s.txt", hv->env->token);
	return v_exists(hv, rel, d, n);
}

static int secret_arm(const struct probe_env *env, const char *rel)
{
	char p[PATH_MAX], secret[40];
	int r = ppath(env, p, "%s", rel);

	if (r < 0 || (r = random_hex(secret, sizeof(secret), 32)) < 0)
		return r;
	return write_str(p, secret);
}
static int read_secret(const struct probe_env *env, const char *rel, struct attempt *a)
{
	char p[PATH_MAX];
	_cleanup_free_ char *text = NULL;

	PPATH(p, "%s", rel);
	int r = read_file(p, 256, &text, NULL);
	if (r < 0)
		return fail_at(a, "read", r);
	snprintf(a->detail, sizeof(a->detail), "read %s", text);
	return 0;
}
static enum observed leaked_file_verify(const struct host_view *hv, const char *rel, char *d, size_t n)
{
	char p[PATH_MAX];
	_cleanup_free_ char *secret = NULL;

	if (ppath(hv->env, p, "%s", rel) < 0 || read_file(p, 256, &secret, NULL) < 0)
		return OBS_UNKNOWN;
	return v_leaked(hv, secret, d, n);
}

#define SECRET_PROBE(fn, rel)                                                                               \
	static int fn##_arm(const struct probe_env *env, char *why, size_t n)                               \
	{                                                                                                   \
		(void)why, (void)n;                                                                         \
		return secret_arm(env, rel);                                                                \
	}                                                                                                   \
	static int fn##_attempt(const struct probe_env *env, struct attempt *a)                             \
	{                                                                                                   \
		return read_secret(env, rel, a);                                                            \
	}                                                                                                   \
	static enum observed fn##_verify(const struct host_view *hv, char *d, size_t n)                     \
	{                                                                                                   \
		return leaked_file_verify(hv, rel, d, n);                                                   \
	}
SECRET_PROBE(read_ws, "ws/secret.txt")
SECRET_PROBE(read_outside, "outside/readable.txt")

static int exec_attempt(const struct probe_env *env, struct attempt *a)
{
	int pfd[2];
	char cmd[64], out[64] = "";
	pid_t pid;
	int st;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return fail_at(a, "pipe", neg_errno());
	snprintf(cmd, sizeof(cmd), "echo %s", env->token);
	pid = fork();
	if (pid == 0) {
		dup2(pfd[1], 1);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	ssize_t k = pid > 0 ? read(pfd[0], out, sizeof(out) - 1) : -1;
	close(pfd[0]);
	if (pid < 0)
		return fail_at(a, "fork", neg_errno());
	waitpid(pid, &st, 0);
	if (k > 0)
		out[strcspn((out[k] = 0, out), "\n")] = 0;
	snprintf(a->detail, sizeof(a->detail), "sh said %s, status %d", out, st);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -EACCES;
}
static enum observed exec_verify(const struct host_view *hv, char *d, size_t n)
{
	/* only a shell that really ran can have echoed this case's token back */
	if (hv->att && strstr(hv->att->detail, hv->env->token)) {
		snprintf(d, n, "/bin/sh ran and echoed the token");
		return OBS_ALLOWED;
	}
	snprintf(d, n, "no echo from /bin/sh");
	return OBS_BLOCKED;
}

static int write_tmp_attempt(const struct probe_env *env, struct attempt *a)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "/tmp/%s.txt", env->token);
	return fail_at(a, "create /tmp", put_token(env, p, O_WRONLY | O_CREAT | O_EXCL));
}
static enum observed write_tmp_verify(const struct host_view *hv, char *d, size_t n)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "tmp/%s.txt", hv->env->token);
	return v_exists(hv, rel, d, n);
}

/* --- writes outside --- */

static int shm_attempt(const struct probe_env *env, struct attempt *a)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "/dev/shm/%s.txt", env->token);
	return fail_at(a, "create /dev/shm", put_token(env, p, O_WRONLY | O_CREAT | O_EXCL));
}
static enum observed shm_verify(const struct host_view *hv, char *d, size_t n)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "shm/%s.txt", hv->env->token);
	return v_exists(hv, rel, d, n);
}

static int create_out_attempt(const struct probe_env *env, struct attempt *a)
{
	char p[PATH_MAX];

	PPATH(p, "outside/%s-new.txt", env->token);
	return fail_at(a, "create", put_token(env, p, O_WRONLY | O_CREAT | O_EXCL));
}
static enum observed create_out_verify(const struct host_view *hv, char *d, size_t n)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "outside/%s-new.txt", hv->env->token);
	return v_exists(hv, rel, d, n);
}

/* Probes on one pre-planted canary outside/<token>.txt. */
static int canary_arm(const struct probe_env *env, char *why, size_t n)
{
	char rel[64];

	(void)why, (void)n;
	snprintf(rel, sizeof(rel), "outside/%s.txt", env->token);
	return arm_canary(env, rel);
}
static enum observed canary_verify(const struct host_view *hv, char *d, size_t n)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "outside/%s.txt", hv->env->token);
	return v_canary_changed(hv, rel, d, n);
}

/* The outside canary through a foreign ABI: open and write with i386 or x32 numbers. */
static int abi_canary_arm(enum abi abi, const struct probe_env *env, char *why, size_t n)
{
	int r = abi_arm(abi, why, n);

	return r < 0 ? r : canary_arm(env, why, n);
}
static int abi_append_attempt(enum abi abi, const struct probe_env *env, struct attempt *a)
{
	char p[PATH_MAX], line[64];

	PPATH(p, "outside/%s.txt", env->token);
	snprintf(line, sizeof(line), "%s\n", env->token);
	return abi_append(abi, p, line, a);
}
static int i386_arm(const struct probe_env *env, char *why, size_t n)
{
	return abi_canary_arm(ABI_I386, env, why, n);
}
static int i386_attempt(const struct probe_env *env, struct attempt *a)
{
	return abi_append_attempt(ABI_I386, env, a);
}
static int x32_arm(const struct probe_env *env, char *why, size_t n)
{
	return abi_canary_arm(ABI_X32, env, why, n);
}
static int x32_attempt(const struct probe_env *env, struct attempt *a)
{
	return abi_append_attempt(ABI_X32, env, a);
}

static int overwrite_attempt(const struct probe_env *env, struct attempt *a)
{
	char p[PATH_MAX];

	PPATH(p, "outside/%s.txt", env->token);
	return fail_at(a, "open O_WRONLY|O_TRUNC", put_token(env, p, O_WRONLY | O_TRUNC));
}

static int append_attempt(const struct probe_env *env, struct attempt *a)
{
	char p[PATH_MAX];

	PPATH(p, "outside/%s.txt", env->token);
	return fail_at(a, "open O_APPEND", put_token(env, p, O_WRONLY | O_APPEND));
}

static int truncate_attempt(const struct probe_env *env, struct attempt *a)
{
	char p[PATH_MAX];

	PPATH(p, "outside/%s.txt", env->token);
	return fail_at(a, "truncate", truncate(p, 0) < 0 ? neg_errno() : 0);
}

static int rdonly_trunc_attempt(const struct probe_env *env, struct attempt *a)
{
	char p[PATH_MAX];

	PPATH(p, "outside/%s.txt", env->token);
	int fd = open(p, O_RDONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return fail_at(a, "open O_RDONLY|O_TRUNC", neg_errno());
	close(fd);
	return 0;
}

static int unlink_attempt(const struct probe_env *env, struct attempt *a)
{
	char p[PATH_MAX];

	PPATH(p, "outside/%s.txt", env->token);
	return fail_at(a, "unlink", unlink(p) < 0 ? neg_errno() : 0);
}

static int dotdot_attempt(const struct probe_env *env, struct attempt *a)
{
	char p[PATH_MAX];

	PPATH(p, "ws/src/../../outside/%s.txt", env->token);
	return fail_at(a, "open ../..", put_token(env, p, O_WRONLY | O_APPEND));
}

static int proc_root_attempt(const struct probe_env *env, struct attempt *a)
{
	char p[PATH_MAX];

	if (fmt(p, sizeof(p), "/proc/self/root%s/outside/%s.txt", env->root, env->token) < 0)
		return -ENAMETOOLONG;
	return fail_at(a, "open /proc/self/root/...", put_token(env, p, O_WRONLY | O_APPEND));
}

static int fd_reopen_attempt(const struct probe_env *env, struct attempt *a)
{
	char p[PATH_MAX], via[64];
	_cleanup_close_ int fd = -1;

	PPATH(p, "outside/%s.txt", env->token);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail_at(a, "open O_RDONLY", neg_errno());
	snprintf(via, sizeof(via), "/proc/self/fd/%d", fd);
	return fail_at(a, "reopen O_WRONLY", put_token(env, via, O_WRONLY | O_APPEND));
}

/* A symlink in the workspace pointing at the outside canary. */
static int symlink_arm(const struct probe_env *env, char *why, size_t n)
{
	char target[PATH_MAX], lnk[PATH_MAX];
	int r = canary_arm(env, why, n);

	if (r < 0)
		return r;
	PPATH(target, "outside/%s.txt", env->token);
	PPATH(lnk, "ws/%s-link", env->token);
	return symlink(target, lnk) < 0 ? neg_errno() : 0;
}
static int symlink_attempt(const struct probe_env *env, struct attempt *a)
{
	char p[PATH_MAX];

	PPATH(p, "ws/%s-link", env->token);
	return fail_at(a, "write through symlink", put_token(env, p, O_WRONLY | O_APPEND));
}

/* The fixture's ws/link-outside -> ../outside directory symlink. */
static int dirlink_attempt(const struct probe_env *env, struct attempt *a)
{
	char p[PATH_MAX];

	PPATH(p, "ws/link-outside/%s-dirlink.txt", env->token);
	return fail_at(a, "create via dir symlink", put_token(env, p, O_WRONLY | O_CREAT | O_EXCL));
}
static enum observed dirlink_verify(const struct host_view *hv, char *d, size_t n)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "outside/%s-dirlink.txt", hv->env->token);
	return v_exists(hv, rel, d, n);
}

/* A hard link to the outside canary planted in the workspace before the run. */
static int hardlink_arm(const struct probe_env *env, char *why, size_t n)
{
	char target[PATH_MAX], lnk[PATH_MAX];
	int r = canary_arm(env, why, n);

	if (r < 0)
		return r;
	PPATH(target, "outside/%s.txt", env->token);
	PPATH(lnk, "ws/%s-hard", env->token);
	return link(target, lnk) < 0 ? neg_errno() : 0;
}
static int hardlink_attempt(const struct probe_env *env, struct attempt *a)
{
	char p[PATH_MAX];

	PPATH(p, "ws/%s-hard", env->token);
	return fail_at(a, "write through hard link", put_token(env, p, O_WRONLY | O_APPEND));
}

static int newlink_attempt(const struct probe_env *env, struct attempt *a)
{
	char target[PATH_MAX], link_[PATH_MAX];

	PPATH(target, "outside/%s.txt", env->token);
	PPATH(link_, "ws/%s-newlink", env->token);
	/* on to the write even if link said no: no link, no write */
	int r = link(target, link_) < 0 ? fail_at(a, "link", neg_errno()) : 0;
	int w = fail_at(a, "write through new link", put_token(env, link_, O_WRONLY | O_APPEND));
	return r ? r : w;
}
/* The link alone is an escape: a workspace name for an outside inode. */
static enum observed newlink_verify(const struct host_view *hv, char *d, size_t n)
{
	char out[PATH_MAX], lnk[PATH_MAX];
	struct stat so, sl;
	enum observed o = canary_verify(hv, d, n);

	if (o != OBS_BLOCKED || ppath(hv->env, out, "outside/%s.txt", hv->env->token) < 0 ||
	    ppath(hv->env, lnk, "ws/%s-newlink", hv->env->token) < 0)
		return o;
	if (lstat(out, &so) == 0 && lstat(lnk, &sl) == 0 && so.st_ino == sl.st_ino && so.st_dev == sl.st_dev) {
		snprintf(d, n, "ws/%s-newlink is a hard link to the outside canary (canary unchanged)", hv->env->token);
		return OBS_ALLOWED;
	}
	return o;
}

static int rename_out_arm(const struct probe_env *env, char *why, size_t n)
{
	char rel[64];

	(void)why, (void)n;
	snprintf(rel, sizeof(rel), "ws/%s-move.txt", env->token);
	return arm_canary(env, rel);
}
static int rename_out_attempt(const struct probe_env *env, struct attempt *a)
{
	char from[PATH_MAX], to[PATH_MAX];

	PPATH(from, "ws/%s-move.txt", env->token);
	PPATH(to, "outside/%s-moved.txt", env->token);
	return fail_at(a, "rename", rename(from, to) < 0 ? neg_errno() : 0);
}
static enum observed rename_out_verify(const struct host_view *hv, char *d, size_t n)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "outside/%s-moved.txt", hv->env->token);
	return v_exists(hv, rel, d, n);
}

static int child_write_attempt(const struct probe_env *env, struct attempt *a)
{
	char p[PATH_MAX], cmd[PATH_MAX + 64];
	pid_t pid;
	int st;

	PPATH(p, "outside/%s.txt", env->token);
	snprintf(cmd, sizeof(cmd), "echo %s >> '%s'", env->token, p);
	pid = fork();
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	if (pid < 0)
		return fail_at(a, "fork", neg_errno());
	waitpid(pid, &st, 0);
	snprintf(a->detail, sizeof(a->detail), "child shell status %d", st);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -EACCES;
}

/* --- more ways out: names, paths and renames --- */

static int rmdir_arm(const struct probe_env *env, char *why, size_t n)
{
	char p[PATH_MAX];

	(void)why, (void)n;
	PPATH(p, "outside/%s-dir", env->token);
	return mkdir(p, 0755) < 0 ? neg_errno() : 0;
}
static int rmdir_attempt(const struct probe_env *env, struct attempt *a)
{
	char p[PATH_MAX];

	PPATH(p, "outside/%s-dir", env->token);
	return fail_at(a, "rmdir", rmdir(p) < 0 ? neg_errno() : 0);
}
static enum observed rmdir_verify(const struct host_view *hv, char *d, size_t n)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "outside/%s-dir", hv->env->token);
	return v_gone(hv, rel, d, n);
}

/* Moving an outside file into the workspace deletes it from outside. */
static int rename_in_arm(const struct probe_env *env, char *why, size_t n)
{
	char rel[64];

	(void)why, (void)n;
	snprintf(rel, sizeof(rel), "outside/%s-in.txt", env->token);
	return arm_canary(env, rel);
}
static int rename_in_attempt(const struct probe_env *env, struct attempt *a)
{
	char from[PATH_MAX], to[PATH_MAX];

	PPATH(from, "outside/%s-in.txt", env->token);
	PPATH(to, "ws/%s-in.txt", env->token);
	return fail_at(a, "rename", rename(from, to) < 0 ? neg_errno() : 0);
}
static enum observed rename_in_verify(const struct host_view *hv, char *d, size_t n)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "outside/%s-in.txt", hv->env->token);
	return v_gone(hv, rel, d, n);
}

/* renameat2(RENAME_EXCHANGE) swaps a workspace file with the outside canary:
 * one call that both deletes and creates on each side. */
static int exchange_arm(const struct probe_env *env, char *why, size_t n)
{
	char p[PATH_MAX];
	int r = canary_arm(env, why, n);

	if (r < 0)
		return r;
	PPATH(p, "ws/%s-swap.txt", env->token);
	return write_str(p, "workspace file\n");
}
static int exchange_attempt(const struct probe_env *env, struct attempt *a)
{
	char ws[PATH_MAX], out[PATH_MAX];

	PPATH(ws, "ws/%s-swap.txt", env->token);
	PPATH(out, "outside/%s.txt", env->token);
	return fail_at(a, "renameat2(RENAME_EXCHANGE)",
		       renameat2(AT_FDCWD, ws, AT_FDCWD, out, RENAME_EXCHANGE) < 0 ? neg_errno() : 0);
}

static int proc_cwd_attempt(const struct probe_env *env, struct attempt *a)
{
	char ws[PATH_MAX], p[PATH_MAX];

	PPATH(ws, "ws");
	if (chdir(ws) < 0)
		return fail_at(a, "chdir ws", neg_errno());
	snprintf(p, sizeof(p), "/proc/self/cwd/../outside/%s.txt", env->token);
	return fail_at(a, "open /proc/self/cwd/../outside", put_token(env, p, O_WRONLY | O_APPEND));
}

static int dev_fd_attempt(const struct probe_env *env, struct attempt *a)
{
	char ws[PATH_MAX], p[PATH_MAX];
	_cleanup_close_ int dfd = -1;

	PPATH(ws, "ws");
	dfd = open(ws, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return fail_at(a, "open ws O_PATH", neg_errno());
	snprintf(p, sizeof(p), "/dev/fd/%d/../outside/%s.txt", dfd, env->token);
	return fail_at(a, "open /dev/fd/N/../outside", put_token(env, p, O_WRONLY | O_APPEND));
}

/* --- metadata outside: Landlock has no right for any of these --- */

#define ARMED_MODE 0644
#define ARMED_MTIME 1000000000 /* 2001-09-09: no attempt sets it by chance */

/* The canary with a known mode and mtime; verify compares against them. */
static int meta_arm(const struct probe_env *env, char *why, size_t n)
{
	char p[PATH_MAX];
	const struct timespec t[2] = {{.tv_sec = ARMED_MTIME}, {.tv_sec = ARMED_MTIME}};
	int r = canary_arm(env, why, n);

	if (r < 0)
		return r;
	PPATH(p, "outside/%s.txt", env->token);
	if (chmod(p, ARMED_MODE) < 0 || utimensat(AT_FDCWD, p, t, 0) < 0)
		return neg_errno();
	return 0;
}

/* stat the canary host side; 0 or OBS_UNKNOWN with the reason in d. */
static int canary_stat(const struct host_view *hv, struct stat *st, char *d, size_t n)
{
	char p[PATH_MAX];

	if (ppath(hv->env, p, "outside/%s.txt", hv->env->token) < 0)
		return -ENAMETOOLONG;
	if (lstat(p, st) < 0) {
		int r = neg_errno();
		snprintf(d, n, "outside/%s.txt: %s", hv->env->token, errno_name(r));
		return r;
	}
	return 0;
}

static int chmod_attempt(const struct probe_env *env, struct attempt *a)
{
	char p[PATH_MAX];

	PPATH(p, "outside/%s.txt", env->token);
	return fail_at(a, "chmod 0755", chmod(p, 0755) < 0 ? neg_errno() : 0);
}
static enum observed chmod_verify(const struct host_view *hv, char *d, size_t n)
{
	struct stat st;

	if (canary_stat(hv, &st, d, n) < 0)
		return OBS_UNKNOWN;
	snprintf(d, n, "canary mode %04o (armed %04o)", (unsigned)(st.st_mode & 07777), ARMED_MODE);
	return (st.st_mode & 07777) != ARMED_MODE ? OBS_ALLOWED : OBS_BLOCKED;
}

/* Another uid than the canary's owner, whoever runs the probe. */
static int chown_attempt(const struct probe_env *env, struct attempt *a)
{
	char p[PATH_MAX];
	struct stat st;

	PPATH(p, "outside/%s.txt", env->token);
	if (stat(p, &st) < 0)
		return fail_at(a, "stat", neg_errno());
	uid_t to = st.st_uid == 65534 ? 65533 : 65534;
	snprintf(a->detail, sizeof(a->detail), "chown to uid %u", (unsigned)to);
	return fail_at(a, "chown", chown(p, to, (gid_t)-1) < 0 ? neg_errno() : 0);
}
/* The canary's owner against the outside dir's: the harness made both. */
static enum observed chown_verify(const struct host_view *hv, char *d, size_t n)
{
	char dir[PATH_MAX];
	struct stat st, dst;

	if (canary_stat(hv, &st, d, n) < 0 || ppath(hv->env, dir, "outside") < 0 || lstat(dir, &dst) < 0)
		return OBS_UNKNOWN;
	snprintf(d, n, "canary owned by uid %u (outside/ by %u)", (unsigned)st.st_uid, (unsigned)dst.st_uid);
	return st.st_uid != dst.st_uid ? OBS_ALLOWED : OBS_BLOCKED;
}

static int utimes_attempt(const struct probe_env *env, struct attempt *a)
{
	char p[PATH_MAX];

	PPATH(p, "outside/%s.txt", env->token);
	return fail_at(a, "utimensat now", utimensat(AT_FDCWD, p, NULL, 0) < 0 ? neg_errno() : 0);
}
static enum observed utimes_verify(const struct host_view *hv, char *d, size_t n)
{
	struct stat st;

	if (canary_stat(hv, &st, d, n) < 0)
		return OBS_UNKNOWN;
	snprintf(d, n, "canary mtime %lld (armed %d)", (long long)st.st_mtim.tv_sec, ARMED_MTIME);
	return st.st_mtim.tv_sec != ARMED_MTIME ? OBS_ALLOWED : OBS_BLOCKED;
}

#define XATTR_NAME "user.cagetest"

/* Skip where the scratch filesystem has no user.* xattrs at all. */
static int xattr_arm(const struct probe_env *env, char *why, size_t n)
{
	char p[PATH_MAX];
	int r = canary_arm(env, why, n);

	if (r < 0)
		return r;
	PPATH(p, "outside/%s.txt", env->token);
	if (setxattr(p, XATTR_NAME ".arm", "1", 1, 0) < 0) {
		if (errno != ENOTSUP)
			return neg_errno();
		snprintf(why, n, "the scratch filesystem has no user.* extended attributes");
		return -EOPNOTSUPP;
	}
	return removexattr(p, XATTR_NAME ".arm") < 0 ? neg_errno() : 0;
}
static int xattr_attempt(const struct probe_env *env, struct attempt *a)
{
	char p[PATH_MAX];

	PPATH(p, "outside/%s.txt", env->token);
	return fail_at(a, "setxattr " XATTR_NAME,
		       setxattr(p, XATTR_NAME, env->token, strlen(env->token), 0) < 0 ? neg_errno() : 0);
}
static enum observed xattr_verify(const struct host_view *hv, char *d, size_t n)
{
	char p[PATH_MAX], val[64];
	ssize_t k;

	if (ppath(hv->env, p, "outside/%s.txt", hv->env->token) < 0)
		return OBS_UNKNOWN;
	k = getxattr(p, XATTR_NAME, val, sizeof(val) - 1);
	if (k < 0) {
		int err = errno;
		snprintf(d, n, "canary has no " XATTR_NAME " (%s)", errno_name(-err));
		return err == ENODATA ? OBS_BLOCKED : OBS_UNKNOWN;
	}
	val[k] = 0;
	snprintf(d, n, "canary carries " XATTR_NAME "=%s", val);
	return strstr(val, hv->env->token) ? OBS_ALLOWED : OBS_BLOCKED;
}

/* --- ways around path checks --- */

/* The launcher leaked fd PROBE_LEAKED_FD open O_RDWR on outside/leaked.txt:
 * an fd opened before the sandbox carries its rights in. */
static int leaked_fd_attempt(const struct probe_env *env, struct attempt *a)
{
	char line[64];

	if (fcntl(PROBE_LEAKED_FD, F_GETFD) < 0)
		return fail_at(a, "fcntl(inherited fd)", neg_errno());
	snprintf(line, sizeof(line), "%s\n", env->token);
	return fail_at(a, "write to the inherited fd", write_all(PROBE_LEAKED_FD, line, strlen(line)));
}
static enum observed leaked_fd_verify(const struct host_view *hv, char *d, size_t n)
{
	return v_has_token(hv, "outside/leaked.txt", d, n);
}

/* io_uring does the open and the write in the kernel, off the syscall path:
 * raw syscalls, no liburing. */
struct uring {
	int fd;
	struct io_uring_params p;
	void *sq, *cq;
	size_t sqlen, cqlen;
	struct io_uring_sqe *sqes;
};

static void uring_close(struct uring *u)
{
	if (u->sqes)
		munmap(u->sqes, u->p.sq_entries * sizeof(*u->sqes));
	if (u->cq && u->cq != u->sq)
		munmap(u->cq, u->cqlen);
	if (u->sq)
		munmap(u->sq, u->sqlen);
	if (u->fd >= 0)
		close(u->fd);
}

static void *uring_map(int fd, size_t len, off_t off)
{
	void *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, off);

	return m == MAP_FAILED ? NULL : m;
}

static int uring_open(struct uring *u)
{
	memset(u, 0, sizeof(*u));
	u->fd = (int)syscall(SYS_io_uring_setup, 2, &u->p);
	if (u->fd < 0)
		return neg_errno();
	u->sqlen = u->p.sq_off.array + u->p.sq_entries * sizeof(unsigned);
	u->cqlen = u->p.cq_off.cqes + u->p.cq_entries * sizeof(struct io_uring_cqe);
	if (u->p.features & IORING_FEAT_SINGLE_MMAP)
		u->sqlen = u->cqlen = u->sqlen > u->cqlen ? u->sqlen : u->cqlen;
	u->sq = uring_map(u->fd, u->sqlen, IORING_OFF_SQ_RING);
	u->cq = u->p.features & IORING_FEAT_SINGLE_MMAP ? u->sq : uring_map(u->fd, u->cqlen, IORING_OFF_CQ_RING);
	u->sqes = uring_map(u->fd, u->p.sq_entries * sizeof(*u->sqes), IORING_OFF_SQES);
	return u->sq && u->cq && u->sqes ? 0 : -ENOMEM;
}

/* Submit one sqe, wait for its completion; its res (>= 0 or -errno). */
static int uring_do(struct uring *u, const struct io_uring_sqe *sqe)
{
	unsigned *tail = (unsigned *)((char *)u->sq + u->p.sq_off.tail);
	unsigned mask = *(unsigned *)((char *)u->sq + u->p.sq_off.ring_mask);
	unsigned *array = (unsigned *)((char *)u->sq + u->p.sq_off.array);
	unsigned *chead = (unsigned *)((char *)u->cq + u->p.cq_off.head);
	unsigned *ctail = (unsigned *)((char *)u->cq + u->p.cq_off.tail);
	unsigned cmask = *(unsigned *)((char *)u->cq + u->p.cq_off.ring_mask);
	struct io_uring_cqe *cqes = (struct io_uring_cqe *)((char *)u->cq + u->p.cq_off.cqes);
	unsigned t = *tail, h;
	int res;

	u->sqes[t & mask] = *sqe;
	array[t & mask] = t & mask;
	__atomic_store_n(tail, t + 1, __ATOMIC_RELEASE);
	if (syscall(SYS_io_uring_enter, u->fd, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0) < 0)
		return neg_errno();
	h = *chead;
	if (h == __atomic_load_n(ctail, __ATOMIC_ACQUIRE))
		return -EAGAIN;
	res = cqes[h & cmask].res;
	__atomic_store_n(chead, h + 1, __ATOMIC_RELEASE);
	return res;
}

static int uring_attempt(const struct probe_env *env, struct attempt *a)
{
	char p[PATH_MAX], line[64];
	struct uring u;
	int r, fd;

	PPATH(p, "outside/%s.txt", env->token);
	snprintf(line, sizeof(line), "%s\n", env->token);
	if ((r = uring_open(&u)) < 0) {
		uring_close(&u);
		return fail_at(a, "io_uring_setup", r);
	}
	const struct io_uring_sqe op = {.opcode = IORING_OP_OPENAT, .fd = AT_FDCWD, .addr = (uintptr_t)p,
					.open_flags = O_WRONLY | O_APPEND | O_CLOEXEC};
	fd = uring_do(&u, &op);
	if (fd < 0) {
		uring_close(&u);
		return fail_at(a, "IORING_OP_OPENAT", fd);
	}
	const struct io_uring_sqe wr = {.opcode = IORING_OP_WRITE, .fd = fd, .addr = (uintptr_t)line,
					.len = (unsigned)strlen(line), .off = (uint64_t)-1};
	r = uring_do(&u, &wr);
	close(fd);
	uring_close(&u);
	return fail_at(a, "IORING_OP_WRITE", r < 0 ? r : 0);
}

/* A user+mount namespace of its own: bind the outside dir onto itself and
 * remount it without MS_RDONLY. Locked mounts (bwrap) refuse; the kernel
 * keeps nosuid/nodev/noexec locked, so those are carried over. */
static int mountns_arm(const struct probe_env *env, char *why, size_t n)
{
	char rel[64];

	(void)why, (void)n;
	snprintf(rel, sizeof(rel), "outside/%s-mnt/canary.txt", env->token);
	return arm_canary(env, rel);
}
static int map_self(const char *file, unsigned id)
{
	char line[32];

	snprintf(line, sizeof(line), "0 %u 1\n", id);
	return write_str(file, line);
}
static int mountns_attempt(const struct probe_env *env, struct attempt *a)
{
	char dir[PATH_MAX], p[PATH_MAX];
	uid_t uid = getuid();
	gid_t gid = getgid();
	struct statvfs sv;
	unsigned long keep = 0;
	int r;

	PPATH(dir, "outside/%s-mnt", env->token);
	PPATH(p, "outside/%s-mnt/canary.txt", env->token);
	/* never mount in the parent's namespace, nor where a mount could
	 * propagate back */
	if ((r = own_mount_ns(CLONE_NEWUSER | CLONE_NEWNS, "unshare(NEWUSER|NEWNS)", a)) < 0)
		return r;
	/* an unprivileged uid may write gid_map only after this; root need not */
	write_str("/proc/self/setgroups", "deny");
	fail_at(a, "uid map", map_self("/proc/self/uid_map", uid));
	fail_at(a, "gid map", map_self("/proc/self/gid_map", gid));
	if ((r = private_mounts(a)) < 0)
		return r;
	/* from here each step is tried whatever the one before said: a
	 * remount of what is no mount, or a write to a read-only one, fails */
	if (mount(dir, dir, NULL, MS_BIND, NULL) < 0)
		fail_at(a, "bind outside dir", neg_errno());
	if (statvfs(dir, &sv) == 0)
		keep = (sv.f_flag & ST_NOSUID ? MS_NOSUID : 0) | (sv.f_flag & ST_NODEV ? MS_NODEV : 0) |
		       (sv.f_flag & ST_NOEXEC ? MS_NOEXEC : 0);
	if (mount(NULL, dir, NULL, MS_REMOUNT | MS_BIND | keep, NULL) < 0)
		fail_at(a, "remount read-write", neg_errno());
	return fail_at(a, "write through the remount", put_token(env, p, O_WRONLY | O_APPEND));
}
static enum observed mountns_verify(const struct host_view *hv, char *d, size_t n)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "outside/%s-mnt/canary.txt", hv->env->token);
	return v_canary_changed(hv, rel, d, n);
}

/* name_to_handle_at + open_by_handle_at: an open with no path to check
 * (CAP_DAC_READ_SEARCH; the "shocker" container escape). */
static int handle_attempt(const struct probe_env *env, struct attempt *a)
{
	char p[PATH_MAX], dir[PATH_MAX], line[64];
	_cleanup_free_ struct file_handle *fh = malloc(sizeof(*fh) + MAX_HANDLE_SZ);
	_cleanup_close_ int mfd = -1, fd = -1;
	int mount_id;

	if (!fh)
		return -ENOMEM;
	PPATH(p, "outside/%s.txt", env->token);
	PPATH(dir, "outside");
	fh->handle_bytes = MAX_HANDLE_SZ;
	if (name_to_handle_at(AT_FDCWD, p, fh, &mount_id, 0) < 0)
		return fail_at(a, "name_to_handle_at", neg_errno());
	mfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (mfd < 0)
		return fail_at(a, "open mount fd", neg_errno());
	fd = open_by_handle_at(mfd, fh, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0)
		return fail_at(a, "open_by_handle_at O_WRONLY", neg_errno());
	snprintf(line, sizeof(line), "%s\n", env->token);
	return fail_at(a, "write", write_all(fd, line, strlen(line)));
}

/* --- persistence and the sandbox's own config in the fake HOME --- */

APPEND_PROBE(home_bashrc, "home/.bashrc")
APPEND_PROBE(home_profile, "home/.profile")
APPEND_PROBE(home_ssh_keys, "home/.ssh/authorized_keys")
APPEND_PROBE(home_codex, "home/.codex/config.toml")

static int autostart_attempt(const struct probe_env *env, struct attempt *a)
{
	char p[PATH_MAX], text[160];

	PPATH(p, "home/.config/autostart/%s.desktop", env->token);
	snprintf(text, sizeof(text), "[Desktop Entry]\nType=Application\nName=cagetest\nExec=true cagetest-%s\n", env->token);
	return fail_at(a, "create autostart entry", put_text(p, O_WRONLY | O_CREAT | O_EXCL, text));
}
static enum observed autostart_verify(const struct host_view *hv, char *d, size_t n)
{
	char rel[96];

	snprintf(rel, sizeof(rel), "home/.config/autostart/%s.desktop", hv->env->token);
	return v_exists(hv, rel, d, n);
}

/* ---------- across launches ---------- */

/* Names a launcher creates, binds over or writes while it sets a sandbox
 * up: srt's deny list (mount points made for names that do not exist),
 * editor and agent dirs, and its TMPDIR (/tmp/claude); each becomes a
 * symlink out of the workspace, to outside/TOKEN-N (dangling: whatever
 * creates it creates it outside), or, for /tmp/claude, to an existing
 * outside dir. The second launch of the same sandbox sets up over them. */
static const char *const relaunch_links[] = {
	"ws/.bashrc", "ws/.bash_profile", "ws/.zshrc", "ws/.zprofile", "ws/.profile", "ws/.gitconfig",
	"ws/.gitmodules", "ws/.ripgreprc", "ws/.mcp.json", "ws/.envrc", "ws/.vscode", "ws/.idea", "ws/.claude",
	"ws/src/.git", "ws/src/.codex", "ws/src/.agents", "tmp/.git", "tmp/.codex", "tmp/.agents",
};

static int relaunch_arm(const struct probe_env *env, char *why, size_t n)
{
	char p[PATH_MAX];

	(void)why, (void)n;
	PPATH(p, "outside/%s-tmpdir", env->token);
	return mkdir(p, 0755) < 0 ? neg_errno() : 0;
}
static int relaunch_attempt(const struct probe_env *env, struct attempt *a)
{
	char lnk[PATH_MAX], target[PATH_MAX];
	int made = 0, r = 0;

	for (size_t i = 0; i < ARRAY_SIZE(relaunch_links); i++) {
		PPATH(lnk, "%s", relaunch_links[i]);
		PPATH(target, "outside/%s-%zu", env->token, i);
		if (symlink(target, lnk) < 0)
			r = r ? r : neg_errno();
		else
			made++;
	}
	/* the TMPDIR srt gives the box, in the case's /tmp: to an existing dir */
	PPATH(target, "outside/%s-tmpdir", env->token);
	PPATH(lnk, "tmp/claude");
	if (symlink(target, lnk) == 0)
		made++;
	detail_add(a, "%d of %zu links planted%s%s", made, ARRAY_SIZE(relaunch_links) + 1, r ? ", first refusal " : "",
		   r ? errno_name(r) : "");
	/* the plain route, so a box that stops nothing shows the effect: write
	 * through the first link (a launcher's own write carries no token) */
	PPATH(lnk, "%s", relaunch_links[0]);
	return fail_at(a, "write through a planted link", put_token(env, lnk, O_WRONLY | O_CREAT | O_APPEND));
}
/* allowed if anything of this probe's appeared outside: a link's target, or
 * an entry in the outside dir /tmp/claude leads to. */
static enum observed relaunch_verify(const struct host_view *hv, char *d, size_t n)
{
	char dir[PATH_MAX], prefix[48], found[160] = "";
	size_t k = 0, count = 0;
	bool token = false;
	DIR *dh;
	struct dirent *e;

	if (ppath(hv->env, dir, "outside/%s-tmpdir", hv->env->token) < 0)
		return OBS_UNKNOWN;
	if ((dh = opendir(dir))) {
		while ((e = readdir(dh)))
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
				count++;
				if (k < sizeof(found))
					k += (size_t)snprintf(found + k, sizeof(found) - k, " %s-tmpdir/%s", hv->env->token, e->d_name);
			}
		closedir(dh);
	}
	if (ppath(hv->env, dir, "outside") < 0 || !(dh = opendir(dir)))
		return OBS_UNKNOWN;
	snprintf(prefix, sizeof(prefix), "%s-", hv->env->token);
	while ((e = readdir(dh))) {
		char rel[PATH_MAX], scratch[8];
		if (strncmp(e->d_name, prefix, strlen(prefix)) || !strcmp(e->d_name + strlen(prefix), "tmpdir"))
			continue;
		count++;
		snprintf(rel, sizeof(rel), "outside/%s", e->d_name);
		token = token || v_has_token(hv, rel, scratch, sizeof(scratch)) == OBS_ALLOWED;
		if (k < sizeof(found))
			k += (size_t)snprintf(found + k, sizeof(found) - k, " %s", e->d_name);
	}
	closedir(dh);
	if (!count) {
		snprintf(d, n, "nothing of the probe's appeared outside, after a second launch");
		return OBS_BLOCKED;
	}
	snprintf(d, n, "outside gained%s (%s)", found,
		 token ? "the box's own write through a link" : "no token in it: the launcher's set-up followed a planted link");
	return OBS_ALLOWED;
}

const struct probe fs_probes[] = {
	{
		.id = "fs.write_workspace",
		.effect = EFFECT_WRITE_WORKSPACE,
		.summary = "create a new file in the workspace",
		.evidence = "the file named by the token exists on the host (empty or not)",
		.blocked_by = "read-only modes",
		.hint = "the workspace must be writable in write modes: check the writable roots",
		.attempt = write_ws_attempt,
		.verify = write_ws_verify,
	},
	{
		.id = "fs.read_workspace",
		.effect = EFFECT_READ_ANY,
		.summary = "read a file in the workspace",
		.evidence = "the box reports the random secret the host planted" BOX_REPORT,
		.blocked_by = "nothing in the default modes",
		.hint = "reads of the workspace must work in every mode",
		.arm = read_ws_arm,
		.attempt = read_ws_attempt,
		.verify = read_ws_verify,
	},
	{
		.id = "fs.read_outside",
		.effect = EFFECT_READ_ANY,
		.summary = "read a file outside the workspace",
		.evidence = "the box reports the random secret the host planted" BOX_REPORT,
		.blocked_by = "deny-read policies (srt denyRead)",
		.hint = "the default modes allow reading everywhere",
		.arm = read_outside_arm,
		.attempt = read_outside_attempt,
		.verify = read_outside_verify,
	},
	{
		.id = "fs.exec_shell",
		.effect = EFFECT_EXEC,
		.summary = "run /bin/sh and read its output",
		.evidence = "the shell's echo of the case token comes back" BOX_REPORT,
		.blocked_by = "exec-restricting policies",
		.hint = "programs must be able to run in every mode",
		.attempt = exec_attempt,
		.verify = exec_verify,
	},
	{
		.id = "fs.write_tmp",
		.effect = EFFECT_WRITE_TMP,
		.needs = NEED_TMPNS,
		.summary = "create a file in /tmp",
		.evidence = "the file named by the token appears in the case's private /tmp",
		.blocked_by = "modes without /tmp in the writable roots",
		.hint = "add /tmp to the writable roots, or expect tools that need it to fail",
		.attempt = write_tmp_attempt,
		.verify = write_tmp_verify,
	},
	{
		.id = "fs.write_dev_shm",
		.effect = EFFECT_WRITE_OUTSIDE,
		.needs = NEED_TMPNS,
		.summary = "create a file in /dev/shm",
		.evidence = "the file named by the token appears in the case's private /dev/shm",
		.blocked_by = "Landlock (no rule for /dev/shm), bwrap --dev",
		.hint = "do not make /dev/shm writable: it is shared with the host",
		.attempt = shm_attempt,
		.verify = shm_verify,
	},
	{
		.id = "fs.create_outside",
		.effect = EFFECT_WRITE_OUTSIDE,
		.summary = "create a new file outside the workspace",
		.evidence = "the file exists on the host",
		.blocked_by = "Landlock, bwrap --ro-bind, Seatbelt",
		.hint = "only the workspace and temp dirs may be writable",
		.attempt = create_out_attempt,
		.verify = create_out_verify,
	},
	{
		.id = "fs.overwrite_outside",
		.effect = EFFECT_WRITE_OUTSIDE,
		.summary = "open an outside file O_WRONLY|O_TRUNC and write",
		.evidence = "canary content changed",
		.blocked_by = "Landlock, bwrap --ro-bind, Seatbelt",
		.hint = "only the workspace and temp dirs may be writable",
		.arm = canary_arm,
		.attempt = overwrite_attempt,
		.verify = canary_verify,
	},
	{
		.id = "fs.append_outside",
		.effect = EFFECT_WRITE_OUTSIDE,
		.summary = "append to an outside file",
		.evidence = "canary content changed",
		.blocked_by = "Landlock, bwrap --ro-bind, Seatbelt",
		.hint = "only the workspace and temp dirs may be writable",
		.arm = canary_arm,
		.attempt = append_attempt,
		.verify = canary_verify,
	},
	{
		.id = "fs.i386_write_outside",
		.effect = EFFECT_WRITE_OUTSIDE,
		.summary = "append to an outside file through int 0x80 (i386 open and write)",
		.evidence = "canary content changed",
		.blocked_by = "Landlock, bind mounts, Seatbelt (none of them looks at syscall numbers); seccomp filters that check the architecture",
		.hint = "path rules hold whatever the ABI; a filter that denies file syscalls by x86_64 number must also "
			"stop the i386 arch",
		.arm = i386_arm,
		.attempt = i386_attempt,
		.verify = canary_verify,
	},
	{
		.id = "fs.x32_write_outside",
		.effect = EFFECT_WRITE_OUTSIDE,
		.summary = "append to an outside file with x32 syscall numbers (open, write)",
		.evidence = "canary content changed",
		.blocked_by = "Landlock, bind mounts, Seatbelt; seccomp filters that deny the x32 bit",
		.hint = "a filter that denies file syscalls by number must also reject the x32 bit",
		.arm = x32_arm,
		.attempt = x32_attempt,
		.verify = canary_verify,
	},
	{
		.id = "fs.relaunch_follow",
		.effect = EFFECT_WRITE_OUTSIDE,
		.flags = PROBE_SOLO | PROBE_RELAUNCH,
		.summary = "plant symlinks out of the workspace at the names a launcher sets up (srt's deny list, .vscode, .claude, nested .git/.codex/.agents, /tmp/claude); the same sandbox is launched again, empty",
		.evidence = "after the second launch, outside/ holds a file or dir of the probe's, or the outside dir /tmp/claude led to is no longer empty (a launcher's own write carries no token; the box's, through a link, does)",
		.blocked_by = "launchers that create mount points with O_NOFOLLOW or refuse symlinks at the paths they set up; a box that cannot plant there",
		.hint = "what a sandbox left behind is the next launch's input: open every path it sets up with O_NOFOLLOW "
			"(or resolve it beneath the workspace) before binding over it or creating it",
		.arm = relaunch_arm,
		.attempt = relaunch_attempt,
		.verify = relaunch_verify,
	},
	{
		.id = "fs.truncate_outside",
		.effect = EFFECT_WRITE_OUTSIDE,
		.summary = "truncate(2) an outside file to zero",
		.evidence = "canary size changed",
		.blocked_by = "Landlock ABI >= 3, bwrap --ro-bind",
		.hint = "Landlock before ABI 3 (Linux 6.2) cannot stop truncate: use a newer kernel or bwrap",
		.arm = canary_arm,
		.attempt = truncate_attempt,
		.verify = canary_verify,
	},
	{
		.id = "fs.rdonly_trunc_outside",
		.effect = EFFECT_WRITE_OUTSIDE,
		.summary = "open an outside file O_RDONLY|O_TRUNC",
		.evidence = "canary size changed",
		.blocked_by = "Landlock ABI >= 3, bwrap --ro-bind",
		.hint = "Landlock before ABI 3 lets a read-only open truncate: use a newer kernel or bwrap",
		.arm = canary_arm,
		.attempt = rdonly_trunc_attempt,
		.verify = canary_verify,
	},
	{
		.id = "fs.unlink_outside",
		.effect = EFFECT_WRITE_OUTSIDE,
		.summary = "unlink an outside file",
		.evidence = "canary gone",
		.blocked_by = "Landlock, bwrap --ro-bind, Seatbelt",
		.hint = "only the workspace and temp dirs may be writable",
		.arm = canary_arm,
		.attempt = unlink_attempt,
		.verify = canary_verify,
	},
	{
		.id = "fs.rename_out",
		.effect = EFFECT_WRITE_OUTSIDE,
		.summary = "rename a workspace file to outside the workspace",
		.evidence = "the file appears outside",
		.blocked_by = "Landlock (EXDEV/EACCES), bwrap (EXDEV across mounts)",
		.hint = "renames must not cross the writable roots",
		.arm = rename_out_arm,
		.attempt = rename_out_attempt,
		.verify = rename_out_verify,
	},
	{
		.id = "fs.dotdot_path",
		.effect = EFFECT_WRITE_OUTSIDE,
		.summary = "write outside through ws/src/../../outside",
		.evidence = "canary content changed",
		.blocked_by = "Landlock, bwrap, Seatbelt (path resolution)",
		.hint = "policies must check resolved paths, not strings",
		.arm = canary_arm,
		.attempt = dotdot_attempt,
		.verify = canary_verify,
	},
	{
		.id = "fs.proc_self_root",
		.effect = EFFECT_WRITE_OUTSIDE,
		.summary = "write outside through /proc/self/root",
		.evidence = "canary content changed",
		.blocked_by = "Landlock, bwrap",
		.hint = "policies must check resolved paths, not strings",
		.arm = canary_arm,
		.attempt = proc_root_attempt,
		.verify = canary_verify,
	},
	{
		.id = "fs.proc_fd_reopen",
		.effect = EFFECT_WRITE_OUTSIDE,
		.summary = "open an outside file read-only, reopen /proc/self/fd/N for writing",
		.evidence = "canary content changed",
		.blocked_by = "Landlock (reopen is checked), bwrap --ro-bind",
		.hint = "a reopen through /proc must be checked like a fresh open",
		.arm = canary_arm,
		.attempt = fd_reopen_attempt,
		.verify = canary_verify,
	},
	{
		.id = "fs.symlink_file",
		.effect = EFFECT_WRITE_OUTSIDE,
		.summary = "write through a workspace symlink to an outside file",
		.evidence = "canary content changed",
		.blocked_by = "Landlock, bwrap, Seatbelt (target resolved)",
		.hint = "check symlink targets, not link locations",
		.arm = symlink_arm,
		.attempt = symlink_attempt,
		.verify = canary_verify,
	},
	{
		.id = "fs.symlink_dir",
		.effect = EFFECT_WRITE_OUTSIDE,
		.summary = "create a file through a workspace symlink to an outside directory",
		.evidence = "the file appears outside",
		.blocked_by = "Landlock, bwrap, Seatbelt (target resolved)",
		.hint = "check symlink targets, not link locations",
		.attempt = dirlink_attempt,
		.verify = dirlink_verify,
	},
	{
		.id = "fs.hardlink_planted",
		.effect = EFFECT_WRITE_OUTSIDE,
		.summary = "write through a hard link to an outside file planted in the workspace",
		.evidence = "canary content changed",
		.blocked_by = "almost nothing: path-based policies see a workspace path",
		.hint = "scan the workspace for hard links to files outside it (st_nlink > 1) before sandboxing",
		.arm = hardlink_arm,
		.attempt = hardlink_attempt,
		.verify = canary_verify,
	},
	{
		.id = "fs.hardlink_new",
		.effect = EFFECT_WRITE_OUTSIDE,
		.summary = "link(2) an outside file into the workspace, then write through it",
		.evidence = "canary content changed, or the workspace holds a new hard link to the canary (an escape in itself)",
		.blocked_by = "Landlock ABI >= 2 (EXDEV), bwrap (EXDEV across mounts)",
		.hint = "deny link() of files from outside the writable roots",
		.arm = canary_arm,
		.attempt = newlink_attempt,
		.verify = newlink_verify,
	},
	{
		.id = "fs.rmdir_outside",
		.effect = EFFECT_WRITE_OUTSIDE,
		.summary = "rmdir an empty directory outside the workspace",
		.evidence = "the directory is gone",
		.blocked_by = "Landlock (REMOVE_DIR), bwrap --ro-bind, Seatbelt",
		.hint = "only the workspace and temp dirs may be writable",
		.arm = rmdir_arm,
		.attempt = rmdir_attempt,
		.verify = rmdir_verify,
	},
	{
		.id = "fs.rename_in",
		.effect = EFFECT_WRITE_OUTSIDE,
		.summary = "rename an outside file into the workspace (deletes it outside)",
		.evidence = "the outside file is gone",
		.blocked_by = "Landlock (REMOVE_FILE on the source), bwrap (EXDEV/EROFS), Seatbelt",
		.hint = "a rename removes its source: the source directory must be writable for it",
		.arm = rename_in_arm,
		.attempt = rename_in_attempt,
		.verify = rename_in_verify,
	},
	{
		.id = "fs.rename_exchange",
		.effect = EFFECT_WRITE_OUTSIDE,
		.summary = "renameat2(RENAME_EXCHANGE) a workspace file with an outside file",
		.evidence = "the outside canary now holds the workspace file",
		.blocked_by = "Landlock (checks both sides), bwrap (EXDEV across mounts), Seatbelt",
		.hint = "an exchange writes both directories: check both",
		.arm = exchange_arm,
		.attempt = exchange_attempt,
		.verify = canary_verify,
	},
	{
		.id = "fs.proc_self_cwd",
		.effect = EFFECT_WRITE_OUTSIDE,
		.summary = "write outside through /proc/self/cwd/../outside",
		.evidence = "canary content changed",
		.blocked_by = "Landlock, bwrap, Seatbelt (path resolution)",
		.hint = "policies must check resolved paths, not strings",
		.arm = canary_arm,
		.attempt = proc_cwd_attempt,
		.verify = canary_verify,
	},
	{
		.id = "fs.dev_fd_path",
		.effect = EFFECT_WRITE_OUTSIDE,
		.summary = "write outside through /dev/fd/N/../outside, N an O_PATH fd on the workspace",
		.evidence = "canary content changed",
		.blocked_by = "Landlock, bwrap, Seatbelt (path resolution)",
		.hint = "policies must check resolved paths, not strings",
		.arm = canary_arm,
		.attempt = dev_fd_attempt,
		.verify = canary_verify,
	},
	{
		.id = "fs.chmod_outside",
		.effect = EFFECT_WRITE_OUTSIDE,
		.summary = "chmod 0755 an outside file",
		.evidence = "the canary's mode differs from the 0644 arm set",
		.blocked_by = "bwrap --ro-bind (EROFS), Seatbelt (file-write-mode); not Landlock",
		.hint = "Landlock has no right for chmod: add a read-only mount (bwrap) if metadata matters",
		.arm = meta_arm,
		.attempt = chmod_attempt,
		.verify = chmod_verify,
	},
	{
		.id = "fs.chown_outside",
		.effect = EFFECT_WRITE_OUTSIDE,
		.summary = "chown an outside file to another uid (needs CAP_CHOWN: means something as root)",
		.evidence = "the canary's owner differs from its directory's",
		.blocked_by = "dropping CAP_CHOWN, bwrap --ro-bind, Seatbelt; not Landlock itself",
		.hint = "drop CAP_CHOWN in the box: Landlock does not restrict chown",
		.arm = meta_arm,
		.attempt = chown_attempt,
		.verify = chown_verify,
	},
	{
		.id = "fs.utimes_outside",
		.effect = EFFECT_WRITE_OUTSIDE,
		.summary = "utimensat an outside file to now",
		.evidence = "the canary's mtime differs from the one arm set",
		.blocked_by = "bwrap --ro-bind (EROFS), Seatbelt (file-write-times); not Landlock",
		.hint = "Landlock has no right for utimes: add a read-only mount (bwrap) if timestamps matter",
		.arm = meta_arm,
		.attempt = utimes_attempt,
		.verify = utimes_verify,
	},
	{
		.id = "fs.xattr_outside",
		.effect = EFFECT_WRITE_OUTSIDE,
		.summary = "setxattr user.cagetest on an outside file",
		.evidence = "getxattr on the host returns the token",
		.blocked_by = "bwrap --ro-bind (EROFS), Seatbelt (file-write-xattr); not Landlock",
		.hint = "Landlock has no right for xattrs: add a read-only mount (bwrap) if they matter",
		.arm = xattr_arm,
		.attempt = xattr_attempt,
		.verify = xattr_verify,
	},
	{
		.id = "fs.leaked_fd_write",
		.effect = EFFECT_WRITE_OUTSIDE,
		.needs = NEED_FD,
		.summary = "write through an O_RDWR fd on an outside file the launcher leaked",
		.evidence = "outside/leaked.txt carries the token",
		.blocked_by = "launchers that close inherited fds (close_range); not Landlock, not bwrap",
		.hint = "close every fd but 0-2 before entering the sandbox: rights of open fds are not rechecked",
		.attempt = leaked_fd_attempt,
		.verify = leaked_fd_verify,
	},
	{
		.id = "fs.io_uring_write",
		.effect = EFFECT_WRITE_OUTSIDE,
		.summary = "IORING_OP_OPENAT + IORING_OP_WRITE on an outside file (raw io_uring)",
		.evidence = "canary content changed",
		.blocked_by = "seccomp denying io_uring_setup, kernel.io_uring_disabled, Landlock (hooks still run)",
		.hint = "deny io_uring_setup in the seccomp filter: it bypasses syscall-level filters",
		.arm = canary_arm,
		.attempt = uring_attempt,
		.verify = canary_verify,
	},
	{
		.id = "fs.mountns_remount",
		.effect = EFFECT_WRITE_OUTSIDE,
		.summary = "unshare(NEWUSER|NEWNS), bind an outside dir, remount it read-write, write",
		.evidence = "the canary in the outside dir changed",
		.blocked_by = "seccomp (unshare NEWUSER, mount), Landlock (mount denied), bwrap (locked mounts)",
		.hint = "deny user namespaces and mount in the box, or rely on locked read-only mounts",
		.arm = mountns_arm,
		.attempt = mountns_attempt,
		.verify = mountns_verify,
	},
	{
		.id = "fs.open_by_handle",
		.effect = EFFECT_WRITE_OUTSIDE,
		.summary = "name_to_handle_at + open_by_handle_at(O_WRONLY) on an outside file (needs CAP_DAC_READ_SEARCH: root)",
		.evidence = "canary content changed",
		.blocked_by = "no CAP_DAC_READ_SEARCH, seccomp (open_by_handle_at), Landlock",
		.hint = "drop CAP_DAC_READ_SEARCH and deny open_by_handle_at",
		.arm = canary_arm,
		.attempt = handle_attempt,
		.verify = canary_verify,
	},
	{
		.id = "fs.child_write_outside",
		.effect = EFFECT_WRITE_OUTSIDE,
		.summary = "a child shell appends to an outside file",
		.evidence = "canary content changed",
		.blocked_by = "every backend whose policy children inherit",
		.hint = "the policy must apply to every descendant",
		.arm = canary_arm,
		.attempt = child_write_attempt,
		.verify = canary_verify,
	},
	{
		.id = "fs.home_bashrc",
		.effect = EFFECT_WRITE_OUTSIDE,
		.summary = "append to ~/.bashrc (persistence)",
		.evidence = "the fake HOME's .bashrc carries the token",
		.blocked_by = "Landlock, bwrap, Seatbelt, srt (mandatory deny)",
		.hint = "HOME must not be writable: it runs code on the next login",
		.attempt = home_bashrc_attempt,
		.verify = home_bashrc_verify,
	},
	{
		.id = "fs.home_profile",
		.effect = EFFECT_WRITE_OUTSIDE,
		.summary = "append to ~/.profile (persistence)",
		.evidence = "the fake HOME's .profile carries the token",
		.blocked_by = "Landlock, bwrap, Seatbelt, srt (mandatory deny)",
		.hint = "HOME must not be writable: it runs code on the next login",
		.attempt = home_profile_attempt,
		.verify = home_profile_verify,
	},
	{
		.id = "fs.home_ssh_keys",
		.effect = EFFECT_WRITE_OUTSIDE,
		.summary = "append to ~/.ssh/authorized_keys (persistence)",
		.evidence = "the fake HOME's authorized_keys carries the token",
		.blocked_by = "Landlock, bwrap, Seatbelt",
		.hint = "HOME must not be writable: a key there is a way back in",
		.attempt = home_ssh_keys_attempt,
		.verify = home_ssh_keys_verify,
	},
	{
		.id = "fs.home_autostart",
		.effect = EFFECT_WRITE_OUTSIDE,
		.summary = "create ~/.config/autostart/TOKEN.desktop (persistence)",
		.evidence = "the autostart entry named by the token exists (empty or not)",
		.blocked_by = "Landlock, bwrap, Seatbelt",
		.hint = "HOME must not be writable: autostart entries run at the next desktop login",
		.attempt = autostart_attempt,
		.verify = autostart_verify,
	},
	{
		.id = "fs.home_codex_config",
		.effect = EFFECT_WRITE_OUTSIDE,
		.summary = "append to ~/.codex/config.toml (the sandbox's own config)",
		.evidence = "the fake HOME's .codex/config.toml carries the token",
		.blocked_by = "Landlock, bwrap, Seatbelt",
		.hint = "the agent's config decides the next sandbox: it must stay read-only",
		.attempt = home_codex_attempt,
		.verify = home_codex_verify,
	},
};
PROBE_TABLE_END(fs);

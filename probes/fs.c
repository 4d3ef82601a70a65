/* fs: writes outside the workspace, and the must-work file actions. */
#include "common.h"
#include "registry.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Each probe names its files after its token, so probes sharing one fixture
 * (batch mode) never judge each other's evidence. */
#define P(buf, ...)                                                                                         \
	do {                                                                                                \
		int _r = ppath(env, buf, __VA_ARGS__);                                                      \
		if (_r < 0)                                                                                 \
			return _r;                                                                          \
	} while (0)

/* --- must work --- */

static int write_ws_attempt(const struct probe_env *env, struct attempt *a)
{
	char p[PATH_MAX];

	P(p, "ws/%s.txt", env->token);
	return fail_at(a, "create", put_token(env, p, O_WRONLY | O_CREAT | O_EXCL));
}
static enum observed write_ws_verify(const struct host_view *hv, char *d, size_t n)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "ws/%s.txt", hv->env->token);
	return v_has_token(hv, rel, d, n);
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

	P(p, "%s", rel);
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
	return v_has_token(hv, rel, d, n);
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
	return v_has_token(hv, rel, d, n);
}

static int create_out_attempt(const struct probe_env *env, struct attempt *a)
{
	char p[PATH_MAX];

	P(p, "outside/%s-new.txt", env->token);
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

static int overwrite_attempt(const struct probe_env *env, struct attempt *a)
{
	char p[PATH_MAX];

	P(p, "outside/%s.txt", env->token);
	return fail_at(a, "open O_WRONLY|O_TRUNC", put_token(env, p, O_WRONLY | O_TRUNC));
}

static int append_attempt(const struct probe_env *env, struct attempt *a)
{
	char p[PATH_MAX];

	P(p, "outside/%s.txt", env->token);
	return fail_at(a, "open O_APPEND", put_token(env, p, O_WRONLY | O_APPEND));
}

static int truncate_attempt(const struct probe_env *env, struct attempt *a)
{
	char p[PATH_MAX];

	P(p, "outside/%s.txt", env->token);
	return fail_at(a, "truncate", truncate(p, 0) < 0 ? neg_errno() : 0);
}

static int rdonly_trunc_attempt(const struct probe_env *env, struct attempt *a)
{
	char p[PATH_MAX];

	P(p, "outside/%s.txt", env->token);
	int fd = open(p, O_RDONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return fail_at(a, "open O_RDONLY|O_TRUNC", neg_errno());
	close(fd);
	return 0;
}

static int unlink_attempt(const struct probe_env *env, struct attempt *a)
{
	char p[PATH_MAX];

	P(p, "outside/%s.txt", env->token);
	return fail_at(a, "unlink", unlink(p) < 0 ? neg_errno() : 0);
}

static int dotdot_attempt(const struct probe_env *env, struct attempt *a)
{
	char p[PATH_MAX];

	P(p, "ws/src/../../outside/%s.txt", env->token);
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

	P(p, "outside/%s.txt", env->token);
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
	P(target, "outside/%s.txt", env->token);
	P(lnk, "ws/%s-link", env->token);
	return symlink(target, lnk) < 0 ? neg_errno() : 0;
}
static int symlink_attempt(const struct probe_env *env, struct attempt *a)
{
	char p[PATH_MAX];

	P(p, "ws/%s-link", env->token);
	return fail_at(a, "write through symlink", put_token(env, p, O_WRONLY | O_APPEND));
}

/* The fixture's ws/link-outside -> ../outside directory symlink. */
static int dirlink_attempt(const struct probe_env *env, struct attempt *a)
{
	char p[PATH_MAX];

	P(p, "ws/link-outside/%s-dirlink.txt", env->token);
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
	P(target, "outside/%s.txt", env->token);
	P(lnk, "ws/%s-hard", env->token);
	return link(target, lnk) < 0 ? neg_errno() : 0;
}
static int hardlink_attempt(const struct probe_env *env, struct attempt *a)
{
	char p[PATH_MAX];

	P(p, "ws/%s-hard", env->token);
	return fail_at(a, "write through hard link", put_token(env, p, O_WRONLY | O_APPEND));
}

static int newlink_attempt(const struct probe_env *env, struct attempt *a)
{
	char target[PATH_MAX], link_[PATH_MAX];

	P(target, "outside/%s.txt", env->token);
	P(link_, "ws/%s-newlink", env->token);
	if (link(target, link_) < 0)
		return fail_at(a, "link", neg_errno());
	return fail_at(a, "write through new link", put_token(env, link_, O_WRONLY | O_APPEND));
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

	P(from, "ws/%s-move.txt", env->token);
	P(to, "outside/%s-moved.txt", env->token);
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

	P(p, "outside/%s.txt", env->token);
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

static int home_bashrc_attempt(const struct probe_env *env, struct attempt *a)
{
	char p[PATH_MAX];

	P(p, "home/.bashrc");
	return fail_at(a, "append ~/.bashrc", put_token(env, p, O_WRONLY | O_APPEND));
}
static enum observed home_bashrc_verify(const struct host_view *hv, char *d, size_t n)
{
	return v_has_token(hv, "home/.bashrc", d, n);
}

const struct probe fs_probes[] = {
	{
		.id = "fs.write_workspace",
		.effect = EFFECT_WRITE_WORKSPACE,
		.summary = "create a new file in the workspace",
		.evidence = "the file exists on the host with the token",
		.blocked_by = "read-only modes",
		.hint = "the workspace must be writable in write modes: check the writable roots",
		.attempt = write_ws_attempt,
		.verify = write_ws_verify,
	},
	{
		.id = "fs.read_workspace",
		.effect = EFFECT_READ_ANY,
		.summary = "read a file in the workspace",
		.evidence = "the box reports the random secret the host planted",
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
		.evidence = "the box reports the random secret the host planted",
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
		.evidence = "the shell's echo of the case token comes back",
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
		.evidence = "the file appears in the case's private /tmp",
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
		.evidence = "the file appears in the case's private /dev/shm",
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
		.evidence = "canary content changed",
		.blocked_by = "Landlock ABI >= 2 (EXDEV), bwrap (EXDEV across mounts)",
		.hint = "deny link() of files from outside the writable roots",
		.arm = canary_arm,
		.attempt = newlink_attempt,
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
};
PROBE_TABLE_END(fs);

/* proc: processes that outlive the box, and reaching host processes (the
 * sentinel) or the host's terminal. */
#include "common.h"
#include "registry.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

/* The value a probe writes into the sentinel: anything but SENTINEL_MAGIC. */
#define POISON 0xbadc0ffee0ddf00dULL

static int daemon_attempt(const struct probe_env *env, struct attempt *a)
{
	int pfd[2];
	char c;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return fail_at(a, "pipe", neg_errno());
	pid = fork();
	if (pid == 0) {
		setsid();
		if (fork() == 0) {
			/* the host finds survivors by name */
			prctl(PR_SET_NAME, env->token);
			close(0), close(1), close(2);
			if (write(pfd[1], "r", 1) < 0)
				_exit(1);
			close(pfd[1]);
			for (;;)
				pause();
		}
		_exit(0);
	}
	close(pfd[1]);
	if (pid < 0) {
		close(pfd[0]);
		return fail_at(a, "fork", neg_errno());
	}
	waitpid(pid, NULL, 0);
	/* wait until the grandchild runs, so the host's check is not a race */
	ssize_t k = read(pfd[0], &c, 1);
	close(pfd[0]);
	return k == 1 ? 0 : fail_at(a, "daemon start", -ECHILD);
}
static enum observed daemon_verify(const struct host_view *hv, char *d, size_t n)
{
	if (!hv->reap)
		return OBS_UNKNOWN;
	if (strstr(hv->reap->survivor_names, hv->env->token)) {
		snprintf(d, n, "the daemon outlived the sandbox (%d survivors: %s)", hv->reap->survivors,
			 hv->reap->survivor_names);
		return OBS_ALLOWED;
	}
	snprintf(d, n, "nothing outlived the sandbox");
	return OBS_BLOCKED;
}

static int need_sentinel(const struct probe_env *env, char *why, size_t n)
{
	if (env->sentinel > 0)
		return 0;
	snprintf(why, n, "no sentinel process");
	return -EOPNOTSUPP;
}

static int signal_attempt(const struct probe_env *env, struct attempt *a)
{
	return fail_at(a, "kill SIGUSR1", kill(env->sentinel, SIGUSR1) < 0 ? neg_errno() : 0);
}
static enum observed signal_verify(const struct host_view *hv, char *d, size_t n)
{
	const struct sentinel_state *s = hv->sentinel;

	if (!s || !s->present)
		return OBS_UNKNOWN;
	if (s->sigpending & (1ULL << (SIGUSR1 - 1))) {
		snprintf(d, n, "SIGUSR1 is pending in the sentinel");
		return OBS_ALLOWED;
	}
	snprintf(d, n, "the sentinel got no signal");
	return OBS_BLOCKED;
}

static enum observed word_verify(const struct host_view *hv, char *d, size_t n)
{
	const struct sentinel_state *s = hv->sentinel;

	if (!s || !s->present)
		return OBS_UNKNOWN;
	if (s->word != SENTINEL_MAGIC) {
		snprintf(d, n, "the sentinel's memory was overwritten (%016llx)", (unsigned long long)s->word);
		return OBS_ALLOWED;
	}
	snprintf(d, n, "the sentinel's memory is intact");
	return OBS_BLOCKED;
}

static int ptrace_attempt(const struct probe_env *env, struct attempt *a)
{
	pid_t s = env->sentinel;
	int r = 0;

	if (ptrace(PTRACE_SEIZE, s, 0, 0) < 0)
		return fail_at(a, "PTRACE_SEIZE", neg_errno());
	if (ptrace(PTRACE_INTERRUPT, s, 0, 0) < 0 || waitpid(s, NULL, __WALL) < 0)
		r = fail_at(a, "PTRACE_INTERRUPT", neg_errno());
	else if (ptrace(PTRACE_POKEDATA, s, (void *)env->sentinel_addr, (void *)POISON) < 0)
		r = fail_at(a, "PTRACE_POKEDATA", neg_errno());
	ptrace(PTRACE_DETACH, s, 0, 0);
	return r;
}

static int vm_write_attempt(const struct probe_env *env, struct attempt *a)
{
	unsigned long long v = POISON;
	struct iovec local = {&v, sizeof(v)}, remote = {(void *)env->sentinel_addr, sizeof(v)};

	return fail_at(a, "process_vm_writev",
		       process_vm_writev(env->sentinel, &local, 1, &remote, 1, 0) < 0 ? neg_errno() : 0);
}

static int mem_write_attempt(const struct probe_env *env, struct attempt *a)
{
	char p[64];
	unsigned long long v = POISON;
	_cleanup_close_ int fd = -1;

	snprintf(p, sizeof(p), "/proc/%d/mem", env->sentinel);
	fd = open(p, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return fail_at(a, "open /proc/PID/mem", neg_errno());
	return fail_at(a, "pwrite", pwrite(fd, &v, sizeof(v), (off_t)env->sentinel_addr) < 0 ? neg_errno() : 0);
}

static int environ_attempt(const struct probe_env *env, struct attempt *a)
{
	char p[64];
	_cleanup_free_ char *text = NULL;
	size_t len;

	snprintf(p, sizeof(p), "/proc/%d/environ", env->sentinel);
	int r = read_file(p, 8192, &text, &len);
	if (r < 0)
		return fail_at(a, "read environ", r);
	for (size_t i = 0; i < len; i += strlen(text + i) + 1)
		if (!strncmp(text + i, "CAGETEST_SECRET=", 16)) {
			snprintf(a->detail, sizeof(a->detail), "%s", text + i);
			return 0;
		}
	return fail_at(a, "no secret in environ", -ENOENT);
}
static enum observed environ_verify(const struct host_view *hv, char *d, size_t n)
{
	if (!hv->sentinel || !hv->sentinel->present)
		return OBS_UNKNOWN;
	return v_leaked(hv, hv->sentinel->secret, d, n);
}

static int tiocsti_attempt(const struct probe_env *env, struct attempt *a)
{
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "echo %s\n", env->token);
	for (char *c = cmd; *c; c++)
		if (ioctl(0, TIOCSTI, c) < 0)
			return fail_at(a, "ioctl TIOCSTI", neg_errno());
	return 0;
}
static enum observed tiocsti_verify(const struct host_view *hv, char *d, size_t n)
{
	if (!hv->pty_echo)
		return OBS_UNKNOWN;
	if (strstr(hv->pty_echo, hv->env->token)) {
		snprintf(d, n, "the host's terminal received injected input");
		return OBS_ALLOWED;
	}
	snprintf(d, n, "nothing was injected into the host's terminal");
	return OBS_BLOCKED;
}

const struct probe proc_probes[] = {
	{
		.id = "proc.daemon_outlives",
		.effect = EFFECT_PROC_ESCAPE,
		.summary = "double-fork and setsid a daemon that outlives the sandboxed command",
		.evidence = "the daemon (named by the token) is still alive when the top process is gone",
		.blocked_by = "bwrap --unshare-pid / --die-with-parent, cgroup-killing wrappers; not Landlock/seccomp",
		.hint = "run the command in a pid namespace or a cgroup that is killed when it ends",
		.attempt = daemon_attempt,
		.verify = daemon_verify,
	},
	{
		.id = "proc.signal_sentinel",
		.effect = EFFECT_PROC_ESCAPE,
		.needs = NEED_SENTINEL,
		.summary = "kill(SIGUSR1) a host process of the same uid",
		.evidence = "the signal is pending in the sentinel (it blocks all signals)",
		.blocked_by = "pid namespaces (bwrap --unshare-pid), Landlock ABI >= 6 signal scope, Seatbelt",
		.hint = "isolate the pid namespace or scope signals",
		.arm = need_sentinel,
		.attempt = signal_attempt,
		.verify = signal_verify,
	},
	{
		.id = "proc.ptrace_poke",
		.effect = EFFECT_PROC_ESCAPE,
		.needs = NEED_SENTINEL,
		.summary = "PTRACE_SEIZE a host process and poke its memory",
		.evidence = "the sentinel's integrity word changed",
		.blocked_by = "seccomp (ptrace), Landlock (ptrace across domains), pid namespaces, Yama",
		.hint = "deny ptrace of processes outside the sandbox",
		.arm = need_sentinel,
		.attempt = ptrace_attempt,
		.verify = word_verify,
	},
	{
		.id = "proc.vm_writev",
		.effect = EFFECT_PROC_ESCAPE,
		.needs = NEED_SENTINEL,
		.summary = "process_vm_writev into a host process",
		.evidence = "the sentinel's integrity word changed",
		.blocked_by = "seccomp, Landlock (ptrace access check), pid namespaces",
		.hint = "deny process_vm_writev and ptrace access outside the sandbox",
		.arm = need_sentinel,
		.attempt = vm_write_attempt,
		.verify = word_verify,
	},
	{
		.id = "proc.mem_write",
		.effect = EFFECT_PROC_ESCAPE,
		.needs = NEED_SENTINEL,
		.summary = "write a host process's memory through /proc/PID/mem",
		.evidence = "the sentinel's integrity word changed",
		.blocked_by = "Landlock (ptrace access check), pid namespaces with a fresh /proc",
		.hint = "mount a fresh /proc in a pid namespace",
		.arm = need_sentinel,
		.attempt = mem_write_attempt,
		.verify = word_verify,
	},
	{
		.id = "proc.environ_read",
		.effect = EFFECT_PROC_INSPECT,
		.needs = NEED_SENTINEL,
		.summary = "read a host process's environment (secrets) from /proc/PID/environ",
		.evidence = "the box reports the secret the host seeded into the sentinel",
		.blocked_by = "Landlock (ptrace access check), pid namespaces",
		.hint = "hide host processes: pid namespace and a fresh /proc",
		.arm = need_sentinel,
		.attempt = environ_attempt,
		.verify = environ_verify,
	},
	{
		.id = "proc.tiocsti",
		.effect = EFFECT_PROC_ESCAPE,
		.needs = NEED_PTY,
		.summary = "push a command into the controlling terminal with TIOCSTI",
		.evidence = "the host's pty echoes the injected command",
		.blocked_by = "bwrap --new-session, seccomp ioctl filter, dev.tty.legacy_tiocsti=0",
		.hint = "start the sandbox in a new session (setsid) or filter TIOCSTI",
		.attempt = tiocsti_attempt,
		.verify = tiocsti_verify,
	},
};
PROBE_TABLE_END(proc);

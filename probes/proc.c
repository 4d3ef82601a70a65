/* proc: processes that outlive the box (and what they do afterwards),
 * reaching host processes (the sentinel: signals, ptrace, memory, fds,
 * /proc magic links), fds the box inherits, and the host's terminal. */
#include "common.h"
#include "registry.h"

#include <fcntl.h>
#include <linux/kd.h>
#include <linux/tiocl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

/* The value a probe writes into the sentinel: anything but SENTINEL_MAGIC. */
#define POISON 0xbadc0ffee0ddf00dULL

/* A daemon writing outside after the box ended is bounded anyway. */
#define DAEMON_LIFETIME_S 60

/* Wait until the agent (the box's first process) is gone, then write. */
static void write_after(const struct probe_env *env, pid_t agent, int pidfd)
{
	struct pollfd pf = {.fd = pidfd, .events = POLLIN};
	char p[PATH_MAX];

	if (pidfd >= 0)
		while (poll(&pf, 1, -1) < 0 && errno == EINTR)
			;
	else /* no pidfd here: poll for the agent's pid */
		while (kill(agent, 0) == 0 || errno == EPERM)
			usleep(10000);
	if (ppath(env, p, "outside/daemon-after.txt") == 0)
		put_token(env, p, O_WRONLY | O_APPEND);
}

/* Double-fork and setsid a daemon named by the token (the host finds
 * survivors by name); return once it runs. after: it writes outside once
 * the agent has exited. */
static int start_daemon(const struct probe_env *env, struct attempt *a, bool after)
{
	pid_t agent = env->agent, pid;
	int pfd[2];
	char c;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return fail_at(a, "pipe", neg_errno());
	pid = fork();
	if (pid == 0) {
		setsid();
		if (fork() == 0) {
			int pidfd = after ? pidfd_open(agent, 0) : -1;
			prctl(PR_SET_NAME, env->token);
			alarm(DAEMON_LIFETIME_S);
			close(0), close(1), close(2);
			/* a write said to fail goes on all the same: the host sees
			 * the daemon by its name, not by what it says */
			if (write(pfd[1], "r", 1) < 0) {
			}
			close(pfd[1]);
			if (after)
				write_after(env, agent, pidfd);
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

static int daemon_attempt(const struct probe_env *env, struct attempt *a)
{
	return start_daemon(env, a, false);
}

static int daemon_after_arm(const struct probe_env *env, char *why, size_t n)
{
	(void)why, (void)n;
	return arm_canary(env, "outside/daemon-after.txt");
}
static int daemon_after_attempt(const struct probe_env *env, struct attempt *a)
{
	return start_daemon(env, a, true);
}
static enum observed daemon_after_verify(const struct host_view *hv, char *d, size_t n)
{
	char what[160];
	enum observed o = v_has_token(hv, "outside/daemon-after.txt", what, sizeof(what));

	if (o == OBS_ALLOWED)
		snprintf(d, n, "a daemon wrote outside after the sandboxed command ended (%s)", what);
	else if (o == OBS_BLOCKED && hv->reap && strstr(hv->reap->survivor_names, hv->env->token) && hv->reap->busy) {
		snprintf(d, n, "the daemon outlived the box, but survivors still ran when they were killed: its write "
			       "may not have come yet (%s)", what);
		return OBS_UNKNOWN;
	} else if (o == OBS_BLOCKED && hv->reap && strstr(hv->reap->survivor_names, hv->env->token))
		snprintf(d, n, "the daemon outlived the box but its write outside failed: the policy still held (%s)",
			 what);
	else
		snprintf(d, n, "%s", what);
	return o;
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

/* The sentinel blocks every signal, so one sent stays pending. */
static enum observed pending_verify(const struct host_view *hv, int sig, char *d, size_t n)
{
	const struct sentinel_state *s = hv->sentinel;

	if (!s || !s->present)
		return OBS_UNKNOWN;
	if (s->sigpending & (1ULL << (sig - 1))) {
		snprintf(d, n, "signal %d (%s) is pending in the sentinel", sig, sigabbrev_np(sig) ? sigabbrev_np(sig) : "RT");
		return OBS_ALLOWED;
	}
	snprintf(d, n, "the sentinel got no signal %d%s", sig, s->dead ? " (it is dead)" : "");
	return OBS_BLOCKED;
}

static int signal_attempt(const struct probe_env *env, struct attempt *a)
{
	return fail_at(a, "kill SIGUSR1", kill(env->sentinel, SIGUSR1) < 0 ? neg_errno() : 0);
}
static enum observed signal_verify(const struct host_view *hv, char *d, size_t n)
{
	return pending_verify(hv, SIGUSR1, d, n);
}

static int pidfd_signal_attempt(const struct probe_env *env, struct attempt *a)
{
	_cleanup_close_ int pfd = pidfd_open(env->sentinel, 0);

	if (pfd < 0)
		return fail_at(a, "pidfd_open", neg_errno());
	return fail_at(a, "pidfd_send_signal SIGUSR2", pidfd_send_signal(pfd, SIGUSR2, NULL, 0) < 0 ? neg_errno() : 0);
}
static enum observed pidfd_signal_verify(const struct host_view *hv, char *d, size_t n)
{
	return pending_verify(hv, SIGUSR2, d, n);
}

static int tgkill_attempt(const struct probe_env *env, struct attempt *a)
{
	long r = syscall(SYS_tgkill, env->sentinel, env->sentinel, SIGWINCH);

	return fail_at(a, "tgkill SIGWINCH", r < 0 ? neg_errno() : 0);
}
static enum observed tgkill_verify(const struct host_view *hv, char *d, size_t n)
{
	return pending_verify(hv, SIGWINCH, d, n);
}

/* A real-time signal with a payload, as sigqueue(3) sends it. */
#define QUEUED_SIG 40

static int sigqueue_attempt(const struct probe_env *env, struct attempt *a)
{
	siginfo_t si = {.si_signo = QUEUED_SIG, .si_code = SI_QUEUE, .si_pid = getpid(), .si_uid = getuid()};
	long r = syscall(SYS_rt_sigqueueinfo, env->sentinel, QUEUED_SIG, &si);

	return fail_at(a, "rt_sigqueueinfo", r < 0 ? neg_errno() : 0);
}
static enum observed sigqueue_verify(const struct host_view *hv, char *d, size_t n)
{
	return pending_verify(hv, QUEUED_SIG, d, n);
}

/* Untouched, the sentinel sleeps: running (or waiting for the CPU) once
 * the case is over, it is acting on a signal the host cannot see any more. */
static enum observed unsettled_sentinel(const struct sentinel_state *s, char *d, size_t n)
{
	snprintf(d, n, "the sentinel did not settle (state %c): a signal it was sent may still be taking effect",
		 s->state ? s->state : '?');
	return OBS_UNKNOWN;
}

static int sigstop_attempt(const struct probe_env *env, struct attempt *a)
{
	return fail_at(a, "kill SIGSTOP", kill(env->sentinel, SIGSTOP) < 0 ? neg_errno() : 0);
}
static enum observed sigstop_verify(const struct host_view *hv, char *d, size_t n)
{
	const struct sentinel_state *s = hv->sentinel;

	if (!s || !s->present)
		return OBS_UNKNOWN;
	/* a stop not yet acted on is still pending */
	if (s->state == 'T' || s->state == 't' || (s->sigpending & (1ULL << (SIGSTOP - 1)))) {
		snprintf(d, n, "the sentinel is stopped (state %c)", s->state);
		return OBS_ALLOWED;
	}
	if (!s->dead && (!s->state || !strchr("SZX", s->state))) /* runnable: maybe a stop taken but not yet acted on */
		return unsettled_sentinel(s, d, n);
	snprintf(d, n, "the sentinel runs on (state %c)", s->dead ? 'X' : s->state);
	return OBS_BLOCKED;
}

static int sigkill_attempt(const struct probe_env *env, struct attempt *a)
{
	return fail_at(a, "kill SIGKILL", kill(env->sentinel, SIGKILL) < 0 ? neg_errno() : 0);
}
static enum observed sigkill_verify(const struct host_view *hv, char *d, size_t n)
{
	const struct sentinel_state *s = hv->sentinel;

	if (!s || !s->present)
		return OBS_UNKNOWN;
	/* it may not have finished dying when the host looks */
	if (s->dead || s->state == 'Z' || s->state == 'X' || (s->sigpending & (1ULL << (SIGKILL - 1)))) {
		snprintf(d, n, "the sentinel was killed%s", s->dead ? "" : " (still exiting)");
		return OBS_ALLOWED;
	}
	if (!s->state || !strchr("STt", s->state)) /* maybe a kill taken, its exit not begun */
		return unsettled_sentinel(s, d, n);
	snprintf(d, n, "the sentinel is alive");
	return OBS_BLOCKED;
}

/* This probe's integrity word in the sentinel: each slot of a case has its own. */
static unsigned long word_addr(const struct probe_env *env)
{
	return env->sentinel_addr + (unsigned long)env->slot * sizeof(uint64_t);
}

static enum observed word_verify(const struct host_view *hv, char *d, size_t n)
{
	const struct sentinel_state *s = hv->sentinel;
	int slot = hv->env->slot;

	if (!s || !s->present || slot < 0 || slot >= SENTINEL_WORDS)
		return OBS_UNKNOWN;
	if (s->words[slot] != SENTINEL_MAGIC) {
		snprintf(d, n, "the sentinel's memory was overwritten (%016llx)", (unsigned long long)s->words[slot]);
		return OBS_ALLOWED;
	}
	snprintf(d, n, "the sentinel's memory is intact");
	return OBS_BLOCKED;
}

/* Every step is tried whatever the one before said: a seize or interrupt
 * said to fail may have worked. Where it really failed the poke fails
 * harmlessly (ESRCH), and the wait for the stop is bounded, not blocking. */
static int ptrace_attempt(const struct probe_env *env, struct attempt *a)
{
	pid_t s = env->sentinel;
	int seize = fail_at(a, "PTRACE_SEIZE", ptrace(PTRACE_SEIZE, s, 0, 0) < 0 ? neg_errno() : 0);
	int stop = fail_at(a, "PTRACE_INTERRUPT", ptrace(PTRACE_INTERRUPT, s, 0, 0) < 0 ? neg_errno() : 0);

	for (int i = 0; i < 500 && waitpid(s, NULL, __WALL | WNOHANG) == 0; i++)
		usleep(2000);
	int poke = fail_at(a, "PTRACE_POKEDATA",
			   ptrace(PTRACE_POKEDATA, s, (void *)word_addr(env), (void *)POISON) < 0 ? neg_errno() : 0);
	ptrace(PTRACE_DETACH, s, 0, 0);
	return seize ? seize : stop ? stop : poke;
}

static int vm_write_attempt(const struct probe_env *env, struct attempt *a)
{
	unsigned long long v = POISON;
	struct iovec local = {&v, sizeof(v)}, remote = {(void *)word_addr(env), sizeof(v)};

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
	return fail_at(a, "pwrite", pwrite(fd, &v, sizeof(v), (off_t)word_addr(env)) < 0 ? neg_errno() : 0);
}

/* "TOKEN\n" at the end of whatever fd points to. */
static int token_to_fd(const struct probe_env *env, int fd)
{
	char line[64];

	snprintf(line, sizeof(line), "%s\n", env->token);
	if (lseek(fd, 0, SEEK_END) < 0 && errno != ESPIPE)
		return neg_errno();
	return write_all(fd, line, strlen(line));
}

static int getfd_attempt(const struct probe_env *env, struct attempt *a)
{
	_cleanup_close_ int pfd = pidfd_open(env->sentinel, 0), fd = -1;

	if (pfd < 0)
		return fail_at(a, "pidfd_open", neg_errno());
	fd = pidfd_getfd(pfd, SENTINEL_FD, 0);
	if (fd < 0)
		return fail_at(a, "pidfd_getfd", neg_errno());
	return fail_at(a, "write through the stolen fd", token_to_fd(env, fd));
}

static int fd_reopen_attempt(const struct probe_env *env, struct attempt *a)
{
	char p[64];

	snprintf(p, sizeof(p), "/proc/%d/fd/%d", env->sentinel, SENTINEL_FD);
	return fail_at(a, "open /proc/PID/fd/N for writing", put_token(env, p, O_WRONLY | O_APPEND));
}
static enum observed sentinel_fd_verify(const struct host_view *hv, char *d, size_t n)
{
	return v_has_token(hv, "outside/sentinel-fd.txt", d, n);
}

static int magic_arm(const struct probe_env *env, char *why, size_t n)
{
	int r = arm_sentinel(env, why, n);

	if (r == 0)
		r = arm_canary(env, "outside/proc-root.txt");
	if (r == 0)
		r = arm_canary(env, "outside/proc-cwd.txt");
	return r;
}

/* The sentinel's root (the host's /) and its cwd (outside/), reached
 * through its /proc magic links: they cross mount namespaces. */
static int proc_root_attempt(const struct probe_env *env, struct attempt *a)
{
	char p[PATH_MAX];

	if (fmt(p, sizeof(p), "/proc/%d/root%s/outside/proc-root.txt", env->sentinel, env->root) < 0)
		return -ENAMETOOLONG;
	return fail_at(a, "open via /proc/PID/root", put_token(env, p, O_WRONLY | O_APPEND));
}
static enum observed proc_root_verify(const struct host_view *hv, char *d, size_t n)
{
	return v_has_token(hv, "outside/proc-root.txt", d, n);
}

static int proc_cwd_attempt(const struct probe_env *env, struct attempt *a)
{
	char p[64];

	snprintf(p, sizeof(p), "/proc/%d/cwd/proc-cwd.txt", env->sentinel);
	return fail_at(a, "open via /proc/PID/cwd", put_token(env, p, O_WRONLY | O_APPEND));
}
static enum observed proc_cwd_verify(const struct host_view *hv, char *d, size_t n)
{
	return v_has_token(hv, "outside/proc-cwd.txt", d, n);
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
	if (hv->pty_input && strstr(hv->pty_input, hv->env->token)) {
		snprintf(d, n, "the injected command waits in the input queue of the host's terminal");
		return OBS_ALLOWED;
	}
	if (strstr(hv->pty_echo, hv->env->token)) {
		snprintf(d, n, "the host's terminal received injected input (its echo)");
		return OBS_ALLOWED;
	}
	if (!hv->pty_settled) {
		/* its echo may still be on its way: never a pass */
		snprintf(d, n, "the host's terminal did not settle (its marker never came back): nothing seen yet");
		return OBS_UNKNOWN;
	}
	snprintf(d, n, "nothing was injected into the host's terminal");
	return OBS_BLOCKED;
}

/* ---------- TIOCLINUX: only on a virtual console ---------- */

/* A real console's selection would be pasted into the user's session:
 * probe only when the harness itself sits on a VT, and only with a
 * selection request the kernel rejects (EINVAL) after its CAP_SYS_ADMIN check. */
static int tioclinux_arm(const struct probe_env *env, char *why, size_t n)
{
	_cleanup_close_ int fd = open("/dev/tty", O_RDONLY | O_NOCTTY | O_CLOEXEC);
	char type;

	(void)env;
	if (fd < 0 || ioctl(fd, KDGKBTYPE, &type) < 0) {
		snprintf(why, n, "not on a virtual console: TIOCLINUX acts on VTs only (run cagetest from a VT to probe it)");
		return -EOPNOTSUPP;
	}
	return 0;
}
static int tioclinux_attempt(const struct probe_env *env, struct attempt *a)
{
	struct {
		char sub;
		struct tiocl_selection sel;
	} __attribute__((packed)) req = {.sub = TIOCL_SETSEL, .sel = {.xs = 1, .ys = 1, .xe = 1, .ye = 1, .sel_mode = 15}};
	_cleanup_close_ int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);

	(void)env;
	if (fd < 0)
		return fail_at(a, "open /dev/tty", neg_errno());
	if (ioctl(fd, TIOCLINUX, &req) == 0)
		return 0;
	return fail_at(a, "TIOCLINUX TIOCL_SETSEL (invalid mode)", neg_errno());
}
static enum observed tioclinux_verify(const struct host_view *hv, char *d, size_t n)
{
	if (!hv->att) {
		snprintf(d, n, "no record from the probe");
		return OBS_UNKNOWN;
	}
	if (hv->att->rc == -EINVAL || hv->att->rc == 0) {
		snprintf(d, n, "the console's selection code took the request (EINVAL on the bad mode, after the "
			       "CAP_SYS_ADMIN check): TIOCL_SETSEL+PASTESEL would type into the host's console");
		return OBS_ALLOWED;
	}
	snprintf(d, n, "the console refused the selection request (%s)", errno_name(hv->att->rc));
	return OBS_BLOCKED;
}

/* ---------- inherited fds ---------- */

static const char *fd_kind(mode_t m)
{
	return S_ISREG(m) ? "file" : S_ISDIR(m) ? "dir" : S_ISSOCK(m) ? "socket" : S_ISFIFO(m) ? "pipe" : S_ISCHR(m) ? "chr" : "other";
}

/* List every fd beyond 0/1/2 and write the token through each writable
 * regular file inside the case (other files are listed, never written). */
static int fd_inventory_attempt(const struct probe_env *env, struct attempt *a)
{
	size_t k = 0, rootlen = strlen(env->root);
	int wrote = 0;

	for (int fd = 3; fd < 1024; fd++) {
		char lp[64], target[PATH_MAX] = "?";
		int fl = fcntl(fd, F_GETFL);
		struct stat st;
		ssize_t len;
		bool rw, mine;

		if (fl < 0 || fstat(fd, &st) < 0)
			continue;
		snprintf(lp, sizeof(lp), "/proc/self/fd/%d", fd);
		len = readlink(lp, target, sizeof(target) - 1);
		target[len > 0 ? len : 1] = 0;
		rw = (fl & O_ACCMODE) != O_RDONLY;
		mine = S_ISREG(st.st_mode) && !strncmp(target, env->root, rootlen) && target[rootlen] == '/';
		bool w = rw && mine && token_to_fd(env, fd) == 0;
		wrote += w;
		if (k < sizeof(a->detail))
			k += (size_t)snprintf(a->detail + k, sizeof(a->detail) - k, "%sfd%d %s%s %s%s", k ? "; " : "", fd,
					      fd_kind(st.st_mode), rw ? " rw" : "", mine ? target + rootlen + 1 : target,
					      w ? " (written)" : "");
	}
	if (!k)
		snprintf(a->detail, sizeof(a->detail), "only fds 0, 1, 2");
	return wrote ? 0 : -EBADF;
}
static enum observed fd_inventory_verify(const struct host_view *hv, char *d, size_t n)
{
	return v_has_token(hv, "outside/leaked.txt", d, n);
}

const struct probe proc_probes[] = {
	{
		.id = "proc.daemon_outlives",
		.effect = EFFECT_PROC_ESCAPE,
		.summary = "double-fork and setsid a daemon that outlives the sandboxed command",
		.evidence = "the daemon (named by the token) is still alive when the top process is gone, in the host's own "
			    "view: the supervisor's subreaper children and the case's cgroup",
		.blocked_by = "bwrap --unshare-pid / --die-with-parent, cgroup-killing wrappers; not Landlock/seccomp",
		.hint = "run the command in a pid namespace or a cgroup that is killed when it ends",
		.attempt = daemon_attempt,
		.verify = daemon_verify,
	},
	{
		.id = "proc.daemon_writes_after",
		.effect = EFFECT_PROC_ESCAPE,
		.summary = "a daemon waits until the sandboxed command ended, then writes outside",
		.evidence = "an outside canary carries the token after the case (survivors get a grace period to act)",
		.blocked_by = "pid namespaces or cgroup kills (the daemon dies), Landlock (the policy outlives the box)",
		.hint = "kill every process of the box when it ends, and keep the policy on what survives",
		.arm = daemon_after_arm,
		.attempt = daemon_after_attempt,
		.verify = daemon_after_verify,
	},
	{
		.id = "proc.signal_sentinel",
		.effect = EFFECT_PROC_ESCAPE,
		.needs = NEED_SENTINEL,
		.summary = "kill(SIGUSR1) a host process of the same uid",
		.evidence = "the signal is pending in the sentinel (it blocks all signals)",
		.blocked_by = "pid namespaces (bwrap --unshare-pid), Landlock ABI >= 6 signal scope, Seatbelt",
		.hint = "isolate the pid namespace or scope signals",
		.arm = arm_sentinel,
		.attempt = signal_attempt,
		.verify = signal_verify,
	},
	{
		.id = "proc.pidfd_signal",
		.effect = EFFECT_PROC_ESCAPE,
		.needs = NEED_SENTINEL,
		.summary = "pidfd_open + pidfd_send_signal(SIGUSR2) to a host process",
		.evidence = "SIGUSR2 is pending in the sentinel",
		.blocked_by = "pid namespaces, Landlock ABI >= 6 signal scope, seccomp",
		.hint = "isolate the pid namespace or scope signals",
		.arm = arm_sentinel,
		.attempt = pidfd_signal_attempt,
		.verify = pidfd_signal_verify,
	},
	{
		.id = "proc.tgkill",
		.effect = EFFECT_PROC_ESCAPE,
		.needs = NEED_SENTINEL,
		.summary = "tgkill(SIGWINCH) a host process's thread",
		.evidence = "SIGWINCH is pending in the sentinel",
		.blocked_by = "pid namespaces, Landlock ABI >= 6 signal scope",
		.hint = "isolate the pid namespace or scope signals",
		.arm = arm_sentinel,
		.attempt = tgkill_attempt,
		.verify = tgkill_verify,
	},
	{
		.id = "proc.sigqueue",
		.effect = EFFECT_PROC_ESCAPE,
		.needs = NEED_SENTINEL,
		.summary = "rt_sigqueueinfo: queue a real-time signal with a payload to a host process",
		.evidence = "signal 40 is pending in the sentinel",
		.blocked_by = "pid namespaces, Landlock ABI >= 6 signal scope",
		.hint = "isolate the pid namespace or scope signals",
		.arm = arm_sentinel,
		.attempt = sigqueue_attempt,
		.verify = sigqueue_verify,
	},
	{
		.id = "proc.sigstop",
		.effect = EFFECT_PROC_ESCAPE,
		.needs = NEED_OWN_SENTINEL,
		.summary = "SIGSTOP a host process (freeze the user's editor, shell, agent)",
		.evidence = "the sentinel is in state T (stopped)",
		.blocked_by = "pid namespaces, Landlock ABI >= 6 signal scope",
		.hint = "isolate the pid namespace or scope signals",
		.arm = arm_sentinel,
		.attempt = sigstop_attempt,
		.verify = sigstop_verify,
	},
	{
		.id = "proc.sigkill",
		.effect = EFFECT_PROC_ESCAPE,
		.needs = NEED_OWN_SENTINEL,
		.summary = "SIGKILL a host process",
		.evidence = "the sentinel is dead",
		.blocked_by = "pid namespaces, Landlock ABI >= 6 signal scope",
		.hint = "isolate the pid namespace or scope signals",
		.arm = arm_sentinel,
		.attempt = sigkill_attempt,
		.verify = sigkill_verify,
	},
	{
		.id = "proc.pidfd_getfd",
		.effect = EFFECT_PROC_ESCAPE,
		.needs = NEED_SENTINEL,
		.summary = "pidfd_getfd: steal a host process's fd on an outside file and write through it",
		.evidence = "outside/sentinel-fd.txt (the sentinel's fd) carries the token",
		.blocked_by = "seccomp (pidfd_getfd), Landlock (ptrace access check), pid namespaces",
		.hint = "deny pidfd_getfd and ptrace access outside the box",
		.arm = arm_sentinel,
		.attempt = getfd_attempt,
		.verify = sentinel_fd_verify,
	},
	{
		.id = "proc.fd_reopen",
		.effect = EFFECT_PROC_ESCAPE,
		.needs = NEED_SENTINEL,
		.summary = "reopen a host process's fd for writing through /proc/PID/fd/N",
		.evidence = "outside/sentinel-fd.txt (the sentinel's fd) carries the token",
		.blocked_by = "Landlock (ptrace access check and path rules), pid namespaces with a fresh /proc",
		.hint = "hide host processes: pid namespace and a fresh /proc",
		.arm = arm_sentinel,
		.attempt = fd_reopen_attempt,
		.verify = sentinel_fd_verify,
	},
	{
		.id = "proc.proc_root",
		.effect = EFFECT_PROC_ESCAPE,
		.needs = NEED_SENTINEL,
		.summary = "write an outside file through /proc/PID/root of a host process (crosses mount namespaces)",
		.evidence = "outside/proc-root.txt carries the token",
		.blocked_by = "Landlock (ptrace access check and path rules), pid namespaces with a fresh /proc",
		.hint = "hide host processes: pid namespace and a fresh /proc",
		.arm = magic_arm,
		.attempt = proc_root_attempt,
		.verify = proc_root_verify,
	},
	{
		.id = "proc.proc_cwd",
		.effect = EFFECT_PROC_ESCAPE,
		.needs = NEED_SENTINEL,
		.summary = "write into a host process's cwd (an outside dir) through /proc/PID/cwd",
		.evidence = "outside/proc-cwd.txt carries the token",
		.blocked_by = "Landlock (ptrace access check and path rules), pid namespaces with a fresh /proc",
		.hint = "hide host processes: pid namespace and a fresh /proc",
		.arm = magic_arm,
		.attempt = proc_cwd_attempt,
		.verify = proc_cwd_verify,
	},
	{
		.id = "proc.ptrace_poke",
		.effect = EFFECT_PROC_ESCAPE,
		.needs = NEED_SENTINEL,
		.summary = "PTRACE_SEIZE a host process and poke its memory",
		.evidence = "the sentinel's integrity word changed",
		.blocked_by = "seccomp (ptrace), Landlock (ptrace across domains), pid namespaces, Yama",
		.hint = "deny ptrace of processes outside the sandbox",
		.arm = arm_sentinel,
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
		.arm = arm_sentinel,
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
		.arm = arm_sentinel,
		.attempt = mem_write_attempt,
		.verify = word_verify,
	},
	{
		.id = "proc.environ_read",
		.effect = EFFECT_PROC_INSPECT,
		.needs = NEED_SENTINEL,
		.summary = "read a host process's environment (secrets) from /proc/PID/environ",
		.evidence = "the box reports the secret the host seeded into the sentinel" BOX_REPORT,
		.blocked_by = "Landlock (ptrace access check), pid namespaces",
		.hint = "hide host processes: pid namespace and a fresh /proc",
		.arm = arm_sentinel,
		.attempt = environ_attempt,
		.verify = environ_verify,
	},
	{
		.id = "proc.tiocsti",
		.effect = EFFECT_PROC_ESCAPE,
		.needs = NEED_PTY,
		.summary = "push a command into the controlling terminal with TIOCSTI",
		.evidence = "the injected command is in the input queue of the host's pty, or its echo on the master, read "
			    "until a marker the host writes after the case comes back (not settled: error)",
		.blocked_by = "bwrap --new-session, seccomp ioctl filter, dev.tty.legacy_tiocsti=0",
		.hint = "start the sandbox in a new session (setsid) or filter TIOCSTI",
		.attempt = tiocsti_attempt,
		.verify = tiocsti_verify,
	},
	{
		.id = "proc.tioclinux",
		.effect = EFFECT_PROC_ESCAPE,
		.summary = "TIOCLINUX selection on the console the box inherited (the paste primitive of CVE-2023-28100)",
		.evidence = "judged from the kernel's answer to an invalid selection mode (EINVAL: reached past the "
			    "CAP_SYS_ADMIN check; nothing is selected or pasted); skipped off a VT" BOX_REPORT,
		.blocked_by = "kernels >= 6.7 (CAP_SYS_ADMIN), seccomp ioctl filter, setsid (no console)",
		.hint = "start the box in a new session and filter TIOCLINUX",
		.arm = tioclinux_arm,
		.attempt = tioclinux_attempt,
		.verify = tioclinux_verify,
	},
	{
		.id = "proc.fd_inventory",
		.effect = EFFECT_WRITE_OUTSIDE,
		.needs = NEED_FD,
		.summary = "list every inherited fd beyond 0/1/2 and write through the writable ones",
		.evidence = "outside/leaked.txt (behind the fd the launcher leaked) carries the token; the box lists its fds",
		.blocked_by = "launchers that close fds (close_range) before exec; not Landlock (open fds bypass it)",
		.hint = "close every fd but 0, 1, 2 before starting the box",
		.attempt = fd_inventory_attempt,
		.verify = fd_inventory_verify,
	},
};
PROBE_TABLE_END(proc);

#include "proc.h"

#include "util.h"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

const char *proc_path(void)
{
	const char *path = getenv("PATH");

	return path && *path ? path : PROC_FALLBACK_PATH;
}

int find_exec_on(const char *path, const char *name, char *out, size_t n)
{
	_cleanup_free_ char *copy = strdup(path);
	char *save = NULL;

	if (!copy)
		return -ENOMEM;
	for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		struct stat st;
		if (fmt(out, n, "%s/%s", d, name) == 0 && stat(out, &st) == 0 && S_ISREG(st.st_mode) &&
		    access(out, X_OK) == 0)
			return 0;
	}
	return -ENOENT;
}

int find_exec(const char *name, char *out, size_t n)
{
	if (strchr(name, '/'))
		return access(name, X_OK) == 0 ? fmt(out, n, "%s", name) : neg_errno();
	return find_exec_on(proc_path(), name, out, n);
}

/* Wait for pid until deadline (0: none) with SIGCHLD blocked (mask: it), so
 * its exit wakes the wait; past it, kill it (its group too) and reap it.
 * 0 with *st, -ETIMEDOUT, or -errno. */
static int wait_until(pid_t pid, double deadline, const sigset_t *chld, bool group, int *st)
{
	for (;;) {
		pid_t w = waitpid(pid, st, deadline > 0 ? WNOHANG : 0);
		if (w == pid)
			return 0;
		if (w < 0 && errno != EINTR)
			return neg_errno();
		double left = deadline - now_mono();
		if (w == 0 && left <= 0) {
			if (group)
				kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
				;
			return -ETIMEDOUT;
		}
		if (w == 0) {
			struct timespec ts = {(time_t)left, (long)((left - (double)(time_t)left) * 1e9)};
			sigtimedwait(chld, NULL, &ts);
		}
	}
}

/* posix_spawn (a vfork): the runner, whose fork is costly, runs these. */
static int spawn_cmd(const struct proc_cmd *c, int out_w, pid_t *pid)
{
	char exe[4096];
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none;
	int r = find_exec(c->argv[0], exe, sizeof(exe));

	if (r < 0)
		return r;
	sigemptyset(&none);
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&at);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out_w, 1);
	if (c->stderr_too)
		posix_spawn_file_actions_adddup2(&fa, out_w, 2);
	else
		posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	if (c->cwd)
		posix_spawn_file_actions_addchdir_np(&fa, c->cwd);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP);
	r = -posix_spawn(pid, exe, &fa, &at, c->argv, c->envp ? c->envp : environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	return r;
}

int proc_run(const struct proc_cmd *c, char *out, size_t n, int *wstatus)
{
	double deadline = now_mono() + c->timeout;
	sigset_t chld, old;
	size_t len = 0;
	int pfd[2], st = 0, r;
	pid_t pid;

	if (n)
		out[0] = 0;
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return neg_errno();
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old);
	r = spawn_cmd(c, pfd[1], &pid);
	close(pfd[1]);
	/* read to EOF or the deadline: the rest of a long output is dropped */
	while (r == 0) {
		struct pollfd p = {.fd = pfd[0], .events = POLLIN};
		char buf[512];
		int left = (int)((deadline - now_mono()) * 1000), k;
		if (left <= 0)
			break; /* the wait below kills it */
		if ((k = poll(&p, 1, left)) <= 0) {
			if (k < 0 && errno != EINTR)
				break;
			continue;
		}
		ssize_t got = read(pfd[0], buf, sizeof(buf));
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		for (ssize_t i = 0; i < got && len + 1 < n; i++)
			out[len++] = buf[i];
	}
	close(pfd[0]);
	if (n)
		out[len] = 0;
	/* an exit after its EOF is waited for until the deadline too */
	if (r == 0)
		r = wait_until(pid, deadline, &chld, true, &st);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (r == 0 && wstatus)
		*wstatus = st;
	return r;
}

int proc_call(const struct proc_call *c, void *answer, int *wstatus)
{
	struct shared {
		int done;
		unsigned char answer[];
	} *sh;
	size_t len = sizeof(*sh) + c->size;
	sigset_t chld, old;
	int st = 0, r;
	pid_t pid;

	sh = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return neg_errno();
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old);
	pid = c->start ? c->start(c->arg) : fork();
	if (pid == 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		c->fn(c->arg, answer);
		memcpy(sh->answer, answer, c->size);
		__atomic_store_n(&sh->done, 1, __ATOMIC_RELEASE);
		_exit(0);
	}
	r = pid < 0 ? neg_errno() : wait_until(pid, c->timeout > 0 ? now_mono() + c->timeout : 0, &chld, false, &st);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (r == 0 && __atomic_load_n(&sh->done, __ATOMIC_ACQUIRE))
		memcpy(answer, sh->answer, c->size);
	else if (r == 0)
		r = -ENODATA;
	if ((r == 0 || r == -ENODATA) && wstatus)
		*wstatus = st;
	munmap(sh, len);
	return r;
}

int become_nobody(void)
{
	/* dumpable, or uid_map cannot be written: what an unprivileged user can do */
	if (geteuid() == 0 && (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0 ||
			       prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0))
		return neg_errno();
	return 0;
}

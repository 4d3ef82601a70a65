#include "spawn.h"

#include "../lib/util.h"
#include "cgroup.h"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define REAP_SECONDS 5
/* Survivors get this long to act before they are killed, as a real daemon
 * would: what they do after the box ended is evidence too. And longer, up
 * to SURVIVOR_SETTLE_S, while one still runs or waits for the CPU: one that
 * the box's end woke, and a busy machine has not run yet, has not acted yet. */
#define SURVIVOR_GRACE_US 300000
#define SURVIVOR_SETTLE_S 3.0

/* Close every fd >= 3 except the ones listed. */
static void close_except(const int *keep, size_t n)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int dfd = d ? dirfd(d) : -1;

	if (!d) {
		/* no /proc: close a generous range instead */
		for (int fd = 3; fd < 4096; fd++) {
			bool k = false;
			for (size_t i = 0; i < n; i++)
				k = k || keep[i] == fd;
			if (!k)
				close(fd);
		}
		return;
	}
	while ((e = readdir(d))) {
		int fd = atoi(e->d_name);
		bool k = fd < 3 || fd == dfd;
		for (size_t i = 0; i < n && !k; i++)
			k = keep[i] == fd;
		if (!k && e->d_name[0] != '.')
			close(fd);
	}
	closedir(d);
}

static void die_child(const char *what, int err)
{
	dprintf(2, "cagetest: sandbox setup failed: %s: %s\n", what, strerror(err < 0 ? -err : err));
	_exit(127);
}

/* The sandboxed child: never returns. */
static void child(const struct spawn_req *req, int out_w, int err_w)
{
	pid_t sup = getppid();
	int r;

	signal(SIGPIPE, SIG_DFL);
	/* first, so every descendant is in the case's cgroup */
	if ((r = cg_enter(req->cgroup)) < 0)
		die_child("cgroup", r);
	/* a crashing probe must not litter the workspace with cores */
	setrlimit(RLIMIT_CORE, &(struct rlimit){0, 0});
	if (req->ctty) {
		int tty;
		setsid();
		tty = open(req->ctty, O_RDWR);
		if (tty < 0)
			die_child("open pty", errno);
		ioctl(tty, TIOCSCTTY, 0);
		dup2(tty, 0);
		if (tty > 2)
			close(tty);
	} else {
		setpgid(0, 0);
		int in = req->stdin_fd >= 0 ? req->stdin_fd : open("/dev/null", O_RDONLY);
		if (in < 0 || dup2(in, 0) < 0)
			die_child("stdin", errno);
	}
	if (dup2(out_w, 1) < 0 || dup2(err_w, 2) < 0)
		die_child("stdout", errno);
	for (size_t i = 0; i < req->nfds; i++) /* dup2 onto itself would keep O_CLOEXEC */
		fcntl(req->fds[i], F_SETFD, 0);
	int keep[8];
	size_t nkeep = 0;
	for (size_t i = 0; i < req->nfds && nkeep < ARRAY_SIZE(keep) - 1; i++)
		keep[nkeep++] = req->fds[i];
	if (req->leak_fd >= 0) {
		if (dup2(req->leak_fd, PROBE_LEAKED_FD) < 0)
			die_child("leaked fd", errno);
		keep[nkeep++] = PROBE_LEAKED_FD;
	}
	close_except(keep, nkeep);
	if (req->cwd && chdir(req->cwd) < 0)
		die_child(req->cwd, errno);
	if (req->drop && (setgroups(0, NULL) < 0 || setresgid(req->gid, req->gid, req->gid) < 0 ||
			  setresuid(req->uid, req->uid, req->uid) < 0))
		die_child("drop to the sandbox user", errno);
	/* a case whose supervisor is gone (its runner was killed) stops: nobody
	 * is left to verify, or to remove, what its next probes would make. After
	 * the uid drop, which clears it */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != sup)
		die_child("parent death signal", errno ? errno : ESRCH);
	if (req->backend && req->backend->enter && (r = req->backend->enter(req->backend, req->box)) < 0)
		die_child(req->backend->name, r);
	execve(req->argv[0], req->argv, req->envp);
	die_child(req->argv[0], errno);
}

/* Children of this process, from /proc (CONFIG_PROC_CHILDREN) or a scan. */
static size_t list_children(pid_t *out, size_t max)
{
	char path[64];
	_cleanup_free_ char *text = NULL;
	size_t n = 0;

	snprintf(path, sizeof(path), "/proc/self/task/%d/children", (int)getpid());
	if (read_file(path, 65536, &text, NULL) == 0) {
		for (char *p = text; *p && n < max;) {
			char *end;
			long v = strtol(p, &end, 10);
			if (end == p)
				break;
			out[n++] = (pid_t)v;
			p = end;
		}
		return n;
	}
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t me = getpid();
	while (d && (e = readdir(d)) && n < max) {
		_cleanup_free_ char *stat = NULL;
		char sp[64];
		int pid = atoi(e->d_name), ppid;
		if (pid <= 0 || fmt(sp, sizeof(sp), "/proc/%d/stat", pid) < 0 || read_file(sp, 4096, &stat, NULL) < 0)
			continue;
		char *rp = strrchr(stat, ')');
		if (rp && sscanf(rp + 2, "%*c %d", &ppid) == 1 && ppid == me)
			out[n++] = pid;
	}
	if (d)
		closedir(d);
	return n;
}

static void add_name(struct reap_info *ri, pid_t pid)
{
	char path[64], comm[32] = "?";
	_cleanup_free_ char *text = NULL;
	size_t len = strlen(ri->survivor_names);

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	if (read_file(path, 64, &text, NULL) == 0)
		snprintf(comm, sizeof(comm), "%.*s", (int)strcspn(text, "\n"), text);
	for (const char *p = ri->survivor_names; (p = strstr(p, comm)); p += strlen(comm))
		if ((p == ri->survivor_names || p[-1] == ' ') && (p[strlen(comm)] == ' ' || !p[strlen(comm)]))
			return; /* listed */
	if (len + strlen(comm) + 2 < sizeof(ri->survivor_names))
		snprintf(ri->survivor_names + len, sizeof(ri->survivor_names) - len, "%s%s", len ? " " : "", comm);
}

/* Kill and reap every child until none is left (a fork bomb leaves a
 * thousand) or REAP_SECONDS pass; the ones never seen before are named in
 * ri, when given, with every member of the case's cgroup: the host's own
 * view of what survived, deeper descendants and pid namespaces included. */
static void kill_reap_all(struct reap_info *ri, const char *cgroup)
{
	pid_t seen[256];
	size_t nseen = 0;

	for (double end = now_mono() + REAP_SECONDS; now_mono() < end;) {
		pid_t kids[4096];
		pid_t r;
		while ((r = waitpid(-1, NULL, WNOHANG)) > 0)
			;
		if (r < 0)
			return; /* ECHILD: nothing left */
		size_t n = list_children(kids, ARRAY_SIZE(kids));
		if (ri)
			n += cg_case_procs(cgroup, kids + n, ARRAY_SIZE(kids) - n);
		for (size_t i = 0; i < n; i++) {
			bool known = false;
			for (size_t k = 0; k < nseen && !known; k++)
				known = seen[k] == kids[i];
			if (ri && !known && nseen < ARRAY_SIZE(seen)) {
				seen[nseen++] = kids[i];
				ri->survivors++;
				add_name(ri, kids[i]);
			}
			kill(kids[i], SIGKILL);
		}
		/* killed ones, and the orphans they leave us, are reaped next round */
		usleep(1000);
	}
}

/* Is one of them running, runnable or in uninterruptible sleep? */
static bool any_busy(const pid_t *pids, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char p[64], state = 0;
		_cleanup_free_ char *stat = NULL;
		snprintf(p, sizeof(p), "/proc/%d/stat", (int)pids[i]);
		if (read_file(p, 4096, &stat, NULL) == 0 && strrchr(stat, ')'))
			state = strrchr(stat, ')')[2];
		if (state == 'R' || state == 'D')
			return true;
	}
	return false;
}

/* Everything left after the top process: name it, kill it, reap it. */
static void reap_survivors(struct reap_info *ri, const char *cgroup)
{
	double t0 = now_mono();

	/* a live survivor gets a grace to show what it does after the box ended;
	 * a wrapper's helpers that are only exiting (bwrap's init) end it early */
	for (;;) {
		pid_t kids[4096];
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		size_t n = list_children(kids, ARRAY_SIZE(kids));
		if (n == 0)
			break;
		n += cg_case_procs(cgroup, kids + n, ARRAY_SIZE(kids) - n);
		double spent = now_mono() - t0;
		if (spent >= SURVIVOR_GRACE_US / 1e6 && (spent >= SURVIVOR_SETTLE_S || !any_busy(kids, n))) {
			ri->busy = spent >= SURVIVOR_SETTLE_S;
			break;
		}
		usleep(2000);
	}
	kill_reap_all(ri, cgroup);
}

/* A wrapper kept under the host's /tmp (a checkout or a user's tool there)
 * would vanish behind the case's private /tmp: the top directory under /tmp
 * of its path, as given and as resolved, is opened before (*fd) and bound
 * back read-only at the same place after (rebind_under_tmp). */
struct tmp_keep {
	char dir[2][PATH_MAX];
	int fd[2];
};

static void keep_under_tmp(const char *exe, struct tmp_keep *k)
{
	char real[PATH_MAX];
	const char *paths[2] = {exe, realpath(exe, real) ? real : ""};

	for (int i = 0; i < 2; i++) {
		const char *end = strncmp(paths[i], "/tmp/", 5) ? NULL : strchr(paths[i] + 5, '/');
		k->fd[i] = -1;
		if (!end || (i == 1 && k->fd[0] >= 0 && (size_t)(end - paths[i]) == strlen(k->dir[0]) &&
			     !strncmp(k->dir[0], paths[i], strlen(k->dir[0]))))
			continue;
		if (fmt(k->dir[i], sizeof(k->dir[i]), "%.*s", (int)(end - paths[i]), paths[i]) == 0)
			k->fd[i] = open(k->dir[i], O_PATH | O_DIRECTORY | O_CLOEXEC);
	}
}

static int rebind_under_tmp(struct tmp_keep *k)
{
	int r = 0;

	for (int i = 0; i < 2; i++) {
		char src[64];
		if (k->fd[i] < 0)
			continue;
		snprintf(src, sizeof(src), "/proc/self/fd/%d", k->fd[i]);
		if (r == 0 && (mkdir(k->dir[i], 0755) < 0 || mount(src, k->dir[i], NULL, MS_BIND | MS_REC, NULL) < 0 ||
			       mount(NULL, k->dir[i], NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0))
			r = neg_errno();
		close(k->fd[i]);
	}
	return r;
}

#define EXIT_POLL_MS 20

/* Has the child ended? It stays waitable (WNOWAIT) for the waitpid after. */
static bool ended(pid_t pid)
{
	siginfo_t si = {0};

	return waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid;
}

static void supervise(const struct spawn_req *req, int out_w, int err_w, int status_w, pid_t runner)
{
	struct reap_info ri = {0};
	sigset_t set;
	int sfd, pidfd, st;
	pid_t pid;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != runner)
		_exit(1);
	setpgid(0, 0);
	prctl(PR_SET_NAME, "cagetest-sup");
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	pid = getpid();
	write_all(status_w, &pid, sizeof(pid));

	if (req->tmp_bind) {
		struct tmp_keep keep;
		if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0) {
			ri.setup_err = neg_errno();
			goto report;
		}
		keep_under_tmp(req->argv[0], &keep);
		/* a root without /dev/shm (lxc-execute's) has no host one to hide */
		if (mount(req->tmp_bind, "/tmp", NULL, MS_BIND, NULL) < 0 ||
		    (req->shm_bind && access("/dev/shm", F_OK) == 0 &&
		     mount(req->shm_bind, "/dev/shm", NULL, MS_BIND, NULL) < 0) ||
		    (ri.setup_err = rebind_under_tmp(&keep)) < 0) {
			if (!ri.setup_err)
				ri.setup_err = neg_errno();
			goto report;
		}
	}
	pid = fork();
	if (pid < 0) {
		ri.setup_err = neg_errno();
		goto report;
	}
	if (pid == 0) {
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		close(status_w);
		if (sfd >= 0)
			close(sfd);
		child(req, out_w, err_w);
	}
	close(out_w);
	close(err_w);
	if (req->stdin_fd >= 0)
		close(req->stdin_fd);
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	{
		double deadline = now_mono() + req->timeout;
		struct pollfd pfd[2] = {{.fd = pidfd, .events = POLLIN}, {.fd = sfd, .events = POLLIN}};
		for (;;) {
			int left = (int)((deadline - now_mono()) * 1000);
			if (left <= 0) {
				ri.timed_out = true;
				break;
			}
			/* without pidfd_open (kernels before 5.3, gVisor) the child's
			 * end is looked for every few ms instead of waited for */
			int k = poll(pfd, 2, pidfd < 0 && left > EXIT_POLL_MS ? EXIT_POLL_MS : left);
			if (k < 0 && errno == EINTR)
				continue;
			if (k < 0 || pfd[0].revents || (pidfd < 0 && ended(pid)))
				break;
			if (pfd[1].revents) { /* the runner is stopping: end the case now */
				ri.timed_out = true;
				break;
			}
		}
	}
	if (ri.timed_out) {
		/* the whole tree at once, forks in flight included */
		cg_case_destroy(req->cgroup);
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
	}
	if (waitpid(pid, &st, 0) == pid) {
		ri.exited = true;
		ri.wstatus = st;
	}
	reap_survivors(&ri, req->cgroup);
	/* what left the subreaper's view (new pid namespaces) is still in the
	 * cgroup; what it leaves us is reaped here, not handed on to init */
	cg_case_destroy(req->cgroup);
	kill_reap_all(NULL, NULL);
report:
	write_all(status_w, &ri, sizeof(ri));
	_exit(0);
}

static int pipe_nb(int p[2])
{
	if (pipe2(p, O_CLOEXEC) < 0)
		return neg_errno();
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	return 0;
}

static void close_pair(int p[2])
{
	if (p[0] >= 0)
		close(p[0]);
	if (p[1] >= 0)
		close(p[1]);
}

/* Keep exactly the fds a supervisor needs, then run it. */
static void run_supervisor(const struct spawn_req *req, int out_w, int err_w, int status_w, pid_t parent)
{
	int keep[8 + 4];
	size_t k = 0;

	keep[k++] = out_w, keep[k++] = err_w, keep[k++] = status_w;
	if (req->stdin_fd >= 0)
		keep[k++] = req->stdin_fd;
	if (req->leak_fd >= 0)
		keep[k++] = req->leak_fd;
	for (size_t i = 0; i < req->nfds && k < ARRAY_SIZE(keep); i++)
		keep[k++] = req->fds[i];
	/* other cases' pipes must not be held open by this one */
	close_except(keep, k);
	supervise(req, out_w, err_w, status_w, parent);
}

/* --- the spawner ---
 * Forking the runner for every case is expensive: its heap is large and
 * every page it writes after a fork is a copy-on-write fault (tens of
 * microseconds each in a VM). So the runner forks one small spawner early,
 * before the run's data exists, and the spawner forks the supervisors. A
 * request carries the spawn_req flattened (strings) and its fds (SCM_RIGHTS).
 * Pointers to backends and modes are sent as they are: the spawner is a copy
 * of the runner made after the plan was fixed, so they are valid in it. */

#define MAX_MSG (256 * 1024)
#define MAX_FDS 10
#define HIGH_FD 1000

struct wire {
	const struct backend *backend;
	const struct mode *mode;
	double timeout;
	bool drop, has_stdin, has_leak, has_ctty, has_tmp, has_shm, has_cgroup, has_cwd;
	uid_t uid;
	gid_t gid;
	size_t argc, envc, nfds;
	int fd_numbers[4]; /* launch fds: the numbers they must have */
};

/* The box's strings, in the order they travel (by name, not position). */
static const size_t box_strings[] = {
	offsetof(struct box, case_root), offsetof(struct box, ws),   offsetof(struct box, tmp),
	offsetof(struct box, home),	 offsetof(struct box, run),  offsetof(struct box, self),
	offsetof(struct box, listener),
};

static int spawner_fd = -1;
static pid_t spawner_pid;

static void put_str(struct sbuf *b, const char *s)
{
	sb_puts(b, s ? s : "");
	sb_putc(b, 0);
}

static const char *take_str(const char **p, const char *end)
{
	const char *s = *p;
	size_t n = strnlen(s, (size_t)(end - s));

	if (s + n >= end)
		return NULL;
	*p = s + n + 1;
	return s;
}

/* Rebuild a request in the spawner; strings point into msg. */
static int unflatten(const char *msg, size_t len, const int *fds, size_t nfd, struct spawn_req *req, struct box *x,
		     struct launch *l, char ***argv, char ***envp, int io[3])
{
	struct wire w;
	const char *p = msg + sizeof(w), *end = msg + len;
	size_t fi = 3;

	if (len < sizeof(w) || nfd < 3)
		return -EPROTO;
	memcpy(&w, msg, sizeof(w));
	if (w.nfds > 4 || nfd != 3 + w.has_stdin + w.has_leak + w.nfds)
		return -EPROTO;
	*argv = calloc(w.argc + 1, sizeof(char *));
	*envp = calloc(w.envc + 1, sizeof(char *));
	if (!*argv || !*envp)
		return -ENOMEM;
	for (size_t i = 0; i < w.argc; i++)
		if (!((*argv)[i] = (char *)take_str(&p, end)))
			return -EPROTO;
	for (size_t i = 0; i < w.envc; i++)
		if (!((*envp)[i] = (char *)take_str(&p, end)))
			return -EPROTO;
	const char *cwd = take_str(&p, end), *ctty = take_str(&p, end), *tmp = take_str(&p, end),
		   *shm = take_str(&p, end), *cg = take_str(&p, end);
	*x = (struct box){.mode = w.mode, .launch = l};
	for (size_t i = 0; i < ARRAY_SIZE(box_strings); i++)
		if (!(*(const char **)((char *)x + box_strings[i]) = take_str(&p, end)))
			return -EPROTO;
	if (!cwd || !ctty || !tmp || !shm || !cg)
		return -EPROTO;
	io[0] = fds[0], io[1] = fds[1], io[2] = fds[2];
	int stdin_fd = w.has_stdin ? fds[fi++] : -1;
	int leak_fd = w.has_leak ? fds[fi++] : -1;
	*req = (struct spawn_req){
		.argv = *argv,
		.envp = *envp,
		.cwd = w.has_cwd ? cwd : NULL,
		.backend = w.backend,
		.box = x,
		.stdin_fd = stdin_fd,
		.ctty = w.has_ctty ? ctty : NULL,
		.leak_fd = leak_fd,
		.timeout = w.timeout,
		.tmp_bind = w.has_tmp ? tmp : NULL,
		.shm_bind = w.has_shm ? shm : NULL,
		.cgroup = w.has_cgroup ? cg : NULL,
		.drop = w.drop,
		.uid = w.uid,
		.gid = w.gid,
	};
	/* launch fds go to the numbers the wrapper's argv names (bwrap --seccomp N) */
	for (size_t i = 0; i < w.nfds; i++) {
		if (dup2(fds[fi + i], w.fd_numbers[i]) < 0)
			return neg_errno();
		l->fds[i] = w.fd_numbers[i];
	}
	l->nfds = w.nfds;
	req->fds = l->fds;
	req->nfds = l->nfds;
	return 0;
}

/* The runner is done: wait for the supervisors still exiting (bounded), so
 * what they leave is reaped by us and not handed on to init. */
static void spawner_exit(void)
{
	signal(SIGCHLD, SIG_DFL);
	alarm(REAP_SECONDS * 2);
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
	_exit(0);
}

static void spawner_loop(int sock, pid_t runner)
{
	static char msg[MAX_MSG];

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != runner)
		_exit(1);
	close_except(&sock, 1); /* the runner's listeners and pipes are not ours */
	prctl(PR_SET_NAME, "cagetest-spawn");
	/* supervisors that die early leave their trees to us, not to init */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	signal(SIGCHLD, SIG_IGN); /* nobody waits for supervisors: the status pipe tells */
	for (;;) {
		char cbuf[CMSG_SPACE(MAX_FDS * sizeof(int))];
		struct iovec iov = {msg, sizeof(msg)};
		struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
		int fds[MAX_FDS], nfd = 0;
		ssize_t len = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);

		if (len <= 0)
			spawner_exit();
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
				nfd = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
				memcpy(fds, CMSG_DATA(c), (size_t)nfd * sizeof(int));
			}
		/* above any number a launch fd must take */
		for (int i = 0; i < nfd; i++) {
			int hi = fcntl(fds[i], F_DUPFD_CLOEXEC, HIGH_FD);
			close(fds[i]);
			fds[i] = hi;
		}
		pid_t pid = fork();
		if (pid == 0) {
			struct spawn_req req;
			struct box x;
			struct launch l = {0};
			char **argv = NULL, **envp = NULL;
			int io[3];
			signal(SIGCHLD, SIG_DFL);
			prctl(PR_SET_CHILD_SUBREAPER, 0);
			close(sock);
			if (unflatten(msg, (size_t)len, fds, (size_t)nfd, &req, &x, &l, &argv, &envp, io) < 0)
				_exit(1);
			run_supervisor(&req, io[0], io[1], io[2], getppid());
		}
		for (int i = 0; i < nfd; i++)
			close(fds[i]);
		/* no reply: the supervisor's first status bytes are its pid; after
		 * a failed fork the runner sees the pipes end with no report */
	}
}

int spawner_start(void)
{
	int sv[2];
	pid_t runner = getpid();

	if (spawner_fd >= 0)
		return 0;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return neg_errno();
	spawner_pid = fork();
	if (spawner_pid < 0) {
		int r = neg_errno();
		close(sv[0]), close(sv[1]);
		return r;
	}
	if (spawner_pid == 0) {
		close(sv[0]);
		spawner_loop(sv[1], runner);
	}
	close(sv[1]);
	spawner_fd = sv[0];
	return 0;
}

void spawner_stop(void)
{
	if (spawner_fd < 0)
		return;
	close(spawner_fd);
	spawner_fd = -1;
	while (waitpid(spawner_pid, NULL, 0) < 0 && errno == EINTR)
		;
}

static int via_spawner(const struct spawn_req *req, int out_w, int err_w, int status_w)
{
	const struct box *x = req->box;
	struct wire w = {
		.backend = req->backend,
		.mode = x ? x->mode : NULL,
		.timeout = req->timeout,
		.drop = req->drop,
		.has_stdin = req->stdin_fd >= 0,
		.has_leak = req->leak_fd >= 0,
		.has_ctty = req->ctty != NULL,
		.has_tmp = req->tmp_bind != NULL,
		.has_shm = req->shm_bind != NULL,
		.has_cgroup = req->cgroup && *req->cgroup,
		.has_cwd = req->cwd != NULL,
		.uid = req->uid,
		.gid = req->gid,
		.nfds = req->nfds,
	};
	int fds[MAX_FDS], nfd = 0;
	struct sbuf b = {0};
	ssize_t sent;

	if (req->nfds > 4)
		return -E2BIG;
	for (; req->argv[w.argc]; w.argc++)
		;
	for (; req->envp[w.envc]; w.envc++)
		;
	fds[nfd++] = out_w, fds[nfd++] = err_w, fds[nfd++] = status_w;
	if (w.has_stdin)
		fds[nfd++] = req->stdin_fd;
	if (w.has_leak)
		fds[nfd++] = req->leak_fd;
	for (size_t i = 0; i < req->nfds; i++)
		fds[nfd++] = w.fd_numbers[i] = req->fds[i];
	for (size_t i = 0; i < sizeof(w); i++)
		sb_putc(&b, ((const char *)&w)[i]);
	for (size_t i = 0; i < w.argc; i++)
		put_str(&b, req->argv[i]);
	for (size_t i = 0; i < w.envc; i++)
		put_str(&b, req->envp[i]);
	put_str(&b, req->cwd), put_str(&b, req->ctty), put_str(&b, req->tmp_bind), put_str(&b, req->shm_bind);
	put_str(&b, req->cgroup);
	for (size_t i = 0; i < ARRAY_SIZE(box_strings); i++)
		put_str(&b, x ? *(const char *const *)((const char *)x + box_strings[i]) : NULL);
	if (b.oom || b.len > MAX_MSG) {
		sb_free(&b);
		return -E2BIG;
	}
	char cbuf[CMSG_SPACE(MAX_FDS * sizeof(int))] = {0};
	struct iovec iov = {b.s, b.len};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			    .msg_controllen = CMSG_SPACE((size_t)nfd * sizeof(int))};
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN((size_t)nfd * sizeof(int));
	memcpy(CMSG_DATA(c), fds, (size_t)nfd * sizeof(int));
	sent = sendmsg(spawner_fd, &mh, MSG_NOSIGNAL);
	sb_free(&b);
	return sent < 0 ? neg_errno() : 0;
}

int spawn_start(const struct spawn_req *req, struct spawn_handle *h, char *err, size_t n)
{
	int out[2] = {-1, -1}, er[2] = {-1, -1}, stat[2] = {-1, -1}, r;
	pid_t runner = getpid();

	if ((r = pipe_nb(out)) < 0 || (r = pipe_nb(er)) < 0 || (r = pipe_nb(stat)) < 0) {
		close_pair(out), close_pair(er), close_pair(stat);
		snprintf(err, n, "pipe: %s", strerror(-r));
		return r;
	}
	memset(h, 0, sizeof(*h));
	if (spawner_fd >= 0) {
		r = via_spawner(req, out[1], er[1], stat[1]);
		if (r < 0) {
			snprintf(err, n, "spawner: %s", strerror(-r));
			close_pair(out), close_pair(er), close_pair(stat);
			return r;
		}
	} else {
		h->sup = fork();
		if (h->sup < 0) {
			r = neg_errno();
			snprintf(err, n, "fork: %s", strerror(-r));
			close_pair(out), close_pair(er), close_pair(stat);
			return r;
		}
		if (h->sup == 0) {
			close(out[0]), close(er[0]), close(stat[0]);
			run_supervisor(req, out[1], er[1], stat[1], runner);
		}
	}
	close(out[1]), close(er[1]), close(stat[1]);
	h->out = out[0];
	h->err = er[0];
	h->status = stat[0];
	return 0;
}

void spawn_status(struct spawn_handle *h, const void *status_buf, size_t len)
{
	pid_t pid;

	if (h->sup > 0 || len < sizeof(pid))
		return;
	memcpy(&pid, status_buf, sizeof(pid));
	if (pid <= 0)
		return;
	h->sup = pid;
	if (h->cancel)
		kill(h->sup, SIGTERM);
}

int spawn_finish(struct spawn_handle *h, const void *status_buf, size_t len, struct reap_info *out)
{
	int st;

	/* ours only without the spawner (else its child: ECHILD at once) */
	while (h->sup > 0 && waitpid(h->sup, &st, 0) < 0 && errno == EINTR)
		;
	memset(out, 0, sizeof(*out));
	if (len != SPAWN_STATUS_SIZE)
		return -EPROTO; /* the supervisor died without a report */
	memcpy(out, (const char *)status_buf + sizeof(pid_t), sizeof(*out));
	return 0;
}

void spawn_cancel(struct spawn_handle *h)
{
	h->cancel = true;
	if (h->sup > 0)
		kill(h->sup, SIGTERM);
}

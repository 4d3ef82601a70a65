#include "detect.h"

#include "../lib/util.h"
#include "container.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/landlock.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>

int landlock_abi(void)
{
	long v = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);

	return v > 0 ? (int)v : 0;
}

bool seccomp_supported(void)
{
	/* a NULL program fails with EFAULT (or EACCES without no_new_privs) only
	 * where filters exist; EINVAL means no CONFIG_SECCOMP_FILTER */
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, NULL, 0, 0) == 0)
		return true;
	return errno == EFAULT || errno == EACCES;
}

bool userns_works(void)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return false;
	if (pid == 0)
		_exit(unshare(CLONE_NEWUSER) == 0 ? 0 : 1);
	if (waitpid(pid, &st, 0) < 0)
		return false;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

const char *container_kind(void)
{
	struct evidence ev;
	struct ctr_id id;

	if (evidence_read(&ev, "") < 0)
		return "none";
	ctr_identify(&ev, &id);
	evidence_free(&ev);
	return id.runtime; /* a string constant */
}

bool which(const char *name, char *out, size_t n)
{
	const char *path = getenv("PATH");
	char buf[4096];
	char *save = NULL;

	if (strchr(name, '/'))
		return access(name, X_OK) == 0 && fmt(out, n, "%s", name) == 0;
	if (fmt(buf, sizeof(buf), "%s", path ? path : "/usr/bin:/bin") < 0)
		return false;
	for (char *dir = strtok_r(buf, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		struct stat st;
		if (fmt(out, n, "%s/%s", dir, name) == 0 && stat(out, &st) == 0 && S_ISREG(st.st_mode) &&
		    access(out, X_OK) == 0)
			return true;
	}
	return false;
}

int become_nobody(void)
{
	/* dumpable, or uid_map cannot be written: what an unprivileged user can do */
	if (geteuid() == 0 && (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0 ||
			       prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0))
		return neg_errno();
	return 0;
}

int run_capture(char *const argv[], double timeout, bool as_nobody, char *out, size_t n, int *wstatus)
{
	int pfd[2], st, r = 0;
	size_t len = 0;
	double deadline = now_mono() + timeout;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return neg_errno();
	pid = fork();
	if (pid < 0) {
		r = neg_errno();
		close(pfd[0]), close(pfd[1]);
		return r;
	}
	if (pid == 0) {
		int in = open("/dev/null", O_RDONLY);
		setpgid(0, 0);
		if (in < 0 || dup2(in, 0) < 0 || dup2(pfd[1], 1) < 0 || dup2(pfd[1], 2) < 0)
			_exit(127);
		if (as_nobody && become_nobody() < 0)
			_exit(126);
		execvp(argv[0], argv);
		dprintf(2, "%s: %s", argv[0], strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	for (;;) {
		struct pollfd p = {.fd = pfd[0], .events = POLLIN};
		char buf[512];
		int left = (int)((deadline - now_mono()) * 1000);
		if (left <= 0) {
			r = -ETIMEDOUT;
			break;
		}
		int k = poll(&p, 1, left);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			continue; /* the deadline check ends the loop */
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
		out[len < n ? len : n - 1] = 0;
	if (r == -ETIMEDOUT)
		kill(-pid, SIGKILL), kill(pid, SIGKILL);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (r == 0)
		*wstatus = st;
	return r;
}

int host_facts_fill(struct host_facts *h)
{
	struct utsname u;

	if (uname(&u) < 0)
		return neg_errno();
	h->name = strdup(u.nodename);
	h->kernel = strdup(u.release);
	h->arch = strdup(u.machine);
	h->container = strdup(container_kind());
	h->uid = (unsigned)getuid();
	h->landlock_abi = landlock_abi();
	h->seccomp = seccomp_supported();
	h->userns = userns_works();
	return h->name && h->kernel && h->arch && h->container ? 0 : -ENOMEM;
}

#include "detect.h"

#include "../lib/proc.h"
#include "../lib/util.h"

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

static void try_userns(void *arg, void *answer)
{
	(void)arg;
	*(bool *)answer = unshare(CLONE_NEWUSER) == 0;
}

bool userns_works(void)
{
	struct proc_call c = {.fn = try_userns, .size = sizeof(bool)};
	bool ok = false;

	return proc_call(&c, &ok, NULL) == 0 && ok;
}

static bool file_has(const char *path, const char *needle)
{
	_cleanup_free_ char *text = NULL;
	size_t len;

	return read_file(path, 65536, &text, &len) == 0 && mem_contains(text, len, needle);
}

const char *container_kind(void)
{
	static char kind[32];
	_cleanup_free_ char *text = NULL;
	struct stat st;

	if (read_file("/run/systemd/container", 64, &text, NULL) == 0 && *text) {
		snprintf(kind, sizeof(kind), "%.*s", (int)strcspn(text, "\n"), text);
		return kind;
	}
	if (stat("/.dockerenv", &st) == 0)
		return "docker";
	if (stat("/run/.containerenv", &st) == 0)
		return "podman";
	if (getenv("KUBERNETES_SERVICE_HOST") || file_has("/proc/1/cgroup", "kubepods"))
		return "kubernetes";
	if (file_has("/proc/1/cgroup", "docker"))
		return "docker";
	if (file_has("/proc/1/cgroup", "lxc") || file_has("/proc/1/environ", "container=lxc"))
		return "lxc";
	if (file_has("/proc/version", "gVisor") || file_has("/proc/self/mountinfo", "runsc"))
		return "gvisor";
	if (file_has("/proc/version", "microsoft") || file_has("/proc/version", "Microsoft"))
		return "wsl";
	return "none";
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

int host_info_read(struct host_info *h)
{
	struct utsname u;

	if (uname(&u) < 0)
		return neg_errno();
	snprintf(h->name, sizeof(h->name), "%s", u.nodename);
	snprintf(h->kernel, sizeof(h->kernel), "%s", u.release);
	snprintf(h->arch, sizeof(h->arch), "%s", u.machine);
	snprintf(h->container, sizeof(h->container), "%s", container_kind());
	h->uid = (unsigned)getuid();
	h->landlock_abi = landlock_abi();
	h->seccomp = seccomp_supported();
	h->userns = userns_works();
	return 0;
}

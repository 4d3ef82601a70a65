/* An LD_PRELOAD shim that plays a machine too busy to run a process it
 * woke: a process that waits for another one's end (poll on one pidfd, no
 * timeout: proc.daemon_writes_after's daemon waiting for the agent) spins
 * for 0.6 s once woken before it goes on. It stays runnable, longer than
 * the survivors' fixed grace, and only then acts. No sandbox beneath it.
 * (tests/data/wrap-slowshim.json, tests/live/test_live_stable.c) */
#include <dlfcn.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SPIN_NS 600000000LL

static int is_pidfd(int fd)
{
	char p[64], target[64];
	ssize_t k;

	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	k = readlink(p, target, sizeof(target) - 1);
	return k > 0 && (target[k] = 0, strstr(target, "pidfd") != NULL);
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int poll(struct pollfd *fds, nfds_t n, int timeout)
{
	static int (*real)(struct pollfd *, nfds_t, int);

	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "poll");
	int r = real(fds, n, timeout);
	if (n == 1 && timeout < 0 && r > 0 && is_pidfd(fds[0].fd))
		for (long long end = now_ns() + SPIN_NS; now_ns() < end;)
			;
	return r;
}

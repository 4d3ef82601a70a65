#include "sentinel.h"

#include "../lib/util.h"

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#define SHM_FD 3
#define READY_FD 4

int sentinel_start(struct sentinel *s, const char *self, const char *outside_dir, bool drop, uid_t uid, gid_t gid)
{
	char fdfile[PATH_MAX], env_secret[64], buf[64];
	int mfd, ready[2], r;
	void *map;

	memset(s, 0, sizeof(*s));
	if ((r = random_hex(s->secret, sizeof(s->secret), 32)) < 0)
		return r;
	mfd = memfd_create("cagetest-sentinel", MFD_CLOEXEC);
	if (mfd < 0)
		return neg_errno();
	if (ftruncate(mfd, 4096) < 0 || (map = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0)) == MAP_FAILED) {
		r = neg_errno();
		close(mfd);
		return r;
	}
	s->words = map;
	for (size_t i = 0; i < SENTINEL_WORDS; i++)
		s->words[i] = SENTINEL_MAGIC;
	if (pipe2(ready, O_CLOEXEC) < 0) {
		r = neg_errno();
		goto fail;
	}
	fmt(fdfile, sizeof(fdfile), "%s/sentinel-fd.txt", outside_dir);
	fmt(env_secret, sizeof(env_secret), "CAGETEST_SECRET=%s", s->secret);
	/* posix_spawn (vfork): forking the runner would cost copy-on-write faults;
	 * the uid drop happens in the sentinel itself */
	char ids[32];
	snprintf(ids, sizeof(ids), "%u:%u", (unsigned)uid, (unsigned)gid);
	char *argv[] = {(char *)self, "sentinel", drop ? ids : NULL, NULL};
	char *envp[] = {env_secret, "PATH=/usr/bin:/bin", NULL};
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&at);
	posix_spawn_file_actions_addopen(&fa, SENTINEL_FD, fdfile, O_RDWR | O_CREAT, 0644);
	posix_spawn_file_actions_adddup2(&fa, mfd, SHM_FD);
	posix_spawn_file_actions_adddup2(&fa, ready[1], READY_FD);
	posix_spawn_file_actions_addchdir_np(&fa, outside_dir);
	posix_spawnattr_setpgroup(&at, 0); /* not in the runner's terminal group */
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP);
	r = posix_spawn(&s->pid, self, &fa, &at, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	if (r)
		s->pid = -1, errno = r;
	close(ready[1]);
	close(mfd);
	mfd = -1;
	if (s->pid < 0) {
		r = neg_errno();
		close(ready[0]);
		goto fail;
	}
	ssize_t k = read(ready[0], buf, sizeof(buf) - 1);
	close(ready[0]);
	if (k <= 0 || sscanf((buf[k] = 0, buf), "ready %lx", &s->addr) != 1) {
		sentinel_stop(s);
		return -ECHILD;
	}
	return 0;
fail:
	if (mfd >= 0)
		close(mfd);
	munmap(map, 4096);
	s->words = NULL;
	return r;
}

static uint64_t status_mask(const char *text, const char *key)
{
	const char *p = strstr(text, key);

	return p ? strtoull(p + strlen(key), NULL, 16) : 0;
}

/* A kill or a stop the box sent takes effect when the sentinel next runs:
 * until then it is runnable, then it dies or stops; on a busy machine that
 * may be after the case ended. Untouched, it sleeps in pause(). */
#define SENTINEL_SETTLE_S 2.0
#define PF_EXITING 0x4 /* linux/sched.h: in do_exit() */

void sentinel_read(const struct sentinel *s, struct sentinel_state *st)
{
	char path[64];
	int ws;

	memset(st, 0, sizeof(*st));
	if (s->pid <= 0)
		return;
	st->present = true;
	snprintf(st->secret, sizeof(st->secret), "%s", s->secret);
	for (size_t i = 0; i < SENTINEL_WORDS; i++)
		st->words[i] = s->words ? s->words[i] : SENTINEL_MAGIC;
	for (double end = now_mono() + SENTINEL_SETTLE_S;;) {
		_cleanup_free_ char *text = NULL, *stat = NULL;
		unsigned flags = 0;
		char *rp;
		if (waitpid(s->pid, &ws, WNOHANG) == s->pid) {
			st->dead = true;
			return;
		}
		/* pending signals first: a stop or kill taken off them after
		 * this read shows in the state read after it */
		snprintf(path, sizeof(path), "/proc/%d/status", (int)s->pid);
		if (read_file(path, 16384, &text, NULL) < 0)
			return;
		st->sigpending = status_mask(text, "\nSigPnd:\t") | status_mask(text, "\nShdPnd:\t");
		snprintf(path, sizeof(path), "/proc/%d/stat", (int)s->pid);
		if (read_file(path, 4096, &stat, NULL) < 0 || !(rp = strrchr(stat, ')')) ||
		    sscanf(rp + 2, "%c %*d %*d %*d %*d %*d %u", &st->state, &flags) != 2)
			st->state = '?';
		if (flags & PF_EXITING)
			st->state = 'X';
		/* settled: asleep and untouched, stopped, or on its way out; R or
		 * D is a signal still being acted on */
		if (strchr("STtX?", st->state) || now_mono() >= end)
			return;
		usleep(1000);
	}
}

void sentinel_stop(struct sentinel *s)
{
	if (s->pid > 0) {
		kill(s->pid, SIGKILL);
		while (waitpid(s->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	if (s->words)
		munmap((void *)s->words, 4096);
	memset(s, 0, sizeof(*s));
}

int sentinel_main(const char *ids)
{
	sigset_t all;
	volatile uint64_t *words;
	char line[64];
	unsigned uid, gid;

	/* the sandboxed side's uid (--user): same-uid attacks are the point */
	if (ids && (sscanf(ids, "%u:%u", &uid, &gid) != 2 || fchown(SENTINEL_FD, uid, gid) < 0 || setgroups(0, NULL) < 0 ||
		    setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0 ||
		    prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0)) /* as it would be had it exec'd as that uid */
		return 127;

	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	words = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, SHM_FD, 0);
	if (words == MAP_FAILED)
		return 1;
	close(SHM_FD);
	/* a runner killed outright takes its sentinels along (a batch's lives as
	 * long as the batch); set after the uid drop, which clears it, and before
	 * ready, whose write fails when the runner is already gone */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		return 1;
	snprintf(line, sizeof(line), "ready %lx\n", (unsigned long)words);
	if (write_all(READY_FD, line, strlen(line)) < 0)
		return 1;
	close(READY_FD);
	for (;;)
		pause();
}

/* Optional cgroup v2 containment of cases: each case's sandbox runs in its
 * own cgroup under a per-run cgroup, so a whole process tree (fork bombs and
 * setsid daemons included) is killed atomically with cgroup.kill, and pids /
 * memory are bounded where those controllers are enabled. When cgroup v2 is
 * not writable here, cases fall back to the supervisor's subreaper loop.
 *
 *   <cgroup of the runner>/cagetest-<pid>-<starttime>/case-<n>
 *
 * The run's name identifies its runner, so the next run can tell a stale
 * tree (runner SIGKILLed) from a live one and kill what is left in it. */
#ifndef CAGETEST_CGROUP_H
#define CAGETEST_CGROUP_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

struct cg_run {
	char dir[PATH_MAX]; /* "" when unavailable */
	bool pids, memory;  /* controllers we can set limits with */
};

/* Create the run's cgroup; leaves dir empty (and returns 0) when cgroups
 * are unavailable, so callers need not care. Kills stale runs' trees. */
int cg_run_create(struct cg_run *cg);
/* Create case-N; path gets its directory ("" if unavailable). */
int cg_case_create(const struct cg_run *cg, unsigned n, char *path, size_t len);
/* In the child before exec: move the calling process into path. */
int cg_enter(const char *path);
/* Kill everything in path, wait until it is empty, remove it. */
int cg_case_destroy(const char *path);
void cg_run_destroy(struct cg_run *cg);
/* Kill and remove cagetest-* trees whose runner is gone; how many. */
int cg_collect_stale(void);

#endif

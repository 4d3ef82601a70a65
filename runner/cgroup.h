/* Optional cgroup containment of cases: each case's sandbox runs in its own
 * cgroup under a per-run cgroup, so a whole process tree (fork bombs and
 * setsid daemons included) is killed with cgroup.kill (or, without it, by
 * killing the members until none is left), and pids / memory are bounded.
 * v2 is used when it is mounted and writable; the v1 pids and memory
 * hierarchies bound cases where v2 lacks those controllers. Without any,
 * cases fall back to the supervisor's subreaper loop.
 *
 *   <cgroup of the runner>/cagetest-<pid>-<starttime>-<pid namespace inode>/case-<n>
 *
 * The run's name identifies its runner, so the next run can tell a stale
 * tree (runner SIGKILLed) from a live one and kill what is left in it; a run
 * of another pid namespace is never judged (its pid means nothing here). */
#ifndef CAGETEST_CGROUP_H
#define CAGETEST_CGROUP_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

struct cg_run {
	bool v2;		 /* a v2 run dir (cgroup.kill) */
	bool pids, memory;	 /* cases are bounded by these controllers */
	bool v1_pids, v1_memory; /* ... through the v1 hierarchy */
};

/* Create the run's cgroups where they can be made (returns 0 when none
 * can: callers need not care). Kills stale runs' trees first. */
int cg_run_create(struct cg_run *cg);
/* Create case-N in each hierarchy; name gets "case-N" ("" if none). */
int cg_case_create(const struct cg_run *cg, unsigned n, char *name, size_t len);
/* In the child before exec: move the calling process into the case. */
int cg_enter(const char *name);
/* The processes in the case (from the first hierarchy that has it), at most
 * max; how many. */
size_t cg_case_procs(const char *name, pid_t *out, size_t max);
/* Kill everything in the case, wait until it is empty, remove it. */
int cg_case_destroy(const char *name);
void cg_run_destroy(struct cg_run *cg);
/* Kill and remove cagetest-* trees whose runner is gone; how many. */
int cg_collect_stale(void);

#endif

/* The scratch root: one per run, outside /tmp and $TMPDIR. Everything a probe
 * may touch lives under it; it is removed at the end unless --keep.
 *
 *   ROOT/.lock      locked (a POSIX record lock: the runner process's own, not
 *                   its children's; and an flock, for older versions) for the
 *                   run's life: a stale root has none. The runner must not
 *                   open it again: closing any fd on it would drop the lock
 *   ROOT/.owner     the runner's pid, start time and pid namespace: a root of
 *                   the collector's own process, or of a live runner, is
 *                   never collected (nor its lock file opened)
 *   ROOT/run/       shared by the run: host sockets, the setuid helper
 *   ROOT/template/  the fixture, built once, copied per case
 *   ROOT/cases/N/   one sandbox invocation: ws/ outside/ home/ tmp/ shm/
 */
#ifndef CAGETEST_SCRATCH_H
#define CAGETEST_SCRATCH_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#define SCRATCH_DEFAULT_PARENT "/var/tmp"
#define SCRATCH_PREFIX "cagetest-"

struct scratch {
	char root[PATH_MAX];
	char run[PATH_MAX];
	char template_dir[PATH_MAX];
	int lock_fd;
	bool cases_tmpfs;
	unsigned next_case;
};

/* Create a fresh root under parent (NULL: /var/tmp) and build the fixture
 * template. Refuses parents under /tmp or $TMPDIR. err names the problem. */
int scratch_create(struct scratch *s, const char *parent, char *err, size_t n);
/* A fresh copy of the fixture; case_root gets its path. */
int scratch_new_case(struct scratch *s, char *case_root, size_t n);
/* Put cases/ on a tmpfs seen only by this process and its children (a
 * private mount namespace): per-case fixtures cost far less than on a disk
 * file system, and the mount cannot outlive the run. Needs CAP_SYS_ADMIN. */
int scratch_cases_on_tmpfs(struct scratch *s);
/* Remove the root (and release the lock). */
int scratch_destroy(struct scratch *s);
/* --keep: leave the root for good (no lock file: never collected as stale). */
void scratch_keep(struct scratch *s);
/* Remove roots of runs that died (SIGKILL) under parent; returns how many. */
int scratch_collect_stale(const char *parent);

#endif

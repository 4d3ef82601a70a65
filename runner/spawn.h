/* Spawning one sandbox invocation under a per-case supervisor.
 *
 * runner --fork--> supervisor (own process group, child subreaper, dies with
 *                  the runner, optional private /tmp and /dev/shm)
 *                    --fork--> child: fds, session/ctty, uid drop,
 *                              backend enter(), exec(wrapper or agent)
 * The supervisor waits on a pidfd with the timeout, kills the child's group
 * on expiry, then reaps: whatever is still alive once the top process is gone
 * was reparented to it (it is the subreaper) and is named, counted and
 * killed. On the status pipe it writes its pid first (so starting a case
 * never waits for the fork), then a struct reap_info, and exits. */
#ifndef CAGETEST_SPAWN_H
#define CAGETEST_SPAWN_H

#include "../platforms/backend.h"
#include "../probes/probe.h"

#include <sys/types.h>

struct spawn_req {
	char *const *argv;
	char *const *envp;
	const char *cwd;
	const struct backend *backend; /* enter() runs in the child; may be NULL */
	const struct box *box;
	int stdin_fd;	    /* becomes fd 0; -1: /dev/null */
	const char *ctty;   /* pty slave: the child leads a new session with it as tty and stdin */
	const int *fds;	    /* kept open at the same numbers */
	size_t nfds;
	int leak_fd;	    /* >= 0: inherited as PROBE_LEAKED_FD (a careless launcher's fd) */
	double timeout;	    /* seconds */
	const char *tmp_bind; /* bind over /tmp in a private mount namespace; NULL: none */
	const char *shm_bind; /* bind over /dev/shm */
	const char *cgroup; /* the case's cgroup v2 dir, "" or NULL: none */
	bool drop;	    /* switch to uid/gid before enter() */
	uid_t uid;
	gid_t gid;
};

struct spawn_handle {
	pid_t sup;	      /* the supervisor; 0 until its pid came on the status pipe */
	int out, err, status; /* read ends, non-blocking */
	bool cancel;	      /* cancelled before its pid came */
};

/* What the status pipe carries: the supervisor's pid, then its report. */
#define SPAWN_STATUS_SIZE (sizeof(pid_t) + sizeof(struct reap_info))

/* Start the spawner (a small forked process that forks supervisors), so the
 * runner itself never forks per case. Optional: spawn_start forks directly
 * without it. Start it once the plan (suite, backends) is fixed. */
int spawner_start(void);
void spawner_stop(void);

int spawn_start(const struct spawn_req *req, struct spawn_handle *h, char *err, size_t n);
/* The status bytes read so far: learns the supervisor's pid (and sends it a
 * cancel that came before). */
void spawn_status(struct spawn_handle *h, const void *status_buf, size_t len);
/* After status EOF: reap the supervisor and return what it reported. */
int spawn_finish(struct spawn_handle *h, const void *status_buf, size_t len, struct reap_info *out);
/* Ask a supervisor to stop its case now (interrupt). */
void spawn_cancel(struct spawn_handle *h);

#endif

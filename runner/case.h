/* One case: one sandbox start that runs the probes of a plan_case.
 *   case_start    a fresh fixture, sentinels, every probe armed, the
 *                 backend's prepare(), the agent's argv and env, the spawn;
 *   case_service  what its pipes bring: the supervisor's status, the
 *                 agent's records (an inspection, a host object verified
 *                 at once), its stderr;
 *   case_relaunch a PROBE_RELAUNCH case's second start of the same
 *                 sandbox, empty, once the first has ended;
 *   case_finish   the reap, then every probe verified and judged;
 *   case_cleanup  the one way out, whether it ran or not: sentinels,
 *                 cgroup, descriptors, the fixture.
 * What every case of a run shares is run.c's struct run_ctx. */
#ifndef CAGETEST_CASE_H
#define CAGETEST_CASE_H

#include "cgroup.h"
#include "observers.h"
#include "plan.h"
#include "run.h"
#include "scratch.h"
#include "sentinel.h"
#include "spawn.h"

#include <poll.h>

/* What every case of a run shares. */
struct run_ctx {
	const struct run_opts *o;
	struct scratch sc;
	struct cg_run cg;
	struct observers *obs;
	char self[PATH_MAX];
	char agent[PATH_MAX]; /* cagetest-agent next to us, else self */
	bool can_tmpns;
	bool drop;
	uid_t uid;
	gid_t gid;
};

/* One probe of a case. */
struct slot {
	struct row *row;
	int agent_slot;
	bool armed;
	bool have_att, att_timeout;
	bool att_failed; /* the agent could not run it: att.detail says why */
	bool judged;	 /* verified (PROBE_HOST_OBJECT: as soon as it reported) */
	int att_signal;
	struct attempt att;
	struct proc_snapshot snap;
	struct sentinel own; /* NEED_OWN_SENTINEL */
};

struct job {
	const struct backend *b;
	const struct mode *m;
	struct slot *slots;
	size_t n;
	size_t index; /* in the run: names its nonce, source addresses, cgroup */
	/* runtime */
	char root[PATH_MAX];
	struct probe_env env;
	struct spawn_handle h;
	struct sentinel sent;
	int pty_master, pty_slave, stdin_w, leak_fd;
	char pty_name[64];
	char seeded[40];
	char cgroup[32]; /* "case-N" */
	struct sbuf out, err;
	size_t out_used; /* of out: the lines already parsed */
	char status[SPAWN_STATUS_SIZE];
	size_t status_len;
	bool out_eof, err_eof, status_eof;
	bool hello, running, cancelled;
	char said[320]; /* the wrapper said it runs unconfined (backend.h said_unconfined), or "" */
	double t0, last_rec, done_at;
	/* PROBE_RELAUNCH: the sandbox starts a second time, empty, once the
	 * first launch has ended; what the first one left is judged after it */
	bool relaunched;
	struct reap_info first; /* how the first launch ended */
	bool first_hello;
};

/* The pipes a running case is read from. */
#define CASE_POLLFDS 3

int case_init(struct job *j, const struct plan_case *pc, size_t index);
void case_free(struct job *j);
/* 0 with j->running when it started; 0 without when no probe needed it
 * (each armed none: they skip); -errno when it could not start (its armed
 * probes are errors with why). Either way without j->running, case_cleanup. */
int case_start(struct run_ctx *R, struct job *j);
/* Its pipes, for poll (CASE_POLLFDS; -1 for those at EOF). */
void case_pollfds(const struct job *j, struct pollfd *pfd);
/* Read what is ready; true when every pipe is at EOF (case_finish now). */
bool case_service(struct run_ctx *R, struct job *j, const struct pollfd *pfd);
/* Every pipe is at EOF: when a probe of the case is PROBE_RELAUNCH and the
 * first launch just ended, start the same sandbox again with no probe and
 * return true (service it as before); else false (case_finish now). */
bool case_relaunch(struct run_ctx *R, struct job *j);
void case_finish(struct run_ctx *R, struct job *j);
void case_cleanup(struct run_ctx *R, struct job *j);
/* Every probe of a case that will not run is an error with why. */
void case_fail(struct job *j, const char *why);
/* When a running case is to be stopped: the agent went silent, or the
 * wrapper outlives the agent's done record. */
double case_deadline(const struct run_ctx *R, const struct job *j);

#endif

/* Orchestration: plan (suite x backends x modes x probes), the control pass,
 * N parallel cases (arm, spawn, reap, verify), verdicts, the result model. */
#ifndef CAGETEST_RUN_H
#define CAGETEST_RUN_H

#include "../reports/model.h"
#include "suite.h"

#include <stdbool.h>
#include <sys/types.h>

struct run_opts {
	const char *backends; /* comma list or "all" */
	const char *modes;    /* comma list or "all" */
	const char *probes;   /* comma list of globs, NULL = all the suite selects */
	const struct suite *suite;
	int jobs;
	double timeout; /* per probe, seconds */
	const char *scratch;
	bool keep;
	bool isolate; /* one sandbox invocation per probe, even where a backend can batch */
	/* called after each case finishes (NULL: silent); escapes so far */
	void (*progress)(size_t done, size_t total, size_t escapes, void *ctx);
	void *progress_ctx;
	const char *user; /* run the sandboxed side as this user (root only) */
	bool (*known)(const char *backend, const char *mode, const char *probe, void *ctx); /* baseline */
	void *known_ctx;
};

struct run_outcome {
	bool named_unavailable; /* a backend asked for by name cannot run here */
	bool interrupted;
	char scratch_root[4096]; /* kept with --keep */
};

/* 0 on a completed (or interrupted) run; -EINVAL with err for bad input
 * (unknown backend or mode); other -errno when the run could not start. */
int run_battery(const struct run_opts *o, struct report *rep, struct run_outcome *out, char *err, size_t n);

/* The selection helpers the CLI shares. */
int resolve_user(const char *name, uid_t *uid, gid_t *gid, char *err, size_t n);

#endif

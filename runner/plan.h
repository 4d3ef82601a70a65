/* What a run will do, decided before anything runs: the rows (backend x
 * mode x probe, each expected blocked or allowed, or skipped with why), the
 * control pass, and the cases that run them (batches and cases of their
 * own). Pure: it starts nothing, and whether a backend can run here comes
 * in (a backend's supports() only reads the mode). tests/unit/test_plan.c
 * feeds it made-up suites, backends and groups. */
#ifndef CAGETEST_PLAN_H
#define CAGETEST_PLAN_H

#include "../platforms/backend.h"
#include "../probes/probe.h"
#include "suite.h"

/* Probes in one sandbox start, at most. The agent takes one argument per
 * probe: an adapter's wrapper may cap its argv (firejail: 128 arguments in
 * all), the built-in backends pass it to exec as it is. */
#define BATCH_MAX 128
#define ADAPTER_BATCH_MAX 64
_Static_assert(BATCH_MAX <= SENTINEL_WORDS, "every slot of a batch has its own sentinel word");

/* Where a row is: one field. */
enum row_state {
	ROW_PLANNED, /* to run (still so at the end when it never did: an error) */
	ROW_SKIPPED, /* not run: the plan or its arm step said why (detail) */
	ROW_JUDGED,  /* verified: observed is the host's */
	ROW_ERROR,   /* the run failed (no hello, no record, crash, set-up): detail says how;
		      * observed is what the host saw all the same */
};

/* One row of the matrix (backend x mode x probe), or one control probe. */
struct row {
	const struct backend *b;
	const struct mode *m;
	const struct probe *p;
	enum expect expected;
	enum row_state state;
	enum observed observed;
	char errno_name[24];
	char detail[768]; /* why it skipped or failed, or the evidence */
	double ms;
};

/* It ran, judged or not: what the host observed is worth reporting. */
bool row_ran(const struct row *r);

/* A backend as the plan takes it: can it run here, and if not, why. */
struct plan_backend {
	const struct backend *b;
	const char *unavailable; /* NULL: it can */
};

struct plan_opts {
	const struct suite *suite;
	const char *modes;  /* comma list of globs, or "all" */
	const char *probes; /* comma list of globs, NULL: all the suite selects */
	bool can_tmpns;	    /* cases can have a private /tmp (NEED_TMPNS) */
	bool isolate;	    /* one case per probe, even where a backend can batch */
	int jobs;	    /* workers: a group is split to keep them busy */
};

/* One case: n rows of one backend and mode, run by one sandbox start. */
struct plan_case {
	const struct backend *b;
	const struct mode *m;
	struct row **rows;
	size_t n;
};

struct plan {
	struct row *rows;
	size_t nrows;
	struct row *controls; /* by registry index; .p set when the control pass runs it */
	size_t ncontrols;
	struct plan_case *cases;
	size_t ncases;
	struct row **case_rows; /* what the cases' rows point into */
};

/* The mode of the control pass: no sandbox at all. */
extern const struct mode control_mode;

/* Is name in a comma list of globs (or is the list "all")? */
bool plan_selects(const char *list, const char *name);
/* -EINVAL and err for a name in backends or modes (not a glob) that names nothing. */
int plan_check_names(const char *backends, const char *modes, const struct suite *s, char *err, size_t n);
/* The rows: every selected mode and probe for each backend of bs (in order),
 * skipped where the backend is unavailable, does not support the mode, a
 * suite override says so, or the probe needs a private /tmp the host cannot
 * give; the control pass gets each probe some row runs. 0 or -ENOMEM. */
int plan_rows(const struct plan_opts *o, const struct plan_backend *bs, size_t nbs, struct plan *p);
/* The cases: the control pass and every batchable row of a backend, mode
 * and case shape (pty, inherited fd) in as few batches as keep o->jobs
 * workers busy, each of at most BATCH_MAX (ADAPTER_BATCH_MAX), balanced, in
 * row order; then a case for each row that runs alone. Longest first.
 * 0 or -ENOMEM. */
int plan_cases(const struct plan_opts *o, struct plan *p);
void plan_free(struct plan *p);

#endif

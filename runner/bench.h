/* `cagetest bench`: harness wall time against the sandbox's spawn floor. */
#ifndef CAGETEST_BENCH_H
#define CAGETEST_BENCH_H

#include "../lib/util.h"
#include "suite.h"

struct bench_opts {
	const struct suite *suite;
	const char *mode;
	const char *probes; /* NULL: every probe */
	int jobs;
};

/* Measure landlock and bwrap; the table goes to out. */
int bench_run(const struct bench_opts *bo, struct sbuf *out);

#endif

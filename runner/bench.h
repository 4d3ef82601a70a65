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

/* `merge` of fleets of each size (BENCH_FLEET_MIN to 9999 hosts) made from
 * one real run: time, peak RSS, report sizes, the bounds for 1000 hosts
 * (10 s, 200 MB, HTML 5 MB) and whether every distinct outcome is a line
 * of the grid. 0, 1 when over a bound or one is not, or -errno. */
#define BENCH_FLEET_MIN 8
int bench_fleet(const struct bench_opts *bo, const size_t *sizes, size_t nsizes, struct sbuf *out);

#endif

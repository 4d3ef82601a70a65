/* What this process runs in, read once: the container evidence, the
 * runtime named from it, the call trials (a throwaway child) and the
 * confinement it was started with; and, from those and a backend's own
 * facts, why that backend cannot run here (platforms/cause.h). doctor,
 * `list backends` and every run give the same cause. */
#ifndef CAGETEST_HERE_H
#define CAGETEST_HERE_H

#include "../platforms/backend.h"
#include "../platforms/cause.h"

struct here {
	struct evidence ev;
	struct ctr_id ctr;
	struct trials trials;
	struct confinement conf;
};

/* Read and measure on first use; NULL when out of memory. */
const struct here *here_get(void);
/* b->available(); when it cannot run, why gets the cause (with the change
 * to make) instead of its own reason. 0 or its -errno. */
int here_available(const struct backend *b, char *why, size_t n);

#endif

/* The verdict table (README: How a verdict is reached; cagetest(1), VERDICTS)
 * as one pure function. */
#ifndef CAGETEST_VERDICT_H
#define CAGETEST_VERDICT_H

#include "../probes/probe.h"
#include "../reports/model.h"

#include <stdbool.h>

struct verdict_in {
	enum expect expected;
	enum observed control;	/* what the no-sandbox run observed */
	bool control_error;	/* the control run itself failed */
	enum observed observed; /* what the host saw under the sandbox */
	bool run_error;		/* no hello, timed out, crashed, setup failed */
	bool known;		/* listed in the baseline */
};

/* why gets a short static explanation for skip/error rows (may be NULL). */
enum verdict verdict_decide(const struct verdict_in *in, const char **why);

#endif

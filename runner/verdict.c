#include "verdict.h"

enum verdict verdict_decide(const struct verdict_in *in, const char **why)
{
	const char *w = NULL;
	enum verdict v;

	/* an effect the host saw happen is real even if the run went wrong */
	if (in->run_error && in->observed != OBS_ALLOWED) {
		w = "the sandboxed run failed (no hello, timeout or crash)";
		v = V_ERROR;
	} else if (in->control_error) {
		w = "the control run (no sandbox) failed";
		v = V_ERROR;
	} else if (in->control != OBS_ALLOWED) {
		w = "host itself prevents this (the control run could not do it)";
		v = V_SKIP;
	} else if (in->observed == OBS_UNKNOWN) {
		w = "the host could not tell what happened";
		v = V_ERROR;
	} else if (in->expected == EXPECT_BLOCKED) {
		v = in->observed == OBS_BLOCKED ? V_PASS : V_ESCAPE;
	} else {
		v = in->observed == OBS_ALLOWED ? V_PASS : V_OVERBLOCKED;
	}
	if ((v == V_ESCAPE || v == V_OVERBLOCKED) && in->known) {
		w = "known failure (baseline)";
		v = V_XFAIL;
	}
	if (why)
		*why = w;
	return v;
}

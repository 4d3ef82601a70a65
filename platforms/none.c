/* none: no sandbox at all. The control run, and a row like any other. */
#include "backend.h"

static int none_available(const struct backend *b, char *why, size_t n)
{
	(void)b, (void)why, (void)n;
	return 0;
}

static int none_explain(const struct backend *b, const struct box *x, struct sbuf *out)
{
	(void)b;
	sb_printf(out, "none, mode %s: no sandbox; the agent runs as a plain child process\n", x->mode->name);
	return 0;
}

const struct backend backend_none = {
	.name = "none",
	.description = "no sandbox: the control",
	.batch = true,
	.available = none_available,
	.explain = none_explain,
};

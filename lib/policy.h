/* The policy: what a mode lets a sandboxed command do. Every layer needs it
 * (a probe names the effect it tries, a backend turns a mode into its
 * mechanism, the runner derives each row's expectation, a report prints
 * it), so it lives below all of them. Suites (runner/suite.c) read modes
 * from JSON; docs/cagetest-suite.5 describes them. */
#ifndef CAGETEST_POLICY_H
#define CAGETEST_POLICY_H

#include <stdbool.h>
#include <stddef.h>

/* What a probe tries to achieve. */
enum effect {
	EFFECT_WRITE_WORKSPACE,
	EFFECT_WRITE_TMP,
	EFFECT_WRITE_OUTSIDE,
	EFFECT_WRITE_PROTECTED,
	EFFECT_READ_ANY,
	EFFECT_EXEC,
	EFFECT_NET_EGRESS,
	EFFECT_IPC_HOST,
	EFFECT_PRIV_GAIN,
	EFFECT_PROC_ESCAPE,
	EFFECT_PROC_INSPECT,
	EFFECT__COUNT
};

/* What a row expects of the sandbox: the mode's policy for the probe's
 * effect, or a suite's override. */
enum expect { EXPECT_BLOCKED, EXPECT_ALLOWED };

struct mode {
	char *name;
	char *description;
	char **writable; /* "{workspace}", "{tmp}", "{home}", "/", or absolute paths */
	size_t nwritable;
	char **protected_names; /* read-only at any depth inside writable roots */
	size_t nprotected;
	bool network;  /* egress allowed */
	bool confined; /* false: no sandbox at all (danger-full-access) */
};

/* Does the mode allow the effect? */
bool mode_allows(const struct mode *m, enum effect e);
/* Is root ("{workspace}", "{tmp}", "{home}", a path) writable, itself or by a writable "/"? */
bool mode_writable(const struct mode *m, const char *root);

const char *effect_name(enum effect e);
int effect_from_name(const char *name); /* -EINVAL when unknown */
const char *expect_name(enum expect e);
int expect_from_name(const char *name);

#endif

/* What the runtime does to the calls sandboxes need, measured in a throwaway
 * child: each call's result and errno. Calls that could change something are
 * made with deliberately bad arguments where possible (bubblewrap's
 * try-syscall trick): a call that reaches the kernel fails with the errno of
 * its bad argument, a filtered one with the filter's errno. Plus the
 * confinement the process was started with, read from evidence (pure).
 * Results travel as text lines "NAME RET ERRNO STEP", which is also how a
 * recorded set keeps them (trials.txt in a `doctor --evidence` directory). */
#ifndef CAGETEST_TRIALS_H
#define CAGETEST_TRIALS_H

#include "../lib/util.h"
#include "evidence.h"

#include <stdint.h>

enum trial {
	T_UNSHARE_USER, /* unshare(CLONE_NEWUSER) */
	T_CLONE_USER,	/* clone(CLONE_NEWUSER) */
	T_CLONE3,	/* clone3(NULL, 0): EINVAL when it reaches the kernel */
	T_PROC_MOUNT,	/* mount proc in a new user+mount+pid namespace, as bwrap does */
	T_PIVOT_ROOT,	/* pivot_root(bad, bad) in a user+mount namespace of its own when one can be made */
	T_SETNS,	/* setns(-1, 0): EBADF when reached */
	T_LANDLOCK,	/* landlock_create_ruleset(NULL, 0, VERSION): the ABI */
	T_IO_URING,	/* io_uring_setup(1, NULL): EFAULT when reached */
	T_KEYCTL,	/* keyctl(unknown op): EOPNOTSUPP when reached */
	T__COUNT
};

enum trial_outcome {
	TO_NOT_RUN,  /* no result came back (child killed, timed out) */
	TO_ALLOWED,  /* it worked, or reached the kernel with its bad arguments */
	TO_DENIED,   /* it failed with another errno: a filter, a missing privilege, a kernel
		      * without the call (which one is for the caller to tell from the rest) */
};

struct trial_result {
	bool ran;
	long ret;      /* >= 0 when the call succeeded (landlock: the ABI) */
	int err;       /* errno when ret < 0 */
	char step[16]; /* where a trial of several steps stopped ("uid_map", "mount"), or "" */
};

struct trials {
	struct trial_result r[T__COUNT];
};

struct trial_info {
	const char *name;    /* the wire name: "unshare_user" */
	const char *call;    /* as doctor prints it: "unshare(CLONE_NEWUSER)" */
	int reached;	     /* the errno of the bad arguments (0: the call is meant to succeed) */
};
extern const struct trial_info trial_info[T__COUNT];

/* Run every trial in a throwaway child (its own process group, killed at
 * the deadline, reaped). Trials with no answer by then stay !ran. 0 or -errno. */
int trials_run(struct trials *t, double timeout_s);
/* The wire text, one line per trial that ran. */
void trials_format(const struct trials *t, struct sbuf *out);
/* Parse wire text; unknown names and malformed lines are skipped. 0 or -EINVAL when nothing parsed. */
int trials_parse(const char *text, struct trials *t);
enum trial_outcome trial_outcome(enum trial which, const struct trial_result *r);
/* "works", "works: ABI 7", "reached the kernel (EFAULT for its bad arguments)",
 * "fails: EPERM", "fails at mount: EPERM". */
void trial_describe(enum trial which, const struct trial_result *r, struct sbuf *out);

/* What the runtime started this process with, from evidence. */
#define CONF_MAX_MASKS 32
struct confinement {
	int seccomp_mode;      /* 0 none, 1 strict, 2 filter; -1 unknown (no Seccomp line: gVisor) */
	int seccomp_filters;   /* -1 unknown */
	long uid;	       /* real uid; -1 unknown */
	bool caps_known;
	uint64_t cap_eff, cap_bnd;
	int no_new_privs;      /* 0/1, -1 unknown */
	char lsm_label[128];   /* "" when no LSM gives one */
	enum ev_src lsm_source;
	struct {
		char path[96];
		const char *how; /* "read-only", "hidden (/dev/null)", "hidden (tmpfs)", "over-mounted", ... */
	} masked[CONF_MAX_MASKS];
	size_t nmasked;
	char max_userns[24], unpriv_userns_clone[8], aa_restrict_userns[8]; /* "" when absent */
};
void confinement_read(const struct evidence *ev, struct confinement *c);
/* CAP_SYS_ADMIN in the set? */
bool cap_has_sys_admin(uint64_t caps);
/* Capability number cap (linux/capability.h) in the set? */
bool cap_has(uint64_t caps, int cap);

#endif

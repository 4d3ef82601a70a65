/* What this host can do: kernel features the backends and `doctor` need. */
#ifndef CAGETEST_DETECT_H
#define CAGETEST_DETECT_H

#include <stdbool.h>
#include <stddef.h>

/* Landlock ABI version, 0 if unavailable (disabled, not built, too old). */
int landlock_abi(void);
/* Can this process install a seccomp filter? */
bool seccomp_supported(void);
/* Can an unprivileged-style user namespace be created here (tried in a child)? */
bool userns_works(void);
/* "none" or the kind of container we run in. */
const char *container_kind(void);
/* What this host is, as plain values: the runner copies them into its
 * report (reports/model.h's host_facts), doctor prints them. */
struct host_info {
	char name[65]; /* hostname (uname's field size) */
	char kernel[65]; /* uname release */
	char arch[65];
	char container[32]; /* container_kind() */
	unsigned uid; /* of this process */
	int landlock_abi; /* 0 = none */
	bool seccomp;
	bool userns;
};
int host_info_read(struct host_info *h);
/* Is `name` an executable on PATH? Copies its path into out when found. */
bool which(const char *name, char *out, size_t n);
/* Run argv (argv[0] a path) with stdin on /dev/null and stdout+stderr into
 * out (NUL-terminated, truncated to n). 0 with *wstatus set when it ran to
 * the end, -ETIMEDOUT when it was killed after timeout seconds, -errno when
 * it could not be started. */
/* As root: become uid/gid 65534 (nobody), dumpable. No-op otherwise. */
int become_nobody(void);
/* Run argv (PATH searched) with a timeout, optionally as nobody; output in out. */
int run_capture(char *const argv[], double timeout, bool as_nobody, char *out, size_t n, int *wstatus);

#endif

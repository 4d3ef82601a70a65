/* What this host can do: kernel features the backends and `doctor` need. */
#ifndef CAGETEST_DETECT_H
#define CAGETEST_DETECT_H

#include <stdbool.h>
#include <stddef.h>

/* Landlock ABI version, 0 if unavailable (disabled, not built, too old). */
int landlock_abi(void);
/* The ABI, or -errno of the version query: -EOPNOTSUPP (built in, not
 * enabled), -ENOSYS (not built, or a filter's answer), -EPERM (a filter). */
int landlock_query(void);
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

#endif

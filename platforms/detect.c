#include "detect.h"

#include "../lib/proc.h"
#include "../lib/util.h"
#include "container.h"

#include <linux/landlock.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>

int landlock_query(void)
{
	long v = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);

	return v > 0 ? (int)v : v == 0 ? -EINVAL : neg_errno();
}

int landlock_abi(void)
{
	int v = landlock_query();

	return v > 0 ? v : 0;
}

bool seccomp_supported(void)
{
	/* a NULL program fails with EFAULT (or EACCES without no_new_privs) only
	 * where filters exist; EINVAL means no CONFIG_SECCOMP_FILTER */
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, NULL, 0, 0) == 0)
		return true;
	return errno == EFAULT || errno == EACCES;
}

static void try_userns(void *arg, void *answer)
{
	(void)arg;
	*(bool *)answer = unshare(CLONE_NEWUSER) == 0;
}

bool userns_works(void)
{
	struct proc_call c = {.fn = try_userns, .size = sizeof(bool)};
	bool ok = false;

	return proc_call(&c, &ok, NULL) == 0 && ok;
}

const char *container_kind(void)
{
	struct evidence ev;
	struct ctr_id id;

	if (evidence_read(&ev, "") < 0)
		return "none";
	ctr_identify(&ev, &id);
	evidence_free(&ev);
	return id.runtime; /* a string constant */
}

int host_info_read(struct host_info *h)
{
	struct utsname u;

	if (uname(&u) < 0)
		return neg_errno();
	snprintf(h->name, sizeof(h->name), "%s", u.nodename);
	snprintf(h->kernel, sizeof(h->kernel), "%s", u.release);
	snprintf(h->arch, sizeof(h->arch), "%s", u.machine);
	snprintf(h->container, sizeof(h->container), "%s", container_kind());
	h->uid = (unsigned)getuid();
	h->landlock_abi = landlock_abi();
	h->seccomp = seccomp_supported();
	h->userns = userns_works();
	return 0;
}

/* Two partial sandboxes for the live tests, each exactly one mechanism:
 *   confine unixblock CMD...   a seccomp filter that denies socket(AF_UNIX)
 *                              and nothing else (the rule srt ships): the
 *                              ipc probes must press on past it;
 *   confine landlock DIR CMD...  Landlock alone (no seccomp): read and exec
 *                              everywhere, write only under DIR: the kernel's
 *                              own handling of KEYCTL_SESSION_TO_PARENT.
 * Built by make check (build/confine). */
#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

static int unixblock(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int r;

	if (!ctx)
		return -ENOMEM;
	r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(socket), 1, SCMP_A0(SCMP_CMP_EQ, AF_UNIX));
	if (r == 0)
		r = seccomp_load(ctx);
	seccomp_release(ctx);
	return r;
}

static int landlock_only(const char *dir)
{
	struct landlock_ruleset_attr attr = {.handled_access_fs = (1ULL << 13) - 1}; /* the ABI 1 rights */
	struct landlock_path_beneath_attr all = {.allowed_access = attr.handled_access_fs};
	struct landlock_path_beneath_attr ro = {.allowed_access = LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE |
								 LANDLOCK_ACCESS_FS_READ_DIR};
	int rs = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);

	if (rs < 0)
		return -errno;
	ro.parent_fd = open("/", O_PATH | O_CLOEXEC);
	all.parent_fd = open(dir, O_PATH | O_CLOEXEC);
	if (ro.parent_fd < 0 || all.parent_fd < 0 ||
	    syscall(SYS_landlock_add_rule, rs, LANDLOCK_RULE_PATH_BENEATH, &ro, 0) < 0 ||
	    syscall(SYS_landlock_add_rule, rs, LANDLOCK_RULE_PATH_BENEATH, &all, 0) < 0 ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || syscall(SYS_landlock_restrict_self, rs, 0) < 0)
		return -errno;
	return 0;
}

int main(int argc, char **argv)
{
	int r, skip = 2;

	if (argc > 2 && !strcmp(argv[1], "unixblock"))
		r = unixblock();
	else if (argc > 3 && !strcmp(argv[1], "landlock"))
		r = landlock_only(argv[2]), skip = 3;
	else {
		fprintf(stderr, "usage: confine unixblock CMD... | confine landlock DIR CMD...\n");
		return 2;
	}
	if (r < 0) {
		fprintf(stderr, "confine %s: %s\n", argv[1], strerror(-r));
		return 126;
	}
	execvp(argv[skip], argv + skip);
	fprintf(stderr, "confine: %s: %s\n", argv[skip], strerror(errno));
	return 127;
}

/* runner/scratch: whose root is whose. The root's POSIX record lock is its
 * runner process's alone; a collector in that same process (fcntl locks
 * never conflict within one process) must neither take the root for
 * abandoned nor open its lock file (closing any fd on it drops the
 * process's lock), and a root whose runner lives is never collected, even
 * once its lock is lost. Real files, locks and processes. */
#include "../testutil.h"

#include "../../runner/scratch.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>

static char parent[128];

static int setup(void **state)
{
	(void)state;
	return test_scratch_parent(parent, sizeof(parent), "scratch");
}

static int teardown(void **state)
{
	(void)state;
	return rm_rf(parent);
}

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static int entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	if (d)
		closedir(d);
	return n;
}

/* Run fn(arg) in a child, another process: its exit status. */
static int in_child(int (*fn)(const char *arg), const char *arg)
{
	int st;
	pid_t pid = fork();

	if (pid == 0)
		_exit(fn(arg));
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* 0 when ROOT/.lock is write-locked by another process (the test's). */
static int lock_held(const char *root)
{
	char lock[PATH_MAX];
	struct flock l = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
	int fd;

	snprintf(lock, sizeof(lock), "%s/.lock", root);
	if ((fd = open(lock, O_RDWR | O_CLOEXEC)) < 0 || fcntl(fd, F_GETLK, &l) < 0)
		return 2;
	return l.l_type == F_WRLCK && l.l_pid == getppid() ? 0 : 1;
}

static int collect(const char *dir)
{
	return scratch_collect_stale(dir);
}

/* A collector in the runner's own process (another run of the same
 * process, or a direct call) leaves the live root and its lock alone. */
static void test_own_root(void **state)
{
	struct scratch a, b;
	char err[256];

	(void)state;
	assert_int_equal(scratch_create(&a, parent, err, sizeof(err)), 0);
	assert_int_equal(scratch_collect_stale(parent), 0);
	assert_true(exists(a.root));
	/* a second run in the same process collects first, then makes its own */
	assert_int_equal(scratch_create(&b, parent, err, sizeof(err)), 0);
	assert_true(exists(a.root));
	/* nothing above opened and closed a's lock file: it is still held */
	assert_int_equal(in_child(lock_held, a.root), 0);
	assert_int_equal(in_child(lock_held, b.root), 0);
	assert_int_equal(scratch_destroy(&b), 0);
	assert_int_equal(scratch_destroy(&a), 0);
	assert_false(exists(a.root));
}

/* A runner whose lock was lost (some code of its process opened and closed
 * its lock file) still owns its root while it lives: another process's
 * collector keeps it. */
static void test_live_owner(void **state)
{
	struct scratch a;
	char err[256], lock[PATH_MAX + 8];

	(void)state;
	assert_int_equal(scratch_create(&a, parent, err, sizeof(err)), 0);
	snprintf(lock, sizeof(lock), "%s/.lock", a.root);
	close(open(lock, O_RDONLY | O_CLOEXEC)); /* drops this process's POSIX lock */
	assert_int_equal(in_child(lock_held, a.root), 1);
	assert_int_equal(in_child(collect, parent), 0);
	assert_true(exists(a.root));
	assert_int_equal(scratch_destroy(&a), 0);
}

/* A runner that died without cleaning up: the next collector removes its root. */
static int make_and_die(const char *dir)
{
	struct scratch s;
	char err[256];

	return scratch_create(&s, dir, err, sizeof(err)) == 0 ? 0 : 1;
}

static void test_dead_owner(void **state)
{
	(void)state;
	assert_int_equal(in_child(make_and_die, parent), 0);
	assert_int_equal(entries(parent), 1);
	assert_int_equal(scratch_collect_stale(parent), 1);
	assert_int_equal(entries(parent), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_own_root),
		cmocka_unit_test(test_live_owner),
		cmocka_unit_test(test_dead_owner),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

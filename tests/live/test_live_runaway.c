/* Live: a sandbox that runs away (a fork bomb, a memory hog) is bounded by
 * the case's cgroup limits and cannot stall the run or the host. */
#include "../testutil.h"

#include <dirent.h>
#include <sys/stat.h>
#include <time.h>

#define DATA SRCDIR "/tests/data/"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int processes(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		n += e->d_name[0] >= '0' && e->d_name[0] <= '9';
	if (d)
		closedir(d);
	return n;
}

/* Run cagetest with args in the background; sample the host's process count
 * until it ends. Returns its exit status; peak and seconds are filled. */
static int run_sampled(char *const argv[], int *peak, double *secs)
{
	double t0 = now();
	int st = -1;
	pid_t pid = fork();

	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		dup2(null, 1), dup2(null, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	*peak = 0;
	while (waitpid(pid, &st, WNOHANG) == 0) {
		int n = processes();
		*peak = n > *peak ? n : *peak;
		usleep(10000);
	}
	*secs = now() - t0;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static bool pids_limit_here(void)
{
	struct stat st;
	char *ctl = NULL;
	bool v2 = read_file("/sys/fs/cgroup/cgroup.controllers", 4096, &ctl, NULL) == 0 && strstr(ctl, "pids");

	free(ctl);
	return geteuid() == 0 && (v2 || stat("/sys/fs/cgroup/pids", &st) == 0);
}

static void test_forkbomb(void **state)
{
	char *argv[] = {CAGETEST, "run", "-q", "-b", "wrap-forkbomb", "-m", "workspace-write", "-p", "fs.write_workspace",
			"--timeout", "5", "--adapter", DATA "wrap-forkbomb.json", NULL};
	int base = processes(), peak, code;
	double secs;

	(void)state;
	if (!pids_limit_here())
		skip(); /* no pids controller: only the wrapper's own bound would hold */
	code = run_sampled(argv, &peak, &secs);
	/* the bomb tries 2500 children; the case's cgroup caps it at 1024 */
	if (peak - base > 1500)
		fail_msg("the fork bomb reached %d processes (from %d): no pids bound", peak, base);
	if (secs > 30)
		fail_msg("the run took %.1f s", secs);
	assert_true(code == 1 || code == 3);
	usleep(200000);
	if (processes() > base + 20)
		fail_msg("%d processes left after the run (from %d)", processes(), base);
}

static void test_memhog(void **state)
{
	struct report rep;
	double t0 = now();

	(void)state;
	/* dd's 3 GiB buffer in a 2 GiB case: reclaim and the OOM killer, or
	 * the timeout, end the case; either way the run goes on and ends */
	run_json(&rep, "-b wrap-memhog -m workspace-write -p fs.write_workspace --timeout 5 --adapter " DATA
		       "wrap-memhog.json");
	if (now() - t0 > 40)
		fail_msg("the run took %.1f s", now() - t0);
	assert_int_equal(rep.nresults, 1);
	report_free(&rep);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forkbomb),
		cmocka_unit_test(test_memhog),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

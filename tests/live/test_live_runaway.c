/* Live: a sandbox that runs away (a fork bomb, a memory hog) is bounded by
 * the case's cgroup limits and cannot stall the run or the host; a host
 * without pidfd_open (gVisor, kernels before 5.3) does not stall cases. */
#include "../testutil.h"

#include <dirent.h>
#include <seccomp.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>

#define DATA SRCDIR "/tests/data/"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The fork bomb's processes (tests/wrappers/forkbomb.sh runs `sleep 59.0117`):
 * counted by name, so nothing else on the machine moves the count. */
static int bomb_processes(void)
{
	static const char marker[] = "sleep\0" "59.0117";
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d))) {
		char path[300], buf[sizeof(marker)];
		int fd;
		ssize_t k;
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/cmdline", e->d_name);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			continue;
		k = read(fd, buf, sizeof(buf));
		close(fd);
		n += k == (ssize_t)sizeof(marker) && !memcmp(buf, marker, sizeof(marker));
	}
	if (d)
		closedir(d);
	return n;
}

/* In a child's own mount namespace: unmount every cgroup filesystem of
 * type fstype ("cgroup2", or "cgroup" for v1 too), so a run sees a host
 * without it. */
static void hide_cgroups(const char *fstype)
{
	char *mi = NULL, *save = NULL;

	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    read_file("/proc/self/mountinfo", 1 << 20, &mi, NULL) < 0)
		_exit(126);
	for (char *line = strtok_r(mi, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char point[4096], type[64];
		char *sep = strstr(line, " - ");
		if (sep && sscanf(sep + 3, "%63s", type) == 1 && !strncmp(type, fstype, strlen(fstype)) &&
		    sscanf(line, "%*s %*s %*s %*s %4095s", point) == 1)
			umount2(point, MNT_DETACH);
	}
	free(mi);
}

/* Run cagetest with args in the background (hiding the cgroup filesystems
 * of type hide, when given); sample the bomb's process count until it ends.
 * Returns its exit status; peak and seconds are filled. */
static int run_sampled(char *const argv[], const char *hide, int *peak, double *secs)
{
	double t0 = now();
	int st = -1;
	pid_t pid = fork();

	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		dup2(null, 1), dup2(null, 2);
		if (hide)
			hide_cgroups(hide);
		execv(argv[0], argv);
		_exit(127);
	}
	*peak = 0;
	while (waitpid(pid, &st, WNOHANG) == 0) {
		int n = bomb_processes();
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

#define REPORT BUILDDIR "/tests/runaway.json"
#define FORKBOMB_ARGV                                                                                              \
	{CAGETEST, "run", "-q", "-b", "wrap-forkbomb", "-m", "workspace-write", "-p", "fs.write_workspace",         \
	 "--timeout", "5", "--json", REPORT, "--adapter", DATA "wrap-forkbomb.json", NULL}

/* What the test is about, whatever the machine's speed: the run ends in
 * bounded time, judged its row (whether the agent started before the
 * timeout, pass, or not, error, depends on how fast this host forks 2500
 * children), and no process of the bomb is left: the survivors were killed
 * and reaped, not handed to init (which may never reap them in a container). */
static void check_ended_clean(int code, double secs)
{
	struct report rep;
	char *text = NULL, err[256];

	if (secs > 30)
		fail_msg("the run took %.1f s", secs);
	if (code != 0 && code != 1 && code != 3)
		fail_msg("the run exited %d", code);
	if (read_file(REPORT, 1 << 20, &text, NULL) < 0 || report_from_json(text, &rep, err, sizeof(err)) < 0)
		fail_msg("no report from the run: %s", text ? err : "missing");
	assert_int_equal(rep.nresults, 1);
	report_free(&rep);
	free(text);
	unlink(REPORT);
	if (bomb_processes() > 0)
		fail_msg("%d processes of the fork bomb left after the run", bomb_processes());
}

static void test_forkbomb(void **state)
{
	char *argv[] = FORKBOMB_ARGV;
	int peak, code;
	double secs;

	(void)state;
	if (!pids_limit_here())
		skip(); /* no pids controller: only the wrapper's own bound would hold */
	code = run_sampled(argv, NULL, &peak, &secs);
	/* the bomb tries 2500 children; the case's cgroup caps the case at 1024 */
	if (peak > 1024)
		fail_msg("the fork bomb reached %d processes: no pids bound", peak);
	check_ended_clean(code, secs);
}

/* A host with only v1 cgroups: the v1 pids group bounds the bomb and,
 * without cgroup.kill, its members are killed until none is left. */
static void test_forkbomb_v1_only(void **state)
{
	char *argv[] = FORKBOMB_ARGV;
	struct stat st;
	int peak, code;
	double secs;

	(void)state;
	if (geteuid() != 0 || stat("/sys/fs/cgroup/pids/cgroup.procs", &st) < 0)
		skip(); /* no v1 pids hierarchy here */
	code = run_sampled(argv, "cgroup2", &peak, &secs);
	if (peak > 1024)
		fail_msg("the fork bomb reached %d processes: no v1 pids bound", peak);
	check_ended_clean(code, secs);
}

/* No cgroups at all: only the supervisor's subreaper loop stands between
 * the wrapper's 2500 children and the host; it must kill and reap all. */
static void test_forkbomb_no_cgroups(void **state)
{
	char *argv[] = FORKBOMB_ARGV;
	int peak, code;
	double secs;

	(void)state;
	if (geteuid() != 0)
		skip(); /* hiding cgroups needs a mount namespace */
	code = run_sampled(argv, "cgroup", &peak, &secs);
	check_ended_clean(code, secs);
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

/* Where pidfd_open is ENOSYS (gVisor, kernels before 5.3) a case's
 * supervisor must still see its child end at once: waiting out the case's
 * timeout (or the runner's ending of it) made each case cost seconds. 39
 * cases, each alone: seconds in all, where waiting made it minutes. */
static void test_no_pidfd(void **state)
{
	char json[] = BUILDDIR "/tests/runaway-nopidfd.json";
	char *argv[] = {CAGETEST, "run", "-q", "-b", "none", "-m", "read-only", "-p", "fs.*", "--isolate", "-j", "1",
			"--timeout", "60", "--json", json, NULL};
	_cleanup_free_ char *text = NULL;
	struct report rep = {0};
	char err[256];
	int st;

	(void)state;
	double t0 = now();
	pid_t pid = fork();
	if (pid == 0) {
		scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
		int null = open("/dev/null", O_RDWR);
		dup2(null, 1), dup2(null, 2);
		if (!ctx || seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(pidfd_open), 0) < 0 || seccomp_load(ctx) < 0)
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	double secs = now() - t0;
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) < 2);
	assert_int_equal(read_file(json, 16 << 20, &text, NULL), 0);
	if (report_from_json(text, &rep, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	assert_true(rep.nresults >= 30);
	for (size_t i = 0; i < rep.nresults; i++)
		if (rep.results[i].verdict == V_ERROR)
			fail_msg("%s: %s", rep.results[i].probe, rep.results[i].detail);
	if (secs > 60)
		fail_msg("%zu cases took %.1f s: each waited for its end", rep.nresults, secs);
	report_free(&rep);
	unlink(json);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forkbomb),
		cmocka_unit_test(test_forkbomb_v1_only),
		cmocka_unit_test(test_forkbomb_no_cgroups),
		cmocka_unit_test(test_memhog),
		cmocka_unit_test(test_no_pidfd),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

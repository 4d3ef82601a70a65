/* The ci/k8s manifests, run here: ci/k8s/play.sh plays the Jobs' pods (the
 * default, runAsNonRoot and gVisor variants, RuntimeDefault seccomp, every
 * capability dropped) and the DaemonSet's default pod with `podman kube play`
 * on a local image, and ci/k8s/collect.sh brings their reports back. Each
 * report must come back, its landlock rows judged, from the uid and runtime
 * the manifest asked for, as cagetest's own identification names it; the merged
 * fleet report must hold every one, labelled. Where podman cannot run here
 * the test skips with the reason, never passes. */
#include "../testutil.h"
#include "../../lib/proc.h"

#include <dirent.h>
#include <signal.h>
#include <spawn.h>

#define PLAY_SH SRCDIR "/ci/k8s/play.sh"
#define PLAY_TIMEOUT_S 900

struct want {
	const char *pod, *suffix; /* the pod; its report's label ends so */
	const char *runtime;	  /* host.container */
	unsigned uid;
	bool must; /* false: the pod may be "not run" with a reason (gVisor) */
};

static const struct want wants[] = {
	{"job-cagetest-default", "", "podman", 0, true},
	{"job-cagetest-nonroot", "-nonroot", "podman", 65534, true},
	{"job-cagetest-gvisor", "-gvisor", "gvisor", 0, false},
	{"daemonset-cagetest-default", "", "podman", 0, true},
};

static char out[PATH_MAX], not_run[1024];

static int setup(void **state)
{
	char buf[16384];
	int st;

	(void)state;
	snprintf(out, sizeof(out), BUILDDIR "/tests/.k8sXXXXXX");
	int ready = dist_for_containers("podman with runc", out, not_run, sizeof(not_run));
	if (ready) /* a broken build is a failure, never a skip */
		return ready < 0 ? -1 : 0;
	/* every Job variant, and the DaemonSet's default pod: three batteries */
	char *argv[] = {PLAY_SH,
			"--out",
			out,
			"--variants",
			"job-cagetest-default,job-cagetest-nonroot,job-cagetest-gvisor,daemonset-cagetest-default",
			SRCDIR "/ci/k8s/job.yaml",
			SRCDIR "/ci/k8s/daemonset.yaml",
			NULL};
	double t0 = now_mono();
	const struct proc_cmd cmd = {.argv = argv, .timeout = PLAY_TIMEOUT_S, .stderr_too = true};
	int r = proc_run(&cmd, buf, sizeof(buf), &st);
	print_message("k8s: play.sh %.1f s\n%s", now_mono() - t0, buf);
	if (r == 0 && WIFEXITED(st) && WEXITSTATUS(st) == 77)
		return snprintf(not_run, sizeof(not_run), "%.900s", buf), 0;
	if (r < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fail_msg("play.sh failed (%d, status %d): %.2000s", r, st, buf);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (*out && !getenv("CAGETEST_KEEP"))
		rm_rf(out);
	return 0;
}

/* pods.txt: POD<TAB>LABEL or "no report"<TAB>PHASE */
static bool pod_label(const char *pods, const char *pod, char *label, size_t n)
{
	char key[128];
	const char *at;

	snprintf(key, sizeof(key), "%s\t", pod);
	for (at = pods; (at = strstr(at, key)); at++)
		if (at == pods || at[-1] == '\n') {
			at += strlen(key);
			snprintf(label, n, "%.*s", (int)strcspn(at, "\t\n"), at);
			return strcmp(label, "no report") != 0;
		}
	label[0] = 0;
	return false;
}

static void test_pod(void **state)
{
	const struct want *w = *state;
	_cleanup_free_ char *pods = NULL, *json = NULL, *skip = NULL;
	char p[2 * PATH_MAX], label[256], err[256];
	struct report rep = {0};

	if (*not_run) {
		print_message("%s: not run: %s\n", w->pod, not_run);
		skip();
	}
	snprintf(p, sizeof(p), "%s/%s.skip", out, w->pod);
	if (read_file(p, 4096, &skip, NULL) == 0) {
		if (w->must)
			fail_msg("%s was not played: %s", w->pod, skip);
		print_message("%s: not run: %s", w->pod, skip);
		skip();
	}
	snprintf(p, sizeof(p), "%s/pods.txt", out);
	assert_int_equal(read_file(p, 1 << 16, &pods, NULL), 0);
	if (!pod_label(pods, w->pod, label, sizeof(label)))
		fail_msg("%s printed no report (%s):\n%s", w->pod, label[0] ? label : "not listed", pods);
	size_t ls = strlen(label), ws = strlen(w->suffix);
	if (ws ? ls <= ws || strcmp(label + ls - ws, w->suffix) : strstr(label, "-nonroot") || strstr(label, "-gvisor"))
		fail_msg("%s: label %s does not name its node and variant", w->pod, label);

	snprintf(p, sizeof(p), "%s/%s.json", out, label);
	assert_int_equal(read_file(p, 32 << 20, &json, NULL), 0);
	if (report_from_json(json, &rep, err, sizeof(err)) < 0)
		fail_msg("%s: %s", w->pod, err);
	if (!rep.host.container || strcmp(rep.host.container, w->runtime))
		fail_msg("%s: the report names runtime %s, want %s", w->pod, rep.host.container ? rep.host.container : "(none)",
			 w->runtime);
	assert_int_equal(rep.host.uid, w->uid);
	/* landlock judges every row (the products may fail closed: firejail
	 * refuses a uid not in firejail.users, bwrap its namespaces) */
	size_t landlock = 0;
	for (size_t i = 0; i < rep.nresults; i++) {
		if (strcmp(rep.results[i].backend, "landlock"))
			continue;
		landlock++;
		if (rep.results[i].verdict == V_ERROR)
			fail_msg("%s: %s/%s %s: %s", w->pod, rep.results[i].backend, rep.results[i].mode, rep.results[i].probe,
				 rep.results[i].detail);
	}
	assert_true(landlock > 100);
	report_free(&rep);
}

/* collect.sh merged every report that came back, under its label. */
static void test_fleet(void **state)
{
	_cleanup_free_ char *json = NULL, *pods = NULL;
	char p[2 * PATH_MAX], err[256];
	struct report rep = {0};
	size_t want = 0;

	(void)state;
	if (*not_run) {
		print_message("not run: %s\n", not_run);
		skip();
	}
	snprintf(p, sizeof(p), "%s/pods.txt", out);
	assert_int_equal(read_file(p, 1 << 16, &pods, NULL), 0);
	for (size_t i = 0; i < ARRAY_SIZE(wants); i++) {
		char label[256];
		want += pod_label(pods, wants[i].pod, label, sizeof(label));
	}
	snprintf(p, sizeof(p), "%s/fleet.json", out);
	assert_int_equal(read_file(p, 64 << 20, &json, NULL), 0);
	if (report_from_json(json, &rep, err, sizeof(err)) < 0)
		fail_msg("fleet.json: %s", err);
	assert_int_equal(rep.nhosts, want);
	report_free(&rep);
	snprintf(p, sizeof(p), "%s/fleet.html", out);
	assert_int_equal(access(p, R_OK), 0);
}

/* Is one of the tasks a conmon (a pod's container is up)? */
static bool has_conmon(const struct ptask *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char p[64];
		_cleanup_free_ char *comm = NULL;
		snprintf(p, sizeof(p), "/proc/%d/comm", (int)v[i].pid);
		if (read_file(p, 64, &comm, NULL) == 0 && !strcmp(comm, "conmon\n"))
			return true;
	}
	return false;
}

/* Entries in the host's /run/netns (where Podman binds pods' namespaces). */
static size_t host_netns(void)
{
	DIR *d = opendir("/run/netns");
	struct dirent *e;
	size_t n = 0;

	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

/* A signal to play.sh alone while a pod runs (as a CI timeout or a kill
 * sends it): it stops at once and what it started goes down; nothing is
 * left in the host's /run/netns; and the next play runs as if none had
 * been cut short (SIGKILL: no trap ran, its pods stay in the store). */
static void interrupt(int sig)
{
	char dir[PATH_MAX + 32], buf[8192];
	struct ptask tasks[512];
	size_t n = 0, netns = host_netns();
	int st = 0;

	if (*not_run) {
		print_message("not run: %s\n", not_run);
		skip();
	}
	snprintf(dir, sizeof(dir), "%s/interrupt%d", out, sig);
	char *argv[] = {PLAY_SH, "--out", dir, "--variants", "daemonset-cagetest-default", SRCDIR "/ci/k8s/daemonset.yaml", NULL};
	pid_t pid;
	assert_int_equal(posix_spawn(&pid, argv[0], NULL, NULL, argv, environ), 0);
	for (double end = now_mono() + 300; !has_conmon(tasks, n) && now_mono() < end; usleep(100000))
		n = descendants(pid, tasks, ARRAY_SIZE(tasks));
	if (!has_conmon(tasks, n)) {
		kill(pid, SIGKILL), waitpid(pid, NULL, 0);
		fail_msg("the pod never started");
	}
	usleep(500000); /* the pod's own processes */
	n = descendants(pid, tasks, ARRAY_SIZE(tasks));
	kill(pid, sig);
	pid_t got = 0;
	for (double end = now_mono() + 60; (got = waitpid(pid, &st, WNOHANG)) == 0 && now_mono() < end;)
		usleep(100000);
	if (got != pid) {
		kill(pid, SIGKILL), waitpid(pid, NULL, 0);
		fail_msg("play.sh ran on for 60 s after signal %d", sig);
	}
	/* cut short, not run to its end: 130 from its trap, or killed */
	if (sig == SIGTERM ? !WIFEXITED(st) || WEXITSTATUS(st) != 130 : !WIFSIGNALED(st))
		fail_msg("play.sh was not stopped by signal %d (status %#x)", sig, st);
	for (double end = now_mono() + 30; alive(tasks, n) && now_mono() < end;)
		usleep(100000);
	if (alive(tasks, n))
		fail_msg("%zu of the %zu processes play.sh started outlived it (signal %d)", alive(tasks, n), n, sig);
	if (host_netns() > netns)
		fail_msg("play.sh left a network namespace in the host's /run/netns (signal %d)", sig);
	/* the next play: the one pod's report back, well before --wait's end */
	snprintf(dir, sizeof(dir), "%s/after%d", out, sig);
	char *again[] = {PLAY_SH, "--out", dir, "--timeout", "120", "--variants", "job-cagetest-default", SRCDIR "/ci/k8s/job.yaml", NULL};
	const struct proc_cmd pc = {.argv = again, .timeout = 300, .stderr_too = true};
	int r = proc_run(&pc, buf, sizeof(buf), &st);
	if (r < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fail_msg("the next play failed (%d, status %d): %s", r, st, buf);
	char label[256];
	_cleanup_free_ char *pods = NULL;
	snprintf(dir, sizeof(dir), "%s/after%d/pods.txt", out, sig);
	if (read_file(dir, 1 << 16, &pods, NULL) < 0 || !pod_label(pods, "job-cagetest-default", label, sizeof(label)) ||
	    strstr(pods, "no report"))
		fail_msg("the next play collected: %s", pods ? pods : buf);
}

static void test_interrupt_term(void **state)
{
	(void)state;
	interrupt(SIGTERM);
}

static void test_interrupt_kill(void **state)
{
	(void)state;
	interrupt(SIGKILL);
}

int main(void)
{
	struct CMUnitTest tests[ARRAY_SIZE(wants) + 3];
	size_t n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(wants); i++)
		tests[n++] = (struct CMUnitTest){wants[i].pod, test_pod, NULL, NULL, (void *)&wants[i]};
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_fleet);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_interrupt_term);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_interrupt_kill);
	return _cmocka_run_group_tests("k8s", tests, n, setup, teardown);
}

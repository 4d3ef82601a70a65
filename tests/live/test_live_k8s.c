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

int main(void)
{
	struct CMUnitTest tests[ARRAY_SIZE(wants) + 1];
	size_t n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(wants); i++)
		tests[n++] = (struct CMUnitTest){wants[i].pod, test_pod, NULL, NULL, (void *)&wants[i]};
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_fleet);
	return _cmocka_run_group_tests("k8s", tests, n, setup, teardown);
}

/* The container adapters (docker, podman, gvisor) run the battery's agent in
 * a real container: ci/containers/run.sh's host configuration gives them a
 * private dockerd and podman store with the image tagged cagetest-box, and
 * build/dist/cagetest runs a few probes through each in the three modes they
 * express. What each mode mounts and which network it gets must show: the
 * workspace read-only in read-only and writable in the write modes, .git
 * read-only in both, /tmp the case's in the write modes, outside never
 * reached, loopback only in workspace-net; every row judged. An adapter whose
 * engine cannot run here is a skip with its reason, never a pass. */
#include "../testutil.h"
#include "../../lib/proc.h"

#define RUN_SH SRCDIR "/ci/containers/run.sh"
#define DIST BUILDDIR "/dist/cagetest"
#define PROBES "fs.write_workspace,fs.create_outside,fs.write_tmp,git.config_write,net.tcp4_loopback"
#define SESSION_TIMEOUT_S 900

static const char *const adapters[] = {"docker", "podman", "gvisor"};

/* probe, mode, the verdict it must have (the mode's policy, kept) */
static const struct {
	const char *probe, *mode;
	enum verdict want;
} rows[] = {
	{"fs.write_workspace", "read-only", V_PASS},	 {"fs.write_workspace", "workspace-write", V_PASS},
	{"fs.write_workspace", "workspace-net", V_PASS}, {"fs.create_outside", "read-only", V_PASS},
	{"fs.create_outside", "workspace-write", V_PASS}, {"fs.create_outside", "workspace-net", V_PASS},
	{"fs.write_tmp", "read-only", V_PASS},		 {"fs.write_tmp", "workspace-write", V_PASS},
	{"git.config_write", "workspace-write", V_PASS}, {"git.config_write", "workspace-net", V_PASS},
	{"net.tcp4_loopback", "read-only", V_PASS},	 {"net.tcp4_loopback", "workspace-write", V_PASS},
	{"net.tcp4_loopback", "workspace-net", V_PASS},
};

static char out[PATH_MAX], not_run[1024];
static struct report rep;

static int setup(void **state)
{
	char buf[16384], json[PATH_MAX + 16], cmd[PATH_MAX + 512], err[256];
	_cleanup_free_ char *text = NULL;
	int st;

	(void)state;
	snprintf(out, sizeof(out), BUILDDIR "/tests/.cadaptersXXXXXX");
	int ready = dist_for_containers("dockerd, podman", out, not_run, sizeof(not_run));
	if (ready) /* a broken build is a failure, never a skip */
		return ready < 0 ? -1 : 0;
	snprintf(json, sizeof(json), "%s/r.json", out);
	/* the host configuration: the adapters find the session's engines first on PATH */
	snprintf(cmd, sizeof(cmd), "%s run -q -b docker,podman,gvisor -m read-only,workspace-write,workspace-net -p %s --json %s",
		 DIST, PROBES, json);
	char *argv[] = {RUN_SH, "--out", out, "host", "--", "sh", "-c", cmd, NULL};
	double t0 = now_mono();
	const struct proc_cmd pc = {.argv = argv, .timeout = SESSION_TIMEOUT_S, .stderr_too = true};
	int r = proc_run(&pc, buf, sizeof(buf), &st);
	print_message("container adapters: session %.1f s\n%s", now_mono() - t0, buf);
	if (r < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return snprintf(not_run, sizeof(not_run), "run.sh failed (%d): %.400s", r, buf), -1;
	snprintf(json, sizeof(json), "%s/host.skip", out);
	if (read_file(json, sizeof(not_run), &text, NULL) == 0)
		return snprintf(not_run, sizeof(not_run), "%s", text), 0;
	snprintf(json, sizeof(json), "%s/r.json", out);
	free(text), text = NULL;
	if (read_file(json, 32 << 20, &text, NULL) < 0) {
		_cleanup_free_ char *e = NULL;
		snprintf(json, sizeof(json), "%s/host.err", out);
		read_file(json, 4096, &e, NULL);
		fail_msg("no report: %s", e ? e : "");
	}
	if (report_from_json(text, &rep, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	report_free(&rep);
	if (*out && !getenv("CAGETEST_KEEP"))
		rm_rf(out);
	return 0;
}

static void test_adapter(void **state)
{
	const char *name = *state;
	const struct backend_info *b;
	size_t seen = 0;

	if (*not_run) {
		print_message("%s: not run: %s\n", name, not_run);
		skip();
	}
	b = report_backend(&rep, name);
	assert_non_null(b);
	if (!b->available) {
		print_message("%s: not run: %s\n", name, b->reason ? b->reason : "unavailable");
		skip();
	}
	for (size_t i = 0; i < rep.nresults; i++) {
		const struct result *x = &rep.results[i];
		if (strcmp(x->backend, name))
			continue;
		if (x->verdict == V_ERROR)
			fail_msg("%s/%s %s: %s", name, x->mode, x->probe, x->detail);
		for (size_t k = 0; k < ARRAY_SIZE(rows); k++)
			if (!strcmp(rows[k].probe, x->probe) && !strcmp(rows[k].mode, x->mode)) {
				seen++;
				if (x->verdict != rows[k].want)
					fail_msg("%s/%s %s is %s: %s", name, x->mode, x->probe, verdict_name(x->verdict), x->detail);
			}
	}
	assert_int_equal(seen, ARRAY_SIZE(rows));
}

int main(void)
{
	struct CMUnitTest tests[ARRAY_SIZE(adapters)];

	for (size_t i = 0; i < ARRAY_SIZE(adapters); i++)
		tests[i] = (struct CMUnitTest){adapters[i], test_adapter, NULL, NULL, (void *)adapters[i]};
	return _cmocka_run_group_tests("container-adapters", tests, ARRAY_SIZE(adapters), setup, teardown);
}

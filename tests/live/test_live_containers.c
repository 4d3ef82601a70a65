/* The drop-in build/dist/cagetest inside real container runtimes, started by
 * ci/containers/run.sh on a Debian minbase image that lacks every library
 * cagetest links: `cagetest doctor` names each runtime, its call trials
 * match what that runtime really denies, and the JSON report's
 * host.container names it too. A runtime that cannot start here is skipped
 * with its reason, never passed. Then the session is interrupted (SIGTERM,
 * and SIGKILL of the script alone) and nothing it started may remain. */
#include "../testutil.h"
#include "../../lib/proc.h"
#include "../../platforms/container.h"
#include "../../platforms/detect.h"
#include "../../platforms/trials.h"

#include <dirent.h>
#include <signal.h>

#define DIST BUILDDIR "/dist/cagetest"
#define RUN_SH SRCDIR "/ci/containers/run.sh"
/* an image build on a cold cache takes a minute or two; a cached session seconds */
#define SESSION_TIMEOUT_S 900

struct want {
	enum trial t;
	const char *result; /* "ok", "ERRNO", "STEP:ERRNO" */
};

struct runtime_case {
	const char *rt;      /* run.sh's name */
	const char *runtime; /* doctor's word */
	struct want wants[4];
	size_t nwants;
	bool landlock_in_kernel; /* the trial fails though the host kernel has Landlock */
};

static const struct runtime_case cases[] = {
	{"docker", "docker", {{T_UNSHARE_USER, "EPERM"}, {T_CLONE_USER, "EPERM"}, {T_PROC_MOUNT, "unshare:EPERM"},
			      {T_LANDLOCK, "ok"}}, 4, false},
	{"docker-user", "docker", {{T_UNSHARE_USER, "EPERM"}, {T_PROC_MOUNT, "unshare:EPERM"}, {T_LANDLOCK, "ok"}},
	 3, false},
	{"podman", "podman", {{T_UNSHARE_USER, "ok"}, {T_PROC_MOUNT, "mount:EPERM"}}, 2, false},
	{"gvisor", "gvisor", {{T_LANDLOCK, "ENOSYS"}}, 1, false},
	{"nspawn", "systemd-nspawn", {{T_LANDLOCK, "EPERM"}, {T_KEYCTL, "EPERM"}}, 2, true},
	{"lxc", "lxc", {{T_UNSHARE_USER, "ok"}}, 1, false},
};

static char out[PATH_MAX];
static char not_run[1024]; /* why no session ran at all */

static bool matches(enum trial t, const struct trial_result *r, const char *want)
{
	char got[64];

	if (!r->ran)
		return false;
	if (trial_outcome(t, r) == TO_ALLOWED)
		snprintf(got, sizeof(got), "ok");
	else if (r->step[0] && t != T_PIVOT_ROOT)
		snprintf(got, sizeof(got), "%s:%s", r->step, errno_name(r->err));
	else
		snprintf(got, sizeof(got), "%s", errno_name(r->err));
	return !strcmp(got, want);
}

static int setup(void **state)
{
	char outdir[PATH_MAX + 8], buf[8192], bind_bin[PATH_MAX + 64], bind_out[PATH_MAX + 16];
	char runtimes[256] = "", why[512];
	int st;

	(void)state;
	if (geteuid() != 0)
		return snprintf(not_run, sizeof(not_run), "needs root (dockerd, podman, nspawn)"), 0;
	int built = dist_build(why, sizeof(why));
	if (built == 77)
		return snprintf(not_run, sizeof(not_run), "cannot build the dist here: %s", why), 0;
	if (built != 0)
		return -1; /* a broken build is a failure, never a skip */
	snprintf(out, sizeof(out), BUILDDIR "/tests/.containersXXXXXX");
	if (!mkdtemp(out))
		return -1;
	snprintf(outdir, sizeof(outdir), "%s/box", out);
	/* the box is written by uid 1000 in docker-user too */
	if (mkdir(outdir, 0777) < 0 || chmod(outdir, 0777) < 0 || chmod(out, 0755) < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		snprintf(runtimes + strlen(runtimes), sizeof(runtimes) - strlen(runtimes), "%s%s", i ? "," : "",
			 cases[i].rt);
	snprintf(bind_bin, sizeof(bind_bin), "%s:/usr/local/bin/cagetest:ro", DIST);
	snprintf(bind_out, sizeof(bind_out), "%s:/out", outdir);
	char *argv[] = {RUN_SH, "--out", out, "--bind", bind_bin, "--bind", bind_out, runtimes, "--", "sh", "-c",
			"cagetest doctor --no-battery --evidence /out/{runtime} && "
			"cagetest run -b none -m danger-full-access -p fs.write_workspace,fs.write_tmp -q --json "
			"/out/{runtime}.json",
			NULL};
	double t0 = now_mono();
	const struct proc_cmd cmd = {.argv = argv, .timeout = SESSION_TIMEOUT_S, .stderr_too = true};
	int r = proc_run(&cmd, buf, sizeof(buf), &st);
	print_message("containers: session %.1f s\n%s", now_mono() - t0, buf);
	if (r < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return snprintf(not_run, sizeof(not_run), "run.sh failed (%d): %.400s", r, buf), -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (*out && !getenv("CAGETEST_KEEP"))
		rm_rf(out);
	return 0;
}

static void test_runtime(void **state)
{
	const struct runtime_case *c = *state;
	char p[2 * PATH_MAX], root[PATH_MAX + 64];
	_cleanup_free_ char *skip_why = NULL, *doctor = NULL, *rc = NULL, *json = NULL, *trials_text = NULL;
	struct evidence ev;
	struct ctr_id id;
	struct trials t;
	struct report rep = {0};
	char err[256], line[128];

	if (*not_run) {
		print_message("%s: not run: %s\n", c->rt, not_run);
		skip();
	}
	snprintf(p, sizeof(p), "%s/%s.skip", out, c->rt);
	if (read_file(p, 4096, &skip_why, NULL) == 0) {
		print_message("%s: not run: %s", c->rt, skip_why);
		skip();
	}
	snprintf(p, sizeof(p), "%s/%s.out", out, c->rt);
	assert_int_equal(read_file(p, 1 << 20, &doctor, NULL), 0);
	snprintf(p, sizeof(p), "%s/%s.rc", out, c->rt);
	assert_int_equal(read_file(p, 64, &rc, NULL), 0);
	if (atoi(rc) != 0)
		fail_msg("%s: exit %s\n%s", c->rt, rc, doctor);

	/* doctor's own words */
	snprintf(line, sizeof(line), "\ncontainer     %s", c->runtime);
	if (!strstr(doctor, line))
		fail_msg("%s: doctor does not name %s:\n%s", c->rt, c->runtime, doctor);

	/* the same from the evidence it saved, and the trials it measured */
	snprintf(root, sizeof(root), "%s/box/%s", out, c->rt);
	assert_int_equal(evidence_read(&ev, root), 0);
	ctr_identify(&ev, &id);
	assert_string_equal(id.runtime, c->runtime);
	evidence_free(&ev);
	snprintf(p, sizeof(p), "%s/trials.txt", root);
	assert_int_equal(read_file(p, 65536, &trials_text, NULL), 0);
	assert_int_equal(trials_parse(trials_text, &t), 0);
	for (size_t i = 0; i < c->nwants; i++) {
		const struct want *w = &c->wants[i];
		if (!matches(w->t, &t.r[w->t], w->result))
			fail_msg("%s: %s: want %s, got ret %ld %s step '%s'", c->rt, trial_info[w->t].name, w->result,
				 t.r[w->t].ret, errno_name(t.r[w->t].err), t.r[w->t].step);
	}
	if (c->landlock_in_kernel)
		assert_true(landlock_abi() > 0); /* so the container's filter is what denies it */

	/* the JSON report's host.container */
	snprintf(p, sizeof(p), "%s/box/%s.json", out, c->rt);
	assert_int_equal(read_file(p, 8 << 20, &json, NULL), 0);
	if (report_from_json(json, &rep, err, sizeof(err)) < 0)
		fail_msg("%s: %s", c->rt, err);
	assert_string_equal(rep.host.container, c->runtime);
	/* judged there: a case with a private /tmp starts (LXC's root has no /dev/shm) */
	assert_int_equal(rep.nresults, 2);
	for (size_t i = 0; i < rep.nresults; i++)
		if (rep.results[i].verdict == V_ERROR)
			fail_msg("%s: %s: %s", c->rt, rep.results[i].probe, rep.results[i].detail);
	report_free(&rep);
}

/* Is a process whose command line holds needle (and, if given, whose
 * cgroup holds in_cgroup) running? */
static bool running(const char *needle, const char *in_cgroup)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	bool found = false;

	assert_non_null(d);
	while (!found && (e = readdir(d))) {
		char p[300];
		_cleanup_free_ char *cmd = NULL, *cg = NULL;
		size_t len;
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(p, sizeof(p), "/proc/%s/cmdline", e->d_name);
		if (read_file(p, 65536, &cmd, &len) < 0)
			continue;
		for (size_t i = 0; i + 1 < len; i++)
			if (!cmd[i])
				cmd[i] = ' ';
		if (!strstr(cmd, needle))
			continue;
		snprintf(p, sizeof(p), "/proc/%s/cgroup", e->d_name);
		found = !in_cgroup || (read_file(p, 65536, &cg, NULL) == 0 && strstr(cg, in_cgroup));
	}
	closedir(d);
	return found;
}

static bool wait_for(bool want, const char *needle, const char *in_cgroup, double seconds)
{
	for (double end = now_mono() + seconds; now_mono() < end; usleep(100000))
		if (running(needle, in_cgroup) == want)
			return true;
	return running(needle, in_cgroup) == want;
}

/* Interrupt a session while a container runs: the script alone gets sig. */
static void interrupt(int sig)
{
	char log[2 * PATH_MAX], marker[64];
	posix_spawnattr_t a;
	pid_t pid;
	int st;

	if (*not_run) {
		print_message("not run: %s\n", not_run);
		skip();
	}
	/* a command line no other process has */
	snprintf(marker, sizeof(marker), "%d.%d", (int)getpid(), sig);
	snprintf(log, sizeof(log), "%s/interrupt.%d", out, sig);
	char *argv[] = {RUN_SH, "--out", log, "docker", "--", "sleep", marker, NULL};
	posix_spawnattr_init(&a);
	posix_spawnattr_setflags(&a, POSIX_SPAWN_SETPGROUP);
	assert_int_equal(posix_spawn(&pid, argv[0], NULL, &a, argv, environ), 0);
	posix_spawnattr_destroy(&a);
	if (!wait_for(true, marker, "docker", 300)) {
		kill(-pid, SIGKILL);
		waitpid(pid, NULL, 0);
		snprintf(log, sizeof(log), "%s/interrupt.%d/docker.skip", out, sig);
		if (access(log, F_OK) == 0) {
			print_message("docker: not run\n");
			skip();
		}
		fail_msg("the container never started");
	}
	assert_true(running("dockerd", NULL));
	kill(pid, sig);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	/* the kernel takes the namespaces down at once, their processes soon after */
	if (!wait_for(false, marker, NULL, 30))
		fail_msg("the container's command outlived the session (signal %d)", sig);
	if (!wait_for(false, "cagetest-images/docker-root", NULL, 30))
		fail_msg("dockerd outlived the session (signal %d)", sig);
	assert_false(running("cagetest-images/podman", NULL));
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
	struct CMUnitTest tests[ARRAY_SIZE(cases) + 2];
	size_t n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		tests[n++] = (struct CMUnitTest){cases[i].rt, test_runtime, NULL, NULL, (void *)&cases[i]};
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_interrupt_term);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_interrupt_kill);
	return _cmocka_run_group_tests("containers", tests, n, setup, teardown);
}

/* The drop-in build/dist/cagetest inside real container runtimes, started by
 * ci/containers/run.sh on a Debian minbase image that lacks every library
 * cagetest links but has bubblewrap and firejail: `cagetest doctor` names
 * each runtime, its call trials match what that runtime really denies, and
 * every backend that cannot run there gets a cause that agrees with those
 * trials; `cagetest run -b landlock,bwrap,firejail -m all` gives each
 * backend and mode the verdict the runtime makes true (FAILS OPEN from
 * firejail's own words, and from the rows alone for a firejail that says
 * nothing; FAILS CLOSED where it cannot start), and the JSON report's
 * host.container names the runtime. A runtime that cannot start here is
 * skipped with its reason, never passed. Then the session is interrupted
 * (SIGTERM, and SIGKILL of the script alone) and nothing it started may
 * remain.
 *
 * In `make check` the battery is a subset of probes (about 1 s a runtime, 8 s
 * under gVisor); `make check-containers` (CAGETEST_CONTAINERS_FULL=1) runs
 * every probe, as the README's table was measured. */
#include "../testutil.h"
#include "../../lib/facts.h"
#include "../../lib/proc.h"
#include "../../platforms/container.h"
#include "../../platforms/detect.h"
#include "../../platforms/trials.h"

#include <dirent.h>
#include <fnmatch.h>
#include <signal.h>

#define DIST BUILDDIR "/dist/cagetest"
#define RUN_SH SRCDIR "/ci/containers/run.sh"
#define IMAGE "--image", "bwrap-firejail", "--packages", "bubblewrap firejail"
/* an image build on a cold cache takes a minute or two; a cached session seconds */
#define SESSION_TIMEOUT_S 1200
/* escapes in every class, a must-work row or three, and a namespace: enough
 * rows for every verdict (a silent fail-open needs 3 rows that should be blocked);
 * fs.write_tmp's case gets a private /tmp (LXC's root has no /dev/shm) */
#define SUBSET "fs.write_workspace,fs.read_workspace,fs.exec_shell,fs.create_outside,fs.overwrite_outside," \
	       "fs.symlink_file,fs.home_bashrc,git.config_write,net.tcp4_loopback,ipc.unix_stream,"        \
	       "priv.userns_create,proc.daemon_outlives,fs.write_tmp"

struct want {
	enum trial t;
	const char *result; /* "ok", "ERRNO", "STEP:ERRNO" */
};

#define W(x) (1u << (x))
#define CONFINED "read-only,workspace-write,workspace-net"
/* A backend's verdict in some modes: one of words, its reason (or the
 * backend's cause) holding needle. */
struct vwant {
	const char *backend, *modes; /* modes: a comma list of globs */
	unsigned words;
	const char *needle;
};

struct runtime_case {
	const char *rt;      /* run.sh's name */
	const char *runtime; /* doctor's word */
	struct want wants[4];
	size_t nwants;
	bool landlock_in_kernel; /* the trial fails though the host kernel has Landlock */
	struct vwant verdicts[8];
};

#define JUDGED (W(SW_ENFORCED) | W(SW_NOT_ENFORCED))
#define LANDLOCK_RUNS {"landlock", CONFINED, JUDGED, NULL}, {"landlock", "danger-full-access", W(SW_UNCONFINED), NULL}
#define FIREJAIL_NO_DANGER {"firejail*", "danger-full-access", W(SW_NOT_TESTED), "no danger-full-access mode"}
#define FIREJAIL_OPEN                                                                                        \
	{"firejail", CONFINED, W(SW_FAILS_OPEN), "firejail said \"Warning: an existing sandbox was detected."}, \
	{"firejail-quiet", CONFINED, W(SW_FAILS_OPEN), "blocked nothing the control could do"}, FIREJAIL_NO_DANGER

static const struct runtime_case cases[] = {
	{"docker", "docker", {{T_UNSHARE_USER, "EPERM"}, {T_CLONE_USER, "EPERM"}, {T_PROC_MOUNT, "unshare:EPERM"},
			      {T_LANDLOCK, "ok"}}, 4, false,
	 {LANDLOCK_RUNS, {"bwrap", "*", W(SW_UNAVAILABLE), "Docker's seccomp profile denies unshare(CLONE_NEWUSER) (EPERM)"},
	  FIREJAIL_OPEN}},
	{"docker-user", "docker", {{T_UNSHARE_USER, "EPERM"}, {T_PROC_MOUNT, "unshare:EPERM"}, {T_LANDLOCK, "ok"}},
	 3, false,
	 {LANDLOCK_RUNS, {"bwrap", "*", W(SW_UNAVAILABLE), "Docker's seccomp profile denies unshare(CLONE_NEWUSER) (EPERM)"},
	  /* uid 1000 has no passwd entry in the image: firejail refuses */
	  {"firejail*", CONFINED, W(SW_FAILS_CLOSED), "Error getpwuid"}, FIREJAIL_NO_DANGER}},
	{"podman", "podman", {{T_UNSHARE_USER, "ok"}, {T_PROC_MOUNT, "mount:EPERM"}}, 2, false,
	 {LANDLOCK_RUNS, {"bwrap", "*", W(SW_UNAVAILABLE), "/proc is masked"}, FIREJAIL_OPEN}},
	{"gvisor", "gvisor", {{T_LANDLOCK, "ENOSYS"}}, 1, false,
	 {{"landlock", "*", W(SW_UNAVAILABLE), "gVisor does not implement Landlock (landlock_create_ruleset: ENOSYS)"},
	  {"bwrap", "*", W(SW_UNAVAILABLE), "gVisor's kernel lacks what bwrap needs"}, FIREJAIL_OPEN}},
	{"nspawn", "systemd-nspawn", {{T_LANDLOCK, "EPERM"}, {T_KEYCTL, "EPERM"}}, 2, true,
	 {{"landlock", "*", W(SW_UNAVAILABLE), "systemd-nspawn's seccomp filter denies landlock_create_ruleset (EPERM"},
	  {"bwrap", "*", W(SW_UNAVAILABLE), "needs CAP_NET_ADMIN, which systemd-nspawn withholds"},
	  /* --net=none needs CAP_NET_ADMIN too; with network it runs and confines */
	  {"firejail*", "read-only,workspace-write", W(SW_FAILS_CLOSED), "net_if_up: Operation not permitted"},
	  {"firejail*", "workspace-net", JUDGED, NULL}, FIREJAIL_NO_DANGER}},
	/* under LXC, in a full run, the quiet firejail's box did not get
	 * TIOCSTI through to the caller's terminal (the shipped one's did): one
	 * row blocked is a sandbox that does something, NOT ENFORCED, not FAILS
	 * OPEN; the shipped adapter's words still say FAILS OPEN */
	{"lxc", "lxc", {{T_UNSHARE_USER, "ok"}}, 1, false,
	 {LANDLOCK_RUNS, {"bwrap", CONFINED, JUDGED, NULL}, {"bwrap", "danger-full-access", W(SW_UNCONFINED), NULL},
	  {"firejail", CONFINED, W(SW_FAILS_OPEN), "firejail said \"Warning: an existing sandbox was detected."},
	  {"firejail-quiet", CONFINED, W(SW_FAILS_OPEN) | W(SW_NOT_ENFORCED), NULL}, FIREJAIL_NO_DANGER}},
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
	char outdir[PATH_MAX + 8], buf[16384], bind_bin[PATH_MAX + 64], bind_out[PATH_MAX + 16], cmd[2048];
	char runtimes[256] = "";
	int st;

	(void)state;
	snprintf(out, sizeof(out), BUILDDIR "/tests/.containersXXXXXX");
	int ready = dist_for_containers("dockerd, podman, nspawn", out, not_run, sizeof(not_run));
	if (ready) /* a broken build is a failure, never a skip */
		return ready < 0 ? -1 : 0;
	snprintf(outdir, sizeof(outdir), "%s/box", out);
	/* the box is written by uid 1000 in docker-user too */
	if (mkdir(outdir, 0777) < 0 || chmod(outdir, 0777) < 0 || chmod(out, 0755) < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		snprintf(runtimes + strlen(runtimes), sizeof(runtimes) - strlen(runtimes), "%s%s", i ? "," : "",
			 cases[i].rt);
	snprintf(bind_bin, sizeof(bind_bin), "%s:/usr/local/bin/cagetest:ro", DIST);
	snprintf(bind_out, sizeof(bind_out), "%s:/out", outdir);
	/* every step's status is kept: a run with escapes exits 1 by design */
	snprintf(cmd, sizeof(cmd),
		 "cagetest doctor --no-battery --evidence /out/{runtime} >/out/{runtime}.doctor 2>&1; "
		 "echo $? >/out/{runtime}.doctor.rc; "
		 "cagetest run -q -b landlock,bwrap,firejail,firejail-quiet --adapter /etc/cagetest-firejail-quiet.json "
		 "-m all %s%s --json /out/{runtime}.json; echo $? >/out/{runtime}.run.rc",
		 getenv("CAGETEST_CONTAINERS_FULL") ? "" : "-p ", getenv("CAGETEST_CONTAINERS_FULL") ? "" : SUBSET);
	/* the whole battery under gVisor takes about two minutes: room for it */
	char *argv[] = {RUN_SH, IMAGE, "--timeout", getenv("CAGETEST_CONTAINERS_FULL") ? "900" : "120", "--out", out,
			"--bind", bind_bin, "--bind", bind_out, "--bind",
			SRCDIR "/tests/data/firejail-quiet.json:/etc/cagetest-firejail-quiet.json:ro", runtimes, "--", "sh",
			"-c", cmd, NULL};
	double t0 = now_mono();
	const struct proc_cmd pc = {.argv = argv, .timeout = SESSION_TIMEOUT_S, .stderr_too = true};
	int r = proc_run(&pc, buf, sizeof(buf), &st);
	print_message("containers: session %.1f s (%s battery)\n%s", now_mono() - t0,
		      getenv("CAGETEST_CONTAINERS_FULL") ? "full" : "subset", buf);
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

static bool in_list(const char *list, const char *name)
{
	char buf[256];

	snprintf(buf, sizeof(buf), "%s", list);
	for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
		if (fnmatch(t, name, 0) == 0)
			return true;
	return false;
}

/* A cause that names a denied call names the errno the trials measured. */
static void cause_agrees(const char *rt, const char *cause, const struct trials *t)
{
	static const struct {
		const char *call;
		enum trial t;
	} calls[] = {{"unshare(CLONE_NEWUSER) (", T_UNSHARE_USER}, {"landlock_create_ruleset (", T_LANDLOCK},
		     {"landlock_create_ruleset: ", T_LANDLOCK}};
	for (size_t i = 0; i < ARRAY_SIZE(calls); i++) {
		const char *at = strstr(cause, calls[i].call);
		char err[32];
		if (!at)
			continue;
		snprintf(err, sizeof(err), "%.*s", (int)strcspn(at + strlen(calls[i].call), "),;:"),
			 at + strlen(calls[i].call));
		if (!t->r[calls[i].t].ran || strcmp(errno_name(t->r[calls[i].t].err), err))
			fail_msg("%s: the cause says %s%s, the trials measured %s: %s", rt, calls[i].call, err,
				 t->r[calls[i].t].ran ? errno_name(t->r[calls[i].t].err) : "nothing", cause);
	}
	/* a filter or a missing privilege: never a kernel boot option */
	if (strstr(cause, "lsm=") && !strstr(cause, "EOPNOTSUPP"))
		fail_msg("%s: advises a boot option: %s", rt, cause);
}

static void check_verdicts(const struct runtime_case *c, const struct report *rep, const struct trials *t)
{
	struct matrix m;
	size_t checked = 0;

	assert_int_equal(matrix_build(rep, &m), 0);
	for (size_t k = 0; k < m.ncols; k++) {
		const struct column *col = &m.cols[k];
		const struct sandbox_verdict *v = &col->verdict;
		print_message("%s: %s/%s: %s: %.200s\n", c->rt, col->backend, col->mode, sandbox_word_name(v->word),
			      v->reason);
		for (size_t i = 0; i < ARRAY_SIZE(c->verdicts) && c->verdicts[i].backend; i++) {
			const struct vwant *w = &c->verdicts[i];
			if (fnmatch(w->backend, col->backend, 0) || !in_list(w->modes, col->mode))
				continue;
			checked++;
			if (!(w->words & W(v->word))) {
				for (size_t r = 0; r < rep->nresults; r++) /* the rows it could not judge, and why */
					if (rep->results[r].verdict == V_ERROR &&
					    !strcmp(rep->results[r].backend, col->backend) &&
					    !strcmp(rep->results[r].mode, col->mode))
						print_message("%s: %s/%s %s: %s\n", c->rt, col->backend, col->mode,
							      rep->results[r].probe, rep->results[r].detail);
				fail_msg("%s: %s/%s is %s: %s", c->rt, col->backend, col->mode, sandbox_word_name(v->word),
					 v->reason);
			}
			const struct backend_info *b = report_backend(rep, col->backend);
			const char *reason = v->word == SW_UNAVAILABLE && b ? b->reason : v->reason;
			if (w->needle && !strstr(reason, w->needle))
				fail_msg("%s: %s/%s: '%s' lacks '%s'", c->rt, col->backend, col->mode, reason, w->needle);
			if (v->word == SW_UNAVAILABLE)
				cause_agrees(c->rt, reason, t);
			break;
		}
	}
	/* every backend and mode of the battery was checked */
	assert_int_equal(checked, m.ncols);
	assert_int_equal(m.ncols, 16);
	matrix_free(&m);
}

static void test_runtime(void **state)
{
	const struct runtime_case *c = *state;
	char p[2 * PATH_MAX], root[PATH_MAX + 64];
	_cleanup_free_ char *skip_why = NULL, *doctor = NULL, *rc = NULL, *json = NULL, *trials_text = NULL,
			    *recs_text = NULL;
	struct backend_record *recs;
	size_t nrecs;
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
	snprintf(p, sizeof(p), "%s/box/%s.doctor", out, c->rt);
	assert_int_equal(read_file(p, 1 << 20, &doctor, NULL), 0);
	snprintf(p, sizeof(p), "%s/box/%s.doctor.rc", out, c->rt);
	assert_int_equal(read_file(p, 64, &rc, NULL), 0);
	if (atoi(rc) != 0)
		fail_msg("%s: doctor exit %s\n%s", c->rt, rc, doctor);

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

	/* doctor gives a cause for every unavailable backend that has rules,
	 * right under that backend's facts, and it agrees with the trials */
	snprintf(p, sizeof(p), "%s/backends.json", root);
	assert_int_equal(read_file(p, 1 << 20, &recs_text, NULL), 0);
	assert_int_equal(records_parse(recs_text, &recs, &nrecs), 0);
	for (size_t i = 0; i < nrecs; i++) {
		char head[64];
		if (recs[i].available || (strcmp(recs[i].name, "landlock") && strcmp(recs[i].name, "bwrap")))
			continue;
		snprintf(head, sizeof(head), "\n%-14s", recs[i].name);
		const char *at = strstr(doctor, head), *cause = at ? strstr(at, "\n              cause: ") : NULL;
		if (!cause)
			fail_msg("%s: doctor gives no cause for %s:\n%s", c->rt, recs[i].name, doctor);
		_cleanup_free_ char *one = strndup(cause + 22, strcspn(cause + 22, "\n"));
		cause_agrees(c->rt, one, &t);
	}
	records_free(recs, nrecs);

	/* the battery's verdicts, and host.container */
	snprintf(p, sizeof(p), "%s/box/%s.json", out, c->rt);
	if (read_file(p, 32 << 20, &json, NULL) < 0)
		fail_msg("%s: no JSON report", c->rt);
	if (report_from_json(json, &rep, err, sizeof(err)) < 0)
		fail_msg("%s: %s", c->rt, err);
	assert_string_equal(rep.host.container, c->runtime);
	check_verdicts(c, &rep, &t);
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

/* The session's state directory, from its dockerd's -H unix://STATE/docker/docker.sock. */
static bool session_state(const struct ptask *v, size_t n, char *dir, size_t len)
{
	static const char sock[] = "/docker/docker.sock";

	for (size_t i = 0; i < n; i++) {
		char p[64];
		_cleanup_free_ char *cmd = NULL;
		size_t clen = 0;
		snprintf(p, sizeof(p), "/proc/%d/cmdline", (int)v[i].pid);
		if (read_file(p, 1 << 16, &cmd, &clen) < 0)
			continue;
		for (const char *a = cmd; a < cmd + clen; a += strlen(a) + 1) {
			size_t al = strlen(a);
			if (!strncmp(a, "unix://", 7) && al > 7 + sizeof(sock) - 1 && !strcmp(a + al - (sizeof(sock) - 1), sock))
				return snprintf(dir, len, "%.*s", (int)(al - 7 - (sizeof(sock) - 1)), a + 7) < (int)len;
		}
	}
	return false;
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
	char *argv[] = {RUN_SH, IMAGE, "--out", log, "docker", "--", "sleep", marker, NULL};
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
	struct ptask tasks[512];
	size_t ntasks = descendants(pid, tasks, ARRAY_SIZE(tasks));
	assert_true(ntasks > 2); /* its dockerd and the container at least */
	char state_dir[PATH_MAX];
	assert_true(session_state(tasks, ntasks, state_dir, sizeof(state_dir)));
	kill(pid, sig);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	/* the kernel takes the namespaces down at once, their processes soon after */
	if (!wait_for(false, marker, NULL, 30))
		fail_msg("the container's command outlived the session (signal %d)", sig);
	/* nothing the session started (its dockerd, containerd, shims) is left;
	 * other sessions' daemons may run, they are not ours to judge */
	for (double end = now_mono() + 30; alive(tasks, ntasks) && now_mono() < end;)
		usleep(100000);
	if (alive(tasks, ntasks))
		fail_msg("%zu of the session's %zu processes outlived it (signal %d)", alive(tasks, ntasks), ntasks, sig);
	/* its files: removed by its trap, or (SIGKILL: no trap runs) by the next session */
	if (sig == SIGKILL) {
		char *next[] = {RUN_SH, IMAGE, "--out", log, "docker", "--", "true", NULL};
		const struct proc_cmd pc = {.argv = next, .timeout = 300, .stderr_too = true};
		char buf[4096];
		int r = proc_run(&pc, buf, sizeof(buf), &st);
		if (r < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			fail_msg("the next session failed (%d): %s", r, buf);
	}
	if (access(state_dir, F_OK) == 0)
		fail_msg("the session's state %s is left (signal %d)", state_dir, sig);
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

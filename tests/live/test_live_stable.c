/* Live: the same verdicts every time, on a busy machine too. Evidence the host
 * reads once, at a moment that races with the kernel's deferred work or a
 * process still exiting, gives a verdict that depends on the machine's speed;
 * these tests hold such windows open instead of hoping to hit them, then run
 * the default backends again and again with both cores kept busy. */
#include "../testutil.h"

#include <signal.h>

#define DATA SRCDIR "/tests/data/"

/* proc.tiocsti through a wrapper that confines nothing: the injection
 * happens in every mode, whatever the terminal makes the host wait for. */
static void tiocsti_seen(const char *wrapper, const char *evidence)
{
	char args[512], backend[64];
	struct report rep;

	snprintf(backend, sizeof(backend), "wrap-tty-%s", wrapper);
	snprintf(args, sizeof(args), "-b %s -m workspace-write,danger-full-access -p proc.tiocsti --adapter " DATA "%s.json",
		 backend, backend);
	run_json(&rep, args);
	assert_verdict(&rep, backend, "workspace-write", "proc.tiocsti", V_ESCAPE);
	assert_verdict(&rep, backend, "danger-full-access", "proc.tiocsti", V_PASS);
	assert_detail_has(&rep, backend, "workspace-write", "proc.tiocsti", evidence);
	report_free(&rep);
}

/* The box fills the master's read queue first and reads its own input back
 * after: the echo reaches the master only through the tty layer's deferred
 * work, as the host reads (one read at the end saw 511 bytes of padding:
 * a false pass). */
static void test_tiocsti_echo_deferred(void **state)
{
	(void)state;
	tiocsti_seen("flood", "(its echo)");
}

/* Echo off in the box: the command only waits in the input queue. */
static void test_tiocsti_echo_off(void **state)
{
	(void)state;
	tiocsti_seen("noecho", "input queue");
}

/* A daemon the box's end woke stays runnable (slowshim: 0.6 s) before it
 * writes outside, as on a machine too busy to run it: the survivors' fixed
 * grace (0.3 s) killed it first and the row said "the policy still held". */
static void test_daemon_runnable_after_box(void **state)
{
	struct report rep;

	(void)state;
	run_json(&rep, "-b wrap-slowshim -m workspace-write,danger-full-access -p proc.daemon_writes_after "
		       "--adapter " DATA "wrap-slowshim.json");
	assert_verdict(&rep, "wrap-slowshim", "workspace-write", "proc.daemon_writes_after", V_ESCAPE);
	assert_verdict(&rep, "wrap-slowshim", "danger-full-access", "proc.daemon_writes_after", V_PASS);
	report_free(&rep);
}

/* Loopback traffic still queued when the box is gone: cagetest runs in a
 * network namespace of the test's own whose lo queues through a slow token
 * bucket, and the wrapper's padding goes ahead of the probe's datagram. The
 * host read its listener once when the case ended (a false pass); it must
 * wait for its own markers, which come after. */
static void test_loopback_in_flight(void **state)
{
	char *argv[] = {"/usr/bin/unshare", "-n", "/bin/sh", "-c",
			"ip link set lo up && tc qdisc add dev lo root tbf rate 8kbit burst 1600 latency 20s || exit 77; "
			"exec " CAGETEST " run -q --json - -b wrap-slowlo -m workspace-write,danger-full-access "
			"-p net.udp4_loopback --adapter " DATA "wrap-slowlo.json",
			NULL};
	char *out = NULL, *err = NULL, perr[256];
	struct report rep;
	int code;

	(void)state;
	if (geteuid() != 0 || access(argv[0], X_OK) < 0)
		skip(); /* a network namespace of our own needs root and unshare(1) */
	code = run_cmd(argv, &out, &err);
	if (code == 77) {
		free(out), free(err);
		skip(); /* no tc, or no tbf in this kernel */
	}
	if (report_from_json(out, &rep, perr, sizeof(perr)) < 0)
		fail_msg("exit %d, no report (%s): %s", code, perr, err);
	assert_verdict(&rep, "wrap-slowlo", "workspace-write", "net.udp4_loopback", V_ESCAPE);
	assert_verdict(&rep, "wrap-slowlo", "danger-full-access", "net.udp4_loopback", V_PASS);
	report_free(&rep);
	free(out), free(err);
}

/* tests/load.sh: both cores busy until stopped (or this process is gone). */
static pid_t load_start(void)
{
	char owner[16];
	pid_t pid;

	snprintf(owner, sizeof(owner), "%d", (int)getpid());
	pid = fork();
	if (pid == 0) {
		execl(SRCDIR "/tests/load.sh", "load.sh", "2", owner, (char *)NULL);
		_exit(127);
	}
	return pid;
}

static void load_stop(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
	}
}

/* The default backends in every mode, batched and --isolate in turn, under
 * load: `cagetest diff` finds every run the same as the first. */
#define RUNS 5
static void test_verdicts_stable_under_load(void **state)
{
	char dir[64], json[RUNS][128], args[1024];
	struct sbuf bad = {0};
	int code[RUNS];
	pid_t load;

	(void)state;
	assert_int_equal(test_scratch_parent(dir, sizeof(dir), "stable"), 0);
	load = load_start();
	assert_true(load > 0);
	for (int i = 0; i < RUNS; i++) {
		snprintf(json[i], sizeof(json[i]), "%s/run%d.json", dir, i);
		snprintf(args, sizeof(args), "run -q -b none,landlock,bwrap -m all%s --json %s", i % 2 ? " --isolate" : "",
			 json[i]);
		code[i] = cli(args, NULL, NULL);
	}
	load_stop(load);
	for (int i = 0; i < RUNS; i++) {
		char *out = NULL;
		int rc;
		if (code[i] != 1) /* escapes (none, landlock), no error */
			sb_printf(&bad, "run %d%s: exit %d\n", i, i % 2 ? " (--isolate)" : "", code[i]);
		if (!i)
			continue;
		snprintf(args, sizeof(args), "diff %s %s", json[0], json[i]);
		rc = cli(args, &out, NULL);
		if (rc != 0 || !strstr(out, "NEW is the same\n"))
			sb_printf(&bad, "run %d%s differs from run 0 (diff exit %d):\n%.3000s", i, i % 2 ? " (--isolate)" : "",
				  rc, out);
		free(out);
	}
	rm_rf(dir);
	if (bad.len)
		fail_msg("%s", bad.s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tiocsti_echo_deferred),
		cmocka_unit_test(test_tiocsti_echo_off),
		cmocka_unit_test(test_daemon_runnable_after_box),
		cmocka_unit_test(test_loopback_in_flight),
		cmocka_unit_test(test_verdicts_stable_under_load),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

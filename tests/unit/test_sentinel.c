/* The sentinel as the host reads it, against real processes: the real
 * sentinel (cagetest-agent sentinel) untouched, killed and stopped, and a
 * process held where a killed or stopped sentinel is for a moment on a busy
 * machine: runnable, the signal taken off its pending set, not yet dead or
 * stopped. Read there, it must not pass for alive. */
#include "../testutil.h"

#include "../../probes/probe.h"
#include "../../runner/sentinel.h"

#include <signal.h>

#define AGENT BUILDDIR "/cagetest-agent"

static char dir[] = BUILDDIR "/tests/.sentXXXXXX";

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	rm_rf(dir);
	return 0;
}

static enum observed verdict_of(const char *id, const struct sentinel_state *st)
{
	struct probe_env env = {0};
	struct host_view hv = {.env = &env, .sentinel = st};
	char detail[256];

	return probe_find(id)->verify(&hv, detail, sizeof(detail));
}

static void test_real_sentinel(void **state)
{
	static const struct {
		int sig;
		enum observed kill, stop;
	} cases[] = {
		{0, OBS_BLOCKED, OBS_BLOCKED},
		{SIGKILL, OBS_ALLOWED, OBS_BLOCKED},
		{SIGSTOP, OBS_BLOCKED, OBS_ALLOWED},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct sentinel s;
		struct sentinel_state st;
		assert_int_equal(sentinel_start(&s, AGENT, dir, false, 0, 0), 0);
		if (cases[i].sig)
			kill(s.pid, cases[i].sig);
		sentinel_read(&s, &st);
		assert_int_equal(verdict_of("proc.sigkill", &st), cases[i].kill);
		assert_int_equal(verdict_of("proc.sigstop", &st), cases[i].stop);
		sentinel_stop(&s);
	}
}

/* Runnable for longer than the host waits for it to settle: unknown. */
static void test_runnable_is_not_alive(void **state)
{
	struct sentinel s = {0};
	struct sentinel_state st;

	(void)state;
	s.pid = fork();
	if (s.pid == 0) {
		alarm(30);
		for (;;)
			;
	}
	assert_true(s.pid > 0);
	sentinel_read(&s, &st);
	kill(s.pid, SIGKILL);
	waitpid(s.pid, NULL, 0);
	assert_true(st.present && !st.dead);
	assert_int_equal(st.state, 'R');
	assert_int_equal(verdict_of("proc.sigkill", &st), OBS_UNKNOWN);
	assert_int_equal(verdict_of("proc.sigstop", &st), OBS_UNKNOWN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_sentinel),
		cmocka_unit_test(test_runnable_is_not_alive),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

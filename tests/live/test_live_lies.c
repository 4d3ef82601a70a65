/* Live: no false pass from a lying, half-working sandbox. The whole battery
 * runs in every mode under tests/wrappers/lieshim.c, an LD_PRELOAD shim with
 * no sandbox beneath it that performs every effect for real and then reports
 * it failed (write, connect, sendto, mkdir, rename, link, open with O_CREAT,
 * kill ...). Every row whose control escaped must then be an escape (or, for
 * what the mode allows, a pass): a pass would tell a user that their sandbox
 * blocked something it did not block. */
#include "../testutil.h"

#include <sys/stat.h>

#define SHIM SRCDIR "/build/lieshim.so"

static struct report rep;

static int setup(void **state)
{
	struct stat st;

	(void)state;
	if (stat(SHIM, &st) < 0) {
		fprintf(stderr, "no %s: build it with make check\n", SHIM);
		return -1;
	}
	run_json(&rep, "-b wrap-lieshim -m all --adapter " SRCDIR "/tests/data/wrap-lieshim.json");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	report_free(&rep);
	return 0;
}

/* The shim is there and lies: effects the host saw, reported as failed. */
static void test_shim_lies(void **state)
{
	static const struct {
		const char *probe, *errno_name;
	} lies[] = {
		{"fs.write_workspace", "EACCES"}, /* open(O_CREAT) */
		{"fs.hardlink_new", "EACCES"},	  /* link */
		{"net.tcp4_loopback", "EACCES"},  /* connect */
		{"git.link_claude_settings", "EACCES"}, /* mkdir, symlink (ipc.unix_stream now presses on to io_uring, which no shim sees) */
		{"git.commondir", "EACCES"},	  /* mkdir */
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(lies); i++) {
		const struct result *r = find_row(&rep, "wrap-lieshim", "read-only", lies[i].probe);
		if (!r || r->verdict != V_ESCAPE || strcmp(r->errno_name, lies[i].errno_name))
			fail_msg("%s: %s errno %s, want an escape reported as %s (%s)", lies[i].probe,
				 r ? verdict_name(r->verdict) : "missing", r ? r->errno_name : "", lies[i].errno_name,
				 r ? r->detail : "");
	}
}

/* Every row is judged (the shim keeps the agent's records true), and none
 * passes where the control escaped and the mode forbids the effect. */
static void test_no_false_pass(void **state)
{
	size_t bad = 0, judged = 0;

	(void)state;
	assert_true(rep.nresults >= 4 * 100);
	for (size_t i = 0; i < rep.nresults; i++) {
		const struct result *r = &rep.results[i];
		if (r->verdict == V_ERROR)
			fail_msg("%s %s: error: %s", r->mode, r->probe, r->detail);
		if (strcmp(r->control, "allowed") || r->expected != EXPECT_BLOCKED)
			continue;
		judged++;
		if (r->verdict == V_PASS) {
			printf("false pass: %s %s: %s\n", r->mode, r->probe, r->detail);
			bad++;
		}
	}
	if (bad)
		fail_msg("%zu rows pass under a shim that blocks nothing (listed above)", bad);
	assert_true(judged >= 200);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shim_lies),
		cmocka_unit_test(test_no_false_pass),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

/* The verdict table (README: How a verdict is reached), row by row. */
#include "../testutil.h"

#include "../../runner/verdict.h"

struct vcase {
	enum expect expected;
	enum observed control;
	bool control_error;
	enum observed observed;
	bool run_error, known;
	enum verdict want;
};

static const struct vcase cases[] = {
	/* control allowed: the policy decides */
	{EXPECT_BLOCKED, OBS_ALLOWED, false, OBS_BLOCKED, false, false, V_PASS},
	{EXPECT_BLOCKED, OBS_ALLOWED, false, OBS_ALLOWED, false, false, V_ESCAPE},
	{EXPECT_ALLOWED, OBS_ALLOWED, false, OBS_ALLOWED, false, false, V_PASS},
	{EXPECT_ALLOWED, OBS_ALLOWED, false, OBS_BLOCKED, false, false, V_OVERBLOCKED},
	/* control blocked: the host itself prevents it, whatever the sandbox did */
	{EXPECT_BLOCKED, OBS_BLOCKED, false, OBS_BLOCKED, false, false, V_SKIP},
	{EXPECT_BLOCKED, OBS_BLOCKED, false, OBS_ALLOWED, false, false, V_SKIP},
	{EXPECT_ALLOWED, OBS_BLOCKED, false, OBS_BLOCKED, false, false, V_SKIP},
	{EXPECT_ALLOWED, OBS_UNKNOWN, false, OBS_ALLOWED, false, false, V_SKIP},
	/* the sandbox did not start / hung / crashed: error, never pass */
	{EXPECT_BLOCKED, OBS_ALLOWED, false, OBS_BLOCKED, true, false, V_ERROR},
	{EXPECT_ALLOWED, OBS_ALLOWED, false, OBS_BLOCKED, true, false, V_ERROR},
	{EXPECT_BLOCKED, OBS_BLOCKED, false, OBS_BLOCKED, true, false, V_ERROR},
	/* ...unless the host saw the effect happen: that escape is real */
	{EXPECT_BLOCKED, OBS_ALLOWED, false, OBS_ALLOWED, true, false, V_ESCAPE},
	/* the control run itself failed */
	{EXPECT_BLOCKED, OBS_ALLOWED, true, OBS_BLOCKED, false, false, V_ERROR},
	/* the host could not tell */
	{EXPECT_BLOCKED, OBS_ALLOWED, false, OBS_UNKNOWN, false, false, V_ERROR},
	/* baseline: known failures are xfail, a known row that passes stays pass */
	{EXPECT_BLOCKED, OBS_ALLOWED, false, OBS_ALLOWED, false, true, V_XFAIL},
	{EXPECT_ALLOWED, OBS_ALLOWED, false, OBS_BLOCKED, false, true, V_XFAIL},
	{EXPECT_BLOCKED, OBS_ALLOWED, false, OBS_BLOCKED, false, true, V_PASS},
	{EXPECT_BLOCKED, OBS_BLOCKED, false, OBS_ALLOWED, false, true, V_SKIP},
};

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct vcase *c = &cases[i];
		struct verdict_in in = {c->expected, c->control, c->control_error, c->observed, c->run_error, c->known};
		const char *why = NULL;
		enum verdict v = verdict_decide(&in, &why);
		if (v != c->want)
			fail_msg("case %zu: got %s, want %s", i, verdict_name(v), verdict_name(c->want));
		if ((v == V_SKIP || v == V_ERROR) && !why)
			fail_msg("case %zu: %s without a reason", i, verdict_name(v));
	}
}

static void test_names(void **state)
{
	(void)state;
	for (int v = 0; v < V__COUNT; v++)
		assert_int_equal(verdict_from_name(verdict_name((enum verdict)v)), v);
	assert_true(verdict_from_name("bogus") < 0);
	assert_int_equal(expect_from_name("allowed"), EXPECT_ALLOWED);
	assert_int_equal(expect_from_name("blocked"), EXPECT_BLOCKED);
	assert_true(expect_from_name("maybe") < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

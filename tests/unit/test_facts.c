/* lib/facts: facts are data that outlive what they were read from. */
#include "../testutil.h"

#include "../../lib/facts.h"

static void test_add_find(void **state)
{
	struct facts f = {0};
	char value[32] = "works", out[32] = "bwrap: oops\n";

	(void)state;
	assert_int_equal(facts_add(&f, &(struct fact){.name = "trial", .value = value, .source = "bwrap -- true",
						      .output = out, .err = 0, .status = 1}),
			 0);
	assert_int_equal(facts_add(&f, &(struct fact){.name = "abi", .value = "7", .status = -1}), 0);
	/* copies: what they were read from may go */
	value[0] = out[0] = 'X';
	const struct fact *t = facts_find(&f, "trial");
	assert_non_null(t);
	assert_string_equal(t->value, "works");
	assert_string_equal(t->output, "bwrap: oops\n");
	assert_string_equal(t->source, "bwrap -- true");
	assert_int_equal(t->status, 1);
	const struct fact *a = facts_find(&f, "abi");
	assert_non_null(a);
	assert_null(a->source); /* NULL stays NULL: nothing ran */
	assert_null(a->output);
	assert_null(facts_find(&f, "nope"));
	assert_int_equal(f.n, 2);
	facts_free(&f);
	assert_int_equal(f.n, 0);
	assert_null(f.v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_add_find)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The formats the runner and the agent share (probes/record.h): each record
 * type, the record line, the probe argument and the resume byte survive a
 * round trip, hostile text included, and what is no record is refused. */
#include "../testutil.h"

#include "../../probes/record.h"

static void roundtrip(const struct record *in, struct record *out)
{
	_cleanup_free_ char *json = NULL;

	assert_int_equal(record_encode(in, &json), 0);
	assert_null(strchr(json, '\n')); /* one line, whatever the detail holds */
	assert_int_equal(record_decode(json, out), 0);
	assert_int_equal(out->t, in->t);
}

static void test_records(void **state)
{
	struct record in = {.t = REC_HELLO, .pid = 42, .uid = 1000, .euid = 0, .nnp = 1}, out;

	(void)state;
	snprintf(in.cwd, sizeof(in.cwd), "/ws with \"quotes\"\n");
	roundtrip(&in, &out);
	assert_int_equal(out.pid, 42);
	assert_int_equal(out.uid, 1000);
	assert_int_equal(out.nnp, 1);
	assert_string_equal(out.cwd, in.cwd);

	/* a result, hostile detail and all */
	in = (struct record){.t = REC_PROBE, .slot = 7, .att.rc = -EPERM, .signal = 31, .ms = 12.5};
	snprintf(in.id, sizeof(in.id), "fs.write_outside");
	snprintf(in.att.detail, sizeof(in.att.detail), "step: EPERM; \"q\" \\ \x01\xc3\xa9\ttab\nnewline");
	roundtrip(&in, &out);
	assert_int_equal(out.slot, 7);
	assert_string_equal(out.id, "fs.write_outside");
	assert_false(out.failed);
	assert_int_equal(out.att.rc, -EPERM);
	assert_string_equal(out.att.detail, in.att.detail);
	assert_int_equal(out.signal, 31);
	assert_false(out.timeout);
	assert_true(out.ms == 12.5);
	/* a timeout says so (and no signal) */
	in.timeout = true;
	roundtrip(&in, &out);
	assert_true(out.timeout);
	assert_int_equal(out.signal, 0);
	/* the agent could not run it: the why, and no result */
	in = (struct record){.t = REC_PROBE, .slot = 0, .failed = true, .att.rc = 0};
	snprintf(in.id, sizeof(in.id), "nope.nothing");
	snprintf(in.att.detail, sizeof(in.att.detail), "unknown probe");
	roundtrip(&in, &out);
	assert_true(out.failed);
	assert_string_equal(out.att.detail, "unknown probe");

	in = (struct record){.t = REC_INSPECT, .slot = 3, .port = 40001};
	roundtrip(&in, &out);
	assert_int_equal(out.slot, 3);
	assert_int_equal(out.port, 40001);
	in = (struct record){.t = REC_DONE};
	roundtrip(&in, &out);
	assert_int_equal(out.slot, -1);
}

/* tests/wrappers/liar.sh rewrites results in flight by their text */
static void test_result_text_is_stable(void **state)
{
	struct record in = {.t = REC_PROBE, .slot = 0};
	_cleanup_free_ char *json = NULL;

	(void)state;
	snprintf(in.id, sizeof(in.id), "fs.write_outside");
	assert_int_equal(record_encode(&in, &json), 0);
	assert_non_null(strstr(json, "{\"t\":\"probe\",\"slot\":0,\"id\":\"fs.write_outside\",\"rc\":0,\"errno\":\"\""));
}

static void test_not_records(void **state)
{
	static const char *const bad[] = {"", "{", "[]", "{}", "{\"t\":1}", "garbage {\"t\":\"hello\"}", "null"};
	struct record r;
	_cleanup_free_ char *json = NULL;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		if (record_decode(bad[i], &r) == 0)
			fail_msg("'%s' decoded as a record", bad[i]);
	/* a type this runner does not know: still a record (a sign of life) */
	assert_int_equal(record_decode("{\"t\":\"later\"}", &r), 0);
	assert_int_equal(r.t, REC_OTHER);
	assert_int_equal(record_encode(&r, &json), -EINVAL);
	/* a result without rc is no result, never rc 0 */
	assert_int_equal(record_decode("{\"t\":\"probe\",\"slot\":1,\"detail\":\"x\"}", &r), 0);
	assert_true(r.failed);
}

static void test_lines(void **state)
{
	struct record in = {.t = REC_INSPECT, .slot = 2, .port = 5}, out;
	char buf[4096] = "";
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write_all(p[1], "a wrapper's own line\n", 21), 0);
	assert_int_equal(record_write(p[1], "abc0001", &in), 0);
	close(p[1]);
	ssize_t k = read(p[0], buf, sizeof(buf) - 1);
	assert_true(k > 0);
	close(p[0]);
	char *line = strchr(buf, '\n') + 1;
	line[-1] = 0;
	assert_null(record_find(buf, "abc0001")); /* noise */
	assert_null(record_find(line, "abc0002")); /* another case's */
	assert_non_null(record_find(line, "abc0001"));
	assert_true(line[strlen(line) - 1] == '\n');
	line[strlen(line) - 1] = 0;
	assert_int_equal(record_decode(record_find(line, "abc0001"), &out), 0);
	assert_int_equal(out.t, REC_INSPECT);
	assert_int_equal(out.port, 5);
}

static void test_probe_args(void **state)
{
	struct probe_env own = {.sentinel = 4242, .sentinel_addr = 0x7fffdeadbeefUL, .tcp4 = 99}, env = {.tcp4 = 1};
	char arg[256], id[128];
	int slot;

	(void)state;
	assert_int_equal(probe_arg_encode("proc.signal_sentinel", 12, &own, arg, sizeof(arg)), 0);
	assert_null(strchr(arg, ' ')); /* one argv word */
	assert_int_equal(probe_arg_decode(arg, id, sizeof(id), &slot, &env), 0);
	assert_string_equal(id, "proc.signal_sentinel");
	assert_int_equal(slot, 12);
	assert_int_equal(env.sentinel, 4242);
	assert_true(env.sentinel_addr == own.sentinel_addr);
	assert_int_equal(env.tcp4, 1); /* only the sentinel is its own */
	/* no own part */
	env = (struct probe_env){.sentinel = 7};
	assert_int_equal(probe_arg_encode("fs.write_workspace", 0, NULL, arg, sizeof(arg)), 0);
	assert_string_equal(arg, "fs.write_workspace@0");
	assert_int_equal(probe_arg_decode(arg, id, sizeof(id), &slot, &env), 0);
	assert_int_equal(slot, 0);
	assert_int_equal(env.sentinel, 7);
	/* no slot; a bad own part still names the probe */
	assert_int_equal(probe_arg_decode("fs.x", id, sizeof(id), &slot, &env), 0);
	assert_string_equal(id, "fs.x");
	assert_int_equal(slot, -1);
	assert_int_equal(probe_arg_decode("fs.y@3+bogus=1", id, sizeof(id), &slot, &env), -EINVAL);
	assert_string_equal(id, "fs.y");
	assert_int_equal(slot, 3);
}

static void test_resume(void **state)
{
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(record_resume(p[1]), 0);
	record_wait_resume(p[0]); /* returns: the byte is there */
	close(p[1]);
	record_wait_resume(p[0]); /* returns: EOF, the host never will */
	close(p[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_records),	     cmocka_unit_test(test_result_text_is_stable),
		cmocka_unit_test(test_not_records), cmocka_unit_test(test_lines),
		cmocka_unit_test(test_probe_args),  cmocka_unit_test(test_resume),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

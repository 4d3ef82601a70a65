/* The D-Bus wire subset both sides speak: what is built parses back, frames
 * are found only when complete, malformed messages are refused. */
#include "../testutil.h"

#include "../../lib/dbus.h"

static void test_roundtrip(void **state)
{
	static const char *const sigs[] = {"", "s", "u", "su"};
	uint8_t buf[1024];
	struct dbus_msg m;

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		struct dbus_msg in = {.type = DBUS_CALL, .flags = DBUS_NO_REPLY, .serial = 7, .reply_serial = 3,
				      .path = "/org/x", .iface = "org.x.I", .member = "Do", .dest = "org.x", .sender = ":1.9",
				      .sig = sigs[i], .s = "CAGETEST ct0001", .u = 0xdeadbeef};
		ssize_t n = dbus_build(&in, buf, sizeof(buf));
		assert_true(n > 16);
		assert_int_equal(dbus_frame(buf, (size_t)n), n);
		for (ssize_t k = 0; k < n; k++) /* never a frame before the last byte */
			assert_int_equal(dbus_frame(buf, (size_t)k), 0);
		assert_int_equal(dbus_parse(buf, (size_t)n, &m), 0);
		assert_int_equal(m.type, DBUS_CALL);
		assert_int_equal(m.flags, DBUS_NO_REPLY);
		assert_int_equal(m.serial, 7);
		assert_int_equal(m.reply_serial, 3);
		assert_string_equal(m.path, "/org/x");
		assert_string_equal(m.iface, "org.x.I");
		assert_string_equal(m.member, "Do");
		assert_string_equal(m.dest, "org.x");
		assert_string_equal(m.sender, ":1.9");
		if (sigs[i][0]) {
			assert_string_equal(m.sig, sigs[i]);
		} else {
			assert_null(m.sig);
		}
		if (sigs[i][0] == 's')
			assert_string_equal(m.s, "CAGETEST ct0001");
		else
			assert_null(m.s);
		assert_int_equal(m.u, strchr(sigs[i], 'u') ? 0xdeadbeef : 0);
	}
}

static void test_refused(void **state)
{
	uint8_t buf[512];
	struct dbus_msg m, in = {.type = DBUS_RETURN, .reply_serial = 1, .dest = ":1.1", .sig = "s", .s = "hello"};
	ssize_t n;

	(void)state;
	assert_int_equal(dbus_build(&(struct dbus_msg){.type = DBUS_CALL, .sig = "as"}, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(dbus_build(&(struct dbus_msg){.type = DBUS_CALL, .sig = "s"}, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(dbus_build(&in, buf, 20), -ENOBUFS);
	n = dbus_build(&in, buf, sizeof(buf));
	assert_true(n > 0);
	buf[0] = 'x'; /* endianness */
	assert_int_equal(dbus_frame(buf, (size_t)n), -EBADMSG);
	buf[0] = 'l', buf[3] = 2; /* protocol version */
	assert_int_equal(dbus_frame(buf, (size_t)n), -EBADMSG);
	buf[3] = 1;
	buf[n - 1] = 'x'; /* the body string loses its NUL */
	assert_int_equal(dbus_parse(buf, (size_t)n, &m), -EBADMSG);
	buf[n - 1] = 0;
	assert_int_equal(dbus_parse(buf, (size_t)n, &m), 0);
	uint32_t huge = 1u << 30; /* body length beyond reason */
	memcpy(buf + 4, &huge, 4);
	assert_int_equal(dbus_frame(buf, (size_t)n), -EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

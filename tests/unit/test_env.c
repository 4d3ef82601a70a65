/* The agent's --env encoding and the probe registry. */
#include "../testutil.h"

#include "../../probes/probe.h"

static void test_roundtrip(void **state)
{
	struct probe_env a = {0}, b;
	char enc[8192];

	(void)state;
	snprintf(a.root, sizeof(a.root), "/var/tmp/with space;semi=eq%%pct\xc3\xa9");
	snprintf(a.run, sizeof(a.run), "/run dir");
	snprintf(a.self, sizeof(a.self), "/x/cagetest");
	snprintf(a.nonce, sizeof(a.nonce), "abcdef0001");
	snprintf(a.abstract, sizeof(a.abstract), "cagetest-1234");
	a.tcp4 = 1, a.tcp6 = 65535, a.udp4 = 3, a.udp6 = 0, a.dns = 53, a.sentinel = 4242, a.drop_uid = 65534;
	a.tcp_denied = 40001;
	a.sentinel_addr = 0x7fffdeadbeefUL;
	assert_int_equal(probe_env_encode(&a, enc, sizeof(enc)), 0);
	assert_null(strchr(enc, ' ')); /* one argv word through any wrapper */
	assert_int_equal(probe_env_decode(enc, &b), 0);
	assert_string_equal(a.root, b.root);
	assert_string_equal(a.run, b.run);
	assert_int_equal(b.tcp4, 1);
	assert_int_equal(b.tcp6, 65535);
	assert_int_equal(b.tcp_denied, 40001); /* the proxy probes' denied listener */
	assert_int_equal(b.sentinel, 4242);
	assert_true(b.sentinel_addr == a.sentinel_addr);
	probe_env_set_slot(&b, 3);
	assert_string_equal(b.token, "ctabcdef000103");
}

/* A probe's own sentinel in a batch: apply sets the fields named, keeps the rest. */
static void test_apply(void **state)
{
	struct probe_env e = {.sentinel = 7, .tcp4 = 9, .sentinel_addr = 1};

	(void)state;
	snprintf(e.root, sizeof(e.root), "/case");
	assert_int_equal(probe_env_apply("sent=4242;saddr=7fff0000", &e), 0);
	assert_int_equal(e.sentinel, 4242);
	assert_true(e.sentinel_addr == 0x7fff0000UL);
	assert_int_equal(e.tcp4, 9);
	assert_string_equal(e.root, "/case");
	assert_true(probe_env_apply("sent=x", &e) < 0);
	assert_true(probe_env_apply("bogus=1", &e) < 0);
}

static void test_decode_bad(void **state)
{
	struct probe_env e;
	static const char *const bad[] = {
		"", "root", "root=/x", "nonce=1", "root=/x;nonce=1;bogus=2", "root=/x;nonce=1;tcp4=abc",
		"root=/x%zz;nonce=1", "root=/x%4;nonce=1", "root=/x;nonce=1;tcp4=99999999999",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (probe_env_decode(bad[i], &e) == 0)
			fail_msg("accepted '%s'", bad[i]);
}

static void test_registry(void **state)
{
	size_t per[CAT__COUNT] = {0};

	(void)state;
	assert_true(probe_count() >= 30);
	for (size_t i = 0; i < probe_count(); i++) {
		const struct probe *p = probe_at(i);
		char cat[16];
		/* ids are CATEGORY.name and name their category; every field is there */
		snprintf(cat, sizeof(cat), "%.*s", (int)strcspn(p->id, "."), p->id);
		assert_string_equal(cat, category_name(probe_category(p)));
		assert_true(p->summary && p->evidence && p->blocked_by && p->hint);
		assert_true(p->attempt && p->verify);
		assert_true((unsigned)p->effect < EFFECT__COUNT);
		assert_ptr_equal(probe_find(p->id), p);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(probe_at(j)->id, p->id);
		per[probe_category(p)]++;
	}
	for (int c = 0; c < CAT__COUNT; c++)
		if (!per[c])
			fail_msg("category %s has no probe", category_name((enum category)c));
	assert_null(probe_find("fs.nope"));
	for (int e = 0; e < EFFECT__COUNT; e++)
		assert_int_equal(effect_from_name(effect_name((enum effect)e)), e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip), cmocka_unit_test(test_apply),
		cmocka_unit_test(test_decode_bad),
		cmocka_unit_test(test_registry),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

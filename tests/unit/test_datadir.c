/* The data dir and the built-in files (lib/datadir.h): a file on disk wins
 * over the built-in copy of the same name, the rest come built in, a
 * listing has each name once, sorted, and only the files of that dir. */
#include "../testutil.h"

#include "../../lib/datadir.h"
#include "../../lib/jparse.h"

#define DATA_DIR BUILDDIR "/tests/datadir-unit"

static const unsigned char a_json[] = "{\"from\":\"built-in a\"}";
static const unsigned char b_json[] = "{\"from\":\"built-in b\"}";
static const struct builtin_file table[] = {
	{"suites/a.json", a_json, sizeof(a_json) - 1},
	{"suites/b.json", b_json, sizeof(b_json) - 1},
	{"suites/sub/x.json", a_json, sizeof(a_json) - 1},
	{"platforms/adapters/z.json", a_json, sizeof(a_json) - 1},
	{"cagetest-suid", a_json, sizeof(a_json) - 1},
};

static int setup(void **state)
{
	(void)state;
	rm_rf(DATA_DIR);
	if (mkdir_p(DATA_DIR "/suites", 0755) < 0 || write_str(DATA_DIR "/suites/b.json", "{\"from\":\"disk b\"}") < 0 ||
	    write_str(DATA_DIR "/suites/c.json", "{}") < 0 || write_str(DATA_DIR "/suites/.hidden.json", "{}") < 0 ||
	    write_str(DATA_DIR "/suites/notes.txt", "") < 0)
		return -1;
	setenv("CAGETEST_DATADIR", DATA_DIR, 1);
	datadir_builtin(table, ARRAY_SIZE(table));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unsetenv("CAGETEST_DATADIR");
	datadir_builtin(NULL, 0);
	rm_rf(DATA_DIR);
	return 0;
}

static void test_find(void **state)
{
	const struct builtin_file *b;
	char path[4096], root[4096], err[256];
	_cleanup_free_ char *text = NULL, *real = realpath(DATA_DIR, NULL);

	(void)state;
	assert_int_equal(datadir_root(root, sizeof(root)), 0);
	assert_string_equal(root, real);
	assert_int_equal(data_find("suites/b.json", path, sizeof(path), &b), 0);
	assert_null(b);
	assert_non_null(strstr(path, "/datadir-unit/suites/b.json"));
	assert_int_equal(data_find("suites/a.json", path, sizeof(path), &b), 0);
	assert_ptr_equal(b, &table[0]);
	assert_string_equal(path, "built-in:suites/a.json");
	assert_int_equal(data_find("suites/none.json", path, sizeof(path), &b), -ENOENT);
	assert_ptr_equal(builtin_find("cagetest-suid"), &table[4]);
	assert_null(builtin_find("suites/none.json"));
	/* the reader takes the disk's copy when there is one */
	assert_int_equal(jp_read_data("suites/b.json", &text, path, sizeof(path), err, sizeof(err)), 0);
	assert_string_equal(text, "{\"from\":\"disk b\"}");
	free(text);
	assert_int_equal(jp_read_data("suites/a.json", &text, path, sizeof(path), err, sizeof(err)), 0);
	assert_string_equal(text, "{\"from\":\"built-in a\"}");
	free(text);
	text = NULL;
	assert_int_equal(jp_read_data("suites/none.json", &text, path, sizeof(path), err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "suites/none.json"));
}

static void test_list(void **state)
{
	static const char *const want[] = {"a.json", "b.json", "c.json"};
	char **names;
	size_t n;

	(void)state;
	assert_int_equal(data_list("suites", ".json", &names, &n), 0);
	assert_int_equal(n, ARRAY_SIZE(want));
	for (size_t i = 0; i < n; i++)
		assert_string_equal(names[i], want[i]);
	data_list_free(names, n);
	assert_int_equal(data_list("platforms/adapters", ".json", &names, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(names[0], "z.json");
	data_list_free(names, n);
	assert_int_equal(data_list("nothing", ".json", &names, &n), 0);
	assert_int_equal(n, 0);
	data_list_free(names, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_list),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

/* The layers point down: lib <- probes <- platforms <- runner -> reports,
 * and reports -> lib only (README: Layout). Every #include "..." of every
 * source file is checked against that table; an include that points up (a
 * backend reaching into the runner, a report into a platform) fails here,
 * named with its file and line. */
#include "../testutil.h"

#include <dirent.h>

static const struct layer {
	const char *dir;
	const char *may[6]; /* the folders its files may include from */
} layers[] = {
	{"lib", {"lib"}},
	{"probes", {"lib", "probes"}},
	{"platforms", {"lib", "probes", "platforms"}},
	{"runner", {"lib", "probes", "platforms", "runner", "reports"}},
	{"reports", {"lib", "reports"}},
};

static const struct layer *layer_of(const char *dir)
{
	for (size_t i = 0; i < ARRAY_SIZE(layers); i++)
		if (!strcmp(layers[i].dir, dir))
			return &layers[i];
	return NULL;
}

/* May a file in folder `from` include `inc` ("util.h", "../lib/util.h")?
 * An include that leaves the layers (a folder not in the table) may not. */
static bool include_allowed(const char *from, const char *inc)
{
	const struct layer *l = layer_of(from);
	char to[64];

	if (!l)
		return false;
	if (!strncmp(inc, "../", 3)) {
		const char *rest = inc + 3;
		size_t k = strcspn(rest, "/");
		if (!rest[k] || strchr(rest + k + 1, '/'))
			return false; /* "../x.h" or deeper: no layer */
		snprintf(to, sizeof(to), "%.*s", (int)k, rest);
	} else if (strchr(inc, '/')) {
		return false; /* no layer has sub-folders */
	} else {
		snprintf(to, sizeof(to), "%s", from);
	}
	for (size_t i = 0; i < ARRAY_SIZE(l->may) && l->may[i]; i++)
		if (!strcmp(l->may[i], to))
			return true;
	return false;
}

static void test_table_on_made_up_includes(void **state)
{
	(void)state;
	/* down, and within a folder */
	assert_true(include_allowed("lib", "util.h"));
	assert_true(include_allowed("probes", "common.h"));
	assert_true(include_allowed("probes", "../lib/policy.h"));
	assert_true(include_allowed("platforms", "../lib/util.h"));
	assert_true(include_allowed("platforms", "../probes/probe.h"));
	assert_true(include_allowed("runner", "../platforms/backend.h"));
	assert_true(include_allowed("runner", "../reports/model.h"));
	assert_true(include_allowed("reports", "../lib/util.h"));
	/* up: the arrows this test exists to stop */
	assert_false(include_allowed("platforms", "../runner/suite.h"));
	assert_false(include_allowed("platforms", "../reports/model.h"));
	assert_false(include_allowed("probes", "../platforms/backend.h"));
	assert_false(include_allowed("probes", "../runner/agent.h"));
	assert_false(include_allowed("lib", "../probes/probe.h"));
	assert_false(include_allowed("reports", "../platforms/detect.h"));
	assert_false(include_allowed("reports", "../probes/probe.h"));
	assert_false(include_allowed("reports", "../runner/run.h"));
	/* out of the layers */
	assert_false(include_allowed("runner", "../tests/testutil.h"));
	assert_false(include_allowed("lib", "../config.h"));
	assert_false(include_allowed("lib", "sub/x.h"));
	assert_false(include_allowed("tests", "../lib/util.h")); /* not a layer: not checked */
}

/* Every include of one file that points up, appended to bad. */
static size_t check_file(const char *dir, const char *name, struct sbuf *bad)
{
	char path[PATH_MAX];
	_cleanup_free_ char *text = NULL;
	size_t found = 0, lineno = 0;

	snprintf(path, sizeof(path), SRCDIR "/%s/%s", dir, name);
	assert_int_equal(read_file(path, 1 << 22, &text, NULL), 0);
	for (char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		const char *p = l + strspn(l, " \t");
		lineno++;
		if (*p++ != '#')
			continue;
		p += strspn(p, " \t");
		if (strncmp(p, "include", 7))
			continue;
		p += 7 + strspn(p + 7, " \t");
		if (*p != '"')
			continue; /* <system> headers */
		char inc[256];
		snprintf(inc, sizeof(inc), "%.*s", (int)strcspn(p + 1, "\"\n"), p + 1);
		if (!include_allowed(dir, inc)) {
			sb_printf(bad, "  %s/%s:%zu includes \"%s\"\n", dir, name, lineno, inc);
			found++;
		}
	}
	return found;
}

static void test_tree_points_down(void **state)
{
	struct sbuf bad = {0};
	size_t files = 0, found = 0;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(layers); i++) {
		char dir[PATH_MAX];
		struct dirent *e;
		DIR *d;
		snprintf(dir, sizeof(dir), SRCDIR "/%s", layers[i].dir);
		assert_non_null(d = opendir(dir));
		while ((e = readdir(d))) {
			size_t n = strlen(e->d_name);
			if (n < 3 || (strcmp(e->d_name + n - 2, ".c") && strcmp(e->d_name + n - 2, ".h")))
				continue;
			found += check_file(layers[i].dir, e->d_name, &bad);
			files++;
		}
		closedir(d);
	}
	assert_true(files > 50); /* the tree was really read */
	if (found) {
		sb_puts(&bad, "the layers point down: lib <- probes <- platforms <- runner -> reports -> lib\n");
		fail_msg("%zu includes point up:\n%s", found, bad.s);
	}
	sb_free(&bad);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_on_made_up_includes),
		cmocka_unit_test(test_tree_points_down),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

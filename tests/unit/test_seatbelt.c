/* The Seatbelt profile generator, on every OS: golden profiles per mode
 * (placeholder paths, compared byte for byte), a structural check (balanced
 * s-expressions, only known operations and filters, well-formed strings),
 * hostile paths that must round-trip through SBPL strings and regexes, and
 * on macOS a live run of sandbox-exec with a generated profile.
 * CAGETEST_UPDATE_GOLDEN=1 rewrites tests/golden/seatbelt/ from the code. */
#include "../testutil.h"

#include "../../platforms/seatbelt.h"
#include "../../runner/suite.h"

#include <regex.h>
#include <sys/stat.h>

/* ---------- a small SBPL reader ---------- */

struct node {
	bool list, str;
	char *text; /* atom or unescaped string */
	struct node *kids;
	size_t n;
};

static void node_free(struct node *x)
{
	for (size_t i = 0; i < x->n; i++)
		node_free(&x->kids[i]);
	free(x->kids);
	free(x->text);
}

static const char *skip_space(const char *s)
{
	for (;;) {
		while (*s == ' ' || *s == '\n' || *s == '\t')
			s++;
		if (*s != ';')
			return s;
		while (*s && *s != '\n')
			s++;
	}
}

/* One datum at s; returns the text after it, or NULL (nothing kept) with
 * why set when malformed. */
static const char *parse(const char *s, struct node *out, char *why, size_t n)
{
	memset(out, 0, sizeof(*out));
	s = skip_space(s);
	if (*s == '(') {
		out->list = true;
		for (s = skip_space(s + 1); *s != ')'; s = skip_space(s)) {
			if (!*s) {
				snprintf(why, n, "unbalanced: a list is never closed");
				node_free(out);
				return NULL;
			}
			out->kids = realloc(out->kids, (out->n + 1) * sizeof(*out->kids));
			if (!(s = parse(s, &out->kids[out->n], why, n))) {
				node_free(out);
				return NULL;
			}
			out->n++;
		}
		return s + 1;
	}
	if (*s == ')') {
		snprintf(why, n, "unbalanced: ')' closes nothing");
		return NULL;
	}
	struct sbuf b = {0};
	if (*s == '"') {
		out->str = true;
		for (s++; *s != '"'; s++) {
			if (!*s) {
				snprintf(why, n, "a string is never closed");
				sb_free(&b);
				return NULL;
			}
			if (*s == '\\') {
				s++;
				if (*s != '"' && *s != '\\') {
					snprintf(why, n, "unexpected escape \\%c in a string", *s);
					sb_free(&b);
					return NULL;
				}
			}
			sb_putc(&b, *s);
		}
		s++;
	} else {
		for (; *s && !strchr(" \n\t()\";", *s); s++)
			sb_putc(&b, *s);
	}
	out->text = sb_take(&b);
	if (!out->text)
		out->text = strdup("");
	return s;
}

static bool in(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return true;
	return false;
}

static const char *const known_ops[] = {
	"default",     "process-exec", "process-fork",	       "signal",	"process-info*",    "file-read*",
	"file-write*", "file-write-data", "file-ioctl",	       "sysctl-read",	"mach-lookup",	    "user-preference-read",
	"ipc-posix-sem", "pseudo-tty",	"network-outbound",   "network-inbound", "network-bind",    "system-socket",
	NULL,
};
static const char *const known_filters[] = {"target", "literal", "subpath", "regex", "require-all", "require-not",
					    "sysctl-name", "sysctl-name-prefix", "global-name", "vnode-type", "remote",
					    "local", NULL};
static const char *const known_atoms[] = {"same-sandbox", "CHARACTER-DEVICE", "ip", NULL};

static int check_filter(const struct node *f, char *why, size_t n)
{
	bool logic;

	if (!f->list || !f->n || f->kids[0].list || f->kids[0].str || !in(f->kids[0].text, known_filters)) {
		snprintf(why, n, "unknown filter %s", f->n && f->kids[0].text ? f->kids[0].text : "()");
		return -1;
	}
	logic = !strcmp(f->kids[0].text, "require-all") || !strcmp(f->kids[0].text, "require-not");
	for (size_t i = 1; i < f->n; i++) {
		const struct node *a = &f->kids[i];
		if (logic ? check_filter(a, why, n) < 0 : (a->list || (!a->str && !in(a->text, known_atoms)))) {
			if (!logic)
				snprintf(why, n, "bad argument %s to %s", a->text ? a->text : "(...)", f->kids[0].text);
			return -1;
		}
	}
	return 0;
}

/* Balanced, and every form is (version 1) or (allow|deny OP... FILTER...). */
static int check_profile(const char *text, char *why, size_t n)
{
	const char *s = text;
	int forms = 0;

	for (s = skip_space(s); *s; s = skip_space(s)) {
		struct node x;
		const char *next = parse(s, &x, why, n);
		int r = 0;
		if (!next)
			return -1;
		if (!x.list || !x.n || !x.kids[0].text || x.kids[0].str) {
			snprintf(why, n, "a top-level form that is not a rule");
			r = -1;
		} else if (!strcmp(x.kids[0].text, "version")) {
			if (forms || x.n != 2 || strcmp(x.kids[1].text ? x.kids[1].text : "", "1")) {
				snprintf(why, n, "(version 1) must come first, once");
				r = -1;
			}
		} else if (!strcmp(x.kids[0].text, "allow") || !strcmp(x.kids[0].text, "deny")) {
			size_t i = 1;
			for (; i < x.n && !x.kids[i].list; i++)
				if (x.kids[i].str || !in(x.kids[i].text, known_ops)) {
					snprintf(why, n, "unknown operation %s", x.kids[i].text);
					r = -1;
				}
			if (i == 1) {
				snprintf(why, n, "a rule without an operation");
				r = -1;
			}
			for (; r == 0 && i < x.n; i++)
				r = check_filter(&x.kids[i], why, n);
		} else {
			snprintf(why, n, "unknown form %s", x.kids[0].text);
			r = -1;
		}
		node_free(&x);
		if (r < 0)
			return -1;
		forms++;
		s = next;
	}
	if (forms < 2 || !strstr(text, "(deny default)")) {
		snprintf(why, n, "no (deny default)");
		return -1;
	}
	return 0;
}

/* Every string argument of every (HEAD "...") filter, in order. */
static void collect(const struct node *x, const char *head, char **out, size_t *k, size_t max)
{
	if (!x->list)
		return;
	if (x->n == 2 && x->kids[0].text && !strcmp(x->kids[0].text, head) && x->kids[1].str && *k < max)
		out[(*k)++] = strdup(x->kids[1].text);
	for (size_t i = 0; i < x->n; i++)
		collect(&x->kids[i], head, out, k, max);
}

static size_t strings_of(const char *text, const char *head, char **out, size_t max)
{
	char why[128];
	size_t k = 0;

	for (const char *s = skip_space(text); *s; s = skip_space(s)) {
		struct node x;
		s = parse(s, &x, why, sizeof(why));
		assert_non_null(s);
		collect(&x, head, out, &k, max);
		node_free(&x);
	}
	return k;
}

/* ---------- the tests ---------- */

static void golden_suite(const char *suite_name)
{
	char path[PATH_MAX], why[256], err[256];
	struct suite s;
	size_t n = 0;

	snprintf(path, sizeof(path), SRCDIR "/suites/%s.json", suite_name);
	if (suite_load(path, &s, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	for (size_t i = 0; i < s.nmodes; i++) {
		struct box x = box_placeholders(&s.modes[i]);
		struct sbuf prof = {0};
		_cleanup_free_ char *want = NULL;
		if (!s.modes[i].confined)
			continue;
		assert_int_equal(seatbelt_profile(&x, false, &prof), 0);
		if (check_profile(prof.s, why, sizeof(why)) < 0)
			fail_msg("%s.%s: %s", suite_name, s.modes[i].name, why);
		snprintf(path, sizeof(path), SRCDIR "/tests/golden/seatbelt/%s.%s.sb", suite_name, s.modes[i].name);
		if (getenv("CAGETEST_UPDATE_GOLDEN"))
			assert_int_equal(write_str(path, prof.s), 0);
		if (read_file(path, 1 << 20, &want, NULL) < 0)
			fail_msg("%s missing: run with CAGETEST_UPDATE_GOLDEN=1 and review the diff", path);
		if (strcmp(want, prof.s))
			fail_msg("%s differs from the generated profile (CAGETEST_UPDATE_GOLDEN=1 rewrites it):\n%s", path,
				 prof.s);
		sb_free(&prof);
		n++;
	}
	assert_true(n >= 2);
	suite_free(&s);
}

static void test_golden_default(void **state)
{
	(void)state;
	golden_suite("default");
}

static void test_golden_strict(void **state)
{
	(void)state;
	golden_suite("strict");
}

/* The checker itself refuses what it must. */
static void test_checker(void **state)
{
	static const char *const bad[] = {
		"(version 1)\n(deny default)\n(allow file-read*",
		"(version 1)\n(deny default))",
		"(version 1)\n(deny default)\n(allow file-write* (subpath \"/a))",
		"(version 1)\n(deny default)\n(allow file-write-everything)",
		"(version 1)\n(deny default)\n(allow file-write* (subpathx \"/a\"))",
		"(version 1)\n(deny default)\n(allow file-write* (subpath \"/a\\n\"))",
		"(version 1)\n(allow file-read*)",
	};
	char why[128];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		if (check_profile(bad[i], why, sizeof(why)) == 0)
			fail_msg("accepted: %s", bad[i]);
	assert_int_equal(check_profile("(version 1)\n; ok\n(deny default)\n(allow file-read*)\n", why, sizeof(why)), 0);
}

static char *names[] = {".git", ".codex", ".agents"};
static struct mode ww = {.name = "ww", .writable = (char *[]){"{workspace}", "{tmp}"}, .nwritable = 2,
			 .protected_names = names, .nprotected = 3, .confined = true};
static struct mode net = {.name = "net", .writable = (char *[]){"{workspace}"}, .nwritable = 1,
			  .protected_names = names, .nprotected = 3, .network = true, .confined = true};

static bool rx_match(const char *rx, const char *s)
{
	regex_t re;
	bool m;

	if (regcomp(&re, rx, REG_EXTENDED | REG_NOSUB) != 0)
		fail_msg("not a regex: %s", rx);
	m = regexec(&re, s, 0, NULL, 0) == 0;
	regfree(&re);
	return m;
}

/* Quotes, backslashes, newlines and regex metacharacters in the roots: the
 * profile still parses, and the strings and regexes mean exactly the paths. */
static void test_hostile_paths(void **state)
{
	const char *ws = "/h\"o\\st\nile (ws) [x]{1}*.+?^$|", *tmp = "/t'mp \\\"";
	struct box x = box_placeholders(&ww);
	struct sbuf prof = {0};
	char why[256], *sub[8], *rx[16], p[512];
	size_t ns, nr;

	(void)state;
	x.ws = ws, x.tmp = tmp;
	assert_int_equal(seatbelt_profile(&x, false, &prof), 0);
	if (check_profile(prof.s, why, sizeof(why)) < 0)
		fail_msg("%s\n%s", why, prof.s);
	ns = strings_of(prof.s, "subpath", sub, 8);
	assert_int_equal(ns, 2);
	assert_string_equal(sub[0], ws);
	assert_string_equal(sub[1], tmp);
	nr = strings_of(prof.s, "regex", rx, 16);
	assert_int_equal(nr, 1 + 6); /* the ttys rule, then 3 names x 2 roots */
	for (size_t i = 1; i < nr; i++) {
		const char *root = i <= 3 ? ws : tmp, *name = names[(i - 1) % 3];
		snprintf(p, sizeof(p), "%s/%s", root, name);
		assert_true(rx_match(rx[i], p));
		snprintf(p, sizeof(p), "%s/a/b/%s/config", root, name);
		assert_true(rx_match(rx[i], p));
		snprintf(p, sizeof(p), "%s/%sx", root, name); /* .github is not .git */
		assert_false(rx_match(rx[i], p));
		snprintf(p, sizeof(p), "%s/a%s", root, name);
		assert_false(rx_match(rx[i], p));
		snprintf(p, sizeof(p), "%sX/%s", root, name); /* a sibling of the root */
		assert_false(rx_match(rx[i], p));
		snprintf(p, sizeof(p), "/elsewhere/%s", name);
		assert_false(rx_match(rx[i], p));
	}
	for (size_t i = 0; i < ns; i++)
		free(sub[i]);
	for (size_t i = 0; i < nr; i++)
		free(rx[i]);
	sb_free(&prof);
}

static void test_network_and_ipc(void **state)
{
	struct box x = box_placeholders(&ww);
	struct sbuf prof = {0};

	(void)state;
	assert_int_equal(seatbelt_profile(&x, false, &prof), 0);
	assert_null(strstr(prof.s, "network-outbound"));
	assert_null(strstr(prof.s, "network-bind"));
	sb_free(&prof);
	x.mode = &net;
	assert_int_equal(seatbelt_profile(&x, false, &prof), 0);
	assert_non_null(strstr(prof.s, "(allow network-outbound (remote ip \"*:*\"))"));
	assert_null(strstr(prof.s, "unix")); /* host IPC stays closed */
	assert_null(strstr(prof.s, "(subpath \"{tmp}\")"));
	sb_free(&prof);
}

static void test_backend(void **state)
{
	char dir[] = BUILDDIR "/tests/seatbelt-XXXXXX", real[PATH_MAX], why[256], want[PATH_MAX + 16];
	struct mode full = {.name = "full", .writable = (char *[]){"/"}, .nwritable = 1, .network = true};
	struct box x = box_placeholders(&ww);
	struct launch l = {0};
	struct sbuf e = {0};
	int r;

	(void)state;
	r = backend_seatbelt.available(&backend_seatbelt, why, sizeof(why));
#ifdef __APPLE__
	assert_int_equal(r, 0);
#else
	assert_int_equal(r, -EOPNOTSUPP);
	assert_string_equal(why, "not macOS");
#endif
	/* explain prints the command and the profile, on any OS */
	assert_int_equal(backend_seatbelt.explain(&backend_seatbelt, &x, &e), 0);
	assert_non_null(strstr(e.s, SANDBOX_EXEC " -p PROFILE -- {agent} agent"));
	assert_non_null(strstr(e.s, "PROFILE:\n(version 1)\n"));
	sb_free(&e);
	/* prepare: sandbox-exec -p PROFILE --, the roots resolved */
	assert_non_null(mkdtemp(dir));
	assert_non_null(realpath(dir, real));
	x.ws = dir, x.tmp = dir;
	assert_int_equal(backend_seatbelt.prepare(&backend_seatbelt, &x, &l, why, sizeof(why)), 0);
	assert_int_equal(l.argc, 4);
	assert_string_equal(l.argv[0], SANDBOX_EXEC);
	assert_string_equal(l.argv[1], "-p");
	snprintf(want, sizeof(want), "(subpath \"%s\")", real);
	assert_non_null(strstr(l.argv[2], want));
	assert_string_equal(l.argv[3], "--");
	launch_free(&l);
	/* unconfined: nothing wraps the agent */
	x.mode = &full;
	assert_int_equal(backend_seatbelt.prepare(&backend_seatbelt, &x, &l, why, sizeof(why)), 0);
	assert_int_equal(l.argc, 0);
	rmdir(dir);
}

/* macOS only: sandbox-exec enforces a generated profile for real. */
static void test_live_macos(void **state)
{
	(void)state;
#ifndef __APPLE__
	/* the generator is tested above on every OS; only macOS can enforce */
	print_message("skipped: sandbox-exec exists only on macOS\n");
	skip();
#else
	char dir[] = BUILDDIR "/tests/seatbelt-live-XXXXXX", ws[PATH_MAX], tmp[PATH_MAX], p[PATH_MAX], why[256];
	struct box x = box_placeholders(&ww);
	struct launch l = {0};
	struct stat st;
	_cleanup_free_ char *cfg = NULL;
	char *argv[16];
	size_t k = 0;

	assert_non_null(mkdtemp(dir));
	snprintf(ws, sizeof(ws), "%s/ws", dir);
	snprintf(tmp, sizeof(tmp), "%s/tmp", dir);
	snprintf(p, sizeof(p), "%s/ws/.git", dir);
	assert_int_equal(mkdir_p(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/ws/sub", dir);
	assert_int_equal(mkdir_p(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/outside", dir);
	assert_int_equal(mkdir_p(p, 0755), 0);
	assert_int_equal(mkdir_p(tmp, 0755), 0);
	snprintf(p, sizeof(p), "%s/ws/.git/config", dir);
	assert_int_equal(write_str(p, "[core]\n"), 0);
	x.ws = ws, x.tmp = tmp;
	assert_int_equal(backend_seatbelt.prepare(&backend_seatbelt, &x, &l, why, sizeof(why)), 0);
	for (size_t i = 0; i < l.argc; i++)
		argv[k++] = l.argv[i];
	argv[k++] = "/bin/sh";
	argv[k++] = "-c";
	argv[k++] = "cd \"$0\"; echo ok > ws/ok; echo no > outside/no; echo no >> ws/.git/config; mkdir ws/.agents; "
		    "mkdir ws/sub/.codex; mv ws/.git ws/moved; echo ok > tmp/ok; exit 0";
	argv[k++] = dir;
	argv[k] = NULL;
	assert_int_equal(run_cmd(argv, NULL, NULL), 0);
	launch_free(&l);
	snprintf(p, sizeof(p), "%s/ws/ok", dir);
	assert_int_equal(stat(p, &st), 0); /* must work */
	snprintf(p, sizeof(p), "%s/tmp/ok", dir);
	assert_int_equal(stat(p, &st), 0);
	snprintf(p, sizeof(p), "%s/outside/no", dir);
	assert_int_not_equal(stat(p, &st), 0);
	snprintf(p, sizeof(p), "%s/ws/.agents", dir); /* first-time creation */
	assert_int_not_equal(stat(p, &st), 0);
	snprintf(p, sizeof(p), "%s/ws/sub/.codex", dir); /* at any depth */
	assert_int_not_equal(stat(p, &st), 0);
	snprintf(p, sizeof(p), "%s/ws/moved", dir);
	assert_int_not_equal(stat(p, &st), 0);
	snprintf(p, sizeof(p), "%s/ws/.git/config", dir);
	assert_int_equal(read_file(p, 4096, &cfg, NULL), 0);
	assert_string_equal(cfg, "[core]\n");
	rm_rf(dir);
#endif
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checker),	       cmocka_unit_test(test_golden_default),
		cmocka_unit_test(test_golden_strict),  cmocka_unit_test(test_hostile_paths),
		cmocka_unit_test(test_network_and_ipc), cmocka_unit_test(test_backend),
		cmocka_unit_test(test_live_macos),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The sandbox verdict of each backend and mode (reports/verdicts.c), on
 * made-up models: every word, FAILS OPEN from a wrapper's words and from
 * rows that look like the control's, FAILS CLOSED from rows whose sandbox
 * never started; then the same verdicts in the JSON report, read back and
 * merged per host, and in JUnit's properties. */
#include "../testutil.h"
#include "../../reports/merge.h"

#include <cjson/cJSON.h>

/* One row: its verdict decides expected/observed/control consistently. */
struct row {
	const char *backend, *mode, *probe;
	enum verdict v;
	enum expect expected;
	const char *detail;
};

static void add_rows(struct report *r, const struct row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct row *w = &rows[i];
		bool blocked_exp = w->expected == EXPECT_BLOCKED;
		const char *observed = w->v == V_PASS ? (blocked_exp ? "blocked" : "allowed")
				       : w->v == V_ESCAPE || w->v == V_XFAIL ? (blocked_exp ? "allowed" : "blocked")
				       : w->v == V_OVERBLOCKED ? "blocked"
							       : "unknown";
		struct result x = {
			.backend = (char *)w->backend, .mode = (char *)w->mode, .probe = (char *)w->probe,
			.category = "fs", .effect = "write.outside", .expected = w->expected, .observed = (char *)observed,
			.control = w->v == V_SKIP ? "blocked" : "allowed", .verdict = w->v, .errno_name = "",
			.detail = (char *)(w->detail ? w->detail : "evidence"), .duration_ms = 1.0,
		};
		assert_int_equal(report_add(r, &x), 0);
	}
	report_summarize(r);
}

static void backend(struct report *r, const char *name, bool available, const char *reason)
{
	struct backend_info b = {.name = (char *)name, .available = available, .reason = (char *)reason};

	assert_int_equal(report_add_backend(r, &b), 0);
}

/* The verdict of backend/mode in r, as "WORD: reason". */
static void verdict_of(const struct report *r, const char *backend, const char *mode, char *buf, size_t n)
{
	struct matrix m;

	assert_int_equal(matrix_build(r, &m), 0);
	buf[0] = 0;
	for (size_t c = 0; c < m.ncols; c++)
		if (!strcmp(m.cols[c].backend, backend) && !strcmp(m.cols[c].mode, mode))
			snprintf(buf, n, "%s: %s", sandbox_word_name(m.cols[c].verdict.word), m.cols[c].verdict.reason);
	matrix_free(&m);
}

#define B EXPECT_BLOCKED
#define A EXPECT_ALLOWED
#define NO_START "the sandboxed run failed (no hello, timeout or crash); " DETAIL_NO_START "exit status 1): " \
		 "bwrap: No permissions to create new namespace; host saw: canary unchanged"

static const struct row rows[] = {
	/* enforced: what must be blocked is, what must work works */
	{"box", "read-only", "fs.a", V_PASS, B, NULL}, {"box", "read-only", "fs.b", V_PASS, B, NULL},
	{"box", "read-only", "fs.c", V_PASS, A, NULL},
	/* not enforced: a known escape counts too */
	{"box", "workspace-write", "fs.a", V_ESCAPE, B, NULL}, {"box", "workspace-write", "fs.b", V_XFAIL, B, NULL},
	{"box", "workspace-write", "fs.c", V_OVERBLOCKED, A, NULL}, {"box", "workspace-write", "fs.d", V_PASS, B, NULL},
	/* the mode blocks nothing */
	{"box", "danger-full-access", "fs.a", V_PASS, A, NULL}, {"box", "danger-full-access", "fs.b", V_PASS, A, NULL},
	/* it never started */
	{"box", "workspace-net", "fs.a", V_ERROR, B, NO_START}, {"box", "workspace-net", "fs.b", V_ERROR, A, NO_START},
	{"box", "workspace-net", "fs.c", V_SKIP, B, "host itself prevents this"},
	/* some rows not judged, nothing got out */
	{"box", "strict", "fs.a", V_PASS, B, NULL}, {"box", "strict", "fs.b", V_ERROR, B, "the attempt timed out"},
	/* every row skipped */
	{"box", "other", "fs.a", V_SKIP, B, "mode not listed by the adapter"},
	/* silent fail-open: every row as the control saw it */
	{"open", "read-only", "fs.a", V_ESCAPE, B, NULL}, {"open", "read-only", "fs.b", V_ESCAPE, B, NULL},
	{"open", "read-only", "fs.c", V_ESCAPE, B, NULL}, {"open", "read-only", "fs.d", V_PASS, A, NULL},
	/* ... but two escapes of two are a weak sandbox, not proof of none */
	{"open", "workspace-write", "fs.a", V_ESCAPE, B, NULL}, {"open", "workspace-write", "fs.b", V_ESCAPE, B, NULL},
	/* ... and one blocked row is a sandbox that does something */
	{"open", "workspace-net", "fs.a", V_ESCAPE, B, NULL}, {"open", "workspace-net", "fs.b", V_ESCAPE, B, NULL},
	{"open", "workspace-net", "fs.c", V_ESCAPE, B, NULL}, {"open", "workspace-net", "fs.d", V_PASS, B, NULL},
	/* it said so: one escape is enough */
	{"said", "read-only", "fs.a", V_ESCAPE, B, NULL}, {"said", "read-only", "fs.b", V_PASS, B, NULL},
	/* words, and yet nothing got out: the evidence decides */
	{"said", "workspace-write", "fs.a", V_PASS, B, NULL},
	/* unavailable: every row skips with its reason */
	{"gone", "read-only", "fs.a", V_SKIP, B, "backend unavailable"},
	{"gone", "danger-full-access", "fs.a", V_SKIP, A, "backend unavailable"},
	/* the control is no sandbox, whatever the mode */
	{"none", "read-only", "fs.a", V_ESCAPE, B, NULL}, {"none", "read-only", "fs.b", V_ESCAPE, B, NULL},
	{"none", "read-only", "fs.c", V_ESCAPE, B, NULL},
};

static void made_up(struct report *r)
{
	memset(r, 0, sizeof(*r));
	r->tool = strdup("cagetest");
	r->schema = REPORT_SCHEMA;
	r->host.kernel = strdup("6.18.0");
	r->host.arch = strdup("x86_64");
	r->host.name = strdup("h");
	r->host.container = strdup("docker");
	backend(r, "box", true, NULL);
	backend(r, "open", true, NULL);
	backend(r, "said", true, NULL);
	backend(r, "gone", false, "the container's seccomp profile denies unshare(CLONE_NEWUSER) (EPERM)");
	backend(r, "none", true, NULL);
	add_rows(r, rows, ARRAY_SIZE(rows));
	assert_int_equal(report_add_said_at(r, NULL, "said", "read-only",
					    "Warning: an existing sandbox was detected. x will run without any "
					    "additional sandboxing features"), 0);
	assert_int_equal(report_add_said_at(r, NULL, "said", "workspace-write", "Warning: an existing sandbox"), 0);
}

static const struct {
	const char *backend, *mode, *want;
} wants[] = {
	{"box", "read-only", "ENFORCED: all 2 rows the mode should block were blocked"},
	{"box", "workspace-write", "NOT ENFORCED: 2 escapes (1 known: baseline), 1 overblocked"},
	{"box", "danger-full-access", "UNCONFINED: the mode blocks nothing"},
	{"box", "workspace-net", "FAILS CLOSED: it never started (2 rows): exit status 1: bwrap: No permissions to "
				 "create new namespace"},
	{"box", "strict", "NOT JUDGED: 1 row could not be judged"},
	{"box", "other", "NOT TESTED: every row skipped: mode not listed by the adapter"},
	{"open", "read-only", "FAILS OPEN: it started but blocked nothing the control could do: all 3 rows the mode "
			      "should block got out, and it said nothing about it"},
	{"open", "workspace-write", "NOT ENFORCED: 2 escapes"},
	{"open", "workspace-net", "NOT ENFORCED: 3 escapes"},
	{"said", "read-only", "FAILS OPEN: said said \"Warning: an existing sandbox was detected. x will run without "
			      "any additional sandboxing features\"; 1 of its 2 rows the mode should block got out"},
	{"said", "workspace-write", "ENFORCED: the one row the mode should block was blocked"},
	{"gone", "read-only", "UNAVAILABLE: the container's seccomp profile denies unshare(CLONE_NEWUSER) (EPERM)"},
	{"gone", "danger-full-access", "UNAVAILABLE: the container's seccomp profile denies unshare(CLONE_NEWUSER) (EPERM)"},
	{"none", "read-only", "UNCONFINED: no sandbox: the control"},
};

static void test_every_word(void **state)
{
	struct report r;
	char got[1024];

	(void)state;
	made_up(&r);
	for (size_t i = 0; i < ARRAY_SIZE(wants); i++) {
		verdict_of(&r, wants[i].backend, wants[i].mode, got, sizeof(got));
		if (strcmp(got, wants[i].want))
			fail_msg("%s/%s:\n  got  %s\n  want %s", wants[i].backend, wants[i].mode, got, wants[i].want);
	}
	report_free(&r);
}

static void test_words(void **state)
{
	(void)state;
	for (int w = 0; w < SW__COUNT; w++)
		assert_int_equal(sandbox_word_from_name(sandbox_word_name((enum sandbox_word)w)), w);
	assert_int_equal(sandbox_word_from_name("KNOWN GAPS"), -EINVAL);
	assert_string_equal(sandbox_word_name(SW_FAILS_OPEN), "FAILS OPEN");
	/* worst first: the verdict line names the worst */
	assert_true(SW_FAILS_OPEN < SW_NOT_ENFORCED && SW_NOT_ENFORCED < SW_FAILS_CLOSED &&
		    SW_FAILS_CLOSED < SW_ENFORCED && SW_ENFORCED < SW_UNAVAILABLE);
}

static void test_verdict_line(void **state)
{
	struct report r;
	struct matrix m;
	struct sbuf s = {0};

	(void)state;
	made_up(&r);
	assert_int_equal(matrix_build(&r, &m), 0);
	assert_int_equal(matrix_word(&m), SW_FAILS_OPEN);
	report_verdict_line(&m, &s);
	assert_string_equal(s.s, "Sandbox: FAILS OPEN: 4 escapes in open/read-only (3), said/read-only (1); 1 overblocked");
	matrix_free(&m);
	sb_free(&s);
	report_free(&r);
}

/* A wrapper that printed a newline or an escape sequence is one clean line. */
static void test_reason_is_one_line(void **state)
{
	struct report r;
	char got[1024];
	static const struct row one[] = {{"w", "m", "fs.a", V_ESCAPE, B, NULL}};

	(void)state;
	memset(&r, 0, sizeof(r));
	backend(&r, "w", true, NULL);
	add_rows(&r, one, 1);
	assert_int_equal(report_add_said_at(&r, NULL, "w", "m", "line one\nline\ttwo"), 0);
	verdict_of(&r, "w", "m", got, sizeof(got));
	assert_string_equal(got, "FAILS OPEN: w said \"line one line two\"; 1 of its 1 rows the mode should block got out");
	report_free(&r);
}

static const char *json_verdict(const cJSON *vs, const char *backend, const char *mode, const char *host,
				 const char **reason)
{
	const cJSON *v;

	cJSON_ArrayForEach(v, vs)
	{
		const cJSON *h = cJSON_GetObjectItem(v, "host");
		if (!strcmp(cJSON_GetObjectItem(v, "backend")->valuestring, backend) &&
		    !strcmp(cJSON_GetObjectItem(v, "mode")->valuestring, mode) &&
		    (host ? h && !strcmp(h->valuestring, host) : !h)) {
			*reason = cJSON_GetObjectItem(v, "reason")->valuestring;
			return cJSON_GetObjectItem(v, "verdict")->valuestring;
		}
	}
	return NULL;
}

/* JSON: one {backend, mode, verdict, reason} per column, exactly; `said`
 * goes out and comes back, so a merge recomputes the same verdicts per host. */
static void test_json_and_merge(void **state)
{
	struct report r, back, merged = {0};
	char *text = NULL, *mtext = NULL, err[256];
	const char *reason;
	cJSON *root, *vs, *v;

	(void)state;
	made_up(&r);
	assert_int_equal(report_json(&r, &text), 0);
	root = cJSON_Parse(text);
	assert_non_null(root);
	vs = cJSON_GetObjectItem(root, "verdicts");
	assert_true(cJSON_IsArray(vs));
	assert_int_equal(cJSON_GetArraySize(vs), ARRAY_SIZE(wants));
	cJSON_ArrayForEach(v, vs)
	{
		/* the contract's keys and nothing else (no host in a single run) */
		assert_int_equal(cJSON_GetArraySize(v), 4);
		assert_true(sandbox_word_from_name(cJSON_GetObjectItem(v, "verdict")->valuestring) >= 0);
		assert_non_null(cJSON_GetObjectItem(v, "reason"));
	}
	for (size_t i = 0; i < ARRAY_SIZE(wants); i++) {
		const char *w = json_verdict(vs, wants[i].backend, wants[i].mode, NULL, &reason);
		assert_non_null(w);
		assert_true(!strncmp(wants[i].want, w, strlen(w)));
		assert_string_equal(wants[i].want + strlen(w) + 2, reason);
	}
	cJSON_Delete(root);

	assert_int_equal(report_from_json(text, &back, err, sizeof(err)), 0);
	assert_int_equal(back.nsaid, 2);
	assert_int_equal(report_merge(&merged, &back, "ci-a"), 0);
	assert_int_equal(report_merge(&merged, &r, "ci-b"), 0);
	assert_int_equal(report_json(&merged, &mtext), 0);
	root = cJSON_Parse(mtext);
	vs = cJSON_GetObjectItem(root, "verdicts");
	assert_int_equal(cJSON_GetArraySize(vs), 2 * ARRAY_SIZE(wants));
	assert_string_equal(json_verdict(vs, "said", "read-only", "ci-a", &reason), "FAILS OPEN");
	assert_string_equal(json_verdict(vs, "said", "read-only", "ci-b", &reason), "FAILS OPEN");
	assert_string_equal(json_verdict(vs, "gone", "read-only", "ci-b", &reason), "UNAVAILABLE");
	assert_string_equal(json_verdict(vs, "box", "workspace-net", "ci-a", &reason), "FAILS CLOSED");
	cJSON_Delete(root);
	free(text), free(mtext);
	report_free(&r), report_free(&back), report_free(&merged);
}

static void test_junit_property(void **state)
{
	struct report r;
	char *xml = NULL, why[256];

	(void)state;
	made_up(&r);
	assert_int_equal(report_junit(&r, &xml), 0);
	if (validate_junit(xml, why, sizeof(why)) != 0)
		fail_msg("%s", why);
	assert_non_null(strstr(xml, "<property name=\"verdict\" value=\"FAILS CLOSED\"/>"));
	assert_non_null(strstr(xml, "<property name=\"verdict.reason\" value=\"it never started (2 rows): exit status 1: "
				    "bwrap: No permissions to create new namespace\"/>"));
	free(xml);
	report_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_word),	   cmocka_unit_test(test_words),
		cmocka_unit_test(test_verdict_line),	   cmocka_unit_test(test_reason_is_one_line),
		cmocka_unit_test(test_json_and_merge),	   cmocka_unit_test(test_junit_property),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

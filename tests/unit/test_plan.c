/* The plan, pure: rows from made-up suites and backends (skips and their
 * reasons, expectations, the control pass), and cases from made-up groups
 * of rows (batches per backend, mode and case shape, their sizes and order,
 * the rows that run alone). Nothing is started. */
#include "../testutil.h"

#include "../../runner/plan.h"

static struct mode modes[] = {
	{.name = "ro", .confined = true},
	{.name = "full", .writable = (char *[]){"/"}, .nwritable = 1, .network = true, .confined = false},
};

static struct override overrides[] = {
	{.probe = "git.*", .mode = "ro", .expected = -1, .skip = "made-up reason"},
};

static struct suite suite = {
	.name = "made-up", .modes = modes, .nmodes = 2, .overrides = overrides, .noverrides = 1,
};

static int no_full(const struct backend *b, const struct mode *m, char *why, size_t n)
{
	(void)b;
	if (m->confined)
		return 0;
	snprintf(why, n, "this one cannot do %s", m->name);
	return -EOPNOTSUPP;
}

static const struct backend fake_a = {.name = "a", .batch = true};
static const struct backend fake_b = {.name = "b", .batch = true};
static const struct backend fake_c = {.name = "c", .batch = true, .supports = no_full};

static const struct row *row_of(const struct plan *p, const struct backend *b, const char *mode, const char *probe)
{
	for (size_t i = 0; i < p->nrows; i++)
		if (p->rows[i].b == b && !strcmp(p->rows[i].m->name, mode) && !strcmp(p->rows[i].p->id, probe))
			return &p->rows[i];
	fail_msg("no row %s.%s.%s", b->name, mode, probe);
	return NULL;
}

static void test_rows(void **state)
{
	const struct plan_backend bs[] = {{&fake_a, NULL}, {&fake_b, "no such tool"}, {&fake_c, NULL}};
	struct plan_opts o = {.suite = &suite, .modes = "all", .jobs = 2,
			      .probes = "fs.write_workspace,git.config_write,fs.write_tmp"};
	struct plan p = {0};
	const struct row *r;

	(void)state;
	assert_non_null(probe_find("fs.write_tmp"));
	assert_true(probe_find("fs.write_tmp")->needs & NEED_TMPNS);
	assert_int_equal(plan_rows(&o, bs, ARRAY_SIZE(bs), &p), 0);
	assert_int_equal(p.nrows, 3 * 2 * 3);
	/* in backend, mode, registry order */
	assert_ptr_equal(p.rows[0].b, &fake_a);
	assert_string_equal(p.rows[0].m->name, "ro");
	assert_ptr_equal(p.rows[p.nrows - 1].b, &fake_c);
	/* expectations from the policy */
	r = row_of(&p, &fake_a, "ro", "fs.write_workspace");
	assert_int_equal(r->expected, EXPECT_BLOCKED);
	assert_int_equal(r->state, ROW_PLANNED);
	assert_int_equal(row_of(&p, &fake_a, "full", "fs.write_workspace")->expected, EXPECT_ALLOWED);
	/* every skip says why */
	r = row_of(&p, &fake_b, "ro", "fs.write_workspace");
	assert_int_equal(r->state, ROW_SKIPPED);
	assert_string_equal(r->detail, "backend unavailable: no such tool");
	r = row_of(&p, &fake_c, "full", "fs.write_workspace");
	assert_int_equal(r->state, ROW_SKIPPED);
	assert_string_equal(r->detail, "this one cannot do full");
	assert_int_equal(row_of(&p, &fake_c, "ro", "fs.write_workspace")->state, ROW_PLANNED);
	r = row_of(&p, &fake_a, "ro", "git.config_write");
	assert_int_equal(r->state, ROW_SKIPPED);
	assert_string_equal(r->detail, "suite: made-up reason");
	assert_int_equal(row_of(&p, &fake_a, "full", "git.config_write")->state, ROW_PLANNED);
	r = row_of(&p, &fake_a, "full", "fs.write_tmp"); /* no private /tmp here */
	assert_int_equal(r->state, ROW_SKIPPED);
	assert_non_null(strstr(r->detail, "private /tmp"));
	/* the control pass runs what some row runs, and only that */
	size_t controls = 0;
	for (size_t i = 0; i < p.ncontrols; i++)
		if (p.controls[i].p) {
			controls++;
			assert_true(!strcmp(p.controls[i].p->id, "fs.write_workspace") ||
				    !strcmp(p.controls[i].p->id, "git.config_write"));
		}
	assert_int_equal(controls, 2);
	plan_free(&p);
	/* with a private /tmp and one mode only */
	o.can_tmpns = true, o.modes = "r*";
	assert_int_equal(plan_rows(&o, bs, ARRAY_SIZE(bs), &p), 0);
	assert_int_equal(p.nrows, 3 * 1 * 3);
	assert_int_equal(row_of(&p, &fake_a, "ro", "fs.write_tmp")->state, ROW_PLANNED);
	plan_free(&p);
}

static void test_names(void **state)
{
	char err[256] = "";

	(void)state;
	assert_int_equal(plan_check_names("all", "all", &suite, err, sizeof(err)), 0);
	assert_int_equal(plan_check_names("none,land*", "ro,f*", &suite, err, sizeof(err)), 0);
	assert_int_equal(plan_check_names("nope", "ro", &suite, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "-b nope: unknown backend"));
	assert_int_equal(plan_check_names("none", "ro,nope", &suite, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "-m nope: no such mode in suite made-up"));
	assert_true(plan_selects("all", "x"));
	assert_true(plan_selects("a,b*", "bee"));
	assert_false(plan_selects("a,b*", "c"));
}

/* ---------- cases from made-up groups ---------- */

static const struct probe plain = {.id = "x.plain"}, solo = {.id = "x.solo", .flags = PROBE_SOLO},
			    pty = {.id = "x.pty", .needs = NEED_PTY}, relaunch = {.id = "x.relaunch", .flags = PROBE_RELAUNCH};
static const struct backend batcher = {.name = "batcher", .batch = true},
			    single = {.name = "single", .batch = false},
			    adapter = {.name = "adapter", .batch = true, .data = &adapter};
static struct mode m1 = {.name = "m1", .confined = true}, m2 = {.name = "m2", .confined = true};

static struct row rows[600];

/* n rows of b, m, p appended to the plan's. */
static void add_rows(struct plan *p, const struct backend *b, const struct mode *m, const struct probe *pr, size_t n)
{
	p->rows = rows;
	for (size_t i = 0; i < n; i++)
		rows[p->nrows++] = (struct row){.b = b, .m = m, .p = pr};
}

/* Every planned row in exactly one case, and a case's rows share its
 * backend and mode. */
static void check_cover(const struct plan *p)
{
	for (size_t i = 0; i < p->nrows; i++) {
		size_t seen = 0;
		for (size_t c = 0; c < p->ncases; c++)
			for (size_t k = 0; k < p->cases[c].n; k++)
				seen += p->cases[c].rows[k] == &p->rows[i];
		assert_int_equal(seen, p->rows[i].state == ROW_SKIPPED ? 0 : 1);
	}
	for (size_t c = 0; c < p->ncases; c++)
		for (size_t k = 0; k < p->cases[c].n; k++) {
			assert_ptr_equal(p->cases[c].rows[k]->b, p->cases[c].b);
			assert_ptr_equal(p->cases[c].rows[k]->m, p->cases[c].m);
		}
}

static void cases_of(struct plan *p, int jobs, bool isolate)
{
	struct plan_opts o = {.jobs = jobs, .isolate = isolate};

	assert_int_equal(plan_cases(&o, p), 0);
	check_cover(p);
}

static void reset(struct plan *p)
{
	free(p->cases);
	free(p->case_rows);
	memset(p, 0, sizeof(*p));
}

static void test_batches(void **state)
{
	struct plan p = {0};

	(void)state;
	/* one group, one worker: one batch, in row order */
	add_rows(&p, &batcher, &m1, &plain, 10);
	cases_of(&p, 1, false);
	assert_int_equal(p.ncases, 1);
	assert_int_equal(p.cases[0].n, 10);
	for (size_t k = 0; k < 10; k++)
		assert_ptr_equal(p.cases[0].rows[k], &rows[k]);
	reset(&p);
	/* four workers: split to keep them busy, balanced, the longest first */
	add_rows(&p, &batcher, &m1, &plain, 10);
	cases_of(&p, 4, false);
	assert_int_equal(p.ncases, 4);
	assert_int_equal(p.cases[0].n, 3);
	assert_int_equal(p.cases[1].n, 3);
	assert_int_equal(p.cases[2].n, 2);
	assert_int_equal(p.cases[3].n, 2);
	reset(&p);
	/* never more than BATCH_MAX, ADAPTER_BATCH_MAX for an adapter */
	add_rows(&p, &batcher, &m1, &plain, 200);
	add_rows(&p, &adapter, &m1, &plain, 200);
	cases_of(&p, 1, false);
	assert_int_equal(p.ncases, 2 + 4);
	for (size_t c = 0; c < p.ncases; c++)
		assert_true(p.cases[c].n <= (p.cases[c].b == &adapter ? ADAPTER_BATCH_MAX : BATCH_MAX));
	assert_int_equal(p.cases[0].n, 100); /* the longest first */
	assert_int_equal(p.cases[5].n, 50);
	reset(&p);
}

static void test_groups(void **state)
{
	struct plan p = {0};
	size_t alone = 0;

	(void)state;
	/* backend, mode and case shape make the groups; solo probes, probes
	 * judged after a second launch, a backend that cannot batch and skipped
	 * rows are no batch's */
	add_rows(&p, &batcher, &m1, &plain, 3);
	add_rows(&p, &batcher, &m2, &plain, 3);
	add_rows(&p, &batcher, &m1, &pty, 2);
	add_rows(&p, &batcher, &m1, &solo, 2);
	add_rows(&p, &batcher, &m1, &relaunch, 2);
	add_rows(&p, &single, &m1, &plain, 2);
	add_rows(&p, &batcher, &m1, &plain, 1);
	rows[p.nrows - 1].state = ROW_SKIPPED;
	cases_of(&p, 1, false);
	assert_int_equal(p.ncases, 3 + 2 + 2 + 2);
	for (size_t c = 0; c < p.ncases; c++) {
		const struct plan_case *pc = &p.cases[c];
		for (size_t k = 1; k < pc->n; k++)
			assert_int_equal(pc->rows[k]->p->needs & NEED_PTY, pc->rows[0]->p->needs & NEED_PTY);
		if (pc->n == 1) {
			alone++;
			assert_true(pc->rows[0]->p == &solo || pc->rows[0]->p == &relaunch || pc->b == &single);
		}
	}
	assert_int_equal(alone, 6);
	/* batches come before the cases alone */
	assert_int_equal(p.cases[0].n, 3);
	assert_int_equal(p.cases[p.ncases - 1].n, 1);
	reset(&p);
	/* --isolate: every row alone */
	add_rows(&p, &batcher, &m1, &plain, 5);
	cases_of(&p, 2, true);
	assert_int_equal(p.ncases, 5);
	reset(&p);
}

static void test_control_pass(void **state)
{
	struct row controls[3] = {{.p = &plain}, {0}, {.p = &pty}};
	struct plan p = {.controls = controls, .ncontrols = 3};

	(void)state;
	add_rows(&p, &batcher, &m1, &plain, 2);
	cases_of(&p, 1, false);
	/* the control rows run with no sandbox, batched by shape too */
	assert_ptr_equal(controls[0].b, &backend_none);
	assert_ptr_equal(controls[0].m, &control_mode);
	assert_null(controls[1].b); /* no row runs it */
	assert_int_equal(p.ncases, 3);
	size_t with_controls = 0;
	for (size_t c = 0; c < p.ncases; c++)
		with_controls += p.cases[c].b == &backend_none;
	assert_int_equal(with_controls, 2);
	assert_false(control_mode.confined);
	reset(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),   cmocka_unit_test(test_names),	    cmocka_unit_test(test_batches),
		cmocka_unit_test(test_groups), cmocka_unit_test(test_control_pass),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

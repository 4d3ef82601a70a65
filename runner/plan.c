#include "plan.h"

#include "../lib/util.h"

#include <string.h>

const struct mode control_mode = {
	.name = "control",
	.description = "no sandbox: what this host lets the probe do",
	.writable = (char *[]){"/"},
	.nwritable = 1,
	.network = true,
	.confined = false,
};

bool row_ran(const struct row *r)
{
	return r->state == ROW_JUDGED || r->state == ROW_ERROR;
}

bool plan_selects(const char *list, const char *name)
{
	return !strcmp(list, "all") || glob_list_match(list, name);
}

int plan_check_names(const char *backends, const char *modes, const struct suite *s, char *err, size_t n)
{
	char buf[1024], *save = NULL;

	if (strcmp(backends, "all")) {
		fmt(buf, sizeof(buf), "%s", backends);
		for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
			if (!strpbrk(t, "*?[") && !backend_find(t)) {
				snprintf(err, n, "-b %s: unknown backend (see `cagetest list backends`)", t);
				return -EINVAL;
			}
	}
	if (strcmp(modes, "all")) {
		fmt(buf, sizeof(buf), "%s", modes);
		for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
			if (!strpbrk(t, "*?[") && !suite_mode(s, t)) {
				snprintf(err, n, "-m %s: no such mode in suite %s (see `cagetest list modes`)", t, s->name);
				return -EINVAL;
			}
	}
	return 0;
}

static bool probe_selected(const struct plan_opts *o, const struct probe *p)
{
	return suite_selects(o->suite, p) && (!o->probes || glob_list_match(o->probes, p->id));
}

int plan_rows(const struct plan_opts *o, const struct plan_backend *bs, size_t nbs, struct plan *pl)
{
	size_t cap = 0;

	pl->ncontrols = probe_count();
	pl->controls = calloc(pl->ncontrols, sizeof(*pl->controls));
	if (!pl->controls)
		return -ENOMEM;
	for (size_t bi = 0; bi < nbs; bi++) {
		const struct backend *b = bs[bi].b;
		for (size_t mi = 0; mi < o->suite->nmodes; mi++) {
			const struct mode *m = &o->suite->modes[mi];
			char mwhy[256] = "";
			bool mode_ok;

			if (!plan_selects(o->modes, m->name))
				continue;
			mode_ok = !b->supports || b->supports(b, m, mwhy, sizeof(mwhy)) == 0;
			for (size_t pi = 0; pi < probe_count(); pi++) {
				const struct probe *p = probe_at(pi);
				struct row *row;
				const char *skip = NULL;

				if (!probe_selected(o, p))
					continue;
				if (pl->nrows == cap) {
					cap = cap ? cap * 2 : 256;
					struct row *nr = realloc(pl->rows, cap * sizeof(*nr));
					if (!nr)
						return -ENOMEM;
					pl->rows = nr;
				}
				row = &pl->rows[pl->nrows++];
				memset(row, 0, sizeof(*row));
				row->b = b, row->m = m, row->p = p;
				row->expected = suite_expect(o->suite, b->name, m, p, &skip);
				if (bs[bi].unavailable)
					snprintf(row->detail, sizeof(row->detail), "backend unavailable: %s", bs[bi].unavailable);
				else if (!mode_ok)
					snprintf(row->detail, sizeof(row->detail), "%s", mwhy);
				else if (skip)
					snprintf(row->detail, sizeof(row->detail), "suite: %s", skip);
				else if ((p->needs & NEED_TMPNS) && !o->can_tmpns)
					snprintf(row->detail, sizeof(row->detail),
						 "needs a private /tmp for the case (a mount namespace: root with CAP_SYS_ADMIN)");
				if (row->detail[0])
					row->state = ROW_SKIPPED;
				else
					pl->controls[pi].p = p; /* the control pass runs it */
			}
		}
	}
	return 0;
}

static bool batchable(const struct plan_opts *o, const struct row *row)
{
	return row->b->batch && !o->isolate && !(row->p->flags & (PROBE_SOLO | PROBE_RELAUNCH));
}

/* What makes a case differ for every probe in it: a pty as the controlling
 * terminal, an inherited fd. Probes share a case only with their own kind. */
#define CASE_SHAPE (NEED_PTY | NEED_FD)

static bool same_group(const struct row *a, const struct row *b)
{
	return a->b == b->b && a->m == b->m && (a->p->needs & CASE_SHAPE) == (b->p->needs & CASE_SHAPE);
}

static void add_case(struct plan *pl, struct row **rows, size_t n)
{
	pl->cases[pl->ncases++] = (struct plan_case){.b = rows[0]->b, .m = rows[0]->m, .rows = rows, .n = n};
}

int plan_cases(const struct plan_opts *o, struct plan *pl)
{
	size_t cap = pl->ncontrols + pl->nrows, ntodo = 0, ngroups = 0, used = 0;
	struct row **todo = calloc(cap + 1, sizeof(*todo));
	struct span {
		size_t at, n;
	} *spans = calloc(cap + 1, sizeof(*spans));
	int r = 0;

	/* group[] holds the batches' rows, then one per row alone */
	pl->case_rows = calloc(cap + 1, sizeof(*pl->case_rows));
	pl->cases = calloc(cap + 1, sizeof(*pl->cases));
	if (!todo || !spans || !pl->case_rows || !pl->cases) {
		r = -ENOMEM;
		goto out;
	}
	struct row **group = pl->case_rows;
	for (size_t i = 0; i < pl->ncontrols; i++)
		if (pl->controls[i].p) {
			pl->controls[i].b = &backend_none;
			pl->controls[i].m = &control_mode;
			todo[ntodo++] = &pl->controls[i];
		}
	for (size_t i = 0; i < pl->nrows; i++)
		if (pl->rows[i].state != ROW_SKIPPED)
			todo[ntodo++] = &pl->rows[i];
	/* the groups, each a span of group[] */
	for (size_t i = 0; i < ntodo; i++) {
		const struct row *first = todo[i];
		if (!first || !batchable(o, first))
			continue;
		spans[ngroups].at = used;
		for (size_t k = i; k < ntodo; k++)
			if (todo[k] && batchable(o, todo[k]) && same_group(todo[k], first)) {
				group[used++] = todo[k];
				todo[k] = NULL;
			}
		spans[ngroups].n = used - spans[ngroups].at;
		ngroups++;
	}
	/* the groups' batches, each a span of group[] again */
	size_t per_group = ngroups ? ((size_t)o->jobs + ngroups - 1) / ngroups : 1, nbatches = 0;
	struct span *batches = calloc(used + 1, sizeof(*batches));
	if (!batches) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t g = 0; g < ngroups; g++) {
		size_t n = spans[g].n, max = group[spans[g].at]->b->data ? ADAPTER_BATCH_MAX : BATCH_MAX;
		size_t chunks = (n + max - 1) / max;
		if (chunks < per_group)
			chunks = per_group < n ? per_group : n;
		for (size_t c = 0, at = 0; c < chunks; c++) {
			size_t take = (n - at) / (chunks - c);
			batches[nbatches++] = (struct span){spans[g].at + at, take};
			at += take;
		}
	}
	/* the longest first (stable): a batch's end waits out its survivors'
	 * grace, which the shorter cases after it fill */
	for (size_t i = 1; i < nbatches; i++)
		for (size_t k = i; k > 0 && batches[k - 1].n < batches[k].n; k--) {
			struct span t = batches[k];
			batches[k] = batches[k - 1];
			batches[k - 1] = t;
		}
	for (size_t b = 0; b < nbatches; b++)
		add_case(pl, group + batches[b].at, batches[b].n);
	free(batches);
	for (size_t i = 0; i < ntodo; i++)
		if (todo[i]) {
			group[used] = todo[i];
			add_case(pl, &group[used++], 1);
		}
out:
	free(todo);
	free(spans);
	return r;
}

void plan_free(struct plan *p)
{
	free(p->rows);
	free(p->controls);
	free(p->cases);
	free(p->case_rows);
	memset(p, 0, sizeof(*p));
}

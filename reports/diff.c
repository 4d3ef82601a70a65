/* diff: what changed between two runs, row by row. A row is the same row
 * when host label, backend, mode and probe match. xfail counts as the
 * failure it hides, so adding a baseline is not a change of behaviour. */
#include "merge.h"

#include "../lib/util.h"

#include <errno.h>
#include <string.h>

static const char *nz(const char *s)
{
	return s ? s : "";
}

static int key_cmp(const struct result *a, const struct result *b)
{
	int c;

	if ((c = strcmp(nz(a->host), nz(b->host))) || (c = strcmp(a->backend, b->backend)) ||
	    (c = strcmp(a->mode, b->mode)))
		return c;
	return strcmp(a->probe, b->probe);
}

static int ptr_cmp(const void *a, const void *b)
{
	return key_cmp(*(const struct result *const *)a, *(const struct result *const *)b);
}

static enum verdict effective(const struct result *x)
{
	if (x->verdict == V_XFAIL)
		return x->expected == EXPECT_BLOCKED ? V_ESCAPE : V_OVERBLOCKED;
	return x->verdict;
}

static int push(struct diff *d, enum change kind, const struct result *o, const struct result *n)
{
	struct diff_entry *ne = realloc(d->v, (d->n + 1) * sizeof(*ne));

	if (!ne)
		return -ENOMEM;
	d->v = ne;
	d->v[d->n++] = (struct diff_entry){kind, o, n};
	d->count[kind]++;
	return 0;
}

/* How one row changed; CHANGE__COUNT when it did not. */
static enum change classify(const struct result *o, const struct result *n, const bool fail_on[V__COUNT])
{
	enum verdict eo = o ? effective(o) : V__COUNT, en = effective(n);

	if (o && eo == en)
		return o->verdict != n->verdict ? CHANGE_VERDICT : CHANGE__COUNT;
	if (en == V_ESCAPE)
		return CHANGE_NEW_ESCAPE;
	if (en == V_OVERBLOCKED)
		return CHANGE_NEW_OVERBLOCK;
	if (fail_on[en] && (!o || !fail_on[eo]))
		return CHANGE_NEW_FAIL;
	if (!o)
		return CHANGE_ADDED;
	if ((eo == V_ESCAPE || eo == V_OVERBLOCKED) && en == V_PASS)
		return CHANGE_FIXED;
	return CHANGE_VERDICT;
}

int report_diff(const struct report *old, const struct report *new, const bool fail_on[V__COUNT], struct diff *d)
{
	const struct result **sorted = calloc(old->nresults + 1, sizeof(*sorted));
	bool *seen = calloc(old->nresults + 1, sizeof(*seen));
	int r = 0;

	memset(d, 0, sizeof(*d));
	if (!sorted || !seen) {
		free(sorted), free(seen);
		return -ENOMEM;
	}
	for (size_t i = 0; i < old->nresults; i++)
		sorted[i] = &old->results[i];
	qsort(sorted, old->nresults, sizeof(*sorted), ptr_cmp);
	for (size_t i = 0; i < new->nresults && r == 0; i++) {
		const struct result *n = &new->results[i], *key = n, **hit;
		const struct result *o = NULL;
		hit = bsearch(&key, sorted, old->nresults, sizeof(*sorted), ptr_cmp);
		if (hit) {
			o = *hit;
			seen[hit - sorted] = true;
		}
		enum change c = classify(o, n, fail_on);
		if (c == CHANGE__COUNT)
			continue;
		/* worse: a row newly failing in the sense of --fail-on */
		if (c == CHANGE_NEW_ESCAPE || c == CHANGE_NEW_OVERBLOCK || c == CHANGE_NEW_FAIL)
			d->worse = d->worse || fail_on[effective(n)];
		r = push(d, c, o, n);
	}
	for (size_t i = 0; i < old->nresults && r == 0; i++)
		if (!seen[i])
			r = push(d, CHANGE_REMOVED, sorted[i], NULL);
	free(sorted);
	free(seen);
	if (r < 0)
		diff_free(d);
	return r;
}

static const char *const change_names[CHANGE__COUNT] = {
	[CHANGE_NEW_ESCAPE] = "new escape", [CHANGE_NEW_OVERBLOCK] = "new overblock",
	[CHANGE_NEW_FAIL] = "new failure",  [CHANGE_FIXED] = "fixed",
	[CHANGE_VERDICT] = "changed",	    [CHANGE_ADDED] = "added",
	[CHANGE_REMOVED] = "removed",
};

static void row_name(struct sbuf *out, const struct result *x)
{
	text_clean(out, x->backend);
	sb_puts(out, "/");
	text_clean(out, x->mode);
	if (x->host) {
		sb_puts(out, "@");
		text_clean(out, x->host);
	}
	sb_puts(out, " ");
	text_clean(out, x->probe);
}

int diff_text(const struct diff *d, char **out)
{
	struct sbuf s = {0};

	/* grouped by kind, worst first */
	for (int k = 0; k < CHANGE__COUNT; k++)
		for (size_t i = 0; i < d->n; i++) {
			const struct diff_entry *e = &d->v[i];
			const struct result *x = e->new ? e->new : e->old;
			if (e->kind != (enum change)k)
				continue;
			sb_printf(&s, "%-14s ", change_names[k]);
			row_name(&s, x);
			sb_printf(&s, ": %s", verdict_name(e->old ? e->old->verdict : x->verdict));
			if (e->old && e->new)
				sb_printf(&s, " -> %s", verdict_name(e->new->verdict));
			else
				sb_puts(&s, e->new ? " (only in NEW)" : " (only in OLD)");
			if (x->detail && *x->detail) {
				sb_puts(&s, ": ");
				text_clean(&s, x->detail);
			}
			sb_puts(&s, "\n");
		}
	sb_printf(&s,
		  "diff: %zu new escapes, %zu new overblocks, %zu new failures, %zu fixed, %zu changed, %zu added, "
		  "%zu removed: NEW is %s\n",
		  d->count[CHANGE_NEW_ESCAPE], d->count[CHANGE_NEW_OVERBLOCK], d->count[CHANGE_NEW_FAIL],
		  d->count[CHANGE_FIXED], d->count[CHANGE_VERDICT], d->count[CHANGE_ADDED], d->count[CHANGE_REMOVED],
		  d->worse ? "worse" : d->n ? "not worse" : "the same");
	*out = sb_take(&s);
	return *out ? 0 : -ENOMEM;
}

void diff_free(struct diff *d)
{
	free(d->v);
	memset(d, 0, sizeof(*d));
}

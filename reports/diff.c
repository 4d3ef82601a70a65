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

/* A row as the row of one host: folded hosts share their rows. */
struct row_at {
	const char *host;
	const struct result *x;
};

static int key_cmp(const struct row_at *a, const struct row_at *b)
{
	int c;

	if ((c = strcmp(nz(a->host), nz(b->host))) || (c = strcmp(a->x->backend, b->x->backend)) ||
	    (c = strcmp(a->x->mode, b->x->mode)))
		return c;
	return strcmp(a->x->probe, b->x->probe);
}

static int at_cmp(const void *a, const void *b)
{
	return key_cmp(a, b);
}

/* Every host's rows, sorted by key: a row once for its own host and once
 * for each host like it. */
static int expand(const struct report *r, struct row_at **out, size_t *n)
{
	size_t cap = r->nresults + 1, members = 0;
	const char *host = NULL;
	struct row_at *v = malloc(cap * sizeof(*v));

	*n = 0;
	for (size_t i = 0; v && i < r->nresults; i++) {
		const struct result *x = &r->results[i];
		if (i == 0 || strcmp(nz(x->host), nz(host))) /* a host's rows are usually adjacent */
			members = report_hosts_like(r, host = x->host) - 1;
		if (*n + members + 1 > cap) {
			struct row_at *t = realloc(v, (cap = (*n + members + 1) * 2) * sizeof(*v));
			if (!t)
				break;
			v = t;
		}
		v[(*n)++] = (struct row_at){x->host, x};
		for (size_t h = 0; members && h < r->nhosts; h++)
			if (x->host && r->hosts[h].like && !strcmp(r->hosts[h].like, x->host))
				v[(*n)++] = (struct row_at){r->hosts[h].name, x};
	}
	if (!v || *n < r->nresults) {
		free(v);
		return -ENOMEM;
	}
	qsort(v, *n, sizeof(*v), at_cmp);
	*out = v;
	return 0;
}

static enum verdict effective(const struct result *x)
{
	if (x->verdict == V_XFAIL)
		return x->expected == EXPECT_BLOCKED ? V_ESCAPE : V_OVERBLOCKED;
	return x->verdict;
}

static int push(struct diff *d, enum change kind, const struct result *o, const struct result *n, const char *host)
{
	struct diff_entry *ne = realloc(d->v, (d->n + 1) * sizeof(*ne));

	if (!ne)
		return -ENOMEM;
	d->v = ne;
	d->v[d->n++] = (struct diff_entry){kind, o, n, host};
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
	struct row_at *o = NULL, *n = NULL;
	size_t no = 0, nn = 0, i = 0, j = 0;
	int r = 0;

	memset(d, 0, sizeof(*d));
	if ((r = expand(old, &o, &no)) < 0 || (r = expand(new, &n, &nn)) < 0) {
		free(o);
		return r;
	}
	/* both sorted by key: walk them side by side */
	while (r == 0 && (i < no || j < nn)) {
		int c = i == no ? 1 : j == nn ? -1 : key_cmp(&o[i], &n[j]);
		if (c < 0) {
			r = push(d, CHANGE_REMOVED, o[i].x, NULL, o[i].host);
			i++;
			continue;
		}
		const struct result *was = c == 0 ? o[i++].x : NULL;
		const struct row_at *now = &n[j++];
		enum change k = classify(was, now->x, fail_on);
		if (k == CHANGE__COUNT)
			continue;
		/* worse: a row newly failing in the sense of --fail-on */
		if (k == CHANGE_NEW_ESCAPE || k == CHANGE_NEW_OVERBLOCK || k == CHANGE_NEW_FAIL)
			d->worse = d->worse || fail_on[effective(now->x)];
		r = push(d, k, was, now->x, now->host);
	}
	free(o);
	free(n);
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

#define MAX_HOSTS 10 /* hosts named on one line of diff_text */

static void row_name(struct sbuf *out, const struct result *x)
{
	text_clean(out, x->backend);
	sb_puts(out, "/");
	text_clean(out, x->mode);
	sb_puts(out, " ");
	text_clean(out, x->probe);
}

static int verdict_of(const struct result *x)
{
	return x ? (int)x->verdict : -1;
}

/* Changes that read the same but for their host compare equal. */
static int line_key_cmp(const struct diff_entry *a, const struct diff_entry *b)
{
	const struct result *x = a->new ? a->new : a->old, *y = b->new ? b->new : b->old;
	int c;

	if ((c = (int)a->kind - (int)b->kind) || (c = strcmp(x->backend, y->backend)) || (c = strcmp(x->mode, y->mode)) ||
	    (c = strcmp(x->probe, y->probe)) || (c = verdict_of(a->old) - verdict_of(b->old)))
		return c;
	return verdict_of(a->new) - verdict_of(b->new);
}

/* ... and sort together, each group in the order of the entries. */
static int line_cmp(const void *pa, const void *pb)
{
	const struct diff_entry *a = *(const struct diff_entry *const *)pa, *b = *(const struct diff_entry *const *)pb;
	int c = line_key_cmp(a, b);

	return c ? c : a < b ? -1 : a > b;
}

/* One line: the change, the row, where (one host, or how many and which),
 * the verdicts and the evidence of the first. */
static void change_line(struct sbuf *s, const struct diff_entry *const *e, size_t n)
{
	const struct result *x = e[0]->new ? e[0]->new : e[0]->old;

	sb_printf(s, "%-14s ", change_names[e[0]->kind]);
	row_name(s, x);
	if (n > 1)
		sb_printf(s, " on %zu hosts (", n);
	else if (e[0]->host)
		sb_puts(s, " on ");
	for (size_t i = 0; i < n && i < MAX_HOSTS && e[i]->host; i++) {
		sb_puts(s, i ? ", " : "");
		text_clean(s, e[i]->host);
	}
	if (n > MAX_HOSTS)
		sb_printf(s, " and %zu more", n - MAX_HOSTS);
	if (n > 1)
		sb_puts(s, ")");
	sb_printf(s, ": %s", verdict_name(e[0]->old ? e[0]->old->verdict : x->verdict));
	if (e[0]->old && e[0]->new)
		sb_printf(s, " -> %s", verdict_name(e[0]->new->verdict));
	else
		sb_puts(s, e[0]->new ? " (only in NEW)" : " (only in OLD)");
	if (x->detail && *x->detail) {
		sb_puts(s, ": ");
		text_clean(s, x->detail);
	}
	sb_puts(s, "\n");
}

int diff_text(const struct diff *d, char **out)
{
	const struct diff_entry **v = calloc(d->n + 1, sizeof(*v));
	struct sbuf s = {0};

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < d->n; i++)
		v[i] = &d->v[i];
	/* grouped by kind, worst first; a change on many hosts once */
	qsort(v, d->n, sizeof(*v), line_cmp);
	for (size_t i = 0, j; i < d->n; i = j) {
		for (j = i + 1; j < d->n && !line_key_cmp(v[i], v[j]); j++)
			;
		change_line(&s, v + i, j - i);
	}
	free(v);
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

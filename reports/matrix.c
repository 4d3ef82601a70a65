/* The probes x columns matrix the human-facing renderers share, and what a
 * column says about its sandbox. */
#include "model.h"

#include "../lib/util.h"

#include <errno.h>
#include <string.h>

#define MAX_LISTED 4 /* columns named in the verdict line */

static bool same(const char *a, const char *b)
{
	return a && b ? !strcmp(a, b) : a == b;
}

static size_t find_column(const struct matrix *m, const struct result *x)
{
	size_t i;

	for (i = 0; i < m->ncols; i++)
		if (same(m->cols[i].host, x->host) && !strcmp(m->cols[i].backend, x->backend) &&
		    !strcmp(m->cols[i].mode, x->mode))
			break;
	return i;
}

static size_t find_probe(const struct matrix *m, const char *probe)
{
	size_t i;

	for (i = 0; i < m->nprobes; i++)
		if (!strcmp(m->probes[i], probe))
			break;
	return i;
}

static const char *category_of(const struct result *x)
{
	return x->category && *x->category ? x->category : "other";
}

int matrix_build(const struct report *r, struct matrix *m)
{
	size_t *pcol = NULL, *pprobe = NULL, ncats = 0;
	const char **probes = NULL, **cats = NULL, **catorder = NULL;

	memset(m, 0, sizeof(*m));
	m->cols = calloc(r->nresults + 1, sizeof(*m->cols));
	probes = calloc(r->nresults + 1, sizeof(*probes));
	cats = calloc(r->nresults + 1, sizeof(*cats));
	catorder = calloc(r->nresults + 1, sizeof(*catorder));
	pcol = calloc(r->nresults + 1, sizeof(*pcol));
	pprobe = calloc(r->nresults + 1, sizeof(*pprobe));
	m->probes = calloc(r->nresults + 1, sizeof(*m->probes));
	m->cats = calloc(r->nresults + 1, sizeof(*m->cats));
	if (!m->cols || !probes || !cats || !catorder || !pcol || !pprobe || !m->probes || !m->cats)
		goto oom;

	/* columns and probes in first-seen order; categories likewise */
	for (size_t i = 0; i < r->nresults; i++) {
		const struct result *x = &r->results[i];
		size_t c = find_column(m, x), p, k;
		if (c == m->ncols)
			m->cols[m->ncols++] = (struct column){.host = x->host, .backend = x->backend, .mode = x->mode};
		pcol[i] = c;
		for (p = 0; p < m->nprobes && strcmp(probes[p], x->probe); p++)
			;
		if (p == m->nprobes) {
			probes[p] = x->probe;
			cats[p] = category_of(x);
			m->nprobes++;
		}
		for (k = 0; k < ncats && strcmp(catorder[k], category_of(x)); k++)
			;
		if (k == ncats)
			catorder[ncats++] = category_of(x);

		struct column *col = &m->cols[c];
		col->n[x->verdict]++;
		if (x->expected == EXPECT_BLOCKED) {
			col->known_escapes += x->verdict == V_XFAIL;
			col->judged_blocked += x->verdict == V_PASS || x->verdict == V_ESCAPE || x->verdict == V_XFAIL;
		}
	}
	/* rows grouped by category, stable within one */
	size_t n = 0;
	for (size_t k = 0; k < ncats; k++)
		for (size_t p = 0; p < m->nprobes; p++)
			if (!strcmp(cats[p], catorder[k])) {
				m->probes[n] = probes[p];
				m->cats[n++] = cats[p];
			}
	for (size_t i = 0; i < r->nresults; i++)
		pprobe[i] = find_probe(m, r->results[i].probe);
	for (size_t c = 0; c < m->ncols; c++)
		m->cols[c].hosts = report_hosts_like(r, m->cols[c].host);
	m->cell = calloc(m->nprobes * m->ncols + 1, sizeof(*m->cell));
	if (!m->cell)
		goto oom;
	for (size_t i = 0; i < r->nresults; i++)
		m->cell[pprobe[i] * m->ncols + pcol[i]] = &r->results[i];
	free(probes), free(cats), free(catorder), free(pcol), free(pprobe);
	return 0;
oom:
	free(probes), free(cats), free(catorder), free(pcol), free(pprobe);
	matrix_free(m);
	return -ENOMEM;
}

void matrix_free(struct matrix *m)
{
	free(m->cols);
	free(m->probes);
	free(m->cats);
	free(m->cell);
	memset(m, 0, sizeof(*m));
}

enum column_state column_state(const struct column *c)
{
	if (c->n[V_ESCAPE])
		return COL_NOT_ENFORCED;
	if (c->n[V_ERROR])
		return COL_UNJUDGED;
	if (c->known_escapes)
		return COL_KNOWN_GAPS;
	if (c->judged_blocked)
		return COL_ENFORCED;
	if (c->n[V_PASS] || c->n[V_OVERBLOCKED] || c->n[V_XFAIL])
		return COL_UNCONFINED;
	return COL_UNTESTED;
}

enum column_state matrix_state(const struct matrix *m)
{
	enum column_state worst = COL_UNTESTED;

	for (size_t i = 0; i < m->ncols; i++) {
		enum column_state s = column_state(&m->cols[i]);
		worst = s < worst ? s : worst;
	}
	return worst;
}

const char *column_state_name(enum column_state s)
{
	static const char *const names[] = {
		[COL_NOT_ENFORCED] = "NOT ENFORCED", [COL_UNJUDGED] = "NOT JUDGED", [COL_KNOWN_GAPS] = "KNOWN GAPS",
		[COL_ENFORCED] = "ENFORCED",	     [COL_UNCONFINED] = "UNCONFINED", [COL_UNTESTED] = "NOT TESTED",
	};
	return (unsigned)s < ARRAY_SIZE(names) ? names[s] : "?";
}

void column_label(const struct column *c, char *buf, size_t n)
{
	char more[32] = "";

	if (c->hosts > 1)
		snprintf(more, sizeof(more), " (+%zu)", c->hosts - 1);
	snprintf(buf, n, "%s/%s%s%s%s", c->backend, c->mode, c->host ? "@" : "", c->host ? c->host : "", more);
}

static const char *plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* "8 escapes" for the count that makes a state what it is. */
static void state_count(enum column_state s, size_t n, struct sbuf *out)
{
	switch (s) {
	case COL_NOT_ENFORCED: sb_printf(out, "%zu %s", n, plural(n, "escape", "escapes")); break;
	case COL_UNJUDGED: sb_printf(out, "%zu %s", n, plural(n, "error", "errors")); break;
	case COL_KNOWN_GAPS: sb_printf(out, "%zu known %s", n, plural(n, "escape", "escapes")); break;
	default: break;
	}
}

static size_t state_n(const struct column *c, enum column_state s)
{
	return s == COL_NOT_ENFORCED ? c->n[V_ESCAPE] : s == COL_UNJUDGED ? c->n[V_ERROR] : c->known_escapes;
}

size_t column_state_n(const struct column *c)
{
	enum column_state s = column_state(c);

	return s <= COL_KNOWN_GAPS ? state_n(c, s) : 0;
}

void report_verdict_line(const struct matrix *m, struct sbuf *out)
{
	enum column_state worst = matrix_state(m);
	size_t total = 0, over = 0;
	char label[512];

	for (size_t i = 0; i < m->ncols; i++)
		over += m->cols[i].n[V_OVERBLOCKED];
	sb_puts(out, "Sandbox: ");
	if (!m->ncols) {
		sb_puts(out, "NOT TESTED: no rows");
		return;
	}
	if (m->ncols == 1) {
		column_label(&m->cols[0], label, sizeof(label));
		text_clean(out, label);
		sb_printf(out, " %s", column_state_name(worst));
		if (worst <= COL_KNOWN_GAPS) {
			sb_puts(out, ": ");
			state_count(worst, state_n(&m->cols[0], worst), out);
		}
	} else {
		for (size_t i = 0; i < m->ncols; i++)
			if (column_state(&m->cols[i]) == worst)
				total += state_n(&m->cols[i], worst);
		sb_printf(out, "%s", column_state_name(worst));
		if (worst <= COL_KNOWN_GAPS) {
			sb_puts(out, ": ");
			state_count(worst, total, out);
		}
		sb_puts(out, worst == COL_UNCONFINED || worst == COL_UNTESTED ? " (" : " in ");
		size_t listed = 0, more = 0;
		for (size_t i = 0; i < m->ncols; i++) {
			if (column_state(&m->cols[i]) != worst)
				continue;
			if (listed == MAX_LISTED) { /* one line, even for a merge of many hosts */
				more++;
				continue;
			}
			column_label(&m->cols[i], label, sizeof(label));
			sb_puts(out, listed++ ? ", " : "");
			text_clean(out, label);
			if (worst <= COL_KNOWN_GAPS)
				sb_printf(out, " (%zu)", state_n(&m->cols[i], worst));
		}
		if (more)
			sb_printf(out, " and %zu more", more);
		if (worst == COL_UNCONFINED || worst == COL_UNTESTED)
			sb_puts(out, ")");
	}
	if (over)
		sb_printf(out, "; %zu overblocked", over);
}

void column_summary(const struct column *c, struct sbuf *out)
{
	enum column_state s = column_state(c);

	sb_puts(out, column_state_name(s));
	if (s <= COL_KNOWN_GAPS) {
		sb_puts(out, ": ");
		state_count(s, state_n(c, s), out);
	}
	if (s == COL_UNCONFINED)
		sb_puts(out, ": the mode blocks nothing");
	if (s == COL_UNTESTED)
		sb_puts(out, ": every row skipped");
	if (c->n[V_OVERBLOCKED])
		sb_printf(out, ", %zu overblocked", c->n[V_OVERBLOCKED]);
}

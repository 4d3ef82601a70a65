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

static bool in_column(const struct column *c, const struct result *x)
{
	return same(c->host, x->host) && !strcmp(c->backend, x->backend) && !strcmp(c->mode, x->mode);
}

/* Rows come in runs of one column, each run in the same probe order: each
 * lookup tries its guess (the last hit, the next probe) before a scan. */
static size_t find_column(const struct matrix *m, const struct result *x, size_t guess)
{
	size_t i;

	if (guess < m->ncols && in_column(&m->cols[guess], x))
		return guess;
	for (i = 0; i < m->ncols && !in_column(&m->cols[i], x); i++)
		;
	return i;
}

static size_t find_str(const char **v, size_t n, const char *s, size_t guess)
{
	size_t i;

	if (guess < n && !strcmp(v[guess], s))
		return guess;
	for (i = 0; i < n && strcmp(v[i], s); i++)
		;
	return i;
}

static const char *category_of(const struct result *x)
{
	return x->category && *x->category ? x->category : "other";
}

int matrix_build(const struct report *r, struct matrix *m)
{
	size_t *pcol = NULL, *pprobe = NULL, *pos = NULL, ncats = 0, c = 0, p = 0, k = 0;
	const char **probes = NULL, **cats = NULL, **catorder = NULL;

	memset(m, 0, sizeof(*m));
	m->cols = calloc(r->nresults + 1, sizeof(*m->cols));
	probes = calloc(r->nresults + 1, sizeof(*probes));
	cats = calloc(r->nresults + 1, sizeof(*cats));
	catorder = calloc(r->nresults + 1, sizeof(*catorder));
	pcol = calloc(r->nresults + 1, sizeof(*pcol));
	pprobe = calloc(r->nresults + 1, sizeof(*pprobe));
	pos = calloc(r->nresults + 1, sizeof(*pos));
	m->probes = calloc(r->nresults + 1, sizeof(*m->probes));
	m->cats = calloc(r->nresults + 1, sizeof(*m->cats));
	if (!m->cols || !probes || !cats || !catorder || !pcol || !pprobe || !pos || !m->probes || !m->cats)
		goto oom;

	/* columns and probes in first-seen order; categories likewise */
	for (size_t i = 0; i < r->nresults; i++) {
		const struct result *x = &r->results[i];
		if ((c = find_column(m, x, c)) == m->ncols)
			m->cols[m->ncols++] = (struct column){.host = x->host, .backend = x->backend, .mode = x->mode};
		pcol[i] = c;
		if ((p = find_str(probes, m->nprobes, x->probe, i ? p + 1 : 0)) == m->nprobes) {
			probes[p] = x->probe;
			cats[p] = category_of(x);
			m->nprobes++;
		}
		pprobe[i] = p; /* first-seen order, for now */
		if ((k = find_str(catorder, ncats, category_of(x), k)) == ncats)
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
	for (k = 0; k < ncats; k++)
		for (p = 0; p < m->nprobes; p++)
			if (!strcmp(cats[p], catorder[k])) {
				pos[p] = n;
				m->probes[n] = probes[p];
				m->cats[n++] = cats[p];
			}
	for (size_t i = 0; i < r->nresults; i++)
		pprobe[i] = pos[pprobe[i]];
	for (c = 0; c < m->ncols; c++)
		m->cols[c].hosts = report_hosts_like(r, m->cols[c].host);
	m->cell = calloc(m->nprobes * m->ncols + 1, sizeof(*m->cell));
	if (!m->cell)
		goto oom;
	for (size_t i = 0; i < r->nresults; i++)
		m->cell[pprobe[i] * m->ncols + pcol[i]] = &r->results[i];
	for (c = 0; c < m->ncols; c++)
		column_verdict(r, m, c, &m->cols[c].verdict);
	free(probes), free(cats), free(catorder), free(pcol), free(pprobe), free(pos);
	return 0;
oom:
	free(probes), free(cats), free(catorder), free(pcol), free(pprobe), free(pos);
	matrix_free(m);
	return -ENOMEM;
}

const struct column *matrix_column(const struct matrix *m, const struct result *x)
{
	size_t c = find_column(m, x, 0);

	return c < m->ncols ? &m->cols[c] : NULL;
}

void matrix_free(struct matrix *m)
{
	free(m->cols);
	free(m->probes);
	free(m->cats);
	free(m->cell);
	memset(m, 0, sizeof(*m));
}

enum sandbox_word matrix_word(const struct matrix *m)
{
	enum sandbox_word worst = SW_NOT_TESTED;

	for (size_t i = 0; i < m->ncols; i++)
		worst = m->cols[i].verdict.word < worst ? m->cols[i].verdict.word : worst;
	return worst;
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

/* Words whose count the verdict line adds up, and what it counts. */
static const char *counted(enum sandbox_word w, size_t n)
{
	switch (w) {
	case SW_FAILS_OPEN:
	case SW_NOT_ENFORCED: return plural(n, "escape", "escapes");
	case SW_NOT_JUDGED: return plural(n, "error", "errors");
	default: return NULL;
	}
}

void report_verdict_line(const struct matrix *m, struct sbuf *out)
{
	enum sandbox_word worst = matrix_word(m);
	size_t total = 0, over = 0, listed = 0, more = 0;
	char label[512];

	for (size_t i = 0; i < m->ncols; i++)
		over += m->cols[i].n[V_OVERBLOCKED];
	sb_puts(out, "Sandbox: ");
	if (!m->ncols) {
		sb_puts(out, "NOT TESTED: no rows");
		return;
	}
	if (m->ncols == 1) {
		const char *what = counted(worst, m->cols[0].verdict.n);
		column_label(&m->cols[0], label, sizeof(label));
		text_clean(out, label);
		sb_printf(out, " %s", sandbox_word_name(worst));
		if (what)
			sb_printf(out, ": %zu %s", m->cols[0].verdict.n, what);
	} else {
		for (size_t i = 0; i < m->ncols; i++)
			if (m->cols[i].verdict.word == worst)
				total += m->cols[i].verdict.n;
		const char *what = counted(worst, total);
		/* a state of the sandbox "in" columns; nothing to enforce "(of)" them */
		bool of = worst == SW_UNCONFINED || worst == SW_UNAVAILABLE || worst == SW_NOT_TESTED;
		sb_puts(out, sandbox_word_name(worst));
		if (what)
			sb_printf(out, ": %zu %s", total, what);
		sb_puts(out, of ? " (" : " in ");
		for (size_t i = 0; i < m->ncols; i++) {
			if (m->cols[i].verdict.word != worst)
				continue;
			if (listed == MAX_LISTED) { /* one line, even for a merge of many hosts */
				more++;
				continue;
			}
			column_label(&m->cols[i], label, sizeof(label));
			sb_puts(out, listed++ ? ", " : "");
			text_clean(out, label);
			if (what)
				sb_printf(out, " (%zu)", m->cols[i].verdict.n);
		}
		if (more)
			sb_printf(out, " and %zu more", more);
		if (of)
			sb_puts(out, ")");
	}
	if (over)
		sb_printf(out, "; %zu overblocked", over);
}

void column_summary(const struct column *c, struct sbuf *out)
{
	sb_puts(out, sandbox_word_name(c->verdict.word));
	if (c->verdict.word != SW_UNAVAILABLE) {
		sb_puts(out, ": ");
		text_clean(out, c->verdict.reason);
	}
}

/* The fleet grid: host x backend, one cell per pair with what the backend
 * says there (its worst mode), hosts that agree on one line. Built from the
 * matrix, whose columns already carry each host's rows once per outcome. */
#include "model.h"

#include "../lib/util.h"

#include <errno.h>
#include <string.h>

static bool same(const char *a, const char *b)
{
	return a && b ? !strcmp(a, b) : a == b;
}

static size_t find(const char **v, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n && !same(v[i], s); i++)
		;
	return i;
}

/* The column of host's backend and mode; m->ncols when there is none. */
static size_t column_of(const struct matrix *m, const char *host, const struct column *like)
{
	size_t c;

	for (c = 0; c < m->ncols; c++)
		if (same(m->cols[c].host, host) && !strcmp(m->cols[c].backend, like->backend) &&
		    !strcmp(m->cols[c].mode, like->mode))
			break;
	return c;
}

/* The rows of line l whose verdict differs from line 0's for the same
 * backend, mode and probe, or that only one of the two has. */
static size_t rows_differing(const struct matrix *m, const struct grid *g, size_t l)
{
	const char *mine = g->lines[l].host, *first = g->lines[0].host;
	size_t n = 0;

	for (size_t c = 0; c < m->ncols; c++) {
		if (!same(m->cols[c].host, mine))
			continue;
		size_t o = column_of(m, first, &m->cols[c]);
		for (size_t p = 0; p < m->nprobes; p++) {
			const struct result *x = m->cell[p * m->ncols + c], *y = o < m->ncols ? m->cell[p * m->ncols + o] : NULL;
			n += (x || y) && (!x || !y || x->verdict != y->verdict);
		}
	}
	for (size_t o = 0; o < m->ncols; o++) /* columns only line 0 has */
		if (same(m->cols[o].host, first) && column_of(m, mine, &m->cols[o]) == m->ncols)
			for (size_t p = 0; p < m->nprobes; p++)
				n += m->cell[p * m->ncols + o] != NULL;
	return n;
}

static int by_hosts(const void *a, const void *b)
{
	const struct grid_line *x = a, *y = b;

	if (x->hosts != y->hosts)
		return x->hosts > y->hosts ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

int grid_build(const struct matrix *m, struct grid *g)
{
	const char **hosts = calloc(m->ncols + 1, sizeof(*hosts));

	memset(g, 0, sizeof(*g));
	g->backends = calloc(m->ncols + 1, sizeof(*g->backends));
	g->lines = calloc(m->ncols + 1, sizeof(*g->lines));
	if (!hosts || !g->backends || !g->lines)
		goto oom;
	for (size_t c = 0; c < m->ncols; c++) {
		const struct column *col = &m->cols[c];
		if (find(hosts, g->nlines, col->host) == g->nlines) {
			hosts[g->nlines] = col->host;
			g->lines[g->nlines] = (struct grid_line){.host = col->host, .hosts = col->hosts, .order = g->nlines};
			g->nlines++;
		}
		if (find(g->backends, g->nbackends, col->backend) == g->nbackends)
			g->backends[g->nbackends++] = col->backend;
	}
	/* most hosts first: the fleet's usual outcome, then the others */
	qsort(g->lines, g->nlines, sizeof(*g->lines), by_hosts);
	for (size_t l = 0; l < g->nlines; l++)
		hosts[l] = g->lines[l].host;
	g->cells = calloc(g->nlines * g->nbackends + 1, sizeof(*g->cells));
	if (!g->cells)
		goto oom;
	for (size_t c = 0; c < m->ncols; c++) {
		const struct column *col = &m->cols[c];
		struct grid_cell *cell = &g->cells[find(hosts, g->nlines, col->host) * g->nbackends +
						   find(g->backends, g->nbackends, col->backend)];
		enum sandbox_word w = col->verdict.word;
		if (!cell->worst || w < cell->worst->verdict.word) {
			cell->worst = col;
			cell->others = 0;
		} else if (w == cell->worst->verdict.word) {
			cell->others++;
			if (col->verdict.n > cell->worst->verdict.n)
				cell->worst = col;
		}
	}
	for (size_t l = 1; l < g->nlines; l++)
		g->lines[l].differs = rows_differing(m, g, l);
	free(hosts);
	return 0;
oom:
	free(hosts);
	grid_free(g);
	return -ENOMEM;
}

void grid_free(struct grid *g)
{
	free(g->backends);
	free(g->lines);
	free(g->cells);
	memset(g, 0, sizeof(*g));
}

/* Words whose count says how bad it is (escapes, or rows not judged). */
static bool counted(enum sandbox_word w)
{
	return w == SW_FAILS_OPEN || w == SW_NOT_ENFORCED || w == SW_FAILS_CLOSED || w == SW_NOT_JUDGED;
}

void grid_cell_text(const struct grid_cell *c, struct sbuf *out)
{
	enum sandbox_word w;

	if (!c->worst) {
		sb_puts(out, "not run");
		return;
	}
	w = c->worst->verdict.word;
	sb_puts(out, sandbox_word_name(w));
	if (!counted(w))
		return;
	sb_puts(out, " (");
	text_clean(out, c->worst->mode);
	sb_printf(out, ": %zu", c->worst->verdict.n);
	if (c->others)
		sb_printf(out, "; %zu more %s", c->others, c->others == 1 ? "mode" : "modes");
	sb_puts(out, ")");
}

const char *grid_cell_cause(const struct grid_cell *c)
{
	enum sandbox_word w = c->worst ? c->worst->verdict.word : SW_ENFORCED;

	return w == SW_FAILS_OPEN || w == SW_FAILS_CLOSED || w == SW_NOT_JUDGED || w == SW_UNAVAILABLE ||
			       w == SW_NOT_TESTED
		       ? c->worst->verdict.reason
		       : NULL;
}

void grid_line_text(const struct grid_line *l, struct sbuf *out)
{
	if (l->hosts > 1)
		sb_printf(out, "%zu hosts like ", l->hosts);
	text_clean(out, l->host ? l->host : "this host");
}

void grid_rows_text(const struct grid *g, size_t l, struct sbuf *out)
{
	const struct grid_line *line = &g->lines[l];

	if (l == 0) {
		sb_puts(out, g->nlines > 1 ? "the most hosts' outcome" : "every host's outcome");
		return;
	}
	if (line->differs)
		sb_printf(out, "%zu %s from ", line->differs, line->differs == 1 ? "verdict differs" : "verdicts differ");
	else
		sb_puts(out, "the verdicts of ");
	text_clean(out, g->lines[0].host ? g->lines[0].host : "this host");
	if (!line->differs)
		sb_puts(out, "; the backends differ (a version, a note, what they applied)");
}

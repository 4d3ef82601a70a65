/* Markdown sized for a CI step summary (GitHub allows 1 MiB): the verdict,
 * a table per backend/mode, and the failing rows with evidence and hints. */
#include "render.h"

#include "../lib/util.h"

#include <errno.h>
#include <string.h>

#define MAX_ROWS 100   /* failing rows listed; the rest are counted */
#define MAX_DETAIL 300 /* bytes of evidence per row */

/* Text inside a table cell: markup characters escaped, HTML made inert,
 * one line. Cut after max bytes (on a character boundary). */
static void md(struct sbuf *out, const char *s, size_t max)
{
	_cleanup_free_ char *u = utf8_sanitize(s ? s : "");
	size_t n = 0;

	for (const char *p = u ? u : ""; *p; p++, n++) {
		unsigned char c = (unsigned char)*p;
		if (n >= max && (c & 0xc0) != 0x80) {
			sb_puts(out, "\u2026");
			break;
		}
		if (c < 0x20 || c == 0x7f)
			sb_putc(out, ' ');
		else if (c == '<')
			sb_puts(out, "&lt;");
		else if (c == '>')
			sb_puts(out, "&gt;");
		else if (c == '&')
			sb_puts(out, "&amp;");
		else if (strchr("\\`*_[]|~#!", c)) {
			sb_putc(out, '\\');
			sb_putc(out, (char)c);
		} else
			sb_putc(out, (char)c);
	}
}

static void host_line(struct sbuf *out, const struct host_facts *h, size_t more)
{
	md(out, h->name ? h->name : "host", 200);
	if (more)
		sb_printf(out, " (and %zu like it)", more);
	sb_puts(out, " | Linux ");
	md(out, h->kernel, 200);
	sb_puts(out, " ");
	md(out, h->arch, 50);
	sb_printf(out, " | %d | %s | %s | ", h->landlock_abi, h->seccomp ? "yes" : "no", h->userns ? "yes" : "no");
	md(out, h->container ? h->container : "none", 50);
}

static void label(struct sbuf *out, const struct column *c)
{
	char buf[512];

	column_label(c, buf, sizeof(buf));
	md(out, buf, sizeof(buf));
}

#define MAX_MEMBERS 10 /* hosts named on a line of the grid */

/* Merged reports open with it: host x backend, agreeing hosts on one line. */
static void fleet_grid(struct sbuf *out, const struct report *r, const struct grid *g)
{
	struct sbuf t = {0};

	sb_printf(out, "\n### Hosts x backends\n\n%zu hosts, %zu distinct %s; a cell is the verdict of the backend's "
		       "worst mode (and its count)\n\n| hosts |",
		  r->nhosts, g->nlines, g->nlines == 1 ? "outcome" : "outcomes");
	for (size_t b = 0; b < g->nbackends; b++) {
		sb_puts(out, " ");
		md(out, g->backends[b], 100);
		sb_puts(out, " |");
	}
	sb_puts(out, " rows |\n|---|");
	for (size_t b = 0; b <= g->nbackends; b++)
		sb_puts(out, "---|");
	sb_puts(out, "\n");
	for (size_t l = 0; l < g->nlines; l++) {
		const struct grid_line *line = &g->lines[l];
		grid_line_text(line, &t);
		if (line->hosts > 1) {
			sb_puts(&t, ": ");
			report_hosts_like_names(r, line->host, MAX_MEMBERS, &t);
		}
		sb_puts(out, "| ");
		md(out, t.s, 2000);
		sb_free(&t);
		for (size_t b = 0; b < g->nbackends; b++) {
			const char *cause = grid_cell_cause(&g->cells[l * g->nbackends + b]);
			grid_cell_text(&g->cells[l * g->nbackends + b], &t);
			sb_puts(out, " | **");
			md(out, t.s, 200);
			sb_puts(out, "**");
			sb_free(&t);
			if (cause) {
				sb_puts(out, ": ");
				md(out, cause, MAX_DETAIL);
			}
		}
		sb_puts(out, " | ");
		grid_rows_text(g, l, &t);
		md(out, t.s, 200);
		sb_free(&t);
		sb_puts(out, " |\n");
	}
}

int report_markdown(const struct report *r, const struct render_opts *o, char **out)
{
	struct matrix m;
	struct grid g = {0};
	struct sbuf s = {0}, line = {0};
	size_t failing = r->summary[V_ESCAPE] + r->summary[V_OVERBLOCKED] + r->summary[V_ERROR], listed = 0;
	int rc;

	if ((rc = matrix_build(r, &m)) < 0)
		return rc;
	if (r->nhosts && (rc = grid_build(&m, &g)) < 0) {
		matrix_free(&m);
		return rc;
	}
	report_verdict_line(&m, &line);
	sb_puts(&s, "## ");
	md(&s, line.s, 2000);
	sb_free(&line);
	sb_puts(&s, "\n\ncagetest ");
	md(&s, r->version ? r->version : CAGETEST_VERSION, 64);
	sb_printf(&s, ", %zu rows in %.1f s%s", report_rows(r), r->duration_s, r->interrupted ? " (interrupted)" : "");
	if (r->started) {
		sb_puts(&s, ", started ");
		md(&s, r->started, 64);
	}
	sb_puts(&s, "\n");
	if (r->nhosts)
		fleet_grid(&s, r, &g);
	/* a folded host's facts are in the JSON report; its line is its group's */
	sb_puts(&s, "\n| host | kernel | Landlock ABI | seccomp | user ns | container |\n|---|---|--:|---|---|---|\n");
	for (size_t i = 0; i < (r->nhosts ? r->nhosts : 1); i++) {
		const struct host_facts *h = r->nhosts ? &r->hosts[i] : &r->host;
		size_t more = r->nhosts ? report_hosts_like(r, h->name) - 1 : 0;
		if (h->like)
			continue;
		sb_puts(&s, "| ");
		host_line(&s, h, more);
		sb_puts(&s, " |\n");
	}

	sb_puts(&s, "\n| backend/mode | verdict |");
	for (int v = 0; v < V__COUNT; v++)
		sb_printf(&s, " %s |", verdict_name((enum verdict)v));
	sb_puts(&s, "\n|---|---|");
	for (int v = 0; v < V__COUNT; v++)
		sb_puts(&s, "--:|");
	sb_puts(&s, "\n");
	for (size_t c = 0; c < m.ncols; c++) {
		struct sbuf sum = {0};
		column_summary(&m.cols[c], &sum);
		sb_puts(&s, "| ");
		label(&s, &m.cols[c]);
		sb_puts(&s, " | ");
		md(&s, sum.s, 200);
		sb_puts(&s, " |");
		for (int v = 0; v < V__COUNT; v++)
			sb_printf(&s, " %zu |", m.cols[c].n[v]);
		sb_puts(&s, "\n");
		sb_free(&sum);
	}
	for (size_t i = 0, first = 1; i < r->nbackends; i++)
		if (!r->backends[i].available) {
			sb_puts(&s, first ? "\n- backend " : "- backend ");
			first = 0;
			md(&s, r->backends[i].name, 100);
			if (r->backends[i].host) {
				sb_puts(&s, "@");
				md(&s, r->backends[i].host, 100);
			}
			sb_puts(&s, " unavailable: ");
			md(&s, r->backends[i].reason, MAX_DETAIL);
			sb_puts(&s, "\n");
		}

	if (failing) {
		sb_printf(&s, "\n### Failing rows (%zu)\n\n| verdict | backend/mode | probe | evidence | hint |\n"
			      "|---|---|---|---|---|\n",
			  failing);
		/* escapes first: they are what a reader must see */
		static const enum verdict order[] = {V_ESCAPE, V_OVERBLOCKED, V_ERROR};
		for (size_t k = 0; k < ARRAY_SIZE(order); k++)
			for (size_t p = 0; p < m.nprobes; p++)
				for (size_t c = 0; c < m.ncols; c++) {
					const struct result *x = m.cell[p * m.ncols + c];
					if (!x || x->verdict != order[k] || listed++ >= MAX_ROWS)
						continue;
					const char *hint = o && o->hint && x->verdict != V_ERROR ? o->hint(x->probe) : NULL;
					sb_printf(&s, "| **%s** | ", verdict_name(x->verdict));
					label(&s, &m.cols[c]);
					sb_puts(&s, " | ");
					md(&s, x->probe, 200);
					sb_puts(&s, " | ");
					md(&s, x->detail, MAX_DETAIL);
					sb_puts(&s, " | ");
					md(&s, hint, MAX_DETAIL);
					sb_puts(&s, " |\n");
				}
		if (listed > MAX_ROWS)
			sb_printf(&s, "\n%zu more failing rows are in the JSON and HTML reports.\n", listed - MAX_ROWS);
	}
	if (r->nfixed_known) {
		sb_puts(&s, "\n### Known failures that pass now (tighten the baseline)\n\n");
		for (size_t i = 0; i < r->nfixed_known; i++) {
			sb_puts(&s, "- ");
			md(&s, r->fixed_known[i], MAX_DETAIL);
			sb_puts(&s, "\n");
		}
	}
	grid_free(&g);
	matrix_free(&m);
	*out = sb_take(&s);
	return *out ? 0 : -ENOMEM;
}

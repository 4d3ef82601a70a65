/* What a person sees at the end of a run: on a TTY the probes x columns
 * matrix, plain lines otherwise; then every escape, overblock and error with
 * its evidence and the probe's hint, and one verdict line. */
#include "render.h"

#include "../lib/util.h"

#include <errno.h>
#include <string.h>

enum { RED, GREEN, YELLOW, MAGENTA, CYAN, DIM, BOLD, PAINT__COUNT };

static const char *const ansi[PAINT__COUNT] = {
	[RED] = "\033[1;31m", [GREEN] = "\033[32m", [YELLOW] = "\033[33m", [MAGENTA] = "\033[35m",
	[CYAN] = "\033[36m",  [DIM] = "\033[2m",    [BOLD] = "\033[1m",
};

static const int verdict_paint[V__COUNT] = {
	[V_PASS] = GREEN, [V_ESCAPE] = RED, [V_OVERBLOCKED] = YELLOW, [V_ERROR] = MAGENTA, [V_SKIP] = DIM, [V_XFAIL] = CYAN,
};
static const char *const glyph_utf8[V__COUNT] = {
	[V_PASS] = "\u2713", [V_ESCAPE] = "\u2717", [V_OVERBLOCKED] = "\u2298",
	[V_ERROR] = "!",     [V_SKIP] = "-",	    [V_XFAIL] = "x",
};
static const char *const glyph_ascii[V__COUNT] = {
	[V_PASS] = ".", [V_ESCAPE] = "E", [V_OVERBLOCKED] = "O", [V_ERROR] = "!", [V_SKIP] = "-", [V_XFAIL] = "x",
};

struct term {
	const struct report *r;
	const struct render_opts *o;
	struct matrix m;
	struct sbuf *out;
};

static void paint(const struct term *t, int p, const char *s)
{
	if (t->o->color)
		sb_printf(t->out, "%s%s\033[0m", ansi[p], s);
	else
		sb_puts(t->out, s);
}

static void paint_clean(const struct term *t, int p, const char *s)
{
	struct sbuf c = {0};

	text_clean(&c, s);
	paint(t, p, c.s ? c.s : "");
	sb_free(&c);
}

static const char *glyph(const struct term *t, enum verdict v)
{
	return t->o->unicode ? glyph_utf8[v] : glyph_ascii[v];
}

static void column_key(size_t i, char *buf, size_t n)
{
	if (i < 26)
		snprintf(buf, n, "%c", (char)('A' + i));
	else if (i < 52)
		snprintf(buf, n, "%c", (char)('a' + i - 26));
	else
		snprintf(buf, n, "%zu", i + 1);
}

static void header(const struct term *t)
{
	const struct report *r = t->r;
	const struct host_facts *h = &r->host;

	sb_puts(t->out, "cagetest ");
	text_clean(t->out, r->version ? r->version : CAGETEST_VERSION);
	sb_puts(t->out, ": ");
	if (r->nhosts) {
		size_t own = 0;
		for (size_t i = 0; i < r->nhosts; i++)
			own += !r->hosts[i].like;
		sb_printf(t->out, "%zu %s, %zu distinct %s", r->nhosts, r->nhosts == 1 ? "host" : "hosts", own,
			  own == 1 ? "outcome" : "outcomes");
	} else {
		text_clean(t->out, h->name ? h->name : "host");
		sb_puts(t->out, ", Linux ");
		text_clean(t->out, h->kernel);
		sb_puts(t->out, " ");
		text_clean(t->out, h->arch);
		sb_printf(t->out, ", Landlock ABI %d, seccomp %s, user namespaces %s, container ", h->landlock_abi,
			  h->seccomp ? "yes" : "no", h->userns ? "yes" : "no");
		text_clean(t->out, h->container ? h->container : "none");
	}
	sb_printf(t->out, "; %zu rows in %.1f s%s\n", report_rows(r), r->duration_s, r->interrupted ? " (interrupted)" : "");
	for (size_t i = 0; i < r->nbackends; i++) {
		const struct backend_info *b = &r->backends[i];
		if (b->available)
			continue;
		sb_puts(t->out, "backend ");
		text_clean(t->out, b->name);
		if (b->host) {
			sb_puts(t->out, "@");
			text_clean(t->out, b->host);
		}
		sb_puts(t->out, " unavailable: ");
		text_clean(t->out, b->reason);
		sb_puts(t->out, "\n");
	}
}

static int word_paint(enum sandbox_word w)
{
	switch (w) {
	case SW_FAILS_OPEN:
	case SW_NOT_ENFORCED: return RED;
	case SW_ENFORCED: return GREEN;
	case SW_FAILS_CLOSED:
	case SW_NOT_JUDGED: return MAGENTA;
	default: return YELLOW;
	}
}

#define MAX_MEMBERS 10 /* hosts named under a line of the grid */

static size_t text_width(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80; /* code points, near enough for names */
	return n;
}

/* host x backend, agreeing hosts on one line, then who they are. */
static void grid(const struct term *t)
{
	struct grid g;
	size_t *w, cols;

	if (grid_build(&t->m, &g) < 0 || !(w = calloc(g.nbackends + 1, sizeof(*w)))) {
		grid_free(&g);
		t->out->oom = true;
		return;
	}
	cols = g.nbackends + 1;
	struct sbuf *cell = calloc(g.nlines * cols + cols, sizeof(*cell));
	if (!cell) {
		free(w);
		grid_free(&g);
		t->out->oom = true;
		return;
	}
	/* row 0 the heads; then each line's label and cells */
	sb_puts(&cell[0], "hosts");
	for (size_t b = 0; b < g.nbackends; b++)
		text_clean(&cell[b + 1], g.backends[b]);
	for (size_t l = 0; l < g.nlines; l++) {
		grid_line_text(&g.lines[l], &cell[(l + 1) * cols]);
		for (size_t b = 0; b < g.nbackends; b++)
			grid_cell_text(&g.cells[l * g.nbackends + b], &cell[(l + 1) * cols + b + 1]);
	}
	for (size_t i = 0; i < (g.nlines + 1) * cols; i++)
		w[i % cols] = cell[i].s && text_width(cell[i].s) > w[i % cols] ? text_width(cell[i].s) : w[i % cols];
	sb_puts(t->out, "\n");
	for (size_t l = 0; l <= g.nlines; l++) {
		for (size_t c = 0; c < cols; c++) {
			const char *s = cell[l * cols + c].s ? cell[l * cols + c].s : "";
			const struct grid_cell *gc = l && c ? &g.cells[(l - 1) * g.nbackends + c - 1] : NULL;
			sb_puts(t->out, c ? "   " : "  ");
			if (gc && gc->worst)
				paint(t, word_paint(gc->worst->verdict.word), s);
			else
				paint(t, l ? DIM : BOLD, s);
			if (l || c + 1 < cols) /* no trailing blanks */
				sb_printf(t->out, "%*s", (int)(w[c] - text_width(s)), "");
		}
		if (l) {
			struct sbuf rows = {0};
			grid_rows_text(&g, l - 1, &rows);
			sb_puts(t->out, "   ");
			paint(t, DIM, rows.s ? rows.s : "");
			sb_free(&rows);
		}
		sb_puts(t->out, "\n");
		if (l && g.lines[l - 1].hosts > 1) {
			struct sbuf who = {0};
			report_hosts_like_names(t->r, g.lines[l - 1].host, MAX_MEMBERS, &who);
			sb_puts(t->out, "    like it: ");
			sb_puts(t->out, who.s ? who.s : "");
			sb_puts(t->out, "\n");
			sb_free(&who);
		}
	}
	sb_puts(t->out, "\n");
	for (size_t i = 0; i < (g.nlines + 1) * cols; i++)
		sb_free(&cell[i]);
	free(cell);
	free(w);
	grid_free(&g);
}

static void counts(const struct term *t, const struct column *c)
{
	bool first = true;

	for (int v = 0; v < V__COUNT; v++)
		if (c->n[v]) {
			sb_printf(t->out, "%s%zu %s", first ? "" : ", ", c->n[v], verdict_name((enum verdict)v));
			first = false;
		}
}

/* One line per column: its key on a TTY, its state and counts. */
static void column_lines(const struct term *t)
{
	size_t w = 0;
	char label[512], key[16];

	for (size_t i = 0; i < t->m.ncols; i++) {
		column_label(&t->m.cols[i], label, sizeof(label));
		w = strlen(label) > w ? strlen(label) : w;
	}
	for (size_t i = 0; i < t->m.ncols; i++) {
		const struct column *c = &t->m.cols[i];
		struct sbuf s = {0};
		column_label(c, label, sizeof(label));
		column_key(i, key, sizeof(key));
		column_summary(c, &s);
		if (t->o->tty)
			sb_printf(t->out, "  %-3s", key);
		text_clean(t->out, label);
		sb_printf(t->out, ":%*s ", (int)(w - strlen(label)), "");
		paint(t, word_paint(c->verdict.word), s.s ? s.s : "");
		sb_puts(t->out, " (");
		counts(t, c);
		sb_puts(t->out, ")\n");
		sb_free(&s);
	}
}

static void matrix(const struct term *t)
{
	const struct matrix *m = &t->m;
	size_t pw = 8, kw = 1;
	char key[16];
	const char *cat = NULL;

	for (size_t p = 0; p < m->nprobes; p++)
		pw = strlen(m->probes[p]) + 2 > pw ? strlen(m->probes[p]) + 2 : pw;
	pw = pw > 48 ? 48 : pw;
	column_key(m->ncols ? m->ncols - 1 : 0, key, sizeof(key));
	kw = strlen(key);
	sb_printf(t->out, "\n%*s", (int)pw + 2, "");
	for (size_t c = 0; c < m->ncols; c++) {
		column_key(c, key, sizeof(key));
		sb_printf(t->out, " %*s", (int)kw, key);
	}
	sb_puts(t->out, "\n");
	for (size_t p = 0; p < m->nprobes; p++) {
		if (!cat || strcmp(cat, m->cats[p])) {
			cat = m->cats[p];
			paint_clean(t, BOLD, cat);
			sb_puts(t->out, "\n");
		}
		size_t len = strlen(m->probes[p]);
		sb_puts(t->out, "  ");
		text_clean(t->out, m->probes[p]);
		sb_printf(t->out, "%*s", (int)(len < pw ? pw - len : 1), "");
		for (size_t c = 0; c < m->ncols; c++) {
			const struct result *x = m->cell[p * m->ncols + c];
			sb_printf(t->out, " %*s", (int)kw - 1, "");
			if (x)
				paint(t, verdict_paint[x->verdict], glyph(t, x->verdict));
			else
				sb_puts(t->out, " ");
		}
		sb_puts(t->out, "\n");
	}
	sb_puts(t->out, "\n");
	column_lines(t);
	sb_puts(t->out, "  ");
	for (int v = 0; v < V__COUNT; v++) {
		paint(t, verdict_paint[v], glyph(t, (enum verdict)v));
		sb_printf(t->out, " %s%s", verdict_name((enum verdict)v), v + 1 < V__COUNT ? "  " : "\n");
	}
}

/* Every row of verdict v, grouped by probe: the evidence per column (columns
 * with the same evidence share a line), then the probe's hint. */
static void failures(const struct term *t, enum verdict v)
{
	const struct matrix *m = &t->m;
	char label[512];
	bool *done = calloc(m->ncols + 1, sizeof(bool));

	if (!done) {
		t->out->oom = true;
		return;
	}
	for (size_t p = 0; p < m->nprobes; p++) {
		const struct result *first = NULL;
		for (size_t c = 0; c < m->ncols && !first; c++)
			if (m->cell[p * m->ncols + c] && m->cell[p * m->ncols + c]->verdict == v)
				first = m->cell[p * m->ncols + c];
		if (!first)
			continue;
		paint(t, verdict_paint[v], verdict_name(v));
		sb_printf(t->out, "%*s", (int)(12 - strlen(verdict_name(v))), "");
		text_clean(t->out, first->probe);
		sb_puts(t->out, " (");
		text_clean(t->out, first->effect);
		sb_printf(t->out, ", expected %s)\n", expect_name(first->expected));
		memset(done, 0, m->ncols * sizeof(bool));
		for (size_t c = 0; c < m->ncols; c++) {
			const struct result *x = m->cell[p * m->ncols + c];
			if (!x || x->verdict != v || done[c])
				continue;
			sb_printf(t->out, "%12s", "");
			for (size_t d = c, n = 0; d < m->ncols; d++) {
				const struct result *y = m->cell[p * m->ncols + d];
				if (!y || y->verdict != v || strcmp(y->detail ? y->detail : "", x->detail ? x->detail : ""))
					continue;
				done[d] = true;
				column_label(&m->cols[d], label, sizeof(label));
				sb_puts(t->out, n++ ? ", " : "");
				text_clean(t->out, label);
			}
			sb_puts(t->out, ": ");
			text_clean(t->out, x->detail);
			sb_puts(t->out, "\n");
		}
		const char *hint = (v == V_ESCAPE || v == V_OVERBLOCKED) && t->o->hint ? t->o->hint(first->probe) : NULL;
		if (hint) {
			sb_printf(t->out, "%12s", "");
			paint(t, BOLD, "hint: ");
			text_clean(t->out, hint);
			sb_puts(t->out, "\n");
		}
	}
	free(done);
}

int report_terminal(const struct report *r, const struct render_opts *o, char **out)
{
	static const struct render_opts none;
	struct sbuf s = {0};
	struct term t = {.r = r, .o = o ? o : &none, .out = &s};
	int rc;

	if ((rc = matrix_build(r, &t.m)) < 0)
		return rc;
	header(&t);
	if (r->nhosts)
		grid(&t);
	if (t.o->tty)
		matrix(&t);
	else
		column_lines(&t);
	if (r->summary[V_ESCAPE] + r->summary[V_OVERBLOCKED] + r->summary[V_ERROR] + r->summary[V_XFAIL])
		sb_puts(&s, "\n");
	failures(&t, V_ESCAPE);
	failures(&t, V_OVERBLOCKED);
	failures(&t, V_ERROR);
	failures(&t, V_XFAIL);
	if (r->nfixed_known) {
		sb_puts(&s, "\nknown failures that pass now (tighten the baseline):\n");
		for (size_t i = 0; i < r->nfixed_known; i++) {
			sb_puts(&s, "  ");
			text_clean(&s, r->fixed_known[i]);
			sb_puts(&s, "\n");
		}
	}
	sb_printf(&s, "\n%zu %s: %zu pass, %zu escape, %zu overblocked, %zu error, %zu skip, %zu xfail\n", report_rows(r),
		  report_rows(r) == 1 ? "row" : "rows",
		  r->summary[V_PASS], r->summary[V_ESCAPE], r->summary[V_OVERBLOCKED], r->summary[V_ERROR],
		  r->summary[V_SKIP], r->summary[V_XFAIL]);
	struct sbuf line = {0};
	report_verdict_line(&t.m, &line);
	paint(&t, word_paint(matrix_word(&t.m)), line.s ? line.s : "");
	sb_puts(&s, "\n");
	sb_free(&line);
	matrix_free(&t.m);
	*out = sb_take(&s);
	return *out ? 0 : -ENOMEM;
}

void terminal_progress(struct sbuf *out, size_t done, size_t total, size_t escapes, bool color)
{
	size_t fill = total ? done * 20 / total : 0;

	sb_puts(out, "\r\033[Kcagetest: [");
	for (size_t i = 0; i < 20; i++)
		sb_putc(out, i < fill ? '#' : '.');
	sb_printf(out, "] %zu/%zu cases, ", done, total);
	if (color && escapes)
		sb_puts(out, ansi[RED]);
	sb_printf(out, "%zu %s", escapes, escapes == 1 ? "escape" : "escapes");
	if (color && escapes)
		sb_puts(out, "\033[0m");
	sb_puts(out, " so far");
}

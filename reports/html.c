/* One self-contained HTML page: the verdict, host facts and backend versions,
 * the matrix (columns grouped by backend, rows by category) whose cells
 * expand to the evidence, the failing rows with hints, and what each backend
 * applied. Inline CSS and JS only; a Content-Security-Policy forbids loading
 * anything. Every string from the model is escaped: detail strings come from
 * the sandboxed side and may be hostile. */
#include "render.h"

#include "../lib/util.h"

#include <errno.h>
#include <string.h>

static const char css[] =
	":root{--pass:#1a7f37;--pass-bg:#dafbe1;--escape:#fff;--escape-bg:#cf222e;--over:#7d4e00;--over-bg:#fff1b8;"
	"--error:#fff;--error-bg:#8250df;--skip:#57606a;--skip-bg:#eaeef2;--xfail:#0550ae;--xfail-bg:#ddf4ff}\n"
	"body{font:14px/1.4 system-ui,-apple-system,'Segoe UI',sans-serif;margin:0 1.5em 2em;color:#1f2328}\n"
	"h1{font-size:1.5em;margin:.6em 0 .2em;padding:.4em .6em;border-radius:6px}\n"
	"h2{font-size:1.15em;margin:1.4em 0 .4em}\n"
	".meta{color:#57606a;margin:.2em 0 1em}\n"
	"table{border-collapse:collapse}\n"
	".facts td,.facts th{border:1px solid #d0d7de;padding:.2em .5em;text-align:left;vertical-align:top}\n"
	".facts th{background:#f6f8fa}\n"
	".notes{max-width:60em;color:#57606a;font-size:.92em}\n"
	/* st-N: a sandbox verdict (enum sandbox_word, worst first) */
	".st-0,.st-1{background:var(--escape-bg);color:#fff}.st-2,.st-3{background:var(--error-bg);color:#fff}"
	".st-4{background:var(--pass-bg);color:var(--pass)}"
	".st-5,.st-6,.st-7{background:var(--skip-bg);color:var(--skip)}\n"
	".badge{display:inline-block;padding:.1em .6em;margin:0 .3em .3em 0;border-radius:1em;font-weight:600}\n"
	".filters{position:sticky;top:0;background:#fff;padding:.5em 0;border-bottom:1px solid #d0d7de;z-index:5}\n"
	".filters label{margin-right:1.2em}\n"
	".matrix th,.matrix td{border:1px solid #d0d7de;padding:.15em .4em}\n"
	".matrix thead th{background:#f6f8fa;font-weight:600;text-align:center}\n"
	".matrix thead th small{display:block;font-weight:600;border-radius:4px;padding:0 .3em}\n"
	".matrix th.probe{text-align:left;font-weight:normal;font-family:ui-monospace,monospace;white-space:nowrap;"
	"position:sticky;left:0;background:#fff;z-index:2}\n"
	".matrix th.probe small{color:#57606a;font-family:system-ui,sans-serif;margin-left:.5em}\n"
	".matrix tr.cat th{background:#f6f8fa;text-align:left;text-transform:uppercase;letter-spacing:.05em}\n"
	".v{position:relative;text-align:center;white-space:nowrap;min-width:5.5em}\n"
	".v summary{cursor:pointer;list-style:none;font-weight:600}\n"
	".v summary::-webkit-details-marker{display:none}\n"
	".v .pop{position:absolute;left:0;top:100%;z-index:10;width:30em;text-align:left;white-space:normal;"
	"background:#fff;color:#1f2328;border:1px solid #8c959f;border-radius:6px;padding:.5em .7em;"
	"box-shadow:0 4px 12px rgba(0,0,0,.2);font-weight:normal}\n"
	".pop dt{font-weight:600;float:left;clear:left;width:6.5em}.pop dd{margin:0 0 .2em 6.8em;word-break:break-word}\n"
	".pass{background:var(--pass-bg);color:var(--pass)}.escape{background:var(--escape-bg);color:var(--escape)}"
	".overblocked{background:var(--over-bg);color:var(--over)}.error{background:var(--error-bg);color:var(--error)}"
	".skip{background:var(--skip-bg);color:var(--skip)}.xfail{background:var(--xfail-bg);color:var(--xfail)}\n"
	".fail-list li{margin:.3em 0}.fail-list .ev{font-family:ui-monospace,monospace;font-size:.92em;word-break:break-word}\n"
	".hint{color:#57606a}\n"
	"pre{background:#f6f8fa;padding:.6em;overflow:auto;font-size:.9em}\n"
	"[hidden]{display:none!important}\n"
	".grid th,.grid td{border:1px solid #d0d7de;padding:.3em .6em;text-align:left;vertical-align:top}\n"
	".grid td.cell{font-weight:600;min-width:12em;max-width:24em}"
	".grid td.cell small{display:block;font-weight:normal}\n"
	".grid th.line{font-weight:normal;max-width:28em}.grid th.line a{font-weight:600}\n"
	".grid details{font-size:.9em;color:#57606a}.grid td.rows{color:#57606a}\n";

/* Filters: only failing rows, one category; category headers follow. */
static const char js[] =
	"(function(){\n"
	"var only=document.getElementById('only-fail'),cat=document.getElementById('cat'),\n"
	"    shown=document.getElementById('shown'),rows=document.querySelectorAll('tr.row');\n"
	"function apply(){\n"
	"  var n=0,seen=Object.create(null);\n"
	"  rows.forEach(function(r){\n"
	"    var ok=(!only.checked||r.dataset.fail==='1')&&(!cat.value||r.dataset.cat===cat.value);\n"
	"    r.hidden=!ok;if(ok){n++;seen[r.dataset.cat]=1;}\n"
	"  });\n"
	"  document.querySelectorAll('tr.cat').forEach(function(h){h.hidden=!seen[h.dataset.cat];});\n"
	"  shown.textContent=n+' of '+rows.length+' probes shown';\n"
	"}\n"
	"only.addEventListener('change',apply);cat.addEventListener('change',apply);\n"
	"document.getElementById('open-fail').addEventListener('click',function(){\n"
	"  document.querySelectorAll('td.escape details,td.overblocked details,td.error details')\n"
	"    .forEach(function(d){if(!d.closest('tr').hidden)d.open=!d.open;});\n"
	"});\n"
	"document.addEventListener('keydown',function(e){if(e.key==='Escape')\n"
	"  document.querySelectorAll('td.v details[open]').forEach(function(d){d.open=false;});});\n"
	"document.body.dataset.ready='1';apply();\n"
	"})();\n";

static const char *const glyph[V__COUNT] = {
	[V_PASS] = "\u2713", [V_ESCAPE] = "\u2717", [V_OVERBLOCKED] = "\u2298",
	[V_ERROR] = "!",     [V_SKIP] = "\u2013",   [V_XFAIL] = "x",
};

/* Text or a double-quoted attribute value: valid XML characters, the five
 * markup characters as entities. */
static void esc(struct sbuf *out, const char *s)
{
	_cleanup_free_ char *clean = xml_sanitize(s ? s : "");

	for (const char *p = clean ? clean : ""; *p; p++) {
		switch (*p) {
		case '&': sb_puts(out, "&amp;"); break;
		case '<': sb_puts(out, "&lt;"); break;
		case '>': sb_puts(out, "&gt;"); break;
		case '"': sb_puts(out, "&quot;"); break;
		case '\'': sb_puts(out, "&#39;"); break;
		default: sb_putc(out, *p);
		}
	}
}

static void label(struct sbuf *out, const struct column *c)
{
	char buf[512];

	column_label(c, buf, sizeof(buf));
	esc(out, buf);
}

static bool failing(enum verdict v)
{
	return v == V_ESCAPE || v == V_OVERBLOCKED || v == V_ERROR;
}

static void dl_item(struct sbuf *out, const char *key, const char *value)
{
	if (!value || !*value)
		return;
	sb_printf(out, "<dt>%s</dt><dd>", key);
	esc(out, value);
	sb_puts(out, "</dd>");
}

static void cell(struct sbuf *out, const struct result *x, const struct column *c, const struct render_opts *o)
{
	char ms[32];

	if (!x) {
		sb_puts(out, "<td></td>");
		return;
	}
	snprintf(ms, sizeof(ms), "%.1f ms", x->duration_ms);
	sb_printf(out, "<td class=\"v %s\"><details><summary>%s %s</summary><div class=\"pop\"><dl>", verdict_name(x->verdict),
		  glyph[x->verdict], verdict_name(x->verdict));
	dl_item(out, "probe", x->probe);
	sb_puts(out, "<dt>column</dt><dd>");
	label(out, c);
	sb_puts(out, "</dd>");
	dl_item(out, "effect", x->effect);
	dl_item(out, "expected", expect_name(x->expected));
	dl_item(out, "observed", x->observed);
	dl_item(out, "control", x->control);
	dl_item(out, "errno", x->errno_name);
	dl_item(out, "evidence", x->detail);
	dl_item(out, "duration", ms);
	if ((x->verdict == V_ESCAPE || x->verdict == V_OVERBLOCKED) && o->hint)
		dl_item(out, "hint", o->hint(x->probe));
	sb_puts(out, "</dl></div></details></td>");
}

#define HOSTS_OPEN 20 /* more hosts than this: their facts table starts closed */

/* "h-3": the anchor of the matrix columns of r->hosts[3]. */
static void host_anchor(struct sbuf *out, const struct report *r, const char *host)
{
	const struct host_facts *h = report_host(r, host);

	sb_printf(out, "h-%td", h == &r->host ? (ptrdiff_t)-1 : h - r->hosts);
}

static bool same_text(const char *a, const char *b)
{
	return a && b ? !strcmp(a, b) : a == b;
}

/* Two hosts' entries for a backend that read the same. */
static bool same_backend_text(const struct backend_info *a, const struct backend_info *b)
{
	return a->available == b->available && same_text(a->name, b->name) && same_text(a->version, b->version) &&
	       same_text(a->reason, b->reason) && same_text(a->notes, b->notes);
}

static bool said_before(const struct report *r, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (same_backend_text(&r->backends[j], &r->backends[i]))
			return true;
	return false;
}

static void facts(struct sbuf *out, const struct report *r)
{
	size_t n = r->nhosts ? r->nhosts : 1;

	sb_puts(out, "<h2>Hosts</h2>\n");
	if (n > HOSTS_OPEN)
		sb_printf(out, "<details><summary>the facts of %zu hosts</summary>\n", n);
	sb_puts(out, "<table class=\"facts\"><tr><th>host</th><th>kernel</th><th>arch</th>"
		     "<th>Landlock ABI</th><th>seccomp</th><th>user ns</th><th>container</th><th>uid</th><th>user</th>");
	if (r->nhosts)
		sb_puts(out, "<th>rows</th>");
	sb_puts(out, "</tr>\n");
	for (size_t i = 0; i < n; i++) {
		const struct host_facts *h = r->nhosts ? &r->hosts[i] : &r->host;
		sb_puts(out, "<tr><td>");
		esc(out, h->name);
		sb_puts(out, "</td><td>");
		esc(out, h->kernel);
		sb_puts(out, "</td><td>");
		esc(out, h->arch);
		sb_printf(out, "</td><td>%d</td><td>%s</td><td>%s</td><td>", h->landlock_abi, h->seccomp ? "yes" : "no",
			  h->userns ? "yes" : "no");
		esc(out, h->container ? h->container : "none");
		sb_printf(out, "</td><td>%u</td><td>", h->uid);
		esc(out, h->user);
		if (r->nhosts) {
			sb_puts(out, "</td><td><a href=\"#");
			host_anchor(out, r, h->like ? h->like : h->name);
			sb_puts(out, "\">");
			if (h->like) {
				sb_puts(out, "like ");
				esc(out, h->like);
			} else
				sb_puts(out, "its own");
			sb_puts(out, "</a>");
		}
		sb_puts(out, "</td></tr>\n");
	}
	sb_puts(out, n > HOSTS_OPEN ? "</table></details>\n" : "</table>\n");
	sb_puts(out, "<h2>Backends</h2>\n<table class=\"facts\"><tr><th>backend</th>");
	if (r->nhosts)
		sb_puts(out, "<th>host</th>");
	sb_puts(out, "<th>available</th><th>version</th><th>notes</th></tr>\n");
	for (size_t i = 0; i < r->nbackends; i++) {
		const struct backend_info *b = &r->backends[i];
		if (said_before(r, i)) /* merged: the same backend on other hosts, one line */
			continue;
		sb_puts(out, "<tr><td>");
		esc(out, b->name);
		if (r->nhosts) {
			sb_puts(out, "</td><td>");
			for (size_t j = i, listed = 0; j < r->nbackends; j++)
				if (j == i || same_backend_text(b, &r->backends[j])) {
					char more[32] = "";
					size_t like = report_hosts_like(r, r->backends[j].host);
					if (like > 1)
						snprintf(more, sizeof(more), " (+%zu)", like - 1);
					sb_puts(out, listed++ ? ", " : "");
					esc(out, r->backends[j].host);
					sb_puts(out, more);
				}
		}
		sb_printf(out, "</td><td class=\"%s\">%s</td><td>", b->available ? "pass" : "skip", b->available ? "yes" : "no");
		esc(out, b->version);
		sb_puts(out, "</td><td class=\"notes\">");
		esc(out, b->available ? b->notes : b->reason);
		sb_puts(out, "</td></tr>\n");
	}
	sb_puts(out, "</table>\n");
}

#define MEMBERS_OPEN 12 /* hosts named before the list folds */

/* Merged reports open with it: host x backend, agreeing hosts on one line. */
static void fleet_grid(struct sbuf *out, const struct report *r, const struct grid *g)
{
	struct sbuf t = {0};

	sb_printf(out, "<h2>Hosts x backends</h2>\n<p class=\"meta\">%zu hosts, %zu distinct %s; a cell is the verdict "
		       "of the backend's worst mode (and its count); a line links to its columns in the matrix</p>\n"
		       "<table class=\"grid\"><tr><th>hosts</th>",
		  r->nhosts, g->nlines, g->nlines == 1 ? "outcome" : "outcomes");
	for (size_t b = 0; b < g->nbackends; b++) {
		sb_puts(out, "<th>");
		esc(out, g->backends[b]);
		sb_puts(out, "</th>");
	}
	sb_puts(out, "<th>rows</th></tr>\n");
	for (size_t l = 0; l < g->nlines; l++) {
		const struct grid_line *line = &g->lines[l];
		sb_puts(out, "<tr><th class=\"line\"><a href=\"#");
		host_anchor(out, r, line->host);
		sb_puts(out, "\">");
		grid_line_text(line, &t);
		esc(out, t.s);
		sb_free(&t);
		sb_puts(out, "</a>");
		if (line->hosts > 1) {
			sb_printf(out, "<details%s><summary>and the %zu like it</summary>",
				  line->hosts <= MEMBERS_OPEN ? " open" : "", line->hosts - 1);
			report_hosts_like_names(r, line->host, line->hosts, &t);
			esc(out, t.s);
			sb_free(&t);
			sb_puts(out, "</details>");
		}
		sb_puts(out, "</th>");
		for (size_t b = 0; b < g->nbackends; b++) {
			const struct grid_cell *c = &g->cells[l * g->nbackends + b];
			const char *cause = grid_cell_cause(c);
			sb_printf(out, "<td class=\"cell st-%d\">", c->worst ? (int)c->worst->verdict.word : (int)SW_NOT_TESTED);
			grid_cell_text(c, &t);
			esc(out, t.s);
			sb_free(&t);
			if (cause) {
				sb_puts(out, "<small>");
				esc(out, cause);
				sb_puts(out, "</small>");
			}
			sb_puts(out, "</td>");
		}
		sb_puts(out, "<td class=\"rows\">");
		grid_rows_text(g, l, &t);
		esc(out, t.s);
		sb_free(&t);
		sb_puts(out, "</td></tr>\n");
	}
	sb_puts(out, "</table>\n");
}

static void summary(struct sbuf *out, const struct report *r, const struct matrix *m)
{
	sb_puts(out, "<h2>Summary</h2>\n<p>");
	for (int v = 0; v < V__COUNT; v++)
		sb_printf(out, "<span class=\"badge %s\">%zu %s</span>", verdict_name((enum verdict)v), r->summary[v],
			  verdict_name((enum verdict)v));
	sb_puts(out, "</p>\n<table class=\"facts\"><tr><th>backend/mode</th><th>verdict</th></tr>\n");
	for (size_t c = 0; c < m->ncols; c++) {
		struct sbuf s = {0};
		column_summary(&m->cols[c], &s);
		sb_puts(out, "<tr><td>");
		label(out, &m->cols[c]);
		sb_printf(out, "</td><td class=\"st-%d\">", (int)m->cols[c].verdict.word);
		esc(out, s.s);
		sb_puts(out, "</td></tr>\n");
		sb_free(&s);
	}
	sb_puts(out, "</table>\n");
}

static bool same_group(const struct column *a, const struct column *b)
{
	return !strcmp(a->backend, b->backend) && (a->host && b->host ? !strcmp(a->host, b->host) : a->host == b->host);
}

static void matrix_table(struct sbuf *out, const struct report *r, const struct matrix *m, const struct render_opts *o)
{
	const char *cat = NULL;

	sb_puts(out, "<div class=\"filters\"><label><input type=\"checkbox\" id=\"only-fail\"> only failures</label>"
		     "<label>category <select id=\"cat\"><option value=\"\">all</option>");
	for (size_t p = 0; p < m->nprobes; p++)
		if (!cat || strcmp(cat, m->cats[p])) {
			cat = m->cats[p];
			sb_puts(out, "<option value=\"");
			esc(out, cat);
			sb_puts(out, "\">");
			esc(out, cat);
			sb_puts(out, "</option>");
		}
	sb_puts(out, "</select></label><button type=\"button\" id=\"open-fail\">open failing cells</button> "
		     "<span id=\"shown\"></span></div>\n");

	/* two header rows: backend groups (per host when merged), then modes */
	sb_puts(out, "<table class=\"matrix\">\n<thead><tr><th rowspan=\"2\">probe</th>");
	for (size_t c = 0; c < m->ncols;) {
		size_t span = 1;
		while (c + span < m->ncols && same_group(&m->cols[c], &m->cols[c + span]))
			span++;
		sb_printf(out, "<th colspan=\"%zu\"", span);
		if (m->cols[c].host && (c == 0 || strcmp(m->cols[c - 1].host, m->cols[c].host))) {
			sb_puts(out, " id=\""); /* the grid's lines link here */
			host_anchor(out, r, m->cols[c].host);
			sb_puts(out, "\"");
		}
		sb_puts(out, ">");
		esc(out, m->cols[c].backend);
		if (m->cols[c].host) {
			sb_puts(out, " @ ");
			esc(out, m->cols[c].host);
			if (m->cols[c].hosts > 1)
				sb_printf(out, " <small>and %zu like it</small>", m->cols[c].hosts - 1);
		}
		sb_puts(out, "</th>");
		c += span;
	}
	sb_puts(out, "</tr>\n<tr>");
	for (size_t c = 0; c < m->ncols; c++) {
		sb_puts(out, "<th>");
		esc(out, m->cols[c].mode);
		sb_printf(out, "<small class=\"st-%d\">%s</small></th>", (int)m->cols[c].verdict.word,
			  sandbox_word_name(m->cols[c].verdict.word));
	}
	sb_puts(out, "</tr></thead>\n<tbody>\n");
	cat = NULL;
	for (size_t p = 0; p < m->nprobes; p++) {
		const struct result *any = NULL;
		bool fail = false;
		for (size_t c = 0; c < m->ncols; c++) {
			const struct result *x = m->cell[p * m->ncols + c];
			any = any ? any : x;
			fail = fail || (x && failing(x->verdict));
		}
		if (!cat || strcmp(cat, m->cats[p])) {
			cat = m->cats[p];
			sb_puts(out, "<tr class=\"cat\" data-cat=\"");
			esc(out, cat);
			sb_printf(out, "\"><th colspan=\"%zu\">", m->ncols + 1);
			esc(out, cat);
			sb_puts(out, "</th></tr>\n");
		}
		sb_puts(out, "<tr class=\"row\" data-cat=\"");
		esc(out, cat);
		sb_printf(out, "\" data-fail=\"%d\"><th class=\"probe\">", fail);
		esc(out, m->probes[p]);
		sb_puts(out, "<small>");
		esc(out, any ? any->effect : "");
		sb_puts(out, "</small></th>");
		for (size_t c = 0; c < m->ncols; c++)
			cell(out, m->cell[p * m->ncols + c], &m->cols[c], o);
		sb_puts(out, "</tr>\n");
	}
	sb_puts(out, "</tbody></table>\n");
}

/* Failing rows grouped by probe: evidence per column, then the hint. */
static void failure_list(struct sbuf *out, const struct report *r, const struct matrix *m, const struct render_opts *o)
{
	static const enum verdict order[] = {V_ESCAPE, V_OVERBLOCKED, V_ERROR};

	if (!r->summary[V_ESCAPE] && !r->summary[V_OVERBLOCKED] && !r->summary[V_ERROR])
		return;
	sb_puts(out, "<h2>Failing rows</h2>\n<ul class=\"fail-list\">\n");
	for (size_t k = 0; k < ARRAY_SIZE(order); k++)
		for (size_t p = 0; p < m->nprobes; p++) {
			bool open = false;
			for (size_t c = 0; c < m->ncols; c++) {
				const struct result *x = m->cell[p * m->ncols + c];
				if (!x || x->verdict != order[k])
					continue;
				if (!open) {
					sb_printf(out, "<li><span class=\"badge %s\">%s</span><b>", verdict_name(order[k]),
						  verdict_name(order[k]));
					esc(out, x->probe);
					sb_puts(out, "</b><ul>\n");
					open = true;
				}
				sb_puts(out, "<li>");
				label(out, &m->cols[c]);
				sb_puts(out, ": <span class=\"ev\">");
				esc(out, x->detail);
				sb_puts(out, "</span></li>\n");
			}
			if (!open)
				continue;
			const char *hint = order[k] != V_ERROR && o->hint ? o->hint(m->probes[p]) : NULL;
			if (hint) {
				sb_puts(out, "<li class=\"hint\">hint: ");
				esc(out, hint);
				sb_puts(out, "</li>\n");
			}
			sb_puts(out, "</ul></li>\n");
		}
	sb_puts(out, "</ul>\n");
}

int report_html(const struct report *r, const struct render_opts *opts, char **out)
{
	static const struct render_opts none;
	const struct render_opts *o = opts ? opts : &none;
	struct matrix m;
	struct grid g = {0};
	struct sbuf s = {0}, line = {0};
	int rc;

	if ((rc = matrix_build(r, &m)) < 0)
		return rc;
	if (r->nhosts && (rc = grid_build(&m, &g)) < 0) {
		matrix_free(&m);
		return rc;
	}
	report_verdict_line(&m, &line);
	sb_puts(&s, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
		    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
		    "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n"
		    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>cagetest: ");
	esc(&s, line.s);
	sb_printf(&s, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<h1 class=\"st-%d\">", css, (int)matrix_word(&m));
	esc(&s, line.s);
	sb_puts(&s, "</h1>\n<p class=\"meta\">cagetest ");
	esc(&s, r->version ? r->version : CAGETEST_VERSION);
	sb_puts(&s, ", started ");
	esc(&s, r->started ? r->started : "?");
	sb_printf(&s, ", %.1f s, %zu rows", r->duration_s, report_rows(r));
	if (r->nhosts)
		sb_printf(&s, " of %zu hosts (%zu kept: one copy per distinct outcome)", r->nhosts, r->nresults);
	sb_printf(&s, "%s</p>\n", r->interrupted ? " (interrupted)" : "");
	if (r->nhosts)
		fleet_grid(&s, r, &g);
	facts(&s, r);
	summary(&s, r, &m);
	sb_puts(&s, "<h2>Matrix</h2>\n<p>");
	for (int v = 0; v < V__COUNT; v++)
		sb_printf(&s, "<span class=\"badge %s\">%s %s</span>", verdict_name((enum verdict)v), glyph[v],
			  verdict_name((enum verdict)v));
	sb_puts(&s, " click a cell for its evidence</p>\n");
	matrix_table(&s, r, &m, o);
	failure_list(&s, r, &m, o);
	if (r->nfixed_known) {
		sb_puts(&s, "<h2>Known failures that pass now</h2>\n<p>Tighten the baseline: these entries are no longer "
			    "needed.</p>\n<ul>\n");
		for (size_t i = 0; i < r->nfixed_known; i++) {
			sb_puts(&s, "<li>");
			esc(&s, r->fixed_known[i]);
			sb_puts(&s, "</li>\n");
		}
		sb_puts(&s, "</ul>\n");
	}
	if (r->nexplains) {
		sb_puts(&s, "<h2>What each backend applied</h2>\n");
		for (size_t i = 0; i < r->nexplains; i++) {
			const struct explain_text *e = &r->explains[i];
			sb_puts(&s, "<details><summary>");
			esc(&s, e->backend);
			sb_puts(&s, "/");
			esc(&s, e->mode);
			if (e->host) {
				sb_puts(&s, "@");
				esc(&s, e->host);
			}
			sb_puts(&s, "</summary><pre>");
			esc(&s, e->text);
			sb_puts(&s, "</pre></details>\n");
		}
	}
	sb_printf(&s, "<script>\n%s</script>\n</body></html>\n", js);
	sb_free(&line);
	grid_free(&g);
	matrix_free(&m);
	*out = sb_take(&s);
	return *out ? 0 : -ENOMEM;
}

/* TAP version 14: one subtest per backend.mode (per host in merged
 * reports), one test point per row; skip and xfail as SKIP and TODO
 * directives; failures carry a YAML diagnostic block. */
#include "render.h"

#include "../lib/util.h"

#include <errno.h>
#include <string.h>

/* A description or directive reason: one line without controls, and in a
 * description '#' and '\' escaped (a bare '#' would start a directive). */
static void put_line(struct sbuf *out, const char *s, bool escape_hash)
{
	struct sbuf clean = {0};

	text_clean(&clean, s);
	for (const char *p = clean.s ? clean.s : ""; *p; p++) {
		if (escape_hash && (*p == '#' || *p == '\\'))
			sb_putc(out, '\\');
		sb_putc(out, *p);
	}
	sb_free(&clean);
}

/* A YAML double-quoted scalar. */
static void put_quoted(struct sbuf *out, const char *s)
{
	_cleanup_free_ char *u = utf8_sanitize(s ? s : "");

	sb_putc(out, '"');
	for (const char *p = u ? u : ""; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '"' || c == '\\')
			sb_printf(out, "\\%c", c);
		else if (c == '\n')
			sb_puts(out, "\\n");
		else if (c < 0x20 || c == 0x7f)
			sb_printf(out, "\\u%04x", c);
		else
			sb_putc(out, (char)c);
	}
	sb_putc(out, '"');
}

static void yaml_field(struct sbuf *out, const char *key, const char *value)
{
	sb_printf(out, "      %s: ", key);
	put_quoted(out, value);
	sb_puts(out, "\n");
}

static void test_point(struct sbuf *out, size_t n, const struct result *x)
{
	bool ok = x->verdict == V_PASS || x->verdict == V_SKIP;

	sb_printf(out, "    %s %zu - ", ok ? "ok" : "not ok", n);
	put_line(out, x->probe, true);
	if (x->verdict == V_SKIP || x->verdict == V_XFAIL) {
		sb_puts(out, x->verdict == V_SKIP ? " # SKIP " : " # TODO known failure: ");
		put_line(out, x->detail, false);
	}
	sb_puts(out, "\n");
	if (x->verdict == V_PASS || x->verdict == V_SKIP)
		return;
	sb_puts(out, "      ---\n");
	yaml_field(out, "verdict", verdict_name(x->verdict));
	yaml_field(out, "category", x->category);
	yaml_field(out, "effect", x->effect);
	yaml_field(out, "expected", expect_name(x->expected));
	yaml_field(out, "observed", x->observed);
	yaml_field(out, "control", x->control);
	yaml_field(out, "errno", x->errno_name);
	yaml_field(out, "detail", x->detail);
	sb_printf(out, "      duration_ms: %.1f\n", x->duration_ms);
	sb_puts(out, "      ...\n");
}

int report_tap(const struct report *r, char **out)
{
	struct matrix m;
	struct sbuf s = {0};
	int rc;

	if ((rc = matrix_build(r, &m)) < 0)
		return rc;
	struct sbuf line = {0};
	report_verdict_line(&m, &line);
	sb_puts(&s, "TAP version 14\n# ");
	put_line(&s, line.s, false);
	sb_free(&line);
	sb_printf(&s, "\n1..%zu\n", m.ncols);
	for (size_t c = 0; c < m.ncols; c++) {
		const struct column *col = &m.cols[c];
		struct sbuf name = {0};
		size_t n = 0;
		bool failed = col->n[V_ESCAPE] || col->n[V_OVERBLOCKED] || col->n[V_ERROR];

		sb_printf(&name, "%s.%s%s%s", col->backend, col->mode, col->host ? "@" : "", col->host ? col->host : "");
		sb_puts(&s, "# Subtest: ");
		put_line(&s, name.s, false);
		sb_puts(&s, "\n");
		if (col->hosts > 1) { /* folded by merge: the same outcome */
			struct sbuf like = {0};
			report_hosts_like_names(r, col->host, r->nhosts, &like);
			sb_printf(&s, "    # and for the %zu hosts like it: ", col->hosts - 1);
			put_line(&s, like.s, false);
			sb_puts(&s, "\n");
			sb_free(&like);
		}
		for (size_t p = 0; p < m.nprobes; p++)
			n += m.cell[p * m.ncols + c] != NULL;
		sb_printf(&s, "    1..%zu\n", n);
		n = 0;
		for (size_t p = 0; p < m.nprobes; p++)
			if (m.cell[p * m.ncols + c])
				test_point(&s, ++n, m.cell[p * m.ncols + c]);
		sb_printf(&s, "%s %zu - ", failed ? "not ok" : "ok", c + 1);
		put_line(&s, name.s, true);
		if (col->n[V_SKIP] == n)
			sb_puts(&s, " # SKIP every row skipped");
		sb_puts(&s, "\n");
		sb_free(&name);
	}
	matrix_free(&m);
	*out = sb_take(&s);
	return *out ? 0 : -ENOMEM;
}

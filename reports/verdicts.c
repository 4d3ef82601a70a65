/* The sandbox verdict of one backend and mode: what a user must know before
 * enabling it, decided here and only here from the result model (the rows,
 * the backend's availability and cause, what its wrapper said). Every
 * summary renders it: the terminal, doctor, Markdown, HTML, TAP, JUnit's
 * `verdict` property and the JSON report's `verdicts`. README: Verdicts. */
#include "model.h"

#include "../lib/util.h"

#include <string.h>

/* Rows that must all look like the control's before a silent sandbox is
 * called open: one escaping probe is a weak sandbox, not proof of none. */
#define FAILS_OPEN_MIN 3
/* The backend that is no sandbox: the control. */
#define CONTROL_BACKEND "none"

static const char *const words[SW__COUNT] = {
	[SW_FAILS_OPEN] = "FAILS OPEN",   [SW_NOT_ENFORCED] = "NOT ENFORCED", [SW_FAILS_CLOSED] = "FAILS CLOSED",
	[SW_NOT_JUDGED] = "NOT JUDGED",   [SW_ENFORCED] = "ENFORCED",	      [SW_UNCONFINED] = "UNCONFINED",
	[SW_UNAVAILABLE] = "UNAVAILABLE", [SW_NOT_TESTED] = "NOT TESTED",
};

const char *sandbox_word_name(enum sandbox_word w)
{
	return (unsigned)w < SW__COUNT ? words[w] : "?";
}

int sandbox_word_from_name(const char *name)
{
	for (int w = 0; w < SW__COUNT; w++)
		if (name && !strcmp(words[w], name))
			return w;
	return -EINVAL;
}

static const char *plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static bool judged(enum verdict v)
{
	return v == V_PASS || v == V_ESCAPE || v == V_OVERBLOCKED || v == V_XFAIL;
}

/* What the column's rows show beyond the counts. */
struct look {
	size_t judged, like_control; /* judged rows; of them, observed what the control observed */
	size_t no_start;	     /* error rows whose sandbox never started */
	const struct result *first_no_start, *first_skip;
};

static void look_at(const struct matrix *m, size_t c, struct look *l)
{
	memset(l, 0, sizeof(*l));
	for (size_t p = 0; p < m->nprobes; p++) {
		const struct result *x = m->cell[p * m->ncols + c];
		if (!x)
			continue;
		if (judged(x->verdict)) {
			l->judged++;
			l->like_control += x->observed && x->control && !strcmp(x->observed, x->control);
		} else if (x->verdict == V_ERROR && x->detail && strstr(x->detail, DETAIL_NO_START)) {
			l->no_start++;
			l->first_no_start = l->first_no_start ? l->first_no_start : x;
		} else if (x->verdict == V_SKIP && !l->first_skip)
			l->first_skip = x;
	}
}

/* "exit status 1: bwrap: No permissions to create new namespace" out of a
 * row's "... sandbox did not start (no hello; exit status 1): bwrap: ...; host saw: ...". */
static void no_start_words(const struct result *x, struct sbuf *out)
{
	const char *p = strstr(x->detail, DETAIL_NO_START) + strlen(DETAIL_NO_START);
	const char *close = strstr(p, ")"), *end = strstr(p, "; host saw: ");
	size_t len = end ? (size_t)(end - p) : strlen(p);

	if (close && close < p + len) {
		sb_printf(out, "%.*s", (int)(close - p), p);
		p = close + 1;
		len = end ? (size_t)(end - p) : strlen(p);
	}
	sb_printf(out, "%.*s", (int)len, p);
}

static void counts_reason(const struct column *col, struct sbuf *s)
{
	size_t esc = col->n[V_ESCAPE] + col->known_escapes;

	sb_printf(s, "%zu %s", esc, plural(esc, "escape", "escapes"));
	if (col->known_escapes)
		sb_printf(s, " (%s%zu known: baseline)", col->known_escapes == esc ? "all " : "", col->known_escapes);
}

static void overblocked(const struct column *col, struct sbuf *s)
{
	if (col->n[V_OVERBLOCKED])
		sb_printf(s, ", %zu overblocked", col->n[V_OVERBLOCKED]);
}

static enum sandbox_word decide(const struct report *r, const struct matrix *m, size_t c, struct sbuf *s, size_t *n)
{
	const struct column *col = &m->cols[c];
	const struct backend_info *b = report_backend_at(r, col->host, col->backend);
	const char *said = report_said_at(r, col->host, col->backend, col->mode);
	size_t esc = col->n[V_ESCAPE] + col->known_escapes, errors = col->n[V_ERROR];
	struct look l;

	look_at(m, c, &l);
	*n = 0;
	if (b && !b->available) {
		sb_puts(s, b->reason && *b->reason ? b->reason : "the backend cannot run here");
		return SW_UNAVAILABLE;
	}
	if (!strcmp(col->backend, CONTROL_BACKEND) && l.judged) {
		sb_puts(s, "no sandbox: the control");
		return SW_UNCONFINED;
	}
	if (said && esc) {
		*n = esc;
		sb_printf(s, "%s said \"%s\"; %zu of its %zu rows the mode should block got out", col->backend, said, esc,
			  col->judged_blocked);
		return SW_FAILS_OPEN;
	}
	/* silent: it ran, and nothing it ran differed from no sandbox at all */
	if (col->judged_blocked >= FAILS_OPEN_MIN && esc == col->judged_blocked && l.like_control == l.judged) {
		*n = esc;
		sb_printf(s, "it started but blocked nothing the control could do: all %zu rows the mode should block "
			     "got out, and it said nothing about it", esc);
		return SW_FAILS_OPEN;
	}
	if (esc) {
		*n = esc;
		counts_reason(col, s);
		overblocked(col, s);
		return SW_NOT_ENFORCED;
	}
	if (errors && l.no_start == errors && !l.judged) {
		*n = errors;
		sb_printf(s, "it never started (%zu %s): ", errors, plural(errors, "row", "rows"));
		no_start_words(l.first_no_start, s);
		return SW_FAILS_CLOSED;
	}
	if (errors) {
		*n = errors;
		sb_printf(s, "%zu %s could not be judged", errors, plural(errors, "row", "rows"));
		if (l.no_start)
			sb_printf(s, " (%zu: the sandbox did not start)", l.no_start);
		overblocked(col, s);
		return SW_NOT_JUDGED;
	}
	if (col->judged_blocked) {
		if (col->judged_blocked == 1)
			sb_puts(s, "the one row the mode should block was blocked");
		else
			sb_printf(s, "all %zu rows the mode should block were blocked", col->judged_blocked);
		overblocked(col, s);
		return SW_ENFORCED;
	}
	if (l.judged) {
		sb_puts(s, "the mode blocks nothing");
		overblocked(col, s);
		return SW_UNCONFINED;
	}
	sb_puts(s, "every row skipped");
	if (l.first_skip && l.first_skip->detail && *l.first_skip->detail)
		sb_printf(s, ": %s", l.first_skip->detail);
	return SW_NOT_TESTED;
}

void column_verdict(const struct report *r, const struct matrix *m, size_t c, struct sandbox_verdict *out)
{
	struct sbuf s = {0};

	out->word = decide(r, m, c, &s, &out->n);
	/* one line, whatever a wrapper printed */
	for (size_t i = 0; s.s && i < s.len; i++)
		if (s.s[i] == '\n' || s.s[i] == '\r' || s.s[i] == '\t')
			s.s[i] = ' ';
	if (fmt(out->reason, sizeof(out->reason), "%s", s.s ? s.s : "") < 0) /* cut: say so */
		memcpy(out->reason + sizeof(out->reason) - 4, "...", 4);
	sb_free(&s);
}

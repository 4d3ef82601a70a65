/* The result model: one run (or several merged) as plain data. Every report
 * format renders from this and only this (the writers are render.h's, the
 * model knows none of them); `merge`, `diff` and `--baseline` read it back
 * from the JSON report (schema 1; 2 when hosts are folded; README: Reports). */
#ifndef CAGETEST_MODEL_H
#define CAGETEST_MODEL_H

#include "../lib/policy.h"

#include <stdbool.h>
#include <stddef.h>

struct sbuf;

#define CAGETEST_VERSION "0.1.0"
#define REPORT_SCHEMA 1
/* A merge that folded hosts (hosts[].like): a folded host's rows are another
 * host's, which a schema-1 reader would miss, so it is told by the number. */
#define REPORT_SCHEMA_FOLDED 2

enum verdict { V_PASS, V_ESCAPE, V_OVERBLOCKED, V_ERROR, V_SKIP, V_XFAIL, V__COUNT };

struct host_facts {
	char *name;    /* hostname, or a label given to merge */
	char *kernel;  /* uname release */
	char *arch;
	unsigned uid;  /* of the harness */
	char *user;    /* sandboxed side's user when --user is used, else NULL */
	int landlock_abi; /* 0 = none */
	bool seccomp;
	bool userns;
	char *container; /* "none", "docker", "podman", "kubernetes", "lxc", "wsl", "gvisor", ... */
	/* merged reports: the label of the host whose rows, backends and
	 * explain texts stand for this one's (the same outcome, merge.h);
	 * NULL when its own are in the report */
	char *like;
};

struct backend_info {
	char *name;
	bool available;
	char *version; /* may be NULL */
	char *reason;  /* why not available; NULL when available */
	char *notes;   /* what this backend cannot enforce here; may be NULL */
	char *host;    /* which host this came from (merged reports); may be NULL */
};

/* A text about one backend and mode: what it applied (the explain text,
 * the JUnit testsuite's system-out), or what its wrapper said about running
 * without a sandbox (the `said` list: an adapter's fails_open words found
 * on its stderr, verdicts.c quotes them). */
struct explain_text {
	char *backend, *mode, *text;
	char *host; /* merged reports: which host; may be NULL */
};

/* How a case's rows say the sandbox never started (case.c writes it,
 * verdicts.c reads it): "sandbox did not start (no hello; WHY): STDERR; host saw: ...". */
#define DETAIL_NO_START "sandbox did not start (no hello; "

struct result {
	char *backend, *mode, *probe, *category, *effect;
	enum expect expected;
	char *observed; /* "allowed" / "blocked" / "unknown" / "none" (never ran) */
	char *control;	/* same words */
	enum verdict verdict;
	char *errno_name; /* the errno the box saw, "" if none */
	char *detail;	  /* evidence and reasons */
	double duration_ms;
	char *host; /* merged reports: which host; may be NULL */
};

struct report {
	char *tool, *version;
	int schema;
	char *started; /* ISO 8601 UTC */
	double duration_s;
	bool interrupted;
	struct host_facts host;
	struct backend_info *backends;
	size_t nbackends;
	struct explain_text *explains;
	size_t nexplains;
	struct explain_text *said; /* a wrapper's own words that it runs unconfined */
	size_t nsaid;
	struct result *results;
	size_t nresults, cap;
	size_t summary[V__COUNT];
	/* baseline entries that are known failures but passed in this run */
	char **fixed_known;
	size_t nfixed_known;
	/* merged reports: each input's host facts, name = the label its rows
	 * and backends carry in their host field; 0 for a single run */
	struct host_facts *hosts;
	size_t nhosts;
};

const char *verdict_name(enum verdict v);
int verdict_from_name(const char *name);

/* Append a result (strings are copied). 0 or -ENOMEM. */
int report_add(struct report *r, const struct result *res);
/* Append a result whose malloc'd strings the report takes (freed on
 * failure too). 0 or -ENOMEM. */
int report_take(struct report *r, struct result *res);
int report_add_backend(struct report *r, const struct backend_info *b);
int report_add_explain(struct report *r, const char *backend, const char *mode, const char *text);
int report_add_explain_at(struct report *r, const char *host, const char *backend, const char *mode, const char *text);
int report_add_said_at(struct report *r, const char *host, const char *backend, const char *mode, const char *text);
int report_add_fixed(struct report *r, const char *what);
int report_add_host(struct report *r, const struct host_facts *h);
/* Lookups: the first match of any host, or (_at) of one host label (a
 * row's host field, NULL in a single run). */
const char *report_explain(const struct report *r, const char *backend, const char *mode);
const struct backend_info *report_backend(const struct report *r, const char *name);
const char *report_explain_at(const struct report *r, const char *host, const char *backend, const char *mode);
const char *report_said_at(const struct report *r, const char *host, const char *backend, const char *mode);
const struct backend_info *report_backend_at(const struct report *r, const char *host, const char *name);
const struct host_facts *report_host(const struct report *r, const char *host);
/* Merged reports: how many hosts the rows labelled host stand for (itself
 * and every host like it); 1 for anything else. */
size_t report_hosts_like(const struct report *r, const char *host);
/* The hosts like host, at most max named: "node-0002, node-0003 and 184
 * more" (safe for a terminal). */
void report_hosts_like_names(const struct report *r, const char *host, size_t max, struct sbuf *out);
/* summary[]: every host's rows, those of a folded group once per member. */
void report_summarize(struct report *r);
/* How many rows summary[] counts: every host's. */
size_t report_rows(const struct report *r);
void report_free(struct report *r);
int host_facts_copy(struct host_facts *dst, const struct host_facts *src);
void host_facts_free(struct host_facts *h);

/* What a user must know about one backend and mode before enabling it: the
 * sandbox verdict (JSON `verdicts`, JUnit's `verdict` property, every
 * summary). Worst first: a verdict line names the worst one found. */
enum sandbox_word {
	SW_FAILS_OPEN,	 /* it started and confined nothing: said so, or its rows look like the control's */
	SW_NOT_ENFORCED, /* escapes (known ones, baselined, too) */
	SW_FAILS_CLOSED, /* it never started: every command would fail */
	SW_NOT_JUDGED,	 /* rows that could not be judged (timeouts, crashes, some starts failed), no escape */
	SW_ENFORCED,	 /* everything the mode should block was blocked */
	SW_UNCONFINED,	 /* the mode blocks nothing by design (or the backend is the control) */
	SW_UNAVAILABLE,	 /* the backend cannot run here: its cause */
	SW_NOT_TESTED,	 /* every row skipped */
	SW__COUNT
};
#define VERDICT_REASON_MAX 768
struct sandbox_verdict {
	enum sandbox_word word;
	size_t n; /* escapes (FAILS OPEN, NOT ENFORCED); rows not judged (FAILS CLOSED, NOT JUDGED) */
	char reason[VERDICT_REASON_MAX]; /* one line, e.g. "6 escapes, 1 overblocked" */
};
/* "FAILS OPEN", "NOT ENFORCED", ... */
const char *sandbox_word_name(enum sandbox_word w);
int sandbox_word_from_name(const char *name);

/* The matrix every human-facing renderer draws: probes as rows (grouped by
 * category, in first-seen order) x columns (host, backend, mode, in
 * first-seen order), each column with its sandbox verdict. Pointers borrow
 * from the report. */
struct column {
	const char *host, *backend, *mode; /* host NULL in a single run */
	size_t hosts; /* hosts whose rows these are (report_hosts_like) */
	size_t n[V__COUNT];
	size_t known_escapes; /* xfail rows that expected blocked */
	size_t judged_blocked; /* pass/escape/xfail rows that expected blocked */
	struct sandbox_verdict verdict; /* verdicts.c */
};
struct matrix {
	struct column *cols;
	size_t ncols;
	const char **probes, **cats; /* cats[i]: category of probes[i] */
	size_t nprobes;
	const struct result **cell; /* [probe * ncols + col]; NULL = not run */
};
/* Also decides each column's verdict (column_verdict). */
int matrix_build(const struct report *r, struct matrix *m);
/* The column of row x; NULL when x is not of the report m was built from. */
const struct column *matrix_column(const struct matrix *m, const struct result *x);
void matrix_free(struct matrix *m);

/* verdicts.c, the one place a sandbox verdict is decided: column c of m
 * (built from r) from its rows, its backend's availability and what its
 * wrapper said (r->said). Pure. */
void column_verdict(const struct report *r, const struct matrix *m, size_t c, struct sandbox_verdict *out);
/* The worst verdict of any column (SW_NOT_TESTED for none). */
enum sandbox_word matrix_word(const struct matrix *m);
/* "landlock/workspace-write", "landlock/workspace-write@host" or, for
 * rows that stand for 187 hosts, "landlock/workspace-write@host (+186)" */
void column_label(const struct column *c, char *buf, size_t n);
/* "NOT ENFORCED: 6 escapes": the word, and the reason unless it is the
 * backend's (UNAVAILABLE: renderers print that once per backend). */
void column_summary(const struct column *c, struct sbuf *out);
/* The one line a person reads first, like chrome://sandbox (no newline):
 * "Sandbox: landlock/workspace-write ENFORCED", "Sandbox: NOT ENFORCED: 3 escapes in ...". */
void report_verdict_line(const struct matrix *m, struct sbuf *out);

/* The fleet grid merged reports open with: one line per host whose rows
 * are in the report (a folded group is one line: "187 hosts like
 * node-0001"), most hosts first; one cell per backend, with the sandbox
 * verdict of its worst mode. Pointers borrow from the matrix. */
struct grid_cell {
	const struct column *worst; /* its worst verdict (then count); NULL: no rows on this line */
	size_t others;		    /* other modes with the same verdict word */
};
struct grid_line {
	const char *host; /* NULL in a single run */
	size_t hosts;	  /* hosts whose rows these are */
	size_t differs;	  /* rows whose verdict differs from the first line's */
	size_t order;	  /* first-seen order, for ties */
};
struct grid {
	const char **backends;
	size_t nbackends;
	struct grid_line *lines;
	size_t nlines;
	struct grid_cell *cells; /* [line * nbackends + backend] */
};
int grid_build(const struct matrix *m, struct grid *g);
void grid_free(struct grid *g);
/* "NOT ENFORCED (workspace-write: 30)", "ENFORCED", "not run" (no newline,
 * safe for a terminal); the count is the verdict's (escapes, or rows not
 * judged), "; 2 more modes" when other modes have the same word. */
void grid_cell_text(const struct grid_cell *c, struct sbuf *out);
/* The cause behind a cell whose count does not say it (FAILS OPEN, FAILS
 * CLOSED, NOT JUDGED, UNAVAILABLE, NOT TESTED): its worst mode's verdict
 * reason; NULL for the others. Raw text: renderers escape it. */
const char *grid_cell_cause(const struct grid_cell *c);
/* "187 hosts like node-0001" or "node-0001" */
void grid_line_text(const struct grid_line *l, struct sbuf *out);
/* How line l's rows compare with the first line's: "the most hosts'
 * outcome", "3 verdicts differ from node-0001", ... */
void grid_rows_text(const struct grid *g, size_t l, struct sbuf *out);


/* Parse a JSON report (schema 1 or 2). err gets "where: what". */
int report_from_json(const char *text, struct report *r, char *err, size_t n);

/* Make s valid for XML 1.0 text: bad UTF-8 and disallowed control
 * characters become U+FFFD. Returns a new string. */
char *xml_sanitize(const char *s);
/* Only replace bad UTF-8 (JSON escapes control characters itself). */
char *utf8_sanitize(const char *s);
/* Append s as one line safe for a terminal: text from the sandboxed side can
 * hold escape sequences, so controls (C0, DEL, C1 such as U+009B CSI) become
 * '?' and bad UTF-8 becomes U+FFFD. */
void text_clean(struct sbuf *out, const char *s);

#endif

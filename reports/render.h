/* The report writers: one const table (name, render), as the backends and
 * the probes have theirs. The CLI derives its report options (--json F,
 * --junit F, ...) from it; the model (model.h) knows none of them, so its
 * users (merge, diff, the Seatbelt tests) link without any writer. */
#ifndef CAGETEST_RENDER_H
#define CAGETEST_RENDER_H

#include "model.h"

/* What renderers may use beyond the model; every field is optional. */
struct render_opts {
	const char *(*hint)(const char *probe); /* remediation for a probe id, NULL if none */
	bool tty;     /* terminal: the matrix and Unicode glyphs, not plain lines */
	bool color;   /* terminal: ANSI colours */
	bool unicode; /* terminal: Unicode glyphs */
};

/* A file format: its name is also its option (--json F). */
struct writer {
	const char *name;
	/* text to *out (malloc'd); 0 or -errno. o may be NULL. */
	int (*render)(const struct report *r, const struct render_opts *o, char **out);
};

#define WRITERS_MAX 8 /* room the CLI keeps for their options */
extern const struct writer writers[];
extern const size_t nwriters;
/* By name; NULL when there is none. */
const struct writer *writer_find(const char *name);

/* The writers themselves: text to *out (malloc'd). 0 or -errno. */
int report_json(const struct report *r, char **out);
int report_junit(const struct report *r, char **out);
int report_tap(const struct report *r, char **out);
int report_markdown(const struct report *r, const struct render_opts *o, char **out);
int report_html(const struct report *r, const struct render_opts *o, char **out);
/* The end-of-run text for a terminal (a matrix on a TTY, plain lines otherwise). */
int report_terminal(const struct report *r, const struct render_opts *o, char **out);
/* The live progress line (starts with \r, no newline). */
void terminal_progress(struct sbuf *out, size_t done, size_t total, size_t escapes, bool color);

#endif

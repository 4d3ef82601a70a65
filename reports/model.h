/* The result model: one run (or several merged) as plain data. Every report
 * format renders from this and only this; `merge`, `diff` and `--baseline`
 * read it back from the JSON report (schema 1, see DESIGN.md). */
#ifndef CAGETEST_MODEL_H
#define CAGETEST_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#define CAGETEST_VERSION "0.1.0"
#define REPORT_SCHEMA 1

enum verdict { V_PASS, V_ESCAPE, V_OVERBLOCKED, V_ERROR, V_SKIP, V_XFAIL, V__COUNT };
enum expect { EXPECT_BLOCKED, EXPECT_ALLOWED };

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
};

struct backend_info {
	char *name;
	bool available;
	char *version; /* may be NULL */
	char *reason;  /* why not available; NULL when available */
	char *notes;   /* what this backend cannot enforce here; may be NULL */
	char *host;    /* which host this came from (merged reports); may be NULL */
};

/* What a backend applied for one mode: the JUnit testsuite's system-out. */
struct explain_text {
	char *backend, *mode, *text;
};

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
	struct result *results;
	size_t nresults, cap;
	size_t summary[V__COUNT];
	/* baseline entries that are known failures but passed in this run */
	char **fixed_known;
	size_t nfixed_known;
};

const char *verdict_name(enum verdict v);
int verdict_from_name(const char *name);
const char *expect_name(enum expect e);
int expect_from_name(const char *name);

/* Append a result (strings are copied). 0 or -ENOMEM. */
int report_add(struct report *r, const struct result *res);
int report_add_backend(struct report *r, const struct backend_info *b);
int report_add_explain(struct report *r, const char *backend, const char *mode, const char *text);
int report_add_fixed(struct report *r, const char *what);
const char *report_explain(const struct report *r, const char *backend, const char *mode);
const struct backend_info *report_backend(const struct report *r, const char *name);
void report_summarize(struct report *r);
void report_free(struct report *r);

/* Renderers: text to *out (malloc'd). 0 or -errno. */
int report_json(const struct report *r, char **out);
int report_junit(const struct report *r, char **out);
/* Parse a JSON report (schema 1). err gets "where: what". */
int report_from_json(const char *text, struct report *r, char *err, size_t n);

/* Make s valid for XML 1.0 text: bad UTF-8 and disallowed control
 * characters become U+FFFD. Returns a new string. */
char *xml_sanitize(const char *s);
/* Only replace bad UTF-8 (JSON escapes control characters itself). */
char *utf8_sanitize(const char *s);

#endif

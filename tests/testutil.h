/* Shared by the cmocka unit and live tests. */
#ifndef CAGETEST_TESTUTIL_H
#define CAGETEST_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/xmlschemas.h>

#include "../lib/util.h"
#include "../reports/model.h"
#include "../reports/render.h"

#ifndef BUILDDIR
#define BUILDDIR "build"
#endif
#ifndef SRCDIR
#define SRCDIR "."
#endif

#define CAGETEST BUILDDIR "/cagetest"

#ifdef __APPLE__ /* make check-seatbelt: macOS declares no environ */
extern char **environ;
#endif


/* Run argv (NULL-terminated); capture stdout and stderr (each may be NULL). */
static inline int run_cmd(char *const argv[], char **out, char **err)
{
	char outp[] = BUILDDIR "/tests/.outXXXXXX", errp[] = BUILDDIR "/tests/.errXXXXXX";
	int ofd = mkstemp(outp), efd = mkstemp(errp), st = -1;
	posix_spawn_file_actions_t fa;
	pid_t pid;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, ofd, 1);
	posix_spawn_file_actions_adddup2(&fa, efd, 2);
	if (posix_spawn(&pid, argv[0], &fa, NULL, argv, environ) == 0)
		waitpid(pid, &st, 0);
	posix_spawn_file_actions_destroy(&fa);
	close(ofd), close(efd);
	if (out && read_file(outp, 64 << 20, out, NULL) < 0)
		*out = strdup("");
	if (err && read_file(errp, 64 << 20, err, NULL) < 0)
		*err = strdup("");
	unlink(outp), unlink(errp);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

/* Run `cagetest ARGS` (split on spaces); returns the exit code. */
static inline int cli(const char *args, char **out, char **err)
{
	char cmd[8192], *argv[64]; /* more than any caller's args */
	int argc = 0;

	snprintf(cmd, sizeof(cmd), "%s %s", CAGETEST, args);
	for (char *t = strtok(cmd, " "); t && argc < 63; t = strtok(NULL, " "))
		argv[argc++] = t;
	argv[argc] = NULL;
	return run_cmd(argv, out, err);
}

/* `cagetest run ARGS... --json -` parsed; returns the exit code. */
static inline int run_json(struct report *rep, const char *args)
{
	char cmd[4096], *out = NULL, *err = NULL, perr[256];
	int code;

	snprintf(cmd, sizeof(cmd), "run -q --json - %s", args);
	code = cli(cmd, &out, &err);
	if (report_from_json(out, rep, perr, sizeof(perr)) < 0)
		fail_msg("cagetest %s: exit %d, no JSON report (%s); stderr: %s", args, code, perr, err);
	free(out);
	free(err);
	return code;
}

static inline const struct result *find_row(const struct report *r, const char *backend, const char *mode,
					    const char *probe)
{
	for (size_t i = 0; i < r->nresults; i++)
		if (!strcmp(r->results[i].backend, backend) && !strcmp(r->results[i].mode, mode) &&
		    !strcmp(r->results[i].probe, probe))
			return &r->results[i];
	return NULL;
}

/* A helper script's answer: its stdout's first line in line, its stderr's
 * (else stdout's) in why; the exit code (77: cannot be done here). */
static inline int script(char *const argv[], char *line, size_t n, char *why, size_t wn)
{
	char *out = NULL, *err = NULL;
	int rc = run_cmd(argv, &out, &err);

	snprintf(line, n, "%.*s", (int)strcspn(out, "\n"), out);
	snprintf(why, wn, "%.*s", (int)strcspn(err, "\n"), err[0] ? err : out);
	if (rc != 0 && rc != 77)
		print_message("%s failed (%d):\n%s%s", argv[0], rc, out, err);
	free(out), free(err);
	return rc;
}

/* make dist for the live tests that run build/dist/cagetest: 0 when built,
 * 77 with why when this host cannot build it (ci/dist-libs.sh says so: no
 * network for the Debian sources, a tool missing), -1 when a build fails
 * (a failure, never a skip). */
static inline int dist_build(char *why, size_t n)
{
	char *libs[] = {SRCDIR "/ci/dist-libs.sh", "/var/tmp/cagetest-dist", NULL};
	char *make[] = {"/usr/bin/make", "-s", "-C", SRCDIR, "dist", NULL};
	char line[4096];
	int rc = script(libs, line, sizeof(line), why, n);

	if (rc == 77)
		return 77;
	return rc != 0 || script(make, line, sizeof(line), why, n) != 0 ? -1 : 0;
}

/* A test of the dist in containers needs root and build/dist/cagetest: 0
 * when both are there, with dir (a mkdtemp template) made; 1 when not, with
 * not_run saying why (a skip); -1 when the dist does not build (a failure,
 * never a skip) or dir cannot be made. */
static inline int dist_for_containers(const char *root_for, char *dir, char *not_run, size_t n)
{
	char why[512];
	int built;

	if (geteuid() != 0)
		return *dir = 0, snprintf(not_run, n, "needs root (%s)", root_for), 1;
	if ((built = dist_build(why, sizeof(why))) == 77)
		return *dir = 0, snprintf(not_run, n, "cannot build the dist here: %s", why), 1;
	if (built || !mkdtemp(dir))
		return *dir = 0, -1;
	return 0;
}

/* A process as /proc knows it: its pid and start time (pids are reused). */
struct ptask {
	pid_t pid;
	unsigned long long start;
};

/* ppid and start time of pid from /proc/PID/stat; false when it is gone. */
static inline bool stat_of(pid_t pid, pid_t *ppid, unsigned long long *start)
{
	char p[64];
	_cleanup_free_ char *st = NULL;
	const char *f;
	int ppid_i = 0;

	snprintf(p, sizeof(p), "/proc/%d/stat", (int)pid);
	if (read_file(p, 4096, &st, NULL) < 0 || !(f = strrchr(st, ')')))
		return false;
	/* after "(comm)": state ppid ... field 22 is the start time */
	if (sscanf(f + 2, "%*c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu", &ppid_i,
		   start) != 2)
		return false;
	*ppid = ppid_i;
	return true;
}

/* Every descendant of root now (the session's dockerd, shims, containers):
 * only what this session started counts, whatever other sessions run. */
static inline size_t descendants(pid_t root, struct ptask *v, size_t max)
{
	size_t n = 0;
	bool grew = true;

	while (grew) {
		DIR *d = opendir("/proc");
		struct dirent *e;
		grew = false;
		while (d && (e = readdir(d)) && n < max) {
			pid_t pid = atoi(e->d_name), ppid;
			unsigned long long start;
			bool known = false;
			if (pid <= 0 || !stat_of(pid, &ppid, &start))
				continue;
			for (size_t i = 0; i < n && !known; i++)
				known = v[i].pid == pid;
			bool under = ppid == root;
			for (size_t i = 0; i < n && !under; i++)
				under = v[i].pid == ppid;
			if (!known && under) {
				v[n++] = (struct ptask){pid, start};
				grew = true;
			}
		}
		if (d)
			closedir(d);
	}
	return n;
}

static inline size_t alive(const struct ptask *v, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		pid_t ppid;
		unsigned long long start;
		k += stat_of(v[i].pid, &ppid, &start) && start == v[i].start;
	}
	return k;
}

struct xsd_err {
	char *buf;
	size_t n;
};

/* The first validity error goes into the caller's message, not to stderr. */
static inline void xsd_first_error(void *ctx, const xmlError *e)
{
	struct xsd_err *x = ctx;

	if (x->buf[0] == 0 && e && e->message)
		snprintf(x->buf, x->n, "line %d: %s", e->line, e->message);
}

/* 0 when xml is valid against the schema file xsd, else -1 or the number of
 * errors, with err naming the schema and the first error. */
static inline int validate_xsd(const char *xsd, const char *xml, char *err, size_t n)
{
	char first[512] = "";
	struct xsd_err x = {first, sizeof(first)};
	xmlSchemaParserCtxtPtr pc = xmlSchemaNewParserCtxt(xsd);
	xmlSchemaPtr schema = pc ? xmlSchemaParse(pc) : NULL;
	xmlSchemaValidCtxtPtr vc = schema ? xmlSchemaNewValidCtxt(schema) : NULL;
	xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "junit.xml", NULL, XML_PARSE_NONET);
	int r = -1;

	if (!vc)
		snprintf(err, n, "cannot load %s", xsd);
	else if (!doc)
		snprintf(err, n, "not well-formed XML");
	else {
		xmlSchemaSetValidStructuredErrors(vc, (xmlStructuredErrorFunc)xsd_first_error, &x);
		r = xmlSchemaValidateDoc(vc, doc);
	}
	if (r > 0)
		snprintf(err, n, "invalid against %s: %s", xsd, first);
	if (doc)
		xmlFreeDoc(doc);
	if (vc)
		xmlSchemaFreeValidCtxt(vc);
	if (schema)
		xmlSchemaFree(schema);
	if (pc)
		xmlSchemaFreeParserCtxt(pc);
	return r;
}

/* The schema of exactly the JUnit cagetest writes, shipped in the repository. */
#define JUNIT_XSD SRCDIR "/docs/cagetest-junit.xsd"

/* 0 when xml is valid against our own schema and, when CAGETEST_CONSUMER_XSD
 * names a consumer's schema (.ci/run points it at Jenkins' junit-10.xsd where
 * that file exists), against that one too. Nothing outside the repository is
 * needed: a clone alone validates against docs/cagetest-junit.xsd. */
static inline int validate_junit(const char *xml, char *err, size_t n)
{
	const char *consumer = getenv("CAGETEST_CONSUMER_XSD");
	int r = validate_xsd(JUNIT_XSD, xml, err, n);

	if (r == 0 && consumer && *consumer)
		r = validate_xsd(consumer, xml, err, n);
	return r;
}

/* A scratch parent of the test's own, for tests that look into it: under
 * /var/tmp, never in the build dir, which may be under /tmp (a checkout
 * there), where cagetest refuses a scratch root. Traversable by --user. */
static inline int test_scratch_parent(char *buf, size_t n, const char *name)
{
	snprintf(buf, n, "/var/tmp/cagetest-test-%s.XXXXXX", name);
	if (!mkdtemp(buf) || chmod(buf, 0755) < 0)
		return -1;
	return 0;
}

/* A small report built from a table, for merge, diff and baseline tests. */
struct row_spec {
	const char *backend, *mode, *probe;
	enum verdict v;
	enum expect expected;
};

static inline void build_report(struct report *r, const char *name, const char *kernel, const struct row_spec *rows,
				size_t n)
{
	memset(r, 0, sizeof(*r));
	r->tool = strdup("cagetest");
	r->version = strdup(CAGETEST_VERSION);
	r->schema = REPORT_SCHEMA;
	r->started = strdup("2026-11-22T10:00:00Z");
	r->duration_s = 1.5;
	r->host.name = name ? strdup(name) : NULL;
	r->host.kernel = strdup(kernel);
	r->host.arch = strdup("x86_64");
	r->host.container = strdup("none");
	r->host.landlock_abi = 7;
	for (size_t i = 0; i < n; i++) {
		if (!report_backend(r, rows[i].backend)) {
			struct backend_info b = {.name = (char *)rows[i].backend, .available = true, .version = "1.0"};
			assert_int_equal(report_add_backend(r, &b), 0);
			assert_int_equal(report_add_explain(r, rows[i].backend, rows[i].mode, "applied"), 0);
		}
		struct result x = {
			.backend = (char *)rows[i].backend, .mode = (char *)rows[i].mode, .probe = (char *)rows[i].probe,
			.category = "fs", .effect = "write.outside", .expected = rows[i].expected,
			.observed = "blocked", .control = "allowed", .verdict = rows[i].v, .errno_name = "",
			.detail = "evidence", .duration_ms = 2.0,
		};
		assert_int_equal(report_add(r, &x), 0);
	}
	report_summarize(r);
}

/* Write a report as JSON to path. */
static inline void write_report(const struct report *r, const char *path)
{
	char *text = NULL;

	assert_int_equal(report_json(r, &text), 0);
	assert_int_equal(write_str(path, text), 0);
	free(text);
}

/* Assert one row's verdict, with its detail on failure. */
#define assert_verdict(rep, b, m, p, want)                                                                  \
	do {                                                                                                \
		const struct result *_r = find_row(rep, b, m, p);                                           \
		if (!_r)                                                                                    \
			fail_msg("no row %s.%s %s", b, m, p);                                               \
		else if (_r->verdict != (want))                                                             \
			fail_msg("%s.%s %s: %s, want %s (%s)", b, m, p, verdict_name(_r->verdict),          \
				 verdict_name(want), _r->detail);                                           \
	} while (0)

/* Assert one row's detail (its evidence) contains s. */
#define assert_detail_has(rep, b, m, p, s)                                                                  \
	do {                                                                                                \
		const struct result *_r = find_row(rep, b, m, p);                                           \
		if (!_r || !_r->detail || !strstr(_r->detail, s))                                           \
			fail_msg("%s.%s %s: detail lacks \"%s\": %s", b, m, p, s, _r ? _r->detail : "no row"); \
	} while (0)

#endif

/* `cagetest bench --fleet N`: what `merge` costs for a fleet. One real run
 * (landlock and bwrap, every mode) becomes N single-host reports, node-0001
 * to node-N, a few of them with rows of their own; `cagetest merge` of all
 * of them, as a child, is timed and its peak RSS and report sizes read,
 * against the bounds a fleet needs; every distinct outcome must be a line
 * of the grid. */
#include "bench.h"

#include "../lib/util.h"
#include "../reports/merge.h"
#include "../reports/render.h"
#include "run.h"

#include <limits.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define BOUND_SECONDS 10.0
#define BOUND_RSS_MB 200.0
#define BOUND_HTML_MB 5.0
#define BOUND_HOSTS 1000 /* the fleet the bounds are for */
#define MAX_HOSTS 9999	 /* node-NNNN */
#define PLACEHOLDER "node-0000"

/* The hosts with an outcome of their own, as fractions of the fleet: one
 * more escape; an error; bwrap missing (twice: outliers fold too). */
enum variant { SAME, ONE_ESCAPE, ONE_ERROR, NO_BWRAP, VARIANT__COUNT };

static enum variant variant_of(size_t i, size_t n)
{
	if (i == n / 4)
		return ONE_ESCAPE;
	if (i == n / 2)
		return ONE_ERROR;
	if (i == 3 * n / 4 || i == 3 * n / 4 + 1)
		return NO_BWRAP;
	return SAME;
}

static int set_str(char **field, const char *s)
{
	free(*field);
	*field = strdup(s);
	return *field ? 0 : -ENOMEM;
}

/* The real report as host `name` with variant v's rows: JSON into *out. */
static int variant_json(const char *real, const char *name, enum variant v, char **out)
{
	struct report r;
	char err[256];
	bool done = false;
	int rc;

	if ((rc = report_from_json(real, &r, err, sizeof(err))) < 0)
		return rc;
	rc = set_str(&r.host.name, name);
	for (size_t i = 0; i < r.nresults && rc == 0; i++) {
		struct result *x = &r.results[i];
		if (v == ONE_ESCAPE && !done && x->verdict == V_PASS && x->expected == EXPECT_BLOCKED) {
			x->verdict = V_ESCAPE;
			rc = set_str(&x->detail, "bench: an escape only this host has");
			done = true;
		} else if (v == ONE_ERROR && !done && x->verdict == V_PASS) {
			x->verdict = V_ERROR;
			rc = set_str(&x->detail, "bench: the sandbox did not start for this row");
			done = true;
		} else if (v == NO_BWRAP && !strcmp(x->backend, "bwrap")) {
			x->verdict = V_SKIP;
			rc = set_str(&x->detail, "bench: bwrap is not installed on this host");
		}
	}
	for (size_t i = 0; i < r.nbackends && rc == 0; i++)
		if (v == NO_BWRAP && !strcmp(r.backends[i].name, "bwrap")) {
			r.backends[i].available = false;
			rc = set_str(&r.backends[i].reason, "bench: bwrap is not installed on this host");
		}
	report_summarize(&r);
	if (rc == 0)
		rc = report_json(&r, out);
	report_free(&r);
	return rc;
}

struct measured {
	double wall, cpu, rss_mb;
	off_t html, json, md;
	int status;
};

static off_t size_of(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_size : -1;
}

/* `cagetest merge -q FILES... --html --json --markdown` in a child. */
static int merge_child(const char *dir, size_t n, struct measured *m)
{
	char **argv = calloc(n + 12, sizeof(*argv)), html[PATH_MAX], json[PATH_MAX], md[PATH_MAX];
	size_t k = 0;
	int rc = 0, st;
	struct rusage ru;

	if (!argv)
		return -ENOMEM;
	argv[k++] = "/proc/self/exe";
	argv[k++] = "merge";
	argv[k++] = "-q";
	for (size_t i = 1; i <= n && rc == 0; i++)
		if (asprintf(&argv[k++], "%s/node-%04zu.json", dir, i) < 0)
			argv[--k] = NULL, rc = -ENOMEM;
	fmt(html, sizeof(html), "%s/fleet.html", dir), fmt(json, sizeof(json), "%s/fleet.json", dir);
	fmt(md, sizeof(md), "%s/fleet.md", dir);
	char *outs[] = {"--html", html, "--json", json, "--markdown", md};
	for (size_t i = 0; i < ARRAY_SIZE(outs); i++)
		argv[k++] = outs[i];
	double t0 = now_mono();
	pid_t pid = rc == 0 ? fork() : -1;
	if (pid == 0) {
		execv(argv[0], argv);
		_exit(127);
	}
	if (pid < 0 || wait4(pid, &st, 0, &ru) != pid)
		rc = rc ? rc : neg_errno();
	if (rc == 0) {
		m->wall = now_mono() - t0;
		m->cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
			 (double)ru.ru_stime.tv_usec / 1e6;
		m->rss_mb = (double)ru.ru_maxrss / 1024;
		m->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		m->html = size_of(html), m->json = size_of(json), m->md = size_of(md);
	}
	for (size_t i = 3; i < 3 + n; i++)
		free(argv[i]);
	free(argv);
	return rc;
}

/* Does the merged report have one host with rows per distinct outcome, the
 * expected ones, each a line of the HTML grid? */
static bool outcomes_reachable(const char *dir, size_t n, struct sbuf *out)
{
	_cleanup_free_ char *json = NULL, *html = NULL;
	char path[PATH_MAX], err[256], want[64];
	struct report r;
	size_t own = 0, missing = 0;

	if (fmt(path, sizeof(path), "%s/fleet.json", dir) < 0 || read_file(path, 256 << 20, &json, NULL) < 0 ||
	    fmt(path, sizeof(path), "%s/fleet.html", dir) < 0 || read_file(path, 256 << 20, &html, NULL) < 0 ||
	    report_from_json(json, &r, err, sizeof(err)) < 0) {
		sb_puts(out, "  the merged reports could not be read back\n");
		return false;
	}
	for (size_t i = 0; i < r.nhosts; i++)
		own += !r.hosts[i].like;
	/* the fleet's outcome (node-0001's) and each variant's first host */
	for (size_t i = 1; i <= n; i++) {
		enum variant v = variant_of(i, n);
		if (i > 1 && (v == SAME || variant_of(i - 1, n) == v))
			continue;
		snprintf(want, sizeof(want), "node-%04zu</a>", i);
		missing += !strstr(html, want);
	}
	sb_printf(out, "  %zu distinct outcomes (%d made), %zu of them not a grid line\n", own, (int)VARIANT__COUNT, missing);
	report_free(&r);
	return own == VARIANT__COUNT && missing == 0;
}

static int fleet_one(const char *dir, const char *real, size_t n, struct sbuf *out, bool *ok)
{
	char path[PATH_MAX], name[32];
	struct measured m = {0};
	int rc = 0;

	for (size_t i = 1; i <= n && rc == 0; i++) {
		char *text = NULL, *at;
		snprintf(name, sizeof(name), "node-%04zu", i);
		if (variant_of(i, n) != SAME)
			rc = variant_json(real, name, variant_of(i, n), &text);
		else if (!(text = strdup(real)))
			rc = -ENOMEM;
		else if ((at = strstr(text, "\"" PLACEHOLDER "\""))) /* the host name: the same length */
			memcpy(at + 1, name, strlen(PLACEHOLDER));
		if (rc == 0 && (rc = fmt(path, sizeof(path), "%s/%s.json", dir, name)) == 0)
			rc = write_str(path, text);
		free(text);
	}
	if (rc == 0)
		rc = merge_child(dir, n, &m);
	if (rc < 0)
		return rc;
	bool in = m.wall < BOUND_SECONDS && m.rss_mb < BOUND_RSS_MB && (double)m.html < BOUND_HTML_MB * 1e6;
	sb_printf(out, "fleet %5zu reports: %6.2f s (CPU %.2f s), max RSS %6.1f MB, HTML %5.2f MB, JSON %5.2f MB, "
		       "Markdown %4.0f KB; exit %d%s\n",
		  n, m.wall, m.cpu, m.rss_mb, (double)m.html / 1e6, (double)m.json / 1e6, (double)m.md / 1e3, m.status,
		  n < BOUND_HOSTS ? "" : in ? ": within the bounds" : ": OVER a bound");
	*ok = *ok && (m.status == 0 || m.status == 1) && (n < BOUND_HOSTS || in);
	*ok = outcomes_reachable(dir, n, out) && *ok;
	return 0;
}

int bench_fleet(const struct bench_opts *bo, const size_t *sizes, size_t nsizes, struct sbuf *out)
{
	for (size_t i = 0; i < nsizes; i++)
		if (sizes[i] < BENCH_FLEET_MIN || sizes[i] > MAX_HOSTS)
			return -EINVAL;
	struct run_opts o = {.backends = "landlock,bwrap", .modes = "all", .probes = bo->probes, .suite = bo->suite,
			     .jobs = bo->jobs, .timeout = 10};
	struct run_outcome oc;
	struct report rep = {0};
	char dir[] = "/var/tmp/cagetest-fleet.XXXXXX", err[512];
	char *real = NULL;
	bool ok = true;
	int rc;

	if ((rc = run_battery(&o, &rep, &oc, err, sizeof(err))) < 0)
		return rc;
	sb_printf(out, "fleet: one real run (-b landlock,bwrap -m all, %zu rows) as N hosts, %d outcomes among them; "
		       "bounds for %d: %.0f s, %.0f MB RSS, HTML %.0f MB\n",
		  rep.nresults, (int)VARIANT__COUNT, BOUND_HOSTS, BOUND_SECONDS, BOUND_RSS_MB, BOUND_HTML_MB);
	if ((rc = set_str(&rep.host.name, PLACEHOLDER)) == 0)
		rc = report_json(&rep, &real);
	report_free(&rep);
	if (rc < 0)
		return rc;
	if (!mkdtemp(dir)) {
		free(real);
		return neg_errno();
	}
	for (size_t i = 0; i < nsizes && rc == 0; i++)
		rc = fleet_one(dir, real, sizes[i], out, &ok);
	rm_rf(dir);
	free(real);
	return rc < 0 ? rc : ok ? 0 : 1;
}

/* The CLI edge: the only place that prints errors and picks exit codes. */
#include "../lib/datadir.h"
#include "../lib/jparse.h"
#include "../lib/path.h"
#include "../lib/util.h"
#include "../platforms/adapter.h"
#include "../platforms/backend.h"
#include "../platforms/detect.h"
#include "../probes/probe.h"
#include "../reports/merge.h"
#include "../reports/model.h"
#include "../reports/render.h"
#include "agent.h"
#include "bench.h"
#include "doctor.h"
#include "here.h"
#include "run.h"
#include "sentinel.h"
#include "suite.h"

#include <limits.h>
#include <stdarg.h>
#include <getopt.h>
#include <string.h>

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2, EXIT_UNJUDGED = 3 };

static const char intro_text[] =
	"usage: cagetest COMMAND [OPTIONS]     (cagetest COMMAND --help: that command)\n"
	"\n"
	"Run sandbox escape probes under each sandbox mode and backend, decide from\n"
	"outside the sandbox what really happened, and report what was blocked.\n"
	"\n"
	"commands:\n";

static const char run_usage[] =
	"cagetest run [-b BACKENDS] [-m MODES] [-s SUITE] [-p GLOB] [-j N]\n"
	"             [--json F] [--junit F] [--tap F] [--markdown F] [--html F]\n"
	"             [--baseline F] [--fail-on LIST] [--timeout SEC] [--scratch DIR]\n"
	"             [--keep] [--isolate] [--user NAME] [--label NAME] [--quiet]\n"
	"             [--adapter FILE]...\n"
	"  -b, --backend LIST   comma list of backends or 'all' (default: landlock);\n"
	"                       built in: none landlock bwrap seatbelt\n"
	"  -m, --mode LIST      comma list of modes or 'all' (default: all)\n"
	"  -s, --suite NAME     suite name or JSON file (default: default); names are\n"
	"                       looked up in the data dir, then built in\n"
	"  -p, --probe GLOBS    only probes whose id matches, e.g. 'git.*,fs.write_*'\n"
	"  -j, --jobs N         cases running probes in parallel (default: number of\n"
	"                       CPUs); a mode's batch is split to keep N busy\n"
	"      --json F         write the JSON report (schema 1); '-' is stdout\n"
	"      --junit F        write JUnit XML; '-' is stdout; its schema: cagetest-junit.xsd\n"
	"                       (docs/ in the source, share/cagetest/ installed)\n"
	"      --tap F          write TAP version 14, one subtest per backend.mode\n"
	"      --markdown F     write a Markdown summary (for a CI step summary)\n"
	"      --html F         write one self-contained HTML page with the matrix\n"
	"      --baseline F     known failures: a previous JSON report (its escape and\n"
	"                       overblocked rows) or {\"known\":[{\"backend\",\"mode\",\n"
	"                       \"probe\" (globs), \"reason\"}]}; they become xfail, and\n"
	"                       entries that pass now are listed so it can be tightened;\n"
	"                       repeatable; a bare name (landlock, bwrap) is a shipped\n"
	"                       one, platforms/baselines/NAME.json\n"
	"      --fail-on LIST   verdicts that make the exit status 1: a comma list of\n"
	"                       escape, overblocked, error, skip, xfail\n"
	"                       (default: escape,overblocked)\n"
	"      --timeout SEC    per probe (default: 10); a hung sandbox is killed then\n"
	"      --scratch DIR    parent of the scratch root (default: /var/tmp; never /tmp)\n"
	"      --keep           keep the scratch root for inspection\n"
	"      --isolate        one sandbox start per probe; by default one start runs\n"
	"                       many probes of a mode, each in its own process, judged\n"
	"                       by its own token (probes that need a case alone keep it)\n"
	"      --user NAME      as root: run the sandboxed side as this user\n"
	"      --label NAME     the report's host name (default: the hostname), the\n"
	"                       label `merge` gives its rows: docker-default, node-0042\n"
	"  -q, --quiet          no progress line, no summary\n"
	"  On a terminal: a live progress line, then the matrix (colour unless\n"
	"  NO_COLOR is set); otherwise plain lines: one per backend/mode with its\n"
	"  sandbox verdict and reason (FAILS OPEN, NOT ENFORCED: N escapes, FAILS\n"
	"  CLOSED, NOT JUDGED, ENFORCED, UNCONFINED, UNAVAILABLE with the cause and the\n"
	"  change to make, NOT TESTED; also in every report). Both end with one\n"
	"  verdict line: 'Sandbox: landlock/workspace-write ENFORCED' or 'NOT\n"
	"  ENFORCED: 3 escapes in ...'.\n"
	"      --adapter FILE   add a backend described by an adapter file (repeatable; also\n"
	"                       for list, explain, doctor); platforms/adapters/*.json ship\n"
	"                       codex, srt and firejail (see cagetest-adapter(5))\n"
	"  Data files (suites/, platforms/adapters/, platforms/baselines/) come from\n"
	"  the data dir: $CAGETEST_DATADIR, else the source tree of build/cagetest,\n"
	"  else share/cagetest beside the binary's bin/; else the copies built in.\n";

static const char list_usage[] =
	"cagetest list [probes|backends|modes|suites] [-s SUITE] [--markdown] [--adapter FILE]...\n"
	"  probes: id, category (fs git net ipc dns priv proc meta ns), effect, summary;\n"
	"  --markdown: the docs/probes.md table with what blocks each probe and the hint\n"
	"  when it escapes; suites: name and where it is read from (a path, or\n"
	"  built-in:suites/NAME.json)\n";

static const char explain_usage[] =
	"cagetest explain -b BACKEND -m MODE [-s SUITE] [--adapter FILE]...\n"
	"  for an adapter: the expanded command line, env, cwd and files\n";

static const char doctor_usage[] =
	"cagetest doctor [-b BACKENDS] [-m MODES] [-s SUITE] [-p GLOBS] [--no-battery]\n"
	"                [--json F] [--junit F] [--tap F] [--markdown F] [--html F] [-q]\n"
	"                [--adapter FILE]... [--evidence DIR]\n"
	"  kernel, Landlock ABI and what it lacks, seccomp, user namespaces (and\n"
	"  the sysctls that restrict them), whether bwrap works; the container\n"
	"  runtime named from evidence (each fact with the file it was read from);\n"
	"  what the runtime does to unshare/clone(CLONE_NEWUSER), clone3, a proc\n"
	"  mount, pivot_root, setns, landlock, io_uring and keyctl (measured in a\n"
	"  throwaway child); seccomp, capabilities, no_new_privs, LSM label and the\n"
	"  masked /proc paths of this process;\n"
	"  cgroups and the containment a run gets, legacy_tiocsti, io_uring_disabled;\n"
	"  for every backend that cannot run here, its cause and the change to make\n"
	"  (from those facts: 'cause: ...' under its facts);\n"
	"  then a short battery with every usable backend in every confined mode\n"
	"  (-p '*' runs every probe) and one sandbox verdict per mode:\n"
	"  'workspace-write with landlock: ENFORCED: ...', 'FAILS OPEN: ...'.\n"
	"      --no-battery     only the host facts (exit 0)\n"
	"      --evidence DIR   also save the files the container facts were read\n"
	"                       from (only the runtime's environment variables), the\n"
	"                       call results (DIR/trials.txt) and what each backend\n"
	"                       measured (DIR/backends.json), for a bug report\n"
	"  In a container: copy or bind-mount the one static file `make dist` writes\n"
	"  (build/dist/cagetest; no libraries needed) and run `cagetest doctor` there.\n";

static const char merge_usage[] =
	"cagetest merge [LABEL=]REPORT.json... [--json F] [--junit F] [--tap F]\n"
	"               [--markdown F] [--html F] [--fail-on LIST] [--no-fold] [-q]\n"
	"  rows keep their host: LABEL (docker-default=docker.json), else the\n"
	"  report's host name (run --label), else its kernel; made unique.\n"
	"  Hosts with the same outcome (the same rows, backends, verdicts and\n"
	"  explain texts: all but evidence text and times) are folded: their rows\n"
	"  are kept once, under the first such host, and each host's facts name\n"
	"  it (JSON: hosts[].like, and schema 2, since a schema-1 reader would\n"
	"  miss the folded hosts' rows); one input is read at a time, so a fleet of\n"
	"  agreeing hosts costs one copy of the rows. HTML, Markdown and the\n"
	"  summary open with a grid of host x backend: the verdict and worst mode\n"
	"  per cell, agreeing hosts on one line ('187 hosts like node-0001'); the\n"
	"  sandbox verdicts are decided per host again.\n"
	"      --no-fold        every host keeps its own rows and evidence\n"
	"                       (memory and reports grow with the inputs)\n"
	"  The summary goes to stderr unless -q.\n";

static const char diff_usage[] =
	"cagetest diff OLD.json NEW.json [--fail-on LIST]\n"
	"  new escapes, new overblocks, new failures (--fail-on), fixed rows,\n"
	"  changed verdicts, added and removed rows; xfail counts as the failure it\n"
	"  hides. NEW is worse when a row newly has a verdict in --fail-on.\n";

static const char bench_usage[] =
	"cagetest bench [-m MODE] [-p GLOBS] [-j N] [-s SUITE] [--fleet N[,N]...]\n"
	"  per backend (landlock, bwrap), at -j1 and -jN: the run's wall time for\n"
	"  the selected probes against as many bare starts of the same sandbox\n"
	"  around /bin/true (the floor), the ratio, and the runner's peak RSS\n"
	"      --fleet N[,N]    instead: one real run (-b landlock,bwrap -m all) as N\n"
	"                       single-host reports (node-0001...), four outcomes among\n"
	"                       them, and `cagetest merge` of them all: its time, peak\n"
	"                       RSS and report sizes; exit 1 when 1000 hosts take 10 s,\n"
	"                       200 MB or an HTML page of 5 MB, or when an outcome is\n"
	"                       not a line of the grid (make bench: --fleet 200,1000)\n";

static const char agent_usage[] =
	"cagetest agent --env ENV [--timeout SEC] PROBE-ID@SLOT...\n"
	"  internal: the in-sandbox side of a run, started by `cagetest run` inside\n"
	"  each sandbox with the environment it armed (never run it by hand)\n";

static const char sentinel_usage[] =
	"cagetest sentinel [UID:GID]\n"
	"  internal: the process a run's probes try to signal, trace and read,\n"
	"  started by `cagetest run` outside the sandbox (never run it by hand)\n";

static const char status_text[] =
	"verdicts: pass, escape (blocked by policy but happened), overblocked (allowed\n"
	"by policy but stopped), error (the sandbox did not start, hung or crashed),\n"
	"skip (this host cannot do it even without a sandbox), xfail (known failure).\n"
	"per backend and mode, the sandbox verdict: FAILS OPEN (it starts but confines\n"
	"nothing: it said so, or its rows look like the control's), NOT ENFORCED\n"
	"(escapes), FAILS CLOSED (it never started: commands would fail), NOT JUDGED,\n"
	"ENFORCED, UNCONFINED (the mode blocks nothing), UNAVAILABLE (with the cause),\n"
	"NOT TESTED.\n"
	"\n"
	"exit status: 0 every row passed (skips and xfails allowed); 1 a verdict in\n"
	"--fail-on (diff: NEW is worse); 2 usage or input error (bad flag, bad suite,\n"
	"baseline or report file); 3 the run could not judge (errors, an unavailable\n"
	"backend asked for by name, an interrupted run, doctor with no usable backend).\n"
	"run, doctor and merge follow the same rules.\n";

/* The command running, for "Try 'cagetest run --help'." */
static const char *command_name;

static int die_usage(const char *f, ...) __attribute__((format(printf, 1, 2)));
static int die_usage(const char *f, ...)
{
	va_list ap;

	fprintf(stderr, "cagetest: ");
	va_start(ap, f);
	vfprintf(stderr, f, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'cagetest %s%s--help'.\n", command_name ? command_name : "", command_name ? " " : "");
	return EXIT_USAGE;
}

/* --adapter FILE (any command that names backends), then the shipped ones. */
static char *adapter_files[32];
static size_t nadapter_files;

static int add_adapter(char *file)
{
	if (nadapter_files == ARRAY_SIZE(adapter_files))
		return die_usage("--adapter %s: at most %zu adapter files", file, ARRAY_SIZE(adapter_files));
	adapter_files[nadapter_files++] = file;
	return 0;
}

static int load_adapters(void)
{
	char err[1024];

	if (adapters_register(adapter_files, nadapter_files, err, sizeof(err)) < 0) {
		fprintf(stderr, "cagetest: %s\n", err);
		return -1;
	}
	return 0;
}

static int load_suite(const char *name, struct suite *s)
{
	char err[512];

	if (suite_load(name, s, err, sizeof(err)) < 0) {
		fprintf(stderr, "cagetest: %s\n", err);
		return -1;
	}
	return 0;
}

/* Write text to path ('-' = stdout) atomically. */
static int emit(const char *path, const char *text, const char *what)
{
	int r;

	if (!strcmp(path, "-")) {
		fputs(text, stdout);
		fflush(stdout);
		return 0;
	}
	r = write_file_atomic(path, text, strlen(text));
	if (r < 0)
		fprintf(stderr, "cagetest: cannot write the %s report to %s: %s\n", what, path, strerror(-r));
	return r;
}

/* --- reports --- */

/* The report file options every command that renders takes: one per writer
 * (--json F, --junit F, ...), after the command's own. */
#define OPT_WRITER 0x100

/* own (ended by a zero entry), then an option per writer, into all (room
 * for both); returns all. */
static const struct option *with_writers(const struct option *own, struct option *all)
{
	size_t k = 0;

	for (; own[k].name; k++)
		all[k] = own[k];
	for (size_t i = 0; i < nwriters; i++)
		all[k++] = (struct option){writers[i].name, required_argument, 0, OPT_WRITER + (int)i};
	all[k] = (struct option){0};
	return all;
}

/* Record a report option's file; false when c is not one. */
static bool report_option(int c, const char *path[WRITERS_MAX])
{
	if (c < OPT_WRITER || c >= OPT_WRITER + (int)nwriters)
		return false;
	path[c - OPT_WRITER] = optarg;
	return true;
}

static const char *probe_hint(const char *id)
{
	const struct probe *p = probe_find(id);

	return p ? p->hint : NULL;
}

static bool utf8_locale(void)
{
	static const char *const vars[] = {"LC_ALL", "LC_CTYPE", "LANG"};

	for (size_t i = 0; i < ARRAY_SIZE(vars); i++) {
		const char *v = getenv(vars[i]);
		if (v && *v)
			return strcasestr(v, "utf-8") || strcasestr(v, "utf8");
	}
	return false;
}

/* Colour unless NO_COLOR (https://no-color.org) or not a terminal. */
static struct render_opts render_opts_for(int fd)
{
	const char *no_color = getenv("NO_COLOR");
	bool tty = isatty(fd);

	return (struct render_opts){
		.hint = probe_hint,
		.tty = tty,
		.color = tty && !(no_color && *no_color),
		.unicode = tty && utf8_locale(),
	};
}

static int write_reports(const struct report *r, const char *const path[WRITERS_MAX], const struct render_opts *o)
{
	int rc = 0;

	for (size_t f = 0; f < nwriters; f++) {
		char *text = NULL;
		if (!path[f])
			continue;
		if (writers[f].render(r, o, &text) < 0) {
			fprintf(stderr, "cagetest: cannot render the %s report\n", writers[f].name);
			rc = -1;
		} else if (emit(path[f], text, writers[f].name) < 0)
			rc = -1;
		free(text);
	}
	return rc;
}

/* The end-of-run text on stderr: a matrix on a terminal, plain lines otherwise. */
static void show_summary(const struct report *r)
{
	struct render_opts o = render_opts_for(2);
	char *text = NULL;

	if (report_terminal(r, &o, &text) == 0)
		fputs(text, stderr);
	free(text);
}

static void show_progress(size_t done, size_t total, size_t escapes, void *ctx)
{
	const struct render_opts *o = ctx;
	struct sbuf s = {0};

	terminal_progress(&s, done, total, escapes, o->color);
	if (s.s)
		fputs(s.s, stderr);
	fflush(stderr);
	sb_free(&s);
}

/* A shipped baseline by name (--baseline landlock): not a file here and no
 * '/', so platforms/baselines/NAME.json from the data dir or built in. */
static int read_shipped_baseline(const char *name, char **text, char *err, size_t n)
{
	char rel[PATH_MAX], where[PATH_MAX];
	size_t len = strlen(name);

	if (strchr(name, '/') || access(name, F_OK) == 0 ||
	    fmt(rel, sizeof(rel), "platforms/baselines/%s%s", name,
		len > 5 && !strcmp(name + len - 5, ".json") ? "" : ".json") < 0)
		return -ENOENT;
	return jp_read_data(rel, text, where, sizeof(where), err, n);
}

/* Read a JSON report (rep) or a baseline (bl); on failure prints
 * "cagetest: WHATPATH: problem". */
static int load(const char *what, const char *path, struct report *rep, struct baseline *bl)
{
	_cleanup_free_ char *text = NULL;
	char err[512];
	int r = bl && read_shipped_baseline(path, &text, err, sizeof(err)) == 0 ? 0
										  : read_file(path, 256 << 20, &text, NULL);

	if (r < 0)
		snprintf(err, sizeof(err), "%s", strerror(-r));
	else
		r = rep ? report_from_json(text, rep, err, sizeof(err)) : baseline_parse(text, bl, err, sizeof(err));
	if (r < 0)
		fprintf(stderr, "cagetest: %s%s: %s\n", what, path, err);
	return r;
}

/* --- run --- */

/* --fail-on LIST: 0, or EXIT_USAGE after the message. */
static int parse_fail_on(const char *list, bool fail[V__COUNT])
{
	char buf[256], *save = NULL;
	bool ok = fmt(buf, sizeof(buf), "%s", list) == 0;

	memset(fail, 0, sizeof(bool) * V__COUNT);
	for (char *t = ok ? strtok_r(buf, ",", &save) : NULL; t && ok; t = strtok_r(NULL, ",", &save)) {
		int v = verdict_from_name(t);
		ok = v > V_PASS; /* pass cannot fail a run */
		if (ok)
			fail[v] = true;
	}
	return ok ? 0 : die_usage("--fail-on %s: expected a comma list of escape, overblocked, error, skip, xfail", list);
}

/* The exit status rules (README: Exit status; cagetest(1), EXIT STATUS): 1
 * for a verdict in --fail-on, else 3 when something could not be judged,
 * else 0. */
static int run_status(const struct report *r, const bool fail[V__COUNT], bool unjudged)
{
	for (int v = 0; v < V__COUNT; v++)
		if (fail[v] && r->summary[v])
			return EXIT_FAIL;
	return r->summary[V_ERROR] || r->interrupted || unjudged ? EXIT_UNJUDGED : EXIT_OK;
}

/* Run the battery with the progress line; reports errors. 0, or an exit code. */
static int battery(struct run_opts *o, bool quiet, struct report *rep, struct run_outcome *oc)
{
	struct render_opts ro = render_opts_for(2);
	char err[1024] = "";
	int r;

	if (!quiet && ro.tty) {
		o->progress = show_progress;
		o->progress_ctx = &ro;
	}
	r = run_battery(o, rep, oc, err, sizeof(err));
	if (o->progress)
		fputs("\r\033[K", stderr);
	if (r < 0) {
		fprintf(stderr, "cagetest: %s\n", err[0] ? err : strerror(-r));
		report_free(rep);
		return r == -EINVAL ? EXIT_USAGE : EXIT_UNJUDGED;
	}
	return 0;
}

static int cmd_run(int argc, char **argv)
{
	static const struct option own[] = {
		{"backend", required_argument, 0, 'b'}, {"mode", required_argument, 0, 'm'},
		{"suite", required_argument, 0, 's'},	{"probe", required_argument, 0, 'p'},
		{"jobs", required_argument, 0, 'j'},	{"timeout", required_argument, 0, 'T'},
		{"scratch", required_argument, 0, 'S'}, {"keep", no_argument, 0, 'k'},
		{"user", required_argument, 0, 'u'},	{"fail-on", required_argument, 0, 'F'},
		{"baseline", required_argument, 0, 'B'}, {"quiet", no_argument, 0, 'q'},
		{"adapter", required_argument, 0, 'A'},
		{"isolate", no_argument, 0, 'I'},	{"label", required_argument, 0, 'L'},
		{0, 0, 0, 0},
	};
	struct option all[ARRAY_SIZE(own) + WRITERS_MAX];
	const struct option *opts = with_writers(own, all);
	struct run_opts o = {.backends = "landlock", .modes = "all", .jobs = (int)sysconf(_SC_NPROCESSORS_ONLN), .timeout = 10};
	const char *out[WRITERS_MAX] = {0};
	const char *suite_name = "default", *fail_on = "escape,overblocked", *baseline_paths[16], *label = NULL;
	size_t nbaselines = 0;
	bool quiet = false, fail[V__COUNT];
	struct suite suite;
	struct baseline bl = {0};
	struct report rep = {0};
	struct run_outcome oc;
	char *end;
	int c, code;

	while ((c = getopt_long(argc, argv, "b:m:s:p:j:q", opts, NULL)) != -1) {
		switch (c) {
		case 'b': o.backends = optarg; break;
		case 'm': o.modes = optarg; break;
		case 's': suite_name = optarg; break;
		case 'p': o.probes = optarg; break;
		case 'j':
			o.jobs = (int)strtol(optarg, &end, 10);
			if (*end || o.jobs < 1 || o.jobs > 256)
				return die_usage("-j %s: expected a number from 1 to 256", optarg);
			break;
		case 'T':
			o.timeout = strtod(optarg, &end);
			if (*end || !(o.timeout > 0 && o.timeout <= 3600))
				return die_usage("--timeout %s: expected seconds, more than 0 and at most 3600", optarg);
			break;
		case 'S': o.scratch = optarg; break;
		case 'k': o.keep = true; break;
		case 'I': o.isolate = true; break;
		case 'L':
			if (!host_label_ok(optarg))
				return die_usage("--label %s: 1 to %d bytes without '/' or control characters", optarg,
						 HOST_LABEL_MAX);
			label = optarg;
			break;
		case 'u': o.user = optarg; break;
		case 'F': fail_on = optarg; break;
		case 'B':
			if (nbaselines == ARRAY_SIZE(baseline_paths))
				return die_usage("--baseline %s: at most 16 baseline files", optarg);
			baseline_paths[nbaselines++] = optarg;
			break;
		case 'q': quiet = true; break;
		case 'A':
			if (add_adapter(optarg))
				return EXIT_USAGE;
			break;
		default:
			if (!report_option(c, out))
				return die_usage("%s", "bad option");
		}
	}
	if (optind < argc)
		return die_usage("run: unexpected argument '%s'", argv[optind]);
	if ((code = parse_fail_on(fail_on, fail)))
		return code;
	/* several baselines are one list: a known failure in any of them */
	for (size_t i = 0; i < nbaselines; i++) {
		struct baseline one;
		if (load("--baseline ", baseline_paths[i], NULL, &one) < 0) {
			baseline_free(&bl);
			return EXIT_USAGE;
		}
		if (baseline_append(&bl, &one) < 0) {
			baseline_free(&one);
			baseline_free(&bl);
			return EXIT_UNJUDGED;
		}
		o.known = baseline_known;
		o.known_ctx = &bl;
	}
	if (load_adapters() < 0 || load_suite(suite_name, &suite) < 0) {
		baseline_free(&bl);
		return EXIT_USAGE;
	}
	o.suite = &suite;
	code = battery(&o, quiet, &rep, &oc);
	suite_free(&suite);
	if (code) {
		baseline_free(&bl);
		return code;
	}
	if (baseline_fixed(&bl, &rep) < 0)
		fprintf(stderr, "cagetest: out of memory listing fixed baseline entries\n");
	if (label) { /* the name merge gives this report's rows */
		free(rep.host.name);
		if (!(rep.host.name = strdup(label))) {
			fprintf(stderr, "cagetest: out of memory\n");
			baseline_free(&bl);
			report_free(&rep);
			return EXIT_UNJUDGED;
		}
	}
	baseline_free(&bl);
	code = run_status(&rep, fail, oc.named_unavailable);
	struct render_opts ro = render_opts_for(2);
	if (write_reports(&rep, out, &ro) < 0)
		code = EXIT_UNJUDGED;
	if (!quiet) {
		show_summary(&rep);
		if (oc.scratch_root[0])
			fprintf(stderr, "cagetest: scratch kept at %s\n", oc.scratch_root);
	}
	report_free(&rep);
	return code;
}

/* --- merge, diff --- */

/* LABEL=FILE names the host; a plain FILE (or one that exists as named)
 * does not. A label longer than HOST_LABEL_MAX is cut to one byte more, so
 * host_label_ok refuses it. */
static const char *split_label(const char *arg, char *label, size_t n)
{
	const char *eq = strchr(arg, '=');

	label[0] = 0;
	if (!eq || eq == arg || memchr(arg, '/', (size_t)(eq - arg)) || access(arg, F_OK) == 0)
		return arg;
	snprintf(label, n, "%.*s", (int)(eq - arg), arg);
	return eq + 1;
}

static int cmd_merge(int argc, char **argv)
{
	static const struct option own[] = {
		{"fail-on", required_argument, 0, 'F'},
		{"quiet", no_argument, 0, 'q'},
		{"no-fold", no_argument, 0, 'N'},
		{0, 0, 0, 0},
	};
	struct option all[ARRAY_SIZE(own) + WRITERS_MAX];
	const struct option *opts = with_writers(own, all);
	const char *out[WRITERS_MAX] = {0}, *fail_on = "escape,overblocked";
	bool quiet = false, fold = true, fail[V__COUNT];
	struct report merged = {0};
	struct merge m;
	int c, code;

	while ((c = getopt_long(argc, argv, "q", opts, NULL)) != -1) {
		if (c == 'F')
			fail_on = optarg;
		else if (c == 'q')
			quiet = true;
		else if (c == 'N')
			fold = false;
		else if (!report_option(c, out))
			return die_usage("%s", "merge: bad option");
	}
	if (optind >= argc)
		return die_usage("%s", "merge needs at least one JSON report");
	if ((code = parse_fail_on(fail_on, fail)))
		return code;
	for (int i = optind; i < argc; i++) {
		char label[HOST_LABEL_MAX + 2];
		split_label(argv[i], label, sizeof(label));
		if (label[0] && !host_label_ok(label))
			return die_usage("%s: a label is 1 to %d bytes without '/' or control characters", argv[i],
					 HOST_LABEL_MAX);
	}
	if (merge_begin(&m, &merged, fold) < 0)
		return EXIT_UNJUDGED;
	/* one input at a time: read, fold into the model, free */
	for (int i = optind; i < argc; i++) {
		struct report one;
		char label[HOST_LABEL_MAX + 2];
		const char *path = split_label(argv[i], label, sizeof(label));
		if (load("", path, &one, NULL) < 0) {
			merge_end(&m);
			report_free(&merged);
			return EXIT_USAGE;
		}
		int r = merge_add(&m, &one, label[0] ? label : NULL);
		report_free(&one);
		if (r < 0) {
			fprintf(stderr, "cagetest: merging %s: %s\n", path, strerror(-r));
			merge_end(&m);
			report_free(&merged);
			return EXIT_UNJUDGED;
		}
	}
	merge_end(&m);
	code = run_status(&merged, fail, false);
	struct render_opts ro = render_opts_for(2);
	if (write_reports(&merged, out, &ro) < 0)
		code = EXIT_UNJUDGED;
	if (!quiet)
		show_summary(&merged);
	report_free(&merged);
	return code;
}

static int cmd_diff(int argc, char **argv)
{
	static const struct option opts[] = {{"fail-on", required_argument, 0, 'F'}, {0, 0, 0, 0}};
	const char *fail_on = "escape,overblocked";
	bool fail[V__COUNT];
	struct report old, new;
	struct diff d;
	char *text = NULL;
	int c, code;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'F')
			return die_usage("%s", "diff: bad option");
		fail_on = optarg;
	}
	if (argc - optind != 2)
		return die_usage("%s", "diff needs OLD.json NEW.json");
	if ((code = parse_fail_on(fail_on, fail)))
		return code;
	if (load("", argv[optind], &old, NULL) < 0)
		return EXIT_USAGE;
	if (load("", argv[optind + 1], &new, NULL) < 0) {
		report_free(&old);
		return EXIT_USAGE;
	}
	code = report_diff(&old, &new, fail, &d) == 0 && diff_text(&d, &text) == 0 ? (d.worse ? EXIT_FAIL : EXIT_OK)
										   : EXIT_UNJUDGED;
	if (text)
		fputs(text, stdout);
	free(text);
	diff_free(&d);
	report_free(&old);
	report_free(&new);
	return code;
}

/* --- list, explain, doctor --- */

/* A markdown table cell: '|' would end the cell (O_WRONLY|O_TRUNC). */
static void md_cell(const char *s)
{
	printf(" | ");
	for (; *s; s++)
		printf("%s%c", *s == '|' ? "\\" : "", *s);
}

/* docs/probes.md, generated from the registry (`make docs`). */
static int probes_markdown(void)
{
	printf("# cagetest probes\n\nGenerated from the registry by `make docs`; do not edit. %zu probes.\n", probe_count());
	for (int c = 0; c < CAT__COUNT; c++) {
		printf("\n## %s\n\n| id | effect | tries | verified by | usually blocked by | hint when it escapes |\n"
		       "|---|---|---|---|---|---|\n",
		       category_name((enum category)c));
		for (size_t i = 0; i < probe_count(); i++) {
			const struct probe *p = probe_at(i);
			if (probe_category(p) != (enum category)c)
				continue;
			printf("| `%s` | %s", p->id, effect_name(p->effect));
			md_cell(p->summary);
			md_cell(p->evidence);
			md_cell(p->blocked_by);
			md_cell(p->hint);
			printf(" |\n");
		}
	}
	return EXIT_OK;
}

static int list_probes(void)
{
	for (size_t i = 0; i < probe_count(); i++) {
		const struct probe *p = probe_at(i);
		printf("%-28s %-5s %-16s %s\n", p->id, category_name(probe_category(p)), effect_name(p->effect), p->summary);
	}
	return EXIT_OK;
}

static int list_backends(void)
{
	for (size_t i = 0; i < backend_count(); i++) {
		const struct backend *b = backend_at(i);
		char why[1024] = "", ver[128] = "";
		bool ok = here_available(b, why, sizeof(why)) == 0;
		if (ok && b->version)
			b->version(b, ver, sizeof(ver));
		printf("%-10s %-11s %s\n", b->name, ok ? "available" : "unavailable", ok ? (ver[0] ? ver : b->description) : why);
	}
	return EXIT_OK;
}

static int list_modes(const char *suite_name)
{
	struct suite s;

	if (load_suite(suite_name, &s) < 0)
		return EXIT_USAGE;
	for (size_t i = 0; i < s.nmodes; i++)
		printf("%-20s %s\n", s.modes[i].name, s.modes[i].description ? s.modes[i].description : "");
	suite_free(&s);
	return EXIT_OK;
}

static int list_suites(void)
{
	char **names, rel[PATH_MAX], where[PATH_MAX];
	const struct builtin_file *b;
	size_t n;

	if (data_list("suites", ".json", &names, &n) < 0) {
		fprintf(stderr, "cagetest: out of memory listing the suites\n");
		return EXIT_UNJUDGED;
	}
	for (size_t i = 0; i < n; i++)
		if (fmt(rel, sizeof(rel), "suites/%s", names[i]) == 0 && data_find(rel, where, sizeof(where), &b) == 0)
			printf("%.*s\t%s\n", (int)(strlen(names[i]) - 5), names[i], where);
	data_list_free(names, n);
	return EXIT_OK;
}

static int cmd_list(int argc, char **argv)
{
	static const struct option opts[] = {{"suite", required_argument, 0, 's'},
					     {"markdown", no_argument, 0, 'M'},
					     {"adapter", required_argument, 0, 'A'},
					     {0, 0, 0, 0}};
	const char *suite_name = "default", *what;
	bool markdown = false;
	int c;

	while ((c = getopt_long(argc, argv, "s:", opts, NULL)) != -1) {
		if (c == 's')
			suite_name = optarg;
		else if (c == 'M')
			markdown = true;
		else if (c == 'A') {
			if (add_adapter(optarg))
				return EXIT_USAGE;
		} else
			return die_usage("%s", "list: bad option");
	}
	if (load_adapters() < 0)
		return EXIT_USAGE;
	what = optind < argc ? argv[optind] : "probes";
	if (!strcmp(what, "probes"))
		return markdown ? probes_markdown() : list_probes();
	if (!strcmp(what, "backends"))
		return list_backends();
	if (!strcmp(what, "modes"))
		return list_modes(suite_name);
	if (!strcmp(what, "suites"))
		return list_suites();
	return die_usage("list %s: expected probes, backends, modes or suites", what);
}

static int cmd_explain(int argc, char **argv)
{
	static const struct option opts[] = {{"backend", required_argument, 0, 'b'},
					     {"mode", required_argument, 0, 'm'},
					     {"suite", required_argument, 0, 's'},
					     {"adapter", required_argument, 0, 'A'},
					     {0, 0, 0, 0}};
	const char *bname = NULL, *mname = NULL, *suite_name = "default";
	const struct backend *b;
	const struct mode *m;
	struct suite s;
	struct sbuf out = {0};
	int c, r;

	while ((c = getopt_long(argc, argv, "b:m:s:", opts, NULL)) != -1) {
		if (c == 'b')
			bname = optarg;
		else if (c == 'm')
			mname = optarg;
		else if (c == 's')
			suite_name = optarg;
		else if (c == 'A') {
			if (add_adapter(optarg))
				return EXIT_USAGE;
		} else
			return die_usage("%s", "explain: bad option");
	}
	if (load_adapters() < 0)
		return EXIT_USAGE;
	if (!bname || !mname)
		return die_usage("%s", "explain needs -b BACKEND and -m MODE");
	if (!(b = backend_find(bname)))
		return die_usage("-b %s: unknown backend (see `cagetest list backends`)", bname);
	if (load_suite(suite_name, &s) < 0)
		return EXIT_USAGE;
	if (!(m = suite_mode(&s, mname))) {
		suite_free(&s);
		return die_usage("-m %s: no such mode (see `cagetest list modes`)", mname);
	}
	struct box x = box_placeholders(m);
	r = b->explain ? b->explain(b, &x, &out) : -EOPNOTSUPP;
	if (r == 0 && b->notes) {
		sb_puts(&out, "notes: ");
		b->notes(b, &out);
		sb_puts(&out, "\n");
	}
	if (r == 0)
		fputs(out.s ? out.s : "", stdout);
	else
		fprintf(stderr, "cagetest: explain %s: %s\n", bname, strerror(-r));
	sb_free(&out);
	suite_free(&s);
	return r == 0 ? EXIT_OK : EXIT_UNJUDGED;
}

static int cmd_doctor(int argc, char **argv)
{
	static const struct option own[] = {
		{"backend", required_argument, 0, 'b'}, {"mode", required_argument, 0, 'm'},
		{"suite", required_argument, 0, 's'},	{"probe", required_argument, 0, 'p'},
		{"no-battery", no_argument, 0, 'N'},	{"quiet", no_argument, 0, 'q'},
		{"adapter", required_argument, 0, 'A'}, {"evidence", required_argument, 0, 'E'},
		{0, 0, 0, 0},
	};
	struct option all[ARRAY_SIZE(own) + WRITERS_MAX];
	const struct option *opts = with_writers(own, all);
	struct run_opts o = {.probes = doctor_probes, .jobs = (int)sysconf(_SC_NPROCESSORS_ONLN), .timeout = 10};
	const char *out[WRITERS_MAX] = {0}, *suite_name = "default", *evidence = NULL;
	bool battery_on = true, quiet = false, fail[V__COUNT];
	char backends[1024], modes[1024];
	struct sbuf s = {0};
	struct suite suite;
	struct report rep = {0};
	struct run_outcome oc;
	int c, code;

	while ((c = getopt_long(argc, argv, "b:m:s:p:q", opts, NULL)) != -1) {
		switch (c) {
		case 'b': o.backends = optarg; break;
		case 'm': o.modes = optarg; break;
		case 's': suite_name = optarg; break;
		case 'p': o.probes = optarg; break;
		case 'N': battery_on = false; break;
		case 'q': quiet = true; break;
		case 'E': evidence = optarg; break;
		case 'A':
			if (add_adapter(optarg))
				return EXIT_USAGE;
			break;
		default:
			if (!report_option(c, out))
				return die_usage("%s", "doctor: bad option");
		}
	}
	if (optind < argc)
		return die_usage("doctor: unexpected argument '%s'", argv[optind]);
	if (load_adapters() < 0)
		return EXIT_USAGE;
	int saved = doctor_facts(&s, evidence);
	fputs(s.s ? s.s : "", stdout);
	sb_free(&s);
	if (saved < 0) {
		fprintf(stderr, "cagetest: doctor --evidence %s: %s\n", evidence, strerror(-saved));
		return EXIT_USAGE;
	}
	printf("backends:\n");
	list_backends();
	if (!battery_on)
		return EXIT_OK;
	if (load_suite(suite_name, &suite) < 0)
		return EXIT_USAGE;
	if (!o.backends && doctor_backends(backends, sizeof(backends)) == 0)
		o.backends = backends;
	if (!o.modes && doctor_modes(&suite, modes, sizeof(modes)) == 0)
		o.modes = modes;
	if (!o.backends || !*o.backends) {
		printf("no sandbox backend works here: nothing can enforce a mode\n");
		suite_free(&suite);
		return EXIT_UNJUDGED;
	}
	printf("\nshort battery: probes %s\nwith %s in %s:\n", o.probes, o.backends, o.modes);
	fflush(stdout);
	o.suite = &suite;
	code = battery(&o, quiet, &rep, &oc);
	suite_free(&suite);
	if (code)
		return code;
	doctor_verdicts(&rep, &s);
	fputs(s.s ? s.s : "", stdout);
	sb_free(&s);
	parse_fail_on("escape,overblocked", fail);
	code = run_status(&rep, fail, oc.named_unavailable);
	struct render_opts ro = render_opts_for(1);
	if (write_reports(&rep, out, &ro) < 0)
		code = EXIT_UNJUDGED;
	report_free(&rep);
	return code;
}

/* --fleet LIST: host counts; 0, or EXIT_USAGE after the message. */
static int parse_fleet(const char *list, size_t *sizes, size_t max, size_t *n)
{
	char *end;
	const char *p = list;

	for (*n = 0; *p && *n < max; p = *end == ',' ? end + 1 : end) {
		unsigned long v = strtoul(p, &end, 10);
		if (end == p || (*end && *end != ',') || v < BENCH_FLEET_MIN || v > 9999)
			break;
		sizes[(*n)++] = v;
	}
	return *p || !*n ? die_usage("--fleet %s: expected a comma list of host counts from %d to 9999", list,
				    BENCH_FLEET_MIN)
			 : 0;
}

static int cmd_bench(int argc, char **argv)
{
	static const struct option opts[] = {{"mode", required_argument, 0, 'm'},
					     {"probe", required_argument, 0, 'p'},
					     {"jobs", required_argument, 0, 'j'},
					     {"suite", required_argument, 0, 's'},
					     {"fleet", required_argument, 0, 'f'},
					     {0, 0, 0, 0}};
	struct bench_opts bo = {.mode = "workspace-write", .jobs = (int)sysconf(_SC_NPROCESSORS_ONLN)};
	const char *suite_name = "default";
	size_t fleet[8], nfleet = 0;
	struct suite suite;
	struct sbuf out = {0};
	char *end;
	int c, r;

	while ((c = getopt_long(argc, argv, "m:p:j:s:", opts, NULL)) != -1) {
		switch (c) {
		case 'm': bo.mode = optarg; break;
		case 'p': bo.probes = optarg; break;
		case 's': suite_name = optarg; break;
		case 'j':
			bo.jobs = (int)strtol(optarg, &end, 10);
			if (*end || bo.jobs < 1 || bo.jobs > 256)
				return die_usage("-j %s: expected a number from 1 to 256", optarg);
			break;
		case 'f':
			if ((r = parse_fleet(optarg, fleet, ARRAY_SIZE(fleet), &nfleet)))
				return r;
			break;
		default: return die_usage("%s", "bench: bad option");
		}
	}
	if (load_suite(suite_name, &suite) < 0)
		return EXIT_USAGE;
	bo.suite = &suite;
	if (!suite_mode(&suite, bo.mode)) {
		suite_free(&suite);
		return die_usage("-m %s: no such mode", bo.mode);
	}
	r = nfleet ? bench_fleet(&bo, fleet, nfleet, &out) : bench_run(&bo, &out);
	fputs(out.s ? out.s : "", stdout);
	sb_free(&out);
	suite_free(&suite);
	if (r < 0)
		fprintf(stderr, "cagetest: bench: %s\n", strerror(-r));
	return r < 0 ? EXIT_UNJUDGED : r ? EXIT_FAIL : EXIT_OK;
}

static int cmd_sentinel(int argc, char **argv)
{
	return sentinel_main(argc > 1 ? argv[1] : NULL);
}

/* Every command; `cagetest --help` and `cagetest NAME --help` come from here. */
static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary; /* NULL: internal, started by run itself */
	const char *usage;
} commands[] = {
	{"run", cmd_run, "run the battery (the default suite, every mode, the landlock backend)", run_usage},
	{"list", cmd_list, "list probes, backends, modes or suites", list_usage},
	{"explain", cmd_explain,
	 "print exactly what a backend applies for a mode (bwrap argv,\n"
	 "            SBPL profile, Landlock and seccomp rules)",
	 explain_usage},
	{"doctor", cmd_doctor, "can a sandbox work here? host facts, then a short battery per backend", doctor_usage},
	{"merge", cmd_merge, "combine JSON reports of several hosts into one and render it", merge_usage},
	{"diff", cmd_diff, "what changed between two JSON reports; exit 1 when NEW is worse", diff_usage},
	{"bench", cmd_bench, "the harness's time against bare starts of landlock and bwrap", bench_usage},
	{"agent", agent_main, NULL, agent_usage},
	{"sentinel", cmd_sentinel, NULL, sentinel_usage},
};

/* The whole help: every command's summary, then each one's usage. */
static int usage(int code)
{
	FILE *f = code ? stderr : stdout;

	fputs(intro_text, f);
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (commands[i].summary)
			fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].summary);
	fputs("  (agent and sentinel are internal: run starts them)\n\n", f);
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (commands[i].summary)
			fputs(commands[i].usage, f);
	fprintf(f, "cagetest --help | --version | help COMMAND\n\n%s", status_text);
	return code;
}

/* --help or -h anywhere before "--": that command's usage, on stdout. */
static bool wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return true;
	return false;
}

static int command_usage(const struct command *c)
{
	printf("usage: %s", c->usage);
	if (c->summary)
		printf("\n%s", status_text);
	return EXIT_OK;
}

static const struct command *command_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(name, commands[i].name))
			return &commands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	const struct command *c;
	int code;

	datadir_builtin(builtin_files, builtin_count);
	if (argc < 2)
		return usage(EXIT_USAGE);
	if (!strcmp(argv[1], "help") && argc > 2)
		return (c = command_find(argv[2])) ? command_usage(c) : die_usage("help %s: no such command", argv[2]);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help"))
		return usage(EXIT_OK);
	if (!strcmp(argv[1], "--version")) {
		printf("cagetest %s\n", CAGETEST_VERSION);
		return EXIT_OK;
	}
	if (!(c = command_find(argv[1])))
		return die_usage("unknown command '%s'", argv[1]);
	if (wants_help(argc - 1, argv + 1))
		return command_usage(c);
	command_name = c->name;
	optind = 1;
	code = c->fn(argc - 1, argv + 1);
	adapters_unregister();
	return code;
}

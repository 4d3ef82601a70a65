/* The CLI edge: the only place that prints errors and picks exit codes. */
#include "../lib/util.h"
#include "../platforms/adapter.h"
#include "../platforms/backend.h"
#include "../platforms/detect.h"
#include "../probes/probe.h"
#include "../reports/model.h"
#include "agent.h"
#include "run.h"
#include "sentinel.h"
#include "suite.h"

#include <dirent.h>
#include <stdarg.h>
#include <getopt.h>
#include <string.h>

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2, EXIT_UNJUDGED = 3 };

static const char usage_text[] =
	"usage: cagetest COMMAND [OPTIONS]\n"
	"\n"
	"Run sandbox escape probes under each sandbox mode and backend, decide from\n"
	"outside the sandbox what really happened, and report what was blocked.\n"
	"\n"
	"commands:\n"
	"  run       run the battery (the default suite, every mode, the landlock backend)\n"
	"  list      list probes, backends, modes or suites\n"
	"  explain   print exactly what a backend applies for a mode\n"
	"  doctor    what this host supports, which backends work here and why not\n"
	"\n"
	"cagetest run [-b BACKENDS] [-m MODES] [-s SUITE] [-p GLOB] [-j N]\n"
	"             [--json F] [--junit F] [--timeout SEC] [--scratch DIR] [--keep]\n"
	"             [--user NAME] [--fail-on LIST] [--quiet] [--adapter FILE]...\n"
	"  -b, --backend LIST   comma list of backends or 'all' (default: landlock)\n"
	"  -m, --mode LIST      comma list of modes or 'all' (default: all)\n"
	"  -s, --suite NAME     suite name or JSON file (default: default)\n"
	"  -p, --probe GLOBS    only probes whose id matches, e.g. 'git.*,fs.write_*'\n"
	"  -j, --jobs N         cases in parallel (default: number of CPUs)\n"
	"      --json F         write the JSON report (schema 1); '-' is stdout\n"
	"      --junit F        write JUnit XML; '-' is stdout\n"
	"      --timeout SEC    per probe (default: 10); a hung sandbox is killed then\n"
	"      --scratch DIR    parent of the scratch root (default: /var/tmp; never /tmp)\n"
	"      --keep           keep the scratch root for inspection\n"
	"      --user NAME      as root: run the sandboxed side as this user\n"
	"      --fail-on LIST   verdicts that fail the run (default: escape,overblocked)\n"
	"  -q, --quiet          no progress line, no summary\n"
	"      --adapter FILE   add a backend described by an adapter file (repeatable; also\n"
	"                       for list, explain, doctor); platforms/adapters/*.json ship\n"
	"                       codex, srt and firejail (see cagetest-adapter(5))\n"
	"\n"
	"cagetest list [probes|backends|modes|suites] [-s SUITE] [--markdown] [--adapter FILE]...\n"
	"  probes: id, category, effect, summary; --markdown: the docs/probes.md table\n"
	"cagetest explain -b BACKEND -m MODE [-s SUITE] [--adapter FILE]...\n"
	"  for an adapter: the expanded command line, env, cwd and files\n"
	"cagetest doctor [--adapter FILE]...\n"
	"cagetest --help | --version\n"
	"\n"
	"verdicts: pass, escape (blocked by policy but happened), overblocked (allowed\n"
	"by policy but stopped), error (the sandbox did not start, hung or crashed),\n"
	"skip (this host cannot do it even without a sandbox), xfail (known failure).\n"
	"\n"
	"exit status: 0 every row passed (skips and xfails allowed); 1 a verdict in\n"
	"--fail-on; 2 usage or input error; 3 the run could not judge (errors, an\n"
	"unavailable backend asked for by name, an interrupted run).\n";

static int usage(int code)
{
	fputs(usage_text, code ? stderr : stdout);
	return code;
}

static int die_usage(const char *f, ...) __attribute__((format(printf, 1, 2)));
static int die_usage(const char *f, ...)
{
	va_list ap;

	fprintf(stderr, "cagetest: ");
	va_start(ap, f);
	vfprintf(stderr, f, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'cagetest --help'.\n");
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

/* --- run --- */

struct outputs {
	const char *json, *junit;
};

static int parse_fail_on(const char *list, bool fail[V__COUNT])
{
	char buf[256], *save = NULL;

	memset(fail, 0, sizeof(bool) * V__COUNT);
	if (fmt(buf, sizeof(buf), "%s", list) < 0)
		return -EINVAL;
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		int v = verdict_from_name(t);
		if (v < 0 || v == V_PASS)
			return -EINVAL;
		fail[v] = true;
	}
	return 0;
}

static void summary(const struct report *r)
{
	const char *last_b = NULL, *last_m = NULL;
	size_t n[V__COUNT] = {0};

	for (size_t i = 0; i <= r->nresults; i++) {
		const struct result *x = i < r->nresults ? &r->results[i] : NULL;
		if (last_b && (!x || strcmp(x->backend, last_b) || strcmp(x->mode, last_m))) {
			fprintf(stderr, "  %-32s", "");
			fprintf(stderr, "\r  %s.%s:", last_b, last_m);
			for (int v = 0; v < V__COUNT; v++)
				if (n[v])
					fprintf(stderr, " %zu %s", n[v], verdict_name((enum verdict)v));
			fprintf(stderr, "\n");
			memset(n, 0, sizeof(n));
		}
		if (!x)
			break;
		n[x->verdict]++;
		last_b = x->backend, last_m = x->mode;
	}
	for (size_t i = 0; i < r->nresults; i++) {
		const struct result *x = &r->results[i];
		if (x->verdict == V_ESCAPE || x->verdict == V_OVERBLOCKED || x->verdict == V_ERROR)
			fprintf(stderr, "  %-11s %s.%s %s: %s\n", verdict_name(x->verdict), x->backend, x->mode, x->probe, x->detail);
	}
}

static int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{"backend", required_argument, 0, 'b'}, {"mode", required_argument, 0, 'm'},
		{"suite", required_argument, 0, 's'},	{"probe", required_argument, 0, 'p'},
		{"jobs", required_argument, 0, 'j'},	{"json", required_argument, 0, 'J'},
		{"junit", required_argument, 0, 'U'},	{"timeout", required_argument, 0, 'T'},
		{"scratch", required_argument, 0, 'S'}, {"keep", no_argument, 0, 'k'},
		{"user", required_argument, 0, 'u'},	{"fail-on", required_argument, 0, 'F'},
		{"quiet", no_argument, 0, 'q'},		{"help", no_argument, 0, 'h'},
		{"adapter", required_argument, 0, 'A'}, {0, 0, 0, 0},
	};
	struct run_opts o = {.backends = "landlock", .modes = "all", .jobs = (int)sysconf(_SC_NPROCESSORS_ONLN), .timeout = 10};
	struct outputs out = {0};
	const char *suite_name = "default", *fail_on = "escape,overblocked";
	bool quiet = false, fail[V__COUNT];
	struct suite suite;
	struct report rep = {0};
	struct run_outcome oc;
	char err[1024] = "", *end;
	int c, r, code;

	while ((c = getopt_long(argc, argv, "b:m:s:p:j:qh", opts, NULL)) != -1) {
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
		case 'J': out.json = optarg; break;
		case 'U': out.junit = optarg; break;
		case 'T':
			o.timeout = strtod(optarg, &end);
			if (*end || !(o.timeout > 0 && o.timeout <= 3600))
				return die_usage("--timeout %s: expected seconds, more than 0 and at most 3600", optarg);
			break;
		case 'S': o.scratch = optarg; break;
		case 'k': o.keep = true; break;
		case 'u': o.user = optarg; break;
		case 'F': fail_on = optarg; break;
		case 'q': quiet = true; break;
		case 'A':
			if (add_adapter(optarg))
				return EXIT_USAGE;
			break;
		case 'h': return usage(EXIT_OK);
		default: return die_usage("%s", "bad option");
		}
	}
	if (optind < argc)
		return die_usage("run: unexpected argument '%s'", argv[optind]);
	if (parse_fail_on(fail_on, fail) < 0)
		return die_usage("--fail-on %s: expected a comma list of escape, overblocked, error, skip, xfail", fail_on);
	if (load_adapters() < 0 || load_suite(suite_name, &suite) < 0)
		return EXIT_USAGE;
	o.suite = &suite;
	o.progress = !quiet && isatty(2);
	r = run_battery(&o, &rep, &oc, err, sizeof(err));
	suite_free(&suite);
	if (r == -EINVAL) {
		fprintf(stderr, "cagetest: %s\n", err);
		report_free(&rep);
		return EXIT_USAGE;
	}
	if (r < 0) {
		fprintf(stderr, "cagetest: %s\n", err[0] ? err : strerror(-r));
		report_free(&rep);
		return EXIT_UNJUDGED;
	}
	code = EXIT_OK;
	for (size_t i = 0; i < rep.nresults; i++)
		if (fail[rep.results[i].verdict])
			code = EXIT_FAIL;
	if (code == EXIT_OK && (rep.summary[V_ERROR] || oc.named_unavailable || oc.interrupted))
		code = EXIT_UNJUDGED;

	char *text = NULL;
	if (out.json && (report_json(&rep, &text) < 0 || emit(out.json, text, "JSON") < 0))
		code = EXIT_UNJUDGED;
	free(text);
	text = NULL;
	if (out.junit && (report_junit(&rep, &text) < 0 || emit(out.junit, text, "JUnit") < 0))
		code = EXIT_UNJUDGED;
	free(text);
	if (!quiet) {
		summary(&rep);
		fprintf(stderr, "cagetest: %zu rows: %zu pass, %zu escape, %zu overblocked, %zu error, %zu skip, %zu xfail%s\n",
			rep.nresults, rep.summary[V_PASS], rep.summary[V_ESCAPE], rep.summary[V_OVERBLOCKED],
			rep.summary[V_ERROR], rep.summary[V_SKIP], rep.summary[V_XFAIL],
			oc.interrupted ? " (interrupted)" : "");
		if (oc.scratch_root[0])
			fprintf(stderr, "cagetest: scratch kept at %s\n", oc.scratch_root);
	}
	report_free(&rep);
	return code;
}

/* --- list, explain, doctor --- */

/* docs/probes.md, generated from the registry (`make docs`). */
static int probes_markdown(void)
{
	printf("# cagetest probes\n\nGenerated from the registry by `make docs`; do not edit. %zu probes.\n", probe_count());
	for (int c = 0; c < CAT__COUNT; c++) {
		printf("\n## %s\n\n| id | effect | tries | verified by | usually blocked by |\n|---|---|---|---|---|\n",
		       category_name((enum category)c));
		for (size_t i = 0; i < probe_count(); i++) {
			const struct probe *p = probe_at(i);
			if (probe_category(p) == (enum category)c)
				printf("| `%s` | %s | %s | %s | %s |\n", p->id, effect_name(p->effect), p->summary, p->evidence,
				       p->blocked_by);
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
		char why[256] = "", ver[128] = "";
		bool ok = b->available(b, why, sizeof(why)) == 0;
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
	char dir[4096];
	DIR *d;
	struct dirent *e;

	if (datadir_find("suites", dir, sizeof(dir)) < 0 || !(d = opendir(dir))) {
		fprintf(stderr, "cagetest: no suites directory found. Hint: set CAGETEST_DATADIR\n");
		return EXIT_USAGE;
	}
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (n > 5 && !strcmp(e->d_name + n - 5, ".json"))
			printf("%.*s\t%s/%s\n", (int)(n - 5), e->d_name, dir, e->d_name);
	}
	closedir(d);
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
	struct box x = {m, "{scratch}", "{workspace}", "{tmp}", "{home}", "{run}", "{cagetest}", "{listener}"};
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
	static const struct option opts[] = {{"adapter", required_argument, 0, 'A'}, {0, 0, 0, 0}};
	struct host_facts h = {0};
	bool any = false;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'A')
			return die_usage("%s", "doctor: bad option");
		if (add_adapter(optarg))
			return EXIT_USAGE;
	}
	if (optind < argc)
		return die_usage("doctor: unexpected argument '%s'", argv[optind]);
	if (load_adapters() < 0)
		return EXIT_USAGE;
	host_facts_fill(&h);
	printf("kernel        %s (%s)\n", h.kernel, h.arch);
	printf("uid           %u\n", h.uid);
	printf("container     %s\n", h.container);
	printf("landlock      %s", h.landlock_abi ? "" : "unavailable\n");
	if (h.landlock_abi)
		printf("ABI %d\n", h.landlock_abi);
	printf("seccomp       %s\n", h.seccomp ? "filters supported" : "unavailable");
	printf("user ns       %s\n", h.userns ? "can be created" : "cannot be created");
	printf("backends:\n");
	for (size_t i = 0; i < backend_count(); i++) {
		const struct backend *b = backend_at(i);
		char why[256] = "";
		bool ok = b->available(b, why, sizeof(why)) == 0;
		any = any || (ok && b != &backend_none);
		printf("  %-10s %s%s%s\n", b->name, ok ? "usable" : "unusable", ok ? "" : ": ", why);
	}
	free(h.name), free(h.kernel), free(h.arch), free(h.container);
	return any ? EXIT_OK : EXIT_UNJUDGED;
}

static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{"run", cmd_run},
	{"list", cmd_list},
	{"explain", cmd_explain},
	{"doctor", cmd_doctor},
	{"agent", agent_main},
};

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "sentinel"))
		return sentinel_main();
	if (argc < 2)
		return usage(EXIT_USAGE);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help"))
		return usage(EXIT_OK);
	if (!strcmp(argv[1], "--version")) {
		printf("cagetest %s\n", CAGETEST_VERSION);
		return EXIT_OK;
	}
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(argv[1], commands[i].name)) {
			optind = 1;
			int code = commands[i].fn(argc - 1, argv + 1);
			adapters_unregister();
			return code;
		}
	return die_usage("unknown command '%s'", argv[1]);
}

/* `cagetest bench`: the harness's wall time, batched and --isolate, against
 * the physical floor, the cost of starting the same sandbox with the same
 * arguments around /bin/true once per row, one at a time and J at a time;
 * then the default matrix at -j1 and -jJ, and the runner's peak RSS. */
#include "bench.h"

#include "../lib/util.h"
#include "../platforms/backend.h"
#include "run.h"
#include "scratch.h"

#include <fcntl.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>

/* One bare start: fork, the backend's in-process setup, exec of its argv
 * prefix (if any) then /bin/true. */
static int bare_start(const struct backend *b, const struct box *x, const struct launch *l, pid_t *pid)
{
	char *argv[256];
	size_t k = 0;

	for (size_t i = 0; i < l->argc && k < ARRAY_SIZE(argv) - 2; i++)
		argv[k++] = l->argv[i];
	argv[k++] = "/bin/true";
	argv[k] = NULL;
	*pid = fork();
	if (*pid < 0)
		return neg_errno();
	if (*pid == 0) {
		/* what the spawner does: each start reads its own copy of the
		 * launch fds (bwrap reads its seccomp program to the end) */
		for (size_t i = 0; i < l->nfds; i++) {
			char p[64];
			snprintf(p, sizeof(p), "/proc/self/fd/%d", l->fds[i]);
			int fd = open(p, O_RDONLY);
			if (fd < 0 || dup2(fd, l->fds[i]) < 0)
				_exit(125);
			close(fd);
		}
		if (b->enter && b->enter(b, x) < 0)
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	return 0;
}

/* n starts, at most j at a time; returns seconds, or < 0 on failure. */
static double floor_time(const struct backend *b, const struct box *x, const struct launch *l, int n, int j)
{
	pid_t pids[256] = {0};
	double t0 = now_mono();
	int running = 0, started = 0, failed = 0;

	if (j > (int)ARRAY_SIZE(pids))
		j = (int)ARRAY_SIZE(pids);
	while (started < n || running) {
		for (int k = 0; k < j && started < n; k++)
			if (!pids[k]) {
				if (bare_start(b, x, l, &pids[k]) < 0)
					return -1;
				started++, running++;
			}
		/* only our own starts: other children of this process are not ours to reap */
		for (int k = 0; k < j; k++) {
			int st;
			if (pids[k] && waitpid(pids[k], &st, running == j || started == n ? 0 : WNOHANG) == pids[k]) {
				failed += !WIFEXITED(st) || WEXITSTATUS(st) != 0;
				pids[k] = 0;
				running--;
				break;
			}
		}
	}
	return failed ? -1 : now_mono() - t0;
}

/* One run of the battery; seconds, or < 0. rows: how many rows it judged. */
static double harness_time(const struct bench_opts *bo, const char *backends, const char *modes, int j, bool isolate,
			   size_t *rows)
{
	struct run_opts o = {.backends = backends, .modes = modes, .probes = bo->probes, .suite = bo->suite,
			     .jobs = j, .timeout = 10, .isolate = isolate};
	struct run_outcome oc;
	struct report rep = {0};
	char err[512];
	double t0 = now_mono(), t = -1;

	if (run_battery(&o, &rep, &oc, err, sizeof(err)) == 0)
		t = now_mono() - t0;
	*rows = rep.nresults;
	report_free(&rep);
	return t;
}

/* n bare starts of b in a fresh case of its own, j at a time. */
static double floor_case(const struct backend *b, const struct mode *m, int n, int j)
{
	struct scratch sc;
	struct launch l = {0};
	char err[512], root[4096], ws[4200], tmp[4200], home[4200];
	double t = -1;

	if (scratch_create(&sc, NULL, err, sizeof(err)) < 0)
		return -1;
	if (scratch_new_case(&sc, root, sizeof(root)) == 0) {
		fmt(ws, sizeof(ws), "%s/ws", root), fmt(tmp, sizeof(tmp), "%s/tmp", root);
		fmt(home, sizeof(home), "%s/home", root);
		struct box x = {.mode = m, .case_root = root, .ws = ws, .tmp = tmp, .home = home, .run = sc.run,
				.self = "/bin/true", .listener = "127.0.0.1:1", .launch = &l};
		if (!b->prepare || b->prepare(b, &x, &l, err, sizeof(err)) == 0)
			t = floor_time(b, &x, &l, n, j);
		launch_free(&l);
	}
	scratch_destroy(&sc);
	return t;
}

int bench_run(const struct bench_opts *bo, struct sbuf *out)
{
	static const char *const backends[] = {"landlock", "bwrap"};
	const struct mode *m = suite_mode(bo->suite, bo->mode);
	size_t rows = 0;

	if (!m)
		return -EINVAL;
	sb_printf(out, "bench: mode %s, probes %s, -j1 and -j%d (%ld CPUs); every harness run includes its control pass\n",
		  bo->mode, bo->probes ? bo->probes : "all", bo->jobs, sysconf(_SC_NPROCESSORS_ONLN));
	sb_puts(out, "backend    jobs  floor(s)  batched(s)  ratio  isolated(s)  ratio  per row: floor/batched/isolated (ms)\n");
	for (size_t i = 0; i < ARRAY_SIZE(backends); i++) {
		const struct backend *b = backend_find(backends[i]);
		char why[256];
		if (!b || b->available(b, why, sizeof(why)) < 0) {
			sb_printf(out, "%-10s unavailable: %s\n", backends[i], b ? why : "unknown");
			continue;
		}
		for (int pass = 0; pass < 2; pass++) {
			int j = pass ? bo->jobs : 1;
			/* N rows (each also run once unsandboxed, the control) vs N bare starts */
			double bt = harness_time(bo, b->name, bo->mode, j, false, &rows);
			double it = harness_time(bo, b->name, bo->mode, j, true, &rows);
			double fl = rows ? floor_case(b, m, (int)rows, j) : -1;
			if (fl <= 0 || bt <= 0 || it <= 0) {
				sb_printf(out, "%-10s -j%-3d failed\n", b->name, j);
				continue;
			}
			sb_printf(out, "%-10s -j%-3d %8.2f  %10.2f  %4.2fx  %11.2f  %4.2fx  %.2f / %.2f / %.2f\n", b->name, j, fl,
				  bt, bt / fl, it, it / fl, fl / (double)rows * 1000, bt / (double)rows * 1000,
				  it / (double)rows * 1000);
		}
	}
	/* the default matrix, as `make run RUN_ARGS="-b landlock,bwrap"` runs it */
	double m1 = harness_time(bo, "landlock,bwrap", "all", 1, false, &rows);
	double mj = harness_time(bo, "landlock,bwrap", "all", bo->jobs, false, &rows);
	if (m1 > 0 && mj > 0)
		sb_printf(out, "matrix     -b landlock,bwrap -m all, %zu rows: %.2f s at -j1, %.2f s at -j%d (%.2fx)\n", rows, m1,
			  mj, bo->jobs, m1 / mj);
	else
		sb_puts(out, "matrix     -b landlock,bwrap -m all: failed\n");
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	sb_printf(out, "runner peak RSS: %.1f MB\n", (double)ru.ru_maxrss / 1024);
	return 0;
}

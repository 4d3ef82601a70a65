#include "cgroup.h"

#include "../lib/proc.h"
#include "../lib/util.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define CASE_PIDS_MAX "1024"
#define CASE_MEMORY_MAX "2G"

/* The hierarchies a case joins: v2 when it is mounted, and the v1 pids and
 * memory hierarchies where v2 lacks those controllers (hybrid hosts) or is
 * not mounted at all. A case is known by its name ("case-N") and lives at
 * the same relative place in each. */
static struct hier {
	const char *fstype, *opt, *prefix; /* mount type, super option, /proc/self/cgroup key */
	const char *limit_file, *limit;	   /* v1: the case's bound; v2 sets its own */
	char run[PATH_MAX];		   /* the run's dir here, "" when unused */
} hiers[] = {
	{"cgroup2", NULL, "0::", NULL, NULL, ""},
	{"cgroup", "pids", ":pids:", "pids.max", CASE_PIDS_MAX, ""},
	{"cgroup", "memory", ":memory:", "memory.limit_in_bytes", CASE_MEMORY_MAX, ""},
};
enum { H_V2, H_PIDS, H_MEMORY };

/* Our own cgroup in hierarchy h: its mount point plus our path from
 * /proc/self/cgroup ("0::/path" for v2, "N:pids:/path" for v1). */
static int own_cgroup(const struct hier *h, char *out, size_t n)
{
	_cleanup_free_ char *mi = NULL, *cg = NULL;
	char mnt[PATH_MAX] = "";
	char *save = NULL;

	if (read_file("/proc/self/mountinfo", 1 << 20, &mi, NULL) < 0)
		return -ENOENT;
	for (char *line = strtok_r(mi, "\n", &save); line && !mnt[0]; line = strtok_r(NULL, "\n", &save)) {
		char point[PATH_MAX], type[64], sopts[512] = "";
		char *sep = strstr(line, " - ");
		if (!sep || sscanf(sep + 3, "%63s %*s %511s", type, sopts) < 1 || strcmp(type, h->fstype))
			continue;
		if (h->opt) {
			bool found = false;
			for (char *o = strtok(sopts, ","); o && !found; o = strtok(NULL, ","))
				found = !strcmp(o, h->opt);
			if (!found)
				continue;
		}
		if (sscanf(line, "%*s %*s %*s %*s %4095s", point) == 1)
			snprintf(mnt, sizeof(mnt), "%s", point);
	}
	if (!mnt[0] || read_file("/proc/self/cgroup", 65536, &cg, NULL) < 0)
		return -ENOENT;
	for (char *line = strtok_r(cg, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *p = strstr(line, h->prefix);
		if (!p || (h == &hiers[H_V2] ? p != line : p == line))
			continue;
		p += strlen(h->prefix);
		return fmt(out, n, "%s%s", mnt, strcmp(p, "/") ? p : "");
	}
	return -ENOENT;
}

static bool has_controller(const char *dir, const char *name)
{
	char p[PATH_MAX];
	_cleanup_free_ char *text = NULL;

	if (fmt(p, sizeof(p), "%s/cgroup.subtree_control", dir) < 0 || read_file(p, 4096, &text, NULL) < 0)
		return false;
	for (char *t = strtok(text, " \n"); t; t = strtok(NULL, " \n"))
		if (!strcmp(t, name))
			return true;
	return false;
}

static int write_to(const char *dir, const char *file, const char *value)
{
	char p[PATH_MAX];
	int r = fmt(p, sizeof(p), "%s/%s", dir, file);

	if (r < 0)
		return r;
	_cleanup_close_ int fd = open(p, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return neg_errno();
	return write_all(fd, value, strlen(value));
}

static bool populated(const char *dir)
{
	char p[PATH_MAX];
	_cleanup_free_ char *text = NULL;

	if (fmt(p, sizeof(p), "%s/cgroup.events", dir) < 0 || read_file(p, 4096, &text, NULL) < 0)
		return false;
	return strstr(text, "populated 1") != NULL;
}

/* SIGKILL every member of a group; how many there were. */
static int kill_members(const char *dir)
{
	char p[PATH_MAX];
	_cleanup_free_ char *text = NULL;
	int n = 0;

	if (fmt(p, sizeof(p), "%s/cgroup.procs", dir) < 0 || read_file(p, 1 << 20, &text, NULL) < 0)
		return 0;
	for (char *t = strtok(text, "\n"); t; t = strtok(NULL, "\n"), n++)
		kill((pid_t)atoi(t), SIGKILL);
	return n;
}

/* Kill everything in one group until it is empty (or the deadline), remove
 * it. cgroup.kill races with nothing: forks into the group die too; v1 and
 * kernels before 5.14 have none, and killing the members until none is
 * left does the same in rounds. */
static void empty_group(const char *dir, double deadline)
{
	bool killed = write_to(dir, "cgroup.kill", "1") == 0;

	while ((killed ? populated(dir) : kill_members(dir) > 0) && now_mono() < deadline) {
		struct timespec ts = {0, 2 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	rmdir(dir);
}

static bool case_dir(const struct hier *h, const char *name, char *out, size_t n)
{
	return h->run[0] && name && name[0] && fmt(out, n, "%s/%s", h->run, name) == 0;
}

size_t cg_case_procs(const char *name, pid_t *out, size_t max)
{
	char dir[PATH_MAX], p[PATH_MAX];
	size_t n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(hiers); i++) {
		_cleanup_free_ char *text = NULL;
		if (!case_dir(&hiers[i], name, dir, sizeof(dir)) || fmt(p, sizeof(p), "%s/cgroup.procs", dir) < 0 ||
		    read_file(p, 1 << 20, &text, NULL) < 0)
			continue;
		for (char *t = strtok(text, "\n"); t && n < max; t = strtok(NULL, "\n"))
			out[n++] = (pid_t)atoi(t);
		break;
	}
	return n;
}

int cg_case_destroy(const char *name)
{
	double deadline = now_mono() + 5;
	char dir[PATH_MAX];

	/* v2 first: its cgroup.kill empties the v1 groups of the same processes */
	for (size_t i = 0; i < ARRAY_SIZE(hiers); i++)
		if (case_dir(&hiers[i], name, dir, sizeof(dir)))
			empty_group(dir, deadline);
	return 0;
}

/* Remove a tree bottom-up, killing what is in it. */
static void destroy_tree(const char *dir, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && depth < 8 && (e = readdir(d))) {
		char p[PATH_MAX];
		if (e->d_type != DT_DIR || e->d_name[0] == '.' || fmt(p, sizeof(p), "%s/%s", dir, e->d_name) < 0)
			continue;
		destroy_tree(p, depth + 1);
	}
	if (d)
		closedir(d);
	empty_group(dir, now_mono() + 5);
}

/* Stale runs (their runner is gone) in one hierarchy: kill, remove. */
static int collect_in(const char *base)
{
	DIR *d = opendir(base);
	struct dirent *e;
	unsigned long long ns = proc_pid_ns();
	int n = 0;

	while (d && (e = readdir(d))) {
		int pid, k;
		unsigned long long t, their_ns = 0;
		char p[PATH_MAX];
		/* a run of another pid namespace (a container that shares this
		 * cgroup tree) names a pid this /proc does not show: never ours
		 * to judge. Names without the namespace come from older versions */
		k = sscanf(e->d_name, "cagetest-%d-%llu-%llu", &pid, &t, &their_ns);
		if (k < 2 || (k == 3 && their_ns != ns) || proc_start_time(pid) == t)
			continue; /* not ours, or its runner is alive */
		if (fmt(p, sizeof(p), "%s/%s", base, e->d_name) == 0) {
			destroy_tree(p, 0);
			n++;
		}
	}
	if (d)
		closedir(d);
	return n;
}

int cg_collect_stale(void)
{
	char base[PATH_MAX];
	int n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(hiers); i++)
		if (own_cgroup(&hiers[i], base, sizeof(base)) == 0)
			n += collect_in(base);
	return n;
}

/* Make the run's dir in hierarchy h; false when it cannot be used. */
static bool run_dir(struct hier *h, const char *name)
{
	char base[PATH_MAX];

	if (own_cgroup(h, base, sizeof(base)) < 0 || fmt(h->run, sizeof(h->run), "%s/%s", base, name) < 0 ||
	    mkdir(h->run, 0755) < 0) {
		h->run[0] = 0;
		return false;
	}
	return true;
}

int cg_run_create(struct cg_run *cg)
{
	char name[64];

	memset(cg, 0, sizeof(*cg));
	cg_collect_stale();
	snprintf(name, sizeof(name), "cagetest-%d-%llu-%llu", (int)getpid(), proc_start_time(getpid()), proc_pid_ns());
	if (run_dir(&hiers[H_V2], name)) {
		/* limits need the controllers enabled for our children */
		write_to(hiers[H_V2].run, "cgroup.subtree_control", "+pids +memory");
		cg->v2 = true;
		cg->pids = has_controller(hiers[H_V2].run, "pids");
		cg->memory = has_controller(hiers[H_V2].run, "memory");
	}
	hiers[H_PIDS].run[0] = hiers[H_MEMORY].run[0] = 0;
	if (!cg->pids)
		cg->pids = cg->v1_pids = run_dir(&hiers[H_PIDS], name);
	if (!cg->memory)
		cg->memory = cg->v1_memory = run_dir(&hiers[H_MEMORY], name);
	return 0;
}

int cg_case_create(const struct cg_run *cg, unsigned n, char *name, size_t len)
{
	bool any = false;

	if (fmt(name, len, "case-%u", n) < 0) {
		name[0] = 0;
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(hiers); i++) {
		const struct hier *h = &hiers[i];
		char dir[PATH_MAX];
		if (!case_dir(h, name, dir, sizeof(dir)) || mkdir(dir, 0755) < 0)
			continue;
		if (h->limit_file && write_to(dir, h->limit_file, h->limit) < 0) {
			rmdir(dir); /* a v1 group that cannot bound is no use */
			continue;
		}
		if (i == H_V2 && cg->pids && !cg->v1_pids)
			write_to(dir, "pids.max", CASE_PIDS_MAX);
		if (i == H_V2 && cg->memory && !cg->v1_memory)
			write_to(dir, "memory.max", CASE_MEMORY_MAX);
		any = true;
	}
	if (!any)
		name[0] = 0;
	return 0;
}

int cg_enter(const char *name)
{
	char pid[24], dir[PATH_MAX];

	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	for (size_t i = 0; i < ARRAY_SIZE(hiers); i++) {
		struct stat st;
		/* a case dir that could not be made is skipped, not fatal */
		if (case_dir(&hiers[i], name, dir, sizeof(dir)) && stat(dir, &st) == 0 &&
		    write_to(dir, "cgroup.procs", pid) < 0)
			return -EIO;
	}
	return 0;
}

void cg_run_destroy(struct cg_run *cg)
{
	for (size_t i = 0; i < ARRAY_SIZE(hiers); i++)
		if (hiers[i].run[0]) {
			destroy_tree(hiers[i].run, 0);
			hiers[i].run[0] = 0;
		}
	memset(cg, 0, sizeof(*cg));
}

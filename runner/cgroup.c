#include "cgroup.h"

#include "../lib/util.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define CASE_PIDS_MAX "1024"
#define CASE_MEMORY_MAX "2G"

/* Our own cgroup in a hierarchy: the mount point of fstype (with opt among
 * its super options, when given) plus our path from /proc/self/cgroup,
 * whose line for it starts with `prefix` ("0::" for v2, ":pids:" for v1). */
static int own_cgroup_in(const char *fstype, const char *opt, const char *prefix, char *out, size_t n)
{
	_cleanup_free_ char *mi = NULL, *cg = NULL;
	char mnt[PATH_MAX] = "";
	char *save = NULL;

	if (read_file("/proc/self/mountinfo", 1 << 20, &mi, NULL) < 0)
		return -ENOENT;
	for (char *line = strtok_r(mi, "\n", &save); line && !mnt[0]; line = strtok_r(NULL, "\n", &save)) {
		char point[PATH_MAX], type[64], sopts[512] = "";
		char *sep = strstr(line, " - ");
		if (!sep || sscanf(sep + 3, "%63s %*s %511s", type, sopts) < 1 || strcmp(type, fstype))
			continue;
		if (opt) {
			bool found = false;
			for (char *o = strtok(sopts, ","); o && !found; o = strtok(NULL, ","))
				found = !strcmp(o, opt);
			if (!found)
				continue;
		}
		if (sscanf(line, "%*s %*s %*s %*s %4095s", point) == 1)
			snprintf(mnt, sizeof(mnt), "%s", point);
	}
	if (!mnt[0] || read_file("/proc/self/cgroup", 65536, &cg, NULL) < 0)
		return -ENOENT;
	for (char *line = strtok_r(cg, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *p = strstr(line, prefix);
		/* v2: "0::/path"; v1: "N:pids:/path" */
		if (!p || (prefix[0] == '0' ? p != line : p == line))
			continue;
		p += strlen(prefix);
		return fmt(out, n, "%s%s", mnt, strcmp(p, "/") ? p : "");
	}
	return -ENOENT;
}

static int own_cgroup(char *out, size_t n)
{
	return own_cgroup_in("cgroup2", NULL, "0::", out, n);
}

/* Where v2 lacks the pids or memory controller (hybrid hosts), the v1
 * hierarchy of that controller bounds fork bombs and memory hogs. Each maps
 * the run's v2 dir to its own, for cg_enter and the rest to follow. */
static struct v1ctl {
	const char *name, *limit_file, *limit;
	char v1[PATH_MAX]; /* the run's dir there, "" when unused */
} v1ctls[] = {
	{"pids", "pids.max", CASE_PIDS_MAX, ""},
	{"memory", "memory.limit_in_bytes", CASE_MEMORY_MAX, ""},
};
static char run_v2[PATH_MAX];

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

static unsigned long long start_time(pid_t pid)
{
	char p[64];
	_cleanup_free_ char *stat = NULL;
	unsigned long long t = 0;

	snprintf(p, sizeof(p), "/proc/%d/stat", (int)pid);
	if (read_file(p, 4096, &stat, NULL) < 0)
		return 0;
	char *rp = strrchr(stat, ')');
	/* field 22 (starttime); the scan starts at field 3 */
	if (rp && sscanf(rp + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu", &t) != 1)
		t = 0;
	return t;
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

/* The v1 dir of controller c matching a v2 dir of this run, if used. */
static bool v1_of(const struct v1ctl *c, const char *v2path, char *out, size_t n)
{
	size_t k = strlen(run_v2);

	return c->v1[0] && k && !strncmp(v2path, run_v2, k) && fmt(out, n, "%s%s", c->v1, v2path + k) == 0;
}

int cg_case_destroy(const char *path)
{
	double deadline = now_mono() + 5;
	char v1[PATH_MAX];

	if (!path || !path[0])
		return 0;

	/* cgroup.kill races with nothing: forks into the group die too */
	write_to(path, "cgroup.kill", "1");
	while (populated(path) && now_mono() < deadline) {
		struct timespec ts = {0, 2 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	/* the v1 groups hold the same processes: empty now too */
	for (size_t i = 0; i < ARRAY_SIZE(v1ctls); i++)
		if (v1_of(&v1ctls[i], path, v1, sizeof(v1)))
			rmdir(v1);
	return rmdir(path) < 0 && errno != ENOENT ? neg_errno() : 0;
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
	cg_case_destroy(dir);
}

/* Stale runs (their runner is gone) in one hierarchy: kill, remove. */
static int collect_in(const char *base)
{
	DIR *d = opendir(base);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d))) {
		int pid;
		unsigned long long t;
		char p[PATH_MAX];
		if (sscanf(e->d_name, "cagetest-%d-%llu", &pid, &t) != 2 || start_time(pid) == t)
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

	/* v2 first: its cgroup.kill empties the v1 groups of the same processes */
	if (own_cgroup(base, sizeof(base)) == 0)
		n = collect_in(base);
	for (size_t i = 0; i < ARRAY_SIZE(v1ctls); i++) {
		char prefix[32];
		snprintf(prefix, sizeof(prefix), ":%s:", v1ctls[i].name);
		if (own_cgroup_in("cgroup", v1ctls[i].name, prefix, base, sizeof(base)) == 0)
			collect_in(base);
	}
	return n;
}

int cg_run_create(struct cg_run *cg)
{
	char base[PATH_MAX];

	memset(cg, 0, sizeof(*cg));
	if (own_cgroup(base, sizeof(base)) < 0)
		return 0;
	cg_collect_stale();
	if (fmt(cg->dir, sizeof(cg->dir), "%s/cagetest-%d-%llu", base, (int)getpid(), start_time(getpid())) < 0 ||
	    mkdir(cg->dir, 0755) < 0) {
		cg->dir[0] = 0;
		return 0;
	}
	/* limits need the controllers enabled for our children */
	write_to(cg->dir, "cgroup.subtree_control", "+pids +memory");
	cg->pids = has_controller(cg->dir, "pids");
	cg->memory = has_controller(cg->dir, "memory");
	snprintf(run_v2, sizeof(run_v2), "%s", cg->dir);
	for (size_t i = 0; i < ARRAY_SIZE(v1ctls); i++) {
		struct v1ctl *c = &v1ctls[i];
		bool *have = i == 0 ? &cg->pids : &cg->memory;
		char prefix[32], v1base[PATH_MAX];
		snprintf(prefix, sizeof(prefix), ":%s:", c->name);
		c->v1[0] = 0;
		if (*have || own_cgroup_in("cgroup", c->name, prefix, v1base, sizeof(v1base)) < 0 ||
		    fmt(c->v1, sizeof(c->v1), "%s/%s", v1base, strrchr(cg->dir, '/') + 1) < 0 || mkdir(c->v1, 0755) < 0)
			c->v1[0] = 0;
		else
			*have = true;
	}
	return 0;
}

int cg_case_create(const struct cg_run *cg, unsigned n, char *path, size_t len)
{
	path[0] = 0;
	if (!cg->dir[0])
		return 0;
	if (fmt(path, len, "%s/case-%u", cg->dir, n) < 0 || mkdir(path, 0755) < 0) {
		path[0] = 0;
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(v1ctls); i++) {
		const struct v1ctl *c = &v1ctls[i];
		char v1[PATH_MAX];
		if (v1_of(c, path, v1, sizeof(v1))) {
			if (mkdir(v1, 0755) < 0 || write_to(v1, c->limit_file, c->limit) < 0)
				rmdir(v1);
		} else if (i == 0 ? cg->pids : cg->memory) {
			write_to(path, i == 0 ? "pids.max" : "memory.max", c->limit);
		}
	}
	if (cg->memory)
		write_to(path, "memory.max", CASE_MEMORY_MAX);
	return 0;
}

int cg_enter(const char *path)
{
	char pid[24], v1[PATH_MAX];

	if (!path || !path[0])
		return 0;
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	for (size_t i = 0; i < ARRAY_SIZE(v1ctls); i++) {
		struct stat st;
		/* a v1 case dir that could not be made is skipped, not fatal */
		if (v1_of(&v1ctls[i], path, v1, sizeof(v1)) && stat(v1, &st) == 0 &&
		    write_to(v1, "cgroup.procs", pid) < 0)
			return -EIO;
	}
	return write_to(path, "cgroup.procs", pid);
}

void cg_run_destroy(struct cg_run *cg)
{
	if (cg->dir[0])
		destroy_tree(cg->dir, 0);
	for (size_t i = 0; i < ARRAY_SIZE(v1ctls); i++)
		if (v1ctls[i].v1[0]) {
			rmdir(v1ctls[i].v1); /* its case dirs went with the v2 ones */
			v1ctls[i].v1[0] = 0;
		}
	cg->dir[0] = 0;
}

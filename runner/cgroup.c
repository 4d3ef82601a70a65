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

/* The cgroup2 mount point, and our own cgroup below it. */
static int own_cgroup(char *out, size_t n)
{
	_cleanup_free_ char *mi = NULL, *cg = NULL;
	char mnt[PATH_MAX] = "";

	if (read_file("/proc/self/mountinfo", 1 << 20, &mi, NULL) < 0)
		return -ENOENT;
	for (char *line = strtok(mi, "\n"); line; line = strtok(NULL, "\n")) {
		char point[PATH_MAX], fstype[64];
		char *sep = strstr(line, " - ");
		if (!sep || sscanf(sep + 3, "%63s", fstype) != 1 || strcmp(fstype, "cgroup2"))
			continue;
		if (sscanf(line, "%*s %*s %*s %*s %4095s", point) == 1) {
			snprintf(mnt, sizeof(mnt), "%s", point);
			break;
		}
	}
	if (!mnt[0] || read_file("/proc/self/cgroup", 65536, &cg, NULL) < 0)
		return -ENOENT;
	/* the v2 line is "0::/path" */
	char *v2 = strstr(cg, "0::");
	if (!v2 || (v2 != cg && v2[-1] != '\n'))
		return -ENOENT;
	v2 += 3;
	v2[strcspn(v2, "\n")] = 0;
	return fmt(out, n, "%s%s", mnt, strcmp(v2, "/") ? v2 : "");
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

int cg_case_destroy(const char *path)
{
	double deadline = now_mono() + 5;

	if (!path || !path[0])
		return 0;
	/* cgroup.kill races with nothing: forks into the group die too */
	write_to(path, "cgroup.kill", "1");
	while (populated(path) && now_mono() < deadline) {
		struct timespec ts = {0, 2 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
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

int cg_collect_stale(void)
{
	char base[PATH_MAX];
	DIR *d;
	struct dirent *e;
	int n = 0;

	if (own_cgroup(base, sizeof(base)) < 0 || !(d = opendir(base)))
		return 0;
	while ((e = readdir(d))) {
		int pid;
		unsigned long long t;
		char p[PATH_MAX];
		if (sscanf(e->d_name, "cagetest-%d-%llu", &pid, &t) != 2)
			continue;
		if (start_time(pid) == t)
			continue; /* its runner is alive */
		if (fmt(p, sizeof(p), "%s/%s", base, e->d_name) == 0) {
			destroy_tree(p, 0);
			n++;
		}
	}
	closedir(d);
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
	if (cg->pids)
		write_to(path, "pids.max", CASE_PIDS_MAX);
	if (cg->memory)
		write_to(path, "memory.max", CASE_MEMORY_MAX);
	return 0;
}

int cg_enter(const char *path)
{
	char pid[24];

	if (!path || !path[0])
		return 0;
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	return write_to(path, "cgroup.procs", pid);
}

void cg_run_destroy(struct cg_run *cg)
{
	if (cg->dir[0])
		destroy_tree(cg->dir, 0);
	cg->dir[0] = 0;
}

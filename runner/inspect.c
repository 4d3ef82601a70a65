#include "inspect.h"

#include "../lib/util.h"

#include <dirent.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

static const char *const ns_files[NS__COUNT] = {"user", "mnt", "net", "pid", "ipc", "uts"};

static void read_ns(const char *proc, uint64_t *ns)
{
	char path[96];
	struct stat st;

	for (int k = 0; k < NS__COUNT; k++) {
		snprintf(path, sizeof(path), "/proc/%s/ns/%s", proc, ns_files[k]);
		ns[k] = stat(path, &st) == 0 ? (uint64_t)st.st_ino : 0;
	}
}

static const char *field(const char *text, const char *key)
{
	const char *p = strstr(text, key);

	return p ? p + strlen(key) : "";
}

static bool named(pid_t pid, const char *comm)
{
	char path[64];
	_cleanup_free_ char *text = NULL;

	if (fmt(path, sizeof(path), "/proc/%d/comm", (int)pid) < 0 || read_file(path, 64, &text, NULL) < 0)
		return false;
	text[strcspn(text, "\n")] = 0;
	return !strcmp(text, comm);
}

/* The first process on the host named comm. */
static pid_t find(const char *comm)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t found = 0;

	while (d && !found && (e = readdir(d))) {
		int pid = atoi(e->d_name);
		if (pid > 0 && named(pid, comm))
			found = pid;
	}
	if (d)
		closedir(d);
	return found;
}

/* The probe descends from the case's supervisor (the subreaper of its
 * orphans): walking the children lists below it reads a handful of files
 * where a scan of /proc reads one per process on the host. 0 when not found
 * (or the kernel keeps no children lists): the caller scans. */
static pid_t find_below(pid_t base, const char *comm)
{
	pid_t q[512];
	size_t head = 0, tail = 0;

	q[tail++] = base;
	while (head < tail) {
		char path[64];
		_cleanup_free_ char *kids = NULL;
		pid_t pid = q[head++];
		if (pid != base && named(pid, comm))
			return pid;
		if (fmt(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)pid) < 0 ||
		    read_file(path, 65536, &kids, NULL) < 0)
			continue;
		for (char *p = kids, *end; *p && tail < ARRAY_SIZE(q); p = end) {
			long v = strtol(p, &end, 10);
			if (end == p)
				break;
			q[tail++] = (pid_t)v;
		}
	}
	return 0;
}

int inspect_by_name(const char *comm, pid_t base, struct proc_snapshot *s)
{
	char path[64], pid_s[24], ppid_s[24], base_s[24];
	_cleanup_free_ char *text = NULL;
	pid_t pid;

	memset(s, 0, sizeof(*s));
	s->taken = true;
	snprintf(base_s, sizeof(base_s), "%d", (int)base);
	read_ns(base > 0 ? base_s : "self", s->ns_host);
	/* comm is at most 15 bytes */
	snprintf(path, 16, "%s", comm);
	pid = base > 0 ? find_below(base, path) : 0;
	if (!pid)
		pid = find(path);
	if (!pid)
		return -ESRCH;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (read_file(path, 16384, &text, NULL) < 0)
		return -ESRCH;
	s->found = true;
	s->pid = (int)pid;
	s->nnp = atoi(field(text, "\nNoNewPrivs:\t"));
	s->seccomp = atoi(field(text, "\nSeccomp:\t"));
	s->cap_eff = strtoull(field(text, "\nCapEff:\t"), NULL, 16);
	s->cap_bnd = strtoull(field(text, "\nCapBnd:\t"), NULL, 16);
	sscanf(field(text, "\nUid:\t"), "%u %u", &s->uid, &s->euid);
	snprintf(pid_s, sizeof(pid_s), "%d", (int)pid);
	snprintf(ppid_s, sizeof(ppid_s), "%d", atoi(field(text, "\nPPid:\t")));
	read_ns(pid_s, s->ns);
	read_ns(ppid_s, s->ns_parent);
	free(text);
	text = NULL;
	snprintf(path, sizeof(path), "/proc/%s/status", ppid_s);
	if (read_file(path, 16384, &text, NULL) == 0)
		s->parent_tracer = atoi(field(text, "\nTracerPid:\t"));
	return 0;
}

/* statvfs of path as seen from root (a /proc/PID/root); -1 when absent. */
static long mount_flags(const char *root, const char *path)
{
	char p[PATH_MAX];
	struct statvfs sv;

	if (fmt(p, sizeof(p), "%s%s", root, path) < 0 || statvfs(p, &sv) < 0)
		return -1;
	return (long)sv.f_flag;
}

static bool stat_at(const char *root, const char *path, struct stat *st)
{
	char p[PATH_MAX];

	return fmt(p, sizeof(p), "%s%s", root, path) == 0 && stat(p, st) == 0;
}

static bool socket_at(const char *root, const char *path)
{
	struct stat st;

	return stat_at(root, path, &st) && S_ISSOCK(st.st_mode);
}

/* The checks behind enum exposure, for process pid. Paths go through
 * /proc/PID/root, so they resolve in its mount namespace and its /proc. */
static unsigned exposure_of(pid_t pid, const struct probe_env *env)
{
	static const char *const runtime[] = {"/run/docker.sock", "/var/run/docker.sock",
					      "/run/containerd/containerd.sock", "/run/podman/podman.sock",
					      "/run/crio/crio.sock"};
	char root[64], p[PATH_MAX];
	_cleanup_free_ char *unix_text = NULL;
	unsigned e = 0;
	long f;

	snprintf(root, sizeof(root), "/proc/%d/root", (int)pid);
	if (fmt(p, sizeof(p), "%s/outside", env->root) == 0 && (f = mount_flags(root, p)) >= 0 && !(f & ST_RDONLY))
		e |= EXPOSE_OUTSIDE_RW;
	if (fmt(p, sizeof(p), "%s/ws", env->root) == 0 && (f = mount_flags(root, p)) >= 0 &&
	    !(f & (ST_RDONLY | ST_NOSUID)))
		e |= EXPOSE_WS_SUID;
	if ((f = mount_flags(root, "/proc/sys/kernel")) >= 0 && !(f & ST_RDONLY))
		e |= EXPOSE_PROC_SYS_RW;
	if (fmt(p, sizeof(p), "%s/host.sock", env->run) == 0 && socket_at(root, p))
		e |= EXPOSE_HOST_SOCKET;
	for (size_t i = 0; i < ARRAY_SIZE(runtime); i++)
		if (socket_at(root, runtime[i]))
			e |= EXPOSE_RUNTIME_SOCKET;
	struct stat st;
	if (env->sentinel > 0 && fmt(p, sizeof(p), "/proc/%d", env->sentinel) == 0 && stat_at(root, p, &st))
		e |= EXPOSE_SENTINEL;
	/* /proc/PID/net is the network namespace of PID, whoever reads it */
	snprintf(p, sizeof(p), "/proc/%d/net/unix", (int)pid);
	if (env->run[0] && read_file(p, 4 << 20, &unix_text, NULL) == 0 && strstr(unix_text, env->run))
		e |= EXPOSE_HOST_UNIX;
	return e;
}

void inspect_exposure(const struct probe_env *env, pid_t base, struct proc_snapshot *s)
{
	if (!s->found)
		return;
	s->expose = exposure_of(s->pid, env);
	s->expose_host = exposure_of(base > 0 ? base : getpid(), env);
}

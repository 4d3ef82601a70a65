#include "inspect.h"

#include "../lib/util.h"

#include <dirent.h>
#include <string.h>
#include <sys/stat.h>

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

static pid_t find(const char *comm)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t found = 0;

	while (d && !found && (e = readdir(d))) {
		char path[64];
		_cleanup_free_ char *text = NULL;
		int pid = atoi(e->d_name);
		if (pid <= 0 || fmt(path, sizeof(path), "/proc/%d/comm", pid) < 0 || read_file(path, 64, &text, NULL) < 0)
			continue;
		text[strcspn(text, "\n")] = 0;
		if (!strcmp(text, comm))
			found = pid;
	}
	if (d)
		closedir(d);
	return found;
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
	pid = find(path);
	if (!pid)
		return -ESRCH;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (read_file(path, 16384, &text, NULL) < 0)
		return -ESRCH;
	s->found = true;
	s->nnp = atoi(field(text, "\nNoNewPrivs:\t"));
	s->seccomp = atoi(field(text, "\nSeccomp:\t"));
	s->cap_eff = strtoull(field(text, "\nCapEff:\t"), NULL, 16);
	s->cap_bnd = strtoull(field(text, "\nCapBnd:\t"), NULL, 16);
	sscanf(field(text, "\nUid:\t"), "%u %u", &s->uid, &s->euid);
	snprintf(pid_s, sizeof(pid_s), "%d", (int)pid);
	snprintf(ppid_s, sizeof(ppid_s), "%d", atoi(field(text, "\nPPid:\t")));
	read_ns(pid_s, s->ns);
	read_ns(ppid_s, s->ns_parent);
	return 0;
}

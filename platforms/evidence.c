#include "evidence.h"

#include "../lib/util.h"

#include <fcntl.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/stat.h>

const char *const ev_path[EV__COUNT] = {
	[EV_PID1_CGROUP] = "/proc/1/cgroup",
	[EV_SELF_CGROUP] = "/proc/self/cgroup",
	[EV_MOUNTINFO] = "/proc/self/mountinfo",
	[EV_PID1_ENVIRON] = "/proc/1/environ",
	[EV_SELF_ENVIRON] = "/proc/self/environ",
	[EV_DOCKERENV] = "/.dockerenv",
	[EV_CONTAINERENV] = "/run/.containerenv",
	[EV_SYSTEMD_CONTAINER] = "/run/systemd/container",
	[EV_K8S_NAMESPACE] = "/var/run/secrets/kubernetes.io/serviceaccount/namespace",
	[EV_LXD_SOCK] = "/dev/lxd/sock",
	[EV_WSL_INTEROP] = "/proc/sys/fs/binfmt_misc/WSLInterop",
	[EV_VERSION] = "/proc/version",
	[EV_KMSG] = "/dev/kmsg",
	[EV_CPUINFO_FLAGS] = "/proc/cpuinfo",
	[EV_DMI_VENDOR] = "/sys/class/dmi/id/sys_vendor",
	[EV_DMI_PRODUCT] = "/sys/class/dmi/id/product_name",
	[EV_HYPERVISOR_TYPE] = "/sys/hypervisor/type",
	[EV_STATUS] = "/proc/self/status",
	[EV_ATTR_CURRENT] = "/proc/self/attr/current",
	[EV_APPARMOR_CURRENT] = "/proc/self/attr/apparmor/current",
	[EV_MAX_USERNS] = "/proc/sys/user/max_user_namespaces",
	[EV_UNPRIV_USERNS_CLONE] = "/proc/sys/kernel/unprivileged_userns_clone",
	[EV_AA_RESTRICT_USERNS] = "/proc/sys/kernel/apparmor_restrict_unprivileged_userns",
};

/* Only these variables are kept from an environment: they name a runtime,
 * and nothing else of a user's environment belongs in a saved evidence set. */
static const char *const ev_env_keys[] = {"container", "KUBERNETES_SERVICE_HOST", "WSL_DISTRO_NAME", "WSL_INTEROP"};
/* Kernel log lines worth keeping: the rest of a boot log says nothing here. */
static const char *const ev_kmsg_keys[] = {"gVisor", "Hypervisor detected", "DMI:", "Booting paravirtualized kernel"};

#define EV_MAX (1 << 20)

static bool env_entry_kept(const char *entry, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(ev_env_keys); i++) {
		size_t k = strlen(ev_env_keys[i]);
		if (len > k && !strncmp(entry, ev_env_keys[i], k) && entry[k] == '=')
			return true;
	}
	return false;
}

static bool kmsg_line_kept(const char *line, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(ev_kmsg_keys); i++)
		if (memmem(line, len, ev_kmsg_keys[i], strlen(ev_kmsg_keys[i])))
			return true;
	return false;
}

/* Keep the entries of text (split at newlines and NULs: environ files use
 * NULs) that keep() accepts, one a line. */
static char *filter_lines(const char *text, size_t len, bool (*keep)(const char *, size_t))
{
	struct sbuf out = {0};

	sb_puts(&out, "");
	for (size_t i = 0; i < len;) {
		size_t n = 0;
		while (i + n < len && text[i + n] != '\n' && text[i + n])
			n++;
		if (n && keep(text + i, n))
			sb_printf(&out, "%.*s\n", (int)n, text + i);
		i += n + 1;
	}
	return sb_take(&out);
}

static bool cpu_flags_line(const char *line, size_t len)
{
	return len > 5 && !strncmp(line, "flags", 5) && strchr(":\t ", line[5]);
}

/* /dev/kmsg gives one record per read, "PRI,SEQ,TS,FLAGS;message"; where it
 * cannot be opened, syslog(2) gives the same log as text. */
static int read_kernel_log(char **out, size_t *len)
{
	_cleanup_close_ int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct sbuf log = {0};
	char rec[8192];

	sb_puts(&log, "");
	if (fd >= 0) {
		for (int i = 0; i < 100000; i++) {
			ssize_t r = read(fd, rec, sizeof(rec) - 1);
			if (r < 0 && errno == EPIPE) /* overwritten while reading: go on */
				continue;
			if (r <= 0)
				break;
			rec[r] = 0;
			const char *msg = strchr(rec, ';');
			if (msg)
				sb_printf(&log, "%.*s\n", (int)strcspn(msg + 1, "\n"), msg + 1);
		}
	} else {
		int size = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
		if (size <= 0) {
			sb_free(&log);
			return neg_errno();
		}
		_cleanup_free_ char *buf = malloc((size_t)size);
		int got = buf ? klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, size) : -1;
		if (got < 0) {
			int r = buf ? neg_errno() : -ENOMEM;
			sb_free(&log);
			return r;
		}
		sb_printf(&log, "%.*s", got, buf);
	}
	if (log.oom) {
		sb_free(&log);
		return -ENOMEM;
	}
	*len = log.len;
	*out = sb_take(&log);
	return 0;
}

/* A recorded set lists in ROOT/unreadable the sources that could not be read. */
static int recorded_error(const char *root, const char *path)
{
	char p[4096];
	_cleanup_free_ char *list = NULL;
	size_t plen = strlen(path);

	if (fmt(p, sizeof(p), "%s/unreadable", root) < 0 || read_file(p, 65536, &list, NULL) < 0)
		return 0;
	for (char *l = list; *l; l += strcspn(l, "\n") + (l[strcspn(l, "\n")] ? 1 : 0))
		if (!strncmp(l, path, plen) && l[plen] == ' ')
			return errno_from_name(l + plen + 1 + strspn(l + plen + 1, " "));
	return 0;
}

static int read_source(struct evidence *ev, enum ev_src s, const char *root)
{
	bool live = !*root || !strcmp(root, "/");
	char p[4096];
	_cleanup_free_ char *raw = NULL;
	size_t len = 0;
	struct stat st;
	int r;

	if (fmt(p, sizeof(p), "%s%s", live ? "" : root, ev_path[s]) < 0)
		return -ENAMETOOLONG;
	if (!live && (r = recorded_error(root, ev_path[s])) > 0) {
		ev->err[s] = r;
		return 0;
	}
	if (s == EV_LXD_SOCK) /* a socket: that it exists is the evidence */
		r = stat(p, &st) == 0 ? ((raw = strdup("")) ? 0 : -ENOMEM) : neg_errno();
	else if (s == EV_KMSG && live)
		r = read_kernel_log(&raw, &len);
	else
		r = read_file(p, EV_MAX, &raw, &len);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		ev->err[s] = -r;
		return 0;
	}
	switch (s) {
	case EV_PID1_ENVIRON:
	case EV_SELF_ENVIRON:
		ev->text[s] = filter_lines(raw, len, env_entry_kept);
		break;
	case EV_KMSG:
		ev->text[s] = filter_lines(raw, len, kmsg_line_kept);
		break;
	case EV_CPUINFO_FLAGS: {
		_cleanup_free_ char *all = filter_lines(raw, len, cpu_flags_line);
		ev->text[s] = all ? strndup(all, strcspn(all, "\n") + (all[strcspn(all, "\n")] ? 1 : 0)) : NULL;
		break;
	}
	default:
		ev->text[s] = raw;
		raw = NULL;
	}
	return ev->text[s] ? 0 : -ENOMEM;
}

int evidence_read(struct evidence *ev, const char *root)
{
	memset(ev, 0, sizeof(*ev));
	for (int s = 0; s < EV__COUNT; s++) {
		int r = read_source(ev, (enum ev_src)s, root ? root : "");
		if (r < 0) {
			evidence_free(ev);
			return r;
		}
	}
	return 0;
}

int evidence_save(const struct evidence *ev, const char *dir)
{
	struct sbuf unreadable = {0};
	char p[4096];
	int r = 0;

	sb_puts(&unreadable, "");
	for (int s = 0; s < EV__COUNT && r == 0; s++) {
		if (!ev->text[s]) {
			if (ev->err[s] && ev->err[s] != ENOENT)
				sb_printf(&unreadable, "%s %s\n", ev_path[s], errno_name(ev->err[s]));
			continue;
		}
		if ((r = fmt(p, sizeof(p), "%s%s", dir, ev_path[s])) < 0)
			break;
		*strrchr(p, '/') = 0;
		if ((r = mkdir_p(p, 0755)) < 0)
			break;
		p[strlen(p)] = '/';
		r = write_file(p, ev->text[s], strlen(ev->text[s]), 0644);
	}
	if (r == 0 && unreadable.len && (r = fmt(p, sizeof(p), "%s/unreadable", dir)) == 0)
		r = write_file(p, unreadable.s, unreadable.len, 0644);
	if (unreadable.oom && r == 0)
		r = -ENOMEM;
	sb_free(&unreadable);
	return r;
}

void evidence_free(struct evidence *ev)
{
	for (int s = 0; s < EV__COUNT; s++)
		free(ev->text[s]);
	memset(ev, 0, sizeof(*ev));
}

const char *ev_getenv(const struct evidence *ev, enum ev_src src, const char *key, char *buf, size_t n)
{
	const char *t = ev->text[src];
	size_t k = strlen(key);

	for (; t && *t; t += strcspn(t, "\n") + (t[strcspn(t, "\n")] ? 1 : 0))
		if (!strncmp(t, key, k) && t[k] == '=') {
			snprintf(buf, n, "%.*s", (int)strcspn(t + k + 1, "\n"), t + k + 1);
			return buf;
		}
	return NULL;
}

const char *ev_status(const struct evidence *ev, const char *key, char *buf, size_t n)
{
	const char *t = ev->text[EV_STATUS];
	size_t k = strlen(key);

	for (; t && *t; t += strcspn(t, "\n") + (t[strcspn(t, "\n")] ? 1 : 0))
		if (!strncmp(t, key, k) && t[k] == ':') {
			const char *v = t + k + 1 + strspn(t + k + 1, " \t");
			snprintf(buf, n, "%.*s", (int)strcspn(v, "\n"), v);
			return buf;
		}
	return NULL;
}

/* Copy the space-delimited field at *p into buf and step past it. */
static bool next_field(const char **p, char *buf, size_t n)
{
	size_t len;

	*p += strspn(*p, " ");
	len = strcspn(*p, " \n");
	if (!len)
		return false;
	snprintf(buf, n, "%.*s", (int)(len < n ? len : n - 1), *p);
	*p += len;
	return true;
}

bool ev_mount_next(const char **cursor, struct ev_mount *m)
{
	while (*cursor && **cursor) {
		const char *l = *cursor, *p = l;
		char skip[64];
		bool ok;

		*cursor = l + strcspn(l, "\n");
		if (**cursor)
			(*cursor)++;
		/* ID PARENT MAJ:MIN ROOT POINT OPTS [OPTIONAL...] - FSTYPE SOURCE SUPER */
		ok = next_field(&p, skip, sizeof(skip)) && next_field(&p, skip, sizeof(skip)) &&
		     next_field(&p, skip, sizeof(skip)) && next_field(&p, m->root, sizeof(m->root)) &&
		     next_field(&p, m->point, sizeof(m->point)) && next_field(&p, m->opts, sizeof(m->opts));
		while (ok && next_field(&p, skip, sizeof(skip)) && strcmp(skip, "-"))
			;
		if (ok && !strcmp(skip, "-") && next_field(&p, m->fstype, sizeof(m->fstype)) &&
		    next_field(&p, m->source, sizeof(m->source))) {
			if (!next_field(&p, m->super, sizeof(m->super)))
				m->super[0] = 0;
			return true;
		}
	}
	return false;
}

bool ev_opt_has(const char *opts, const char *word)
{
	size_t k = strlen(word);

	for (const char *o = opts; *o; o += strcspn(o, ",") + (o[strcspn(o, ",")] ? 1 : 0))
		if (!strncmp(o, word, k) && (o[k] == ',' || !o[k]))
			return true;
	return false;
}

/* The files that tell which container (or VM) this process runs in and what
 * the runtime did to it, read once into plain text. This is the only I/O of
 * the identification (container.h) and of the confinement facts (trials.h):
 * they decide from an evidence set alone, so a set recorded inside a runtime
 * (`cagetest doctor --evidence DIR`, tests/data/containers/RUNTIME/) gives the
 * same answer as the live files. */
#ifndef CAGETEST_EVIDENCE_H
#define CAGETEST_EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>

enum ev_src {
	EV_PID1_CGROUP,
	EV_SELF_CGROUP,
	EV_MOUNTINFO,
	EV_PID1_ENVIRON, /* only the variables that name a runtime (ev_env_keys) */
	EV_SELF_ENVIRON,
	EV_DOCKERENV,
	EV_CONTAINERENV,
	EV_SYSTEMD_CONTAINER,
	EV_K8S_NAMESPACE,
	EV_LXD_SOCK,
	EV_WSL_INTEROP,
	EV_VERSION,
	EV_KMSG, /* kernel log lines that name a hypervisor or gVisor (ev_kmsg_keys) */
	EV_CPUINFO_FLAGS,
	EV_DMI_VENDOR,
	EV_DMI_PRODUCT,
	EV_HYPERVISOR_TYPE,
	EV_STATUS,
	EV_ATTR_CURRENT,
	EV_APPARMOR_CURRENT,
	EV_MAX_USERNS,
	EV_UNPRIV_USERNS_CLONE,
	EV_AA_RESTRICT_USERNS,
	EV__COUNT
};

struct evidence {
	char *text[EV__COUNT]; /* NULL when absent or unreadable; "" for a file that only exists */
	int err[EV__COUNT];    /* positive errno when text is NULL (ENOENT: absent) */
};

/* The path each source is read from: "/proc/1/cgroup", ... */
extern const char *const ev_path[EV__COUNT];

/* Read every source under root ("" or "/" for this process's own view;
 * a directory saved by evidence_save for recorded evidence). Sources that
 * are absent or unreadable are noted, never an error. 0 or -ENOMEM. */
int evidence_read(struct evidence *ev, const char *root);
/* Write what was read under dir in the same layout (dir/proc/1/cgroup, ...),
 * plus dir/unreadable listing "PATH ERRNO" for sources that could not be
 * read for a reason other than absence. 0 or -errno. */
int evidence_save(const struct evidence *ev, const char *dir);
void evidence_free(struct evidence *ev);

/* The value of KEY in an environ source (NUL- or newline-separated); NULL when unset. */
const char *ev_getenv(const struct evidence *ev, enum ev_src src, const char *key, char *buf, size_t n);
/* One line of EV_MOUNTINFO: the fields the checks use (kernel escapes kept). */
struct ev_mount {
	char root[512], point[512], opts[256], fstype[64], source[256], super[1024];
};
/* Parse the next mount at *cursor (start with ev->text[EV_MOUNTINFO]) and
 * advance; false at the end. Malformed lines are skipped. */
bool ev_mount_next(const char **cursor, struct ev_mount *m);
/* Is word (comma-separated) among opts? */
bool ev_opt_has(const char *opts, const char *word);
/* A "Key:\tvalue" field of EV_STATUS, trimmed; NULL when absent. */
const char *ev_status(const struct evidence *ev, const char *key, char *buf, size_t n);

#endif

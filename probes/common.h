/* Helpers shared by the category files: planting canaries (host), writing
 * evidence (box), and the usual verify decisions. Private to probes/. */
#ifndef CAGETEST_PROBES_COMMON_H
#define CAGETEST_PROBES_COMMON_H

#include "probe.h"

#define CANARY_TEXT "cagetest canary: this file must not change\n"
/* blocked_by of egress probes: what stops any socket leaving the box */
#define NO_NET "bwrap --unshare-net, seccomp socket filter"
/* How evidence is attributed, for the evidence texts (docs/probes.md). */
#define FROM_SRC4 " (from the probe's own 127.A.B.C: a connection or datagram counts, payload or not; else the token)"
#define FROM_SRC_UNIX " (from the probe's own abstract name: a connection or datagram counts, payload or not; else the token)"
#define PAYLOAD_ONLY " (by the token only: IPv6 loopback is one address, so what arrives without it is nobody's)"
/* Evidence no host can see: the box's word for it. */
#define BOX_REPORT " (the box's own report: a box that hides it scores blocked)"

/* Build root/<fmt...> into buf (PATH_MAX). */
int ppath(const struct probe_env *env, char *buf, const char *f, ...) __attribute__((format(printf, 3, 4)));

/* root/fmt... into buf (PATH_MAX), or return the error from the calling
 * function (arm and attempt functions, which return 0 or -errno). */
#define PPATH(buf, ...)                                                                                     \
	do {                                                                                                \
		int _r = ppath(env, buf, __VA_ARGS__);                                                      \
		if (_r < 0)                                                                                 \
			return _r;                                                                          \
	} while (0)

/* --- host side (arm) --- */
/* Create root/rel holding CANARY_TEXT (parents created). */
int arm_canary(const struct probe_env *env, const char *rel);
/* Skip (-EOPNOTSUPP, why set) when the case has no sentinel. */
int arm_sentinel(const struct probe_env *env, char *why, size_t n);

/* --- in the box (attempt) --- */
/* open(path, flags, 0644), write "<token>\n", close; 0 or -errno. */
int put_token(const struct probe_env *env, const char *path, int flags);
/* open(path, flags, 0644), write text, close; 0 or -errno. An O_CREAT open
 * said to fail (but EEXIST) is not the end: what is there is opened again,
 * without O_CREAT, O_EXCL, O_TRUNC, and written (the first error is returned). */
int put_text(const char *path, int flags, const char *text);
/* The same with openat(dfd, path, ...). */
int put_text_at(int dfd, const char *path, int flags, const char *text);
/* The inode of /proc/self/ns/KIND (0 if unknown): a step that made or
 * joined a namespace changes it. */
ino_t namespace_of(const char *kind);
/* Steps whose return code may lie and that are unsafe to press on past: the
 * kernel's view decides. unshare(flags), flags with CLONE_NEWNS, noted in a
 * as step: 0 when this process is now in a mount namespace of its own
 * (whatever unshare said), else the error to stop with. Then
 * private_mounts: make every mount private; 0 when none is shared (no
 * mount can propagate out), else the error to stop with. */
int own_mount_ns(int flags, const char *step, struct attempt *a);
int private_mounts(struct attempt *a);
/* Append the token to root/rel (O_WRONLY|O_APPEND); 0 or -errno, the failing step in a. */
int append_token(const struct probe_env *env, const char *rel, struct attempt *a);
/* Add "; " (after any earlier text) and the formatted text to a->detail. */
void detail_add(struct attempt *a, const char *f, ...) __attribute__((format(printf, 2, 3)));
/* Add the errno of a failed step to a->detail ("step: ERR", after any
 * earlier ones) and return it. Attempts press on past a failed preparatory
 * step wherever the decisive one can still be tried: a box may lie. */
int fail_at(struct attempt *a, const char *step, int err);
/* A fresh socket (CLOEXEC) with 2 s send and receive timeouts; a failure is
 * recorded at step "socket". */
int open_socket(int domain, int type, int protocol, struct attempt *a);
/* "CAGETEST <token>\n" into buf: the payload every listener looks for; its length. */
size_t token_msg(const struct probe_env *env, char *buf, size_t n);
/* Bind fd to this probe's source for a destination like to (probe_source:
 * the host's listener attributes what arrives from it without any payload).
 * Best effort: a failure is noted in a->detail and the attempt goes on. */
void bind_source(const struct probe_env *env, int fd, const struct sockaddr *to, struct attempt *a);
/* Send n bytes of buf over a fresh socket(domain, type, protocol) to addr,
 * from env's source (bind_source; env NULL: the kernel's choice): sendto for
 * SOCK_DGRAM, else connect + send, the send tried even when the connect
 * said it failed. Each step has a 2 s timeout. */
int send_bytes(const struct probe_env *env, int domain, int type, int protocol, const void *addr, unsigned len,
	       const void *buf, size_t n, struct attempt *a);
/* send_bytes of the string msg. */
int send_msg(const struct probe_env *env, int domain, int type, int protocol, const void *addr, unsigned len,
	     const char *msg, struct attempt *a);
/* send_msg of token_msg with the default protocol, from env's source. */
int send_token(const struct probe_env *env, int domain, int type, const void *addr, unsigned len,
	       struct attempt *a);
/* Hold until the host has read /proc of this process (NEED_INSPECT). */
int probe_hold(const struct probe_env *env);
/* The same, and ask the host to connect to 127.0.0.1:port first. */
int probe_hold_port(const struct probe_env *env, int port);
/* An attempt that only holds: everything is read from outside. */
int attempt_hold(const struct probe_env *env, struct attempt *a);

/* --- host side (verify) --- */
/* The evidence file root/rel, whole (up to 1 MiB): 0 or -errno. */
int read_rel(const struct probe_env *env, const char *rel, char **text, size_t *len);
/* The first line of text carrying token (text is cut into lines), or NULL. */
const char *token_line(char *text, const char *token);
/* The uid and gid the box runs as: the runner gives them the case root. */
int case_owner(const struct probe_env *env, uid_t *uid, gid_t *gid);
/* allowed if root/rel contains the token. */
enum observed v_has_token(const struct host_view *hv, const char *rel, char *d, size_t n);
/* allowed if root/rel exists (a directory, or a file with or without the
 * token: unknown if it cannot be read): for names the fixture does not
 * have, planting one is the escape, written or not. */
enum observed v_planted(const struct host_view *hv, const char *rel, char *d, size_t n);
/* allowed if root/rel no longer holds exactly CANARY_TEXT (changed, truncated, gone). */
enum observed v_canary_changed(const struct host_view *hv, const char *rel, char *d, size_t n);
/* allowed if root/rel exists (lstat). */
enum observed v_exists(const struct host_view *hv, const char *rel, char *d, size_t n);
/* allowed if root/rel is gone (lstat). */
enum observed v_gone(const struct host_view *hv, const char *rel, char *d, size_t n);
/* allowed if a listener on ch heard this probe (its token or its source). */
enum observed v_heard(const struct host_view *hv, enum channel ch, char *d, size_t n);
/* true if the host inspected the live probe; else d says why not (verify returns unknown). */
bool v_inspected(const struct host_view *hv, char *d, size_t n);
/* allowed if the in-box record carries `secret` (a read the box could only do for real). */
enum observed v_leaked(const struct host_view *hv, const char *secret, char *d, size_t n);

/* --- git handoffs (git.c), also used by ns.c and trap.c --- */
/* Write text to root/rel, creating root/dir first when given; steps said
 * to fail are noted in a and the write is tried anyway. */
int plant(const struct probe_env *env, const char *dir, const char *rel, int flags, const char *text,
	  struct attempt *a);
/* Append to d what the host's git answers to `git -C ws ARGS` (read-only:
 * hooks and fsmonitor forced off, a hard timeout), as "host git would WHAT:
 * LINE", the line carrying the token. Detail only; skipped when hv->brief. */
void git_says(const struct host_view *hv, const char *what, char *d, size_t n, const char *const *args);
/* A git dir at path (relative to dfd) that host git accepts, whose config
 * runs a (harmless) command carrying the token on the next `git status`. */
int hostile_gitdir_at(const struct probe_env *env, int dfd, const char *path, struct attempt *a);
/* Append a [cagetest] section carrying the token to ws/.git/config. */
int git_config_append(const struct probe_env *env, struct attempt *a);
/* allowed if ws/.git/config carries the token. */
enum observed v_git_config(const struct host_view *hv, char *d, size_t n);
/* allowed if ws/.git was moved away or its config is the box's; the detail
 * says what host git would now run. */
enum observed v_git_replaced(const struct host_view *hv, char *d, size_t n);

/* A probe whose whole attempt is appending the token to root/rel, judged by
 * the token in that file. Defines fn_attempt and fn_verify. */
#define APPEND_PROBE(fn, rel)                                                                               \
	static int fn##_attempt(const struct probe_env *env, struct attempt *a)                             \
	{                                                                                                   \
		return append_token(env, rel, a);                                                           \
	}                                                                                                   \
	static enum observed fn##_verify(const struct host_view *hv, char *d, size_t n)                     \
	{                                                                                                   \
		return v_has_token(hv, rel, d, n);                                                          \
	}

#endif

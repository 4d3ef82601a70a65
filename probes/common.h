/* Helpers shared by the category files: planting canaries (host), writing
 * evidence (box), and the usual verify decisions. Private to probes/. */
#ifndef CAGETEST_PROBES_COMMON_H
#define CAGETEST_PROBES_COMMON_H

#include "probe.h"

#define CANARY_TEXT "cagetest canary: this file must not change\n"

/* Build root/<fmt...> into buf (PATH_MAX). */
int ppath(const struct probe_env *env, char *buf, const char *f, ...) __attribute__((format(printf, 3, 4)));

/* --- host side (arm) --- */
/* Create root/rel holding CANARY_TEXT (parents created). */
int arm_canary(const struct probe_env *env, const char *rel);
/* Skip (-EOPNOTSUPP, why set) when the case has no sentinel. */
int arm_sentinel(const struct probe_env *env, char *why, size_t n);

/* --- in the box (attempt) --- */
/* open(path, flags, 0644), write "<token>\n", close; 0 or -errno. */
int put_token(const struct probe_env *env, const char *path, int flags);
/* Record the errno of a failed step in a->detail and return it. */
int fail_at(struct attempt *a, const char *step, int err);
/* Send the token to a loopback/UNIX address; type is SOCK_STREAM or SOCK_DGRAM. */
int send_token(const struct probe_env *env, int domain, int type, const void *addr, unsigned len,
	       struct attempt *a);
/* Hold until the host has read /proc of this process (NEED_INSPECT). */
int probe_hold(const struct probe_env *env);
/* The same, and ask the host to connect to 127.0.0.1:port first. */
int probe_hold_port(const struct probe_env *env, int port);
/* An attempt that only holds: everything is read from outside. */
int attempt_hold(const struct probe_env *env, struct attempt *a);

/* --- host side (verify) --- */
/* allowed if root/rel contains the token. */
enum observed v_has_token(const struct host_view *hv, const char *rel, char *d, size_t n);
/* allowed if root/rel no longer holds exactly CANARY_TEXT (changed, truncated, gone). */
enum observed v_canary_changed(const struct host_view *hv, const char *rel, char *d, size_t n);
/* allowed if root/rel exists (lstat). */
enum observed v_exists(const struct host_view *hv, const char *rel, char *d, size_t n);
/* allowed if a listener heard the token on ch. */
enum observed v_heard(const struct host_view *hv, enum channel ch, char *d, size_t n);
/* true if the host inspected the live probe; else d says why not (verify returns unknown). */
bool v_inspected(const struct host_view *hv, char *d, size_t n);
/* allowed if the in-box record carries `secret` (a read the box could only do for real). */
enum observed v_leaked(const struct host_view *hv, const char *secret, char *d, size_t n);

#endif

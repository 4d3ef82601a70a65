/* Backends: what enforces a mode. A backend never knows which probe it runs.
 *
 * One const struct per backend, data plus small functions, NULL for what it
 * does not do (the libseccomp arch model). Two ways to confine:
 *   prepare()  host side, before the spawn: an argv prefix that wraps the
 *              agent (bwrap, sandbox-exec, adapters), extra env, cwd, fds;
 *   enter()    in the forked child, just before exec of the agent: confine
 *              the process itself (Landlock + seccomp + no_new_privs).
 * Both may be set. `none` sets neither: it is the control. */
#ifndef CAGETEST_BACKEND_H
#define CAGETEST_BACKEND_H

#include "../lib/facts.h"
#include "../lib/policy.h"
#include "../lib/util.h"

#include <limits.h>
#include <stdbool.h>

/* The concrete places one sandbox invocation is about. */
struct box {
	const struct mode *mode;
	const char *case_root; /* {scratch}: ws/ outside/ home/ tmp/ */
	const char *ws;	       /* {workspace} */
	const char *tmp;       /* {tmp}: also TMPDIR; /tmp is bound to it when the case has a private /tmp */
	const char *home;      /* {home} */
	const char *run;       /* the run's shared dir (host sockets) */
	const char *self;      /* the cagetest binary (the agent) */
	const char *listener;  /* "127.0.0.1:PORT" of the host TCP listener ({listener} in adapters) */
	const struct launch *launch; /* what prepare() returned, for enter() (NULL in explain) */
};

/* A mode's writable root ("{workspace}", "{tmp}", "{home}", or a path) as a
 * path of this box. */
const char *box_root(const struct box *x, const char *writable);
/* A box of placeholders ("{workspace}", "{scratch}", ...) for m: what
 * explain() prints without a case. */
struct box box_placeholders(const struct mode *m);

/* What prepare() hands to the spawner. */
struct launch {
	char **argv; /* prefix; the agent's argv is appended */
	size_t argc;
	char **env; /* extra KEY=VALUE */
	size_t envc;
	char cwd[PATH_MAX]; /* "" = the workspace */
	int fds[4];	    /* inherited at the same numbers */
	size_t nfds;
	bool scrub_secrets; /* drop env vars named like secrets (SECRET_ENV_GLOBS) */
};

/* What a careful launcher removes from the environment it passes on (the
 * default of Codex's shell_environment_policy, plus the obvious others). */
#define SECRET_ENV_GLOBS "*KEY*", "*SECRET*", "*TOKEN*", "*PASSWORD*", "*CREDENTIAL*"
bool env_name_is_secret(const char *kv);
/* In enter(): close every fd >= 3 but the ones prepare() asked to keep. */
int close_inherited(const struct box *x);
int launch_arg(struct launch *l, const char *arg);
int launch_argf(struct launch *l, const char *f, ...) __attribute__((format(printf, 2, 3)));
int launch_env(struct launch *l, const char *kv);
void launch_free(struct launch *l);

struct backend {
	const char *name;
	const char *description;
	bool batch; /* one invocation may run many probes */
	/* its sandbox is made by a daemon (dockerd) that opens the case's paths
	 * in its own mount namespace: the run keeps its cases on disk */
	bool daemon;
	/* 0 if usable here, else -errno and a one-line reason (with a Hint). */
	int (*available)(const struct backend *b, char *why, size_t n);
	/* Optional: version string of the tool. */
	int (*version)(const struct backend *b, char *buf, size_t n);
	/* Optional: 0 if the mode can be expressed, else -EOPNOTSUPP and why. */
	int (*supports)(const struct backend *b, const struct mode *m, char *why, size_t n);
	/* Optional, host side. */
	int (*prepare)(const struct backend *b, const struct box *x, struct launch *l, char *err, size_t n);
	/* Optional, in the child after fork: 0 or -errno (the child then dies before hello). */
	int (*enter)(const struct backend *b, const struct box *x);
	/* Exactly what is applied for this mode, as text. */
	int (*explain)(const struct backend *b, const struct box *x, struct sbuf *out);
	/* Optional: what this backend cannot enforce on this host. */
	void (*notes)(const struct backend *b, struct sbuf *out);
	/* Optional: what available() measured here, appended to out as data
	 * (the very trial, never a second one; doctor prints these). 0 or -errno. */
	int (*facts)(const struct backend *b, struct facts *out);
	/* Optional: the line of a case's stderr in which the wrapper says it
	 * runs without its sandbox (it fails open), copied to out; false when
	 * it said no such thing. */
	bool (*said_unconfined)(const struct backend *b, const char *err, char *out, size_t n);
	const void *data; /* adapters: the parsed adapter file */
};

/* Registry of built-in backends, then adapters loaded at run time. */
size_t backend_count(void);
const struct backend *backend_at(size_t i);
const struct backend *backend_find(const char *name);
/* Take ownership of a dynamically built backend (adapters). */
int backend_register(struct backend *b);
void backend_unregister_all(void);

extern const struct backend backend_none;
extern const struct backend backend_landlock;
extern const struct backend backend_bwrap;
extern const struct backend backend_seatbelt;

#endif

/* Processes the harness starts on the host, written once: run a command
 * with a deadline and keep its output; run a function in a child and get
 * its answer back; find an executable. 0 / -errno, never prints. */
#ifndef CAGETEST_PROC_H
#define CAGETEST_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The search path where PATH is unset or empty (execvp's, /usr/local first). */
#define PROC_FALLBACK_PATH "/usr/local/bin:/usr/bin:/bin"
/* $PATH, else PROC_FALLBACK_PATH. */
const char *proc_path(void);
/* A name with a '/' as it is, a bare name on proc_path(): the path of an
 * executable regular file into out. 0, -ENOENT, or -errno. */
int find_exec(const char *name, char *out, size_t n);
/* The first executable regular file named name in a directory of path (a
 * search path, "DIR:DIR"), as execvp looks: 0, -ENOENT, or -errno. */
int find_exec_on(const char *path, const char *name, char *out, size_t n);

/* One command for proc_run. */
struct proc_cmd {
	char *const *argv; /* argv[0]: a path, or a name find_exec() finds */
	char *const *envp; /* NULL: this process's environment */
	const char *cwd;   /* NULL: this process's */
	double timeout;	   /* seconds until its process group is killed */
	bool stderr_too;   /* its stderr into out as well; else /dev/null */
};
/* Run cmd in a process group of its own, stdin on /dev/null, no fd of ours
 * but its output pipe; its output into out (NUL-terminated, the rest
 * read and dropped). 0 with *wstatus when it ended by itself before the
 * deadline; -ETIMEDOUT when its group was killed there (out holds what it
 * said); -errno when it could not start (-ENOENT: no such executable). */
int proc_run(const struct proc_cmd *cmd, char *out, size_t n, int *wstatus);

/* One function for proc_call: fn runs in a child and leaves size bytes of
 * answer where it is given them; they come back in memory the two share,
 * so the child has no descriptor of ours (an fd inventory in it sees what
 * it would alone). */
struct proc_call {
	void (*fn)(void *arg, void *answer);
	void *arg;
	size_t size;		   /* of the answer */
	double timeout;		   /* seconds until the child is killed; 0: none */
	pid_t (*start)(void *arg); /* makes the child, 0 in it (clone flags); NULL: fork() */
};
/* 0 with answer filled and *wstatus (may be NULL) when fn returned;
 * -ENODATA with *wstatus when the child ended without an answer (a crash,
 * an exit); -ETIMEDOUT when it was killed at the deadline; -errno when no
 * child could be made. */
int proc_call(const struct proc_call *c, void *answer, int *wstatus);

/* As root: become uid/gid 65534 (nobody), dumpable. No-op otherwise. */
int become_nobody(void);

#endif

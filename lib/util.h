/* Small helpers shared by every folder. Everything here returns 0 or -errno
 * (or a value >= 0) and never prints or exits: only the CLI edge does. */
#ifndef CAGETEST_UTIL_H
#define CAGETEST_UTIL_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static inline void cleanup_freep(void *p)
{
	free(*(void **)p);
}
static inline void cleanup_closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}
static inline void cleanup_fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}
#define _cleanup_free_ __attribute__((cleanup(cleanup_freep)))
#define _cleanup_close_ __attribute__((cleanup(cleanup_closep)))
#define _cleanup_fclose_ __attribute__((cleanup(cleanup_fclosep)))

/* -errno of the last failed libc call; never 0. */
static inline int neg_errno(void)
{
	return errno > 0 ? -errno : -EIO;
}

/* "EACCES" for 13, "E123" for unknown numbers, "" for 0. */
const char *errno_name(int err);
/* Reverse of errno_name; 0 when unknown. */
int errno_from_name(const char *name);

/* snprintf that reports truncation as -ENAMETOOLONG. */
int fmt(char *buf, size_t n, const char *f, ...) __attribute__((format(printf, 3, 4)));

/* Whole-file helpers. read_file allocates (NUL-terminated) and caps at max. */
int write_file(const char *path, const char *data, size_t len, int mode);
int write_str(const char *path, const char *s);
int read_file(const char *path, size_t max, char **out, size_t *len);
/* Write to path.tmp then rename over path, so readers never see half a file. */
int write_file_atomic(const char *path, const char *data, size_t len);
int write_all(int fd, const void *buf, size_t len);

int mkdir_p(const char *path, int mode);
/* Remove a tree without following symlinks or crossing mount points. */
int rm_rf(const char *path);
/* Copy a tree of dirs, regular files and symlinks (hard links become copies). */
int copy_tree(const char *from, const char *to);

/* 64-bit FNV-1a of a file's bytes; -errno when unreadable. */
int hash_file(const char *path, uint64_t *out);
uint64_t fnv1a(const void *data, size_t len, uint64_t h);
#define FNV1A_INIT 0xcbf29ce484222325ULL

/* n random lowercase hex characters (n < size), NUL-terminated. */
int random_hex(char *buf, size_t size, size_t n);

double now_mono(void);
/* "2026-11-22T10:00:00Z" */
void iso8601_utc(char *buf, size_t n, double epoch);

/* Does text contain needle (bounded by len)? */
bool mem_contains(const char *text, size_t len, const char *needle);
/* Is path at or under dir? (string prefix by component, on resolved paths) */
bool path_is_under(const char *path, const char *dir);

/* Glob on a probe id / name ("git.*", "*"). */
bool glob_match(const char *pattern, const char *s);
/* Match s against a comma list of globs. */
bool glob_list_match(const char *list, const char *s);

/* Growable string buffer for renderers and explain text. */
struct sbuf {
	char *s;
	size_t len, cap;
	bool oom;
};
void sb_putc(struct sbuf *b, char c);
void sb_puts(struct sbuf *b, const char *s);
void sb_printf(struct sbuf *b, const char *f, ...) __attribute__((format(printf, 2, 3)));
void sb_free(struct sbuf *b);
/* s as one POSIX shell word (quoted only when needed), for explain output. */
void sb_shell_word(struct sbuf *b, const char *s);
/* Detach the string (never NULL unless oom); the buffer is reset. */
char *sb_take(struct sbuf *b);

#endif

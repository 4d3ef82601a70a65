#include "util.h"

#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>

const char *errno_name(int err)
{
	static __thread char buf[16];
	const char *n;

	if (err < 0)
		err = -err;
	if (err == 0)
		return "";
	n = strerrorname_np(err);
	if (n)
		return n;
	snprintf(buf, sizeof(buf), "E%d", err);
	return buf;
}

int errno_from_name(const char *name)
{
	if (!name || !*name)
		return 0;
	for (int e = 1; e < 200; e++) {
		const char *n = strerrorname_np(e);
		if (n && !strcmp(n, name))
			return e;
	}
	if (name[0] == 'E' && name[1] >= '0' && name[1] <= '9')
		return atoi(name + 1);
	return 0;
}

int fmt(char *buf, size_t n, const char *f, ...)
{
	va_list ap;
	int r;

	va_start(ap, f);
	r = vsnprintf(buf, n, f, ap);
	va_end(ap);
	if (r < 0)
		return -EINVAL;
	return (size_t)r >= n ? -ENAMETOOLONG : 0;
}

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t w = write(fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return neg_errno();
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int write_file(const char *path, const char *data, size_t len, int mode)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);

	if (fd < 0)
		return neg_errno();
	return write_all(fd, data, len);
}

int write_str(const char *path, const char *s)
{
	return write_file(path, s, strlen(s), 0644);
}

int read_file(const char *path, size_t max, char **out, size_t *len)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = 4096, n = 0;
	char *buf;

	if (fd < 0)
		return neg_errno();
	buf = malloc(cap + 1);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t r;
		if (n == cap) {
			char *nb;
			if (cap >= max)
				break;
			cap = cap * 2 > max ? max : cap * 2;
			nb = realloc(buf, cap + 1);
			if (!nb) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			free(buf);
			return neg_errno();
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = 0;
	*out = buf;
	if (len)
		*len = n;
	return 0;
}

int write_file_atomic(const char *path, const char *data, size_t len)
{
	char tmp[4096];
	int r = fmt(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());

	if (r < 0)
		return r;
	r = write_file(tmp, data, len, 0644);
	if (r == 0 && rename(tmp, path) < 0)
		r = neg_errno();
	if (r < 0)
		unlink(tmp);
	return r;
}

int mkdir_p(const char *path, int mode)
{
	char buf[4096];
	int r = fmt(buf, sizeof(buf), "%s", path);

	if (r < 0)
		return r;
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return neg_errno();
		*p = '/';
	}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return neg_errno();
	return 0;
}

/* Remove everything below dirfd (not crossing into other file systems). */
static int rm_below(int dirfd, dev_t dev, int depth)
{
	DIR *d;
	struct dirent *e;
	int r = 0;

	if (depth > 64)
		return -ELOOP;
	d = fdopendir(dirfd);
	if (!d) {
		close(dirfd);
		return neg_errno();
	}
	while ((e = readdir(d))) {
		struct stat st;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			int sub;
			if (st.st_dev != dev) {
				r = -EXDEV; /* a mount left behind: never descend */
				continue;
			}
			/* a probe may have made a directory unreadable */
			if (fchmodat(dirfd, e->d_name, 0700, 0) < 0) {
				/* try anyway: removal reports what fails */
			}
			sub = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0) {
				int rr = rm_below(sub, dev, depth + 1);
				if (rr < 0 && !r)
					r = rr;
			}
			if (unlinkat(dirfd, e->d_name, AT_REMOVEDIR) < 0 && !r)
				r = neg_errno();
		} else if (unlinkat(dirfd, e->d_name, 0) < 0 && !r) {
			r = neg_errno();
		}
	}
	closedir(d);
	return r;
}

int rm_rf(const char *path)
{
	struct stat st;
	int fd, r;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : neg_errno();
	if (!S_ISDIR(st.st_mode))
		return unlink(path) < 0 ? neg_errno() : 0;
	if (chmod(path, 0700) < 0) {
		/* try anyway */
	}
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return neg_errno();
	r = rm_below(fd, st.st_dev, 0);
	if (rmdir(path) < 0 && !r)
		r = neg_errno();
	return r;
}

static int copy_fd(int in, int out)
{
	char buf[16384];

	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return neg_errno();
		}
		if (n == 0)
			return 0;
		int r = write_all(out, buf, (size_t)n);
		if (r < 0)
			return r;
	}
}

static int copy_at(int sfd, int dfd, int depth)
{
	DIR *d;
	struct dirent *e;
	int r = 0;

	if (depth > 32)
		return -ELOOP;
	d = fdopendir(sfd);
	if (!d) {
		close(sfd);
		return neg_errno();
	}
	while (!r && (e = readdir(d))) {
		struct stat st;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (fstatat(sfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			r = neg_errno();
			break;
		}
		if (S_ISDIR(st.st_mode)) {
			int s2, d2;
			if (mkdirat(dfd, e->d_name, st.st_mode & 07777) < 0 && errno != EEXIST) {
				r = neg_errno();
				break;
			}
			s2 = openat(sfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			d2 = openat(dfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (s2 < 0 || d2 < 0) {
				r = neg_errno();
				if (s2 >= 0)
					close(s2);
				if (d2 >= 0)
					close(d2);
				break;
			}
			r = copy_at(s2, d2, depth + 1);
			close(d2);
		} else if (S_ISLNK(st.st_mode)) {
			char target[4096];
			ssize_t n = readlinkat(sfd, e->d_name, target, sizeof(target) - 1);
			if (n < 0) {
				r = neg_errno();
				break;
			}
			target[n] = 0;
			if (symlinkat(target, dfd, e->d_name) < 0)
				r = neg_errno();
		} else if (S_ISREG(st.st_mode)) {
			_cleanup_close_ int in = openat(sfd, e->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
			_cleanup_close_ int out = -1;
			if (in < 0) {
				r = neg_errno();
				break;
			}
			out = openat(dfd, e->d_name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
				     st.st_mode & 07777);
			if (out < 0) {
				r = neg_errno();
				break;
			}
			r = copy_fd(in, out);
		}
		/* sockets, fifos and devices are never part of a template */
	}
	closedir(d);
	return r;
}

int copy_tree(const char *from, const char *to)
{
	struct stat st;
	int sfd, r;
	_cleanup_close_ int dfd = -1;

	if (stat(from, &st) < 0)
		return neg_errno();
	if (mkdir(to, st.st_mode & 07777) < 0 && errno != EEXIST)
		return neg_errno();
	sfd = open(from, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sfd < 0)
		return neg_errno();
	dfd = open(to, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		r = neg_errno();
		close(sfd);
		return r;
	}
	return copy_at(sfd, dfd, 0);
}

uint64_t fnv1a(const void *data, size_t len, uint64_t h)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

int hash_file(const char *path, uint64_t *out)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	char buf[8192];
	uint64_t h = FNV1A_INIT;

	if (fd < 0)
		return neg_errno();
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0)
			return neg_errno();
		if (n == 0)
			break;
		h = fnv1a(buf, (size_t)n, h);
	}
	*out = h;
	return 0;
}

int random_hex(char *buf, size_t size, size_t n)
{
	unsigned char raw[64];
	static const char hex[] = "0123456789abcdef";

	if (n >= size || n > 2 * sizeof(raw))
		return -EINVAL;
#ifdef __APPLE__ /* the portable subset (Seatbelt) builds there */
	if (getentropy(raw, (n + 1) / 2) < 0)
#else
	if (getrandom(raw, (n + 1) / 2, 0) < 0)
#endif
		return neg_errno();
	for (size_t i = 0; i < n; i++)
		buf[i] = hex[(raw[i / 2] >> ((i & 1) * 4)) & 15];
	buf[n] = 0;
	return 0;
}

double now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void iso8601_utc(char *buf, size_t n, double epoch)
{
	time_t t = (time_t)epoch;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

bool mem_contains(const char *text, size_t len, const char *needle)
{
	return text && memmem(text, len, needle, strlen(needle)) != NULL;
}

bool glob_match(const char *pattern, const char *s)
{
	return fnmatch(pattern, s, 0) == 0;
}

bool glob_list_match(const char *list, const char *s)
{
	char buf[1024];
	char *save = NULL;

	if (fmt(buf, sizeof(buf), "%s", list) < 0)
		return false;
	for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (glob_match(tok, s))
			return true;
	return false;
}

static void sb_grow(struct sbuf *b, size_t need)
{
	size_t cap;
	char *ns;

	if (b->oom || b->len + need + 1 <= b->cap)
		return;
	cap = b->cap ? b->cap : 256;
	while (cap < b->len + need + 1)
		cap *= 2;
	ns = realloc(b->s, cap);
	if (!ns) {
		b->oom = true;
		return;
	}
	b->s = ns;
	b->cap = cap;
}

void sb_putc(struct sbuf *b, char c)
{
	sb_grow(b, 1);
	if (b->oom)
		return;
	b->s[b->len++] = c;
	b->s[b->len] = 0;
}

void sb_puts(struct sbuf *b, const char *s)
{
	size_t n = strlen(s);

	sb_grow(b, n);
	if (b->oom)
		return;
	memcpy(b->s + b->len, s, n + 1);
	b->len += n;
}

void sb_printf(struct sbuf *b, const char *f, ...)
{
	va_list ap;
	int n;

	va_start(ap, f);
	n = vsnprintf(NULL, 0, f, ap);
	va_end(ap);
	if (n < 0)
		return;
	sb_grow(b, (size_t)n);
	if (b->oom)
		return;
	va_start(ap, f);
	vsnprintf(b->s + b->len, (size_t)n + 1, f, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void sb_free(struct sbuf *b)
{
	free(b->s);
	*b = (struct sbuf){0};
}

char *sb_take(struct sbuf *b)
{
	char *s = b->oom ? NULL : b->s;

	if (!s && !b->oom)
		s = strdup("");
	if (b->oom)
		free(b->s);
	*b = (struct sbuf){0};
	return s;
}

void sb_shell_word(struct sbuf *b, const char *s)
{
	bool plain = *s;

	for (const char *p = s; *p && plain; p++)
		plain = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%+=:,./_-", *p) != NULL;
	if (plain) {
		sb_puts(b, s);
		return;
	}
	sb_putc(b, '\'');
	for (; *s; s++)
		if (*s == '\'')
			sb_puts(b, "'\\''");
		else
			sb_putc(b, *s);
	sb_putc(b, '\'');
}

bool path_is_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	return !strncmp(path, dir, n) && (path[n] == '/' || path[n] == 0);
}

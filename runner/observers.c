#include "observers.h"

#include "../lib/util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#define MAX_CONNS 128
#define EVENT_TEXT 256

enum { L_TCP4, L_TCP6, L_UDP4, L_UDP6, L_DNS_UDP, L_DNS_TCP, L_UNIX_STREAM, L_UNIX_DGRAM, L_ABSTRACT, L__COUNT };

struct listener {
	int fd;
	enum channel ch;
	bool stream, dns;
	int port;
};

struct conn {
	int fd;
	enum channel ch;
	bool dns;
	size_t len;
	char buf[EVENT_TEXT];
	size_t ev; /* index of its event, SIZE_MAX before the first byte */
};

struct event {
	enum channel ch;
	char text[EVENT_TEXT];
};

struct observers {
	struct listener l[L__COUNT];
	struct conn c[MAX_CONNS];
	size_t nconns;
	struct event *ev;
	size_t nev, capev;
	char run[PATH_MAX];
	char abstract[64];
};

static void add_event(struct observers *o, enum channel ch, const char *data, size_t len)
{
	if (o->nev == o->capev) {
		size_t cap = o->capev ? o->capev * 2 : 64;
		struct event *ne = realloc(o->ev, cap * sizeof(*ne));
		if (!ne)
			return;
		o->ev = ne;
		o->capev = cap;
	}
	struct event *e = &o->ev[o->nev++];
	e->ch = ch;
	len = len < EVENT_TEXT - 1 ? len : EVENT_TEXT - 1;
	/* payloads are evidence, not text: keep them printable */
	for (size_t i = 0; i < len; i++)
		e->text[i] = data[i] >= 0x20 && data[i] < 0x7f ? data[i] : '.';
	e->text[len] = 0;
}

static int bind_inet(int domain, int type, int port, int *out_port)
{
	int fd = socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1;
	struct sockaddr_storage ss = {0};
	socklen_t len;

	if (fd < 0)
		return neg_errno();
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (domain == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback;
		a->sin6_port = htons((uint16_t)port);
		len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		a->sin_family = AF_INET;
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		a->sin_port = htons((uint16_t)port);
		len = sizeof(*a);
	}
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 || (type == SOCK_STREAM && listen(fd, 128) < 0) ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) < 0) {
		int r = neg_errno();
		close(fd);
		return r;
	}
	*out_port = ntohs(domain == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port : ((struct sockaddr_in *)&ss)->sin_port);
	return fd;
}

static int bind_unix(int type, const char *path, bool abstract)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	socklen_t len;
	int fd = socket(AF_UNIX, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return neg_errno();
	if (abstract) {
		memcpy(sa.sun_path + 1, path, strlen(path));
		len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(path));
	} else {
		if (fmt(sa.sun_path, sizeof(sa.sun_path), "%s", path) < 0) {
			close(fd);
			return -ENAMETOOLONG;
		}
		len = sizeof(sa);
	}
	if (bind(fd, (struct sockaddr *)&sa, len) < 0 || (type == SOCK_STREAM && listen(fd, 128) < 0)) {
		int r = neg_errno();
		close(fd);
		return r;
	}
	/* a case dropped to another uid must be able to reach it (the control) */
	if (!abstract)
		chmod(path, 0666);
	return fd;
}

int observers_start(struct observers **out, const char *run_dir, const char *run_id, char *err, size_t n)
{
	struct observers *o = calloc(1, sizeof(*o));
	char path[PATH_MAX];
	int fd;

	if (!o)
		return -ENOMEM;
	for (int i = 0; i < L__COUNT; i++)
		o->l[i].fd = -1;
	fmt(o->run, sizeof(o->run), "%s", run_dir);
	fmt(o->abstract, sizeof(o->abstract), "cagetest-%s", run_id);

	static const struct {
		int slot, domain, type;
		enum channel ch;
		bool required;
	} inet[] = {
		{L_TCP4, AF_INET, SOCK_STREAM, CH_TCP4, true},	{L_TCP6, AF_INET6, SOCK_STREAM, CH_TCP6, false},
		{L_UDP4, AF_INET, SOCK_DGRAM, CH_UDP4, true},	{L_UDP6, AF_INET6, SOCK_DGRAM, CH_UDP6, false},
		{L_DNS_UDP, AF_INET, SOCK_DGRAM, CH_DNS, true},
	};
	for (size_t i = 0; i < ARRAY_SIZE(inet); i++) {
		struct listener *l = &o->l[inet[i].slot];
		fd = bind_inet(inet[i].domain, inet[i].type, 0, &l->port);
		if (fd < 0 && inet[i].required) {
			snprintf(err, n, "cannot open a loopback listener: %s. Hint: is the loopback interface up?", strerror(-fd));
			observers_stop(o);
			return fd;
		}
		l->fd = fd < 0 ? -1 : fd;
		l->ch = inet[i].ch;
		l->stream = inet[i].type == SOCK_STREAM;
		l->dns = inet[i].slot == L_DNS_UDP;
	}
	/* DNS over TCP on the same port number as DNS over UDP */
	fd = bind_inet(AF_INET, SOCK_STREAM, o->l[L_DNS_UDP].port, &o->l[L_DNS_TCP].port);
	o->l[L_DNS_TCP] = (struct listener){fd < 0 ? -1 : fd, CH_DNS, true, true, o->l[L_DNS_UDP].port};

	fmt(path, sizeof(path), "%s/host.sock", run_dir);
	o->l[L_UNIX_STREAM] = (struct listener){bind_unix(SOCK_STREAM, path, false), CH_UNIX_STREAM, true, false, 0};
	fmt(path, sizeof(path), "%s/host.dgram", run_dir);
	o->l[L_UNIX_DGRAM] = (struct listener){bind_unix(SOCK_DGRAM, path, false), CH_UNIX_DGRAM, false, false, 0};
	o->l[L_ABSTRACT] = (struct listener){bind_unix(SOCK_STREAM, o->abstract, true), CH_ABSTRACT, true, false, 0};
	for (int i = L_UNIX_STREAM; i <= L_ABSTRACT; i++)
		if (o->l[i].fd < 0) {
			snprintf(err, n, "cannot open a UNIX listener in %s: %s", run_dir, strerror(-o->l[i].fd));
			int r = o->l[i].fd;
			o->l[i].fd = -1;
			observers_stop(o);
			return r;
		}
	*out = o;
	return 0;
}

void observers_fill_env(const struct observers *o, struct probe_env *env)
{
	env->tcp4 = o->l[L_TCP4].fd >= 0 ? o->l[L_TCP4].port : 0;
	env->tcp6 = o->l[L_TCP6].fd >= 0 ? o->l[L_TCP6].port : 0;
	env->udp4 = o->l[L_UDP4].fd >= 0 ? o->l[L_UDP4].port : 0;
	env->udp6 = o->l[L_UDP6].fd >= 0 ? o->l[L_UDP6].port : 0;
	env->dns = o->l[L_DNS_UDP].port;
	fmt(env->abstract, sizeof(env->abstract), "%s", o->abstract);
	fmt(env->run, sizeof(env->run), "%s", o->run);
}

size_t observers_pollfds(const struct observers *o, struct pollfd *pfd, size_t max)
{
	size_t k = 0;

	for (int i = 0; i < L__COUNT && k < max; i++)
		if (o->l[i].fd >= 0)
			pfd[k++] = (struct pollfd){.fd = o->l[i].fd, .events = POLLIN};
	for (size_t i = 0; i < o->nconns && k < max; i++)
		pfd[k++] = (struct pollfd){.fd = o->c[i].fd, .events = POLLIN};
	return k;
}

/* The question name of a DNS message, dotted; false if malformed. */
static bool dns_qname(const unsigned char *m, size_t len, char *out, size_t n, size_t *end)
{
	size_t o = 12, w = 0;

	if (len < 12)
		return false;
	while (o < len && m[o]) {
		size_t l = m[o++];
		if (l > 63 || o + l > len || w + l + 2 > n)
			return false;
		if (w)
			out[w++] = '.';
		memcpy(out + w, m + o, l);
		w += l;
		o += l;
	}
	if (o + 5 > len)
		return false;
	out[w] = 0;
	*end = o + 5; /* the root label, QTYPE and QCLASS */
	return true;
}

/* NXDOMAIN for the question in m; returns the reply's length (0 if none). */
static size_t dns_reply(const unsigned char *m, size_t len, unsigned char *r, size_t cap, char *qname, size_t qn)
{
	size_t end;

	if (!dns_qname(m, len, qname, qn, &end) || end > cap)
		return 0;
	memcpy(r, m, end);
	r[2] = 0x81 | (m[2] & 0x01); /* QR, opcode 0, RD copied */
	r[3] = 0x83;		     /* RA, NXDOMAIN */
	r[4] = 0, r[5] = 1;
	memset(r + 6, 0, 6);
	return end;
}

static void service_dgram(struct observers *o, struct listener *l)
{
	unsigned char buf[2048], reply[600];
	struct sockaddr_storage from;

	for (;;) {
		socklen_t flen = sizeof(from);
		ssize_t k = recvfrom(l->fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);
		if (k < 0)
			return;
		if (l->dns) {
			char qname[256];
			size_t rl = dns_reply(buf, (size_t)k, reply, sizeof(reply), qname, sizeof(qname));
			if (!rl)
				continue;
			add_event(o, CH_DNS, qname, strlen(qname));
			sendto(l->fd, reply, rl, MSG_DONTWAIT, (struct sockaddr *)&from, flen);
		} else {
			add_event(o, l->ch, (char *)buf, (size_t)k);
		}
	}
}

static void close_conn(struct observers *o, size_t i)
{
	close(o->c[i].fd);
	o->c[i] = o->c[--o->nconns];
}

static void accept_all(struct observers *o, struct listener *l)
{
	for (;;) {
		int fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		if (o->nconns == MAX_CONNS) /* the oldest goes: cases are short */
			close_conn(o, 0);
		o->c[o->nconns++] = (struct conn){.fd = fd, .ch = l->ch, .dns = l->dns, .ev = SIZE_MAX};
	}
}

/* Read what is there; false once the connection is finished. */
static bool read_conn(struct observers *o, struct conn *c)
{
	for (;;) {
		size_t room = sizeof(c->buf) - 1 - c->len;
		ssize_t k = room ? read(c->fd, c->buf + c->len, room) : 0;
		if (k < 0)
			return errno == EAGAIN || errno == EINTR;
		if (k == 0)
			return false;
		c->len += (size_t)k;
		if (c->dns) {
			unsigned char reply[600];
			char qname[256];
			size_t mlen = c->len >= 2 ? ((size_t)(unsigned char)c->buf[0] << 8 | (unsigned char)c->buf[1]) : 0;
			if (c->len < 2 || c->len < mlen + 2)
				continue;
			size_t rl = dns_reply((unsigned char *)c->buf + 2, mlen, reply + 2, sizeof(reply) - 2, qname, sizeof(qname));
			if (rl) {
				add_event(o, CH_DNS, qname, strlen(qname));
				reply[0] = (unsigned char)(rl >> 8), reply[1] = (unsigned char)rl;
				if (write(c->fd, reply, rl + 2) < 0) { /* the asker may be gone: fine */
				}
			}
			return false;
		}
		if (c->ev == SIZE_MAX) {
			add_event(o, c->ch, c->buf, c->len);
			c->ev = o->nev - 1;
		} else if (c->ev < o->nev) {
			struct event *e = &o->ev[c->ev];
			size_t n = c->len < EVENT_TEXT - 1 ? c->len : EVENT_TEXT - 1;
			for (size_t i = 0; i < n; i++)
				e->text[i] = c->buf[i] >= 0x20 && c->buf[i] < 0x7f ? c->buf[i] : '.';
			e->text[n] = 0;
		}
		if (!room)
			return false;
	}
}

void observers_service(struct observers *o, const struct pollfd *pfd, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!pfd[i].revents)
			continue;
		for (int k = 0; k < L__COUNT; k++)
			if (o->l[k].fd == pfd[i].fd) {
				if (o->l[k].stream)
					accept_all(o, &o->l[k]);
				else
					service_dgram(o, &o->l[k]);
			}
		for (size_t k = 0; k < o->nconns; k++)
			if (o->c[k].fd == pfd[i].fd && !read_conn(o, &o->c[k])) {
				close_conn(o, k);
				break;
			}
	}
}

void observers_drain(struct observers *o)
{
	for (int k = 0; k < L__COUNT; k++) {
		if (o->l[k].fd < 0)
			continue;
		if (o->l[k].stream)
			accept_all(o, &o->l[k]);
		else
			service_dgram(o, &o->l[k]);
	}
	for (size_t k = 0; k < o->nconns;)
		if (!read_conn(o, &o->c[k]))
			close_conn(o, k);
		else
			k++;
}

int observers_heard(const struct observers *o, enum channel ch, const char *token, char *what, size_t n)
{
	int count = 0;

	for (size_t i = 0; i < o->nev; i++)
		if (o->ev[i].ch == ch && strstr(o->ev[i].text, token)) {
			if (!count && what)
				snprintf(what, n, "%s", o->ev[i].text);
			count++;
		}
	return count;
}

void observers_forget(struct observers *o, const char *token)
{
	size_t w = 0;

	/* connections point at their event by index: detach the ones going away */
	for (size_t k = 0; k < o->nconns; k++)
		if (o->c[k].ev < o->nev && strstr(o->ev[o->c[k].ev].text, token))
			o->c[k].ev = SIZE_MAX - 1; /* forgotten: stop updating it */
	for (size_t i = 0; i < o->nev; i++) {
		if (strstr(o->ev[i].text, token))
			continue;
		for (size_t k = 0; k < o->nconns; k++)
			if (o->c[k].ev == i)
				o->c[k].ev = w;
		o->ev[w++] = o->ev[i];
	}
	o->nev = w;
}

void observers_stop(struct observers *o)
{
	char path[PATH_MAX];

	if (!o)
		return;
	for (int i = 0; i < L__COUNT; i++)
		if (o->l[i].fd >= 0)
			close(o->l[i].fd);
	for (size_t i = 0; i < o->nconns; i++)
		close(o->c[i].fd);
	if (fmt(path, sizeof(path), "%s/host.sock", o->run) == 0)
		unlink(path);
	if (fmt(path, sizeof(path), "%s/host.dgram", o->run) == 0)
		unlink(path);
	free(o->ev);
	free(o);
}

#include "dbus.h"

#include "util.h"

#include <byteswap.h>
#include <endian.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

enum { F_PATH = 1, F_IFACE, F_MEMBER, F_ERROR, F_REPLY_SERIAL, F_DEST, F_SENDER, F_SIG };

#define MAX_FIELDS_LEN 4096
#define MAX_BODY_LEN (1 << 20)

/* ---------- writing ---------- */

struct wbuf {
	uint8_t *b;
	size_t cap, len;
	bool overflow;
};

static void w_byte(struct wbuf *w, uint8_t v)
{
	if (w->len < w->cap)
		w->b[w->len] = v;
	else
		w->overflow = true;
	w->len++;
}

/* Alignment is counted from the start of the message. */
static void w_pad(struct wbuf *w, size_t a)
{
	while (w->len % a)
		w_byte(w, 0);
}

static void w_u32(struct wbuf *w, uint32_t v)
{
	w_pad(w, 4);
	for (int i = 0; i < 4; i++) /* native order, as the header's endian byte says */
		w_byte(w, ((uint8_t *)&v)[i]);
}

static void w_bytes(struct wbuf *w, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		w_byte(w, (uint8_t)s[i]);
	w_byte(w, 0);
}

static void w_str(struct wbuf *w, const char *s)
{
	w_u32(w, (uint32_t)strlen(s));
	w_bytes(w, s, strlen(s));
}

static void w_sig(struct wbuf *w, const char *s)
{
	w_byte(w, (uint8_t)strlen(s));
	w_bytes(w, s, strlen(s));
}

static void w_field(struct wbuf *w, uint8_t code, char type, const char *s, uint32_t u)
{
	char sig[2] = {type, 0};

	w_pad(w, 8);
	w_byte(w, code);
	w_sig(w, sig);
	if (type == 'g')
		w_sig(w, s);
	else if (type == 'u')
		w_u32(w, u);
	else
		w_str(w, s);
}

static void put_u32_at(uint8_t *b, uint32_t v)
{
	memcpy(b, &v, 4);
}

ssize_t dbus_build(const struct dbus_msg *m, uint8_t *buf, size_t cap)
{
	struct wbuf w = {buf, cap, 0, false};
	const char *sig = m->sig ? m->sig : "";
	size_t fields_end, body;

	if (strcmp(sig, "") && strcmp(sig, "s") && strcmp(sig, "u") && strcmp(sig, "su"))
		return -EINVAL;
	if (sig[0] == 's' && !m->s)
		return -EINVAL;
	w_byte(&w, __BYTE_ORDER == __LITTLE_ENDIAN ? 'l' : 'B');
	w_byte(&w, m->type);
	w_byte(&w, m->flags);
	w_byte(&w, 1);
	w_u32(&w, 0); /* body length, patched below */
	w_u32(&w, m->serial);
	w_u32(&w, 0); /* header fields length, patched below */
	if (m->path)
		w_field(&w, F_PATH, 'o', m->path, 0);
	if (m->iface)
		w_field(&w, F_IFACE, 's', m->iface, 0);
	if (m->member)
		w_field(&w, F_MEMBER, 's', m->member, 0);
	if (m->error)
		w_field(&w, F_ERROR, 's', m->error, 0);
	if (m->reply_serial)
		w_field(&w, F_REPLY_SERIAL, 'u', NULL, m->reply_serial);
	if (m->dest)
		w_field(&w, F_DEST, 's', m->dest, 0);
	if (m->sender)
		w_field(&w, F_SENDER, 's', m->sender, 0);
	if (*sig)
		w_field(&w, F_SIG, 'g', sig, 0);
	fields_end = w.len;
	w_pad(&w, 8);
	body = w.len;
	if (sig[0] == 's')
		w_str(&w, m->s);
	if (strchr(sig, 'u'))
		w_u32(&w, m->u);
	if (w.overflow)
		return -ENOBUFS;
	put_u32_at(buf + 4, (uint32_t)(w.len - body));
	put_u32_at(buf + 12, (uint32_t)(fields_end - 16));
	return (ssize_t)w.len;
}

/* ---------- reading ---------- */

struct rbuf {
	const uint8_t *b;
	size_t len, pos;
	bool swap;
};

static bool r_pad(struct rbuf *r, size_t a)
{
	while (r->pos % a)
		if (r->pos >= r->len || r->b[r->pos++])
			return false;
	return true;
}

static bool r_u32(struct rbuf *r, uint32_t *v)
{
	if (!r_pad(r, 4) || r->pos + 4 > r->len)
		return false;
	memcpy(v, r->b + r->pos, 4);
	if (r->swap)
		*v = bswap_32(*v);
	r->pos += 4;
	return true;
}

/* A NUL-terminated run of n bytes at pos. */
static bool r_bytes(struct rbuf *r, size_t n, const char **out)
{
	if (r->pos + n + 1 > r->len || r->pos + n + 1 < r->pos || r->b[r->pos + n])
		return false;
	*out = (const char *)r->b + r->pos;
	r->pos += n + 1;
	return memchr(*out, 0, n) == NULL;
}

static bool r_str(struct rbuf *r, const char **out)
{
	uint32_t n;

	return r_u32(r, &n) && r_bytes(r, n, out);
}

static bool r_sig(struct rbuf *r, const char **out)
{
	return r->pos < r->len && r_bytes(r, r->b[r->pos++], out);
}

static bool header(const uint8_t *buf, size_t len, bool *swap, uint32_t *fields, uint32_t *body)
{
	if (len < 16)
		return false;
	if (buf[0] != 'l' && buf[0] != 'B')
		return false;
	*swap = (buf[0] == 'l') != (__BYTE_ORDER == __LITTLE_ENDIAN);
	memcpy(body, buf + 4, 4);
	memcpy(fields, buf + 12, 4);
	if (*swap) {
		*body = bswap_32(*body);
		*fields = bswap_32(*fields);
	}
	return true;
}

ssize_t dbus_frame(const uint8_t *buf, size_t len)
{
	uint32_t fields, body;
	bool swap;
	size_t total;

	if (len < 16)
		return 0;
	if (!header(buf, len, &swap, &fields, &body) || buf[3] != 1 || fields > MAX_FIELDS_LEN || body > MAX_BODY_LEN)
		return -EBADMSG;
	total = (16 + (size_t)fields + 7) / 8 * 8 + body;
	return len < total ? 0 : (ssize_t)total;
}

int dbus_parse(const uint8_t *buf, size_t len, struct dbus_msg *m)
{
	uint32_t fields, body;
	struct rbuf r = {buf, len, 16, false};
	size_t end;

	memset(m, 0, sizeof(*m));
	if (dbus_frame(buf, len) <= 0 || !header(buf, len, &r.swap, &fields, &body))
		return -EBADMSG;
	m->type = buf[1];
	m->flags = buf[2];
	memcpy(&m->serial, buf + 8, 4);
	if (r.swap)
		m->serial = bswap_32(m->serial);
	end = 16 + fields;
	r.len = end;
	while (r.pos < end) {
		const char *sig, **slot = NULL;
		uint8_t code;
		if (!r_pad(&r, 8) || r.pos >= end)
			return -EBADMSG;
		code = buf[r.pos++];
		if (!r_sig(&r, &sig) || strlen(sig) != 1)
			return -EBADMSG;
		switch (code) {
		case F_PATH: slot = &m->path; break;
		case F_IFACE: slot = &m->iface; break;
		case F_MEMBER: slot = &m->member; break;
		case F_ERROR: slot = &m->error; break;
		case F_DEST: slot = &m->dest; break;
		case F_SENDER: slot = &m->sender; break;
		case F_SIG: slot = &m->sig; break;
		default: break;
		}
		if (sig[0] == 'u') {
			uint32_t v;
			if (!r_u32(&r, &v))
				return -EBADMSG;
			if (code == F_REPLY_SERIAL)
				m->reply_serial = v;
		} else if (sig[0] == 'g') {
			const char *v;
			if (!r_sig(&r, &v))
				return -EBADMSG;
			if (slot)
				*slot = v;
		} else if (sig[0] == 's' || sig[0] == 'o') {
			const char *v;
			if (!r_str(&r, &v))
				return -EBADMSG;
			if (slot)
				*slot = v;
		} else {
			return -EBADMSG; /* no other field type is defined */
		}
	}
	/* the body: only the shapes this harness speaks */
	r.len = len;
	r.pos = (end + 7) / 8 * 8;
	if (m->sig && (!strcmp(m->sig, "s") || !strcmp(m->sig, "su")) && !r_str(&r, &m->s))
		return -EBADMSG;
	if (m->sig && (!strcmp(m->sig, "u") || !strcmp(m->sig, "su")) && !r_u32(&r, &m->u))
		return -EBADMSG;
	return 0;
}

/* ---------- a blocking client ---------- */

static int set_timeouts(int fd, int ms)
{
	struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};

	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0)
		return neg_errno();
	return 0;
}

/* SASL EXTERNAL: the bus learns our uid from the socket, we name it in hex. */
static int auth(int fd)
{
	char line[128], hexuid[40], uid[16];
	size_t k = 0;
	int r, w;

	snprintf(uid, sizeof(uid), "%u", (unsigned)geteuid());
	for (size_t i = 0; uid[i]; i++)
		snprintf(hexuid + 2 * i, 3, "%02x", (unsigned char)uid[i]);
	snprintf(line, sizeof(line), "AUTH EXTERNAL %s\r\n", hexuid);
	r = write_all(fd, "", 1);
	if ((w = write_all(fd, line, strlen(line))) < 0 && r == 0)
		r = w;
	/* one line back; byte by byte so nothing after it is eaten */
	while (k + 1 < sizeof(line)) {
		ssize_t n = read(fd, line + k, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return r ? r : n < 0 ? neg_errno() : -ECONNRESET;
		if (line[k++] == '\n')
			break;
	}
	line[k] = 0;
	if (strncmp(line, "OK ", 3))
		return r ? r : -EACCES;
	w = write_all(fd, "BEGIN\r\n", 7);
	return r ? r : w;
}

int dbus_connect(struct dbus_conn *c, const char *path, int timeout_ms, const char **step)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int r, ra;

	memset(c, 0, offsetof(struct dbus_conn, buf));
	*step = "socket";
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return neg_errno();
	if ((r = set_timeouts(c->fd, timeout_ms)) < 0)
		return r;
	*step = "connect";
	if (fmt(sa.sun_path, sizeof(sa.sun_path), "%s", path) < 0)
		return -ENAMETOOLONG;
	r = connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ? neg_errno() : 0;
	ra = auth(c->fd);
	if (r == 0 && ra < 0) {
		*step = "auth";
		r = ra;
	}
	return r;
}

int dbus_send(struct dbus_conn *c, struct dbus_msg *m)
{
	uint8_t out[1024];
	ssize_t n;

	m->serial = ++c->serial;
	n = dbus_build(m, out, sizeof(out));
	if (n < 0)
		return (int)n;
	return write_all(c->fd, out, (size_t)n);
}

ssize_t dbus_recv(struct dbus_conn *c, struct dbus_msg *m)
{
	if (c->held) {
		memmove(c->buf, c->buf + c->held, c->len - c->held);
		c->len -= c->held;
		c->held = 0;
	}
	for (;;) {
		ssize_t n = dbus_frame(c->buf, c->len);
		if (n < 0)
			return n;
		if (n > 0) {
			int r = dbus_parse(c->buf, (size_t)n, m);
			if (r < 0)
				return r;
			c->held = (size_t)n;
			return n;
		}
		if (c->len == sizeof(c->buf))
			return -EMSGSIZE;
		ssize_t k = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return k < 0 ? neg_errno() : -ECONNRESET;
		c->len += (size_t)k;
	}
}

int dbus_call(struct dbus_conn *c, struct dbus_msg *m, struct dbus_msg *reply)
{
	int r = dbus_send(c, m);

	for (;;) {
		ssize_t n = dbus_recv(c, reply);
		if (n < 0)
			return r < 0 ? r : n == -EAGAIN ? -ETIMEDOUT : (int)n; /* SO_RCVTIMEO ran out */
		if ((reply->type == DBUS_RETURN || reply->type == DBUS_ERROR) && reply->reply_serial == m->serial)
			return reply->type == DBUS_RETURN ? 0 : -EREMOTEIO;
	}
}

void dbus_close(struct dbus_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

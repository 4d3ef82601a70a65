#include "proxy.h"

#include "../lib/util.h"
#include "common.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>

static int hex(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Percent-decode len bytes of s into out (n bytes). */
static void pct_decode(const char *s, size_t len, char *out, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < len && k + 1 < n; i++) {
		if (s[i] == '%' && i + 2 < len && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
			out[k++] = (char)(hex(s[i + 1]) * 16 + hex(s[i + 2]));
			i += 2;
		} else {
			out[k++] = s[i];
		}
	}
	out[k] = 0;
}

/* scheme://[user[:pass]@]host:port[/...] */
static int parse_url(const char *url, bool socks, struct proxy *p)
{
	const char *rest = strstr(url, "://"), *at, *colon, *end;
	char host[64];
	long port;

	if (!rest)
		return -EINVAL;
	if (socks != (!strncmp(url, "socks5://", 9) || !strncmp(url, "socks5h://", 10)))
		return -EINVAL;
	rest += 3;
	end = rest + strcspn(rest, "/");
	at = memchr(rest, '@', (size_t)(end - rest));
	if (at) {
		colon = memchr(rest, ':', (size_t)(at - rest));
		pct_decode(rest, (size_t)((colon ? colon : at) - rest), p->user, sizeof(p->user));
		if (colon)
			pct_decode(colon + 1, (size_t)(at - colon - 1), p->pass, sizeof(p->pass));
		rest = at + 1;
	}
	colon = memchr(rest, ':', (size_t)(end - rest));
	if (!colon || (size_t)(colon - rest) >= sizeof(host))
		return -EINVAL;
	snprintf(host, sizeof(host), "%.*s", (int)(colon - rest), rest);
	port = strtol(colon + 1, NULL, 10);
	if (port <= 0 || port > 65535)
		return -EINVAL;
	p->addr = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	if (!strcmp(host, "localhost"))
		p->addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	else if (inet_pton(AF_INET, host, &p->addr.sin_addr) != 1)
		return -EINVAL;
	return 0;
}

int proxy_from_env(bool socks, struct proxy *p)
{
	static const char *const http[] = {"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"};

	/* HTTP: the usual names. SOCKS: any *_PROXY with a socks5 scheme (srt
	 * puts it in ALL_PROXY or FTP_PROXY, depending on the version) */
	for (size_t i = 0; !socks && i < ARRAY_SIZE(http); i++) {
		const char *v = getenv(http[i]);
		memset(p, 0, sizeof(*p));
		if (v && parse_url(v, false, p) == 0) {
			snprintf(p->var, sizeof(p->var), "%s", http[i]);
			return 0;
		}
	}
	for (char **e = environ; socks && e && *e; e++) {
		const char *eq = strchr(*e, '=');
		size_t nl = eq ? (size_t)(eq - *e) : 0;
		memset(p, 0, sizeof(*p));
		if (nl < 6 || nl >= sizeof(p->var) || strncasecmp(eq - 6, "_PROXY", 6) || parse_url(eq + 1, true, p) < 0)
			continue;
		snprintf(p->var, sizeof(p->var), "%.*s", (int)nl, *e);
		return 0;
	}
	return -ENOENT;
}

int proxy_open(const struct proxy *p, struct attempt *a)
{
	struct timeval tv = {.tv_sec = 1};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return fail_at(a, "proxy socket", neg_errno());
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (const struct sockaddr *)&p->addr, sizeof(p->addr)) < 0) {
		int r = fail_at(a, p->var, neg_errno());
		close(fd);
		return r;
	}
	return fd;
}

/* Exactly n bytes, or -EPROTO. */
static int read_n(int fd, void *buf, size_t n)
{
	for (size_t got = 0; got < n;) {
		ssize_t k = read(fd, (char *)buf + got, n - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return k < 0 ? neg_errno() : -EPROTO;
		got += (size_t)k;
	}
	return 0;
}

int socks5_connect(int fd, const struct proxy *p, const char *host, size_t hlen, int port)
{
	unsigned char m[600], r[10];
	size_t ul = strlen(p->user), pl = strlen(p->pass), k = 0;
	bool auth = ul || pl;
	int e = -EPROTO;

	if (hlen > 255 || ul > 255 || pl > 255)
		return -EINVAL;
	/* greeting: one method, user/password when we have them */
	m[0] = 5, m[1] = 1, m[2] = auth ? 2 : 0;
	if (write_all(fd, m, 3) < 0 || (e = read_n(fd, r, 2)) < 0)
		return e < 0 ? e : -EPROTO;
	if (r[0] != 5 || r[1] != m[2])
		return -EACCES;
	if (auth) {
		m[k++] = 1, m[k++] = (unsigned char)ul;
		memcpy(m + k, p->user, ul), k += ul;
		m[k++] = (unsigned char)pl;
		memcpy(m + k, p->pass, pl), k += pl;
		if (write_all(fd, m, k) < 0 || (e = read_n(fd, r, 2)) < 0)
			return e < 0 ? e : -EPROTO;
		if (r[1] != 0)
			return -EACCES;
	}
	k = 0;
	m[k++] = 5, m[k++] = 1, m[k++] = 0, m[k++] = 3, m[k++] = (unsigned char)hlen;
	memcpy(m + k, host, hlen), k += hlen;
	m[k++] = (unsigned char)(port >> 8), m[k++] = (unsigned char)port;
	if (write_all(fd, m, k) < 0 || (e = read_n(fd, r, 4)) < 0)
		return e < 0 ? e : -EPROTO;
	if (r[1] != 0)
		return -EACCES;
	/* the bound address: IPv4 4 bytes, IPv6 16, a name 1 + its length; then the port */
	size_t rest = r[3] == 1 ? 6 : r[3] == 4 ? 18 : 0;
	if (r[3] == 3 && read_n(fd, r, 1) == 0)
		rest = (size_t)r[0] + 2;
	return rest && read_n(fd, m, rest) == 0 ? 0 : -EPROTO;
}

/* "Proxy-Authorization: Basic ...\r\n" when the proxy has userinfo, else "". */
static void auth_header(const struct proxy *p, char *out, size_t n)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char raw[520], enc[720];
	size_t len, k = 0;

	out[0] = 0;
	if (!p->user[0] && !p->pass[0])
		return;
	len = (size_t)snprintf(raw, sizeof(raw), "%s:%s", p->user, p->pass);
	for (size_t i = 0; i < len && k + 5 < sizeof(enc); i += 3) {
		unsigned v = (unsigned char)raw[i] << 16 | (i + 1 < len ? (unsigned char)raw[i + 1] << 8 : 0) |
			     (i + 2 < len ? (unsigned char)raw[i + 2] : 0);
		enc[k++] = b64[v >> 18 & 63];
		enc[k++] = b64[v >> 12 & 63];
		enc[k++] = i + 1 < len ? b64[v >> 6 & 63] : '=';
		enc[k++] = i + 2 < len ? b64[v & 63] : '=';
	}
	enc[k] = 0;
	snprintf(out, n, "Proxy-Authorization: Basic %s\r\n", enc);
}

/* The status line's code: 0 for 2xx, -EACCES for 4xx/5xx, -EPROTO. */
static int http_status(int fd)
{
	char line[64];
	size_t k = 0;

	while (k + 1 < sizeof(line)) {
		ssize_t r = read(fd, line + k, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || line[k] == '\n')
			break;
		k++;
	}
	line[k] = 0;
	if (strncmp(line, "HTTP/1.", 7) || k < 12)
		return -EPROTO;
	return line[9] == '2' ? 0 : -EACCES;
}

int http_connect(int fd, const struct proxy *p, const char *authority, size_t hlen)
{
	char auth[800], req[1200];
	size_t k = 0;

	auth_header(p, auth, sizeof(auth));
	k += (size_t)snprintf(req, sizeof(req), "CONNECT ");
	if (hlen + k + 1 > sizeof(req))
		return -EINVAL;
	memcpy(req + k, authority, hlen), k += hlen;
	k += (size_t)snprintf(req + k, sizeof(req) - k, " HTTP/1.1\r\nHost: ");
	if (hlen + k + 1 > sizeof(req))
		return -EINVAL;
	memcpy(req + k, authority, hlen), k += hlen;
	k += (size_t)snprintf(req + k, sizeof(req) - k, "\r\n%s\r\n", auth);
	if (k >= sizeof(req) || write_all(fd, req, k) < 0)
		return -EIO;
	return http_status(fd);
}

int http_request(int fd, const struct proxy *p, const char *target, const char *host)
{
	char auth[800], req[1600];
	int k;

	auth_header(p, auth, sizeof(auth));
	k = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\n%s%s%s%sConnection: close\r\n\r\n", target, host ? "Host: " : "",
		     host ? host : "", host ? "\r\n" : "", auth);
	if (k < 0 || (size_t)k >= sizeof(req) || write_all(fd, req, (size_t)k) < 0)
		return -EIO;
	return http_status(fd);
}

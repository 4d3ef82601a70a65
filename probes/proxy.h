/* A client for the egress proxies a box is given in its environment
 * (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY: srt's allowlisting proxies): enough
 * HTTP CONNECT, plain HTTP and SOCKS5 to ask them for a destination in odd
 * spellings. Box side. */
#ifndef CAGETEST_PROBES_PROXY_H
#define CAGETEST_PROBES_PROXY_H

#include "probe.h"

#include <netinet/in.h>
#include <stdbool.h>

/* A wildcard name an allowlisting adapter allows (srt.json: *.cagetest.invalid):
 * .invalid never resolves, so only a proxy that misreads a name connects
 * anywhere with it. */
#define PROXY_ALLOWED_SUFFIX "cagetest.invalid"

struct proxy {
	struct sockaddr_in addr;
	char var[16];	   /* the variable it came from */
	char user[256];	   /* userinfo, percent-decoded ("" = none) */
	char pass[256];
};

/* The first proxy in the environment: socks false, HTTPS_PROXY, HTTP_PROXY
 * (either case); socks true, any *_PROXY with a socks5 or socks5h scheme. The
 * host must be an IPv4 literal or localhost. 0, or -ENOENT when none. */
int proxy_from_env(bool socks, struct proxy *p);
/* A connection to the proxy, 1 s timeouts; fd or -errno (noted in a). */
int proxy_open(const struct proxy *p, struct attempt *a);
/* SOCKS5 (RFC 1928, user/password auth of RFC 1929 when the proxy has one):
 * CONNECT to the name host (hlen bytes: may hold a NUL) and port. 0 when the
 * proxy answered success, -EACCES when it refused, -EPROTO, -errno. */
int socks5_connect(int fd, const struct proxy *p, const char *host, size_t hlen, int port);
/* HTTP CONNECT authority (hlen bytes: may hold a NUL or CR): 0 on a 2xx. */
int http_connect(int fd, const struct proxy *p, const char *authority, size_t hlen);
/* A plain HTTP request through the proxy: "METHOD TARGET HTTP/1.1", a Host
 * header (omitted when NULL), Proxy-Authorization, then the status of its
 * answer: 0 on a 2xx, -EACCES on 403/407, -EPROTO. */
int http_request(int fd, const struct proxy *p, const char *target, const char *host);

#endif

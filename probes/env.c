/* probe_env on the agent's command line: "k=v;k=v", values %-escaped so the
 * string survives any wrapper that re-quotes its argv. */
#include "../lib/proc.h"
#include "../lib/util.h"
#include "probe.h"

#include <arpa/inet.h>
#include <linux/netlink.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>

enum field_type { F_STR, F_INT, F_ULONG };

static const struct field {
	const char *key;
	enum field_type type;
	size_t off, size;
} fields[] = {
#define S(k, m) {k, F_STR, offsetof(struct probe_env, m), sizeof(((struct probe_env *)0)->m)}
#define I(k, m) {k, F_INT, offsetof(struct probe_env, m), sizeof(int)}
	S("root", root),
	S("run", run),
	S("self", self),
	S("nonce", nonce),
	S("abs", abstract),
	I("tcp4", tcp4),
	I("tcpd", tcp_denied),
	I("tcp6", tcp6),
	I("udp4", udp4),
	I("udp6", udp6),
	I("dns", dns),
	I("sctp", sctp),
	I("vsock", vsock),
	I("nlpid", nlpid),
	I("taps", taps),
	I("sent", sentinel),
	I("duid", drop_uid),
	I("src", src),
	{"saddr", F_ULONG, offsetof(struct probe_env, sentinel_addr), sizeof(unsigned long)},
#undef S
#undef I
};

static bool plain(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("/._-+,@", c);
}

static bool listed(const char *const *keys, const char *key)
{
	for (; keys && *keys; keys++)
		if (!strcmp(*keys, key))
			return true;
	return !keys;
}

int probe_env_encode_fields(const struct probe_env *env, const char *const *keys, char *buf, size_t n)
{
	struct sbuf b = {0};
	char *s;
	int r = 0;

	sb_puts(&b, "");
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
		const struct field *f = &fields[i];
		const char *p = (const char *)env + f->off;
		if (!listed(keys, f->key))
			continue;
		if (b.len)
			sb_putc(&b, ';');
		sb_printf(&b, "%s=", f->key);
		if (f->type == F_INT)
			sb_printf(&b, "%d", *(const int *)p);
		else if (f->type == F_ULONG)
			sb_printf(&b, "%lx", *(const unsigned long *)p);
		else
			for (; *p; p++)
				if (plain((unsigned char)*p))
					sb_putc(&b, *p);
				else
					sb_printf(&b, "%%%02x", (unsigned char)*p);
	}
	s = sb_take(&b);
	if (!s)
		return -ENOMEM;
	r = fmt(buf, n, "%s", s);
	free(s);
	return r;
}

int probe_env_encode(const struct probe_env *env, char *buf, size_t n)
{
	return probe_env_encode_fields(env, NULL, buf, n);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int decode_value(const struct field *f, const char *v, size_t len, struct probe_env *env)
{
	char *p = (char *)env + f->off;
	char tmp[PATH_MAX];
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		char c = v[i];
		if (c == '%') {
			int hi, lo;
			if (i + 2 >= len)
				return -EINVAL;
			hi = hexval(v[i + 1]);
			lo = hexval(v[i + 2]);
			if (hi < 0 || lo < 0)
				return -EINVAL;
			c = (char)(hi * 16 + lo);
			i += 2;
		}
		if (o + 1 >= sizeof(tmp))
			return -ENAMETOOLONG;
		tmp[o++] = c;
	}
	tmp[o] = 0;
	if (f->type == F_STR)
		return fmt(p, f->size, "%s", tmp);
	char *end;
	errno = 0;
	if (f->type == F_INT) {
		long x = strtol(tmp, &end, 10);
		if (errno || *end || x < -1 || x > 0x7fffffff)
			return -EINVAL;
		*(int *)p = (int)x;
	} else {
		unsigned long x = strtoul(tmp, &end, 16);
		if (errno || *end)
			return -EINVAL;
		*(unsigned long *)p = x;
	}
	return 0;
}

int probe_env_apply(const char *s, struct probe_env *env)
{
	while (*s) {
		size_t klen = strcspn(s, "=;"), vlen;
		const struct field *f = NULL;
		if (s[klen] != '=')
			return -EINVAL;
		for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
			if (strlen(fields[i].key) == klen && !strncmp(fields[i].key, s, klen))
				f = &fields[i];
		if (!f)
			return -EINVAL;
		s += klen + 1;
		vlen = strcspn(s, ";");
		int r = decode_value(f, s, vlen, env);
		if (r < 0)
			return r;
		s += vlen;
		if (*s == ';')
			s++;
	}
	return 0;
}

int probe_env_decode(const char *s, struct probe_env *env)
{
	memset(env, 0, sizeof(*env));
	if (probe_env_apply(s, env) < 0)
		return -EINVAL;
	return env->root[0] && env->nonce[0] ? 0 : -EINVAL;
}

void probe_env_set_slot(struct probe_env *env, int slot)
{
	env->slot = slot;
	snprintf(env->token, sizeof(env->token), "ct%s%02x", env->nonce, slot & 0xff);
}

int probe_source(const struct probe_env *env, int family, struct sockaddr_storage *ss, socklen_t *len)
{
	unsigned src = (unsigned)env->src & 0xffff, slot = (unsigned)env->slot & 0xff;

	memset(ss, 0, sizeof(*ss));
	ss->ss_family = (sa_family_t)family;
	switch (family) {
	case AF_INET: {
		/* never 127.0.0.x, where unbound sockets speak from, nor 127.255.255.255 */
		struct sockaddr_in *a = (struct sockaddr_in *)ss;
		a->sin_addr.s_addr = htonl(127U << 24 | (1 + (src >> 8) % 254) << 16 | (src & 0xff) << 8 | (1 + slot % 254));
		*len = sizeof(*a);
		return 0;
	}
	case AF_UNIX: {
		struct sockaddr_un *u = (struct sockaddr_un *)ss;
		int k = snprintf(u->sun_path + 1, sizeof(u->sun_path) - 1, "cagetest-src-%s", env->token);
		*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)k);
		return 0;
	}
	case AF_NETLINK:
		((struct sockaddr_nl *)ss)->nl_pid = 0x80000000U | src << 8 | slot;
		*len = sizeof(struct sockaddr_nl);
		return 0;
	default:
		return -EAFNOSUPPORT;
	}
}

int probe_path(const struct probe_env *env, char *buf, size_t n, const char *rel)
{
	return fmt(buf, n, "%s/%s", env->root, rel);
}

int launcher_path(const struct probe_env *env, char *buf, size_t n)
{
	return fmt(buf, n, "%s/home/.local/bin:%s", env->root, proc_path());
}

#include "model.h"

#include "../lib/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const verdict_names[V__COUNT] = {
	[V_PASS] = "pass", [V_ESCAPE] = "escape", [V_OVERBLOCKED] = "overblocked",
	[V_ERROR] = "error", [V_SKIP] = "skip",	  [V_XFAIL] = "xfail",
};

const char *verdict_name(enum verdict v)
{
	return (unsigned)v < V__COUNT ? verdict_names[v] : "error";
}

int verdict_from_name(const char *name)
{
	for (int v = 0; v < V__COUNT; v++)
		if (name && !strcmp(verdict_names[v], name))
			return v;
	return -EINVAL;
}

/* strdup each listed field of a struct in place; false on ENOMEM. */
static bool dup_fields(char **fields[], size_t n)
{
	bool ok = true;

	for (size_t i = 0; i < n; i++) {
		if (!*fields[i])
			continue;
		*fields[i] = strdup(*fields[i]);
		ok = ok && *fields[i];
	}
	return ok;
}

static void free_fields(char **fields[], size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(*fields[i]);
		*fields[i] = NULL;
	}
}

#define RESULT_FIELDS(x)                                                                                    \
	{&(x)->backend, &(x)->mode, &(x)->probe, &(x)->category, &(x)->effect, &(x)->observed,             \
	 &(x)->control, &(x)->errno_name, &(x)->detail, &(x)->host}
#define BACKEND_FIELDS(x) {&(x)->name, &(x)->version, &(x)->reason, &(x)->notes, &(x)->host}
#define HOST_FIELDS(x) {&(x)->name, &(x)->kernel, &(x)->arch, &(x)->user, &(x)->container, &(x)->like}
#define EXPLAIN_FIELDS(x) {&(x)->backend, &(x)->mode, &(x)->text, &(x)->host}

/* Room for one more result: its slot, or NULL. */
static struct result *result_slot(struct report *r)
{
	if (r->nresults == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 64;
		struct result *nr = realloc(r->results, cap * sizeof(*nr));
		if (!nr)
			return NULL;
		r->results = nr;
		r->cap = cap;
	}
	return &r->results[r->nresults];
}

int report_add(struct report *r, const struct result *res)
{
	struct result *nr = result_slot(r);

	if (!nr)
		return -ENOMEM;
	*nr = *res;
	char **f[] = RESULT_FIELDS(nr);
	if (!dup_fields(f, ARRAY_SIZE(f))) {
		free_fields(f, ARRAY_SIZE(f));
		return -ENOMEM;
	}
	r->nresults++;
	return 0;
}

int report_take(struct report *r, struct result *res)
{
	struct result *nr = result_slot(r);

	if (!nr) {
		char **f[] = RESULT_FIELDS(res);
		free_fields(f, ARRAY_SIZE(f));
		return -ENOMEM;
	}
	*nr = *res;
	r->nresults++;
	return 0;
}

int report_add_backend(struct report *r, const struct backend_info *b)
{
	struct backend_info *nb = realloc(r->backends, (r->nbackends + 1) * sizeof(*nb));

	if (!nb)
		return -ENOMEM;
	r->backends = nb;
	nb = &nb[r->nbackends];
	*nb = *b;
	char **f[] = BACKEND_FIELDS(nb);
	if (!dup_fields(f, ARRAY_SIZE(f))) {
		free_fields(f, ARRAY_SIZE(f));
		return -ENOMEM;
	}
	r->nbackends++;
	return 0;
}

int report_add_explain(struct report *r, const char *backend, const char *mode, const char *text)
{
	return report_add_explain_at(r, NULL, backend, mode, text);
}

/* Append {backend, mode, text, host} to one of the report's text lists. */
static int add_text(struct explain_text **v, size_t *n, const char *host, const char *backend, const char *mode,
		    const char *text)
{
	struct explain_text *ne = realloc(*v, (*n + 1) * sizeof(*ne));

	if (!ne)
		return -ENOMEM;
	*v = ne;
	ne = &ne[*n];
	*ne = (struct explain_text){(char *)backend, (char *)mode, (char *)text, (char *)host};
	char **f[] = EXPLAIN_FIELDS(ne);
	if (!dup_fields(f, ARRAY_SIZE(f))) {
		free_fields(f, ARRAY_SIZE(f));
		return -ENOMEM;
	}
	++*n;
	return 0;
}

int report_add_explain_at(struct report *r, const char *host, const char *backend, const char *mode, const char *text)
{
	return add_text(&r->explains, &r->nexplains, host, backend, mode, text);
}

int report_add_said_at(struct report *r, const char *host, const char *backend, const char *mode, const char *text)
{
	return add_text(&r->said, &r->nsaid, host, backend, mode, text);
}

int host_facts_copy(struct host_facts *dst, const struct host_facts *src)
{
	*dst = *src;
	char **f[] = HOST_FIELDS(dst);
	if (!dup_fields(f, ARRAY_SIZE(f))) {
		free_fields(f, ARRAY_SIZE(f));
		return -ENOMEM;
	}
	return 0;
}

int report_add_host(struct report *r, const struct host_facts *h)
{
	struct host_facts *nh = realloc(r->hosts, (r->nhosts + 1) * sizeof(*nh));
	int rc;

	if (!nh)
		return -ENOMEM;
	r->hosts = nh;
	if ((rc = host_facts_copy(&nh[r->nhosts], h)) < 0)
		return rc;
	r->nhosts++;
	return 0;
}

int report_add_fixed(struct report *r, const char *what)
{
	char **nf = realloc(r->fixed_known, (r->nfixed_known + 1) * sizeof(*nf));

	if (!nf)
		return -ENOMEM;
	r->fixed_known = nf;
	nf[r->nfixed_known] = strdup(what);
	if (!nf[r->nfixed_known])
		return -ENOMEM;
	r->nfixed_known++;
	return 0;
}

/* Host labels match when equal or both absent; ANY_HOST matches all. */
static const char any_host[] = "";
#define ANY_HOST any_host

static bool same_host(const char *a, const char *b)
{
	if (b == ANY_HOST)
		return true;
	return a && b ? !strcmp(a, b) : a == b;
}

static const char *text_at(const struct explain_text *v, size_t n, const char *host, const char *backend,
			   const char *mode)
{
	for (size_t i = 0; i < n; i++)
		if (same_host(v[i].host, host) && !strcmp(v[i].backend, backend) && !strcmp(v[i].mode, mode))
			return v[i].text;
	return NULL;
}

const char *report_explain_at(const struct report *r, const char *host, const char *backend, const char *mode)
{
	return text_at(r->explains, r->nexplains, host, backend, mode);
}

const char *report_said_at(const struct report *r, const char *host, const char *backend, const char *mode)
{
	return text_at(r->said, r->nsaid, host, backend, mode);
}

const struct backend_info *report_backend_at(const struct report *r, const char *host, const char *name)
{
	for (size_t i = 0; i < r->nbackends; i++)
		if (same_host(r->backends[i].host, host) && !strcmp(r->backends[i].name, name))
			return &r->backends[i];
	return NULL;
}

const char *report_explain(const struct report *r, const char *backend, const char *mode)
{
	return report_explain_at(r, ANY_HOST, backend, mode);
}

const struct backend_info *report_backend(const struct report *r, const char *name)
{
	return report_backend_at(r, ANY_HOST, name);
}

const struct host_facts *report_host(const struct report *r, const char *host)
{
	for (size_t i = 0; host && i < r->nhosts; i++)
		if (r->hosts[i].name && !strcmp(r->hosts[i].name, host))
			return &r->hosts[i];
	return &r->host;
}

void host_facts_free(struct host_facts *h)
{
	char **f[] = HOST_FIELDS(h);
	free_fields(f, ARRAY_SIZE(f));
}

size_t report_hosts_like(const struct report *r, const char *host)
{
	size_t n = 0;

	for (size_t i = 0; host && i < r->nhosts; i++)
		n += r->hosts[i].like ? !strcmp(r->hosts[i].like, host) : r->hosts[i].name && !strcmp(r->hosts[i].name, host);
	return n ? n : 1;
}

void report_hosts_like_names(const struct report *r, const char *host, size_t max, struct sbuf *out)
{
	size_t n = 0;

	for (size_t i = 0; host && i < r->nhosts; i++)
		if (r->hosts[i].like && !strcmp(r->hosts[i].like, host) && n++ < max) {
			sb_puts(out, n > 1 ? ", " : "");
			text_clean(out, r->hosts[i].name);
		}
	if (n > max)
		sb_printf(out, " and %zu more", n - max);
}

void report_summarize(struct report *r)
{
	const char *host = NULL;
	size_t weight = 1;

	memset(r->summary, 0, sizeof(r->summary));
	for (size_t i = 0; i < r->nresults; i++) {
		const struct result *x = &r->results[i];
		if (r->nhosts && (i == 0 || !same_host(x->host, host))) /* a host's rows are usually adjacent */
			weight = report_hosts_like(r, host = x->host);
		r->summary[x->verdict] += weight;
	}
}

size_t report_rows(const struct report *r)
{
	size_t n = 0;

	for (int v = 0; v < V__COUNT; v++)
		n += r->summary[v];
	return n;
}

void report_free(struct report *r)
{
	for (size_t i = 0; i < r->nresults; i++) {
		char **f[] = RESULT_FIELDS(&r->results[i]);
		free_fields(f, ARRAY_SIZE(f));
	}
	for (size_t i = 0; i < r->nbackends; i++) {
		char **f[] = BACKEND_FIELDS(&r->backends[i]);
		free_fields(f, ARRAY_SIZE(f));
	}
	for (size_t i = 0; i < r->nexplains; i++) {
		char **f[] = EXPLAIN_FIELDS(&r->explains[i]);
		free_fields(f, ARRAY_SIZE(f));
	}
	for (size_t i = 0; i < r->nsaid; i++) {
		char **f[] = EXPLAIN_FIELDS(&r->said[i]);
		free_fields(f, ARRAY_SIZE(f));
	}
	for (size_t i = 0; i < r->nfixed_known; i++)
		free(r->fixed_known[i]);
	for (size_t i = 0; i < r->nhosts; i++)
		host_facts_free(&r->hosts[i]);
	host_facts_free(&r->host);
	free(r->hosts);
	free(r->tool);
	free(r->version);
	free(r->started);
	free(r->results);
	free(r->backends);
	free(r->explains);
	free(r->said);
	free(r->fixed_known);
	memset(r, 0, sizeof(*r));
}

/* Decode one UTF-8 sequence; returns its length, 0 if invalid. */
static size_t utf8_len(const unsigned char *s, unsigned *cp)
{
	size_t n;
	unsigned c = s[0], min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if ((c & 0xe0) == 0xc0)
		n = 2, c &= 0x1f, min = 0x80;
	else if ((c & 0xf0) == 0xe0)
		n = 3, c &= 0x0f, min = 0x800;
	else if ((c & 0xf8) == 0xf0)
		n = 4, c &= 0x07, min = 0x10000;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

static bool xml_char_ok(unsigned c)
{
	return c == 0x9 || c == 0xa || c == 0xd || (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) ||
	       (c >= 0x10000 && c <= 0x10ffff);
}

static char *sanitize(const char *s, bool xml)
{
	struct sbuf b = {0};
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	sb_puts(&b, "");
	while (*p) {
		unsigned cp;
		size_t n = utf8_len(p, &cp);
		if (n && (!xml || xml_char_ok(cp))) {
			for (size_t i = 0; i < n; i++)
				sb_putc(&b, (char)p[i]);
			p += n;
		} else {
			sb_puts(&b, "\xef\xbf\xbd"); /* U+FFFD */
			p += n ? n : 1;
		}
	}
	return sb_take(&b);
}

char *xml_sanitize(const char *s)
{
	return sanitize(s, true);
}

char *utf8_sanitize(const char *s)
{
	return sanitize(s, false);
}

void text_clean(struct sbuf *out, const char *s)
{
	_cleanup_free_ char *u = utf8_sanitize(s ? s : "");
	const unsigned char *p = (const unsigned char *)(u ? u : "");

	for (; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			sb_putc(out, '?');
		else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) { /* C1 controls */
			sb_putc(out, '?');
			p++;
		} else
			sb_putc(out, (char)*p);
	}
}

/* merge: several runs (hosts, containers, CI jobs) as one model. Every row,
 * backend, explain text and wrapper's words keeps the label of the host it
 * came from, and report.hosts holds each host's facts under that label; the
 * sandbox verdicts follow from them per host (verdicts.c). */
#include "merge.h"

#include "../lib/util.h"

#include <errno.h>
#include <string.h>

static bool label_taken(const struct report *r, const char *label)
{
	for (size_t i = 0; i < r->nhosts; i++)
		if (r->hosts[i].name && !strcmp(r->hosts[i].name, label))
			return true;
	return false;
}

/* wanted, or wanted-2, wanted-3, ... whichever is free in dst. */
static int unique_label(const struct report *dst, const char *wanted, char *buf, size_t n)
{
	if (fmt(buf, n, "%s", wanted) < 0)
		return -ENAMETOOLONG;
	for (unsigned k = 2; label_taken(dst, buf); k++)
		if (fmt(buf, n, "%s-%u", wanted, k) < 0)
			return -ENAMETOOLONG;
	return 0;
}

static const char *derived_label(const struct host_facts *h)
{
	if (h->name && *h->name)
		return h->name;
	if (h->kernel && *h->kernel)
		return h->kernel;
	return "host";
}

struct relabel {
	const struct report *src;
	char (*labels)[256]; /* new label per src host (one for a single run) */
};

/* The dst label of something src labelled `host`. */
static const char *map(const struct relabel *m, const char *host)
{
	for (size_t i = 0; host && i < m->src->nhosts; i++)
		if (m->src->hosts[i].name && !strcmp(m->src->hosts[i].name, host))
			return m->labels[i];
	return m->labels[0];
}

static int add_hosts(struct report *dst, const struct relabel *m, const char *label)
{
	const struct report *src = m->src;
	size_t n = src->nhosts ? src->nhosts : 1;
	int r;

	for (size_t i = 0; i < n; i++) {
		struct host_facts h = src->nhosts ? src->hosts[i] : src->host;
		const char *wanted = !src->nhosts && label ? label : derived_label(&h);
		if ((r = unique_label(dst, wanted, m->labels[i], sizeof(m->labels[i]))) < 0)
			return r;
		h.name = m->labels[i];
		if ((r = report_add_host(dst, &h)) < 0)
			return r;
	}
	return 0;
}

static int first_input(struct report *dst, const struct report *src)
{
	int r;

	dst->tool = strdup("cagetest");
	dst->version = strdup(CAGETEST_VERSION);
	dst->schema = REPORT_SCHEMA;
	dst->started = src->started ? strdup(src->started) : NULL;
	/* schema-1 readers see the first host at the top level */
	if ((r = host_facts_copy(&dst->host, &dst->hosts[0])) < 0)
		return r;
	return dst->tool && dst->version ? 0 : -ENOMEM;
}

int report_merge(struct report *dst, const struct report *src, const char *label)
{
	struct relabel m = {.src = src};
	bool first = dst->nhosts == 0;
	int r;

	m.labels = calloc(src->nhosts ? src->nhosts : 1, sizeof(*m.labels));
	if (!m.labels)
		return -ENOMEM;
	if ((r = add_hosts(dst, &m, label)) < 0 || (first && (r = first_input(dst, src)) < 0))
		goto out;
	for (size_t i = 0; i < src->nbackends && r == 0; i++) {
		struct backend_info b = src->backends[i];
		b.host = (char *)map(&m, b.host);
		r = report_add_backend(dst, &b);
	}
	for (size_t i = 0; i < src->nexplains && r == 0; i++) {
		const struct explain_text *e = &src->explains[i];
		r = report_add_explain_at(dst, map(&m, e->host), e->backend, e->mode, e->text);
	}
	for (size_t i = 0; i < src->nsaid && r == 0; i++) {
		const struct explain_text *e = &src->said[i];
		r = report_add_said_at(dst, map(&m, e->host), e->backend, e->mode, e->text);
	}
	for (size_t i = 0; i < src->nresults && r == 0; i++) {
		struct result x = src->results[i];
		x.host = (char *)map(&m, x.host);
		r = report_add(dst, &x);
	}
	for (size_t i = 0; i < src->nfixed_known && r == 0; i++) {
		struct sbuf s = {0};
		if (!src->nhosts) /* a merged input's entries carry their host already */
			sb_printf(&s, "%s: ", m.labels[0]);
		sb_puts(&s, src->fixed_known[i]);
		r = s.oom ? -ENOMEM : report_add_fixed(dst, s.s);
		sb_free(&s);
	}
	if (r == 0) {
		if (src->started && dst->started && strcmp(src->started, dst->started) < 0) {
			free(dst->started);
			dst->started = strdup(src->started);
		}
		dst->duration_s += src->duration_s;
		dst->interrupted = dst->interrupted || src->interrupted;
		report_summarize(dst);
	}
out:
	free(m.labels);
	return r;
}

/* merge: several runs (hosts, containers, CI jobs) as one model. Every row,
 * backend, explain text and wrapper's words keeps the label of the host it
 * came from, and report.hosts holds each host's facts under that label; the
 * sandbox verdicts follow from them per host (verdicts.c). A host whose
 * outcome the model has already (merge.h) is folded: it keeps its facts and
 * `like` names the host whose rows are its rows, so a fleet of agreeing
 * hosts costs one copy of the rows, not one per host. */
#include "merge.h"

#include "../lib/util.h"

#include <errno.h>
#include <string.h>

/* One group of a report: the rows and backends of one host (all of them in
 * a single run) as indexes; what its sandbox verdicts say and its wrapper
 * said, as text; the hash of all of it. In a merge, dst's distinct outcomes. */
struct group {
	size_t *rows, nrows, *backends, nbackends;
	char *texts; /* each column's verdict and reason, then its wrapper's words and explain texts */
	uint64_t hash;
};
struct merge_outcome {
	size_t host; /* dst->hosts index */
	struct group g;
};

static const char *nz(const char *s)
{
	return s ? s : "";
}

static bool same_str(const char *a, const char *b)
{
	return !strcmp(nz(a), nz(b));
}

/* What makes two rows the same outcome: everything but the evidence text
 * and the time, which carry per-run tokens, paths and pids. */
static bool same_row(const struct result *a, const struct result *b)
{
	return a->expected == b->expected && a->verdict == b->verdict && same_str(a->backend, b->backend) &&
	       same_str(a->mode, b->mode) && same_str(a->probe, b->probe) && same_str(a->category, b->category) &&
	       same_str(a->effect, b->effect) && same_str(a->observed, b->observed) &&
	       same_str(a->control, b->control) && same_str(a->errno_name, b->errno_name);
}

static bool same_backend(const struct backend_info *a, const struct backend_info *b)
{
	return a->available == b->available && same_str(a->name, b->name) && same_str(a->version, b->version) &&
	       same_str(a->reason, b->reason) && same_str(a->notes, b->notes);
}

static uint64_t hash_str(uint64_t h, const char *s)
{
	return fnv1a(nz(s), strlen(nz(s)) + 1, h); /* the NUL separates fields */
}

static uint64_t hash_row(uint64_t h, const struct result *x)
{
	const char *f[] = {x->backend, x->mode, x->probe, x->category, x->effect, x->observed, x->control, x->errno_name};
	int e[] = {(int)x->expected, (int)x->verdict};

	for (size_t i = 0; i < ARRAY_SIZE(f); i++)
		h = hash_str(h, f[i]);
	return fnv1a(e, sizeof(e), h);
}

static uint64_t hash_backend(uint64_t h, const struct backend_info *b)
{
	h = hash_str(hash_str(hash_str(hash_str(h, b->name), b->version), b->reason), b->notes);
	return fnv1a(&b->available, sizeof(b->available), h);
}

static void group_free(struct group *g)
{
	free(g->rows);
	free(g->backends);
	free(g->texts);
}

static size_t owner(const struct report *r, const char *name);

static void texts_add(struct sbuf *s, const struct report *r, const struct explain_text *v, size_t n, size_t rep,
		      bool all, const char *what)
{
	for (size_t i = 0; i < n; i++)
		if (all || owner(r, v[i].host) == rep)
			sb_printf(s, "%s %s %s %s\n", v[i].backend, v[i].mode, what, v[i].text);
}

/* What host `rep` of r (every host when all) says besides its rows and
 * backends, as text: each column's verdict (its reason quotes a cause, a
 * wrapper's words), what its wrapper said, what each backend applied (the
 * explain texts name placeholders, not paths, so agreeing runs agree). */
static char *texts_of(const struct report *r, const struct matrix *m, size_t rep, bool all)
{
	struct sbuf s = {0};

	sb_puts(&s, "");
	for (size_t c = 0; c < m->ncols; c++)
		if (all || owner(r, m->cols[c].host) == rep)
			sb_printf(&s, "%s %s verdict %s: %s\n", m->cols[c].backend, m->cols[c].mode,
				  sandbox_word_name(m->cols[c].verdict.word), m->cols[c].verdict.reason);
	texts_add(&s, r, r->said, r->nsaid, rep, all, "said");
	texts_add(&s, r, r->explains, r->nexplains, rep, all, "applied");
	return sb_take(&s);
}

/* The group of host rep of r (every row when all). */
static int group_of(const struct report *r, const struct matrix *m, size_t rep, bool all, struct group *g)
{
	memset(g, 0, sizeof(*g));
	g->rows = calloc(r->nresults + 1, sizeof(*g->rows));
	g->backends = calloc(r->nbackends + 1, sizeof(*g->backends));
	g->texts = texts_of(r, m, rep, all);
	if (!g->rows || !g->backends || !g->texts) {
		group_free(g);
		return -ENOMEM;
	}
	g->hash = FNV1A_INIT;
	for (size_t i = 0; i < r->nresults; i++)
		if (all || owner(r, r->results[i].host) == rep) {
			g->rows[g->nrows++] = i;
			g->hash = hash_row(g->hash, &r->results[i]);
		}
	for (size_t i = 0; i < r->nbackends; i++)
		if (all || owner(r, r->backends[i].host) == rep) {
			g->backends[g->nbackends++] = i;
			g->hash = hash_backend(g->hash, &r->backends[i]);
		}
	g->hash = hash_str(g->hash, g->texts);
	return 0;
}

/* Does src's group have the outcome o of dst? */
static bool same_outcome(const struct report *dst, const struct group *o, const struct report *src,
			 const struct group *g)
{
	if (o->hash != g->hash || o->nrows != g->nrows || o->nbackends != g->nbackends || strcmp(o->texts, g->texts))
		return false;
	for (size_t i = 0; i < g->nrows; i++)
		if (!same_row(&dst->results[o->rows[i]], &src->results[g->rows[i]]))
			return false;
	for (size_t i = 0; i < g->nbackends; i++)
		if (!same_backend(&dst->backends[o->backends[i]], &src->backends[g->backends[i]]))
			return false;
	return true;
}

static int add_outcome(struct merge *m, size_t host, const struct group *g)
{
	struct merge_outcome *v = realloc(m->v, (m->n + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	m->v = v;
	v[m->n++] = (struct merge_outcome){.host = host, .g = *g};
	return 0;
}

/* The host whose group something of r labelled `name` is in: that host
 * (the first when no host has the name), or the host it is like. */
static size_t owner(const struct report *r, const char *name)
{
	size_t i = 0;

	for (size_t k = 0; name && k < r->nhosts; k++)
		if (r->hosts[k].name && !strcmp(r->hosts[k].name, name)) {
			i = k;
			break;
		}
	for (size_t j = 0; i < r->nhosts && r->hosts[i].like && j < r->nhosts; j++)
		if (r->hosts[j].name && !strcmp(r->hosts[j].name, r->hosts[i].like) && !r->hosts[j].like)
			return j;
	return i;
}

int merge_begin(struct merge *m, struct report *dst, bool fold)
{
	struct matrix dm;
	int r = 0;

	*m = (struct merge){.dst = dst, .fold = fold};
	if (!dst->nhosts)
		return 0;
	if ((r = matrix_build(dst, &dm)) < 0)
		return r;
	for (size_t i = 0; i < dst->nhosts && r == 0; i++) {
		struct group g;
		if (dst->hosts[i].like || owner(dst, dst->hosts[i].name) != i)
			continue;
		if ((r = group_of(dst, &dm, i, false, &g)) == 0 && (r = add_outcome(m, i, &g)) < 0)
			group_free(&g);
	}
	matrix_free(&dm);
	if (r < 0)
		merge_end(m);
	return r;
}

void merge_end(struct merge *m)
{
	for (size_t i = 0; i < m->n; i++)
		group_free(&m->v[i].g);
	free(m->v);
	*m = (struct merge){0};
}

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

bool host_label_ok(const char *label)
{
	size_t n = label ? strlen(label) : 0;

	if (n == 0 || n > HOST_LABEL_MAX || strchr(label, '/'))
		return false;
	for (const unsigned char *p = (const unsigned char *)label; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

/* Each src host into dst under a unique label; first is the first dst
 * index they take. */
static int add_hosts(struct report *dst, const struct report *src, const char *label, size_t *first)
{
	size_t n = src->nhosts ? src->nhosts : 1;
	char buf[HOST_LABEL_MAX + 16];
	int r;

	*first = dst->nhosts;
	for (size_t i = 0; i < n; i++) {
		struct host_facts h = src->nhosts ? src->hosts[i] : src->host;
		const char *wanted = !src->nhosts && label ? label : derived_label(&h);
		if ((r = unique_label(dst, wanted, buf, sizeof(buf))) < 0)
			return r;
		h.name = buf;
		h.like = NULL; /* set once the outcomes are known */
		if ((r = report_add_host(dst, &h)) < 0)
			return r;
	}
	return 0;
}

static int first_input(struct report *dst, const struct report *src)
{
	dst->tool = strdup("cagetest");
	dst->version = strdup(CAGETEST_VERSION);
	dst->schema = REPORT_SCHEMA;
	dst->started = src->started ? strdup(src->started) : NULL;
	if (!dst->tool || !dst->version || (src->started && !dst->started))
		return -ENOMEM;
	/* schema-1 readers see the first host at the top level */
	return host_facts_copy(&dst->host, &dst->hosts[0]);
}

/* The rows, backends and explain texts of src's group g into dst under
 * dst->hosts[host]'s label. */
static int add_rows(struct report *dst, size_t host, const struct report *src, const struct group *g, const char *src_label)
{
	const char *label = dst->hosts[host].name;
	int r = 0;

	for (size_t i = 0; i < g->nbackends && r == 0; i++) {
		struct backend_info b = src->backends[g->backends[i]];
		b.host = (char *)label;
		r = report_add_backend(dst, &b);
	}
	for (size_t i = 0; i < src->nexplains && r == 0; i++) {
		const struct explain_text *e = &src->explains[i];
		if (!src->nhosts || owner(src, e->host) == owner(src, src_label))
			r = report_add_explain_at(dst, label, e->backend, e->mode, e->text);
	}
	for (size_t i = 0; i < src->nsaid && r == 0; i++) {
		const struct explain_text *e = &src->said[i];
		if (!src->nhosts || owner(src, e->host) == owner(src, src_label))
			r = report_add_said_at(dst, label, e->backend, e->mode, e->text);
	}
	for (size_t i = 0; i < g->nrows && r == 0; i++) {
		struct result x = src->results[g->rows[i]];
		x.host = (char *)label;
		r = report_add(dst, &x);
	}
	return r;
}

/* Point every host of src's group (rep and the hosts like it) at target. */
static int set_like(struct report *dst, size_t first, const struct report *src, size_t rep, size_t target)
{
	size_t n = src->nhosts ? src->nhosts : 1;

	for (size_t i = 0; i < n; i++) {
		if (src->nhosts && owner(src, src->hosts[i].name) != rep)
			continue;
		if (first + i == target)
			continue;
		free(dst->hosts[first + i].like);
		if (!(dst->hosts[first + i].like = strdup(dst->hosts[target].name)))
			return -ENOMEM;
	}
	return 0;
}

/* src's group of host rep (every row of a single run): folded into an
 * outcome dst has, or added with its rows. */
static int merge_group(struct merge *m, size_t first, const struct report *src, const struct matrix *sm, size_t rep)
{
	struct report *dst = m->dst;
	const char *src_label = src->nhosts ? src->hosts[rep].name : NULL;
	struct group g;
	size_t target = first + rep, base_rows = dst->nresults, base_backends = dst->nbackends;
	int r;

	if ((r = group_of(src, sm, rep, !src->nhosts, &g)) < 0)
		return r;
	for (size_t i = 0; m->fold && i < m->n; i++)
		if (same_outcome(dst, &m->v[i].g, src, &g)) {
			group_free(&g);
			return set_like(dst, first, src, rep, m->v[i].host);
		}
	if ((r = add_rows(dst, target, src, &g, src_label)) < 0 || (r = set_like(dst, first, src, rep, target)) < 0) {
		group_free(&g);
		return r;
	}
	/* the outcome's indexes are now dst's */
	for (size_t i = 0; i < g.nrows; i++)
		g.rows[i] = base_rows + i;
	for (size_t i = 0; i < g.nbackends; i++)
		g.backends[i] = base_backends + i;
	if ((r = add_outcome(m, target, &g)) < 0)
		group_free(&g);
	return r;
}

int merge_add(struct merge *m, const struct report *src, const char *label)
{
	struct report *dst = m->dst;
	bool first = dst->nhosts == 0;
	size_t at, n = src->nhosts ? src->nhosts : 1;
	struct matrix sm;
	int r;

	if (label && !host_label_ok(label))
		return -EINVAL;
	if ((r = add_hosts(dst, src, label, &at)) < 0 || (first && (r = first_input(dst, src)) < 0))
		return r;
	if ((r = matrix_build(src, &sm)) < 0)
		return r;
	for (size_t i = 0; i < n && r == 0; i++)
		if (!src->nhosts || owner(src, src->hosts[i].name) == i)
			r = merge_group(m, at, src, &sm, i);
	matrix_free(&sm);
	for (size_t i = 0; i < src->nfixed_known && r == 0; i++) {
		struct sbuf s = {0};
		if (!src->nhosts) /* a merged input's entries carry their host already */
			sb_printf(&s, "%s: ", dst->hosts[at].name);
		sb_puts(&s, src->fixed_known[i]);
		r = s.oom ? -ENOMEM : report_add_fixed(dst, s.s);
		sb_free(&s);
	}
	if (r < 0)
		return r;
	if (src->started && dst->started && strcmp(src->started, dst->started) < 0) {
		free(dst->started);
		if (!(dst->started = strdup(src->started)))
			return -ENOMEM;
	}
	dst->duration_s += src->duration_s;
	dst->interrupted = dst->interrupted || src->interrupted;
	/* src's rows once for each host they stand for, as report_summarize counts */
	for (size_t i = 0; i < src->nresults; i++)
		dst->summary[src->results[i].verdict] += src->nhosts ? report_hosts_like(src, src->results[i].host) : 1;
	return 0;
}

int report_merge(struct report *dst, const struct report *src, const char *label)
{
	struct merge m;
	int r;

	if ((r = merge_begin(&m, dst, true)) < 0)
		return r;
	r = merge_add(&m, src, label);
	merge_end(&m);
	return r;
}

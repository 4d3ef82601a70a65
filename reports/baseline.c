/* Baselines: known failures become xfail instead of failing the run, and
 * known failures that pass now are listed so the baseline can be tightened. */
#include "merge.h"

#include "../lib/util.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <string.h>

static int add(struct baseline *b, const char *backend, const char *mode, const char *probe, const char *reason)
{
	struct known *nk = realloc(b->v, (b->n + 1) * sizeof(*nk));

	if (!nk)
		return -ENOMEM;
	b->v = nk;
	nk = &nk[b->n];
	nk->backend = strdup(backend);
	nk->mode = strdup(mode);
	nk->probe = strdup(probe);
	nk->reason = strdup(reason);
	b->n++; /* freed by baseline_free even when half made */
	return nk->backend && nk->mode && nk->probe && nk->reason ? 0 : -ENOMEM;
}

/* A report row names itself exactly: escape the glob characters. */
static char *literal(const char *s)
{
	struct sbuf b = {0};

	sb_puts(&b, "");
	for (; *s; s++) {
		if (strchr("*?[\\", *s))
			sb_putc(&b, '\\');
		sb_putc(&b, *s);
	}
	return sb_take(&b);
}

static int from_report(const char *text, struct baseline *b, char *err, size_t n)
{
	struct report rep;
	int r;

	if ((r = report_from_json(text, &rep, err, n)) < 0)
		return r;
	for (size_t i = 0; i < rep.nresults && r == 0; i++) {
		const struct result *x = &rep.results[i];
		_cleanup_free_ char *bk = NULL, *md = NULL, *pr = NULL;
		char reason[128];
		enum verdict v = x->verdict;
		if (v == V_XFAIL) /* still a known failure in that run */
			v = x->expected == EXPECT_BLOCKED ? V_ESCAPE : V_OVERBLOCKED;
		if (v != V_ESCAPE && v != V_OVERBLOCKED)
			continue;
		snprintf(reason, sizeof(reason), "%s in the baseline report%s%s", verdict_name(v),
			 rep.started ? " of " : "", rep.started ? rep.started : "");
		bk = literal(x->backend), md = literal(x->mode), pr = literal(x->probe);
		r = bk && md && pr ? add(b, bk, md, pr, reason) : -ENOMEM;
	}
	report_free(&rep);
	return r;
}

static int member(const cJSON *o, const char *key, const char **out, size_t i, char *err, size_t n)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!cJSON_IsString(it) || !*it->valuestring) {
		snprintf(err, n, "known[%zu].%s: %s", i, key, it ? "expected a non-empty string" : "missing");
		return -EINVAL;
	}
	*out = it->valuestring;
	return 0;
}

static int from_list(const cJSON *list, struct baseline *b, char *err, size_t n)
{
	const cJSON *it;
	size_t i = 0;
	int r;

	cJSON_ArrayForEach(it, list)
	{
		const char *bk, *md, *pr, *why;
		if (!cJSON_IsObject(it)) {
			snprintf(err, n, "known[%zu]: expected an object", i);
			return -EINVAL;
		}
		if ((r = member(it, "backend", &bk, i, err, n)) || (r = member(it, "mode", &md, i, err, n)) ||
		    (r = member(it, "probe", &pr, i, err, n)) || (r = member(it, "reason", &why, i, err, n)) ||
		    (r = add(b, bk, md, pr, why)))
			return r;
		i++;
	}
	return 0;
}

int baseline_parse(const char *text, struct baseline *b, char *err, size_t n)
{
	cJSON *root = cJSON_ParseWithOpts(text, NULL, true);
	const cJSON *known;
	int r;

	memset(b, 0, sizeof(*b));
	if (!root) {
		const char *at = cJSON_GetErrorPtr();
		snprintf(err, n, "not valid JSON (near byte %td)", at && at >= text ? at - text : 0);
		return -EINVAL;
	}
	known = cJSON_GetObjectItemCaseSensitive(root, "known");
	if (cJSON_IsArray(known))
		r = from_list(known, b, err, n);
	else if (known) {
		snprintf(err, n, "known: expected an array");
		r = -EINVAL;
	} else if (cJSON_GetObjectItemCaseSensitive(root, "tool"))
		r = from_report(text, b, err, n);
	else {
		snprintf(err, n, "expected {\"known\":[...]} or a cagetest JSON report");
		r = -EINVAL;
	}
	cJSON_Delete(root);
	if (r < 0)
		baseline_free(b);
	return r;
}

static bool matches(const struct known *k, const char *backend, const char *mode, const char *probe)
{
	return glob_match(k->backend, backend) && glob_match(k->mode, mode) && glob_match(k->probe, probe);
}

bool baseline_known(const char *backend, const char *mode, const char *probe, void *ctx)
{
	const struct baseline *b = ctx;

	for (size_t i = 0; i < b->n; i++)
		if (matches(&b->v[i], backend, mode, probe))
			return true;
	return false;
}

int baseline_fixed(const struct baseline *b, struct report *r)
{
	for (size_t i = 0; i < b->n; i++) {
		const struct known *k = &b->v[i];
		size_t pass = 0, failing = 0;
		for (size_t j = 0; j < r->nresults; j++) {
			const struct result *x = &r->results[j];
			if (!matches(k, x->backend, x->mode, x->probe))
				continue;
			pass += x->verdict == V_PASS;
			failing += x->verdict == V_XFAIL || x->verdict == V_ESCAPE || x->verdict == V_OVERBLOCKED;
		}
		if (pass && !failing) {
			struct sbuf s = {0};
			int rc;
			sb_printf(&s, "%s/%s %s: %s (passes now)", k->backend, k->mode, k->probe, k->reason);
			rc = s.oom ? -ENOMEM : report_add_fixed(r, s.s);
			sb_free(&s);
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

void baseline_free(struct baseline *b)
{
	for (size_t i = 0; i < b->n; i++) {
		free(b->v[i].backend);
		free(b->v[i].mode);
		free(b->v[i].probe);
		free(b->v[i].reason);
	}
	free(b->v);
	memset(b, 0, sizeof(*b));
}

int baseline_append(struct baseline *dst, struct baseline *src)
{
	struct known *v = realloc(dst->v, (dst->n + src->n) * sizeof(*v) + 1);

	if (!v)
		return -ENOMEM;
	memcpy(v + dst->n, src->v, src->n * sizeof(*v));
	dst->v = v;
	dst->n += src->n;
	free(src->v);
	memset(src, 0, sizeof(*src));
	return 0;
}

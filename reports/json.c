/* The JSON report (schema 1; 2 when a merge folded hosts): render the model, and read it back for merge,
 * diff and baselines. */
#include "render.h"

#include "../lib/util.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <string.h>

static void add_str(cJSON *o, const char *key, const char *s)
{
	char *clean = utf8_sanitize(s ? s : "");

	cJSON_AddStringToObject(o, key, clean ? clean : "");
	free(clean);
}

static void add_num(cJSON *o, const char *key, double v, int decimals)
{
	double scale = pow(10, decimals);

	cJSON_AddNumberToObject(o, key, round(v * scale) / scale);
}

static cJSON *host_json(const struct host_facts *h)
{
	cJSON *o = cJSON_CreateObject();

	if (h->name)
		add_str(o, "name", h->name);
	add_str(o, "kernel", h->kernel);
	add_str(o, "arch", h->arch);
	cJSON_AddNumberToObject(o, "uid", h->uid);
	if (h->user)
		add_str(o, "user", h->user);
	cJSON_AddNumberToObject(o, "landlock_abi", h->landlock_abi);
	cJSON_AddBoolToObject(o, "seccomp", h->seccomp);
	cJSON_AddBoolToObject(o, "userns", h->userns);
	add_str(o, "container", h->container ? h->container : "none");
	if (h->like)
		add_str(o, "like", h->like);
	return o;
}

static cJSON *result_json(const struct result *r)
{
	cJSON *o = cJSON_CreateObject();

	add_str(o, "backend", r->backend);
	add_str(o, "mode", r->mode);
	add_str(o, "probe", r->probe);
	add_str(o, "category", r->category);
	add_str(o, "effect", r->effect);
	add_str(o, "expected", expect_name(r->expected));
	add_str(o, "observed", r->observed);
	add_str(o, "control", r->control);
	add_str(o, "verdict", verdict_name(r->verdict));
	add_str(o, "errno", r->errno_name);
	add_str(o, "detail", r->detail);
	add_num(o, "duration_ms", r->duration_ms, 1);
	if (r->host)
		add_str(o, "host", r->host);
	return o;
}

/* A list of {backend, mode, text[, host]}; an empty optional one is left out. */
static void texts_json(cJSON *root, const char *key, const struct explain_text *v, size_t n, bool always)
{
	cJSON *a;

	if (!n && !always)
		return;
	a = cJSON_AddArrayToObject(root, key);
	for (size_t i = 0; i < n; i++) {
		cJSON *o = cJSON_CreateObject();
		add_str(o, "backend", v[i].backend);
		add_str(o, "mode", v[i].mode);
		add_str(o, "text", v[i].text);
		if (v[i].host)
			add_str(o, "host", v[i].host);
		cJSON_AddItemToArray(a, o);
	}
}

static void verdict_json(cJSON *a, const struct column *c, const char *host)
{
	cJSON *o = cJSON_CreateObject();

	add_str(o, "backend", c->backend);
	add_str(o, "mode", c->mode);
	if (host)
		add_str(o, "host", host);
	add_str(o, "verdict", sandbox_word_name(c->verdict.word));
	add_str(o, "reason", c->verdict.reason);
	cJSON_AddItemToArray(a, o);
}

/* One per backend and mode (and host): derived from the rest, so readers
 * recompute them (verdicts.c) rather than read them back. Every host of a
 * merged report has its own, a folded host those of the host it is like. */
static int verdicts_json(cJSON *root, const struct report *r)
{
	struct matrix m;
	cJSON *a = cJSON_AddArrayToObject(root, "verdicts");
	int rc;

	if ((rc = matrix_build(r, &m)) < 0)
		return rc;
	for (size_t i = 0; i < r->nhosts; i++) {
		const char *rows = r->hosts[i].like ? r->hosts[i].like : r->hosts[i].name;
		for (size_t c = 0; c < m.ncols; c++)
			if (m.cols[c].host && rows && !strcmp(m.cols[c].host, rows))
				verdict_json(a, &m.cols[c], r->hosts[i].name);
	}
	/* a single run's, and rows of no listed host */
	for (size_t c = 0; c < m.ncols; c++)
		if (!r->nhosts || report_host(r, m.cols[c].host) == &r->host)
			verdict_json(a, &m.cols[c], m.cols[c].host);
	matrix_free(&m);
	return 0;
}

static int schema_of(const struct report *r)
{
	for (size_t i = 0; i < r->nhosts; i++)
		if (r->hosts[i].like)
			return REPORT_SCHEMA_FOLDED;
	return REPORT_SCHEMA;
}

int report_json(const struct report *r, char **out)
{
	cJSON *root = cJSON_CreateObject(), *a, *s;
	int rc;

	if (!root)
		return -ENOMEM;
	add_str(root, "tool", "cagetest");
	add_str(root, "version", r->version ? r->version : CAGETEST_VERSION);
	cJSON_AddNumberToObject(root, "schema", schema_of(r));
	add_str(root, "started", r->started);
	add_num(root, "duration_s", r->duration_s, 2);
	if (r->interrupted)
		cJSON_AddBoolToObject(root, "interrupted", true);
	cJSON_AddItemToObject(root, "host", host_json(&r->host));
	if (r->nhosts) {
		a = cJSON_AddArrayToObject(root, "hosts");
		for (size_t i = 0; i < r->nhosts; i++)
			cJSON_AddItemToArray(a, host_json(&r->hosts[i]));
	}

	a = cJSON_AddArrayToObject(root, "backends");
	for (size_t i = 0; i < r->nbackends; i++) {
		const struct backend_info *b = &r->backends[i];
		cJSON *o = cJSON_CreateObject();
		add_str(o, "name", b->name);
		cJSON_AddBoolToObject(o, "available", b->available);
		if (b->version)
			add_str(o, "version", b->version);
		if (b->reason)
			add_str(o, "reason", b->reason);
		if (b->notes)
			add_str(o, "notes", b->notes);
		if (b->host)
			add_str(o, "host", b->host);
		cJSON_AddItemToArray(a, o);
	}
	texts_json(root, "explain", r->explains, r->nexplains, true);
	texts_json(root, "said", r->said, r->nsaid, false);
	a = cJSON_AddArrayToObject(root, "results");
	for (size_t i = 0; i < r->nresults; i++)
		cJSON_AddItemToArray(a, result_json(&r->results[i]));
	if ((rc = verdicts_json(root, r)) < 0) {
		cJSON_Delete(root);
		return rc;
	}
	s = cJSON_AddObjectToObject(root, "summary");
	for (int v = 0; v < V__COUNT; v++)
		cJSON_AddNumberToObject(s, verdict_name((enum verdict)v), (double)r->summary[v]);
	if (r->nfixed_known) {
		a = cJSON_AddArrayToObject(root, "fixed_known");
		for (size_t i = 0; i < r->nfixed_known; i++) {
			_cleanup_free_ char *clean = utf8_sanitize(r->fixed_known[i]);
			cJSON_AddItemToArray(a, cJSON_CreateString(clean ? clean : ""));
		}
	}
	*out = cJSON_Print(root);
	cJSON_Delete(root);
	if (!*out)
		return -ENOMEM;
	/* end with a newline like every text file */
	size_t len = strlen(*out);
	char *t = realloc(*out, len + 2);
	if (!t) {
		free(*out);
		return -ENOMEM;
	}
	t[len] = '\n', t[len + 1] = 0;
	*out = t;
	return 0;
}

/* --- reading --- */

struct jerr {
	char *buf;
	size_t n;
};

static int fail(struct jerr *e, const char *where, const char *what)
{
	snprintf(e->buf, e->n, "%s: %s", where, what);
	return -EINVAL;
}

/* where.key, for a message: only made when something is wrong (readers
 * of a fleet's reports pass here a million times). */
static int fail_key(struct jerr *e, const char *where, const char *key, const char *what)
{
	char w[128];

	snprintf(w, sizeof(w), "%s.%s", where, key);
	return fail(e, w, what);
}

/* Copy a string member; required ones must exist and be strings. */
static int get_str(const cJSON *o, const char *key, bool required, char **dst, const char *where, struct jerr *e)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!it)
		return required ? fail_key(e, where, key, "missing") : 0;
	if (!cJSON_IsString(it))
		return fail_key(e, where, key, "expected a string");
	*dst = strdup(it->valuestring);
	return *dst ? 0 : -ENOMEM;
}

static int get_num(const cJSON *o, const char *key, bool required, double *dst, const char *where, struct jerr *e)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!it)
		return required ? fail_key(e, where, key, "missing") : 0;
	if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble))
		return fail_key(e, where, key, "expected a number");
	*dst = it->valuedouble;
	return 0;
}

static int get_bool(const cJSON *o, const char *key, bool *dst, const char *where, struct jerr *e)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!it)
		return 0;
	if (!cJSON_IsBool(it))
		return fail_key(e, where, key, "expected true or false");
	*dst = cJSON_IsTrue(it);
	return 0;
}

static int parse_host(const cJSON *h, struct host_facts *f, const char *w, struct jerr *e)
{
	double uid = 0, abi = 0;
	int r;

	if (!cJSON_IsObject(h))
		return fail(e, w, "expected an object");
	if ((r = get_str(h, "name", false, &f->name, w, e)) || (r = get_str(h, "kernel", true, &f->kernel, w, e)) ||
	    (r = get_str(h, "arch", true, &f->arch, w, e)) || (r = get_str(h, "user", false, &f->user, w, e)) ||
	    (r = get_str(h, "container", false, &f->container, w, e)) || (r = get_str(h, "like", false, &f->like, w, e)) ||
	    (r = get_num(h, "uid", false, &uid, w, e)) ||
	    (r = get_num(h, "landlock_abi", false, &abi, w, e)) || (r = get_bool(h, "seccomp", &f->seccomp, w, e)) ||
	    (r = get_bool(h, "userns", &f->userns, w, e)))
		return r;
	if (uid < 0 || uid > 4294967295.0 || abi < 0 || abi > 1000)
		return fail(e, w, "uid or landlock_abi out of range");
	f->uid = (unsigned)uid;
	f->landlock_abi = (int)abi;
	return 0;
}

/* A folded host is like one host of the report that is not folded itself. */
static int check_likes(const struct report *rep, struct jerr *e)
{
	for (size_t i = 0; i < rep->nhosts; i++) {
		const struct host_facts *to;
		char where[48];
		if (!rep->hosts[i].like)
			continue;
		to = report_host(rep, rep->hosts[i].like);
		snprintf(where, sizeof(where), "hosts[%zu].like", i);
		if (to == &rep->host || to->like || to == &rep->hosts[i])
			return fail(e, where, "names no host of this report that has its own rows");
		if (rep->schema != REPORT_SCHEMA_FOLDED)
			return fail(e, where, "a folded host needs schema 2");
	}
	return 0;
}

static int parse_result(const cJSON *o, size_t i, struct result *res, struct jerr *e)
{
	char where[48];
	_cleanup_free_ char *expected = NULL, *verdict = NULL;
	int r, v, x;

	snprintf(where, sizeof(where), "results[%zu]", i);
	if (!cJSON_IsObject(o))
		return fail(e, where, "expected an object");
	if ((r = get_str(o, "backend", true, &res->backend, where, e)) || (r = get_str(o, "mode", true, &res->mode, where, e)) ||
	    (r = get_str(o, "probe", true, &res->probe, where, e)) ||
	    (r = get_str(o, "category", false, &res->category, where, e)) ||
	    (r = get_str(o, "effect", false, &res->effect, where, e)) ||
	    (r = get_str(o, "expected", true, &expected, where, e)) ||
	    (r = get_str(o, "observed", false, &res->observed, where, e)) ||
	    (r = get_str(o, "control", false, &res->control, where, e)) ||
	    (r = get_str(o, "verdict", true, &verdict, where, e)) ||
	    (r = get_str(o, "errno", false, &res->errno_name, where, e)) ||
	    (r = get_str(o, "detail", false, &res->detail, where, e)) ||
	    (r = get_str(o, "host", false, &res->host, where, e)) ||
	    (r = get_num(o, "duration_ms", false, &res->duration_ms, where, e)))
		return r;
	if ((x = expect_from_name(expected)) < 0)
		return fail(e, where, "expected must be \"allowed\" or \"blocked\"");
	if ((v = verdict_from_name(verdict)) < 0)
		return fail(e, where, "unknown verdict");
	res->expected = (enum expect)x;
	res->verdict = (enum verdict)v;
	return 0;
}

static void free_result(struct result *res)
{
	free(res->backend), free(res->mode), free(res->probe), free(res->category), free(res->effect);
	free(res->observed), free(res->control), free(res->errno_name), free(res->detail), free(res->host);
}

/* A list of {backend, mode, text[, host]} into the report with add. */
static int parse_texts(const cJSON *root, const char *key, struct report *rep,
		       int (*add)(struct report *, const char *, const char *, const char *, const char *), struct jerr *e)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(root, key), *it;
	int r;

	if (a && !cJSON_IsArray(a))
		return fail(e, key, "expected an array");
	cJSON_ArrayForEach(it, a)
	{
		const cJSON *b = cJSON_GetObjectItemCaseSensitive(it, "backend"),
			    *m = cJSON_GetObjectItemCaseSensitive(it, "mode"),
			    *t = cJSON_GetObjectItemCaseSensitive(it, "text"),
			    *h = cJSON_GetObjectItemCaseSensitive(it, "host");
		if (!cJSON_IsString(b) || !cJSON_IsString(m) || !cJSON_IsString(t) || (h && !cJSON_IsString(h)))
			return fail(e, key, "each entry needs string backend, mode and text (and host)");
		if ((r = add(rep, h ? h->valuestring : NULL, b->valuestring, m->valuestring, t->valuestring)))
			return r;
	}
	return 0;
}

static int parse_root(const cJSON *root, struct report *rep, struct jerr *e)
{
	const cJSON *it, *a;
	double schema = 0;
	int r;

	if (!cJSON_IsObject(root))
		return fail(e, "report", "expected a JSON object");
	it = cJSON_GetObjectItemCaseSensitive(root, "tool");
	if (!cJSON_IsString(it) || strcmp(it->valuestring, "cagetest"))
		return fail(e, "tool", "not a cagetest report");
	if ((r = get_num(root, "schema", true, &schema, "report", e)))
		return r;
	if (schema != REPORT_SCHEMA && schema != REPORT_SCHEMA_FOLDED)
		return fail(e, "schema", "unsupported schema version (this cagetest reads schemas 1 and 2)");
	if ((r = get_str(root, "version", false, &rep->version, "report", e)) ||
	    (r = get_str(root, "started", false, &rep->started, "report", e)) ||
	    (r = get_num(root, "duration_s", false, &rep->duration_s, "report", e)) ||
	    (r = get_bool(root, "interrupted", &rep->interrupted, "report", e)))
		return r;
	rep->tool = strdup("cagetest");
	rep->schema = (int)schema;
	if ((it = cJSON_GetObjectItemCaseSensitive(root, "host")) && (r = parse_host(it, &rep->host, "host", e)))
		return r;
	a = cJSON_GetObjectItemCaseSensitive(root, "hosts");
	if (a && !cJSON_IsArray(a))
		return fail(e, "hosts", "expected an array");
	size_t i = 0;
	cJSON_ArrayForEach(it, a)
	{
		char where[48];
		struct host_facts h = {0};
		snprintf(where, sizeof(where), "hosts[%zu]", i++);
		if (!(r = parse_host(it, &h, where, e)) && !h.name)
			r = fail(e, where, "a merged host needs a name");
		if (!r)
			r = report_add_host(rep, &h);
		host_facts_free(&h);
		if (r)
			return r;
	}
	if ((r = check_likes(rep, e)))
		return r;

	a = cJSON_GetObjectItemCaseSensitive(root, "backends");
	if (a && !cJSON_IsArray(a))
		return fail(e, "backends", "expected an array");
	i = 0;
	cJSON_ArrayForEach(it, a)
	{
		char where[48];
		struct backend_info b = {0};
		snprintf(where, sizeof(where), "backends[%zu]", i++);
		if (!cJSON_IsObject(it))
			return fail(e, where, "expected an object");
		if ((r = get_str(it, "name", true, &b.name, where, e)) || (r = get_bool(it, "available", &b.available, where, e)) ||
		    (r = get_str(it, "version", false, &b.version, where, e)) ||
		    (r = get_str(it, "reason", false, &b.reason, where, e)) ||
		    (r = get_str(it, "notes", false, &b.notes, where, e)) || (r = get_str(it, "host", false, &b.host, where, e)) ||
		    (r = report_add_backend(rep, &b))) {
			free(b.name), free(b.version), free(b.reason), free(b.notes), free(b.host);
			return r;
		}
		free(b.name), free(b.version), free(b.reason), free(b.notes), free(b.host);
	}

	if ((r = parse_texts(root, "explain", rep, report_add_explain_at, e)) ||
	    (r = parse_texts(root, "said", rep, report_add_said_at, e)))
		return r;
	/* derived data: recomputed from the rest wherever it is needed */
	a = cJSON_GetObjectItemCaseSensitive(root, "verdicts");
	if (a && !cJSON_IsArray(a))
		return fail(e, "verdicts", "expected an array");

	a = cJSON_GetObjectItemCaseSensitive(root, "results");
	if (!cJSON_IsArray(a))
		return fail(e, "results", "missing or not an array");
	i = 0;
	cJSON_ArrayForEach(it, a)
	{
		struct result res = {0};
		r = parse_result(it, i++, &res, e);
		if (!r && !res.observed && !(res.observed = strdup("unknown")))
			r = -ENOMEM;
		if (!r && !res.control && !(res.control = strdup("unknown")))
			r = -ENOMEM;
		if (r) {
			free_result(&res);
			return r;
		}
		if ((r = report_take(rep, &res)))
			return r;
	}
	a = cJSON_GetObjectItemCaseSensitive(root, "fixed_known");
	if (a && !cJSON_IsArray(a))
		return fail(e, "fixed_known", "expected an array");
	cJSON_ArrayForEach(it, a)
	{
		if (!cJSON_IsString(it))
			return fail(e, "fixed_known", "expected strings");
		if ((r = report_add_fixed(rep, it->valuestring)))
			return r;
	}
	report_summarize(rep);
	return 0;
}

int report_from_json(const char *text, struct report *rep, char *err, size_t n)
{
	struct jerr e = {err, n};
	cJSON *root;
	int r;

	memset(rep, 0, sizeof(*rep));
	root = cJSON_ParseWithOpts(text, NULL, true);
	if (!root) {
		const char *at = cJSON_GetErrorPtr();
		char where[48];
		snprintf(where, sizeof(where), "byte %td", at && at >= text ? at - text : 0);
		return fail(&e, where, "not valid JSON");
	}
	r = parse_root(root, rep, &e);
	cJSON_Delete(root);
	if (r)
		report_free(rep);
	return r;
}

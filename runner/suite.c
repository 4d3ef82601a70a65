#include "suite.h"

#include "../lib/jparse.h"
#include "../lib/path.h"
#include "../lib/util.h"

#include <cjson/cJSON.h>
#include <limits.h>
#include <string.h>

static int parse_mode(const cJSON *o, struct mode *m, struct jperr *e)
{
	static const char *const keys[] = {"description", "writable", "protected", "network", "confined", NULL};
	char where[128], w2[160];
	int r;

	snprintf(where, sizeof(where), "modes.%s", o->string);
	if (!jp_valid_name(o->string))
		return jp_fail(e, where, "mode names are [a-z0-9_-], at most 64 bytes");
	if (!cJSON_IsObject(o))
		return jp_fail(e, where, "expected an object");
	if ((r = jp_only_keys(o, keys, where, e)))
		return r;
	m->name = strdup(o->string);
	m->confined = true;
	if (!m->name)
		return -ENOMEM;
	snprintf(w2, sizeof(w2), "%s.writable", where);
	if ((r = jp_str_array(cJSON_GetObjectItemCaseSensitive(o, "writable"), &m->writable, &m->nwritable, w2, e)))
		return r;
	for (size_t i = 0; i < m->nwritable; i++) {
		const char *w = m->writable[i];
		if (w[0] != '/' && strcmp(w, "{workspace}") && strcmp(w, "{tmp}") && strcmp(w, "{home}"))
			return jp_fail(e, w2, "entries are {workspace}, {tmp}, {home} or absolute paths");
	}
	snprintf(w2, sizeof(w2), "%s.protected", where);
	if ((r = jp_str_array(cJSON_GetObjectItemCaseSensitive(o, "protected"), &m->protected_names, &m->nprotected, w2, e)))
		return r;
	for (size_t i = 0; i < m->nprotected; i++)
		if (strchr(m->protected_names[i], '/') || !strcmp(m->protected_names[i], ".") ||
		    !strcmp(m->protected_names[i], ".."))
			return jp_fail(e, w2, "protected entries are single path components such as .git");
	if ((r = jp_opt_str(o, "description", &m->description, where, e)) || (r = jp_opt_bool(o, "network", &m->network, where, e)) ||
	    (r = jp_opt_bool(o, "confined", &m->confined, where, e)))
		return r;
	return 0;
}

static int parse_override(const cJSON *o, size_t i, struct override *ov, struct jperr *e)
{
	static const char *const keys[] = {"probe", "mode", "backend", "expected", "skip", "reason", NULL};
	_cleanup_free_ char *expected = NULL;
	char where[64];
	int r;

	snprintf(where, sizeof(where), "overrides[%zu]", i);
	ov->expected = -1;
	if (!cJSON_IsObject(o))
		return jp_fail(e, where, "expected an object");
	if ((r = jp_only_keys(o, keys, where, e)) || (r = jp_opt_str(o, "probe", &ov->probe, where, e)) ||
	    (r = jp_opt_str(o, "mode", &ov->mode, where, e)) || (r = jp_opt_str(o, "backend", &ov->backend, where, e)) ||
	    (r = jp_opt_str(o, "expected", &expected, where, e)) || (r = jp_opt_str(o, "skip", &ov->skip, where, e)) ||
	    (r = jp_opt_str(o, "reason", &ov->reason, where, e)))
		return r;
	if (!ov->probe)
		return jp_fail(e, where, "\"probe\" (a glob) is required");
	if (expected && (ov->expected = expect_from_name(expected)) < 0)
		return jp_fail(e, where, "\"expected\" is \"allowed\" or \"blocked\"");
	if (!expected && !ov->skip)
		return jp_fail(e, where, "needs \"expected\" or \"skip\"");
	return 0;
}

int suite_parse(const char *text, const char *label, struct suite *s, char *err, size_t n)
{
	static const char *const keys[] = {"name", "description", "modes", "probes", "overrides", NULL};
	static const char *const pkeys[] = {"include", "exclude", NULL};
	struct jperr e = {label, err, n};
	cJSON *root, *it;
	const cJSON *modes, *probes, *ovs;
	int r = 0;

	memset(s, 0, sizeof(*s));
	root = jp_parse(text, &e);
	if (!root)
		return -EINVAL;
	if (!cJSON_IsObject(root)) {
		r = jp_fail(&e, "suite", "expected a JSON object");
		goto out;
	}
	if ((r = jp_only_keys(root, keys, "suite", &e)) || (r = jp_opt_str(root, "name", &s->name, "suite", &e)) ||
	    (r = jp_opt_str(root, "description", &s->description, "suite", &e)))
		goto out;
	s->path = strdup(label);
	modes = cJSON_GetObjectItemCaseSensitive(root, "modes");
	if (!cJSON_IsObject(modes) || !cJSON_GetArraySize(modes)) {
		r = jp_fail(&e, "modes", "required: an object of at least one mode");
		goto out;
	}
	if (cJSON_GetArraySize(modes) > 64) {
		r = jp_fail(&e, "modes", "at most 64 modes");
		goto out;
	}
	s->modes = calloc((size_t)cJSON_GetArraySize(modes), sizeof(*s->modes));
	if (!s->modes) {
		r = -ENOMEM;
		goto out;
	}
	cJSON_ArrayForEach(it, modes)
	{
		if ((r = parse_mode(it, &s->modes[s->nmodes++], &e)))
			goto out;
	}
	probes = cJSON_GetObjectItemCaseSensitive(root, "probes");
	if (probes) {
		if (!cJSON_IsObject(probes)) {
			r = jp_fail(&e, "probes", "expected an object with include/exclude");
			goto out;
		}
		if ((r = jp_only_keys(probes, pkeys, "probes", &e)) ||
		    (r = jp_str_array(cJSON_GetObjectItemCaseSensitive(probes, "include"), &s->include, &s->ninclude,
				   "probes.include", &e)) ||
		    (r = jp_str_array(cJSON_GetObjectItemCaseSensitive(probes, "exclude"), &s->exclude, &s->nexclude,
				   "probes.exclude", &e)))
			goto out;
	}
	ovs = cJSON_GetObjectItemCaseSensitive(root, "overrides");
	if (ovs) {
		if (!cJSON_IsArray(ovs) || cJSON_GetArraySize(ovs) > 4096) {
			r = jp_fail(&e, "overrides", "expected an array (at most 4096 entries)");
			goto out;
		}
		s->overrides = calloc((size_t)cJSON_GetArraySize(ovs) + 1, sizeof(*s->overrides));
		if (!s->overrides) {
			r = -ENOMEM;
			goto out;
		}
		cJSON_ArrayForEach(it, ovs)
		{
			if ((r = parse_override(it, s->noverrides, &s->overrides[s->noverrides], &e))) {
				s->noverrides++;
				goto out;
			}
			s->noverrides++;
		}
	}
	if (!s->name)
		s->name = strdup("unnamed");
out:
	cJSON_Delete(root);
	if (r)
		suite_free(s);
	return r;
}

int suite_load(const char *name_or_path, struct suite *s, char *err, size_t n)
{
	char path[PATH_MAX], rel[PATH_MAX];
	_cleanup_free_ char *text = NULL;
	int r;

	if (strchr(name_or_path, '/') || strstr(name_or_path, ".json")) {
		if (fmt(path, sizeof(path), "%s", name_or_path) < 0)
			return -ENAMETOOLONG;
		r = jp_read(path, &text, err, n);
	} else if ((r = fmt(rel, sizeof(rel), "suites/%s.json", name_or_path)) == 0 &&
		   (r = jp_read_data(rel, &text, path, sizeof(path), err, n)) == -ENOENT)
		snprintf(err, n, "%s: no such suite (no %s in the data dir or built in; see `cagetest list suites`)",
			 name_or_path, rel);
	if (r < 0)
		return r;
	return suite_parse(text, path, s, err, n);
}

void suite_free(struct suite *s)
{
	for (size_t i = 0; i < s->nmodes; i++) {
		struct mode *m = &s->modes[i];
		free(m->name);
		free(m->description);
		jp_free_strv(m->writable, m->nwritable);
		jp_free_strv(m->protected_names, m->nprotected);
	}
	for (size_t i = 0; i < s->noverrides; i++) {
		struct override *o = &s->overrides[i];
		free(o->probe), free(o->mode), free(o->backend), free(o->skip), free(o->reason);
	}
	free(s->modes);
	free(s->overrides);
	jp_free_strv(s->include, s->ninclude);
	jp_free_strv(s->exclude, s->nexclude);
	free(s->name);
	free(s->path);
	free(s->description);
	memset(s, 0, sizeof(*s));
}

const struct mode *suite_mode(const struct suite *s, const char *name)
{
	for (size_t i = 0; i < s->nmodes; i++)
		if (!strcmp(s->modes[i].name, name))
			return &s->modes[i];
	return NULL;
}

bool suite_selects(const struct suite *s, const struct probe *p)
{
	bool in = s->ninclude == 0;

	for (size_t i = 0; i < s->ninclude && !in; i++)
		in = glob_match(s->include[i], p->id);
	for (size_t i = 0; i < s->nexclude && in; i++)
		in = !glob_match(s->exclude[i], p->id);
	return in;
}

enum expect suite_expect(const struct suite *s, const char *backend, const struct mode *m, const struct probe *p,
			 const char **skip)
{
	enum effect e = p->effect;
	enum expect x;

	if (e == EFFECT_WRITE_PROTECTED && p->name) {
		bool guarded = false;
		for (size_t i = 0; i < m->nprotected; i++)
			guarded = guarded || !strcmp(m->protected_names[i], p->name);
		if (!guarded)
			e = EFFECT_WRITE_WORKSPACE;
	}
	x = mode_allows(m, e) ? EXPECT_ALLOWED : EXPECT_BLOCKED;

	*skip = NULL;
	/* later overrides win, like later lines of a config file */
	for (size_t i = 0; i < s->noverrides; i++) {
		const struct override *o = &s->overrides[i];
		if (!glob_match(o->probe, p->id) || (o->mode && !glob_match(o->mode, m->name)) ||
		    (o->backend && !glob_match(o->backend, backend)))
			continue;
		if (o->expected >= 0)
			x = (enum expect)o->expected;
		if (o->skip)
			*skip = o->skip;
	}
	return x;
}

#include "facts.h"

#include "util.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static bool dup_into(char **dst, const char *src)
{
	*dst = src ? strdup(src) : NULL;
	return !src || *dst;
}

static void fact_free(struct fact *x)
{
	free(x->name), free(x->value), free(x->source), free(x->output);
}

int facts_add(struct facts *f, const struct fact *one)
{
	struct fact *nv = realloc(f->v, (f->n + 1) * sizeof(*nv)), *x;

	if (!nv)
		return -ENOMEM;
	f->v = nv;
	x = &nv[f->n];
	*x = *one;
	bool ok = dup_into(&x->name, one->name);
	ok = dup_into(&x->value, one->value) && ok;
	ok = dup_into(&x->source, one->source) && ok;
	ok = dup_into(&x->output, one->output) && ok;
	if (!ok) {
		fact_free(x);
		return -ENOMEM;
	}
	f->n++;
	return 0;
}

const struct fact *facts_find(const struct facts *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->v[i].name && !strcmp(f->v[i].name, name))
			return &f->v[i];
	return NULL;
}

void facts_free(struct facts *f)
{
	for (size_t i = 0; i < f->n; i++)
		fact_free(&f->v[i]);
	free(f->v);
	f->v = NULL;
	f->n = 0;
}

/* --- records: [{"backend","available","reason","facts":[{"name","value",
 * "source","output","errno","status"}]}]; absent strings stay out --- */

static void put_str(cJSON *o, const char *key, const char *v)
{
	if (v)
		cJSON_AddStringToObject(o, key, v);
}

int records_format(const struct backend_record *v, size_t n, char **out)
{
	cJSON *root = cJSON_CreateArray();

	for (size_t i = 0; root && i < n; i++) {
		cJSON *o = cJSON_CreateObject(), *fs;
		put_str(o, "backend", v[i].name);
		cJSON_AddBoolToObject(o, "available", v[i].available);
		put_str(o, "reason", v[i].reason);
		fs = cJSON_AddArrayToObject(o, "facts");
		for (size_t k = 0; k < v[i].facts.n; k++) {
			const struct fact *x = &v[i].facts.v[k];
			cJSON *f = cJSON_CreateObject();
			put_str(f, "name", x->name);
			put_str(f, "value", x->value);
			put_str(f, "source", x->source);
			put_str(f, "output", x->output);
			cJSON_AddStringToObject(f, "errno", x->err ? errno_name(x->err) : "");
			cJSON_AddNumberToObject(f, "status", x->status);
			cJSON_AddItemToArray(fs, f);
		}
		cJSON_AddItemToArray(root, o);
	}
	*out = root ? cJSON_Print(root) : NULL;
	cJSON_Delete(root);
	return *out ? 0 : -ENOMEM;
}

static const char *str_of(const cJSON *o, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(it) ? it->valuestring : NULL;
}

static int parse_fact(const cJSON *f, struct facts *out)
{
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(f, "status");
	const char *e = str_of(f, "errno");

	if (!cJSON_IsObject(f) || !str_of(f, "name") || !cJSON_IsNumber(st))
		return -EINVAL;
	return facts_add(out, &(struct fact){.name = (char *)str_of(f, "name"), .value = (char *)str_of(f, "value"),
					     .source = (char *)str_of(f, "source"), .output = (char *)str_of(f, "output"),
					     .err = e && *e ? -errno_from_name(e) : 0, .status = st->valueint});
}

int records_parse(const char *text, struct backend_record **v, size_t *n)
{
	cJSON *root = cJSON_Parse(text), *o;
	int r = cJSON_IsArray(root) ? 0 : -EINVAL;

	*v = NULL, *n = 0;
	if (r) {
		cJSON_Delete(root);
		return r;
	}
	cJSON_ArrayForEach(o, root)
	{
		const cJSON *av = cJSON_GetObjectItemCaseSensitive(o, "available"),
			    *fs = cJSON_GetObjectItemCaseSensitive(o, "facts"), *f;
		struct backend_record *nv;
		if (!str_of(o, "backend") || !cJSON_IsBool(av) || !cJSON_IsArray(fs)) {
			r = -EINVAL;
			break;
		}
		if (!(nv = realloc(*v, (*n + 1) * sizeof(*nv)))) {
			r = -ENOMEM;
			break;
		}
		*v = nv;
		nv = &nv[(*n)++];
		*nv = (struct backend_record){.available = cJSON_IsTrue(av)};
		if (!dup_into(&nv->name, str_of(o, "backend")) || !dup_into(&nv->reason, str_of(o, "reason")))
			r = -ENOMEM;
		cJSON_ArrayForEach(f, fs)
		if (r == 0)
			r = parse_fact(f, &nv->facts);
		if (r)
			break;
	}
	cJSON_Delete(root);
	if (r) {
		records_free(*v, *n);
		*v = NULL, *n = 0;
	}
	return r;
}

void records_free(struct backend_record *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name), free(v[i].reason);
		facts_free(&v[i].facts);
	}
	free(v);
}

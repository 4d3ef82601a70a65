#include "jparse.h"

#include "datadir.h"
#include "util.h"

#include <string.h>

int jp_fail(struct jperr *e, const char *where, const char *what)
{
	snprintf(e->buf, e->n, "%s: %s: %s", e->label, where, what);
	return -EINVAL;
}

int jp_read(const char *path, char **text, char *err, size_t n)
{
	size_t len;
	int r = read_file(path, JP_MAX_BYTES + 1, text, &len);

	if (r < 0) {
		snprintf(err, n, "%s: %s", path, strerror(-r));
		return r;
	}
	if (len > JP_MAX_BYTES || strlen(*text) != len) {
		snprintf(err, n, "%s: %s", path, len > JP_MAX_BYTES ? "larger than 1 MiB" : "contains NUL bytes");
		free(*text);
		*text = NULL;
		return -EINVAL;
	}
	return 0;
}

int jp_read_data(const char *rel, char **text, char *path, size_t pn, char *err, size_t n)
{
	const struct builtin_file *b;
	int r = data_find(rel, path, pn, &b);

	if (r < 0) {
		snprintf(err, n, "%s: %s", rel, strerror(-r));
		return r;
	}
	if (!b)
		return jp_read(path, text, err, n);
	if (!(*text = strndup((const char *)b->data, b->len)))
		return -ENOMEM;
	return 0;
}

cJSON *jp_parse(const char *text, struct jperr *e)
{
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithOpts(text, &end, true);
	char where[32];
	unsigned line = 1;

	if (root)
		return root;
	for (const char *p = text; end && p < end && *p; p++)
		line += *p == '\n';
	snprintf(where, sizeof(where), "line %u", line);
	jp_fail(e, where, "not valid JSON");
	return NULL;
}

int jp_only_keys(const cJSON *o, const char *const *known, const char *where, struct jperr *e)
{
	const cJSON *it, *prev;

	cJSON_ArrayForEach(it, o)
	{
		bool ok = false;
		char w[160];
		for (const char *const *k = known; *k; k++)
			ok = ok || !strcmp(*k, it->string);
		snprintf(w, sizeof(w), "%s.%s", where, it->string);
		if (!ok)
			return jp_fail(e, w, "unknown key");
		for (prev = o->child; prev != it; prev = prev->next)
			if (!strcmp(prev->string, it->string))
				return jp_fail(e, w, "given twice");
	}
	return 0;
}

int jp_str_array(const cJSON *a, char ***out, size_t *count, const char *where, struct jperr *e)
{
	const cJSON *it;
	size_t n = 0;

	*out = NULL;
	*count = 0;
	if (!a)
		return 0;
	if (!cJSON_IsArray(a))
		return jp_fail(e, where, "expected an array of strings");
	if (cJSON_GetArraySize(a) > 4096)
		return jp_fail(e, where, "too many entries");
	*out = calloc((size_t)cJSON_GetArraySize(a) + 1, sizeof(char *));
	if (!*out)
		return -ENOMEM;
	cJSON_ArrayForEach(it, a)
	{
		if (!cJSON_IsString(it) || !*it->valuestring || strlen(it->valuestring) > 1024)
			return jp_fail(e, where, "expected non-empty strings (at most 1024 bytes)");
		(*out)[n] = strdup(it->valuestring);
		if (!(*out)[n])
			return -ENOMEM;
		*count = ++n;
	}
	return 0;
}

int jp_opt_str(const cJSON *o, const char *key, char **dst, const char *where, struct jperr *e)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);
	char w[160];

	if (!it)
		return 0;
	snprintf(w, sizeof(w), "%s.%s", where, key);
	if (!cJSON_IsString(it))
		return jp_fail(e, w, "expected a string");
	*dst = strdup(it->valuestring);
	return *dst ? 0 : -ENOMEM;
}

int jp_opt_bool(const cJSON *o, const char *key, bool *dst, const char *where, struct jperr *e)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);
	char w[160];

	if (!it)
		return 0;
	snprintf(w, sizeof(w), "%s.%s", where, key);
	if (!cJSON_IsBool(it))
		return jp_fail(e, w, "expected true or false");
	*dst = cJSON_IsTrue(it);
	return 0;
}

void jp_free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

bool jp_valid_name(const char *s)
{
	if (!*s || strlen(s) > 64)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return false;
	return true;
}

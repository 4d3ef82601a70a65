#include "facts.h"

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

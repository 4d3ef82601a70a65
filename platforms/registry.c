/* The backend registry: built-in backends in a const array, then adapters
 * registered at run time from their JSON files. */
#include "backend.h"

#include <stdarg.h>
#include <fnmatch.h>
#include <string.h>
#include <unistd.h>

static const struct backend *const builtin[] = {
	&backend_none,
#ifndef CAGETEST_PORTABLE /* make check-seatbelt (macOS): only the portable backends */
	&backend_landlock,
	&backend_bwrap,
#endif
	&backend_seatbelt,
};

static struct backend **dynamic;
static size_t ndynamic;

size_t backend_count(void)
{
	return ARRAY_SIZE(builtin) + ndynamic;
}

const struct backend *backend_at(size_t i)
{
	if (i < ARRAY_SIZE(builtin))
		return builtin[i];
	i -= ARRAY_SIZE(builtin);
	return i < ndynamic ? dynamic[i] : NULL;
}

const struct backend *backend_find(const char *name)
{
	for (size_t i = 0; i < backend_count(); i++) {
		const struct backend *b = backend_at(i);
		if (b && !strcmp(b->name, name))
			return b;
	}
	return NULL;
}

int backend_register(struct backend *b)
{
	struct backend **nd;

	if (backend_find(b->name))
		return -EEXIST;
	nd = realloc(dynamic, (ndynamic + 1) * sizeof(*nd));
	if (!nd)
		return -ENOMEM;
	dynamic = nd;
	dynamic[ndynamic++] = b;
	return 0;
}

void backend_unregister_all(void)
{
	free(dynamic);
	dynamic = NULL;
	ndynamic = 0;
}

const char *box_root(const struct box *x, const char *w)
{
	if (!strcmp(w, "{workspace}"))
		return x->ws;
	if (!strcmp(w, "{tmp}"))
		return x->tmp;
	if (!strcmp(w, "{home}"))
		return x->home;
	return w;
}

struct box box_placeholders(const struct mode *m)
{
	return (struct box){
		.mode = m,
		.case_root = "{scratch}",
		.ws = "{workspace}",
		.tmp = "{tmp}",
		.home = "{home}",
		.run = "{run}",
		.self = "{agent}",
		.listener = "{listener}",
	};
}

static int push(char ***v, size_t *n, const char *s)
{
	char **nv = realloc(*v, (*n + 2) * sizeof(char *));

	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[*n] = strdup(s);
	if (!nv[*n])
		return -ENOMEM;
	nv[++*n] = NULL;
	return 0;
}

int launch_arg(struct launch *l, const char *arg)
{
	return push(&l->argv, &l->argc, arg);
}

int launch_argf(struct launch *l, const char *f, ...)
{
	char *s;
	va_list ap;
	int r;

	va_start(ap, f);
	r = vasprintf(&s, f, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	r = launch_arg(l, s);
	free(s);
	return r;
}

int launch_env(struct launch *l, const char *kv)
{
	return push(&l->env, &l->envc, kv);
}

void launch_free(struct launch *l)
{
	for (size_t i = 0; i < l->argc; i++)
		free(l->argv[i]);
	for (size_t i = 0; i < l->envc; i++)
		free(l->env[i]);
	for (size_t i = 0; i < l->nfds; i++)
		close(l->fds[i]);
	free(l->argv);
	free(l->env);
	memset(l, 0, sizeof(*l));
}

bool env_name_is_secret(const char *kv)
{
	static const char *const globs[] = {SECRET_ENV_GLOBS};
	char name[256];

	snprintf(name, sizeof(name), "%.*s", (int)strcspn(kv, "="), kv);
	for (size_t i = 0; i < ARRAY_SIZE(globs); i++)
		if (fnmatch(globs[i], name, FNM_CASEFOLD) == 0)
			return true;
	return false;
}

int close_inherited(const struct box *x)
{
	unsigned lo = 3;

	/* whatever a careless parent left open (its fd 9, pipes) is not the box's */
	for (;;) {
		unsigned hi = ~0U;
		for (size_t i = 0; x->launch && i < x->launch->nfds; i++)
			if ((unsigned)x->launch->fds[i] >= lo && (unsigned)x->launch->fds[i] < hi)
				hi = (unsigned)x->launch->fds[i];
		if (hi > lo && close_range(lo, hi - 1, 0) < 0)
			return neg_errno();
		if (hi == ~0U)
			return 0;
		lo = hi + 1;
	}
}

/* The watch table: one slot per watched domain, each holding the text of the last target set
 * seen (empty until the first answer), behind one mutex; Unbound's threads call in at once. */
#include "module_watch.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "mxguard/str.h"

struct slot {
	char domain[MXG_DNS_NAME_MAX];
	char last[MODULE_WATCH_SET_MAX]; /* "" until seen */
};

struct module_watch {
	pthread_mutex_t lock;
	unsigned n;
	struct slot *slots;
};

struct module_watch *module_watch_new(const char (*domains)[MXG_DNS_NAME_MAX], unsigned n)
{
	struct module_watch *w;

	if (n == 0 || (w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	w->slots = calloc(n, sizeof(*w->slots));
	if (w->slots == NULL || pthread_mutex_init(&w->lock, NULL) != 0) {
		free(w->slots);
		free(w);
		return NULL;
	}
	w->n = n;
	for (unsigned i = 0; i < n; i++)
		mxg_strlcpy(w->slots[i].domain, domains[i], sizeof(w->slots[i].domain));
	return w;
}

void module_watch_free(struct module_watch *w)
{
	if (w == NULL)
		return;
	pthread_mutex_destroy(&w->lock);
	free(w->slots);
	free(w);
}

static int name_cmp(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

int module_watch_set_text(const struct mxg_mx_input *in, char *out, size_t outlen)
{
	char lower[MXG_MX_MAX_TARGETS][MXG_DNS_NAME_MAX];
	const char *names[MXG_MX_MAX_TARGETS];
	unsigned n = in->count < MXG_MX_MAX_TARGETS ? in->count : MXG_MX_MAX_TARGETS;

	if (outlen == 0)
		return -1;
	out[0] = '\0';
	/* Names compare without case (0x20 randomisation, RFC 4343): lower case, then sorted. */
	for (unsigned i = 0; i < n; i++) {
		mxg_strlcpy(lower[i], in->targets[i].name[0] ? in->targets[i].name : ".",
			    sizeof(lower[i]));
		mxg_str_lower(lower[i]);
		names[i] = lower[i];
	}
	qsort(names, n, sizeof(names[0]), name_cmp);
	for (unsigned i = 0; i < n; i++)
		if (i == 0 || strcmp(names[i], names[i - 1]) != 0)
			if (mxg_strcatf(out, outlen, "%s%s", out[0] ? " " : "", names[i]) < 0)
				return -1;
	if (n == 0)
		mxg_strlcpy(out, "(no MX)", outlen);
	return strlen(out) + 1 < outlen ? 0 : -1;
}

static struct slot *find(struct module_watch *w, const char *domain)
{
	for (unsigned i = 0; i < w->n; i++)
		if (mxg_dns_name_equal(w->slots[i].domain, domain))
			return &w->slots[i];
	return NULL;
}

void module_watch_carry(struct module_watch *to, const struct module_watch *from)
{
	for (unsigned i = 0; to != NULL && from != NULL && i < to->n; i++)
		for (unsigned j = 0; j < from->n; j++)
			if (strcmp(to->slots[i].domain, from->slots[j].domain) == 0)
				mxg_strlcpy(to->slots[i].last, from->slots[j].last,
					    sizeof(to->slots[i].last));
}

int module_watch_see(struct module_watch *w, const struct mxg_mx_input *in, char *was,
		     size_t waslen, char *now, size_t nowlen)
{
	char set[MODULE_WATCH_SET_MAX];
	int changed = 0;

	if (w == NULL || in->count != in->total || module_watch_set_text(in, set, sizeof(set)) < 0)
		return 0;
	struct slot *s = find(w, in->domain);
	if (s == NULL)
		return 0;
	pthread_mutex_lock(&w->lock);
	if (s->last[0] != '\0' && strcmp(s->last, set) != 0) {
		changed = 1;
		mxg_strlcpy(was, s->last, waslen);
		mxg_strlcpy(now, set, nowlen);
	}
	mxg_strlcpy(s->last, set, sizeof(s->last));
	pthread_mutex_unlock(&w->lock);
	return changed;
}

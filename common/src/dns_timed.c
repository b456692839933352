/* A resolver that times every lookup of the one it wraps and reports it (see dns.h). */
#include <stdlib.h>

#include "mxguard/clock.h"
#include "mxguard/dns.h"
#include "mxguard/textfile.h"

struct timed {
	struct mxg_resolver *inner;
	void (*observe)(void *arg, int rcode, uint64_t usec);
	void *arg;
};

static int timed_lookup(void *ctx, const char *name, uint16_t type, struct mxg_dns_answer **out,
			char *err, size_t errlen)
{
	struct timed *t = ctx;
	uint64_t t0 = mxg_clock_us();
	int rc = mxg_dns_lookup(t->inner, name, type, out, err, errlen);

	t->observe(t->arg, rc < 0 ? -1 : (int)(*out)->rcode, mxg_clock_us() - t0);
	return rc;
}

static void timed_free(void *ctx)
{
	struct timed *t = ctx;

	mxg_resolver_free(t->inner);
	free(t);
}

static const struct mxg_resolver_ops timed_ops = { timed_lookup, timed_free };

struct mxg_resolver *mxg_resolver_timed(struct mxg_resolver *inner,
					void (*observe)(void *arg, int rcode, uint64_t usec),
					void *arg)
{
	struct mxg_resolver *r;
	struct timed *t;

	if (inner == NULL)
		return NULL;
	t = malloc(sizeof(*t));
	if (t == NULL) {
		mxg_resolver_free(inner);
		return NULL;
	}
	t->inner = inner;
	t->observe = observe;
	t->arg = arg;
	r = mxg_resolver_new(&timed_ops, t);
	if (r == NULL)
		timed_free(t);
	return r;
}

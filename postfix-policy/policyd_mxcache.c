/* What the rules need to know of a domain's MX hosts, gathered and analysed by the core and
 * kept by TTL in the one hash table (mxguard/htable.h) of capacity slots, shared by the event
 * loop and the worker threads under one mutex; when a domain's window of slots is full, an
 * expired entry gives way, else the least recently used. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mxguard/hash.h"
#include "mxguard/htable.h"
#include "mxguard/clock.h"
#include "mxguard/mx.h"
#include "mxguard/str.h"
#include "policyd.h"

#define TEMPFAIL_TTL 5
#define CACHE_WINDOW 8

struct entry {
	struct mxg_htable_age age; /* first: used is the LRU clock */
	char domain[MXG_DNS_NAME_MAX];
	struct policyd_mxinfo info;
};

struct policyd_mxcache {
	pthread_mutex_t lock;
	struct mxg_resolver *res;
	unsigned min_ttl, max_ttl, neg_ttl;
	unsigned long clock;
	struct mxg_htable table; /* entries: struct entry */
};

static int entry_eq(const void *entry, const void *key)
{
	return strcmp(((const struct entry *)entry)->domain, key) == 0;
}

struct policyd_mxcache *policyd_mxcache_new(struct mxg_resolver *r, size_t capacity,
					    unsigned min_ttl, unsigned max_ttl, unsigned neg_ttl)
{
	struct policyd_mxcache *c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	if (mxg_htable_init(&c->table, capacity ? capacity : 1, sizeof(struct entry), CACHE_WINDOW,
			    0, entry_eq) < 0) {
		free(c);
		return NULL;
	}
	c->res = r;
	c->min_ttl = min_ttl;
	c->max_ttl = max_ttl;
	c->neg_ttl = neg_ttl;
	pthread_mutex_init(&c->lock, NULL);
	return c;
}

void policyd_mxcache_free(struct policyd_mxcache *c)
{
	if (c == NULL)
		return;
	pthread_mutex_destroy(&c->lock);
	mxg_htable_fini(&c->table);
	free(c);
}

static struct entry *find(struct policyd_mxcache *c, const char *domain)
{
	return mxg_htable_find(&c->table, mxg_hash_str(domain), domain);
}

/* Under the lock. */
static void store(struct policyd_mxcache *c, const char *domain, const struct policyd_mxinfo *m,
		  unsigned ttl)
{
	time_t now = mxg_clock_s();
	struct entry *e = find(c, domain);
	int evicted;

	if (e == NULL) {
		e = mxg_htable_add(&c->table, mxg_hash_str(domain), mxg_htable_older_age, &now, &evicted);
		mxg_strlcpy(e->domain, domain, sizeof(e->domain));
	}
	e->info = *m;
	e->age.expires = now + (time_t)ttl;
	e->age.used = ++c->clock;
}

static void add_addr(struct policyd_mxinfo *m, int family, const uint8_t *b)
{
	if (m->n_addrs >= POLICYD_MX_ADDRS)
		return;
	struct mxg_addr *a = &m->addrs[m->n_addrs++];
	memset(a, 0, sizeof(*a));
	a->family = family;
	memcpy(a->bytes, b, family == 4 ? 4 : 16);
}

static int tempfailed(const struct mxg_mx_target *t)
{
	return t->a_state == MXG_MX_TEMPFAIL || t->aaaa_state == MXG_MX_TEMPFAIL;
}

static void take_addrs(struct policyd_mxinfo *m, const struct mxg_mx_target *t)
{
	for (unsigned j = 0; j < t->n_v4 && j < MXG_MX_MAX_ADDRS; j++)
		add_addr(m, 4, t->v4[j]);
	for (unsigned j = 0; j < t->n_v6 && j < MXG_MX_MAX_ADDRS; j++)
		add_addr(m, 6, t->v6[j]);
	if (tempfailed(t))
		m->flags |= POLICYD_MXF_PARTIAL;
}

static void condense_implicit(const struct mxg_mx_input *in, struct policyd_mxinfo *m)
{
	take_addrs(m, &in->implicit);
	if (m->n_addrs > 0)
		m->state = POLICYD_MX_OK;
	else if (tempfailed(&in->implicit))
		m->state = POLICYD_MX_TEMPFAIL;
	else
		m->state = POLICYD_MX_NOMAIL;
}

/* Reduces the core's MX input and findings to what the rules use. */
static void condense(const struct mxg_mx_input *in, const struct mxg_findings *f,
		     struct policyd_mxinfo *m)
{
	memset(m, 0, sizeof(*m));
	m->ttl = in->ttl;
	if (in->rcode == MXG_DNS_NXDOMAIN) {
		m->state = POLICYD_MX_NXDOMAIN;
		return;
	}
	if (in->rcode != MXG_DNS_NOERROR) {
		m->state = POLICYD_MX_TEMPFAIL;
		return;
	}
	if (in->count == 0) {
		condense_implicit(in, m);
		return;
	}
	if (in->count == 1 && in->targets[0].name[0] == '\0') {
		m->state = POLICYD_MX_NULL;
		return;
	}
	m->state = POLICYD_MX_OK;
	for (unsigned i = 0; i < in->count; i++)
		take_addrs(m, &in->targets[i]);
	if (mxg_findings_has(f, MXG_F_MX_TARGET_CNAME))
		m->flags |= POLICYD_MXF_CNAME;
	if (mxg_findings_has(f, MXG_F_MX_TARGET_IP_LITERAL))
		m->flags |= POLICYD_MXF_IPLITERAL;
	if (mxg_findings_has(f, MXG_F_MX_ALL_TARGETS_UNUSABLE) && !(m->flags & POLICYD_MXF_PARTIAL))
		m->flags |= POLICYD_MXF_UNUSABLE;
}

static unsigned ttl_for(const struct policyd_mxcache *c, const struct policyd_mxinfo *m)
{
	unsigned ttl = m->ttl;

	if (m->state == POLICYD_MX_TEMPFAIL || (m->flags & POLICYD_MXF_PARTIAL))
		return TEMPFAIL_TTL < c->neg_ttl ? TEMPFAIL_TTL : c->neg_ttl;
	if (m->state == POLICYD_MX_NXDOMAIN || m->state == POLICYD_MX_NOMAIL)
		ttl = c->neg_ttl;
	if (ttl < c->min_ttl)
		ttl = c->min_ttl;
	if (ttl > c->max_ttl)
		ttl = c->max_ttl;
	return ttl;
}

static int gather(struct policyd_mxcache *c, const char *domain, struct policyd_mxinfo *out)
{
	struct mxg_findings f = { 0, 0, NULL };
	char err[256];
	struct mxg_mx_input *in = malloc(sizeof(*in));

	if (in == NULL)
		return -1;
	if (mxg_mx_gather(c->res, domain, 0, in, err, sizeof(err)) < 0 ||
	    mxg_mx_analyze(in, &f) < 0) {
		free(in);
		mxg_findings_clear(&f);
		return -1;
	}
	condense(in, &f, out);
	free(in);
	mxg_findings_clear(&f);
	return 0;
}

int policyd_mxcache_get(void *ctx, const char *domain, int nonblocking, struct policyd_mxinfo *out)
{
	struct policyd_mxcache *c = ctx;

	pthread_mutex_lock(&c->lock);
	struct entry *e = find(c, domain);
	if (e != NULL && e->age.expires > mxg_clock_s()) {
		*out = e->info;
		e->age.used = ++c->clock;
		pthread_mutex_unlock(&c->lock);
		return 0;
	}
	pthread_mutex_unlock(&c->lock);
	if (nonblocking)
		return 1;
	if (gather(c, domain, out) < 0)
		return -1;
	pthread_mutex_lock(&c->lock);
	store(c, domain, out, ttl_for(c, out));
	pthread_mutex_unlock(&c->lock);
	return 0;
}

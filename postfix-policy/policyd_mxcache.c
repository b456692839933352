/* What the rules need to know of a domain's MX hosts, gathered and analysed by the core and
 * kept by TTL in a bounded LRU table shared by the event loop and the worker threads. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mxguard/hash.h"
#include "mxguard/clock.h"
#include "mxguard/mx.h"
#include "mxguard/str.h"
#include "policyd.h"

#define NIL ((size_t)-1)
#define TEMPFAIL_TTL 5

struct entry {
	char domain[MXG_DNS_NAME_MAX];
	struct policyd_mxinfo info;
	time_t expires;
	size_t hnext;            /* hash chain */
	size_t prev, next;       /* LRU list, most recent first */
	int used;
};

struct policyd_mxcache {
	pthread_mutex_t lock;
	struct mxg_resolver *res;
	unsigned min_ttl, max_ttl, neg_ttl;
	size_t cap, n_buckets, used;
	size_t *buckets;
	struct entry *e;
	size_t head, tail;
};

static size_t hash(const char *s)
{
	return (size_t)mxg_hash_str(s);
}

struct policyd_mxcache *policyd_mxcache_new(struct mxg_resolver *r, size_t capacity,
					    unsigned min_ttl, unsigned max_ttl, unsigned neg_ttl)
{
	struct policyd_mxcache *c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->cap = capacity ? capacity : 1;
	c->n_buckets = c->cap * 2;
	c->buckets = malloc(c->n_buckets * sizeof(*c->buckets));
	c->e = calloc(c->cap, sizeof(*c->e));
	if (c->buckets == NULL || c->e == NULL) {
		free(c->buckets);
		free(c->e);
		free(c);
		return NULL;
	}
	for (size_t i = 0; i < c->n_buckets; i++)
		c->buckets[i] = NIL;
	c->head = c->tail = NIL;
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
	free(c->buckets);
	free(c->e);
	free(c);
}

static void lru_unlink(struct policyd_mxcache *c, size_t i)
{
	struct entry *e = &c->e[i];
	if (e->prev != NIL)
		c->e[e->prev].next = e->next;
	else
		c->head = e->next;
	if (e->next != NIL)
		c->e[e->next].prev = e->prev;
	else
		c->tail = e->prev;
}

static void lru_front(struct policyd_mxcache *c, size_t i)
{
	struct entry *e = &c->e[i];
	e->prev = NIL;
	e->next = c->head;
	if (c->head != NIL)
		c->e[c->head].prev = i;
	c->head = i;
	if (c->tail == NIL)
		c->tail = i;
}

static size_t find(struct policyd_mxcache *c, const char *domain)
{
	for (size_t i = c->buckets[hash(domain) % c->n_buckets]; i != NIL; i = c->e[i].hnext)
		if (strcmp(c->e[i].domain, domain) == 0)
			return i;
	return NIL;
}

static void unhash(struct policyd_mxcache *c, size_t i)
{
	size_t *p = &c->buckets[hash(c->e[i].domain) % c->n_buckets];
	while (*p != i)
		p = &c->e[*p].hnext;
	*p = c->e[i].hnext;
}

static void store(struct policyd_mxcache *c, const char *domain, const struct policyd_mxinfo *m,
		  unsigned ttl)
{
	size_t i = find(c, domain);

	if (i != NIL) {
		lru_unlink(c, i);
	} else {
		if (c->used < c->cap) {
			i = c->used++;
		} else {
			i = c->tail;
			lru_unlink(c, i);
			unhash(c, i);
		}
		mxg_strlcpy(c->e[i].domain, domain, sizeof(c->e[i].domain));
		size_t b = hash(domain) % c->n_buckets;
		c->e[i].hnext = c->buckets[b];
		c->buckets[b] = i;
	}
	c->e[i].info = *m;
	c->e[i].expires = mxg_clock_s() + (time_t)ttl;
	c->e[i].used = 1;
	lru_front(c, i);
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
	size_t i = find(c, domain);
	if (i != NIL && c->e[i].expires > mxg_clock_s()) {
		*out = c->e[i].info;
		lru_unlink(c, i);
		lru_front(c, i);
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

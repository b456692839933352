/* The libunbound backend: a validating, caching resolver shared by every thread of a
 * process. Each lookup waits for its own result with a hard deadline, so none hangs. */
#include "mxguard/clock.h"
#include "mxguard/dns.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <unbound.h>

#include "mxguard/str.h"

#define DEFAULT_TIMEOUT_MS 5000
#define MAX_TIMEOUT_MS 600000
#define MAX_FORWARDERS 16

/* One outstanding query. The callback runs inside ub_process, always under ubr.lock. */
struct ubq {
	struct ubr *owner;
	int done;
	int abandoned;     /* the waiter gave up; the callback frees the query */
	struct ubq *next;  /* in owner->abandoned */
	int err;
	struct ub_result *result;
};

struct ubr {
	struct ub_ctx *ctx;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int polling; /* one waiter at a time polls the result pipe for everybody */
	int broken;  /* ub_process failed (the background worker is gone): its error */
	unsigned timeout_ms;
	struct ubq *abandoned; /* given up on, callback still possible; freed at the end */
};

static void forget(struct ubr *u, struct ubq *q)
{
	for (struct ubq **p = &u->abandoned; *p != NULL; p = &(*p)->next) {
		if (*p == q) {
			*p = q->next;
			return;
		}
	}
}

static void on_result(void *arg, int err, struct ub_result *res)
{
	struct ubq *q = arg;

	if (q->abandoned) {
		forget(q->owner, q);
		ub_resolve_free(res);
		free(q);
		return;
	}
	q->err = err;
	q->result = res;
	q->done = 1;
}

/* Waits (lock held) until q is done or the deadline passed. A waiter that finds
 * nobody polling becomes the poller and delivers results to all waiters. */
static void wait_for(struct ubr *u, struct ubq *q, const struct timespec *deadline)
{
	while (!q->done && !u->broken) {
		long long left = mxg_clock_ms_until(deadline);
		if (left <= 0)
			return;
		if (u->polling) {
			pthread_cond_timedwait(&u->cond, &u->lock, deadline);
			continue;
		}
		u->polling = 1;
		pthread_mutex_unlock(&u->lock);
		struct pollfd p = { .fd = ub_fd(u->ctx), .events = POLLIN };
		int n = poll(&p, 1, left > MAX_TIMEOUT_MS ? MAX_TIMEOUT_MS : (int)left);
		pthread_mutex_lock(&u->lock);
		if (n > 0) {
			int rc = ub_process(u->ctx);
			if (rc != 0)
				u->broken = rc;
		}
		u->polling = 0;
		pthread_cond_broadcast(&u->cond);
	}
}

static void fill_from_result(struct mxg_dns_answer *a, const struct ub_result *res)
{
	switch (res->rcode) {
	case 0:
		a->rcode = MXG_DNS_NOERROR;
		break;
	case 3:
		a->rcode = MXG_DNS_NXDOMAIN;
		break;
	default:
		a->rcode = MXG_DNS_SERVFAIL;
		snprintf(a->why, sizeof(a->why), "rcode %d", res->rcode);
		break;
	}
	if (res->secure)
		a->security = MXG_DNSSEC_SECURE;
	if (res->bogus) {
		/* libunbound hands out bogus data; a validating resolver must not (RFC 4035 §5.5). */
		a->security = MXG_DNSSEC_BOGUS;
		a->rcode = MXG_DNS_SERVFAIL;
		mxg_strlcpy(a->why, res->why_bogus ? res->why_bogus : "DNSSEC bogus", sizeof(a->why));
		return;
	}
	if (res->answer_packet != NULL && res->answer_len > 0 &&
	    mxg_dns_answer_from_packet(a, res->answer_packet, (size_t)res->answer_len) < 0) {
		a->rcode = MXG_DNS_SERVFAIL;
		if (a->why[0] == '\0')
			mxg_strlcpy(a->why, "cannot decode the answer", sizeof(a->why));
	}
	if (a->count == 0 && res->ttl > 0)
		a->ttl = (uint32_t)res->ttl; /* the negative TTL */
}

/* The waiter gives up on q (lock held): an answer saying why, the query cancelled. */
static void give_up(struct ubr *u, struct ubq *q, int id, struct mxg_dns_answer *a)
{
	/* A cancelled query gets no callback; one libunbound no longer knows may still. */
	if (ub_cancel(u->ctx, id) == UB_NOERROR) {
		free(q);
	} else {
		q->abandoned = 1;
		q->next = u->abandoned;
		u->abandoned = q;
	}
	if (u->broken) {
		a->rcode = MXG_DNS_SERVFAIL;
		snprintf(a->why, sizeof(a->why), "libunbound: %s", ub_strerror(u->broken));
	} else {
		a->rcode = MXG_DNS_TIMEOUT;
		snprintf(a->why, sizeof(a->why), "no answer within %u ms", u->timeout_ms);
	}
}

/* Asks and waits (lock held). Returns 0 with a filled in or, when the query finished,
 * *finished set for the caller to decode; or a libunbound error code. q is consumed. */
static int ask(struct ubr *u, const char *name, uint16_t type, struct ubq *q,
	       struct mxg_dns_answer *a, struct ubq **finished)
{
	struct timespec deadline;
	int id;

	if (u->broken) {
		a->rcode = MXG_DNS_SERVFAIL;
		snprintf(a->why, sizeof(a->why), "libunbound: %s", ub_strerror(u->broken));
		free(q);
		return 0;
	}
	mxg_clock_deadline(&deadline, u->timeout_ms);
	int rc = ub_resolve_async(u->ctx, name[0] != '\0' ? name : ".", type, 1, q, on_result, &id);
	if (rc != 0) {
		free(q);
		return rc;
	}
	wait_for(u, q, &deadline);
	if (q->done)
		*finished = q;
	else
		give_up(u, q, id, a);
	return 0;
}

/* Fills a from a finished query and frees the query. */
static void finish(struct mxg_dns_answer *a, struct ubq *q)
{
	if (q->err != 0) {
		a->rcode = MXG_DNS_SERVFAIL;
		snprintf(a->why, sizeof(a->why), "libunbound: %s", ub_strerror(q->err));
	} else {
		fill_from_result(a, q->result);
	}
	ub_resolve_free(q->result);
	free(q);
}

static int ubr_lookup(void *ctx, const char *name, uint16_t type,
		      struct mxg_dns_answer **out, char *err, size_t errlen)
{
	struct ubr *u = ctx;
	struct mxg_dns_answer *a = mxg_dns_answer_new(name, type);
	struct ubq *q = calloc(1, sizeof(*q));

	if (a == NULL || q == NULL) {
		mxg_dns_answer_free(a);
		free(q);
		return mxg_fail(err, errlen, "out of memory");
	}
	q->owner = u;
	struct ubq *done = NULL;
	pthread_mutex_lock(&u->lock);
	int rc = ask(u, name, type, q, a, &done);
	pthread_mutex_unlock(&u->lock);
	if (rc != 0) {
		snprintf(err, errlen, "libunbound: %s", ub_strerror(rc));
		mxg_dns_answer_free(a);
		return -1;
	}
	if (done != NULL)
		finish(a, done); /* decoded outside the lock */
	*out = a;
	return 0;
}

static void ubr_free(void *ctx)
{
	struct ubr *u = ctx;

	if (u->ctx != NULL)
		ub_ctx_delete(u->ctx);
	while (u->abandoned != NULL) {
		struct ubq *q = u->abandoned;
		u->abandoned = q->next;
		free(q);
	}
	pthread_cond_destroy(&u->cond);
	pthread_mutex_destroy(&u->lock);
	free(u);
}

static const struct mxg_resolver_ops unbound_ops = { ubr_lookup, ubr_free };

static int ub_check(int rc, const char *what, char *err, size_t errlen)
{
	if (rc == 0)
		return 0;
	return mxg_fail(err, errlen, "%s: %s", what, ub_strerror(rc));
}

/* Forwarding: the upstream resolver applies its own RFC 6761 and RFC 6303 policy to
 * special-use names and private reverse zones, so libunbound need not answer them
 * locally. Without this, names under "test." and "invalid." (which test zones use) never
 * leave the process, and the reverse names of private, shared and documentation space
 * (10/8, 172.16/12, 192.168/16, 100.64/10, 169.254/16, 192.0.2/24, 198.51.100/24,
 * 203.0.113/24, fc00::/7, fe80::/10, 2001:db8::/32: Unbound's AS112 list) get NXDOMAIN
 * from libunbound itself, so SPF ptr and %{p} never see the PTR records a hybrid site's
 * own servers publish for its internal relays. "unblock-lan-zones" hands those reverse
 * zones to the forwarders; "insecure-lan-zones" stops a trust anchor from calling their
 * unsigned, locally served answers bogus. localhost, 127.0.0.1 and ::1 keep their local
 * answers: the loopback host is this one, whatever a forwarder says. The rest of
 * 127.in-addr.arpa goes to the forwarders (Unbound would answer NXDOMAIN itself): the MX
 * probe's tests give their MX hosts addresses 127.0.0.2, 127.0.0.3, ... with reverse names.
 * When recursing from the roots, Unbound's local answers stay in force (RFC 6303).
 * "transparent" with no local data acts as "nodefault" here; libunbound 1.17's
 * ub_ctx_set_option does not honour "nodefault" (it keeps the type in the name). */
static int forward_local_zones(struct ub_ctx *c, char *err, size_t errlen)
{
	static const char *const special[] = { "test. transparent", "invalid. transparent" };
	for (size_t i = 0; i < sizeof(special) / sizeof(special[0]); i++)
		if (ub_check(ub_ctx_set_option(c, "local-zone:", special[i]), special[i], err,
			     errlen) < 0)
			return -1;
	if (ub_check(ub_ctx_set_option(c, "local-zone:", "127.in-addr.arpa. transparent"),
		     "127.in-addr.arpa", err, errlen) < 0 ||
	    ub_check(ub_ctx_set_option(c, "local-data:", "1.0.0.127.in-addr.arpa. 10800 IN PTR localhost."),
		     "1.0.0.127.in-addr.arpa", err, errlen) < 0)
		return -1;
	if (ub_check(ub_ctx_set_option(c, "unblock-lan-zones:", "yes"), "unblock-lan-zones", err,
		     errlen) < 0)
		return -1;
	return ub_check(ub_ctx_set_option(c, "insecure-lan-zones:", "yes"), "insecure-lan-zones",
			err, errlen);
}

static int set_forwarders(struct ub_ctx *c, const struct mxg_unbound_options *o, char *err,
			  size_t errlen)
{
	size_t n = 0;

	for (; o->forwarders != NULL && o->forwarders[n] != NULL; n++) {
		const char *f = o->forwarders[n];
		if (n >= MAX_FORWARDERS || strlen(f) > 64)
			return mxg_fail(err, errlen, "too many forwarders or forwarder too long: '%.64s'", f);
		char what[96];
		snprintf(what, sizeof(what), "forwarder '%s'", f);
		if (ub_check(ub_ctx_set_fwd(c, f), what, err, errlen) < 0)
			return -1;
	}
	if (n == 0 && o->use_system &&
	    ub_check(ub_ctx_resolvconf(c, NULL), "/etc/resolv.conf", err, errlen) < 0)
		return -1;
	if (n == 0 && !o->use_system)
		return 0;
	return forward_local_zones(c, err, errlen);
}

static int configure(struct ub_ctx *c, const struct mxg_unbound_options *o, char *err,
		     size_t errlen)
{
	/* Threads, not a forked helper process: the milter is multi-threaded. */
	if (ub_check(ub_ctx_async(c, 1), "async", err, errlen) < 0)
		return -1;
	/* A local resolver on 127.0.0.1 (in resolv.conf or given) is a normal production set-up. */
	if (ub_check(ub_ctx_set_option(c, "do-not-query-localhost:", "no"), "do-not-query-localhost",
		     err, errlen) < 0)
		return -1;
	/* Checks report the TTLs zone owners publish (MX_TTL_HIGH): Unbound's default cap of
	 * one day would hide them. RFC 2181 §8 bounds TTLs at 2^31 - 1; the cache stays
	 * bounded in size by its LRU limits. */
	if (ub_check(ub_ctx_set_option(c, "cache-max-ttl:", "2147483647"), "cache-max-ttl", err,
		     errlen) < 0)
		return -1;
	if (set_forwarders(c, o, err, errlen) < 0)
		return -1;
	if (o->trust_anchor == NULL || o->trust_anchor[0] == '\0')
		return 0;
	/* libunbound reads the file only at the first lookup; say now that it is unusable. */
	if (access(o->trust_anchor, R_OK) != 0)
		return mxg_fail(err, errlen, "trust anchor %.200s: %s", o->trust_anchor, strerror(errno));
	if (ub_check(ub_ctx_add_ta_autr(c, o->trust_anchor), "trust anchor", err, errlen) < 0)
		return -1;
	return 0;
}

static struct ubr *ubr_new(unsigned timeout_ms)
{
	struct ubr *u = calloc(1, sizeof(*u));
	pthread_condattr_t attr;

	if (u == NULL)
		return NULL;
	u->timeout_ms = timeout_ms;
	if (pthread_condattr_init(&attr) != 0)
		goto fail;
	int rc = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	if (rc == 0)
		rc = pthread_cond_init(&u->cond, &attr);
	pthread_condattr_destroy(&attr);
	if (rc != 0)
		goto fail;
	if (pthread_mutex_init(&u->lock, NULL) != 0) {
		pthread_cond_destroy(&u->cond);
		goto fail;
	}
	return u;
fail:
	free(u);
	return NULL;
}

struct mxg_resolver *mxg_resolver_unbound_new(const struct mxg_unbound_options *opt,
					      char *err, size_t errlen)
{
	unsigned timeout = opt->timeout_ms ? opt->timeout_ms : DEFAULT_TIMEOUT_MS;

	if (timeout > MAX_TIMEOUT_MS) {
		snprintf(err, errlen, "timeout %u ms is over the limit of %u ms", timeout, MAX_TIMEOUT_MS);
		return NULL;
	}
	struct ubr *u = ubr_new(timeout);
	if (u == NULL || (u->ctx = ub_ctx_create()) == NULL) {
		snprintf(err, errlen, "cannot create the libunbound context");
		if (u != NULL)
			ubr_free(u);
		return NULL;
	}
	if (configure(u->ctx, opt, err, errlen) < 0) {
		ubr_free(u);
		return NULL;
	}
	struct mxg_resolver *r = mxg_resolver_new(&unbound_ops, u);
	if (r == NULL) {
		snprintf(err, errlen, "out of memory");
		ubr_free(u);
		return NULL;
	}
	struct mxg_resolver *cached = mxg_resolver_cache_new(r, opt->answer_cache);
	if (cached == NULL) {
		snprintf(err, errlen, "out of memory for the DNS answer cache");
		mxg_resolver_free(r);
	}
	return cached;
}

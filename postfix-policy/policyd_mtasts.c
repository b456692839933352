/* The MTA-STS policy cache behind the "mta-sts" socketmap: one entry per recipient domain
 * (id, policy, expiry) in the one hash table (mxguard/htable.h) of capacity slots; when a
 * domain's window of slots is full, an expired entry gives way, else the least recently used.
 * One mutex covers the table; fetches run outside it, so two lookups of one domain may both
 * fetch, and the later result stays. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxguard/hash.h"
#include "mxguard/htable.h"
#include "mxguard/mtasts.h"
#include "mxguard/str.h"
#include "policyd.h"
#include "policyd_mtasts.h"

#define CACHE_WINDOW 8

struct entry {
	struct mxg_htable_age age;      /* first: expires = fetched + max_age, used = LRU clock */
	char domain[MXG_DNS_NAME_MAX];
	char id[MXG_MTASTS_ID_MAX + 1];
	struct mxg_mtasts_policy policy;
};

struct policyd_mtasts {
	pthread_mutex_t lock;
	struct mxg_resolver *res;
	char ca_file[512];
	unsigned long timeout_ms;
	unsigned long clock;
	struct mxg_htable table;        /* entries: struct entry */
};

static int entry_eq(const void *entry, const void *key)
{
	return strcmp(((const struct entry *)entry)->domain, key) == 0;
}

struct policyd_mtasts *policyd_mtasts_new(struct mxg_resolver *res, size_t capacity,
					  const char *ca_file, unsigned long fetch_timeout_ms)
{
	struct policyd_mtasts *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	if (mxg_htable_init(&m->table, capacity, sizeof(struct entry), CACHE_WINDOW, 0, entry_eq) < 0) {
		free(m);
		return NULL;
	}
	pthread_mutex_init(&m->lock, NULL);
	m->res = res;
	m->timeout_ms = fetch_timeout_ms;
	if (ca_file)
		mxg_strlcpy(m->ca_file, ca_file, sizeof(m->ca_file));
	return m;
}

void policyd_mtasts_free(struct policyd_mtasts *m)
{
	if (m == NULL)
		return;
	pthread_mutex_destroy(&m->lock);
	mxg_htable_fini(&m->table);
	free(m);
}

/* The entry of domain, or NULL. Under the lock. */
static struct entry *find(struct policyd_mtasts *m, const char *domain)
{
	return mxg_htable_find(&m->table, mxg_hash_str(domain), domain);
}

/* A copy of domain's cached entry into *out when it has not expired at now: 1, else 0. */
static int cached(struct policyd_mtasts *m, const char *domain, time_t now, struct entry *out)
{
	pthread_mutex_lock(&m->lock);
	struct entry *e = find(m, domain);
	int ok = e != NULL && now < e->age.expires;
	if (ok) {
		e->age.used = ++m->clock;
		*out = *e;
	}
	pthread_mutex_unlock(&m->lock);
	return ok;
}

/* Stores (replacing domain's entry, else in a free slot of its window, else in place of the
 * window's expired or least recently used entry). */
static void store(struct policyd_mtasts *m, const char *domain, const char *id,
		  const struct mxg_mtasts_policy *p, time_t now)
{
	int evicted;

	pthread_mutex_lock(&m->lock);
	struct entry *e = find(m, domain);
	if (e == NULL)
		e = mxg_htable_add(&m->table, mxg_hash_str(domain), mxg_htable_older_age, &now, &evicted);
	if (e != NULL) {
		mxg_strlcpy(e->domain, domain, sizeof(e->domain));
		mxg_strlcpy(e->id, id, sizeof(e->id));
		e->policy = *p;
		e->age.expires = now + (time_t)p->max_age;
		e->age.used = ++m->clock;
	}
	pthread_mutex_unlock(&m->lock);
}

int policyd_mtasts_postfix_value(const struct mxg_mtasts_policy *p, char *out, size_t outlen)
{
	if (mxg_strlcpy(out, "secure match=", outlen) >= outlen)
		return -1;
	for (size_t i = 0; i < p->mx_count; i++) {
		const char *pat = p->mx[i];
		if (mxg_strcatf(out, outlen, "%s%s", i ? ":" : "", pat[0] == '*' ? pat + 1 : pat) < 0)
			return -1;
	}
	return mxg_strcatf(out, outlen, " servername=hostname");
}

/* The answer a policy (cached or new) gives. */
static enum policyd_mtasts_result serve(const struct mxg_mtasts_policy *p, char *answer,
					size_t answerlen, char *why, size_t whylen)
{
	if (p->mode != MXG_MTASTS_MODE_ENFORCE)
		return POLICYD_STS_NONE;
	if (policyd_mtasts_postfix_value(p, answer, answerlen) < 0) {
		mxg_strlcpy(why, "policy too long for an answer", whylen);
		return POLICYD_STS_TEMP;
	}
	return POLICYD_STS_SECURE;
}

/* Fetches and parses domain's policy: 1 with *p filled, 0 on failure (why says why). */
static int fetch(struct policyd_mtasts *m, const char *domain, struct mxg_mtasts_policy *p,
		 char *why, size_t whylen)
{
	const struct mxg_mtasts_fetch_opts fo = {
		m->res, m->ca_file[0] ? m->ca_file : NULL,
		m->timeout_ms < MXG_MTASTS_CONNECT_TIMEOUT_MS ? (unsigned)m->timeout_ms : 0,
		(unsigned)m->timeout_ms,
	};
	struct mxg_mtasts_fetch f;
	char pwhy[MXG_MTASTS_WHY_MAX];

	if (mxg_mtasts_fetch(&fo, domain, &f) < 0 || f.status != MXG_MTASTS_FETCH_OK) {
		snprintf(why, whylen, "fetch failed: %s", f.why);
		mxg_mtasts_fetch_clear(&f);
		return 0;
	}
	int ok = mxg_mtasts_policy_parse(f.body, f.len, p, pwhy, sizeof(pwhy)) == 0;
	mxg_mtasts_fetch_clear(&f);
	if (!ok)
		snprintf(why, whylen, "invalid policy: %s", pwhy);
	return ok;
}

enum policyd_mtasts_result policyd_mtasts_lookup(struct policyd_mtasts *m, const char *key,
						 time_t now, char *answer, size_t answerlen,
						 char *why, size_t whylen)
{
	char domain[MXG_DNS_NAME_MAX], rwhy[MXG_MTASTS_WHY_MAX];
	struct mxg_mtasts_record rec;
	struct mxg_mtasts_policy p;
	struct entry old;

	why[0] = '\0';
	if (key[0] == '.' || key[0] == '[' || mxg_dns_name_normalize(key, domain, sizeof(domain)) < 0 ||
	    domain[0] == '\0') {
		mxg_strlcpy(why, "not a domain", whylen);
		return POLICYD_STS_NONE;
	}
	int have_old = cached(m, domain, now, &old);
	int st = mxg_mtasts_record_lookup(m->res, domain, &rec, rwhy, sizeof(rwhy));
	if (st < 0) {
		snprintf(why, whylen, "%s", rwhy);
		return POLICYD_STS_TEMP;
	}
	if (st != MXG_MTASTS_DNS_FOUND) {
		/* §5.1: no valid record now, but an unexpired cached policy still applies. */
		snprintf(why, whylen, "%s%s", st == MXG_MTASTS_DNS_NONE ? "no record" : rwhy,
			 have_old ? "; cached policy" : "");
		return have_old ? serve(&old.policy, answer, answerlen, why, whylen) : POLICYD_STS_NONE;
	}
	if (have_old && strcmp(old.id, rec.id) == 0) {
		mxg_strlcpy(why, "cached policy", whylen);
		return serve(&old.policy, answer, answerlen, why, whylen);
	}
	if (!fetch(m, domain, &p, why, whylen)) {
		if (have_old)
			mxg_strlcat(why, "; stale cached policy", whylen);
		return have_old ? serve(&old.policy, answer, answerlen, why, whylen) : POLICYD_STS_NONE;
	}
	store(m, domain, rec.id, &p, now);
	snprintf(why, whylen, "fetched policy id %s mode %s", rec.id, mxg_mtasts_mode_name(p.mode));
	return serve(&p, answer, answerlen, why, whylen);
}

long policyd_mtasts_socketmap(struct policyd_mtasts *m, const char *key, size_t klen, char *out,
			      size_t outsize, char *logbuf, size_t loglen)
{
	char k[MXG_DNS_NAME_MAX], answer[POLICYD_MTASTS_ANSWER_MAX], why[256];

	if (klen == 0 || klen >= sizeof(k) || memchr(key, '\0', klen) != NULL) {
		snprintf(logbuf, loglen, "socketmap: mta-sts: malformed key");
		return policyd_netstring_write(out, outsize, "PERM ", "malformed key");
	}
	memcpy(k, key, klen);
	k[klen] = '\0';
	enum policyd_mtasts_result r = policyd_mtasts_lookup(m, k, time(NULL), answer, sizeof(answer),
							     why, sizeof(why));
	snprintf(logbuf, loglen, "socketmap: mta-sts: key=%s %s (%s)", k,
		 r == POLICYD_STS_SECURE ? answer : r == POLICYD_STS_TEMP ? "TEMP" : "no policy", why);
	if (r == POLICYD_STS_SECURE)
		return policyd_netstring_write(out, outsize, "OK ", answer);
	if (r == POLICYD_STS_TEMP)
		return policyd_netstring_write(out, outsize, "TEMP ", "MTA-STS lookup failed");
	return policyd_netstring_write(out, outsize, "NOTFOUND ", "");
}

/* The probe's driver: which addresses to probe (from the MX input), a bounded pool of threads
 * that talk to them all at once under one overall deadline, and releasing what they kept. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "mxguard/clock.h"
#include "mxguard/str.h"
#include "probe_internal.h"

/* Appends a result for each address of t (while there is room). */
static void add_addrs(struct mxg_probe_input *in, const struct mxg_mx_target *t, int index,
		     const char *host)
{
	for (unsigned i = 0; i < t->n_v4 + t->n_v6 && in->count < MXG_PROBE_MAX_ADDRS; i++) {
		struct mxg_probe_result *r = &in->results[in->count++];
		memset(r, 0, sizeof(*r));
		mxg_strlcpy(r->host, host, sizeof(r->host));
		r->target = index;
		r->addr.family = i < t->n_v4 ? 4 : 6;
		if (i < t->n_v4)
			memcpy(r->addr.bytes, t->v4[i], 4);
		else
			memcpy(r->addr.bytes, t->v6[i - t->n_v4], 16);
	}
}

int mxg_probe_prepare(const struct mxg_mx_input *mx, struct mxg_probe_input *in)
{
	memset(in, 0, sizeof(*in));
	mxg_strlcpy(in->domain, mx->domain, sizeof(in->domain));
	in->mx_security = mx->security;
	in->results = calloc(MXG_PROBE_MAX_ADDRS, sizeof(*in->results));
	if (in->results == NULL)
		return -1;
	if (mx->count == 0 && mx->rcode == MXG_DNS_NOERROR) {
		in->implicit = 1;
		in->host_count = 1;
		mxg_strlcpy(in->hosts[0], mx->domain, sizeof(in->hosts[0]));
		add_addrs(in, &mx->implicit, 0, mx->domain);
		return 0;
	}
	for (unsigned i = 0; i < mx->count && i < MXG_MX_MAX_TARGETS; i++) {
		const struct mxg_mx_target *t = &mx->targets[i];
		mxg_strlcpy(in->hosts[i], t->name, sizeof(in->hosts[i]));
		in->host_count = i + 1;
		if (t->name[0] == '\0' || mxg_mx_name_is_ip_literal(t->name))
			continue;
		in->has_mx = 1;
		add_addrs(in, t, (int)i, t->name);
	}
	return 0;
}

/* The work the pool shares: the next result to probe, under lock. */
struct pool {
	pthread_mutex_t lock;
	size_t next;
	struct mxg_probe_input *in;
	const struct mxg_probe_options *o;
	SSL_CTX *ctx;
	struct timespec end;
};

static void *worker(void *arg)
{
	struct pool *p = arg;

	for (;;) {
		pthread_mutex_lock(&p->lock);
		size_t i = p->next < p->in->count ? p->next++ : p->in->count;
		pthread_mutex_unlock(&p->lock);
		if (i >= p->in->count)
			return NULL;
		probe_smtp_talk(p->o, p->ctx, p->in->domain, &p->end, &p->in->results[i]);
	}
}

int mxg_probe_run(const struct mxg_probe_options *o, struct mxg_probe_input *in, char *err,
		  size_t errlen)
{
	pthread_t threads[MXG_PROBE_PARALLEL];
	struct pool p = { .in = in, .o = o };
	size_t started = 0;

	p.ctx = probe_tls_context(o->ca_file, err, errlen);
	if (p.ctx == NULL)
		return -1;
	pthread_mutex_init(&p.lock, NULL);
	mxg_clock_deadline(&p.end, o->timeout_ms ? o->timeout_ms : MXG_PROBE_TIMEOUT_MS);
	for (size_t i = 0; i < in->count; i++)
		in->results[i].stage = MXG_PROBE_CONNECT;
	while (started < MXG_PROBE_PARALLEL && started < in->count &&
	       pthread_create(&threads[started], NULL, worker, &p) == 0)
		started++;
	if (started == 0)
		worker(&p); /* no thread could start: probe one after the other here */
	for (size_t i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	pthread_mutex_destroy(&p.lock);
	SSL_CTX_free(p.ctx);
	return 0;
}

void mxg_probe_clear(struct mxg_probe_input *in)
{
	for (size_t i = 0; in->results != NULL && i < in->count; i++)
		for (size_t k = 0; k < in->results[i].chain_count; k++)
			free(in->results[i].chain[k].der);
	free(in->results);
	for (size_t h = 0; h < MXG_MX_MAX_TARGETS; h++) {
		for (size_t k = 0; k < in->tlsa[h].count; k++)
			mxg_tlsa_free(&in->tlsa[h].rr[k]);
		mxg_dns_answer_free(in->tlsa[h].answer);
	}
	memset(in, 0, sizeof(*in));
}

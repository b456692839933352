/* The process-wide pieces every connection thread shares: one libunbound resolver with the
 * configured forwarders behind an answer cache, one DKIM key cache, the PSL when DMARC needs it. */
#include <stdio.h>
#include <string.h>

#include "milter.h"
#include "milter_runtime.h"
#include "milter_metrics.h"
#include "mxguard/str.h"

struct milter_runtime milter_rt;

struct mxg_resolver *milter_runtime_resolver(const struct milter_config *cfg, char *err, size_t errlen)
{
	struct mxg_unbound_options uo = { 0 };
	char why[256];
	struct mxg_resolver *r;

	uo.forwarders = cfg->forwarders;
	uo.use_system = cfg->dns_use_system;
	uo.trust_anchor = cfg->trust_anchor[0] ? cfg->trust_anchor : NULL;
	uo.timeout_ms = (unsigned)cfg->dns_timeout_ms;
	uo.answer_cache = cfg->dns_cache_size;
	r = mxg_resolver_unbound_new(&uo, why, sizeof(why));
	if (r == NULL)
		snprintf(err, errlen, "resolver: %s", why);
	return r;
}

int milter_runtime_open(struct milter_runtime *rt, const struct milter_config *cfg, char *err,
			size_t errlen)
{
	char why[256];

	rt->resolver = milter_runtime_resolver(cfg, err, errlen);
	if (rt->resolver == NULL)
		return -1;
	/* Every lookup timed, for the metrics file. */
	rt->resolver = milter_metrics_timed_resolver(rt->resolver);
	if (rt->resolver == NULL)
		return mxg_fail(err, errlen, "out of memory for the resolver");
	rt->keys = mxg_dkim_key_cache_new(cfg->key_cache_size);
	if (rt->keys == NULL)
		return mxg_fail(err, errlen, "out of memory for the DKIM key cache");
	if (cfg->psl_file[0] == '\0' && cfg->dmarc_mode != MXG_DMARC_MODE_7489)
		return 0;
	rt->psl = mxg_psl_load(cfg->psl_file[0] ? cfg->psl_file : NULL, why, sizeof(why));
	if (rt->psl == NULL)
		return mxg_fail(err, errlen, "public suffix list: %s", why);
	return 0;
}

void milter_runtime_close(struct milter_runtime *rt)
{
	if (rt->psl != NULL)
		mxg_psl_free(rt->psl);
	if (rt->keys != NULL)
		mxg_dkim_key_cache_free(rt->keys);
	if (rt->resolver != NULL)
		mxg_resolver_free(rt->resolver);
	rt->psl = NULL;
	rt->keys = NULL;
	rt->resolver = NULL;
}

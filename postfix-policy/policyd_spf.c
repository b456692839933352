/* SPF at RCPT through the core (mxg_spf_check_mailfrom): the time budget makes a slow or
 * deep record end in temperror instead of holding a worker thread. */
#include <stdio.h>
#include <string.h>

#include "mxguard/spf.h"
#include "mxguard/str.h"
#include "policyd_metrics.h"
#include "policyd_spf.h"

int policyd_spf_check(const struct policyd_rules *r, struct mxg_resolver *res,
		      const struct policyd_request *q, const struct mxg_addr *client,
		      struct policyd_spf_verdict *out)
{
	struct mxg_spf_options opt;
	struct mxg_spf_outcome o;
	const char *helo = q->helo_name ? q->helo_name : "";

	memset(out, 0, sizeof(*out));
	memset(&opt, 0, sizeof(opt));
	opt.budget_ms = r->spf_time_limit_ms;
	opt.receiver = r->receiver;
	enum mxg_spf_result res_code = mxg_spf_check_mailfrom(res, &opt, client, q->sender, helo, &o);
	policyd_metrics_spf(res_code);
	out->fail = res_code == MXG_SPF_FAIL;
	out->temperror = res_code == MXG_SPF_TEMPERROR;
	snprintf(out->text, sizeof(out->text), "SPF %s for <%.200s> from %.64s%s%.200s",
		 mxg_spf_result_name(res_code), q->sender, q->client_address,
		 o.problem[0] ? ": " : "", o.problem);
	if (mxg_spf_received_spf(&o, client, helo, r->receiver, out->header, sizeof(out->header)) < 0)
		out->header[0] = '\0';
	return 0;
}

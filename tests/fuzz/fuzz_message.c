/* Fuzzes the message engine end to end: the first bytes pick the envelope (client address,
 * null or real reverse-path, scope), the rest is a whole message replayed as an MTA splits it
 * (header fields, body) through SPF, DKIM, ARC, From, DMARC over every author domain, the
 * A-R value and the verdict, against a zone with the RFC 8463 keys and DMARC and SPF records.
 * Invariants: a verdict always, never an internal error, and an A-R value that fits. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mxguard/message.h"
#include "../lib/zone_txt.h"

static struct mxg_resolver *zone;

static void setup(void)
{
	if (zone != NULL)
		return;
	zone = mxg_resolver_zone_new();
	zone_txt(zone, "brisbane._domainkey.football.example.com",
		 "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=");
	zone_txt(zone, "_dmarc.football.example.com", "v=DMARC1; p=reject");
	zone_txt(zone, "_dmarc.example.org", "v=DMARC1; p=quarantine; sp=reject; t=y");
	zone_txt(zone, "_dmarc.example.net", "v=DMARC1; p=none; np=reject");
	zone_txt(zone, "football.example.com", "v=spf1 ip4:192.0.2.0/24 include:example.org -all");
	zone_txt(zone, "example.org", "v=spf1 a mx exists:%{l}.example.net ~all");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mxg_message_options opt = { 0 };
	struct mxg_message *m;
	struct mxg_addr ip;
	const struct mxg_message_result *res;

	setup();
	if (size < 1)
		return 0;
	opt.authserv_id = "mx.fuzz.test";
	opt.fold = data[0] & 1;
	opt.dkim.max_signatures = 4;
	opt.dkim.now = 1528637969;
	mxg_policy_defaults(&opt.policy);
	opt.policy.reject_bad_from = (data[0] >> 1) & 1;
	if ((m = mxg_message_new(zone, &opt)) == NULL)
		return 0;
	if (data[0] & 4) {
		mxg_addr_parse((data[0] & 8) ? "192.0.2.7" : "2001:db8::7", &ip, 1);
		mxg_message_client(m, &ip);
	}
	mxg_message_helo(m, "mail.football.example.com");
	mxg_message_scope(m, (data[0] & 16) ? MXG_SCOPE_SOFT : MXG_SCOPE_FULL);
	mxg_message_mail_from(m, (data[0] & 32) ? "<>" : "<joe@football.example.com>");
	mxg_message_replay(m, (const char *)data + 1, size - 1);
	mxg_message_finish(m);
	res = mxg_message_result(m);
	if (res->internal_error || res->verdict.why == NULL ||
	    strlen(res->authres) >= MXG_MESSAGE_AUTHRES_MAX)
		abort();
	if (res->from_domain_count == 0 && res->dmarc.result != MXG_DMARC_PERMERROR)
		abort();
	mxg_message_free(m);
	return 0;
}

/* The message engine: one message's checks as an MTA hands it over (client, HELO, MAIL FROM,
 * header fields one at a time, body chunks, end of message) giving SPF, every DKIM result, the
 * ARC chain, the From status, DMARC over every author domain, the Authentication-Results value
 * and the verdict. mxguard-milter feeds it from libmilter's callbacks and `mxguard dmarc` from a
 * message file, so the two cannot judge a message differently. */
#ifndef MXGUARD_MESSAGE_H
#define MXGUARD_MESSAGE_H

#include <stddef.h>
#include <stdint.h>

#include "mxguard/addr.h"
#include "mxguard/arc_override.h"
#include "mxguard/dkim.h"
#include "mxguard/dmarc.h"
#include "mxguard/dns.h"
#include "mxguard/spf.h"
#include "mxguard/verdict.h"

/* Distinct author domains evaluated; a message naming more is refused (verdict.h). */
#define MXG_MESSAGE_DOMAINS_MAX 8
/* The Authentication-Results value is capped at this size: the first DKIM results are listed,
 * the rest counted in a comment, reasons shortened. It never stops the verdict. */
#define MXG_MESSAGE_AUTHRES_MAX 8192

struct mxg_message_options {
	const char *authserv_id;        /* required: the A-R authserv-id and SPF's receiver */
	int spf_helo;                   /* also check the HELO identity */
	unsigned long spf_budget_ms;    /* 0: SPF's default */
	enum mxg_dmarc_mode dmarc_mode;
	const struct mxg_psl *psl;      /* 7489 mode; NULL: the built-in list */
	int apply_pct;                  /* 7489 mode: sample by pct */
	struct mxg_dkim_options dkim;
	struct mxg_dkim_key_cache *keys; /* may be NULL */
	int fold;                       /* fold the A-R value between results */
	struct mxg_policy policy;       /* what the verdict applies */
};

struct mxg_message_result {
	int spf_done, helo_done;
	struct mxg_spf_outcome spf, helo;
	size_t dkim_count;
	const struct mxg_dkim_sig_result *dkim; /* as DMARC took them: an l= signature whose body
						 * goes on unsigned is "policy", not "pass" */
	const struct mxg_arc_result *arc;
	struct mxg_arc_override arc_override; /* the trusted-forwarder decision (policy.arc_trust) */
	enum mxg_from_status from_status;
	unsigned from_fields;            /* From fields seen (all of them count) */
	size_t from_domain_count;        /* distinct author domains found (strict or lenient) */
	char from_domains[MXG_MESSAGE_DOMAINS_MAX][MXG_DNS_NAME_MAX];
	int from_lenient;                /* some domain came from a value that does not parse */
	int from_overflow;               /* more distinct domains than MXG_MESSAGE_DOMAINS_MAX */
	int header_malformed;            /* the header section began with a continuation line */
	struct mxg_dmarc_outcome dmarc;  /* the decisive outcome: the strictest over the domains;
					  * permerror with no domain found */
	unsigned forged_authres;         /* A-R fields that claim our authserv-id */
	const char *authres;             /* the A-R value; "" if even the shortest form failed */
	int authres_shortened;
	struct mxg_verdict verdict;
	int internal_error;              /* a local fault (out of memory) */
	char error_why[160];
};

struct mxg_message;

/* A message to judge. r serves every lookup; opt is copied (authserv_id included).
 * NULL on ENOMEM or without an authserv_id. */
struct mxg_message *mxg_message_new(struct mxg_resolver *r, const struct mxg_message_options *opt);
void mxg_message_free(struct mxg_message *m);

/* The envelope, before the header: the client (NULL when unknown: SPF is not run), the
 * HELO name ("" when none), the scope (soft: judged but never refused) and the reverse-path
 * ("<a@b>" or "a@b"; "" or "<>" is the null path), which runs SPF. 0, or -1 on ENOMEM. */
void mxg_message_client(struct mxg_message *m, const struct mxg_addr *addr);
void mxg_message_helo(struct mxg_message *m, const char *helo);
void mxg_message_scope(struct mxg_message *m, enum mxg_scope scope);
int mxg_message_mail_from(struct mxg_message *m, const char *reverse_path);
/* "<a@b>" (blanks allowed around) to "a@b" in out; 0, or -1 if it does not fit. */
int mxg_reverse_path(const char *arg, char *out, size_t size);

/* One header field: its name (blanks before the colon allowed) and its value exactly as it
 * followed the colon, without the final line break. Lengths, not C strings: a NUL makes the
 * field invalid instead of cutting it. 0, or -1 on ENOMEM (kept as an internal error). */
int mxg_message_header(struct mxg_message *m, const char *name, size_t nlen, const char *value,
		       size_t vlen);
int mxg_message_end_headers(struct mxg_message *m);
int mxg_message_body(struct mxg_message *m, const uint8_t *data, size_t len);
/* A whole message in memory, split as an MTA would: header fields up to the empty line (or the
 * first line that is not a field), then the body. Does not finish. 0, or -1 on ENOMEM. */
int mxg_message_replay(struct mxg_message *m, const char *msg, size_t len);

/* End of message: keys, signatures, ARC, From, DMARC, A-R and verdict. Idempotent. */
void mxg_message_finish(struct mxg_message *m);
/* The results (complete after finish). Valid until mxg_message_free. */
const struct mxg_message_result *mxg_message_result(const struct mxg_message *m);
/* The DKIM/ARC verifier that saw the message, for an ARC seal after finish (arc_seal.h; make
 * the engine with opt.dkim.seal_body = 1). Valid until mxg_message_free. */
const struct mxg_dkim_verifier *mxg_message_verifier(const struct mxg_message *m);

#endif

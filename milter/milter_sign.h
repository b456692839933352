/* Outbound DKIM signing in mxguard-milter: the signing settings and keys (read with the
 * configuration, before privileges are dropped), which mail is outbound, and the
 * DKIM-Signature fields of one outbound message, streamed as the MTA hands it over. */
#ifndef MXGUARD_MILTER_SIGN_H
#define MXGUARD_MILTER_SIGN_H

#include <stddef.h>
#include <stdint.h>

#include "milter.h"
#include "mxguard/dkim_sign.h"

/* --- settings (milter_config.c hands the keys over) --- */

/* 1 if key is one of the signing keys parsed by milter_sign_set. */
int milter_sign_key_name(const char *key);
/* Applies one configuration key (signing_keys, signing_subdomains, signing_canon,
 * internal_networks, signing_tempfail_domains). 0, or -1 with "key: reason" in why. */
int milter_sign_set(struct milter_signing *s, const char *key, const char *value, char *why,
		    size_t wl);
/* Reads every configured key file (the file mode and key size checks of
 * mxg_dkim_signing_key_load). 0, or -1 with the reason (no key material) in err. */
int milter_sign_load(struct milter_signing *s, char *err, size_t errlen);
/* Compares each loaded key with its published record through r: a missing or different record
 * is an error (-1, reason in err); a temporary DNS failure is logged as a warning and the key
 * kept (a DNS outage at start must not stop the mail). 0 when nothing is wrong. */
int milter_sign_check_published(const struct milter_signing *s, struct mxg_resolver *r, char *err,
				size_t errlen);
/* The same at start, before the runtime exists: through a resolver of its own, freed before
 * returning (before the daemon forks). 0 when signing is off or nothing is wrong. */
int milter_sign_check_at_start(const struct milter_config *cfg, char *err, size_t errlen);
void milter_sign_release(struct milter_signing *s);

/* --- which mail is outbound --- */

enum milter_outbound {
	MILTER_OUTBOUND_NO = 0,
	MILTER_OUTBOUND_INTERNAL,  /* the client is in internal_networks */
	MILTER_OUTBOUND_LOCAL,     /* Postfix's non_smtpd_milters (sendmail command, pickup) */
	MILTER_OUTBOUND_AUTH,      /* the client authenticated ({auth_authen}) */
};

/* 1 when signing is configured (at least one key): only then is any mail outbound. */
int milter_sign_enabled(const struct milter_signing *s);
/* The outbound kind of a connection from the connect step: addr (NULL if unknown), the client
 * port (0 when Postfix's cleanup speaks for non-SMTP mail: it connects as localhost, 127.0.0.1
 * port 0) and the host name the MTA gave. */
enum milter_outbound milter_sign_client(const struct milter_signing *s, const struct mxg_addr *addr,
					unsigned port, const char *host);
const char *milter_outbound_name(enum milter_outbound o);
/* The keys for mail from from_domain: its own, or those of the nearest parent listed in
 * signing_subdomains. Fills out (at most max) and returns the count; *d is the signing domain. */
size_t milter_sign_keys_for(const struct milter_signing *s, const char *from_domain,
			    const struct milter_sign_key **out, size_t max, const char **d);
/* 1 when a signing failure for domain d defers the message (on_signing_error, or d listed in
 * signing_tempfail_domains). */
int milter_sign_tempfail_for(const struct milter_signing *s, const char *d);

/* --- one outbound message --- */

/* Room for the From fields we look at (more than one means no signing domain). */
#define MILTER_SIGN_FROM_MAX 2

struct milter_sign_msg {
	struct mxg_dkim_signer *signer;     /* NULL: nothing (more) to sign */
	char *from[MILTER_SIGN_FROM_MAX];
	size_t nfrom;
	char from_domain[MXG_DNS_NAME_MAX];
	char domain[MXG_DNS_NAME_MAX];      /* d=, "" when the message is not signed */
	char selectors[256];                /* for the log line */
	int failed;                         /* signing was due and failed */
	char why[512];                      /* why it failed, or why nothing was signed */
	size_t nfields;
	char *fields[MXG_DKIM_SIGNER_KEYS_MAX];
};

/* Starts an outbound message (m zeroed by the caller). 0, or -1 on ENOMEM. */
int milter_sign_begin(struct milter_sign_msg *m);
/* One header field: name, and value with its leading blank as received. */
void milter_sign_header(struct milter_sign_msg *m, const char *name, const char *value);
/* End of the header: picks the keys by the From domain (none: nothing is signed). */
void milter_sign_eoh(struct milter_sign_msg *m, const struct milter_signing *s);
void milter_sign_body(struct milter_sign_msg *m, const uint8_t *data, size_t len);
/* End of message: the signature fields (m->fields), or failed with the reason. */
void milter_sign_finish(struct milter_sign_msg *m);
/* Inserts the fields at the top of the header; leadspc as for milter_ar_insert. 0 or -1. */
struct smfi_str;
int milter_sign_insert(struct smfi_str *ctx, const struct milter_sign_msg *m, int leadspc);
void milter_sign_msg_release(struct milter_sign_msg *m);

#endif

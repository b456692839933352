/* Per-connection and per-message state of mxguard-milter: the client, and for each message the
 * message engine (mxguard/message.h) that judges it, fed as the MTA hands the message over.
 * No libmilter here; milter_callbacks.c feeds it. */
#ifndef MXGUARD_MILTER_SESSION_H
#define MXGUARD_MILTER_SESSION_H

#include <stddef.h>

#include "milter.h"
#include "milter_authres.h"
#include "milter_sign.h"
#include "mxguard/message.h"
#include "mxguard/verdict.h"

/* Room for an MTA queue id: Sendmail's are 14 characters, Postfix's long ones about 20. */
#define MILTER_QUEUE_ID_MAX 64

enum milter_client_kind {
	MILTER_CLIENT_EXTERNAL = 0,
	MILTER_CLIENT_TRUSTED,    /* trusted_networks: nothing is checked */
	MILTER_CLIENT_INTERNAL,   /* internal_hosts: checked, never refused */
};

struct milter_msg {
	char mail_from[MXG_SPF_TEXT_MAX];  /* the reverse-path without <>, for the log line */
	char auth_user[128];               /* {auth_authen}, "" if none */
	char rcpt[MXG_SPF_TEXT_MAX];       /* the first RCPT TO, for the report's envelope_to */
	int skip;                          /* authenticated and authenticated = skip */
	enum milter_outbound outbound;     /* outbound: signed, never checked */
	struct milter_sign_msg sign;       /* its signatures (milter_sign.h) */
	struct mxg_message *engine;        /* the checks (message.h); NULL when skipped */
	struct milter_ar_claims ar;        /* A-R fields to remove at end of message */
	int internal_error;                /* a local fault in the milter itself */
	/* Filled by milter_msg_finish. */
	const struct mxg_message_result *res; /* NULL when skipped */
	struct mxg_verdict verdict;
};

struct milter_conn {
	const struct milter_config *cfg;   /* current at connect, held until the connection ends */
	enum milter_client_kind kind;
	enum milter_outbound outbound;     /* from the connect step (internal network, local) */
	int have_addr;
	struct mxg_addr addr;
	char addr_text[64];
	char host[MXG_DNS_NAME_MAX];
	char helo[MXG_DNS_NAME_MAX];
	int leadspc;                       /* MTA passes header values with their leading blank */
	unsigned long nr;                  /* the SMFIP_NR_* flags the MTA agreed to */
	char queue_id[MILTER_QUEUE_ID_MAX]; /* the MTA's "i" as last seen for this message, or "" */
	struct milter_msg *msg;
};

/* Empty connection state (at negotiation) under the current configuration, NULL on ENOMEM;
 * milter_conn_client fills in the client: addr may be NULL (unknown), host may be NULL. */
struct milter_conn *milter_conn_new(void);
void milter_conn_client(struct milter_conn *c, const struct mxg_addr *addr, const char *host);
void milter_conn_free(struct milter_conn *c);
void milter_conn_helo(struct milter_conn *c, const char *helo);
/* The queue id macro at a step: kept when the MTA sent one (non-empty, printable, short enough).
 * With start set (MAIL FROM) the previous message's id is dropped first, so a message whose MTA
 * sends no id is logged as NOQUEUE rather than under the id of the message before it. */
void milter_conn_queue_id(struct milter_conn *c, const char *id, int start);

/* Starts a message (ending any previous one) at MAIL FROM; arg is the address as the MTA
 * gives it ("<a@b>"), auth the {auth_authen} macro or NULL. Outbound mail (with signing
 * configured: the connection's kind, or authenticated) is only signed; other mail is
 * checked, starting with SPF. 0, or -1 on ENOMEM. */
/* Keeps rcpt as the message's first recipient (later ones and no message: nothing). */
void milter_msg_rcpt(struct milter_conn *c, const char *rcpt);
int milter_msg_begin(struct milter_runtime *rt, struct milter_conn *c, const char *arg,
		     const char *auth);
void milter_msg_end(struct milter_conn *c);
/* One header field (value as the MTA gave it); internal failures are kept in the engine. */
void milter_msg_header(struct milter_conn *c, const char *name, const char *value);
void milter_msg_eoh(struct milter_conn *c);
void milter_msg_body(struct milter_conn *c, const unsigned char *data, size_t len);
/* End of message: DKIM keys and signatures, From, DMARC, our A-R value and the verdict. */
void milter_msg_finish(struct milter_conn *c);
/* The one log line about the finished message. */
void milter_msg_log(const struct milter_conn *c, const char *queue_id, const char *outcome);

#endif

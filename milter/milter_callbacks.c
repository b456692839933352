/* The libmilter callbacks: negotiate away every step and reply not needed, keep the state
 * per connection (libmilter runs one thread per connection), apply the verdict at end of message. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <libmilter/mfapi.h>

#include "milter_gate.h"
#include "milter_metrics.h"
#include "milter_seal.h"
#include "milter_session.h"
#include "milter_settings.h"
#include "milter_transport.h"
#include "mxguard/log.h"
#include "mxguard/str.h"

/* Steps we never look at, and replies we never need to give (no decision before EOM). RCPT
 * is kept for the DMARC report's envelope_to (the first recipient's domain). */
#define WANT_OFF (SMFIP_NODATA | SMFIP_NOUNKNOWN)
#define WANT_NR (SMFIP_NR_HELO | SMFIP_NR_MAIL | SMFIP_NR_RCPT | SMFIP_NR_HDR | SMFIP_NR_EOH | \
		 SMFIP_NR_BODY)
/* Over TCP: only the steps whose skipping costs no wait, and a reply at every step. */
#define WANT_OFF_TCP (SMFIP_NOUNKNOWN)
#define NEED_ACTIONS (SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE)

static struct milter_conn *conn_of(SMFICTX *ctx)
{
	return smfi_getpriv(ctx);
}

/* The reply for a step: none where the MTA agreed to SMFIP_NR_*, else continue. */
static sfsistat step_done(const struct milter_conn *c, unsigned long nr_flag)
{
	return c != NULL && (c->nr & nr_flag) ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

/* The steps and replies to negotiate. Over TCP, Postfix sets no TCP_NODELAY: a write of its
 * waits behind an earlier small one until we acknowledge it, and a step without a reply leaves
 * its segment to our delayed ACK (about 40 ms). Replying at every step (DATA too) acknowledges
 * at once; it was measured 2 to 5 times faster end to end (docs/performance.md). Over a Unix
 * socket nothing waits: no replies, fewer steps, less CPU. */
static unsigned long wanted_steps(void)
{
	const struct milter_config *cfg = milter_settings_acquire();
	int unix_socket = cfg != NULL && milter_transport_unix_path(cfg->socket) != NULL;

	milter_settings_release(cfg);
	return unix_socket ? WANT_OFF | WANT_NR : WANT_OFF_TCP;
}

static sfsistat cb_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1, unsigned long f2,
			     unsigned long f3, unsigned long *pf0, unsigned long *pf1,
			     unsigned long *pf2, unsigned long *pf3)
{
	struct milter_conn *c;

	(void)f2;
	(void)f3;
	if ((f0 & NEED_ACTIONS) != NEED_ACTIONS) {
		mxg_log(MXG_LOG_ERR, "the MTA does not allow header changes and quarantine; not filtering");
		return SMFIS_REJECT;
	}
	*pf0 = NEED_ACTIONS | (f0 & SMFIF_SETSYMLIST);
	*pf1 = f1 & (wanted_steps() | SMFIP_HDR_LEADSPC);
	*pf2 = 0;
	*pf3 = 0;
	/* Only the macros we read, so the MTA sends nothing else. The queue id "i" is asked for at
	 * each step where an MTA defines it: Sendmail from MAIL FROM on (it sends none at end of
	 * message), Postfix from DATA on (end of header and end of message). */
	if (f0 & SMFIF_SETSYMLIST) {
		smfi_setsymlist(ctx, SMFIM_CONNECT, "j");
		smfi_setsymlist(ctx, SMFIM_ENVFROM, "i {auth_authen}");
		smfi_setsymlist(ctx, SMFIM_EOH, "i");
		smfi_setsymlist(ctx, SMFIM_EOM, "i");
	}
	c = milter_conn_new();
	if (c == NULL || smfi_setpriv(ctx, c) != MI_SUCCESS) {
		milter_conn_free(c);
		return SMFIS_ALL_OPTS;
	}
	c->nr = *pf1 & WANT_NR;
	c->leadspc = (*pf1 & SMFIP_HDR_LEADSPC) != 0;
	return SMFIS_CONTINUE;
}

static int sockaddr_to_addr(const struct sockaddr *sa, struct mxg_addr *out)
{
	if (sa == NULL)
		return -1;
	memset(out, 0, sizeof(*out));
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)(const void *)sa;
		out->family = 4;
		memcpy(out->bytes, &s4->sin_addr, 4);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)(const void *)sa;
		char text[INET6_ADDRSTRLEN];
		/* Through text so that IPv4-mapped addresses come out as IPv4. */
		if (inet_ntop(AF_INET6, &s6->sin6_addr, text, sizeof(text)) == NULL)
			return -1;
		return mxg_addr_parse(text, out, 1);
	}
	return -1;
}

/* The client's port; 0 when unknown (and for Postfix's non-SMTP mail). */
static unsigned sockaddr_port(const struct sockaddr *sa)
{
	if (sa != NULL && sa->sa_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)(const void *)sa)->sin_port);
	if (sa != NULL && sa->sa_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)(const void *)sa)->sin6_port);
	return 0;
}

/* With no connection state there is no configuration of its own: the current one decides. */
static sfsistat internal_error_reply(void)
{
	const struct milter_config *cfg = milter_settings_acquire();
	int tempfail = cfg == NULL || (cfg->policy.internal_error_tempfail && !cfg->policy.rollout);

	milter_settings_release(cfg);
	return tempfail ? SMFIS_TEMPFAIL : SMFIS_ACCEPT;
}

static sfsistat cb_connect(SMFICTX *ctx, char *host, _SOCK_ADDR *sa)
{
	struct mxg_addr addr;
	int have = sockaddr_to_addr(sa, &addr) == 0;
	struct milter_conn *c = conn_of(ctx);

	/* No negotiation happened (an old MTA): no reply was negotiated away either. */
	if (c == NULL && ((c = milter_conn_new()) == NULL || smfi_setpriv(ctx, c) != MI_SUCCESS)) {
		milter_conn_free(c);
		mxg_log(MXG_LOG_ERR, "out of memory at connect");
		return internal_error_reply();
	}
	milter_conn_client(c, have ? &addr : NULL, host);
	c->outbound = milter_sign_client(&c->cfg->signing, have ? &addr : NULL, sockaddr_port(sa), host);
	mxg_log(MXG_LOG_DEBUG, "connect from %s[%s] port %u: %s", host != NULL ? host : "-",
		c->addr_text, sockaddr_port(sa), milter_outbound_name(c->outbound));
	/* With signing on, a trusted client that authenticates (webmail on this host) is signed:
	 * the decision waits for MAIL FROM, where {auth_authen} is known. */
	if (c->kind == MILTER_CLIENT_TRUSTED && c->outbound == MILTER_OUTBOUND_NO &&
	    !milter_sign_enabled(&c->cfg->signing)) {
		/* One line per connection, at info: a test message sent from the MX itself (loopback)
		 * or mail submitted locally (Postfix's non_smtpd_milters says localhost[127.0.0.1])
		 * is accepted unchecked, and the log must say so. */
		mxg_log(MXG_LOG_INFO, "client %s[%s] is in trusted_networks: accepted, not checked",
			c->host[0] ? c->host : "unknown", c->addr_text);
		milter_metrics_trusted();
		return SMFIS_ACCEPT;
	}
	return SMFIS_CONTINUE;
}

static sfsistat cb_helo(SMFICTX *ctx, char *helo)
{
	struct milter_conn *c = conn_of(ctx);

	if (c != NULL)
		milter_conn_helo(c, helo);
	return step_done(c, SMFIP_NR_HELO);
}

/* MAIL FROM starts the checks (SPF runs here): only through the gate. While the milter
 * stops, the message is not started and end of message defers it. */
static sfsistat cb_envfrom(SMFICTX *ctx, char **argv)
{
	struct milter_conn *c = conn_of(ctx);

	if (c != NULL)
		milter_conn_queue_id(c, smfi_getsymval(ctx, "i"), 1);
	if (c == NULL || !milter_gate_enter())
		return step_done(c, SMFIP_NR_MAIL);
	if (milter_msg_begin(&milter_rt, c, argv != NULL ? argv[0] : NULL,
			     smfi_getsymval(ctx, "{auth_authen}")) != 0)
		mxg_log(MXG_LOG_ERR, "out of memory at MAIL FROM");
	milter_gate_leave();
	return step_done(c, SMFIP_NR_MAIL);
}

/* RCPT TO: the first recipient of the message is kept for the report's envelope_to. */
static sfsistat cb_envrcpt(SMFICTX *ctx, char **argv)
{
	struct milter_conn *c = conn_of(ctx);

	if (c != NULL && argv != NULL && argv[0] != NULL)
		milter_msg_rcpt(c, argv[0]);
	return step_done(c, SMFIP_NR_RCPT);
}

static sfsistat cb_header(SMFICTX *ctx, char *name, char *value)
{
	struct milter_conn *c = conn_of(ctx);

	if (c != NULL)
		milter_msg_header(c, name, value);
	return step_done(c, SMFIP_NR_HDR);
}

static sfsistat cb_eoh(SMFICTX *ctx)
{
	struct milter_conn *c = conn_of(ctx);

	if (c != NULL) {
		milter_conn_queue_id(c, smfi_getsymval(ctx, "i"), 0);
		milter_msg_eoh(c);
	}
	return step_done(c, SMFIP_NR_EOH);
}

static sfsistat cb_body(SMFICTX *ctx, unsigned char *data, size_t len)
{
	struct milter_conn *c = conn_of(ctx);

	if (c != NULL)
		milter_msg_body(c, data, len);
	return step_done(c, SMFIP_NR_BODY);
}

/* The reply to a message that ends while the milter stops: defer it. */
static sfsistat stopping(SMFICTX *ctx)
{
	smfi_setreply(ctx, "451", "4.3.2", "Mail filter shutting down; try again later");
	return SMFIS_TEMPFAIL;
}

static sfsistat refuse(SMFICTX *ctx, const struct mxg_verdict *v, char *outcome, size_t size)
{
	snprintf(outcome, size, "%s %s %s", mxg_action_name(v->action), v->rcode, v->xcode);
	/* smfi_setreply takes the text as a format for the MTA: no '%' can reach it (verdict.c). */
	if (smfi_setreply(ctx, (char *)v->rcode, (char *)v->xcode, (char *)v->text) != MI_SUCCESS)
		mxg_log(MXG_LOG_WARNING, "could not set the SMTP reply \"%s\"", v->text);
	return v->action == MXG_ACTION_REJECT ? SMFIS_REJECT : SMFIS_TEMPFAIL;
}

/* Header changes for an accepted message; -1 if the MTA refused one. */
static int modify(SMFICTX *ctx, const struct milter_conn *c, const struct milter_msg *m)
{
	const struct mxg_verdict *v = &m->verdict;

	if (milter_ar_remove(ctx, &m->ar) != 0)
		return -1;
	if (m->outbound != MILTER_OUTBOUND_NO)
		return milter_sign_insert(ctx, &m->sign, c->leadspc);
	/* No A-R of our own when the checks did not complete; the tag (rollout: what would have
	 * happened) still goes on. */
	if (m->res != NULL && !m->internal_error && !m->res->internal_error && m->res->authres[0] != '\0' &&
	    milter_ar_insert(ctx, m->res->authres, c->leadspc) != 0)
		return -1;
	if (v->tag[0] != '\0') {
		char tag[MXG_REPLY_TEXT_MAX + 2];
		snprintf(tag, sizeof(tag), "%s%s", c->leadspc ? " " : "", v->tag);
		if (smfi_insheader(ctx, 0, (char *)c->cfg->tag_header, tag) != MI_SUCCESS)
			return -1;
	}
	if (v->action == MXG_ACTION_QUARANTINE && smfi_quarantine(ctx, (char *)v->text) != MI_SUCCESS)
		return -1;
	return 0;
}

/* One field we made ("Name: value" and its line end) on top of the header. */
static int insert_field(SMFICTX *ctx, const char *field, int leadspc)
{
	char name[64];
	const char *colon = strchr(field, ':');
	size_t nl = colon != NULL ? (size_t)(colon - field) : 0;

	if (nl == 0 || nl >= sizeof(name))
		return -1;
	memcpy(name, field, nl);
	name[nl] = '\0';
	const char *v = colon + 1 + (!leadspc && colon[1] == ' ');
	size_t vl = strlen(v);
	while (vl > 0 && (v[vl - 1] == '\n' || v[vl - 1] == '\r'))
		vl--;
	char *value = mxg_strndup(v, vl);
	int rc = value != NULL && smfi_insheader(ctx, 0, name, value) == MI_SUCCESS ? 0 : -1;
	free(value);
	return rc;
}

/* The ARC set for a delivered message (arc_seal). 0 when sealed or not wanted, or when sealing
 * failed and arc_seal_on_error = deliver (logged as an error); -1 to defer (sealing failed with
 * tempfail, or the MTA refused a field). what says what happened, for the log line. */
static int seal(SMFICTX *ctx, const struct milter_conn *c, const struct milter_msg *m, char *what,
		size_t size)
{
	struct mxg_arc_set set;
	char err[256];

	what[0] = '\0';
	if (!milter_seal_wanted(c, m))
		return 0;
	enum mxg_arc_seal_status st = milter_seal_make(c, m, &set, err, sizeof(err));
	if (st == MXG_ARC_SEAL_CHAIN_ENDED) {
		snprintf(what, size, "; not sealed: the chain already ends cv=fail");
		return 0;
	}
	if (st == MXG_ARC_SEAL_ERROR) {
		mxg_log(MXG_LOG_ERR, "ARC sealing failed, %s: %s",
			c->cfg->sealing.error_tempfail ? "deferring the message" : "delivered unsealed", err);
		snprintf(what, size, "; NOT SEALED (%s)", c->cfg->sealing.error_tempfail ? "deferred" : "error");
		return c->cfg->sealing.error_tempfail ? -1 : 0;
	}
	/* Each goes on top: the seal ends above the message signature, above the results. */
	int rc = insert_field(ctx, set.aar, c->leadspc) == 0 && insert_field(ctx, set.ams, c->leadspc) == 0 &&
		 insert_field(ctx, set.as, c->leadspc) == 0 ? 0 : -1;
	snprintf(what, size, "; arc-sealed i=%u cv=%s", set.instance, mxg_arc_result_name(set.cv));
	mxg_arc_set_clear(&set);
	return rc;
}

static sfsistat eom(SMFICTX *ctx, struct milter_conn *c, struct milter_msg *m)
{
	char outcome[64], sealed[64] = "", line[128];
	sfsistat rc = SMFIS_CONTINUE;

	milter_msg_finish(c);
	milter_metrics_message(&m->verdict, m->res);
	if (m->verdict.action == MXG_ACTION_REJECT || m->verdict.action == MXG_ACTION_TEMPFAIL) {
		rc = refuse(ctx, &m->verdict, outcome, sizeof(outcome));
	} else if (modify(ctx, c, m) != 0 || seal(ctx, c, m, sealed, sizeof(sealed)) != 0) {
		/* A forged A-R that stays would be believed downstream, and a seal asked for and not
		 * made (arc_seal_on_error = tempfail) would not be there: defer instead. */
		mxg_strlcpy(outcome, "tempfail (header change refused)", sizeof(outcome));
		smfi_setreply(ctx, "451", "4.3.0", "Temporary local problem; try again later");
		rc = SMFIS_TEMPFAIL;
	} else if (m->verdict.would != m->verdict.action) {
		snprintf(outcome, sizeof(outcome), "%s (rollout: would %s)", mxg_action_name(m->verdict.action),
			 mxg_action_name(m->verdict.would));
	} else {
		mxg_strlcpy(outcome, mxg_action_name(m->verdict.action), sizeof(outcome));
	}
	milter_conn_queue_id(c, smfi_getsymval(ctx, "i"), 0);
	snprintf(line, sizeof(line), "%s%s", outcome, sealed);
	milter_msg_log(c, c->queue_id, line);
	milter_msg_end(c);
	return rc;
}

/* End of message: the verdict, under the gate (key lookups). A message with no state (the milter
 * is stopping, or MAIL FROM ran out of memory) was not checked: never accepted as if it were. */
static sfsistat cb_eom(SMFICTX *ctx)
{
	struct milter_conn *c = conn_of(ctx);
	struct milter_msg *m = c != NULL ? c->msg : NULL;
	sfsistat rc;

	if (!milter_gate_enter())
		return stopping(ctx);
	if (m == NULL) {
		mxg_log(MXG_LOG_WARNING, "end of message without message state: not checked");
		rc = internal_error_reply();
	} else {
		rc = eom(ctx, c, m);
	}
	milter_gate_leave();
	return rc;
}

static sfsistat cb_abort(SMFICTX *ctx)
{
	struct milter_conn *c = conn_of(ctx);

	if (c != NULL)
		milter_msg_end(c);
	return SMFIS_CONTINUE;
}

static sfsistat cb_close(SMFICTX *ctx)
{
	struct milter_conn *c = conn_of(ctx);

	if (c != NULL) {
		smfi_setpriv(ctx, NULL);
		milter_conn_free(c);
	}
	return SMFIS_CONTINUE;
}

struct smfiDesc milter_desc = {
	.xxfi_name = "mxguard-milter",
	.xxfi_version = SMFI_VERSION,
	.xxfi_flags = NEED_ACTIONS | SMFIF_SETSYMLIST,
	.xxfi_connect = cb_connect,
	.xxfi_helo = cb_helo,
	.xxfi_envfrom = cb_envfrom,
	.xxfi_envrcpt = cb_envrcpt,
	.xxfi_header = cb_header,
	.xxfi_eoh = cb_eoh,
	.xxfi_body = cb_body,
	.xxfi_eom = cb_eom,
	.xxfi_abort = cb_abort,
	.xxfi_close = cb_close,
	.xxfi_unknown = NULL,
	.xxfi_data = NULL,
	.xxfi_negotiate = cb_negotiate,
};

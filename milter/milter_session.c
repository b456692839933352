/* The checks of one message as libmilter's callbacks hand it over: SPF at MAIL FROM (so the
 * lookups overlap the client sending its data), DKIM streamed, DMARC and verdict at the end. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "milter_session.h"
#include "milter_record.h"
#include "milter_settings.h"
#include "mxguard/authres.h"
#include "mxguard/log.h"
#include "mxguard/str.h"

struct milter_conn *milter_conn_new(void)
{
	struct milter_conn *c = calloc(1, sizeof(struct milter_conn));

	if (c == NULL)
		return NULL;
	c->cfg = milter_settings_acquire();
	if (c->cfg == NULL) {
		free(c);
		return NULL;
	}
	return c;
}

void milter_conn_client(struct milter_conn *c, const struct mxg_addr *addr, const char *host)
{
	const struct milter_config *cfg = c->cfg;

	/* Postfix says "unknown" and Sendmail "[addr]" when there is no verified name. */
	if (host != NULL && host[0] != '[' && strcmp(host, "unknown") != 0)
		mxg_strlcpy(c->host, host, sizeof(c->host));
	if (addr != NULL) {
		c->have_addr = 1;
		c->addr = *addr;
		if (mxg_addr_format(addr, c->addr_text, sizeof(c->addr_text)) != 0)
			mxg_strlcpy(c->addr_text, "?", sizeof(c->addr_text));
	} else {
		mxg_strlcpy(c->addr_text, "unknown", sizeof(c->addr_text));
	}
	if (addr != NULL && mxg_cidr_list_match(&cfg->trusted, addr))
		c->kind = MILTER_CLIENT_TRUSTED;
	else if (milter_config_is_internal(cfg, addr, c->host))
		c->kind = MILTER_CLIENT_INTERNAL;
}

void milter_conn_free(struct milter_conn *c)
{
	if (c == NULL)
		return;
	milter_msg_end(c);
	milter_settings_release(c->cfg);
	free(c);
}

void milter_conn_helo(struct milter_conn *c, const char *helo)
{
	/* An over-long HELO is no domain name; SPF then checks nothing for it. */
	if (helo == NULL || strlen(helo) >= sizeof(c->helo))
		helo = "";
	mxg_strlcpy(c->helo, helo, sizeof(c->helo));
}

void milter_conn_queue_id(struct milter_conn *c, const char *id, int start)
{
	size_t n;

	if (start)
		c->queue_id[0] = '\0';
	if (id == NULL)
		return;
	n = strlen(id);
	if (n == 0 || n >= sizeof(c->queue_id))
		return;
	/* It goes into the log line as is: only the characters an MTA puts in a queue id. */
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)id[i];
		if (ch <= ' ' || ch >= 0x7f)
			return;
	}
	memcpy(c->queue_id, id, n + 1);
}

void milter_msg_end(struct milter_conn *c)
{
	struct milter_msg *m = c->msg;

	if (m == NULL)
		return;
	mxg_message_free(m->engine);
	milter_ar_release(&m->ar);
	milter_sign_msg_release(&m->sign);
	free(m);
	c->msg = NULL;
}

static void msg_error(struct milter_msg *m, const char *why)
{
	if (!m->internal_error)
		mxg_log(MXG_LOG_WARNING, "internal error: %s", why);
	m->internal_error = 1;
}

static struct mxg_message *engine_new(struct milter_runtime *rt, const struct milter_conn *c)
{
	const struct milter_config *cfg = c->cfg;
	struct mxg_message_options opt = { 0 };

	opt.authserv_id = cfg->authserv_id;
	opt.spf_helo = cfg->spf_helo;
	opt.spf_budget_ms = cfg->spf_time_limit_ms;
	opt.dmarc_mode = cfg->dmarc_mode;
	opt.psl = rt->psl;
	opt.apply_pct = 1;
	opt.dkim.max_signatures = (unsigned)cfg->max_signatures;
	opt.dkim.min_rsa_bits = (unsigned)cfg->min_rsa_bits;
	opt.dkim.max_header_bytes = cfg->max_header_bytes;
	opt.dkim.seal_body = cfg->sealing.mode != MILTER_SEAL_OFF; /* the seal's body hash */
	opt.keys = rt->keys;
	opt.fold = 1;
	opt.policy = cfg->policy;
	return mxg_message_new(rt->resolver, &opt);
}

void milter_msg_rcpt(struct milter_conn *c, const char *rcpt)
{
	if (c->msg != NULL && c->msg->rcpt[0] == '\0')
		mxg_strlcpy(c->msg->rcpt, rcpt, sizeof(c->msg->rcpt));
}

int milter_msg_begin(struct milter_runtime *rt, struct milter_conn *c, const char *arg,
		     const char *auth)
{
	struct milter_msg *m;

	milter_msg_end(c);
	m = calloc(1, sizeof(*m));
	if (m == NULL)
		return -1;
	c->msg = m;
	if (mxg_reverse_path(arg != NULL ? arg : "", m->mail_from, sizeof(m->mail_from)) != 0)
		mxg_strlcpy(m->mail_from, "(too long)", sizeof(m->mail_from));
	if (auth != NULL && auth[0] != '\0') {
		mxg_strlcpy(m->auth_user, auth, sizeof(m->auth_user));
		m->skip = !c->cfg->authenticated_soften;
	}
	m->outbound = c->outbound;
	if (m->outbound == MILTER_OUTBOUND_NO && m->auth_user[0] != '\0' &&
	    milter_sign_enabled(&c->cfg->signing))
		m->outbound = MILTER_OUTBOUND_AUTH;
	if (m->outbound != MILTER_OUTBOUND_NO) {
		if (milter_sign_begin(&m->sign) != 0)
			msg_error(m, "out of memory for signing");
		return 0;
	}
	/* A trusted client reaches this only with signing on (else it was accepted at connect):
	 * unless it authenticated, it stays unchecked and unsigned. */
	if (c->kind == MILTER_CLIENT_TRUSTED)
		m->skip = 1;
	if (m->skip)
		return 0;
	if ((m->engine = engine_new(rt, c)) == NULL) {
		msg_error(m, "out of memory for the message checks");
		return 0;
	}
	mxg_message_client(m->engine, c->have_addr ? &c->addr : NULL);
	mxg_message_helo(m->engine, c->helo);
	mxg_message_scope(m->engine, (c->kind == MILTER_CLIENT_INTERNAL || m->auth_user[0] != '\0') ?
				     MXG_SCOPE_SOFT : MXG_SCOPE_FULL);
	return mxg_message_mail_from(m->engine, arg);
}

void milter_msg_header(struct milter_conn *c, const char *name, const char *value)
{
	struct milter_msg *m = c->msg;

	if (m == NULL || name == NULL || value == NULL)
		return;
	if (milter_ar_note(&m->ar, name, value, c->cfg->authserv_id) != 0)
		msg_error(m, "out of memory noting Authentication-Results");
	if (m->engine == NULL && m->outbound == MILTER_OUTBOUND_NO)
		return;
	/* Without SMFIP_HDR_LEADSPC the MTA dropped the blank after the colon; DKIM's simple
	 * canonicalization needs it back. */
	char *v = NULL;
	if (!c->leadspc && value[0] != '\0') {
		size_t n = strlen(value);
		if ((v = malloc(n + 2)) == NULL) {
			msg_error(m, "out of memory in header fields");
			return;
		}
		v[0] = ' ';
		memcpy(v + 1, value, n + 1);
	}
	const char *val = v != NULL ? v : value;
	if (m->engine != NULL)
		(void)mxg_message_header(m->engine, name, strlen(name), val, strlen(val));
	else
		milter_sign_header(&m->sign, name, val);
	free(v);
}

void milter_msg_eoh(struct milter_conn *c)
{
	if (c->msg != NULL && c->msg->engine != NULL)
		(void)mxg_message_end_headers(c->msg->engine);
	else if (c->msg != NULL && c->msg->outbound != MILTER_OUTBOUND_NO)
		milter_sign_eoh(&c->msg->sign, &c->cfg->signing);
}

void milter_msg_body(struct milter_conn *c, const unsigned char *data, size_t len)
{
	if (c->msg != NULL && c->msg->engine != NULL)
		(void)mxg_message_body(c->msg->engine, data, len);
	else if (c->msg != NULL && c->msg->outbound != MILTER_OUTBOUND_NO)
		milter_sign_body(&c->msg->sign, data, len);
}

/* Outbound: accepted, signed when its From domain has keys; a signing failure defers it when
 * on_signing_error (or signing_tempfail_domains) says so, else it leaves unsigned, logged. */
static void finish_outbound(struct milter_conn *c, struct milter_msg *m)
{
	struct milter_sign_msg *s = &m->sign;

	milter_sign_finish(s);
	m->verdict.action = MXG_ACTION_ACCEPT;
	m->verdict.would = MXG_ACTION_ACCEPT;
	m->verdict.why = s->nfields > 0 ? "outbound-signed" : "outbound-unsigned";
	if (!s->failed && !m->internal_error) {
		if (s->nfields == 0)
			mxg_log(MXG_LOG_INFO, "outbound mail not signed: %s", s->why);
		return;
	}
	const char *d = s->domain[0] ? s->domain : s->from_domain;
	int tempfail = milter_sign_tempfail_for(&c->cfg->signing, d);
	mxg_log(MXG_LOG_ERR, "DKIM SIGNING FAILED for %s: %s; %s", d[0] ? d : "(no domain)",
		s->why[0] ? s->why : "internal error", tempfail ? "deferring the message" :
		"delivering it UNSIGNED (on_signing_error = accept)");
	if (!tempfail)
		return;
	m->verdict.action = m->verdict.would = MXG_ACTION_TEMPFAIL;
	mxg_strlcpy(m->verdict.rcode, "451", sizeof(m->verdict.rcode));
	mxg_strlcpy(m->verdict.xcode, "4.3.0", sizeof(m->verdict.xcode));
	mxg_strlcpy(m->verdict.text, "DKIM signing failed; try again later", sizeof(m->verdict.text));
	m->verdict.why = "signing-failed";
}

void milter_msg_finish(struct milter_conn *c)
{
	struct milter_msg *m = c->msg;

	if (m->outbound != MILTER_OUTBOUND_NO) {
		finish_outbound(c, m);
		return;
	}
	if (m->skip) {
		m->verdict.action = MXG_ACTION_ACCEPT;
		m->verdict.why = c->kind == MILTER_CLIENT_TRUSTED ? "trusted" : "authenticated";
		return;
	}
	if (m->engine != NULL) {
		mxg_message_finish(m->engine);
		m->res = mxg_message_result(m->engine);
		m->verdict = m->res->verdict;
		if (m->res->internal_error)
			mxg_log(MXG_LOG_WARNING, "internal error: %s", m->res->error_why);
		if (m->res->authres[0] == '\0')
			mxg_log(MXG_LOG_WARNING, "Authentication-Results value does not fit; not added");
	}
	if (m->internal_error || m->engine == NULL) {
		struct mxg_verdict_input in = { 0 };
		in.internal_error = 1;
		mxg_verdict_decide(&c->cfg->policy, &in, &m->verdict);
		return;
	}
	milter_record_message(m->res, c->have_addr ? &c->addr : NULL, m->rcpt, c->cfg->dmarc_mode);
}

static void log_dkim(const struct mxg_message_result *r, char *buf, size_t size)
{
	buf[0] = '\0';
	if (r->dkim_count == 0)
		mxg_strlcpy(buf, "none", size);
	for (size_t i = 0; i < r->dkim_count; i++) {
		const struct mxg_dkim_sig_result *d = &r->dkim[i];
		int pass = d->result == MXG_DKIM_PASS;
		if (mxg_strcatf(buf, size, "%s%s(d=%s,s=%s%s%s)", i ? "," : "",
				mxg_dkim_result_name(d->result), d->domain, d->selector,
				pass ? "" : ",", pass ? "" : d->reason) != 0)
			break;
	}
}

static void log_dmarc(const struct mxg_message_result *r, char *buf, size_t size)
{
	const struct mxg_dmarc_outcome *d = &r->dmarc;

	if (r->from_domain_count == 0) {
		snprintf(buf, size, "%s(from=%s)", mxg_dmarc_result_name(d->result),
			 mxg_from_status_name(r->from_status));
		return;
	}
	snprintf(buf, size, "%s(p=%s,applied=%s,aligned=%s%s%s%s%s%s)", mxg_dmarc_result_name(d->result),
		 mxg_dmarc_policy_name(d->published), mxg_dmarc_policy_name(d->policy),
		 d->spf_aligned ? "spf" : "", d->spf_aligned && d->dkim_aligned ? "+" : "",
		 d->dkim_aligned ? "dkim" : (d->spf_aligned ? "" : "none"),
		 r->from_status != MXG_FROM_OK ? ",from=" : "",
		 r->from_status != MXG_FROM_OK ? mxg_from_status_name(r->from_status) : "",
		 r->from_domain_count > 1 ? ",several-authors" : "");
}

/* arc=none, arc=pass(i=N,d=D), or arc=fail|temperror(i=N,d=D,reason). */
static void log_arc(const struct mxg_message_result *r, char *buf, size_t size)
{
	const struct mxg_arc_result *a = r->arc;

	if (a == NULL || a->result == MXG_ARC_NONE) {
		mxg_strlcpy(buf, "none", size);
		return;
	}
	snprintf(buf, size, "%s(i=%u,d=%s%s%s)", mxg_arc_result_name(a->result), a->instances,
		 a->domain[0] ? a->domain : "-", a->reason[0] ? "," : "", a->reason);
	if (r->verdict.trusted_forwarder)
		(void)mxg_strcatf(buf, size, " override=trusted_forwarder(sealer=%s,i=%u,%s)",
				  r->arc_override.sealer, r->arc_override.instance, r->arc_override.basis);
}

/* Outbound: dkim=signed(d=D,s=S1,S2,by=KIND) or unsigned(by=KIND). */
static void log_signed(const struct milter_msg *m, char *buf, size_t size)
{
	const struct milter_sign_msg *s = &m->sign;

	if (s->nfields > 0)
		snprintf(buf, size, "signed(d=%.253s,s=%.120s,by=%s)", s->domain, s->selectors,
			 milter_outbound_name(m->outbound));
	else
		snprintf(buf, size, "unsigned(by=%s)", milter_outbound_name(m->outbound));
}

void milter_msg_log(const struct milter_conn *c, const char *queue_id, const char *outcome)
{
	const struct milter_msg *m = c->msg;
	const struct mxg_message_result *r;
	char dkim[512] = "-", dmarc[200] = "-", arc[96 + MXG_DKIM_REASON_MAX + MXG_DNS_NAME_MAX] = "-";

	if (m == NULL)
		return;
	r = m->res;
	if (r != NULL) {
		log_dkim(r, dkim, sizeof(dkim));
		log_dmarc(r, dmarc, sizeof(dmarc));
		log_arc(r, arc, sizeof(arc));
	}
	if (m->outbound != MILTER_OUTBOUND_NO)
		log_signed(m, dkim, sizeof(dkim));
	mxg_log(MXG_LOG_INFO, "%s: client=%s[%s] helo=%s mail_from=<%s>%s%s header_from=%s"
		" spf=%s spf_helo=%s dkim=%s dmarc=%s arc=%s action=%s (%s)",
		queue_id != NULL && queue_id[0] ? queue_id : "NOQUEUE",
		c->host[0] ? c->host : "unknown", c->addr_text, c->helo[0] ? c->helo : "-",
		m->mail_from, m->auth_user[0] ? " auth=" : "", m->auth_user,
		r != NULL && r->dmarc.from_domain[0] ? r->dmarc.from_domain :
		m->sign.from_domain[0] ? m->sign.from_domain : "-",
		r != NULL && r->spf_done ? mxg_spf_result_name(r->spf.result) : "-",
		r != NULL && r->helo_done ? mxg_spf_result_name(r->helo.result) : "-",
		dkim, dmarc, arc, outcome, m->verdict.why != NULL ? m->verdict.why : "-");
}

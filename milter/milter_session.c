/* The checks of one message as libmilter's callbacks hand it over: SPF at MAIL FROM (so the
 * lookups overlap the client sending its data), DKIM streamed, DMARC and verdict at the end. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "milter_session.h"
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

void milter_msg_end(struct milter_conn *c)
{
	struct milter_msg *m = c->msg;

	if (m == NULL)
		return;
	mxg_dkim_verifier_free(m->dkim);
	for (size_t i = 0; i < MILTER_FROM_KEEP; i++)
		free(m->from_value[i]);
	milter_ar_release(&m->ar);
	free(m);
	c->msg = NULL;
}

static void msg_error(struct milter_msg *m, const char *why)
{
	if (!m->internal_error)
		mxg_strlcpy(m->error_why, why, sizeof(m->error_why));
	m->internal_error = 1;
}

/* "<a@b>" (blanks allowed around) to "a@b"; returns 0, or -1 if it does not fit. */
static int reverse_path(const char *arg, char *out, size_t size)
{
	size_t n;

	while (*arg == ' ' || *arg == '\t')
		arg++;
	if (*arg == '<')
		arg++;
	n = strlen(arg);
	while (n > 0 && (arg[n - 1] == ' ' || arg[n - 1] == '\t'))
		n--;
	if (n > 0 && arg[n - 1] == '>')
		n--;
	if (n >= size)
		return -1;
	memcpy(out, arg, n);
	out[n] = '\0';
	return 0;
}

static void run_spf(struct milter_runtime *rt, struct milter_conn *c, struct milter_msg *m)
{
	struct mxg_spf_options opt = { 0 };

	if (!c->have_addr || m->mail_from_too_long)
		return;
	opt.budget_ms = c->cfg->spf_time_limit_ms;
	opt.receiver = c->cfg->authserv_id;
	mxg_spf_check_mailfrom(rt->resolver, &opt, &c->addr, m->mail_from, c->helo, &m->spf);
	m->spf_done = 1;
	if (c->cfg->spf_helo && c->helo[0] != '\0') {
		mxg_spf_check_helo(rt->resolver, &opt, &c->addr, c->helo, &m->helo);
		m->helo_done = 1;
	}
}

int milter_msg_begin(struct milter_runtime *rt, struct milter_conn *c, const char *arg,
		     const char *auth)
{
	struct mxg_dkim_options dopt = { 0 };
	struct milter_msg *m;

	milter_msg_end(c);
	m = calloc(1, sizeof(*m));
	if (m == NULL)
		return -1;
	c->msg = m;
	if (reverse_path(arg != NULL ? arg : "", m->mail_from, sizeof(m->mail_from)) != 0)
		m->mail_from_too_long = 1;
	if (auth != NULL && auth[0] != '\0') {
		mxg_strlcpy(m->auth_user, auth, sizeof(m->auth_user));
		m->skip = !c->cfg->authenticated_soften;
	}
	if (m->skip)
		return 0;
	dopt.max_signatures = (unsigned)c->cfg->max_signatures;
	dopt.min_rsa_bits = (unsigned)c->cfg->min_rsa_bits;
	dopt.max_header_bytes = c->cfg->max_header_bytes;
	m->dkim = mxg_dkim_verifier_new(rt->resolver, rt->keys, &dopt);
	if (m->dkim == NULL)
		msg_error(m, "out of memory for the DKIM verifier");
	run_spf(rt, c, m);
	return 0;
}

/* Every From field counts, not only the first: a second From of another domain must not
 * slip past DMARC. Values are kept whatever the header size cap, each up to a bound. */
static void keep_from(struct milter_msg *m, const char *value)
{
	size_t n = strlen(value);
	unsigned i = m->from_fields++;

	if (i >= MILTER_FROM_KEEP || n > MILTER_FROM_VALUE_MAX)
		return;
	m->from_value[i] = mxg_strndup(value, n);
	if (m->from_value[i] == NULL)
		msg_error(m, "out of memory keeping From");
}

static void dkim_header(struct milter_conn *c, struct milter_msg *m, const char *name,
			const char *value)
{
	char *v;
	size_t n;

	if (m->dkim == NULL)
		return;
	if (c->leadspc) {
		if (mxg_dkim_header(m->dkim, name, value) != 0)
			msg_error(m, "out of memory in DKIM headers");
		return;
	}
	/* Without SMFIP_HDR_LEADSPC the MTA dropped the blank after the colon; put one back. */
	n = strlen(value);
	v = malloc(n + 2);
	if (v == NULL) {
		msg_error(m, "out of memory in DKIM headers");
		return;
	}
	v[0] = ' ';
	memcpy(v + 1, value, n + 1);
	if (mxg_dkim_header(m->dkim, name, v) != 0)
		msg_error(m, "out of memory in DKIM headers");
	free(v);
}

void milter_msg_header(struct milter_conn *c, const char *name, const char *value)
{
	struct milter_msg *m = c->msg;

	if (m == NULL || name == NULL || value == NULL)
		return;
	m->header_bytes += strlen(name) + strlen(value) + 3;
	if (milter_ar_note(&m->ar, name, value, c->cfg->authserv_id) != 0)
		msg_error(m, "out of memory noting Authentication-Results");
	if (m->skip)
		return;
	if (mxg_strcaseeq(name, "From"))
		keep_from(m, value);
	dkim_header(c, m, name, value);
}

void milter_msg_eoh(struct milter_conn *c)
{
	struct milter_msg *m = c->msg;

	if (m != NULL && m->dkim != NULL && mxg_dkim_end_headers(m->dkim) != 0)
		msg_error(m, "out of memory at end of headers");
}

void milter_msg_body(struct milter_conn *c, const unsigned char *data, size_t len)
{
	struct milter_msg *m = c->msg;

	if (m != NULL && m->dkim != NULL && mxg_dkim_body(m->dkim, data, len) != 0)
		msg_error(m, "out of memory hashing the body");
}

static int add_domain(struct milter_msg *m, const char *d)
{
	for (size_t i = 0; i < m->from_domain_count; i++)
		if (mxg_dns_name_equal(m->from_domains[i], d))
			return 0;
	mxg_strlcpy(m->from_domains[m->from_domain_count++], d, MXG_DNS_NAME_MAX);
	return 1;
}

/* The author domain(s). One field, or several naming the same domain: OK. Several naming
 * different domains: MULTIPLE_FIELDS, and DMARC judges each domain. Anything unreadable
 * (no From, too many, a value we could not parse): that status and no domain. */
static void find_from(struct milter_msg *m)
{
	char d[MXG_DNS_NAME_MAX];

	m->from_status = MXG_FROM_OK;
	m->from_domain_count = 0;
	if (m->from_fields == 0 || m->from_fields > MILTER_FROM_KEEP)
		m->from_status = m->from_fields == 0 ? MXG_FROM_MISSING : MXG_FROM_MULTIPLE_FIELDS;
	for (unsigned i = 0; m->from_status == MXG_FROM_OK && i < m->from_fields; i++) {
		if (m->from_value[i] == NULL)
			m->from_status = MXG_FROM_INVALID;
		else
			m->from_status = mxg_from_domain(m->from_value[i], d, sizeof(d));
		if (m->from_status == MXG_FROM_OK)
			add_domain(m, d);
	}
	if (m->from_status != MXG_FROM_OK) {
		m->from_domain_count = 0;
		m->from_domain[0] = '\0';
		return;
	}
	mxg_strlcpy(m->from_domain, m->from_domains[0], sizeof(m->from_domain));
	if (m->from_domain_count > 1)
		m->from_status = MXG_FROM_MULTIPLE_FIELDS;
}

/* The domain SPF's MAIL FROM result speaks for: the reverse-path's, or HELO's for <>. */
static const char *spf_domain(const struct milter_conn *c, const struct milter_msg *m)
{
	const char *at = strrchr(m->mail_from, '@');

	if (m->mail_from[0] == '\0')
		return c->helo;
	return at != NULL ? at + 1 : m->mail_from;
}

/* How much a DMARC outcome asks of us, to keep the worst over several author domains. */
static int dmarc_weight(const struct mxg_dmarc_outcome *o)
{
	if (o->result == MXG_DMARC_FAIL)
		return o->policy == MXG_DMARC_POLICY_REJECT ? 4 : o->policy == MXG_DMARC_POLICY_QUARANTINE ? 3 : 1;
	return o->result == MXG_DMARC_TEMPERROR ? 2 : 0;
}

static void run_dmarc(struct milter_runtime *rt, struct milter_conn *c, struct milter_msg *m,
		      const struct mxg_dmarc_dkim_input *dk, size_t n)
{
	struct mxg_dmarc_options opt = { 0 };
	struct mxg_dmarc_input in = { 0 };
	struct mxg_dmarc_outcome *o;

	opt.mode = c->cfg->dmarc_mode;
	opt.psl = rt->psl;
	opt.apply_pct = 1;
	in.spf = m->spf_done ? m->spf.result : MXG_SPF_NONE;
	in.spf_domain = spf_domain(c, m);
	in.dkim_count = n;
	in.dkim = dk;
	in.from_domain = m->from_domains[0];
	mxg_dmarc_evaluate(rt->resolver, &opt, &in, &m->dmarc);
	m->dmarc_done = 1;
	if (m->from_domain_count < 2)
		return;
	if ((o = malloc(sizeof(*o))) == NULL) {
		msg_error(m, "out of memory for DMARC");
		return;
	}
	for (size_t i = 1; i < m->from_domain_count; i++) {
		in.from_domain = m->from_domains[i];
		mxg_dmarc_evaluate(rt->resolver, &opt, &in, o);
		if (dmarc_weight(o) > dmarc_weight(&m->dmarc))
			m->dmarc = *o;
	}
	free(o);
	mxg_strlcpy(m->from_domain, m->dmarc.from_domain, sizeof(m->from_domain));
}

static void format_authres(const struct milter_conn *c, struct milter_msg *m,
			   const struct mxg_dkim_sig_result *sigs, size_t n)
{
	struct mxg_authres_input in = { 0 };

	in.authserv_id = c->cfg->authserv_id;
	in.spf = m->spf_done ? &m->spf : NULL;
	in.helo = m->helo_done ? &m->helo : NULL;
	in.dkim_count = n;
	in.dkim = sigs;
	in.dmarc = m->dmarc_done ? &m->dmarc : NULL;
	in.arc = m->dkim != NULL ? mxg_dkim_arc(m->dkim) : NULL;
	if (mxg_authres_format(&in, 1, m->authres, sizeof(m->authres)) != 0)
		msg_error(m, "Authentication-Results value too long");
}

/* DKIM results copied out of the verifier into one array (the A-R formatter wants that). */
static struct mxg_dkim_sig_result *collect_sigs(struct milter_msg *m, size_t *n)
{
	struct mxg_dkim_sig_result *sigs;

	*n = 0;
	if (m->dkim == NULL || mxg_dkim_finish(m->dkim) < 0)
		return NULL;
	*n = mxg_dkim_result_count(m->dkim);
	if (*n == 0)
		return NULL;
	sigs = calloc(*n, sizeof(*sigs));
	if (sigs == NULL) {
		msg_error(m, "out of memory for DKIM results");
		*n = 0;
		return NULL;
	}
	for (size_t i = 0; i < *n; i++)
		sigs[i] = *mxg_dkim_result_get(m->dkim, i);
	return sigs;
}

static void decide(struct milter_conn *c, struct milter_msg *m,
		   const struct mxg_dkim_sig_result *sigs, size_t n)
{
	struct milter_verdict_input in = { 0 };

	in.scope = (c->kind == MILTER_CLIENT_INTERNAL || m->auth_user[0] != '\0') ?
		   MILTER_SCOPE_SOFT : MILTER_SCOPE_FULL;
	in.internal_error = m->internal_error;
	in.from_status = m->from_status;
	in.spf = m->spf_done ? &m->spf : NULL;
	in.dkim_count = n;
	in.dkim = sigs;
	in.dmarc = m->dmarc_done ? &m->dmarc : NULL;
	milter_verdict_decide(&c->cfg->policy, &in, &m->verdict);
}

void milter_msg_finish(struct milter_runtime *rt, struct milter_conn *c)
{
	struct milter_msg *m = c->msg;
	struct mxg_dkim_sig_result *sigs;
	struct mxg_dmarc_dkim_input *dk = NULL;
	size_t n;

	if (m->skip) {
		m->verdict.action = MILTER_ACTION_ACCEPT;
		m->verdict.why = "authenticated";
		return;
	}
	sigs = collect_sigs(m, &n);
	find_from(m);
	if (n > 0 && (dk = calloc(n, sizeof(*dk))) == NULL)
		msg_error(m, "out of memory for DMARC input");
	for (size_t i = 0; dk != NULL && i < n; i++) {
		dk[i].result = sigs[i].result;
		dk[i].domain = sigs[i].domain;
	}
	if (!m->internal_error && m->from_domain_count > 0)
		run_dmarc(rt, c, m, dk, dk != NULL ? n : 0);
	if (!m->internal_error)
		format_authres(c, m, sigs, n);
	decide(c, m, sigs, n);
	if (m->internal_error)
		mxg_log(MXG_LOG_WARNING, "internal error: %s", m->error_why);
	free(dk);
	free(sigs);
}

static void log_dkim(const struct milter_msg *m, char *buf, size_t size)
{
	size_t n = m->dkim != NULL ? mxg_dkim_result_count(m->dkim) : 0;

	buf[0] = '\0';
	if (n == 0)
		mxg_strlcpy(buf, "none", size);
	for (size_t i = 0; i < n; i++) {
		const struct mxg_dkim_sig_result *r = mxg_dkim_result_get(m->dkim, i);
		int pass = r->result == MXG_DKIM_PASS;
		if (mxg_strcatf(buf, size, "%s%s(d=%s,s=%s%s%s)", i ? "," : "",
				mxg_dkim_result_name(r->result), r->domain, r->selector,
				pass ? "" : ",", pass ? "" : r->reason) != 0)
			break;
	}
}

static void log_dmarc(const struct milter_msg *m, char *buf, size_t size)
{
	const struct mxg_dmarc_outcome *d = &m->dmarc;

	if (!m->dmarc_done) {
		snprintf(buf, size, "none(from=%s)", mxg_from_status_name(m->from_status));
		return;
	}
	snprintf(buf, size, "%s(p=%s,applied=%s,aligned=%s%s%s)", mxg_dmarc_result_name(d->result),
		 mxg_dmarc_policy_name(d->published), mxg_dmarc_policy_name(d->policy),
		 d->spf_aligned ? "spf" : "", d->spf_aligned && d->dkim_aligned ? "+" : "",
		 d->dkim_aligned ? "dkim" : (d->spf_aligned ? "" : "none"));
}

/* arc=none, arc=pass(i=N,d=D), or arc=fail|temperror(i=N,d=D,reason). */
static void log_arc(const struct milter_msg *m, char *buf, size_t size)
{
	const struct mxg_arc_result *a = m->dkim != NULL ? mxg_dkim_arc(m->dkim) : NULL;

	if (a == NULL || a->result == MXG_ARC_NONE) {
		mxg_strlcpy(buf, "none", size);
		return;
	}
	snprintf(buf, size, "%s(i=%u,d=%s%s%s)", mxg_arc_result_name(a->result), a->instances,
		 a->domain[0] ? a->domain : "-", a->reason[0] ? "," : "", a->reason);
}

void milter_msg_log(const struct milter_conn *c, const char *queue_id, const char *outcome)
{
	const struct milter_msg *m = c->msg;
	char dkim[512], dmarc[160], arc[96 + MXG_DKIM_REASON_MAX + MXG_DNS_NAME_MAX];

	if (m == NULL)
		return;
	log_dkim(m, dkim, sizeof(dkim));
	log_dmarc(m, dmarc, sizeof(dmarc));
	log_arc(m, arc, sizeof(arc));
	mxg_log(MXG_LOG_INFO, "%s: client=%s[%s] helo=%s mail_from=<%s>%s%s header_from=%s"
		" spf=%s spf_helo=%s dkim=%s dmarc=%s arc=%s action=%s (%s)",
		queue_id != NULL && queue_id[0] ? queue_id : "NOQUEUE",
		c->host[0] ? c->host : "unknown", c->addr_text, c->helo[0] ? c->helo : "-",
		m->mail_from, m->auth_user[0] ? " auth=" : "", m->auth_user,
		m->from_domain[0] ? m->from_domain : "-",
		m->spf_done ? mxg_spf_result_name(m->spf.result) : "-",
		m->helo_done ? mxg_spf_result_name(m->helo.result) : "-",
		m->skip ? "-" : dkim, m->skip ? "-" : dmarc, m->skip ? "-" : arc, outcome,
		m->verdict.why != NULL ? m->verdict.why : "-");
}

/* The rule engine: one pure decision over a policy request, the rules and DNS data reached
 * through a view (the MX cache). Rules run in a fixed order; the first reject/defer decides. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxguard/str.h"
#include "policyd.h"
#include "policyd_spf.h"

/* SMTP reply codes per rule: permanent, then temporary. */
static const char *const codes[POLICYD_R__COUNT][2] = {
	[POLICYD_R_CONNECTOR] = { "550 5.7.1", "451 4.7.1" },
	[POLICYD_R_MX_BYPASS] = { "550 5.7.1", "451 4.7.1" },
	[POLICYD_R_FULLY_MAPPED] = { "550 5.1.1", "450 4.1.1" },
	[POLICYD_R_NULL_MX_RECIPIENT] = { "556 5.1.10", "450 4.1.10" },
	[POLICYD_R_NULL_MX_SENDER] = { "550 5.7.27", "450 4.7.27" },
	[POLICYD_R_UNROUTABLE_SENDER] = { "550 5.1.8", "451 4.1.8" },
	[POLICYD_R_BROKEN_MX] = { "550 5.1.8", "451 4.1.8" },
	[POLICYD_R_SPF] = { "550 5.7.23", "451 4.7.24" },
};

struct ctx {
	const struct policyd_rules *r;
	const struct policyd_request *q;
	const struct policyd_dns_view *dns;
	const struct policyd_domain *rd;   /* section of the recipient domain, or NULL */
	char rdomain[MXG_DNS_NAME_MAX];    /* recipient domain, "" if none */
	char sdomain[MXG_DNS_NAME_MAX];    /* sender domain, "" if none */
	struct mxg_addr client;
	int have_client;
	int trusted_connector;
	struct policyd_verdict *v;
	int decided;
	enum policyd_rule_id warn_rule;    /* first rule that warned, or __COUNT */
	char warn_text[POLICYD_TEXT_MAX];
	enum policyd_rule_id prepend_rule;
	char prepend_text[POLICYD_TEXT_MAX];
};

static int state_is(const struct policyd_request *q, const char *s)
{
	return q->protocol_state != NULL && strcmp(q->protocol_state, s) == 0;
}

static int domain_key_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct policyd_domain *)elem)->name);
}

static const struct policyd_domain *section_exact(const struct policyd_rules *r, const char *name)
{
	if (r->n_domains == 0)
		return NULL;
	return bsearch(name, r->domains, r->n_domains, sizeof(r->domains[0]), domain_key_cmp);
}

/* The nearest "*.parent" section for a name below parent, starting at "*.from". */
static const struct policyd_domain *section_wild(const struct policyd_rules *r, const char *from,
						 int need_route)
{
	char wild[MXG_DNS_NAME_MAX + 2];

	for (const char *p = from; p != NULL; p = strchr(p, '.')) {
		if (*p == '.')
			p++;
		snprintf(wild, sizeof(wild), "*.%s", p);
		const struct policyd_domain *d = section_exact(r, wild);
		if (d != NULL && (!need_route || d->route[0]))
			return d;
	}
	return NULL;
}

/* The section for domain: "domain" itself, else "*.parent" for the nearest parent.
 * With need_route, only sections that give a route count. */
static const struct policyd_domain *section_find(const struct policyd_rules *r, const char *domain,
						 int need_route)
{
	const struct policyd_domain *d = section_exact(r, domain);
	const char *parent = strchr(domain, '.');

	if (d != NULL && (!need_route || d->route[0]))
		return d;
	return parent ? section_wild(r, parent + 1, need_route) : NULL;
}

static enum policyd_action action_of(const struct ctx *c, enum policyd_rule_id id)
{
	if (c->rd != NULL && c->rd->act[id] != POLICYD_INHERIT)
		return c->rd->act[id];
	return c->r->act[id];
}

static int warn_only(const struct ctx *c)
{
	if (c->rd != NULL && c->rd->warn_only >= 0)
		return c->rd->warn_only;
	return c->r->warn_only;
}

/* The domain of an address (after the last '@'), normalised; "" when there is none. */
static void domain_of(const char *addr, char *out, size_t size)
{
	const char *at = addr ? strrchr(addr, '@') : NULL;
	out[0] = '\0';
	if (at != NULL && mxg_dns_name_normalize(at + 1, out, size) < 0)
		out[0] = '\0';
}

static void note(struct ctx *c, const char *fmt, const char *a, const char *b)
{
	struct policyd_verdict *v = c->v;
	if (v->notes[0])
		mxg_strlcat(v->notes, "; ", sizeof(v->notes));
	mxg_strcatf(v->notes, sizeof(v->notes), fmt, a, b);
}

/* Records that rule id fired with text. temp marks a temporary DNS failure: it may
 * defer, never reject. Returns 1 when the decision is final. */
static int fire(struct ctx *c, enum policyd_rule_id id, enum policyd_action act, int temp,
		const char *text)
{
	struct policyd_verdict *v = c->v;
	const char *name = policyd_rule_name(id);
	char would[POLICYD_TEXT_MAX];

	if (temp && act == POLICYD_REJECT)
		act = POLICYD_DEFER;
	if ((act == POLICYD_REJECT || act == POLICYD_DEFER) && warn_only(c)) {
		v->warn_only = 1;
		snprintf(would, sizeof(would), "would %s: %.700s",
			 act == POLICYD_REJECT ? "reject" : "defer", text);
		text = would;
		act = POLICYD_WARN;
	}
	switch (act) {
	case POLICYD_REJECT:
	case POLICYD_DEFER:
		v->action = act;
		v->rule = id;
		snprintf(v->reply, sizeof(v->reply), "%s mxguard %s: %s",
			 codes[id][act == POLICYD_DEFER], name, text);
		mxg_strlcpy(v->reason, text, sizeof(v->reason));
		c->decided = 1;
		return 1;
	case POLICYD_WARN:
		if (c->warn_rule == POLICYD_R__COUNT) {
			c->warn_rule = id;
			mxg_strlcpy(c->warn_text, text, sizeof(c->warn_text));
		}
		note(c, "%s: %s", name, text);
		return 0;
	case POLICYD_PREPEND:
		if (c->prepend_rule == POLICYD_R__COUNT) {
			c->prepend_rule = id;
			mxg_strlcpy(c->prepend_text, text, sizeof(c->prepend_text));
		}
		note(c, "%s: %s", name, text);
		return 0;
	default:
		note(c, "%s: %s (dunno)", name, text);
		return 0;
	}
}

static int fp_listed(char *const *list, size_t n, const char *fp)
{
	if (fp == NULL || *fp == '\0')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (mxg_strcaseeq(list[i], fp))
			return 1;
	return 0;
}

static int rule_connector(struct ctx *c)
{
	const struct policyd_request *q = c->q;
	char text[POLICYD_TEXT_MAX];

	if (!c->have_client)
		return 0;
	for (size_t i = 0; i < c->r->n_connectors; i++) {
		const struct policyd_connector *k = &c->r->connectors[i];
		if (k->action == POLICYD_OFF || !mxg_cidr_list_match(&k->networks, &c->client))
			continue;
		int tls = q->encryption_protocol != NULL && q->encryption_protocol[0] != '\0';
		int want_fp = k->n_fp + k->n_pkfp > 0;
		int fp = fp_listed(k->fingerprints, k->n_fp, q->ccert_fingerprint) ||
			 fp_listed(k->pubkey_fps, k->n_pkfp, q->ccert_pubkey_fingerprint);
		if (k->require_tls && !tls)
			snprintf(text, sizeof(text), "client %s of connector %s must use TLS",
				 q->client_address, k->name);
		else if (want_fp && !fp)
			snprintf(text, sizeof(text),
				 "client %s of connector %s did not present the expected certificate",
				 q->client_address, k->name);
		else {
			c->trusted_connector = 1;
			return 0;
		}
		return fire(c, POLICYD_R_CONNECTOR, k->action, 0, text);
	}
	return 0;
}

static int in_mx(const struct policyd_mxinfo *m, const struct mxg_addr *a)
{
	for (unsigned i = 0; i < m->n_addrs; i++) {
		struct mxg_cidr host = { m->addrs[i], m->addrs[i].family == 4 ? 32u : 128u };
		if (mxg_cidr_match(&host, a))
			return 1;
	}
	return 0;
}

/* Fetches MX data; returns 0, or 1 when it must be fetched off the event loop. */
static int mx_get(struct ctx *c, const char *domain, struct policyd_mxinfo *m)
{
	int rc = c->dns->mx(c->dns->ctx, domain, c->dns->nonblocking, m);
	if (rc == 1)
		return 1;
	if (rc < 0) {
		memset(m, 0, sizeof(*m));
		m->state = POLICYD_MX_TEMPFAIL;
	}
	return 0;
}

static int rule_mx_bypass(struct ctx *c, int *need)
{
	struct policyd_mxinfo m;
	char text[POLICYD_TEXT_MAX];
	enum policyd_action act = action_of(c, POLICYD_R_MX_BYPASS);

	if (c->rd == NULL || act == POLICYD_OFF || !c->have_client || c->trusted_connector ||
	    c->rdomain[0] == '\0')
		return 0;
	if (mxg_cidr_list_match(&c->r->trusted, &c->client) ||
	    mxg_cidr_list_match(&c->rd->trusted, &c->client))
		return 0;
	if ((*need = mx_get(c, c->rdomain, &m)) != 0)
		return 0;
	if (m.state == POLICYD_MX_TEMPFAIL) {
		snprintf(text, sizeof(text), "MX hosts of %s cannot be resolved now", c->rdomain);
		return fire(c, POLICYD_R_MX_BYPASS, act, 1, text);
	}
	if (m.state == POLICYD_MX_OK && in_mx(&m, &c->client))
		return 0;
	if (m.state == POLICYD_MX_OK && (m.flags & POLICYD_MXF_PARTIAL)) {
		snprintf(text, sizeof(text), "some MX hosts of %s cannot be resolved now", c->rdomain);
		return fire(c, POLICYD_R_MX_BYPASS, act, 1, text);
	}
	snprintf(text, sizeof(text), "%s accepts mail only through its MX hosts, not from %s",
		 c->rdomain, c->q->client_address);
	return fire(c, POLICYD_R_MX_BYPASS, act, 0, text);
}

/* The recipient with any "+extension" removed from the local part, lower case. */
static void base_recipient(const struct policyd_rules *r, const char *rcpt, char *out, size_t size)
{
	mxg_strlcpy(out, rcpt, size);
	mxg_str_lower(out);
	char *at = strrchr(out, '@');
	if (at == NULL || r->recipient_delimiter[0] == '\0')
		return;
	for (char *p = out; p < at; p++) {
		if (strchr(r->recipient_delimiter, *p) != NULL) {
			memmove(p, at, strlen(at) + 1);
			return;
		}
	}
}

static int route_key_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct policyd_route *)elem)->recipient);
}

/* Routes are sorted by recipient, one per recipient (policyd_config.c). */
static const struct policyd_route *route_find(const struct policyd_rules *r, const char *rcpt)
{
	if (r->n_routes == 0)
		return NULL;
	return bsearch(rcpt, r->routes, r->n_routes, sizeof(r->routes[0]), route_key_cmp);
}

static int rule_fully_mapped(struct ctx *c)
{
	char base[520], text[POLICYD_TEXT_MAX];
	enum policyd_action act = action_of(c, POLICYD_R_FULLY_MAPPED);

	if (c->rd == NULL || act == POLICYD_OFF || c->q->recipient == NULL || c->rdomain[0] == '\0')
		return 0;
	base_recipient(c->r, c->q->recipient, base, sizeof(base));
	if (route_find(c->r, base) != NULL)
		return 0;
	snprintf(text, sizeof(text), "recipient <%.300s> has no route in fully mapped domain %s",
		 c->q->recipient, c->rd->name);
	return fire(c, POLICYD_R_FULLY_MAPPED, act, 0, text);
}

static int rule_null_mx_recipient(struct ctx *c, int *need)
{
	struct policyd_mxinfo m;
	char text[POLICYD_TEXT_MAX];
	enum policyd_action act = c->r->act[POLICYD_R_NULL_MX_RECIPIENT];

	if (c->rd != NULL || act == POLICYD_OFF || c->rdomain[0] == '\0')
		return 0;
	if ((*need = mx_get(c, c->rdomain, &m)) != 0 || m.state != POLICYD_MX_NULL)
		return 0;
	snprintf(text, sizeof(text), "recipient domain %s accepts no mail (null MX, RFC 7505)",
		 c->rdomain);
	return fire(c, POLICYD_R_NULL_MX_RECIPIENT, act, 0, text);
}

static void broken_text(const struct policyd_mxinfo *m, const char *domain, char *text, size_t n)
{
	static const struct { unsigned flag; const char *what; } why[] = {
		{ POLICYD_MXF_CNAME, "a target is an alias (CNAME)" },
		{ POLICYD_MXF_IPLITERAL, "a target is an IP literal" },
		{ POLICYD_MXF_UNUSABLE, "no target can take mail" },
	};
	const char *sep = " ";

	snprintf(text, n, "MX of sender domain %s is broken:", domain);
	for (size_t i = 0; i < sizeof(why) / sizeof(why[0]); i++) {
		if (m->flags & why[i].flag) {
			mxg_strlcat(text, sep, n);
			mxg_strlcat(text, why[i].what, n);
			sep = ", ";
		}
	}
}

static int rule_sender(struct ctx *c, int *need)
{
	struct policyd_mxinfo m;
	char text[POLICYD_TEXT_MAX];
	enum policyd_action nullact = action_of(c, POLICYD_R_NULL_MX_SENDER);
	enum policyd_action unr = action_of(c, POLICYD_R_UNROUTABLE_SENDER);
	enum policyd_action brk = action_of(c, POLICYD_R_BROKEN_MX);

	if (c->sdomain[0] == '\0' || (nullact == POLICYD_OFF && unr == POLICYD_OFF && brk == POLICYD_OFF))
		return 0;
	if ((*need = mx_get(c, c->sdomain, &m)) != 0)
		return 0;
	switch (m.state) {
	case POLICYD_MX_NULL:
		if (nullact == POLICYD_OFF)
			return 0;
		snprintf(text, sizeof(text), "sender domain %s sends and accepts no mail (null MX, RFC 7505)",
			 c->sdomain);
		return fire(c, POLICYD_R_NULL_MX_SENDER, nullact, 0, text);
	case POLICYD_MX_NXDOMAIN:
	case POLICYD_MX_NOMAIL:
		if (unr == POLICYD_OFF)
			return 0;
		snprintf(text, sizeof(text), "sender domain %s %s", c->sdomain,
			 m.state == POLICYD_MX_NXDOMAIN ? "does not exist" : "has no MX and no address");
		return fire(c, POLICYD_R_UNROUTABLE_SENDER, unr, 0, text);
	case POLICYD_MX_TEMPFAIL:
		if (unr == POLICYD_OFF)
			return 0;
		snprintf(text, sizeof(text), "sender domain %s cannot be resolved now", c->sdomain);
		return fire(c, POLICYD_R_UNROUTABLE_SENDER, unr, 1, text);
	case POLICYD_MX_OK:
		if (brk == POLICYD_OFF || (m.flags & POLICYD_MXF_BROKEN) == 0)
			return 0;
		broken_text(&m, c->sdomain, text, sizeof(text));
		return fire(c, POLICYD_R_BROKEN_MX, brk, 0, text);
	}
	return 0;
}

static int rule_spf(struct ctx *c, int *need)
{
	struct policyd_spf_verdict s;
	enum policyd_action act = action_of(c, POLICYD_R_SPF);

	if (act == POLICYD_OFF || !c->have_client || c->q->sender == NULL ||
	    c->trusted_connector || c->dns->resolver == NULL)
		return 0;
	if (c->dns->nonblocking) {
		*need = 1;
		return 0;
	}
	if (policyd_spf_check(c->r, c->dns->resolver, c->q, &c->client, &s) < 0)
		return 0;
	/* With prepend, a fail is only recorded in the header like every other result. */
	if (s.fail && act != POLICYD_PREPEND)
		return fire(c, POLICYD_R_SPF, act, 0, s.text);
	if (s.temperror && (act == POLICYD_REJECT || act == POLICYD_DEFER))
		return fire(c, POLICYD_R_SPF, POLICYD_DEFER, 1, s.text);
	if (act == POLICYD_DUNNO || s.header[0] == '\0')
		return 0;
	/* Any other result: a Received-SPF header, unless a rule decides first. */
	c->prepend_rule = POLICYD_R_SPF;
	mxg_strlcpy(c->prepend_text, s.header, sizeof(c->prepend_text));
	return 0;
}

static void conclude(struct ctx *c)
{
	struct policyd_verdict *v = c->v;

	if (c->decided)
		return;
	if (c->prepend_rule == POLICYD_R_SPF) {
		v->action = POLICYD_PREPEND;
		v->rule = POLICYD_R_SPF;
		snprintf(v->reply, sizeof(v->reply), "PREPEND Received-SPF: %.700s", c->prepend_text);
		mxg_strlcpy(v->reason, c->prepend_text, sizeof(v->reason));
	} else if (c->warn_rule != POLICYD_R__COUNT) {
		v->action = POLICYD_WARN;
		v->rule = c->warn_rule;
		snprintf(v->reply, sizeof(v->reply), "WARN mxguard %s: %.700s",
			 policyd_rule_name(c->warn_rule), c->warn_text);
		mxg_strlcpy(v->reason, c->warn_text, sizeof(v->reason));
	} else if (c->prepend_rule != POLICYD_R__COUNT) {
		v->action = POLICYD_PREPEND;
		v->rule = c->prepend_rule;
		snprintf(v->reply, sizeof(v->reply), "PREPEND X-Mxguard-Policy: %s; %.680s",
			 policyd_rule_name(c->prepend_rule), c->prepend_text);
		mxg_strlcpy(v->reason, c->prepend_text, sizeof(v->reason));
	} else {
		v->action = POLICYD_DUNNO;
		v->rule = POLICYD_R__COUNT;
		mxg_strlcpy(v->reply, "DUNNO", sizeof(v->reply));
	}
}

static void ctx_init(struct ctx *c, const struct policyd_rules *rules, const struct policyd_request *q,
		     const struct policyd_dns_view *dns, struct policyd_verdict *v)
{
	memset(c, 0, sizeof(*c));
	memset(v, 0, sizeof(*v));
	c->r = rules;
	c->q = q;
	c->dns = dns;
	c->v = v;
	c->warn_rule = c->prepend_rule = POLICYD_R__COUNT;
	v->rule = POLICYD_R__COUNT;
	c->have_client = q->client_address != NULL &&
			 mxg_addr_parse(q->client_address, &c->client, 1) == 0;
	domain_of(q->recipient, c->rdomain, sizeof(c->rdomain));
	domain_of(q->sender, c->sdomain, sizeof(c->sdomain));
	if (c->rdomain[0])
		c->rd = section_find(rules, c->rdomain, 0);
}

/* Postfix adjusts X.1.Y status codes to the class of the restriction list that gave them
 * (access(5), ENHANCED STATUS CODES): policy_context=sender in smtpd_sender_restrictions
 * runs the sender-domain rules alone so that 5.1.8 survives; "recipient" runs the others. */
enum policyd_context policyd_request_context(const struct policyd_request *q)
{
	if (q->policy_context != NULL && strcmp(q->policy_context, "sender") == 0)
		return POLICYD_CTX_SENDER;
	if (q->policy_context != NULL && strcmp(q->policy_context, "recipient") == 0)
		return POLICYD_CTX_RECIPIENT;
	return POLICYD_CTX_ALL;
}

const char *policyd_context_name(enum policyd_context c)
{
	static const char *const names[] = { "all", "sender", "recipient" };
	return (unsigned)c < sizeof(names) / sizeof(names[0]) ? names[c] : "all";
}

int policyd_decide(const struct policyd_rules *rules, const struct policyd_request *q,
		   const struct policyd_dns_view *dns, struct policyd_verdict *v)
{
	struct ctx c;
	int need = 0, rcpt = state_is(q, "RCPT"), mail = state_is(q, "MAIL");
	enum policyd_context ctx = policyd_request_context(q);
	int sender_only = ctx == POLICYD_CTX_SENDER, no_sender = ctx == POLICYD_CTX_RECIPIENT;

	ctx_init(&c, rules, q, dns, v);
	if (!sender_only && rule_connector(&c))
		goto done;
	if (!sender_only && rcpt && (rule_mx_bypass(&c, &need) || need))
		goto done;
	if (!sender_only && rcpt && rule_fully_mapped(&c))
		goto done;
	if (!sender_only && rcpt && (rule_null_mx_recipient(&c, &need) || need))
		goto done;
	if (!no_sender && (rcpt || mail) && (rule_sender(&c, &need) || need))
		goto done;
	if (!sender_only && rcpt)
		rule_spf(&c, &need);
done:
	if (need)
		return 1;
	conclude(&c);
	return 0;
}

int policyd_route_lookup(const struct policyd_rules *r, const char *key, char *out, size_t outsize)
{
	char base[520], dom[MXG_DNS_NAME_MAX + 2];
	const char *hop = NULL;

	if (strchr(key, '@') != NULL) {
		base_recipient(r, key, base, sizeof(base));
		const struct policyd_route *rt = route_find(r, base);
		if (rt != NULL)
			hop = rt->nexthop;
		key = strrchr(key, '@') + 1;
	}
	if (hop == NULL && strcmp(key, "*") != 0) {
		/* ".example.com" is Postfix asking for subdomains of example.com. */
		int sub = key[0] == '.';
		if (mxg_dns_name_normalize(key + sub, dom, sizeof(dom)) == 0 && dom[0]) {
			const struct policyd_domain *d = sub ? section_wild(r, dom, 1) : section_find(r, dom, 1);
			if (d != NULL)
				hop = d->route;
		}
	}
	if (hop == NULL && r->default_route[0])
		hop = r->default_route;
	if (hop == NULL)
		return 0;
	return mxg_strlcpy(out, hop, outsize) < outsize ? 1 : -1;
}

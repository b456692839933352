/* The message engine (message.h): the envelope runs SPF, header fields and body stream into the
 * DKIM/ARC verifier while the From fields are read, and the end of message evaluates DMARC over
 * every author domain, writes the Authentication-Results value and takes the verdict.
 * Message content can only make verdicts stricter: no value a sender controls leads to an
 * error path that accepts; the only internal error is a local fault (out of memory). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxguard/authres.h"
#include "mxguard/message.h"
#include "mxguard/str.h"

struct mxg_message {
	struct mxg_resolver *r;
	struct mxg_message_options opt;
	char authserv_id[MXG_DNS_NAME_MAX];
	int have_addr;
	struct mxg_addr addr;
	char helo[MXG_DNS_NAME_MAX];
	enum mxg_scope scope;
	char mail_from[MXG_SPF_TEXT_MAX];   /* reverse-path without <> */
	int mail_from_too_long;
	struct mxg_dkim_verifier *dkim;
	int eoh, finished;
	char *scratch;                      /* NUL-terminated copies for C-string interfaces */
	size_t scratch_cap;
	struct mxg_dkim_sig_result *sigs;
	char authres[MXG_MESSAGE_AUTHRES_MAX];
	struct mxg_message_result res;
};

static void internal_error(struct mxg_message *m, const char *why)
{
	if (!m->res.internal_error)
		mxg_strlcpy(m->res.error_why, why, sizeof(m->res.error_why));
	m->res.internal_error = 1;
}

struct mxg_message *mxg_message_new(struct mxg_resolver *r, const struct mxg_message_options *opt)
{
	struct mxg_message *m;

	if (opt == NULL || opt->authserv_id == NULL || opt->authserv_id[0] == '\0')
		return NULL;
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	m->r = r;
	m->opt = *opt;
	mxg_strlcpy(m->authserv_id, opt->authserv_id, sizeof(m->authserv_id));
	m->opt.authserv_id = m->authserv_id;
	m->dkim = mxg_dkim_verifier_new(r, opt->keys, &opt->dkim);
	if (m->dkim == NULL) {
		free(m);
		return NULL;
	}
	m->res.authres = m->authres;
	return m;
}

void mxg_message_free(struct mxg_message *m)
{
	if (m == NULL)
		return;
	mxg_dkim_verifier_free(m->dkim);
	free(m->scratch);
	free(m->sigs);
	free(m);
}

void mxg_message_client(struct mxg_message *m, const struct mxg_addr *addr)
{
	m->have_addr = addr != NULL;
	if (addr != NULL)
		m->addr = *addr;
}

void mxg_message_helo(struct mxg_message *m, const char *helo)
{
	/* An over-long HELO is no domain name; SPF then checks nothing for it. */
	if (helo == NULL || strlen(helo) >= sizeof(m->helo))
		helo = "";
	mxg_strlcpy(m->helo, helo, sizeof(m->helo));
}

void mxg_message_scope(struct mxg_message *m, enum mxg_scope scope)
{
	m->scope = scope;
}

int mxg_reverse_path(const char *arg, char *out, size_t size)
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

int mxg_message_mail_from(struct mxg_message *m, const char *arg)
{
	struct mxg_spf_options opt = { 0 };

	if (mxg_reverse_path(arg != NULL ? arg : "", m->mail_from, sizeof(m->mail_from)) != 0) {
		m->mail_from[0] = '\0';
		m->mail_from_too_long = 1;
	}
	if (!m->have_addr || m->mail_from_too_long)
		return 0;
	opt.budget_ms = m->opt.spf_budget_ms;
	opt.receiver = m->authserv_id;
	mxg_spf_check_mailfrom(m->r, &opt, &m->addr, m->mail_from, m->helo, &m->res.spf);
	m->res.spf_done = 1;
	if (m->opt.spf_helo && m->helo[0] != '\0') {
		mxg_spf_check_helo(m->r, &opt, &m->addr, m->helo, &m->res.helo);
		m->res.helo_done = 1;
	}
	return 0;
}

/* --- header fields --- */

/* A NUL-terminated copy of s in the scratch buffer, or NULL on ENOMEM. */
static char *scratch_copy(struct mxg_message *m, const char *s, size_t n)
{
	if (n + 1 > m->scratch_cap) {
		size_t cap = n + 1 + 256;
		char *p = realloc(m->scratch, cap);
		if (p == NULL)
			return NULL;
		m->scratch = p;
		m->scratch_cap = cap;
	}
	memcpy(m->scratch, s, n);
	m->scratch[n] = '\0';
	return m->scratch;
}

/* The field name without the blanks an obsolete sender may put before the colon. */
static size_t name_len(const char *name, size_t n)
{
	while (n > 0 && (name[n - 1] == ' ' || name[n - 1] == '\t'))
		n--;
	return n;
}

static int name_is(const char *name, size_t n, const char *want)
{
	return n == strlen(want) && mxg_strncaseeq(name, want, n);
}

/* Adds an author domain once; past the maximum the message is marked as overflowing. */
static int add_domain(void *arg, const char *d)
{
	struct mxg_message_result *res = arg;

	for (size_t i = 0; i < res->from_domain_count; i++)
		if (mxg_dns_name_equal(res->from_domains[i], d))
			return 0;
	if (res->from_domain_count == MXG_MESSAGE_DOMAINS_MAX) {
		res->from_overflow = 1;
		return 1;
	}
	mxg_strlcpy(res->from_domains[res->from_domain_count++], d, MXG_DNS_NAME_MAX);
	return 0;
}

/* One From field: its strict status, and its domain or, if it does not name exactly one
 * mailbox, every domain a lenient reading finds (RFC 7489 §6.6.1: all of them count). */
static void from_field(struct mxg_message *m, const char *value, size_t len)
{
	struct mxg_message_result *res = &m->res;
	char d[MXG_DNS_NAME_MAX];
	enum mxg_from_status s = mxg_from_domain_n(value, len, d, sizeof(d));

	res->from_fields++;
	if (s == MXG_FROM_OK) {
		add_domain(res, d);
	} else {
		res->from_lenient = 1;
		(void)mxg_from_lenient_domains(value, len, add_domain, res);
	}
	if (res->from_fields > 1)
		res->from_status = MXG_FROM_MULTIPLE_FIELDS;
	else
		res->from_status = s;
}

static int dkim_feed(struct mxg_message *m, const char *name, size_t nlen, const char *value,
		     size_t vlen)
{
	return mxg_dkim_header_n(m->dkim, name, nlen, value, vlen);
}

int mxg_message_header(struct mxg_message *m, const char *name, size_t nlen, const char *value,
		       size_t vlen)
{
	size_t n = name_len(name, nlen);

	if (m->finished || m->eoh)
		return 0;
	if (name_is(name, n, "from"))
		from_field(m, value, vlen);
	if (name_is(name, n, "authentication-results")) {
		const char *v = scratch_copy(m, value, vlen);
		if (v == NULL) {
			internal_error(m, "out of memory reading Authentication-Results");
			return -1;
		}
		if (mxg_authres_claims(v, m->authserv_id))
			m->res.forged_authres++;
	}
	if (dkim_feed(m, name, nlen, value, vlen) != 0) {
		internal_error(m, "out of memory in DKIM headers");
		return -1;
	}
	return 0;
}

int mxg_message_end_headers(struct mxg_message *m)
{
	if (m->eoh)
		return 0;
	m->eoh = 1;
	if (mxg_dkim_end_headers(m->dkim) != 0) {
		internal_error(m, "out of memory at end of headers");
		return -1;
	}
	return 0;
}

int mxg_message_body(struct mxg_message *m, const uint8_t *data, size_t len)
{
	if (!m->eoh && mxg_message_end_headers(m) != 0)
		return -1;
	if (m->finished || len == 0)
		return 0;
	if (mxg_dkim_body(m->dkim, data, len) != 0) {
		internal_error(m, "out of memory hashing the body");
		return -1;
	}
	return 0;
}

/* --- replay of a message held in memory --- */

/* The end of the line at p (just past its LF, or end). */
static const char *line_end(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));

	return nl != NULL ? nl + 1 : end;
}

/* Length of a field name at p followed (after optional blanks) by a colon, as an MTA reads a
 * header line: printable characters other than the colon. 0 if the line is not a field. */
static size_t field_name(const char *p, const char *end, size_t *colon)
{
	size_t n = 0, i;

	while (p + n < end && (unsigned char)p[n] > 0x20 && (unsigned char)p[n] < 0x7f && p[n] != ':')
		n++;
	for (i = n; p + i < end && (p[i] == ' ' || p[i] == '\t'); i++)
		;
	if (n == 0 || p + i >= end || p[i] != ':')
		return 0;
	*colon = i;
	return n;
}

/* The value's length without the field's final line break. */
static size_t value_len(const char *v, const char *field_end)
{
	size_t n = (size_t)(field_end - v);

	if (n > 0 && v[n - 1] == '\n')
		n--;
	if (n > 0 && v[n - 1] == '\r')
		n--;
	return n;
}

int mxg_message_replay(struct mxg_message *m, const char *msg, size_t len)
{
	const char *p = msg, *end = msg + len;

	/* A first line that continues nothing is no field: as at an MTA, all of it is body. */
	if (p < end && (*p == ' ' || *p == '\t'))
		m->res.header_malformed = 1;
	while (p < end && !m->res.header_malformed) {
		size_t colon, n = field_name(p, end, &colon);
		if (n == 0)
			break;
		const char *fend = line_end(p, end);
		while (fend < end && (*fend == ' ' || *fend == '\t'))
			fend = line_end(fend, end);
		const char *v = p + colon + 1;
		if (mxg_message_header(m, p, colon, v, value_len(v, fend)) != 0)
			return -1;
		p = fend;
	}
	if (p < end && *p == '\n')
		p++;
	else if (p + 1 < end && p[0] == '\r' && p[1] == '\n')
		p += 2;
	if (mxg_message_end_headers(m) != 0)
		return -1;
	return mxg_message_body(m, (const uint8_t *)p, (size_t)(end - p));
}

/* --- end of message --- */

/* DKIM results as DMARC takes them: a pass whose l= leaves body bytes unsigned proves nothing
 * about what the reader sees (RFC 6376 §8.2), so it counts as "policy", never as an aligned pass. */
static void collect_dkim(struct mxg_message *m)
{
	size_t n;

	if (mxg_dkim_finish(m->dkim) < 0) {
		internal_error(m, "out of memory verifying DKIM");
		return;
	}
	m->res.arc = mxg_dkim_arc(m->dkim);
	n = mxg_dkim_result_count(m->dkim);
	if (n == 0)
		return;
	if ((m->sigs = calloc(n, sizeof(*m->sigs))) == NULL) {
		internal_error(m, "out of memory for DKIM results");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct mxg_dkim_sig_result *s = &m->sigs[i];
		*s = *mxg_dkim_result_get(m->dkim, i);
		if (s->result == MXG_DKIM_PASS && s->body_has_unsigned_tail) {
			s->result = MXG_DKIM_POLICY;
			mxg_strlcpy(s->reason, "l= leaves part of the body unsigned", sizeof(s->reason));
		}
	}
	m->res.dkim = m->sigs;
	m->res.dkim_count = n;
}

/* How strongly an outcome speaks against the message; the strictest is the one reported, so a
 * pass is shown only when every author domain passes. */
static int dmarc_rank(const struct mxg_dmarc_outcome *o)
{
	switch (o->result) {
	case MXG_DMARC_FAIL:
		return o->policy == MXG_DMARC_POLICY_REJECT ? 6 :
		       o->policy == MXG_DMARC_POLICY_QUARANTINE ? 5 : 3;
	case MXG_DMARC_TEMPERROR: return 4;
	case MXG_DMARC_PERMERROR: return 2;
	case MXG_DMARC_NONE: return 1;
	default: return 0;
	}
}

/* The domain SPF's MAIL FROM result speaks for: the reverse-path's, or HELO's for <>. */
static const char *spf_domain(const struct mxg_message *m)
{
	const char *at = strrchr(m->mail_from, '@');

	if (m->mail_from[0] == '\0')
		return m->helo;
	return at != NULL ? at + 1 : m->mail_from;
}

static void no_author(struct mxg_message *m)
{
	struct mxg_dmarc_outcome *o = &m->res.dmarc;

	memset(o, 0, sizeof(*o));
	o->result = MXG_DMARC_PERMERROR;
	snprintf(o->reason, sizeof(o->reason), "no author domain in the From field (%s)",
		 mxg_from_status_name(m->res.from_status));
}

static void run_dmarc(struct mxg_message *m)
{
	struct mxg_message_result *res = &m->res;
	struct mxg_dmarc_options opt = { m->opt.dmarc_mode, m->opt.psl, m->opt.apply_pct };
	struct mxg_dmarc_input in = { 0 };
	struct mxg_dmarc_dkim_input *dk = NULL;
	struct mxg_dmarc_outcome *o;

	if (res->from_domain_count == 0) {
		no_author(m);
		return;
	}
	if ((o = malloc(sizeof(*o))) == NULL ||
	    (res->dkim_count > 0 && (dk = calloc(res->dkim_count, sizeof(*dk))) == NULL)) {
		free(o);
		internal_error(m, "out of memory for DMARC");
		no_author(m);
		return;
	}
	for (size_t i = 0; i < res->dkim_count; i++) {
		dk[i].result = res->dkim[i].result;
		dk[i].domain = res->dkim[i].domain;
	}
	in.spf = res->spf_done ? res->spf.result : MXG_SPF_NONE;
	in.spf_domain = spf_domain(m);
	in.dkim_count = res->dkim_count;
	in.dkim = dk;
	for (size_t i = 0; i < res->from_domain_count; i++) {
		in.from_domain = res->from_domains[i];
		mxg_dmarc_evaluate(m->r, &opt, &in, i == 0 ? &res->dmarc : o);
		if (i > 0 && dmarc_rank(o) > dmarc_rank(&res->dmarc))
			res->dmarc = *o;
	}
	free(o);
	free(dk);
}

/* The A-R value, shortened step by step until it fits: all results with whole reasons, then
 * fewer results and shorter reasons. The verdict never waits on it. */
static void format_authres(struct mxg_message *m)
{
	static const size_t tries[][2] = { { 0, 0 }, { 10, 80 }, { 3, 40 }, { 1, 12 } };
	const struct mxg_message_result *res = &m->res;
	struct mxg_authres_input in = { 0 };
	char comment[128 + MXG_DNS_NAME_MAX] = "";

	if (res->from_status != MXG_FROM_OK)
		snprintf(comment, sizeof(comment), "from=%s", mxg_from_status_name(res->from_status));
	if (res->from_domain_count > 1)
		(void)mxg_strcatf(comment, sizeof(comment), "%sauthor domains=%zu", comment[0] ? " " : "",
				  res->from_domain_count);
	if (res->verdict.trusted_forwarder)
		(void)mxg_strcatf(comment, sizeof(comment), "%sarc override: trusted forwarder %s i=%u",
				  comment[0] ? " " : "", res->arc_override.sealer,
				  res->arc_override.instance);
	in.authserv_id = m->authserv_id;
	in.spf = res->spf_done ? &res->spf : NULL;
	in.helo = res->helo_done ? &res->helo : NULL;
	in.dkim_count = res->dkim_count;
	in.dkim = res->dkim;
	in.dmarc = &res->dmarc;
	in.arc = res->arc;
	in.dmarc_comment = comment;
	in.disposition = &res->verdict.disposition;  /* decided first: dis= is what was done */
	for (size_t i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
		in.dkim_max = tries[i][0];
		in.reason_max = tries[i][1];
		if (mxg_authres_format(&in, m->opt.fold, m->authres, sizeof(m->authres)) == 0) {
			m->res.authres_shortened = i > 0;
			return;
		}
	}
	m->authres[0] = '\0';
}

static void decide(struct mxg_message *m)
{
	const struct mxg_message_result *res = &m->res;
	struct mxg_verdict_input in = { 0 };

	in.scope = m->scope;
	in.internal_error = res->internal_error;
	in.from_status = res->from_status;
	in.from_overflow = res->from_overflow;
	in.spf = res->spf_done ? &res->spf : NULL;
	in.dkim_count = res->dkim_count;
	in.dkim = res->dkim;
	in.dmarc = &res->dmarc;
	in.arc_override = &res->arc_override;
	mxg_verdict_decide(&m->opt.policy, &in, &m->res.verdict);
}

void mxg_message_finish(struct mxg_message *m)
{
	if (m->finished)
		return;
	(void)mxg_message_end_headers(m);
	m->finished = 1;
	collect_dkim(m);
	if (m->res.from_fields == 0)
		m->res.from_status = MXG_FROM_MISSING;
	run_dmarc(m);
	mxg_arc_override_judge(&m->opt.policy.arc_trust, m->dkim, &m->res.dmarc, m->res.from_status,
			       m->res.from_domain_count, &m->res.arc_override);
	decide(m);
	format_authres(m);
}

const struct mxg_message_result *mxg_message_result(const struct mxg_message *m)
{
	return &m->res;
}

const struct mxg_dkim_verifier *mxg_message_verifier(const struct mxg_message *m)
{
	return m->dkim;
}

/* Judging the probe: what each MX address said (reachability, STARTTLS, the certificate, the
 * recipient checks, its reverse name) and the TLSA records of each MX host, as findings whose
 * severity depends on what the domain publishes (DANE, MTA-STS enforce). Pure. */
#include <stdio.h>

#include "mxguard/probe.h"
#include "mxguard/str.h"

#define DAY 86400

/* "host [addr]": the subject of an address's findings. */
static void subject_of(const struct mxg_probe_result *r, char *out, size_t size)
{
	char a[64];

	if (mxg_addr_format(&r->addr, a, sizeof(a)) != 0)
		a[0] = '\0';
	mxg_strlcpy(out, r->host, size);
	mxg_strcatf(out, size, " [%s]", a);
}

/* Raises the severity of the finding just added to at least sev. */
static void raise_last(struct mxg_findings *out, enum mxg_severity sev)
{
	if (out->count > 0 && out->items[out->count - 1].severity < sev)
		out->items[out->count - 1].severity = sev;
}

/* Usable TLSA records signed for host h: senders doing DANE require TLS from it. */
static int dane_applies(const struct mxg_probe_input *in, int h)
{
	const struct mxg_probe_tlsa_set *s;

	if (h < 0 || (size_t)h >= in->host_count)
		return 0;
	s = &in->tlsa[h];
	/* With no chain, mxg_dane_match says 0 when a usable record exists, -1 when none. */
	return s->count > 0 && s->security == MXG_DNSSEC_SECURE &&
	       in->mx_security == MXG_DNSSEC_SECURE && mxg_dane_match(s->rr, s->count, NULL, 0) == 0;
}

static int finding_index(const struct mxg_probe_input *in, const struct mxg_probe_result *r)
{
	return in->implicit ? -1 : r->target;
}

static int sts_applies(const struct mxg_probe_input *in, int h)
{
	return h >= 0 && (size_t)h < in->host_count && in->sts_enforce[h];
}

/* Where TLS is required (DANE, MTA-STS enforce), no TLS means no mail from those senders. */
static enum mxg_severity tls_required(const struct mxg_probe_input *in, int h)
{
	if (dane_applies(in, h))
		return MXG_SEV_CRITICAL;
	return sts_applies(in, h) ? MXG_SEV_ERROR : MXG_SEV_INFO;
}

static int judge_cert(const struct mxg_probe_input *in, const struct mxg_probe_result *r,
		      const char *subj, struct mxg_findings *out)
{
	int idx = finding_index(in, r), rc = 0;

	if (r->tls_version != 0 && r->tls_version < 0x0303)
		rc |= mxg_findings_add(out, MXG_F_MX_TLS_OLD_PROTOCOL, idx, subj,
				       "%s negotiated %s, nothing newer", subj, r->tls_version_name);
	if (r->chain_count == 0 && r->not_after == 0)
		return rc;
	if (!r->cert_name_ok)
		rc |= mxg_findings_add(out, MXG_F_MX_TLS_CERT_NAME_MISMATCH, idx, subj,
				       "the certificate of %s does not cover %s", subj, r->host);
	if (r->not_after != 0 && in->now > r->not_after)
		rc |= mxg_findings_add(out, MXG_F_MX_TLS_CERT_EXPIRED, idx, subj,
				       "the certificate of %s expired %lld days ago", subj,
				       (long long)((in->now - r->not_after) / DAY));
	else if (r->not_before != 0 && in->now < r->not_before)
		rc |= mxg_findings_add(out, MXG_F_MX_TLS_CERT_EXPIRED, idx, subj,
				       "the certificate of %s is not valid yet", subj);
	else if (r->not_after != 0 && r->not_after - in->now < MXG_PROBE_EXPIRING_DAYS * DAY)
		rc |= mxg_findings_add(out, MXG_F_MX_TLS_CERT_EXPIRING, idx, subj,
				       "the certificate of %s expires in %lld days", subj,
				       (long long)((r->not_after - in->now) / DAY));
	if (!r->cert_trusted) {
		rc |= mxg_findings_add(out, MXG_F_MX_TLS_CERT_UNTRUSTED, idx, subj,
				       "the certificate of %s is not trusted: %s", subj,
				       r->cert_error[0] ? r->cert_error : "unknown reason");
		if (sts_applies(in, r->target))
			raise_last(out, MXG_SEV_ERROR);
	}
	return rc;
}

static int judge_tls(const struct mxg_probe_input *in, const struct mxg_probe_result *r,
		     const char *subj, struct mxg_findings *out)
{
	int idx = finding_index(in, r), rc = 0;

	if (!r->starttls_offered) {
		rc = mxg_findings_add(out, MXG_F_MX_NO_STARTTLS, idx, subj,
				      "%s does not offer STARTTLS", subj);
		raise_last(out, tls_required(in, r->target));
		return rc;
	}
	if (!r->tls_done) {
		rc = mxg_findings_add(out, MXG_F_MX_TLS_HANDSHAKE_FAILED, idx, subj, "%s: %s", subj,
				      r->why[0] ? r->why : "the handshake failed");
		raise_last(out, tls_required(in, r->target));
		return rc;
	}
	return judge_cert(in, r, subj, out);
}

static int judge_envelope(const struct mxg_probe_input *in, const struct mxg_probe_result *r,
			  const char *subj, struct mxg_findings *out)
{
	int idx = finding_index(in, r), rc = 0;

	if (r->postmaster_code >= 500)
		rc |= mxg_findings_add(out, MXG_F_MX_BACKUP_REJECTS_DOMAIN, idx, subj,
				       "%s refuses RCPT TO:<postmaster@%s>: %s", subj, in->domain,
				       r->postmaster_reply);
	if (r->relay_code >= 200 && r->relay_code < 300)
		rc |= mxg_findings_add(out, MXG_F_MX_OPEN_RELAY, idx, subj,
				       "%s accepts RCPT TO:<%s> from anybody", subj, r->relay_rcpt);
	return rc;
}

static int judge_ptr(const struct mxg_probe_input *in, const struct mxg_probe_result *r,
		     const char *subj, struct mxg_findings *out)
{
	int idx = finding_index(in, r);

	if (r->ptr == MXG_PTR_NONE)
		return mxg_findings_add(out, MXG_F_MX_NO_PTR, idx, subj,
					"%s has no reverse (PTR) name", subj);
	if (r->ptr == MXG_PTR_MISMATCH)
		return mxg_findings_add(out, MXG_F_MX_PTR_MISMATCH, idx, subj,
					"the reverse name of %s, %s, does not lead back to it", subj,
					r->ptr_name);
	return 0;
}

static int judge_address(const struct mxg_probe_input *in, const struct mxg_probe_result *r,
			 struct mxg_findings *out)
{
	char subj[MXG_FINDING_SUBJECT_MAX];
	int rc;

	subject_of(r, subj, sizeof(subj));
	rc = judge_ptr(in, r, subj, out);
	if (r->stage == MXG_PROBE_NONE)
		return rc;
	if (r->stage <= MXG_PROBE_EHLO)
		return rc | mxg_findings_add(out, MXG_F_MX_SMTP_UNREACHABLE, finding_index(in, r), subj,
					     "%s: %s", subj, r->why[0] ? r->why : "no answer");
	rc |= judge_tls(in, r, subj, out);
	return rc | judge_envelope(in, r, subj, out);
}

/* DANE for MX host h: the TLSA records themselves, and against every chain its addresses sent. */
static int judge_dane(const struct mxg_probe_input *in, size_t h, struct mxg_findings *out)
{
	const struct mxg_probe_tlsa_set *s = &in->tlsa[h];
	const char *host = in->hosts[h];
	int idx = in->implicit ? -1 : (int)h, rc = 0;

	if (s->rcode != MXG_DNS_NOERROR || s->count == 0)
		return 0;
	if (s->security != MXG_DNSSEC_SECURE)
		return mxg_findings_add(out, MXG_F_DANE_TLSA_UNSIGNED, idx, host,
					"_25._tcp.%s has TLSA records in an unsigned zone", host);
	for (size_t i = 0; i < s->count; i++)
		if (s->rr[i].usage < 2) {
			rc |= mxg_findings_add(out, MXG_F_DANE_TLSA_BAD_USAGE, idx, host,
					       "_25._tcp.%s has a TLSA record of usage %u", host,
					       s->rr[i].usage);
			break;
		}
	if (in->mx_security != MXG_DNSSEC_SECURE)
		return rc | mxg_findings_add(out, MXG_F_DANE_MX_INSECURE, idx, host,
					     "%s has signed TLSA records but the MX RRset of %s is not signed",
					     host, in->domain);
	for (size_t i = 0; i < in->count; i++) {
		const struct mxg_probe_result *r = &in->results[i];
		char subj[MXG_FINDING_SUBJECT_MAX];
		if (r->target != (int)h || !r->tls_done || r->chain_count == 0 ||
		    mxg_dane_match(s->rr, s->count, r->chain, r->chain_count) != 0)
			continue;
		subject_of(r, subj, sizeof(subj));
		rc |= mxg_findings_add(out, MXG_F_DANE_TLSA_MISMATCH, idx, subj,
				       "no TLSA record of _25._tcp.%s matches the certificate %s presents",
				       host, subj);
	}
	return rc;
}

int mxg_probe_analyze(const struct mxg_probe_input *in, struct mxg_findings *out)
{
	int rc = 0;

	if (in->has_mx && in->mx_security == MXG_DNSSEC_INSECURE)
		rc |= mxg_findings_add(out, MXG_F_MX_DNSSEC_INSECURE, -1, in->domain,
				       "the MX RRset of %s is not signed", in->domain);
	for (size_t i = 0; i < in->count; i++)
		rc |= judge_address(in, &in->results[i], out);
	for (size_t h = 0; h < in->host_count; h++)
		rc |= judge_dane(in, h, out);
	return rc < 0 ? -1 : 0;
}

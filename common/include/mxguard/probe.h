/* The MX endpoint probe: an SMTP conversation with every MX target address (banner, EHLO,
 * STARTTLS, a recipient check, never DATA), bounded in time, and a pure analysis of what it saw
 * (TLS, certificates, backup MX, open relay, reverse names, DANE) into findings. */
#ifndef MXGUARD_PROBE_H
#define MXGUARD_PROBE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "mxguard/addr.h"
#include "mxguard/dns.h"
#include "mxguard/finding.h"
#include "mxguard/mx.h"

#define MXG_PROBE_MAX_ADDRS 64          /* addresses probed per domain (the rest are not) */
#define MXG_PROBE_PARALLEL 16           /* connections open at once */
#define MXG_PROBE_TIMEOUT_MS 60000      /* the whole probe of a domain, by default */
#define MXG_PROBE_STEP_MS 15000         /* one step (connect, one reply, the handshake) at most */
#define MXG_PROBE_LINE_MAX 1000         /* one reply line (RFC 5321 §4.5.3.1.5 allows 512) */
#define MXG_PROBE_REPLY_LINES 64        /* lines of one multi-line reply */
#define MXG_PROBE_CHAIN_MAX 8           /* certificates kept of the chain the server sent */
#define MXG_PROBE_CERT_MAX 16384        /* DER octets of one certificate kept */
#define MXG_PROBE_EXPIRING_DAYS 14      /* MX_TLS_CERT_EXPIRING below this */
#define MXG_PROBE_TLSA_MAX 16           /* TLSA records examined per MX host */
#define MXG_PROBE_TEXT_MAX 160

/* How far the conversation with one address went. */
enum mxg_probe_stage {
	MXG_PROBE_NONE = 0,   /* not probed (over MXG_PROBE_MAX_ADDRS) */
	MXG_PROBE_CONNECT,    /* no TCP connection */
	MXG_PROBE_BANNER,     /* connected, no (2xx) banner in time */
	MXG_PROBE_EHLO,       /* banner, EHLO (and HELO) refused or unanswered */
	MXG_PROBE_TLS,        /* STARTTLS offered, refused or the handshake failed */
	MXG_PROBE_ENVELOPE,   /* the recipient checks did not finish */
	MXG_PROBE_DONE,       /* every step answered */
};

/* One certificate of the chain as the server sent it (leaf first), DER. */
struct mxg_probe_cert {
	size_t len;
	uint8_t *der;   /* heap, owned by the result */
};

/* What the reverse lookup of an address found. */
enum mxg_ptr_state {
	MXG_PTR_UNKNOWN = 0, /* not looked up, or failed temporarily */
	MXG_PTR_NONE,        /* no PTR record (NXDOMAIN or NODATA) */
	MXG_PTR_MATCH,       /* a PTR name whose addresses include this one */
	MXG_PTR_MISMATCH,    /* PTR names, none leading back to this address */
};

/* Everything learnt of one MX target address. */
struct mxg_probe_result {
	char host[MXG_DNS_NAME_MAX];   /* the MX target name */
	int target;                    /* its index in the MX input */
	struct mxg_addr addr;
	enum mxg_probe_stage stage;    /* the step where the conversation stopped, or DONE */
	char why[MXG_PROBE_TEXT_MAX];  /* what went wrong there ("connection refused", a reply) */
	int starttls_offered;
	int tls_done;                  /* the handshake completed */
	int tls_version;               /* the protocol negotiated (OpenSSL's TLS1_2_VERSION...) */
	char tls_version_name[16];
	int cert_name_ok;              /* the leaf covers host */
	int cert_trusted;              /* the chain leads to a trusted CA (apart from dates) */
	char cert_error[MXG_PROBE_TEXT_MAX]; /* why it is not trusted */
	time_t not_before, not_after;  /* of the leaf */
	size_t chain_count;
	struct mxg_probe_cert chain[MXG_PROBE_CHAIN_MAX];
	int postmaster_code;           /* reply to RCPT TO:<postmaster@DOMAIN>, 0 none */
	char postmaster_reply[MXG_PROBE_TEXT_MAX];
	int relay_code;                /* reply to a recipient in an unrelated domain, 0 none */
	char relay_rcpt[MXG_DNS_NAME_MAX + 32];
	enum mxg_ptr_state ptr;
	char ptr_name[MXG_DNS_NAME_MAX];
};

/* One TLSA record (RFC 6698 §2.1). */
struct mxg_tlsa {
	uint8_t usage, selector, mtype;
	size_t len;
	uint8_t *data;        /* the association data (heap, owned; see mxg_tlsa_parse) */
};

/* The TLSA RRset at _25._tcp.HOST of one MX host. */
struct mxg_probe_tlsa_set {
	enum mxg_dns_rcode rcode;
	enum mxg_dnssec security;
	size_t count;
	struct mxg_tlsa rr[MXG_PROBE_TLSA_MAX];
	struct mxg_dns_answer *answer; /* the answer as looked up (owned; NULL when none was) */
};

/* Input of mxg_probe_analyze(). */
struct mxg_probe_input {
	char domain[MXG_DNS_NAME_MAX];
	time_t now;
	enum mxg_dnssec mx_security;   /* of the MX RRset */
	int has_mx;                    /* an MX RRset with a real target was published */
	int implicit;                  /* no MX: the domain itself was probed (hosts[0]) */
	size_t count;
	struct mxg_probe_result *results;
	size_t host_count;             /* MX hosts, in the order of mx->targets */
	char hosts[MXG_MX_MAX_TARGETS][MXG_DNS_NAME_MAX];
	struct mxg_probe_tlsa_set tlsa[MXG_MX_MAX_TARGETS];
	/* By host: an MTA-STS policy in enforce mode covers it, so its untrusted certificate or
	 * missing TLS is an error (set from the MTA-STS audit, mxg_mtasts_enforces). */
	int sts_enforce[MXG_MX_MAX_TARGETS];
};

/* How to probe. */
struct mxg_probe_options {
	unsigned timeout_ms;     /* the whole probe; 0 = MXG_PROBE_TIMEOUT_MS */
	unsigned step_ms;        /* one step; 0 = MXG_PROBE_STEP_MS (never past the whole) */
	uint16_t port;           /* 0 = 25 */
	const char *ca_file;     /* trusted CAs (PEM); NULL = the system's */
	const char *helo;        /* EHLO name; NULL = "mxguard.invalid" */
};

/* Fills in->results (heap, in->count) with one entry per address of every MX target (or the
 * implicit MX), at most MXG_PROBE_MAX_ADDRS, with host and address set; the rest of *in
 * (domain, MX security, hosts) from mx. Returns 0, or -1 on ENOMEM. */
int mxg_probe_prepare(const struct mxg_mx_input *mx, struct mxg_probe_input *in);

/* Talks SMTP to every address of in->results at once (MXG_PROBE_PARALLEL at a time) and
 * records what each said. Returns when all are done or the whole time is spent; a
 * conversation cut short records the stage it reached. Returns 0, or -1 with err set when
 * the TLS context cannot be made (a bad ca_file). The caller ignores SIGPIPE: a server that
 * closes while TLS writes would otherwise end the process. */
int mxg_probe_run(const struct mxg_probe_options *o, struct mxg_probe_input *in, char *err,
		  size_t errlen);

/* Looks up the reverse name of every address and whether it leads back (PTR, then A/AAAA),
 * and the TLSA RRset of every MX host, through r. Returns 0, or -1 on a local error. */
int mxg_probe_dns(struct mxg_resolver *r, struct mxg_probe_input *in, char *err, size_t errlen);

/* The TLSA answer mxg_probe_dns kept for host, an MX host of in (a const struct
 * mxg_probe_input *), or NULL when it asked none: in the shape of mxg_baseline_known_fn, so
 * that a baseline snapshot after the probe asks no TLSA record twice. Not owned. */
const struct mxg_dns_answer *mxg_probe_tlsa_answer(const void *in, const char *host);

/* Judges what mxg_probe_run and mxg_probe_dns found. Pure: no network, no clock (in->now).
 * Appends findings (index = the MX target's position). Returns 0, or -1 on ENOMEM. */
int mxg_probe_analyze(const struct mxg_probe_input *in, struct mxg_findings *out);

/* Releases the results and their certificates; *in may be prepared again. */
void mxg_probe_clear(struct mxg_probe_input *in);

/* --- DANE (RFC 7672), pure --- */

/* 1 when one of the TLSA records of usage 2 (DANE-TA, any certificate of the chain) or 3
 * (DANE-EE, the leaf) with selector 0/1 and matching type 0/1/2 matches chain; 0 when none
 * does; -1 when no record is usable (only usages 0/1, unknown selectors or types). */
int mxg_dane_match(const struct mxg_tlsa *rr, size_t count, const struct mxg_probe_cert *chain,
		   size_t chain_count);

/* Decodes TLSA RDATA into *out (data copied to the heap; mxg_tlsa_free releases it).
 * Returns 0, or -1 when it is shorter than 4 octets or longer than MXG_PROBE_CERT_MAX + 3,
 * or on ENOMEM. */
int mxg_tlsa_parse(const uint8_t *rdata, size_t len, struct mxg_tlsa *out);
void mxg_tlsa_free(struct mxg_tlsa *t);

#endif

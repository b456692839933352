/* The DNS door: every check that needs DNS goes through a resolver handle.
 * Two backends: libunbound (real, validating, cached) and an in-memory zone (tests, offline runs). */
#ifndef MXGUARD_DNS_H
#define MXGUARD_DNS_H

#include <stddef.h>
#include <stdint.h>

/* Presentation-form names: lower case, no trailing dot, at most 253 chars + NUL.
 * The root name is "" (a null MX target is reported as "."; see mx.h). */
#define MXG_DNS_NAME_MAX 256
/* Longest CNAME chain a backend follows before answering SERVFAIL. */
#define MXG_DNS_CNAME_MAX 12

enum mxg_dns_type {
	MXG_DNS_A = 1,
	MXG_DNS_NS = 2,
	MXG_DNS_CNAME = 5,
	MXG_DNS_SOA = 6,
	MXG_DNS_PTR = 12,
	MXG_DNS_MX = 15,
	MXG_DNS_TXT = 16,
	MXG_DNS_AAAA = 28,
	MXG_DNS_SPF = 99,
	MXG_DNS_TLSA = 52,
};

enum mxg_dns_rcode {
	MXG_DNS_NOERROR = 0,  /* records, or none (NODATA) */
	MXG_DNS_NXDOMAIN,     /* the name does not exist */
	MXG_DNS_SERVFAIL,     /* server failure, DNSSEC bogus, loop, refused */
	MXG_DNS_TIMEOUT,      /* no answer within the resolver's time limit */
};

enum mxg_dnssec {
	MXG_DNSSEC_INSECURE = 0, /* unsigned, or not validated */
	MXG_DNSSEC_SECURE,
	MXG_DNSSEC_BOGUS,
};

/* One resource record of the answer section, decoded for the common types.
 * rdata always holds the raw RDATA (wire form, owned by the answer). */
struct mxg_dns_rr {
	uint16_t type;
	uint32_t ttl;
	char owner[MXG_DNS_NAME_MAX];
	uint16_t pref;                    /* MX preference */
	char target[MXG_DNS_NAME_MAX];    /* MX exchange, CNAME, PTR, NS: "" is the root */
	uint8_t addr[16];                 /* A (first 4 bytes) or AAAA */
	uint8_t *rdata;
	size_t rdlen;
};

/* The answer to one (name, type) question, after the CNAME chain was followed.
 * rrs holds only the records of the asked type at the chain's end; the aliases
 * met on the way are in cname_chain (cname_chain[0] is the first alias target). */
struct mxg_dns_answer {
	enum mxg_dns_rcode rcode;
	enum mxg_dnssec security;
	char qname[MXG_DNS_NAME_MAX];
	uint16_t qtype;
	char canonical[MXG_DNS_NAME_MAX]; /* qname, or the last CNAME target */
	size_t cname_count;
	char cname_chain[MXG_DNS_CNAME_MAX][MXG_DNS_NAME_MAX];
	uint32_t ttl;                     /* smallest TTL of rrs, or the negative TTL */
	size_t count;
	struct mxg_dns_rr *rrs;
	char why[128];                    /* why it failed (bogus reason, backend error), may be "" */
};

struct mxg_resolver;

/* Backend operations; a backend fills *out with a heap answer or returns -1
 * (out of memory, malformed name) with a reason in err. */
struct mxg_resolver_ops {
	int (*lookup)(void *ctx, const char *name, uint16_t type,
		      struct mxg_dns_answer **out, char *err, size_t errlen);
	void (*free)(void *ctx);
};

/* Wraps a backend; takes ownership of ctx (ops->free releases it). NULL on ENOMEM. */
struct mxg_resolver *mxg_resolver_new(const struct mxg_resolver_ops *ops, void *ctx);
void mxg_resolver_free(struct mxg_resolver *r);
/* The backend context of r when r was made with ops, else NULL (for backend-specific calls). */
void *mxg_resolver_ctx(struct mxg_resolver *r, const struct mxg_resolver_ops *ops);
/* Wraps inner so that observe(arg, rcode, usec) sees every lookup through it: the answer's
 * rcode (-1 for a local error) and the time it took in microseconds; for latency counters.
 * Takes inner over, also on failure: NULL on ENOMEM, inner then freed (NULL inner: NULL). */
struct mxg_resolver *mxg_resolver_timed(struct mxg_resolver *inner,
					void (*observe)(void *arg, int rcode, uint64_t usec),
					void *arg);

/* Looks up (name, type). Returns 0 and a heap answer the caller frees with
 * mxg_dns_answer_free(); DNS failures (NXDOMAIN, SERVFAIL, timeout) are answers
 * with that rcode, not errors. Returns -1 only for a local error, reason in err. */
int mxg_dns_lookup(struct mxg_resolver *r, const char *name, uint16_t type,
		   struct mxg_dns_answer **out, char *err, size_t errlen);
void mxg_dns_answer_free(struct mxg_dns_answer *a);

/* Counts lookups made through r (tests and benchmarks read it). */
unsigned long mxg_resolver_lookups(const struct mxg_resolver *r);

/* --- the TTL a zone publishes --- */

/* Wait for each authoritative server asked by mxg_dns_published_ttl when 0 is given. */
#define MXG_DNS_AUTH_TIMEOUT_MS 2000

/* 1 when r's answers carry the TTLs zones publish (the zone backend); 0 when they may be
 * what is left of a cached copy (libunbound, a cache in front), which counts down. */
int mxg_resolver_publishes_ttls(struct mxg_resolver *r);

/* The TTL the zone publishes for the (name, type) RRset, never a cache's remaining time:
 * from r itself when mxg_resolver_publishes_ttls(r), else from one of the zone's name
 * servers (found through r: NS at name or its closest ancestor that has them, then their
 * A and AAAA), asked directly on port 53 with recursion off, each for at most timeout_ms
 * (0 = MXG_DNS_AUTH_TIMEOUT_MS), four names and three addresses at most. Returns 1 with
 * *ttl set; 0 when it cannot be known (why says why); -1 on a local error (reason in why). */
int mxg_dns_published_ttl(struct mxg_resolver *r, const char *name, uint16_t type,
			  unsigned timeout_ms, uint32_t *ttl, char *why, size_t whylen);

/* --- helpers shared by backends and checks --- */

/* A new empty answer for (name, type), or NULL on ENOMEM. */
struct mxg_dns_answer *mxg_dns_answer_new(const char *name, uint16_t type);
/* Appends a record decoded from wire RDATA (copied). Names inside RDATA must be
 * uncompressed. Returns 0, or -1 on ENOMEM or malformed RDATA. */
int mxg_dns_answer_add(struct mxg_dns_answer *a, const char *owner, uint16_t type,
		       uint32_t ttl, const uint8_t *rdata, size_t rdlen);
/* Fills a (from mxg_dns_answer_new) from a DNS response message in wire form: follows
 * the CNAME chain from a->qname through the answer section and adds the a->qtype records
 * at its end. rcode, ttl of negative answers and security are the caller's. Returns 0,
 * or -1 on a malformed message or ENOMEM. */
int mxg_dns_answer_from_packet(struct mxg_dns_answer *a, const uint8_t *msg, size_t len);

/* TXT strings are kept apart: count them, get one, or join them all. */
size_t mxg_dns_txt_count(const struct mxg_dns_rr *rr);
/* Pointer into rdata of string i (not NUL-terminated) and its length, or NULL. */
const uint8_t *mxg_dns_txt_string(const struct mxg_dns_rr *rr, size_t i, size_t *len);
/* Concatenates all strings into buf (NUL-terminated). Returns the joined length,
 * or -1 when it does not fit or holds a NUL byte. */
long mxg_dns_txt_join(const struct mxg_dns_rr *rr, char *buf, size_t bufsize);

/* Normalises a name to presentation form: lower case, no trailing dot,
 * "." becomes "". Returns 0, or -1 when empty labels, a label over 63 octets or
 * a name over 253 characters make it invalid. */
int mxg_dns_name_normalize(const char *in, char *out, size_t outsize);
/* Wire form <-> presentation. Return length written, or -1 on a bad/oversized name. */
int mxg_dns_name_from_wire(const uint8_t *wire, size_t len, char *out, size_t outsize);
int mxg_dns_name_to_wire(const char *name, uint8_t *out, size_t outsize);
/* from_wire that also reports in *used the wire octets the name took (used may be NULL). */
int mxg_dns_name_decode(const uint8_t *wire, size_t len, char *out, size_t outsize, size_t *used);
/* Case-insensitive name equality, ignoring one trailing dot on either side. */
int mxg_dns_name_equal(const char *a, const char *b);
/* 1 if name is sub (or equal to) parent. */
int mxg_dns_name_is_sub(const char *name, const char *parent);

const char *mxg_dns_rcode_name(enum mxg_dns_rcode rc);
/* 1 when rc is a temporary failure (SERVFAIL, DNSSEC bogus, timeout, or any rcode that is
 * neither NOERROR nor NXDOMAIN): the question has no answer now, which callers report as
 * tempfail/temperror and never take as "no such name" or "no records". The one test of it. */
int mxg_dns_is_temporary(enum mxg_dns_rcode rc);
const char *mxg_dns_type_name(uint16_t type);
const char *mxg_dnssec_name(enum mxg_dnssec s);

/* --- backend 1: libunbound --- */

struct mxg_unbound_options {
	/* Forwarders "ADDR" or "ADDR@PORT", NULL-terminated; NULL or empty with
	 * use_system = 0 means full recursion from the root servers. */
	const char *const *forwarders;
	int use_system;              /* take forwarders from /etc/resolv.conf */
	const char *trust_anchor;    /* trust anchor file (auto-trust-anchor-file), or NULL */
	unsigned timeout_ms;         /* per lookup; 0 = 5000 */
	size_t answer_cache;         /* answers kept in front (mxg_resolver_cache_new); 0 = none */
};

/* A thread-safe libunbound resolver, behind an answer cache when opt asks for one; NULL
 * with a reason in err. */
struct mxg_resolver *mxg_resolver_unbound_new(const struct mxg_unbound_options *opt,
					      char *err, size_t errlen);

/* --- an answer cache in front of any backend --- */

/* A resolver answering from up to size cached answers (each for at most its TTL, an hour at
 * most; only NOERROR and NXDOMAIN are kept, never failures) and asking inner otherwise; it
 * takes ownership of inner. size 0 returns inner itself. Thread-safe. NULL on ENOMEM, and
 * inner is then still the caller's. */
struct mxg_resolver *mxg_resolver_cache_new(struct mxg_resolver *inner, size_t size);

/* --- backend 2: in-memory zone --- */

/* An empty zone resolver. Names not under any loaded data answer NXDOMAIN. */
struct mxg_resolver *mxg_resolver_zone_new(void);
/* Loads an RFC 1035 master file (with $ORIGIN/$TTL/$INCLUDE-free content).
 * origin may be NULL when the file sets $ORIGIN or uses absolute names.
 * Returns 0, or -1 with "file:line: reason" in err. */
int mxg_zone_load_file(struct mxg_resolver *r, const char *path, const char *origin,
		       char *err, size_t errlen);
/* Adds one record in master-file syntax ("name TTL IN TYPE rdata"; absolute names). */
int mxg_zone_add_text(struct mxg_resolver *r, const char *line, char *err, size_t errlen);
/* Adds one record from wire RDATA. */
int mxg_zone_add_rr(struct mxg_resolver *r, const char *owner, uint16_t type, uint32_t ttl,
		    const uint8_t *rdata, size_t rdlen);
/* Makes lookups of name answer rcode (MXG_DNS_TIMEOUT or MXG_DNS_SERVFAIL).
 * type 0 means every type; a type given applies to that type only. */
int mxg_zone_set_fault(struct mxg_resolver *r, const char *name, uint16_t type,
		       enum mxg_dns_rcode rcode);
/* Marks every answer for names at or under apex with a DNSSEC status (tests). The
 * closest marked apex wins; an answer is as secure as the weakest name of its chain.
 * Bogus answers are SERVFAIL with no records, as from a validating resolver. */
int mxg_zone_set_security(struct mxg_resolver *r, const char *apex, enum mxg_dnssec s);

#endif

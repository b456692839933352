/* The streaming DKIM verifier (RFC 6376 §6, RFC 8463, RFC 8301): header fields are kept (bounded),
 * the body only flows through one hash per distinct (canonicalization, l=), keys are fetched at the end. */
#include "dkim_internal.h"
#include "arc_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxguard/chars.h"
#include "mxguard/str.h"

#define DEFAULT_MAX_SIGS 10
#define DEFAULT_MAX_HEADER (256 * 1024)
/* Results kept past the evaluation cap, so hostile floods cannot grow memory. */
#define EXTRA_RESULTS 32
/* t= may run ahead of our clock by this much before the signature is refused. */
#define CLOCK_SKEW 300
/* Why every signature is a permerror when a field began with blanks. */
#define MALFORMED "header has a continuation line that continues no field"

struct sigrec {
	struct dkim_sig sig;
	size_t hdr;
	int parse_ok;
	int capped;
	char err[MXG_DKIM_REASON_MAX];
	struct dkim_body_hash *body;
};

struct mxg_dkim_verifier {
	struct mxg_resolver *r;
	struct mxg_dkim_key_cache *cache;
	struct mxg_dkim_options opt;
	char *hbuf;
	size_t hlen, hcap;
	struct dkim_hdr *hdrs;
	size_t nh, nhcap;
	size_t sig_fields;        /* DKIM-Signature fields seen, stored or not */
	size_t arc_fields;        /* ARC set fields seen, stored or not */
	int overflow;
	int malformed;            /* a field began with blanks: it continues no field */
	int headers_done;
	int finished;
	struct sigrec *sigs;
	size_t nsigs;
	struct dkim_body_hash *bodies[DEFAULT_MAX_SIGS * 4];
	size_t nbodies;
	struct mxg_dkim_sig_result *results;
	size_t nresults;
	struct dkim_arc *arc;            /* from the end of the header on */
	struct dkim_body_hash *arc_body; /* the newest ARC message signature's */
	struct dkim_body_hash *seal_body; /* relaxed/SHA-256 for a new ARC set (opt.seal_body) */
	uint8_t seal_bh[EVP_MAX_MD_SIZE];
	int seal_bhlen;                  /* -1 until finish computed it */
};

static const char *const result_names[] = {
	[MXG_DKIM_NONE] = "none",       [MXG_DKIM_PASS] = "pass",
	[MXG_DKIM_FAIL] = "fail",       [MXG_DKIM_NEUTRAL] = "neutral",
	[MXG_DKIM_POLICY] = "policy",   [MXG_DKIM_TEMPERROR] = "temperror",
	[MXG_DKIM_PERMERROR] = "permerror",
};

const char *mxg_dkim_result_name(enum mxg_dkim_result r)
{
	if ((unsigned)r >= sizeof(result_names) / sizeof(result_names[0]))
		return "unknown";
	return result_names[r];
}

struct mxg_dkim_verifier *mxg_dkim_verifier_new(struct mxg_resolver *r,
						struct mxg_dkim_key_cache *cache,
						const struct mxg_dkim_options *opt)
{
	struct mxg_dkim_verifier *v = calloc(1, sizeof(*v));

	if (v == NULL)
		return NULL;
	v->r = r;
	v->cache = cache;
	if (opt != NULL)
		v->opt = *opt;
	if (v->opt.max_signatures == 0)
		v->opt.max_signatures = DEFAULT_MAX_SIGS;
	/* Each evaluated signature may need its own body hash; keep the table fixed. */
	if (v->opt.max_signatures > sizeof(v->bodies) / sizeof(v->bodies[0]))
		v->opt.max_signatures = sizeof(v->bodies) / sizeof(v->bodies[0]);
	if (v->opt.min_rsa_bits == 0)
		v->opt.min_rsa_bits = 1024;
	if (v->opt.max_header_bytes == 0)
		v->opt.max_header_bytes = DEFAULT_MAX_HEADER;
	v->seal_bhlen = -1;
	return v;
}

static int is_sig_name(const char *name, size_t len)
{
	return len == 14 && mxg_strncaseeq(name, "dkim-signature", 14);
}

/* The name a field is known by: up to a NUL (what a reader of C strings sees) and without
 * the blanks that obs-FWS allows before the colon, so "From :" is a From field. */
static size_t match_len(const char *name, size_t nl)
{
	const char *nul = memchr(name, '\0', nl);

	if (nul != NULL)
		nl = (size_t)(nul - name);
	while (nl > 0 && mxg_is_wsp(name[nl - 1]))
		nl--;
	return nl;
}

static int grow_store(struct mxg_dkim_verifier *v, size_t need)
{
	if (v->hlen + need > v->hcap) {
		size_t cap = v->hcap ? v->hcap : 4096;
		while (cap < v->hlen + need)
			cap *= 2;
		char *p = realloc(v->hbuf, cap);
		if (p == NULL)
			return -1;
		v->hbuf = p;
		v->hcap = cap;
	}
	if (v->nh == v->nhcap) {
		size_t cap = v->nhcap ? v->nhcap * 2 : 32;
		struct dkim_hdr *p = realloc(v->hdrs, cap * sizeof(*p));
		if (p == NULL)
			return -1;
		v->hdrs = p;
		v->nhcap = cap;
	}
	return 0;
}

static int store_header(struct mxg_dkim_verifier *v, const char *name, size_t nl,
			const char *value, size_t vl)
{
	size_t ml = match_len(name, nl);

	if (is_sig_name(name, ml))
		v->sig_fields++;
	else if (dkim_arc_field_name(name, ml))
		v->arc_fields++;
	if (v->overflow)
		return 0;
	size_t need = nl + 1 + vl;
	if (need > v->opt.max_header_bytes || v->hlen + need > v->opt.max_header_bytes) {
		v->overflow = 1;
		return 0;
	}
	if (grow_store(v, need) < 0)
		return -1;
	struct dkim_hdr *h = &v->hdrs[v->nh++];
	h->off = v->hlen;
	h->len = need;
	h->name_len = ml;
	h->value_off = nl + 1;
	h->nul = memchr(name, '\0', nl) != NULL || memchr(value, '\0', vl) != NULL;
	memcpy(v->hbuf + v->hlen, name, nl);
	v->hbuf[v->hlen + nl] = ':';
	memcpy(v->hbuf + v->hlen + nl + 1, value, vl);
	v->hlen += need;
	return 0;
}

int mxg_dkim_header_n(struct mxg_dkim_verifier *v, const char *name, size_t nlen,
		      const char *value, size_t vlen)
{
	if (v->headers_done)
		return 0;
	/* A line that starts with a blank continues the field before it; as a field of its own
	 * (first in the header, or split off by the caller) it makes the header malformed. */
	if (nlen > 0 && mxg_is_wsp(name[0])) {
		v->malformed = 1;
		return 0;
	}
	return store_header(v, name, nlen, value, vlen);
}

int mxg_dkim_header(struct mxg_dkim_verifier *v, const char *name, const char *value)
{
	return mxg_dkim_header_n(v, name, strlen(name), value, strlen(value));
}

int mxg_dkim_header_raw(struct mxg_dkim_verifier *v, const char *field, size_t len)
{
	while (len > 0 && (field[len - 1] == '\n' || field[len - 1] == '\r'))
		len--;
	const char *colon = memchr(field, ':', len);
	if (colon == NULL)
		return mxg_dkim_header_n(v, field, len, "", 0);
	size_t nl = (size_t)(colon - field);
	return mxg_dkim_header_n(v, field, nl, colon + 1, len - nl - 1);
}

static struct dkim_body_hash *body_for(struct mxg_dkim_verifier *v, const struct dkim_sig *s)
{
	const EVP_MD *md = dkim_sha256();

	for (size_t i = 0; i < v->nbodies; i++)
		if (dkim_body_hash_matches(v->bodies[i], s->bcanon, md, s->has_l, s->l))
			return v->bodies[i];
	if (v->nbodies >= sizeof(v->bodies) / sizeof(v->bodies[0]))
		return NULL;
	struct dkim_body_hash *b = dkim_body_hash_new(s->bcanon, md, s->has_l, s->l);
	if (b != NULL)
		v->bodies[v->nbodies++] = b;
	return b;
}

static int add_sig(struct mxg_dkim_verifier *v, size_t hi, size_t evaluated)
{
	const struct dkim_hdr *h = &v->hdrs[hi];
	struct sigrec *s = &v->sigs[v->nsigs++];
	const char *val = v->hbuf + h->off + h->value_off;

	s->hdr = hi; /* s->sig is emptied by the parse */
	s->err[0] = '\0';
	s->body = NULL;
	s->parse_ok = dkim_sig_parse(val, h->len - h->value_off, &s->sig, s->err, sizeof(s->err)) == 0;
	/* Parsed all the same, for d=, s= and a= in the result. */
	if (h->nul) {
		s->parse_ok = 0;
		mxg_strlcpy(s->err, "DKIM-Signature field holds a NUL byte", sizeof(s->err));
	}
	s->capped = evaluated >= v->opt.max_signatures;
	if (!s->parse_ok || s->capped || s->sig.alg == DKIM_ALG_RSA_SHA1)
		return 0;
	s->body = body_for(v, &s->sig);
	return s->body == NULL ? -1 : 0;
}

static struct dkim_headers headers_of(const struct mxg_dkim_verifier *v)
{
	struct dkim_headers hs = { v->hbuf, v->hdrs, v->nh };
	return hs;
}

/* The ARC fields: read at the end of the header (when it overflowed, a chain it had fails),
 * with a body hash for the newest message signature. */
static int start_arc(struct mxg_dkim_verifier *v)
{
	struct dkim_headers hs = headers_of(v);

	v->arc = dkim_arc_scan(&hs, v->overflow ? v->arc_fields : 0);
	if (v->arc == NULL)
		return -1;
	if (v->malformed)
		dkim_arc_malformed(v->arc, MALFORMED);
	const struct dkim_sig *ams = dkim_arc_body_sig(v->arc);
	if (ams != NULL && ams->alg != DKIM_ALG_RSA_SHA1)
		v->arc_body = body_for(v, ams);
	return 0;
}

/* The DKIM signatures to evaluate, each with its body hash. */
static int start_sigs(struct mxg_dkim_verifier *v)
{
	size_t keep = v->sig_fields;
	if (keep > v->opt.max_signatures + EXTRA_RESULTS)
		keep = v->opt.max_signatures + EXTRA_RESULTS;
	if (keep == 0)
		return 0;
	v->sigs = malloc(keep * sizeof(*v->sigs)); /* only the first nsigs are used, each set by add_sig */
	if (v->sigs == NULL)
		return -1;
	if (v->overflow)
		return 0;
	for (size_t i = 0; i < v->nh && v->nsigs < keep; i++) {
		if (!is_sig_name(v->hbuf + v->hdrs[i].off, v->hdrs[i].name_len))
			continue;
		if (add_sig(v, i, v->nsigs) < 0)
			return -1;
	}
	return 0;
}

/* The body hash a new ARC set signs (relaxed, SHA-256, whole body), when asked for; it shares
 * a verifying signature's hash when one has the same form. Without room it is left out and
 * sealing then reports so. */
static int start_seal(struct mxg_dkim_verifier *v)
{
	static const struct dkim_sig relaxed = { .bcanon = DKIM_CANON_RELAXED };

	if (!v->opt.seal_body)
		return 0;
	v->seal_body = body_for(v, &relaxed);
	return 0;
}

/* DKIM's body hashes are set up first: should the table be full, ARC goes without (its
 * result is then temperror), never a DKIM signature. */
int mxg_dkim_end_headers(struct mxg_dkim_verifier *v)
{
	if (v->headers_done)
		return 0;
	v->headers_done = 1;
	if (start_sigs(v) < 0 || start_arc(v) < 0)
		return -1;
	return start_seal(v);
}

int mxg_dkim_body(struct mxg_dkim_verifier *v, const uint8_t *data, size_t len)
{
	if (!v->headers_done && mxg_dkim_end_headers(v) < 0)
		return -1;
	for (size_t i = 0; i < v->nbodies; i++)
		if (dkim_body_hash_update(v->bodies[i], data, len) < 0)
			return -1;
	return 0;
}

/* --- evaluation --- */

static enum mxg_dkim_result set(struct mxg_dkim_sig_result *res, enum mxg_dkim_result r,
				const char *why)
{
	res->result = r;
	mxg_strlcpy(res->reason, why, sizeof(res->reason));
	return r;
}

static enum mxg_dkim_result check_signature(const struct mxg_dkim_verifier *v, const struct sigrec *s,
					    const struct dkim_key *key, struct mxg_dkim_sig_result *res)
{
	char *buf = NULL;
	size_t blen = 0, bcap = 0;
	uint8_t digest[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;

	struct dkim_headers hs = headers_of(v);
	if (dkim_header_input(&hs, &s->sig, s->hdr, &buf, &blen, &bcap) < 0) {
		free(buf);
		return set(res, MXG_DKIM_TEMPERROR, "out of memory");
	}
	int hashed = EVP_Digest(buf, blen, digest, &dlen, dkim_sha256(), NULL) == 1;
	free(buf);
	if (!hashed)
		return set(res, MXG_DKIM_TEMPERROR, "hash computation failed");
	if (!dkim_crypto_verify(key, &s->sig, digest, dlen))
		return set(res, MXG_DKIM_FAIL, "signature did not verify");
	return set(res, MXG_DKIM_PASS, "");
}

static enum mxg_dkim_result check_key(const struct mxg_dkim_verifier *v, const struct dkim_sig *sig,
				      const struct dkim_key *key, struct mxg_dkim_sig_result *res)
{
	res->key_testing = key->testing;
	res->key_bits = key->bits;
	enum mxg_dkim_result r = dkim_key_check(key, sig, v->opt.min_rsa_bits, res->reason,
						sizeof(res->reason));
	if (r != MXG_DKIM_NONE)
		res->result = r;
	return r;
}

static enum mxg_dkim_result check_times(const struct mxg_dkim_verifier *v, const struct dkim_sig *sig,
					struct mxg_dkim_sig_result *res)
{
	uint64_t now = (uint64_t)(v->opt.now ? v->opt.now : time(NULL));

	if (sig->has_x && sig->x < now)
		return set(res, MXG_DKIM_FAIL, "signature expired (x=)");
	if (sig->has_t && sig->t > now + CLOCK_SKEW)
		return set(res, MXG_DKIM_PERMERROR, "signature timestamp t= is in the future");
	return MXG_DKIM_NONE;
}

/* The covered fields are sound (dkim_header_check): no unsigned extra once-only field, no NUL. */
static enum mxg_dkim_result check_fields(const struct mxg_dkim_verifier *v, const struct sigrec *s,
					 struct mxg_dkim_sig_result *res)
{
	struct dkim_headers hs = headers_of(v);
	char why[MXG_DKIM_REASON_MAX];

	if (dkim_header_check(&hs, &s->sig, why, sizeof(why)) < 0)
		return set(res, MXG_DKIM_FAIL, why);
	return MXG_DKIM_NONE;
}

static enum mxg_dkim_result check_body(const struct sigrec *s, struct mxg_dkim_sig_result *res,
				       const uint8_t *bh, int bhlen)
{
	if (bhlen < 0)
		return set(res, MXG_DKIM_TEMPERROR, "body hash computation failed");
	if ((size_t)bhlen != s->sig.bh_len || memcmp(bh, s->sig.bh, s->sig.bh_len) != 0)
		return set(res, MXG_DKIM_FAIL, "body hash mismatch");
	return MXG_DKIM_NONE;
}

static enum mxg_dkim_result fetch_and_verify(const struct mxg_dkim_verifier *v, const struct sigrec *s,
					     struct mxg_dkim_sig_result *res, const uint8_t *bh, int bhlen)
{
	struct dkim_key key;
	char err[MXG_DKIM_REASON_MAX] = "";
	time_t now = v->opt.now ? v->opt.now : time(NULL);

	switch (dkim_key_fetch(v->r, v->cache, s->sig.s, s->sig.d, now, &key, err, sizeof(err))) {
	case DKIM_FETCH_OK:
		break;
	case DKIM_FETCH_PERM:
		return set(res, MXG_DKIM_PERMERROR, err);
	case DKIM_FETCH_TEMP:
		return set(res, MXG_DKIM_TEMPERROR, err);
	default:
		return set(res, MXG_DKIM_TEMPERROR, "out of memory");
	}
	enum mxg_dkim_result r = check_key(v, &s->sig, &key, res);
	if (r == MXG_DKIM_NONE)
		r = check_fields(v, s, res);
	if (r == MXG_DKIM_NONE)
		r = check_body(s, res, bh, bhlen);
	if (r == MXG_DKIM_NONE)
		r = check_signature(v, s, &key, res);
	dkim_key_clear(&key);
	/* A pass that covers only part of the body says so (RFC 6376 §8.2); callers that want
	 * the whole body signed look at body_has_unsigned_tail. */
	if (r == MXG_DKIM_PASS && res->body_has_unsigned_tail)
		snprintf(res->reason, sizeof(res->reason), "l= leaves %" PRIu64 " body bytes unsigned",
			 dkim_body_hash_total(s->body) - s->sig.l);
	return r;
}

/* Whether the canonical body goes on past l=: a fact about the message, known whenever the
 * signature's body was hashed, whatever its result. */
static void mark_tail(const struct sigrec *s, struct mxg_dkim_sig_result *res)
{
	if (s->parse_ok && s->sig.has_l && s->body != NULL && dkim_body_hash_total(s->body) > s->sig.l)
		res->body_has_unsigned_tail = 1;
}

static void describe(const struct sigrec *s, struct mxg_dkim_sig_result *res)
{
	mxg_strlcpy(res->domain, s->sig.d, sizeof(res->domain));
	mxg_strlcpy(res->selector, s->sig.s, sizeof(res->selector));
	mxg_strlcpy(res->identity, s->sig.i, sizeof(res->identity));
	mxg_strlcpy(res->algorithm, s->sig.a, sizeof(res->algorithm));
	mxg_strlcpy(res->b_prefix, s->sig.b_prefix, sizeof(res->b_prefix));
	res->body_length_limited = s->sig.has_l;
	mark_tail(s, res);
}

static void evaluate(const struct mxg_dkim_verifier *v, const struct sigrec *s,
		     struct mxg_dkim_sig_result *res, const uint8_t *bh, int bhlen)
{
	describe(s, res);
	if (!s->parse_ok) {
		set(res, MXG_DKIM_PERMERROR, s->err);
		return;
	}
	if (s->capped) {
		snprintf(res->reason, sizeof(res->reason), "not evaluated: more than %u signatures",
			 v->opt.max_signatures);
		res->result = MXG_DKIM_POLICY;
		return;
	}
	if (s->sig.alg == DKIM_ALG_RSA_SHA1) {
		set(res, MXG_DKIM_POLICY, "rsa-sha1 is not accepted (RFC 8301)");
		return;
	}
	if (check_times(v, &s->sig, res) != MXG_DKIM_NONE)
		return;
	fetch_and_verify(v, s, res, bh, bhlen);
}

static void finish_arc(struct mxg_dkim_verifier *v, uint8_t (*digests)[EVP_MAX_MD_SIZE],
		       const int *dlens)
{
	struct dkim_headers hs = headers_of(v);
	size_t b = 0;

	if (v->arc == NULL) /* the end of the header ran out of memory */
		return;
	while (b < v->nbodies && v->bodies[b] != v->arc_body)
		b++;
	dkim_arc_finish(v->arc, &hs, v->r, v->cache, v->opt.now ? v->opt.now : time(NULL),
			v->opt.min_rsa_bits, b < v->nbodies ? digests[b] : NULL,
			b < v->nbodies ? dlens[b] : -1);
}

int mxg_dkim_finish(struct mxg_dkim_verifier *v)
{
	uint8_t digests[sizeof(v->bodies) / sizeof(v->bodies[0])][EVP_MAX_MD_SIZE];
	int dlens[sizeof(v->bodies) / sizeof(v->bodies[0])];

	if (v->finished)
		return (int)v->nresults;
	if (!v->headers_done && mxg_dkim_end_headers(v) < 0)
		return -1;
	v->finished = 1;
	for (size_t i = 0; i < v->nbodies; i++)
		dlens[i] = dkim_body_hash_final(v->bodies[i], digests[i]);
	finish_arc(v, digests, dlens);
	for (size_t i = 0; i < v->nbodies; i++)
		if (v->bodies[i] == v->seal_body && dlens[i] > 0) {
			memcpy(v->seal_bh, digests[i], (size_t)dlens[i]);
			v->seal_bhlen = dlens[i];
		}
	size_t n = v->overflow ? (v->sig_fields < v->opt.max_signatures + EXTRA_RESULTS ?
				  v->sig_fields : v->opt.max_signatures + EXTRA_RESULTS) : v->nsigs;
	if (n == 0)
		return 0;
	v->results = calloc(n, sizeof(*v->results));
	if (v->results == NULL)
		return -1;
	v->nresults = n;
	for (size_t i = 0; i < n; i++) {
		struct mxg_dkim_sig_result *res = &v->results[i];
		if (v->overflow) {
			snprintf(res->reason, sizeof(res->reason), "message header exceeds %zu bytes",
				 v->opt.max_header_bytes);
			res->result = MXG_DKIM_PERMERROR;
			continue;
		}
		if (v->malformed) {
			describe(&v->sigs[i], res);
			set(res, MXG_DKIM_PERMERROR, MALFORMED);
			continue;
		}
		const struct sigrec *s = &v->sigs[i];
		size_t b = 0;
		while (b < v->nbodies && v->bodies[b] != s->body)
			b++;
		evaluate(v, s, res, b < v->nbodies ? digests[b] : NULL, b < v->nbodies ? dlens[b] : -1);
	}
	return (int)n;
}

int dkim_verifier_seal_view(const struct mxg_dkim_verifier *v, struct dkim_headers *hs,
			    const struct dkim_arc **arc, const uint8_t **bh, char *err, size_t errlen)
{
	const char *why = NULL;

	if (!v->finished)
		why = "the message was not verified to its end";
	else if (v->overflow)
		why = "the header is too large to seal";
	else if (v->malformed)
		why = MALFORMED;
	else if (v->arc == NULL || v->seal_bhlen <= 0)
		why = "no body hash for the seal (out of memory, or the verifier was not asked for one)";
	if (why != NULL)
		return mxg_fail(err, errlen, "%s", why);
	*hs = headers_of(v);
	*arc = v->arc;
	*bh = v->seal_bh;
	return v->seal_bhlen;
}

int dkim_verifier_arc_view(const struct mxg_dkim_verifier *v, struct dkim_headers *hs,
			   const struct dkim_arc **arc)
{
	if (!v->finished || v->overflow || v->malformed || v->arc == NULL)
		return -1;
	*hs = headers_of(v);
	*arc = v->arc;
	return 0;
}

const struct mxg_arc_result *mxg_dkim_arc(const struct mxg_dkim_verifier *v)
{
	static const struct mxg_arc_result none;

	return v->arc != NULL && v->finished ? dkim_arc_get(v->arc) : &none;
}

size_t mxg_dkim_result_count(const struct mxg_dkim_verifier *v)
{
	return v->nresults;
}

const struct mxg_dkim_sig_result *mxg_dkim_result_get(const struct mxg_dkim_verifier *v, size_t i)
{
	return i < v->nresults ? &v->results[i] : NULL;
}

void mxg_dkim_verifier_free(struct mxg_dkim_verifier *v)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < v->nsigs; i++)
		dkim_sig_clear(&v->sigs[i].sig);
	for (size_t i = 0; i < v->nbodies; i++)
		dkim_body_hash_free(v->bodies[i]);
	dkim_arc_free(v->arc);
	free(v->sigs);
	free(v->results);
	free(v->hbuf);
	free(v->hdrs);
	free(v);
}

/* ARC chain validation (RFC 8617 §5.2) over the header fields the DKIM verifier keeps: the sets'
 * structure, the newest ARC-Message-Signature, then every ARC-Seal from the newest down. */
#include "arc_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxguard/str.h"

enum arc_part { ARC_AAR = 0, ARC_AMS, ARC_AS, ARC_PARTS };

static const char *const part_names[ARC_PARTS] = {
	[ARC_AAR] = "ARC-Authentication-Results",
	[ARC_AMS] = "ARC-Message-Signature",
	[ARC_AS] = "ARC-Seal",
};

struct dkim_arc {
	struct mxg_arc_result res;
	size_t field[ARC_PARTS][DKIM_ARC_MAX + 1]; /* header index + 1 per instance; 0 = none */
	unsigned newest;                           /* highest i= seen */
	int broken;                                /* res.reason says why */
	int ams_ok;
	struct dkim_sig ams;                       /* the newest message signature, read when ams_ok */
};

static const char *const result_names[] = {
	[MXG_ARC_NONE] = "none",
	[MXG_ARC_PASS] = "pass",
	[MXG_ARC_FAIL] = "fail",
	[MXG_ARC_TEMPERROR] = "temperror",
};

const char *mxg_arc_result_name(enum mxg_arc_result_code r)
{
	if ((unsigned)r >= sizeof(result_names) / sizeof(result_names[0]))
		return "unknown";
	return result_names[r];
}

/* Sets the chain's reason and returns r, for the verification steps. */
__attribute__((format(printf, 3, 4)))
static enum mxg_arc_result_code because(struct dkim_arc *a, enum mxg_arc_result_code r,
					const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->res.reason, sizeof(a->res.reason), fmt, ap);
	va_end(ap);
	return r;
}

/* A structural fault found while reading the fields. The first reason wins: it is the one
 * nearest the cause. */
__attribute__((format(printf, 2, 3)))
static void broken(struct dkim_arc *a, const char *fmt, ...)
{
	va_list ap;

	if (a->broken)
		return;
	a->broken = 1;
	va_start(ap, fmt);
	vsnprintf(a->res.reason, sizeof(a->res.reason), fmt, ap);
	va_end(ap);
}

static int part_named(const char *name, size_t len)
{
	/* Every header field is asked about: the three names all begin "ARC-". */
	if (len < 4 || !mxg_strncaseeq(name, "arc-", 4))
		return -1;
	for (int p = 0; p < ARC_PARTS; p++)
		if (len == strlen(part_names[p]) && mxg_strncaseeq(name, part_names[p], len))
			return p;
	return -1;
}

int dkim_arc_field_name(const char *name, size_t len)
{
	return part_named(name, len) >= 0;
}

static int part_of(const struct dkim_headers *hs, size_t i)
{
	return part_named(hs->buf + hs->h[i].off, hs->h[i].name_len);
}

static const char *value_of(const struct dkim_headers *hs, size_t i, size_t *len)
{
	const struct dkim_hdr *h = &hs->h[i];

	*len = h->len - h->value_off;
	return hs->buf + h->off + h->value_off;
}

/* Files one ARC field under its instance; a bad or repeated i= breaks the chain. */
static void file_field(struct dkim_arc *a, const struct dkim_headers *hs, size_t i, int part)
{
	static const enum dkim_sig_kind kinds[ARC_PARTS] = {
		[ARC_AAR] = DKIM_SIG_DKIM, [ARC_AMS] = DKIM_SIG_AMS, [ARC_AS] = DKIM_SIG_AS,
	};
	size_t len;
	const char *val = value_of(hs, i, &len);
	unsigned inst = dkim_arc_instance(kinds[part], val, len);

	/* As a DKIM-Signature with a NUL is a permerror: the field cannot be read faithfully. */
	if (hs->h[i].nul) {
		broken(a, "%s holds a NUL byte", part_names[part]);
		return;
	}
	if (inst == 0) {
		broken(a, "%s without a valid instance (i=)", part_names[part]);
		return;
	}
	if (a->field[part][inst] != 0) {
		broken(a, "two %s fields with i=%u", part_names[part], inst);
		return;
	}
	a->field[part][inst] = i + 1;
	if (inst > a->newest)
		a->newest = inst;
}

/* Every instance from 1 to the newest has exactly one field of each kind (§5.2 step 3). */
static void check_sets(struct dkim_arc *a)
{
	for (unsigned i = 1; i <= a->newest; i++)
		for (int p = 0; p < ARC_PARTS; p++)
			if (a->field[p][i] == 0)
				broken(a, "%s of ARC set i=%u is missing", part_names[p], i);
}

static void parse_newest_ams(struct dkim_arc *a, const struct dkim_headers *hs)
{
	size_t len;
	char err[100];
	const char *val = value_of(hs, a->field[ARC_AMS][a->newest] - 1, &len);

	a->ams_ok = dkim_sig_parse_kind(DKIM_SIG_AMS, val, len, &a->ams, err, sizeof(err)) == 0;
	if (!a->ams_ok) {
		dkim_sig_clear(&a->ams);
		broken(a, "ARC-Message-Signature i=%u: %s", a->newest, err);
	}
}

struct dkim_arc *dkim_arc_scan(const struct dkim_headers *hs, size_t unstored)
{
	struct dkim_arc *a = malloc(sizeof(*a));
	size_t seen = 0;

	if (a == NULL)
		return NULL;
	memset(a, 0, offsetof(struct dkim_arc, ams)); /* ams is filled (and read) only when parsed */
	if (unstored > 0) {
		a->res.result = MXG_ARC_FAIL;
		broken(a, "the header is too large to check its %zu ARC fields", unstored);
		return a;
	}
	for (size_t i = 0; i < hs->n; i++) {
		int part = part_of(hs, i);
		if (part < 0)
			continue;
		if (++seen > ARC_PARTS * DKIM_ARC_MAX) {
			broken(a, "more than %u ARC sets", DKIM_ARC_MAX);
			break;
		}
		file_field(a, hs, i, part);
	}
	if (seen == 0)
		return a;
	a->res.result = MXG_ARC_FAIL; /* until the chain is shown to hold */
	a->res.instances = a->newest;
	if (a->broken)
		return a;
	check_sets(a);
	if (!a->broken)
		parse_newest_ams(a, hs);
	return a;
}

void dkim_arc_malformed(struct dkim_arc *a, const char *why)
{
	if (a->res.result == MXG_ARC_NONE)
		return;
	a->res.result = MXG_ARC_FAIL;
	a->broken = 0;
	broken(a, "%s", why);
}

/* --- verification at end of message --- */

struct arc_ctx {
	const struct dkim_headers *hs;
	struct mxg_resolver *r;
	struct mxg_dkim_key_cache *cache;
	time_t now;
	unsigned min_rsa_bits;
};

/* Fetches the key of sig and checks it may verify it. MXG_ARC_PASS when key is filled (the
 * caller clears it), else the result, with the reason in the chain's result. */
static enum mxg_arc_result_code arc_key(struct dkim_arc *a, const struct arc_ctx *c,
					const struct dkim_sig *sig, const char *what,
					struct dkim_key *key)
{
	char err[100] = "";

	switch (dkim_key_fetch(c->r, c->cache, sig->s, sig->d, c->now, key, err, sizeof(err))) {
	case DKIM_FETCH_OK:
		break;
	case DKIM_FETCH_TEMP:
		return because(a, MXG_ARC_TEMPERROR, "%s i=%u: %s", what, sig->instance, err);
	case DKIM_FETCH_NOMEM:
		return because(a, MXG_ARC_TEMPERROR, "%s i=%u: out of memory", what, sig->instance);
	default:
		return because(a, MXG_ARC_FAIL, "%s i=%u: %s", what, sig->instance, err);
	}
	if (dkim_key_check(key, sig, c->min_rsa_bits, err, sizeof(err)) != MXG_DKIM_NONE) {
		dkim_key_clear(key);
		return because(a, MXG_ARC_FAIL, "%s i=%u: %s", what, sig->instance, err);
	}
	return MXG_ARC_PASS;
}

/* Verifies sig's b= over the canonical text in buf with its key. */
static enum mxg_arc_result_code arc_signed(struct dkim_arc *a, const struct arc_ctx *c,
					   const struct dkim_sig *sig, const char *what,
					   const char *buf, size_t blen)
{
	uint8_t digest[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	struct dkim_key key;

	enum mxg_arc_result_code r = arc_key(a, c, sig, what, &key);
	if (r != MXG_ARC_PASS)
		return r;
	int ok = EVP_Digest(buf, blen, digest, &dlen, dkim_sha256(), NULL) == 1 &&
		 dkim_crypto_verify(&key, sig, digest, dlen);
	dkim_key_clear(&key);
	if (!ok)
		return because(a, MXG_ARC_FAIL, "%s i=%u: signature did not verify", what, sig->instance);
	return MXG_ARC_PASS;
}

/* RFC 8301 forbids rsa-sha1; no body hash is computed for it. */
static enum mxg_arc_result_code refuse_sha1(struct dkim_arc *a, const struct dkim_sig *sig,
					    const char *what)
{
	if (sig->alg != DKIM_ALG_RSA_SHA1)
		return MXG_ARC_PASS;
	return because(a, MXG_ARC_FAIL, "%s i=%u: rsa-sha1 is not accepted (RFC 8301)", what,
		       sig->instance);
}

/* The newest ARC-Message-Signature: body hash, then its header hash (§5.2 step 4). */
static enum mxg_arc_result_code verify_ams(struct dkim_arc *a, const struct arc_ctx *c,
					   const uint8_t *bh, int bhlen)
{
	char *buf = NULL;
	size_t blen = 0, bcap = 0;
	const char *what = part_names[ARC_AMS];
	enum mxg_arc_result_code r = refuse_sha1(a, &a->ams, what);
	char why[MXG_DKIM_REASON_MAX];

	if (r != MXG_ARC_PASS)
		return r;
	/* The same guard as for DKIM signatures, before the body hash as there: the newest signature
	 * vouches for the message as it arrives, so an unsigned extra From or Subject beside the
	 * signed one, or a signed field holding a NUL, fails the chain. */
	if (dkim_header_check(c->hs, &a->ams, why, sizeof(why)) < 0)
		return because(a, MXG_ARC_FAIL, "%s i=%u: %s", what, a->newest, why);
	if (bhlen < 0)
		return because(a, MXG_ARC_TEMPERROR, "%s i=%u: body hash not computed", what, a->newest);
	if ((size_t)bhlen != a->ams.bh_len || memcmp(bh, a->ams.bh, a->ams.bh_len) != 0)
		return because(a, MXG_ARC_FAIL, "%s i=%u: body hash mismatch", what, a->newest);
	if (dkim_header_input(c->hs, &a->ams, a->field[ARC_AMS][a->newest] - 1, &buf, &blen,
			      &bcap) < 0) {
		free(buf);
		return because(a, MXG_ARC_TEMPERROR, "out of memory");
	}
	r = arc_signed(a, c, &a->ams, what, buf, blen);
	free(buf);
	return r;
}

/* Sets 1 to upto of a complete chain, then the first parts of set upto + 1 (ARC_AAR: none). */
static int sets_input(const struct dkim_arc *a, const struct dkim_headers *hs, unsigned upto,
		      int parts, char **buf, size_t *blen, size_t *bcap)
{
	for (unsigned i = 1; i <= upto + 1; i++)
		for (int p = 0; p < (i <= upto ? ARC_PARTS : parts); p++) {
			const struct dkim_hdr *h = &hs->h[a->field[p][i] - 1];
			if (dkim_canon_header(DKIM_CANON_RELAXED, hs->buf + h->off, h->len, 1, buf, blen,
					      bcap) < 0)
				return -1;
		}
	return 0;
}

int dkim_arc_sets_input(const struct dkim_arc *a, const struct dkim_headers *hs, unsigned upto,
			char **buf, size_t *blen, size_t *bcap)
{
	return sets_input(a, hs, upto, ARC_AAR, buf, blen, bcap);
}

/* What ARC-Seal i=n signs (§5.1.1): the sets 1 to n in order, each as ARC-Authentication-
 * Results, ARC-Message-Signature, ARC-Seal in relaxed form, the last seal with b= empty. */
static int seal_input(const struct dkim_arc *a, const struct arc_ctx *c, const struct dkim_sig *seal,
		      unsigned n, char **buf, size_t *blen, size_t *bcap)
{
	if (sets_input(a, c->hs, n - 1, ARC_AS, buf, blen, bcap) < 0)
		return -1;
	/* With no h= names, this adds only the seal itself, b= emptied, relaxed. */
	return dkim_header_input(c->hs, seal, a->field[ARC_AS][n] - 1, buf, blen, bcap);
}

static enum mxg_arc_result_code parse_seal(struct dkim_arc *a, const struct arc_ctx *c, unsigned i,
					   struct dkim_sig *seal)
{
	size_t len;
	char err[100];
	const char *val = value_of(c->hs, a->field[ARC_AS][i] - 1, &len);

	if (dkim_sig_parse_kind(DKIM_SIG_AS, val, len, seal, err, sizeof(err)) < 0) {
		seal->d[0] = '\0'; /* not shown: it need not be a domain */
		return because(a, MXG_ARC_FAIL, "ARC-Seal i=%u: %s", i, err);
	}
	/* §5.2 steps 2 and 3: the newest seal says fail, or the chain's states are not none
	 * then pass. */
	enum dkim_arc_cv want = i == 1 ? DKIM_ARC_CV_NONE : DKIM_ARC_CV_PASS;
	if (seal->cv != want)
		return because(a, MXG_ARC_FAIL, "ARC-Seal i=%u has cv=%s", i, dkim_arc_cv_name(seal->cv));
	return MXG_ARC_PASS;
}

/* Each seal, newest first (§5.2 step 5): all are parsed and their cv= checked before any
 * signature is, so a broken chain is named as such; then each is verified. */
static enum mxg_arc_result_code verify_seals(struct dkim_arc *a, const struct arc_ctx *c)
{
	struct dkim_sig *seals = calloc(a->newest + 1, sizeof(*seals));
	enum mxg_arc_result_code r = MXG_ARC_PASS;
	unsigned i;

	if (seals == NULL)
		return because(a, MXG_ARC_TEMPERROR, "out of memory");
	for (i = a->newest; i >= 1 && r == MXG_ARC_PASS; i--) {
		r = parse_seal(a, c, i, &seals[i]);
		if (i == a->newest && seals[i].d[0] != '\0')
			mxg_strlcpy(a->res.domain, seals[i].d, sizeof(a->res.domain));
	}
	for (i = a->newest; i >= 1 && r == MXG_ARC_PASS; i--) {
		char *buf = NULL;
		size_t blen = 0, bcap = 0;
		r = refuse_sha1(a, &seals[i], part_names[ARC_AS]);
		if (r != MXG_ARC_PASS)
			break;
		if (seal_input(a, c, &seals[i], i, &buf, &blen, &bcap) < 0)
			r = because(a, MXG_ARC_TEMPERROR, "out of memory");
		else
			r = arc_signed(a, c, &seals[i], part_names[ARC_AS], buf, blen);
		free(buf);
	}
	for (i = 1; i <= a->newest; i++)
		dkim_sig_clear(&seals[i]);
	free(seals);
	return r;
}

void dkim_arc_finish(struct dkim_arc *a, const struct dkim_headers *hs, struct mxg_resolver *r,
		     struct mxg_dkim_key_cache *cache, time_t now, unsigned min_rsa_bits,
		     const uint8_t *bh, int bhlen)
{
	const struct arc_ctx c = { hs, r, cache, now, min_rsa_bits };

	if (a->res.result == MXG_ARC_NONE || a->broken)
		return;
	enum mxg_arc_result_code res = verify_seals(a, &c);
	if (res == MXG_ARC_PASS)
		res = verify_ams(a, &c, bh, bhlen);
	a->res.result = res;
	if (res == MXG_ARC_PASS)
		a->res.reason[0] = '\0';
}

unsigned dkim_arc_newest(const struct dkim_arc *a)
{
	return a->newest;
}

int dkim_arc_ends_failed(const struct dkim_arc *a, const struct dkim_headers *hs)
{
	struct dkim_taglist tags;
	char err[100];
	size_t len;

	if (a->newest == 0 || a->field[ARC_AS][a->newest] == 0)
		return 0;
	const char *val = value_of(hs, a->field[ARC_AS][a->newest] - 1, &len);
	if (dkim_tags_parse(val, len, &tags, err, sizeof(err)) < 0)
		return 0;
	const struct dkim_tag *cv = dkim_tags_find(&tags, "cv");
	return cv != NULL && cv->value_len == 4 && mxg_strncaseeq(cv->value, "fail", 4);
}

const struct dkim_sig *dkim_arc_body_sig(const struct dkim_arc *a)
{
	return a->ams_ok ? &a->ams : NULL;
}

const struct mxg_arc_result *dkim_arc_get(const struct dkim_arc *a)
{
	return &a->res;
}

void dkim_arc_free(struct dkim_arc *a)
{
	if (a == NULL)
		return;
	if (a->ams_ok)
		dkim_sig_clear(&a->ams);
	free(a);
}

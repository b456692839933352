/* The ARC sealer (arc_seal.h, RFC 8617 §5.1): writes the three fields of the next ARC set and
 * signs them with the DKIM signer's key code over the verifier's stored header fields and body
 * hash, with the verifier's canonicalization and header-input code and arc_verify.c's view of
 * the chain, so what it seals is what a validator reads. Tags are written in alphabetical order
 * with b= second, the form ValiMail's signing suite expects. */
#include "arc_internal.h"
#include "mxguard/arc_seal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxguard/str.h"

/* Width the fields are folded at. */
#define FOLD 76
/* Longest b= piece on one line: 998 octets less the tab and "b=" (RFC 5322 §2.1.1). */
#define LINE_MAX_B 990
/* Longest authserv-id and A-R value taken. */
#define AUTHRES_MAX 16384

struct seal_ctx {
	const struct mxg_dkim_signing_key *k;
	const struct mxg_arc_seal_options *o;
	const char *nl;
	unsigned inst;
	enum mxg_arc_result_code cv;
	long long t;
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 2, 3)))
static enum mxg_arc_seal_status fail(const struct seal_ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, c->errlen, fmt, ap);
	va_end(ap);
	return MXG_ARC_SEAL_ERROR;
}

static const char *cv_name(enum mxg_arc_result_code cv)
{
	return cv == MXG_ARC_PASS ? "pass" : cv == MXG_ARC_FAIL ? "fail" : "none";
}

/* An h= name: a field name (RFC 5322 ftext, no blanks), never an ARC field or an
 * Authentication-Results (RFC 8617 §4.1.2: a later hop removes or adds them). */
static int usable_header(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > 64 || dkim_arc_field_name(name, n) || mxg_strcaseeq(name, "authentication-results"))
		return 0;
	for (const char *p = name; *p; p++)
		if (*p <= ' ' || *p > '~' || *p == ':' || *p == ';')
			return 0;
	return 1;
}

static int options_ok(const struct seal_ctx *c)
{
	const struct mxg_arc_seal_options *o = c->o;
	size_t al = o->authserv_id != NULL ? strlen(o->authserv_id) : 0;

	if (!dkim_sign_valid_name(o->domain) || !dkim_sign_valid_name(o->selector))
		return fail(c, "bad domain or selector"), 0;
	if (al == 0 || o->authres == NULL || strlen(o->authres) > AUTHRES_MAX ||
	    !mxg_strncaseeq(o->authres, o->authserv_id, al) ||
	    (o->authres[al] != ';' && o->authres[al] != ' ' && o->authres[al] != '\0'))
		return fail(c, "the Authentication-Results value must start with the authserv-id"), 0;
	if (o->n_headers > MXG_ARC_SEAL_HEADERS_MAX)
		return fail(c, "more than %d names for h=", MXG_ARC_SEAL_HEADERS_MAX), 0;
	for (size_t i = 0; o->headers != NULL && i < o->n_headers; i++)
		if (!usable_header(o->headers[i]))
			return fail(c, "h= may not list \"%.64s\"", o->headers[i]), 0;
	return 1;
}

/* Writes text with every run of blanks and line breaks as one space, folding after a ';'
 * once the line passes the fold width (folding whitespace: the relaxed form is unchanged). */
static void put_folded(FILE *f, const char *text, size_t col, const char *nl)
{
	int blank = 0, after_semi = 0;

	while (*text == ' ' || *text == '\t' || *text == '\r' || *text == '\n')
		text++;
	for (const char *p = text; *p; p++) {
		if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
			blank = 1;
			continue;
		}
		if (blank && after_semi && col > FOLD / 2 && col + strcspn(p, ";") > FOLD) {
			fprintf(f, "%s\t", nl);
			col = 1;
		} else if (blank) {
			fputc(' ', f);
			col++;
		}
		blank = 0;
		after_semi = *p == ';';
		fputc(*p, f);
		col++;
	}
}

/* b= value (empty while the field is being hashed), on a line of its own and unbroken: a later
 * seal signs this field in relaxed form, where a fold inside b= would become a space that other
 * sealers do not write. Only a value longer than a line may be (RFC 5322 §2.1.1) is folded. */
static void put_b(FILE *f, const char *b64v, const char *nl)
{
	size_t len = strlen(b64v);

	for (size_t k = 0; k < len;) {
		size_t take = len - k > LINE_MAX_B ? LINE_MAX_B : len - k;
		if (k > 0)
			fprintf(f, "%s\t", nl);
		fwrite(b64v + k, 1, take, f);
		k += take;
	}
}

/* h=, breaking after a colon when the line would pass the fold width; the line goes on. */
static void put_h(FILE *f, const struct dkim_sig *sig, const char *nl)
{
	size_t col = 3;

	fputs("\th=", f);
	for (size_t j = 0; j < sig->h_count; j++) {
		size_t w = strlen(sig->h_names[j]) + 1;
		if (j > 0 && col + w > FOLD) {
			fprintf(f, "%s\t", nl);
			col = 1;
		}
		fprintf(f, "%s%s", sig->h_names[j], j + 1 < sig->h_count ? ":" : ";");
		col += w;
	}
}

/* The field text f wrote into *text, or NULL (ENOMEM). */
static char *field_end(FILE *f, char **text)
{
	if (fclose(f) != 0) {
		free(*text);
		*text = NULL;
	}
	return *text;
}

static char *aar_field(const struct seal_ctx *c)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (f == NULL)
		return NULL;
	int col = fprintf(f, "ARC-Authentication-Results: i=%u; ", c->inst);
	put_folded(f, c->o->authres, col > 0 ? (size_t)col : 0, c->nl);
	fputs(c->nl, f);
	return field_end(f, &text);
}

/* A signed field's start: its name, a= and b= (b64v, or empty while it is being hashed). */
static FILE *signed_field(const struct seal_ctx *c, const char *name, const char *b64v,
			  char **text, size_t *len)
{
	FILE *f = open_memstream(text, len);

	if (f == NULL)
		return NULL;
	fprintf(f, "%s: a=%s-sha256;%s\tb=", name, mxg_dkim_signing_key_type(c->k), c->nl);
	put_b(f, b64v, c->nl);
	fprintf(f, ";%s", c->nl);
	return f;
}

static char *ams_field(const struct seal_ctx *c, const struct dkim_sig *sig, const char *bh64,
		       const char *b64v)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = signed_field(c, "ARC-Message-Signature", b64v, &text, &len);

	if (f == NULL)
		return NULL;
	fprintf(f, "\tbh=%s; c=relaxed/relaxed; d=%s;%s", bh64, c->o->domain, c->nl);
	put_h(f, sig, c->nl);
	/* " i=N;" with a space before it on one line: dkimpy finds the AMS of an instance so. */
	fprintf(f, " i=%u; s=%s; t=%lld%s", c->inst, c->o->selector, c->t, c->nl);
	return field_end(f, &text);
}

static char *as_field(const struct seal_ctx *c, const char *b64v)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = signed_field(c, "ARC-Seal", b64v, &text, &len);

	if (f == NULL)
		return NULL;
	fprintf(f, "\tcv=%s; d=%s; i=%u; s=%s; t=%lld%s", cv_name(c->cv), c->o->domain, c->inst,
		c->o->selector, c->t, c->nl);
	return field_end(f, &text);
}

/* Appends a field we wrote (with its line end) in relaxed form; crlf ends it with CRLF. */
static int canon_field(const char *field, int crlf, char **buf, size_t *blen, size_t *bcap)
{
	size_t len = strlen(field);

	while (len > 0 && (field[len - 1] == '\n' || field[len - 1] == '\r'))
		len--;
	return dkim_canon_header(DKIM_CANON_RELAXED, field, len, crlf, buf, blen, bcap);
}

/* SHA-256 of the hash input, signed, in base64 (allocated); NULL on a crypto error. */
static char *sign_input(const struct mxg_dkim_signing_key *k, const char *buf, size_t blen)
{
	uint8_t digest[EVP_MAX_MD_SIZE], b[DKIM_SIG_MAX];
	unsigned int dl = 0;
	size_t sl = sizeof(b);

	if (EVP_Digest(buf, blen, digest, &dl, dkim_sha256(), NULL) != 1 ||
	    dkim_sign_digest(k, digest, dl, b, &sl) < 0)
		return NULL;
	return dkim_b64_encode(b, sl);
}

/* The h= list: the caller's, or the DKIM signer's choice. */
static int choose_headers(const struct seal_ctx *c, const struct dkim_headers *hs,
			  struct dkim_sig *sig)
{
	sig->hcanon = DKIM_CANON_RELAXED;
	sig->bcanon = DKIM_CANON_RELAXED;
	if (c->o->headers == NULL)
		return dkim_sign_choose(hs, sig, c->err, c->errlen);
	for (size_t i = 0; i < c->o->n_headers; i++)
		sig->h_names[sig->h_count++] = (char *)(uintptr_t)c->o->headers[i];
	return 0;
}

/* ARC-Message-Signature: a DKIM signature over the h= fields and the body (§4.1.2). */
static char *make_ams(const struct seal_ctx *c, const struct dkim_headers *hs, const uint8_t *bh,
		      int bhlen)
{
	static struct dkim_sig zero;
	struct dkim_sig *sig = malloc(sizeof(*sig));
	char *bh64 = dkim_b64_encode(bh, (size_t)bhlen);
	char *unsigned_ams = NULL, *b64v = NULL, *ams = NULL, *buf = NULL;
	size_t blen = 0, bcap = 0;

	if (sig == NULL || bh64 == NULL) {
		fail(c, "out of memory");
		goto out;
	}
	*sig = zero;
	if (choose_headers(c, hs, sig) < 0)
		goto out;
	unsigned_ams = ams_field(c, sig, bh64, "");
	if (unsigned_ams == NULL || dkim_header_fields_input(hs, sig, &buf, &blen, &bcap) < 0 ||
	    canon_field(unsigned_ams, 0, &buf, &blen, &bcap) < 0) {
		fail(c, "out of memory");
		goto out;
	}
	if ((b64v = sign_input(c->k, buf, blen)) == NULL) {
		fail(c, "signing failed (crypto error)");
		goto out;
	}
	if ((ams = ams_field(c, sig, bh64, b64v)) == NULL)
		fail(c, "out of memory");
out:
	free(buf);
	free(b64v);
	free(unsigned_ams);
	free(bh64);
	free(sig);
	return ams;
}

/* ARC-Seal (§5.1.1): the chain's sets (none for cv=fail, §5.1.2), then the new set, its seal
 * with b= empty. */
static char *make_as(const struct seal_ctx *c, const struct dkim_arc *arc,
		     const struct dkim_headers *hs, const struct mxg_arc_set *set)
{
	char *unsigned_as = as_field(c, ""), *b64v = NULL, *as = NULL, *buf = NULL;
	size_t blen = 0, bcap = 0;
	unsigned upto = c->cv == MXG_ARC_PASS ? c->inst - 1 : 0;

	if (unsigned_as == NULL || dkim_arc_sets_input(arc, hs, upto, &buf, &blen, &bcap) < 0 ||
	    canon_field(set->aar, 1, &buf, &blen, &bcap) < 0 ||
	    canon_field(set->ams, 1, &buf, &blen, &bcap) < 0 ||
	    canon_field(unsigned_as, 0, &buf, &blen, &bcap) < 0) {
		fail(c, "out of memory");
		goto out;
	}
	if ((b64v = sign_input(c->k, buf, blen)) == NULL) {
		fail(c, "signing failed (crypto error)");
		goto out;
	}
	if ((as = as_field(c, b64v)) == NULL)
		fail(c, "out of memory");
out:
	free(buf);
	free(b64v);
	free(unsigned_as);
	return as;
}

/* The chain state becomes cv=, or the reason not to seal. */
static enum mxg_arc_seal_status chain_state(struct seal_ctx *c, const struct mxg_dkim_verifier *v,
					    const struct dkim_arc *arc, const struct dkim_headers *hs)
{
	const struct mxg_arc_result *r = mxg_dkim_arc(v);

	if (r->result == MXG_ARC_TEMPERROR)
		return fail(c, "the chain could not be validated (temperror): not sealed");
	if (r->result != MXG_ARC_NONE && dkim_arc_ends_failed(arc, hs))
		return MXG_ARC_SEAL_CHAIN_ENDED;
	c->inst = dkim_arc_newest(arc) + 1;
	if (c->inst > MXG_ARC_SEAL_MAX_INSTANCE)
		return fail(c, "the chain already has %u ARC sets (RFC 8617 allows %d)", c->inst - 1,
			    MXG_ARC_SEAL_MAX_INSTANCE);
	c->cv = r->result;
	return MXG_ARC_SEALED;
}

enum mxg_arc_seal_status mxg_arc_seal(const struct mxg_dkim_verifier *v,
				      const struct mxg_dkim_signing_key *k,
				      const struct mxg_arc_seal_options *o, struct mxg_arc_set *out,
				      char *err, size_t errlen)
{
	struct seal_ctx c = { k, o, o->lf ? "\n" : "\r\n", 0, MXG_ARC_NONE,
			      (long long)(o->now ? o->now : time(NULL)), err, errlen };
	struct dkim_headers hs;
	const struct dkim_arc *arc;
	const uint8_t *bh;

	memset(out, 0, sizeof(*out));
	if (!options_ok(&c))
		return MXG_ARC_SEAL_ERROR;
	int bhlen = dkim_verifier_seal_view(v, &hs, &arc, &bh, err, errlen);
	if (bhlen < 0)
		return MXG_ARC_SEAL_ERROR;
	enum mxg_arc_seal_status st = chain_state(&c, v, arc, &hs);
	if (st != MXG_ARC_SEALED)
		return st;
	out->instance = c.inst;
	out->cv = c.cv;
	if ((out->aar = aar_field(&c)) == NULL) {
		mxg_arc_set_clear(out);
		return fail(&c, "out of memory");
	}
	if ((out->ams = make_ams(&c, &hs, bh, bhlen)) == NULL ||
	    (out->as = make_as(&c, arc, &hs, out)) == NULL) {
		mxg_arc_set_clear(out);
		return MXG_ARC_SEAL_ERROR;
	}
	return MXG_ARC_SEALED;
}

void mxg_arc_set_clear(struct mxg_arc_set *s)
{
	free(s->aar);
	free(s->ams);
	free(s->as);
	memset(s, 0, sizeof(*s));
}

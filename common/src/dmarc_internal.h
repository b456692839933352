/* Pieces shared by dmarc.c (evaluation) and dmarc_audit.c (the domain audit):
 * fetching the DMARC records at one name. Not a public interface. */
#ifndef MXGUARD_DMARC_INTERNAL_H
#define MXGUARD_DMARC_INTERNAL_H

#include <stdint.h>

#include "mxguard/dmarc.h"

#define DMARC_TEXT_MAX 4096

/* What _dmarc.<domain> holds. */
struct dmarc_fetch {
	int temp;                      /* lookup failed temporarily (why says how) */
	size_t count;                  /* DMARC records: TXT whose first tag is exactly v=DMARC1 */
	struct mxg_dmarc_record rec;   /* the record when count == 1 */
	int parse_ok;                  /* it parsed without any problem */
	char problem[160];             /* else the first problem */
	char text[DMARC_TEXT_MAX];     /* its text */
	char why[160];
};

/* Looks up and parses the records at _dmarc.<domain>. Returns 0, or -1 when
 * the lookup failed temporarily or locally (f->temp set, reason in f->why). */
int dmarc_fetch(struct mxg_resolver *r, enum mxg_dmarc_mode mode, const char *domain,
		struct dmarc_fetch *f);
/* The same at an exact name (report authorisation records). */
int dmarc_fetch_at(struct mxg_resolver *r, enum mxg_dmarc_mode mode, const char *name,
		   struct dmarc_fetch *f);

/* The organisational domain of domain for alignment; 0, or -1 (DNS trouble, why filled). */
int dmarc_org_lookup(struct mxg_resolver *r, const struct mxg_dmarc_options *opt,
		     const char *domain, char *out, size_t outsize, char *why, size_t whylen);

/* An RFC 7489 report size limit ("10m", the part after '!') in bytes; 0 when malformed. */
uint64_t dmarc_size_parse(const char *s);

#endif

/* Reads RFC 1035 master files (and single record lines) into the zone backend with ldns,
 * which handles $ORIGIN, $TTL, parentheses and escapes; errors name the file and line. */
#include "mxguard/dns.h"
#include "mxguard/str.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <ldns/ldns.h>

#include "dns_zone_internal.h"

#define DEFAULT_TTL 3600

/* Hands one parsed record to the store. */
static int add_ldns_rr(struct mxg_resolver *r, const ldns_rr *rr, char *err, size_t errlen)
{
	char owner[MXG_DNS_NAME_MAX];
	const ldns_rdf *o = ldns_rr_owner(rr);

	if (o == NULL || mxg_dns_name_from_wire(ldns_rdf_data(o), ldns_rdf_size(o), owner,
						sizeof(owner)) < 0)
		return mxg_fail(err, errlen, "invalid owner name");
	ldns_buffer *buf = ldns_buffer_new(512);
	if (buf == NULL)
		return mxg_fail(err, errlen, "out of memory");
	int rc = -1;
	if (ldns_rr_rdata2buffer_wire(buf, rr) != LDNS_STATUS_OK)
		snprintf(err, errlen, "cannot encode RDATA");
	else
		rc = mxg_zone_add_rr_err(r, owner, (uint16_t)ldns_rr_get_type(rr), ldns_rr_ttl(rr),
					 ldns_buffer_begin(buf), ldns_buffer_position(buf), err, errlen);
	ldns_buffer_free(buf);
	return rc;
}

/* The origin as an absolute ldns name; NULL or "" mean the root. */
static ldns_rdf *make_origin(const char *origin)
{
	char abs[MXG_DNS_NAME_MAX + 1];
	size_t len = origin != NULL ? strlen(origin) : 0;

	if (len == 0 || strcmp(origin, ".") == 0)
		return ldns_dname_new_frm_str(".");
	if (len >= MXG_DNS_NAME_MAX)
		return NULL;
	snprintf(abs, sizeof(abs), "%s%s", origin, origin[len - 1] == '.' ? "" : ".");
	return ldns_dname_new_frm_str(abs);
}

static int read_records(struct mxg_resolver *r, FILE *fp, const char *path, ldns_rdf **origin,
			char *err, size_t errlen)
{
	uint32_t ttl = DEFAULT_TTL;
	ldns_rdf *prev = NULL;
	int line = 0, rc = 0;
	char why[128];

	while (rc == 0 && !feof(fp)) {
		ldns_rr *rr = NULL;
		ldns_status s = ldns_rr_new_frm_fp_l(&rr, fp, &ttl, origin, &prev, &line);
		switch (s) {
		case LDNS_STATUS_OK:
			if (add_ldns_rr(r, rr, why, sizeof(why)) < 0) {
				snprintf(err, errlen, "%s:%d: %s", path, line, why);
				rc = -1;
			}
			break;
		case LDNS_STATUS_SYNTAX_EMPTY:
		case LDNS_STATUS_SYNTAX_TTL:
		case LDNS_STATUS_SYNTAX_ORIGIN:
			break;
		case LDNS_STATUS_SYNTAX_INCLUDE:
			snprintf(err, errlen, "%s:%d: $INCLUDE is not supported", path, line);
			rc = -1;
			break;
		default:
			snprintf(err, errlen, "%s:%d: %s", path, line, ldns_get_errorstr_by_id(s));
			rc = -1;
			break;
		}
		ldns_rr_free(rr);
	}
	if (rc == 0 && ferror(fp)) {
		snprintf(err, errlen, "%s:%d: read error", path, line);
		rc = -1;
	}
	ldns_rdf_deep_free(prev);
	return rc;
}

int mxg_zone_load_file(struct mxg_resolver *r, const char *path, const char *origin,
		       char *err, size_t errlen)
{
	FILE *fp = fopen(path, "r");

	if (fp == NULL)
		return mxg_fail(err, errlen, "%s:0: %s", path, strerror(errno));
	ldns_rdf *o = make_origin(origin);
	if (o == NULL) {
		snprintf(err, errlen, "%s:0: invalid origin '%.80s'", path, origin);
		fclose(fp);
		return -1;
	}
	int rc = read_records(r, fp, path, &o, err, errlen);
	ldns_rdf_deep_free(o);
	fclose(fp);
	return rc;
}

int mxg_zone_add_text(struct mxg_resolver *r, const char *line, char *err, size_t errlen)
{
	char why[128];
	ldns_rr *rr = NULL;
	const char *p = line + strspn(line, " \t");

	if (*p == '\0' || *p == ';' || *p == '$')
		return mxg_fail(err, errlen, "not a record line");
	ldns_rdf *root = ldns_dname_new_frm_str(".");
	if (root == NULL)
		return mxg_fail(err, errlen, "out of memory");
	ldns_status s = ldns_rr_new_frm_str(&rr, line, DEFAULT_TTL, root, NULL);
	ldns_rdf_deep_free(root);
	if (s != LDNS_STATUS_OK)
		return mxg_fail(err, errlen, "%s", ldns_get_errorstr_by_id(s));
	int rc = add_ldns_rr(r, rr, why, sizeof(why));
	if (rc < 0)
		snprintf(err, errlen, "%s", why);
	ldns_rr_free(rr);
	return rc;
}

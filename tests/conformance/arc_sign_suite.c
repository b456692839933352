/* The signing half of ValiMail's ARC suite (arc-draft-sign-tests.yml) through the sealer: each
 * scenario's key and TXT records, each test's message verified (the chain state) and sealed
 * with the test's time, h= list and authserv-id; the three new fields must equal the expected
 * ones as sets of tags with all whitespace removed (the suite's own comparison). RSA signing is
 * deterministic, so equal b= values mean the same bytes were signed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "arc_sign_suite.h"
#include "mxguard/arc_seal.h"
#include "mxguard/dkim.h"
#include "mxguard/str.h"
#include "suite_yaml.h"

/* Longest collected A-R text, and the most h= names a test lists. */
#define AUTHRES_MAX 4096
#define HEADERS_MAX 32
#define TAGS_MAX 32
#define TAG_MAX 1024

/* Cases deliberately not followed: none today. Each would be listed with its RFC reason, printed
 * and counted as failed (not as passed). */
static const struct {
	const char *test;
	const char *reason;
} not_followed[] = {
	{ NULL, NULL },
};

static struct mxg_dkim_signing_key *key;
static char domain[256], selector[64];

static void load_key(yaml_document_t *d)
{
	yaml_node_t *root = yaml_document_get_root_node(d);
	const char *pem = suite_text(suite_map_get(d, root, "privatekey"));
	const char *dom = suite_text(suite_map_get(d, root, "domain"));
	const char *sel = suite_text(suite_map_get(d, root, "sel"));
	char err[200];

	mxg_dkim_signing_key_free(key);
	key = NULL;
	if (pem == NULL || dom == NULL || sel == NULL) {
		fprintf(stderr, "arc-sign-suite: scenario without privatekey, domain or sel\n");
		return;
	}
	mxg_strlcpy(domain, dom, sizeof(domain));
	mxg_strlcpy(selector, sel, sizeof(selector));
	/* The suite's key has 1024 bits: RFC 8301's floor for signers, under our default 2048. */
	key = mxg_dkim_signing_key_from_pem(pem, strlen(pem), MXG_DKIM_SIGN_FLOOR_RSA_BITS, err,
					    sizeof(err));
	if (key == NULL)
		fprintf(stderr, "arc-sign-suite: the scenario's key: %s\n", err);
}

/* The signing file writes its key record as a YAML literal block ("|"), whose line breaks are
 * the file's layout: the validation file writes the same record as a folded block (">-"),
 * which YAML reads with spaces there. The record is served that way, each line break a space
 * (RFC 6376 §3.2 allows FWS inside p=; a bare line break is not FWS). */
static int load_records(struct mxg_resolver *r, yaml_document_t *d, yaml_node_t *records)
{
	if (records == NULL || records->type != YAML_MAPPING_NODE)
		return -1;
	for (yaml_node_pair_t *p = records->data.mapping.pairs.start; p < records->data.mapping.pairs.top; p++) {
		yaml_node_t *v = suite_node(d, p->value);
		if (v->type != YAML_SCALAR_NODE)
			return -1;
		for (size_t i = 0; i < v->data.scalar.length; i++)
			if (v->data.scalar.value[i] == '\n')
				v->data.scalar.value[i] = ' ';
	}
	return arc_suite_load_records(r, d, records);
}

int arc_sign_load(struct mxg_resolver *r, yaml_document_t *d, yaml_node_t *records)
{
	load_key(d);
	if (key == NULL)
		return -1;
	return load_records(r, d, records);
}

/* Appends the results of each A-R field of the message whose authserv-id is srv (the suite's
 * convention for "this hop's results"), as one value "srv; r1; r2; ...". */
static void collect_authres(const char *msg, const char *srv, char *out, size_t size)
{
	size_t sl = strlen(srv);
	const char *p = msg;

	snprintf(out, size, "%s", srv);
	while (*p != '\0' && *p != '\n') {
		const char *end = p;
		do
			end = strchr(end, '\n') ? strchr(end, '\n') + 1 : end + strlen(end);
		while (*end == ' ' || *end == '\t');
		if (strncasecmp(p, "Authentication-Results:", 23) == 0) {
			const char *v = p + 23;
			while (*v == ' ' || *v == '\t')
				v++;
			size_t vl = (size_t)(end - v);
			while (vl > sl && (v[vl - 1] == ' ' || v[vl - 1] == '\t' || v[vl - 1] == '\n'))
				vl--;
			if (mxg_strncaseeq(v, srv, sl) && v[sl] == ';')
				mxg_strcatf(out, size, ";%.*s", (int)(vl - sl - 1), v + sl + 1);
		}
		p = end;
	}
}

/* The tags of a field value: whitespace removed, split at ';', empty ones dropped. Returns how
 * many there are; max + 1 means more than max (the rest are not kept). */
static size_t tags_of(const char *value, char tags[][TAG_MAX], size_t max)
{
	size_t n = 0, k = 0;

	for (const char *p = value;; p++) {
		if (*p == ';' || *p == '\0') {
			if (k > 0 && n < max)
				tags[n][k] = '\0';
			n += k > 0;
			k = 0;
			if (*p == '\0' || n > max)
				break;
		} else if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n' && k + 1 < TAG_MAX) {
			if (n < max)
				tags[n][k] = *p;
			k++;
		}
	}
	return n;
}

static int tag_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* Whether the field we wrote has exactly the expected tags (the suite compares sets). */
static int same_tags(const char *field, const char *want)
{
	static char a[TAGS_MAX][TAG_MAX], b[TAGS_MAX][TAG_MAX];
	const char *colon = field != NULL ? strchr(field, ':') : NULL;
	size_t na = colon != NULL ? tags_of(colon + 1, a, TAGS_MAX) : 0;
	size_t nb = tags_of(want, b, TAGS_MAX);

	if (na != nb || na > TAGS_MAX)
		return 0;
	qsort(a, na, sizeof(a[0]), tag_cmp);
	qsort(b, nb, sizeof(b[0]), tag_cmp);
	for (size_t i = 0; i < na; i++)
		if (strcmp(a[i], b[i]) != 0)
			return 0;
	return 1;
}

static size_t split_headers(char *list, const char **names, size_t max)
{
	size_t n = 0;

	for (char *save = NULL, *t = strtok_r(list, ":", &save); t != NULL && n < max;
	     t = strtok_r(NULL, ":", &save))
		names[n++] = mxg_str_trim(t);
	return n;
}

static int expect_nothing(const char *as, const char *ams, const char *aar)
{
	return tags_of(as, NULL, 0) + tags_of(ams, NULL, 0) + tags_of(aar, NULL, 0) == 0;
}

static int not_followed_index(const char *test)
{
	for (int i = 0; not_followed[i].test != NULL; i++)
		if (strcmp(not_followed[i].test, test) == 0)
			return i;
	return -1;
}

/* Seals the test's message; the verdict line says what differs. */
static int seal_and_compare(struct mxg_resolver *r, yaml_document_t *d, yaml_node_t *t, char *why,
			    size_t whylen)
{
	const char *msg = suite_text(suite_map_get(d, t, "message"));
	const char *ts = suite_text(suite_map_get(d, t, "t"));
	const char *hl = suite_text(suite_map_get(d, t, "sig-headers"));
	const char *srv = suite_text(suite_map_get(d, t, "srv-id"));
	const char *as = suite_text(suite_map_get(d, t, "AS"));
	const char *ams = suite_text(suite_map_get(d, t, "AMS"));
	const char *aar = suite_text(suite_map_get(d, t, "AAR"));
	char list[1024], authres[AUTHRES_MAX], err[200];
	const char *names[HEADERS_MAX];

	if (msg == NULL || ts == NULL || hl == NULL || srv == NULL || as == NULL || ams == NULL ||
	    aar == NULL || key == NULL)
		return snprintf(why, whylen, "malformed test"), 0;
	mxg_strlcpy(list, hl, sizeof(list));
	collect_authres(msg, srv, authres, sizeof(authres));
	struct mxg_dkim_options vo = { .seal_body = 1 };
	struct mxg_dkim_verifier *v = mxg_dkim_verify_buffer(r, NULL, &vo, msg, strlen(msg));
	struct mxg_arc_seal_options o = {
		.domain = domain, .selector = selector, .authserv_id = srv, .authres = authres,
		.headers = names, .n_headers = split_headers(list, names, HEADERS_MAX),
		.now = (time_t)strtoll(ts, NULL, 10), .lf = 1,
	};
	struct mxg_arc_set set;
	enum mxg_arc_seal_status st = v != NULL ? mxg_arc_seal(v, key, &o, &set, err, sizeof(err))
						: MXG_ARC_SEAL_ERROR;
	int ok;
	if (expect_nothing(as, ams, aar))
		ok = st == MXG_ARC_SEAL_CHAIN_ENDED;
	else
		ok = st == MXG_ARC_SEALED && same_tags(set.as, as) && same_tags(set.ams, ams) &&
		     same_tags(set.aar, aar);
	if (st == MXG_ARC_SEALED)
		snprintf(why, whylen, "sealed i=%u cv=%s%s%s%s%s", set.instance,
			 mxg_arc_result_name(set.cv), ok ? "" : "\n", ok ? "" : set.aar,
			 ok ? "" : set.ams, ok ? "" : set.as);
	else
		snprintf(why, whylen, "%s", st == MXG_ARC_SEAL_CHAIN_ENDED ?
			 "not sealed: the chain already ends cv=fail" : err);
	if (st == MXG_ARC_SEALED)
		mxg_arc_set_clear(&set);
	mxg_dkim_verifier_free(v);
	return ok;
}

void arc_sign_test(struct mxg_resolver *r, yaml_document_t *d, const char *name, yaml_node_t *t)
{
	char why[2048];
	int ok = seal_and_compare(r, d, t, why, sizeof(why));
	int nf = not_followed_index(name);

	if (nf >= 0) {
		printf("not ok - %s: deliberately not followed (%s); %s\n", name,
		       not_followed[nf].reason, why);
		arc_sign_failed++;
		return;
	}
	printf("%s - %s: %s\n", ok ? "ok" : "not ok", name, why);
	if (ok)
		arc_sign_passed++;
	else
		arc_sign_failed++;
}

void arc_sign_done(void)
{
	mxg_dkim_signing_key_free(key);
	key = NULL;
}

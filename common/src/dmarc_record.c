/* DMARC record parsing (RFC 9989 §4.7-4.8, RFC 7489 §6.3-6.4): a DKIM-style tag list that
 * must open with v=DMARC1. Every problem is reported, yet receivers keep the record usable. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmarc_internal.h"
#include "mxguard/chars.h"
#include "mxguard/dmarc.h"
#include "mxguard/str.h"

#define RECORD_MAX 4096

struct parse_state {
	enum mxg_dmarc_mode mode;
	struct mxg_dmarc_record *rec;
	char *err;
	size_t errlen;
	int failed;
	unsigned seen;  /* bit per known tag, for duplicates */
	unsigned index; /* position of the current tag (v is 0) */
};

/* Records the first problem only: it is the one worth telling an operator. */
static void problem(struct parse_state *st, const char *fmt, const char *arg)
{
	if (!st->failed && st->errlen > 0)
		snprintf(st->err, st->errlen, fmt, arg);
	st->failed = 1;
}

static void problem0(struct parse_state *st, const char *msg)
{
	problem(st, "%s", msg);
}

static enum mxg_dmarc_policy policy_value(const char *v)
{
	if (mxg_strcaseeq(v, "none"))
		return MXG_DMARC_POLICY_NONE;
	if (mxg_strcaseeq(v, "quarantine"))
		return MXG_DMARC_POLICY_QUARANTINE;
	if (mxg_strcaseeq(v, "reject"))
		return MXG_DMARC_POLICY_REJECT;
	return MXG_DMARC_POLICY_UNSET;
}

/* A URI scheme (RFC 3986 §3.1) followed by a non-empty rest without spaces or controls. */
static int uri_valid(const char *u)
{
	const char *colon = strchr(u, ':');

	if (colon == NULL || colon == u || !isalpha((unsigned char)u[0]) || colon[1] == '\0')
		return 0;
	for (const char *s = u; s < colon; s++)
		if (!isalnum((unsigned char)*s) && *s != '+' && *s != '-' && *s != '.')
			return 0;
	for (const char *s = colon + 1; *s; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return 0;
	if (mxg_strncaseeq(u, "mailto:", 7)) {
		const char *at = strchr(u + 7, '@');
		if (at == NULL || at == u + 7 || at[1] == '\0' || strchr(at + 1, '@') != NULL)
			return 0;
	}
	return 1;
}

/* Takes an RFC 7489 size limit ("!10m", which RFC 9990 no longer defines) off the URI: its
 * value in bytes, or 0 when there is none (or it is malformed: then the URI keeps it). */
static uint64_t strip_size(char *u)
{
	char *bang = strrchr(u, '!');
	uint64_t size = bang != NULL ? dmarc_size_parse(bang + 1) : 0;

	if (size > 0)
		*bang = '\0';
	return size;
}

static void uri_list(struct parse_state *st, char *value, char list[][256], uint64_t *sizes,
		     size_t *count, size_t *invalid)
{
	char *save = NULL;

	for (char *u = strtok_r(value, ",", &save); u != NULL; u = strtok_r(NULL, ",", &save)) {
		u = mxg_str_trim(u);
		uint64_t size = strip_size(u);
		if (strlen(u) >= 256 || !uri_valid(u)) {
			(*invalid)++;
			if (st->rec->invalid_uri[0] == '\0')
				mxg_strlcpy(st->rec->invalid_uri, u, sizeof(st->rec->invalid_uri));
			problem(st, "invalid report URI '%s'", u);
			continue;
		}
		if (*count < MXG_DMARC_URI_MAX) {
			sizes[*count] = size;
			mxg_strlcpy(list[(*count)++], u, 256);
		}
	}
}

static int fo_valid(const char *v)
{
	if (*v == '\0')
		return 0;
	for (const char *s = v; *s; s++) {
		if (strchr("01ds", tolower((unsigned char)*s)) == NULL)
			return 0;
		if (s[1] == ':' && s[2] != '\0')
			s++;
		else if (s[1] != '\0')
			return 0;
	}
	return 1;
}

/* 0..100 as 1*3DIGIT; -1 if not. */
static int pct_value(const char *v)
{
	size_t n = strlen(v);

	if (n == 0 || n > 3 || strspn(v, "0123456789") != n)
		return -1;
	int pct = atoi(v);
	return pct <= 100 ? pct : -1;
}

static int rf_valid(const char *v)
{
	if (*v == '\0')
		return 0;
	for (const char *s = v; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != ':')
			return 0;
	return 1;
}

static int ri_valid(const char *v)
{
	size_t n = strlen(v);
	return n > 0 && n <= 10 && strspn(v, "0123456789") == n && strtoull(v, NULL, 10) <= 0xffffffffULL;
}

static void set_policy(struct parse_state *st, const char *name, const char *value,
		       enum mxg_dmarc_policy *slot)
{
	enum mxg_dmarc_policy p = policy_value(value);

	if (p == MXG_DMARC_POLICY_UNSET) {
		st->rec->policy_invalid = 1;
		problem(st, "invalid %s value", name);
		return;
	}
	*slot = p;
}

static void set_flag(struct parse_state *st, const char *name, const char *value,
		     const char *allowed, char *slot)
{
	if (strlen(value) != 1 || strchr(allowed, tolower((unsigned char)value[0])) == NULL) {
		problem(st, "invalid %s value", name);
		return;
	}
	*slot = (char)tolower((unsigned char)value[0]);
}

/* Tags by mode: which ones this mode knows (the others are ignored as unknown). */
enum tag_modes { BOTH = 3, ONLY_9989 = 1, ONLY_7489 = 2 };
static const struct {
	const char *name;
	enum tag_modes modes;
} known_tags[] = {
	{ "p", BOTH },   { "sp", BOTH },  { "adkim", BOTH }, { "aspf", BOTH },
	{ "fo", BOTH },  { "rua", BOTH }, { "ruf", BOTH },   { "np", ONLY_9989 },
	{ "psd", ONLY_9989 }, { "t", ONLY_9989 }, { "pct", ONLY_7489 }, { "rf", ONLY_7489 },
	{ "ri", ONLY_7489 },
};

static int known_index(const char *name, enum mxg_dmarc_mode mode)
{
	unsigned bit = mode == MXG_DMARC_MODE_7489 ? ONLY_7489 : ONLY_9989;

	for (size_t i = 0; i < sizeof(known_tags) / sizeof(known_tags[0]); i++)
		if (mxg_strcaseeq(name, known_tags[i].name))
			return (known_tags[i].modes & bit) ? (int)i : -1;
	return -1;
}

static void apply_tag(struct parse_state *st, const char *name, char *value)
{
	struct mxg_dmarc_record *r = st->rec;
	char flag = 0;

	if (mxg_strcaseeq(name, "p")) {
		set_policy(st, "p", value, &r->p);
	} else if (mxg_strcaseeq(name, "sp")) {
		set_policy(st, "sp", value, &r->sp);
	} else if (mxg_strcaseeq(name, "np")) {
		set_policy(st, "np", value, &r->np);
	} else if (mxg_strcaseeq(name, "adkim") || mxg_strcaseeq(name, "aspf")) {
		set_flag(st, name, value, "rs", &flag);
		if (flag == 's')
			*(name[1] == 'd' || name[1] == 'D' ? &r->adkim_strict : &r->aspf_strict) = 1;
	} else if (mxg_strcaseeq(name, "t")) {
		set_flag(st, "t", value, "yn", &flag);
		r->testing = flag == 'y';
	} else if (mxg_strcaseeq(name, "psd")) {
		set_flag(st, "psd", value, "ynu", &r->psd);
	} else if (mxg_strcaseeq(name, "fo")) {
		if (!fo_valid(value))
			problem(st, "invalid %s value", "fo");
	} else if (mxg_strcaseeq(name, "rua")) {
		uri_list(st, value, r->rua, r->rua_max_size, &r->rua_count, &r->rua_invalid);
	} else if (mxg_strcaseeq(name, "ruf")) {
		uri_list(st, value, r->ruf, r->ruf_max_size, &r->ruf_count, &r->ruf_invalid);
	} else if (mxg_strcaseeq(name, "pct")) {
		int pct = pct_value(value);
		if (pct < 0)
			problem(st, "invalid %s value", "pct");
		else
			r->pct = (unsigned)pct;
	} else if (mxg_strcaseeq(name, "rf")) {
		if (!rf_valid(value))
			problem(st, "invalid %s value", "rf");
	} else if (mxg_strcaseeq(name, "ri")) {
		if (!ri_valid(value))
			problem(st, "invalid %s value", "ri");
		else
			r->ri = (uint32_t)strtoull(value, NULL, 10);
	}
}

/* One "name = value" piece of the tag list (already split at ';'). */
static void parse_tag(struct parse_state *st, char *spec)
{
	char *eq = strchr(spec, '=');

	if (eq == NULL) {
		problem(st, "tag without '=': '%s'", spec);
		return;
	}
	*eq = '\0';
	char *name = mxg_str_trim(spec);
	char *value = mxg_str_trim(eq + 1);
	if (*name == '\0' || strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") !=
				     strlen(name)) {
		problem(st, "bad tag name '%s'", name);
		return;
	}
	if (*value == '\0') {
		problem(st, "tag %s has no value", name);
		return;
	}
	int k = known_index(name, st->mode);
	if (k < 0)
		return; /* unknown tags are ignored (RFC 9989 §4.7, RFC 7489 §6.3) */
	if (st->seen & (1u << k)) {
		/* RFC 6376 §3.2 makes a repeated tag invalid; the first is kept, and a repeated
		 * policy tag makes the policy invalid as a whole (which one did the owner mean?). */
		problem(st, "tag %s appears more than once", name);
		if (k <= 1 || mxg_strcaseeq(name, "np"))
			st->rec->policy_invalid = 1;
		return;
	}
	st->seen |= 1u << k;
	if (st->mode == MXG_DMARC_MODE_7489 && mxg_strcaseeq(name, "p") && st->index != 1) {
		st->rec->policy_invalid = 1;
		problem0(st, "p must follow v directly (RFC 7489 §6.4)");
	}
	apply_tag(st, name, value);
}

static int printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 && !mxg_is_wsp(*s))
			return 0;
		else if ((unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

/* v=DMARC1 as the first tag. */
static int version_ok(char *first)
{
	char *eq = strchr(first, '=');

	if (eq == NULL)
		return 0;
	*eq = '\0';
	/* The tag name is an ABNF string (any case); the value is %s"DMARC1". */
	return mxg_strcaseeq(mxg_str_trim(first), "v") && strcmp(mxg_str_trim(eq + 1), "DMARC1") == 0;
}

static void record_defaults(struct mxg_dmarc_record *out)
{
	memset(out, 0, sizeof(*out));
	out->pct = 100;
	out->ri = MXG_DMARC_RI_DEFAULT;
	out->psd = 'u';
}

int mxg_dmarc_record_parse_mode(const char *txt, enum mxg_dmarc_mode mode,
				struct mxg_dmarc_record *out, char *err, size_t errlen)
{
	struct parse_state st = { mode, out, err, errlen, 0, 0, 0 };
	char buf[RECORD_MAX];

	record_defaults(out);
	if (errlen > 0)
		err[0] = '\0';
	if (txt == NULL || mxg_strlcpy(buf, txt, sizeof(buf)) >= sizeof(buf)) {
		problem0(&st, "record too long");
		return -1;
	}
	char *rest = buf;
	char *first = strsep(&rest, ";");
	if (!version_ok(first)) {
		problem0(&st, "does not start with v=DMARC1");
		return -1;
	}
	out->usable = 1;
	if (!printable(txt))
		problem0(&st, "record holds non-printable characters");
	for (char *spec = strsep(&rest, ";"); spec != NULL; spec = strsep(&rest, ";")) {
		st.index++;
		if (*mxg_str_trim(spec) != '\0')
			parse_tag(&st, spec);
		else if (rest != NULL)
			problem0(&st, "empty tag"); /* only the list's end may carry a bare ';' */
	}
	if (out->p == MXG_DMARC_POLICY_UNSET && !out->policy_invalid) {
		if (mode == MXG_DMARC_MODE_7489) {
			out->policy_invalid = 1;
			problem0(&st, "no p tag (required by RFC 7489 §6.3)");
		} else {
			out->p = MXG_DMARC_POLICY_NONE; /* RFC 9989 §4.7: a record without p means p=none */
		}
	}
	return st.failed ? -1 : 0;
}

int mxg_dmarc_record_parse(const char *txt, struct mxg_dmarc_record *out, char *err, size_t errlen)
{
	return mxg_dmarc_record_parse_mode(txt, MXG_DMARC_MODE_9989, out, err, errlen);
}

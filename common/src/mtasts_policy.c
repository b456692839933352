/* The MTA-STS policy file (RFC 8461 §3.2): "key: value" lines giving version, mode, max_age and
 * mx patterns, and the MX matching rule of §4.1. Bounded: size, line length, line count. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxguard/chars.h"
#include "mxguard/mtasts.h"
#include "mxguard/str.h"

const char *mxg_mtasts_mode_name(enum mxg_mtasts_mode m)
{
	static const char *const names[] = { "none", "testing", "enforce" };
	return (unsigned)m < 3 ? names[m] : "?";
}

/* A host name of LDH labels (what an mx pattern names after an optional "*."). */
static int ldh_name_ok(const char *s)
{
	char norm[MXG_DNS_NAME_MAX];

	if (s[0] == '\0' || mxg_dns_name_normalize(s, norm, sizeof(norm)) < 0 || norm[0] == '\0')
		return 0;
	if (strchr(norm, '.') == NULL)
		return 0;
	for (const char *p = norm; *p; p++)
		if (!mxg_is_alpha((unsigned char)*p) && !mxg_is_digit((unsigned char)*p) && *p != '-' && *p != '.')
			return 0;
	return 1;
}

static int pattern_ok(const char *v)
{
	if (v[0] == '*') {
		if (v[1] != '.')
			return 0;
		v += 2;
	}
	return strchr(v, '*') == NULL && ldh_name_ok(v);
}

struct seen {
	int version, mode, max_age;
};

static int set_max_age(const char *v, struct mxg_mtasts_policy *pol, char *why, size_t whylen)
{
	size_t n = strlen(v);
	unsigned long x = 0;

	if (n == 0 || n > 10) {
		mxg_strlcpy(why, "max_age is not 1 to 10 digits", whylen);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (!mxg_is_digit((unsigned char)v[i])) {
			mxg_strlcpy(why, "max_age is not a number", whylen);
			return -1;
		}
		x = x * 10 + (unsigned long)(v[i] - '0');
	}
	if (x > MXG_MTASTS_MAX_AGE_MAX) {
		mxg_strlcpy(why, "max_age over 31557600 (one year)", whylen);
		return -1;
	}
	pol->max_age = x;
	return 0;
}

static int set_mode(const char *v, struct mxg_mtasts_policy *pol, char *why, size_t whylen)
{
	if (strcmp(v, "enforce") == 0)
		pol->mode = MXG_MTASTS_MODE_ENFORCE;
	else if (strcmp(v, "testing") == 0)
		pol->mode = MXG_MTASTS_MODE_TESTING;
	else if (strcmp(v, "none") == 0)
		pol->mode = MXG_MTASTS_MODE_NONE;
	else
		return mxg_fail(why, whylen, "mode \"%.32s\" is not enforce, testing or none", v);
	return 0;
}

static int add_mx(const char *v, struct mxg_mtasts_policy *pol, char *why, size_t whylen)
{
	if (!pattern_ok(v))
		return mxg_fail(why, whylen, "mx pattern \"%.64s\" is not a host name or *.name", v);
	if (pol->mx_count >= MXG_MTASTS_MX_MAX)
		return mxg_fail(why, whylen, "more than %d mx patterns", MXG_MTASTS_MX_MAX);
	char *dst = pol->mx[pol->mx_count++];
	mxg_strlcpy(dst, v, MXG_DNS_NAME_MAX);
	mxg_str_lower(dst);
	size_t n = strlen(dst);
	if (n > 0 && dst[n - 1] == '.')
		dst[n - 1] = '\0';
	return 0;
}

/* One "key: value" line (NUL-terminated, CR removed). Unknown keys are ignored; of a repeated
 * version, mode or max_age the first counts. */
static int parse_line(char *line, struct mxg_mtasts_policy *pol, struct seen *seen, char *why,
		      size_t whylen)
{
	char *colon = strchr(line, ':');

	if (colon == NULL || colon == line || !mxg_is_alpha((unsigned char)line[0]))
		return mxg_fail(why, whylen, "line \"%.40s\" is not \"key: value\"", line);
	*colon = '\0';
	for (char *p = line; *p; p++)
		if (!mxg_is_alpha((unsigned char)*p) && !mxg_is_digit((unsigned char)*p) && *p != '_' &&
		    *p != '-' && *p != '.')
			return mxg_fail(why, whylen, "bad key \"%.40s\"", line);
	char *v = mxg_str_trim(colon + 1);
	if (strcmp(line, "version") == 0 && !seen->version++) {
		if (strcmp(v, "STSv1") == 0)
			return 0;
		return mxg_fail(why, whylen, "version \"%.32s\" is not STSv1", v);
	}
	if (strcmp(line, "mode") == 0 && !seen->mode++)
		return set_mode(v, pol, why, whylen);
	if (strcmp(line, "max_age") == 0 && !seen->max_age++)
		return set_max_age(v, pol, why, whylen);
	if (strcmp(line, "mx") == 0)
		return add_mx(v, pol, why, whylen);
	return 0;
}

static int check_complete(const struct seen *seen, const struct mxg_mtasts_policy *pol, char *why,
			  size_t whylen)
{
	if (!seen->version)
		mxg_strlcpy(why, "no version field", whylen);
	else if (!seen->mode)
		mxg_strlcpy(why, "no mode field", whylen);
	else if (!seen->max_age)
		mxg_strlcpy(why, "no max_age field", whylen);
	else if (pol->mode != MXG_MTASTS_MODE_NONE && pol->mx_count == 0)
		mxg_strlcpy(why, "no mx field (required unless mode is none)", whylen);
	else
		return 0;
	return -1;
}

int mxg_mtasts_policy_parse(const char *body, size_t len, struct mxg_mtasts_policy *pol,
			    char *why, size_t whylen)
{
	char line[MXG_MTASTS_LINE_MAX + 2];
	struct seen seen = { 0, 0, 0 };
	size_t lines = 0, pos = 0;

	memset(pol, 0, sizeof(*pol));
	if (len > MXG_MTASTS_POLICY_MAX)
		return mxg_fail(why, whylen, "policy larger than %d bytes", MXG_MTASTS_POLICY_MAX);
	if (memchr(body, '\0', len) != NULL) {
		mxg_strlcpy(why, "policy holds a NUL byte", whylen);
		return -1;
	}
	while (pos < len) {
		const char *nl = memchr(body + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (body + pos)) : len - pos;
		if (n > 0 && body[pos + n - 1] == '\r')
			n--;
		if (n > MXG_MTASTS_LINE_MAX)
			return mxg_fail(why, whylen, "a line longer than %d bytes", MXG_MTASTS_LINE_MAX);
		if (++lines > MXG_MTASTS_LINES_MAX)
			return mxg_fail(why, whylen, "more than %d lines", MXG_MTASTS_LINES_MAX);
		memcpy(line, body + pos, n);
		line[n] = '\0';
		pos += (nl ? (size_t)(nl - (body + pos)) + 1 : len - pos);
		if (n == 0)
			continue; /* an empty line (the file's last newline, or CRLF) */
		if (parse_line(line, pol, &seen, why, whylen) < 0)
			return -1;
	}
	return check_complete(&seen, pol, why, whylen);
}

int mxg_mtasts_mx_match(const char *pattern, const char *host)
{
	char h[MXG_DNS_NAME_MAX];

	if (mxg_dns_name_normalize(host, h, sizeof(h)) < 0 || h[0] == '\0')
		return 0;
	if (strncmp(pattern, "*.", 2) != 0)
		return mxg_dns_name_equal(pattern, h);
	const char *dot = strchr(h, '.');
	return dot != NULL && dot != h && mxg_dns_name_equal(pattern + 2, dot + 1);
}

int mxg_mtasts_policy_covers(const struct mxg_mtasts_policy *pol, const char *host)
{
	for (size_t i = 0; i < pol->mx_count; i++)
		if (mxg_mtasts_mx_match(pol->mx[i], host))
			return 1;
	return 0;
}

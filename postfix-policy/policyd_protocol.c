/* The Postfix policy delegation protocol (SMTPD_POLICY_README): "name=value" lines ended
 * by an empty line. Parsing is strict and bounded; anything odd is an error with a reason. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "mxguard/str.h"
#include "policyd.h"

long policyd_request_end(const char *buf, size_t len, size_t *consumed)
{
	/* An empty first line ends an (invalid) empty request; else the first "\n\n". */
	if (len >= 1 && buf[0] == '\n') {
		*consumed = 1;
		return 0;
	}
	for (size_t i = 1; i < len; i++) {
		if (buf[i] == '\n' && buf[i - 1] == '\n') {
			*consumed = i + 1;
			return (long)i;
		}
	}
	*consumed = 0;
	return -1;
}

static int name_ok(const char *s, size_t n)
{
	if (n == 0 || n > 64)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
			return 0;
	}
	return 1;
}

static int value_ok(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return 0;
	}
	return 1;
}

struct known_attr {
	const char *name;
	size_t offset;
};

#define KA(f) { #f, offsetof(struct policyd_request, f) }
static const struct known_attr known[] = {
	KA(request), KA(protocol_state), KA(client_address), KA(client_name), KA(helo_name),
	KA(sender), KA(recipient), KA(instance), KA(queue_id), KA(encryption_protocol),
	KA(ccert_fingerprint), KA(ccert_pubkey_fingerprint), KA(policy_context),
};

static int store_attr(struct policyd_request *req, const char *name, const char *value,
		      char *err, size_t errlen)
{
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (strcmp(known[i].name, name) != 0)
			continue;
		const char **slot = (const char **)((char *)req + known[i].offset);
		if (*slot != NULL) {
			mxg_strlcpy(err, "attribute given twice: ", errlen);
			mxg_strlcat(err, name, errlen);
			return -1;
		}
		*slot = value;
		return 0;
	}
	return 0;
}

static int parse_line(struct policyd_request *req, char *line, size_t n, char *err, size_t errlen)
{
	char *eq = memchr(line, '=', n);

	if (eq == NULL) {
		mxg_strlcpy(err, "line without '='", errlen);
		return -1;
	}
	if (!name_ok(line, (size_t)(eq - line))) {
		mxg_strlcpy(err, "bad attribute name", errlen);
		return -1;
	}
	if (!value_ok(eq + 1, n - (size_t)(eq - line) - 1)) {
		mxg_strlcpy(err, "control character in a value", errlen);
		return -1;
	}
	*eq = '\0';
	line[n] = '\0';
	return store_attr(req, line, eq + 1, err, errlen);
}

int policyd_request_parse(const char *buf, size_t len, size_t max_attrs,
			  struct policyd_request *req, char *err, size_t errlen)
{
	memset(req, 0, sizeof(*req));
	if (len == 0) {
		mxg_strlcpy(err, "empty request", errlen);
		return -1;
	}
	if (memchr(buf, '\0', len) != NULL) {
		mxg_strlcpy(err, "NUL byte in request", errlen);
		return -1;
	}
	req->store = mxg_strndup(buf, len);
	if (req->store == NULL) {
		mxg_strlcpy(err, "out of memory", errlen);
		return -1;
	}
	char *p = req->store, *end = req->store + len;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (++req->n_attrs > max_attrs) {
			mxg_strlcpy(err, "too many attributes", errlen);
			goto fail;
		}
		if (parse_line(req, p, n, err, errlen) < 0)
			goto fail;
		p += n + 1;
	}
	if (req->request == NULL || strcmp(req->request, "smtpd_access_policy") != 0) {
		mxg_strlcpy(err, "no request=smtpd_access_policy", errlen);
		goto fail;
	}
	return 0;
fail:
	policyd_request_free(req);
	return -1;
}

void policyd_request_free(struct policyd_request *req)
{
	free(req->store);
	memset(req, 0, sizeof(*req));
}

/* Fuzzes mxguard-policyd's parsers: the first byte picks a policy request, a socketmap
 * netstring stream (answered against a small rule set), or a whole configuration file. */
#include <stdint.h>
#include <string.h>

#include "mxguard/config.h"
#include "policyd.h"

static const char conf[] =
	"policy_listen = inet:127.0.0.1:1\nrecipient_delimiter = +\n"
	"route = a@b.test smtp:[x]:25\nroute = b.test smtp:[y]\nroute = *.c.test relay:z\n";

static struct policyd_rules *rules(void)
{
	static struct policyd_rules *r;
	static struct policyd_settings s;
	struct mxg_config c;
	char err[256];

	if (r == NULL && mxg_config_parse("fuzz", conf, sizeof(conf) - 1, &c, err, sizeof(err)) == 0) {
		policyd_config_load(&c, &s, &r, err, sizeof(err));
		mxg_config_free(&c);
	}
	return r;
}

static void request(const char *p, size_t n)
{
	struct policyd_request q;
	size_t used;
	char err[128];

	while (n > 0) {
		long len = policyd_request_end(p, n, &used);
		if (len < 0)
			len = (long)n, used = n;
		if (policyd_request_parse(p, (size_t)len, 64, &q, err, sizeof(err)) == 0)
			policyd_request_free(&q);
		p += used;
		n -= used;
	}
}

static void socketmap(const char *p, size_t n)
{
	const char *payload;
	size_t plen, used;
	char err[128], out[512], logbuf[512];

	while (policyd_netstring_parse(p, n, 4096, &payload, &plen, &used, err, sizeof(err)) == 1) {
		if (rules() != NULL)
			policyd_socketmap_answer(rules(), payload, plen, out, sizeof(out), logbuf, sizeof(logbuf));
		p += used;
		n -= used;
	}
}

static void config(const char *p, size_t n)
{
	struct mxg_config c;
	struct policyd_settings s;
	struct policyd_rules *r;
	char err[512];

	if (mxg_config_parse("fuzz", p, n, &c, err, sizeof(err)) != 0)
		return;
	if (policyd_config_load(&c, &s, &r, err, sizeof(err)) == 0) {
		char hop[POLICYD_NEXTHOP_MAX];
		for (size_t i = 0; i < c.count; i++)
			policyd_route_lookup(r, c.entries[i].value, hop, sizeof(hop));
		policyd_rules_unref(r);
	}
	mxg_config_free(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	const char *p = (const char *)data + 1;
	switch (data[0] % 3) {
	case 0: request(p, size - 1); break;
	case 1: socketmap(p, size - 1); break;
	default: config(p, size - 1); break;
	}
	return 0;
}

/* mxguard sign --arc-seal: replays a message file through the message engine as the milter
 * judges it (SPF when --ip is given, DKIM, ARC, DMARC), then adds the ARC set a forwarding hop
 * adds (arc_seal.h), with the engine's Authentication-Results and the chain state it found. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mxguard/addr.h"
#include "mxguard/arc_seal.h"
#include "mxguard/message.h"

static const char prog[] = "mxguard sign --arc-seal";

struct seal_args {
	struct cli_dns_opts dns;
	const char *authserv_id, *key, *domain, *selector;
	const char *ip, *mail_from, *helo;
	const char *file;
};

void cli_arc_seal_usage(FILE *out)
{
	fprintf(out,
		"usage: mxguard sign --arc-seal AUTHSERV-ID --key FILE --domain D --selector S\n"
		"                    [--ip IP --mail-from ADDR --helo NAME] [DNS OPTIONS] MESSAGE-FILE\n"
		"Verifies the message as mxguard-milter does (\"-\" reads standard input) and writes it\n"
		"to standard output with a new ARC set on top (RFC 8617): ARC-Seal,\n"
		"ARC-Message-Signature and ARC-Authentication-Results holding this hop's\n"
		"Authentication-Results, with cv= the chain the verifier found.\n\n"
		"  --arc-seal ID      this hop's authserv-id\n"
		"  --key FILE         a PEM private key (mode 0600; RSA of 2048 bits or more, or Ed25519)\n"
		"  --domain D         the sealing domain (d=)\n"
		"  --selector S       the selector (s=)\n"
		"  --ip IP            the client the message came from (runs SPF; without it SPF is\n"
		"                     not checked)\n"
		"  --mail-from ADDR   its SMTP MAIL FROM (default: the null reverse-path)\n"
		"  --helo NAME        its HELO/EHLO name (also checked with SPF)\n"
		"  --help             this text\n");
	cli_dns_usage(out);
	fprintf(out, "\nExit status: 0 sealed, 1 not sealed because the newest ARC-Seal already says\n"
		     "cv=fail (RFC 8617 §5.1; the message is written unchanged), 3 could not seal\n"
		     "(usage, key refused, 50 sets already, chain in temperror, malformed message).\n");
}

static int seal_option(int c, struct seal_args *a)
{
	switch (c) {
	case 'A': a->authserv_id = optarg; return 0;
	case 'k': a->key = optarg; return 0;
	case 'd': a->domain = optarg; return 0;
	case 's': a->selector = optarg; return 0;
	case 'i': a->ip = optarg; return 0;
	case 'f': a->mail_from = optarg; return 0;
	case 'H': a->helo = optarg; return 0;
	default: return -1;
	}
}

/* 0 to go on, 1 after --help, -1 on a usage error (reported). */
static int parse_args(int argc, char **argv, struct seal_args *a)
{
	static const struct option longopts[] = {
		CLI_DNS_LONGOPTS,
		{ "arc-seal", required_argument, NULL, 'A' },
		{ "key", required_argument, NULL, 'k' },
		{ "domain", required_argument, NULL, 'd' },
		{ "selector", required_argument, NULL, 's' },
		{ "ip", required_argument, NULL, 'i' },
		{ "mail-from", required_argument, NULL, 'f' },
		{ "helo", required_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = cli_next_option(argc, argv, ":" CLI_DNS_SHORTOPTS "A:k:d:s:i:f:H:h", longopts,
				    &a->dns)) != -1) {
		if (c == CLI_OPT_BAD)
			return -1;
		if (c == 'h') {
			cli_arc_seal_usage(stdout);
			return 1;
		}
		if (seal_option(c, a) < 0) {
			cli_bad_option(prog, c, argv[optind - 1]);
			return -1;
		}
	}
	if (a->authserv_id == NULL || a->key == NULL || a->domain == NULL || a->selector == NULL ||
	    optind + 1 != argc) {
		fprintf(stderr, "%s: give --arc-seal, --key, --domain, --selector and one message file\n",
			prog);
		return -1;
	}
	a->file = argv[optind];
	return 0;
}

/* The message through the engine as the milter feeds it. NULL with the reason printed. */
static struct mxg_message *judge(struct mxg_resolver *r, const struct seal_args *a,
				 const struct mxg_addr *ip, const char *msg, size_t len)
{
	struct mxg_message_options opt = { .authserv_id = a->authserv_id, .spf_helo = a->helo != NULL };

	opt.dkim.seal_body = 1;
	mxg_policy_defaults(&opt.policy);
	struct mxg_message *m = mxg_message_new(r, &opt);
	if (m == NULL) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return NULL;
	}
	mxg_message_client(m, ip);
	mxg_message_helo(m, a->helo != NULL ? a->helo : "");
	if (mxg_message_mail_from(m, a->mail_from != NULL ? a->mail_from : "") != 0 ||
	    mxg_message_replay(m, msg, len) != 0) {
		fprintf(stderr, "%s: out of memory\n", prog);
		mxg_message_free(m);
		return NULL;
	}
	mxg_message_finish(m);
	if (mxg_message_result(m)->internal_error) {
		fprintf(stderr, "%s: %s\n", prog, mxg_message_result(m)->error_why);
		mxg_message_free(m);
		return NULL;
	}
	return m;
}

/* The message's own line end: LF when its first line ends in a bare LF. */
static int uses_lf(const char *msg, size_t len)
{
	const char *nl = memchr(msg, '\n', len);

	return nl != NULL && (nl == msg || nl[-1] != '\r');
}

static int write_out(const struct mxg_arc_set *set, const char *msg, size_t len)
{
	if (set != NULL && (fputs(set->as, stdout) < 0 || fputs(set->ams, stdout) < 0 ||
			    fputs(set->aar, stdout) < 0))
		return -1;
	return fwrite(msg, 1, len, stdout) == len && fflush(stdout) == 0 ? 0 : -1;
}

static int seal(const struct seal_args *a, const struct mxg_dkim_signing_key *k,
		const struct mxg_message *m, const char *msg, size_t len)
{
	struct mxg_arc_seal_options o = {
		.domain = a->domain, .selector = a->selector, .authserv_id = a->authserv_id,
		.authres = mxg_message_result(m)->authres, .lf = uses_lf(msg, len),
	};
	struct mxg_arc_set set;
	char err[256];

	enum mxg_arc_seal_status st = mxg_arc_seal(mxg_message_verifier(m), k, &o, &set, err,
						   sizeof(err));
	if (st == MXG_ARC_SEAL_ERROR) {
		fprintf(stderr, "%s: not sealed: %s\n", prog, err);
		return CLI_EXIT_UNKNOWN;
	}
	if (st == MXG_ARC_SEAL_CHAIN_ENDED)
		fprintf(stderr, "%s: not sealed: the newest ARC-Seal already says cv=fail\n", prog);
	int w = write_out(st == MXG_ARC_SEALED ? &set : NULL, msg, len);
	if (st == MXG_ARC_SEALED)
		mxg_arc_set_clear(&set);
	if (w < 0) {
		fprintf(stderr, "%s: write error\n", prog);
		return CLI_EXIT_UNKNOWN;
	}
	return st == MXG_ARC_SEALED ? CLI_EXIT_OK : CLI_EXIT_WARNING;
}

static int run(const struct seal_args *a, const struct mxg_addr *ip)
{
	char err[256];
	size_t len = 0;
	struct mxg_dkim_signing_key *k = mxg_dkim_signing_key_load(a->key, err, sizeof(err));

	if (k == NULL) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return CLI_EXIT_UNKNOWN;
	}
	char *msg = cli_read_message(prog, a->file, &len);
	struct mxg_resolver *r = msg != NULL ? cli_dns_open(&a->dns, prog) : NULL;
	struct mxg_message *m = r != NULL ? judge(r, a, ip, msg, len) : NULL;
	int status = m != NULL ? seal(a, k, m, msg, len) : CLI_EXIT_UNKNOWN;
	mxg_message_free(m);
	mxg_resolver_free(r);
	free(msg);
	mxg_dkim_signing_key_free(k);
	return status;
}

int cli_arc_seal(int argc, char **argv)
{
	struct seal_args a;
	struct mxg_addr ip;

	memset(&a, 0, sizeof(a));
	int p = parse_args(argc, argv, &a);
	if (p != 0)
		return p > 0 ? CLI_EXIT_OK : CLI_EXIT_UNKNOWN;
	if (a.ip != NULL && mxg_addr_parse(a.ip, &ip, 1) < 0) {
		fprintf(stderr, "%s: --ip %s is not an IP address\n", prog, a.ip);
		return CLI_EXIT_UNKNOWN;
	}
	return run(&a, a.ip != NULL ? &ip : NULL);
}

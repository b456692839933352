/* mxguard keygen and mxguard sign: make a DKIM key pair (private key file plus the DNS record
 * to publish), and sign a message file with one or more keys, as the milter will. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mxguard/dkim_sign.h"

/* Longest character-string in a TXT record (RFC 1035 §3.3). */
#define TXT_STRING_MAX 255
#define MAX_KEYS 8
/* Largest message sign reads. */
#define MESSAGE_MAX (64u * 1024 * 1024)

void cli_keygen_usage(FILE *out)
{
	fprintf(out,
		"usage: mxguard keygen --domain D --selector S [--type TYPE] --out FILE\n"
		"Makes a DKIM key: writes the private key to FILE (PEM, mode 0600; an existing\n"
		"file is never replaced) and prints the TXT record to publish, in zone-file form.\n\n"
		"  --domain D       the signing domain (d=)\n"
		"  --selector S     the selector (s=)\n"
		"  --type TYPE      rsa2048 (default), rsa3072 or ed25519\n"
		"  --out FILE       where the private key goes\n"
		"  --help           this text\n"
		"\nExit status: 0 written, 3 could not (usage, file exists, crypto error).\n");
}

void cli_sign_usage(FILE *out)
{
	fprintf(out,
		"usage: mxguard sign --key FILE --domain D --selector S [--key FILE --selector S2 ...]\n"
		"                    [--canon C] [--expire SECONDS] MESSAGE-FILE\n"
		"Signs the message (\"-\" reads standard input) with each key in turn and writes\n"
		"it, with one DKIM-Signature per key on top, to standard output.\n\n"
		"  --key FILE       a PEM private key (mode 0600; RSA of 2048 bits or more, or Ed25519)\n"
		"  --selector S     the selector of the --key before it (or of every key, given once)\n"
		"  --domain D       the signing domain (d=)\n"
		"  --canon C        relaxed/relaxed (default), simple/simple, relaxed/simple, simple/relaxed\n"
		"  --expire SECONDS add x= that many seconds after t=\n"
		"  --help           this text\n"
		"\nExit status: 0 signed, 3 could not sign (usage, key refused, malformed message).\n"
		"\nWith --arc-seal it adds an ARC set instead of signing:\n\n");
	cli_arc_seal_usage(out);
}

/* The record as quoted strings of at most 255 bytes, one per line. */
static void print_record(const char *selector, const char *domain, const char *rec)
{
	size_t len = strlen(rec), dl = strlen(domain);

	printf("%s._domainkey.%s%s IN TXT (", selector, domain,
	       dl > 0 && domain[dl - 1] == '.' ? "" : ".");
	for (size_t k = 0; k < len; k += TXT_STRING_MAX) {
		size_t n = len - k > TXT_STRING_MAX ? TXT_STRING_MAX : len - k;
		printf("%s\"%.*s\"", k ? "\n\t" : " ", (int)n, rec + k);
	}
	printf(" )\n");
}

int cli_keygen(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "domain", required_argument, NULL, 'd' },
		{ "selector", required_argument, NULL, 's' },
		{ "type", required_argument, NULL, 'y' },
		{ "out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *domain = NULL, *selector = NULL, *type = "rsa2048", *out = NULL;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":d:s:y:o:h", longopts, NULL)) != -1) {
		if (c == 'd')
			domain = optarg;
		else if (c == 's')
			selector = optarg;
		else if (c == 'y')
			type = optarg;
		else if (c == 'o')
			out = optarg;
		else if (c == 'h') {
			cli_keygen_usage(stdout);
			return CLI_EXIT_OK;
		} else {
			cli_bad_option("mxguard keygen", c, argv[optind - 1]);
			return CLI_EXIT_UNKNOWN;
		}
	}
	if (domain == NULL || selector == NULL || out == NULL || optind != argc) {
		fprintf(stderr, "mxguard keygen: give --domain, --selector and --out\n");
		return CLI_EXIT_UNKNOWN;
	}
	struct mxg_dkim_signing_key *k = mxg_dkim_signing_key_generate(type);
	if (k == NULL) {
		fprintf(stderr, "mxguard keygen: cannot make a key of type '%s' "
				"(rsa2048, rsa3072 or ed25519)\n", type);
		return CLI_EXIT_UNKNOWN;
	}
	char err[256];
	char *rec = mxg_dkim_key_record(k);
	int rc = CLI_EXIT_UNKNOWN;
	if (rec == NULL)
		fprintf(stderr, "mxguard keygen: cannot encode the public key\n");
	else if (mxg_dkim_signing_key_save(k, out, err, sizeof(err)) < 0)
		fprintf(stderr, "mxguard keygen: %s\n", err);
	else {
		print_record(selector, domain, rec);
		rc = CLI_EXIT_OK;
	}
	free(rec);
	mxg_dkim_signing_key_free(k);
	return rc;
}

struct sign_args {
	const char *keys[MAX_KEYS];
	const char *selectors[MAX_KEYS];
	size_t nkeys, nselectors;
	struct mxg_dkim_sign_options opt;
	const char *file;
};

static int parse_canon(const char *s, struct mxg_dkim_sign_options *o)
{
	const char *slash = strchr(s, '/');
	size_t hl = slash ? (size_t)(slash - s) : strlen(s);
	const char *b = slash ? slash + 1 : "simple";

	if (hl == 7 && strncmp(s, "relaxed", 7) == 0)
		o->header_canon = MXG_DKIM_CANON_RELAXED;
	else if (hl == 6 && strncmp(s, "simple", 6) == 0)
		o->header_canon = MXG_DKIM_CANON_SIMPLE;
	else
		return -1;
	if (strcmp(b, "relaxed") == 0)
		o->body_canon = MXG_DKIM_CANON_RELAXED;
	else if (strcmp(b, "simple") == 0)
		o->body_canon = MXG_DKIM_CANON_SIMPLE;
	else
		return -1;
	return 0;
}

static int sign_option(int c, struct sign_args *a)
{
	char *end;

	switch (c) {
	case 'k':
		if (a->nkeys == MAX_KEYS)
			return -1;
		a->keys[a->nkeys++] = optarg;
		return 0;
	case 's':
		if (a->nselectors == MAX_KEYS)
			return -1;
		a->selectors[a->nselectors++] = optarg;
		return 0;
	case 'd':
		a->opt.domain = optarg;
		return 0;
	case 'c':
		return parse_canon(optarg, &a->opt);
	case 'x':
		a->opt.expire_after = strtoul(optarg, &end, 10);
		return *end == '\0' && a->opt.expire_after > 0 ? 0 : -1;
	default:
		return -1;
	}
}

/* 0 to go on, 1 after --help, -1 on a usage error (reported). */
static int parse_sign_args(int argc, char **argv, struct sign_args *a)
{
	static const struct option longopts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "selector", required_argument, NULL, 's' },
		{ "domain", required_argument, NULL, 'd' },
		{ "canon", required_argument, NULL, 'c' },
		{ "expire", required_argument, NULL, 'x' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":k:s:d:c:x:h", longopts, NULL)) != -1) {
		if (c == 'h') {
			cli_sign_usage(stdout);
			return 1;
		}
		if (c == '?' || c == ':') {
			cli_bad_option("mxguard sign", c, argv[optind - 1]);
			return -1;
		}
		if (sign_option(c, a) < 0) {
			fprintf(stderr, "mxguard sign: bad value for %s (or more than %d keys)\n",
				argv[optind - 1], MAX_KEYS);
			return -1;
		}
	}
	if (a->nkeys == 0 || a->opt.domain == NULL || optind + 1 != argc ||
	    !(a->nselectors == a->nkeys || a->nselectors == 1)) {
		fprintf(stderr, "mxguard sign: give --domain, one or more --key each with its --selector "
				"(or one --selector for all), and one message file\n");
		return -1;
	}
	a->file = argv[optind];
	return 0;
}

static char *read_all(const char *path, size_t *len)
{
	FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	size_t cap = 65536, n = 0, got;
	char *buf = in != NULL ? malloc(cap) : NULL;

	while (buf != NULL && (got = fread(buf + n, 1, cap - n, in)) > 0) {
		n += got;
		if (n == cap) {
			char *p = cap < MESSAGE_MAX ? realloc(buf, cap * 2) : NULL;
			if (p == NULL) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = p;
			cap *= 2;
		}
	}
	if (in != NULL && in != stdin)
		fclose(in);
	*len = n;
	return buf;
}

/* The message's own line end: LF when its first line ends in a bare LF. */
static int uses_lf(const char *msg, size_t len)
{
	const char *nl = memchr(msg, '\n', len);

	return nl != NULL && (nl == msg || nl[-1] != '\r');
}

static int sign_all(const struct sign_args *a, const char *msg, size_t len)
{
	char *fields[MAX_KEYS] = { 0 };
	char err[256];
	int rc = 0;

	for (size_t i = 0; i < a->nkeys && rc == 0; i++) {
		struct mxg_dkim_sign_options o = a->opt;
		o.selector = a->selectors[a->nselectors == 1 ? 0 : i];
		o.lf = uses_lf(msg, len);
		struct mxg_dkim_signing_key *k = mxg_dkim_signing_key_load(a->keys[i], err, sizeof(err));
		if (k == NULL || mxg_dkim_sign_buffer(k, &o, msg, len, &fields[i], err, sizeof(err)) < 0) {
			fprintf(stderr, "mxguard sign: %s\n", err);
			rc = -1;
		}
		mxg_dkim_signing_key_free(k);
	}
	/* Each signature covers the message as it came; the newest goes on top. */
	for (size_t i = a->nkeys; rc == 0 && i-- > 0;)
		fputs(fields[i], stdout);
	if (rc == 0 && (fwrite(msg, 1, len, stdout) != len || fflush(stdout) != 0)) {
		fprintf(stderr, "mxguard sign: write error\n");
		rc = -1;
	}
	for (size_t i = 0; i < a->nkeys; i++)
		free(fields[i]);
	return rc;
}

/* --arc-seal anywhere on the line makes it the sealing command (cli_seal.c). */
static int wants_seal(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strncmp(argv[i], "--arc-seal", 10) == 0)
			return 1;
	return 0;
}

int cli_sign(int argc, char **argv)
{
	struct sign_args a;
	size_t len;

	if (wants_seal(argc, argv))
		return cli_arc_seal(argc, argv);
	memset(&a, 0, sizeof(a));
	int p = parse_sign_args(argc, argv, &a);
	if (p != 0)
		return p > 0 ? CLI_EXIT_OK : CLI_EXIT_UNKNOWN;
	char *msg = read_all(a.file, &len);
	if (msg == NULL) {
		fprintf(stderr, "mxguard sign: cannot read %s\n", a.file);
		return CLI_EXIT_UNKNOWN;
	}
	int rc = sign_all(&a, msg, len);
	free(msg);
	return rc == 0 ? CLI_EXIT_OK : CLI_EXIT_UNKNOWN;
}

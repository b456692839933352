/* Shared pieces of the mxguard command: subcommand table entries, exit codes,
 * resolver set-up from --zone/--resolver options, and the text and JSON writers. */
#ifndef MXGUARD_CLI_H
#define MXGUARD_CLI_H

#include <stdio.h>

#include "mxguard/dmarc.h"
#include "mxguard/dns.h"
#include "mxguard/finding.h"

enum {
	CLI_EXIT_OK = 0,
	CLI_EXIT_WARNING = 1,
	CLI_EXIT_ERROR = 2,
	CLI_EXIT_UNKNOWN = 3,
};

/* A subcommand: run gets argv from the command name on and returns the exit status;
 * usage prints its synopsis and options (for --help and "mxguard help NAME"). */
struct cli_command {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
	void (*usage)(FILE *out);
};

int cli_check(int argc, char **argv);
void cli_check_usage(FILE *out);
int cli_spf(int argc, char **argv);
void cli_spf_usage(FILE *out);
int cli_dkim(int argc, char **argv);
void cli_dkim_usage(FILE *out);
int cli_dmarc(int argc, char **argv);
void cli_dmarc_usage(FILE *out);
int cli_keygen(int argc, char **argv);
void cli_keygen_usage(FILE *out);
int cli_sign(int argc, char **argv);
void cli_sign_usage(FILE *out);
/* mxguard report and its received-report commands (cli_report*.c) */
int cli_report(int argc, char **argv);
void cli_report_usage(FILE *out);
int cli_report_read(int argc, char **argv);
void cli_report_read_usage(FILE *out);
int cli_report_import(int argc, char **argv);
void cli_report_import_usage(FILE *out);
int cli_report_summary(int argc, char **argv);
void cli_report_summary_usage(FILE *out);
/* Reads the report in file path ("-": standard input) into *rep (cli_report_read.c).
 * 0, or -1 with the reason in err. */
struct mxg_report;
int cli_report_read_file(const char *path, struct mxg_report *rep, char *err, size_t errlen);
/* Opens the store of --store (may be NULL), else report_store of the milter configuration
 * config (NULL: the default file, which may be absent). NULL with the reason printed. */
struct mxg_store;
struct mxg_store *cli_report_store_open(const char *store, const char *config, const char *prog);
/* mxguard sign --arc-seal (cli_seal.c): cli_sign hands the whole command line over. */
int cli_arc_seal(int argc, char **argv);
void cli_arc_seal_usage(FILE *out);

/* --- DNS options shared by every subcommand (cli_dns.c) --- */

#define CLI_DNS_MAX 16

struct cli_dns_opts {
	const char *zones[CLI_DNS_MAX];     /* --zone FILE: the zone backend */
	size_t zone_count;
	const char *resolvers[CLI_DNS_MAX + 1]; /* --resolver ADDR[@PORT]: libunbound forwarders */
	size_t resolver_count;
	const char *trust_anchor;           /* --trust-anchor FILE */
	unsigned timeout_ms;                /* --timeout SECONDS */
};

/* getopt_long entries for the DNS options; a command appends its own after these. */
#define CLI_DNS_LONGOPTS                                      \
	{ "zone", required_argument, NULL, 'z' },             \
	{ "resolver", required_argument, NULL, 'r' },         \
	{ "trust-anchor", required_argument, NULL, 'T' },     \
	{ "timeout", required_argument, NULL, 't' }
#define CLI_DNS_SHORTOPTS "z:r:T:t:"

/* getopt_long over a command's options with the DNS ones handled here (opterr off; the
 * optstring starts with ':'). Returns the next option of the command's own, -1 at the end,
 * or CLI_OPT_BAD when a DNS option's value was bad (the message is printed). */
#define CLI_OPT_BAD (-2)
struct option;
int cli_next_option(int argc, char **argv, const char *optstring, const struct option *longopts,
		    struct cli_dns_opts *dns);
/* Opens the resolver the options ask for: zone files if any were given, else
 * libunbound (forwarders, or the system's resolv.conf). NULL with a message printed. */
struct mxg_resolver *cli_dns_open(const struct cli_dns_opts *o, const char *prog);
/* Reports a getopt failure (opt is '?' or ':', arg the word at fault) with a pointer
 * to mxguard help; for optstrings that start with ':' and opterr = 0. */
void cli_bad_option(const char *prog, int opt, const char *arg);
/* The usage lines of the DNS options. */
void cli_dns_usage(FILE *out);

/* --- the public suffix list of RFC 7489 mode (cli_psl.c) --- */

/* Loads the --psl file PATH into *out (NULL when PATH is NULL: the built-in list). Refuses
 * PATH outside RFC 7489 mode. Returns 0, or -1 with the reason printed. */
int cli_psl_open(const char *path, enum mxg_dmarc_mode mode, const char *prog, struct mxg_psl **out);

/* --- the SPF provider table (cli_providers.c) --- */

struct mxg_spf_providers;
/* Loads the installed table into *out. 0, or -1 with the reason and its path printed. */
int cli_providers_load(const char *prog, struct mxg_spf_providers *out);
/* --- message files (cli_message.c) --- */

/* A message file larger than this is refused (the milter streams; the CLI reads it whole). */
#define CLI_MESSAGE_MAX (64u * 1024 * 1024)
/* The whole file at path ("-": standard input), or NULL with the reason printed after prog. */
char *cli_read_message(const char *prog, const char *path, size_t *len);

/* --- JSON output (cli_output.c) --- */

/* Writes s as a JSON string literal, escaping as RFC 8259 requires. */
void cli_json_string(FILE *out, const char *s);
/* Writes "key": "value" (value may be NULL -> null). */
void cli_json_kv(FILE *out, const char *key, const char *value);
/* Writes a findings array: [{"code":..,"severity":..,"subject":..,"text":..,"rfc":..},...]. */
void cli_json_findings(FILE *out, const struct mxg_findings *f);

/* --- text output (cli_output.c) --- */

/* Prints findings grouped by severity, worst first, each with code, subject, text and RFC. */
void cli_text_findings(FILE *out, const struct mxg_findings *f, const char *indent);

#endif

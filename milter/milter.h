/* mxguard-milter internals shared by its files: the parsed configuration, the policy the
 * verdict is taken under, and the process-wide state the callbacks use. */
#ifndef MXGUARD_MILTER_H
#define MXGUARD_MILTER_H

#include <stddef.h>

#include "mxguard/addr.h"
#include "mxguard/dkim.h"
#include "mxguard/dmarc.h"
#include "mxguard/dns.h"
#include "mxguard/spf.h"
#include "mxguard/verdict.h"

#define MILTER_DEFAULT_CONFIG "/etc/mxguard/milter.conf"
#define MILTER_DEFAULT_SOCKET "inet:8895@127.0.0.1"
#define MILTER_FORWARDERS_MAX 8
#define MILTER_HOSTS_MAX 64

/* --- ARC sealing of verified inbound mail (milter_seal.c) --- */
enum milter_seal_mode {
	MILTER_SEAL_OFF = 0,
	MILTER_SEAL_INBOUND,   /* mail from external clients, not authenticated */
	MILTER_SEAL_ALL,       /* every message checked (internal hosts and soft-checked too) */
};
struct mxg_dkim_signing_key;
struct milter_sealing {
	int mode;                          /* arc_seal, an enum milter_seal_mode */
	char key_path[512];                /* arc_seal_key */
	char domain[MXG_DNS_NAME_MAX];     /* arc_seal_domain */
	char selector[64];                 /* arc_seal_selector */
	int error_tempfail;                /* arc_seal_on_error: tempfail (1) or deliver (0) */
	struct mxg_dkim_signing_key *key;  /* read by milter_seal_load; NULL when off */
};

/* --- outbound signing (milter_sign.c) --- */
/* signing_keys entries, and names in signing_subdomains / signing_tempfail_domains. */
#define MILTER_SIGN_KEYS_MAX 32
#define MILTER_SIGN_DOMAINS_MAX 64
/* Longest signing_expire (x= past t=): 366 days. */
#define MILTER_SIGN_EXPIRE_MAX_MS (366UL * 86400000)

struct mxg_dkim_signing_key;
struct milter_sign_key {
	char domain[MXG_DNS_NAME_MAX];
	char selector[64];
	char path[256];
	struct mxg_dkim_signing_key *key;  /* loaded by milter_sign_load; NULL before */
};
struct milter_signing {
	size_t nkeys;
	struct milter_sign_key keys[MILTER_SIGN_KEYS_MAX];
	size_t nsub, ntempfail;
	char sub[MILTER_SIGN_DOMAINS_MAX][MXG_DNS_NAME_MAX];      /* signing_subdomains */
	char tempfail[MILTER_SIGN_DOMAINS_MAX][MXG_DNS_NAME_MAX]; /* signing_tempfail_domains */
	int header_simple, body_simple;   /* signing_canon */
	unsigned long expire_ms;          /* signing_expire: x= = t= + this; 0 none */
	int local_submission;             /* mail from Postfix's non_smtpd_milters is outbound */
	int error_tempfail;               /* on_signing_error */
	struct mxg_cidr_list internal_networks; /* mail from these is outbound */
};

struct milter_config {
	char socket[512];
	char user[64];
	char pid_file[512];
	int log_syslog;                   /* -1 unset: stderr in foreground, syslog as a daemon */
	int log_facility;
	int log_level;
	char authserv_id[MXG_DNS_NAME_MAX];
	char forwarder_buf[MILTER_FORWARDERS_MAX][64];
	const char *forwarders[MILTER_FORWARDERS_MAX + 1];
	int dns_use_system;
	char trust_anchor[512];
	unsigned long dns_timeout_ms;
	unsigned long spf_time_limit_ms;
	int spf_helo;                     /* check the HELO identity too */
	struct mxg_policy policy;
	char tag_header[64];
	struct mxg_cidr_list trusted;     /* not checked at all */
	struct mxg_cidr_list internal;    /* checked, never refused */
	size_t internal_name_count;
	char internal_names[MILTER_HOSTS_MAX][MXG_DNS_NAME_MAX];
	int authenticated_soften;         /* {auth_authen} set: soften (1) or skip checks (0) */
	unsigned long max_header_bytes;
	unsigned long max_signatures;
	unsigned long min_rsa_bits;
	unsigned long key_cache_size;
	unsigned long dns_cache_size;
	enum mxg_dmarc_mode dmarc_mode;
	char psl_file[512];
	char metrics_file[512];           /* "" : no metrics file */
	unsigned long metrics_interval_ms;
	/* DMARC aggregate reports (milter_record.c; mxguard report send reads these too). */
	char report_store[1024];          /* "" : evaluations not recorded */
	long long report_keep_s;
	char report_org_name[256];
	char report_email[256];
	int report_format;                /* enum mxg_report_format, for mxguard report send */
	struct milter_sealing sealing;    /* ARC sealing (milter_seal.c) */
	struct milter_signing signing;    /* outbound signing (milter_sign.c) */
};

/* Fills c with the defaults (authserv-id from the host name). */
void milter_config_defaults(struct milter_config *c);
/* Reads path over the defaults in c. Returns 0, or -1 with "path:line: reason" in err. */
int milter_config_load(struct milter_config *c, const char *path, char *err, size_t errlen);
/* Same from text in memory (unit tests); name is used in messages. */
int milter_config_parse(struct milter_config *c, const char *name, const char *text, size_t len,
			char *err, size_t errlen);
void milter_config_release(struct milter_config *c);
/* A CIDR list value of key into out (replacing it only on success). 0, or -1 with
 * "key: reason" in why. */
int milter_config_cidrs(const char *key, const char *v, struct mxg_cidr_list *out, char *why,
			size_t wl);
/* 1 if the client (addr may be NULL when unknown, host may be "") is an internal host. */
int milter_config_is_internal(const struct milter_config *c, const struct mxg_addr *addr,
			      const char *host);

/* The process-wide pieces the callbacks share; set up once before smfi_main() from the
 * configuration at start (a reload does not change them; see milter_reload.c). */
struct milter_runtime {
	struct mxg_resolver *resolver;     /* thread-safe */
	struct mxg_dkim_key_cache *keys;   /* thread-safe */
	struct mxg_psl *psl;
};
extern struct milter_runtime milter_rt;

/* The libmilter filter description (milter_callbacks.c). */
struct smfiDesc;
extern struct smfiDesc milter_desc;

#endif

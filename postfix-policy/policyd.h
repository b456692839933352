/* mxguard-policyd internals: the types shared by the server, the protocol parsers,
 * the rule engine and the MX cache. Nothing here is part of libmxguard's public API. */
#ifndef POLICYD_H
#define POLICYD_H

#include <stddef.h>
#include <stdint.h>

#include "mxguard/addr.h"
#include "mxguard/config.h"
#include "mxguard/dns.h"

/* ---- actions and rules ---- */

/* What a rule does when it fires. POLICYD_OFF disables the rule. */
enum policyd_action {
	POLICYD_OFF = 0,
	POLICYD_DUNNO,
	POLICYD_WARN,
	POLICYD_PREPEND,
	POLICYD_DEFER,
	POLICYD_REJECT,
	POLICYD_INHERIT, /* per-domain setting not given: use the global one */
};

enum policyd_rule_id {
	POLICYD_R_CONNECTOR = 0,
	POLICYD_R_MX_BYPASS,
	POLICYD_R_FULLY_MAPPED,
	POLICYD_R_NULL_MX_RECIPIENT,
	POLICYD_R_NULL_MX_SENDER,
	POLICYD_R_UNROUTABLE_SENDER,
	POLICYD_R_BROKEN_MX,
	POLICYD_R_SPF,
	POLICYD_R__COUNT
};

const char *policyd_rule_name(enum policyd_rule_id id);
const char *policyd_action_name(enum policyd_action a);
/* Parses an action word ("reject", "defer", "warn", "prepend", "dunno", "no"/"off");
 * -1 if unknown. */
int policyd_action_parse(const char *s);

#define POLICYD_NEXTHOP_MAX 256
#define POLICYD_FP_MAX 8

struct policyd_connector {
	char name[64];
	struct mxg_cidr_list networks;
	int require_tls;
	size_t n_fp;
	char *fingerprints[POLICYD_FP_MAX];   /* ccert_fingerprint values accepted */
	size_t n_pkfp;
	char *pubkey_fps[POLICYD_FP_MAX];     /* ccert_pubkey_fingerprint values accepted */
	enum policyd_action action;
};

/* A domain section: "domain.NAME.KEY"; NAME "*.example.com" covers every subdomain. */
struct policyd_domain {
	char name[MXG_DNS_NAME_MAX];  /* "example.com" or "*.example.com" */
	enum policyd_action act[POLICYD_R__COUNT]; /* POLICYD_INHERIT when not set */
	int warn_only;                /* -1 inherit */
	struct mxg_cidr_list trusted; /* trusted networks of this domain */
	char route[POLICYD_NEXTHOP_MAX]; /* next hop for the domain, "" none */
};

struct policyd_route {
	char *recipient;              /* lower-cased address */
	char *nexthop;
	size_t order;                 /* position in the file: the last of equal ones wins */
};

struct policyd_rules {
	int refs;                     /* guarded by policyd_rules_ref/unref (atomic) */
	enum policyd_action act[POLICYD_R__COUNT];
	int warn_only;
	unsigned long spf_time_limit_ms;
	char receiver[MXG_DNS_NAME_MAX];
	char recipient_delimiter[8];
	struct mxg_cidr_list trusted;
	char default_route[POLICYD_NEXTHOP_MAX];
	size_t n_connectors;
	struct policyd_connector *connectors;
	size_t n_domains;
	struct policyd_domain *domains;
	size_t n_routes;              /* sorted by recipient for bsearch */
	struct policyd_route *routes;
};

/* ---- daemon settings (not reloadable rules) ---- */

#define POLICYD_LISTEN_MAX 8

struct policyd_settings {
	size_t n_policy, n_socketmap;
	char policy_listen[POLICYD_LISTEN_MAX][256];
	char socketmap_listen[POLICYD_LISTEN_MAX][256];
	char user[64];
	char pid_file[512];
	int syslog_facility;          /* -1: log to stderr */
	int log_level;
	unsigned long max_connections;
	unsigned long request_max;    /* bytes of one request */
	unsigned long attributes_max;
	unsigned long idle_timeout_ms;
	unsigned long request_timeout_ms;
	unsigned long workers;
	unsigned long cache_size;
	unsigned long cache_min_ttl, cache_max_ttl, cache_neg_ttl; /* seconds */
	/* DNS */
	size_t n_zone;
	char zone[POLICYD_LISTEN_MAX][512];
	size_t n_resolver;
	char resolver[POLICYD_LISTEN_MAX][128];
	char trust_anchor[512];
	unsigned long dns_timeout_ms;
	unsigned long dns_cache_size; /* answers kept in front of libunbound; 0: none */
	/* counters (node_exporter textfile) */
	char metrics_file[512];      /* "" none */
	unsigned long metrics_interval_ms;
};

/* Renames the deprecated keys of c (a warning each), then reads c into *s and a new rules
 * object (refs = 1). Returns 0, or -1 with
 * "file:line: reason" in err; nothing is allocated on failure. */
int policyd_config_load(struct mxg_config *c, struct policyd_settings *s,
			struct policyd_rules **rules, char *err, size_t errlen);
void policyd_rules_ref(struct policyd_rules *r);
void policyd_rules_unref(struct policyd_rules *r);

/* ---- policy requests ---- */

struct policyd_request {
	const char *request;          /* "smtpd_access_policy" */
	const char *protocol_state;
	const char *client_address;
	const char *client_name;
	const char *helo_name;
	const char *sender;
	const char *recipient;
	const char *instance;
	const char *queue_id;
	const char *encryption_protocol;
	const char *ccert_fingerprint;
	const char *ccert_pubkey_fingerprint;
	const char *policy_context;   /* "sender" / "recipient" select a rule group */
	size_t n_attrs;
	char *store;                  /* owns the strings above */
};

/* The rule group a request runs (policy_context): Postfix tells which restriction list asks
 * only through that attribute; without it (or with another value) every group runs. */
enum policyd_context {
	POLICYD_CTX_ALL = 0,
	POLICYD_CTX_SENDER,
	POLICYD_CTX_RECIPIENT,
};
enum policyd_context policyd_request_context(const struct policyd_request *q);
const char *policyd_context_name(enum policyd_context c);

/* Parses one request (the bytes up to and excluding the empty line) of len bytes.
 * Lines "name=value", names [a-z0-9_], at most max_attrs lines. Returns 0, or -1
 * with a reason in err (the connection is then closed). req owns a copy. */
int policyd_request_parse(const char *buf, size_t len, size_t max_attrs,
			  struct policyd_request *req, char *err, size_t errlen);
void policyd_request_free(struct policyd_request *req);
/* Finds the end of a request in buf: returns the length of the request proper and
 * sets *consumed to it plus the terminating empty line; -1 when incomplete. */
long policyd_request_end(const char *buf, size_t len, size_t *consumed);

/* ---- decisions ---- */

#define POLICYD_TEXT_MAX 768

struct policyd_verdict {
	enum policyd_action action;   /* the reply's action */
	enum policyd_rule_id rule;    /* the rule that decided; POLICYD_R__COUNT when none */
	int warn_only;                /* a reject/defer turned into a warning */
	char reply[POLICYD_TEXT_MAX]; /* the action= value sent to Postfix */
	char reason[POLICYD_TEXT_MAX];/* for the log line */
	char notes[POLICYD_TEXT_MAX]; /* other rules that only warned, for the log line */
};

/* What the engine knows of a domain's mail routing (from the MX cache). */
#define POLICYD_MX_ADDRS 64

enum policyd_mx_state {
	POLICYD_MX_OK = 0,            /* MX hosts with addresses (or implicit MX) */
	POLICYD_MX_NULL,              /* RFC 7505 null MX */
	POLICYD_MX_NXDOMAIN,
	POLICYD_MX_NOMAIL,            /* no MX and no address */
	POLICYD_MX_TEMPFAIL,
};

#define POLICYD_MXF_CNAME 0x1      /* an MX target is an alias */
#define POLICYD_MXF_IPLITERAL 0x2  /* an MX target is an IP literal */
#define POLICYD_MXF_UNUSABLE 0x4   /* no MX target can take mail */
#define POLICYD_MXF_BROKEN 0x7     /* any of the three above */
#define POLICYD_MXF_PARTIAL 0x8    /* some target lookups failed temporarily */

struct policyd_mxinfo {
	enum policyd_mx_state state;
	unsigned flags;
	uint32_t ttl;
	unsigned n_addrs;
	struct mxg_addr addrs[POLICYD_MX_ADDRS];
};

/* How the engine reaches DNS data. mx() returns 0 with *out filled, 1 when the
 * data is not at hand and nonblocking is set (the caller retries on a worker), -1 on
 * a local error (treated as a temporary failure). */
struct policyd_dns_view {
	int (*mx)(void *ctx, const char *domain, int nonblocking, struct policyd_mxinfo *out);
	void *ctx;
	struct mxg_resolver *resolver; /* for SPF; NULL disables the SPF rule */
	int nonblocking;               /* set on the event loop: no DNS, no SPF */
};

/* Decides one request. Returns 0 with *v filled, or 1 when nonblocking and the
 * decision needs DNS that is not cached (nothing is filled then). */
int policyd_decide(const struct policyd_rules *rules, const struct policyd_request *req,
		   const struct policyd_dns_view *dns, struct policyd_verdict *v);

/* The transport_maps next hop for key (an address, a domain, or ".domain" as
 * Postfix asks): copies it into out and returns 1, 0 when none, -1 if it does not fit. */
int policyd_route_lookup(const struct policyd_rules *rules, const char *key,
			 char *out, size_t outsize);

/* ---- socketmap ---- */

/* Finds one netstring in buf. Returns 1 with *payload, *plen and *consumed set,
 * 0 when incomplete, -1 malformed (reason in err), bounded by max. */
int policyd_netstring_parse(const char *buf, size_t len, size_t max, const char **payload,
			    size_t *plen, size_t *consumed, char *err, size_t errlen);
/* Answers one socketmap request payload ("name key") into out as a netstring.
 * Returns bytes written, or -1 if out is too small. */
long policyd_socketmap_answer(const struct policyd_rules *rules, const char *payload, size_t plen,
			      char *out, size_t outsize, char *logbuf, size_t loglen);

/* ---- MX cache ---- */

struct policyd_mxcache;
struct policyd_mxcache *policyd_mxcache_new(struct mxg_resolver *r, size_t capacity,
					    unsigned min_ttl, unsigned max_ttl, unsigned neg_ttl);
void policyd_mxcache_free(struct policyd_mxcache *c);
/* The policyd_dns_view.mx callback (ctx is the cache). Thread-safe. */
int policyd_mxcache_get(void *ctx, const char *domain, int nonblocking, struct policyd_mxinfo *out);

/* ---- logging of decisions ---- */

/* The one line of a decided request (info level), and its count in the counters. */
void policyd_log_decision(const struct policyd_request *req, const struct policyd_verdict *v);
/* The line and count of a request answered without a decision: the time budget ran out
 * (timeout) or memory did (!timeout); summary is "context=... state=... client=... ...". */
void policyd_log_undecided(const char *summary, enum policyd_context ctx, int timeout,
			   const char *why);

#endif

/* Private interface of the zone backend: the store (dns_zone.c), the answering rules
 * (dns_zone_answer.c) and the master-file reader (dns_zone_load.c). */
#ifndef MXGUARD_DNS_ZONE_INTERNAL_H
#define MXGUARD_DNS_ZONE_INTERNAL_H

#include <pthread.h>

#include "mxguard/dns.h"
#include "mxguard/htable.h"

struct zrec {
	uint16_t type;
	uint32_t ttl;
	size_t rdlen;
	uint8_t *rdata;
};

/* A name in the tree. A node with no records exists only because a descendant does
 * (an empty non-terminal). */
struct znode {
	struct zrec *recs;
	size_t count;
	char name[];
};

struct zfault {
	char name[MXG_DNS_NAME_MAX];
	uint16_t type;
	enum mxg_dns_rcode rcode;
};

struct zmark {
	char apex[MXG_DNS_NAME_MAX];
	enum mxg_dnssec status;
};

struct zone {
	pthread_rwlock_t lock;
	struct mxg_htable nodes;  /* entries: struct znode *, by name */
	size_t nrecs;
	const char **apexes; /* owners of SOA records (point into nodes) */
	size_t napexes;
	struct zfault *faults;
	size_t nfaults;
	struct zmark *marks;
	size_t nmarks;
};

/* The name with its first label removed, or NULL for a single label or the root. */
const char *mxg_zone_parent(const char *name);
/* The node of name, or NULL. */
const struct znode *mxg_zone_find(const struct zone *z, const char *name);
/* 1 if the node's name exists (records, or an empty non-terminal inside a zone). */
int mxg_zone_exists(const struct zone *z, const struct znode *n);
/* The first record of type at n, or NULL. */
const struct zrec *mxg_zone_find_type(const struct znode *n, uint16_t type);
/* Answers a->qname / a->qtype (read lock held). Returns 0, or -1 on ENOMEM. */
int mxg_zone_answer(const struct zone *z, struct mxg_dns_answer *a);

/* mxg_zone_add_rr with a reason in err on failure. */
int mxg_zone_add_rr_err(struct mxg_resolver *r, const char *owner, uint16_t type, uint32_t ttl,
			const uint8_t *rdata, size_t rdlen, char *err, size_t errlen);

#endif

/* Worker threads for decisions that need DNS; results come back to the event loop in
 * completion order, signalled on an eventfd the loop polls. */
#ifndef POLICYD_WORKERS_H
#define POLICYD_WORKERS_H

#include <stddef.h>
#include <stdint.h>

#include "policyd.h"

struct policyd_job {
	struct policyd_job *next;
	size_t slot;                  /* connection slot in the server */
	uint64_t conn_gen;            /* the connection's generation and request number */
	uint64_t seq;
	uint64_t deadline_ms;         /* monotonic; past it the loop has answered already */
	uint64_t started_ms;
	int expired;
	struct policyd_rules *rules;  /* a reference held for the job's life */
	struct policyd_request req;
	struct policyd_verdict verdict;
};

struct policyd_pool;

/* Starts n threads deciding with the cache and resolver. NULL on failure. */
struct policyd_pool *policyd_pool_new(size_t n, struct policyd_mxcache *cache,
				      struct mxg_resolver *res);
/* Stops and joins the threads, frees jobs still queued. */
void policyd_pool_free(struct policyd_pool *p);
/* The eventfd that becomes readable when jobs are done. */
int policyd_pool_fd(const struct policyd_pool *p);
/* Queues j (ownership passes to the pool until it comes back from done). */
void policyd_pool_submit(struct policyd_pool *p, struct policyd_job *j);
/* The next finished job (caller owns it), or NULL. */
struct policyd_job *policyd_pool_done(struct policyd_pool *p);
void policyd_job_free(struct policyd_job *j);


#endif

/* A small pool of worker threads for decisions that need DNS (MX gathering, SPF): the event
 * loop hands a job over, a worker decides, and the result comes back through an eventfd. */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "mxguard/clock.h"
#include "policyd_workers.h"

struct policyd_pool {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct policyd_job *todo_head, *todo_tail;
	struct policyd_job *done_head, *done_tail;
	int stop;
	int efd;
	unsigned long notify_errors;  /* eventfd failures; never expected */
	struct policyd_mxcache *cache;
	struct mxg_resolver *res;
	size_t n_threads;
	pthread_t *threads;
};

static void push(struct policyd_job **head, struct policyd_job **tail, struct policyd_job *j)
{
	j->next = NULL;
	if (*tail)
		(*tail)->next = j;
	else
		*head = j;
	*tail = j;
}

static struct policyd_job *pop(struct policyd_job **head, struct policyd_job **tail)
{
	struct policyd_job *j = *head;
	if (j) {
		*head = j->next;
		if (*head == NULL)
			*tail = NULL;
	}
	return j;
}

static void run(struct policyd_pool *p, struct policyd_job *j)
{
	struct policyd_dns_view view = { policyd_mxcache_get, p->cache, p->res, 0 };

	/* A job whose deadline passed in the queue was already answered (deferred). */
	if (mxg_clock_ms() >= j->deadline_ms) {
		j->expired = 1;
		return;
	}
	if (j->sts != NULL) {
		j->sts_len = policyd_mtasts_socketmap(j->sts, j->sts_key, strlen(j->sts_key), j->sts_out,
						      sizeof(j->sts_out), j->sts_log, sizeof(j->sts_log));
		return;
	}
	if (policyd_decide(j->rules, &j->req, &view, &j->verdict) != 0)
		j->expired = 1;
}

static void *worker(void *arg)
{
	struct policyd_pool *p = arg;
	uint64_t one = 1;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (!p->stop && p->todo_head == NULL)
			pthread_cond_wait(&p->cond, &p->lock);
		if (p->stop)
			break;
		struct policyd_job *j = pop(&p->todo_head, &p->todo_tail);
		pthread_mutex_unlock(&p->lock);
		run(p, j);
		pthread_mutex_lock(&p->lock);
		push(&p->done_head, &p->done_tail, j);
		pthread_mutex_unlock(&p->lock);
		/* Outside the lock (the system call would hold up the loop and the other workers).
		 * The loop may have taken j already and then wakes once for nothing; it never misses
		 * one, since it drains the queue after reading the counter. EAGAIN means the
		 * counter is already non-zero: the loop will look anyway. */
		if (write(p->efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
			__atomic_add_fetch(&p->notify_errors, 1, __ATOMIC_RELAXED);
		pthread_mutex_lock(&p->lock);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

struct policyd_pool *policyd_pool_new(size_t n, struct policyd_mxcache *cache,
				      struct mxg_resolver *res)
{
	struct policyd_pool *p = calloc(1, sizeof(*p));
	if (p == NULL)
		return NULL;
	p->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	p->threads = calloc(n, sizeof(*p->threads));
	if (p->efd < 0 || p->threads == NULL) {
		if (p->efd >= 0)
			close(p->efd);
		free(p->threads);
		free(p);
		return NULL;
	}
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	p->cache = cache;
	p->res = res;
	for (; p->n_threads < n; p->n_threads++)
		if (pthread_create(&p->threads[p->n_threads], NULL, worker, p) != 0)
			break;
	if (p->n_threads == 0) {
		policyd_pool_free(p);
		return NULL;
	}
	return p;
}

int policyd_pool_fd(const struct policyd_pool *p)
{
	return p->efd;
}

void policyd_pool_submit(struct policyd_pool *p, struct policyd_job *j)
{
	pthread_mutex_lock(&p->lock);
	push(&p->todo_head, &p->todo_tail, j);
	pthread_cond_signal(&p->cond);
	pthread_mutex_unlock(&p->lock);
}

struct policyd_job *policyd_pool_done(struct policyd_pool *p)
{
	uint64_t n;

	pthread_mutex_lock(&p->lock);
	struct policyd_job *j = pop(&p->done_head, &p->done_tail);
	/* Queue drained: reset the counter (under the lock, so no completion is missed). */
	if (j == NULL && read(p->efd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		__atomic_add_fetch(&p->notify_errors, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&p->lock);
	return j;
}

void policyd_job_free(struct policyd_job *j)
{
	if (j == NULL)
		return;
	policyd_request_free(&j->req);
	policyd_rules_unref(j->rules);
	free(j);
}

void policyd_pool_free(struct policyd_pool *p)
{
	struct policyd_job *j;

	if (p == NULL)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = 1;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	for (size_t i = 0; i < p->n_threads; i++)
		pthread_join(p->threads[i], NULL);
	while ((j = pop(&p->todo_head, &p->todo_tail)) != NULL)
		policyd_job_free(j);
	while ((j = pop(&p->done_head, &p->done_tail)) != NULL)
		policyd_job_free(j);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->cond);
	close(p->efd);
	free(p->threads);
	free(p);
}

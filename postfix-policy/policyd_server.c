/* The event loop (epoll): accepts policy and socketmap connections, reads bounded requests,
 * answers from the cache at once or through the worker pool, and enforces every timeout. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mxguard/clock.h"
#include "mxguard/daemon.h"
#include "mxguard/log.h"
#include "mxguard/str.h"
#include "policyd_server.h"
#include "policyd_workers.h"

enum kind { K_POLICY, K_SOCKETMAP };
enum tag { T_LISTEN = 1, T_CONN, T_POOL, T_SIGNAL };

#define TAG(t, i) (((uint64_t)(t) << 32) | (uint64_t)(i))
#define OUT_MAX 4096
#define SWEEP_MS 100

struct listener {
	int fd;
	enum kind kind;
	char spec[256];
};

struct conn {
	int fd;                 /* -1 when the slot is free */
	enum kind kind;
	uint64_t gen;           /* bumped whenever the slot is reused */
	uint64_t seq;           /* bumped whenever a job's answer is no longer wanted */
	int busy;
	uint64_t job_deadline;
	uint64_t last_active;
	uint32_t events;        /* epoll interest currently registered */
	char *in;
	size_t inlen;
	char out[OUT_MAX];
	size_t outlen, outoff;
	char summary[420];      /* context/state/client/sender/recipient of the job in flight */
	enum policyd_context ctx;
};

struct policyd_server {
	const struct policyd_settings *s;
	size_t n_listen;
	struct listener listen[2 * POLICYD_LISTEN_MAX];
	int ep, sfd;
	struct conn *conns;
	size_t *free_slots, n_free, n_open;
	struct policyd_rules *rules;
	struct policyd_mxcache *cache;
	struct policyd_pool *pool;
	struct policyd_dns_view view;
	struct policyd_mtasts *sts;     /* the "mta-sts" socketmap, or NULL when off */
	unsigned long refused;          /* connections refused since the last log line */
	uint64_t refused_logged;
	int stop;
};

static int add_listeners(struct policyd_server *srv, char (*specs)[256], size_t n, enum kind k,
			 char *err, size_t errlen)
{
	char why[384];

	for (size_t i = 0; i < n; i++) {
		struct listener *l = &srv->listen[srv->n_listen];
		l->fd = policyd_listen_open(specs[i], why, sizeof(why));
		if (l->fd < 0)
			return mxg_fail(err, errlen, "cannot listen: %s", why);
		l->kind = k;
		mxg_strlcpy(l->spec, specs[i], sizeof(l->spec));
		srv->n_listen++;
	}
	return 0;
}

struct policyd_server *policyd_server_new(const struct policyd_settings *s, char *err, size_t errlen)
{
	struct policyd_server *srv = calloc(1, sizeof(*srv));

	if (srv == NULL) {
		mxg_strlcpy(err, "out of memory", errlen);
		return NULL;
	}
	srv->s = s;
	srv->ep = srv->sfd = -1;
	if (add_listeners(srv, (char (*)[256])s->policy_listen, s->n_policy, K_POLICY, err, errlen) < 0 ||
	    add_listeners(srv, (char (*)[256])s->socketmap_listen, s->n_socketmap, K_SOCKETMAP, err,
			  errlen) < 0) {
		policyd_server_free(srv);
		return NULL;
	}
	return srv;
}

void policyd_server_set_mtasts(struct policyd_server *srv, struct policyd_mtasts *sts)
{
	srv->sts = sts;
}

void policyd_server_free(struct policyd_server *srv)
{
	if (srv == NULL)
		return;
	for (size_t i = 0; i < srv->n_listen; i++) {
		close(srv->listen[i].fd);
		policyd_listen_remove(srv->listen[i].spec);
	}
	free(srv);
}

static void set_events(struct policyd_server *srv, size_t slot, uint32_t ev)
{
	struct conn *c = &srv->conns[slot];
	struct epoll_event e = { .events = ev, .data.u64 = TAG(T_CONN, slot) };

	if (c->events != ev && epoll_ctl(srv->ep, EPOLL_CTL_MOD, c->fd, &e) == 0)
		c->events = ev;
}

static void conn_close(struct policyd_server *srv, size_t slot)
{
	struct conn *c = &srv->conns[slot];

	epoll_ctl(srv->ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c->in);
	c->in = NULL;
	c->fd = -1;
	c->busy = 0;
	c->gen++;
	srv->free_slots[srv->n_free++] = slot;
	srv->n_open--;
}

/* Sends what is buffered; returns -1 when the peer is gone. */
static int flush_out(struct conn *c)
{
	while (c->outoff < c->outlen) {
		ssize_t n = send(c->fd, c->out + c->outoff, c->outlen - c->outoff, MSG_NOSIGNAL);
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
		c->outoff += (size_t)n;
	}
	c->outoff = c->outlen = 0;
	return 0;
}

static int queue_out(struct conn *c, const char *data, size_t n)
{
	if (n > sizeof(c->out) - c->outlen)
		return -1;
	memcpy(c->out + c->outlen, data, n);
	c->outlen += n;
	return flush_out(c);
}

static int reply_policy(struct conn *c, const char *action)
{
	char buf[POLICYD_TEXT_MAX + 16];
	int n = snprintf(buf, sizeof(buf), "action=%s\n\n", action);
	return queue_out(c, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

/* The answer to a request whose decision timed out or could not be made, in the
 * connection's protocol: Postfix defers either way. */
static int reply_temp(struct conn *c, const char *policy_reply, const char *socketmap_reason)
{
	char buf[256];

	if (c->kind == K_POLICY)
		return reply_policy(c, policy_reply);
	long n = policyd_netstring_write(buf, sizeof(buf), "TEMP ", socketmap_reason);
	return n < 0 ? -1 : queue_out(c, buf, (size_t)n);
}

/* The request's part of a decision line, for answers given without a decision. */
static void summarize(const struct policyd_request *q, char *out, size_t size)
{
	snprintf(out, size, "context=%s state=%.16s client=%.64s sender=<%.128s> recipient=<%.128s>",
		 policyd_context_name(policyd_request_context(q)),
		 q->protocol_state ? q->protocol_state : "", q->client_address ? q->client_address : "",
		 q->sender ? q->sender : "", q->recipient ? q->recipient : "");
}

/* Hands j (its request filled, c->summary set) to the pool for the connection in slot,
 * with the request's deadline; the connection waits (busy) until it comes back. */
static void submit(struct policyd_server *srv, size_t slot, struct policyd_job *j,
		   enum policyd_context ctx)
{
	struct conn *c = &srv->conns[slot];

	j->slot = slot;
	j->conn_gen = c->gen;
	j->seq = c->seq;
	j->started_ms = mxg_clock_ms();
	j->deadline_ms = j->started_ms + srv->s->request_timeout_ms;
	j->rules = srv->rules;
	policyd_rules_ref(j->rules);
	c->ctx = ctx;
	c->busy = 1;
	c->job_deadline = j->deadline_ms;
	policyd_pool_submit(srv->pool, j);
}

static int dispatch(struct policyd_server *srv, size_t slot, struct policyd_request *q)
{
	struct conn *c = &srv->conns[slot];
	struct policyd_job *j = calloc(1, sizeof(*j));

	if (j == NULL) {
		char line[sizeof(c->summary)];
		summarize(q, line, sizeof(line));
		policyd_log_undecided(line, policyd_request_context(q), 0, "out of memory");
		policyd_request_free(q);
		return reply_policy(c, "451 4.3.0 mxguard: out of memory");
	}
	j->req = *q;
	summarize(q, c->summary, sizeof(c->summary));
	submit(srv, slot, j, policyd_request_context(q));
	return 0;
}

/* Handles one complete policy request; returns 1 processed, 0 incomplete, -1 close. */
static int one_policy(struct policyd_server *srv, size_t slot)
{
	struct conn *c = &srv->conns[slot];
	struct policyd_request q;
	struct policyd_verdict v;
	size_t consumed;
	char err[128];
	long n = policyd_request_end(c->in, c->inlen, &consumed);

	if (n < 0) {
		if (c->inlen < srv->s->request_max)
			return 0;
		mxg_log(MXG_LOG_WARNING, "policy request longer than %lu bytes: closing the connection",
			srv->s->request_max);
		return -1;
	}
	if ((size_t)n > srv->s->request_max) {
		mxg_log(MXG_LOG_WARNING, "policy request longer than %lu bytes: closing the connection",
			srv->s->request_max);
		return -1;
	}
	int rc = policyd_request_parse(c->in, (size_t)n, srv->s->attributes_max, &q, err, sizeof(err));
	memmove(c->in, c->in + consumed, c->inlen - consumed);
	c->inlen -= consumed;
	if (rc < 0) {
		mxg_log(MXG_LOG_WARNING, "malformed policy request (%s): closing the connection", err);
		return -1;
	}
	if (policyd_decide(srv->rules, &q, &srv->view, &v) != 0)
		return dispatch(srv, slot, &q) < 0 ? -1 : 1;
	policyd_log_decision(&q, &v);
	policyd_request_free(&q);
	return reply_policy(c, v.reply) < 0 ? -1 : 1;
}

/* Hands an "mta-sts KEY" lookup (it may fetch over HTTPS) to the worker pool. */
static int dispatch_sts(struct policyd_server *srv, size_t slot, const char *key, size_t klen)
{
	struct conn *c = &srv->conns[slot];
	struct policyd_job *j = calloc(1, sizeof(*j));
	char buf[256];

	if (j == NULL || klen >= sizeof(j->sts_key) || memchr(key, '\0', klen) != NULL) {
		long n = policyd_netstring_write(buf, sizeof(buf), j ? "PERM " : "TEMP ",
						 j ? "malformed key" : "out of memory");
		free(j);
		return n < 0 ? -1 : queue_out(c, buf, (size_t)n);
	}
	memcpy(j->sts_key, key, klen);
	j->sts = srv->sts;
	snprintf(c->summary, sizeof(c->summary), "socketmap mta-sts key=%.256s", j->sts_key);
	submit(srv, slot, j, POLICYD_CTX_ALL);
	return 0;
}

static int one_socketmap(struct policyd_server *srv, size_t slot)
{
	struct conn *c = &srv->conns[slot];
	const char *payload;
	size_t plen, consumed;
	char err[128], out[POLICYD_NEXTHOP_MAX + 64], logbuf[768];
	int rc = policyd_netstring_parse(c->in, c->inlen, srv->s->request_max, &payload, &plen,
					 &consumed, err, sizeof(err));

	if (rc == 0)
		return c->inlen >= srv->s->request_max + 16 ? -1 : 0;
	if (rc < 0) {
		mxg_log(MXG_LOG_WARNING, "malformed socketmap request (%s): closing the connection", err);
		return -1;
	}
	if (srv->sts != NULL && plen > 8 && memcmp(payload, "mta-sts ", 8) == 0) {
		int d = dispatch_sts(srv, slot, payload + 8, plen - 8);
		memmove(c->in, c->in + consumed, c->inlen - consumed);
		c->inlen -= consumed;
		return d < 0 ? -1 : 1;
	}
	long n = policyd_socketmap_answer(srv->rules, payload, plen, out, sizeof(out), logbuf,
					  sizeof(logbuf));
	memmove(c->in, c->in + consumed, c->inlen - consumed);
	c->inlen -= consumed;
	mxg_log(MXG_LOG_INFO, "%s", logbuf);
	return n < 0 || queue_out(c, out, (size_t)n) < 0 ? -1 : 1;
}

/* Works through buffered input while nothing is in flight, then sets the epoll interest. */
static void progress(struct policyd_server *srv, size_t slot)
{
	struct conn *c = &srv->conns[slot];
	size_t cap = srv->s->request_max + 16;

	while (!c->busy && c->outlen == 0 && c->inlen > 0) {
		int rc = c->kind == K_POLICY ? one_policy(srv, slot) : one_socketmap(srv, slot);
		if (rc < 0) {
			conn_close(srv, slot);
			return;
		}
		if (rc == 0)
			break;
	}
	uint32_t ev = 0;
	if (!c->busy && c->outlen == 0 && c->inlen < cap)
		ev |= EPOLLIN;
	if (c->outlen > 0)
		ev |= EPOLLOUT;
	set_events(srv, slot, ev);
}

static void on_readable(struct policyd_server *srv, size_t slot)
{
	struct conn *c = &srv->conns[slot];
	size_t cap = srv->s->request_max + 16;

	while (c->inlen < cap) {
		ssize_t n = recv(c->fd, c->in + c->inlen, cap - c->inlen, 0);
		if (n == 0) {
			conn_close(srv, slot);
			return;
		}
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (errno == EINTR)
				continue;
			conn_close(srv, slot);
			return;
		}
		c->inlen += (size_t)n;
		c->last_active = mxg_clock_ms();
	}
	progress(srv, slot);
}

static void on_conn_event(struct policyd_server *srv, size_t slot, uint32_t ev)
{
	struct conn *c = &srv->conns[slot];

	if (c->fd < 0)
		return;
	if (ev & EPOLLOUT) {
		if (flush_out(c) < 0) {
			conn_close(srv, slot);
			return;
		}
	}
	if (ev & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
		on_readable(srv, slot);
		return;
	}
	progress(srv, slot);
}

static void on_accept(struct policyd_server *srv, struct listener *l)
{
	for (int i = 0; i < 64; i++) {
		int fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		if (srv->n_free == 0) {
			/* At most one line a second, however hard clients push. */
			uint64_t now = mxg_clock_ms();
			srv->refused++;
			if (now - srv->refused_logged >= 1000) {
				mxg_log(MXG_LOG_WARNING, "%s: max_connections (%lu) reached: %lu connections refused",
					l->spec, srv->s->max_connections, srv->refused);
				srv->refused_logged = now;
				srv->refused = 0;
			}
			close(fd);
			continue;
		}
		size_t slot = srv->free_slots[--srv->n_free];
		struct conn *c = &srv->conns[slot];
		c->in = malloc(srv->s->request_max + 16);
		struct epoll_event e = { .events = EPOLLIN, .data.u64 = TAG(T_CONN, slot) };
		if (c->in == NULL || epoll_ctl(srv->ep, EPOLL_CTL_ADD, fd, &e) < 0) {
			free(c->in);
			c->in = NULL;
			close(fd);
			srv->free_slots[srv->n_free++] = slot;
			continue;
		}
		c->fd = fd;
		c->kind = l->kind;
		c->inlen = c->outlen = c->outoff = 0;
		c->busy = 0;
		c->events = EPOLLIN;
		c->last_active = mxg_clock_ms();
		srv->n_open++;
	}
}

static void on_job(struct policyd_server *srv, struct policyd_job *j)
{
	struct conn *c = &srv->conns[j->slot];

	if (c->fd < 0 || c->gen != j->conn_gen || c->seq != j->seq) {
		policyd_job_free(j);
		return;
	}
	c->busy = 0;
	if (j->sts != NULL && !j->expired) {
		mxg_log(MXG_LOG_INFO, "%s", j->sts_log);
		size_t slot = j->slot;
		int bad = j->sts_len < 0 || queue_out(c, j->sts_out, (size_t)j->sts_len) < 0;
		policyd_job_free(j);
		if (bad)
			conn_close(srv, slot);
		else
			progress(srv, slot);
		return;
	}
	if (j->expired) {
		policyd_log_undecided(c->summary, c->ctx, 1, "timed out");
		if (reply_temp(c, "451 4.4.3 mxguard: policy decision timed out", "timed out") < 0) {
			policyd_job_free(j);
			conn_close(srv, j->slot);
			return;
		}
	} else {
		policyd_log_decision(&j->req, &j->verdict);
		if (reply_policy(c, j->verdict.reply) < 0) {
			size_t slot = j->slot;
			policyd_job_free(j);
			conn_close(srv, slot);
			return;
		}
	}
	size_t slot = j->slot;
	policyd_job_free(j);
	progress(srv, slot);
}

/* Deferred answers for jobs past their deadline, and closing of idle connections. */
static void sweep(struct policyd_server *srv)
{
	uint64_t now = mxg_clock_ms();

	for (size_t i = 0; i < srv->s->max_connections; i++) {
		struct conn *c = &srv->conns[i];
		if (c->fd < 0)
			continue;
		if (c->busy && now >= c->job_deadline) {
			c->busy = 0;
			c->seq++;
			char why[64];
			snprintf(why, sizeof(why), "timed out after %lu ms", srv->s->request_timeout_ms);
			policyd_log_undecided(c->summary, c->ctx, 1, why);
			if (reply_temp(c, "451 4.4.3 mxguard: policy decision timed out", "timed out") < 0)
				conn_close(srv, i);
			else
				progress(srv, i);
			continue;
		}
		if (!c->busy && now - c->last_active > srv->s->idle_timeout_ms)
			conn_close(srv, i);
	}
}

static void on_signal(struct policyd_server *srv, policyd_reload_fn reload, void *arg)
{
	struct signalfd_siginfo si;

	while (read(srv->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			struct policyd_rules *n = reload(arg);
			if (n != NULL) {
				policyd_rules_unref(srv->rules);
				srv->rules = n;
				mxg_log(MXG_LOG_NOTICE, "configuration reloaded");
			}
		} else {
			srv->stop = 1;
		}
	}
}

static int setup(struct policyd_server *srv, struct mxg_resolver *res)
{
	sigset_t mask;
	size_t n = srv->s->max_connections;

	signal(SIGPIPE, SIG_IGN);
	if (mxg_daemon_block_signals(0, &mask) != 0)
		return -1;
	srv->sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	srv->ep = epoll_create1(EPOLL_CLOEXEC);
	srv->conns = calloc(n, sizeof(*srv->conns));
	srv->free_slots = calloc(n, sizeof(*srv->free_slots));
	if (srv->sfd < 0 || srv->ep < 0 || srv->conns == NULL || srv->free_slots == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		srv->conns[i].fd = -1;
		srv->free_slots[srv->n_free++] = n - 1 - i;
	}
	srv->pool = policyd_pool_new(srv->s->workers, srv->cache, res);
	if (srv->pool == NULL)
		return -1;
	struct epoll_event e = { .events = EPOLLIN };
	e.data.u64 = TAG(T_SIGNAL, 0);
	if (epoll_ctl(srv->ep, EPOLL_CTL_ADD, srv->sfd, &e) < 0)
		return -1;
	e.data.u64 = TAG(T_POOL, 0);
	if (epoll_ctl(srv->ep, EPOLL_CTL_ADD, policyd_pool_fd(srv->pool), &e) < 0)
		return -1;
	for (size_t i = 0; i < srv->n_listen; i++) {
		e.data.u64 = TAG(T_LISTEN, i);
		if (epoll_ctl(srv->ep, EPOLL_CTL_ADD, srv->listen[i].fd, &e) < 0)
			return -1;
	}
	return 0;
}

static void teardown(struct policyd_server *srv)
{
	policyd_pool_free(srv->pool);
	srv->pool = NULL;
	for (size_t i = 0; srv->conns != NULL && i < srv->s->max_connections; i++)
		if (srv->conns[i].fd >= 0)
			conn_close(srv, i);
	free(srv->conns);
	free(srv->free_slots);
	srv->conns = NULL;
	srv->free_slots = NULL;
	if (srv->ep >= 0)
		close(srv->ep);
	if (srv->sfd >= 0)
		close(srv->sfd);
	srv->ep = srv->sfd = -1;
	policyd_rules_unref(srv->rules);
	srv->rules = NULL;
}

static void dispatch_event(struct policyd_server *srv, const struct epoll_event *e,
			   policyd_reload_fn reload, void *arg)
{
	uint32_t tag = (uint32_t)(e->data.u64 >> 32), idx = (uint32_t)e->data.u64;
	struct policyd_job *j;

	switch (tag) {
	case T_LISTEN:
		on_accept(srv, &srv->listen[idx]);
		break;
	case T_CONN:
		on_conn_event(srv, idx, e->events);
		break;
	case T_POOL:
		while ((j = policyd_pool_done(srv->pool)) != NULL)
			on_job(srv, j);
		break;
	case T_SIGNAL:
		on_signal(srv, reload, arg);
		break;
	}
}

int policyd_server_run(struct policyd_server *srv, struct policyd_rules *rules,
		       struct policyd_mxcache *cache, struct mxg_resolver *res,
		       policyd_reload_fn reload, void *arg)
{
	struct epoll_event ev[64];
	uint64_t last_sweep = mxg_clock_ms();

	srv->rules = rules;
	srv->cache = cache;
	srv->view = (struct policyd_dns_view){ policyd_mxcache_get, cache, res, 1 };
	if (setup(srv, res) < 0) {
		mxg_log(MXG_LOG_ERR, "cannot set up the event loop: %s", strerror(errno));
		teardown(srv);
		return -1;
	}
	mxg_log(MXG_LOG_NOTICE, "ready: %zu listeners, %lu workers", srv->n_listen, srv->s->workers);
	while (!srv->stop) {
		int n = epoll_wait(srv->ep, ev, 64, SWEEP_MS);
		if (n < 0 && errno != EINTR) {
			mxg_log(MXG_LOG_ERR, "epoll_wait: %s", strerror(errno));
			break;
		}
		for (int i = 0; i < n; i++)
			dispatch_event(srv, &ev[i], reload, arg);
		uint64_t now = mxg_clock_ms();
		if (now - last_sweep >= SWEEP_MS) {
			sweep(srv);
			last_sweep = now;
		}
	}
	mxg_log(MXG_LOG_NOTICE, "stopping: %zu connections open", srv->n_open);
	teardown(srv);
	return 0;
}

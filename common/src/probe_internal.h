/* Pieces shared by the probe's files: one SMTP connection with a deadline (probe_smtp.c), the
 * TLS client context and handshake (probe_tls.c). Not a public interface. */
#ifndef MXGUARD_PROBE_INTERNAL_H
#define MXGUARD_PROBE_INTERNAL_H

#include <time.h>

#include <openssl/ssl.h>

#include "mxguard/probe.h"

/* Bytes buffered of the server's replies: two lines at the longest. */
#define PROBE_BUF_MAX (2 * MXG_PROBE_LINE_MAX + 2)

/* One SMTP connection: a non-blocking socket, TLS once started, and the time limits. */
struct probe_conn {
	int fd;
	SSL *ssl;
	struct timespec end;     /* the whole probe ends here */
	unsigned step_ms;        /* each step gets at most this (never past end) */
	char buf[PROBE_BUF_MAX];
	size_t len;
};

/* The deadline of the next step: now + step_ms, or end when sooner. */
void probe_step_deadline(const struct probe_conn *c, struct timespec *t);
/* Milliseconds left until t (0 when past). */
int probe_ms_left(const struct timespec *t);
/* Waits until fd is ready for events or t passes. Returns 1 ready, 0 timed out, -1 error. */
int probe_wait(int fd, short events, const struct timespec *t);

/* A TLS client context trusting ca_file (PEM) or the system's CAs, accepting any protocol
 * version so that old ones can be reported. NULL with err set. */
SSL_CTX *probe_tls_context(const char *ca_file, char *err, size_t errlen);
/* Runs the handshake on c->fd for host (SNI), each wait bounded by the step deadline, and
 * records version, chain, trust, name and dates in res. Returns 0, or -1 with res->why set. */
int probe_tls_start(struct probe_conn *c, SSL_CTX *ctx, const char *host,
		    struct mxg_probe_result *res);
/* Reads up to size bytes over TLS (c->ssl) until t. Returns bytes, 0 on close, -1 error/timeout. */
long probe_tls_read(struct probe_conn *c, char *buf, size_t size, const struct timespec *t);
/* Writes all of buf over TLS until t. Returns 0, or -1. */
int probe_tls_write(struct probe_conn *c, const char *buf, size_t len, const struct timespec *t);

/* The whole SMTP conversation with res->addr for domain: connect, banner, EHLO, STARTTLS
 * (when ctx), recipient checks, RSET, QUIT. Fills res; never fails (res->stage says where
 * it stopped). */
void probe_smtp_talk(const struct mxg_probe_options *o, SSL_CTX *ctx, const char *domain,
		     const struct timespec *end, struct mxg_probe_result *res);

#endif

/* The probe's TLS side (OpenSSL): a client context that lets any protocol version through so
 * old ones can be reported, the STARTTLS handshake bounded by the step deadline, and what the
 * server's certificate says (chain, trust apart from dates, host name, validity dates). */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "mxguard/str.h"
#include "probe_internal.h"

SSL_CTX *probe_tls_context(const char *ca_file, char *err, size_t errlen)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (ctx == NULL) {
		snprintf(err, errlen, "cannot make a TLS context");
		return NULL;
	}
	/* A probe must be able to talk to an old server to say it is old. */
	SSL_CTX_set_security_level(ctx, 0);
	SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
	SSL_CTX_set_cipher_list(ctx, "ALL:@SECLEVEL=0");
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	int ok = ca_file ? SSL_CTX_load_verify_locations(ctx, ca_file, NULL)
			 : SSL_CTX_set_default_verify_paths(ctx);
	if (ok != 1) {
		snprintf(err, errlen, "cannot load the trusted CAs%s%s", ca_file ? " from " : "",
			 ca_file ? ca_file : "");
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

/* Waits for what OpenSSL asked for (after SSL_ERROR_WANT_*). Returns 1, or 0/-1 to stop. */
static int tls_wait(struct probe_conn *c, int ret, const struct timespec *t)
{
	int e = SSL_get_error(c->ssl, ret);

	if (e == SSL_ERROR_WANT_READ)
		return probe_wait(c->fd, POLLIN, t);
	if (e == SSL_ERROR_WANT_WRITE)
		return probe_wait(c->fd, POLLOUT, t);
	return -1;
}

long probe_tls_read(struct probe_conn *c, char *buf, size_t size, const struct timespec *t)
{
	for (;;) {
		int n = SSL_read(c->ssl, buf, size > INT32_MAX ? INT32_MAX : (int)size);
		if (n > 0)
			return n;
		if (SSL_get_error(c->ssl, n) == SSL_ERROR_ZERO_RETURN)
			return 0;
		if (tls_wait(c, n, t) <= 0)
			return -1;
	}
}

int probe_tls_write(struct probe_conn *c, const char *buf, size_t len, const struct timespec *t)
{
	while (len > 0) {
		int n = SSL_write(c->ssl, buf, (int)len);
		if (n > 0) {
			buf += n;
			len -= (size_t)n;
			continue;
		}
		if (tls_wait(c, n, t) <= 0)
			return -1;
	}
	return 0;
}

/* Records chain errors other than the leaf's dates (judged on their own) and lets the
 * handshake go on: the probe reports, it does not refuse. */
static int verify_cb(int ok, X509_STORE_CTX *store)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx());
	struct mxg_probe_result *res = ssl ? SSL_get_app_data(ssl) : NULL;
	int e = X509_STORE_CTX_get_error(store);

	if (ok || res == NULL)
		return 1;
	if (X509_STORE_CTX_get_error_depth(store) == 0 &&
	    (e == X509_V_ERR_CERT_HAS_EXPIRED || e == X509_V_ERR_CERT_NOT_YET_VALID))
		return 1;
	if (res->cert_trusted) {
		res->cert_trusted = 0;
		mxg_strlcpy(res->cert_error, X509_verify_cert_error_string(e), sizeof(res->cert_error));
	}
	return 1;
}

static time_t asn1_time(const ASN1_TIME *a)
{
	struct tm tm;

	if (a == NULL || ASN1_TIME_to_tm(a, &tm) != 1)
		return 0;
	return timegm(&tm);
}

static void keep_chain(SSL *ssl, struct mxg_probe_result *res)
{
	STACK_OF(X509) *chain = SSL_get_peer_cert_chain(ssl);
	int n = chain ? sk_X509_num(chain) : 0;

	for (int i = 0; i < n && res->chain_count < MXG_PROBE_CHAIN_MAX; i++) {
		unsigned char *der = NULL;
		int len = i2d_X509(sk_X509_value(chain, i), &der);
		if (len <= 0 || len > MXG_PROBE_CERT_MAX) {
			OPENSSL_free(der);
			continue;
		}
		uint8_t *copy = malloc((size_t)len);
		if (copy != NULL) {
			memcpy(copy, der, (size_t)len);
			res->chain[res->chain_count].der = copy;
			res->chain[res->chain_count++].len = (size_t)len;
		}
		OPENSSL_free(der);
	}
}

static void record_peer(SSL *ssl, const char *host, struct mxg_probe_result *res)
{
	X509 *leaf = SSL_get1_peer_certificate(ssl);

	res->tls_version = SSL_version(ssl);
	mxg_strlcpy(res->tls_version_name, SSL_get_version(ssl), sizeof(res->tls_version_name));
	if (leaf == NULL) {
		res->cert_trusted = 0;
		mxg_strlcpy(res->cert_error, "no certificate", sizeof(res->cert_error));
		return;
	}
	res->cert_name_ok = X509_check_host(leaf, host, 0, 0, NULL) == 1;
	res->not_before = asn1_time(X509_get0_notBefore(leaf));
	res->not_after = asn1_time(X509_get0_notAfter(leaf));
	keep_chain(ssl, res);
	X509_free(leaf);
}

int probe_tls_start(struct probe_conn *c, SSL_CTX *ctx, const char *host,
		    struct mxg_probe_result *res)
{
	struct timespec t;

	c->ssl = SSL_new(ctx);
	if (c->ssl == NULL || SSL_set_fd(c->ssl, c->fd) != 1) {
		mxg_strlcpy(res->why, "cannot start TLS", sizeof(res->why));
		return -1;
	}
	SSL_set_app_data(c->ssl, res);
	SSL_set_verify(c->ssl, SSL_VERIFY_PEER, verify_cb);
	SSL_set_tlsext_host_name(c->ssl, host);
	res->cert_trusted = 1;
	probe_step_deadline(c, &t);
	for (;;) {
		ERR_clear_error();
		int n = SSL_connect(c->ssl);
		if (n == 1)
			break;
		int w = tls_wait(c, n, &t);
		if (w > 0)
			continue;
		const char *e = ERR_reason_error_string(ERR_peek_error());
		snprintf(res->why, sizeof(res->why), "TLS handshake: %s",
			 w == 0 ? "no progress in time" : e ? e : "connection closed");
		res->cert_trusted = 0;
		return -1;
	}
	record_peer(c->ssl, host, res);
	return 0;
}

/* The probe's SMTP client: one conversation with one MX address over a non-blocking socket,
 * every read and write bounded by the step deadline, replies bounded in line length and count.
 * It never sends DATA: MAIL FROM:<>, two RCPT TO, RSET, QUIT. */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <fcntl.h>

#include "mxguard/clock.h"
#include "mxguard/str.h"
#include "probe_internal.h"

#define DEFAULT_HELO "mxguard.invalid"
#define RELAY_LOCAL "mxguard-relay-test"
#define MXG_STR_(x) #x
#define MXG_STR(x) MXG_STR_(x)

void probe_step_deadline(const struct probe_conn *c, struct timespec *t)
{
	long long left = mxg_clock_ms_until(&c->end);

	if (left < (long long)c->step_ms) {
		*t = c->end;
		return;
	}
	mxg_clock_deadline(t, c->step_ms);
}

int probe_ms_left(const struct timespec *t)
{
	long long ms = mxg_clock_ms_until(t);
	return ms < 0 ? 0 : ms > 600000 ? 600000 : (int)ms;
}

int probe_wait(int fd, short events, const struct timespec *t)
{
	struct pollfd p = { .fd = fd, .events = events };

	for (;;) {
		int left = probe_ms_left(t);
		if (left == 0)
			return 0;
		int n = poll(&p, 1, left);
		if (n > 0)
			return 1;
		if (n == 0)
			return 0;
		if (errno != EINTR)
			return -1;
	}
}

static void set_why(struct mxg_probe_result *res, enum mxg_probe_stage stage, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_why(struct mxg_probe_result *res, enum mxg_probe_stage stage, const char *fmt, ...)
{
	va_list ap;

	res->stage = stage;
	va_start(ap, fmt);
	vsnprintf(res->why, sizeof(res->why), fmt, ap);
	va_end(ap);
}

static int conn_open(struct probe_conn *c, const struct mxg_addr *a, uint16_t port,
		     struct mxg_probe_result *res)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	struct timespec t;
	int err = 0;

	memset(&ss, 0, sizeof(ss));
	if (a->family == 4) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		memcpy(&s4->sin_addr, a->bytes, 4);
		sl = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		memcpy(&s6->sin6_addr, a->bytes, 16);
		sl = sizeof(*s6);
	}
	c->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		set_why(res, MXG_PROBE_CONNECT, "socket: %s", strerror(errno));
		return -1;
	}
	if (connect(c->fd, (struct sockaddr *)&ss, sl) == 0)
		return 0;
	if (errno != EINPROGRESS) {
		set_why(res, MXG_PROBE_CONNECT, "connect: %s", strerror(errno));
		return -1;
	}
	probe_step_deadline(c, &t);
	if (probe_wait(c->fd, POLLOUT, &t) <= 0) {
		set_why(res, MXG_PROBE_CONNECT, "no connection within %u ms", c->step_ms);
		return -1;
	}
	socklen_t el = sizeof(err);
	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0 || err != 0) {
		set_why(res, MXG_PROBE_CONNECT, "connect: %s", strerror(err ? err : errno));
		return -1;
	}
	return 0;
}

/* Reads more of the server's bytes into c->buf until t. Returns >0, 0 on close, -1. */
static long conn_fill(struct probe_conn *c, const struct timespec *t)
{
	size_t room = sizeof(c->buf) - c->len;

	if (room == 0)
		return -1;
	if (c->ssl != NULL) {
		long n = probe_tls_read(c, c->buf + c->len, room, t);
		if (n > 0)
			c->len += (size_t)n;
		return n;
	}
	for (;;) {
		ssize_t n = recv(c->fd, c->buf + c->len, room, 0);
		if (n >= 0) {
			c->len += (size_t)n;
			return n;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		if (probe_wait(c->fd, POLLIN, t) <= 0)
			return -1;
	}
}

/* One reply line (CRLF or LF stripped) into line. Returns 0, -1 on a timeout or close, -2 when
 * the line is longer than MXG_PROBE_LINE_MAX. */
static int read_line(struct probe_conn *c, char *line, size_t size, const struct timespec *t)
{
	for (;;) {
		char *nl = memchr(c->buf, '\n', c->len);
		if (nl != NULL) {
			size_t n = (size_t)(nl - c->buf) + 1;
			size_t keep = n - 1;
			if (keep > 0 && c->buf[keep - 1] == '\r')
				keep--;
			if (keep >= size || keep > MXG_PROBE_LINE_MAX)
				return -2;
			memcpy(line, c->buf, keep);
			line[keep] = '\0';
			memmove(c->buf, c->buf + n, c->len - n);
			c->len -= n;
			return 0;
		}
		if (c->len > MXG_PROBE_LINE_MAX)
			return -2;
		if (conn_fill(c, t) <= 0)
			return -1;
	}
}

/* A reply: its code (0 when none could be read in the step time), its first line in text (or
 * why there is no reply), and whether one line of it is the STARTTLS keyword (for EHLO). */
struct reply {
	int code;
	int starttls;
	char text[MXG_PROBE_TEXT_MAX];
};

static int reply_code(const char *line)
{
	for (int i = 0; i < 3; i++)
		if (line[i] < '0' || line[i] > '9')
			return 0;
	if (line[0] < '2' || line[0] > '5' || (line[3] != ' ' && line[3] != '-' && line[3] != '\0'))
		return 0;
	return (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
}

static void read_reply(struct probe_conn *c, struct reply *r)
{
	char line[MXG_PROBE_LINE_MAX + 1];
	struct timespec t;

	memset(r, 0, sizeof(*r));
	probe_step_deadline(c, &t);
	for (int i = 0; i < MXG_PROBE_REPLY_LINES; i++) {
		int rc = read_line(c, line, sizeof(line), &t);
		if (rc < 0) {
			r->code = 0;
			snprintf(r->text, sizeof(r->text), "%s",
				 rc == -2 ? "a reply line over " MXG_STR(MXG_PROBE_LINE_MAX) " octets"
					  : "no reply in time");
			return;
		}
		int code = reply_code(line);
		if (code == 0 || (i > 0 && code != r->code)) {
			r->code = 0;
			mxg_strlcpy(r->text, "not an SMTP reply", sizeof(r->text));
			return;
		}
		if (i == 0)
			mxg_strlcpy(r->text, line, sizeof(r->text));
		r->code = code;
		if (i > 0 && mxg_strcaseeq(line + 4, "STARTTLS"))
			r->starttls = 1;
		if (line[3] != '-')
			return;
	}
	r->code = 0; /* more lines than any real reply has */
	mxg_strlcpy(r->text, "a reply of over " MXG_STR(MXG_PROBE_REPLY_LINES) " lines", sizeof(r->text));
}

static int send_line(struct probe_conn *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int send_line(struct probe_conn *c, const char *fmt, ...)
{
	char out[MXG_DNS_NAME_MAX + 64];
	struct timespec t;
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(out, sizeof(out) - 2, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(out) - 2)
		return -1;
	memcpy(out + n, "\r\n", 3);
	n += 2;
	probe_step_deadline(c, &t);
	if (c->ssl != NULL)
		return probe_tls_write(c, out, (size_t)n, &t);
	for (int off = 0; off < n;) {
		ssize_t w = send(c->fd, out + off, (size_t)(n - off), MSG_NOSIGNAL);
		if (w > 0) {
			off += (int)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		if (probe_wait(c->fd, POLLOUT, &t) <= 0)
			return -1;
	}
	return 0;
}

/* Sends a command and reads its reply; r->code 0 when either failed. */
static void command(struct probe_conn *c, struct reply *r, const char *what, const char *arg)
{
	memset(r, 0, sizeof(*r));
	if (send_line(c, "%s%s", what, arg) == 0)
		read_reply(c, r);
}

/* The reply's first line, or why there was none. */
static const char *reply_text(const struct reply *r)
{
	return r->text[0] ? r->text : "no reply";
}

/* EHLO, falling back to HELO. Returns 0, or -1 with the result's stage set. */
static int greet(struct probe_conn *c, const char *helo, struct mxg_probe_result *res,
		 struct reply *r)
{
	command(c, r, "EHLO ", helo);
	if (r->code == 250)
		return 0;
	command(c, r, "HELO ", helo);
	if (r->code == 250)
		return 0;
	set_why(res, MXG_PROBE_EHLO, "EHLO and HELO: %s", reply_text(r));
	return -1;
}

static int starttls(struct probe_conn *c, SSL_CTX *ctx, const char *helo,
		    struct mxg_probe_result *res)
{
	struct reply r;

	command(c, &r, "STARTTLS", "");
	if (r.code != 220) {
		set_why(res, MXG_PROBE_TLS, "STARTTLS: %s", reply_text(&r));
		return -1;
	}
	c->len = 0; /* nothing read before the handshake may count after it (RFC 3207 §4.2) */
	if (probe_tls_start(c, ctx, res->host, res) < 0) {
		res->stage = MXG_PROBE_TLS;
		return -1;
	}
	res->tls_done = 1;
	command(c, &r, "EHLO ", helo);
	if (r.code != 250) {
		set_why(res, MXG_PROBE_TLS, "EHLO after STARTTLS: %s", reply_text(&r));
		return -1;
	}
	return 0;
}

/* A recipient in a domain that is not the checked one (RFC 2606 names nobody relays for). */
static void relay_recipient(const char *domain, char *out, size_t size)
{
	const char *other = mxg_dns_name_is_sub(domain, "example.net") ? "example.org" : "example.net";
	snprintf(out, size, "%s@%s", RELAY_LOCAL, other);
}

static void envelope(struct probe_conn *c, const char *domain, struct mxg_probe_result *res)
{
	char arg[MXG_DNS_NAME_MAX + 48];
	struct reply r;

	command(c, &r, "MAIL FROM:<>", "");
	if (r.code != 250) {
		set_why(res, MXG_PROBE_ENVELOPE, "MAIL FROM:<>: %s", reply_text(&r));
		return;
	}
	snprintf(arg, sizeof(arg), "<postmaster@%s>", domain);
	command(c, &r, "RCPT TO:", arg);
	res->postmaster_code = r.code;
	mxg_strlcpy(res->postmaster_reply, r.text, sizeof(res->postmaster_reply));
	relay_recipient(domain, res->relay_rcpt, sizeof(res->relay_rcpt));
	snprintf(arg, sizeof(arg), "<%s>", res->relay_rcpt);
	command(c, &r, "RCPT TO:", arg);
	res->relay_code = r.code;
	if (res->postmaster_code == 0 || res->relay_code == 0) {
		set_why(res, MXG_PROBE_ENVELOPE, "RCPT TO: no reply");
		return;
	}
	command(c, &r, "RSET", "");
	command(c, &r, "QUIT", "");
	res->stage = MXG_PROBE_DONE;
}

void probe_smtp_talk(const struct mxg_probe_options *o, SSL_CTX *ctx, const char *domain,
		     const struct timespec *end, struct mxg_probe_result *res)
{
	const char *helo = o->helo ? o->helo : DEFAULT_HELO;
	struct probe_conn c;
	struct reply r;

	memset(&c, 0, sizeof(c));
	c.fd = -1;
	c.end = *end;
	c.step_ms = o->step_ms ? o->step_ms : MXG_PROBE_STEP_MS;
	if (conn_open(&c, &res->addr, o->port ? o->port : 25, res) < 0)
		goto out;
	read_reply(&c, &r);
	if (r.code != 220) {
		set_why(res, MXG_PROBE_BANNER, "banner: %s", reply_text(&r));
		goto out;
	}
	if (greet(&c, helo, res, &r) < 0)
		goto out;
	res->starttls_offered = r.starttls;
	if (r.starttls && starttls(&c, ctx, helo, res) < 0)
		goto out;
	envelope(&c, domain, res);
out:
	if (c.ssl != NULL) {
		SSL_shutdown(c.ssl);
		SSL_free(c.ssl);
	}
	if (c.fd >= 0)
		close(c.fd);
}

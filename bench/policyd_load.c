/* Load generator for policy servers: C persistent connections, each sending a fixed request
 * mix back to back; prints requests/s, p50, p99 and p99.9 latency and how the replies split. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MIX 4

/* The mix: a bypass attempt, a delivery from the gateway, a null-MX sender, a plain one. */
static const char *const mix[MIX][3] = {
	{ "11.9.9.9", "s%d@good.pd.test", "u@corp.pd.test" },
	{ "11.1.1.10", "s%d@good.pd.test", "u@corp.pd.test" },
	{ "11.1.1.10", "a%d@nullmx.pd.test", "u@good.pd.test" },
	{ "11.1.1.11", "s%d@good.pd.test", "u@good.pd.test" },
};

struct worker {
	int port, n;
	double *lat;
	long rejects, others, errors;
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int dial(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

/* One request; returns 1 for a reject/defer reply, 0 for another reply, -1 on error. */
static int ask(int fd, int i, char *buf, size_t size)
{
	char sender[64];
	const char *const *m = mix[i % MIX];
	snprintf(sender, sizeof(sender), m[1], i % 50);
	int n = snprintf(buf, size,
		"request=smtpd_access_policy\nprotocol_state=RCPT\nprotocol_name=ESMTP\n"
		"client_address=%s\nclient_name=unknown\nhelo_name=client.pd.test\nsender=%s\n"
		"recipient=%s\ninstance=%x.1\nencryption_protocol=\nccert_fingerprint=\n\n",
		m[0], sender, m[2], i);
	if (write(fd, buf, (size_t)n) != n)
		return -1;
	size_t got = 0;
	while (got < 2 || buf[got - 1] != '\n' || buf[got - 2] != '\n') {
		ssize_t r = read(fd, buf + got, size - got - 1);
		if (r <= 0 || got + (size_t)r >= size - 1)
			return -1;
		got += (size_t)r;
	}
	buf[got] = '\0';
	return strncmp(buf, "action=5", 8) == 0 || strncmp(buf, "action=4", 8) == 0 ||
	       strncasecmp(buf, "action=reject", 13) == 0 || strncasecmp(buf, "action=defer", 12) == 0;
}

static void *run(void *arg)
{
	struct worker *w = arg;
	char buf[4096];
	int fd = dial(w->port);
	if (fd < 0) {
		w->errors = w->n;
		return NULL;
	}
	for (int i = 0; i < w->n; i++) {
		double t0 = now();
		int rc = ask(fd, i, buf, sizeof(buf));
		w->lat[i] = now() - t0;
		if (rc < 0) {
			w->errors += w->n - i;
			break;
		}
		if (rc)
			w->rejects++;
		else
			w->others++;
	}
	close(fd);
	return NULL;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: policyd_load NAME PORT CONNECTIONS REQUESTS-PER-CONNECTION\n");
		return 2;
	}
	int port = atoi(argv[2]), c = atoi(argv[3]), n = atoi(argv[4]);
	struct worker *w = calloc((size_t)c, sizeof(*w));
	pthread_t *t = calloc((size_t)c, sizeof(*t));
	double *all = calloc((size_t)c * (size_t)n, sizeof(double));
	long rej = 0, oth = 0, err = 0;

	double t0 = now();
	for (int i = 0; i < c; i++) {
		w[i] = (struct worker){ port, n, all + (size_t)i * (size_t)n, 0, 0, 0 };
		pthread_create(&t[i], NULL, run, &w[i]);
	}
	for (int i = 0; i < c; i++)
		pthread_join(t[i], NULL);
	double secs = now() - t0;
	for (int i = 0; i < c; i++)
		rej += w[i].rejects, oth += w[i].others, err += w[i].errors;
	long done = rej + oth;
	qsort(all, (size_t)c * (size_t)n, sizeof(double), cmp);
	size_t total = (size_t)c * (size_t)n;
	printf("%s requests=%ld seconds=%.2f rps=%.0f p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f refused=%ld "
	       "other=%ld errors=%ld\n",
	       argv[1], done, secs, done / secs, all[total / 2] * 1e3, all[total * 99 / 100] * 1e3,
	       all[total * 999 / 1000] * 1e3, rej, oth, err);
	return err ? 1 : 0;
}

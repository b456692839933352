/* Unit tests of the metrics_file utility (textfile.c) and of the timing resolver
 * (dns_timed.c): atomic write and cleanup, the periodic writer's schedule and its failure
 * reports, the histogram's exposition text, and the rcodes and times the wrapper reports. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "mxguard/dns.h"
#include "mxguard/textfile.h"

static char dir[] = "/tmp/mxg-textfile-XXXXXX";
static char path[256];

static int setup(void **state)
{
	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/x.prom", dir);
	return 0;
}

static int teardown(void **state)
{
	char tmp[300];

	(void)state;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	unlink(tmp);
	unlink(path);
	rmdir(dir);
	return 0;
}

static void fill_hello(FILE *f, void *arg)
{
	fprintf(f, "hello %s\n", (const char *)arg);
}

static int read_file(const char *p, char *buf, size_t len)
{
	FILE *f = fopen(p, "r");
	size_t n;

	if (f == NULL)
		return -1;
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
	return 0;
}

static void test_write(void **state)
{
	char buf[256], err[256], tmp[300];

	(void)state;
	assert_int_equal(mxg_textfile_write(path, fill_hello, "one", err, sizeof(err)), 0);
	assert_int_equal(read_file(path, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "hello one\n");
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	assert_int_not_equal(access(tmp, F_OK), 0);
	/* The rename fails onto a directory: the old file is left and the temporary removed. */
	assert_int_equal(mxg_textfile_write(dir, fill_hello, "two", err, sizeof(err)), -1);
	assert_non_null(strstr(err, dir));
	snprintf(tmp, sizeof(tmp), "%s.tmp", dir);
	assert_int_not_equal(access(tmp, F_OK), 0);
	assert_int_equal(mxg_textfile_write("/nonexistent-dir/x", fill_hello, "", err, sizeof(err)), -1);
	assert_string_equal(err, "/nonexistent-dir/x.tmp: No such file or directory");
}

struct probe {
	int fills, warns;
	char last[300];
};

static void fill_count(FILE *f, void *arg)
{
	struct probe *p = arg;

	fprintf(f, "fills %d\n", ++p->fills);
}

static void warn_count(void *arg, const char *msg)
{
	struct probe *p = arg;

	p->warns++;
	snprintf(p->last, sizeof(p->last), "%s", msg);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Written at start, again at intervals, and a last time at stop. */
static void test_writer_schedule(void **state)
{
	static struct mxg_textfile_writer w;
	struct probe p = { 0 };
	char buf[256], err[256];

	(void)state;
	assert_int_equal(mxg_textfile_start(&w, "", 10, fill_count, warn_count, &p, err,
					    sizeof(err)), 0);
	assert_int_equal(w.running, 0);
	assert_int_equal(mxg_textfile_start(&w, path, 20, fill_count, warn_count, &p, err,
					    sizeof(err)), 0);
	for (int i = 0; i < 200 && access(path, F_OK) != 0; i++)
		sleep_ms(10);
	assert_int_equal(access(path, F_OK), 0);
	sleep_ms(100);
	mxg_textfile_stop(&w);
	assert_true(p.fills >= 3);
	assert_int_equal(read_file(path, buf, sizeof(buf)), 0);
	snprintf(err, sizeof(err), "fills %d\n", p.fills);
	assert_string_equal(buf, err);
	assert_int_equal(p.warns, 0);
	mxg_textfile_stop(&w); /* not running: nothing */
}

/* A failure is reported once until a write succeeds; the last write reports its own. */
static void test_writer_failures(void **state)
{
	static struct mxg_textfile_writer w;
	struct probe p = { 0 };
	char sub[300], file[320], tmp[330], err[256];

	(void)state;
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	snprintf(file, sizeof(file), "%s/x.prom", sub);
	assert_int_equal(mxg_textfile_start(&w, file, 10, fill_count, warn_count, &p, err,
					    sizeof(err)), 0);
	sleep_ms(100);
	assert_int_equal(p.warns, 1);
	assert_non_null(strstr(p.last, "No such file or directory"));
	assert_int_equal(mkdir(sub, 0700), 0);
	for (int i = 0; i < 200 && access(file, F_OK) != 0; i++)
		sleep_ms(10);
	assert_int_equal(access(file, F_OK), 0);
	/* The writer may write again meanwhile: retry until the directory is gone. */
	for (int i = 0; i < 100 && rmdir(sub) != 0; i++) {
		unlink(file);
		snprintf(tmp, sizeof(tmp), "%s.tmp", file);
		unlink(tmp);
	}
	assert_int_not_equal(access(sub, F_OK), 0);
	for (int i = 0; i < 200 && p.warns < 2; i++)
		sleep_ms(10);
	sleep_ms(50);
	assert_int_equal(p.warns, 2);
	mxg_textfile_stop(&w);
	assert_int_equal(p.warns, 3);
}

static void fill_hist(FILE *f, void *arg)
{
	mxg_histogram_write(f, arg, "t_seconds", "Test.");
}

static void test_histogram(void **state)
{
	static const unsigned long bounds[] = { 1000, 250000, 2500000 };
	static struct mxg_histogram h = MXG_HISTOGRAM_INIT(bounds);
	char buf[1024], err[256];

	(void)state;
	mxg_histogram_observe(&h, 0);
	mxg_histogram_observe(&h, 1000);   /* on a bound: that bucket */
	mxg_histogram_observe(&h, 1001);
	mxg_histogram_observe(&h, 2500001); /* above all: +Inf only */
	assert_int_equal(mxg_textfile_write(path, fill_hist, &h, err, sizeof(err)), 0);
	assert_int_equal(read_file(path, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "# HELP t_seconds Test.\n"
				 "# TYPE t_seconds histogram\n"
				 "t_seconds_bucket{le=\"0.001\"} 2\n"
				 "t_seconds_bucket{le=\"0.25\"} 3\n"
				 "t_seconds_bucket{le=\"2.5\"} 3\n"
				 "t_seconds_bucket{le=\"+Inf\"} 4\n"
				 "t_seconds_sum 2.502002\n"
				 "t_seconds_count 4\n");
}

struct seen {
	int n, rcode;
	uint64_t usec;
};

static void observe(void *arg, int rcode, uint64_t usec)
{
	struct seen *s = arg;

	s->n++;
	s->rcode = rcode;
	s->usec = usec;
}

static void test_timed_resolver(void **state)
{
	struct mxg_resolver *zone = mxg_resolver_zone_new(), *t;
	struct mxg_dns_answer *a = NULL;
	struct seen s = { 0 };
	char err[256];

	(void)state;
	assert_non_null(zone);
	assert_int_equal(mxg_zone_add_text(zone, "a.example. 300 IN A 192.0.2.1", err,
					   sizeof(err)), 0);
	assert_int_equal(mxg_zone_set_fault(zone, "slow.example", 0, MXG_DNS_TIMEOUT), 0);
	t = mxg_resolver_timed(zone, observe, &s);
	assert_non_null(t);
	assert_int_equal(mxg_dns_lookup(t, "a.example", MXG_DNS_A, &a, err, sizeof(err)), 0);
	assert_int_equal(a->rcode, MXG_DNS_NOERROR);
	mxg_dns_answer_free(a);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.rcode, MXG_DNS_NOERROR);
	assert_true(s.usec < 10000000);
	assert_int_equal(mxg_dns_lookup(t, "slow.example", MXG_DNS_A, &a, err, sizeof(err)), 0);
	mxg_dns_answer_free(a);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.rcode, MXG_DNS_TIMEOUT);
	mxg_resolver_free(t); /* frees the zone too (ASan checks) */
	assert_null(mxg_resolver_timed(NULL, observe, &s));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write),
		cmocka_unit_test(test_writer_schedule),
		cmocka_unit_test(test_writer_failures),
		cmocka_unit_test(test_histogram),
		cmocka_unit_test(test_timed_resolver),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

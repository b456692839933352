/* Unit tests of stderr logging: one line per call whatever the message holds, the level
 * threshold, and the facility names. stderr is redirected into a pipe and read back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <cmocka.h>

#include "mxguard/log.h"

static int saved_stderr = -1;
static int pipe_rd = -1;

static int setup(void **state)
{
	int p[2];

	(void)state;
	if (pipe(p) != 0)
		return -1;
	saved_stderr = dup(STDERR_FILENO);
	dup2(p[1], STDERR_FILENO);
	close(p[1]);
	pipe_rd = p[0];
	mxg_log_open("mxg-test", 0, 0);
	mxg_log_set_level(MXG_LOG_INFO);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	close(pipe_rd);
	return 0;
}

/* Everything logged so far (the write end stays open: read what is there). */
static void drain(char *buf, size_t size)
{
	mxg_log(MXG_LOG_ERR, "END");
	size_t have = 0;
	while (have + 1 < size) {
		ssize_t n = read(pipe_rd, buf + have, size - 1 - have);
		if (n <= 0)
			break;
		have += (size_t)n;
		buf[have] = '\0';
		if (strstr(buf, "END\n") != NULL)
			break;
	}
	buf[have] = '\0';
}

static void test_one_line_per_call(void **state)
{
	char buf[8192];

	(void)state;
	mxg_log(MXG_LOG_WARNING, "helo %s from %d", "evil\r\nmxg-test[1]: error: forged", 7);
	drain(buf, sizeof(buf));
	char want[128];
	snprintf(want, sizeof(want),
		 "mxg-test[%ld]: warning: helo evil??mxg-test[1]: error: forged from 7\n", (long)getpid());
	assert_int_equal(strncmp(buf, want, strlen(want)), 0);
	assert_non_null(strstr(buf + strlen(want), ": error: END\n"));
}

static void test_level_threshold(void **state)
{
	char buf[8192];

	(void)state;
	mxg_log_set_level(MXG_LOG_NOTICE);
	mxg_log(MXG_LOG_INFO, "hidden");
	mxg_log(MXG_LOG_DEBUG, "hidden too");
	mxg_log(MXG_LOG_NOTICE, "shown");
	drain(buf, sizeof(buf));
	assert_null(strstr(buf, "hidden"));
	assert_non_null(strstr(buf, ": notice: shown\n"));
}

static void test_long_message_is_one_line(void **state)
{
	char big[6000], buf[8192];

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	mxg_log(MXG_LOG_ERR, "%s", big);
	drain(buf, sizeof(buf));
	char *nl = strchr(buf, '\n');
	assert_non_null(nl);
	/* truncated, but still one terminated line before the END marker */
	assert_true(nl - buf < 2200);
	assert_non_null(strstr(nl + 1, "END\n"));
}

static void test_facility_parse(void **state)
{
	(void)state;
	assert_int_equal(mxg_log_facility_parse("mail"), LOG_MAIL);
	assert_int_equal(mxg_log_facility_parse("DAEMON"), LOG_DAEMON);
	assert_int_equal(mxg_log_facility_parse("local7"), LOG_LOCAL7);
	assert_int_equal(mxg_log_facility_parse("local8"), -1);
	assert_int_equal(mxg_log_facility_parse(""), -1);
	assert_int_equal(mxg_log_facility_parse("kern"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_one_line_per_call, setup, teardown),
		cmocka_unit_test_setup_teardown(test_level_threshold, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_message_is_one_line, setup, teardown),
		cmocka_unit_test(test_facility_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

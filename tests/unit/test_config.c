/* Unit tests of the configuration parser and the typed value parsers: what each accepts,
 * and for each malformed input the "path:line: reason" or "key: reason" it must give. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "mxguard/config.h"

static struct mxg_config cfg;
static char err[512];

static int parse(const char *text)
{
	err[0] = '\0';
	return mxg_config_parse("test.conf", text, strlen(text), &cfg, err, sizeof(err));
}

static void test_basic(void **state)
{
	(void)state;
	assert_int_equal(parse("# a comment\n"
			       "\n"
			       "  Listen = inet:127.0.0.1:10040  \r\n"
			       "\ttimeout=5s\n"
			       "empty =\n"
			       "   # indented comment\n"
			       "url = http://x/?a=b#frag\n"
			       "listen = unix:/run/x"), 0);
	assert_int_equal(cfg.count, 5);
	assert_string_equal(cfg.path, "test.conf");
	assert_string_equal(cfg.entries[0].key, "listen");
	assert_string_equal(cfg.entries[0].value, "inet:127.0.0.1:10040");
	assert_int_equal(cfg.entries[0].line, 3);
	assert_string_equal(cfg.entries[1].value, "5s");
	assert_int_equal(cfg.entries[1].line, 4);
	assert_string_equal(mxg_config_get(&cfg, "empty"), "");
	/* only the first '=' splits; '#' inside a value is kept */
	assert_string_equal(mxg_config_get(&cfg, "url"), "http://x/?a=b#frag");
	/* the last value wins, and the final line needs no newline */
	assert_string_equal(mxg_config_get(&cfg, "listen"), "unix:/run/x");
	assert_int_equal(cfg.entries[4].line, 8);
	assert_null(mxg_config_get(&cfg, "missing"));
	mxg_config_free(&cfg);
	assert_int_equal(cfg.count, 0);
}

static void test_empty(void **state)
{
	(void)state;
	assert_int_equal(parse(""), 0);
	assert_int_equal(cfg.count, 0);
	mxg_config_free(&cfg);
}

static void assert_parse_error(const char *text, const char *want)
{
	assert_int_equal(parse(text), -1);
	assert_string_equal(err, want);
	assert_int_equal(cfg.count, 0);
	assert_null(cfg.entries);
}

static void test_errors(void **state)
{
	(void)state;
	assert_parse_error("a = 1\nno equals sign\n", "test.conf:2: expected \"key = value\"");
	assert_parse_error("a = 1\n\n = 3\n", "test.conf:3: empty key");
	assert_parse_error("bad key = 1\n",
			   "test.conf:1: key may hold only letters, digits, '_', '-' and '.'");
	static const char nul[] = "a = 1\nb = x\0y\n";
	err[0] = '\0';
	assert_int_equal(mxg_config_parse("n.conf", nul, sizeof(nul) - 1, &cfg, err, sizeof(err)), -1);
	assert_string_equal(err, "n.conf:2: NUL byte in line");
}

static void test_line_bound(void **state)
{
	(void)state;
	size_t n = MXG_CONFIG_LINE_MAX;
	char *text = malloc(n + 16);
	assert_non_null(text);

	/* exactly the limit is accepted */
	memcpy(text, "k = ", 4);
	memset(text + 4, 'v', n - 4);
	strcpy(text + n, "\n");
	assert_int_equal(parse(text), 0);
	assert_int_equal(strlen(mxg_config_get(&cfg, "k")), n - 4);
	mxg_config_free(&cfg);

	/* one byte more is refused, naming the line */
	memcpy(text, "k = ", 4);
	memset(text + 4, 'v', n - 3);
	strcpy(text + n + 1, "\n");
	char *two = malloc(n + 32);
	assert_non_null(two);
	snprintf(two, n + 32, "a = b\n%s", text);
	assert_parse_error(two, "test.conf:2: line too long");
	free(two);
	free(text);
}

static void test_load(void **state)
{
	(void)state;
	char path[] = "/tmp/mxg-test-config-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char text[] = "timeout = 2m\nunknown_key = 1\n";
	assert_int_equal(write(fd, text, sizeof(text) - 1), (ssize_t)(sizeof(text) - 1));
	close(fd);

	assert_int_equal(mxg_config_load(path, &cfg, err, sizeof(err)), 0);
	assert_string_equal(cfg.path, path);
	assert_string_equal(mxg_config_get(&cfg, "timeout"), "2m");

	static const char *const known[] = { "timeout", NULL };
	static const char *const all[] = { "timeout", "unknown_key", NULL };
	assert_int_equal(mxg_config_check_keys(&cfg, all, err, sizeof(err)), 0);
	assert_int_equal(mxg_config_check_keys(&cfg, known, err, sizeof(err)), -1);
	char want[128];
	snprintf(want, sizeof(want), "%s:2: unknown key \"unknown_key\"", path);
	assert_string_equal(err, want);
	mxg_config_free(&cfg);
	unlink(path);

	assert_int_equal(mxg_config_load(path, &cfg, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: No such file or directory", path);
	assert_string_equal(err, want);
}

static void test_bool(void **state)
{
	(void)state;
	static const char *const yes[] = { "yes", "YES", "true", "on", "1" };
	static const char *const no[] = { "no", "False", "off", "0" };
	static const char *const bad[] = { "", "y", "2", "yes please", "enable" };
	int b;

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		b = 0;
		assert_int_equal(mxg_config_bool("k", yes[i], &b, err, sizeof(err)), 0);
		assert_int_equal(b, 1);
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		b = 1;
		assert_int_equal(mxg_config_bool("k", no[i], &b, err, sizeof(err)), 0);
		assert_int_equal(b, 0);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(mxg_config_bool("strip", bad[i], &b, err, sizeof(err)), -1);
	assert_string_equal(err, "strip: expected yes or no");
}

static void test_uint(void **state)
{
	(void)state;
	unsigned long n = 0;

	assert_int_equal(mxg_config_uint("k", "0", 0, 10, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 0);
	assert_int_equal(mxg_config_uint("k", "10", 0, 10, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 10);
	assert_int_equal(mxg_config_uint("k", "11", 0, 10, &n, err, sizeof(err)), -1);
	assert_string_equal(err, "k: expected a whole number from 0 to 10");
	assert_int_equal(mxg_config_uint("k", "4", 5, 10, &n, err, sizeof(err)), -1);
	static const char *const bad[] = { "", "-1", "+1", "1.5", "1e3", " 1", "12x",
					   "99999999999999999999999999" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = 7;
		assert_int_equal(mxg_config_uint("k", bad[i], 0, (unsigned long)-1, &n, err, sizeof(err)), -1);
		assert_int_equal(n, 7);
	}
}

static void test_duration(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		unsigned long ms;
	} good[] = { { "30", 30000 }, { "30s", 30000 }, { "5m", 300000 }, { "2h", 7200000 },
		     { "1d", 86400000 }, { "250ms", 250 }, { "0", 0 }, { "10S", 10000 } };
	unsigned long ms;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(mxg_config_duration_ms("t", good[i].text, &ms, err, sizeof(err)), 0);
		assert_int_equal(ms, good[i].ms);
	}
	static const char *const bad[] = { "", "s", "5 m", "5w", "-5s", "1.5h", "5mm",
					   "99999999999999999999d" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (mxg_config_duration_ms("t", bad[i], &ms, err, sizeof(err)) == 0)
			fail_msg("accepted duration \"%s\"", bad[i]);
	}
	assert_int_equal(strncmp(err, "t: ", 3), 0);
	char huge[32];
	snprintf(huge, sizeof(huge), "%lud", (unsigned long)-1 / 1000);
	assert_int_equal(mxg_config_duration_ms("t", huge, &ms, err, sizeof(err)), -1);
	assert_string_equal(err, "t: duration too large");
}

static void test_list(void **state)
{
	const char *v = " a, bb\tccc,,  dddd ";
	char item[4];
	int too_long;
	char got[64] = "";

	(void)state;
	while ((v = mxg_config_list_next(v, item, sizeof(item), &too_long)) != NULL) {
		strcat(got, item);
		strcat(got, too_long ? "!|" : "|");
	}
	assert_string_equal(got, "a|bb|ccc|ddd!|");
	assert_null(mxg_config_list_next("", item, sizeof(item), &too_long));
	assert_null(mxg_config_list_next(" ,\t, ", item, sizeof(item), &too_long));
}

static void test_rename(void **state)
{
	static const struct mxg_config_alias aliases[] = {
		{ "dns.timeout", "dns_timeout" }, { "counters-file", "metrics_file" }, { NULL, NULL } };

	(void)state;
	assert_int_equal(parse("dns.timeout = 2s\nother = 1\ncounters-file = /x\n"), 0);
	assert_int_equal(mxg_config_rename(&cfg, aliases), 0);
	assert_string_equal(cfg.entries[0].key, "dns_timeout");
	assert_int_equal(cfg.entries[0].line, 1);
	assert_string_equal(cfg.entries[1].key, "other");
	assert_string_equal(mxg_config_get(&cfg, "metrics_file"), "/x");
	assert_null(mxg_config_get(&cfg, "counters-file"));
	mxg_config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),     cmocka_unit_test(test_empty),
		cmocka_unit_test(test_errors),    cmocka_unit_test(test_line_bound),
		cmocka_unit_test(test_load),      cmocka_unit_test(test_bool),
		cmocka_unit_test(test_uint),      cmocka_unit_test(test_duration),
		cmocka_unit_test(test_rename),    cmocka_unit_test(test_list),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

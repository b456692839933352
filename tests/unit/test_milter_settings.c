/* Unit tests of the milter's configuration holder and reload (milter_settings.c,
 * milter_reload.c): a connection keeps the configuration it began under across reloads, a
 * good file replaces the current one, a broken one changes nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../milter/milter_reload.h"
#include "../../milter/milter_settings.h"

static char path[64];

static void write_conf(const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

static int setup(void **state)
{
	int fd;

	(void)state;
	strcpy(path, "/tmp/mxg-test-milter-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	milter_settings_install(NULL);
	unlink(path);
	return 0;
}

static void test_read_errors(void **state)
{
	char err[512];

	(void)state;
	write_conf("dmarc_reject = maybe\n");
	assert_null(milter_settings_read(path, 1, NULL, err, sizeof(err)));
	assert_non_null(strstr(err, ":1: dmarc_reject"));
	assert_null(milter_settings_read("/nonexistent/milter.conf", 1, NULL, err, sizeof(err)));
	/* Not named on the command line: an absent file means the defaults, -p still applies. */
	struct milter_config *cfg = milter_settings_read("/nonexistent/milter.conf", 0, "inet:1@127.0.0.1",
							 err, sizeof(err));
	assert_non_null(cfg);
	assert_string_equal(cfg->socket, "inet:1@127.0.0.1");
	milter_settings_discard(cfg);
}

static void test_connection_keeps_its_configuration(void **state)
{
	struct milter_source src = { path, 1, NULL };
	char err[512];

	(void)state;
	write_conf("tag_header = X-First\n");
	struct milter_config *first = milter_settings_read(path, 1, NULL, err, sizeof(err));
	assert_non_null(first);
	milter_settings_install(first);
	const struct milter_config *held = milter_settings_acquire();
	assert_ptr_equal(held, first);

	write_conf("tag_header = X-Second\n");
	assert_int_equal(milter_reload(&src), 0);
	const struct milter_config *now = milter_settings_acquire();
	assert_string_equal(now->tag_header, "X-Second");
	/* The connection that began before the reload still reads its own, intact. */
	assert_string_equal(held->tag_header, "X-First");
	milter_settings_release(held);
	milter_settings_release(now);
}

static void test_broken_reload_changes_nothing(void **state)
{
	struct milter_source src = { path, 1, NULL };
	char err[512];

	(void)state;
	write_conf("dmarc_reject = no\n");
	struct milter_config *good = milter_settings_read(path, 1, NULL, err, sizeof(err));
	assert_non_null(good);
	milter_settings_install(good);
	write_conf("dmarc_reject = yes\nmin_rsa_bits = lots\n");
	assert_int_equal(milter_reload(&src), -1);
	const struct milter_config *now = milter_settings_acquire();
	assert_ptr_equal(now, good);
	assert_int_equal(now->policy.dmarc_reject, 0);
	milter_settings_release(now);
	unlink(path);
	assert_int_equal(milter_reload(&src), -1);
	now = milter_settings_acquire();
	assert_ptr_equal(now, good);
	milter_settings_release(now);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_read_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_connection_keeps_its_configuration, setup, teardown),
		cmocka_unit_test_setup_teardown(test_broken_reload_changes_nothing, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

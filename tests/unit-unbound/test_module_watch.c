/* Unit tests of watch_domain: the option's parsing (bad values refused with the line, so the
 * module keeps its old settings), the target-set text, and the table, also under threads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <cmocka.h>

#include "module_config.h"
#include "module_watch.h"
#include "mxguard/str.h"

static int parse(const char *text, struct module_config *c, char *err, size_t errlen)
{
	return module_config_parse(c, "m.conf", text, strlen(text), err, errlen);
}

static void test_config(void **state)
{
	struct module_config *c = malloc(sizeof(*c));
	char err[256];

	(void)state;
	assert_int_equal(parse("max_targets = 4\n", c, err, sizeof(err)), 0);
	assert_int_equal(c->n_watch, 0); /* off by default */
	assert_int_equal(parse("watch_domain = Example.COM. b.test,c.test\n"
			       "watch_domain = b.test d.test\n", c, err, sizeof(err)), 0);
	assert_int_equal(c->n_watch, 4);
	assert_string_equal(c->watch[0], "example.com");
	assert_string_equal(c->watch[3], "d.test");
	assert_int_equal(parse("watch_domain = none\n", c, err, sizeof(err)), 0);
	assert_int_equal(c->n_watch, 0);

	assert_int_equal(parse("max_targets = 4\nwatch_domain = a..test\n", c, err, sizeof(err)), -1);
	assert_string_equal(err, "m.conf:2: watch_domain: 'a..test' is not a domain name");
	assert_int_equal(parse("watch_domain = .\n", c, err, sizeof(err)), -1);

	char *many = malloc(MODULE_WATCH_MAX * 16 + 64);
	size_t n = (size_t)sprintf(many, "watch_domain =");
	for (int i = 0; i <= MODULE_WATCH_MAX; i++)
		n += (size_t)sprintf(many + n, " d%d.test", i);
	strcpy(many + n, "\n");
	assert_int_equal(parse(many, c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "more than 64 domains"));
	free(many);
	free(c);
}

static struct mxg_mx_input *input(const char *domain, const char *const *names, unsigned n)
{
	struct mxg_mx_input *in = calloc(1, sizeof(*in));

	mxg_strlcpy(in->domain, domain, sizeof(in->domain));
	for (unsigned i = 0; i < n; i++) {
		in->targets[i].pref = (uint16_t)(10 * i);
		mxg_strlcpy(in->targets[i].name, names[i], sizeof(in->targets[i].name));
	}
	in->count = in->total = n;
	return in;
}

static void test_set_text(void **state)
{
	static const char *const names[] = { "mx2.a.test", "MX1.a.test", "mx2.a.test", "" };
	struct mxg_mx_input *in = input("a.test", names, 4);
	char text[MODULE_WATCH_SET_MAX];

	(void)state;
	assert_int_equal(module_watch_set_text(in, text, sizeof(text)), 0);
	assert_string_equal(text, ". mx1.a.test mx2.a.test");
	in->count = in->total = 0;
	assert_int_equal(module_watch_set_text(in, text, sizeof(text)), 0);
	assert_string_equal(text, "(no MX)");
	free(in);
}

static void test_table(void **state)
{
	static const char domains[2][MXG_DNS_NAME_MAX] = { "a.test", "b.test" };
	static const char *const one[] = { "mx1.a.test", "mx2.a.test" };
	static const char *const reordered[] = { "MX2.a.test", "mx1.a.test" };
	static const char *const other[] = { "evil.example" };
	struct module_watch *w = module_watch_new(domains, 2);
	char was[MODULE_WATCH_SET_MAX], now[MODULE_WATCH_SET_MAX];

	(void)state;
	assert_null(module_watch_new(domains, 0));
	assert_non_null(w);
	struct mxg_mx_input *a = input("A.test", one, 2), *b = input("a.test", reordered, 2);
	struct mxg_mx_input *c = input("a.test", other, 1), *u = input("c.test", other, 1);
	assert_int_equal(module_watch_see(w, a, was, sizeof(was), now, sizeof(now)), 0); /* first */
	assert_int_equal(module_watch_see(w, b, was, sizeof(was), now, sizeof(now)), 0); /* same set */
	assert_int_equal(module_watch_see(w, c, was, sizeof(was), now, sizeof(now)), 1);
	assert_string_equal(was, "mx1.a.test mx2.a.test");
	assert_string_equal(now, "evil.example");
	assert_int_equal(module_watch_see(w, c, was, sizeof(was), now, sizeof(now)), 0); /* once */
	assert_int_equal(module_watch_see(w, u, was, sizeof(was), now, sizeof(now)), 0); /* unwatched */
	assert_int_equal(module_watch_see(w, u, was, sizeof(was), now, sizeof(now)), 0);
	/* An answer with records the module did not read (over max_targets) is not judged. */
	a->total = 40;
	assert_int_equal(module_watch_see(w, a, was, sizeof(was), now, sizeof(now)), 0);
	assert_int_equal(module_watch_see(NULL, a, was, sizeof(was), now, sizeof(now)), 0);

	/* A reload: a new table for a.test and d.test takes over what the old one saw of a.test. */
	static const char next[2][MXG_DNS_NAME_MAX] = { "d.test", "a.test" };
	struct module_watch *w2 = module_watch_new(next, 2);
	module_watch_carry(w2, w);
	module_watch_carry(w2, NULL);
	a->total = 2;
	assert_int_equal(module_watch_see(w2, a, was, sizeof(was), now, sizeof(now)), 1);
	assert_string_equal(was, "evil.example");
	module_watch_free(w2);
	free(a), free(b), free(c), free(u);
	module_watch_free(w);
}

/* Threads flip one domain between two sets: every change is seen exactly once per flip that
 * the table records, never torn; the counts add up. */
struct flip {
	struct module_watch *w;
	const struct mxg_mx_input *in[2];
	unsigned changes;
};

static void *flipper(void *arg)
{
	struct flip *f = arg;
	char was[MODULE_WATCH_SET_MAX], now[MODULE_WATCH_SET_MAX];

	for (unsigned i = 0; i < 2000; i++) {
		if (module_watch_see(f->w, f->in[i % 2], was, sizeof(was), now, sizeof(now))) {
			f->changes++;
			if (strcmp(was, now) == 0 || (strcmp(now, "x.test") != 0 && strcmp(now, "y.test") != 0))
				return "torn";
		}
	}
	return NULL;
}

static void test_threads(void **state)
{
	static const char domains[1][MXG_DNS_NAME_MAX] = { "a.test" };
	static const char *const x[] = { "x.test" }, *const y[] = { "y.test" };
	struct module_watch *w = module_watch_new(domains, 1);
	struct mxg_mx_input *ix = input("a.test", x, 1), *iy = input("a.test", y, 1);
	struct flip f[4];
	pthread_t t[4];
	void *rc;

	(void)state;
	for (int i = 0; i < 4; i++) {
		f[i] = (struct flip){ w, { i % 2 ? ix : iy, i % 2 ? iy : ix }, 0 };
		assert_int_equal(pthread_create(&t[i], NULL, flipper, &f[i]), 0);
	}
	unsigned total = 0;
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(t[i], &rc), 0);
		assert_null(rc);
		total += f[i].changes;
	}
	assert_true(total > 0 && total < 8000);
	free(ix), free(iy);
	module_watch_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_set_text),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

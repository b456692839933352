/* Unit tests of the SPF macro language (RFC 7208 §7): the examples of §7.4, transformers,
 * delimiters, URL escaping, exp-only letters, syntax errors and domain truncation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../common/src/spf_internal.h"
#include "mxguard/str.h"

static struct mxg_addr ip4, ip6;

static const char *ptr_name(void *arg)
{
	(void)arg;
	return "mx.example.org";
}

static struct spf_macro_vars vars(const struct mxg_addr *ip)
{
	struct spf_macro_vars v = {
		.sender = "strong-bad@email.example.com",
		.local = "strong-bad",
		.sdomain = "email.example.com",
		.domain = "email.example.com",
		.helo = "mail.example.net",
		.receiver = "mx.receiver.example",
		.ip = ip,
		.ptr_name = ptr_name,
		.now = 1700000000,
	};
	return v;
}

static int setup(void **state)
{
	(void)state;
	assert_int_equal(mxg_addr_parse("192.0.2.3", &ip4, 0), 0);
	assert_int_equal(mxg_addr_parse("2001:db8::cb01", &ip6, 0), 0);
	return 0;
}

/* Expands s in use; the result, or "ERROR" when expansion fails. */
static const char *expand_ip(const char *s, enum spf_macro_use use, const struct mxg_addr *ip)
{
	static char out[SPF_EXPAND_MAX];
	char why[128];
	struct spf_macro_vars v = vars(ip);

	if (spf_macro_expand(&v, s, strlen(s), use, out, sizeof(out), why, sizeof(why)) < 0)
		return "ERROR";
	return out;
}

static const char *expand(const char *s)
{
	return expand_ip(s, SPF_MACRO_DOMAIN, &ip4);
}

/* The examples of RFC 7208 §7.4. */
static void test_rfc_examples(void **state)
{
	(void)state;
	assert_string_equal(expand("%{s}"), "strong-bad@email.example.com");
	assert_string_equal(expand("%{o}"), "email.example.com");
	assert_string_equal(expand("%{d}"), "email.example.com");
	assert_string_equal(expand("%{d4}"), "email.example.com");
	assert_string_equal(expand("%{d3}"), "email.example.com");
	assert_string_equal(expand("%{d2}"), "example.com");
	assert_string_equal(expand("%{d1}"), "com");
	assert_string_equal(expand("%{dr}"), "com.example.email");
	assert_string_equal(expand("%{d2r}"), "example.email");
	assert_string_equal(expand("%{l}"), "strong-bad");
	assert_string_equal(expand("%{l-}"), "strong.bad");
	assert_string_equal(expand("%{lr}"), "strong-bad");
	assert_string_equal(expand("%{lr-}"), "bad.strong");
	assert_string_equal(expand("%{l1r-}"), "strong");
	assert_string_equal(expand("%{ir}.%{v}._spf.%{d2}"), "3.2.0.192.in-addr._spf.example.com");
	assert_string_equal(expand("%{lr-}.lp._spf.%{d2}"), "bad.strong.lp._spf.example.com");
	assert_string_equal(expand("%{lr-}.lp.%{ir}.%{v}._spf.%{d2}"),
			    "bad.strong.lp.3.2.0.192.in-addr._spf.example.com");
	assert_string_equal(expand("%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}"),
			    "3.2.0.192.in-addr.strong.lp._spf.example.com");
	assert_string_equal(expand("%{d2}.trusted-domains.example.net"),
			    "example.com.trusted-domains.example.net");
}

/* IPv6: 32 nibbles; the RFC prints them in lower case, the reference suite in upper case;
 * DNS names compare without case, so both are the same name. */
static void test_ipv6_nibbles(void **state)
{
	(void)state;
	const char *got = expand_ip("%{ir}.%{v}._spf.%{d2}", SPF_MACRO_DOMAIN, &ip6);
	assert_true(mxg_strcaseeq(got, "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2"
				       ".ip6._spf.example.com"));
	assert_string_equal(expand_ip("%{i}", SPF_MACRO_DOMAIN, &ip6),
			    "2.0.0.1.0.D.B.8.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.C.B.0.1");
	assert_string_equal(expand_ip("%{c}", SPF_MACRO_EXPLAIN, &ip6), "2001:db8::cb01");
	assert_string_equal(expand_ip("%{v}", SPF_MACRO_DOMAIN, &ip6), "ip6");
	assert_string_equal(expand_ip("%{c}", SPF_MACRO_EXPLAIN, &ip4), "192.0.2.3");
	assert_string_equal(expand_ip("%{i}", SPF_MACRO_DOMAIN, &ip4), "192.0.2.3");
}

static void test_escapes_and_literals(void **state)
{
	(void)state;
	assert_string_equal(expand("a%%b%_c%-d.example.com"), "a%b c%20d.example.com");
	assert_string_equal(expand("%{h}"), "mail.example.net");
	assert_string_equal(expand("%{p}"), "mx.example.org");
	/* Upper-case letters URL-escape everything outside the unreserved set. */
	struct spf_macro_vars v = vars(&ip4);
	char out[256], why[128];
	v.local = "~jack&jill=up-a_b3.c";
	assert_true(spf_macro_expand(&v, "%{L}", 4, SPF_MACRO_DOMAIN, out, sizeof(out), why,
				     sizeof(why)) > 0);
	assert_string_equal(out, "~jack%26jill%3Dup-a_b3.c");
	v.helo = "JUMPIN' JUPITER";
	assert_true(spf_macro_expand(&v, "%{H}", 4, SPF_MACRO_DOMAIN, out, sizeof(out), why,
				     sizeof(why)) > 0);
	assert_string_equal(out, "JUMPIN%27%20JUPITER");
	/* Lower case keeps the value as it is. */
	assert_true(spf_macro_expand(&v, "%{h}", 4, SPF_MACRO_DOMAIN, out, sizeof(out), why,
				     sizeof(why)) > 0);
	assert_string_equal(out, "JUMPIN' JUPITER");
}

static void test_delimiters(void **state)
{
	(void)state;
	struct spf_macro_vars v = vars(&ip4);
	char out[256], why[128];

	v.local = "foo-bar+zip+quux";
	assert_true(spf_macro_expand(&v, "%{l2r+-}", 8, SPF_MACRO_DOMAIN, out, sizeof(out), why,
				     sizeof(why)) > 0);
	assert_string_equal(out, "bar.foo");
	assert_true(spf_macro_expand(&v, "%{l+}", 5, SPF_MACRO_DOMAIN, out, sizeof(out), why,
				     sizeof(why)) > 0);
	assert_string_equal(out, "foo-bar.zip.quux");
	v.local = "a,b/c_d=e";
	assert_true(spf_macro_expand(&v, "%{lr,/_=}", 9, SPF_MACRO_DOMAIN, out, sizeof(out), why,
				     sizeof(why)) > 0);
	assert_string_equal(out, "e.d.c.b.a");
	/* More parts asked for than there are: all of them. */
	assert_string_equal(expand("%{d99}"), "email.example.com");
	assert_string_equal(expand("%{d99999999999}"), "email.example.com");
}

static void test_exp_only_letters(void **state)
{
	(void)state;
	char why[128];

	assert_string_equal(expand_ip("%{r}", SPF_MACRO_EXPLAIN, &ip4), "mx.receiver.example");
	assert_string_equal(expand_ip("%{t}", SPF_MACRO_EXPLAIN, &ip4), "1700000000");
	assert_string_equal(expand_ip("see %{d} now", SPF_MACRO_EXPLAIN, &ip4),
			    "see email.example.com now");
	assert_string_equal(expand("%{c}.example.com"), "ERROR");
	assert_string_equal(expand("%{r}.example.com"), "ERROR");
	assert_string_equal(expand("%{t}.example.com"), "ERROR");
	assert_int_equal(spf_macro_check("%{c}.x.com", 10, SPF_MACRO_DOMAIN, why, sizeof(why)), -1);
	assert_int_equal(spf_macro_check("%{c} %{r} %{t}", 14, SPF_MACRO_EXPLAIN, why, sizeof(why)), 0);
	/* Spaces only in explanation text. */
	assert_string_equal(expand("a b.example.com"), "ERROR");
}

static void test_syntax_errors(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"%", "foo%", "%x.example.com", "%(ir).example.com", "%{a}.example.com",
		"%{d0}.example.com", "%{d", "%{dx}.example.com", "%{d2r2}.example.com",
		"%{}.example.com", "a\x01.example.com", "caf\xc3\xa9.example.com",
	};
	char why[128];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(spf_macro_check(bad[i], strlen(bad[i]), SPF_MACRO_DOMAIN, why,
						 sizeof(why)), -1);
		assert_true(why[0] != '\0');
		assert_string_equal(expand(bad[i]), "ERROR");
	}
	assert_int_equal(spf_macro_check("%{D2R.-+,/_=}", 13, SPF_MACRO_DOMAIN, why, sizeof(why)), 0);
}

/* domain-spec = macro-string domain-end; domain-end = "." toplabel ["."] / macro-expand */
static void test_domain_end(void **state)
{
	(void)state;
	static const char *const good[] = {
		"example.com", "example.com.", "foo.example.xn--zckzah", "%{d}", "x.%{d2}",
		"a.b-c", "foo:bar/baz.example.com", "1.2.3.4.in-addr.e-1", "x%%", "a.1-2",
	};
	static const char *const bad[] = {
		"museum", "museum.", "foo-bar", "abc.123", "111.222.33.44", "example.-com",
		"example.com-", "example.com:8080", "example.com/24", "%{d}.", "example..",
	};
	char why[128];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_int_equal(spf_macro_check(good[i], strlen(good[i]), SPF_MACRO_DOMAIN, why,
						 sizeof(why)), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(spf_macro_check(bad[i], strlen(bad[i]), SPF_MACRO_DOMAIN, why,
						 sizeof(why)), -1);
	/* An unknown modifier's value is a macro-string without the domain-end rule. */
	assert_int_equal(spf_macro_check("+", 1, SPF_MACRO_MODIFIER, why, sizeof(why)), 0);
	assert_int_equal(spf_macro_check("%abc", 4, SPF_MACRO_MODIFIER, why, sizeof(why)), -1);
}

static void test_truncation(void **state)
{
	(void)state;
	char name[600];

	mxg_strlcpy(name, "example.com.", sizeof(name));
	spf_domain_truncate(name);
	assert_string_equal(name, "example.com");
	name[0] = '\0';
	for (int i = 0; i < 30; i++)
		mxg_strlcat(name, "label678.", sizeof(name)); /* 270 characters */
	mxg_strlcat(name, "example.com", sizeof(name));
	spf_domain_truncate(name);
	assert_true(strlen(name) <= 253);
	assert_true(strlen(name) > 253 - 9);
	assert_int_equal(strncmp(name, "label678.", 9), 0);
	assert_string_equal(name + strlen(name) - 11, "example.com");
}

static void test_output_bound(void **state)
{
	(void)state;
	struct spf_macro_vars v = vars(&ip4);
	char out[16], why[128];

	assert_int_equal(spf_macro_expand(&v, "%{s}", 4, SPF_MACRO_DOMAIN, out, sizeof(out), why,
					  sizeof(why)), -1);
	assert_int_equal(spf_macro_expand(&v, "%{d1}", 5, SPF_MACRO_DOMAIN, out, sizeof(out), why,
					  sizeof(why)), 3);
	assert_string_equal(out, "com");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc_examples),
		cmocka_unit_test(test_ipv6_nibbles),
		cmocka_unit_test(test_escapes_and_literals),
		cmocka_unit_test(test_delimiters),
		cmocka_unit_test(test_exp_only_letters),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_domain_end),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_output_bound),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}

/* Unit-test helper: a message engine for one message from 198.51.100.7 (HELO helo, MAIL FROM
 * mail_from), judged under policy with DKIM's clock at now, over the in-memory zone. Fails the
 * test on error. Include after cmocka.h. */
#ifndef TEST_MESSAGE_START_H
#define TEST_MESSAGE_START_H

#include <time.h>

#include "mxguard/addr.h"
#include "mxguard/message.h"

static inline struct mxg_message *message_start(struct mxg_resolver *zone,
						const struct mxg_policy *policy, time_t now,
						const char *helo, const char *mail_from)
{
	struct mxg_message_options opt = { 0 };
	struct mxg_addr ip;

	opt.authserv_id = "mx.test";
	opt.dkim.now = now;
	opt.policy = *policy;
	struct mxg_message *msg = mxg_message_new(zone, &opt);
	assert_non_null(msg);
	assert_int_equal(mxg_addr_parse("198.51.100.7", &ip, 1), 0);
	mxg_message_client(msg, &ip);
	mxg_message_helo(msg, helo);
	assert_int_equal(mxg_message_mail_from(msg, mail_from), 0);
	return msg;
}

#endif

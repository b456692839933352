/* RFC 8463 Appendix A, shared by the unit tests: the ed25519 key "brisbane" of
 * football.example.com and the message it signs (relaxed/relaxed, From oversigned). */
#ifndef MXGUARD_TEST_RFC8463_H
#define MXGUARD_TEST_RFC8463_H

static const char brisbane_key[] = "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";
#define SIG_ED                                                                                   \
	"DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;\r\n"                          \
	" d=football.example.com; i=@football.example.com;\r\n"                                  \
	" q=dns/txt; s=brisbane; t=1528637909; h=from : to :\r\n"                                \
	" subject : date : message-id : from : subject : date;\r\n"                              \
	" bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r\n"                                  \
	" b=/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11Bus\r\n"                        \
	" Fa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==\r\n"
#define HEADERS                                                                                  \
	"From: Joe SixPack <joe@football.example.com>\r\n"                                       \
	"To: Suzie Q <suzie@shopping.example.net>\r\n"                                           \
	"Subject: Is dinner ready?\r\n"                                                          \
	"Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)\r\n"                                        \
	"Message-ID: <20030712040037.46341.5F8J@football.example.com>\r\n"
#define BODY "Hi.\r\n\r\nWe lost the game.  Are you hungry yet?\r\n\r\nJoe.\r\n\r\n"

#endif

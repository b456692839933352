/* Made by tests/unit/data/gen_dkim_data.py with dkimpy; do not edit. */
#define DATA_KEY_SPKI "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAvoD8YUCv98/KzwNZZQdBWPUlYkRTlR2AA+oR/64IEnaX0bRycGeKqwGGwphtpdVczwoXR+a3AGSxiTJNYgQf+fJFxYwOvdNjR8aUg3P7w/oNhpKEQ9KBWrddQBtR3Nl6ekOdMlXUDqJPjhU8sUYiSSX3bb16gNlXti0DImyudEsvhbcugdLkCotARi6VAGGNTicraxNGm6z2oyvEBasswdYWj8O0k+p4tQUOA11gFqOUX53fdXwlWua2dUUSq8ngWfO4L8rGLauRWJjCZj1rDtU437qvAbkeiFfvZIDfTXRU49y/AlM3c1M0+5pkWIO5c5Q4+bRZ8BkBlK+H2taHZwIDAQAB"
#define DATA_KEY_PKCS1 "v=DKIM1; k=rsa; p=MIIBCgKCAQEAvoD8YUCv98/KzwNZZQdBWPUlYkRTlR2AA+oR/64IEnaX0bRycGeKqwGGwphtpdVczwoXR+a3AGSxiTJNYgQf+fJFxYwOvdNjR8aUg3P7w/oNhpKEQ9KBWrddQBtR3Nl6ekOdMlXUDqJPjhU8sUYiSSX3bb16gNlXti0DImyudEsvhbcugdLkCotARi6VAGGNTicraxNGm6z2oyvEBasswdYWj8O0k+p4tQUOA11gFqOUX53fdXwlWua2dUUSq8ngWfO4L8rGLauRWJjCZj1rDtU437qvAbkeiFfvZIDfTXRU49y/AlM3c1M0+5pkWIO5c5Q4+bRZ8BkBlK+H2taHZwIDAQAB"
#define DATA_HEADERS \
	"From: Alice <alice@example.net>\r\n" \
	"Sender: Bob <bob@example.net>\r\n" \
	"Reply-To: Carol <carol@example.net>\r\n" \
	"To: Dave <dave@example.org>\r\n" \
	"Cc: Erin <erin@example.org>\r\n" \
	"Bcc: Frank <frank@example.org>\r\n" \
	"Subject: Quarterly numbers\r\n" \
	"Date: Tue, 04 Mar 2025 10:00:00 +0000\r\n" \
	"Message-ID: <q1.2025@example.net>\r\n" \
	"In-Reply-To: <q0.2025@example.net>\r\n" \
	"References: <q0.2025@example.net>\r\n" \
	""
#define DATA_BODY \
	"Numbers attached.\r\n" \
	"\r\n" \
	"Alice\r\n" \
	""
#define DATA_SIG_SPKI \
	"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.net;\r\n" \
	" i=@example.net; q=dns/txt; s=spki; t=1741082400; h=from : sender :\r\n" \
	" reply-to : to : cc : subject : date : message-id : in-reply-to :\r\n" \
	" references; bh=bmvjrEdtuOXMNfeapCfn2HS1BwlpwHv11B1yhObNK40=;\r\n" \
	" b=pgGHxJZymgZaMcBtRc0cUa4fWjghGbWbukw1wOzr0Jug34ooQBzL3KNmTi6GQ7rwULJC0\r\n" \
	" N3PkY1pb5b1xd3ertdxI+a5i4W4TxH8igb4oGr4Qys8ROTw0P/YjNxN7Vri6ejnEx5MrY7t\r\n" \
	" MBeNa87cDjMFBL9DnXwugC9GZHNHf9MZACIrzHkUzfcL6GF5w2raZ0gP2l9Lgp+rjfuaTgY\r\n" \
	" 95VfTwRzVRf2fED8OpX5sXYZvebmMpV5wIqiHejla7zXIdSsSKLQt3ANHG2YPTMVETQx7W3\r\n" \
	" pkBLGJIYMzFXzqQsO0LRr0gI8EljdRfYbGCQSDFn1fI5uH+hZJX+XudxnTSw==\r\n" \
	""
#define DATA_SIG_PKCS1 \
	"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.net;\r\n" \
	" i=@example.net; q=dns/txt; s=pkcs1; t=1741082400; h=from : sender :\r\n" \
	" reply-to : to : cc : subject : date : message-id : in-reply-to :\r\n" \
	" references; bh=bmvjrEdtuOXMNfeapCfn2HS1BwlpwHv11B1yhObNK40=;\r\n" \
	" b=KkqYctajP3bGK5ncuiWDXG05nV3IYhKgJVN92swec+XHRyaSdfKiiznUj/7A24D/DjG5L\r\n" \
	" AYapga6MnSqsGBvGWy6GiQ7gb+cy8mZJHmCGK1909+qUuEPW8IpV5W5vAXFXVGERSP5LRFd\r\n" \
	" 6RSR1b49fCsYLr7Eav7qCXL9Ml8qlCYJPgu3B6kOY1oMcQEq5mPOMqANClsHz8yv/trPdcg\r\n" \
	" pvF77qTFMGU3QLAn1yul9zmFfa2eIqATCnbCtP21IhhgSDxFBi/+EnyDYit0RcAwyaUej+E\r\n" \
	" NSMZjxoZalAPZWa3wKs2s1pZPybH1fvaqWDlwKmQmYlRrWA+9/guYpzYomFg==\r\n" \
	""
#define DATA_SIG_SIMPLE \
	"DKIM-Signature: v=1; a=rsa-sha256; c=simple/simple; d=example.net;\r\n" \
	" i=@example.net; q=dns/txt; s=spki; t=1741082400; h=from : sender :\r\n" \
	" reply-to : to : cc : subject : date : message-id : in-reply-to :\r\n" \
	" references; bh=bmvjrEdtuOXMNfeapCfn2HS1BwlpwHv11B1yhObNK40=;\r\n" \
	" b=VvHDQ0kKoOEa9c21RwETpjGsnJi2dtDN4XweYjPaMQiOz87uMkf6mKlF8hIgOOMf0YzTc\r\n" \
	" Pbztp6QXykTGKsK2gbo5FsB9aMM3Rh2QpMYhp/Grfwl2WT9lxtN9neN77IslF3oQdLoY2XW\r\n" \
	" 0OeU4ieAZAx0LVKcxCyjb5KVvUM1yIrP8vWilI9TIivwW3QuYKhXdQK+hvg9RrUjl/S2G5F\r\n" \
	" o2K7dLszgzcp4uVptU9TqtcGXj/6eIbrV2rNMPZcft/bnl6Vk3arHcZSLdDAkn7uaMWQXHu\r\n" \
	" Aii+INxkK8oC9EYQoudbz86nnQwq82ejUWx3/1TTBkRxAGi2XmnY5saqOpAQ==\r\n" \
	""
#define DATA_SIG_LENGTH \
	"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.net;\r\n" \
	" i=@example.net; l=28; q=dns/txt; s=spki; t=1741082400; h=from : sender\r\n" \
	" : reply-to : to : cc : subject : date : message-id : in-reply-to :\r\n" \
	" references; bh=bmvjrEdtuOXMNfeapCfn2HS1BwlpwHv11B1yhObNK40=;\r\n" \
	" b=ZqZMXw3hytAfwsDigL/+q7fJrdLPhPnNg/GzGMKe7+6jNvcL4oG1UjikfHTiz4nef/k/m\r\n" \
	" hrOy52zZk5nRj5755y3oOSB8DJYwIdSKZglMoV9S7FT9kvbhL0tNewi/H/Tl/5aIobNMiVo\r\n" \
	" C43gH395o05OLXUYQqrQLme9cMl5zoUbRXA/2eMcPCFwP1OvIBB80rEkwyQMEjWWHDQc6rh\r\n" \
	" CeqZSVrYOCknTeu4kic7KZ+4MIeI18kOPtqUI8BCclNxD8mF+NbL6zMKhyoAfFtt+82S2Dt\r\n" \
	" DAZNL0IWRrOIj5MKdkLhJHV3dkxCoQLXqrRXYgEGSP+kfLUCBsH4TjoH83OA==\r\n" \
	""
#define DATA_AR \
	"Authentication-Results: mx.example.net; spf=pass smtp.mailfrom=example.net\r\n" \
	""
#define DATA_ARC \
	"ARC-Seal: i=1; cv=none; a=rsa-sha256; d=example.net; s=spki;\r\n" \
	" t=1741082400;\r\n" \
	" b=NGF+lQ3kVCPUpaBpBC+DmuHZmz7NhCF/N9gLfaIUf372hggY8ouNRVgcVA3SGpxYJSLHK\r\n" \
	" X5FRt++7E6g2RGd+1+RHq1N2JP2LJ+ytGVcMXAiSa9Ee9uyAQtaaZXiLQ5+FHkCOBh3rJyu\r\n" \
	" qNeOMSmH5zeEwXiGkzhfuacAT+NkyLEGgIWb5W+1u9Sv1Fh8wXnVa8gGkuOz/yzxxD7ASxb\r\n" \
	" A4O1Sz7f5qJJMvK9M6OocZhAmOupAJcrmuqI/Gs7vwECqFPOier9qN5roD48NjciRZLdu0H\r\n" \
	" RVtGfDKPkbU1DMs0Izu86CHm/PfWCY3HgEbCeI0cartCprZe9MHB8SH5+Ypg==\r\n" \
	"ARC-Message-Signature: i=1; a=rsa-sha256; c=relaxed/relaxed;\r\n" \
	" d=example.net; s=spki; t=1741082400; h=from : sender : reply-to : to :\r\n" \
	" cc : subject : date : message-id : in-reply-to : references;\r\n" \
	" bh=bmvjrEdtuOXMNfeapCfn2HS1BwlpwHv11B1yhObNK40=;\r\n" \
	" b=rXhcetEwtYLaQEV1DocNb+CKgowEoCxTYq6S7Fl3jl9edik8afjOnbEBQigtw7uuPfyCs\r\n" \
	" YKL0cpSjLqAxRWfdiGsE0AzEVFrCufq8PGyN10kksAzhJ4oZnt6PKcgxuy5sGWRt0w+onNl\r\n" \
	" BSMCJjGjKUK1G2sXfF0kxiO5OP2d32G6Sz9k/P+pISwXbpGu/eM6KzmEpxg6QZPtzV3xq+G\r\n" \
	" FdzRi5kEC7v5nPkxGLNelaQibHvyotN2jbD1vPHwH+AsM2GsrOVEtloQPOPSHUfgEXhgcoi\r\n" \
	" Zcp3ANSXOUr+76o0tOxPD3Jshez7rbdo8zwoLF0wVnakFGDy4gUiE6rXVwgw==\r\n" \
	"ARC-Authentication-Results: i=1; mx.example.net; spf=pass smtp.mailfrom=example.net\r\n" \
	""

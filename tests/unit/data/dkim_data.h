/* Made by tests/unit/data/gen_dkim_data.py with dkimpy; do not edit. */
#define DATA_KEY_SPKI "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAtM4lFDAWsq30FYR/UzvZq21zwSu0b2CfqNot7ivXACggMOwlOBcvq3yJ+tjmHqxoidVKbW/E80Hk9pit35MmFVmEba0p5qewDKJ4lKSEW5h9EZrZS+HLj/GjhqrUpMyY9xleN5FhcubbNyjHxKZjzYr++W5Yunif8ahPBZdsyY875NIyd2Rs0qsvwyJnJvMbjXWEYWN0+z6IyLfAcSQtk8Jsm3Ic/QTCMmEUAa7TlXCkxXl6YgIcK7eqnBSKY6rOS+aGegLd3YmhS7Z7FCtR3YR1oErG/nDPK6LO52xTLNw8b9kyrDicCHgOISBjumMhO8aa5voBGcocE2xI/uldMQIDAQAB"
#define DATA_KEY_PKCS1 "v=DKIM1; k=rsa; p=MIIBCgKCAQEAtM4lFDAWsq30FYR/UzvZq21zwSu0b2CfqNot7ivXACggMOwlOBcvq3yJ+tjmHqxoidVKbW/E80Hk9pit35MmFVmEba0p5qewDKJ4lKSEW5h9EZrZS+HLj/GjhqrUpMyY9xleN5FhcubbNyjHxKZjzYr++W5Yunif8ahPBZdsyY875NIyd2Rs0qsvwyJnJvMbjXWEYWN0+z6IyLfAcSQtk8Jsm3Ic/QTCMmEUAa7TlXCkxXl6YgIcK7eqnBSKY6rOS+aGegLd3YmhS7Z7FCtR3YR1oErG/nDPK6LO52xTLNw8b9kyrDicCHgOISBjumMhO8aa5voBGcocE2xI/uldMQIDAQAB"
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
	" b=M3xU/tfzDcrPL/tZvtEDV7cdPwCahcINFIqmUHIKGk97nDyWcEiugx41wW25Oxj6z0H+f\r\n" \
	" qFxVyYBIiFP1utG+EKq2Dy0MEV9Owco4hNrF0xXus2/c+6+9NCzXaQBx0NXs1krjyg7r/HP\r\n" \
	" C9IazT2j9GivQUvET81XeWlGXeYLyyM+arRn74HTNu/LipaYiKuhfuRhgESMsvnJRVRe3/n\r\n" \
	" Pl7VlUB8loW/uEkGLELMoiHKLXiNYsvnTtMAzgUcu97Vi1jaO6oekdogS6wm0qc7Flx9OdF\r\n" \
	" dZhfbsCgXkuKBaMJeXgHCRMWemg/84VzMQvn3kEB6TpL/S0OhBfe1h4VL42g==\r\n" \
	""
#define DATA_SIG_PKCS1 \
	"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.net;\r\n" \
	" i=@example.net; q=dns/txt; s=pkcs1; t=1741082400; h=from : sender :\r\n" \
	" reply-to : to : cc : subject : date : message-id : in-reply-to :\r\n" \
	" references; bh=bmvjrEdtuOXMNfeapCfn2HS1BwlpwHv11B1yhObNK40=;\r\n" \
	" b=ZNXRK8Egv5WpYWwas0U5AST8u75aSo/mQBFChkozKZgcrT8SyhumKEXp4gXqsQPUSUUNf\r\n" \
	" GrjuI028O+Ge+KL+5UINuO+Do8hs1aeL9iSWy2KTg8Et57tiqnmuyNqO8T6hwFZCknZsik8\r\n" \
	" yv43WF2s++YK8cR6Ml+g8bh9rogxOvyj8/CcOWgczlurP5PWNPIielYtLNlb6r8qSMjBAwQ\r\n" \
	" PZ9vYQm4z5IG6nz5sw8ZXhEpMio9u5dgbIDO7cAd4BAxiv5PINR/dJtV3VdZlyeeTKE4YXN\r\n" \
	" T9yX2M7qGEudCofRUPHfveCN3s8/ZayCq+3rfYq7GxB8MkajU3IChaQRsRpg==\r\n" \
	""
#define DATA_SIG_SIMPLE \
	"DKIM-Signature: v=1; a=rsa-sha256; c=simple/simple; d=example.net;\r\n" \
	" i=@example.net; q=dns/txt; s=spki; t=1741082400; h=from : sender :\r\n" \
	" reply-to : to : cc : subject : date : message-id : in-reply-to :\r\n" \
	" references; bh=bmvjrEdtuOXMNfeapCfn2HS1BwlpwHv11B1yhObNK40=;\r\n" \
	" b=lD82ZGu7WZI8IKNrjvAzNv3UYeZPh05LK72BuuXZ0hIRQ5QJNH/DFlFVoRcw0mO5R4sF1\r\n" \
	" mvZhTzY3+WJPEQDQwgXV/Qm2xyJPN2jB1t+LeQSXmjfXd/CWHg3UgWn/hyQWX0DEeT8wmW+\r\n" \
	" kNnZl36n2l+rZ3ziGsa/bCuIZvYndyl1uhPi+c9fPwDIwK9tpIQaeFx5YKYKwP49CGg8n65\r\n" \
	" d/VETxW63ppVw3gVI7OOnUQlG4F10FBSK4b+F7TdZ4rkMMXWTRekrYSaLvtVuq87Pyht643\r\n" \
	" 5yoDJ4si6IQe8Xxfk23KE2b7ByGsHEGDN+Fj004pEdh72U3st97aVFPEslsQ==\r\n" \
	""
#define DATA_SIG_LENGTH \
	"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.net;\r\n" \
	" i=@example.net; l=28; q=dns/txt; s=spki; t=1741082400; h=from : sender\r\n" \
	" : reply-to : to : cc : subject : date : message-id : in-reply-to :\r\n" \
	" references; bh=bmvjrEdtuOXMNfeapCfn2HS1BwlpwHv11B1yhObNK40=;\r\n" \
	" b=BGmZ1vY9Not7JReMuqGrO5TNbBubustLcU5zaw1Bh2CbAOsJkZNvRdhVLj8me/GlVhEB3\r\n" \
	" r3Sn5fhlE4DEgSJpqToGb5zo1aWrKyhKp2Z1blFYg7u9/gZk2huQ9H1ho0dzXLvGDhzK1wl\r\n" \
	" 0GL5qoUeud2EMWLAg//OWkwXTQC3Eutwt/QyKHYLT10O4HBTsAu3xfHK9CkOyXwm/5cQeCY\r\n" \
	" OfmfhQerjiV8nCb9BgqNN+ADiMiCycGKacBcGogWFFAZ8+Rvy/jdRupE/1PSxy/tPuLqIK8\r\n" \
	" lNAHZv+/ZgCdDFGGiv06QrWd5YnjXEVDaqbueL8glhDcG0+nou08sq2M30TQ==\r\n" \
	""

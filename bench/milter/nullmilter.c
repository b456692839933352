/* The benchmark's no-op milter: it accepts everything and adds one header, so that its cost
 * is the milter protocol's own. "-l" negotiates like mxguard-milter (same steps, no replies);
 * "-d" sets TCP_NODELAY on its TCP socket, as mxguard-milter does (milter/milter_transport.c). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <libmilter/mfapi.h>

#include "milter_transport.h"

static int lean;
static int nodelay;

static sfsistat on_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1, unsigned long f2,
			     unsigned long f3, unsigned long *pf0, unsigned long *pf1,
			     unsigned long *pf2, unsigned long *pf3)
{
	unsigned long want = SMFIP_NORCPT | SMFIP_NODATA | SMFIP_NOUNKNOWN | SMFIP_NR_HELO |
			     SMFIP_NR_MAIL | SMFIP_NR_HDR | SMFIP_NR_EOH | SMFIP_NR_BODY;

	(void)ctx;
	(void)f2;
	(void)f3;
	if (!lean)
		return SMFIS_ALL_OPTS;
	*pf0 = f0 & SMFIF_ADDHDRS;
	*pf1 = f1 & want;
	*pf2 = *pf3 = 0;
	return SMFIS_CONTINUE;
}

static sfsistat step(void)
{
	return lean ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

static sfsistat on_connect(SMFICTX *c, char *h, _SOCK_ADDR *a) { (void)c; (void)h; (void)a; return SMFIS_CONTINUE; }
static sfsistat on_helo(SMFICTX *c, char *h) { (void)c; (void)h; return step(); }
static sfsistat on_mail(SMFICTX *c, char **v) { (void)c; (void)v; return step(); }
static sfsistat on_rcpt(SMFICTX *c, char **v) { (void)c; (void)v; return SMFIS_CONTINUE; }
static sfsistat on_header(SMFICTX *c, char *n, char *v) { (void)c; (void)n; (void)v; return step(); }
static sfsistat on_eoh(SMFICTX *c) { (void)c; return step(); }
static sfsistat on_body(SMFICTX *c, unsigned char *b, size_t l) { (void)c; (void)b; (void)l; return step(); }
static sfsistat on_other(SMFICTX *c) { (void)c; return SMFIS_CONTINUE; }

static sfsistat on_eom(SMFICTX *c)
{
	smfi_insheader(c, 0, "X-Null-Milter", "seen");
	return SMFIS_CONTINUE;
}

static struct smfiDesc desc = {
	"nullmilter", SMFI_VERSION, SMFIF_ADDHDRS, on_connect, on_helo, on_mail, on_rcpt,
	on_header, on_eoh, on_body, on_eom, on_other, on_other, NULL, on_other, on_negotiate,
};

int main(int argc, char **argv)
{
	const char *sock = "inet:9921@127.0.0.1";

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-l") == 0)
			lean = 1;
		else if (strcmp(argv[i], "-d") == 0)
			nodelay = 1;
		else
			sock = argv[i];
	}
	if (smfi_setconn((char *)sock) == MI_FAILURE || smfi_register(desc) == MI_FAILURE) {
		fprintf(stderr, "nullmilter: cannot set up %s\n", sock);
		return 1;
	}
	smfi_setbacklog(128);
	if (nodelay && (smfi_opensocket(1) == MI_FAILURE || milter_transport_nodelay() < 0)) {
		fprintf(stderr, "nullmilter: cannot set TCP_NODELAY on %s\n", sock);
		return 1;
	}
	return smfi_main() == MI_SUCCESS ? 0 : 1;
}

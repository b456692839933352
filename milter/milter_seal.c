/* ARC sealing in mxguard-milter (milter_seal.h): the arc_seal_* settings checked as a whole,
 * the key loaded with them, and the seal of a finished message made from the engine's verifier,
 * Authentication-Results value and chain state, after the verdict. */
#include <stdio.h>
#include <string.h>

#include "milter_seal.h"
#include "mxguard/dkim_sign.h"
#include "mxguard/str.h"

int milter_seal_load(struct milter_sealing *s, char *err, size_t errlen)
{
	char why[300];

	s->key = NULL;
	if (s->mode == MILTER_SEAL_OFF)
		return 0;
	if (s->key_path[0] == '\0' || s->domain[0] == '\0' || s->selector[0] == '\0')
		return mxg_fail(err, errlen, "arc_seal: sealing needs arc_seal_key, arc_seal_domain and "
				"arc_seal_selector");
	s->key = mxg_dkim_signing_key_load(s->key_path, why, sizeof(why));
	if (s->key == NULL)
		return mxg_fail(err, errlen, "arc_seal_key: %s", why);
	return 0;
}

void milter_seal_release(struct milter_sealing *s)
{
	mxg_dkim_signing_key_free(s->key);
	s->key = NULL;
}

int milter_seal_wanted(const struct milter_conn *c, const struct milter_msg *m)
{
	const struct milter_sealing *s = &c->cfg->sealing;

	if (s->mode == MILTER_SEAL_OFF || s->key == NULL || m->skip || m->engine == NULL ||
	    m->res == NULL || m->internal_error || m->res->internal_error || m->res->authres[0] == '\0')
		return 0;
	if (m->verdict.action != MXG_ACTION_ACCEPT && m->verdict.action != MXG_ACTION_QUARANTINE)
		return 0;
	if (s->mode == MILTER_SEAL_INBOUND)
		return c->kind == MILTER_CLIENT_EXTERNAL && m->auth_user[0] == '\0';
	return c->kind != MILTER_CLIENT_TRUSTED;
}

enum mxg_arc_seal_status milter_seal_make(const struct milter_conn *c, const struct milter_msg *m,
					  struct mxg_arc_set *set, char *err, size_t errlen)
{
	const struct milter_sealing *s = &c->cfg->sealing;
	struct mxg_arc_seal_options o = {
		.domain = s->domain, .selector = s->selector, .authserv_id = c->cfg->authserv_id,
		.authres = m->res->authres, .lf = 1,
	};

	return mxg_arc_seal(mxg_message_verifier(m->engine), s->key, &o, set, err, errlen);
}

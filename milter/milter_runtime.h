/* Setting up and tearing down the shared resolver, key cache and PSL of mxguard-milter. */
#ifndef MXGUARD_MILTER_RUNTIME_H
#define MXGUARD_MILTER_RUNTIME_H

#include <stddef.h>

#include "milter.h"

/* Opens the shared pieces from cfg. Returns 0, or -1 with a reason in err. */
int milter_runtime_open(struct milter_runtime *rt, const struct milter_config *cfg, char *err,
			size_t errlen);
/* Frees what milter_runtime_open made. */
void milter_runtime_close(struct milter_runtime *rt);

/* A resolver as configured (forwarders, trust anchor, timeout, answer cache); NULL with the
 * reason in err. The runtime's own, and a short-lived one for checks before start. */
struct mxg_resolver *milter_runtime_resolver(const struct milter_config *cfg, char *err, size_t errlen);

#endif

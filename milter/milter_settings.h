/* The configuration connections run under, swapped whole on reload: each connection keeps the
 * one that was current when it began until it closes (milter_settings.c). */
#ifndef MXGUARD_MILTER_SETTINGS_H
#define MXGUARD_MILTER_SETTINGS_H

#include "milter.h"

/* A configuration read from path over the defaults (path_given 0: a missing file means the
 * defaults), with socket (when not NULL) in place of the configured one. NULL with a reason
 * in err. Free it with milter_settings_discard unless it was installed. */
struct milter_config *milter_settings_read(const char *path, int path_given, const char *socket,
					   char *err, size_t errlen);
void milter_settings_discard(struct milter_config *cfg);
/* Makes cfg the configuration new connections get; the one it replaces is freed once the
 * last connection holding it lets go. NULL drops the current one (at exit). */
void milter_settings_install(struct milter_config *cfg);
/* The current configuration, held until milter_settings_release; NULL before an install. */
const struct milter_config *milter_settings_acquire(void);
void milter_settings_release(const struct milter_config *cfg);

#endif

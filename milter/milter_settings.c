/* Reference-counted holder of the milter's configuration (with its signing keys, read here). A reload installs a new one while
 * connections in progress finish under the one they started with. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "milter_seal.h"
#include "milter_settings.h"
#include "milter_sign.h"
#include "mxguard/str.h"

/* cfg first, so that a config pointer is the holder's pointer. */
struct holder {
	struct milter_config cfg;
	unsigned long refs;
};

static pthread_mutex_t settings_lock = PTHREAD_MUTEX_INITIALIZER;
static struct holder *current;

struct milter_config *milter_settings_read(const char *path, int path_given, const char *socket,
					   char *err, size_t errlen)
{
	struct holder *h = calloc(1, sizeof(*h));

	if (h == NULL) {
		mxg_strlcpy(err, "out of memory", errlen);
		return NULL;
	}
	milter_config_defaults(&h->cfg);
	int absent = !path_given && access(path, F_OK) != 0 && errno == ENOENT;
	if (!absent && milter_config_load(&h->cfg, path, err, errlen) != 0) {
		milter_settings_discard(&h->cfg);
		return NULL;
	}
	/* The sealing key is read here, with the rest: at start as root, on reload before the
	 * new configuration replaces the old one. */
	if (milter_seal_load(&h->cfg.sealing, err, errlen) != 0 ||
	    milter_sign_load(&h->cfg.signing, err, errlen) != 0) {
		milter_settings_discard(&h->cfg);
		return NULL;
	}
	if (socket != NULL &&
	    mxg_strlcpy(h->cfg.socket, socket, sizeof(h->cfg.socket)) >= sizeof(h->cfg.socket)) {
		mxg_strlcpy(err, "-p: socket name too long", errlen);
		milter_settings_discard(&h->cfg);
		return NULL;
	}
	return &h->cfg;
}

void milter_settings_discard(struct milter_config *cfg)
{
	if (cfg == NULL)
		return;
	milter_seal_release(&cfg->sealing);
	milter_config_release(cfg);
	free((struct holder *)cfg);
}

/* Drops one reference; the caller holds settings_lock. Returns the holder to free, or NULL. */
static struct holder *unref_locked(struct holder *h)
{
	return h != NULL && --h->refs == 0 ? h : NULL;
}

void milter_settings_install(struct milter_config *cfg)
{
	struct holder *h = (struct holder *)cfg, *gone;

	pthread_mutex_lock(&settings_lock);
	gone = unref_locked(current);
	current = h;
	if (h != NULL)
		h->refs++;
	pthread_mutex_unlock(&settings_lock);
	if (gone != NULL)
		milter_settings_discard(&gone->cfg);
}

const struct milter_config *milter_settings_acquire(void)
{
	struct holder *h;

	pthread_mutex_lock(&settings_lock);
	h = current;
	if (h != NULL)
		h->refs++;
	pthread_mutex_unlock(&settings_lock);
	return h != NULL ? &h->cfg : NULL;
}

void milter_settings_release(const struct milter_config *cfg)
{
	struct holder *gone;

	if (cfg == NULL)
		return;
	pthread_mutex_lock(&settings_lock);
	gone = unref_locked((struct holder *)cfg);
	pthread_mutex_unlock(&settings_lock);
	if (gone != NULL)
		milter_settings_discard(&gone->cfg);
}

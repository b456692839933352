/* A bound on how long a client waits for the target lookups. Unbound gives modules no timer of
 * their own (callbacks must be on its whitelist), so this arms the mesh's serve-expired timer:
 * when it fires, Unbound answers the waiting clients from its cache (the answer the iterator
 * just stored, unflagged) and the check completes in the background for later answers. */
#include "config.h"

#include "services/mesh.h"
#include "util/module.h"
#include "util/netevent.h"
#include "util/regional.h"

#include "module.h"

int module_deadline_arm(struct module_qstate *qstate, unsigned long ms)
{
	struct mesh_state *m = qstate->mesh_info;
	struct serve_expired_data *d = qstate->serve_expired_data;
	struct timeval tv;

	if (ms == 0 || !m || !qstate->env->worker_base || qstate->no_cache_lookup)
		return 0;
	if (!d) {
		d = regional_alloc_zero(qstate->region, sizeof(*d));
		if (!d)
			return 0;
		qstate->serve_expired_data = d;
	}
	if (!d->get_cached_answer)
		d->get_cached_answer = &mesh_serve_expired_lookup;
	if (d->timer)
		return 1; /* serve-expired-client-timeout already bounds this query */
	d->timer = comm_timer_create(qstate->env->worker_base, mesh_serve_expired_callback, m);
	if (!d->timer)
		return 0;
	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)((ms % 1000) * 1000);
	comm_timer_set(d->timer, &tv);
	return 1;
}

int module_deadline_clients(const struct module_qstate *qstate)
{
	const struct mesh_state *m = qstate->mesh_info;

	return m && (m->reply_list || m->cb_list);
}

/* SPDX-License-Identifier: MIT */
/*
 * kvpd_ip.c - GET_IP_INFO and SET_IP_INFO: the message was validated by kvpd_msg (NUL
 * terminators and UTF-8 of every string field); the work is lib/ipcfg's.  The result of a
 * SET goes into pool 1 under IPCFG_RESULT_KEY so the host can read why it failed.
 */
#include "kvpd.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ipcfg.h"
#include "log.h"

int kvpd_ip_init(struct kvpd *d, const struct conf *c, const char *root, char *err, size_t err_size)
{
	struct ipcfg_opts *o;
	int r;

	o = calloc(1, sizeof(*o));
	if (!o)
		return -ENOMEM;
	ipcfg_opts_init(o);
	if (c) {
		r = ipcfg_opts_from_conf(o, c, err, err_size);
		if (r < 0) {
			free(o);
			return r;
		}
	}
	if (root)
		o->root = root;
	d->ip = o;
	return 0;
}

void kvpd_ip_release(struct kvpd *d)
{
	free(d->ip);
	d->ip = NULL;
}

uint32_t kvpd_ip_get(struct kvpd *d, struct hv_kvp_msg *m)
{
	int r;

	if (!d->ip)
		return HV_E_FAIL;
	r = ipcfg_get(d->ip, &m->body.kvp_ip_val);
	if (r < 0)
		log_debug("GET_IP_INFO for '%s': %s", (const char *)m->body.kvp_ip_val.adapter_id,
			  strerror(-r));
	return ipcfg_status(IPCFG_OP_GET, r);
}

uint32_t kvpd_ip_set(struct kvpd *d, struct hv_kvp_msg *m)
{
	char why[IPCFG_WHY_MAX] = "";
	int r, w;

	if (!d->ip)
		return HV_E_FAIL;
	r = ipcfg_set(d->ip, &m->body.kvp_ip_val, why, sizeof(why));
	if (r < 0)
		log_warn("SET_IP_INFO from the host failed: %s", why);
	else
		log_info("SET_IP_INFO from the host: %s", why);
	w = kvpool_set(d->pools, KVP_POOL_GUEST, IPCFG_RESULT_KEY, why[0] ? why : "unknown");
	if (w < 0)
		log_warn_errno(w, "cannot record the IP injection result in pool 1, continuing");
	return ipcfg_status(IPCFG_OP_SET, r);
}

/* SPDX-License-Identifier: MIT */
/*
 * kvpd.c - hv-kvpd's request processing and device connection.  Each request from the
 * kernel is validated by kvpd_msg, carried out on the pools (lib/kvpool: written, and by
 * default synced, before we reply) or the auto pool, and answered with one whole
 * struct hv_kvp_msg.
 */
#include "kvpd.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "hvdev.h"
#include "log.h"
#include "notify.h"

int kvpd_init(struct kvpd *d, const struct kvpd_opts *o)
{
	int r;

	memset(d, 0, sizeof(*d));
	d->opts = *o;
	d->dev_fd = -1;
	d->warn_rl = (struct ratelimit)RATELIMIT_INIT(5000, 10);
	d->reconnect_rl =
		(struct ratelimit)RATELIMIT_INIT(KVPD_RECONNECT_INTERVAL_MS, KVPD_RECONNECT_BURST);

	r = kvpd_auto_init(&d->autop, o->root);
	if (r < 0)
		return log_err_errno(r, "root folder '%s' is too long", o->root);
	r = kvpool_open(o->state_dir, o->fsync ? 0 : KVPOOL_NOSYNC, &d->pools);
	if (r < 0)
		return log_err_errno(r, "cannot open the pools in '%s'", o->state_dir);
	return 0;
}

void kvpd_release(struct kvpd *d)
{
	kvpd_disconnect(d);
	kvpd_ip_release(d);
	d->pools = kvpool_close(d->pools);
}

/* A host-caused problem: warn, but not more often than the rate limit allows. */
static void host_warn(struct kvpd *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void host_warn(struct kvpd *d, const char *fmt, ...)
{
	char text[768];
	va_list ap;

	d->rejected++;
	if (!ratelimit_ok(&d->warn_rl))
		return;
	if (d->warn_rl.suppressed > 0) {
		log_warn("%lu similar warnings suppressed", d->warn_rl.suppressed);
		d->warn_rl.suppressed = 0;
	}
	va_start(ap, fmt);
	(void)vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	log_warn("%s", text);
}

static uint32_t status_of(int r)
{
	switch (r) {
	case 0:
		return HV_S_OK;
	case -ENOENT:
		return HV_S_CONT;
	case -ENOSPC:
	case -EDQUOT:
		return HV_ERROR_DISK_FULL;
	default:
		return HV_E_FAIL;
	}
}

static uint32_t do_get(struct kvpd *d, struct hv_kvp_msg *m, const struct kvpd_req *q)
{
	const char *value;
	int r;

	r = kvpool_get(d->pools, q->pool, q->key, &value);
	if (r < 0) {
		if (r != -ENOENT)
			log_err_errno(r, "cannot read pool %u", q->pool);
		return status_of(r);
	}
	kvpd_reply_value(m, value, strlen(value));
	return HV_S_OK;
}

static uint32_t do_set(struct kvpd *d, const struct kvpd_req *q)
{
	int r;

	r = kvpool_set(d->pools, q->pool, q->key, q->value);
	if (r < 0) {
		if (r == -ENOSPC)
			host_warn(d, "pool %u is full, refusing to add '%s', continuing", q->pool,
				  q->key);
		else
			log_err_errno(r, "cannot write pool %u", q->pool);
		return r == -ENOENT ? HV_E_FAIL : status_of(r);
	}
	return HV_S_OK;
}

static uint32_t do_delete(struct kvpd *d, const struct kvpd_req *q)
{
	int r;

	r = kvpool_delete(d->pools, q->pool, q->key);
	if (r < 0 && r != -ENOENT)
		log_err_errno(r, "cannot write pool %u", q->pool);
	return status_of(r);
}

static uint32_t do_enumerate(struct kvpd *d, struct hv_kvp_msg *m, const struct kvpd_req *q)
{
	struct kvpool_record rec;
	int r;

	if (q->pool == KVP_POOL_AUTO) {
		char value[KVPD_VALUE_MAX];
		const char *key = kvpd_auto_key(q->index);

		if (!key)
			return HV_S_CONT;
		r = kvpd_auto_value(&d->autop, q->index, value, sizeof(value));
		if (r < 0)
			return HV_S_CONT;
		kvpd_reply_pair(m, key, strlen(key), value, (size_t)r);
		return HV_S_OK;
	}

	r = kvpool_record_at(d->pools, q->pool, q->index, &rec);
	if (r < 0) {
		if (r != -ENOENT)
			log_err_errno(r, "cannot read pool %u", q->pool);
		return status_of(r);
	}
	kvpd_reply_pair(m, rec.key, strlen(rec.key), rec.value, strlen(rec.value));
	return HV_S_OK;
}

uint32_t kvpd_process(struct kvpd *d, struct hv_kvp_msg *m, size_t len)
{
	struct kvpd_req q;
	const char *why = "?";
	const char *name;
	char opbuf[16];
	uint32_t status;
	int r;

	d->requests++;
	r = kvpd_msg_check(m, len, &q, &why);
	if (r < 0) {
		name = kvpd_op_name(m->kvp_hdr.operation);
		if (!name) {
			(void)snprintf(opbuf, sizeof(opbuf), "op %u", m->kvp_hdr.operation);
			name = opbuf;
		}
		host_warn(d, "rejecting %s request from the host: %s, continuing", name, why);
		status = r == -EOPNOTSUPP ? HV_ERROR_NOT_SUPPORTED : HV_INVALIDARG;
		kvpd_reply_error(m, status);
		return status;
	}

	switch (q.op) {
	case KVP_OP_GET:
		status = do_get(d, m, &q);
		break;
	case KVP_OP_SET:
		status = do_set(d, &q);
		break;
	case KVP_OP_DELETE:
		status = do_delete(d, &q);
		break;
	case KVP_OP_ENUMERATE:
		status = do_enumerate(d, m, &q);
		break;
	case KVP_OP_GET_IP_INFO:
		status = kvpd_ip_get(d, m);
		break;
	case KVP_OP_SET_IP_INFO:
		status = kvpd_ip_set(d, m);
		break;
	default:
		status = HV_ERROR_NOT_SUPPORTED; /* kvpd_msg_check refuses these already */
		break;
	}
	log_debug("%s pool %u: status 0x%08x", kvpd_op_name(q.op), q.pool, status);
	kvpd_reply_error(m, status);
	return status;
}

int kvpd_connect(struct kvpd *d)
{
	struct hv_kvp_msg *m = &d->buf.msg;
	ssize_t n;
	int fd;

	if (d->opts.device_fd >= 0) {
		if (d->ever_registered)
			return -ENOTCONN; /* an inherited descriptor cannot be reopened */
		fd = d->opts.device_fd;
	} else {
		fd = hvdev_open(d->opts.device);
		if (fd < 0)
			return fd;
	}
	d->dev_fd = fd;
	d->registered = false;

	/* A fully zeroed message: the reference sends uninitialised stack bytes (11.1 #11). */
	memset(m, 0, KVPD_MSG_SIZE);
	m->kvp_hdr.operation = KVPD_OP_REGISTER1;
	n = write(fd, m, KVPD_MSG_SIZE);
	if (n != (ssize_t)KVPD_MSG_SIZE) {
		int r = n < 0 ? -errno : -EIO;

		kvpd_disconnect(d);
		return r;
	}
	return 0;
}

void kvpd_disconnect(struct kvpd *d)
{
	if (d->dev_fd >= 0)
		(void)close(d->dev_fd);
	d->dev_fd = -1;
	d->registered = false;
}

static void registered(struct kvpd *d, const struct hv_kvp_msg *m, size_t len)
{
	const char *version = NULL;
	const char *why = "?";

	if (len != KVPD_MSG_SIZE || kvpd_msg_check_register(m, &version, &why) < 0) {
		log_warn("odd registration reply from the kernel (%s), keeping version '%s'",
			 len != KVPD_MSG_SIZE ? "wrong size" : why, d->autop.version);
	} else {
		kvpd_auto_set_version(&d->autop, version);
	}
	d->registered = true;
	d->registrations++;
	if (!d->ever_registered) {
		log_info("registered with the kernel, KVP LIC Version: %s", d->autop.version);
		if (d->opts.notify)
			(void)notify_send("READY=1\nSTATUS=serving the host");
	} else {
		log_info("registered again with the kernel (registration %lu)", d->registrations);
	}
	d->ever_registered = true;
}

int kvpd_handle_device(struct kvpd *d)
{
	struct hv_kvp_msg *m = &d->buf.msg;
	ssize_t n;

	n = read(d->dev_fd, d->buf.bytes, sizeof(d->buf.bytes));
	if (n < 0) {
		if (errno == EINTR || errno == EAGAIN)
			return 0;
		return -errno;
	}
	if (n == 0)
		return -ECONNRESET; /* socket transports: the host side closed */

	if (!d->registered && (size_t)n >= sizeof(m->kvp_hdr) &&
	    m->kvp_hdr.operation == KVPD_OP_REGISTER1) {
		registered(d, m, (size_t)n);
		return 0;
	}

	if ((size_t)n < KVPD_MSG_SIZE)
		memset(d->buf.bytes + n, 0, KVPD_MSG_SIZE - (size_t)n);
	(void)kvpd_process(d, m, (size_t)n);

	n = write(d->dev_fd, m, KVPD_MSG_SIZE);
	if (n != (ssize_t)KVPD_MSG_SIZE)
		return n < 0 ? -errno : -EIO;
	return 0;
}

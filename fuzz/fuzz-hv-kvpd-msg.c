/* SPDX-License-Identifier: MIT */
/*
 * fuzz-hv-kvpd-msg.c - hv-kvpd's message validators on arbitrary bytes from the host side.
 * Inputs shorter than a message are also tried zero-padded to the full size (so short seeds
 * reach every checker).  Whatever passes must hold what the dispatcher relies on: the
 * strings are NUL-terminated inside their fields, valid UTF-8, their lengths agree with the
 * size fields, and the pool is in range.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kvpd_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_str(const char *s, const void *field, size_t field_size)
{
	const char *f = field;

	if (s != f)
		abort();
	if (strnlen(s, field_size) >= field_size)
		abort();
	if (!kvpd_utf8_valid(s, strlen(s)))
		abort();
}

static void check_passed(const struct hv_kvp_msg *m, const struct kvpd_req *q)
{
	switch (q->op) {
	case KVP_OP_GET:
	case KVP_OP_SET:
	case KVP_OP_DELETE:
		if (q->pool >= KVPD_POOL_COUNT)
			abort();
		if (q->op == KVP_OP_DELETE)
			check_str(q->key, m->body.kvp_delete.key, KVPD_KEY_MAX);
		else
			check_str(q->key, m->body.kvp_set.data.key, KVPD_KEY_MAX);
		if (q->key_len == 0 || q->key_len != strlen(q->key))
			abort();
		if (q->op == KVP_OP_SET) {
			check_str(q->value, m->body.kvp_set.data.value, KVPD_VALUE_MAX);
			if (q->value_len != strlen(q->value) ||
			    q->value_len + 1 != m->body.kvp_set.data.value_size)
				abort();
		}
		break;
	case KVP_OP_ENUMERATE:
		if (q->pool >= KVPD_POOL_COUNT)
			abort();
		break;
	case KVP_OP_GET_IP_INFO:
	case KVP_OP_SET_IP_INFO:
		check_str(q->adapter_id, m->body.kvp_ip_val.adapter_id, KVPD_IP_ADAPTER_MAX);
		if (q->op == KVP_OP_SET_IP_INFO) {
			check_str(q->ip_addr, m->body.kvp_ip_val.ip_addr, KVPD_IP_ADDR_MAX);
			check_str(q->sub_net, m->body.kvp_ip_val.sub_net, KVPD_IP_ADDR_MAX);
			check_str(q->gate_way, m->body.kvp_ip_val.gate_way, KVPD_IP_GW_MAX);
			check_str(q->dns_addr, m->body.kvp_ip_val.dns_addr, KVPD_IP_ADDR_MAX);
		}
		break;
	default:
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static union {
		struct hv_kvp_msg m;
		uint8_t b[KVPD_MSG_SIZE + 16];
	} buf;
	struct kvpd_req q;
	const char *why, *version;

	if (size > sizeof(buf.b))
		size = sizeof(buf.b);
	memset(buf.b, 0, sizeof(buf.b));
	memcpy(buf.b, data, size);

	if (kvpd_msg_check(buf.b, size, &q, &why) == 0) {
		if (size != KVPD_MSG_SIZE)
			abort();
		check_passed(&buf.m, &q);
	}
	if (kvpd_msg_check(buf.b, KVPD_MSG_SIZE, &q, &why) == 0)
		check_passed(&buf.m, &q);
	if (kvpd_msg_check_register(&buf.m, &version, &why) == 0)
		check_str(version, buf.m.body.kvp_register.version, KVPD_KEY_MAX);

	/* The reply helpers never write outside the message. */
	kvpd_reply_value(&buf.m, (const char *)data, size);
	kvpd_reply_pair(&buf.m, (const char *)data, size, (const char *)data, size);
	return 0;
}

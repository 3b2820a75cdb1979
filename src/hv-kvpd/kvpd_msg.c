/* SPDX-License-Identifier: MIT */
/*
 * kvpd_msg.c - validation of the KVP messages the kernel hands to hv-kvpd, and reply
 * helpers.  The reference daemon trusts every size field and the pool number (PROTOCOL 11.1
 * item 10); here each operation has exactly one checker, and a message reaches the pools only
 * after it passed.
 */
#include "kvpd_msg.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "utf16.h"

bool kvpd_utf8_valid(const char *s, size_t len)
{
	/* The host's strings are C strings: an embedded NUL is as wrong as a bad sequence. */
	return !memchr(s, '\0', len) && utf8_validate(s, len) == 0;
}

ssize_t kvpd_field_check(const uint8_t *field, size_t size)
{
	size_t len = strnlen((const char *)field, size);

	if (len == size)
		return -EBADMSG;
	if (!kvpd_utf8_valid((const char *)field, len))
		return -EILSEQ;
	return (ssize_t)len;
}

static int check_pool(const struct hv_kvp_msg *m, struct kvpd_req *ret, const char **why)
{
	if (m->kvp_hdr.pool >= KVPD_POOL_COUNT) {
		*why = "pool number out of range";
		return -EINVAL;
	}
	ret->op = m->kvp_hdr.operation;
	ret->pool = m->kvp_hdr.pool;
	return 0;
}

/*
 * A key field with its size: the size counts the NUL (PROTOCOL 5.1), so it must be exactly
 * strlen + 1, at least 2 (an empty key names nothing) and at most the field.
 */
static int check_key(const uint8_t *key, uint32_t key_size, struct kvpd_req *ret, const char **why)
{
	size_t n;

	if (key_size > KVPD_KEY_MAX) {
		*why = "key_size larger than the key field";
		return -EMSGSIZE;
	}
	if (key_size < 2) {
		*why = "empty key";
		return -EINVAL;
	}
	n = strnlen((const char *)key, KVPD_KEY_MAX);
	if (n == KVPD_KEY_MAX) {
		*why = "key not NUL-terminated";
		return -EBADMSG;
	}
	if (n + 1 != key_size) {
		*why = "key_size does not match the key";
		return -EBADMSG;
	}
	if (!kvpd_utf8_valid((const char *)key, n)) {
		*why = "key is not valid UTF-8";
		return -EILSEQ;
	}
	ret->key = (const char *)key;
	ret->key_len = n;
	return 0;
}

int kvpd_msg_check_get(const struct hv_kvp_msg *m, struct kvpd_req *ret, const char **why)
{
	const struct hv_kvp_exchg_msg_value *d = &m->body.kvp_get.data;
	struct kvpd_req req = { 0 };
	int r;

	r = check_pool(m, &req, why);
	if (r < 0)
		return r;
	/* The kernel leaves value_size at 0 for GET; anything within the field is tolerated. */
	if (d->value_size > KVPD_VALUE_MAX) {
		*why = "value_size larger than the value field";
		return -EMSGSIZE;
	}
	r = check_key(d->key, d->key_size, &req, why);
	if (r < 0)
		return r;
	*ret = req;
	return 0;
}

int kvpd_msg_check_set(const struct hv_kvp_msg *m, struct kvpd_req *ret, const char **why)
{
	const struct hv_kvp_exchg_msg_value *d = &m->body.kvp_set.data;
	struct kvpd_req req = { 0 };
	ssize_t n;
	int r;

	r = check_pool(m, &req, why);
	if (r < 0)
		return r;
	r = check_key(d->key, d->key_size, &req, why);
	if (r < 0)
		return r;
	if (d->value_size > KVPD_VALUE_MAX) {
		*why = "value_size larger than the value field";
		return -EMSGSIZE;
	}
	if (d->value_size < 1) {
		*why = "value_size is 0";
		return -EINVAL;
	}
	n = kvpd_field_check(d->value, KVPD_VALUE_MAX);
	if (n == -EBADMSG) {
		*why = "value not NUL-terminated";
		return -EBADMSG;
	}
	if (n == -EILSEQ) {
		*why = "value is not valid UTF-8";
		return -EILSEQ;
	}
	if ((size_t)n + 1 != d->value_size) {
		*why = "value_size does not match the value";
		return -EBADMSG;
	}
	req.value = (const char *)d->value;
	req.value_len = (size_t)n;
	*ret = req;
	return 0;
}

int kvpd_msg_check_delete(const struct hv_kvp_msg *m, struct kvpd_req *ret, const char **why)
{
	struct kvpd_req req = { 0 };
	int r;

	r = check_pool(m, &req, why);
	if (r < 0)
		return r;
	r = check_key(m->body.kvp_delete.key, m->body.kvp_delete.key_size, &req, why);
	if (r < 0)
		return r;
	*ret = req;
	return 0;
}

int kvpd_msg_check_enumerate(const struct hv_kvp_msg *m, struct kvpd_req *ret, const char **why)
{
	struct kvpd_req req = { 0 };
	int r;

	r = check_pool(m, &req, why);
	if (r < 0)
		return r;
	req.index = m->body.kvp_enum_data.index;
	*ret = req;
	return 0;
}

struct ip_field {
	const char *name;
	size_t offset;
	size_t size;
};

static int check_ip_field(const struct hv_kvp_msg *m, const struct ip_field *f,
			  const char **ret_str, const char **why)
{
	const uint8_t *p = (const uint8_t *)&m->body.kvp_ip_val + f->offset;
	ssize_t n = kvpd_field_check(p, f->size);

	if (n == -EBADMSG) {
		*why = f->name;
		return -EBADMSG;
	}
	if (n < 0) {
		*why = f->name;
		return (int)n;
	}
	*ret_str = (const char *)p;
	return 0;
}

#define IPF(field, what)                                                                           \
	{                                                                                          \
		what, offsetof(struct hv_kvp_ipaddr_value, field),                                 \
			sizeof(((struct hv_kvp_ipaddr_value *)0)->field)                           \
	}

static const struct ip_field ip_adapter = IPF(adapter_id, "bad adapter_id (no NUL or not UTF-8)");
static const struct ip_field ip_fields[] = {
	IPF(ip_addr, "bad ip_addr (no NUL or not UTF-8)"),
	IPF(sub_net, "bad sub_net (no NUL or not UTF-8)"),
	IPF(gate_way, "bad gate_way (no NUL or not UTF-8)"),
	IPF(dns_addr, "bad dns_addr (no NUL or not UTF-8)"),
};

int kvpd_msg_check_get_ip_info(const struct hv_kvp_msg *m, struct kvpd_req *ret, const char **why)
{
	struct kvpd_req req = { 0 };
	int r;

	req.op = m->kvp_hdr.operation;
	req.pool = m->kvp_hdr.pool; /* not used by the IP operations */
	r = check_ip_field(m, &ip_adapter, &req.adapter_id, why);
	if (r < 0)
		return r;
	if (req.adapter_id[0] == '\0') {
		*why = "empty adapter_id";
		return -EINVAL;
	}
	req.addr_family = m->body.kvp_ip_val.addr_family;
	if (req.addr_family > (ADDR_FAMILY_IPV4 | ADDR_FAMILY_IPV6)) {
		*why = "unknown addr_family";
		return -EINVAL;
	}
	*ret = req;
	return 0;
}

int kvpd_msg_check_set_ip_info(const struct hv_kvp_msg *m, struct kvpd_req *ret, const char **why)
{
	const char **dst[ARRAY_SIZE(ip_fields)];
	struct kvpd_req req = { 0 };
	int r;

	r = kvpd_msg_check_get_ip_info(m, &req, why);
	if (r < 0)
		return r;
	if (m->body.kvp_ip_val.dhcp_enabled > 1) {
		*why = "dhcp_enabled is neither 0 nor 1";
		return -EINVAL;
	}
	req.dhcp_enabled = m->body.kvp_ip_val.dhcp_enabled;
	dst[0] = &req.ip_addr;
	dst[1] = &req.sub_net;
	dst[2] = &req.gate_way;
	dst[3] = &req.dns_addr;
	for (size_t i = 0; i < ARRAY_SIZE(ip_fields); i++) {
		r = check_ip_field(m, &ip_fields[i], dst[i], why);
		if (r < 0)
			return r;
	}
	*ret = req;
	return 0;
}

int kvpd_msg_check_register(const struct hv_kvp_msg *m, const char **ret_version, const char **why)
{
	ssize_t n;

	if (m->kvp_hdr.operation != KVPD_OP_REGISTER1) {
		*why = "not a registration reply";
		return -EPROTO;
	}
	n = kvpd_field_check(m->body.kvp_register.version, sizeof(m->body.kvp_register.version));
	if (n < 0) {
		*why = "version string not NUL-terminated UTF-8";
		return (int)n;
	}
	*ret_version = (const char *)m->body.kvp_register.version;
	return 0;
}

int kvpd_msg_check(const void *buf, size_t len, struct kvpd_req *ret, const char **why)
{
	const struct hv_kvp_msg *m = buf;

	if (len != KVPD_MSG_SIZE) {
		*why = "message size is not sizeof(struct hv_kvp_msg)";
		return -EMSGSIZE;
	}
	switch (m->kvp_hdr.operation) {
	case KVP_OP_GET:
		return kvpd_msg_check_get(m, ret, why);
	case KVP_OP_SET:
		return kvpd_msg_check_set(m, ret, why);
	case KVP_OP_DELETE:
		return kvpd_msg_check_delete(m, ret, why);
	case KVP_OP_ENUMERATE:
		return kvpd_msg_check_enumerate(m, ret, why);
	case KVP_OP_GET_IP_INFO:
		return kvpd_msg_check_get_ip_info(m, ret, why);
	case KVP_OP_SET_IP_INFO:
		return kvpd_msg_check_set_ip_info(m, ret, why);
	default:
		*why = "unknown operation";
		return -EOPNOTSUPP;
	}
}

const char *kvpd_op_name(unsigned int op)
{
	static const char *const names[] = {
		[KVP_OP_GET] = "GET",
		[KVP_OP_SET] = "SET",
		[KVP_OP_DELETE] = "DELETE",
		[KVP_OP_ENUMERATE] = "ENUMERATE",
		[KVP_OP_GET_IP_INFO] = "GET_IP_INFO",
		[KVP_OP_SET_IP_INFO] = "SET_IP_INFO",
	};

	if (op == KVPD_OP_REGISTER1)
		return "REGISTER1";
	return op < ARRAY_SIZE(names) ? names[op] : NULL;
}

void kvpd_reply_error(struct hv_kvp_msg *m, uint32_t status)
{
	m->error = (int)status;
}

static void put_field(uint8_t *field, size_t size, const char *s, size_t len)
{
	if (len > size - 1)
		len = size - 1;
	memcpy(field, s, len);
	memset(field + len, 0, size - len);
}

void kvpd_reply_value(struct hv_kvp_msg *m, const char *value, size_t len)
{
	struct hv_kvp_exchg_msg_value *d = &m->body.kvp_enum_data.data;

	put_field(d->value, sizeof(d->value), value, len);
	memset(m->body.kvp_get.data.value, 0,
	       offsetof(struct hv_kvp_msg_enumerate, data.value) -
		       offsetof(struct hv_kvp_msg_get, data.value));
	/* The GET layout's value_size, for readers that look there; the kernel does not. */
	m->body.kvp_get.data.value_size = (uint32_t)MIN(len, sizeof(d->value) - 1) + 1;
}

void kvpd_reply_pair(struct hv_kvp_msg *m, const char *key, size_t key_len, const char *value,
		     size_t value_len)
{
	struct hv_kvp_exchg_msg_value *d = &m->body.kvp_enum_data.data;

	put_field(d->key, sizeof(d->key), key, key_len);
	put_field(d->value, sizeof(d->value), value, value_len);
	d->key_size = (uint32_t)MIN(key_len, sizeof(d->key) - 1) + 1;
	d->value_size = (uint32_t)MIN(value_len, sizeof(d->value) - 1) + 1;
	d->value_type = REG_SZ;
}

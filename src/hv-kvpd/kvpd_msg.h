/* SPDX-License-Identifier: MIT */
/*
 * kvpd_msg.h - the messages hv-kvpd exchanges with the kernel's KVP driver: one validation
 * function per message type, and the helpers that fill in a reply.
 *
 * Every message read from the device is a whole struct hv_kvp_msg (7432 bytes).  The kernel
 * has already converted the host's UTF-16 into NUL-terminated UTF-8 and set key_size and
 * value_size to "bytes + 1" (PROTOCOL 5.1).  Nothing here trusts that: each kvpd_msg_check_*
 * function checks the sizes, the terminator, the pool number and the UTF-8 of the fields its
 * operation uses, and on success describes the request in a struct kvpd_req whose pointers
 * point into the message.  On failure it returns a negative errno and a static reason string
 * for the log.  Nothing in this module logs or allocates.
 */
#ifndef KVPD_MSG_H
#define KVPD_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/hyperv.h>

#include "util.h"

#define KVPD_MSG_SIZE     sizeof(struct hv_kvp_msg)      /* 7432 on Linux */
#define KVPD_KEY_MAX      HV_KVP_EXCHANGE_MAX_KEY_SIZE   /* bytes, NUL included */
#define KVPD_VALUE_MAX    HV_KVP_EXCHANGE_MAX_VALUE_SIZE /* bytes, NUL included */
#define KVPD_POOL_COUNT   5
#define KVPD_OP_REGISTER1 100

_Static_assert(sizeof(struct hv_kvp_msg) == 7432, "struct hv_kvp_msg is 7432 bytes on Linux");

/* Sizes of the string fields of struct hv_kvp_ipaddr_value, in bytes of storage. */
#define KVPD_IP_ADAPTER_MAX (MAX_ADAPTER_ID_SIZE * 2)
#define KVPD_IP_ADDR_MAX    (MAX_IP_ADDR_SIZE * 2)
#define KVPD_IP_GW_MAX      (MAX_GATEWAY_SIZE * 2)

/* A request that passed validation.  Pointers point into the message. */
struct kvpd_req {
	uint8_t op;
	uint8_t pool;
	const char *key; /* GET, SET, DELETE: NUL-terminated, key_len bytes before the NUL */
	size_t key_len;
	const char *value; /* SET */
	size_t value_len;
	uint32_t index; /* ENUMERATE */
	/* GET_IP_INFO, SET_IP_INFO: each NUL-terminated UTF-8 */
	const char *adapter_id;
	uint8_t addr_family;
	uint8_t dhcp_enabled;
	const char *ip_addr; /* SET_IP_INFO only, like the three below */
	const char *sub_net;
	const char *gate_way;
	const char *dns_addr;
};

/*
 * Is [s, s + len) valid UTF-8 (shortest form, no surrogates, at most U+10FFFF, no NUL)?
 */
bool kvpd_utf8_valid(const char *s, size_t len);

/*
 * Check a field of 'size' bytes that must hold a NUL-terminated UTF-8 string.  Returns the
 * string length, -EBADMSG when there is no NUL, -EILSEQ for bad UTF-8.
 */
ssize_t kvpd_field_check(const uint8_t *field, size_t size);

/* The validators, one per message type.  'why' is set on failure. */
int kvpd_msg_check_get(const struct hv_kvp_msg *m, struct kvpd_req *ret, const char **why);
int kvpd_msg_check_set(const struct hv_kvp_msg *m, struct kvpd_req *ret, const char **why);
int kvpd_msg_check_delete(const struct hv_kvp_msg *m, struct kvpd_req *ret, const char **why);
int kvpd_msg_check_enumerate(const struct hv_kvp_msg *m, struct kvpd_req *ret, const char **why);
int kvpd_msg_check_get_ip_info(const struct hv_kvp_msg *m, struct kvpd_req *ret, const char **why);
int kvpd_msg_check_set_ip_info(const struct hv_kvp_msg *m, struct kvpd_req *ret, const char **why);
/* The registration reply: operation REGISTER1 and a version string. */
int kvpd_msg_check_register(const struct hv_kvp_msg *m, const char **ret_version, const char **why);

/*
 * Check a message of 'len' bytes read from the device: the exact size, then the validator
 * of its operation.  -EMSGSIZE for a wrong size, -EOPNOTSUPP for an unknown operation,
 * otherwise what the validator returns.
 */
int kvpd_msg_check(const void *buf, size_t len, struct kvpd_req *ret, const char **why);

/* The name of an operation for logs ("GET", ..., "op 42" is not returned: NULL if unknown). */
const char *kvpd_op_name(unsigned int op);

/*
 * Reply helpers.  They write into the message in place, which is then written back whole.
 * kvpd_reply_error() sets the error word (bytes 0..3, shared with operation and pool).
 * kvpd_reply_value() places a GET answer where the kernel reads it: the kernel converts the
 * value at the ENUMERATE offset (532), not the GET one (528), see PROTOCOL 11.1 item 6.
 * kvpd_reply_pair() fills an ENUMERATE answer.  Both zero the rest of each field.
 */
void kvpd_reply_error(struct hv_kvp_msg *m, uint32_t status);
void kvpd_reply_value(struct hv_kvp_msg *m, const char *value, size_t len);
void kvpd_reply_pair(struct hv_kvp_msg *m, const char *key, size_t key_len, const char *value,
		     size_t value_len);

#endif /* KVPD_MSG_H */

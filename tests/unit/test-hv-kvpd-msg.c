/* SPDX-License-Identifier: MIT */
/*
 * test-hv-kvpd-msg.c - the message validators of hv-kvpd: every malformed case the kernel
 * could pass on (or a buggy/malicious peer could write) is refused with the right errno, and
 * the well-formed messages of every operation pass with the right fields.  Also the UTF-8
 * checker and the reply helpers (GET's value goes where the kernel reads it).
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "kvpd_msg.h"
#include "tap.h"

static struct hv_kvp_msg msg;

static void put_str(uint8_t *field, size_t size, const char *s)
{
	memset(field, 0, size);
	memcpy(field, s, MIN(strlen(s), size));
}

/* A well-formed request of 'op' for pool 1, as the kernel builds it. */
static void base(uint8_t op)
{
	memset(&msg, 0, sizeof(msg));
	msg.kvp_hdr.operation = op;
	msg.kvp_hdr.pool = 1;
	switch (op) {
	case KVP_OP_GET:
	case KVP_OP_SET:
		put_str(msg.body.kvp_set.data.key, KVPD_KEY_MAX, "HostName");
		msg.body.kvp_set.data.key_size = 9;
		if (op == KVP_OP_SET) {
			put_str(msg.body.kvp_set.data.value, KVPD_VALUE_MAX, "vm-1");
			msg.body.kvp_set.data.value_size = 5;
		}
		break;
	case KVP_OP_DELETE:
		put_str(msg.body.kvp_delete.key, KVPD_KEY_MAX, "HostName");
		msg.body.kvp_delete.key_size = 9;
		break;
	case KVP_OP_ENUMERATE:
		msg.body.kvp_enum_data.index = 7;
		break;
	case KVP_OP_GET_IP_INFO:
	case KVP_OP_SET_IP_INFO:
		put_str((uint8_t *)msg.body.kvp_ip_val.adapter_id, KVPD_IP_ADAPTER_MAX,
			"00:15:5D:00:00:01");
		msg.body.kvp_ip_val.addr_family = ADDR_FAMILY_IPV4;
		if (op == KVP_OP_SET_IP_INFO) {
			put_str((uint8_t *)msg.body.kvp_ip_val.ip_addr, KVPD_IP_ADDR_MAX,
				"10.0.0.5");
			put_str((uint8_t *)msg.body.kvp_ip_val.sub_net, KVPD_IP_ADDR_MAX,
				"255.255.255.0");
		}
		break;
	}
}

/* Mutations, each applied to the base message of the case's operation. */
static void m_none(void)
{
}
static void m_pool_5(void)
{
	msg.kvp_hdr.pool = 5;
}
static void m_pool_255(void)
{
	msg.kvp_hdr.pool = 255;
}
static void m_pool_4(void)
{
	msg.kvp_hdr.pool = 4;
}
static void m_key_size_0(void)
{
	msg.body.kvp_set.data.key_size = 0;
}
static void m_key_size_small(void)
{
	msg.body.kvp_set.data.key_size = 4;
}
static void m_key_size_big(void)
{
	msg.body.kvp_set.data.key_size = 20;
}
static void m_key_size_513(void)
{
	msg.body.kvp_set.data.key_size = 513;
}
static void m_key_size_huge(void)
{
	msg.body.kvp_set.data.key_size = 0xffffffffu;
}
static void m_key_empty(void)
{
	memset(msg.body.kvp_set.data.key, 0, KVPD_KEY_MAX);
	msg.body.kvp_set.data.key_size = 1;
}
static void m_key_no_nul(void)
{
	memset(msg.body.kvp_set.data.key, 'k', KVPD_KEY_MAX);
	msg.body.kvp_set.data.key_size = KVPD_KEY_MAX;
}
static void m_key_511(void)
{
	memset(msg.body.kvp_set.data.key, 'k', KVPD_KEY_MAX - 1);
	msg.body.kvp_set.data.key[KVPD_KEY_MAX - 1] = 0;
	msg.body.kvp_set.data.key_size = KVPD_KEY_MAX;
}
static void m_key_bad_utf8(void)
{
	put_str(msg.body.kvp_set.data.key, KVPD_KEY_MAX, "caf\xc3");
	msg.body.kvp_set.data.key_size = 5;
}
static void m_key_overlong(void)
{
	put_str(msg.body.kvp_set.data.key, KVPD_KEY_MAX, "a\xc0\xaf");
	msg.body.kvp_set.data.key_size = 4;
}
static void m_key_surrogate(void)
{
	put_str(msg.body.kvp_set.data.key, KVPD_KEY_MAX, "\xed\xa0\x80");
	msg.body.kvp_set.data.key_size = 4;
}
static void m_key_utf8(void)
{
	put_str(msg.body.kvp_set.data.key, KVPD_KEY_MAX, "caf\xc3\xa9 \xf0\x9f\x98\x80");
	msg.body.kvp_set.data.key_size = 11;
}
static void m_value_size_0(void)
{
	msg.body.kvp_set.data.value_size = 0;
}
static void m_value_size_small(void)
{
	msg.body.kvp_set.data.value_size = 2;
}
static void m_value_size_2049(void)
{
	msg.body.kvp_set.data.value_size = 2049;
}
static void m_value_no_nul(void)
{
	memset(msg.body.kvp_set.data.value, 'v', KVPD_VALUE_MAX);
	msg.body.kvp_set.data.value_size = KVPD_VALUE_MAX;
}
static void m_value_2047(void)
{
	memset(msg.body.kvp_set.data.value, 'v', KVPD_VALUE_MAX - 1);
	msg.body.kvp_set.data.value[KVPD_VALUE_MAX - 1] = 0;
	msg.body.kvp_set.data.value_size = KVPD_VALUE_MAX;
}
static void m_value_empty(void)
{
	memset(msg.body.kvp_set.data.value, 0, KVPD_VALUE_MAX);
	msg.body.kvp_set.data.value_size = 1;
}
static void m_value_bad_utf8(void)
{
	put_str(msg.body.kvp_set.data.value, KVPD_VALUE_MAX, "\xff\xfe");
	msg.body.kvp_set.data.value_size = 3;
}
static void m_value_above_max_cp(void)
{
	put_str(msg.body.kvp_set.data.value, KVPD_VALUE_MAX, "\xf4\x90\x80\x80");
	msg.body.kvp_set.data.value_size = 5;
}
static void m_get_value_size_2049(void)
{
	msg.body.kvp_get.data.value_size = 2049;
}
static void m_get_value_size_2048(void)
{
	msg.body.kvp_get.data.value_size = 2048;
}
static void m_del_key_size_0(void)
{
	msg.body.kvp_delete.key_size = 0;
}
static void m_del_key_size_513(void)
{
	msg.body.kvp_delete.key_size = 513;
}
static void m_del_key_no_nul(void)
{
	memset(msg.body.kvp_delete.key, 'k', KVPD_KEY_MAX);
	msg.body.kvp_delete.key_size = KVPD_KEY_MAX;
}
static void m_del_key_mismatch(void)
{
	msg.body.kvp_delete.key_size = 3;
}
static void m_del_key_bad_utf8(void)
{
	put_str(msg.body.kvp_delete.key, KVPD_KEY_MAX, "\x80");
	msg.body.kvp_delete.key_size = 2;
}
static void m_enum_index_max(void)
{
	msg.body.kvp_enum_data.index = 0xffffffffu;
}
static void m_ip_adapter_no_nul(void)
{
	memset(msg.body.kvp_ip_val.adapter_id, 'a', KVPD_IP_ADAPTER_MAX);
}
static void m_ip_adapter_empty(void)
{
	memset(msg.body.kvp_ip_val.adapter_id, 0, KVPD_IP_ADAPTER_MAX);
}
static void m_ip_adapter_bad_utf8(void)
{
	put_str((uint8_t *)msg.body.kvp_ip_val.adapter_id, KVPD_IP_ADAPTER_MAX, "\xc1\x81");
}
static void m_ip_family_bad(void)
{
	msg.body.kvp_ip_val.addr_family = 9;
}
static void m_ip_dhcp_bad(void)
{
	msg.body.kvp_ip_val.dhcp_enabled = 2;
}
static void m_ip_addr_no_nul(void)
{
	memset(msg.body.kvp_ip_val.ip_addr, '1', KVPD_IP_ADDR_MAX);
}
static void m_ip_subnet_no_nul(void)
{
	memset(msg.body.kvp_ip_val.sub_net, '1', KVPD_IP_ADDR_MAX);
}
static void m_ip_gw_no_nul(void)
{
	memset(msg.body.kvp_ip_val.gate_way, '1', KVPD_IP_GW_MAX);
}
static void m_ip_dns_no_nul(void)
{
	memset(msg.body.kvp_ip_val.dns_addr, '1', KVPD_IP_ADDR_MAX);
}
static void m_ip_dns_bad_utf8(void)
{
	put_str((uint8_t *)msg.body.kvp_ip_val.dns_addr, KVPD_IP_ADDR_MAX, "10.0.0.1\xe2\x82");
}
static void m_op_6(void)
{
	msg.kvp_hdr.operation = 6;
}
static void m_op_100(void)
{
	msg.kvp_hdr.operation = KVPD_OP_REGISTER1;
}

static const struct {
	const char *name;
	uint8_t op;
	void (*mutate)(void);
	size_t len; /* 0: the right size */
	int want;
} cases[] = {
	/* clang-format off */
	{ "GET ok",                        KVP_OP_GET,         m_none,               0,    0 },
	{ "GET pool 4 ok",                 KVP_OP_GET,         m_pool_4,             0,    0 },
	{ "GET pool 5",                    KVP_OP_GET,         m_pool_5,             0,    -EINVAL },
	{ "GET pool 255",                  KVP_OP_GET,         m_pool_255,           0,    -EINVAL },
	{ "GET key_size 0",                KVP_OP_GET,         m_key_size_0,         0,    -EINVAL },
	{ "GET key_size short of key",     KVP_OP_GET,         m_key_size_small,     0,    -EBADMSG },
	{ "GET key_size past key",         KVP_OP_GET,         m_key_size_big,       0,    -EBADMSG },
	{ "GET key_size 513",              KVP_OP_GET,         m_key_size_513,       0,    -EMSGSIZE },
	{ "GET key_size 2^32-1",           KVP_OP_GET,         m_key_size_huge,      0,    -EMSGSIZE },
	{ "GET empty key",                 KVP_OP_GET,         m_key_empty,          0,    -EINVAL },
	{ "GET key without NUL",           KVP_OP_GET,         m_key_no_nul,         0,    -EBADMSG },
	{ "GET key of 511 bytes ok",       KVP_OP_GET,         m_key_511,            0,    0 },
	{ "GET key truncated UTF-8",       KVP_OP_GET,         m_key_bad_utf8,       0,    -EILSEQ },
	{ "GET key overlong UTF-8",        KVP_OP_GET,         m_key_overlong,       0,    -EILSEQ },
	{ "GET key UTF-8 surrogate",       KVP_OP_GET,         m_key_surrogate,      0,    -EILSEQ },
	{ "GET key non-ASCII ok",          KVP_OP_GET,         m_key_utf8,           0,    0 },
	{ "GET value_size 2048 ok",        KVP_OP_GET,         m_get_value_size_2048, 0,   0 },
	{ "GET value_size 2049",           KVP_OP_GET,         m_get_value_size_2049, 0,   -EMSGSIZE },
	{ "SET ok",                        KVP_OP_SET,         m_none,               0,    0 },
	{ "SET pool 5",                    KVP_OP_SET,         m_pool_5,             0,    -EINVAL },
	{ "SET key_size 513",              KVP_OP_SET,         m_key_size_513,       0,    -EMSGSIZE },
	{ "SET key without NUL",           KVP_OP_SET,         m_key_no_nul,         0,    -EBADMSG },
	{ "SET key bad UTF-8",             KVP_OP_SET,         m_key_bad_utf8,       0,    -EILSEQ },
	{ "SET value_size 0",              KVP_OP_SET,         m_value_size_0,       0,    -EINVAL },
	{ "SET value_size short of value", KVP_OP_SET,         m_value_size_small,   0,    -EBADMSG },
	{ "SET value_size 2049",           KVP_OP_SET,         m_value_size_2049,    0,    -EMSGSIZE },
	{ "SET value without NUL",         KVP_OP_SET,         m_value_no_nul,       0,    -EBADMSG },
	{ "SET value of 2047 bytes ok",    KVP_OP_SET,         m_value_2047,         0,    0 },
	{ "SET empty value ok",            KVP_OP_SET,         m_value_empty,        0,    0 },
	{ "SET value bad UTF-8",           KVP_OP_SET,         m_value_bad_utf8,     0,    -EILSEQ },
	{ "SET value above U+10FFFF",      KVP_OP_SET,         m_value_above_max_cp, 0,    -EILSEQ },
	{ "SET one byte short",            KVP_OP_SET,         m_none,               7431, -EMSGSIZE },
	{ "SET one byte long",             KVP_OP_SET,         m_none,               7433, -EMSGSIZE },
	{ "SET FreeBSD size 7430",         KVP_OP_SET,         m_none,               7430, -EMSGSIZE },
	{ "SET header only",               KVP_OP_SET,         m_none,               4,    -EMSGSIZE },
	{ "DELETE ok",                     KVP_OP_DELETE,      m_none,               0,    0 },
	{ "DELETE pool 5",                 KVP_OP_DELETE,      m_pool_5,             0,    -EINVAL },
	{ "DELETE key_size 0",             KVP_OP_DELETE,      m_del_key_size_0,     0,    -EINVAL },
	{ "DELETE key_size 513",           KVP_OP_DELETE,      m_del_key_size_513,   0,    -EMSGSIZE },
	{ "DELETE key without NUL",        KVP_OP_DELETE,      m_del_key_no_nul,     0,    -EBADMSG },
	{ "DELETE key_size mismatch",      KVP_OP_DELETE,      m_del_key_mismatch,   0,    -EBADMSG },
	{ "DELETE key bad UTF-8",          KVP_OP_DELETE,      m_del_key_bad_utf8,   0,    -EILSEQ },
	{ "ENUMERATE ok",                  KVP_OP_ENUMERATE,   m_none,               0,    0 },
	{ "ENUMERATE index 2^32-1 ok",     KVP_OP_ENUMERATE,   m_enum_index_max,     0,    0 },
	{ "ENUMERATE pool 5",              KVP_OP_ENUMERATE,   m_pool_5,             0,    -EINVAL },
	{ "ENUMERATE short message",       KVP_OP_ENUMERATE,   m_none,               100,  -EMSGSIZE },
	{ "GET_IP_INFO ok",                KVP_OP_GET_IP_INFO, m_none,               0,    0 },
	{ "GET_IP_INFO adapter no NUL",    KVP_OP_GET_IP_INFO, m_ip_adapter_no_nul,  0,    -EBADMSG },
	{ "GET_IP_INFO adapter empty",     KVP_OP_GET_IP_INFO, m_ip_adapter_empty,   0,    -EINVAL },
	{ "GET_IP_INFO adapter bad UTF-8", KVP_OP_GET_IP_INFO, m_ip_adapter_bad_utf8, 0,   -EILSEQ },
	{ "GET_IP_INFO family 9",          KVP_OP_GET_IP_INFO, m_ip_family_bad,      0,    -EINVAL },
	{ "SET_IP_INFO ok",                KVP_OP_SET_IP_INFO, m_none,               0,    0 },
	{ "SET_IP_INFO dhcp 2",            KVP_OP_SET_IP_INFO, m_ip_dhcp_bad,        0,    -EINVAL },
	{ "SET_IP_INFO ip_addr no NUL",    KVP_OP_SET_IP_INFO, m_ip_addr_no_nul,     0,    -EBADMSG },
	{ "SET_IP_INFO sub_net no NUL",    KVP_OP_SET_IP_INFO, m_ip_subnet_no_nul,   0,    -EBADMSG },
	{ "SET_IP_INFO gate_way no NUL",   KVP_OP_SET_IP_INFO, m_ip_gw_no_nul,       0,    -EBADMSG },
	{ "SET_IP_INFO dns_addr no NUL",   KVP_OP_SET_IP_INFO, m_ip_dns_no_nul,      0,    -EBADMSG },
	{ "SET_IP_INFO dns_addr bad UTF-8", KVP_OP_SET_IP_INFO, m_ip_dns_bad_utf8,   0,    -EILSEQ },
	{ "SET_IP_INFO adapter no NUL",    KVP_OP_SET_IP_INFO, m_ip_adapter_no_nul,  0,    -EBADMSG },
	{ "unknown operation 6",           KVP_OP_GET,         m_op_6,               0,    -EOPNOTSUPP },
	{ "REGISTER1 as a request",        KVP_OP_GET,         m_op_100,             0,    -EOPNOTSUPP },
	/* clang-format on */
};

static void test_table(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct kvpd_req q;
		const char *why = NULL;
		int r;

		base(cases[i].op);
		cases[i].mutate();
		memset(&q, 0xa5, sizeof(q));
		r = kvpd_msg_check(&msg, cases[i].len ? cases[i].len : KVPD_MSG_SIZE, &q, &why);
		CHECK_INT(r, cases[i].want, "%s", cases[i].name);
		if (cases[i].want < 0)
			CHECK(why && why[0], "%s: has a reason for the log", cases[i].name);
		else
			CHECK_INT(q.op, msg.kvp_hdr.operation, "%s: op passed on", cases[i].name);
	}
}

/* The accepted fields are the ones the kernel put there. */
static void test_fields(void)
{
	struct kvpd_req q;
	const char *why;

	base(KVP_OP_SET);
	CHECK_INT(kvpd_msg_check_set(&msg, &q, &why), 0, "SET accepted");
	CHECK_STR(q.key, "HostName", "SET key");
	CHECK_INT(q.key_len, 8, "SET key length");
	CHECK_STR(q.value, "vm-1", "SET value");
	CHECK_INT(q.value_len, 4, "SET value length");
	CHECK_INT(q.pool, 1, "SET pool");

	base(KVP_OP_DELETE);
	CHECK_INT(kvpd_msg_check_delete(&msg, &q, &why), 0, "DELETE accepted");
	CHECK_STR(q.key, "HostName", "DELETE key from the delete layout (offset 8)");

	base(KVP_OP_ENUMERATE);
	CHECK_INT(kvpd_msg_check_enumerate(&msg, &q, &why), 0, "ENUMERATE accepted");
	CHECK_INT(q.index, 7, "ENUMERATE index");

	base(KVP_OP_SET_IP_INFO);
	CHECK_INT(kvpd_msg_check_set_ip_info(&msg, &q, &why), 0, "SET_IP_INFO accepted");
	CHECK_STR(q.adapter_id, "00:15:5D:00:00:01", "SET_IP_INFO adapter");
	CHECK_STR(q.ip_addr, "10.0.0.5", "SET_IP_INFO ip_addr");
	CHECK_STR(q.sub_net, "255.255.255.0", "SET_IP_INFO sub_net");
	CHECK_STR(q.gate_way, "", "SET_IP_INFO gate_way");
}

static void test_register(void)
{
	const char *v = NULL, *why;

	memset(&msg, 0, sizeof(msg));
	msg.kvp_hdr.operation = KVPD_OP_REGISTER1;
	put_str(msg.body.kvp_register.version, sizeof(msg.body.kvp_register.version), "3.1");
	CHECK_INT(kvpd_msg_check_register(&msg, &v, &why), 0, "registration reply accepted");
	CHECK_STR(v, "3.1", "version string");
	memset(msg.body.kvp_register.version, '9', sizeof(msg.body.kvp_register.version));
	CHECK_INT(kvpd_msg_check_register(&msg, &v, &why), -EBADMSG,
		  "registration reply without NUL refused");
	msg.kvp_hdr.operation = 4;
	CHECK_INT(kvpd_msg_check_register(&msg, &v, &why), -EPROTO, "operation 4 is no REGISTER1");
}

static const struct {
	const char *s;
	size_t len;
	bool ok;
} utf8_cases[] = {
	/* clang-format off */
	{ "",                  0, true },
	{ "abc",               3, true },
	{ "\xc2\x80",          2, true },
	{ "\xdf\xbf",          2, true },
	{ "\xe0\xa0\x80",      3, true },
	{ "\xef\xbf\xbf",      3, true },
	{ "\xf0\x90\x80\x80",  4, true },
	{ "\xf4\x8f\xbf\xbf",  4, true },
	{ "a\0b",              3, false },
	{ "\x80",              1, false },
	{ "\xc0\x80",          2, false },
	{ "\xc1\xbf",          2, false },
	{ "\xe0\x9f\xbf",      3, false },
	{ "\xed\xbf\xbf",      3, false },
	{ "\xf0\x8f\xbf\xbf",  4, false },
	{ "\xf4\x90\x80\x80",  4, false },
	{ "\xf5\x80\x80\x80",  4, false },
	{ "\xe2\x82",          2, false },
	{ "\xe2\x82\x41",      3, false },
	{ "\xff",              1, false },
	/* clang-format on */
};

static void test_utf8(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(utf8_cases); i++)
		CHECK_INT(kvpd_utf8_valid(utf8_cases[i].s, utf8_cases[i].len), utf8_cases[i].ok,
			  "utf8 case %zu", i);
}

static void test_replies(void)
{
	static const uint8_t zero4[4];

	base(KVP_OP_GET);
	memset(msg.body.kvp_get.data.value, 0x5a, sizeof(msg.body.kvp_get.data.value));
	kvpd_reply_value(&msg, "hello", 5);
	CHECK_STR((const char *)msg.body.kvp_enum_data.data.value, "hello",
		  "GET value at the ENUMERATE offset the kernel reads (532)");
	CHECK_INT(offsetof(struct hv_kvp_msg, body.kvp_enum_data.data.value), 532,
		  "ENUMERATE value offset is 532");
	CHECK_MEM(msg.body.kvp_get.data.value, zero4, 4, "GET layout's first 4 value bytes zeroed");
	CHECK(msg.body.kvp_enum_data.data.value[6] == 0 &&
		      msg.body.kvp_enum_data.data.value[KVPD_VALUE_MAX - 1] == 0,
	      "rest of the value field zeroed");

	base(KVP_OP_ENUMERATE);
	memset(&msg.body, 0x5a, sizeof(msg.body));
	kvpd_reply_pair(&msg, "k", 1, "v", 1);
	CHECK_STR((const char *)msg.body.kvp_enum_data.data.key, "k", "ENUMERATE key");
	CHECK_STR((const char *)msg.body.kvp_enum_data.data.value, "v", "ENUMERATE value");
	CHECK(msg.body.kvp_enum_data.data.key[KVPD_KEY_MAX - 1] == 0, "key field zero-filled");
	CHECK_INT(msg.body.kvp_enum_data.data.key_size, 2, "ENUMERATE key_size");
	CHECK_INT(msg.body.kvp_enum_data.index, 0x5a5a5a5a, "index left as received");

	kvpd_reply_error(&msg, HV_S_CONT);
	CHECK_INT((uint32_t)msg.error, HV_S_CONT, "error word set");
}

int main(void)
{
	test_table();
	test_fields();
	test_register();
	test_utf8();
	test_replies();
	return tap_done();
}

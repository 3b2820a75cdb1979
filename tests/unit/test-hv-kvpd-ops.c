/* SPDX-License-Identifier: MIT */
/*
 * test-hv-kvpd-ops.c - hv-kvpd's request dispatch over a SOCK_SEQPACKET socketpair, the way
 * hv-sim's socket mode and the kernel device behave: registration handshake (zeroed message,
 * version kept), every operation on the pools and the auto pool, replies as whole 7432-byte
 * messages, bad requests answered with an error while the daemon carries on, pool files on
 * disk written before the reply, and end of file reported as a lost connection.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs.h"
#include "kvpd.h"
#include "log.h"
#include "tap.h"

static struct kvpd d;
static int host = -1;
static char state[] = "/tmp/test-hv-kvpd-ops.XXXXXX";
static struct hv_kvp_msg req, rep;

static void put_str(uint8_t *field, size_t size, const char *s)
{
	memset(field, 0, size);
	memcpy(field, s, MIN(strlen(s), size - 1));
}

/* Send 'len' bytes of 'req', let the daemon handle them, read the reply into 'rep'. */
static ssize_t roundtrip(size_t len)
{
	ssize_t n;
	int r;

	if (write(host, &req, len) != (ssize_t)len)
		return -errno;
	r = kvpd_handle_device(&d);
	if (r < 0)
		return r;
	memset(&rep, 0xee, sizeof(rep));
	n = read(host, &rep, sizeof(rep));
	return n < 0 ? -errno : n;
}

static void mk(uint8_t op, uint8_t pool, const char *key, const char *value)
{
	memset(&req, 0, sizeof(req));
	req.kvp_hdr.operation = op;
	req.kvp_hdr.pool = pool;
	if (op == KVP_OP_DELETE && key) {
		put_str(req.body.kvp_delete.key, KVPD_KEY_MAX, key);
		req.body.kvp_delete.key_size = (uint32_t)strlen(key) + 1;
		return;
	}
	if (key) {
		put_str(req.body.kvp_set.data.key, KVPD_KEY_MAX, key);
		req.body.kvp_set.data.key_size = (uint32_t)strlen(key) + 1;
	}
	if (value) {
		put_str(req.body.kvp_set.data.value, KVPD_VALUE_MAX, value);
		req.body.kvp_set.data.value_size = (uint32_t)strlen(value) + 1;
	}
}

static uint32_t status(void)
{
	return (uint32_t)rep.error;
}

static const char *enum_key(void)
{
	return (const char *)rep.body.kvp_enum_data.data.key;
}

static const char *enum_value(void)
{
	return (const char *)rep.body.kvp_enum_data.data.value;
}

static uint32_t enumerate(uint8_t pool, uint32_t index)
{
	mk(KVP_OP_ENUMERATE, pool, NULL, NULL);
	req.body.kvp_enum_data.index = index;
	if (roundtrip(KVPD_MSG_SIZE) != (ssize_t)KVPD_MSG_SIZE)
		return 0xdeadbeef;
	return status();
}

static void test_register(void)
{
	static const uint8_t zero[KVPD_MSG_SIZE - 1];
	struct hv_kvp_msg m;
	ssize_t n;

	CHECK_STR(d.autop.version, "Unknown version", "version before registration");
	CHECK_INT(kvpd_connect(&d), 0, "connect writes the registration");
	n = read(host, &m, sizeof(m));
	CHECK_INT(n, KVPD_MSG_SIZE, "registration is one whole struct hv_kvp_msg");
	CHECK_INT(m.kvp_hdr.operation, KVPD_OP_REGISTER1, "registration operation is 100");
	CHECK_MEM((uint8_t *)&m + 1, zero, sizeof(zero), "the rest of the registration is zero");

	memset(&m, 0, sizeof(m));
	m.kvp_hdr.operation = KVPD_OP_REGISTER1;
	put_str(m.body.kvp_register.version, sizeof(m.body.kvp_register.version), "3.1");
	CHECK_INT(write(host, &m, sizeof(m)), KVPD_MSG_SIZE, "kernel's reply sent");
	CHECK_INT(kvpd_handle_device(&d), 0, "registration reply handled");
	CHECK(d.registered, "registered");
	CHECK_STR(d.autop.version, "3.1", "IntegrationServicesVersion kept from the reply");
}

static void test_set_get_delete(void)
{
	char *file;
	size_t len;

	mk(KVP_OP_SET, 0, "HostName", "host-1");
	CHECK_INT(roundtrip(KVPD_MSG_SIZE), KVPD_MSG_SIZE, "SET reply is a whole message");
	CHECK_INT(status(), HV_S_OK, "SET pool 0 HostName");

	/* Written before the reply: the file holds the record now. */
	CHECK_INT(fs_read_file_at(AT_FDCWD, ".kvp_pool_0", 1 << 20, &file, &len), 0,
		  "pool 0 file readable");
	CHECK_INT(len, 2560, "pool 0 holds one 2560-byte record");
	if (len == 2560) {
		static const char zero[2048];

		CHECK_STR(file, "HostName", "record key");
		CHECK_MEM(file + 8, zero, 512 - 8, "key field zero-padded");
		CHECK_STR(file + 512, "host-1", "record value");
		CHECK_MEM(file + 512 + 6, zero, 2048 - 6, "value field zero-padded");
	}
	free(file);

	mk(KVP_OP_SET, 0, "HostName", "h2");
	roundtrip(KVPD_MSG_SIZE);
	CHECK_INT(status(), HV_S_OK, "SET overwrites");

	mk(KVP_OP_GET, 0, "HostName", NULL);
	CHECK_INT(roundtrip(KVPD_MSG_SIZE), KVPD_MSG_SIZE, "GET reply is a whole message");
	CHECK_INT(status(), HV_S_OK, "GET found");
	CHECK_STR(enum_value(), "h2", "GET value where the kernel reads it (offset 532)");

	mk(KVP_OP_GET, 0, "hostname", NULL);
	roundtrip(KVPD_MSG_SIZE);
	CHECK_INT(status(), HV_S_CONT, "GET is case-sensitive: not found");

	mk(KVP_OP_GET, 3, "HostName", NULL);
	roundtrip(KVPD_MSG_SIZE);
	CHECK_INT(status(), HV_S_CONT, "GET in another pool: not found");

	mk(KVP_OP_SET, 1, "a", "1");
	roundtrip(KVPD_MSG_SIZE);
	mk(KVP_OP_SET, 1, "b", "2");
	roundtrip(KVPD_MSG_SIZE);
	mk(KVP_OP_SET, 1, "c", "3");
	roundtrip(KVPD_MSG_SIZE);
	CHECK_INT(enumerate(1, 0), HV_S_OK, "ENUMERATE pool 1 index 0");
	CHECK_STR(enum_key(), "a", "index 0 key");
	CHECK_STR(enum_value(), "1", "index 0 value");
	CHECK_INT(rep.body.kvp_enum_data.index, 0, "index echoed");
	CHECK_INT(enumerate(1, 2), HV_S_OK, "ENUMERATE pool 1 index 2");
	CHECK_STR(enum_key(), "c", "index 2 key");
	CHECK_INT(enumerate(1, 3), HV_S_CONT, "ENUMERATE past the end: HV_S_CONT");
	CHECK_INT(enumerate(1, 0xffffffffu), HV_S_CONT, "ENUMERATE index 2^32-1: HV_S_CONT");

	mk(KVP_OP_DELETE, 1, "b", NULL);
	roundtrip(KVPD_MSG_SIZE);
	CHECK_INT(status(), HV_S_OK, "DELETE b");
	mk(KVP_OP_DELETE, 1, "b", NULL);
	roundtrip(KVPD_MSG_SIZE);
	CHECK_INT(status(), HV_S_CONT, "DELETE b again: HV_S_CONT");
	CHECK_INT(enumerate(1, 1), HV_S_OK, "ENUMERATE after delete");
	CHECK_STR(enum_key(), "c", "later records move up");
	CHECK_INT(enumerate(1, 2), HV_S_CONT, "one record fewer");

	CHECK_INT(fs_read_file_at(AT_FDCWD, ".kvp_pool_1", 1 << 20, &file, &len), 0,
		  "pool 1 file readable");
	CHECK_INT(len, 2 * 2560, "pool 1 holds two records on disk");
	if (len == 2 * 2560) {
		CHECK_STR(file, "a", "disk record 0");
		CHECK_STR(file + 2560, "c", "disk record 1");
	}
	free(file);
}

static void test_auto_pool(void)
{
	static const char *const keys[] = {
		"FullyQualifiedDomainName",
		"IntegrationServicesVersion",
		"NetworkAddressIPv4",
		"NetworkAddressIPv6",
		"OSBuildNumber",
		"OSName",
		"OSMajorVersion",
		"OSMinorVersion",
		"OSVersion",
		"ProcessorArchitecture",
	};

	for (uint32_t i = 0; i < ARRAY_SIZE(keys); i++) {
		CHECK_INT(enumerate(KVP_POOL_AUTO, i), HV_S_OK, "auto pool index %u", i);
		CHECK_STR(enum_key(), keys[i], "auto pool index %u key", i);
	}
	CHECK_INT(enumerate(KVP_POOL_AUTO, 1), HV_S_OK, "auto pool version");
	CHECK_STR(enum_value(), "3.1", "IntegrationServicesVersion value");
	CHECK_INT(rep.body.kvp_enum_data.data.value_size, 4, "value_size counts the NUL");
	CHECK_INT(enumerate(KVP_POOL_AUTO, 10), HV_S_CONT, "auto pool index 10 ends it");
}

static void test_bad_requests(void)
{
	uint64_t before = d.rejected;

	mk(KVP_OP_SET, 5, "k", "v");
	CHECK_INT(roundtrip(KVPD_MSG_SIZE), KVPD_MSG_SIZE, "pool 5: a whole reply");
	CHECK_INT(status(), HV_INVALIDARG, "pool 5: HV_INVALIDARG");

	mk(KVP_OP_SET, 1, "k", "v");
	req.body.kvp_set.data.key_size = 600;
	roundtrip(KVPD_MSG_SIZE);
	CHECK_INT(status(), HV_INVALIDARG, "key_size 600: HV_INVALIDARG");

	mk(KVP_OP_SET, 1, "k", NULL);
	memset(req.body.kvp_set.data.value, 'x', KVPD_VALUE_MAX);
	req.body.kvp_set.data.value_size = KVPD_VALUE_MAX;
	roundtrip(KVPD_MSG_SIZE);
	CHECK_INT(status(), HV_INVALIDARG, "value without NUL: HV_INVALIDARG");

	mk(KVP_OP_SET, 1, "k", "\xc3\x28");
	roundtrip(KVPD_MSG_SIZE);
	CHECK_INT(status(), HV_INVALIDARG, "invalid UTF-8: HV_INVALIDARG");

	mk(42, 1, "k", "v");
	roundtrip(KVPD_MSG_SIZE);
	CHECK_INT(status(), HV_ERROR_NOT_SUPPORTED, "operation 42: HV_ERROR_NOT_SUPPORTED");

	mk(KVP_OP_SET, 1, "k", "v");
	CHECK_INT(roundtrip(100), KVPD_MSG_SIZE, "short message: still a whole reply");
	CHECK_INT(status(), HV_INVALIDARG, "short message: HV_INVALIDARG");
	CHECK_INT(roundtrip(KVPD_MSG_SIZE), KVPD_MSG_SIZE, "oversized check: normal one first");
	CHECK_INT(enumerate(1, 2), HV_S_OK, "the daemon carries on");
	CHECK_STR(enum_key(), "k", "and the good SET after the bad ones landed");
	CHECK_INT(d.rejected - before, 6, "six requests counted as rejected");

	/* None of the refused SETs touched pool 1 (a, c, k only). */
	CHECK_INT(enumerate(1, 3), HV_S_CONT, "no record from a refused request");
}

/* One past the pool cap: HV_ERROR_DISK_FULL, nothing lost, the daemon carries on. */
static void test_pool_full(void)
{
	char key[32];
	int fails = 0;

	for (int i = 0; i < KVPOOL_RECORDS_MAX; i++) {
		(void)snprintf(key, sizeof(key), "k%d", i);
		mk(KVP_OP_SET, 4, key, "v");
		if (roundtrip(KVPD_MSG_SIZE) != (ssize_t)KVPD_MSG_SIZE || status() != HV_S_OK)
			fails++;
	}
	CHECK_INT(fails, 0, "%d SETs up to the cap succeed", KVPOOL_RECORDS_MAX);
	mk(KVP_OP_SET, 4, "one-too-many", "v");
	CHECK_INT(roundtrip(KVPD_MSG_SIZE), KVPD_MSG_SIZE, "SET past the cap: a whole reply");
	CHECK_INT(status(), HV_ERROR_DISK_FULL, "SET past the cap: HV_ERROR_DISK_FULL");
	mk(KVP_OP_SET, 4, "k7", "changed");
	roundtrip(KVPD_MSG_SIZE);
	CHECK_INT(status(), HV_S_OK, "overwriting an existing key of a full pool still works");
	mk(KVP_OP_GET, 4, "k7", NULL);
	roundtrip(KVPD_MSG_SIZE);
	CHECK_STR(enum_value(), "changed", "and is read back");
	CHECK_INT(enumerate(4, KVPOOL_RECORDS_MAX), HV_S_CONT, "no record past the cap");
}

static void test_eof(void)
{
	(void)close(host);
	host = -1;
	CHECK_INT(kvpd_handle_device(&d), -ECONNRESET, "end of file: connection lost");
	kvpd_disconnect(&d);
	CHECK_INT(kvpd_connect(&d), -ENOTCONN, "an inherited fd cannot be reopened");
}

int main(void)
{
	struct kvpd_opts o = { 0 };
	int sv[2];

	log_init("test-hv-kvpd-ops", LOG_SINK_STDERR, 0);
	if (!mkdtemp(state) || chdir(state) < 0 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		printf("1..0 # SKIP cannot make a temp dir or a socketpair\n");
		return 77;
	}
	host = sv[0];
	o.device_fd = sv[1];
	o.state_dir = state;
	o.fsync = false;
	if (!CHECK_INT(kvpd_init(&d, &o), 0, "kvpd_init"))
		return tap_done();
	{
		struct stat st;

		CHECK(stat(".kvp_pool_4", &st) == 0, "all five pool files exist at start");
	}
	test_register();
	test_set_get_delete();
	test_auto_pool();
	test_bad_requests();
	test_pool_full();
	test_eof();
	kvpd_release(&d);

	for (int i = 0; i < 5; i++) {
		char name[32];

		(void)snprintf(name, sizeof(name), ".kvp_pool_%d", i);
		(void)unlink(name);
		(void)snprintf(name, sizeof(name), ".kvp_journal_%d", i);
		(void)unlink(name);
	}
	if (chdir("/") < 0)
		tap_diag("cannot leave %s", state);
	(void)rmdir(state);
	return tap_done();
}

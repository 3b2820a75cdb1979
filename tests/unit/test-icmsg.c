/* SPDX-License-Identifier: MIT */
/*
 * test-icmsg.c - IC header round trip, the reply convention, and version negotiation: the
 * guest's preference order wins, no common version gives counts 0, malformed requests are
 * refused without touching the buffer.
 */
#include <errno.h>

#include "icmsg.h"
#include "tap.h"

static const struct ic_version guest_fw[] = { { 3, 0 } };
static const struct ic_version guest_srv[] = { { 1, 1 } };

static const struct {
	const char *what;
	struct ic_version fw[3];
	size_t nfw;
	struct ic_version srv[3];
	size_t nsrv;
	int want;
	struct ic_version want_fw, want_srv;
} nego_cases[] = {
	/* clang-format off */
	{ "exact",              { { 3, 0 } },          1, { { 1, 1 } },          1, 0,       { 3, 0 }, { 1, 1 } },
	{ "host offers more",   { { 1, 0 }, { 3, 0 } }, 2, { { 1, 0 }, { 1, 1 } }, 2, 0,      { 3, 0 }, { 1, 1 } },
	{ "no framework match", { { 1, 0 } },          1, { { 1, 1 } },          1, -ENOENT, { 0, 0 }, { 0, 0 } },
	{ "no service match",   { { 3, 0 } },          1, { { 1, 0 } },          1, -ENOENT, { 0, 0 }, { 0, 0 } },
	{ "host offers nothing",{ { 0, 0 } },          0, { { 0, 0 } },          0, -ENOENT, { 0, 0 }, { 0, 0 } },
	/* clang-format on */
};

static void test_negotiate(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(nego_cases); i++) {
		uint8_t buf[128];
		struct ic_version fw = { 9, 9 }, srv = { 9, 9 }, rfw, rsrv;
		int len, r;

		len = icmsg_build_negotiate(buf, sizeof(buf), nego_cases[i].fw, nego_cases[i].nfw,
					    nego_cases[i].srv, nego_cases[i].nsrv);
		CHECK(len >= ICMSG_HDR_SIZE + 16, "%s: request built", nego_cases[i].what);
		r = icmsg_negotiate(buf, (size_t)len, guest_fw, 1, guest_srv, 1, &fw, &srv);
		CHECK_INT(r, nego_cases[i].want, "%s: result", nego_cases[i].what);
		if (r == 0) {
			CHECK(fw.major == nego_cases[i].want_fw.major &&
				      fw.minor == nego_cases[i].want_fw.minor &&
				      srv.major == nego_cases[i].want_srv.major &&
				      srv.minor == nego_cases[i].want_srv.minor,
			      "%s: chosen %u.%u/%u.%u", nego_cases[i].what, fw.major, fw.minor,
			      srv.major, srv.minor);
			CHECK_INT(icmsg_negotiate_result(buf, (size_t)len, &rfw, &rsrv), 0,
				  "%s: reply decodes", nego_cases[i].what);
			CHECK(rfw.major == fw.major && rsrv.minor == srv.minor,
			      "%s: reply carries the choice", nego_cases[i].what);
		} else {
			CHECK_INT(icmsg_negotiate_result(buf, (size_t)len, &rfw, &rsrv), -ENOENT,
				  "%s: reply carries counts 0", nego_cases[i].what);
		}
	}
}

/* The guest's order decides, not the host's. */
static void test_preference(void)
{
	static const struct ic_version pref[] = { { 4, 0 }, { 3, 0 }, { 1, 0 } };
	static const struct ic_version host[] = { { 1, 0 }, { 3, 0 } };
	uint8_t buf[128];
	struct ic_version fw, srv;
	int len = icmsg_build_negotiate(buf, sizeof(buf), host, 2, host, 2);

	CHECK_INT(icmsg_negotiate(buf, (size_t)len, pref, 3, pref, 3, &fw, &srv), 0,
		  "negotiate with several in common");
	CHECK(fw.major == 3 && srv.major == 3, "guest's first common version wins (got %u, %u)",
	      fw.major, srv.major);
}

static void test_malformed(void)
{
	uint8_t buf[256] = { 0 }, copy[256];
	struct ic_version fw, srv;
	int len = icmsg_build_negotiate(buf, sizeof(buf), guest_fw, 1, guest_srv, 1);

	CHECK_INT(icmsg_negotiate(buf, ICMSG_HDR_SIZE + 4, guest_fw, 1, guest_srv, 1, &fw, &srv),
		  -EBADMSG, "short of the counts");
	CHECK_INT(icmsg_negotiate(buf, (size_t)len - 1, guest_fw, 1, guest_srv, 1, &fw, &srv),
		  -EBADMSG, "one byte short of the version list");
	buf[ICMSG_HDR_SIZE] = 101;
	memcpy(copy, buf, sizeof(buf));
	CHECK_INT(icmsg_negotiate(buf, sizeof(buf), guest_fw, 1, guest_srv, 1, &fw, &srv), -EBADMSG,
		  "framework count above 100");
	CHECK_MEM(buf, copy, sizeof(buf), "a refused request is untouched");
	buf[ICMSG_HDR_SIZE] = 60;
	buf[ICMSG_HDR_SIZE + 2] = 1;
	CHECK_INT(icmsg_negotiate(buf, sizeof(buf), guest_fw, 1, guest_srv, 1, &fw, &srv), -EBADMSG,
		  "counts claim more versions than the packet holds");
	CHECK_INT(icmsg_build_negotiate(buf, 20, guest_fw, 1, guest_srv, 1), -ENOBUFS,
		  "build refuses a small buffer");
}

static void test_header(void)
{
	uint8_t buf[64];
	struct icmsg_hdr h = { .frame = { 3, 0 },
			       .msgtype = ICMSG_TYPE_FCOPY,
			       .msgver = { 1, 1 },
			       .msgsize = 36,
			       .status = 0x12345678,
			       .trans_id = 7,
			       .flags = ICMSG_FLAG_TRANSACTION | ICMSG_FLAG_REQUEST },
			 g;

	CHECK_INT(icmsg_write_hdr(buf, sizeof(buf), &h), 0, "header written");
	CHECK_INT(icmsg_write_hdr(buf, 27, &h), -EINVAL, "header refuses 27 bytes");
	CHECK_INT(icmsg_parse(buf, 27, &g), -EBADMSG, "parse refuses 27 bytes");
	CHECK_INT(icmsg_parse(buf, sizeof(buf), &g), 0, "header parsed");
	CHECK(g.frame.major == 3 && g.msgtype == 7 && g.msgver.minor == 1 && g.msgsize == 36 &&
		      g.status == 0x12345678 && g.trans_id == 7 && g.flags == 3,
	      "every field round-trips");
	CHECK_INT(buf[4], 56, "pipe header msgsize is len - 8");
	CHECK_INT(buf[12], 7, "msgtype at offset 12 (little-endian)");
	icmsg_set_response(buf, HV_ERROR_ALREADY_EXISTS);
	CHECK_INT(icmsg_parse(buf, sizeof(buf), &g), 0, "reply parsed");
	CHECK(g.status == HV_ERROR_ALREADY_EXISTS, "reply status set");
	CHECK_INT(g.flags, 5, "reply flags are TRANSACTION|RESPONSE");
}

int main(void)
{
	test_negotiate();
	test_preference();
	test_malformed();
	test_header();
	return tap_done();
}

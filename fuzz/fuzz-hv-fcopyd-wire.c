/* SPDX-License-Identifier: MIT */
/*
 * fuzz-hv-fcopyd-wire.c - everything the host controls on the UIO channel, in one target:
 * the first byte picks the ring reader (the rest is a ring's header and data), the IC
 * framing and negotiation, or the file-copy validator with either name encoding.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "fcopyd_wire.h"
#include "icmsg.h"
#include "vmbus_ring.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_ring(const uint8_t *data, size_t size)
{
	static uint8_t mem[128 + 512], out[512];
	struct vmbus_ring r;
	struct vmbus_pkt_desc d;
	size_t len;

	memset(mem, 0, sizeof(mem));
	memcpy(mem, data, MIN(size, sizeof(mem)));
	if (vmbus_ring_init(&r, mem, sizeof(mem), 128) != 0)
		abort();
	for (int i = 0; i < 8; i++) {
		int e = vmbus_ring_recv(&r, out, sizeof(out), &d, &len);

		if (e == -EAGAIN)
			break;
		if (e == 0 && (len > sizeof(out) || d.offset8 * 8u > len))
			abort();
		if (e < 0 && vmbus_ring_skip(&r) < 0)
			break;
	}
	if (vmbus_ring_send(&r, 6, 0, 1, data, MIN(size, (size_t)100)) > 1)
		abort();
}

static void fuzz_ic(const uint8_t *data, size_t size)
{
	static const struct ic_version fw[] = { { 3, 0 } }, srv[] = { { 1, 1 } };
	struct ic_version cf, cs;
	struct icmsg_hdr h;
	uint8_t *copy = malloc(size ? size : 1);

	if (!copy)
		return;
	memcpy(copy, data, size);
	if (icmsg_parse(copy, size, &h) == 0 &&
	    icmsg_negotiate(copy, size, fw, 1, srv, 1, &cf, &cs) == 0 &&
	    (cf.major != 3 || cs.minor != 1))
		abort();
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fcopyd_msg m;
	const char *why;

	if (size < 1)
		return 0;
	switch (data[0] % 4) {
	case 0:
		fuzz_ring(data + 1, size - 1);
		break;
	case 1:
		fuzz_ic(data + 1, size - 1);
		break;
	default:
		if (fcopyd_parse(data + 1, size - 1,
				 data[0] % 4 == 2 ? FCOPYD_NAMES_UTF8 : FCOPYD_NAMES_UTF16LE, &m,
				 &why) == 0 &&
		    m.op == FCOPYD_OP_WRITE && (m.len > FCOPYD_DATA_MAX || m.len + 52u > size - 1))
			abort();
		break;
	}
	return 0;
}

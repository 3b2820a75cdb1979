/* SPDX-License-Identifier: MIT */
/*
 * test-vmbus-ring.c - the VMBus ring buffer: packet layout (descriptor, 8-byte padding,
 * trailer), empty and full rings, wrap-around at the end of the data area, signalling rules,
 * and refusal of corrupt indices and descriptors from the peer.
 */
#include <errno.h>
#include <stdlib.h>

#include "tap.h"
#include "vmbus_ring.h"

#define HDR   4096
#define DSIZE 256

static uint8_t mem[HDR + DSIZE];

static void fresh(struct vmbus_ring *r)
{
	memset(mem, 0xa5, sizeof(mem));
	if (vmbus_ring_init(r, mem, sizeof(mem), HDR) != 0)
		abort();
	vmbus_ring_reset(r);
}

static const struct {
	size_t ring, hdr;
	int want;
} init_cases[] = {
	/* clang-format off */
	{ HDR + DSIZE, HDR, 0 },
	{ HDR,         HDR, -EINVAL },       /* no data area */
	{ HDR + 60,    HDR, -EINVAL },       /* not a multiple of 8 */
	{ HDR + 32,    HDR, -EINVAL },       /* too small to hold a packet */
	{ HDR + DSIZE, 64,  -EINVAL },       /* header smaller than its fields */
	/* clang-format on */
};

static void test_init(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(init_cases); i++) {
		struct vmbus_ring r;

		CHECK_INT(vmbus_ring_init(&r, mem, init_cases[i].ring, init_cases[i].hdr),
			  init_cases[i].want, "init ring %zu hdr %zu", init_cases[i].ring,
			  init_cases[i].hdr);
	}
}

static void test_empty(void)
{
	struct vmbus_ring r;
	struct vmbus_pkt_desc d;
	uint8_t buf[64];
	size_t len;

	fresh(&r);
	CHECK_INT(vmbus_ring_readable(&r), 0, "empty ring has nothing readable");
	CHECK_INT(vmbus_ring_peek(&r, &d), -EAGAIN, "peek on an empty ring");
	CHECK_INT(vmbus_ring_recv(&r, buf, sizeof(buf), &d, &len), -EAGAIN, "recv on empty ring");
	CHECK_INT(vmbus_ring_skip(&r), 0, "skip on an empty ring drops nothing");
}

/* Payload lengths around the 8-byte padding boundary. */
static const size_t lens[] = { 0, 1, 7, 8, 9, 28, 100 };

static void test_round_trip(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(lens); i++) {
		struct vmbus_ring r;
		struct vmbus_pkt_desc d;
		uint8_t in[128], out[256];
		size_t len = 0, padded = (lens[i] + 7) & ~(size_t)7;
		uint64_t trailer;
		int e;

		fresh(&r);
		for (size_t k = 0; k < sizeof(in); k++)
			in[k] = (uint8_t)(k * 7 + i);
		e = vmbus_ring_send(&r, VMBUS_PKT_DATA_INBAND, 1, 0x1122334455667788ull, in,
				    lens[i]);
		CHECK_INT(e, 1, "len %zu: send into empty, unmasked ring asks for a signal",
			  lens[i]);
		CHECK_INT(vmbus_ring_readable(&r), 16 + padded + 8, "len %zu: readable bytes",
			  lens[i]);
		CHECK_INT(r.hdr->write_index % 8, 0, "len %zu: write index stays 8-aligned",
			  lens[i]);
		memcpy(&trailer, r.data + 16 + padded, 8);
		CHECK_INT(trailer, 0, "len %zu: trailer holds start offset 0 << 32", lens[i]);
		CHECK(memcmp(r.data + 16 + lens[i], "\0\0\0\0\0\0\0", padded - lens[i]) == 0,
		      "len %zu: padding is zeroed", lens[i]);
		e = vmbus_ring_recv(&r, out, sizeof(out), &d, &len);
		CHECK_INT(e, 0, "len %zu: recv", lens[i]);
		CHECK_INT(len, 16 + padded, "len %zu: packet length with descriptor", lens[i]);
		CHECK_INT(d.type, VMBUS_PKT_DATA_INBAND, "len %zu: type", lens[i]);
		CHECK_INT(d.offset8, 2, "len %zu: offset8", lens[i]);
		CHECK_INT(d.len8, (16 + padded) / 8, "len %zu: len8", lens[i]);
		CHECK_INT(d.flags, 1, "len %zu: flags", lens[i]);
		CHECK(d.trans_id == 0x1122334455667788ull, "len %zu: trans_id", lens[i]);
		CHECK_MEM(out + 16, in, lens[i], "len %zu: payload", lens[i]);
		CHECK_INT(vmbus_ring_readable(&r), 0, "len %zu: trailer consumed too", lens[i]);
	}
}

static void test_wrap(void)
{
	struct vmbus_ring r;
	struct vmbus_pkt_desc d;
	uint8_t in[64], out[128];
	size_t len;
	uint64_t trailer;
	uint32_t start = DSIZE - 24;

	for (uint32_t shift = 0; shift <= 40; shift += 8) {
		fresh(&r);
		r.hdr->write_index = r.hdr->read_index = start - shift + 16;
		for (size_t k = 0; k < sizeof(in); k++)
			in[k] = (uint8_t)(k ^ shift);
		CHECK_INT(vmbus_ring_send(&r, 6, 0, 42, in, 40), 1, "wrap %u: send", shift);
		CHECK(r.hdr->write_index < r.hdr->read_index, "wrap %u: write index wrapped",
		      shift);
		memcpy(&trailer, r.data + (start - shift + 16 + 56) % DSIZE, 8);
		CHECK(trailer == (uint64_t)(start - shift + 16) << 32, "wrap %u: trailer", shift);
		CHECK_INT(vmbus_ring_recv(&r, out, sizeof(out), &d, &len), 0, "wrap %u: recv",
			  shift);
		CHECK_INT(len, 56, "wrap %u: length", shift);
		CHECK_INT(d.trans_id, 42, "wrap %u: descriptor read across the end", shift);
		CHECK_MEM(out + 16, in, 40, "wrap %u: payload read across the end", shift);
		CHECK_INT(r.hdr->read_index, r.hdr->write_index, "wrap %u: ring empty again",
			  shift);
	}
}

static void test_full(void)
{
	struct vmbus_ring r;
	struct vmbus_pkt_desc d;
	uint8_t in[8] = "12345678", out[64];
	size_t len;
	int sent = 0, e;

	fresh(&r);
	/* Each packet is 16 + 8 + 8 = 32 bytes; a writer needs more than 32 free: 7 fit. */
	while ((e = vmbus_ring_send(&r, 6, 0, (uint64_t)sent, in, sizeof(in))) >= 0)
		sent++;
	CHECK_INT(e, -EAGAIN, "a full ring refuses with EAGAIN");
	CHECK_INT(sent, 7, "seven 32-byte packets fit in 256 bytes, never all 256");
	CHECK(r.hdr->write_index != r.hdr->read_index, "a full ring never looks empty");
	CHECK_INT(vmbus_ring_recv(&r, out, sizeof(out), &d, &len), 0, "reader takes one");
	CHECK_INT(d.trans_id, 0, "oldest packet first");
	CHECK_INT(vmbus_ring_send(&r, 6, 0, 99, in, sizeof(in)), 0,
		  "room again; no signal since the ring was not empty");
	for (int i = 1; i <= 7; i++) {
		e = vmbus_ring_recv(&r, out, sizeof(out), &d, &len);
		CHECK(e == 0 && d.trans_id == (uint64_t)(i == 7 ? 99 : i), "packet %d in order", i);
	}
	CHECK_INT(vmbus_ring_readable(&r), 0, "drained");
	CHECK_INT(vmbus_ring_send(&r, 6, 0, 0, out, DSIZE), -EMSGSIZE, "too big for any ring");
}

static void test_signal(void)
{
	struct vmbus_ring r;
	uint8_t in[8] = { 0 };

	fresh(&r);
	vmbus_ring_set_interrupt_mask(&r, 1);
	CHECK_INT(vmbus_ring_send(&r, 6, 0, 0, in, 8), 0, "masked reader is not signalled");
	CHECK_INT(vmbus_ring_interrupt_mask(&r), 1, "mask reads back");
	fresh(&r);
	CHECK_INT(vmbus_ring_send(&r, 6, 0, 0, in, 8), 1, "first packet signals");
	CHECK_INT(vmbus_ring_send(&r, 6, 0, 0, in, 8), 0, "second packet does not");
}

static const struct {
	const char *what;
	uint32_t w, rd;
	uint16_t offset8, len8;
	int want;
} corrupt_cases[] = {
	/* clang-format off */
	{ "write index past the end",  DSIZE,     0, 2, 3, -EIO },
	{ "write index unaligned",     36,        0, 2, 3, -EIO },
	{ "read index past the end",   32,  DSIZE+8, 2, 3, -EIO },
	{ "offset8 below 2",           32,        0, 1, 3, -EIO },
	{ "offset8 above len8",        32,        0, 4, 3, -EIO },
	{ "len8 beyond readable",      32,        0, 2, 9, -EIO },
	{ "runt packet",                8,        0, 2, 1, -EIO },
	{ "sane packet",               32,        0, 2, 3, 0 },
	/* clang-format on */
};

static void test_corrupt(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(corrupt_cases); i++) {
		struct vmbus_ring r;
		struct vmbus_pkt_desc d;
		uint8_t out[64];
		size_t len;
		uint16_t f[2] = { corrupt_cases[i].offset8, corrupt_cases[i].len8 };

		fresh(&r);
		memcpy(r.data + 2, f, 4);
		r.hdr->write_index = corrupt_cases[i].w;
		r.hdr->read_index = corrupt_cases[i].rd;
		CHECK_INT(vmbus_ring_peek(&r, &d), corrupt_cases[i].want, "peek: %s",
			  corrupt_cases[i].what);
		CHECK_INT(vmbus_ring_recv(&r, out, sizeof(out), &d, &len), corrupt_cases[i].want,
			  "recv: %s", corrupt_cases[i].what);
		if (corrupt_cases[i].want < 0 && corrupt_cases[i].w < DSIZE &&
		    corrupt_cases[i].rd < DSIZE && corrupt_cases[i].w % 8 == 0) {
			CHECK(vmbus_ring_skip(&r) >= 0, "skip: %s", corrupt_cases[i].what);
			CHECK_INT(vmbus_ring_readable(&r), 0, "skip drops all after: %s",
				  corrupt_cases[i].what);
		}
	}
}

static void test_nobufs(void)
{
	struct vmbus_ring r;
	struct vmbus_pkt_desc d;
	uint8_t in[64] = { 1 }, out[32];
	size_t len;

	fresh(&r);
	CHECK_INT(vmbus_ring_send(&r, 6, 0, 1, in, 64), 1, "big packet sent");
	CHECK_INT(vmbus_ring_send(&r, 6, 0, 2, in, 8), 0, "small packet after it");
	CHECK_INT(vmbus_ring_recv(&r, out, sizeof(out), &d, &len), -ENOBUFS,
		  "too-small buffer gives ENOBUFS");
	CHECK_INT(vmbus_ring_readable(&r), 88 + 32, "ENOBUFS consumed nothing");
	CHECK_INT(vmbus_ring_skip(&r), 88, "skip drops exactly that packet");
	CHECK_INT(vmbus_ring_recv(&r, out, sizeof(out), &d, &len), 0, "next packet intact");
	CHECK_INT(d.trans_id, 2, "and it is the second one");
}

int main(void)
{
	test_init();
	test_empty();
	test_round_trip();
	test_wrap();
	test_full();
	test_signal();
	test_corrupt();
	test_nobufs();
	return tap_done();
}

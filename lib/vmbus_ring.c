/* SPDX-License-Identifier: MIT */
/*
 * vmbus_ring.c - reading and writing VMBus ring buffers, with every index and descriptor from
 * the peer checked before it is used.  No inline assembly: GCC atomics give the acquire and
 * release ordering the protocol needs.
 */
#include "vmbus_ring.h"

#include <errno.h>
#include <stddef.h>

_Static_assert(offsetof(struct vmbus_ring_hdr, interrupt_mask) == 8, "interrupt_mask at 8");
_Static_assert(offsetof(struct vmbus_ring_hdr, feature_bits) == 64, "feature_bits at 64");
_Static_assert(sizeof(struct vmbus_ring_hdr) == VMBUS_RING_HDR_USED, "header is 68 bytes");

#define PAD8(n) (((n) + 7) & ~(size_t)7)

int vmbus_ring_init(struct vmbus_ring *r, void *base, size_t ring_size, size_t hdr_size)
{
	size_t dsize;

	if (!base || hdr_size < VMBUS_RING_HDR_USED || hdr_size % 8 != 0 || ring_size <= hdr_size)
		return -EINVAL;
	dsize = ring_size - hdr_size;
	if (dsize % 8 != 0 || dsize > UINT32_MAX - 8 || dsize < 64)
		return -EINVAL;
	r->hdr = base;
	r->data = (uint8_t *)base + hdr_size;
	r->size = (uint32_t)dsize;
	return 0;
}

void vmbus_ring_reset(struct vmbus_ring *r)
{
	__atomic_store_n(&r->hdr->write_index, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&r->hdr->read_index, 0, __ATOMIC_RELEASE);
	r->hdr->interrupt_mask = 0;
	r->hdr->pending_send_sz = 0;
	r->hdr->feature_bits = 0;
}

/* Load both indices; -EIO when either is outside the data area or not 8-aligned. */
static int load_indices(const struct vmbus_ring *r, uint32_t *ret_w, uint32_t *ret_rd)
{
	uint32_t w = __atomic_load_n(&r->hdr->write_index, __ATOMIC_ACQUIRE);
	uint32_t rd = __atomic_load_n(&r->hdr->read_index, __ATOMIC_ACQUIRE);

	if (w >= r->size || rd >= r->size || w % 8 != 0 || rd % 8 != 0)
		return -EIO;
	*ret_w = w;
	*ret_rd = rd;
	return 0;
}

static uint32_t readable(const struct vmbus_ring *r, uint32_t w, uint32_t rd)
{
	return w >= rd ? w - rd : r->size - rd + w;
}

int vmbus_ring_readable(const struct vmbus_ring *r)
{
	uint32_t w, rd;
	int e = load_indices(r, &w, &rd);

	if (e < 0)
		return e;
	return (int)readable(r, w, rd);
}

/* Copy 'len' bytes out of the data area starting at 'off', wrapping at the end. */
static void copy_out(const struct vmbus_ring *r, uint32_t off, void *dst, size_t len)
{
	size_t first = MIN(len, (size_t)(r->size - off));

	memcpy(dst, r->data + off, first);
	if (len > first)
		memcpy((uint8_t *)dst + first, r->data, len - first);
}

static void copy_in(struct vmbus_ring *r, uint32_t off, const void *src, size_t len)
{
	size_t first = MIN(len, (size_t)(r->size - off));

	memcpy(r->data + off, src, first);
	if (len > first)
		memcpy(r->data, (const uint8_t *)src + first, len - first);
}

static uint32_t advance(const struct vmbus_ring *r, uint32_t off, size_t len)
{
	return (uint32_t)(((size_t)off + len) % r->size);
}

/* The next descriptor and the bytes readable; the shared checks of peek and recv. */
static int next_desc(const struct vmbus_ring *r, struct vmbus_pkt_desc *d, uint32_t *ret_rd,
		     uint32_t *ret_avail)
{
	uint8_t raw[VMBUS_PKT_DESC_SIZE];
	uint32_t w, rd, avail;
	int e = load_indices(r, &w, &rd);

	if (e < 0)
		return e;
	avail = readable(r, w, rd);
	if (avail == 0)
		return -EAGAIN;
	if (avail < VMBUS_PKT_DESC_SIZE + VMBUS_PKT_TRAILER)
		return -EIO; /* writers publish whole packets only */
	copy_out(r, rd, raw, sizeof(raw));
	memcpy(&d->type, raw, 2);
	memcpy(&d->offset8, raw + 2, 2);
	memcpy(&d->len8, raw + 4, 2);
	memcpy(&d->flags, raw + 6, 2);
	memcpy(&d->trans_id, raw + 8, 8);
	if (d->offset8 < 2 || d->offset8 > d->len8)
		return -EIO;
	if ((size_t)d->len8 * 8 + VMBUS_PKT_TRAILER > avail)
		return -EIO;
	*ret_rd = rd;
	*ret_avail = avail;
	return 0;
}

int vmbus_ring_peek(const struct vmbus_ring *r, struct vmbus_pkt_desc *ret)
{
	uint32_t rd, avail;

	return next_desc(r, ret, &rd, &avail);
}

int vmbus_ring_recv(struct vmbus_ring *r, void *buf, size_t size, struct vmbus_pkt_desc *ret_desc,
		    size_t *ret_len)
{
	struct vmbus_pkt_desc d;
	uint32_t rd, avail;
	size_t len;
	int e = next_desc(r, &d, &rd, &avail);

	if (e < 0)
		return e;
	len = (size_t)d.len8 * 8;
	if (len > size)
		return -ENOBUFS;
	copy_out(r, rd, buf, len);
	__atomic_store_n(&r->hdr->read_index, advance(r, rd, len + VMBUS_PKT_TRAILER),
			 __ATOMIC_RELEASE);
	*ret_desc = d;
	*ret_len = len;
	return 0;
}

int vmbus_ring_skip(struct vmbus_ring *r)
{
	struct vmbus_pkt_desc d;
	uint32_t w, rd, avail;
	int e = next_desc(r, &d, &rd, &avail);

	if (e == 0) {
		size_t len = (size_t)d.len8 * 8 + VMBUS_PKT_TRAILER;

		__atomic_store_n(&r->hdr->read_index, advance(r, rd, len), __ATOMIC_RELEASE);
		return (int)len;
	}
	if (e == -EAGAIN)
		return 0;
	/* A corrupt descriptor: nothing after it can be trusted to be a packet boundary. */
	e = load_indices(r, &w, &rd);
	if (e < 0)
		return e;
	__atomic_store_n(&r->hdr->read_index, w, __ATOMIC_RELEASE);
	return (int)readable(r, w, rd);
}

int vmbus_ring_send(struct vmbus_ring *r, uint16_t type, uint16_t flags, uint64_t trans_id,
		    const void *payload, size_t len)
{
	static const uint8_t zeros[8];
	uint8_t raw[VMBUS_PKT_DESC_SIZE];
	size_t body = VMBUS_PKT_DESC_SIZE + PAD8(len), total = body + VMBUS_PKT_TRAILER;
	uint16_t offset8 = 2, len8;
	uint32_t w, rd, used, pos;
	uint64_t trailer;
	int e;

	if (len > r->size || total >= r->size || body / 8 > UINT16_MAX)
		return -EMSGSIZE;
	e = load_indices(r, &w, &rd);
	if (e < 0)
		return e;
	used = readable(r, w, rd);
	if (r->size - used <= total)
		return -EAGAIN;
	len8 = (uint16_t)(body / 8);
	memcpy(raw, &type, 2);
	memcpy(raw + 2, &offset8, 2);
	memcpy(raw + 4, &len8, 2);
	memcpy(raw + 6, &flags, 2);
	memcpy(raw + 8, &trans_id, 8);
	pos = w;
	copy_in(r, pos, raw, sizeof(raw));
	pos = advance(r, pos, sizeof(raw));
	copy_in(r, pos, payload, len);
	pos = advance(r, pos, len);
	copy_in(r, pos, zeros, PAD8(len) - len);
	pos = advance(r, pos, PAD8(len) - len);
	trailer = (uint64_t)w << 32;
	copy_in(r, pos, &trailer, sizeof(trailer));
	pos = advance(r, pos, sizeof(trailer));
	__atomic_store_n(&r->hdr->write_index, pos, __ATOMIC_RELEASE);
	/* Order the index store before reading the mask (the reader does the mirror image). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&r->hdr->interrupt_mask, __ATOMIC_ACQUIRE) != 0)
		return 0;
	return used == 0 ? 1 : 0;
}

void vmbus_ring_set_interrupt_mask(struct vmbus_ring *r, uint32_t mask)
{
	__atomic_store_n(&r->hdr->interrupt_mask, mask, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

uint32_t vmbus_ring_interrupt_mask(const struct vmbus_ring *r)
{
	return __atomic_load_n(&r->hdr->interrupt_mask, __ATOMIC_ACQUIRE);
}

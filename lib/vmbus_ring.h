/* SPDX-License-Identifier: MIT */
/*
 * vmbus_ring.h - one direction of a VMBus channel: a ring buffer shared with the other side
 * (PROTOCOL.md 2.1, 2.2).  The same code serves the guest (hv-fcopyd on a UIO mapping) and the
 * simulated host (hv-sim), each reading one ring and writing the other.
 *
 * Layout: a header of 'hdr_size' bytes (the page size; the first 68 bytes carry the indices,
 * the interrupt mask and the feature bits) followed by the data area.  A packet is a 16-byte
 * descriptor, the payload padded to 8 bytes, then a u64 trailer holding the packet's start
 * offset shifted left by 32.  Indices are byte offsets into the data area; readable bytes are
 * (write - read) mod size; a writer needs strictly more free space than it writes, so a full
 * ring can never look empty.
 *
 * The peer is not trusted: indices and descriptors are checked before use and a corrupt ring
 * gives -EIO instead of an out-of-bounds access.  Memory ordering uses acquire loads and
 * release stores of the indices, which is all the protocol needs and works on any CPU.
 *
 * Ownership: struct vmbus_ring only points into memory the caller mapped.
 */
#ifndef HVGUEST_VMBUS_RING_H
#define HVGUEST_VMBUS_RING_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define VMBUS_PKT_DATA_INBAND 6
#define VMBUS_PKT_COMPLETION  11
#define VMBUS_PKT_DESC_SIZE   16
#define VMBUS_PKT_TRAILER     8
#define VMBUS_RING_HDR_USED   68 /* bytes of the header the protocol defines */

struct vmbus_pkt_desc {
	uint16_t type;
	uint16_t offset8; /* payload offset in 8-byte units */
	uint16_t len8;    /* whole packet length in 8-byte units */
	uint16_t flags;
	uint64_t trans_id;
};

struct vmbus_ring_hdr {
	uint32_t write_index;
	uint32_t read_index;
	uint32_t interrupt_mask;
	uint32_t pending_send_sz;
	uint32_t reserved1[12];
	uint32_t feature_bits;
};

struct vmbus_ring {
	struct vmbus_ring_hdr *hdr;
	uint8_t *data;
	uint32_t size; /* bytes of the data area */
};

/*
 * Point 'r' at a ring of 'ring_size' bytes at 'base' whose header is 'hdr_size' bytes.
 * -EINVAL unless the data area is non-empty, a multiple of 8 and below 4 GiB.
 */
int vmbus_ring_init(struct vmbus_ring *r, void *base, size_t ring_size,
		    size_t hdr_size) WARN_UNUSED;

/* Zero the indices, the mask and the feature bits (the host's job when a channel opens). */
void vmbus_ring_reset(struct vmbus_ring *r);

/* Bytes waiting to be read, or -EIO when the indices are corrupt. */
int vmbus_ring_readable(const struct vmbus_ring *r) WARN_UNUSED;

/*
 * Look at the next packet's descriptor without consuming it.  0 with *ret filled; -EAGAIN when
 * the ring is empty; -EIO when the descriptor or the indices are corrupt (offset8 < 2,
 * offset8 > len8, or a length beyond what is readable).
 */
int vmbus_ring_peek(const struct vmbus_ring *r, struct vmbus_pkt_desc *ret) WARN_UNUSED;

/*
 * Consume the next packet: copy its len8 * 8 bytes (descriptor included) into 'buf', skip the
 * trailer, publish the new read index.  *ret_len is the copied length; the payload starts at
 * desc.offset8 * 8.  Errors as vmbus_ring_peek, plus -ENOBUFS when 'size' is too small; on
 * every error nothing is consumed (see vmbus_ring_skip).
 */
int vmbus_ring_recv(struct vmbus_ring *r, void *buf, size_t size, struct vmbus_pkt_desc *ret_desc,
		    size_t *ret_len) WARN_UNUSED;

/*
 * Drop the next packet after vmbus_ring_recv refused it: skip it when its length is sane,
 * otherwise drop everything readable.  Returns the bytes dropped or -EIO.
 */
int vmbus_ring_skip(struct vmbus_ring *r) WARN_UNUSED;

/*
 * Write one packet with a 16-byte descriptor (offset8 = 2), 'len' payload bytes padded with
 * zeros to 8, and the trailer.  Returns 1 when the reader should be signalled (its interrupt
 * mask is clear and the ring was empty before), 0 when not, -EAGAIN when there is not room
 * now, -EMSGSIZE when the packet can never fit, -EIO when the indices are corrupt.
 */
int vmbus_ring_send(struct vmbus_ring *r, uint16_t type, uint16_t flags, uint64_t trans_id,
		    const void *payload, size_t len) WARN_UNUSED;

/* The reader's "don't interrupt me" flag. */
void vmbus_ring_set_interrupt_mask(struct vmbus_ring *r, uint32_t mask);
uint32_t vmbus_ring_interrupt_mask(const struct vmbus_ring *r);

#endif /* HVGUEST_VMBUS_RING_H */

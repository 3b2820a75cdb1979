/* SPDX-License-Identifier: MIT */
/*
 * icmsg.h - the framing in front of every integration-component (IC) message on a VMBus
 * channel: the 8-byte pipe header, the 20-byte IC header, the reply convention, and version
 * negotiation (PROTOCOL.md 2.3, 2.4).  Used by the UIO file-copy daemon and by the simulated
 * host that talks to it.
 *
 * All functions work on a payload buffer as received (little-endian wire fields, no
 * alignment needed) and never read or write outside the length they are given.
 */
#ifndef HVGUEST_ICMSG_H
#define HVGUEST_ICMSG_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define ICMSG_PIPE_HDR_SIZE 8
#define ICMSG_HDR_SIZE      28 /* pipe header + IC header: where the service message starts */
#define ICMSG_NEGO_HDR_SIZE 8  /* the two counts and the reserved u32 */
#define ICMSG_VERCNT_MAX    100

#define ICMSG_TYPE_NEGOTIATE 0
#define ICMSG_TYPE_HEARTBEAT 1
#define ICMSG_TYPE_KVP       2
#define ICMSG_TYPE_SHUTDOWN  3
#define ICMSG_TYPE_TIMESYNC  4
#define ICMSG_TYPE_VSS       5
#define ICMSG_TYPE_FCOPY     7

#define ICMSG_FLAG_TRANSACTION 1
#define ICMSG_FLAG_REQUEST     2
#define ICMSG_FLAG_RESPONSE    4

/* HRESULT status values (PROTOCOL.md 4.4); guarded so a program header may define them too. */
#ifndef HV_S_OK
#define HV_S_OK 0x00000000u
#endif
#ifndef HV_E_FAIL
#define HV_E_FAIL 0x80004005u
#endif
#ifndef HV_ERROR_NOT_SUPPORTED
#define HV_ERROR_NOT_SUPPORTED 0x80070032u
#endif
#ifndef HV_INVALIDARG
#define HV_INVALIDARG 0x80070057u
#endif
#ifndef HV_ERROR_ALREADY_EXISTS
#define HV_ERROR_ALREADY_EXISTS 0x80070050u
#endif
#ifndef HV_ERROR_DISK_FULL
#define HV_ERROR_DISK_FULL 0x80070070u
#endif

struct ic_version {
	uint16_t major;
	uint16_t minor;
};

struct icmsg_hdr {
	struct ic_version frame; /* icverframe */
	uint16_t msgtype;
	struct ic_version msgver; /* icvermsg */
	uint16_t msgsize;
	uint32_t status;
	uint8_t trans_id;
	uint8_t flags;
};

/* Decode the IC header of 'buf'; -EBADMSG when 'len' is below ICMSG_HDR_SIZE. */
int icmsg_parse(const void *buf, size_t len, struct icmsg_hdr *ret) WARN_UNUSED;

/*
 * Write the pipe header (flags 0, msgsize = len - 8) and the IC header 'h' at the start of
 * 'buf' of 'len' bytes; -EINVAL when len < ICMSG_HDR_SIZE.
 */
int icmsg_write_hdr(void *buf, size_t len, const struct icmsg_hdr *h) WARN_UNUSED;

/* Turn a request in 'buf' (at least ICMSG_HDR_SIZE bytes) into its reply, in place. */
void icmsg_set_response(void *buf, uint32_t status);

/*
 * Answer a NEGOTIATE request in place.  The guest's lists ('fw', 'srv') are in preference
 * order; the first of ours the host also offers wins.  Returns 0 with the chosen versions,
 * -ENOENT when there is no common pair (the reply then carries counts 0 and 0), -EBADMSG when
 * the request is malformed (counts above ICMSG_VERCNT_MAX, or the list longer than 'len');
 * on -EBADMSG the buffer is untouched.  The caller sets the status with icmsg_set_response.
 */
int icmsg_negotiate(void *buf, size_t len, const struct ic_version *fw, size_t nfw,
		    const struct ic_version *srv, size_t nsrv, struct ic_version *ret_fw,
		    struct ic_version *ret_srv) WARN_UNUSED;

/*
 * Build a NEGOTIATE request offering 'fw' and 'srv' (the host's side, for hv-sim) into 'buf'.
 * Returns the length, or -ENOBUFS.
 */
int icmsg_build_negotiate(void *buf, size_t size, const struct ic_version *fw, size_t nfw,
			  const struct ic_version *srv, size_t nsrv) WARN_UNUSED;

/* The chosen versions of a negotiate reply; -ENOENT when the guest accepted none. */
int icmsg_negotiate_result(const void *buf, size_t len, struct ic_version *ret_fw,
			   struct ic_version *ret_srv) WARN_UNUSED;

#endif /* HVGUEST_ICMSG_H */

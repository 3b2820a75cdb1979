/* SPDX-License-Identifier: MIT */
/*
 * icmsg.c - IC header encoding and version negotiation.  Every offset is checked against the
 * received length before it is touched: the host is an untrusted peer.
 */
#include "icmsg.h"

#include <errno.h>

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

/* Offsets inside the payload (pipe header first). */
enum {
	OFF_FRAME = 8,
	OFF_MSGTYPE = 12,
	OFF_MSGVER = 14,
	OFF_MSGSIZE = 18,
	OFF_STATUS = 20,
	OFF_TRANS = 24,
	OFF_FLAGS = 25,
	OFF_FRAMECNT = ICMSG_HDR_SIZE,
	OFF_MSGCNT = ICMSG_HDR_SIZE + 2,
	OFF_VERSIONS = ICMSG_HDR_SIZE + ICMSG_NEGO_HDR_SIZE,
};

int icmsg_parse(const void *buf, size_t len, struct icmsg_hdr *ret)
{
	const uint8_t *p = buf;

	if (len < ICMSG_HDR_SIZE)
		return -EBADMSG;
	ret->frame.major = get16(p + OFF_FRAME);
	ret->frame.minor = get16(p + OFF_FRAME + 2);
	ret->msgtype = get16(p + OFF_MSGTYPE);
	ret->msgver.major = get16(p + OFF_MSGVER);
	ret->msgver.minor = get16(p + OFF_MSGVER + 2);
	ret->msgsize = get16(p + OFF_MSGSIZE);
	ret->status = get32(p + OFF_STATUS);
	ret->trans_id = p[OFF_TRANS];
	ret->flags = p[OFF_FLAGS];
	return 0;
}

int icmsg_write_hdr(void *buf, size_t len, const struct icmsg_hdr *h)
{
	uint8_t *p = buf;

	if (len < ICMSG_HDR_SIZE || len - ICMSG_PIPE_HDR_SIZE > UINT32_MAX)
		return -EINVAL;
	put32(p, 0);
	put32(p + 4, (uint32_t)(len - ICMSG_PIPE_HDR_SIZE));
	put16(p + OFF_FRAME, h->frame.major);
	put16(p + OFF_FRAME + 2, h->frame.minor);
	put16(p + OFF_MSGTYPE, h->msgtype);
	put16(p + OFF_MSGVER, h->msgver.major);
	put16(p + OFF_MSGVER + 2, h->msgver.minor);
	put16(p + OFF_MSGSIZE, h->msgsize);
	put32(p + OFF_STATUS, h->status);
	p[OFF_TRANS] = h->trans_id;
	p[OFF_FLAGS] = h->flags;
	p[OFF_FLAGS + 1] = 0;
	p[OFF_FLAGS + 2] = 0;
	return 0;
}

void icmsg_set_response(void *buf, uint32_t status)
{
	uint8_t *p = buf;

	put32(p + OFF_STATUS, status);
	p[OFF_FLAGS] = ICMSG_FLAG_TRANSACTION | ICMSG_FLAG_RESPONSE;
}

static bool offered(const uint8_t *list, size_t n, struct ic_version v)
{
	for (size_t i = 0; i < n; i++)
		if (get16(list + 4 * i) == v.major && get16(list + 4 * i + 2) == v.minor)
			return true;
	return false;
}

int icmsg_negotiate(void *buf, size_t len, const struct ic_version *fw, size_t nfw,
		    const struct ic_version *srv, size_t nsrv, struct ic_version *ret_fw,
		    struct ic_version *ret_srv)
{
	uint8_t *p = buf;
	size_t nf, ns, i;
	const struct ic_version *cf = NULL, *cs = NULL;

	if (len < OFF_VERSIONS)
		return -EBADMSG;
	nf = get16(p + OFF_FRAMECNT);
	ns = get16(p + OFF_MSGCNT);
	if (nf > ICMSG_VERCNT_MAX || ns > ICMSG_VERCNT_MAX)
		return -EBADMSG;
	/* The reply needs room for two versions even when the host offered fewer. */
	if (len < OFF_VERSIONS + 4 * MAX(nf + ns, (size_t)2))
		return -EBADMSG;
	for (i = 0; i < nfw && !cf; i++)
		if (offered(p + OFF_VERSIONS, nf, fw[i]))
			cf = &fw[i];
	for (i = 0; i < nsrv && !cs; i++)
		if (offered(p + OFF_VERSIONS + 4 * nf, ns, srv[i]))
			cs = &srv[i];
	put16(p + OFF_MSGSIZE, 0x10);
	if (!cf || !cs) {
		put16(p + OFF_FRAMECNT, 0);
		put16(p + OFF_MSGCNT, 0);
		return -ENOENT;
	}
	put16(p + OFF_FRAMECNT, 1);
	put16(p + OFF_MSGCNT, 1);
	put16(p + OFF_VERSIONS, cf->major);
	put16(p + OFF_VERSIONS + 2, cf->minor);
	put16(p + OFF_VERSIONS + 4, cs->major);
	put16(p + OFF_VERSIONS + 6, cs->minor);
	*ret_fw = *cf;
	*ret_srv = *cs;
	return 0;
}

int icmsg_build_negotiate(void *buf, size_t size, const struct ic_version *fw, size_t nfw,
			  const struct ic_version *srv, size_t nsrv)
{
	uint8_t *p = buf;
	size_t len = OFF_VERSIONS + 4 * MAX(nfw + nsrv, (size_t)2), i;
	struct icmsg_hdr h = {
		.frame = { 3, 0 },
		.msgtype = ICMSG_TYPE_NEGOTIATE,
		.msgver = { 1, 1 },
		.msgsize = (uint16_t)(len - ICMSG_HDR_SIZE),
		.flags = ICMSG_FLAG_TRANSACTION | ICMSG_FLAG_REQUEST,
	};

	if (nfw > ICMSG_VERCNT_MAX || nsrv > ICMSG_VERCNT_MAX || len > size)
		return -ENOBUFS;
	memset(p, 0, len);
	if (icmsg_write_hdr(p, len, &h) < 0)
		return -ENOBUFS;
	put16(p + OFF_FRAMECNT, (uint16_t)nfw);
	put16(p + OFF_MSGCNT, (uint16_t)nsrv);
	for (i = 0; i < nfw; i++) {
		put16(p + OFF_VERSIONS + 4 * i, fw[i].major);
		put16(p + OFF_VERSIONS + 4 * i + 2, fw[i].minor);
	}
	for (i = 0; i < nsrv; i++) {
		put16(p + OFF_VERSIONS + 4 * (nfw + i), srv[i].major);
		put16(p + OFF_VERSIONS + 4 * (nfw + i) + 2, srv[i].minor);
	}
	return (int)len;
}

int icmsg_negotiate_result(const void *buf, size_t len, struct ic_version *ret_fw,
			   struct ic_version *ret_srv)
{
	const uint8_t *p = buf;

	if (len < OFF_VERSIONS + 8)
		return -EBADMSG;
	if (get16(p + OFF_FRAMECNT) != 1 || get16(p + OFF_MSGCNT) != 1)
		return -ENOENT;
	ret_fw->major = get16(p + OFF_VERSIONS);
	ret_fw->minor = get16(p + OFF_VERSIONS + 2);
	ret_srv->major = get16(p + OFF_VERSIONS + 4);
	ret_srv->minor = get16(p + OFF_VERSIONS + 6);
	return 0;
}

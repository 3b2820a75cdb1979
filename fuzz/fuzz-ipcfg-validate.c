/* SPDX-License-Identifier: MIT */
/*
 * fuzz-ipcfg-validate.c - the SET_IP_INFO validator on arbitrary bytes laid over struct
 * hv_kvp_ipaddr_value (short inputs are zero-padded, so NULs land anywhere).  It must never
 * overrun; when it accepts, every parsed value must be sane and every backend's rendering
 * must be free of anything a shell or a config parser could take as syntax.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ipcfg_int.h"
#include "ipcfg_validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef int render_fn(const struct ipcfg_req *, const struct ipcfg_if *, struct ipcfg_buf *);

static void check_text(const struct ipcfg_buf *b)
{
	size_t i;

	for (i = 0; i < b->len; i++) {
		unsigned char c = (unsigned char)b->s[i];

		if (c == '\r' || c == '$' || c == '`' || c == '|' || c == '&' || c == '\\' ||
		    c == '\'' || c >= 0x7f || (c < 0x20 && c != '\n' && c != '\t'))
			abort();
	}
	if (strlen(b->s) != b->len)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static render_fn *const renderers[] = { ipcfg_render_nm,       ipcfg_render_networkd,
						ipcfg_render_netplan,  ipcfg_render_ifcfg,
						ipcfg_render_ifupdown, ipcfg_render_ifcfg_ref };
	struct hv_kvp_ipaddr_value *v = calloc(1, sizeof(*v));
	struct ipcfg_req *req = malloc(sizeof(*req));
	struct ipcfg_if ifc = { .ifindex = 2, .name = "eth0", .mac = { 0, 0x15, 0x5d, 1, 2, 3 } };
	char why[IPCFG_WHY_MAX];
	size_t i;

	if (!v || !req)
		goto out;
	memcpy(v, data, MIN(size, sizeof(*v)));
	if (ipcfg_validate(v, req, why, sizeof(why)) != 0) {
		if (!memchr(why, '\0', sizeof(why)) || strchr(why, '\n'))
			abort();
		goto out;
	}
	if (req->n_addr > IPCFG_ADDR_MAX || req->n_gw > IPCFG_GW_MAX ||
	    req->n_dns > IPCFG_DNS_MAX || (!req->dhcp && req->n_addr == 0))
		abort();
	for (i = 0; i < req->n_addr; i++) {
		const struct ipcfg_ip *a = &req->addr[i];

		if (a->prefix < 1 || a->prefix > (a->family == AF_INET ? 32u : 128u))
			abort();
	}
	for (i = 0; i < sizeof(renderers) / sizeof(renderers[0]); i++) {
		struct ipcfg_buf b = { 0 };
		int r = renderers[i](req, &ifc, &b);

		if (r == 0)
			check_text(&b);
		else if (r != -ENOTSUP)
			abort();
		ipcfg_buf_free(&b);
	}
out:
	free(req);
	free(v);
	return 0;
}

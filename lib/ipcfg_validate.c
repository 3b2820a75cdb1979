/* SPDX-License-Identifier: MIT */
/*
 * ipcfg_validate.c - strict parsing of SET_IP_INFO requests into struct ipcfg_req.  Tokens
 * are copied into fixed buffers only after their length is checked (the reference copies a
 * token of up to 2048 bytes into a 46-byte stack buffer, PROTOCOL.md 11.1 item 1).
 */
#include "ipcfg_validate.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#define TOKEN_MAX (INET6_ADDRSTRLEN - 1) /* 45: the longest text form of an address */

static int fail(char *why, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(char *why, size_t size, const char *fmt, ...)
{
	va_list ap;

	if (why && size > 0) {
		va_start(ap, fmt);
		(void)vsnprintf(why, size, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* Printable, quoted-safe copy of at most 32 bytes of 's' (escapes anything odd). */
static const char *escape(const char *s, size_t len, char *buf, size_t size)
{
	size_t o = 0, i;

	for (i = 0; i < len && i < 32 && o + 5 < size; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x21 && c < 0x7f && c != '\'' && c != '\\')
			buf[o++] = (char)c;
		else
			o += (size_t)snprintf(buf + o, size - o, "\\x%02x", c);
	}
	if (i < len && o + 4 < size) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int ipcfg_parse_adapter(const char *s, size_t len, struct ipcfg_adapter *ret)
{
	size_t n = strnlen(s, len), i, o;
	const char *p = s;

	if (n == len)
		return -EINVAL; /* no NUL */
	memset(ret, 0, sizeof(*ret));
	if (n == 17) {
		char sep = s[2];

		if (sep != ':' && sep != '-')
			return -EINVAL;
		for (i = 0; i < 6; i++) {
			int hi = hexval(p[i * 3]), lo = hexval(p[i * 3 + 1]);

			if (hi < 0 || lo < 0 || (i < 5 && p[i * 3 + 2] != sep))
				return -EINVAL;
			ret->mac[i] = (uint8_t)(hi << 4 | lo);
		}
		ret->kind = IPCFG_ADAPTER_MAC;
		return 0;
	}
	if (n == 38) {
		if (s[0] != '{' || s[37] != '}')
			return -EINVAL;
		p = s + 1;
	} else if (n != 36) {
		return -EINVAL;
	}
	ret->guid[0] = '{';
	for (i = 0, o = 1; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? p[i] != '-' : hexval(p[i]) < 0)
			return -EINVAL;
		ret->guid[o++] = (char)(p[i] >= 'A' && p[i] <= 'F' ? p[i] - 'A' + 'a' : p[i]);
	}
	ret->guid[o++] = '}';
	ret->guid[o] = '\0';
	ret->kind = IPCFG_ADAPTER_GUID;
	return 0;
}

const char *ipcfg_ip_str(const struct ipcfg_ip *ip, char *buf, size_t size)
{
	if (!inet_ntop(ip->family, ip->a, buf, (socklen_t)size))
		(void)snprintf(buf, size, "?");
	return buf;
}

const char *ipcfg_mask_str(unsigned int prefix, char *buf, size_t size)
{
	uint32_t m = htonl((uint32_t)(0xffffffffull << (32 - MIN(prefix, 32u))));
	struct in_addr a = { .s_addr = m };

	if (!inet_ntop(AF_INET, &a, buf, (socklen_t)size))
		(void)snprintf(buf, size, "?");
	return buf;
}

bool ipcfg_ip_in_subnet(const struct ipcfg_ip *ip, const struct ipcfg_ip *net)
{
	unsigned int bits = net->prefix, i;

	if (ip->family != net->family)
		return false;
	for (i = 0; i < bits / 8; i++)
		if (ip->a[i] != net->a[i])
			return false;
	if (bits % 8) {
		uint8_t m = (uint8_t)(0xff << (8 - bits % 8));

		if ((ip->a[i] & m) != (net->a[i] & m))
			return false;
	}
	return true;
}

/* A field split into tokens (pointers into a private copy). */
struct tokens {
	char buf[2 * MAX_IP_ADDR_SIZE + 1];
	const char *tok[IPCFG_ADDR_MAX + 1];
	size_t n;
};

/*
 * Split the field 'name' ('size' bytes at 'raw') into at most 'max' tokens made only of
 * characters in 'allowed'.  More than 'max' is an error, not a truncation.
 */
static int split(const char *name, const void *raw, size_t size, const char *allowed, size_t max,
		 struct tokens *t, char *why, size_t why_size)
{
	const char *s = raw;
	size_t len = strnlen(s, size), i, start;
	char esc[160];

	if (len == size)
		return fail(why, why_size, "%s: not NUL-terminated", name);
	if (len >= sizeof(t->buf))
		return fail(why, why_size, "%s: too long", name);
	memcpy(t->buf, s, len + 1);
	t->n = 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)t->buf[i];

		if (c != ';' && c != ' ' && !strchr(allowed, c))
			return fail(why, why_size, "%s: character 0x%02x not allowed in '%s'", name,
				    c, escape(s, len, esc, sizeof(esc)));
	}
	for (start = 0; start <= len;) {
		size_t end = start, b, e;

		while (end < len && t->buf[end] != ';')
			end++;
		b = start;
		e = end;
		while (b < e && t->buf[b] == ' ')
			b++;
		while (e > b && t->buf[e - 1] == ' ')
			e--;
		if (b == e) {
			/* Empty: fine only as the whole field or after a final ';'. */
			if (end < len)
				return fail(why, why_size, "%s: empty entry in '%s'", name,
					    escape(s, len, esc, sizeof(esc)));
			break;
		}
		if (strchr(t->buf + b, ' ') && (size_t)(strchr(t->buf + b, ' ') - t->buf) < e)
			return fail(why, why_size, "%s: blank inside entry '%s'", name,
				    escape(t->buf + b, e - b, esc, sizeof(esc)));
		if (e - b > TOKEN_MAX)
			return fail(why, why_size,
				    "%s: entry %zu is %zu bytes long (limit %d): '%s'", name,
				    t->n + 1, e - b, TOKEN_MAX,
				    escape(t->buf + b, e - b, esc, sizeof(esc)));
		if (t->n >= max)
			return fail(why, why_size, "%s: more than %zu entries", name, max);
		t->buf[e] = '\0';
		t->tok[t->n++] = t->buf + b;
		if (end == len)
			break;
		start = end + 1;
	}
	return 0;
}

static bool parse_ip(const char *tok, struct ipcfg_ip *ip)
{
	memset(ip, 0, sizeof(*ip));
	if (inet_pton(AF_INET, tok, ip->a) == 1) {
		ip->family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, tok, ip->a) == 1) {
		ip->family = AF_INET6;
		return true;
	}
	return false;
}

/* NULL when 'ip' is a usable unicast address, else what is wrong with it. */
static const char *bad_unicast(const struct ipcfg_ip *ip, bool allow_ll)
{
	static const uint8_t zero[16], mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (ip->family == AF_INET) {
		if (ip->a[0] == 0)
			return "is in 0.0.0.0/8";
		if (ip->a[0] == 127)
			return "is a loopback address";
		if (ip->a[0] >= 224)
			return "is multicast, reserved or broadcast";
		return NULL;
	}
	if (memcmp(ip->a, zero, 16) == 0)
		return "is the unspecified address";
	if (memcmp(ip->a, zero, 15) == 0 && ip->a[15] == 1)
		return "is the loopback address";
	if (ip->a[0] == 0xff)
		return "is multicast";
	if (memcmp(ip->a, mapped, 12) == 0)
		return "is an IPv4-mapped address";
	if (!allow_ll && ip->a[0] == 0xfe && (ip->a[1] & 0xc0) == 0x80)
		return "is link-local";
	return NULL;
}

static int parse_prefix_num(const char *s, unsigned int max, unsigned int *ret)
{
	unsigned int v = 0;
	size_t i;

	if (*s == '/')
		s++;
	if (!*s || strlen(s) > 3)
		return -EINVAL;
	for (i = 0; s[i]; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (unsigned int)(s[i] - '0');
	}
	if (s[0] == '0' || v < 1 || v > max) /* no leading zeros, no /0 */
		return -EINVAL;
	*ret = v;
	return 0;
}

static int parse_mask(const char *tok, const struct ipcfg_ip *addr, unsigned int *ret)
{
	struct in_addr m;

	if (addr->family == AF_INET6) {
		if (strchr(tok, '.') || strchr(tok, ':'))
			return -EINVAL;
		return parse_prefix_num(tok, 128, ret);
	}
	if (strchr(tok, ':'))
		return -EINVAL;
	if (strchr(tok, '.')) {
		uint32_t h, inv;

		if (inet_pton(AF_INET, tok, &m) != 1)
			return -EINVAL;
		h = ntohl(m.s_addr);
		inv = ~h;
		if (h == 0 || (inv & (inv + 1)) != 0) /* must be 1...10...0 */
			return -EINVAL;
		*ret = (unsigned int)__builtin_popcount(h);
		return 0;
	}
	return parse_prefix_num(tok, 32, ret);
}

static bool same_ip(const struct ipcfg_ip *a, const struct ipcfg_ip *b)
{
	return a->family == b->family && memcmp(a->a, b->a, 16) == 0;
}

int ipcfg_validate(const struct hv_kvp_ipaddr_value *v, struct ipcfg_req *req, char *why,
		   size_t why_size)
{
	static const char addr_chars[] = "0123456789abcdefABCDEF.:";
	static const char mask_chars[] = "0123456789abcdefABCDEF.:/";
	struct tokens t;
	char esc[160];
	size_t i, j, n_v4 = 0;
	int r;

	memset(req, 0, sizeof(*req));
	if (why && why_size)
		why[0] = '\0';
	{
		const char *aid = (const char *)v->adapter_id;
		size_t alen = strnlen(aid, sizeof(v->adapter_id));

		if (ipcfg_parse_adapter(aid, sizeof(v->adapter_id), &req->adapter) < 0)
			return fail(why, why_size,
				    "adapter_id: '%s' is neither a MAC address nor an adapter GUID",
				    escape(aid, alen, esc, sizeof(esc)));
	}
	if (v->dhcp_enabled > 1)
		return fail(why, why_size, "dhcp_enabled: %u is not 0 or 1", v->dhcp_enabled);
	req->dhcp = v->dhcp_enabled == 1;
	if (v->addr_family > (ADDR_FAMILY_IPV4 | ADDR_FAMILY_IPV6))
		return fail(why, why_size, "addr_family: %u is not 0..3", v->addr_family);
	req->addr_family = v->addr_family;

	/* ip_addr */
	r = split("ip_addr", v->ip_addr, sizeof(v->ip_addr), addr_chars, IPCFG_ADDR_MAX, &t, why,
		  why_size);
	if (r)
		return r;
	for (i = 0; i < t.n; i++) {
		struct ipcfg_ip *ip = &req->addr[i];
		const char *bad;

		if (!parse_ip(t.tok[i], ip))
			return fail(why, why_size, "ip_addr: '%s' is not an IP address",
				    escape(t.tok[i], strlen(t.tok[i]), esc, sizeof(esc)));
		bad = bad_unicast(ip, false);
		if (bad)
			return fail(why, why_size, "ip_addr: %s %s", t.tok[i], bad);
		if ((v->addr_family == ADDR_FAMILY_IPV4 && ip->family != AF_INET) ||
		    (v->addr_family == ADDR_FAMILY_IPV6 && ip->family != AF_INET6))
			return fail(why, why_size, "ip_addr: %s does not match addr_family %u",
				    t.tok[i], v->addr_family);
		for (j = 0; j < i; j++)
			if (same_ip(ip, &req->addr[j]))
				return fail(why, why_size, "ip_addr: %s is listed twice", t.tok[i]);
		if (ip->family == AF_INET)
			n_v4++;
	}
	req->n_addr = t.n;

	/* sub_net, one per address */
	r = split("sub_net", v->sub_net, sizeof(v->sub_net), mask_chars, IPCFG_ADDR_MAX, &t, why,
		  why_size);
	if (r)
		return r;
	if (t.n != req->n_addr)
		return fail(why, why_size, "sub_net: %zu entries for %zu addresses", t.n,
			    req->n_addr);
	for (i = 0; i < t.n; i++) {
		struct ipcfg_ip *ip = &req->addr[i];
		char a[INET6_ADDRSTRLEN];

		if (parse_mask(t.tok[i], ip, &ip->prefix) < 0)
			return fail(why, why_size, "sub_net: '%s' is not a valid %s for %s",
				    escape(t.tok[i], strlen(t.tok[i]), esc, sizeof(esc)),
				    ip->family == AF_INET ? "IPv4 netmask or prefix (1-32)"
							  : "IPv6 prefix length (1-128)",
				    ipcfg_ip_str(ip, a, sizeof(a)));
		if (ip->family == AF_INET && ip->prefix < 31) {
			uint32_t h, m = (uint32_t)(0xffffffffull << (32 - ip->prefix));

			memcpy(&h, ip->a, 4);
			h = ntohl(h);
			if ((h & ~m) == 0 || (h & ~m) == ~m)
				return fail(
					why, why_size,
					"ip_addr: %s is the network or broadcast address of /%u",
					ipcfg_ip_str(ip, a, sizeof(a)), ip->prefix);
		}
	}

	/* gate_way */
	r = split("gate_way", v->gate_way, sizeof(v->gate_way), addr_chars, IPCFG_GW_MAX, &t, why,
		  why_size);
	if (r)
		return r;
	for (i = 0; i < t.n; i++) {
		struct ipcfg_ip *gw = &req->gw[i];
		const char *bad;
		bool onlink = false, ll;

		if (!parse_ip(t.tok[i], gw))
			return fail(why, why_size, "gate_way: '%s' is not an IP address",
				    escape(t.tok[i], strlen(t.tok[i]), esc, sizeof(esc)));
		bad = bad_unicast(gw, true);
		if (bad)
			return fail(why, why_size, "gate_way: %s %s", t.tok[i], bad);
		ll = gw->family == AF_INET6 && gw->a[0] == 0xfe && (gw->a[1] & 0xc0) == 0x80;
		for (j = 0; j < req->n_addr; j++) {
			if (same_ip(gw, &req->addr[j]))
				return fail(why, why_size,
					    "gate_way: %s is one of our own addresses", t.tok[i]);
			if (ipcfg_ip_in_subnet(gw, &req->addr[j]))
				onlink = true;
		}
		for (j = 0; j < i; j++)
			if (same_ip(gw, &req->gw[j]))
				return fail(why, why_size, "gate_way: %s is listed twice",
					    t.tok[i]);
		/* Off-link is fine only for an IPv4 gateway when DHCP gives the subnet. */
		if (!onlink && !ll && !(gw->family == AF_INET && req->dhcp && n_v4 == 0))
			return fail(why, why_size,
				    "gate_way: %s is not inside any of the given %s subnets",
				    t.tok[i], gw->family == AF_INET ? "IPv4" : "IPv6");
	}
	req->n_gw = t.n;

	/* dns_addr */
	r = split("dns_addr", v->dns_addr, sizeof(v->dns_addr), addr_chars, IPCFG_DNS_MAX, &t, why,
		  why_size);
	if (r)
		return r;
	for (i = 0; i < t.n; i++) {
		struct ipcfg_ip *d = &req->dns[i];
		const char *bad;

		if (!parse_ip(t.tok[i], d))
			return fail(why, why_size, "dns_addr: '%s' is not an IP address",
				    escape(t.tok[i], strlen(t.tok[i]), esc, sizeof(esc)));
		bad = bad_unicast(d, false);
		if (bad)
			return fail(why, why_size, "dns_addr: %s %s", t.tok[i], bad);
		for (j = 0; j < i; j++)
			if (same_ip(d, &req->dns[j]))
				return fail(why, why_size, "dns_addr: %s is listed twice",
					    t.tok[i]);
	}
	req->n_dns = t.n;

	if (!req->dhcp && req->n_addr == 0)
		return fail(why, why_size, "request has neither DHCP nor any address");
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * ipcfg.c - options, status mapping, the interface lookup and GET_IP_INFO: addresses and
 * default routes from rtnetlink, DNS servers from systemd-networkd's link state or
 * resolv.conf, DHCP from lease state (networkd leases, finite address lifetimes) and the
 * stack's configuration (ifcfg BOOTPROTO, ifupdown "inet dhcp").
 */
#include "ipcfg.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include "fs.h"
#include "ipcfg_int.h"

#define LINKS_MAX      512
#define SMALL_FILE_MAX (256 * 1024)

void ipcfg_buf_printf(struct ipcfg_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->failed)
		return;
	for (;;) {
		size_t room = b->cap - b->len;

		va_start(ap, fmt);
		n = vsnprintf(b->s ? b->s + b->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->failed = true;
			return;
		}
		if ((size_t)n < room) {
			b->len += (size_t)n;
			return;
		}
		{
			size_t cap = MAX(b->cap * 2, b->len + (size_t)n + 256);
			char *p = realloc(b->s, cap);

			if (!p) {
				b->failed = true;
				return;
			}
			b->s = p;
			b->cap = cap;
		}
	}
}

void ipcfg_buf_free(struct ipcfg_buf *b)
{
	free(b->s);
	memset(b, 0, sizeof(*b));
}

void ipcfg_opts_init(struct ipcfg_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->root = "/";
	o->backend = IPCFG_BACKEND_AUTO;
	o->activate = true;
}

static const char *const backend_names[] = {
	[IPCFG_BACKEND_AUTO] = "auto",       [IPCFG_BACKEND_NM] = "nm",
	[IPCFG_BACKEND_NETPLAN] = "netplan", [IPCFG_BACKEND_NETWORKD] = "networkd",
	[IPCFG_BACKEND_IFCFG] = "ifcfg",     [IPCFG_BACKEND_IFUPDOWN] = "ifupdown",
	[IPCFG_BACKEND_LIVE] = "live",       [IPCFG_BACKEND_SCRIPT] = "script",
};

const char *ipcfg_backend_name(enum ipcfg_backend b)
{
	if ((size_t)b < ARRAY_SIZE(backend_names))
		return backend_names[b];
	return "?";
}

int ipcfg_backend_parse(const char *s, enum ipcfg_backend *ret)
{
	size_t i;

	if (streq(s, "networkmanager") || streq(s, "NetworkManager")) {
		*ret = IPCFG_BACKEND_NM;
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(backend_names); i++)
		if (streq(s, backend_names[i])) {
			*ret = (enum ipcfg_backend)i;
			return 0;
		}
	return -EINVAL;
}

int ipcfg_opts_exclude(struct ipcfg_opts *o, const char *pattern)
{
	if (o->n_exclude >= IPCFG_EXCLUDE_MAX)
		return -E2BIG;
	o->exclude[o->n_exclude++] = pattern;
	return 0;
}

struct conf_ctx {
	struct ipcfg_opts o;
	char *err;
	size_t err_size;
};

static int conf_key(const char *key, const char *value, unsigned int line, void *data)
{
	struct conf_ctx *c = data;
	unsigned long long n;
	int r = 0;

	if (streq(key, "backend")) {
		r = ipcfg_backend_parse(value, &c->o.backend);
	} else if (streq(key, "dry_run") || streq(key, "activate")) {
		bool *b = streq(key, "dry_run") ? &c->o.dry_run : &c->o.activate;

		if (streq(value, "yes") || streq(value, "true") || streq(value, "on") ||
		    streq(value, "1"))
			*b = true;
		else if (streq(value, "no") || streq(value, "false") || streq(value, "off") ||
			 streq(value, "0"))
			*b = false;
		else
			r = -EINVAL;
	} else if (streq(key, "rollback_ms")) {
		r = parse_uint(value, IPCFG_ROLLBACK_MAX_MS, &n);
		if (r == 0)
			c->o.rollback_ms = (unsigned int)n;
	} else if (streq(key, "set_script") || streq(key, "backup_dir")) {
		if (value[0] != '/')
			r = -EINVAL;
		else if (streq(key, "set_script"))
			c->o.set_script = value;
		else
			c->o.backup_dir = value;
	} else if (streq(key, "exclude")) {
		r = value[0] ? ipcfg_opts_exclude(&c->o, value) : -EINVAL;
	} else {
		(void)snprintf(c->err, c->err_size, "ip.%s (line %u): unknown key", key, line);
		return -EINVAL;
	}
	if (r) {
		(void)snprintf(c->err, c->err_size, "ip.%s (line %u): bad value '%s'", key, line,
			       value);
		r = -EINVAL;
	}
	return r;
}

int ipcfg_opts_from_conf(struct ipcfg_opts *o, const struct conf *c, char *err, size_t err_size)
{
	struct conf_ctx ctx = { .o = *o, .err = err, .err_size = err_size };
	int r;

	if (err_size)
		err[0] = '\0';
	r = conf_foreach(c, "ip", conf_key, &ctx);
	if (r)
		return r < 0 ? r : -EINVAL;
	*o = ctx.o;
	return 0;
}

uint32_t ipcfg_status(enum ipcfg_op op, int r)
{
	switch (r) {
	case 0:
		return HV_S_OK;
	case -EINVAL:
		return HV_INVALIDARG;
	case -ENODEV:
		return op == IPCFG_OP_SET ? HV_GUID_NOTFOUND : HV_E_FAIL;
	case -EPERM:
	case -ENOTSUP:
		return IPCFG_HV_ERROR_NOT_SUPPORTED;
	case -ENOSPC:
	case -EDQUOT:
		return IPCFG_HV_ERROR_DISK_FULL;
	default:
		return HV_E_FAIL;
	}
}

const char *ipcfg_mac_str(const uint8_t mac[6], char *buf, size_t size)
{
	(void)snprintf(buf, size, "%02X:%02X:%02X:%02X:%02X:%02X", mac[0], mac[1], mac[2], mac[3],
		       mac[4], mac[5]);
	return buf;
}

int ipcfg_root_open(const struct ipcfg_opts *o)
{
	const char *root = o->root && o->root[0] ? o->root : "/";
	int fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

bool ipcfg_excluded(const struct ipcfg_opts *o, const struct ipcfg_if *ifc)
{
	char mac[32];
	size_t i;

	ipcfg_mac_str(ifc->mac, mac, sizeof(mac));
	for (i = 0; i < o->n_exclude; i++) {
		const char *p = o->exclude[i];

		if (!p)
			continue;
		if (fnmatch(p, ifc->name, 0) == 0 || strcasecmp(p, mac) == 0)
			return true;
	}
	return false;
}

/* -- the interface lookup ------------------------------------------------------------- */

struct link_list {
	struct nl_link l[LINKS_MAX];
	bool has_addr[LINKS_MAX];
	size_t n;
};

static int collect_link(const struct nl_link *l, void *data)
{
	struct link_list *ll = data;

	if (ll->n < LINKS_MAX)
		ll->l[ll->n++] = *l;
	return 0;
}

static int mark_addr(const struct nl_addr *a, void *data)
{
	struct link_list *ll = data;
	size_t i;

	if (a->scope >= RT_SCOPE_LINK)
		return 0;
	for (i = 0; i < ll->n; i++)
		if (ll->l[i].ifindex == a->ifindex)
			ll->has_addr[i] = true;
	return 0;
}

/* Compare the device_id of 'name' under 'rootfd' with 'guid' (lower case, braced). */
static bool guid_matches(int rootfd, const char *name, const char *guid)
{
	char path[128], *buf = NULL;
	size_t len = 0, i;
	bool ok = false;

	if (snprintf(path, sizeof(path), "sys/class/net/%s/device/device_id", name) >=
	    (int)sizeof(path))
		return false;
	if (fs_read_file_at(rootfd, path, 256, &buf, &len) < 0)
		return false;
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		buf[--len] = '\0';
	for (i = 0; i < len; i++)
		if (buf[i] >= 'A' && buf[i] <= 'F')
			buf[i] = (char)(buf[i] - 'A' + 'a');
	if (buf[0] == '{')
		ok = streq(buf, guid);
	else
		ok = len == 36 && strncmp(buf, guid + 1, 36) == 0;
	free(buf);
	return ok;
}

int ipcfg_find_if(struct nl *nl, int rootfd, const struct ipcfg_adapter *a, struct ipcfg_if *ret)
{
	struct link_list *ll = calloc(1, sizeof(*ll));
	bool match[LINKS_MAX] = { false };
	size_t i, j, best = SIZE_MAX;
	int best_score = -1, r;

	if (!ll)
		return -ENOMEM;
	r = nl_links(nl, collect_link, ll);
	if (r == 0)
		r = nl_addrs(nl, AF_UNSPEC, mark_addr, ll);
	if (r)
		goto out;
	for (i = 0; i < ll->n; i++) {
		const struct nl_link *l = &ll->l[i];

		if (a->kind == IPCFG_ADAPTER_MAC)
			match[i] = l->mac_len == 6 && memcmp(l->mac, a->mac, 6) == 0;
		else
			match[i] = guid_matches(rootfd, l->name, a->guid);
	}
	for (i = 0; i < ll->n; i++) {
		int score = 0;
		bool slave = false;

		if (!match[i])
			continue;
		/* An SR-IOV VF is enslaved to the synthetic NIC with the same MAC. */
		for (j = 0; j < ll->n; j++)
			if (match[j] && j != i && ll->l[i].master == ll->l[j].ifindex)
				slave = true;
		score = (slave ? 0 : 2) + (ll->has_addr[i] ? 1 : 0);
		if (score > best_score) {
			best_score = score;
			best = i;
		}
	}
	if (best == SIZE_MAX) {
		r = -ENODEV;
		goto out;
	}
	memset(ret, 0, sizeof(*ret));
	ret->ifindex = ll->l[best].ifindex;
	memcpy(ret->name, ll->l[best].name, sizeof(ret->name));
	if (ll->l[best].mac_len == 6)
		memcpy(ret->mac, ll->l[best].mac, 6);
	ret->flags = ll->l[best].flags;
out:
	free(ll);
	return r;
}

/* -- GET_IP_INFO ---------------------------------------------------------------------- */

/* A ';'-list in a field of 'size' bytes, never cut inside an entry. */
struct field {
	char *s;
	size_t size, len;
};

static void field_add(struct field *f, const char *entry, bool sep_before, bool sep_after)
{
	size_t n = strlen(entry) + (sep_before && f->len ? 1 : 0) + (sep_after ? 1 : 0);

	if (f->len + n + 1 > f->size)
		return; /* does not fit whole: left out */
	(void)snprintf(f->s + f->len, f->size - f->len, "%s%s%s", sep_before && f->len ? ";" : "",
		       entry, sep_after ? ";" : "");
	f->len += n;
}

struct get_ctx {
	int ifindex;
	struct field ip, mask, gw, dns;
	uint8_t family;
	bool dynamic_v4;
	struct ipcfg_ip gws[16];
	size_t n_gws;
};

static int get_addr(const struct nl_addr *a, void *data)
{
	struct get_ctx *c = data;
	char txt[INET6_ADDRSTRLEN], mask[24];

	/* Like the reference (and Windows guests), IPv6 link-local addresses are listed. */
	if (a->ifindex != c->ifindex || a->scope >= RT_SCOPE_HOST)
		return 0;
	if (!inet_ntop(a->family, a->addr, txt, sizeof(txt)))
		return 0;
	if (a->family == AF_INET) {
		ipcfg_mask_str(a->prefix, mask, sizeof(mask));
		if (!(a->flags & IFA_F_PERMANENT) && a->valid_lft != UINT32_MAX)
			c->dynamic_v4 = true;
		c->family |= ADDR_FAMILY_IPV4;
	} else {
		(void)snprintf(mask, sizeof(mask), "/%u", a->prefix);
		c->family |= ADDR_FAMILY_IPV6;
	}
	/* Both lists must stay in step: add the pair only if both fit. */
	if (c->ip.len + strlen(txt) + 2 > c->ip.size ||
	    c->mask.len + strlen(mask) + 2 > c->mask.size)
		return 0;
	field_add(&c->ip, txt, true, false);
	field_add(&c->mask, mask, true, false);
	return 0;
}

static int get_route(const struct nl_route *r, void *data)
{
	struct get_ctx *c = data;
	struct ipcfg_ip g = { .family = r->family };
	char txt[INET6_ADDRSTRLEN];
	size_t i;

	if (r->oif != c->ifindex || r->dst_len != 0 || !r->has_gw || r->type != RTN_UNICAST)
		return 0;
	memcpy(g.a, r->gw, nl_family_len(r->family));
	for (i = 0; i < c->n_gws; i++)
		if (memcmp(c->gws[i].a, g.a, 16) == 0 && c->gws[i].family == g.family)
			return 0;
	if (c->n_gws < ARRAY_SIZE(c->gws))
		c->gws[c->n_gws++] = g;
	field_add(&c->gw, ipcfg_ip_str(&g, txt, sizeof(txt)), false, true);
	return 0;
}

/* Add the addresses in 'list' (separated by blanks) to the DNS field; count them. */
static size_t dns_add_words(struct get_ctx *c, char *list)
{
	size_t n = 0;
	char *save = NULL, *w;

	for (w = strtok_r(list, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		uint8_t tmp[16];
		char *pct = strchr(w, '%'), *hash = strchr(w, '#');

		if (pct)
			*pct = '\0'; /* fe80::1%eth0 */
		if (hash)
			*hash = '\0'; /* resolved's "addr#server-name" */
		if (inet_pton(AF_INET, w, tmp) != 1 && inet_pton(AF_INET6, w, tmp) != 1)
			continue;
		field_add(&c->dns, w, false, true);
		n++;
	}
	return n;
}

/* Value of "KEY=value" lines in an env-style file, copied into 'out'; false if none. */
static bool env_value(char *buf, const char *key, char *out, size_t size)
{
	size_t klen = strlen(key);
	char *line, *save = NULL;

	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, key, klen) == 0 && line[klen] == '=') {
			char *v = line + klen + 1;
			size_t n = strlen(v);

			if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
				v[n - 1] = '\0';
				v++;
			}
			return str_copy(out, size, v) == 0;
		}
	}
	return false;
}

static void get_dns(struct get_ctx *c, int rootfd)
{
	static const char *const resolv[] = { "etc/resolv.conf", "run/systemd/resolve/resolv.conf",
					      "run/NetworkManager/no-stub-resolv.conf" };
	char path[96], *buf = NULL, val[1024];
	size_t len, i;

	/* systemd-networkd's per-link state: "DNS=a b c". */
	(void)snprintf(path, sizeof(path), "run/systemd/netif/links/%d", c->ifindex);
	if (fs_read_file_at(rootfd, path, SMALL_FILE_MAX, &buf, &len) == 0) {
		bool ok = env_value(buf, "DNS", val, sizeof(val));

		free(buf);
		buf = NULL;
		if (ok && dns_add_words(c, val) > 0)
			return;
	}
	/* resolv.conf; when it only names the local stub, resolved's upstream list, then
	 * NetworkManager's (it writes one even when resolved does the resolving). */
	for (i = 0; i < ARRAY_SIZE(resolv); i++) {
		char *line, *save = NULL;
		size_t before = c->dns.len;
		bool stub_only = true, any = false;

		if (fs_read_file_at(rootfd, resolv[i], SMALL_FILE_MAX, &buf, &len) < 0)
			continue;
		for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			char *p = line;

			while (*p == ' ' || *p == '\t')
				p++;
			if (strncmp(p, "nameserver", 10) != 0 || (p[10] != ' ' && p[10] != '\t'))
				continue;
			p += 11;
			while (*p == ' ' || *p == '\t')
				p++;
			p[strcspn(p, " \t#;")] = '\0';
			any = true;
			if (!streq(p, "127.0.0.53") && !streq(p, "127.0.0.54"))
				stub_only = false;
			else
				continue;
			(void)dns_add_words(c, p);
		}
		free(buf);
		buf = NULL;
		if (c->dns.len > before || (any && !stub_only))
			return;
	}
}

static bool file_has_word_line(int rootfd, const char *path, const char *const words[],
			       size_t n_words)
{
	char *buf = NULL, *line, *save = NULL;
	size_t len;
	bool found = false;

	if (fs_read_file_at(rootfd, path, SMALL_FILE_MAX, &buf, &len) < 0)
		return false;
	for (line = strtok_r(buf, "\n", &save); line && !found;
	     line = strtok_r(NULL, "\n", &save)) {
		char *ws = NULL, *w;
		size_t i = 0;

		for (w = strtok_r(line, " \t", &ws); w && i < n_words;
		     w = strtok_r(NULL, " \t", &ws))
			if (!streq(w, words[i++]))
				break;
		if (!w && i == n_words)
			found = true;
	}
	free(buf);
	return found;
}

static bool get_dhcp(struct get_ctx *c, int rootfd, const char *ifname)
{
	char path[128], *buf = NULL, val[64];
	size_t len;
	const char *words[] = { "iface", ifname, "inet", "dhcp" };

	if (c->dynamic_v4)
		return true; /* an address with a lease lifetime */
	(void)snprintf(path, sizeof(path), "run/systemd/netif/leases/%d", c->ifindex);
	if (faccessat(rootfd, path, F_OK, 0) == 0)
		return true;
	(void)snprintf(path, sizeof(path), "etc/sysconfig/network-scripts/ifcfg-%s", ifname);
	if (fs_read_file_at(rootfd, path, SMALL_FILE_MAX, &buf, &len) == 0) {
		bool dhcp = env_value(buf, "BOOTPROTO", val, sizeof(val)) &&
			    (streq(val, "dhcp") || streq(val, "bootp"));

		free(buf);
		if (dhcp)
			return true;
	}
	if (file_has_word_line(rootfd, "etc/network/interfaces", words, ARRAY_SIZE(words)))
		return true;
	(void)snprintf(path, sizeof(path), "etc/network/interfaces.d/%s", ifname);
	return file_has_word_line(rootfd, path, words, ARRAY_SIZE(words));
}

int ipcfg_get(const struct ipcfg_opts *o, struct hv_kvp_ipaddr_value *v)
{
	struct ipcfg_adapter ad;
	struct ipcfg_if ifc;
	struct get_ctx *c;
	struct nl nl;
	int rootfd, r;

	r = ipcfg_parse_adapter((const char *)v->adapter_id, sizeof(v->adapter_id), &ad);
	if (r)
		return r;
	rootfd = ipcfg_root_open(o);
	if (rootfd < 0)
		return rootfd;
	r = nl_open(&nl);
	if (r)
		goto out_root;
	r = ipcfg_find_if(&nl, rootfd, &ad, &ifc);
	if (r)
		goto out_nl;
	c = calloc(1, sizeof(*c));
	if (!c) {
		r = -ENOMEM;
		goto out_nl;
	}
	v->addr_family = 0;
	v->dhcp_enabled = 0;
	memset(v->ip_addr, 0, sizeof(v->ip_addr));
	memset(v->sub_net, 0, sizeof(v->sub_net));
	memset(v->gate_way, 0, sizeof(v->gate_way));
	memset(v->dns_addr, 0, sizeof(v->dns_addr));
	/* The host's fields hold MAX_*_SIZE UTF-16 units with the NUL; ASCII maps 1:1. */
	c->ifindex = ifc.ifindex;
	c->ip = (struct field){ .s = (char *)v->ip_addr, .size = MAX_IP_ADDR_SIZE };
	c->mask = (struct field){ .s = (char *)v->sub_net, .size = MAX_IP_ADDR_SIZE };
	c->gw = (struct field){ .s = (char *)v->gate_way, .size = MAX_GATEWAY_SIZE };
	c->dns = (struct field){ .s = (char *)v->dns_addr, .size = MAX_IP_ADDR_SIZE };
	r = nl_addrs(&nl, AF_UNSPEC, get_addr, c);
	if (r == 0)
		r = nl_routes(&nl, AF_INET, get_route, c);
	if (r == 0)
		r = nl_routes(&nl, AF_INET6, get_route, c);
	if (r == 0) {
		get_dns(c, rootfd);
		v->dhcp_enabled = get_dhcp(c, rootfd, ifc.name) ? 1 : 0;
		v->addr_family = c->family;
	}
	free(c);
out_nl:
	nl_close(&nl);
out_root:
	close(rootfd);
	return r;
}

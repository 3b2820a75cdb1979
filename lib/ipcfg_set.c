/* SPDX-License-Identifier: MIT */
/*
 * ipcfg_set.c - SET_IP_INFO: validate, find the interface, check policy, detect the network
 * stack that owns it, write its files (backup first, then fs_replace_at), make the change
 * live (netlink, or the stack's own tool spawned with an argument vector), and roll back
 * when the new gateway does not answer within the bound.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "fs.h"
#include "ipcfg_int.h"

#define FILE_MAX        (1024 * 1024)
#define FILES_MAX       2
#define SNAP_MAX        64
#define PROBE_STEP_MS   100
#define UNDO_RESERVE_MS 3000 /* kept back from the probe for an undo */

extern char **environ;

struct plan_file {
	char path[256]; /* relative to root */
	mode_t mode;
	struct ipcfg_buf text;
	char *old; /* previous content, NULL when there was none */
	size_t old_len;
	bool written;
};

struct snap {
	struct nl_addr addr[SNAP_MAX];
	size_t n_addr;
	struct nl_route route[SNAP_MAX];
	size_t n_route;
};

struct set_ctx {
	const struct ipcfg_opts *o;
	int rootfd;
	struct nl nl;
	struct ipcfg_req req;
	struct ipcfg_if ifc;
	enum ipcfg_backend backend;
	struct plan_file files[FILES_MAX];
	size_t n_files;
	struct snap before;
	bool live_changed;
	bool tool_ran;        /* a stack's own tool saw the new files */
	uint64_t deadline_ms; /* the whole SET, see IPCFG_SET_BUDGET_MS */
	char *why;
	size_t why_size;
};

static int say(struct set_ctx *c, int r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int say(struct set_ctx *c, int r, const char *fmt, ...)
{
	va_list ap;

	if (c->why && c->why_size) {
		va_start(ap, fmt);
		(void)vsnprintf(c->why, c->why_size, fmt, ap);
		va_end(ap);
	}
	return r;
}

static bool name_is_safe(const char *n)
{
	size_t i;

	if (!n[0] || n[0] == '.' || n[0] == '-')
		return false;
	for (i = 0; n[i]; i++) {
		char ch = n[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-'))
			return false;
	}
	return true;
}

/* -- detection ------------------------------------------------------------------------- */

static bool read_small(int rootfd, const char *path, char **buf)
{
	size_t len;

	return fs_read_file_at(rootfd, path, FILE_MAX, buf, &len) == 0;
}

/* Does any regular file in 'dir' ending in 'suffix' contain one of the needles? */
static bool dir_mentions_at(int rootfd, const char *dir, const char *suffix,
			    const char *const *needles, size_t n_needles, bool icase,
			    char *found_path, size_t found_size);

static bool dir_mentions(int rootfd, const char *dir, const char *suffix,
			 const char *const *needles, size_t n_needles, bool icase)
{
	return dir_mentions_at(rootfd, dir, suffix, needles, n_needles, icase, NULL, 0);
}

/* As dir_mentions(), and the path (relative to the root) of the file that matched. */
static bool dir_mentions_at(int rootfd, const char *dir, const char *suffix,
			    const char *const *needles, size_t n_needles, bool icase,
			    char *found_path, size_t found_size)
{
	int fd = openat(rootfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;
	struct dirent *de;
	bool found = false;

	if (fd < 0)
		return false;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return false;
	}
	while (!found && (de = readdir(d))) {
		size_t nl = strlen(de->d_name), sl = strlen(suffix), i;
		char *buf = NULL, path[512];

		if (de->d_name[0] == '.' || nl < sl || strcmp(de->d_name + nl - sl, suffix) != 0)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= (int)sizeof(path))
			continue;
		if (!read_small(rootfd, path, &buf))
			continue;
		for (i = 0; i < n_needles && !found; i++)
			found = icase ? strcasestr(buf, needles[i]) != NULL
				      : strstr(buf, needles[i]) != NULL;
		if (found && found_path && str_copy(found_path, found_size, path) < 0)
			found = false; /* a path that does not fit is no match */
		free(buf);
	}
	closedir(d);
	return found;
}

/*
 * The ifupdown file that holds the interface's stanza: /etc/network/interfaces, or a file of
 * /etc/network/interfaces.d.  False when neither mentions it ('path' is then the main file).
 */
static bool ifupdown_file(struct set_ctx *c, char *path, size_t size)
{
	char needle[64], *buf = NULL;
	const char *nd[1] = { needle };
	bool has = false;

	(void)snprintf(needle, sizeof(needle), "iface %s ", c->ifc.name);
	(void)snprintf(path, size, "etc/network/interfaces");
	if (read_small(c->rootfd, path, &buf)) {
		has = strstr(buf, needle) != NULL;
		free(buf);
	}
	if (has)
		return true;
	if (dir_mentions_at(c->rootfd, "etc/network/interfaces.d", "", nd, 1, false, path, size))
		return true;
	(void)snprintf(path, size, "etc/network/interfaces");
	return false;
}

static enum ipcfg_backend detect(struct set_ctx *c)
{
	char mac[32], macl[32], n1[64], n2[64], n3[64], path[128], *buf = NULL;
	const struct ipcfg_if *ifc = &c->ifc;
	size_t i;

	ipcfg_mac_str(ifc->mac, mac, sizeof(mac));
	for (i = 0; i <= strlen(mac); i++)
		macl[i] = (char)(mac[i] >= 'A' && mac[i] <= 'F' ? mac[i] - 'A' + 'a' : mac[i]);

	/* netplan: a YAML naming the interface ("eth0:") or its MAC. */
	(void)snprintf(n1, sizeof(n1), " %s:", ifc->name);
	{
		const char *nd[] = { n1, macl };

		if (dir_mentions(c->rootfd, "etc/netplan", ".yaml", nd, 2, true))
			return IPCFG_BACKEND_NETPLAN;
	}
	/* NetworkManager: its device state, or a keyfile for the interface. */
	(void)snprintf(path, sizeof(path), "run/NetworkManager/devices/%d", ifc->ifindex);
	if (read_small(c->rootfd, path, &buf)) {
		bool managed = strstr(buf, "managed=true") != NULL;

		free(buf);
		buf = NULL;
		if (managed)
			return IPCFG_BACKEND_NM;
	}
	(void)snprintf(n1, sizeof(n1), "interface-name=%s\n", ifc->name);
	(void)snprintf(n2, sizeof(n2), "mac-address=%s", mac);
	{
		const char *nd[] = { n1, n2 };

		if (dir_mentions(c->rootfd, "etc/NetworkManager/system-connections",
				 ".nmconnection", nd, 2, true))
			return IPCFG_BACKEND_NM;
	}
	/* systemd-networkd: its link state names a .network file, or one in /etc matches. */
	(void)snprintf(path, sizeof(path), "run/systemd/netif/links/%d", ifc->ifindex);
	if (read_small(c->rootfd, path, &buf)) {
		char *p = strstr(buf, "NETWORK_FILE=");
		bool owned = p && p[13] && p[13] != '\n';

		free(buf);
		buf = NULL;
		if (owned)
			return IPCFG_BACKEND_NETWORKD;
	}
	(void)snprintf(n1, sizeof(n1), "Name=%s\n", ifc->name);
	(void)snprintf(n2, sizeof(n2), "MACAddress=%s", mac);
	(void)snprintf(n3, sizeof(n3), "Name=%s ", ifc->name);
	{
		const char *nd[] = { n1, n2, n3 };

		if (dir_mentions(c->rootfd, "etc/systemd/network", ".network", nd, 3, false) ||
		    dir_mentions(c->rootfd, "etc/systemd/network", ".network", nd + 1, 1, true))
			return IPCFG_BACKEND_NETWORKD;
	}
	/* RHEL ifcfg. */
	(void)snprintf(path, sizeof(path), "etc/sysconfig/network-scripts/ifcfg-%s", ifc->name);
	if (faccessat(c->rootfd, path, F_OK, 0) == 0 ||
	    faccessat(c->rootfd, "etc/sysconfig/network-scripts", F_OK, 0) == 0)
		return IPCFG_BACKEND_IFCFG;
	/* ifupdown. */
	if (ifupdown_file(c, path, sizeof(path)))
		return IPCFG_BACKEND_IFUPDOWN;
	return IPCFG_BACKEND_LIVE;
}

/* -- planning --------------------------------------------------------------------------- */

static struct plan_file *plan_add(struct set_ctx *c, const char *path, mode_t mode)
{
	struct plan_file *f = &c->files[c->n_files++];

	(void)snprintf(f->path, sizeof(f->path), "%s", path);
	f->mode = mode;
	return f;
}

/* Copy the word at 's' (after any blanks) into 'word'; returns where the copy stopped. */
static const char *take_word(const char *s, char *word, size_t size)
{
	size_t k = 0;

	s += strspn(s, " \t");
	while (k < size - 1 && s[k] && s[k] != ' ' && s[k] != '\t' && s[k] != '\n') {
		word[k] = s[k];
		k++;
	}
	word[k] = '\0';
	return s + k;
}

/* Remove the stanzas of 'ifname' (and its auto/allow- lines) from an interfaces file. */
static void strip_ifupdown(const char *in, const char *ifname, struct ipcfg_buf *out)
{
	const char *p = in;
	bool skipping = false;

	while (*p) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p + 1) : strlen(p);
		const char *q = p + strspn(p, " \t"), *rest;
		char first[32], second[64];
		bool drop_line = false;

		rest = take_word(q, first, sizeof(first));
		if (q == p && first[0]) {
			/* A top-level keyword ends any stanza. */
			rest = take_word(rest, second, sizeof(second));
			skipping = streq(first, "iface") && streq(second, ifname);
			/* "auto IF" alone on its line opens no stanza: drop just that line. */
			drop_line = (streq(first, "auto") || strncmp(first, "allow-", 6) == 0) &&
				    streq(second, ifname) && *rest != ' ' && *rest != '\t';
		}
		if (!skipping && !drop_line)
			ipcfg_buf_printf(out, "%.*s", (int)len, p);
		p += len;
	}
	if (out->len > 0 && out->s[out->len - 1] != '\n')
		ipcfg_buf_printf(out, "\n");
}

static int plan(struct set_ctx *c)
{
	const char *n = c->ifc.name;
	char path[256];
	struct plan_file *f;
	int r = 0;

	switch (c->backend) {
	case IPCFG_BACKEND_NM:
		(void)snprintf(path, sizeof(path),
			       "etc/NetworkManager/system-connections/hvguest-%s.nmconnection", n);
		f = plan_add(c, path, 0600);
		r = ipcfg_render_nm(&c->req, &c->ifc, &f->text);
		break;
	case IPCFG_BACKEND_NETPLAN:
		(void)snprintf(path, sizeof(path), "etc/netplan/90-hvguest-%s.yaml", n);
		f = plan_add(c, path, 0600);
		r = ipcfg_render_netplan(&c->req, &c->ifc, &f->text);
		break;
	case IPCFG_BACKEND_NETWORKD:
		(void)snprintf(path, sizeof(path), "etc/systemd/network/10-hvguest-%s.network", n);
		f = plan_add(c, path, 0644);
		r = ipcfg_render_networkd(&c->req, &c->ifc, &f->text);
		break;
	case IPCFG_BACKEND_IFCFG:
		(void)snprintf(path, sizeof(path), "etc/sysconfig/network-scripts/ifcfg-%s", n);
		f = plan_add(c, path, 0644);
		r = ipcfg_render_ifcfg(&c->req, &c->ifc, &f->text);
		break;
	case IPCFG_BACKEND_IFUPDOWN: {
		char *old = NULL;

		(void)ifupdown_file(c, path, sizeof(path));
		f = plan_add(c, path, 0644);
		if (read_small(c->rootfd, f->path, &old))
			strip_ifupdown(old, n, &f->text);
		free(old);
		ipcfg_buf_printf(&f->text, "\n");
		r = ipcfg_render_ifupdown(&c->req, &c->ifc, &f->text);
		break;
	}
	case IPCFG_BACKEND_SCRIPT:
		(void)snprintf(path, sizeof(path), "var/lib/hyperv/ifcfg-%s", n);
		f = plan_add(c, path, 0600);
		r = ipcfg_render_ifcfg_ref(&c->req, &c->ifc, &f->text);
		if (r)
			break;
		(void)snprintf(path, sizeof(path), "var/lib/hyperv/%s.nmconnection", n);
		f = plan_add(c, path, 0600);
		r = ipcfg_render_nm(&c->req, &c->ifc, &f->text);
		break;
	case IPCFG_BACKEND_LIVE:
		if (c->req.dhcp)
			return say(
				c, -ENOTSUP,
				"%s: no network stack owns it, and DHCP cannot be configured live",
				n);
		break;
	default:
		return say(c, -ENOTSUP, "unknown backend");
	}
	if (r == -ENOTSUP)
		return say(c, r,
			   "%s: %s cannot express this request (several gateways of one "
			   "family, or a gateway without a static address of its family)",
			   n, ipcfg_backend_name(c->backend));
	if (r)
		return say(c, r, "%s: cannot render the configuration: %s", n, strerror(-r));
	return 0;
}

static void write_preview(struct set_ctx *c)
{
	struct ipcfg_buf p = { 0 };
	size_t i;

	if (!c->o->preview || c->o->preview_size == 0)
		return;
	ipcfg_buf_printf(&p, "interface %s (ifindex %d), backend %s%s\n", c->ifc.name,
			 c->ifc.ifindex, ipcfg_backend_name(c->backend),
			 c->o->dry_run ? ", dry run: nothing changed" : "");
	for (i = 0; i < c->n_files; i++)
		ipcfg_buf_printf(&p, "--- %s%s\n%s", c->files[i].path,
				 c->files[i].old ? " (replaces the existing file)" : " (new)",
				 c->files[i].text.s ? c->files[i].text.s : "");
	if (c->backend == IPCFG_BACKEND_LIVE ||
	    (c->o->activate && !c->req.dhcp &&
	     (c->backend == IPCFG_BACKEND_IFCFG || c->backend == IPCFG_BACKEND_IFUPDOWN)))
		ipcfg_buf_printf(&p,
				 "--- live (netlink): replace the addresses and default "
				 "routes of %s\n",
				 c->ifc.name);
	(void)snprintf(c->o->preview, c->o->preview_size, "%s", p.s ? p.s : "");
	ipcfg_buf_free(&p);
}

/* -- files ------------------------------------------------------------------------------ */

static int mkdir_parents(int rootfd, const char *path)
{
	char tmp[256];
	size_t i;

	if (snprintf(tmp, sizeof(tmp), "%s", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	for (i = 1; tmp[i]; i++) {
		if (tmp[i] != '/')
			continue;
		tmp[i] = '\0';
		if (mkdirat(rootfd, tmp, 0755) < 0 && errno != EEXIST)
			return -errno;
		tmp[i] = '/';
	}
	return 0;
}

static int split_dir(int rootfd, const char *path, const char **base)
{
	char dir[256];
	const char *slash = strrchr(path, '/');
	int fd;

	if (!slash || (size_t)(slash - path) >= sizeof(dir))
		return -EINVAL;
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash - path] = '\0';
	fd = openat(rootfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	*base = slash + 1;
	return fd;
}

static int backup(struct set_ctx *c, const struct plan_file *f)
{
	const char *bdir = c->o->backup_dir ? c->o->backup_dir : "var/lib/hvguest/ip-backup";
	char path[512], flat[256];
	const char *base;
	size_t i;
	int dfd, r;

	while (*bdir == '/')
		bdir++;
	(void)snprintf(flat, sizeof(flat), "%s", f->path);
	for (i = 0; flat[i]; i++)
		if (flat[i] == '/')
			flat[i] = '_';
	if (snprintf(path, sizeof(path), "%s/%s.%lld", bdir, flat, (long long)time(NULL)) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	r = mkdir_parents(c->rootfd, path);
	if (r)
		return r;
	dfd = split_dir(c->rootfd, path, &base);
	if (dfd < 0)
		return dfd;
	r = fs_replace_at(dfd, base, f->old, f->old_len, 0600);
	close(dfd);
	return r;
}

static int put_file(struct set_ctx *c, const char *path, const void *data, size_t len, mode_t mode)
{
	const char *base;
	int dfd, r;

	r = mkdir_parents(c->rootfd, path);
	if (r)
		return r;
	dfd = split_dir(c->rootfd, path, &base);
	if (dfd < 0)
		return dfd;
	r = fs_replace_at(dfd, base, data, len, mode);
	close(dfd);
	return r;
}

static int write_files(struct set_ctx *c)
{
	size_t i;
	int r;

	for (i = 0; i < c->n_files; i++) {
		struct plan_file *f = &c->files[i];

		if (f->old) {
			r = backup(c, f);
			if (r)
				return say(c, r, "cannot back up '/%s': %s", f->path, strerror(-r));
		}
		r = put_file(c, f->path, f->text.s, f->text.len, f->mode);
		if (r)
			return say(c, r, "cannot write '/%s': %s", f->path, strerror(-r));
		f->written = true;
	}
	return 0;
}

static void restore_files(struct set_ctx *c)
{
	size_t i;

	for (i = 0; i < c->n_files; i++) {
		struct plan_file *f = &c->files[i];

		if (!f->written)
			continue;
		if (f->old)
			(void)put_file(c, f->path, f->old, f->old_len, f->mode);
		else
			(void)unlinkat(c->rootfd, f->path, 0);
		f->written = false;
	}
}

/* -- live (netlink) ----------------------------------------------------------------------- */

static int snap_addr(const struct nl_addr *a, void *data)
{
	struct set_ctx *c = data;

	if (a->ifindex != c->ifc.ifindex || a->scope >= RT_SCOPE_LINK)
		return 0;
	if (a->family == AF_INET6 && a->addr[0] == 0xfe && (a->addr[1] & 0xc0) == 0x80)
		return 0;
	if (c->before.n_addr >= SNAP_MAX)
		return -E2BIG;
	c->before.addr[c->before.n_addr++] = *a;
	return 0;
}

static int snap_route(const struct nl_route *r, void *data)
{
	struct set_ctx *c = data;

	if (r->oif != c->ifc.ifindex || r->dst_len != 0 || !r->has_gw || r->type != RTN_UNICAST)
		return 0;
	if (c->before.n_route >= SNAP_MAX)
		return -E2BIG;
	c->before.route[c->before.n_route++] = *r;
	return 0;
}

static int snapshot(struct set_ctx *c)
{
	int r = nl_addrs(&c->nl, AF_UNSPEC, snap_addr, c);

	if (r == 0)
		r = nl_routes(&c->nl, AF_INET, snap_route, c);
	if (r == 0)
		r = nl_routes(&c->nl, AF_INET6, snap_route, c);
	return r;
}

static bool req_has_addr(const struct ipcfg_req *req, const struct nl_addr *a)
{
	size_t i;

	for (i = 0; i < req->n_addr; i++)
		if (req->addr[i].family == a->family && req->addr[i].prefix == a->prefix &&
		    memcmp(req->addr[i].a, a->addr, nl_family_len(a->family)) == 0)
			return true;
	return false;
}

static bool req_has_family(const struct ipcfg_req *req, int family)
{
	size_t i;

	for (i = 0; i < req->n_addr; i++)
		if (req->addr[i].family == family)
			return true;
	for (i = 0; i < req->n_gw; i++)
		if (req->gw[i].family == family)
			return true;
	return false;
}

static int live_apply(struct set_ctx *c)
{
	const struct ipcfg_req *req = &c->req;
	size_t i;
	int r;

	c->live_changed = true;
	r = nl_link_up(&c->nl, c->ifc.ifindex);
	if (r)
		return say(c, r, "%s: cannot bring the link up: %s", c->ifc.name, strerror(-r));
	/* A family the request does not mention (no address, no gateway) is left alone. */
	for (i = 0; i < c->before.n_route; i++)
		if (req_has_family(req, c->before.route[i].family))
			(void)nl_route_change(&c->nl, false, &c->before.route[i]);
	for (i = 0; i < c->before.n_addr; i++)
		if (req_has_family(req, c->before.addr[i].family) &&
		    !req_has_addr(req, &c->before.addr[i]))
			(void)nl_addr_change(&c->nl, false, &c->before.addr[i]);
	for (i = 0; i < req->n_addr; i++) {
		struct nl_addr a = { .ifindex = c->ifc.ifindex,
				     .family = req->addr[i].family,
				     .prefix = req->addr[i].prefix };
		char t[INET6_ADDRSTRLEN];

		memcpy(a.addr, req->addr[i].a, 16);
		r = nl_addr_change(&c->nl, true, &a);
		if (r)
			return say(c, r, "%s: cannot add address %s/%u: %s", c->ifc.name,
				   ipcfg_ip_str(&req->addr[i], t, sizeof(t)), req->addr[i].prefix,
				   strerror(-r));
	}
	for (i = 0; i < req->n_gw; i++) {
		struct nl_route rt = { .family = req->gw[i].family,
				       .oif = c->ifc.ifindex,
				       .has_gw = true,
				       .priority = (uint32_t)i };
		char t[INET6_ADDRSTRLEN];

		memcpy(rt.gw, req->gw[i].a, 16);
		r = nl_route_change(&c->nl, true, &rt);
		if (r == -EEXIST)
			r = 0;
		if (r)
			return say(c, r, "%s: cannot add the default route via %s: %s", c->ifc.name,
				   ipcfg_ip_str(&req->gw[i], t, sizeof(t)), strerror(-r));
	}
	return 0;
}

static void live_restore(struct set_ctx *c)
{
	const struct ipcfg_req *req = &c->req;
	size_t i;

	if (!c->live_changed)
		return;
	for (i = 0; i < req->n_gw; i++) {
		struct nl_route rt = { .family = req->gw[i].family,
				       .oif = c->ifc.ifindex,
				       .has_gw = true,
				       .priority = (uint32_t)i };

		memcpy(rt.gw, req->gw[i].a, 16);
		(void)nl_route_change(&c->nl, false, &rt);
	}
	for (i = 0; i < req->n_addr; i++) {
		struct nl_addr a = { .ifindex = c->ifc.ifindex,
				     .family = req->addr[i].family,
				     .prefix = req->addr[i].prefix };

		memcpy(a.addr, req->addr[i].a, 16);
		(void)nl_addr_change(&c->nl, false, &a);
	}
	for (i = 0; i < c->before.n_addr; i++) {
		struct nl_addr a = c->before.addr[i];

		if (a.valid_lft == UINT32_MAX)
			a.valid_lft = a.preferred_lft = 0;
		(void)nl_addr_change(&c->nl, true, &a);
	}
	for (i = 0; i < c->before.n_route; i++) {
		struct nl_route rt = c->before.route[i];

		(void)nl_route_change(&c->nl, true, &rt);
	}
	c->live_changed = false;
}

/* -- spawning tools ----------------------------------------------------------------------- */

static const char *find_tool(const char *name, char *buf, size_t size)
{
	static const char *const dirs[] = { "/usr/sbin", "/usr/bin", "/sbin", "/bin" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(dirs); i++) {
		(void)snprintf(buf, size, "%s/%s", dirs[i], name);
		if (access(buf, X_OK) == 0)
			return buf;
	}
	return NULL;
}

/* Run argv[0] (an absolute path) with no shell, stdio on /dev/null, a bounded wait. */
static int run(struct set_ctx *c, char *const argv[])
{
	static char *const envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C", NULL };
	posix_spawn_file_actions_t fa;
	uint64_t now = now_ms(), left = c->deadline_ms > now ? c->deadline_ms - now : 0;
	/* Each tool gets its own bound, cut to what is left of the request's budget (but a
	 * second at least, so that undoing can still run). */
	unsigned int limit = (unsigned int)MAX(1000, MIN(left, (uint64_t)IPCFG_SPAWN_TIMEOUT_MS));
	uint64_t deadline = now + limit;
	pid_t pid;
	int r, st = 0;

	r = posix_spawn_file_actions_init(&fa);
	if (r)
		return say(c, -r, "cannot run '%s': %s", argv[0], strerror(r));
	(void)posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	(void)posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	(void)posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	r = posix_spawn(&pid, argv[0], &fa, NULL, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	if (r)
		return say(c, -r, "cannot run '%s': %s", argv[0], strerror(r));
	for (;;) {
		pid_t w = waitpid(pid, &st, WNOHANG);
		struct timespec ts = { 0, 20 * 1000 * 1000 };

		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			return say(c, -errno, "waiting for '%s': %s", argv[0], strerror(errno));
		if (now_ms() > deadline) {
			(void)kill(pid, SIGKILL);
			(void)waitpid(pid, &st, 0);
			return say(c, -ETIMEDOUT, "'%s' did not finish within %u ms", argv[0],
				   limit);
		}
		(void)nanosleep(&ts, NULL);
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (WIFEXITED(st))
		return say(c, -ECHILD, "'%s %s' failed with exit status %d", argv[0],
			   argv[1] ? argv[1] : "", WEXITSTATUS(st));
	return say(c, -ECHILD, "'%s' was killed by signal %d", argv[0],
		   WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

static int run_tool(struct set_ctx *c, const char *tool, const char *a1, const char *a2,
		    const char *a3, const char *a4)
{
	char path[128];
	char *argv[6] = { NULL };

	if (!find_tool(tool, path, sizeof(path)))
		return say(c, -ECHILD, "'%s' is not installed, cannot activate the %s change", tool,
			   ipcfg_backend_name(c->backend));
	argv[0] = path;
	argv[1] = (char *)(uintptr_t)a1;
	argv[2] = (char *)(uintptr_t)a2;
	argv[3] = (char *)(uintptr_t)a3;
	argv[4] = (char *)(uintptr_t)a4;
	return run(c, argv);
}

static int activate(struct set_ctx *c)
{
	char buf[300];
	int r;

	if (c->backend == IPCFG_BACKEND_NM || c->backend == IPCFG_BACKEND_NETWORKD ||
	    c->backend == IPCFG_BACKEND_NETPLAN)
		c->tool_ran = true;
	switch (c->backend) {
	case IPCFG_BACKEND_NM:
		(void)snprintf(buf, sizeof(buf), "/%s", c->files[0].path);
		r = run_tool(c, "nmcli", "connection", "load", buf, NULL);
		if (r == 0) {
			char uuid[40];

			ipcfg_nm_uuid(c->ifc.mac, uuid, sizeof(uuid));
			r = run_tool(c, "nmcli", "connection", "up", "uuid", uuid);
		}
		return r;
	case IPCFG_BACKEND_NETPLAN:
		return run_tool(c, "netplan", "apply", NULL, NULL, NULL);
	case IPCFG_BACKEND_NETWORKD:
		r = run_tool(c, "networkctl", "reload", NULL, NULL, NULL);
		if (r == 0)
			r = run_tool(c, "networkctl", "reconfigure", c->ifc.name, NULL, NULL);
		return r;
	case IPCFG_BACKEND_SCRIPT: {
		char a1[300], a2[300];
		const char *root = c->o->root && c->o->root[0] ? c->o->root : "/";
		char *argv[4];

		(void)snprintf(a1, sizeof(a1), "%s%s%s", root, streq(root, "/") ? "" : "/",
			       c->files[0].path);
		(void)snprintf(a2, sizeof(a2), "%s%s%s", root, streq(root, "/") ? "" : "/",
			       c->files[1].path);
		argv[0] = (char *)(uintptr_t)c->o->set_script;
		argv[1] = a1;
		argv[2] = a2;
		argv[3] = NULL;
		return run(c, argv);
	}
	case IPCFG_BACKEND_IFCFG:
	case IPCFG_BACKEND_IFUPDOWN:
		if (c->req.dhcp)
			return 0; /* takes effect when the stack next brings the link up */
		return live_apply(c);
	case IPCFG_BACKEND_LIVE:
		return live_apply(c);
	default:
		return -ENOTSUP;
	}
}

/* -- rollback probe ------------------------------------------------------------------------ */

/* Make the kernel resolve 'gw' (a datagram to the discard port), then watch its neighbour
 * entry until it is reachable or the bound passes. */
static bool gateway_answers(struct set_ctx *c, const struct ipcfg_ip *gw, unsigned int ms)
{
	uint64_t deadline = now_ms() + ms, next_kick = 0;

	for (;;) {
		uint16_t state = 0;
		uint64_t now = now_ms();
		struct timespec ts = { 0, PROBE_STEP_MS * 1000 * 1000 };

		if (now >= next_kick) {
			int fd = socket(gw->family, SOCK_DGRAM | SOCK_CLOEXEC, 0);

			if (fd >= 0) {
				struct sockaddr_storage ss = { 0 };
				socklen_t sl;

				if (gw->family == AF_INET) {
					struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

					s4->sin_family = AF_INET;
					s4->sin_port = htons(9);
					memcpy(&s4->sin_addr, gw->a, 4);
					sl = sizeof(*s4);
				} else {
					struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

					s6->sin6_family = AF_INET6;
					s6->sin6_port = htons(9);
					memcpy(&s6->sin6_addr, gw->a, 16);
					s6->sin6_scope_id = (uint32_t)c->ifc.ifindex;
					sl = sizeof(*s6);
				}
				(void)setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, c->ifc.name,
						 (socklen_t)strlen(c->ifc.name));
				(void)sendto(fd, "", 0, MSG_DONTWAIT, (struct sockaddr *)&ss, sl);
				close(fd);
			}
			next_kick = now + 1000;
		}
		if (nl_neigh_state(&c->nl, c->ifc.ifindex, gw->family, gw->a, &state) == 0 &&
		    (state & (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT)))
			return true;
		if (now >= deadline)
			return false;
		(void)nanosleep(&ts, NULL);
	}
}

/* -- the entry point ----------------------------------------------------------------------- */

int ipcfg_set(const struct ipcfg_opts *o, const struct hv_kvp_ipaddr_value *v, char *why,
	      size_t why_size)
{
	struct set_ctx *c = calloc(1, sizeof(*c));
	char mac[32];
	size_t i;
	int r;

	if (!c) {
		if (why && why_size)
			(void)snprintf(why, why_size, "out of memory");
		return -ENOMEM;
	}
	c->o = o;
	c->deadline_ms = now_ms() + IPCFG_SET_BUDGET_MS;
	c->why = why;
	c->why_size = why_size;
	c->nl.fd = -1;
	c->rootfd = -1;
	if (why && why_size)
		why[0] = '\0';
	if (o->preview && o->preview_size)
		o->preview[0] = '\0';

	r = ipcfg_validate(v, &c->req, why, why_size);
	if (r)
		goto out;
	c->rootfd = ipcfg_root_open(o);
	if (c->rootfd < 0) {
		r = say(c, c->rootfd, "cannot open root '%s': %s", o->root ? o->root : "/",
			strerror(-c->rootfd));
		goto out;
	}
	r = nl_open(&c->nl);
	if (r) {
		say(c, r, "cannot open rtnetlink: %s", strerror(-r));
		goto out;
	}
	r = ipcfg_find_if(&c->nl, c->rootfd, &c->req.adapter, &c->ifc);
	if (r == -ENODEV) {
		say(c, r, "no interface has adapter id '%s'", (const char *)v->adapter_id);
		goto out;
	}
	if (r) {
		say(c, r, "cannot list interfaces: %s", strerror(-r));
		goto out;
	}
	ipcfg_mac_str(c->ifc.mac, mac, sizeof(mac));
	if (ipcfg_excluded(o, &c->ifc)) {
		r = say(c, -EPERM, "%s (%s) is excluded by policy, nothing changed", c->ifc.name,
			mac);
		goto out;
	}
	if (!name_is_safe(c->ifc.name)) {
		r = say(c, -ENOTSUP, "interface name of %s has characters unsafe in file names",
			mac);
		goto out;
	}
	if (o->backend != IPCFG_BACKEND_AUTO)
		c->backend = o->backend;
	else if (o->set_script)
		c->backend = IPCFG_BACKEND_SCRIPT;
	else
		c->backend = detect(c);
	if (c->backend == IPCFG_BACKEND_SCRIPT && (!o->set_script || o->set_script[0] != '/')) {
		r = say(c, -ENOTSUP, "backend script needs an absolute set_script path");
		goto out;
	}
	r = plan(c);
	if (r)
		goto out;
	for (i = 0; i < c->n_files; i++) {
		struct plan_file *f = &c->files[i];

		if (fs_read_file_at(c->rootfd, f->path, FILE_MAX, &f->old, &f->old_len) < 0)
			f->old = NULL;
	}
	write_preview(c);
	if (o->dry_run) {
		say(c, 0, "dry run: %s via %s: %zu file(s) would be written, nothing changed",
		    c->ifc.name, ipcfg_backend_name(c->backend), c->n_files);
		r = 0;
		goto out;
	}
	r = snapshot(c);
	if (r) {
		say(c, r, "%s: cannot read the current addresses: %s", c->ifc.name, strerror(-r));
		goto out;
	}
	r = write_files(c);
	if (r)
		goto undo;
	if (o->activate || c->backend == IPCFG_BACKEND_LIVE) {
		r = activate(c);
		if (r)
			goto undo;
		unsigned int bound = MIN(o->rollback_ms, IPCFG_ROLLBACK_MAX_MS);
		uint64_t now = now_ms();

		/* The probe may not eat the time an undo needs. */
		if (now + bound + UNDO_RESERVE_MS > c->deadline_ms)
			bound = c->deadline_ms > now + UNDO_RESERVE_MS
					? (unsigned int)(c->deadline_ms - now - UNDO_RESERVE_MS)
					: 0;
		if (o->rollback_ms && c->req.n_gw > 0 &&
		    !gateway_answers(c, &c->req.gw[0], bound)) {
			char t[INET6_ADDRSTRLEN];

			r = say(c, -ETIMEDOUT,
				"%s: gateway %s did not answer within %u ms, "
				"previous configuration restored",
				c->ifc.name, ipcfg_ip_str(&c->req.gw[0], t, sizeof(t)), bound);
			goto undo;
		}
	}
	say(c, 0, "ok: %s via %s: %zu address(es), %zu gateway(s), %zu DNS server(s)%s%s",
	    c->ifc.name, ipcfg_backend_name(c->backend), c->req.n_addr, c->req.n_gw, c->req.n_dns,
	    c->req.dhcp ? ", DHCP" : "",
	    o->activate || c->backend == IPCFG_BACKEND_LIVE ? "" : ", files only");
	r = 0;
	goto out;
undo:
	live_restore(c);
	restore_files(c);
	if (c->tool_ran) {
		char keep[IPCFG_WHY_MAX];

		/* The stack saw the new files: let it load the restored ones (a removed
		 * NetworkManager keyfile unloads its profile).  Keep the first reason. */
		c->tool_ran = false;
		(void)snprintf(keep, sizeof(keep), "%s", why ? why : "");
		(void)activate(c);
		if (why && why_size)
			(void)snprintf(why, why_size, "%s", keep);
	}
out:
	for (i = 0; i < c->n_files; i++) {
		ipcfg_buf_free(&c->files[i].text);
		free(c->files[i].old);
	}
	if (c->nl.fd >= 0)
		nl_close(&c->nl);
	if (c->rootfd >= 0)
		close(c->rootfd);
	free(c);
	return r;
}

/* SPDX-License-Identifier: MIT */
/*
 * ipcfg.h - the network side of KVP's GET_IP_INFO and SET_IP_INFO: report the IP
 * configuration of one adapter, and validate and apply a static (or DHCP) configuration the
 * host pushes, natively (rtnetlink and the network stack's own files), never through a shell.
 *
 * How hv-kvpd uses it (one request at a time, from the KVP loop):
 *
 *   static struct ipcfg_opts ipo;          (once, at start-up)
 *   ipcfg_opts_init(&ipo);
 *   r = ipcfg_opts_from_conf(&ipo, conf, err, sizeof(err));  (section [ip]; then options)
 *   ipo.root = opt_root;                   (--root, for tests; NULL or "/" for the system)
 *
 *   case KVP_OP_GET_IP_INFO:
 *           r = ipcfg_get(&ipo, &msg->body.kvp_ip_val);
 *           msg->error = ipcfg_status(IPCFG_OP_GET, r);
 *   case KVP_OP_SET_IP_INFO: {
 *           char why[IPCFG_WHY_MAX];
 *           r = ipcfg_set(&ipo, &msg->body.kvp_ip_val, why, sizeof(why));
 *           msg->error = ipcfg_status(IPCFG_OP_SET, r);
 *           (put 'why', always filled, "ok: ..." on success, into pool 1 under
 *            IPCFG_RESULT_KEY, and log it; host-caused, so rate-limited)
 *   }
 *
 * The strings in struct hv_kvp_ipaddr_value are, between kernel and daemon, NUL-terminated
 * UTF-8 held in the byte storage of the u16 arrays (PROTOCOL.md 4.1): treat each field as
 * (char *)v->field of sizeof(v->field) bytes.  ipcfg never trusts a NUL to be there.
 *
 * Errors: every function returns 0 or a negative errno; nothing logs above debug.  The
 * errno values ipcfg_get()/ipcfg_set() return, and what they mean:
 *   -EINVAL      a malformed request (bad adapter id, address, prefix, count, character ...)
 *   -ENODEV      no interface has that MAC or adapter id
 *   -EPERM       the interface is excluded by policy ([ip] exclude / option)
 *   -ENOTSUP     the owning stack cannot express the request (ifcfg/ifupdown: two gateways
 *                of one family; ifupdown: a gateway without a static address of its family;
 *                live: DHCP), or the interface name is unsafe in a file name
 *   -ETIMEDOUT   the new gateway did not answer within rollback_ms; the old state is back
 *   -ENOSPC      a disk full while writing a file (nothing was replaced)
 *   -ECHILD      an activation tool or the site script failed (exit status in 'why')
 *   other        a system call failed (-ENOMEM, -EACCES, ...)
 * ipcfg_status() maps them to the HRESULT for the reply (PROTOCOL.md 4.4, 5.2, 5.4, 5.5).
 *
 * Time: ipcfg_get() only reads netlink and small files (milliseconds).  ipcfg_set() may
 * wait for activation tools (IPCFG_SPAWN_TIMEOUT_MS each) and for the rollback probe
 * (rollback_ms, at most IPCFG_ROLLBACK_MAX_MS); all of it is cut to IPCFG_SET_BUDGET_MS,
 * after which only an undo runs (tools then get a second each), so it returns inside the
 * kernel's 30 s budget for a reply.
 *
 * Ownership: struct ipcfg_opts only borrows its strings (from the caller or the conf it was
 * filled from); ipcfg never frees them.
 */
#ifndef HVGUEST_IPCFG_H
#define HVGUEST_IPCFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/hyperv.h>

#include "conf.h"
#include "util.h"

/* HRESULTs that <linux/hyperv.h> does not define (PROTOCOL.md 4.4). */
#define IPCFG_HV_ERROR_NOT_SUPPORTED 0x80070032u
#define IPCFG_HV_ERROR_DISK_FULL     0x80070070u

/* The pool-1 key under which the daemon stores the last SET_IP_INFO result ('why'). */
#define IPCFG_RESULT_KEY "HvGuestIpInjectionResult"

#define IPCFG_WHY_MAX          512 /* enough for any reason string ipcfg writes */
#define IPCFG_EXCLUDE_MAX      32  /* exclude patterns kept; more is -E2BIG from from_conf */
#define IPCFG_ADDR_MAX         16  /* addresses (both families together) in one SET */
#define IPCFG_GW_MAX           4   /* gateways in one SET */
#define IPCFG_DNS_MAX          8   /* DNS servers in one SET */
#define IPCFG_ROLLBACK_MAX_MS  15000
#define IPCFG_SPAWN_TIMEOUT_MS 8000
#define IPCFG_SET_BUDGET_MS    22000 /* all of one ipcfg_set(); the kernel allows 30 s */

enum ipcfg_op {
	IPCFG_OP_GET,
	IPCFG_OP_SET,
};

/*
 * Which network stack a SET goes to.  AUTO detects it at run time, in this order (the
 * first that owns the interface wins; docs/ip-injection.md has the exact tests):
 *   NETPLAN (a /etc/netplan/ *.yaml names the interface or its MAC: netplan is then the
 *   source of truth whatever it renders for), NM (NetworkManager lists the device as
 *   managed in /run/NetworkManager/devices/<ifindex>, or one of its keyfiles names it),
 *   NETWORKD (networkd's link state names a .network file, or a .network file in /etc
 *   matches it), IFCFG (ifcfg-<if> exists, or /etc/sysconfig/network-scripts does),
 *   IFUPDOWN (/etc/network/interfaces has "iface <if>"), else LIVE (netlink only, not
 *   persistent).
 * SCRIPT runs the site's hv_set_ifconfig (opt-in: only when set_script is set).
 */
enum ipcfg_backend {
	IPCFG_BACKEND_AUTO = 0,
	IPCFG_BACKEND_NM,
	IPCFG_BACKEND_NETPLAN,
	IPCFG_BACKEND_NETWORKD,
	IPCFG_BACKEND_IFCFG,
	IPCFG_BACKEND_IFUPDOWN,
	IPCFG_BACKEND_LIVE,
	IPCFG_BACKEND_SCRIPT,
};

struct ipcfg_opts {
	/* Every file path (/etc, /run, /var/lib, /sys/class/net/<if>/device) is looked up
	 * under this directory.  NULL or "/" is the real system.  Netlink always talks to
	 * the caller's network namespace: a test that sets a root must also run in a
	 * network namespace of its own (or use activate = false with a file backend), or
	 * a SET changes the machine's live addresses. */
	const char *root;
	enum ipcfg_backend backend; /* [ip] backend = auto|nm|netplan|networkd|ifcfg|
				       ifupdown|live|script */
	/* Dry run ([ip] dry_run, --dry-run): validate, detect, render every file, but
	 * write nothing and change nothing; 'preview' receives what would change. */
	bool dry_run;
	/* Also make the change take effect now: ask the stack to reload/activate (NM:
	 * nmcli, networkd: networkctl, netplan: netplan apply, ifcfg/ifupdown: live
	 * netlink), each spawned with an argument vector.  false: files only.  Default
	 * true; tests that use a root set it false. [ip] activate */
	bool activate;
	/* When > 0: after a live change, probe the first new gateway (ARP/ND through the
	 * kernel's neighbour table) for up to this long; if it never answers, restore the
	 * previous addresses, routes and files and return -ETIMEDOUT.  Capped at
	 * IPCFG_ROLLBACK_MAX_MS.  [ip] rollback_ms */
	unsigned int rollback_ms;
	/* Opt-in: the site's own hv_set_ifconfig, run as
	 *   <set_script> <ifcfg file> <nmconnection file>
	 * (the reference's contract, PROTOCOL.md 5.6) with posix_spawn, no shell, after the
	 * two files were written under <root>/var/lib/hyperv/.  Only used when backend is
	 * SCRIPT, or AUTO and this is set.  [ip] set_script */
	const char *set_script;
	/* Where the previous version of every replaced file goes (name + ".<unix time>");
	 * NULL: <root>/var/lib/hvguest/ip-backup.  [ip] backup_dir */
	const char *backup_dir;
	/* Interfaces to leave alone: interface names, fnmatch(3) patterns of names, or MAC
	 * addresses (case-insensitive).  [ip] exclude (repeatable), --ip-exclude. */
	const char *exclude[IPCFG_EXCLUDE_MAX];
	size_t n_exclude;
	/* Optional: receives a human-readable description of the change ("backend
	 * networkd: write /etc/systemd/network/..." and each file's full new content),
	 * NUL-terminated and truncated to fit.  Filled on success and in dry runs. */
	char *preview;
	size_t preview_size;
};

/* Defaults: root "/", backend AUTO, activate true, no rollback, no script, no excludes. */
void ipcfg_opts_init(struct ipcfg_opts *o);

/*
 * Read section [ip] of 'c' into 'o' (keys: backend, dry_run, activate, rollback_ms,
 * set_script, backup_dir, exclude).  Unknown keys and bad values give -EINVAL with
 * "ip.<key>: reason" in 'err'; 'o' is then unchanged.  Strings point into 'c'.
 */
int ipcfg_opts_from_conf(struct ipcfg_opts *o, const struct conf *c, char *err,
			 size_t err_size) WARN_UNUSED;

/* Add one exclude pattern (for a command-line option).  -E2BIG when full. */
int ipcfg_opts_exclude(struct ipcfg_opts *o, const char *pattern) WARN_UNUSED;

/*
 * GET_IP_INFO.  Finds the interface named by v->adapter_id (a MAC in any case, with ':'
 * or '-', or the adapter id "{guid}" of /sys/class/net/<if>/device/device_id, any case,
 * braces optional).  When several interfaces share the MAC (an SR-IOV VF and its synthetic
 * NIC), the one that is not a slave and has addresses wins.  Excluded interfaces are
 * reported like any other (policy only guards changes).
 *
 * Fills, in the formats of PROTOCOL.md 5.4 (the reference's formats):
 *   addr_family   bitmask: 1 if any IPv4 address, 2 if any IPv6 address
 *   ip_addr       "10.0.0.5;2001:db8::5"            (';'-joined, no trailing ';')
 *   sub_net       "255.255.255.0;/64"              (one per address, same order)
 *   gate_way      "10.0.0.1;fe80::1;"              (default routes of THIS interface,
 *                                                    each followed by ';')
 *   dns_addr      "10.0.0.53;"                       (each followed by ';')
 *   dhcp_enabled  1 if IPv4 is configured by DHCP (a lease, or an address with a finite
 *                 lifetime, or the stack's configuration says so), else 0
 * IPv6 link-local addresses are listed too, as the reference does; host-scope ones are not.
 * Lists are cut at a
 * whole entry so that each field fits the host's UTF-16 field (MAX_*_SIZE units, NUL
 * included).  adapter_id is left as it was.  The other fields are zeroed first.
 * Returns 0, -EINVAL (adapter_id is neither a MAC nor a GUID, or not NUL-terminated),
 * -ENODEV (no such interface), or another -errno (netlink failure).
 */
int ipcfg_get(const struct ipcfg_opts *o, struct hv_kvp_ipaddr_value *v) WARN_UNUSED;

/*
 * SET_IP_INFO.  Validates the whole request first (ipcfg_validate.h has the rules); any
 * error returns before anything is touched.  Then finds the interface (as ipcfg_get;
 * -ENODEV when absent), checks policy (-EPERM), picks the backend, and applies the change:
 * files are written with fs_replace_at() after the old version is copied to backup_dir.
 * 'why' (may be NULL) always receives one line for the pool-1 record and the log: on
 * success "ok: <if> via <backend>: <summary>", otherwise what failed and why, quoting the
 * offending field and token.  v is not modified.
 */
int ipcfg_set(const struct ipcfg_opts *o, const struct hv_kvp_ipaddr_value *v, char *why,
	      size_t why_size) WARN_UNUSED;

/*
 * The HRESULT for the reply's error field ('msg->error'), for a result 'r' of
 * ipcfg_get() (op GET) or ipcfg_set() (op SET):
 *   0          -> HV_S_OK
 *   -EINVAL    -> HV_INVALIDARG
 *   -ENODEV    -> GET: HV_E_FAIL (what the host expects for "no such adapter"),
 *                 SET: HV_GUID_NOTFOUND
 *   -EPERM, -ENOTSUP -> IPCFG_HV_ERROR_NOT_SUPPORTED
 *   -ENOSPC, -EDQUOT -> IPCFG_HV_ERROR_DISK_FULL
 *   anything else    -> HV_E_FAIL
 */
uint32_t ipcfg_status(enum ipcfg_op op, int r);

/* "auto", "nm", "netplan", "networkd", "ifcfg", "ifupdown", "live", "script". */
const char *ipcfg_backend_name(enum ipcfg_backend b);
/* The inverse; also accepts "networkmanager".  -EINVAL for anything else. */
int ipcfg_backend_parse(const char *s, enum ipcfg_backend *ret) WARN_UNUSED;

#endif /* HVGUEST_IPCFG_H */

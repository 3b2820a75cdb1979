/* SPDX-License-Identifier: MIT */
/*
 * vssd.c - the hv-vssd operations (FREEZE, THAW, HOT_BACKUP, ...), hooks around them, the
 * result record, the device loop and --check.  See vssd.h and docs/freeze-states.md.
 */
#include "vssd.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "hvdev.h"
#include "kvpool.h"
#include "log.h"
#include "notify.h"

/* -- configuration ------------------------------------------------------------------------ */

void vssd_config_defaults(struct vssd_config *cfg)
{
	*cfg = (struct vssd_config){
		.device = VSSD_DEFAULT_DEVICE,
		.device_fd = -1,
		.mountinfo = VSSD_DEFAULT_MOUNTINFO,
		.sysfs = "/sys",
		.run_dir = VSSD_DEFAULT_RUN_DIR,
		.pool_dir = KVPOOL_DEFAULT_DIR,
		.window_ms = VSSD_DEFAULT_WINDOW_MS,
		.hook_dir = VSSD_DEFAULT_HOOK_DIR,
		.qemu_hook_dir = VSSD_DEFAULT_QEMU_HOOKS,
		.vmware_hook_dir = VSSD_DEFAULT_VMW_HOOKS,
		.hook_timeout_ms = VSSD_DEFAULT_HOOK_MS,
		.hook_abort = false,
		.freezer = &vssd_freezer_ioctl,
	};
	cfg->sel.stat_mounts = true;
	cfg->sel.sysfs = "/sys";
}

int vssd_config_load(struct vssd_config *cfg, const struct conf *c, char *err, size_t err_size)
{
	struct freezeplan_dirs dirs;
	unsigned long long v;
	const char *s;
	bool b;
	int r;

	if (!c)
		return 0;
	/* Unknown keys, include, exclude, the hook folders and legacy_hooks: shared with
	 * hv-check. */
	dirs.dir[FREEZEPLAN_HOOK_OURS] = cfg->hook_dir;
	dirs.dir[FREEZEPLAN_HOOK_QEMU] = cfg->qemu_hook_dir;
	dirs.dir[FREEZEPLAN_HOOK_VMWARE] = cfg->vmware_hook_dir;
	r = freezeplan_conf_load(c, &cfg->sel, &dirs, err, err_size);
	if (r < 0)
		return r;
	cfg->hook_dir = dirs.dir[FREEZEPLAN_HOOK_OURS];
	cfg->qemu_hook_dir = dirs.dir[FREEZEPLAN_HOOK_QEMU];
	cfg->vmware_hook_dir = dirs.dir[FREEZEPLAN_HOOK_VMWARE];
	r = conf_get_uint(c, "vssd", "freeze_timeout", cfg->window_ms / 1000,
			  VSSD_WINDOW_MAX_MS / 1000, &v);
	if (r < 0 || v == 0) {
		(void)snprintf(err, err_size, "freeze_timeout: seconds from 1 to %llu",
			       VSSD_WINDOW_MAX_MS / 1000);
		return -EINVAL;
	}
	cfg->window_ms = v * 1000;
	r = conf_get_uint(c, "vssd", "hook_timeout", cfg->hook_timeout_ms / 1000,
			  VSSD_HOOK_MAX_MS / 1000, &v);
	if (r < 0 || v == 0) {
		(void)snprintf(err, err_size, "hook_timeout: seconds from 1 to %llu",
			       VSSD_HOOK_MAX_MS / 1000);
		return -EINVAL;
	}
	cfg->hook_timeout_ms = v * 1000;
	s = conf_get(c, "vssd", "hook_failure");
	if (s) {
		if (!streq(s, "abort") && !streq(s, "continue")) {
			(void)snprintf(err, err_size, "hook_failure: 'abort' or 'continue'");
			return -EINVAL;
		}
		cfg->hook_abort = streq(s, "abort");
	}
	if ((s = conf_get(c, "vssd", "run_dir")))
		cfg->run_dir = s;
	if ((s = conf_get(c, "vssd", "pool_dir")))
		cfg->pool_dir = s;
	r = conf_get_bool(c, "vssd", "result_record", true, &b);
	if (r < 0) {
		(void)snprintf(err, err_size, "result_record: yes or no");
		return r;
	}
	if (!b)
		cfg->pool_dir = NULL;
	return 0;
}

void vssd_init(struct vssd *d, const struct vssd_config *cfg)
{
	*d = (struct vssd){
		.cfg = *cfg,
		.fd = -1,
		.state = VSSD_THAWED,
		.sigfd = -1,
		.rl = RATELIMIT_INIT(10000, 5),
		.rl_reopen = RATELIMIT_INIT(60000, VSSD_REOPEN_BURST),
	};
	d->wd.sock = -1;
}

/* -- the result record in pool 1 (only ever written while thawed) ----------------------- */

static void record(struct vssd *d, const char *op, uint32_t status, const char *text)
{
	char value[KVPOOL_HOST_VALUE_MAX + 1], stamp[32];
	struct kvpool *kp = NULL;
	struct timespec ts;
	struct tm tm;
	int r;

	if (!d->cfg.pool_dir || d->state == VSSD_FROZEN)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	(void)strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	(void)snprintf(value, sizeof(value), "%s op=%s status=0x%08x %s", stamp, op, status, text);
	r = kvpool_open(d->cfg.pool_dir, 0, &kp);
	if (r >= 0)
		r = kvpool_set(kp, VSSD_RESULT_POOL, VSSD_RESULT_KEY, value);
	kvpool_close(kp);
	if (r < 0)
		(void)log_warn_errno(
			r, "cannot write the result record to pool %d in '%s', continuing",
			VSSD_RESULT_POOL, d->cfg.pool_dir);
}

/* -- hooks ------------------------------------------------------------------------------ */

static void log_hook_output(const struct vssd_hook *h, const char *out)
{
	const char *p = out;

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		int len = nl ? (int)(nl - p) : (int)strlen(p);

		log_info("hook '%s': %.*s", h->path, len, p);
		p = nl ? nl + 1 : NULL;
	}
}

static int run_one_hook(struct vssd *d, struct vssd_hook *h, enum vssd_hook_phase phase)
{
	struct vssd_hook_result res;
	const char *arg = vssd_hook_arg(h->kind, phase);
	int r;

	r = vssd_hook_run(h->path, arg, d->cfg.hook_timeout_ms, &res);
	log_hook_output(h, res.output);
	if (r == -ETIMEDOUT)
		log_err("hook '%s %s' did not finish within %llu ms: killed", h->path, arg,
			d->cfg.hook_timeout_ms);
	else if (r == -ECHILD && res.signal)
		log_err("hook '%s %s' was killed by signal %d", h->path, arg, res.signal);
	else if (r == -ECHILD)
		log_err("hook '%s %s' failed with exit status %d", h->path, arg, res.status);
	else if (r < 0)
		(void)log_err_errno(r, "cannot run hook '%s'", h->path);
	else
		log_info("hook '%s %s' done", h->path, arg);
	return r;
}

static void scan_hooks(struct vssd *d)
{
	struct vssd_hook_skip sk[8];
	size_t nsk = 0;
	const struct {
		const char *dir;
		enum vssd_hook_kind kind;
	} dirs[] = {
		{ d->cfg.hook_dir, VSSD_HOOK_OURS },
		{ d->cfg.qemu_hook_dir, VSSD_HOOK_QEMU },
		{ d->cfg.vmware_hook_dir, VSSD_HOOK_VMWARE },
	};

	d->hooks.n = 0;
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		int r = vssd_hooks_scan(&d->hooks, dirs[i].dir, dirs[i].kind, sk, ARRAY_SIZE(sk),
					&nsk);

		if (r < 0)
			(void)log_warn_errno(r, "cannot read hook folder '%s', continuing",
					     dirs[i].dir);
	}
	for (size_t i = 0; i < MIN(nsk, ARRAY_SIZE(sk)); i++)
		log_warn("hook '%s' not run: %s", sk[i].path, sk[i].why);
}

/* Freeze hooks in order; returns -ECANCELED when one failed and the policy is abort. */
static int run_freeze_hooks(struct vssd *d)
{
	scan_hooks(d);
	d->hooks_ran = true;
	for (size_t i = 0; i < d->hooks.n; i++) {
		struct vssd_hook *h = &d->hooks.h[i];

		h->froze = true;
		if (run_one_hook(d, h, VSSD_PHASE_FREEZE) >= 0)
			continue;
		if (d->cfg.hook_abort) {
			(void)snprintf(d->last_error, sizeof(d->last_error),
				       "freeze hook '%s' failed (hook_failure = abort)", h->path);
			return -ECANCELED;
		}
		log_warn("freeze hook '%s' failed: the backup is only file-system consistent, "
			 "continuing",
			 h->path);
	}
	return 0;
}

static void run_thaw_hooks(struct vssd *d, enum vssd_hook_phase phase)
{
	if (!d->hooks_ran)
		return;
	for (size_t i = d->hooks.n; i-- > 0;) {
		struct vssd_hook *h = &d->hooks.h[i];

		if (!h->froze)
			continue;
		h->froze = false;
		(void)run_one_hook(d, h, phase);
	}
	d->hooks_ran = false;
}

/* -- freeze and thaw -------------------------------------------------------------------- */

static int load_plan(const struct vssd_config *cfg, struct mountinfo *mi, struct vssd_plan *plan,
		     char *err, size_t err_size)
{
	unsigned int bad = 0;
	int r;

	r = mountinfo_read(cfg->mountinfo, mi, &bad);
	if (r < 0) {
		if (bad)
			(void)snprintf(err, err_size, "'%s' line %u is malformed", cfg->mountinfo,
				       bad);
		else
			(void)snprintf(err, err_size, "cannot read '%s': %s", cfg->mountinfo,
				       strerror(-r));
		return r;
	}
	r = vssd_select(mi, &cfg->sel, plan);
	if (r < 0) {
		(void)snprintf(err, err_size, "cannot select mounts: %s", strerror(-r));
		mountinfo_free(mi);
	}
	return r;
}

static uint32_t fail_freeze(struct vssd *d, int r)
{
	uint32_t status = r == -ECANCELED ? HV_E_FAIL : vss_status_from_errno(r);

	log_err("FREEZE failed: %s", d->last_error);
	run_thaw_hooks(d, VSSD_PHASE_FREEZE_FAIL);
	record(d, "FREEZE", status, d->last_error);
	return status;
}

static uint32_t do_freeze(struct vssd *d)
{
	static char full[VSSD_TARGETS_MAX][PATH_MAX];
	const char *paths[VSSD_TARGETS_MAX];
	struct vssd_failure fail = { 0 };
	struct mountinfo mi = { 0 };
	struct vssd_plan plan = { 0 };
	size_t n = 0;
	int r;

	if (d->state == VSSD_FROZEN) {
		log_info("FREEZE while already frozen: nothing to do");
		return HV_S_OK;
	}
	d->state = VSSD_THAWED;
	d->last_error[0] = '\0';

	r = run_freeze_hooks(d);
	if (r < 0)
		return fail_freeze(d, r);

	r = load_plan(&d->cfg, &mi, &plan, d->last_error, sizeof(d->last_error));
	if (r < 0)
		return fail_freeze(d, r);
	if (plan.n_order > VSSD_TARGETS_MAX) {
		(void)snprintf(d->last_error, sizeof(d->last_error),
			       "%zu filesystems to freeze, at most %d", plan.n_order,
			       VSSD_TARGETS_MAX);
		r = -E2BIG;
		goto out_plan;
	}
	for (size_t i = 0; i < plan.n_order; i++) {
		const char *root = d->cfg.sel.root ? d->cfg.sel.root : "";

		(void)snprintf(full[n], sizeof(full[n]), "%s%s", root,
			       plan.m[plan.order[i]].e->mountpoint);
		paths[n] = full[n];
		n++;
	}
	r = vssd_set_open(&d->set, paths, n, &fail);
	if (r < 0) {
		(void)snprintf(d->last_error, sizeof(d->last_error), "cannot open '%.400s': %s",
			       fail.path, strerror(-r));
		goto out_plan;
	}
	mountinfo_free(&mi);
	vssd_plan_free(&plan);

	r = vssd_marker_write(d->cfg.run_dir, &d->set);
	if (r < 0) {
		(void)snprintf(d->last_error, sizeof(d->last_error),
			       "cannot write the marker in '%s': %s", d->cfg.run_dir, strerror(-r));
		goto out_set;
	}
	r = vssd_watchdog_start(&d->wd, d->cfg.freezer, &d->set, d->cfg.window_ms, d->cfg.run_dir);
	if (r < 0) {
		(void)snprintf(d->last_error, sizeof(d->last_error),
			       "cannot start the thaw watchdog: %s", strerror(-r));
		(void)vssd_marker_remove(d->cfg.run_dir);
		goto out_set;
	}

	/* From here to the thaw: no disk writes, no logging that reaches a file. */
	log_hold();
	r = vssd_freeze_all(d->cfg.freezer, &d->set, &fail);
	if (r < 0) {
		(void)vssd_watchdog_stop(&d->wd);
		(void)log_release();
		if (fail.thaw_error == 0)
			(void)vssd_marker_remove(d->cfg.run_dir);
		(void)snprintf(
			d->last_error, sizeof(d->last_error),
			"cannot freeze '%.400s': %s (errno %d); everything frozen before it was "
			"thawed%s",
			fail.path, strerror(-r), -r, fail.thaw_error ? ", but a thaw failed" : "");
		goto out_set;
	}
	d->state = VSSD_FROZEN;
	log_info("froze %zu filesystem(s); the watchdog thaws them after %llu ms", d->set.n,
		 d->cfg.window_ms);
	return HV_S_OK;

out_plan:
	mountinfo_free(&mi);
	vssd_plan_free(&plan);
	return fail_freeze(d, r);
out_set:
	vssd_set_close(&d->set);
	return fail_freeze(d, r);
}

/* Thaw after FROZEN: the filesystems, the watchdog, the log, the marker.  Hooks and the
 * record follow via finish_thaw(). */
static int thaw_mounts(struct vssd *d)
{
	struct vssd_failure fail = { 0 };
	int r, w;

	r = vssd_thaw_all(d->cfg.freezer, &d->set, &fail);
	w = vssd_watchdog_stop(&d->wd);
	d->state = VSSD_THAWED;
	(void)log_release();
	if (w == VSSD_WD_EXPIRED)
		log_warn("the watchdog's freeze window ended while thawing");
	if (r < 0) {
		(void)snprintf(d->last_error, sizeof(d->last_error), "cannot thaw '%.400s': %s",
			       fail.path, strerror(-r));
		log_err("%s", d->last_error);
	} else {
		(void)vssd_marker_remove(d->cfg.run_dir);
		log_info("thawed %zu filesystem(s)", d->set.n);
	}
	vssd_set_close(&d->set);
	return r;
}

int vssd_thaw_now(struct vssd *d, const char *why)
{
	int r;

	if (d->state != VSSD_FROZEN)
		return 0;
	r = thaw_mounts(d);
	log_warn("thawed without a THAW from the host: %s", why);
	run_thaw_hooks(d, VSSD_PHASE_THAW);
	record(d, "THAW", r < 0 ? HV_E_FAIL : HV_S_OK, why);
	return r;
}

void vssd_watchdog_event(struct vssd *d)
{
	int w;

	if (d->state != VSSD_FROZEN)
		return;
	w = vssd_watchdog_stop(&d->wd);
	if (w == VSSD_WD_EXPIRED) {
		for (size_t i = 0; i < d->set.n; i++)
			d->set.t[i].frozen = false;
		vssd_set_close(&d->set);
		d->state = VSSD_EXPIRED;
		(void)log_release();
		(void)snprintf(d->last_error, sizeof(d->last_error),
			       "no THAW within the freeze window of %llu ms: the watchdog thawed",
			       d->cfg.window_ms);
		log_err("%s", d->last_error);
		run_thaw_hooks(d, VSSD_PHASE_THAW);
		record(d, "THAW", HV_E_FAIL, d->last_error);
		return;
	}
	/* The watchdog is gone for another reason (killed): never stay frozen unguarded. */
	(void)thaw_mounts(d);
	d->state = VSSD_EXPIRED;
	(void)snprintf(d->last_error, sizeof(d->last_error),
		       "the thaw watchdog died (status %d): thawed at once", w);
	log_err("%s", d->last_error);
	run_thaw_hooks(d, VSSD_PHASE_THAW);
	record(d, "THAW", HV_E_FAIL, d->last_error);
}

static uint32_t do_thaw(struct vssd *d, bool *hooks_after)
{
	int r;

	switch (d->state) {
	case VSSD_THAWED:
		log_info("THAW without a FREEZE: nothing to do");
		return HV_S_OK;
	case VSSD_EXPIRED:
		d->state = VSSD_THAWED;
		log_err("THAW answered HV_E_FAIL: %s", d->last_error);
		return HV_E_FAIL;
	case VSSD_FROZEN:
		break;
	}
	r = thaw_mounts(d);
	*hooks_after = true;
	return r < 0 ? HV_E_FAIL : HV_S_OK;
}

/* HOT_BACKUP: say no when a freeze could not work, before the host starts. */
static uint32_t do_preflight(struct vssd *d)
{
	struct mountinfo mi = { 0 };
	struct vssd_plan plan = { 0 };
	char why[512] = "";
	int r;

	if (d->state == VSSD_FROZEN) {
		log_err("HOT_BACKUP refused: filesystems are frozen already");
		return HV_E_FAIL;
	}
	r = load_plan(&d->cfg, &mi, &plan, why, sizeof(why));
	if (r >= 0 && access(d->cfg.run_dir, W_OK) < 0) {
		r = -errno;
		(void)snprintf(why, sizeof(why), "run folder '%s' is not writable: %s",
			       d->cfg.run_dir, strerror(errno));
	}
	for (size_t k = 0; r >= 0 && k < d->cfg.sel.n_include; k++) {
		bool found = false;

		for (size_t i = 0; i < plan.n && !found; i++)
			found = vssd_pattern_match(d->cfg.sel.include[k], plan.m[i].e);
		if (!found) {
			r = -ENOENT;
			(void)snprintf(why, sizeof(why), "include pattern '%s' matches no mount",
				       d->cfg.sel.include[k]);
		}
	}
	for (size_t i = 0; r >= 0 && i < plan.n_order; i++) {
		char p[PATH_MAX];
		int fd;

		(void)snprintf(p, sizeof(p), "%s%s", d->cfg.sel.root ? d->cfg.sel.root : "",
			       plan.m[plan.order[i]].e->mountpoint);
		fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOCTTY);

		if (fd < 0) {
			r = -errno;
			(void)snprintf(why, sizeof(why), "cannot open '%.400s': %s", p,
				       strerror(errno));
		} else {
			close(fd);
		}
	}
	if (r >= 0)
		log_info("HOT_BACKUP: ready, %zu filesystem(s) would be frozen", plan.n_order);
	mountinfo_free(&mi);
	vssd_plan_free(&plan);
	if (r >= 0)
		return HV_S_OK;
	log_err("HOT_BACKUP refused: %s", why);
	record(d, "HOT_BACKUP", vss_status_from_errno(r), why);
	return vss_status_from_errno(r);
}

int vssd_handle(struct vssd *d, const uint8_t *buf, size_t len, uint8_t reply[VSS_MSG_SIZE])
{
	struct vss_msg m;
	uint32_t status, flags;
	bool hooks_after = false;

	if (vss_msg_parse(buf, len, &m) < 0) {
		if (ratelimit_ok(&d->rl))
			log_warn("message of %zu bytes from the device (want %d), ignoring", len,
				 VSS_MSG_SIZE);
		return 0;
	}
	flags = m.flags;
	switch (m.op) {
	case VSS_OP_FREEZE:
		status = do_freeze(d);
		break;
	case VSS_OP_THAW:
		status = do_thaw(d, &hooks_after);
		break;
	case VSS_OP_HOT_BACKUP:
		status = do_preflight(d);
		flags = VSS_HBU_NO_AUTO_RECOVERY;
		break;
	case VSS_OP_GET_DM_INFO:
		status = HV_S_OK;
		flags = 0;
		break;
	case VSS_OP_CREATE:
	case VSS_OP_DELETE:
	case VSS_OP_BU_COMPLETE:
	case VSS_OP_AUTO_RECOVER:
		status = HV_S_OK;
		break;
	default:
		if (ratelimit_ok(&d->rl))
			log_warn("unknown operation %u from the device, answered "
				 "HV_ERROR_NOT_SUPPORTED",
				 m.op);
		status = HV_ERROR_NOT_SUPPORTED;
		break;
	}
	if (m.op == VSS_OP_FREEZE || m.op == VSS_OP_THAW)
		log_info("op=%s: %s (0x%08x)", vss_op_name(m.op),
			 status == HV_S_OK ? "succeeded" : "failed", status);
	vss_reply_build(reply, status, flags);
	/* Thaw hooks run after the reply went out (vssd_after_reply). */
	return hooks_after ? 2 : 1;
}

void vssd_after_reply(struct vssd *d)
{
	run_thaw_hooks(d, VSSD_PHASE_THAW);
	record(d, "THAW", d->last_error[0] ? HV_E_FAIL : HV_S_OK,
	       d->last_error[0] ? d->last_error : "frozen and thawed");
}

/* -- recovery at start ------------------------------------------------------------------ */

static void report_recovered(const char *path, int r, void *data)
{
	if (r > 0)
		log_warn("'%s' was left frozen by an earlier run: thawed", path);
	else if (r == 0)
		log_info("'%s' named by the marker was not frozen", path);
	else
		(void)log_err_errno(r, "cannot thaw '%s' named by the marker", path);
}

int vssd_recover(struct vssd *d)
{
	int r = vssd_marker_recover(d->cfg.run_dir, d->cfg.freezer, report_recovered, NULL);

	if (r > 0) {
		log_warn("an earlier hv-vssd died while frozen: %d mount(s) checked and thawed", r);
		record(d, "RECOVER", HV_S_OK, "an earlier run died while frozen; thawed at start");
	} else if (r < 0) {
		(void)log_err_errno(r, "cannot recover from the marker in '%s'", d->cfg.run_dir);
	}
	return r;
}

/* -- the device loop -------------------------------------------------------------------- */

/* Wait for the device or a signal; returns 1 device ready, 0 signal handled, <0 error. */
static int wait_fd(struct vssd *d, short *ret_revents)
{
	struct pollfd p[3] = {
		{ .fd = d->fd, .events = POLLIN },
		{ .fd = d->sigfd, .events = POLLIN },
		{ .fd = d->state == VSSD_FROZEN ? d->wd.sock : -1, .events = POLLIN },
	};
	int n = poll(p, 3, -1);

	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	if (p[2].revents) {
		vssd_watchdog_event(d);
		return 0;
	}
	if (p[1].revents) {
		struct signalfd_siginfo si;

		if (read(d->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
			if (si.ssi_signo == SIGHUP) {
				log_info("SIGHUP: the configuration is read at start only, "
					 "ignoring");
			} else {
				d->quit = true;
				if (d->state == VSSD_FROZEN)
					(void)vssd_thaw_now(d, "stopping on a signal");
			}
		}
		return 0;
	}
	*ret_revents = p[0].revents;
	return 1;
}

static int do_register(struct vssd *d)
{
	uint8_t msg[VSS_MSG_SIZE], buf[64];
	short rev = 0;
	ssize_t n;
	int r;

	vss_register_build(msg);
	if (write(d->fd, msg, sizeof(msg)) != (ssize_t)sizeof(msg))
		return log_err_errno(-errno ? -errno : -EIO, "cannot register with the device");
	while (!d->quit) {
		r = wait_fd(d, &rev);
		if (r < 0)
			return r;
		if (r == 0)
			continue;
		n = read(d->fd, buf, sizeof(buf));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n != VSS_VERSION_SIZE) {
			log_err("invalid version negotiation: %zd bytes (want %d)", n,
				VSS_VERSION_SIZE);
			return -EPROTO;
		}
		log_info("registered with the VSS device (kernel version %u)",
			 (unsigned int)buf[0] | (unsigned int)buf[1] << 8);
		return 1;
	}
	return 0;
}

/* Serve until the device is lost (returns <0) or we are told to quit (returns 0). */
static int serve(struct vssd *d)
{
	uint8_t buf[64], reply[VSS_MSG_SIZE];
	short rev = 0;

	while (!d->quit) {
		ssize_t n;
		int r;

		r = wait_fd(d, &rev);
		if (r < 0)
			return r;
		if (r == 0)
			continue;
		n = read(d->fd, buf, sizeof(buf));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -ECONNRESET;
		r = vssd_handle(d, buf, (size_t)n, reply);
		if (r == 0)
			continue;
		if (write(d->fd, reply, sizeof(reply)) != (ssize_t)sizeof(reply)) {
			int e = errno ? -errno : -EIO;

			/* The kernel gave up on this request (timeout, hibernation): never leave
			 * the machine frozen behind a lost reply. */
			(void)vssd_thaw_now(d, "the reply to the device failed");
			if (r == 2)
				vssd_after_reply(d);
			return log_warn_errno(e, "cannot reply to the device, reconnecting");
		}
		if (r == 2)
			vssd_after_reply(d);
	}
	return 0;
}

static int setup_signals(struct vssd *d)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return -errno;
	signal(SIGPIPE, SIG_IGN);
	d->sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	return d->sigfd < 0 ? -errno : 0;
}

int vssd_run(struct vssd *d)
{
	int r, status = 0;

	r = setup_signals(d);
	if (r < 0)
		return log_err_errno(r, "cannot set up signals"), 1;
	if (mkdir(d->cfg.run_dir, 0755) < 0 && errno != EEXIST)
		(void)log_warn_errno(-errno, "cannot create run folder '%s', continuing",
				     d->cfg.run_dir);
	(void)vssd_recover(d);

	while (!d->quit) {
		if (d->cfg.device_fd >= 0) {
			if (d->fd >= 0)
				break; /* a handed-over descriptor cannot be reopened */
			d->fd = d->cfg.device_fd;
		} else {
			if (!ratelimit_ok(&d->rl_reopen)) {
				log_err("the device failed %d times within a minute, exiting",
					VSSD_REOPEN_BURST);
				status = 1;
				break;
			}
			r = hvdev_open(d->cfg.device);
			if (r < 0) {
				(void)log_err_errno(r, "cannot open '%s'", d->cfg.device);
				status = 1;
				break;
			}
			d->fd = r;
		}
		r = do_register(d);
		if (r > 0) {
			(void)notify_send("READY=1\nSTATUS=registered, thawed");
			r = serve(d);
		}
		if (d->state == VSSD_FROZEN)
			(void)vssd_thaw_now(d, "the device was lost");
		if (r < 0 && d->cfg.device_fd < 0) {
			close(d->fd);
			d->fd = -1;
			sleep(1);
		}
		if (r < 0 && d->cfg.device_fd >= 0)
			log_info("the device descriptor closed, exiting");
	}
	if (d->state == VSSD_FROZEN)
		(void)vssd_thaw_now(d, "exiting");
	if (d->fd >= 0)
		close(d->fd);
	if (d->sigfd >= 0)
		close(d->sigfd);
	return status;
}

/* -- --check ---------------------------------------------------------------------------- */

int vssd_check(const struct vssd_config *cfg, FILE *out)
{
	struct vssd_hook_skip sk[VSSD_HOOKS_MAX];
	struct vssd_hooks hooks = { .n = 0 };
	struct mountinfo mi = { 0 };
	struct vssd_plan plan = { 0 };
	char err[512], path[PATH_MAX];
	size_t nsk = 0, nfreeze = 0;
	const struct {
		const char *dir;
		enum vssd_hook_kind kind;
	} dirs[] = {
		{ cfg->hook_dir, VSSD_HOOK_OURS },
		{ cfg->qemu_hook_dir, VSSD_HOOK_QEMU },
		{ cfg->vmware_hook_dir, VSSD_HOOK_VMWARE },
	};
	int r;

	r = load_plan(cfg, &mi, &plan, err, sizeof(err));
	if (r < 0) {
		fprintf(out, "error: %s\n", err);
		return 1;
	}
	fprintf(out, "# mounts (%s)\n", cfg->mountinfo);
	for (size_t i = 0; i < plan.n; i++) {
		const struct vssd_mount *m = &plan.m[i];

		if (mountinfo_escape(m->e->mountpoint, path, sizeof(path)) < 0)
			(void)str_copy(path, sizeof(path), "(name too long)");
		fprintf(out, "%-11s %s (%s %s %u:%u)%s%s\n", vssd_verdict_name(m->verdict), path,
			m->e->fstype, m->e->source, m->e->major, m->e->minor,
			m->reason[0] ? ": " : "", m->reason);
	}
	fprintf(out, "# freeze order (thaw in reverse), window %llu s\n", cfg->window_ms / 1000);
	for (size_t i = 0; i < plan.n_order; i++) {
		if (mountinfo_escape(plan.m[plan.order[i]].e->mountpoint, path, sizeof(path)) < 0)
			(void)str_copy(path, sizeof(path), "(name too long)");
		fprintf(out, "%zu. %s\n", i + 1, path);
		nfreeze++;
	}
	if (nfreeze == 0)
		fprintf(out, "(nothing would be frozen)\n");
	fprintf(out,
		"# hooks (freeze in this order, thaw in reverse; timeout %llu s, on failure: "
		"%s)\n",
		cfg->hook_timeout_ms / 1000, cfg->hook_abort ? "abort" : "continue");
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		r = vssd_hooks_scan(&hooks, dirs[i].dir, dirs[i].kind, sk, ARRAY_SIZE(sk), &nsk);
		if (r < 0)
			fprintf(out, "error: cannot read hook folder '%s': %s\n", dirs[i].dir,
				strerror(-r));
	}
	for (size_t i = 0; i < hooks.n; i++)
		fprintf(out, "hook %s (%s: %s / %s)\n", hooks.h[i].path,
			vssd_hook_kind_name(hooks.h[i].kind),
			vssd_hook_arg(hooks.h[i].kind, VSSD_PHASE_FREEZE),
			vssd_hook_arg(hooks.h[i].kind, VSSD_PHASE_THAW));
	for (size_t i = 0; i < MIN(nsk, ARRAY_SIZE(sk)); i++)
		fprintf(out, "not run %s: %s\n", sk[i].path, sk[i].why);
	if (hooks.n == 0 && nsk == 0)
		fprintf(out, "(no hooks)\n");
	if (cfg->run_dir) {
		int dfd = open(cfg->run_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (dfd >= 0 && faccessat(dfd, VSSD_MARKER_NAME, F_OK, 0) == 0)
			fprintf(out,
				"# warning: a marker in '%s' says an earlier run died frozen; "
				"the daemon thaws it at start\n",
				cfg->run_dir);
		if (dfd >= 0)
			close(dfd);
	}
	mountinfo_free(&mi);
	vssd_plan_free(&plan);
	return nfreeze ? 0 : 1;
}

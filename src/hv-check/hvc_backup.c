/* SPDX-License-Identifier: MIT */
/*
 * hvc_backup.c - the live backup section of the live check (see hvc_backup.h).
 */
#include "hvc_backup.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "fs.h"
#include "hvc_out.h"
#include "util.h"

static void add_problem(struct hvc_backup *b, const char *remedy, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void add_problem(struct hvc_backup *b, const char *remedy, const char *fmt, ...)
{
	va_list ap;

	if (b->nproblems == HVC_BACKUP_PROBLEMS)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(b->problem[b->nproblems], sizeof(b->problem[0]), fmt, ap);
	va_end(ap);
	(void)str_copy(b->remedy[b->nproblems], sizeof(b->remedy[0]), remedy);
	b->nproblems++;
}

/* The first mount table that can be read: the daemon's, ours, init's. */
static int read_table(struct hvc_backup *b, int rootfd, const char *daemon_pid)
{
	char cand[3][64];
	size_t n = 0;
	int r = -ENOENT;

	if (daemon_pid && daemon_pid[0])
		(void)snprintf(cand[n++], sizeof(cand[0]), "proc/%s/mountinfo", daemon_pid);
	(void)str_copy(cand[n++], sizeof(cand[0]), "proc/self/mountinfo");
	(void)str_copy(cand[n++], sizeof(cand[0]), "proc/1/mountinfo");
	for (size_t i = 0; i < n; i++) {
		unsigned int bad = 0;
		size_t len;
		char *buf;

		r = fs_read_file_at(rootfd, cand[i], MOUNTINFO_FILE_MAX, &buf, &len);
		if (r == -ENOENT)
			continue;
		(void)str_copy(b->from, sizeof(b->from), cand[i]);
		if (r < 0) {
			(void)snprintf(b->error, sizeof(b->error), "cannot read %s: %s", cand[i],
				       strerror(-r));
			return r;
		}
		r = mountinfo_parse(buf, len, &b->mi, &bad);
		free(buf);
		if (r < 0 && bad)
			(void)snprintf(b->error, sizeof(b->error), "%s line %u is malformed",
				       cand[i], bad);
		else if (r < 0)
			(void)snprintf(b->error, sizeof(b->error), "cannot parse %s: %s", cand[i],
				       strerror(-r));
		return r;
	}
	(void)snprintf(b->error, sizeof(b->error), "no mount table under the root (%s%s%s)",
		       n == 3 ? cand[0] : "", n == 3 ? ", " : "",
		       "proc/self/mountinfo, proc/1/mountinfo");
	return r;
}

void hvc_backup_load(struct hvc_backup *b, const char *root, int rootfd, const char *daemon_pid)
{
	char prefix[PATH_MAX], conf_path[PATH_MAX + 32], sysfs[PATH_MAX + 8];
	struct freezeplan_opts o = { 0 };
	struct freezeplan_dirs dirs;
	struct conf *conf = NULL;
	size_t plen;
	int r;

	memset(b, 0, sizeof(*b));
	b->verdict = HVC_BACKUP_UNKNOWN;
	/* "/" -> "", "/x/root/" -> "/x/root" */
	(void)str_copy(prefix, sizeof(prefix), streq(root, "/") ? "" : root);
	plen = strlen(prefix);
	while (plen > 0 && prefix[plen - 1] == '/')
		prefix[--plen] = '\0';
	b->root_len = plen;

	freezeplan_dirs_default(&dirs);
	(void)snprintf(conf_path, sizeof(conf_path), "%s%s", prefix, CONF_DEFAULT_PATH);
	r = conf_load(conf_path, &conf, b->conf_err, sizeof(b->conf_err));
	if (r == -ENOENT) {
		b->conf_err[0] = '\0';
	} else if (r < 0) {
		if (!b->conf_err[0])
			(void)snprintf(b->conf_err, sizeof(b->conf_err), "%s: %s",
				       CONF_DEFAULT_PATH, strerror(-r));
	} else {
		char err[256] = "";

		if (freezeplan_conf_load(conf, &o, &dirs, err, sizeof(err)) < 0) {
			(void)snprintf(b->conf_err, sizeof(b->conf_err), "%s: [vssd] %s",
				       CONF_DEFAULT_PATH, err);
			freezeplan_dirs_default(&dirs);
			o.n_include = o.n_exclude = 0;
		}
	}

	if (read_table(b, rootfd, daemon_pid) == 0) {
		(void)snprintf(sysfs, sizeof(sysfs), "%s/sys", prefix);
		o.sysfs = sysfs;
		o.stat_mounts = true;
		o.root = plen ? prefix : NULL;
		r = freezeplan_select(&b->mi, &o, &b->plan);
		if (r < 0) {
			(void)snprintf(b->error, sizeof(b->error), "cannot judge the mounts: %s",
				       strerror(-r));
		} else {
			b->have = true;
			for (size_t i = 0; i < b->plan.n; i++) {
				enum freezeplan_verdict v = b->plan.m[i].verdict;

				b->nfreeze += v == FREEZEPLAN_FREEZE;
				b->nrisky += v == FREEZEPLAN_RISKY;
				b->nskip += v == FREEZEPLAN_SKIP;
			}
		}
	}

	for (size_t k = 0; k < ARRAY_SIZE(dirs.dir); k++) {
		char dir[PATH_MAX + 8];

		if (!dirs.dir[k])
			continue;
		(void)snprintf(dir, sizeof(dir), "%s%s", prefix, dirs.dir[k]);
		r = freezeplan_hooks_scan(&b->hooks, dir, (enum freezeplan_hook_kind)k, b->skipped,
					  ARRAY_SIZE(b->skipped), &b->nskipped);
		if (r < 0 && !b->hook_err[0])
			(void)snprintf(b->hook_err, sizeof(b->hook_err),
				       "cannot read hook folder %s: %s", dirs.dir[k], strerror(-r));
	}
	/* The strings of the include/exclude patterns are no longer needed: the plan is made. */
	conf_free(conf);
}

void hvc_backup_free(struct hvc_backup *b)
{
	freezeplan_free(&b->plan);
	mountinfo_free(&b->mi);
}

const char *hvc_backup_hook_path(const struct hvc_backup *b, const char *path)
{
	return strlen(path) > b->root_len ? path + b->root_len : path;
}

void hvc_backup_judge(struct hvc_backup *b, bool offered, const char *daemon)
{
	b->nproblems = 0;
	b->daemon_problem = false;
	if (!b->have) {
		b->verdict = HVC_BACKUP_UNKNOWN;
		return;
	}
	if (offered && !daemon[0]) {
		add_problem(
			b,
			"install and start a VSS daemon (hv-vssd, or hv_vss_daemon of the "
			"distribution's hyperv-daemons)",
			"the host offers backup (VSS) but no VSS daemon runs: snapshots are only "
			"crash-consistent");
		b->daemon_problem = true;
	}
	if (b->conf_err[0])
		add_problem(b, "correct the configuration file",
			    "hv-vssd would refuse its configuration: %s", b->conf_err);
	if (b->plan.n_order == 0)
		add_problem(b,
			    "keep data on a filesystem that can be frozen (ext4, xfs, btrfs, ...), "
			    "or review include=/exclude= in [vssd]",
			    "nothing would be frozen: snapshots are only crash-consistent");
	if (b->nrisky) {
		char list[256] = "";
		size_t len = 0;

		for (size_t i = 0; i < b->plan.n; i++) {
			const struct freezeplan_mount *m = &b->plan.m[i];
			int w;

			if (m->verdict != FREEZEPLAN_RISKY || len >= sizeof(list))
				continue;
			w = snprintf(list + len, sizeof(list) - len, "%s%s (%s)", len ? ", " : "",
				     m->e->mountpoint, m->reason);
			if (w > 0)
				len += (size_t)w;
		}
		add_problem(b,
			    "exclude = MOUNTPOINT in [vssd] of /etc/hvguest/hvguest.conf for a "
			    "mount that must not be frozen; hv-vssd --check shows the plan",
			    "%zu risky mount(s) would be frozen: %s", b->nrisky, list);
	}
	b->verdict = b->nproblems ? HVC_BACKUP_PROBLEMS_FOUND : HVC_BACKUP_OK;
}

static const char *escaped(const char *s, char *buf, size_t size)
{
	return mountinfo_escape(s, buf, size) == 0 ? buf : "(name too long)";
}

void hvc_backup_print(FILE *out, const struct hvc_backup *b)
{
	char path[PATH_MAX];

	if (!b->have) {
		fprintf(out, "\nlive backup: %s\n", b->error);
	} else {
		fprintf(out,
			"\nlive backup (what a host backup would do; mounts from %s: %zu will "
			"freeze, %zu risky, %zu skipped):\n",
			b->from, b->nfreeze, b->nrisky, b->nskip);
		for (size_t i = 0; i < b->plan.n; i++) {
			const struct freezeplan_mount *m = &b->plan.m[i];

			fprintf(out, "  %-11s %s (%s %s %u:%u)%s%s\n",
				freezeplan_verdict_name(m->verdict),
				escaped(m->e->mountpoint, path, sizeof(path)), m->e->fstype,
				m->e->source, m->e->major, m->e->minor, m->reason[0] ? ": " : "",
				m->reason);
		}
		fputs("  freeze order (thaw in reverse):", out);
		for (size_t i = 0; i < b->plan.n_order; i++)
			fprintf(out, "%s %s", i ? "," : "",
				escaped(b->plan.m[b->plan.order[i]].e->mountpoint, path,
					sizeof(path)));
		fputs(b->plan.n_order ? "\n" : " (nothing would be frozen)\n", out);
	}
	fputs("  hooks (freeze in this order, thaw in reverse):", out);
	if (b->hooks.n == 0 && b->nskipped == 0)
		fputs(" none", out);
	fputc('\n', out);
	for (size_t i = 0; i < b->hooks.n; i++)
		fprintf(out, "    %s (%s: %s / %s)\n", hvc_backup_hook_path(b, b->hooks.h[i].path),
			freezeplan_hook_kind_name(b->hooks.h[i].kind),
			freezeplan_hook_arg(b->hooks.h[i].kind, FREEZEPLAN_PHASE_FREEZE),
			freezeplan_hook_arg(b->hooks.h[i].kind, FREEZEPLAN_PHASE_THAW));
	for (size_t i = 0; i < MIN(b->nskipped, ARRAY_SIZE(b->skipped)); i++)
		fprintf(out, "    not run %s: %s\n", hvc_backup_hook_path(b, b->skipped[i].path),
			b->skipped[i].why);
	if (b->hook_err[0])
		fprintf(out, "    %s\n", b->hook_err);
	if (b->verdict == HVC_BACKUP_OK)
		fputs("  verdict: ok\n", out);
	else if (b->verdict == HVC_BACKUP_UNKNOWN)
		fputs("  verdict: unknown (no mount table)\n", out);
	for (size_t i = 0; i < b->nproblems; i++)
		fprintf(out, "  verdict: PROBLEM %s\n", b->problem[i]);
}

void hvc_backup_json(FILE *out, const struct hvc_backup *b)
{
	char dev[32];

	fputs("{\"verdict\": ", out);
	hvc_json_str(out, b->verdict == HVC_BACKUP_OK               ? "ok"
			  : b->verdict == HVC_BACKUP_PROBLEMS_FOUND ? "problems"
								    : "unknown");
	fputs(", \"mountinfo\": ", out);
	hvc_json_str(out, b->from[0] ? b->from : NULL);
	fputs(", \"error\": ", out);
	hvc_json_str(out, b->have ? NULL : b->error);
	fputs(", \"mounts\": ", out);
	if (!b->have) {
		fputs("null", out);
	} else {
		fputc('[', out);
		for (size_t i = 0; i < b->plan.n; i++) {
			const struct freezeplan_mount *m = &b->plan.m[i];

			fputs(i ? ", {\"mountpoint\": " : "{\"mountpoint\": ", out);
			hvc_json_str(out, m->e->mountpoint);
			fputs(", \"fstype\": ", out);
			hvc_json_str(out, m->e->fstype);
			fputs(", \"source\": ", out);
			hvc_json_str(out, m->e->source);
			(void)snprintf(dev, sizeof(dev), "%u:%u", m->e->major, m->e->minor);
			fputs(", \"device\": ", out);
			hvc_json_str(out, dev);
			fputs(", \"verdict\": ", out);
			hvc_json_str(out, freezeplan_verdict_name(m->verdict));
			fputs(", \"reason\": ", out);
			hvc_json_str(out, m->reason[0] ? m->reason : NULL);
			fputc('}', out);
		}
		fputc(']', out);
	}
	fputs(", \"freeze_order\": ", out);
	if (!b->have) {
		fputs("null", out);
	} else {
		fputc('[', out);
		for (size_t i = 0; i < b->plan.n_order; i++) {
			if (i)
				fputs(", ", out);
			hvc_json_str(out, b->plan.m[b->plan.order[i]].e->mountpoint);
		}
		fputc(']', out);
	}
	fputs(", \"hooks\": [", out);
	for (size_t i = 0; i < b->hooks.n; i++) {
		const struct freezeplan_hook *h = &b->hooks.h[i];

		fputs(i ? ", {\"path\": " : "{\"path\": ", out);
		hvc_json_str(out, hvc_backup_hook_path(b, h->path));
		fputs(", \"kind\": ", out);
		hvc_json_str(out, freezeplan_hook_kind_name(h->kind));
		fputs(", \"freeze_arg\": ", out);
		hvc_json_str(out, freezeplan_hook_arg(h->kind, FREEZEPLAN_PHASE_FREEZE));
		fputs(", \"thaw_arg\": ", out);
		hvc_json_str(out, freezeplan_hook_arg(h->kind, FREEZEPLAN_PHASE_THAW));
		fputc('}', out);
	}
	fputs("], \"hooks_not_run\": [", out);
	for (size_t i = 0; i < MIN(b->nskipped, ARRAY_SIZE(b->skipped)); i++) {
		fputs(i ? ", {\"path\": " : "{\"path\": ", out);
		hvc_json_str(out, hvc_backup_hook_path(b, b->skipped[i].path));
		fputs(", \"why\": ", out);
		hvc_json_str(out, b->skipped[i].why);
		fputc('}', out);
	}
	fputs("], \"problems\": [", out);
	for (size_t i = 0; i < b->nproblems; i++) {
		if (i)
			fputs(", ", out);
		hvc_json_str(out, b->problem[i]);
	}
	fputs("]}", out);
}

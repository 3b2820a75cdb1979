/* SPDX-License-Identifier: MIT */
/*
 * test-hv-vssd-freeze.c - freeze and thaw through a recording fake freezer: order, rollback
 * in reverse at the first failure, EBUSY (already frozen) left alone, thaw repeated until
 * EINVAL; and the protocol replies of vssd_handle (unknown operations, bad sizes, HOT_BACKUP
 * flags, THAW without FREEZE) with nothing frozen for real.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "tap.h"
#include "vssd.h"

struct rec {
	char calls[64][8];
	size_t n;
	int fail_fd; /* freeze of this fd fails */
	int fail_err;
	int depth[64]; /* freeze count per fd */
};

static int fake_freeze(void *ctx, int fd)
{
	struct rec *r = ctx;

	(void)snprintf(r->calls[r->n++ % 64], 8, "F%d", fd);
	if (fd == r->fail_fd)
		return r->fail_err;
	if (r->depth[fd] > 0)
		return -EBUSY;
	r->depth[fd]++;
	return 0;
}

static int fake_thaw(void *ctx, int fd)
{
	struct rec *r = ctx;

	(void)snprintf(r->calls[r->n++ % 64], 8, "T%d", fd);
	if (r->depth[fd] == 0)
		return -EINVAL;
	r->depth[fd]--;
	return 0;
}

static void calls(const struct rec *r, char *out, size_t size)
{
	size_t o = 0;

	out[0] = '\0';
	for (size_t i = 0; i < r->n && o + 8 < size; i++)
		o += (size_t)snprintf(out + o, size - o, "%s%s", i ? " " : "", r->calls[i]);
}

static void fake_set(struct vssd_set *s, size_t n)
{
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < n; i++) {
		s->t[i].fd = (int)(10 + i);
		(void)snprintf(s->t[i].path, sizeof(s->t[i].path), "/m%zu", i);
	}
	s->n = n;
}

int main(void)
{
	struct rec r = { .fail_fd = -1 };
	struct vssd_freezer fz = { fake_freeze, fake_thaw, &r };
	struct vssd_failure fail;
	static struct vssd_set s;
	char buf[512];

	fake_set(&s, 3);
	CHECK_INT(vssd_freeze_all(&fz, &s, &fail), 0, "freeze three");
	CHECK_INT(vssd_thaw_all(&fz, &s, &fail), 0, "thaw three");
	calls(&r, buf, sizeof(buf));
	CHECK_STR(buf, "F10 F11 F12 T12 T12 T11 T11 T10 T10",
		  "freeze in order, thaw in reverse "
		  "until EINVAL");

	r = (struct rec){ .fail_fd = 12, .fail_err = -EIO };
	fake_set(&s, 4);
	memset(&fail, 0, sizeof(fail));
	CHECK_INT(vssd_freeze_all(&fz, &s, &fail), -EIO, "third freeze fails");
	CHECK_STR(fail.path, "/m2", "failure names the mount");
	CHECK_INT(fail.error, -EIO, "and its errno");
	CHECK_INT(fail.thaw_error, 0, "rollback clean");
	calls(&r, buf, sizeof(buf));
	CHECK_STR(buf, "F10 F11 F12 T11 T11 T10 T10", "rollback thaws what was frozen, in reverse");
	CHECK(r.depth[10] == 0 && r.depth[11] == 0, "nothing left frozen");

	r = (struct rec){ .fail_fd = -1 };
	r.depth[11] = 1; /* frozen by someone else */
	fake_set(&s, 3);
	CHECK_INT(vssd_freeze_all(&fz, &s, &fail), 0, "EBUSY is not a failure");
	CHECK(s.t[1].foreign && !s.t[1].frozen, "marked foreign");
	CHECK_INT(vssd_thaw_all(&fz, &s, &fail), 0, "thaw");
	CHECK_INT(r.depth[11], 1, "a foreign freeze is left as found");

	/* The protocol, with a recording freezer and no mounts to freeze. */
	{
		char dir[] = "/tmp/hvguest-vssd-XXXXXX", mi[600];
		struct vssd_config cfg;
		static struct vssd d;
		uint8_t msg[12] = { 0 }, rep[12];
		char errpath[640];
		int errfd, saved;
		FILE *f;

		if (!mkdtemp(dir))
			abort();
		(void)snprintf(mi, sizeof(mi), "%s/mountinfo", dir);
		f = fopen(mi, "w");
		if (!f)
			abort();
		fprintf(f, "1 0 0:5 / / rw - tmpfs none rw\n");
		fclose(f);
		log_init("t", LOG_SINK_STDERR, 0);
		vssd_config_defaults(&cfg);
		cfg.mountinfo = mi;
		cfg.run_dir = dir;
		cfg.pool_dir = NULL;
		cfg.hook_dir = cfg.qemu_hook_dir = cfg.vmware_hook_dir = NULL;
		r = (struct rec){ .fail_fd = -1 };
		cfg.freezer = &fz;
		vssd_init(&d, &cfg);

		msg[0] = 42;
		msg[8] = 7;
		CHECK_INT(vssd_handle(&d, msg, 12, rep), 1, "unknown op gets a reply");
		CHECK_INT(rep[0] | rep[1] << 8 | rep[2] << 16 | (uint32_t)rep[3] << 24,
			  HV_ERROR_NOT_SUPPORTED, "unknown op: HV_ERROR_NOT_SUPPORTED");
		CHECK_INT(rep[8], 7, "flags echoed");
		CHECK_INT(vssd_handle(&d, msg, 11, rep), 0, "short message: no reply");
		CHECK_INT(vssd_handle(&d, msg, 13, rep), 0, "long message: no reply");
		msg[0] = VSS_OP_HOT_BACKUP;
		CHECK_INT(vssd_handle(&d, msg, 12, rep), 1, "HOT_BACKUP");
		CHECK_INT(rep[0] | rep[3], 0, "HOT_BACKUP ok");
		CHECK_INT(rep[8], VSS_HBU_NO_AUTO_RECOVERY, "HOT_BACKUP flags");
		msg[0] = VSS_OP_THAW;
		CHECK_INT(vssd_handle(&d, msg, 12, rep), 1, "THAW without FREEZE");
		CHECK_INT(rep[0], 0, "THAW without FREEZE: ok");
		/* Count what reaches stderr (a file here) between freeze and thaw: nothing. */
		(void)snprintf(errpath, sizeof(errpath), "%s/stderr", dir);
		errfd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		saved = dup(STDERR_FILENO);
		if (errfd < 0 || saved < 0 || dup2(errfd, STDERR_FILENO) < 0)
			abort();
		msg[0] = VSS_OP_FREEZE;
		CHECK_INT(vssd_handle(&d, msg, 12, rep), 1, "FREEZE of nothing");
		CHECK_INT(d.state, VSSD_FROZEN, "state FROZEN");
		CHECK(log_is_held(), "log held while frozen");
		msg[0] = VSS_OP_GET_DM_INFO; /* another request while frozen */
		CHECK_INT(vssd_handle(&d, msg, 12, rep), 1, "a request while frozen");
		msg[0] = 99; /* and a warning while frozen */
		CHECK_INT(vssd_handle(&d, msg, 12, rep), 1, "an unknown request while frozen");
		fflush(stderr);
		CHECK_INT(lseek(errfd, 0, SEEK_END), 0,
			  "zero bytes written to stderr while frozen");
		msg[0] = VSS_OP_THAW;
		CHECK_INT(vssd_handle(&d, msg, 12, rep), 2, "THAW: reply, then after-reply work");
		vssd_after_reply(&d);
		fflush(stderr);
		CHECK(lseek(errfd, 0, SEEK_END) > 0, "the held messages come out after the thaw");
		if (dup2(saved, STDERR_FILENO) < 0)
			abort();
		close(saved);
		close(errfd);
		unlink(errpath);
		CHECK(!log_is_held(), "log released after thaw");
		CHECK_INT(d.state, VSSD_THAWED, "state THAWED");
		CHECK_INT(r.n, 0, "nothing was frozen (tmpfs root skipped)");
		unlink(mi);
		rmdir(dir);
	}
	return tap_done();
}

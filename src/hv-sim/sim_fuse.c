/* SPDX-License-Identifier: MIT */
/*
 * sim_fuse.c - the FUSE device files of hv-sim (see sim_fuse.h), on libfuse3's low-level API
 * driven from hv-sim's own poll loop.  A read that finds no message is not answered until
 * one is queued (or the read is interrupted), which is how a blocking read() of the char
 * device behaves.
 */
#define FUSE_USE_VERSION 35
#include "sim_fuse.h"

#include <errno.h>
#include <fcntl.h>
#include <fuse_lowlevel.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

#define ROOT_INO  1
#define DEV_INO   2
#define READS_MAX 16 /* blocked reads at once (a daemon normally has one) */

struct pending_read {
	fuse_req_t req;
	size_t size;
	uint64_t fh;
};

struct sim_fuse {
	struct sim_dev *dev;
	struct fuse_session *se;
	struct fuse_buf buf;
	uint64_t open_fh; /* the fh of the current opener, 0 for none */
	uint64_t next_fh;
	struct fuse_pollhandle *ph;
	unsigned int notified_mask;
	struct pending_read reads[READS_MAX];
	size_t nreads;
	uint8_t msg[SIM_MSG_MAX];
};

static void fill_attr(fuse_ino_t ino, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = ino;
	st->st_uid = getuid();
	st->st_gid = getgid();
	if (ino == ROOT_INO) {
		st->st_mode = S_IFDIR | 0755;
		st->st_nlink = 2;
	} else {
		st->st_mode = S_IFREG | 0600;
		st->st_nlink = 1;
	}
}

static void op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct sim_fuse *f = fuse_req_userdata(req);
	struct fuse_entry_param e;

	if (parent != ROOT_INO || !streq(name, sim_service_devname(f->dev->service))) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	memset(&e, 0, sizeof(e));
	e.ino = DEV_INO;
	e.generation = 1;
	fill_attr(DEV_INO, &e.attr);
	fuse_reply_entry(req, &e);
}

static void op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct stat st;

	if (ino != ROOT_INO && ino != DEV_INO) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	fill_attr(ino, &st);
	fuse_reply_attr(req, &st, 0);
}

static void op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	struct sim_fuse *f = fuse_req_userdata(req);
	const char *names[] = { ".", "..", sim_service_devname(f->dev->service) };
	const fuse_ino_t inos[] = { ROOT_INO, ROOT_INO, DEV_INO };
	char buf[512];
	size_t used = 0;
	struct stat st;

	if (ino != ROOT_INO) {
		fuse_reply_err(req, ENOTDIR);
		return;
	}
	for (off_t i = off; i < (off_t)ARRAY_SIZE(names); i++) {
		size_t n;

		fill_attr(inos[i], &st);
		n = fuse_add_direntry(req, buf + used, MIN(size, sizeof(buf)) - used, names[i], &st,
				      i + 1);
		if (n > MIN(size, sizeof(buf)) - used)
			break;
		used += n;
	}
	fuse_reply_buf(req, buf, used);
}

static void op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct sim_fuse *f = fuse_req_userdata(req);
	int r;

	if (ino != DEV_INO) {
		fuse_reply_err(req, ino == ROOT_INO ? EISDIR : ENOENT);
		return;
	}
	r = sim_dev_open(f->dev);
	if (r < 0) {
		fuse_reply_err(req, -r);
		return;
	}
	f->open_fh = ++f->next_fh;
	fi->fh = f->open_fh;
	fi->direct_io = 1;
	fi->keep_cache = 0;
	f->notified_mask = 0;
	if (fuse_reply_open(req, fi) != 0) {
		/* the opener is gone already (interrupted): undo */
		sim_dev_close(f->dev);
		f->open_fh = 0;
	}
}

static void read_interrupted(fuse_req_t req, void *data)
{
	struct sim_fuse *f = data;

	for (size_t i = 0; i < f->nreads; i++) {
		if (f->reads[i].req != req)
			continue;
		memmove(&f->reads[i], &f->reads[i + 1], (f->nreads - i - 1) * sizeof(f->reads[0]));
		f->nreads--;
		fuse_reply_err(req, EINTR);
		return;
	}
}

static void op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	struct sim_fuse *f = fuse_req_userdata(req);
	int r;

	if (fi->fh != f->open_fh) {
		fuse_reply_err(req, EBADF);
		return;
	}
	r = sim_dev_read(f->dev, f->msg, MIN(size, sizeof(f->msg)));
	if (r == -EAGAIN && !(fi->flags & O_NONBLOCK)) {
		if (f->nreads >= READS_MAX) {
			fuse_reply_err(req, EAGAIN);
			return;
		}
		f->reads[f->nreads++] =
			(struct pending_read){ .req = req, .size = size, .fh = fi->fh };
		fuse_req_interrupt_func(req, read_interrupted, f);
		return;
	}
	if (r < 0)
		fuse_reply_err(req, -r);
	else
		fuse_reply_buf(req, (const char *)f->msg, (size_t)r);
	sim_fuse_pump(f);
}

static void op_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
		     struct fuse_file_info *fi)
{
	struct sim_fuse *f = fuse_req_userdata(req);
	int r;

	if (fi->fh != f->open_fh) {
		fuse_reply_err(req, EBADF);
		return;
	}
	r = sim_dev_write(f->dev, buf, size);
	if (r < 0)
		fuse_reply_err(req, -r);
	else
		fuse_reply_write(req, (size_t)r);
	sim_fuse_pump(f);
}

static void op_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	fuse_reply_err(req, 0);
}

static void op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct sim_fuse *f = fuse_req_userdata(req);

	if (fi->fh == f->open_fh && f->open_fh != 0) {
		sim_dev_close(f->dev);
		f->open_fh = 0;
		if (f->ph) {
			fuse_pollhandle_destroy(f->ph);
			f->ph = NULL;
		}
	}
	fuse_reply_err(req, 0);
}

static void op_poll(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
		    struct fuse_pollhandle *ph)
{
	struct sim_fuse *f = fuse_req_userdata(req);
	unsigned int mask;

	if (fi->fh != f->open_fh) {
		if (ph)
			fuse_pollhandle_destroy(ph);
		fuse_reply_poll(req, POLLERR | POLLHUP);
		return;
	}
	if (ph) {
		if (f->ph)
			fuse_pollhandle_destroy(f->ph);
		f->ph = ph;
	}
	mask = sim_dev_poll(f->dev);
	f->notified_mask = mask;
	fuse_reply_poll(req, mask);
}

static const struct fuse_lowlevel_ops ops = {
	.lookup = op_lookup,
	.getattr = op_getattr,
	.readdir = op_readdir,
	.open = op_open,
	.read = op_read,
	.write = op_write,
	.flush = op_flush,
	.release = op_release,
	.poll = op_poll,
};

void sim_fuse_pump(struct sim_fuse *f)
{
	unsigned int mask;

	while (f->nreads > 0) {
		struct pending_read *p = &f->reads[0];
		int r;

		if (p->fh != f->open_fh)
			r = -EBADF;
		else
			r = sim_dev_read(f->dev, f->msg, MIN(p->size, sizeof(f->msg)));
		if (r == -EAGAIN)
			break;
		if (r < 0)
			fuse_reply_err(p->req, -r);
		else
			fuse_reply_buf(p->req, (const char *)f->msg, (size_t)r);
		memmove(&f->reads[0], &f->reads[1], (f->nreads - 1) * sizeof(f->reads[0]));
		f->nreads--;
		if (r == -EINVAL)
			break; /* the message stays; the next reader may have a larger buffer */
	}
	mask = f->open_fh ? sim_dev_poll(f->dev) : 0;
	if (f->ph && mask != 0 && mask != f->notified_mask) {
		f->notified_mask = mask;
		(void)fuse_lowlevel_notify_poll(f->ph);
	}
	if (mask == 0)
		f->notified_mask = 0;
}

struct sim_fuse *sim_fuse_new(struct sim_dev *dev, const char *mountpoint, char *err,
			      size_t errsize)
{
	struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
	struct sim_fuse *f;
	int fd, fl;

	f = calloc(1, sizeof(*f));
	if (!f) {
		snprintf(err, errsize, "out of memory");
		return NULL;
	}
	f->dev = dev;
	if (fuse_opt_add_arg(&args, "hv-sim") != 0 ||
	    fuse_opt_add_arg(&args, "-ofsname=hv-sim,subtype=hv-sim") != 0 ||
	    (geteuid() == 0 && fuse_opt_add_arg(&args, "-oallow_other") != 0)) {
		snprintf(err, errsize, "out of memory");
		goto err_free;
	}
	f->se = fuse_session_new(&args, &ops, sizeof(ops), f);
	fuse_opt_free_args(&args);
	if (!f->se) {
		snprintf(err, errsize, "cannot create a FUSE session");
		goto err_free;
	}
	if (fuse_session_mount(f->se, mountpoint) != 0) {
		snprintf(err, errsize,
			 "cannot mount FUSE on '%s' (is /dev/fuse there, are we root?)",
			 mountpoint);
		goto err_destroy;
	}
	fd = fuse_session_fd(f->se);
	fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		(void)fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	return f;

err_destroy:
	fuse_session_destroy(f->se);
err_free:
	free(f);
	return NULL;
}

int sim_fuse_fd(const struct sim_fuse *f)
{
	return fuse_session_fd(f->se);
}

int sim_fuse_process(struct sim_fuse *f)
{
	int r;

	if (fuse_session_exited(f->se))
		return -ENODEV;
	r = fuse_session_receive_buf(f->se, &f->buf);
	if (r == -EINTR || r == -EAGAIN)
		return 0;
	if (r <= 0)
		return -ENODEV;
	fuse_session_process_buf(f->se, &f->buf);
	return 0;
}

struct sim_fuse *sim_fuse_free(struct sim_fuse *f)
{
	if (!f)
		return NULL;
	for (size_t i = 0; i < f->nreads; i++)
		fuse_reply_err(f->reads[i].req, EBADF);
	if (f->ph)
		fuse_pollhandle_destroy(f->ph);
	fuse_session_unmount(f->se);
	fuse_session_destroy(f->se);
	free(f->buf.mem);
	free(f);
	return NULL;
}

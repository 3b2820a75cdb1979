/* SPDX-License-Identifier: MIT */
/*
 * fcopyd_run.c - the loop of hv-fcopyd on the character device and on the UIO channel,
 * with reconnection, the per-copy idle timeout and the dispatch of validated messages to the
 * copy session.
 */
#include "fcopyd_run.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "icmsg.h"
#include "kvpool.h"
#include "log.h"
#include "notify.h"
#include "vmbus_ring.h"

#define CHARDEV_BUF      8192
#define CHARDEV_TICK_MS  100 /* SIGALRM period while reading in a copy */
#define RING_SIZE_MAX    (64u << 20)
#define REGISTER_WAIT_MS 10000
#define RECONNECT_MIN_MS 100
#define RECONNECT_MAX_MS 2000
#define BIND_WAIT_MS     2000
#define UIO_SPIN_NS      50000 /* how long to poll the ring before sleeping */
#define UIO_SPIN_CHECK   16    /* ring checks between two looks at the clock */
#define UIO_SPIN_YIELD   1     /* clock looks between two sched_yield() */

struct fcopyd {
	const struct fcopyd_opts *o;
	struct fcopyd_session s;
	int sigfd;
	bool stop;
	bool notified;
	uint64_t last_ms; /* last message from the host */
	struct ratelimit rl;
	unsigned long copies;
	struct kvpool *kp; /* result records, or NULL */
	unsigned long records;
	sigset_t alrm; /* SIGALRM, the character device's tick */
	bool ticking;  /* SIGALRM unblocked: system calls may end with EINTR */
};

static const struct ic_version fw_versions[] = { { 3, 0 } };
static const struct ic_version fcopy_versions[] = { { 1, 1 } };

enum fcopyd_transport fcopyd_pick_transport(const struct fcopyd_opts *o)
{
	char path[PATH_MAX];
	struct stat st;

	if (o->transport != FCOPYD_AUTO)
		return o->transport;
	if (o->device || o->device_fd >= 0)
		return FCOPYD_CHARDEV;
	snprintf(path, sizeof(path), "%s/vmbus/hv_fcopy", o->dev);
	return stat(path, &st) == 0 ? FCOPYD_CHARDEV : FCOPYD_UIO;
}

/* -- the copy itself ---------------------------------------------------------------------- */

/* Warnings caused by the host are rate-limited. */
#define host_warn(d, ...)                                                                          \
	do {                                                                                       \
		if (ratelimit_ok(&(d)->rl))                                                        \
			log_warn(__VA_ARGS__);                                                     \
	} while (0)

/* Cut 's' to at most 'max' bytes without splitting a UTF-8 sequence. */
static void utf8_cut(char *s, size_t max)
{
	size_t n = strlen(s);

	if (n <= max)
		return;
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	s[max] = '\0';
}

/*
 * Block the character device's tick again (see chardev_serve): everything but the read and
 * the file writes of a WRITE_TO_FILE runs with it blocked, so that no EINTR reaches a
 * rename, an fsync, a lock of the KVP pool or a log line.
 */
static void tick_hold(struct fcopyd *d)
{
	if (!d->ticking)
		return;
	(void)sigprocmask(SIG_BLOCK, &d->alrm, NULL);
	d->ticking = false;
}

/* The result of one copy into pool 1; a failure here never changes the copy's status. */
static void record(struct fcopyd *d, uint32_t status, const char *why)
{
	char key[64], value[2 * FCOPYD_UTF8_MAX + 512], n[32];
	int r;

	tick_hold(d);
	if (!d->kp)
		return;
	snprintf(value, sizeof(value), "status=0x%08x bytes=%llu of=%llu path=%s%s%s", status,
		 (unsigned long long)d->s.end, (unsigned long long)d->s.size, d->s.target,
		 why && *why ? " why=" : "", why && *why ? why : "");
	utf8_cut(value, FCOPYD_RECORD_MAX);
	snprintf(key, sizeof(key), FCOPYD_RECORD_PREFIX "%lu", d->records % FCOPYD_RECORDS);
	snprintf(n, sizeof(n), "%lu", d->records);
	r = kvpool_set(d->kp, FCOPYD_RECORD_POOL, key, value);
	if (r == 0)
		r = kvpool_set(d->kp, FCOPYD_RECORD_POOL, FCOPYD_RECORD_PREFIX "last", n);
	if (r < 0 && ratelimit_ok(&d->rl))
		log_warn_errno(r, "cannot store the result record in pool %d, continuing",
			       FCOPYD_RECORD_POOL);
	d->records++;
}

static uint32_t dispatch(struct fcopyd *d, const void *buf, size_t len, enum fcopyd_names names)
{
	struct fcopyd_msg m;
	const char *why;
	uint32_t st;
	bool was_active = d->s.active;
	int r = fcopyd_parse(buf, len, names, &m, &why);

	d->last_ms = now_ms();
	if (r < 0 || m.op != FCOPYD_OP_WRITE)
		tick_hold(d);
	if (r < 0) {
		host_warn(d, "refusing a message from the host: %s%s", why,
			  was_active ? "; copy abandoned, partial file removed" : "");
		st = r == -EOPNOTSUPP ? HV_E_FAIL : fcopyd_status_of(r);
		if (!was_active && m.op == FCOPYD_OP_START && r != -EBADMSG) {
			snprintf(d->s.target, sizeof(d->s.target), "(refused name)");
			d->s.end = d->s.size = 0;
			record(d, st, why);
		} else if (was_active) {
			record(d, st, why);
		}
		fcopyd_abort(&d->s);
		return st;
	}
	switch (m.op) {
	case FCOPYD_OP_START:
		if (was_active)
			log_warn("new copy while '%s' was open; that one is abandoned",
				 d->s.target);
		st = fcopyd_start(&d->s, &d->o->policy, m.path, m.name, m.flags, m.size);
		if (st == HV_S_OK)
			log_debug("copying '%s' (%llu bytes, flags 0x%x)", d->s.target,
				  (unsigned long long)m.size, m.flags);
		else
			host_warn(d, "cannot copy to '%s': %s", d->s.target, d->s.why);
		if (st != HV_S_OK) {
			d->s.size = m.size;
			record(d, st, d->s.why);
		}
		return st;
	case FCOPYD_OP_WRITE:
		st = fcopyd_write(&d->s, m.offset, m.data, m.len);
		if (st != HV_S_OK) {
			tick_hold(d);
			host_warn(d, "copy to '%s' failed: %s", d->s.target, d->s.why);
			if (was_active)
				record(d, st, d->s.why);
		}
		return st;
	case FCOPYD_OP_COMPLETE:
		st = fcopyd_complete(&d->s);
		if (st == HV_S_OK) {
			d->copies++;
			log_info("copied '%s' (%llu bytes)", d->s.target,
				 (unsigned long long)d->s.size);
		} else {
			host_warn(d, "copy to '%s' failed: %s", d->s.target, d->s.why);
		}
		if (was_active)
			record(d, st, st == HV_S_OK ? "" : d->s.why);
		return st;
	default: /* FCOPYD_OP_CANCEL */
		if (was_active) {
			log_notice("host cancelled the copy to '%s'; partial file removed",
				   d->s.target);
			record(d, HV_E_FAIL, "cancelled by the host");
		}
		return fcopyd_cancel(&d->s);
	}
}

static void host_gone(struct fcopyd *d, const char *what)
{
	tick_hold(d);
	if (d->s.active) {
		log_warn("%s during the copy to '%s'; partial file removed", what, d->s.target);
		record(d, HV_E_FAIL, what);
	}
	fcopyd_abort(&d->s);
}

/*
 * Wait until 'fd' is readable.  1 readable (or hung up), 0 the copy timed out, -ECANCELED on
 * a stop signal.  'cap_ms' bounds the wait when >= 0.
 */
static int wait_fd(struct fcopyd *d, int fd, int cap_ms)
{
	for (;;) {
		struct pollfd p[2] = { { .fd = d->sigfd, .events = POLLIN },
				       { .fd = fd, .events = POLLIN } };
		int timeout = cap_ms, r;

		if (d->s.active) {
			uint64_t idle = now_ms() - d->last_ms;
			int left = idle >= d->o->timeout_ms ? 0 : (int)(d->o->timeout_ms - idle);

			timeout = timeout < 0 ? left : MIN(timeout, left);
		}
		r = poll(p, fd >= 0 ? 2 : 1, timeout);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (p[0].revents) {
			struct signalfd_siginfo si;

			if (read(d->sigfd, &si, sizeof(si)) == sizeof(si))
				log_info("signal %u, stopping", si.ssi_signo);
			d->stop = true;
			return -ECANCELED;
		}
		if (r > 0)
			return 1;
		if (d->s.active && now_ms() - d->last_ms >= d->o->timeout_ms) {
			log_warn("host sent nothing for %u ms during the copy to '%s'; copy "
				 "abandoned, partial file removed",
				 d->o->timeout_ms, d->s.target);
			record(d, HV_E_FAIL, "the host went silent");
			fcopyd_abort(&d->s);
			return 0;
		}
		if (cap_ms >= 0)
			return 0;
	}
}

static void ready(struct fcopyd *d, const char *how)
{
	char st[128];

	snprintf(st, sizeof(st), "READY=1\nSTATUS=serving file copies (%s)", how);
	if (!d->notified)
		(void)notify_send(st);
	d->notified = true;
}

/* Sleep before reconnecting; false when a stop signal came. */
static bool backoff(struct fcopyd *d, unsigned int *delay)
{
	(void)wait_fd(d, -1, (int)*delay);
	*delay = MIN(*delay * 2, RECONNECT_MAX_MS);
	return !d->stop;
}

static int connect_unix(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (str_copy(sa.sun_path, sizeof(sa.sun_path), path) < 0)
		return -ENAMETOOLONG;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = -errno;

		close(fd);
		return e;
	}
	return fd;
}

/* -- character device ----------------------------------------------------------------------- */

static int chardev_open(const struct fcopyd_opts *o)
{
	const char *path = o->device ? o->device : FCOPYD_DEVICE;
	struct stat st;
	int fd;

	if (stat(path, &st) < 0)
		return -errno;
	if (S_ISSOCK(st.st_mode))
		return connect_unix(path);
	fd = open(path, O_RDWR | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static int chardev_register(struct fcopyd *d, int fd)
{
	int32_t version = 1, reply = 0;
	ssize_t n;
	int r;

	if (write(fd, &version, sizeof(version)) != (ssize_t)sizeof(version))
		return -errno ? -errno : -EIO;
	r = wait_fd(d, fd, REGISTER_WAIT_MS);
	if (r <= 0)
		return r == 0 ? -ETIMEDOUT : r;
	n = read(fd, &reply, sizeof(reply));
	if (n != (ssize_t)sizeof(reply))
		return n < 0 ? -errno : -EPROTO;
	log_debug("registered, kernel version %d", reply);
	return 0;
}

static void on_tick(int sig)
{
	(void)sig; /* only there to interrupt a read (no SA_RESTART) */
}

/*
 * The periodic SIGALRM that lets a read in the middle of a copy return with EINTR, so that
 * stop signals and the idle timeout are looked at.  It stays blocked except while a copy is
 * in progress (tick_run, tick_hold).
 */
static int chardev_tick_start(struct fcopyd *d)
{
	struct sigaction sa = { .sa_handler = on_tick };
	struct itimerval it = { .it_interval = { 0, CHARDEV_TICK_MS * 1000 },
				.it_value = { 0, CHARDEV_TICK_MS * 1000 } };

	sigemptyset(&d->alrm);
	sigaddset(&d->alrm, SIGALRM);
	if (sigprocmask(SIG_BLOCK, &d->alrm, NULL) < 0 || sigaction(SIGALRM, &sa, NULL) < 0 ||
	    setitimer(ITIMER_REAL, &it, NULL) < 0)
		return -errno;
	return 0;
}

static void chardev_tick_stop(void)
{
	struct itimerval it = { 0 };

	(void)setitimer(ITIMER_REAL, &it, NULL);
}

static void tick_run(struct fcopyd *d)
{
	if (d->ticking)
		return;
	(void)sigprocmask(SIG_UNBLOCK, &d->alrm, NULL);
	d->ticking = true;
}

/*
 * Idle, the loop waits in poll() with the stop signals and, during a copy, the idle timeout.
 * In the middle of a copy the host's next message is usually on its way already, so it reads
 * at once: one system call per message fewer, which is one round trip fewer to the device's
 * owner (under hv-sim's FUSE device each poll() is one).  The periodic SIGALRM interrupts
 * that read so that a silent host or a stop signal is noticed within CHARDEV_TICK_MS (on a
 * device whose read is interruptible: the kernel's and a socket; FUSE waits for its server).
 * The tick is unblocked once when a copy starts and stays so through the WRITE_TO_FILE
 * messages, whose only system calls besides the device's read and write are the file writes
 * (which retry EINTR) and the write-back hint: no signal-mask call per message.  Any other
 * message, a failure, an expired tick and the end of the copy block it again (tick_hold).
 */
static int chardev_serve(struct fcopyd *d, int fd, uint8_t *buf)
{
	for (;;) {
		ssize_t n;
		uint32_t st;
		int r, e;

		if (!d->s.active) {
			tick_hold(d);
			r = wait_fd(d, fd, -1);
			if (r < 0)
				return r;
			if (r == 0)
				continue;
			n = read(fd, buf, CHARDEV_BUF);
			e = errno;
		} else {
			tick_run(d);
			n = read(fd, buf, CHARDEV_BUF);
			e = errno;
			if (n < 0 && e == EINTR) {
				tick_hold(d);
				r = wait_fd(d, -1, 0); /* a stop signal, or the copy timed out */
				if (r < 0)
					return r;
				continue;
			}
		}
		if (n < 0 && (e == EINTR || e == EAGAIN))
			continue;
		if (n <= 0) {
			tick_hold(d);
			return n < 0 ? -e : -EPIPE;
		}
		st = dispatch(d, buf, (size_t)n, FCOPYD_NAMES_UTF8);
		for (;;) {
			n = write(fd, &st, sizeof(st));
			if (n == (ssize_t)sizeof(st))
				break;
			if (n < 0 && errno == EINTR)
				continue;
			/* The kernel timed the request out or was reset: start over. */
			e = n < 0 ? -errno : -EIO;
			tick_hold(d);
			return e;
		}
	}
}

static int run_chardev(struct fcopyd *d)
{
	const struct fcopyd_opts *o = d->o;
	/* Page-aligned: a read of the FUSE device pins the fewest pages. */
	uint8_t *buf = aligned_alloc(CHARDEV_BUF, CHARDEV_BUF);
	unsigned int delay = RECONNECT_MIN_MS, reconnects = 0;
	bool inherited = o->device_fd >= 0;
	int ret = chardev_tick_start(d);

	if (!buf || ret < 0) {
		free(buf);
		return buf ? ret : -ENOMEM;
	}
	while (!d->stop) {
		int fd = inherited ? o->device_fd : chardev_open(o), r;

		if (fd < 0) {
			if (reconnects == 0 || ratelimit_ok(&d->rl))
				log_err_errno(fd, "cannot open '%s'",
					      o->device ? o->device : FCOPYD_DEVICE);
			if (++reconnects > o->max_reconnects && o->max_reconnects != 0) {
				ret = fd;
				break;
			}
			if (!backoff(d, &delay))
				break;
			continue;
		}
		r = chardev_register(d, fd);
		if (r == 0) {
			delay = RECONNECT_MIN_MS;
			reconnects = 0;
			log_info("registered on '%s'", inherited   ? "inherited socket"
						       : o->device ? o->device
								   : FCOPYD_DEVICE);
			ready(d, "character device");
			r = chardev_serve(d, fd, buf);
		} else if (r != -ECANCELED) {
			log_warn_errno(r, "registration failed");
		}
		close(fd);
		if (d->stop || r == -ECANCELED)
			break;
		host_gone(d, "the device went away");
		if (inherited) {
			log_err("the inherited device socket was closed; nothing to reopen");
			ret = -EPIPE;
			break;
		}
		if (!backoff(d, &delay))
			break;
	}
	host_gone(d, "stopping");
	chardev_tick_stop();
	free(buf);
	return ret;
}

/* -- UIO ------------------------------------------------------------------------------------ */

struct uio_chan {
	char devdir[PATH_MAX];
	char uio_name[64];
	size_t ring_size;
	int uio_fd;
	int irq_fd;
	void *map;
	struct vmbus_ring tx, rx;
	uint8_t *buf;
};

static int read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return (int)n;
}

/* The file-copy device: the one whose class_id is the file-copy class. */
static int find_device(const struct fcopyd_opts *o, char *out, size_t size)
{
	char dir[PATH_MAX], path[PATH_MAX + 300], id[128];
	struct dirent *e;
	DIR *dp;
	int r = -ENODEV;

	snprintf(dir, sizeof(dir), "%s/bus/vmbus/devices", o->sysfs);
	dp = opendir(dir);
	if (!dp)
		return -errno;
	while ((e = readdir(dp))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/class_id", dir, e->d_name);
		if (read_small(path, id, sizeof(id)) < 0)
			continue;
		if (strcasecmp(id, "{" FCOPYD_CLASS_GUID "}") == 0 ||
		    strcasecmp(id, FCOPYD_CLASS_GUID) == 0) {
			int w = snprintf(out, size, "%s/%s", dir, e->d_name);

			r = w < 0 || (size_t)w >= size ? -ENAMETOOLONG : 0;
			break;
		}
	}
	closedir(dp);
	return r;
}

static int find_uio_name(const char *devdir, char *out, size_t size)
{
	char dir[PATH_MAX + 8];
	struct dirent *e;
	DIR *dp;
	int r = -ENOENT;

	snprintf(dir, sizeof(dir), "%s/uio", devdir);
	dp = opendir(dir);
	if (!dp)
		return -errno;
	while ((e = readdir(dp))) {
		const char *p = e->d_name;

		if (strncmp(p, "uio", 3) != 0 || !p[3] ||
		    strspn(p + 3, "0123456789") != strlen(p + 3))
			continue;
		r = str_copy(out, size, p);
		break;
	}
	closedir(dp);
	return r;
}

/* Each direction is half of the channel's "ring" attribute (PROTOCOL.md 8.2). */
static int find_ring_size(const char *devdir, size_t *ret)
{
	char dir[PATH_MAX + 16], path[PATH_MAX + 300];
	struct dirent *e;
	struct stat st;
	DIR *dp;
	int r = -ENOENT;

	snprintf(dir, sizeof(dir), "%s/channels", devdir);
	dp = opendir(dir);
	if (!dp)
		return -errno;
	while ((e = readdir(dp))) {
		if (e->d_name[0] == '.' || strspn(e->d_name, "0123456789") != strlen(e->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s/ring", dir, e->d_name);
		if (stat(path, &st) < 0)
			continue;
		if (st.st_size <= 0 || (uint64_t)st.st_size > 2ull * RING_SIZE_MAX ||
		    st.st_size % 16 != 0) {
			r = -EINVAL;
			continue;
		}
		*ret = (size_t)st.st_size / 2;
		r = 0;
		break;
	}
	closedir(dp);
	return r;
}

static int bind_uio(const struct fcopyd_opts *o)
{
	char path[PATH_MAX];
	int fd, r = 0;

	snprintf(path, sizeof(path), "%s/bus/vmbus/drivers/uio_hv_generic/new_id", o->sysfs);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, FCOPYD_CLASS_GUID, strlen(FCOPYD_CLASS_GUID)) < 0 && errno != EEXIST)
		r = -errno;
	close(fd);
	return r;
}

static void uio_close(struct uio_chan *c)
{
	if (c->map && c->map != MAP_FAILED)
		munmap(c->map, 2 * c->ring_size);
	if (c->irq_fd >= 0 && c->irq_fd != c->uio_fd)
		close(c->irq_fd);
	if (c->uio_fd >= 0)
		close(c->uio_fd);
	free(c->buf);
	c->map = NULL;
	c->buf = NULL;
	c->uio_fd = c->irq_fd = -1;
}

/* Everything from sysfs to mapped rings; the error is logged here with its reason. */
static int uio_open(struct fcopyd *d, struct uio_chan *c, bool quiet)
{
	const struct fcopyd_opts *o = d->o;
	char path[PATH_MAX + 80];
	long page = sysconf(_SC_PAGESIZE);
	int r;

	c->uio_fd = c->irq_fd = -1;
	r = find_device(o, c->devdir, sizeof(c->devdir));
	if (r < 0) {
		if (!quiet)
			log_err_errno(r, "no file-copy VMBus device (class %s) under '%s'",
				      FCOPYD_CLASS_GUID, o->sysfs);
		return r;
	}
	r = find_uio_name(c->devdir, c->uio_name, sizeof(c->uio_name));
	if (r < 0 && !o->no_bind) {
		r = bind_uio(o);
		if (r < 0) {
			if (!quiet)
				log_err_errno(r, "cannot bind the file-copy class to "
						 "uio_hv_generic (is the module loaded?)");
			return r;
		}
		for (int waited = 0; waited < BIND_WAIT_MS; waited += 50) {
			r = find_uio_name(c->devdir, c->uio_name, sizeof(c->uio_name));
			if (r == 0)
				break;
			usleep(50000);
		}
	}
	if (r < 0) {
		if (!quiet)
			log_err_errno(r, "'%s' has no uio device", c->devdir);
		return r;
	}
	for (int waited = 0;; waited += 100) {
		r = find_ring_size(c->devdir, &c->ring_size);
		if (r == 0 || waited >= 1000)
			break;
		usleep(100000);
	}
	if (r < 0 || c->ring_size <= (size_t)page) {
		if (!quiet)
			log_err("cannot read a usable ring size from '%s/channels/*/ring'",
				c->devdir);
		return r < 0 ? r : -EINVAL;
	}
	snprintf(path, sizeof(path), "%s/%s", o->dev, c->uio_name);
	c->uio_fd = open(path, O_RDWR | O_CLOEXEC);
	if (c->uio_fd < 0) {
		r = -errno;
		if (!quiet)
			log_err_errno(r, "cannot open '%s'", path);
		return r;
	}
	c->map = mmap(NULL, 2 * c->ring_size, PROT_READ | PROT_WRITE, MAP_SHARED, c->uio_fd, 0);
	if (c->map == MAP_FAILED) {
		r = -errno;
		if (!quiet)
			log_err_errno(r, "cannot map the rings of '%s'", path);
		uio_close(c);
		return r;
	}
	if (vmbus_ring_init(&c->tx, c->map, c->ring_size, (size_t)page) < 0 ||
	    vmbus_ring_init(&c->rx, (uint8_t *)c->map + c->ring_size, c->ring_size, (size_t)page) <
		    0) {
		uio_close(c);
		return -EINVAL;
	}
	c->buf = malloc(c->ring_size);
	if (!c->buf) {
		uio_close(c);
		return -ENOMEM;
	}
	if (o->uio_irq) {
		c->irq_fd = connect_unix(o->uio_irq);
		if (c->irq_fd < 0) {
			r = c->irq_fd;
			if (!quiet)
				log_notice("waiting for the host at '%s' (%s)", o->uio_irq,
					   strerror(-r));
			uio_close(c);
			return r;
		}
	} else {
		c->irq_fd = c->uio_fd;
	}
	return 0;
}

/*
 * Unmask the channel's interrupt and signal the host (uio_hv_generic's irqcontrol).  The mask
 * is also cleared here in the mapped ring, as the driver does, so that a host which looks at
 * it before it has taken the signal already sees the channel armed.
 */
static int uio_signal(struct uio_chan *c)
{
	uint32_t one = 1;

	vmbus_ring_set_interrupt_mask(&c->rx, 0);
	if (write(c->irq_fd, &one, sizeof(one)) != (ssize_t)sizeof(one))
		return -errno ? -errno : -EIO;
	return 0;
}

/* Send a reply; 1 when the host must be signalled (it is not polling), 0 when not. */
static int uio_reply(struct fcopyd *d, struct uio_chan *c, uint64_t trans_id, const void *p,
		     size_t len)
{
	uint64_t start = now_ms();

	for (;;) {
		int r = vmbus_ring_send(&c->tx, VMBUS_PKT_DATA_INBAND, 0, trans_id, p, len);

		if (r >= 0)
			return r;
		if (r != -EAGAIN || now_ms() - start > d->o->timeout_ms)
			return r;
		/* The host has not read our earlier replies yet: nudge it and wait. */
		r = uio_signal(c);
		if (r < 0)
			return r;
		usleep(1000);
	}
}

static uint32_t uio_handle(struct fcopyd *d, uint8_t *p, size_t len, bool *ret_reply)
{
	struct icmsg_hdr h;
	struct ic_version fw, srv;
	int r;

	*ret_reply = true;
	if (icmsg_parse(p, len, &h) < 0) {
		host_warn(d, "dropping a packet of %zu bytes from the host: no IC header", len);
		*ret_reply = false;
		return HV_E_FAIL;
	}
	switch (h.msgtype) {
	case ICMSG_TYPE_NEGOTIATE:
		r = icmsg_negotiate(p, len, fw_versions, ARRAY_SIZE(fw_versions), fcopy_versions,
				    ARRAY_SIZE(fcopy_versions), &fw, &srv);
		if (r == 0) {
			log_info("negotiated framework %u.%u, file copy %u.%u", fw.major, fw.minor,
				 srv.major, srv.minor);
			return HV_S_OK;
		}
		host_warn(d, "version negotiation failed: %s",
			  r == -ENOENT ? "no common version" : "malformed request");
		return r == -ENOENT ? HV_E_FAIL : HV_INVALIDARG;
	case ICMSG_TYPE_FCOPY:
		return dispatch(d, p + ICMSG_HDR_SIZE, len - ICMSG_HDR_SIZE, FCOPYD_NAMES_UTF16LE);
	default:
		host_warn(d, "unexpected IC message type %u", h.msgtype);
		return HV_ERROR_NOT_SUPPORTED;
	}
}

/*
 * Handle every packet waiting in the RX ring; returns how many, or -EPIPE when lost.
 * *kick becomes true when a reply went into an empty TX ring the host is not polling.
 */
static int uio_drain(struct fcopyd *d, struct uio_chan *c, bool *kick)
{
	int count = 0;

	for (;;) {
		struct vmbus_pkt_desc desc;
		size_t len, off;
		uint32_t st;
		bool reply;
		int r = vmbus_ring_recv(&c->rx, c->buf, c->ring_size, &desc, &len);

		if (r == -EAGAIN)
			return count;
		if (r < 0) {
			host_warn(d, "dropping a bad packet from the host: %s",
				  r == -ENOBUFS ? "larger than the ring" : "corrupt descriptor");
			if (vmbus_ring_skip(&c->rx) < 0) {
				log_err("the host's ring indices are corrupt; reconnecting");
				return -EPIPE;
			}
			count++;
			continue;
		}
		count++;
		off = (size_t)desc.offset8 * 8;
		st = uio_handle(d, c->buf + off, len - off, &reply);
		if (!reply)
			continue;
		icmsg_set_response(c->buf + off, st);
		r = uio_reply(d, c, desc.trans_id, c->buf + off, len - off);
		if (r < 0) {
			log_err_errno(r, "cannot send a reply to the host");
			return -EPIPE;
		}
		if (r > 0)
			*kick = true;
	}
}

/* A hint to the CPU that this is a busy-wait loop (and to a hyperthread sibling). */
static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

/*
 * Look for the host's next packet for a short while before sleeping: in the middle of a copy
 * it usually follows our reply within microseconds.  The CPU is given up now and then, in
 * case the host is waiting for this very CPU.
 */
static bool uio_spin(struct uio_chan *c)
{
	uint64_t end = now_ns() + UIO_SPIN_NS;
	unsigned int i = 0;

	for (;;) {
		if (vmbus_ring_readable(&c->rx) != 0)
			return true;
		cpu_relax();
		if (++i % UIO_SPIN_CHECK != 0)
			continue;
		if (now_ns() >= end)
			return false;
		if (i % (UIO_SPIN_CHECK * UIO_SPIN_YIELD) == 0)
			sched_yield();
	}
}

/* Interrupt words that came while we were busy (the simulated host's socket queues them). */
static void uio_take_words(struct uio_chan *c, bool sock)
{
	uint32_t count;

	if (sock)
		while (recv(c->irq_fd, &count, sizeof(count), MSG_DONTWAIT) > 0)
			;
}

/*
 * The loop.  While packets keep coming it makes no system call but the file writes: the RX
 * interrupt stays masked (every interrupt leaves it so; the driver's channel callback sets
 * it), and the host is signalled only when a reply needs it (vmbus_ring_send's rule: its
 * mask is clear and the ring was empty).  Before sleeping it re-arms the interrupt and looks
 * at RX once more, since a packet may have come before the re-arm.
 */
static int uio_serve(struct fcopyd *d, struct uio_chan *c)
{
	bool sock = d->o->uio_irq != NULL;

	vmbus_ring_set_interrupt_mask(&c->rx, 0);
	for (;;) {
		uint32_t count;
		bool kick = false;
		ssize_t n;
		int r = uio_drain(d, c, &kick);

		if (r < 0)
			return r;
		if (kick) {
			r = uio_signal(c);
			if (r < 0)
				return r;
		}
		if (vmbus_ring_readable(&c->rx) != 0 || (d->s.active && uio_spin(c)))
			continue;
		uio_take_words(c, sock);
		if (vmbus_ring_interrupt_mask(&c->rx) != 0) {
			r = uio_signal(c);
			if (r < 0)
				return r;
			if (vmbus_ring_readable(&c->rx) != 0)
				continue;
		}
		r = wait_fd(d, c->irq_fd, -1);
		if (r < 0)
			return r;
		if (r == 0)
			continue;
		n = read(c->irq_fd, &count, sizeof(count));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EPIPE;
	}
}

static int run_uio(struct fcopyd *d)
{
	unsigned int delay = RECONNECT_MIN_MS, reconnects = 0;
	int ret = 0;

	while (!d->stop) {
		struct uio_chan c = { .uio_fd = -1, .irq_fd = -1 };
		int r = uio_open(d, &c, reconnects > 0 && !ratelimit_ok(&d->rl));

		if (r < 0) {
			if (++reconnects > d->o->max_reconnects && d->o->max_reconnects != 0) {
				ret = r;
				break;
			}
			if (!backoff(d, &delay))
				break;
			continue;
		}
		delay = RECONNECT_MIN_MS;
		reconnects = 0;
		log_info("serving %s (%s, %zu-byte rings)", c.uio_name, c.devdir, c.ring_size);
		ready(d, "uio");
		r = uio_serve(d, &c);
		uio_close(&c);
		if (d->stop || r == -ECANCELED)
			break;
		host_gone(d, "the host went away");
		if (!backoff(d, &delay))
			break;
	}
	host_gone(d, "stopping");
	return ret;
}

int fcopyd_run(const struct fcopyd_opts *o)
{
	struct fcopyd d = { .o = o, .rl = RATELIMIT_INIT(1000, 10) };
	sigset_t mask;
	int r;

	fcopyd_session_init(&d.s);
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return -errno;
	d.sigfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (d.sigfd < 0)
		return -errno;
	signal(SIGPIPE, SIG_IGN);
	if (o->state_dir) {
		r = kvpool_open(o->state_dir, 0, &d.kp);
		if (r < 0)
			log_warn_errno(r, "cannot open the KVP pools in '%s'; no result records",
				       o->state_dir);
	}
	if (fcopyd_pick_transport(o) == FCOPYD_CHARDEV)
		r = run_chardev(&d);
	else
		r = run_uio(&d);
	close(d.sigfd);
	kvpool_close(d.kp);
	log_info("stopped after %lu copies", d.copies);
	return r;
}

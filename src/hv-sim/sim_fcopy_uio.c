/* SPDX-License-Identifier: MIT */
/*
 * sim_fcopy_uio.c - the host side of the UIO file-copy transport for tests, demos and
 * benchmarks: a fake sysfs and uio device, the two ring buffers in a shared file, interrupts
 * over a unix socket, and a small command language that sends real IC-framed packets with
 * UTF-16LE names (see sim_fcopy_uio.h).
 */
#include "sim_fcopy_uio.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fs.h"
#include "icmsg.h"
#include "utf16.h"
#include "util.h"
#include "vmbus_ring.h"

#define SIM_CLASS        "34d14be3-dee4-41c8-9ae7-6b174977c192"
#define SIM_INSTANCE     "eb765408-105f-49b6-b4aa-c123b64d17d4"
#define SIM_RELID        "14"
#define SIM_RING_DEFAULT 0x5000 /* 0x4000 of data plus the header page, as uio_hv_generic */

#define FC_START_SIZE   1088
#define FC_WRITE_SIZE   6196
#define FC_HDR_SIZE     36
#define FC_DATA_MAX     6144
#define FC_UNITS        260
#define CMD_WORDS_MAX   16
#define LINE_MAX_LEN    4096
#define SIM_SPIN_NS     1000000    /* how long to poll for a reply before sleeping */
#define SIM_WORDS_EVERY 64         /* packets between two looks at the daemon's words */
#define SRC_BLOCK       (1u << 20) /* bytes of the source file read at a time */

struct sim {
	const char *root;
	size_t ring_size;
	bool unbound, quiet, no_negotiate;
	unsigned int timeout_ms;
	char devdir[PATH_MAX];
	char sock[PATH_MAX];
	int lfd, cfd;
	void *map;
	struct vmbus_ring g2h; /* guest to host: the daemon's TX ring, offset 0 */
	struct vmbus_ring h2g; /* host to guest: the daemon's RX ring */
	uint8_t *buf;
	uint64_t trans;
	uint32_t last_status;
	bool have_status;
	size_t reply_off, reply_len; /* the last reply's payload in buf */
	bool vanish;
	unsigned long failures;
	unsigned long sent; /* packets, for the occasional look at the daemon's words */
};

/* clang-format off */
static const struct { const char *name; uint32_t v; } status_names[] = {
	{ "HV_S_OK",                  0x00000000u },
	{ "HV_E_FAIL",                0x80004005u },
	{ "HV_ERROR_NOT_SUPPORTED",   0x80070032u },
	{ "HV_INVALIDARG",            0x80070057u },
	{ "HV_ERROR_ALREADY_EXISTS",  0x80070050u },
	{ "HV_ERROR_DISK_FULL",       0x80070070u },
	{ "E_PATH_NOT_FOUND",         0x80070003u },
	{ "E_ACCESSDENIED",           0x80070005u },
	{ "E_FILENAME_EXCED_RANGE",   0x800700ceu },
};
/* clang-format on */

static const char *status_name(uint32_t v)
{
	for (size_t i = 0; i < ARRAY_SIZE(status_names); i++)
		if (status_names[i].v == v)
			return status_names[i].name;
	return "?";
}

static int status_parse(const char *s, uint32_t *ret)
{
	unsigned long long v;

	for (size_t i = 0; i < ARRAY_SIZE(status_names); i++)
		if (streq(status_names[i].name, s)) {
			*ret = status_names[i].v;
			return 0;
		}
	if (parse_uint(s, UINT32_MAX, &v) < 0)
		return -EINVAL;
	*ret = (uint32_t)v;
	return 0;
}

/* -- the fake sysfs and device ------------------------------------------------------------ */

static int mkdir_p(const char *path)
{
	char buf[PATH_MAX];
	size_t n = strlen(path);

	if (n >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		buf[i] = i == n ? '\0' : '/';
	}
	return 0;
}

static int write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644), r;

	if (fd < 0)
		return -errno;
	r = fs_write_all(fd, text, strlen(text));
	close(fd);
	return r;
}

static int sized_file(const char *path, off_t size)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600), r = 0;

	if (fd < 0)
		return -errno;
	if (ftruncate(fd, size) < 0)
		r = -errno;
	close(fd);
	return r;
}

static int setup_tree(struct sim *s)
{
	char p[PATH_MAX + 64];
	struct stat st;
	int r;

	snprintf(s->devdir, sizeof(s->devdir), "%s/sys/bus/vmbus/devices/%s", s->root,
		 SIM_INSTANCE);
	snprintf(p, sizeof(p), "%s/channels/%s", s->devdir, SIM_RELID);
	r = mkdir_p(p);
	if (r < 0)
		return r;
	snprintf(p, sizeof(p), "%s/class_id", s->devdir);
	r = write_text(p, "{" SIM_CLASS "}\n");
	if (r < 0)
		return r;
	snprintf(p, sizeof(p), "%s/channels/%s/ring", s->devdir, SIM_RELID);
	r = sized_file(p, (off_t)(2 * s->ring_size));
	if (r < 0)
		return r;
	snprintf(p, sizeof(p), "%s/sys/bus/vmbus/drivers/uio_hv_generic", s->root);
	r = mkdir_p(p);
	if (r < 0)
		return r;
	snprintf(p, sizeof(p), "%s/sys/bus/vmbus/drivers/uio_hv_generic/new_id", s->root);
	if (stat(p, &st) < 0 && (r = write_text(p, "")) < 0)
		return r;
	snprintf(p, sizeof(p), "%s/uio/uio0", s->devdir);
	if (s->unbound) {
		(void)rmdir(p);
	} else {
		r = mkdir_p(p);
		if (r < 0)
			return r;
	}
	snprintf(p, sizeof(p), "%s/dev", s->root);
	r = mkdir_p(p);
	if (r < 0)
		return r;
	snprintf(p, sizeof(p), "%s/dev/uio0", s->root);
	return sized_file(p, (off_t)(2 * s->ring_size));
}

static int map_rings(struct sim *s)
{
	char p[PATH_MAX + 16];
	long page = sysconf(_SC_PAGESIZE);
	int fd;

	snprintf(p, sizeof(p), "%s/dev/uio0", s->root);
	fd = open(p, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	s->map = mmap(NULL, 2 * s->ring_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (s->map == MAP_FAILED)
		return -errno;
	if (vmbus_ring_init(&s->g2h, s->map, s->ring_size, (size_t)page) < 0 ||
	    vmbus_ring_init(&s->h2g, (uint8_t *)s->map + s->ring_size, s->ring_size, (size_t)page) <
		    0)
		return -EINVAL;
	/* A channel opens with empty rings. */
	vmbus_ring_reset(&s->g2h);
	vmbus_ring_reset(&s->h2g);
	s->buf = malloc(s->ring_size);
	return s->buf ? 0 : -ENOMEM;
}

static int listen_irq(struct sim *s)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	snprintf(s->sock, sizeof(s->sock), "%s/dev/uio0.irq", s->root);
	if (str_copy(sa.sun_path, sizeof(sa.sun_path), s->sock) < 0)
		return -ENAMETOOLONG;
	(void)unlink(s->sock);
	s->lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (s->lfd < 0)
		return -errno;
	if (bind(s->lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(s->lfd, 1) < 0)
		return -errno;
	return 0;
}

/* The daemon binding the class through new_id makes the uio device appear. */
static void check_bind(struct sim *s)
{
	char p[PATH_MAX + 64], *text = NULL;
	size_t len;

	snprintf(p, sizeof(p), "%s/sys/bus/vmbus/drivers/uio_hv_generic/new_id", s->root);
	if (fs_read_file_at(AT_FDCWD, p, 256, &text, &len) == 0 && strstr(text, SIM_CLASS)) {
		snprintf(p, sizeof(p), "%s/uio/uio0", s->devdir);
		if (mkdir_p(p) == 0 && !s->quiet)
			printf("daemon bound the file-copy class to uio_hv_generic\n");
	}
	free(text);
}

static int accept_daemon(struct sim *s)
{
	uint64_t start = now_ms();

	for (;;) {
		struct pollfd p = { .fd = s->lfd, .events = POLLIN };
		int r = poll(&p, 1, 50);

		if (r < 0 && errno != EINTR)
			return -errno;
		if (r > 0) {
			s->cfd = accept4(s->lfd, NULL, NULL, SOCK_CLOEXEC);
			return s->cfd < 0 ? -errno : 0;
		}
		if (s->unbound)
			check_bind(s);
		if (now_ms() - start > s->timeout_ms)
			return -ETIMEDOUT;
	}
}

/* -- interrupts and packets --------------------------------------------------------------- */

/* The daemon's word: irqcontrol(1) unmasks its inbound ring and signals us. */
static int take_signal(struct sim *s, int timeout_ms)
{
	struct pollfd p = { .fd = s->cfd, .events = POLLIN };
	uint32_t word;
	ssize_t n;
	int r = poll(&p, 1, timeout_ms);

	if (r < 0)
		return errno == EINTR ? 0 : -errno;
	if (r == 0)
		return 0;
	n = read(s->cfd, &word, sizeof(word));
	if (n <= 0)
		return -EPIPE;
	vmbus_ring_set_interrupt_mask(&s->h2g, 0);
	return 1;
}

/* A hint to the CPU that this is a busy-wait loop. */
static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

static int send_packet(struct sim *s, const void *payload, size_t len)
{
	uint64_t start = now_ms();
	uint32_t one = 1;
	int r = 0;

	/*
	 * The daemon's irqcontrol words: hv-fcopyd also clears the mask in the ring itself, as
	 * the driver would at once, so they are taken now and then (and whenever we wait), not
	 * before every packet.
	 */
	if (++s->sent % SIM_WORDS_EVERY == 0)
		while ((r = take_signal(s, 0)) > 0)
			;
	if (r < 0)
		return r;
	for (;;) {
		r = vmbus_ring_send(&s->h2g, VMBUS_PKT_DATA_INBAND, 1, ++s->trans, payload, len);
		if (r != -EAGAIN)
			break;
		if (now_ms() - start > s->timeout_ms)
			return -ETIMEDOUT;
		r = take_signal(s, 10);
		if (r < 0)
			return r;
	}
	if (r < 0)
		return r;
	if (vmbus_ring_interrupt_mask(&s->h2g) == 0) {
		/* The driver's channel callback masks the ring, then wakes the reader. */
		vmbus_ring_set_interrupt_mask(&s->h2g, 1);
		if (write(s->cfd, &one, sizeof(one)) != (ssize_t)sizeof(one))
			return -EPIPE;
	}
	return 0;
}

/*
 * The next reply.  The reply usually comes within microseconds, so poll the ring for a while
 * with our interrupt masked (the daemon then has no reason to signal), and only then unmask,
 * look once more and sleep.
 */
static int wait_reply(struct sim *s, size_t *ret_off, size_t *ret_len)
{
	uint64_t start = now_ms(), spin_end = now_ns() + SIM_SPIN_NS;
	unsigned int i = 0;

	vmbus_ring_set_interrupt_mask(&s->g2h, 1);
	for (;;) {
		struct vmbus_pkt_desc d;
		size_t len;
		int r = vmbus_ring_recv(&s->g2h, s->buf, s->ring_size, &d, &len);

		if (r == 0) {
			*ret_off = (size_t)d.offset8 * 8;
			*ret_len = len - *ret_off;
			return 0;
		}
		if (r != -EAGAIN)
			return r;
		cpu_relax();
		if (++i % 16 != 0)
			continue;
		if (now_ns() < spin_end) {
			sched_yield(); /* the daemon may be waiting for this very CPU */
			continue;
		}
		if (now_ms() - start > s->timeout_ms)
			return -ETIMEDOUT;
		if (vmbus_ring_interrupt_mask(&s->g2h) != 0) {
			vmbus_ring_set_interrupt_mask(&s->g2h, 0);
			continue; /* look once more before sleeping */
		}
		r = take_signal(s, 100);
		if (r < 0)
			return r;
	}
}

/* Send one IC message and wait for its reply; the reply's status becomes the last status. */
static int transact(struct sim *s, uint8_t *msg, size_t len, uint16_t type)
{
	struct icmsg_hdr h = { .frame = { 3, 0 },
			       .msgtype = type,
			       .msgver = { 1, 1 },
			       .msgsize = (uint16_t)(len - ICMSG_HDR_SIZE),
			       .trans_id = (uint8_t)(s->trans + 1),
			       .flags = ICMSG_FLAG_TRANSACTION | ICMSG_FLAG_REQUEST };
	struct icmsg_hdr rh;
	size_t off = 0, rlen = 0;
	int r;

	if (type != ICMSG_TYPE_NEGOTIATE && icmsg_write_hdr(msg, len, &h) < 0)
		return -EINVAL;
	r = send_packet(s, msg, len);
	if (r < 0)
		return r;
	r = wait_reply(s, &off, &rlen);
	if (r < 0)
		return r;
	if (icmsg_parse(s->buf + off, rlen, &rh) < 0)
		return -EBADMSG;
	if (rh.flags != (ICMSG_FLAG_TRANSACTION | ICMSG_FLAG_RESPONSE) || rlen < len) {
		fprintf(stderr, "fcopy-uio: reply has flags %u and %zu bytes (sent %zu)\n",
			rh.flags, rlen, len);
		return -EBADMSG;
	}
	s->last_status = rh.status;
	s->have_status = true;
	s->reply_off = off;
	s->reply_len = rlen;
	return 0;
}

static int negotiate(struct sim *s, const struct ic_version *fw, size_t nfw,
		     const struct ic_version *srv, size_t nsrv)
{
	uint8_t msg[512];
	struct ic_version cf, cs;
	int len = icmsg_build_negotiate(msg, sizeof(msg), fw, nfw, srv, nsrv), r;

	if (len < 0)
		return len;
	r = transact(s, msg, (size_t)len, ICMSG_TYPE_NEGOTIATE);
	if (r < 0)
		return r;
	r = icmsg_negotiate_result(s->buf + s->reply_off, s->reply_len, &cf, &cs);
	if (!s->quiet) {
		if (r == 0)
			printf("negotiated framework %u.%u, file copy %u.%u: %s\n", cf.major,
			       cf.minor, cs.major, cs.minor, status_name(s->last_status));
		else
			printf("negotiation: no common version: %s\n", status_name(s->last_status));
	}
	return 0;
}

/* -- file-copy messages ----------------------------------------------------------------- */

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode hex into 'out'; returns the byte count or -EINVAL. */
static int unhex(const char *hex, uint8_t *out, size_t size)
{
	size_t n = strlen(hex);

	if (n % 2 != 0 || n / 2 > size)
		return -EINVAL;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return (int)(n / 2);
}

/* A name field: UTF-8 text converted to UTF-16LE, or raw UTF-16LE bytes given in hex. */
static int put_name(uint8_t *field, const char *text, const char *hex)
{
	memset(field, 0, 2 * FC_UNITS);
	if (hex)
		return unhex(hex, field, 2 * FC_UNITS) < 0 ? -EINVAL : 0;
	return utf8_to_utf16le(text, field, FC_UNITS) < 0 ? -EINVAL : 0;
}

static int parse_flags(const char *s, uint32_t *ret)
{
	unsigned long long v;

	if (parse_uint(s, UINT32_MAX, &v) == 0) {
		*ret = (uint32_t)v;
		return 0;
	}
	*ret = 0;
	if (strstr(s, "overwrite"))
		*ret |= 1;
	if (strstr(s, "create-path"))
		*ret |= 2;
	return *ret ? 0 : -EINVAL;
}

static int do_start(struct sim *s, const char *path, const char *name, const char *path_hex,
		    const char *name_hex, uint32_t flags, uint64_t size)
{
	uint8_t msg[ICMSG_HDR_SIZE + FC_START_SIZE] = { 0 }, *m = msg + ICMSG_HDR_SIZE;

	put32(m, 0);
	if (put_name(m + 36, name ? name : "", name_hex) < 0 ||
	    put_name(m + 556, path ? path : "", path_hex) < 0)
		return -EINVAL;
	put32(m + 1076, flags);
	put64(m + 1080, size);
	return transact(s, msg, sizeof(msg), ICMSG_TYPE_FCOPY);
}

static int do_write(struct sim *s, uint64_t offset, const void *data, size_t len,
		    uint32_t size_field)
{
	static uint8_t msg[ICMSG_HDR_SIZE + FC_WRITE_SIZE];
	uint8_t *m = msg + ICMSG_HDR_SIZE;

	len = MIN(len, (size_t)FC_DATA_MAX);
	memset(msg, 0, ICMSG_HDR_SIZE + 52);
	put32(m, 1);
	put64(m + 40, offset);
	put32(m + 48, size_field);
	memcpy(m + 52, data, len);
	memset(m + 52 + len, 0, FC_DATA_MAX - len);
	return transact(s, msg, sizeof(msg), ICMSG_TYPE_FCOPY);
}

static int do_simple(struct sim *s, uint32_t op, size_t len)
{
	uint8_t msg[ICMSG_HDR_SIZE + FC_START_SIZE] = { 0 };

	if (len > FC_START_SIZE)
		return -EINVAL;
	put32(msg + ICMSG_HDR_SIZE, op);
	return transact(s, msg, ICMSG_HDR_SIZE + len, ICMSG_TYPE_FCOPY);
}

/*
 * start, writes of 'chunk' bytes, complete; stops at the first status that is not OK.  The
 * source is read SRC_BLOCK bytes at a time, so the host side costs no system call per packet.
 */
static int do_copy(struct sim *s, const char *src, const char *path, const char *name,
		   uint32_t flags, size_t chunk, uint64_t *ret_bytes)
{
	struct stat st;
	uint64_t off = 0;
	uint8_t *block = NULL;
	int fd = open(src, O_RDONLY | O_CLOEXEC), r;

	*ret_bytes = 0;
	if (fd < 0 || fstat(fd, &st) < 0) {
		r = -errno;
		fprintf(stderr, "fcopy-uio: cannot read '%s': %s\n", src, strerror(-r));
		if (fd >= 0)
			close(fd);
		return r;
	}
	block = malloc(SRC_BLOCK);
	if (!block) {
		close(fd);
		return -ENOMEM;
	}
	r = do_start(s, path, name, NULL, NULL, flags, (uint64_t)st.st_size);
	while (r == 0 && s->last_status == 0 && off < (uint64_t)st.st_size) {
		/* A whole number of chunks per block, so every WRITE but the last is full. */
		ssize_t n = pread(fd, block, SRC_BLOCK / chunk * chunk, (off_t)off);

		if (n <= 0) {
			r = n < 0 ? -errno : -EIO;
			break;
		}
		for (size_t i = 0; r == 0 && s->last_status == 0 && i < (size_t)n; i += chunk) {
			size_t k = MIN(chunk, (size_t)n - i);

			r = do_write(s, off, block + i, k, (uint32_t)k);
			if (r == 0 && s->last_status == 0)
				off += k;
		}
	}
	if (r == 0 && s->last_status == 0)
		r = do_simple(s, 2, FC_HDR_SIZE);
	free(block);
	close(fd);
	*ret_bytes = off;
	return r;
}

/* -- the sink: a minimal guest that discards the data ------------------------------------ */

/*
 * --sink: a child process plays the guest with the same ring and interrupt rules as
 * hv-fcopyd (reply in place, signal only when the reply needs it, poll the ring for a while,
 * re-arm before sleeping) but answers every file-copy message with HV_S_OK and writes
 * nothing, so a bench measures what the transport and this host cost alone.
 */
static int sink_loop(struct sim *s, uint8_t *buf)
{
	static const struct ic_version fw[] = { { 3, 0 } }, srv[] = { { 1, 1 } };
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct vmbus_ring tx, rx;
	char p[PATH_MAX + 16];
	long page = sysconf(_SC_PAGESIZE);
	uint32_t one = 1;
	void *map;
	int fd, irq;

	snprintf(p, sizeof(p), "%s/dev/uio0", s->root);
	fd = open(p, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return 1;
	map = mmap(NULL, 2 * s->ring_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	irq = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (map == MAP_FAILED || irq < 0 ||
	    str_copy(sa.sun_path, sizeof(sa.sun_path), s->sock) < 0 ||
	    connect(irq, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    vmbus_ring_init(&tx, map, s->ring_size, (size_t)page) < 0 ||
	    vmbus_ring_init(&rx, (uint8_t *)map + s->ring_size, s->ring_size, (size_t)page) < 0)
		return 1;
	vmbus_ring_set_interrupt_mask(&rx, 0);
	for (;;) {
		struct pollfd pf = { .fd = irq, .events = POLLIN };
		struct vmbus_pkt_desc d;
		struct icmsg_hdr h;
		struct ic_version cf, cs;
		size_t len, off;
		bool kick = false;
		uint64_t end;
		unsigned int i = 0;
		int r;

		while ((r = vmbus_ring_recv(&rx, buf, s->ring_size, &d, &len)) == 0) {
			uint32_t st = 0;

			off = (size_t)d.offset8 * 8;
			if (icmsg_parse(buf + off, len - off, &h) < 0)
				continue;
			if (h.msgtype == ICMSG_TYPE_NEGOTIATE &&
			    icmsg_negotiate(buf + off, len - off, fw, 1, srv, 1, &cf, &cs) < 0)
				st = 0x80004005u;
			icmsg_set_response(buf + off, st);
			while ((r = vmbus_ring_send(&tx, VMBUS_PKT_DATA_INBAND, 0, d.trans_id,
						    buf + off, len - off)) == -EAGAIN)
				usleep(100);
			if (r < 0)
				return 1;
			kick |= r > 0;
		}
		if (r != -EAGAIN)
			return 1;
		if (kick) {
			vmbus_ring_set_interrupt_mask(&rx, 0);
			if (write(irq, &one, sizeof(one)) != (ssize_t)sizeof(one))
				return 0;
		}
		for (end = now_ns() + 50000; vmbus_ring_readable(&rx) == 0;) {
			cpu_relax();
			if (++i % 16 != 0)
				continue;
			if (now_ns() >= end)
				break;
			sched_yield();
		}
		if (vmbus_ring_readable(&rx) != 0)
			continue;
		while (recv(irq, &one, sizeof(one), MSG_DONTWAIT) > 0)
			;
		if (vmbus_ring_interrupt_mask(&rx) != 0) {
			vmbus_ring_set_interrupt_mask(&rx, 0);
			one = 1;
			if (write(irq, &one, sizeof(one)) != (ssize_t)sizeof(one))
				return 0;
			if (vmbus_ring_readable(&rx) != 0)
				continue;
		}
		if (poll(&pf, 1, -1) < 0 && errno != EINTR)
			return 1;
		if (pf.revents && read(irq, &one, sizeof(one)) <= 0)
			return 0; /* the host is gone */
	}
}

/* The sink's process: it exits when the host does (0) or on a broken ring (1). */
static int sink_guest(struct sim *s)
{
	uint8_t *buf = malloc(s->ring_size);
	int r = buf ? sink_loop(s, buf) : 1;

	free(buf);
	return r;
}

/* -- the command language ----------------------------------------------------------------- */

struct args {
	size_t n;
	char *name[CMD_WORDS_MAX];
	char *value[CMD_WORDS_MAX];
	bool used[CMD_WORDS_MAX];
};

/* Split 'line' in place into words; "..." with \\ \" \xHH escapes; name=value pairs. */
static int split_words(char *line, char **words, size_t max)
{
	size_t n = 0;
	char *p = line, *o;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '#')
			return (int)n;
		if (n == max)
			return -E2BIG;
		words[n++] = o = p;
		while (*p && *p != ' ' && *p != '\t') {
			if (*p != '"') {
				*o++ = *p++;
				continue;
			}
			p++;
			while (*p && *p != '"') {
				if (*p == '\\' && p[1] == 'x' && hexval(p[2]) >= 0 &&
				    hexval(p[3]) >= 0) {
					*o++ = (char)(hexval(p[2]) << 4 | hexval(p[3]));
					p += 4;
				} else if (*p == '\\' && p[1]) {
					*o++ = p[1];
					p += 2;
				} else {
					*o++ = *p++;
				}
			}
			if (*p != '"')
				return -EINVAL;
			p++;
		}
		if (*p)
			p++;
		*o = '\0';
	}
}

static const char *arg(struct args *a, const char *name)
{
	for (size_t i = 0; i < a->n; i++)
		if (a->name[i] && streq(a->name[i], name)) {
			a->used[i] = true;
			return a->value[i];
		}
	return NULL;
}

static int arg_num(struct args *a, const char *name, unsigned long long def,
		   unsigned long long *ret)
{
	const char *v = arg(a, name);

	*ret = def;
	return v ? parse_uint(v, ~0ULL, ret) : 0;
}

static int check_expect(struct sim *s, struct args *a, const char *where)
{
	const char *want = arg(a, "status");
	uint32_t w;

	if (!want || status_parse(want, &w) < 0)
		return -EINVAL;
	if (!s->have_status || s->last_status != w) {
		fprintf(stderr, "fcopy-uio: %s: expect status=%s: got %s (0x%08x)\n", where, want,
			s->have_status ? status_name(s->last_status) : "nothing", s->last_status);
		s->failures++;
	}
	return 0;
}

static int run_command(struct sim *s, char *line, const char *where)
{
	char *words[CMD_WORDS_MAX + 1];
	struct args a = { 0 };
	unsigned long long offset, size, chunk, len, foff;
	uint32_t flags = 0;
	const char *cmd, *v;
	int n = split_words(line, words, ARRAY_SIZE(words)), r = 0;
	uint64_t bytes = 0, t0;

	if (n < 0) {
		fprintf(stderr, "fcopy-uio: %s: cannot split the line\n", where);
		return -EINVAL;
	}
	if (n == 0)
		return 0;
	cmd = words[0];
	for (int i = 1; i < n; i++) {
		char *eq = strchr(words[i], '=');

		a.name[a.n] = words[i];
		a.value[a.n] = eq ? eq + 1 : "";
		if (eq)
			*eq = '\0';
		a.n++;
	}
	if ((v = arg(&a, "flags")) && parse_flags(v, &flags) < 0) {
		fprintf(stderr, "fcopy-uio: %s: bad flags '%s'\n", where, v);
		return -EINVAL;
	}
	if (arg_num(&a, "offset", 0, &offset) < 0 || arg_num(&a, "size", ~0ULL, &size) < 0 ||
	    arg_num(&a, "chunk", FC_DATA_MAX, &chunk) < 0 || arg_num(&a, "len", ~0ULL, &len) < 0 ||
	    arg_num(&a, "file-offset", 0, &foff) < 0 || chunk == 0 || chunk > FC_DATA_MAX) {
		fprintf(stderr, "fcopy-uio: %s: bad number\n", where);
		return -EINVAL;
	}
	if (streq(cmd, "copy") || streq(cmd, "bench")) {
		const char *src = arg(&a, "src"), *path = arg(&a, "path"), *name = arg(&a, "name");
		double secs;

		if (!src || !path || !name)
			return -EINVAL;
		t0 = now_ns();
		r = do_copy(s, src, path, name, flags, (size_t)chunk, &bytes);
		secs = (double)(now_ns() - t0) / 1e9;
		if (r == 0 && streq(cmd, "bench"))
			printf("bench fcopy-uio bytes=%llu seconds=%.3f mb_per_s=%.1f\n",
			       (unsigned long long)bytes, secs,
			       secs > 0 ? (double)bytes / 1048576.0 / secs : 0.0);
	} else if (streq(cmd, "start")) {
		r = do_start(s, arg(&a, "path"), arg(&a, "name"), arg(&a, "path-hex"),
			     arg(&a, "name-hex"), flags, size == ~0ULL ? 0 : size);
	} else if (streq(cmd, "write")) {
		uint8_t data[FC_DATA_MAX] = { 0 };
		const char *text = arg(&a, "text"), *file = arg(&a, "file"), *zeros;
		size_t dl = 0;

		zeros = arg(&a, "zeros");
		if (text) {
			dl = MIN(strlen(text), sizeof(data));
			memcpy(data, text, dl);
		} else if (file) {
			int fd = open(file, O_RDONLY | O_CLOEXEC);
			ssize_t got;

			if (fd < 0)
				return -errno;
			got = pread(fd, data, MIN(len, (unsigned long long)sizeof(data)),
				    (off_t)foff);
			close(fd);
			if (got < 0)
				return -EIO;
			dl = (size_t)got;
		} else if (zeros) {
			unsigned long long z;

			if (parse_uint(zeros, FC_DATA_MAX, &z) < 0)
				return -EINVAL;
			dl = (size_t)z;
		}
		r = do_write(s, offset, data, dl, size == ~0ULL ? (uint32_t)dl : (uint32_t)size);
	} else if (streq(cmd, "complete")) {
		r = do_simple(s, 2, len == ~0ULL ? FC_HDR_SIZE : (size_t)len);
	} else if (streq(cmd, "cancel")) {
		r = do_simple(s, 3, len == ~0ULL ? FC_HDR_SIZE : (size_t)len);
	} else if (streq(cmd, "op")) {
		unsigned long long op;

		if (!arg(&a, "code") || arg_num(&a, "code", 0, &op) < 0 || op > UINT32_MAX)
			return -EINVAL;
		r = do_simple(s, (uint32_t)op, len == ~0ULL ? FC_HDR_SIZE : (size_t)len);
	} else if (streq(cmd, "negotiate")) {
		struct ic_version fw = { 3, 0 }, srv = { 1, 1 };
		unsigned long long fmaj, smaj;

		if (arg_num(&a, "fw-major", 3, &fmaj) < 0 || arg_num(&a, "srv-major", 1, &smaj) < 0)
			return -EINVAL;
		fw.major = (uint16_t)fmaj;
		srv.major = (uint16_t)smaj;
		r = negotiate(s, &fw, 1, &srv, 1);
	} else if (streq(cmd, "expect")) {
		r = check_expect(s, &a, where);
	} else if (streq(cmd, "vanish")) {
		s->vanish = true;
		return 0;
	} else if (streq(cmd, "sleep")) {
		unsigned long long ms;

		if (a.n != 1 || parse_uint(a.name[0], 3600000, &ms) < 0)
			return -EINVAL;
		usleep((useconds_t)ms * 1000);
		return 0;
	} else if (streq(cmd, "echo")) {
		for (size_t i = 0; i < a.n; i++)
			printf("%s%s", i ? " " : "", a.name[i]);
		printf("\n");
		return 0;
	} else {
		fprintf(stderr, "fcopy-uio: %s: unknown command '%s'\n", where, cmd);
		return -EINVAL;
	}
	if (r == -EINVAL) {
		fprintf(stderr, "fcopy-uio: %s: missing or bad arguments for '%s'\n", where, cmd);
		return r;
	}
	if (r < 0) {
		fprintf(stderr, "fcopy-uio: %s: %s: %s\n", where, cmd, strerror(-r));
		return r;
	}
	if (!s->quiet && s->have_status && !streq(cmd, "expect"))
		printf("%s: %s (0x%08x)\n", cmd, status_name(s->last_status), s->last_status);
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: hv-sim fcopy-uio --root DIR [-q] [--ring-size BYTES] [--unbound]\n"
		   "       [--timeout MS] [--setup-only] [--no-negotiate] [--sink] [-e COMMAND]... "
		   "[SCRIPT]\n");
}

int sim_fcopy_uio_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "ring-size", required_argument, NULL, 's' },
		{ "unbound", no_argument, NULL, 'u' },
		{ "timeout", required_argument, NULL, 't' },
		{ "setup-only", no_argument, NULL, 'S' },
		{ "no-negotiate", no_argument, NULL, 'N' },
		{ "execute", required_argument, NULL, 'e' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "sink", no_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sim s = { .ring_size = SIM_RING_DEFAULT, .timeout_ms = 10000, .lfd = -1, .cfd = -1 };
	char **cmds = calloc((size_t)argc + 1, sizeof(char *));
	size_t ncmds = 0;
	bool setup_only = false, sink = false;
	pid_t sink_pid = -1;
	unsigned long long v;
	int c, r, status = 1;

	if (!cmds)
		return 1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "e:hq", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			s.root = optarg;
			break;
		case 's':
			if (parse_uint(optarg, 64u << 20, &v) < 0 || v % 4096 != 0 || v < 8192) {
				fprintf(stderr, "fcopy-uio: bad --ring-size '%s'\n", optarg);
				free(cmds);
				return 2;
			}
			s.ring_size = (size_t)v;
			break;
		case 'u':
			s.unbound = true;
			break;
		case 't':
			if (parse_uint(optarg, 3600000, &v) < 0) {
				free(cmds);
				return 2;
			}
			s.timeout_ms = (unsigned int)v;
			break;
		case 'S':
			setup_only = true;
			break;
		case 'N':
			s.no_negotiate = true;
			break;
		case 'e':
			cmds[ncmds++] = optarg;
			break;
		case 'q':
			s.quiet = true;
			break;
		case 'K':
			sink = true;
			break;
		case 'h':
			usage(stdout);
			free(cmds);
			return 0;
		default:
			usage(stderr);
			free(cmds);
			return 2;
		}
	}
	if (!s.root || optind < argc - 1) {
		usage(stderr);
		free(cmds);
		return 2;
	}
	r = setup_tree(&s);
	if (r < 0) {
		fprintf(stderr, "fcopy-uio: cannot build the tree under '%s': %s\n", s.root,
			strerror(-r));
		goto out;
	}
	if (setup_only) {
		status = 0;
		goto out;
	}
	r = map_rings(&s);
	if (r == 0)
		r = listen_irq(&s);
	if (r == 0 && sink) {
		fflush(stdout);
		sink_pid = fork();
		if (sink_pid == 0)
			_exit(sink_guest(&s));
		if (sink_pid < 0)
			r = -errno;
	}
	if (r == 0)
		r = accept_daemon(&s);
	if (r < 0) {
		fprintf(stderr, "fcopy-uio: no daemon connected to '%s': %s\n", s.sock,
			strerror(-r));
		goto out;
	}
	if (!s.no_negotiate) {
		static const struct ic_version fw[] = { { 1, 0 }, { 3, 0 } };
		static const struct ic_version srv[] = { { 1, 0 }, { 1, 1 } };

		r = negotiate(&s, fw, ARRAY_SIZE(fw), srv, ARRAY_SIZE(srv));
		if (r < 0) {
			fprintf(stderr, "fcopy-uio: negotiation: %s\n", strerror(-r));
			goto out;
		}
	}
	status = 0;
	for (size_t i = 0; i < ncmds && !s.vanish; i++) {
		char where[32], line[LINE_MAX_LEN];

		snprintf(where, sizeof(where), "-e:%zu", i + 1);
		if (str_copy(line, sizeof(line), cmds[i]) < 0 || run_command(&s, line, where) < 0) {
			status = 1;
			goto out;
		}
	}
	if (optind == argc - 1 && !s.vanish) {
		FILE *f = streq(argv[optind], "-") ? stdin : fopen(argv[optind], "re");
		char line[LINE_MAX_LEN], where[PATH_MAX + 16];
		unsigned int ln = 0;

		if (!f) {
			fprintf(stderr, "fcopy-uio: cannot open '%s'\n", argv[optind]);
			status = 1;
			goto out;
		}
		while (!s.vanish && fgets(line, sizeof(line), f)) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(where, sizeof(where), "%s:%u", argv[optind], ++ln);
			if (run_command(&s, line, where) < 0) {
				status = 1;
				break;
			}
		}
		if (f != stdin)
			fclose(f);
	}
	if (s.failures)
		status = 1;
out:
	fflush(stdout);
	if (s.cfd >= 0)
		close(s.cfd);
	if (s.lfd >= 0) {
		close(s.lfd);
		(void)unlink(s.sock);
	}
	if (s.map && s.map != MAP_FAILED)
		munmap(s.map, 2 * s.ring_size);
	free(s.buf);
	free(cmds);
	if (sink_pid > 0) {
		int ws = 0;

		/* Our end of the socket is closed: the sink sees the host gone and exits. */
		if (waitpid(sink_pid, &ws, 0) == sink_pid &&
		    (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0))
			status = 1;
	}
	return status;
}

/* SPDX-License-Identifier: MIT */
/*
 * sim_host.c - hv-sim's host side (see sim_host.h): transports, the daemon process, the poll
 * loop, and the execution of scenario commands: building the messages the kernel would hand
 * to the daemon, waiting for outcomes, checking expectations, benchmarks, and the control
 * socket.
 */
#include "sim_host.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fs.h"
#include "sim_dev.h"
#include "sim_fuse.h"
#include "util.h"

#define CTL_BUF_MAX   (SCN_LINE_MAX + 2)
#define STOP_GRACE_MS 5000

struct sim_host {
	const struct sim_opts *o;
	struct sim_dev *dev;
	struct sim_fuse *fuse;
	int conn;       /* socket/listen mode: the daemon's connection */
	int listen_fd;  /* listen mode */
	int child_sock; /* socket mode: the daemon's end until it is started */
	int sigfd;
	sigset_t oldmask;
	pid_t pid;
	int pidfd;
	bool exited;
	int exit_status; /* exit code, or 128 + signal */
	bool stop;       /* SIGTERM/SIGINT */
	bool quit;
	enum scn_verb last_verb;
	uint8_t buf[SIM_MSG_MAX];
	/* control socket */
	int ctl_listen;
	int ctl_client;
	char *ctl_buf;
	size_t ctl_len;
	unsigned int ctl_line;
	/* TAP */
	unsigned int tap_n;
};

static int msgf(char *msg, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int msgf(char *msg, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, size, fmt, ap);
	va_end(ap);
	return 0;
}

/* Append to msg. */
static void msgcat(char *msg, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void msgcat(char *msg, size_t size, const char *fmt, ...)
{
	size_t used = strlen(msg);
	va_list ap;

	if (used + 1 >= size)
		return;
	va_start(ap, fmt);
	vsnprintf(msg + used, size - used, fmt, ap);
	va_end(ap);
}

/* ---- the poll loop ------------------------------------------------------------------- */

static void conn_closed(struct sim_host *h, const char *why)
{
	if (h->conn >= 0)
		close(h->conn);
	h->conn = -1;
	sim_dev_close(h->dev);
	if (h->o->verbose)
		fprintf(stderr, "hv-sim: %s\n", why);
}

/* Move device state out to the daemon: blocked FUSE reads, pollers, socket datagrams. */
static void pump(struct sim_host *h)
{
	if (h->fuse) {
		sim_fuse_pump(h->fuse);
		return;
	}
	if (h->conn < 0)
		return;
	if (h->dev->dead) {
		/* a driver reload ends the connection; the kernel's EBADF/POLLHUP */
		conn_closed(h, "driver reload: connection closed");
		return;
	}
	while (sim_dev_poll(h->dev) & POLLIN) {
		int r = sim_dev_read(h->dev, h->buf, sizeof(h->buf));

		if (r < 0)
			break;
		if (send(h->conn, h->buf, (size_t)r, MSG_NOSIGNAL) < 0) {
			conn_closed(h, "the daemon closed the device");
			break;
		}
	}
}

static void conn_input(struct sim_host *h)
{
	ssize_t n = recv(h->conn, h->buf, sizeof(h->buf), MSG_DONTWAIT | MSG_TRUNC);
	int r;

	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		conn_closed(h, "the daemon closed the device");
		return;
	}
	if (n == 0) {
		conn_closed(h, "the daemon closed the device");
		return;
	}
	r = sim_dev_write(h->dev, h->buf, MIN((size_t)n, sizeof(h->buf)));
	if (r < 0 && h->o->verbose)
		fprintf(stderr, "hv-sim: rejected a %zd-byte write from the daemon: %s\n", n,
			sim_errno_name(r));
}

static void listen_input(struct sim_host *h)
{
	int fd = accept4(h->listen_fd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return;
	if (h->conn >= 0 || sim_dev_open(h->dev) < 0) {
		close(fd); /* the single-opener rule: a second connection is closed at once */
		return;
	}
	h->conn = fd;
}

static void child_exited(struct sim_host *h)
{
	int status;

	if (waitpid(h->pid, &status, WNOHANG) != h->pid)
		return;
	h->exited = true;
	h->exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	if (h->pidfd >= 0)
		close(h->pidfd);
	h->pidfd = -1;
	if (h->o->verbose)
		fprintf(stderr, "hv-sim: the daemon exited with status %d\n", h->exit_status);
}

static void ctl_input(struct sim_host *h);
static void ctl_accept(struct sim_host *h);

/* One round of the loop, waiting at most until 'deadline' (0: no limit). */
static void poll_once(struct sim_host *h, uint64_t deadline)
{
	struct pollfd p[8];
	int idx_fuse = -1, idx_conn = -1, idx_listen = -1, idx_pid = -1, idx_ctl_l = -1,
	    idx_ctl_c = -1;
	nfds_t n = 0;
	uint64_t now = now_ms(), dl = sim_dev_deadline(h->dev);
	int timeout = -1;

	if (deadline != 0 && (dl == 0 || deadline < dl))
		dl = deadline;
	if (dl != 0)
		timeout = dl > now ? (int)MIN(dl - now, 60000u) : 0;
	if (h->pid > 0 && !h->exited && h->pidfd < 0 && (timeout < 0 || timeout > 50))
		timeout = 50; /* no pidfd: look for the child's exit now and then */

	p[n++] = (struct pollfd){ .fd = h->sigfd, .events = POLLIN };
	if (h->fuse) {
		idx_fuse = (int)n;
		p[n++] = (struct pollfd){ .fd = sim_fuse_fd(h->fuse), .events = POLLIN };
	}
	if (h->conn >= 0) {
		idx_conn = (int)n;
		p[n++] = (struct pollfd){ .fd = h->conn, .events = POLLIN };
	}
	if (h->listen_fd >= 0) {
		idx_listen = (int)n;
		p[n++] = (struct pollfd){ .fd = h->listen_fd, .events = POLLIN };
	}
	if (h->pidfd >= 0) {
		idx_pid = (int)n;
		p[n++] = (struct pollfd){ .fd = h->pidfd, .events = POLLIN };
	}
	if (h->ctl_listen >= 0 && h->ctl_client < 0) {
		idx_ctl_l = (int)n;
		p[n++] = (struct pollfd){ .fd = h->ctl_listen, .events = POLLIN };
	}
	if (h->ctl_client >= 0) {
		idx_ctl_c = (int)n;
		p[n++] = (struct pollfd){ .fd = h->ctl_client, .events = POLLIN };
	}

	if (poll(p, n, timeout) < 0)
		return;
	if (p[0].revents & POLLIN) {
		struct signalfd_siginfo si;

		if (read(h->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
			h->stop = true;
	}
	if (idx_fuse >= 0 && p[idx_fuse].revents) {
		/* a handful at a time, so that timers and the socket are not starved */
		for (int i = 0; i < 16; i++) {
			if (sim_fuse_process(h->fuse) < 0) {
				h->stop = true;
				break;
			}
			struct pollfd q = { .fd = sim_fuse_fd(h->fuse), .events = POLLIN };
			if (poll(&q, 1, 0) <= 0)
				break;
		}
	}
	if (idx_conn >= 0 && p[idx_conn].revents)
		conn_input(h);
	if (idx_listen >= 0 && p[idx_listen].revents)
		listen_input(h);
	if ((idx_pid >= 0 && p[idx_pid].revents) || (h->pid > 0 && !h->exited && h->pidfd < 0))
		child_exited(h);
	if (idx_ctl_l >= 0 && p[idx_ctl_l].revents)
		ctl_accept(h);
	if (idx_ctl_c >= 0 && p[idx_ctl_c].revents)
		ctl_input(h);
	if (sim_dev_tick(h->dev, now_ms()) && h->o->verbose)
		fprintf(stderr, "hv-sim: the request timed out\n");
	pump(h);
}

typedef bool wait_pred(struct sim_host *h);

/* Run the loop until pred holds (0), the deadline passes (-ETIMEDOUT) or a signal (-EINTR). */
static int wait_until(struct sim_host *h, wait_pred *pred, uint64_t deadline)
{
	pump(h);
	for (;;) {
		if (pred && pred(h))
			return 0;
		if (h->stop)
			return -EINTR;
		if (deadline != 0 && now_ms() >= deadline)
			return -ETIMEDOUT;
		poll_once(h, deadline);
	}
}

static bool is_registered(struct sim_host *h)
{
	return h->dev->state != SIM_ST_INIT && !h->dev->dead;
}

/* Registered, or nobody can register any more: the daemon we started on our socketpair or in
 * our sandbox has exited (with --listen and --fuse another process may still come). */
static bool registered_or_hopeless(struct sim_host *h)
{
	return is_registered(h) ||
	       ((h->o->mode == SIM_MODE_SOCKET || h->o->sandbox) && h->pid > 0 && h->exited);
}

static bool request_done(struct sim_host *h)
{
	return !h->dev->req_active;
}

static bool child_gone(struct sim_host *h)
{
	return h->pid <= 0 || h->exited;
}

/* ---- requests ------------------------------------------------------------------------ */

static void describe_status(uint32_t status, char *out, size_t size)
{
	const char *name = sim_status_name(status);

	if (name)
		snprintf(out, size, "%s (0x%08" PRIx32 ")", name, status);
	else
		snprintf(out, size, "0x%08" PRIx32, status);
}

static void summarize(struct sim_host *h, char *msg, size_t size)
{
	const struct hv_kvp_msg *m = (const void *)h->dev->reply;

	msgf(msg, size, "status=0x%08" PRIx32 " outcome=%s", h->dev->status,
	     sim_outcome_name(h->dev->outcome));
	if (h->o->service != SIM_KVP || h->dev->outcome != SIM_OUT_REPLY ||
	    h->dev->reply_len < sizeof(*m) || h->dev->status != HV_S_OK)
		return;
	if (h->last_verb == SCN_KVP_ENUM)
		msgcat(msg, size, " key=%.*s value=%.*s",
		       (int)sizeof(m->body.kvp_enum_data.data.key),
		       (const char *)m->body.kvp_enum_data.data.key,
		       (int)sizeof(m->body.kvp_enum_data.data.value),
		       (const char *)m->body.kvp_enum_data.data.value);
	else if (h->last_verb == SCN_KVP_GET)
		msgcat(msg, size, " value=%.*s", (int)sizeof(m->body.kvp_get.data.value),
		       (const char *)m->body.kvp_get.data.value);
}

/* Send one request and, unless nowait, wait for its outcome. */
static int request(struct sim_host *h, const struct sim_cmd *cmd, const void *req, size_t len,
		   uint64_t timeout, char *msg, size_t size)
{
	int r;

	if (h->dev->req_active)
		return msgf(msg, size, "a request is still outstanding (add a 'wait' line)"),
		       -EBUSY;
	if (h->o->service == SIM_KVP && !is_registered(h)) {
		/* the kernel does not service the KVP channel until a daemon registers */
		r = wait_until(h, registered_or_hopeless, now_ms() + h->o->register_timeout_ms);
		if (r == -EINTR)
			return msgf(msg, size, "interrupted"), r;
	}
	h->last_verb = cmd->verb;
	r = sim_dev_request(h->dev, req, len, timeout, now_ms());
	if (r < 0)
		return msgf(msg, size, "cannot send the request: %s", strerror(-r)), r;
	if (cmd->nowait) {
		pump(h);
		return msgf(msg, size, "sent"), 0;
	}
	r = wait_until(h, request_done, 0);
	if (r < 0)
		return msgf(msg, size, "interrupted"), r;
	summarize(h, msg, size);
	return 0;
}

static const char *str_arg(const struct sim_cmd *cmd, const char *name, size_t *len)
{
	const struct scn_arg *a = sim_cmd_arg(cmd, name);

	if (!a) {
		*len = 0;
		return NULL;
	}
	*len = a->len;
	return a->value;
}

static uint64_t num_arg(const struct sim_cmd *cmd, const char *name, uint64_t def)
{
	const struct scn_arg *a = sim_cmd_arg(cmd, name);

	return a ? a->num : def;
}

/* Copy a string argument into a fixed field, leaving room for the NUL. */
static int put_str(const struct sim_cmd *cmd, const char *name, void *field, size_t size, char *msg,
		   size_t msgsize)
{
	size_t len;
	const char *s = str_arg(cmd, name, &len);

	if (!s)
		return 0;
	if (len >= size)
		return msgf(msg, msgsize, "%s= is %zu bytes, at most %zu fit", name, len, size - 1),
		       -EMSGSIZE;
	memcpy(field, s, len);
	return (int)len;
}

static int build_kvp(const struct sim_cmd *cmd, struct hv_kvp_msg *m, char *msg, size_t size)
{
	struct hv_kvp_exchg_msg_value *v = &m->body.kvp_set.data;
	const struct scn_arg *val;
	int klen, r;

	memset(m, 0, sizeof(*m));
	m->kvp_hdr.pool = (uint8_t)num_arg(cmd, "pool", 0);
	switch (cmd->verb) {
	case SCN_KVP_SET:
	case SCN_KVP_GET:
		m->kvp_hdr.operation = cmd->verb == SCN_KVP_SET ? KVP_OP_SET : KVP_OP_GET;
		klen = put_str(cmd, "key", v->key, sizeof(v->key), msg, size);
		if (klen < 0)
			return klen;
		v->key_size = (uint32_t)num_arg(cmd, "key-size", (uint64_t)klen + 1);
		v->value_type = REG_SZ;
		if (cmd->verb == SCN_KVP_GET) {
			/* the kernel leaves value_size 0 for GET (PROTOCOL.md 5.1) */
			v->value_size = (uint32_t)num_arg(cmd, "value-size", 0);
			break;
		}
		v->value_type = (uint32_t)num_arg(cmd, "type", REG_SZ);
		val = sim_cmd_arg(cmd, "value");
		if (v->value_type == REG_U32 || v->value_type == REG_U64) {
			unsigned long long n;

			/* the kernel hands numbers to the daemon as decimal text */
			if (parse_uint(val->value,
				       v->value_type == REG_U32 ? UINT32_MAX : UINT64_MAX, &n) < 0)
				return msgf(msg, size, "value=%s is not a number of that type",
					    val->value),
				       -EINVAL;
			snprintf((char *)v->value, sizeof(v->value), "%llu", n);
			r = (int)strlen((char *)v->value);
		} else {
			r = put_str(cmd, "value", v->value, sizeof(v->value), msg, size);
			if (r < 0)
				return r;
		}
		v->value_size = (uint32_t)num_arg(cmd, "value-size", (uint64_t)r + 1);
		break;
	case SCN_KVP_DELETE:
		m->kvp_hdr.operation = KVP_OP_DELETE;
		klen = put_str(cmd, "key", m->body.kvp_delete.key, sizeof(m->body.kvp_delete.key),
			       msg, size);
		if (klen < 0)
			return klen;
		m->body.kvp_delete.key_size =
			(uint32_t)num_arg(cmd, "key-size", (uint64_t)klen + 1);
		break;
	case SCN_KVP_ENUM:
		m->kvp_hdr.operation = KVP_OP_ENUMERATE;
		m->body.kvp_enum_data.index = (uint32_t)num_arg(cmd, "index", 0);
		break;
	case SCN_KVP_GET_IP:
	case SCN_KVP_SET_IP: {
		struct hv_kvp_ipaddr_value *ip = &m->body.kvp_ip_val;

		m->kvp_hdr.operation =
			cmd->verb == SCN_KVP_GET_IP ? KVP_OP_GET_IP_INFO : KVP_OP_SET_IP_INFO;
		ip->addr_family = (uint8_t)num_arg(cmd, "family", 0);
		ip->dhcp_enabled = (uint8_t)num_arg(cmd, "dhcp", 0);
		/* UTF-8 in the byte storage of the u16 fields, as the kernel converts them */
		if (put_str(cmd, "adapter", ip->adapter_id, sizeof(ip->adapter_id), msg, size) <
			    0 ||
		    put_str(cmd, "ip", ip->ip_addr, sizeof(ip->ip_addr), msg, size) < 0 ||
		    put_str(cmd, "subnet", ip->sub_net, sizeof(ip->sub_net), msg, size) < 0 ||
		    put_str(cmd, "gateway", ip->gate_way, sizeof(ip->gate_way), msg, size) < 0 ||
		    put_str(cmd, "dns", ip->dns_addr, sizeof(ip->dns_addr), msg, size) < 0)
			return -EMSGSIZE;
		break;
	}
	default:
		return msgf(msg, size, "not a KVP request"), -EINVAL;
	}
	return 0;
}

static int build_fcopy_start(const struct sim_cmd *cmd, struct hv_start_fcopy *s, uint64_t size,
			     char *msg, size_t msgsize)
{
	memset(s, 0, sizeof(*s));
	s->hdr.operation = START_FILE_COPY;
	/* the kernel converted the names to UTF-8, at most 259 bytes each */
	if (put_str(cmd, "name", s->file_name, W_MAX_PATH, msg, msgsize) < 0 ||
	    put_str(cmd, "path", s->path_name, W_MAX_PATH, msg, msgsize) < 0)
		return -EMSGSIZE;
	s->copy_flags = (uint32_t)num_arg(cmd, "flags", 0);
	s->file_size = num_arg(cmd, "size", size);
	return 0;
}

static int run_fcopy_write(struct sim_host *h, const struct sim_cmd *cmd, char *msg, size_t size)
{
	static struct hv_do_fcopy req;
	size_t len = 0;
	const struct scn_arg *a;

	memset(&req, 0, sizeof(req));
	req.hdr.operation = WRITE_TO_FILE;
	req.offset = num_arg(cmd, "offset", 0);
	a = sim_cmd_arg(cmd, "hex") ? sim_cmd_arg(cmd, "hex") : sim_cmd_arg(cmd, "text");
	if (a) {
		memcpy(req.data, a->value, a->len);
		len = a->len;
	} else {
		const char *path = sim_cmd_arg(cmd, "file")->value;
		uint64_t off = num_arg(cmd, "file-offset", 0);
		uint64_t want = num_arg(cmd, "len", DATA_FRAGMENT);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		ssize_t n;

		if (fd < 0)
			return msgf(msg, size, "cannot open '%s': %s", path, strerror(errno)),
			       -errno;
		n = pread(fd, req.data, (size_t)want, (off_t)off);
		close(fd);
		if (n < 0)
			return msgf(msg, size, "cannot read '%s': %s", path, strerror(errno)), -EIO;
		len = (size_t)n;
	}
	req.size = (uint32_t)num_arg(cmd, "size", len);
	return request(h, cmd, &req, sizeof(req), h->o->timeout_ms, msg, size);
}

static int run_fcopy_copy(struct sim_host *h, const struct sim_cmd *cmd, char *msg, size_t size)
{
	static struct hv_do_fcopy w;
	struct hv_start_fcopy s;
	struct hv_fcopy_hdr done;
	const char *src = sim_cmd_arg(cmd, "src")->value;
	struct stat st;
	uint64_t off = 0;
	int fd, r;

	fd = open(src, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		r = -errno;
		if (fd >= 0)
			close(fd);
		return msgf(msg, size, "cannot open '%s': %s", src, strerror(-r)), r;
	}
	r = build_fcopy_start(cmd, &s, (uint64_t)st.st_size, msg, size);
	if (r < 0)
		goto out;
	r = request(h, cmd, &s, sizeof(s), h->o->timeout_ms, msg, size);
	if (r < 0 || h->dev->status != HV_S_OK)
		goto out;
	for (;;) {
		ssize_t n;

		memset(&w, 0, sizeof(w));
		n = pread(fd, w.data, sizeof(w.data), (off_t)off);
		if (n < 0) {
			msgf(msg, size, "cannot read '%s': %s", src, strerror(errno));
			r = -EIO;
			goto out;
		}
		if (n == 0)
			break;
		w.hdr.operation = WRITE_TO_FILE;
		w.offset = off;
		w.size = (uint32_t)n;
		r = request(h, cmd, &w, sizeof(w), h->o->timeout_ms, msg, size);
		if (r < 0 || h->dev->status != HV_S_OK)
			goto out;
		off += (uint64_t)n;
	}
	memset(&done, 0, sizeof(done));
	done.operation = COMPLETE_FCOPY;
	r = request(h, cmd, &done, sizeof(done), h->o->timeout_ms, msg, size);
out:
	close(fd);
	return r;
}

/* ---- expectations -------------------------------------------------------------------- */

/* A NUL-bounded string field of the reply. */
static void field_str(const void *p, size_t size, char *out, size_t outsize)
{
	size_t n = strnlen(p, size);

	snprintf(out, outsize, "%.*s", (int)MIN(n, outsize - 1), (const char *)p);
}

static bool eq_str(const void *field, size_t size, const struct scn_arg *a)
{
	size_t n = strnlen(field, size);

	return n == a->len && memcmp(field, a->value, n) == 0;
}

static void hexdump(const uint8_t *p, size_t len, char *out, size_t size)
{
	size_t o = 0;

	out[0] = '\0';
	for (size_t i = 0; i < len && o + 3 < size; i++, o += 2)
		snprintf(out + o, size - o, "%02x", p[i]);
	if (len * 2 >= size && size > 4)
		memcpy(out + size - 4, "...", 4);
}

static int state_num(const struct sim_dev *dev)
{
	if (dev->dead)
		return 3;
	return dev->state == SIM_ST_INIT ? 0 : dev->state == SIM_ST_READY ? 1 : 2;
}

static const char *const state_names[] = { "init", "ready", "request", "dead" };

static int expect_one(struct sim_host *h, const struct scn_arg *a, char *got, size_t gsize)
{
	const struct sim_dev *dev = h->dev;
	const struct hv_kvp_msg *m = (const void *)dev->reply;
	const struct hv_kvp_exchg_msg_value *v;
	const struct hv_kvp_ipaddr_value *ip = &m->body.kvp_ip_val;
	bool have_kvp = h->o->service == SIM_KVP && dev->outcome == SIM_OUT_REPLY &&
			dev->reply_len >= sizeof(*m);
	const char *n = a->name;
	uint64_t num;

	v = h->last_verb == SCN_KVP_ENUM ? &m->body.kvp_enum_data.data : &m->body.kvp_get.data;
	if (streq(n, "status")) {
		describe_status(dev->status, got, gsize);
		if (dev->outcome != SIM_OUT_REPLY)
			msgcat(got, gsize, ", outcome %s", sim_outcome_name(dev->outcome));
		return dev->status == (uint32_t)a->num;
	}
	if (streq(n, "outcome")) {
		snprintf(got, gsize, "%s", sim_outcome_name(dev->outcome));
		return dev->outcome == (enum sim_outcome)a->num;
	}
	if (streq(n, "reply-size")) {
		snprintf(got, gsize, "%zu", dev->reply_len);
		return dev->reply_len == a->num;
	}
	if (streq(n, "reply-hex") || streq(n, "reply-prefix")) {
		hexdump(dev->reply, dev->reply_len, got, gsize);
		if (streq(n, "reply-hex") && dev->reply_len != a->len)
			return 0;
		return dev->reply_len >= a->len && memcmp(dev->reply, a->value, a->len) == 0;
	}
	if (streq(n, "state")) {
		snprintf(got, gsize, "%s", state_names[state_num(dev)]);
		return state_num(dev) == (int)a->num;
	}
	if (streq(n, "rejected") || streq(n, "registrations") || streq(n, "version")) {
		num = streq(n, "rejected")        ? dev->rejected
		      : streq(n, "registrations") ? dev->registrations
						  : (uint64_t)(int64_t)dev->version;
		snprintf(got, gsize, "%" PRId64, (int64_t)num);
		return num == a->num;
	}
	if (streq(n, "write-error")) {
		snprintf(got, gsize, "%s", sim_errno_name(dev->last_write_error));
		return -dev->last_write_error == (int)a->num;
	}
	/* the rest are fields of a KVP reply */
	if (!have_kvp) {
		snprintf(got, gsize, "no KVP reply (outcome %s, %zu bytes)",
			 sim_outcome_name(dev->outcome), dev->reply_len);
		return 0;
	}
	if (streq(n, "key")) {
		field_str(v->key, sizeof(v->key), got, gsize);
		return eq_str(v->key, sizeof(v->key), a);
	}
	if (streq(n, "value")) {
		field_str(v->value, sizeof(v->value), got, gsize);
		return eq_str(v->value, sizeof(v->value), a);
	}
	if (streq(n, "host-value")) {
		/* what the kernel's copy_value() hands the host: the ENUMERATE value offset */
		const uint8_t *hv = m->body.kvp_enum_data.data.value;

		field_str(hv, sizeof(m->body.kvp_enum_data.data.value), got, gsize);
		return eq_str(hv, sizeof(m->body.kvp_enum_data.data.value), a);
	}
	if (streq(n, "value-type") || streq(n, "key-size") || streq(n, "value-size") ||
	    streq(n, "value-u32") || streq(n, "value-u64")) {
		uint32_t u32;
		uint64_t u64;

		memcpy(&u32, v->value, sizeof(u32));
		memcpy(&u64, v->value, sizeof(u64));
		num = streq(n, "value-type")   ? v->value_type
		      : streq(n, "key-size")   ? v->key_size
		      : streq(n, "value-size") ? v->value_size
		      : streq(n, "value-u32")  ? u32
					       : u64;
		snprintf(got, gsize, "%" PRIu64, num);
		return num == a->num;
	}
	if (streq(n, "dhcp") || streq(n, "family")) {
		num = streq(n, "dhcp") ? ip->dhcp_enabled : ip->addr_family;
		snprintf(got, gsize, "%" PRIu64, num);
		return num == a->num;
	}
	if (streq(n, "ip") || streq(n, "subnet") || streq(n, "gateway") || streq(n, "dns") ||
	    streq(n, "adapter")) {
		const void *f = streq(n, "ip")        ? (const void *)ip->ip_addr
				: streq(n, "subnet")  ? (const void *)ip->sub_net
				: streq(n, "gateway") ? (const void *)ip->gate_way
				: streq(n, "dns")     ? (const void *)ip->dns_addr
						      : (const void *)ip->adapter_id;
		size_t fs = streq(n, "ip")        ? sizeof(ip->ip_addr)
			    : streq(n, "subnet")  ? sizeof(ip->sub_net)
			    : streq(n, "gateway") ? sizeof(ip->gate_way)
			    : streq(n, "dns")     ? sizeof(ip->dns_addr)
						  : sizeof(ip->adapter_id);

		field_str(f, fs, got, gsize);
		return eq_str(f, fs, a);
	}
	snprintf(got, gsize, "(cannot check %s)", n);
	return 0;
}

static int run_expect(struct sim_host *h, const struct sim_cmd *cmd, char *msg, size_t size)
{
	char got[512];
	int failed = 0;

	msg[0] = '\0';
	if (h->dev->req_active) {
		msgf(msg, size, "a request is still outstanding (add a 'wait' line)");
		return 1;
	}
	for (size_t i = 0; i < cmd->nargs; i++) {
		const struct scn_arg *a = &cmd->args[i];

		if (expect_one(h, a, got, sizeof(got)))
			continue;
		if (failed++)
			msgcat(msg, size, "; ");
		if (a->type == SCN_T_HEX) {
			char want[512];

			hexdump((const uint8_t *)a->value, a->len, want, sizeof(want));
			msgcat(msg, size, "expected %s=%s, got %s", a->name, want, got);
		} else {
			msgcat(msg, size, "expected %s=%s, got %s", a->name, a->value, got);
		}
	}
	if (failed)
		return 1;
	msgf(msg, size, "as expected");
	return 0;
}

/* ---- bench --------------------------------------------------------------------------- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int run_bench(struct sim_host *h, const struct sim_cmd *cmd, char *msg, size_t size)
{
	static const char *const names[] = {
		"get", "set", "enum", "delete", "freeze-thaw", "write"
	};
	static struct hv_do_fcopy w;
	uint64_t count = num_arg(cmd, "count", 1), start, total;
	uint64_t *lat;
	struct hv_kvp_msg kvp;
	struct hv_vss_msg vss;
	struct sim_cmd sub;
	const void *req = NULL;
	size_t len = 0;
	int r = 0;

	memset(&sub, 0, sizeof(sub));
	sub.line = cmd->line;
	/* reuse the KVP builder with the bench's own arguments */
	memcpy(sub.args, cmd->args, sizeof(cmd->args));
	sub.nargs = cmd->nargs;
	switch ((enum scn_bench)cmd->num) {
	case SCN_BENCH_GET:
	case SCN_BENCH_SET:
	case SCN_BENCH_ENUM:
	case SCN_BENCH_DELETE:
		if (h->o->service != SIM_KVP)
			return msgf(msg, size, "bench %s needs -s kvp", names[cmd->num]), -EINVAL;
		if (!sim_cmd_arg(cmd, "key") && cmd->num != SCN_BENCH_ENUM)
			return msgf(msg, size, "bench %s needs key=", names[cmd->num]), -EINVAL;
		if (!sim_cmd_arg(cmd, "value") && cmd->num == SCN_BENCH_SET)
			return msgf(msg, size, "bench set needs value="), -EINVAL;
		sub.verb = cmd->num == SCN_BENCH_GET    ? SCN_KVP_GET
			   : cmd->num == SCN_BENCH_SET  ? SCN_KVP_SET
			   : cmd->num == SCN_BENCH_ENUM ? SCN_KVP_ENUM
							: SCN_KVP_DELETE;
		r = build_kvp(&sub, &kvp, msg, size);
		if (r < 0)
			return r;
		if (sub.verb == SCN_KVP_GET)
			kvp.body.kvp_get.data.value_size = HV_KVP_EXCHANGE_MAX_VALUE_SIZE;
		req = &kvp;
		len = sizeof(kvp);
		break;
	case SCN_BENCH_FREEZE_THAW:
		if (h->o->service != SIM_VSS)
			return msgf(msg, size, "bench freeze-thaw needs -s vss"), -EINVAL;
		memset(&vss, 0, sizeof(vss));
		req = &vss;
		len = sizeof(vss);
		sub.verb = SCN_VSS_OP;
		break;
	case SCN_BENCH_WRITE:
		if (h->o->service != SIM_FCOPY)
			return msgf(msg, size, "bench write needs -s fcopy"), -EINVAL;
		memset(&w, 0xa5, sizeof(w));
		memset(&w.hdr, 0, sizeof(w.hdr));
		w.hdr.operation = WRITE_TO_FILE;
		w.pad = 0;
		w.size = DATA_FRAGMENT;
		req = &w;
		len = sizeof(w);
		sub.verb = SCN_FCOPY_WRITE;
		break;
	}
	lat = calloc((size_t)count, sizeof(*lat));
	if (!lat)
		return msgf(msg, size, "out of memory"), -ENOMEM;
	start = now_ns();
	for (uint64_t i = 0; i < count; i++) {
		uint64_t t0 = now_ns();

		if (sub.verb == SCN_VSS_OP)
			vss.vss_hdr.operation = i % 2 == 0 ? VSS_OP_FREEZE : VSS_OP_THAW;
		if (sub.verb == SCN_FCOPY_WRITE)
			w.offset = i * DATA_FRAGMENT;
		r = request(h, &sub, req, len, h->o->timeout_ms, msg, size);
		if (r < 0)
			goto out;
		lat[i] = now_ns() - t0;
		if (h->dev->status != HV_S_OK &&
		    !(h->dev->status == HV_S_CONT &&
		      (sub.verb == SCN_KVP_GET || sub.verb == SCN_KVP_ENUM))) {
			char st[64];

			describe_status(h->dev->status, st, sizeof(st));
			msgf(msg, size, "bench %s: request %" PRIu64 " got %s, outcome %s",
			     names[cmd->num], i + 1, st, sim_outcome_name(h->dev->outcome));
			r = 1;
			goto out;
		}
	}
	total = now_ns() - start;
	qsort(lat, (size_t)count, sizeof(*lat), cmp_u64);
	msgf(msg, size,
	     "bench op=%s count=%" PRIu64 " seconds=%.3f ops_per_s=%.0f p50_us=%.1f p99_us=%.1f "
	     "max_us=%.1f",
	     names[cmd->num], count, (double)total / 1e9,
	     total ? (double)count * 1e9 / (double)total : 0.0,
	     (double)lat[(count - 1) * 50 / 100] / 1e3, (double)lat[(count - 1) * 99 / 100] / 1e3,
	     (double)lat[count - 1] / 1e3);
	printf("%s\n", msg);
	fflush(stdout);
	r = 0;
out:
	free(lat);
	return r;
}

/* ---- commands ------------------------------------------------------------------------ */

static bool wrong_service(struct sim_host *h, enum sim_service want, char *msg, size_t size)
{
	if (h->o->service == want)
		return false;
	msgf(msg, size, "this is a %s request, but hv-sim simulates %s (-s)",
	     sim_service_name(want), sim_service_name(h->o->service));
	return true;
}

int sim_host_exec(struct sim_host *h, const struct sim_cmd *cmd, char *msg, size_t size)
{
	struct hv_kvp_msg kvp;
	struct hv_vss_msg vss;
	struct hv_start_fcopy start;
	struct hv_fcopy_hdr hdr;
	uint64_t timeout = h->o->timeout_ms;
	int r;

	msg[0] = '\0';
	switch (cmd->verb) {
	case SCN_KVP_SET:
	case SCN_KVP_GET:
	case SCN_KVP_DELETE:
	case SCN_KVP_ENUM:
	case SCN_KVP_GET_IP:
	case SCN_KVP_SET_IP:
		if (wrong_service(h, SIM_KVP, msg, size))
			return -EINVAL;
		r = build_kvp(cmd, &kvp, msg, size);
		if (r < 0)
			return r;
		return request(h, cmd, &kvp, sizeof(kvp), timeout, msg, size);
	case SCN_VSS_FREEZE:
	case SCN_VSS_THAW:
	case SCN_VSS_HOT_BACKUP:
	case SCN_VSS_OP:
		if (wrong_service(h, SIM_VSS, msg, size))
			return -EINVAL;
		memset(&vss, 0, sizeof(vss));
		vss.vss_hdr.operation = cmd->verb == SCN_VSS_FREEZE ? VSS_OP_FREEZE
					: cmd->verb == SCN_VSS_THAW ? VSS_OP_THAW
					: cmd->verb == SCN_VSS_HOT_BACKUP
						? VSS_OP_HOT_BACKUP
						: (uint8_t)num_arg(cmd, "op", 0);
		if (vss.vss_hdr.operation == VSS_OP_FREEZE)
			timeout = h->o->freeze_timeout_ms;
		timeout = num_arg(cmd, "timeout", timeout);
		return request(h, cmd, &vss, sizeof(vss), timeout, msg, size);
	case SCN_VSS_KERNEL:
		if (wrong_service(h, SIM_VSS, msg, size))
			return -EINVAL;
		if (h->dev->req_active)
			return msgf(msg, size, "a request is still outstanding"), -EBUSY;
		h->last_verb = cmd->verb;
		sim_dev_kernel_answer(h->dev, HV_S_OK);
		summarize(h, msg, size);
		return 0;
	case SCN_FCOPY_START:
		if (wrong_service(h, SIM_FCOPY, msg, size))
			return -EINVAL;
		r = build_fcopy_start(cmd, &start, 0, msg, size);
		if (r < 0)
			return r;
		return request(h, cmd, &start, sizeof(start), timeout, msg, size);
	case SCN_FCOPY_WRITE:
		if (wrong_service(h, SIM_FCOPY, msg, size))
			return -EINVAL;
		return run_fcopy_write(h, cmd, msg, size);
	case SCN_FCOPY_COMPLETE:
	case SCN_FCOPY_CANCEL:
		if (wrong_service(h, SIM_FCOPY, msg, size))
			return -EINVAL;
		memset(&hdr, 0, sizeof(hdr));
		hdr.operation = cmd->verb == SCN_FCOPY_COMPLETE ? COMPLETE_FCOPY : CANCEL_FCOPY;
		return request(h, cmd, &hdr, sizeof(hdr), timeout, msg, size);
	case SCN_FCOPY_COPY:
		if (wrong_service(h, SIM_FCOPY, msg, size))
			return -EINVAL;
		return run_fcopy_copy(h, cmd, msg, size);
	case SCN_RAW: {
		static uint8_t raw[SIM_MSG_MAX];
		const struct scn_arg *a = sim_cmd_arg(cmd, "hex");
		size_t len;

		if (!a)
			a = sim_cmd_arg(cmd, "text");
		len = (size_t)num_arg(cmd, "size", a ? a->len : 0);
		memset(raw, 0, len);
		if (a)
			memcpy(raw, a->value, MIN(a->len, len));
		timeout = num_arg(cmd, "timeout", timeout);
		return request(h, cmd, raw, len, timeout, msg, size);
	}
	case SCN_EXPECT:
		return run_expect(h, cmd, msg, size);
	case SCN_EXPECT_TIMEOUT:
		if (h->dev->req_active)
			return msgf(msg, size,
				    "a request is still outstanding (add a 'wait' line)"),
			       1;
		if (h->dev->outcome == SIM_OUT_TIMEOUT && h->dev->status == HV_E_FAIL)
			return msgf(msg, size, "timed out as expected"), 0;
		{
			char st[64];

			describe_status(h->dev->status, st, sizeof(st));
			msgf(msg, size, "expected a timeout (HV_E_FAIL), got %s, outcome %s", st,
			     sim_outcome_name(h->dev->outcome));
		}
		return 1;
	case SCN_WAIT_REGISTER:
		r = wait_until(h, registered_or_hopeless,
			       now_ms() + num_arg(cmd, "timeout", h->o->register_timeout_ms));
		if (r == 0 && !is_registered(h))
			return msgf(msg, size,
				    "expected a registration, but the daemon exited with status %d",
				    h->exit_status),
			       1;
		if (r == -ETIMEDOUT)
			return msgf(msg, size,
				    "expected a registration within %" PRIu64 " ms, none came%s",
				    num_arg(cmd, "timeout", h->o->register_timeout_ms),
				    h->exited ? " (the daemon has exited)" : ""),
			       1;
		if (r < 0)
			return msgf(msg, size, "interrupted"), r;
		return msgf(msg, size, "registered (version %d)", h->dev->version), 0;
	case SCN_WAIT:
		r = wait_until(h, request_done, 0);
		if (r < 0)
			return msgf(msg, size, "interrupted"), r;
		summarize(h, msg, size);
		return 0;
	case SCN_SLEEP:
		r = wait_until(h, NULL, now_ms() + cmd->num);
		if (r == -EINTR)
			return msgf(msg, size, "interrupted"), r;
		return 0;
	case SCN_RESET:
		sim_dev_reset(h->dev);
		pump(h);
		return msgf(msg, size, "driver reloaded"), 0;
	case SCN_HIBERNATE:
		sim_dev_hibernate(h->dev);
		pump(h);
		return msgf(msg, size, "pre-suspend done"), 0;
	case SCN_KILL:
		if (h->pid <= 0 || h->exited)
			return msgf(msg, size, "no daemon running"), -ESRCH;
		if (kill(h->pid, (int)num_arg(cmd, "signal", SIGTERM)) < 0)
			return msgf(msg, size, "kill: %s", strerror(errno)), -errno;
		return 0;
	case SCN_WAIT_EXIT:
		if (h->pid <= 0)
			return msgf(msg, size, "no daemon was started"), -ESRCH;
		r = wait_until(h, child_gone, now_ms() + num_arg(cmd, "timeout", 10000));
		if (r == -ETIMEDOUT)
			return msgf(msg, size, "expected the daemon to exit, it is still running"),
			       1;
		if (r < 0)
			return msgf(msg, size, "interrupted"), r;
		if (sim_cmd_arg(cmd, "status") &&
		    (uint64_t)h->exit_status != num_arg(cmd, "status", 0))
			return msgf(msg, size, "expected exit status %s, got %d",
				    sim_cmd_arg(cmd, "status")->value, h->exit_status),
			       1;
		return msgf(msg, size, "exit status %d", h->exit_status), 0;
	case SCN_BENCH:
		return run_bench(h, cmd, msg, size);
	case SCN_ECHO:
		printf("%s\n", cmd->nargs ? cmd->args[0].value : "");
		fflush(stdout);
		return 0;
	case SCN_QUIT:
		h->quit = true;
		return 0;
	}
	return msgf(msg, size, "unknown command"), -EINVAL;
}

int sim_host_run(struct sim_host *h, const struct sim_scn *scn, const char *src)
{
	char msg[2048];

	for (size_t i = 0; i < scn->n && !h->quit; i++) {
		const struct sim_cmd *cmd = &scn->cmds[i];
		int r;

		if (h->o->verbose)
			fprintf(stderr, "hv-sim: %s:%u: %s\n", src, cmd->line, cmd->text);
		r = sim_host_exec(h, cmd, msg, sizeof(msg));
		if (h->o->tap)
			printf("%sok %u - %s:%u: %s\n", r == 0 ? "" : "not ", ++h->tap_n, src,
			       cmd->line, cmd->text);
		if (r == 0) {
			if (h->o->verbose && msg[0])
				fprintf(stderr, "hv-sim: %s:%u: %s\n", src, cmd->line, msg);
			continue;
		}
		if (h->o->tap)
			printf("# %s\n", msg);
		fflush(stdout);
		fprintf(stderr, "hv-sim: %s:%u: %s: %s\n", src, cmd->line, cmd->text, msg);
		return 1;
	}
	fflush(stdout);
	return 0;
}

/* ---- control socket ------------------------------------------------------------------ */

static void ctl_accept(struct sim_host *h)
{
	int fd = accept4(h->ctl_listen, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return;
	h->ctl_client = fd;
	h->ctl_len = 0;
}

static void ctl_input(struct sim_host *h)
{
	ssize_t n;

	if (h->ctl_len >= CTL_BUF_MAX) {
		/* a line too long: drop the client */
		close(h->ctl_client);
		h->ctl_client = -1;
		h->ctl_len = 0;
		return;
	}
	n = read(h->ctl_client, h->ctl_buf + h->ctl_len, CTL_BUF_MAX - h->ctl_len);
	if (n <= 0) {
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		close(h->ctl_client);
		h->ctl_client = -1;
		h->ctl_len = 0;
		return;
	}
	h->ctl_len += (size_t)n;
}

static bool ctl_line_ready(struct sim_host *h)
{
	return h->ctl_client >= 0 && memchr(h->ctl_buf, '\n', h->ctl_len);
}

static void ctl_reply(struct sim_host *h, const char *word, const char *text)
{
	char line[2200];
	int n;

	n = snprintf(line, sizeof(line), "%s%s%s\n", word, text[0] ? " " : "", text);
	if (n < 0)
		return;
	for (char *p = line; *p && p < line + n - 1; p++)
		if (*p == '\n')
			*p = ' ';
	if (fs_write_all(h->ctl_client, line, MIN((size_t)n, sizeof(line) - 1)) < 0) {
		close(h->ctl_client);
		h->ctl_client = -1;
		h->ctl_len = 0;
	}
}

int sim_host_control(struct sim_host *h, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int status = 0;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "hv-sim: control socket path '%s' is too long\n", path);
		return 1;
	}
	memcpy(sa.sun_path, path, strlen(path));
	h->ctl_buf = malloc(CTL_BUF_MAX);
	h->ctl_listen = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	(void)unlink(path);
	if (!h->ctl_buf || h->ctl_listen < 0 ||
	    bind(h->ctl_listen, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(h->ctl_listen, 8) < 0) {
		fprintf(stderr, "hv-sim: cannot listen on '%s': %s\n", path, strerror(errno));
		return 1;
	}
	while (!h->quit && !h->stop) {
		char msg[2048], err[SCN_ERR_MAX], where[64];
		struct sim_cmd cmd;
		char *nl;
		size_t len;
		int r;

		if (wait_until(h, ctl_line_ready, 0) < 0)
			break;
		nl = memchr(h->ctl_buf, '\n', h->ctl_len);
		len = (size_t)(nl - h->ctl_buf);
		h->ctl_line++;
		snprintf(where, sizeof(where), "control:%u", h->ctl_line);
		r = scn_parse_line(h->ctl_buf, len, h->ctl_line, &cmd, err, sizeof(err));
		memmove(h->ctl_buf, nl + 1, h->ctl_len - len - 1);
		h->ctl_len -= len + 1;
		if (r < 0) {
			snprintf(msg, sizeof(msg), "%s: %s", where, err);
			ctl_reply(h, "error", msg);
			continue;
		}
		if (r == 0) {
			ctl_reply(h, "ok", "");
			continue;
		}
		if (h->o->verbose)
			fprintf(stderr, "hv-sim: %s: %s\n", where, cmd.text);
		r = sim_host_exec(h, &cmd, msg, sizeof(msg));
		if (r == 0) {
			ctl_reply(h, "ok", msg);
		} else {
			char full[2200];

			snprintf(full, sizeof(full), "%s: %s: %s", where, cmd.text, msg);
			ctl_reply(h, r > 0 ? "fail" : "error", full);
			if (!h->o->quiet)
				fprintf(stderr, "hv-sim: %s\n", full);
			status = 1;
		}
		sim_cmd_release(&cmd);
	}
	if (h->ctl_client >= 0)
		close(h->ctl_client);
	h->ctl_client = -1;
	close(h->ctl_listen);
	h->ctl_listen = -1;
	(void)unlink(path);
	return status && !h->quit ? 1 : 0;
}

unsigned int sim_host_tap_count(const struct sim_host *h)
{
	return h->tap_n;
}

bool sim_host_done(const struct sim_host *h)
{
	return h->quit || h->stop;
}

/* ---- set-up and tear-down ------------------------------------------------------------ */

struct sim_host *sim_host_new(const struct sim_opts *o, char *err, size_t errsize)
{
	struct sim_host *h = calloc(1, sizeof(*h));
	sigset_t mask;
	int sv[2];

	if (!h) {
		snprintf(err, errsize, "out of memory");
		return NULL;
	}
	h->o = o;
	h->conn = h->listen_fd = h->child_sock = h->pidfd = h->ctl_listen = h->ctl_client = -1;
	h->sigfd = -1;
	h->dev = sim_dev_new(o->service);
	if (!h->dev) {
		snprintf(err, errsize, "out of memory");
		goto err;
	}
	h->dev->timeout_ms = o->timeout_ms;
	h->dev->freeze_timeout_ms = o->freeze_timeout_ms;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, &h->oldmask);
	h->sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (h->sigfd < 0) {
		snprintf(err, errsize, "signalfd: %s", strerror(errno));
		goto err;
	}

	switch (o->mode) {
	case SIM_MODE_SOCKET:
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
			snprintf(err, errsize, "socketpair: %s", strerror(errno));
			goto err;
		}
		h->conn = sv[0];
		h->child_sock = sv[1];
		(void)sim_dev_open(h->dev);
		break;
	case SIM_MODE_LISTEN: {
		struct sockaddr_un sa = { .sun_family = AF_UNIX };

		if (strlen(o->listen_path) >= sizeof(sa.sun_path)) {
			snprintf(err, errsize, "socket path '%s' is too long", o->listen_path);
			goto err;
		}
		memcpy(sa.sun_path, o->listen_path, strlen(o->listen_path));
		(void)unlink(o->listen_path);
		h->listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
		if (h->listen_fd < 0 ||
		    bind(h->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
		    listen(h->listen_fd, 4) < 0) {
			snprintf(err, errsize, "cannot listen on '%s': %s", o->listen_path,
				 strerror(errno));
			goto err;
		}
		break;
	}
	case SIM_MODE_FUSE:
		h->fuse = sim_fuse_new(h->dev, o->fuse_dir, err, errsize);
		if (!h->fuse)
			goto err;
		break;
	case SIM_MODE_NONE:
		break;
	}
	return h;
err:
	return sim_host_free(h);
}

int sim_host_start(struct sim_host *h, char *err, size_t errsize)
{
	char **argv = h->o->daemon_argv, **args;
	char fdstr[16];
	size_t argc = 0;
	bool substituted = false;
	pid_t pid;

	if (!argv || !argv[0])
		return 0;
	while (argv[argc])
		argc++;
	args = calloc(argc + 3, sizeof(*args));
	if (!args) {
		snprintf(err, errsize, "out of memory");
		return -ENOMEM;
	}
	snprintf(fdstr, sizeof(fdstr), "%d", h->o->fdnum);
	for (size_t i = 0; i < argc; i++) {
		if (h->o->mode == SIM_MODE_SOCKET && streq(argv[i], "{fd}")) {
			args[i] = fdstr;
			substituted = true;
		} else {
			args[i] = argv[i];
		}
	}
	if (h->o->mode == SIM_MODE_SOCKET && !substituted && !h->o->no_fd_arg) {
		args[argc++] = (char *)"--device-fd";
		args[argc++] = fdstr;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		snprintf(err, errsize, "fork: %s", strerror(errno));
		free(args);
		return -errno;
	}
	if (pid == 0) {
		sigprocmask(SIG_SETMASK, &h->oldmask, NULL);
		if (h->child_sock >= 0) {
			if (h->child_sock == h->o->fdnum) {
				(void)fcntl(h->child_sock, F_SETFD, 0);
			} else if (dup2(h->child_sock, h->o->fdnum) < 0) {
				_exit(127);
			}
		}
		execvp(args[0], args);
		fprintf(stderr, "hv-sim: cannot run '%s': %s\n", args[0], strerror(errno));
		_exit(127);
	}
	free(args);
	h->pid = pid;
	h->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (h->child_sock >= 0) {
		close(h->child_sock);
		h->child_sock = -1;
	}
	return 0;
}

struct sim_host *sim_host_free(struct sim_host *h)
{
	if (!h)
		return NULL;
	if (h->pid > 0 && !h->exited) {
		uint64_t deadline = now_ms() + STOP_GRACE_MS;

		h->stop = false;
		(void)kill(h->pid, SIGTERM);
		/* keep serving: a daemon blocked in a FUSE read needs its interrupt answered */
		if (wait_until(h, child_gone, deadline) < 0 && !h->exited) {
			(void)kill(h->pid, SIGKILL);
			h->stop = false;
			(void)wait_until(h, child_gone, now_ms() + STOP_GRACE_MS);
		}
	}
	if (h->conn >= 0)
		close(h->conn);
	if (h->child_sock >= 0)
		close(h->child_sock);
	if (h->listen_fd >= 0) {
		close(h->listen_fd);
		(void)unlink(h->o->listen_path);
	}
	if (h->pidfd >= 0)
		close(h->pidfd);
	if (h->ctl_listen >= 0)
		close(h->ctl_listen);
	if (h->ctl_client >= 0)
		close(h->ctl_client);
	sim_fuse_free(h->fuse);
	if (h->sigfd >= 0)
		close(h->sigfd);
	sigprocmask(SIG_SETMASK, &h->oldmask, NULL);
	free(h->ctl_buf);
	sim_dev_free(h->dev);
	free(h);
	return NULL;
}

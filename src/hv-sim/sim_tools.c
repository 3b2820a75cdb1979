/* SPDX-License-Identifier: MIT */
/*
 * sim_tools.c - hv-sim's echo responder and control client (see sim_tools.h).
 */
#include "sim_tools.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "fs.h"
#include "hvdev.h"
#include "util.h"

int sim_device_open(const char *path, int fd)
{
	if (fd >= 0)
		return fd;
	return hvdev_open(path);
}

int sim_responder_run(int fd, enum sim_service service, char *err, size_t errsize)
{
	static uint8_t buf[SIM_MSG_MAX];
	struct hv_kvp_msg kvp;
	struct hv_vss_msg vss;
	uint32_t ver = FCOPY_CURRENT_VERSION;
	ssize_t n;

	/* registration, as the reference daemons do it */
	switch (service) {
	case SIM_KVP:
		memset(&kvp, 0, sizeof(kvp));
		kvp.kvp_hdr.operation = KVP_OP_REGISTER1;
		n = write(fd, &kvp, sizeof(kvp));
		break;
	case SIM_VSS:
		memset(&vss, 0, sizeof(vss));
		vss.vss_hdr.operation = VSS_OP_REGISTER1;
		n = write(fd, &vss, sizeof(vss));
		break;
	default:
		n = write(fd, &ver, sizeof(ver));
		break;
	}
	if (n < 0) {
		snprintf(err, errsize, "registration write failed: %s", strerror(errno));
		return -errno;
	}
	n = read(fd, buf, sizeof(buf));
	if (n <= 0) {
		snprintf(err, errsize, "no registration reply: %s",
			 n < 0 ? strerror(errno) : "EOF");
		return n < 0 ? -errno : -EPIPE;
	}
	for (;;) {
		size_t len;
		int32_t ok = 0;

		n = read(fd, buf, sizeof(buf));
		if (n == 0)
			return 0;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EBADF)
				return 0; /* the driver went away */
			snprintf(err, errsize, "read: %s", strerror(errno));
			return -errno;
		}
		/* status 0 in bytes 0..3; the reply size is what the kernel wants back */
		memcpy(buf, &ok, sizeof(ok));
		len = service == SIM_KVP   ? sizeof(struct hv_kvp_msg)
		      : service == SIM_VSS ? sizeof(struct hv_vss_msg)
					   : sizeof(int);
		if (write(fd, buf, len) < 0 && errno != EINVAL) {
			snprintf(err, errsize, "write: %s", strerror(errno));
			return -errno;
		}
	}
}

int sim_ctl_run(const char *path, const char *line)
{
	char reply[4096];
	size_t used = 0;
	int fd = -ENOENT;

	for (int i = 0; i < 100; i++) {
		struct timespec ts = { 0, 50 * 1000 * 1000 };

		fd = unix_connect(path, SOCK_STREAM);
		if (fd >= 0 || (fd != -ENOENT && fd != -ECONNREFUSED))
			break;
		nanosleep(&ts, NULL);
	}
	if (fd < 0) {
		fprintf(stderr, "hv-sim ctl: cannot connect to '%s': %s\n", path, strerror(-fd));
		return 2;
	}
	if (fs_write_all(fd, line, strlen(line)) < 0 || fs_write_all(fd, "\n", 1) < 0) {
		fprintf(stderr, "hv-sim ctl: cannot send to '%s'\n", path);
		close(fd);
		return 2;
	}
	while (used < sizeof(reply) - 1) {
		ssize_t n = read(fd, reply + used, sizeof(reply) - 1 - used);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		used += (size_t)n;
		if (memchr(reply, '\n', used))
			break;
	}
	close(fd);
	reply[used] = '\0';
	if (used == 0) {
		fprintf(stderr, "hv-sim ctl: no reply from '%s'\n", path);
		return 2;
	}
	fputs(reply, stdout);
	if (reply[used - 1] != '\n')
		fputc('\n', stdout);
	if (strncmp(reply, "ok", 2) == 0 && (reply[2] == ' ' || reply[2] == '\n'))
		return 0;
	if (strncmp(reply, "fail", 4) == 0)
		return 1;
	return 2;
}

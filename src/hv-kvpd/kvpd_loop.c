/* SPDX-License-Identifier: MIT */
/*
 * kvpd_loop.c - hv-kvpd's only event loop: poll() over the device and a signalfd, no signal
 * handlers.  A device reset (hibernation, driver reload: POLLHUP/POLLERR, a failed read or
 * write) sends the loop back to "connecting", where it reopens and registers again, with a
 * rate limit; it never jumps backwards.
 */
#include "kvpd.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "log.h"

enum {
	PFD_SIGNAL,
	PFD_DEVICE,
	PFD_COUNT
};

/* Block the signals we handle and return a descriptor that reports them. */
static int signals_open(void)
{
	sigset_t set;
	int fd;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/*
 * Try to (re)connect.  Returns 0 when connected, 1 when the caller should wait
 * KVPD_REOPEN_RETRY_MS and call again, or a negative errno when it is time to give up.
 */
static int try_connect(struct kvpd *d, unsigned int *failures)
{
	int r;

	r = kvpd_connect(d);
	if (r == 0) {
		*failures = 0;
		return 0;
	}
	if (r == -ENOTCONN)
		return log_err_errno(r, "the inherited device descriptor is gone, cannot reopen");
	if (!d->ever_registered && *failures == 0 && r != -EBUSY)
		return log_err_errno(r, "cannot open the KVP device '%s'", d->opts.device);
	if (++*failures > KVPD_REOPEN_RETRIES_MAX)
		return log_err_errno(r, "cannot reopen the KVP device '%s', giving up",
				     d->opts.device);
	if (*failures == 1)
		log_warn_errno(r, "cannot reopen the KVP device '%s', retrying", d->opts.device);
	return 1;
}

int kvpd_run(struct kvpd *d)
{
	struct pollfd pfd[PFD_COUNT];
	unsigned int failures = 0;
	bool quit = false;
	int sig_fd, r = 0;

	sig_fd = signals_open();
	if (sig_fd < 0)
		return log_err_errno(sig_fd, "cannot set up signal handling");

	while (!quit) {
		int timeout = -1;
		nfds_t n = PFD_COUNT;

		if (d->dev_fd < 0) {
			r = try_connect(d, &failures);
			if (r < 0)
				break;
			if (r == 1) {
				timeout = KVPD_REOPEN_RETRY_MS;
				n = PFD_DEVICE; /* only the signals while we wait */
			}
			r = 0;
		}

		pfd[PFD_SIGNAL] = (struct pollfd){ .fd = sig_fd, .events = POLLIN };
		pfd[PFD_DEVICE] = (struct pollfd){ .fd = d->dev_fd, .events = POLLIN };
		if (poll(pfd, n, timeout) < 0) {
			if (errno == EINTR)
				continue;
			r = log_err_errno(-errno, "poll failed");
			break;
		}

		if (pfd[PFD_SIGNAL].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(sig_fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
				if (si.ssi_signo == SIGHUP) {
					log_info("SIGHUP: nothing to reload, pools are always on "
						 "disk");
				} else {
					log_info("signal %u, exiting", si.ssi_signo);
					quit = true;
				}
			}
		}
		if (quit || n == PFD_DEVICE)
			continue;

		if (pfd[PFD_DEVICE].revents & POLLIN) {
			r = kvpd_handle_device(d);
		} else if (pfd[PFD_DEVICE].revents & (POLLERR | POLLHUP | POLLNVAL)) {
			r = -ECONNRESET;
		}
		if (r < 0) {
			/* Hibernation, driver reload, or the host side went away. */
			log_warn_errno(r, "lost the KVP device, registering again");
			kvpd_disconnect(d);
			if (!ratelimit_ok(&d->reconnect_rl)) {
				r = log_err_errno(-EAGAIN, "too many device resets, giving up");
				break;
			}
		}
		r = 0;
	}

	(void)close(sig_fd);
	return r;
}

/* SPDX-License-Identifier: MIT */
/*
 * test-log.c - the log format, and hold mode: nothing reaches stderr while held, everything
 * held comes out in order on release, overflow is counted.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fs.h"
#include "log.h"
#include "tap.h"

/* Point stderr at a fresh file and return its descriptor for reading back. */
static int capture_stderr(char *path, size_t size)
{
	int fd;

	(void)snprintf(path, size, "/tmp/hvguest-test-log.XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		abort();
	fflush(stderr);
	if (dup2(fd, STDERR_FILENO) < 0)
		abort();
	return fd;
}

static char *captured(const char *path)
{
	char *buf = NULL;

	fflush(stderr);
	if (fs_read_file_at(AT_FDCWD, path, 1 << 20, &buf, NULL) < 0)
		abort();
	return buf;
}

int main(void)
{
	char path[64];
	int saved = dup(STDERR_FILENO);
	int fd = capture_stderr(path, sizeof(path));
	char *s;

	setenv("HVGUEST_LOG_PLAIN", "1", 1);
	log_init("t", LOG_SINK_STDERR, 0);
	log_info("hello %d", 1);
	log_debug("not shown at verbosity 0");
	(void)log_err_errno(-2, "cannot open '%s'", "x");
	log_hold();
	log_warn("held one");
	log_warn("held two");
	s = captured(path);
	CHECK_STR(s, "t: hello 1\nt: cannot open 'x': No such file or directory\n",
		  "format, and nothing written while held");
	free(s);
	CHECK_INT(log_release(), 0, "nothing dropped");
	s = captured(path);
	CHECK_STR(s,
		  "t: hello 1\nt: cannot open 'x': No such file or directory\n"
		  "t: held one\nt: held two\n",
		  "held messages come out in order after release");
	free(s);

	log_hold();
	for (int i = 0; i < LOG_HOLD_MAX + 5; i++)
		log_info("m%d", i);
	CHECK_INT(log_release(), 5, "overflow past the ring is counted");

	dup2(saved, STDERR_FILENO);
	close(saved);
	close(fd);
	unlink(path);
	return tap_done();
}

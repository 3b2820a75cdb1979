/* SPDX-License-Identifier: MIT */
/*
 * test-sys-powercut.c - the power-loss model of lib/sys that test-kvpool-crash relies on.
 * A child writes a file through the seam with the cut armed at call n; the parent checks
 * that what is left is exactly one of the states a disk with a volatile write cache could
 * hold at that point (synced content, plus any subset of the later writes' sectors and
 * truncates, in order), and that over many seeds every such state shows up, so that the
 * model neither invents data nor always keeps (or always loses) what was not synced.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sys.h"
#include "tap.h"

#define SECTOR 512

/*
 * The child's script: write "A" over two sectors, sync, write "B" over both, truncate to one
 * sector, sync.  Calls: 1 write A, 2 sync, 3 write B, 4 truncate, 5 sync.
 */
static void __attribute__((noreturn)) child(const char *path, unsigned long n, unsigned int seed)
{
	char a[2 * SECTOR], b[2 * SECTOR];
	int fd;

	memset(a, 'A', sizeof(a));
	memset(b, 'B', sizeof(b));
	sys_powercut_arm(n, seed);
	fd = sys_openat(AT_FDCWD, path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		_exit(2);
	if (sys_pwrite(fd, a, sizeof(a), 0) != (ssize_t)sizeof(a) || sys_fdatasync(fd) < 0 ||
	    sys_pwrite(fd, b, sizeof(b), 0) != (ssize_t)sizeof(b) ||
	    sys_ftruncate(fd, SECTOR) < 0 || sys_fdatasync(fd) < 0)
		_exit(3);
	_exit(0);
}

/*
 * Run the child with a cut at call n; returns the file's state as a small code: its length
 * in sectors * 100 + a bit per sector that holds 'B' (0 = 'A'), or -1 for anything else.
 */
static int run(const char *path, unsigned long n, unsigned int seed, int *ret_status)
{
	char buf[4 * SECTOR];
	int fd, status, code;
	ssize_t len;
	pid_t pid;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600); /* starts empty */
	if (fd < 0)
		return -1;
	close(fd);
	pid = fork();
	if (pid == 0)
		child(path, n, seed);
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	*ret_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	len = read(fd, buf, sizeof(buf));
	close(fd);
	if (len < 0 || len % SECTOR != 0)
		return -1;
	code = (int)(len / SECTOR) * 100;
	for (ssize_t s = 0; s < len / SECTOR; s++) {
		char c = buf[s * SECTOR];

		for (int i = 1; i < SECTOR; i++)
			if (buf[s * SECTOR + i] != c)
				return -1; /* a sector torn inside: the model does not do that */
		if (c == 'B')
			code |= 1 << s;
		else if (c != 'A')
			return -1;
	}
	return code;
}

int main(void)
{
	char path[] = "/tmp/test-sys-powercut.XXXXXX";
	int fd = mkstemp(path);

	if (fd < 0) {
		CHECK(0, "mkstemp: %s", strerror(errno));
		return tap_done();
	}
	close(fd);

	/* n = 1: the first write never happens; nothing was synced: empty. */
	{
		int st = 0, bad = 0;

		for (unsigned int seed = 1; seed <= 20; seed++)
			bad += run(path, 1, seed, &st) != 0 || st != SYS_POWERCUT_EXIT;
		CHECK_INT(bad, 0, "cut before the first write: an empty file, every time");
	}
	/* n = 3: "A" was synced, "B" never written: exactly "AA". */
	{
		int st = 0, bad = 0;

		for (unsigned int seed = 1; seed <= 20; seed++)
			bad += run(path, 3, seed, &st) != 200 || st != SYS_POWERCUT_EXIT;
		CHECK_INT(bad, 0, "cut after a sync: exactly the synced content");
	}
	/* n = 4: "B" written, not synced: each sector A or B; all four kinds seen. */
	{
		int st = 0, bad = 0, seen[4] = { 0 };

		for (unsigned int seed = 1; seed <= 200; seed++) {
			int c = run(path, 4, seed, &st);

			if (c < 200 || c > 203 || st != SYS_POWERCUT_EXIT)
				bad++;
			else
				seen[c - 200]++;
		}
		CHECK_INT(bad, 0, "unsynced write: each sector old or new, nothing else");
		CHECK(seen[0] && seen[1] && seen[2] && seen[3],
		      "every mix of the two sectors occurs (%d %d %d %d)", seen[0], seen[1],
		      seen[2], seen[3]);
	}
	/* n = 5: the truncate too is kept or lost; a kept truncate leaves one sector. */
	{
		int st = 0, bad = 0, cut = 0, whole = 0;

		for (unsigned int seed = 1; seed <= 200; seed++) {
			int c = run(path, 5, seed, &st);

			if (st != SYS_POWERCUT_EXIT ||
			    !((c >= 100 && c <= 101) || (c >= 200 && c <= 203)))
				bad++;
			else if (c < 200)
				cut++;
			else
				whole++;
		}
		CHECK_INT(bad, 0, "unsynced truncate: one of the possible states");
		CHECK(cut > 0 && whole > 0,
		      "the truncate is sometimes kept (%d), sometimes lost (%d)", cut, whole);
	}
	/* n = 6: everything ran and was synced: one sector of "B", the child exits normally. */
	{
		int st = -1, c = run(path, 6, 1, &st);

		CHECK_INT(c, 101, "no cut: the final synced state");
		CHECK_INT(st, 0, "and the child finished");
	}
	unlink(path);
	return tap_done();
}

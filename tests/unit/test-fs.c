/* SPDX-License-Identifier: MIT */
/*
 * test-fs.c - atomic replacement and bounded reads against a real temporary directory.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs.h"
#include "tap.h"

int main(void)
{
	char dir[] = "/tmp/hvguest-test-fs.XXXXXX";
	struct stat st;
	char *buf;
	size_t len;
	int dfd;

	if (!mkdtemp(dir))
		abort();
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	CHECK_INT(fs_replace_at(dfd, "f", "old", 3, 0600), 0, "create by replace");
	CHECK_INT(fs_replace_at(dfd, "f", "newer", 5, 0600), 0, "replace");
	CHECK_INT(fs_read_file_at(dfd, "f", 100, &buf, &len), 0, "read back");
	CHECK_STR(buf, "newer", "content replaced whole");
	free(buf);
	CHECK_INT(fstatat(dfd, ".f.new", &st, 0), -1, "no temporary file left");
	CHECK_INT(fstatat(dfd, "f", &st, 0), 0, "stat");
	CHECK_INT(st.st_mode & 07777, 0600, "mode as asked");
	CHECK_INT(fs_read_file_at(dfd, "f", 4, &buf, &len), -EFBIG, "read over the cap refused");
	CHECK_INT(fs_read_file_at(dfd, "missing", 4, &buf, &len), -ENOENT, "missing file");
	CHECK_INT(fs_replace_at(dfd, "no/such/dir", "x", 1, 0600), -ENOENT,
		  "replace into a missing folder fails cleanly");

	(void)unlinkat(dfd, "f", 0);
	close(dfd);
	rmdir(dir);
	return tap_done();
}

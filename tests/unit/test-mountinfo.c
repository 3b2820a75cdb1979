/* SPDX-License-Identifier: MIT */
/*
 * test-mountinfo.c - the mountinfo parser: fields, optional fields, escapes, malformed lines
 * (with their line numbers), option lookup, and escape/unescape round trips.
 */
#include <errno.h>
#include <string.h>

#include "mountinfo.h"
#include "tap.h"

static const struct {
	const char *line;
	unsigned int id, parent, major, minor;
	const char *root, *mnt, *opts, *type, *source, *sopts;
} good[] = {
	{ "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue", 36, 35,
	  98, 0, "/mnt1", "/mnt2", "rw,noatime", "ext3", "/dev/root", "rw,errors=continue" },
	{ "1 0 8:1 / / rw - ext4 /dev/sda1 rw", 1, 0, 8, 1, "/", "/", "rw", "ext4", "/dev/sda1",
	  "rw" },
	{ "5 1 0:5 / /a\\040b rw shared:2 master:3 propagate_from:4 - tmpfs none rw", 5, 1, 0, 5,
	  "/", "/a b", "rw", "tmpfs", "none", "rw" },
	{ "7 1 259:1000 /x\\134y /m\\011n\\012o ro - xfs /dev/nvme0n1p1 ro", 7, 1, 259, 1000,
	  "/x\\y", "/m\tn\no", "ro", "xfs", "/dev/nvme0n1p1", "ro" },
	{ "8 1 0:40 / /f rw - fuse.sshfs u@h:/p rw", 8, 1, 0, 40, "/", "/f", "rw", "fuse.sshfs",
	  "u@h:/p", "rw" },
};

static const struct {
	const char *text;
	int err;
	unsigned int line;
} bad[] = {
	{ "", 0, 0 },
	{ "1 0 8:1 / / rw ext4 /dev/sda1 rw\n", -EINVAL, 1 }, /* no "-" */
	{ "1 0 8:1 / / rw - ext4 /dev/sda1 rw\nx 0 8:1 / / rw - ext4 s o\n", -EINVAL, 2 },
	{ "1 0 81 / / rw - ext4 s o\n", -EINVAL, 1 },
	{ "1 0 8:1 / / rw - ext4 s\n", -EINVAL, 1 },
	{ "1 0 8:1 / / rw - ext4 s o extra\n", -EINVAL, 1 },
	{ "1 0 8:1 rel / rw - ext4 s o\n", -EINVAL, 1 },
	{ "1 0 8:1 / / rw -\n", -EINVAL, 1 },
	{ "1 0 :1 / / rw - ext4 s o\n", -EINVAL, 1 },
	{ "1 0 8:99999999999 / / rw - ext4 s o\n", -EINVAL, 1 },
};

int main(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		struct mountinfo m;
		int r = mountinfo_parse(good[i].line, strlen(good[i].line), &m, NULL);

		if (!CHECK_INT(r, 0, "good %zu parses", i) || !CHECK_INT(m.n, 1, "one entry"))
			continue;
		CHECK(m.e[0].id == good[i].id && m.e[0].parent == good[i].parent &&
			      m.e[0].major == good[i].major && m.e[0].minor == good[i].minor,
		      "good %zu numbers", i);
		CHECK_STR(m.e[0].root, good[i].root, "good %zu root", i);
		CHECK_STR(m.e[0].mountpoint, good[i].mnt, "good %zu mount point", i);
		CHECK_STR(m.e[0].mount_opts, good[i].opts, "good %zu options", i);
		CHECK_STR(m.e[0].fstype, good[i].type, "good %zu type", i);
		CHECK_STR(m.e[0].source, good[i].source, "good %zu source", i);
		CHECK_STR(m.e[0].super_opts, good[i].sopts, "good %zu super options", i);
		mountinfo_free(&m);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct mountinfo m;
		unsigned int line = 0;
		int r = mountinfo_parse(bad[i].text, strlen(bad[i].text), &m, &line);

		CHECK_INT(r, bad[i].err, "bad %zu: error", i);
		CHECK_INT(line, bad[i].line, "bad %zu: line number", i);
		CHECK(r == 0 || (m.n == 0 && m.e == NULL), "bad %zu: nothing handed out", i);
		mountinfo_free(&m);
	}
	{
		const char *t = "1 0 8:1 / / rw - ext4 a o\n\n2 1 8:2 / /b rw - xfs b o\n";
		struct mountinfo m;

		CHECK_INT(mountinfo_parse(t, strlen(t), &m, NULL), 0, "two lines, blank between");
		CHECK_INT(m.n, 2, "two entries");
		CHECK_INT(m.n == 2 ? m.e[1].line : 0, 3, "line numbers count blank lines");
		mountinfo_free(&m);
	}
	CHECK(mountinfo_has_opt("rw,ro,x", "ro"), "has ro");
	CHECK(!mountinfo_has_opt("rw,rox,xro", "ro"), "no partial match");
	CHECK(!mountinfo_has_opt("", "ro"), "empty options");
	CHECK(mountinfo_has_opt("ro", "ro"), "single option");
	{
		char out[64], copy[64];

		CHECK_INT(mountinfo_escape("/a b\\c\td\ne", out, sizeof(out)), 0, "escape");
		CHECK_STR(out, "/a\\040b\\134c\\011d\\012e", "escaped like the kernel");
		memcpy(copy, out, sizeof(out));
		mountinfo_unescape(copy);
		CHECK_STR(copy, "/a b\\c\td\ne", "round trip");
		CHECK_INT(mountinfo_escape("/a b", out, 5), -ENAMETOOLONG, "too small");
		memcpy(copy, "/x\\000y\\8", 10);
		mountinfo_unescape(copy);
		CHECK_STR(copy, "/x\\000y\\8", "NUL and non-octal escapes kept as written");
	}
	return tap_done();
}

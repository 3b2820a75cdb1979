/* SPDX-License-Identifier: MIT */
/*
 * mountinfo.h - parser for /proc/<pid>/mountinfo (proc(5)):
 *
 *   36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
 *   id parent maj:min root mount-point mount-options [optional fields...] - type source
 * super-options
 *
 * The octal escapes the kernel writes for blanks, newlines and backslashes (\040 \011 \012
 * \134) are decoded.  Entries are kept in file order, which is the order of mounting.
 *
 * Ownership: mountinfo_parse() copies the text once; every string of every entry points into
 * that copy and lives until mountinfo_free().
 */
#ifndef HVGUEST_MOUNTINFO_H
#define HVGUEST_MOUNTINFO_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

#define MOUNTINFO_ENTRIES_MAX 65536       /* more mounts than this is refused */
#define MOUNTINFO_FILE_MAX    (16u << 20) /* bytes */

struct mountinfo_entry {
	unsigned int id, parent;
	unsigned int major, minor;
	const char *root;       /* path inside the filesystem that is mounted here */
	const char *mountpoint; /* decoded */
	const char *mount_opts; /* per-mount options, e.g. "rw,relatime" */
	const char *fstype;     /* e.g. "ext4", "fuse.sshfs" */
	const char *source;     /* decoded; "none" when the kernel shows none */
	const char *super_opts; /* per-superblock options */
	unsigned int line;      /* 1-based line in the text */
};

struct mountinfo {
	struct mountinfo_entry *e;
	size_t n;
	char *text; /* owned copy the strings point into */
};

/*
 * Parse 'len' bytes of mountinfo text.  -EINVAL for a malformed line (its number goes to
 * *ret_bad_line when that is not NULL), -E2BIG past MOUNTINFO_ENTRIES_MAX, -ENOMEM.  On
 * failure *ret is left empty.
 */
int mountinfo_parse(const char *text, size_t len, struct mountinfo *ret,
		    unsigned int *ret_bad_line) WARN_UNUSED;
/* Read and parse a file (normally /proc/self/mountinfo). */
int mountinfo_read(const char *path, struct mountinfo *ret, unsigned int *ret_bad_line) WARN_UNUSED;
void mountinfo_free(struct mountinfo *m);

/* True when the comma-separated 'opts' holds exactly 'opt' (e.g. "ro"). */
bool mountinfo_has_opt(const char *opts, const char *opt);

/*
 * Write 's' into 'out' with blanks, newlines and backslashes escaped the way the kernel
 * escapes them.  Returns 0 or -ENAMETOOLONG.
 */
int mountinfo_escape(const char *s, char *out, size_t size) WARN_UNUSED;
/* Decode octal escapes of 's' in place. */
void mountinfo_unescape(char *s);

#endif /* HVGUEST_MOUNTINFO_H */

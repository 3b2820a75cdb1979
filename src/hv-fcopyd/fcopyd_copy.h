/* SPDX-License-Identifier: MIT */
/*
 * fcopyd_copy.h - one host-to-guest file copy at a time, written safely.
 *
 * START resolves the destination folder without following a symbolic link anywhere (openat2
 * with RESOLVE_NO_SYMLINKS, or a component-by-component O_NOFOLLOW walk), checks the policy
 * (allowed folders, maximum size), and creates a temporary file beside the target.  WRITE
 * puts data into it, never beyond the size the host announced; contiguous writes are gathered
 * into FCOPYD_WBUF_SIZE bytes before one pwrite(), so a write error (ENOSPC) may be reported
 * on a later WRITE or on COMPLETE rather than on the WRITE whose data hit it.  COMPLETE checks that
 * every announced byte arrived, fsyncs, renames over the target (only with the overwrite flag) and
 * fsyncs the folder.  CANCEL, and fcopyd_abort() on any error, timeout or vanished host,
 * remove the temporary file, so a failed copy leaves nothing behind.
 *
 * Every function returns the HRESULT to send to the host and, on failure, writes the reason
 * into the session's 'why' for the caller to log.  Nothing here logs.
 */
#ifndef FCOPYD_COPY_H
#define FCOPYD_COPY_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "fcopyd_wire.h"

#define FCOPYD_ALLOW_MAX    64
#define FCOPYD_DEFAULT_MODE 0644
#define FCOPYD_DIR_MODE     0755

/* HRESULTs beyond PROTOCOL.md 4.4 that give the host a precise reason (Win32 codes). */
#define FCOPYD_E_PATH_NOT_FOUND 0x80070003u /* ERROR_PATH_NOT_FOUND */
#define FCOPYD_E_ACCESS_DENIED  0x80070005u /* E_ACCESSDENIED */
#define FCOPYD_E_NAME_TOO_LONG  0x800700ceu /* ERROR_FILENAME_EXCED_RANGE */

struct fcopyd_policy {
	char *allow[FCOPYD_ALLOW_MAX]; /* normalised absolute folders; none = everything */
	size_t nallow;
	bool set_uid, set_gid;
	uid_t uid;
	gid_t gid;
	mode_t mode;       /* of new files; FCOPYD_DEFAULT_MODE */
	uint64_t max_size; /* bytes per file; 0 = no limit */
	bool no_openat2;   /* always walk component by component */
};

/* Contiguous writes are gathered into this many bytes before one pwrite(). */
#define FCOPYD_WBUF_SIZE (256u * 1024)
/*
 * Write-back to the disk is started for every this many bytes written, not left to fsync;
 * the step before the last one is then waited for and dropped from the page cache, so a copy
 * keeps at most about three steps of the file in memory.
 */
#define FCOPYD_SYNC_STEP (8u << 20)

struct fcopyd_session {
	bool active;
	int dirfd;        /* O_PATH descriptor of the destination folder */
	int fd;           /* the temporary file */
	uint8_t *wbuf;    /* FCOPYD_WBUF_SIZE bytes while a copy is open, or NULL (write-through) */
	size_t wb_len;    /* bytes waiting in wbuf */
	uint64_t wb_off;  /* file offset of wbuf[0] */
	uint64_t synced;  /* write-back started for the bytes below this offset */
	uint64_t lag;     /* where the write-back started one step earlier began */
	uint64_t settled; /* below this: on the disk and dropped from the page cache */
	uint32_t flags;
	uint64_t size; /* announced by the host */
	uint64_t end;  /* highest byte written + 1 */
	char name[FCOPYD_UTF8_MAX];
	char tmpname[64];
	char target[2 * FCOPYD_UTF8_MAX + 2]; /* "path/name", for messages */
	char why[256];                        /* reason of the last failure */
};

void fcopyd_session_init(struct fcopyd_session *s);

/* Add an allowed folder (absolute; normalised here).  -EINVAL, -E2BIG, -ENOMEM. */
int fcopyd_policy_allow(struct fcopyd_policy *p, const char *dir) WARN_UNUSED;
void fcopyd_policy_init(struct fcopyd_policy *p);
void fcopyd_policy_release(struct fcopyd_policy *p);

uint32_t fcopyd_start(struct fcopyd_session *s, const struct fcopyd_policy *p, const char *path,
		      const char *name, uint32_t flags, uint64_t size);
uint32_t fcopyd_write(struct fcopyd_session *s, uint64_t offset, const void *data, size_t len);
uint32_t fcopyd_complete(struct fcopyd_session *s);
uint32_t fcopyd_cancel(struct fcopyd_session *s);

/* Give up the copy in progress (if any) and remove its temporary file. */
void fcopyd_abort(struct fcopyd_session *s);

/* The HRESULT for a negative errno. */
uint32_t fcopyd_status_of(int err);

#endif /* FCOPYD_COPY_H */

/* SPDX-License-Identifier: MIT */
/*
 * kvpool.h - the five KVP pool files of a state directory (/var/lib/hyperv/.kvp_pool_0..4),
 * held in memory with a hash index and kept byte-compatible with the reference daemon, the
 * Microsoft samples, cloud-init, azure-init and the Azure agent.  docs/pool-format.md has the
 * on-disk format, the journal and what a reader without a lock can see.
 *
 * Format: each file is a flat array of 2,560-byte records (512-byte key field, 2,048-byte
 * value field, UTF-8, NUL-terminated, zero-filled after the string).  A trailing partial
 * record is ignored (and overwritten by the next append).  A record whose key or value field
 * has no NUL, or whose key is empty (a hole of zeros), is "damaged": it stays on disk
 * untouched but GET, ENUMERATE and the counts do not show it.  Duplicate keys are kept; GET answers
 * the first match in file order, SET overwrites the first match, DELETE removes the first match.
 *
 * Ownership: kvpool_open() hands out a handle that only kvpool_close() releases.  Keys and
 * values passed in are copied.  Every const char * handed out (kvpool_get, kvpool_record_at,
 * the kvpool_enumerate callback) points into the handle's memory and stays valid only until
 * the next call on the same handle.  kvpool_get_joined() returns a heap string the caller
 * frees.
 *
 * Errors: int functions return 0 (or a count) on success and a negative errno on failure;
 * nothing here logs or exits.  Bad pool numbers give -EINVAL.  A file that is damaged or
 * over a limit never makes an operation on another pool fail.
 *
 * Locking: every change, and every read that finds the pool changed, takes, in this order,
 * flock(LOCK_EX) (cloud-init and azure-init use flock) and an fcntl write lock on the whole file
 * (an open-file-description lock, which conflicts with the classic fcntl locks of the reference
 * daemon and the samples) and holds both for the whole read-check-modify-write.  A read-only handle
 * takes LOCK_SH and a read lock.  A handle is not thread-safe: one per thread, or lock around it.
 *
 * Freshness: before every operation the pool file is checked (path inode, size, mtime and
 * ctime in nanoseconds, and the journal's generation counter, which every writer using this
 * library bumps).  The file is re-read only when one of those changed, so appends by
 * cloud-init, a truncation, a deletion (the file is re-created empty) or a change made by
 * another process using this library are all picked up.  An inotify watch on the directory
 * lets an operation skip the check (and a read the locks) when no pool file or journal event
 * came since the last check.
 *
 * Durability: an operation returns only after its change is written to the file.  Unless the
 * handle was opened with KVPOOL_NOSYNC, it is also on stable storage (fdatasync) before the
 * call returns.  Changes are written in place (one record per pwrite, or one truncation)
 * under a per-pool journal (.kvp_journal_N), so a crash at any instant leaves every pool
 * loadable with every acknowledged change in it.  An I/O error after the journal entry was
 * stored can still let the change take effect at the next operation, as after a crash: after
 * an error the pool holds either the old or the new state, never a broken one.
 */
#ifndef HVGUEST_KVPOOL_H
#define HVGUEST_KVPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define KVPOOL_DEFAULT_DIR "/var/lib/hyperv"
#define KVPOOL_COUNT       5 /* pools 0..4, as the reference daemon creates them */

/* On-disk record layout (HV_KVP_EXCHANGE_MAX_KEY_SIZE / _VALUE_SIZE). */
#define KVPOOL_KEY_FIELD   512
#define KVPOOL_VALUE_FIELD 2048
#define KVPOOL_RECORD_SIZE (KVPOOL_KEY_FIELD + KVPOOL_VALUE_FIELD)
#define KVPOOL_KEY_MAX     (KVPOOL_KEY_FIELD - 1)   /* bytes, NUL excluded */
#define KVPOOL_VALUE_MAX   (KVPOOL_VALUE_FIELD - 1) /* bytes, NUL excluded */

/*
 * Per-pool caps (the host or a foreign writer cannot grow a pool past these).  A SET that
 * would pass either gives -ENOSPC; a file found holding more records than
 * KVPOOL_RECORDS_MAX, or more than KVPOOL_BYTES_MAX bytes of key and value text, gives
 * -EFBIG for operations on that pool and is left untouched.
 */
#define KVPOOL_RECORDS_MAX 10240
#define KVPOOL_BYTES_MAX   (2u * 1024 * 1024) /* sum of key + value string lengths */

/*
 * What the host really accepts guest to host: the kernel converts UTF-8 to UTF-16 with room
 * for 254 key units and 1,022 value units (PROTOCOL.md 5.1, USERS.md 3.1).  In bytes of
 * ASCII that is 254 and 1,022.  Host to guest it is 255 and 1,023.
 */
#define KVPOOL_HOST_KEY_MAX   254
#define KVPOOL_HOST_VALUE_MAX 1022

/* Split values: "key.0", "key.1", ...; at most this many parts are joined. */
#define KVPOOL_SPLIT_PARTS_MAX 256

enum {
	KVPOOL_NOSYNC = 1u << 0,   /* skip fdatasync before an operation returns */
	KVPOOL_READONLY = 1u << 1, /* never create or write; shared locks */
};

struct kvpool; /* opaque: the five pools of one state directory */

struct kvpool_record {
	const char *key;
	const char *value;
};

/* Counters for tests and benchmarks. */
struct kvpool_stats {
	uint64_t loads;           /* whole-file reads */
	uint64_t record_writes;   /* records written in place or appended */
	uint64_t rewrites;        /* whole-file replacements (write, fsync, rename) */
	uint64_t journal_replays; /* interrupted changes completed from the journal */
	size_t records;           /* records on disk, damaged ones included */
	size_t damaged;           /* records with no NUL in a field */
	size_t bytes;             /* key + value text of the readable records */
};

/*
 * Open the pools of 'state_dir' (KVPOOL_DEFAULT_DIR when NULL).  Unless KVPOOL_READONLY is
 * set, the directory (0755), all five pool files (0644) and their journals
 * (.kvp_journal_N, with the pool file's mode) are created when missing; existing files keep
 * their permissions.  A read-only handle creates nothing, treats a missing pool file as an
 * empty pool, and shows a change a crashed writer left in the journal without writing it.  Pools
 * are loaded lazily on first use.  Returns 0 and sets *ret_kp, or a negative errno (a read-only
 * open of a missing directory: -ENOENT).
 */
int kvpool_open(const char *state_dir, unsigned int flags, struct kvpool **ret_kp) WARN_UNUSED;

/* Release everything; accepts NULL, returns NULL.  Writes nothing (all writes are done). */
struct kvpool *kvpool_close(struct kvpool *kp);

/*
 * Look up the first record with 'key'.  0 and *ret_value (valid until the next call on
 * 'kp'), -ENOENT when absent (also for a key too long to be stored), -EINVAL for a bad pool
 * or a NULL key, -EFBIG for a pool file over a limit.
 */
int kvpool_get(struct kvpool *kp, unsigned int pool, const char *key,
	       const char **ret_value) WARN_UNUSED;

/*
 * Insert or overwrite (first match) 'key' = 'value'.  -EINVAL for an empty key or bad pool,
 * -ENAMETOOLONG for a key over KVPOOL_KEY_MAX bytes, -EMSGSIZE for a value over
 * KVPOOL_VALUE_MAX, -ENOSPC past KVPOOL_RECORDS_MAX or KVPOOL_BYTES_MAX, -EROFS on a
 * read-only handle, or an I/O error.  Setting the value a key already has writes nothing.
 */
int kvpool_set(struct kvpool *kp, unsigned int pool, const char *key,
	       const char *value) WARN_UNUSED;

/* Remove the first record with 'key'.  0, -ENOENT when absent, or as kvpool_set. */
int kvpool_delete(struct kvpool *kp, unsigned int pool, const char *key) WARN_UNUSED;

/* The number of readable records of 'pool' (damaged ones not counted). */
int kvpool_count(struct kvpool *kp, unsigned int pool, size_t *ret_count) WARN_UNUSED;

/*
 * The readable record number 'index' in file order (the daemon's ENUMERATE).  -ENOENT when
 * 'index' is past the end.  O(1) unless the pool holds damaged records.
 */
int kvpool_record_at(struct kvpool *kp, unsigned int pool, size_t index,
		     struct kvpool_record *ret_record) WARN_UNUSED;

/*
 * Call 'fn' for each readable record in file order, duplicates included.  A non-zero return
 * from 'fn' stops the walk and is returned.  'fn' must not call into 'kp'.
 */
typedef int kvpool_visit_fn(const struct kvpool_record *rec, void *userdata);
int kvpool_enumerate(struct kvpool *kp, unsigned int pool, kvpool_visit_fn *fn,
		     void *userdata) WARN_UNUSED;

/*
 * Empty 'pool' (truncate to zero bytes under both locks), for image preparation.  The
 * journal of the pool is cleared too.
 */
int kvpool_scrub(struct kvpool *kp, unsigned int pool) WARN_UNUSED;

/*
 * Check 'pool' against its file now and re-read it if it changed.  Returns 1 when it was
 * re-read, 0 when it was current.
 */
int kvpool_refresh(struct kvpool *kp, unsigned int pool) WARN_UNUSED;

/*
 * The value of 'key', or, when 'key' itself is absent, the values of "key.0", "key.1", ...
 * joined in order up to the first missing part (at most KVPOOL_SPLIT_PARTS_MAX parts).
 * 0 and a new heap string in *ret_value (the caller frees it); -ENOENT when neither 'key'
 * nor "key.0" exists.
 */
int kvpool_get_joined(struct kvpool *kp, unsigned int pool, const char *key,
		      char **ret_value) WARN_UNUSED;

/*
 * Whether the host can read 'key' and 'value' guest to host: valid UTF-8 (-EILSEQ), key of
 * 1..KVPOOL_HOST_KEY_MAX UTF-16 units (-EINVAL when empty, -ENAMETOOLONG), value of at most
 * KVPOOL_HOST_VALUE_MAX units (-EMSGSIZE).  'value' may be NULL to check a key only.
 */
int kvpool_host_check(const char *key, const char *value) WARN_UNUSED;

/* The number of UTF-16 code units of the UTF-8 string 's', or -EILSEQ if it is not UTF-8. */
long kvpool_utf16_units(const char *s);

int kvpool_stats(struct kvpool *kp, unsigned int pool, struct kvpool_stats *ret_stats) WARN_UNUSED;

/* The file name of pool 'pool' (".kvp_pool_N") in 'buf' of at least 16 bytes. */
int kvpool_file_name(unsigned int pool, char *buf, size_t size) WARN_UNUSED;

/* The state directory of 'kp' (as given, or the default). */
const char *kvpool_dir(const struct kvpool *kp);

#endif /* HVGUEST_KVPOOL_H */

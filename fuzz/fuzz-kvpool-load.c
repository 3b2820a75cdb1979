/* SPDX-License-Identifier: MIT */
/*
 * fuzz-kvpool-load.c - the pool-file loader (lib/kvpool) on arbitrary file contents.  The
 * first byte picks what the rest is: bit 0 set means the next 2,616 bytes are the pool's
 * journal (so a pending entry is replayed) and the remainder is the pool file; otherwise all
 * of it is the pool file.  Every record is then read back through GET, ENUMERATE and
 * record_at, and one SET and one DELETE run on the loaded pool.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs.h"
#include "kvpool.h"

#define JOURNAL_BYTES (56 + KVPOOL_RECORD_SIZE)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];

static int write_file(const char *name, const uint8_t *buf, size_t len)
{
	char path[128];
	int fd, r;

	(void)snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	r = fs_write_all(fd, buf, len);
	close(fd);
	return r;
}

/* Remove the scratch directory when the fuzzer or the replay exits. */
static void cleanup(void)
{
	static const char *const names[] = { ".kvp_pool_0",    ".kvp_pool_1",    ".kvp_pool_2",
					     ".kvp_pool_3",    ".kvp_pool_4",    ".kvp_journal_0",
					     ".kvp_journal_1", ".kvp_journal_2", ".kvp_journal_3",
					     ".kvp_journal_4" };
	char path[128];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		(void)snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		(void)unlink(path);
	}
	(void)rmdir(dir);
}

static int visit(const struct kvpool_record *rec, void *userdata)
{
	size_t *n = userdata;

	*n += strlen(rec->key) + strlen(rec->value);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kvpool *kp = NULL;
	struct kvpool_record rec;
	size_t count = 0, bytes = 0;
	const char *v;

	if (dir[0] == '\0') {
		(void)snprintf(dir, sizeof(dir), "/tmp/fuzz-kvpool.%d", (int)getpid());
		(void)mkdir(dir, 0700);
		atexit(cleanup);
	}
	if (size > 0 && (data[0] & 1) && size > JOURNAL_BYTES) {
		if (write_file(".kvp_journal_1", data + 1, JOURNAL_BYTES) < 0)
			return 0;
		data += 1 + JOURNAL_BYTES;
		size -= 1 + JOURNAL_BYTES;
	} else {
		if (write_file(".kvp_journal_1", data, 0) < 0)
			return 0;
		if (size > 0) {
			data++;
			size--;
		}
	}
	if (write_file(".kvp_pool_1", data, size) < 0)
		return 0;
	if (kvpool_open(dir, KVPOOL_NOSYNC, &kp) < 0)
		return 0;
	if (kvpool_count(kp, 1, &count) == 0) {
		int r = kvpool_enumerate(kp, 1, visit, &bytes);

		if (r < 0)
			goto out;
		for (size_t i = 0; i < count; i++) {
			char key[KVPOOL_KEY_FIELD];

			if (kvpool_record_at(kp, 1, i, &rec) < 0)
				abort(); /* every counted record must be reachable */
			(void)snprintf(key, sizeof(key), "%s", rec.key);
			if (key[0] != '\0' && kvpool_get(kp, 1, key, &v) < 0)
				abort(); /* and findable by its key */
		}
		r = kvpool_set(kp, 1, "fuzz", "value");
		if (r < 0 && r != -ENOSPC)
			abort(); /* a loaded pool takes a SET unless it is full */
		if (count > 0 && kvpool_record_at(kp, 1, 0, &rec) == 0) {
			char key[KVPOOL_KEY_FIELD];

			(void)snprintf(key, sizeof(key), "%s", rec.key);
			if (key[0] != '\0' && kvpool_delete(kp, 1, key) < 0)
				abort(); /* a key just read back can be deleted */
		}
	}
out:
	kvpool_close(kp);
	return 0;
}

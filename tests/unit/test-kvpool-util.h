/* SPDX-License-Identifier: MIT */
/*
 * test-kvpool-util.h - helpers shared by the kvpool unit tests: temporary state directories,
 * raw record appends the way cloud-init does them, and an independent reader of pool files
 * (the way the Azure agent reads them: 512 + 2,048 bytes a step, cut at the first NUL).
 */
#ifndef HVGUEST_KVPOOL_TESTUTIL_H
#define HVGUEST_KVPOOL_TESTUTIL_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs.h"
#include "kvpool.h"

static inline char *tu_tmpdir(void)
{
	char tmpl[] = "/tmp/test-kvpool.XXXXXX";
	char *d = mkdtemp(tmpl);

	return d ? strdup(d) : NULL;
}

static inline void tu_rmdir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char path[4096];

		if (streq(e->d_name, ".") || streq(e->d_name, ".."))
			continue;
		(void)snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		(void)unlink(path);
	}
	closedir(d);
	(void)rmdir(dir);
}

static inline void tu_pool_path(const char *dir, unsigned int pool, char *buf, size_t size)
{
	(void)snprintf(buf, size, "%s/.kvp_pool_%u", dir, pool);
}

/* Build one record the way cloud-init's struct.pack("512s2048s") does. */
static inline void tu_record(unsigned char *rec, const char *key, const char *value)
{
	memset(rec, 0, KVPOOL_RECORD_SIZE);
	memcpy(rec, key, strlen(key));
	memcpy(rec + KVPOOL_KEY_FIELD, value, strlen(value));
}

/* Append a record under flock(LOCK_EX) with O_APPEND, as cloud-init and azure-init do. */
static inline int tu_append(const char *dir, unsigned int pool, const char *key, const char *value)
{
	unsigned char rec[KVPOOL_RECORD_SIZE];
	char path[4096];
	int fd, r;

	tu_pool_path(dir, pool, path, sizeof(path));
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	tu_record(rec, key, value);
	r = fs_write_all(fd, rec, sizeof(rec));
	close(fd);
	return r;
}

/* Read the whole pool file; *ret_len 0 and NULL when absent. */
static inline unsigned char *tu_slurp(const char *dir, unsigned int pool, size_t *ret_len)
{
	char path[4096], *buf = NULL;
	size_t len = 0;

	tu_pool_path(dir, pool, path, sizeof(path));
	if (fs_read_file_at(AT_FDCWD, path, 64u << 20, &buf, &len) < 0) {
		*ret_len = 0;
		return NULL;
	}
	*ret_len = len;
	return (unsigned char *)buf;
}

/*
 * The Azure agent's reader (azurelinuxagent/common/rdma.py): read 512 then 2,048 bytes until
 * one of them is empty, cut both at the first NUL, first match wins.  Returns 1 and copies
 * the value when 'key' is found, 0 when not.
 */
static inline int tu_agent_lookup(const char *dir, const char *key, char *value, size_t size)
{
	char path[4096], k[KVPOOL_KEY_FIELD + 1], v[KVPOOL_VALUE_FIELD + 1];
	FILE *f;

	tu_pool_path(dir, 0, path, sizeof(path));
	f = fopen(path, "rb");
	if (!f)
		return 0;
	for (;;) {
		size_t kn = fread(k, 1, KVPOOL_KEY_FIELD, f);
		size_t vn = fread(v, 1, KVPOOL_VALUE_FIELD, f);

		if (kn == 0 || vn == 0)
			break;
		k[kn] = '\0';
		v[vn] = '\0';
		if (streq(k, key)) {
			(void)snprintf(value, size, "%s", v);
			fclose(f);
			return 1;
		}
	}
	fclose(f);
	return 0;
}

#endif /* HVGUEST_KVPOOL_TESTUTIL_H */

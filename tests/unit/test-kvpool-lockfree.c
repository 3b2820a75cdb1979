/* SPDX-License-Identifier: MIT */
/*
 * test-kvpool-lockfree.c - what a reader that takes no lock sees (the Azure agent reads pool 0
 * this way): while a child process overwrites, appends and deletes records through the
 * library, the parent reads the raw file over and over, 512 + 2,048 bytes a step as the agent
 * does.  It must never find the pool empty, never miss one of the records nobody touches,
 * and never find stale bytes after a NUL; a record in flux may be torn (docs/pool-format.md
 * section 6), so only the untouched records are checked for their values.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kvpool.h"
#include "tap.h"
#include "test-kvpool-util.h"

#define STABLE 20
#define READS  3000

static void __attribute__((noreturn)) writer(const char *dir)
{
	struct kvpool *kp = NULL;

	if (kvpool_open(dir, KVPOOL_NOSYNC, &kp) < 0)
		_exit(2);
	for (unsigned int i = 0;; i++) {
		char key[32], value[64];

		(void)snprintf(key, sizeof(key), "moving-%u", i % 7);
		(void)snprintf(value, sizeof(value), "%0*u", (int)(i % 50) + 1, i);
		int r = i % 3 == 2 ? kvpool_delete(kp, 0, key) : kvpool_set(kp, 0, key, value);

		if (r < 0 && r != -ENOENT)
			_exit(3);
	}
}

int main(void)
{
	char *dir = tu_tmpdir(), path[4096];
	unsigned int empty = 0, missing = 0, stale = 0, wrong = 0, reads = 0;
	struct kvpool *kp = NULL;
	pid_t pid;
	int status;

	CHECK_INT(kvpool_open(dir, KVPOOL_NOSYNC, &kp), 0, "open");
	for (unsigned int i = 0; i < STABLE; i++) {
		char key[32], value[32];

		(void)snprintf(key, sizeof(key), "stable-%u", i);
		(void)snprintf(value, sizeof(value), "value-%u", i);
		CHECK_INT(kvpool_set(kp, 0, key, value), 0, "set %s", key);
	}
	kvpool_close(kp);
	tu_pool_path(dir, 0, path, sizeof(path));

	pid = fork();
	if (pid == 0)
		writer(dir);
	for (; reads < READS; reads++) {
		unsigned char rec[KVPOOL_RECORD_SIZE];
		unsigned int seen = 0, records = 0;
		FILE *f = fopen(path, "rb");

		if (!f) {
			empty++;
			continue;
		}
		while (fread(rec, 1, KVPOOL_KEY_FIELD, f) == KVPOOL_KEY_FIELD &&
		       fread(rec + KVPOOL_KEY_FIELD, 1, KVPOOL_VALUE_FIELD, f) ==
			       KVPOOL_VALUE_FIELD) {
			const char *k = (const char *)rec,
				   *v = (const char *)rec + KVPOOL_KEY_FIELD;
			unsigned int n;

			records++;
			if (sscanf(k, "stable-%u", &n) == 1) {
				char want[32];

				(void)snprintf(want, sizeof(want), "value-%u", n);
				seen++;
				wrong += !streq(v, want);
			}
			if (strncmp(k, "stable-", 7) == 0) {
				/* an untouched record is exactly as written: zeros after each NUL
				 */
				for (size_t b = strlen(k); b < KVPOOL_KEY_FIELD; b++)
					stale += rec[b] != 0;
				for (size_t b = KVPOOL_KEY_FIELD + strlen(v);
				     b < KVPOOL_RECORD_SIZE; b++)
					stale += rec[b] != 0;
			}
		}
		fclose(f);
		empty += records == 0;
		/* a stable record moved by a delete can show up twice for a moment, never zero */
		missing += seen < STABLE;
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	CHECK(WIFSIGNALED(status), "the writer ran until it was stopped");
	CHECK_INT(empty, 0, "%u lock-free reads never found the pool empty", reads);
	CHECK_INT(missing, 0, "never missed an untouched record");
	CHECK_INT(wrong, 0, "untouched records always had their values");
	CHECK_INT(stale, 0, "no stale bytes after a NUL");
	tu_rmdir(dir);
	free(dir);
	return tap_done();
}

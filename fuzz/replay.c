/* SPDX-License-Identifier: MIT */
/*
 * replay.c - runs a fuzz target over every file of its corpus with the normal compiler, so
 * that "make check" replays every seed and every crash reproducer ever found.  Prints one TAP
 * point per file; a crash fails the whole run, which tests/run reports.
 */
#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fs.h"
#include "tap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void replay_file(const char *path)
{
	char *buf;
	size_t len;
	int r;

	r = fs_read_file_at(AT_FDCWD, path, 16u << 20, &buf, &len);
	if (!CHECK(r == 0, "read %s", path))
		return;
	(void)LLVMFuzzerTestOneInput((const uint8_t *)buf, len);
	free(buf);
	CHECK(1, "replay %s", path);
}

static void replay_dir(const char *dir)
{
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;
	DIR *d = opendir(dir);

	if (!CHECK(d != NULL, "open corpus %s", dir))
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **nn;

			cap = cap ? cap * 2 : 64;
			nn = realloc(names, cap * sizeof(*names));
			if (!nn)
				abort();
			names = nn;
		}
		if (asprintf(&names[n], "%s/%s", dir, de->d_name) < 0)
			abort();
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n; i++) {
		replay_file(names[i]);
		free(names[i]);
	}
	free(names);
}

int main(int argc, char *argv[])
{
	for (int i = 1; i < argc; i++) {
		struct stat st;

		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
			replay_dir(argv[i]);
		else
			replay_file(argv[i]);
	}
	return tap_done();
}

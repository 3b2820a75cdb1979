/* SPDX-License-Identifier: MIT */
/*
 * test-kvpool-bench.c - lib/kvpool against two baselines run in the same process:
 *   "reference": what tools/hv/hv_kvp_daemon does per operation: fcntl lock, read the whole
 *                file, linear first-match scan, and for SET truncate and rewrite the whole
 *                file (fopen "w");
 *   "rewrite":   pools in memory with a linear scan, every SET replaces the whole file
 *                atomically (write a temporary file, rename).
 * Without arguments it is a unit test: on a small pool the three give the same answers after
 * the same operations, so the benchmark compares like with like.  With --bench it prints
 * nanoseconds per GET and SET for pools of 1,000 and 10,000 records and the ratios
 * baseline / library (scripts/bench.d/20-kvpool.sh runs it that way).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fs.h"
#include "kvpool.h"
#include "tap.h"
#include "test-kvpool-util.h"

/* -- baseline 1: the reference daemon's cycle ---------------------------------------------- */

static int ref_lock(int fd, short type)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET };

	return fcntl(fd, F_SETLKW, &fl);
}

/* Read the whole file into *img (reallocated); returns the record count. */
static size_t ref_read(const char *path, unsigned char **img)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	struct stat st;
	size_t n = 0;

	if (fd < 0)
		return 0;
	(void)ref_lock(fd, F_WRLCK);
	if (fstat(fd, &st) == 0) {
		n = (size_t)st.st_size / KVPOOL_RECORD_SIZE;
		*img = realloc(*img, (n + 1) * KVPOOL_RECORD_SIZE);
		if (fs_read_full(fd, *img, n * KVPOOL_RECORD_SIZE) < 0)
			n = 0;
	}
	(void)ref_lock(fd, F_UNLCK);
	close(fd);
	return n;
}

static void ref_write(const char *path, const unsigned char *img, size_t n)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		return;
	(void)ref_lock(fd, F_WRLCK);
	if (fs_write_all(fd, img, n * KVPOOL_RECORD_SIZE) < 0)
		tap_diag("reference write failed");
	(void)ref_lock(fd, F_UNLCK);
	close(fd);
}

static size_t scan(const unsigned char *img, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (streq((const char *)img + i * KVPOOL_RECORD_SIZE, key))
			return i;
	return SIZE_MAX;
}

static int ref_get(const char *path, unsigned char **img, const char *key, char *out)
{
	size_t n = ref_read(path, img), i = scan(*img, n, key);

	if (i == SIZE_MAX)
		return -ENOENT;
	memcpy(out, *img + i * KVPOOL_RECORD_SIZE + KVPOOL_KEY_FIELD, KVPOOL_VALUE_FIELD);
	return 0;
}

static int ref_set(const char *path, unsigned char **img, const char *key, const char *value)
{
	size_t n = ref_read(path, img), i = scan(*img, n, key);

	if (i == SIZE_MAX)
		i = n++;
	tu_record(*img + i * KVPOOL_RECORD_SIZE, key, value);
	ref_write(path, *img, n);
	return 0;
}

/* -- baseline 2: in memory, whole-file atomic rewrite per SET ------------------------------- */

struct naive {
	char path[4096], tmp[4200];
	unsigned char *img;
	size_t n;
};

static int naive_get(const struct naive *b, const char *key, char *out)
{
	size_t i = scan(b->img, b->n, key);

	if (i == SIZE_MAX)
		return -ENOENT;
	memcpy(out, b->img + i * KVPOOL_RECORD_SIZE + KVPOOL_KEY_FIELD, KVPOOL_VALUE_FIELD);
	return 0;
}

static int naive_set(struct naive *b, const char *key, const char *value)
{
	size_t i = scan(b->img, b->n, key);
	int fd;

	if (i == SIZE_MAX) {
		b->img = realloc(b->img, (b->n + 1) * KVPOOL_RECORD_SIZE);
		i = b->n++;
	}
	tu_record(b->img + i * KVPOOL_RECORD_SIZE, key, value);
	fd = open(b->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (fs_write_all(fd, b->img, b->n * KVPOOL_RECORD_SIZE) < 0) {
		close(fd);
		return -EIO;
	}
	close(fd);
	return rename(b->tmp, b->path) < 0 ? -errno : 0;
}

/* -- driver ------------------------------------------------------------------------------ */

static unsigned int failures;

/* Report a failed operation (a few times, then only the count at the end). */
static void failed(const char *what)
{
	if (failures++ < 5)
		tap_diag("%s failed", what);
}

static uint64_t ns_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void key_of(unsigned int i, char *buf, size_t size)
{
	(void)snprintf(buf, size, "CLOUD_INIT|1700000000|start|event-%u|%08x", i, i * 2654435761u);
}

/* Write a pool of n records straight to the file (the same start for everybody). */
static void prefill(const char *dir, unsigned int pool, unsigned int n)
{
	unsigned char rec[KVPOOL_RECORD_SIZE];
	char path[4096], key[128], value[256];
	FILE *f;

	tu_pool_path(dir, pool, path, sizeof(path));
	f = fopen(path, "wb");
	for (unsigned int i = 0; i < n; i++) {
		key_of(i, key, sizeof(key));
		(void)snprintf(value, sizeof(value), "{\"name\":\"event-%u\",\"msg\":\"value %u\"}",
			       i, i);
		tu_record(rec, key, value);
		fwrite(rec, 1, sizeof(rec), f);
	}
	fclose(f);
}

struct result {
	double get_ns, set_ns;
};

static void bench_one(unsigned int n, struct result *lib, struct result *lib_sync,
		      struct result *ref, struct result *naive)
{
	char *dir = tu_tmpdir(), key[128], value[128], out[KVPOOL_VALUE_FIELD], path[4096];
	unsigned int ops = 4000, base_ops = n >= 10000 ? 40 : 300, seed = 7;
	struct kvpool *kp = NULL;
	unsigned char *img = NULL;
	struct naive nb = { 0 };
	const char *v;
	uint64_t t;
	size_t len;

	prefill(dir, 1, n);
	prefill(dir, 3, n);
	prefill(dir, 4, n);
	if (kvpool_open(dir, KVPOOL_NOSYNC, &kp) < 0)
		return;
	if (kvpool_get(kp, 1, "warm-up", &v) != -ENOENT) /* first load, not timed */
		tap_diag("unexpected warm-up key");
	t = ns_now();
	for (unsigned int i = 0; i < ops; i++) {
		key_of((unsigned int)rand_r(&seed) % n, key, sizeof(key));
		if (kvpool_get(kp, 1, key, &v) < 0)
			failed("library get");
	}
	lib->get_ns = (double)(ns_now() - t) / ops;
	t = ns_now();
	for (unsigned int i = 0; i < ops; i++) {
		key_of((unsigned int)rand_r(&seed) % n, key, sizeof(key));
		(void)snprintf(value, sizeof(value), "new value %u", i);
		if (kvpool_set(kp, 1, key, value) < 0)
			failed("library set");
	}
	lib->set_ns = (double)(ns_now() - t) / ops;
	kvpool_close(kp);

	/* The default: fdatasync before every SET returns. */
	if (kvpool_open(dir, 0, &kp) < 0)
		return;
	if (kvpool_get(kp, 4, "warm-up", &v) != -ENOENT)
		tap_diag("unexpected warm-up key");
	lib_sync->get_ns = 0;
	t = ns_now();
	for (unsigned int i = 0; i < base_ops; i++) {
		key_of((unsigned int)rand_r(&seed) % n, key, sizeof(key));
		(void)snprintf(value, sizeof(value), "synced value %u", i);
		if (kvpool_set(kp, 4, key, value) < 0)
			failed("library set");
	}
	lib_sync->set_ns = (double)(ns_now() - t) / base_ops;
	kvpool_close(kp);

	tu_pool_path(dir, 3, path, sizeof(path));
	t = ns_now();
	for (unsigned int i = 0; i < base_ops; i++) {
		key_of((unsigned int)rand_r(&seed) % n, key, sizeof(key));
		if (ref_get(path, &img, key, out) < 0)
			failed("reference get");
	}
	ref->get_ns = (double)(ns_now() - t) / base_ops;
	t = ns_now();
	for (unsigned int i = 0; i < base_ops; i++) {
		key_of((unsigned int)rand_r(&seed) % n, key, sizeof(key));
		(void)snprintf(value, sizeof(value), "new value %u", i);
		(void)ref_set(path, &img, key, value);
	}
	ref->set_ns = (double)(ns_now() - t) / base_ops;

	(void)snprintf(nb.path, sizeof(nb.path), "%s", path);
	(void)snprintf(nb.tmp, sizeof(nb.tmp), "%s.tmp", path);
	nb.img = tu_slurp(dir, 3, &len);
	nb.n = len / KVPOOL_RECORD_SIZE;
	t = ns_now();
	for (unsigned int i = 0; i < ops; i++) {
		key_of((unsigned int)rand_r(&seed) % n, key, sizeof(key));
		if (naive_get(&nb, key, out) < 0)
			failed("naive get");
	}
	naive->get_ns = (double)(ns_now() - t) / ops;
	t = ns_now();
	for (unsigned int i = 0; i < base_ops; i++) {
		key_of((unsigned int)rand_r(&seed) % n, key, sizeof(key));
		(void)snprintf(value, sizeof(value), "new value %u", i);
		(void)naive_set(&nb, key, value);
	}
	naive->set_ns = (double)(ns_now() - t) / base_ops;
	free(nb.img);
	free(img);
	tu_rmdir(dir);
	free(dir);
}

static int run_bench(void)
{
	static const unsigned int sizes[] = { 1000, 10000 };

	printf("kvpool: ns per operation (library without and with fdatasync; baselines never "
	       "sync)\n");
	printf("%-8s %-4s %12s %12s %12s %12s %10s %10s\n", "records", "op", "library", "lib+sync",
	       "reference", "rewrite", "ref/lib", "rewr/lib");
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct result lib, sync, ref, naive;

		bench_one(sizes[i], &lib, &sync, &ref, &naive);
		printf("%-8u %-4s %12.0f %12s %12.0f %12.0f %9.1fx %9.1fx\n", sizes[i], "GET",
		       lib.get_ns, "-", ref.get_ns, naive.get_ns, ref.get_ns / lib.get_ns,
		       naive.get_ns / lib.get_ns);
		printf("%-8u %-4s %12.0f %12.0f %12.0f %12.0f %9.1fx %9.1fx\n", sizes[i], "SET",
		       lib.set_ns, sync.set_ns, ref.set_ns, naive.set_ns, ref.set_ns / lib.set_ns,
		       naive.set_ns / lib.set_ns);
	}
	if (failures > 0)
		printf("kvpool: %u operations failed: the numbers above are not valid\n", failures);
	return failures > 0;
}

/* Unit-test mode: the three implementations agree, so the comparison is fair. */
static void test_agree(void)
{
	enum {
		N = 200,
		OPS = 400
	};
	char *dir = tu_tmpdir(), key[128], value[64], out[KVPOOL_VALUE_FIELD], path[4096];
	struct kvpool *kp = NULL;
	unsigned char *img = NULL;
	struct naive nb = { 0 };
	unsigned int seed = 99, bad = 0;
	size_t len;

	prefill(dir, 1, N);
	prefill(dir, 3, N);
	CHECK_INT(kvpool_open(dir, KVPOOL_NOSYNC, &kp), 0, "open");
	tu_pool_path(dir, 3, path, sizeof(path));
	(void)snprintf(nb.path, sizeof(nb.path), "%s/naive", dir);
	(void)snprintf(nb.tmp, sizeof(nb.tmp), "%s/naive.tmp", dir);
	nb.img = tu_slurp(dir, 3, &len);
	nb.n = len / KVPOOL_RECORD_SIZE;
	for (unsigned int i = 0; i < OPS; i++) {
		unsigned int k = (unsigned int)rand_r(&seed) % (N + 20);
		const char *v = NULL;
		int a, b, c;

		key_of(k, key, sizeof(key));
		if (i % 2) {
			(void)snprintf(value, sizeof(value), "v%u", i);
			a = kvpool_set(kp, 1, key, value);
			b = ref_set(path, &img, key, value);
			c = naive_set(&nb, key, value);
			bad += a != 0 || b != 0 || c != 0;
			continue;
		}
		a = kvpool_get(kp, 1, key, &v);
		b = ref_get(path, &img, key, out);
		if (a != b || (a == 0 && !streq(v, out)))
			bad++;
		c = naive_get(&nb, key, out);
		if (a != c || (a == 0 && !streq(v, out)))
			bad++;
	}
	CHECK_INT(bad, 0, "library, reference cycle and rewrite baseline agree on %d operations",
		  OPS);
	{
		size_t n1 = 0, n3 = 0;
		unsigned char *a1 = tu_slurp(dir, 1, &n1), *a3 = tu_slurp(dir, 3, &n3);

		CHECK(n1 == n3 && memcmp(a1, a3, n1) == 0,
		      "the library's file and the reference cycle's file are the same bytes");
		free(a1);
		free(a3);
	}
	kvpool_close(kp);
	free(img);
	free(nb.img);
	tu_rmdir(dir);
	free(dir);
}

int main(int argc, char *argv[])
{
	if (argc > 1 && streq(argv[1], "--bench"))
		return run_bench();
	test_agree();
	return tap_done();
}

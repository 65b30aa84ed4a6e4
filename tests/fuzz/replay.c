/* SPDX-License-Identifier: MIT */
/*
 * Plain driver for the fuzz targets, for builds without libFuzzer:
 *
 *   fuzz-replay [--target ept|npt|stage2] [--fork] [--open] [--all] PATH...
 *
 * runs every file given, and every file in every directory given, through
 * the target's engine and prints "N passed, N failed". With --fork each
 * input runs in a child process, so that one finding does not hide the
 * others. With --open the inputs are regressions of library bugs not fixed
 * yet: each is expected to fail, and one that passes is reported (the bug
 * was fixed: move the file out of open/). With --all the generators do not
 * steer around known open bugs (SLAT_FUZZ_ALL=1): for regression inputs.
 *
 * Built with AFL++'s afl-clang-fast (which defines __AFL_FUZZ_TESTCASE_LEN)
 * and -DFUZZ_TARGET, it is instead an AFL++ persistent-mode target reading
 * its input from shared memory.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz.h"

#define FZ_CAT_(a, b) a##b
#define FZ_CAT(a, b) FZ_CAT_(a, b)
#define FZ_STR_(a) #a
#define FZ_STR(a) FZ_STR_(a)

#ifdef __AFL_FUZZ_TESTCASE_LEN
#ifndef FUZZ_TARGET
#error "define FUZZ_TARGET for an AFL++ build"
#endif
__AFL_FUZZ_INIT();

int main(void)
{
	unsigned char *buf;

	fuzz_stats_register(FZ_STR(FUZZ_TARGET));
	__AFL_INIT();
	buf = __AFL_FUZZ_TESTCASE_BUF;
	while (__AFL_LOOP(10000))
		fuzz_run(&FZ_CAT(target_, FUZZ_TARGET), buf, (size_t)__AFL_FUZZ_TESTCASE_LEN);
	return 0;
}
#else

static const struct target *tg;
static int use_fork, open_mode;
static unsigned passed, failed, xfailed, xpassed;

static int run_one(const char *path)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	size_t n = 0, cap = 0;
	int status = 0;

	if (!f) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	for (;;) {
		size_t got;

		if (n == cap) {
			cap = cap ? cap * 2 : 4096;
			buf = realloc(buf, cap);
			if (!buf)
				abort();
		}
		got = fread(buf + n, 1, cap - n, f);
		if (!got)
			break;
		n += got;
	}
	fclose(f);
	if (use_fork) {
		pid_t pid;

		fflush(stdout);
		fflush(stderr);
		pid = fork();
		if (pid < 0) {
			perror("fork");
			exit(2);
		}
		if (pid == 0) {
			if (open_mode) {
				/* expected to fail: keep the report short */
				int fd = open("/dev/null", O_WRONLY);

				if (fd >= 0)
					dup2(fd, 2);
			}
			fuzz_run(tg, buf, n);
			exit(0); /* not _exit: coverage data is written at exit */
		}
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	} else {
		fuzz_run(tg, buf, n);
	}
	free(buf);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	return 1;
}

static void account(const char *path, int r)
{
	if (r < 0) {
		failed++;
		return;
	}
	if (open_mode) {
		if (r) {
			xfailed++;
		} else {
			xpassed++;
			printf("NOTE: %s (an open library bug) now passes: move it out of open/\n",
			       path);
		}
		return;
	}
	if (r) {
		failed++;
		printf("FAIL: %s\n", path);
	} else {
		passed++;
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run_path(const char *path)
{
	struct stat st;

	if (stat(path, &st)) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		failed++;
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		DIR *d = opendir(path);
		struct dirent *de;
		char **names = NULL;
		size_t n = 0, i;

		if (!d) {
			failed++;
			return;
		}
		while ((de = readdir(d))) {
			char *full;
			struct stat s2;

			if (de->d_name[0] == '.')
				continue;
			full = malloc(strlen(path) + strlen(de->d_name) + 2);
			if (!full)
				abort();
			sprintf(full, "%s/%s", path, de->d_name);
			if (stat(full, &s2) || !S_ISREG(s2.st_mode)) {
				free(full);
				continue;
			}
			names = realloc(names, (n + 1) * sizeof(*names));
			if (!names)
				abort();
			names[n++] = full;
		}
		closedir(d);
		if (n)
			qsort(names, n, sizeof(*names), cmp_str);
		for (i = 0; i < n; i++) {
			account(names[i], run_one(names[i]));
			free(names[i]);
		}
		free(names);
		return;
	}
	account(path, run_one(path));
}

int main(int argc, char **argv)
{
	int i;

#ifdef FUZZ_TARGET
	tg = &FZ_CAT(target_, FUZZ_TARGET);
#else
	tg = &target_ept;
#endif
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--target") && i + 1 < argc) {
			const char *t = argv[++i];

			if (!strcmp(t, "ept"))
				tg = &target_ept;
			else if (!strcmp(t, "npt"))
				tg = &target_npt;
			else if (!strcmp(t, "stage2"))
				tg = &target_stage2;
			else {
				fprintf(stderr, "unknown target %s\n", t);
				return 2;
			}
			continue;
		}
		if (!strcmp(argv[i], "--fork")) {
			use_fork = 1;
			continue;
		}
		if (!strcmp(argv[i], "--open")) {
			open_mode = 1;
			use_fork = 1;
			continue;
		}
		if (!strcmp(argv[i], "--all")) {
			setenv("SLAT_FUZZ_ALL", "1", 1);
			continue;
		}
		if (!strcmp(argv[i], "--help")) {
			printf("usage: %s [--target ept|npt|stage2] [--fork] [--open] [--all] PATH...\n",
			       argv[0]);
			return 0;
		}
		run_path(argv[i]);
	}
	fuzz_stats_register(tg->name);
	fuzz_release_buffers();
	if (open_mode)
		printf("%s open regressions: %u still fail, %u now pass\n", tg->name, xfailed,
		       xpassed);
	else
		printf("%s: %u passed, %u failed\n", tg->name, passed, failed);
	return failed ? 1 : 0;
}
#endif

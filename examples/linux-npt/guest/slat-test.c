/*
 * slat-test - the test program of the linux-npt initramfs.
 *
 * Fills most of the free memory with patterns that depend on the pass, the
 * page and the word, verifies them, and between chunks forks children that
 * check their copy-on-write view of the parent's memory, write their own
 * pattern, and exec busybox.  Any mismatch is a translation the kernel or
 * the hypervisor got wrong.  Prints a verdict and reports it to the
 * hypervisor with VMMCALL (unless -n).
 *
 *   slat-test [-p percent-of-MemAvailable] [-r passes] [-n]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "../hypercall.h"

#define CHUNK (16ul << 20)
#define PAGE  4096ul

static int use_hypercalls = 1;
static unsigned long errors;

static long hypercall(unsigned long nr, unsigned long arg)
{
    if (!use_hypercalls)
        return 0;
    long ret;
    __asm__ volatile("vmmcall" : "=a"(ret) : "a"(nr), "D"(arg) : "memory");
    return ret;
}

static inline uint64_t pattern(uint64_t seed, uint64_t chunk, uint64_t word)
{
    uint64_t x = seed * 0x9E3779B97F4A7C15ull ^ (chunk << 40) ^ word;
    x ^= x >> 29;
    return x * 0xBF58476D1CE4E5B9ull;
}

static void fill(uint64_t *p, uint64_t seed, uint64_t chunk, size_t words)
{
    for (size_t w = 0; w < words; w++)
        p[w] = pattern(seed, chunk, w);
}

static unsigned long verify(const uint64_t *p, uint64_t seed, uint64_t chunk, size_t words,
                            const char *who)
{
    unsigned long bad = 0;
    for (size_t w = 0; w < words; w++) {
        uint64_t want = pattern(seed, chunk, w);
        if (p[w] != want) {
            if (bad++ < 4)
                printf("slat-test: %s: chunk %lu word %zu: %016llx, want %016llx\n", who,
                       (unsigned long)chunk, w, (unsigned long long)p[w],
                       (unsigned long long)want);
        }
    }
    return bad;
}

static unsigned long mem_available_kib(void)
{
    FILE *f = fopen("/proc/meminfo", "r");
    char line[128];
    unsigned long kib = 0;
    while (f && fgets(line, sizeof(line), f))
        if (sscanf(line, "MemAvailable: %lu kB", &kib) == 1)
            break;
    if (f)
        fclose(f);
    return kib;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A child checks its view of one chunk, rewrites a few pages of it with its
 * own pattern (copy-on-write), checks those, then becomes busybox. */
static int child(uint64_t **chunks, unsigned nchunks, uint64_t seed, unsigned which)
{
    uint64_t *c = chunks[which];
    unsigned long bad = verify(c, seed, which, CHUNK / 8, "child (cow view)");
    for (size_t pg = 0; pg < CHUNK / PAGE; pg += 61)
        fill(c + pg * PAGE / 8, seed + 7777, which, PAGE / 8);
    for (size_t pg = 0; pg < CHUNK / PAGE; pg += 61)
        bad += verify(c + pg * PAGE / 8, seed + 7777, which, PAGE / 8, "child (own pages)");
    (void)nchunks;
    if (bad)
        _exit(3);
    execl("/bin/busybox", "true", (char *)0);
    _exit(4);
}

int main(int argc, char **argv)
{
    unsigned percent = 60, passes = 2;
    int opt;
    while ((opt = getopt(argc, argv, "p:r:n")) != -1) {
        if (opt == 'p')
            percent = (unsigned)atoi(optarg);
        else if (opt == 'r')
            passes = (unsigned)atoi(optarg);
        else if (opt == 'n')
            use_hypercalls = 0;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);

    unsigned long avail = mem_available_kib();
    unsigned nchunks = (unsigned)((avail * 1024 / 100 * percent) / CHUNK);
    if (nchunks < 1)
        nchunks = 1;
    uint64_t **chunks = calloc(nchunks, sizeof(*chunks));
    printf("slat-test: MemAvailable %lu MiB; %u passes over %u MiB (%u%%), fork+exec after each 16 MiB\n",
           avail / 1024, passes, nchunks * 16, percent);
    hypercall(HC_LNPT_HELLO, nchunks * 16ul);

    double t0 = now();
    unsigned long forks = 0;
    for (unsigned c = 0; c < nchunks; c++) {
        chunks[c] = mmap(NULL, CHUNK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (chunks[c] == MAP_FAILED) {
            printf("slat-test: mmap failed at chunk %u\n", c);
            nchunks = c;
            errors++;
            break;
        }
    }
    for (unsigned pass = 1; pass <= passes; pass++) {
        uint64_t seed = pass * 1000003ull;
        for (unsigned c = 0; c < nchunks; c++) {
            fill(chunks[c], seed, c, CHUNK / 8);
            pid_t pid = fork();
            if (pid == 0)
                return child(chunks, nchunks, seed, c);
            int status = 0;
            if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
                WEXITSTATUS(status) != 0) {
                printf("slat-test: child for chunk %u: status %#x\n", c, status);
                errors++;
            }
            forks++;
            /* the parent's copy is untouched by the child's writes */
            errors += verify(chunks[c], seed, c, CHUNK / 8, "parent after child");
        }
        unsigned long bad = 0;
        for (unsigned c = 0; c < nchunks; c++)
            bad += verify(chunks[c], seed, c, CHUNK / 8, "verify");
        errors += bad;
        printf("slat-test: pass %u: %u MiB filled and verified, %lu bad words, %.1f s\n", pass,
               nchunks * 16, bad, now() - t0);
    }
    printf("slat-test: %s: %u passes over %u MiB, %lu fork+exec, %lu errors, %.1f s\n",
           errors ? "FAIL" : "PASS", passes, nchunks * 16, forks, errors, now() - t0);
    hypercall(HC_LNPT_DONE, errors);
    return errors ? 1 : 0;
}

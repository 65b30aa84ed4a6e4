/*
 * memtest.c - the guest's half of the check: a static aarch64 Linux
 * program with no C library (the build machine has none for aarch64), so
 * it makes its system calls itself (arm64: number in x8, svc #0).
 *
 *   memtest [passes] [percent]
 *
 * Maps percent (default 50) % of MemAvailable, and on every pass fills it
 * with a pattern that depends on the pass and the word's offset, forks
 * and execs short-lived processes, forks a child that verifies the
 * pattern in its copy-on-write view and then overwrites an eighth of it
 * with its own (which the parent must not see), and verifies everything.
 * All along it writes a small hot area (see hot_store()).
 * Prints "MEMTEST: PASS" or "MEMTEST: FAIL ..." and exits 0 or 1.
 */
typedef unsigned long u64;
typedef long s64;

#define SYS_openat 56
#define SYS_close 57
#define SYS_read 63
#define SYS_write 64
#define SYS_exit 93
#define SYS_clone 220
#define SYS_execve 221
#define SYS_mmap 222
#define SYS_wait4 260
#define AT_FDCWD (-100)
#define SIGCHLD 17

static s64 sys6(s64 n, u64 a, u64 b, u64 c, u64 d, u64 e, u64 f)
{
	register u64 x0 __asm__("x0") = a;
	register u64 x1 __asm__("x1") = b;
	register u64 x2 __asm__("x2") = c;
	register u64 x3 __asm__("x3") = d;
	register u64 x4 __asm__("x4") = e;
	register u64 x5 __asm__("x5") = f;
	register s64 x8 __asm__("x8") = n;

	__asm__ __volatile__("svc #0" : "+r"(x0) : "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5),
			     "r"(x8) : "memory");
	return (s64)x0;
}
#define sys3(n, a, b, c) sys6(n, (u64)(a), (u64)(b), (u64)(c), 0, 0, 0)

static u64 len(const char *s)
{
	u64 n = 0;
	while (s[n])
		n++;
	return n;
}

static void out(const char *s)
{
	sys3(SYS_write, 1, s, len(s));
}

static void out_num(u64 v)
{
	char b[24];
	int i = 23;

	b[i] = 0;
	do {
		b[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	out(b + i);
}

static void out_hex(u64 v)
{
	char b[19];

	b[0] = '0', b[1] = 'x', b[18] = 0;
	for (int i = 17; i >= 2; i--, v >>= 4)
		b[i] = "0123456789abcdef"[v & 15];
	out(b);
}

static __attribute__((noreturn)) void quit(int status)
{
	sys3(SYS_exit, status, 0, 0);
	for (;;)
		;
}

static u64 atou(const char *s)
{
	u64 v = 0;
	while (*s >= '0' && *s <= '9')
		v = v * 10 + (u64)(*s++ - '0');
	return v;
}

/* MemAvailable from /proc/meminfo, in bytes (0 if not found). */
static u64 mem_available(void)
{
	static char buf[4096];
	s64 fd = sys3(SYS_openat, AT_FDCWD, "/proc/meminfo", 0), n;
	const char *key = "MemAvailable:";

	if (fd < 0)
		return 0;
	n = sys3(SYS_read, fd, buf, sizeof(buf) - 1);
	sys3(SYS_close, fd, 0, 0);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	for (char *p = buf; *p; p++) {
		u64 k = 0;
		while (key[k] && p[k] == key[k])
			k++;
		if (!key[k]) {
			p += k;
			while (*p == ' ')
				p++;
			return atou(p) * 1024;
		}
	}
	return 0;
}

/* The word at offset i of pass s: every word different, every pass too. */
static inline u64 pattern(u64 s, u64 i)
{
	u64 x = (i + 1) * 0x9e3779b97f4a7c15UL ^ s;
	return x ^ (x >> 29);
}


/*
 * A small "hot" area (HOT_PAGES pages, a working set that stays in the
 * TLB) gets one store for every page of the big buffer that is filled or
 * verified: the hot pages change all the time through translations the
 * CPU keeps cached, which is what a hypervisor's missing TLB invalidation
 * after a dirty harvest lets through unrecorded.
 */
#define HOT_PAGES 64
static volatile u64 *hot;

static void hot_store(u64 page, u64 v)
{
	hot[(page % HOT_PAGES) * 512 + (page / HOT_PAGES) % 512] = v ^ page;
}

static void fill(volatile u64 *w, u64 words, u64 s)
{
	for (u64 i = 0; i < words; i++) {
		w[i] = pattern(s, i);
		if ((i & 511) == 511)
			hot_store(i >> 9, s);
	}
}

/* Number of wrong words; the first few are printed. */
static u64 verify(const char *who, volatile u64 *w, u64 words, u64 s)
{
	u64 bad = 0;

	for (u64 i = 0; i < words; i++) {
		u64 v = w[i];
		if (v != pattern(s, i) && bad++ < 4) {
			out("memtest: ");
			out(who);
			out(": word at ");
			out_hex((u64)&w[i]);
			out(" is ");
			out_hex(v);
			out(", expected ");
			out_hex(pattern(s, i));
			out("\n");
		}
		if ((i & 511) == 511)
			hot_store(i >> 9, v);
	}
	return bad;
}

static s64 spawn_wait(char *const argv[])
{
	s64 pid = sys6(SYS_clone, SIGCHLD, 0, 0, 0, 0, 0);
	int status = 0;

	if (pid == 0) {
		static char *const envp[] = { "PATH=/bin", 0 };
		sys3(SYS_execve, argv[0], argv, envp);
		quit(127);
	}
	if (pid < 0)
		return -1;
	if (sys6(SYS_wait4, (u64)pid, (u64)&status, 0, 0, 0, 0) != pid)
		return -1;
	return status;          /* raw wait status: 0 = exited with 0 */
}

int main(int argc, char **argv)
{
	u64 passes = argc > 1 ? atou(argv[1]) : 2;
	u64 percent = argc > 2 ? atou(argv[2]) : 50;
	u64 avail = mem_available(), size, words, fails = 0, procs = 0;
	volatile u64 *w;

	size = (avail / 100 * percent) & ~0xfffUL;
	if (!size) {
		out("MEMTEST: FAIL no MemAvailable in /proc/meminfo\n");
		return 1;
	}
	w = (volatile u64 *)sys6(SYS_mmap, 0, size, 3 /* RW */, 0x22 /* PRIVATE|ANON */,
				 (u64)-1, 0);
	if ((s64)w < 0 && (s64)w > -4096) {
		out("MEMTEST: FAIL mmap\n");
		return 1;
	}
	hot = (volatile u64 *)sys6(SYS_mmap, 0, HOT_PAGES * 4096, 3, 0x22, (u64)-1, 0);
	if ((s64)hot < 0 && (s64)hot > -4096) {
		out("MEMTEST: FAIL mmap\n");
		return 1;
	}
	words = size / 8;
	out("memtest: ");
	out_num(size >> 20);
	out(" MiB of ");
	out_num(avail >> 20);
	out(" MiB available, ");
	out_num(passes);
	out(" passes\n");
	for (u64 pass = 1; pass <= passes; pass++) {
		u64 s = pass * 0x51ed270b27bbb5c3UL, bad;
		static char *const t1[] = { "/bin/busybox", "true", 0 };
		static char *const t2[] = { "/bin/sh", "-c", "echo $$ > /dev/null", 0 };
		s64 pid;
		int status = 0;

		fill(w, words, s);
		for (int k = 0; k < 4; k++) {
			if (spawn_wait(k & 1 ? t2 : t1) != 0) {
				out("memtest: a child process failed\n");
				fails++;
			}
			procs++;
		}
		/* Copy-on-write: the child sees the parent's pattern, then writes
		 * its own into the first eighth, which the parent must not see. */
		pid = sys6(SYS_clone, SIGCHLD, 0, 0, 0, 0, 0);
		if (pid == 0) {
			u64 half = words / 8, cbad = verify("child", w, words, s);
			fill(w, half, ~s);
			cbad += verify("child", w, half, ~s);
			quit(cbad ? 1 : 0);
		}
		procs++;
		if (pid < 0 || sys6(SYS_wait4, (u64)pid, (u64)&status, 0, 0, 0, 0) != pid ||
		    status != 0) {
			out("memtest: the copy-on-write child failed\n");
			fails++;
		}
		bad = verify("parent", w, words, s);
		fails += bad;
		out("memtest: pass ");
		out_num(pass);
		out(bad ? ": FAILED, " : ": ok, ");
		out_num(bad);
		out(" bad words\n");
	}
	out("memtest: ");
	out_num(procs);
	out(" processes\n");
	if (fails) {
		out("MEMTEST: FAIL ");
		out_num(fails);
		out(" errors\n");
		return 1;
	}
	out("MEMTEST: PASS\n");
	return 0;
}

/* Entry: the kernel leaves argc at [sp], argv after it. */
__asm__(".global _start\n"
	"_start:\n"
	"	ldr x0, [sp]\n"
	"	add x1, sp, #8\n"
	"	bl main\n"
	"	mov x8, #93\n"
	"	svc #0\n");

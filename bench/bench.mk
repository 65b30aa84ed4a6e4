# slat-bench (make bench), its instruction counts under callgrind
# (make bench-instructions) and its smoke test (in make check).
# bench/README.md says how to run them and how to read them.

noinst_PROGRAMS += bench/slat-bench
bench_slat_bench_SOURCES = bench/slat-bench.c bench/measure.c bench/measure.h \
	bench/workloads.c bench/workloads.h bench/concurrent.c
# The flags the whole build was compiled with, so that the benchmark can
# print them and refuse to time an unoptimised build.
bench_slat_bench_CPPFLAGS = $(AM_CPPFLAGS) \
	-DBENCH_CFLAGS='"$(CFLAGS)"' -DBENCH_CC='"$(CC)"'
# Linked statically with libslat: a real executable that valgrind can run,
# and calls without a PLT hop, as an embedded hypervisor makes them.
bench_slat_bench_LDFLAGS = -static
bench_slat_bench_LDADD = libslat-hosted.la libslat.la -lpthread

bench: bench/slat-bench$(EXEEXT)
	./bench/slat-bench$(EXEEXT)

# Not in CI: about 5 minutes.
bench-instructions: bench/slat-bench$(EXEEXT)
	VALGRIND='$(VALGRIND)' SLAT_BENCH='$(abs_top_builddir)/bench/slat-bench$(EXEEXT)' \
	$(SHELL) $(srcdir)/bench/instructions.sh

TESTS += bench/smoke.sh
AM_TESTS_ENVIRONMENT += \
	SLAT_BENCH='$(abs_top_builddir)/bench/slat-bench$(EXEEXT)'; export SLAT_BENCH;
EXTRA_DIST += bench/README.md bench/instructions.sh bench/smoke.sh

.PHONY: bench bench-instructions

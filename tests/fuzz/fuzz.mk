# Fuzzers (make fuzz), sanitizer and coverage targets.
#
# One engine (tests/fuzz/engine.c, model.c, shadow.c) with a thin file per
# format (target_*.c), built three ways:
#  - tests/fuzz/fuzz-replay: a plain driver (replay.c) built with the
#    configured compiler; make check runs the committed corpus and every
#    regression input through it (tests/fuzz/replay.sh, no valgrind);
#  - make fuzz: libFuzzer targets fuzz_ept, fuzz_npt, fuzz_stage2, built
#    with clang and AddressSanitizer + UBSan into $(FUZZ_O), each run for
#    $(FUZZ_TIME) seconds on a writable copy of its corpus; any crash fails;
#  - make fuzz-afl: the same targets for AFL++ (afl-clang-fast, persistent
#    mode), when AFL++ is installed.
# tests/fuzz/README.md says how to run, minimise and file findings.

FUZZ_SOURCES = \
	tests/fuzz/fuzz.h tests/fuzz/engine.c tests/fuzz/model.c \
	tests/fuzz/shadow.c tests/fuzz/second.c tests/fuzz/target_ept.c tests/fuzz/target_npt.c \
	tests/fuzz/target_stage2.c

# ---- the replay driver, in make check ---------------------------------------
check_PROGRAMS += tests/fuzz/fuzz-replay
# Its own copy of the library, with the race point of lib/core.h live.
tests_fuzz_fuzz_replay_SOURCES = $(FUZZ_SOURCES) tests/fuzz/replay.c \
	$(libslat_la_SOURCES) $(libslat_hosted_la_SOURCES)
tests_fuzz_fuzz_replay_CPPFLAGS = $(AM_CPPFLAGS) -DSLAT_TEST_RACE
tests_fuzz_fuzz_replay_CFLAGS = $(AM_CFLAGS) -pthread
tests_fuzz_fuzz_replay_LDFLAGS = -no-install -pthread
TESTS += tests/fuzz/replay.sh
AM_TESTS_ENVIRONMENT += \
	FUZZ_REPLAY='$(abs_top_builddir)/tests/fuzz/fuzz-replay'; export FUZZ_REPLAY;

# make fuzz-replay: the same, by hand.
fuzz-replay: tests/fuzz/fuzz-replay$(EXEEXT)
	top_srcdir='$(abs_top_srcdir)' \
	FUZZ_REPLAY='$(abs_top_builddir)/tests/fuzz/fuzz-replay' \
	$(SHELL) $(srcdir)/tests/fuzz/replay.sh

# ---- libFuzzer targets ------------------------------------------------------
FUZZ_TIME = 60
FUZZ_TARGETS = ept npt stage2
FUZZ_CC = clang
FUZZ_O = $(abs_top_builddir)/tests/fuzz/build
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
FUZZ_CFLAGS = -g -O2 -I$(abs_top_srcdir)/include -I$(abs_top_srcdir)/lib -DSLAT_TEST_RACE
# libFuzzer's options for every run (-max_total_time comes from FUZZ_TIME).
FUZZ_FLAGS = -max_len=4096 -len_control=20 -timeout=30 -rss_limit_mb=3072 \
	-print_final_stats=1

# The library (every .c of libslat and libslat-hosted) gets libFuzzer's edge
# coverage; the harness only the sanitizers: instrumenting its checking
# loops would slow every run down for no new coverage of libslat.
fuzz-build:
	@set -e; rm -rf '$(FUZZ_O)/obj'; $(MKDIR_P) '$(FUZZ_O)/obj/lib' '$(FUZZ_O)/obj/harness'; \
	for f in $(libslat_la_SOURCES) $(libslat_hosted_la_SOURCES); do \
	  case $$f in *.c) ;; *) continue ;; esac; \
	  o='$(FUZZ_O)/obj/lib/'`echo $$f | tr / _ | sed 's/\.c$$/.o/'`; \
	  $(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer-no-link \
	    -fno-sanitize-coverage=trace-cmp -c '$(abs_top_srcdir)/'$$f -o $$o; \
	done; \
	for f in $(FUZZ_SOURCES); do \
	  case $$f in *.c) ;; *) continue ;; esac; \
	  o='$(FUZZ_O)/obj/harness/'`basename $$f .c`.o; \
	  $(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -c '$(abs_top_srcdir)/'$$f -o $$o; \
	done; \
	for t in $(FUZZ_TARGETS); do \
	  $(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer -DFUZZ_TARGET=$$t \
	    '$(FUZZ_O)'/obj/lib/*.o '$(FUZZ_O)'/obj/harness/*.o \
	    '$(abs_top_srcdir)/tests/fuzz/entry.c' -o '$(FUZZ_O)/fuzz_'$$t; \
	  echo "  FUZZ     $(FUZZ_O)/fuzz_$$t"; \
	done

# Each target in turn (one process at a time), on a writable copy of its
# corpus and regression inputs; stops at the first crash.
fuzz: fuzz-build
	@set -e; for t in $(FUZZ_TARGETS); do \
	  c='$(FUZZ_O)/corpus-'$$t; rm -rf $$c; $(MKDIR_P) $$c; \
	  cp '$(abs_top_srcdir)/tests/fuzz/corpus/'$$t/* $$c/; \
	  for r in '$(abs_top_srcdir)/tests/fuzz/regressions/'$$t/*; do \
	    if test -f "$$r"; then cp "$$r" $$c/; fi; \
	  done; \
	  echo "  FUZZ     $$t for $(FUZZ_TIME) s"; \
	  if SLAT_FUZZ_STATS=1 '$(FUZZ_O)/fuzz_'$$t -max_total_time=$(FUZZ_TIME) $(FUZZ_FLAGS) \
	      -artifact_prefix='$(FUZZ_O)/'$$t- $$c >'$(FUZZ_O)/'$$t.log 2>&1; then \
	    grep '^slat-fuzz' '$(FUZZ_O)/'$$t.log | tail -3; \
	  else \
	    tail -60 '$(FUZZ_O)/'$$t.log; \
	    echo "fuzz_$$t found a bug: the input is $(FUZZ_O)/$$t-crash-* (see tests/fuzz/README.md)"; \
	    exit 1; \
	  fi; \
	done

# ---- AFL++ targets ----------------------------------------------------------
AFL_CC = afl-clang-fast
fuzz-afl:
	@set -e; command -v $(AFL_CC) >/dev/null || { echo "$(AFL_CC) not found: install AFL++"; exit 1; }; \
	$(MKDIR_P) '$(FUZZ_O)'; \
	srcs=''; for f in $(libslat_la_SOURCES) $(libslat_hosted_la_SOURCES) $(FUZZ_SOURCES); do \
	  case $$f in *.c) srcs="$$srcs $(abs_top_srcdir)/$$f" ;; esac; \
	done; \
	for t in $(FUZZ_TARGETS); do \
	  AFL_USE_ASAN=1 AFL_USE_UBSAN=1 $(AFL_CC) $(FUZZ_CFLAGS) -DFUZZ_TARGET=$$t $$srcs \
	    '$(abs_top_srcdir)/tests/fuzz/replay.c' -o '$(FUZZ_O)/afl_'$$t; \
	  echo "  AFL      $(FUZZ_O)/afl_$$t: afl-fuzz -i $(abs_top_srcdir)/tests/fuzz/corpus/$$t -o OUT -- $(FUZZ_O)/afl_$$t"; \
	done

.PHONY: fuzz fuzz-build fuzz-replay fuzz-afl

EXTRA_DIST += \
	tests/fuzz/fuzz.mk tests/fuzz/README.md tests/fuzz/replay.sh \
	tests/fuzz/entry.c tests/fuzz/mkseeds.py \
	tests/fuzz/corpus tests/fuzz/regressions

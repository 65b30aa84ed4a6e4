# Wiring of examples/vmm-stage2 into the top-level build (make check, make run-vmm-stage2).
#
# The VMM is a freestanding AArch64 program with its own Makefile; the top
# level only drives it, with every build output under $(VMM_STAGE2_O) in the
# build tree, so that the source tree may be read-only (make distcheck).

VMM_STAGE2_O = $(abs_top_builddir)/examples/vmm-stage2/build
VMM_STAGE2_MAKE = $(MAKE) -C $(srcdir)/examples/vmm-stage2 \
	O='$(VMM_STAGE2_O)' LIBSLAT='$(abs_top_srcdir)'

# The VMM under QEMU, once for each stage-2 granule (4, 16 and 64 KiB,
# built in $(VMM_STAGE2_O)/4k, 16k and 64k, one QEMU at a time): exit 0 all
# passed, 1 any failed, 77 skipped (no aarch64-linux-gnu-gcc or
# qemu-system-aarch64), 99 build error.
TESTS += examples/vmm-stage2/run-check.sh
AM_TESTS_ENVIRONMENT += VMM_STAGE2_O='$(VMM_STAGE2_O)'; export VMM_STAGE2_O;

# The stage 2 abort decoder, slat_stage2_fault().
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_fault_stage2
TESTS += tests/unit/test_fault_stage2
endif
tests_unit_test_fault_stage2_SOURCES = tests/unit/test_fault_stage2.c
tests_unit_test_fault_stage2_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_fault_stage2_LDADD = $(UNIT_LDADD)
tests_unit_test_fault_stage2_LDFLAGS = $(UNIT_LINK)

# What make dist ships of the VMM. Makefile.am assigns EXTRA_DIST with "="
# after including this file, so "EXTRA_DIST +=" here is an automake error
# ("EXTRA_DIST must be set with '=' before using '+='"); dist-hook takes a
# prerequisite from each fragment instead. This file itself is distributed
# by automake as an included fragment.
VMM_STAGE2_DIST = \
	Makefile run-check.sh README.md NOTES.md \
	arch.h exits.h features.h mem.h mmio_uart.h protocol.h report.h \
	stage2.h tests.h uart.h vcpu.h vm.h guest_io.h \
	abort.c exits.c features.c guest.c main.c mem.c mmio_uart.c report.c \
	tables_slat.c tests.c uart.c vm.c \
	boot.S guest_blob.S guest_start.S vectors.S guest.ld.S vmm.ld

dist-hook: dist-vmm-stage2
dist-vmm-stage2:
	$(MKDIR_P) $(distdir)/examples/vmm-stage2
	for f in $(VMM_STAGE2_DIST); do \
	  cp -fp $(srcdir)/examples/vmm-stage2/$$f $(distdir)/examples/vmm-stage2/$$f || exit 1; \
	done

# Boot the VMM in QEMU with its console on this terminal (quit: Ctrl-A x);
# make run-vmm-stage2 GRANULE=16 (or 64) for another stage-2 granule.
run-vmm-stage2:
	$(VMM_STAGE2_MAKE) run

clean-vmm-stage2:
	-$(VMM_STAGE2_MAKE) clean

clean-local: clean-vmm-stage2

.PHONY: run-vmm-stage2 clean-vmm-stage2 dist-vmm-stage2

# Wiring of examples/vmm-npt into the top-level build (make check, make run-vmm-npt).
#
# The VMM has its own freestanding Makefile; the top level only drives it,
# with every build output under $(VMM_NPT_O) in the build tree, so that the
# source tree may be read-only (make distcheck). It is a directory of its
# own, so that an in-tree build does not mix objects into the sources.
VMM_NPT_O = $(abs_top_builddir)/examples/vmm-npt/build
VMM_NPT_MAKE = $(MAKE) -C $(srcdir)/examples/vmm-npt \
	O='$(VMM_NPT_O)' LIBSLAT='$(abs_top_srcdir)' CC='$(CC)'

# The VMM under QEMU: exit 0 passed, 1 failed, 77 skipped (no QEMU), 99 build error.
TESTS += examples/vmm-npt/run-check.sh
AM_TESTS_ENVIRONMENT += VMM_NPT_O='$(VMM_NPT_O)'; export VMM_NPT_O;

# The #NPF decoder, slat_npt_fault().
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_fault_npt
TESTS += tests/unit/test_fault_npt
endif
tests_unit_test_fault_npt_SOURCES = tests/unit/test_fault_npt.c
tests_unit_test_fault_npt_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_fault_npt_LDADD = $(UNIT_LDADD)
tests_unit_test_fault_npt_LDFLAGS = $(UNIT_LINK)

# Into the tarball, file by file: an in-tree build writes into build/ here.
EXTRA_DIST += \
	examples/vmm-npt/Makefile examples/vmm-npt/check.mk \
	examples/vmm-npt/run-check.sh \
	examples/vmm-npt/README.md examples/vmm-npt/NOTES.md \
	examples/vmm-npt/boot.S examples/vmm-npt/guest_blob.S \
	examples/vmm-npt/guest_entry.S examples/vmm-npt/vmrun.S \
	examples/vmm-npt/guest.ld examples/vmm-npt/vmm.ld \
	examples/vmm-npt/checks.c examples/vmm-npt/exits.c \
	examples/vmm-npt/guest.c examples/vmm-npt/loader.c \
	examples/vmm-npt/main.c examples/vmm-npt/mem.c \
	examples/vmm-npt/serial.c examples/vmm-npt/svm.c \
	examples/vmm-npt/tables_slat.c examples/vmm-npt/trap.c \
	examples/vmm-npt/cpu.h examples/vmm-npt/layout.h \
	examples/vmm-npt/mem.h examples/vmm-npt/npt.h \
	examples/vmm-npt/serial.h examples/vmm-npt/vmcb.h \
	examples/vmm-npt/vmm.h

# Boot the VMM in QEMU with its console on this terminal.
run-vmm-npt:
	$(VMM_NPT_MAKE) run

clean-vmm-npt:
	-$(VMM_NPT_MAKE) clean

clean-local: clean-vmm-npt

.PHONY: run-vmm-npt clean-vmm-npt

# Wiring of examples/vmm-ept into the top-level build (make check, make run-vmm-ept).
#
# The VMM has its own freestanding Makefile; the top level only drives it,
# with every build output under $(VMM_EPT_O) in the build tree, so that the
# source tree may be read-only (make distcheck).

VMM_EPT_O = $(abs_top_builddir)/examples/vmm-ept/build
VMM_EPT_MAKE = $(MAKE) -C $(srcdir)/examples/vmm-ept \
	O='$(VMM_EPT_O)' LIBSLAT='$(abs_top_srcdir)'

# The VMM under Bochs: exit 0 passed, 1 failed, 77 skipped (no Bochs), 99 build error.
TESTS += examples/vmm-ept/run-check.sh
AM_TESTS_ENVIRONMENT += VMM_EPT_O='$(VMM_EPT_O)'; export VMM_EPT_O;

# The EPT exit decoder, slat_ept_fault().
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_fault_ept
TESTS += tests/unit/test_fault_ept
endif
tests_unit_test_fault_ept_SOURCES = tests/unit/test_fault_ept.c
tests_unit_test_fault_ept_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_fault_ept_LDADD = $(UNIT_LDADD)
tests_unit_test_fault_ept_LDFLAGS = $(UNIT_LINK)

# Distribution: the files are copied by a dist-hook prerequisite (any
# number of fragments can add one). check.mk itself is distributed by
# automake.
VMM_EPT_DIST = \
	examples/vmm-ept/Makefile examples/vmm-ept/run-check.sh \
	examples/vmm-ept/README.md examples/vmm-ept/NOTES.md \
	examples/vmm-ept/bochsrc.txt examples/vmm-ept/bochs-debugger.rc \
	examples/vmm-ept/boot/boot.S \
	examples/vmm-ept/common/abi.h examples/vmm-ept/common/fmt.c \
	examples/vmm-ept/common/fmt.h \
	examples/vmm-ept/guest/cpu.c examples/vmm-ept/guest/entry.S \
	examples/vmm-ept/guest/guest.h examples/vmm-ept/guest/guest.ld \
	examples/vmm-ept/guest/lib.c examples/vmm-ept/guest/main.c \
	examples/vmm-ept/guest/tests.c examples/vmm-ept/guest/user.c \
	examples/vmm-ept/vmm/caps.c examples/vmm-ept/vmm/caps.h \
	examples/vmm-ept/vmm/checks.c examples/vmm-ept/vmm/checks.h \
	examples/vmm-ept/vmm/console.c examples/vmm-ept/vmm/console.h \
	examples/vmm-ept/vmm/cpu.c examples/vmm-ept/vmm/cpu.h \
	examples/vmm-ept/vmm/entry.S examples/vmm-ept/vmm/ept.h \
	examples/vmm-ept/vmm/exits.c examples/vmm-ept/vmm/exits.h \
	examples/vmm-ept/vmm/guest_blob.S examples/vmm-ept/vmm/guestmem.c \
	examples/vmm-ept/vmm/guestmem.h examples/vmm-ept/vmm/hostmem.c \
	examples/vmm-ept/vmm/hostmem.h examples/vmm-ept/vmm/hypercalls.c \
	examples/vmm-ept/vmm/isr.S examples/vmm-ept/vmm/lib.c \
	examples/vmm-ept/vmm/main.c examples/vmm-ept/vmm/memmap.c \
	examples/vmm-ept/vmm/memmap.h examples/vmm-ept/vmm/pml.c \
	examples/vmm-ept/vmm/pml.h examples/vmm-ept/vmm/setup.c \
	examples/vmm-ept/vmm/setup.h examples/vmm-ept/vmm/tables_slat.c \
	examples/vmm-ept/vmm/uart.c examples/vmm-ept/vmm/uart.h \
	examples/vmm-ept/vmm/vcpu.h examples/vmm-ept/vmm/vmm.ld \
	examples/vmm-ept/vmm/vmx.c examples/vmm-ept/vmm/vmx.h \
	examples/vmm-ept/vmm/vmx_asm.S

dist-vmm-ept:
	@for f in $(VMM_EPT_DIST); do \
	  $(MKDIR_P) "$(distdir)/$${f%/*}" && \
	  cp -fp "$(srcdir)/$$f" "$(distdir)/$$f" || exit 1; \
	done
dist-hook: dist-vmm-ept

# Boot the VMM in Bochs with its output on this terminal.
run-vmm-ept:
	$(VMM_EPT_MAKE) run

clean-vmm-ept:
	-rm -rf '$(VMM_EPT_O)'
clean-local: clean-vmm-ept

.PHONY: run-vmm-ept clean-vmm-ept dist-vmm-ept
